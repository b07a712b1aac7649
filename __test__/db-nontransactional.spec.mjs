// Migrations with statements that cannot run in a transaction (CONCURRENTLY, VACUUM, ...) through the addon, on
// real PostgreSQL and on the embedded one; and no role or setting leaking from one migration to the next.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startPostgres, freshDatabase } from '../test-support/postgres.mjs'
import { addon, prepare, psql, ROLLBACK_COLUMNS_SQL, ROLLBACK_PLAN_SQL, SCHEMA_VERSIONS_SQL, schemaDump } from './db-support.mjs'

const require = createRequire(import.meta.url)
const { startEmbeddedPostgres } = require('../embedded.js')

let server
before(async () => {
  server = await startPostgres()
})
after(async () => {
  await server?.stop()
})

const migration = (version, sql) => ({ version, migrationFile: `${version}.sql`, sql })

test('a failure midway of a concurrent migration: what ran, what failed, the INVALID index, as fields', async () => {
  const url = await freshDatabase(server.url, 'nt_js_fail')
  await prepare(url)
  await psql(url, "CREATE TABLE people (id int, email text); INSERT INTO people VALUES (1, 'a'), (2, 'a');")
  const sql = 'ALTER TABLE people ADD COLUMN IF NOT EXISTS note text;\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS people_email ON people (email);\nALTER TABLE people ADD COLUMN verified boolean;'
  const batch = await addon.applyMigrations(url, [migration('1.0.0', 'CREATE TABLE other (id int);'), migration('2.0.0', sql)])
  assert.equal(batch.results.length, 1)
  const f = batch.failure
  assert.equal(f.code, 'MIGRATION_FAILED')
  assert.equal(f.recorded, false)
  assert.equal(f.outsideTransaction, true)
  assert.equal(f.sqlstate, '23505')
  assert.deepEqual(f.failedStatement, { index: 1, line: 2, column: 1, sql: 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS people_email ON people (email)' })
  assert.deepEqual(f.appliedStatements.map((s) => s.index), [0])
  assert.deepEqual(f.rolledBackStatements, [])
  assert.deepEqual(f.invalidIndexes, [{ name: 'public.people_email', dropStatement: 'DROP INDEX CONCURRENTLY IF EXISTS public.people_email;' }])
  assert.match(f.message, /NOT recorded/)
  assert.equal(await psql(url, "SELECT count(*) FROM schema_versions WHERE version = '2.0.0'"), '0')

  // Fixed and applied again; its rollback gives the schema back.
  await psql(url, f.invalidIndexes[0].dropStatement)
  await psql(url, 'DELETE FROM people WHERE id = 2')
  const dump = await schemaDump(url)
  const applied = await addon.applyMigration(url, migration('2.0.0', sql))
  assert.equal(applied.rollback.rollbackScript, 'ALTER TABLE people DROP COLUMN verified;\nDROP INDEX CONCURRENTLY people_email;\n')
  await addon.executeRollback(url, '2.0.0')
  assert.equal(await schemaDump(url), dump)
})

test('the dry run lists the statements that run outside a transaction; verifyRollback proves them', async () => {
  const url = await freshDatabase(server.url, 'nt_js_dry')
  await prepare(url)
  const sql = 'CREATE INDEX CONCURRENTLY items_user ON wishlist_items (user_id);\nVACUUM wishlist_items;\nALTER TABLE wishlist_items ADD COLUMN n int;'
  const [planned] = await addon.planMigrations(url, [{ version: '1', sql }])
  assert.deepEqual(planned.outsideTransaction, [0, 1])
  assert.equal(planned.plan.rollbackScript, 'ALTER TABLE wishlist_items DROP COLUMN n;\nDROP INDEX CONCURRENTLY items_user;\n')
  assert.equal(planned.plan.statements[0].sql, 'CREATE INDEX CONCURRENTLY items_user ON wishlist_items (user_id)')
  const verified = await addon.verifyRollback(url, { sql })
  assert.equal(verified.restored, true)
  assert.equal(verified.transactionalForms.length, 3)
  assert.equal(await psql(url, "SELECT count(*) FROM pg_indexes WHERE indexname = 'items_user'"), '0')
})

// The observed session after each migration: who, search_path, statement_timeout, TimeZone.
const observe = (table) =>
  `CREATE TABLE ${table} AS SELECT current_user::text AS u, current_setting('search_path') AS p, current_setting('statement_timeout') AS t, current_setting('TimeZone') AS z;`

async function leakingBatch(url, role) {
  return addon.applyMigrations(url, [
    migration('1', SCHEMA_VERSIONS_SQL),
    migration('2', ROLLBACK_COLUMNS_SQL),
    migration('3', ROLLBACK_PLAN_SQL),
    migration('4', `CREATE ROLE ${role} NOLOGIN;\nCREATE SCHEMA elsewhere;\nGRANT ALL ON SCHEMA public, elsewhere TO ${role};`),
    migration('5', `SET ROLE ${role};\nSET search_path = elsewhere;\nCREATE TABLE public.owned (id int);\nSET statement_timeout = '5s';\nSET TIME ZONE 'Asia/Tokyo';`),
    migration('6', observe('after_set')),
    migration('7', `SET search_path = elsewhere;\nSET ROLE ${role};\nCREATE INDEX CONCURRENTLY owned_id ON public.owned (id);\nSET statement_timeout = '7s';`),
    migration('8', observe('after_concurrent')),
  ])
}

async function assertNothingLeaked(url, query, connecting, searchPath) {
  // Migration 1 creates schema_versions without its rollback columns: it is not recorded.
  assert.equal(await query('SELECT count(*)::text AS n FROM public.schema_versions'), '7')
  assert.equal(await query("SELECT tableowner AS n FROM pg_tables WHERE tablename = 'owned'"), 'nt_js_role')
  for (const table of ['after_set', 'after_concurrent']) {
    assert.equal(await query(`SELECT u || '|' || p || '|' || t || '|' || z AS n FROM public.${table}`), `${connecting}|${searchPath}|0|UTC`, table)
  }
}

test('no role or setting leaks into the next migration or the bookkeeping (real PostgreSQL)', async () => {
  const url = await freshDatabase(server.url, 'nt_js_session')
  await psql(url, 'DROP ROLE IF EXISTS nt_js_role')
  const batch = await leakingBatch(url, 'nt_js_role')
  assert.equal(batch.failure, null, batch.failure?.message)
  await assertNothingLeaked(url, (sql) => psql(url, sql), await psql(url, 'SELECT current_user'), '"$user", public')
  await psql(url, 'DROP OWNED BY nt_js_role; DROP ROLE nt_js_role')
})

test('no role or setting leaks, and CONCURRENTLY applies, on the embedded server', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pg-rollback-nt-'))
  try {
    const pg = await startEmbeddedPostgres(dir)
    const plain = pg.url.replace(/[?&]pg_rollback_embedded=true/, '')
    try {
      // What a session starts with there (the embedded server's own default).
      const searchPath = await psql(plain, "SELECT current_setting('search_path')")
      const batch = await leakingBatch(pg.url, 'nt_js_role')
      assert.equal(batch.failure, null, batch.failure?.message)
      // psql, between the addon's calls (the embedded server takes one connection at a time).
      await assertNothingLeaked(pg.url, (sql) => psql(plain, sql), 'postgres', searchPath)
      const stored = await addon.getRollback(pg.url, '7')
      assert.match(stored.rollbackScript, /^DROP INDEX CONCURRENTLY public\.owned_id;$/m)
      assert.equal(await psql(plain, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.owned_id'::regclass"), 't')
    } finally {
      await pg.stop()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
