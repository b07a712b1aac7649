// What the archive (issue 18) costs, measured as addon calls in child processes on one throwaway PostgreSQL 15:
// - DROP COLUMN on a table of BENCH_ARCHIVE_ROWS rows (default 1,000,000) applied with the archive against the
//   same apply without it (schema_versions without the archive's columns: nothing is copied), fresh databases,
//   runs alternated; the ratio, the archive's bytes, and the restore of that DROP COLUMN;
// - DROP TABLE of such a table likewise (the archive moves the table; a line says why when it was not kept);
// - peak RSS of every call: the copies are made by the server, no row goes through the client.
// Prints medians and ratios measured in this run. Numbers only: no assertions on time.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { startPostgres, freshDatabase, psql } from '../test-support/postgres.mjs'

const ROWS = Number(process.env.BENCH_ARCHIVE_ROWS ?? 1_000_000)
const RUNS = Number(process.env.BENCH_ARCHIVE_RUNS ?? 3)

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const migration = (file) => readFileSync(path.join(root, 'packages/backend/database-schema/src/migrations', file), 'utf8')
const BOOKKEEPING = ['0000_schema_versions.sql', '0001_rollback_columns.sql', '0002_rollback_plan.sql'].map(migration)
const ARCHIVE_COLUMNS = migration('0004_archive.sql')
const step = path.join(root, 'bench', 'archive-step.mjs')
const reportRss = path.join(root, 'bench', 'report-rss.mjs')

/** Runs one archive step; resolves with its seconds, archive record and peak RSS (MB). */
function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', reportRss, step, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`archive step ${args[0]} exited with ${code}:\n${stderr.slice(-2000)}`))
      const rss = Number(/BENCH_MAX_RSS_KB=(\d+)/.exec(stderr)?.[1] ?? NaN) / 1024
      resolve({ ...JSON.parse(stdout.trim().split('\n').pop()), rss })
    })
  })
}

/** A fresh database with `ROWS` rows in `orders` (a key, an int and a 32-character note), with or without the archive's columns. */
async function database(url, withArchive) {
  for (const sql of BOOKKEEPING) await psql(url, sql)
  if (withArchive) await psql(url, ARCHIVE_COLUMNS)
  await psql(
    url,
    `CREATE TABLE orders (id bigint PRIMARY KEY, qty int NOT NULL, note text);
     INSERT INTO orders SELECT g, g % 100, md5(g::text) FROM generate_series(1, ${ROWS}) g;
     VACUUM ANALYZE orders;`,
  )
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1)
const thousands = (n) => n.toLocaleString('en-US')

/** `sql` applied with and without the archive, alternated; then the restore of the kept runs. */
async function measure(server, name, sql) {
  const WITH = 'with the archive'
  const WITHOUT = 'without the archive'
  const runs = { [WITH]: [], [WITHOUT]: [] }
  const restores = []
  for (let i = 0; i < RUNS; i++) {
    const order = i % 2 ? [WITH, WITHOUT] : [WITHOUT, WITH]
    for (const side of order) {
      const url = await freshDatabase(server.url, 'bench_archive')
      await database(url, side === WITH)
      const applied = await run(['apply', url, '1.0', sql])
      runs[side].push(applied)
      if (side === WITH && applied.archive?.objects?.length) restores.push(await run(['restore', url, '1.0']))
      // Large tables: each database goes as soon as it is measured (the disk is shared).
      if (!process.env.DATABASE_URL) await psql(server.url, `DROP DATABASE "${new URL(url).pathname.slice(1)}"`)
    }
  }
  const seconds = (side) => median(runs[side].map((r) => r.seconds))
  const rss = (xs) => median(xs.map((r) => r.rss)).toFixed(1)
  console.log(`\n${name} on a table of ${thousands(ROWS)} rows, ${RUNS} runs each, alternated, fresh databases:`)
  for (const side of [WITHOUT, WITH]) {
    const xs = runs[side]
    console.log(
      `  ${side.padEnd(20)} median ${seconds(side).toFixed(3)} s (runs: ${xs.map((r) => r.seconds.toFixed(3)).join(', ')}), peak RSS ${rss(xs)} MB`,
    )
  }
  const kept = runs[WITH].at(-1)?.archive
  if (kept?.objects?.length) {
    console.log(`  ratio with / without the archive: ${(seconds(WITH) / seconds(WITHOUT)).toFixed(2)}x`)
    console.log(`  archive: ${thousands(kept.rows)} rows, ${mb(kept.bytes)} MB (${kept.objects.map((o) => `${o.kind} ${o.source}`).join(', ')})`)
    console.log(
      `  restore (executeRollback with restoreData): median ${median(restores.map((r) => r.seconds)).toFixed(3)} s ` +
        `(runs: ${restores.map((r) => r.seconds.toFixed(3)).join(', ')}), peak RSS ${rss(restores)} MB`,
    )
  } else {
    const why = kept?.notArchived?.map((n) => n.reason).join('; ') || 'nothing was recorded'
    console.log(`  not archived, so both sides are the same work: ${why}`)
  }
}

const server = await startPostgres()
try {
  await measure(server, 'ALTER TABLE orders DROP COLUMN note', 'ALTER TABLE orders DROP COLUMN note;')
  await measure(server, 'DROP TABLE orders', 'DROP TABLE orders;')
} finally {
  await server.stop()
}
