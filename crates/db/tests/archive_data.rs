//! Data migrations (issue 19) on a real PostgreSQL: the rows `UPDATE`, `DELETE`, `INSERT`, `MERGE` and `TRUNCATE`
//! change are kept at apply and put back by `restore_data`. Oracle: the catalog snapshot and `pg_dump` equal
//! the ones from before the migration AND every table's rows equal the ones from before; the catalog right
//! after the migration equals the one of the same migration applied without the archive.
mod common;

use common::*;
use pg_rollback_db::{
    apply_migration_with, catalog_snapshot, compare_rows, compare_snapshots, execute_rollback, execute_rollbacks,
    restore_preview, row_snapshot, verify_rollback, ArchiveOptions, ExecuteManyOptions, ExecuteOptions, StoredRollback,
    VerifyInput,
};

const SHOP: &str = r#"
CREATE TYPE mood AS ENUM ('happy', 'sad', 'it''s complicated');
CREATE SCHEMA "My Shop";
CREATE TABLE "My Shop"."Item" (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "Name" text COLLATE "C",
    price numeric(12,4),
    tags text[],
    doc jsonb,
    j json,
    raw bytea,
    at timestamptz,
    m mood,
    p point,
    twice numeric GENERATED ALWAYS AS (price * 2) STORED,
    updated_at timestamptz NOT NULL DEFAULT '2001-01-01'
);
CREATE FUNCTION "My Shop".touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN NEW.updated_at := '2030-01-01'; END IF; -- insert nothing
    RETURN NEW;
END $$;
CREATE TRIGGER item_touch BEFORE INSERT OR UPDATE ON "My Shop"."Item" FOR EACH ROW EXECUTE FUNCTION "My Shop".touch();
INSERT INTO "My Shop"."Item" ("Name", price, tags, doc, j, raw, at, m, p)
SELECT CASE WHEN g % 7 = 0 THEN NULL ELSE 'item ' || g END, g / 3.0, ARRAY['a' || g, NULL], jsonb_build_object('g', g),
       json_build_object('g', g, 'sp', ' x '), decode(lpad(to_hex(g), 4, '0'), 'hex'),
       '2024-03-01 12:00:00.123456+02'::timestamptz + g * interval '1 hour', (ARRAY['happy', 'sad', NULL]::mood[])[g % 3 + 1],
       point(g, g / 7.0)
  FROM generate_series(1, 60) g;
CREATE TABLE labels (id int PRIMARY KEY, item int, label text NOT NULL);
INSERT INTO labels SELECT g, g, 'label ' || g FROM generate_series(1, 40) g;
CREATE TABLE notes (id bigint PRIMARY KEY, label int REFERENCES labels, body text);
INSERT INTO notes SELECT g, g, 'note ' || g FROM generate_series(1, 20) g;
"#;

/// Every user table's rows, other than `schema_versions` (whose row records the rollback).
async fn rows_differ(db: &testpg::Database, before: &pg_rollback_db::RowSnapshot) -> Vec<String> {
    let after = row_snapshot(db.url()).await.unwrap();
    compare_rows(before, &after).into_iter().filter(|d| !d.table.contains("schema_versions")).map(|d| d.text).collect()
}

fn without_archive() -> ArchiveOptions {
    ArchiveOptions { enabled: false, ..ArchiveOptions::default() }
}

async fn apply_with(db: &testpg::Database, version: &str, sql: &str, archive: ArchiveOptions) -> StoredRollback {
    let outcome = apply_migration_with(db.url(), &migration(version, sql), None, archive).await;
    outcome.unwrap_or_else(|e| panic!("{sql}: {e}")).rollback.unwrap()
}

/// The spec's fields of a data migration are the ones without the archive.
fn assert_spec_fields(kept: &StoredRollback, plain: &StoredRollback) {
    assert!(!kept.rollback_safe);
    assert_eq!(kept.rollback_safe, plain.rollback_safe);
    assert_eq!(kept.rollback_script, plain.rollback_script);
    assert_eq!(kept.warnings, plain.warnings);
    assert!(
        kept.warnings.iter().any(|w| w.message == "Cannot auto-generate rollback for data migrations"),
        "{:?}",
        kept.warnings
    );
}

/// Applies `sql` with the archive (and on `twin` without), checks the catalog after it equals the twin's, then
/// restores it and checks schema, dump and rows equal the ones from before. `moved`: tables whose columns may
/// change position (a column a DROP COLUMN of the migration took comes back last).
async fn round_trip(db: &testpg::Database, setup: &str, version: &str, sql: &str, moved: &[&str]) {
    let twin = database("data_twin", setup);
    let twin = &twin;
    let schema = catalog_snapshot(db.url()).await.unwrap();
    let dump = db.schema_dump().unwrap();
    let rows = row_snapshot(db.url()).await.unwrap();
    let kept = apply_with(db, version, sql, ArchiveOptions::default()).await;
    let plain = apply_with(twin, version, sql, without_archive()).await;
    assert_spec_fields(&kept, &plain);
    let archive = kept.archive.clone().unwrap();
    assert!(kept.restore_script.is_some(), "{sql}: {archive:#?}");
    assert!(!archive.rows_kept.is_empty() && archive.rows_kept.len() <= archive.objects.len(), "{archive:#?}");
    // The capture trigger and function are gone: the catalog is the one the migration makes without the archive.
    let with = catalog_snapshot(db.url()).await.unwrap();
    let without = catalog_snapshot(twin.url()).await.unwrap();
    let diff = compare_snapshots(&without, &with);
    assert!(diff.is_empty(), "{sql}: the archive changed the catalog:\n{diff:#?}");
    assert!(rows_differ(db, &rows).await.len() + archive.rows as usize > 0, "{sql}: changed nothing");

    execute_rollback(db.url(), version, &restoring()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    let after = catalog_snapshot(db.url()).await.unwrap();
    let diff: Vec<_> = compare_snapshots(&schema, &after)
        .into_iter()
        .filter(|d| !(d.attribute.as_deref() == Some("position") && moved.iter().any(|m| d.object.contains(m))))
        .collect();
    assert!(diff.is_empty(), "{sql}: schema differs after the restore:\n{diff:#?}");
    if moved.is_empty() {
        assert_same_schema(&dump, &db.schema_dump().unwrap());
    }
    assert_eq!(rows_differ(db, &rows).await, Vec::<String>::new(), "{sql}: rows differ after the restore");
    assert_eq!(one(db, "SELECT to_regnamespace('pgrollback_archive') IS NULL;"), "t", "{sql}: archive left");
}

#[tokio::test]
async fn every_kind_of_data_statement_round_trips_with_exact_values() {
    let db = database("data_kinds", SHOP);
    let cases = [
        // Every type: NULLs, arrays, jsonb, json, bytea, numeric precision, timestamptz, enum, point; the
        // generated column recomputes; the BEFORE trigger's updated_at comes back too.
        r#"UPDATE "My Shop"."Item" SET "Name" = upper("Name"), price = price / 7, tags = tags || NULL::text,
           doc = doc || '{"k": [1, null]}', j = '{"a":  1}', raw = raw || '\x00ff'::bytea,
           at = at + interval '1 microsecond', m = 'it''s complicated', p = point(0, 0) WHERE id % 3 = 0"#,
        r#"UPDATE "My Shop"."Item" AS i SET "Name" = l.label FROM labels l WHERE l.item = i.id AND l.id < 30"#,
        // A key column: the rows are found by their new key.
        "UPDATE labels SET id = id + 1000 WHERE id > 30",
        r#"DELETE FROM "My Shop"."Item" AS i USING labels l WHERE l.item = i.id AND l.id % 2 = 0"#,
        r#"INSERT INTO "My Shop"."Item" ("Name", price, tags) VALUES ('new', 1.23456, '{}'), (NULL, NULL, NULL)"#,
        "INSERT INTO labels SELECT id + 5000, id, 'copy' FROM labels WHERE id < 5",
        "INSERT INTO labels VALUES (1, 1, 'x'), (9001, 1, 'y') ON CONFLICT DO NOTHING",
        "INSERT INTO labels VALUES (1, 2, 'up'), (9002, 3, 'z') ON CONFLICT (id) DO UPDATE SET label = excluded.label",
        // Referencing table first: the restore re-inserts labels before notes.
        "TRUNCATE notes, labels",
        // The same rows twice, and a DELETE of rows an UPDATE changed.
        "UPDATE labels SET label = 'a' WHERE id < 10;\nUPDATE labels SET label = label || 'b', item = NULL WHERE id < 5;\n\
         DELETE FROM labels WHERE id IN (2, 3) AND NOT EXISTS (SELECT 1 FROM notes WHERE notes.label = labels.id)",
        "DELETE FROM notes WHERE id > 15",
        // Identity ALWAYS rows re-inserted with their ids; the BEFORE trigger does not fire on the restore.
        r#"TRUNCATE "My Shop"."Item""#,
    ];
    for (i, sql) in cases.iter().enumerate() {
        round_trip(&db, SHOP, &format!("1.{i}"), sql, &[]).await;
    }
    if db.query("SHOW server_version_num;").unwrap().trim().parse::<u32>().unwrap() >= 150000 {
        let merge = "MERGE INTO labels AS l USING (SELECT g FROM generate_series(1, 50) g) AS s ON l.id = s.g \
                     WHEN MATCHED AND l.id % 5 = 0 AND l.id > 20 THEN DELETE WHEN MATCHED THEN UPDATE SET label = 'merged' \
                     WHEN NOT MATCHED THEN INSERT VALUES (s.g, NULL, 'merged new')";
        round_trip(&db, SHOP, "2.0", merge, &[]).await;
    }
}

#[tokio::test]
async fn a_migration_mixing_ddl_and_data_is_restored_as_a_whole() {
    let db = database("data_mixed", SHOP);
    let sql = "ALTER TABLE labels ADD COLUMN shout text;\nUPDATE labels SET shout = upper(label) || '!';\n\
               ALTER TABLE labels DROP COLUMN label;\nINSERT INTO labels (id, item, shout) VALUES (500, 1, 'NEW!');";
    // The dropped column comes back last.
    round_trip(&db, SHOP, "1.0", sql, &["labels"]).await;
    // A table created by the migration and filled: its rows go with it.
    let created = "CREATE TABLE seeds (id int PRIMARY KEY, v text);\nINSERT INTO seeds VALUES (1, 'a'), (2, 'b');\n\
                   UPDATE labels SET label = 'seeded' WHERE id IN (SELECT id FROM seeds);";
    round_trip(&db, SHOP, "1.1", created, &[]).await;
    // Rows deleted from a table the migration then drops: the table comes back first, then its rows.
    let dropped = "DELETE FROM notes WHERE id < 5;\nDROP TABLE notes;";
    round_trip(&db, SHOP, "1.2", dropped, &[]).await;
    // Fider's backfill: a column added, filled, then NOT NULL. Its values are not put back (to NULL, under the
    // constraint): the restore drops the column right after.
    let backfill = "ALTER TABLE labels ADD COLUMN number int, ADD COLUMN other text;\n\
                    UPDATE labels l SET number = x.n, label = l.label || '#' FROM (SELECT id, row_number() OVER \
                    (PARTITION BY item ORDER BY id) AS n FROM labels) x WHERE x.id = l.id;\n\
                    ALTER TABLE labels ALTER COLUMN number SET NOT NULL;";
    round_trip(&db, SHOP, "1.3", backfill, &[]).await;
    // Documenso's: the rows the backfill left NULL are deleted before SET NOT NULL; they come back with NULL there
    // (the constraint goes first: the column is dropped right after).
    let pruned = "ALTER TABLE notes ADD COLUMN owner int;\nUPDATE notes SET owner = id WHERE id % 3 = 0;\n\
                  DELETE FROM notes WHERE owner IS NULL;\nALTER TABLE notes ALTER COLUMN owner SET NOT NULL;";
    round_trip(&db, SHOP, "1.3.1", pruned, &[]).await;
    // A column that existed before is no new column, even when the migration adds it IF NOT EXISTS.
    let existing =
        "ALTER TABLE labels ADD COLUMN IF NOT EXISTS label text;\nUPDATE labels SET label = 'x' || label WHERE id < 4;";
    round_trip(&db, SHOP, "1.4", existing, &[]).await;
}

#[tokio::test]
async fn a_restore_with_a_later_version_still_applied_is_refused_out_of_order() {
    let db = database("data_order", SHOP);
    apply(&db, "1.0", "UPDATE labels SET label = 'x' WHERE id < 5;").await;
    apply(&db, "1.1", "CREATE TABLE later (id int);").await;
    let labels = db.query("SELECT * FROM labels ORDER BY id;").unwrap();
    let options = ExecuteOptions { migration_order: Some(vec!["1.0".into(), "1.1".into()]), ..restoring() };
    let e = execute_rollback(db.url(), "1.0", &options).await.unwrap_err();
    assert_eq!(e.code().as_str(), "ROLLBACK_OUT_OF_ORDER", "{e}");
    assert_eq!(db.query("SELECT * FROM labels ORDER BY id;").unwrap(), labels);
}

#[tokio::test]
async fn a_column_changed_since_that_the_migration_did_not_change_is_no_conflict_and_stays() {
    let db = database("data_other_column", SHOP);
    apply(&db, "1.0", "UPDATE labels SET label = 'x' WHERE id < 5;").await;
    db.run("UPDATE labels SET item = 99 WHERE id = 1;").unwrap();
    execute_rollback(db.url(), "1.0", &restoring()).await.unwrap();
    assert_eq!(
        db.query("SELECT id, item, label FROM labels WHERE id < 3 ORDER BY id;").unwrap(),
        "1|99|label 1\n2|2|label 2\n"
    );
}

/// Statement 1 updates, 2 deletes, 3 inserts; then the application changes some of those rows.
const CONFLICTED: &str = "UPDATE labels SET label = 'm' WHERE id <= 5;\n\
    DELETE FROM notes WHERE id BETWEEN 6 AND 8;\n\
    INSERT INTO labels VALUES (9100, 1, 'i'), (9101, 2, 'i');";
const APP_WRITES: &str = "UPDATE labels SET label = 'app' WHERE id = 2; DELETE FROM labels WHERE id = 3;
    INSERT INTO notes VALUES (7, 7, 'back'); UPDATE labels SET label = 'changed' WHERE id = 9100;";
const LABELS: &str = "SELECT id, item, label FROM labels WHERE id <= 5 OR id >= 9100 ORDER BY id;";
const NOTES: &str = "SELECT id, label, body FROM notes WHERE id BETWEEN 6 AND 8 ORDER BY id;";

async fn conflicted(prefix: &str) -> testpg::Database {
    let db = database(prefix, SHOP);
    // Nothing references labels 1..5 but notes 1..5; keep the note on label 3 out of the way.
    db.run("DELETE FROM notes WHERE label = 3;").unwrap();
    apply(&db, "1.0", CONFLICTED).await;
    db.run(APP_WRITES).unwrap();
    db
}

#[tokio::test]
async fn rows_changed_since_refuse_the_restore_with_counts_and_keys_and_change_nothing() {
    let db = conflicted("data_conflict").await;
    let (labels, notes, versions) = (db.query(LABELS).unwrap(), db.query(NOTES).unwrap(), metadata(&db));
    let e = execute_rollback(db.url(), "1.0", &restoring()).await.unwrap_err();
    assert_eq!(e.code().as_str(), "RESTORE_CONFLICT", "{e}");
    let text = e.to_string();
    // The last statement is undone first: the inserted row changed since is the first conflict found.
    assert!(
        text.contains("public.labels: 1 row(s) it inserted changed or referenced since (first: id=9100)"),
        "{text}"
    );
    assert_eq!((db.query(LABELS).unwrap(), db.query(NOTES).unwrap(), metadata(&db)), (labels, notes, versions));
}

#[tokio::test]
async fn the_preview_counts_what_comes_back_and_the_conflicts_with_their_first_keys() {
    let db = conflicted("data_preview").await;
    let options = ExecuteManyOptions { version: Some("1.0".into()), restore_data: true, ..Default::default() };
    let preview = restore_preview(db.url(), &options).await.unwrap();
    let objects = &preview.versions[0].objects;
    let kinds: Vec<&str> = objects.iter().map(|o| o.kind.as_str()).collect();
    assert_eq!(kinds, ["UPDATE", "DELETE", "INSERT"], "{objects:#?}");
    let (updated, deleted, inserted) = (&objects[0], &objects[1], &objects[2]);
    assert_eq!(inserted.summary, "public.labels: 2 rows it inserted are deleted", "{inserted:#?}");
    assert_eq!(inserted.conflicts, ["public.labels: 1 row it inserted changed or referenced since (id=9100)"]);
    assert_eq!(deleted.summary, "public.notes: 3 rows it deleted come back", "{deleted:#?}");
    assert_eq!(deleted.conflicts, ["public.notes: 1 row it deleted exists again (id=7)"]);
    // Statement 3 changed labels after it: counted by the restore itself.
    assert!(updated.notes[0].contains("a later statement of the migration changed the same table"), "{updated:#?}");
    let refusal = preview.refusals.iter().find(|r| r.code.as_str() == "RESTORE_CONFLICT").expect("a conflict");
    assert!(refusal.forceable, "{refusal:?}");
    assert!(refusal.message.contains("public.notes: 1 row it deleted exists again (id=7)"), "{refusal:?}");
}

#[tokio::test]
async fn force_keeps_the_newer_values_and_says_so() {
    let db = conflicted("data_keep").await;
    let options = ExecuteOptions { force: true, ..restoring() };
    let done = execute_rollback(db.url(), "1.0", &options).await.unwrap();
    assert_eq!(
        db.query(LABELS).unwrap(),
        db.query(
            "SELECT * FROM (VALUES (1, 1, 'label 1'), (2, 2, 'app'), (4, 4, 'label 4'), (5, 5, 'label 5'),
                                   (9100, 1, 'changed')) v ORDER BY 1;"
        )
        .unwrap()
    );
    assert_eq!(
        db.query(NOTES).unwrap(),
        db.query("SELECT * FROM (VALUES (6::bigint, 6, 'note 6'), (7, 7, 'back'), (8, 8, 'note 8')) v ORDER BY 1;")
            .unwrap()
    );
    let notes = done.restore_notes.join("\n");
    assert!(notes.contains("public.labels: 1 conflicting row(s) kept their newer values"), "{notes}");
    assert!(notes.contains("public.notes: 1 conflicting row(s) kept their newer values"), "{notes}");
    assert!(notes.contains("2 row(s) changed or deleted since the migration; first: id=2, id=3"), "{notes}");
}

#[tokio::test]
async fn force_overwrite_gives_conflicting_rows_the_archived_values() {
    let db = conflicted("data_overwrite").await;
    let options = ExecuteOptions { force: true, overwrite: true, ..restoring() };
    let done = execute_rollback(db.url(), "1.0", &options).await.unwrap();
    let fixture = "SELECT g, g, 'label ' || g FROM generate_series(1, 5) g ORDER BY 1;";
    assert_eq!(db.query(LABELS).unwrap(), db.query(fixture).unwrap());
    assert_eq!(
        db.query(NOTES).unwrap(),
        db.query("SELECT g::bigint, g, 'note ' || g FROM generate_series(6, 8) g;").unwrap()
    );
    let notes = done.restore_notes.join("\n");
    assert!(notes.contains("took the archived values"), "{notes}");
}

async fn refused(prefix: &str, setup: &str, sql: &str, reason: &str) {
    let db = database(prefix, &format!("{SHOP}{setup}"));
    let twin = database(&format!("{prefix}_twin"), &format!("{SHOP}{setup}"));
    let kept = apply_with(&db, "1.0", sql, ArchiveOptions::default()).await;
    let plain = apply_with(&twin, "1.0", sql, without_archive()).await;
    assert_spec_fields(&kept, &plain);
    assert_eq!(kept.restore_script, None, "{sql}");
    let archive = kept.archive.unwrap();
    assert!(archive.objects.is_empty(), "{archive:#?}");
    let why: Vec<&str> = archive.not_archived.iter().map(|n| n.reason.as_str()).collect();
    assert!(why.iter().any(|w| w.contains(reason)), "{sql}: {why:?}");
    // Applied as without the archive: the same rows and catalog.
    assert!(compare_rows(&row_snapshot(twin.url()).await.unwrap(), &row_snapshot(db.url()).await.unwrap())
        .iter()
        .all(|d| d.table.contains("schema_versions")));
    assert!(compare_snapshots(
        &catalog_snapshot(twin.url()).await.unwrap(),
        &catalog_snapshot(db.url()).await.unwrap()
    )
    .is_empty());
    assert_eq!(one(&db, "SELECT to_regnamespace('pgrollback_archive') IS NULL;"), "t");
}

#[tokio::test]
async fn what_cannot_be_kept_exactly_is_refused_with_a_reason() {
    refused(
        "data_nokey",
        "CREATE TABLE loose (a int, b text); INSERT INTO loose VALUES (1, 'x');",
        "UPDATE loose SET b = 'y';",
        "public.loose has no primary key or unique index on NOT NULL columns",
    )
    .await;
    refused(
        "data_audit",
        "CREATE TABLE log (at text); CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS
         $$ BEGIN INSERT INTO log VALUES (TG_OP); RETURN NEW; END $$;
         CREATE TRIGGER \"Audit it\" AFTER UPDATE ON labels FOR EACH ROW EXECUTE FUNCTION audit();",
        "UPDATE labels SET label = 'x' WHERE id < 3;",
        "enabled trigger(s) that could write elsewhere: \"Audit it\"",
    )
    .await;
    refused(
        "data_writing_before",
        "CREATE TABLE log (at text); CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS
         $$ BEGIN INSERT INTO log VALUES (TG_OP); RETURN NEW; END $$;
         CREATE TRIGGER audit BEFORE DELETE ON notes FOR EACH ROW EXECUTE FUNCTION audit();",
        "DELETE FROM notes WHERE id < 3;",
        "could write elsewhere: audit",
    )
    .await;
    refused(
        "data_insert_self_cascade",
        "CREATE TABLE tree (id int PRIMARY KEY, up int REFERENCES tree ON DELETE CASCADE);",
        "INSERT INTO tree VALUES (1, NULL);",
        "foreign key tree_up_fkey of public.tree to itself has an ON DELETE action",
    )
    .await;
    // A BEFORE trigger with no writing word of its own that calls a function which writes.
    refused(
        "data_before_calls_writer",
        "CREATE TABLE log (at text); CREATE FUNCTION logged(t text) RETURNS text LANGUAGE sql AS
         $$ INSERT INTO log VALUES (t) RETURNING t $$;
         CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.label := logged(NEW.label); RETURN NEW; END $$;
         CREATE TRIGGER stamp BEFORE UPDATE ON labels FOR EACH ROW EXECUTE FUNCTION stamp();",
        "UPDATE labels SET label = 'x' WHERE id < 3;",
        "could write elsewhere: stamp",
    )
    .await;
    refused(
        "data_cte",
        "",
        "WITH gone AS (DELETE FROM notes WHERE id < 3 RETURNING label) UPDATE labels SET label = 'x' WHERE id IN (SELECT label FROM gone);",
        "data-modifying WITH",
    )
    .await;
    refused(
        "data_function",
        "CREATE TABLE log (at text); CREATE FUNCTION logged(t text) RETURNS text LANGUAGE sql AS
         $$ INSERT INTO log VALUES (t) RETURNING t $$;",
        "UPDATE labels SET label = logged(label) WHERE id < 3;",
        "function(s) that could write elsewhere: logged(text) (it runs a statement other than SELECT",
    )
    .await;
    // Through a function that only reads, and a STABLE one: what they call is judged too.
    refused(
        "data_function_nested",
        "CREATE TABLE log (at text); CREATE FUNCTION logged(t text) RETURNS text LANGUAGE sql AS
         $$ INSERT INTO log VALUES (t) RETURNING t $$;
         CREATE FUNCTION outer_f(t text) RETURNS text LANGUAGE plpgsql STABLE AS
         $$ BEGIN RETURN upper(public.logged(t)); END $$;",
        "UPDATE labels SET label = outer_f(label) WHERE id < 3;",
        "could write elsewhere: logged(text)",
    )
    .await;
    refused(
        "data_default",
        "CREATE TABLE log (at text); CREATE FUNCTION logged() RETURNS text LANGUAGE sql AS
         $$ INSERT INTO log VALUES ('x') RETURNING at $$;
         ALTER TABLE labels ADD COLUMN src text DEFAULT logged();",
        "INSERT INTO labels (id, item, label) VALUES (100, 1, 'x');",
        "column defaults of public.labels call function(s) that could write elsewhere: public.logged()",
    )
    .await;
    refused("data_restart", "", "TRUNCATE notes RESTART IDENTITY;", "RESTART IDENTITY").await;
}

/// Documenso's id generator (PL/pgSQL calling another that only reads), Lemmy's SQL one and pgcrypto's, in the
/// statement and in a column default: they write nothing, so the rows are kept.
#[tokio::test]
async fn functions_that_only_read_do_not_stop_the_archive() {
    let setup = format!(
        "{SHOP}
         CREATE FUNCTION nanoid(size int, alphabet text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
         DECLARE id text := ''; i int := 0; BEGIN
           WHILE i < size LOOP id := id || substr(alphabet, 1 + floor(random() * length(alphabet))::int, 1); i := i + 1; END LOOP;
           RETURN id; END $$;
         CREATE FUNCTION generate_prefix_id(prefix text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
         BEGIN RETURN prefix || '_' || nanoid(16, 'abcdef'); END $$;
         CREATE FUNCTION generate_unique_changeme() RETURNS text LANGUAGE sql AS $$
           SELECT 'changeme_' || string_agg(substr('abc', ceil(random() * 3)::integer, 1), '') FROM generate_series(1, 20) $$;
         ALTER TABLE notes ADD COLUMN code text DEFAULT generate_prefix_id('note');
         CREATE EXTENSION pgcrypto;"
    );
    let db = database("data_quiet_functions", &setup);
    round_trip(&db, &setup, "1.0", "UPDATE labels SET label = generate_prefix_id('l') WHERE id < 10", &[]).await;
    round_trip(&db, &setup, "1.1", "UPDATE labels SET label = generate_unique_changeme() WHERE id > 30", &[]).await;
    round_trip(&db, &setup, "1.2", "INSERT INTO notes (id, label, body) VALUES (500, 1, 'new')", &[]).await;
    // pgcrypto's functions write nothing.
    round_trip(&db, &setup, "1.3", "UPDATE notes SET body = encode(gen_random_bytes(4), 'hex') WHERE id < 5", &[])
        .await;
}

/// Prisma's default keys: `ON DELETE CASCADE ON UPDATE CASCADE`. An UPDATE that leaves the referenced columns
/// alone fires no action (nor does its restore): kept. One that sets a referenced column would change the other
/// table: refused.
#[tokio::test]
async fn an_update_that_sets_no_referenced_column_is_kept_whatever_the_keys_on_update_action() {
    let setup =
        "CREATE TABLE tags (id int PRIMARY KEY, label int REFERENCES labels ON DELETE CASCADE ON UPDATE CASCADE,
                                     item int, FOREIGN KEY (item) REFERENCES labels ON UPDATE SET NULL);
                 INSERT INTO tags SELECT g, g, g FROM generate_series(1, 10) g;";
    let db = database("data_on_update", &format!("{SHOP}{setup}"));
    round_trip(
        &db,
        &format!("{SHOP}{setup}"),
        "1.0",
        "UPDATE labels SET label = upper(label), item = -item WHERE id < 20",
        &[],
    )
    .await;
    refused(
        "data_on_update_key",
        setup,
        "UPDATE labels SET id = id + 100 WHERE id > 35;",
        "tags_label_fkey on public.tags",
    )
    .await;

    // A BEFORE trigger could set the key itself: every key with an action counts.
    let touch = format!(
        "{setup} CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.label := NEW.label; RETURN NEW; END $$;
         CREATE TRIGGER bump BEFORE UPDATE ON labels FOR EACH ROW EXECUTE FUNCTION bump();"
    );
    refused(
        "data_on_update_trigger",
        &touch,
        "UPDATE labels SET label = 'x' WHERE id < 5;",
        "tags_item_fkey on public.tags",
    )
    .await;
}

/// Prisma's `ON DELETE CASCADE` / `SET NULL` keys: what the DELETE's actions change in other tables, at any
/// depth, is captured with it and put back after the rows it references.
const CASCADES: &str = r#"
CREATE TABLE tags (id int PRIMARY KEY, note bigint NOT NULL REFERENCES notes ON DELETE CASCADE ON UPDATE CASCADE,
                   parent int REFERENCES tags ON DELETE CASCADE);
CREATE TABLE tag_votes (tag int REFERENCES tags ON DELETE CASCADE, voter int, PRIMARY KEY (tag, voter));
CREATE TABLE pins (id int PRIMARY KEY, note bigint REFERENCES notes ON DELETE SET NULL, at int DEFAULT 7);
INSERT INTO tags SELECT g, g % 20 + 1, NULLIF(g - 1, 0) FROM generate_series(1, 30) g;
INSERT INTO tag_votes SELECT g % 30 + 1, g FROM generate_series(1, 60) g;
INSERT INTO pins SELECT g, g % 20 + 1 FROM generate_series(1, 25) g;
"#;

#[tokio::test]
async fn what_a_deletes_foreign_keys_cascade_to_or_set_null_is_kept_and_comes_back() {
    let setup = format!("{SHOP}{CASCADES}");
    let db = database("data_cascades", &setup);
    round_trip(&db, &setup, "1.0", "DELETE FROM notes WHERE id % 3 = 0", &[]).await;
    round_trip(&db, &setup, "1.1", "DELETE FROM tags WHERE id = 2;\nDELETE FROM notes WHERE id > 15", &[]).await;
    // Lemmy's comment_like: deleted through its comment and directly (a name ordered before what it references).
    let diamond = format!(
        "{setup}
         CREATE TABLE \"A likes\" (note bigint REFERENCES notes ON DELETE CASCADE, tag int REFERENCES tags ON DELETE CASCADE,
                                   who int, PRIMARY KEY (tag, who));
         INSERT INTO \"A likes\" SELECT t.note, t.id, w FROM tags t, generate_series(1, 3) w;"
    );
    let db = database("data_cascades_diamond", &diamond);
    round_trip(&db, &diamond, "1.0", "DELETE FROM notes WHERE id % 4 = 0", &[]).await;
    // A conflict in a table the cascade reached refuses the whole restore, naming that table.
    apply(&db, "1.2", "DELETE FROM notes WHERE id = 4").await;
    db.run("UPDATE pins SET note = 5 WHERE id = 3;").unwrap();
    let e = execute_rollback(db.url(), "1.2", &restoring()).await.unwrap_err();
    assert_eq!(e.code().as_str(), "RESTORE_CONFLICT", "{e}");
    assert!(e.to_string().contains("public.pins: 1 row(s) changed or deleted since the migration"), "{e}");
}

/// Seed rows inserted into a table other tables reference with `ON DELETE CASCADE`: the restore deletes only
/// the inserted rows nothing references since (so no action fires); the others are conflicts.
#[tokio::test]
async fn rows_inserted_into_a_referenced_table_are_deleted_only_while_nothing_references_them() {
    let setup = format!("{SHOP}{CASCADES}");
    let db = database("data_insert_referenced", &setup);
    let insert = "INSERT INTO notes SELECT g, 1, 'seed ' || g FROM generate_series(100, 104) g";
    round_trip(&db, &setup, "1.0", insert, &[]).await;
    apply(&db, "1.1", insert).await;
    db.run("INSERT INTO tags VALUES (500, 101, NULL); INSERT INTO pins VALUES (500, 102);").unwrap();
    let e = execute_rollback(db.url(), "1.1", &restoring()).await.unwrap_err();
    assert_eq!(e.code().as_str(), "RESTORE_CONFLICT", "{e}");
    assert!(e.to_string().contains("public.notes: 2 row(s) it inserted changed or referenced since"), "{e}");
    let overwrite = ExecuteOptions { force: true, overwrite: true, ..restoring() };
    let e = execute_rollback(db.url(), "1.1", &overwrite).await.unwrap_err();
    assert!(e.to_string().contains("referenced by rows of other tables written since"), "{e}");
    // Forced: the referenced rows stay, the others go; nothing else changes.
    let done = execute_rollback(db.url(), "1.1", &ExecuteOptions { force: true, ..restoring() }).await.unwrap();
    assert_eq!(one(&db, "SELECT string_agg(id::text, ',' ORDER BY id) FROM notes WHERE id >= 100;"), "101,102");
    assert_eq!(one(&db, "SELECT count(*) FROM tags WHERE id = 500;"), "1");
    assert_eq!(one(&db, "SELECT note FROM pins WHERE id = 500;"), "102");
    assert!(done.restore_notes.join("\n").contains("2 conflicting row(s) kept their newer values"), "{done:?}");
}

/// Inbox Zero 0012: rows copied into a new table, then referenced from a column the same migration added (`ON
/// DELETE SET NULL`): the column goes with the restore, so those references are no conflict.
#[tokio::test]
async fn references_from_a_column_the_migration_added_are_no_conflict() {
    let db = database("data_insert_added_reference", SHOP);
    let sql = "ALTER TABLE labels ADD COLUMN premium text;\nCREATE TABLE premium (id text PRIMARY KEY);\n\
               ALTER TABLE labels ADD CONSTRAINT labels_premium_fkey FOREIGN KEY (premium) REFERENCES premium ON DELETE SET NULL;\n\
               INSERT INTO premium SELECT id::text FROM labels;\nUPDATE labels SET premium = id::text;";
    round_trip(&db, SHOP, "1.0", sql, &[]).await;
}

#[tokio::test]
async fn rows_a_later_statement_made_reference_the_inserted_ones_are_no_conflict() {
    let setup = format!("{SHOP}{CASCADES}");
    let db = database("data_insert_then_reference", &setup);
    let sql = "INSERT INTO notes VALUES (100, 1, 'seed');\nINSERT INTO pins VALUES (100, 100);";
    round_trip(&db, &setup, "1.0", sql, &[]).await;
    apply(&db, "1.1", sql).await;
    // The preview does not count the notes' rows: the pins that reference them go first.
    let options = ExecuteManyOptions { version: Some("1.1".into()), restore_data: true, ..Default::default() };
    let preview = restore_preview(db.url(), &options).await.unwrap();
    let notes = &preview.versions[0].objects[0];
    assert!(notes.conflicts.is_empty() && notes.notes[0].contains("or one referencing it"), "{notes:#?}");
    assert!(preview.refusals.is_empty(), "{:?}", preview.refusals);
}

#[tokio::test]
async fn cascades_whose_rows_could_not_be_put_back_in_order_are_refused() {
    refused(
        "data_cascade_self_null",
        "CREATE TABLE tree (id int PRIMARY KEY, up int REFERENCES tree ON DELETE SET NULL);
         INSERT INTO tree VALUES (1, NULL), (2, 1);",
        "DELETE FROM tree WHERE id = 1;",
        "refers back to a table the DELETE changes",
    )
    .await;
    refused(
        "data_cascade_twice",
        "CREATE TABLE a (id int PRIMARY KEY, note bigint REFERENCES notes ON DELETE CASCADE);
         CREATE TABLE b (id int PRIMARY KEY, note bigint REFERENCES notes ON DELETE SET NULL,
                         a int REFERENCES a ON DELETE CASCADE);",
        "DELETE FROM notes WHERE id = 1;",
        "public.b is reached twice by the keys' actions, not only by cascading deletes",
    )
    .await;
    refused(
        "data_cascade_further",
        "CREATE TABLE a (id int PRIMARY KEY, note bigint UNIQUE REFERENCES notes ON DELETE SET NULL);
         CREATE TABLE b (id int PRIMARY KEY, note bigint REFERENCES a (note) ON UPDATE CASCADE);",
        "DELETE FROM notes WHERE id = 1;",
        "b_note_fkey on public.b",
    )
    .await;
}

#[tokio::test]
async fn above_the_ceiling_nothing_is_kept() {
    let db = database("data_ceiling", SHOP);
    let small = ArchiveOptions { max_bytes: 100, ..ArchiveOptions::default() };
    let kept = apply_with(&db, "1.0", "UPDATE labels SET label = 'x';", small).await;
    let archive = kept.archive.unwrap();
    assert!(archive.objects.is_empty() && kept.restore_script.is_none(), "{archive:#?}");
    assert!(archive.not_archived[0].reason.contains("above what is left of archiveMaxBytes"), "{archive:#?}");
    assert_eq!(one(&db, "SELECT count(*) FROM labels WHERE label = 'x';"), "40");
}

#[tokio::test]
async fn verify_with_seeded_rows_proves_a_data_migration_through_its_restore() {
    let db = database("data_verify", SHOP);
    let input = VerifyInput {
        sql: "UPDATE labels SET label = upper(label) WHERE id % 2 = 0;\nDELETE FROM notes WHERE id % 3 = 0;\n\
              INSERT INTO labels SELECT id + 100000, item, 'x' FROM labels;"
            .into(),
        seed_rows: Some(20),
        ..Default::default()
    };
    let verified = verify_rollback(db.url(), &input).await.unwrap();
    assert!(!verified.rollback_safe, "{verified:#?}");
    assert!(verified.restorable && verified.restored, "{verified:#?}");
    assert!(verified.row_differences.is_empty() && verified.differences.is_empty(), "{verified:#?}");
}

#[tokio::test]
async fn a_composite_key_with_a_user_typed_column_matches_rows_and_names_them_in_conflicts() {
    let db = database(
        "data_composite",
        "CREATE TYPE mood AS ENUM ('happy', 'sad');
         CREATE TABLE pairs (m mood NOT NULL, \"B\" text NOT NULL, v int, UNIQUE (m, \"B\"));
         INSERT INTO pairs SELECT (ARRAY['happy', 'sad']::mood[])[g % 2 + 1], 'b' || g, g FROM generate_series(1, 20) g;",
    );
    let rows = row_snapshot(db.url()).await.unwrap();
    let sql = "UPDATE pairs SET \"B\" = \"B\" || '!', v = -v WHERE v < 5;\nDELETE FROM pairs WHERE v > 15;";
    apply(&db, "1.0", sql).await;
    db.run("UPDATE pairs SET v = 0 WHERE \"B\" = 'b1!'; INSERT INTO pairs VALUES ('happy', 'b16', 1);").unwrap();
    let e = execute_rollback(db.url(), "1.0", &restoring()).await.unwrap_err();
    assert!(e.to_string().contains("public.pairs: 1 row(s) it deleted exist again (first: (m=happy, B=b16))"), "{e}");
    db.run("UPDATE pairs SET v = -1 WHERE \"B\" = 'b1!'; DELETE FROM pairs WHERE \"B\" = 'b16' AND v = 1;").unwrap();
    execute_rollback(db.url(), "1.0", &restoring()).await.unwrap();
    assert_eq!(rows_differ(&db, &rows).await, Vec::<String>::new());
}

#[tokio::test]
async fn columns_named_like_the_restore_s_own_names_are_fine() {
    let db = database(
        "data_odd_names",
        "CREATE TABLE \"o'dd\" (id int PRIMARY KEY, u int, i int, d int, first text, op text, o_1 int, n_1 int, a text,
                              t text, \"new\" text, \"%s\" text);
         INSERT INTO \"o'dd\" SELECT g, g, g, g, 'f', 'op', g, g, 'a', 't', 'n', '%' FROM generate_series(1, 10) g;",
    );
    let all = "SELECT * FROM \"o'dd\" ORDER BY id;";
    let rows = db.query(all).unwrap();
    let sql = "UPDATE \"o'dd\" SET u = -u, first = NULL, op = 'x', o_1 = 0, t = 'T', \"%s\" = '%%' WHERE id < 5;\n\
               DELETE FROM \"o'dd\" WHERE id > 8;\nINSERT INTO \"o'dd\" (id) VALUES (11);";
    apply(&db, "1.0", sql).await;
    db.run("UPDATE \"o'dd\" SET i = 0 WHERE id = 11;").unwrap();
    let e = execute_rollback(db.url(), "1.0", &restoring()).await.unwrap_err();
    assert!(
        e.to_string().contains("public.\"o'dd\": 1 row(s) it inserted changed or referenced since (first: id=11)"),
        "{e}"
    );
    db.run("UPDATE \"o'dd\" SET i = NULL WHERE id = 11;").unwrap();
    execute_rollback(db.url(), "1.0", &restoring()).await.unwrap();
    assert_eq!(db.query(all).unwrap(), rows);
}

#[tokio::test]
async fn a_range_of_data_migrations_refuses_then_overwrites_in_one_transaction() {
    let db = database("data_range", SHOP);
    apply(&db, "1.0", "SELECT 1;").await;
    let schema = catalog_snapshot(db.url()).await.unwrap();
    let rows = row_snapshot(db.url()).await.unwrap();
    apply(&db, "1.1", "UPDATE labels SET label = 'one' WHERE id <= 3;").await;
    apply(
        &db,
        "1.2",
        "ALTER TABLE labels ADD COLUMN extra int;\nUPDATE labels SET label = label || '+', extra = 1 WHERE id <= 2;",
    )
    .await;
    db.run("UPDATE labels SET label = 'app' WHERE id = 1;").unwrap();
    let options = ExecuteManyOptions { to: Some("1.0".into()), restore_data: true, ..Default::default() };
    let e = execute_rollbacks(db.url(), &options).await.unwrap_err();
    assert_eq!(e.code().as_str(), "RESTORE_CONFLICT", "{e}");
    assert!(e.to_string().contains("1 row(s) changed or deleted since the migration (first: id=1)"), "{e}");
    assert_eq!(one(&db, "SELECT label FROM labels WHERE id = 2;"), "one+", "nothing changed");
    let forced = ExecuteManyOptions { force: true, overwrite: true, ..options };
    let done = execute_rollbacks(db.url(), &forced).await.unwrap();
    assert_eq!(done.iter().map(|d| d.rollback.version.as_str()).collect::<Vec<_>>(), ["1.2", "1.1"]);
    assert!(
        done[0].restore_notes.iter().any(|n| n.contains("took the archived values")),
        "{:?}",
        done[0].restore_notes
    );
    assert!(done[1].restore_notes.is_empty(), "{:?}", done[1].restore_notes);
    assert!(compare_snapshots(&schema, &catalog_snapshot(db.url()).await.unwrap()).is_empty());
    assert_eq!(rows_differ(&db, &rows).await, Vec::<String>::new());
}

#[tokio::test]
async fn a_builtin_search_vector_trigger_is_fine_and_a_statement_trigger_is_not() {
    let setup = "CREATE TABLE docs (id int PRIMARY KEY, body text, tsv tsvector);
         CREATE TRIGGER docs_tsv BEFORE INSERT OR UPDATE ON docs FOR EACH ROW
             EXECUTE FUNCTION tsvector_update_trigger(tsv, 'pg_catalog.simple', body);
         INSERT INTO docs (id, body) SELECT g, 'body number ' || g FROM generate_series(1, 10) g;";
    let db = database("data_tsvector", setup);
    let schema = catalog_snapshot(db.url()).await.unwrap();
    let all = "SELECT id, body, tsv FROM docs ORDER BY id;";
    let rows = db.query(all).unwrap();
    let stored = apply(&db, "1.0", "UPDATE docs SET body = 'changed ' || id WHERE id < 5;").await;
    assert!(stored.restore_script.is_some(), "{:?}", stored.archive);
    assert_ne!(db.query(all).unwrap(), rows);
    execute_rollback(db.url(), "1.0", &restoring()).await.unwrap();
    assert_eq!(db.query(all).unwrap(), rows, "the search vector comes back with the body");
    assert!(compare_snapshots(&schema, &catalog_snapshot(db.url()).await.unwrap()).is_empty());

    db.run(
        "CREATE FUNCTION nothing() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
         CREATE TRIGGER after_all AFTER UPDATE ON docs FOR EACH STATEMENT EXECUTE FUNCTION nothing();",
    )
    .unwrap();
    let stored = apply(&db, "1.1", "UPDATE docs SET body = 'x';").await;
    let archive = stored.archive.unwrap();
    assert!(archive.not_archived[0].reason.contains("could write elsewhere: after_all"), "{archive:?}");
}

const EVENTS: &str = "
CREATE TABLE events (id int NOT NULL, region text NOT NULL, note text, at timestamptz DEFAULT '2020-01-01',
                     PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE events_eu PARTITION OF events FOR VALUES IN ('eu');
CREATE TABLE events_us PARTITION OF events FOR VALUES IN ('us') PARTITION BY RANGE (id);
CREATE TABLE events_us_low PARTITION OF events_us FOR VALUES FROM (0) TO (50);
CREATE TABLE events_us_high PARTITION OF events_us FOR VALUES FROM (50) TO (MAXVALUE);
CREATE TABLE events_rest PARTITION OF events DEFAULT;
INSERT INTO events (id, region, note) SELECT g, (ARRAY['eu', 'us', 'asia'])[g % 3 + 1], 'n' || g FROM generate_series(1, 90) g;";

#[tokio::test]
async fn a_partitioned_table_s_rows_round_trip_through_its_partitions() {
    let db = database("data_partitioned", EVENTS);
    let cases = [
        "UPDATE events SET note = upper(note) WHERE id % 2 = 0",
        // Rows move to other partitions (a DELETE and an INSERT each).
        "UPDATE events SET region = 'us', id = id + 1000, note = 'moved' WHERE region = 'eu' AND id < 40",
        "DELETE FROM events WHERE id % 4 = 0",
        "INSERT INTO events (id, region, note) VALUES (500, 'eu', 'x'), (501, 'asia', NULL), (60, 'us', 'high')",
        "TRUNCATE events",
    ];
    for (i, sql) in cases.iter().enumerate() {
        round_trip(&db, EVENTS, &format!("1.{i}"), sql, &[]).await;
    }
    // A trigger of one partition that writes elsewhere refuses.
    db.run(
        "CREATE TABLE log (at text); CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS
         $$ BEGIN INSERT INTO log VALUES (TG_OP); RETURN NEW; END $$;
         CREATE TRIGGER audit_us AFTER UPDATE ON events_us_low FOR EACH ROW EXECUTE FUNCTION audit();",
    )
    .unwrap();
    let stored = apply(&db, "2.0", "UPDATE events SET note = 'x';").await;
    let archive = stored.archive.unwrap();
    assert!(archive.not_archived[0].reason.contains("could write elsewhere: audit_us"), "{archive:?}");
}

#[tokio::test]
async fn a_merge_that_deletes_and_inserts_the_same_key_restores_without_a_false_conflict() {
    let db = database("data_merge_same_key", SHOP);
    if db.query("SHOW server_version_num;").unwrap().trim().parse::<u32>().unwrap() < 150000 {
        return;
    }
    let rows = row_snapshot(db.url()).await.unwrap();
    // Source row 'a' matches label 35 and deletes it; source row 'b' matches nothing and inserts key 35 again.
    let merge = "MERGE INTO labels AS l USING (VALUES (35, 'a'), (35, 'b')) AS s (id, x) ON l.id = s.id AND s.x = 'a' \
                 WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT VALUES (s.id, NULL, 'again')";
    let stored = apply(&db, "1.0", merge).await;
    assert_eq!(one(&db, "SELECT label FROM labels WHERE id = 35;"), "again");
    assert_eq!(stored.archive.as_ref().unwrap().rows, 2, "{:?}", stored.archive);
    execute_rollback(db.url(), "1.0", &restoring()).await.unwrap();
    assert_eq!(rows_differ(&db, &rows).await, Vec::<String>::new());
}
