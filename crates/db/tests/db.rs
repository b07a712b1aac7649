//! The DB layer against a real PostgreSQL (testpg): store, preview, execute, faults, concurrency.
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use pg_rollback_db::Code;
use pg_rollback_db::ErrorCode;
use pg_rollback_db::{
    apply_migration, execute_rollback, get_rollback, list_rollbacks, store_rollback, DrizzleEntry, Error,
    ExecuteOptions, MigrationInput, ADVISORY_LOCK_KEY, ROLLBACK_COLUMNS_SQL, SCHEMA_VERSIONS_SQL,
};

fn migration(version: &str, sql: &str) -> MigrationInput {
    MigrationInput {
        version: version.into(),
        migration_file: format!("{version}.sql"),
        sql: sql.into(),
        description: Some(format!("migration {version}")),
        applied_by: Some("tests".into()),
    }
}

fn force() -> ExecuteOptions {
    ExecuteOptions { force: true, ..Default::default() }
}

#[tokio::test]
async fn store_preview_execute_add_column() {
    let db = prepared("db_happy");
    let sql = "ALTER TABLE wishlist_items ADD COLUMN notes TEXT;";
    db.run(sql).unwrap();

    let stored = store_rollback(db.url(), &migration("1.2.0", sql)).await.unwrap();
    assert_eq!(stored.rollback_script.as_deref(), Some("ALTER TABLE wishlist_items DROP COLUMN notes;\n"));
    assert!(stored.rollback_safe);
    assert!(stored.warnings.is_empty());
    assert_eq!(stored.rollback_applied_at, None);
    assert_eq!(stored.description.as_deref(), Some("migration 1.2.0"));
    assert_eq!(
        one(&db, "SELECT rollback_script || '|' || rollback_safe || '|' || applied_by FROM schema_versions;"),
        "ALTER TABLE wishlist_items DROP COLUMN notes;\n|true|tests"
    );

    // Preview changes nothing.
    let dump = db.schema_dump().unwrap();
    let meta = metadata(&db);
    let preview = get_rollback(db.url(), "1.2.0").await.unwrap();
    assert_eq!(preview.rollback_script, stored.rollback_script);
    assert_eq!(preview.applied_at, stored.applied_at);
    assert!(preview.applied_at.ends_with('Z') && preview.applied_at.contains('T'), "{}", preview.applied_at);
    assert_same_schema(&dump, &db.schema_dump().unwrap());
    assert_eq!(meta, metadata(&db));

    let done = execute_rollback(db.url(), "1.2.0", &ExecuteOptions::default()).await.unwrap();
    assert!(done.rollback.rollback_applied_at.is_some());
    assert!(!done.drizzle_row_deleted, "no drizzleHash was given");
    assert!(!column_exists(&db, "wishlist_items", "notes"));
    assert_eq!(one(&db, "SELECT rollback_applied_at IS NOT NULL FROM schema_versions;"), "t");
}

#[tokio::test]
async fn create_index_rollback_drops_it() {
    let db = prepared("db_index");
    let sql = "CREATE INDEX idx_test ON wishlist_items(user_id);";
    db.run(sql).unwrap();
    let stored = store_rollback(db.url(), &migration("1.3.0", sql)).await.unwrap();
    assert!(stored.rollback_script.unwrap().contains("DROP INDEX idx_test"));
    execute_rollback(db.url(), "1.3.0", &ExecuteOptions::default()).await.unwrap();
    assert_eq!(one(&db, "SELECT to_regclass('idx_test') IS NULL;"), "t");
}

/// Spec Test 4: DROP COLUMN has no rollback; execution is refused, with or without force.
#[tokio::test]
async fn test4_unsafe_drop_column() {
    let db = prepared("db_test4");
    let sql = "ALTER TABLE wishlist_items DROP COLUMN legacy_field;";
    db.run(sql).unwrap();
    let stored = store_rollback(db.url(), &migration("2.0.0", sql)).await.unwrap();
    assert_eq!(stored.rollback_script, None);
    assert!(!stored.rollback_safe);
    assert!(
        stored
            .warnings
            .iter()
            .any(|w| w.code == Code::DropColumn
                && w.message == "Cannot auto-generate rollback for DROP COLUMN (data loss)"),
        "{:?}",
        stored.warnings
    );
    assert_eq!(one(&db, "SELECT rollback_script IS NULL AND NOT rollback_safe FROM schema_versions;"), "t");

    let dump = db.schema_dump().unwrap();
    let meta = metadata(&db);
    for options in [ExecuteOptions::default(), force()] {
        let e = execute_rollback(db.url(), "2.0.0", &options).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::RollbackScriptNotFound, "{e}");
    }
    assert_same_schema(&dump, &db.schema_dump().unwrap());
    assert_eq!(meta, metadata(&db));
}

/// Spec Edge 1 at this level: a partial script is unsafe; refused unless forced, then it runs.
#[tokio::test]
async fn partial_rollback_needs_force() {
    let db = prepared("db_edge1");
    let sql = "ALTER TABLE wishlist_items ADD COLUMN field1 TEXT;\n\
               CREATE INDEX idx1 ON wishlist_items(field1);\n\
               ALTER TABLE wishlist_items DROP COLUMN legacy_field;";
    db.run(sql).unwrap();
    let stored = store_rollback(db.url(), &migration("2.1.0", sql)).await.unwrap();
    assert!(!stored.rollback_safe);
    assert_eq!(stored.warnings.len(), 1, "{:?}", stored.warnings);

    let dump = db.schema_dump().unwrap();
    let e = execute_rollback(db.url(), "2.1.0", &ExecuteOptions::default()).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::RollbackUnsafe);
    assert!(e.to_string().contains("2.1.0"), "{e}");
    assert_same_schema(&dump, &db.schema_dump().unwrap());

    execute_rollback(db.url(), "2.1.0", &force()).await.unwrap();
    assert!(!column_exists(&db, "wishlist_items", "field1"));
    assert_eq!(one(&db, "SELECT to_regclass('idx1') IS NULL;"), "t");
}

/// Spec Test 6: a version without a script (e.g. applied before this tooling).
#[tokio::test]
async fn test6_missing_rollback_script() {
    let db = prepared("db_test6");
    insert_row(&db, "1.0.0", None, false);
    let dump = db.schema_dump().unwrap();
    let meta = metadata(&db);
    for options in [ExecuteOptions::default(), force()] {
        let e = execute_rollback(db.url(), "1.0.0", &options).await.unwrap_err();
        assert_eq!(e, Error::script_not_found("1.0.0"));
        assert_eq!(e.to_string(), "No rollback script found for version 1.0.0");
        assert_eq!(e.code(), ErrorCode::RollbackScriptNotFound);
    }
    assert_same_schema(&dump, &db.schema_dump().unwrap());
    assert_eq!(meta, metadata(&db));
}

/// Spec Edge 2: a second execution is refused and changes nothing.
#[tokio::test]
async fn edge2_already_rolled_back() {
    let db = prepared("db_edge2");
    db.run("ALTER TABLE wishlist_items ADD COLUMN c int;").unwrap();
    insert_row(&db, "3.0.0", Some("ALTER TABLE wishlist_items DROP COLUMN c;\n"), true);
    let first = execute_rollback(db.url(), "3.0.0", &ExecuteOptions::default()).await.unwrap().rollback;
    assert!(first.rollback_applied_at.is_some());
    let meta = metadata(&db);
    let e = execute_rollback(db.url(), "3.0.0", &force()).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::AlreadyRolledBack);
    assert_eq!(e.to_string(), "Migration 3.0.0 has already been rolled back");
    assert_eq!(meta, metadata(&db));
    // The preview still shows the row, with its timestamp.
    let row = get_rollback(db.url(), "3.0.0").await.unwrap();
    assert_eq!(row.rollback_applied_at, first.rollback_applied_at);
}

#[tokio::test]
async fn unknown_version_is_not_found() {
    let db = prepared("db_notfound");
    insert_row(&db, "1.0.0", Some("SELECT 1;"), true);
    for e in [
        get_rollback(db.url(), "9.9.9").await.unwrap_err(),
        execute_rollback(db.url(), "9.9.9", &force()).await.unwrap_err(),
    ] {
        assert_eq!(e.code(), ErrorCode::VersionNotFound);
        assert!(e.to_string().contains("9.9.9"), "{e}");
    }
}

/// A rollback statement fails after another one ran: the transaction undoes everything.
#[tokio::test]
async fn failure_mid_script_changes_nothing() {
    let db = prepared("db_fault");
    db.run("ALTER TABLE wishlist_items ADD COLUMN a int, ADD COLUMN b int;").unwrap();
    insert_row(
        &db,
        "4.0.0",
        Some("ALTER TABLE wishlist_items DROP COLUMN b;\nALTER TABLE wishlist_items DROP COLUMN missing;\n"),
        true,
    );
    db.run("CREATE SCHEMA drizzle; CREATE TABLE drizzle.__drizzle_migrations (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint); INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('h4', 4);").unwrap();
    let dump = db.schema_dump().unwrap();
    let meta = metadata(&db);
    let drizzle = db.query("SELECT * FROM drizzle.__drizzle_migrations;").unwrap();

    let options = ExecuteOptions { drizzle_hash: Some("h4".into()), ..Default::default() };
    let e = execute_rollback(db.url(), "4.0.0", &options).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::RollbackFailed);
    let message = e.to_string();
    for part in ["statement 2 of 2", "ALTER TABLE wishlist_items DROP COLUMN missing", "SQLSTATE 42703", "unchanged"] {
        assert!(message.contains(part), "{part:?} not in {message}");
    }
    assert_same_schema(&dump, &db.schema_dump().unwrap());
    assert!(column_exists(&db, "wishlist_items", "b"));
    assert_eq!(meta, metadata(&db));
    assert_eq!(drizzle, db.query("SELECT * FROM drizzle.__drizzle_migrations;").unwrap());
}

#[tokio::test]
async fn drizzle_row_is_deleted_with_a_successful_rollback() {
    let db = prepared("db_drizzle_hash");
    db.run("ALTER TABLE wishlist_items ADD COLUMN d int;").unwrap();
    insert_row(&db, "4.1.0", Some("ALTER TABLE wishlist_items DROP COLUMN d;\n"), true);
    db.run("CREATE SCHEMA drizzle; CREATE TABLE drizzle.__drizzle_migrations (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint); INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('keep', 1), ('h41', 2);").unwrap();
    let options = ExecuteOptions { drizzle_hash: Some("h41".into()), ..Default::default() };
    assert!(execute_rollback(db.url(), "4.1.0", &options).await.unwrap().drizzle_row_deleted);
    assert_eq!(one(&db, "SELECT string_agg(hash, ',') FROM drizzle.__drizzle_migrations;"), "keep");
}

/// A hash Drizzle does not have (e.g. the file was edited after it was applied): the rollback still
/// runs, and the result says that Drizzle's record was not removed.
#[tokio::test]
async fn an_unknown_drizzle_hash_is_reported() {
    let db = prepared("db_drizzle_nohash");
    db.run("ALTER TABLE wishlist_items ADD COLUMN d int;").unwrap();
    insert_row(&db, "4.2.0", Some("ALTER TABLE wishlist_items DROP COLUMN d;\n"), true);
    db.run("CREATE SCHEMA drizzle; CREATE TABLE drizzle.__drizzle_migrations (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint); INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('keep', 1);").unwrap();
    let options = ExecuteOptions { drizzle_hash: Some("edited".into()), ..Default::default() };
    let done = execute_rollback(db.url(), "4.2.0", &options).await.unwrap();
    assert!(!done.drizzle_row_deleted);
    assert!(done.rollback.rollback_applied_at.is_some());
    assert!(!column_exists(&db, "wishlist_items", "d"));
    assert_eq!(one(&db, "SELECT string_agg(hash, ',') FROM drizzle.__drizzle_migrations;"), "keep");
}

/// `expected_script`: the script the user confirmed must be the one that runs.
#[tokio::test]
async fn expected_script_must_be_the_stored_one() {
    let db = prepared("db_expected");
    db.run("ALTER TABLE wishlist_items ADD COLUMN e int;").unwrap();
    let script = "ALTER TABLE wishlist_items DROP COLUMN e;\n";
    insert_row(&db, "4.3.0", Some(script), true);
    let dump = db.schema_dump().unwrap();
    let meta = metadata(&db);
    for shown in ["ALTER TABLE wishlist_items DROP COLUMN other;\n", "", "ALTER TABLE wishlist_items DROP COLUMN e;"] {
        let options = ExecuteOptions { expected_script: Some(shown.into()), ..Default::default() };
        let e = execute_rollback(db.url(), "4.3.0", &options).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::RollbackScriptChanged, "{e}");
        assert!(e.to_string().contains("4.3.0") && e.to_string().contains("Nothing was run or changed"), "{e}");
    }
    assert_same_schema(&dump, &db.schema_dump().unwrap());
    assert_eq!(meta, metadata(&db));
    let options = ExecuteOptions { expected_script: Some(script.into()), ..Default::default() };
    execute_rollback(db.url(), "4.3.0", &options).await.unwrap();
    assert!(!column_exists(&db, "wishlist_items", "e"));
}

/// Waits until a session waits for pg-rollback's advisory lock.
async fn until_someone_waits_for_the_lock(db: &testpg::Database) {
    loop {
        if one(db, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted;") != "0" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The script is replaced while an execution waits for the lock: under the lock it is read again
/// and, being another one, nothing runs. For both paths: transactional, and statement by statement
/// (there the replacement is even transactional, so the path chosen before the lock would be wrong).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_replaced_while_waiting_for_the_lock_is_not_run() {
    let db = prepared("db_replaced");
    db.run("CREATE TABLE runs (n int); CREATE INDEX i1 ON wishlist_items (user_id);").unwrap();
    insert_row(&db, "4.4.0", Some("INSERT INTO runs VALUES (1);\n"), true);
    insert_row(&db, "4.5.0", Some("DROP INDEX CONCURRENTLY i1;\n"), true);
    for (version, replacement) in
        [("4.4.0", "INSERT INTO runs VALUES (2);\n"), ("4.5.0", "INSERT INTO runs VALUES (3);\n")]
    {
        let (holder, conn) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls).await.unwrap();
        let conn = tokio::spawn(conn);
        holder.execute(&format!("SELECT pg_advisory_lock({ADVISORY_LOCK_KEY})"), &[]).await.unwrap();
        let url = db.url().to_owned();
        let waiting = tokio::spawn(async move { execute_rollback(&url, version, &ExecuteOptions::default()).await });
        until_someone_waits_for_the_lock(&db).await;
        db.run(&format!(
            "UPDATE schema_versions SET rollback_script = {} WHERE version = {};",
            lit(replacement),
            lit(version)
        ))
        .unwrap();
        drop(holder);
        conn.await.unwrap().unwrap();
        let e = waiting.await.unwrap().unwrap_err();
        assert_eq!(e.code(), ErrorCode::RollbackScriptChanged, "{version}: {e}");
        assert!(e.to_string().contains("while waiting for the lock"), "{e}");
    }
    assert_eq!(one(&db, "SELECT count(*) FROM runs;"), "0");
    assert_eq!(one(&db, "SELECT to_regclass('i1') IS NOT NULL;"), "t");
    assert_eq!(one(&db, "SELECT count(*) FROM schema_versions WHERE rollback_applied_at IS NULL;"), "2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_concurrent_executions_one_success() {
    let db = prepared("db_race");
    db.run("ALTER TABLE wishlist_items ADD COLUMN raced int;").unwrap();
    // A counter table shows how many times the script body really ran.
    db.run("CREATE TABLE runs (n int);").unwrap();
    insert_row(
        &db,
        "5.0.0",
        Some("INSERT INTO runs VALUES (1);\nALTER TABLE wishlist_items DROP COLUMN raced;\n"),
        true,
    );
    let url = db.url().to_owned();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { execute_rollback(&url, "5.0.0", &ExecuteOptions::default()).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!(e.code(), ErrorCode::AlreadyRolledBack, "{e}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(one(&db, "SELECT count(*) FROM runs;"), "1");
    assert!(!column_exists(&db, "wishlist_items", "raced"));
}

#[tokio::test]
async fn lock_timeout_when_another_operation_holds_the_lock() {
    let db = prepared("db_locktimeout");
    db.run("ALTER TABLE wishlist_items ADD COLUMN l int;").unwrap();
    insert_row(&db, "6.0.0", Some("ALTER TABLE wishlist_items DROP COLUMN l;\n"), true);
    let (holder, conn) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls).await.unwrap();
    let conn = tokio::spawn(conn);
    holder.execute(&format!("SELECT pg_advisory_lock({ADVISORY_LOCK_KEY})"), &[]).await.unwrap();

    let options = ExecuteOptions { lock_timeout_ms: Some(100), ..Default::default() };
    let e = execute_rollback(db.url(), "6.0.0", &options).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::LockTimeout, "{e}");
    assert!(column_exists(&db, "wishlist_items", "l"));
    assert_eq!(one(&db, "SELECT rollback_applied_at IS NULL FROM schema_versions;"), "t");

    drop(holder);
    conn.await.unwrap().unwrap();
    execute_rollback(db.url(), "6.0.0", &options).await.unwrap();
    assert!(!column_exists(&db, "wishlist_items", "l"));
}

#[tokio::test]
async fn statement_timeout_aborts_the_rollback() {
    let db = prepared("db_stmttimeout");
    db.run("ALTER TABLE wishlist_items ADD COLUMN s int;").unwrap();
    insert_row(&db, "6.1.0", Some("ALTER TABLE wishlist_items DROP COLUMN s;\nSELECT pg_sleep(60);\n"), true);
    let options = ExecuteOptions { statement_timeout_ms: Some(200), ..Default::default() };
    let e = execute_rollback(db.url(), "6.1.0", &options).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::RollbackFailed);
    assert!(e.to_string().contains("57014"), "{e}");
    assert!(column_exists(&db, "wishlist_items", "s"));
}

/// `CONCURRENTLY` cannot run in a transaction: statement by statement, marked only when all ran.
#[tokio::test]
async fn non_transactional_script_runs_statement_by_statement() {
    let db = prepared("db_concurrently");
    db.run("CREATE INDEX CONCURRENTLY i1 ON wishlist_items (user_id);\nCREATE INDEX CONCURRENTLY i2 ON wishlist_items (legacy_field);").unwrap();
    insert_row(&db, "7.0.0", Some("DROP INDEX CONCURRENTLY i2;\nDROP INDEX CONCURRENTLY i1;\n"), true);
    execute_rollback(db.url(), "7.0.0", &ExecuteOptions { lock_timeout_ms: Some(5000), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(one(&db, "SELECT to_regclass('i1') IS NULL AND to_regclass('i2') IS NULL;"), "t");
    assert_eq!(one(&db, "SELECT rollback_applied_at IS NOT NULL FROM schema_versions;"), "t");

    db.run("CREATE INDEX CONCURRENTLY i3 ON wishlist_items (user_id);").unwrap();
    insert_row(&db, "7.1.0", Some("DROP INDEX CONCURRENTLY i3;\nDROP INDEX CONCURRENTLY missing_index;\n"), true);
    let e = execute_rollback(db.url(), "7.1.0", &ExecuteOptions::default()).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::RollbackFailed);
    let message = e.to_string();
    for part in [
        "statement 2 of 2",
        "missing_index",
        "42704",
        "1: DROP INDEX CONCURRENTLY i3",
        "INVALID",
        "rollback_applied_at was not set",
    ] {
        assert!(message.contains(part), "{part:?} not in {message}");
    }
    assert_eq!(one(&db, "SELECT rollback_applied_at IS NULL FROM schema_versions WHERE version = '7.1.0';"), "t");

    // The first statement fails: no other statement ran, but a failed CONCURRENTLY statement is
    // not guaranteed to have changed nothing, so the message does not claim it.
    insert_row(&db, "7.2.0", Some("DROP INDEX CONCURRENTLY missing_index;\nDROP INDEX CONCURRENTLY i1;\n"), true);
    let message = execute_rollback(db.url(), "7.2.0", &ExecuteOptions::default()).await.unwrap_err().to_string();
    for part in ["statement 1 of 2", "No earlier statement had run", "INVALID", "rollback_applied_at was not set"] {
        assert!(message.contains(part), "{part:?} not in {message}");
    }
    assert!(!message.contains("nothing changed"), "{message}");
}

#[tokio::test]
async fn hostile_identifiers_and_quoted_versions() {
    let db = prepared("db_hostile");
    let table = r#""we""ird; DROP TABLE wishlist_items; --""#;
    db.run(&format!("CREATE TABLE {table} (id int);")).unwrap();
    let sql = format!(r#"ALTER TABLE {table} ADD COLUMN "a b""c" TEXT;"#);
    db.run(&sql).unwrap();
    let version = "1.0.0'; DROP TABLE schema_versions; --\"";
    let stored = store_rollback(db.url(), &migration(version, &sql)).await.unwrap();
    assert_eq!(stored.version, version);
    assert!(stored.rollback_safe);
    let got = get_rollback(db.url(), version).await.unwrap();
    assert_eq!(got.rollback_script, stored.rollback_script);
    execute_rollback(db.url(), version, &ExecuteOptions::default()).await.unwrap();
    assert!(!column_exists(&db, "we\"ird; DROP TABLE wishlist_items; --", "a b\"c"));
    assert!(column_exists(&db, "we\"ird; DROP TABLE wishlist_items; --", "id"));
    assert_eq!(one(&db, "SELECT to_regclass('wishlist_items') IS NOT NULL;"), "t");
    assert_eq!(one(&db, &format!("SELECT count(*) FROM schema_versions WHERE version = {};", lit(version))), "1");
}

#[tokio::test]
async fn quoted_version_without_the_generator() {
    let db = prepared("db_quoted_version");
    db.run("ALTER TABLE wishlist_items ADD COLUMN q int;").unwrap();
    let version = "2'); DELETE FROM schema_versions; --";
    insert_row(&db, version, Some("ALTER TABLE wishlist_items DROP COLUMN q;\n"), true);
    insert_row(&db, "other", Some("SELECT 1;\n"), true);
    let row = get_rollback(db.url(), version).await.unwrap();
    assert_eq!(row.version, version);
    execute_rollback(db.url(), version, &ExecuteOptions::default()).await.unwrap();
    assert!(!column_exists(&db, "wishlist_items", "q"));
    assert_eq!(one(&db, "SELECT count(*) FROM schema_versions WHERE rollback_applied_at IS NULL;"), "1");
}

#[tokio::test]
async fn second_store_replaces_and_a_rolled_back_version_gets_a_new_row() {
    let db = prepared("db_restore");
    let first = "ALTER TABLE wishlist_items ADD COLUMN x1 TEXT;";
    let second = "ALTER TABLE wishlist_items ADD COLUMN x2 TEXT;";
    db.run(second).unwrap();
    store_rollback(db.url(), &migration("8.0.0", first)).await.unwrap();
    let replaced = store_rollback(db.url(), &migration("8.0.0", second)).await.unwrap();
    assert!(replaced.rollback_script.as_deref().unwrap().contains("x2"));
    assert_eq!(one(&db, "SELECT count(*) FROM schema_versions;"), "1");

    execute_rollback(db.url(), "8.0.0", &ExecuteOptions::default()).await.unwrap();
    db.run(second).unwrap();
    let again = store_rollback(db.url(), &migration("8.0.0", second)).await.unwrap();
    assert_eq!(again.rollback_applied_at, None);
    assert_eq!(one(&db, "SELECT count(*) FROM schema_versions;"), "2");
    execute_rollback(db.url(), "8.0.0", &ExecuteOptions::default()).await.unwrap();
    let all = list_rollbacks(db.url()).await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|r| r.version == "8.0.0" && r.rollback_applied_at.is_some()));
}

#[tokio::test]
async fn list_is_in_applied_order() {
    let db = prepared("db_list");
    db.run(
        "INSERT INTO schema_versions (version, migration_file, applied_at) VALUES
           ('b', 'b.sql', '2026-01-02 00:00:00'), ('a', 'a.sql', '2026-01-01 00:00:00.5');",
    )
    .unwrap();
    let all = list_rollbacks(db.url()).await.unwrap();
    let versions: Vec<_> = all.iter().map(|r| r.version.as_str()).collect();
    assert_eq!(versions, ["a", "b"]);
    assert_eq!(all[0].applied_at, "2026-01-01T00:00:00.500Z");
    assert!(all.iter().all(|r| !r.rollback_safe && r.rollback_script.is_none() && r.warnings.is_empty()));
}

#[tokio::test]
async fn missing_table_or_columns_name_the_migration() {
    let db = fresh("db_noschema");
    let url = db.url().to_owned();
    let m = migration("1.0.0", "SELECT 1;");
    let checks = async |expect: &str| {
        let errors = [
            get_rollback(&url, "1.0.0").await.unwrap_err(),
            execute_rollback(&url, "1.0.0", &force()).await.unwrap_err(),
            list_rollbacks(&url).await.unwrap_err(),
            store_rollback(&url, &m).await.unwrap_err(),
        ];
        for e in errors {
            assert_eq!(e.code(), ErrorCode::SchemaVersionsMissing, "{e}");
            assert!(e.to_string().contains(expect), "{expect:?} not in {e}");
        }
    };
    checks("0000_schema_versions.sql").await;
    db.run(SCHEMA_VERSIONS_SQL).unwrap();
    checks("0001_rollback_columns.sql").await;
    db.run("ALTER TABLE schema_versions ADD COLUMN rollback_script TEXT;").unwrap();
    checks("rollback_applied_at").await;
}

#[tokio::test]
async fn apply_migration_applies_records_and_skips() {
    let db = prepared("db_apply");
    let entry = DrizzleEntry { hash: "hash-a".into(), created_at: 1_700_000_000_000 };
    let m = migration("9.0.0", "ALTER TABLE wishlist_items ADD COLUMN applied TEXT;");
    let outcome = apply_migration(db.url(), &m, Some(&entry)).await.unwrap();
    assert!(outcome.applied);
    let rollback = outcome.rollback.unwrap();
    assert_eq!(rollback.rollback_script.as_deref(), Some("ALTER TABLE wishlist_items DROP COLUMN applied;\n"));
    assert!(column_exists(&db, "wishlist_items", "applied"));
    assert_eq!(one(&db, "SELECT hash || ':' || created_at FROM drizzle.__drizzle_migrations;"), "hash-a:1700000000000");

    // Same or older created_at: drizzle-orm would skip it, so do we.
    let dump = db.schema_dump().unwrap();
    for created_at in [entry.created_at, entry.created_at - 1] {
        let again =
            apply_migration(db.url(), &m, Some(&DrizzleEntry { hash: "other".into(), created_at })).await.unwrap();
        assert!(!again.applied && again.rollback.is_none());
    }
    assert_same_schema(&dump, &db.schema_dump().unwrap());

    // Rolling back with the hash makes the migration applicable again.
    let options = ExecuteOptions { drizzle_hash: Some("hash-a".into()), ..Default::default() };
    assert!(execute_rollback(db.url(), "9.0.0", &options).await.unwrap().drizzle_row_deleted);
    assert_eq!(one(&db, "SELECT count(*) FROM drizzle.__drizzle_migrations;"), "0");
    let reapplied = apply_migration(db.url(), &m, Some(&entry)).await.unwrap();
    assert!(reapplied.applied && reapplied.rollback.unwrap().rollback_applied_at.is_none());
    assert!(column_exists(&db, "wishlist_items", "applied"));
}

#[tokio::test]
async fn apply_migration_failure_changes_nothing() {
    let db = prepared("db_apply_fail");
    let dump = db.schema_dump().unwrap();
    let meta = metadata(&db);
    let m = migration(
        "9.1.0",
        "ALTER TABLE wishlist_items ADD COLUMN first TEXT;\nALTER TABLE no_such_table ADD COLUMN x int;",
    );
    let e = apply_migration(db.url(), &m, Some(&DrizzleEntry { hash: "h".into(), created_at: 1 })).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::MigrationFailed);
    let message = e.to_string();
    for part in ["9.1.0", "statement 2 of 2", "no_such_table", "SQLSTATE 42P01", "nothing was applied"] {
        assert!(message.contains(part), "{part:?} not in {message}");
    }
    assert_same_schema(&dump, &db.schema_dump().unwrap());
    assert_eq!(meta, metadata(&db));
    assert_eq!(one(&db, "SELECT to_regnamespace('drizzle') IS NULL;"), "t");
}

/// A statement that cannot run in a transaction, written between BEGIN and COMMIT, can never run: refused
/// with a clear message before PostgreSQL would (SQLSTATE 25001); an already applied one is still skipped.
/// (Outside BEGIN/COMMIT such migrations are applied: tests/nontransactional.rs.)
#[tokio::test]
async fn apply_migration_refuses_concurrently_between_begin_and_commit() {
    let db = prepared("db_apply_concurrently");
    let dump = db.schema_dump().unwrap();
    let meta = metadata(&db);
    let m = migration(
        "9.2.0",
        "BEGIN;\nALTER TABLE wishlist_items ADD COLUMN c TEXT;\nCREATE INDEX CONCURRENTLY idx_c ON wishlist_items (c);\nCOMMIT;",
    );
    let entry = DrizzleEntry { hash: "hc".into(), created_at: 5 };
    let e = apply_migration(db.url(), &m, Some(&entry)).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::MigrationFailed);
    let message = e.to_string();
    for part in [
        "9.2.0",
        "statement 3 of 4",
        "CREATE INDEX CONCURRENTLY idx_c",
        "cannot run inside a transaction block",
        "BEGIN",
    ] {
        assert!(message.contains(part), "{part:?} not in {message}");
    }
    assert!(!message.contains("25001"), "{message}");
    assert_same_schema(&dump, &db.schema_dump().unwrap());
    assert_eq!(meta, metadata(&db));
    assert_eq!(one(&db, "SELECT to_regnamespace('drizzle') IS NULL;"), "t");

    // Recorded as applied by Drizzle already (e.g. by hand): skipped, not refused.
    db.run("CREATE SCHEMA drizzle; CREATE TABLE drizzle.__drizzle_migrations (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint); INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('hc', 5);").unwrap();
    let skipped = apply_migration(db.url(), &m, Some(&entry)).await.unwrap();
    assert!(!skipped.applied);
}

/// A row that cannot be read (a column of another type) is a metadata error, not a lost connection.
#[tokio::test]
async fn an_unreadable_row_is_a_database_error() {
    let db = fresh("db_unreadable");
    db.run(
        "CREATE TABLE schema_versions (id serial PRIMARY KEY, version text NOT NULL, migration_file text NOT NULL,
           applied_at timestamp NOT NULL DEFAULT now(), applied_by text, description integer,
           rollback_safe boolean DEFAULT false, rollback_script text, rollback_applied_at timestamp);
         INSERT INTO schema_versions (version, migration_file, description) VALUES ('1.0.0', 'm.sql', 7);",
    )
    .unwrap();
    for e in [get_rollback(db.url(), "1.0.0").await.unwrap_err(), list_rollbacks(db.url()).await.unwrap_err()] {
        assert_eq!(e.code(), ErrorCode::DatabaseError, "{e}");
        assert!(e.to_string().contains("description") || e.to_string().contains("int4"), "{e}");
        assert!(!e.to_string().contains("lost the connection"), "{e}");
    }
}

/// The first migrations create `schema_versions` themselves: its row is written in the same run.
#[tokio::test]
async fn apply_migration_that_creates_schema_versions() {
    let db = fresh("db_apply_bootstrap");
    let first = apply_migration(
        db.url(),
        &migration("0.0.0", SCHEMA_VERSIONS_SQL),
        Some(&DrizzleEntry { hash: "h0".into(), created_at: 10 }),
    )
    .await
    .unwrap();
    assert!(first.applied);
    assert_eq!(first.rollback, None, "rollback columns do not exist yet");
    let second = apply_migration(
        db.url(),
        &migration("0.0.1", ROLLBACK_COLUMNS_SQL),
        Some(&DrizzleEntry { hash: "h1".into(), created_at: 20 }),
    )
    .await
    .unwrap();
    let row = second.rollback.expect("schema_versions is complete after 0001");
    assert_eq!(row.version, "0.0.1");
    assert_eq!(one(&db, "SELECT count(*) FROM schema_versions;"), "1");
}

#[tokio::test]
async fn bad_arguments_are_rejected_before_connecting() {
    // Port 1 on loopback: if anything tried to connect, the error would be CONNECTION_FAILED.
    let url = "postgres://u:pw@127.0.0.1:1/db";
    let cases = [
        get_rollback(url, "").await.unwrap_err(),
        get_rollback(url, "1.0\0").await.unwrap_err(),
        execute_rollback(url, "1", &ExecuteOptions { lock_timeout_ms: Some(u32::MAX), ..Default::default() })
            .await
            .unwrap_err(),
        execute_rollback(url, "1", &ExecuteOptions { drizzle_hash: Some(String::new()), ..Default::default() })
            .await
            .unwrap_err(),
        store_rollback(url, &MigrationInput { migration_file: "f".into(), ..Default::default() }).await.unwrap_err(),
        get_rollback("mysql://h/db", "1").await.unwrap_err(),
    ];
    for e in cases {
        assert_eq!(e.code(), ErrorCode::InvalidArgument, "{e}");
    }
}

#[tokio::test]
async fn connection_failures_name_host_and_port_but_not_the_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("postgres://someone:s3cret-pw@127.0.0.1:{port}/db?connect_timeout=2");
    let e = get_rollback(&url, "1.0.0").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConnectionFailed);
    let message = e.to_string();
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    assert!(!message.contains("s3cret-pw"), "{message}");

    // A server that accepts but never answers: the connect timeout ends the wait.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let url = format!("postgres://someone:s3cret-pw@127.0.0.1:{port}/db?connect_timeout=1&sslmode=disable");
    let e = get_rollback(&url, "1.0.0").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConnectionFailed);
    assert!(e.to_string().contains("timed out"), "{e}");

    // A port that accepts and closes at once is not retried (only the embedded server is).
    let (port, accepted) = accept_and_close().await;
    let url = format!("postgres://someone@127.0.0.1:{port}/db");
    let e = get_rollback(&url, "1.0.0").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConnectionFailed, "{e}");
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "connection attempts");

    // Wrong password is PostgreSQL's answer, still without the password.
    let db = fresh("db_auth");
    let bad_db = db.url().replace("postgres@", "nosuchuser:s3cret-pw@");
    let e = get_rollback(&bad_db, "1").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConnectionFailed);
    assert!(e.to_string().contains("nosuchuser") && !e.to_string().contains("s3cret-pw"), "{e}");
}

/// A local port that accepts connections and closes them at once; counts them.
async fn accept_and_close() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (port, accepted)
}

/// The embedded server (marked in its URL) drops extra clients while busy: there, a dropped
/// connection is retried until the connect timeout.
#[tokio::test]
async fn only_the_embedded_server_is_retried() {
    let (port, accepted) = accept_and_close().await;
    let url = format!(
        "postgres://postgres@127.0.0.1:{port}/postgres?sslmode=disable&pg_rollback_embedded=true&connect_timeout=1"
    );
    let e = get_rollback(&url, "1.0.0").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConnectionFailed, "{e}");
    assert!(accepted.load(Ordering::SeqCst) > 1, "the embedded server must be retried");
}

/// A catalog read that fails (here, `pg_sequence_last_value` for a role that revoked its own privileges on the
/// sequence it drops) does not fail the migration: that statement's rollback falls back to the SQL alone, with
/// a CAPTURE_FAILED warning naming PostgreSQL's error.
#[tokio::test]
async fn a_failing_capture_does_not_fail_the_migration() {
    let db = fresh("db_capture_fault");
    // Logging in as another role needs the throwaway cluster's trust authentication.
    let Some(url) =
        db.url().strip_prefix("postgres://postgres@").map(|rest| format!("postgres://capture_fault@{rest}"))
    else {
        return;
    };
    db.run("DO $$ BEGIN CREATE ROLE capture_fault LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;").unwrap();
    db.run(&format!(
        "GRANT CREATE ON SCHEMA public TO capture_fault; SET ROLE capture_fault; {SCHEMA_VERSIONS_SQL} {ROLLBACK_COLUMNS_SQL} {}
         CREATE SEQUENCE s; REVOKE ALL ON SEQUENCE s FROM capture_fault;",
        pg_rollback_db::ROLLBACK_PLAN_SQL
    ))
    .unwrap();
    let outcome = apply_migration(&url, &migration("9.9.0", "DROP SEQUENCE s;\nCREATE TABLE kept (id int);"), None)
        .await
        .unwrap();
    assert!(outcome.applied);
    assert_eq!(one(&db, "SELECT to_regclass('s') IS NULL AND to_regclass('kept') IS NOT NULL;"), "t");
    let stored = outcome.rollback.unwrap();
    assert!(stored.state_captured);
    assert!(!stored.rollback_safe);
    let codes: Vec<&str> = stored.warnings.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(codes, vec!["CAPTURE_FAILED", "DROP_OBJECT"], "{:?}", stored.warnings);
    assert!(stored.warnings[0].message.contains("permission denied for sequence s"), "{}", stored.warnings[0].message);
    assert_eq!(stored.rollback_script.as_deref(), Some("DROP TABLE kept;\n"), "the rest is still captured");
}
