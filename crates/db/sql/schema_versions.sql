-- schema_versions as WISH-2057 defines it: one row per applied migration.
-- The rollback columns come in the next migration (rollback_columns.sql).
CREATE TABLE schema_versions (
  id SERIAL PRIMARY KEY,
  version TEXT NOT NULL,
  migration_file TEXT NOT NULL,
  applied_at TIMESTAMP NOT NULL DEFAULT now(),
  applied_by TEXT,
  description TEXT,
  rollback_safe BOOLEAN DEFAULT false
);
