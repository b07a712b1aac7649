//! Multi-step rollbacks and the cost of a rollback (locks, data at risk): argument checks and conversion
//! only; `pg_rollback_db` does the work.
use napi::bindgen_prelude::{Object, PromiseRaw, Unknown};
use napi::{Env, ValueType};
use napi_derive::napi;
use pg_rollback_db as db;

use crate::catch_panic;
use crate::db::{
    array_items, db_error, invalid, milliseconds, object_arg, opt_bool, opt_number, opt_string, promise, property,
    req_string, string_arg, type_of, ExecutedRollback, StoredRollback,
};
use crate::JsResult;

/// A migration in apply order (e.g. the Drizzle journal's), with Drizzle's record of it.
// Declares the argument's TypeScript type; the value is read property by property.
#[allow(dead_code)]
#[napi(object)]
pub struct RollbackMigration {
    pub version: String,
    /// Deleted from `drizzle.__drizzle_migrations`, in the same transaction, when this version is rolled back.
    pub drizzle_hash: Option<String>,
}

/// A version and the rollback script that was shown for it.
#[allow(dead_code)]
#[napi(object, use_nullable = true)]
pub struct ExpectedScript {
    pub version: String,
    pub rollback_script: Option<String>,
}

/// Options of `executeRollbacks` and `previewRollbacks`.
#[allow(dead_code)]
#[napi(object)]
pub struct ExecuteRollbacksOptions {
    /// Roll back every version applied after this one (it stays applied), newest first.
    pub to: Option<String>,
    /// Roll back the newest `steps` applied versions. Give exactly one of `to`, `steps` and `version`.
    pub steps: Option<u32>,
    /// Roll back exactly this version. Later applied versions (in `migrations`) refuse it with
    /// `ROLLBACK_OUT_OF_ORDER`, which `force` overrides; a rolled-back one refuses with `ALREADY_ROLLED_BACK`.
    pub version: Option<String>,
    /// Also execute versions marked unsafe (never versions without a script).
    pub force: Option<bool>,
    /// `lock_timeout` in milliseconds (also bounds the wait for another pg-rollback operation); 0 = none.
    pub lock_timeout_ms: Option<f64>,
    /// `statement_timeout` in milliseconds for each statement; 0 = none.
    pub statement_timeout_ms: Option<f64>,
    /// The migrations in apply order (the Drizzle journal's); versions not in it keep `schema_versions` order.
    pub migrations: Option<Vec<RollbackMigration>>,
    /// The versions and scripts shown to the user, newest first: if the selection differs under the lock,
    /// nothing runs (`ROLLBACK_SCRIPT_CHANGED`).
    pub expected_scripts: Option<Vec<ExpectedScript>>,
}

/// How far the data-at-risk counts of a preview go.
#[allow(dead_code)]
#[napi(object)]
pub struct CostOptions {
    /// Tables with more rows (by `pg_class.reltuples`) are estimated, not counted (default 1,000,000).
    pub exact_count_max_rows: Option<f64>,
    /// `statement_timeout`/`lock_timeout` of each count in milliseconds (default 1000); past it, estimated.
    pub count_timeout_ms: Option<f64>,
}

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

/// What refuses a multi-step rollback.
#[napi(object)]
pub struct RollbackRefusal {
    /// `ROLLBACK_SCRIPT_NOT_FOUND`, `ROLLBACK_UNSAFE` or `ROLLBACK_FAILED` (a script that cannot run); with
    /// `version` also `ALREADY_ROLLED_BACK` and `ROLLBACK_OUT_OF_ORDER` (`versions`: the later applied ones).
    pub code: String,
    /// The blocking version (for missing scripts the newest one: the furthest a rollback can go).
    pub version: String,
    pub versions: Vec<String>,
    /// True when `force` overrides it.
    pub forceable: bool,
    pub message: String,
}

/// Preview of a multi-step rollback.
#[napi(object, use_nullable = true)]
pub struct RollbackRange {
    pub target: Option<String>,
    /// Newest first, the order they run in.
    pub steps: Vec<RollbackStep>,
    /// Empty when it can be executed; `forceable` ones need `force`.
    pub refusals: Vec<RollbackRefusal>,
}

fn lock_info(l: db::LockEffect) -> LockInfo {
    LockInfo {
        description: l.describe(),
        relation: l.relation,
        mode: l.mode.name().into(),
        blocks: l.mode.blocks().into(),
        strong: l.mode.is_strong(),
        rewrites: l.rewrites,
        builds_index: l.builds_index,
        scans: l.scans,
    }
}

fn statement_locks(s: db::StatementLocks) -> StatementLocks {
    StatementLocks { statement: s.statement as u32, sql: s.sql, locks: s.locks.into_iter().map(lock_info).collect() }
}

fn data_at_risk(r: db::DataAtRisk) -> DataAtRisk {
    DataAtRisk {
        statement: r.statement as u32,
        kind: r.kind,
        table: r.table,
        column: r.column,
        constraint: r.constraint,
        rows: r.rows,
        estimate: r.estimate,
        would_fail: r.would_fail,
        message: r.message,
    }
}

fn script_cost(c: db::ScriptCost) -> ScriptCost {
    ScriptCost {
        transactional: c.transactional,
        locks: c.locks.into_iter().map(statement_locks).collect(),
        data_at_risk: c.data_at_risk.into_iter().map(data_at_risk).collect(),
    }
}

fn range(r: db::RollbackRange) -> RollbackRange {
    RollbackRange {
        target: r.target,
        steps: r
            .steps
            .into_iter()
            .map(|s| {
                let cost = script_cost(s.cost);
                RollbackStep {
                    rollback: s.rollback.into(),
                    transactional: cost.transactional,
                    locks: cost.locks,
                    data_at_risk: cost.data_at_risk,
                }
            })
            .collect(),
        refusals: r
            .refusals
            .into_iter()
            .map(|r| RollbackRefusal {
                code: r.code,
                version: r.version,
                versions: r.versions,
                forceable: r.forceable,
                message: r.message,
            })
            .collect(),
    }
}

fn present<'a, 'env>(v: Option<&'a Unknown<'env>>) -> Option<&'a Unknown<'env>> {
    v.filter(|v| !matches!(type_of(v), ValueType::Undefined | ValueType::Null))
}

fn objects<'env>(obj: &Object<'env>, name: &str, key: &str) -> JsResult<Vec<(String, Object<'env>)>> {
    let Some(v) = property(obj, name, key)? else { return Ok(Vec::new()) };
    array_items(&v, &format!("{name}.{key}"))?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let item_name = format!("{name}.{key}[{i}]");
            Ok((item_name.clone(), object_arg(item, &item_name)?))
        })
        .collect()
}

fn many_options(v: Option<&Unknown<'_>>) -> JsResult<db::ExecuteManyOptions> {
    let name = "options";
    let Some(v) = present(v) else {
        return Err(invalid("options is required: give `to` (a version), `steps` (a number) or `version`".into()));
    };
    let obj = object_arg(v, name)?;
    let steps = match opt_number(&obj, name, "steps")? {
        None => None,
        Some(n) if n.is_finite() && n.fract() == 0.0 && (1.0..=u32::MAX as f64).contains(&n) => Some(n as u32),
        Some(n) => return Err(invalid(format!("options.steps must be a whole number of at least 1, got {n}"))),
    };
    let mut migrations = Vec::new();
    for (item_name, item) in objects(&obj, name, "migrations")? {
        migrations.push(db::OrderedMigration {
            version: req_string(&item, &item_name, "version")?,
            drizzle_hash: opt_string(&item, &item_name, "drizzleHash")?,
        });
    }
    let expected_scripts = match property(&obj, name, "expectedScripts")? {
        None => None,
        Some(_) => {
            let mut shown = Vec::new();
            for (item_name, item) in objects(&obj, name, "expectedScripts")? {
                shown.push(db::ExpectedScript {
                    version: req_string(&item, &item_name, "version")?,
                    rollback_script: opt_string(&item, &item_name, "rollbackScript")?,
                });
            }
            Some(shown)
        }
    };
    Ok(db::ExecuteManyOptions {
        to: opt_string(&obj, name, "to")?,
        steps,
        version: opt_string(&obj, name, "version")?,
        force: opt_bool(&obj, name, "force")?.unwrap_or(false),
        lock_timeout_ms: milliseconds(opt_number(&obj, name, "lockTimeoutMs")?, "options.lockTimeoutMs")?,
        statement_timeout_ms: milliseconds(
            opt_number(&obj, name, "statementTimeoutMs")?,
            "options.statementTimeoutMs",
        )?,
        migrations,
        expected_scripts,
        restore_data: opt_bool(&obj, name, "restoreData")?.unwrap_or(false),
    })
}

fn cost_limits(v: Option<&Unknown<'_>>) -> JsResult<db::CountLimits> {
    let mut limits = db::CountLimits::default();
    let Some(v) = present(v) else { return Ok(limits) };
    let name = "costOptions";
    let obj = object_arg(v, name)?;
    if let Some(n) = opt_number(&obj, name, "exactCountMaxRows")? {
        if !(n.is_finite() && n.fract() == 0.0 && n >= 0.0) {
            return Err(invalid(format!("{name}.exactCountMaxRows must be a whole number of rows, got {n}")));
        }
        limits.exact_max_rows = n as i64;
    }
    if let Some(ms) = milliseconds(opt_number(&obj, name, "countTimeoutMs")?, "costOptions.countTimeoutMs")? {
        limits.timeout_ms = ms;
    }
    Ok(limits)
}

/// Preview of a multi-step rollback (`to` or `steps`): the versions it undoes, newest first, each with its
/// stored script, whether it runs in the shared transaction, the locks each statement takes and the data at
/// risk; and what would refuse executing it. Read-only (a READ ONLY transaction; counts bounded by
/// `costOptions`). Rejects with `VERSION_NOT_FOUND` (unknown target), `TARGET_NOT_APPLIED`,
/// `INVALID_ARGUMENT` (also: fewer applied versions than `steps`), `SCHEMA_VERSIONS_MISSING`,
/// `CONNECTION_FAILED`, `DATABASE_ERROR`.
#[cfg_attr(test, allow(dead_code))]
#[napi(
    ts_args_type = "databaseUrl: string, options: ExecuteRollbacksOptions, costOptions?: CostOptions",
    ts_return_type = "Promise<RollbackRange>"
)]
pub fn preview_rollbacks<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    options: Option<Unknown<'env>>,
    cost_options: Option<Unknown<'env>>,
) -> napi::Result<PromiseRaw<'env, RollbackRange>> {
    let args = catch_panic(|| {
        Ok((
            string_arg(&database_url, "databaseUrl")?,
            many_options(options.as_ref())?,
            cost_limits(cost_options.as_ref())?,
        ))
    });
    promise(env, async move {
        let (url, options, limits) = args?;
        db::preview_rollbacks(&url, &options, limits).await.map(range).map_err(db_error)
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
#[cfg_attr(test, allow(dead_code))]
#[napi(
    ts_args_type = "databaseUrl: string, options: ExecuteRollbacksOptions",
    ts_return_type = "Promise<ExecutedRollback[]>"
)]
pub fn execute_rollbacks<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    options: Option<Unknown<'env>>,
) -> napi::Result<PromiseRaw<'env, Vec<ExecutedRollback>>> {
    let args = catch_panic(|| Ok((string_arg(&database_url, "databaseUrl")?, many_options(options.as_ref())?)));
    promise(env, async move {
        let (url, options) = args?;
        let done = db::execute_rollbacks(&url, &options).await.map_err(db_error)?;
        Ok(done.into_iter().map(Into::into).collect())
    })
}

/// The cost of running `script` now: whether it runs in a transaction, the locks each statement takes, and
/// the data at risk (rows of the columns and tables it drops; rows that would violate a `NOT NULL`/`CHECK` it
/// adds). Read-only, bounded by `costOptions`. Rejects with `CONNECTION_FAILED`, `INVALID_ARGUMENT`.
#[cfg_attr(test, allow(dead_code))]
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
        Ok((
            string_arg(&database_url, "databaseUrl")?,
            string_arg(&script, "script")?,
            cost_limits(cost_options.as_ref())?,
        ))
    });
    promise(env, async move {
        let (url, script, limits) = args?;
        db::rollback_cost(&url, &script, limits).await.map(script_cost).map_err(db_error)
    })
}
