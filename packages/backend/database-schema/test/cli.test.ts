// The CLIs beyond the Test Plan: usage, exit codes, --json, list, backfill, failing migrations,
// the pnpm scripts, agreement with drizzle-kit's own migrator, and the embedded PostgreSQL.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import {
  addMigrations,
  columnExists,
  databaseState,
  drizzleMigrations,
  expectedDrizzleRows,
  migrationsFolder,
  PACKAGE_DIR,
  usePostgres,
  query,
  run,
  runOnTerminal,
  runPnpm,
  schemaVersion,
  schemaVersions,
  tempDir,
} from './helpers.js';
import { startEmbeddedPostgres } from '../src/addon.js';

const BASE = ['0000_schema_versions', '0001_rollback_columns', '0002_rollback_plan', '0003_wishlist_items', '0004_archive'];

const { freshDatabase } = usePostgres();

describe('usage', () => {
  test('--help documents the commands and exit codes, without a database', async () => {
    const help = await run('rollback', ['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /pnpm db:rollback --version=X\.Y\.Z --execute/);
    assert.match(help.stdout, /pnpm db:rollback list/);
    assert.match(help.stdout, /pnpm db:rollback backfill/);
    assert.match(help.stdout, /Exit codes:\n {2}0 /);
    assert.match(help.stdout, /\n {2}15 +later migrations are applied and not rolled back/);
    assert.match(help.stdout, /\n {2}16 +the stored rollback script changed after it was shown/);
    assert.match(help.stdout, /--lock-timeout=MS +lock_timeout for the rollback \(0 = no limit\)/);
    // Re-application is promised only for the newest migration.
    assert.match(help.stdout, /applies a rolled-back migration again only when no later migration is applied/);
    const migrateHelp = await run('migrate', ['-h']);
    assert.equal(migrateHelp.code, 0);
    assert.match(migrateHelp.stdout, /pnpm db:migrate:apply/);
    assert.match(migrateHelp.stdout, /-- version: X\.Y\.Z/);
  });

  for (const [args, message] of [
    [[], /Missing --version=X\.Y\.Z/],
    [['--version='], /--version must not be empty/],
    [['--version=1.0.0', '--bogus'], /Unknown option '--bogus'/],
    [['--version=1.0.0', '--yes'], /--yes only applies with --execute/],
    [['--version=1.0.0', '--force'], /--force only applies with --execute/],
    [['list', '--execute'], /--execute cannot be used with "list"/],
    [['rollback-everything'], /Unknown command "rollback-everything"/],
    [['--version=1.0.0', '--execute', '--lock-timeout=soon'], /--lock-timeout must be a whole number of milliseconds from 0/],
    [['--version=1.0.0', '--execute', '--statement-timeout=-1'], /--statement-timeout must be a whole number/],
    [['--version=1.0.0', '--execute', '--lock-timeout=2147483648'], /--lock-timeout must be a whole number/],
  ] as const) {
    test(`db:rollback ${args.join(' ') || '(no arguments)'}: exit 2`, async () => {
      const result = await run('rollback', [...args]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stdout, '');
    });
  }
});

describe('database errors', () => {
  test('unknown version: exit 7', async () => {
    const url = await freshDatabase('unknown');
    assert.equal((await run('migrate', [], { databaseUrl: url })).code, 0);
    const result = await run('rollback', ['--version=9.9.9'], { databaseUrl: url });
    assert.equal(result.code, 7, result.stderr);
    assert.match(result.stderr, /9\.9\.9/);
  });

  test('no schema_versions table: exit 10, naming the migration that creates it', async () => {
    const url = await freshDatabase('nosv');
    const result = await run('rollback', ['list'], { databaseUrl: url });
    assert.equal(result.code, 10, result.stderr);
    assert.match(result.stderr, /schema_versions/);
  });

  test('unreachable database: exit 9, host and port named, password not shown', async () => {
    const result = await run('rollback', ['list', '--database-url=postgres://someone:s3cret-pw@127.0.0.1:1/nowhere']);
    assert.equal(result.code, 9, result.stderr);
    assert.match(result.stderr, /127\.0\.0\.1/);
    assert.doesNotMatch(result.stderr + result.stdout, /s3cret-pw/);
  });

  test('--database-url wins over DATABASE_URL', async () => {
    const url = await freshDatabase('override');
    assert.equal((await run('migrate', [], { databaseUrl: url })).code, 0);
    const result = await run('rollback', ['list', `--database-url=${url}`], {
      databaseUrl: 'postgres://nobody@127.0.0.1:1/nowhere',
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^1\.2\.0 /m);
  });
});

describe('--json', () => {
  test('preview, execute, list and errors print one JSON document on stdout', async () => {
    const dir = migrationsFolder([{ tag: '0004_notes', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT;\n' }]);
    const url = await freshDatabase('json');
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);

    const preview = await run('rollback', ['--version=1.3.0', '--json'], { databaseUrl: url });
    assert.equal(preview.code, 0, preview.stderr);
    const previewed = JSON.parse(preview.stdout);
    assert.equal(previewed.ok, true);
    assert.equal(previewed.action, 'preview');
    assert.equal(previewed.rollback.rollbackScript, 'ALTER TABLE wishlist_items DROP COLUMN notes;\n');
    assert.equal(previewed.rollback.rollbackSafe, true);
    assert.equal(previewed.rollback.rollbackAppliedAt, null);
    assert.equal(previewed.executeCommand, 'pnpm db:rollback --version=1.3.0 --execute');

    const executed = await run('rollback', ['--version=1.3.0', '--execute', '--yes', '--json', `--migrations=${dir}`], {
      databaseUrl: url,
    });
    assert.equal(executed.code, 0, executed.stderr);
    const done = JSON.parse(executed.stdout);
    assert.equal(done.action, 'execute');
    assert.equal(typeof done.rollback.rollbackAppliedAt, 'string');
    assert.equal(done.drizzleHash, expectedDrizzleRows(dir, ['0004_notes'])[0]!.hash);
    assert.equal(await columnExists(url, 'wishlist_items', 'notes'), false);

    const again = await run('rollback', ['--version=1.3.0', '--execute', '--yes', '--json'], { databaseUrl: url });
    assert.equal(again.code, 8);
    assert.deepEqual(JSON.parse(again.stdout).error, {
      code: 'ALREADY_ROLLED_BACK',
      message: 'Migration 1.3.0 has already been rolled back',
    });

    const listed = await run('rollback', ['list', '--json'], { databaseUrl: url });
    assert.equal(listed.code, 0, listed.stderr);
    const versions = JSON.parse(listed.stdout).rollbacks.map((r: { version: string }) => r.version).sort();
    assert.deepEqual(versions, ['1.0.0', '1.1.0', '1.1.1', '1.2.0', '1.2.1', '1.3.0']);
  });
});

describe('list', () => {
  test('shows every version with applied and rolled-back times, safety and whether a script exists', async () => {
    const dir = migrationsFolder([
      { tag: '0004_drop_legacy', version: '1.3.0', sql: 'ALTER TABLE wishlist_items DROP COLUMN legacy_field;\n' },
      { tag: '0005_notes', version: '1.4.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT;\n' },
    ]);
    const url = await freshDatabase('list');
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);
    assert.equal(
      (await run('rollback', ['--version=1.4.0', '--execute', '--yes', `--migrations=${dir}`], { databaseUrl: url })).code,
      0,
    );
    const result = await run('rollback', ['list'], { databaseUrl: url });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^VERSION +MIGRATION FILE +APPLIED AT +ROLLED BACK AT +SAFETY +SCRIPT +ARCHIVE +STATUS$/);
    const byVersion = new Map(lines.slice(1).map((l) => [l.split(/ +/)[0], l.split(/ {2,}/)]));
    assert.deepEqual([...byVersion.keys()].sort(), ['1.0.0', '1.1.0', '1.1.1', '1.2.0', '1.2.1', '1.3.0', '1.4.0']);
    const [, file13, , rolledBack13, safety13, script13] = byVersion.get('1.3.0')!;
    assert.deepEqual([file13, rolledBack13, safety13, script13], ['0004_drop_legacy.sql', '-', 'UNSAFE', 'none']);
    const [, file14, applied14, rolledBack14, safety14, script14] = byVersion.get('1.4.0')!;
    assert.equal(file14, '0005_notes.sql');
    assert.match(applied14!, /^\d{4}-\d\d-\d\d/);
    assert.match(rolledBack14!, /^\d{4}-\d\d-\d\d/);
    assert.deepEqual([safety14, script14], ['SAFE', 'yes']);
  });
});

describe('a version with shell characters', () => {
  test('the printed "To execute" command works when pasted into a shell', async () => {
    const dir = migrationsFolder([{ tag: '0004_quote', version: "2.0.0-o'brien;$x", sql: 'ALTER TABLE wishlist_items ADD COLUMN q TEXT;\n' }]);
    const url = await freshDatabase('quote');
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);
    const preview = await run('rollback', ["--version=2.0.0-o'brien;$x", `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(preview.code, 0, preview.stderr);
    const command = /^To execute, run: (.*)$/m.exec(preview.stdout)![1]!;
    assert.equal(command, `pnpm db:rollback --version='2.0.0-o'\\''brien;$x' --execute`);
    const pasted = spawnSync('sh', ['-c', `${command} --yes --migrations=${dir}`], {
      cwd: PACKAGE_DIR,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: url },
    });
    assert.equal(pasted.status, 0, pasted.stderr);
    assert.equal(await columnExists(url, 'wishlist_items', 'q'), false);
  });
});

describe('a rollback that fails', () => {
  test('blocked past --lock-timeout by a session holding the table: exit 13, nothing changed', async () => {
    const dir = migrationsFolder([{ tag: '0004_notes', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT;\n' }]);
    const url = await freshDatabase('locked');
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);
    const before = await databaseState(url);
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE wishlist_items IN ACCESS SHARE MODE');
      const result = await run('rollback', ['--version=1.3.0', '--execute', '--yes', '--lock-timeout=100', `--migrations=${dir}`], {
        databaseUrl: url,
      });
      assert.equal(result.code, 13, result.stderr);
      assert.match(result.stderr, /55P03/);
      // --version runs as a selection of one: the message also names Drizzle's table, which is unchanged too.
      assert.match(result.stderr, /The transaction was rolled back: schema, schema_versions and drizzle\.__drizzle_migrations are unchanged\n/);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    assert.deepEqual(await databaseState(url), before);
    assert.equal((await schemaVersion(url, '1.3.0')).rollback_applied_at, null);
  });
});

describe('rolling back out of order', () => {
  const migrations = [
    { tag: '0004_notes', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT;\n' },
    { tag: '0005_rating', version: '1.4.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN rating INT;\n' },
  ];

  test('a migration under a later applied one: preview warns, --execute refuses (exit 15); in order it works', async () => {
    const dir = migrationsFolder(migrations);
    const url = await freshDatabase('order');
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);

    const preview = await run('rollback', ['--version=1.3.0', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /⚠ Warning: later version 1\.4\.0 \(0005_rating\.sql\) is applied and not rolled back\. Roll them back first/);
    const json = await run('rollback', ['--version=1.3.0', '--json', `--migrations=${dir}`], { databaseUrl: url });
    assert.deepEqual(JSON.parse(json.stdout).laterVersions, [{ version: '1.4.0', migrationFile: '0005_rating.sql' }]);

    const before = await databaseState(url);
    const refused = await run('rollback', ['--version=1.3.0', '--execute', '--yes', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(refused.code, 15, refused.stderr);
    assert.ok(
      refused.stderr.includes(
        '✗ Refusing to roll back version 1.3.0 out of order: later version 1.4.0 (0005_rating.sql) is applied and not rolled back. ' +
          'Roll them back first, or pass --force to roll back out of order. Nothing was changed.',
      ),
      refused.stderr,
    );
    assert.doesNotMatch(refused.stdout, /Executing rollback/);
    assert.match(refused.stderr, /To roll back version 1\.3\.0 and every later one in one transaction: pnpm db:rollback --to=1\.2\.1 --execute/);
    assert.deepEqual(await databaseState(url), before);

    // Newest first; timeouts of 0 mean no limit.
    for (const version of ['1.4.0', '1.3.0']) {
      const done = await run(
        'rollback',
        [`--version=${version}`, '--execute', '--yes', '--lock-timeout=0', '--statement-timeout=0', `--migrations=${dir}`],
        { databaseUrl: url },
      );
      assert.equal(done.code, 0, done.stderr);
      assert.doesNotMatch(done.stderr, /Warning/);
    }
    assert.deepEqual(await drizzleMigrations(url), expectedDrizzleRows(dir, BASE));
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);
    assert.equal(await columnExists(url, 'wishlist_items', 'notes'), true);
    assert.equal(await columnExists(url, 'wishlist_items', 'rating'), true);
  });

  test('--force rolls back out of order, and warns that Drizzle will not re-apply it', async () => {
    const dir = migrationsFolder(migrations);
    const url = await freshDatabase('order_force');
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);
    const forced = await run('rollback', ['--version=1.3.0', '--execute', '--yes', '--force', `--migrations=${dir}`], {
      databaseUrl: url,
    });
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stderr, /⚠ Warning: rolling back out of order \(--force\): later version 1\.4\.0 \(0005_rating\.sql\)/);
    assert.match(forced.stderr, /db:migrate:apply will not apply version 1\.3\.0 again by itself/);
    assert.equal(await columnExists(url, 'wishlist_items', 'notes'), false);
    // As warned: Drizzle's newest record is 0005, so 0004 is not pending for it.
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);
    assert.equal(await columnExists(url, 'wishlist_items', 'notes'), false);
  });
});

describe('the script shown is the script executed', () => {
  test('replaced while the prompt waits (e.g. by a backfill): exit 16, nothing runs', async () => {
    const dir = migrationsFolder([{ tag: '0004_notes', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT;\n' }]);
    const url = await freshDatabase('replaced');
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);
    let before: unknown;
    const answered = await runOnTerminal(['--version=1.3.0', '--execute', `--migrations=${dir}`], 'yes', {
      databaseUrl: url,
      whilePrompting: async () => {
        await query(
          url,
          `UPDATE schema_versions SET rollback_script = 'ALTER TABLE wishlist_items DROP COLUMN user_id;' || chr(10) WHERE version = '1.3.0'`,
        );
        before = await databaseState(url);
      },
    });
    assert.equal(answered.prompted, true, answered.screen);
    assert.equal(answered.code, 16, answered.screen);
    assert.ok(answered.screen.includes('is no longer the one that was shown'), answered.screen);
    assert.ok(!answered.screen.includes('✓ Rollback completed'), answered.screen);
    assert.deepEqual(await databaseState(url), before);
    assert.equal(await columnExists(url, 'wishlist_items', 'user_id'), true);
    assert.equal(await columnExists(url, 'wishlist_items', 'notes'), true);
  });
});

describe('a migration file edited after it was applied', () => {
  test('the rollback runs and warns that Drizzle\'s record was not found (no automatic re-application)', async () => {
    const dir = migrationsFolder([{ tag: '0004_notes', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT;\n' }]);
    const url = await freshDatabase('edited');
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);
    fs.appendFileSync(path.join(dir, '0004_notes.sql'), '-- edited afterwards\n');
    const executed = await run('rollback', ['--version=1.3.0', '--execute', '--yes', '--json', `--migrations=${dir}`], {
      databaseUrl: url,
    });
    assert.equal(executed.code, 0, executed.stderr);
    assert.equal(JSON.parse(executed.stdout).drizzleRowDeleted, false);
    assert.match(executed.stderr, /⚠ Warning: drizzle\.__drizzle_migrations has no row with the hash of 0004_notes\.sql/);
    assert.match(executed.stderr, /db:migrate:apply will not apply version 1\.3\.0 again automatically/);
    assert.equal(await columnExists(url, 'wishlist_items', 'notes'), false);
    assert.equal((await drizzleMigrations(url)).length, 6, 'Drizzle still records the original file');
  });
});

describe('execute without the migration file', () => {
  test('rolls back, warns, and keeps Drizzle\'s record (db:migrate:apply will not re-apply it)', async () => {
    const dir = migrationsFolder([{ tag: '0004_notes', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT;\n' }]);
    const url = await freshDatabase('nofile');
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);
    // The package's own folder has no 0004_notes.sql.
    const executed = await run('rollback', ['--version=1.3.0', '--execute', '--yes'], { databaseUrl: url });
    assert.equal(executed.code, 0, executed.stderr);
    assert.match(executed.stderr, /⚠ Warning: migration file 0004_notes\.sql is not in .*src\/migrations; Drizzle's record of it/);
    assert.equal(await columnExists(url, 'wishlist_items', 'notes'), false);
    assert.ok((await schemaVersion(url, '1.3.0')).rollback_applied_at instanceof Date);
    assert.deepEqual(await drizzleMigrations(url), expectedDrizzleRows(dir, [...BASE, '0004_notes']));
  });
});

describe('backfill', () => {
  test('generates scripts for rows without one whose file is present, and reports the rest', async () => {
    const dir = migrationsFolder([{ tag: '0004_notes', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT;\n' }]);
    const url = await freshDatabase('backfill');
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);
    // Rows as a tool without rollback generation would have written them.
    await query(url, `UPDATE schema_versions SET rollback_script = NULL, rollback_safe = false WHERE version = '1.3.0'`);
    await query(url, `INSERT INTO schema_versions (version, migration_file) VALUES ('0.9.0', '0000_gone.sql')`);

    const result = await run('rollback', ['backfill', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^✓ 1\.3\.0 \(0004_notes\.sql\): rollback script generated, marked as SAFE$/m);
    assert.ok(result.stdout.includes(`- 0.9.0 (0000_gone.sql): migration file not found in ${dir}, skipped`), result.stdout);
    assert.match(result.stdout, /Backfill: 1 generated, 1 already had a script, 4 without a reversible statement, 1 without a migration file, 0 already rolled back\./);
    const row = await schemaVersion(url, '1.3.0');
    assert.equal(row.rollback_script, 'ALTER TABLE wishlist_items DROP COLUMN notes;\n');
    assert.equal(row.rollback_safe, true);
    assert.equal((await schemaVersion(url, '0.9.0')).rollback_script, null);

    // The backfilled script works.
    const executed = await run('rollback', ['--version=1.3.0', '--execute', '--yes', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(executed.code, 0, executed.stderr);
    assert.equal(await columnExists(url, 'wishlist_items', 'notes'), false);
  });
});

describe('db:migrate:apply', () => {
  test('stores every migration of the package, including those that ran before schema_versions existed', async () => {
    const url = await freshDatabase('base');
    const result = await run('migrate', [], { databaseUrl: url });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Applied 0000_schema_versions\.sql \(version 1\.0\.0\)\n {2}rollback script not stored yet/);
    assert.match(result.stdout, /Recorded 0000_schema_versions\.sql \(version 1\.0\.0\) in schema_versions/);
    assert.match(result.stdout, /✓ 5 migration\(s\) applied, 0 already applied, 1 recorded in schema_versions after the fact\.\n/);
    const rows = await schemaVersions(url);
    assert.deepEqual(rows.map((r) => r.version).sort(), ['1.0.0', '1.1.0', '1.1.1', '1.2.0', '1.2.1']);
    const wishlist = rows.find((r) => r.version === '1.2.0')!;
    assert.equal(wishlist.migration_file, '0003_wishlist_items.sql');
    assert.equal(wishlist.description, 'Create the wishlist_store enum and the wishlist_items table');
    assert.equal(wishlist.rollback_safe, true);
    assert.match(wishlist.rollback_script!, /DROP TABLE "?wishlist_items"?;\n.*DROP TYPE "?public"?\."?wishlist_store"?;\n$/s);
    assert.equal(wishlist.applied_by, os.userInfo().username);
    assert.deepEqual(await drizzleMigrations(url), expectedDrizzleRows(path.join(PACKAGE_DIR, 'src/migrations'), BASE));
  });

  test('version from the journal tag when the file has no "-- version:" line', async () => {
    const dir = migrationsFolder();
    addMigrations(dir, [{ tag: '0004_untagged', version: 'unused', sql: '' }]);
    fs.writeFileSync(path.join(dir, '0004_untagged.sql'), 'ALTER TABLE wishlist_items ADD COLUMN untagged TEXT;\n');
    const url = await freshDatabase('tagver');
    const result = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await schemaVersion(url, '0004_untagged')).description, '0004_untagged');
  });

  test('a failing migration: exit 12, nothing of it applied, earlier ones kept', async () => {
    const dir = migrationsFolder([
      { tag: '0004_notes', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT;\n' },
      {
        tag: '0005_broken',
        version: '1.4.0',
        sql: 'ALTER TABLE wishlist_items ADD COLUMN half_done TEXT;\nALTER TABLE no_such_table ADD COLUMN x TEXT;\n',
      },
    ]);
    const url = await freshDatabase('failing');
    const result = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
    assert.equal(result.code, 12, result.stderr);
    assert.match(result.stderr, /Migration 0005_broken\.sql \(version 1\.4\.0\) failed: /);
    assert.match(result.stderr, /no_such_table/);
    assert.equal(await columnExists(url, 'wishlist_items', 'notes'), true);
    assert.equal(await columnExists(url, 'wishlist_items', 'half_done'), false);
    assert.deepEqual((await schemaVersions(url)).map((r) => r.version).sort(), ['1.1.0', '1.1.1', '1.2.0', '1.2.1', '1.3.0']);
    assert.deepEqual(await drizzleMigrations(url), expectedDrizzleRows(dir, [...BASE, '0004_notes']));
  });

  test('SQL that does not parse: exit 11 before the database is touched', async () => {
    const dir = migrationsFolder([{ tag: '0004_typo', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN;\n' }]);
    const url = await freshDatabase('parse');
    const result = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
    assert.equal(result.code, 11, result.stderr);
    assert.ok(result.stderr.includes(`Cannot parse ${path.join(dir, '0004_typo.sql')}`), result.stderr);
    assert.deepEqual(await query(url, `SELECT to_regclass('schema_versions') AS t`), [{ t: null }]);
  });

  test('missing journal or migration file: exit 11', async () => {
    const empty = tempDir('db-schema-empty-');
    const noJournal = await run('migrate', [`--migrations=${empty}`], { databaseUrl: 'postgres://nobody@127.0.0.1:1/x' });
    assert.equal(noJournal.code, 11);
    assert.match(noJournal.stderr, /Cannot read the migrations journal .*_journal\.json/);

    const dir = migrationsFolder();
    fs.rmSync(path.join(dir, '0001_rollback_columns.sql'));
    const noFile = await run('migrate', [`--migrations=${dir}`], { databaseUrl: 'postgres://nobody@127.0.0.1:1/x' });
    assert.equal(noFile.code, 11);
    assert.match(noFile.stderr, /0001_rollback_columns\.sql \(journal tag "0001_rollback_columns"\) not found/);
  });

  test('two files with the same version: exit 11', async () => {
    const dir = migrationsFolder([
      { tag: '0004_a', version: '1.3.0', sql: 'SELECT 1;\n' },
      { tag: '0005_b', version: '1.3.0', sql: 'SELECT 1;\n' },
    ]);
    const result = await run('migrate', [`--migrations=${dir}`], { databaseUrl: 'postgres://nobody@127.0.0.1:1/x' });
    assert.equal(result.code, 11);
    assert.match(result.stderr, /0004_a\.sql and 0005_b\.sql both have version 1\.3\.0/);
  });
});

describe('agreement with drizzle-kit migrate', () => {
  function drizzleKitMigrate(dir: string, url: string) {
    const config = path.join(dir, 'drizzle.config.json');
    fs.writeFileSync(config, JSON.stringify({ dialect: 'postgresql', out: dir, dbCredentials: { url } }));
    return spawnSync(path.join(PACKAGE_DIR, 'node_modules', '.bin', 'drizzle-kit'), ['migrate', `--config=${config}`], {
      cwd: PACKAGE_DIR,
      encoding: 'utf8',
    });
  }

  test('after db:migrate:apply, drizzle-kit migrate has nothing to apply', async () => {
    const dir = migrationsFolder([{ tag: '0004_notes', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT;\n' }]);
    const url = await freshDatabase('kit1');
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);
    const before = await databaseState(url);
    const kit = drizzleKitMigrate(dir, url);
    assert.equal(kit.status, 0, kit.stdout + kit.stderr);
    assert.deepEqual(await databaseState(url), before);
  });

  test('after drizzle-kit migrate, db:migrate:apply applies only the new migration and records the others', async () => {
    const dir = migrationsFolder();
    const url = await freshDatabase('kit2');
    const kit = drizzleKitMigrate(dir, url);
    assert.equal(kit.status, 0, kit.stdout + kit.stderr);
    addMigrations(dir, [{ tag: '0004_notes', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT;\n' }]);
    const result = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /✓ 1 migration\(s\) applied, 5 already applied, 5 recorded in schema_versions after the fact\.\n/);
    assert.deepEqual(await drizzleMigrations(url), expectedDrizzleRows(dir, [...BASE, '0004_notes']));
    assert.deepEqual((await schemaVersions(url)).map((r) => r.version).sort(), ['1.0.0', '1.1.0', '1.1.1', '1.2.0', '1.2.1', '1.3.0']);

    // A rollback through the CLI is then seen by drizzle-kit too: it re-applies the migration.
    assert.equal((await run('rollback', ['--version=1.3.0', '--execute', '--yes', `--migrations=${dir}`], { databaseUrl: url })).code, 0);
    assert.equal(await columnExists(url, 'wishlist_items', 'notes'), false);
    const again = drizzleKitMigrate(dir, url);
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.equal(await columnExists(url, 'wishlist_items', 'notes'), true);
  });
});

describe('pnpm scripts', () => {
  test('`pnpm db:migrate:apply` and `pnpm db:rollback --version=...` as a user types them', async () => {
    const url = await freshDatabase('pnpm');
    const applied = await runPnpm(['db:migrate:apply', '--generate-rollback'], url);
    assert.equal(applied.code, 0, applied.stderr);
    const preview = await runPnpm(['db:rollback', '--version=1.2.0'], url);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /^Rollback script for version 1\.2\.0:\n/m);
    assert.match(preview.stdout, /^To execute, run: pnpm db:rollback --version=1\.2\.0 --execute$/m);
  });
});

describe('embedded PostgreSQL (no DATABASE_URL)', () => {
  test('the CLIs say so and keep their data in the given directory', async () => {
    const dir = tempDir('db-schema-pglite-');
    const migrations = migrationsFolder([{ tag: '0005_notes', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT;\n' }]);
    const applied = await run('migrate', [`--pglite-dir=${dir}`, `--migrations=${migrations}`]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.ok(applied.stderr.includes(`DATABASE_URL is not set: using the embedded PostgreSQL (PGlite) in ${dir}`), applied.stderr);
    const executed = await run('rollback', ['--version=1.3.0', '--execute', '--yes', `--pglite-dir=${dir}`, `--migrations=${migrations}`]);
    assert.equal(executed.code, 0, executed.stderr);
    assert.match(executed.stdout, /✓ Rollback completed successfully/);
    const listed = await run('rollback', ['list', '--json', `--pglite-dir=${dir}`]);
    assert.equal(listed.code, 0, listed.stderr);
    const rows = JSON.parse(listed.stdout).rollbacks as { version: string; rollbackAppliedAt: string | null }[];
    assert.equal(typeof rows.find((r) => r.version === '1.3.0')!.rollbackAppliedAt, 'string');
  });

  test('a data directory in use by another process: exit 9, naming the process', async () => {
    const dir = tempDir('db-schema-pglite-busy-');
    const held = await startEmbeddedPostgres(dir);
    try {
      const result = await run('rollback', ['list', '--json', `--pglite-dir=${dir}`]);
      assert.equal(result.code, 9, result.stderr);
      assert.ok(result.stderr.includes(`is in use by process ${process.pid}`), result.stderr);
      assert.equal(JSON.parse(result.stdout).error.code, 'DATA_DIRECTORY_IN_USE');
    } finally {
      await held.stop();
    }
    const result = await run('rollback', ['list', `--pglite-dir=${dir}`]);
    assert.equal(result.code, 10, result.stderr);
  });

  test('pnpm demo runs start to finish, twice', async () => {
    const dir = tempDir('db-schema-demo-');
    for (let i = 0; i < 2; i++) {
      const demo = await run('demo', [`--pglite-dir=${dir}`]);
      assert.equal(demo.code, 0, demo.stdout + demo.stderr);
      assert.match(demo.stdout, /✓ Rollback completed successfully/);
      assert.match(demo.stdout, /✓ Demo finished\./);
    }
  });
});

describe('pnpm demo on DATABASE_URL', () => {
  test('uses the configured database instead of the embedded one', async () => {
    const url = await freshDatabase('demo');
    const demo = await run('demo', [], { databaseUrl: url });
    assert.equal(demo.code, 0, demo.stdout + demo.stderr);
    assert.match(demo.stdout, /✓ Demo finished on \$DATABASE_URL\./);
    assert.ok(!demo.stderr.includes('embedded PostgreSQL'), demo.stderr);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const rows = await client.query('SELECT version, rollback_applied_at FROM schema_versions ORDER BY id');
      assert.ok(rows.rows.some((r) => r.version === '1.3.0' && r.rollback_applied_at !== null), JSON.stringify(rows.rows));
    } finally {
      await client.end();
    }
  });
});

describe('db:migrate:apply --dry-run', () => {
  test('prints the rollback each pending migration would store, from the live state, and changes nothing', async () => {
    const dir = migrationsFolder();
    const url = await freshDatabase('dryrun');
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);
    await query(url, `CREATE INDEX items_url ON wishlist_items (url); ALTER TABLE wishlist_items ALTER COLUMN url SET DEFAULT 'https://'`);
    addMigrations(dir, [
      { tag: '0004_defaults', version: '1.3.0', sql: "ALTER TABLE wishlist_items ALTER COLUMN url SET DEFAULT 'about:blank';\nDROP INDEX items_url;\n" },
      { tag: '0005_notes', version: '1.4.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT;\nALTER TABLE wishlist_items DROP COLUMN legacy_field;\n' },
    ]);
    const before = await databaseState(url);
    const drizzleBefore = await drizzleMigrations(url);

    const result = await run('migrate', ['--dry-run', '--lock-timeout=5000', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Dry run: 2 pending migration\(s\); nothing is changed\./);
    assert.ok(
      result.stdout.includes(
        '0004_defaults.sql (version 1.3.0): rollback marked as SAFE\n' +
          '  CREATE INDEX items_url ON public.wishlist_items USING btree (url);\n' +
          "  ALTER TABLE wishlist_items ALTER COLUMN url SET DEFAULT 'https://'::text;\n",
      ),
      result.stdout,
    );
    assert.match(result.stdout, /0005_notes\.sql \(version 1\.4\.0\): rollback marked as UNSAFE\n {2}ALTER TABLE wishlist_items DROP COLUMN notes;\n {2}⚠ Warning: Cannot auto-generate rollback for DROP COLUMN \(data loss\) \(line 3, column 1\)/);
    assert.match(result.stdout, /✓ Dry run finished; the transaction was rolled back and nothing was changed\./);
    assert.deepEqual(await databaseState(url), before);
    assert.deepEqual(await drizzleMigrations(url), drizzleBefore);

    const json = await run('migrate', ['--dry-run', '--json', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(json.code, 0, json.stderr);
    const pending = JSON.parse(json.stdout).pending;
    assert.deepEqual(pending.map((p: { version: string; rollbackSafe: boolean; stateCaptured: boolean }) => [p.version, p.rollbackSafe, p.stateCaptured]), [
      ['1.3.0', true, true],
      ['1.4.0', false, true],
    ]);

    // What the dry run said is what applying stores.
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);
    assert.equal((await schemaVersion(url, '1.3.0')).rollback_script, pending[0].rollbackScript);
  });

  test('on an empty database the whole journal is planned in one transaction, and nothing is left', async () => {
    const url = await freshDatabase('dryrun_empty');
    const result = await run('migrate', ['--dry-run'], { databaseUrl: url });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Dry run: 5 pending migration\(s\)/);
    assert.match(result.stdout, /0003_wishlist_items\.sql \(version 1\.2\.0\): rollback marked as SAFE/);
    const left = await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'drizzle')`);
    assert.equal(left[0]!.n, 0);
  });

  test('a migration that fails in the dry run: exit 12, naming it, nothing changed', async () => {
    const dir = migrationsFolder([{ tag: '0004_broken', version: '1.3.0', sql: 'ALTER TABLE no_such_table ADD COLUMN x int;\n' }]);
    const url = await freshDatabase('dryrun_fail');
    const result = await run('migrate', ['--dry-run', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(result.code, 12, result.stderr);
    assert.match(result.stderr, /Dry run: Migration 1\.3\.0 failed at statement 1 of 1 \(line 2, column 1\)/);
    assert.match(result.stderr, /no_such_table/);
    const left = await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'drizzle')`);
    assert.equal(left[0]!.n, 0);
  });
});
