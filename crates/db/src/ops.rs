//! The operations: store, read, execute, apply.
use tokio_postgres::{Client, GenericClient, Row, Transaction};

use crate::connect::{connect, parse_url, Session};
use crate::error::{error_chain, is_connection_error, pg_message, sqlstate, statement_cause, Error, Result};
use crate::script::{split, Script};
use crate::{
    ApplyOutcome, DrizzleEntry, ExecuteOptions, ExecutedRollback, MigrationInput, StoredRollback, ADVISORY_LOCK_KEY,
    ROLLBACK_COLUMNS_MIGRATION, SCHEMA_VERSIONS_MIGRATION,
};

/// `schema_versions` columns this crate reads or writes, by the migration that creates them.
const BASE_COLUMNS: [&str; 7] =
    ["id", "version", "migration_file", "applied_at", "applied_by", "description", "rollback_safe"];
const ROLLBACK_COLUMNS: [&str; 2] = ["rollback_script", "rollback_applied_at"];

/// Columns of a row as `StoredRollback` needs them, timestamps as ISO 8601 UTC text.
const ROW_COLUMNS: &str = r#"id::bigint AS id, version, migration_file, description, rollback_script,
    COALESCE(rollback_safe, false) AS rollback_safe,
    to_char(applied_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS applied_at,
    to_char(rollback_applied_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS rollback_applied_at"#;

/// Timestamps are written in UTC (`TIMESTAMP` columns have no zone; the session's zone is UTC too).
const NOW_UTC: &str = "(now() AT TIME ZONE 'UTC')";

struct VersionRow {
    id: i64,
    stored: StoredRollback,
}

/// A row as `StoredRollback`; a value that cannot be converted (e.g. a column of another type) is a
/// metadata problem (`DATABASE_ERROR`), not a broken connection.
fn version_row(row: &Row, what: &str) -> Result<VersionRow> {
    let read = || -> Result<VersionRow, tokio_postgres::Error> {
        Ok(VersionRow {
            id: row.try_get("id")?,
            stored: StoredRollback {
                version: row.try_get("version")?,
                migration_file: row.try_get("migration_file")?,
                description: row.try_get("description")?,
                rollback_script: row.try_get("rollback_script")?,
                rollback_safe: row.try_get("rollback_safe")?,
                warnings: Vec::new(),
                applied_at: row.try_get::<_, Option<String>>("applied_at")?.unwrap_or_default(),
                rollback_applied_at: row.try_get("rollback_applied_at")?,
            },
        })
    };
    read().map_err(|e| Error::Database(format!("cannot read a schema_versions row while {what}: {}", error_chain(&e))))
}

/// Maps errors of statements we issue ourselves; `describe` is the server's host:port.
#[derive(Clone)]
struct Ctx {
    describe: String,
}

impl Ctx {
    fn err(&self, what: &str, e: &tokio_postgres::Error) -> Error {
        if is_connection_error(e) {
            return Error::ConnectionFailed(format!(
                "lost the connection to PostgreSQL at {} while {what}: {}",
                self.describe,
                error_chain(e)
            ));
        }
        match e.as_db_error() {
            Some(_) => Error::Database(format!("PostgreSQL error while {what}: {}", pg_message(e))),
            None => Error::Database(format!("error while {what}: {}", error_chain(e))),
        }
    }
}

fn check_text(name: &str, value: &str, allow_empty: bool) -> Result<()> {
    if value.contains('\0') {
        return Err(Error::InvalidArgument(format!("{name} contains a NUL byte")));
    }
    if !allow_empty && value.trim().is_empty() {
        return Err(Error::InvalidArgument(format!("{name} must not be empty")));
    }
    Ok(())
}

fn check_migration(m: &MigrationInput) -> Result<()> {
    check_text("version", &m.version, false)?;
    check_text("migrationFile", &m.migration_file, false)?;
    check_text("description", m.description.as_deref().unwrap_or(""), true)?;
    check_text("appliedBy", m.applied_by.as_deref().unwrap_or(""), true)
}

fn check_timeout(name: &str, ms: Option<u32>) -> Result<()> {
    match ms {
        Some(v) if v > i32::MAX as u32 => {
            Err(Error::InvalidArgument(format!("{name} must be at most {} (milliseconds)", i32::MAX)))
        }
        _ => Ok(()),
    }
}

/// Connect, run `op`, and always close the connection.
async fn with_session<T>(url: &str, op: impl AsyncFnOnce(&mut Client, &Ctx) -> Result<T>) -> Result<T> {
    let target = parse_url(url)?;
    let mut session: Session = connect(&target).await?;
    let ctx = Ctx { describe: target.describe.clone() };
    let result = op(&mut session.client, &ctx).await;
    session.close().await;
    result
}

/// Fails with `SCHEMA_VERSIONS_MISSING` unless `schema_versions` has every column we use.
async fn require_schema_versions(c: &impl GenericClient, ctx: &Ctx) -> Result<()> {
    match missing_schema_versions(c, ctx).await? {
        None => Ok(()),
        Some(message) => Err(Error::SchemaVersionsMissing(message)),
    }
}

/// Why `schema_versions` cannot be used, or `None` when it can.
async fn missing_schema_versions(c: &impl GenericClient, ctx: &Ctx) -> Result<Option<String>> {
    let row = c
        .query_one(
            "SELECT to_regclass('schema_versions') IS NOT NULL,
                    ARRAY(SELECT attname::text FROM pg_attribute
                          WHERE attrelid = to_regclass('schema_versions') AND attnum > 0 AND NOT attisdropped)",
            &[],
        )
        .await
        .map_err(|e| ctx.err("checking table schema_versions", &e))?;
    let exists: bool = row.get(0);
    let columns: Vec<String> = row.get(1);
    if !exists {
        return Ok(Some(format!(
            "Table schema_versions does not exist: apply migrations {SCHEMA_VERSIONS_MIGRATION} (creates it) \
             and {ROLLBACK_COLUMNS_MIGRATION} (adds rollback_script and rollback_applied_at)"
        )));
    }
    let lacking = |wanted: &[&str]| -> Vec<String> {
        wanted.iter().filter(|w| !columns.iter().any(|c| c == *w)).map(|w| w.to_string()).collect()
    };
    let base = lacking(&BASE_COLUMNS);
    if !base.is_empty() {
        return Ok(Some(format!(
            "Table schema_versions lacks column(s) {}, created by migration {SCHEMA_VERSIONS_MIGRATION}",
            base.join(", ")
        )));
    }
    let rollback = lacking(&ROLLBACK_COLUMNS);
    if !rollback.is_empty() {
        return Ok(Some(format!(
            "Table schema_versions lacks column(s) {}: apply migration {ROLLBACK_COLUMNS_MIGRATION}",
            rollback.join(", ")
        )));
    }
    Ok(None)
}

/// The newest row for `version` (a version re-applied after a rollback has several).
async fn latest_row(c: &impl GenericClient, ctx: &Ctx, version: &str, for_update: bool) -> Result<Option<VersionRow>> {
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM schema_versions WHERE version = $1 ORDER BY id DESC LIMIT 1{}",
        if for_update { " FOR UPDATE" } else { "" }
    );
    let what = "reading schema_versions";
    let row = c.query_opt(&sql, &[&version]).await.map_err(|e| ctx.err(what, &e))?;
    row.map(|r| version_row(&r, what)).transpose()
}

/// Take the advisory lock; a timeout becomes `LOCK_TIMEOUT`.
async fn take_lock(c: &impl GenericClient, ctx: &Ctx, function: &str) -> Result<()> {
    let sql = format!("SELECT {function}({ADVISORY_LOCK_KEY})");
    match c.batch_execute(&sql).await {
        Ok(()) => Ok(()),
        // lock_not_available (lock_timeout), query_canceled (statement_timeout)
        Err(e) if matches!(sqlstate(&e), Some("55P03" | "57014")) => Err(Error::LockTimeout(format!(
            "Another pg-rollback operation on this database holds its lock (advisory lock {ADVISORY_LOCK_KEY}); \
             gave up waiting: {}. Nothing was changed",
            pg_message(&e)
        ))),
        Err(e) => Err(ctx.err("taking the pg-rollback advisory lock", &e)),
    }
}

/// Insert the row for `m`, or replace the script of its newest row unless that one was rolled back
/// (a re-applied version gets a new row, so the history of rollbacks is kept).
async fn write_row(
    c: &impl GenericClient,
    ctx: &Ctx,
    m: &MigrationInput,
    plan: &pg_rollback_core::RollbackPlan,
) -> Result<StoredRollback> {
    let what = "writing schema_versions";
    let existing = c
        .query_opt(
            "SELECT id::bigint, rollback_applied_at IS NOT NULL FROM schema_versions
             WHERE version = $1 ORDER BY id DESC LIMIT 1 FOR UPDATE",
            &[&m.version],
        )
        .await
        .map_err(|e| ctx.err(what, &e))?;
    let replace = existing.filter(|r| !r.get::<_, bool>(1)).map(|r| r.get::<_, i64>(0));
    let row = match replace {
        Some(id) => {
            c.query_one(
                &format!(
                    "UPDATE schema_versions SET migration_file = $2, description = COALESCE($3, description),
                       applied_by = COALESCE($4, applied_by), rollback_safe = $5, rollback_script = $6
                     WHERE id = $1::bigint RETURNING {ROW_COLUMNS}"
                ),
                &[&id, &m.migration_file, &m.description, &m.applied_by, &plan.rollback_safe, &plan.rollback_script],
            )
            .await
        }
        None => {
            c.query_one(
                &format!(
                    "INSERT INTO schema_versions
                       (version, migration_file, applied_at, applied_by, description, rollback_safe, rollback_script)
                     VALUES ($1, $2, {NOW_UTC}, $3, $4, $5, $6) RETURNING {ROW_COLUMNS}"
                ),
                &[
                    &m.version,
                    &m.migration_file,
                    &m.applied_by,
                    &m.description,
                    &plan.rollback_safe,
                    &plan.rollback_script,
                ],
            )
            .await
        }
    }
    .map_err(|e| ctx.err(what, &e))?;
    let mut stored = version_row(&row, what)?.stored;
    stored.warnings = plan.warnings.clone();
    Ok(stored)
}

/// Generate the rollback of `m.sql` and store it in `schema_versions`.
pub async fn store_rollback(url: &str, m: &MigrationInput) -> Result<StoredRollback> {
    check_migration(m)?;
    parse_url(url)?;
    let plan = pg_rollback_core::generate_rollback(&m.sql)?;
    with_session(url, async |client, ctx| {
        let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
        take_lock(&tx, ctx, "pg_advisory_xact_lock").await?;
        require_schema_versions(&tx, ctx).await?;
        let stored = write_row(&tx, ctx, m, &plan).await?;
        tx.commit().await.map_err(|e| ctx.err("committing", &e))?;
        Ok(stored)
    })
    .await
}

/// The newest row for `version`, without changing anything (`warnings` is empty: not stored).
pub async fn get_rollback(url: &str, version: &str) -> Result<StoredRollback> {
    check_text("version", version, false)?;
    with_session(url, async |client, ctx| {
        require_schema_versions(&*client, ctx).await?;
        match latest_row(&*client, ctx, version, false).await? {
            Some(row) => Ok(row.stored),
            None => Err(Error::VersionNotFound(version.to_owned())),
        }
    })
    .await
}

/// Every `schema_versions` row, oldest first (`warnings` empty: not stored).
pub async fn list_rollbacks(url: &str) -> Result<Vec<StoredRollback>> {
    with_session(url, async |client, ctx| {
        require_schema_versions(&*client, ctx).await?;
        let what = "reading schema_versions";
        let rows = client
            .query(&format!("SELECT {ROW_COLUMNS} FROM schema_versions ORDER BY applied_at, id"), &[])
            .await
            .map_err(|e| ctx.err(what, &e))?;
        rows.iter().map(|r| version_row(r, what).map(|v| v.stored)).collect()
    })
    .await
}

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
) -> Result<(i64, String, Script)> {
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
        _ => return Err(Error::RollbackScriptNotFound(version.to_owned())),
    };
    if !row.stored.rollback_safe && !force {
        return Err(Error::RollbackUnsafe(version.to_owned()));
    }
    let script = split(&text).map_err(|e| {
        Error::RollbackFailed(format!(
            "The rollback script of version {version} cannot be run: {e}. Nothing was changed"
        ))
    })?;
    if script.statements.is_empty() {
        return Err(Error::RollbackScriptNotFound(version.to_owned()));
    }
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
    with_session(url, async |client, ctx| {
        require_schema_versions(&*client, ctx).await?;
        let shown = options.expected_script.as_deref().map(Expect::Shown);
        // Checked before locking so that refusals never wait; checked again under the lock.
        let row = latest_row(&*client, ctx, version, false).await?;
        let (_, text, script) = executable(row, version, options.force, shown.as_slice())?;
        let expect: Vec<Expect<'_>> = shown.into_iter().chain([Expect::ReadBeforeLock(&text)]).collect();
        if script.transactional {
            execute_in_transaction(client, ctx, version, options, &expect).await
        } else {
            let result = execute_outside_transaction(client, ctx, version, options, &expect).await;
            // Session settings outlive this call on the embedded server (one shared session).
            let _ = client
                .batch_execute(&format!(
                    "SELECT pg_advisory_unlock({ADVISORY_LOCK_KEY}); RESET lock_timeout; RESET statement_timeout"
                ))
                .await;
            result
        }
    })
    .await
}

fn timeout_settings(options: &ExecuteOptions, scope: &str) -> String {
    let mut sql = String::new();
    if let Some(ms) = options.lock_timeout_ms {
        sql.push_str(&format!("SET {scope} lock_timeout = {ms};"));
    }
    if let Some(ms) = options.statement_timeout_ms {
        sql.push_str(&format!("SET {scope} statement_timeout = {ms};"));
    }
    sql
}

async fn set_timeouts(c: &impl GenericClient, ctx: &Ctx, options: &ExecuteOptions, scope: &str) -> Result<()> {
    let sql = timeout_settings(options, scope);
    if sql.is_empty() {
        return Ok(());
    }
    c.batch_execute(&sql).await.map_err(|e| ctx.err("setting lock_timeout/statement_timeout", &e))
}

async fn drizzle_table_exists(c: &impl GenericClient) -> Result<bool, tokio_postgres::Error> {
    Ok(c.query_one("SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL", &[]).await?.get(0))
}

/// In `tx`: forget Drizzle's record of the migration (when `drizzle_hash` is given) and set
/// `rollback_applied_at`. The error is the cause, for the caller's message.
async fn record_rollback(
    tx: &Transaction<'_>,
    id: i64,
    drizzle_hash: Option<&str>,
) -> Result<ExecutedRollback, String> {
    let cause = |e: tokio_postgres::Error| statement_cause(&e);
    let mut drizzle_row_deleted = false;
    if let Some(hash) = drizzle_hash {
        if drizzle_table_exists(tx).await.map_err(cause)? {
            let deleted = tx
                .execute("DELETE FROM drizzle.__drizzle_migrations WHERE hash = $1", &[&hash])
                .await
                .map_err(cause)?;
            drizzle_row_deleted = deleted > 0;
        }
    }
    let row = tx
        .query_one(
            &format!(
                "UPDATE schema_versions SET rollback_applied_at = {NOW_UTC} WHERE id = $1::bigint RETURNING {ROW_COLUMNS}"
            ),
            &[&id],
        )
        .await
        .map_err(cause)?;
    let rollback = version_row(&row, "recording the rollback").map_err(|e| e.to_string())?.stored;
    Ok(ExecutedRollback { rollback, drizzle_row_deleted })
}

async fn execute_in_transaction(
    client: &mut Client,
    ctx: &Ctx,
    version: &str,
    options: &ExecuteOptions,
    expect: &[Expect<'_>],
) -> Result<ExecutedRollback> {
    let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
    set_timeouts(&tx, ctx, options, "LOCAL").await?;
    take_lock(&tx, ctx, "pg_advisory_xact_lock").await?;
    // The same text as before the lock, so still transactional.
    let (id, _, script) = executable(latest_row(&tx, ctx, version, true).await?, version, options.force, expect)?;
    let total = script.statements.len();
    let unchanged = "The transaction was rolled back: schema and schema_versions are unchanged";
    for (i, statement) in script.statements.iter().enumerate() {
        if let Err(e) = tx.batch_execute(statement).await {
            let message = statement_failure(version, i, total, statement, &e);
            let _ = tx.rollback().await;
            return Err(Error::RollbackFailed(format!("{message}\n{unchanged}")));
        }
    }
    let executed = match record_rollback(&tx, id, options.drizzle_hash.as_deref()).await {
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

async fn execute_outside_transaction(
    client: &mut Client,
    ctx: &Ctx,
    version: &str,
    options: &ExecuteOptions,
    expect: &[Expect<'_>],
) -> Result<ExecutedRollback> {
    set_timeouts(&*client, ctx, options, "SESSION").await?;
    take_lock(&*client, ctx, "pg_advisory_lock").await?;
    // The same text as before the lock, so still non-transactional: nothing runs otherwise.
    let (id, _, script) = executable(latest_row(&*client, ctx, version, false).await?, version, options.force, expect)?;
    let total = script.statements.len();
    for (i, statement) in script.statements.iter().enumerate() {
        if let Err(e) = client.batch_execute(statement).await {
            let message = statement_failure(version, i, total, statement, &e);
            let ran = if i == 0 {
                "No earlier statement had run.".to_owned()
            } else {
                let list: Vec<String> =
                    script.statements[..i].iter().enumerate().map(|(n, s)| format!("  {}: {s}", n + 1)).collect();
                format!(
                    "This script cannot run in a transaction (CONCURRENTLY or similar), so statements 1-{i} of {total} \
                     ran and stay applied:\n{}",
                    list.join("\n")
                )
            };
            return Err(Error::RollbackFailed(format!(
                "{message}\n{ran}\nA failed CONCURRENTLY statement can itself leave an index behind marked INVALID \
                 (pg_index.indisvalid = false): check for one and drop or REINDEX it.\n\
                 rollback_applied_at was not set; finish the rollback by hand"
            )));
        }
    }
    let recorded = async {
        let tx = client.transaction().await.map_err(|e| statement_cause(&e))?;
        let executed = record_rollback(&tx, id, options.drizzle_hash.as_deref()).await?;
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

/// When the connection breaks during COMMIT the server may or may not have committed.
const COMMIT_OUTCOME_UNKNOWN: &str = "The connection was lost during COMMIT, so whether it took effect is unknown: \
     check schema_versions (getRollback, or pnpm db:rollback list) before retrying";

/// Apply a Drizzle migration and store its rollback, in one transaction under the advisory lock.
///
/// Skipped (`applied: false`) when `drizzle.__drizzle_migrations` already has a row with
/// `created_at >= entry.created_at`, the rule drizzle-orm's migrator uses. Any failure leaves the
/// database unchanged and is `MIGRATION_FAILED`; so is a pending migration with a statement that
/// cannot run in a transaction (`CREATE INDEX CONCURRENTLY`, ...), refused before anything runs.
pub async fn apply_migration(url: &str, m: &MigrationInput, entry: &DrizzleEntry) -> Result<ApplyOutcome> {
    check_migration(m)?;
    check_text("drizzleHash", &entry.hash, false)?;
    parse_url(url)?;
    let label = format!("Migration {} ({})", m.version, m.migration_file);
    let failed = |detail: String| Error::MigrationFailed(format!("{label} {detail}"));
    let plan = pg_rollback_core::generate_rollback(&m.sql)
        .map_err(|e| failed(format!("was not applied: the rollback generator failed ({}): {e}", e.code())))?;
    let script = split(&m.sql).map_err(|e| failed(format!("was not applied: {e}")))?;
    with_session(url, async |client, ctx| {
        let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
        take_lock(&tx, ctx, "pg_advisory_xact_lock").await?;
        let unchanged = "nothing was applied (the transaction was rolled back)";
        let meta = |what: &str, e: tokio_postgres::Error| {
            failed(format!("failed while {what}: {}; {unchanged}", pg_message(&e)))
        };
        let reading = "reading drizzle.__drizzle_migrations";
        let has_table = drizzle_table_exists(&tx).await.map_err(|e| meta(reading, e))?;
        let done = has_table
            && tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM drizzle.__drizzle_migrations WHERE created_at >= $1)",
                    &[&entry.created_at],
                )
                .await
                .map_err(|e| meta(reading, e))?
                .get::<_, bool>(0);
        if done {
            tx.rollback().await.map_err(|e| ctx.err("ending a read-only transaction", &e))?;
            return Ok(ApplyOutcome { applied: false, rollback: None });
        }
        if let Some(i) = script.first_non_transactional {
            let _ = tx.rollback().await;
            return Err(failed(format!(
                "was not applied: statement {} of {}, `{}`, cannot run inside a transaction block, and each \
                 migration is applied in one transaction with its bookkeeping (as drizzle-orm's migrator does). \
                 Remove CONCURRENTLY (or move the statement to a migration applied by hand); nothing was changed",
                i + 1,
                script.statements.len(),
                script.statements[i]
            )));
        }
        if !has_table {
            // Only create what is missing: CREATE SCHEMA IF NOT EXISTS still needs CREATE privilege.
            tx.batch_execute(
                "DO $pgrb$ BEGIN
                   IF to_regnamespace('drizzle') IS NULL THEN CREATE SCHEMA drizzle; END IF;
                 END $pgrb$;
                 CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);",
            )
            .await
            .map_err(|e| meta("creating drizzle.__drizzle_migrations", e))?;
        }
        let total = script.statements.len();
        for (i, statement) in script.statements.iter().enumerate() {
            if let Err(e) = tx.batch_execute(statement).await {
                let cause = statement_cause(&e);
                let _ = tx.rollback().await;
                return Err(failed(format!(
                    "failed at statement {} of {total}: {statement}\nPostgreSQL: {cause}\n{unchanged}",
                    i + 1
                )));
            }
        }
        tx.execute(
            "INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ($1, $2)",
            &[&entry.hash, &entry.created_at],
        )
        .await
        .map_err(|e| meta("recording it in drizzle.__drizzle_migrations", e))?;
        let rollback = match missing_schema_versions(&tx, ctx).await {
            Ok(None) => Some(write_row(&tx, ctx, m, &plan).await.map_err(|e| failed(format!("{e}; {unchanged}")))?),
            Ok(Some(_)) => None,
            Err(e) => return Err(failed(format!("{e}; {unchanged}"))),
        };
        tx.commit().await.map_err(|e| match e.as_db_error() {
            Some(_) => meta("committing", e),
            None => failed(format!("failed while committing: {}; {COMMIT_OUTCOME_UNKNOWN}", pg_message(&e))),
        })?;
        Ok(ApplyOutcome { applied: true, rollback })
    })
    .await
}
