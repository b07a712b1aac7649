// executeRollbacks, previewRollbacks and rollbackCost through the built addon against a throwaway PostgreSQL 15:
// argument errors as INVALID_ARGUMENT (never a crash), the shapes JavaScript sees, and one run end to end.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startPostgres, freshDatabase } from '../test-support/postgres.mjs'
import { addon, psql, schemaDump, prepare, metadata, columnExists, rejectsWith } from './db-support.mjs'

const { applyMigration, executeRollbacks, previewRollbacks, rollbackCost } = addon

let server
before(async () => {
  server = await startPostgres()
})
after(async () => {
  await server?.stop()
})

const migration = (version, sql) => ({
  version,
  migrationFile: `${version}.sql`,
  sql,
  drizzleHash: `h${version}`,
  drizzleCreatedAt: Number(version.split('.')[1]),
})
const journal = ['1.0', '1.1', '1.2'].map((version) => ({ version, drizzleHash: `h${version}` }))

test('bad arguments reject with INVALID_ARGUMENT', async () => {
  const url = 'postgres://nobody@127.0.0.1:1/none'
  await rejectsWith(executeRollbacks(url), 'INVALID_ARGUMENT')
  await rejectsWith(executeRollbacks(url, {}), 'INVALID_ARGUMENT')
  await rejectsWith(executeRollbacks(url, { to: '1.0', steps: 1 }), 'INVALID_ARGUMENT')
  await rejectsWith(executeRollbacks(url, { steps: 0 }), 'INVALID_ARGUMENT')
  await rejectsWith(executeRollbacks(url, { steps: 1.5 }), 'INVALID_ARGUMENT')
  await rejectsWith(executeRollbacks(url, { to: 1 }), 'INVALID_ARGUMENT')
  await rejectsWith(executeRollbacks(url, { to: '1.0', migrations: [{}] }), 'INVALID_ARGUMENT')
  await rejectsWith(executeRollbacks(url, { to: '1.0', expectedScripts: 'x' }), 'INVALID_ARGUMENT')
  await rejectsWith(executeRollbacks(url, { to: '1.0', lockTimeoutMs: -1 }), 'INVALID_ARGUMENT')
  await rejectsWith(previewRollbacks(url, { to: '1.0' }, { countTimeoutMs: 'soon' }), 'INVALID_ARGUMENT')
  await rejectsWith(rollbackCost(url, 42), 'INVALID_ARGUMENT')
})

test('preview, then execute several versions in one transaction; every updated row is returned', async () => {
  const url = await freshDatabase(server.url, 'addon_many')
  await prepare(url)
  await applyMigration(url, migration('1.0', 'SELECT 1;'))
  const atTarget = await schemaDump(url)
  await applyMigration(url, migration('1.1', 'ALTER TABLE wishlist_items ADD COLUMN "Note" text;'))
  await applyMigration(url, migration('1.2', 'CREATE INDEX i_note ON wishlist_items ("Note");'))
  await psql(url, `INSERT INTO wishlist_items (user_id, "Note") VALUES ('a', 'x'), ('b', NULL), ('c', 'y');`)
  const before = await metadata(url)

  const range = await previewRollbacks(url, { to: '1.0', migrations: journal })
  assert.equal(range.target, '1.0')
  assert.deepEqual(range.refusals, [])
  assert.deepEqual(
    range.steps.map((s) => [s.rollback.version, s.rollback.rollbackScript, s.transactional]),
    [
      ['1.2', 'DROP INDEX i_note;\n', true],
      ['1.1', 'ALTER TABLE wishlist_items DROP COLUMN "Note";\n', true],
    ],
  )
  assert.deepEqual(range.steps[1].dataAtRisk, [
    {
      statement: 1,
      kind: 'dropColumn',
      table: 'wishlist_items',
      column: 'Note',
      constraint: null,
      rows: 2,
      estimate: false,
      wouldFail: false,
      message: 'wishlist_items."Note": 2 rows hold a value that the rollback deletes',
    },
  ])
  const lock = range.steps[0].locks[0]
  assert.equal(lock.sql, 'DROP INDEX i_note')
  assert.equal(lock.locks[0].mode, 'ACCESS EXCLUSIVE')
  assert.equal(lock.locks[0].strong, true)
  assert.equal(await metadata(url), before, 'the preview changes nothing')

  // Over the row limit: estimated from the statistics.
  await psql(url, 'ANALYZE wishlist_items;')
  const cost = await rollbackCost(url, 'ALTER TABLE wishlist_items DROP COLUMN "Note";\n', { exactCountMaxRows: 0 })
  assert.deepEqual([cost.dataAtRisk[0].rows, cost.dataAtRisk[0].estimate], [2, true])
  assert.match(cost.dataAtRisk[0].message, /^wishlist_items\."Note": about 2 rows \(estimate from pg_class\/pg_stats: table too large to count\)/)

  const expectedScripts = range.steps.map((s) => ({ version: s.rollback.version, rollbackScript: s.rollback.rollbackScript }))
  await rejectsWith(
    executeRollbacks(url, { steps: 1, migrations: journal, expectedScripts }),
    'ROLLBACK_SCRIPT_CHANGED',
  )
  const done = await executeRollbacks(url, { to: '1.0', migrations: journal, expectedScripts, lockTimeoutMs: 5000 })
  assert.deepEqual(
    done.map((d) => [d.version, d.drizzleRowDeleted, typeof d.rollbackAppliedAt]),
    [
      ['1.2', true, 'string'],
      ['1.1', true, 'string'],
    ],
  )
  assert.equal(await columnExists(url, 'wishlist_items', 'Note'), false)
  assert.equal(await schemaDump(url), atTarget)
  assert.equal(await psql(url, 'SELECT string_agg(hash, \',\') FROM drizzle.__drizzle_migrations;'), 'h1.0')
  await rejectsWith(executeRollbacks(url, { to: '1.2', migrations: journal }), 'TARGET_NOT_APPLIED')
  await rejectsWith(executeRollbacks(url, { to: '9.9' }), 'VERSION_NOT_FOUND')
})
