//! pg-rollback core: parse PostgreSQL migration SQL with the real parser (pg_query) and generate its inverse.
//! Pure: no napi, no I/O. Expected outcomes ("cannot invert") are data in the plan; only bad input is an error.
//!
//! Two ways in: [`generate_rollback`] inverts from the SQL alone; [`Planner`] is driven by a database layer
//! that answers the [`Question`]s each statement raises (the state it overwrites) while the migration runs.
mod context;
mod error;
mod event_triggers;
mod facts;
mod families;
mod invert;
pub mod locks;
mod migration;
mod name;
pub mod noop;
mod outcome;
mod plan;
mod planner;
mod quote;
mod reason_code;
mod restore;
pub mod risk;
pub mod snapshot;
mod source;
pub mod temporary;
pub mod state;
#[doc(hidden)]
pub mod wire;

pub use error::Error;
pub use migration::{InTransaction, ParsedMigration, ParsedStatement, TransactionRole};
pub use name::ObjectName;
pub use outcome::code;
pub use plan::{RollbackPlan, RollbackWarning, StatementPlan};
pub use planner::Planner;
pub use reason_code::Code;
pub use quote::{ident as quote_ident, literal as quote_literal};
pub use state::{Answer, At, Question, Reply};

/// Largest migration accepted, in bytes.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Parse `sql` and build the plan that undoes it from the SQL alone.
pub fn generate_rollback(sql: &str) -> Result<RollbackPlan, Error> {
    Ok(Planner::new(ParsedMigration::parse(sql)?, false).finish())
}
