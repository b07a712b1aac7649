//! CREATE INDEX [CONCURRENTLY]: undone by DROP INDEX in the table's schema, where PostgreSQL put it.
//! CREATE STATISTICS, the other planner object, lives here too. With the state captured: the name
//! PostgreSQL chose for an unnamed one, whether IF NOT EXISTS found one, and whether an index on a
//! partitioned table adopted one a partition already had.
use crate::ask::facts::Facts;
use crate::ask::state::{At, Lookup, ObjectKind};
use crate::invert::families::{catalog_names, placement};
use crate::invert::outcome::{code, Outcome};
use crate::parse::name::ObjectName;
use crate::render::quote;
use pg_query::protobuf::{CreateStatsStmt, IndexStmt};

pub fn create_index(s: &IndexStmt, facts: &Facts) -> Outcome {
    let Some(table) = &s.relation else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "CREATE INDEX without a table");
    };
    let table_name = ObjectName::from_range_var(table);
    // Indexes of the table and its partitions before: an unnamed index is the one that appears, and an index on
    // a partitioned table may adopt a partition's instead of creating one.
    // A concurrent build is read around too: right before and after it, each read in a transaction of its own.
    let before = if facts.capturing() { facts.indexes(At::Before, &table_name) } else { None };
    // IF NOT EXISTS skips when a relation of any kind (table, sequence, view, ...) has the name.
    let existed = (s.if_not_exists && !s.idxname.is_empty()).then(|| {
        facts.locate(
            At::Before,
            ObjectKind::Relation,
            &ObjectName::unqualified(&s.idxname),
            Lookup::Beside(table_name.clone()),
        )
    });
    let name = if !s.idxname.is_empty() {
        table_name.sibling(&s.idxname)
    } else {
        let chosen =
            before.zip(facts.indexes(At::After, &table_name)).and_then(|(before, after)| {
                match after
                    .iter()
                    .filter(|a| !a.inherited && !before.iter().any(|b| b.oid == a.oid))
                    .collect::<Vec<_>>()[..]
                {
                    [one] => Some(ObjectName::qualified(&one.schema, &one.name)),
                    _ => None,
                }
            });
        match chosen {
            Some(name) => name,
            None => {
                return Outcome::blocked(
                    code::UNNAMED_OBJECT,
                    format!(
                    "Cannot auto-generate rollback for CREATE INDEX without a name on {}: PostgreSQL chooses the name",
                    quote::relation(table)
                ),
                )
            }
        }
    };
    match existed {
        Some(Some(Some(_))) => return Outcome::unchanged("it existed already"),
        Some(Some(None)) => {}
        Some(None) => {
            return Outcome::blocked(
                code::IF_NOT_EXISTS,
                format!("Cannot auto-generate rollback for CREATE INDEX IF NOT EXISTS: {name} may have existed before the migration"),
            )
        }
        None => {}
    }
    if let Some(before) = before.filter(|b| b.iter().any(|i| i.inherited)) {
        let added = facts.index(At::After, &name, Lookup::Beside(table_name.clone()));
        match added {
            Some(Some(added)) => {
                if let Some(adopted) = before.iter().find(|b| added.partitions.contains(&b.oid)) {
                    return Outcome::blocked(
                        code::ADOPTED_EXISTING,
                        format!(
                            "Cannot auto-generate a safe rollback for CREATE INDEX {name}: it adopted the existing index {} of partition {}, which dropping it would drop too",
                            ObjectName::qualified(&adopted.schema, &adopted.name),
                            adopted.table
                        ),
                    );
                }
            }
            _ => {
                return Outcome::blocked(
                    code::ADOPTED_EXISTING,
                    format!("Cannot auto-generate a safe rollback for CREATE INDEX {name} on a partitioned table: whether it adopted a partition's index is not known"),
                )
            }
        }
    }
    let index = if name.is_qualified() { name } else { placement::index(facts, &name, &table_name) };
    if catalog_names::relation(&index) {
        return catalog_names::blocked(&format!("CREATE INDEX {index}"));
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
pub fn create_statistics(s: &CreateStatsStmt, facts: &Facts) -> Outcome {
    let table = s.relations.first().and_then(|r| match &r.node {
        Some(pg_query::NodeEnum::RangeVar(rv)) => Some(ObjectName::from_range_var(rv)),
        _ => None,
    });
    let written = ObjectName::from_nodes(&s.defnames).filter(|n| !n.name.is_empty());
    let before = match (&written, &table) {
        (None, Some(table)) => facts.statistics_of(At::Before, table),
        _ => None,
    };
    let existed = match (&written, s.if_not_exists) {
        (Some(name), true) => Some(facts.statistics(At::Before, name, Lookup::Creation)),
        _ => None,
    };
    let name = match written {
        Some(name) => name,
        None => {
            let chosen = before.zip(table.as_ref().and_then(|t| facts.statistics_of(At::After, t))).and_then(
                |(before, after)| match after.iter().filter(|a| !before.contains(a)).collect::<Vec<_>>()[..] {
                    [one] => Some(one.clone()),
                    _ => None,
                },
            );
            match chosen {
                Some(name) => name,
                None => return Outcome::blocked(
                    code::UNNAMED_OBJECT,
                    "Cannot auto-generate rollback for CREATE STATISTICS without a name: PostgreSQL chooses the name",
                ),
            }
        }
    };
    match existed {
        Some(Some(Some(_))) => Outcome::unchanged("it existed already"),
        Some(None) => Outcome::blocked(
            code::IF_NOT_EXISTS,
            format!("Cannot auto-generate rollback for CREATE STATISTICS IF NOT EXISTS: {name} may have existed before the migration"),
        ),
        _ => Outcome::inverse(format!("DROP STATISTICS {name}")),
    }
}
