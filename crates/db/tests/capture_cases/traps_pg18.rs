//! NOT NULL constraints as catalogued rows with names: a domain's since PostgreSQL 17, a table column's (possibly
//! `NOT VALID`) since 18. Their rollbacks must bring back the name, the validity and the comment, and adding a
//! NOT NULL that already exists must not be undone by dropping the old one. Older servers refuse the syntax:
//! `tests/captured.rs` skips these there, saying so.
use super::VersionedCase;

const fn safe(name: &'static str, since: u32, setup: &'static str, migration: &'static str) -> VersionedCase {
    VersionedCase { name, since, setup, migration, must_be_safe: true }
}

/// Proved only when called safe (an honest UNSAFE is fine).
const fn trap(name: &'static str, since: u32, setup: &'static str, migration: &'static str) -> VersionedCase {
    VersionedCase { name, since, setup, migration, must_be_safe: false }
}

/// Domain NOT NULL constraints have names (and `ADD CONSTRAINT ... NOT NULL` on a domain parses) from 17.
const DOMAINS: u32 = 17;
/// Table NOT NULL constraints have names, `NOT VALID` and `ADD CONSTRAINT ... NOT NULL c` from 18.
const TABLES: u32 = 18;

pub const CASES: &[VersionedCase] = &[
    // ---- domains ----
    safe(
        "domain DROP NOT NULL: the named constraint comes back under its name",
        DOMAINS,
        "CREATE DOMAIN d AS int CONSTRAINT d_nn NOT NULL;",
        "ALTER DOMAIN d DROP NOT NULL;",
    ),
    safe(
        "domain DROP NOT NULL, quoted names in a schema, with a comment on the constraint",
        DOMAINS,
        r#"CREATE SCHEMA "My S"; CREATE DOMAIN "My S"."Dom" AS text CONSTRAINT "Not Null!" NOT NULL;
           COMMENT ON CONSTRAINT "Not Null!" ON DOMAIN "My S"."Dom" IS 'kept';"#,
        r#"ALTER DOMAIN "My S"."Dom" DROP NOT NULL;"#,
    ),
    safe(
        "domain DROP NOT NULL with the generated name",
        DOMAINS,
        "CREATE DOMAIN d AS int NOT NULL;",
        "ALTER DOMAIN d DROP NOT NULL;",
    ),
    safe(
        "domain DROP CONSTRAINT of its NOT NULL constraint",
        DOMAINS,
        "CREATE DOMAIN d AS int CONSTRAINT d_nn NOT NULL CONSTRAINT d_pos CHECK (VALUE > 0);",
        "ALTER DOMAIN d DROP CONSTRAINT d_nn;",
    ),
    safe(
        "domain DROP CONSTRAINT IF EXISTS of its NOT NULL constraint, reached through search_path",
        DOMAINS,
        "CREATE SCHEMA app; CREATE DOMAIN app.d AS int CONSTRAINT \"D nn\" NOT NULL;",
        "SET search_path TO app, public; ALTER DOMAIN d DROP CONSTRAINT IF EXISTS \"D nn\";",
    ),
    safe(
        "DROP DOMAIN: the NOT NULL constraint comes back with its name and comment",
        DOMAINS,
        "CREATE DOMAIN d AS int CONSTRAINT d_nn NOT NULL CONSTRAINT d_pos CHECK (VALUE > 0);
         COMMENT ON CONSTRAINT d_nn ON DOMAIN d IS 'never empty';",
        "DROP DOMAIN d;",
    ),
    safe(
        "DROP DOMAIN in a schema with a quoted NOT NULL constraint name",
        DOMAINS,
        r#"CREATE SCHEMA s; CREATE DOMAIN s."Money" AS numeric(12, 2) DEFAULT 0 CONSTRAINT "money: not null" NOT NULL;"#,
        r#"DROP DOMAIN s."Money";"#,
    ),
    safe(
        "domain ADD CONSTRAINT NOT NULL on a domain that already is NOT NULL changes nothing",
        DOMAINS,
        "CREATE DOMAIN d AS int CONSTRAINT d_nn NOT NULL;",
        "ALTER DOMAIN d ADD CONSTRAINT other_nn NOT NULL;",
    ),
    safe(
        "domain ADD CONSTRAINT NOT NULL with the name it already has",
        DOMAINS,
        "CREATE DOMAIN d AS int CONSTRAINT d_nn NOT NULL;",
        "ALTER DOMAIN d ADD CONSTRAINT d_nn NOT NULL;",
    ),
    safe(
        "domain ADD CONSTRAINT NOT NULL on a nullable domain",
        DOMAINS,
        "CREATE DOMAIN d AS int;",
        "ALTER DOMAIN d ADD CONSTRAINT d_nn NOT NULL;",
    ),
    safe("domain ADD NOT NULL without a name", DOMAINS, "CREATE DOMAIN d AS int;", "ALTER DOMAIN d ADD NOT NULL;"),
    safe(
        "domain SET NOT NULL then DROP NOT NULL in one migration",
        DOMAINS,
        "CREATE DOMAIN d AS int CONSTRAINT d_nn NOT NULL;",
        "ALTER DOMAIN d DROP NOT NULL; ALTER DOMAIN d SET NOT NULL;",
    ),
    // ---- tables ----
    safe(
        "SET NOT NULL validates a NOT VALID NOT NULL constraint: it comes back NOT VALID",
        TABLES,
        "CREATE TABLE t (a int); ALTER TABLE t ADD CONSTRAINT a_nn NOT NULL a NOT VALID;",
        "ALTER TABLE t ALTER a SET NOT NULL;",
    ),
    safe(
        "DROP NOT NULL of a NOT VALID NOT NULL constraint",
        TABLES,
        "CREATE TABLE t (a int); ALTER TABLE t ADD CONSTRAINT a_nn NOT NULL a NOT VALID;",
        "ALTER TABLE t ALTER a DROP NOT NULL;",
    ),
    safe(
        "DROP NOT NULL of a NOT VALID NOT NULL constraint with the generated name",
        TABLES,
        "CREATE TABLE t (a int); ALTER TABLE t ADD NOT NULL a NOT VALID;",
        "ALTER TABLE t ALTER a DROP NOT NULL;",
    ),
    safe(
        "DROP CONSTRAINT of a NOT VALID NOT NULL constraint",
        TABLES,
        "CREATE TABLE t (a int); ALTER TABLE t ADD CONSTRAINT a_nn NOT NULL a NOT VALID;",
        "ALTER TABLE t DROP CONSTRAINT a_nn;",
    ),
    safe(
        "DROP NOT NULL of a NOT NULL constraint with a comment, generated name",
        TABLES,
        "CREATE TABLE t (a int NOT NULL); COMMENT ON CONSTRAINT t_a_not_null ON t IS 'required';",
        "ALTER TABLE t ALTER a DROP NOT NULL;",
    ),
    safe(
        "DROP NOT NULL of a NOT VALID NOT NULL constraint with a comment, in a schema",
        TABLES,
        r#"CREATE SCHEMA s; CREATE TABLE s.t ("A" int); ALTER TABLE s.t ADD CONSTRAINT "A nn" NOT NULL "A" NOT VALID;
           COMMENT ON CONSTRAINT "A nn" ON s.t IS 'not yet';"#,
        r#"ALTER TABLE s.t ALTER "A" DROP NOT NULL;"#,
    ),
    safe(
        "DROP NOT NULL of a named constraint, quoted, in a schema",
        TABLES,
        r#"CREATE SCHEMA s; CREATE TABLE s."T" ("Col" int CONSTRAINT "Keep Me" NOT NULL);"#,
        r#"ALTER TABLE s."T" ALTER "Col" DROP NOT NULL;"#,
    ),
    safe(
        "SET NOT NULL on a nullable column, then the rollback",
        TABLES,
        "CREATE TABLE t (a int, b int CONSTRAINT b_nn NOT NULL);",
        "ALTER TABLE t ALTER a SET NOT NULL, ALTER b DROP NOT NULL;",
    ),
    safe(
        "ADD PRIMARY KEY over a nullable column and a named NOT NULL one",
        TABLES,
        "CREATE TABLE t (a int, b int CONSTRAINT b_nn NOT NULL);",
        "ALTER TABLE t ADD PRIMARY KEY (a, b);",
    ),
    safe(
        "ADD CONSTRAINT PRIMARY KEY over a column with a NOT NULL constraint of its own",
        TABLES,
        r#"CREATE TABLE "Tab" ("Id" int CONSTRAINT "id not null" NOT NULL);"#,
        r#"ALTER TABLE "Tab" ADD CONSTRAINT "Tab pk" PRIMARY KEY ("Id");"#,
    ),
    safe(
        "DROP PRIMARY KEY leaves the NOT NULL constraint it created",
        TABLES,
        "CREATE TABLE t (a int PRIMARY KEY);",
        "ALTER TABLE t DROP CONSTRAINT t_pkey;",
    ),
    safe(
        "ADD CONSTRAINT NOT NULL with the name the column's constraint already has changes nothing",
        TABLES,
        "CREATE TABLE t (a int CONSTRAINT a_nn NOT NULL);",
        "ALTER TABLE t ADD CONSTRAINT a_nn NOT NULL a;",
    ),
    safe(
        "ADD NOT NULL without a name on a column that already is NOT NULL changes nothing",
        TABLES,
        "CREATE TABLE t (a int CONSTRAINT a_nn NOT NULL);",
        "ALTER TABLE t ADD NOT NULL a;",
    ),
    safe(
        "ADD CONSTRAINT NOT NULL on a nullable column",
        TABLES,
        "CREATE TABLE t (a int);",
        "ALTER TABLE t ADD CONSTRAINT a_nn NOT NULL a;",
    ),
    safe(
        "ADD CONSTRAINT NOT NULL NOT VALID on a nullable column",
        TABLES,
        "CREATE TABLE t (a int);",
        "ALTER TABLE t ADD CONSTRAINT a_nn NOT NULL a NOT VALID;",
    ),
    safe(
        "ADD COLUMN with a named NOT NULL constraint",
        TABLES,
        "CREATE TABLE t (a int);",
        "ALTER TABLE t ADD COLUMN b int CONSTRAINT b_nn NOT NULL DEFAULT 0;",
    ),
    safe(
        "VALIDATE CONSTRAINT of a NOT VALID NOT NULL constraint",
        TABLES,
        "CREATE TABLE t (a int); ALTER TABLE t ADD CONSTRAINT a_nn NOT NULL a NOT VALID;",
        "ALTER TABLE t VALIDATE CONSTRAINT a_nn;",
    ),
    safe(
        "RENAME CONSTRAINT of a NOT NULL constraint",
        TABLES,
        r#"CREATE TABLE t (a int CONSTRAINT "A nn" NOT NULL);"#,
        r#"ALTER TABLE t RENAME CONSTRAINT "A nn" TO a_not_null;"#,
    ),
    trap(
        "ALTER COLUMN TYPE of a column with a NOT VALID NOT NULL constraint",
        TABLES,
        "CREATE TABLE t (a int); ALTER TABLE t ADD CONSTRAINT a_nn NOT NULL a NOT VALID;",
        "ALTER TABLE t ALTER a TYPE bigint;",
    ),
    trap(
        "DROP NOT NULL of a named constraint that a child table inherits",
        TABLES,
        "CREATE TABLE p (a int CONSTRAINT p_a_nn NOT NULL); CREATE TABLE c () INHERITS (p);",
        "ALTER TABLE p ALTER a DROP NOT NULL;",
    ),
    trap(
        "SET NOT NULL on a partitioned table whose NOT NULL is NOT VALID",
        TABLES,
        "CREATE TABLE p (k int, a int) PARTITION BY LIST (k); CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1);
         ALTER TABLE p ADD CONSTRAINT p_a_nn NOT NULL a NOT VALID;",
        "ALTER TABLE p ALTER a SET NOT NULL;",
    ),
    trap(
        "DROP CONSTRAINT of a partitioned table's named NOT NULL",
        TABLES,
        "CREATE TABLE p (k int, a int CONSTRAINT p_a_nn NOT NULL) PARTITION BY LIST (k);
         CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1);",
        "ALTER TABLE p DROP CONSTRAINT p_a_nn;",
    ),
    // ---- virtual generated columns (18) ----
    safe(
        "ADD COLUMN of a virtual generated column",
        TABLES,
        "CREATE TABLE t (a int);",
        "ALTER TABLE t ADD COLUMN v int GENERATED ALWAYS AS (a * 2) VIRTUAL;",
    ),
    safe(
        "rename and comment a virtual generated column",
        TABLES,
        "CREATE TABLE t (a int, v int GENERATED ALWAYS AS (a * 2) VIRTUAL);",
        "ALTER TABLE t RENAME v TO w; COMMENT ON COLUMN t.w IS 'twice a';",
    ),
    trap(
        "SET EXPRESSION of a virtual generated column",
        TABLES,
        "CREATE TABLE t (a int, v int GENERATED ALWAYS AS (a * 2) VIRTUAL);",
        "ALTER TABLE t ALTER v SET EXPRESSION AS (a * 3);",
    ),
    trap(
        "DROP TABLE with a virtual generated column",
        TABLES,
        "CREATE TABLE t (a int, v int GENERATED ALWAYS AS (a * 2) VIRTUAL);",
        "DROP TABLE t;",
    ),
];
