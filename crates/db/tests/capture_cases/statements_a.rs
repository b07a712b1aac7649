//! State-dependent statements of issue 17 item 7: CREATE OR REPLACE VIEW that adds columns, DROP of several
//! objects, DROP ... CASCADE that takes views and materialized views, CREATE EXTENSION ... CASCADE and
//! ALTER DOMAIN ... VALIDATE CONSTRAINT.
use super::{safe, unsafe_, Case};

pub const CASES: &[Case] = &[
    // CREATE OR REPLACE VIEW that changes the column list.
    safe(
        "or replace view adding a column: the previous view comes back with owner, options, comments, default and grants",
        "CREATE TABLE t (id int, total numeric);
         CREATE VIEW big WITH (security_barrier) AS SELECT id FROM t WHERE id > 0 WITH LOCAL CHECK OPTION;
         COMMENT ON VIEW big IS 'big ones'; COMMENT ON COLUMN big.id IS 'the id'; ALTER VIEW big ALTER COLUMN id SET DEFAULT 7;
         GRANT SELECT ON big TO captured_reader; GRANT UPDATE (id) ON big TO captured_writer; ALTER VIEW big OWNER TO captured_owner;",
        "CREATE OR REPLACE VIEW big AS SELECT id, total FROM t;",
        "DROP VIEW public.big;\nCREATE VIEW public.big WITH (security_barrier=true, check_option=local) AS SELECT t.id\n   FROM public.t\n  WHERE (t.id > 0);\nALTER VIEW public.big ALTER COLUMN id SET DEFAULT 7;\nCOMMENT ON COLUMN public.big.id IS 'the id';\nALTER VIEW public.big OWNER TO captured_owner;\nCOMMENT ON VIEW public.big IS 'big ones';\nGRANT SELECT ON TABLE public.big TO captured_reader;\nGRANT UPDATE (id) ON TABLE public.big TO captured_writer;\n",
    ),
    safe(
        "or replace view adding a column, mixed-case names in another schema",
        "CREATE SCHEMA \"Rep\"; CREATE VIEW \"Rep\".\"Big View\" AS SELECT 1 AS \"One\";",
        "CREATE OR REPLACE VIEW \"Rep\".\"Big View\" AS SELECT 1 AS \"One\", 2 AS \"Two\";",
        "DROP VIEW \"Rep\".\"Big View\";\nCREATE VIEW \"Rep\".\"Big View\" AS SELECT 1 AS \"One\";\nALTER VIEW \"Rep\".\"Big View\" OWNER TO postgres;\n",
    ),
    safe(
        "or replace view adding a column, unqualified through search_path, cascaded check option",
        "CREATE SCHEMA app; CREATE TABLE app.t (a int); CREATE VIEW app.v AS SELECT a FROM app.t WHERE a > 0 WITH CASCADED CHECK OPTION;",
        "SET search_path = app;\nCREATE OR REPLACE VIEW v AS SELECT a, a + 1 AS b FROM t WHERE a > 0;",
        "SELECT pg_catalog.set_config('search_path', 'app', true);\nDROP VIEW app.v;\nCREATE VIEW app.v WITH (check_option=cascaded) AS SELECT t.a\n   FROM app.t\n  WHERE (t.a > 0);\nALTER VIEW app.v OWNER TO postgres;\nSELECT pg_catalog.set_config('search_path', '\"$user\", public', true);\n",
    ),
    safe(
        "or replace view adding a column, then a view on the new column",
        "CREATE VIEW v AS SELECT 1 AS a;",
        "CREATE OR REPLACE VIEW v AS SELECT 1 AS a, 2 AS b;\nCREATE VIEW w AS SELECT b FROM v;",
        "DROP VIEW w;\nDROP VIEW public.v;\nCREATE VIEW public.v AS SELECT 1 AS a;\nALTER VIEW public.v OWNER TO postgres;\n",
    ),
    safe(
        "or replace view adding a column to a view created earlier in the migration",
        "",
        "CREATE VIEW v AS SELECT 1 AS a;\nCREATE OR REPLACE VIEW v AS SELECT 1 AS a, 2 AS b;",
        "DROP VIEW public.v;\nCREATE VIEW public.v AS SELECT 1 AS a;\nALTER VIEW public.v OWNER TO postgres;\nDROP VIEW v;\n",
    ),
    unsafe_(
        "or replace view adding a column, another view depends on it",
        "CREATE VIEW v AS SELECT 1 AS a; CREATE VIEW w AS SELECT a FROM v;",
        "CREATE OR REPLACE VIEW v AS SELECT 1 AS a, 2 AS b;",
        "OR_REPLACE",
    ),
    unsafe_(
        "or replace view adding a column, a materialized view depends on it",
        "CREATE VIEW v AS SELECT 1 AS a; CREATE MATERIALIZED VIEW m AS SELECT a FROM v;",
        "CREATE OR REPLACE VIEW v AS SELECT 1 AS a, 2 AS b;",
        "OR_REPLACE",
    ),
    unsafe_(
        "or replace view adding a column, a function body depends on it",
        "CREATE VIEW v AS SELECT 1 AS a; CREATE FUNCTION f() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM v; END;",
        "CREATE OR REPLACE VIEW v AS SELECT 1 AS a, 2 AS b;",
        "OR_REPLACE",
    ),
    unsafe_(
        "or replace view adding a column, the view has an INSTEAD OF trigger",
        "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t;
         CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TRIGGER tr INSTEAD OF INSERT ON v FOR EACH ROW EXECUTE FUNCTION f();",
        "CREATE OR REPLACE VIEW v AS SELECT a, 2 AS b FROM t;",
        "OR_REPLACE",
    ),
    // DROP of several objects in one statement.
    safe(
        "drop several views at once",
        "CREATE TABLE t (a int); CREATE VIEW v1 AS SELECT a FROM t; CREATE VIEW v2 AS SELECT a FROM t;",
        "DROP VIEW v1, v2;",
        "CREATE VIEW public.v1 AS SELECT t.a\n   FROM public.t;\nALTER VIEW public.v1 OWNER TO postgres;\nCREATE VIEW public.v2 AS SELECT t.a\n   FROM public.t;\nALTER VIEW public.v2 OWNER TO postgres;\n",
    ),
    safe(
        "drop two views, the second one listed first depends on the other",
        "CREATE TABLE t (a int); CREATE VIEW \"Base\" AS SELECT a FROM t; CREATE VIEW top AS SELECT a FROM \"Base\";
         COMMENT ON VIEW top IS 'on base';",
        "DROP VIEW top, \"Base\";",
        "CREATE VIEW public.\"Base\" AS SELECT t.a\n   FROM public.t;\nALTER VIEW public.\"Base\" OWNER TO postgres;\nCREATE VIEW public.top AS SELECT \"Base\".a\n   FROM public.\"Base\";\nALTER VIEW public.top OWNER TO postgres;\nCOMMENT ON VIEW public.top IS 'on base';\n",
    ),
    safe(
        "drop a chain of three views listed in any order",
        "CREATE SCHEMA s; CREATE VIEW s.v1 AS SELECT 1 AS a; CREATE VIEW s.v2 AS SELECT a FROM s.v1; CREATE VIEW s.v3 AS SELECT v2.a FROM s.v2, s.v1;",
        "DROP VIEW s.v2, s.v3, s.v1;",
        "CREATE VIEW s.v1 AS SELECT 1 AS a;\nALTER VIEW s.v1 OWNER TO postgres;\nCREATE VIEW s.v2 AS SELECT v1.a\n   FROM s.v1;\nALTER VIEW s.v2 OWNER TO postgres;\nCREATE VIEW s.v3 AS SELECT v2.a\n   FROM s.v2,\n    s.v1;\nALTER VIEW s.v3 OWNER TO postgres;\n",
    ),
    safe(
        "drop two materialized views, one built on the other, with an index",
        "CREATE TABLE t (a int); INSERT INTO t VALUES (1); CREATE MATERIALIZED VIEW m1 AS SELECT a FROM t;
         CREATE MATERIALIZED VIEW m2 AS SELECT a FROM m1 WITH NO DATA; CREATE INDEX m1_a ON m1 (a);",
        "DROP MATERIALIZED VIEW m2, m1;",
        "CREATE MATERIALIZED VIEW public.m1 AS SELECT t.a\n   FROM public.t;\nCREATE INDEX m1_a ON public.m1 USING btree (a);\nALTER MATERIALIZED VIEW public.m1 OWNER TO postgres;\nCREATE MATERIALIZED VIEW public.m2 AS SELECT m1.a\n   FROM public.m1 WITH NO DATA;\nALTER MATERIALIZED VIEW public.m2 OWNER TO postgres;\n",
    ),
    safe(
        "drop view if exists of one that exists and one that does not",
        "CREATE VIEW v1 AS SELECT 1 AS a;",
        "DROP VIEW IF EXISTS nope, v1;",
        "CREATE VIEW public.v1 AS SELECT 1 AS a;\nALTER VIEW public.v1 OWNER TO postgres;\n",
    ),
    safe(
        "drop two functions in different schemas",
        "CREATE SCHEMA \"Mixed\"; CREATE FUNCTION a(x int) RETURNS int LANGUAGE sql AS 'SELECT x';
         CREATE FUNCTION \"Mixed\".\"B\"(y text) RETURNS text LANGUAGE sql AS 'SELECT y'; COMMENT ON FUNCTION a(int) IS 'a';",
        "DROP FUNCTION a(int), \"Mixed\".\"B\"(text);",
        "CREATE OR REPLACE FUNCTION public.a(x integer)\n RETURNS integer\n LANGUAGE sql\nAS $function$SELECT x$function$;\nALTER FUNCTION public.a(x integer) OWNER TO postgres;\nCOMMENT ON FUNCTION public.a(x integer) IS 'a';\nCREATE OR REPLACE FUNCTION \"Mixed\".\"B\"(y text)\n RETURNS text\n LANGUAGE sql\nAS $function$SELECT y$function$;\nALTER FUNCTION \"Mixed\".\"B\"(y text) OWNER TO postgres;\n",
    ),
    safe(
        "drop two functions, the body of the one listed first uses the other",
        "CREATE FUNCTION a() RETURNS int LANGUAGE sql AS 'SELECT 1';
         CREATE FUNCTION b() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a(); END;",
        "DROP FUNCTION b(), a();",
        "CREATE OR REPLACE FUNCTION public.a()\n RETURNS integer\n LANGUAGE sql\nAS $function$SELECT 1$function$;\nALTER FUNCTION public.a() OWNER TO postgres;\nCREATE OR REPLACE FUNCTION public.b()\n RETURNS integer\n LANGUAGE sql\nBEGIN ATOMIC\n SELECT public.a() AS a;\nEND;\nALTER FUNCTION public.b() OWNER TO postgres;\n",
    ),
    safe(
        "drop function cascade, mixed-case name, that takes the view using it",
        "CREATE FUNCTION \"One\"() RETURNS int LANGUAGE sql AS 'SELECT 1'; CREATE VIEW v AS SELECT \"One\"() AS one;",
        "DROP FUNCTION \"One\"() CASCADE;",
        "CREATE OR REPLACE FUNCTION public.\"One\"()\n RETURNS integer\n LANGUAGE sql\nAS $function$SELECT 1$function$;\nALTER FUNCTION public.\"One\"() OWNER TO postgres;\nCREATE VIEW public.v AS SELECT public.\"One\"() AS one;\nALTER VIEW public.v OWNER TO postgres;\n",
    ),
    safe(
        "drop an enum and a composite type at once",
        "CREATE TYPE mood AS ENUM ('ok'); CREATE TYPE pair AS (a int, b text);",
        "DROP TYPE mood, pair;",
        "CREATE TYPE public.mood AS ENUM ('ok');\nALTER TYPE public.mood OWNER TO postgres;\nCREATE TYPE public.pair AS (a integer, b text);\nALTER TYPE public.pair OWNER TO postgres;\n",
    ),
    unsafe_(
        "drop two types, one used by the other",
        "CREATE TYPE mood AS ENUM ('ok'); CREATE TYPE pair AS (a int, m mood);",
        "DROP TYPE pair, mood;",
        "DROP_OBJECT",
    ),
    safe(
        "drop two sequences and two domains",
        "CREATE SEQUENCE s1; CREATE SEQUENCE \"S 2\" START 10; SELECT nextval('s1'); CREATE DOMAIN d1 AS int CHECK (VALUE > 0); CREATE DOMAIN d2 AS text;",
        "DROP SEQUENCE s1, \"S 2\";\nDROP DOMAIN d1, d2;",
        "CREATE DOMAIN public.d1 AS integer;\nALTER DOMAIN public.d1 ADD CONSTRAINT d1_check CHECK ((VALUE > 0));\nALTER DOMAIN public.d1 OWNER TO postgres;\nCREATE DOMAIN public.d2 AS text;\nALTER DOMAIN public.d2 OWNER TO postgres;\nCREATE SEQUENCE public.s1 AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1 NO CYCLE;\nSELECT pg_catalog.setval('public.s1', 1, true);\nALTER SEQUENCE public.s1 OWNER TO postgres;\nCREATE SEQUENCE public.\"S 2\" AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 10 CACHE 1 NO CYCLE;\nALTER SEQUENCE public.\"S 2\" OWNER TO postgres;\n",
    ),
    safe(
        "drop two empty schemas",
        "CREATE SCHEMA a; CREATE SCHEMA \"B\" AUTHORIZATION captured_owner;",
        "DROP SCHEMA a, \"B\";",
        "CREATE SCHEMA a AUTHORIZATION postgres;\nCREATE SCHEMA \"B\" AUTHORIZATION captured_owner;\n",
    ),
    // The domain constraints of earthdistance's members depend on cube's functions: taken as other objects.
    unsafe_(
        "drop two extensions at once, one requiring the other",
        "CREATE EXTENSION cube; CREATE EXTENSION earthdistance;",
        "DROP EXTENSION earthdistance, cube;",
        "DROP_OBJECT",
    ),
    unsafe_(
        "drop two views, one with an INSTEAD OF trigger",
        "CREATE TABLE t (a int); CREATE VIEW v1 AS SELECT a FROM t; CREATE VIEW v2 AS SELECT a FROM t;
         CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TRIGGER tr INSTEAD OF INSERT ON v2 FOR EACH ROW EXECUTE FUNCTION f();",
        "DROP VIEW v1, v2;",
        "DROP_OBJECT",
    ),
    unsafe_(
        "drop extension cascade that takes another extension",
        "CREATE EXTENSION cube; CREATE EXTENSION earthdistance;",
        "DROP EXTENSION cube CASCADE;",
        "DROP_OBJECT",
    ),
    unsafe_(
        "drop extension cascade that takes a table column of its type",
        "CREATE EXTENSION cube; CREATE TABLE t (c cube);",
        "DROP EXTENSION cube CASCADE;",
        "DROP_OBJECT",
    ),
    unsafe_(
        "drop extension cascade that takes a view on its function",
        "CREATE EXTENSION cube; CREATE VIEW v AS SELECT cube(1.0) AS c;",
        "DROP EXTENSION cube CASCADE;",
        "DROP_OBJECT",
    ),
    unsafe_("drop two tables stays unsafe", "CREATE TABLE a (x int); CREATE TABLE b (y int);", "DROP TABLE a, b;", "DROP_TABLE"),
    // DROP ... CASCADE that takes views and materialized views.
    safe(
        "drop view cascade that takes another view",
        "CREATE TABLE t (id int); CREATE VIEW v1 AS SELECT id FROM t; CREATE VIEW v2 AS SELECT id FROM v1; GRANT SELECT ON v2 TO captured_reader;",
        "DROP VIEW v1 CASCADE;",
        "CREATE VIEW public.v1 AS SELECT t.id\n   FROM public.t;\nALTER VIEW public.v1 OWNER TO postgres;\nCREATE VIEW public.v2 AS SELECT v1.id\n   FROM public.v1;\nALTER VIEW public.v2 OWNER TO postgres;\nGRANT SELECT ON TABLE public.v2 TO captured_reader;\n",
    ),
    safe(
        "drop view cascade that takes a populated materialized view with index, comment, grant and owner",
        "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2); CREATE VIEW v AS SELECT id FROM t;
         CREATE MATERIALIZED VIEW \"Totals\" AS SELECT count(*) AS n, max(id) AS top FROM v; CREATE UNIQUE INDEX totals_n ON \"Totals\" (n);
         COMMENT ON MATERIALIZED VIEW \"Totals\" IS 'sums'; GRANT SELECT ON \"Totals\" TO captured_reader; ALTER MATERIALIZED VIEW \"Totals\" OWNER TO captured_owner;",
        "DROP VIEW v CASCADE;",
        "CREATE VIEW public.v AS SELECT t.id\n   FROM public.t;\nALTER VIEW public.v OWNER TO postgres;\nCREATE MATERIALIZED VIEW public.\"Totals\" AS SELECT count(*) AS n,\n    max(v.id) AS top\n   FROM public.v;\nCREATE UNIQUE INDEX totals_n ON public.\"Totals\" USING btree (n);\nALTER MATERIALIZED VIEW public.\"Totals\" OWNER TO captured_owner;\nCOMMENT ON MATERIALIZED VIEW public.\"Totals\" IS 'sums';\nGRANT SELECT ON TABLE public.\"Totals\" TO captured_reader;\n",
    ),
    safe(
        "drop function cascade that takes a materialized view with no data and a view on it",
        "CREATE SCHEMA app; CREATE FUNCTION app.two() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 2';
         CREATE MATERIALIZED VIEW app.m AS SELECT app.two() AS n WITH NO DATA; CREATE VIEW app.on_m AS SELECT n FROM app.m;",
        "DROP FUNCTION app.two() CASCADE;",
        "CREATE OR REPLACE FUNCTION app.two()\n RETURNS integer\n LANGUAGE sql\n IMMUTABLE\nAS $function$SELECT 2$function$;\nALTER FUNCTION app.two() OWNER TO postgres;\nCREATE MATERIALIZED VIEW app.m AS SELECT app.two() AS n WITH NO DATA;\nALTER MATERIALIZED VIEW app.m OWNER TO postgres;\nCREATE VIEW app.on_m AS SELECT m.n\n   FROM app.m;\nALTER VIEW app.on_m OWNER TO postgres;\n",
    ),
    safe(
        "drop schema cascade holding only views",
        "CREATE TABLE t (a int); CREATE SCHEMA rep; CREATE VIEW rep.v AS SELECT a FROM public.t; CREATE MATERIALIZED VIEW rep.m AS SELECT a FROM rep.v;",
        "DROP SCHEMA rep CASCADE;",
        "CREATE SCHEMA rep AUTHORIZATION postgres;\nCREATE VIEW rep.v AS SELECT t.a\n   FROM public.t;\nALTER VIEW rep.v OWNER TO postgres;\nCREATE MATERIALIZED VIEW rep.m AS SELECT v.a\n   FROM rep.v;\nALTER MATERIALIZED VIEW rep.m OWNER TO postgres;\n",
    ),
    safe(
        "drop materialized view cascade that takes a view in another schema",
        "CREATE SCHEMA \"Other\"; CREATE MATERIALIZED VIEW m AS SELECT 1 AS a; CREATE VIEW \"Other\".\"On M\" AS SELECT a FROM m;",
        "DROP MATERIALIZED VIEW m CASCADE;",
        "CREATE MATERIALIZED VIEW public.m AS SELECT 1 AS a;\nALTER MATERIALIZED VIEW public.m OWNER TO postgres;\nCREATE VIEW \"Other\".\"On M\" AS SELECT m.a\n   FROM public.m;\nALTER VIEW \"Other\".\"On M\" OWNER TO postgres;\n",
    ),
    unsafe_(
        "drop function cascade that takes a table's column default",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'; CREATE TABLE u (a int DEFAULT f()); CREATE VIEW v AS SELECT f() AS x;",
        "DROP FUNCTION f() CASCADE;",
        "DROP_OBJECT",
    ),
    unsafe_(
        "drop view cascade that takes a view with a rule",
        "CREATE TABLE t (a int); CREATE VIEW v1 AS SELECT a FROM t; CREATE VIEW v2 AS SELECT a FROM v1;
         CREATE RULE r AS ON DELETE TO v2 DO INSTEAD NOTHING;",
        "DROP VIEW v1 CASCADE;",
        "DROP_OBJECT",
    ),
    unsafe_(
        "drop view cascade that takes a temporary view of the migration's session",
        "CREATE VIEW v1 AS SELECT 1 AS a;",
        "CREATE TEMPORARY VIEW tv AS SELECT a FROM v1;\nDROP VIEW v1 CASCADE;",
        "DROP_OBJECT",
    ),
    // CREATE EXTENSION ... CASCADE.
    safe(
        "create extension cascade installs what it requires",
        "",
        "CREATE EXTENSION earthdistance CASCADE;",
        "DROP EXTENSION earthdistance, cube;\n",
    ),
    safe(
        "create extension cascade with what it requires installed already",
        "CREATE EXTENSION cube;",
        "CREATE EXTENSION earthdistance CASCADE;",
        "DROP EXTENSION earthdistance;\n",
    ),
    safe(
        "create extension if not exists cascade of an installed one",
        "CREATE EXTENSION cube; CREATE EXTENSION earthdistance;",
        "CREATE EXTENSION IF NOT EXISTS earthdistance CASCADE;",
        "",
    ),
    safe(
        "create extension cascade into a mixed-case schema",
        "CREATE SCHEMA \"Ext\";",
        "CREATE EXTENSION earthdistance SCHEMA \"Ext\" CASCADE;",
        "DROP EXTENSION earthdistance, cube;\n",
    ),
    // ALTER DOMAIN ... VALIDATE CONSTRAINT.
    safe(
        "validate a NOT VALID domain constraint with a comment",
        "CREATE DOMAIN d AS int; CREATE TABLE t (x d); INSERT INTO t VALUES (-1), (5); DELETE FROM t WHERE x < 0;
         ALTER DOMAIN d ADD CONSTRAINT pos CHECK (VALUE > 0) NOT VALID; COMMENT ON CONSTRAINT pos ON DOMAIN d IS 'positive';",
        "ALTER DOMAIN d VALIDATE CONSTRAINT pos;",
        "ALTER DOMAIN d DROP CONSTRAINT pos;\nALTER DOMAIN d ADD CONSTRAINT pos CHECK ((VALUE > 0)) NOT VALID;\nCOMMENT ON CONSTRAINT pos ON DOMAIN d IS 'positive';\n",
    ),
    safe(
        "validate a domain constraint that was valid already",
        "CREATE DOMAIN d AS int CONSTRAINT pos CHECK (VALUE > 0);",
        "ALTER DOMAIN d VALIDATE CONSTRAINT pos;",
        "",
    ),
    safe(
        "validate a NOT VALID domain constraint, mixed-case names in another schema",
        "CREATE SCHEMA \"App\"; CREATE DOMAIN \"App\".\"Pos Int\" AS int;
         ALTER DOMAIN \"App\".\"Pos Int\" ADD CONSTRAINT \"Is Positive\" CHECK (VALUE > 0) NOT VALID;",
        "ALTER DOMAIN \"App\".\"Pos Int\" VALIDATE CONSTRAINT \"Is Positive\";",
        "ALTER DOMAIN \"App\".\"Pos Int\" DROP CONSTRAINT \"Is Positive\";\nALTER DOMAIN \"App\".\"Pos Int\" ADD CONSTRAINT \"Is Positive\" CHECK ((VALUE > 0)) NOT VALID;\n",
    ),
];
