// `pnpm db:rollback verify`: every rollback of a migrations folder proved on a scratch database, on real
// PostgreSQL (a new database on the server of --scratch-url/--database-url) and on the embedded one (a fresh
// PGlite), which is what it uses when DATABASE_URL is set but no server is named on the command line.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { journalFolder, migrationsFolder, PACKAGE_DIR, query, run, tempDir, usePostgres } from './helpers.js';

const { freshDatabase } = usePostgres();

async function scratchDatabases(url: string): Promise<string[]> {
  const rows = await query(url, "SELECT datname FROM pg_database WHERE datname LIKE 'pg_rollback_verify_%'");
  return rows.map((r) => String(r.datname));
}

async function tables(url: string): Promise<string[]> {
  const rows = await query(url, "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace");
  return rows.map((r) => String(r.relname));
}

/** An event trigger that comments on `audit` when an index is created: the generated rollback (DROP INDEX)
 *  is SAFE, but on this database it does not restore the schema, which is what verify is for. */
const EVENT_TRIGGER = `CREATE TABLE audit (id int);
CREATE FUNCTION stamp() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  COMMENT ON TABLE audit IS 'an index was created';
END $$;
CREATE EVENT TRIGGER stamp_indexes ON ddl_command_end WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION stamp();`;

describe('db:rollback verify on real PostgreSQL', () => {
  test("proves the package's own migrations (--database-url), and leaves no scratch database and nothing in its database", async () => {
    const url = await freshDatabase('verify_pkg');
    const r = await run('rollback', ['verify', `--database-url=${url}`, '--migrations', migrationsFolder()], { databaseUrl: url });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^✓ 1\.2\.0 0003_wishlist_items\.sql: rollback restores the schema$/m);
    assert.match(r.stdout, /^– 1\.0\.0 0000_schema_versions\.sql: UNSAFE, not verified: /m);
    assert.match(r.stdout, /^– 1\.1\.0 0001_rollback_columns\.sql: UNSAFE, not verified: .*schema_versions/m);
    assert.match(r.stdout, /^– 1\.2\.1 0004_archive\.sql: UNSAFE, not verified: .*schema_versions/m);
    assert.match(r.stdout, /✓ 1 verified, 0 failed, 4 UNSAFE \(not verifiable\), 0 without a stored rollback\./);
    assert.match(r.stderr, /\[4\/5\] 0003_wishlist_items\.sql/, 'progress is shown');
    assert.deepEqual(await scratchDatabases(url), []);
    assert.deepEqual(await tables(url), [], 'verify must not touch the database of DATABASE_URL');
  });

  test('an event trigger that reacts to a migration (or its rollback) makes it UNSAFE, not a wrong SAFE rollback; --json', async () => {
    const url = await freshDatabase('verify_wrong');
    const dir = migrationsFolder([
      { tag: '0004_audit', version: '1.3.0', sql: EVENT_TRIGGER },
      { tag: '0005_title_index', version: '1.4.0', sql: 'CREATE INDEX items_title_idx ON wishlist_items (title);' },
      { tag: '0006_notes', version: '1.5.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes text;' },
    ]);
    const r = await run('rollback', ['verify', `--scratch-url=${url}`, '--migrations', dir], { databaseUrl: url });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^– 1\.4\.0 0005_title_index\.sql: UNSAFE, not verified: [^\n]*stamp_indexes/m);
    assert.match(r.stdout, /^✓ 1\.5\.0 0006_notes\.sql: rollback restores the schema$/m);
    assert.deepEqual(await scratchDatabases(url), []);

    const json = await run('rollback', ['verify', `--scratch-url=${url}`, '--migrations', dir, '--json'], { databaseUrl: url });
    assert.equal(json.code, 0, json.stderr + json.stdout);
    const result = JSON.parse(json.stdout) as { ok: boolean; results: { version: string; status: string }[] };
    assert.equal(result.ok, true);
    assert.equal(result.results.find((x) => x.version === '1.4.0')!.status, 'unsafe');
    assert.equal(result.results.find((x) => x.version === '1.5.0')!.status, 'verified');
  });

  test('a project without schema_versions: each rollback is proved with verifyRollback before the migration is applied', async () => {
    const url = await freshDatabase('verify_plain');
    const entries = [
      { tag: '0000_items', sql: 'CREATE TABLE items (id int PRIMARY KEY, title text);' },
      { tag: '0001_title_default', sql: "ALTER TABLE items ALTER COLUMN title SET DEFAULT 'untitled';" },
      { tag: '0002_drop_title', sql: 'ALTER TABLE items DROP COLUMN title;' },
    ];
    const dir = journalFolder('verify-plain-', entries);
    const r = await run('rollback', ['verify', `--scratch-url=${url}`, '--migrations', dir], { databaseUrl: url });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^✓ 0000_items 0000_items\.sql: rollback restores the schema \(proved with verifyRollback/m);
    assert.match(r.stdout, /^✓ 0001_title_default 0001_title_default\.sql: rollback restores the schema \(proved/m);
    assert.match(r.stdout, /^– 0002_drop_title 0002_drop_title\.sql: UNSAFE, not verified: .*DROP COLUMN/m);
    assert.deepEqual(await scratchDatabases(url), []);
  });

  test('a migration whose rollback an event trigger reacts to (it re-creates what the rollback drops) is UNSAFE', async () => {
    const url = await freshDatabase('verify_zombie');
    const dir = migrationsFolder([
      {
        tag: '0004_zombie',
        version: '1.3.0',
        // Whenever a table is dropped, "extra" comes back (with another shape).
        sql: `CREATE FUNCTION zombie() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  CREATE TABLE IF NOT EXISTS extra (id int, zombie int);
END $$;
CREATE EVENT TRIGGER zombie ON ddl_command_end WHEN TAG IN ('DROP TABLE') EXECUTE FUNCTION zombie();`,
      },
      { tag: '0005_extra', version: '1.4.0', sql: 'CREATE TABLE extra (id int);' },
      { tag: '0006_notes', version: '1.5.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes text;' },
    ]);
    const r = await run('rollback', ['verify', `--scratch-url=${url}`, '--migrations', dir], { databaseUrl: url });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^– 1\.4\.0 0005_extra\.sql: UNSAFE, not verified: [^\n]*zombie/m);
    assert.match(r.stdout, /^✓ 1\.5\.0 0006_notes\.sql: rollback restores the schema$/m);
    assert.deepEqual(await scratchDatabases(url), []);
  });

  test('a migration that fails to apply: file, statement, line and PostgreSQL message; exit 12; scratch removed', async () => {
    const url = await freshDatabase('verify_fail');
    const dir = migrationsFolder([
      { tag: '0004_broken', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN a int;\nALTER TABLE nope ADD COLUMN b int;' },
    ]);
    const r = await run('rollback', ['verify', `--scratch-url=${url}`, '--migrations', dir], { databaseUrl: url });
    assert.equal(r.code, 12, r.stderr + r.stdout);
    assert.match(r.stderr, /0004_broken\.sql \(version 1\.3\.0\) could not be applied: .*statement 2 of 2 \(line 3, column 1\)/s);
    assert.match(r.stderr, /relation "nope" does not exist \(SQLSTATE 42P01\)/);
    assert.match(r.stdout, /Verification stopped: 1 verified, .*stopped at migration 6 of 6/);
    assert.deepEqual(await scratchDatabases(url), []);
  });

  test('SQL that does not parse: exit 11 naming the file, before any database is made', async () => {
    const url = await freshDatabase('verify_parse');
    const dir = migrationsFolder([{ tag: '0004_typo', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ADD COLUM x int;' }]);
    const r = await run('rollback', ['verify', `--scratch-url=${url}`, '--migrations', dir], { databaseUrl: url });
    assert.equal(r.code, 11, r.stderr);
    assert.match(r.stderr, /Cannot parse .*0004_typo\.sql: .*line 2/);
    assert.deepEqual(await scratchDatabases(url), []);
  });

  test('a missing folder or journal: exit 11', async () => {
    const url = await freshDatabase('verify_missing');
    const r = await run('rollback', ['verify', `--scratch-url=${url}`, '--migrations', path.join(tempDir('verify-none-'), 'nope')], { databaseUrl: url });
    assert.equal(r.code, 11, r.stderr);
    assert.match(r.stderr, /Cannot read the migrations journal/);
  });

  test('Ctrl-C while it runs removes the scratch database (exit 130)', async () => {
    const url = await freshDatabase('verify_sigint');
    const dir = migrationsFolder(
      Array.from({ length: 30 }, (_, i) => ({
        tag: `${String(i + 4).padStart(4, '0')}_t${i}`,
        version: `2.0.${i}`,
        sql: `CREATE TABLE t${i} (id int PRIMARY KEY, name text);`,
      })),
    );
    const child = spawn(process.execPath, [path.join(PACKAGE_DIR, 'dist/cli/rollback.js'), 'verify', `--scratch-url=${url}`, '--migrations', dir], {
      cwd: PACKAGE_DIR,
      env: { ...process.env, DATABASE_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const interrupted = new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (stderr.includes('[8/')) resolve();
      });
    });
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await interrupted;
    assert.equal((await scratchDatabases(url)).length, 1, 'the scratch database exists while verify runs');
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /SIGINT: removing the scratch database/);
    assert.deepEqual(await scratchDatabases(url), []);
  });
});

describe('db:rollback verify on the embedded PostgreSQL (no --scratch-url)', () => {
  test('proves the migrations on a fresh PGlite in a temporary directory, removed at the end; DATABASE_URL is not used', async () => {
    const url = await freshDatabase('verify_not_here');
    const leftovers = () => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('pg-rollback-verify-'));
    const existing = new Set(leftovers());
    const dir = migrationsFolder([
      { tag: '0004_notes', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes text DEFAULT \'none\';' },
      { tag: '0005_drop_notes', version: '1.4.0', sql: 'ALTER TABLE wishlist_items DROP COLUMN notes;' },
    ]);
    const r = await run('rollback', ['verify', '--migrations', dir], { databaseUrl: url });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stderr, /DATABASE_URL is not used by verify \(it may be production's\); pass --scratch-url=URL/);
    assert.match(r.stderr, /Verifying on a fresh embedded PostgreSQL \(PGlite\)/);
    assert.deepEqual(await scratchDatabases(url), [], 'nothing was created on the server of DATABASE_URL');
    assert.deepEqual(await tables(url), []);
    assert.match(r.stdout, /^✓ 1\.2\.0 0003_wishlist_items\.sql: rollback restores the schema$/m);
    assert.match(r.stdout, /^✓ 1\.3\.0 0004_notes\.sql: rollback restores the schema$/m);
    assert.match(r.stdout, /^– 1\.4\.0 0005_drop_notes\.sql: UNSAFE, not verified: .*DROP COLUMN/m);
    assert.deepEqual(leftovers().filter((f) => !existing.has(f)), [], 'the temporary directory is removed');
  });
});
