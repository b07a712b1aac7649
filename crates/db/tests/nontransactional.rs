//! Migrations with statements that cannot run in a transaction (`CONCURRENTLY`, `VACUUM`, ...): applied
//! statement by statement with capture, rolled back, failing midway, in batches, in the dry run and in
//! `verify_rollback`; and no session state (role, settings) leaking from one migration to the next.
mod common;

use common::*;
use pg_rollback_db::Code;
use pg_rollback_db::ErrorCode;
use pg_rollback_db::{
    apply_migration, apply_migrations, execute_rollback, get_rollback, plan_migrations, verify_rollback, ApplyInput,
    DrizzleEntry, ExecuteOptions, PlanInput, Timeouts, VerifyInput, ROLLBACK_PLAN_SQL,
};

fn input(version: &str, sql: &str) -> ApplyInput {
    ApplyInput { migration: migration(version, sql), drizzle: None }
}

fn with_plan(prefix: &str) -> testpg::Database {
    let db = prepared(prefix);
    db.run(ROLLBACK_PLAN_SQL).unwrap();
    db
}

fn invalid_indexes(db: &testpg::Database) -> String {
    one(db, "SELECT string_agg(indexrelid::regclass::text, ',') FROM pg_index WHERE NOT indisvalid;")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_statements_are_applied_captured_and_rolled_back() {
    let db = with_plan("nt_apply");
    db.run(
        "CREATE SCHEMA \"Acct\";
         CREATE TABLE \"Acct\".accounts (id int PRIMARY KEY, name text, email text);
         CREATE INDEX accounts_old ON \"Acct\".accounts (lower(name)) WHERE id > 0;
         INSERT INTO \"Acct\".accounts VALUES (1, 'a', 'a@x'), (2, 'b', 'b@x');",
    )
    .unwrap();
    let before = db.schema_dump().unwrap();
    // Ordinary statements before, between and after; a drop whose definition must be read before it runs
    // (outside a transaction), an unnamed build whose name is read after it, and statements that change no
    // schema.
    let sql = "ALTER TABLE \"Acct\".accounts ADD COLUMN note text;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"Email Idx\" ON \"Acct\".accounts (email);
DROP INDEX CONCURRENTLY \"Acct\".accounts_old;
CREATE INDEX CONCURRENTLY ON \"Acct\".accounts (name, id);
ALTER TABLE \"Acct\".accounts ALTER COLUMN name SET DEFAULT 'x';
COMMENT ON COLUMN \"Acct\".accounts.note IS 'n';
REINDEX INDEX CONCURRENTLY \"Acct\".\"Email Idx\";
VACUUM \"Acct\".accounts;";
    let outcome = apply_migration(db.url(), &migration("1.0.0", sql), None).await.unwrap();
    assert!(outcome.applied);
    let stored = outcome.rollback.unwrap();
    assert!(stored.state_captured);
    let script = stored.rollback_script.clone().unwrap();
    assert!(script.contains("DROP INDEX CONCURRENTLY \"Acct\".\"Email Idx\""), "{script}");
    assert!(
        script.contains(
            "CREATE INDEX CONCURRENTLY accounts_old ON \"Acct\".accounts USING btree (lower(name)) WHERE (id > 0)"
        ),
        "{script}"
    );
    assert!(script.contains("DROP INDEX CONCURRENTLY \"Acct\".accounts_name_id_idx"), "{script}");
    assert!(script.contains("ALTER COLUMN name DROP DEFAULT"), "{script}");
    assert!(!stored.warnings.iter().any(|w| w.code == Code::CaptureFailed), "{:?}", stored.warnings);
    assert_eq!(invalid_indexes(&db), "");
    assert_eq!(one(&db, "SELECT count(*) FROM pg_indexes WHERE indexname = 'Email Idx';"), "1");

    // The stored rollback runs statement by statement and gives the schema back exactly.
    execute_rollback(db.url(), "1.0.0", &ExecuteOptions { force: !stored.rollback_safe, ..Default::default() })
        .await
        .unwrap();
    assert_same_schema(&before, &db.schema_dump().unwrap());
    // And the migration applies again.
    assert!(apply_migration(db.url(), &migration("1.0.0", sql), None).await.unwrap().applied);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_concurrent_build_reports_what_ran_and_can_be_applied_again() {
    let db = with_plan("nt_fail");
    db.run("CREATE TABLE people (id int, email text); INSERT INTO people VALUES (1, 'a'), (2, 'a');").unwrap();
    // Drizzle's table exists (an earlier migration), so the schema before the second attempt has it.
    let first = DrizzleEntry { hash: "h0".into(), created_at: 1 };
    apply_migration(db.url(), &migration("1.0.0", "SELECT 1;"), Some(&first)).await.unwrap();
    let sql = "ALTER TABLE people ADD COLUMN IF NOT EXISTS note text;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS people_email ON people (email);
ALTER TABLE people ADD COLUMN verified boolean;";
    let entry = DrizzleEntry { hash: "h1".into(), created_at: 10 };
    let batch =
        apply_migrations(db.url(), &[ApplyInput { migration: migration("2.0.0", sql), drizzle: Some(entry.clone()) }])
            .await
            .unwrap();
    assert!(batch.outcomes.is_empty());
    let error = batch.failure.unwrap();
    assert_eq!(error.code(), ErrorCode::MigrationFailed);
    let message = error.to_string();
    for part in [
        "failed at statement 2 of 3 (line 2, column 1)",
        "SQLSTATE 23505",
        "stay applied:\n  1 (line 1): ALTER TABLE people ADD COLUMN IF NOT EXISTS note text",
        "public.people_email",
        "DROP INDEX CONCURRENTLY IF EXISTS public.people_email;",
        "NOT recorded",
        "IF NOT EXISTS",
    ] {
        assert!(message.contains(part), "{part:?} not in:\n{message}");
    }
    let detail = batch.failure_detail.unwrap();
    assert!(detail.outside_transaction);
    assert_eq!(detail.failed_statement.as_ref().map(|s| s.index), Some(1));
    assert_eq!(detail.sqlstate.as_deref(), Some("23505"));
    assert_eq!(detail.applied_statements.iter().map(|s| s.index).collect::<Vec<_>>(), [0]);
    assert!(detail.rolled_back_statements.is_empty());
    assert_eq!(detail.invalid_indexes.len(), 1);
    assert_eq!(detail.invalid_indexes[0].drop_statement, "DROP INDEX CONCURRENTLY IF EXISTS public.people_email;");
    // What ran stays, the INVALID index is there, nothing is recorded.
    assert!(column_exists(&db, "people", "note"));
    assert!(!column_exists(&db, "people", "verified"));
    assert_eq!(invalid_indexes(&db), "people_email");
    assert_eq!(one(&db, "SELECT count(*) FROM schema_versions WHERE version = '2.0.0';"), "0");
    assert_eq!(one(&db, "SELECT count(*) FROM drizzle.__drizzle_migrations;"), "1");

    // Fix the cause, remove the INVALID index as told, apply again.
    db.run(&detail.invalid_indexes[0].drop_statement).unwrap();
    db.run("DELETE FROM people WHERE id = 2;").unwrap();
    let before = db.schema_dump().unwrap();
    let outcome = apply_migration(db.url(), &migration("2.0.0", sql), Some(&entry)).await.unwrap();
    assert!(outcome.applied);
    assert_eq!(one(&db, "SELECT count(*) FROM drizzle.__drizzle_migrations;"), "2");
    let stored = outcome.rollback.unwrap();
    // The column existed this time: nothing to undo for it.
    assert_eq!(
        stored.rollback_script.as_deref(),
        Some("ALTER TABLE people DROP COLUMN verified;\nDROP INDEX CONCURRENTLY people_email;\n")
    );
    assert!(stored.rollback_safe);
    execute_rollback(db.url(), "2.0.0", &ExecuteOptions::default()).await.unwrap();
    assert_same_schema(&before, &db.schema_dump().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_in_the_statements_after_a_concurrent_one_rolls_back_their_transaction() {
    let db = with_plan("nt_fail_group");
    db.run("CREATE TABLE t (a int);").unwrap();
    let sql = "CREATE INDEX CONCURRENTLY t_a ON t (a);
ALTER TABLE t ADD COLUMN b int;
ALTER TABLE t ADD COLUMN b int;
CREATE INDEX CONCURRENTLY t_b ON t (b);";
    let batch = apply_migrations(db.url(), &[input("3.0.0", sql)]).await.unwrap();
    let detail = batch.failure_detail.unwrap();
    assert_eq!(detail.failed_statement.as_ref().map(|s| s.index), Some(2));
    assert_eq!(detail.applied_statements.iter().map(|s| s.index).collect::<Vec<_>>(), [0]);
    assert_eq!(detail.rolled_back_statements.iter().map(|s| s.index).collect::<Vec<_>>(), [1]);
    assert!(detail.invalid_indexes.is_empty());
    let message = batch.failure.unwrap().to_string();
    assert!(
        message.contains("Statements 2 ran in the failed statement's transaction and were rolled back"),
        "{message}"
    );
    assert!(!column_exists(&db, "t", "b"));
    assert_eq!(one(&db, "SELECT count(*) FROM pg_indexes WHERE indexname = 't_a';"), "1");
    assert_eq!(one(&db, "SELECT count(*) FROM schema_versions;"), "0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_applies_up_to_a_concurrent_migration_then_it_then_the_rest() {
    let db = with_plan("nt_batch");
    let before = db.schema_dump().unwrap();
    let batch = [
        input("1", "CREATE TABLE orders (id int, code text);"),
        input("2", "CREATE UNIQUE INDEX CONCURRENTLY orders_code ON orders (code);"),
        input("3", "ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE USING INDEX orders_code;"),
        input("4", "BEGIN;\nALTER TABLE orders ADD COLUMN total int;\nCOMMIT;\nCREATE INDEX CONCURRENTLY orders_total ON orders (total);"),
    ];
    let applied = apply_migrations(db.url(), &batch).await.unwrap();
    assert!(applied.failure.is_none(), "{:?}", applied.failure);
    assert_eq!(applied.outcomes.len(), 4);
    assert_eq!(one(&db, "SELECT string_agg(version, ',' ORDER BY id) FROM schema_versions;"), "1,2,3,4");
    for version in ["4", "3", "2", "1"] {
        let stored = get_rollback(db.url(), version).await.unwrap();
        execute_rollback(db.url(), version, &ExecuteOptions { force: !stored.rollback_safe, ..Default::default() })
            .await
            .unwrap();
    }
    assert_same_schema(&before, &db.schema_dump().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_can_never_run_is_refused_before_anything_is_applied() {
    for (sql, part) in [
        ("BEGIN;\nCREATE INDEX CONCURRENTLY orders_code ON orders (code);\nCOMMIT;", "between BEGIN and COMMIT"),
        ("CREATE INDEX CONCURRENTLY orders_code ON orders (code);\nROLLBACK;", "would end or abandon"),
    ] {
        let db = with_plan("nt_refused");
        let batch = [input("1", "CREATE TABLE orders (id int, code text);"), input("2", sql)];
        let e = apply_migrations(db.url(), &batch).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::MigrationFailed);
        assert!(e.to_string().contains(part) && e.to_string().contains("Migration 2 (2.sql)"), "{e}");
        assert_eq!(one(&db, "SELECT count(*) FROM pg_tables WHERE tablename = 'orders';"), "0");
        assert_eq!(one(&db, "SELECT count(*) FROM schema_versions;"), "0");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dry_run_plans_concurrent_statements_and_changes_nothing() {
    let db = with_plan("nt_dry");
    db.run("CREATE TABLE t (a int); CREATE INDEX t_old ON t (a);").unwrap();
    let before = db.schema_dump().unwrap();
    let plans = [
        PlanInput { version: "1".into(), sql: "CREATE INDEX CONCURRENTLY t_a ON t (a);\nALTER INDEX t_a RENAME TO t_a2;\nDROP INDEX CONCURRENTLY t_old;\nVACUUM t;".into(), drizzle_created_at: None },
        PlanInput { version: "2".into(), sql: "ALTER TABLE t ADD COLUMN b int;".into(), drizzle_created_at: None },
    ];
    let planned = plan_migrations(db.url(), &plans, Timeouts::default()).await.unwrap();
    assert_eq!(planned[0].outside_transaction, [0, 2, 3]);
    assert!(planned[1].outside_transaction.is_empty());
    let plan = planned[0].plan.as_ref().unwrap();
    // The statements as written, and the rollback applying would store.
    assert_eq!(plan.statements[0].sql, "CREATE INDEX CONCURRENTLY t_a ON t (a)");
    assert_eq!(plan.statements[3].sql, "VACUUM t");
    assert_eq!(
        plan.rollback_script.as_deref(),
        Some("CREATE INDEX CONCURRENTLY t_old ON public.t USING btree (a);\nALTER INDEX t_a2 RENAME TO t_a;\nDROP INDEX CONCURRENTLY t_a;\n")
    );
    assert!(!plan.transactional);
    assert_same_schema(&before, &db.schema_dump().unwrap());
    // DETACH PARTITION ... CONCURRENTLY has no transactional form with its effect: refused, naming it.
    let detach = PlanInput {
        version: "3".into(),
        sql: "ALTER TABLE p DETACH PARTITION c CONCURRENTLY;".into(),
        drizzle_created_at: None,
    };
    let e = plan_migrations(db.url(), &[detach], Timeouts::default()).await.unwrap_err();
    assert!(e.to_string().contains("DETACH PARTITION c CONCURRENTLY"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_rollback_proves_concurrent_migrations() {
    let db = with_plan("nt_verify");
    db.run("CREATE TABLE t (a int, b int); CREATE INDEX t_old ON t (b) WHERE b > 1;").unwrap();
    let before = db.schema_dump().unwrap();
    let verified = verify_rollback(
        db.url(),
        &VerifyInput {
            sql: "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_a ON t (a);\nDROP INDEX CONCURRENTLY t_old;\nVACUUM t;"
                .into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(verified.restored, "{verified:?}");
    assert!(verified.rollback_safe);
    assert_eq!(verified.transactional_forms.len(), 5, "{:?}", verified.transactional_forms);
    // A wrong hand-written rollback is caught the same way.
    let wrong = verify_rollback(
        db.url(),
        &VerifyInput {
            sql: "CREATE INDEX CONCURRENTLY t_a ON t (a);".into(),
            rollback_script: Some("DROP INDEX CONCURRENTLY t_old;".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(!wrong.restored);
    assert_eq!(wrong.differences.len(), 2, "{:?}", wrong.differences);
    assert_same_schema(&before, &db.schema_dump().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_role_or_setting_leaks_into_the_next_migration_or_the_bookkeeping() {
    let db = with_plan("nt_session");
    let role = format!("{}_r", db.name());
    db.run(&format!(
        "CREATE ROLE {role} NOLOGIN; CREATE SCHEMA elsewhere; GRANT ALL ON SCHEMA public, elsewhere TO {role};"
    ))
    .unwrap();
    let connecting = one(&db, "SELECT current_user;");
    let observe = |table: &str| {
        format!(
            "CREATE TABLE {table} AS SELECT session_user::text AS s, current_user::text AS u, \
             current_setting('search_path') AS p, current_setting('statement_timeout') AS t, \
             current_setting('TimeZone') AS z;"
        )
    };
    let batch = [
        input("1", &format!("SET ROLE {role};\nSET search_path = elsewhere;\nCREATE TABLE public.owned (id int);\nSET statement_timeout = '5s';")),
        input("2", &observe("after_set_role")),
        input("3", &format!("SET SESSION AUTHORIZATION {role};\nSET search_path = elsewhere, public;\nCREATE INDEX CONCURRENTLY owned_id ON public.owned (id);\nSET TIME ZONE 'Asia/Tokyo';")),
        input("4", &observe("after_concurrent")),
        input("5", &format!("SET LOCAL ROLE {role};\nSET timezone = 'Europe/Paris';")),
        input("6", &observe("after_local")),
    ];
    let applied = apply_migrations(db.url(), &batch).await.unwrap();
    assert!(applied.failure.is_none(), "{:?}", applied.failure);
    for table in ["after_set_role", "after_concurrent", "after_local"] {
        assert_eq!(
            one(&db, &format!("SELECT s || '|' || u || '|' || p || '|' || t || '|' || z FROM public.{table};")),
            format!("{connecting}|{connecting}|\"$user\", public|0|UTC"),
            "{table}"
        );
    }
    // The migrations ran as they said; the bookkeeping as the connecting role, in public.schema_versions.
    assert_eq!(one(&db, "SELECT tableowner FROM pg_tables WHERE tablename = 'owned';"), role);
    assert_eq!(one(&db, "SELECT count(*) FROM public.schema_versions;"), "6");
    assert_eq!(one(&db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'elsewhere';"), "0");
    // The same after a failure midway of a migration run outside a transaction.
    let failing = [input("7", &format!("SET ROLE {role};\nCREATE INDEX CONCURRENTLY nope ON no_such_table (id);"))];
    assert!(apply_migrations(db.url(), &failing).await.unwrap().failure.is_some());
    assert!(apply_migrations(db.url(), &[input("8", &observe("after_failure"))]).await.unwrap().failure.is_none());
    assert_eq!(one(&db, "SELECT u || '|' || t FROM after_failure;"), format!("{connecting}|0"));
    db.run(&format!("DROP OWNED BY {role}; DROP ROLE {role};")).unwrap_or_default();
}
