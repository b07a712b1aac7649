// Multi-step rollback (`--to`, `--steps`) through the real CLI (at a pseudo-terminal where a person would
// answer) on a throwaway PostgreSQL 15: preview, "no", execution, a failure in the last step, refusals,
// data at risk (counts and estimates), --json.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import pg from 'pg';
import {
  addMigrations,
  columnExists,
  databaseState,
  drizzleMigrations,
  expectedDrizzleRows,
  migrationsFolder,
  query,
  REPO_ROOT,
  run,
  runOnTerminal,
  schemaVersion,
  usePostgres,
  type ExtraMigration,
} from './helpers.js';

const BASE = ['0000_schema_versions', '0001_rollback_columns', '0002_rollback_plan', '0003_wishlist_items', '0004_archive'];
const PROMPT = 'Are you sure you want to execute this rollback? (yes/no): ';

const { freshDatabase } = usePostgres();

const EXTRA: ExtraMigration[] = [
  { tag: '0004_title_optional', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ALTER COLUMN title DROP NOT NULL;\n' },
  {
    tag: '0005_notes',
    version: '1.4.0',
    sql: 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT;\n--> statement-breakpoint\nCREATE INDEX "Idx Notes" ON wishlist_items (notes);\n',
  },
  { tag: '0006_tag_list', version: '1.5.0', sql: 'CREATE TABLE "Tag List" (id int PRIMARY KEY, label text);\n' },
];
const EXTRA_TAGS = EXTRA.map((m) => m.tag);

/** `pg_dump --schema-only`, without the lines that change between runs. */
async function schemaDump(url: string): Promise<string> {
  const support = (await import(pathToFileURL(path.join(REPO_ROOT, 'test-support', 'postgres.mjs')).href)) as {
    clientBin(name: string): string;
  };
  const { stdout } = await promisify(execFile)(support.clientBin('pg_dump'), ['--schema-only', '--no-password', '-d', url], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout
    .split('\n')
    .filter((l) => !/^\\(un)?restrict /.test(l) && !l.startsWith('-- Dumped'))
    .join('\n');
}

/** The package's migrations applied (version 1.2.1), its dump, then `extra` applied on top. */
async function atTargetThenMore(prefix: string, extra: ExtraMigration[]) {
  const url = await freshDatabase(prefix);
  const dir = migrationsFolder();
  assert.equal((await run('migrate', [`--migrations=${dir}`], { databaseUrl: url })).code, 0);
  const atTarget = await schemaDump(url);
  addMigrations(dir, extra);
  const applied = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
  assert.equal(applied.code, 0, applied.stderr);
  return { url, dir, atTarget };
}

/** 1,204 rows with a note (and 301 without). */
async function withNotes(url: string) {
  await query(
    url,
    `INSERT INTO wishlist_items (user_id, title, store, notes)
     SELECT 'u' || i, 't', 'LEGO', CASE WHEN i % 5 = 0 THEN NULL ELSE 'note' END FROM generate_series(1, 1505) i`,
  );
}

describe('--to and --steps', () => {
  test('--help documents them, their refusals and the cost shown in every preview', async () => {
    const help = await run('rollback', ['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /pnpm db:rollback --to=X\.Y\.Z \[--execute\] +every migration applied after X\.Y\.Z, newest first, in ONE transaction/);
    assert.match(help.stdout, /pnpm db:rollback --steps=N \[--execute\]/);
    assert.match(help.stdout, /a version without a rollback\nscript, even with --force \(exit 6/);
    assert.match(help.stdout, /Every preview also shows what the rollback costs now: the data at risk/);
    assert.match(help.stdout, /\n {2}8 +migration has already been rolled back \(--to: the target version is not applied\)/);
  });

  test('preview (order, nothing changed), "no" at the prompt, then "yes": schema of 1.2.1, rows marked, Drizzle rows gone, re-applied', async () => {
    const { url, dir, atTarget } = await atTargetThenMore('multi', EXTRA);
    await withNotes(url);
    const before = await databaseState(url);

    const preview = await run('rollback', ['--to=1.2.1', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(preview.code, 0, preview.stderr);
    const out = preview.stdout;
    assert.ok(out.startsWith('Rollback to version 1.2.1: 3 migrations applied after it, newest first.\n'), out);
    const order = [...out.matchAll(/^\[(\d)\/3\] Version (\S+) \((\S+)\), marked as SAFE$/gm)].map((m) => [m[2], m[3]]);
    assert.deepEqual(order, [
      ['1.5.0', '0006_tag_list.sql'],
      ['1.4.0', '0005_notes.sql'],
      ['1.3.0', '0004_title_optional.sql'],
    ]);
    assert.ok(
      out.includes(
        'Rollback script for version 1.4.0:\nDROP INDEX "Idx Notes";\nALTER TABLE wishlist_items DROP COLUMN notes;\n',
      ),
      out,
    );
    assert.ok(out.includes('    ⚠ wishlist_items.notes: 1,204 rows hold a value that the rollback deletes\n'), out);
    assert.ok(out.includes('    ✓ "Tag List": the table is empty (nothing is lost)\n'), out);
    assert.ok(out.includes('    ✓ wishlist_items.title: no NULL, so SET NOT NULL will succeed\n'), out);
    assert.ok(out.includes('    1. DROP TABLE "Tag List"\n       ACCESS EXCLUSIVE on "Tag List" (blocks reads and writes)\n'), out);
    assert.match(out, /All 3 rollbacks run in ONE transaction/);
    assert.match(out, /Add --lock-timeout=MS/);
    assert.match(out, /^To execute, run: pnpm db:rollback --to=1\.2\.1 --execute$/m);
    assert.deepEqual(await databaseState(url), before, 'a preview changes nothing');

    const steps = await run('rollback', ['--steps=2', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(steps.code, 0, steps.stderr);
    assert.deepEqual(
      [...steps.stdout.matchAll(/^\[\d\/2\] Version (\S+)/gm)].map((m) => m[1]),
      ['1.5.0', '1.4.0'],
    );
    assert.match(steps.stdout, /^To execute, run: pnpm db:rollback --steps=2 --execute$/m);

    const no = await runOnTerminal(['--to=1.2.1', '--execute', `--migrations=${dir}`], 'no', { databaseUrl: url });
    assert.equal(no.prompted, true, no.screen);
    assert.ok(no.screen.includes(`${PROMPT}no\n`), no.screen);
    assert.ok(no.screen.includes('Rollback cancelled. Nothing was changed.'), no.screen);
    assert.equal(no.code, 3);
    assert.deepEqual(await databaseState(url), before);

    const yes = await runOnTerminal(['--to=1.2.1', '--execute', `--migrations=${dir}`], 'yes', { databaseUrl: url });
    assert.equal(yes.prompted, true, yes.screen);
    assert.equal(yes.code, 0, yes.screen);
    assert.equal(yes.screen.split(PROMPT).length, 2, 'one prompt for all versions');
    assert.ok(yes.screen.includes(`${PROMPT}yes\nExecuting rollback...\n`), yes.screen);
    assert.match(yes.screen, /✓ 1\.5\.0 \(0006_tag_list\.sql\) rolled back at .*\n.*✓ 1\.4\.0 .*\n.*✓ 1\.3\.0 .*\n✓ Rollback completed successfully\n/);

    assert.equal(await schemaDump(url), atTarget, 'the schema is the one of version 1.2.1');
    for (const version of ['1.3.0', '1.4.0', '1.5.0']) {
      assert.ok((await schemaVersion(url, version)).rollback_applied_at instanceof Date, version);
    }
    assert.equal((await schemaVersion(url, '1.2.1')).rollback_applied_at, null);
    assert.deepEqual(await drizzleMigrations(url), expectedDrizzleRows(dir, BASE));

    const again = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /✓ 3 migration\(s\) applied/);
    assert.deepEqual(await drizzleMigrations(url), expectedDrizzleRows(dir, [...BASE, ...EXTRA_TAGS]));
    assert.equal(await columnExists(url, 'wishlist_items', 'notes'), true);
    assert.equal((await schemaVersion(url, '1.3.0')).rollback_applied_at, null, 'a new row for the re-applied version');
  });

  test('a failure in the last step (a NULL title) leaves everything as it was; the error names version and statement', async () => {
    const { url, dir } = await atTargetThenMore('multifail', EXTRA);
    await query(url, `INSERT INTO wishlist_items (user_id, title, store) VALUES ('u', NULL, 'LEGO')`);
    const before = await databaseState(url);

    const preview = await run('rollback', ['--to=1.2.1', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(preview.code, 0, preview.stderr);
    assert.ok(preview.stdout.includes("✗ wishlist_items.title: 1 row is NULL: the rollback's SET NOT NULL would fail"), preview.stdout);

    const failed = await run('rollback', ['--to=1.2.1', '--execute', '--yes', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(failed.code, 13, failed.stderr);
    assert.ok(
      failed.stderr.includes(
        '✗ Rollback of version 1.3.0 failed at statement 1 of 1: ALTER TABLE wishlist_items ALTER COLUMN title SET NOT NULL\n' +
          'PostgreSQL: column "title" of relation "wishlist_items" contains null values (SQLSTATE 23502)',
      ),
      failed.stderr,
    );
    assert.match(failed.stderr, /The transaction was rolled back: schema, schema_versions and drizzle\.__drizzle_migrations are unchanged/);
    assert.deepEqual(await databaseState(url), before);
    assert.equal((await query(url, `SELECT to_regclass('"Tag List"') IS NOT NULL AS t`))[0]!.t, true);
  });
});

describe('multi-step refusals change nothing', () => {
  const extra: ExtraMigration[] = [
    { tag: '0004_drop_legacy', version: '1.3.0', sql: 'ALTER TABLE wishlist_items DROP COLUMN legacy_field;\n' },
    {
      tag: '0005_a',
      version: '1.4.0',
      sql: 'ALTER TABLE wishlist_items ADD COLUMN a int;\n--> statement-breakpoint\nUPDATE wishlist_items SET a = 1;\n',
    },
    { tag: '0006_b', version: '1.5.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN b int;\n' },
  ];

  test('UNSAFE (exit 5), no script even with --force (exit 6), unknown target (7), not applied (8), bad --steps (2)', async () => {
    const { url, dir } = await atTargetThenMore('multirefuse', extra);
    const before = await databaseState(url);
    const rollback = (args: string[]) => run('rollback', [...args, `--migrations=${dir}`], { databaseUrl: url });

    const unsafe = await rollback(['--to=1.3.0', '--execute', '--yes']);
    assert.equal(unsafe.code, 5, unsafe.stderr);
    assert.match(unsafe.stderr, /✗ The rollback of version 1\.4\.0 is marked unsafe/);
    assert.match(unsafe.stderr, /To execute it anyway, run: pnpm db:rollback --to=1\.3\.0 --execute --force/);
    assert.doesNotMatch(unsafe.stdout, /Executing rollback/);
    const unsafePreview = await rollback(['--to=1.3.0']);
    assert.equal(unsafePreview.code, 0, unsafePreview.stderr);
    assert.match(unsafePreview.stdout, /^\[2\/2\] Version 1\.4\.0 \(0005_a\.sql\), marked as UNSAFE$/m);
    assert.match(unsafePreview.stdout, /To execute, run: pnpm db:rollback --to=1\.3\.0 --execute --force$/m);

    for (const args of [['--to=1.2.1', '--execute', '--yes', '--force'], ['--to=1.2.1']]) {
      const missing = await rollback(args);
      assert.equal(missing.code, 6, missing.stderr);
      assert.match(missing.stderr, /✗ No rollback script found for version 1\.3\.0 \(0004_drop_legacy\.sql\): cannot roll back to version 1\.2\.1, even with force/);
      assert.match(missing.stderr, /Cannot auto-generate rollback for DROP COLUMN \(data loss\)/);
      assert.match(missing.stderr, /To roll back to just above it, run: pnpm db:rollback --to=1\.3\.0 --execute/);
    }
    const steps = await rollback(['--steps=3', '--execute', '--yes', '--force']);
    assert.equal(steps.code, 6, steps.stderr);

    const unknown = await rollback(['--to=9.9.9', '--execute', '--yes']);
    assert.equal(unknown.code, 7, unknown.stderr);
    assert.match(unknown.stderr, /9\.9\.9/);
    const tooMany = await rollback(['--steps=99']);
    assert.equal(tooMany.code, 2, tooMany.stderr);
    assert.match(tooMany.stderr, /steps = 99, but only 8 migrations are applied and not rolled back/);
    for (const [args, message] of [
      [['--steps=0'], /--steps must be a whole number from 1/],
      [['--to=1.2.1', '--steps=1'], /--to and --steps cannot be used together/],
      [['--to=1.2.1', '--version=1.2.0'], /--version and --to cannot be used together/],
      [['--to=1.2.1', '--force'], /--force only applies with --execute/],
      [['list', '--to=1.2.1'], /--to cannot be used with "list"/],
    ] as const) {
      const usage = await rollback([...args]);
      assert.equal(usage.code, 2, `${args.join(' ')}: ${usage.stderr}`);
      assert.match(usage.stderr, message);
    }
    assert.deepEqual(await databaseState(url), before);

    const forced = await rollback(['--to=1.3.0', '--execute', '--yes', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(await columnExists(url, 'wishlist_items', 'a'), false);
    assert.equal(await columnExists(url, 'wishlist_items', 'b'), false);
    const notApplied = await rollback(['--to=1.4.0']);
    assert.equal(notApplied.code, 8, notApplied.stderr);
    assert.match(notApplied.stderr, /Cannot roll back to version 1\.4\.0: it is not applied \(it was rolled back at/);
    const nothing = await rollback(['--to=1.3.0', '--execute', '--yes']);
    assert.equal(nothing.code, 0, nothing.stderr);
    assert.match(nothing.stdout, /Nothing to roll back: no migration is applied after version 1\.3\.0\./);
  });
});

describe('data at risk', () => {
  test('exact counts, estimates when the count is blocked, and --json', async () => {
    const { url, dir } = await atTargetThenMore('multirisk', EXTRA);
    await withNotes(url);
    await query(url, 'ANALYZE wishlist_items');

    const json = await run('rollback', ['--to=1.3.0', '--json', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(json.code, 0, json.stderr);
    const preview = JSON.parse(json.stdout);
    assert.equal(preview.action, 'preview');
    assert.deepEqual(
      preview.steps.map((s: { rollback: { version: string } }) => s.rollback.version),
      ['1.5.0', '1.4.0'],
    );
    const notes = preview.steps[1].dataAtRisk.find((r: { kind: string }) => r.kind === 'dropColumn');
    assert.deepEqual(
      { table: notes.table, column: notes.column, rows: notes.rows, estimate: notes.estimate, statement: notes.statement },
      { table: 'wishlist_items', column: 'notes', rows: 1204, estimate: false, statement: 2 },
    );
    const lock = preview.steps[1].locks[1].locks[0];
    assert.deepEqual([lock.relation, lock.mode, lock.strong], ['wishlist_items', 'ACCESS EXCLUSIVE', true]);
    assert.equal(preview.executeCommand, 'pnpm db:rollback --to=1.3.0 --execute');

    // The single-version preview shows the same numbers, after the spec's lines.
    const single = await run('rollback', ['--version=1.4.0', '--json', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(JSON.parse(single.stdout).cost.dataAtRisk[0].rows, 1204);

    // Someone holds the table: the count gives up after its timeout and the preview shows an estimate.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE wishlist_items IN ACCESS EXCLUSIVE MODE');
      const blocked = await run('rollback', ['--to=1.3.0', `--migrations=${dir}`], { databaseUrl: url });
      assert.equal(blocked.code, 0, blocked.stderr);
      assert.match(
        blocked.stdout,
        /⚠ wishlist_items\.notes: about 1,2\d\d rows \(estimate from pg_class\/pg_stats: counting took longer than the count timeout, or waited for a lock\) hold a value that the rollback deletes/,
      );
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }

    const executed = await run('rollback', ['--steps=2', '--execute', '--yes', '--json', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(executed.code, 0, executed.stderr);
    const done = JSON.parse(executed.stdout);
    assert.equal(done.action, 'execute');
    assert.deepEqual(
      done.rollbacks.map((r: { version: string; drizzleRowDeleted: boolean }) => [r.version, r.drizzleRowDeleted]),
      [
        ['1.5.0', true],
        ['1.4.0', true],
      ],
    );
    assert.equal(typeof done.rollbacks[0].rollbackAppliedAt, 'string');
  });
});
