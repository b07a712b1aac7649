//! Proves every `Expect::Safe` case on real PostgreSQL: setup, dump A, migrate, dump B, run the
//! generated rollback, dump C == A, migrate again (must work), dump == B.
//!
//! Needs PostgreSQL: `DATABASE_URL`, or a local install that `testpg` starts a throwaway cluster from.
mod cases;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;

use cases::Expect;
use pg_rollback_core::generate_rollback;
use testpg::{unified_diff, Database, Server};

/// Databases worked on at once; psql/pg_dump start-up dominates, so a little overlap helps.
const WORKERS: usize = 2;

#[test]
fn safe_cases_round_trip_on_postgres() {
    let safe: Vec<(String, &str, &str)> = cases::all()
        .into_iter()
        .flat_map(|(family, cases)| cases.iter().map(move |case| (family, case)))
        .filter(|(_, case)| matches!(case.expect, Expect::Safe(_)))
        .map(|(family, case)| (format!("[{family}] {}", case.name), case.setup, case.migration))
        .collect();
    assert!(!safe.is_empty(), "no Expect::Safe cases found in tests/cases");
    run_all("Safe cases", &safe, Mode::Case);
}

/// Migrations written to break the generator: it may refuse them, but what it calls safe must round-trip.
#[test]
fn adversarial_migrations_round_trip_when_called_safe() {
    let known =
        |name: &str| cases::adversarial::KNOWN_LIMITATIONS.iter().any(|(id, _)| name.split(' ').next() == Some(id));
    let candidates: Vec<(String, &str, &str)> = cases::adversarial::all()
        .into_iter()
        .filter(|c| !known(c.name))
        .map(|c| (c.name.to_owned(), c.setup, c.migration))
        .collect();
    assert!(candidates.len() > 100, "the adversarial list shrank to {}", candidates.len());
    run_all("adversarial migrations called safe", &candidates, Mode::Adversarial);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A table case: it must be safe and the migration must change the schema.
    Case,
    /// Only plans called safe are checked; a migration that itself fails on its setup is skipped.
    Adversarial,
}

fn run_all(what: &str, items: &[(String, &str, &str)], mode: Mode) {
    let server = testpg::server();
    let next = AtomicUsize::new(0);
    let failures: Mutex<Vec<(usize, String)>> = Mutex::new(Vec::new());
    thread::scope(|s| {
        for _ in 0..WORKERS.min(items.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((name, setup, migration)) = items.get(i) else { break };
                // A panic in the generator is that item's failure, not the end of the run.
                let outcome = catch_unwind(AssertUnwindSafe(|| round_trip(server, setup, migration, mode)))
                    .unwrap_or_else(|panic| Err(format!("panicked: {}", panic_text(&*panic))));
                if let Err(why) = outcome {
                    let report = format!("=== {name}\n--- migration:\n{}\n{why}", migration.trim_end());
                    failures.lock().unwrap().push((i, report));
                }
            });
        }
    });

    let mut failures = failures.into_inner().unwrap();
    failures.sort_by_key(|(i, _)| *i);
    if !failures.is_empty() {
        let reports: Vec<String> = failures.into_iter().map(|(_, r)| r).collect();
        panic!(
            "{} of {} {what} failed the round trip on PostgreSQL:\n\n{}",
            reports.len(),
            items.len(),
            reports.join("\n\n")
        );
    }
}

fn round_trip(server: &Server, setup: &str, migration: &str, mode: Mode) -> Result<(), String> {
    let plan = generate_rollback(migration).map_err(|e| format!("generate_rollback failed: [{}] {e}", e.code()))?;
    if !plan.rollback_safe && mode == Mode::Adversarial {
        return Ok(());
    }
    if !plan.rollback_safe {
        let warnings: Vec<String> = plan.warnings.iter().map(|w| format!("{}: {}", w.code, w.message)).collect();
        return Err(format!("plan is not rollbackSafe; warnings: {warnings:?}"));
    }
    // Comments only mean "nothing to undo": then the migration itself must leave the schema as it was.
    let rollback =
        plan.rollback_script.as_deref().filter(|s| !pg_rollback_core::noop::is_comment_only(s)).unwrap_or("");
    let with_script =
        |why: String| format!("--- rollback (transactional: {}):\n{}\n{why}", plan.transactional, rollback.trim_end());
    // What cannot run in a transaction (CONCURRENTLY, ...) runs statement by statement, as it would in production.
    let apply = |db: &Database, sql: &str| if plan.transactional { db.run_in_transaction(sql) } else { db.run(sql) };

    let db = server.fresh_database("roundtrip");
    db.run(setup).map_err(|e| format!("setup failed: {e}"))?;
    let before = db.schema_dump()?;
    match apply(&db, migration) {
        Err(_) if mode == Mode::Adversarial => return Ok(()),
        result => result.map_err(|e| format!("migration failed: {e}"))?,
    }
    let migrated = db.schema_dump()?;
    if rollback.is_empty() {
        return match migrated == before {
            true => Ok(()),
            false => Err(format!(
                "plan says there is nothing to undo, but the migration changed the schema:\n{}",
                unified_diff(&before, &migrated, "before migration (A)", "after migration (B)")
            )),
        };
    }
    if migrated == before && mode == Mode::Case {
        return Err("the migration did not change the schema dump, so the round trip proves nothing".into());
    }
    apply(&db, rollback).map_err(|e| with_script(format!("rollback failed: {e}")))?;
    let rolled_back = db.schema_dump()?;
    if rolled_back != before {
        let diff = unified_diff(&before, &rolled_back, "before migration (A)", "after rollback (C)");
        return Err(with_script(format!("rollback did not restore the schema:\n{diff}")));
    }
    apply(&db, migration)
        .map_err(|e| with_script(format!("re-applying the migration after the rollback failed: {e}")))?;
    let remigrated = db.schema_dump()?;
    if remigrated != migrated {
        let diff = unified_diff(&migrated, &remigrated, "after migration (B)", "after rollback + migration");
        return Err(with_script(format!("re-applied migration gave a different schema:\n{diff}")));
    }
    Ok(())
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".into())
}
