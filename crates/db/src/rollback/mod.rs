//! Executing stored rollbacks: one version, or several (`range` selects them and previews).
pub(crate) mod range;

use pg_rollback_core::ParsedMigration;
use tokio_postgres::{Client, GenericClient, Transaction};

use crate::drizzle;
use crate::error::{statement_cause, Error, Result};
use crate::lock::{release_session, set_timeouts, take_lock, Timeouts};
use crate::run::{run, StatementFailed, Statements};
use crate::session::{check_text, check_timeout, with_session, Ctx};
use crate::versions::{self, Table, VersionRow};
use crate::{ExecuteManyOptions, ExecuteOptions, ExecutedRollback, Refusal};

/// What the stored script must still be for the rollback to run.
#[derive(Clone, Copy)]
enum Expect<'a> {
    /// The script the caller showed for confirmation (`expected_script`).
    Shown(&'a str),
    /// The script read before waiting for the lock, which chose the execution path.
    ReadBeforeLock(&'a str),
}

/// The checks the spec's "Safety Validations" lists, in its order (after existence,
/// already-rolled-back and `expect`). Returns the row id, the script text and the parsed script.
fn executable(
    row: Option<VersionRow>,
    version: &str,
    force: bool,
    expect: &[Expect<'_>],
) -> Result<(i64, String, ParsedMigration)> {
    let row = row.ok_or_else(|| Error::VersionNotFound(version.to_owned()))?;
    if row.stored.rollback_applied_at.is_some() {
        return Err(Error::AlreadyRolledBack(version.to_owned()));
    }
    let stored = row.stored.rollback_script.as_deref();
    for expected in expect {
        match *expected {
            Expect::Shown(text) if stored != Some(text) => {
                return Err(Error::RollbackScriptChanged(format!(
                    "The rollback script of version {version} is no longer the one that was shown (it was replaced \
                     meanwhile, e.g. by a store or backfill). Nothing was run or changed; review the current script \
                     and try again"
                )))
            }
            Expect::ReadBeforeLock(text) if stored != Some(text) => {
                return Err(Error::RollbackScriptChanged(format!(
                    "The rollback script of version {version} was replaced while waiting for the lock of another \
                     pg-rollback operation. Nothing was run or changed; try again"
                )))
            }
            _ => {}
        }
    }
    let text = match stored {
        Some(s) if !s.trim().is_empty() => s.to_owned(),
        _ => return Err(Error::script_not_found(version)),
    };
    if !row.stored.rollback_safe && !force {
        return Err(Error::unsafe_rollback(version));
    }
    let cannot_run = |why: String| {
        Error::RollbackFailed(format!(
            "The rollback script of version {version} cannot be run: {why}. Nothing was changed"
        ))
    };
    let script = ParsedMigration::parse(&text).map_err(|e| cannot_run(format!("cannot parse: {e}")))?;
    if let Some(i) = script.first_transaction_control() {
        return Err(cannot_run(format!(
            "statement {} (`{}`) would end the transaction pg-rollback runs scripts in",
            i + 1,
            script.statements[i].text
        )));
    }
    // A script of comments only (a migration with nothing to undo) runs no statement and is recorded.
    Ok((row.id, text, script))
}

fn statement_failure(version: &str, index: usize, total: usize, statement: &str, e: &tokio_postgres::Error) -> String {
    format!(
        "Rollback of version {version} failed at statement {} of {total}: {statement}\nPostgreSQL: {}",
        index + 1,
        statement_cause(e)
    )
}

/// Execute the stored rollback of `version`.
///
/// Transactional scripts run in one transaction together with setting `rollback_applied_at`: on any
/// failure nothing changes. Scripts with statements that refuse transactions (`CONCURRENTLY`, ...)
/// run one statement at a time: on failure the statements before stay applied (the error lists
/// them) and a failed `CONCURRENTLY` statement may leave an INVALID index; `rollback_applied_at` is
/// set only when all succeeded. Either way the script is re-read under the lock and must be the one
/// read before it (and `expected_script`, when given), else `ROLLBACK_SCRIPT_CHANGED` and nothing runs.
/// With `migration_order`, a version after this one that is applied and not rolled back makes it
/// `ROLLBACK_OUT_OF_ORDER` (checked under the lock) unless `allow_out_of_order`.
pub async fn execute_rollback(url: &str, version: &str, options: &ExecuteOptions) -> Result<ExecutedRollback> {
    check_text("version", version, false)?;
    check_timeout("lockTimeoutMs", options.lock_timeout_ms)?;
    check_timeout("statementTimeoutMs", options.statement_timeout_ms)?;
    if let Some(hash) = &options.drizzle_hash {
        check_text("drizzleHash", hash, false)?;
    }
    if let Some(script) = &options.expected_script {
        check_text("expectedScript", script, true)?;
    }
    for v in options.migration_order.iter().flatten() {
        check_text("migrationOrder[]", v, false)?;
    }
    if options.restore_data {
        return crate::archive::restore_one(url, version, options).await;
    }
    with_session(url, async |client, ctx| {
        let table = versions::require(&*client, ctx).await?;
        let shown = options.expected_script.as_deref().map(Expect::Shown);
        // Checked before locking so that refusals never wait; checked again under the lock.
        let row = versions::latest_row(&*client, ctx, table, version, false).await?;
        let (_, text, script) = executable(row, version, options.force, shown.as_slice())?;
        let expect: Vec<Expect<'_>> = shown.into_iter().chain([Expect::ReadBeforeLock(&text)]).collect();
        let run = Run { ctx, table, version, options, expect: &expect };
        if script.runs_in_transaction() {
            run.in_transaction(client).await
        } else {
            let result = run.outside_transaction(client).await;
            release_session(&*client).await;
            result
        }
    })
    .await
}

/// Set `rollback_applied_at` of row `id` and forget Drizzle's record of it (by `hash`), in `c`'s transaction.
pub(crate) async fn record(
    c: &impl GenericClient,
    ctx: &Ctx,
    table: Table,
    id: i64,
    hash: Option<&str>,
) -> Result<ExecutedRollback, String> {
    let mut drizzle_row_deleted = false;
    if let Some(hash) = hash {
        drizzle_row_deleted = drizzle::forget(c, ctx, hash).await.map_err(|e| statement_cause(&e))?;
    }
    let rollback = versions::mark_rolled_back(c, ctx, table, id).await?;
    Ok(ExecutedRollback { rollback, drizzle_row_deleted, restore_notes: Vec::new() })
}

/// When the connection breaks during COMMIT the server may or may not have committed.
pub(crate) const COMMIT_OUTCOME_UNKNOWN: &str = "The connection was lost during COMMIT, so whether it took effect is \
     unknown: check schema_versions (getRollback, or pnpm db:rollback list) before retrying";

struct Run<'a> {
    ctx: &'a Ctx,
    table: Table,
    version: &'a str,
    options: &'a ExecuteOptions,
    expect: &'a [Expect<'a>],
}

impl Run<'_> {
    fn timeouts(&self) -> Timeouts {
        Timeouts {
            lock_timeout_ms: self.options.lock_timeout_ms,
            statement_timeout_ms: self.options.statement_timeout_ms,
        }
    }

    /// Under the lock: the row again, the same checks, and the order of migrations.
    async fn checked(&self, c: &impl GenericClient, for_update: bool) -> Result<(i64, ParsedMigration)> {
        let row = versions::latest_row(c, self.ctx, self.table, self.version, for_update).await?;
        let (id, _, script) = executable(row, self.version, self.options.force, self.expect)?;
        if let (Some(order), false) = (&self.options.migration_order, self.options.allow_out_of_order) {
            let later = versions::later_applied(c, self.ctx, self.table, self.version, order).await?;
            if !later.is_empty() {
                return Err(Error::OutOfOrder(range::out_of_order_message(self.version, &later)));
            }
        }
        Ok((id, script))
    }

    async fn record(&self, tx: &Transaction<'_>, id: i64) -> Result<ExecutedRollback, String> {
        record(tx, self.ctx, self.table, id, self.options.drizzle_hash.as_deref()).await
    }

    async fn in_transaction(&self, client: &mut Client) -> Result<ExecutedRollback> {
        let (ctx, version) = (self.ctx, self.version);
        let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
        set_timeouts(&tx, ctx, self.timeouts(), "LOCAL").await?;
        take_lock(&tx, ctx, "pg_advisory_xact_lock").await?;
        // The same text as before the lock, so still transactional.
        let (id, script) = self.checked(&tx, true).await?;
        let unchanged = "The transaction was rolled back: schema and schema_versions are unchanged";
        if let Err(StatementFailed { index, error }) = run(&tx, ctx, Statements::Plain(&script)).await {
            let total = script.statements.len();
            let message = statement_failure(version, index, total, &script.statements[index].text, &error);
            let _ = tx.rollback().await;
            let failed = Error::RollbackFailed(format!("{message}\n{unchanged}"));
            return Err(failed.with_statement(Some(statement_ref(&script, index)), sqlstate_of(&error)));
        }
        let executed = match self.record(&tx, id).await {
            Ok(executed) => executed,
            Err(cause) => {
                let _ = tx.rollback().await;
                return Err(Error::RollbackFailed(format!(
                    "Rollback of version {version}: recording it in schema_versions failed: {cause}\n{unchanged}"
                )));
            }
        };
        tx.commit().await.map_err(|e| {
            let outcome = match e.as_db_error() {
                Some(_) => "Nothing was committed: schema and schema_versions are unchanged",
                None => COMMIT_OUTCOME_UNKNOWN,
            };
            Error::RollbackFailed(format!(
                "Rollback of version {version}: COMMIT failed: {}\n{outcome}",
                statement_cause(&e)
            ))
        })?;
        Ok(executed)
    }

    async fn outside_transaction(&self, client: &mut Client) -> Result<ExecutedRollback> {
        let (ctx, version) = (self.ctx, self.version);
        set_timeouts(&*client, ctx, self.timeouts(), "SESSION").await?;
        take_lock(&*client, ctx, "pg_advisory_lock").await?;
        // The same text as before the lock, so still non-transactional: nothing runs otherwise.
        let (id, script) = self.checked(&*client, false).await?;
        let statements = &script.statements;
        let total = statements.len();
        if let Err(StatementFailed { index: i, error }) = run(&*client, ctx, Statements::Plain(&script)).await {
            let message = statement_failure(version, i, total, &statements[i].text, &error);
            let ran = if i == 0 {
                "No earlier statement had run.".to_owned()
            } else {
                let list: Vec<String> =
                    statements[..i].iter().enumerate().map(|(n, s)| format!("  {}: {}", n + 1, s.text)).collect();
                format!(
                    "This script cannot run in a transaction (CONCURRENTLY or similar), so statements 1-{i} of {total} \
                     ran and stay applied:\n{}",
                    list.join("\n")
                )
            };
            let failed = Error::RollbackFailed(format!(
                "{message}\n{ran}\nA failed CONCURRENTLY statement can itself leave an index behind marked INVALID \
                 (pg_index.indisvalid = false): check for one and drop or REINDEX it.\n\
                 rollback_applied_at was not set; finish the rollback by hand"
            ));
            return Err(failed.with_statement(Some(statement_ref(&script, i)), sqlstate_of(&error)));
        }
        let recorded = async {
            let tx = client.transaction().await.map_err(|e| statement_cause(&e))?;
            let executed = self.record(&tx, id).await?;
            tx.commit().await.map_err(|e| statement_cause(&e))?;
            Ok::<_, String>(executed)
        };
        recorded.await.map_err(|cause| {
            Error::RollbackFailed(format!(
                "Rollback of version {version}: all {total} statements ran, but recording it in schema_versions failed: \
                 {cause}; rollback_applied_at was not set"
            ))
        })
    }
}

/// The versions of a multi-step rollback are no longer the ones that were checked or shown.
fn selection_changed(why: &str) -> Error {
    Error::RollbackScriptChanged(format!(
        "The versions to roll back or their scripts are no longer the ones {why} (a migration was applied, rolled \
         back or stored meanwhile). Nothing was run or changed; review the current preview and try again"
    ))
}

fn versions_and_scripts(rows: &[VersionRow]) -> Vec<(&str, Option<&str>)> {
    rows.iter().map(|r| (r.stored.version.as_str(), r.stored.rollback_script.as_deref())).collect()
}

/// The refusals, and that the selection is the one the caller showed.
fn check_selection(rows: &[VersionRow], refusals: &[Refusal], options: &ExecuteManyOptions) -> Result<()> {
    if let Some(e) = range::refusal_error(refusals, options.force) {
        return Err(e);
    }
    if let Some(expected) = &options.expected_scripts {
        let shown: Vec<(&str, Option<&str>)> =
            expected.iter().map(|e| (e.version.as_str(), e.rollback_script.as_deref())).collect();
        if shown != versions_and_scripts(rows) {
            if let Some(version) = &options.version {
                return Err(Error::RollbackScriptChanged(format!(
                    "The rollback script of version {version} is no longer the one that was shown (it was replaced \
                     meanwhile, e.g. by a store or backfill). Nothing was run or changed; review the current script \
                     and try again"
                )));
            }
            return Err(selection_changed("that were shown"));
        }
    }
    Ok(())
}

fn list(rows: &[&VersionRow]) -> String {
    rows.iter().map(|r| r.stored.version.as_str()).collect::<Vec<_>>().join(", ")
}

/// Execute the rollbacks of several versions: every version applied after `options.to`, or the newest
/// `options.steps`, newest first (the journal's order in `options.migrations`, `schema_versions` for the
/// others).
///
/// Refused before anything runs, with the codes of a single rollback: a version without a script
/// (`ROLLBACK_SCRIPT_NOT_FOUND`, even with force), an unsafe one (`ROLLBACK_UNSAFE` unless force), an unknown
/// target (`VERSION_NOT_FOUND`), a target that is not applied (`TARGET_NOT_APPLIED`), a selection other than
/// `expected_scripts` (`ROLLBACK_SCRIPT_CHANGED`). Under the advisory lock the selection is read again and
/// must be the same.
///
/// When every script can run in a transaction, all of them run in ONE transaction together with every
/// `rollback_applied_at` and every Drizzle deletion: on any failure nothing changes, and the error names
/// the version and the statement. A script that cannot (`CONCURRENTLY`) runs on its own, statement by
/// statement, between transactions for the versions before and after it; the run stops at the first failure
/// and the error says which versions were rolled back and which statements ran.
pub async fn execute_rollbacks(url: &str, options: &ExecuteManyOptions) -> Result<Vec<ExecutedRollback>> {
    range::selection(options)?;
    check_timeout("lockTimeoutMs", options.lock_timeout_ms)?;
    check_timeout("statementTimeoutMs", options.statement_timeout_ms)?;
    for m in &options.migrations {
        if let Some(hash) = &m.drizzle_hash {
            check_text("migrations[].drizzleHash", hash, false)?;
        }
    }
    for e in options.expected_scripts.iter().flatten() {
        check_text("expectedScripts[].version", &e.version, false)?;
        check_text("expectedScripts[].rollbackScript", e.rollback_script.as_deref().unwrap_or(""), true)?;
    }
    if options.restore_data {
        return crate::archive::restore_range(url, options).await;
    }
    with_session(url, async |client, ctx| {
        let table = versions::require(&*client, ctx).await?;
        // Checked before locking so that refusals never wait; checked again under the lock.
        let (before, refusals) = range::selected(&*client, ctx, table, options).await?;
        check_selection(&before, &refusals, options)?;
        if before.is_empty() {
            return Ok(Vec::new());
        }
        let many = Many { ctx, table, options, before: &before };
        let transactional = before.iter().all(|r| {
            r.stored
                .rollback_script
                .as_deref()
                .and_then(|s| ParsedMigration::parse(s).ok())
                .is_some_and(|s| s.runs_in_transaction())
        });
        if transactional {
            many.in_one_transaction(client).await
        } else {
            let result = many.in_segments(client).await;
            release_session(&*client).await;
            result
        }
    })
    .await
}

struct Many<'a> {
    ctx: &'a Ctx,
    table: Table,
    options: &'a ExecuteManyOptions,
    before: &'a [VersionRow],
}

impl Many<'_> {
    fn timeouts(&self) -> Timeouts {
        Timeouts {
            lock_timeout_ms: self.options.lock_timeout_ms,
            statement_timeout_ms: self.options.statement_timeout_ms,
        }
    }

    fn hash(&self, version: &str) -> Option<&str> {
        self.options.migrations.iter().find(|m| m.version == version).and_then(|m| m.drizzle_hash.as_deref())
    }

    /// Under the lock: the same selection as before it, parsed.
    async fn locked(&self, c: &impl GenericClient) -> Result<Vec<(VersionRow, ParsedMigration)>> {
        let (rows, refusals) = range::selected(c, self.ctx, self.table, self.options).await?;
        check_selection(&rows, &refusals, self.options)?;
        if versions_and_scripts(&rows) != versions_and_scripts(self.before) {
            return Err(selection_changed("read before waiting for the lock of another pg-rollback operation"));
        }
        let mut parsed = Vec::with_capacity(rows.len());
        for row in rows {
            let text = row.stored.rollback_script.clone().unwrap_or_default();
            // refusals() has parsed every script already.
            let script = ParsedMigration::parse(&text).map_err(|e| Error::Internal(e.to_string()))?;
            parsed.push((row, script));
        }
        Ok(parsed)
    }

    fn failure(&self, row: &VersionRow, script: &ParsedMigration, failed: &StatementFailed) -> String {
        let total = script.statements.len();
        statement_failure(
            &row.stored.version,
            failed.index,
            total,
            &script.statements[failed.index].text,
            &failed.error,
        )
    }

    async fn in_one_transaction(&self, client: &mut Client) -> Result<Vec<ExecutedRollback>> {
        let ctx = self.ctx;
        let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
        set_timeouts(&tx, ctx, self.timeouts(), "LOCAL").await?;
        take_lock(&tx, ctx, "pg_advisory_xact_lock").await?;
        let steps = self.locked(&tx).await?;
        let all: Vec<&VersionRow> = steps.iter().map(|(r, _)| r).collect();
        let together = match all.len() {
            1 => String::new(),
            _ => format!(" (versions {} were to be rolled back together)", list(&all)),
        };
        let unchanged = format!(
            "The transaction was rolled back: schema, schema_versions and drizzle.__drizzle_migrations are \
             unchanged{together}"
        );
        for (row, script) in &steps {
            if let Err(failed) = run(&tx, ctx, Statements::Plain(script)).await {
                let message = self.failure(row, script, &failed);
                let _ = tx.rollback().await;
                return Err(Error::RollbackFailed(format!("{message}\n{unchanged}")));
            }
        }
        let mut executed = Vec::with_capacity(steps.len());
        for (row, _) in &steps {
            match record(&tx, ctx, self.table, row.id, self.hash(&row.stored.version)).await {
                Ok(done) => executed.push(done),
                Err(cause) => {
                    let _ = tx.rollback().await;
                    return Err(Error::RollbackFailed(format!(
                        "Rollback of version {}: recording it in schema_versions failed: {cause}\n{unchanged}",
                        row.stored.version
                    )));
                }
            }
        }
        tx.commit().await.map_err(|e| {
            let outcome = match e.as_db_error() {
                Some(_) => unchanged.clone(),
                None => COMMIT_OUTCOME_UNKNOWN.to_owned(),
            };
            Error::RollbackFailed(format!(
                "Rollbacks of versions {}: COMMIT failed: {}\n{outcome}",
                list(&all),
                statement_cause(&e)
            ))
        })?;
        Ok(executed)
    }

    /// Transactional versions in one transaction per run of them; a non-transactional one on its own.
    async fn in_segments(&self, client: &mut Client) -> Result<Vec<ExecutedRollback>> {
        let ctx = self.ctx;
        set_timeouts(&*client, ctx, self.timeouts(), "SESSION").await?;
        take_lock(&*client, ctx, "pg_advisory_lock").await?;
        let steps = self.locked(&*client).await?;
        let mut executed: Vec<ExecutedRollback> = Vec::new();
        let mut i = 0;
        while i < steps.len() {
            let end = if steps[i].1.runs_in_transaction() {
                i + steps[i..].iter().take_while(|(_, s)| s.runs_in_transaction()).count()
            } else {
                i + 1
            };
            let segment = &steps[i..end];
            let result = if segment[0].1.runs_in_transaction() {
                self.segment_in_transaction(client, segment).await
            } else {
                self.alone(client, &segment[0]).await
            };
            match result {
                Ok(done) => executed.extend(done),
                Err(report) => {
                    let done: Vec<&VersionRow> = steps[..i].iter().map(|(r, _)| r).collect();
                    let rest: Vec<&VersionRow> = steps[end..].iter().map(|(r, _)| r).collect();
                    let mut message = report;
                    message.push_str(&if done.is_empty() {
                        "\nNo version was rolled back before it.".to_owned()
                    } else {
                        format!("\nRolled back and committed before it: {} (rollback_applied_at set).", list(&done))
                    });
                    if !rest.is_empty() {
                        message.push_str(&format!("\nNot run: {}.", list(&rest)));
                    }
                    return Err(Error::RollbackFailed(message));
                }
            }
            i = end;
        }
        Ok(executed)
    }

    async fn segment_in_transaction(
        &self,
        client: &mut Client,
        segment: &[(VersionRow, ParsedMigration)],
    ) -> Result<Vec<ExecutedRollback>, String> {
        let ctx = self.ctx;
        let rows: Vec<&VersionRow> = segment.iter().map(|(r, _)| r).collect();
        let unchanged = format!("Its transaction was rolled back: versions {} are unchanged.", list(&rows));
        let tx = client.transaction().await.map_err(|e| statement_cause(&e))?;
        for (row, script) in segment {
            if let Err(failed) = run(&tx, ctx, Statements::Plain(script)).await {
                let message = self.failure(row, script, &failed);
                let _ = tx.rollback().await;
                return Err(format!("{message}\n{unchanged}"));
            }
        }
        let mut executed = Vec::new();
        for (row, _) in segment {
            match record(&tx, ctx, self.table, row.id, self.hash(&row.stored.version)).await {
                Ok(done) => executed.push(done),
                Err(cause) => {
                    let _ = tx.rollback().await;
                    return Err(format!(
                        "Rollback of version {}: recording it in schema_versions failed: {cause}\n{unchanged}",
                        row.stored.version
                    ));
                }
            }
        }
        tx.commit().await.map_err(|e| format!("COMMIT of versions {} failed: {}", list(&rows), statement_cause(&e)))?;
        Ok(executed)
    }

    async fn alone(
        &self,
        client: &mut Client,
        (row, script): &(VersionRow, ParsedMigration),
    ) -> Result<Vec<ExecutedRollback>, String> {
        let ctx = self.ctx;
        let version = &row.stored.version;
        if let Err(failed) = run(&*client, ctx, Statements::Plain(script)).await {
            let message = self.failure(row, script, &failed);
            let i = failed.index;
            let ran = if i == 0 {
                "No statement of it had run.".to_owned()
            } else {
                format!(
                    "Its script cannot run in a transaction (CONCURRENTLY or similar): statements 1-{i} of {} ran \
                     and stay applied; rollback_applied_at of {version} was not set. A failed CONCURRENTLY \
                     statement can leave an index marked INVALID: check for one and drop or REINDEX it.",
                    script.statements.len()
                )
            };
            return Err(format!("{message}\n{ran}"));
        }
        let recorded = async {
            let tx = client.transaction().await.map_err(|e| statement_cause(&e))?;
            let executed = record(&tx, ctx, self.table, row.id, self.hash(version)).await?;
            tx.commit().await.map_err(|e| statement_cause(&e))?;
            Ok::<_, String>(executed)
        };
        recorded.await.map(|e| vec![e]).map_err(|cause| {
            format!(
                "Rollback of version {version}: all its statements ran, but recording it in schema_versions failed: \
                 {cause}; rollback_applied_at was not set"
            )
        })
    }
}

/// Statement `index` of a rollback script, for the error's data.
fn statement_ref(script: &ParsedMigration, index: usize) -> crate::StatementRef {
    let s = &script.statements[index];
    crate::StatementRef { index: index as u32, line: s.line, column: s.column, sql: s.text.clone() }
}

fn sqlstate_of(e: &tokio_postgres::Error) -> Option<String> {
    crate::error::sqlstate(e).map(str::to_owned)
}
