//! The archive (issue 18) for enum `ADD VALUE` on a real PostgreSQL with seeded rows: nothing is kept at apply;
//! `restore_data` recreates the type without the value and moves its users over. Oracle: the catalog snapshot
//! and `pg_dump --schema-only` equal the ones from before the migration AND every row equals the one from before;
//! a refusal changes nothing.
mod common;

use common::*;
use pg_rollback_db::{catalog_snapshot, compare_snapshots, execute_rollback, get_rollback, ExecuteOptions};

/// The schema as the catalog snapshot and pg_dump see it.
struct Schema {
    snapshot: pg_rollback_db::Snapshot,
    dump: String,
}

async fn schema(db: &testpg::Database) -> Schema {
    Schema { snapshot: catalog_snapshot(db.url()).await.unwrap(), dump: db.schema_dump().unwrap() }
}

async fn assert_schema_is(db: &testpg::Database, expected: &Schema) {
    let now = schema(db).await;
    let diff = compare_snapshots(&expected.snapshot, &now.snapshot);
    assert!(diff.is_empty(), "catalog snapshot differs:\n{diff:#?}");
    assert_same_schema(&expected.dump, &now.dump);
}

fn labels(db: &testpg::Database, type_name: &str) -> String {
    one(
        db,
        &format!(
            "SELECT array_agg(enumlabel ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = {}::regtype;",
            lit(type_name)
        ),
    )
}

/// A mixed-case schema, type and labels; owner, comment and grants on the type; a table with a default, an
/// index, a CHECK and a UNIQUE on the enum column, an array column, and a composite type attribute.
const SHOP: &str = r#"
DO $$ BEGIN CREATE ROLE enum_owner; EXCEPTION WHEN OTHERS THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE enum_reader; EXCEPTION WHEN OTHERS THEN NULL; END $$;
CREATE SCHEMA "My Shop";
CREATE TYPE "My Shop"."Mood" AS ENUM ('ok', 'It''s "fine"', 'Great');
ALTER TYPE "My Shop"."Mood" OWNER TO enum_owner;
COMMENT ON TYPE "My Shop"."Mood" IS 'how it''s going';
REVOKE USAGE ON TYPE "My Shop"."Mood" FROM PUBLIC;
GRANT USAGE ON TYPE "My Shop"."Mood" TO enum_reader;
CREATE TABLE "My Shop"."Order" (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "Mood" "My Shop"."Mood" NOT NULL DEFAULT 'ok' CHECK ("Mood" IS NOT NULL),
    history "My Shop"."Mood"[] DEFAULT '{}',
    note text NOT NULL,
    UNIQUE (note, "Mood")
);
CREATE INDEX "Order by mood" ON "My Shop"."Order" ("Mood") WHERE note IS NOT NULL;
ALTER TABLE "My Shop"."Order" ALTER COLUMN "Mood" SET STATISTICS 300;
COMMENT ON INDEX "My Shop"."Order by mood" IS 'by mood';
COMMENT ON COLUMN "My Shop"."Order"."Mood" IS 'the mood';
ALTER TABLE "My Shop"."Order" ADD CONSTRAINT "Mood known" CHECK ("Mood"::text <> '');
COMMENT ON CONSTRAINT "Mood known" ON "My Shop"."Order" IS 'known';
GRANT SELECT ("Mood") ON "My Shop"."Order" TO enum_reader;
ALTER TABLE "My Shop"."Order" REPLICA IDENTITY USING INDEX "Order_note_Mood_key";
CREATE TYPE "My Shop".pair AS (m "My Shop"."Mood", n int);
INSERT INTO "My Shop"."Order" ("Mood", history, note)
SELECT (ARRAY['ok', 'It''s "fine"', 'Great']::"My Shop"."Mood"[])[1 + g % 3],
       CASE WHEN g % 5 = 0 THEN NULL ELSE ARRAY['Great', 'ok']::"My Shop"."Mood"[] END, 'n' || g
  FROM generate_series(1, 300) g;
"#;

const SHOP_ROWS: &str = r#"SELECT id, "Mood", history, note FROM "My Shop"."Order" ORDER BY id;"#;

#[tokio::test]
async fn values_added_at_the_end_before_and_after_are_removed_and_the_type_comes_back_exactly() {
    let db = database("enum_add_value", SHOP);
    let before = schema(&db).await;
    let rows = db.query(SHOP_ROWS).unwrap();
    let stored = apply(
        &db,
        "1.1",
        r#"ALTER TYPE "My Shop"."Mood" ADD VALUE 'So-so';
           ALTER TYPE "My Shop"."Mood" ADD VALUE 'Bad' BEFORE 'ok';
           ALTER TYPE "My Shop"."Mood" ADD VALUE IF NOT EXISTS 'Great!' AFTER 'Great';"#,
    )
    .await;
    // Spec Test 5: ADD VALUE keeps its NULL script; the restore is stored beside it.
    assert!(!stored.rollback_safe);
    assert_eq!(stored.rollback_script, None);
    let restore = stored.restore_script.clone().expect("a restore script");
    assert!(restore.contains("CREATE TYPE \"My Shop\".\"Mood\" AS ENUM"), "{restore}");
    assert_eq!(stored.archive.as_ref().unwrap().objects, vec![], "nothing is copied");
    assert_eq!(labels(&db, r#""My Shop"."Mood""#), r#"{Bad,ok,"It's \"fine\"",Great,Great!,So-so}"#);
    assert_eq!(get_rollback(db.url(), "1.1").await.unwrap().restore_script, stored.restore_script);

    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_is(&db, &before).await;
    assert_eq!(db.query(SHOP_ROWS).unwrap(), rows);
    assert_eq!(one(&db, "SELECT count(*) FROM pg_type WHERE typname LIKE '%pgrollback_enum%';"), "0");
    // The statistics target and the index survive the move; the recreated type works.
    assert_eq!(
        one(
            &db,
            r#"SELECT attstattarget FROM pg_attribute WHERE attrelid = '"My Shop"."Order"'::regclass AND attname = 'Mood';"#
        ),
        "300"
    );
    db.run(r#"INSERT INTO "My Shop"."Order" (note) VALUES ('new');"#).unwrap();
    assert_eq!(one(&db, r#"SELECT "Mood" FROM "My Shop"."Order" WHERE note = 'new';"#), "ok");
}

#[tokio::test]
async fn a_value_used_since_by_a_row_an_array_or_a_default_refuses_and_changes_nothing() {
    let db = database("enum_used_since", SHOP);
    let before = schema(&db).await;
    let rows = db.query(SHOP_ROWS).unwrap();
    apply(&db, "1.1", r#"ALTER TYPE "My Shop"."Mood" ADD VALUE 'So-so' BEFORE 'Great';"#).await;
    let refused = |what: &'static str| {
        let db = &db;
        async move {
            let after = schema(db).await;
            let meta = metadata(db);
            let e = execute_rollback(db.url(), "1.1", &restoring()).await.unwrap_err();
            assert_eq!(e.code().as_str(), "RESTORE_CONFLICT", "{what}: {e}");
            assert_schema_is(db, &after).await;
            assert_eq!(metadata(db), meta, "{what}: nothing recorded");
            e.to_string()
        }
    };
    db.run(
        r#"INSERT INTO "My Shop"."Order" ("Mood", note) SELECT 'So-so', 'since ' || g FROM generate_series(1, 3) g;"#,
    )
    .unwrap();
    let e = refused("a row").await;
    assert!(e.contains(r#"rows of "My Shop"."Order" using it in "Mood": 3"#), "{e}");
    db.run(
        r#"DELETE FROM "My Shop"."Order" WHERE note LIKE 'since%';
              INSERT INTO "My Shop"."Order" (history, note) VALUES ('{ok,So-so}', 'since');"#,
    )
    .unwrap();
    let e = refused("an array element").await;
    assert!(e.contains(r#"rows of "My Shop"."Order" using it in history: 1"#), "{e}");
    db.run(
        r#"DELETE FROM "My Shop"."Order" WHERE note = 'since';
              ALTER TABLE "My Shop"."Order" ALTER COLUMN "Mood" SET DEFAULT 'So-so';"#,
    )
    .unwrap();
    let e = refused("a default").await;
    assert!(e.contains(r#"the default of "My Shop"."Order"."Mood" changed since the migration"#), "{e}");
    // Once nothing uses it, the value goes.
    db.run(r#"ALTER TABLE "My Shop"."Order" ALTER COLUMN "Mood" SET DEFAULT 'ok';"#).unwrap();
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_is(&db, &before).await;
    assert_eq!(db.query(SHOP_ROWS).unwrap(), rows);
}

/// inbox-zero's `bump_rules_revision_from_action`: a trigger `UPDATE OF` the enum column, another whose `WHEN`
/// compares with a label, in a non-default state with a comment.
const TRIGGERED: &str = r#"
CREATE TYPE "Action Type" AS ENUM ('LABEL', 'ARCHIVE');
CREATE TABLE rules (id int PRIMARY KEY, revision int NOT NULL DEFAULT 0);
CREATE TABLE "Action" (id int PRIMARY KEY, rule_id int NOT NULL, type "Action Type" NOT NULL, label text);
CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN UPDATE rules SET revision = revision + 1 WHERE id = coalesce(NEW.rule_id, OLD.rule_id); RETURN NULL; END $$;
CREATE TRIGGER bump_rules_revision_from_action AFTER INSERT OR DELETE OR UPDATE OF type, label ON "Action"
    FOR EACH ROW EXECUTE FUNCTION bump();
CREATE TRIGGER "archived only" AFTER UPDATE ON "Action" FOR EACH ROW WHEN (NEW.type = 'ARCHIVE'::"Action Type")
    EXECUTE FUNCTION bump();
ALTER TABLE "Action" ENABLE ALWAYS TRIGGER "archived only";
COMMENT ON TRIGGER "archived only" ON "Action" IS 'archive bumps';
INSERT INTO rules SELECT g FROM generate_series(1, 5) g;
INSERT INTO "Action" SELECT g, g % 5 + 1, (ARRAY['LABEL', 'ARCHIVE']::"Action Type"[])[g % 2 + 1], 'l' || g
  FROM generate_series(1, 30) g;
"#;

#[tokio::test]
async fn triggers_on_the_column_or_using_the_type_are_dropped_around_the_change_and_created_again() {
    let db = database("enum_triggers", TRIGGERED);
    let before = schema(&db).await;
    let rows = db.query(r#"SELECT * FROM "Action" ORDER BY id; SELECT * FROM rules ORDER BY id;"#).unwrap();
    let stored = apply(&db, "1.1", r#"ALTER TYPE "Action Type" ADD VALUE 'STAR';"#).await;
    assert!(stored.restore_script.is_some(), "{:?}", stored.archive);
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_is(&db, &before).await;
    assert_eq!(db.query(r#"SELECT * FROM "Action" ORDER BY id; SELECT * FROM rules ORDER BY id;"#).unwrap(), rows);
    // Both triggers work on the recreated type.
    let revision = |db: &testpg::Database| one(db, "SELECT revision FROM rules WHERE id = 3;").parse::<i32>().unwrap();
    let was = revision(&db);
    db.run(r#"UPDATE "Action" SET type = 'ARCHIVE' WHERE id = 2;"#).unwrap();
    assert_eq!(revision(&db), was + 2);
}

#[tokio::test]
async fn a_trigger_changed_since_the_migration_refuses_and_changes_nothing() {
    let db = database("enum_triggers_since", TRIGGERED);
    apply(&db, "1.1", r#"ALTER TYPE "Action Type" ADD VALUE 'STAR';"#).await;
    db.run(r#"ALTER TABLE "Action" DISABLE TRIGGER bump_rules_revision_from_action;"#).unwrap();
    let after = schema(&db).await;
    let e = execute_rollback(db.url(), "1.1", &restoring()).await.unwrap_err();
    assert_eq!(e.code().as_str(), "RESTORE_CONFLICT", "{e}");
    assert!(
        e.to_string()
            .contains(r#"trigger bump_rules_revision_from_action on public."Action" changed since the migration"#),
        "{e}"
    );
    assert_schema_is(&db, &after).await;
    db.run(r#"DROP TRIGGER "archived only" ON "Action";"#).unwrap();
    db.run(r#"ALTER TABLE "Action" ENABLE TRIGGER bump_rules_revision_from_action;"#).unwrap();
    let e = execute_rollback(db.url(), "1.1", &restoring()).await.unwrap_err();
    assert!(e.to_string().contains(r#"trigger "archived only" on public."Action" changed since"#), "{e}");
}

#[tokio::test]
async fn labels_changed_since_the_migration_refuse() {
    let db = database("enum_labels_since", "CREATE SCHEMA app; CREATE TYPE app.state AS ENUM ('new', 'done');");
    apply(&db, "1.1", "SET search_path = app; ALTER TYPE state ADD VALUE 'late';").await;
    db.run("ALTER TYPE app.state ADD VALUE 'later';").unwrap();
    let e = execute_rollback(db.url(), "1.1", &restoring()).await.unwrap_err();
    assert_eq!(e.code().as_str(), "RESTORE_CONFLICT", "{e}");
    assert!(e.to_string().contains("the labels of app.state changed since the migration"), "{e}");
    assert_eq!(labels(&db, "app.state"), "{new,done,late,later}");
}

#[tokio::test]
async fn a_user_of_the_type_added_since_the_migration_fails_the_restore_whole() {
    let db = database("enum_new_user", "CREATE TYPE state AS ENUM ('new', 'done');");
    apply(&db, "1.1", "ALTER TYPE state ADD VALUE 'late';").await;
    db.run("CREATE TABLE later (s state); INSERT INTO later VALUES ('new');").unwrap();
    let after = schema(&db).await;
    let meta = metadata(&db);
    let e = execute_rollback(db.url(), "1.1", &restoring()).await.unwrap_err();
    assert_eq!(e.code().as_str(), "ROLLBACK_FAILED", "{e}");
    assert!(e.to_string().contains("depend"), "{e}");
    assert_schema_is(&db, &after).await;
    assert_eq!(metadata(&db), meta);
}

#[tokio::test]
async fn an_unused_type_in_its_own_schema_and_one_found_through_search_path() {
    let db = database(
        "enum_unused",
        r#"CREATE SCHEMA "Work Flow"; CREATE TYPE "Work Flow"."State" AS ENUM ('New', 'done');
           CREATE TABLE "Work Flow".task (id bigint PRIMARY KEY, s "Work Flow"."State");
           INSERT INTO "Work Flow".task SELECT g, CASE WHEN g % 2 = 0 THEN 'New'::"Work Flow"."State" END FROM generate_series(1, 40) g;
           -- Types created from now on get other privileges: the recreated one must not.
           DO $$ BEGIN CREATE ROLE enum_reader; EXCEPTION WHEN OTHERS THEN NULL; END $$;
           ALTER DEFAULT PRIVILEGES IN SCHEMA "Work Flow" GRANT USAGE ON TYPES TO enum_reader;
           ALTER DEFAULT PRIVILEGES REVOKE USAGE ON TYPES FROM PUBLIC;"#,
    );
    let before = schema(&db).await;
    let rows = db.query(r#"SELECT * FROM "Work Flow".task ORDER BY id;"#).unwrap();
    let stored =
        apply(&db, "1.1", "SET search_path = \"Work Flow\";\nALTER TYPE \"State\" ADD VALUE 'It''s late' AFTER 'New';")
            .await;
    assert!(stored.restore_script.is_some(), "{:?}", stored.archive);
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_is(&db, &before).await;
    assert_eq!(db.query(r#"SELECT * FROM "Work Flow".task ORDER BY id;"#).unwrap(), rows);
}

#[tokio::test]
async fn if_not_exists_of_a_value_that_existed_changes_nothing_and_needs_no_restore() {
    let db = database("enum_if_not_exists", "CREATE TYPE mood AS ENUM ('ok', 'great');");
    let stored = apply(&db, "1.1", "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'ok';").await;
    assert!(stored.rollback_safe, "{stored:?}");
    assert_eq!(stored.restore_script, None);
    assert_eq!(labels(&db, "mood"), "{ok,great}");
}

#[tokio::test]
async fn users_that_cannot_be_moved_over_exactly_are_refused_at_apply() {
    let db = database(
        "enum_refused",
        "CREATE TYPE d1 AS ENUM ('a'); CREATE DOMAIN d1_dom AS d1;
         CREATE TYPE r1 AS ENUM ('a'); CREATE FUNCTION r1_f(r1) RETURNS int LANGUAGE sql AS 'SELECT 1';
         CREATE TYPE v1 AS ENUM ('a'); CREATE TABLE v1_t (id int PRIMARY KEY, v v1); CREATE VIEW v1_v AS SELECT v FROM v1_t;
         CREATE TYPE p1 AS ENUM ('a'); CREATE TABLE p1_t (id int, v p1) PARTITION BY LIST (v);
         CREATE TYPE i1 AS ENUM ('a', 'b'); CREATE TABLE i1_t (id int PRIMARY KEY, v i1);
         CREATE INDEX i1_i ON i1_t (id) WHERE v = 'b';
         CREATE TYPE e1 AS ENUM ('a'); CREATE TABLE e1_t (id int PRIMARY KEY, v e1, w text DEFAULT 'a'::e1::text);
         CREATE TYPE c1 AS ENUM ('a'); CREATE TYPE c1_pair AS (v c1); CREATE TABLE c1_t (id int PRIMARY KEY, p c1_pair);
         CREATE TYPE f1 AS ENUM ('a'); CREATE TABLE f1_p (v f1 PRIMARY KEY); CREATE TABLE f1_c (v f1 REFERENCES f1_p);
         CREATE TYPE g1 AS ENUM ('a'); CREATE TYPE g1_range AS RANGE (subtype = g1);
         CREATE TYPE m1 AS ENUM ('a'); CREATE TABLE m1_t (id int PRIMARY KEY, v m1);
         CREATE MATERIALIZED VIEW m1_v AS SELECT id FROM m1_t WHERE v IS NOT NULL;
         CREATE TYPE k1 AS ENUM ('a'); CREATE TABLE k1_t (id int PRIMARY KEY, v k1 CHECK (v <> 'a'));
         CREATE TYPE p2 AS ENUM ('a'); CREATE PROCEDURE p2_p(x p2) LANGUAGE sql AS 'SELECT 1';",
    );
    for (version, type_name, reason) in [
        ("1.1", "d1", "d1_dom"),
        ("1.2", "r1", "r1_f"),
        ("1.3", "v1", "view public.v1_v"),
        ("1.4", "p1", "partitioned table"),
        ("1.5", "i1", "i1_i"),
        ("1.6", "e1", "column w"),
        ("1.7", "c1", "composite type that something else uses"),
        ("1.8", "f1", "f1_c_v_fkey"),
        ("1.9", "g1", "g1_range"),
        ("1.10", "m1", "m1_v"),
        ("1.11", "k1", "k1_t_v_check"),
        ("1.12", "p2", "p2_p"),
    ] {
        let stored = apply(&db, version, &format!("ALTER TYPE {type_name} ADD VALUE 'z';")).await;
        let archive = stored.archive.clone().unwrap();
        assert_eq!(stored.restore_script, None, "{version}");
        assert!(archive.not_archived[0].reason.contains(reason), "{version}: {archive:?}");
        let e = execute_rollback(db.url(), version, &restoring()).await.unwrap_err();
        assert_eq!(e.code().as_str(), "RESTORE_NOT_AVAILABLE", "{e}");
    }
}

#[tokio::test]
async fn columns_added_by_the_same_migration_before_and_after_the_value() {
    let db = database(
        "enum_same_migration",
        "CREATE TYPE s AS ENUM ('a'); CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 10);",
    );
    let before = schema(&db).await;
    let rows = db.query("SELECT * FROM t ORDER BY id;").unwrap();
    let stored = apply(
        &db,
        "1.1",
        "ALTER TABLE t ADD COLUMN c s DEFAULT 'a';
         ALTER TYPE s ADD VALUE 'b';
         ALTER TABLE t ADD COLUMN d s[];",
    )
    .await;
    assert!(stored.restore_script.is_some(), "{stored:?}");
    execute_rollback(db.url(), "1.1", &restoring()).await.unwrap();
    assert_schema_is(&db, &before).await;
    assert_eq!(db.query("SELECT * FROM t ORDER BY id;").unwrap(), rows);
}

#[tokio::test]
async fn a_type_created_by_the_same_migration_needs_no_restore() {
    let db = database("enum_created", "CREATE TABLE t (id int PRIMARY KEY);");
    let before = schema(&db).await;
    let stored =
        apply(&db, "1.1", "CREATE TYPE s AS ENUM ('a');\nALTER TABLE t ADD COLUMN c s;\nALTER TYPE s ADD VALUE 'b';")
            .await;
    assert!(stored.rollback_safe, "{stored:?}");
    assert_eq!((stored.restore_script, stored.archive), (None, None));
    execute_rollback(db.url(), "1.1", &ExecuteOptions::default()).await.unwrap();
    assert_schema_is(&db, &before).await;
}

#[tokio::test]
async fn a_column_whose_type_changed_since_refuses_instead_of_being_moved() {
    let db = database(
        "enum_column_changed",
        "CREATE TYPE state AS ENUM ('new', 'done');
         CREATE TABLE t (id int PRIMARY KEY, s state, gone state[]);
         INSERT INTO t VALUES (1, 'new', '{done}');",
    );
    apply(&db, "1.1", "ALTER TYPE state ADD VALUE 'late';").await;
    db.run("ALTER TABLE t ALTER COLUMN s TYPE text; ALTER TABLE t DROP COLUMN gone;").unwrap();
    let after = schema(&db).await;
    let e = execute_rollback(db.url(), "1.1", &restoring()).await.unwrap_err();
    assert_eq!(e.code().as_str(), "RESTORE_CONFLICT", "{e}");
    assert!(e.to_string().contains("public.t.s is not of the type it had at the migration: 1"), "{e}");
    assert!(e.to_string().contains("public.t.gone is not of the type"), "{e}");
    assert_schema_is(&db, &after).await;
}
