-- WISH-20200 AC 12-13: the generated rollback script and when it was executed.
ALTER TABLE schema_versions ADD COLUMN rollback_script TEXT;
ALTER TABLE schema_versions ADD COLUMN rollback_applied_at TIMESTAMP;
