//! DROP of an object is undone by creating it again as the database described it before the drop.
use super::{safe, unsafe_, Case};

pub const CASES: &[Case] = &[
    safe(
        "drop index with comment, partial and unique",
        "CREATE TABLE t (a int, b text); CREATE UNIQUE INDEX t_a ON t (a) WHERE a > 0; COMMENT ON INDEX t_a IS 'positive a';",
        "DROP INDEX t_a;",
        "CREATE UNIQUE INDEX t_a ON public.t USING btree (a) WHERE (a > 0);\nCOMMENT ON INDEX public.t_a IS 'positive a';\n",
    ),
    safe(
        "drop index if exists that does not exist",
        "CREATE TABLE t (a int);",
        "DROP INDEX IF EXISTS nope;",
        "",
    ),
    safe(
        "drop two indexes, one clustered",
        "CREATE TABLE t (a int, b int); CREATE INDEX t_a ON t (a); CREATE INDEX t_b ON t (b DESC); ALTER TABLE t CLUSTER ON t_b;",
        "DROP INDEX t_a, t_b;",
        "CREATE INDEX t_a ON public.t USING btree (a);\nCREATE INDEX t_b ON public.t USING btree (b DESC);\nALTER TABLE public.t CLUSTER ON t_b;\n",
    ),
    safe(
        "drop index in another schema, mixed-case names",
        "CREATE SCHEMA \"App\"; CREATE TABLE \"App\".\"Items\" (\"Name\" text); CREATE INDEX \"Items_Name\" ON \"App\".\"Items\" (\"Name\");",
        "DROP INDEX \"App\".\"Items_Name\";",
        "CREATE INDEX \"Items_Name\" ON \"App\".\"Items\" USING btree (\"Name\");\n",
    ),
    unsafe_(
        "drop the index of a partitioned table",
        "CREATE TABLE p (x int) PARTITION BY RANGE (x); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10); CREATE INDEX p_x ON p (x);",
        "DROP INDEX p_x;",
        "DROP_OBJECT",
    ),
    safe(
        "drop view with options, column comment, grant and comment",
        "CREATE TABLE t (id int, total numeric); CREATE VIEW big WITH (security_barrier) AS SELECT id, total FROM t WHERE total > 100;
         COMMENT ON VIEW big IS 'big ones'; COMMENT ON COLUMN big.total IS 'sum'; GRANT SELECT ON big TO captured_reader;",
        "DROP VIEW big;",
        "CREATE VIEW public.big WITH (security_barrier=true) AS SELECT t.id,\n    t.total\n   FROM public.t\n  WHERE (t.total > (100)::numeric);\nCOMMENT ON COLUMN public.big.total IS 'sum';\nALTER VIEW public.big OWNER TO postgres;\nCOMMENT ON VIEW public.big IS 'big ones';\nGRANT SELECT ON TABLE public.big TO captured_reader;\n",
    ),
    safe(
        "drop view cascade with nothing depending on it",
        "CREATE TABLE t (id int); CREATE VIEW v1 AS SELECT id FROM t;",
        "DROP VIEW v1 CASCADE;",
        "CREATE VIEW public.v1 AS SELECT t.id\n   FROM public.t;\nALTER VIEW public.v1 OWNER TO postgres;\n",
    ),
    safe(
        "drop materialized view with data and an index",
        "CREATE TABLE t (id int); CREATE MATERIALIZED VIEW m AS SELECT id FROM t; CREATE UNIQUE INDEX m_id ON m (id);",
        "DROP MATERIALIZED VIEW m;",
        "CREATE MATERIALIZED VIEW public.m AS SELECT t.id\n   FROM public.t;\nCREATE UNIQUE INDEX m_id ON public.m USING btree (id);\nALTER MATERIALIZED VIEW public.m OWNER TO postgres;\n",
    ),
    safe(
        "drop function with comment, grant and revoke from public",
        "CREATE FUNCTION add(a int, b int DEFAULT 1) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
         COMMENT ON FUNCTION add(int, int) IS 'sums'; REVOKE EXECUTE ON FUNCTION add(int, int) FROM PUBLIC;
         GRANT EXECUTE ON FUNCTION add(int, int) TO captured_reader;",
        "DROP FUNCTION add(int, int);",
        "CREATE OR REPLACE FUNCTION public.add(a integer, b integer DEFAULT 1)\n RETURNS integer\n LANGUAGE sql\n IMMUTABLE\nAS $function$SELECT a + b$function$;\nALTER FUNCTION public.add(a integer, b integer) OWNER TO postgres;\nCOMMENT ON FUNCTION public.add(a integer, b integer) IS 'sums';\nREVOKE EXECUTE ON FUNCTION public.add(a integer, b integer) FROM PUBLIC CASCADE;\nGRANT EXECUTE ON FUNCTION public.add(a integer, b integer) TO captured_reader;\n",
    ),
    safe(
        "drop procedure without argument list",
        "CREATE PROCEDURE tidy() LANGUAGE sql AS 'SELECT 1';",
        "DROP PROCEDURE tidy;",
        "CREATE OR REPLACE PROCEDURE public.tidy()\n LANGUAGE sql\nAS $procedure$SELECT 1$procedure$;\nALTER PROCEDURE public.tidy() OWNER TO postgres;\n",
    ),
    unsafe_(
        "drop function used by a trigger, cascade",
        "CREATE TABLE t (a int); CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();",
        "DROP FUNCTION f() CASCADE;",
        "DROP_OBJECT",
    ),
    safe(
        "drop a disabled trigger with a comment",
        "CREATE TABLE t (a int); CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW WHEN (NEW.a > 0) EXECUTE FUNCTION f(); ALTER TABLE t DISABLE TRIGGER trg;
         COMMENT ON TRIGGER trg ON t IS 'x';",
        "DROP TRIGGER trg ON t;",
        "CREATE TRIGGER trg BEFORE INSERT ON public.t FOR EACH ROW WHEN ((new.a > 0)) EXECUTE FUNCTION public.f();\nALTER TABLE t DISABLE TRIGGER trg;\nCOMMENT ON TRIGGER trg ON t IS 'x';\n",
    ),
    safe(
        "drop policy with roles, using and check",
        "CREATE TABLE t (owner text); ALTER TABLE t ENABLE ROW LEVEL SECURITY;
         CREATE POLICY own ON t AS RESTRICTIVE FOR UPDATE TO captured_reader, captured_writer USING (owner = current_user) WITH CHECK (owner IS NOT NULL);",
        "DROP POLICY own ON t;",
        "CREATE POLICY own ON t AS RESTRICTIVE FOR UPDATE TO captured_reader, captured_writer USING ((owner = CURRENT_USER)) WITH CHECK ((owner IS NOT NULL));\n",
    ),
    safe(
        "drop rule",
        "CREATE TABLE t (a int); CREATE RULE no_delete AS ON DELETE TO t DO INSTEAD NOTHING;",
        "DROP RULE no_delete ON t;",
        "CREATE RULE no_delete AS\n    ON DELETE TO public.t DO INSTEAD NOTHING;\n",
    ),
    safe(
        "drop sequence with options, owned by, value (with the cached values) and grant",
        "CREATE TABLE t (n int); CREATE SEQUENCE s AS smallint INCREMENT 5 MINVALUE 10 MAXVALUE 1000 START 20 CACHE 2 CYCLE OWNED BY t.n;
         SELECT nextval('s'); GRANT USAGE ON SEQUENCE s TO captured_reader;",
        "DROP SEQUENCE s;",
        "CREATE SEQUENCE public.s AS smallint INCREMENT BY 5 MINVALUE 10 MAXVALUE 1000 START WITH 20 CACHE 2 CYCLE;\nSELECT pg_catalog.setval('public.s', 25, true);\nALTER SEQUENCE public.s OWNER TO postgres;\nGRANT USAGE ON SEQUENCE public.s TO captured_reader;\nALTER SEQUENCE public.s OWNED BY public.t.n;\n",
    ),
    safe(
        "drop enum type with comment",
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'it''s fine'); COMMENT ON TYPE mood IS 'feelings';",
        "DROP TYPE mood;",
        "CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'it''s fine');\nALTER TYPE public.mood OWNER TO postgres;\nCOMMENT ON TYPE public.mood IS 'feelings';\n",
    ),
    safe(
        "drop composite type",
        "CREATE TYPE pair AS (a int, b text COLLATE \"C\");",
        "DROP TYPE pair;",
        "CREATE TYPE public.pair AS (a integer, b text COLLATE pg_catalog.\"C\");\nALTER TYPE public.pair OWNER TO postgres;\n",
    ),
    safe(
        "drop domain with default, not null and named checks",
        "CREATE DOMAIN pos AS int DEFAULT 1 NOT NULL CONSTRAINT pos_check CHECK (VALUE > 0) CONSTRAINT small CHECK (VALUE < 100);",
        "DROP DOMAIN pos;",
        "CREATE DOMAIN public.pos AS integer DEFAULT 1 NOT NULL;\nALTER DOMAIN public.pos ADD CONSTRAINT pos_check CHECK ((VALUE > 0));\nALTER DOMAIN public.pos ADD CONSTRAINT small CHECK ((VALUE < 100));\nALTER DOMAIN public.pos OWNER TO postgres;\n",
    ),
    safe(
        "drop range type",
        "CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);",
        "DROP TYPE floatrange;",
        "CREATE TYPE public.floatrange AS RANGE (SUBTYPE = double precision, SUBTYPE_DIFF = float8mi, MULTIRANGE_TYPE_NAME = public.floatmultirange);\nALTER TYPE public.floatrange OWNER TO postgres;\n",
    ),
    unsafe_(
        "drop type used by a column, cascade",
        "CREATE TYPE mood AS ENUM ('ok'); CREATE TABLE t (m mood);",
        "DROP TYPE mood CASCADE;",
        "DROP_OBJECT",
    ),
    safe(
        "drop empty schema owned by another role with a grant",
        "CREATE SCHEMA app AUTHORIZATION captured_owner; GRANT USAGE ON SCHEMA app TO captured_reader; COMMENT ON SCHEMA app IS 'the app';",
        "DROP SCHEMA app;",
        "CREATE SCHEMA app AUTHORIZATION captured_owner;\nCOMMENT ON SCHEMA app IS 'the app';\nGRANT USAGE ON SCHEMA app TO captured_reader;\n",
    ),
    safe(
        "drop extension",
        "CREATE EXTENSION hstore;",
        "DROP EXTENSION hstore;",
        "CREATE EXTENSION hstore WITH SCHEMA public VERSION '1.8';\nCOMMENT ON EXTENSION hstore IS 'data type for storing sets of (key, value) pairs';\n",
    ),
    safe(
        "drop statistics",
        "CREATE TABLE t (a int, b int); CREATE STATISTICS st (dependencies) ON a, b FROM t;",
        "DROP STATISTICS st;",
        "CREATE STATISTICS public.st (dependencies) ON a, b FROM public.t;\nALTER STATISTICS public.st OWNER TO postgres;\n",
    ),
    unsafe_("drop table stays unsafe", "CREATE TABLE t (a int);", "DROP TABLE t;", "DROP_TABLE"),
    safe(
        "default privileges are revoked before the captured ones are granted",
        "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO captured_writer;
         CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t; GRANT SELECT ON v TO captured_reader;",
        "DROP VIEW v;",
        "CREATE VIEW public.v AS SELECT t.a\n   FROM public.t;\nALTER VIEW public.v OWNER TO postgres;\nREVOKE ALL ON TABLE public.v FROM PUBLIC CASCADE;\nREVOKE ALL ON TABLE public.v FROM captured_reader CASCADE;\nREVOKE ALL ON TABLE public.v FROM captured_writer CASCADE;\nREVOKE ALL ON TABLE public.v FROM postgres CASCADE;\nGRANT INSERT, SELECT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLE public.v TO postgres;\nGRANT SELECT ON TABLE public.v TO captured_writer;\nGRANT SELECT ON TABLE public.v TO captured_reader;\n",
    ),
];
