//! A migration with statements that refuse a transaction block (`CREATE INDEX CONCURRENTLY`, `VACUUM`, ...):
//! each such statement alone, the runs of others between them in a transaction each, the bookkeeping after
//! the last one succeeded.
use std::ops::Range;

use pg_rollback_core::{At, ParsedMigration, Planner, TransactionRole};
use tokio_postgres::Client;

use super::{bookkeep, forget_metadata, refs, Applying, Failed, FailureDetail, InvalidIndex, StatementRef};
use crate::error::{pg_message, sqlstate, statement_cause, Error};
use crate::rollback::COMMIT_OUTCOME_UNKNOWN;
use crate::run::{ask, run_range, StatementFailed, Statements};
use crate::session::{self, Ctx};
use crate::ApplyOutcome;

/// The runs of a migration: each statement that refuses a transaction block alone (`false`), and each
/// run of the others between them together (`true`).
fn segments(migration: &ParsedMigration) -> Vec<(Range<usize>, bool)> {
    let mut out: Vec<(Range<usize>, bool)> = Vec::new();
    for (i, s) in migration.statements.iter().enumerate() {
        let transactional = s.runs_in_transaction();
        match out.last_mut() {
            Some((range, true)) if transactional => range.end = i + 1,
            _ => out.push((i..i + 1, transactional)),
        }
    }
    out
}

/// Indexes marked INVALID now (a concurrent build that failed leaves one), by OID.
const INVALID_INDEXES: &str = "SELECT c.oid::int8, pg_catalog.format('%I.%I', n.nspname, c.relname) \
     FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE NOT i.indisvalid";

async fn invalid_indexes(c: &Client, ctx: &Ctx) -> Vec<(i64, String)> {
    match ctx.query(c, INVALID_INDEXES, &[]).await {
        Ok(rows) => rows.iter().map(|r| (r.get(0), r.get(1))).collect(),
        Err(_) => Vec::new(),
    }
}

/// Run the current statement of `planner`, which refuses a transaction block, on its own. The state it
/// overwrites is read right before it and what PostgreSQL chose right after, each in a short transaction
/// of its own (the reads use savepoints); nothing holds that state between the read and the statement.
async fn run_alone(c: &Client, ctx: &Ctx, planner: &mut Planner, index: usize) -> Result<(), StatementFailed> {
    let text = planner.migration().statements[index].text.clone();
    let _ = c.batch_execute("BEGIN").await;
    ask(c, ctx, planner, At::Before).await;
    let _ = c.batch_execute("ROLLBACK").await;
    c.batch_execute(&text).await.map_err(|error| StatementFailed { index, error })?;
    let _ = c.batch_execute("BEGIN").await;
    ask(c, ctx, planner, At::After).await;
    let _ = c.batch_execute("ROLLBACK").await;
    planner.settle();
    Ok(())
}

/// Where a migration run outside one transaction stopped.
struct Stop {
    /// The failed statement (`None`: a COMMIT failed).
    index: Option<usize>,
    error: tokio_postgres::Error,
    /// Statements of its transaction that were undone.
    rolled_back: Range<usize>,
    invalid: Vec<(i64, String)>,
}

pub(super) async fn apply_outside_transaction(client: &Client, applying: Applying<'_>) -> Result<ApplyOutcome, Failed> {
    let Applying { ctx, known, input, migration, drizzle_last, label } = applying;
    let all = refs(&migration);
    let boundary: Vec<bool> =
        migration.statements.iter().map(|s| s.transaction_role() == TransactionRole::Boundary).collect();
    let runs = segments(&migration);
    let mut planner = Planner::new(migration, true);
    let mut applied: Vec<usize> = Vec::new();
    let mut stop = None;
    for (range, transactional) in runs {
        if transactional {
            if let Err(error) = client.batch_execute("BEGIN").await {
                stop = Some(Stop { index: Some(range.start), error, rolled_back: 0..0, invalid: Vec::new() });
                break;
            }
            match run_range(client, ctx, Statements::Captured(&mut planner), range.clone()).await {
                Ok(()) => match client.batch_execute("COMMIT").await {
                    Ok(()) => applied.extend(range),
                    Err(error) => {
                        stop = Some(Stop { index: None, error, rolled_back: range, invalid: Vec::new() });
                        break;
                    }
                },
                Err(StatementFailed { index, error }) => {
                    let _ = client.batch_execute("ROLLBACK").await;
                    stop =
                        Some(Stop { index: Some(index), error, rolled_back: range.start..index, invalid: Vec::new() });
                    break;
                }
            }
        } else {
            let before = invalid_indexes(client, ctx).await;
            if let Err(StatementFailed { index, error }) = run_alone(client, ctx, &mut planner, range.start).await {
                let mut invalid = invalid_indexes(client, ctx).await;
                invalid.retain(|(oid, _)| !before.iter().any(|(old, _)| old == oid));
                stop = Some(Stop { index: Some(index), error, rolled_back: 0..0, invalid });
                break;
            }
            applied.push(range.start);
        }
    }
    // Whatever happened, the next migration and the bookkeeping see pg-rollback's own session.
    let reset = session::reset(client, false, &known.connecting).await;
    let listed = |indexes: &mut dyn Iterator<Item = usize>| -> Vec<StatementRef> {
        indexes.filter(|&i| !boundary[i]).map(|i| all[i].clone()).collect()
    };
    let applied_refs = listed(&mut applied.iter().copied());
    let report = |what: String, stop: Option<&Stop>| {
        let mut text = format!("{label} {what}");
        text.push_str(
            "\nIt has statements that cannot run in a transaction (CONCURRENTLY or similar), so it ran statement by \
             statement and PostgreSQL cannot undo what ran before the failure.",
        );
        if applied_refs.is_empty() {
            text.push_str("\nNo statement of it stays applied.");
        } else {
            text.push_str("\nStatements that ran and stay applied:");
            for s in &applied_refs {
                text.push_str(&format!("\n  {} (line {}): {}", s.index + 1, s.line, s.sql));
            }
        }
        if let Some(stop) = stop {
            let undone = listed(&mut stop.rolled_back.clone());
            if !undone.is_empty() {
                let list: Vec<String> = undone.iter().map(|s| (s.index + 1).to_string()).collect();
                text.push_str(&format!(
                    "\nStatements {} ran in the failed statement's transaction and were rolled back.",
                    list.join(", ")
                ));
            }
            for (_, name) in &stop.invalid {
                text.push_str(&format!(
                    "\nThe failed statement left the index {name} behind, marked INVALID (unused by queries, still \
                     maintained on writes); remove it with: DROP INDEX CONCURRENTLY IF EXISTS {name};"
                ));
            }
        }
        text.push_str(
            "\nThe migration is NOT recorded (no schema_versions row, no drizzle.__drizzle_migrations row). Fix the \
             cause and run db:migrate:apply again: it runs the whole migration again, so write its statements so \
             that running them twice is harmless (CREATE INDEX CONCURRENTLY IF NOT EXISTS, DROP INDEX CONCURRENTLY \
             IF EXISTS, ...) or undo the ones that ran first.",
        );
        text
    };
    if let Some(stop) = stop {
        let what = match stop.index {
            Some(i) => format!(
                "failed at statement {} of {} (line {}, column {}): {}\nPostgreSQL: {}",
                i + 1,
                all.len(),
                all[i].line,
                all[i].column,
                all[i].sql,
                statement_cause(&stop.error)
            ),
            None => format!(
                "failed while committing statements {}-{}: {}",
                stop.rolled_back.start + 1,
                stop.rolled_back.end,
                statement_cause(&stop.error)
            ),
        };
        let detail = FailureDetail {
            outside_transaction: true,
            failed_statement: stop.index.map(|i| all[i].clone()),
            sqlstate: sqlstate(&stop.error).map(str::to_owned),
            applied_statements: applied_refs.clone(),
            rolled_back_statements: listed(&mut stop.rolled_back.clone()),
            invalid_indexes: stop
                .invalid
                .iter()
                .map(|(_, name)| InvalidIndex {
                    name: name.clone(),
                    drop_statement: format!("DROP INDEX CONCURRENTLY IF EXISTS {name};"),
                })
                .collect(),
        };
        return Err(Failed { error: Error::MigrationFailed(report(what, Some(&stop))), detail: Some(detail) });
    }
    let all_ran = |why: String| Failed {
        error: Error::MigrationFailed(report(format!("ran all its statements, but then failed: {why}"), None)),
        detail: Some(FailureDetail {
            outside_transaction: true,
            applied_statements: applied_refs.clone(),
            ..FailureDetail::default()
        }),
    };
    reset.map_err(all_ran)?;
    let plan = planner.finish();
    forget_metadata(known, &plan);
    // The bookkeeping: one transaction, after the last statement succeeded.
    client.batch_execute("BEGIN").await.map_err(|e| all_ran(format!("starting a transaction: {}", pg_message(&e))))?;
    match bookkeep(client, ctx, known, input, drizzle_last, &plan, None).await {
        Ok(rollback) => match client.batch_execute("COMMIT").await {
            Ok(()) => Ok(ApplyOutcome { applied: true, rollback }),
            Err(e) if e.as_db_error().is_some() => {
                Err(all_ran(format!("committing its bookkeeping: {}", pg_message(&e))))
            }
            Err(e) => Err(all_ran(format!("committing its bookkeeping: {}; {COMMIT_OUTCOME_UNKNOWN}", pg_message(&e)))),
        },
        Err(why) => {
            let _ = client.batch_execute("ROLLBACK").await;
            Err(all_ran(why))
        }
    }
}
