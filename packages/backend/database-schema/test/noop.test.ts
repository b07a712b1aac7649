// Issue 16 through the real CLI: a migration that changed nothing (IF NOT EXISTS of what existed) has a
// rollback script of comments, so `--to` crosses it, `--version` executes it, and it applies again.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addMigrations,
  drizzleMigrations,
  expectedDrizzleRows,
  migrationsFolder,
  query,
  run,
  schemaVersion,
  usePostgres,
  type ExtraMigration,
} from './helpers.js';

const BASE = ['0000_schema_versions', '0001_rollback_columns', '0002_rollback_plan', '0003_wishlist_items', '0004_archive'];
const { freshDatabase } = usePostgres();

const EXTRA: ExtraMigration[] = [
  { tag: '0004_tags', version: '1.3.0', sql: 'CREATE TABLE "Tag List" (id int PRIMARY KEY);\n' },
  {
    tag: '0005_tags_again',
    version: '1.4.0',
    sql: 'CREATE TABLE IF NOT EXISTS "Tag List" (id int PRIMARY KEY);\n--> statement-breakpoint\nCREATE EXTENSION IF NOT EXISTS plpgsql;\n',
  },
  { tag: '0006_label', version: '1.5.0', sql: 'ALTER TABLE "Tag List" ADD COLUMN label text;\n' },
];
const NOOP_SCRIPT =
  '-- CREATE TABLE IF NOT EXISTS "Tag List" (id int PRIMARY KEY) (statement 1, line 2): it existed already, nothing to undo\n' +
  '-- CREATE EXTENSION IF NOT EXISTS plpgsql (statement 2, line 4): it existed already, nothing to undo\n';

async function tableColumns(url: string): Promise<string> {
  const rows = await query<{ c: string | null }>(
    url,
    `SELECT string_agg(attname, ',' ORDER BY attnum) AS c FROM pg_attribute
      WHERE attrelid = to_regclass('"Tag List"') AND attnum > 0 AND NOT attisdropped`,
  );
  return rows[0]!.c ?? '(no table)';
}

describe('a migration that changed nothing', () => {
  test('--to crosses it, --version executes it, and it applies again', async () => {
    const url = await freshDatabase('noop');
    const dir = migrationsFolder(EXTRA.slice(0, 1));
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);
    addMigrations(dir, EXTRA.slice(1));
    const applied = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal((await schemaVersion(url, '1.4.0')).rollback_script, NOOP_SCRIPT);

    const preview = await run('rollback', ['--to=1.3.0', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /^\[2\/2\] Version 1\.4\.0 \(0005_tags_again\.sql\), marked as SAFE$/m);
    assert.ok(preview.stdout.includes(`Rollback script for version 1.4.0:\n${NOOP_SCRIPT}`), preview.stdout);

    const done = await run('rollback', ['--to=1.3.0', '--execute', '--yes', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /✓ 1\.4\.0 \(0005_tags_again\.sql\) rolled back at /);
    assert.equal(await tableColumns(url), 'id');
    assert.ok((await schemaVersion(url, '1.4.0')).rollback_applied_at instanceof Date);
    assert.deepEqual(await drizzleMigrations(url), expectedDrizzleRows(dir, [...BASE, '0004_tags']));

    const again = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /✓ 2 migration\(s\) applied/);
    assert.equal(await tableColumns(url), 'id,label');

    // One at a time with --version: 1.5.0, then the migration that changed nothing.
    const newest = await run('rollback', ['--version=1.5.0', '--execute', '--yes', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(newest.code, 0, newest.stderr);
    const shown = await run('rollback', ['--version=1.4.0', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(shown.code, 0, shown.stderr);
    assert.ok(shown.stdout.includes(NOOP_SCRIPT), shown.stdout);
    assert.match(shown.stdout, /This rollback is marked as SAFE\./);
    const single = await run('rollback', ['--version=1.4.0', '--execute', '--yes', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(single.code, 0, single.stderr);
    assert.match(single.stdout, /✓ Rollback completed successfully/);
    assert.equal(await tableColumns(url), 'id');
    assert.deepEqual(await drizzleMigrations(url), expectedDrizzleRows(dir, [...BASE, '0004_tags']));
  });
});
