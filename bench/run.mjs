// Throughput of generateRollback (this addon) vs pgsql-parser parse+deparse on the same inputs.
// `pnpm bench` (build the addon first with `pnpm build`). Throughput: one child process loads
// both and alternates their timed rounds per input, so load from other processes on a shared
// machine hits both alike. Peak RSS: one child per implementation, so each figure is its own.
// Prints numbers only: no assertions on time.
import { readdirSync, readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { makeLarge, LARGE_NAME } from './fixtures/large.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 150)
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 300)
const TARGET_RATIO = 2
const IMPLS = ['pg-rollback', 'pgsql-parser']
// Peak RSS of Node reading the same inputs with no parser, to read the others against.
const BASELINE = 'node alone'

const fixturesDir = new URL('./fixtures/', import.meta.url)

function loadInputs() {
  const files = readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, sql: readFileSync(new URL(name, fixturesDir), 'utf8') }))
  files.push({ name: LARGE_NAME, sql: makeLarge() })
  return files
}

async function loadImpl(impl) {
  if (impl === BASELINE) return () => {}
  if (impl === 'pg-rollback') {
    const { generateRollback } = createRequire(import.meta.url)('../index.js')
    return (sql) => generateRollback(sql)
  }
  // pgsql-parser 17+ is WASM: the sync API needs loadModule() first.
  const { loadModule, parseSync, deparseSync } = await import('pgsql-parser')
  await loadModule()
  return (sql) => deparseSync(parseSync(sql))
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

function warmUp(fn, sql) {
  let calls = 0
  const start = performance.now()
  while (calls < 3 || performance.now() - start < WARMUP_MS) {
    fn(sql)
    calls++
  }
  // Calibrate after warm-up: the first calls (JIT, caches) are slower than steady state.
  let calibCalls = 0
  const calibStart = performance.now()
  while (calibCalls < 1 || performance.now() - calibStart < ROUND_MS / 4) {
    fn(sql)
    calibCalls++
  }
  const perCallMs = (performance.now() - calibStart) / calibCalls
  return Math.max(1, Math.ceil(ROUND_MS / perCallMs))
}

function timedRound(fn, sql, iterations) {
  globalThis.gc?.() // do not bill one implementation for the other's garbage
  const t0 = performance.now()
  for (let i = 0; i < iterations; i++) fn(sql)
  return (performance.now() - t0) / iterations / 1000
}

function describeError(err) {
  const msg = String(err?.message ?? err).split('\n')[0].slice(0, 100)
  return err?.code ? `${err.code}: ${msg}` : msg
}

// Seconds per call for every implementation, rounds interleaved, median per implementation.
async function throughputChild() {
  const fns = {}
  for (const impl of IMPLS) fns[impl] = await loadImpl(impl)
  const results = []
  for (const { name, sql } of loadInputs()) {
    const bytes = Buffer.byteLength(sql)
    const row = { name, bytes }
    const live = []
    for (const impl of IMPLS) {
      try {
        fns[impl](sql) // fail fast on inputs this implementation rejects
        live.push({ impl, iterations: warmUp(fns[impl], sql), rounds: [] })
      } catch (err) {
        row[impl] = { ok: false, error: describeError(err) }
      }
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (const l of live) l.rounds.push(timedRound(fns[l.impl], sql, l.iterations))
    }
    for (const l of live) {
      row[l.impl] = { ok: true, secondsPerCall: median(l.rounds), iterations: l.iterations }
    }
    results.push(row)
  }
  process.stdout.write(JSON.stringify({ results }) + '\n')
}

// Peak RSS of one implementation handling the ~1 MB input a few times (the largest, so the peak).
async function rssChild(impl) {
  const t0 = performance.now()
  const fn = await loadImpl(impl)
  const loadMs = performance.now() - t0
  for (const { sql } of loadInputs().filter((i) => i.name === LARGE_NAME)) {
    for (let i = 0; i < 3; i++) {
      try {
        fn(sql)
      } catch {
        break // reported by the throughput child
      }
    }
  }
  const maxRssKb = process.resourceUsage().maxRSS
  process.stdout.write(JSON.stringify({ impl, loadMs, maxRssKb }) + '\n')
}

const mbps = (bytes, s) => bytes / 1e6 / s
const fmt = (x, d = 1) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d))
const pad = (s, n, right = false) => (right ? String(s).padStart(n) : String(s).padEnd(n))

function runChild(args, label) {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', fileURLToPath(import.meta.url), ...args],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  )
  const line = r.stdout.trim().split('\n').pop()
  if (r.status !== 0 || !line) {
    console.error(`${label}: benchmark child failed (status ${r.status}, signal ${r.signal})`)
    console.error(r.stderr.slice(-2000))
    return null
  }
  return JSON.parse(line)
}

function parent() {
  const throughput = runChild(['--throughput'], 'throughput')
  const rssImpls = [...IMPLS, BASELINE]
  const rss = Object.fromEntries(rssImpls.map((i) => [i, runChild(['--rss', i], `${i} peak RSS`)]))

  const inputs = loadInputs().map(({ name, sql }) => ({ name, bytes: Buffer.byteLength(sql) }))
  const row = (name) => throughput?.results.find((x) => x.name === name)

  console.log(
    `generateRollback vs pgsql-parser parse+deparse (MB = 10^6 bytes; median of ${ROUNDS} interleaved rounds)`,
  )
  console.log()
  const header = [
    pad('input', 44),
    pad('KB', 8, true),
    pad('pg-rollback MB/s', 17, true),
    pad('pgsql-parser MB/s', 18, true),
    pad('ratio', 7, true),
  ].join(' ')
  console.log(header)
  console.log('-'.repeat(header.length))
  let totalBytes = 0
  let totalA = 0
  let totalB = 0
  const errors = []
  for (const { name, bytes } of inputs) {
    const ra = row(name)?.[IMPLS[0]]
    const rb = row(name)?.[IMPLS[1]]
    const va = ra?.ok ? mbps(bytes, ra.secondsPerCall) : undefined
    const vb = rb?.ok ? mbps(bytes, rb.secondsPerCall) : undefined
    if (ra && !ra.ok) errors.push(`pg-rollback  ${name}: ${ra.error}`)
    if (rb && !rb.ok) errors.push(`pgsql-parser ${name}: ${rb.error}`)
    if (ra?.ok && rb?.ok) {
      totalBytes += bytes
      totalA += ra.secondsPerCall
      totalB += rb.secondsPerCall
    }
    console.log(
      [
        pad(name, 44),
        pad(fmt(bytes / 1024), 8, true),
        pad(ra?.ok ? fmt(va) : 'error', 17, true),
        pad(rb?.ok ? fmt(vb) : 'error', 18, true),
        pad(va && vb ? fmt(va / vb, 2) + 'x' : '-', 7, true),
      ].join(' '),
    )
  }
  console.log('-'.repeat(header.length))
  const overallA = totalBytes ? mbps(totalBytes, totalA) : undefined
  const overallB = totalBytes ? mbps(totalBytes, totalB) : undefined
  const ratio = overallA && overallB ? overallA / overallB : undefined
  console.log(
    [
      pad('overall (inputs both handled)', 44),
      pad(fmt(totalBytes / 1024), 8, true),
      pad(fmt(overallA), 17, true),
      pad(fmt(overallB), 18, true),
      pad(ratio ? fmt(ratio, 2) + 'x' : '-', 7, true),
    ].join(' '),
  )
  console.log()
  for (const impl of rssImpls) {
    const r = rss[impl]
    if (r) {
      const load = impl === BASELINE ? '' : `, load ${fmt(r.loadMs)} ms (not in throughput)`
      console.log(`${pad(impl, 13)} peak RSS ${fmt(r.maxRssKb / 1024)} MB on the ~1 MB input${load}`)
    }
  }
  if (ratio !== undefined) {
    console.log(
      `ratio pg-rollback / pgsql-parser: ${fmt(ratio, 2)}x (target >= ${TARGET_RATIO}x: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'})`,
    )
  } else {
    console.log('ratio pg-rollback / pgsql-parser: n/a (no input handled by both)')
  }
  if (errors.length) {
    console.log()
    console.log('inputs an implementation rejected (left out of overall):')
    for (const e of errors) console.log(`  ${e}`)
  }
}

const rssArg = process.argv.indexOf('--rss')
if (process.argv.includes('--throughput')) {
  await throughputChild()
} else if (rssArg !== -1) {
  await rssChild(process.argv[rssArg + 1])
} else {
  parent()
}
