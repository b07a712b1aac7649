// `pnpm db:rollback ... --restore-data` through the real CLI on a throwaway PostgreSQL 15: a DROP COLUMN applied
// by db:migrate:apply, the restore preview (what comes back, counted now; a dry run that changes nothing), the
// execution with --yes putting the values back, refusals (RESTORE_CONFLICT, ARCHIVE_MISSING,
// RESTORE_NOT_AVAILABLE) that exit non-zero and change nothing, and a range mixing SAFE and restorable versions.
//
// The archive needs schema_versions.restore_script/archive (0004_archive.sql): the package's Drizzle journal lists it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addMigrations,
  columnExists,
  databaseState,
  migrationsFolder,
  query,
  run,
  runOnTerminal,
  schemaVersion,
  usePostgres,
  type ExtraMigration,
} from './helpers.js';

const { freshDatabase } = usePostgres();


/** A database with the package's migrations (and the archive's columns) applied, then `extra` applied by db:migrate:apply. */
async function applied(prefix: string, setup: string, extra: ExtraMigration[]) {
  const url = await freshDatabase(prefix);
  const dir = migrationsFolder();
  const first = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
  assert.equal(first.code, 0, first.stderr);
  await query(url, setup);
  addMigrations(dir, extra);
  const second = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
  assert.equal(second.code, 0, second.stderr);
  return { url, dir };
}

const rollback = (url: string, dir: string, args: string[]) => run('rollback', [...args, `--migrations=${dir}`], { databaseUrl: url });

const archiveTables = async (url: string) =>
  (await query<{ relname: string }>(url, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'pgrollback_archive' ORDER BY 1`)).map((r) => r.relname);

const ITEMS = `INSERT INTO wishlist_items (user_id, title, store, legacy_field)
  SELECT 'u' || i, 't' || i, 'LEGO', CASE WHEN i % 4 = 0 THEN NULL ELSE 'legacy ' || i END FROM generate_series(1, 120) i`;
const LEGACY = `SELECT user_id, legacy_field FROM wishlist_items WHERE user_id LIKE 'u%' ORDER BY user_id`;

describe('--restore-data', () => {
  test('only with --version, --to or --steps; documented in --help', async () => {
    for (const sub of ['list', 'backfill', 'verify']) {
      const r = await run('rollback', [sub, '--restore-data']);
      assert.equal(r.code, 2, `${sub}: ${r.stderr}`);
      assert.match(r.stderr, /--restore-data cannot be used with/);
    }
    const help = (await run('rollback', ['--help'])).stdout;
    assert.match(help, /--restore-data {12}restore instead of roll back/);
    assert.match(help, /18 {2}--restore-data: data written since the migration conflicts/);
  });

  test('DROP COLUMN: the preview says what comes back, a dry run changes nothing, --execute --yes puts the values back', async () => {
    const { url, dir } = await applied('restore_cli_drop', ITEMS, []);
    const before = await query(url, LEGACY);
    addMigrations(dir, [{ tag: '0005_drop_legacy', version: '1.3.0', sql: 'ALTER TABLE wishlist_items DROP COLUMN legacy_field;\n' }]);
    const apply = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
    assert.equal(apply.code, 0, apply.stderr);
    assert.equal(await columnExists(url, 'wishlist_items', 'legacy_field'), false);
    assert.deepEqual(await archiveTables(url), ['1.3.0/1']);
    // Written since: two rows inserted, one deleted.
    await query(url, `INSERT INTO wishlist_items (user_id, title, store) VALUES ('new1', 't', 'LEGO'), ('new2', 't', 'LEGO');
                      DELETE FROM wishlist_items WHERE user_id = 'u1'`);
    const state = await databaseState(url);

    // Without --restore-data: the spec's answer (no script), and the way to the data.
    const plain = await rollback(url, dir, ['--version=1.3.0']);
    assert.equal(plain.code, 6, plain.stderr);
    assert.match(plain.stderr, /Its data can be restored: --restore-data \(preview: pnpm db:rollback --version=1\.3\.0 --restore-data\)/);

    const preview = await rollback(url, dir, ['--version=1.3.0', '--restore-data']);
    assert.equal(preview.code, 0, preview.stderr);
    const out = preview.stdout;
    assert.match(out, /Version 1\.3\.0 \(0005_drop_legacy\.sql\), marked as UNSAFE/);
    assert.match(
      out,
      /Restore script for version 1\.3\.0:\nALTER TABLE public\.wishlist_items ADD COLUMN legacy_field text;\nDO \$pg_rollback\$/,
      'the restore script, not the (missing) rollback script',
    );
    assert.match(out, /ALTER TABLE public\.wishlist_items ADD COLUMN legacy_field text;/);
    assert.ok(
      out.includes(
        'public.wishlist_items.legacy_field: 119 values come back; 2 rows inserted since the migration get NULL (the column has no default); 1 row deleted since stays deleted',
      ),
      out,
    );
    assert.match(out, /note: the column comes back last \(PostgreSQL cannot put it back in its old place\)/);
    assert.match(out, /Dry run: nothing was changed\./);
    assert.match(out, /To execute, run: pnpm db:rollback --version=1\.3\.0 --restore-data --execute/);
    assert.deepEqual(await databaseState(url), state, 'the preview changes nothing');

    // --json carries the preview.
    const json = await rollback(url, dir, ['--version=1.3.0', '--restore-data', '--json']);
    const doc = JSON.parse(json.stdout) as { ok: boolean; restoreData: boolean; restore: { versions: { objects: { rowsSince: number }[] }[] } };
    assert.equal(doc.ok, true);
    assert.equal(doc.restore.versions[0]!.objects[0]!.rowsSince, 2);

    // Confirmation: the same rules as a rollback.
    const unconfirmed = await rollback(url, dir, ['--version=1.3.0', '--restore-data', '--execute']);
    assert.equal(unconfirmed.code, 4, unconfirmed.stderr);
    const no = await runOnTerminal(['--version=1.3.0', '--restore-data', '--execute', `--migrations=${dir}`], 'no', { databaseUrl: url });
    assert.equal(no.code, 3, no.screen);
    assert.ok(no.prompted, no.screen);
    assert.deepEqual(await databaseState(url), state, 'nothing changed before "yes"');

    const done = await rollback(url, dir, ['--version=1.3.0', '--restore-data', '--execute', '--yes', '--json']);
    assert.equal(done.code, 0, done.stderr);
    const result = JSON.parse(done.stdout) as { ok: boolean; action: string; restore: unknown; rollback: { rollbackAppliedAt: string | null } };
    assert.equal(result.action, 'execute');
    assert.notEqual(result.rollback.rollbackAppliedAt, null);
    assert.ok(result.restore, 'the preview is in the outcome');
    assert.deepEqual(await query(url, LEGACY), before.filter((r) => r.user_id !== 'u1'), 'every row still there has its value back');
    assert.deepEqual(await query(url, `SELECT legacy_field FROM wishlist_items WHERE user_id LIKE 'new%'`), [
      { legacy_field: null },
      { legacy_field: null },
    ]);
    assert.notEqual((await schemaVersion(url, '1.3.0')).rollback_applied_at, null);
    assert.deepEqual(await archiveTables(url), [], 'the archive table is dropped with the restore');
    // Drizzle's record is gone too: db:migrate:apply applies the migration again.
    const again = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(await columnExists(url, 'wishlist_items', 'legacy_field'), false);
  });

  test('refusals: RESTORE_CONFLICT (18), then a range mixing SAFE and restorable versions in one transaction', async () => {
    const { url, dir } = await applied(
      'restore_cli_conflict',
      `CREATE TABLE strict (id int PRIMARY KEY, must text NOT NULL);
       INSERT INTO strict SELECT g, 'm' || g FROM generate_series(1, 30) g;`,
      [
        { tag: '0005_drop_must', version: '1.3.0', sql: 'ALTER TABLE strict DROP COLUMN must;\n' },
        { tag: '0006_extra', version: '1.4.0', sql: 'ALTER TABLE strict ADD COLUMN extra int;\n' },
      ],
    );
    await query(url, 'INSERT INTO strict (id) VALUES (100), (101)');
    const state = await databaseState(url);

    const preview = await rollback(url, dir, ['--steps=2', '--restore-data']);
    assert.equal(preview.code, 18, preview.stderr);
    assert.match(preview.stdout, /\[1\/2\] Version 1\.4\.0 \(0006_extra\.sql\), marked as SAFE\n  Its rollback is SAFE: no data to restore, its ordinary rollback runs:\nALTER TABLE strict DROP COLUMN extra;/);
    assert.match(preview.stdout, /2 rows inserted since the migration would conflict: NOT NULL without default/);
    assert.match(preview.stdout, /✗ would refuse: RESTORE_CONFLICT 2 rows of public\.strict were inserted since the migration/);
    assert.match(preview.stderr, /✗ RESTORE_CONFLICT: Cannot restore version 1\.3\.0: 2 rows of public\.strict were inserted/);

    const refused = await rollback(url, dir, ['--steps=2', '--restore-data', '--execute', '--yes', '--json']);
    assert.equal(refused.code, 18, refused.stderr);
    const doc = JSON.parse(refused.stdout) as { ok: boolean; error: { code: string }; restore: { refusals: { code: string }[] } };
    assert.equal(doc.ok, false);
    assert.equal(doc.error.code, 'RESTORE_CONFLICT');
    assert.deepEqual(doc.restore.refusals.map((r) => r.code), ['RESTORE_CONFLICT']);
    assert.deepEqual(await databaseState(url), state, 'a refused restore changes nothing');

    // Once the rows written since are gone, both run in one transaction: 1.4.0 by its rollback, 1.3.0 by its restore.
    await query(url, 'DELETE FROM strict WHERE id >= 100');
    const done = await rollback(url, dir, ['--steps=2', '--restore-data', '--execute', '--yes']);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /✓ 1\.4\.0 \(0006_extra\.sql\) rolled back at/);
    assert.match(done.stdout, /✓ Restore completed successfully/);
    assert.equal(await columnExists(url, 'strict', 'extra'), false);
    const rows = await query<{ id: number; must: string }>(url, 'SELECT id, must FROM strict ORDER BY id');
    assert.equal(rows.length, 30);
    assert.ok(rows.every((r) => r.must === `m${r.id}`), JSON.stringify(rows.slice(0, 3)));
  });

  test('ARCHIVE_MISSING (19) and RESTORE_NOT_AVAILABLE (20) exit non-zero with their codes and change nothing', async () => {
    const { url, dir } = await applied(
      'restore_cli_missing',
      `CREATE TABLE kept (id int PRIMARY KEY, k text); INSERT INTO kept VALUES (1, 'a');
       CREATE TABLE nokey (a int, b text); INSERT INTO nokey VALUES (1, 'b');`,
      [
        { tag: '0005_drop_k', version: '1.3.0', sql: 'ALTER TABLE kept DROP COLUMN k;\n' },
        { tag: '0006_drop_b', version: '1.4.0', sql: 'ALTER TABLE nokey DROP COLUMN b;\n' },
      ],
    );
    const state = await databaseState(url);
    const none = await rollback(url, dir, ['--version=1.4.0', '--restore-data', '--execute', '--yes']);
    assert.equal(none.code, 20, none.stderr);
    assert.match(none.stderr, /✗ RESTORE_NOT_AVAILABLE: No restore is available for version 1\.4\.0: .*no primary key/);
    assert.deepEqual(await databaseState(url), state);

    // 1.4.0 is applied after it: a restore out of order needs --force, and the preview says so.
    const later = await rollback(url, dir, ['--version=1.3.0', '--restore-data']);
    assert.equal(later.code, 0, later.stderr);
    assert.match(later.stdout, /⚠ needs --force: ROLLBACK_OUT_OF_ORDER/);
    assert.match(later.stdout, /To execute, run: pnpm db:rollback --version=1\.3\.0 --restore-data --execute --force/);
    const unforced = await rollback(url, dir, ['--version=1.3.0', '--restore-data', '--execute', '--yes']);
    assert.equal(unforced.code, 15, unforced.stderr);

    await query(url, 'DROP TABLE pgrollback_archive."1.3.0/1"');
    const missing = await rollback(url, dir, ['--version=1.3.0', '--restore-data', '--execute', '--yes', '--force']);
    assert.equal(missing.code, 19, missing.stderr);
    assert.match(missing.stdout, /✗ would refuse: ARCHIVE_MISSING/);
    assert.match(missing.stderr, /✗ ARCHIVE_MISSING: The archive of version 1\.3\.0 is gone/);
    assert.equal(await columnExists(url, 'kept', 'k'), false);
  });
});
