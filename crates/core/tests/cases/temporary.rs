//! Temporary objects and names `pg_catalog` also has, from the SQL alone (issue 15): a statement on a
//! temporary object needs no rollback; a name that may be temporary or permanent, or that pg_catalog may
//! have, is refused rather than guessed.
use super::{Case, Expect::*};

pub const CASES: &[Case] = &[
    Case {
        name: "statements on a temporary table that shadows a permanent one leave nothing to undo",
        setup: "CREATE TABLE t (a int); CREATE INDEX tj ON t (a);",
        migration: "CREATE TEMP TABLE t (a int);\nALTER TABLE t ADD COLUMN b int;\nCOMMENT ON TABLE t IS 'x';\n\
                    CREATE POLICY q ON t USING (true);\nGRANT SELECT ON t TO PUBLIC;\nCREATE INDEX ti ON t (a);\n\
                    ALTER INDEX ti RENAME TO tj;\nCOMMENT ON COLUMN t.b IS 'y';",
        expect: Safe(""),
    },
    Case {
        name: "after DROP TABLE of the temporary table its name is the permanent table's again",
        setup: "CREATE TABLE t (a int);",
        migration: "CREATE TEMP TABLE t (a int);\nDROP TABLE t;\nALTER TABLE t ADD COLUMN z int;",
        expect: Safe("ALTER TABLE t DROP COLUMN z;\n"),
    },
    Case {
        name: "after DISCARD TEMP the name is the permanent table's again",
        setup: "CREATE TABLE \"Mixed\" (a int);",
        migration: "CREATE TEMP TABLE \"Mixed\" (a int);\nDISCARD TEMP;\nALTER TABLE \"Mixed\" ADD COLUMN z int;",
        expect: Safe("ALTER TABLE \"Mixed\" DROP COLUMN z;\n"),
    },
    Case {
        name: "a renamed temporary table: the new name is temporary, the old one permanent again",
        setup: "CREATE TABLE t (a int); CREATE TABLE u (a int);",
        migration: "CREATE TEMP TABLE t (a int);\nALTER TABLE t RENAME TO u;\nALTER TABLE u ADD COLUMN y int;\nALTER TABLE t ADD COLUMN z int;",
        expect: Safe("ALTER TABLE t DROP COLUMN z;\n"),
    },
    Case {
        name: "objects created in pg_temp, and statements on them by either name",
        setup: "CREATE TYPE e AS ENUM ('a'); CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        migration: "CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql AS 'SELECT 2';\nCREATE TYPE pg_temp.e AS ENUM ('a');\n\
                    CREATE DOMAIN pg_temp.d AS int;\nALTER TYPE e ADD VALUE 'b';\nALTER DOMAIN d SET NOT NULL;\n\
                    CREATE TABLE pg_temp.s (id int);\nCOMMENT ON TABLE pg_temp.s IS 'x';\nALTER TYPE pg_temp.e RENAME TO e2;",
        expect: Safe(""),
    },
    Case {
        name: "ON COMMIT DROP: later statements on the name may be on either table",
        setup: "CREATE TABLE t (a int);",
        migration: "CREATE TEMP TABLE t (a int) ON COMMIT DROP;\nALTER TABLE t ADD COLUMN z int;",
        expect: Unsafe { code: "TEMPORARY_OBJECT", script: None },
    },
    Case {
        name: "a name PostgreSQL derived from a temporary table's may be temporary",
        setup: "CREATE TABLE t (id serial);",
        migration: "CREATE TEMP TABLE t (id serial);\nALTER SEQUENCE t_id_seq RENAME TO t_seq;",
        expect: Unsafe { code: "TEMPORARY_OBJECT", script: None },
    },
    Case {
        name: "search_path puts pg_temp first: an unqualified CREATE may be temporary",
        setup: "CREATE TABLE t (a int);",
        migration: "SET search_path TO pg_temp, public;\nCREATE TABLE t (b int);\nCREATE TYPE e AS ENUM ('a');\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        expect: Unsafe { code: "SEARCH_PATH", script: None },
    },
    Case {
        name: "set_config may put pg_temp first",
        setup: "CREATE TABLE t (a int);",
        migration: "SELECT set_config('search_path', 'pg_temp, public', false);\nCREATE TABLE t (b int);",
        expect: Unsafe { code: "DATA_MIGRATION", script: None },
    },
    Case {
        name: "search_path lists pg_temp last: the temporary table's name may be the permanent one's",
        setup: "CREATE TABLE t (a int);",
        migration: "CREATE TEMP TABLE t (a int);\nSET search_path TO public, pg_temp;\nALTER TABLE t ADD COLUMN z int;",
        expect: Unsafe { code: "SEARCH_PATH", script: None },
    },
    Case {
        name: "a table created, then search_path changes what its name finds",
        setup: "CREATE SCHEMA app; CREATE TABLE app.t (a int);",
        migration: "CREATE TABLE t (a int);\nSET search_path TO app, public;\nALTER TABLE t ADD COLUMN c int;",
        expect: Unsafe { code: "SEARCH_PATH", script: Some("ALTER TABLE t DROP COLUMN c;\nDROP TABLE t;\n") },
    },
    Case {
        name: "renames onto names pg_catalog has are refused unqualified",
        setup: "CREATE TYPE m AS ENUM ('a');",
        migration: "ALTER TYPE m RENAME TO int4;",
        expect: Unsafe { code: "CATALOG_NAME", script: None },
    },
    Case {
        name: "a domain renamed to numeric, quoted",
        setup: "CREATE DOMAIN \"D\" AS int;",
        migration: "ALTER DOMAIN \"D\" RENAME TO \"numeric\";",
        expect: Unsafe { code: "CATALOG_NAME", script: None },
    },
    Case {
        name: "a function renamed to abs",
        setup: "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';",
        migration: "ALTER FUNCTION f(int) RENAME TO abs;",
        expect: Unsafe { code: "CATALOG_NAME", script: None },
    },
    Case {
        name: "a table and an index renamed to pg_catalog relation names",
        setup: "CREATE TABLE t (a int); CREATE INDEX i ON t (a);",
        migration: "ALTER TABLE t RENAME TO pg_class;\nALTER INDEX i RENAME TO pg_class_oid_index;",
        expect: Unsafe { code: "CATALOG_NAME", script: None },
    },
    Case {
        name: "a qualified rename onto a built-in name is undone in its schema",
        setup: "CREATE TYPE m AS ENUM ('a'); CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';",
        migration: "ALTER TYPE public.m RENAME TO int4;\nALTER FUNCTION public.f(int) RENAME TO abs;",
        expect: Safe("ALTER FUNCTION public.abs(pg_catalog.int4) RENAME TO f;\nALTER TYPE public.int4 RENAME TO m;\n"),
    },
    Case {
        name: "a name that only differs from a built-in one by case is not built-in",
        setup: "CREATE TYPE m AS ENUM ('a');",
        migration: "ALTER TYPE m RENAME TO \"Int4\";",
        expect: Safe("ALTER TYPE \"Int4\" RENAME TO m;\n"),
    },
    Case {
        name: "objects created with built-in names would be dropped by a name pg_catalog finds first",
        setup: "",
        migration: "CREATE TYPE line AS ENUM ('a');\nCREATE FUNCTION md5(text) RETURNS text LANGUAGE sql AS 'SELECT $1';\nCREATE TABLE pg_tables (id int);",
        expect: Unsafe { code: "CATALOG_NAME", script: None },
    },
    Case {
        name: "permanent objects that use a temporary type are dropped with it when the session ends",
        setup: "CREATE TYPE e AS ENUM ('x'); CREATE FUNCTION f(e) RETURNS int LANGUAGE sql AS 'SELECT 1'; CREATE TABLE t (a int);",
        migration: "CREATE TYPE pg_temp.e AS ENUM ('y');\nCREATE FUNCTION f(e) RETURNS int LANGUAGE sql AS 'SELECT 2';\nALTER TABLE t ADD COLUMN c e;",
        expect: Unsafe { code: "TEMPORARY_OBJECT", script: None },
    },
];
