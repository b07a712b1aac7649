//! Shapes drizzle-kit writes: `--> statement-breakpoint` separators, double-quoted names, and
//! `DO $$ BEGIN ... EXCEPTION WHEN duplicate_object THEN null; END $$;` wrappers.
use super::{Case, Expect::*};

pub const CASES: &[Case] = &[
    Case {
        name: "drizzle: new tables, enum, indexes and guarded foreign keys",
        setup: "",
        migration: r#"CREATE TYPE "public"."wishlist_store" AS ENUM('Amazon', 'Etsy');--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "wishlist_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"store" "wishlist_store" NOT NULL,
	"title" text NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "wishlist_items" ADD CONSTRAINT "wishlist_items_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "wishlist_items_user_idx" ON "wishlist_items" USING btree ("user_id");"#,
        expect: Unsafe {
            code: "IF_NOT_EXISTS",
            script: Some("DROP TABLE wishlist_items;\nDROP TYPE public.wishlist_store;\n"),
        },
    },
    Case {
        name: "drizzle: current output without guards",
        setup: "CREATE TABLE users (id uuid PRIMARY KEY);",
        migration: r#"CREATE TYPE "public"."wishlist_store" AS ENUM('Amazon', 'Etsy');--> statement-breakpoint
CREATE TABLE "wishlist_items" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"store" "wishlist_store" NOT NULL,
	"notes" text
);
--> statement-breakpoint
ALTER TABLE "wishlist_items" ADD CONSTRAINT "wishlist_items_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "wishlist_items_user_idx" ON "wishlist_items" USING btree ("user_id");--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "display_name" varchar(100);"#,
        expect: Safe("ALTER TABLE users DROP COLUMN display_name;\nDROP TABLE wishlist_items;\nDROP TYPE public.wishlist_store;\n"),
    },
    Case {
        name: "drizzle: guarded foreign key on a table created in the same migration",
        setup: "CREATE TABLE users (id int PRIMARY KEY);",
        migration: "CREATE TABLE \"orders\" (\"id\" int, \"user_id\" int);\n--> statement-breakpoint\nDO $$ BEGIN\n ALTER TABLE \"orders\" ADD CONSTRAINT \"orders_user_fk\" FOREIGN KEY (\"user_id\") REFERENCES \"public\".\"users\"(\"id\");\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;",
        expect: Safe("DROP TABLE orders;\n"),
    },
    Case {
        name: "drizzle: guarded foreign key on an existing table",
        setup: "CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE orders (id int, user_id int);",
        migration: "DO $$ BEGIN\n ALTER TABLE \"orders\" ADD CONSTRAINT \"orders_user_fk\" FOREIGN KEY (\"user_id\") REFERENCES \"public\".\"users\"(\"id\");\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;",
        expect: Unsafe { code: "GUARDED_BY_EXCEPTION", script: None },
    },
    Case {
        name: "drizzle: guarded enum",
        setup: "",
        migration: "DO $$ BEGIN\n CREATE TYPE \"public\".\"mood\" AS ENUM('ok');\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;",
        expect: Unsafe { code: "GUARDED_BY_EXCEPTION", script: None },
    },
    Case {
        name: "DO block of plain DDL without a handler",
        setup: "",
        migration: "DO $body$\nBEGIN\n  CREATE TABLE a (id int);\n  CREATE INDEX a_id ON a (id);\nEND\n$body$;",
        expect: Safe("DROP TABLE a;\n"),
    },
    Case {
        name: "DO block with logic is a data migration",
        setup: "CREATE TABLE t (id int);",
        migration: "DO $$ BEGIN IF (SELECT count(*) FROM t) = 0 THEN INSERT INTO t VALUES (1); END IF; END $$;",
        expect: Unsafe { code: "DATA_MIGRATION", script: None },
    },
    Case {
        name: "spec edge 3: data migration",
        setup: "CREATE TABLE wishlist_items (id int, price int);",
        migration: "UPDATE wishlist_items SET price = price * 100;",
        expect: Unsafe { code: "DATA_MIGRATION", script: None },
    },
];
