//! Proof with data (issue 18) on a real PostgreSQL: seeding every table with generated rows (types, foreign
//! keys, unique keys, CHECKs, enums, domains), the row oracle (count and checksums, independent of column
//! order, naming what differs), and `verify_rollback` with `seed_rows` proving restores.
mod common;

use common::*;
use pg_rollback_db::{
    apply_migration, catalog_snapshot, compare_rows, compare_snapshots, empty_tables, execute_rollback, row_snapshot,
    seed_rows, verify_rollback, ExecuteOptions, MigrationInput, VerifyInput,
};

fn count(db: &testpg::Database, table: &str) -> i64 {
    one(db, &format!("SELECT count(*) FROM {table};")).parse().unwrap()
}

const SHOP: &str = r#"
CREATE TYPE mood AS ENUM ('happy', 'sad', 'it''s complicated');
CREATE DOMAIN adult AS int CHECK (VALUE >= 18 AND VALUE % 2 = 0);
CREATE TYPE address AS (street text, zip varchar(5));
CREATE SCHEMA "My Shop";
CREATE TABLE "My Shop"."Customer" (
    id serial PRIMARY KEY,
    email varchar(40) NOT NULL UNIQUE,
    mood mood NOT NULL,
    age adult,
    home address,
    referrer int REFERENCES "My Shop"."Customer"
);
CREATE TABLE "My Shop".orders (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer int NOT NULL REFERENCES "My Shop"."Customer",
    amount numeric(6,2) NOT NULL CHECK (amount > 0),
    placed timestamptz NOT NULL DEFAULT now(),
    due date,
    at timestamp(0),
    tags text[] NOT NULL,
    meta jsonb,
    raw bytea,
    paid bool NOT NULL,
    token uuid UNIQUE,
    total numeric GENERATED ALWAYS AS (amount * 2) STORED,
    code char(3) NOT NULL,
    moods mood[]
);
CREATE TABLE "My Shop".lines (
    order_id int NOT NULL REFERENCES "My Shop".orders ON DELETE CASCADE,
    n smallint NOT NULL CHECK (n % 3 <> 0),
    qty bigint,
    "Qty ""x"" y" bigint NOT NULL UNIQUE,
    PRIMARY KEY (order_id, n)
);
CREATE TABLE events (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE events_low PARTITION OF events FOR VALUES FROM (1) TO (11);
CREATE TABLE flags (f bool NOT NULL UNIQUE);
CREATE TABLE odd (v adult NOT NULL);
CREATE TABLE opaque (p point NOT NULL);
CREATE TABLE counters (id serial PRIMARY KEY);
CREATE TABLE stamps (id serial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now() CHECK (at > '2001-01-01'));
"#;

#[tokio::test]
async fn seeding_respects_foreign_keys_unique_keys_checks_enums_and_domains() {
    let db = database("seed_shop", SHOP);
    let seeded = seed_rows(db.url(), 20, 0).await.unwrap();
    assert_eq!(count(&db, r#""My Shop"."Customer""#), 20, "{seeded:?}");
    assert_eq!(count(&db, r#""My Shop".orders"#), 20, "{seeded:?}");
    // n is row k's number: rows whose n % 3 = 0 are rejected by the CHECK, the others kept.
    assert_eq!(count(&db, r#""My Shop".lines"#), 14, "{seeded:?}");
    assert_eq!(count(&db, "flags"), 2, "a unique bool has two values: {seeded:?}");
    // The domain's CHECK keeps the even values from 18 on.
    assert_eq!(count(&db, "odd"), 2, "{seeded:?}");
    assert_eq!(count(&db, "opaque"), 0);
    assert!(seeded.skipped.iter().any(|s| s.starts_with("public.opaque: column p of type point")), "{seeded:?}");
    // A partitioned table is seeded through its root: rows no partition takes are skipped.
    assert_eq!(count(&db, "events"), 10, "{seeded:?}");
    // Only a serial: rows of defaults. A CHECK rejects the generated timestamps (of 2000): the default is used.
    assert_eq!(count(&db, "counters"), 20, "{seeded:?}");
    assert_eq!(count(&db, "stamps"), 20, "{seeded:?}");
    assert_eq!(seeded.rows, 20 + 20 + 14 + 2 + 2 + 10 + 20 + 20 + 20, "wishlist_items too: {seeded:?}");
    assert_eq!(one(&db, r#"SELECT count(DISTINCT "Qty ""x"" y") FROM "My Shop".lines;"#), "14");
    // Every row is valid, and the values vary: NULLs in nullable columns, several enum labels, a composite.
    assert_eq!(one(&db, r#"SELECT count(DISTINCT mood) FROM "My Shop"."Customer";"#), "3");
    assert!(one(&db, r#"SELECT count(*) FROM "My Shop"."Customer" WHERE (home).zip IS NOT NULL;"#) != "0");
    assert_eq!(one(&db, r#"SELECT count(*) FROM "My Shop".orders WHERE meta IS NULL;"#), "3");
    assert_eq!(one(&db, r#"SELECT count(DISTINCT customer) FROM "My Shop".orders;"#), "20");
    assert_eq!(
        one(&db, r#"SELECT count(*) FROM "My Shop".orders WHERE cardinality(tags) = 2 AND length(code) = 3;"#),
        "20"
    );
    // A second round gets new unique values.
    let again = seed_rows(db.url(), 20, 1).await.unwrap();
    assert_eq!(count(&db, r#""My Shop"."Customer""#), 40, "{again:?}");
    // Deterministic: the same seeding on another database gives the same rows (but what defaults give: now()).
    let other = database("seed_shop_again", SHOP);
    seed_rows(other.url(), 20, 0).await.unwrap();
    seed_rows(other.url(), 20, 1).await.unwrap();
    let (a, b) = (row_snapshot(db.url()).await.unwrap(), row_snapshot(other.url()).await.unwrap());
    let differ: Vec<_> = compare_rows(&a, &b).into_iter().map(|d| d.table).collect();
    assert_eq!(differ, ["public.stamps", "public.stamps"]);
    // The oracle reads partitions (not their root) and quoted names.
    assert!(
        a.tables.contains_key("public.events_low") && !a.tables.contains_key("public.events"),
        "{:?}",
        a.tables.keys()
    );
    assert!(a.tables[r#""My Shop".lines"#].columns.contains_key(r#"Qty "x" y"#));
    other.run(r#"UPDATE "My Shop".lines SET "Qty ""x"" y" = -"Qty ""x"" y" WHERE n = 1;"#).unwrap();
    let changed: Vec<String> = compare_rows(&a, &row_snapshot(other.url()).await.unwrap())
        .into_iter()
        .filter(|d| d.table != "public.stamps")
        .map(|d| d.text)
        .collect();
    assert_eq!(changed, [r#""My Shop".lines: 1 row differs"#, r#""My Shop".lines.Qty "x" y: 1 row differs"#]);
    // Emptied: every user table, not the bookkeeping.
    let versions = count(&other, "schema_versions");
    other.run("INSERT INTO schema_versions (version, migration_file) VALUES ('9.9', 'x.sql');").unwrap();
    empty_tables(other.url()).await.unwrap();
    let emptied = row_snapshot(other.url()).await.unwrap();
    assert!(emptied.tables.values().all(|t| t.rows == 0), "{emptied:?}");
    assert_eq!(count(&other, "schema_versions"), versions + 1);
}

#[tokio::test]
async fn the_row_oracle_names_changed_missing_and_extra_rows_and_ignores_column_order() {
    // A column named like the query's alias (`t`) must not stand for the row.
    let db = database("seed_oracle", "CREATE TABLE t (id int PRIMARY KEY, a text, b int, t int);");
    seed_rows(db.url(), 30, 0).await.unwrap();
    let before = row_snapshot(db.url()).await.unwrap();
    let texts = |after| -> Vec<String> { compare_rows(&before, &after).into_iter().map(|d| d.text).collect() };

    db.run("UPDATE t SET a = 'changed' WHERE id IN (SELECT id FROM t ORDER BY id LIMIT 3);").unwrap();
    assert_eq!(texts(row_snapshot(db.url()).await.unwrap()), ["public.t: 3 rows differ", "public.t.a: 3 rows differ"]);
    db.run("DELETE FROM t;").unwrap();
    assert_eq!(texts(row_snapshot(db.url()).await.unwrap()), ["public.t: 30 rows missing"]);
    let fresh = database("seed_oracle_order", "CREATE TABLE t (id int PRIMARY KEY, a text, b int);");
    seed_rows(fresh.url(), 30, 0).await.unwrap();
    let before = row_snapshot(fresh.url()).await.unwrap();
    let texts = |after| -> Vec<String> { compare_rows(&before, &after).into_iter().map(|d| d.text).collect() };
    fresh.run("INSERT INTO t VALUES (1000, 'x', 1);").unwrap();
    assert_eq!(
        texts(row_snapshot(fresh.url()).await.unwrap()),
        [
            "public.t: 1 row more than before",
            "public.t.a: 1 row differs",
            "public.t.b: 1 row differs",
            "public.t.id: 1 row differs"
        ]
    );
    fresh.run("DELETE FROM t WHERE id = 1000;").unwrap();
    // The same values with column a last: the same rows.
    fresh.run("ALTER TABLE t ADD COLUMN a2 text; UPDATE t SET a2 = a; ALTER TABLE t DROP COLUMN a; ALTER TABLE t RENAME a2 TO a;")
        .unwrap();
    assert!(texts(row_snapshot(fresh.url()).await.unwrap()).is_empty());
}

fn verify(sql: &str, rollback: Option<&str>) -> VerifyInput {
    VerifyInput {
        sql: sql.into(),
        rollback_script: rollback.map(Into::into),
        seed_rows: Some(25),
        ..Default::default()
    }
}

const TABLES: &str = "
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, a text NOT NULL DEFAULT 'x' CHECK (a <> 'bad'),
                b int, code text, amount numeric(10,4), customer bigint REFERENCES customers);
CREATE INDEX t_a ON t (a);";

#[tokio::test]
async fn verify_with_seeded_rows_proves_restores_and_names_what_is_neither() {
    let db = database("seed_verify", TABLES);
    let before = catalog_snapshot(db.url()).await.unwrap();

    let dropped = verify_rollback(db.url(), &verify("ALTER TABLE t DROP COLUMN a;", None)).await.unwrap();
    assert!(!dropped.rollback_safe && dropped.rollback_script.is_none(), "{dropped:?}");
    assert!(dropped.restorable && dropped.restored, "{dropped:#?}");
    assert!(dropped.restore_script.as_deref().unwrap().contains("ADD COLUMN a text"), "{dropped:?}");
    assert!(dropped.seeded.as_ref().unwrap().rows >= 50, "{dropped:?}");
    assert!(dropped.row_differences.is_empty() && dropped.differences.is_empty());

    let retyped = verify_rollback(
        db.url(),
        &verify("ALTER TABLE t ALTER COLUMN amount TYPE numeric(10,2); ALTER TABLE t ALTER b TYPE text;", None),
    )
    .await
    .unwrap();
    assert!(retyped.restorable && retyped.restored, "{retyped:#?}");

    let safe = verify_rollback(db.url(), &verify("ALTER TABLE t ADD COLUMN c int DEFAULT 7;", None)).await.unwrap();
    assert!(safe.rollback_safe && safe.restored && !safe.restorable && safe.restore_script.is_none(), "{safe:#?}");

    // SAFE with nothing to undo (a comment script).
    let nothing = verify_rollback(db.url(), &verify("ANALYZE t;", None)).await.unwrap();
    assert!(nothing.rollback_safe && nothing.restored && nothing.row_differences.is_empty(), "{nothing:#?}");

    // A data migration is kept and proved through its restore (issue 19)...
    let data =
        verify_rollback(db.url(), &verify("UPDATE t SET code = 'none' WHERE code IS NULL;", None)).await.unwrap();
    assert!(!data.rollback_safe && data.restorable && data.restored && data.row_differences.is_empty(), "{data:#?}");
    // ...but not one whose writes hide in a WITH of a SELECT.
    let data = verify_rollback(
        db.url(),
        &verify("WITH x AS (UPDATE t SET code = 'none' WHERE code IS NULL RETURNING 1) SELECT count(*) FROM x;", None),
    )
    .await
    .unwrap();
    assert!(!data.rollback_safe && !data.restorable && !data.restored && data.restore_script.is_none(), "{data:#?}");
    assert_eq!(data.restore_unavailable.as_deref(), Some("nothing of it was archived"), "{data:#?}");
    assert!(data.row_differences.iter().any(|d| d.text.starts_with("public.t.code: ")), "{data:#?}");

    // The database is as it was: no rows, no archive.
    assert!(compare_snapshots(&before, &catalog_snapshot(db.url()).await.unwrap()).is_empty());
    assert_eq!(count(&db, "t"), 0);
}

#[tokio::test]
async fn verify_proves_restores_whose_columns_come_back_last_in_other_tables_too() {
    let db = database(
        "seed_verify_moved",
        "CREATE TABLE g (id int PRIMARY KEY, a int NOT NULL, twice int GENERATED ALWAYS AS (a * 2) STORED, z text);
         CREATE TABLE p (id int, region text, note text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
         CREATE TABLE p_eu PARTITION OF p FOR VALUES IN ('eu');
         CREATE TABLE p_rest PARTITION OF p DEFAULT;",
    );
    // A generated column keeps nothing in the archive, but comes back last like a dropped one.
    let generated = verify_rollback(db.url(), &verify("ALTER TABLE g DROP COLUMN twice;", None)).await.unwrap();
    assert!(generated.restorable && generated.restored, "{generated:#?}");
    // On a partitioned table the column comes back last in every partition.
    let note = verify_rollback(db.url(), &verify("ALTER TABLE p DROP COLUMN note;", None)).await.unwrap();
    assert!(note.restorable && note.restored, "{note:#?}");
    assert!(note.seeded.as_ref().unwrap().rows > 0, "{note:?}");
}

#[tokio::test]
async fn seeding_inside_a_verification_leaves_deferred_constraints_deferred() {
    let db = database(
        "seed_deferred",
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent int NOT NULL
             REFERENCES parent DEFERRABLE INITIALLY DEFERRED);",
    );
    // Valid only if the key is checked at the end: seeding checked constraints at once while it ran.
    let sql = "INSERT INTO child VALUES (100000, 100000); INSERT INTO parent VALUES (100000);";
    let verified = verify_rollback(db.url(), &verify(sql, None)).await.unwrap();
    assert!(verified.seeded.as_ref().unwrap().rows >= 50, "{verified:#?}");
}

#[tokio::test]
async fn a_rollback_that_loses_rows_fails_the_proof() {
    let db = database("seed_verify_loss", TABLES);
    // A hand-written rollback that restores the schema but not the values it overwrote.
    let lost = verify_rollback(
        db.url(),
        &verify("ALTER TABLE t ADD COLUMN c int; UPDATE t SET b = 0;", Some("ALTER TABLE t DROP COLUMN c;")),
    )
    .await
    .unwrap();
    assert!(lost.differences.is_empty() && !lost.restored, "{lost:#?}");
    assert!(lost.row_differences.iter().any(|d| d.text.starts_with("public.t.b: ") && d.text.ends_with("rows differ")));
    // Without seeded rows the same proof only sees the schema.
    let schema_only = VerifyInput {
        seed_rows: None,
        ..verify("ALTER TABLE t ADD COLUMN c int;", Some("ALTER TABLE t DROP COLUMN c;"))
    };
    let plain = verify_rollback(db.url(), &schema_only).await.unwrap();
    assert!(plain.restored && plain.seeded.is_none() && plain.row_differences.is_empty());
}

#[tokio::test]
async fn a_restore_from_a_corrupted_archive_fails_the_row_oracle() {
    let db = database("seed_corrupt", TABLES);
    seed_rows(db.url(), 25, 0).await.unwrap();
    let schema = catalog_snapshot(db.url()).await.unwrap();
    let rows = row_snapshot(db.url()).await.unwrap();
    let input = MigrationInput {
        version: "1.1".into(),
        migration_file: "1.1.sql".into(),
        sql: "ALTER TABLE t DROP COLUMN code;".into(),
        ..Default::default()
    };
    let stored = apply_migration(db.url(), &input, None).await.unwrap().rollback.unwrap();
    assert!(stored.restore_script.is_some(), "{stored:?}");
    // Between apply and restore the archive loses two values.
    let archive = &stored.archive.unwrap().objects[0].table;
    db.run(&format!("UPDATE {archive} SET value = 'lost' WHERE k_1 IN (SELECT k_1 FROM {archive} WHERE value IS NOT NULL ORDER BY k_1 LIMIT 2);"))
        .unwrap();
    execute_rollback(db.url(), "1.1", &ExecuteOptions { restore_data: true, ..Default::default() }).await.unwrap();
    assert!(compare_snapshots(&schema, &catalog_snapshot(db.url()).await.unwrap())
        .iter()
        .all(|d| d.attribute.as_deref() == Some("position")));
    let texts: Vec<String> =
        compare_rows(&rows, &row_snapshot(db.url()).await.unwrap()).into_iter().map(|d| d.text).collect();
    assert_eq!(texts, ["public.t: 2 rows differ", "public.t.code: 2 rows differ"]);
}
