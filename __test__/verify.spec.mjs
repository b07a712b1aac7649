// verifyRollback, catalogSnapshot and compareCatalogs from JS: on real PostgreSQL and on the embedded one.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startPostgres, freshDatabase } from '../test-support/postgres.mjs'
import { addon, psql, rejectsWith, schemaDump } from './db-support.mjs'

const require = createRequire(import.meta.url)
const { startEmbeddedPostgres } = require('../embedded.js')
const { verifyRollback, catalogSnapshot, compareCatalogs } = addon

let server
before(async () => {
  server = await startPostgres()
})
after(async () => {
  await server?.stop()
})

const ITEMS = "CREATE TABLE wishlist_items (id int PRIMARY KEY, title text NOT NULL, notes text DEFAULT 'none');"
const MIGRATION = "ALTER TABLE wishlist_items ALTER notes SET DEFAULT 'empty';\nCREATE INDEX items_title_idx ON wishlist_items (title);"

test('verifyRollback proves the generated rollback and changes nothing', async () => {
  const url = await freshDatabase(server.url, 'verify_js')
  await psql(url, ITEMS)
  const dump = await schemaDump(url)
  const v = await verifyRollback(url, { sql: MIGRATION })
  assert.equal(v.restored, true, JSON.stringify(v))
  assert.equal(v.rollbackSafe, true)
  assert.deepEqual(v.differences, [])
  assert.equal(v.rollbackFailure, null)
  assert.match(v.rollbackScript, /DROP INDEX .*items_title_idx/)
  assert.equal(await schemaDump(url), dump)
})

test('verifyRollback of a hand-written down migration names what it leaves behind', async () => {
  const url = await freshDatabase(server.url, 'verify_js')
  await psql(url, ITEMS)
  const dump = await schemaDump(url)
  const v = await verifyRollback(url, {
    sql: MIGRATION,
    rollbackScript: 'DROP INDEX items_title_idx;',
    lockTimeoutMs: 2000,
  })
  assert.equal(v.restored, false)
  assert.equal(v.rollbackSafe, false)
  assert.deepEqual(v.differences, [
    {
      kind: 'table column',
      object: 'public.wishlist_items.notes',
      change: 'changed',
      attribute: 'default',
      before: "'none'::text",
      after: "'empty'::text",
      text: "table column public.wishlist_items.notes: default 'none'::text -> 'empty'::text",
    },
  ])
  assert.equal(await schemaDump(url), dump)
})

test('verifyRollback rejects with stable codes', async () => {
  const url = await freshDatabase(server.url, 'verify_js')
  await psql(url, ITEMS)
  await rejectsWith(verifyRollback(url, { sql: 'ALTER TABLE wishlist_items DETACH PARTITION p CONCURRENTLY' }), 'NOT_TRANSACTIONAL')
  await rejectsWith(verifyRollback(url, { sql: 'ALTER TABLE nope ADD COLUMN x int' }), 'MIGRATION_FAILED')
  await rejectsWith(verifyRollback(url, { sql: 'CREATE TABL x ()' }), 'PARSE_ERROR')
  await rejectsWith(verifyRollback(url, {}), 'INVALID_ARGUMENT')
  await rejectsWith(verifyRollback(url, { sql: 'SELECT 1', lockTimeoutMs: -1 }), 'INVALID_ARGUMENT')
  await rejectsWith(verifyRollback('mysql://x', { sql: 'SELECT 1' }), 'INVALID_ARGUMENT')
})

test('catalogSnapshot and compareCatalogs: a snapshot survives JSON, and differences name the object', async () => {
  const url = await freshDatabase(server.url, 'verify_js')
  await psql(url, ITEMS)
  const before = JSON.parse(JSON.stringify(await catalogSnapshot(url)))
  assert.ok(before.objects.some((o) => o.kind === 'table' && o.name === 'public.wishlist_items'))
  await psql(url, 'CREATE INDEX items_title_idx ON wishlist_items (title);')
  const after = await catalogSnapshot(url)
  assert.deepEqual(compareCatalogs(before, before), [])
  assert.deepEqual(
    compareCatalogs(before, after).map((d) => d.text),
    ['index public.items_title_idx: unexpected (it was not there before)'],
  )
  assert.throws(() => compareCatalogs({ objects: 'no' }, after), (e) => e.code === 'INVALID_ARGUMENT')
})

test('a catalog snapshot is plain JSON: 64-bit values survive JSON.stringify and compare the same', async () => {
  const url = await freshDatabase(server.url, 'verify_js')
  await psql(
    url,
    `CREATE SEQUENCE s MINVALUE -9223372036854775808 MAXVALUE 9223372036854775807 START 9007199254740993;
     CREATE TABLE t (a bigint GENERATED ALWAYS AS IDENTITY, b int) WITH (fillfactor = 70);
     ALTER TABLE t ALTER b SET STATISTICS 500;`,
  )
  const snapshot = await catalogSnapshot(url)
  const values = []
  const walk = (v) => (v !== null && typeof v === 'object' ? Object.values(v).forEach(walk) : values.push(v))
  walk(snapshot)
  assert.ok(!values.some((v) => typeof v === 'bigint'), 'no BigInt in a snapshot')
  assert.ok(values.filter((v) => typeof v === 'number').every(Number.isSafeInteger))
  const stored = JSON.stringify(snapshot)
  assert.match(stored, /"9223372036854775807"/)
  assert.match(stored, /"9007199254740993"/)
  const restored = JSON.parse(stored)
  assert.deepEqual(restored, snapshot)
  assert.deepEqual(compareCatalogs(restored, snapshot), [])
  assert.deepEqual(compareCatalogs(snapshot, restored), [])
  await psql(url, 'ALTER SEQUENCE s MAXVALUE 9223372036854775806;')
  assert.deepEqual(
    compareCatalogs(restored, await catalogSnapshot(url)).map((d) => d.object),
    ['public.s'],
    'a 64-bit value one apart is a difference',
  )
})

test('verifyRollback and catalogSnapshot on the embedded PostgreSQL', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pg-rollback-verify-js-'))
  try {
    const pg = await startEmbeddedPostgres(dir)
    try {
      await addon.applyMigration(pg.url, { version: '1', migrationFile: '1.sql', sql: ITEMS })
      const before = await catalogSnapshot(pg.url)
      const v = await verifyRollback(pg.url, { sql: MIGRATION })
      assert.equal(v.restored, true, JSON.stringify(v))
      const wrong = await verifyRollback(pg.url, { sql: MIGRATION, rollbackScript: 'DROP INDEX items_title_idx;' })
      assert.deepEqual(wrong.differences.map((d) => d.text), [
        "table column public.wishlist_items.notes: default 'none'::text -> 'empty'::text",
      ])
      assert.deepEqual(compareCatalogs(before, await catalogSnapshot(pg.url)), [], 'verifyRollback changed the database')
    } finally {
      await pg.stop()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
