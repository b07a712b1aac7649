//! A restore racing with other pg-rollback operations on the same database: every one of them takes the
//! advisory lock, so they run one after the other; the restore runs once, the others see what it did.
mod common;

use common::*;
use pg_rollback_db::{
    apply_migration, execute_rollback, execute_rollbacks, prune_archive, ErrorCode, ExecuteManyOptions, ExecuteOptions,
    PruneSelection, ARCHIVE_SQL, ROLLBACK_PLAN_SQL,
};

fn database(prefix: &str) -> testpg::Database {
    let db = prepared(prefix);
    db.run(ROLLBACK_PLAN_SQL).unwrap();
    db.run(ARCHIVE_SQL).unwrap();
    db.run("INSERT INTO wishlist_items (user_id, legacy_field) SELECT 'u' || g, 'old ' || g FROM generate_series(1, 2000) g;")
        .unwrap();
    db
}

const VALUES: &str = "SELECT id, legacy_field FROM wishlist_items ORDER BY id;";

#[tokio::test]
async fn two_restores_of_one_version_at_once_run_it_once() {
    let db = database("archive_race_twice");
    let before = db.query(VALUES).unwrap();
    apply_migration(db.url(), &migration("1.1", "ALTER TABLE wishlist_items DROP COLUMN legacy_field;"), None)
        .await
        .unwrap();
    let many = ExecuteManyOptions { version: Some("1.1".into()), restore_data: true, ..Default::default() };
    let options = restoring();
    let (one, range) = tokio::join!(execute_rollback(db.url(), "1.1", &options), execute_rollbacks(db.url(), &many));
    let outcomes = [one.map(|_| ()), range.map(|_| ())];
    let done = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(done, 1, "exactly one restore runs: {outcomes:?}");
    let refused = outcomes.iter().find_map(|o| o.as_ref().err()).unwrap();
    assert_eq!(refused.code(), ErrorCode::AlreadyRolledBack, "{refused}");
    assert_eq!(db.query(VALUES).unwrap(), before, "the values are back, once");
}

#[tokio::test]
async fn a_restore_racing_a_prune_either_restores_or_finds_the_archive_pruned() {
    for round in 0..3 {
        let db = database(&format!("archive_race_prune_{round}"));
        let before = db.query(VALUES).unwrap();
        apply_migration(db.url(), &migration("1.1", "ALTER TABLE wishlist_items DROP COLUMN legacy_field;"), None)
            .await
            .unwrap();
        let prune = PruneSelection { version: Some("1.1".into()), ..Default::default() };
        let options = restoring();
        let (restored, pruned) =
            tokio::join!(execute_rollback(db.url(), "1.1", &options), prune_archive(db.url(), &prune));
        let pruned = pruned.expect("the prune itself never fails here");
        match restored {
            // The restore went first: its archive table is gone with it, the prune found nothing left to drop.
            Ok(_) => {
                assert_eq!(db.query(VALUES).unwrap(), before);
                assert!(pruned.iter().all(|p| p.dropped.is_empty()), "{pruned:?}");
            }
            // The prune went first: the restore is refused and changes nothing.
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::RestoreNotAvailable, "{e}");
                assert!(!column_exists(&db, "wishlist_items", "legacy_field"));
                assert_eq!(pruned.len(), 1, "{pruned:?}");
            }
        }
    }
}

#[tokio::test]
async fn a_restore_racing_the_next_migration_is_refused_out_of_order_or_runs_before_it() {
    let db = database("archive_race_apply");
    apply_migration(db.url(), &migration("1.1", "ALTER TABLE wishlist_items DROP COLUMN legacy_field;"), None)
        .await
        .unwrap();
    let order = vec!["1.1".to_owned(), "1.2".to_owned()];
    let options = ExecuteOptions { migration_order: Some(order), ..restoring() };
    let next = migration("1.2", "CREATE INDEX wishlist_user ON wishlist_items (user_id);");
    let (restored, applied) =
        tokio::join!(execute_rollback(db.url(), "1.1", &options), apply_migration(db.url(), &next, None));
    applied.expect("the next migration applies either way");
    match restored {
        Ok(_) => assert!(column_exists(&db, "wishlist_items", "legacy_field")),
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::RollbackOutOfOrder, "{e}");
            assert!(!column_exists(&db, "wishlist_items", "legacy_field"), "nothing changed");
        }
    }
}
