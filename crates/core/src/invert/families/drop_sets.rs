//! DROP of several objects at once, and DROP ... CASCADE that takes views and materialized views along.
//! Each object comes back as a single DROP's rollback creates it, in an order where every object is created
//! after what it depends on: the length of the longest chain of dependencies PostgreSQL records from a
//! dropped object to it. Any other dependent (a table's column default, a trigger, a type's user, ...) keeps
//! the statement unsafe, naming it.
use crate::ask::facts::Facts;
use crate::ask::state::{At, Lookup, ObjectAddress, ViewFacts};
use crate::invert::families::drops::{address, list_name, view_statements};
use crate::invert::outcome::{code, Blocker, Outcome};
use crate::parse::name::ObjectName;
use pg_query::protobuf::ObjectType;
use pg_query::NodeEnum;
use std::collections::BTreeMap;

pub enum Arrangement<'a> {
    /// Not captured (yet).
    Unknown,
    Blocked(String),
    Arranged(Arranged<'a>),
}

pub struct Arranged<'a> {
    /// The rank of each object of the statement (in its order): create again by increasing rank.
    pub ranks: Vec<u32>,
    /// Views and materialized views a CASCADE also drops, with their ranks.
    pub extra: Vec<(&'a ViewFacts, u32)>,
}

/// How to create again `objects` (the dropped ones that existed) and what their CASCADE took.
pub fn arrange<'a>(kind: ObjectType, objects: &[&NodeEnum], facts: &'a Facts) -> Arrangement<'a> {
    let mut cascades = Vec::with_capacity(objects.len());
    for node in objects {
        let Some(address) = address(kind, node) else { return Arrangement::Unknown };
        let Some(cascade) = facts.drop_cascade(At::Before, &address) else { return Arrangement::Unknown };
        cascades.push(cascade);
    }
    let mut depths: BTreeMap<(String, String), u32> = BTreeMap::new();
    // Other objects of the statement reached from one of them: they are created again, after it.
    let mut listed_depths: BTreeMap<(u32, u32), u32> = BTreeMap::new();
    let mut others = Vec::new();
    for cascade in &cascades {
        for other in &cascade.others {
            match cascades.iter().find(|c| c.target == (other.class, other.oid)) {
                Some(_) if other.sub == 0 => {
                    let depth = listed_depths.entry((other.class, other.oid)).or_default();
                    *depth = (*depth).max(other.depth);
                }
                _ => others.push(other.description.clone()),
            }
        }
        for r in &cascade.relations {
            let depth = depths.entry((r.schema.clone(), r.name.clone())).or_default();
            *depth = (*depth).max(r.depth);
        }
    }
    if !others.is_empty() {
        others.sort();
        others.dedup();
        return Arrangement::Blocked(format!(
            "it also drops {}, which pg-rollback does not create again",
            others.join(", ")
        ));
    }
    // The statement's own views, as found before the drop.
    let mut ranks = Vec::with_capacity(objects.len());
    let mut listed = Vec::new();
    for (node, cascade) in objects.iter().zip(&cascades) {
        let own = match kind {
            ObjectType::ObjectView | ObjectType::ObjectMatview => {
                let Some(name) = list_name(node) else { return Arrangement::Unknown };
                match facts.view(At::Before, &name, Lookup::SearchPath) {
                    Some(Some(view)) => Some((view.relation.schema.clone(), view.relation.name.clone())),
                    _ => return Arrangement::Unknown,
                }
            }
            _ => None,
        };
        let as_view = own.as_ref().and_then(|key| depths.get(key).copied()).unwrap_or(0);
        ranks.push(as_view.max(listed_depths.get(&cascade.target).copied().unwrap_or(0)));
        listed.extend(own);
    }
    let mut extra = Vec::new();
    for ((schema, name), depth) in &depths {
        if listed.iter().any(|(s, n)| s == schema && n == name) {
            continue;
        }
        match facts.view(At::Before, &ObjectName::qualified(schema, name), Lookup::SearchPath) {
            Some(Some(view)) => extra.push((view, *depth)),
            _ => return Arrangement::Unknown,
        }
    }
    Arrangement::Arranged(Arranged { ranks, extra })
}

/// `CREATE OR REPLACE VIEW` that added columns is undone by dropping the view and creating the previous one
/// again with its owner, comments, privileges, options and column defaults: only when nothing depends on it.
pub fn replaced_columns(before: &ViewFacts, facts: &Facts) -> Result<Outcome, String> {
    let r = &before.relation;
    let name = ObjectName::qualified(&r.schema, &r.name);
    let cascade =
        facts.drop_cascade(At::Before, &view_address(before)).ok_or("what depends on the view was not captured")?;
    let mut dependents: Vec<String> =
        cascade.relations.iter().map(|d| ObjectName::qualified(&d.schema, &d.name).to_string()).collect();
    dependents.extend(cascade.others.iter().map(|o| o.description.clone()));
    if !dependents.is_empty() {
        return Err(format!("dropping it would also drop {}", dependents.join(", ")));
    }
    let defaults = facts.default_privileges(At::Before).ok_or("the default privileges were not captured")?;
    let mut inverse = vec![format!("DROP VIEW {name}")];
    inverse.extend(view_statements(before, defaults)?);
    Ok(Outcome { inverse, ..Default::default() })
}

fn view_address(view: &ViewFacts) -> ObjectAddress {
    let r = &view.relation;
    ObjectAddress { kind: "view".into(), names: vec![r.schema.clone(), r.name.clone()], args: Some(vec![]) }
}

/// What [`replaced_columns`] needs, asked about the view before the statement.
pub fn ask_for_replaced_columns(before: &ViewFacts, facts: &Facts) {
    let _ = facts.drop_cascade(At::Before, &view_address(before));
    let _ = facts.default_privileges(At::Before);
}

/// The plan's warning for populated materialized views created again: their rows are computed again.
pub fn refreshed_notice(views: &[String]) -> Option<Blocker> {
    if views.is_empty() {
        return None;
    }
    Some(Blocker {
        code: code::MATERIALIZED_VIEW_REFRESHED,
        message: format!(
            "The rollback creates materialized view{} {} again and fills {} by running {} query, as REFRESH \
             MATERIALIZED VIEW does: the rows are the query's result when the rollback runs, not the rows held \
             before the migration",
            if views.len() > 1 { "s" } else { "" },
            views.join(", "),
            if views.len() > 1 { "them" } else { "it" },
            if views.len() > 1 { "their" } else { "its" },
        ),
    })
}
