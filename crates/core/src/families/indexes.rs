//! CREATE INDEX [CONCURRENTLY]: undone by DROP INDEX in the table's schema, where PostgreSQL put it.
//! CREATE STATISTICS, the other planner object, lives here too.
use crate::outcome::{code, Outcome};
use crate::quote;
use pg_query::protobuf::{CreateStatsStmt, IndexStmt};

pub fn create_index(s: &IndexStmt) -> Outcome {
    let Some(table) = &s.relation else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "CREATE INDEX without a table");
    };
    if s.idxname.is_empty() {
        return Outcome::blocked(
            code::UNNAMED_OBJECT,
            format!(
                "Cannot auto-generate rollback for CREATE INDEX without a name on {}: PostgreSQL chooses the name",
                quote::relation(table)
            ),
        );
    }
    let index = quote::sibling(table, &s.idxname);
    if s.if_not_exists {
        return Outcome::blocked(
            code::IF_NOT_EXISTS,
            format!("Cannot auto-generate rollback for CREATE INDEX IF NOT EXISTS: {index} may have existed before the migration"),
        );
    }
    if s.concurrent {
        let mut outcome = Outcome::inverse(format!("DROP INDEX CONCURRENTLY {index}"));
        outcome.non_transactional = true;
        outcome
    } else {
        Outcome::inverse(format!("DROP INDEX {index}"))
    }
}

/// A named statistics object is created where its (possibly qualified) name says, like a table.
pub fn create_statistics(s: &CreateStatsStmt) -> Outcome {
    let Some(name) = quote::any_name(&s.defnames).filter(|n| !n.is_empty()) else {
        return Outcome::blocked(
            code::UNNAMED_OBJECT,
            "Cannot auto-generate rollback for CREATE STATISTICS without a name: PostgreSQL chooses the name",
        );
    };
    if s.if_not_exists {
        return Outcome::blocked(
            code::IF_NOT_EXISTS,
            format!("Cannot auto-generate rollback for CREATE STATISTICS IF NOT EXISTS: {name} may have existed before the migration"),
        );
    }
    Outcome::inverse(format!("DROP STATISTICS {name}"))
}
