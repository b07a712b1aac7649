//! Multi-step rollbacks (`to`, `steps`) on a real PostgreSQL: one transaction, refusals, non-transactional
//! versions on their own, and the preview's locks and data at risk.
mod common;

use common::*;
use pg_rollback_db::ErrorCode;
use pg_rollback_db::{
    apply_migration, execute_rollbacks, preview_rollbacks, rollback_cost, store_rollback, CountLimits, DrizzleEntry,
    ExecuteManyOptions, ExpectedScript, OrderedMigration, ROLLBACK_PLAN_SQL,
};

fn drizzle(hash: &str, created_at: i64) -> DrizzleEntry {
    DrizzleEntry { hash: hash.into(), created_at }
}

/// The migrations in journal order, each with its Drizzle hash `h<version>`.
fn journal(versions: &[&str]) -> Vec<OrderedMigration> {
    versions.iter().map(|v| OrderedMigration { version: v.to_string(), drizzle_hash: Some(format!("h{v}")) }).collect()
}

const M1: &str = "ALTER TABLE wishlist_items ADD COLUMN notes TEXT;";
const M2: &str = "CREATE INDEX \"Idx Notes\" ON wishlist_items (notes);\nALTER TABLE wishlist_items ALTER COLUMN user_id DROP NOT NULL;";
const M3: &str = "CREATE TABLE \"Tags\" (id int PRIMARY KEY, label text CHECK (label <> ''));";

/// A database at version 1.0, its dump, and 1.1-1.3 applied on top (with Drizzle records).
async fn three_versions(prefix: &str) -> (testpg::Database, String) {
    let db = prepared(prefix);
    db.run(ROLLBACK_PLAN_SQL).unwrap();
    apply_migration(db.url(), &migration("1.0", "SELECT 1;"), Some(&drizzle("h1.0", 10))).await.unwrap();
    let at_1_0 = db.schema_dump().unwrap();
    for (i, (version, sql)) in [("1.1", M1), ("1.2", M2), ("1.3", M3)].into_iter().enumerate() {
        let entry = drizzle(&format!("h{version}"), 11 + i as i64);
        assert!(apply_migration(db.url(), &migration(version, sql), Some(&entry)).await.unwrap().applied);
    }
    (db, at_1_0)
}

fn to(version: &str) -> ExecuteManyOptions {
    ExecuteManyOptions {
        to: Some(version.into()),
        migrations: journal(&["1.0", "1.1", "1.2", "1.3"]),
        ..Default::default()
    }
}

fn state(db: &testpg::Database) -> (String, String, String) {
    (
        db.schema_dump().unwrap(),
        metadata(db),
        db.query("SELECT hash FROM drizzle.__drizzle_migrations ORDER BY id;").unwrap(),
    )
}

#[tokio::test]
async fn to_rolls_back_every_later_version_in_one_transaction() {
    let (db, at_1_0) = three_versions("many_to").await;
    db.run("INSERT INTO wishlist_items (user_id, notes) VALUES ('u', 'a note'), (NULL, NULL);").unwrap();
    let before = state(&db);

    let preview = preview_rollbacks(db.url(), &to("1.0"), CountLimits::default()).await.unwrap();
    let order: Vec<&str> = preview.steps.iter().map(|s| s.rollback.version.as_str()).collect();
    assert_eq!(order, ["1.3", "1.2", "1.1"]);
    assert!(preview.refusals.is_empty(), "{:?}", preview.refusals);
    assert_eq!(before, state(&db), "the preview changes nothing");
    // 1.2's rollback puts back NOT NULL: one row would violate it.
    let risks: Vec<&str> =
        preview.steps.iter().flat_map(|s| s.data_at_risk.iter().map(|r| r.message.as_str())).collect();
    assert_eq!(
        risks,
        [
            "\"Tags\": the table is empty (nothing is lost)",
            "wishlist_items.user_id: 1 row is NULL: the rollback's SET NOT NULL would fail",
            "wishlist_items.notes: 1 row holds a value that the rollback deletes",
        ]
    );
    db.run("UPDATE wishlist_items SET user_id = 'w' WHERE user_id IS NULL;").unwrap();

    let options = ExecuteManyOptions {
        expected_scripts: Some(
            preview
                .steps
                .iter()
                .map(|s| ExpectedScript {
                    version: s.rollback.version.clone(),
                    rollback_script: s.rollback.rollback_script.clone(),
                })
                .collect(),
        ),
        ..to("1.0")
    };
    let done = execute_rollbacks(db.url(), &options).await.unwrap();
    let versions: Vec<&str> = done.iter().map(|d| d.rollback.version.as_str()).collect();
    assert_eq!(versions, ["1.3", "1.2", "1.1"]);
    assert!(done.iter().all(|d| d.drizzle_row_deleted && d.rollback.rollback_applied_at.is_some()));
    assert_same_schema(&at_1_0, &db.schema_dump().unwrap());
    assert_eq!(db.query("SELECT hash FROM drizzle.__drizzle_migrations;").unwrap().trim(), "h1.0");
    assert_eq!(one(&db, "SELECT count(*) FROM schema_versions WHERE rollback_applied_at IS NOT NULL;"), "3");
    // Nothing left to roll back.
    assert!(execute_rollbacks(db.url(), &to("1.0")).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_failure_in_the_last_step_changes_nothing() {
    let (db, _) = three_versions("many_fail").await;
    // 1.1's rollback (the last to run) fails: a view depends on the column it drops.
    db.run("CREATE VIEW v AS SELECT notes FROM wishlist_items;").unwrap();
    let before = state(&db);
    let e = execute_rollbacks(db.url(), &to("1.0")).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::RollbackFailed);
    let message = e.to_string();
    assert!(
        message.starts_with(
            "Rollback of version 1.1 failed at statement 1 of 1: ALTER TABLE wishlist_items DROP COLUMN notes"
        ),
        "{message}"
    );
    assert!(message.contains("SQLSTATE 2BP01"), "{message}");
    assert!(message.contains("The transaction was rolled back"), "{message}");
    assert_eq!(before, state(&db));
}

#[tokio::test]
async fn steps_takes_the_newest_n() {
    let (db, _) = three_versions("many_steps").await;
    let options = ExecuteManyOptions { to: None, steps: Some(2), ..to("1.0") };
    let done = execute_rollbacks(db.url(), &options).await.unwrap();
    assert_eq!(done.iter().map(|d| d.rollback.version.as_str()).collect::<Vec<_>>(), ["1.3", "1.2"]);
    assert!(column_exists(&db, "wishlist_items", "notes"));
    assert_eq!(one(&db, "SELECT to_regclass('\"Tags\"') IS NULL;"), "t");
    let e = execute_rollbacks(db.url(), &ExecuteManyOptions { steps: Some(5), ..options.clone() }).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArgument);
    assert!(e.to_string().contains("only 2 migrations are applied"), "{e}");
}

#[tokio::test]
async fn refusals_change_nothing() {
    let (db, _) = three_versions("many_refuse").await;
    // 1.2 becomes a version without a script, as a DROP COLUMN migration would be.
    let dropped = "ALTER TABLE wishlist_items DROP COLUMN legacy_field;";
    db.run(dropped).unwrap();
    store_rollback(db.url(), &migration("1.2", dropped)).await.unwrap();
    let before = state(&db);
    for force in [false, true] {
        let e = execute_rollbacks(db.url(), &ExecuteManyOptions { force, ..to("1.0") }).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::RollbackScriptNotFound);
        let message = e.to_string();
        assert!(message.contains("No rollback script found for version 1.2 (1.2.sql)"), "{message}");
        assert!(message.contains("Cannot auto-generate rollback for DROP COLUMN (data loss)"), "{message}");
        assert!(message.contains("roll back to just above it: to = 1.2"), "{message}");
    }
    assert_eq!(execute_rollbacks(db.url(), &to("9.9")).await.unwrap_err().code(), ErrorCode::VersionNotFound);
    let mut never = to("1.4");
    never.migrations.push(OrderedMigration { version: "1.4".into(), drizzle_hash: None });
    assert_eq!(execute_rollbacks(db.url(), &never).await.unwrap_err().code(), ErrorCode::TargetNotApplied);
    let shown = ExecuteManyOptions {
        expected_scripts: Some(vec![ExpectedScript { version: "1.3".into(), rollback_script: None }]),
        ..to("1.2")
    };
    assert_eq!(execute_rollbacks(db.url(), &shown).await.unwrap_err().code(), ErrorCode::RollbackScriptChanged);
    assert_eq!(before, state(&db));

    // Unsafe (a partial script) needs force.
    let (db, _) = three_versions("many_unsafe").await;
    let partial = "ALTER TABLE wishlist_items ADD COLUMN extra int, DROP COLUMN legacy_field;";
    db.run(partial).unwrap();
    let stored = store_rollback(db.url(), &migration("1.4", partial)).await.unwrap();
    assert!(!stored.rollback_safe && stored.rollback_script.is_some());
    let mut options = to("1.2");
    options.migrations.push(OrderedMigration { version: "1.4".into(), drizzle_hash: None });
    let before = state(&db);
    let e = execute_rollbacks(db.url(), &options).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::RollbackUnsafe);
    assert!(e.to_string().contains("version 1.4 is marked unsafe"), "{e}");
    assert_eq!(before, state(&db));
    let done = execute_rollbacks(db.url(), &ExecuteManyOptions { force: true, ..options }).await.unwrap();
    assert_eq!(done.len(), 2);
    assert!(!column_exists(&db, "wishlist_items", "extra"));
}

#[tokio::test]
async fn target_rolled_back_is_not_applied() {
    let (db, _) = three_versions("many_target").await;
    execute_rollbacks(db.url(), &ExecuteManyOptions { to: None, steps: Some(1), ..to("1.0") }).await.unwrap();
    let e = execute_rollbacks(db.url(), &to("1.3")).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::TargetNotApplied);
    assert!(e.to_string().contains("it is not applied (it was rolled back at"), "{e}");
}

/// A CONCURRENTLY script runs on its own; a failure after it reports what was rolled back.
#[tokio::test]
async fn a_non_transactional_version_runs_on_its_own() {
    let db = prepared("many_concurrently");
    let steps = [
        ("1.1", "ALTER TABLE wishlist_items ADD COLUMN a int;"),
        ("1.2", "CREATE INDEX CONCURRENTLY idx_user ON wishlist_items (user_id);"),
        ("1.3", "ALTER TABLE wishlist_items ADD COLUMN b int;"),
    ];
    let at_start = db.schema_dump().unwrap();
    for (version, sql) in steps {
        db.run(sql).unwrap();
        store_rollback(db.url(), &migration(version, sql)).await.unwrap();
    }
    let options = ExecuteManyOptions { steps: Some(3), ..Default::default() };
    let preview = preview_rollbacks(db.url(), &options, CountLimits::default()).await.unwrap();
    let transactional: Vec<bool> = preview.steps.iter().map(|s| s.transactional).collect();
    assert_eq!(transactional, [true, false, true]);

    // 1.1's rollback fails: 1.3 and 1.2 stay rolled back, 1.1 is unchanged.
    db.run("CREATE VIEW v AS SELECT a FROM wishlist_items;").unwrap();
    let e = execute_rollbacks(db.url(), &options).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::RollbackFailed);
    let message = e.to_string();
    assert!(message.starts_with("Rollback of version 1.1 failed at statement 1 of 1"), "{message}");
    assert!(message.contains("Rolled back and committed before it: 1.3, 1.2"), "{message}");
    assert!(!column_exists(&db, "wishlist_items", "b"));
    assert_eq!(one(&db, "SELECT to_regclass('idx_user') IS NULL;"), "t");
    assert!(column_exists(&db, "wishlist_items", "a"));
    assert_eq!(
        one(&db, "SELECT string_agg(version, ',' ORDER BY id) FROM schema_versions WHERE rollback_applied_at IS NULL;"),
        "1.1"
    );

    db.run("DROP VIEW v;").unwrap();
    let done = execute_rollbacks(db.url(), &ExecuteManyOptions { steps: Some(1), ..Default::default() }).await.unwrap();
    assert_eq!(done[0].rollback.version, "1.1");
    assert_same_schema(&at_start, &db.schema_dump().unwrap());
}

#[tokio::test]
async fn data_at_risk_counts_and_estimates() {
    let db = prepared("many_risk");
    db.run(
        "ALTER TABLE wishlist_items ADD COLUMN notes text;
         INSERT INTO wishlist_items (user_id, notes) SELECT 'u' || i, CASE WHEN i % 4 = 0 THEN NULL ELSE 'n' END
           FROM generate_series(1, 1204 * 4 / 3) i;
         ANALYZE wishlist_items;",
    )
    .unwrap();
    let script = "ALTER TABLE wishlist_items DROP COLUMN notes;\nDROP TABLE IF EXISTS \"No Such\";\n\
                  ALTER TABLE wishlist_items ADD CONSTRAINT short CHECK (length(user_id) < 5);\n";
    let cost = rollback_cost(db.url(), script, CountLimits::default()).await.unwrap();
    let messages: Vec<&str> = cost.data_at_risk.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "wishlist_items.notes: 1,204 rows hold a value that the rollback deletes",
            "\"No Such\": not measured (it does not exist now; an earlier statement creates it)",
            "wishlist_items: 606 rows violate CHECK short (length(user_id) < 5): the rollback would fail",
        ]
    );
    assert!(!cost.data_at_risk[0].estimate && cost.data_at_risk[2].would_fail);
    let locks: Vec<String> = cost.locks.iter().flat_map(|s| s.locks.iter().map(|l| l.description.clone())).collect();
    assert_eq!(locks[0], "ACCESS EXCLUSIVE on wishlist_items (blocks reads and writes)");

    // A large table (by the limit) is estimated from pg_class/pg_stats.
    let estimated =
        rollback_cost(db.url(), script, CountLimits { exact_max_rows: 100, timeout_ms: 1000 }).await.unwrap();
    let notes = &estimated.data_at_risk[0];
    assert!(notes.estimate);
    let rows = notes.rows.unwrap();
    assert!((1100..=1300).contains(&rows), "{rows}");
    assert!(notes.message.contains("(estimate from pg_class/pg_stats: table too large to count)"), "{}", notes.message);
    assert!(estimated.data_at_risk[2].rows.is_none(), "a CHECK cannot be estimated");

    // A count that waits for a lock past the timeout is estimated too, and the preview still ends.
    let (holder, connection) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    holder.batch_execute("BEGIN; LOCK TABLE wishlist_items IN ACCESS EXCLUSIVE MODE").await.unwrap();
    let blocked = rollback_cost(db.url(), script, CountLimits { exact_max_rows: 1_000_000, timeout_ms: 200 }).await;
    holder.batch_execute("ROLLBACK").await.unwrap();
    let blocked = blocked.unwrap();
    assert!(blocked.data_at_risk[0].estimate, "{:?}", blocked.data_at_risk[0]);
    assert!(blocked.data_at_risk[0].message.contains("waited for a lock"), "{}", blocked.data_at_risk[0].message);
}
