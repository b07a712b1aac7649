//! The result types handed to callers. Field names are part of the public JS API (camelCase via serde).
use serde::{Deserialize, Serialize};

use crate::Code;

/// What `generate_rollback` found for a whole migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct RollbackPlan {
    /// Inverse statements, last statement first, each ending with `;` on its own line. A safe plan with nothing
    /// to undo gets a script of comments, one per statement, saying so (it runs and changes nothing); `None`
    /// when the plan is not safe and nothing is invertible.
    pub rollback_script: Option<String>,
    /// True only if the migration has at least one statement and every statement is reversible.
    pub rollback_safe: bool,
    /// False when the rollback cannot run inside a transaction (e.g. `DROP INDEX CONCURRENTLY`).
    pub transactional: bool,
    /// True when the plan was made while the migration ran, with the state it overwrote read from the
    /// database; false when it comes from the SQL alone.
    pub state_captured: bool,
    /// One per input statement, in input order.
    pub statements: Vec<StatementPlan>,
    pub warnings: Vec<RollbackWarning>,
}

/// One input statement and how it is undone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct StatementPlan {
    /// 0-based position in the migration.
    pub index: u32,
    /// Command tag, e.g. `ALTER TABLE`, `CREATE INDEX`, `DO`.
    pub kind: String,
    /// The statement's text as written (without the trailing `;`).
    pub sql: String,
    /// 1-based line and column (in characters) where the statement starts.
    pub line: u32,
    pub column: u32,
    pub reversible: bool,
    /// The SQL that undoes this statement (may be several statements, each ending with `;`).
    /// `None` when nothing needs undoing or nothing can be generated.
    pub inverse: Option<String>,
    /// Stable reason code when the statement is not (fully) reversible, or for a notable reversible case.
    pub code: Option<Code>,
}

/// Why part of a migration cannot be rolled back automatically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object))]
pub struct RollbackWarning {
    pub code: Code,
    pub message: String,
    pub statement_index: u32,
    pub line: u32,
    pub column: u32,
}
