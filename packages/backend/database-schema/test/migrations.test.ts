// Reading the Drizzle migrations folder: no database needed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { migrationDescription, migrationVersion, readMigrations, resolveMigrationsDir } from '../src/lib/migrations.js';
import { generateRollback } from '../src/rollback/generator.js';
import { BASE_MIGRATIONS, migrationsFolder } from './helpers.js';

test('hash and created_at are exactly what drizzle-orm’s migrator computes', () => {
  const dir = migrationsFolder([
    { tag: '0004_unicode', version: '1.3.0', sql: "COMMENT ON TABLE wishlist_items IS 'wünsche ✓';\n" },
  ]);
  const ours = readMigrations(dir).map((m) => ({ hash: m.hash, when: m.when }));
  const drizzle = readMigrationFiles({ migrationsFolder: dir }).map((m) => ({ hash: m.hash, when: m.folderMillis }));
  assert.equal(ours.length, 6);
  assert.deepEqual(ours, drizzle);
});

test('the package’s migrations: versions, descriptions, files', async () => {
  assert.equal(await resolveMigrationsDir(undefined), BASE_MIGRATIONS);
  const migrations = readMigrations(BASE_MIGRATIONS);
  assert.deepEqual(
    migrations.map((m) => [m.file, m.version]),
    [
      ['0000_schema_versions.sql', '1.0.0'],
      ['0001_rollback_columns.sql', '1.1.0'],
      ['0002_rollback_plan.sql', '1.1.1'],
      ['0003_wishlist_items.sql', '1.2.0'],
      ['0004_archive.sql', '1.2.1'],
    ],
  );
  assert.equal(migrations[1]!.description, 'Add schema_versions.rollback_script and rollback_applied_at (WISH-20200 AC 12-13)');
});

test('AC 12-13: migration 0001 adds rollback_script TEXT and rollback_applied_at TIMESTAMP, both nullable', () => {
  const sql = readMigrations(BASE_MIGRATIONS)[1]!.sql;
  assert.match(sql, /ALTER TABLE "schema_versions" ADD COLUMN "rollback_script" text;/);
  assert.match(sql, /ALTER TABLE "schema_versions" ADD COLUMN "rollback_applied_at" timestamp;/);
  assert.doesNotMatch(sql, /NOT NULL/i);
});

test('the app migration rolls back safely; the ones creating pg-rollback\'s own table are rolled back by hand', () => {
  const [schemaVersions, rollbackColumns, rollbackPlan, wishlist, archive] = readMigrations(BASE_MIGRATIONS);
  // 0004 too: dropping restore_script and archive would lose every version's restore (and orphan its tables).
  for (const m of [schemaVersions!, rollbackColumns!, rollbackPlan!, archive!]) {
    const plan = generateRollback(m.sql);
    assert.equal(plan.rollbackSafe, false, m.file);
    assert.equal(plan.rollbackScript, null, m.file);
    assert.ok(plan.warnings.length > 0 && plan.warnings.every((w) => w.code === 'ROLLBACK_METADATA'), m.file);
  }
  const plan = generateRollback(wishlist!.sql);
  assert.equal(plan.rollbackSafe, true, wishlist!.file);
  assert.deepEqual(plan.warnings, [], wishlist!.file);
});

test('migration 0004 adds restore_script TEXT and archive JSONB, both nullable, as src/schema.ts declares them', async () => {
  const sql = readMigrations(BASE_MIGRATIONS)[4]!.sql;
  assert.match(sql, /ALTER TABLE "schema_versions" ADD COLUMN "restore_script" text;/);
  assert.match(sql, /ALTER TABLE "schema_versions" ADD COLUMN "archive" jsonb;/);
  assert.doesNotMatch(sql, /NOT NULL/i);
  const { schemaVersions } = await import('../src/schema.js');
  const columns = Object.values(schemaVersions).filter((c): c is { name: string; columnType: string; notNull: boolean } =>
    typeof c === 'object' && c !== null && 'columnType' in c,
  );
  const byName = new Map(columns.map((c) => [c.name, c]));
  assert.equal(byName.get('restore_script')?.columnType, 'PgText');
  assert.equal(byName.get('archive')?.columnType, 'PgJsonb');
  assert.equal(byName.get('archive')?.notNull, false);
});

test('version and description lines', () => {
  assert.equal(migrationVersion('-- version: 2.0.1\nSELECT 1;', 'tag'), '2.0.1');
  assert.equal(migrationVersion('SELECT 1;\n  --   Version:   2.0.1  \n', 'tag'), '2.0.1');
  assert.equal(migrationVersion('-- versions: 2.0.1\nSELECT 1;', '0007_tag'), '0007_tag');
  assert.equal(migrationVersion('-- version:\nSELECT 1;', '0007_tag'), '0007_tag');
  assert.equal(migrationDescription('-- description: Add notes\n', 'tag'), 'Add notes');
  assert.equal(migrationDescription('-- description:\n', '0007_tag'), '0007_tag');
  assert.equal(migrationDescription('SELECT 1;', '0007_tag'), '0007_tag');
});
