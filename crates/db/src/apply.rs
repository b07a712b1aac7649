//! Applying migrations with their rollback captured from the live database: in one transaction here, outside
//! one in `apply/outside.rs`; the dry run that does the same and rolls back in `apply/dry_run.rs`.
pub(crate) mod dry_run;
mod outside;

use pg_rollback_core::{At, ParsedMigration, Planner, RollbackPlan, TransactionRole};
use serde::Serialize;
use tokio_postgres::{Client, GenericClient};

use crate::archive::{ArchiveOptions, Archiver};
use crate::connect::parse_url;
use crate::drizzle;
use crate::error::{pg_message, sqlstate, statement_cause, Error, Result};
use crate::lock::take_lock;
use crate::rollback::COMMIT_OUTCOME_UNKNOWN;
use crate::run::{ask, run, run_captured_as, StatementFailed, Statements};
use crate::session::{self, check_migration, check_text, roles, with_session, Ctx};
use crate::versions;
use crate::{ApplyOutcome, DrizzleEntry, MigrationInput, StoredRollback, ADVISORY_LOCK_KEY};
use outside::apply_outside_transaction;

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
    archiver: Option<&mut Archiver>,
) -> Result<RollbackPlan, Failed> {
    let ran = match archiver {
        None => run(c, ctx, Statements::Captured(&mut planner)).await,
        Some(archiver) => run_archived(c, ctx, &mut planner, archiver).await,
    };
    if let Err(StatementFailed { index, error }) = ran {
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

/// [`run`] with what each statement destroys kept in the archive right before it runs.
pub(crate) async fn run_archived<C: GenericClient + Sync>(
    c: &C,
    ctx: &Ctx,
    planner: &mut Planner,
    archiver: &mut Archiver,
) -> Result<(), StatementFailed> {
    for index in 0..planner.migration().statements.len() {
        // The plan reads the database as the statement finds it, before the archive changes anything.
        ask(c, ctx, planner, At::Before).await;
        let statement = &planner.migration().statements[index];
        let text = (statement.transaction_role() != TransactionRole::Boundary).then(|| statement.text.clone());
        let text = match archiver.before(c, ctx, planner.migration(), index).await {
            // The archive carried the statement out (a `DROP TABLE` it moved): what is left of it runs.
            Some(instead) => instead,
            None => text,
        };
        run_captured_as(c, ctx, planner, index, text).await?;
        // Capture triggers a data statement ran with go right after it.
        archiver.after(c).await.map_err(|error| StatementFailed { index, error })?;
    }
    Ok(())
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
    archive: ArchiveOptions,
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
    apply_migration_with(url, m, entry, ArchiveOptions::default()).await
}

/// [`apply_migration`] with the archive's options (see [`apply_migrations_with`]).
pub async fn apply_migration_with(
    url: &str,
    m: &MigrationInput,
    entry: Option<&DrizzleEntry>,
    archive: ArchiveOptions,
) -> Result<ApplyOutcome> {
    let input = ApplyInput { migration: m.clone(), drizzle: entry.cloned() };
    let mut applied = apply_migrations_with(url, std::slice::from_ref(&input), archive).await?;
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
    apply_migrations_with(url, inputs, ArchiveOptions::default()).await
}

/// [`apply_migrations`] with the archive's options: a migration that runs in one transaction keeps, right
/// before each statement, what it destroys (`DROP COLUMN`, `ALTER COLUMN ... TYPE`) in `pgrollback_archive`
/// and stores the script that restores it (`schema_versions.restore_script`, when that column exists).
pub async fn apply_migrations_with(
    url: &str,
    inputs: &[ApplyInput],
    archive: ArchiveOptions,
) -> Result<AppliedMigrations> {
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
        let result = apply_locked(client, ctx, inputs, parsed, archive).await;
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
    archive: ArchiveOptions,
) -> Result<AppliedMigrations> {
    let mut known = Known { archive, ..Known::default() };
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
    let transactional = migration.runs_in_transaction();
    let applying = Applying { ctx, known, input, migration, drizzle_last, label: &label };
    if transactional {
        apply_in_transaction(client, applying).await
    } else {
        apply_outside_transaction(&*client, applying).await
    }
}

/// One migration being applied (in a transaction or outside one), and what the run knows.
struct Applying<'a> {
    ctx: &'a Ctx,
    known: &'a mut Known,
    input: &'a ApplyInput,
    migration: ParsedMigration,
    /// Drizzle's newest record before it, with a Drizzle entry.
    drizzle_last: Option<Option<i64>>,
    label: &'a str,
}

async fn apply_in_transaction(client: &mut Client, applying: Applying<'_>) -> Result<ApplyOutcome, Failed> {
    let Applying { ctx, known, input, migration, drizzle_last, label } = applying;
    let failed = |detail: String| Error::MigrationFailed(format!("{label} {detail}"));
    let unchanged = "nothing was applied (the transaction was rolled back)";
    let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
    let mut archiver = Archiver::new(&input.migration.version, known.archive);
    let plan =
        run_captured(&tx, ctx, known, label, Planner::new(migration, true), unchanged, Some(&mut archiver)).await?;
    session::reset(&tx, true, &known.connecting).await.map_err(|e| failed(format!("failed: {e}; {unchanged}")))?;
    let rollback = bookkeep(&tx, ctx, known, input, drizzle_last, &plan, Some(archiver))
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
    archiver: Option<Archiver>,
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
    let (table, mut rollback) = written?;
    known.schema_versions = table;
    if let Some(archiver) = archiver {
        archiver.record(c, plan, rollback.as_mut()).await.map_err(|e| format!("storing its archive: {e}"))?;
    }
    Ok(rollback)
}
