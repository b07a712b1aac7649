//! Multi-step rollbacks and the cost of a rollback (locks, data at risk).
use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::Env;
use napi_derive::napi;
use pg_rollback_db::args::{CostOptions, ExecuteRollbacksOptions};
use pg_rollback_db::{self as db, CountLimits, RestorePreview, RollbackRange, ScriptCost};

use crate::db::ExecutedRollback;
use crate::{arg, catch_panic, opt_arg, promise};

fn cost_limits(v: Option<&Unknown<'_>>) -> crate::Result<CountLimits> {
    CountLimits::try_from(opt_arg::<CostOptions>("costOptions", v)?)
}

/// Preview of a multi-step rollback (`to` or `steps`): the versions it undoes, newest first, each with its
/// stored script, whether it runs in the shared transaction, the locks each statement takes and the data at
/// risk; and what would refuse executing it. Read-only (a READ ONLY transaction; counts bounded by
/// `costOptions`). Rejects with `VERSION_NOT_FOUND` (unknown target), `TARGET_NOT_APPLIED`,
/// `INVALID_ARGUMENT` (also: fewer applied versions than `steps`), `SCHEMA_VERSIONS_MISSING`,
/// `CONNECTION_FAILED`, `DATABASE_ERROR`.
#[napi(
    ts_args_type = "databaseUrl: string, options: ExecuteRollbacksOptions, costOptions?: CostOptions",
    ts_return_type = "Promise<RollbackRange>"
)]
pub fn preview_rollbacks<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    options: Unknown<'env>,
    cost_options: Option<Unknown<'env>>,
) -> napi::Result<PromiseRaw<'env, RollbackRange>> {
    let args = catch_panic(|| {
        let options: ExecuteRollbacksOptions = arg("options", &options)?;
        Ok((arg::<String>("databaseUrl", &database_url)?, options.into(), cost_limits(cost_options.as_ref())?))
    });
    promise(env, async move {
        let (url, options, limits) = args?;
        db::preview_rollbacks(&url, &options, limits).await
    })
}

/// Execute a multi-step rollback (`to` or `steps`), newest first, under the advisory lock. When every
/// script can run in a transaction, all of them run in ONE transaction with every `rollback_applied_at`
/// and every Drizzle deletion (`migrations[].drizzleHash`): if any statement fails nothing changes, and the
/// error names the version and the statement. A script that cannot (`CONCURRENTLY`) runs on its own between
/// transactions for the others; the run stops at its first failure and the error says what was rolled back.
/// Resolves with every updated row, newest first (`[]` when nothing is applied after `to`).
///
/// Rejects, with nothing changed, with `ROLLBACK_SCRIPT_NOT_FOUND` (a version without a script, even with
/// `force`), `ROLLBACK_UNSAFE` (unless `force`), `VERSION_NOT_FOUND`, `TARGET_NOT_APPLIED`, for one `version`
/// `ALREADY_ROLLED_BACK` and `ROLLBACK_OUT_OF_ORDER` (unless `force`),
/// `ROLLBACK_SCRIPT_CHANGED` (not the selection in `expectedScripts`, or it changed while waiting for the
/// lock), `LOCK_TIMEOUT`, `INVALID_ARGUMENT`; and with `ROLLBACK_FAILED` when a statement fails.
#[napi(
    ts_args_type = "databaseUrl: string, options: ExecuteRollbacksOptions",
    ts_return_type = "Promise<ExecutedRollback[]>"
)]
pub fn execute_rollbacks<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    options: Unknown<'env>,
) -> napi::Result<PromiseRaw<'env, Vec<ExecutedRollback>>> {
    let args = catch_panic(|| {
        let options: ExecuteRollbacksOptions = arg("options", &options)?;
        Ok((arg::<String>("databaseUrl", &database_url)?, options.into()))
    });
    promise(env, async move {
        let (url, options) = args?;
        Ok(db::execute_rollbacks(&url, &options).await?.into_iter().map(Into::into).collect())
    })
}

/// The cost of running `script` now: whether it runs in a transaction, the locks each statement takes, and
/// the data at risk (rows of the columns and tables it drops; rows that would violate a `NOT NULL`/`CHECK` it
/// adds). Read-only, bounded by `costOptions`. Rejects with `CONNECTION_FAILED`, `INVALID_ARGUMENT`.
#[napi(
    ts_args_type = "databaseUrl: string, script: string, costOptions?: CostOptions",
    ts_return_type = "Promise<ScriptCost>"
)]
pub fn rollback_cost<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    script: Unknown<'env>,
    cost_options: Option<Unknown<'env>>,
) -> napi::Result<PromiseRaw<'env, ScriptCost>> {
    let args = catch_panic(|| {
        let limits = cost_limits(cost_options.as_ref())?;
        Ok((arg::<String>("databaseUrl", &database_url)?, arg::<String>("script", &script)?, limits))
    });
    promise(env, async move {
        let (url, script, limits) = args?;
        db::rollback_cost(&url, &script, limits).await
    })
}

/// Preview of a restore (`restoreData`) of one `version`, or a range (`to`, `steps`): per version, newest
/// first, the script that would run (the restore script; the ordinary rollback of a SAFE version) and, per
/// archived object, what comes back, counted now (values, rows inserted and deleted since, enabled UPDATE
/// triggers), with one line of text each; and what would refuse it (`RESTORE_NOT_AVAILABLE`,
/// `ARCHIVE_MISSING`, `RESTORE_CONFLICT`, `ALREADY_ROLLED_BACK`, `ROLLBACK_OUT_OF_ORDER`). Read-only. Rejects
/// with `VERSION_NOT_FOUND`, `TARGET_NOT_APPLIED`, `INVALID_ARGUMENT`, `SCHEMA_VERSIONS_MISSING`,
/// `CONNECTION_FAILED`, `DATABASE_ERROR`.
#[napi(
    ts_args_type = "databaseUrl: string, options: ExecuteRollbacksOptions",
    ts_return_type = "Promise<RestorePreview>"
)]
pub fn restore_preview<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    options: Unknown<'env>,
) -> napi::Result<PromiseRaw<'env, RestorePreview>> {
    let args = catch_panic(|| {
        let options: ExecuteRollbacksOptions = arg("options", &options)?;
        Ok((arg::<String>("databaseUrl", &database_url)?, options.into()))
    });
    promise(env, async move {
        let (url, options) = args?;
        db::restore_preview(&url, &options).await
    })
}
