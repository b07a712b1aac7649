// Proof with data from JS: verifyRollback with seedRows (restores proved, data loss named), and the building
// blocks seedRows, rowSnapshot and compareRows, on real PostgreSQL.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startPostgres, freshDatabase } from '../test-support/postgres.mjs'
import { addon, psql, rejectsWith, schemaDump } from './db-support.mjs'

const { verifyRollback, seedRows, rowSnapshot, compareRows } = addon

let server
before(async () => {
  server = await startPostgres()
})
after(async () => {
  await server?.stop()
})

const ITEMS = `CREATE TYPE store AS ENUM ('LEGO', 'Barweer');
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE wishlist_items (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id bigint NOT NULL REFERENCES users,
  title varchar(20) NOT NULL CHECK (title <> ''), notes text DEFAULT 'none', price numeric(8,2), store store);`

test('verifyRollback with seedRows proves a DROP COLUMN restorable and changes nothing', async () => {
  const url = await freshDatabase(server.url, 'verify_seed_js')
  await psql(url, ITEMS)
  const dump = await schemaDump(url)
  const v = await verifyRollback(url, { sql: 'ALTER TABLE wishlist_items DROP COLUMN notes;', seedRows: 20 })
  assert.equal(v.rollbackSafe, false)
  assert.equal(v.rollbackScript, null, 'the spec keeps DROP COLUMN without a rollback script')
  assert.equal(v.restorable, true, JSON.stringify(v))
  assert.equal(v.restored, true)
  assert.match(v.restoreScript, /ADD COLUMN notes text/)
  assert.deepEqual(v.rowDifferences, [])
  assert.equal(v.seeded.rows, 40, JSON.stringify(v.seeded))
  assert.equal(await schemaDump(url), dump)
  assert.equal(await psql(url, 'SELECT count(*) FROM wishlist_items;'), '0')
})

test('verifyRollback with seedRows: a data migration is proved restorable; a write hidden in a WITH is neither, and the rows it changed are named', async () => {
  const url = await freshDatabase(server.url, 'verify_seed_js')
  await psql(url, ITEMS)
  // Kept since issue 19: the restore puts every seeded row back.
  const kept = await verifyRollback(url, { sql: "UPDATE wishlist_items SET notes = 'x';", seedRows: 10 })
  assert.equal(kept.restorable, true, JSON.stringify(kept))
  assert.equal(kept.restored, true, JSON.stringify(kept))
  assert.notEqual(kept.restoreScript, null)
  assert.deepEqual(kept.rowDifferences, [])
  const v = await verifyRollback(url, {
    sql: "WITH w AS (UPDATE wishlist_items SET notes = 'x' RETURNING 1) SELECT count(*) FROM w;",
    seedRows: 10,
  })
  assert.equal(v.restorable, false)
  assert.equal(v.restored, false)
  assert.equal(v.restoreScript, null)
  assert.equal(typeof v.restoreUnavailable, 'string')
  assert.ok(v.rowDifferences.some((d) => d.text.startsWith('public.wishlist_items.notes: ') && d.column === 'notes'), JSON.stringify(v))
  // Without seedRows nothing of that is there.
  const plain = await verifyRollback(url, { sql: 'ALTER TABLE wishlist_items ADD COLUMN x int;' })
  assert.equal(plain.restored, true)
  assert.equal(plain.seeded, null)
  assert.deepEqual(plain.rowDifferences, [])
})

test('seedRows, rowSnapshot and compareRows name a changed value, a missing row and ignore column order', async () => {
  const url = await freshDatabase(server.url, 'verify_seed_js')
  await psql(url, ITEMS)
  const seeded = await seedRows(url, 15)
  assert.equal(seeded.rows, 30)
  assert.deepEqual(seeded.skipped, [])
  const before = await rowSnapshot(url)
  // Plain JSON: a stored copy compares the same.
  const copy = JSON.parse(JSON.stringify(before))
  assert.deepEqual(compareRows(copy, await rowSnapshot(url)), [])
  await psql(url, "UPDATE wishlist_items SET title = 'changed' WHERE id = 3; DELETE FROM wishlist_items WHERE id = 4;")
  const texts = compareRows(before, await rowSnapshot(url)).map((d) => d.text)
  assert.ok(texts.includes('public.wishlist_items: 1 row differs'), texts.join('\n'))
  assert.ok(texts.includes('public.wishlist_items: 1 row missing'), texts.join('\n'))
  assert.ok(texts.some((t) => t.startsWith('public.wishlist_items.title: ')), texts.join('\n'))
  assert.ok(!texts.some((t) => t.startsWith('public.users')), texts.join('\n'))
  // The same values with a column moved last are the same rows.
  const fresh = await freshDatabase(server.url, 'verify_seed_js')
  await psql(fresh, ITEMS)
  await seedRows(fresh, 15)
  const rows = await rowSnapshot(fresh)
  await psql(fresh, 'ALTER TABLE wishlist_items ADD COLUMN t2 varchar(20); UPDATE wishlist_items SET t2 = title; ALTER TABLE wishlist_items DROP COLUMN title; ALTER TABLE wishlist_items RENAME t2 TO title;')
  assert.deepEqual(compareRows(rows, await rowSnapshot(fresh)), [])
  await rejectsWith(seedRows(fresh, -1), 'INVALID_ARGUMENT')
  assert.throws(() => compareRows({}, rows), (e) => e.code === 'INVALID_ARGUMENT')
})
