//! The restore preview (`restore_preview`) on a real PostgreSQL: what each archived object brings back,
//! counted now (rows inserted and deleted since, conflicts), what would refuse the restore, and that the
//! scripts it shows are what `execute_rollbacks` with `restore_data` compares and runs. Changes nothing.
mod common;

use common::*;
use pg_rollback_db::{execute_rollbacks, restore_preview, ExecuteManyOptions, ExpectedScript, RestorePreview};

fn one_version(version: &str) -> ExecuteManyOptions {
    ExecuteManyOptions { version: Some(version.into()), restore_data: true, ..Default::default() }
}

async fn preview(db: &testpg::Database, options: &ExecuteManyOptions) -> RestorePreview {
    restore_preview(db.url(), options).await.unwrap()
}

fn codes(p: &RestorePreview) -> Vec<&str> {
    p.refusals.iter().map(|r| r.code.as_str()).collect()
}

const ORDERS: &str = r#"
CREATE SCHEMA "My Shop";
CREATE TABLE "My Shop"."Order" (id int PRIMARY KEY, "Note" text DEFAULT 'none', qty numeric(10,4));
INSERT INTO "My Shop"."Order" SELECT g, 'note ' || g, g / 3.0 FROM generate_series(1, 1200) g;
"#;

#[tokio::test]
async fn a_dropped_column_counts_rows_inserted_and_deleted_since_and_changes_nothing() {
    let db = database("preview_drop", ORDERS);
    apply(&db, "1.1", r#"ALTER TABLE "My Shop"."Order" DROP COLUMN "Note";"#).await;
    db.run(
        r#"INSERT INTO "My Shop"."Order" SELECT g, 1 FROM generate_series(2001, 2037) g;
           DELETE FROM "My Shop"."Order" WHERE id <= 8;"#,
    )
    .unwrap();
    let before = metadata(&db);
    let p = preview(&db, &one_version("1.1")).await;
    assert!(p.refusals.is_empty(), "{:?}", p.refusals);
    let v = &p.versions[0];
    assert_eq!((v.runs.as_str(), v.script.as_deref()), ("restore", v.rollback.restore_script.as_deref()));
    let o = &v.objects[0];
    assert_eq!((o.archived_rows, o.rows_since, o.rows_deleted, o.update_triggers), (1200, Some(37), Some(8), Some(0)));
    assert_eq!(
        o.summary,
        r#""My Shop"."Order"."Note": 1,192 values come back; 37 rows inserted since the migration get the column's default ('none'::text); 8 rows deleted since stay deleted"#
    );
    assert!(o.notes[0].starts_with("the column comes back last"), "{:?}", o.notes);
    assert_eq!(metadata(&db), before, "the preview changes nothing");
    assert!(!column_exists(&db, "Order", "Note"));
}

#[tokio::test]
async fn a_type_change_counts_rows_since_and_keeps_the_kind_of_key() {
    let db = database(
        "preview_type",
        r#"CREATE TYPE kind AS ENUM ('a', 'b');
           CREATE TABLE t (k kind, n int, v numeric(10,4), PRIMARY KEY (k, n));
           INSERT INTO t SELECT 'a', g, g / 7.0 FROM generate_series(1, 10) g;"#,
    );
    apply(&db, "1.1", "ALTER TABLE t ALTER COLUMN v TYPE numeric(10,2);").await;
    db.run("INSERT INTO t VALUES ('b', 1, 1.5), ('b', 2, 2.5);").unwrap();
    let p = preview(&db, &one_version("1.1")).await;
    let o = &p.versions[0].objects[0];
    assert_eq!((o.rows_since, o.rows_deleted), (Some(2), Some(0)), "{o:?}");
    assert_eq!(
        o.summary,
        "public.t.v: 10 values get their old type (numeric(10,4)) and value back; 2 rows inserted since keep their \
         value cast back to numeric(10,4)"
    );
}

#[tokio::test]
async fn conflicts_missing_archives_and_versions_without_a_restore_are_refusals() {
    let db = database(
        "preview_refusals",
        "CREATE TABLE strict (id int PRIMARY KEY, must text NOT NULL);
         INSERT INTO strict SELECT g, 'm' || g FROM generate_series(1, 5) g;
         CREATE TABLE watched (id int PRIMARY KEY, w text);
         INSERT INTO watched VALUES (1, 'x');
         CREATE TABLE gone (id int PRIMARY KEY, g text);
         CREATE TABLE nokey (a int, b text);",
    );
    apply(&db, "1.1", "ALTER TABLE strict DROP COLUMN must;").await;
    // No rows since: nothing conflicts yet.
    assert!(preview(&db, &one_version("1.1")).await.refusals.is_empty());
    db.run("INSERT INTO strict VALUES (100), (101), (102);").unwrap();
    let p = preview(&db, &one_version("1.1")).await;
    assert_eq!(codes(&p), ["RESTORE_CONFLICT"]);
    assert!(
        p.refusals[0].message.contains("3 rows of public.strict were inserted since the migration, and its column must is NOT NULL without a default"),
        "{}",
        p.refusals[0].message
    );
    assert!(p.versions[0].objects[0].summary.contains("3 rows inserted since the migration would conflict"));
    // The restore refuses the same way (the preview says what execute would do).
    let e = execute_rollbacks(db.url(), &one_version("1.1")).await.unwrap_err();
    assert_eq!(e.code().as_str(), "RESTORE_CONFLICT", "{e}");

    apply(&db, "1.2", "ALTER TABLE watched DROP COLUMN w;").await;
    db.run(
        "CREATE FUNCTION nothing() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TRIGGER on_update BEFORE UPDATE ON watched FOR EACH ROW EXECUTE FUNCTION nothing();",
    )
    .unwrap();
    // Not a conflict: the restore does not fire it (the preview says so).
    let p = preview(&db, &one_version("1.2")).await;
    assert!(p.refusals.is_empty(), "{:?}", p.refusals);
    let o = &p.versions[0].objects[0];
    assert_eq!(o.update_triggers, Some(1));
    assert!(o.notes.iter().any(|n| n.starts_with("1 enabled UPDATE trigger on public.watched does not fire")), "{o:?}");

    apply(&db, "1.3", "ALTER TABLE gone DROP COLUMN g;").await;
    db.run(r#"DROP TABLE pgrollback_archive."1.3/1";"#).unwrap();
    let p = preview(&db, &one_version("1.3")).await;
    assert_eq!(codes(&p), ["ARCHIVE_MISSING"]);
    assert!(p.versions[0].objects[0].archive_missing);

    apply(&db, "1.4", "ALTER TABLE nokey DROP COLUMN b;").await;
    let p = preview(&db, &one_version("1.4")).await;
    assert_eq!(codes(&p), ["RESTORE_NOT_AVAILABLE"]);
    assert_eq!((p.versions[0].runs.as_str(), p.versions[0].script.as_deref()), ("none", None));
    assert!(p.refusals[0].message.contains("no primary key"), "{}", p.refusals[0].message);
}

#[tokio::test]
async fn a_range_shows_the_script_each_version_runs_and_execute_compares_exactly_those() {
    let db = database(
        "preview_range",
        "CREATE TABLE t (id int PRIMARY KEY, a text);
         INSERT INTO t SELECT g, 'a' || g FROM generate_series(1, 20) g;",
    );
    apply(&db, "1.0", "SELECT 1;").await;
    let rows = db.query("SELECT id, a FROM t ORDER BY id;").unwrap();
    apply(&db, "1.1", "ALTER TABLE t ADD COLUMN b int;").await;
    apply(&db, "1.2", "ALTER TABLE t DROP COLUMN a;").await;
    let range = ExecuteManyOptions { to: Some("1.0".into()), restore_data: true, ..Default::default() };
    let p = preview(&db, &range).await;
    assert!(p.refusals.is_empty(), "{:?}", p.refusals);
    let runs: Vec<(&str, &str)> = p.versions.iter().map(|v| (v.rollback.version.as_str(), v.runs.as_str())).collect();
    assert_eq!(runs, [("1.2", "restore"), ("1.1", "rollback")]);
    assert_eq!(p.versions[1].script.as_deref(), Some("ALTER TABLE t DROP COLUMN b;\n"));
    let shown: Vec<ExpectedScript> = p
        .versions
        .iter()
        .map(|v| ExpectedScript { version: v.rollback.version.clone(), rollback_script: v.script.clone() })
        .collect();

    // The rollback script of the unsafe version (not what runs) is not what was shown: refused.
    let mut wrong = shown.clone();
    wrong[0].rollback_script = p.versions[0].rollback.rollback_script.clone();
    let e = execute_rollbacks(db.url(), &ExecuteManyOptions { expected_scripts: Some(wrong), ..range.clone() })
        .await
        .unwrap_err();
    assert_eq!(e.code().as_str(), "ROLLBACK_SCRIPT_CHANGED", "{e}");
    assert!(!column_exists(&db, "t", "a"));

    let done =
        execute_rollbacks(db.url(), &ExecuteManyOptions { expected_scripts: Some(shown), ..range }).await.unwrap();
    assert_eq!(done.len(), 2);
    assert_eq!(db.query("SELECT id, a FROM t ORDER BY id;").unwrap(), rows);
}

#[tokio::test]
async fn a_safe_version_that_cannot_run_in_a_transaction_and_a_rolled_back_one_are_refusals_too() {
    let db = database("preview_order", "CREATE TABLE t (id int PRIMARY KEY, a text);");
    apply(&db, "1.1", "ALTER TABLE t DROP COLUMN a;").await;
    apply(&db, "1.2", "CREATE INDEX CONCURRENTLY t_id ON t (id);").await;
    let p = preview(&db, &ExecuteManyOptions { steps: Some(2), restore_data: true, ..Default::default() }).await;
    assert_eq!(codes(&p), ["NOT_TRANSACTIONAL"], "{:?}", p.refusals);
    assert_eq!(p.refusals[0].version, "1.2");
    let e =
        execute_rollbacks(db.url(), &ExecuteManyOptions { steps: Some(2), restore_data: true, ..Default::default() })
            .await
            .unwrap_err();
    assert_eq!(e.code().as_str(), "NOT_TRANSACTIONAL", "{e}");

    // Alone, nothing is restored: its ordinary rollback runs, on its own.
    let p = preview(&db, &one_version("1.2")).await;
    assert!(p.refusals.is_empty(), "{:?}", p.refusals);
    assert_eq!(p.versions[0].runs, "rollback");
    execute_rollbacks(db.url(), &one_version("1.2")).await.unwrap();
    assert_eq!(one(&db, "SELECT to_regclass('t_id') IS NULL;"), "t");
    let p = preview(&db, &one_version("1.2")).await;
    assert_eq!(codes(&p), ["ALREADY_ROLLED_BACK"]);
}
