//! The advisory lock that serializes every pg-rollback operation that writes, and the timeouts that
//! bound waiting for it.
use tokio_postgres::GenericClient;

use crate::error::{pg_message, sqlstate, Error, Result};
use crate::session::Ctx;
use crate::ADVISORY_LOCK_KEY;

/// How long to wait for locks and statements (milliseconds, 0 = none); not given: the server's setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, js_name = "PlanOptions", object_to_js = false))]
pub struct Timeouts {
    pub lock_timeout_ms: Option<u32>,
    pub statement_timeout_ms: Option<u32>,
}

/// Take the lock for the transaction (`pg_advisory_xact_lock`) or the session (`pg_advisory_lock`); a
/// timeout becomes `LOCK_TIMEOUT`.
pub(crate) async fn take_lock(c: &impl GenericClient, ctx: &Ctx, function: &str) -> Result<()> {
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

/// `SET LOCAL` (or `SET` for the session) of the timeouts that are given.
pub(crate) async fn set_timeouts(c: &impl GenericClient, ctx: &Ctx, timeouts: Timeouts, scope: &str) -> Result<()> {
    let mut sql = String::new();
    if let Some(ms) = timeouts.lock_timeout_ms {
        sql.push_str(&format!("SET {scope} lock_timeout = {ms};"));
    }
    if let Some(ms) = timeouts.statement_timeout_ms {
        sql.push_str(&format!("SET {scope} statement_timeout = {ms};"));
    }
    if sql.is_empty() {
        return Ok(());
    }
    c.batch_execute(&sql).await.map_err(|e| ctx.err("setting lock_timeout/statement_timeout", &e))
}

/// End a run outside a transaction: release the session-level advisory lock and the session timeouts, which
/// would otherwise outlive the call (on the embedded server, all calls share one session).
pub(crate) async fn release_session(c: &impl GenericClient) {
    let sql = format!("SELECT pg_advisory_unlock({ADVISORY_LOCK_KEY}); RESET lock_timeout; RESET statement_timeout");
    let _ = c.batch_execute(&sql).await;
}
