//! Names that resolve to a temporary schema, renames onto names `pg_catalog` also has, and created objects
//! told apart by where they are, not by how they were written (issue 15). A statement on a temporary object
//! needs no rollback and the rollback (run in another session) must never touch a permanent object; every
//! name in a rollback must resolve to the object the migration touched.
use super::{safe, unsafe_, Case, Trap};

const fn t(name: &'static str, setup: &'static str, migration: &'static str) -> Trap {
    super::trap(name, setup, migration)
}

/// Exact expectations: the temporary statements are nothing to undo, the permanent ones still inverted.
pub const CASES: &[Case] = &[
    safe(
        "a table created through a search_path that starts with pg_temp is temporary",
        "CREATE TABLE t (a int);",
        "SET search_path TO pg_temp, public;\nCREATE TABLE t (b int);\nCREATE INDEX t_b ON t (b);",
        "SELECT pg_catalog.set_config('search_path', 'pg_temp, public', true);\nSELECT pg_catalog.set_config('search_path', '\"$user\", public', true);\n",
    ),
    safe(
        "statements on a temporary table that shadows a permanent one",
        "CREATE TABLE t (a int); COMMENT ON TABLE t IS 'keep'; CREATE POLICY p ON t USING (a > 0);
         GRANT SELECT ON t TO captured_reader;",
        "CREATE TEMP TABLE t (a int);\nCOMMENT ON TABLE t IS 'scratch';\nCREATE POLICY q ON t USING (true);\n\
         GRANT UPDATE ON t TO captured_reader;\nREVOKE SELECT ON t FROM captured_reader;\nALTER TABLE t ENABLE ROW LEVEL SECURITY;",
        "",
    ),
    safe(
        "after DROP TABLE of the temporary table the name is the permanent table again",
        "CREATE TABLE t (a int);",
        "CREATE TEMP TABLE t (a int);\nDROP TABLE t;\nALTER TABLE t ADD COLUMN z int;",
        "ALTER TABLE t DROP COLUMN z;\n",
    ),
    safe(
        "after DISCARD TEMP the name is the permanent table again",
        "CREATE TABLE t (a int);",
        "CREATE TEMP TABLE t (a int);\nDISCARD TEMP;\nALTER TABLE t ADD COLUMN z int;",
        "ALTER TABLE t DROP COLUMN z;\n",
    ),
    safe(
        "a function created in pg_temp",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql AS 'SELECT 2';\nCREATE TYPE pg_temp.e AS ENUM ('a');",
        "",
    ),
    safe(
        "a type renamed to a pg_catalog type name is renamed back in its schema",
        "CREATE TYPE m AS ENUM ('a');",
        "ALTER TYPE m RENAME TO int4;",
        "ALTER TYPE public.int4 RENAME TO m;\n",
    ),
    unsafe_(
        "a temporary table renamed: a later statement on the old name reaches the permanent table",
        "CREATE TABLE t (a int);",
        "CREATE TEMP TABLE t (a int);\nALTER TABLE t RENAME TO u;\nALTER TABLE t ALTER COLUMN a SET NOT NULL;\nDROP TABLE t;",
        "DROP_TABLE",
    ),
    safe(
        "search_path pg_temp first: dropped objects are put back where they were",
        "CREATE TABLE t (a int, CONSTRAINT pos CHECK (a > 0)); CREATE VIEW v AS SELECT a FROM t; CREATE INDEX i ON t (a);",
        "SET search_path TO pg_temp, public;\nDROP VIEW v;\nDROP INDEX i;\nALTER TABLE t DROP CONSTRAINT pos;",
        "SELECT pg_catalog.set_config('search_path', 'pg_temp, public', true);\nALTER TABLE t ADD CONSTRAINT pos CHECK ((a > 0));\nCREATE INDEX i ON public.t USING btree (a);\nCREATE VIEW public.v AS SELECT t.a\n   FROM public.t;\nALTER VIEW public.v OWNER TO postgres;\nSELECT pg_catalog.set_config('search_path', '\"$user\", public', true);\n",
    ),
    safe(
        "a view on a temporary table is temporary",
        "CREATE VIEW v AS SELECT 1 AS one;",
        "CREATE TEMP TABLE s (id int);\nCREATE VIEW v AS SELECT id FROM s;\nCOMMENT ON VIEW v IS 'x';",
        "",
    ),
    safe(
        "a permanent table created while a temporary one of its name exists is dropped by its schema",
        "",
        "CREATE TEMP TABLE t (a int);\nCREATE TABLE t (b int);\nALTER TABLE t ADD COLUMN c int;\nCREATE INDEX ti ON public.t (b);",
        "DROP INDEX public.ti;\nDROP TABLE public.t;\n",
    ),
    safe(
        "objects created with built-in names are dropped by their schema",
        "",
        "CREATE TYPE int4 AS ENUM ('a');\nCREATE FUNCTION abs(int) RETURNS int LANGUAGE sql AS 'SELECT 1';\n\
         CREATE TABLE pg_tables (id int);\nCREATE DOMAIN numeric AS int;",
        "DROP DOMAIN public.\"numeric\";\nDROP TABLE public.pg_tables;\nDROP FUNCTION public.abs(pg_catalog.int4);\nDROP TYPE public.int4;\n",
    ),
    safe(
        "a function renamed to abs is renamed back in its schema",
        "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';",
        "ALTER FUNCTION f(int) RENAME TO abs;",
        "ALTER FUNCTION public.abs(pg_catalog.int4) RENAME TO f;\n",
    ),
    safe(
        "a temporary table made in a DO block, then altered",
        "CREATE TABLE t (a int, z int);",
        "DO $$ BEGIN CREATE TEMP TABLE t (a int); END $$;\nALTER TABLE t ADD COLUMN z int;",
        "",
    ),
    safe(
        "a table created, then search_path points its name elsewhere",
        "CREATE SCHEMA app; CREATE TABLE app.t (a int);",
        "CREATE TABLE t (a int);\nSET search_path TO app, public;\nALTER TABLE t ADD COLUMN c int;",
        "SELECT pg_catalog.set_config('search_path', 'app, public', true);\nALTER TABLE t DROP COLUMN c;\nSELECT pg_catalog.set_config('search_path', '\"$user\", public', true);\nDROP TABLE t;\n",
    ),
];

pub const TRAPS: &[Trap] = &[
    // ---------- temporary objects reached by unqualified names ----------
    t(
        "search_path pg_temp first: CREATE TABLE makes a temporary table shadowing public's",
        "CREATE TABLE t (a int);",
        "SET search_path TO pg_temp, public; CREATE TABLE t (b int);",
    ),
    t(
        "search_path written quoted and with a mixed-case table",
        r#"CREATE TABLE "Mixed T" (a int); CREATE INDEX "Ix" ON "Mixed T" (a);"#,
        r#"SET search_path = "pg_temp", "public"; CREATE TABLE "Mixed T" (b int); CREATE INDEX "Ix" ON "Mixed T" (b); ALTER TABLE "Mixed T" ADD COLUMN c int;"#,
    ),
    t(
        "search_path pg_temp first: sequence, view and materialized view",
        "CREATE SEQUENCE s; CREATE VIEW v AS SELECT 1 AS one; CREATE TABLE base (a int);",
        "SET search_path TO pg_temp, public; CREATE SEQUENCE s; CREATE VIEW v AS SELECT 2 AS two; CREATE TABLE base AS SELECT 1 AS a;",
    ),
    t(
        "search_path pg_temp first: functions and types land in pg_temp too",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'; CREATE TYPE e AS ENUM ('x'); CREATE DOMAIN d AS int;",
        "SET search_path TO pg_temp, public; CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2'; CREATE TYPE e AS ENUM ('y'); CREATE DOMAIN d AS text;",
    ),
    t(
        "set_config puts pg_temp first",
        "CREATE TABLE t (a int);",
        "SELECT set_config('search_path', 'pg_temp, public', false); CREATE TABLE t (b int);",
    ),
    t(
        "comment on a temporary table shadowing a commented one",
        "CREATE TABLE t (a int); COMMENT ON TABLE t IS 'keep'; COMMENT ON COLUMN t.a IS 'col';",
        "CREATE TEMP TABLE t (a int); COMMENT ON TABLE t IS 'scratch'; COMMENT ON COLUMN t.a IS 'tmp';",
    ),
    t(
        "policy on a temporary table with the name of a permanent policy",
        "CREATE TABLE t (a int); CREATE POLICY p ON t USING (a > 0);",
        "CREATE TEMP TABLE t (a int); CREATE POLICY p ON t USING (true);",
    ),
    t(
        "grant and revoke on a temporary table",
        "CREATE TABLE t (a int); GRANT SELECT ON t TO captured_reader;",
        "CREATE TEMP TABLE t (a int); GRANT SELECT, UPDATE ON t TO captured_reader; REVOKE SELECT ON t FROM captured_reader;",
    ),
    t(
        "index on a temporary table renamed onto a permanent index's name",
        "CREATE TABLE t (a int); CREATE INDEX tj ON t (a);",
        "CREATE TEMP TABLE t (a int); CREATE INDEX ti ON t (a); ALTER INDEX ti RENAME TO tj;",
    ),
    t(
        "temporary table renamed onto a permanent table's name, then altered",
        "CREATE TABLE u (a int, c int);",
        "CREATE TEMP TABLE t (a int); ALTER TABLE t RENAME TO u; ALTER TABLE u ADD COLUMN z int; COMMENT ON TABLE u IS 'x';",
    ),
    t(
        "temporary table renamed: the old name is the permanent table again",
        "CREATE TABLE t (a int);",
        "CREATE TEMP TABLE t (a int); ALTER TABLE t RENAME TO u; ALTER TABLE t ADD COLUMN z int;",
    ),
    t(
        "DISCARD TEMP: the name is the permanent table again",
        "CREATE TABLE t (a int);",
        "CREATE TEMP TABLE t (a int); DISCARD TEMP; ALTER TABLE t ADD COLUMN z int; COMMENT ON TABLE t IS 'now';",
    ),
    t(
        "DROP TABLE of the temporary table: the name is the permanent table again",
        "CREATE TABLE t (a int);",
        "CREATE TEMP TABLE t (a int); DROP TABLE t; ALTER TABLE t ADD COLUMN z int;",
    ),
    t(
        "ON COMMIT DROP: the table is there until the migration's transaction ends",
        "CREATE TABLE t (a int, z int);",
        "CREATE TEMP TABLE t (a int) ON COMMIT DROP; ALTER TABLE t ADD COLUMN z int; COMMENT ON TABLE t IS 'x';",
    ),
    t(
        "search_path lists pg_temp last: the unqualified name is the permanent table",
        "CREATE TABLE t (a int);",
        "CREATE TEMP TABLE t (a int); SET search_path TO public, pg_temp; ALTER TABLE t ADD COLUMN z int;",
    ),
    t(
        "sequence of a temporary serial column shadowing a permanent one",
        "CREATE TABLE t (id serial);",
        "CREATE TEMP TABLE t (id serial); ALTER SEQUENCE t_id_seq INCREMENT BY 3 RESTART WITH 5;",
    ),
    t(
        "temporary view and sequence shadowing permanent ones",
        "CREATE VIEW v AS SELECT 1 AS one; CREATE SEQUENCE s; COMMENT ON VIEW v IS 'keep';",
        "CREATE TEMP VIEW v AS SELECT 2 AS two; CREATE TEMP SEQUENCE s; ALTER SEQUENCE s INCREMENT BY 7; COMMENT ON VIEW v IS 'tmp'; ALTER VIEW v RENAME TO w;",
    ),
    t(
        "trigger on a temporary table, disabled",
        "CREATE TABLE t (a int); CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
         CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();",
        "CREATE TEMP TABLE t (a int); CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf(); ALTER TABLE t DISABLE TRIGGER tr;",
    ),
    t(
        "pg_temp-qualified statements on a shadowing temporary table",
        "CREATE TABLE t (a int); COMMENT ON TABLE t IS 'keep';",
        "CREATE TABLE pg_temp.t (a int); COMMENT ON TABLE pg_temp.t IS 'x'; ALTER TABLE pg_temp.t ADD COLUMN b int; CREATE INDEX ti ON pg_temp.t (a);",
    ),
    t(
        "a function and a type created in pg_temp",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'; CREATE TYPE e AS ENUM ('x');",
        "CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql AS 'SELECT 2'; CREATE TYPE pg_temp.e AS ENUM ('y'); CREATE DOMAIN pg_temp.d AS int;",
    ),
    // ---------- renames onto names pg_catalog has ----------
    t("a type renamed to int4", "CREATE TYPE m AS ENUM ('a'); CREATE TABLE uses (x int4, y m);", "ALTER TYPE m RENAME TO int4;"),
    t(
        "a quoted mixed-case type renamed to \"text\"",
        r#"CREATE TYPE "Mood" AS (a int);"#,
        r#"ALTER TYPE "Mood" RENAME TO "text";"#,
    ),
    t("a domain renamed to numeric", "CREATE DOMAIN d AS int CHECK (VALUE > 0);", "ALTER DOMAIN d RENAME TO numeric;"),
    t(
        "a function renamed to abs(int)",
        "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';",
        "ALTER FUNCTION f(int) RENAME TO abs;",
    ),
    t(
        "a procedure and a routine renamed to built-in function names",
        "CREATE PROCEDURE p(text) LANGUAGE sql AS 'SELECT 1'; CREATE FUNCTION g(text) RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "ALTER PROCEDURE p(text) RENAME TO lower; ALTER ROUTINE g(text) RENAME TO length;",
    ),
    t("a table renamed to pg_class", "CREATE TABLE t (a int);", "ALTER TABLE t RENAME TO pg_class;"),
    t(
        "a view, a sequence and an index renamed to pg_catalog relation names",
        "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t; CREATE SEQUENCE s; CREATE INDEX i ON t (a);",
        "ALTER VIEW v RENAME TO pg_tables; ALTER SEQUENCE s RENAME TO pg_type; ALTER INDEX i RENAME TO pg_class_oid_index;",
    ),
    t(
        "a type moved into a schema, then renamed to a built-in name there",
        "CREATE SCHEMA app; CREATE TYPE m AS ENUM ('a');",
        "ALTER TYPE m SET SCHEMA app; ALTER TYPE app.m RENAME TO int8;",
    ),
    t(
        "a type created with a built-in name, then renamed",
        "",
        "CREATE TYPE int4 AS ENUM ('a'); ALTER TYPE public.int4 RENAME TO bool;",
    ),
    t(
        "a type renamed to a built-in name with search_path naming pg_catalog last",
        "CREATE TYPE m AS ENUM ('a');",
        "SET search_path TO public, pg_catalog; ALTER TYPE m RENAME TO int4;",
    ),
    // ---------- created objects told apart by where they are ----------
    t(
        "a table created in public, then a same-named table in another schema reached through search_path",
        "CREATE SCHEMA app; CREATE TABLE app.t (a int);",
        "CREATE TABLE t (a int); SET search_path TO app, public; ALTER TABLE t ADD COLUMN c int; CREATE INDEX ti ON t (c);",
    ),
    t(
        "created unqualified, then a same-named table through search_path gets a comment and a grant",
        "CREATE SCHEMA app; CREATE TABLE app.t (a int); COMMENT ON TABLE app.t IS 'keep';",
        "CREATE TABLE t (a int); SET search_path TO app, public; COMMENT ON TABLE t IS 'x'; GRANT SELECT ON t TO captured_reader;",
    ),
    t(
        "created in a schema, then an unqualified name finds another one",
        "CREATE SCHEMA app; CREATE TABLE public.t (a int);",
        "CREATE TABLE app.t (a int); ALTER TABLE t ADD COLUMN c int; SET search_path TO app; ALTER TABLE t ADD COLUMN d int;",
    ),
    t(
        "created, then set_config points the same name elsewhere",
        "CREATE SCHEMA app; CREATE TABLE app.t (a int);",
        "CREATE TABLE t (a int); SELECT set_config('search_path', 'app', false); ALTER TABLE t ADD COLUMN c int;",
    ),
    t(
        "a type created, then a same-named type through search_path gets a value and an attribute",
        "CREATE SCHEMA app; CREATE TYPE app.c AS (x int);",
        "CREATE TYPE c AS (x int); SET search_path TO app, public; ALTER TYPE c ADD ATTRIBUTE y int;",
    ),
    t(
        "created column tracked by name: same-named table elsewhere",
        "CREATE SCHEMA app; CREATE TABLE app.t (a int); CREATE TABLE public.t (a int);",
        "ALTER TABLE t ADD COLUMN c int; SET search_path TO app, public; ALTER TABLE t ADD COLUMN c int; ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
    ),
    // ---------- round 2 ----------
    t(
        "search_path pg_temp first: what drops put back lands where it was, not in pg_temp",
        "CREATE TABLE t (a int, CONSTRAINT pos CHECK (a > 0)); CREATE VIEW v AS SELECT a FROM t; CREATE INDEX i ON t (a);
         CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'; CREATE TYPE e AS ENUM ('x'); CREATE SEQUENCE s;",
        "SET search_path TO pg_temp, public; DROP VIEW v; DROP INDEX i; DROP FUNCTION f(); DROP TYPE e; DROP SEQUENCE s;
         ALTER TABLE t DROP CONSTRAINT pos; ALTER TABLE t ALTER COLUMN a SET DEFAULT 3;",
    ),
    t(
        "a view on a temporary table is temporary too, even with a permanent view of its name",
        "CREATE VIEW v AS SELECT 1 AS one;",
        "CREATE TEMP TABLE s (id int); CREATE VIEW v AS SELECT id FROM s; COMMENT ON VIEW v IS 'x';",
    ),
    t(
        "a permanent table created while a temporary one of its name exists",
        "",
        "CREATE TEMP TABLE t (a int); CREATE TABLE t (b int); ALTER TABLE t ADD COLUMN c int; COMMENT ON TABLE t IS 'x'; CREATE INDEX ti ON public.t (b);",
    ),
    t(
        "SELECT INTO TEMP and CREATE TEMP TABLE AS shadow permanent tables",
        "CREATE TABLE t (a int); CREATE TABLE u (a int);",
        "SELECT 1 AS a INTO TEMP t; CREATE TEMP TABLE u AS SELECT 2 AS a; ALTER TABLE t ADD COLUMN z int; ALTER TABLE u ADD COLUMN z int;",
    ),
    t(
        "a temporary table made in a DO block",
        "CREATE TABLE t (a int, z int);",
        "DO $$ BEGIN CREATE TEMP TABLE t (a int); END $$; ALTER TABLE t ADD COLUMN z int;",
    ),
    t(
        "set_config in a DO block puts pg_temp first",
        "CREATE TABLE t (a int);",
        "DO $$ BEGIN PERFORM set_config('search_path', 'pg_temp, public', false); END $$; CREATE TABLE t (b int);",
    ),
    t(
        "a composite type in pg_temp altered by its unqualified name",
        "CREATE TYPE c AS (x int);",
        "CREATE TYPE pg_temp.c AS (x int); ALTER TYPE c ADD ATTRIBUTE y int; COMMENT ON TYPE c IS 'x';",
    ),
    t(
        "trigger and rule of a temporary table renamed, commented",
        "CREATE TABLE t (a int); CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
         CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf(); COMMENT ON TRIGGER tr ON t IS 'keep';",
        "CREATE TEMP TABLE t (a int); CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();
         COMMENT ON TRIGGER tr ON t IS 'tmp'; ALTER TRIGGER tr ON t RENAME TO tr2; CREATE RULE r AS ON UPDATE TO t DO INSTEAD NOTHING;",
    ),
    t(
        "an unnamed index on a temporary table, then renamed by its derived name",
        "CREATE TABLE t (a int); CREATE INDEX t_a_idx ON t (a);",
        "CREATE TEMP TABLE t (a int); CREATE INDEX ON t (a); ALTER INDEX t_a_idx RENAME TO t_a_idx2;",
    ),
    t(
        "objects created with built-in names, with capture",
        "",
        "CREATE TYPE int4 AS ENUM ('a'); CREATE FUNCTION abs(int) RETURNS int LANGUAGE sql AS 'SELECT 1';
         CREATE TABLE pg_tables (id int); CREATE INDEX pg_class_oid_index ON public.pg_tables (id); CREATE DOMAIN numeric AS int;",
    ),
    t("a collation created with a built-in name", "", r#"CREATE COLLATION "C" (locale = 'C'); CREATE COLLATION ucs_basic (locale = 'C');"#),
    t(
        "a type renamed onto a built-in name, then its attribute renamed and a value added",
        "CREATE TYPE m AS ENUM ('a'); CREATE TYPE c AS (x int);",
        "ALTER TYPE m RENAME TO bool; ALTER TYPE c RENAME TO int8; ALTER TYPE public.int8 RENAME ATTRIBUTE x TO y;",
    ),
    t(
        "a function moved to another schema and renamed to a built-in name there",
        "CREATE SCHEMA app; CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';",
        "ALTER FUNCTION f(int) RENAME TO abs; ALTER FUNCTION public.abs(int) SET SCHEMA app;",
    ),
    t(
        "two search paths: the same unqualified name created twice, altered after each",
        "CREATE SCHEMA a; CREATE SCHEMA b; CREATE TABLE b.t (x int);",
        "SET search_path TO a; CREATE TABLE t (x int); SET search_path TO b, a; ALTER TABLE t ADD COLUMN y int; SET search_path TO a; ALTER TABLE t ADD COLUMN z int;",
    ),
    // ---------- round 3: permanent objects that use temporary ones ----------
    t(
        "a function whose argument is a temporary type, beside a permanent overload",
        "CREATE TYPE e AS ENUM ('x'); CREATE FUNCTION f(e) RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "CREATE TYPE pg_temp.e AS ENUM ('y'); CREATE FUNCTION f(e) RETURNS int LANGUAGE sql AS 'SELECT 2';",
    ),
    t(
        "a column, a domain and a view of a temporary type",
        "CREATE TYPE e AS ENUM ('x'); CREATE TABLE t (a int);",
        "CREATE TYPE pg_temp.e AS ENUM ('y'); ALTER TABLE t ADD COLUMN c e; CREATE DOMAIN d AS e; CREATE VIEW v AS SELECT 'y'::e AS c;",
    ),
    t(
        "a default on a temporary sequence",
        "CREATE SEQUENCE s; CREATE TABLE t (a int);",
        "CREATE TEMP SEQUENCE s; ALTER TABLE t ALTER COLUMN a SET DEFAULT nextval('s');",
    ),
    t(
        "a table of a temporary composite type's name, differently cased",
        "CREATE TABLE t (a int);",
        r#"CREATE TEMP TABLE "T" (a int); ALTER TABLE t ADD COLUMN b int; ALTER TABLE "T" ADD COLUMN c int;"#,
    ),
    t(
        "a permanent table created, shadowed by a temporary one, dropped, then altered",
        "",
        "CREATE TABLE t (a int); CREATE TEMP TABLE t (a int); ALTER TABLE t ADD COLUMN b int; DROP TABLE t; ALTER TABLE t ADD COLUMN c int;",
    ),
];
