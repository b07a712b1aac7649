//! Rollbacks built from the state captured while the migration runs, proved on real PostgreSQL: setup,
//! dump A, `apply_migration` (capture), dump B, `execute_rollback`, dump C == A, apply again, dump == B.
//! Run for the captured case tables, and for every SQL-only case and adversarial migration too: capturing
//! must never call a rollback safe that does not restore the schema, nor lose one the SQL alone proved.
mod capture_cases;
#[path = "../../core/tests/cases/mod.rs"]
mod cases;
use capture_cases as captured;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;

use pg_rollback_db::Code;
use pg_rollback_db::{
    apply_migration, catalog_snapshot, compare_snapshots, execute_rollback, ExecuteOptions, MigrationInput, Snapshot,
    StoredRollback,
};
use testpg::{unified_diff, Database, Server};

const WORKERS: usize = 2;

/// Roles the cases grant to; created once per server (roles are not per database).
const ROLES: &str =
    "DO $$ BEGIN CREATE ROLE captured_reader; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE captured_writer; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE captured_owner; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Check {
    /// A captured case: the plan must match its expectation.
    Expect,
    /// A case the SQL alone makes safe: the captured plan must be safe too.
    StaysSafe,
    /// Anything: only what is called safe must round-trip; a migration that fails on its setup is skipped.
    WhenSafe,
    /// A capture trap: like `WhenSafe`, but its setup and migration must run.
    Trap,
    /// Like `Trap`, and the plan must be safe.
    MustBeSafe,
}

struct Item {
    name: String,
    setup: &'static str,
    migration: &'static str,
    check: Check,
    expect: Option<&'static captured::Expect>,
}

#[test]
fn captured_cases_round_trip() {
    let items: Vec<Item> = captured::all()
        .into_iter()
        .flat_map(|(family, cases)| cases.iter().map(move |c| (family, c)))
        .map(|(family, c)| Item {
            name: format!("[{family}] {}", c.name),
            setup: c.setup,
            migration: c.migration,
            check: Check::Expect,
            expect: Some(&c.expect),
        })
        .collect();
    assert!(items.len() > 20, "the captured case tables shrank to {}", items.len());
    run_all("captured cases", items);
}

#[test]
fn sql_only_cases_and_adversarial_migrations_round_trip_with_capture() {
    let mut items: Vec<Item> = cases::all()
        .into_iter()
        .flat_map(|(family, cases)| cases.iter().map(move |c| (family, c)))
        .map(|(family, c)| Item {
            name: format!("[{family}] {}", c.name),
            setup: c.setup,
            migration: c.migration,
            check: if matches!(c.expect, cases::Expect::Safe(_)) { Check::StaysSafe } else { Check::WhenSafe },
            expect: None,
        })
        .collect();
    items.extend(cases::adversarial::all().into_iter().map(|c| Item {
        name: format!("[adversarial] {}", c.name),
        setup: c.setup,
        migration: c.migration,
        check: Check::WhenSafe,
        expect: None,
    }));
    run_all("SQL-only cases and adversarial migrations, captured", items);
}

#[test]
fn capture_traps_round_trip_when_called_safe() {
    let items: Vec<Item> = runnable("capture traps", captured::TRAPS.iter().chain(captured::TEMPORARY_TRAPS))
        .map(|t| Item {
            name: format!("[trap] {}", t.name),
            setup: t.setup,
            migration: t.migration,
            check: Check::Trap,
            expect: None,
        })
        .collect();
    run_all("capture traps", items);
}

#[test]
fn partition_traps_round_trip_when_called_safe() {
    run_all("partition traps", trap_items("partition trap", captured::PARTITION_TRAPS));
}

#[test]
fn trigger_copy_traps_round_trip_when_called_safe() {
    run_all("trigger copy traps", trap_items("trigger copy trap", captured::TRIGGER_COPY_TRAPS));
}

#[test]
fn misc_traps_round_trip_when_called_safe() {
    run_all("misc capture traps", trap_items("trap misc", captured::MISC_TRAPS));
}

fn trap_items(label: &str, traps: &'static [captured::Trap]) -> Vec<Item> {
    runnable(label, traps.iter())
        .map(|t| Item {
            name: format!("[{label}] {}", t.name),
            setup: t.setup,
            migration: t.migration,
            check: Check::Trap,
            expect: None,
        })
        .collect()
}

/// The traps this server's syntax accepts; the others are counted and said.
fn runnable(
    label: &str,
    traps: impl Iterator<Item = &'static captured::Trap>,
) -> impl Iterator<Item = &'static captured::Trap> {
    let major = testpg::server().major();
    let (run, skipped): (Vec<_>, Vec<_>) = traps.partition(|t| (t.since..=t.until).contains(&major));
    if !skipped.is_empty() {
        println!("skipped on PostgreSQL {major}: {} {label}s, for other versions", skipped.len());
    }
    run.into_iter()
}

#[test]
fn not_null_constraint_cases_of_postgresql_17_and_18_round_trip() {
    let major = testpg::server().major();
    let (run, skipped): (Vec<_>, Vec<_>) = captured::traps_pg18::CASES.iter().partition(|c| major >= c.since);
    for since in [17, 18].into_iter().filter(|since| major < *since) {
        let count = skipped.iter().filter(|c| c.since == since).count();
        println!(
            "skipped on PostgreSQL {major}: {count} NOT NULL constraint cases, their syntax needs PostgreSQL {since}+"
        );
    }
    if run.is_empty() {
        return;
    }
    let items: Vec<Item> = run
        .into_iter()
        .map(|c| Item {
            name: format!("[pg18] {}", c.name),
            setup: c.setup,
            migration: c.migration,
            check: if c.must_be_safe { Check::MustBeSafe } else { Check::Trap },
            expect: None,
        })
        .collect();
    run_all("NOT NULL constraint cases", items);
}

fn run_all(what: &str, mut items: Vec<Item>) {
    // PG_ROLLBACK_CAPTURED_FILTER=text runs only the items whose name contains it (while working on a family).
    if let Ok(filter) = std::env::var("PG_ROLLBACK_CAPTURED_FILTER") {
        items.retain(|item| item.name.contains(&filter));
    }
    let server = testpg::server();
    server.fresh_database("roles").run(ROLES).expect("creating the test roles");
    let next = AtomicUsize::new(0);
    let failures: Mutex<Vec<(usize, String)>> = Mutex::new(Vec::new());
    thread::scope(|s| {
        for _ in 0..WORKERS.min(items.len()) {
            s.spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        runtime.block_on(round_trip(server, item))
                    }))
                    .unwrap_or_else(|_| Err("panicked".into()));
                    if let Err(why) = outcome {
                        let report = format!("=== {}\n--- migration:\n{}\n{why}", item.name, item.migration.trim_end());
                        failures.lock().unwrap().push((i, report));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort_by_key(|(i, _)| *i);
    if !failures.is_empty() {
        let reports: Vec<String> = failures.into_iter().map(|(_, r)| r).collect();
        panic!("{} of {} {what} failed:\n\n{}", reports.len(), items.len(), reports.join("\n\n"));
    }
}

fn input(sql: &str) -> MigrationInput {
    MigrationInput { version: "1".into(), migration_file: "m.sql".into(), sql: sql.into(), ..Default::default() }
}

fn describe(stored: &StoredRollback) -> String {
    let warnings: Vec<String> = stored.warnings.iter().map(|w| format!("{}: {}", w.code, w.message)).collect();
    format!(
        "safe={} captured={}\n--- script:\n{}\n--- warnings:\n{}",
        stored.rollback_safe,
        stored.state_captured,
        stored.rollback_script.as_deref().unwrap_or("(none)").trim_end(),
        warnings.join("\n")
    )
}

/// The schema as the catalog snapshot reads it and, where `pg_dump` is of the server's version (15 here),
/// as `pg_dump` prints it. Elsewhere the snapshot alone is the oracle (cross-checked against pg_dump on 15).
struct Schema {
    dump: Option<String>,
    snapshot: Snapshot,
}

async fn schema(server: &Server, db: &Database) -> Result<Schema, String> {
    let dump = if server.has_pg_dump() { Some(db.schema_dump()?) } else { None };
    let snapshot = catalog_snapshot(db.url()).await.map_err(|e| format!("catalog snapshot failed: {e}"))?;
    Ok(Schema { dump, snapshot })
}

/// What differs from `a` to `b` (empty when the schemas are equal): the pg_dump diff when there are dumps,
/// else the catalog comparison.
fn schema_diff(a: &Schema, b: &Schema, a_label: &str, b_label: &str) -> String {
    match (&a.dump, &b.dump) {
        (Some(a_dump), Some(b_dump)) => unified_diff(a_dump, b_dump, a_label, b_label),
        _ => {
            let texts: Vec<String> =
                compare_snapshots(&a.snapshot, &b.snapshot).iter().map(ToString::to_string).collect();
            if texts.is_empty() {
                String::new()
            } else {
                format!("catalog comparison {a_label} -> {b_label}:\n{}", texts.join("\n"))
            }
        }
    }
}

/// The cross-check: the catalog comparison (what `verify` uses) says "same schema" exactly when `pg_dump` does.
fn same_verdict(a: &Schema, b: &Schema, a_label: &str, b_label: &str) -> Result<(), String> {
    let (Some(a_dump), Some(b_dump)) = (&a.dump, &b.dump) else { return Ok(()) };
    let differences = compare_snapshots(&a.snapshot, &b.snapshot);
    if (a_dump == b_dump) == differences.is_empty() {
        return Ok(());
    }
    let texts: Vec<String> = differences.iter().map(ToString::to_string).collect();
    Err(format!(
        "the catalog comparison and pg_dump disagree between {a_label} and {b_label}:\ncatalog: {texts:#?}\npg_dump:\n{}",
        unified_diff(a_dump, b_dump, a_label, b_label)
    ))
}

async fn round_trip(server: &Server, item: &Item) -> Result<(), String> {
    let db: Database = server.fresh_database("captured");
    // With the archive's columns: every DROP COLUMN / ALTER COLUMN TYPE of the cases is also kept at apply.
    let metadata = [
        pg_rollback_db::SCHEMA_VERSIONS_SQL,
        pg_rollback_db::ROLLBACK_COLUMNS_SQL,
        pg_rollback_db::ROLLBACK_PLAN_SQL,
        pg_rollback_db::ARCHIVE_SQL,
    ];
    db.run(&metadata.join("\n")).map_err(|e| format!("creating schema_versions failed: {e}"))?;
    // Statements that cannot run in a transaction (CONCURRENTLY) are applied statement by statement and
    // proved like the others.
    if let Err(e) = db.run(item.setup) {
        return match item.check {
            Check::WhenSafe => Ok(()),
            _ => Err(format!("setup failed: {e}")),
        };
    }
    let before = schema(server, &db).await?;
    let applied = match apply_migration(db.url(), &input(item.migration), None).await {
        Ok(applied) => applied,
        Err(_) if item.check == Check::WhenSafe => return Ok(()),
        Err(e) => return Err(format!("apply_migration failed: [{}] {e}", e.code())),
    };
    let stored = applied.rollback.ok_or("no schema_versions row was written")?;
    if !stored.state_captured {
        return Err(format!("the plan was not captured\n{}", describe(&stored)));
    }
    let migrated = schema(server, &db).await?;
    same_verdict(&before, &migrated, "before migration (A)", "after migration (B)")?;
    match (item.check, item.expect) {
        (Check::Expect, Some(captured::Expect::Safe(script))) => {
            // "" in a case table: nothing to undo, so a script of comments only (issue 16).
            let got = stored.rollback_script.as_deref();
            let matches = if script.is_empty() {
                got.is_some_and(pg_rollback_core::noop::is_comment_only)
            } else {
                got == Some(*script)
            };
            let script = (!script.is_empty()).then_some(*script);
            // The scripts are written as PostgreSQL 15 deparses definitions (16+ drop the table prefix of
            // columns in view bodies, 17+ grant MAINTAIN); elsewhere the round trip below is the check.
            let exact = server.major() == 15;
            if !stored.rollback_safe || (exact && !matches) {
                return Err(format!(
                    "expected safe with script:\n{}\ngot {}",
                    script.unwrap_or("(none)"),
                    describe(&stored)
                ));
            }
        }
        (Check::Expect, Some(captured::Expect::Unsafe(code))) => {
            let first =
                stored.warnings.iter().find(|w| w.code != Code::NonTransactional && w.code != Code::CaptureFailed);
            if stored.rollback_safe || first.map(|w| w.code.as_str()) != Some(code) {
                return Err(format!("expected unsafe {code}, got {}", describe(&stored)));
            }
        }
        (Check::MustBeSafe, _) if !stored.rollback_safe => {
            return Err(format!("expected a safe rollback: {}", describe(&stored)));
        }
        (Check::StaysSafe, _) if !stored.rollback_safe => {
            return Err(format!("the SQL alone makes this safe, the captured plan does not: {}", describe(&stored)));
        }
        _ => {}
    }
    if stored.warnings.iter().any(|w| w.code == Code::CaptureFailed) {
        return Err(format!("a capture failed: {}", describe(&stored)));
    }
    if !stored.rollback_safe {
        return Ok(());
    }
    if stored.rollback_script.is_none() {
        let changed = schema_diff(&before, &migrated, "before migration (A)", "after migration (B)");
        if !changed.is_empty() {
            return Err(format!(
                "plan says there is nothing to undo, but the migration changed the schema:\n{changed}"
            ));
        }
        return Ok(());
    }
    execute_rollback(db.url(), "1", &ExecuteOptions::default())
        .await
        .map_err(|e| format!("execute_rollback failed: [{}] {e}\n{}", e.code(), describe(&stored)))?;
    let rolled_back = schema(server, &db).await?;
    same_verdict(&before, &rolled_back, "before migration (A)", "after rollback (C)")?;
    let left = schema_diff(&before, &rolled_back, "before migration (A)", "after rollback (C)");
    if !left.is_empty() {
        return Err(format!("rollback did not restore the schema:\n{left}\n{}", describe(&stored)));
    }
    apply_migration(db.url(), &input(item.migration), None)
        .await
        .map_err(|e| format!("re-applying the migration after the rollback failed: {e}\n{}", describe(&stored)))?;
    let remigrated = schema(server, &db).await?;
    same_verdict(&migrated, &remigrated, "after migration (B)", "after rollback + migration")?;
    let changed = schema_diff(&migrated, &remigrated, "after migration (B)", "after rollback + migration");
    if !changed.is_empty() {
        return Err(format!("re-applied migration gave a different schema:\n{changed}"));
    }
    Ok(())
}
