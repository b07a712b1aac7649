// Applying a ~200-migration Drizzle folder: drizzle-orm's own migrate() against pg-rollback's apply path
// (applyMigration per migration, capturing the state for each rollback, as `pnpm db:migrate:apply` does),
// on fresh databases of one throwaway PostgreSQL 15, runs alternated. Prints medians and the ratio (issue
// target: at most 1.5x). Numbers only: no assertions on time.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'
import { startPostgres, freshDatabase } from '../test-support/postgres.mjs'
import { writeDrizzleFolder } from './drizzle-folder.mjs'

const RUNS = Number(process.env.BENCH_APPLY_RUNS ?? 3)
const COUNT = Number(process.env.BENCH_APPLY_MIGRATIONS ?? 200)
const TARGET_RATIO = 1.5

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const pkg = path.join(root, 'packages/backend/database-schema')
const requirePkg = createRequire(path.join(pkg, 'package.json'))
const pg = requirePkg('pg')
const { drizzle } = requirePkg('drizzle-orm/node-postgres')
const { migrate } = requirePkg('drizzle-orm/node-postgres/migrator')
const { readMigrationFiles } = requirePkg('drizzle-orm/migrator')

const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-rollback-bench-'))
const total = writeDrizzleFolder(dir, { count: COUNT, packageMigrations: path.join(pkg, 'src/migrations') })
const files = readMigrationFiles({ migrationsFolder: dir })
const journal = requirePkg(path.join(dir, 'meta/_journal.json')).entries

async function drizzleMigrate(url) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await migrate(drizzle(client), { migrationsFolder: dir })
  } finally {
    await client.end()
  }
}

// What db:migrate:apply does (minus printing): one connection, each migration in its own transaction, the
// file with a ';' before each breakpoint, Drizzle's hash and created_at, the rollback stored in schema_versions
// with the captured state.
async function pgRollbackApply(url) {
  const { applyMigrations } = createRequire(import.meta.url)('../index.js')
  const batch = await applyMigrations(
    url,
    journal.map((entry, i) => ({
      version: entry.tag,
      migrationFile: `${entry.tag}.sql`,
      sql: readText(entry.tag).split('--> statement-breakpoint').join(';--> statement-breakpoint'),
      drizzleHash: files[i].hash,
      drizzleCreatedAt: entry.when,
    })),
  )
  if (batch.failure) throw new Error(batch.failure.message)
  return batch.results.filter((r) => r.rollback?.rollbackSafe).length
}

const texts = new Map()
function readText(tag) {
  if (!texts.has(tag)) texts.set(tag, requirePkg('fs').readFileSync(path.join(dir, `${tag}.sql`)).toString())
  return texts.get(tag)
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]

const server = await startPostgres()
try {
  const times = { 'drizzle-orm migrate()': [], 'pg-rollback apply (capture)': [] }
  let safe = 0
  for (let run = 0; run < RUNS; run++) {
    for (const [name, fn] of Object.entries({ 'drizzle-orm migrate()': drizzleMigrate, 'pg-rollback apply (capture)': pgRollbackApply })) {
      const url = await freshDatabase(server.url, 'bench_apply')
      const t0 = performance.now()
      const result = await fn(url)
      times[name].push((performance.now() - t0) / 1000)
      if (typeof result === 'number') safe = result
    }
  }
  const base = median(times['drizzle-orm migrate()'])
  const ours = median(times['pg-rollback apply (capture)'])
  console.log(`\nApplying a Drizzle folder of ${total} migrations (${COUNT} generated + pg-rollback's own), ${RUNS} runs each, alternated, fresh databases:`)
  for (const [name, xs] of Object.entries(times)) {
    console.log(`  ${name.padEnd(30)} median ${median(xs).toFixed(2)} s  (runs: ${xs.map((x) => x.toFixed(2)).join(', ')})`)
  }
  console.log(`  ratio pg-rollback / drizzle-orm: ${(ours / base).toFixed(2)}x (target: at most ${TARGET_RATIO}x)`)
  console.log(`  rollbacks stored as SAFE: ${safe} of ${total}`)
} finally {
  await server.stop()
  rmSync(dir, { recursive: true, force: true })
}
