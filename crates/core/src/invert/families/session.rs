//! SET / RESET: session settings leave no schema behind, except those that change how later names resolve
//! or who owns what the migration creates.
use crate::ask::facts::Facts;
use crate::ask::state::At;
use crate::invert::context::Context;
use crate::invert::outcome::{code, Outcome};
use crate::invert::temporary;
use crate::render::quote::literal;
use pg_query::protobuf::{TransactionStmt, TransactionStmtKind as Kind, VariableSetKind, VariableSetStmt};

/// Sets `search_path` for the rest of the rollback's transaction.
pub fn set_search_path(path: &str) -> String {
    format!("SELECT pg_catalog.set_config('search_path', {}, true)", literal(path))
}

pub fn set(s: &VariableSetStmt, ctx: &mut Context, facts: &Facts) -> Outcome {
    match s.name.as_str() {
        "search_path" => {
            // With the paths before and after captured, the rollback sets each back in turn: it starts with the
            // migration's last one (see the planner), and undoing this statement restores the one before it.
            let (before, after) = (facts.setting(At::Before, "search_path"), facts.setting(At::After, "search_path"));
            // Names written before may denote other objects now, and pg_temp may come first.
            let names_temporary = match after {
                Some(Some(after)) => temporary::path_names_temporary(after),
                _ => s.kind() != VariableSetKind::VarReset && temporary::path_names_temporary(&format!("{:?}", s.args)),
            };
            ctx.search_path_changed(names_temporary);
            match (before, after) {
                (Some(Some(before)), Some(Some(after))) => {
                    ctx.search_path = Some(after.clone());
                    Outcome::inverse(set_search_path(before))
                }
                _ => Outcome::blocked(
                    code::SEARCH_PATH,
                    "Cannot auto-generate rollback for SET search_path: names in the migration resolve through it and the rollback would run without it",
                ),
            }
        }
        "role" | "session_authorization" => Outcome::blocked(
            code::SESSION_ROLE,
            "Cannot auto-generate rollback for SET ROLE / SESSION AUTHORIZATION: the rollback would run as a different role",
        ),
        _ => Outcome::unchanged("a session setting"),
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
        _ => Outcome::unchanged("transaction control"),
    }
}
