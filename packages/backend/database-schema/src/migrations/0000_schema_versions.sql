-- version: 1.0.0
-- description: Create schema_versions (WISH-2057 migration metadata)
CREATE TABLE "schema_versions" (
	"id" serial PRIMARY KEY NOT NULL,
	"version" text NOT NULL,
	"migration_file" text NOT NULL,
	"applied_at" timestamp DEFAULT now() NOT NULL,
	"applied_by" text,
	"description" text,
	"rollback_safe" boolean DEFAULT false
);
