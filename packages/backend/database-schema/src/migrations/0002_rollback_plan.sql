-- version: 1.1.1
-- description: Add schema_versions.rollback_plan (the stored plan: warnings, whether the state was captured)
ALTER TABLE "schema_versions" ADD COLUMN "rollback_plan" jsonb;