//! Running a version's restore script (`restore_data`): alone or with a range, in one transaction with the
//! bookkeeping, refusing with a clear code when the archive is gone or data since conflicts.
use pg_rollback_core::archive::{self as core, drop_table, ArchiveRecord};
use pg_rollback_core::ParsedMigration;
use tokio_postgres::{Client, GenericClient};

use super::DROP_SCHEMA_IF_EMPTY;
use crate::error::{sqlstate, statement_cause, Error, ErrorCode, Result};
use crate::lock::{set_timeouts, take_lock, Timeouts};
use crate::rollback::COMMIT_OUTCOME_UNKNOWN;
use crate::run::{run, StatementFailed, Statements};
use crate::session::{check_text, with_session, Ctx};
use crate::versions::{self, Table, VersionRow};
use crate::{ExecuteManyOptions, ExecuteOptions, ExecutedRollback};

/// Why a version cannot be restored, as its archive record says.
pub(super) fn unavailable(version: &str, archive: Option<&ArchiveRecord>) -> Error {
    let mut reasons: Vec<String> = archive.and_then(|a| a.restore_unavailable.clone()).into_iter().collect();
    for n in archive.iter().flat_map(|a| &a.not_archived) {
        reasons.push(format!("statement {} was not archived: {}", n.statement_index + 1, n.reason));
    }
    let why = match reasons.is_empty() {
        true => ": nothing of it was archived".to_owned(),
        false => format!(": {}", reasons.join("; ")),
    };
    Error::RestoreNotAvailable(format!("No restore is available for version {version}{why}. Nothing was changed"))
}

/// The restore of `row` as it can run now: its script parsed, or why not. Archive tables that are gone are
/// `ARCHIVE_MISSING`.
async fn restorable<C: GenericClient + Sync>(c: &C, row: &VersionRow) -> Result<ParsedMigration> {
    let version = &row.stored.version;
    let Some(script) = row.stored.restore_script.as_deref() else {
        return Err(unavailable(version, row.stored.archive.as_ref()));
    };
    let mut missing = Vec::new();
    for o in row.stored.archive.iter().flat_map(|a| &a.objects) {
        let found: bool = c
            .query_one("SELECT pg_catalog.to_regclass($1) IS NOT NULL", &[&o.table])
            .await
            .map_err(|e| Error::Database(format!("checking the archive: {}", statement_cause(&e))))?
            .get(0);
        if !found {
            missing.push(o.table.clone());
        }
    }
    if !missing.is_empty() {
        return Err(Error::ArchiveMissing(format!(
            "The archive of version {version} is gone ({} dropped or pruned): its data cannot be restored. Nothing \
             was changed",
            missing.join(", ")
        )));
    }
    ParsedMigration::parse(script)
        .map_err(|e| Error::RollbackFailed(format!("The restore script of version {version} does not parse: {e}")))
}

/// With `force`, foreign keys that rows written since break are added `NOT VALID` rather than refused.
async fn force_keys<C: GenericClient + Sync>(c: &C, force: bool) -> Result<()> {
    if !force {
        return Ok(());
    }
    c.execute("SELECT pg_catalog.set_config($1, 'on', true)", &[&drop_table::FORCE_KEYS])
        .await
        .map(|_| ())
        .map_err(|e| Error::Database(format!("forcing the restore: {}", statement_cause(&e))))
}

/// How the data blocks of the script treat rows changed since the migration (`pg_rollback.restore_rows`):
/// refused without `force`, kept newer with it, overwritten with `overwrite` too.
async fn restore_rows<C: GenericClient + Sync>(c: &C, force: bool, overwrite: bool) -> Result<()> {
    let mode = match (force, overwrite) {
        (false, _) => "",
        (true, false) => "keep",
        (true, true) => "overwrite",
    };
    c.execute("SELECT pg_catalog.set_config($1, $2, true)", &[&core::data::RESTORE_ROWS, &mode])
        .await
        .map(|_| ())
        .map_err(|e| Error::Database(format!("setting how conflicting rows are restored: {}", statement_cause(&e))))
}

/// The keys a forced restore added `NOT VALID` since the last call (then forgotten).
async fn keys_not_valid<C: GenericClient + Sync>(c: &C) -> Result<Vec<String>> {
    let notes: String = c
        .query_one(
            "SELECT coalesce(pg_catalog.current_setting($1, true), ''), pg_catalog.set_config($1, '', true)",
            &[&drop_table::KEYS_NOT_VALID],
        )
        .await
        .map_err(|e| Error::Database(format!("reading the restore's notes: {}", statement_cause(&e))))?
        .get(0);
    Ok(notes.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect())
}

/// A failed restore statement: a conflict the script checks for, or PostgreSQL's error.
fn restore_failed(version: &str, script: &ParsedMigration, failed: &StatementFailed) -> Error {
    let unchanged = "The transaction was rolled back: schema, data and schema_versions are unchanged";
    if sqlstate(&failed.error) == Some(core::CONFLICT_SQLSTATE) {
        let message = failed.error.as_db_error().map(|d| d.message().to_owned()).unwrap_or_default();
        return Error::RestoreConflict(format!("Cannot restore version {version}: {message}. {unchanged}"));
    }
    Error::RollbackFailed(format!(
        "Restore of version {version} failed at statement {} of {}: {}\nPostgreSQL: {}\n{unchanged}",
        failed.index + 1,
        script.statements.len(),
        script.statements[failed.index].text,
        statement_cause(&failed.error)
    ))
}

/// `execute_rollback` with `restore_data`: the restore script, in one transaction with the bookkeeping. A
/// version whose rollback is safe runs its ordinary rollback.
pub(crate) async fn restore_one(url: &str, version: &str, options: &ExecuteOptions) -> Result<ExecutedRollback> {
    check_text("version", version, false)?;
    let restored = with_session(url, async |client, ctx| {
        let table = versions::require(&*client, ctx).await?;
        let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
        let timeouts =
            Timeouts { lock_timeout_ms: options.lock_timeout_ms, statement_timeout_ms: options.statement_timeout_ms };
        set_timeouts(&tx, ctx, timeouts, "LOCAL").await?;
        take_lock(&tx, ctx, "pg_advisory_xact_lock").await?;
        let row = versions::latest_row(&tx, ctx, table, version, true)
            .await?
            .ok_or_else(|| Error::VersionNotFound(version.to_owned()))?;
        if row.stored.rollback_applied_at.is_some() {
            return Err(Error::AlreadyRolledBack(version.to_owned()));
        }
        if row.stored.rollback_safe {
            return Ok(None);
        }
        if let Some(order) = options.migration_order.as_ref().filter(|_| !options.allow_out_of_order) {
            let later = versions::later_applied(&tx, ctx, table, version, order).await?;
            if !later.is_empty() {
                let list: Vec<String> = later.iter().map(|(v, file)| format!("{v} ({file})")).collect();
                return Err(Error::OutOfOrder(format!(
                    "Refusing to restore version {version} out of order: later version(s) {} applied and not rolled \
                     back. Nothing was changed",
                    list.join(", ")
                )));
            }
        }
        if let Some(shown) = &options.expected_script {
            if row.stored.restore_script.as_deref() != Some(shown.as_str()) {
                return Err(Error::RollbackScriptChanged(format!(
                    "The restore script of version {version} is no longer the one that was shown. Nothing was changed"
                )));
            }
        }
        let script = restorable(&tx, &row).await?;
        force_keys(&tx, options.force).await?;
        restore_rows(&tx, options.force, options.overwrite).await?;
        if let Err(failed) = run(&tx, ctx, Statements::Plain(&script)).await {
            let error = restore_failed(version, &script, &failed);
            let _ = tx.rollback().await;
            return Err(error);
        }
        let notes = keys_not_valid(&tx).await?;
        tx.batch_execute(DROP_SCHEMA_IF_EMPTY)
            .await
            .map_err(|e| Error::RollbackFailed(format!("Restore of version {version}: {}", statement_cause(&e))))?;
        let mut done = record_done(&tx, ctx, table, &row, options.drizzle_hash.as_deref(), version).await?;
        done.restore_notes = notes;
        commit(tx, version).await?;
        Ok(Some(done))
    })
    .await?;
    match restored {
        Some(done) => Ok(done),
        // Outside the transaction above: the ordinary path takes the lock itself and checks everything again.
        None => {
            let plain = ExecuteOptions { restore_data: false, ..options.clone() };
            Box::pin(crate::rollback::execute_rollback(url, version, &plain)).await
        }
    }
}

async fn record_done<C: GenericClient + Sync>(
    c: &C,
    ctx: &Ctx,
    table: Table,
    row: &VersionRow,
    hash: Option<&str>,
    version: &str,
) -> Result<ExecutedRollback> {
    crate::rollback::record(c, ctx, table, row.id, hash).await.map_err(|cause| {
        Error::RollbackFailed(format!(
            "Restore of version {version}: recording it in schema_versions failed: {cause}\nNothing was changed"
        ))
    })
}

async fn commit(tx: tokio_postgres::Transaction<'_>, version: &str) -> Result<()> {
    tx.commit().await.map_err(|e| {
        let outcome = match e.as_db_error() {
            Some(_) => "Nothing was committed: schema, data and schema_versions are unchanged",
            None => COMMIT_OUTCOME_UNKNOWN,
        };
        Error::RollbackFailed(format!(
            "Restore of version {version}: COMMIT failed: {}\n{outcome}",
            statement_cause(&e)
        ))
    })
}

/// The script `restore_data` runs for `row`: its rollback when that is SAFE, otherwise its restore.
pub(crate) fn script_run(row: &VersionRow) -> Option<&str> {
    match row.stored.rollback_safe {
        true => row.stored.rollback_script.as_deref(),
        false => row.stored.restore_script.as_deref(),
    }
}

/// `execute_rollbacks` with `restore_data`: every selected version, newest first, in ONE transaction: the
/// safe ones by their rollback, the others by their restore. Refused before anything runs when one has
/// neither (or a script cannot run in a transaction).
pub(crate) async fn restore_range(url: &str, options: &ExecuteManyOptions) -> Result<Vec<ExecutedRollback>> {
    crate::rollback::range::selection(options)?;
    let restored = with_session(url, async |client: &mut Client, ctx| {
        let table = versions::require(&*client, ctx).await?;
        let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
        let timeouts =
            Timeouts { lock_timeout_ms: options.lock_timeout_ms, statement_timeout_ms: options.statement_timeout_ms };
        set_timeouts(&tx, ctx, timeouts, "LOCAL").await?;
        take_lock(&tx, ctx, "pg_advisory_xact_lock").await?;
        let (rows, refused) = crate::rollback::range::selected(&tx, ctx, table, options).await?;
        // A missing or unsafe rollback is what the restore replaces; the selection's state and order still refuse.
        let order: Vec<_> = refused
            .into_iter()
            .filter(|r| matches!(r.code, ErrorCode::AlreadyRolledBack | ErrorCode::RollbackOutOfOrder))
            .collect();
        if let Some(e) = crate::rollback::range::refusal_error(&order, options.force) {
            return Err(e);
        }
        // What was shown is what runs: each version's script as restore_data runs it (the restore script, or
        // the rollback of a SAFE version).
        if let Some(expected) = &options.expected_scripts {
            let shown: Vec<(&str, Option<&str>)> =
                expected.iter().map(|e| (e.version.as_str(), e.rollback_script.as_deref())).collect();
            let now: Vec<(&str, Option<&str>)> =
                rows.iter().map(|r| (r.stored.version.as_str(), script_run(r))).collect();
            if shown != now {
                return Err(Error::RollbackScriptChanged(
                    "The versions to restore, or their scripts, are no longer the ones that were shown. Nothing was \
                     run or changed"
                        .into(),
                ));
            }
        }
        // Nothing to restore: the ordinary rollbacks, which also run a script that cannot run in a transaction.
        if rows.iter().all(|r| r.stored.rollback_safe) {
            return Ok(None);
        }
        let mut steps = Vec::with_capacity(rows.len());
        for row in &rows {
            let version = &row.stored.version;
            let script = if row.stored.rollback_safe {
                let text = row.stored.rollback_script.as_deref().unwrap_or("");
                ParsedMigration::parse(text).map_err(|e| {
                    Error::RollbackFailed(format!("The rollback script of version {version} does not parse: {e}"))
                })?
            } else {
                restorable(&tx, row).await?
            };
            if !script.runs_in_transaction() {
                return Err(Error::NotTransactional(format!(
                    "The rollback of version {version} cannot run in a transaction: a range with restore_data runs in \
                     one. Nothing was changed"
                )));
            }
            steps.push(script);
        }
        force_keys(&tx, options.force).await?;
        restore_rows(&tx, options.force, options.overwrite).await?;
        let mut notes = Vec::with_capacity(rows.len());
        for (row, script) in rows.iter().zip(&steps) {
            if let Err(failed) = run(&tx, ctx, Statements::Plain(script)).await {
                let error = restore_failed(&row.stored.version, script, &failed);
                let _ = tx.rollback().await;
                return Err(error);
            }
            notes.push(keys_not_valid(&tx).await?);
        }
        tx.batch_execute(DROP_SCHEMA_IF_EMPTY)
            .await
            .map_err(|e| Error::RollbackFailed(format!("Restore of a range: {}", statement_cause(&e))))?;
        let mut done = Vec::with_capacity(rows.len());
        for (row, notes) in rows.iter().zip(notes) {
            let hash = options
                .migrations
                .iter()
                .find(|m| m.version == row.stored.version)
                .and_then(|m| m.drizzle_hash.as_deref());
            let mut one = record_done(&tx, ctx, table, row, hash, &row.stored.version).await?;
            one.restore_notes = notes;
            done.push(one);
        }
        commit(tx, "range").await?;
        Ok(Some(done))
    })
    .await?;
    match restored {
        Some(done) => Ok(done),
        // Outside the transaction above: the ordinary path takes the lock itself and checks everything again.
        None => {
            let plain = ExecuteManyOptions { restore_data: false, ..options.clone() };
            Box::pin(crate::rollback::execute_rollbacks(url, &plain)).await
        }
    }
}
