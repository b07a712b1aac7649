//! Storing, applying, planning and executing single rollbacks. Every call returns a Promise; bad arguments
//! reject it with `INVALID_ARGUMENT`, and a panic rejects it with `INTERNAL_ERROR` instead of reaching Node.
use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::Env;
use napi_derive::napi;
use pg_rollback_db::args::{ApplyMigrationInput, ApplyOptions, ExecuteRollbackOptions};
use pg_rollback_db::{
    self as db, ApplyInput, ErrorCode, InvalidIndex, MigrationInput, PlanInput, PlannedMigration, RollbackPlan,
    RollbackWarning, StoredRollback, Timeouts,
};

use crate::{arg, catch_panic, opt_arg, promise, sync, Result};
// The names JavaScript knows them by: napi names types as they are written here.
use pg_rollback_db::{ApplyOutcome as ApplyMigrationResult, StatementRef as MigrationStatement};

/// What `executeRollback` did: the updated row plus `drizzleRowDeleted`.
#[napi(object, use_nullable = true)]
pub struct ExecutedRollback {
    pub version: String,
    pub migration_file: String,
    pub description: Option<String>,
    pub rollback_script: Option<String>,
    pub rollback_safe: bool,
    pub state_captured: bool,
    pub warnings: Vec<RollbackWarning>,
    pub applied_at: String,
    /// When the rollback was executed (just now).
    pub rollback_applied_at: Option<String>,
    /// True when `drizzleHash` was given and `drizzle.__drizzle_migrations` had a row with it, now
    /// deleted. False otherwise (no `drizzleHash`, no such table, or no row with that hash): Drizzle
    /// still records the migration, or never did, so its migrator will not re-apply it by itself.
    pub drizzle_row_deleted: bool,
    /// What a restore (`restoreData`) did not bring back exactly: a foreign key that rows written since break,
    /// added `NOT VALID` because the restore was forced (`force`).
    pub restore_notes: Vec<String>,
}

impl From<db::ExecutedRollback> for ExecutedRollback {
    fn from(e: db::ExecutedRollback) -> Self {
        let r = e.rollback;
        ExecutedRollback {
            version: r.version,
            migration_file: r.migration_file,
            description: r.description,
            rollback_script: r.rollback_script,
            rollback_safe: r.rollback_safe,
            state_captured: r.state_captured,
            warnings: r.warnings,
            applied_at: r.applied_at,
            rollback_applied_at: r.rollback_applied_at,
            drizzle_row_deleted: e.drizzle_row_deleted,
            restore_notes: e.restore_notes,
        }
    }
}

/// Why a batch stopped: the stable code and message of the migration that failed, and what ran of it.
#[napi(object, use_nullable = true)]
pub struct MigrationFailure {
    pub code: ErrorCode,
    pub message: String,
    /// Always false: a migration that failed is not recorded (no `schema_versions` row, no Drizzle row).
    pub recorded: bool,
    /// True when it ran statement by statement outside one transaction (it has statements that cannot run in
    /// one, e.g. `CREATE INDEX CONCURRENTLY`): then `appliedStatements` stay applied.
    pub outside_transaction: bool,
    /// The statement that failed; null when none did (every statement ran and what followed failed, or the
    /// failure came before any statement).
    pub failed_statement: Option<MigrationStatement>,
    /// PostgreSQL's SQLSTATE of the failure, when it gave one.
    pub sqlstate: Option<String>,
    /// Statements that ran and stay applied.
    pub applied_statements: Vec<MigrationStatement>,
    /// Statements that ran in the failed statement's transaction and were rolled back with it.
    pub rolled_back_statements: Vec<MigrationStatement>,
    /// Indexes a failed concurrent build left INVALID, each with the statement that removes it.
    pub invalid_indexes: Vec<InvalidIndex>,
}

/// What `applyMigrations` did.
#[napi(object, use_nullable = true)]
pub struct AppliedMigrations {
    /// One per migration applied or skipped, in order, up to the one that failed.
    pub results: Vec<ApplyMigrationResult>,
    /// The failure of the migration at `results.length` (nothing of it was applied), or null.
    pub failure: Option<MigrationFailure>,
}

/// A version applied after another one, by the order given.
#[napi(object)]
pub struct LaterVersion {
    pub version: String,
    pub migration_file: String,
}

fn apply_inputs(migrations: Vec<ApplyMigrationInput>) -> Result<Vec<ApplyInput>> {
    migrations.into_iter().map(ApplyInput::try_from).collect()
}

/// Generate the rollback of `migration.sql` and store it in `schema_versions` (the newest row of
/// that version; a second store replaces its script, unless that row was already rolled back, in
/// which case a new row records the re-applied migration). Resolves with the row and the
/// generator's warnings.
///
/// Rejects with `code` `INVALID_ARGUMENT`, `PARSE_ERROR`, `CONNECTION_FAILED`,
/// `SCHEMA_VERSIONS_MISSING`, `LOCK_TIMEOUT` or `DATABASE_ERROR`.
#[napi(ts_args_type = "databaseUrl: string, migration: MigrationInput", ts_return_type = "Promise<StoredRollback>")]
pub fn store_rollback<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    migration: Unknown<'env>,
) -> napi::Result<PromiseRaw<'env, StoredRollback>> {
    let args = catch_panic(|| Ok((arg::<String>("databaseUrl", &database_url)?, arg("migration", &migration)?)));
    promise(env, async move {
        let (url, migration): (String, MigrationInput) = args?;
        db::store_rollback(&url, &migration).await
    })
}

/// Preview: the newest `schema_versions` row of `version`, without changing anything (its warnings come
/// from the stored plan, `[]` for rows written without one).
///
/// Rejects with `VERSION_NOT_FOUND`, `SCHEMA_VERSIONS_MISSING`, `CONNECTION_FAILED`, `DATABASE_ERROR`,
/// `INVALID_ARGUMENT`.
#[napi(ts_args_type = "databaseUrl: string, version: string", ts_return_type = "Promise<StoredRollback>")]
pub fn get_rollback<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    version: Unknown<'env>,
) -> napi::Result<PromiseRaw<'env, StoredRollback>> {
    let args = catch_panic(|| Ok((arg::<String>("databaseUrl", &database_url)?, arg::<String>("version", &version)?)));
    promise(env, async move {
        let (url, version) = args?;
        db::get_rollback(&url, &version).await
    })
}

/// Execute the stored rollback of `version` and set `rollback_applied_at`, all in one transaction:
/// if a statement fails, nothing changes. Scripts with `CONCURRENTLY` (or anything else that
/// refuses a transaction) run statement by statement instead: on failure the statements before it
/// stay applied (the error lists them), a failed `CONCURRENTLY` statement can leave an INVALID
/// index, and `rollback_applied_at` is set only when all ran. Serialized with other pg-rollback
/// operations by an advisory lock: of concurrent calls for one version exactly one succeeds. Under
/// the lock the script must still be the one read before it (and `expectedScript`, when given).
/// Resolves with the updated row and `drizzleRowDeleted`.
///
/// Rejects with `VERSION_NOT_FOUND`, `ALREADY_ROLLED_BACK` (`Migration X.Y.Z has already been rolled
/// back`), `ROLLBACK_SCRIPT_CHANGED` (the stored script was replaced meanwhile; nothing ran),
/// `ROLLBACK_SCRIPT_NOT_FOUND` (`No rollback script found for version X.Y.Z`),
/// `ROLLBACK_UNSAFE` (unless `force`), `ROLLBACK_OUT_OF_ORDER` (with `migrationOrder`: a later version is
/// still applied, unless `allowOutOfOrder`), `ROLLBACK_FAILED` (failing statement, PostgreSQL's error and
/// SQLSTATE, and what changed), `LOCK_TIMEOUT`, `SCHEMA_VERSIONS_MISSING`, `CONNECTION_FAILED`,
/// `DATABASE_ERROR`, `INVALID_ARGUMENT`. The error's `version` names the version when it is about one.
#[napi(
    ts_args_type = "databaseUrl: string, version: string, options?: ExecuteRollbackOptions",
    ts_return_type = "Promise<ExecutedRollback>"
)]
pub fn execute_rollback<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    version: Unknown<'env>,
    options: Option<Unknown<'env>>,
) -> napi::Result<PromiseRaw<'env, ExecutedRollback>> {
    let args = catch_panic(|| {
        let options: ExecuteRollbackOptions = opt_arg("options", options.as_ref())?;
        Ok((arg::<String>("databaseUrl", &database_url)?, arg::<String>("version", &version)?, options.into()))
    });
    promise(env, async move {
        let (url, version, options) = args?;
        db::execute_rollback(&url, &version, &options).await.map(Into::into)
    })
}

/// Every `schema_versions` row, oldest `applied_at` first.
#[napi(ts_args_type = "databaseUrl: string", ts_return_type = "Promise<StoredRollback[]>")]
pub fn list_rollbacks<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
) -> napi::Result<PromiseRaw<'env, Vec<StoredRollback>>> {
    let url = catch_panic(|| arg::<String>("databaseUrl", &database_url));
    promise(env, async move { db::list_rollbacks(&url?).await })
}

/// Apply a migration and store its rollback, in one transaction under the same advisory lock as
/// `executeRollback`. The rollback is built while the migration runs: before each statement the state it
/// overwrites is read from the database (defaults, definitions of what it drops, whether objects existed,
/// comments, privileges, ...), after it the names PostgreSQL chose; `rollback.stateCaptured` is true.
///
/// With `drizzleHash` and `drizzleCreatedAt` it is a Drizzle migration: skipped (`applied: false`) when
/// `drizzle.__drizzle_migrations` already has a row with `created_at >= drizzleCreatedAt` (drizzle-orm's
/// rule), else recorded there (the table is created if missing). The `schema_versions` row is written when
/// that table (with all its columns) exists afterwards; otherwise `rollback` is null.
///
/// Any failure leaves the database unchanged and rejects with `MIGRATION_FAILED` (the failing statement,
/// its line and column, and PostgreSQL's message and SQLSTATE), or `INVALID_ARGUMENT`,
/// `CONNECTION_FAILED`, `LOCK_TIMEOUT`. A migration with statements that cannot run in a transaction
/// (`CREATE INDEX CONCURRENTLY`, `VACUUM`, ...) runs statement by statement as `applyMigrations` describes;
/// if it fails midway, what ran stays applied and the message says what (`applyMigrations` gives it as
/// fields). A failing catalog read never fails the migration: that statement's rollback falls back to the
/// SQL alone, with a `CAPTURE_FAILED` warning.
///
/// `options.archive` (default true) keeps what `DROP COLUMN`/`ALTER COLUMN ... TYPE` destroy for a restore,
/// up to `options.archiveMaxBytes` per migration (default 256 MiB); `rollback.archive` says what was kept.
#[napi(
    ts_args_type = "databaseUrl: string, migration: ApplyMigrationInput, options?: ApplyOptions",
    ts_return_type = "Promise<ApplyMigrationResult>"
)]
pub fn apply_migration<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    migration: Unknown<'env>,
    options: Option<Unknown<'env>>,
) -> napi::Result<PromiseRaw<'env, ApplyMigrationResult>> {
    let args = catch_panic(|| {
        let input = ApplyInput::try_from(arg::<ApplyMigrationInput>("migration", &migration)?)?;
        Ok((arg::<String>("databaseUrl", &database_url)?, input, archive_options(options.as_ref())?))
    });
    promise(env, async move {
        let (url, input, archive) = args?;
        db::apply_migration_with(&url, &input.migration, input.drizzle.as_ref(), archive).await
    })
}

fn archive_options(v: Option<&Unknown<'_>>) -> Result<db::ArchiveOptions> {
    db::ArchiveOptions::try_from(opt_arg::<ApplyOptions>("options", v)?)
}

/// Apply migrations in order on ONE connection, each as `applyMigration` applies it (its own transaction,
/// with its bookkeeping and captured rollback, under the advisory lock). A migration with statements that
/// cannot run in a transaction (`CREATE INDEX CONCURRENTLY`, ...) runs statement by statement: each such
/// statement on its own, each run of ordinary statements between them in one transaction, its bookkeeping
/// in one transaction after the last statement. After each migration the session's role and settings are
/// reset. Stops at the first failure: the migrations before it stay applied, and `failure` says why
/// (`MIGRATION_FAILED`, `LOCK_TIMEOUT`, ...) and what ran of it (`appliedStatements`, `invalidIndexes`, ...).
/// Rejects (`INVALID_ARGUMENT`, `PARSE_ERROR`/`MIGRATION_FAILED` for SQL that does not parse,
/// `CONNECTION_FAILED`) only when nothing was applied.
/// `options` as for `applyMigration` (the archive's ceiling is per migration).
#[napi(
    ts_args_type = "databaseUrl: string, migrations: ApplyMigrationInput[], options?: ApplyOptions",
    ts_return_type = "Promise<AppliedMigrations>"
)]
pub fn apply_migrations<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    migrations: Unknown<'env>,
    options: Option<Unknown<'env>>,
) -> napi::Result<PromiseRaw<'env, AppliedMigrations>> {
    let args = catch_panic(|| {
        let inputs = apply_inputs(arg("migrations", &migrations)?)?;
        Ok((arg::<String>("databaseUrl", &database_url)?, inputs, archive_options(options.as_ref())?))
    });
    promise(env, async move {
        let (url, inputs, archive) = args?;
        let applied = db::apply_migrations_with(&url, &inputs, archive).await?;
        let detail = applied.failure_detail.unwrap_or_default();
        let failure = applied.failure.map(|error| MigrationFailure {
            code: error.code(),
            message: error.to_string(),
            recorded: false,
            outside_transaction: detail.outside_transaction,
            failed_statement: detail.failed_statement,
            sqlstate: detail.sqlstate,
            applied_statements: detail.applied_statements,
            rolled_back_statements: detail.rolled_back_statements,
            invalid_indexes: detail.invalid_indexes,
        });
        Ok(AppliedMigrations { results: applied.outcomes, failure })
    })
}

/// Dry run of one migration: run it with capture inside a transaction that is always rolled back, and
/// resolve with exactly the plan `applyMigration` would store. Changes nothing. Meanwhile it holds the
/// locks the migration takes (ACCESS EXCLUSIVE on the tables most DDL alters) and pg-rollback's advisory
/// lock; `lockTimeoutMs` bounds waiting for them. Rejects with `MIGRATION_FAILED` when the migration itself
/// fails (nothing changed), `LOCK_TIMEOUT`, `CONNECTION_FAILED`, `INVALID_ARGUMENT`.
#[napi(
    ts_args_type = "databaseUrl: string, sql: string, options?: PlanOptions",
    ts_return_type = "Promise<RollbackPlan>"
)]
pub fn plan_migration<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    sql: Unknown<'env>,
    options: Option<Unknown<'env>>,
) -> napi::Result<PromiseRaw<'env, RollbackPlan>> {
    let args = catch_panic(|| {
        let timeouts: Timeouts = opt_arg("options", options.as_ref())?;
        Ok((arg::<String>("databaseUrl", &database_url)?, arg::<String>("sql", &sql)?, timeouts))
    });
    promise(env, async move {
        let (url, sql, timeouts) = args?;
        let input = PlanInput { version: "dry run".into(), sql, drizzle_created_at: None };
        let planned = db::plan_migrations(&url, &[input], timeouts).await?;
        planned.into_iter().next().and_then(|p| p.plan).ok_or_else(|| db::Error::Internal("no dry-run plan".into()))
    })
}

/// Dry run of several migrations in order, in ONE transaction that is always rolled back (each sees the
/// ones before it): the plan each pending one would store. With `drizzleCreatedAt`, a migration Drizzle
/// already records is reported with `pending: false`. Same locks, options and errors as `planMigration`.
#[napi(
    ts_args_type = "databaseUrl: string, migrations: PlanMigrationInput[], options?: PlanOptions",
    ts_return_type = "Promise<PlannedMigration[]>"
)]
pub fn plan_migrations<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    migrations: Unknown<'env>,
    options: Option<Unknown<'env>>,
) -> napi::Result<PromiseRaw<'env, Vec<PlannedMigration>>> {
    let args = catch_panic(|| {
        let timeouts: Timeouts = opt_arg("options", options.as_ref())?;
        Ok((arg::<String>("databaseUrl", &database_url)?, arg::<Vec<PlanInput>>("migrations", &migrations)?, timeouts))
    });
    promise(env, async move {
        let (url, inputs, timeouts) = args?;
        db::plan_migrations(&url, &inputs, timeouts).await
    })
}

/// The versions after `version` in `migrationOrder` (e.g. the Drizzle journal's) that are applied and not
/// rolled back: rolling `version` back now would be out of order. Read-only; `executeRollback` with the same
/// `migrationOrder` makes this check again under its lock.
#[napi(
    ts_args_type = "databaseUrl: string, version: string, migrationOrder: string[]",
    ts_return_type = "Promise<LaterVersion[]>"
)]
pub fn later_versions<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    version: Unknown<'env>,
    migration_order: Unknown<'env>,
) -> napi::Result<PromiseRaw<'env, Vec<LaterVersion>>> {
    let args = catch_panic(|| {
        let order: Vec<String> = arg("migrationOrder", &migration_order)?;
        Ok((arg::<String>("databaseUrl", &database_url)?, arg::<String>("version", &version)?, order))
    });
    promise(env, async move {
        let (url, version, order) = args?;
        let later = db::later_applied(&url, &version, &order).await?;
        Ok(later.into_iter().map(|(version, migration_file)| LaterVersion { version, migration_file }).collect())
    })
}

/// Until the matching `closeSession(databaseUrl)`, every call with exactly this URL runs on ONE connection
/// (made at the first call, again if it is lost), one call at a time, instead of connecting and closing
/// itself: each call keeps its own transactions and advisory lock. Opening the same URL again nests. The
/// CLIs open one for their whole run (so the single-connection embedded server serves it too).
///
/// Throws `INVALID_ARGUMENT` for a URL that is not a PostgreSQL URL.
#[napi(ts_args_type = "databaseUrl: string")]
pub fn open_session(env: &Env, database_url: Unknown<'_>) -> napi::Result<()> {
    sync(env, || db::open_session(&arg::<String>("databaseUrl", &database_url)?))
}

/// Ends one `openSession(databaseUrl)`; the last one closes the connection once a running call is done.
#[napi(ts_args_type = "databaseUrl: string", ts_return_type = "Promise<void>")]
pub fn close_session<'env>(env: &'env Env, database_url: Unknown<'env>) -> napi::Result<PromiseRaw<'env, ()>> {
    let url = catch_panic(|| arg::<String>("databaseUrl", &database_url));
    promise(env, async move {
        db::close_session(&url?).await;
        Ok(())
    })
}
