//! pg-rollback core: parse PostgreSQL migration SQL with the real parser (pg_query) and generate its inverse.
//! Pure: no napi, no I/O. Expected outcomes ("cannot invert") are data in the plan; only bad input is an error.
//!
//! Two ways in: [`generate_rollback`] inverts from the SQL alone; [`Planner`] is driven by a database layer
//! that answers the [`Question`]s each statement raises (the state it overwrites) while the migration runs.
//! The pipeline, one folder per stage: `parse` (SQL to statements) -> `ask` (questions for the database,
//! the planner) -> `invert` (one module per statement family) -> `render` (quoting, SQL text); `analyze`
//! holds what is reported beside the rollback (locks, data at risk, snapshot comparison).
mod analyze;
pub mod archive;
mod ask;
mod error;
mod invert;
mod parse;
mod plan;
mod reason_code;
mod render;
pub mod rows;
pub mod seed;

pub use analyze::{locks, risk, snapshot};
pub use ask::state;
pub use invert::temporary;
#[doc(hidden)]
pub use parse::wire;
pub use render::noop;

pub use ask::planner::Planner;
pub use ask::state::{Answer, At, Question, Reply};
pub use error::Error;
pub use invert::outcome::code;
pub use parse::migration::{InTransaction, ParsedMigration, ParsedStatement, TransactionRole};
pub use parse::name::ObjectName;
pub use plan::{RollbackPlan, RollbackWarning, StatementPlan};
pub use reason_code::Code;
pub use render::quote::{ident as quote_ident, literal as quote_literal};

/// Largest migration accepted, in bytes.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Parse `sql` and build the plan that undoes it from the SQL alone.
pub fn generate_rollback(sql: &str) -> Result<RollbackPlan, Error> {
    Ok(Planner::new(ParsedMigration::parse(sql)?, false).finish())
}
