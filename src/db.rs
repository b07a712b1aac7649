//! Async database functions: check JS arguments, run `pg_rollback_db` on napi's tokio runtime,
//! convert results and errors. Every call returns a Promise; bad arguments reject it with
//! `INVALID_ARGUMENT`, and a panic rejects it with `INTERNAL_ERROR` instead of reaching Node.
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use napi::bindgen_prelude::{Array, JsValue, Object, PromiseRaw, ToNapiValue, Unknown};
use napi::{Env, ValueType};
use napi_derive::napi;
use pg_rollback_db as db;

use crate::generate::{RollbackPlan, RollbackWarning};
use crate::{catch_panic, js_error, to_napi_error, CodedError, JsResult};

/// One `schema_versions` row. Timestamps are ISO 8601 strings in UTC.
#[napi(object, use_nullable = true)]
pub struct StoredRollback {
    pub version: String,
    pub migration_file: String,
    pub description: Option<String>,
    /// The generated rollback SQL; null when nothing could be generated.
    pub rollback_script: Option<String>,
    pub rollback_safe: bool,
    /// True when the rollback was built from the state read while the migration ran (`applyMigration`);
    /// false for rollbacks from the SQL alone (`storeRollback`, rows written by other tools).
    pub state_captured: bool,
    /// The generator's warnings, stored with the script in `schema_versions.rollback_plan`
    /// (`[]` for rows of a table without that column, or written by other tools).
    pub warnings: Vec<RollbackWarning>,
    pub applied_at: String,
    /// When the rollback was executed; null while it has not been.
    pub rollback_applied_at: Option<String>,
}

/// A migration whose rollback `storeRollback` generates and stores.
#[napi(object)]
pub struct MigrationInput {
    /// e.g. `1.2.0`; any non-empty text.
    pub version: String,
    pub migration_file: String,
    /// The migration SQL the rollback is generated from.
    pub sql: String,
    pub description: Option<String>,
    pub applied_by: Option<String>,
}

/// A migration for `applyMigration`. With `drizzleHash` and `drizzleCreatedAt` (both or neither), it is
/// applied as drizzle-orm's migrator would and recorded in `drizzle.__drizzle_migrations`.
// Declares the argument's TypeScript type; the value is read property by property.
#[allow(dead_code)]
#[napi(object)]
pub struct ApplyMigrationInput {
    pub version: String,
    pub migration_file: String,
    pub sql: String,
    pub description: Option<String>,
    pub applied_by: Option<String>,
    /// The `hash` recorded in `drizzle.__drizzle_migrations`.
    pub drizzle_hash: Option<String>,
    /// The journal's `when` (milliseconds), recorded as `created_at`.
    pub drizzle_created_at: Option<f64>,
}

/// A migration for `planMigrations`.
// Declares the argument's TypeScript type; the value is read property by property.
#[allow(dead_code)]
#[napi(object)]
pub struct PlanMigrationInput {
    pub version: String,
    pub sql: String,
    /// The journal's `when`: a migration Drizzle already records is reported as not pending.
    pub drizzle_created_at: Option<f64>,
}

/// Options of the dry run.
// Declares the argument's TypeScript type; the value is read property by property.
#[allow(dead_code)]
#[napi(object)]
pub struct PlanOptions {
    /// `lock_timeout` in milliseconds while the migrations run (0 = none).
    pub lock_timeout_ms: Option<f64>,
    /// `statement_timeout` in milliseconds for each statement (0 = none).
    pub statement_timeout_ms: Option<f64>,
}

/// One migration of a dry run.
#[napi(object, use_nullable = true)]
pub struct PlannedMigration {
    pub version: String,
    /// False when Drizzle already records it (`applyMigration` would skip it).
    pub pending: bool,
    /// The plan `applyMigration` would store; null when not pending.
    pub plan: Option<RollbackPlan>,
    /// Statements (0-based `statements[].index`) that cannot run in a transaction: applying runs each on its
    /// own, outside one; the dry run ran their transactional form (`CONCURRENTLY` removed, `VACUUM` left out).
    pub outside_transaction: Vec<u32>,
}

#[napi(object)]
pub struct ExecuteRollbackOptions {
    /// Execute even when `rollbackSafe` is false.
    pub force: Option<bool>,
    /// `lock_timeout` in milliseconds (also bounds the wait for another pg-rollback operation); 0 = none.
    pub lock_timeout_ms: Option<f64>,
    /// `statement_timeout` in milliseconds for each statement; 0 = none.
    pub statement_timeout_ms: Option<f64>,
    /// Also delete this hash from `drizzle.__drizzle_migrations` in the same transaction, so that
    /// Drizzle no longer records the migration. Its migrator applies it again only if no later
    /// migration is recorded (it applies only migrations newer than the newest it has).
    pub drizzle_hash: Option<String>,
    /// The script shown to the user for confirmation: if the stored script is a different one when
    /// the lock is taken, nothing runs and the promise rejects with `ROLLBACK_SCRIPT_CHANGED`.
    pub expected_script: Option<String>,
    /// Versions in the order they are applied (e.g. the Drizzle journal's). With it, a later version that
    /// is applied and not rolled back makes the call reject with `ROLLBACK_OUT_OF_ORDER` (checked under the
    /// lock), unless `allowOutOfOrder`.
    pub migration_order: Option<Vec<String>>,
    pub allow_out_of_order: Option<bool>,
}

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
}

#[napi(object, use_nullable = true)]
pub struct ApplyMigrationResult {
    /// False when Drizzle's table already records this migration or a later one: nothing ran.
    pub applied: bool,
    /// The stored row, or null when `schema_versions` (with all its columns) does not exist.
    pub rollback: Option<StoredRollback>,
}

impl From<db::StoredRollback> for StoredRollback {
    fn from(r: db::StoredRollback) -> Self {
        StoredRollback {
            version: r.version,
            migration_file: r.migration_file,
            description: r.description,
            rollback_script: r.rollback_script,
            rollback_safe: r.rollback_safe,
            state_captured: r.state_captured,
            warnings: r.warnings.into_iter().map(Into::into).collect(),
            applied_at: r.applied_at,
            rollback_applied_at: r.rollback_applied_at,
        }
    }
}

impl From<db::ExecutedRollback> for ExecutedRollback {
    fn from(e: db::ExecutedRollback) -> Self {
        let r = StoredRollback::from(e.rollback);
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
        }
    }
}

pub(crate) fn db_error(e: db::Error) -> CodedError {
    js_error(e.code(), e.to_string())
}

pub(crate) fn invalid(message: String) -> CodedError {
    js_error("INVALID_ARGUMENT", message)
}

// ---- argument checking: JS values are checked here so that every mistake is INVALID_ARGUMENT ----

pub(crate) fn type_of(v: &Unknown<'_>) -> ValueType {
    v.get_type().unwrap_or(ValueType::Unknown)
}

pub(crate) fn string_arg(v: &Unknown<'_>, name: &str) -> JsResult<String> {
    if type_of(v) != ValueType::String {
        return Err(invalid(format!("{name} must be a string")));
    }
    // SAFETY: the value was just checked to be a string.
    unsafe { v.cast::<String>() }.map_err(|e| invalid(format!("{name}: {}", e.reason)))
}

pub(crate) fn object_arg<'env>(v: &Unknown<'env>, name: &str) -> JsResult<Object<'env>> {
    if type_of(v) != ValueType::Object {
        return Err(invalid(format!("{name} must be an object")));
    }
    // SAFETY: the value was just checked to be an object (typeof null is Null in napi).
    unsafe { v.cast::<Object<'env>>() }.map_err(|e| invalid(format!("{name}: {}", e.reason)))
}

/// A property, `None` when it is absent, `undefined` or `null`.
pub(crate) fn property<'env>(obj: &Object<'env>, name: &str, key: &str) -> JsResult<Option<Unknown<'env>>> {
    let value =
        obj.get::<Unknown<'env>>(key).map_err(|e| invalid(format!("cannot read {name}.{key}: {}", e.reason)))?;
    Ok(value.filter(|v| type_of(v) != ValueType::Null))
}

pub(crate) fn opt_string(obj: &Object<'_>, name: &str, key: &str) -> JsResult<Option<String>> {
    property(obj, name, key)?.map(|v| string_arg(&v, &format!("{name}.{key}"))).transpose()
}

pub(crate) fn req_string(obj: &Object<'_>, name: &str, key: &str) -> JsResult<String> {
    opt_string(obj, name, key)?.ok_or_else(|| invalid(format!("{name}.{key} is required")))
}

pub(crate) fn opt_number(obj: &Object<'_>, name: &str, key: &str) -> JsResult<Option<f64>> {
    let Some(v) = property(obj, name, key)? else {
        return Ok(None);
    };
    if type_of(&v) != ValueType::Number {
        return Err(invalid(format!("{name}.{key} must be a number")));
    }
    // SAFETY: checked to be a number.
    unsafe { v.cast::<f64>() }.map(Some).map_err(|e| invalid(format!("{name}.{key}: {}", e.reason)))
}

pub(crate) fn opt_bool(obj: &Object<'_>, name: &str, key: &str) -> JsResult<Option<bool>> {
    let Some(v) = property(obj, name, key)? else {
        return Ok(None);
    };
    if type_of(&v) != ValueType::Boolean {
        return Err(invalid(format!("{name}.{key} must be a boolean")));
    }
    // SAFETY: checked to be a boolean.
    unsafe { v.cast::<bool>() }.map(Some).map_err(|e| invalid(format!("{name}.{key}: {}", e.reason)))
}

pub(crate) fn milliseconds(value: Option<f64>, name: &str) -> JsResult<Option<u32>> {
    match value {
        None => Ok(None),
        Some(v) if v.is_finite() && v.fract() == 0.0 && (0.0..=i32::MAX as f64).contains(&v) => Ok(Some(v as u32)),
        Some(v) => {
            Err(invalid(format!("{name} must be a whole number of milliseconds from 0 to {}, got {v}", i32::MAX)))
        }
    }
}

fn migration_input(v: &Unknown<'_>, name: &str) -> JsResult<MigrationInput> {
    let obj = object_arg(v, name)?;
    Ok(MigrationInput {
        version: req_string(&obj, name, "version")?,
        migration_file: req_string(&obj, name, "migrationFile")?,
        sql: req_string(&obj, name, "sql")?,
        description: opt_string(&obj, name, "description")?,
        applied_by: opt_string(&obj, name, "appliedBy")?,
    })
}

impl From<MigrationInput> for db::MigrationInput {
    fn from(m: MigrationInput) -> Self {
        db::MigrationInput {
            version: m.version,
            migration_file: m.migration_file,
            sql: m.sql,
            description: m.description,
            applied_by: m.applied_by,
        }
    }
}

fn whole_milliseconds(value: f64, name: &str) -> JsResult<i64> {
    if !(value.is_finite() && value.fract() == 0.0 && value.abs() <= 9_007_199_254_740_991.0) {
        return Err(invalid(format!("{name} must be a whole number (milliseconds), got {value}")));
    }
    Ok(value as i64)
}

fn apply_input(v: &Unknown<'_>) -> JsResult<(db::MigrationInput, Option<db::DrizzleEntry>)> {
    let name = "migration";
    let obj = object_arg(v, name)?;
    let base = migration_input(v, name)?;
    let hash = opt_string(&obj, name, "drizzleHash")?;
    let created_at = opt_number(&obj, name, "drizzleCreatedAt")?;
    let entry = match (hash, created_at) {
        (Some(hash), Some(created_at)) => Some(db::DrizzleEntry {
            hash,
            created_at: whole_milliseconds(created_at, &format!("{name}.drizzleCreatedAt"))?,
        }),
        (None, None) => None,
        _ => {
            return Err(invalid(format!(
                "{name}.drizzleHash and {name}.drizzleCreatedAt go together: give both (a Drizzle migration) or neither"
            )))
        }
    };
    Ok((base.into(), entry))
}

fn timeouts(v: Option<&Unknown<'_>>) -> JsResult<db::Timeouts> {
    let name = "options";
    let Some(v) = v.filter(|v| !matches!(type_of(v), ValueType::Undefined | ValueType::Null)) else {
        return Ok(db::Timeouts::default());
    };
    let obj = object_arg(v, name)?;
    Ok(db::Timeouts {
        lock_timeout_ms: milliseconds(opt_number(&obj, name, "lockTimeoutMs")?, "options.lockTimeoutMs")?,
        statement_timeout_ms: milliseconds(
            opt_number(&obj, name, "statementTimeoutMs")?,
            "options.statementTimeoutMs",
        )?,
    })
}

/// The elements of a JS array.
pub(crate) fn array_items<'env>(v: &Unknown<'env>, name: &str) -> JsResult<Vec<Unknown<'env>>> {
    if !v.is_array().unwrap_or(false) {
        return Err(invalid(format!("{name} must be an array")));
    }
    // SAFETY: checked to be an array.
    let array = unsafe { v.cast::<Array>() }.map_err(|e| invalid(format!("{name}: {}", e.reason)))?;
    (0..array.len())
        .map(|i| {
            let item = array.get::<Unknown>(i).map_err(|e| invalid(format!("{name}[{i}]: {}", e.reason)))?;
            item.ok_or_else(|| invalid(format!("{name}[{i}] is missing")))
        })
        .collect()
}

fn plan_inputs(v: &Unknown<'_>) -> JsResult<Vec<db::PlanInput>> {
    let items = array_items(v, "migrations")?;
    let mut inputs = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let name = format!("migrations[{i}]");
        let obj = object_arg(item, &name)?;
        inputs.push(db::PlanInput {
            version: req_string(&obj, &name, "version")?,
            sql: req_string(&obj, &name, "sql")?,
            drizzle_created_at: opt_number(&obj, &name, "drizzleCreatedAt")?
                .map(|ms| whole_milliseconds(ms, &format!("{name}.drizzleCreatedAt")))
                .transpose()?,
        });
    }
    Ok(inputs)
}

fn string_list(obj: &Object<'_>, name: &str, key: &str) -> JsResult<Option<Vec<String>>> {
    property(obj, name, key)?.map(|v| string_array(&v, &format!("{name}.{key}"))).transpose()
}

fn string_array(v: &Unknown<'_>, name: &str) -> JsResult<Vec<String>> {
    array_items(v, name)?.iter().enumerate().map(|(i, item)| string_arg(item, &format!("{name}[{i}]"))).collect()
}

fn execute_options(v: Option<&Unknown<'_>>) -> JsResult<db::ExecuteOptions> {
    let name = "options";
    let Some(v) = v.filter(|v| !matches!(type_of(v), ValueType::Undefined | ValueType::Null)) else {
        return Ok(db::ExecuteOptions::default());
    };
    let obj = object_arg(v, name)?;
    let parsed = ExecuteRollbackOptions {
        force: opt_bool(&obj, name, "force")?,
        lock_timeout_ms: opt_number(&obj, name, "lockTimeoutMs")?,
        statement_timeout_ms: opt_number(&obj, name, "statementTimeoutMs")?,
        drizzle_hash: opt_string(&obj, name, "drizzleHash")?,
        expected_script: opt_string(&obj, name, "expectedScript")?,
        migration_order: string_list(&obj, name, "migrationOrder")?,
        allow_out_of_order: opt_bool(&obj, name, "allowOutOfOrder")?,
    };
    Ok(db::ExecuteOptions {
        force: parsed.force.unwrap_or(false),
        lock_timeout_ms: milliseconds(parsed.lock_timeout_ms, "options.lockTimeoutMs")?,
        statement_timeout_ms: milliseconds(parsed.statement_timeout_ms, "options.statementTimeoutMs")?,
        drizzle_hash: parsed.drizzle_hash,
        expected_script: parsed.expected_script,
        migration_order: parsed.migration_order,
        allow_out_of_order: parsed.allow_out_of_order.unwrap_or(false),
        restore_data: opt_bool(&obj, name, "restoreData")?.unwrap_or(false),
    })
}

// ---- futures to promises ----

/// Polls the inner future inside `catch_panic`, so a panic settles the promise as `INTERNAL_ERROR`.
struct CatchPanic<T>(Pin<Box<dyn Future<Output = JsResult<T>> + Send>>);

impl<T> Future for CatchPanic<T> {
    type Output = JsResult<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match catch_panic(|| Ok(inner.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(result)) => Poll::Ready(result),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

/// Run `fut` on napi's tokio runtime; its coded error becomes the rejection (with `code`).
pub(crate) fn promise<'env, T: ToNapiValue + Send + 'static>(
    env: &'env Env,
    fut: impl Future<Output = JsResult<T>> + Send + 'static,
) -> napi::Result<PromiseRaw<'env, T>> {
    let guarded = CatchPanic(Box::pin(fut));
    env.spawn_future_with_callback(async move { Ok(guarded.await) }, |env, result: JsResult<T>| {
        result.map_err(|e| to_napi_error(env, e))
    })
}

// ---- exports ----

/// Generate the rollback of `migration.sql` and store it in `schema_versions` (the newest row of
/// that version; a second store replaces its script, unless that row was already rolled back, in
/// which case a new row records the re-applied migration). Resolves with the row and the
/// generator's warnings.
///
/// Rejects with `code` `INVALID_ARGUMENT`, `PARSE_ERROR`, `CONNECTION_FAILED`,
/// `SCHEMA_VERSIONS_MISSING`, `LOCK_TIMEOUT` or `DATABASE_ERROR`.
#[cfg_attr(test, allow(dead_code))]
#[napi(ts_args_type = "databaseUrl: string, migration: MigrationInput", ts_return_type = "Promise<StoredRollback>")]
pub fn store_rollback<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    migration: Unknown<'env>,
) -> napi::Result<PromiseRaw<'env, StoredRollback>> {
    let args =
        catch_panic(|| Ok((string_arg(&database_url, "databaseUrl")?, migration_input(&migration, "migration")?)));
    promise(env, async move {
        let (url, m) = args?;
        db::store_rollback(&url, &m.into()).await.map(Into::into).map_err(db_error)
    })
}

/// Preview: the newest `schema_versions` row of `version`, without changing anything (its warnings come
/// from the stored plan, `[]` for rows written without one).
///
/// Rejects with `VERSION_NOT_FOUND`, `SCHEMA_VERSIONS_MISSING`, `CONNECTION_FAILED`, `DATABASE_ERROR`,
/// `INVALID_ARGUMENT`.
#[cfg_attr(test, allow(dead_code))]
#[napi(ts_args_type = "databaseUrl: string, version: string", ts_return_type = "Promise<StoredRollback>")]
pub fn get_rollback<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    version: Unknown<'env>,
) -> napi::Result<PromiseRaw<'env, StoredRollback>> {
    let args = catch_panic(|| Ok((string_arg(&database_url, "databaseUrl")?, string_arg(&version, "version")?)));
    promise(env, async move {
        let (url, version) = args?;
        db::get_rollback(&url, &version).await.map(Into::into).map_err(db_error)
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
/// `DATABASE_ERROR`, `INVALID_ARGUMENT`.
#[cfg_attr(test, allow(dead_code))]
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
        Ok((
            string_arg(&database_url, "databaseUrl")?,
            string_arg(&version, "version")?,
            execute_options(options.as_ref())?,
        ))
    });
    promise(env, async move {
        let (url, version, options) = args?;
        db::execute_rollback(&url, &version, &options).await.map(Into::into).map_err(db_error)
    })
}

/// Every `schema_versions` row, oldest `applied_at` first.
#[cfg_attr(test, allow(dead_code))]
#[napi(ts_args_type = "databaseUrl: string", ts_return_type = "Promise<StoredRollback[]>")]
pub fn list_rollbacks<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
) -> napi::Result<PromiseRaw<'env, Vec<StoredRollback>>> {
    let url = catch_panic(|| string_arg(&database_url, "databaseUrl"));
    promise(env, async move {
        let rows = db::list_rollbacks(&url?).await.map_err(db_error)?;
        Ok(rows.into_iter().map(Into::into).collect())
    })
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
#[cfg_attr(test, allow(dead_code))]
#[napi(
    ts_args_type = "databaseUrl: string, migration: ApplyMigrationInput",
    ts_return_type = "Promise<ApplyMigrationResult>"
)]
pub fn apply_migration<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    migration: Unknown<'env>,
) -> napi::Result<PromiseRaw<'env, ApplyMigrationResult>> {
    let args = catch_panic(|| Ok((string_arg(&database_url, "databaseUrl")?, apply_input(&migration)?)));
    promise(env, async move {
        let (url, (input, entry)) = args?;
        let outcome = db::apply_migration(&url, &input, entry.as_ref()).await.map_err(db_error)?;
        Ok(ApplyMigrationResult { applied: outcome.applied, rollback: outcome.rollback.map(Into::into) })
    })
}

/// Why a batch stopped: the stable code and message of the migration that failed, and what ran of it.
#[napi(object, use_nullable = true)]
pub struct MigrationFailure {
    pub code: String,
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

/// A statement of a migration.
#[napi(object)]
pub struct MigrationStatement {
    /// 0-based.
    pub index: u32,
    pub line: u32,
    pub column: u32,
    pub sql: String,
}

impl From<db::StatementRef> for MigrationStatement {
    fn from(s: db::StatementRef) -> Self {
        MigrationStatement { index: s.index, line: s.line, column: s.column, sql: s.sql }
    }
}

/// An index left INVALID by a failed `CONCURRENTLY` statement.
#[napi(object)]
pub struct InvalidIndex {
    /// Schema-qualified.
    pub name: String,
    /// `DROP INDEX CONCURRENTLY IF EXISTS <name>;`
    pub drop_statement: String,
}

fn migration_failure(error: db::Error, detail: Option<db::FailureDetail>) -> MigrationFailure {
    let detail = detail.unwrap_or_default();
    MigrationFailure {
        code: error.code().to_owned(),
        message: error.to_string(),
        recorded: false,
        outside_transaction: detail.outside_transaction,
        failed_statement: detail.failed_statement.map(Into::into),
        sqlstate: detail.sqlstate,
        applied_statements: detail.applied_statements.into_iter().map(Into::into).collect(),
        rolled_back_statements: detail.rolled_back_statements.into_iter().map(Into::into).collect(),
        invalid_indexes: detail
            .invalid_indexes
            .into_iter()
            .map(|i| InvalidIndex { name: i.name, drop_statement: i.drop_statement })
            .collect(),
    }
}

/// What `applyMigrations` did.
#[napi(object, use_nullable = true)]
pub struct AppliedMigrations {
    /// One per migration applied or skipped, in order, up to the one that failed.
    pub results: Vec<ApplyMigrationResult>,
    /// The failure of the migration at `results.length` (nothing of it was applied), or null.
    pub failure: Option<MigrationFailure>,
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
#[cfg_attr(test, allow(dead_code))]
#[napi(
    ts_args_type = "databaseUrl: string, migrations: ApplyMigrationInput[]",
    ts_return_type = "Promise<AppliedMigrations>"
)]
pub fn apply_migrations<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    migrations: Unknown<'env>,
) -> napi::Result<PromiseRaw<'env, AppliedMigrations>> {
    let args = catch_panic(|| {
        let inputs = array_items(&migrations, "migrations")?
            .iter()
            .map(|item| apply_input(item).map(|(migration, drizzle)| db::ApplyInput { migration, drizzle }))
            .collect::<JsResult<Vec<_>>>()?;
        Ok((string_arg(&database_url, "databaseUrl")?, inputs))
    });
    promise(env, async move {
        let (url, inputs) = args?;
        let applied = db::apply_migrations(&url, &inputs).await.map_err(db_error)?;
        Ok(AppliedMigrations {
            results: applied
                .outcomes
                .into_iter()
                .map(|o| ApplyMigrationResult { applied: o.applied, rollback: o.rollback.map(Into::into) })
                .collect(),
            failure: applied.failure.map(|e| migration_failure(e, applied.failure_detail)),
        })
    })
}

/// Dry run of one migration: run it with capture inside a transaction that is always rolled back, and
/// resolve with exactly the plan `applyMigration` would store. Changes nothing. Meanwhile it holds the
/// locks the migration takes (ACCESS EXCLUSIVE on the tables most DDL alters) and pg-rollback's advisory
/// lock; `lockTimeoutMs` bounds waiting for them. Rejects with `MIGRATION_FAILED` when the migration itself
/// fails (nothing changed), `LOCK_TIMEOUT`, `CONNECTION_FAILED`, `INVALID_ARGUMENT`.
#[cfg_attr(test, allow(dead_code))]
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
        Ok((string_arg(&database_url, "databaseUrl")?, string_arg(&sql, "sql")?, timeouts(options.as_ref())?))
    });
    promise(env, async move {
        let (url, sql, timeouts) = args?;
        let input = db::PlanInput { version: "dry run".into(), sql, drizzle_created_at: None };
        let mut planned = db::plan_migrations(&url, &[input], timeouts).await.map_err(db_error)?;
        let plan = planned
            .pop()
            .and_then(|p| p.plan)
            .ok_or_else(|| js_error("INTERNAL_ERROR", "the dry run returned no plan"))?;
        Ok(plan.into())
    })
}

/// Dry run of several migrations in order, in ONE transaction that is always rolled back (each sees the
/// ones before it): the plan each pending one would store. With `drizzleCreatedAt`, a migration Drizzle
/// already records is reported with `pending: false`. Same locks, options and errors as `planMigration`.
#[cfg_attr(test, allow(dead_code))]
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
        Ok((string_arg(&database_url, "databaseUrl")?, plan_inputs(&migrations)?, timeouts(options.as_ref())?))
    });
    promise(env, async move {
        let (url, inputs, timeouts) = args?;
        let planned = db::plan_migrations(&url, &inputs, timeouts).await.map_err(db_error)?;
        Ok(planned
            .into_iter()
            .map(|p| PlannedMigration {
                version: p.version,
                pending: p.pending,
                plan: p.plan.map(Into::into),
                outside_transaction: p.outside_transaction,
            })
            .collect())
    })
}

/// A version applied after another one, by the order given.
#[napi(object)]
pub struct LaterVersion {
    pub version: String,
    pub migration_file: String,
}

/// The versions after `version` in `migrationOrder` (e.g. the Drizzle journal's) that are applied and not
/// rolled back: rolling `version` back now would be out of order. Read-only; `executeRollback` with the same
/// `migrationOrder` makes this check again under its lock.
#[cfg_attr(test, allow(dead_code))]
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
        let order = string_array(&migration_order, "migrationOrder")?;
        Ok((string_arg(&database_url, "databaseUrl")?, string_arg(&version, "version")?, order))
    });
    promise(env, async move {
        let (url, version, order) = args?;
        let later = db::later_applied(&url, &version, &order).await.map_err(db_error)?;
        Ok(later.into_iter().map(|(version, migration_file)| LaterVersion { version, migration_file }).collect())
    })
}

/// Until the matching `closeSession(databaseUrl)`, every call with exactly this URL runs on ONE connection
/// (made at the first call, again if it is lost), one call at a time, instead of connecting and closing
/// itself: each call keeps its own transactions and advisory lock. Opening the same URL again nests. The
/// CLIs open one for their whole run (so the single-connection embedded server serves it too).
///
/// Throws `INVALID_ARGUMENT` for a URL that is not a PostgreSQL URL.
#[cfg_attr(test, allow(dead_code))]
#[napi(ts_args_type = "databaseUrl: string")]
pub fn open_session(database_url: Unknown<'_>) -> napi::Result<(), crate::ErrorCode> {
    catch_panic(|| {
        let url = string_arg(&database_url, "databaseUrl")?;
        db::open_session(&url).map_err(db_error)
    })
}

/// Ends one `openSession(databaseUrl)`; the last one closes the connection once a running call is done.
#[cfg_attr(test, allow(dead_code))]
#[napi(ts_args_type = "databaseUrl: string", ts_return_type = "Promise<void>")]
pub fn close_session<'env>(env: &'env Env, database_url: Unknown<'env>) -> napi::Result<PromiseRaw<'env, ()>> {
    let url = catch_panic(|| string_arg(&database_url, "databaseUrl"));
    promise(env, async move {
        db::close_session(&url?).await;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_errors_keep_their_code_and_message() {
        let e = db_error(db::Error::RollbackScriptNotFound("1.2.3".into()));
        assert_eq!(e.status.as_ref(), "ROLLBACK_SCRIPT_NOT_FOUND");
        assert_eq!(e.reason, "No rollback script found for version 1.2.3");
    }

    #[test]
    fn milliseconds_accept_whole_non_negative_numbers_only() {
        assert_eq!(milliseconds(Some(0.0), "x").unwrap(), Some(0));
        assert_eq!(milliseconds(Some(1500.0), "x").unwrap(), Some(1500));
        assert_eq!(milliseconds(None, "x").unwrap(), None);
        for bad in [-1.0, 1.5, f64::NAN, f64::INFINITY, 3e9] {
            let e = milliseconds(Some(bad), "options.lockTimeoutMs").unwrap_err();
            assert_eq!(e.status.as_ref(), "INVALID_ARGUMENT");
            assert!(e.reason.contains("options.lockTimeoutMs"), "{}", e.reason);
        }
    }

    #[test]
    fn a_panicking_future_becomes_internal_error() {
        let fut: CatchPanic<()> = CatchPanic(Box::pin(async { panic!("kaboom") }));
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        let mut fut = Box::pin(fut);
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(Err(e)) => {
                assert_eq!(e.status.as_ref(), "INTERNAL_ERROR");
                assert!(e.reason.contains("kaboom"), "{}", e.reason);
            }
            _ => panic!("expected an INTERNAL_ERROR"),
        }
    }
}
