//! Names that may resolve to the temporary schema (`pg_temp`). A temporary object ends with the migration's
//! session: a statement on one needs no rollback, and the rollback, which runs in another session, must never
//! touch the permanent object the same name finds there. With the database, where a name resolved (or where a
//! new object landed) says it; from the SQL alone, a name is temporary only when the SQL shows it for sure,
//! and a statement whose names may or may not be temporary is refused.
use crate::ask::facts::Facts;
use crate::ask::state::{At, Lookup, ObjectKind};
use crate::invert::context::Context;
use crate::parse::name::ObjectName;
use crate::render::quote;
use pg_query::protobuf::{self, DiscardMode, GrantTargetType, ObjectType, RangeVar};
use pg_query::NodeEnum;

/// `pg_temp` (the session's temporary schema, as written) or `pg_temp_N` (as the catalog names it).
pub fn is_temporary_schema(schema: &str) -> bool {
    schema == "pg_temp" || schema.strip_prefix("pg_temp_").is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether a `search_path` value names the temporary schema (then unqualified CREATEs may land there and
/// the order in which names are looked up is the path's).
pub fn path_names_temporary(path: &str) -> bool {
    path.to_ascii_lowercase().contains("pg_temp")
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Resolution {
    /// Every name the statement resolves denotes a temporary object.
    Temporary,
    /// None does (or the statement names no existing object).
    Permanent,
    /// Cannot tell, or some do and some do not.
    Unknown,
}

/// Where the names of existing objects a statement acts on resolve.
pub fn classify(node: &NodeEnum, ctx: &Context, facts: &Facts) -> Resolution {
    let targets = targets(node);
    if targets.is_empty() {
        return Resolution::Permanent;
    }
    let resolutions: Vec<Resolution> = targets.iter().map(|(kind, name)| resolve(kind, name, ctx, facts)).collect();
    if resolutions.iter().all(|r| *r == Resolution::Temporary) {
        Resolution::Temporary
    } else if resolutions.iter().all(|r| *r == Resolution::Permanent) {
        Resolution::Permanent
    } else {
        Resolution::Unknown
    }
}

fn resolve(kind: &ObjectKind, name: &ObjectName, ctx: &Context, facts: &Facts) -> Resolution {
    if let Some(schema) = &name.schema {
        return if is_temporary_schema(schema) { Resolution::Temporary } else { Resolution::Permanent };
    }
    // An unqualified function name never finds one in pg_temp; nothing temporary was made or searched.
    if matches!(kind, ObjectKind::Routine(_)) || !ctx.temporary_seen {
        return Resolution::Permanent;
    }
    if facts.capturing() {
        match facts.locate(At::Before, kind.clone(), name, Lookup::SearchPath) {
            Some(Some(found)) if is_temporary_schema(&found.schema) => return Resolution::Temporary,
            Some(_) => return Resolution::Permanent,
            None => {}
        }
    }
    if ctx.is_temporary(&name.name) {
        // pg_temp is searched first unless the path lists it later.
        if ctx.temporary_path {
            Resolution::Unknown
        } else {
            Resolution::Temporary
        }
    } else if ctx.maybe_temporary(&name.name) {
        Resolution::Unknown
    } else {
        Resolution::Permanent
    }
}

/// Where an object a statement created landed: in a temporary schema or not (`Unknown`: the SQL cannot say).
pub fn created(kind: ObjectKind, written: &ObjectName, ctx: &Context, facts: &Facts) -> Resolution {
    if let Some(schema) = &written.schema {
        return if is_temporary_schema(schema) { Resolution::Temporary } else { Resolution::Permanent };
    }
    if !ctx.temporary_seen {
        return Resolution::Permanent;
    }
    if facts.capturing() {
        // A temporary object of that name that was not there before: this statement made it.
        let in_temporary = written.in_schema("pg_temp");
        let before = facts.locate(At::Before, kind.clone(), &in_temporary, Lookup::SearchPath);
        let after = facts.locate(At::After, kind, &in_temporary, Lookup::SearchPath);
        match (before, after) {
            (Some(None), Some(Some(_))) => return Resolution::Temporary,
            (Some(_), Some(_)) => return Resolution::Permanent,
            _ => {}
        }
    }
    if ctx.temporary_path {
        Resolution::Unknown
    } else {
        Resolution::Permanent
    }
}

/// What a statement on temporary objects changes in what names denote afterwards.
pub fn follow(node: &NodeEnum, ctx: &mut Context) {
    match node {
        NodeEnum::RenameStmt(s) if s.relation.is_some() && relation_renamed(s.rename_type()) => {
            if let Some(rv) = &s.relation {
                ctx.forget_temporary(&rv.relname);
                ctx.record_temporary(&s.newname);
            }
        }
        NodeEnum::RenameStmt(s) if matches!(s.rename_type(), ObjectType::ObjectType | ObjectType::ObjectDomain) => {
            if let Some(old) = list_name(s.object.as_deref()) {
                ctx.forget_temporary(&old.name);
                ctx.record_temporary(&s.newname);
            }
        }
        NodeEnum::DropStmt(_) => {
            for (_, name) in targets(node) {
                ctx.forget_temporary(&name.name);
            }
        }
        NodeEnum::IndexStmt(s) if !s.idxname.is_empty() => ctx.record_temporary(&s.idxname),
        _ => {}
    }
}

/// `DISCARD TEMP` / `DISCARD ALL` drop every temporary object of the session.
pub fn discards(node: &NodeEnum) -> bool {
    matches!(node, NodeEnum::DiscardStmt(s) if matches!(s.target(), DiscardMode::DiscardTemp | DiscardMode::DiscardAll))
}

fn relation_renamed(kind: ObjectType) -> bool {
    matches!(
        kind,
        ObjectType::ObjectTable
            | ObjectType::ObjectView
            | ObjectType::ObjectMatview
            | ObjectType::ObjectIndex
            | ObjectType::ObjectSequence
            | ObjectType::ObjectForeignTable
    )
}

fn relation(rv: &RangeVar) -> (ObjectKind, ObjectName) {
    (ObjectKind::Relation, ObjectName::from_range_var(rv))
}

fn list_name(node: Option<&protobuf::Node>) -> Option<ObjectName> {
    match node?.node.as_ref()? {
        NodeEnum::List(list) => ObjectName::from_nodes(&list.items),
        NodeEnum::TypeName(t) => ObjectName::from_nodes(&t.names),
        NodeEnum::String(s) => Some(ObjectName::unqualified(&s.sval)),
        _ => None,
    }
}

/// The table of `[schema.]table.member` (a column, trigger, policy, rule or constraint).
fn owner_of_member(node: Option<&protobuf::Node>) -> Option<ObjectName> {
    let Some(NodeEnum::List(list)) = node?.node.as_ref() else { return None };
    let parts = quote::name_parts(&list.items)?;
    let (_, table) = parts.split_last()?;
    ObjectName::from_parts(table)
}

fn routine(node: Option<&protobuf::Node>) -> Option<ObjectName> {
    match node?.node.as_ref()? {
        NodeEnum::ObjectWithArgs(f) => ObjectName::from_nodes(&f.objname),
        _ => None,
    }
}

/// Kind of object a statement on `objtype` names by `object`.
fn object_target(objtype: ObjectType, object: Option<&protobuf::Node>) -> Option<(ObjectKind, ObjectName)> {
    match objtype {
        ObjectType::ObjectTable
        | ObjectType::ObjectView
        | ObjectType::ObjectMatview
        | ObjectType::ObjectSequence
        | ObjectType::ObjectIndex
        | ObjectType::ObjectForeignTable => Some((ObjectKind::Relation, list_name(object)?)),
        ObjectType::ObjectColumn
        | ObjectType::ObjectTrigger
        | ObjectType::ObjectPolicy
        | ObjectType::ObjectRule
        | ObjectType::ObjectTabconstraint => Some((ObjectKind::Relation, owner_of_member(object)?)),
        ObjectType::ObjectType | ObjectType::ObjectDomain => Some((ObjectKind::Type, list_name(object)?)),
        ObjectType::ObjectFunction
        | ObjectType::ObjectProcedure
        | ObjectType::ObjectRoutine
        | ObjectType::ObjectAggregate => Some((ObjectKind::Routine(None), routine(object)?)),
        _ => None,
    }
}

/// The existing objects a statement resolves by name (relations, types, routines).
fn targets(node: &NodeEnum) -> Vec<(ObjectKind, ObjectName)> {
    let mut out = Vec::new();
    let mut rv = |r: &Option<RangeVar>| {
        if let Some(r) = r {
            out.push(relation(r));
        }
    };
    match node {
        NodeEnum::AlterTableStmt(s) => {
            if s.objtype() == ObjectType::ObjectType {
                if let Some(r) = &s.relation {
                    out.push((ObjectKind::Type, ObjectName::from_range_var(r)));
                }
            } else {
                rv(&s.relation);
            }
        }
        NodeEnum::RenameStmt(s) => match (&s.relation, s.rename_type()) {
            (Some(r), ObjectType::ObjectAttribute) => out.push((ObjectKind::Type, ObjectName::from_range_var(r))),
            (Some(_), _) => rv(&s.relation),
            (None, kind) => out.extend(object_target(kind, s.object.as_deref())),
        },
        NodeEnum::AlterObjectSchemaStmt(s) => match &s.relation {
            Some(_) => rv(&s.relation),
            None => out.extend(object_target(s.object_type(), s.object.as_deref())),
        },
        NodeEnum::IndexStmt(s) => rv(&s.relation),
        NodeEnum::CreateTrigStmt(s) => rv(&s.relation),
        NodeEnum::RuleStmt(s) => rv(&s.relation),
        NodeEnum::CreatePolicyStmt(s) => rv(&s.table),
        NodeEnum::AlterPolicyStmt(s) => rv(&s.table),
        NodeEnum::InsertStmt(s) => rv(&s.relation),
        NodeEnum::UpdateStmt(s) => rv(&s.relation),
        NodeEnum::DeleteStmt(s) => rv(&s.relation),
        NodeEnum::AlterSeqStmt(s) => rv(&s.sequence),
        NodeEnum::AlterOwnerStmt(s) if s.relation.is_some() => rv(&s.relation),
        NodeEnum::AlterOwnerStmt(s) => out.extend(object_target(s.object_type(), s.object.as_deref())),
        NodeEnum::TruncateStmt(s) => out.extend(s.relations.iter().filter_map(|n| match &n.node {
            Some(NodeEnum::RangeVar(r)) => Some(relation(r)),
            _ => None,
        })),
        NodeEnum::CreateStatsStmt(s) => out.extend(s.relations.iter().filter_map(|n| match &n.node {
            Some(NodeEnum::RangeVar(r)) => Some(relation(r)),
            _ => None,
        })),
        NodeEnum::CommentStmt(s) => out.extend(object_target(s.objtype(), s.object.as_deref())),
        NodeEnum::GrantStmt(s) if s.targtype() == GrantTargetType::AclTargetObject => {
            for object in &s.objects {
                match &object.node {
                    Some(NodeEnum::RangeVar(r)) => out.push(relation(r)),
                    Some(NodeEnum::ObjectWithArgs(f)) => {
                        out.extend(ObjectName::from_nodes(&f.objname).map(|n| (ObjectKind::Routine(None), n)))
                    }
                    _ => out.extend(object_target(s.objtype(), Some(object))),
                }
            }
        }
        NodeEnum::DropStmt(s) => {
            for object in &s.objects {
                out.extend(object_target(s.remove_type(), Some(object)));
            }
        }
        NodeEnum::AlterEnumStmt(s) => out.extend(ObjectName::from_nodes(&s.type_name).map(|n| (ObjectKind::Type, n))),
        NodeEnum::AlterDomainStmt(s) => out.extend(ObjectName::from_nodes(&s.type_name).map(|n| (ObjectKind::Type, n))),
        NodeEnum::AlterFunctionStmt(s) => {
            if let Some(f) = &s.func {
                out.extend(ObjectName::from_nodes(&f.objname).map(|n| (ObjectKind::Routine(None), n)));
            }
        }
        _ => {}
    }
    out
}

/// A statement that may change `search_path` in a way its SQL does not show (`set_config` in a query or a
/// procedural block).
pub fn may_set_search_path(node: &NodeEnum) -> bool {
    // Only statements that call functions as their point; rows written by INSERT are not searched.
    let calls = matches!(node, NodeEnum::SelectStmt(s) if s.values_lists.is_empty())
        || matches!(node, NodeEnum::DoStmt(_) | NodeEnum::CallStmt(_));
    calls && format!("{node:?}").to_ascii_lowercase().contains("search_path")
}

/// The temporary object a statement mentions, if any. A permanent object that uses one (a column or function
/// argument of a temporary type, a default on a temporary sequence, a view on a temporary table) is dropped
/// with it, by PostgreSQL, when the migration's session ends; and in the rollback's session the name finds
/// another object (`DROP FUNCTION f(e)` would drop the permanent `f(e)`).
pub fn mentioned(node: &NodeEnum, ctx: &Context) -> Option<String> {
    if !ctx.temporary_seen || matches!(node, NodeEnum::VariableSetStmt(_)) {
        return None;
    }
    let text = format!("{node:?}");
    // A relation the statement acts on or creates is not a use (where it resolves was judged already).
    let used = |name: &String| {
        let quoted = format!("{name:?}");
        text.matches(&quoted).count() > text.matches(&format!("relname: {quoted}")).count()
    };
    std::iter::once(&"pg_temp".to_owned()).chain(ctx.temporary_names()).find(|name| used(name)).cloned()
}
