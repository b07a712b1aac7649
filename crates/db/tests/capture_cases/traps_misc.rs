//! Issue 15, wrong SAFE rollbacks: DO blocks whose statements depend on each other, CASCADE dependents that are
//! not re-created, event triggers reacting to the migration, persistence of owned sequences, constraint index
//! options, ACL order, and rollbacks that fail (IF NOT EXISTS on another kind of relation, CREATE OR REPLACE
//! FUNCTION that changed its parameters). Traps: whatever the plan says, a rollback called safe must restore
//! the schema. Cases: the plan must say exactly this.
use super::{safe, unsafe_, Case, Trap};

const fn t(name: &'static str, setup: &'static str, migration: &'static str) -> Trap {
    super::trap(name, setup, migration)
}

pub const TRAPS: &[Trap] = &[
    // 1. Plain DO blocks: every statement's state was read before (or after) the whole block.
    t(
        "DO block: rename a column, then set its default under the new name",
        "CREATE TABLE t (a int DEFAULT 1);",
        "DO $$ BEGIN ALTER TABLE t RENAME COLUMN a TO b; ALTER TABLE t ALTER COLUMN b SET DEFAULT 5; END $$;",
    ),
    t(
        "DO block: add a constraint, then drop it",
        "CREATE TABLE t (n int);",
        "DO $$ BEGIN ALTER TABLE t ADD CONSTRAINT c CHECK (n > 0); ALTER TABLE t DROP CONSTRAINT c; END $$;",
    ),
    t(
        "DO block: drop a constraint, then add another of the same name (quoted, schema)",
        r#"CREATE SCHEMA "A b"; CREATE TABLE "A b"."T" (n int, CONSTRAINT "C x" CHECK (n > 0));"#,
        r#"DO $$ BEGIN ALTER TABLE "A b"."T" DROP CONSTRAINT "C x"; ALTER TABLE "A b"."T" ADD CONSTRAINT "C x" CHECK (n > 5) NOT VALID; END $$;"#,
    ),
    t(
        "DO block: unnamed index, then renamed (its name is read after the whole block)",
        "CREATE SCHEMA s; CREATE TABLE s.t (a int);",
        r#"DO $$ BEGIN CREATE INDEX ON s.t (a); ALTER INDEX s.t_a_idx RENAME TO "Q"; END $$;"#,
    ),
    t(
        "DO block: set a default twice, then drop it",
        "CREATE TABLE t (n int DEFAULT 1);",
        "DO $$ BEGIN ALTER TABLE t ALTER n SET DEFAULT 2; ALTER TABLE t ALTER n SET DEFAULT 3; ALTER TABLE t ALTER n DROP DEFAULT; END $$;",
    ),
    t(
        "DO block: rename a table, then comment on it, in nested blocks",
        "CREATE TABLE t (n int); COMMENT ON TABLE t IS 'old';",
        "DO $$ BEGIN BEGIN ALTER TABLE t RENAME TO u; END; COMMENT ON TABLE u IS 'new'; END $$;",
    ),
    t(
        "DO block guarded by duplicate_object: two statements on an existing table",
        "CREATE TABLE t (n int);",
        "DO $$ BEGIN ALTER TABLE t ADD CONSTRAINT p CHECK (n > 0); ALTER TABLE t DROP CONSTRAINT p; EXCEPTION WHEN duplicate_object THEN null; END $$;",
    ),
    t(
        "DO block: drop a not null, then set it again",
        "CREATE TABLE t (n int NOT NULL);",
        "DO $$ BEGIN ALTER TABLE t ALTER n DROP NOT NULL; ALTER TABLE t ALTER n SET NOT NULL; END $$;",
    ),
    t(
        "DO block: grant, then revoke",
        "CREATE TABLE t (n int);",
        "DO $$ BEGIN GRANT SELECT ON t TO captured_reader; REVOKE SELECT ON t FROM captured_reader; END $$;",
    ),
    // 2. CASCADE whose dependents are not re-created.
    t(
        "drop a primary key cascade: a view groups by it",
        "CREATE TABLE t (id int PRIMARY KEY, v text); CREATE VIEW w AS SELECT id, v FROM t GROUP BY id;",
        "ALTER TABLE t DROP CONSTRAINT t_pkey CASCADE;",
    ),
    t(
        "drop a primary key cascade: a view on a view groups by it (quoted, schema)",
        r#"CREATE SCHEMA "Q s"; CREATE TABLE "Q s"."T" (id int CONSTRAINT "U k" PRIMARY KEY, v text);
           CREATE TABLE "Q s".other (n int);
           CREATE VIEW "Q s".w AS SELECT id, v FROM "Q s"."T" GROUP BY id; CREATE VIEW public.w2 AS SELECT * FROM "Q s".w;"#,
        r#"ALTER TABLE "Q s"."T" DROP CONSTRAINT "U k" CASCADE;"#,
    ),
    t(
        "drop a primary key cascade: a foreign key references it",
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p);",
        "ALTER TABLE p DROP CONSTRAINT p_pkey CASCADE;",
    ),
    t(
        "drop a primary key cascade with nothing depending on it",
        "CREATE TABLE t (id int PRIMARY KEY);",
        "ALTER TABLE t DROP CONSTRAINT t_pkey CASCADE;",
    ),
    t(
        "drop a sequence cascade: a column default uses it",
        "CREATE SEQUENCE s; CREATE TABLE t (n int DEFAULT nextval('s'));",
        "DROP SEQUENCE s CASCADE;",
    ),
    t(
        "drop a function cascade: a trigger uses it",
        "CREATE TABLE t (n int); CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
         CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();",
        "DROP FUNCTION tf() CASCADE;",
    ),
    t(
        "drop a view cascade: another view reads it",
        "CREATE TABLE t (n int); CREATE VIEW v AS SELECT n FROM t; CREATE VIEW v2 AS SELECT n FROM v;",
        "DROP VIEW v CASCADE;",
    ),
    t(
        "drop a domain constraint cascade",
        "CREATE DOMAIN d AS int CONSTRAINT pos CHECK (VALUE > 0); CREATE TABLE t (n d);",
        "ALTER DOMAIN d DROP CONSTRAINT pos CASCADE;",
    ),
    // 3. Event triggers that react to the migration.
    t(
        "event trigger creates an audit table on CREATE TABLE",
        AUDIT_ON_CREATE_SETUP,
        "CREATE TABLE t2 (n int);",
    ),
    t(
        "event trigger on sql_drop creates a table",
        r#"CREATE TABLE t (n int); CREATE INDEX i ON t (n);
           CREATE FUNCTION public.on_drop() RETURNS event_trigger LANGUAGE plpgsql AS $f$
           BEGIN CREATE TABLE IF NOT EXISTS public.drop_log (n int); END $f$;
           CREATE EVENT TRIGGER "Drop log" ON sql_drop EXECUTE FUNCTION public.on_drop();"#,
        "DROP INDEX i;",
    ),
    t(
        "event trigger on table_rewrite comments on the schema",
        r#"CREATE TABLE t (n int);
           CREATE FUNCTION public.on_rewrite() RETURNS event_trigger LANGUAGE plpgsql AS $f$
           BEGIN COMMENT ON SCHEMA public IS 'rewritten'; END $f$;
           CREATE EVENT TRIGGER rw ON table_rewrite EXECUTE FUNCTION public.on_rewrite();"#,
        "ALTER TABLE t SET UNLOGGED;",
    ),
    t(
        "event trigger on ddl_command_start for any command",
        r#"CREATE TABLE t (n int);
           CREATE FUNCTION public.on_start() RETURNS event_trigger LANGUAGE plpgsql AS $f$
           BEGIN
             IF current_setting('trap.busy', true) = 'on' THEN RETURN; END IF;
             PERFORM set_config('trap.busy', 'on', true);
             CREATE SEQUENCE IF NOT EXISTS public.ddl_counter;
             PERFORM set_config('trap.busy', 'off', true);
           END $f$;
           CREATE EVENT TRIGGER st ON ddl_command_start EXECUTE FUNCTION public.on_start();"#,
        "ALTER TABLE t ALTER COLUMN n SET DEFAULT 4; COMMENT ON TABLE t IS 'x';",
    ),
    t(
        "event trigger enabled ALWAYS reacting to a DO block",
        "CREATE TABLE t (n int);
         CREATE FUNCTION public.on_end() RETURNS event_trigger LANGUAGE plpgsql AS $f$
         BEGIN CREATE TABLE IF NOT EXISTS public.seen (n int); END $f$;
         CREATE EVENT TRIGGER en ON ddl_command_end WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION public.on_end();
         ALTER EVENT TRIGGER en ENABLE ALWAYS;",
        "DO $$ BEGIN CREATE INDEX i ON t (n); END $$;",
    ),
    // 4. SET LOGGED/UNLOGGED and owned sequences.
    t(
        "set unlogged: a serial's sequence was unlogged already",
        "CREATE TABLE t (id serial, n int); ALTER SEQUENCE t_id_seq SET UNLOGGED;",
        "ALTER TABLE t SET UNLOGGED;",
    )
    // Unlogged sequences are new in PostgreSQL 15.
    .since(15),
    t(
        "set logged: an identity's sequence was logged already (quoted, schema)",
        r#"CREATE SCHEMA "P q"; CREATE UNLOGGED TABLE "P q"."T" ("I d" int GENERATED ALWAYS AS IDENTITY, s serial);
           ALTER SEQUENCE "P q"."T_I d_seq" SET LOGGED;"#,
        r#"ALTER TABLE "P q"."T" SET LOGGED;"#,
    )
    // Unlogged sequences are new in PostgreSQL 15.
    .since(15),
    t(
        "set unlogged: sequences owned by the table, one of each persistence",
        "CREATE TABLE t (a serial, b serial, c int GENERATED BY DEFAULT AS IDENTITY); ALTER SEQUENCE t_b_seq SET UNLOGGED;",
        "ALTER TABLE t SET UNLOGGED; ALTER TABLE t ALTER COLUMN a SET DEFAULT 0;",
    )
    // Unlogged sequences are new in PostgreSQL 15.
    .since(15),
    // 5. Constraint indexes with storage parameters.
    t(
        "drop a primary key with fillfactor",
        "CREATE TABLE t (id int, CONSTRAINT pk PRIMARY KEY (id) WITH (fillfactor=80));",
        "ALTER TABLE t DROP CONSTRAINT pk;",
    ),
    t(
        "drop a unique constraint with index options set later (quoted, schema)",
        r#"CREATE SCHEMA "I s"; CREATE TABLE "I s"."T" (a int, b text, CONSTRAINT "U" UNIQUE (a, b) INCLUDE (b));
           ALTER INDEX "I s"."U" SET (fillfactor=70, deduplicate_items=off);"#,
        r#"ALTER TABLE "I s"."T" DROP CONSTRAINT "U";"#,
    ),
    t(
        "drop an exclusion constraint with fillfactor, deferrable",
        "CREATE TABLE t (n int, CONSTRAINT ex EXCLUDE USING btree (n WITH =) WITH (fillfactor=60) DEFERRABLE INITIALLY DEFERRED);",
        "ALTER TABLE t DROP CONSTRAINT ex;",
    ),
    t(
        "drop a deferrable unique constraint with fillfactor and a comment",
        "CREATE TABLE t (n int, CONSTRAINT u UNIQUE (n) WITH (fillfactor=90) DEFERRABLE); COMMENT ON CONSTRAINT u ON t IS 'c';",
        "ALTER TABLE t DROP CONSTRAINT u;",
    ),
    // 6. ACL order.
    t(
        "revoke from the first grantee and grant back",
        "CREATE TABLE t (n int); GRANT SELECT ON t TO captured_reader; GRANT SELECT ON t TO captured_writer;",
        "REVOKE SELECT ON t FROM captured_reader; GRANT SELECT ON t TO captured_reader;",
    ),
    t(
        "revoke everything from the first of two grantees",
        "CREATE TABLE t (n int); GRANT SELECT ON t TO captured_reader; GRANT INSERT ON t TO captured_writer;",
        "REVOKE ALL ON t FROM captured_reader;",
    ),
    t(
        "revoke from PUBLIC on a function, other grantees after it",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'; GRANT EXECUTE ON FUNCTION f() TO captured_reader;",
        "REVOKE EXECUTE ON FUNCTION f() FROM PUBLIC;",
    ),
    t(
        "revoke from the owner and grant back (quoted, schema, sequence)",
        r#"CREATE SCHEMA "G s"; CREATE SEQUENCE "G s"."S q"; GRANT USAGE ON SEQUENCE "G s"."S q" TO captured_reader;"#,
        r#"REVOKE ALL ON SEQUENCE "G s"."S q" FROM CURRENT_USER; GRANT ALL ON SEQUENCE "G s"."S q" TO CURRENT_USER;"#,
    ),
    t(
        "column privileges: revoke the first grantee's",
        "CREATE TABLE t (a int, b int); GRANT SELECT (a) ON t TO captured_reader; GRANT SELECT (a) ON t TO captured_writer;",
        "REVOKE SELECT (a) ON t FROM captured_reader;",
    ),
    t(
        "schema privileges: revoke and grant back with grant option",
        "CREATE SCHEMA s; GRANT USAGE ON SCHEMA s TO captured_reader; GRANT CREATE ON SCHEMA s TO captured_writer;",
        "REVOKE USAGE ON SCHEMA s FROM captured_reader; GRANT USAGE ON SCHEMA s TO captured_reader WITH GRANT OPTION;",
    ),
    t(
        "type privileges: revoke from PUBLIC and grant back",
        "CREATE TYPE e AS ENUM ('a'); GRANT USAGE ON TYPE e TO captured_reader;",
        "REVOKE USAGE ON TYPE e FROM PUBLIC; GRANT USAGE ON TYPE e TO PUBLIC;",
    ),
    t(
        "drop a view whose ACL was reordered",
        "CREATE TABLE t (n int); CREATE VIEW v AS SELECT n FROM t; GRANT SELECT ON v TO captured_reader;
         GRANT SELECT ON v TO captured_writer; REVOKE SELECT ON v FROM captured_reader; GRANT SELECT ON v TO captured_reader;",
        "DROP VIEW v;",
    ),
    // 7. Rollbacks that fail.
    t(
        "create index if not exists named like a sequence",
        "CREATE TABLE t (n int); CREATE SEQUENCE s;",
        "CREATE INDEX IF NOT EXISTS s ON t (n);",
    ),
    t(
        "create index if not exists named like a table, beside a table in another schema",
        r#"CREATE SCHEMA "X y"; CREATE TABLE "X y"."T" (n int); CREATE TABLE "X y"."Other" (n int);"#,
        r#"CREATE INDEX IF NOT EXISTS "Other" ON "X y"."T" (n);"#,
    ),
    t(
        "create index if not exists named like a view",
        "CREATE TABLE t (n int); CREATE VIEW v AS SELECT 1 AS one;",
        "CREATE INDEX IF NOT EXISTS v ON t (n); CREATE INDEX IF NOT EXISTS w ON t (n);",
    ),
    t(
        "create table / sequence / materialized view if not exists named like another kind",
        "CREATE SEQUENCE s; CREATE TABLE t (n int); CREATE INDEX i ON t (n);",
        "CREATE TABLE IF NOT EXISTS s (n int); CREATE SEQUENCE IF NOT EXISTS t; CREATE MATERIALIZED VIEW IF NOT EXISTS i AS SELECT 1;",
    ),
    t(
        "create or replace function adds a parameter default",
        "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT a';",
        "CREATE OR REPLACE FUNCTION f(a int DEFAULT 1) RETURNS int LANGUAGE sql AS 'SELECT a';",
    ),
    t(
        "create or replace function names an unnamed parameter (quoted, schema)",
        r#"CREATE SCHEMA "F s"; CREATE FUNCTION "F s"."F"(int, text) RETURNS int LANGUAGE sql AS 'SELECT $1';"#,
        r#"CREATE OR REPLACE FUNCTION "F s"."F"("X" int, text) RETURNS int LANGUAGE sql AS 'SELECT $1';"#,
    ),
    t(
        "create or replace procedure adds a default",
        "CREATE PROCEDURE p(a int, b int) LANGUAGE sql AS 'SELECT 1';",
        "CREATE OR REPLACE PROCEDURE p(a int, b int DEFAULT 2) LANGUAGE sql AS 'SELECT 2';",
    ),
    t(
        "create or replace function changes a default's value only",
        "CREATE FUNCTION f(a int DEFAULT 1) RETURNS int LANGUAGE sql AS 'SELECT a';",
        "CREATE OR REPLACE FUNCTION f(a int DEFAULT 2) RETURNS int LANGUAGE sql AS 'SELECT a + 1';",
    ),
    // Round 2: more of the same families.
    t(
        "DO block: set search_path, then create a table (its place is read after the block)",
        "CREATE SCHEMA app; CREATE TABLE public.t (n int); CREATE TABLE app.t (n int);",
        "DO $$ BEGIN SET LOCAL search_path TO app; CREATE TABLE t2 (n int); END $$;",
    ),
    t(
        "DO block: set search_path, then change a table the new path finds",
        "CREATE SCHEMA app; CREATE TABLE public.t (n int DEFAULT 1); CREATE TABLE app.t (n int DEFAULT 7);",
        "DO $$ BEGIN SET LOCAL search_path TO app; ALTER TABLE t ALTER COLUMN n SET DEFAULT 8; END $$;",
    ),
    t(
        "DO block with a handler that swallows everything, two statements",
        "CREATE TABLE t (n int, CONSTRAINT c CHECK (n > 0));",
        "DO $$ BEGIN ALTER TABLE t DROP CONSTRAINT c; ALTER TABLE t ADD CONSTRAINT c CHECK (n > 1); EXCEPTION WHEN others THEN NULL; END $$;",
    ),
    t(
        "DO block: create a table, then comment on an existing one",
        "CREATE TABLE t (n int); COMMENT ON TABLE t IS 'old';",
        "DO $$ BEGIN CREATE TABLE u (n int); COMMENT ON TABLE t IS 'new'; END $$;",
    ),
    t(
        "DO block: drop an index and create one of the same name",
        "CREATE TABLE t (a int, b int); CREATE INDEX i ON t (a);",
        "DO $$ BEGIN DROP INDEX i; CREATE INDEX i ON t (b); END $$;",
    ),
    t(
        "drop a unique index cascade: a foreign key uses it",
        "CREATE TABLE p (id int); CREATE UNIQUE INDEX ui ON p (id); CREATE TABLE c (p int REFERENCES p (id));",
        "DROP INDEX ui CASCADE;",
    ),
    t(
        "drop a unique constraint cascade: a rule names it in ON CONFLICT",
        "CREATE TABLE t (id int CONSTRAINT u UNIQUE); CREATE VIEW v AS SELECT id FROM t;
         CREATE RULE r AS ON INSERT TO v DO INSTEAD INSERT INTO t VALUES (NEW.id) ON CONFLICT ON CONSTRAINT u DO NOTHING;",
        "ALTER TABLE t DROP CONSTRAINT u CASCADE;",
    ),
    t(
        "drop a unique constraint cascade: a SQL-standard function body names it",
        "CREATE TABLE t (id int CONSTRAINT u UNIQUE);
         CREATE FUNCTION ins(n int) RETURNS void LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (n) ON CONFLICT ON CONSTRAINT u DO NOTHING; END;",
        "ALTER TABLE t DROP CONSTRAINT u CASCADE;",
    ),
    t(
        "drop an enum type cascade: a function returns it",
        "CREATE TYPE mood AS ENUM ('a'); CREATE FUNCTION m() RETURNS mood LANGUAGE sql AS $$SELECT 'a'::mood$$;",
        "DROP TYPE mood CASCADE;",
    ),
    t(
        "drop an empty schema cascade",
        r#"CREATE SCHEMA "E s"; COMMENT ON SCHEMA "E s" IS 'e';"#,
        r#"DROP SCHEMA "E s" CASCADE;"#,
    ),
    t(
        "event trigger limited to COMMENT, migration comments",
        "CREATE TABLE t (n int);
         CREATE FUNCTION public.on_comment() RETURNS event_trigger LANGUAGE plpgsql AS $f$
         BEGIN IF to_regclass('public.comment_log') IS NULL THEN CREATE TABLE public.comment_log (n int); END IF; END $f$;
         CREATE EVENT TRIGGER c ON ddl_command_end WHEN TAG IN ('COMMENT') EXECUTE FUNCTION public.on_comment();",
        "COMMENT ON TABLE t IS 'x';",
    ),
    t(
        "event trigger enabled for replicas only",
        "CREATE TABLE t (n int);
         CREATE FUNCTION public.on_end() RETURNS event_trigger LANGUAGE plpgsql AS $f$
         BEGIN IF to_regclass('public.seen') IS NULL THEN CREATE TABLE public.seen (n int); END IF; END $f$;
         CREATE EVENT TRIGGER en ON ddl_command_end EXECUTE FUNCTION public.on_end(); ALTER EVENT TRIGGER en ENABLE REPLICA;",
        "ALTER TABLE t ADD COLUMN m int;",
    ),
    t(
        "event trigger on ALTER TABLE, migration renames a column",
        r#"CREATE TABLE "T q" ("a b" int);
           CREATE FUNCTION public.on_alter() RETURNS event_trigger LANGUAGE plpgsql AS $f$
           BEGIN IF to_regclass('public.altered') IS NULL THEN CREATE TABLE public.altered (n int); END IF; END $f$;
           CREATE EVENT TRIGGER "Alter log" ON ddl_command_end WHEN TAG IN ('ALTER TABLE') EXECUTE FUNCTION public.on_alter();"#,
        r#"ALTER TABLE "T q" RENAME COLUMN "a b" TO "c d";"#,
    ),
    t(
        "event trigger on GRANT, migration grants",
        "CREATE TABLE t (n int);
         CREATE FUNCTION public.on_grant() RETURNS event_trigger LANGUAGE plpgsql AS $f$
         BEGIN IF to_regclass('public.granted') IS NULL THEN CREATE TABLE public.granted (n int); END IF; END $f$;
         CREATE EVENT TRIGGER g ON ddl_command_start WHEN TAG IN ('GRANT') EXECUTE FUNCTION public.on_grant();",
        "GRANT SELECT ON t TO captured_reader;",
    ),
    t(
        "set unlogged, then logged again, with an unlogged serial",
        "CREATE TABLE t (id serial); ALTER SEQUENCE t_id_seq SET UNLOGGED;",
        "ALTER TABLE t SET UNLOGGED; ALTER TABLE t SET LOGGED;",
    )
    // Unlogged sequences are new in PostgreSQL 15.
    .since(15),
    t(
        "drop a primary key whose index has fillfactor and a statistics target",
        "CREATE TABLE t (id int, CONSTRAINT pk PRIMARY KEY (id) WITH (fillfactor=55));",
        "ALTER TABLE t DROP CONSTRAINT pk, ADD COLUMN x int;",
    ),
    t(
        "public schema: revoke from PUBLIC and grant back",
        "SELECT 1;",
        "REVOKE USAGE ON SCHEMA public FROM PUBLIC; GRANT USAGE ON SCHEMA public TO PUBLIC;",
    ),
    t(
        "grant option taken and given back reorders nothing",
        "CREATE TABLE t (n int); GRANT SELECT ON t TO captured_reader WITH GRANT OPTION; GRANT SELECT ON t TO captured_writer;",
        "REVOKE GRANT OPTION FOR SELECT ON t FROM captured_reader; GRANT SELECT ON t TO captured_reader WITH GRANT OPTION;",
    ),
    t(
        "create unique index if not exists named like an index on another table",
        "CREATE TABLE a (n int); CREATE TABLE b (n int); CREATE INDEX i ON a (n);",
        "CREATE UNIQUE INDEX IF NOT EXISTS i ON b (n);",
    ),
    t(
        "create or replace function adds a named OUT-free default and a SET clause",
        r#"CREATE SCHEMA "R s"; CREATE FUNCTION "R s".g(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT a + b';"#,
        r#"CREATE OR REPLACE FUNCTION "R s".g(a int, b int DEFAULT 2) RETURNS int LANGUAGE sql SET search_path = '' AS 'SELECT a * b';"#,
    ),
    t(
        "create or replace function keeps its parameters, changes SET and volatility",
        "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a';",
        "CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql VOLATILE SET work_mem = '1MB' AS 'SELECT a + 1';",
    ),
];

/// An event trigger that creates `<table>_audit` beside every table created (not for its own).
const AUDIT_ON_CREATE_SETUP: &str = r#"
CREATE FUNCTION public.mk_audit() RETURNS event_trigger LANGUAGE plpgsql AS $f$
DECLARE r record;
BEGIN
  FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE' AND object_identity NOT LIKE '%audit%' LOOP
    EXECUTE format('CREATE TABLE IF NOT EXISTS %s_audit (at timestamptz)', r.object_identity);
  END LOOP;
END $f$;
CREATE EVENT TRIGGER audit ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION public.mk_audit();"#;

pub const CASES: &[Case] = &[
    unsafe_(
        "DO block whose second statement needs the state the first changed",
        "CREATE TABLE t (a int DEFAULT 1);",
        "DO $$ BEGIN ALTER TABLE t RENAME COLUMN a TO b; ALTER TABLE t ALTER COLUMN b SET DEFAULT 5; END $$;",
        "DO_BLOCK_STATE",
    ),
    safe(
        "DO block: only the first statement reads the state before, only the last the state after",
        "CREATE TABLE t (a int DEFAULT 1);",
        "DO $$ BEGIN ALTER TABLE t ALTER COLUMN a SET DEFAULT 5; CREATE TABLE u (n int); END $$;",
        "DROP TABLE u;\nALTER TABLE t ALTER COLUMN a SET DEFAULT 1;\n",
    ),
    unsafe_(
        "DO block: a statement whose state is read after the block is followed by another",
        "CREATE TABLE t (a int);",
        "DO $$ BEGIN CREATE INDEX ON t (a); ALTER INDEX t_a_idx RENAME TO i2; END $$;",
        "DO_BLOCK_STATE",
    ),
    safe(
        "DO block: a statement the SQL alone inverts does not need the state read after the block",
        "",
        "DO $body$\nBEGIN\n  CREATE TABLE a (id int);\n  CREATE INDEX a_id ON a (id);\nEND\n$body$;",
        "DROP TABLE a;\n",
    ),
    unsafe_(
        "drop a primary key cascade that takes a view",
        "CREATE TABLE t (id int PRIMARY KEY, v text); CREATE VIEW w AS SELECT id, v FROM t GROUP BY id;",
        "ALTER TABLE t DROP CONSTRAINT t_pkey CASCADE;",
        "DROP_CONSTRAINT",
    ),
    unsafe_(
        "an enabled event trigger reacts to CREATE TABLE",
        AUDIT_ON_CREATE_SETUP,
        "CREATE TABLE t2 (n int);",
        "EVENT_TRIGGER",
    ),
    safe(
        "a disabled event trigger does not matter",
        r#"CREATE FUNCTION public.noop() RETURNS event_trigger LANGUAGE plpgsql AS $f$ BEGIN END $f$;
           CREATE EVENT TRIGGER quiet ON ddl_command_end EXECUTE FUNCTION public.noop(); ALTER EVENT TRIGGER quiet DISABLE;"#,
        "CREATE TABLE t2 (n int);",
        "DROP TABLE t2;\n",
    ),
    safe(
        "an event trigger for other command tags does not matter",
        r#"CREATE FUNCTION public.noop() RETURNS event_trigger LANGUAGE plpgsql AS $f$ BEGIN END $f$;
           CREATE EVENT TRIGGER other ON ddl_command_end WHEN TAG IN ('CREATE FUNCTION', 'ALTER TABLE') EXECUTE FUNCTION public.noop();"#,
        "CREATE TABLE t2 (n int);",
        "DROP TABLE t2;\n",
    ),
    unsafe_(
        "an event trigger whose tags include the rollback's command",
        r#"CREATE FUNCTION public.noop() RETURNS event_trigger LANGUAGE plpgsql AS $f$ BEGIN END $f$;
           CREATE EVENT TRIGGER other ON sql_drop WHEN TAG IN ('DROP TABLE') EXECUTE FUNCTION public.noop();"#,
        "CREATE TABLE t2 (n int);",
        "EVENT_TRIGGER",
    ),
];
