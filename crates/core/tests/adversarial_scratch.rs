//! SCRATCH (not to be committed): adversarial round trips against real PostgreSQL.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;

use pg_rollback_core::generate_rollback;
use testpg::{unified_diff, Database};

struct C {
    name: &'static str,
    setup: &'static str,
    migration: &'static str,
}

const fn c(name: &'static str, setup: &'static str, migration: &'static str) -> C {
    C { name, setup, migration }
}

fn candidates() -> Vec<C> {
    vec![
        // ---------- A: previous state assumed ----------
        c("A1 set not null on already NOT NULL column", "CREATE TABLE t (a int NOT NULL);", "ALTER TABLE t ALTER COLUMN a SET NOT NULL;"),
        c("A2 drop not null on nullable column", "CREATE TABLE t (a int);", "ALTER TABLE t ALTER COLUMN a DROP NOT NULL;"),
        c("A3 enable RLS already enabled", "CREATE TABLE t (a int); ALTER TABLE t ENABLE ROW LEVEL SECURITY;", "ALTER TABLE t ENABLE ROW LEVEL SECURITY;"),
        c("A4 enable trigger already enabled",
          "CREATE TABLE t (a int); CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();",
          "ALTER TABLE t ENABLE TRIGGER trg;"),
        c("A5 disable an ENABLE ALWAYS trigger",
          "CREATE TABLE t (a int); CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE t ENABLE ALWAYS TRIGGER trg;",
          "ALTER TABLE t DISABLE TRIGGER trg;"),
        c("A6 set not null on inheritance parent, child already NOT NULL",
          "CREATE TABLE p (a int); CREATE TABLE c (a int NOT NULL) INHERITS (p);",
          "ALTER TABLE p ALTER COLUMN a SET NOT NULL;"),
        c("A7 set not null on partitioned parent, partition already NOT NULL",
          "CREATE TABLE p (a int, k int) PARTITION BY LIST (k); CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1); CREATE TABLE p2 PARTITION OF p FOR VALUES IN (2); ALTER TABLE p1 ALTER COLUMN a SET NOT NULL;",
          "ALTER TABLE p ALTER COLUMN a SET NOT NULL;"),
        c("A8 drop not null on inheritance parent, child nullable",
          "CREATE TABLE p (a int NOT NULL); CREATE TABLE c () INHERITS (p); ALTER TABLE c ALTER COLUMN a DROP NOT NULL;",
          "ALTER TABLE p ALTER COLUMN a DROP NOT NULL;"),
        c("A9 domain set not null already", "CREATE DOMAIN d AS int NOT NULL;", "ALTER DOMAIN d SET NOT NULL;"),
        c("A10 force RLS already forced", "CREATE TABLE t (a int); ALTER TABLE t FORCE ROW LEVEL SECURITY;", "ALTER TABLE t FORCE ROW LEVEL SECURITY;"),
        c("A11 disable trigger on partitioned parent, one partition clone already disabled",
          "CREATE TABLE p (a int, k int) PARTITION BY LIST (k); CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1); CREATE TABLE p2 PARTITION OF p FOR VALUES IN (2); CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; CREATE TRIGGER trg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE p1 DISABLE TRIGGER trg;",
          "ALTER TABLE p DISABLE TRIGGER trg;"),
        // ---------- B: partition / inheritance adoption ----------
        c("B1 index on partitioned table adopts existing partition index",
          "CREATE TABLE p (x int) PARTITION BY RANGE (x); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10); CREATE INDEX p1_x ON p1 (x);",
          "CREATE INDEX p_x ON p (x);"),
        c("B2 unique constraint on partitioned table adopts partition's unique constraint",
          "CREATE TABLE p (x int) PARTITION BY RANGE (x); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10); ALTER TABLE p1 ADD CONSTRAINT p1_x_key UNIQUE (x);",
          "ALTER TABLE p ADD CONSTRAINT p_x_key UNIQUE (x);"),
        c("B3 FK on partitioned table adopts partition's equal FK",
          "CREATE TABLE u (id int PRIMARY KEY); CREATE TABLE p (uid int, k int) PARTITION BY LIST (k); CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1); ALTER TABLE p1 ADD CONSTRAINT p1_uid_fk FOREIGN KEY (uid) REFERENCES u (id);",
          "ALTER TABLE p ADD CONSTRAINT p_uid_fk FOREIGN KEY (uid) REFERENCES u (id);"),
        c("B4 trigger on partitioned table, partition has same-named trigger",
          "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; CREATE TABLE p (x int) PARTITION BY RANGE (x); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10); CREATE TRIGGER trg AFTER INSERT ON p1 FOR EACH ROW EXECUTE FUNCTION f();",
          "CREATE TRIGGER trg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f();"),
        c("B5 new partition of a table referenced by a FK",
          "CREATE TABLE p (id int PRIMARY KEY) PARTITION BY RANGE (id); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10); CREATE TABLE r (pid int REFERENCES p);",
          "CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (10) TO (20);"),
        c("B6 check on inheritance parent merges child's identical check",
          "CREATE TABLE p (a int); CREATE TABLE c (a int, CONSTRAINT a_pos CHECK (a > 0)) INHERITS (p);",
          "ALTER TABLE p ADD CONSTRAINT a_pos CHECK (a > 0);"),
        c("B7 add column to inheritance parent merges child's local column",
          "CREATE TABLE p (a int); CREATE TABLE c (b int) INHERITS (p);",
          "ALTER TABLE p ADD COLUMN b int NOT NULL DEFAULT 0;"),
        c("B8 PK on new parent column merged with child's local column",
          "CREATE TABLE p (a int); CREATE TABLE c (b int) INHERITS (p);",
          "ALTER TABLE p ADD COLUMN b int;\nALTER TABLE p ADD CONSTRAINT p_pk PRIMARY KEY (b);"),
        c("B9 new parent with existing child, then column added to parent",
          "CREATE TABLE child (a int);",
          "CREATE TABLE parent (a int);\nALTER TABLE child INHERIT parent;\nALTER TABLE parent ADD COLUMN b int;"),
        c("B10 new parent with existing child, then check added to parent",
          "CREATE TABLE child (a int);",
          "CREATE TABLE parent (a int);\nALTER TABLE child INHERIT parent;\nALTER TABLE parent ADD CONSTRAINT a_pos CHECK (a > 0);"),
        c("B11 index on ONLY partitioned parent", "CREATE TABLE p (x int) PARTITION BY RANGE (x); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);", "CREATE INDEX p_x ON ONLY p (x);"),
        c("B12 rename trigger on partitioned parent",
          "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; CREATE TABLE p (x int) PARTITION BY RANGE (x); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10); CREATE TRIGGER trg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f();",
          "ALTER TRIGGER trg ON p RENAME TO trg2;"),
        // ---------- C: composite type CASCADE ----------
        c("C1 add attribute CASCADE with a typed table", "CREATE TYPE addr AS (street text); CREATE TABLE homes OF addr;", "ALTER TYPE addr ADD ATTRIBUTE city text CASCADE;"),
        c("C2 rename attribute CASCADE with a typed table", "CREATE TYPE addr AS (street text); CREATE TABLE homes OF addr;", "ALTER TYPE addr RENAME ATTRIBUTE street TO line1 CASCADE;"),
        c("C3 add attribute to a type used as a column", "CREATE TYPE addr AS (street text); CREATE TABLE homes (a addr);", "ALTER TYPE addr ADD ATTRIBUTE city text;"),
        // ---------- D: control flow ----------
        c("D1 DO block with early RETURN", "", "DO $$ BEGIN RETURN; CREATE TABLE t (id int); END $$;"),
        c("D2 transaction rolled back in the migration", "", "BEGIN;\nCREATE TABLE t (id int);\nROLLBACK;"),
        c("D3 savepoint rolled back", "", "BEGIN;\nSAVEPOINT s;\nCREATE TABLE t (id int);\nROLLBACK TO SAVEPOINT s;\nCOMMIT;"),
        c("D4 DO block with NULL statement and nested block", "CREATE TABLE t (id int);", "DO $$ BEGIN NULL; BEGIN ALTER TABLE t ADD COLUMN x int; END; END $$;"),
        c("D5 DO block with label", "CREATE TABLE t (id int);", "DO $$ <<outer>> BEGIN ALTER TABLE t ADD COLUMN x int; END outer $$;"),
        // ---------- E: temp ----------
        c("E1 table created in pg_temp by qualification", "", "CREATE TABLE pg_temp.scratch (id int);"),
        c("E2 view implicitly temporary", "", "CREATE TEMP TABLE s (id int);\nCREATE VIEW v AS SELECT id FROM s;"),
        c("E3 temp sequence", "", "CREATE TEMP SEQUENCE s;"),
        // ---------- F: name resolution ----------
        c("F1 index dropped through search_path ($user schema has same index name)",
          "CREATE SCHEMA postgres; CREATE TABLE postgres.other (x int); CREATE INDEX i ON postgres.other (x); CREATE TABLE public.t (x int);",
          "CREATE INDEX i ON t (x);"),
        c("F2 renamed back through search_path ($user schema has the new name)",
          "CREATE SCHEMA postgres; CREATE TABLE public.t (id int); CREATE TABLE postgres.u (id int);",
          "ALTER TABLE t RENAME TO u;"),
        c("F3 type shadowing pg_catalog (line)", "", "CREATE TYPE line AS ENUM ('a', 'b');"),
        c("F4 function shadowing pg_catalog (md5)", "", "CREATE FUNCTION md5(text) RETURNS text LANGUAGE sql AS 'SELECT $1';"),
        c("F5 table shadowing pg_catalog view", "", "CREATE TABLE pg_tables (id int);"),
        c("F6 statistics unqualified on table in another schema", "CREATE SCHEMA app; CREATE TABLE app.t (a int, b int);", "CREATE STATISTICS st ON a, b FROM app.t;"),
        // ---------- G: absorption keys ----------
        c("G1 schema swap then change to the table now under the created name",
          "CREATE SCHEMA app; CREATE SCHEMA app_next; CREATE TABLE app_next.t (id int);",
          "CREATE TABLE app.t (id int);\nALTER SCHEMA app RENAME TO app_old;\nALTER SCHEMA app_next RENAME TO app;\nALTER TABLE app.t ADD COLUMN x int;"),
        c("G2 new column name equals an existing constraint name",
          "CREATE TABLE t (a int, CONSTRAINT flag CHECK (a > 0));",
          "ALTER TABLE t ADD COLUMN flag boolean;\nALTER TABLE t DROP CONSTRAINT flag;"),
        c("G3 column key survives schema swap",
          "CREATE SCHEMA app; CREATE SCHEMA app_next; CREATE TABLE app.t (id int); CREATE TABLE app_next.t (id int, c int);",
          "ALTER TABLE app.t ADD COLUMN c int;\nALTER SCHEMA app RENAME TO app_old;\nALTER SCHEMA app_next RENAME TO app;\nALTER TABLE app.t ALTER COLUMN c TYPE bigint;"),
        c("G4 _RETURN rule turns new table into a view", "", "CREATE TABLE t (id int);\nCREATE RULE \"_RETURN\" AS ON SELECT TO t DO INSTEAD SELECT 1::int AS id;"),
        c("G5 add then drop the same column of an existing table", "CREATE TABLE t (id int);", "ALTER TABLE t ADD COLUMN tmp int;\nALTER TABLE t DROP COLUMN tmp;"),
        c("G6 recreate renamed name then index", "", "CREATE TABLE a (id int);\nALTER TABLE a RENAME TO b;\nCREATE TABLE a (id int);\nCREATE INDEX a_id ON a (id);"),
        c("G7 qualified rename leaves stale key, then swap",
          "CREATE TABLE legacy (id int);",
          "CREATE TABLE items (id int);\nALTER TABLE public.items RENAME TO items_v2;\nALTER TABLE legacy RENAME TO items;\nALTER TABLE items ALTER COLUMN id TYPE bigint;"),
        c("G8 existing renamed away and new with old name", "CREATE TABLE t (id int);", "ALTER TABLE t RENAME TO t_old;\nCREATE TABLE t (id int);\nALTER TABLE t_old ADD COLUMN x int;"),
        // ---------- H: absorbed statement depends on something created later ----------
        c("H1 drizzle order: FK from first new table to second new table", "",
          "CREATE TABLE \"orders\" (\"id\" serial PRIMARY KEY NOT NULL, \"user_id\" integer NOT NULL);\n--> statement-breakpoint\nCREATE TABLE \"users\" (\"id\" serial PRIMARY KEY NOT NULL);\n--> statement-breakpoint\nALTER TABLE \"orders\" ADD CONSTRAINT \"orders_user_id_users_id_fk\" FOREIGN KEY (\"user_id\") REFERENCES \"public\".\"users\"(\"id\") ON DELETE no action ON UPDATE no action;"),
        c("H2 trigger on new table using function created after it", "",
          "CREATE TABLE n (id int, updated_at timestamptz);\nCREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;\nCREATE TRIGGER n_touch BEFORE UPDATE ON n FOR EACH ROW EXECUTE FUNCTION touch();"),
        c("H3 default on new table uses sequence created after it", "",
          "CREATE TABLE n (id int);\nCREATE SEQUENCE n_seq;\nALTER TABLE n ALTER COLUMN id SET DEFAULT nextval('n_seq');"),
        c("H4 new column of existing table, then sequence default", "CREATE TABLE t (id int);",
          "ALTER TABLE t ADD COLUMN n int;\nCREATE SEQUENCE t_n_seq;\nALTER TABLE t ALTER COLUMN n SET DEFAULT nextval('t_n_seq');"),
        c("H5 new column retyped to enum created after it", "CREATE TABLE t (id int);",
          "ALTER TABLE t ADD COLUMN m text;\nCREATE TYPE mood AS ENUM ('ok');\nALTER TABLE t ALTER COLUMN m TYPE mood USING m::mood;"),
        c("H6 new table gets column of type created after it", "",
          "CREATE TABLE n (id int);\nCREATE TYPE mood AS ENUM ('ok');\nALTER TABLE n ADD COLUMN m mood;"),
        c("H7 new table's FK to unique constraint added later on existing table", "CREATE TABLE users (id int, email text);",
          "CREATE TABLE invites (email text);\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);\nALTER TABLE invites ADD CONSTRAINT invites_email_fk FOREIGN KEY (email) REFERENCES users (email);"),
        c("H8 new table inherits parent created after it", "",
          "CREATE TABLE c (a int);\nCREATE TABLE p (a int);\nALTER TABLE c INHERIT p;"),
        c("H9 new table attached to partitioned parent created after it", "",
          "CREATE TABLE p1 (x int);\nCREATE TABLE p (x int) PARTITION BY RANGE (x);\nALTER TABLE p ATTACH PARTITION p1 FOR VALUES FROM (0) TO (10);"),
        c("H10 index on new table uses function created after it", "",
          "CREATE TABLE n (x text);\nCREATE FUNCTION norm(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower($1)';\nCREATE INDEX n_norm ON n (norm(x));"),
        c("H11 policy on new table uses function created after it", "",
          "CREATE TABLE n (owner text);\nCREATE FUNCTION me() RETURNS text LANGUAGE sql STABLE AS 'SELECT current_user::text';\nALTER TABLE n ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own ON n USING (owner = me());"),
        c("H12 new composite type gets attribute of domain created after it", "",
          "CREATE TYPE addr AS (a int);\nCREATE DOMAIN pos AS int CHECK (VALUE > 0);\nALTER TYPE addr ADD ATTRIBUTE b pos;"),
        c("H13 guarded FK (old drizzle) from first new table to second", "",
          "CREATE TABLE \"orders\" (\"id\" serial PRIMARY KEY, \"user_id\" integer);\nCREATE TABLE \"users\" (\"id\" serial PRIMARY KEY);\nDO $$ BEGIN\n ALTER TABLE \"orders\" ADD CONSTRAINT \"orders_user_fk\" FOREIGN KEY (\"user_id\") REFERENCES \"public\".\"users\"(\"id\");\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;"),
        c("H14 FK on new table to new column of existing table", "CREATE TABLE users (id int);",
          "CREATE TABLE n (uid int);\nALTER TABLE users ADD COLUMN ext_id int UNIQUE;\nALTER TABLE n ADD CONSTRAINT n_fk FOREIGN KEY (uid) REFERENCES users (ext_id);"),
        // ---------- I: renames and signatures ----------
        c("I1 procedure rename with OUT args",
          "CREATE PROCEDURE p(INOUT a int, OUT b int) LANGUAGE plpgsql AS $$ BEGIN b := a; END $$;",
          "ALTER PROCEDURE p(INOUT a int, OUT b int) RENAME TO q;"),
        c("I2 function rename with OUT args",
          "CREATE FUNCTION f(a int, OUT b int) LANGUAGE sql AS 'SELECT $1';",
          "ALTER FUNCTION f(a int, OUT b int) RENAME TO g;"),
        c("I3 function with %TYPE arg", "CREATE TABLE t (id bigint);", "CREATE FUNCTION f(x t.id%TYPE) RETURNS int LANGUAGE sql AS 'SELECT 1';"),
        c("I4 function with odd type spellings", "",
          "CREATE FUNCTION g(a \"char\", b double precision, c interval hour to minute, d timestamp(3) with time zone, e bit varying(5), f character varying(10)[], g int[][], h char(3), i float(3), j national character(2)) RETURNS int LANGUAGE sql AS 'SELECT 1';"),
        c("I5 function with quoted schema type", "CREATE SCHEMA \"My\"; CREATE TYPE \"My\".\"Mood\" AS ENUM ('a');",
          "CREATE FUNCTION h(m \"My\".\"Mood\", n \"My\".\"Mood\"[]) RETURNS int LANGUAGE sql AS 'SELECT 1';"),
        c("I6 procedure with OUT arg", "", "CREATE PROCEDURE pr(IN a int, OUT b int) LANGUAGE plpgsql AS $$ BEGIN b := a; END $$;"),
        c("I7 rename index via ALTER TABLE", "CREATE TABLE t (x int); CREATE INDEX i ON t (x);", "ALTER TABLE i RENAME TO j;"),
        c("I8 rename view column via ALTER TABLE", "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t;", "ALTER TABLE v RENAME COLUMN a TO b;"),
        c("I9 enum value swap via temp name", "CREATE TYPE e AS ENUM ('a', 'b');",
          "ALTER TYPE e RENAME VALUE 'a' TO 'tmp';\nALTER TYPE e RENAME VALUE 'b' TO 'a';\nALTER TYPE e RENAME VALUE 'tmp' TO 'b';"),
        c("I10 rename column, add column with old name, PK on it", "CREATE TABLE t (id int);",
          "ALTER TABLE t RENAME COLUMN id TO old_id;\nALTER TABLE t ADD COLUMN id bigint;\nALTER TABLE t ADD CONSTRAINT t_pk PRIMARY KEY (id);"),
        c("I11 rename table with serial, then schema move", "CREATE SCHEMA a; CREATE SCHEMA b; CREATE TABLE a.t (id serial PRIMARY KEY);",
          "ALTER TABLE a.t RENAME TO u;\nALTER TABLE a.u SET SCHEMA b;"),
        c("I12 function with variadic and defaults, then rename", "",
          "CREATE FUNCTION total(a int, VARIADIC rest int[]) RETURNS int LANGUAGE sql AS 'SELECT a';\nALTER FUNCTION total(int, VARIADIC int[]) RENAME TO sum_all;"),
        // ---------- J: quoting ----------
        c("J1 unreserved keywords as column names", "CREATE TABLE t (id int);",
          "ALTER TABLE t ADD COLUMN cascade int, ADD COLUMN restrict int, ADD COLUMN \"if\" int, ADD COLUMN \"exists\" int, ADD COLUMN \"all\" int;"),
        c("J2 unicode-escape constraint name", "CREATE TABLE t (a int);", "ALTER TABLE t ADD CONSTRAINT U&\"\\00e9t\\00e9\" CHECK (a > 0);"),
        c("J3 over-long identifiers (truncated by PostgreSQL)", "CREATE TABLE t (a int);",
          "ALTER TABLE t ADD COLUMN ééééééééééééééééééééééééééééééééééééééééééééééééé int;\nCREATE INDEX aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ON t (a);"),
        c("J4 trigger named like ALL/USER keywords",
          "CREATE TABLE t (a int); CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; CREATE TRIGGER \"all\" BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f(); CREATE TRIGGER \"user\" BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f(); CREATE TRIGGER other BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();",
          "ALTER TABLE t DISABLE TRIGGER \"all\";\nALTER TABLE t DISABLE TRIGGER \"user\";"),
        c("J5 enum value with backslash under standard strings", "CREATE TYPE e AS ENUM ('a\\b');", "ALTER TYPE e RENAME VALUE 'a\\b' TO 'c';"),
        c("J6 dollar and digits in names", "CREATE TABLE t (a int);", "ALTER TABLE t ADD COLUMN a$1 int;\nCREATE INDEX t_a$1_idx ON t (a$1);"),
        // ---------- K: misc ----------
        c("K1 concurrently on new table", "", "CREATE TABLE n (x int);\nCREATE INDEX CONCURRENTLY n_x ON n (x);"),
        c("K2 new table, sequence owned by it", "", "CREATE TABLE n (id int);\nCREATE SEQUENCE s OWNED BY n.id;"),
        c("K3 serial with colliding sequence name", "CREATE SEQUENCE n_id_seq;", "CREATE TABLE n (id serial);"),
        c("K4 existing table inherits new parent", "CREATE TABLE t (a int);", "CREATE TABLE np (a int);\nALTER TABLE t INHERIT np;"),
        c("K5 extension and column of its type", "CREATE TABLE t (id int);", "CREATE EXTENSION hstore;\nALTER TABLE t ADD COLUMN h hstore;\nCREATE INDEX t_h ON t USING gin (h);"),
        c("K6 drizzle add serial PK column", "CREATE TABLE \"t\" (\"name\" text);", "ALTER TABLE \"t\" ADD COLUMN \"id\" serial PRIMARY KEY NOT NULL;"),
        c("K7 drizzle composite PK on new columns", "CREATE TABLE \"t\" (\"name\" text);",
          "ALTER TABLE \"t\" ADD COLUMN \"a\" integer NOT NULL;--> statement-breakpoint\nALTER TABLE \"t\" ADD COLUMN \"b\" integer NOT NULL;--> statement-breakpoint\nALTER TABLE \"t\" ADD CONSTRAINT \"t_a_b_pk\" PRIMARY KEY(\"a\",\"b\");"),
        c("K8 prisma shape", "",
          "-- CreateEnum\nCREATE TYPE \"Role\" AS ENUM ('USER', 'ADMIN');\n\n-- CreateTable\nCREATE TABLE \"User\" (\n    \"id\" SERIAL NOT NULL,\n    \"email\" TEXT NOT NULL,\n    \"role\" \"Role\" NOT NULL DEFAULT 'USER',\n    CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\")\n);\n\n-- CreateTable\nCREATE TABLE \"Post\" (\n    \"id\" SERIAL NOT NULL,\n    \"authorId\" INTEGER NOT NULL,\n    CONSTRAINT \"Post_pkey\" PRIMARY KEY (\"id\")\n);\n\n-- CreateIndex\nCREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\");\n\n-- AddForeignKey\nALTER TABLE \"Post\" ADD CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\") REFERENCES \"User\"(\"id\") ON DELETE RESTRICT ON UPDATE CASCADE;"),
        c("K9 matview + unique index + refresh", "CREATE TABLE t (id int);",
          "CREATE MATERIALIZED VIEW m AS SELECT id FROM t WITH NO DATA;\nCREATE UNIQUE INDEX m_id ON m (id);\nREFRESH MATERIALIZED VIEW m;"),
        c("K10 NOT VALID then VALIDATE", "CREATE TABLE u (id int PRIMARY KEY); CREATE TABLE t (uid int);",
          "ALTER TABLE t ADD CONSTRAINT t_uid_fk FOREIGN KEY (uid) REFERENCES u (id) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT t_uid_fk;"),
        c("K11 unique index concurrently then constraint USING INDEX", "CREATE TABLE t (x int);",
          "CREATE UNIQUE INDEX CONCURRENTLY t_x_idx ON t (x);\nALTER TABLE t ADD CONSTRAINT t_x_key UNIQUE USING INDEX t_x_idx;"),
        c("K12 add identity to existing NOT NULL column", "CREATE TABLE t (id int NOT NULL);", "ALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;"),
        c("K13 create or replace function created earlier", "",
          "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\nCREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2';"),
        c("K14 publication", "CREATE TABLE t (id int PRIMARY KEY);", "CREATE PUBLICATION pub FOR TABLE t;"),
        c("K15 comment on index, constraint and function created here", "CREATE TABLE t (a int);",
          "CREATE INDEX t_a ON t (a);\nCOMMENT ON INDEX t_a IS 'x';\nALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0);\nCOMMENT ON CONSTRAINT t_a_pos ON t IS 'y';\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\nCOMMENT ON FUNCTION f() IS 'z';"),
        c("K16 grant on new table", "", "CREATE TABLE n (id int);\nGRANT SELECT ON n TO PUBLIC;"),
        c("K17 comment on new column of existing table", "CREATE TABLE t (id int);", "ALTER TABLE t ADD COLUMN c int;\nCOMMENT ON COLUMN t.c IS 'x';"),
        c("K18 foreign table", "CREATE EXTENSION file_fdw; CREATE SERVER fs FOREIGN DATA WRAPPER file_fdw;",
          "CREATE FOREIGN TABLE ft (a text) SERVER fs OPTIONS (filename '/dev/null');"),
        c("K19 new table moved with unqualified SET SCHEMA", "CREATE SCHEMA b;", "CREATE TABLE n (id int);\nALTER TABLE n SET SCHEMA b;"),
        c("K20 mixed qualification of a new table", "", "CREATE TABLE \"t\" (\"id\" integer);\nALTER TABLE \"public\".\"t\" ADD CONSTRAINT \"t_pk\" PRIMARY KEY (\"id\");"),
        c("K21 unnamed statistics on new table", "", "CREATE TABLE n (a int, b int);\nCREATE STATISTICS ON a, b FROM n;"),
        c("K22 unnamed check / fk / index on a new column", "CREATE TABLE u (id int PRIMARY KEY); CREATE TABLE t (id int);",
          "ALTER TABLE t ADD COLUMN c int;\nALTER TABLE t ADD CHECK (c > 0);\nALTER TABLE t ADD FOREIGN KEY (c) REFERENCES u (id);\nCREATE INDEX ON t (c);"),
        c("K23 alter sequence of a new serial", "", "CREATE TABLE n (id serial);\nALTER SEQUENCE n_id_seq RESTART WITH 1000;"),
        c("K24 sequence created then owned", "", "CREATE TABLE n (id int);\nCREATE SEQUENCE s;\nALTER SEQUENCE s OWNED BY n.id;"),
        c("K25 update on new table", "", "CREATE TABLE n (id int);\nINSERT INTO n VALUES (1);\nUPDATE n SET id = 2;"),
        c("K26 drizzle RLS + policy on new table", "",
          "CREATE TABLE \"t\" (\"id\" integer);\n--> statement-breakpoint\nALTER TABLE \"t\" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint\nCREATE POLICY \"p\" ON \"t\" AS PERMISSIVE FOR SELECT TO public USING (true);"),
        c("K27 drizzle create schema + table + enum in schema", "",
          "CREATE SCHEMA \"app\";\n--> statement-breakpoint\nCREATE TYPE \"app\".\"st\" AS ENUM('a', 'b');--> statement-breakpoint\nCREATE TABLE \"app\".\"t\" (\"s\" \"app\".\"st\");"),
        c("K28 set schema of existing table with serial and index", "CREATE SCHEMA a; CREATE SCHEMA b; CREATE TABLE a.t (id serial PRIMARY KEY, n int); CREATE INDEX t_n ON a.t (n);", "ALTER TABLE a.t SET SCHEMA b;"),
        c("K29 enum set schema", "CREATE SCHEMA a; CREATE SCHEMA b; CREATE TYPE a.e AS ENUM ('x');", "ALTER TYPE a.e SET SCHEMA b;"),
        c("K30 rename schema then statements in it", "CREATE SCHEMA app; CREATE TABLE app.t (id int);",
          "ALTER SCHEMA app RENAME TO app2;\nALTER TABLE app2.t ADD COLUMN x int;\nCREATE INDEX t_x ON app2.t (x);"),
        c("K31 event trigger", "CREATE FUNCTION et() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;",
          "CREATE EVENT TRIGGER etr ON ddl_command_end EXECUTE FUNCTION et();"),
        c("K32 text search configuration", "", "CREATE TEXT SEARCH CONFIGURATION my_en (COPY = english);"),
        c("K33 add column then add identity on it", "CREATE TABLE t (x int);",
          "ALTER TABLE t ADD COLUMN id int NOT NULL DEFAULT 0;\nALTER TABLE t ALTER COLUMN id DROP DEFAULT;\nALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;"),
        c("K34 ONLY on inheritance parent set not null", "CREATE TABLE p (a int); CREATE TABLE c () INHERITS (p);", "ALTER TABLE ONLY p ALTER COLUMN a SET NOT NULL;"),
        c("K35 domain add constraint NOT VALID then validate", "CREATE DOMAIN d AS int;",
          "ALTER DOMAIN d ADD CONSTRAINT d_pos CHECK (VALUE > 0) NOT VALID;\nALTER DOMAIN d VALIDATE CONSTRAINT d_pos;"),
        c("K36 rename constraint of a domain", "CREATE DOMAIN d AS int CONSTRAINT d_pos CHECK (VALUE > 0);", "ALTER DOMAIN d RENAME CONSTRAINT d_pos TO d_positive;"),
        c("K37 exclusion + deferrable unique + nulls not distinct", "CREATE EXTENSION btree_gist; CREATE TABLE t (a int, r tsrange);",
          "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE NULLS NOT DISTINCT (a) DEFERRABLE INITIALLY DEFERRED;\nALTER TABLE t ADD CONSTRAINT t_excl EXCLUDE USING gist (a WITH =, r WITH &&);"),
        c("K38 create table like including all from identity table", "CREATE TABLE src (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a int CHECK (a > 0)); CREATE STATISTICS src_stat ON id, a FROM src; COMMENT ON COLUMN src.a IS 'c';",
          "CREATE TABLE dst (LIKE src INCLUDING ALL);"),
        c("K39 typed table and range type", "", "CREATE TYPE r AS RANGE (subtype = int4, multirange_type_name = r_multi);\nCREATE TYPE pair AS (a int, b int);\nCREATE TABLE pairs OF pair (PRIMARY KEY (a));"),
        c("K40 schema authorization named role", "DO $$ BEGIN CREATE ROLE adv_owner; EXCEPTION WHEN duplicate_object THEN NULL; END $$;",
          "CREATE SCHEMA AUTHORIZATION adv_owner;\nCREATE TABLE adv_owner.t (id int);"),
        c("K41 view on new column and rename", "CREATE TABLE t (id int);",
          "ALTER TABLE t ADD COLUMN c int;\nCREATE VIEW v AS SELECT c FROM t;\nALTER TABLE t RENAME COLUMN c TO d;"),
        c("K42 alter table IF EXISTS on missing table", "", "ALTER TABLE IF EXISTS missing ADD COLUMN c int;"),
        c("K43 SET NOT NULL and PK after explicit not null on existing column", "CREATE TABLE t (id int);",
          "ALTER TABLE t ALTER COLUMN id SET NOT NULL;\nALTER TABLE t ADD CONSTRAINT t_pk PRIMARY KEY (id);"),
        c("K44 insert into new table whose rule writes to existing table", "CREATE TABLE log (id int);",
          "CREATE TABLE n (id int);\nCREATE RULE n_log AS ON INSERT TO n DO ALSO INSERT INTO log VALUES (NEW.id);\nINSERT INTO n VALUES (1);"),
    ]
}

const WORKERS: usize = 2;

#[test]
fn adversarial() {
    let list = candidates();
    let server = testpg::server();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, String, bool)>> = Mutex::new(Vec::new());
    thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(cand) = list.get(i) else { break };
                let (report, bad) = run_one(server, cand);
                results.lock().unwrap().push((i, report, bad));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _, _)| *i);
    let mut bad = 0;
    for (_, report, is_bad) in &results {
        if *is_bad {
            bad += 1;
        }
        println!("{report}\n");
    }
    println!("TOTAL {} candidates, {} FAIL", results.len(), bad);
}

fn run_one(server: &testpg::Server, cand: &C) -> (String, bool) {
    let mut out = format!("=== {}\n--- setup: {}\n--- migration:\n{}\n", cand.name, cand.setup, cand.migration);
    let plan = match std::panic::catch_unwind(|| generate_rollback(cand.migration)) {
        Err(_) => return (out + "FAIL: generator panicked", true),
        Ok(Err(e)) => return (out + &format!("FAIL: error [{}] {e}", e.code()), true),
        Ok(Ok(p)) => p,
    };
    let codes: Vec<String> = plan.warnings.iter().map(|w| format!("{}: {}", w.code, w.message)).collect();
    let script = plan.rollback_script.clone().unwrap_or_default();
    out += &format!(
        "--- plan: rollbackSafe={} transactional={}\n--- script:\n{}--- warnings: {:#?}\n",
        plan.rollback_safe, plan.transactional, script, codes
    );
    if !plan.rollback_safe {
        return (out + "RESULT: REFUSED", false);
    }
    let db = server.fresh_database("adv");
    if let Err(e) = db.run(cand.setup) {
        return (out + &format!("SETUP-ERROR: {e}"), false);
    }
    let before = match db.schema_dump() {
        Ok(d) => d,
        Err(e) => return (out + &format!("DUMP-ERROR {e}"), false),
    };
    let migrate = |db: &Database| {
        if cand.migration.to_ascii_uppercase().contains("CONCURRENTLY") {
            db.run(cand.migration)
        } else {
            db.run_in_transaction(cand.migration)
        }
    };
    let apply = |db: &Database, sql: &str| if plan.transactional { db.run_in_transaction(sql) } else { db.run(sql) };
    if let Err(e) = migrate(&db) {
        return (out + &format!("MIGRATION-ERROR (candidate invalid): {e}"), false);
    }
    let migrated = db.schema_dump().unwrap();
    if migrated == before {
        out += "(note: migration did not change the dump)\n";
    }
    if let Err(e) = apply(&db, &script) {
        return (out + &format!("FAIL: rollback failed to run: {e}"), true);
    }
    let rolled = db.schema_dump().unwrap();
    if rolled != before {
        let diff = unified_diff(&before, &rolled, "before (A)", "after rollback (C)");
        return (out + &format!("FAIL: rollback did not restore the schema:\n{diff}"), true);
    }
    if let Err(e) = migrate(&db) {
        return (out + &format!("FAIL: re-applying the migration failed: {e}"), true);
    }
    let re = db.schema_dump().unwrap();
    if re != migrated {
        let diff = unified_diff(&migrated, &re, "after migration (B)", "after rollback+migration");
        return (out + &format!("FAIL: re-applied migration differs:\n{diff}"), true);
    }
    (out + "RESULT: OK", false)
}
