//! Renames (relations, columns, constraints, schemas, types, attributes, triggers, policies, routines)
//! and SET SCHEMA: undone by the opposite rename, naming the object where it now lives.
use crate::ask::facts::Facts;
use crate::ask::state::{At, Lookup, ObjectKind};
use crate::invert::context::Context;
use crate::invert::families::object_keyword;
use crate::invert::families::{catalog_names, placement};
use crate::invert::outcome::{code, Outcome};
use crate::parse::name::ObjectName;
use crate::render::quote::{self, ident};
use pg_query::protobuf::{AlterObjectSchemaStmt, DropBehavior, ObjectType, ObjectWithArgs, RenameStmt};
use pg_query::NodeEnum;

pub fn rename(s: &RenameStmt, ctx: &mut Context, facts: &Facts) -> Outcome {
    if s.missing_ok {
        // Whether the object existed, from the database: a rename of nothing has nothing to undo.
        let existed = match (&s.relation, s.rename_type()) {
            (Some(rv), ObjectType::ObjectColumn) => {
                facts.column(At::Before, &ObjectName::from_range_var(rv), &s.subname).map(|c| c.is_some())
            }
            (Some(rv), _) => facts
                .locate(At::Before, ObjectKind::Relation, &ObjectName::from_range_var(rv), Lookup::SearchPath)
                .map(|r| r.is_some()),
            _ => None,
        };
        match existed {
            Some(false) => return Outcome::unchanged("it did not exist"),
            Some(true) => {}
            None => {
                return Outcome::blocked(
                    code::IF_EXISTS,
                    "Cannot auto-generate rollback for a rename with IF EXISTS: the object may not have existed, and renaming back could touch another object",
                )
            }
        }
    }
    let new = ident(&s.newname);
    let unsupported = || {
        Outcome::blocked(
            code::UNSUPPORTED_STATEMENT,
            format!("Cannot auto-generate rollback for renaming a {}", object_keyword(s.rename_type())),
        )
    };
    match s.rename_type() {
        ObjectType::ObjectTable
        | ObjectType::ObjectView
        | ObjectType::ObjectMatview
        | ObjectType::ObjectIndex
        | ObjectType::ObjectSequence
        | ObjectType::ObjectForeignTable => {
            let Some(rv) = &s.relation else { return unsupported() };
            let old = ObjectName::from_range_var(rv);
            let renamed = placement::renamed(facts, &old, &old.sibling(&s.newname));
            if catalog_names::relation(&renamed) {
                return catalog_names::blocked(&format!("renaming {old} to {}", ident(&s.newname)));
            }
            ctx.rename_relation(rv, Some(&s.newname));
            Outcome::inverse(format!(
                "ALTER {} {renamed} RENAME TO {}",
                object_keyword(s.rename_type()),
                ident(&rv.relname)
            ))
        }
        ObjectType::ObjectColumn | ObjectType::ObjectAttribute | ObjectType::ObjectTabconstraint => {
            let Some(rv) = &s.relation else { return unsupported() };
            let (keyword, what) = match s.rename_type() {
                ObjectType::ObjectAttribute => ("TYPE", "ATTRIBUTE"),
                ObjectType::ObjectTabconstraint => ("TABLE", "CONSTRAINT"),
                _ => (object_keyword(s.relation_type()), "COLUMN"),
            };
            if s.rename_type() == ObjectType::ObjectColumn {
                ctx.rename_column(rv, &s.subname, Some(&s.newname));
            }
            let target = if keyword == "TABLE" { quote::relation_with_only(rv) } else { quote::relation(rv) };
            // RENAME ATTRIBUTE ... CASCADE also renamed it in typed tables.
            let cascade = if s.behavior() == DropBehavior::DropCascade { " CASCADE" } else { "" };
            Outcome::inverse(format!("ALTER {keyword} {target} RENAME {what} {new} TO {}{cascade}", ident(&s.subname)))
        }
        ObjectType::ObjectTrigger | ObjectType::ObjectPolicy => {
            let Some(rv) = &s.relation else { return unsupported() };
            Outcome::inverse(format!(
                "ALTER {} {new} ON {} RENAME TO {}",
                object_keyword(s.rename_type()),
                quote::relation(rv),
                ident(&s.subname)
            ))
        }
        ObjectType::ObjectSchema => {
            ctx.forget_everything();
            Outcome::inverse(format!("ALTER SCHEMA {new} RENAME TO {}", ident(&s.subname)))
        }
        ObjectType::ObjectType | ObjectType::ObjectDomain => {
            let Some(parts) = object_name_parts(s.object.as_deref()) else { return unsupported() };
            let (old, schema) = parts.split_last().expect("a type name has at least one part");
            let mut renamed: Vec<&str> = schema.to_vec();
            renamed.push(&s.newname);
            let written = ObjectName::from_parts(&renamed).expect("a type name has at least one part");
            let Some(old_name) = ObjectName::from_parts(&parts) else { return unsupported() };
            // Named in the schema where it is: pg_catalog, searched first, may have a type of the new name.
            let renamed = match facts.locate(At::Before, ObjectKind::Type, &old_name, Lookup::SearchPath) {
                Some(Some(found)) if !written.is_qualified() => written.in_schema(&found.schema),
                _ => written.clone(),
            };
            if catalog_names::type_(&renamed) {
                return catalog_names::blocked(&format!("renaming {old_name} to {}", ident(&s.newname)));
            }
            ctx.rename(&old_name, Some(written));
            Outcome::inverse(format!("ALTER {} {renamed} RENAME TO {}", object_keyword(s.rename_type()), ident(old)))
        }
        ObjectType::ObjectFunction | ObjectType::ObjectProcedure | ObjectType::ObjectRoutine => {
            let Some(NodeEnum::ObjectWithArgs(f)) = s.object.as_ref().and_then(|o| o.node.as_ref()) else {
                return unsupported();
            };
            let Some((old_name, args)) = routine_name(f) else { return unsupported() };
            // Named in the schema where it is: pg_catalog, searched first, may have a function of the new name.
            let schema = match facts.locate(At::Before, ObjectKind::Routine(args), &old_name, Lookup::SearchPath) {
                Some(Some(found)) if !old_name.is_qualified() => Some(found.schema.clone()),
                _ => old_name.schema.clone(),
            };
            let new_name = ObjectName::new(schema.as_deref(), &s.newname);
            if catalog_names::routine(&new_name) {
                return catalog_names::blocked(&format!("renaming {old_name} to {}", ident(&s.newname)));
            }
            let Some((renamed, old)) = renamed_routine(f, &new_name) else { return unsupported() };
            Outcome::inverse(format!("ALTER {} {renamed} RENAME TO {}", object_keyword(s.rename_type()), ident(&old)))
        }
        _ => unsupported(),
    }
}

fn object_name_parts(node: Option<&pg_query::protobuf::Node>) -> Option<Vec<&str>> {
    match node?.node.as_ref()? {
        NodeEnum::List(list) => quote::name_parts(&list.items).filter(|p| !p.is_empty()),
        _ => None,
    }
}

/// A routine's name as written, and its argument types as the lookups take them (`None`: not written).
fn routine_name(f: &ObjectWithArgs) -> Option<(ObjectName, Option<Vec<String>>)> {
    let name = ObjectName::from_nodes(&f.objname)?;
    if f.args_unspecified {
        return Some((name, None));
    }
    let args: Option<Vec<String>> = f
        .objargs
        .iter()
        .map(|a| match &a.node {
            Some(NodeEnum::TypeName(t)) => quote::type_name(t),
            _ => None,
        })
        .collect();
    Some((name, Some(args?)))
}

/// The routine under its new name with the migration's argument list, and its old name.
fn renamed_routine(f: &ObjectWithArgs, new_name: &ObjectName) -> Option<(String, String)> {
    let parts = quote::name_parts(&f.objname)?;
    let (old, _) = parts.split_last()?;
    let mut out = new_name.to_string();
    if let (_, Some(args)) = routine_name(f)? {
        out.push_str(&format!("({})", args.join(", ")));
    }
    Some((out, old.to_string()))
}

/// `ALTER TABLE s.t SET SCHEMA s2` -> `ALTER TABLE s2.t SET SCHEMA s`; without the original schema in the
/// migration there is nowhere known to move it back to.
pub fn set_schema(s: &AlterObjectSchemaStmt, ctx: &mut Context, facts: &Facts) -> Outcome {
    let keyword = object_keyword(s.object_type());
    let unknown = || {
        Outcome::blocked(
            code::PREVIOUS_STATE_UNKNOWN,
            format!("Cannot auto-generate rollback for ALTER {keyword} ... SET SCHEMA without the original schema named in the migration"),
        )
    };
    let relation = s.relation.as_ref().map(ObjectName::from_range_var);
    // Where it was, from the database (when the migration did not say).
    let was = relation.as_ref().map(|r| facts.locate(At::Before, ObjectKind::Relation, r, Lookup::SearchPath));
    if s.missing_ok {
        match &was {
            Some(Some(None)) => return Outcome::unchanged("it did not exist"),
            Some(Some(Some(_))) => {}
            _ => {
                return Outcome::blocked(
                    code::IF_EXISTS,
                    format!("Cannot auto-generate rollback for ALTER {keyword} IF EXISTS ... SET SCHEMA: the object may not have existed"),
                )
            }
        }
    }
    match s.object_type() {
        ObjectType::ObjectTable
        | ObjectType::ObjectView
        | ObjectType::ObjectMatview
        | ObjectType::ObjectSequence
        | ObjectType::ObjectForeignTable => {
            let Some(rv) = &s.relation else { return unknown() };
            let old_schema = match (&was, rv.schemaname.is_empty()) {
                (_, false) => rv.schemaname.clone(),
                (Some(Some(Some(r))), true) => r.schema.clone(),
                _ => return unknown(),
            };
            ctx.rename_relation(rv, None);
            Outcome::inverse(format!(
                "ALTER {keyword} {} SET SCHEMA {}",
                quote::qualified(&[&s.newschema, &rv.relname]),
                ident(&old_schema)
            ))
        }
        ObjectType::ObjectType | ObjectType::ObjectDomain => {
            let Some(parts) = object_name_parts(s.object.as_deref()) else { return unknown() };
            let Some(old) = ObjectName::from_parts(&parts) else { return unknown() };
            let schema = match &old.schema {
                Some(schema) => schema.clone(),
                None => match facts.type_(At::Before, &old, Lookup::SearchPath) {
                    Some(Some(t)) => t.schema.clone(),
                    _ => return unknown(),
                },
            };
            ctx.rename(&old, None);
            Outcome::inverse(format!(
                "ALTER {keyword} {} SET SCHEMA {}",
                quote::qualified(&[&s.newschema, &old.name]),
                ident(&schema)
            ))
        }
        _ => unknown(),
    }
}
