// `pnpm db:rollback ... --restore-data` of a data migration (issue 19) through the real CLI on a throwaway
// PostgreSQL 15: an UPDATE backfill and a DELETE applied by db:migrate:apply keep the rows they change; the
// preview says what comes back, a dry run changes nothing, --execute puts every row back. Rows the application
// changed since are conflicts: the preview lists them (per table, count, first keys) with the --force variants
// that would run it, --execute refuses (RESTORE_CONFLICT, exit 18, nothing changed), --force keeps the newer
// values, --force=overwrite takes the archived ones, and any other --force value is a usage error.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addMigrations, databaseState, migrationsFolder, query, run, schemaVersion, usePostgres } from './helpers.js';

const { freshDatabase } = usePostgres();


// 40 accounts (score = id % 10) and 40 sessions. The migration backfills the 20 accounts with score >= 5 (four
// columns: text, numeric, jsonb, a text set to NULL) and deletes the sessions 10, 20, 30 and 40.
const TABLES = `CREATE TABLE accounts (
    id int PRIMARY KEY, plan text NOT NULL, score int, note text, credit numeric(12,4), meta jsonb, seen_at timestamptz);
  INSERT INTO accounts
    SELECT g, 'free', g % 10, CASE WHEN g % 7 = 0 THEN NULL ELSE 'note ' || g END, g * 1.0625,
           jsonb_build_object('n', g, 'tags', jsonb_build_array('a', g)), '2024-03-01 12:00:00.123456+00'::timestamptz + g * interval '1 hour'
      FROM generate_series(1, 40) g;
  CREATE TABLE sessions (id int PRIMARY KEY, account_id int NOT NULL, token bytea, tags text[], started_at timestamptz);
  INSERT INTO sessions
    SELECT g, g, decode(md5(g::text), 'hex'), ARRAY['t' || g, NULL], '2024-03-02 00:00:00+00'::timestamptz + g * interval '1 minute'
      FROM generate_series(1, 40) g;`;
const BACKFILL = [
  `UPDATE accounts SET plan = 'pro', credit = credit * 2, meta = meta || '{"migrated": true}', note = NULL WHERE score >= 5;`,
  '--> statement-breakpoint',
  'DELETE FROM sessions WHERE id % 10 = 0;',
  '',
].join('\n');
// Every value as text, so numeric scale, jsonb, bytea, arrays and timestamptz compare exactly.
const ACCOUNTS = `SELECT id, plan, score, note, credit::text AS credit, meta::text AS meta, seen_at::text AS seen_at FROM accounts ORDER BY id`;
const SESSIONS = `SELECT id, account_id, token::text AS token, tags::text AS tags, started_at::text AS started_at FROM sessions ORDER BY id`;
const ARCHIVE_TABLES = `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname LIKE 'pgrollback_archive%' AND c.relkind IN ('r', 'p') ORDER BY 1`;

type Row = Record<string, unknown> & { id: number };
interface Rows {
  accounts: Row[];
  sessions: Row[];
}

const rowsOf = async (url: string): Promise<Rows> => ({ accounts: await query<Row>(url, ACCOUNTS), sessions: await query<Row>(url, SESSIONS) });

/** A database with the package's migrations, `accounts` and `sessions`, then the backfill applied by db:migrate:apply as 1.3.0. */
async function backfilled(prefix: string, sql = BACKFILL) {
  const url = await freshDatabase(prefix);
  const dir = migrationsFolder();
  const first = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
  assert.equal(first.code, 0, first.stderr);
  await query(url, TABLES);
  const before = await rowsOf(url);
  addMigrations(dir, [{ tag: '0005_backfill_plans', version: '1.3.0', sql }]);
  const apply = await run('migrate', [`--migrations=${dir}`], { databaseUrl: url });
  assert.equal(apply.code, 0, apply.stderr);
  const after = await rowsOf(url);
  if (sql !== BACKFILL) return { url, dir, before };
  assert.equal(after.sessions.length, 36, 'the DELETE ran');
  assert.equal(after.accounts.filter((r) => r.plan === 'pro').length, 20, 'the UPDATE ran');
  return { url, dir, before };
}

/** Written by the application after the migration: two backfilled accounts changed, a deleted session's key used again, a new account. */
const APP_WRITES = `UPDATE accounts SET plan = 'enterprise', credit = 1, meta = '{"app": 1}', note = 'by the app' WHERE id IN (5, 16);
  INSERT INTO sessions (id, account_id) VALUES (10, 99);
  INSERT INTO accounts VALUES (100, 'app', 7, 'new', 4, '{}', '2025-01-02 00:00:00+00');`;

const rollback = (url: string, dir: string, args: string[]) => run('rollback', [...args, `--migrations=${dir}`], { databaseUrl: url });

interface PreviewDoc {
  ok: boolean;
  restore: { versions: { runs: string; objects: { kind: string; archivedRows: number; summary: string; conflicts: string[] }[] }[]; refusals: { code: string; forceable: boolean }[] };
  executeCommand: string;
  forceVariants: { flag: string; conflictingRows: string; command: string }[];
}

const objectOf = (doc: PreviewDoc, kind: string) => doc.restore.versions[0]!.objects.find((o) => o.kind === kind);

/**
 * The rows a forced restore must leave: the rows from before, except the conflicting ones when they keep their
 * newer values (`keep`: accounts 5 and 16, session 10 as the application wrote them); account 100, inserted since, stays.
 */
function expected(before: Rows, now: Rows, keep: boolean): Rows {
  const merge = (old: Row[], newer: Row[], ids: number[]) =>
    [...old.filter((r) => !ids.includes(r.id)), ...newer.filter((r) => ids.includes(r.id))].sort((a, b) => a.id - b.id);
  return {
    accounts: merge(before.accounts, now.accounts, keep ? [5, 16, 100] : [100]),
    sessions: merge(before.sessions, now.sessions, keep ? [10] : []),
  };
}

describe('--restore-data of a data migration', () => {
  test('--force takes no value but "overwrite"; --help says what each does', async () => {
    const help = (await run('rollback', ['--help'])).stdout;
    assert.match(help, /--force=overwrite {9}with --restore-data: as --force, but rows changed since a data migration take the\n/);
    assert.match(help, /--force \(conflicting rows keep their newer values\) or\n--force=overwrite \(they take the archived values\)/);
    for (const [args, message] of [
      [['--version=1.3.0', '--restore-data', '--execute', '--force=bogus'], /--force takes no value, or "overwrite" .*got "bogus"/],
      [['--version=1.3.0', '--restore-data', '--execute', '--force='], /--force takes no value, or "overwrite" .*got ""/],
      [['--version=1.3.0', '--execute', '--force=overwrite'], /--force=overwrite only applies with --restore-data/],
      [['--version=1.3.0', '--restore-data', '--force=overwrite'], /--force only applies with --execute/],
    ] as const) {
      const r = await run('rollback', [...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const json = await run('rollback', ['--version=1.3.0', '--restore-data', '--execute', '--force=bogus', '--json']);
    assert.equal(json.code, 2);
    assert.equal((JSON.parse(json.stdout) as { error: { code: string } }).error.code, 'INVALID_ARGUMENT');
  });

  test('UPDATE and DELETE: the preview says what comes back, a dry run changes nothing, --execute puts every row back', async () => {
    const { url, dir, before } = await backfilled('restore_data_cli');
    const state = { db: await databaseState(url), rows: await rowsOf(url) };

    const preview = await rollback(url, dir, ['--version=1.3.0', '--restore-data']);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /Version 1\.3\.0 \(0005_backfill_plans\.sql\), marked as UNSAFE/);
    assert.match(preview.stdout, /Restore script for version 1\.3\.0:/);
    assert.match(preview.stdout, /Dry run: nothing was changed\./);
    assert.match(preview.stdout, /To execute, run: pnpm db:rollback --version=1\.3\.0 --restore-data --execute\n/);
    assert.doesNotMatch(preview.stdout, /⚠ conflict|--force/);
    assert.deepEqual({ db: await databaseState(url), rows: await rowsOf(url) }, state, 'the preview changes nothing');

    const json = await rollback(url, dir, ['--version=1.3.0', '--restore-data', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as PreviewDoc;
    assert.equal(doc.restore.versions[0]!.runs, 'restore');
    assert.deepEqual(doc.restore.refusals, []);
    assert.deepEqual(doc.forceVariants, [], 'nothing conflicts: no --force needed');
    const update = objectOf(doc, 'UPDATE');
    const del = objectOf(doc, 'DELETE');
    assert.ok(update && del, JSON.stringify(doc.restore.versions[0]!.objects));
    assert.equal(update.archivedRows, 20);
    assert.equal(del.archivedRows, 4);
    for (const o of [update, del]) {
      assert.deepEqual(o.conflicts, []);
      assert.ok(preview.stdout.includes(o.summary), `the text shows the summary: ${o.summary}`);
    }

    const done = await rollback(url, dir, ['--version=1.3.0', '--restore-data', '--execute', '--yes']);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /✓ Restore completed successfully/);
    assert.doesNotMatch(done.stderr, /Restored with --force/);
    assert.deepEqual(await rowsOf(url), before, 'every row as before the migration');
    assert.notEqual((await schemaVersion(url, '1.3.0')).rollback_applied_at, null);
    assert.deepEqual(await query(url, ARCHIVE_TABLES), [], 'the archive tables are dropped with the restore');
  });

  test('rows changed since: the preview lists the conflicts, --execute refuses (18) and changes nothing, --force keeps the newer values', async () => {
    const { url, dir, before } = await backfilled('restore_data_keep');
    await query(url, APP_WRITES);
    const now = await rowsOf(url);
    const state = { db: await databaseState(url), rows: now };

    const preview = await rollback(url, dir, ['--version=1.3.0', '--restore-data']);
    assert.equal(preview.code, 0, `conflicts are forceable, the preview is not refused: ${preview.stderr}`);
    assert.match(preview.stdout, /⚠ conflict: public\.accounts: 2 rows [^\n]*\((id=5, id=16|id=16, id=5)\)/);
    assert.match(preview.stdout, /⚠ conflict: public\.sessions: 1 row [^\n]*\(id=10\)/);
    assert.match(preview.stdout, /--force: these rows keep their newer values; --force=overwrite: they take the archived values/);
    assert.match(preview.stdout, /⚠ needs --force: RESTORE_CONFLICT/);
    assert.match(preview.stdout, /To execute, run one of:\n {2}pnpm db:rollback --version=1\.3\.0 --restore-data --execute --force {12}# conflicting rows keep their newer values\n {2}pnpm db:rollback --version=1\.3\.0 --restore-data --execute --force=overwrite {2}# conflicting rows take the archived values\n/);

    const json = await rollback(url, dir, ['--version=1.3.0', '--restore-data', '--json']);
    const doc = JSON.parse(json.stdout) as PreviewDoc;
    assert.deepEqual(doc.restore.refusals.map((r) => [r.code, r.forceable]), [['RESTORE_CONFLICT', true]]);
    assert.match(objectOf(doc, 'UPDATE')!.conflicts.join('\n'), /public\.accounts: 2 rows .*\((id=5, id=16|id=16, id=5)\)/);
    assert.match(objectOf(doc, 'DELETE')!.conflicts.join('\n'), /public\.sessions: 1 row .*\(id=10\)/);
    assert.deepEqual(doc.forceVariants.map((v) => [v.flag, v.conflictingRows, v.command]), [
      ['--force', 'keep', 'pnpm db:rollback --version=1.3.0 --restore-data --execute --force'],
      ['--force=overwrite', 'overwrite', 'pnpm db:rollback --version=1.3.0 --restore-data --execute --force=overwrite'],
    ]);

    const refused = await rollback(url, dir, ['--version=1.3.0', '--restore-data', '--execute', '--yes']);
    assert.equal(refused.code, 18, refused.stderr);
    assert.match(refused.stderr, /✗ RESTORE_CONFLICT: /);
    assert.match(refused.stderr, /To restore anyway \(conflicting rows keep their newer values\), run: .* --force\n/);
    assert.match(refused.stderr, /To restore anyway \(conflicting rows take the archived values\), run: .* --force=overwrite\n/);
    assert.deepEqual({ db: await databaseState(url), rows: await rowsOf(url) }, state, 'a refused restore changes nothing');
    const refusedJson = await rollback(url, dir, ['--version=1.3.0', '--restore-data', '--execute', '--yes', '--json']);
    assert.equal(refusedJson.code, 18, refusedJson.stderr);
    const refusal = JSON.parse(refusedJson.stdout) as { ok: boolean; error: { code: string }; forceVariants: { flag: string }[] };
    assert.equal(refusal.error.code, 'RESTORE_CONFLICT');
    assert.deepEqual(refusal.forceVariants.map((v) => v.flag), ['--force', '--force=overwrite']);
    const bogus = await rollback(url, dir, ['--version=1.3.0', '--restore-data', '--execute', '--yes', '--force=bogus']);
    assert.equal(bogus.code, 2, bogus.stderr);
    assert.deepEqual({ db: await databaseState(url), rows: await rowsOf(url) }, state, 'a usage error changes nothing');

    const done = await rollback(url, dir, ['--version=1.3.0', '--restore-data', '--execute', '--yes', '--force']);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stderr, /⚠ Warning: version 1\.3\.0: public\.accounts: 2 rows [^\n]*: these rows keep their newer values \(--force\)/);
    assert.match(done.stderr, /⚠ Restored with --force: 1\.3\.0: public\.accounts: /);
    assert.deepEqual(await rowsOf(url), expected(before, now, true), 'conflicting rows keep their newer values, the rest is back');
  });

  test('--force=overwrite: conflicting rows take the archived values', async () => {
    const { url, dir, before } = await backfilled('restore_data_overwrite');
    await query(url, APP_WRITES);
    const now = await rowsOf(url);
    const done = await rollback(url, dir, ['--version=1.3.0', '--restore-data', '--execute', '--yes', '--force=overwrite', '--json']);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stderr, /⚠ Warning: version 1\.3\.0: public\.accounts: 2 rows [^\n]*: these rows take the archived values \(--force=overwrite\)/);
    assert.match(done.stderr, /⚠ Restored with --force=overwrite: 1\.3\.0: public\.accounts: /);
    const result = JSON.parse(done.stdout) as { ok: boolean; rollback: { restoreNotes: string[] } };
    assert.equal(result.ok, true);
    assert.ok(result.rollback.restoreNotes.some((n) => n.startsWith('public.accounts: ')), JSON.stringify(result.rollback.restoreNotes));
    // Every row of before has its values from before; the row inserted since with a new key stays.
    assert.deepEqual(await rowsOf(url), expected(before, now, false));
  });

  test('conflicts the preview could not count (a later statement changed the same table): --execute refuses with both --force commands', async () => {
    const sameTable = `UPDATE accounts SET plan = 'pro' WHERE score >= 5;\n--> statement-breakpoint\nDELETE FROM accounts WHERE score = 9;\n`;
    const { url, dir, before } = await backfilled('restore_data_uncounted', sameTable);
    await query(url, `UPDATE accounts SET plan = 'enterprise' WHERE id = 5`);
    const now = await rowsOf(url);
    const preview = await rollback(url, dir, ['--version=1.3.0', '--restore-data']);
    assert.equal(preview.code, 0, preview.stderr);
    assert.doesNotMatch(preview.stdout, /⚠ conflict/);
    assert.match(preview.stdout, /To execute, run: pnpm db:rollback --version=1\.3\.0 --restore-data --execute\n/);

    const refused = await rollback(url, dir, ['--version=1.3.0', '--restore-data', '--execute', '--yes']);
    assert.equal(refused.code, 18, refused.stderr);
    assert.match(refused.stderr, /✗ .*public\.accounts: 1 row/);
    assert.match(refused.stderr, /To restore anyway \(conflicting rows keep their newer values\), run: .* --force\n/);
    assert.match(refused.stderr, /To restore anyway \(conflicting rows take the archived values\), run: .* --force=overwrite\n/);
    assert.deepEqual(await rowsOf(url), now, 'nothing changed');

    const done = await rollback(url, dir, ['--version=1.3.0', '--restore-data', '--execute', '--yes', '--force=overwrite']);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stderr, /⚠ Restored with --force=overwrite: 1\.3\.0: public\.accounts: 1 conflicting row/);
    assert.deepEqual(await rowsOf(url), before);
  });
});
