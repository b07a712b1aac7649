// Shared by the db*.spec.mjs files: the addon, SQL through psql, schema dumps and error checks.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { readFileSync } from 'node:fs'
import { psql as runPsql, clientBin } from '../test-support/postgres.mjs'

const require = createRequire(import.meta.url)
export const addon = require('../index.js')
export { clientBin }

/** The Drizzle package's migrations (schema_versions, its rollback columns, rollback_plan, the archive's columns). */
const migration = (file) =>
  readFileSync(new URL(`../packages/backend/database-schema/src/migrations/${file}`, import.meta.url), 'utf8')
export const SCHEMA_VERSIONS_SQL = migration('0000_schema_versions.sql')
export const ROLLBACK_COLUMNS_SQL = migration('0001_rollback_columns.sql')
export const ROLLBACK_PLAN_SQL = migration('0002_rollback_plan.sql')
/** The archive's bookkeeping columns (0004), applied by the archive tests so they do not depend on the journal. */
export const ARCHIVE_SQL = migration('0004_archive.sql')

/** Run SQL with psql (each statement commits on its own); resolves to unaligned tuples-only output, trimmed. */
export async function psql(url, sql) {
  return (await runPsql(url, sql, ['-A', '-t'])).trim()
}

/** `pg_dump --schema-only` without the lines that change between runs. */
export async function schemaDump(url) {
  const { stdout: dump } = await promisify(execFile)(clientBin('pg_dump'), ['--schema-only', '--no-password', '-d', url], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  return dump
    .split('\n')
    .filter((l) => !/^\\(un)?restrict /.test(l) && !l.startsWith('-- Dumped from') && !l.startsWith('-- Dumped by'))
    .join('\n')
}

export const lit = (s) => `'${s.replaceAll("'", "''")}'`

/** A fresh database with schema_versions (all its migrations) and the spec's wishlist_items. */
export async function prepare(url) {
  await psql(url, SCHEMA_VERSIONS_SQL)
  await psql(url, ROLLBACK_COLUMNS_SQL)
  await psql(url, ROLLBACK_PLAN_SQL)
  await psql(url, 'CREATE TABLE wishlist_items (id serial PRIMARY KEY, user_id text NOT NULL, legacy_field text);')
}

export async function insertRow(url, version, script, safe) {
  await psql(
    url,
    `INSERT INTO schema_versions (version, migration_file, rollback_safe, rollback_script)
     VALUES (${lit(version)}, 'm.sql', ${safe}, ${script === null ? 'NULL' : lit(script)});`,
  )
}

export const metadata = async (url) => psql(url, 'SELECT * FROM schema_versions ORDER BY id;')

export async function columnExists(url, table, column) {
  return (
    (await psql(
      url,
      `SELECT count(*) FROM information_schema.columns WHERE table_name = ${lit(table)} AND column_name = ${lit(column)};`,
    )) === '1'
  )
}

/** Await `promise`, expect a rejection with `code`, return the error. */
export async function rejectsWith(promise, code) {
  let caught
  await assert.rejects(promise, (err) => {
    caught = err
    return true
  })
  assert.ok(caught instanceof Error, `expected an Error, got ${caught}`)
  assert.equal(caught.code, code, `code; message was: ${caught.message}`)
  return caught
}
