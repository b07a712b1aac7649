//! The archive (issue 18) for identity and generated columns on a real PostgreSQL with seeded rows. Oracle: the
//! catalog snapshot equals the one from before the migration (a dropped column comes back last: only its
//! position may differ) AND every row equals the one from before; identity sequences continue where they were.
mod common;

use common::*;
use pg_rollback_db::{catalog_snapshot, compare_snapshots, execute_rollback, Difference};

/// The snapshot equals `before`, but for the `position` of `moved` columns (`table.column`).
async fn assert_schema_back(db: &testpg::Database, before: &pg_rollback_db::Snapshot, moved: &[&str]) {
    let after = catalog_snapshot(db.url()).await.unwrap();
    let diff: Vec<Difference> = compare_snapshots(before, &after)
        .into_iter()
        .filter(|d| !(d.attribute.as_deref() == Some("position") && moved.iter().any(|m| d.object.ends_with(m))))
        .collect();
    assert!(diff.is_empty(), "schema differs from before the migration:\n{diff:#?}");
}

fn archive_tables(db: &testpg::Database) -> String {
    one(
        db,
        "SELECT coalesce(string_agg(c.relname, ',' ORDER BY c.relname), '') FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pgrollback_archive';",
    )
}

const GENERATED: &str = r#"
CREATE SCHEMA "Shop";
CREATE TABLE "Shop"."Line" (
    id bigint PRIMARY KEY,
    qty int NOT NULL,
    price numeric(10,2) NOT NULL,
    "Total" numeric(12,2) GENERATED ALWAYS AS (qty * price) STORED NOT NULL CONSTRAINT "Total positive" CHECK ("Total" >= 0),
    tail text
);
CREATE INDEX "Line by total" ON "Shop"."Line" ("Total") WHERE "Total" > 10;
COMMENT ON COLUMN "Shop"."Line"."Total" IS 'qty × price';
ALTER TABLE "Shop"."Line" ALTER COLUMN "Total" SET STATISTICS 200;
INSERT INTO "Shop"."Line" (id, qty, price, tail) SELECT g, g % 7, g * 1.25, 't' || g FROM generate_series(1, 200) g;
"#;

#[tokio::test]
async fn a_dropped_generated_column_comes_back_with_its_expression_and_its_values_recompute() {
    let db = database("columns_generated", GENERATED);
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows_sql = r#"SELECT id, qty, price, "Total", tail FROM "Shop"."Line" ORDER BY id;"#;
    let rows = db.query(rows_sql).unwrap();
    let stored = apply(&db, "1.1", r#"ALTER TABLE "Shop"."Line" DROP COLUMN "Total";"#).await;
    assert!(!stored.rollback_safe);
    let restore = stored.restore_script.clone().expect("a restore script");
    assert!(restore.contains("GENERATED ALWAYS AS"), "{restore}");
    assert_eq!(archive_tables(&db), "", "nothing is copied");
    // Rows written since recompute too.
    db.run(r#"INSERT INTO "Shop"."Line" (id, qty, price, tail) VALUES (201, 2, 3.5, 'new'); UPDATE "Shop"."Line" SET qty = 100 WHERE id = 1;"#)
        .unwrap();
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(&db, &before, &[r#""Line"."Total""#, r#""Line".tail"#]).await;
    assert_eq!(one(&db, r#"SELECT "Total" FROM "Shop"."Line" WHERE id = 201;"#), "7.00");
    assert_eq!(one(&db, r#"SELECT "Total" FROM "Shop"."Line" WHERE id = 1;"#), "125.00");
    db.run(r#"DELETE FROM "Shop"."Line" WHERE id = 201; UPDATE "Shop"."Line" SET qty = 1 WHERE id = 1;"#).unwrap();
    let now = db.query(r#"SELECT id, qty, price, "Total", tail FROM "Shop"."Line" ORDER BY id;"#).unwrap();
    assert_eq!(now, rows);
}

const IDENTITY: &str = r#"
CREATE SCHEMA "Billing";
CREATE TABLE "Billing"."Invoice" (
    code text PRIMARY KEY,
    "No" int GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME "Billing"."Invoice numbers" START WITH 1000 INCREMENT BY 5
                                          MINVALUE 10 MAXVALUE 900000 CACHE 3) UNIQUE,
    amount int
);
COMMENT ON COLUMN "Billing"."Invoice"."No" IS 'invoice number';
INSERT INTO "Billing"."Invoice" (code, amount) SELECT 'c' || g, g FROM generate_series(1, 120) g;
DELETE FROM "Billing"."Invoice" WHERE code IN ('c3', 'c50');
"#;

#[tokio::test]
async fn a_dropped_identity_column_comes_back_with_its_values_and_its_sequence_where_it_was() {
    let db = database("columns_identity", IDENTITY);
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows_sql = r#"SELECT code, "No", amount FROM "Billing"."Invoice" ORDER BY code;"#;
    let rows = db.query(rows_sql).unwrap();
    let stored = apply(&db, "1.1", r#"ALTER TABLE "Billing"."Invoice" DROP COLUMN "No";"#).await;
    assert!(stored.restore_script.is_some(), "{:?}", stored.archive);
    assert_eq!(stored.archive.as_ref().unwrap().objects[0].rows, 118);
    assert_eq!(one(&db, r#"SELECT to_regclass('"Billing"."Invoice numbers"') IS NULL;"#), "t");
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(&db, &before, &[r#""Invoice"."No""#, r#""Invoice".amount"#]).await;
    assert_eq!(db.query(rows_sql).unwrap(), rows);
    // The next number is the one the sequence would have given.
    db.run(r#"INSERT INTO "Billing"."Invoice" (code) VALUES ('next');"#).unwrap();
    assert_eq!(one(&db, r#"SELECT "No" FROM "Billing"."Invoice" WHERE code = 'next';"#), "1600");
}

#[tokio::test]
async fn rows_inserted_since_get_the_next_values_of_the_sequence() {
    let db = database("columns_identity_since", IDENTITY);
    let before = catalog_snapshot(db.url()).await.unwrap();
    apply(&db, "1.1", r#"ALTER TABLE "Billing"."Invoice" DROP COLUMN "No";"#).await;
    db.run(r#"INSERT INTO "Billing"."Invoice" (code) VALUES ('since 1'), ('since 2'); DELETE FROM "Billing"."Invoice" WHERE code = 'c1';"#)
        .unwrap();
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(&db, &before, &[r#""Invoice"."No""#, r#""Invoice".amount"#]).await;
    assert_eq!(one(&db, r#"SELECT "No" FROM "Billing"."Invoice" WHERE code = 'c2';"#), "1005");
    assert_eq!(
        one(
            &db,
            r#"SELECT string_agg("No"::text, ',' ORDER BY "No") FROM "Billing"."Invoice" WHERE code LIKE 'since%';"#
        ),
        "1600,1605"
    );
    // CACHE 3: the restore's session took 1600..1610 from the sequence, so another session goes on after them.
    db.run(r#"INSERT INTO "Billing"."Invoice" (code) VALUES ('next');"#).unwrap();
    assert_eq!(one(&db, r#"SELECT "No" FROM "Billing"."Invoice" WHERE code = 'next';"#), "1615");
}

/// crates.io's `crate_owners_does_not_need_id`: a serial primary key dropped, rows matched by another unique key.
const SERIAL: &str = r#"
CREATE TABLE "Crate owners" (
    id serial PRIMARY KEY,
    crate_id int NOT NULL,
    "Owner" int NOT NULL,
    CONSTRAINT one_owner_per_crate UNIQUE (crate_id, "Owner")
);
ALTER SEQUENCE "Crate owners_id_seq" INCREMENT BY 3 CACHE 2;
INSERT INTO "Crate owners" (crate_id, "Owner") SELECT g % 10, g FROM generate_series(1, 50) g;
DELETE FROM "Crate owners" WHERE "Owner" % 7 = 0;
"#;

#[tokio::test]
async fn a_dropped_serial_column_comes_back_owning_its_sequence_where_it_was() {
    let db = database("columns_serial", SERIAL);
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows_sql = r#"SELECT id, crate_id, "Owner" FROM "Crate owners" ORDER BY id;"#;
    let rows = db.query(rows_sql).unwrap();
    let stored = apply(&db, "1.1", r#"ALTER TABLE "Crate owners" DROP COLUMN id;"#).await;
    assert!(stored.restore_script.is_some(), "{:?}", stored.archive);
    // Gone as after a real drop: the name is free.
    db.run(r#"BEGIN; CREATE SEQUENCE "Crate owners_id_seq"; ROLLBACK;"#).unwrap();
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(
        &db,
        &before,
        &[r#""Crate owners".id"#, r#""Crate owners".crate_id"#, r#""Crate owners"."Owner""#],
    )
    .await;
    assert_eq!(db.query(rows_sql).unwrap(), rows);
    assert_eq!(
        one(&db, r#"SELECT pg_get_serial_sequence('"Crate owners"', 'id');"#),
        r#"public."Crate owners_id_seq""#
    );
    // The next id is the one the sequence would have given (50 rows from 1 by 3: the last was 148).
    db.run(r#"INSERT INTO "Crate owners" (crate_id, "Owner") VALUES (1, 1000);"#).unwrap();
    assert_eq!(one(&db, r#"SELECT id FROM "Crate owners" WHERE "Owner" = 1000;"#), "151");
}

#[tokio::test]
async fn rows_inserted_since_a_serial_column_was_dropped_get_its_next_values() {
    let db = database("columns_serial_since", SERIAL);
    apply(&db, "1.1", r#"ALTER TABLE "Crate owners" DROP COLUMN id;"#).await;
    db.run(r#"INSERT INTO "Crate owners" (crate_id, "Owner") VALUES (1, 1001), (1, 1002);"#).unwrap();
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_eq!(
        one(&db, r#"SELECT string_agg(id::text, ',' ORDER BY id) FROM "Crate owners" WHERE "Owner" > 1000;"#),
        "151,154"
    );
    assert_eq!(one(&db, r#"SELECT count(DISTINCT id) || '/' || count(*) FROM "Crate owners";"#), "45/45");
}

#[tokio::test]
async fn a_by_default_identity_of_a_bigint_with_an_unused_sequence_and_cycle() {
    let db = database(
        "columns_identity_default",
        "CREATE TABLE t (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), n bigint GENERATED BY DEFAULT AS IDENTITY (CYCLE MAXVALUE 50), v text);
         INSERT INTO t (n, v) SELECT g * 10, 'v' || g FROM generate_series(1, 30) g;",
    );
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows = db.query("SELECT id, n, v FROM t ORDER BY id;").unwrap();
    apply(&db, "1.1", "ALTER TABLE t DROP COLUMN n;").await;
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(&db, &before, &["t.n", "t.v"]).await;
    assert_eq!(db.query("SELECT id, n, v FROM t ORDER BY id;").unwrap(), rows);
    // Never called: the first value is still the start.
    db.run("INSERT INTO t (v) VALUES ('first');").unwrap();
    assert_eq!(one(&db, "SELECT n FROM t WHERE v = 'first';"), "1");
}

#[tokio::test]
async fn type_changes_of_identity_and_generated_columns_are_not_archived() {
    // A generated column's type change casts its stored values (it does not recompute them): changing the type
    // back would not give them back, and its values cannot be updated.
    let db = database(
        "columns_refused",
        "CREATE TABLE t (k int PRIMARY KEY, n int GENERATED ALWAYS AS IDENTITY, g numeric(8,3) GENERATED ALWAYS AS (k / 3.0) STORED);
         INSERT INTO t (k) SELECT generate_series(1, 5);",
    );
    for (version, sql) in [
        ("1.1", "ALTER TABLE t ALTER COLUMN n TYPE bigint;"),
        ("1.2", "ALTER TABLE t ALTER COLUMN g TYPE numeric(8,1);"),
    ] {
        let stored = apply(&db, version, sql).await;
        assert_eq!(stored.restore_script, None, "{version}");
        let reason = &stored.archive.unwrap().not_archived[0].reason;
        assert!(reason.contains("identity or generated column"), "{version}: {reason}");
    }
    assert_eq!(one(&db, "SELECT g FROM t WHERE k = 1;"), "0.3", "cast, not recomputed");
}

/// A partitioned table with a sub-partitioned partition and a default partition; the key is the parent's.
const PARTITIONED: &str = r#"
CREATE SCHEMA "Sales";
CREATE TABLE "Sales"."Event" (
    region text NOT NULL,
    id bigint NOT NULL,
    "Note" text COLLATE "C" DEFAULT 'none' CONSTRAINT "Note not bad" CHECK ("Note" <> 'bad'),
    code text,
    PRIMARY KEY (region, id)
) PARTITION BY LIST (region);
CREATE TABLE "Sales"."Event north" PARTITION OF "Sales"."Event" FOR VALUES IN ('north');
CREATE TABLE "Sales".event_south PARTITION OF "Sales"."Event" FOR VALUES IN ('south') PARTITION BY RANGE (id);
CREATE TABLE "Sales".event_south_low PARTITION OF "Sales".event_south FOR VALUES FROM (MINVALUE) TO (100);
CREATE TABLE "Sales".event_south_high PARTITION OF "Sales".event_south FOR VALUES FROM (100) TO (MAXVALUE);
CREATE TABLE "Sales".event_other PARTITION OF "Sales"."Event" DEFAULT;
CREATE INDEX event_code ON "Sales"."Event" (code);
-- A partition's index of its own name, attached when the parent's is made; the others get PostgreSQL's names.
CREATE INDEX "low notes" ON "Sales".event_south_low ("Note") WHERE "Note" IS NOT NULL;
CREATE INDEX "Event note" ON "Sales"."Event" ("Note") WHERE "Note" IS NOT NULL;
ALTER TABLE "Sales"."Event" ADD CONSTRAINT "Event note unique" UNIQUE (region, id, "Note");
COMMENT ON COLUMN "Sales"."Event"."Note" IS 'a note';
ALTER TABLE "Sales"."Event" ALTER COLUMN "Note" SET STATISTICS 250;
INSERT INTO "Sales"."Event" (region, id, "Note", code)
SELECT (ARRAY['north', 'south', 'east'])[1 + g % 3], g, CASE WHEN g % 4 = 0 THEN NULL ELSE 'note ' || g END,
       lpad((g % 50)::text, 3, '0')
  FROM generate_series(1, 300) g;
"#;

const EVENT_ROWS: &str =
    r#"SELECT tableoid::regclass, region, id, "Note", code FROM "Sales"."Event" ORDER BY region, id;"#;

/// The restored column in the parent and every partition.
const EVENT_NOTE: [&str; 6] = [
    r#""Event"."Note""#,
    r#""Event north"."Note""#,
    r#"event_south."Note""#,
    r#"event_south_low."Note""#,
    r#"event_south_high."Note""#,
    r#"event_other."Note""#,
];

/// Columns whose position a restored `"Note"` changes: it comes back last, `code` moves up.
fn note_moved() -> Vec<&'static str> {
    EVENT_NOTE
        .iter()
        .copied()
        .chain([r#""Event".code"#, r#"north".code"#, "_low.code", "_high.code", "south.code", "other.code"])
        .collect()
}

#[tokio::test]
async fn a_column_dropped_from_a_partitioned_table_comes_back_in_every_partition() {
    let db = database("columns_partitioned_drop", PARTITIONED);
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows = db.query(EVENT_ROWS).unwrap();
    let stored = apply(&db, "1.1", r#"ALTER TABLE "Sales"."Event" DROP COLUMN "Note";"#).await;
    assert!(stored.restore_script.is_some(), "{:?}", stored.archive);
    assert_eq!(stored.archive.as_ref().unwrap().objects[0].rows, 300);
    db.run(
        r#"INSERT INTO "Sales"."Event" (region, id) VALUES ('south', 1000); DELETE FROM "Sales"."Event" WHERE id = 2;"#,
    )
    .unwrap();
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    let moved = note_moved();
    assert_schema_back(&db, &before, &moved).await;
    assert_eq!(one(&db, r#"SELECT "Note" FROM "Sales"."Event" WHERE id = 1000;"#), "none");
    db.run(r#"DELETE FROM "Sales"."Event" WHERE id = 1000; INSERT INTO "Sales"."Event" (region, id, "Note", code) VALUES ('east', 2, 'note 2', '002');"#)
        .unwrap();
    assert_eq!(db.query(EVENT_ROWS).unwrap(), rows);
}

#[tokio::test]
async fn a_type_change_on_a_partitioned_table_gets_every_partitions_values_back() {
    let db = database("columns_partitioned_type", PARTITIONED);
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows = db.query(EVENT_ROWS).unwrap();
    let stored = apply(&db, "1.1", r#"ALTER TABLE "Sales"."Event" ALTER COLUMN code TYPE int USING code::int;"#).await;
    assert!(stored.restore_script.is_some(), "{:?}", stored.archive);
    assert_eq!(one(&db, r#"SELECT code FROM "Sales"."Event" WHERE id = 7;"#), "7");
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(&db, &before, &[]).await;
    assert_eq!(db.query(EVENT_ROWS).unwrap(), rows);
}

#[tokio::test]
async fn partitions_that_the_parent_cannot_give_back_exactly_are_refused() {
    let db = database("columns_partitioned_refused", PARTITIONED);
    let cases = [
        (r#"ALTER TABLE "Sales"."Event north" ALTER COLUMN "Note" SET DEFAULT 'north';"#, "differs from the parent's"),
        (r#"COMMENT ON COLUMN "Sales".event_south_low."Note" IS 'low';"#, "differs from the parent's"),
        (r#"ALTER TABLE "Sales".event_other ALTER COLUMN "Note" SET STATISTICS 5;"#, "differs from the parent's"),
        (r#"CREATE INDEX other_note ON "Sales".event_other ("Note");"#, "other_note"),
        (r#"ALTER TABLE "Sales".event_south_high ADD CONSTRAINT high_note CHECK ("Note" <> 'x');"#, "high_note"),
        (r#"COMMENT ON INDEX "Sales"."low notes" IS 'low';"#, "has a comment"),
    ];
    for (i, (setup, reason)) in cases.iter().enumerate() {
        let version = format!("1.{i}");
        db.run(setup).unwrap();
        let stored = apply(&db, &version, r#"ALTER TABLE "Sales"."Event" DROP COLUMN "Note";"#).await;
        let archive = stored.archive.clone().unwrap();
        assert_eq!(stored.restore_script, None, "{setup}");
        assert!(archive.not_archived[0].reason.contains(reason), "{setup}: {archive:?}");
        // Put the column back for the next case.
        db.run(
            r#"ALTER TABLE "Sales"."Event" ADD COLUMN "Note" text COLLATE "C" DEFAULT 'none' CONSTRAINT "Note not bad" CHECK ("Note" <> 'bad');
               ALTER TABLE "Sales"."Event" ALTER COLUMN "Note" SET STATISTICS 250;
               CREATE INDEX "low notes" ON "Sales".event_south_low ("Note") WHERE "Note" IS NOT NULL;
               CREATE INDEX "Event note" ON "Sales"."Event" ("Note") WHERE "Note" IS NOT NULL;"#,
        )
        .unwrap();
    }
}

#[tokio::test]
async fn inheritance_children_are_still_refused() {
    let db = database(
        "columns_inheritance",
        "CREATE TABLE parent (id int PRIMARY KEY, a text); CREATE TABLE child () INHERITS (parent);",
    );
    let stored = apply(&db, "1.1", "ALTER TABLE parent DROP COLUMN a;").await;
    assert!(stored.archive.unwrap().not_archived[0].reason.contains("inheritance"));
}

#[tokio::test]
async fn an_update_trigger_on_a_partition_does_not_fire_on_the_restore() {
    let db = database("columns_partition_trigger", PARTITIONED);
    db.run(
        r#"CREATE FUNCTION "Sales".touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.code := 'x'; RETURN NEW; END $$;
           CREATE TRIGGER touch BEFORE UPDATE ON "Sales".event_south_low FOR EACH ROW EXECUTE FUNCTION "Sales".touch();"#,
    )
    .unwrap();
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows = db.query(EVENT_ROWS).unwrap();
    apply(&db, "1.1", r#"ALTER TABLE "Sales"."Event" DROP COLUMN "Note";"#).await;
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    let moved = note_moved();
    assert_schema_back(&db, &before, &moved).await;
    assert_eq!(db.query(EVENT_ROWS).unwrap(), rows, "the partition's trigger fired");
}

#[tokio::test]
async fn several_column_subcommands_of_one_alter_table_are_kept_as_one() {
    let db = database(
        "columns_several",
        r#"CREATE TABLE "Multi" (id int PRIMARY KEY, a text DEFAULT 'a' CHECK (a <> ''), "B" numeric(10,4) NOT NULL,
                                 c text, d int GENERATED ALWAYS AS (id * 3) STORED, e text);
           CREATE INDEX multi_a ON "Multi" (a);
           INSERT INTO "Multi" (id, a, "B", c, e) SELECT g, 'a' || g, g / 7.0, lpad(g::text, 4, '0'), 'e' || g
             FROM generate_series(1, 80) g;"#,
    );
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows_sql = r#"SELECT id, a, "B", c, d, e FROM "Multi" ORDER BY id;"#;
    let rows = db.query(rows_sql).unwrap();
    let stored = apply(
        &db,
        "1.1",
        r#"ALTER TABLE "Multi" DROP COLUMN a, ALTER COLUMN "B" TYPE numeric(10,1), DROP COLUMN d, ALTER COLUMN c TYPE int USING c::int;"#,
    )
    .await;
    let archive = stored.archive.clone().unwrap();
    assert!(stored.restore_script.is_some(), "{archive:?}");
    assert_eq!(archive_tables(&db), "1.1/1.1,1.1/1.2,1.1/1.4", "one table per kept column; none for the generated one");
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    // Restored last subcommand first: d, then a come back last; the columns after a move up.
    let moved = ["a", r#"B""#, "c", "d", "e"].map(|c| {
        if c.ends_with('"') {
            format!(r#""Multi"."{c}"#)
        } else {
            format!(r#""Multi".{c}"#)
        }
    });
    assert_schema_back(&db, &before, &moved.iter().map(String::as_str).collect::<Vec<_>>()).await;
    assert_eq!(db.query(r#"SELECT id, a, "B", c, d, e FROM "Multi" ORDER BY id;"#).unwrap(), rows);
    assert_eq!(archive_tables(&db), "");
}

#[tokio::test]
async fn several_column_subcommands_whose_restores_depend_on_each_other_are_refused() {
    let db = database(
        "columns_several_refused",
        "CREATE TABLE t (id int PRIMARY KEY, u int NOT NULL UNIQUE, a text, b text, c text);
         CREATE INDEX t_ab ON t (a, b);
         INSERT INTO t SELECT g, g, 'a', 'b', 'c' FROM generate_series(1, 5) g;",
    );
    for (version, sql, reason) in [
        ("1.1", "ALTER TABLE t DROP COLUMN a, DROP COLUMN b;", "t_ab goes with several columns"),
        ("1.2", "ALTER TABLE t ALTER COLUMN id TYPE bigint, DROP COLUMN c;", "the key id"),
        ("1.3", "ALTER TABLE t DROP COLUMN u, DROP COLUMN id CASCADE;", "CASCADE"),
    ] {
        let stored = apply(&db, version, sql).await;
        let archive = stored.archive.clone().unwrap();
        assert_eq!(stored.restore_script, None, "{version}");
        assert!(archive.not_archived[0].reason.contains(reason), "{version}: {archive:?}");
        assert_eq!(archive_tables(&db), "", "{version}: nothing left in the archive");
    }
}

#[tokio::test]
async fn a_column_that_is_not_there_with_if_exists_has_nothing_to_restore() {
    let db = database(
        "columns_several_if_exists",
        "CREATE TABLE t (id int PRIMARY KEY, a text); INSERT INTO t SELECT g, 'a' || g FROM generate_series(1, 9) g;",
    );
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows = db.query("SELECT id, a FROM t ORDER BY id;").unwrap();
    let stored = apply(&db, "1.1", "ALTER TABLE t DROP COLUMN IF EXISTS nothing, DROP COLUMN a;").await;
    assert!(stored.restore_script.is_some(), "{:?}", stored.archive);
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(&db, &before, &[]).await;
    assert_eq!(db.query("SELECT id, a FROM t ORDER BY id;").unwrap(), rows);
}

#[tokio::test]
async fn drop_column_if_exists_of_a_missing_column_runs_with_the_migrations_search_path() {
    let db = database("columns_if_exists_single", "CREATE SCHEMA app; CREATE TABLE app.t (id int PRIMARY KEY);");
    let stored = apply(&db, "1.1", "SET search_path = app;\nALTER TABLE t DROP COLUMN IF EXISTS nothing;").await;
    assert!(stored.rollback_safe || stored.restore_script.is_none(), "{stored:?}");
    assert!(column_exists(&db, "t", "id"));
}

#[tokio::test]
async fn other_subcommands_beside_the_drops_are_undone_first() {
    let db = database(
        "columns_mixed",
        "CREATE TABLE t (id int PRIMARY KEY, a text NOT NULL DEFAULT 'x', b int);
         INSERT INTO t SELECT g, 'a' || g, g FROM generate_series(1, 25) g;",
    );
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows = db.query("SELECT id, a, b FROM t ORDER BY id;").unwrap();
    // Drizzle writes one subcommand per statement; other tools write them together. The new column a takes
    // the dropped one's name.
    let stored = apply(
        &db,
        "1.1",
        "ALTER TABLE t ADD COLUMN a bigint, DROP COLUMN a, ADD CONSTRAINT b_positive CHECK (b > 0), ALTER COLUMN b TYPE bigint;",
    )
    .await;
    assert!(stored.restore_script.is_some(), "{:?}", stored.archive);
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(&db, &before, &["t.a", "t.b"]).await;
    assert_eq!(db.query("SELECT id, a, b FROM t ORDER BY id;").unwrap(), rows);
    // A dropped constraint that named a dropped column is one of the column's: it comes back with the column.
    db.query("ALTER TABLE t ADD CONSTRAINT a_long CHECK (length(a) > 0);").unwrap();
    let before = catalog_snapshot(db.url()).await.unwrap();
    let stored = apply(&db, "1.2", "ALTER TABLE t DROP CONSTRAINT a_long, DROP COLUMN a;").await;
    let script = stored.restore_script.unwrap_or_else(|| panic!("{:?}", stored.archive));
    assert_eq!(script.matches("ADD CONSTRAINT a_long CHECK").count(), 1, "{script}");
    execute_rollback(db.url(), "1.2", &restoring()).await.unwrap();
    assert_schema_back(&db, &before, &["t.a", "t.b"]).await;
    assert_eq!(db.query("SELECT id, a, b FROM t ORDER BY id;").unwrap(), rows);
}

/// Prisma's primary key moved off a dropped column (Cal.com's `Host`, Documenso's `UserProfile`): the dropped
/// key went with the column (its restore adds it back), the new key is dropped first.
#[tokio::test]
async fn a_primary_key_dropped_with_its_column_and_added_on_others_comes_back() {
    let db = database(
        "columns_moved_pkey",
        r#"CREATE TABLE "Host" (id serial CONSTRAINT "Host_pkey" PRIMARY KEY, "userId" int NOT NULL,
                                "eventTypeId" int NOT NULL, "isFixed" bool NOT NULL DEFAULT false);
           CREATE UNIQUE INDEX "Host_userId_eventTypeId_key" ON "Host" ("userId", "eventTypeId");
           CREATE TABLE keep_score (id int PRIMARY KEY, score int CONSTRAINT keep_score_key UNIQUE, n int);
           INSERT INTO "Host" ("userId", "eventTypeId") SELECT g, g % 4 FROM generate_series(1, 25) g;
           INSERT INTO keep_score SELECT g, g, g FROM generate_series(1, 10) g;"#,
    );
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows_sql = r#"SELECT id, "userId", "eventTypeId", "isFixed" FROM "Host" ORDER BY id;
                      SELECT id, score, n FROM keep_score ORDER BY id;"#;
    let rows = db.query(rows_sql).unwrap();
    let stored = apply(
        &db,
        "1.1",
        r#"ALTER TABLE "Host" DROP CONSTRAINT "Host_pkey", DROP COLUMN "id",
           ADD CONSTRAINT "Host_pkey" PRIMARY KEY ("userId", "eventTypeId");
           ALTER TABLE keep_score DROP CONSTRAINT keep_score_key, DROP COLUMN n;"#,
    )
    .await;
    assert!(stored.restore_script.is_some(), "{:?}", stored.archive);
    assert_eq!(
        one(&db, r#"SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'Host_pkey';"#),
        r#"PRIMARY KEY ("userId", "eventTypeId")"#
    );
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(
        &db,
        &before,
        &[r#""Host".id"#, r#""Host"."userId""#, r#""Host"."eventTypeId""#, r#""Host"."isFixed""#, "keep_score.n"],
    )
    .await;
    assert_eq!(db.query(rows_sql).unwrap(), rows);
}

#[tokio::test]
async fn other_subcommands_whose_inverse_needs_the_state_before_are_learned_with_capture() {
    let db = database(
        "columns_mixed_captured",
        r#"CREATE TABLE flows (id int PRIMARY KEY, nid uuid NOT NULL, ui text, "Note" text DEFAULT 'n', b int DEFAULT 5);
           INSERT INTO flows SELECT g, md5(g::text)::uuid, '{"a":' || g || '}', 'x' || g, g FROM generate_series(1, 30) g;
           CREATE TABLE likes (id int PRIMARY KEY, person_id int NOT NULL, post_id int NOT NULL, score int UNIQUE);
           CREATE UNIQUE INDEX likes_person_post ON likes (person_id, post_id);
           INSERT INTO likes SELECT g, g % 5, g, g * 2 FROM generate_series(1, 40) g;"#,
    );
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows = |db: &testpg::Database| {
        db.query(r#"SELECT id, nid, ui, "Note", b FROM flows ORDER BY id; SELECT id, person_id, post_id, score FROM likes ORDER BY person_id, post_id;"#)
            .unwrap()
    };
    let rows_before = rows(&db);
    // Kratos and Lemmy write these together; undoing DROP NOT NULL, SET DEFAULT and ADD PRIMARY KEY needs
    // what the columns were before.
    let stored = apply(
        &db,
        "1.1",
        r#"ALTER TABLE flows ALTER COLUMN ui TYPE jsonb USING ui::jsonb, ALTER COLUMN nid DROP NOT NULL;
           ALTER TABLE flows DROP COLUMN "Note", ALTER COLUMN b SET DEFAULT 1, ALTER COLUMN b SET NOT NULL;
           ALTER TABLE likes DROP COLUMN id, ADD PRIMARY KEY (person_id, post_id), DROP CONSTRAINT likes_score_key;"#,
    )
    .await;
    assert!(!stored.rollback_safe);
    let script = stored.restore_script.clone().unwrap_or_else(|| panic!("{:?}", stored.archive));
    assert!(script.contains("SET NOT NULL") && script.contains("SET DEFAULT 5"), "{script}");
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(
        &db,
        &before,
        &["flows.\"Note\"", "flows.b", "likes.id", "likes.person_id", "likes.post_id", "likes.score"],
    )
    .await;
    assert_eq!(rows(&db), rows_before);
    assert_eq!(archive_tables(&db), "");
    // Other subcommands that fail alone leave the statement unkept, and the migration applies as written.
    let stored = apply(
        &db,
        "1.2",
        "ALTER TABLE flows ALTER COLUMN ui TYPE int USING length(ui), ALTER COLUMN ui SET NOT NULL, \
         ADD CONSTRAINT ui_short CHECK (ui < 100);",
    )
    .await;
    assert_eq!(stored.restore_script, None);
    let reason = &stored.archive.as_ref().unwrap().not_archived[0].reason;
    assert!(reason.contains("fail alone") && reason.contains("ui_short"), "{reason}");
    assert_eq!(one(&db, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'flows'::regclass AND attname = 'ui';"), "integer");
}

#[tokio::test]
async fn defaults_changed_around_a_type_change_come_back_with_the_type() {
    let db = database(
        "columns_type_defaults",
        "CREATE TABLE m (id int PRIMARY KEY, code text, amount numeric(10,4) NOT NULL DEFAULT 0.5);
         INSERT INTO m VALUES (1, '007', 1.2345), (2, NULL, 99.9999);",
    );
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows = db.query("SELECT id, code, amount FROM m ORDER BY id;").unwrap();
    let stored = apply(
        &db,
        "1.1",
        "ALTER TABLE m ALTER COLUMN amount DROP DEFAULT, ALTER COLUMN amount TYPE numeric(10,2) USING amount::numeric(10,2),
                       ALTER COLUMN amount SET DEFAULT 0;
         ALTER TABLE m ALTER COLUMN code TYPE int USING code::int, ALTER COLUMN code SET DEFAULT 7;",
    )
    .await;
    assert!(stored.restore_script.is_some(), "{:?}", stored.archive);
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(&db, &before, &[]).await;
    assert_eq!(db.query("SELECT id, code, amount FROM m ORDER BY id;").unwrap(), rows);
}
