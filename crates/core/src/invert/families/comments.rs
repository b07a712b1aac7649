//! COMMENT ON any object: undone by the same statement with the comment the object had before (or NULL),
//! which PostgreSQL's own resolver (`pg_get_object_address`) finds.
use crate::ask::facts::Facts;
use crate::invert::outcome::{code, Outcome};
use crate::render::quote;
use crate::ask::state::{At, ObjectAddress};
use pg_query::protobuf::{CommentStmt, ObjectType};
use pg_query::NodeEnum;

pub fn comment(s: &CommentStmt, facts: &Facts) -> Outcome {
    let unknown = || {
        Outcome::blocked(
            code::PREVIOUS_STATE_UNKNOWN,
            "Cannot auto-generate rollback for COMMENT: the previous state is not in the migration",
        )
    };
    let Some(address) = address(s) else { return unknown() };
    let previous = match facts.object(At::Before, &address) {
        Some(Some(object)) => object.comment.clone(),
        _ => return unknown(),
    };
    if previous.as_deref() == non_empty(&s.comment) {
        return Outcome::unchanged("the comment was already this one");
    }
    // The statement itself, deparsed with the previous comment: it names the object exactly as the migration did.
    let mut inverse = s.clone();
    inverse.comment = previous.unwrap_or_default();
    match NodeEnum::CommentStmt(Box::new(inverse)).deparse(Default::default()) {
        Ok(sql) => Outcome::inverse(sql),
        Err(_) => unknown(),
    }
}

/// An empty comment removes it, like NULL.
fn non_empty(comment: &str) -> Option<&str> {
    (!comment.is_empty()).then_some(comment)
}

/// The object's address as `pg_get_object_address(type, names, args)` takes it.
pub fn address(s: &CommentStmt) -> Option<ObjectAddress> {
    object_address(s.objtype(), s.object.as_ref()?.node.as_ref()?)
}

pub fn object_address(kind: ObjectType, object: &NodeEnum) -> Option<ObjectAddress> {
    let strings = |parts: Vec<&str>| parts.into_iter().map(str::to_owned).collect::<Vec<_>>();
    let list = |node: &NodeEnum| match node {
        NodeEnum::List(l) => quote::name_parts(&l.items).map(strings),
        NodeEnum::String(s) => Some(vec![s.sval.clone()]),
        _ => None,
    };
    let (kind, names, args) = match kind {
        ObjectType::ObjectTable
        | ObjectType::ObjectView
        | ObjectType::ObjectMatview
        | ObjectType::ObjectIndex
        | ObjectType::ObjectSequence
        | ObjectType::ObjectForeignTable
        | ObjectType::ObjectColumn
        | ObjectType::ObjectTrigger
        | ObjectType::ObjectPolicy
        | ObjectType::ObjectRule
        | ObjectType::ObjectTabconstraint
        | ObjectType::ObjectCollation
        | ObjectType::ObjectStatisticExt
        | ObjectType::ObjectConversion
        | ObjectType::ObjectTsconfiguration
        | ObjectType::ObjectTsdictionary
        | ObjectType::ObjectTsparser
        | ObjectType::ObjectTstemplate
        | ObjectType::ObjectSchema
        | ObjectType::ObjectExtension
        | ObjectType::ObjectRole
        | ObjectType::ObjectDatabase
        | ObjectType::ObjectLanguage
        | ObjectType::ObjectEventTrigger
        | ObjectType::ObjectPublication
        | ObjectType::ObjectSubscription
        | ObjectType::ObjectForeignServer
        | ObjectType::ObjectFdw
        | ObjectType::ObjectAccessMethod
        | ObjectType::ObjectTablespace => (address_kind(kind)?, list(object)?, vec![]),
        ObjectType::ObjectType | ObjectType::ObjectDomain => match object {
            NodeEnum::TypeName(t) => (address_kind(kind)?, vec![quote::type_name(t)?], vec![]),
            _ => return None,
        },
        ObjectType::ObjectFunction
        | ObjectType::ObjectProcedure
        | ObjectType::ObjectRoutine
        | ObjectType::ObjectAggregate => match object {
            NodeEnum::ObjectWithArgs(f) => {
                let args = crate::invert::families::drops::routine_args(f)?.unwrap_or_default();
                (address_kind(kind)?, strings(quote::name_parts(&f.objname)?), args)
            }
            _ => return None,
        },
        ObjectType::ObjectDomconstraint => match object {
            NodeEnum::List(l) => match l.items.iter().map(|n| n.node.as_ref()).collect::<Vec<_>>()[..] {
                [Some(NodeEnum::TypeName(t)), Some(NodeEnum::String(name))] => {
                    ("domain constraint", vec![quote::type_name(t)?], vec![name.sval.clone()])
                }
                _ => return None,
            },
            _ => return None,
        },
        _ => return None,
    };
    Some(ObjectAddress { kind: kind.to_owned(), names, args })
}

/// The type names `pg_get_object_address` knows (those of `pg_identify_object_as_address`).
fn address_kind(kind: ObjectType) -> Option<&'static str> {
    Some(match kind {
        ObjectType::ObjectTable => "table",
        ObjectType::ObjectView => "view",
        ObjectType::ObjectMatview => "materialized view",
        ObjectType::ObjectIndex => "index",
        ObjectType::ObjectSequence => "sequence",
        ObjectType::ObjectForeignTable => "foreign table",
        ObjectType::ObjectColumn => "table column",
        ObjectType::ObjectTrigger => "trigger",
        ObjectType::ObjectPolicy => "policy",
        ObjectType::ObjectRule => "rule",
        ObjectType::ObjectTabconstraint => "table constraint",
        ObjectType::ObjectCollation => "collation",
        ObjectType::ObjectStatisticExt => "statistics object",
        ObjectType::ObjectConversion => "conversion",
        ObjectType::ObjectTsconfiguration => "text search configuration",
        ObjectType::ObjectTsdictionary => "text search dictionary",
        ObjectType::ObjectTsparser => "text search parser",
        ObjectType::ObjectTstemplate => "text search template",
        ObjectType::ObjectSchema => "schema",
        ObjectType::ObjectExtension => "extension",
        ObjectType::ObjectRole => "role",
        ObjectType::ObjectDatabase => "database",
        ObjectType::ObjectLanguage => "language",
        ObjectType::ObjectEventTrigger => "event trigger",
        ObjectType::ObjectPublication => "publication",
        ObjectType::ObjectSubscription => "subscription",
        ObjectType::ObjectForeignServer => "server",
        ObjectType::ObjectFdw => "foreign-data wrapper",
        ObjectType::ObjectAccessMethod => "access method",
        ObjectType::ObjectTablespace => "tablespace",
        ObjectType::ObjectType => "type",
        ObjectType::ObjectDomain => "domain",
        ObjectType::ObjectFunction => "function",
        ObjectType::ObjectProcedure => "procedure",
        ObjectType::ObjectRoutine => "routine",
        ObjectType::ObjectAggregate => "aggregate",
        _ => return None,
    })
}
