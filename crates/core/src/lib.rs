//! pg-rollback core: parse PostgreSQL migration SQL with the real parser and generate its inverse.
//! Pure: no napi, no I/O.
mod error;
mod plan;

pub use error::Error;
pub use plan::{RollbackPlan, RollbackWarning, StatementPlan};

/// Largest migration accepted, in bytes.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Parse `sql` and build the plan that undoes it.
pub fn generate_rollback(sql: &str) -> Result<RollbackPlan, Error> {
    let _ = sql;
    Err(Error::Internal("not implemented yet".into()))
}
