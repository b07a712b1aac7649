// What users wait for, measured as the commands they run (child processes), on one throwaway PostgreSQL 15:
// - `pnpm db:migrate:apply` (node dist/cli/migrate-apply.js) of a ~200-migration Drizzle folder against
//   drizzle-orm's own migrate() of the same folder (a node script), fresh databases, runs alternated; target
//   at most 1.3x; peak RSS of both;
// - `node dist/cli/rollback.js --version=X` (the preview) against `node -e 0`, alternated; target at most 2.5x.
// Prints medians and ratios measured in this run. Numbers only: no assertions on time.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { startPostgres, freshDatabase } from '../test-support/postgres.mjs'
import { writeDrizzleFolder } from './drizzle-folder.mjs'

const RUNS = Number(process.env.BENCH_APPLY_RUNS ?? 5)
const PREVIEW_RUNS = Number(process.env.BENCH_PREVIEW_RUNS ?? 21)
const COUNT = Number(process.env.BENCH_APPLY_MIGRATIONS ?? 200)
const APPLY_TARGET = 1.3
const PREVIEW_TARGET = 2.5

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const pkg = path.join(root, 'packages/backend/database-schema')
const cli = (name) => path.join(pkg, 'dist', 'cli', `${name}.js`)
const reportRss = path.join(root, 'bench', 'report-rss.mjs')

const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-rollback-bench-'))
const total = writeDrizzleFolder(dir, { count: COUNT, packageMigrations: path.join(pkg, 'src/migrations') })
const journal = JSON.parse(readFileSync(path.join(dir, 'meta/_journal.json'), 'utf8')).entries

/** Runs `node ...args`; resolves with seconds and peak RSS (MB); rejects on a non-zero exit. */
function node(args, env = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, ['--import', reportRss, ...args], {
      cwd: pkg,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000
      if (code !== 0) return reject(new Error(`node ${args.join(' ')} exited with ${code}:\n${stderr.slice(-2000)}`))
      const rss = Number(/BENCH_MAX_RSS_KB=(\d+)/.exec(stderr)?.[1] ?? NaN) / 1024
      resolve({ seconds, rss })
    })
  })
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const show = (xs, unit = 's', d = 2) => xs.map((x) => x.toFixed(d)).join(', ') + ` ${unit}`

const server = await startPostgres()
try {
  const DRIZZLE = 'drizzle-orm migrate()'
  const OURS = 'pnpm db:migrate:apply'
  const runs = { [DRIZZLE]: [], [OURS]: [] }
  const commands = {
    [DRIZZLE]: (url) => node([path.join(root, 'bench', 'drizzle-migrate.mjs'), dir, url]),
    [OURS]: (url) => node([cli('migrate-apply'), `--migrations=${dir}`, `--database-url=${url}`]),
  }
  let applied
  for (let run = 0; run < RUNS; run++) {
    // Alternated, and the order flipped every run, so drift on a shared machine hits both alike.
    const order = run % 2 ? [OURS, DRIZZLE] : [DRIZZLE, OURS]
    for (const name of order) {
      const url = await freshDatabase(server.url, 'bench_apply')
      runs[name].push(await commands[name](url))
      if (name === OURS) applied = url
    }
  }
  const seconds = (name) => median(runs[name].map((r) => r.seconds))
  const applyRatio = seconds(OURS) / seconds(DRIZZLE)
  console.log(`\nApplying a Drizzle folder of ${total} migrations (${COUNT} generated + pg-rollback's own), ${RUNS} runs each, alternated, fresh databases:`)
  for (const name of [DRIZZLE, OURS]) {
    const xs = runs[name]
    console.log(
      `  ${name.padEnd(24)} median ${seconds(name).toFixed(2)} s (runs: ${show(xs.map((r) => r.seconds))}), ` +
        `peak RSS ${median(xs.map((r) => r.rss)).toFixed(1)} MB`,
    )
  }
  console.log(`  ratio db:migrate:apply / drizzle-orm migrate(): ${applyRatio.toFixed(2)}x (target at most ${APPLY_TARGET}x: ${applyRatio <= APPLY_TARGET ? 'met' : 'NOT met'})`)

  // The preview of a migration in the middle of the folder, on the database the last apply left.
  const version = journal[Math.floor(journal.length / 2)].tag
  const preview = { 'node -e 0': [], 'db:rollback --version': [] }
  const previewCommands = {
    'node -e 0': () => node(['-e', '0']),
    'db:rollback --version': () => node([cli('rollback'), `--version=${version}`, `--migrations=${dir}`, `--database-url=${applied}`]),
  }
  for (let run = 0; run < PREVIEW_RUNS; run++) {
    const order = run % 2 ? ['db:rollback --version', 'node -e 0'] : ['node -e 0', 'db:rollback --version']
    for (const name of order) preview[name].push((await previewCommands[name]()).seconds * 1000)
  }
  const ms = (name) => median(preview[name])
  const previewRatio = ms('db:rollback --version') / ms('node -e 0')
  console.log(`\nPreview (node dist/cli/rollback.js --version=${version}, ${total} versions recorded), ${PREVIEW_RUNS} runs each, alternated:`)
  for (const name of Object.keys(preview)) console.log(`  ${name.padEnd(24)} median ${ms(name).toFixed(1)} ms`)
  console.log(`  ratio preview / node -e 0: ${previewRatio.toFixed(2)}x (target at most ${PREVIEW_TARGET}x: ${previewRatio <= PREVIEW_TARGET ? 'met' : 'NOT met'})`)
} finally {
  await server.stop()
  rmSync(dir, { recursive: true, force: true })
}
