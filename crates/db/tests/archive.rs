//! The archive (issue 18) on a real PostgreSQL with seeded rows: what `DROP COLUMN` and `ALTER COLUMN ... TYPE`
//! destroy is kept at apply and put back by `restore_data`. Oracle: the catalog snapshot equals the one from
//! before the migration (a restored column comes back last: only its position may differ, and only where
//! the test says so) AND every table's rows equal the ones from before.
mod common;

use common::*;
use pg_rollback_db::{
    apply_migrations_with, catalog_snapshot, compare_snapshots, execute_rollback, execute_rollbacks, get_rollback,
    ApplyInput, ArchiveOptions, Difference, ExecuteManyOptions, ExecuteOptions, ROLLBACK_PLAN_SQL,
};

/// The differences between two snapshots, other than the `position` of `moved` columns (`table.column`).
fn differences(before: &pg_rollback_db::Snapshot, after: &pg_rollback_db::Snapshot, moved: &[&str]) -> Vec<Difference> {
    compare_snapshots(before, after)
        .into_iter()
        .filter(|d| !(d.attribute.as_deref() == Some("position") && moved.iter().any(|m| d.object.ends_with(m))))
        .collect()
}

async fn assert_schema_back(db: &testpg::Database, before: &pg_rollback_db::Snapshot, moved: &[&str]) {
    let after = catalog_snapshot(db.url()).await.unwrap();
    let diff = differences(before, &after, moved);
    assert!(diff.is_empty(), "schema differs from before the migration:\n{diff:#?}");
}

/// Whether the archive's schema exists (it goes once it holds nothing).
fn archive_schema(db: &testpg::Database) -> bool {
    one(db, "SELECT to_regnamespace('pgrollback_archive') IS NOT NULL;") == "t"
}

fn archive_tables(db: &testpg::Database) -> String {
    one(
        db,
        "SELECT coalesce(string_agg(c.relname, ',' ORDER BY c.relname), '') FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pgrollback_archive';",
    )
}

const ORDERS: &str = r#"
CREATE SCHEMA "My Shop";
CREATE TABLE "My Shop"."Order" (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    qty int NOT NULL,
    "Note" text COLLATE "C" DEFAULT 'none' CONSTRAINT "Note not bad" CHECK ("Note" <> 'bad')
);
CREATE INDEX "Order Note" ON "My Shop"."Order" ("Note" text_pattern_ops) WHERE "Note" IS NOT NULL;
CREATE INDEX order_qty_note ON "My Shop"."Order" (qty, "Note");
COMMENT ON COLUMN "My Shop"."Order"."Note" IS 'the customer''s note';
COMMENT ON INDEX "My Shop"."Order Note" IS 'notes';
ALTER TABLE "My Shop"."Order" ALTER COLUMN "Note" SET STATISTICS 500;
ALTER TABLE "My Shop"."Order" ALTER COLUMN "Note" SET STORAGE EXTERNAL;
ALTER TABLE "My Shop"."Order" ALTER COLUMN "Note" SET (n_distinct = 100);
ALTER TABLE "My Shop"."Order" ADD CONSTRAINT "Order qty note" UNIQUE (qty, "Note");
COMMENT ON CONSTRAINT "Order qty note" ON "My Shop"."Order" IS 'one note per qty';
DO $$ BEGIN CREATE ROLE archive_reader; EXCEPTION WHEN OTHERS THEN NULL; END $$;
GRANT USAGE ON SCHEMA "My Shop" TO archive_reader;
GRANT SELECT (id, "Note") ON "My Shop"."Order" TO archive_reader;
INSERT INTO "My Shop"."Order" (qty, "Note")
SELECT g, CASE WHEN g % 10 = 0 THEN NULL WHEN g % 7 = 0 THEN 'none' ELSE 'note ' || g END FROM generate_series(1, 500) g;
"#;

const ORDER_ROWS: &str = r#"SELECT id, qty, "Note" FROM "My Shop"."Order" ORDER BY id;"#;

#[tokio::test]
async fn a_dropped_column_comes_back_with_its_values_index_check_default_comment_grants_and_statistics() {
    let db = database("archive_drop_column", ORDERS);
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows = db.query(ORDER_ROWS).unwrap();
    let stored = apply(&db, "1.1", r#"ALTER TABLE "My Shop"."Order" DROP COLUMN "Note";"#).await;
    // The spec's fields stay as they were (Test 4).
    assert!(!stored.rollback_safe);
    assert_eq!(stored.rollback_script, None);
    assert_eq!(stored.warnings.len(), 1);
    assert_eq!(stored.warnings[0].message, "Cannot auto-generate rollback for DROP COLUMN (data loss)");
    let archive = stored.archive.clone().expect("an archive record");
    assert_eq!(archive.objects.len(), 1, "{archive:?}");
    assert_eq!(archive.objects[0].rows, 500);
    assert_eq!(archive.objects[0].source, r#""My Shop"."Order"."Note""#);
    assert!(archive.objects[0].bytes > 0);
    assert!(stored.restore_script.is_some(), "{archive:?}");
    assert_eq!(get_rollback(db.url(), "1.1").await.unwrap().restore_script, stored.restore_script);
    assert_eq!(archive_tables(&db), "1.1/1");
    let comment = one(&db, "SELECT obj_description('pgrollback_archive.\"1.1/1\"'::regclass, 'pg_class');");
    assert!(comment.contains("migration 1.1, statement 1") && comment.contains("DROP COLUMN"), "{comment}");
    assert!(!column_exists(&db, "Order", "Note"));

    let done = execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert!(done.rollback.rollback_applied_at.is_some());
    assert_schema_back(&db, &before, &[]).await;
    assert_eq!(db.query(ORDER_ROWS).unwrap(), rows);
    assert_eq!(archive_tables(&db), "", "the archive table is dropped with the restore");
    assert!(!archive_schema(&db), "and the schema, now empty");
}

#[tokio::test]
async fn a_column_restored_from_the_middle_comes_back_last_and_nothing_else_differs() {
    let db = database(
        "archive_middle",
        "CREATE TABLE t (id bigint PRIMARY KEY, a text NOT NULL, b int);
         INSERT INTO t SELECT g, 'a' || g, g * 2 FROM generate_series(1, 50) g;",
    );
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows = db.query("SELECT id, a, b FROM t ORDER BY id;").unwrap();
    apply(&db, "1.1", "ALTER TABLE t DROP COLUMN a;").await;
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    let after = catalog_snapshot(db.url()).await.unwrap();
    let moved: Vec<Difference> = compare_snapshots(&before, &after);
    assert!(!moved.is_empty() && moved.iter().all(|d| d.attribute.as_deref() == Some("position")), "{moved:#?}");
    assert_schema_back(&db, &before, &["t.a", "t.b"]).await;
    assert_eq!(db.query("SELECT id, a, b FROM t ORDER BY id;").unwrap(), rows);
}

#[tokio::test]
async fn rows_inserted_updated_and_deleted_since_the_migration() {
    let db = database("archive_since", ORDERS);
    let before = catalog_snapshot(db.url()).await.unwrap();
    apply(&db, "1.1", r#"ALTER TABLE "My Shop"."Order" DROP COLUMN "Note";"#).await;
    db.run(
        r#"INSERT INTO "My Shop"."Order" (qty) VALUES (1001), (1002);
           UPDATE "My Shop"."Order" SET qty = -qty WHERE id <= 20;
           DELETE FROM "My Shop"."Order" WHERE id BETWEEN 21 AND 30;"#,
    )
    .unwrap();
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(&db, &before, &[]).await;
    // Updated rows keep their update and get their note back; new rows get the column's default.
    assert_eq!(one(&db, r#"SELECT "Note" || ' ' || qty FROM "My Shop"."Order" WHERE id = 3;"#), "note 3 -3");
    assert_eq!(one(&db, r#"SELECT count(*) FROM "My Shop"."Order" WHERE "Note" IS NULL AND id <= 20;"#), "2");
    assert_eq!(
        one(&db, r#"SELECT string_agg("Note", ',' ORDER BY id) FROM "My Shop"."Order" WHERE qty > 1000;"#),
        "none,none"
    );
    assert_eq!(one(&db, r#"SELECT count(*) FROM "My Shop"."Order" WHERE id BETWEEN 21 AND 30;"#), "0");
    assert_eq!(one(&db, r#"SELECT count(*) FROM "My Shop"."Order";"#), "492");
}

#[tokio::test]
async fn a_not_null_column_without_default_refuses_while_rows_were_inserted_since() {
    let db = database(
        "archive_conflict",
        "CREATE TABLE t (id serial PRIMARY KEY, code text NOT NULL);
         INSERT INTO t (code) SELECT 'c' || g FROM generate_series(1, 30) g;",
    );
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows = db.query("SELECT id, code FROM t ORDER BY id;").unwrap();
    apply(&db, "1.1", "ALTER TABLE t DROP COLUMN code;").await;
    db.run("INSERT INTO t DEFAULT VALUES; INSERT INTO t DEFAULT VALUES;").unwrap();
    let e = refused_unchanged(&db, "1.1", "RESTORE_CONFLICT").await;
    assert!(e.contains("2 row(s) of public.t were inserted since"), "{e}");
    assert_eq!(archive_tables(&db), "1.1/1");
    db.run("DELETE FROM t WHERE id > 30;").unwrap();
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(&db, &before, &[]).await;
    assert_eq!(db.query("SELECT id, code FROM t ORDER BY id;").unwrap(), rows);
}

#[tokio::test]
async fn lossy_type_changes_get_their_old_values_back() {
    let db = database(
        "archive_types",
        "CREATE TABLE m (id int PRIMARY KEY, code text, amount numeric(10,4) NOT NULL DEFAULT 0.5, at timestamptz);
         CREATE INDEX m_code ON m (code);
         INSERT INTO m VALUES (1, '007', 1.2345, '2024-05-06 23:59:58.123456+02'),
                              (2, '42', 99.9999, NULL), (3, NULL, -0.0051, '1999-12-31 01:00:00+00');",
    );
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows = db.query("SELECT id, code, amount, at FROM m ORDER BY id;").unwrap();
    let stored = apply(
        &db,
        "1.1",
        "ALTER TABLE m ALTER COLUMN code TYPE int USING code::int;
         ALTER TABLE m ALTER COLUMN amount TYPE numeric(10,2);
         ALTER TABLE m ALTER COLUMN at TYPE date;",
    )
    .await;
    assert!(!stored.rollback_safe);
    assert_eq!(stored.archive.as_ref().unwrap().objects.len(), 3, "{:?}", stored.archive);
    assert_eq!(one(&db, "SELECT code FROM m WHERE id = 1;"), "7");
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(&db, &before, &[]).await;
    assert_eq!(db.query("SELECT id, code, amount, at FROM m ORDER BY id;").unwrap(), rows);
    assert_eq!(archive_tables(&db), "");
}

#[tokio::test]
async fn a_table_without_a_key_is_not_archived_and_says_why() {
    let db = database("archive_no_key", "CREATE TABLE log (at text, line text); INSERT INTO log VALUES ('a', 'b');");
    let stored = apply(&db, "1.1", "ALTER TABLE log DROP COLUMN line;").await;
    let archive = stored.archive.unwrap();
    assert!(archive.objects.is_empty());
    assert!(archive.not_archived[0].reason.contains("no primary key"), "{archive:?}");
    assert_eq!(stored.restore_script, None);
    assert_eq!(archive_tables(&db), "");
    assert!(!archive_schema(&db));
    let after = catalog_snapshot(db.url()).await.unwrap();
    let e = execute_rollback(db.url(), "1.1", &restoring()).await.unwrap_err();
    assert_eq!(e.code().as_str(), "RESTORE_NOT_AVAILABLE", "{e}");
    assert!(e.to_string().contains("no primary key"), "{e}");
    assert!(compare_snapshots(&after, &catalog_snapshot(db.url()).await.unwrap()).is_empty());
}

#[tokio::test]
async fn the_ceiling_and_archive_false_keep_nothing_and_say_why() {
    let db = database(
        "archive_ceiling",
        "CREATE TABLE t (id int PRIMARY KEY, a text, b text);
         INSERT INTO t SELECT g, repeat('x', 100), 'b' FROM generate_series(1, 1000) g;",
    );
    let input = |version: &str, sql: &str| ApplyInput { migration: migration(version, sql), drizzle: None };
    let small = ArchiveOptions { enabled: true, max_bytes: 8192 };
    let applied =
        apply_migrations_with(db.url(), &[input("1.1", "ALTER TABLE t DROP COLUMN a;")], small).await.unwrap();
    assert!(applied.failure.is_none());
    let archive = applied.outcomes[0].rollback.clone().unwrap().archive.unwrap();
    assert!(archive.objects.is_empty());
    assert!(archive.not_archived[0].reason.contains("archiveMaxBytes"), "{archive:?}");
    let off = ArchiveOptions { enabled: false, ..ArchiveOptions::default() };
    let applied = apply_migrations_with(db.url(), &[input("1.2", "ALTER TABLE t DROP COLUMN b;")], off).await.unwrap();
    let archive = applied.outcomes[0].rollback.clone().unwrap().archive.unwrap();
    assert!(archive.not_archived[0].reason.contains("archive: false"), "{archive:?}");
    assert_eq!(archive_tables(&db), "");
    assert!(!column_exists(&db, "t", "a") && !column_exists(&db, "t", "b"));
}

#[tokio::test]
async fn a_role_without_access_cannot_read_the_archive() {
    let db = database("archive_access", ORDERS);
    apply(&db, "1.1", r#"ALTER TABLE "My Shop"."Order" DROP COLUMN "Note";"#).await;
    // archive_reader could read the column; nobody but the applying role can read the archive.
    let read = db.run("SET ROLE archive_reader; SELECT count(*) FROM pgrollback_archive.\"1.1/1\";");
    assert!(read.unwrap_err().contains("permission denied"));
    db.run("DO $$ BEGIN CREATE ROLE outsider; EXCEPTION WHEN OTHERS THEN NULL; END $$; GRANT USAGE ON SCHEMA pgrollback_archive TO outsider;").unwrap();
    let read = db.run("SET ROLE outsider; SELECT count(*) FROM pgrollback_archive.\"1.1/1\";");
    assert!(read.unwrap_err().contains("permission denied for table"));
    assert_eq!(
        one(&db, "SELECT relacl::text FROM pg_class WHERE oid = 'pgrollback_archive.\"1.1/1\"'::regclass;")
            .matches('=')
            .count(),
        1
    );
}

#[tokio::test]
async fn a_pruned_archive_is_archive_missing_and_changes_nothing() {
    let db = database("archive_missing", ORDERS);
    apply(&db, "1.1", r#"ALTER TABLE "My Shop"."Order" DROP COLUMN "Note";"#).await;
    db.run("DROP SCHEMA pgrollback_archive CASCADE;").unwrap();
    refused_unchanged(&db, "1.1", "ARCHIVE_MISSING").await;
}

#[tokio::test]
async fn what_is_not_archived_yet_is_restore_not_available() {
    let db = database(
        "archive_unavailable",
        "CREATE TABLE s (id serial PRIMARY KEY, n serial, g int GENERATED ALWAYS AS (id * 2) STORED);
         GRANT USAGE ON SEQUENCE s_n_seq TO PUBLIC;
         CREATE TYPE mood AS ENUM ('ok'); CREATE DOMAIN mood_d AS mood;
         CREATE TABLE gone (id int PRIMARY KEY) PARTITION BY RANGE (id);",
    );
    for (version, sql, reason) in [
        ("1.1", "ALTER TYPE mood ADD VALUE 'great';", "mood_d"),
        ("1.2", "DROP TABLE gone;", "partitioned"),
        ("1.3", "ALTER TABLE s DROP COLUMN n;", "whose sequence public.s_n_seq has grants"),
        ("1.5", "ALTER TABLE s DROP COLUMN id CASCADE;", "CASCADE"),
    ] {
        let stored = apply(&db, version, sql).await;
        let archive = stored.archive.clone().unwrap();
        assert!(archive.objects.is_empty(), "{version}: {archive:?}");
        assert!(archive.not_archived[0].reason.contains(reason), "{version}: {archive:?}");
        assert_eq!(stored.restore_script, None);
    }
    // Spec Test 5: ADD VALUE keeps its NULL script.
    assert_eq!(get_rollback(db.url(), "1.1").await.unwrap().rollback_script, None);
    let e = execute_rollback(db.url(), "1.5", &restoring()).await.unwrap_err();
    assert_eq!(e.code().as_str(), "RESTORE_NOT_AVAILABLE", "{e}");
    assert_eq!(archive_tables(&db), "");
}

#[tokio::test]
async fn a_safe_version_runs_its_rollback_and_a_range_mixes_both_in_one_transaction() {
    let db = database(
        "archive_range",
        "CREATE TABLE t (id int PRIMARY KEY, a text);
         INSERT INTO t SELECT g, 'a' || g FROM generate_series(1, 20) g;",
    );
    apply(&db, "1.0", "SELECT 1;").await;
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows = db.query("SELECT id, a FROM t ORDER BY id;").unwrap();
    apply(&db, "1.1", "ALTER TABLE t ADD COLUMN b int;").await;
    apply(&db, "1.2", "ALTER TABLE t DROP COLUMN a;").await;
    apply(&db, "1.3", "CREATE INDEX t_b ON t (b);").await;
    // A safe version with restore_data: its ordinary rollback.
    execute_rollback(db.url(), "1.3", &restoring()).await.unwrap();
    let options = ExecuteManyOptions { to: Some("1.0".into()), restore_data: true, ..Default::default() };
    let done = execute_rollbacks(db.url(), &options).await.unwrap();
    assert_eq!(done.iter().map(|d| d.rollback.version.as_str()).collect::<Vec<_>>(), ["1.2", "1.1"]);
    assert_schema_back(&db, &before, &[]).await;
    assert_eq!(db.query("SELECT id, a FROM t ORDER BY id;").unwrap(), rows);
    // Without restore_data the unsafe version is refused as before.
    assert_eq!(archive_tables(&db), "");
}

#[tokio::test]
async fn without_restore_data_nothing_changes_for_unsafe_versions() {
    let db = database("archive_plain", ORDERS);
    apply(&db, "1.1", r#"ALTER TABLE "My Shop"."Order" DROP COLUMN "Note";"#).await;
    let e = execute_rollback(db.url(), "1.1", &ExecuteOptions::default()).await.unwrap_err();
    assert_eq!(e.code().as_str(), "ROLLBACK_SCRIPT_NOT_FOUND", "{e}");
    let options = ExecuteManyOptions { steps: Some(1), ..Default::default() };
    assert!(execute_rollbacks(db.url(), &options).await.is_err());
    assert_eq!(archive_tables(&db), "1.1/1");
}

#[tokio::test]
async fn data_written_since_that_a_restored_constraint_rejects_fails_the_restore_whole() {
    let db = database(
        "archive_unique_since",
        "CREATE TABLE t (id int PRIMARY KEY, code text DEFAULT 'same' UNIQUE);
         INSERT INTO t SELECT g, 'c' || g FROM generate_series(1, 10) g;",
    );
    apply(&db, "1.1", "ALTER TABLE t DROP COLUMN code;").await;
    db.run("INSERT INTO t VALUES (11), (12);").unwrap();
    let e = refused_unchanged(&db, "1.1", "ROLLBACK_FAILED").await;
    assert!(e.contains("unchanged"), "{e}");
    assert_eq!(archive_tables(&db), "1.1/1");
}

#[tokio::test]
async fn update_triggers_on_the_table_do_not_fire_on_the_restore() {
    let db = database(
        "archive_trigger",
        "CREATE TABLE t (id int PRIMARY KEY, a text, touched int DEFAULT 0);
         CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := NEW.touched + 1; RETURN NEW; END $$;
         CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
         INSERT INTO t (id, a) SELECT g, 'a' || g FROM generate_series(1, 5) g;",
    );
    apply(&db, "1.1", "ALTER TABLE t DROP COLUMN a;").await;
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_eq!(one(&db, "SELECT string_agg(a, ',' ORDER BY id) FROM t;"), "a1,a2,a3,a4,a5");
    assert_eq!(one(&db, "SELECT sum(touched) FROM t;"), "0");
    assert_eq!(one(&db, "SELECT tgenabled FROM pg_trigger WHERE tgname = 't_touch';"), "O");
}

#[tokio::test]
async fn enabled_event_triggers_keep_the_archive_out() {
    let db = database(
        "archive_event_trigger",
        "CREATE TABLE t (id int PRIMARY KEY, a text);
         CREATE FUNCTION noop() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
         CREATE EVENT TRIGGER archive_noop ON ddl_command_end EXECUTE FUNCTION noop();",
    );
    let stored = apply(&db, "1.1", "ALTER TABLE t DROP COLUMN a;").await;
    let archive = stored.archive.unwrap();
    assert!(archive.not_archived[0].reason.contains("event triggers"), "{archive:?}");
    db.run("DROP EVENT TRIGGER archive_noop;").unwrap();
    assert_eq!(archive_tables(&db), "");
}

#[tokio::test]
async fn a_migration_that_cannot_be_restored_keeps_nothing() {
    let db = database(
        "archive_dropped_at_bookkeeping",
        "CREATE TABLE t (id int PRIMARY KEY, a text, b int);
         INSERT INTO t SELECT g, 'a' || g, g FROM generate_series(1, 10) g;",
    );
    // The DROP COLUMN is kept, then a write hidden in a SELECT's WITH (not kept) makes the whole migration
    // unrestorable.
    let stored = apply(
        &db,
        "1.1",
        "ALTER TABLE t DROP COLUMN a;\nWITH x AS (UPDATE t SET b = b + 1 RETURNING 1) SELECT count(*) FROM x;",
    )
    .await;
    let archive = stored.archive.unwrap();
    assert!(archive.objects.is_empty(), "{archive:?}");
    assert!(archive.restore_unavailable.as_deref().unwrap_or("").contains("statement 2"), "{archive:?}");
    assert_eq!(stored.restore_script, None);
    assert_eq!(archive_tables(&db), "");
    assert!(!archive_schema(&db), "the schema created for it is gone too");
}

#[tokio::test]
async fn without_the_restore_columns_nothing_is_copied() {
    let db = prepared("archive_no_columns");
    db.run(ROLLBACK_PLAN_SQL).unwrap();
    db.run("CREATE TABLE t (id int PRIMARY KEY, a text); INSERT INTO t VALUES (1, 'a');").unwrap();
    let stored = apply(&db, "1.1", "ALTER TABLE t DROP COLUMN a;").await;
    assert_eq!((stored.restore_script, stored.archive), (None, None));
    assert!(!archive_schema(&db));
    assert!(!column_exists(&db, "t", "a"));
}

#[tokio::test]
async fn values_of_user_types_are_kept_as_text_and_odd_names_are_quoted() {
    let db = database(
        "archive_user_types",
        r#"CREATE TYPE "Mood" AS ENUM ('ok', 'great', 'it''s fine');
           CREATE DOMAIN positive AS numeric(6,2) CHECK (VALUE > 0);
           CREATE TABLE "we""ird" ("Key" text NOT NULL, k2 int NOT NULL, "mo""od" "Mood" DEFAULT 'ok', p positive,
                                   arr "Mood"[], UNIQUE ("Key", k2));
           INSERT INTO "we""ird" VALUES ('a', 1, 'great', 1.5, '{ok,great}'), ('a', 2, 'it''s fine', NULL, NULL),
                                        ('b', 1, NULL, 99.99, '{}');"#,
    );
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows_sql = r#"SELECT "Key", k2, "mo""od", p, arr FROM "we""ird" ORDER BY 1, 2;"#;
    let rows = db.query(rows_sql).unwrap();
    let version = r#"2026-01 "x""#;
    let stored = apply(
        &db,
        version,
        r#"ALTER TABLE "we""ird" DROP COLUMN arr;
           ALTER TABLE "we""ird" DROP COLUMN p;
           ALTER TABLE "we""ird" DROP COLUMN "mo""od";"#,
    )
    .await;
    assert_eq!(stored.archive.as_ref().unwrap().objects.len(), 3, "{:?}", stored.archive);
    // The archive does not depend on the user's types: they can be dropped by the same or a later migration.
    let kept_types = one(
        &db,
        "SELECT string_agg(DISTINCT format_type(a.atttypid, NULL), ',') FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          WHERE c.relnamespace = 'pgrollback_archive'::regnamespace AND a.attname = 'value';",
    );
    assert_eq!(kept_types, "text");
    execute_rollback(db.url(), version, &restoring()).await.unwrap();
    // Restored last statement first: "mo""od", p, arr come back in their order.
    assert_schema_back(&db, &before, &[]).await;
    assert_eq!(db.query(rows_sql).unwrap(), rows);
}

#[tokio::test]
async fn a_safe_migration_keeps_nothing_in_the_archive() {
    let db = database("archive_safe", "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2);");
    let stored =
        apply(&db, "1.1", "ALTER TABLE t ADD COLUMN c text;\nALTER TABLE t ALTER COLUMN c TYPE int USING c::int;")
            .await;
    assert!(stored.rollback_safe, "{stored:?}");
    assert_eq!((stored.restore_script, stored.archive), (None, None));
    assert!(!archive_schema(&db));
}

#[tokio::test]
async fn indexes_and_checks_a_type_change_re_parses_come_back_from_their_old_definitions() {
    // crates-io 0132: `date(date)` on a timestamp column retyped to date comes back as `(date)` when the type
    // is changed back; the restore drops the index first and creates it again as it was.
    let db = database(
        "archive_reparsed",
        "CREATE TABLE downloads (id int PRIMARY KEY, \"date\" timestamp NOT NULL, n int CONSTRAINT \"n positive\" CHECK (n > 0),
                                 m int, r tsrange, EXCLUDE USING gist (r WITH &&));
         CREATE INDEX downloads_day ON downloads (date(\"date\"));
         CREATE INDEX \"Downloads m\" ON downloads (m) WHERE m IS NOT NULL;
         COMMENT ON INDEX downloads_day IS 'per day';
         COMMENT ON CONSTRAINT \"n positive\" ON downloads IS 'positive';
         INSERT INTO downloads SELECT g, '2024-01-01 10:11:12.345'::timestamp + g * interval '7 hours', g, g
           FROM generate_series(1, 20) g;",
    );
    let rows_sql = "SELECT * FROM downloads ORDER BY id;";
    for (version, sql) in [
        ("1.1", "ALTER TABLE downloads ALTER COLUMN \"date\" TYPE date;"),
        ("1.2", "ALTER TABLE downloads ALTER COLUMN n TYPE numeric;"),
        ("1.3", "ALTER TABLE downloads ALTER COLUMN m TYPE bigint;"),
    ] {
        let before = catalog_snapshot(db.url()).await.unwrap();
        let rows = db.query(rows_sql).unwrap();
        let stored = apply(&db, version, sql).await;
        assert!(stored.restore_script.is_some(), "{version}: {:?}", stored.archive);
        execute_rollback(db.url(), version, &restoring()).await.unwrap();
        assert_schema_back(&db, &before, &[]).await;
        assert_eq!(db.query(rows_sql).unwrap(), rows, "{version}");
    }
    assert_eq!(
        one(&db, "SELECT pg_get_indexdef('downloads_day'::regclass);"),
        "CREATE INDEX downloads_day ON public.downloads USING btree (date(date))"
    );
    // An exclusion constraint is not given back from its definition (its index): refused.
    let stored = apply(&db, "1.4", "ALTER TABLE downloads ALTER COLUMN r TYPE tsrange;").await;
    let archive = stored.archive.expect("an archive record");
    assert!(archive.objects.is_empty() && stored.restore_script.is_none(), "{archive:?}");
    assert!(archive.not_archived[0].reason.contains("exclusion constraint"), "{archive:?}");
    assert_eq!(archive_tables(&db), "", "nothing is left in the archive");
}
