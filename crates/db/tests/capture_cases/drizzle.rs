//! drizzle-kit's `DO $$ BEGIN ... EXCEPTION WHEN duplicate_object THEN null; END $$` guards: whether the
//! object existed before says whether the guarded statement did anything.
use super::{safe, Case};

pub const CASES: &[Case] = &[
    safe(
        "guarded enum that did not exist",
        "",
        "DO $$ BEGIN\n CREATE TYPE \"public\".\"mood\" AS ENUM('a', 'b');\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;",
        "DROP TYPE public.mood;\n",
    ),
    safe(
        "guarded enum that existed",
        "CREATE TYPE mood AS ENUM ('a');",
        "DO $$ BEGIN\n CREATE TYPE \"public\".\"mood\" AS ENUM('a', 'b');\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;",
        "",
    ),
    safe(
        "guarded foreign key on existing tables",
        "CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE orders (user_id int);",
        "DO $$ BEGIN\n ALTER TABLE \"orders\" ADD CONSTRAINT \"orders_user_id_users_id_fk\" FOREIGN KEY (\"user_id\") REFERENCES \"public\".\"users\"(\"id\") ON DELETE cascade ON UPDATE no action;\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;",
        "ALTER TABLE orders DROP CONSTRAINT orders_user_id_users_id_fk;\n",
    ),
    safe(
        "guarded foreign key that existed",
        "CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE orders (user_id int CONSTRAINT orders_user_id_users_id_fk REFERENCES users);",
        "DO $$ BEGIN\n ALTER TABLE \"orders\" ADD CONSTRAINT \"orders_user_id_users_id_fk\" FOREIGN KEY (\"user_id\") REFERENCES \"public\".\"users\"(\"id\") ON DELETE cascade ON UPDATE no action;\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;",
        "",
    ),
    safe(
        "drizzle-kit migration: drop foreign key, change defaults, add a guarded one",
        "CREATE TABLE users (id serial PRIMARY KEY, name text DEFAULT 'x' NOT NULL);
         CREATE TABLE posts (id serial PRIMARY KEY, author int CONSTRAINT posts_author_fk REFERENCES users);",
        "ALTER TABLE \"posts\" DROP CONSTRAINT \"posts_author_fk\";\n--> statement-breakpoint\nALTER TABLE \"users\" ALTER COLUMN \"name\" DROP DEFAULT;--> statement-breakpoint\nALTER TABLE \"users\" ALTER COLUMN \"name\" DROP NOT NULL;--> statement-breakpoint\nDO $$ BEGIN\n ALTER TABLE \"posts\" ADD CONSTRAINT \"posts_author_users_id_fk\" FOREIGN KEY (\"author\") REFERENCES \"public\".\"users\"(\"id\") ON DELETE cascade ON UPDATE no action;\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;\n",
        "ALTER TABLE posts DROP CONSTRAINT posts_author_users_id_fk;\nALTER TABLE users ALTER COLUMN name SET NOT NULL;\nALTER TABLE users ALTER COLUMN name SET DEFAULT 'x'::text;\nALTER TABLE posts ADD CONSTRAINT posts_author_fk FOREIGN KEY (author) REFERENCES public.users(id);\n",
    ),
];
