//! Managing the archive (issue 18, item 4) on a real PostgreSQL: `list_archives` says what each version's
//! archive holds now, `prune_archive` drops it in one transaction and leaves every later read consistent
//! (`RESTORE_NOT_AVAILABLE`), and dropping the archive by hand breaks nothing but the restores.
mod common;

use common::*;
use pg_rollback_db::{
    catalog_snapshot, compare_snapshots, execute_rollback, get_rollback, list_archives, prune_archive, ExecuteOptions,
    PruneSelection, VersionArchive, ROLLBACK_PLAN_SQL,
};

fn version(v: &str) -> PruneSelection {
    PruneSelection { version: Some(v.into()), ..Default::default() }
}

fn archive_tables(db: &testpg::Database) -> String {
    one(
        db,
        "SELECT coalesce(string_agg(n.nspname || '.' || c.relname, ',' ORDER BY n.nspname, c.relname), '')
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname LIKE 'pgrollback%' AND c.relkind = 'r';",
    )
}

fn schema_exists(db: &testpg::Database, schema: &str) -> bool {
    one(db, &format!("SELECT count(*) FROM pg_namespace WHERE nspname = {};", lit(schema))) == "1"
}

fn by_version<'a>(list: &'a [VersionArchive], v: &str) -> &'a VersionArchive {
    list.iter().find(|a| a.version == v).unwrap_or_else(|| panic!("{v} not listed: {list:#?}"))
}

/// Two quoted tables with rows, a third version that archives nothing.
const SHOP: &str = r#"
CREATE SCHEMA "My Shop";
CREATE TABLE "My Shop"."Order" (id int PRIMARY KEY, "Note" text, qty text NOT NULL);
INSERT INTO "My Shop"."Order" SELECT g, 'note ' || g, (g * 3)::text FROM generate_series(1, 40) g;
CREATE TABLE people (id int PRIMARY KEY, nick text);
INSERT INTO people SELECT g, 'p' || g FROM generate_series(1, 7) g;
"#;

async fn shop(prefix: &str) -> testpg::Database {
    let db = database(prefix, SHOP);
    apply(&db, "1.1", r#"ALTER TABLE "My Shop"."Order" DROP COLUMN "Note";"#).await;
    apply(&db, "1.2", r#"ALTER TABLE "My Shop"."Order" ALTER COLUMN qty TYPE int USING qty::int;"#).await;
    apply(&db, "1.3", "CREATE INDEX people_nick ON people (nick);").await;
    apply(&db, "1.4", "ALTER TABLE people DROP COLUMN nick;").await;
    db
}

#[tokio::test]
async fn list_says_per_version_what_is_kept_its_size_now_and_whether_it_restores() {
    let db = shop("archive_list").await;
    let list = list_archives(db.url()).await.unwrap();
    assert_eq!(list.iter().map(|a| a.version.as_str()).collect::<Vec<_>>(), ["1.1", "1.2", "1.4"], "{list:#?}");
    let note = by_version(&list, "1.1");
    assert_eq!(note.migration_file, "1.1.sql");
    assert_eq!(note.objects.len(), 1);
    let o = &note.objects[0];
    assert_eq!(o.table, r#"pgrollback_archive."1.1/1""#);
    assert_eq!(o.kind, "DROP COLUMN");
    assert_eq!(o.source, r#""My Shop"."Order"."Note""#);
    assert_eq!((o.rows, o.exists), (40, true));
    let measured: i64 = one(&db, r#"SELECT pg_total_relation_size('pgrollback_archive."1.1/1"');"#).parse().unwrap();
    assert_eq!(o.bytes, measured);
    assert!(measured > 0);
    assert_eq!((note.rows, note.bytes, note.restorable, note.rolled_back), (40, measured, true, false));
    assert!(note.age_ms >= 0 && note.age_ms < 600_000, "{}", note.age_ms);
    assert!(note.applied_at.ends_with('Z'), "{}", note.applied_at);
    assert_eq!(by_version(&list, "1.2").objects[0].kind, "ALTER COLUMN TYPE");
    assert_eq!(by_version(&list, "1.4").rows, 7);
}

#[tokio::test]
async fn prune_of_a_version_drops_its_tables_only_and_its_restore_is_then_not_available() {
    let db = shop("archive_prune_version").await;
    let pruned = prune_archive(db.url(), &version("1.1")).await.unwrap();
    assert_eq!(pruned.len(), 1, "{pruned:#?}");
    assert_eq!(pruned[0].version, "1.1");
    assert_eq!(pruned[0].dropped, [r#"pgrollback_archive."1.1/1""#]);
    assert_eq!(pruned[0].rows, 40);
    assert!(pruned[0].bytes > 0);
    assert!(pruned[0].missing.is_empty() && pruned[0].left_alone.is_empty());
    assert_eq!(archive_tables(&db), "pgrollback_archive.1.2/1,pgrollback_archive.1.4/1");

    // Every later read agrees: not listed, no restore script, the record says why, the restore refuses.
    let list = list_archives(db.url()).await.unwrap();
    assert_eq!(list.iter().map(|a| a.version.as_str()).collect::<Vec<_>>(), ["1.2", "1.4"]);
    let row = get_rollback(db.url(), "1.1").await.unwrap();
    assert_eq!(row.restore_script, None);
    let record = row.archive.unwrap();
    assert!(record.objects.is_empty() && record.rows == 0 && record.bytes == 0, "{record:#?}");
    let why = record.restore_unavailable.unwrap();
    assert!(why.starts_with("its archive was pruned on ") && why.contains(r#"pgrollback_archive."1.1/1""#), "{why}");
    let (schema, meta) = (catalog_snapshot(db.url()).await.unwrap(), metadata(&db));
    let e = execute_rollback(db.url(), "1.1", &restoring()).await.unwrap_err();
    assert_eq!(e.code().as_str(), "RESTORE_NOT_AVAILABLE", "{e}");
    assert!(e.to_string().contains("pruned on"), "{e}");
    assert!(compare_snapshots(&schema, &catalog_snapshot(db.url()).await.unwrap()).is_empty());
    assert_eq!(metadata(&db), meta);
    // Pruning it again finds nothing.
    assert!(prune_archive(db.url(), &version("1.1")).await.unwrap().is_empty());

    // The others still restore, with their data.
    execute_rollback(db.url(), "1.4", &restoring()).await.unwrap();
    assert_eq!(one(&db, "SELECT string_agg(nick, ',' ORDER BY id) FROM people;"), "p1,p2,p3,p4,p5,p6,p7");
    // A restored version is no longer listed; applied again, its new archive is (once).
    let versions = |list: Vec<VersionArchive>| list.into_iter().map(|a| a.version).collect::<Vec<_>>();
    assert_eq!(versions(list_archives(db.url()).await.unwrap()), ["1.2"]);
    apply(&db, "1.4", "ALTER TABLE people DROP COLUMN nick;").await;
    let list = list_archives(db.url()).await.unwrap();
    assert_eq!(by_version(&list, "1.4").rows, 7);
    assert_eq!(versions(list), ["1.2", "1.4"]);
}

#[tokio::test]
async fn prune_older_than_takes_the_old_versions_and_the_last_one_takes_the_schema() {
    let db = shop("archive_prune_age").await;
    db.run("UPDATE schema_versions SET applied_at = applied_at - interval '40 days' WHERE version IN ('1.1', '1.2');")
        .unwrap();
    let thirty_days = 30 * 24 * 3600 * 1000;
    let old = PruneSelection { older_than_ms: Some(thirty_days), ..Default::default() };
    let pruned = prune_archive(db.url(), &old).await.unwrap();
    assert_eq!(pruned.iter().map(|p| p.version.as_str()).collect::<Vec<_>>(), ["1.1", "1.2"]);
    assert!(pruned.iter().all(|p| p.age_ms > thirty_days));
    assert_eq!(archive_tables(&db), "pgrollback_archive.1.4/1");
    assert!(schema_exists(&db, "pgrollback_archive"));
    // Both selectors: that version, if it is that old (1.4 is not).
    let both = PruneSelection { version: Some("1.4".into()), older_than_ms: Some(thirty_days), dry_run: false };
    assert!(prune_archive(db.url(), &both).await.unwrap().is_empty());
    let pruned =
        prune_archive(db.url(), &PruneSelection { older_than_ms: Some(0), ..Default::default() }).await.unwrap();
    assert_eq!(pruned.iter().map(|p| p.version.as_str()).collect::<Vec<_>>(), ["1.4"]);
    assert_eq!(archive_tables(&db), "");
    assert!(!schema_exists(&db, "pgrollback_archive"), "the empty archive schema goes with its last table");
    assert!(list_archives(db.url()).await.unwrap().is_empty());
}

#[tokio::test]
async fn dry_run_and_refusals_change_nothing() {
    let db = shop("archive_prune_refusals").await;
    let (tables, meta) = (archive_tables(&db), metadata(&db));
    let preview = prune_archive(db.url(), &PruneSelection { dry_run: true, ..version("1.2") }).await.unwrap();
    assert_eq!(preview.len(), 1);
    assert_eq!(preview[0].dropped, [r#"pgrollback_archive."1.2/1""#]);
    assert_eq!(preview[0].rows, 40);
    let e = prune_archive(db.url(), &PruneSelection::default()).await.unwrap_err();
    assert_eq!(e.code().as_str(), "INVALID_ARGUMENT", "{e}");
    let e = prune_archive(db.url(), &version("9.9")).await.unwrap_err();
    assert_eq!(e.code().as_str(), "VERSION_NOT_FOUND", "{e}");
    let e =
        prune_archive(db.url(), &PruneSelection { older_than_ms: Some(-1), ..Default::default() }).await.unwrap_err();
    assert_eq!(e.code().as_str(), "INVALID_ARGUMENT", "{e}");
    // A version that archived nothing: nothing to prune.
    assert!(prune_archive(db.url(), &version("1.3")).await.unwrap().is_empty());
    assert_eq!((archive_tables(&db), metadata(&db)), (tables, meta));
}

#[tokio::test]
async fn a_prune_that_fails_changes_nothing() {
    let db = shop("archive_prune_fails").await;
    // Something of the user's depends on an archive table: its DROP fails, and the whole prune with it.
    db.run(r#"CREATE VIEW peek AS SELECT * FROM pgrollback_archive."1.4/1";"#).unwrap();
    let (tables, meta) = (archive_tables(&db), metadata(&db));
    let e =
        prune_archive(db.url(), &PruneSelection { older_than_ms: Some(0), ..Default::default() }).await.unwrap_err();
    assert_eq!(e.code().as_str(), "DATABASE_ERROR", "{e}");
    assert!(
        e.to_string().contains(r#"pgrollback_archive."1.4/1""#) && e.to_string().contains("Nothing was changed"),
        "{e}"
    );
    assert_eq!((archive_tables(&db), metadata(&db)), (tables, meta));
}

#[tokio::test]
async fn an_archive_dropped_by_hand_breaks_only_the_restores() {
    let db = shop("archive_by_hand").await;
    db.run("DROP SCHEMA pgrollback_archive CASCADE;").unwrap();
    let list = list_archives(db.url()).await.unwrap();
    assert_eq!(list.len(), 3);
    for a in &list {
        assert!(!a.restorable && a.bytes == 0 && a.objects.iter().all(|o| !o.exists && o.bytes == 0), "{a:#?}");
    }
    let e = execute_rollback(db.url(), "1.1", &restoring()).await.unwrap_err();
    assert_eq!(e.code().as_str(), "ARCHIVE_MISSING", "{e}");
    // Migrations, rollbacks and prune still work.
    apply(&db, "1.5", "ALTER TABLE people ADD COLUMN email text;").await;
    execute_rollback(db.url(), "1.5", &ExecuteOptions::default()).await.unwrap();
    let pruned = prune_archive(db.url(), &version("1.1")).await.unwrap();
    assert_eq!(pruned[0].missing, [r#"pgrollback_archive."1.1/1""#]);
    assert!(pruned[0].dropped.is_empty());
    let e = execute_rollback(db.url(), "1.1", &restoring()).await.unwrap_err();
    assert_eq!(e.code().as_str(), "RESTORE_NOT_AVAILABLE", "{e}");
    assert_eq!(list_archives(db.url()).await.unwrap().len(), 2);
}

#[tokio::test]
async fn prune_drops_what_the_record_names_in_any_archive_schema_and_never_a_user_table() {
    // A kind that moves a table into a schema of its own (DROP TABLE), recorded as it would be; and a record
    // naming a user's table, which pruning must leave alone.
    let db = database(
        "archive_prune_moved",
        r#"CREATE SCHEMA "pgrollback_archive 1.1";
           CREATE TABLE "pgrollback_archive 1.1".gone (id int PRIMARY KEY, v text);
           INSERT INTO "pgrollback_archive 1.1".gone VALUES (1, 'a'), (2, 'b');
           CREATE SEQUENCE "pgrollback_archive 1.1".gone_seq OWNED BY "pgrollback_archive 1.1".gone.id;
           CREATE TABLE keep_me (id int);
           CREATE TABLE "Kept Here" (id int);
           COMMENT ON TABLE "Kept Here" IS 'pg-rollback archive of migration 1.1, statement 3 (line 3): DROP TABLE t';"#,
    );
    let record = r#"{"objects": [
        {"table": "\"pgrollback_archive 1.1\".gone", "statementIndex": 0, "kind": "DROP TABLE", "source": "public.gone", "rows": 2, "bytes": 8192},
        {"table": "public.keep_me", "statementIndex": 1, "kind": "DROP TABLE", "source": "public.keep_me", "rows": 0, "bytes": 0},
        {"table": "public.\"Kept Here\"", "statementIndex": 2, "kind": "DROP TABLE", "source": "public.t", "rows": 0, "bytes": 0}],
        "rows": 2, "bytes": 8192, "notArchived": [], "restoreUnavailable": null}"#;
    db.run(&format!(
        "INSERT INTO schema_versions (version, migration_file, rollback_safe, restore_script, archive)
         VALUES ('1.1', 'm.sql', false, 'SELECT 1;', {}::jsonb);",
        lit(record)
    ))
    .unwrap();
    let list = list_archives(db.url()).await.unwrap();
    assert_eq!(list[0].objects[0].kind, "DROP TABLE");
    assert!(list[0].objects[0].exists && list[0].restorable);
    let pruned = prune_archive(db.url(), &version("1.1")).await.unwrap();
    // An archive table outside the archive's schemas is known by its comment.
    assert_eq!(pruned[0].dropped, [r#""pgrollback_archive 1.1".gone"#, r#"public."Kept Here""#]);
    assert_eq!(pruned[0].left_alone, ["public.keep_me"]);
    assert!(!schema_exists(&db, "pgrollback_archive 1.1"), "its own schema goes once empty");
    assert_eq!(one(&db, "SELECT to_regclass('public.keep_me') IS NOT NULL;"), "t");
}

#[tokio::test]
async fn without_the_archive_columns_list_is_empty() {
    let db = prepared("archive_list_old");
    db.run(ROLLBACK_PLAN_SQL).unwrap();
    assert!(list_archives(db.url()).await.unwrap().is_empty());
    assert!(prune_archive(db.url(), &PruneSelection { older_than_ms: Some(0), ..Default::default() })
        .await
        .unwrap()
        .is_empty());
}
