//! Data at risk: how many rows hold the data a rollback deletes (dropped columns and tables), and how many
//! would make a `SET NOT NULL`/`CHECK` it adds back fail. Read-only and bounded: run inside the caller's
//! read-only transaction, each count in a savepoint under a short `statement_timeout`/`lock_timeout`. Small
//! tables are counted exactly; large ones, and counts that hit the timeout, are estimated from
//! `pg_class.reltuples` and `pg_stats.null_frac` and labelled as estimates.
use pg_rollback_core::quote_ident;
use pg_rollback_core::risk::RiskTarget;
use pg_rollback_core::ObjectName;
use serde::Serialize;
use tokio_postgres::GenericClient;

use crate::error::{pg_message, sqlstate};
use crate::session::Ctx;

/// How far a count may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountLimits {
    /// Tables with more rows than this (by `pg_class.reltuples`) are estimated, not counted.
    pub exact_max_rows: i64,
    /// `statement_timeout` and `lock_timeout` of each count; past it the number is estimated.
    pub timeout_ms: u32,
}

impl Default for CountLimits {
    fn default() -> Self {
        CountLimits { exact_max_rows: 1_000_000, timeout_ms: 1000 }
    }
}

/// Rows a rollback statement deletes, or that would make it fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct DataAtRisk {
    /// 1-based number of the statement in the script.
    pub statement: u32,
    /// `dropColumn`, `dropTable`, `setNotNull` or `check`.
    pub kind: String,
    /// The table as the statement names it.
    pub table: String,
    pub column: Option<String>,
    pub constraint: Option<String>,
    /// Rows holding data that is deleted (drops), or rows that violate what is added back; null when
    /// it could not be measured (the message says why).
    pub rows: Option<i64>,
    /// True when `rows` is an estimate (`pg_class`/`pg_stats`), not a count.
    pub estimate: bool,
    /// True when the statement would fail on these rows (`setNotNull`, `check` with rows > 0).
    pub would_fail: bool,
    pub message: String,
}

const SAVEPOINT: &str = "SAVEPOINT pg_rollback_risk";
const ROLLBACK_TO: &str = "ROLLBACK TO SAVEPOINT pg_rollback_risk; RELEASE SAVEPOINT pg_rollback_risk";

/// The table's OID-less facts: `reltuples` (-1 when never analyzed) and, for a column, pg_stats' null_frac
/// (`None` without statistics); `None` when the table or column does not exist now.
const TABLE_FACTS: &str = "SELECT c.reltuples::float8,
        (SELECT s.null_frac::float8 FROM pg_stats s
          WHERE s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = $2 AND NOT s.inherited),
        $2 = '' OR EXISTS (SELECT 1 FROM pg_attribute a
                            WHERE a.attrelid = c.oid AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped)
   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.oid = to_regclass($1)";

struct Facts {
    reltuples: f64,
    null_frac: Option<f64>,
}

/// Measure every target of statement `statement` (1-based); never fails: what cannot be read is reported.
pub(crate) async fn measure<C: GenericClient + Sync>(
    c: &C,
    ctx: &Ctx,
    statement: u32,
    targets: &[RiskTarget],
    limits: CountLimits,
) -> Vec<DataAtRisk> {
    let mut out = Vec::with_capacity(targets.len());
    for target in targets {
        out.push(measure_one(c, ctx, statement, target, limits).await);
    }
    out
}

fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut s = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            s.push(',');
        }
        s.push(ch);
    }
    if n < 0 {
        format!("-{s}")
    } else {
        s
    }
}

fn rows(n: i64) -> String {
    format!("{} row{}", thousands(n), if n == 1 { "" } else { "s" })
}

async fn measure_one<C: GenericClient + Sync>(
    c: &C,
    ctx: &Ctx,
    statement: u32,
    target: &RiskTarget,
    limits: CountLimits,
) -> DataAtRisk {
    let (kind, table, column, constraint) = match target {
        RiskTarget::DropColumn { table, column } => ("dropColumn", table, Some(column.clone()), None),
        RiskTarget::DropTable { table } => ("dropTable", table, None, None),
        RiskTarget::SetNotNull { table, column } => ("setNotNull", table, Some(column.clone()), None),
        RiskTarget::Check { table, constraint, .. } => ("check", table, None, Some(constraint.clone())),
    };
    let what = match &column {
        Some(column) => format!("{table}.{}", quote_ident(column)),
        None => table.to_string(),
    };
    let mut risk = DataAtRisk {
        statement,
        kind: kind.into(),
        table: table.to_string(),
        column: column.clone(),
        constraint,
        rows: None,
        estimate: false,
        would_fail: false,
        message: String::new(),
    };
    let facts = match table_facts(c, ctx, table, column.as_deref().unwrap_or("")).await {
        Ok(Some(facts)) => facts,
        Ok(None) => {
            risk.message = format!("{what}: not measured (it does not exist now; an earlier statement creates it)");
            return risk;
        }
        Err(e) => {
            risk.message = format!("{what}: not measured ({e})");
            return risk;
        }
    };
    let mut counted = None;
    let mut why_estimate = "table too large to count";
    if facts.reltuples < limits.exact_max_rows as f64 {
        match count(c, target, limits.timeout_ms).await {
            Ok(n) => counted = Some(n),
            Err(reason) => why_estimate = reason,
        }
    }
    let estimated = || -> Option<i64> {
        // reltuples is -1 for a table never vacuumed or analyzed.
        if facts.reltuples < 0.0 {
            return None;
        }
        let total = facts.reltuples;
        let n = match target {
            RiskTarget::DropTable { .. } => total,
            RiskTarget::DropColumn { .. } => total * (1.0 - facts.null_frac?),
            RiskTarget::SetNotNull { .. } => total * facts.null_frac?,
            RiskTarget::Check { .. } => return None,
        };
        Some(n.round() as i64)
    };
    let (n, estimate) = match counted {
        Some(n) => (n, false),
        None => match estimated() {
            Some(n) => (n, true),
            None => {
                risk.message =
                    format!("{what}: not measured ({why_estimate}, and no planner statistics to estimate from)");
                return risk;
            }
        },
    };
    risk.rows = Some(n);
    risk.estimate = estimate;
    let amount =
        if estimate { format!("about {} (estimate from pg_class/pg_stats: {why_estimate})", rows(n)) } else { rows(n) };
    let verb = |one: &str, many: &str| if n == 1 { one.to_owned() } else { many.to_owned() };
    risk.message = match target {
        RiskTarget::DropColumn { .. } if n == 0 => format!("{what}: no row holds a value (nothing is lost)"),
        RiskTarget::DropColumn { .. } => {
            format!("{what}: {amount} {} a value that the rollback deletes", verb("holds", "hold"))
        }
        RiskTarget::DropTable { .. } if n == 0 => format!("{what}: the table is empty (nothing is lost)"),
        RiskTarget::DropTable { .. } => format!("{what}: {amount} that the rollback deletes with the table"),
        RiskTarget::SetNotNull { .. } if n == 0 => format!("{what}: no NULL, so SET NOT NULL will succeed"),
        RiskTarget::SetNotNull { .. } => {
            risk.would_fail = true;
            format!("{what}: {amount} {} NULL: the rollback's SET NOT NULL would fail", verb("is", "are"))
        }
        RiskTarget::Check { constraint, expr, .. } if n == 0 => {
            format!("{what}: every row satisfies CHECK {} ({expr})", quote_ident(constraint))
        }
        RiskTarget::Check { constraint, expr, .. } => {
            risk.would_fail = true;
            format!(
                "{what}: {amount} {} CHECK {} ({expr}): the rollback would fail",
                verb("violates", "violate"),
                quote_ident(constraint)
            )
        }
    };
    risk
}

async fn table_facts<C: GenericClient + Sync>(
    c: &C,
    ctx: &Ctx,
    table: &ObjectName,
    column: &str,
) -> Result<Option<Facts>, String> {
    let row = ctx.query_opt(c, TABLE_FACTS, &[&table.to_string(), &column]).await.map_err(|e| pg_message(&e))?;
    Ok(row.and_then(|row| {
        let exists: bool = row.get(2);
        exists.then(|| Facts { reltuples: row.get(0), null_frac: row.get(1) })
    }))
}

/// The exact count, in a savepoint under the timeouts; `Err` says why not (then it is estimated).
async fn count<C: GenericClient + Sync>(c: &C, target: &RiskTarget, timeout_ms: u32) -> Result<i64, &'static str> {
    // Identifiers quoted; a CHECK expression is PostgreSQL's own deparse of the parsed script.
    let sql = match target {
        RiskTarget::DropTable { table } => format!("SELECT count(*) FROM {table}"),
        RiskTarget::DropColumn { table, column } => {
            format!("SELECT count(*) FROM {table} WHERE {} IS NOT NULL", quote_ident(column))
        }
        RiskTarget::SetNotNull { table, column } => {
            format!("SELECT count(*) FROM {table} WHERE {} IS NULL", quote_ident(column))
        }
        RiskTarget::Check { table, expr, .. } => format!("SELECT count(*) FROM {table} WHERE NOT ({expr})"),
    };
    let setup =
        format!("{SAVEPOINT}; SET LOCAL statement_timeout = {timeout_ms}; SET LOCAL lock_timeout = {timeout_ms}");
    if c.batch_execute(&setup).await.is_err() {
        return Err("the count could not start");
    }
    let result = c.query_one(&sql, &[]).await;
    // Rolled back, not released: the timeouts go back to the caller's.
    let _ = c.batch_execute(ROLLBACK_TO).await;
    match result {
        Ok(row) => Ok(row.get(0)),
        Err(e) if matches!(sqlstate(&e), Some("57014" | "55P03")) => {
            Err("counting took longer than the count timeout, or waited for a lock")
        }
        Err(_) => Err("the count failed"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_separators() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1204), "1,204");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
        assert_eq!(super::rows(1), "1 row");
    }
}
