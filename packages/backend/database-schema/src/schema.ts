import { boolean, jsonb, numeric, pgEnum, pgTable, serial, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// Migration metadata (WISH-2057), extended by WISH-20200 with the generated rollback script
// and the time a rollback was executed.
export const schemaVersions = pgTable('schema_versions', {
  id: serial('id').primaryKey(),
  version: text('version').notNull(),
  migrationFile: text('migration_file').notNull(),
  appliedAt: timestamp('applied_at').notNull().defaultNow(),
  appliedBy: text('applied_by'),
  description: text('description'),
  rollbackSafe: boolean('rollback_safe').default(false),
  rollbackScript: text('rollback_script'),
  rollbackAppliedAt: timestamp('rollback_applied_at'),
  // The whole plan pg-rollback stored with the script: warnings, and whether the state was captured.
  rollbackPlan: jsonb('rollback_plan'),
  // The script that restores the data the migration destroyed, and what the archive keeps (0004_archive).
  restoreScript: text('restore_script'),
  archive: jsonb('archive'),
});

export const wishlistStore = pgEnum('wishlist_store', ['LEGO', 'Barnes & Noble', 'Target', 'Other']);

export const wishlistItems = pgTable('wishlist_items', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: text('user_id').notNull(),
  title: text('title').notNull(),
  store: wishlistStore('store').notNull(),
  price: numeric('price', { precision: 10, scale: 2 }),
  url: text('url'),
  // Kept from the first wishlist schema; the spec's unsafe-migration examples drop it.
  legacyField: text('legacy_field'),
  createdAt: timestamp('created_at').notNull().defaultNow(),
});
