-- version: 1.1.0
-- description: Add schema_versions.rollback_script and rollback_applied_at (WISH-20200 AC 12-13)
ALTER TABLE "schema_versions" ADD COLUMN "rollback_script" text;--> statement-breakpoint
ALTER TABLE "schema_versions" ADD COLUMN "rollback_applied_at" timestamp;