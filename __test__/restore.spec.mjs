// restorePreview and executeRollback(s) with restoreData through the built addon against a throwaway
// PostgreSQL 15: the preview's shape and counts, that it changes nothing, and that executing exactly what it
// showed puts the values back; refusals as codes.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startPostgres, freshDatabase } from '../test-support/postgres.mjs'
import { addon, psql, prepare, metadata, columnExists, rejectsWith, ARCHIVE_SQL } from './db-support.mjs'

const { applyMigration, executeRollbacks, restorePreview } = addon

let server
before(async () => {
  server = await startPostgres()
})
after(async () => {
  await server?.stop()
})

async function database(name) {
  const url = await freshDatabase(server.url, name)
  await prepare(url)
  await psql(url, ARCHIVE_SQL)
  await psql(url, `INSERT INTO wishlist_items (user_id, legacy_field) SELECT 'u' || g, 'legacy ' || g FROM generate_series(1, 250) g;`)
  return url
}

const migration = (version, sql) => ({ version, migrationFile: `${version}.sql`, sql })
const values = (url) => psql(url, 'SELECT id, legacy_field FROM wishlist_items ORDER BY id;')

test('bad arguments reject with INVALID_ARGUMENT', async () => {
  const url = 'postgres://nobody@127.0.0.1:1/none'
  await rejectsWith(restorePreview(url), 'INVALID_ARGUMENT')
  await rejectsWith(restorePreview(url, {}), 'INVALID_ARGUMENT')
  await rejectsWith(restorePreview(url, { version: '1.0', steps: 1 }), 'INVALID_ARGUMENT')
  await rejectsWith(restorePreview(42, { version: '1.0' }), 'INVALID_ARGUMENT')
})

test('the preview of a DROP COLUMN counts what comes back, changes nothing, and the restore runs exactly it', async () => {
  const url = await database('restore_preview')
  const before = await values(url)
  await applyMigration(url, migration('1.0', 'ALTER TABLE wishlist_items DROP COLUMN legacy_field;'))
  await psql(url, `INSERT INTO wishlist_items (user_id) VALUES ('new1'), ('new2'); DELETE FROM wishlist_items WHERE id = 1;`)
  const rows = await metadata(url)

  const preview = await restorePreview(url, { version: '1.0' })
  assert.deepEqual(preview.refusals, [])
  assert.equal(preview.target, null)
  const [v] = preview.versions
  assert.equal(v.rollback.version, '1.0')
  assert.equal(v.rollback.rollbackScript, null, 'the spec field stays NULL')
  assert.equal(v.runs, 'restore')
  assert.equal(v.script, v.rollback.restoreScript)
  const [o] = v.objects
  assert.equal(o.kind, 'DROP COLUMN')
  assert.equal(o.archivedRows, 250)
  assert.equal(o.rowsSince, 2)
  assert.equal(o.rowsDeleted, 1)
  assert.equal(o.updateTriggers, 0)
  assert.equal(o.archiveMissing, false)
  assert.equal(
    o.summary,
    'public.wishlist_items.legacy_field: 249 values come back; 2 rows inserted since the migration get NULL (the column has no default); 1 row deleted since stays deleted',
  )
  assert.match(o.notes[0], /comes back last/)
  assert.deepEqual(o.conflicts, [])
  assert.equal(await metadata(url), rows, 'the preview changes nothing')
  assert.equal(await columnExists(url, 'wishlist_items', 'legacy_field'), false)

  // The rollback script (null) is not what was shown: refused; the restore script is.
  await rejectsWith(
    executeRollbacks(url, { version: '1.0', restoreData: true, expectedScripts: [{ version: '1.0', rollbackScript: null }] }),
    'ROLLBACK_SCRIPT_CHANGED',
  )
  const done = await executeRollbacks(url, {
    version: '1.0',
    restoreData: true,
    expectedScripts: preview.versions.map((s) => ({ version: s.rollback.version, rollbackScript: s.script })),
  })
  assert.equal(done.length, 1)
  assert.notEqual(done[0].rollbackAppliedAt, null)
  const now = await psql(url, 'SELECT id, legacy_field FROM wishlist_items WHERE id <= 250 ORDER BY id;')
  assert.equal(now, before.split('\n').slice(1).join('\n'), 'every row still there has its value back')
})

test('refusals are data in the preview: RESTORE_CONFLICT, ARCHIVE_MISSING, RESTORE_NOT_AVAILABLE', async () => {
  const url = await database('restore_refusals')
  await psql(url, `CREATE TABLE strict (id int PRIMARY KEY, must text NOT NULL); INSERT INTO strict VALUES (1, 'a');`)
  await applyMigration(url, migration('1.0', 'ALTER TABLE strict DROP COLUMN must;'))
  await psql(url, 'INSERT INTO strict VALUES (2);')
  let preview = await restorePreview(url, { version: '1.0' })
  assert.deepEqual(preview.refusals.map((r) => r.code), ['RESTORE_CONFLICT'])
  assert.match(preview.refusals[0].message, /1 row of public\.strict was inserted since the migration/)
  await rejectsWith(executeRollbacks(url, { version: '1.0', restoreData: true }), 'RESTORE_CONFLICT')

  await psql(url, 'DELETE FROM strict WHERE id = 2; DROP TABLE pgrollback_archive."1.0/1";')
  preview = await restorePreview(url, { version: '1.0' })
  assert.deepEqual(preview.refusals.map((r) => r.code), ['ARCHIVE_MISSING'])
  assert.equal(preview.versions[0].objects[0].archiveMissing, true)

  await psql(url, 'CREATE TABLE nokey (a int, b text);')
  await applyMigration(url, migration('1.1', 'ALTER TABLE nokey DROP COLUMN b;'))
  preview = await restorePreview(url, { steps: 1 })
  assert.deepEqual(preview.refusals.map((r) => r.code), ['RESTORE_NOT_AVAILABLE'])
  assert.equal(preview.versions[0].runs, 'none')
})

test('a DROP TABLE restore that a row written since breaks refuses, and with force adds the key NOT VALID and says so', async () => {
  const url = await database('restore_forced_key')
  await psql(url, `CREATE TABLE parent (id int PRIMARY KEY); INSERT INTO parent VALUES (1), (2);
    CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id)); INSERT INTO child VALUES (10, 1);`)
  await applyMigration(url, migration('1.0', 'DROP TABLE parent CASCADE;'))
  // A row the restored key rejects: its parent never existed.
  await psql(url, 'INSERT INTO child VALUES (11, 3);')
  await rejectsWith(executeRollbacks(url, { version: '1.0', restoreData: true }), 'RESTORE_CONFLICT')
  assert.equal(await psql(url, "SELECT to_regclass('public.parent') IS NULL;"), 't', 'nothing changed')

  const [done] = await executeRollbacks(url, { version: '1.0', restoreData: true, force: true })
  assert.equal(done.restoreNotes.length, 1, JSON.stringify(done.restoreNotes))
  assert.match(done.restoreNotes[0], /NOT VALID/)
  assert.equal(await psql(url, 'SELECT string_agg(id::text, \',\' ORDER BY id) FROM parent;'), '1,2')
  assert.equal(
    await psql(url, "SELECT convalidated FROM pg_constraint WHERE conrelid = 'child'::regclass AND contype = 'f';"),
    'f',
  )
})
