//! ALTER TABLE subcommands undone by setting back what the database had before the statement.
use super::{safe, unsafe_, Case};

pub const CASES: &[Case] = &[
    safe(
        "set default over an old default",
        "CREATE TABLE t (n int DEFAULT 1);",
        "ALTER TABLE t ALTER COLUMN n SET DEFAULT 2;",
        "ALTER TABLE t ALTER COLUMN n SET DEFAULT 1;\n",
    ),
    safe(
        "set default where there was none",
        "CREATE TABLE t (n int);",
        "ALTER TABLE t ALTER COLUMN n SET DEFAULT 2;",
        "ALTER TABLE t ALTER COLUMN n DROP DEFAULT;\n",
    ),
    safe(
        "drop a default that referenced a sequence (schema-qualified back)",
        "CREATE SCHEMA app; CREATE SEQUENCE app.s; CREATE TABLE app.t (n bigint DEFAULT nextval('app.s'));",
        "ALTER TABLE app.t ALTER COLUMN n DROP DEFAULT;",
        "ALTER TABLE app.t ALTER COLUMN n SET DEFAULT nextval('app.s'::regclass);\n",
    ),
    safe(
        "set default equal to the old one",
        "CREATE TABLE t (n text DEFAULT 'x');",
        "ALTER TABLE t ALTER COLUMN n SET DEFAULT 'x';",
        "ALTER TABLE t ALTER COLUMN n SET DEFAULT 'x'::text;\n",
    ),
    unsafe_(
        "set default on a parent whose child had another default",
        "CREATE TABLE p (n int); CREATE TABLE c () INHERITS (p); ALTER TABLE c ALTER COLUMN n SET DEFAULT 5;",
        "ALTER TABLE p ALTER COLUMN n SET DEFAULT 1;",
        "CHILDREN_DIFFER",
    ),
    safe(
        "set default on ONLY the parent",
        "CREATE TABLE p (n int); CREATE TABLE c () INHERITS (p); ALTER TABLE c ALTER COLUMN n SET DEFAULT 5;",
        "ALTER TABLE ONLY p ALTER COLUMN n SET DEFAULT 1;",
        "ALTER TABLE ONLY p ALTER COLUMN n DROP DEFAULT;\n",
    ),
    safe(
        "set not null on a nullable column",
        "CREATE TABLE t (a int);",
        "ALTER TABLE t ALTER COLUMN a SET NOT NULL;",
        "ALTER TABLE t ALTER COLUMN a DROP NOT NULL;\n",
    ),
    safe(
        "set not null that was already set",
        "CREATE TABLE t (a int NOT NULL);",
        "ALTER TABLE t ALTER COLUMN a SET NOT NULL;",
        "",
    ),
    safe(
        "drop not null of a nullable column",
        "CREATE TABLE t (a int);",
        "ALTER TABLE t ALTER COLUMN a DROP NOT NULL;",
        "",
    ),
    safe(
        "drop not null",
        "CREATE TABLE t (a int NOT NULL);",
        "ALTER TABLE t ALTER COLUMN a DROP NOT NULL;",
        "ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n",
    ),
    unsafe_(
        "set not null on a parent whose child was already not null",
        "CREATE TABLE p (a int); CREATE TABLE c (a int NOT NULL) INHERITS (p);",
        "ALTER TABLE p ALTER COLUMN a SET NOT NULL;",
        "CHILDREN_DIFFER",
    ),
    safe(
        "set not null on a partitioned table",
        "CREATE TABLE p (a int, k int) PARTITION BY LIST (k); CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1);",
        "ALTER TABLE p ALTER COLUMN a SET NOT NULL;",
        "ALTER TABLE p ALTER COLUMN a DROP NOT NULL;\n",
    ),
    safe(
        "enable row level security, force it, once already enabled",
        "CREATE TABLE t (a int); CREATE TABLE u (a int); ALTER TABLE u ENABLE ROW LEVEL SECURITY;",
        "ALTER TABLE t ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;\nALTER TABLE u ENABLE ROW LEVEL SECURITY;",
        "ALTER TABLE t NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;\n",
    ),
    safe(
        "disable row level security",
        "CREATE TABLE t (a int); ALTER TABLE t ENABLE ROW LEVEL SECURITY;",
        "ALTER TABLE t DISABLE ROW LEVEL SECURITY;",
        "ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n",
    ),
    safe(
        "disable an ENABLE ALWAYS trigger",
        "CREATE TABLE t (a int); CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE t ENABLE ALWAYS TRIGGER trg;",
        "ALTER TABLE t DISABLE TRIGGER trg;",
        "ALTER TABLE t ENABLE ALWAYS TRIGGER trg;\n",
    ),
    safe(
        "enable a trigger already enabled",
        "CREATE TABLE t (a int); CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();",
        "ALTER TABLE t ENABLE TRIGGER trg;",
        "",
    ),
    safe(
        "drop a foreign key (deferrable, on delete cascade) with a comment",
        "CREATE TABLE u (id int PRIMARY KEY); CREATE TABLE t (uid int CONSTRAINT t_uid_fk REFERENCES u ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED);
         COMMENT ON CONSTRAINT t_uid_fk ON t IS 'owner';",
        "ALTER TABLE t DROP CONSTRAINT t_uid_fk;",
        "ALTER TABLE t ADD CONSTRAINT t_uid_fk FOREIGN KEY (uid) REFERENCES public.u(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;\nCOMMENT ON CONSTRAINT t_uid_fk ON t IS 'owner';\n",
    ),
    safe(
        "drop a NOT VALID check",
        "CREATE TABLE t (a int); ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0) NOT VALID;",
        "ALTER TABLE t DROP CONSTRAINT t_a_pos;",
        "ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK ((a > 0)) NOT VALID;\n",
    ),
    safe(
        "drop a unique constraint with INCLUDE and a commented index",
        "CREATE TABLE t (a int, b int); ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a) INCLUDE (b); COMMENT ON INDEX t_a_key IS 'idx';",
        "ALTER TABLE t DROP CONSTRAINT t_a_key;",
        "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a) INCLUDE (b);\nCOMMENT ON INDEX public.t_a_key IS 'idx';\n",
    ),
    safe(
        "drop constraint if exists that does not exist",
        "CREATE TABLE t (a int);",
        "ALTER TABLE t DROP CONSTRAINT IF EXISTS nope;",
        "",
    ),
    unsafe_(
        "drop a primary key that foreign keys reference",
        "CREATE TABLE u (id int PRIMARY KEY); CREATE TABLE t (uid int REFERENCES u);",
        "ALTER TABLE u DROP CONSTRAINT u_pkey CASCADE;",
        "DROP_CONSTRAINT",
    ),
    safe(
        "add an unnamed check and foreign key",
        "CREATE TABLE u (id int PRIMARY KEY); CREATE TABLE t (a int, uid int);",
        "ALTER TABLE t ADD CHECK (a > 0);\nALTER TABLE t ADD FOREIGN KEY (uid) REFERENCES u;",
        "ALTER TABLE t DROP CONSTRAINT t_uid_fkey;\nALTER TABLE t DROP CONSTRAINT t_a_check;\n",
    ),
    safe(
        "add a primary key on a nullable existing column",
        "CREATE TABLE t (id int, b int NOT NULL);",
        "ALTER TABLE t ADD CONSTRAINT t_pk PRIMARY KEY (id, b);",
        "ALTER TABLE t DROP CONSTRAINT t_pk, ALTER COLUMN id DROP NOT NULL;\n",
    ),
    safe(
        "add an unnamed primary key",
        "CREATE TABLE t (id int);",
        "ALTER TABLE t ADD PRIMARY KEY (id);",
        "ALTER TABLE t DROP CONSTRAINT t_pkey, ALTER COLUMN id DROP NOT NULL;\n",
    ),
    unsafe_(
        "unique constraint on a partitioned table adopts a partition's",
        "CREATE TABLE p (x int) PARTITION BY RANGE (x); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10); ALTER TABLE p1 ADD CONSTRAINT p1_x_key UNIQUE (x);",
        "ALTER TABLE p ADD CONSTRAINT p_x_key UNIQUE (x);",
        "ADOPTED_EXISTING",
    ),
    safe(
        "unique constraint on a partitioned table without an equal one",
        "CREATE TABLE p (x int) PARTITION BY RANGE (x); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10); ALTER TABLE p1 ADD CONSTRAINT p1_check CHECK (x > 0);",
        "ALTER TABLE p ADD CONSTRAINT p_x_key UNIQUE (x);",
        "ALTER TABLE p DROP CONSTRAINT p_x_key;\n",
    ),
    safe(
        "constraint using an existing index",
        "CREATE TABLE t (x int); CREATE UNIQUE INDEX t_x_idx ON t (x);",
        "ALTER TABLE t ADD CONSTRAINT t_x_key UNIQUE USING INDEX t_x_idx;",
        "ALTER TABLE t DROP CONSTRAINT t_x_key;\nCREATE UNIQUE INDEX t_x_idx ON public.t USING btree (x);\n",
    ),
    safe(
        "validate a NOT VALID foreign key",
        "CREATE TABLE u (id int PRIMARY KEY); CREATE TABLE t (uid int); ALTER TABLE t ADD CONSTRAINT t_fk FOREIGN KEY (uid) REFERENCES u NOT VALID;",
        "ALTER TABLE t VALIDATE CONSTRAINT t_fk;",
        "ALTER TABLE t DROP CONSTRAINT t_fk, ADD CONSTRAINT t_fk FOREIGN KEY (uid) REFERENCES public.u(id) NOT VALID;\n",
    ),
    safe(
        "validate a constraint already valid",
        "CREATE TABLE t (a int CONSTRAINT t_a_pos CHECK (a > 0));",
        "ALTER TABLE t VALIDATE CONSTRAINT t_a_pos;",
        "",
    ),
    safe(
        "add column if not exists that existed",
        "CREATE TABLE t (a int);",
        "ALTER TABLE t ADD COLUMN IF NOT EXISTS a int;",
        "",
    ),
    safe(
        "add column if not exists that did not exist",
        "CREATE TABLE t (a int);",
        "ALTER TABLE t ADD COLUMN IF NOT EXISTS b int;",
        "ALTER TABLE t DROP COLUMN b;\n",
    ),
    unsafe_(
        "add column to a parent merges with a child's column",
        "CREATE TABLE p (a int); CREATE TABLE c (b int) INHERITS (p);",
        "ALTER TABLE p ADD COLUMN b int NOT NULL DEFAULT 0;",
        "MERGED_COLUMN",
    ),
    safe(
        "owner to another role",
        "CREATE TABLE t (a int);",
        "ALTER TABLE t OWNER TO captured_owner;",
        "ALTER TABLE t OWNER TO postgres;\n",
    ),
    safe(
        "set logged state and storage options",
        "CREATE UNLOGGED TABLE t (a int) WITH (fillfactor = 70);",
        "ALTER TABLE t SET LOGGED;\nALTER TABLE t SET (fillfactor = 50, autovacuum_enabled = false);",
        "ALTER TABLE t RESET (autovacuum_enabled), SET (fillfactor='70');\nALTER TABLE t SET UNLOGGED;\n",
    ),
    safe(
        "replica identity and cluster",
        "CREATE TABLE t (a int NOT NULL); CREATE UNIQUE INDEX t_a ON t (a); ALTER TABLE t REPLICA IDENTITY FULL;",
        "ALTER TABLE t REPLICA IDENTITY USING INDEX t_a;\nALTER TABLE t CLUSTER ON t_a;",
        "ALTER TABLE t SET WITHOUT CLUSTER;\nALTER TABLE t REPLICA IDENTITY FULL;\n",
    ),
    unsafe_(
        "alter column type stays unsafe, with the change back offered",
        "CREATE TABLE t (a int);",
        "ALTER TABLE t ALTER COLUMN a TYPE bigint;",
        "COLUMN_TYPE",
    ),
    safe(
        "attach an existing table as a partition",
        "CREATE TABLE p (x int, y int) PARTITION BY RANGE (x); CREATE INDEX p_y ON p (y);
         CREATE TABLE u (id int PRIMARY KEY); ALTER TABLE p ADD CONSTRAINT p_y_fk FOREIGN KEY (y) REFERENCES u;
         CREATE TABLE p1 (x int, y int); CREATE INDEX p1_x ON p1 (x);",
        "ALTER TABLE p ATTACH PARTITION p1 FOR VALUES FROM (0) TO (10);",
        "ALTER TABLE p DETACH PARTITION p1;\nALTER TABLE p1 DROP CONSTRAINT p_y_fk;\nDROP INDEX public.p1_y_idx;\n",
    ),
    safe(
        "attach a partition that already had the parent's index",
        "CREATE TABLE p (x int, y int) PARTITION BY RANGE (x); CREATE INDEX p_y ON p (y); CREATE TABLE p1 (x int, y int); CREATE INDEX p1_y ON p1 (y);",
        "ALTER TABLE p ATTACH PARTITION p1 FOR VALUES FROM (0) TO (10);",
        "ALTER TABLE p DETACH PARTITION p1;\n",
    ),
    safe(
        "detach a partition",
        "CREATE TABLE p (x int) PARTITION BY RANGE (x); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);",
        "ALTER TABLE p DETACH PARTITION p1;",
        "ALTER TABLE p ATTACH PARTITION p1 FOR VALUES FROM (0) TO (10);\n",
    ),
];
