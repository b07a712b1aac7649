//! What a rollback costs on the database as it is now: the locks its statements take and the data they
//! would destroy (rows and values counted by `catalog::risk`).
use pg_rollback_core::locks::statement_locks;
use pg_rollback_core::risk::statement_risks;
use pg_rollback_core::ParsedMigration;
use tokio_postgres::GenericClient;

use crate::catalog::risk::{measure, CountLimits};
use crate::error::Result;
use crate::rollback::range::read_only;
use crate::session::{check_text, with_session, Ctx};
use crate::{DataAtRisk, LockInfo, ScriptCost, StatementLocks};

/// Locks and data at risk of `script` on the database as it is now (in `c`'s read-only transaction).
pub(crate) async fn cost<C: GenericClient + Sync>(c: &C, ctx: &Ctx, script: &str, limits: CountLimits) -> ScriptCost {
    let Ok(parsed) = ParsedMigration::parse(script) else {
        return ScriptCost { transactional: true, locks: Vec::new(), data_at_risk: Vec::new() };
    };
    let mut locks = Vec::new();
    let mut data_at_risk: Vec<DataAtRisk> = Vec::new();
    for (i, s) in parsed.statements.iter().enumerate() {
        let effects = statement_locks(&s.node);
        if !effects.is_empty() {
            let locks_taken = effects.into_iter().map(LockInfo::from).collect();
            locks.push(StatementLocks { statement: i as u32 + 1, sql: s.text.clone(), locks: locks_taken });
        }
        let targets = statement_risks(&s.node);
        if !targets.is_empty() {
            data_at_risk.extend(measure(c, ctx, i as u32 + 1, &targets, limits).await);
        }
    }
    ScriptCost { transactional: parsed.runs_in_transaction(), locks, data_at_risk }
}

/// Locks and data at risk of a script (a single version's preview). Read-only.
pub async fn rollback_cost(url: &str, script: &str, limits: CountLimits) -> Result<ScriptCost> {
    check_text("script", script, true)?;
    with_session(url, async |client, ctx| {
        read_only(client, ctx, async |tx| Ok(cost(tx, ctx, script, limits).await)).await
    })
    .await
}
