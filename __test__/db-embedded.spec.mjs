// Smoke test of the embedded PostgreSQL (PGlite + pglite-socket) with the addon's DB functions.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { spawn, spawnSync } from 'node:child_process'
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
      assert.match(pg.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres\?sslmode=disable&pg_rollback_embedded=true$/)
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

const embeddedJs = new URL('../embedded.js', import.meta.url).pathname

test('one server per data directory: a second start is refused, a stale lock is taken over', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pg-rollback-pglite-lock-'))
  const lock = path.join(dir, 'pg-rollback.lock')
  try {
    // A lock left by a process that is gone.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
    writeFileSync(lock, `${dead.stdout}\n`)
    const pg = await startEmbeddedPostgres(dir)
    try {
      assert.equal(readFileSync(lock, 'utf8').trim(), String(process.pid))
      const err = await rejectsWith(startEmbeddedPostgres(dir), 'DATA_DIRECTORY_IN_USE')
      assert.ok(err.message.includes(dir) && err.message.includes(String(process.pid)), err.message)
      // The refused start did not disturb the running server or its lock.
      assert.equal(readFileSync(lock, 'utf8').trim(), String(process.pid))
      await rejectsWith(addon.getRollback(pg.url, '1'), 'SCHEMA_VERSIONS_MISSING')
    } finally {
      await pg.stop()
    }
    assert.equal(existsSync(lock), false, 'stop() removes the lock')

    // Another process holding the directory.
    const child = spawn(
      process.execPath,
      ['-e', `require(${JSON.stringify(embeddedJs)}).startEmbeddedPostgres(${JSON.stringify(dir)}).then((pg) => { console.log('started'); process.stdin.on('end', () => pg.stop()).resume() })`],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    )
    try {
      await new Promise((resolve, reject) => {
        child.stdout.on('data', (d) => String(d).includes('started') && resolve())
        child.on('exit', (code) => reject(new Error(`child exited with ${code}`)))
      })
      const err = await rejectsWith(startEmbeddedPostgres(dir), 'DATA_DIRECTORY_IN_USE')
      assert.ok(err.message.includes(String(child.pid)), err.message)
    } finally {
      child.stdin.end()
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.on('exit', resolve)))
    }
    assert.equal(existsSync(lock), false, 'the other process removed its lock when it stopped')
    const again = await startEmbeddedPostgres(dir)
    await again.stop()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
