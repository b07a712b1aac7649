// One timed addon call of bench/archive.mjs, in its own process (so its peak RSS is its own): `apply` a
// migration (the archive keeps what it destroys, or not), or `restore` a version. Prints seconds and the
// archive record as one JSON line; the process's peak RSS comes from bench/report-rss.mjs.
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'

const addon = createRequire(import.meta.url)('../index.js')
const [op, url, version, sql] = process.argv.slice(2)
const t0 = performance.now()
let archive = null
if (op === 'apply') {
  const result = await addon.applyMigration(url, { version, migrationFile: `${version}.sql`, sql })
  archive = result.rollback?.archive ?? null
} else if (op === 'restore') {
  await addon.executeRollback(url, version, { restoreData: true })
} else {
  throw new Error(`unknown step ${op}`)
}
process.stdout.write(JSON.stringify({ seconds: (performance.now() - t0) / 1000, archive }) + '\n')
