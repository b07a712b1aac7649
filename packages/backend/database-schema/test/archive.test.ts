// The archive through the real CLIs on a throwaway PostgreSQL 15 (issue 18, items 1, 2, 4): the journal's
// 0004_archive, db:migrate:apply's archive options and output, `db:rollback archive list|prune`, and the
// archive size in `db:rollback list`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import {
  BASE_MIGRATIONS,
  columnExists,
  migrationsFolder,
  query,
  run,
  runOnTerminal,
  tempDir,
  usePostgres,
  type ExtraMigration,
} from './helpers.js';

const { freshDatabase } = usePostgres();

const DROP_LEGACY: ExtraMigration = {
  tag: '0005_drop_legacy',
  version: '1.3.0',
  sql: 'ALTER TABLE wishlist_items DROP COLUMN legacy_field;\n',
};
const RETYPE_URL: ExtraMigration = {
  tag: '0006_retype',
  version: '1.4.0',
  sql: 'ALTER TABLE wishlist_items ALTER COLUMN url TYPE varchar(500);\n',
};
const PRUNE_PROMPT = 'Are you sure you want to drop these archives? (yes/no): ';

/** The package's migrations applied, 120 items with a legacy_field and a url, then `extra` applied. */
async function withRows(prefix: string, extra: ExtraMigration[], args: string[] = []) {
  const url = await freshDatabase(prefix);
  const base = migrationsFolder();
  assert.equal((await run('migrate', [`--migrations=${base}`], { databaseUrl: url })).code, 0);
  await query(
    url,
    `INSERT INTO wishlist_items (user_id, title, store, url, legacy_field)
     SELECT 'u' || i, 't' || i, 'LEGO', 'https://example.com/' || i, 'legacy ' || i FROM generate_series(1, 120) i`,
  );
  const dir = migrationsFolder(extra);
  const applied = await run('migrate', [`--migrations=${dir}`, ...args], { databaseUrl: url });
  return { url, dir, applied };
}

const archiveTables = async (url: string) =>
  (
    await query<{ t: string }>(
      url,
      `SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'pgrollback_archive' ORDER BY 1`,
    )
  ).map((r) => r.t);

describe('0004_archive in the Drizzle journal', () => {
  test('a database applied with the older bookkeeping gets the columns from db:migrate:apply, then archives', async () => {
    const url = await freshDatabase('archive_upgrade');
    // The journal as it was before 0004: 0000-0003.
    const old = tempDir('db-schema-old-journal-');
    fs.cpSync(BASE_MIGRATIONS, old, { recursive: true });
    const journalPath = path.join(old, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((e) => e.tag !== '0004_archive');
    fs.writeFileSync(journalPath, JSON.stringify(journal));
    fs.rmSync(path.join(old, '0004_archive.sql'));
    assert.equal((await run('migrate', [`--migrations=${old}`], { databaseUrl: url })).code, 0);
    assert.equal(await columnExists(url, 'schema_versions', 'restore_script'), false);

    const dir = migrationsFolder([DROP_LEGACY]);
    const r = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Applied 0004_archive\.sql \(version 1\.2\.1\)\n/);
    assert.equal(await columnExists(url, 'schema_versions', 'restore_script'), true);
    assert.equal(await columnExists(url, 'schema_versions', 'archive'), true);
    // Its own rollback is by hand, like the other bookkeeping migrations (dropping the columns loses every restore).
    const [own] = await query<{ rollback_safe: boolean; rollback_script: string | null; plan: string }>(
      url,
      "SELECT rollback_safe, rollback_script, rollback_plan::text AS plan FROM schema_versions WHERE version = '1.2.1'",
    );
    assert.equal(own!.rollback_safe, false);
    assert.equal(own!.rollback_script, null);
    assert.match(own!.plan, /ROLLBACK_METADATA/);
    // The migration after it is archived in the same run.
    assert.match(r.stdout, /Applied 0005_drop_legacy\.sql \(version 1\.3\.0\)\n.*\n {2}archived: 1 table, 0 rows/);
    assert.deepEqual(await archiveTables(url), ['1.3.0/1']);
  });

  test("drizzle-orm's own migrator creates the columns too", async () => {
    const url = await freshDatabase('archive_drizzle');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await migrate(drizzle(client), { migrationsFolder: BASE_MIGRATIONS });
    } finally {
      await client.end();
    }
    assert.equal(await columnExists(url, 'schema_versions', 'restore_script'), true);
    assert.equal(await columnExists(url, 'schema_versions', 'archive'), true);
  });
});

describe('db:migrate:apply with the archive', () => {
  test('says per migration what was archived (text and --json); the spec\'s warning stays as it was', async () => {
    const url = await freshDatabase('archive_apply_json');
    const base = migrationsFolder();
    assert.equal((await run('migrate', [`--migrations=${base}`], { databaseUrl: url })).code, 0);
    await query(url, `INSERT INTO wishlist_items (user_id, title, store, legacy_field) SELECT 'u', 't', 'LEGO', 'l' || i FROM generate_series(1, 30) i`);
    const dir = migrationsFolder([DROP_LEGACY]);
    const r = await run('migrate', [`--migrations=${dir}`, '--json'], { databaseUrl: url });
    assert.equal(r.code, 0, r.stderr);
    const applied = (JSON.parse(r.stdout) as { applied: { version: string; archive: { objects: { table: string; kind: string; source: string; rows: number }[]; rows: number; bytes: number } }[] })
      .applied;
    const archive = applied.find((a) => a.version === '1.3.0')!.archive;
    assert.deepEqual(
      archive.objects.map((o) => [o.table, o.kind, o.source, o.rows]),
      [['pgrollback_archive."1.3.0/1"', 'DROP COLUMN', 'public.wishlist_items.legacy_field', 30]],
    );
    assert.ok(archive.bytes > 0);
    assert.match(r.stderr, /⚠ Warning: 0005_drop_legacy\.sql \(version 1\.3\.0\): Cannot auto-generate rollback for DROP COLUMN \(data loss\)/);
    assert.doesNotMatch(r.stderr, /Not archived/);

    const { url: text, applied: shown } = await withRows('archive_apply_text', [DROP_LEGACY]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(
      shown.stdout,
      /Applied 0005_drop_legacy\.sql \(version 1\.3\.0\)\n {2}no rollback script \(marked as UNSAFE\): it needs a manual rollback\n {2}archived: 1 table, 120 rows, [0-9.]+ KiB \(restore script stored\)\n {4}pgrollback_archive\."1\.3\.0\/1": DROP COLUMN public\.wishlist_items\.legacy_field, 120 rows, [0-9.]+ KiB\n/,
    );
    assert.deepEqual(await archiveTables(text), ['1.3.0/1']);
  });

  test('--no-archive and --archive-max-bytes keep nothing and say why, apart from the spec\'s warnings', async () => {
    const off = await withRows('archive_off', [DROP_LEGACY], ['--no-archive']);
    assert.equal(off.applied.code, 0, off.applied.stderr);
    assert.match(off.applied.stderr, /^⚠ Not archived: 0005_drop_legacy\.sql \(version 1\.3\.0\) statement 1: the archive is off \(archive: false\)$/m);
    assert.doesNotMatch(off.applied.stdout, /archived:/);
    assert.deepEqual(await archiveTables(off.url), []);

    const small = await withRows('archive_small', [DROP_LEGACY, RETYPE_URL], ['--archive-max-bytes=1KiB']);
    assert.equal(small.applied.code, 0, small.applied.stderr);
    const lines = small.applied.stderr.split('\n').filter((l) => l.startsWith('⚠ Not archived: '));
    assert.equal(lines.length, 2, small.applied.stderr);
    assert.match(lines[0]!, /0005_drop_legacy\.sql .*statement 1: public\.wishlist_items holds about \d+ bytes, above what is left of archiveMaxBytes \(1024 of 1024\)/);
    assert.match(lines[1]!, /0006_retype\.sql/);
    assert.deepEqual(await archiveTables(small.url), []);

    const big = await withRows('archive_big', [DROP_LEGACY], ['--archive-max-bytes=256MiB']);
    assert.equal(big.applied.code, 0, big.applied.stderr);
    assert.deepEqual(await archiveTables(big.url), ['1.3.0/1']);

    for (const bad of ['--archive-max-bytes=lots', '--archive-max-bytes=-1', '--archive-max-bytes=5XB']) {
      const r = await run('migrate', [bad], { databaseUrl: big.url });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--archive-max-bytes must be a size in bytes/);
    }
    // Kept, then dropped at the bookkeeping: the write hidden in a SELECT's WITH after it is not kept (a plain
    // UPDATE is, since issue 19), so no restore.
    const mixed = await withRows('archive_mixed', [
      {
        tag: '0005_mixed',
        version: '1.3.0',
        sql: 'ALTER TABLE wishlist_items DROP COLUMN legacy_field;\n--> statement-breakpoint\nWITH x AS (UPDATE wishlist_items SET title = upper(title) RETURNING 1) SELECT count(*) FROM x;\n',
      },
    ]);
    assert.equal(mixed.applied.code, 0, mixed.applied.stderr);
    assert.match(
      mixed.applied.stderr,
      /^⚠ Not archived: 0005_mixed\.sql \(version 1\.3\.0\): nothing is kept, since no restore is possible: statement 2 \(line 4, DATA_MIGRATION\) is not reversible/m,
    );
    assert.doesNotMatch(mixed.applied.stderr, /Not archived: 000[0-4]_/, 'not for migrations that destroy nothing');
    assert.deepEqual(await archiveTables(mixed.url), []);

    const dry = await run('migrate', ['--dry-run', '--no-archive'], { databaseUrl: big.url });
    assert.equal(dry.code, 2, dry.stderr);
  });
});

describe('db:rollback archive list|prune', () => {
  test('list: per version objects, rows, size and age (text and --json); db:rollback list shows the size', async () => {
    const { url, dir, applied } = await withRows('archive_list', [DROP_LEGACY, RETYPE_URL]);
    assert.equal(applied.code, 0, applied.stderr);
    const r = await run('rollback', ['archive', 'list', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(lines[0]!.split(/ {2,}/), ['VERSION', 'MIGRATION FILE', 'OBJECTS', 'ROWS', 'SIZE', 'AGE', 'RESTORABLE']);
    const rows = lines.slice(1, 3).map((l) => l.split(/ {2,}/));
    assert.deepEqual(
      rows.map((c) => [c[0], c[1], c[2], c[3], c[6]]),
      [
        ['1.3.0', '0005_drop_legacy.sql', '1', '120', 'yes'],
        ['1.4.0', '0006_retype.sql', '1', '120', 'yes'],
      ],
    );
    assert.match(rows[0]![4]!, /^[0-9.]+ KiB$/);
    assert.match(rows[0]![5]!, /^(just now|\d+ (second|minute)s?)$/);
    assert.ok(r.stdout.includes('1.3.0: pgrollback_archive."1.3.0/1" keeps DROP COLUMN public.wishlist_items.legacy_field (120 rows, '), r.stdout);

    const json = await run('rollback', ['archive', 'list', '--json'], { databaseUrl: url });
    const archives = (JSON.parse(json.stdout) as { archives: { version: string; bytes: number; objects: { exists: boolean }[] }[] }).archives;
    assert.deepEqual(archives.map((a) => a.version), ['1.3.0', '1.4.0']);
    const [size] = await query<{ s: string }>(url, `SELECT pg_total_relation_size('pgrollback_archive."1.3.0/1"') AS s`);
    assert.equal(archives[0]!.bytes, Number(size!.s));

    const listed = await run('rollback', ['list', `--migrations=${dir}`], { databaseUrl: url });
    const table = listed.stdout.trimEnd().split('\n').map((l) => l.split(/ {2,}/));
    const column = table[0]!.indexOf('ARCHIVE');
    assert.ok(column > 0, listed.stdout);
    const archiveOf = (v: string) => table.find((row) => row[0] === v)![column];
    assert.match(archiveOf('1.3.0')!, /^[0-9.]+ KiB$/);
    assert.equal(archiveOf('1.2.0'), '-');

    // Dropped by hand: only the restores break; list says which tables are missing.
    await query(url, 'DROP SCHEMA pgrollback_archive CASCADE');
    const after = await run('rollback', ['archive', 'list'], { databaseUrl: url });
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stdout, /^1\.3\.0 .* no: 1 of 1 table\(s\) missing$/m);
    assert.match(after.stdout, /table missing\)/);
  });

  test('prune: a preview, confirmation (no terminal: --yes required; "no" cancels), then the drop; --json; --older-than', async () => {
    const { url, dir, applied } = await withRows('archive_prune', [DROP_LEGACY, RETYPE_URL]);
    assert.equal(applied.code, 0, applied.stderr);
    const before = await query(url, 'SELECT * FROM schema_versions ORDER BY id');

    const refused = await run('rollback', ['archive', 'prune', '--version=1.3.0'], { databaseUrl: url });
    assert.equal(refused.code, 4, refused.stderr);
    assert.match(refused.stdout, /^Archives to drop \(1 version\(s\), [0-9.]+ KiB\):\n {2}1\.3\.0 \(0005_drop_legacy\.sql\), applied .* ago: 120 rows, [0-9.]+ KiB\n {4}pgrollback_archive\."1\.3\.0\/1"\n/);
    assert.match(refused.stderr, /Refusing to prune: confirmation is required but stdin is not a terminal/);
    const no = await runOnTerminal(['archive', 'prune', '--version=1.3.0'], 'no', { databaseUrl: url, prompt: PRUNE_PROMPT });
    assert.equal(no.prompted, true, no.screen);
    assert.equal(no.code, 3, no.screen);
    assert.ok(no.screen.includes('Prune cancelled. Nothing was changed.'), no.screen);
    assert.deepEqual(await query(url, 'SELECT * FROM schema_versions ORDER BY id'), before);
    assert.deepEqual(await archiveTables(url), ['1.3.0/1', '1.4.0/1']);

    const yes = await runOnTerminal(['archive', 'prune', '--version=1.3.0'], 'yes', { databaseUrl: url, prompt: PRUNE_PROMPT });
    assert.equal(yes.code, 0, yes.screen);
    assert.match(yes.screen, /✓ Pruned the archive of 1 version\(s\), [0-9.]+ KiB freed\./);
    assert.deepEqual(await archiveTables(url), ['1.4.0/1']);
    const [row] = await query<{ restore_script: string | null; why: string }>(
      url,
      "SELECT restore_script, archive->>'restoreUnavailable' AS why FROM schema_versions WHERE version = '1.3.0'",
    );
    assert.equal(row!.restore_script, null);
    assert.match(row!.why, /^its archive was pruned on /);

    const none = await run('rollback', ['archive', 'prune', '--older-than=30d', '--yes'], { databaseUrl: url });
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /^Nothing to prune: no archive of applied more than 30 days ago\.$/m);
    await query(url, "UPDATE schema_versions SET applied_at = applied_at - interval '31 days' WHERE version = '1.4.0'");
    const old = await run('rollback', ['archive', 'prune', '--older-than=30d', '--yes', '--json', `--migrations=${dir}`], { databaseUrl: url });
    assert.equal(old.code, 0, old.stderr);
    const pruned = (JSON.parse(old.stdout) as { pruned: { version: string; dropped: string[]; rows: number }[] }).pruned;
    assert.deepEqual(pruned.map((p) => [p.version, p.dropped, p.rows]), [['1.4.0', ['pgrollback_archive."1.4.0/1"'], 120]]);
    assert.deepEqual(await archiveTables(url), []);
    const [schema] = await query<{ gone: boolean }>(url, "SELECT to_regnamespace('pgrollback_archive') IS NULL AS gone");
    assert.equal(schema!.gone, true);
    const empty = await run('rollback', ['archive', 'list'], { databaseUrl: url });
    assert.match(empty.stdout, /The archive is empty/);
  });

  test('usage errors: exit 2, nothing changed', async () => {
    const url = await freshDatabase('archive_usage');
    for (const [args, message] of [
      [['archive'], /Unknown archive command ""/],
      [['archive', 'drop'], /Unknown archive command "drop"/],
      [['archive', 'prune'], /archive prune needs --version=X\.Y\.Z or --older-than=DURATION/],
      [['archive', 'prune', '--older-than=30'], /--older-than must be a duration with a unit/],
      [['archive', 'prune', '--version=1', '--execute'], /--execute cannot be used with "archive prune"/],
      [['archive', 'list', '--version=1.0.0'], /--version cannot be used with "archive list"/],
      [['archive', 'list', 'extra'], /Unexpected arguments: extra/],
      [['list', '--older-than=3d'], /--older-than only applies to "archive prune"/],
    ] as const) {
      const r = await run('rollback', [...args], { databaseUrl: url });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const unknown = await run('rollback', ['archive', 'prune', '--version=9.9.9', '--yes'], { databaseUrl: url });
    assert.equal(unknown.code, 10, unknown.stderr);
  });
});
