//! COMMENT ON every object kind, ALTER DEFAULT PRIVILEGES, GRANT/REVOKE ... ON ALL ... IN SCHEMA, identity
//! options (DROP IDENTITY, SET GENERATED, sequence options) and column settings (SET STATISTICS / STORAGE /
//! COMPRESSION / options): each undone from the state read before the statement.
use super::{safe, unsafe_, Case};

pub const CASES: &[Case] = &[
    // COMMENT ON, kind by kind.
    safe(
        "comments on a view, its column, a materialized view and a sequence (quoted schema)",
        r#"CREATE SCHEMA "Ap p"; CREATE TABLE "Ap p"."T" (a int); CREATE VIEW "Ap p"."V" AS SELECT a FROM "Ap p"."T";
           CREATE MATERIALIZED VIEW "Ap p".mv AS SELECT a FROM "Ap p"."T"; CREATE SEQUENCE "Ap p"."S q";
           COMMENT ON VIEW "Ap p"."V" IS 'old view';"#,
        r#"COMMENT ON VIEW "Ap p"."V" IS 'v'; COMMENT ON COLUMN "Ap p"."V".a IS 'va';
           COMMENT ON MATERIALIZED VIEW "Ap p".mv IS 'mv'; COMMENT ON SEQUENCE "Ap p"."S q" IS 's';"#,
        "COMMENT ON SEQUENCE \"Ap p\".\"S q\" IS NULL;\nCOMMENT ON MATERIALIZED VIEW \"Ap p\".mv IS NULL;\nCOMMENT ON COLUMN \"Ap p\".\"V\".a IS NULL;\nCOMMENT ON VIEW \"Ap p\".\"V\" IS 'old view';\n",
    ),
    safe(
        "comments on a foreign table, server and foreign-data wrapper",
        "CREATE FOREIGN DATA WRAPPER \"W w\"; CREATE SERVER srv FOREIGN DATA WRAPPER \"W w\";
         CREATE FOREIGN TABLE ft (a int) SERVER srv; COMMENT ON SERVER srv IS 'old';",
        "COMMENT ON FOREIGN TABLE ft IS 'ft'; COMMENT ON SERVER srv IS NULL; COMMENT ON FOREIGN DATA WRAPPER \"W w\" IS 'w';",
        "COMMENT ON FOREIGN DATA WRAPPER \"W w\" IS NULL;\nCOMMENT ON SERVER srv IS 'old';\nCOMMENT ON FOREIGN TABLE ft IS NULL;\n",
    ),
    safe(
        "comments on a domain, its constraint, a table constraint, trigger, rule and policy",
        "CREATE SCHEMA app; CREATE DOMAIN app.\"Pos\" AS int CONSTRAINT \"is pos\" CHECK (VALUE > 0);
         CREATE TABLE app.t (a int CONSTRAINT a_pos CHECK (a > 0));
         CREATE FUNCTION app.tg() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
         CREATE TRIGGER \"Tg\" BEFORE INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION app.tg();
         CREATE RULE r AS ON UPDATE TO app.t DO ALSO NOTIFY t; CREATE POLICY p ON app.t USING (true);
         COMMENT ON POLICY p ON app.t IS 'old policy';",
        "COMMENT ON DOMAIN app.\"Pos\" IS 'd'; COMMENT ON CONSTRAINT \"is pos\" ON DOMAIN app.\"Pos\" IS 'dc';
         COMMENT ON CONSTRAINT a_pos ON app.t IS 'c'; COMMENT ON TRIGGER \"Tg\" ON app.t IS 'tg';
         COMMENT ON RULE r ON app.t IS 'r'; COMMENT ON POLICY p ON app.t IS 'p';",
        "COMMENT ON POLICY p ON app.t IS 'old policy';\nCOMMENT ON RULE r ON app.t IS NULL;\nCOMMENT ON TRIGGER \"Tg\" ON app.t IS NULL;\nCOMMENT ON CONSTRAINT a_pos ON app.t IS NULL;\nCOMMENT ON CONSTRAINT \"is pos\" ON DOMAIN app.\"Pos\" IS NULL;\nCOMMENT ON DOMAIN app.\"Pos\" IS NULL;\n",
    ),
    safe(
        "comments on a function, procedure and aggregate with arguments",
        "CREATE SCHEMA app; CREATE FUNCTION app.f(int, text) RETURNS int LANGUAGE sql AS 'SELECT 1';
         CREATE PROCEDURE app.\"P\"(a int) LANGUAGE sql AS 'SELECT 1';
         CREATE AGGREGATE app.agg(int) (SFUNC = int4pl, STYPE = int);
         COMMENT ON FUNCTION app.f(int, text) IS 'old f';",
        "COMMENT ON FUNCTION app.f(integer, text) IS 'f'; COMMENT ON PROCEDURE app.\"P\"(int) IS 'p';
         COMMENT ON AGGREGATE app.agg(int) IS 'a'; COMMENT ON ROUTINE app.f(int, text) IS 'r';",
        "COMMENT ON ROUTINE app.f(int, text) IS 'f';\nCOMMENT ON AGGREGATE app.agg(int) IS NULL;\nCOMMENT ON PROCEDURE app.\"P\"(int) IS NULL;\nCOMMENT ON FUNCTION app.f(int, text) IS 'old f';\n",
    ),
    safe(
        "comments on a schema, extension, language, collation and conversion",
        "CREATE SCHEMA \"My S\"; CREATE COLLATION \"My S\".c (provider = libc, locale = 'C');
         CREATE CONVERSION \"My S\".conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;",
        "COMMENT ON SCHEMA \"My S\" IS 's'; COMMENT ON EXTENSION plpgsql IS 'pl';
         COMMENT ON LANGUAGE plpgsql IS 'lang'; COMMENT ON COLLATION \"My S\".c IS 'c';
         COMMENT ON CONVERSION \"My S\".conv IS 'conv';",
        "COMMENT ON CONVERSION \"My S\".conv IS NULL;\nCOMMENT ON COLLATION \"My S\".c IS NULL;\nCOMMENT ON LANGUAGE plpgsql IS 'PL/pgSQL procedural language';\nCOMMENT ON EXTENSION plpgsql IS 'PL/pgSQL procedural language';\nCOMMENT ON SCHEMA \"My S\" IS NULL;\n",
    ),
    safe(
        "comments on text search objects",
        "CREATE SCHEMA ts; CREATE TEXT SEARCH CONFIGURATION ts.cfg (COPY = pg_catalog.english);
         CREATE TEXT SEARCH DICTIONARY ts.dict (TEMPLATE = pg_catalog.simple);
         CREATE TEXT SEARCH PARSER ts.prs (START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end, LEXTYPES = prsd_lextype);
         CREATE TEXT SEARCH TEMPLATE ts.tmpl (LEXIZE = dsimple_lexize);",
        "COMMENT ON TEXT SEARCH CONFIGURATION ts.cfg IS 'c'; COMMENT ON TEXT SEARCH DICTIONARY ts.dict IS 'd';
         COMMENT ON TEXT SEARCH PARSER ts.prs IS 'p'; COMMENT ON TEXT SEARCH TEMPLATE ts.tmpl IS 't';",
        "COMMENT ON TEXT SEARCH TEMPLATE ts.tmpl IS NULL;\nCOMMENT ON TEXT SEARCH PARSER ts.prs IS NULL;\nCOMMENT ON TEXT SEARCH DICTIONARY ts.dict IS NULL;\nCOMMENT ON TEXT SEARCH CONFIGURATION ts.cfg IS NULL;\n",
    ),
    safe(
        "comments on an operator, its class and family, and a cast",
        "CREATE SCHEMA ops; CREATE TYPE ops.\"Box\" AS (v int);
         CREATE FUNCTION ops.lt(ops.\"Box\", ops.\"Box\") RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT $1.v < $2.v';
         CREATE OPERATOR ops.<<< (LEFTARG = ops.\"Box\", RIGHTARG = ops.\"Box\", FUNCTION = ops.lt);
         CREATE OPERATOR FAMILY ops.fam USING btree;
         CREATE OPERATOR CLASS ops.cls FOR TYPE ops.\"Box\" USING hash AS FUNCTION 1 hash_record(record);
         CREATE FUNCTION ops.to_int(ops.\"Box\") RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1.v';
         CREATE CAST (ops.\"Box\" AS int) WITH FUNCTION ops.to_int(ops.\"Box\");
         COMMENT ON OPERATOR FAMILY ops.fam USING btree IS 'old';",
        "COMMENT ON OPERATOR ops.<<< (ops.\"Box\", ops.\"Box\") IS 'op';
         COMMENT ON OPERATOR CLASS ops.cls USING hash IS 'cls'; COMMENT ON OPERATOR FAMILY ops.fam USING btree IS 'fam';
         COMMENT ON CAST (ops.\"Box\" AS integer) IS 'cast';",
        "COMMENT ON CAST (ops.\"Box\" AS int) IS NULL;\nCOMMENT ON OPERATOR FAMILY ops.fam USING btree IS 'old';\nCOMMENT ON OPERATOR CLASS ops.cls USING hash IS NULL;\nCOMMENT ON OPERATOR ops.<<<(ops.\"Box\", ops.\"Box\") IS NULL;\n",
    ),
    safe(
        "comments on a publication, event trigger, access method, statistics object and large object",
        "CREATE TABLE t (a int, b int); CREATE PUBLICATION pub FOR TABLE t;
         CREATE FUNCTION et() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN END';
         CREATE EVENT TRIGGER \"E t\" ON ddl_command_end WHEN TAG IN ('CREATE SEQUENCE') EXECUTE FUNCTION et();
         CREATE ACCESS METHOD am2 TYPE INDEX HANDLER bthandler; CREATE STATISTICS st ON a, b FROM t;
         SELECT lo_create(424242); COMMENT ON LARGE OBJECT 424242 IS 'old lo';",
        "COMMENT ON PUBLICATION pub IS 'p'; COMMENT ON EVENT TRIGGER \"E t\" IS 'e';
         COMMENT ON ACCESS METHOD am2 IS 'am'; COMMENT ON STATISTICS st IS 'st'; COMMENT ON LARGE OBJECT 424242 IS 'lo';",
        "COMMENT ON LARGE OBJECT 424242 IS 'old lo';\nCOMMENT ON STATISTICS st IS NULL;\nCOMMENT ON ACCESS METHOD am2 IS NULL;\nCOMMENT ON EVENT TRIGGER \"E t\" IS NULL;\nCOMMENT ON PUBLICATION pub IS NULL;\n",
    ),
    safe(
        "comment on an index and a column through search_path",
        "CREATE SCHEMA app; CREATE TABLE app.\"Items\" (\"Name\" text); CREATE INDEX \"Items_Name\" ON app.\"Items\" (\"Name\");",
        "SET search_path TO app; COMMENT ON INDEX \"Items_Name\" IS 'i'; COMMENT ON COLUMN \"Items\".\"Name\" IS 'n';",
        "SELECT pg_catalog.set_config('search_path', 'app', true);\nCOMMENT ON COLUMN \"Items\".\"Name\" IS NULL;\nCOMMENT ON INDEX \"Items_Name\" IS NULL;\nSELECT pg_catalog.set_config('search_path', '\"$user\", public', true);\n",
    ),
    // GRANT / REVOKE ... ON ALL ... IN SCHEMA.
    safe(
        "grant on all tables in schema reaches tables, views, materialized views, not sequences",
        "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t; CREATE MATERIALIZED VIEW m AS SELECT a FROM t;
         CREATE SEQUENCE s; GRANT SELECT ON t TO captured_reader;",
        "GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO captured_reader;",
        "REVOKE INSERT, SELECT ON TABLE public.schema_versions FROM captured_reader CASCADE;\nREVOKE INSERT ON TABLE public.t FROM captured_reader CASCADE;\nREVOKE INSERT, SELECT ON TABLE public.v FROM captured_reader CASCADE;\nREVOKE INSERT, SELECT ON TABLE public.m FROM captured_reader CASCADE;\n",
    ),
    safe(
        "revoke on all tables in a quoted schema takes column privileges too, restored in order",
        r#"CREATE SCHEMA "App"; CREATE TABLE "App"."T" (a int, "B" int);
           GRANT SELECT ON "App"."T" TO captured_reader; GRANT SELECT ON "App"."T" TO captured_writer;
           GRANT UPDATE ("B") ON "App"."T" TO captured_reader; CREATE TABLE "App".u (a int);"#,
        r#"REVOKE ALL ON ALL TABLES IN SCHEMA "App" FROM captured_reader;"#,
        "REVOKE ALL ON TABLE \"App\".\"T\" FROM postgres CASCADE;\nREVOKE ALL ON TABLE \"App\".\"T\" FROM captured_writer CASCADE;\nGRANT INSERT, SELECT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLE \"App\".\"T\" TO postgres;\nGRANT SELECT ON TABLE \"App\".\"T\" TO captured_reader;\nGRANT SELECT ON TABLE \"App\".\"T\" TO captured_writer;\nGRANT UPDATE (\"B\") ON TABLE \"App\".\"T\" TO captured_reader;\n",
    ),
    safe(
        "grant and revoke on all sequences, functions, procedures and routines of two schemas",
        "CREATE SCHEMA a; CREATE SCHEMA \"B\"; CREATE SEQUENCE a.s; CREATE SEQUENCE \"B\".s;
         CREATE FUNCTION a.f(int) RETURNS int LANGUAGE sql AS 'SELECT 1'; CREATE PROCEDURE a.p() LANGUAGE sql AS 'SELECT 1';
         CREATE FUNCTION \"B\".g(text, int) RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "GRANT USAGE ON ALL SEQUENCES IN SCHEMA a, \"B\" TO captured_reader;
         REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA a, \"B\" FROM PUBLIC;
         GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA a TO captured_writer;
         REVOKE ALL ON ALL ROUTINES IN SCHEMA a FROM PUBLIC;",
        "REVOKE ALL ON PROCEDURE a.p() FROM postgres CASCADE;\nREVOKE ALL ON PROCEDURE a.p() FROM captured_writer CASCADE;\nGRANT EXECUTE ON PROCEDURE a.p() TO PUBLIC;\nGRANT EXECUTE ON PROCEDURE a.p() TO postgres;\nGRANT EXECUTE ON PROCEDURE a.p() TO captured_writer;\nREVOKE EXECUTE ON PROCEDURE a.p() FROM captured_writer CASCADE;\nREVOKE ALL ON FUNCTION a.f(integer) FROM postgres CASCADE;\nGRANT EXECUTE ON FUNCTION a.f(integer) TO PUBLIC;\nGRANT EXECUTE ON FUNCTION a.f(integer) TO postgres;\nREVOKE ALL ON FUNCTION \"B\".g(text, integer) FROM postgres CASCADE;\nGRANT EXECUTE ON FUNCTION \"B\".g(text, integer) TO PUBLIC;\nGRANT EXECUTE ON FUNCTION \"B\".g(text, integer) TO postgres;\nREVOKE USAGE ON SEQUENCE a.s FROM captured_reader CASCADE;\nREVOKE USAGE ON SEQUENCE \"B\".s FROM captured_reader CASCADE;\n",
    ),
    safe(
        "grant on all tables of an empty schema",
        "CREATE SCHEMA e;",
        "GRANT SELECT ON ALL TABLES IN SCHEMA e TO captured_reader;",
        "",
    ),
    unsafe_(
        "revoking a grant option on all tables takes what the grantee granted, which cannot be granted back",
        "CREATE TABLE t (a int); GRANT SELECT ON t TO captured_writer WITH GRANT OPTION;
         SET ROLE captured_writer; GRANT SELECT ON t TO captured_reader; RESET ROLE;",
        "REVOKE GRANT OPTION FOR SELECT ON ALL TABLES IN SCHEMA public FROM captured_writer CASCADE;",
        "PREVIOUS_STATE_UNKNOWN",
    ),
    safe(
        "default privileges in a schema: an entry revoked from the middle comes back in its place",
        r#"CREATE SCHEMA "Sch"; ALTER DEFAULT PRIVILEGES IN SCHEMA "Sch" GRANT USAGE ON TYPES TO captured_reader;
           ALTER DEFAULT PRIVILEGES IN SCHEMA "Sch" GRANT USAGE ON TYPES TO captured_writer;
           ALTER DEFAULT PRIVILEGES IN SCHEMA "Sch" GRANT USAGE ON TYPES TO captured_owner;"#,
        r#"ALTER DEFAULT PRIVILEGES IN SCHEMA "Sch" REVOKE USAGE ON TYPES FROM captured_writer;"#,
        "ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA \"Sch\" REVOKE ALL ON TYPES FROM captured_reader CASCADE;\nALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA \"Sch\" REVOKE ALL ON TYPES FROM captured_owner CASCADE;\nALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA \"Sch\" GRANT USAGE ON TYPES TO captured_reader;\nALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA \"Sch\" GRANT USAGE ON TYPES TO captured_writer;\nALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA \"Sch\" GRANT USAGE ON TYPES TO captured_owner;\n",
    ),
    safe(
        "column settings of a table found through search_path",
        "CREATE SCHEMA app; CREATE TABLE app.\"Docs\" (\"Body\" text);",
        "SET search_path TO app; ALTER TABLE \"Docs\" ALTER COLUMN \"Body\" SET STORAGE MAIN, ALTER COLUMN \"Body\" SET STATISTICS 1000;",
        "SELECT pg_catalog.set_config('search_path', 'app', true);\nALTER TABLE \"Docs\" ALTER COLUMN \"Body\" SET STATISTICS -1, ALTER COLUMN \"Body\" SET STORAGE EXTENDED;\nSELECT pg_catalog.set_config('search_path', '\"$user\", public', true);\n",
    ),
    // ALTER DEFAULT PRIVILEGES.
    safe(
        "default privileges granted everywhere for the current user",
        "CREATE TABLE t (a int);",
        "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO captured_reader;",
        "ALTER DEFAULT PRIVILEGES FOR ROLE postgres REVOKE SELECT ON TABLES FROM captured_reader CASCADE;\n",
    ),
    safe(
        "default privileges for other roles in quoted schemas, with grant option",
        r#"CREATE SCHEMA "App"; CREATE SCHEMA b;
           ALTER DEFAULT PRIVILEGES FOR ROLE captured_owner IN SCHEMA b GRANT SELECT ON TABLES TO captured_writer;"#,
        r#"ALTER DEFAULT PRIVILEGES FOR ROLE captured_owner, captured_writer IN SCHEMA "App", b GRANT INSERT ON TABLES TO captured_reader WITH GRANT OPTION;"#,
        "ALTER DEFAULT PRIVILEGES FOR ROLE captured_owner IN SCHEMA \"App\" REVOKE INSERT ON TABLES FROM captured_reader CASCADE;\nALTER DEFAULT PRIVILEGES FOR ROLE captured_owner IN SCHEMA b REVOKE INSERT ON TABLES FROM captured_reader CASCADE;\nALTER DEFAULT PRIVILEGES FOR ROLE captured_writer IN SCHEMA \"App\" REVOKE INSERT ON TABLES FROM captured_reader CASCADE;\nALTER DEFAULT PRIVILEGES FOR ROLE captured_writer IN SCHEMA b REVOKE INSERT ON TABLES FROM captured_reader CASCADE;\n",
    ),
    safe(
        "default privileges revoked from PUBLIC on functions, types, and granted on schemas and sequences",
        "",
        "ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
         ALTER DEFAULT PRIVILEGES FOR ROLE captured_owner REVOKE USAGE ON TYPES FROM PUBLIC;
         ALTER DEFAULT PRIVILEGES GRANT USAGE, CREATE ON SCHEMAS TO captured_reader;
         ALTER DEFAULT PRIVILEGES FOR ROLE captured_owner GRANT USAGE ON SEQUENCES TO captured_writer;
         ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON ROUTINES TO captured_writer;",
        "ALTER DEFAULT PRIVILEGES FOR ROLE postgres REVOKE EXECUTE ON FUNCTIONS FROM captured_writer CASCADE;\nALTER DEFAULT PRIVILEGES FOR ROLE captured_owner REVOKE USAGE ON SEQUENCES FROM captured_writer CASCADE;\nALTER DEFAULT PRIVILEGES FOR ROLE postgres REVOKE USAGE, CREATE ON SCHEMAS FROM captured_reader CASCADE;\nALTER DEFAULT PRIVILEGES FOR ROLE captured_owner REVOKE ALL ON TYPES FROM captured_owner CASCADE;\nALTER DEFAULT PRIVILEGES FOR ROLE captured_owner GRANT USAGE ON TYPES TO PUBLIC;\nALTER DEFAULT PRIVILEGES FOR ROLE captured_owner GRANT USAGE ON TYPES TO captured_owner;\nALTER DEFAULT PRIVILEGES FOR ROLE postgres REVOKE ALL ON FUNCTIONS FROM postgres CASCADE;\nALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT EXECUTE ON FUNCTIONS TO PUBLIC;\nALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT EXECUTE ON FUNCTIONS TO postgres;\n",
    ),
    safe(
        "default privileges: an entry revoked from the middle comes back in its place",
        "ALTER DEFAULT PRIVILEGES FOR ROLE captured_owner GRANT SELECT ON TABLES TO captured_reader;
         ALTER DEFAULT PRIVILEGES FOR ROLE captured_owner GRANT SELECT ON TABLES TO captured_writer;",
        "ALTER DEFAULT PRIVILEGES FOR ROLE captured_owner REVOKE ALL ON TABLES FROM captured_reader;",
        "ALTER DEFAULT PRIVILEGES FOR ROLE captured_owner REVOKE ALL ON TABLES FROM captured_writer CASCADE;\nALTER DEFAULT PRIVILEGES FOR ROLE captured_owner REVOKE ALL ON TABLES FROM captured_owner CASCADE;\nALTER DEFAULT PRIVILEGES FOR ROLE captured_owner GRANT SELECT ON TABLES TO captured_reader;\nALTER DEFAULT PRIVILEGES FOR ROLE captured_owner GRANT SELECT ON TABLES TO captured_writer;\nALTER DEFAULT PRIVILEGES FOR ROLE captured_owner GRANT INSERT, SELECT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLES TO captured_owner;\n",
    ),
    safe(
        "default privileges revoked that were not there",
        "CREATE SCHEMA s;",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA s REVOKE SELECT ON TABLES FROM captured_reader;",
        "",
    ),
    // Identity.
    safe(
        "drop identity brings back the sequence, its options, value, comment and privileges",
        r#"CREATE SCHEMA "Ap"; CREATE TABLE "Ap"."T" ("I d" int GENERATED BY DEFAULT AS IDENTITY (START WITH 10 INCREMENT BY 5 CACHE 3), v text);
           INSERT INTO "Ap"."T" (v) VALUES ('a'), ('b'); COMMENT ON SEQUENCE "Ap"."T_I d_seq" IS 'ids';
           GRANT USAGE ON SEQUENCE "Ap"."T_I d_seq" TO captured_reader;"#,
        r#"ALTER TABLE "Ap"."T" ALTER COLUMN "I d" DROP IDENTITY;"#,
        "ALTER TABLE \"Ap\".\"T\" ALTER COLUMN \"I d\" ADD GENERATED BY DEFAULT AS IDENTITY (SEQUENCE NAME \"Ap\".\"T_I d_seq\" INCREMENT BY 5 MINVALUE 1 MAXVALUE 2147483647 START WITH 10 CACHE 3 NO CYCLE);\nSELECT pg_catalog.setval('\"Ap\".\"T_I d_seq\"', 20, true);\nCOMMENT ON SEQUENCE \"Ap\".\"T_I d_seq\" IS 'ids';\nGRANT USAGE ON SEQUENCE \"Ap\".\"T_I d_seq\" TO captured_reader;\n",
    ),
    safe(
        "drop identity if exists of an unused always identity, with default privileges on sequences",
        "ALTER DEFAULT PRIVILEGES GRANT SELECT ON SEQUENCES TO captured_writer;
         CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME public.\"My seq\" MAXVALUE 1000 CYCLE), x int);",
        "ALTER TABLE IF EXISTS t ALTER COLUMN id DROP IDENTITY IF EXISTS;",
        "ALTER TABLE IF EXISTS t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME public.\"My seq\" INCREMENT BY 1 MINVALUE 1 MAXVALUE 1000 START WITH 1 CACHE 1 CYCLE);\nSELECT pg_catalog.setval('public.\"My seq\"', 1, false);\nREVOKE ALL ON SEQUENCE public.\"My seq\" FROM PUBLIC CASCADE;\nREVOKE ALL ON SEQUENCE public.\"My seq\" FROM captured_writer CASCADE;\nREVOKE ALL ON SEQUENCE public.\"My seq\" FROM postgres CASCADE;\nGRANT SELECT, UPDATE, USAGE ON SEQUENCE public.\"My seq\" TO postgres;\nGRANT SELECT ON SEQUENCE public.\"My seq\" TO captured_writer;\n",
    ),
    safe(
        "drop identity if exists of a column without one",
        "CREATE TABLE t (id int NOT NULL);",
        "ALTER TABLE t ALTER COLUMN id DROP IDENTITY IF EXISTS;",
        "",
    ),
    safe(
        "set generated always",
        "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY);",
        "ALTER TABLE t ALTER COLUMN id SET GENERATED ALWAYS;",
        "ALTER TABLE t ALTER COLUMN id SET GENERATED BY DEFAULT;\n",
    ),
    safe(
        "identity sequence options and restart",
        r#"CREATE SCHEMA s; CREATE TABLE s."T" (id int GENERATED ALWAYS AS IDENTITY (INCREMENT BY 2), v int);
           INSERT INTO s."T" (v) VALUES (1), (2), (3);"#,
        r#"ALTER TABLE s."T" ALTER COLUMN id SET INCREMENT BY 7 SET MAXVALUE 5000 RESTART WITH 100, ALTER COLUMN id SET GENERATED BY DEFAULT;"#,
        "ALTER TABLE s.\"T\" ALTER COLUMN id SET GENERATED ALWAYS, ALTER COLUMN id SET GENERATED ALWAYS;\nALTER SEQUENCE s.\"T_id_seq\" AS integer INCREMENT BY 2 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1 NO CYCLE;\nSELECT pg_catalog.setval('s.\"T_id_seq\"', 5, true);\n",
    ),
    safe(
        "alter sequence of an identity column",
        "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY, v int); INSERT INTO t (v) VALUES (1);",
        "ALTER SEQUENCE t_id_seq RESTART WITH 50 INCREMENT BY 10 NO CYCLE;",
        "ALTER SEQUENCE public.t_id_seq AS integer INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1 NO CYCLE;\nSELECT pg_catalog.setval('public.t_id_seq', 1, true);\n",
    ),
    safe(
        "add identity with options, quoted",
        r#"CREATE TABLE "T t" ("I" int NOT NULL);"#,
        r#"ALTER TABLE "T t" ALTER COLUMN "I" ADD GENERATED BY DEFAULT AS IDENTITY (SEQUENCE NAME "T t_seq" START WITH 3 INCREMENT BY 3);"#,
        "ALTER TABLE \"T t\" ALTER COLUMN \"I\" DROP IDENTITY;\n",
    ),
    unsafe_(
        "drop identity of a partitioned table's column",
        "CREATE TABLE p (id int GENERATED ALWAYS AS IDENTITY, v int) PARTITION BY RANGE (v);
         CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);",
        "ALTER TABLE p ALTER COLUMN id DROP IDENTITY;",
        "PREVIOUS_STATE_UNKNOWN",
    ),
    safe(
        "drop identity and set generated on an inheritance parent: children do not inherit identity",
        "CREATE TABLE p (id int GENERATED ALWAYS AS IDENTITY, v int); CREATE TABLE c () INHERITS (p);
         CREATE TABLE q (id int GENERATED ALWAYS AS IDENTITY); CREATE TABLE qc () INHERITS (q);",
        "ALTER TABLE p ALTER COLUMN id DROP IDENTITY; ALTER TABLE q ALTER COLUMN id SET GENERATED BY DEFAULT;",
        "ALTER TABLE q ALTER COLUMN id SET GENERATED ALWAYS;\nALTER TABLE p ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME public.p_id_seq INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1 NO CYCLE);\nSELECT pg_catalog.setval('public.p_id_seq', 1, false);\n",
    ),
    safe(
        "alter sequence restarted and not used since: its next value comes back",
        r#"CREATE SEQUENCE "S s"; ALTER SEQUENCE "S s" RESTART WITH 7;"#,
        r#"ALTER SEQUENCE "S s" RESTART WITH 100 INCREMENT BY 2;"#,
        "ALTER SEQUENCE public.\"S s\" AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1 NO CYCLE OWNED BY NONE;\nSELECT pg_catalog.setval('public.\"S s\"', 7, false);\n",
    ),
    safe(
        "drop identity of a sequence set back with setval(..., false)",
        "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY); SELECT setval('t_id_seq', 40, false);",
        "ALTER TABLE t ALTER COLUMN id DROP IDENTITY;",
        "ALTER TABLE t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (SEQUENCE NAME public.t_id_seq INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1 NO CYCLE);\nSELECT pg_catalog.setval('public.t_id_seq', 40, false);\n",
    ),
    safe(
        "drop a sequence restarted and not used since",
        "CREATE SCHEMA app; CREATE SEQUENCE app.\"Seq\" START 5; ALTER SEQUENCE app.\"Seq\" RESTART WITH 9;",
        "DROP SEQUENCE app.\"Seq\";",
        "CREATE SEQUENCE app.\"Seq\" AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 5 CACHE 1 NO CYCLE;\nSELECT pg_catalog.setval('app.\"Seq\"', 9, false);\nALTER SEQUENCE app.\"Seq\" OWNER TO postgres;\n",
    ),
    // Column settings.
    safe(
        "set statistics, storage and compression on a quoted column",
        r#"CREATE SCHEMA "S s"; CREATE TABLE "S s"."T" ("Big" text, n int); ALTER TABLE "S s"."T" ALTER COLUMN n SET STATISTICS 300;"#,
        r#"ALTER TABLE "S s"."T" ALTER COLUMN "Big" SET STATISTICS 50, ALTER COLUMN "Big" SET STORAGE EXTERNAL, ALTER COLUMN "Big" SET COMPRESSION pglz, ALTER COLUMN n SET STATISTICS -1;"#,
        "ALTER TABLE \"S s\".\"T\" ALTER COLUMN n SET STATISTICS 300, ALTER COLUMN \"Big\" SET COMPRESSION default, ALTER COLUMN \"Big\" SET STORAGE EXTENDED, ALTER COLUMN \"Big\" SET STATISTICS -1;\n",
    ),
    safe(
        "set statistics recursing into children whose own value differed",
        "CREATE TABLE p (a int, b text); CREATE TABLE c1 () INHERITS (p); CREATE TABLE c2 () INHERITS (p);
         ALTER TABLE ONLY c1 ALTER COLUMN a SET STATISTICS 20; ALTER TABLE ONLY c2 ALTER COLUMN b SET STORAGE MAIN;",
        "ALTER TABLE p ALTER COLUMN a SET STATISTICS 20; ALTER TABLE p ALTER COLUMN b SET STORAGE EXTERNAL;",
        "ALTER TABLE ONLY public.p ALTER COLUMN b SET STORAGE EXTENDED;\nALTER TABLE ONLY public.c1 ALTER COLUMN b SET STORAGE EXTENDED;\nALTER TABLE ONLY public.c2 ALTER COLUMN b SET STORAGE MAIN;\nALTER TABLE ONLY public.p ALTER COLUMN a SET STATISTICS -1;\nALTER TABLE ONLY public.c2 ALTER COLUMN a SET STATISTICS -1;\n",
    ),
    safe(
        "set statistics on a partitioned table, and ONLY",
        "CREATE TABLE p (a int, b text) PARTITION BY RANGE (a); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);
         ALTER TABLE p1 ALTER COLUMN a SET STATISTICS 70;",
        "ALTER TABLE p ALTER COLUMN a SET STATISTICS 100; ALTER TABLE ONLY p ALTER COLUMN b SET STATISTICS 5;",
        "ALTER TABLE ONLY public.p ALTER COLUMN b SET STATISTICS -1;\nALTER TABLE ONLY public.p ALTER COLUMN a SET STATISTICS -1;\nALTER TABLE ONLY public.p1 ALTER COLUMN a SET STATISTICS 70;\n",
    ),
    safe(
        "column options set and reset",
        "CREATE TABLE t (a int, b int); ALTER TABLE t ALTER COLUMN a SET (n_distinct = 10);",
        "ALTER TABLE t ALTER COLUMN a SET (n_distinct = 5, n_distinct_inherited = 3), ALTER COLUMN b SET (n_distinct = -0.5);
         ALTER TABLE t ALTER COLUMN a RESET (n_distinct_inherited);",
        "ALTER TABLE t ALTER COLUMN a SET (n_distinct_inherited='3');\nALTER TABLE t ALTER COLUMN b RESET (n_distinct), ALTER COLUMN a RESET (n_distinct_inherited), ALTER COLUMN a SET (n_distinct='10');\n",
    ),
    safe(
        "statistics on a materialized view column and on an index expression",
        "CREATE TABLE t (v text); CREATE MATERIALIZED VIEW m AS SELECT v FROM t; CREATE INDEX t_lower ON t (lower(v));
         CREATE INDEX t_both ON t (v, upper(v)); ALTER INDEX t_both ALTER COLUMN 2 SET STATISTICS 0;",
        "ALTER MATERIALIZED VIEW m ALTER COLUMN v SET STATISTICS 400; ALTER INDEX t_lower ALTER COLUMN 1 SET STATISTICS 500;
         ALTER INDEX t_both ALTER COLUMN 2 SET STATISTICS 60;",
        "ALTER INDEX t_both ALTER COLUMN 2 SET STATISTICS 0;\nALTER INDEX t_lower ALTER COLUMN 1 SET STATISTICS -1;\nALTER MATERIALIZED VIEW m ALTER COLUMN v SET STATISTICS -1;\n",
    ),
    safe(
        "set storage to what it was",
        "CREATE TABLE t (v text);",
        "ALTER TABLE t ALTER COLUMN v SET STORAGE EXTENDED;",
        "",
    ),
];
