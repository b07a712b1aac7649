// `pnpm db:rollback verify --seed-rows=N`: proof with data on real PostgreSQL. Every table gets N generated rows
// before each migration; a SAFE rollback must bring the rows back, a migration that is not SAFE but whose data
// was archived is proved by its restore (restorable), a data migration too (issue 19), and a write hidden in a
// SELECT's WITH is neither.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { BASE_MIGRATIONS, migrationsFolder, run, usePostgres, type ExtraMigration } from './helpers.js';

const { freshDatabase } = usePostgres();

/** The archive's bookkeeping migration, unless the package's journal applies it already. */
function archiveMigration(): ExtraMigration[] {
  const journal = fs.readFileSync(path.join(BASE_MIGRATIONS, 'meta', '_journal.json'), 'utf8');
  if (journal.includes('0004_archive')) return [];
  return [{ tag: '0004_archive', version: '1.2.1', sql: fs.readFileSync(path.join(BASE_MIGRATIONS, '0004_archive.sql'), 'utf8') }];
}

describe('db:rollback verify --seed-rows', () => {
  test('rows compared; DROP COLUMN, a type change and an UPDATE proved restorable; a write hidden in a WITH is neither; --json', async () => {
    const url = await freshDatabase('verify_seed');
    const dir = migrationsFolder([
      ...archiveMigration(),
      { tag: '0005_notes', version: '1.3.0', sql: "ALTER TABLE wishlist_items ADD COLUMN notes text DEFAULT 'none';" },
      { tag: '0006_drop_legacy', version: '1.4.0', sql: 'ALTER TABLE wishlist_items DROP COLUMN legacy_field;' },
      { tag: '0007_price', version: '1.5.0', sql: 'ALTER TABLE wishlist_items ALTER COLUMN price TYPE numeric(10, 0);' },
      { tag: '0008_titles', version: '1.6.0', sql: "UPDATE wishlist_items SET title = 'x';" },
      // Fails on a table with rows: applied again on emptied tables, and said so.
      { tag: '0009_must', version: '1.7.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN must text NOT NULL;' },
      { tag: '0010_drop_url', version: '1.8.0', sql: 'ALTER TABLE wishlist_items DROP COLUMN url;' },
      { tag: '0011_hidden', version: '1.9.0', sql: "WITH w AS (UPDATE wishlist_items SET title = 'y' RETURNING 1) SELECT count(*) FROM w;" },
    ]);
    const r = await run('rollback', ['verify', `--scratch-url=${url}`, '--migrations', dir, '--seed-rows=5'], { databaseUrl: url });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /every table gets 5 generated rows/);
    assert.match(r.stdout, /^✓ 1\.3\.0 0005_notes\.sql: rollback restores the schema$/m);
    assert.match(r.stdout, /^✓ 1\.4\.0 0006_drop_legacy\.sql: not SAFE, but its restore brings back the schema and the rows/m);
    assert.match(r.stdout, /^✓ 1\.5\.0 0007_price\.sql: not SAFE, but its restore brings back/m);
    assert.match(r.stdout, /^✓ 1\.6\.0 0008_titles\.sql: not SAFE, but its restore brings back the schema and the rows/m);
    assert.match(r.stdout, /^– 1\.9\.0 0011_hidden\.sql: UNSAFE, not verified: /m);
    assert.match(r.stdout, /^ {4}no restore: /m);
    assert.match(r.stdout, /^✓ 1\.7\.0 0009_must\.sql: rollback restores the schema \(does not apply on the seeded rows, applied on emptied tables: /m);
    assert.match(r.stdout, /^✓ 1\.8\.0 0010_drop_url\.sql: not SAFE, but its restore brings back/m);
    assert.match(r.stdout, /4 restorable \(restore proved\), 0 failed/);

    const json = await run('rollback', ['verify', `--scratch-url=${url}`, '--migrations', dir, '--seed-rows=3', '--json'], {
      databaseUrl: url,
    });
    assert.equal(json.code, 0, json.stderr + json.stdout);
    const result = JSON.parse(json.stdout) as { results: { version: string; status: string; rowDifferences?: string[] }[] };
    const status = (v: string) => result.results.find((x) => x.version === v)!;
    assert.equal(status('1.4.0').status, 'restorable');
    assert.deepEqual(status('1.4.0').rowDifferences, []);
    assert.equal(status('1.6.0').status, 'restorable');
    assert.deepEqual(status('1.6.0').rowDifferences, []);
    assert.equal(status('1.9.0').status, 'unsafe');
  });

  test('without --seed-rows the same folder verifies as before (no rows, no restores)', async () => {
    const url = await freshDatabase('verify_seed_off');
    const dir = migrationsFolder([
      ...archiveMigration(),
      { tag: '0005_drop_legacy', version: '1.4.0', sql: 'ALTER TABLE wishlist_items DROP COLUMN legacy_field;' },
    ]);
    const r = await run('rollback', ['verify', `--scratch-url=${url}`, '--migrations', dir], { databaseUrl: url });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^– 1\.4\.0 0005_drop_legacy\.sql: UNSAFE, not verified: /m);
    assert.doesNotMatch(r.stdout, /restorable|generated rows/);
  });

  test('--seed-rows is checked: a whole number from 1, and only with verify', async () => {
    const url = await freshDatabase('verify_seed_usage');
    for (const bad of ['0', '-3', 'many', '100001']) {
      const r = await run('rollback', ['verify', `--scratch-url=${url}`, `--seed-rows=${bad}`], { databaseUrl: url });
      assert.equal(r.code, 2, r.stderr + r.stdout);
      assert.match(r.stderr + r.stdout, /--seed-rows must be a whole number/);
    }
    const r = await run('rollback', ['list', '--seed-rows=3'], { databaseUrl: url });
    assert.equal(r.code, 2, r.stderr + r.stdout);
    assert.match(r.stderr + r.stdout, /--seed-rows only applies to "verify"/);
  });
});
