// Error data as fields (issue 16): `code` is one of `ErrorCode`, and the version, the failed statement and the
// SQLSTATE are properties of the error object, not only text in the message.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startPostgres, freshDatabase } from '../test-support/postgres.mjs'
import { addon, prepare, insertRow, rejectsWith } from './db-support.mjs'

const { applyMigration, executeRollback, executeRollbacks, storeRollback, generateRollback } = addon

let server
before(async () => {
  server = await startPostgres()
})
after(async () => {
  await server?.stop()
})

test('a failing rollback statement is error.statement with error.sqlstate and error.version', async () => {
  const url = await freshDatabase(server.url, 'error_data_rollback')
  await prepare(url)
  await insertRow(url, '1.0', 'SELECT 1;\nDROP TABLE no_such_table;', true)
  const err = await rejectsWith(executeRollback(url, '1.0'), 'ROLLBACK_FAILED')
  assert.equal(err.sqlstate, '42P01')
  assert.equal(err.statement.index, 1)
  assert.equal(err.statement.sql, 'DROP TABLE no_such_table')
  assert.match(err.message, /42P01/, 'the message keeps the text')
})

test('a failing migration statement is error.statement with error.sqlstate', async () => {
  const url = await freshDatabase(server.url, 'error_data_migration')
  await prepare(url)
  const migration = { version: '2.0', migrationFile: '2.0.sql', sql: 'SELECT 1;\nALTER TABLE nope ADD COLUMN x int;' }
  const err = await rejectsWith(applyMigration(url, migration), 'MIGRATION_FAILED')
  assert.equal(err.sqlstate, '42P01')
  assert.deepEqual({ ...err.statement }, { index: 1, line: 2, column: 1, sql: 'ALTER TABLE nope ADD COLUMN x int' })
})

test('errors about one version name it in error.version; unsafe and missing scripts have one code each', async () => {
  const url = await freshDatabase(server.url, 'error_data_version')
  await prepare(url)
  await insertRow(url, '1.0', null, false)
  await insertRow(url, '1.1', 'SELECT 1;', false)
  let err = await rejectsWith(executeRollback(url, '1.1'), 'ROLLBACK_UNSAFE')
  assert.equal(err.version, '1.1')
  err = await rejectsWith(executeRollbacks(url, { steps: 1 }), 'ROLLBACK_UNSAFE')
  assert.equal(err.version, '1.1')
  err = await rejectsWith(executeRollback(url, '1.0'), 'ROLLBACK_SCRIPT_NOT_FOUND')
  assert.equal(err.version, '1.0')
  err = await rejectsWith(executeRollback(url, '9.9'), 'VERSION_NOT_FOUND')
  assert.equal(err.version, '9.9')
  err = await rejectsWith(storeRollback(url, { version: '3', migrationFile: 'f', sql: 'SELEC' }), 'PARSE_ERROR')
  assert.equal(err.version, undefined)
})

test('reason codes are the strings of the Code union', () => {
  const plan = generateRollback('ALTER TABLE t DROP COLUMN c;')
  assert.equal(plan.statements[0].code, 'DROP_COLUMN')
  assert.equal(plan.warnings[0].code, 'DROP_COLUMN')
})
