-- version: 1.2.0
-- description: Create the wishlist_store enum and the wishlist_items table
CREATE TYPE "public"."wishlist_store" AS ENUM('LEGO', 'Barnes & Noble', 'Target', 'Other');--> statement-breakpoint
CREATE TABLE "wishlist_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"title" text NOT NULL,
	"store" "wishlist_store" NOT NULL,
	"price" numeric(10, 2),
	"url" text,
	"legacy_field" text,
	"created_at" timestamp DEFAULT now() NOT NULL
);
