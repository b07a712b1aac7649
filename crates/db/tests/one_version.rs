//! `version`: exactly one version through the range API (what the CLI's `--version` runs), with its
//! refusals as data in the preview and as errors when executing: out of order (force overrides it),
//! already rolled back, unknown, a script replaced after it was shown.
mod common;

use common::*;
use pg_rollback_db::{
    apply_migration, execute_rollbacks, preview_rollbacks, CountLimits, DrizzleEntry, ExecuteManyOptions,
    ExpectedScript, OrderedMigration, ROLLBACK_PLAN_SQL,
};

/// 1.0, then 1.1 (a column) and 1.2 (a quoted table), each with a Drizzle record `h<version>`.
async fn two_on_top(prefix: &str) -> (testpg::Database, Vec<String>) {
    let db = prepared(prefix);
    db.run(ROLLBACK_PLAN_SQL).unwrap();
    let mut dumps = Vec::new();
    for (i, (version, sql)) in [
        ("1.0", "SELECT 1;"),
        ("1.1", "ALTER TABLE wishlist_items ADD COLUMN \"Note\" TEXT;"),
        ("1.2", "CREATE TABLE \"My Tags\" (id int);"),
    ]
    .into_iter()
    .enumerate()
    {
        dumps.push(db.schema_dump().unwrap());
        let entry = DrizzleEntry { hash: format!("h{version}"), created_at: 10 + i as i64 };
        assert!(apply_migration(db.url(), &migration(version, sql), Some(&entry)).await.unwrap().applied);
    }
    (db, dumps)
}

fn version(v: &str) -> ExecuteManyOptions {
    ExecuteManyOptions {
        version: Some(v.into()),
        migrations: ["1.0", "1.1", "1.2"]
            .iter()
            .map(|v| OrderedMigration { version: v.to_string(), drizzle_hash: Some(format!("h{v}")) })
            .collect(),
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
async fn out_of_order_is_a_refusal_that_force_overrides() {
    let (db, dumps) = two_on_top("one_order").await;
    let before = state(&db);

    let preview = preview_rollbacks(db.url(), &version("1.1"), CountLimits::default()).await.unwrap();
    assert_eq!(preview.steps.len(), 1);
    assert_eq!(preview.steps[0].rollback.version, "1.1");
    let refusals: Vec<(&str, bool, Vec<String>)> =
        preview.refusals.iter().map(|r| (r.code.as_str(), r.forceable, r.versions.clone())).collect();
    assert_eq!(refusals, [("ROLLBACK_OUT_OF_ORDER", true, vec!["1.2".to_owned()])]);
    assert!(preview.refusals[0].message.contains("later version 1.2 (1.2.sql) is applied"), "{:?}", preview.refusals);

    let e = execute_rollbacks(db.url(), &version("1.1")).await.unwrap_err();
    assert_eq!(e.code().as_str(), "ROLLBACK_OUT_OF_ORDER", "{e}");
    assert_eq!(before, state(&db), "refused: nothing changed");

    // Without the journal nothing is out of order (Drizzle does not apply the version in any case).
    let loose = ExecuteManyOptions { migrations: Vec::new(), ..version("1.1") };
    let preview = preview_rollbacks(db.url(), &loose, CountLimits::default()).await.unwrap();
    assert!(preview.refusals.is_empty(), "{:?}", preview.refusals);

    let done = execute_rollbacks(db.url(), &ExecuteManyOptions { force: true, ..version("1.1") }).await.unwrap();
    assert_eq!(done.len(), 1);
    assert!(done[0].drizzle_row_deleted && done[0].rollback.rollback_applied_at.is_some());
    assert_eq!(db.query("SELECT hash FROM drizzle.__drizzle_migrations ORDER BY id;").unwrap(), "h1.0\nh1.2\n");
    // 1.2 stays: only 1.1's column is gone.
    db.run("DROP TABLE \"My Tags\";").unwrap();
    assert_same_schema(&dumps[1], &db.schema_dump().unwrap());
}

#[tokio::test]
async fn the_newest_version_rolls_back_then_is_refused_as_rolled_back() {
    let (db, dumps) = two_on_top("one_newest").await;
    let preview = preview_rollbacks(db.url(), &version("1.2"), CountLimits::default()).await.unwrap();
    assert!(preview.refusals.is_empty(), "{:?}", preview.refusals);
    let shown = ExecuteManyOptions {
        expected_scripts: Some(vec![ExpectedScript {
            version: "1.2".into(),
            rollback_script: preview.steps[0].rollback.rollback_script.clone(),
        }]),
        ..version("1.2")
    };
    let done = execute_rollbacks(db.url(), &shown).await.unwrap();
    assert_eq!(done[0].rollback.version, "1.2");
    assert_same_schema(&dumps[2], &db.schema_dump().unwrap());
    let before = state(&db);

    // Rolled back: the preview still shows it, with the refusal force cannot override.
    let preview = preview_rollbacks(db.url(), &version("1.2"), CountLimits::default()).await.unwrap();
    assert!(preview.steps[0].rollback.rollback_applied_at.is_some());
    assert!(preview.steps[0].locks.is_empty(), "no cost for a script that will not run");
    let codes: Vec<(&str, bool)> = preview.refusals.iter().map(|r| (r.code.as_str(), r.forceable)).collect();
    assert_eq!(codes, [("ALREADY_ROLLED_BACK", false)]);
    for force in [false, true] {
        let e = execute_rollbacks(db.url(), &ExecuteManyOptions { force, ..version("1.2") }).await.unwrap_err();
        assert_eq!(
            (e.code().as_str(), e.to_string()),
            ("ALREADY_ROLLED_BACK", "Migration 1.2 has already been rolled back".into())
        );
    }
    // 1.1 is now the newest applied: in order, no refusal.
    let preview = preview_rollbacks(db.url(), &version("1.1"), CountLimits::default()).await.unwrap();
    assert!(preview.refusals.is_empty(), "{:?}", preview.refusals);
    assert_eq!(before, state(&db));
}

#[tokio::test]
async fn unknown_versions_bad_selections_and_replaced_scripts_change_nothing() {
    let (db, _) = two_on_top("one_refused").await;
    let before = state(&db);
    let e = preview_rollbacks(db.url(), &version("9.9"), CountLimits::default()).await.unwrap_err();
    assert_eq!(e.code().as_str(), "VERSION_NOT_FOUND");
    let e = execute_rollbacks(db.url(), &version("9.9")).await.unwrap_err();
    assert_eq!(e.code().as_str(), "VERSION_NOT_FOUND");
    for both in [
        ExecuteManyOptions { to: Some("1.0".into()), ..version("1.2") },
        ExecuteManyOptions { steps: Some(1), ..version("1.2") },
        ExecuteManyOptions { version: Some(String::new()), ..version("1.2") },
    ] {
        let e = execute_rollbacks(db.url(), &both).await.unwrap_err();
        assert_eq!(e.code().as_str(), "INVALID_ARGUMENT", "{both:?}");
    }
    let replaced = ExecuteManyOptions {
        expected_scripts: Some(vec![ExpectedScript {
            version: "1.2".into(),
            rollback_script: Some("SELECT 1;\n".into()),
        }]),
        ..version("1.2")
    };
    let e = execute_rollbacks(db.url(), &replaced).await.unwrap_err();
    assert_eq!(e.code().as_str(), "ROLLBACK_SCRIPT_CHANGED");
    assert!(e.to_string().starts_with("The rollback script of version 1.2 is no longer the one that was shown"), "{e}");
    // A row without a script: refused even with force, with the single-version message.
    db.run("UPDATE schema_versions SET rollback_script = NULL WHERE version = '1.2';").unwrap();
    let before_null = state(&db);
    let e = execute_rollbacks(db.url(), &ExecuteManyOptions { force: true, ..version("1.2") }).await.unwrap_err();
    assert_eq!(
        (e.code().as_str(), e.to_string()),
        ("ROLLBACK_SCRIPT_NOT_FOUND", "No rollback script found for version 1.2".into())
    );
    assert_eq!(before_null, state(&db));
    assert_eq!(before.0, state(&db).0);
}
