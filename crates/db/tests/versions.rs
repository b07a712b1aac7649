//! The server is the PostgreSQL version asked for (`PG_ROLLBACK_TEST_PG`, which `scripts/test.sh` sets for 14, 16,
//! 17 and 18), and the catalog comparison sees what that version catalogues: the names of NOT NULL constraints
//! (domains from 17, table columns from 18, with `NOT VALID`) and virtual generated columns (18).
mod common;

use pg_rollback_db::{catalog_snapshot, compare_snapshots};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn differences(setup: &str, change: &str) -> Vec<String> {
    let db = common::fresh("versions");
    db.run(setup).unwrap();
    let runtime = runtime();
    let before = runtime.block_on(catalog_snapshot(db.url())).unwrap();
    db.run(change).unwrap();
    let after = runtime.block_on(catalog_snapshot(db.url())).unwrap();
    compare_snapshots(&before, &after).iter().map(ToString::to_string).collect()
}

#[test]
fn the_server_is_the_version_asked_for() {
    let server = testpg::server();
    match testpg::requested_major() {
        Some(major) => {
            assert_eq!(server.major(), major, "PG_ROLLBACK_TEST_PG={major} but the server is {}", server.version_num())
        }
        None => println!("PG_ROLLBACK_TEST_PG is not set; the server is PostgreSQL {}", server.version_num()),
    }
    assert!((14..=18).contains(&server.major()), "unsupported PostgreSQL {}", server.version_num());
}

#[test]
fn a_renamed_not_null_constraint_of_a_domain_is_a_difference_from_17() {
    let major = testpg::server().major();
    if major < 17 {
        println!("skipped on PostgreSQL {major}: domain NOT NULL constraints have names from 17");
        return;
    }
    let texts = differences(
        "CREATE DOMAIN d AS int CONSTRAINT d_nn NOT NULL;",
        "ALTER DOMAIN d DROP NOT NULL; ALTER DOMAIN d SET NOT NULL;",
    );
    assert!(texts.iter().any(|t| t.contains("d_nn")), "{texts:#?}");
}

#[test]
fn table_not_null_constraint_names_and_validity_are_differences_from_18() {
    let major = testpg::server().major();
    if major < 18 {
        println!("skipped on PostgreSQL {major}: table NOT NULL constraints have names from 18");
        return;
    }
    let renamed = differences(
        "CREATE TABLE t (a int CONSTRAINT a_nn NOT NULL);",
        "ALTER TABLE t ALTER a DROP NOT NULL; ALTER TABLE t ALTER a SET NOT NULL;",
    );
    assert!(renamed.iter().any(|t| t.contains("a_nn")), "{renamed:#?}");
    let validated = differences(
        "CREATE TABLE t (a int); ALTER TABLE t ADD CONSTRAINT a_nn NOT NULL a NOT VALID;",
        "ALTER TABLE t VALIDATE CONSTRAINT a_nn;",
    );
    assert!(validated.iter().any(|t| t.contains("a_nn") && t.contains("validated")), "{validated:#?}");
}

#[test]
fn a_virtual_generated_column_made_stored_is_a_difference_from_18() {
    let major = testpg::server().major();
    if major < 18 {
        println!("skipped on PostgreSQL {major}: virtual generated columns exist from 18");
        return;
    }
    let texts = differences(
        "CREATE TABLE t (a int, g int GENERATED ALWAYS AS (a * 2) VIRTUAL);",
        "ALTER TABLE t DROP COLUMN g; ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (a * 2) STORED;",
    );
    assert!(texts.iter().any(|t| t.contains("public.t.g") && t.contains("generated")), "{texts:#?}");
}
