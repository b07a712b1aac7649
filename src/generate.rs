//! `generateRollback`: JS-facing mirror of the core plan types, plus error mapping.
use napi::bindgen_prelude::{Either, Unknown};
use napi_derive::napi;
use pg_rollback_core as core;

use crate::{catch_panic, js_error, CodedError, ErrorCode};

/// What `generateRollback` found for a whole migration.
#[napi(object, use_nullable = true)]
pub struct RollbackPlan {
    /// Inverse statements, last statement first, each ending with `;` and a newline; a safe migration with nothing to undo gets one `--` comment per statement saying why; null if nothing is invertible.
    pub rollback_script: Option<String>,
    /// True only if the migration has at least one statement and every statement is reversible.
    pub rollback_safe: bool,
    /// False when the rollback cannot run inside a transaction (e.g. `DROP INDEX CONCURRENTLY`).
    pub transactional: bool,
    /// True when the plan was made while the migration ran, with the state each statement overwrote read
    /// from the database (`applyMigration`, `planMigration`); false when it comes from the SQL alone.
    pub state_captured: bool,
    /// One per input statement, in input order.
    pub statements: Vec<StatementPlan>,
    pub warnings: Vec<RollbackWarning>,
}

/// One input statement and how it is undone.
#[napi(object, use_nullable = true)]
pub struct StatementPlan {
    /// 0-based position in the migration.
    pub index: u32,
    /// Command tag, e.g. `ALTER TABLE`, `CREATE INDEX`.
    pub kind: String,
    /// The statement's text as written (without the trailing `;`).
    pub sql: String,
    /// 1-based line and column (in characters) where the statement starts.
    pub line: u32,
    pub column: u32,
    pub reversible: bool,
    /// SQL that undoes this statement, or null.
    pub inverse: Option<String>,
    /// Stable reason code when the statement is not (fully) reversible.
    pub code: Option<String>,
}

/// Why part of a migration cannot be rolled back automatically.
#[napi(object)]
pub struct RollbackWarning {
    pub code: String,
    pub message: String,
    pub statement_index: u32,
    pub line: u32,
    pub column: u32,
}

impl From<core::RollbackPlan> for RollbackPlan {
    fn from(p: core::RollbackPlan) -> Self {
        RollbackPlan {
            rollback_script: p.rollback_script,
            rollback_safe: p.rollback_safe,
            transactional: p.transactional,
            state_captured: p.state_captured,
            statements: p.statements.into_iter().map(Into::into).collect(),
            warnings: p.warnings.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<core::StatementPlan> for StatementPlan {
    fn from(s: core::StatementPlan) -> Self {
        StatementPlan {
            index: s.index,
            kind: s.kind,
            sql: s.sql,
            line: s.line,
            column: s.column,
            reversible: s.reversible,
            inverse: s.inverse,
            code: s.code,
        }
    }
}

impl From<core::RollbackWarning> for RollbackWarning {
    fn from(w: core::RollbackWarning) -> Self {
        RollbackWarning {
            code: w.code,
            message: w.message,
            statement_index: w.statement_index,
            line: w.line,
            column: w.column,
        }
    }
}

pub(crate) fn core_error(e: &core::Error) -> CodedError {
    js_error(e.code(), e.to_string())
}

/// Parse a PostgreSQL migration and build the plan that undoes it.
///
/// Throws an `Error` with `code` `PARSE_ERROR` (message names line and column), `INVALID_INPUT`
/// (a NUL byte, an oversized input), `INVALID_ARGUMENT` (`sql` is not a string) or `INTERNAL_ERROR`.
// Takes `Either` so a non-string argument gets our code, as in the DB functions, not napi's own.
// Unit tests build napi as "noop", where the export is not registered and looks unused.
#[cfg_attr(test, allow(dead_code))]
#[napi(ts_args_type = "sql: string")]
pub fn generate_rollback(sql: Either<String, Unknown<'_>>) -> napi::Result<RollbackPlan, ErrorCode> {
    let sql = match sql {
        Either::A(sql) => sql,
        Either::B(other) => {
            let ty = other.get_type().map(|t| format!("{t:?}").to_lowercase());
            return Err(js_error(
                "INVALID_ARGUMENT",
                format!("sql must be a string, got {}", ty.as_deref().unwrap_or("an unknown value")),
            ));
        }
    };
    catch_panic(|| core::generate_rollback(&sql).map(RollbackPlan::from).map_err(|e| core_error(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_code_and_display() {
        let e = core::Error::Parse {
            message: "syntax error at or near \"SELEC\"".into(),
            line: 2,
            column: 1,
            statement_index: None,
        };
        let js = core_error(&e);
        assert_eq!(js.status.as_ref(), "PARSE_ERROR");
        assert_eq!(js.reason, e.to_string());
        assert!(js.reason.contains("line 2, column 1"), "{}", js.reason);

        let e = core::Error::InvalidInput { message: "NUL byte".into(), line: 1, column: 3 };
        assert_eq!(core_error(&e).status.as_ref(), "INVALID_INPUT");
        let e = core::Error::Internal("x".into());
        assert_eq!(core_error(&e).status.as_ref(), "INTERNAL_ERROR");
    }

    #[test]
    fn plan_conversion_copies_every_field() {
        let plan = core::RollbackPlan {
            rollback_script: Some("DROP INDEX i;\n".into()),
            rollback_safe: false,
            transactional: true,
            state_captured: true,
            statements: vec![core::StatementPlan {
                index: 4,
                kind: "CREATE INDEX".into(),
                sql: "CREATE INDEX i ON t(x)".into(),
                line: 5,
                column: 6,
                reversible: true,
                inverse: Some("DROP INDEX i;".into()),
                code: None,
            }],
            warnings: vec![core::RollbackWarning {
                code: "DROP_COLUMN".into(),
                message: "m".into(),
                statement_index: 7,
                line: 8,
                column: 9,
            }],
        };
        let js = RollbackPlan::from(plan);
        assert_eq!(js.rollback_script.as_deref(), Some("DROP INDEX i;\n"));
        assert!(!js.rollback_safe && js.transactional && js.state_captured);
        let s = &js.statements[0];
        assert_eq!((s.index, s.line, s.column), (4, 5, 6));
        assert_eq!((s.kind.as_str(), s.sql.as_str()), ("CREATE INDEX", "CREATE INDEX i ON t(x)"));
        assert!(s.reversible);
        assert_eq!((s.inverse.as_deref(), s.code.as_deref()), (Some("DROP INDEX i;"), None));
        let w = &js.warnings[0];
        assert_eq!((w.code.as_str(), w.message.as_str()), ("DROP_COLUMN", "m"));
        assert_eq!((w.statement_index, w.line, w.column), (7, 8, 9));
    }
}
