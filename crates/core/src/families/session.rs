//! SET / RESET: session settings leave no schema behind, except those that change how later names resolve
//! or who owns what the migration creates.
use crate::outcome::{code, Outcome};
use pg_query::protobuf::{TransactionStmt, TransactionStmtKind as Kind, VariableSetStmt};

pub fn set(s: &VariableSetStmt) -> Outcome {
    match s.name.as_str() {
        "search_path" => Outcome::blocked(
            code::SEARCH_PATH,
            "Cannot auto-generate rollback for SET search_path: names in the migration resolve through it and the rollback would run without it",
        ),
        "role" | "session_authorization" => Outcome::blocked(
            code::SESSION_ROLE,
            "Cannot auto-generate rollback for SET ROLE / SESSION AUTHORIZATION: the rollback would run as a different role",
        ),
        _ => Outcome::nothing_to_undo(),
    }
}

/// BEGIN/COMMIT leave nothing behind; ROLLBACK (to a savepoint or not) throws away statements before it,
/// which the inverses of those statements would then try to undo.
pub fn transaction(s: &TransactionStmt) -> Outcome {
    match s.kind() {
        Kind::TransStmtRollback | Kind::TransStmtRollbackTo | Kind::TransStmtPrepare | Kind::TransStmtRollbackPrepared => {
            Outcome::blocked(
                code::UNSUPPORTED_STATEMENT,
                "Cannot auto-generate rollback for a migration that rolls back part of itself (ROLLBACK, ROLLBACK TO SAVEPOINT, PREPARE TRANSACTION)",
            )
        }
        _ => Outcome::nothing_to_undo(),
    }
}
