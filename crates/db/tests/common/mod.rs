//! Shared by the integration tests: databases with `schema_versions`, and small readers.
#![allow(dead_code)]

use pg_rollback_db::{
    apply_migration, ExecuteOptions, MigrationInput, StoredRollback, ARCHIVE_SQL, ROLLBACK_COLUMNS_SQL,
    ROLLBACK_PLAN_SQL, SCHEMA_VERSIONS_SQL,
};

pub fn fresh(prefix: &str) -> testpg::Database {
    testpg::server().fresh_database(prefix)
}

/// A database with the full `schema_versions` and the spec's `wishlist_items`.
pub fn prepared(prefix: &str) -> testpg::Database {
    let db = fresh(prefix);
    db.run(SCHEMA_VERSIONS_SQL).unwrap();
    db.run(ROLLBACK_COLUMNS_SQL).unwrap();
    db.run(
        "CREATE TABLE wishlist_items (id serial PRIMARY KEY, user_id text NOT NULL, legacy_field text);
         CREATE TYPE wishlist_store AS ENUM ('LEGO', 'Barweer');",
    )
    .unwrap();
    db
}

/// Single-quoted SQL literal.
pub fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A row as a pre-existing tool (or a hand-written fix) would have left it.
pub fn insert_row(db: &testpg::Database, version: &str, script: Option<&str>, safe: bool) {
    let script = script.map(lit).unwrap_or_else(|| "NULL".into());
    db.run(&format!(
        "INSERT INTO schema_versions (version, migration_file, rollback_safe, rollback_script)
         VALUES ({}, 'm.sql', {safe}, {script});",
        lit(version)
    ))
    .unwrap();
}

/// Every `schema_versions` row, as text, to compare before and after.
pub fn metadata(db: &testpg::Database) -> String {
    db.query("SELECT * FROM schema_versions ORDER BY id;").unwrap()
}

pub fn one(db: &testpg::Database, sql: &str) -> String {
    db.query(sql).unwrap().trim().to_owned()
}

pub fn column_exists(db: &testpg::Database, table: &str, column: &str) -> bool {
    one(
        db,
        &format!(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = {} AND column_name = {};",
            lit(table),
            lit(column)
        ),
    ) == "1"
}

/// Panics with a diff when the schema changed.
pub fn assert_same_schema(before: &str, after: &str) {
    let diff = testpg::unified_diff(before, after, "before", "after");
    assert!(diff.is_empty(), "schema changed:\n{diff}");
}

/// A migration named after its version.
pub fn migration(version: &str, sql: &str) -> MigrationInput {
    MigrationInput {
        version: version.into(),
        migration_file: format!("{version}.sql"),
        sql: sql.into(),
        description: None,
        applied_by: None,
    }
}

/// `schema_versions` with every column, including the archive's (0004), and `setup`.
pub fn database(prefix: &str, setup: &str) -> testpg::Database {
    let db = prepared(prefix);
    db.run(ROLLBACK_PLAN_SQL).unwrap();
    db.run(ARCHIVE_SQL).unwrap();
    db.run(setup).unwrap();
    db
}

/// Applies `sql` as `version` through `apply_migration`; its stored row.
pub async fn apply(db: &testpg::Database, version: &str, sql: &str) -> StoredRollback {
    apply_migration(db.url(), &migration(version, sql), None).await.unwrap().rollback.unwrap()
}

/// Execute options that run the restore script (`restore_data`).
pub fn restoring() -> ExecuteOptions {
    ExecuteOptions { restore_data: true, ..Default::default() }
}

/// The restore of `version` is refused with `code` and changes nothing (schema and `schema_versions` as they
/// were); the error's message.
pub async fn refused_unchanged(db: &testpg::Database, version: &str, code: &str) -> String {
    let after = pg_rollback_db::catalog_snapshot(db.url()).await.unwrap();
    let meta = metadata(db);
    let e = pg_rollback_db::execute_rollback(db.url(), version, &restoring()).await.unwrap_err();
    assert_eq!(e.code().as_str(), code, "{e}");
    let diff = pg_rollback_db::compare_snapshots(&after, &pg_rollback_db::catalog_snapshot(db.url()).await.unwrap());
    assert!(diff.is_empty(), "a refused restore changed the schema: {diff:#?}");
    assert_eq!(metadata(db), meta, "a refused restore changed schema_versions");
    e.to_string()
}
