//! Privileges of many objects at once. `GRANT/REVOKE ... ON ALL TABLES|SEQUENCES|FUNCTIONS|PROCEDURES|ROUTINES
//! IN SCHEMA s` is undone by putting back every object's (and column's) exact previous ACL, read before and
//! after the statement; `ALTER DEFAULT PRIVILEGES [FOR ROLE r] [IN SCHEMA s] GRANT|REVOKE ...` by putting
//! back the default ACL of each role and schema it names (the built-in one where it had no entry).
use crate::ask::facts::Facts;
use crate::ask::state::{At, Privilege};
use crate::invert::outcome::{code, Outcome};
use crate::render::quote::ident;
use crate::render::restore::{acl_change, AclTarget};
use pg_query::protobuf::{AlterDefaultPrivilegesStmt, GrantStmt, ObjectType, RoleSpecType};
use pg_query::NodeEnum;

fn unknown(what: &str) -> Outcome {
    Outcome::blocked(
        code::PREVIOUS_STATE_UNKNOWN,
        format!("Cannot auto-generate rollback for {what}: the previous state is not in the migration"),
    )
}

fn refused(what: &str, why: String) -> Outcome {
    Outcome::blocked(code::PREVIOUS_STATE_UNKNOWN, format!("Cannot auto-generate a safe rollback for {what}: {why}"))
}

/// `GRANT/REVOKE ... ON ALL ... IN SCHEMA`.
pub fn grant_in_schema(s: &GrantStmt, facts: &Facts) -> Outcome {
    let what = if s.is_grant { "GRANT ... ON ALL ... IN SCHEMA" } else { "REVOKE ... ON ALL ... IN SCHEMA" };
    let kind = match s.objtype() {
        ObjectType::ObjectTable => "tables",
        ObjectType::ObjectSequence => "sequences",
        ObjectType::ObjectFunction => "functions",
        ObjectType::ObjectProcedure => "procedures",
        ObjectType::ObjectRoutine => "routines",
        _ => return unknown(what),
    };
    // Every question is asked before any answer is used: the planner learns them all in one probe.
    let mut known = Vec::new();
    for schema in &s.objects {
        let Some(NodeEnum::String(schema)) = &schema.node else { return unknown(what) };
        known.push((
            facts.schema_members(At::Before, &schema.sval, kind),
            facts.schema_members(At::After, &schema.sval, kind),
        ));
    }
    let mut inverse = Vec::new();
    for (before, after) in known {
        let (Some(before), Some(after)) = (before, after) else { return unknown(what) };
        for was in before {
            let Some(now) = after.iter().find(|o| o.oid == was.oid) else { return unknown(what) };
            let target = AclTarget { object: &was.target, column: None, owner: &was.owner };
            match acl_change(&target, &now.acl, &was.acl) {
                Ok(statements) => inverse.extend(statements),
                Err(why) => return refused(what, why),
            }
            let mut columns: Vec<&str> = was.columns.iter().map(|c| c.name.as_str()).collect();
            columns.extend(
                now.columns.iter().map(|c| c.name.as_str()).filter(|c| !was.columns.iter().any(|w| w.name == *c)),
            );
            for column in columns {
                let acl = |o: &'_ crate::ask::state::AclObject| -> Vec<Privilege> {
                    o.columns.iter().find(|c| c.name == column).map(|c| c.acl.clone()).unwrap_or_default()
                };
                let target = AclTarget { object: &was.target, column: Some(column), owner: &was.owner };
                match acl_change(&target, &acl(now), &acl(was)) {
                    Ok(statements) => inverse.extend(statements),
                    Err(why) => return refused(what, why),
                }
            }
        }
    }
    Outcome { inverse, ..Default::default() }
}

/// `ALTER DEFAULT PRIVILEGES`.
pub fn default_privileges(s: &AlterDefaultPrivilegesStmt, facts: &Facts) -> Outcome {
    let what = "ALTER DEFAULT PRIVILEGES";
    let Some(action) = &s.action else { return unknown(what) };
    let (object_type, objects) = match action.objtype() {
        ObjectType::ObjectTable => ("r", "TABLES"),
        ObjectType::ObjectSequence => ("S", "SEQUENCES"),
        ObjectType::ObjectFunction => ("f", "FUNCTIONS"),
        ObjectType::ObjectType => ("T", "TYPES"),
        ObjectType::ObjectSchema => ("n", "SCHEMAS"),
        ObjectType::ObjectLargeobject => ("L", "LARGE OBJECTS"),
        _ => return unknown(what),
    };
    // FOR ROLE (none: the current user) and IN SCHEMA (none: everywhere).
    let mut roles: Vec<Option<String>> = Vec::new();
    let mut schemas: Vec<Option<String>> = Vec::new();
    for option in &s.options {
        let Some(NodeEnum::DefElem(d)) = &option.node else { return unknown(what) };
        let Some(NodeEnum::List(list)) = d.arg.as_ref().and_then(|a| a.node.as_ref()) else { return unknown(what) };
        for item in &list.items {
            match (d.defname.as_str(), &item.node) {
                ("roles", Some(NodeEnum::RoleSpec(r))) => match r.roletype() {
                    RoleSpecType::RolespecCstring => roles.push(Some(r.rolename.clone())),
                    RoleSpecType::RolespecCurrentUser | RoleSpecType::RolespecCurrentRole => roles.push(None),
                    _ => return unknown(what),
                },
                ("schemas", Some(NodeEnum::String(schema))) => schemas.push(Some(schema.sval.clone())),
                _ => return unknown(what),
            }
        }
    }
    if roles.is_empty() {
        roles.push(None);
    }
    if schemas.is_empty() {
        schemas.push(None);
    }
    let mut known = Vec::new();
    for role in &roles {
        for schema in &schemas {
            let before = facts.default_acl(At::Before, role.as_deref(), schema.as_deref(), object_type);
            let after = facts.default_acl(At::After, role.as_deref(), schema.as_deref(), object_type);
            known.push((schema, before, after));
        }
    }
    let mut inverse = Vec::new();
    for (schema, before, after) in known {
        let (Some(Some(was)), Some(Some(now))) = (before, after) else { return unknown(what) };
        // Entries are granted by the role itself.
        let target = AclTarget { object: objects, column: None, owner: &was.role };
        let statements = match acl_change(&target, &now.acl, &was.acl) {
            Ok(statements) => statements,
            Err(why) => return refused(what, why),
        };
        let prefix = match schema {
            Some(schema) => {
                format!("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} ", ident(&was.role), ident(schema))
            }
            None => format!("ALTER DEFAULT PRIVILEGES FOR ROLE {} ", ident(&was.role)),
        };
        inverse.extend(statements.into_iter().map(|statement| format!("{prefix}{statement}")));
    }
    Outcome { inverse, ..Default::default() }
}
