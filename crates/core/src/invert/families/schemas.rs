//! CREATE SCHEMA and CREATE EXTENSION.
use crate::ask::facts::Facts;
use crate::ask::state::At;
use crate::invert::outcome::{code, Outcome};
use crate::render::quote::ident;
use pg_query::protobuf::{CreateExtensionStmt, CreateSchemaStmt, RoleSpecType};
use pg_query::NodeEnum;

pub fn create_schema(s: &CreateSchemaStmt, facts: &Facts) -> Outcome {
    let name = if !s.schemaname.is_empty() {
        s.schemaname.as_str()
    } else {
        match &s.authrole {
            Some(role) if role.roletype() == RoleSpecType::RolespecCstring => role.rolename.as_str(),
            _ => {
                return Outcome::blocked(
                    code::UNNAMED_OBJECT,
                    "Cannot auto-generate rollback for CREATE SCHEMA AUTHORIZATION CURRENT_USER: the schema is named after the role running the migration",
                )
            }
        }
    };
    if s.if_not_exists {
        match facts.schema(At::Before, name) {
            Some(Some(_)) => return Outcome::unchanged("it existed already"),
            Some(None) => {}
            None => {
                return Outcome::blocked(
                    code::IF_NOT_EXISTS,
                    format!("Cannot auto-generate rollback for CREATE SCHEMA IF NOT EXISTS: {} may have existed before the migration", ident(name)),
                )
            }
        }
    }
    if !s.schema_elts.is_empty() {
        return Outcome::blocked(
            code::UNSUPPORTED_STATEMENT,
            "Cannot auto-generate rollback for CREATE SCHEMA with embedded CREATE statements: write them as separate statements",
        );
    }
    Outcome::inverse(format!("DROP SCHEMA {}", ident(name)))
}

pub fn create_extension(s: &CreateExtensionStmt, facts: &Facts) -> Outcome {
    let name = ident(&s.extname);
    if s.if_not_exists {
        match facts.extension(At::Before, &s.extname) {
            Some(Some(_)) => return Outcome::unchanged("it existed already"),
            Some(None) => {}
            None => {
                return Outcome::blocked(
                    code::IF_NOT_EXISTS,
                    format!("Cannot auto-generate rollback for CREATE EXTENSION IF NOT EXISTS: {name} may have been installed before the migration"),
                )
            }
        }
    }
    let cascade = s.options.iter().any(|o| matches!(&o.node, Some(NodeEnum::DefElem(d)) if d.defname == "cascade"));
    if cascade {
        return installed_with(s, facts);
    }
    Outcome::inverse(format!("DROP EXTENSION {name}"))
}

/// `CREATE EXTENSION ... CASCADE` also installs the extensions it requires that were missing: the rollback
/// drops it and those, the ones that were installed before staying.
fn installed_with(s: &CreateExtensionStmt, facts: &Facts) -> Outcome {
    let (Some(before), Some(after)) = (facts.extensions(At::Before), facts.extensions(At::After)) else {
        return Outcome::blocked(
            code::PREVIOUS_STATE_UNKNOWN,
            format!(
                "Cannot auto-generate rollback for CREATE EXTENSION {} CASCADE: which required extensions it installed depends on the database",
                ident(&s.extname)
            ),
        );
    };
    let mut added: Vec<&String> = after.iter().filter(|e| !before.contains(e)).collect();
    // Its own name first, then what it required (one DROP takes them together, whatever their order).
    added.sort_by_key(|e| **e != s.extname);
    if added.is_empty() {
        return Outcome::unchanged("it existed already");
    }
    let names: Vec<String> = added.iter().map(|e| ident(e)).collect();
    Outcome::inverse(format!("DROP EXTENSION {}", names.join(", ")))
}
