-- version: 1.2.1
-- description: Add schema_versions.restore_script and archive (the data a destructive migration dropped, kept by pg-rollback, and the script that restores it)
ALTER TABLE "schema_versions" ADD COLUMN "restore_script" text;--> statement-breakpoint
ALTER TABLE "schema_versions" ADD COLUMN "archive" jsonb;
