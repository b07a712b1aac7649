// Migrations with statements that cannot run in a transaction (CREATE/DROP INDEX CONCURRENTLY, VACUUM, ...)
// through the compiled CLIs: applied in journal order, a failure midway reported and recoverable, the dry
// run, and `db:rollback verify` going to the end of the history.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  columnExists,
  drizzleMigrations,
  expectedDrizzleRows,
  indexExists,
  migrationsFolder,
  query,
  run,
  schemaVersions,
  usePostgres,
} from './helpers.js';

const BASE = ['0000_schema_versions', '0001_rollback_columns', '0002_rollback_plan', '0003_wishlist_items', '0004_archive'];

const { freshDatabase } = usePostgres();

const HISTORY = [
  { tag: '0004_notes', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes text;\n' },
  {
    tag: '0005_indexes',
    version: '1.4.0',
    sql:
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS wishlist_items_notes ON wishlist_items (notes);\n' +
      '--> statement-breakpoint\nALTER TABLE wishlist_items ADD COLUMN rank int;\n' +
      '--> statement-breakpoint\nCREATE UNIQUE INDEX CONCURRENTLY wishlist_items_rank ON wishlist_items (rank);\n' +
      '--> statement-breakpoint\nVACUUM wishlist_items;\n',
  },
  {
    tag: '0006_rank_key',
    version: '1.5.0',
    sql: 'ALTER TABLE wishlist_items ADD CONSTRAINT wishlist_items_rank_key UNIQUE USING INDEX wishlist_items_rank;\n',
  },
  { tag: '0007_drop_notes_index', version: '1.6.0', sql: 'DROP INDEX CONCURRENTLY wishlist_items_notes;\n' },
];

describe('CONCURRENTLY migrations', () => {
  test('db:migrate:apply applies the migrations before, the concurrent ones, and those after, in order', async () => {
    const dir = migrationsFolder(HISTORY);
    const url = await freshDatabase('nt_cli_apply');
    const r = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Applied 0005_indexes\.sql \(version 1\.4\.0\)\n {2}rollback script stored, marked as SAFE/);
    assert.deepEqual(
      (await schemaVersions(url)).map((row) => row.version),
      // 1.0.0 (it creates schema_versions) is recorded after the fact.
      ['1.1.0', '1.1.1', '1.2.0', '1.2.1', '1.3.0', '1.4.0', '1.5.0', '1.6.0', '1.0.0'],
    );
    assert.deepEqual(await drizzleMigrations(url), expectedDrizzleRows(dir, [...BASE, ...HISTORY.map((m) => m.tag)]));
    const rank = (await schemaVersions(url)).find((row) => row.version === '1.4.0')!;
    assert.equal(
      rank.rollback_script,
      'DROP INDEX CONCURRENTLY wishlist_items_rank;\nALTER TABLE wishlist_items DROP COLUMN rank;\nDROP INDEX CONCURRENTLY wishlist_items_notes;\n',
    );
    assert.equal(await indexExists(url, 'wishlist_items_notes'), false);
    assert.deepEqual(await query(url, 'SELECT count(*)::int AS n FROM pg_index WHERE NOT indisvalid'), [{ n: 0 }]);
  });

  test('a failure midway: exit 12, what ran and the INVALID index (also as JSON fields), then recoverable', async () => {
    const failing = {
      tag: '0004_unique_user',
      version: '1.3.0',
      sql:
        'ALTER TABLE wishlist_items ADD COLUMN IF NOT EXISTS notes text;\n' +
        '--> statement-breakpoint\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS wishlist_items_user ON wishlist_items (user_id);\n',
    };
    const dir = migrationsFolder([failing]);
    const url = await freshDatabase('nt_cli_fail');
    // The base migrations first, then two rows that break the unique index.
    const base = await run('migrate', [`--migrations=${migrationsFolder()}`], { databaseUrl: url });
    assert.equal(base.code, 0, base.stderr);
    await query(url, "INSERT INTO wishlist_items (user_id, title, store) VALUES ('u', 'a', 'LEGO'), ('u', 'b', 'LEGO')");

    const human = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
    assert.equal(human.code, 12, human.stderr);
    assert.match(human.stderr, /Migration 0004_unique_user\.sql \(version 1\.3\.0\) failed: .*failed at statement 2 of 2/);
    assert.match(human.stderr, /SQLSTATE 23505/);
    assert.match(human.stderr, /stay applied:\n {2}1 \(line 2\): ALTER TABLE wishlist_items ADD COLUMN IF NOT EXISTS notes text/);
    assert.match(human.stderr, /remove it with: DROP INDEX CONCURRENTLY IF EXISTS public\.wishlist_items_user;/);
    assert.match(human.stderr, /NOT recorded/);
    assert.equal(await columnExists(url, 'wishlist_items', 'notes'), true);
    assert.equal((await schemaVersions(url)).some((row) => row.version === '1.3.0'), false);
    assert.deepEqual(await drizzleMigrations(url), expectedDrizzleRows(dir, BASE));

    // Again with --json: the same failure as fields (the INVALID index left by the first run is skipped by
    // IF NOT EXISTS now, so drop it first as the message says, and fail again the same way).
    await query(url, 'DROP INDEX CONCURRENTLY IF EXISTS public.wishlist_items_user');
    const json = await run('migrate', [`--migrations=${dir}`, '--json'], { databaseUrl: url });
    assert.equal(json.code, 12, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.equal(report.ok, false);
    assert.equal(report.error.code, 'MIGRATION_FAILED');
    assert.equal(report.failed.version, '1.3.0');
    assert.equal(report.failed.recorded, false);
    assert.equal(report.failed.outsideTransaction, true);
    assert.equal(report.failed.sqlstate, '23505');
    assert.equal(report.failed.failedStatement.index, 1);
    assert.deepEqual(report.failed.appliedStatements.map((s: { index: number }) => s.index), [0]);
    assert.deepEqual(report.failed.invalidIndexes, [
      { name: 'public.wishlist_items_user', dropStatement: 'DROP INDEX CONCURRENTLY IF EXISTS public.wishlist_items_user;' },
    ]);

    // Fix the cause, remove the INVALID index, apply again: it works.
    await query(url, report.failed.invalidIndexes[0].dropStatement);
    await query(url, "DELETE FROM wishlist_items WHERE title = 'b'");
    const again = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(await indexExists(url, 'wishlist_items_user'), true);
    assert.deepEqual(await drizzleMigrations(url), expectedDrizzleRows(dir, [...BASE, failing.tag]));
  });

  test('--dry-run lists the statements that would run outside a transaction and changes nothing', async () => {
    const dir = migrationsFolder(HISTORY);
    const url = await freshDatabase('nt_cli_dry');
    const r = await run('migrate', [`--migrations=${dir}`, '--dry-run'], { databaseUrl: url });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /0005_indexes\.sql \(version 1\.4\.0\): rollback marked as SAFE\n[^]*?these statements run outside a transaction:\n {4}statement 1 \(line 2\): CREATE INDEX CONCURRENTLY IF NOT EXISTS wishlist_items_notes ON wishlist_items \(notes\)\n {4}statement 3 \(line 6\): CREATE UNIQUE INDEX CONCURRENTLY wishlist_items_rank ON wishlist_items \(rank\)\n {4}statement 4 \(line 8\): VACUUM wishlist_items\n/,
    );
    assert.deepEqual(await query(url, "SELECT to_regclass('wishlist_items') AS t"), [{ t: null }]);
  });

  test('db:rollback verify proves the whole history to its end', async () => {
    const dir = migrationsFolder(HISTORY);
    const url = await freshDatabase('nt_cli_verify');
    const r = await run('rollback', ['verify', '--migrations', dir], { databaseUrl: url });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    for (const line of [
      '✓ 1.3.0 0004_notes.sql: rollback restores the schema',
      '✓ 1.4.0 0005_indexes.sql: rollback restores the schema',
      '✓ 1.5.0 0006_rank_key.sql: rollback restores the schema',
      '✓ 1.6.0 0007_drop_notes_index.sql: rollback restores the schema',
    ]) {
      assert.ok(r.stdout.includes(line), `${line} not in:\n${r.stdout}`);
    }
    assert.match(r.stdout, /✓ 5 verified, 0 failed/);
  });
});
