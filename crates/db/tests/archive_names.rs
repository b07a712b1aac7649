//! Restore refusals name tables whose names hold `%` (a `format()` template character): the message says the
//! name as it is, and the refusal stays a `RESTORE_CONFLICT` that changes nothing.
mod common;

use common::*;

const SETUP: &str = r#"
CREATE SCHEMA "100%s";
CREATE TABLE "100%s"."50% off" (id int PRIMARY KEY, "%d" text NOT NULL, k int);
INSERT INTO "100%s"."50% off" SELECT g, 'v' || g, g FROM generate_series(1, 5) g;
"#;

/// The restore is refused with `message` in its error, and nothing changed.
async fn refused(db: &testpg::Database, version: &str, message: &str) {
    let e = refused_unchanged(db, version, "RESTORE_CONFLICT").await;
    assert!(e.contains(message), "{e}");
}

#[tokio::test]
async fn a_not_null_column_refusal_names_a_table_with_percent_signs() {
    let db = database("names_not_null", SETUP);
    apply(&db, "1.1", r#"ALTER TABLE "100%s"."50% off" DROP COLUMN "%d";"#).await;
    db.run(r#"INSERT INTO "100%s"."50% off" VALUES (6, 6), (7, 7);"#).unwrap();
    refused(
        &db,
        "1.1",
        r#"2 row(s) of "100%s"."50% off" were inserted since the migration, and its column "%d" is NOT NULL"#,
    )
    .await;
}

#[tokio::test]
async fn a_name_taken_again_names_a_table_with_percent_signs() {
    let db = database("names_taken", SETUP);
    apply(&db, "1.1", r#"DROP TABLE "100%s"."50% off";"#).await;
    db.run(r#"CREATE TABLE "100%s"."50% off" (x int);"#).unwrap();
    refused(&db, "1.1", r#"the name "100%s"."50% off" was taken again since the migration (2 object(s))"#).await;
}
