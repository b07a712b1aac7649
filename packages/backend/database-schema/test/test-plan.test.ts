// The spec's Test Plan (WISH-20200: Tests 1-6, Edge 1-3), end to end through the real CLIs on a
// throwaway PostgreSQL 15, checking the texts and the database after each step.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  columnExists,
  databaseState,
  drizzleMigrations,
  enumValues,
  expectedDrizzleRows,
  indexExists,
  migrationsFolder,
  usePostgres,
  query,
  run,
  runOnTerminal,
  schemaVersion,
  schemaVersions,
  type ExtraMigration,
} from './helpers.js';

const BASE = ['0000_schema_versions', '0001_rollback_columns', '0002_rollback_plan', '0003_wishlist_items', '0004_archive'];
const PROMPT = 'Are you sure you want to execute this rollback? (yes/no): ';

const { freshDatabase } = usePostgres();

/** A fresh database with the package's migrations plus `extra` applied by `pnpm db:migrate:apply`. */
async function applied(prefix: string, extra: ExtraMigration[]) {
  const url = await freshDatabase(prefix);
  const dir = migrationsFolder(extra);
  const result = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
  assert.equal(result.code, 0, result.stderr);
  return { url, dir, result };
}

async function assertDrizzle(url: string, dir: string, tags: string[]) {
  assert.deepEqual(await drizzleMigrations(url), expectedDrizzleRows(dir, tags));
}

const ADD_TEST_FIELD: ExtraMigration = {
  tag: '0004_add_test_field',
  version: '1.3.0',
  sql: 'ALTER TABLE wishlist_items ADD COLUMN test_field TEXT;\n',
};

describe('Test 1: generate rollback for ADD COLUMN', () => {
  test('apply stores a SAFE DROP COLUMN script; preview shows it; --execute with "yes" removes the column', async () => {
    const { url, dir, result } = await applied('t1', [ADD_TEST_FIELD]);
    assert.match(result.stdout, /Applied 0004_add_test_field\.sql \(version 1\.3\.0\)\n {2}rollback script stored, marked as SAFE\n/);
    // Only the package's own schema_versions migrations warn (they are rolled back by hand).
    assert.doesNotMatch(result.stderr, /Warning: 0004_add_test_field/);
    assert.doesNotMatch(result.stderr, /Warning: (?!000[012]_|0004_archive\.sql )/);
    assert.equal(await columnExists(url, 'wishlist_items', 'test_field'), true);

    const row = await schemaVersion(url, '1.3.0');
    assert.equal(row.rollback_script, 'ALTER TABLE wishlist_items DROP COLUMN test_field;\n');
    assert.match(row.rollback_script!, /DROP COLUMN test_field/);
    assert.equal(row.rollback_safe, true);
    assert.equal(row.rollback_applied_at, null);
    assert.equal(row.migration_file, '0004_add_test_field.sql');
    await assertDrizzle(url, dir, [...BASE, ADD_TEST_FIELD.tag]);

    const preview = await run('rollback', ['--version=1.3.0', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(preview.code, 0, preview.stderr);
    assert.equal(
      preview.stdout,
      'Rollback script for version 1.3.0:\n' +
        'ALTER TABLE wishlist_items DROP COLUMN test_field;\n' +
        '\n' +
        'This rollback is marked as SAFE.\n' +
        'To execute, run: pnpm db:rollback --version=1.3.0 --execute\n' +
        // After the spec's lines: what it costs now (issue 9).
        '\n' +
        'Data at risk (read now, without changing anything):\n' +
        '  ✓ wishlist_items.test_field: no row holds a value (nothing is lost)\n' +
        "Locks (held until the rollback's transaction ends):\n" +
        '  1. ALTER TABLE wishlist_items DROP COLUMN test_field\n' +
        '     ACCESS EXCLUSIVE on wishlist_items (blocks reads and writes)\n' +
        '⚠ Strong locks (ACCESS EXCLUSIVE on wishlist_items): while the rollback waits for one, every later query on ' +
        'that table waits behind it. Add --lock-timeout=MS (e.g. --lock-timeout=5000) to give up instead, then retry.\n',
    );
    assert.equal(await columnExists(url, 'wishlist_items', 'test_field'), true, 'preview must not execute');
    assert.equal((await schemaVersion(url, '1.3.0')).rollback_applied_at, null);

    const executed = await runOnTerminal(['--version=1.3.0', '--execute', `--migrations=${dir}`], 'yes', { databaseUrl: url });
    assert.equal(executed.prompted, true, executed.screen);
    assert.ok(
      executed.screen.includes(
        'Rollback script for version 1.3.0:\n' +
          'ALTER TABLE wishlist_items DROP COLUMN test_field;\n' +
          '\n' +
          `${PROMPT}yes\n` +
          'Executing rollback...\n' +
          '✓ Rollback completed successfully\n',
      ),
      executed.screen,
    );
    assert.equal(executed.code, 0, executed.screen);

    assert.equal(await columnExists(url, 'wishlist_items', 'test_field'), false, 'column removed');
    const after = await schemaVersion(url, '1.3.0');
    assert.ok(after.rollback_applied_at instanceof Date, 'rollback_applied_at set');
    assert.ok(executed.screen.includes('schema_versions.rollback_applied_at for version 1.3.0: '), executed.screen);
    // The rollback also removed Drizzle's record of the migration, and only that one.
    await assertDrizzle(url, dir, BASE);
  });
});

describe('Test 2: generate rollback for CREATE INDEX', () => {
  test('apply stores DROP INDEX idx_test; executing it removes the index', async () => {
    const migration = { tag: '0004_idx_test', version: '1.3.0', sql: 'CREATE INDEX idx_test ON wishlist_items(user_id);\n' };
    const { url, dir, result } = await applied('t2', [migration]);
    assert.match(result.stdout, /Applied 0004_idx_test\.sql \(version 1\.3\.0\)\n {2}rollback script stored, marked as SAFE\n/);
    assert.equal(await indexExists(url, 'idx_test'), true);
    const row = await schemaVersion(url, '1.3.0');
    assert.equal(row.rollback_script, 'DROP INDEX idx_test;\n');
    assert.equal(row.rollback_safe, true);

    const executed = await run(
      'rollback',
      ['--version=1.3.0', '--execute', '--yes', '--lock-timeout=5000', '--statement-timeout=60000', `--migrations=${dir}`],
      { databaseUrl: url },
    );
    assert.equal(executed.code, 0, executed.stderr);
    assert.equal(
      // The cost is printed before the spec's lines, which stay together up to the prompt.
      executed.stdout.slice(executed.stdout.indexOf('Rollback script for version')).split('\n').slice(0, 5).join('\n'),
      'Rollback script for version 1.3.0:\nDROP INDEX idx_test;\n\nExecuting rollback...\n✓ Rollback completed successfully',
    );
    assert.equal(await indexExists(url, 'idx_test'), false, 'index removed');
    assert.ok((await schemaVersion(url, '1.3.0')).rollback_applied_at instanceof Date);
    await assertDrizzle(url, dir, BASE);
  });
});

describe('Test 3: CLI confirmation prompt', () => {
  test('answering "no" executes nothing and leaves rollback_applied_at NULL', async () => {
    const { url, dir } = await applied('t3', [ADD_TEST_FIELD]);
    const before = await databaseState(url);

    const answered = await runOnTerminal(['--version=1.3.0', '--execute', `--migrations=${dir}`], 'no', { databaseUrl: url });
    assert.equal(answered.prompted, true, answered.screen);
    assert.ok(answered.screen.includes(`${PROMPT}no\n`), answered.screen);
    assert.ok(answered.screen.includes('Rollback cancelled. Nothing was changed.'), answered.screen);
    assert.ok(!answered.screen.includes('Executing rollback...'), answered.screen);
    assert.equal(answered.code, 3);

    assert.equal(await columnExists(url, 'wishlist_items', 'test_field'), true);
    assert.equal((await schemaVersion(url, '1.3.0')).rollback_applied_at, null);
    assert.deepEqual(await databaseState(url), before);
  });

  test('only "yes" proceeds: "y" cancels too', async () => {
    const { url, dir } = await applied('t3y', [ADD_TEST_FIELD]);
    const answered = await runOnTerminal(['--version=1.3.0', '--execute', `--migrations=${dir}`], 'y', { databaseUrl: url });
    assert.equal(answered.prompted, true, answered.screen);
    assert.equal(answered.code, 3, answered.screen);
    assert.equal(await columnExists(url, 'wishlist_items', 'test_field'), true);
    assert.equal((await schemaVersion(url, '1.3.0')).rollback_applied_at, null);
  });

  test('Ctrl-C or end of input (Ctrl-D) at the prompt cancels', async () => {
    const { url, dir } = await applied('t3keys', [ADD_TEST_FIELD]);
    const before = await databaseState(url);
    for (const key of ['\x03', '\x04']) {
      const answered = await runOnTerminal(['--version=1.3.0', '--execute', `--migrations=${dir}`], key, {
        databaseUrl: url,
        enter: false,
      });
      assert.equal(answered.prompted, true, answered.screen);
      assert.equal(answered.code, 3, answered.screen);
      assert.ok(answered.screen.includes(`${PROMPT}\n✗ Rollback cancelled. Nothing was changed.\n`), answered.screen);
      assert.deepEqual(await databaseState(url), before);
    }
  });

  test('without a terminal on stdin and without --yes it refuses, even when "yes" is piped in', async () => {
    const { url, dir } = await applied('t3pipe', [ADD_TEST_FIELD]);
    const before = await databaseState(url);
    const refused = await run('rollback', ['--version=1.3.0', '--execute', `--migrations=${dir}`], {
      databaseUrl: url,
      input: 'yes\n',
    });
    assert.equal(refused.code, 4);
    assert.match(refused.stderr, /confirmation is required but stdin is not a terminal\. Re-run with --yes to confirm\./);
    assert.doesNotMatch(refused.stdout, /Executing rollback/);
    assert.deepEqual(await databaseState(url), before);
  });
});

const DROP_LEGACY: ExtraMigration = {
  tag: '0004_drop_legacy_field',
  version: '1.3.0',
  sql: 'ALTER TABLE wishlist_items DROP COLUMN legacy_field;\n',
};

describe('Test 4: unsafe migration warning', () => {
  test('DROP COLUMN: warning on apply, no script, UNSAFE; the CLI refuses, with or without --force', async () => {
    const { url, dir, result } = await applied('t4', [DROP_LEGACY]);
    assert.ok(result.stderr.includes('Cannot auto-generate rollback for DROP COLUMN (data loss)'), result.stderr);
    assert.match(
      result.stderr,
      /⚠ Warning: 0004_drop_legacy_field\.sql \(version 1\.3\.0\): Cannot auto-generate rollback for DROP COLUMN \(data loss\) \(line 2, column 1\)/,
    );
    assert.match(result.stdout, /no rollback script \(marked as UNSAFE\): it needs a manual rollback/);
    assert.equal(await columnExists(url, 'wishlist_items', 'legacy_field'), false, 'the migration ran');
    const row = await schemaVersion(url, '1.3.0');
    assert.equal(row.rollback_script, null);
    assert.equal(row.rollback_safe, false);
    await assertDrizzle(url, dir, [...BASE, DROP_LEGACY.tag]);

    const before = await databaseState(url);
    const refused = await run('rollback', ['--version=1.3.0', '--execute', '--yes', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(refused.code, 6);
    assert.match(refused.stderr, /No rollback script found for version 1\.3\.0\n/);
    assert.match(refused.stderr, /This rollback is marked as UNSAFE\.\n {2}⚠ Warning: Cannot auto-generate rollback for DROP COLUMN \(data loss\)/);
    assert.doesNotMatch(refused.stdout, /Executing rollback/);
    assert.deepEqual(await databaseState(url), before);

    // --force allows an UNSAFE rollback, but there is no script to run here.
    const forced = await run('rollback', ['--version=1.3.0', '--execute', '--yes', '--force', `--migrations=${dir}`], {
      databaseUrl: url,
    });
    assert.equal(forced.code, 6);
    assert.match(forced.stderr, /No rollback script found for version 1\.3\.0/);
    assert.deepEqual(await databaseState(url), before);
    assert.equal((await schemaVersion(url, '1.3.0')).rollback_applied_at, null);
  });
});

describe('Test 5: enum value addition (irreversible)', () => {
  test('ADD VALUE: warning on apply, no script, UNSAFE; nothing can be rolled back', async () => {
    const migration = { tag: '0004_new_store', version: '1.3.0', sql: "ALTER TYPE wishlist_store ADD VALUE 'NewStore';\n" };
    const { url, dir, result } = await applied('t5', [migration]);
    assert.ok(result.stderr.includes('Cannot rollback enum value addition (PostgreSQL limitation)'), result.stderr);
    assert.deepEqual(await enumValues(url, 'wishlist_store'), ['LEGO', 'Barnes & Noble', 'Target', 'Other', 'NewStore']);
    const row = await schemaVersion(url, '1.3.0');
    assert.equal(row.rollback_script, null);
    assert.equal(row.rollback_safe, false);

    const preview = await run('rollback', ['--version=1.3.0', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(preview.code, 6);
    assert.match(preview.stderr, /No rollback script found for version 1\.3\.0/);
    assert.match(preview.stderr, /Cannot rollback enum value addition \(PostgreSQL limitation\)/);

    const before = await databaseState(url);
    const forced = await run('rollback', ['--version=1.3.0', '--execute', '--yes', '--force', `--migrations=${dir}`], {
      databaseUrl: url,
    });
    assert.equal(forced.code, 6);
    assert.deepEqual(await databaseState(url), before);
  });
});

describe('Test 6: missing rollback script', () => {
  test('a recorded version without a script: the exact error, and no database change', async () => {
    const { url, dir } = await applied('t6', []);
    // A row recorded before this tooling existed: marked safe, but nobody stored a script.
    await query(url, `INSERT INTO schema_versions (version, migration_file, rollback_safe) VALUES ('0.9.0', '0000_legacy.sql', true)`);
    const before = await databaseState(url);

    for (const args of [['--version=0.9.0'], ['--version=0.9.0', '--execute', '--yes'], ['--version=0.9.0', '--execute', '--yes', '--force']]) {
      const attempt = await run('rollback', [...args, `--migrations=${dir}`], { databaseUrl: url });
      assert.equal(attempt.code, 6, attempt.stderr);
      assert.match(attempt.stderr, /^✗ No rollback script found for version 0\.9\.0$/m);
      assert.match(attempt.stderr, /Nothing was changed\./);
      assert.equal(attempt.stdout, '');
      assert.deepEqual(await databaseState(url), before);
    }

    // On a terminal it does not even ask.
    const onTerminal = await runOnTerminal(['--version=0.9.0', '--execute', `--migrations=${dir}`], 'yes', { databaseUrl: url });
    assert.equal(onTerminal.prompted, false, onTerminal.screen);
    assert.equal(onTerminal.code, 6);
    assert.ok(onTerminal.screen.includes('No rollback script found for version 0.9.0'), onTerminal.screen);
    assert.deepEqual(await databaseState(url), before);
  });
});

describe('Edge 1: multi-statement migration', () => {
  const migration: ExtraMigration = {
    tag: '0004_field1',
    version: '1.3.0',
    // drizzle-kit's statement separator, as in generated migrations.
    sql:
      'ALTER TABLE wishlist_items ADD COLUMN field1 TEXT;--> statement-breakpoint\n' +
      'CREATE INDEX idx1 ON wishlist_items(field1);--> statement-breakpoint\n' +
      'ALTER TABLE wishlist_items DROP COLUMN legacy_field;\n',
  };

  test('only the reversible statements are rolled back, last first; UNSAFE needs --force', async () => {
    const { url, dir, result } = await applied('e1', [migration]);
    assert.match(
      result.stderr,
      /⚠ Warning: 0004_field1\.sql \(version 1\.3\.0\): Cannot auto-generate rollback for DROP COLUMN \(data loss\) \(line 4, column 1\)/,
    );
    assert.match(result.stdout, /partial rollback script stored, marked as UNSAFE/);
    const row = await schemaVersion(url, '1.3.0');
    assert.equal(row.rollback_script, 'DROP INDEX idx1;\nALTER TABLE wishlist_items DROP COLUMN field1;\n');
    assert.equal(row.rollback_safe, false);

    const preview = await run('rollback', ['--version=1.3.0', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(preview.code, 0, preview.stderr);
    assert.equal(
      preview.stdout,
      'Rollback script for version 1.3.0:\n' +
        'DROP INDEX idx1;\n' +
        'ALTER TABLE wishlist_items DROP COLUMN field1;\n' +
        '\n' +
        'This rollback is marked as UNSAFE.\n' +
        '  ⚠ Warning: Cannot auto-generate rollback for DROP COLUMN (data loss) (line 4, column 1)\n' +
        'The script above undoes only the reversible statements; the rest needs manual work.\n' +
        // The archive (0004) kept legacy_field's values at apply: the spec's fields above are unchanged.
        'Its data can be restored: --restore-data (preview: pnpm db:rollback --version=1.3.0 --restore-data)\n' +
        'To execute, run: pnpm db:rollback --version=1.3.0 --execute --force\n' +
        '\n' +
        'Data at risk (read now, without changing anything):\n' +
        '  ✓ wishlist_items.field1: no row holds a value (nothing is lost)\n' +
        "Locks (held until the rollback's transaction ends):\n" +
        '  1. DROP INDEX idx1\n' +
        '     ACCESS EXCLUSIVE on idx1 and its table (blocks reads and writes)\n' +
        '  2. ALTER TABLE wishlist_items DROP COLUMN field1\n' +
        '     ACCESS EXCLUSIVE on wishlist_items (blocks reads and writes)\n' +
        '⚠ Strong locks (ACCESS EXCLUSIVE on idx1 and its table, ACCESS EXCLUSIVE on wishlist_items): while the ' +
        'rollback waits for one, every later query on that table waits behind it. Add --lock-timeout=MS ' +
        '(e.g. --lock-timeout=5000) to give up instead, then retry.\n',
    );

    const before = await databaseState(url);
    const refused = await runOnTerminal(['--version=1.3.0', '--execute', `--migrations=${dir}`], 'yes', { databaseUrl: url });
    assert.equal(refused.prompted, false, 'an UNSAFE rollback is refused before asking');
    assert.equal(refused.code, 5);
    assert.ok(
      refused.screen.includes('Refusing to execute the UNSAFE rollback of version 1.3.0 without --force. Nothing was changed.'),
      refused.screen,
    );
    assert.deepEqual(await databaseState(url), before);

    const forced = await runOnTerminal(['--version=1.3.0', '--execute', '--force', `--migrations=${dir}`], 'yes', {
      databaseUrl: url,
    });
    assert.equal(forced.prompted, true, forced.screen);
    assert.equal(forced.code, 0, forced.screen);
    assert.ok(forced.screen.includes('✓ Rollback completed successfully'), forced.screen);
    assert.equal(await indexExists(url, 'idx1'), false);
    assert.equal(await columnExists(url, 'wishlist_items', 'field1'), false);
    assert.equal(await columnExists(url, 'wishlist_items', 'legacy_field'), false, 'dropped data cannot come back');
    assert.ok((await schemaVersion(url, '1.3.0')).rollback_applied_at instanceof Date);
    await assertDrizzle(url, dir, BASE);
  });
});

describe('Edge 2: already rolled back migration', () => {
  test('a second rollback is refused with the exact warning and changes nothing', async () => {
    const { url, dir } = await applied('e2', [ADD_TEST_FIELD]);
    const first = await run('rollback', ['--version=1.3.0', '--execute', '--yes', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(first.code, 0, first.stderr);
    const rolledBackAt = (await schemaVersion(url, '1.3.0')).rollback_applied_at;
    assert.ok(rolledBackAt instanceof Date, 'rollback_applied_at set');
    const before = await databaseState(url);

    const again = await run('rollback', ['--version=1.3.0', '--execute', '--yes', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(again.code, 8);
    assert.match(again.stderr, /^✗ Migration 1\.3\.0 has already been rolled back$/m);
    assert.deepEqual(await databaseState(url), before);
    assert.deepEqual((await schemaVersion(url, '1.3.0')).rollback_applied_at, rolledBackAt);

    const onTerminal = await runOnTerminal(['--version=1.3.0', '--execute', `--migrations=${dir}`], 'yes', { databaseUrl: url });
    assert.equal(onTerminal.prompted, false);
    assert.equal(onTerminal.code, 8);
    assert.ok(onTerminal.screen.includes('Migration 1.3.0 has already been rolled back'), onTerminal.screen);

    const preview = await run('rollback', ['--version=1.3.0', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(preview.code, 0);
    assert.match(preview.stdout, /Migration 1\.3\.0 has already been rolled back \(at .+\)\.\n$/);
  });
});

describe('Edge 3: complex data migration', () => {
  test('UPDATE: data-migration warning, UNSAFE, no script', async () => {
    const migration = {
      tag: '0004_backfill_legacy',
      version: '1.3.0',
      sql: "UPDATE wishlist_items SET legacy_field = 'n/a' WHERE legacy_field IS NULL;\n",
    };
    const { url, result } = await applied('e3', [migration]);
    assert.ok(result.stderr.includes('Cannot auto-generate rollback for data migrations'), result.stderr);
    const row = await schemaVersion(url, '1.3.0');
    assert.equal(row.rollback_safe, false);
    assert.equal(row.rollback_script, null);
  });
});

describe('apply -> rollback -> apply again', () => {
  test('the rolled-back migration is re-applied and can be rolled back again', async () => {
    const { url, dir } = await applied('cycle', [ADD_TEST_FIELD]);
    for (let round = 1; round <= 2; round++) {
      const rolledBack = await run('rollback', ['--version=1.3.0', '--execute', '--yes', `--migrations=${dir}`], {
        databaseUrl: url,
      });
      assert.equal(rolledBack.code, 0, `round ${round}: ${rolledBack.stderr}`);
      assert.equal(await columnExists(url, 'wishlist_items', 'test_field'), false);
      await assertDrizzle(url, dir, BASE);

      const reapplied = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
      assert.equal(reapplied.code, 0, reapplied.stderr);
      assert.match(reapplied.stdout, /Applied 0004_add_test_field\.sql \(version 1\.3\.0\)\n/);
      assert.match(reapplied.stdout, /✓ 1 migration\(s\) applied, 5 already applied\.\n/);
      assert.equal(await columnExists(url, 'wishlist_items', 'test_field'), true);
      await assertDrizzle(url, dir, [...BASE, ADD_TEST_FIELD.tag]);
      // A new current row; the earlier ones keep their rollback_applied_at as history.
      const rows = (await schemaVersions(url)).filter((r) => r.version === '1.3.0');
      assert.equal(rows.length, round + 1);
      assert.ok(rows.slice(0, -1).every((r) => r.rollback_applied_at instanceof Date));
      const row = rows[rows.length - 1]!;
      assert.equal(row.rollback_applied_at, null, 're-applied: not rolled back any more');
      assert.equal(row.rollback_script, 'ALTER TABLE wishlist_items DROP COLUMN test_field;\n');
    }

    const nothingToDo = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
    assert.equal(nothingToDo.code, 0, nothingToDo.stderr);
    assert.match(nothingToDo.stdout, /✓ 0 migration\(s\) applied, 6 already applied\.\n/);
  });
});
