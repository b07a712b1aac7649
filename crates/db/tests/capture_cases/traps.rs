//! Migrations written to break capture: state changed twice in one migration, names reused, quoting, objects
//! reached through search_path. Whatever the plan says, a rollback called safe must restore the schema.
use super::Trap;

const fn t(name: &'static str, setup: &'static str, migration: &'static str) -> Trap {
    super::trap(name, setup, migration)
}

pub const TRAPS: &[Trap] = &[
    t(
        "two defaults in a row: the rollback restores the first, not the intermediate",
        "CREATE TABLE t (n int DEFAULT 1);",
        "ALTER TABLE t ALTER COLUMN n SET DEFAULT 2; ALTER TABLE t ALTER COLUMN n SET DEFAULT 3;",
    ),
    t(
        "set and drop a default in one ALTER TABLE",
        "CREATE TABLE t (n int DEFAULT 1, m int);",
        "ALTER TABLE t ALTER COLUMN n DROP DEFAULT, ALTER COLUMN m SET DEFAULT 4, ALTER COLUMN n SET DEFAULT 9;",
    ),
    t(
        "drop a constraint and add another of the same name",
        "CREATE TABLE t (n int, CONSTRAINT c CHECK (n > 0));",
        "ALTER TABLE t DROP CONSTRAINT c; ALTER TABLE t ADD CONSTRAINT c CHECK (n > 10) NOT VALID;",
    ),
    t(
        "drop a view and create another with the same name",
        "CREATE TABLE t (a int, b int); CREATE VIEW v AS SELECT a FROM t; COMMENT ON VIEW v IS 'old';",
        "DROP VIEW v; CREATE VIEW v AS SELECT a, b FROM t;",
    ),
    t(
        "drop an index created earlier in the same migration",
        "CREATE TABLE t (n int);",
        "CREATE INDEX i ON t (n); DROP INDEX i;",
    ),
    t(
        "drop an index, then create one of the same name on another column",
        "CREATE TABLE t (a int, b int); CREATE INDEX i ON t (a);",
        "DROP INDEX i; CREATE INDEX i ON t (b);",
    ),
    t(
        "grant then revoke the same privilege",
        "CREATE TABLE t (n int);",
        "GRANT SELECT, UPDATE ON t TO captured_reader; REVOKE UPDATE ON t FROM captured_reader;",
    ),
    t(
        "comment, rename, comment again",
        "CREATE TABLE t (n int); COMMENT ON TABLE t IS 'first';",
        "COMMENT ON TABLE t IS 'second'; ALTER TABLE t RENAME TO u; COMMENT ON TABLE u IS 'third';",
    ),
    t(
        "quoted, mixed-case and unicode names everywhere",
        r#"CREATE SCHEMA "Sch ""q"""; CREATE TABLE "Sch ""q"""."Täble" ("Select" int DEFAULT 1, "ünï" text);
           CREATE INDEX "Idx ""x""" ON "Sch ""q"""."Täble" ("ünï"); COMMENT ON COLUMN "Sch ""q"""."Täble"."Select" IS 'it''s';"#,
        r#"ALTER TABLE "Sch ""q"""."Täble" ALTER COLUMN "Select" SET DEFAULT 2, ALTER COLUMN "ünï" SET NOT NULL;
           DROP INDEX "Sch ""q"""."Idx ""x""";
           COMMENT ON COLUMN "Sch ""q"""."Täble"."Select" IS NULL;"#,
    ),
    t(
        "drop one of two overloaded functions",
        "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT $1'; CREATE FUNCTION f(text) RETURNS text LANGUAGE sql AS 'SELECT $1';",
        "DROP FUNCTION f(text);",
    ),
    t(
        "search_path to a schema whose table shadows public's",
        "CREATE SCHEMA app; CREATE TABLE public.t (n int DEFAULT 1); CREATE TABLE app.t (n int DEFAULT 7);",
        "SET search_path TO app, public; ALTER TABLE t ALTER COLUMN n SET DEFAULT 8; RESET search_path; ALTER TABLE t ALTER COLUMN n SET DEFAULT 2;",
    ),
    t(
        "set_config in a SELECT changes where later names resolve",
        "CREATE SCHEMA app; CREATE TABLE public.t (n int); CREATE TABLE app.t (n int);",
        "SELECT set_config('search_path', 'app', false); ALTER TABLE t ALTER COLUMN n SET NOT NULL;",
    ),
    t(
        "drop a trigger in a schema that is not on search_path",
        "CREATE SCHEMA hidden; CREATE TABLE hidden.t (n int);
         CREATE FUNCTION hidden.tf() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
         CREATE TRIGGER tr BEFORE INSERT ON hidden.t FOR EACH ROW EXECUTE FUNCTION hidden.tf();
         ALTER TABLE hidden.t DISABLE TRIGGER tr;",
        "DROP TRIGGER tr ON hidden.t;",
    ),
    t(
        "owner changed twice",
        "CREATE TABLE t (n int);",
        "ALTER TABLE t OWNER TO captured_owner; ALTER TABLE t OWNER TO captured_writer;",
    ),
    t(
        "sequence altered after a nextval in the migration",
        "CREATE SEQUENCE s START 5;",
        "SELECT nextval('s'); ALTER SEQUENCE s INCREMENT BY 3;",
    ),
    t(
        "enable RLS on a table created in the migration and on an old one",
        "CREATE TABLE old (n int);",
        "CREATE TABLE fresh (n int); ALTER TABLE fresh ENABLE ROW LEVEL SECURITY; ALTER TABLE old ENABLE ROW LEVEL SECURITY;",
    ),
    t(
        "drop a schema holding a table, cascade",
        "CREATE SCHEMA gone; CREATE TABLE gone.t (n int);",
        "DROP SCHEMA gone CASCADE;",
    ),
    t(
        "drop a domain used by a column, cascade",
        "CREATE DOMAIN pos AS int CHECK (VALUE > 0); CREATE TABLE t (n pos);",
        "DROP DOMAIN pos CASCADE;",
    ),
    t(
        "rename a column, then set its default under the new name",
        "CREATE TABLE t (a int DEFAULT 1);",
        "ALTER TABLE t RENAME COLUMN a TO b; ALTER TABLE t ALTER COLUMN b SET DEFAULT 5;",
    ),
    t(
        "create or replace a view twice",
        "CREATE TABLE t (a int, b int); CREATE VIEW v AS SELECT a FROM t;",
        "CREATE OR REPLACE VIEW v AS SELECT a, b FROM t; CREATE OR REPLACE VIEW v AS SELECT a, b, a + b AS c FROM t;",
    ),
    t(
        "unnamed index whose chosen name collides with an existing one",
        "CREATE TABLE t (n int); CREATE INDEX t_n_idx ON t (n);",
        "CREATE INDEX ON t (n);",
    ),
    t(
        "drizzle guard around a constraint a previous statement already added",
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int);",
        "ALTER TABLE c ADD CONSTRAINT c_p_fk FOREIGN KEY (p) REFERENCES p(id);
         DO $$ BEGIN ALTER TABLE c ADD CONSTRAINT c_p_fk FOREIGN KEY (p) REFERENCES p(id); EXCEPTION WHEN duplicate_object THEN null; END $$;",
    ),
    t(
        "column privileges granted, then the table-wide privilege",
        "CREATE TABLE t (a int, b int);",
        "GRANT SELECT (a) ON t TO captured_reader; GRANT SELECT ON t TO captured_reader;",
    ),
    // Found in review: each of these was once called safe without restoring the schema, or panicked.
    t(
        "DROP TYPE of a domain",
        "CREATE DOMAIN pos AS int CONSTRAINT pos_check CHECK (VALUE > 0);",
        "DROP TYPE pos;",
    ),
    t(
        "drop a schema that has default privileges",
        "CREATE SCHEMA s1; ALTER DEFAULT PRIVILEGES IN SCHEMA s1 GRANT SELECT ON TABLES TO captured_reader;",
        "DROP SCHEMA s1;",
    ),
    t(
        "a table-wide REVOKE also takes column privileges",
        "CREATE TABLE t (a int, b int); GRANT SELECT (b), UPDATE (a) ON t TO captured_reader; GRANT SELECT ON t TO captured_reader;",
        "REVOKE SELECT, UPDATE ON t FROM captured_reader;",
    ),
    t(
        "drop a view with column grants while default privileges exist",
        "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO captured_writer;
         CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t; GRANT SELECT (a) ON v TO captured_reader;",
        "DROP VIEW v;",
    ),
    t(
        "primary key on a partitioned table whose partition column was already NOT NULL",
        "CREATE TABLE p (a int, b int) PARTITION BY RANGE (a); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);
         ALTER TABLE p1 ALTER COLUMN b SET NOT NULL;",
        "ALTER TABLE p ADD PRIMARY KEY (a, b);",
    ),
    t(
        "drop a primary key whose index was the replica identity and the CLUSTER index",
        "CREATE TABLE t (id int CONSTRAINT t_pk PRIMARY KEY, n int); ALTER TABLE t REPLICA IDENTITY USING INDEX t_pk;
         ALTER TABLE t CLUSTER ON t_pk; COMMENT ON INDEX t_pk IS 'the key';",
        "ALTER TABLE t DROP CONSTRAINT t_pk;",
    ),
    t(
        "owner changed to a role that had privileges on the table",
        "CREATE TABLE t (n int); GRANT SELECT ON t TO captured_owner;",
        "ALTER TABLE t OWNER TO captured_owner;",
    ),
    t(
        "owner changed to a role that had privileges on the table's serial sequence",
        "CREATE TABLE t (id serial); GRANT USAGE ON SEQUENCE t_id_seq TO captured_owner;",
        "ALTER TABLE t OWNER TO captured_owner;",
    ),
    t(
        "owner of a type changed to a role that could use it",
        "CREATE TYPE e AS ENUM ('a'); REVOKE USAGE ON TYPE e FROM PUBLIC; GRANT USAGE ON TYPE e TO captured_owner;",
        "ALTER TYPE e OWNER TO captured_owner;",
    ),
    t(
        "drop a sequence owned by a column of another owner's table",
        "CREATE TABLE t (n int); CREATE SEQUENCE s OWNED BY t.n; ALTER TABLE t OWNER TO captured_owner;",
        "DROP SEQUENCE s;",
    ),
    t(
        "drop an extension whose members' privileges were changed",
        "CREATE EXTENSION hstore; REVOKE USAGE ON TYPE hstore FROM PUBLIC;",
        "DROP EXTENSION hstore;",
    ),
    t(
        "a privilege granted again by another grantor",
        "CREATE TABLE tg (n int); GRANT SELECT ON tg TO captured_reader WITH GRANT OPTION; GRANT SELECT ON tg TO captured_writer;",
        "SET LOCAL ROLE captured_reader; GRANT SELECT ON tg TO captured_writer; RESET ROLE;",
    ),
    t(
        "the same grant by another grantor, then revoked by the owner",
        "CREATE TABLE tg (n int); GRANT SELECT ON tg TO captured_reader WITH GRANT OPTION;
         SET ROLE captured_reader; GRANT SELECT ON tg TO captured_writer; RESET ROLE; GRANT SELECT ON tg TO captured_writer;",
        "REVOKE SELECT ON tg FROM captured_writer;",
    ),
    t(
        "drizzle guard around a foreign key on a partitioned table whose partition had an equal one",
        "CREATE TABLE u (id int PRIMARY KEY); CREATE TABLE p (x int, uid int) PARTITION BY RANGE (x);
         CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);
         ALTER TABLE p1 ADD CONSTRAINT p1_uid_fk FOREIGN KEY (uid) REFERENCES u(id);",
        "DO $$ BEGIN ALTER TABLE p ADD CONSTRAINT p_uid_fk FOREIGN KEY (uid) REFERENCES u(id); EXCEPTION WHEN duplicate_object THEN null; END $$;",
    ),
];
