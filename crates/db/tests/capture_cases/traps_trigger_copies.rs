//! Copies of a partitioned table's triggers on its partitions, and foreign keys' triggers on partitions, as
//! each PostgreSQL version catalogues them: PostgreSQL 14 marks a copy `tgisinternal`, lets it be renamed apart
//! from the parent's trigger (and renames the parent's alone), and hangs a foreign key's triggers on copies of
//! the key without `tgparentid`. Proved when called safe, on every version they run on.
use super::{trap, Trap};

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

/// The same tree with quoted names in a schema of its own.
macro_rules! quoted_tree {
    ($extra:literal) => {
        concat!(
            r#"CREATE SCHEMA "S x"; CREATE TABLE "S x"."P" (n int) PARTITION BY RANGE (n);
    CREATE TABLE "S x"."P 1" PARTITION OF "S x"."P" FOR VALUES FROM (0) TO (10) PARTITION BY RANGE (n);
    CREATE TABLE "S x"."P 1 1" PARTITION OF "S x"."P 1" FOR VALUES FROM (0) TO (5);
    CREATE TABLE "S x"."P 2" PARTITION OF "S x"."P" FOR VALUES FROM (10) TO (20);
    CREATE FUNCTION "S x".f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
    CREATE TRIGGER "T g" AFTER INSERT ON "S x"."P" FOR EACH ROW EXECUTE FUNCTION "S x".f();"#,
            $extra
        )
    };
}

pub const TRAPS: &[Trap] = &[
    // Enabled states of copies, read where each version keeps them.
    trap(
        "ENABLE REPLICA on a sub-partition's copy, quoted names in a schema",
        quoted_tree!(""),
        r#"ALTER TABLE "S x"."P 1 1" ENABLE REPLICA TRIGGER "T g";"#,
    ),
    trap(
        "ENABLE ALWAYS on the middle level's copy, quoted, its sub-partition's copy disabled",
        quoted_tree!(r#"ALTER TABLE ONLY "S x"."P 1 1" DISABLE TRIGGER "T g";"#),
        r#"ALTER TABLE "S x"."P 1" ENABLE ALWAYS TRIGGER "T g";"#,
    ),
    trap(
        "ENABLE on a disabled copy through search_path",
        quoted_tree!(r#"ALTER TABLE ONLY "S x"."P 2" DISABLE TRIGGER "T g";"#),
        r#"SET search_path TO "S x"; ALTER TABLE "P 2" ENABLE TRIGGER "T g";"#,
    ),
    trap(
        "DISABLE a copy of a constraint trigger on a partition",
        tree!("CREATE CONSTRAINT TRIGGER ct AFTER INSERT ON p DEFERRABLE FOR EACH ROW EXECUTE FUNCTION f();"),
        "ALTER TABLE p2 DISABLE TRIGGER ct;",
    ),
    trap(
        "DISABLE a copy of a constraint trigger on the middle level, then detach it",
        tree!("CREATE CONSTRAINT TRIGGER ct AFTER INSERT ON p DEFERRABLE FOR EACH ROW EXECUTE FUNCTION f();"),
        "ALTER TABLE p1 DISABLE TRIGGER ct; ALTER TABLE p DETACH PARTITION p1;",
    ),
    trap(
        "detach a partition whose constraint trigger copy is disabled on a sub-partition",
        tree!("CREATE CONSTRAINT TRIGGER ct AFTER INSERT ON p DEFERRABLE FOR EACH ROW EXECUTE FUNCTION f();
               ALTER TABLE ONLY p12 DISABLE TRIGGER ct;"),
        "ALTER TABLE p DETACH PARTITION p1;",
    ),
    trap(
        "DISABLE a sub-partition's copy, then the parent's trigger, then ENABLE the copy again",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f();"),
        "ALTER TABLE p11 DISABLE TRIGGER tg; ALTER TABLE ONLY p DISABLE TRIGGER tg; ALTER TABLE p11 ENABLE TRIGGER tg;",
    ),
    // Foreign keys' triggers on partitions, referencing and referenced side, one and two levels down.
    trap(
        "detach the middle level of a referenced table whose sub-partition's action triggers are disabled",
        tree!("ALTER TABLE p ADD PRIMARY KEY (n); CREATE TABLE r (n int REFERENCES p); ALTER TABLE p12 DISABLE TRIGGER ALL;"),
        "ALTER TABLE p DETACH PARTITION p1;",
    ),
    trap(
        "detach a sub-partition of a referenced table whose action triggers are disabled, quoted",
        r#"CREATE SCHEMA "S x"; CREATE TABLE "S x"."P" (n int PRIMARY KEY) PARTITION BY RANGE (n);
           CREATE TABLE "S x"."P 1" PARTITION OF "S x"."P" FOR VALUES FROM (0) TO (10) PARTITION BY RANGE (n);
           CREATE TABLE "S x"."P 1 1" PARTITION OF "S x"."P 1" FOR VALUES FROM (0) TO (5);
           CREATE TABLE "S x"."R" ("N" int REFERENCES "S x"."P"); ALTER TABLE "S x"."P 1 1" DISABLE TRIGGER ALL;"#,
        r#"ALTER TABLE "S x"."P 1" DETACH PARTITION "S x"."P 1 1";"#,
    ),
    trap(
        "detach a partition of a partitioned referencing table whose check triggers are disabled two levels down",
        tree!("CREATE TABLE r (n int PRIMARY KEY); ALTER TABLE p ADD FOREIGN KEY (n) REFERENCES r;
               ALTER TABLE p12 DISABLE TRIGGER ALL;"),
        "ALTER TABLE p DETACH PARTITION p1;",
    ),
    trap(
        "detach a partition of a table that references a partitioned table, its check triggers disabled",
        "CREATE TABLE r (n int PRIMARY KEY) PARTITION BY RANGE (n); CREATE TABLE r1 PARTITION OF r FOR VALUES FROM (0) TO (10);
         CREATE TABLE c (n int REFERENCES r) PARTITION BY RANGE (n); CREATE TABLE c1 PARTITION OF c FOR VALUES FROM (0) TO (10);
         ALTER TABLE c1 DISABLE TRIGGER ALL;",
        "ALTER TABLE c DETACH PARTITION c1;",
    ),
    trap(
        "detach a partition of a referenced table whose foreign key is its own, its action triggers disabled",
        tree!("ALTER TABLE p2 ADD PRIMARY KEY (n); CREATE TABLE r (n int REFERENCES p2); ALTER TABLE p2 DISABLE TRIGGER ALL;"),
        "ALTER TABLE p DETACH PARTITION p2;",
    ),
    trap(
        "DISABLE TRIGGER ALL on a partition of a referenced table, then detach it, then attach it again",
        tree!("ALTER TABLE p ADD PRIMARY KEY (n); CREATE TABLE r (n int REFERENCES p);"),
        "ALTER TABLE p2 DISABLE TRIGGER ALL; ALTER TABLE p DETACH PARTITION p2;
         ALTER TABLE p ATTACH PARTITION p2 FOR VALUES FROM (10) TO (20);",
    ),
    // PostgreSQL 14 renames a copy on its own, and the parent's trigger without its copies (15 refuses the first
    // and renames the copies with the parent's): ATTACH names new copies after the parent's trigger.
    trap(
        "rename a sub-partition's copy",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f();"),
        "ALTER TRIGGER tg ON p11 RENAME TO \"Other Name\";",
    )
    .until(14),
    trap(
        "detach a partition whose copy was renamed",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TRIGGER tg ON p2 RENAME TO x;"),
        "ALTER TABLE p DETACH PARTITION p2;",
    )
    .until(14),
    trap(
        "detach the middle level after the parent's trigger was renamed without its copies",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TRIGGER tg ON p RENAME TO y;"),
        "ALTER TABLE p DETACH PARTITION p1;",
    )
    .until(14),
    trap(
        "detach a partition whose renamed copy is disabled, quoted",
        quoted_tree!(r#"ALTER TRIGGER "T g" ON "S x"."P 2" RENAME TO "t G"; ALTER TABLE "S x"."P 2" DISABLE TRIGGER "t G";"#),
        r#"ALTER TABLE "S x"."P" DETACH PARTITION "S x"."P 2";"#,
    )
    .until(14),
    trap(
        "rename the parent's trigger while a copy has a name of its own, then disable the copy",
        tree!("CREATE TRIGGER tg AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f(); ALTER TRIGGER tg ON p12 RENAME TO own;"),
        "ALTER TRIGGER tg ON p RENAME TO tg2; ALTER TABLE p12 DISABLE TRIGGER own;",
    )
    .until(14),
];
