// The DB functions through the built addon against a throwaway PostgreSQL 15
// (run `pnpm build:debug` first). TLS is in db-tls.spec.mjs, the embedded server in db-embedded.spec.mjs.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { spawn } from 'node:child_process'
import { startPostgres, freshDatabase } from '../test-support/postgres.mjs'
import {
  addon,
  psql,
  schemaDump,
  prepare,
  insertRow,
  metadata,
  columnExists,
  rejectsWith,
  lit,
  clientBin,
  SCHEMA_VERSIONS_SQL,
  ROLLBACK_COLUMNS_SQL,
} from './db-support.mjs'

const { storeRollback, getRollback, executeRollback, listRollbacks, applyMigration, planMigration, planMigrations, laterVersions } =
  addon

let server
before(async () => {
  server = await startPostgres()
})
after(async () => {
  await server?.stop()
})

async function fresh(prefix, { schema = true } = {}) {
  const url = await freshDatabase(server.url, prefix)
  if (schema) await prepare(url)
  return url
}

const migration = (version, sql) => ({ version, migrationFile: `${version}.sql`, sql, description: `m ${version}` })

test('store, preview and execute an ADD COLUMN rollback', async () => {
  const url = await fresh('node_happy')
  const sql = 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT;'
  await psql(url, sql)
  const stored = await storeRollback(url, { ...migration('1.2.0', sql), appliedBy: 'node' })
  assert.equal(stored.version, '1.2.0')
  assert.equal(stored.migrationFile, '1.2.0.sql')
  assert.equal(stored.description, 'm 1.2.0')
  assert.equal(stored.rollbackScript, 'ALTER TABLE wishlist_items DROP COLUMN notes;\n')
  assert.equal(stored.rollbackSafe, true)
  assert.deepEqual(stored.warnings, [])
  assert.equal(stored.rollbackAppliedAt, null)
  assert.ok(!Number.isNaN(Date.parse(stored.appliedAt)), stored.appliedAt)
  assert.equal(await psql(url, 'SELECT applied_by FROM schema_versions;'), 'node')

  const dump = await schemaDump(url)
  const meta = await metadata(url)
  const preview = await getRollback(url, '1.2.0')
  assert.deepEqual(preview, stored)
  assert.equal(await schemaDump(url), dump)
  assert.equal(await metadata(url), meta)

  const done = await executeRollback(url, '1.2.0')
  assert.ok(!Number.isNaN(Date.parse(done.rollbackAppliedAt)), done.rollbackAppliedAt)
  assert.equal(done.drizzleRowDeleted, false)
  assert.equal(await columnExists(url, 'wishlist_items', 'notes'), false)
  assert.equal(await psql(url, 'SELECT rollback_applied_at IS NOT NULL FROM schema_versions;'), 't')
  assert.deepEqual(
    (await listRollbacks(url)).map((r) => [r.version, r.rollbackAppliedAt]),
    [['1.2.0', done.rollbackAppliedAt]],
  )
})

test('spec Test 4: DROP COLUMN stores no script, warns, and execution is refused even with force', async () => {
  const url = await fresh('node_test4')
  const sql = 'ALTER TABLE wishlist_items DROP COLUMN legacy_field;'
  await psql(url, sql)
  const stored = await storeRollback(url, migration('2.0.0', sql))
  assert.equal(stored.rollbackScript, null)
  assert.equal(stored.rollbackSafe, false)
  assert.deepEqual(
    stored.warnings.map((w) => [w.code, w.message]),
    [['DROP_COLUMN', 'Cannot auto-generate rollback for DROP COLUMN (data loss)']],
  )
  assert.equal(await psql(url, 'SELECT rollback_script IS NULL AND rollback_safe = false FROM schema_versions;'), 't')
  const dump = await schemaDump(url)
  const meta = await metadata(url)
  for (const options of [undefined, { force: true }]) {
    await rejectsWith(executeRollback(url, '2.0.0', options), 'ROLLBACK_SCRIPT_NOT_FOUND')
  }
  assert.equal(await schemaDump(url), dump)
  assert.equal(await metadata(url), meta)
})

test('a partial rollback is ROLLBACK_UNSAFE unless forced', async () => {
  const url = await fresh('node_unsafe')
  const sql = 'ALTER TABLE wishlist_items ADD COLUMN field1 TEXT;\nALTER TABLE wishlist_items DROP COLUMN legacy_field;'
  await psql(url, sql)
  const stored = await storeRollback(url, migration('2.1.0', sql))
  assert.equal(stored.rollbackSafe, false)
  const dump = await schemaDump(url)
  await rejectsWith(executeRollback(url, '2.1.0'), 'ROLLBACK_UNSAFE')
  await rejectsWith(executeRollback(url, '2.1.0', { force: false }), 'ROLLBACK_UNSAFE')
  assert.equal(await schemaDump(url), dump)
  await executeRollback(url, '2.1.0', { force: true })
  assert.equal(await columnExists(url, 'wishlist_items', 'field1'), false)
})

test('spec Test 6: a version without a rollback script', async () => {
  const url = await fresh('node_test6')
  await insertRow(url, '1.0.0', null, false)
  const dump = await schemaDump(url)
  const meta = await metadata(url)
  const err = await rejectsWith(executeRollback(url, '1.0.0', { force: true }), 'ROLLBACK_SCRIPT_NOT_FOUND')
  assert.equal(err.message, 'No rollback script found for version 1.0.0')
  assert.equal(await schemaDump(url), dump)
  assert.equal(await metadata(url), meta)
  await rejectsWith(getRollback(url, '1.0.1'), 'VERSION_NOT_FOUND')
})

test('spec Edge 2: a second execution is ALREADY_ROLLED_BACK', async () => {
  const url = await fresh('node_edge2')
  await psql(url, 'ALTER TABLE wishlist_items ADD COLUMN c int;')
  await insertRow(url, '3.0.0', 'ALTER TABLE wishlist_items DROP COLUMN c;\n', true)
  const first = await executeRollback(url, '3.0.0')
  assert.notEqual(first.rollbackAppliedAt, null)
  const meta = await metadata(url)
  const err = await rejectsWith(executeRollback(url, '3.0.0', { force: true }), 'ALREADY_ROLLED_BACK')
  assert.equal(err.message, 'Migration 3.0.0 has already been rolled back')
  assert.equal(await metadata(url), meta)
})

test('a statement failing mid-script leaves schema and metadata unchanged', async () => {
  const url = await fresh('node_fault')
  await psql(url, 'ALTER TABLE wishlist_items ADD COLUMN a int, ADD COLUMN b int;')
  await insertRow(url, '4.0.0', 'ALTER TABLE wishlist_items DROP COLUMN b;\nALTER TABLE wishlist_items DROP COLUMN missing;\n', true)
  const dump = await schemaDump(url)
  const meta = await metadata(url)
  const err = await rejectsWith(executeRollback(url, '4.0.0'), 'ROLLBACK_FAILED')
  for (const part of ['statement 2 of 2', 'DROP COLUMN missing', 'SQLSTATE 42703', 'unchanged']) {
    assert.ok(err.message.includes(part), `${part} not in: ${err.message}`)
  }
  assert.equal(await schemaDump(url), dump)
  assert.equal(await metadata(url), meta)
  assert.equal(await columnExists(url, 'wishlist_items', 'b'), true)
})

test('8 concurrent executions of one version: exactly one succeeds', async () => {
  const url = await fresh('node_race')
  await psql(url, 'ALTER TABLE wishlist_items ADD COLUMN raced int; CREATE TABLE runs (n int);')
  await insertRow(url, '5.0.0', 'INSERT INTO runs VALUES (1);\nALTER TABLE wishlist_items DROP COLUMN raced;\n', true)
  const results = await Promise.allSettled(Array.from({ length: 8 }, () => executeRollback(url, '5.0.0')))
  const ok = results.filter((r) => r.status === 'fulfilled')
  const codes = results.filter((r) => r.status === 'rejected').map((r) => r.reason.code)
  assert.equal(ok.length, 1, JSON.stringify(results.map((r) => r.reason?.message)))
  assert.deepEqual(codes, Array(7).fill('ALREADY_ROLLED_BACK'))
  assert.equal(await psql(url, 'SELECT count(*) FROM runs;'), '1')
})

test('hostile identifiers and a version with quotes round-trip', async () => {
  const url = await fresh('node_hostile')
  const tableName = 'we"ird; DROP TABLE wishlist_items; --'
  const table = `"${tableName.replaceAll('"', '""')}"`
  await psql(url, `CREATE TABLE ${table} (id int);`)
  const sql = `ALTER TABLE ${table} ADD COLUMN "a b""c" TEXT;`
  await psql(url, sql)
  const version = `1.0.0'; DROP TABLE schema_versions; --"`
  const stored = await storeRollback(url, migration(version, sql))
  assert.equal(stored.version, version)
  assert.equal((await getRollback(url, version)).rollbackScript, stored.rollbackScript)
  await executeRollback(url, version)
  assert.equal(await columnExists(url, tableName, 'a b"c'), false)
  assert.equal(await columnExists(url, tableName, 'id'), true)
  assert.equal(await psql(url, `SELECT count(*) FROM schema_versions WHERE version = ${lit(version)} AND rollback_applied_at IS NOT NULL;`), '1')
  assert.equal(await psql(url, "SELECT to_regclass('wishlist_items') IS NOT NULL;"), 't')
})

test('options are applied: lock timeout while another operation holds the lock', async () => {
  const url = await fresh('node_lock')
  await psql(url, 'ALTER TABLE wishlist_items ADD COLUMN l int;')
  await insertRow(url, '6.0.0', 'ALTER TABLE wishlist_items DROP COLUMN l;\n', true)
  // Hold the advisory lock from a second session for as long as psql runs (until its input ends).
  const holder = spawn(clientBin('psql'), ['-X', '-q', '-d', url], { stdio: ['pipe', 'pipe', 'inherit'] })
  // The key is the bytes "pgrollbk" read as a big-endian int8 (pg_rollback_db::ADVISORY_LOCK_KEY).
  holder.stdin.write("SELECT pg_advisory_lock(('x' || encode('pgrollbk', 'hex'))::bit(64)::bigint);\n\\echo locked\n")
  await new Promise((resolve) => holder.stdout.on('data', (d) => String(d).includes('locked') && resolve()))
  try {
    await rejectsWith(executeRollback(url, '6.0.0', { lockTimeoutMs: 100 }), 'LOCK_TIMEOUT')
    assert.equal(await columnExists(url, 'wishlist_items', 'l'), true)
  } finally {
    holder.stdin.end()
    await new Promise((resolve) => holder.on('close', resolve))
  }
  await executeRollback(url, '6.0.0', { lockTimeoutMs: 100 })
  assert.equal(await columnExists(url, 'wishlist_items', 'l'), false)
})

test('applyMigration bootstraps schema_versions, applies, skips and re-applies after a rollback', async () => {
  const url = await fresh('node_apply', { schema: false })
  const r0 = await applyMigration(url, { ...migration('0.0.0', SCHEMA_VERSIONS_SQL), drizzleHash: 'h0', drizzleCreatedAt: 1 })
  assert.deepEqual(r0, { applied: true, rollback: null })
  const r1 = await applyMigration(url, { ...migration('0.0.1', ROLLBACK_COLUMNS_SQL), drizzleHash: 'h1', drizzleCreatedAt: 2 })
  assert.equal(r1.applied, true)
  assert.equal(r1.rollback.version, '0.0.1')

  const m = { ...migration('1.0.0', 'CREATE TABLE gifts (id int);'), drizzleHash: 'h2', drizzleCreatedAt: 3 }
  const r2 = await applyMigration(url, m)
  assert.equal(r2.rollback.rollbackScript, 'DROP TABLE gifts;\n')
  assert.deepEqual(await applyMigration(url, m), { applied: false, rollback: null })
  assert.equal(await psql(url, 'SELECT string_agg(hash, \',\' ORDER BY id) FROM drizzle.__drizzle_migrations;'), 'h0,h1,h2')

  assert.equal((await executeRollback(url, '1.0.0', { drizzleHash: 'h2' })).drizzleRowDeleted, true)
  assert.equal(await psql(url, "SELECT to_regclass('gifts') IS NULL;"), 't')
  assert.equal(await psql(url, 'SELECT string_agg(hash, \',\' ORDER BY id) FROM drizzle.__drizzle_migrations;'), 'h0,h1')
  assert.equal((await applyMigration(url, m)).applied, true)
  assert.equal(await psql(url, "SELECT to_regclass('gifts') IS NOT NULL;"), 't')

  const dump = await schemaDump(url)
  const bad = { ...migration('1.1.0', 'CREATE TABLE t1 (id int);\nALTER TABLE nope ADD COLUMN x int;'), drizzleHash: 'h3', drizzleCreatedAt: 4 }
  const err = await rejectsWith(applyMigration(url, bad), 'MIGRATION_FAILED')
  for (const part of ['statement 2 of 2', 'nope', 'SQLSTATE 42P01', 'nothing was applied']) {
    assert.ok(err.message.includes(part), `${part} not in: ${err.message}`)
  }
  assert.equal(await schemaDump(url), dump)
})

test('expectedScript: a script replaced after it was shown is not run (ROLLBACK_SCRIPT_CHANGED)', async () => {
  const url = await fresh('node_expected')
  await psql(url, 'ALTER TABLE wishlist_items ADD COLUMN shown int, ADD COLUMN other int;')
  const shown = 'ALTER TABLE wishlist_items DROP COLUMN shown;\n'
  await insertRow(url, '6.1.0', shown, true)
  // A store or backfill replaces the script between the preview and the execution.
  await psql(url, `UPDATE schema_versions SET rollback_script = ${lit('ALTER TABLE wishlist_items DROP COLUMN other;\n')};`)
  const dump = await schemaDump(url)
  const meta = await metadata(url)
  const err = await rejectsWith(executeRollback(url, '6.1.0', { expectedScript: shown }), 'ROLLBACK_SCRIPT_CHANGED')
  assert.match(err.message, /6\.1\.0/)
  assert.equal(await schemaDump(url), dump)
  assert.equal(await metadata(url), meta)
  const done = await executeRollback(url, '6.1.0', { expectedScript: 'ALTER TABLE wishlist_items DROP COLUMN other;\n', drizzleHash: 'none' })
  assert.equal(done.drizzleRowDeleted, false, 'there is no drizzle table')
  assert.equal(await columnExists(url, 'wishlist_items', 'other'), false)
  assert.equal(await columnExists(url, 'wishlist_items', 'shown'), true)
})

test('SCHEMA_VERSIONS_MISSING names the migration to apply', async () => {
  const url = await fresh('node_noschema', { schema: false })
  let err = await rejectsWith(getRollback(url, '1.0.0'), 'SCHEMA_VERSIONS_MISSING')
  assert.match(err.message, /packages\/backend\/database-schema\/src\/migrations\/0000_schema_versions\.sql/)
  await psql(url, SCHEMA_VERSIONS_SQL)
  const calls = [
    () => getRollback(url, '1.0.0'),
    () => executeRollback(url, '1.0.0'),
    () => listRollbacks(url),
    () => storeRollback(url, migration('1.0.0', 'SELECT 1;')),
  ]
  for (const call of calls) {
    err = await rejectsWith(call(), 'SCHEMA_VERSIONS_MISSING')
    assert.match(err.message, /0001_rollback_columns\.sql/)
    assert.match(err.message, /rollback_script, rollback_applied_at/)
  }
})

test('bad arguments reject with INVALID_ARGUMENT', async () => {
  const url = 'postgres://u:pw@127.0.0.1:1/db'
  const cases = [
    () => getRollback(42, '1'),
    () => getRollback('mysql://localhost/db', '1'),
    () => getRollback(url, ''),
    () => getRollback(url, undefined),
    () => getRollback(url, 'a\0b'),
    () => storeRollback(url, null),
    () => storeRollback(url, { version: '1', sql: 'SELECT 1' }),
    () => storeRollback(url, { version: '1', migrationFile: 'f', sql: 5 }),
    () => executeRollback(url, '1', 'force'),
    () => executeRollback(url, '1', { force: 'yes' }),
    () => executeRollback(url, '1', { lockTimeoutMs: -1 }),
    () => executeRollback(url, '1', { statementTimeoutMs: 1.5 }),
    () => executeRollback(url, '1', { drizzleHash: '' }),
    () => executeRollback(url, '1', { expectedScript: 5 }),
    () => applyMigration(url, { version: '1', migrationFile: 'f', sql: 'SELECT 1', drizzleHash: 'h' }),
    () => applyMigration(url, { version: '1', migrationFile: 'f', sql: 'SELECT 1', drizzleHash: 'h', drizzleCreatedAt: NaN }),
    () => listRollbacks(),
  ]
  for (const call of cases) {
    const p = call()
    assert.ok(p instanceof Promise, `${call} must return a Promise, not throw`)
    await rejectsWith(p, 'INVALID_ARGUMENT')
  }
})

test('CONNECTION_FAILED names host and port, never the password', async () => {
  const port = await new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port
      s.close(() => resolve(p))
    })
  })
  const err = await rejectsWith(getRollback(`postgres://me:hunter2-secret@127.0.0.1:${port}/db`, '1'), 'CONNECTION_FAILED')
  assert.ok(err.message.includes(`127.0.0.1:${port}`), err.message)
  assert.ok(!err.message.includes('hunter2-secret'), err.message)
})

test('a server that accepts and closes at once: CONNECTION_FAILED without retrying', async () => {
  let accepted = 0
  const listener = net.createServer((socket) => {
    accepted++
    socket.destroy()
  })
  await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve))
  try {
    const { port } = listener.address()
    await rejectsWith(getRollback(`postgres://me@127.0.0.1:${port}/db`, '1'), 'CONNECTION_FAILED')
    assert.equal(accepted, 1, 'connection attempts')
  } finally {
    await new Promise((resolve) => listener.close(resolve))
  }
})

test('applyMigration without Drizzle bookkeeping captures the state the migration overwrites', async () => {
  const url = await fresh('node_capture')
  await psql(url, "ALTER TABLE wishlist_items ALTER COLUMN user_id SET DEFAULT 'anon'; CREATE INDEX items_user ON wishlist_items (user_id);")
  const dump = await schemaDump(url)
  const sql = "ALTER TABLE wishlist_items ALTER COLUMN user_id SET DEFAULT 'guest';\nDROP INDEX items_user;"
  const result = await applyMigration(url, migration('3.0.0', sql))
  assert.equal(result.applied, true)
  assert.equal(result.rollback.stateCaptured, true)
  assert.equal(result.rollback.rollbackSafe, true)
  assert.equal(
    result.rollback.rollbackScript,
    'CREATE INDEX items_user ON public.wishlist_items USING btree (user_id);\n' +
      "ALTER TABLE wishlist_items ALTER COLUMN user_id SET DEFAULT 'anon'::text;\n",
  )
  assert.equal(await psql(url, 'SELECT to_regnamespace(\'drizzle\') IS NULL;'), 't', 'no Drizzle bookkeeping')
  // Stored with the plan: read back, it still says it was captured (and has no warnings).
  const read = await getRollback(url, '3.0.0')
  assert.equal(read.stateCaptured, true)
  assert.deepEqual(read.warnings, [])
  await executeRollback(url, '3.0.0')
  assert.equal(await schemaDump(url), dump)
})

test('applyMigration stores the warnings with the plan; getRollback returns them', async () => {
  const url = await fresh('node_capture_warnings')
  const result = await applyMigration(url, migration('3.1.0', 'ALTER TABLE wishlist_items DROP COLUMN legacy_field;'))
  assert.deepEqual(result.rollback.warnings.map((w) => w.code), ['DROP_COLUMN'])
  assert.equal(result.rollback.rollbackScript, null)
  const read = await getRollback(url, '3.1.0')
  assert.deepEqual(read.warnings, result.rollback.warnings)
})

test('planMigration returns the plan applyMigration would store, and changes nothing', async () => {
  const url = await fresh('node_plan')
  await psql(url, "CREATE INDEX items_user ON wishlist_items (user_id); COMMENT ON TABLE wishlist_items IS 'old';")
  const dump = await schemaDump(url)
  const meta = await metadata(url)
  const sql = "COMMENT ON TABLE wishlist_items IS 'new';\nDROP INDEX items_user;\nCREATE TABLE extra (id int);"
  const plan = await planMigration(url, sql)
  assert.equal(plan.stateCaptured, true)
  assert.equal(plan.rollbackSafe, true)
  assert.equal(
    plan.rollbackScript,
    'DROP TABLE extra;\nCREATE INDEX items_user ON public.wishlist_items USING btree (user_id);\n' +
      "COMMENT ON TABLE wishlist_items IS 'old';\n",
  )
  assert.equal(await schemaDump(url), dump)
  assert.equal(await metadata(url), meta)
  const stored = await applyMigration(url, migration('4.0.0', sql))
  assert.equal(stored.rollback.rollbackScript, plan.rollbackScript)
  assert.deepEqual(stored.rollback.warnings, plan.warnings)
})

test('planMigrations sees each migration after the ones before it, skips what Drizzle recorded, and rolls back', async () => {
  const url = await fresh('node_plans')
  await psql(url, "CREATE SCHEMA drizzle; CREATE TABLE drizzle.__drizzle_migrations (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint); INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('h', 10);")
  const dump = await schemaDump(url)
  const planned = await planMigrations(url, [
    { version: 'a', sql: 'CREATE TABLE applied_already (id int);', drizzleCreatedAt: 10 },
    { version: 'b', sql: "CREATE TABLE t (id int DEFAULT 1);", drizzleCreatedAt: 20 },
    { version: 'c', sql: 'ALTER TABLE t ALTER COLUMN id SET DEFAULT 2;', drizzleCreatedAt: 30 },
  ])
  assert.deepEqual(planned.map((p) => [p.version, p.pending]), [['a', false], ['b', true], ['c', true]])
  assert.equal(planned[0].plan, null)
  assert.equal(planned[2].plan.rollbackScript, 'ALTER TABLE t ALTER COLUMN id SET DEFAULT 1;\n')
  assert.equal(await schemaDump(url), dump)
})

test('planMigration: a failing migration rejects with MIGRATION_FAILED naming the statement; a lock timeout is honoured', async () => {
  const url = await fresh('node_plan_fail')
  const err = await rejectsWith(planMigration(url, 'CREATE TABLE ok (id int);\nALTER TABLE missing ADD COLUMN c int;'), 'MIGRATION_FAILED')
  assert.match(err.message, /statement 2 of 2 \(line 2, column 1\)/)
  assert.match(err.message, /missing/)
  assert.equal(await psql(url, "SELECT to_regclass('ok') IS NULL;"), 't')
  const holder = spawn(clientBin('psql'), ['-X', '-q', '-d', url], { stdio: ['pipe', 'ignore', 'ignore'] })
  holder.stdin.write('BEGIN; LOCK TABLE wishlist_items IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(5);\n')
  try {
    await new Promise((resolve) => setTimeout(resolve, 500))
    const locked = await rejectsWith(planMigration(url, 'ALTER TABLE wishlist_items ADD COLUMN c int;', { lockTimeoutMs: 200 }), 'MIGRATION_FAILED')
    assert.match(locked.message, /55P03|lock timeout/)
  } finally {
    holder.kill()
  }
  await rejectsWith(planMigration(url, 'SELECT 1', { lockTimeoutMs: -1 }), 'INVALID_ARGUMENT')
  await rejectsWith(planMigrations(url, 'not an array'), 'INVALID_ARGUMENT')
})

test('laterVersions and executeRollback with migrationOrder: out-of-order rollbacks are refused under the lock', async () => {
  const url = await fresh('node_order')
  await applyMigration(url, migration('1', 'ALTER TABLE wishlist_items ADD COLUMN a int;'))
  await applyMigration(url, migration('2', 'ALTER TABLE wishlist_items ADD COLUMN b int;'))
  const order = ['1', '2']
  assert.deepEqual(await laterVersions(url, '1', order), [{ version: '2', migrationFile: '2.sql' }])
  assert.deepEqual(await laterVersions(url, '2', order), [])
  const err = await rejectsWith(executeRollback(url, '1', { migrationOrder: order }), 'ROLLBACK_OUT_OF_ORDER')
  assert.match(err.message, /later version 2 \(2\.sql\) is applied and not rolled back/)
  assert.equal(await columnExists(url, 'wishlist_items', 'a'), true)
  await executeRollback(url, '2', { migrationOrder: order })
  await executeRollback(url, '1', { migrationOrder: order })
  assert.equal(await columnExists(url, 'wishlist_items', 'a'), false)
  await applyMigration(url, migration('3', 'ALTER TABLE wishlist_items ADD COLUMN c int;'))
  await applyMigration(url, migration('4', 'ALTER TABLE wishlist_items ADD COLUMN d int;'))
  await executeRollback(url, '3', { migrationOrder: ['3', '4'], allowOutOfOrder: true })
  assert.equal(await columnExists(url, 'wishlist_items', 'c'), false)
})
