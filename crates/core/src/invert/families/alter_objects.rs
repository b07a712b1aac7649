//! ALTER ... OWNER TO of types, domains, routines and schemas; ALTER SEQUENCE; ALTER FUNCTION/PROCEDURE:
//! with the state captured, undone by setting back the owner, the sequence's options and value, or the
//! routine's previous definition.
use crate::ask::facts::Facts;
use crate::ask::state::{At, Lookup, Privilege};
use crate::invert::families::drops::{routine_args, routine_signature};
use crate::invert::outcome::{code, Outcome};
use crate::parse::name::ObjectName;
use crate::render::quote::{ident, literal};
use crate::render::restore;
use pg_query::protobuf::{AlterFunctionStmt, AlterOwnerStmt, AlterSeqStmt, ObjectType};
use pg_query::NodeEnum;

fn unknown(what: &str) -> Outcome {
    Outcome::blocked(
        code::PREVIOUS_STATE_UNKNOWN,
        format!("Cannot auto-generate rollback for {what}: the previous state is not in the migration"),
    )
}

pub fn owner(s: &AlterOwnerStmt, facts: &Facts) -> Outcome {
    let node = s.object.as_ref().and_then(|o| o.node.as_ref());
    // (the object as ALTER names it, its owner and ACL before, its owner after), or None when it did not exist.
    type Owned<'a> = Option<(String, &'a str, &'a [Privilege], &'a str)>;
    let found: Option<Owned> = match (s.object_type(), node) {
        (ObjectType::ObjectType | ObjectType::ObjectDomain, Some(NodeEnum::List(list))) => {
            let Some(name) = ObjectName::from_nodes(&list.items) else { return unknown("ALTER OWNER") };
            match (
                facts.type_(At::Before, &name, Lookup::SearchPath),
                facts.type_(At::After, &name, Lookup::SearchPath),
            ) {
                (Some(Some(t)), Some(Some(now))) => {
                    let keyword = if t.kind == "d" { "DOMAIN" } else { "TYPE" };
                    let object = format!("{keyword} {}", ObjectName::qualified(&t.schema, &t.name));
                    Some(Some((object, &t.owner, &t.acl, &now.owner)))
                }
                (Some(None), _) => Some(None),
                _ => None,
            }
        }
        (
            ObjectType::ObjectFunction | ObjectType::ObjectProcedure | ObjectType::ObjectRoutine,
            Some(NodeEnum::ObjectWithArgs(f)),
        ) => {
            let (Some(name), Some(args)) = (ObjectName::from_nodes(&f.objname), routine_args(f)) else {
                return unknown("ALTER OWNER");
            };
            let before = facts.routine(At::Before, &name, args.clone(), Lookup::SearchPath);
            match (before, facts.routine(At::After, &name, args, Lookup::SearchPath)) {
                (Some(Some(r)), Some(Some(now))) => {
                    let keyword = if r.kind == "p" { "PROCEDURE" } else { "FUNCTION" };
                    Some(Some((format!("{keyword} {}", routine_signature(r)), &r.owner, &r.acl, &now.owner)))
                }
                (Some(None), _) => Some(None),
                _ => None,
            }
        }
        (ObjectType::ObjectSchema, Some(NodeEnum::String(schema))) => {
            match (facts.schema(At::Before, &schema.sval), facts.schema(At::After, &schema.sval)) {
                (Some(Some(s)), Some(Some(now))) => {
                    Some(Some((format!("SCHEMA {}", ident(&s.name)), &s.owner, &s.acl, &now.owner)))
                }
                (Some(None), _) => Some(None),
                _ => None,
            }
        }
        _ => None,
    };
    match found {
        Some(Some((object, owner, acl, new_owner))) => {
            match restore::owner_merged(owner, new_owner, acl.iter().flat_map(|p| [&p.grantee, &p.grantor])) {
                Some(why) => Outcome::blocked(
                    code::PREVIOUS_STATE_UNKNOWN,
                    format!("Cannot auto-generate a safe rollback for ALTER {object} OWNER TO: {why}"),
                ),
                None => Outcome::inverse(format!("ALTER {object} OWNER TO {}", ident(owner))),
            }
        }
        Some(None) => Outcome::nothing_to_undo(),
        None => unknown("ALTER OWNER"),
    }
}

pub fn alter_sequence(s: &AlterSeqStmt, facts: &Facts) -> Outcome {
    let Some(rv) = &s.sequence else { return unknown("ALTER SEQUENCE") };
    let Some(found) = facts.sequence(At::Before, &ObjectName::from_range_var(rv), Lookup::SearchPath) else {
        return unknown("ALTER SEQUENCE");
    };
    let Some(seq) = found else { return Outcome::nothing_to_undo() };
    let name = ObjectName::qualified(&seq.relation.schema, &seq.relation.name);
    let cycle = if seq.cycle { "CYCLE" } else { "NO CYCLE" };
    let mut alter = format!(
        "ALTER SEQUENCE {name} AS {} INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {} CACHE {} {cycle}",
        seq.type_name, seq.increment, seq.min, seq.max, seq.start, seq.cache
    );
    if !seq.identity {
        match &seq.owned_by {
            Some((table, column)) => alter.push_str(&format!(" OWNED BY {table}.{}", ident(column))),
            None => alter.push_str(" OWNED BY NONE"),
        }
    }
    let value = match seq.last_value {
        Some(value) => format!("SELECT pg_catalog.setval({}, {value}, true)", literal(&name.to_string())),
        None => format!(
            "SELECT pg_catalog.setval({}, {}, false)",
            literal(&name.to_string()),
            seq.next_value.unwrap_or(seq.start)
        ),
    };
    Outcome { inverse: vec![alter, value], ..Default::default() }
}

pub fn alter_function(s: &AlterFunctionStmt, facts: &Facts) -> Outcome {
    let what = if s.objtype() == ObjectType::ObjectProcedure { "ALTER PROCEDURE" } else { "ALTER FUNCTION" };
    let Some(f) = &s.func else { return unknown(what) };
    let (Some(name), Some(args)) = (ObjectName::from_nodes(&f.objname), routine_args(f)) else { return unknown(what) };
    match facts.routine(At::Before, &name, args, Lookup::SearchPath) {
        // Its whole previous definition (volatility, security, settings, cost, ...) goes back.
        Some(Some(previous)) => match &previous.definition {
            Some(definition) => Outcome::inverse(definition.trim_end()),
            None => unknown(what),
        },
        Some(None) => Outcome::nothing_to_undo(),
        None => unknown(what),
    }
}
