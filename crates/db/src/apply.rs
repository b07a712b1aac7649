//! Applying migrations with their rollback captured from the live database, the dry run that does the
//! same and rolls back, and recording a rollback after the fact (from the SQL alone).
use std::ops::Range;

use pg_rollback_core::{At, InTransaction, ParsedMigration, Planner, RollbackPlan, TransactionRole};
use serde::Serialize;
use tokio_postgres::{Client, GenericClient};

use crate::connect::parse_url;
use crate::drizzle;
use crate::error::{pg_message, sqlstate, statement_cause, Error, Result};
use crate::execute::{ask, run, run_range, StatementFailed, Statements, COMMIT_OUTCOME_UNKNOWN};
use crate::lock::{set_timeouts, take_lock, Timeouts};
use crate::session::{self, check_migration, check_text, check_timeout, roles, with_session, Ctx};
use crate::versions;
use crate::{ApplyOutcome, DrizzleEntry, MigrationInput, PlannedMigration, StoredRollback, ADVISORY_LOCK_KEY};

/// A migration parsed before anything is sent to the database.
fn parse(label: &str, sql: &str) -> Result<ParsedMigration> {
    ParsedMigration::parse(sql).map_err(|e| {
        Error::MigrationFailed(format!("{label} was not applied: the SQL does not parse ({}): {e}", e.code()))
    })
}

/// Refuses, before anything is applied, what PostgreSQL can never run the way pg-rollback runs a migration.
fn check_runnable(label: &str, migration: &ParsedMigration) -> Result<()> {
    let failed = |detail: String| Error::MigrationFailed(format!("{label} {detail}"));
    if let Some(i) = migration.first_transaction_control() {
        return Err(failed(format!(
            "was not applied: statement {} (`{}`, line {}) would end or abandon the transaction pg-rollback applies \
             the migration's statements in (its BEGIN and COMMIT are fine: they are skipped)",
            i + 1,
            migration.statements[i].text,
            migration.statements[i].line
        )));
    }
    if let Some(i) = migration.first_non_transactional_in_block() {
        let s = &migration.statements[i];
        return Err(failed(format!(
            "was not applied: statement {} of {} (line {}, column {}), `{}`, cannot run inside a transaction block, \
             and the migration writes it between BEGIN and COMMIT, where PostgreSQL can never run it. Move it after \
             the COMMIT (pg-rollback then runs it on its own, outside a transaction); nothing was changed",
            i + 1,
            migration.statements.len(),
            s.line,
            s.column,
            s.text
        )));
    }
    Ok(())
}

/// A statement of a migration, for reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, js_name = "MigrationStatement"))]
pub struct StatementRef {
    /// 0-based.
    pub index: u32,
    pub line: u32,
    pub column: u32,
    pub sql: String,
}

/// An index a failed `CONCURRENTLY` statement left behind INVALID, and the statement that removes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object))]
pub struct InvalidIndex {
    /// Schema-qualified, quoted as needed.
    pub name: String,
    pub drop_statement: String,
}

/// What ran of a migration that failed. It is never recorded (no `schema_versions` row, no Drizzle row).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureDetail {
    /// True when the migration ran statement by statement outside one transaction (it has statements
    /// that cannot run in one): then what ran before the failure stays applied.
    pub outside_transaction: bool,
    /// The statement that failed; `None` when every statement ran and what followed them failed.
    pub failed_statement: Option<StatementRef>,
    /// The SQLSTATE of the failure, when PostgreSQL gave one.
    pub sqlstate: Option<String>,
    /// Statements that ran and stay applied.
    pub applied_statements: Vec<StatementRef>,
    /// Statements that ran in the failed one's transaction and were undone with it.
    pub rolled_back_statements: Vec<StatementRef>,
    /// Indexes the failed statement left INVALID (a failed concurrent build), with the statement removing each.
    pub invalid_indexes: Vec<InvalidIndex>,
}

/// A migration's failure, with what ran of it when a statement had run.
struct Failed {
    error: Error,
    detail: Option<FailureDetail>,
}

impl From<Error> for Failed {
    fn from(error: Error) -> Self {
        Failed { error, detail: None }
    }
}

fn refs(migration: &ParsedMigration) -> Vec<StatementRef> {
    let statements = migration.statements.iter().enumerate();
    statements
        .map(|(i, s)| StatementRef { index: i as u32, line: s.line, column: s.column, sql: s.text.clone() })
        .collect()
}

/// Run `planner`'s migration in the caller's transaction, reading the state each statement overwrites; the
/// plan that undoes it. A failing statement is `MIGRATION_FAILED` naming it; the caller rolls back.
async fn run_captured<C: GenericClient + Sync>(
    c: &C,
    ctx: &Ctx,
    known: &mut Known,
    label: &str,
    mut planner: Planner,
    unchanged: &str,
) -> Result<RollbackPlan, Failed> {
    if let Err(StatementFailed { index, error }) = run(c, ctx, Statements::Captured(&mut planner)).await {
        let all = refs(planner.migration());
        let s = &planner.migration().statements[index];
        let error_text = format!(
            "{label} failed at statement {} of {} (line {}, column {}): {}\nPostgreSQL: {}\n{unchanged}",
            index + 1,
            all.len(),
            s.line,
            s.column,
            s.text,
            statement_cause(&error)
        );
        let ran = planner.migration().statements[..index].iter().zip(&all);
        let detail = FailureDetail {
            failed_statement: Some(all[index].clone()),
            sqlstate: sqlstate(&error).map(str::to_owned),
            rolled_back_statements: ran
                .filter(|(s, _)| s.transaction_role() != TransactionRole::Boundary)
                .map(|(_, r)| r.clone())
                .collect(),
            ..FailureDetail::default()
        };
        return Err(Failed { error: Error::MigrationFailed(error_text), detail: Some(detail) });
    }
    let plan = planner.finish();
    forget_metadata(known, &plan);
    Ok(plan)
}

/// What changed pg-rollback's or Drizzle's tables is looked at again.
fn forget_metadata(known: &mut Known, plan: &RollbackPlan) {
    if plan.warnings.iter().any(|w| w.code == pg_rollback_core::code::ROLLBACK_METADATA) {
        known.schema_versions = None;
        known.drizzle_last = None;
    }
}

/// What one session learned about the metadata tables, kept between migrations; a migration that changes
/// `schema_versions` or Drizzle's schema (ROLLBACK_METADATA) makes it look again.
#[derive(Default)]
struct Known {
    /// The newest `created_at` Drizzle records (`Some(None)`: no table yet); read under the lock, then kept.
    drizzle_last: Option<Option<i64>>,
    schema_versions: Option<versions::Table>,
    /// `session_user` and `current_user` before the first migration: who the bookkeeping runs as.
    connecting: (String, String),
}

/// Apply a migration and store its rollback, under the advisory lock.
///
/// The rollback is built while the migration runs: before each statement the state it overwrites is read
/// from the database (a default, an index's definition, whether an object existed, ...), after it what
/// PostgreSQL chose (names of unnamed objects). With a Drizzle entry the migration is skipped
/// (`applied: false`) when `drizzle.__drizzle_migrations` already has a row with
/// `created_at >= entry.created_at` (drizzle-orm's rule), and the row is recorded with it; without one,
/// only `schema_versions` records it.
///
/// A migration whose statements can all run in a transaction runs in one, with its bookkeeping: any
/// failure leaves the database unchanged and is `MIGRATION_FAILED`. One with statements that cannot
/// (`CREATE INDEX CONCURRENTLY`, `VACUUM`, ...) runs as [`apply_migrations`] describes.
pub async fn apply_migration(url: &str, m: &MigrationInput, entry: Option<&DrizzleEntry>) -> Result<ApplyOutcome> {
    let input = ApplyInput { migration: m.clone(), drizzle: entry.cloned() };
    let mut applied = apply_migrations(url, std::slice::from_ref(&input)).await?;
    match applied.failure.take() {
        Some(failure) => {
            let detail = applied.failure_detail.unwrap_or_default();
            Err(failure.with_statement(detail.failed_statement, detail.sqlstate))
        }
        None => applied.outcomes.pop().ok_or_else(|| Error::Internal("no outcome for the migration".into())),
    }
}

/// A migration for [`apply_migrations`]: what `schema_versions` records, and Drizzle's record of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyInput {
    pub migration: MigrationInput,
    pub drizzle: Option<DrizzleEntry>,
}

/// What [`apply_migrations`] did: an outcome per migration up to the first that failed, and its failure.
#[derive(Debug)]
pub struct AppliedMigrations {
    pub outcomes: Vec<ApplyOutcome>,
    /// The first failure (`MIGRATION_FAILED`, `LOCK_TIMEOUT`, ...); the migration at `outcomes.len()` is
    /// the one that failed, and it is not recorded.
    pub failure: Option<Error>,
    /// What ran of that migration, when a statement of it had run.
    pub failure_detail: Option<FailureDetail>,
}

/// Apply migrations in order on ONE connection, under the advisory lock held for the whole run: a new
/// connection's first DDL costs several times more than on a warm one. Every migration is parsed, and
/// what PostgreSQL could never run is refused, before the first is applied.
///
/// A migration whose statements can all run in a transaction runs in one together with its bookkeeping.
/// One with statements that cannot (`CREATE`/`DROP INDEX CONCURRENTLY`, `REINDEX CONCURRENTLY`, `VACUUM`,
/// ...) runs statement by statement: each such statement on its own outside a transaction, each run of
/// ordinary statements between them in one transaction; the state each statement overwrites is still read
/// right before it; the bookkeeping is written in one transaction after the last statement succeeded.
/// If one fails, what ran before it stays applied, the migration is not recorded, and `failure_detail`
/// says what ran, what failed and which INVALID indexes a failed concurrent build left.
///
/// After each migration (and before its bookkeeping) the session is put back to pg-rollback's own: `RESET`
/// of role, session authorization and every setting, so nothing a migration `SET` reaches the next one or
/// the bookkeeping. Stops at the first failure; the migrations before it stay applied.
pub async fn apply_migrations(url: &str, inputs: &[ApplyInput]) -> Result<AppliedMigrations> {
    let mut parsed = Vec::with_capacity(inputs.len());
    for input in inputs {
        let m = &input.migration;
        check_migration(m)?;
        if let Some(entry) = &input.drizzle {
            check_text("drizzleHash", &entry.hash, false)?;
        }
        parsed.push(parse(&format!("Migration {} ({})", m.version, m.migration_file), &m.sql)?);
    }
    parse_url(url)?;
    with_session(url, async |client, ctx| {
        // The lock is held for the whole run (what the run reads of Drizzle's table stays true meanwhile).
        take_lock(&*client, ctx, "pg_advisory_lock").await?;
        let result = apply_locked(client, ctx, inputs, parsed).await;
        // Released explicitly: the embedded server shares its session between connections.
        let _ = client.batch_execute(&format!("SELECT pg_advisory_unlock({ADVISORY_LOCK_KEY})")).await;
        result
    })
    .await
}

async fn apply_locked(
    client: &mut Client,
    ctx: &Ctx,
    inputs: &[ApplyInput],
    parsed: Vec<ParsedMigration>,
) -> Result<AppliedMigrations> {
    let mut known = Known::default();
    known.connecting = roles(&*client).await.map_err(|e| ctx.err("reading the connecting role", &e))?;
    // What will run is checked before anything is applied.
    if inputs.iter().any(|input| input.drizzle.is_some()) {
        let last = drizzle::last_created_at(&*client, ctx)
            .await
            .map_err(|e| ctx.err("reading drizzle.__drizzle_migrations", &e))?;
        known.drizzle_last = Some(last);
    }
    for (input, migration) in inputs.iter().zip(&parsed) {
        let m = &input.migration;
        if !already_recorded(&known, input) {
            check_runnable(&format!("Migration {} ({})", m.version, m.migration_file), migration)?;
        }
    }
    let mut outcomes = Vec::with_capacity(inputs.len());
    for (input, migration) in inputs.iter().zip(parsed) {
        match apply_one(client, ctx, &mut known, input, migration).await {
            Ok(outcome) => outcomes.push(outcome),
            Err(Failed { error, detail }) => {
                return match error {
                    // A broken connection is the call's failure, not a migration's.
                    e @ Error::ConnectionFailed(_) if outcomes.is_empty() && detail.is_none() => Err(e),
                    error => Ok(AppliedMigrations { outcomes, failure: Some(error), failure_detail: detail }),
                };
            }
        }
    }
    Ok(AppliedMigrations { outcomes, failure: None, failure_detail: None })
}

/// drizzle-orm's rule: applied when Drizzle records a migration at or after this one.
fn already_recorded(known: &Known, input: &ApplyInput) -> bool {
    match (&input.drizzle, known.drizzle_last) {
        (Some(entry), Some(Some(last))) => last >= entry.created_at,
        _ => false,
    }
}

async fn apply_one(
    client: &mut Client,
    ctx: &Ctx,
    known: &mut Known,
    input: &ApplyInput,
    migration: ParsedMigration,
) -> Result<ApplyOutcome, Failed> {
    let m = &input.migration;
    let label = format!("Migration {} ({})", m.version, m.migration_file);
    let mut drizzle_last = None;
    if input.drizzle.is_some() {
        let last = match known.drizzle_last {
            Some(last) => last,
            None => drizzle::last_created_at(&*client, ctx).await.map_err(|e| {
                Error::MigrationFailed(format!(
                    "{label} failed while reading drizzle.__drizzle_migrations: {}; nothing was applied",
                    pg_message(&e)
                ))
            })?,
        };
        known.drizzle_last = Some(last);
        if already_recorded(known, input) {
            return Ok(ApplyOutcome { applied: false, rollback: None });
        }
        drizzle_last = Some(last);
    }
    if migration.runs_in_transaction() {
        apply_in_transaction(client, ctx, known, input, migration, drizzle_last, &label).await
    } else {
        apply_outside_transaction(&*client, ctx, known, input, migration, drizzle_last, &label).await
    }
}

async fn apply_in_transaction(
    client: &mut Client,
    ctx: &Ctx,
    known: &mut Known,
    input: &ApplyInput,
    migration: ParsedMigration,
    drizzle_last: Option<Option<i64>>,
    label: &str,
) -> Result<ApplyOutcome, Failed> {
    let failed = |detail: String| Error::MigrationFailed(format!("{label} {detail}"));
    let unchanged = "nothing was applied (the transaction was rolled back)";
    let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
    let plan = run_captured(&tx, ctx, known, label, Planner::new(migration, true), unchanged).await?;
    session::reset(&tx, true, &known.connecting).await.map_err(|e| failed(format!("failed: {e}; {unchanged}")))?;
    let rollback = bookkeep(&tx, ctx, known, input, drizzle_last, &plan)
        .await
        .map_err(|e| failed(format!("failed while {e}; {unchanged}")))?;
    tx.commit().await.map_err(|e| match e.as_db_error() {
        Some(_) => failed(format!("failed while committing: {}; {unchanged}", pg_message(&e))),
        None => failed(format!("failed while committing: {}; {COMMIT_OUTCOME_UNKNOWN}", pg_message(&e))),
    })?;
    Ok(ApplyOutcome { applied: true, rollback })
}

/// Record the migration in Drizzle's table (with an entry) and in `schema_versions` (when it exists), in
/// `c`'s transaction; the stored row. The error says what failed.
async fn bookkeep<C: GenericClient + Sync>(
    c: &C,
    ctx: &Ctx,
    known: &mut Known,
    input: &ApplyInput,
    drizzle_last: Option<Option<i64>>,
    plan: &RollbackPlan,
) -> Result<Option<StoredRollback>, String> {
    let record = async {
        match (&input.drizzle, drizzle_last) {
            (Some(entry), Some(last)) => drizzle::record(c, ctx, &entry.hash, entry.created_at, last.is_some())
                .await
                .map(|()| Some(last.unwrap_or(i64::MIN).max(entry.created_at)))
                .map_err(|e| format!("recording it in drizzle.__drizzle_migrations: {}", pg_message(&e))),
            _ => Ok(None),
        }
    };
    let known_table = known.schema_versions;
    let write = async {
        let table = match known_table {
            Some(table) => Some(table),
            None => match versions::inspect(c, ctx).await {
                Ok(Ok(table)) => Some(table),
                Ok(Err(_)) => None,
                Err(e) => return Err(format!("reading schema_versions: {e}")),
            },
        };
        let rollback = match table {
            Some(table) => Some(
                versions::write_row(c, ctx, table, &input.migration, plan)
                    .await
                    .map_err(|e| format!("writing its schema_versions row: {e}"))?,
            ),
            None => None,
        };
        Ok((table, rollback))
    };
    let (recorded, written) = tokio::join!(record, write);
    if let Some(last) = recorded? {
        known.drizzle_last = Some(Some(last));
    }
    let (table, rollback) = written?;
    known.schema_versions = table;
    Ok(rollback)
}

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

async fn apply_outside_transaction(
    client: &Client,
    ctx: &Ctx,
    known: &mut Known,
    input: &ApplyInput,
    migration: ParsedMigration,
    drizzle_last: Option<Option<i64>>,
    label: &str,
) -> Result<ApplyOutcome, Failed> {
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
    match bookkeep(client, ctx, known, input, drizzle_last, &plan).await {
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

/// A migration for `planMigrations`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, js_name = "PlanMigrationInput", object_to_js = false))]
pub struct PlanInput {
    pub version: String,
    pub sql: String,
    /// The journal's `when`: a migration Drizzle already records is reported as not pending.
    #[serde(default, deserialize_with = "crate::args::whole_number")]
    pub drizzle_created_at: Option<i64>,
}

/// `migration` with each statement that refuses a transaction block in its transactional form, for the dry
/// run and `verify_rollback` (one transaction that is rolled back): the same effect on the schema. Also the
/// indexes of those statements with their text as written. `Err`: one without such a form, described.
pub(crate) fn in_one_transaction(
    mut migration: ParsedMigration,
) -> Result<(ParsedMigration, Vec<(usize, String)>), String> {
    let mut changed = Vec::new();
    for (i, s) in migration.statements.iter_mut().enumerate() {
        let text = match s.in_transaction() {
            InTransaction::AsWritten => continue,
            InTransaction::Rewritten(text) => text,
            // An empty query: the statement is settled by the planner, and nothing runs.
            InTransaction::Skipped => String::new(),
            InTransaction::Impossible => {
                return Err(format!("statement {} (line {}, column {}), `{}`,", i + 1, s.line, s.column, s.text))
            }
        };
        changed.push((i, std::mem::replace(&mut s.text, text)));
    }
    Ok((migration, changed))
}

/// The dry run: apply the pending migrations in order, each with capture, in ONE transaction that is always
/// rolled back, and return the plan each would store. Nothing changes; meanwhile the transaction holds the
/// locks the migrations take (ACCESS EXCLUSIVE for most DDL on the tables they alter) and pg-rollback's
/// advisory lock. `lock_timeout` bounds waiting for them. A statement that cannot run in a transaction
/// (`CREATE INDEX CONCURRENTLY`, ...) runs in its transactional form (`CONCURRENTLY` removed: the same
/// schema; `VACUUM`, `REINDEX`, ... left out) and is listed in `outside_transaction`: applying runs it
/// outside one.
pub async fn plan_migrations(url: &str, migrations: &[PlanInput], timeouts: Timeouts) -> Result<Vec<PlannedMigration>> {
    check_timeout("lockTimeoutMs", timeouts.lock_timeout_ms)?;
    check_timeout("statementTimeoutMs", timeouts.statement_timeout_ms)?;
    let mut parsed = Vec::with_capacity(migrations.len());
    for m in migrations {
        check_text("version", &m.version, false)?;
        parsed.push(parse(&format!("Migration {}", m.version), &m.sql)?);
    }
    parse_url(url)?;
    with_session(url, async |client, ctx| {
        let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
        let result = dry_run(&tx, ctx, migrations, parsed, timeouts).await;
        tx.rollback().await.map_err(|e| ctx.err("rolling back the dry run", &e))?;
        result
    })
    .await
}

async fn dry_run<C: GenericClient + Sync>(
    tx: &C,
    ctx: &Ctx,
    migrations: &[PlanInput],
    parsed: Vec<ParsedMigration>,
    timeouts: Timeouts,
) -> Result<Vec<PlannedMigration>> {
    set_timeouts(tx, ctx, timeouts, "LOCAL").await?;
    take_lock(tx, ctx, "pg_advisory_xact_lock").await?;
    let unchanged = "nothing was changed (dry run)";
    let mut planned = Vec::with_capacity(migrations.len());
    let mut known = Known {
        connecting: roles(tx).await.map_err(|e| ctx.err("reading the connecting role", &e))?,
        ..Known::default()
    };
    // Drizzle's newest record: the dry run records nothing, so it stays what it was.
    let last =
        drizzle::last_created_at(tx, ctx).await.map_err(|e| ctx.err("reading drizzle.__drizzle_migrations", &e))?;
    let pending: Vec<bool> = migrations
        .iter()
        .map(|m| !m.drizzle_created_at.is_some_and(|at| last.is_some_and(|last| last >= at)))
        .collect();
    for ((m, migration), pending) in migrations.iter().zip(&parsed).zip(&pending) {
        if *pending {
            check_runnable(&format!("Migration {}", m.version), migration)?;
        }
    }
    for ((m, migration), pending) in migrations.iter().zip(parsed).zip(pending) {
        if !pending {
            planned.push(PlannedMigration {
                version: m.version.clone(),
                pending: false,
                plan: None,
                outside_transaction: Vec::new(),
            });
            continue;
        }
        let label = format!("Migration {}", m.version);
        let (migration, changed) = in_one_transaction(migration).map_err(|statement| {
            Error::MigrationFailed(format!(
                "{label}: the dry run cannot run {statement} in its transaction: it cannot run in one, and no \
                 statement that can has the same effect on the schema; {unchanged}"
            ))
        })?;
        let mut plan = run_captured(tx, ctx, &mut known, &label, Planner::new(migration, true), unchanged)
            .await
            .map_err(|f| f.error)?;
        for (i, text) in &changed {
            plan.statements[*i].sql = text.clone();
        }
        session::reset(tx, true, &known.connecting).await.map_err(|e| Error::Database(format!("{label}: {e}")))?;
        set_timeouts(tx, ctx, timeouts, "LOCAL").await?;
        planned.push(PlannedMigration {
            version: m.version.clone(),
            pending: true,
            plan: Some(plan),
            outside_transaction: changed.iter().map(|(i, _)| *i as u32).collect(),
        });
    }
    Ok(planned)
}

/// Generate the rollback of `m.sql` from the SQL alone and store it in `schema_versions` (for migrations
/// applied by other tools, or before `schema_versions` existed).
pub async fn store_rollback(url: &str, m: &MigrationInput) -> Result<StoredRollback> {
    check_migration(m)?;
    parse_url(url)?;
    let plan = pg_rollback_core::generate_rollback(&m.sql)?;
    with_session(url, async |client, ctx| {
        let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
        take_lock(&tx, ctx, "pg_advisory_xact_lock").await?;
        let table = versions::require(&tx, ctx).await?;
        let stored = versions::write_row(&tx, ctx, table, m, &plan).await?;
        tx.commit().await.map_err(|e| ctx.err("committing", &e))?;
        Ok(stored)
    })
    .await
}

/// The newest row of `version`, without changing anything.
pub async fn get_rollback(url: &str, version: &str) -> Result<StoredRollback> {
    check_text("version", version, false)?;
    with_session(url, async |client, ctx| {
        let table = versions::require(&*client, ctx).await?;
        match versions::latest_row(&*client, ctx, table, version, false).await? {
            Some(row) => Ok(row.stored),
            None => Err(Error::VersionNotFound(version.to_owned())),
        }
    })
    .await
}

/// Every `schema_versions` row, oldest first.
pub async fn list_rollbacks(url: &str) -> Result<Vec<StoredRollback>> {
    with_session(url, async |client, ctx| {
        let table = versions::require(&*client, ctx).await?;
        versions::all_rows(&*client, ctx, table).await
    })
    .await
}

/// Answer `questions` about the database as it is now, in a transaction that is rolled back (what the
/// apply path asks while a migration runs; for tests and tools).
pub async fn describe(
    url: &str,
    questions: &[pg_rollback_core::Question],
) -> Result<Vec<(pg_rollback_core::Question, pg_rollback_core::Reply)>> {
    parse_url(url)?;
    with_session(url, async |client, ctx| {
        let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
        let replies = crate::catalog::answer(&tx, ctx, questions).await;
        tx.rollback().await.map_err(|e| ctx.err("rolling back", &e))?;
        Ok(replies)
    })
    .await
}

/// Versions after `version` in `order` (e.g. the Drizzle journal's) that are applied and not rolled back:
/// what makes rolling back `version` out of order (the same check `execute_rollback` makes under its lock).
pub async fn later_applied(url: &str, version: &str, order: &[String]) -> Result<Vec<(String, String)>> {
    check_text("version", version, false)?;
    with_session(url, async |client, ctx| {
        let table = versions::require(&*client, ctx).await?;
        versions::later_applied(&*client, ctx, table, version, order).await
    })
    .await
}
