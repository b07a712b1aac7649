//! SET / RESET: session settings leave no schema behind, except those that change how later names resolve
//! or who owns what the migration creates.
use crate::outcome::{code, Outcome};
use pg_query::protobuf::VariableSetStmt;

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
