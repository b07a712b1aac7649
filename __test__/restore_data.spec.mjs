// restorePreview and executeRollback(s) with restoreData for a data migration (issue 19) through the built addon
// against a throwaway PostgreSQL 15: an UPDATE and a DELETE keep the rows they change at apply; the restore puts
// every row back; rows changed since are conflicts (RESTORE_CONFLICT, forceable, nothing changed) that `force`
// resolves by keeping the newer values and `force` + `overwrite` by taking the archived ones (`overwrite` alone
// changes nothing), each saying what it did in `restoreNotes`.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { startPostgres, freshDatabase } from '../test-support/postgres.mjs'
import { addon, psql, prepare, metadata, rejectsWith } from './db-support.mjs'

const { applyMigration, executeRollback, executeRollbacks, restorePreview } = addon

const ARCHIVE_SQL = readFileSync(
  new URL('../packages/backend/database-schema/src/migrations/0004_archive.sql', import.meta.url),
  'utf8',
)

let server
before(async () => {
  server = await startPostgres()
})
after(async () => {
  await server?.stop()
})

// score = id % 10: the UPDATE changes the 20 accounts with score >= 5, the DELETE removes sessions 10, 20, 30, 40.
const MIGRATION = {
  version: '1.0',
  migrationFile: '1.0.sql',
  sql: `UPDATE accounts SET plan = 'pro', credit = credit * 2, meta = meta || '{"migrated": true}', note = NULL, blob = NULL WHERE score >= 5;
DELETE FROM sessions WHERE id % 10 = 0;`,
}

async function database(name) {
  const url = await freshDatabase(server.url, name)
  await prepare(url)
  await psql(url, ARCHIVE_SQL)
  await psql(
    url,
    `CREATE TABLE accounts (id int PRIMARY KEY, plan text NOT NULL, score int, note text, credit numeric(12,4), meta jsonb,
       blob bytea, tags text[], seen_at timestamptz);
     INSERT INTO accounts SELECT g, 'free', g % 10, CASE WHEN g % 7 = 0 THEN NULL ELSE 'note ' || g END, g * 1.0625,
       jsonb_build_object('n', g), decode(md5(g::text), 'hex'), ARRAY['t' || g, NULL],
       '2024-03-01 12:00:00.123456+00'::timestamptz + g * interval '1 hour'
     FROM generate_series(1, 40) g;
     CREATE TABLE sessions (id int PRIMARY KEY, account_id int NOT NULL, token bytea, started_at timestamptz);
     INSERT INTO sessions SELECT g, g, decode(md5(g::text), 'hex'), '2024-03-02 00:00:00+00'::timestamptz + g * interval '1 minute'
     FROM generate_series(1, 40) g;`,
  )
  return url
}

/** Every row of both tables as text, one per line, in key order. */
const rows = (url) =>
  psql(url, "SELECT 'a' || a::text FROM accounts a UNION ALL SELECT 's' || s::text FROM sessions s ORDER BY 1;")
const lines = async (url) => (await rows(url)).split('\n')

/** The database after MIGRATION, with the rows from before it. */
async function migrated(name, migration = MIGRATION) {
  const url = await database(name)
  const before = await lines(url)
  const applied = await applyMigration(url, migration)
  assert.equal(applied.rollback.rollbackSafe, false, 'spec Edge 3: a data migration stays unsafe')
  assert.equal(applied.rollback.rollbackScript, null)
  assert.notEqual(applied.rollback.restoreScript, null, JSON.stringify(applied.rollback.archive))
  assert.notDeepEqual(await lines(url), before, 'the migration changed rows')
  return { url, before }
}

// Written by the application after the migration: two backfilled accounts changed, a deleted session's key taken
// again, a new account.
const APP_WRITES = `UPDATE accounts SET plan = 'enterprise', credit = 1, meta = '{"app": 1}', note = 'app', blob = '\\x00' WHERE id IN (5, 16);
  INSERT INTO sessions (id, account_id) VALUES (10, 99);
  INSERT INTO accounts (id, plan, score) VALUES (100, 'app', 7);`
/** The lines of the rows the application wrote (accounts 5, 16, 100 and session 10). */
const appRow = (line) => /^a\((5|16|100),/.test(line) || line.startsWith('s(10,')

const expectedScripts = (preview) => preview.versions.map((v) => ({ version: v.rollback.version, rollbackScript: v.script }))

test('UPDATE and DELETE: the preview counts what comes back and changes nothing; the restore puts every row back', async () => {
  const { url, before } = await migrated('restore_data_rows')
  const meta = await metadata(url)
  const preview = await restorePreview(url, { version: '1.0' })
  assert.deepEqual(preview.refusals, [])
  const [v] = preview.versions
  assert.equal(v.runs, 'restore')
  assert.equal(v.script, v.rollback.restoreScript)
  assert.deepEqual(
    v.objects.map((o) => [o.kind, o.archivedRows, o.archiveMissing, o.conflicts]),
    [
      ['UPDATE', 20, false, []],
      ['DELETE', 4, false, []],
    ],
  )
  assert.match(v.objects[0].summary, /^public\.accounts: 20 rows /)
  assert.match(v.objects[1].summary, /^public\.sessions: 4 rows /)
  assert.equal(await metadata(url), meta, 'the preview changes nothing')

  assert.equal(await psql(url, "SELECT count(*) FROM accounts WHERE plan = 'pro';"), '20')
  assert.equal(await psql(url, 'SELECT count(*) FROM sessions;'), '36')
  const done = await executeRollback(url, '1.0', { restoreData: true, expectedScript: v.script })
  assert.notEqual(done.rollbackAppliedAt, null)
  assert.deepEqual(done.restoreNotes, [], 'nothing forced')
  assert.deepEqual(await lines(url), before, 'every row, every value (NULLs, numeric scale, jsonb, bytea, arrays, timestamptz) as before')
})

test('rows changed since are forceable RESTORE_CONFLICTs; without force nothing changes, force keeps the newer values', async () => {
  const { url, before } = await migrated('restore_data_keep')
  await psql(url, APP_WRITES)
  const now = await lines(url)
  const meta = await metadata(url)

  const preview = await restorePreview(url, { version: '1.0' })
  assert.deepEqual(
    preview.refusals.map((r) => [r.code, r.forceable]),
    [['RESTORE_CONFLICT', true]],
  )
  const [update, del] = preview.versions[0].objects
  assert.equal(update.conflicts.length, 1, JSON.stringify(update.conflicts))
  assert.match(update.conflicts[0], /^public\.accounts: 2 rows .*\((id=5, id=16|id=16, id=5)\)$/)
  assert.equal(del.conflicts.length, 1, JSON.stringify(del.conflicts))
  assert.match(del.conflicts[0], /^public\.sessions: 1 row .*\(id=10\)$/)

  await rejectsWith(executeRollback(url, '1.0', { restoreData: true }), 'RESTORE_CONFLICT')
  // overwrite means nothing without force.
  await rejectsWith(executeRollback(url, '1.0', { restoreData: true, overwrite: true }), 'RESTORE_CONFLICT')
  assert.deepEqual(await lines(url), now, 'a refused restore changes no row')
  assert.equal(await metadata(url), meta)

  const done = await executeRollback(url, '1.0', { restoreData: true, force: true, expectedScript: preview.versions[0].script })
  for (const table of ['accounts', 'sessions']) {
    assert.ok(
      done.restoreNotes.some((n) => n.startsWith(`public.${table}: `) && /kept their newer values/.test(n)),
      JSON.stringify(done.restoreNotes),
    )
  }
  const after = await lines(url)
  assert.deepEqual(after.filter(appRow), now.filter(appRow), 'the rows the application wrote keep its values')
  assert.deepEqual(after.filter((l) => !appRow(l)), before.filter((l) => !appRow(l)), 'every other row as before the migration')
})

test('force with overwrite (executeRollbacks): conflicting rows take the archived values', async () => {
  const { url, before } = await migrated('restore_data_overwrite')
  await psql(url, APP_WRITES)
  const preview = await restorePreview(url, { steps: 1 })
  const [done] = await executeRollbacks(url, {
    steps: 1,
    restoreData: true,
    force: true,
    overwrite: true,
    expectedScripts: expectedScripts(preview),
  })
  for (const table of ['accounts', 'sessions']) {
    assert.ok(
      done.restoreNotes.some((n) => n.startsWith(`public.${table}: `) && /took the archived values/.test(n)),
      JSON.stringify(done.restoreNotes),
    )
  }
  // Every row of before with its values from before; only the account inserted since with a new key stays.
  const after = await lines(url)
  assert.deepEqual(after.filter((l) => !l.startsWith('a(100,')), before)
  assert.equal(after.filter((l) => l.startsWith('a(100,')).length, 1)
})

test('UPDATE then DELETE of the same table: conflicts the preview cannot count still refuse the restore', async () => {
  const { url, before } = await migrated('restore_data_same_table', {
    ...MIGRATION,
    sql: `UPDATE accounts SET plan = 'pro', note = NULL WHERE score >= 5;
DELETE FROM accounts WHERE score = 9;`,
  })
  await psql(url, `UPDATE accounts SET plan = 'enterprise' WHERE id = 5;`)
  const now = await lines(url)
  const preview = await restorePreview(url, { version: '1.0' })
  const [update] = preview.versions[0].objects
  // Not counted ahead (the DELETE after it changed the table), so not listed: the restore checks them itself.
  assert.deepEqual(update.conflicts, [])
  assert.ok(update.notes.length > 0, 'the preview says what it did not count')
  await rejectsWith(
    executeRollback(url, '1.0', { restoreData: true, expectedScript: preview.versions[0].script }),
    'RESTORE_CONFLICT',
  )
  assert.deepEqual(await lines(url), now, 'nothing changed')
  const done = await executeRollback(url, '1.0', { restoreData: true, force: true, overwrite: true })
  assert.ok(done.restoreNotes.some((n) => /^public\.accounts: 1 conflicting row.* took the archived values/.test(n)), JSON.stringify(done.restoreNotes))
  assert.deepEqual(await lines(url), before)
})
