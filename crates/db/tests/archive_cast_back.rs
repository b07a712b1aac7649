//! Type changes whose restore has no cast back (issue 18; corpus: lemmy 0141 `smallint` -> enum, inbox-zero 0010
//! and latitude-llm 0024 one enum (array) to another): the restore changes the type back from NULL and takes
//! every value from the archive; rows inserted since with a value refuse it (`RESTORE_CONFLICT`, nothing
//! changed). Oracle: the catalog snapshot equals the one from before, every row equals the one from before.
mod common;

use common::*;
use pg_rollback_db::{catalog_snapshot, compare_snapshots, execute_rollback, restore_preview, ExecuteManyOptions};

async fn assert_schema_back(db: &testpg::Database, before: &pg_rollback_db::Snapshot) {
    let diff = compare_snapshots(before, &catalog_snapshot(db.url()).await.unwrap());
    assert!(diff.is_empty(), "schema differs from before the migration:\n{diff:#?}");
}

fn one_version(version: &str) -> ExecuteManyOptions {
    ExecuteManyOptions { version: Some(version.into()), restore_data: true, ..Default::default() }
}

/// lemmy 0141's shape: a `smallint` NOT NULL with a default becomes an enum (`USING CASE`), the default dropped
/// and set around it; `sort_type_enum` has no cast to `smallint`.
const LEMMY: &str = r#"
CREATE TABLE local_user (id serial PRIMARY KEY, name text NOT NULL,
    default_sort_type smallint NOT NULL DEFAULT 0, default_listing_type smallint);
CREATE INDEX by_sort ON local_user (default_sort_type);
INSERT INTO local_user (name, default_sort_type, default_listing_type)
    SELECT 'u' || g, g % 3, CASE WHEN g % 4 = 0 THEN NULL ELSE g % 2 END FROM generate_series(1, 40) g;
"#;

const LEMMY_MIGRATION: &str = r#"
CREATE TYPE sort_type_enum AS ENUM ('Active', 'Hot', 'New');
ALTER TABLE local_user ALTER COLUMN default_sort_type DROP DEFAULT;
ALTER TABLE local_user
    ALTER COLUMN default_sort_type TYPE sort_type_enum
    USING CASE default_sort_type WHEN 0 THEN 'Active' WHEN 1 THEN 'Hot' WHEN 2 THEN 'New' END::sort_type_enum;
ALTER TABLE local_user ALTER COLUMN default_sort_type SET DEFAULT 'Active';
CREATE TYPE listing_type_enum AS ENUM ('All', 'Local');
ALTER TABLE local_user ALTER COLUMN default_listing_type TYPE listing_type_enum
    USING CASE default_listing_type WHEN 0 THEN 'All' WHEN 1 THEN 'Local' END::listing_type_enum;
"#;

const LEMMY_ROWS: &str = "SELECT id, name, default_sort_type, default_listing_type FROM local_user ORDER BY id;";

#[tokio::test]
async fn an_enum_made_from_smallint_goes_back_to_smallint_with_every_value() {
    let db = database("cast_back_lemmy", LEMMY);
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows = db.query(LEMMY_ROWS).unwrap();
    let stored = apply(&db, "1.1", LEMMY_MIGRATION).await;
    let script = stored.restore_script.clone().unwrap_or_else(|| panic!("no restore: {:?}", stored.archive));
    assert!(script.contains("USING NULL::smallint"), "{script}");
    assert!(!script.contains("default_sort_type::smallint"), "{script}");
    // Updated since: gets the archived value back.
    db.run("UPDATE local_user SET default_sort_type = 'New' WHERE id = 1;").unwrap();
    let p = restore_preview(db.url(), &one_version("1.1")).await.unwrap();
    assert!(p.refusals.is_empty(), "{:?}", p.refusals);
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(&db, &before).await;
    assert_eq!(db.query(LEMMY_ROWS).unwrap(), rows);
}

#[tokio::test]
async fn rows_inserted_since_with_a_value_refuse_the_restore_and_change_nothing() {
    let db = database("cast_back_since", LEMMY);
    let before = catalog_snapshot(db.url()).await.unwrap();
    apply(&db, "1.1", LEMMY_MIGRATION).await;
    // A nullable column's row since without a value is no conflict; one with a value is.
    db.run("INSERT INTO local_user (name, default_listing_type) VALUES ('new', NULL), ('newer', 'All');").unwrap();
    let rows = db.query(LEMMY_ROWS).unwrap();
    let p = restore_preview(db.url(), &one_version("1.1")).await.unwrap();
    let conflicts: Vec<&String> = p.versions[0].objects.iter().flat_map(|o| &o.conflicts).collect();
    assert_eq!(conflicts.len(), 2, "{conflicts:?}");
    assert!(conflicts.iter().any(|c| c.starts_with("2 rows of public.local_user inserted since")), "{conflicts:?}");
    assert!(conflicts.iter().any(|c| c.starts_with("1 row of public.local_user inserted since")), "{conflicts:?}");
    let e = refused_unchanged(&db, "1.1", "RESTORE_CONFLICT").await;
    assert!(
        e.contains(
            "1 row(s) of public.local_user inserted since the migration have a value in default_listing_type that \
             cannot be changed back to smallint"
        ),
        "{e}"
    );
    assert_eq!(db.query(LEMMY_ROWS).unwrap(), rows);
    // Without them it restores.
    db.run("DELETE FROM local_user WHERE name IN ('new', 'newer');").unwrap();
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(&db, &before).await;
}

/// inbox-zero 0010's migration as it is: one enum replaced by another (a column and an array column), the old
/// type dropped; neither enum casts to the other.
const INBOX: &str = r#"
CREATE TYPE "ActionType" AS ENUM ('ARCHIVE', 'LABEL', 'REPLY', 'SUMMARIZE', 'SEND_EMAIL');
CREATE TABLE "Action" (id text PRIMARY KEY, "type" "ActionType" NOT NULL);
CREATE TABLE "ExecutedRule" (id text PRIMARY KEY, actions "ActionType"[]);
INSERT INTO "Action" SELECT 'a' || g, (ARRAY['ARCHIVE', 'LABEL', 'REPLY'])[g % 3 + 1]::"ActionType" FROM generate_series(1, 30) g;
INSERT INTO "ExecutedRule" SELECT 'e' || g, CASE WHEN g % 5 = 0 THEN NULL
    ELSE (ARRAY['ARCHIVE', 'LABEL', 'REPLY'])[1:g % 3 + 1]::"ActionType"[] END FROM generate_series(1, 30) g;
"#;

const INBOX_MIGRATION: &str = r#"
CREATE TYPE "ActionType_new" AS ENUM ('ARCHIVE', 'LABEL', 'REPLY', 'SEND_EMAIL', 'FORWARD');
ALTER TABLE "Action" ALTER COLUMN "type" TYPE "ActionType_new" USING ("type"::text::"ActionType_new");
ALTER TABLE "ExecutedRule" ALTER COLUMN "actions" TYPE "ActionType_new"[] USING ("actions"::text::"ActionType_new"[]);
ALTER TYPE "ActionType" RENAME TO "ActionType_old";
ALTER TYPE "ActionType_new" RENAME TO "ActionType";
DROP TYPE "ActionType_old";
"#;

const INBOX_ROWS: &str = r#"SELECT a.id, a."type", e.actions FROM "Action" a JOIN "ExecutedRule" e ON substr(e.id, 2) = substr(a.id, 2) ORDER BY a.id;"#;

#[tokio::test]
async fn an_enum_and_an_enum_array_replaced_by_another_enum_come_back() {
    let db = database("cast_back_inbox", INBOX);
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows = db.query(INBOX_ROWS).unwrap();
    let stored = apply(&db, "1.1", INBOX_MIGRATION).await;
    let script = stored.restore_script.clone().unwrap_or_else(|| panic!("no restore: {:?}", stored.archive));
    assert!(script.contains(r#"USING NULL::public."ActionType"[]"#), "{script}");
    db.run(r#"UPDATE "Action" SET "type" = 'FORWARD' WHERE id = 'a1';"#).unwrap();
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(&db, &before).await;
    assert_eq!(db.query(INBOX_ROWS).unwrap(), rows);
}

#[tokio::test]
async fn latitudes_enum_moved_to_another_schema_comes_back() {
    let db = database(
        "cast_back_latitude",
        r#"CREATE SCHEMA latitude;
           CREATE TYPE public.provider AS ENUM ('openai', 'anthropic');
           CREATE TYPE latitude.provider AS ENUM ('openai', 'anthropic', 'groq');
           CREATE TABLE latitude.provider_api_keys (id bigserial PRIMARY KEY, provider public.provider NOT NULL);
           INSERT INTO latitude.provider_api_keys (provider) SELECT (ARRAY['openai', 'anthropic'])[g % 2 + 1]::public.provider FROM generate_series(1, 9) g;"#,
    );
    let before = catalog_snapshot(db.url()).await.unwrap();
    let rows_sql = "SELECT id, provider FROM latitude.provider_api_keys ORDER BY id;";
    let rows = db.query(rows_sql).unwrap();
    let migration = r#"ALTER TABLE "latitude"."provider_api_keys"
  ALTER COLUMN "provider"
  SET DATA TYPE "latitude"."provider"
  USING "provider"::text::"latitude"."provider";

DROP TYPE "public"."provider";"#;
    let stored = apply(&db, "1.1", migration).await;
    assert!(stored.restore_script.is_some(), "{:?}", stored.archive);
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_back(&db, &before).await;
    assert_eq!(db.query(rows_sql).unwrap(), rows);
}

#[tokio::test]
async fn a_column_that_cannot_be_null_for_a_moment_is_not_kept_and_says_why() {
    let db = database(
        "cast_back_refused",
        r#"CREATE TYPE kind AS ENUM ('a', 'b');
           CREATE DOMAIN small_kind AS smallint NOT NULL;
           CREATE TABLE keyed (code smallint PRIMARY KEY, id int NOT NULL UNIQUE);
           CREATE TABLE domained (id int PRIMARY KEY, k small_kind);
           INSERT INTO keyed VALUES (0, 1), (1, 2); INSERT INTO domained VALUES (1, 0), (2, 1);"#,
    );
    let cases = [
        (
            "ALTER TABLE keyed ALTER COLUMN code TYPE kind USING (CASE code WHEN 0 THEN 'a' ELSE 'b' END)::kind;",
            "primary key",
        ),
        ("ALTER TABLE domained ALTER COLUMN k TYPE kind USING (CASE k WHEN 0 THEN 'a' ELSE 'b' END)::kind;", "domain"),
    ];
    for (i, (sql, why)) in cases.iter().enumerate() {
        let stored = apply(&db, &format!("1.{i}"), sql).await;
        assert_eq!(stored.restore_script, None, "{sql}");
        let archive = stored.archive.unwrap();
        let reason = &archive.not_archived[0].reason;
        assert!(reason.contains("no cast from the new type back") && reason.contains(why), "{sql}: {reason}");
    }
}
