//! CREATE TABLE (incl. PARTITION OF, INHERITS), CREATE TABLE AS, CREATE MATERIALIZED VIEW, CREATE VIEW,
//! CREATE SEQUENCE: undone by dropping the relation, which also drops what it owns (indexes, constraints,
//! serial/identity sequences, its row type).
use crate::ask::facts::Facts;
use crate::ask::state::{At, Lookup, ObjectKind};
use crate::invert::context::Context;
use crate::invert::families::catalog_names;
use crate::invert::families::drops::definition;
use crate::invert::families::placement;
use crate::invert::outcome::{code, Outcome};
use crate::invert::temporary::{self, Resolution};
use crate::parse::name::ObjectName;
use crate::render::quote;
use pg_query::protobuf::{CreateSeqStmt, CreateStmt, CreateTableAsStmt, ObjectType, RangeVar, SelectStmt, ViewStmt};

/// Shared by every relation-creating statement.
fn create_relation(
    rv: &RangeVar,
    keyword: &str,
    if_not_exists: bool,
    replace: bool,
    ctx: &mut Context,
    facts: &Facts,
) -> Outcome {
    if Context::creates_temporary(rv) {
        // Gone when the migration's session ends; later statements on it leave nothing behind either.
        ctx.record_relation(rv);
        return Outcome::unchanged("a temporary relation, gone with the migration's session");
    }
    let written = ObjectName::from_range_var(rv);
    match temporary::created(ObjectKind::Relation, &written, ctx, facts) {
        Resolution::Temporary => {
            ctx.record_temporary(&rv.relname);
            return Outcome::nothing_to_undo();
        }
        Resolution::Unknown => return temporary_path_blocked(&format!("CREATE {keyword} {written}")),
        Resolution::Permanent => {}
    }
    if if_not_exists || replace {
        // IF NOT EXISTS and OR REPLACE look where the new relation would go.
        match facts.locate(At::Before, ObjectKind::Relation, &written, Lookup::Creation) {
            // It existed: IF NOT EXISTS did nothing (and later statements do not touch a new relation).
            Some(Some(_)) if if_not_exists => return Outcome::unchanged("it existed already"),
            Some(Some(_)) => return replaced_view(rv, facts),
            Some(None) => {}
            None if if_not_exists => {
                return Outcome::blocked(
                    code::IF_NOT_EXISTS,
                    format!(
                        "Cannot auto-generate rollback for CREATE {keyword} IF NOT EXISTS: {} may have existed before the migration",
                        quote::relation(rv)
                    ),
                )
            }
            None => {
                return Outcome::blocked(
                    code::OR_REPLACE,
                    format!(
                        "Cannot auto-generate rollback for CREATE OR REPLACE {keyword}: the previous definition of {} is not in the migration",
                        quote::relation(rv)
                    ),
                )
            }
        }
    }
    let name = placement::relation(facts, &written);
    if catalog_names::relation(&name) {
        return catalog_names::blocked(&format!("CREATE {keyword} {written}"));
    }
    ctx.record_relation(rv);
    Outcome::inverse(format!("DROP {keyword} {name}"))
}

/// `CREATE OR REPLACE VIEW` of a view that existed: put its previous query back, unless the new one added
/// columns (a view cannot lose columns by OR REPLACE).
fn replaced_view(rv: &RangeVar, facts: &Facts) -> Outcome {
    let written = ObjectName::from_range_var(rv);
    let before = facts.view(At::Before, &written, Lookup::Creation);
    let after = facts.view(At::After, &written, Lookup::Creation);
    let blocked = |why: String| {
        Outcome::blocked(
            code::OR_REPLACE,
            format!("Cannot auto-generate a safe rollback for CREATE OR REPLACE VIEW {written}: {why}"),
        )
    };
    if let Some(Some(before)) = before.filter(|b| b.is_some_and(|b| b.relation.kind == "v")) {
        // Asked before the statement runs, in case it changes the columns (known only once it ran).
        crate::invert::families::drop_sets::ask_for_replaced_columns(before, facts);
    }
    let (Some(Some(before)), Some(Some(after))) = (before, after) else {
        return blocked("the previous definition was not captured".into());
    };
    let names = |v: &crate::ask::state::ViewFacts| v.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    if names(before) != names(after) {
        return crate::invert::families::drop_sets::replaced_columns(before, facts).unwrap_or_else(|why| {
            blocked(format!(
                "it changed the view's columns from ({}) to ({}), which only DROP VIEW can undo, and {why}",
                names(before).join(", "),
                names(after).join(", ")
            ))
        });
    }
    let name = ObjectName::qualified(&before.relation.schema, &before.relation.name);
    let options = |v: &crate::ask::state::ViewFacts| v.options.clone();
    let mut inverse = Vec::new();
    let removed: Vec<String> = options(after)
        .iter()
        .filter_map(|o| o.split_once('=').map(|(k, _)| k.to_owned()))
        .filter(|k| !options(before).iter().any(|o| o.starts_with(&format!("{k}="))))
        .collect();
    let with = if before.options.is_empty() { String::new() } else { format!(" WITH ({})", before.options.join(", ")) };
    inverse.push(format!("CREATE OR REPLACE VIEW {name}{with} AS {}", definition(before.definition.trim_start())));
    if !removed.is_empty() {
        inverse.push(format!("ALTER VIEW {name} RESET ({})", removed.join(", ")));
    }
    Outcome { inverse, ..Default::default() }
}

pub fn create_table(s: &CreateStmt, ctx: &mut Context, facts: &Facts) -> Outcome {
    let Some(rv) = &s.relation else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "CREATE TABLE without a name");
    };
    if s.oncommit() == pg_query::protobuf::OnCommitAction::OncommitDrop {
        // Gone at the end of the transaction, after which its name denotes whatever it shadowed again: from
        // the SQL alone, later statements on that name may be on either.
        ctx.record_maybe_temporary(&rv.relname);
        return Outcome::nothing_to_undo();
    }
    let mut outcome = create_relation(rv, "TABLE", s.if_not_exists, false, ctx, facts);
    // A partition cannot be dropped while foreign keys reference its parent; detached first, it can.
    if let (Some(parent), true) = (partition_parent(s), outcome.is_reversible() && !outcome.inverse.is_empty()) {
        outcome.inverse.insert(
            0,
            format!(
                "ALTER TABLE {} DETACH PARTITION {}",
                quote::relation(parent),
                placement::relation(facts, &ObjectName::from_range_var(rv))
            ),
        );
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

pub fn create_table_as(s: &CreateTableAsStmt, ctx: &mut Context, facts: &Facts) -> Outcome {
    let Some(rv) = s.into.as_ref().and_then(|into| into.rel.as_ref()) else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "CREATE TABLE AS without a target");
    };
    let keyword = if s.objtype() == ObjectType::ObjectMatview { "MATERIALIZED VIEW" } else { "TABLE" };
    create_relation(rv, keyword, s.if_not_exists, false, ctx, facts)
}

/// `SELECT ... INTO t`: the parser leaves it a SELECT; it creates a table like CREATE TABLE AS.
pub fn select_into(s: &SelectStmt, ctx: &mut Context, facts: &Facts) -> Option<Outcome> {
    let rv = s.into_clause.as_ref()?.rel.as_ref()?;
    Some(create_relation(rv, "TABLE", false, false, ctx, facts))
}

pub fn create_view(s: &ViewStmt, ctx: &mut Context, facts: &Facts) -> Outcome {
    let Some(rv) = &s.view else { return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "CREATE VIEW without a name") };
    // With the database, where the view landed says whether it is temporary.
    if ctx.has_temporary() && !Context::creates_temporary(rv) && !facts.capturing() {
        return Outcome::blocked(
            code::UNSUPPORTED_STATEMENT,
            format!(
                "Cannot auto-generate rollback for CREATE VIEW {} after temporary tables were created: a view on \
                 one is silently temporary too",
                quote::relation(rv)
            ),
        );
    }
    create_relation(rv, "VIEW", false, s.replace, ctx, facts)
}

pub fn create_sequence(s: &CreateSeqStmt, ctx: &mut Context, facts: &Facts) -> Outcome {
    let Some(rv) = &s.sequence else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "CREATE SEQUENCE without a name");
    };
    create_relation(rv, "SEQUENCE", s.if_not_exists, false, ctx, facts)
}

/// An unqualified CREATE after a `search_path` naming pg_temp, from the SQL alone.
pub fn temporary_path_blocked(what: &str) -> Outcome {
    Outcome::blocked(
        code::TEMPORARY_OBJECT,
        format!(
            "Cannot auto-generate rollback for {what}: the search_path set earlier names pg_temp, so the new object \
             may be temporary (gone with the migration's session) and the rollback could drop a permanent one"
        ),
    )
}
