//! Renames and moves with IF EXISTS, without the old schema, and through search_path.
use super::{safe, Case};

pub const CASES: &[Case] = &[
    safe("rename if exists of a missing table", "", "ALTER TABLE IF EXISTS nope RENAME TO other;", ""),
    safe(
        "rename if exists of a table that exists",
        "CREATE TABLE t (a int);",
        "ALTER TABLE IF EXISTS t RENAME TO u;",
        "ALTER TABLE u RENAME TO t;\n",
    ),
    safe("rename column of a missing table if exists", "", "ALTER TABLE IF EXISTS nope RENAME COLUMN a TO b;", ""),
    safe(
        "rename back through search_path when an earlier schema has the new name",
        "CREATE SCHEMA postgres; CREATE TABLE public.t (id int); CREATE TABLE postgres.u (id int);",
        "ALTER TABLE t RENAME TO u;",
        "ALTER TABLE public.u RENAME TO t;\n",
    ),
    safe(
        "set schema without the old schema written",
        "CREATE SCHEMA app; CREATE TABLE t (id serial PRIMARY KEY);",
        "ALTER TABLE t SET SCHEMA app;",
        "ALTER TABLE app.t SET SCHEMA public;\n",
    ),
    safe(
        "type set schema without the old schema written",
        "CREATE SCHEMA app; CREATE TYPE mood AS ENUM ('ok');",
        "ALTER TYPE mood SET SCHEMA app;",
        "ALTER TYPE app.mood SET SCHEMA public;\n",
    ),
    safe(
        "set schema if exists of a missing table",
        "CREATE SCHEMA app;",
        "ALTER TABLE IF EXISTS nope SET SCHEMA app;",
        "",
    ),
];
