//! Proves every `Expect::Safe` case on real PostgreSQL: setup, dump A, migrate, dump B, run the
//! generated rollback, dump C == A, migrate again (must work), dump == B.
//!
//! Needs PostgreSQL: `DATABASE_URL`, or a local install that `testpg` starts a throwaway cluster from.
mod cases;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;

use cases::{Case, Expect};
use pg_rollback_core::generate_rollback;
use testpg::{unified_diff, Database, Server};

/// Databases worked on at once; psql/pg_dump start-up dominates, so a little overlap helps.
const WORKERS: usize = 2;

#[test]
fn safe_cases_round_trip_on_postgres() {
    let safe: Vec<(&str, &Case)> = cases::all()
        .into_iter()
        .flat_map(|(family, cases)| cases.iter().map(move |case| (family, case)))
        .filter(|(_, case)| matches!(case.expect, Expect::Safe(_)))
        .collect();
    assert!(!safe.is_empty(), "no Expect::Safe cases found in tests/cases");

    let server = testpg::server();
    let next = AtomicUsize::new(0);
    let failures: Mutex<Vec<(usize, String)>> = Mutex::new(Vec::new());
    thread::scope(|s| {
        for _ in 0..WORKERS.min(safe.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(family, case)) = safe.get(i) else { break };
                // A panic in the generator is that case's failure, not the end of the run.
                let outcome = catch_unwind(AssertUnwindSafe(|| round_trip(server, case)))
                    .unwrap_or_else(|panic| Err(format!("panicked: {}", panic_text(&*panic))));
                if let Err(why) = outcome {
                    let report =
                        format!("=== [{family}] {}\n--- migration:\n{}\n{why}", case.name, case.migration.trim_end());
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
            "{} of {} Safe cases failed the round trip on PostgreSQL:\n\n{}",
            reports.len(),
            safe.len(),
            reports.join("\n\n")
        );
    }
}

fn round_trip(server: &Server, case: &Case) -> Result<(), String> {
    let plan =
        generate_rollback(case.migration).map_err(|e| format!("generate_rollback failed: [{}] {e}", e.code()))?;
    if !plan.rollback_safe {
        let warnings: Vec<String> = plan.warnings.iter().map(|w| format!("{}: {}", w.code, w.message)).collect();
        return Err(format!("plan is not rollbackSafe; warnings: {warnings:?}"));
    }
    // No script means "nothing to undo": then the migration itself must leave the schema as it was.
    let rollback = plan.rollback_script.as_deref().unwrap_or("");
    let with_script =
        |why: String| format!("--- rollback (transactional: {}):\n{}\n{why}", plan.transactional, rollback.trim_end());
    // What cannot run in a transaction (CONCURRENTLY, ...) runs statement by statement, as it would in production.
    let apply = |db: &Database, sql: &str| if plan.transactional { db.run_in_transaction(sql) } else { db.run(sql) };

    let db = server.fresh_database("roundtrip");
    db.run(case.setup).map_err(|e| format!("setup failed: {e}"))?;
    let before = db.schema_dump()?;
    apply(&db, case.migration).map_err(|e| format!("migration failed: {e}"))?;
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
    if migrated == before {
        return Err("the migration did not change the schema dump, so the round trip proves nothing".into());
    }
    apply(&db, rollback).map_err(|e| with_script(format!("rollback failed: {e}")))?;
    let rolled_back = db.schema_dump()?;
    if rolled_back != before {
        let diff = unified_diff(&before, &rolled_back, "before migration (A)", "after rollback (C)");
        return Err(with_script(format!("rollback did not restore the schema:\n{diff}")));
    }
    apply(&db, case.migration)
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
