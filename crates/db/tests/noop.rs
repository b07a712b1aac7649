//! Issue 16: a migration that changed nothing (every statement reversible, nothing to undo) stores a
//! script of comments that runs. Executing it records the rollback and forgets Drizzle's row, multi-step
//! rollbacks cross it, and the migration applies again. Rows an earlier version stored with a NULL script
//! are read with that script when their stored plan shows there was nothing to undo.
mod common;

use common::*;
use pg_rollback_db::ErrorCode;
use pg_rollback_db::{
    apply_migration, execute_rollback, execute_rollbacks, get_rollback, preview_rollbacks, CountLimits, DrizzleEntry,
    ExecuteManyOptions, ExecuteOptions, MigrationInput, OrderedMigration, ROLLBACK_PLAN_SQL,
};

fn migration(version: &str, sql: &str) -> MigrationInput {
    MigrationInput {
        version: version.into(),
        migration_file: format!("{version}.sql"),
        sql: sql.into(),
        ..Default::default()
    }
}

fn entry(version: &str, created_at: i64) -> DrizzleEntry {
    DrizzleEntry { hash: format!("h{version}"), created_at }
}

fn journal(versions: &[&str]) -> Vec<OrderedMigration> {
    versions.iter().map(|v| OrderedMigration { version: v.to_string(), drizzle_hash: Some(format!("h{v}")) }).collect()
}

fn drizzle_hashes(db: &testpg::Database) -> String {
    one(db, "SELECT string_agg(hash, ',' ORDER BY id) FROM drizzle.__drizzle_migrations;")
}

const DRIZZLE: &str = "CREATE SCHEMA drizzle; \
    CREATE TABLE drizzle.__drizzle_migrations (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint);";

/// Migrations that change nothing on the schema `prepared` + `SETUP` creates, with the reason each says.
const SETUP: &str = "CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE SCHEMA \"App\"; \
                     CREATE TABLE \"App\".\"Items\" (id int); CREATE INDEX items_id ON \"App\".\"Items\" (id);";
const NO_OPS: &[(&str, &str)] = &[
    ("CREATE TABLE IF NOT EXISTS wishlist_items (id int);", "it existed already"),
    ("CREATE TABLE IF NOT EXISTS \"App\".\"Items\" (id int, \"x\ny\" int);", "it existed already"),
    ("CREATE EXTENSION IF NOT EXISTS pg_trgm;", "it existed already"),
    ("CREATE SCHEMA IF NOT EXISTS \"App\";", "it existed already"),
    ("CREATE INDEX IF NOT EXISTS items_id ON \"App\".\"Items\" (id);", "it existed already"),
    ("ALTER TYPE wishlist_store ADD VALUE IF NOT EXISTS 'LEGO';", "the value existed already"),
    ("ALTER TABLE IF EXISTS missing RENAME TO other;", "it did not exist"),
    ("SET lock_timeout = '1s';\nCREATE TABLE IF NOT EXISTS wishlist_items (id int);", "a session setting"),
];

#[tokio::test]
async fn a_migration_that_changed_nothing_rolls_back_and_applies_again() {
    for (i, (sql, why)) in NO_OPS.iter().enumerate() {
        let db = prepared(&format!("noop_single_{i}"));
        db.run(ROLLBACK_PLAN_SQL).unwrap();
        db.run(SETUP).unwrap();
        db.run(DRIZZLE).unwrap();
        let before = db.schema_dump().unwrap();
        let applied = apply_migration(db.url(), &migration("2.0", sql), Some(&entry("2.0", 20))).await.unwrap();
        let stored = applied.rollback.unwrap();
        assert!(stored.rollback_safe, "{sql}: {stored:?}");
        let script = stored.rollback_script.clone().unwrap_or_else(|| panic!("{sql}: no script"));
        assert!(pg_rollback_core::noop::is_comment_only(&script), "{sql}: {script}");
        assert!(script.contains(&format!("{why}, nothing to undo")), "{sql}: {script}");
        let statements = pg_rollback_core::ParsedMigration::parse(sql).unwrap().statements.len();
        assert_eq!(script.lines().count(), statements, "one comment per statement: {script}");
        assert_same_schema(&before, &db.schema_dump().unwrap());
        // What get_rollback (the preview) shows is what runs.
        assert_eq!(get_rollback(db.url(), "2.0").await.unwrap().rollback_script.as_deref(), Some(script.as_str()));

        let options = ExecuteOptions {
            drizzle_hash: Some("h2.0".into()),
            expected_script: Some(script.clone()),
            ..Default::default()
        };
        let done =
            execute_rollback(db.url(), "2.0", &options).await.unwrap_or_else(|e| panic!("{sql}: [{}] {e}", e.code()));
        assert!(done.rollback.rollback_applied_at.is_some(), "{sql}");
        assert!(done.drizzle_row_deleted, "{sql}");
        assert_eq!(drizzle_hashes(&db), "", "{sql}");
        assert_same_schema(&before, &db.schema_dump().unwrap());
        let again = execute_rollback(db.url(), "2.0", &ExecuteOptions::default()).await.unwrap_err();
        assert_eq!(again.code(), ErrorCode::AlreadyRolledBack, "{sql}");

        // Drizzle forgot it, so it applies again: a row of its own, rolled back again.
        let reapplied = apply_migration(db.url(), &migration("2.0", sql), Some(&entry("2.0", 21))).await.unwrap();
        assert!(reapplied.applied, "{sql}");
        assert_eq!(reapplied.rollback.unwrap().rollback_script.as_deref(), Some(script.as_str()));
        assert_eq!(one(&db, "SELECT count(*) FROM schema_versions WHERE version = '2.0';"), "2");
        execute_rollback(db.url(), "2.0", &ExecuteOptions::default()).await.unwrap();
        assert_same_schema(&before, &db.schema_dump().unwrap());
    }
}

/// 1.0 creates a table, 1.1 changes nothing, 1.2 adds a column: rolling back to 1.0 crosses 1.1.
async fn three_versions(prefix: &str) -> (testpg::Database, String, String) {
    let db = prepared(prefix);
    db.run(ROLLBACK_PLAN_SQL).unwrap();
    apply_migration(db.url(), &migration("1.0", "CREATE TABLE \"Tags\" (id int);"), Some(&entry("1.0", 10)))
        .await
        .unwrap();
    let at_1_0 = db.schema_dump().unwrap();
    let noop = "CREATE TABLE IF NOT EXISTS \"Tags\" (id int);\nCREATE EXTENSION IF NOT EXISTS plpgsql;";
    apply_migration(db.url(), &migration("1.1", noop), Some(&entry("1.1", 11))).await.unwrap();
    apply_migration(
        db.url(),
        &migration("1.2", "ALTER TABLE \"Tags\" ADD COLUMN label text;"),
        Some(&entry("1.2", 12)),
    )
    .await
    .unwrap();
    (db, at_1_0, noop.to_owned())
}

fn to(version: &str) -> ExecuteManyOptions {
    ExecuteManyOptions { to: Some(version.into()), migrations: journal(&["1.0", "1.1", "1.2"]), ..Default::default() }
}

#[tokio::test]
async fn a_range_crosses_a_migration_that_changed_nothing() {
    let (db, at_1_0, noop) = three_versions("noop_range").await;
    let preview = preview_rollbacks(db.url(), &to("1.0"), CountLimits::default()).await.unwrap();
    assert!(preview.refusals.is_empty(), "{:?}", preview.refusals);
    let versions: Vec<&str> = preview.steps.iter().map(|s| s.rollback.version.as_str()).collect();
    assert_eq!(versions, ["1.2", "1.1"]);
    let shown = preview.steps[1].rollback.rollback_script.as_deref().unwrap();
    assert!(shown.contains("it existed already, nothing to undo"), "{shown}");
    assert!(preview.steps[1].transactional && preview.steps[1].locks.is_empty());

    let done = execute_rollbacks(db.url(), &to("1.0")).await.unwrap();
    assert_eq!(done.iter().map(|d| d.rollback.version.as_str()).collect::<Vec<_>>(), ["1.2", "1.1"]);
    assert!(done.iter().all(|d| d.drizzle_row_deleted && d.rollback.rollback_applied_at.is_some()));
    assert_same_schema(&at_1_0, &db.schema_dump().unwrap());
    assert_eq!(drizzle_hashes(&db), "h1.0");
    // Applied again in journal order, and rolled back again with steps.
    apply_migration(db.url(), &migration("1.1", &noop), Some(&entry("1.1", 13))).await.unwrap();
    let steps =
        ExecuteManyOptions { steps: Some(1), migrations: journal(&["1.0", "1.1", "1.2"]), ..Default::default() };
    let done = execute_rollbacks(db.url(), &steps).await.unwrap();
    assert_eq!(done[0].rollback.version, "1.1");
    assert_same_schema(&at_1_0, &db.schema_dump().unwrap());
}

#[tokio::test]
async fn rows_stored_with_a_null_script_by_an_earlier_version_are_read_with_comments() {
    let (db, at_1_0, _) = three_versions("noop_legacy").await;
    // What pg-rollback stored before: safe, NULL script, the plan beside it.
    db.run("UPDATE schema_versions SET rollback_script = NULL, rollback_plan = rollback_plan - 'rollbackScript' || '{\"rollbackScript\": null}' WHERE version = '1.1';").unwrap();
    let read = get_rollback(db.url(), "1.1").await.unwrap();
    let script = read.rollback_script.expect("a script read from the stored plan");
    assert!(pg_rollback_core::noop::is_comment_only(&script), "{script}");
    assert_eq!(script.lines().count(), 2, "{script}");
    let preview = preview_rollbacks(db.url(), &to("1.0"), CountLimits::default()).await.unwrap();
    assert!(preview.refusals.is_empty(), "{:?}", preview.refusals);
    execute_rollbacks(db.url(), &to("1.0")).await.unwrap();
    assert_same_schema(&at_1_0, &db.schema_dump().unwrap());
    assert_eq!(one(&db, "SELECT count(*) FROM schema_versions WHERE rollback_applied_at IS NOT NULL;"), "2");
    // The stored row itself is left as it was.
    assert_eq!(one(&db, "SELECT rollback_script IS NULL FROM schema_versions WHERE version = '1.1';"), "t");
}

#[tokio::test]
async fn rows_without_a_plan_that_shows_nothing_to_undo_still_have_no_script() {
    let (db, _, _) = three_versions("noop_unknown").await;
    // No stored plan (written by another tool), an unsafe row, a plan whose statements had inverses.
    db.run("UPDATE schema_versions SET rollback_script = NULL, rollback_plan = NULL WHERE version = '1.1';").unwrap();
    let e = execute_rollback(db.url(), "1.1", &ExecuteOptions::default()).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::RollbackScriptNotFound);
    let preview = preview_rollbacks(db.url(), &to("1.0"), CountLimits::default()).await.unwrap();
    assert_eq!(preview.refusals[0].code, ErrorCode::RollbackScriptNotFound);
    for (version, change) in [("1.1", "rollback_safe = false"), ("1.2", "rollback_script = NULL")] {
        let (db, _, _) = three_versions(&format!("noop_unknown_{}", version.replace('.', "_"))).await;
        db.run(&format!("UPDATE schema_versions SET {change} WHERE version = '{version}';")).unwrap();
        let read = get_rollback(db.url(), version).await.unwrap();
        match version {
            // Unsafe keeps its comments (they run only with force, like any unsafe script).
            "1.1" => assert!(read.rollback_script.is_some() && !read.rollback_safe),
            // The plan had a real inverse: a NULL script is not "nothing to undo".
            _ => assert_eq!(read.rollback_script, None),
        }
    }
}

#[tokio::test]
async fn an_unsafe_migration_keeps_no_script_and_still_refuses() {
    let db = prepared("noop_unsafe");
    db.run(ROLLBACK_PLAN_SQL).unwrap();
    let sql =
        "CREATE TABLE IF NOT EXISTS wishlist_items (id int);\nALTER TABLE wishlist_items DROP COLUMN legacy_field;";
    let stored = apply_migration(db.url(), &migration("3.0", sql), None).await.unwrap().rollback.unwrap();
    assert!(!stored.rollback_safe);
    assert_eq!(stored.rollback_script, None);
    let e = execute_rollback(db.url(), "3.0", &ExecuteOptions { force: true, ..Default::default() }).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::RollbackScriptNotFound);
}
