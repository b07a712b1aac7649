//! Multi-step rollbacks and the cost of a rollback (locks, data at risk). The cost types hold counts as
//! `usize` and lock modes as an enum; here they become numbers and the words the CLI prints.
use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::Env;
use napi_derive::napi;
use pg_rollback_db::args::{CostOptions, ExecuteRollbacksOptions};
use pg_rollback_db::{self as db, CountLimits, Refusal, StoredRollback};

use crate::db::ExecutedRollback;
use crate::{arg, catch_panic, opt_arg, promise};

/// The lock one statement takes on one relation.
#[napi(object)]
pub struct LockInfo {
    /// The relation as the statement names it.
    pub relation: String,
    /// `ACCESS EXCLUSIVE`, `EXCLUSIVE`, `SHARE ROW EXCLUSIVE`, `SHARE` or `SHARE UPDATE EXCLUSIVE`.
    pub mode: String,
    /// What it blocks, e.g. `blocks reads and writes`.
    pub blocks: String,
    /// True for modes that block the application's writes (or reads): worth a lock timeout.
    pub strong: bool,
    pub rewrites: bool,
    pub builds_index: bool,
    /// Reads the whole table to check a constraint.
    pub scans: bool,
    /// One line: `ACCESS EXCLUSIVE on t (blocks reads and writes); rewrites the table`.
    pub description: String,
}

#[napi(object)]
pub struct StatementLocks {
    /// 1-based number of the statement in the script.
    pub statement: u32,
    pub sql: String,
    pub locks: Vec<LockInfo>,
}

/// Rows a rollback statement deletes, or that would make it fail.
#[napi(object, use_nullable = true)]
pub struct DataAtRisk {
    /// 1-based number of the statement in the script.
    pub statement: u32,
    /// `dropColumn`, `dropTable`, `setNotNull` or `check`.
    pub kind: String,
    pub table: String,
    pub column: Option<String>,
    pub constraint: Option<String>,
    /// Rows holding data that is deleted, or violating what is added back; null when not measured.
    pub rows: Option<i64>,
    /// True when `rows` is an estimate from `pg_class`/`pg_stats`.
    pub estimate: bool,
    /// True when the statement would fail on these rows.
    pub would_fail: bool,
    pub message: String,
}

/// What running a script costs now.
#[napi(object)]
pub struct ScriptCost {
    /// False when the script cannot run in a transaction (`CONCURRENTLY`).
    pub transactional: bool,
    pub locks: Vec<StatementLocks>,
    pub data_at_risk: Vec<DataAtRisk>,
}

/// One version of a multi-step rollback, with what its script costs.
#[napi(object)]
pub struct RollbackStep {
    pub rollback: StoredRollback,
    pub transactional: bool,
    pub locks: Vec<StatementLocks>,
    pub data_at_risk: Vec<DataAtRisk>,
}

/// Preview of a multi-step rollback.
#[napi(object, use_nullable = true)]
pub struct RollbackRange {
    pub target: Option<String>,
    /// Newest first, the order they run in.
    pub steps: Vec<RollbackStep>,
    /// Empty when it can be executed; `forceable` ones need `force`.
    pub refusals: Vec<Refusal>,
}

impl From<db::ScriptCost> for ScriptCost {
    fn from(c: db::ScriptCost) -> Self {
        let lock = |l: db::LockEffect| LockInfo {
            description: l.describe(),
            relation: l.relation,
            mode: l.mode.name().into(),
            blocks: l.mode.blocks().into(),
            strong: l.mode.is_strong(),
            rewrites: l.rewrites,
            builds_index: l.builds_index,
            scans: l.scans,
        };
        let risk = |r: db::DataAtRisk| DataAtRisk {
            statement: r.statement as u32,
            kind: r.kind,
            table: r.table,
            column: r.column,
            constraint: r.constraint,
            rows: r.rows,
            estimate: r.estimate,
            would_fail: r.would_fail,
            message: r.message,
        };
        ScriptCost {
            transactional: c.transactional,
            locks: (c.locks.into_iter())
                .map(|s| StatementLocks {
                    statement: s.statement as u32,
                    sql: s.sql,
                    locks: s.locks.into_iter().map(lock).collect(),
                })
                .collect(),
            data_at_risk: c.data_at_risk.into_iter().map(risk).collect(),
        }
    }
}

fn range(r: db::RollbackRange) -> RollbackRange {
    let step = |s: db::RollbackStep| {
        let cost = ScriptCost::from(s.cost);
        RollbackStep {
            rollback: s.rollback,
            transactional: cost.transactional,
            locks: cost.locks,
            data_at_risk: cost.data_at_risk,
        }
    };
    RollbackRange { target: r.target, steps: r.steps.into_iter().map(step).collect(), refusals: r.refusals }
}

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
        db::preview_rollbacks(&url, &options, limits).await.map(range)
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
/// `force`), `ROLLBACK_UNSAFE` (unless `force`), `VERSION_NOT_FOUND`, `TARGET_NOT_APPLIED`,
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
        db::rollback_cost(&url, &script, limits).await.map(Into::into)
    })
}
