//! CREATE with IF NOT EXISTS or OR REPLACE, unnamed objects, and names that the rollback must qualify.
use super::{safe, unsafe_, Case};

pub const CASES: &[Case] = &[
    safe("create table if not exists that existed", "CREATE TABLE t (a int);", "CREATE TABLE IF NOT EXISTS t (a int, b int);", ""),
    safe(
        "create table if not exists that did not exist, then an index on it",
        "",
        "CREATE TABLE IF NOT EXISTS t (a int);\nCREATE INDEX IF NOT EXISTS t_a ON t (a);",
        "DROP TABLE t;\n",
    ),
    safe(
        "an existing table is not taken for a new one by later statements",
        "CREATE TABLE t (a int);",
        "CREATE TABLE IF NOT EXISTS t (a int);\nCREATE INDEX t_a ON t (a);",
        "DROP INDEX t_a;\n",
    ),
    safe(
        "create index if not exists that existed",
        "CREATE TABLE t (a int); CREATE INDEX t_a ON t (a);",
        "CREATE INDEX IF NOT EXISTS t_a ON t (a);",
        "",
    ),
    safe(
        "unnamed index",
        "CREATE TABLE t (a int, b int);",
        "CREATE INDEX ON t (a, b);",
        "DROP INDEX public.t_a_b_idx;\n",
    ),
    unsafe_(
        "index on a partitioned table adopts a partition's index",
        "CREATE TABLE p (x int) PARTITION BY RANGE (x); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10); CREATE INDEX p1_x ON p1 (x);",
        "CREATE INDEX p_x ON p (x);",
        "ADOPTED_EXISTING",
    ),
    safe(
        "index on a partitioned table without an equal partition index",
        "CREATE TABLE p (x int, y int) PARTITION BY RANGE (x); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10); CREATE INDEX p1_y ON p1 (y);",
        "CREATE INDEX p_x ON p (x);",
        "DROP INDEX p_x;\n",
    ),
    safe(
        "index whose name an earlier schema of search_path also has",
        "CREATE SCHEMA postgres; CREATE TABLE postgres.other (x int); CREATE INDEX i ON postgres.other (x); CREATE TABLE public.t (x int);",
        "CREATE INDEX i ON t (x);",
        "DROP INDEX public.i;\n",
    ),
    safe("type shadowing a pg_catalog type", "", "CREATE TYPE line AS ENUM ('a', 'b');", "DROP TYPE public.line;\n"),
    safe(
        "function shadowing a pg_catalog function",
        "",
        "CREATE FUNCTION md5(text) RETURNS text LANGUAGE sql AS 'SELECT $1';",
        "DROP FUNCTION public.md5(text);\n",
    ),
    safe("table shadowing a pg_catalog view", "", "CREATE TABLE pg_tables (id int);", "DROP TABLE public.pg_tables;\n"),
    safe("plain create table keeps its name", "", "CREATE TABLE items (id int);", "DROP TABLE items;\n"),
    safe(
        "create or replace function that existed",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1'; COMMENT ON FUNCTION f() IS 'one';",
        "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql STABLE AS 'SELECT 2';",
        "CREATE OR REPLACE FUNCTION public.f()\n RETURNS integer\n LANGUAGE sql\n IMMUTABLE\nAS $function$SELECT 1$function$;\n",
    ),
    safe(
        "create or replace function that did not exist",
        "",
        "CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT a';",
        "DROP FUNCTION f(pg_catalog.int4);\n",
    ),
    safe(
        "create or replace view that existed, same columns",
        "CREATE TABLE t (a int, b int); CREATE VIEW v WITH (security_barrier) AS SELECT a FROM t;",
        "CREATE OR REPLACE VIEW v AS SELECT b AS a FROM t;",
        "CREATE OR REPLACE VIEW public.v WITH (security_barrier=true) AS SELECT t.a\n   FROM public.t;\n",
    ),
    safe(
        "create or replace view that added a column",
        "CREATE TABLE t (a int, b int); CREATE VIEW v AS SELECT a FROM t;",
        "CREATE OR REPLACE VIEW v AS SELECT a, b FROM t;",
        "DROP VIEW public.v;\nCREATE VIEW public.v AS SELECT t.a\n   FROM public.t;\nALTER VIEW public.v OWNER TO postgres;\n",
    ),
    safe(
        "create or replace trigger that existed disabled",
        "CREATE TABLE t (a int); CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE t DISABLE TRIGGER trg;",
        "CREATE OR REPLACE TRIGGER trg AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();",
        "CREATE OR REPLACE TRIGGER trg BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.f();\nALTER TABLE t DISABLE TRIGGER trg;\n",
    ),
    safe(
        "create or replace rule that existed",
        "CREATE TABLE t (a int); CREATE RULE r AS ON DELETE TO t DO INSTEAD NOTHING;",
        "CREATE OR REPLACE RULE r AS ON DELETE TO t DO ALSO NOTHING;",
        "CREATE OR REPLACE RULE r AS\n    ON DELETE TO public.t DO INSTEAD NOTHING;\nALTER TABLE t ENABLE RULE r;\n",
    ),
    safe("create schema if not exists that existed", "CREATE SCHEMA app;", "CREATE SCHEMA IF NOT EXISTS app;", ""),
    safe("create schema if not exists that did not", "", "CREATE SCHEMA IF NOT EXISTS app;", "DROP SCHEMA app;\n"),
    safe("create extension if not exists that existed", "CREATE EXTENSION pg_trgm;", "CREATE EXTENSION IF NOT EXISTS pg_trgm;", ""),
    safe("create extension if not exists that did not", "", "CREATE EXTENSION IF NOT EXISTS pg_trgm;", "DROP EXTENSION pg_trgm;\n"),
    safe("add enum value if not exists that existed", "CREATE TYPE e AS ENUM ('a');", "ALTER TYPE e ADD VALUE IF NOT EXISTS 'a';", ""),
    unsafe_("add enum value stays unsafe", "CREATE TYPE e AS ENUM ('a');", "ALTER TYPE e ADD VALUE IF NOT EXISTS 'b';", "ENUM_ADD_VALUE"),
];
