//! CREATE TYPE (enum, composite, range), CREATE DOMAIN, and enum changes (ALTER TYPE ... ADD/RENAME VALUE).
use crate::context::Context;
use crate::outcome::{code, Outcome};
use crate::quote::{self, literal};
use pg_query::protobuf::{AlterEnumStmt, CompositeTypeStmt, CreateDomainStmt, CreateEnumStmt, CreateRangeStmt, Node};

fn drop_type(keyword: &str, name: &[Node], ctx: &mut Context) -> Outcome {
    match quote::any_name(name) {
        Some(name) => {
            ctx.record_key(name.clone());
            Outcome::inverse(format!("DROP {keyword} {name}"))
        }
        None => Outcome::blocked(code::UNSUPPORTED_STATEMENT, format!("CREATE {keyword} with an unreadable name")),
    }
}

pub fn create_enum(s: &CreateEnumStmt, ctx: &mut Context) -> Outcome {
    drop_type("TYPE", &s.type_name, ctx)
}

/// A range type also gets a multirange type and constructor functions; DROP TYPE removes them all.
pub fn create_range(s: &CreateRangeStmt, ctx: &mut Context) -> Outcome {
    drop_type("TYPE", &s.type_name, ctx)
}

pub fn create_composite(s: &CompositeTypeStmt, ctx: &mut Context) -> Outcome {
    match &s.typevar {
        Some(rv) => {
            ctx.record_relation(rv);
            Outcome::inverse(format!("DROP TYPE {}", quote::relation(rv)))
        }
        None => Outcome::blocked(code::UNSUPPORTED_STATEMENT, "CREATE TYPE without a name"),
    }
}

pub fn create_domain(s: &CreateDomainStmt, ctx: &mut Context) -> Outcome {
    drop_type("DOMAIN", &s.domainname, ctx)
}

pub fn alter_enum(s: &AlterEnumStmt) -> Outcome {
    let Some(type_name) = quote::any_name(&s.type_name) else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "ALTER TYPE with an unreadable name");
    };
    if s.old_val.is_empty() {
        return Outcome::blocked(code::ENUM_ADD_VALUE, "Cannot rollback enum value addition (PostgreSQL limitation)");
    }
    Outcome::inverse(format!(
        "ALTER TYPE {type_name} RENAME VALUE {} TO {}",
        literal(&s.new_val),
        literal(&s.old_val)
    ))
}
