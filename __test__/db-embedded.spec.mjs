// Smoke test of the embedded PostgreSQL (PGlite + pglite-socket) with the addon's DB functions.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { addon, rejectsWith, SCHEMA_VERSIONS_SQL, ROLLBACK_COLUMNS_SQL } from './db-support.mjs'

const require = createRequire(import.meta.url)
const { startEmbeddedPostgres } = require('../embedded.js')

const step = (version, sql, when) => ({ version, migrationFile: `${version}.sql`, sql, drizzleHash: `h${when}`, drizzleCreatedAt: when })

test('startEmbeddedPostgres rejects a bad directory', async () => {
  await rejectsWith(startEmbeddedPostgres(''), 'INVALID_ARGUMENT')
})

test('store, preview, execute and re-open on the embedded server', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pg-rollback-pglite-'))
  try {
    let pg = await startEmbeddedPostgres(dir)
    try {
      assert.match(pg.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres\?sslmode=disable$/)
      // The addon is the only client: the Drizzle migrations create schema_versions.
      assert.deepEqual(await addon.applyMigration(pg.url, step('0.0.0', SCHEMA_VERSIONS_SQL, 1)), { applied: true, rollback: null })
      assert.equal((await addon.applyMigration(pg.url, step('0.0.1', ROLLBACK_COLUMNS_SQL, 2))).applied, true)
      await addon.applyMigration(pg.url, step('0.1.0', 'CREATE TABLE wishlist_items (id serial PRIMARY KEY, user_id text);', 3))

      const stored = await addon.storeRollback(pg.url, {
        version: '1.2.0',
        migrationFile: '0003_notes.sql',
        sql: 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT;',
      })
      assert.equal(stored.rollbackScript, 'ALTER TABLE wishlist_items DROP COLUMN notes;\n')
      // Several calls at once: the single-connection server takes them one after another.
      const [preview, all] = await Promise.all([addon.getRollback(pg.url, '1.2.0'), addon.listRollbacks(pg.url)])
      assert.equal(preview.rollbackScript, stored.rollbackScript)
      assert.deepEqual(all.map((r) => r.version), ['0.0.1', '0.1.0', '1.2.0'])

      // The column was never added, so the rollback fails and changes nothing.
      const err = await rejectsWith(addon.executeRollback(pg.url, '1.2.0'), 'ROLLBACK_FAILED')
      assert.match(err.message, /SQLSTATE 42703/)
      assert.equal((await addon.getRollback(pg.url, '1.2.0')).rollbackAppliedAt, null)

      const done = await addon.executeRollback(pg.url, '0.1.0', { lockTimeoutMs: 1000, drizzleHash: 'h3' })
      assert.notEqual(done.rollbackAppliedAt, null)
      await rejectsWith(addon.executeRollback(pg.url, '0.1.0'), 'ALREADY_ROLLED_BACK')
    } finally {
      await pg.stop()
      await pg.stop() // idempotent
    }

    // The data directory keeps everything.
    pg = await startEmbeddedPostgres(dir)
    try {
      const row = await addon.getRollback(pg.url, '0.1.0')
      assert.notEqual(row.rollbackAppliedAt, null)
      // drizzleHash removed h3, so the migration applies again.
      assert.equal((await addon.applyMigration(pg.url, step('0.1.0', 'CREATE TABLE wishlist_items (id serial PRIMARY KEY, user_id text);', 3))).applied, true)
    } finally {
      await pg.stop()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
