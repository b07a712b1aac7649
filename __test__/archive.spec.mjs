// The archive through the built addon against a throwaway PostgreSQL 15: the apply options (archive,
// archiveMaxBytes), listArchives and pruneArchive, the shapes JavaScript sees, and bad arguments as
// INVALID_ARGUMENT (never a crash).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startPostgres, freshDatabase } from '../test-support/postgres.mjs'
import { addon, psql, prepare, metadata, rejectsWith, ARCHIVE_SQL } from './db-support.mjs'

const { applyMigration, applyMigrations, listArchives, pruneArchive, executeRollback, getRollback } = addon

let server
before(async () => {
  server = await startPostgres()
})
after(async () => {
  await server?.stop()
})

const migration = (version, sql) => ({ version, migrationFile: `${version}.sql`, sql })

/** schema_versions with the archive's columns, and a table of 50 rows with a note each. */
async function database(prefix) {
  const url = await freshDatabase(server.url, prefix)
  await prepare(url)
  await psql(url, ARCHIVE_SQL)
  await psql(
    url,
    `CREATE TABLE notes (id int PRIMARY KEY, body text, n text);
     INSERT INTO notes SELECT g, repeat('x', 100) || g, g::text FROM generate_series(1, 50) g;`,
  )
  return url
}

const archiveTables = (url) =>
  psql(url, "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = to_regnamespace('pgrollback_archive');")

test('bad arguments reject with INVALID_ARGUMENT', async () => {
  const url = 'postgres://nobody@127.0.0.1:1/none'
  await rejectsWith(listArchives(42), 'INVALID_ARGUMENT')
  await rejectsWith(pruneArchive(url), 'INVALID_ARGUMENT')
  await rejectsWith(pruneArchive(url, {}), 'INVALID_ARGUMENT')
  await rejectsWith(pruneArchive(url, { olderThanMs: 1.5 }), 'INVALID_ARGUMENT')
  await rejectsWith(pruneArchive(url, { olderThanMs: -1 }), 'INVALID_ARGUMENT')
  await rejectsWith(pruneArchive(url, { version: 7 }), 'INVALID_ARGUMENT')
  await rejectsWith(applyMigration(url, migration('1.0', 'SELECT 1'), { archive: 'no' }), 'INVALID_ARGUMENT')
  await rejectsWith(applyMigration(url, migration('1.0', 'SELECT 1'), { archiveMaxBytes: -5 }), 'INVALID_ARGUMENT')
  await rejectsWith(applyMigrations(url, [migration('1.0', 'SELECT 1')], { archiveMaxBytes: 0.5 }), 'INVALID_ARGUMENT')
})

test('apply keeps the data by default and says what; archive: false and archiveMaxBytes keep nothing and say why', async () => {
  const url = await database('addon_archive_apply')
  const kept = await applyMigration(url, migration('1.1', 'ALTER TABLE notes DROP COLUMN body;'))
  const record = kept.rollback.archive
  assert.equal(kept.rollback.rollbackScript, null, "the spec's fields do not change")
  assert.equal(record.objects.length, 1)
  assert.equal(record.objects[0].table, 'pgrollback_archive."1.1/1"')
  assert.equal(record.objects[0].kind, 'DROP COLUMN')
  assert.equal(record.rows, 50)
  assert.ok(record.bytes > 0)
  assert.match(kept.rollback.restoreScript, /ADD COLUMN body text/)

  const off = await applyMigrations(url, [migration('1.2', 'ALTER TABLE notes ALTER COLUMN n TYPE int USING n::int;')], {
    archive: false,
  })
  const offRecord = off.results[0].rollback.archive
  assert.equal(offRecord.objects.length, 0)
  assert.match(offRecord.notArchived[0].reason, /archive is off/)
  assert.equal(off.results[0].rollback.restoreScript, null)

  const small = await applyMigration(url, migration('1.3', 'ALTER TABLE notes DROP COLUMN n;'), { archiveMaxBytes: 1 })
  assert.match(small.rollback.archive.notArchived[0].reason, /archiveMaxBytes/)
  assert.equal(await archiveTables(url), '1.1/1')
})

test('listArchives and pruneArchive: what is kept now, a dry run, then the prune, and every read agrees after', async () => {
  const url = await database('addon_archive_prune')
  await applyMigration(url, migration('2.0', 'ALTER TABLE notes DROP COLUMN body;'))
  await applyMigration(url, migration('2.1', 'ALTER TABLE notes ALTER COLUMN n TYPE int USING n::int;'))
  const list = await listArchives(url)
  assert.deepEqual(
    list.map((a) => [a.version, a.objects.length, a.rows, a.restorable, a.rolledBack]),
    [
      ['2.0', 1, 50, true, false],
      ['2.1', 1, 50, true, false],
    ],
  )
  const size = Number(await psql(url, `SELECT pg_total_relation_size('pgrollback_archive."2.0/1"');`))
  assert.equal(list[0].bytes, size)
  assert.equal(list[0].objects[0].exists, true)
  assert.equal(typeof list[0].ageMs, 'number')
  assert.match(list[0].appliedAt, /Z$/)

  const before = await metadata(url)
  const preview = await pruneArchive(url, { version: '2.0', dryRun: true })
  assert.deepEqual(preview.map((p) => [p.version, p.dropped]), [['2.0', ['pgrollback_archive."2.0/1"']]])
  assert.equal(await metadata(url), before, 'a dry run changes nothing')
  assert.equal(await archiveTables(url), '2.0/1,2.1/1')

  const pruned = await pruneArchive(url, { version: '2.0' })
  assert.deepEqual(pruned.map((p) => [p.version, p.dropped, p.missing, p.leftAlone, p.rows]), [
    ['2.0', ['pgrollback_archive."2.0/1"'], [], [], 50],
  ])
  assert.equal(pruned[0].bytes, size)
  assert.equal(await archiveTables(url), '2.1/1')
  const row = await getRollback(url, '2.0')
  assert.equal(row.restoreScript, null)
  assert.match(row.archive.restoreUnavailable, /^its archive was pruned on /)
  await rejectsWith(executeRollback(url, '2.0', { restoreData: true }), 'RESTORE_NOT_AVAILABLE')
  assert.deepEqual((await listArchives(url)).map((a) => a.version), ['2.1'])

  await rejectsWith(pruneArchive(url, { version: 'nope' }), 'VERSION_NOT_FOUND')
  assert.deepEqual(await pruneArchive(url, { olderThanMs: 3_600_000 }), [], 'nothing is an hour old')
  assert.deepEqual((await pruneArchive(url, { olderThanMs: 0 })).map((p) => p.version), ['2.1'])
  assert.equal(await psql(url, "SELECT to_regnamespace('pgrollback_archive') IS NULL;"), 't')
})
