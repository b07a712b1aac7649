//! Partitioned tables and inheritance several levels deep: constraints and indexes that merge with or adopt
//! ones further down, trigger clones in their own state, partitions detached and attached again, column
//! changes that recurse. Whatever the plan says, a rollback called safe must restore the schema.
use super::Trap;

const fn t(name: &'static str, setup: &'static str, migration: &'static str) -> Trap {
    Trap { name, setup, migration }
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
];
