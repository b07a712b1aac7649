//! CREATE TABLE (incl. PARTITION OF, INHERITS), CREATE TABLE AS, CREATE MATERIALIZED VIEW, CREATE VIEW,
//! CREATE SEQUENCE: undone by dropping the relation, which also drops what it owns (indexes, constraints,
//! serial/identity sequences, its row type).
use crate::context::Context;
use crate::outcome::{code, Outcome};
use crate::quote;
use pg_query::protobuf::{CreateSeqStmt, CreateStmt, CreateTableAsStmt, ObjectType, RangeVar, SelectStmt, ViewStmt};

/// Shared by every relation-creating statement.
fn create_relation(rv: &RangeVar, keyword: &str, if_not_exists: bool, replace: bool, ctx: &mut Context) -> Outcome {
    if Context::creates_temporary(rv) {
        // Gone when the migration's session ends; later statements on it leave nothing behind either.
        ctx.record_relation(rv);
        return Outcome::nothing_to_undo();
    }
    if if_not_exists {
        return Outcome::blocked(
            code::IF_NOT_EXISTS,
            format!(
                "Cannot auto-generate rollback for CREATE {keyword} IF NOT EXISTS: {} may have existed before the migration",
                quote::relation(rv)
            ),
        );
    }
    if replace {
        return Outcome::blocked(
            code::OR_REPLACE,
            format!(
                "Cannot auto-generate rollback for CREATE OR REPLACE {keyword}: the previous definition of {} is not in the migration",
                quote::relation(rv)
            ),
        );
    }
    ctx.record_relation(rv);
    Outcome::inverse(format!("DROP {keyword} {}", quote::relation(rv)))
}

pub fn create_table(s: &CreateStmt, ctx: &mut Context) -> Outcome {
    let Some(rv) = &s.relation else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "CREATE TABLE without a name");
    };
    if s.oncommit() == pg_query::protobuf::OnCommitAction::OncommitDrop {
        // Gone at the end of the transaction, after which its name denotes whatever it shadowed: later
        // statements must not be taken for statements on it.
        return Outcome::nothing_to_undo();
    }
    let mut outcome = create_relation(rv, "TABLE", s.if_not_exists, false, ctx);
    // A partition cannot be dropped while foreign keys reference its parent; detached first, it can.
    if let (Some(parent), true) = (partition_parent(s), outcome.is_reversible() && !outcome.inverse.is_empty()) {
        outcome
            .inverse
            .insert(0, format!("ALTER TABLE {} DETACH PARTITION {}", quote::relation(parent), quote::relation(rv)));
    }
    outcome
}

fn partition_parent(s: &CreateStmt) -> Option<&RangeVar> {
    s.partbound.as_ref()?;
    match s.inh_relations.first()?.node.as_ref()? {
        pg_query::NodeEnum::RangeVar(parent) => Some(parent),
        _ => None,
    }
}

pub fn create_table_as(s: &CreateTableAsStmt, ctx: &mut Context) -> Outcome {
    let Some(rv) = s.into.as_ref().and_then(|into| into.rel.as_ref()) else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "CREATE TABLE AS without a target");
    };
    let keyword = if s.objtype() == ObjectType::ObjectMatview { "MATERIALIZED VIEW" } else { "TABLE" };
    create_relation(rv, keyword, s.if_not_exists, false, ctx)
}

/// `SELECT ... INTO t`: the parser leaves it a SELECT; it creates a table like CREATE TABLE AS.
pub fn select_into(s: &SelectStmt, ctx: &mut Context) -> Option<Outcome> {
    let rv = s.into_clause.as_ref()?.rel.as_ref()?;
    Some(create_relation(rv, "TABLE", false, false, ctx))
}

pub fn create_view(s: &ViewStmt, ctx: &mut Context) -> Outcome {
    let Some(rv) = &s.view else { return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "CREATE VIEW without a name") };
    if ctx.has_temporary() && !Context::creates_temporary(rv) {
        return Outcome::blocked(
            code::UNSUPPORTED_STATEMENT,
            format!(
                "Cannot auto-generate rollback for CREATE VIEW {} after temporary tables were created: a view on \
                 one is silently temporary too",
                quote::relation(rv)
            ),
        );
    }
    create_relation(rv, "VIEW", false, s.replace, ctx)
}

pub fn create_sequence(s: &CreateSeqStmt, ctx: &mut Context) -> Outcome {
    let Some(rv) = &s.sequence else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "CREATE SEQUENCE without a name");
    };
    create_relation(rv, "SEQUENCE", s.if_not_exists, false, ctx)
}
