//! A materialized view created again by a rollback holds its query's result when the rollback runs, not the
//! rows it held: the plan says so in a MATERIALIZED_VIEW_REFRESHED warning, and the rows are there again.
mod common;

use common::*;
use pg_rollback_db::{apply_migration, execute_rollback, ExecuteOptions, MigrationInput, ROLLBACK_PLAN_SQL};

fn migration(sql: &str) -> MigrationInput {
    MigrationInput { version: "1".into(), migration_file: "1.sql".into(), sql: sql.into(), ..Default::default() }
}

#[tokio::test]
async fn a_populated_materialized_view_taken_by_cascade_is_filled_again_and_the_plan_says_so() {
    let db = prepared("matview_refreshed");
    db.run(ROLLBACK_PLAN_SQL).unwrap();
    db.run(
        "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2), (3); CREATE VIEW v AS SELECT id FROM t;
         CREATE MATERIALIZED VIEW \"Sums\" AS SELECT sum(id) AS total FROM v; CREATE MATERIALIZED VIEW later AS SELECT id FROM v WITH NO DATA;",
    )
    .unwrap();
    let applied = apply_migration(db.url(), &migration("DROP VIEW v CASCADE;"), None).await.unwrap();
    let stored = applied.rollback.unwrap();
    assert!(stored.rollback_safe, "{:?}", stored.warnings);
    let refreshed: Vec<&str> = stored
        .warnings
        .iter()
        .filter(|w| w.code == pg_rollback_core::Code::MaterializedViewRefreshed)
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(refreshed.len(), 1, "{:?}", stored.warnings);
    assert!(refreshed[0].contains("public.\"Sums\"") && !refreshed[0].contains("later"), "{}", refreshed[0]);
    execute_rollback(db.url(), "1", &ExecuteOptions::default()).await.unwrap();
    assert_eq!(one(&db, "SELECT total FROM \"Sums\";"), "6");
    assert_eq!(one(&db, "SELECT relispopulated FROM pg_class WHERE relname = 'later';"), "f");
}

#[tokio::test]
async fn a_materialized_view_without_rows_gets_no_warning() {
    let db = prepared("matview_not_refreshed");
    db.run(ROLLBACK_PLAN_SQL).unwrap();
    db.run("CREATE MATERIALIZED VIEW m AS SELECT 1 AS one WITH NO DATA;").unwrap();
    let applied = apply_migration(db.url(), &migration("DROP MATERIALIZED VIEW m;"), None).await.unwrap();
    let stored = applied.rollback.unwrap();
    assert!(stored.rollback_safe, "{:?}", stored.warnings);
    assert!(stored.warnings.is_empty(), "{:?}", stored.warnings);
}
