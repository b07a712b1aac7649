//! Restores of kept columns on tables with user triggers (issue 18): the restore's own writes fire none of them
//! (an `updated_at := now()`, a search vector, an audit log would change or record what only comes back), and
//! every trigger gets its exact state back (enabled, REPLICA, ALWAYS, disabled). Oracle: the catalog snapshot
//! (trigger states included) equals the one from before, every row equals the one from before, the audit table
//! is untouched.
mod common;

use common::*;
use pg_rollback_db::{catalog_snapshot, compare_snapshots, execute_rollback, restore_preview, Difference};

/// The snapshot equals `before`, but for the `position` of the columns of `moved` tables (a dropped column comes
/// back last, the columns after it move up).
async fn assert_schema_back(db: &testpg::Database, before: &pg_rollback_db::Snapshot, moved: &[&str]) {
    let after = catalog_snapshot(db.url()).await.unwrap();
    let column_of = |d: &Difference| moved.iter().any(|m| d.object.strip_prefix(m).is_some_and(|c| !c.contains('"')));
    let diff: Vec<Difference> = compare_snapshots(before, &after)
        .into_iter()
        .filter(|d| !(d.attribute.as_deref() == Some("position") && column_of(d)))
        .collect();
    assert!(diff.is_empty(), "schema differs from before the migration:\n{diff:#?}");
}

/// Trigger functions and the audit table, shared by the plain and the partitioned table.
const FUNCTIONS: &str = r#"
CREATE SCHEMA "Shop";
CREATE TABLE "Shop".audit (n bigserial PRIMARY KEY, what text NOT NULL);
CREATE FUNCTION "Shop".touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE FUNCTION "Shop".log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO "Shop".audit (what) VALUES (TG_NAME || ' ' || TG_OP || ' ' || coalesce(NEW.id::text, TG_LEVEL)); RETURN NULL; END $$;
CREATE FUNCTION "Shop".refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'trigger % fired', TG_NAME; END $$;
"#;

/// Every kind of user trigger state on `table`: enabled BEFORE (updated_at, tsvector), AFTER audit, REPLICA,
/// ALWAYS, disabled.
fn triggers(table: &str) -> String {
    format!(
        r#"
CREATE TRIGGER "Touch it" BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION "Shop".touch();
CREATE TRIGGER search BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW
    EXECUTE FUNCTION tsvector_update_trigger(search, 'pg_catalog.english', title);
CREATE TRIGGER audit AFTER UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION "Shop".log();
CREATE TRIGGER "replica only" AFTER UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION "Shop".log();
ALTER TABLE {table} ENABLE REPLICA TRIGGER "replica only";
CREATE TRIGGER always AFTER UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION "Shop".log();
ALTER TABLE {table} ENABLE ALWAYS TRIGGER always;
CREATE TRIGGER "off" BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION "Shop".refuse();
ALTER TABLE {table} DISABLE TRIGGER "off";
CREATE TRIGGER statement_log AFTER UPDATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION "Shop".log();
"#
    )
}

const ROWS: &str = r#"SELECT id, title, note, amount, search, updated_at FROM "Shop"."Order" ORDER BY id;"#;
const AUDIT: &str = r#"SELECT n, what FROM "Shop".audit ORDER BY n;"#;

fn plain() -> String {
    format!(
        r#"{FUNCTIONS}
CREATE TABLE "Shop"."Order" (id int PRIMARY KEY, title text, note text, amount numeric(10,4),
    search tsvector, updated_at timestamptz NOT NULL DEFAULT '2020-01-01');
{}
INSERT INTO "Shop"."Order" (id, title, note, amount, updated_at)
    SELECT g, 'title ' || g, 'note ' || g, g * 1.2345, timestamptz '2021-03-04 05:06:07+00' + g * interval '1 hour'
    FROM generate_series(1, 50) g;
"#,
        triggers(r#""Shop"."Order""#)
    )
}

/// Applies `sql`, checks the preview notes the triggers, restores, and compares schema, rows and the audit.
async fn round_trip(db: &testpg::Database, sql: &str, moved: &[&str]) {
    let before = catalog_snapshot(db.url()).await.unwrap();
    let (rows, audit) = (db.query(ROWS).unwrap(), db.query(AUDIT).unwrap());
    assert!(rows.contains("2021-03-04"), "{rows}");
    let stored = apply(db, "1.1", sql).await;
    assert!(stored.restore_script.is_some(), "{:?}", stored.archive);
    let preview = restore_preview(db.url(), &restoring_selection("1.1")).await.unwrap();
    let object = &preview.versions[0].objects[0];
    assert!(preview.refusals.is_empty(), "{:?}", preview.refusals);
    assert!(object.conflicts.is_empty(), "{object:?}");
    assert!(object.update_triggers.unwrap() >= 4, "{object:?}");
    assert!(object.notes.iter().any(|n| n.contains("do not fire during the restore")), "{object:?}");
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(db, &before, moved).await;
    assert_eq!(db.query(ROWS).unwrap(), rows, "rows (updated_at, search) changed");
    assert_eq!(db.query(AUDIT).unwrap(), audit, "the audit triggers fired");
}

fn restoring_selection(version: &str) -> pg_rollback_db::ExecuteManyOptions {
    pg_rollback_db::ExecuteManyOptions { version: Some(version.into()), restore_data: true, ..Default::default() }
}

#[tokio::test]
async fn a_dropped_column_comes_back_without_firing_any_trigger() {
    let db = database("triggers_drop", &plain());
    round_trip(&db, r#"ALTER TABLE "Shop"."Order" DROP COLUMN note;"#, &[r#""Shop"."Order"."#]).await;
}

#[tokio::test]
async fn a_type_change_comes_back_without_firing_any_trigger() {
    let db = database("triggers_type", &plain());
    round_trip(&db, r#"ALTER TABLE "Shop"."Order" ALTER COLUMN amount TYPE numeric(10,2);"#, &[]).await;
}

#[tokio::test]
async fn several_columns_of_one_statement_come_back_without_firing_any_trigger() {
    let db = database("triggers_columns", &plain());
    let sql = r#"ALTER TABLE "Shop"."Order" DROP COLUMN note, ALTER COLUMN amount TYPE integer;"#;
    round_trip(&db, sql, &[r#""Shop"."Order"."#]).await;
}

#[tokio::test]
async fn rows_written_since_keep_what_their_triggers_gave_them() {
    let db = database("triggers_since", &plain());
    let before = catalog_snapshot(db.url()).await.unwrap();
    apply(&db, "1.1", r#"ALTER TABLE "Shop"."Order" DROP COLUMN note;"#).await;
    db.run(
        r#"UPDATE "Shop"."Order" SET title = 'changed' WHERE id = 3;
           INSERT INTO "Shop"."Order" (id, title, amount) VALUES (51, 'new', 1);"#,
    )
    .unwrap();
    let (rows, audit) = (db.query(ROWS.replace(", note", "").as_str()).unwrap(), db.query(AUDIT).unwrap());
    assert!(audit.contains("audit UPDATE 3"), "{audit}");
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(&db, &before, &[r#""Shop"."Order"."#]).await;
    assert_eq!(db.query(ROWS.replace(", note", "").as_str()).unwrap(), rows);
    assert_eq!(db.query(AUDIT).unwrap(), audit);
    assert_eq!(one(&db, r#"SELECT note FROM "Shop"."Order" WHERE id = 3;"#), "note 3");
    assert_eq!(one(&db, r#"SELECT count(*) FROM "Shop"."Order" WHERE id = 51 AND note IS NULL;"#), "1");
}

#[tokio::test]
async fn a_dropped_identity_column_comes_back_without_firing_any_trigger() {
    let setup = format!(
        r#"{FUNCTIONS}
CREATE TABLE "Shop"."Order" (id int PRIMARY KEY, title text, note text, amount numeric(10,4),
    search tsvector, updated_at timestamptz NOT NULL DEFAULT '2020-01-01',
    "No" int GENERATED ALWAYS AS IDENTITY (START WITH 100));
{}
INSERT INTO "Shop"."Order" (id, title, updated_at) SELECT g, 't' || g, '2021-01-01' FROM generate_series(1, 20) g;
"#,
        triggers(r#""Shop"."Order""#)
    );
    let db = database("triggers_identity", &setup);
    let before = catalog_snapshot(db.url()).await.unwrap();
    let numbers = r#"SELECT id, "No", updated_at FROM "Shop"."Order" ORDER BY id;"#;
    let rows = db.query(numbers).unwrap();
    apply(&db, "1.1", r#"ALTER TABLE "Shop"."Order" DROP COLUMN "No";"#).await;
    db.run(r#"INSERT INTO "Shop"."Order" (id, updated_at) VALUES (21, '2022-02-02');"#).unwrap();
    let audit = db.query(AUDIT).unwrap();
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(&db, &before, &[r#""Shop"."Order"."#]).await;
    // The row inserted since gets its number from the sequence; its updated_at is untouched too.
    let expected = format!("{}\n21|120|2022-02-02 00:00:00+00", rows.trim_end());
    assert_eq!(db.query(numbers).unwrap().trim_end(), expected.trim_end());
    assert_eq!(db.query(AUDIT).unwrap(), audit);
}

#[tokio::test]
async fn a_partitioned_tables_restore_fires_no_trigger_of_the_parent_or_its_partitions() {
    let setup = format!(
        r#"{FUNCTIONS}
CREATE TABLE "Shop"."Order" (id int PRIMARY KEY, title text, note text, amount numeric(10,4),
    search tsvector, updated_at timestamptz NOT NULL DEFAULT '2020-01-01') PARTITION BY RANGE (id);
CREATE TABLE "Shop"."Order low" PARTITION OF "Shop"."Order" FOR VALUES FROM (MINVALUE) TO (25);
CREATE TABLE "Shop"."Order high" PARTITION OF "Shop"."Order" FOR VALUES FROM (25) TO (MAXVALUE);
{}
-- A partition's own trigger, and a copy of a parent's trigger in a state of its own.
CREATE TRIGGER "low only" BEFORE UPDATE ON "Shop"."Order low" FOR EACH ROW EXECUTE FUNCTION "Shop".touch();
ALTER TABLE ONLY "Shop"."Order high" DISABLE TRIGGER audit;
ALTER TABLE ONLY "Shop"."Order low" ENABLE ALWAYS TRIGGER "Touch it";
INSERT INTO "Shop"."Order" (id, title, note, amount, updated_at)
    SELECT g, 'title ' || g, 'note ' || g, g * 1.2345, timestamptz '2021-03-04 05:06:07+00' + g * interval '1 hour'
    FROM generate_series(1, 50) g;
"#,
        triggers(r#""Shop"."Order""#)
    );
    for (name, sql, dropped) in [
        ("triggers_partitioned_drop", r#"ALTER TABLE "Shop"."Order" DROP COLUMN note;"#, true),
        ("triggers_partitioned_type", r#"ALTER TABLE "Shop"."Order" ALTER COLUMN amount TYPE numeric(10,2);"#, false),
    ] {
        let db = database(name, &setup);
        let before = catalog_snapshot(db.url()).await.unwrap();
        let (rows, audit) = (db.query(ROWS).unwrap(), db.query(AUDIT).unwrap());
        let stored = apply(&db, "1.1", sql).await;
        assert!(stored.restore_script.is_some(), "{:?}", stored.archive);
        execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
        let moved = [r#""Shop"."Order"."#, r#""Shop"."Order low"."#, r#""Shop"."Order high"."#];
        assert_schema_back(&db, &before, if dropped { &moved } else { &[] }).await;
        assert_eq!(db.query(ROWS).unwrap(), rows, "{name}: rows changed");
        assert_eq!(db.query(AUDIT).unwrap(), audit, "{name}: the audit triggers fired");
    }
}
