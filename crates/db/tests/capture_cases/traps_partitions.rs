//! Partitioned tables and inheritance several levels deep: constraints and indexes that merge with or adopt
//! ones further down, trigger clones in their own state, partitions detached and attached again, column
//! changes that recurse. Whatever the plan says, a rollback called safe must restore the schema.
use super::{safe, unsafe_, Case, Trap};

const fn t(name: &'static str, setup: &'static str, migration: &'static str) -> Trap {
    super::trap(name, setup, migration)
}

/// p -> p1 (partitioned) -> p11, p12; p -> p2, and a trigger function; then `$extra`.
macro_rules! tree {
    ($extra:literal) => {
        concat!(
            "CREATE TABLE p (n int, m int) PARTITION BY RANGE (n);
    CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10) PARTITION BY RANGE (n);
    CREATE TABLE p11 PARTITION OF p1 FOR VALUES FROM (0) TO (5);
    CREATE TABLE p12 PARTITION OF p1 FOR VALUES FROM (5) TO (10);
    CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (10) TO (20);
    CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';",
            $extra
        )
    };
}

/// What the plan says for each class: the exact script where it can be undone, the code where it cannot.
pub const CASES: &[Case] = &[
    unsafe_(
        "CHECK on the parent merging with a sub-partition's own",
        tree!("ALTER TABLE p11 ADD CONSTRAINT c CHECK (n > 0);"),
        "ALTER TABLE p ADD CONSTRAINT c CHECK (n > 0);",
        "ADOPTED_EXISTING",
    ),
    safe(
        "CHECK on the parent where no partition had one",
        tree!("ALTER TABLE p11 ADD CONSTRAINT d CHECK (n > 0);"),
        "ALTER TABLE p ADD CONSTRAINT c CHECK (n > 0);",
        "ALTER TABLE p DROP CONSTRAINT c;\n",
    ),
    safe(
        "CHECK on a plain inheritance parent merging with a grandchild's (it stays the grandchild's own)",
        "CREATE TABLE t (n int); CREATE TABLE c1 () INHERITS (t); CREATE TABLE c2 () INHERITS (c1);
         ALTER TABLE c2 ADD CONSTRAINT c CHECK (n > 0);",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (n > 0);",
        "ALTER TABLE t DROP CONSTRAINT c;\n",
    ),
    unsafe_(
        "index on the parent adopting a sub-partition's",
        tree!("CREATE INDEX p11_mine ON p11 (m);"),
        "CREATE INDEX pi ON p (m);",
        "ADOPTED_EXISTING",
    ),
    unsafe_(
        "UNIQUE on the parent adopting a sub-partition's",
        tree!("ALTER TABLE p12 ADD CONSTRAINT p12_key UNIQUE (n, m);"),
        "ALTER TABLE p ADD CONSTRAINT pk UNIQUE (n, m);",
        "ADOPTED_EXISTING",
    ),
    unsafe_(
        "PRIMARY KEY on the parent adopting a sub-partition's",
        tree!("ALTER TABLE p ALTER COLUMN n SET NOT NULL; ALTER TABLE p11 ADD PRIMARY KEY (n);"),
        "ALTER TABLE p ADD PRIMARY KEY (n);",
        "ADOPTED_EXISTING",
    ),
    safe(
        "detach restores the states of trigger clones at every depth",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE p DISABLE TRIGGER tg;
               ALTER TABLE ONLY p11 ENABLE TRIGGER tg; ALTER TABLE ONLY p12 ENABLE REPLICA TRIGGER tg;"),
        "ALTER TABLE p DETACH PARTITION p1;",
        "ALTER TABLE p ATTACH PARTITION p1 FOR VALUES FROM (0) TO (10);\n\
         ALTER TABLE ONLY public.p11 ENABLE TRIGGER tg;\n\
         ALTER TABLE ONLY public.p12 ENABLE REPLICA TRIGGER tg;\n",
    ),
    unsafe_(
        "detach while an ON ONLY parent index has none on the partition",
        tree!("CREATE INDEX pi ON ONLY p (m);"),
        "ALTER TABLE p DETACH PARTITION p2;",
        "ATTACH_PARTITION",
    ),
    unsafe_(
        "CREATE OR REPLACE TRIGGER while a sub-partition's clone is disabled",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE ONLY p11 DISABLE TRIGGER tg;"),
        "CREATE OR REPLACE TRIGGER tg AFTER INSERT OR UPDATE ON p FOR EACH ROW EXECUTE FUNCTION f();",
        "OR_REPLACE",
    ),
    unsafe_(
        "DISABLE TRIGGER on the parent while a sub-partition's clone is in another state",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE ONLY p12 ENABLE REPLICA TRIGGER tg;"),
        "ALTER TABLE p DISABLE TRIGGER tg;",
        "CHILDREN_DIFFER",
    ),
    unsafe_(
        "DROP TRIGGER on the parent while a sub-partition's clone is disabled",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE ONLY p11 DISABLE TRIGGER tg;"),
        "DROP TRIGGER tg ON p;",
        "DROP_OBJECT",
    ),
    unsafe_(
        "attach a partitioned table whose partition's index is adopted",
        tree!("CREATE INDEX pi ON p (m);
               CREATE TABLE p3 (n int, m int) PARTITION BY RANGE (n); CREATE TABLE p31 PARTITION OF p3 FOR VALUES FROM (20) TO (25);
               CREATE INDEX p31_mine ON p31 (m);"),
        "ALTER TABLE p ATTACH PARTITION p3 FOR VALUES FROM (20) TO (30);",
        "ATTACH_PARTITION",
    ),
    safe(
        "attach a partitioned table whose partitions get what the parent has",
        tree!("CREATE INDEX pi ON p (m);
               CREATE TABLE p3 (n int, m int) PARTITION BY RANGE (n); CREATE TABLE p31 PARTITION OF p3 FOR VALUES FROM (20) TO (25);"),
        "ALTER TABLE p ATTACH PARTITION p3 FOR VALUES FROM (20) TO (30);",
        "ALTER TABLE p DETACH PARTITION p3;\nDROP INDEX public.p3_m_idx;\n",
    ),
    safe(
        "create a partition while another still lacks the ON ONLY index",
        tree!("CREATE INDEX pi ON ONLY p (m);"),
        "CREATE TABLE p3 PARTITION OF p FOR VALUES FROM (20) TO (30);",
        "ALTER TABLE p DETACH PARTITION p3;\nDROP TABLE p3;\n",
    ),
    unsafe_(
        "detach a partition of a referenced table whose foreign key triggers are disabled",
        tree!("ALTER TABLE p ADD PRIMARY KEY (n); CREATE TABLE r (n int REFERENCES p); ALTER TABLE p2 DISABLE TRIGGER ALL;"),
        "ALTER TABLE p DETACH PARTITION p2;",
        "ATTACH_PARTITION",
    ),
];

pub const TRAPS: &[Trap] = &[
    // A CHECK added to a parent merges with an equal one a partition (any level down) already had; on a
    // partition the merged one stops being local, so dropping the parent's drops it.
    t(
        "CHECK merges with a partition's own equal CHECK, one level down",
        tree!("ALTER TABLE p2 ADD CONSTRAINT c CHECK (n > 0);"),
        "ALTER TABLE p ADD CONSTRAINT c CHECK (n > 0);",
    ),
    t(
        "CHECK merges with a sub-partition's own equal CHECK, two levels down",
        tree!("ALTER TABLE p11 ADD CONSTRAINT c CHECK (n > 0);"),
        "ALTER TABLE p ADD CONSTRAINT c CHECK (n > 0);",
    ),
    t(
        "CHECK NOT VALID merges with a sub-partition's own, quoted names in a schema",
        r#"CREATE SCHEMA "S q"; CREATE TABLE "S q"."P" ("N" int) PARTITION BY LIST ("N");
           CREATE TABLE "S q"."P a" PARTITION OF "S q"."P" FOR VALUES IN (1, 2) PARTITION BY LIST ("N");
           CREATE TABLE "S q"."P a 1" PARTITION OF "S q"."P a" FOR VALUES IN (1);
           ALTER TABLE "S q"."P a 1" ADD CONSTRAINT "C ""x""" CHECK ("N" > 0);"#,
        r#"ALTER TABLE "S q"."P" ADD CONSTRAINT "C ""x""" CHECK ("N" > 0) NOT VALID;"#,
    ),
    t(
        "CHECK on the middle level merges with a sub-partition's",
        tree!("ALTER TABLE p12 ADD CONSTRAINT c CHECK (m IS NOT NULL);"),
        "ALTER TABLE p1 ADD CONSTRAINT c CHECK (m IS NOT NULL);",
    ),
    t(
        "CHECK merges with a grandchild's in plain inheritance",
        "CREATE TABLE t (n int); CREATE TABLE c1 () INHERITS (t); CREATE TABLE c2 () INHERITS (c1);
         ALTER TABLE c2 ADD CONSTRAINT c CHECK (n > 0);",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (n > 0);",
    ),
    t(
        "CHECK NO INHERIT with ONLY on a plain inheritance parent whose grandchild has one of the same name",
        "CREATE TABLE t (n int); CREATE TABLE c1 () INHERITS (t); CREATE TABLE c2 () INHERITS (c1);
         ALTER TABLE c2 ADD CONSTRAINT c CHECK (n > 0);",
        "ALTER TABLE ONLY t ADD CONSTRAINT c CHECK (n > 0) NO INHERIT;",
    ),
    t(
        "CHECK, then a second one in the same migration, with a merge only for the second",
        tree!("ALTER TABLE p11 ADD CONSTRAINT d CHECK (m > 0);"),
        "ALTER TABLE p ADD CONSTRAINT c CHECK (n >= 0), ADD CONSTRAINT d CHECK (m > 0);",
    ),
    // An index created on a parent adopts an equal index (or a key's index) of a partition at any depth.
    t(
        "index on the parent adopts a sub-partition's equal index, two levels down",
        tree!("CREATE INDEX p11_mine ON p11 (m);"),
        "CREATE INDEX pi ON p (m);",
    ),
    t(
        "unnamed index on the parent adopts a sub-partition's equal index",
        tree!("CREATE INDEX p12_mine ON p12 (m);"),
        "CREATE INDEX ON p (m);",
    ),
    t(
        "unique index on the parent adopts a sub-partition's UNIQUE constraint index",
        tree!("ALTER TABLE p11 ADD CONSTRAINT p11_key UNIQUE (n, m);"),
        "CREATE UNIQUE INDEX pu ON p (n, m);",
    ),
    t(
        "UNIQUE constraint on the parent adopts a sub-partition's UNIQUE constraint",
        tree!("ALTER TABLE p12 ADD CONSTRAINT p12_key UNIQUE (n, m);"),
        "ALTER TABLE p ADD CONSTRAINT pk UNIQUE (n, m);",
    ),
    t(
        "PRIMARY KEY on the parent adopts a sub-partition's primary key",
        tree!("ALTER TABLE p11 ADD PRIMARY KEY (n);"),
        "ALTER TABLE p ADD PRIMARY KEY (n);",
    ),
    t(
        "index on the middle level adopts a sub-partition's equal index",
        tree!("CREATE INDEX p11_mine ON p11 (m);"),
        "CREATE INDEX p1i ON p1 (m);",
    ),
    t(
        "foreign key on the parent adopts a sub-partition's equal foreign key",
        tree!("CREATE TABLE r (n int PRIMARY KEY); ALTER TABLE p11 ADD CONSTRAINT p11_fk FOREIGN KEY (n) REFERENCES r;"),
        "ALTER TABLE p ADD CONSTRAINT pfk FOREIGN KEY (n) REFERENCES r;",
    ),
    // DETACH PARTITION drops the clones of the parent's triggers; attaching again clones them in the parent's state.
    t(
        "detach a partition whose trigger clone is disabled",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE ONLY p2 DISABLE TRIGGER tg;"),
        "ALTER TABLE p DETACH PARTITION p2;",
    ),
    t(
        "detach a partitioned partition whose sub-partition's trigger clone is enabled while the rest is disabled",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE p DISABLE TRIGGER tg;
               ALTER TABLE ONLY p11 ENABLE TRIGGER tg;"),
        "ALTER TABLE p DETACH PARTITION p1;",
    ),
    t(
        "detach a partition whose trigger clone is ENABLE ALWAYS, quoted names",
        r#"CREATE TABLE "P" (n int) PARTITION BY RANGE (n);
           CREATE TABLE "P 1" PARTITION OF "P" FOR VALUES FROM (0) TO (10);
           CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
           CREATE TRIGGER "T g" AFTER INSERT ON "P" FOR EACH ROW EXECUTE FUNCTION f();
           ALTER TABLE ONLY "P 1" ENABLE ALWAYS TRIGGER "T g";"#,
        r#"ALTER TABLE "P" DETACH PARTITION "P 1";"#,
    ),
    t(
        "detach a partition while an ON ONLY parent index has no index on it",
        tree!("CREATE INDEX pi ON ONLY p (m);"),
        "ALTER TABLE p DETACH PARTITION p2;",
    ),
    t(
        "detach a partitioned partition while an ON ONLY index of the middle level has none on a sub-partition",
        tree!("CREATE INDEX pi ON ONLY p (m); CREATE INDEX p1i ON ONLY p1 (m); ALTER INDEX pi ATTACH PARTITION p1i;"),
        "ALTER TABLE p DETACH PARTITION p1;",
    ),
    t(
        "detach a partition whose index is attached to an ON ONLY parent index",
        tree!("CREATE INDEX pi ON ONLY p (m); CREATE INDEX p2i ON p2 (m); ALTER INDEX pi ATTACH PARTITION p2i;"),
        "ALTER TABLE p DETACH PARTITION p2;",
    ),
    t(
        "detach the default partition",
        tree!("CREATE TABLE pd PARTITION OF p DEFAULT; CREATE INDEX pi ON p (m);"),
        "ALTER TABLE p DETACH PARTITION pd;",
    ),
    t(
        "detach a partition of a table that a foreign key references",
        tree!("ALTER TABLE p ADD PRIMARY KEY (n); CREATE TABLE r (n int REFERENCES p);"),
        "ALTER TABLE p DETACH PARTITION p2;",
    ),
    t(
        "detach a partition with a foreign key from the parent and a key",
        tree!("CREATE TABLE r (n int PRIMARY KEY); ALTER TABLE p ADD FOREIGN KEY (n) REFERENCES r; ALTER TABLE p ADD UNIQUE (n, m);"),
        "ALTER TABLE p DETACH PARTITION p1;",
    ),
    // Trigger changes on a parent reach every clone, at any depth.
    t(
        "CREATE OR REPLACE TRIGGER on the parent while a sub-partition's clone is disabled",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE ONLY p11 DISABLE TRIGGER tg;"),
        "CREATE OR REPLACE TRIGGER tg AFTER INSERT OR UPDATE ON p FOR EACH ROW EXECUTE FUNCTION f();",
    ),
    t(
        "CREATE OR REPLACE TRIGGER on the parent while a partition's clone is disabled",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE ONLY p2 DISABLE TRIGGER tg;"),
        "CREATE OR REPLACE TRIGGER tg AFTER INSERT OR UPDATE ON p FOR EACH ROW EXECUTE FUNCTION f();",
    ),
    t(
        "DISABLE TRIGGER on the parent while a sub-partition's clone is ENABLE REPLICA",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE ONLY p12 ENABLE REPLICA TRIGGER tg;"),
        "ALTER TABLE p DISABLE TRIGGER tg;",
    ),
    t(
        "ENABLE TRIGGER on the parent while a sub-partition's clone stays disabled",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE p DISABLE TRIGGER tg;
               ALTER TABLE ONLY p1 ENABLE TRIGGER tg;"),
        "ALTER TABLE p ENABLE TRIGGER tg;",
    ),
    t(
        "DROP TRIGGER on the parent while a sub-partition's clone is disabled",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE ONLY p11 DISABLE TRIGGER tg;"),
        "DROP TRIGGER tg ON p;",
    ),
    t(
        "DROP TRIGGER on the middle level's own trigger while its sub-partition's clone is disabled",
        tree!("CREATE TRIGGER tg1 AFTER INSERT ON p1 FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE ONLY p12 DISABLE TRIGGER tg1;"),
        "DROP TRIGGER tg1 ON p1;",
    ),
    t(
        "ONLY DISABLE TRIGGER on the parent leaves the clones",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE ONLY p11 DISABLE TRIGGER tg;"),
        "ALTER TABLE ONLY p DISABLE TRIGGER tg;",
    ),
    t(
        "DISABLE a sub-partition's clone directly",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f();"),
        "ALTER TABLE p11 DISABLE TRIGGER tg;",
    ),
    // Column properties on multi-level trees.
    t(
        "SET DEFAULT on the parent while a sub-partition has its own default",
        tree!("ALTER TABLE p ALTER COLUMN m SET DEFAULT 1; ALTER TABLE p11 ALTER COLUMN m SET DEFAULT 7;"),
        "ALTER TABLE p ALTER COLUMN m SET DEFAULT 2;",
    ),
    t(
        "ONLY SET DEFAULT on the parent",
        tree!("ALTER TABLE p11 ALTER COLUMN m SET DEFAULT 7;"),
        "ALTER TABLE ONLY p ALTER COLUMN m SET DEFAULT 2;",
    ),
    t(
        "SET NOT NULL on the parent while a sub-partition already is NOT NULL",
        tree!("ALTER TABLE p12 ALTER COLUMN m SET NOT NULL;"),
        "ALTER TABLE p ALTER COLUMN m SET NOT NULL;",
    ),
    t(
        "DROP NOT NULL on the middle level while the parent stays NOT NULL elsewhere",
        tree!("ALTER TABLE p1 ALTER COLUMN m SET NOT NULL; ALTER TABLE p2 ALTER COLUMN m SET NOT NULL;"),
        "ALTER TABLE p1 ALTER COLUMN m DROP NOT NULL;",
    ),
    t(
        "SET NOT NULL in plain inheritance three levels deep, grandchild already NOT NULL",
        "CREATE TABLE t (n int); CREATE TABLE c1 () INHERITS (t); CREATE TABLE c2 () INHERITS (c1);
         ALTER TABLE c2 ALTER COLUMN n SET NOT NULL;",
        "ALTER TABLE t ALTER COLUMN n SET NOT NULL;",
    ),
    t(
        "column options and statistics on the parent reach every level",
        tree!("ALTER TABLE p11 ALTER COLUMN m SET STATISTICS 50;"),
        "ALTER TABLE p ALTER COLUMN m SET STATISTICS 200, ALTER COLUMN m SET (n_distinct = 5);",
    ),
    t(
        "identity on a partitioned parent",
        tree!("ALTER TABLE p ALTER COLUMN m SET NOT NULL;"),
        "ALTER TABLE p ALTER COLUMN m ADD GENERATED ALWAYS AS IDENTITY;",
    ),
    t(
        "add a column to the parent while a sub-partition of a plain-inheritance tree has it",
        "CREATE TABLE t (n int); CREATE TABLE c1 () INHERITS (t); CREATE TABLE c2 (x int) INHERITS (c1);",
        "ALTER TABLE t ADD COLUMN x int;",
    ),
    // ATTACH a table that already has what the parent has, or a partitioned one whose partitions lack it.
    t(
        "attach a table that has an equal index and CHECK",
        tree!("ALTER TABLE p ADD CONSTRAINT c CHECK (n >= 0); CREATE INDEX pi ON p (m);
               CREATE TABLE p3 (n int, m int, CONSTRAINT c CHECK (n >= 0)); CREATE INDEX p3_mine ON p3 (m);"),
        "ALTER TABLE p ATTACH PARTITION p3 FOR VALUES FROM (20) TO (30);",
    ),
    t(
        "attach a partitioned table whose own index is adopted and whose partition lacks one",
        tree!("CREATE INDEX pi ON p (m);
               CREATE TABLE p3 (n int, m int) PARTITION BY RANGE (n); CREATE TABLE p31 PARTITION OF p3 FOR VALUES FROM (20) TO (25);
               CREATE INDEX p3_mine ON ONLY p3 (m);"),
        "ALTER TABLE p ATTACH PARTITION p3 FOR VALUES FROM (20) TO (30);",
    ),
    t(
        "attach a partitioned table that has the parent's CHECK, merged with its partition's own",
        tree!("ALTER TABLE p ADD CONSTRAINT c CHECK (n >= 0);
               CREATE TABLE p3 (n int, m int) PARTITION BY RANGE (n); CREATE TABLE p31 PARTITION OF p3 FOR VALUES FROM (20) TO (25);
               ALTER TABLE p31 ADD CONSTRAINT c CHECK (n >= 0); ALTER TABLE p3 ADD CONSTRAINT c CHECK (n >= 0);"),
        "ALTER TABLE p ATTACH PARTITION p3 FOR VALUES FROM (20) TO (30);",
    ),
    t(
        "attach a partitioned table with a sub-partition lacking the parent's foreign key",
        tree!("CREATE TABLE r (n int PRIMARY KEY); ALTER TABLE p ADD CONSTRAINT pfk FOREIGN KEY (n) REFERENCES r;
               CREATE TABLE p3 (n int, m int) PARTITION BY RANGE (n); CREATE TABLE p31 PARTITION OF p3 FOR VALUES FROM (20) TO (25);
               ALTER TABLE p31 ADD CONSTRAINT p31_fk FOREIGN KEY (n) REFERENCES r;"),
        "ALTER TABLE p ATTACH PARTITION p3 FOR VALUES FROM (20) TO (30);",
    ),
    t(
        "attach a partitioned table whose partition has an equal index",
        tree!("CREATE INDEX pi ON p (m);
               CREATE TABLE p3 (n int, m int) PARTITION BY RANGE (n); CREATE TABLE p31 PARTITION OF p3 FOR VALUES FROM (20) TO (25);
               CREATE INDEX p31_mine ON p31 (m);"),
        "ALTER TABLE p ATTACH PARTITION p3 FOR VALUES FROM (20) TO (30);",
    ),
    t(
        "attach a partitioned table whose partition has an equal UNIQUE constraint",
        tree!("ALTER TABLE p ADD UNIQUE (n, m);
               CREATE TABLE p3 (n int, m int) PARTITION BY RANGE (n); CREATE TABLE p31 PARTITION OF p3 FOR VALUES FROM (20) TO (25);
               ALTER TABLE p31 ADD CONSTRAINT p31_key UNIQUE (n, m);"),
        "ALTER TABLE p ATTACH PARTITION p3 FOR VALUES FROM (20) TO (30);",
    ),
    t(
        "attach a partition while the parent has a trigger and an ON ONLY index",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); CREATE INDEX pi ON ONLY p (m);
               CREATE TABLE p3 (n int, m int);"),
        "ALTER TABLE p ATTACH PARTITION p3 FOR VALUES FROM (20) TO (30);",
    ),
    t(
        "attach as the default partition a table with a foreign key like the parent's",
        tree!("CREATE TABLE r (n int PRIMARY KEY); ALTER TABLE p ADD CONSTRAINT pfk FOREIGN KEY (n) REFERENCES r;
               CREATE TABLE pd (n int, m int, CONSTRAINT pd_fk FOREIGN KEY (n) REFERENCES r);"),
        "ALTER TABLE p ATTACH PARTITION pd DEFAULT;",
    ),
    // Sub-partitions created in the migration, and foreign keys that reference partitioned tables.
    t(
        "create a sub-partitioned partition and its partitions, then index the parent",
        tree!(""),
        "CREATE TABLE p3 PARTITION OF p FOR VALUES FROM (20) TO (30) PARTITION BY LIST (m);
         CREATE TABLE p31 PARTITION OF p3 FOR VALUES IN (1); CREATE TABLE p3d PARTITION OF p3 DEFAULT;
         CREATE INDEX pi ON p (m);",
    ),
    t(
        "foreign key that references a partitioned table several levels deep",
        tree!("ALTER TABLE p ADD PRIMARY KEY (n); CREATE TABLE r (n int);"),
        "ALTER TABLE r ADD CONSTRAINT r_fk FOREIGN KEY (n) REFERENCES p;",
    ),
    t(
        "drop a foreign key that references a partitioned table",
        tree!("ALTER TABLE p ADD PRIMARY KEY (n); CREATE TABLE r (n int CONSTRAINT r_fk REFERENCES p);"),
        "ALTER TABLE r DROP CONSTRAINT r_fk;",
    ),
    t(
        "drop the index of a partitioned table whose sub-partition indexes have names of their own",
        tree!("CREATE INDEX pi ON ONLY p (m); CREATE INDEX p1i ON ONLY p1 (m); CREATE INDEX mine ON p11 (m);
               CREATE INDEX p12i ON p12 (m); CREATE INDEX p2i ON p2 (m); ALTER INDEX p1i ATTACH PARTITION mine;
               ALTER INDEX p1i ATTACH PARTITION p12i; ALTER INDEX pi ATTACH PARTITION p1i; ALTER INDEX pi ATTACH PARTITION p2i;"),
        "DROP INDEX pi;",
    ),
    t(
        "drop a CHECK of the parent that a sub-partition also has of its own",
        tree!("ALTER TABLE p11 ADD CONSTRAINT c CHECK (n > 0); ALTER TABLE p ADD CONSTRAINT c CHECK (n > 0);"),
        "ALTER TABLE p DROP CONSTRAINT c;",
    ),
    t(
        "validate a CHECK on a multi-level tree",
        tree!("ALTER TABLE p ADD CONSTRAINT c CHECK (n > 0) NOT VALID;"),
        "ALTER TABLE p VALIDATE CONSTRAINT c;",
    ),
    t(
        "detach and attach again in one migration",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE ONLY p12 DISABLE TRIGGER tg;"),
        "ALTER TABLE p DETACH PARTITION p1; ALTER TABLE p ATTACH PARTITION p1 FOR VALUES FROM (0) TO (10);",
    ),
    // Round 2.
    t(
        "PRIMARY KEY on the parent adopts a sub-partition's, key columns already NOT NULL everywhere",
        tree!("ALTER TABLE p ALTER COLUMN n SET NOT NULL; ALTER TABLE p11 ADD PRIMARY KEY (n);"),
        "ALTER TABLE p ADD PRIMARY KEY (n);",
    ),
    t(
        "UNIQUE NULLS NOT DISTINCT on the parent adopts a sub-partition's",
        tree!("ALTER TABLE p12 ADD CONSTRAINT p12_key UNIQUE NULLS NOT DISTINCT (n, m);"),
        "ALTER TABLE p ADD CONSTRAINT pk UNIQUE NULLS NOT DISTINCT (n, m);",
    )
    // NULLS NOT DISTINCT is new in PostgreSQL 15.
    .since(15),
    t(
        "CHECK on the middle level whose sub-partitions each had one of their own",
        tree!("ALTER TABLE p11 ADD CONSTRAINT c CHECK (m > 0); ALTER TABLE p12 ADD CONSTRAINT c CHECK (m > 0);"),
        "ALTER TABLE p1 ADD CONSTRAINT c CHECK (m > 0);",
    ),
    t(
        "unnamed CHECK on the parent: PostgreSQL chooses a name a sub-partition may already use",
        tree!("ALTER TABLE p11 ADD CONSTRAINT p_m_check CHECK (m > 0);"),
        "ALTER TABLE p ADD CHECK (m > 0);",
    ),
    t(
        "index created in the migration on a partition, then on the parent",
        tree!(""),
        "CREATE INDEX mine ON p11 (m); CREATE INDEX pi ON p (m);",
    ),
    t(
        "detach a partition created in the same migration",
        tree!(""),
        "CREATE TABLE p3 PARTITION OF p FOR VALUES FROM (20) TO (30); ALTER TABLE p DETACH PARTITION p3;",
    ),
    t(
        "detach, then disable the trigger on the parent",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE ONLY p2 DISABLE TRIGGER tg;"),
        "ALTER TABLE p DETACH PARTITION p2; ALTER TABLE p DISABLE TRIGGER tg;",
    ),
    t(
        "disable a clone, then detach its partition",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f();"),
        "ALTER TABLE ONLY p11 DISABLE TRIGGER tg; ALTER TABLE p DETACH PARTITION p1;",
    ),
    t(
        "detach a partition whose own trigger (not a clone) is disabled",
        tree!("CREATE TRIGGER own AFTER INSERT ON p2 FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE p2 DISABLE TRIGGER own;
               CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f();"),
        "ALTER TABLE p DETACH PARTITION p2;",
    ),
    t(
        "detach a partition with two equal indexes, one attached to the parent's",
        tree!("CREATE INDEX pi ON ONLY p (m); CREATE INDEX p2_b ON p2 (m); CREATE INDEX p2_a ON p2 (m);
               ALTER INDEX pi ATTACH PARTITION p2_a;"),
        "ALTER TABLE p DETACH PARTITION p2;",
    ),
    t(
        "detach a partition in another schema with a quoted name and a disabled clone of a statement trigger",
        r#"CREATE SCHEMA "a b"; CREATE TABLE "a b".p (n int) PARTITION BY LIST (n);
           CREATE TABLE "a b"."P""1" PARTITION OF "a b".p FOR VALUES IN (1);
           CREATE FUNCTION "a b".f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END';
           CREATE TRIGGER "t""g" AFTER INSERT ON "a b".p FOR EACH STATEMENT EXECUTE FUNCTION "a b".f();
           CREATE TRIGGER r AFTER INSERT ON "a b".p FOR EACH ROW EXECUTE FUNCTION "a b".f();
           ALTER TABLE ONLY "a b"."P""1" DISABLE TRIGGER r;"#,
        r#"ALTER TABLE "a b".p DETACH PARTITION "a b"."P""1";"#,
    ),
    t(
        "attach a partition that has a trigger of the parent's name of its own",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); CREATE TABLE p3 (n int, m int);
               CREATE TRIGGER tg2 AFTER INSERT ON p3 FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE p3 DISABLE TRIGGER tg2;"),
        "ALTER TABLE p ATTACH PARTITION p3 FOR VALUES FROM (20) TO (30);",
    ),
    t(
        "attach a partitioned table whose partition lacks the parent's trigger",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE p DISABLE TRIGGER tg;
               CREATE TABLE p3 (n int, m int) PARTITION BY RANGE (n); CREATE TABLE p31 PARTITION OF p3 FOR VALUES FROM (20) TO (25);"),
        "ALTER TABLE p ATTACH PARTITION p3 FOR VALUES FROM (20) TO (30);",
    ),
    t(
        "attach with a NOT NULL the parent has and the table lacks",
        tree!("ALTER TABLE p ALTER COLUMN m SET NOT NULL; CREATE TABLE p3 (n int, m int NOT NULL DEFAULT 3);"),
        "ALTER TABLE p ATTACH PARTITION p3 FOR VALUES FROM (20) TO (30);",
    ),
    t(
        "SET DEFAULT on the middle level, sub-partitions alike",
        tree!("ALTER TABLE p ALTER COLUMN m SET DEFAULT 1;"),
        "ALTER TABLE p1 ALTER COLUMN m SET DEFAULT 2;",
    ),
    t(
        "DROP DEFAULT on the parent while a sub-partition has another",
        tree!("ALTER TABLE p ALTER COLUMN m SET DEFAULT 1; ALTER TABLE p12 ALTER COLUMN m SET DEFAULT 5;"),
        "ALTER TABLE p ALTER COLUMN m DROP DEFAULT;",
    ),
    t(
        "rename a column of the parent: the partitions' columns follow",
        tree!("CREATE INDEX pi ON p (m);"),
        "ALTER TABLE p RENAME COLUMN m TO mm;",
    ),
    t(
        "rename a CHECK of the parent that sub-partitions inherited",
        tree!("ALTER TABLE p ADD CONSTRAINT c CHECK (n > 0);"),
        "ALTER TABLE p RENAME CONSTRAINT c TO c2;",
    ),
    t(
        "rename the index of a partitioned table",
        tree!("CREATE INDEX pi ON p (m);"),
        "ALTER INDEX pi RENAME TO pj;",
    ),
    t(
        "comment on a partitioned index and a sub-partition's trigger clone",
        tree!("CREATE INDEX pi ON p (m); CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f();"),
        "COMMENT ON INDEX pi IS 'x'; COMMENT ON TRIGGER tg ON p11 IS 'clone';",
    ),
    t(
        "row security and options on the parent only",
        tree!(""),
        "ALTER TABLE p ENABLE ROW LEVEL SECURITY; ALTER TABLE p11 SET (fillfactor = 50);",
    ),
    t(
        "owner of a partitioned table (partitions keep theirs)",
        tree!(""),
        "ALTER TABLE p OWNER TO captured_owner;",
    ),
    t(
        "replica identity on a sub-partition using an index attached to the parent's",
        tree!("ALTER TABLE p ALTER COLUMN n SET NOT NULL; ALTER TABLE p ADD CONSTRAINT pk UNIQUE (n);"),
        "ALTER TABLE p11 REPLICA IDENTITY USING INDEX p11_n_key;",
    ),
    t(
        "add a column with a default to the parent of a three-level tree",
        tree!(""),
        "ALTER TABLE p ADD COLUMN x int DEFAULT 4 NOT NULL;",
    ),
    t(
        "drop a sub-partition",
        tree!("CREATE INDEX pi ON p (m); CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f();"),
        "DROP TABLE p12;",
    ),
    t(
        "foreign key from a partitioned table to a partitioned table, both several levels deep",
        tree!("ALTER TABLE p ADD PRIMARY KEY (n); CREATE TABLE q (n int) PARTITION BY RANGE (n);
               CREATE TABLE q1 PARTITION OF q FOR VALUES FROM (0) TO (100) PARTITION BY RANGE (n);
               CREATE TABLE q11 PARTITION OF q1 FOR VALUES FROM (0) TO (50);"),
        "ALTER TABLE q ADD CONSTRAINT qfk FOREIGN KEY (n) REFERENCES p;",
    ),
    t(
        "detach a partition of a table referenced by a foreign key from a partitioned table",
        tree!("ALTER TABLE p ADD PRIMARY KEY (n); CREATE TABLE q (n int) PARTITION BY RANGE (n);
               CREATE TABLE q1 PARTITION OF q FOR VALUES FROM (0) TO (100);
               ALTER TABLE q ADD CONSTRAINT qfk FOREIGN KEY (n) REFERENCES p;"),
        "ALTER TABLE p DETACH PARTITION p2;",
    ),
    t(
        "inherit and no inherit in a multi-level plain tree",
        "CREATE TABLE t (n int CONSTRAINT c CHECK (n > 0)); CREATE TABLE c1 (n int CONSTRAINT c CHECK (n > 0));
         CREATE TABLE c2 () INHERITS (c1);",
        "ALTER TABLE c1 INHERIT t;",
    ),
    t(
        "no inherit of a middle level",
        "CREATE TABLE t (n int CONSTRAINT c CHECK (n > 0)); CREATE TABLE c1 () INHERITS (t); CREATE TABLE c2 () INHERITS (c1);",
        "ALTER TABLE c1 NO INHERIT t;",
    ),
    // Round 3: ON ONLY indexes and new partitions (an ON ONLY index on a table without partitions is valid;
    // a new partition never completes one that is not).
    t(
        "create the first partition of a table with an ON ONLY index",
        "CREATE TABLE p (n int, m int) PARTITION BY RANGE (n); CREATE INDEX pi ON ONLY p (m);",
        "CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);",
    ),
    t(
        "create a sub-partition that makes the middle level's and the root's ON ONLY indexes valid",
        "CREATE TABLE p (n int, m int) PARTITION BY RANGE (n); CREATE INDEX pi ON ONLY p (m);
         CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10) PARTITION BY RANGE (n);",
        "CREATE TABLE p11 PARTITION OF p1 FOR VALUES FROM (0) TO (10);",
    ),
    t(
        "attach the first partition of a table with an ON ONLY index",
        "CREATE TABLE p (n int, m int) PARTITION BY RANGE (n); CREATE INDEX pi ON ONLY p (m); CREATE TABLE p1 (n int, m int);",
        "ALTER TABLE p ATTACH PARTITION p1 FOR VALUES FROM (0) TO (10);",
    ),
    t(
        "create a partition while another partition still lacks the ON ONLY index",
        tree!("CREATE INDEX pi ON ONLY p (m);"),
        "CREATE TABLE p3 PARTITION OF p FOR VALUES FROM (20) TO (30);",
    ),
    t(
        "attach a table created in the migration as the first partition of a table with an ON ONLY index",
        "CREATE TABLE p (n int, m int) PARTITION BY RANGE (n); CREATE INDEX pi ON ONLY p (m);",
        "CREATE TABLE p1 (n int, m int); ALTER TABLE p ATTACH PARTITION p1 FOR VALUES FROM (0) TO (10);",
    ),
    t(
        "create a table and its partition in the migration, then an ON ONLY index and a partition",
        "",
        "CREATE TABLE p (n int, m int) PARTITION BY RANGE (n); CREATE INDEX pi ON ONLY p (m);
         CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);",
    ),
    // Round 4: internal (foreign key) triggers on partitions, states set by DISABLE TRIGGER ALL.
    t(
        "DISABLE TRIGGER ALL on a partition with foreign keys, then detach it",
        tree!("CREATE TABLE r (n int PRIMARY KEY); ALTER TABLE p ADD CONSTRAINT pfk FOREIGN KEY (n) REFERENCES r;
               CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f();"),
        "ALTER TABLE p2 DISABLE TRIGGER ALL; ALTER TABLE p DETACH PARTITION p2;",
    ),
    t(
        "detach a partition whose internal foreign key triggers are disabled",
        tree!("CREATE TABLE r (n int PRIMARY KEY); ALTER TABLE p ADD CONSTRAINT pfk FOREIGN KEY (n) REFERENCES r;
               ALTER TABLE p11 DISABLE TRIGGER ALL;"),
        "ALTER TABLE p DETACH PARTITION p1;",
    ),
    t(
        "detach a partition of a referenced table whose action triggers are disabled",
        tree!("ALTER TABLE p ADD PRIMARY KEY (n); CREATE TABLE r (n int REFERENCES p); ALTER TABLE p2 DISABLE TRIGGER ALL;"),
        "ALTER TABLE p DETACH PARTITION p2;",
    ),
    t(
        "DISABLE TRIGGER USER on the parent with a sub-partition's clone in its own state",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE ONLY p12 DISABLE TRIGGER tg;"),
        "ALTER TABLE p DISABLE TRIGGER USER;",
    ),
    t(
        "rename a trigger of the parent whose sub-partition's clone is disabled",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE ONLY p12 DISABLE TRIGGER tg;"),
        "ALTER TRIGGER tg ON p RENAME TO tg2;",
    ),
    // Round 5.
    t(
        "CHECK on one parent of a child with two parents that already inherits it from the other",
        "CREATE TABLE t1 (n int); CREATE TABLE t2 (n int CONSTRAINT c CHECK (n > 0)); CREATE TABLE c () INHERITS (t1, t2);
         CREATE TABLE g () INHERITS (c);",
        "ALTER TABLE t1 ADD CONSTRAINT c CHECK (n > 0);",
    ),
    t(
        "DISABLE TRIGGER on the middle level's clone while a sub-partition's clone is in another state",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE ONLY p12 ENABLE ALWAYS TRIGGER tg;"),
        "ALTER TABLE p1 DISABLE TRIGGER tg;",
    ),
    t(
        "detach a sub-partition from the middle level whose clone's state differs from the middle level's",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE ONLY p1 DISABLE TRIGGER tg;"),
        "ALTER TABLE p1 DETACH PARTITION p11;",
    ),
    t(
        "detach a partition with a UNIQUE key and a plain index on the same columns",
        tree!("ALTER TABLE p ADD CONSTRAINT pu UNIQUE (n, m); CREATE INDEX p2_other ON p2 (n, m);"),
        "ALTER TABLE p DETACH PARTITION p2;",
    ),
    t(
        "unnamed UNIQUE on the parent while a sub-partition has a plain unique index on the columns",
        tree!("CREATE UNIQUE INDEX p11_u ON p11 (n, m);"),
        "ALTER TABLE p ADD UNIQUE (n, m);",
    ),
    t(
        "CREATE TRIGGER on the parent, then disable it on a sub-partition, then detach the middle level",
        tree!(""),
        "CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TABLE ONLY p12 DISABLE TRIGGER tg;
         ALTER TABLE p DETACH PARTITION p1;",
    ),
];
