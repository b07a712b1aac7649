//! GRANT and REVOKE on tables, sequences, functions, schemas and types: undone by putting back the exact ACL
//! the object had (read before and after the statement; the difference is granted or revoked again).
use crate::ask::facts::Facts;
use crate::ask::state::{At, Lookup, Privilege};
use crate::invert::families::drops::{routine_args, routine_signature};
use crate::invert::outcome::{code, Outcome};
use crate::parse::name::ObjectName;
use crate::render::quote::ident;
use crate::render::restore::{acl_change, AclTarget};
use pg_query::protobuf::{GrantStmt, GrantTargetType, ObjectType};
use pg_query::NodeEnum;

pub fn grant(s: &GrantStmt, facts: &Facts) -> Outcome {
    let what = if s.is_grant { "GRANT" } else { "REVOKE" };
    let unknown = || {
        Outcome::blocked(
            code::PREVIOUS_STATE_UNKNOWN,
            format!("Cannot auto-generate rollback for {what}: the previous state is not in the migration"),
        )
    };
    if s.targtype() != GrantTargetType::AclTargetObject || !facts.capturing() {
        return unknown();
    }
    // Column privileges (`GRANT SELECT (a) ON t`) change the columns' ACLs, the others the object's.
    let columns: Vec<String> = s
        .privileges
        .iter()
        .filter_map(|p| match &p.node {
            Some(NodeEnum::AccessPriv(p)) => Some(p.cols.iter().filter_map(|c| match &c.node {
                Some(NodeEnum::String(s)) => Some(s.sval.clone()),
                _ => None,
            })),
            _ => None,
        })
        .flatten()
        .fold(Vec::new(), |mut unique, column| {
            if !unique.contains(&column) {
                unique.push(column);
            }
            unique
        });
    let mut inverse = Vec::new();
    let mut missing = false;
    for object in &s.objects {
        let Some(node) = &object.node else { continue };
        let restored = match (s.objtype(), node) {
            (ObjectType::ObjectTable | ObjectType::ObjectSequence, NodeEnum::RangeVar(rv)) => {
                relation(facts, &ObjectName::from_range_var(rv), &columns, !s.is_grant)
            }
            (
                ObjectType::ObjectFunction | ObjectType::ObjectProcedure | ObjectType::ObjectRoutine,
                NodeEnum::ObjectWithArgs(f),
            ) => {
                let Some(name) = ObjectName::from_nodes(&f.objname) else { return unknown() };
                let Some(args) = routine_args(f) else { return unknown() };
                let before = facts.routine(At::Before, &name, args.clone(), Lookup::SearchPath);
                let after = facts.routine(At::After, &name, args, Lookup::SearchPath);
                match (before, after) {
                    (Some(Some(b)), Some(Some(a))) => {
                        let keyword = if b.kind == "p" { "PROCEDURE" } else { "FUNCTION" };
                        Some(change(&format!("{keyword} {}", routine_signature(b)), &b.owner, &a.acl, &b.acl, None))
                    }
                    (Some(None), _) => Some(Ok(vec![])),
                    _ => None,
                }
            }
            (ObjectType::ObjectSchema, NodeEnum::String(schema)) => {
                match (facts.schema(At::Before, &schema.sval), facts.schema(At::After, &schema.sval)) {
                    (Some(Some(b)), Some(Some(a))) => {
                        Some(change(&format!("SCHEMA {}", ident(&b.name)), &b.owner, &a.acl, &b.acl, None))
                    }
                    (Some(None), _) => Some(Ok(vec![])),
                    _ => None,
                }
            }
            (ObjectType::ObjectType | ObjectType::ObjectDomain, NodeEnum::List(list)) => {
                let Some(name) = ObjectName::from_nodes(&list.items) else { return unknown() };
                let before = facts.type_(At::Before, &name, Lookup::SearchPath);
                let after = facts.type_(At::After, &name, Lookup::SearchPath);
                match (before, after) {
                    (Some(Some(b)), Some(Some(a))) => {
                        let keyword = if b.kind == "d" { "DOMAIN" } else { "TYPE" };
                        let target = format!("{keyword} {}", ObjectName::qualified(&b.schema, &b.name));
                        Some(change(&target, &b.owner, &a.acl, &b.acl, None))
                    }
                    (Some(None), _) => Some(Ok(vec![])),
                    _ => None,
                }
            }
            _ => return unknown(),
        };
        match restored {
            Some(Ok(statements)) => inverse.extend(statements),
            Some(Err(why)) => {
                return Outcome::blocked(
                    code::PREVIOUS_STATE_UNKNOWN,
                    format!("Cannot auto-generate a safe rollback for {what}: {why}"),
                )
            }
            None => missing = true,
        }
    }
    if missing {
        return unknown();
    }
    Outcome { inverse, ..Default::default() }
}

fn change(
    object: &str,
    owner: &str,
    now: &[Privilege],
    was: &[Privilege],
    column: Option<&str>,
) -> Result<Vec<String>, String> {
    acl_change(&AclTarget { object, column, owner }, now, was)
}

/// A table's (or sequence's, view's) ACL and the ACLs of the columns the statement names; a REVOKE on the
/// whole table also takes the privileges of every column.
fn relation(facts: &Facts, name: &ObjectName, columns: &[String], revoke: bool) -> Option<Result<Vec<String>, String>> {
    let after = facts.relation(At::After, name, Lookup::SearchPath);
    // Which columns to ask about depends only on the state before: asked before the statement runs.
    let Some(b) = facts.relation(At::Before, name, Lookup::SearchPath)? else { return Some(Ok(vec![])) };
    let columns = if columns.is_empty() && revoke { &b.columns_with_privileges[..] } else { columns };
    let column_facts: Vec<_> =
        columns.iter().map(|c| (c, facts.column(At::Before, name, c), facts.column(At::After, name, c))).collect();
    let a = after??;
    let keyword = if b.kind == "S" { "SEQUENCE" } else { "TABLE" };
    let object = format!("{keyword} {}", ObjectName::qualified(&b.schema, &b.name));
    let mut out = match change(&object, &b.owner, &a.acl, &b.acl, None) {
        Ok(out) => out,
        Err(e) => return Some(Err(e)),
    };
    for (column, was, now) in column_facts {
        let (Some(Some(was)), Some(Some(now))) = (was, now) else { return None };
        match change(&object, &b.owner, &now.acl, &was.acl, Some(column)) {
            Ok(statements) => out.extend(statements),
            Err(e) => return Some(Err(e)),
        }
    }
    Some(Ok(out))
}
