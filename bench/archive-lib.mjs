// Shared by bench/archive.mjs (destructive DDL, issue 18) and bench/archive-data.mjs (data migrations, issue 19):
// one timed addon call per child process (bench/archive-step.mjs, so each peak RSS is its own), and a migration
// applied with and without the archive on fresh databases, runs alternated, then the restores of the kept runs.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { freshDatabase, psql } from '../test-support/postgres.mjs'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const migration = (file) => readFileSync(path.join(root, 'packages/backend/database-schema/src/migrations', file), 'utf8')
const BOOKKEEPING = ['0000_schema_versions.sql', '0001_rollback_columns.sql', '0002_rollback_plan.sql'].map(migration)
const ARCHIVE_COLUMNS = migration('0004_archive.sql')
const step = path.join(root, 'bench', 'archive-step.mjs')
const reportRss = path.join(root, 'bench', 'report-rss.mjs')

/** Runs one archive step; resolves with its seconds, archive record and peak RSS (MB). */
export function runStep(args) {
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

/**
 * The bookkeeping, with the archive's columns or without them (then nothing is copied: the baseline), and the
 * benchmark's table made by `tableSql`.
 */
export async function prepareDatabase(url, withArchive, tableSql) {
  for (const sql of BOOKKEEPING) await psql(url, sql)
  if (withArchive) await psql(url, ARCHIVE_COLUMNS)
  await psql(url, tableSql)
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
export const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1)
export const thousands = (n) => n.toLocaleString('en-US')

/**
 * `sql` applied with and without the archive on fresh databases made by `tableSql`, `runs` times each, alternated;
 * then the restore of each kept run. Prints medians, the ratio, the archive's rows and bytes, and peak RSS.
 */
export async function measure(server, { name, tableSql, sql, runs, what }) {
  const WITH = 'with the archive'
  const WITHOUT = 'without the archive'
  const results = { [WITH]: [], [WITHOUT]: [] }
  const restores = []
  for (let i = 0; i < runs; i++) {
    const order = i % 2 ? [WITH, WITHOUT] : [WITHOUT, WITH]
    for (const side of order) {
      const url = await freshDatabase(server.url, 'bench_archive')
      await prepareDatabase(url, side === WITH, tableSql)
      const applied = await runStep(['apply', url, '1.0', sql])
      results[side].push(applied)
      if (side === WITH && applied.archive?.objects?.length) restores.push(await runStep(['restore', url, '1.0']))
      // Large tables: each database goes as soon as it is measured (the disk is shared).
      if (!process.env.DATABASE_URL) await psql(server.url, `DROP DATABASE "${new URL(url).pathname.slice(1)}"`)
    }
  }
  const seconds = (side) => median(results[side].map((r) => r.seconds))
  const rss = (xs) => median(xs.map((r) => r.rss)).toFixed(1)
  console.log(`\n${name} ${what}, ${runs} run${runs === 1 ? '' : 's'} each, alternated, fresh databases:`)
  for (const side of [WITHOUT, WITH]) {
    const xs = results[side]
    console.log(
      `  ${side.padEnd(20)} median ${seconds(side).toFixed(3)} s (runs: ${xs.map((r) => r.seconds.toFixed(3)).join(', ')}), peak RSS ${rss(xs)} MB`,
    )
  }
  const kept = results[WITH].at(-1)?.archive
  if (kept?.objects?.length) {
    console.log(`  ratio with / without the archive: ${(seconds(WITH) / seconds(WITHOUT)).toFixed(2)}x`)
    console.log(`  archive: ${thousands(kept.rows)} rows, ${mb(kept.bytes)} MB (${kept.objects.map((o) => `${o.kind} ${o.source}`).join(', ')})`)
    console.log(
      `  restore (executeRollback with restoreData): median ${median(restores.map((r) => r.seconds)).toFixed(3)} s ` +
        `(runs: ${restores.map((r) => r.seconds.toFixed(3)).join(', ')}), peak RSS ${rss(restores)} MB`,
    )
  } else {
    const why = kept?.notArchived?.map((n) => n.reason).join('; ') || kept?.restoreUnavailable || 'nothing was recorded'
    console.log(`  not archived, so both sides are the same work: ${why}`)
  }
}
