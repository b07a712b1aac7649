// What a user reads: one warning line per reason, not the same warning once per statement.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { migrationsFolder, query, run, usePostgres } from './helpers.js';

const { freshDatabase } = usePostgres();

describe('db:migrate:apply output', () => {
  test("a fresh apply of the package's bookkeeping migrations prints one warning line per migration", async () => {
    const url = await freshDatabase('output_bookkeeping');
    const r = await run('migrate', [`--migrations=${migrationsFolder()}`], { databaseUrl: url });
    assert.equal(r.code, 0, r.stderr);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('⚠ Warning: '));
    const files = warnings.map((l) => /^⚠ Warning: (\S+) /.exec(l)?.[1]);
    assert.deepEqual(
      files,
      ['0000_schema_versions.sql', '0001_rollback_columns.sql', '0002_rollback_plan.sql', '0004_archive.sql'],
      r.stderr,
    );
    // 0001 has two statements: one line for both.
    assert.match(warnings[1]!, /\(lines 3, 4\)$/);
    for (const line of warnings) {
      assert.match(line, /: Cannot auto-generate rollback.* schema_versions.* by hand \((line \d+, column \d+|lines \d+(, \d+)+)\)$/);
    }
  });

  test('the same reason on several statements is one line with their lines; different reasons stay apart', async () => {
    const url = await freshDatabase('output_grouped');
    const dir = migrationsFolder([
      {
        tag: '0004_drops',
        version: '1.3.0',
        sql: 'ALTER TABLE wishlist_items DROP COLUMN legacy_field;\n--> statement-breakpoint\nUPDATE wishlist_items SET title = title;\n--> statement-breakpoint\nUPDATE wishlist_items SET store = store;\n',
      },
    ]);
    const r = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
    assert.equal(r.code, 0, r.stderr);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('⚠ Warning: 0004_drops.sql'));
    assert.deepEqual(warnings, [
      '⚠ Warning: 0004_drops.sql (version 1.3.0): Cannot auto-generate rollback for DROP COLUMN (data loss) (line 2, column 1)',
      '⚠ Warning: 0004_drops.sql (version 1.3.0): Cannot auto-generate rollback for data migrations (lines 4, 6)',
    ]);
  });
});

describe('db:rollback list', () => {
  test("orders rows as the journal applies them and says applied, rolled back, applied again", async () => {
    const dir = migrationsFolder([
      { tag: '0004_notes', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT;\n' },
      { tag: '0005_tags', version: '1.4.0', sql: 'CREATE TABLE tags (id int);\n' },
    ]);
    const url = await freshDatabase('output_list');
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);
    const back = await run('rollback', ['--to=1.2.1', '--execute', '--yes', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(back.code, 0, back.stderr);
    assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);
    // A version recorded outside the folder comes after the journal's.
    await query(url, "INSERT INTO schema_versions (version, migration_file, rollback_safe) VALUES ('0.9.0', 'old.sql', false)");

    const result = await run('rollback', ['list', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(result.code, 0, result.stderr);
    const rows = result.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/ {2,}/));
    assert.deepEqual(
      rows.map((r) => [r[0], r.at(-1)]),
      [
        ['1.0.0', 'applied'],
        ['1.1.0', 'applied'],
        ['1.1.1', 'applied'],
        ['1.2.0', 'applied'],
        ['1.2.1', 'applied'],
        ['1.3.0', 'rolled back'],
        ['1.3.0', 'applied again'],
        ['1.4.0', 'rolled back'],
        ['1.4.0', 'applied again'],
        ['0.9.0', 'applied'],
      ],
    );
    const json = await run('rollback', ['list', '--json', `--migrations=${dir}`], { databaseUrl: url });
    const listed = (JSON.parse(json.stdout) as { rollbacks: { version: string; status: string }[] }).rollbacks;
    assert.deepEqual(listed.map((r) => r.status), rows.map((r) => r.at(-1)));
  });
});
