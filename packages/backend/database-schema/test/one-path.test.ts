// --version, --to and --steps are one path (issue 16): the refusals of one version come from the addon as
// data, a script that cannot run in a transaction runs through it too, and the help and verify say a long
// explanation once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  databaseState,
  drizzleMigrations,
  expectedDrizzleRows,
  indexExists,
  journalFolder,
  migrationsFolder,
  run,
  schemaVersion,
  usePostgres,
} from './helpers.js';

const BASE = ['0000_schema_versions', '0001_rollback_columns', '0002_rollback_plan', '0003_wishlist_items', '0004_archive'];

const { freshDatabase } = usePostgres();

describe('--help', () => {
  test('leads with the commands, then the options, then the explanations, then the exit codes', async () => {
    const help = (await run('rollback', ['--help'])).stdout;
    const at = (text: string) => {
      const i = help.indexOf(text);
      assert.ok(i >= 0, `${text} not in:\n${help}`);
      return i;
    };
    assert.equal(at('Commands:\n'), 0);
    const order = ['Options:\n', 'How a rollback runs', 'Refused, with nothing changed:', 'Cost:\n', 'verify:\n', 'Exit codes:\n'];
    const positions = order.map(at);
    assert.deepEqual([...positions].sort((a, b) => a - b), positions, help);
    // Every command is listed before the first explanation.
    for (const command of ['--version=X.Y.Z --execute', '--to=X.Y.Z', '--steps=N', 'list', 'backfill', 'verify [--scratch-url=URL]']) {
      assert.ok(at(`pnpm db:rollback ${command}`) < positions[0]!, command);
    }
  });
});

describe('--version through the range API', () => {
  test('out of order is a refusal in the preview data; execution refuses it (15) unless --force', async () => {
    const dir = migrationsFolder([
      { tag: '0004_notes', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT;\n' },
      { tag: '0005_rating', version: '1.4.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN rating INT;\n' },
    ]);
    const url = await freshDatabase('one_order');
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);
    const json = JSON.parse((await run('rollback', ['--version=1.3.0', '--json', `--migrations=${dir}`], { databaseUrl: url })).stdout);
    assert.deepEqual(
      json.refusals.map((r: { code: string; forceable: boolean; versions: string[] }) => [r.code, r.forceable, r.versions]),
      [['ROLLBACK_OUT_OF_ORDER', true, ['1.4.0']]],
    );
    assert.equal(json.cost.locks[0].locks[0].mode, 'ACCESS EXCLUSIVE', 'the cost comes from the same preview');

    const before = await databaseState(url);
    const refused = await run('rollback', ['--version=1.3.0', '--execute', '--yes', '--json', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(refused.code, 15, refused.stderr);
    const error = JSON.parse(refused.stdout);
    assert.equal(error.error.code, 'ROLLBACK_OUT_OF_ORDER');
    assert.deepEqual(error.laterVersions, [{ version: '1.4.0', migrationFile: '0005_rating.sql' }]);
    assert.deepEqual(await databaseState(url), before);

    // The newest one is not out of order; rolled back, it is refused with exit 8 even with --force.
    assert.equal((await run('rollback', ['--version=1.4.0', '--execute', '--yes', `--migrations=${dir}`], { databaseUrl: url })).code, 0);
    const again = await run('rollback', ['--version=1.4.0', '--execute', '--yes', '--force', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(again.code, 8, again.stderr);
    assert.match(again.stderr, /^✗ Migration 1\.4\.0 has already been rolled back$/m);
  });

  test('a CONCURRENTLY rollback of one version runs statement by statement and forgets Drizzle\'s record', async () => {
    const tag = '0004_user_index';
    const dir = migrationsFolder([
      { tag, version: '1.3.0', sql: 'CREATE INDEX CONCURRENTLY "Items By User" ON wishlist_items (user_id);\n' },
    ]);
    const url = await freshDatabase('one_concurrently');
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);
    assert.equal(await indexExists(url, 'Items By User'), true);

    const preview = await run('rollback', ['--version=1.3.0', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /DROP INDEX CONCURRENTLY/);
    assert.match(preview.stdout, /^⚠ This script cannot run in a transaction \(CONCURRENTLY\): it runs on its own, statement by statement/m);

    const done = await run('rollback', ['--version=1.3.0', '--execute', '--yes', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /✓ Rollback completed successfully\nschema_versions\.rollback_applied_at for version 1\.3\.0: /);
    assert.equal(await indexExists(url, 'Items By User'), false);
    assert.ok((await schemaVersion(url, '1.3.0')).rollback_applied_at instanceof Date);
    assert.deepEqual(await drizzleMigrations(url), expectedDrizzleRows(dir, BASE));
  });
});

describe('verify', () => {
  test('one short reason per line; the explanation they share is printed once', async () => {
    const url = await freshDatabase('one_verify');
    const entries = [
      { tag: '0000_items', sql: 'CREATE TABLE items (id int PRIMARY KEY, title text);' },
      { tag: '0001_title_default', sql: "ALTER TABLE items ALTER COLUMN title SET DEFAULT 'untitled';" },
    ];
    const dir = journalFolder('one-verify-', entries);
    const r = await run('rollback', ['verify', `--scratch-url=${url}`, '--migrations', dir], { databaseUrl: url });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(r.stdout.split('Before schema_versions exists nothing is stored to execute').length, 2, r.stdout);
    for (const tag of ['0000_items', '0001_title_default']) {
      assert.match(
        r.stdout,
        new RegExp(`^✓ ${tag} ${tag}\\.sql: rollback restores the schema \\(proved with verifyRollback in a transaction that was rolled back\\)$`, 'm'),
      );
    }
  });
});
