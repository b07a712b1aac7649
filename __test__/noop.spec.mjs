// Issue 16 through the built addon: a migration that changed nothing has a rollback script of comments
// that runs (single and multi-step), records the rollback, forgets Drizzle's row, and applies again.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startPostgres, freshDatabase } from '../test-support/postgres.mjs'
import { addon, psql, schemaDump, prepare, rejectsWith } from './db-support.mjs'

const { generateRollback, applyMigration, getRollback, executeRollback, executeRollbacks, previewRollbacks, rollbackCost } =
  addon

let server
before(async () => {
  server = await startPostgres()
})
after(async () => {
  await server?.stop()
})

const migration = (version, sql, createdAt) => ({
  version,
  migrationFile: `${version}.sql`,
  sql,
  drizzleHash: `h${version}`,
  drizzleCreatedAt: createdAt,
})
const journal = ['1.0', '1.1', '1.2'].map((version) => ({ version, drizzleHash: `h${version}` }))
const commentOnly = (script) => script.split('\n').filter(Boolean).every((l) => l.startsWith('-- ') && l.endsWith('nothing to undo'))
const hashes = (url) => psql(url, 'SELECT coalesce(string_agg(hash, \',\' ORDER BY id), \'\') FROM drizzle.__drizzle_migrations;')

test('generateRollback: a safe plan with nothing to undo has a script of comments; unsafe ones keep null', () => {
  const p = generateRollback("SET lock_timeout = '1s';\nBEGIN;\nCOMMIT;")
  assert.equal(p.rollbackSafe, true)
  assert.equal(
    p.rollbackScript,
    "-- SET lock_timeout = '1s' (statement 1, line 1): a session setting, nothing to undo\n" +
      '-- BEGIN (statement 2, line 2): transaction control, nothing to undo\n' +
      '-- COMMIT (statement 3, line 3): transaction control, nothing to undo\n',
  )
  assert.deepEqual(p.statements.map((s) => s.inverse), [null, null, null])
  // A quoted name with a line break cannot end the comment.
  const q = generateRollback('CREATE TEMP TABLE "a\nDROP TABLE users; --" (id int);')
  assert.equal(q.rollbackScript.split('\n').length, 2, q.rollbackScript)
  assert.ok(commentOnly(q.rollbackScript), q.rollbackScript)
  for (const sql of ['ALTER TABLE t DROP COLUMN c;', "ALTER TYPE e ADD VALUE 'x';", 'CREATE TABLE IF NOT EXISTS t (id int);']) {
    const u = generateRollback(sql)
    assert.equal(u.rollbackSafe, false, sql)
    assert.equal(u.rollbackScript, null, sql)
  }
})

test('a migration that changed nothing: preview, executeRollback, apply again', async () => {
  const url = await freshDatabase(server.url, 'addon_noop')
  await prepare(url)
  await applyMigration(url, migration('1.0', 'CREATE TABLE "Tags" (id int);', 10))
  const dump = await schemaDump(url)
  const sql = 'CREATE TABLE IF NOT EXISTS "Tags" (id int);\nCREATE EXTENSION IF NOT EXISTS plpgsql;'
  const applied = await applyMigration(url, migration('1.1', sql, 11))
  const stored = applied.rollback
  assert.equal(stored.rollbackSafe, true)
  assert.equal(
    stored.rollbackScript,
    '-- CREATE TABLE IF NOT EXISTS "Tags" (id int) (statement 1, line 1): it existed already, nothing to undo\n' +
      '-- CREATE EXTENSION IF NOT EXISTS plpgsql (statement 2, line 2): it existed already, nothing to undo\n',
  )
  assert.equal((await getRollback(url, '1.1')).rollbackScript, stored.rollbackScript)
  const cost = await rollbackCost(url, stored.rollbackScript)
  assert.deepEqual([cost.transactional, cost.locks, cost.dataAtRisk], [true, [], []])

  const done = await executeRollback(url, '1.1', { drizzleHash: 'h1.1', expectedScript: stored.rollbackScript })
  assert.ok(done.rollbackAppliedAt)
  assert.equal(done.drizzleRowDeleted, true)
  assert.equal(await hashes(url), 'h1.0')
  assert.equal(await schemaDump(url), dump)
  await rejectsWith(executeRollback(url, '1.1'), 'ALREADY_ROLLED_BACK')

  const again = await applyMigration(url, migration('1.1', sql, 12))
  assert.equal(again.applied, true)
  assert.equal(again.rollback.rollbackAppliedAt, null)
  assert.equal(await psql(url, "SELECT count(*) FROM schema_versions WHERE version = '1.1';"), '2')
})

test('previewRollbacks/executeRollbacks cross a migration that changed nothing', async () => {
  const url = await freshDatabase(server.url, 'addon_noop_range')
  await prepare(url)
  await applyMigration(url, migration('1.0', 'CREATE TABLE "Tags" (id int);', 10))
  const dump = await schemaDump(url)
  await applyMigration(url, migration('1.1', "CREATE TABLE IF NOT EXISTS \"Tags\" (id int);", 11))
  await applyMigration(url, migration('1.2', 'ALTER TABLE "Tags" ADD COLUMN label text;', 12))
  const range = await previewRollbacks(url, { to: '1.0', migrations: journal })
  assert.deepEqual(range.refusals, [])
  assert.deepEqual(range.steps.map((s) => s.rollback.version), ['1.2', '1.1'])
  assert.ok(commentOnly(range.steps[1].rollback.rollbackScript), range.steps[1].rollback.rollbackScript)
  const done = await executeRollbacks(url, { to: '1.0', migrations: journal })
  assert.deepEqual(done.map((d) => [d.version, d.drizzleRowDeleted]), [['1.2', true], ['1.1', true]])
  assert.equal(await schemaDump(url), dump)
  assert.equal(await hashes(url), 'h1.0')
})
