//! The catalog snapshot and its comparison on real PostgreSQL: each kind of change a wrong rollback can
//! leave behind is reported, naming the object; exact restores and noise (sequence values, statistics,
//! rows, dropped-column slots, internal and cloned triggers) are not. Also `verify_rollback`.
mod common;

use pg_rollback_db::ErrorCode;
use pg_rollback_db::{catalog_snapshot, compare_snapshots, verify_rollback, Timeouts, VerifyInput};

const ROLES: &str =
    "DO $$ BEGIN CREATE ROLE snapshot_reader; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE snapshot_owner; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;";

/// One kind of difference: on a database with `setup`, `change` must be reported as a difference whose
/// text contains `expect`.
struct Kind {
    name: &'static str,
    setup: &'static str,
    change: &'static str,
    expect: &'static str,
}

const T: &str = "CREATE TABLE t (a int, b varchar(10), c text);";

const KINDS: &[Kind] = &[
    Kind { name: "table missing", setup: T, change: "DROP TABLE t", expect: "table public.t: missing" },
    Kind { name: "table unexpected", setup: "", change: T, expect: "table public.t: unexpected" },
    Kind { name: "persistence", setup: T, change: "ALTER TABLE t SET UNLOGGED", expect: "table public.t: persistence p -> u" },
    Kind {
        name: "partition bound",
        setup: "CREATE TABLE p (a int) PARTITION BY RANGE (a); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);",
        change: "ALTER TABLE p DETACH PARTITION p1",
        expect: "table public.p1: partition bound FOR VALUES FROM (0) TO (10) -> (none)",
    },
    Kind {
        name: "partition key",
        setup: "CREATE TABLE p (a int, b int) PARTITION BY RANGE (a);",
        change: "DROP TABLE p; CREATE TABLE p (a int, b int) PARTITION BY RANGE (b);",
        expect: "table public.p: partition key RANGE (a) -> RANGE (b)",
    },
    Kind {
        name: "inheritance",
        setup: "CREATE TABLE parent (a int); CREATE TABLE child () INHERITS (parent);",
        change: "ALTER TABLE child NO INHERIT parent",
        expect: "table public.child: inherits [\"public.parent\"] -> (none)",
    },
    Kind { name: "row level security", setup: T, change: "ALTER TABLE t ENABLE ROW LEVEL SECURITY", expect: "table public.t: row security false -> true" },
    Kind { name: "forced row level security", setup: T, change: "ALTER TABLE t FORCE ROW LEVEL SECURITY", expect: "table public.t: forced row security false -> true" },
    Kind { name: "reloptions", setup: T, change: "ALTER TABLE t SET (fillfactor = 70)", expect: "table public.t: options (none) -> [\"fillfactor=70\"]" },
    Kind { name: "replica identity", setup: T, change: "ALTER TABLE t REPLICA IDENTITY FULL", expect: "table public.t: replica identity d -> f" },
    Kind {
        name: "replica identity index",
        setup: "CREATE TABLE t (a int NOT NULL); CREATE UNIQUE INDEX t_a ON t (a);",
        change: "ALTER TABLE t REPLICA IDENTITY USING INDEX t_a",
        expect: "index public.t_a: replica identity false -> true",
    },
    Kind {
        name: "column order",
        setup: T,
        change: "ALTER TABLE t DROP COLUMN b; ALTER TABLE t ADD COLUMN b varchar(10)",
        expect: "table column public.t.c: position 3 -> 2",
    },
    Kind { name: "column missing", setup: T, change: "ALTER TABLE t DROP COLUMN c", expect: "table column public.t.c: missing" },
    Kind { name: "column type and typmod", setup: T, change: "ALTER TABLE t ALTER b TYPE varchar(20)", expect: "table column public.t.b: type character varying(10) -> character varying(20)" },
    Kind { name: "column collation", setup: T, change: "ALTER TABLE t ALTER c TYPE text COLLATE \"POSIX\"", expect: "table column public.t.c: collation (none) -> \"POSIX\"" },
    Kind { name: "column default", setup: "CREATE TABLE t (a text DEFAULT 'guest');", change: "ALTER TABLE t ALTER a SET DEFAULT 'anon'", expect: "table column public.t.a: default 'guest'::text -> 'anon'::text" },
    Kind { name: "column not null", setup: T, change: "ALTER TABLE t ALTER a SET NOT NULL", expect: "table column public.t.a: not null false -> true" },
    Kind { name: "column identity", setup: "CREATE TABLE t (a int NOT NULL);", change: "ALTER TABLE t ALTER a ADD GENERATED ALWAYS AS IDENTITY", expect: "table column public.t.a: identity (none) -> a" },
    Kind {
        name: "generated column expression",
        setup: "CREATE TABLE t (a int, g int GENERATED ALWAYS AS (a * 2) STORED);",
        change: "ALTER TABLE t ALTER g DROP EXPRESSION",
        expect: "table column public.t.g: default (a * 2) -> (none)",
    },
    Kind { name: "column statistics target", setup: T, change: "ALTER TABLE t ALTER a SET STATISTICS 500", expect: "table column public.t.a: statistics target" },
    Kind { name: "column storage", setup: T, change: "ALTER TABLE t ALTER c SET STORAGE EXTERNAL", expect: "table column public.t.c: storage (none) -> e" },
    Kind {
        name: "constraint definition",
        setup: "CREATE TABLE t (a int CONSTRAINT a_positive CHECK (a > 0));",
        change: "ALTER TABLE t DROP CONSTRAINT a_positive, ADD CONSTRAINT a_positive CHECK (a >= 0)",
        expect: "table constraint a_positive on public.t: definition CHECK ((a > 0)) -> CHECK ((a >= 0))",
    },
    Kind {
        name: "constraint deferrable",
        setup: "CREATE TABLE r (id int PRIMARY KEY); CREATE TABLE t (r int CONSTRAINT t_r_fk REFERENCES r);",
        change: "ALTER TABLE t ALTER CONSTRAINT t_r_fk DEFERRABLE INITIALLY DEFERRED",
        expect: "table constraint t_r_fk on public.t: deferrable false -> true",
    },
    Kind {
        name: "constraint validated",
        setup: "CREATE TABLE t (a int); ALTER TABLE t ADD CONSTRAINT a_positive CHECK (a > 0) NOT VALID;",
        change: "ALTER TABLE t VALIDATE CONSTRAINT a_positive",
        expect: "table constraint a_positive on public.t: validated false -> true",
    },
    Kind {
        name: "index missing",
        setup: "CREATE TABLE wishlist_items (a int); CREATE INDEX items_a_idx ON wishlist_items (a);",
        change: "DROP INDEX items_a_idx",
        expect: "index public.items_a_idx: missing",
    },
    Kind {
        name: "index definition",
        setup: "CREATE TABLE t (a int, b int); CREATE INDEX t_idx ON t (a);",
        change: "DROP INDEX t_idx; CREATE INDEX t_idx ON t (a) WHERE b > 0",
        expect: "index public.t_idx: definition CREATE INDEX t_idx ON public.t USING btree (a) -> CREATE INDEX t_idx ON public.t USING btree (a) WHERE (b > 0)",
    },
    Kind {
        name: "index validity",
        setup: "CREATE TABLE t (a int); CREATE INDEX t_idx ON t (a);",
        change: "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'public.t_idx'::regclass",
        expect: "index public.t_idx: valid true -> false",
    },
    Kind {
        name: "clustered index",
        setup: "CREATE TABLE t (a int); CREATE INDEX t_idx ON t (a);",
        change: "ALTER TABLE t CLUSTER ON t_idx",
        expect: "index public.t_idx: clustered false -> true",
    },
    Kind { name: "view definition", setup: "CREATE VIEW v AS SELECT 1 AS x;", change: "CREATE OR REPLACE VIEW v AS SELECT 2 AS x", expect: "view public.v: definition  SELECT 1 AS x; ->  SELECT 2 AS x;" },
    Kind { name: "view options", setup: "CREATE VIEW v AS SELECT 1 AS x;", change: "ALTER VIEW v SET (security_barrier = true)", expect: "view public.v: options (none) -> [\"security_barrier=true\"]" },
    Kind {
        name: "materialized view definition",
        setup: "CREATE MATERIALIZED VIEW m AS SELECT 1 AS x;",
        change: "DROP MATERIALIZED VIEW m; CREATE MATERIALIZED VIEW m AS SELECT 1 AS x WITH NO DATA",
        expect: "materialized view public.m: populated true -> false",
    },
    Kind { name: "sequence options", setup: "CREATE SEQUENCE s;", change: "ALTER SEQUENCE s INCREMENT BY 5 CACHE 10", expect: "sequence public.s: sequence {\"cache\":\"1\"," },
    Kind {
        name: "sequence owned by",
        setup: "CREATE TABLE t (a int); CREATE SEQUENCE s;",
        change: "ALTER SEQUENCE s OWNED BY t.a",
        expect: "sequence public.s: owned by (none) -> public.t.a",
    },
    Kind {
        name: "enum label order",
        setup: "CREATE TYPE mood AS ENUM ('sad', 'ok');",
        change: "ALTER TYPE mood ADD VALUE 'happy' BEFORE 'ok'",
        expect: "type public.mood: labels [\"sad\",\"ok\"] -> [\"sad\",\"happy\",\"ok\"]",
    },
    Kind {
        name: "composite type attribute",
        setup: "CREATE TYPE pair AS (a int);",
        change: "ALTER TYPE pair ADD ATTRIBUTE b text",
        expect: "composite type column public.pair.b: unexpected",
    },
    Kind { name: "domain default", setup: "CREATE DOMAIN d AS int DEFAULT 1;", change: "ALTER DOMAIN d SET DEFAULT 2", expect: "type public.d: default 1 -> 2" },
    Kind { name: "domain not null", setup: "CREATE DOMAIN d AS int;", change: "ALTER DOMAIN d SET NOT NULL", expect: "type public.d: not null false -> true" },
    Kind {
        name: "domain constraint",
        setup: "CREATE DOMAIN d AS int CONSTRAINT d_positive CHECK (VALUE > 0);",
        change: "ALTER DOMAIN d DROP CONSTRAINT d_positive",
        expect: "domain constraint d_positive on public.d: missing",
    },
    Kind { name: "range type", setup: "", change: "CREATE TYPE floatrange AS RANGE (subtype = float8)", expect: "type public.floatrange: unexpected" },
    Kind {
        name: "function body",
        setup: "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT 1';",
        change: "CREATE OR REPLACE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT 2'",
        expect: "function public.f(integer): definition",
    },
    Kind {
        name: "function overload",
        setup: "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT 1';",
        change: "CREATE FUNCTION f(text) RETURNS int LANGUAGE sql AS 'SELECT 1'",
        expect: "function public.f(pg_catalog.text): unexpected",
    },
    Kind { name: "procedure", setup: "", change: "CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1'", expect: "procedure public.p(): unexpected" },
    Kind {
        name: "trigger definition",
        setup: "CREATE TABLE t (a int); CREATE TRIGGER tg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();",
        change: "DROP TRIGGER tg ON t; CREATE TRIGGER tg BEFORE UPDATE OF a ON t FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()",
        expect: "trigger tg on public.t: definition",
    },
    Kind {
        name: "trigger enabled state",
        setup: "CREATE TABLE t (a int); CREATE TRIGGER tg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();",
        change: "ALTER TABLE t DISABLE TRIGGER tg",
        expect: "trigger tg on public.t: enabled O -> D",
    },
    Kind {
        name: "policy",
        setup: "CREATE TABLE t (a int); CREATE POLICY p ON t USING (a > 0);",
        change: "ALTER POLICY p ON t USING (a > 1)",
        expect: "policy p on public.t: using (a > 0) -> (a > 1)",
    },
    Kind {
        name: "rule",
        setup: "CREATE TABLE t (a int); CREATE RULE r AS ON DELETE TO t DO INSTEAD NOTHING;",
        change: "ALTER TABLE t DISABLE RULE r",
        expect: "rule r on public.t: enabled O -> D",
    },
    Kind { name: "extension", setup: "", change: "CREATE EXTENSION pg_trgm", expect: "extension pg_trgm: unexpected" },
    Kind {
        name: "extension schema",
        setup: "CREATE SCHEMA ext; CREATE EXTENSION pg_trgm;",
        change: "ALTER EXTENSION pg_trgm SET SCHEMA ext",
        expect: "extension pg_trgm: schema public -> ext",
    },
    Kind { name: "schema", setup: "", change: "CREATE SCHEMA app", expect: "schema app: unexpected" },
    Kind { name: "collation", setup: "", change: "CREATE COLLATION c_copy FROM \"C\"", expect: "collation public.c_copy: unexpected" },
    Kind {
        name: "statistics object",
        setup: "CREATE TABLE t (a int, b int); CREATE STATISTICS st ON a, b FROM t;",
        change: "ALTER STATISTICS st SET STATISTICS 50",
        expect: "statistics object public.st: statistics target",
    },
    Kind { name: "comment on a table", setup: T, change: "COMMENT ON TABLE t IS 'items'", expect: "table public.t: comment (none) -> items" },
    Kind { name: "comment on a column", setup: T, change: "COMMENT ON COLUMN t.a IS 'the a'", expect: "table column public.t.a: comment (none) -> the a" },
    Kind {
        name: "comment on an index",
        setup: "CREATE TABLE t (a int); CREATE INDEX t_idx ON t (a);",
        change: "COMMENT ON INDEX t_idx IS 'fast'",
        expect: "index public.t_idx: comment (none) -> fast",
    },
    Kind {
        name: "comment on a constraint",
        setup: "CREATE TABLE t (a int CONSTRAINT a_positive CHECK (a > 0));",
        change: "COMMENT ON CONSTRAINT a_positive ON t IS 'why'",
        expect: "table constraint a_positive on public.t: comment (none) -> why",
    },
    Kind { name: "comment on a type", setup: "CREATE TYPE mood AS ENUM ('sad');", change: "COMMENT ON TYPE mood IS 'feelings'", expect: "type public.mood: comment (none) -> feelings" },
    Kind { name: "comment on a schema", setup: "", change: "COMMENT ON SCHEMA public IS 'mine'", expect: "schema public: comment standard public schema -> mine" },
    Kind {
        name: "comment on a function",
        setup: "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        change: "COMMENT ON FUNCTION f() IS 'one'",
        expect: "function public.f(): comment (none) -> one",
    },
    Kind {
        name: "comment on a trigger",
        setup: "CREATE TABLE t (a int); CREATE TRIGGER tg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();",
        change: "COMMENT ON TRIGGER tg ON t IS 'skip'",
        expect: "trigger tg on public.t: comment (none) -> skip",
    },
    Kind {
        name: "comment on a policy",
        setup: "CREATE TABLE t (a int); CREATE POLICY p ON t USING (true);",
        change: "COMMENT ON POLICY p ON t IS 'all'",
        expect: "policy p on public.t: comment (none) -> all",
    },
    Kind { name: "table privileges", setup: T, change: "GRANT SELECT ON t TO snapshot_reader", expect: "table public.t: privileges" },
    Kind { name: "column privileges", setup: T, change: "GRANT UPDATE (a) ON t TO snapshot_reader", expect: "table column public.t.a: privileges (none) -> [\"snapshot_reader UPDATE (granted by" },
    Kind { name: "schema privileges", setup: "", change: "REVOKE USAGE ON SCHEMA public FROM PUBLIC", expect: "schema public: privileges" },
    Kind {
        name: "function privileges",
        setup: "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        change: "REVOKE EXECUTE ON FUNCTION f() FROM PUBLIC",
        expect: "function public.f(): privileges",
    },
    Kind { name: "type privileges", setup: "CREATE TYPE mood AS ENUM ('sad');", change: "REVOKE USAGE ON TYPE mood FROM PUBLIC", expect: "type public.mood: privileges" },
    Kind { name: "sequence privileges", setup: "CREATE SEQUENCE s;", change: "GRANT USAGE ON SEQUENCE s TO snapshot_reader", expect: "sequence public.s: privileges" },
    Kind {
        name: "default privileges",
        setup: "",
        change: "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO snapshot_reader",
        expect: "default acl for role ",
    },
    Kind { name: "table owner", setup: T, change: "ALTER TABLE t OWNER TO snapshot_owner", expect: "table public.t: owner " },
    Kind { name: "schema owner", setup: "CREATE SCHEMA app;", change: "ALTER SCHEMA app OWNER TO snapshot_owner", expect: "schema app: owner " },
    Kind {
        name: "function owner",
        setup: "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        change: "ALTER FUNCTION f() OWNER TO snapshot_owner",
        expect: "function public.f(): owner ",
    },
    Kind { name: "type owner", setup: "CREATE TYPE mood AS ENUM ('sad');", change: "ALTER TYPE mood OWNER TO snapshot_owner", expect: "type public.mood: owner " },
    Kind {
        name: "text search configuration",
        setup: "CREATE TEXT SEARCH CONFIGURATION ts (COPY = english);",
        change: "ALTER TEXT SEARCH CONFIGURATION ts DROP MAPPING FOR email",
        expect: "text search configuration public.ts: mappings",
    },
    Kind {
        name: "operator",
        setup: "",
        change: "CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq)",
        expect: "operator public.===(integer,integer): unexpected",
    },
    Kind { name: "cast", setup: "CREATE TYPE mood AS ENUM ('sad');", change: "CREATE CAST (mood AS text) WITH INOUT", expect: "cast (public.mood AS pg_catalog.text): unexpected" },
    Kind {
        name: "quoted names",
        setup: "CREATE SCHEMA \"My App\"; CREATE TABLE \"My App\".\"Order\" (\"User Id\" int);",
        change: "ALTER TABLE \"My App\".\"Order\" ALTER \"User Id\" SET NOT NULL",
        expect: "table column \"My App\".\"Order\".\"User Id\": not null false -> true",
    },
];

/// Kinds the comparison once missed (issue 15): each must be reported.
/// Publication syntax new in PostgreSQL 15.
const ONCE_MISSED_SINCE_15: &[Kind] = &[
    Kind {
        name: "publication row filter",
        setup: "CREATE TABLE t (a int, b int); CREATE PUBLICATION pub FOR TABLE t;",
        change: "ALTER PUBLICATION pub SET TABLE t WHERE (a > 0)",
        expect: "publication pub: tables [\"public.t\"] -> [\"public.t WHERE (a > 0)\"]",
    },
    Kind {
        name: "publication column list",
        setup: "CREATE TABLE t (a int, \"B c\" int); CREATE PUBLICATION pub FOR TABLE t;",
        change: "ALTER PUBLICATION pub SET TABLE t (a, \"B c\")",
        expect: "publication pub: tables [\"public.t\"] -> [\"public.t (a, \\\"B c\\\")\"]",
    },
    Kind {
        name: "publication TABLES IN SCHEMA",
        setup: "CREATE SCHEMA app; CREATE PUBLICATION pub;",
        change: "ALTER PUBLICATION pub ADD TABLES IN SCHEMA app",
        expect: "publication pub: schemas (none) -> [\"app\"]",
    },
];

/// PostgreSQL 14 renames a partition's copy of a trigger apart from the parent's (15 refuses to).
const ONCE_MISSED_UNTIL_14: &[Kind] = &[Kind {
    name: "trigger copy on a sub-partition renamed",
    setup: PARTITIONED_TRIGGER,
    change: "ALTER TRIGGER tg ON p21 RENAME TO \"Other tg\"",
    expect: "trigger tg on public.p: on partitions named otherwise (none) -> [\"public.p21 \\\"Other tg\\\"\"]",
}];

const ONCE_MISSED: &[Kind] = &[
    Kind {
        name: "foreign-key triggers disabled on the referencing table",
        setup: FK,
        change: "ALTER TABLE t DISABLE TRIGGER ALL",
        expect: "table constraint t_r_fk on public.t: internal triggers not enabled (none) -> [\"public.t \\\"RI_FKey_check_",
    },
    Kind {
        name: "foreign-key triggers disabled on the referenced table",
        setup: FK,
        change: "ALTER TABLE r DISABLE TRIGGER ALL",
        expect: "table constraint t_r_fk on public.t: internal triggers not enabled (none) -> [\"public.r \\\"RI_FKey_noaction_",
    },
    Kind {
        name: "foreign-key triggers disabled on a partition of the referenced table",
        setup: FK_TO_PARTITIONED,
        change: "ALTER TABLE r21 DISABLE TRIGGER ALL",
        expect: "table constraint t_r_fk on public.t: internal triggers not enabled (none) -> [\"public.r21 \\\"RI_FKey_noaction_",
    },
    Kind {
        name: "deferred unique check trigger disabled",
        setup: "CREATE TABLE t (a int CONSTRAINT t_a_key UNIQUE DEFERRABLE);",
        change: "ALTER TABLE t DISABLE TRIGGER ALL",
        expect: "table constraint t_a_key on public.t: internal triggers not enabled (none) -> [\"public.t unique_key_recheck D\"]",
    },
    Kind {
        name: "trigger a partition inherited, disabled",
        setup: PARTITIONED_TRIGGER,
        change: "ALTER TABLE p1 DISABLE TRIGGER tg",
        expect: "trigger tg on public.p: on partitions not enabled (none) -> [\"public.p1 D\"]",
    },
    Kind {
        name: "trigger a sub-partition inherited, set to fire always",
        setup: PARTITIONED_TRIGGER,
        change: "ALTER TABLE p21 ENABLE ALWAYS TRIGGER tg",
        expect: "trigger tg on public.p: on partitions not enabled (none) -> [\"public.p21 A\"]",
    },
    Kind {
        name: "privileges on a built-in function",
        setup: "",
        change: "GRANT EXECUTE ON FUNCTION pg_catalog.pg_read_file(text) TO snapshot_reader",
        expect: "function pg_catalog.pg_read_file(pg_catalog.text): unexpected",
    },
    Kind {
        name: "privileges revoked on a built-in function",
        setup: "",
        change: "REVOKE EXECUTE ON FUNCTION pg_catalog.now() FROM PUBLIC",
        expect: "function pg_catalog.now(): unexpected",
    },
    Kind {
        name: "privileges on a system catalog",
        setup: "",
        change: "REVOKE SELECT ON pg_catalog.pg_proc FROM PUBLIC",
        expect: "table pg_catalog.pg_proc: unexpected",
    },
    Kind {
        name: "privileges on a built-in type",
        setup: "",
        change: "REVOKE USAGE ON TYPE pg_catalog.int4 FROM PUBLIC",
        expect: "type integer: unexpected",
    },
    Kind {
        name: "privileges on information_schema",
        setup: "",
        change: "GRANT CREATE ON SCHEMA information_schema TO snapshot_reader",
        expect: "schema information_schema: unexpected",
    },
    Kind {
        name: "privileges on an information_schema view",
        setup: "",
        change: "REVOKE SELECT ON information_schema.tables FROM PUBLIC",
        expect: "view information_schema.tables: unexpected",
    },
    Kind {
        name: "privileges on an extension member",
        setup: "CREATE EXTENSION pg_trgm;",
        change: "REVOKE EXECUTE ON FUNCTION similarity(text, text) FROM PUBLIC",
        expect: "function public.similarity(pg_catalog.text,pg_catalog.text): privileges",
    },
    Kind { name: "privileges on a built-in language", setup: "", change: "REVOKE USAGE ON LANGUAGE plpgsql FROM PUBLIC", expect: "language plpgsql: privileges" },
    Kind { name: "privileges on language sql", setup: "", change: "REVOKE USAGE ON LANGUAGE sql FROM PUBLIC", expect: "language sql: privileges" },
    Kind {
        name: "GRANT ON DATABASE",
        setup: "",
        change: "DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO snapshot_reader', current_database()); END $$",
        expect: "database current database: privileges",
    },
    Kind {
        name: "ALTER DATABASE SET",
        setup: "",
        change: "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET work_mem = ''8MB''', current_database()); END $$",
        expect: "database current database: settings (none) -> [\"work_mem=8MB\"]",
    },
    Kind {
        name: "ALTER ROLE IN DATABASE SET",
        setup: "",
        change: "DO $$ BEGIN EXECUTE format('ALTER ROLE snapshot_reader IN DATABASE %I SET work_mem = ''8MB''', current_database()); END $$",
        expect: "database current database: role settings (none) -> [\"snapshot_reader: work_mem=8MB\"]",
    },
    Kind {
        name: "comment on the database",
        setup: "",
        change: "DO $$ BEGIN EXECUTE format('COMMENT ON DATABASE %I IS ''mine''', current_database()); END $$",
        expect: "database current database: comment (none) -> mine",
    },
    Kind {
        name: "database owner",
        setup: "",
        change: "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I OWNER TO snapshot_owner', current_database()); END $$",
        expect: "database current database: owner ",
    },
    Kind {
        name: "database connection limit",
        setup: "",
        change: "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I CONNECTION LIMIT 50', current_database()); END $$",
        expect: "database current database: connection limit -1 -> 50",
    },
    Kind {
        name: "aggregate PARALLEL",
        setup: AGGREGATE,
        change: "CREATE OR REPLACE AGGREGATE agg(int) (SFUNC = int4pl, STYPE = int, PARALLEL = SAFE)",
        expect: "aggregate public.agg(integer): aggregate ",
    },
    Kind {
        name: "aggregate moving-aggregate functions",
        setup: AGGREGATE,
        change: "CREATE OR REPLACE AGGREGATE agg(int) (SFUNC = int4pl, STYPE = int, MSFUNC = int4pl, MINVFUNC = int4mi, MSTYPE = int)",
        expect: "aggregate public.agg(integer): aggregate ",
    },
    Kind {
        name: "aggregate SSPACE",
        setup: AGGREGATE,
        change: "CREATE OR REPLACE AGGREGATE agg(int) (SFUNC = int4pl, STYPE = int, SSPACE = 100)",
        expect: "aggregate public.agg(integer): aggregate ",
    },
    Kind {
        name: "aggregate final function modify",
        setup: "CREATE AGGREGATE agg(int) (SFUNC = int4pl, STYPE = int, FINALFUNC = abs);",
        change: "CREATE OR REPLACE AGGREGATE agg(int) (SFUNC = int4pl, STYPE = int, FINALFUNC = abs, FINALFUNC_MODIFY = READ_WRITE)",
        expect: "aggregate public.agg(integer): aggregate ",
    },
    Kind {
        name: "user mapping options",
        setup: USER_MAPPING,
        change: "ALTER USER MAPPING FOR PUBLIC SERVER s OPTIONS (SET password 'secret-two')",
        expect: "user mapping public on server s: options hash ",
    },
    Kind {
        name: "user mapping option names",
        setup: USER_MAPPING,
        change: "ALTER USER MAPPING FOR PUBLIC SERVER s OPTIONS (ADD sslkey 'secret-key')",
        expect: "user mapping public on server s: option names [\"password\",\"user\"] -> [\"password\",\"sslkey\",\"user\"]",
    },
    Kind {
        name: "user mapping",
        setup: USER_MAPPING,
        change: "CREATE USER MAPPING FOR snapshot_reader SERVER s",
        expect: "user mapping snapshot_reader on server s: unexpected",
    },
    Kind {
        name: "extension member changed",
        setup: "CREATE EXTENSION pg_trgm;",
        change: "COMMENT ON FUNCTION similarity(text, text) IS 'changed'",
        expect: "function public.similarity(pg_catalog.text,pg_catalog.text): comment ",
    },
    Kind {
        name: "extension member redefined",
        setup: "CREATE EXTENSION pg_trgm;",
        change: "ALTER FUNCTION similarity(text, text) COST 5",
        expect: "function public.similarity(pg_catalog.text,pg_catalog.text): definition ",
    },
    Kind {
        name: "extension member removed from the extension",
        setup: "CREATE EXTENSION pg_trgm;",
        change: "ALTER EXTENSION pg_trgm DROP FUNCTION similarity(text, text)",
        expect: "function public.similarity(pg_catalog.text,pg_catalog.text): extension pg_trgm -> (none)",
    },
    Kind {
        name: "DEPENDS ON EXTENSION",
        setup: "CREATE EXTENSION pg_trgm; CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        change: "ALTER FUNCTION f() DEPENDS ON EXTENSION pg_trgm",
        expect: "function public.f(): depends on extensions (none) -> [\"pg_trgm\"]",
    },
    Kind {
        name: "index DEPENDS ON EXTENSION",
        setup: "CREATE EXTENSION pg_trgm; CREATE TABLE t (a int); CREATE INDEX t_idx ON t (a);",
        change: "ALTER INDEX t_idx DEPENDS ON EXTENSION pg_trgm",
        expect: "index public.t_idx: depends on extensions (none) -> [\"pg_trgm\"]",
    },
    Kind {
        name: "typed table NOT OF",
        setup: "CREATE TYPE pair AS (a int); CREATE TABLE t OF pair;",
        change: "ALTER TABLE t NOT OF",
        expect: "table public.t: of type public.pair -> (none)",
    },
    Kind {
        name: "typed table OF",
        setup: "CREATE TYPE pair AS (a int); CREATE TABLE t (a int);",
        change: "ALTER TABLE t OF pair",
        expect: "table public.t: of type (none) -> public.pair",
    },
    Kind { name: "large object", setup: "", change: "SELECT lo_create(4242)", expect: "large object 4242: unexpected" },
    Kind { name: "large object removed", setup: "SELECT lo_create(4242);", change: "SELECT lo_unlink(4242)", expect: "large object 4242: missing" },
    Kind {
        name: "large object owner",
        setup: "SELECT lo_create(4242);",
        change: "ALTER LARGE OBJECT 4242 OWNER TO snapshot_owner",
        expect: "large object 4242: owner ",
    },
    Kind {
        name: "large object privileges",
        setup: "SELECT lo_create(4242);",
        change: "GRANT SELECT ON LARGE OBJECT 4242 TO snapshot_reader",
        expect: "large object 4242: privileges ",
    },
    Kind {
        name: "column compression",
        setup: T,
        change: "ALTER TABLE t ALTER c SET COMPRESSION pglz",
        expect: "table column public.t.c: compression (none) -> p",
    },
    Kind {
        name: "toast options",
        setup: T,
        change: "ALTER TABLE t SET (toast.autovacuum_enabled = false)",
        expect: "table public.t: toast options (none) -> [\"autovacuum_enabled=false\"]",
    },
    Kind {
        name: "base type storage",
        setup: BASE_TYPE,
        change: "ALTER TYPE b SET (STORAGE = external)",
        expect: "type public.b: base type options ",
    },
    Kind {
        name: "base type send function",
        setup: BASE_TYPE,
        change: "CREATE FUNCTION b_send(b) RETURNS bytea AS 'textsend' LANGUAGE internal STRICT IMMUTABLE; ALTER TYPE b SET (SEND = b_send)",
        expect: "type public.b: base type options ",
    },
    Kind { name: "shell type", setup: "", change: "CREATE TYPE sh", expect: "type public.sh: unexpected" },
    Kind {
        name: "shell type defined",
        setup: "CREATE TYPE b;",
        change: BASE_TYPE_DEFINED,
        expect: "type public.b: base type options ",
    },
    Kind {
        name: "access method",
        setup: "",
        change: "CREATE ACCESS METHOD heap2 TYPE TABLE HANDLER heap_tableam_handler",
        expect: "access method heap2: unexpected",
    },
    Kind {
        name: "transform",
        setup: "",
        change: "CREATE TRANSFORM FOR int LANGUAGE sql (FROM SQL WITH FUNCTION prsd_lextype(internal))",
        expect: "language sql: unexpected",
    },
    Kind {
        name: "comment on a language",
        setup: "",
        change: "COMMENT ON LANGUAGE plpgsql IS 'mine'",
        expect: "language plpgsql: comment PL/pgSQL procedural language -> mine",
    },
    Kind {
        name: "comment on a built-in function",
        setup: "",
        change: "COMMENT ON FUNCTION pg_catalog.now() IS 'mine'",
        expect: "comments on built-in objects pg_proc: digest ",
    },
    Kind {
        name: "comment on a built-in type",
        setup: "",
        change: "COMMENT ON TYPE pg_catalog.int4 IS NULL",
        expect: "comments on built-in objects pg_type: count ",
    },
    Kind {
        name: "security label",
        setup: T,
        change: "INSERT INTO pg_seclabel VALUES ('public.t'::regclass, 'pg_class'::regclass, 0, 'selinux', 'system_u:object_r:sepgsql_table_t:s0')",
        expect: "table public.t: security labels (none) -> [\"selinux: system_u:object_r:sepgsql_table_t:s0\"]",
    },
    Kind {
        name: "security label on a column",
        setup: T,
        change: "INSERT INTO pg_seclabel VALUES ('public.t'::regclass, 'pg_class'::regclass, 1, 'selinux', 'x')",
        expect: "table column public.t.a: security labels (none) -> [\"selinux: x\"]",
    },
];

const FK: &str = "CREATE TABLE r (id int PRIMARY KEY); CREATE TABLE t (r int CONSTRAINT t_r_fk REFERENCES r);";
const FK_TO_PARTITIONED: &str = "CREATE TABLE r (id int PRIMARY KEY) PARTITION BY RANGE (id);
    CREATE TABLE r1 PARTITION OF r FOR VALUES FROM (0) TO (10);
    CREATE TABLE r2 PARTITION OF r FOR VALUES FROM (10) TO (20) PARTITION BY RANGE (id);
    CREATE TABLE r21 PARTITION OF r2 FOR VALUES FROM (10) TO (15);
    CREATE TABLE t (r int CONSTRAINT t_r_fk REFERENCES r);";
const PARTITIONED_TRIGGER: &str = "CREATE TABLE p (a int) PARTITION BY RANGE (a);
    CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);
    CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (10) TO (20) PARTITION BY RANGE (a);
    CREATE TABLE p21 PARTITION OF p2 FOR VALUES FROM (10) TO (15);
    CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();";
const AGGREGATE: &str = "CREATE AGGREGATE agg(int) (SFUNC = int4pl, STYPE = int);";
const USER_MAPPING: &str = "CREATE FOREIGN DATA WRAPPER w; CREATE SERVER s FOREIGN DATA WRAPPER w;
    CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (user 'app', password 'secret-one');";
const BASE_TYPE: &str = "CREATE TYPE b;
    CREATE FUNCTION b_in(cstring) RETURNS b AS 'textin' LANGUAGE internal STRICT IMMUTABLE;
    CREATE FUNCTION b_out(b) RETURNS cstring AS 'textout' LANGUAGE internal STRICT IMMUTABLE;
    CREATE TYPE b (INPUT = b_in, OUTPUT = b_out, INTERNALLENGTH = VARIABLE, CATEGORY = 'S');";
const BASE_TYPE_DEFINED: &str =
    "CREATE FUNCTION b_in(cstring) RETURNS b AS 'textin' LANGUAGE internal STRICT IMMUTABLE;
    CREATE FUNCTION b_out(b) RETURNS cstring AS 'textout' LANGUAGE internal STRICT IMMUTABLE;
    CREATE TYPE b (INPUT = b_in, OUTPUT = b_out, INTERNALLENGTH = VARIABLE, CATEGORY = 'S');";

/// Equal schemas that PostgreSQL stores differently: option lists in another order, generated names.
const SAME_SCHEMA_STORED_DIFFERENTLY: &[(&str, &str, &str)] = &[
    (
        "table options re-set",
        "CREATE TABLE t (a int) WITH (fillfactor = 70, autovacuum_enabled = false);",
        "ALTER TABLE t RESET (fillfactor); ALTER TABLE t SET (fillfactor = 70)",
    ),
    (
        "toast options re-set",
        "CREATE TABLE t (a text) WITH (toast.autovacuum_enabled = false, toast.vacuum_truncate = false);",
        "ALTER TABLE t RESET (toast.autovacuum_enabled); ALTER TABLE t SET (toast.autovacuum_enabled = false)",
    ),
    (
        "column options re-set",
        "CREATE TABLE t (a int); ALTER TABLE t ALTER a SET (n_distinct = 5, n_distinct_inherited = 3);",
        "ALTER TABLE t ALTER a RESET (n_distinct); ALTER TABLE t ALTER a SET (n_distinct = 5)",
    ),
    (
        "view options re-set",
        "CREATE TABLE t (x int); CREATE VIEW v WITH (security_barrier = true, check_option = local) AS SELECT x FROM t;",
        "ALTER VIEW v RESET (security_barrier); ALTER VIEW v SET (security_barrier = true)",
    ),
    (
        "index options re-set",
        "CREATE TABLE t (a int); CREATE INDEX t_idx ON t (a) WITH (fillfactor = 70, deduplicate_items = off);",
        "ALTER INDEX t_idx RESET (fillfactor); ALTER INDEX t_idx SET (fillfactor = 70)",
    ),
    (
        "primary key index options re-set",
        "CREATE TABLE t (a int, CONSTRAINT t_pk PRIMARY KEY (a) WITH (fillfactor = 70, deduplicate_items = off));",
        "ALTER INDEX t_pk RESET (fillfactor); ALTER INDEX t_pk SET (fillfactor = 70)",
    ),
    (
        "function SET clauses re-set",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET work_mem = '8MB' SET search_path = public AS 'SELECT 1';",
        "ALTER FUNCTION f() RESET work_mem; ALTER FUNCTION f() SET work_mem = '8MB'",
    ),
    (
        "foreign-data wrapper, server, foreign table, column and user mapping options re-added",
        "CREATE FOREIGN DATA WRAPPER w OPTIONS (a '1', b '2'); CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (a '1', b '2');
         CREATE FOREIGN TABLE ft (c int OPTIONS (a '1', b '2')) SERVER s OPTIONS (a '1', b '2');
         CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (a '1', b '2');",
        "ALTER FOREIGN DATA WRAPPER w OPTIONS (DROP a); ALTER FOREIGN DATA WRAPPER w OPTIONS (ADD a '1');
         ALTER SERVER s OPTIONS (DROP a); ALTER SERVER s OPTIONS (ADD a '1');
         ALTER FOREIGN TABLE ft OPTIONS (DROP a); ALTER FOREIGN TABLE ft OPTIONS (ADD a '1');
         ALTER FOREIGN TABLE ft ALTER c OPTIONS (DROP a); ALTER FOREIGN TABLE ft ALTER c OPTIONS (ADD a '1');
         ALTER USER MAPPING FOR PUBLIC SERVER s OPTIONS (DROP a); ALTER USER MAPPING FOR PUBLIC SERVER s OPTIONS (ADD a '1')",
    ),
    (
        "foreign-key copies renamed by a new attach order",
        FK_TO_PARTITIONED,
        "ALTER TABLE r DETACH PARTITION r1; ALTER TABLE r DETACH PARTITION r2;
         ALTER TABLE r ATTACH PARTITION r2 FOR VALUES FROM (10) TO (20); ALTER TABLE r ATTACH PARTITION r1 FOR VALUES FROM (0) TO (10)",
    ),
    (
        "foreign-key triggers disabled and enabled again",
        FK_TO_PARTITIONED,
        "ALTER TABLE t DISABLE TRIGGER ALL; ALTER TABLE r21 DISABLE TRIGGER ALL;
         ALTER TABLE t ENABLE TRIGGER ALL; ALTER TABLE r21 ENABLE TRIGGER ALL",
    ),
    (
        "partition trigger disabled and enabled again",
        PARTITIONED_TRIGGER,
        "ALTER TABLE p21 DISABLE TRIGGER tg; ALTER TABLE p21 ENABLE TRIGGER tg",
    ),
    (
        "built-in privileges granted and revoked",
        "",
        "GRANT EXECUTE ON FUNCTION pg_catalog.pg_read_file(text) TO snapshot_reader;
         REVOKE EXECUTE ON FUNCTION pg_catalog.pg_read_file(text) FROM snapshot_reader;
         REVOKE SELECT ON information_schema.tables FROM PUBLIC; GRANT SELECT ON information_schema.tables TO PUBLIC;
         REVOKE USAGE ON LANGUAGE plpgsql FROM PUBLIC; GRANT USAGE ON LANGUAGE plpgsql TO PUBLIC",
    ),
    (
        "database privileges and settings restored",
        "",
        "DO $$ BEGIN
           EXECUTE format('GRANT CREATE ON DATABASE %I TO snapshot_reader', current_database());
           EXECUTE format('REVOKE CREATE ON DATABASE %I FROM snapshot_reader', current_database());
           EXECUTE format('ALTER DATABASE %I SET work_mem = ''8MB''', current_database());
           EXECUTE format('ALTER DATABASE %I RESET work_mem', current_database());
         END $$",
    ),
    ("large object created and removed", "", "SELECT lo_unlink(lo_create(4243))"),
    (
        "built-in comment restored",
        "",
        "COMMENT ON FUNCTION pg_catalog.now() IS 'mine'; COMMENT ON FUNCTION pg_catalog.now() IS 'current transaction time'",
    ),
];

/// Changes that must NOT be reported: noise, and exact restores.
const SAME_SCHEMA: &[(&str, &str, &str)] = &[
    ("sequence value", "CREATE SEQUENCE s;", "SELECT nextval('s'); SELECT setval('s', 42)"),
    ("statistics", "CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 100);", "ANALYZE t"),
    ("rows", "CREATE TABLE t (a int);", "INSERT INTO t VALUES (1), (2)"),
    ("dropped column slot", T, "ALTER TABLE t ADD COLUMN d int; ALTER TABLE t DROP COLUMN d"),
    (
        "internal triggers of a foreign key, restored",
        "CREATE TABLE r (id int PRIMARY KEY); CREATE TABLE t (r int CONSTRAINT t_r_fk REFERENCES r);",
        "ALTER TABLE t DROP CONSTRAINT t_r_fk; ALTER TABLE t ADD CONSTRAINT t_r_fk FOREIGN KEY (r) REFERENCES r",
    ),
    (
        "default restored",
        "CREATE TABLE t (a text DEFAULT 'guest');",
        "ALTER TABLE t ALTER a SET DEFAULT 'anon'; ALTER TABLE t ALTER a SET DEFAULT 'guest'",
    ),
    (
        "explicit privileges equal to the defaults",
        T,
        "GRANT SELECT ON t TO snapshot_reader; REVOKE SELECT ON t FROM snapshot_reader",
    ),
    (
        "index dropped and created again",
        "CREATE TABLE t (a int); CREATE INDEX t_idx ON t (a);",
        "DROP INDEX t_idx; CREATE INDEX t_idx ON t (a)",
    ),
    (
        "enum created again",
        "CREATE TYPE mood AS ENUM ('sad', 'ok'); COMMENT ON TYPE mood IS 'm';",
        "DROP TYPE mood; CREATE TYPE mood AS ENUM ('sad', 'ok'); COMMENT ON TYPE mood IS 'm'",
    ),
    (
        "Drizzle's bookkeeping",
        "",
        "CREATE SCHEMA drizzle; CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)",
    ),
    (
        "extension members",
        "CREATE EXTENSION pg_trgm;",
        "DROP EXTENSION pg_trgm; CREATE EXTENSION pg_trgm",
    ),
];

fn difference_texts(setup: &str, change: &str) -> Result<Vec<String>, String> {
    let db = common::fresh("snapshot");
    if !setup.is_empty() {
        db.run(setup).map_err(|e| format!("setup failed: {e}"))?;
    }
    let runtime = runtime();
    let before = runtime.block_on(catalog_snapshot(db.url())).map_err(|e| format!("snapshot failed: {e}"))?;
    db.run(change).map_err(|e| format!("change failed: {e}"))?;
    let after = runtime.block_on(catalog_snapshot(db.url())).map_err(|e| format!("snapshot failed: {e}"))?;
    Ok(compare_snapshots(&before, &after).iter().map(ToString::to_string).collect())
}

/// Each change must be reported by a difference that contains its expected text.
fn assert_reported(kinds: &[Kind]) {
    roles();
    let mut failures = Vec::new();
    for kind in kinds {
        match difference_texts(kind.setup, kind.change) {
            Ok(texts) if texts.iter().any(|t| t.contains(kind.expect)) => {}
            Ok(texts) => {
                failures.push(format!("{}: no difference contains {:?}; got {texts:#?}", kind.name, kind.expect))
            }
            Err(e) => failures.push(format!("{}: {e}", kind.name)),
        }
    }
    assert!(failures.is_empty(), "{} of {} kinds failed:\n{}", failures.len(), kinds.len(), failures.join("\n"));
}

/// Each (name, setup, change) leaves a schema that must compare equal to the one before.
fn assert_no_differences(cases: &[(&str, &str, &str)]) {
    roles();
    let mut failures = Vec::new();
    for (name, setup, change) in cases {
        match difference_texts(setup, change) {
            Ok(texts) if texts.is_empty() => {}
            Ok(texts) => failures.push(format!("{name}: reported {texts:#?}")),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn roles() {
    common::fresh("roles").run(ROLES).expect("creating the test roles");
}

#[test]
fn every_kind_of_difference_is_reported_naming_the_object() {
    assert_reported(KINDS);
}

#[test]
fn noise_and_exact_restores_are_not_differences() {
    assert_no_differences(SAME_SCHEMA);
}

#[test]
fn every_kind_once_missed_is_reported_naming_the_object() {
    assert_reported(ONCE_MISSED);
    if testpg::server().major() >= 15 {
        assert_reported(ONCE_MISSED_SINCE_15);
    } else {
        assert_reported(ONCE_MISSED_UNTIL_14);
    }
}

#[test]
fn equal_schemas_stored_differently_are_not_differences() {
    assert_no_differences(SAME_SCHEMA_STORED_DIFFERENTLY);
}

#[test]
fn user_mapping_secrets_are_never_in_a_snapshot_nor_a_difference() {
    roles();
    let db = common::fresh("snapshot");
    db.run(USER_MAPPING).unwrap();
    let runtime = runtime();
    let before = runtime.block_on(catalog_snapshot(db.url())).unwrap();
    db.run("ALTER USER MAPPING FOR PUBLIC SERVER s OPTIONS (SET password 'secret-two')").unwrap();
    let after = runtime.block_on(catalog_snapshot(db.url())).unwrap();
    let texts: Vec<String> = compare_snapshots(&before, &after).iter().map(ToString::to_string).collect();
    assert_eq!(texts.len(), 1, "{texts:#?}");
    assert!(texts[0].starts_with("user mapping public on server s: options hash "), "{texts:#?}");
    for snapshot in [&before, &after] {
        let text = serde_json::to_string(snapshot).unwrap();
        assert!(text.contains(r#""option names":["password","user"]"#), "the options' names are shown: {text}");
        assert!(!text.contains("secret-") && !text.contains("\"app\""), "an option value is shown: {text}");
    }
    assert!(!texts[0].contains("secret-"), "{texts:#?}");
}

#[test]
fn a_snapshot_is_plain_json_that_compares_the_same_after_a_round_trip() {
    let db = common::fresh("snapshot");
    db.run(
        "CREATE SEQUENCE s MINVALUE -9223372036854775808 MAXVALUE 9223372036854775807 START 9007199254740993;
         CREATE TABLE t (a bigint GENERATED ALWAYS AS IDENTITY, b int) WITH (fillfactor = 70);
         ALTER TABLE t ALTER b SET STATISTICS 500; SELECT lo_create(4294967295);",
    )
    .unwrap();
    let snapshot = runtime().block_on(catalog_snapshot(db.url())).unwrap();
    let text = serde_json::to_string(&snapshot).unwrap();
    assert!(text.contains("\"9223372036854775807\"") && text.contains("\"9007199254740993\""), "{text}");
    // Every number left is a 32-bit integer: exact in JavaScript, never a BigInt.
    fn numbers(v: &serde_json::Value, out: &mut Vec<serde_json::Number>) {
        match v {
            serde_json::Value::Number(n) => out.push(n.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|v| numbers(v, out)),
            serde_json::Value::Object(o) => o.values().for_each(|v| numbers(v, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    numbers(&serde_json::from_str(&text).unwrap(), &mut found);
    assert!(!found.is_empty());
    assert!(found.iter().all(|n| n.as_i64().is_some_and(|i| i32::try_from(i).is_ok())), "{found:?}");
    let back: pg_rollback_db::Snapshot = serde_json::from_str(&text).unwrap();
    assert_eq!(back, snapshot);
    assert!(compare_snapshots(&snapshot, &back).is_empty());
    assert!(compare_snapshots(&back, &runtime().block_on(catalog_snapshot(db.url())).unwrap()).is_empty());
}

#[test]
fn triggers_cloned_onto_partitions_are_one_difference() {
    let texts = difference_texts(
        "CREATE TABLE p (a int) PARTITION BY RANGE (a); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);",
        "CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()",
    )
    .unwrap();
    assert_eq!(texts, ["trigger tg on public.p: unexpected (it was not there before)"]);
}

#[test]
fn a_trigger_clone_in_a_state_of_its_own_two_levels_down_is_one_difference() {
    let texts = difference_texts(
        "CREATE TABLE p (a int) PARTITION BY RANGE (a);
         CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10) PARTITION BY RANGE (a);
         CREATE TABLE p11 PARTITION OF p1 FOR VALUES FROM (0) TO (5);
         CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();",
        "ALTER TABLE ONLY p11 DISABLE TRIGGER tg",
    )
    .unwrap();
    assert_eq!(texts, [r#"trigger tg on public.p: on partitions not enabled (none) -> ["public.p11 D"]"#]);
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn verify(
    db: &testpg::Database,
    sql: &str,
    rollback: Option<&str>,
) -> pg_rollback_db::Result<pg_rollback_db::VerifiedRollback> {
    let input = VerifyInput {
        sql: sql.into(),
        rollback_script: rollback.map(Into::into),
        timeouts: Timeouts { lock_timeout_ms: Some(5000), statement_timeout_ms: None },
        seed_rows: None,
    };
    runtime().block_on(verify_rollback(db.url(), &input))
}

/// The schema, to check that verify leaves it as it was: `pg_dump` where it is of the server's version,
/// else the catalog snapshot (the oracle on the other versions).
enum SchemaState {
    Dump(String),
    Catalog(pg_rollback_db::Snapshot),
}

fn schema_state(db: &testpg::Database) -> SchemaState {
    if testpg::server().has_pg_dump() {
        SchemaState::Dump(db.schema_dump().unwrap())
    } else {
        SchemaState::Catalog(runtime().block_on(catalog_snapshot(db.url())).unwrap())
    }
}

fn assert_unchanged(before: &SchemaState, db: &testpg::Database, what: &str) {
    match (before, schema_state(db)) {
        (SchemaState::Dump(a), SchemaState::Dump(b)) => assert_eq!(a, &b, "{what}"),
        (SchemaState::Catalog(a), SchemaState::Catalog(b)) => {
            let texts: Vec<String> = compare_snapshots(a, &b).iter().map(ToString::to_string).collect();
            assert!(texts.is_empty(), "{what}: {texts:#?}");
        }
        _ => unreachable!("one server, one kind of oracle"),
    }
}

const WISHLIST: &str = "CREATE TABLE wishlist_items (id int PRIMARY KEY, notes text DEFAULT 'none');";

#[test]
fn verify_rollback_proves_a_generated_rollback_and_changes_nothing() {
    let db = common::fresh("verify");
    db.run(WISHLIST).unwrap();
    let before = schema_state(&db);
    let migration = "ALTER TABLE wishlist_items ALTER notes SET DEFAULT 'empty'; CREATE INDEX items_notes ON wishlist_items (notes);";
    let v = verify(&db, migration, None).unwrap();
    assert!(v.restored, "{v:#?}");
    assert!(v.rollback_safe, "{v:#?}");
    assert!(v.differences.is_empty());
    let script = v.rollback_script.unwrap();
    assert!(script.contains("DEFAULT 'none'"), "{script}");
    assert_unchanged(&before, &db, "verifyRollback changed the database");
}

#[test]
fn verify_rollback_reports_what_a_wrong_hand_written_rollback_leaves() {
    let db = common::fresh("verify");
    db.run(WISHLIST).unwrap();
    let before = schema_state(&db);
    let migration = "ALTER TABLE wishlist_items ALTER notes SET DEFAULT 'empty'; CREATE INDEX items_notes ON wishlist_items (notes);";
    let v =
        verify(&db, migration, Some("DROP INDEX items_notes; ALTER TABLE wishlist_items ALTER notes DROP DEFAULT;"))
            .unwrap();
    assert!(!v.restored);
    let texts: Vec<String> = v.differences.iter().map(ToString::to_string).collect();
    assert_eq!(texts, ["table column public.wishlist_items.notes: default 'none'::text -> (none)"]);
    // A right one restores.
    let v = verify(
        &db,
        migration,
        Some("DROP INDEX items_notes; ALTER TABLE wishlist_items ALTER notes SET DEFAULT 'none';"),
    )
    .unwrap();
    assert!(v.restored, "{v:#?}");
    assert_unchanged(&before, &db, "verifyRollback changed the database");
}

#[test]
fn verify_rollback_reports_a_failing_rollback_with_what_the_migration_left() {
    let db = common::fresh("verify");
    db.run(WISHLIST).unwrap();
    let v =
        verify(&db, "CREATE INDEX items_notes ON wishlist_items (notes)", Some("DROP INDEX no_such_index")).unwrap();
    assert!(!v.restored);
    let failure = v.rollback_failure.unwrap();
    assert!(failure.contains("statement 1 of 1: DROP INDEX no_such_index") && failure.contains("42704"), "{failure}");
    let texts: Vec<String> = v.differences.iter().map(ToString::to_string).collect();
    assert_eq!(texts, ["index public.items_notes: unexpected (it was not there before)"]);
}

#[test]
fn verify_rollback_refuses_what_cannot_run_in_a_transaction_and_names_failing_statements() {
    let db = common::fresh("verify");
    db.run(WISHLIST).unwrap();
    let before = schema_state(&db);
    // CONCURRENTLY runs in its transactional form (tests/nontransactional.rs); DETACH ... CONCURRENTLY has none.
    let e = verify(&db, "ALTER TABLE wishlist_items DETACH PARTITION p1 CONCURRENTLY", None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotTransactional, "{e}");
    assert!(e.to_string().contains("statement 1 (line 1, column 1)"), "{e}");
    let e = verify(&db, "CREATE INDEX i ON wishlist_items (notes)", Some("DROP INDEX i;\nROLLBACK")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotTransactional, "{e}");
    let e = verify(&db, "ALTER TABLE wishlist_items ADD COLUMN x int;\nALTER TABLE nope ADD COLUMN y int;", None)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::MigrationFailed, "{e}");
    assert!(e.to_string().contains("statement 2 of 2 (line 2, column 1)") && e.to_string().contains("42P01"), "{e}");
    let e = verify(&db, "ALTER TABLE wishlist_items ADD COLUMN x int", Some("DROP COLUM x")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArgument, "{e}");
    let e = verify(&db, "CREATE TABL x ()", None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ParseError, "{e}");
    assert_unchanged(&before, &db, "a refused verification changed the database");
}

/// What the rollbacks of identity options, column settings, default privileges and comments put back.
const RESTORED_SETTINGS: &[Kind] = &[
    Kind {
        name: "kind of identity",
        setup: "CREATE TABLE t (a int GENERATED BY DEFAULT AS IDENTITY);",
        change: "ALTER TABLE t ALTER a SET GENERATED ALWAYS",
        expect: "table column public.t.a: identity d -> a",
    },
    Kind {
        name: "identity sequence options",
        setup: "CREATE TABLE t (a int GENERATED BY DEFAULT AS IDENTITY);",
        change: "ALTER TABLE t ALTER a SET INCREMENT BY 5",
        expect: "sequence public.t_a_seq: sequence",
    },
    Kind {
        name: "index column statistics target 0",
        setup: "CREATE TABLE t (v text); CREATE INDEX t_l ON t (lower(v));",
        change: "ALTER INDEX t_l ALTER COLUMN 1 SET STATISTICS 0",
        expect: "index public.t_l: statistics targets",
    },
    Kind {
        name: "column options",
        setup: T,
        change: "ALTER TABLE t ALTER a SET (n_distinct = 5)",
        expect: "table column public.t.a: options",
    },
    Kind {
        name: "comment on a large object",
        setup: "SELECT lo_create(4242);",
        change: "COMMENT ON LARGE OBJECT 4242 IS 'x'",
        expect: "large object 4242: comment",
    },
    Kind {
        name: "default privileges in a schema",
        setup: "CREATE SCHEMA s;",
        change: "ALTER DEFAULT PRIVILEGES IN SCHEMA s GRANT USAGE ON TYPES TO snapshot_reader",
        expect: "default acl for role ",
    },
    Kind {
        name: "comment on an operator family",
        setup: "CREATE OPERATOR FAMILY f USING btree;",
        change: "COMMENT ON OPERATOR FAMILY f USING btree IS 'x'",
        expect: "comment (none) -> x",
    },
];

#[test]
fn every_setting_a_rollback_restores_is_reported() {
    assert_reported(RESTORED_SETTINGS);
}
