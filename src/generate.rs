//! `generateRollback`: the core's plan as is.
use napi::bindgen_prelude::{Either, Unknown};
use napi::Env;
use napi_derive::napi;
use pg_rollback_core::{self as core, RollbackPlan};
use pg_rollback_db::Error;

use crate::sync;

/// Parse a PostgreSQL migration and build the plan that undoes it.
///
/// Throws an `Error` with `code` `PARSE_ERROR` (message names line and column), `INVALID_INPUT`
/// (a NUL byte, an oversized input), `INVALID_ARGUMENT` (`sql` is not a string) or `INTERNAL_ERROR`.
// Takes `Either` so a non-string argument gets our code and message, not napi's own.
#[napi(ts_args_type = "sql: string")]
pub fn generate_rollback(env: &Env, sql: Either<String, Unknown<'_>>) -> napi::Result<RollbackPlan> {
    sync(env, || match sql {
        Either::A(sql) => Ok(core::generate_rollback(&sql)?),
        Either::B(other) => {
            let ty = other.get_type().map(|t| format!("{t:?}").to_lowercase());
            let ty = ty.as_deref().unwrap_or("an unknown value");
            Err(Error::InvalidArgument(format!("sql must be a string, got {ty}")))
        }
    })
}
