//! COMMENT ON any object: undone by the same statement with the comment the object had before (or NULL),
//! which PostgreSQL's own resolver (`pg_get_object_address`) finds.
use crate::ask::facts::Facts;
use crate::ask::state::{At, ObjectAddress};
use crate::invert::outcome::{code, Outcome};
use crate::render::quote;
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
        | ObjectType::ObjectTablespace => (address_kind(kind)?, list(object)?, Some(vec![])),
        ObjectType::ObjectType | ObjectType::ObjectDomain => match object {
            NodeEnum::TypeName(t) => (address_kind(kind)?, vec![quote::type_name(t)?], Some(vec![])),
            _ => return None,
        },
        ObjectType::ObjectFunction
        | ObjectType::ObjectProcedure
        | ObjectType::ObjectRoutine
        | ObjectType::ObjectAggregate => match object {
            NodeEnum::ObjectWithArgs(f) => {
                let args = crate::invert::families::drops::routine_args(f)?;
                (address_kind(kind)?, strings(quote::name_parts(&f.objname)?), args)
            }
            _ => return None,
        },
        ObjectType::ObjectDomconstraint => match object {
            NodeEnum::List(l) => match l.items.iter().map(|n| n.node.as_ref()).collect::<Vec<_>>()[..] {
                [Some(NodeEnum::TypeName(t)), Some(NodeEnum::String(name))] => {
                    ("domain constraint", vec![quote::type_name(t)?], Some(vec![name.sval.clone()]))
                }
                _ => return None,
            },
            _ => return None,
        },
        ObjectType::ObjectOperator => match object {
            // A prefix operator's missing left type has no node: not handled.
            NodeEnum::ObjectWithArgs(o) => {
                let args = crate::invert::families::drops::routine_args(o)??;
                ("operator", strings(quote::name_parts(&o.objname)?), Some(args))
            }
            _ => return None,
        },
        // `[am, schema, name]`: the access method first, as the address takes it too.
        ObjectType::ObjectOpclass | ObjectType::ObjectOpfamily => match object {
            NodeEnum::List(l) => {
                let kind = if kind == ObjectType::ObjectOpclass { "operator class" } else { "operator family" };
                (kind, strings(quote::name_parts(&l.items)?), Some(vec![]))
            }
            _ => return None,
        },
        ObjectType::ObjectCast => match object {
            NodeEnum::List(l) => match l.items.iter().map(|n| n.node.as_ref()).collect::<Vec<_>>()[..] {
                [Some(NodeEnum::TypeName(source)), Some(NodeEnum::TypeName(target))] => {
                    ("cast", vec![quote::type_name(source)?], Some(vec![quote::type_name(target)?]))
                }
                _ => return None,
            },
            _ => return None,
        },
        ObjectType::ObjectTransform => match object {
            NodeEnum::List(l) => match l.items.iter().map(|n| n.node.as_ref()).collect::<Vec<_>>()[..] {
                [Some(NodeEnum::TypeName(t)), Some(NodeEnum::String(language))] => {
                    ("transform", vec![quote::type_name(t)?], Some(vec![language.sval.clone()]))
                }
                _ => return None,
            },
            _ => return None,
        },
        ObjectType::ObjectLargeobject => match object {
            NodeEnum::Integer(i) => ("large object", vec![i.ival.to_string()], Some(vec![])),
            NodeEnum::Float(f) => ("large object", vec![f.fval.clone()], Some(vec![])),
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
        // pg_get_object_address knows domains as types.
        ObjectType::ObjectDomain => "type",
        ObjectType::ObjectFunction => "function",
        ObjectType::ObjectProcedure => "procedure",
        // A routine that is a procedure is not found as a function: the capture fails, and the statement is unsafe.
        ObjectType::ObjectRoutine => "function",
        ObjectType::ObjectAggregate => "aggregate",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address_of(sql: &str) -> Option<ObjectAddress> {
        let parsed = pg_query::parse(sql, 0).unwrap();
        let node = parsed.protobuf.stmts[0].stmt.as_ref()?.node.as_ref()?;
        match node {
            NodeEnum::CommentStmt(s) => address(s),
            _ => None,
        }
    }

    fn addr(kind: &str, names: &[&str], args: &[&str]) -> Option<ObjectAddress> {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Some(ObjectAddress { kind: kind.into(), names: strings(names), args: Some(strings(args)) })
    }

    #[test]
    fn addresses_of_operators_casts_and_large_objects() {
        assert_eq!(
            address_of("COMMENT ON OPERATOR CLASS s.\"C\" USING hash IS 'x'"),
            addr("operator class", &["hash", "s", "C"], &[])
        );
        assert_eq!(
            address_of("COMMENT ON OPERATOR FAMILY f USING btree IS 'x'"),
            addr("operator family", &["btree", "f"], &[])
        );
        assert_eq!(address_of("COMMENT ON LARGE OBJECT 42 IS 'x'"), addr("large object", &["42"], &[]));
        assert_eq!(address_of("COMMENT ON DOMAIN s.d IS 'x'"), addr("type", &["s.d"], &[]));
        assert!(address_of("COMMENT ON CAST (int AS text) IS 'x'").is_some());
        assert!(address_of("COMMENT ON OPERATOR + (int, int) IS 'x'").is_some());
    }
}
