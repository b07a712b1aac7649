//! CREATE TYPE (enum, composite, range), CREATE DOMAIN and its constraints, CREATE COLLATION, and enum
//! changes (ALTER TYPE ... ADD/RENAME VALUE).
use crate::context::Context;
use crate::outcome::{code, Outcome};
use crate::quote::{self, literal};
use pg_query::protobuf::{
    AlterDomainStmt, AlterEnumStmt, CompositeTypeStmt, CreateDomainStmt, CreateEnumStmt, CreateRangeStmt, DefineStmt,
    Node, ObjectType,
};
use pg_query::NodeEnum;

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
    Outcome::inverse(format!("ALTER TYPE {type_name} RENAME VALUE {} TO {}", literal(&s.new_val), literal(&s.old_val)))
}

/// `ALTER DOMAIN`: named constraints and NOT NULL have inverses; defaults and dropped constraints do not.
pub fn alter_domain(s: &AlterDomainStmt) -> Outcome {
    let Some(domain) = quote::any_name(&s.type_name) else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "ALTER DOMAIN with an unreadable name");
    };
    match s.subtype.as_str() {
        "C" => match s.def.as_ref().and_then(|d| d.node.as_ref()) {
            Some(NodeEnum::Constraint(c)) if !c.conname.is_empty() => {
                Outcome::inverse(format!("ALTER DOMAIN {domain} DROP CONSTRAINT {}", quote::ident(&c.conname)))
            }
            _ => Outcome::blocked(
                code::UNNAMED_OBJECT,
                format!("Cannot auto-generate rollback for ALTER DOMAIN {domain} ADD CONSTRAINT without a name: PostgreSQL chooses the name"),
            ),
        },
        "O" | "N" => {
            let (done, undo) = if s.subtype == "O" { ("SET", "DROP") } else { ("DROP", "SET") };
            Outcome::blocked(
                code::PREVIOUS_STATE_UNKNOWN,
                format!(
                    "Cannot auto-generate a safe rollback for ALTER DOMAIN {domain} {done} NOT NULL: whether it was \
                     already in that state is not in the migration; the opposite command is offered for review"
                ),
            )
            .with_inverse(format!("ALTER DOMAIN {domain} {undo} NOT NULL"))
        }
        "X" => Outcome::blocked(
            code::DROP_CONSTRAINT,
            format!("Cannot auto-generate rollback for ALTER DOMAIN {domain} DROP CONSTRAINT (its definition is not in the migration)"),
        ),
        _ => Outcome::blocked(
            code::PREVIOUS_STATE_UNKNOWN,
            format!("Cannot auto-generate rollback for ALTER DOMAIN {domain}: the previous state is not in the migration"),
        ),
    }
}

/// `CREATE COLLATION`; other `DefineStmt` objects (aggregates, operators, base types) are not inverted.
pub fn define(s: &DefineStmt) -> Outcome {
    let keyword = crate::families::object_keyword(s.kind());
    let Some(name) = quote::any_name(&s.defnames).filter(|_| s.kind() == ObjectType::ObjectCollation) else {
        return Outcome::blocked(
            code::UNSUPPORTED_STATEMENT,
            format!("Cannot auto-generate rollback for CREATE {keyword}: pg-rollback does not invert this statement"),
        );
    };
    if s.if_not_exists {
        return Outcome::blocked(
            code::IF_NOT_EXISTS,
            format!("Cannot auto-generate rollback for CREATE COLLATION IF NOT EXISTS: {name} may have existed before the migration"),
        );
    }
    Outcome::inverse(format!("DROP COLLATION {name}"))
}
