//! Applying migrations with their rollback captured from the live database, the dry run that does the
//! same and rolls back, and recording a rollback after the fact (from the SQL alone).
use pg_rollback_core::{ParsedMigration, Planner, RollbackPlan};
use tokio_postgres::{Client, GenericClient};

use crate::connect::parse_url;
use crate::drizzle;
use crate::error::{pg_message, statement_cause, Error, Result};
use crate::execute::{run, StatementFailed, Statements, COMMIT_OUTCOME_UNKNOWN};
use crate::lock::{set_timeouts, take_lock, Timeouts};
use crate::session::{check_migration, check_text, check_timeout, with_session, Ctx};
use crate::versions;
use crate::{ApplyOutcome, DrizzleEntry, MigrationInput, PlannedMigration, StoredRollback, ADVISORY_LOCK_KEY};

/// A migration parsed before anything is sent to the database.
fn parse(label: &str, sql: &str) -> Result<ParsedMigration> {
    ParsedMigration::parse(sql).map_err(|e| {
        Error::MigrationFailed(format!("{label} was not applied: the SQL does not parse ({}): {e}", e.code()))
    })
}

/// Refuses what cannot run in the one transaction each migration is applied in.
fn check_runnable(label: &str, migration: &ParsedMigration) -> Result<()> {
    let failed = |detail: String| Error::MigrationFailed(format!("{label} {detail}"));
    if let Some(i) = migration.first_transaction_control() {
        return Err(failed(format!(
            "was not applied: statement {} (`{}`, line {}) would end or abandon the transaction pg-rollback applies \
             each migration in (its BEGIN and COMMIT are fine: they are skipped)",
            i + 1,
            migration.statements[i].text,
            migration.statements[i].line
        )));
    }
    if let Some(i) = migration.first_non_transactional() {
        let s = &migration.statements[i];
        return Err(failed(format!(
            "was not applied: statement {} of {} (line {}, column {}), `{}`, cannot run inside a transaction block, \
             and each migration is applied in one transaction with its bookkeeping (as drizzle-orm's migrator does). \
             Remove CONCURRENTLY (or move the statement to a migration applied by hand); nothing was changed",
            i + 1,
            migration.statements.len(),
            s.line,
            s.column,
            s.text
        )));
    }
    Ok(())
}

/// Run `migration` in the caller's transaction, reading the state each statement overwrites; the plan that
/// undoes it. A failing statement is `MIGRATION_FAILED` naming it; the caller rolls back. The caller puts
/// the session's `search_path` back afterwards ([`RESTORE_SEARCH_PATH`] with `known.search_path`).
async fn run_captured<C: GenericClient + Sync>(
    c: &C,
    ctx: &Ctx,
    known: &mut Known,
    label: &str,
    migration: ParsedMigration,
    unchanged: &str,
) -> Result<RollbackPlan> {
    let mut planner = Planner::new(migration, true);
    let path = match &known.search_path {
        Some(path) => path.clone(),
        None => ctx
            .query_one(c, "SELECT current_setting('search_path')", &[])
            .await
            .map_err(|e| {
                Error::MigrationFailed(format!(
                    "{label} was not applied: reading search_path failed: {}",
                    pg_message(&e)
                ))
            })?
            .get::<_, String>(0),
    };
    known.search_path = Some(path);
    if let Err(StatementFailed { index, error }) = run(c, ctx, Statements::Captured(&mut planner)).await {
        let statements = &planner.migration().statements;
        let s = &statements[index];
        return Err(Error::MigrationFailed(format!(
            "{label} failed at statement {} of {} (line {}, column {}): {}\nPostgreSQL: {}\n{unchanged}",
            index + 1,
            statements.len(),
            s.line,
            s.column,
            s.text,
            statement_cause(&error)
        )));
    }
    let plan = planner.finish();
    // What changed pg-rollback's or Drizzle's tables is looked at again.
    if plan.warnings.iter().any(|w| w.code == pg_rollback_core::code::ROLLBACK_METADATA) {
        known.schema_versions = None;
        known.drizzle_last = None;
    }
    Ok(plan)
}

/// A `SET search_path` in a migration must not send the bookkeeping (or the next migration) elsewhere: the
/// session's path is put back after each, as a new connection would have it.
const RESTORE_SEARCH_PATH: &str = "SELECT set_config('search_path', $1, false)";

/// What one session learned about the metadata tables, kept between migrations; a migration that changes
/// `schema_versions` or Drizzle's schema (ROLLBACK_METADATA) makes it look again.
#[derive(Default)]
struct Known {
    /// The newest `created_at` Drizzle records (`Some(None)`: no table yet); read under the lock, then kept.
    drizzle_last: Option<Option<i64>>,
    schema_versions: Option<versions::Table>,
    search_path: Option<String>,
}

/// Apply a migration and store its rollback, in one transaction under the advisory lock.
///
/// The rollback is built while the migration runs: before each statement the state it overwrites is read
/// from the database (a default, an index's definition, whether an object existed, ...), after it what
/// PostgreSQL chose (names of unnamed objects). With a Drizzle entry the migration is skipped
/// (`applied: false`) when `drizzle.__drizzle_migrations` already has a row with
/// `created_at >= entry.created_at` (drizzle-orm's rule), and the row is recorded with it; without one,
/// only `schema_versions` records it. Any failure leaves the database unchanged and is `MIGRATION_FAILED`;
/// so is a migration with a statement that cannot run in a transaction, refused before anything runs.
pub async fn apply_migration(url: &str, m: &MigrationInput, entry: Option<&DrizzleEntry>) -> Result<ApplyOutcome> {
    let input = ApplyInput { migration: m.clone(), drizzle: entry.cloned() };
    let mut applied = apply_migrations(url, std::slice::from_ref(&input)).await?;
    match applied.failure.take() {
        Some(failure) => Err(failure),
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
    /// The first failure (`MIGRATION_FAILED`, `LOCK_TIMEOUT`, ...); the migration at
    /// `outcomes.len()` is the one that failed and nothing of it was applied.
    pub failure: Option<Error>,
}

/// Apply migrations in order, as [`apply_migration`] does each (its own transaction, with its bookkeeping,
/// under the advisory lock), on ONE connection: a new connection's first DDL costs several times more than
/// on a warm one. Stops at the first failure; the migrations before it stay applied. Every migration is
/// parsed before the first is applied.
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
        let mut outcomes = Vec::with_capacity(inputs.len());
        let mut known = Known::default();
        let mut failure = None;
        for (input, migration) in inputs.iter().zip(parsed) {
            match apply_one(client, ctx, &mut known, input, migration).await {
                Ok(outcome) => outcomes.push(outcome),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        // Released explicitly: the embedded server shares its session between connections.
        let _ = client.batch_execute(&format!("SELECT pg_advisory_unlock({ADVISORY_LOCK_KEY})")).await;
        match failure {
            // A broken connection is the call's failure, not a migration's.
            Some(e @ Error::ConnectionFailed(_)) if outcomes.is_empty() => Err(e),
            failure => Ok(AppliedMigrations { outcomes, failure }),
        }
    })
    .await
}

async fn apply_one(
    client: &mut Client,
    ctx: &Ctx,
    known: &mut Known,
    input: &ApplyInput,
    migration: ParsedMigration,
) -> Result<ApplyOutcome> {
    let m = &input.migration;
    let label = format!("Migration {} ({})", m.version, m.migration_file);
    let failed = |detail: String| Error::MigrationFailed(format!("{label} {detail}"));
    let unchanged = "nothing was applied (the transaction was rolled back)";
    let meta =
        |what: &str, e: tokio_postgres::Error| failed(format!("failed while {what}: {}; {unchanged}", pg_message(&e)));
    let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
    let mut drizzle_last = None;
    if let Some(entry) = &input.drizzle {
        let last = match known.drizzle_last {
            Some(last) => last,
            None => {
                drizzle::last_created_at(&tx, ctx).await.map_err(|e| meta("reading drizzle.__drizzle_migrations", e))?
            }
        };
        known.drizzle_last = Some(last);
        // drizzle-orm's rule: applied when Drizzle records a migration at or after this one.
        if last.is_some_and(|last| last >= entry.created_at) {
            tx.rollback().await.map_err(|e| ctx.err("ending a read-only transaction", &e))?;
            return Ok(ApplyOutcome { applied: false, rollback: None });
        }
        drizzle_last = Some(last);
    }
    check_runnable(&label, &migration)?;
    let plan = run_captured(&tx, ctx, known, &label, migration, unchanged).await?;
    // The search_path first (`schema_versions` is found through it), then the bookkeeping, sent at once.
    let path = known.search_path.clone().unwrap_or_default();
    ctx.query(&tx, RESTORE_SEARCH_PATH, &[&path]).await.map_err(|e| meta("putting search_path back", e))?;
    let record = async {
        match (&input.drizzle, drizzle_last) {
            (Some(entry), Some(last)) => drizzle::record(&tx, ctx, &entry.hash, entry.created_at, last.is_some())
                .await
                .map(|()| Some(last.unwrap_or(i64::MIN).max(entry.created_at)))
                .map_err(|e| meta("recording it in drizzle.__drizzle_migrations", e)),
            _ => Ok(None),
        }
    };
    let known_table = known.schema_versions;
    let write = async {
        let table = match known_table {
            Some(table) => Some(table),
            None => match versions::inspect(&tx, ctx).await {
                Ok(Ok(table)) => Some(table),
                Ok(Err(_)) => None,
                Err(e) => return Err(failed(format!("{e}; {unchanged}"))),
            },
        };
        let rollback = match table {
            Some(table) => Some(
                versions::write_row(&tx, ctx, table, m, &plan)
                    .await
                    .map_err(|e| failed(format!("{e}; {unchanged}")))?,
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
    tx.commit().await.map_err(|e| match e.as_db_error() {
        Some(_) => meta("committing", e),
        None => failed(format!("failed while committing: {}; {COMMIT_OUTCOME_UNKNOWN}", pg_message(&e))),
    })?;
    Ok(ApplyOutcome { applied: true, rollback })
}

/// A migration for [`plan_migrations`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanInput {
    pub version: String,
    pub sql: String,
    /// With Drizzle's `created_at`, a migration Drizzle already records is reported as not pending.
    pub drizzle_created_at: Option<i64>,
}

/// The dry run: apply the pending migrations in order, each with capture, in ONE transaction that is always
/// rolled back, and return the plan each would store. Nothing changes; meanwhile the transaction holds the
/// locks the migrations take (ACCESS EXCLUSIVE for most DDL on the tables they alter) and pg-rollback's
/// advisory lock. `lock_timeout` bounds waiting for them.
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
    let mut known = Known::default();
    // Drizzle's newest record: the dry run records nothing, so it stays what it was.
    let last =
        drizzle::last_created_at(tx, ctx).await.map_err(|e| ctx.err("reading drizzle.__drizzle_migrations", &e))?;
    for (m, migration) in migrations.iter().zip(parsed) {
        if let Some(created_at) = m.drizzle_created_at {
            if last.is_some_and(|last| last >= created_at) {
                planned.push(PlannedMigration { version: m.version.clone(), pending: false, plan: None });
                continue;
            }
        }
        let label = format!("Migration {}", m.version);
        check_runnable(&label, &migration)?;
        let plan = run_captured(tx, ctx, &mut known, &label, migration, unchanged).await?;
        let path = known.search_path.clone().unwrap_or_default();
        ctx.query(tx, RESTORE_SEARCH_PATH, &[&path]).await.map_err(|e| ctx.err("putting search_path back", &e))?;
        planned.push(PlannedMigration { version: m.version.clone(), pending: true, plan: Some(plan) });
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
