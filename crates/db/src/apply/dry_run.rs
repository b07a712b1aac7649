//! The dry run (`plan_migrations`): the pending migrations applied with capture in one transaction that is
//! rolled back; and the transactional form of a migration it and `verify_rollback` run.
use pg_rollback_core::{InTransaction, ParsedMigration, Planner};
use tokio_postgres::GenericClient;

use super::{check_runnable, parse, run_captured, Known};
use crate::connect::parse_url;
use crate::drizzle;
use crate::error::{Error, Result};
use crate::lock::{set_timeouts, take_lock, Timeouts};
use crate::session::{self, check_text, check_timeout, roles, with_session, Ctx};
use crate::PlannedMigration;

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
        let mut plan = run_captured(tx, ctx, &mut known, &label, Planner::new(migration, true), unchanged, None)
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
