//! CREATE TYPE (enum, composite, range), CREATE DOMAIN and its constraints, CREATE COLLATION, and enum
//! changes (ALTER TYPE ... ADD/RENAME VALUE).
use crate::ask::facts::Facts;
use crate::ask::state::{At, DomainFacts, Lookup, ObjectKind};
use crate::invert::context::Context;
use crate::invert::families::{catalog_names, placement, tables};
use crate::invert::outcome::{code, Outcome};
use crate::invert::temporary::{self, Resolution};
use crate::parse::name::ObjectName;
use crate::render::quote::{self, ident, literal};
use crate::render::restore;
use pg_query::protobuf::{
    AlterDomainStmt, AlterEnumStmt, CompositeTypeStmt, ConstrType, CreateDomainStmt, CreateEnumStmt, CreateRangeStmt,
    DefineStmt, Node, ObjectType,
};
use pg_query::NodeEnum;

fn drop_type(keyword: &str, name: &[Node], ctx: &mut Context, facts: &Facts) -> Outcome {
    match ObjectName::from_nodes(name) {
        Some(name) => created_type(keyword, name, ctx, facts),
        None => Outcome::blocked(code::UNSUPPORTED_STATEMENT, format!("CREATE {keyword} with an unreadable name")),
    }
}

/// A type created: dropped by the name it has where it landed, unless it is temporary.
fn created_type(keyword: &str, name: ObjectName, ctx: &mut Context, facts: &Facts) -> Outcome {
    match temporary::created(ObjectKind::Type, &name, ctx, facts) {
        Resolution::Temporary => {
            ctx.record_temporary(&name.name);
            return Outcome::nothing_to_undo();
        }
        Resolution::Unknown => return tables::temporary_path_blocked(&format!("CREATE {keyword} {name}")),
        Resolution::Permanent => {}
    }
    let placed = placement::type_(facts, &name);
    if catalog_names::type_(&placed) {
        return catalog_names::blocked(&format!("CREATE {keyword} {name}"));
    }
    ctx.record(name);
    Outcome::inverse(format!("DROP {keyword} {placed}"))
}

pub fn create_enum(s: &CreateEnumStmt, ctx: &mut Context, facts: &Facts) -> Outcome {
    drop_type("TYPE", &s.type_name, ctx, facts)
}

/// A range type also gets a multirange type and constructor functions; DROP TYPE removes them all.
pub fn create_range(s: &CreateRangeStmt, ctx: &mut Context, facts: &Facts) -> Outcome {
    drop_type("TYPE", &s.type_name, ctx, facts)
}

pub fn create_composite(s: &CompositeTypeStmt, ctx: &mut Context, facts: &Facts) -> Outcome {
    match &s.typevar {
        Some(rv) => created_type("TYPE", ObjectName::from_range_var(rv), ctx, facts),
        None => Outcome::blocked(code::UNSUPPORTED_STATEMENT, "CREATE TYPE without a name"),
    }
}

pub fn create_domain(s: &CreateDomainStmt, ctx: &mut Context, facts: &Facts) -> Outcome {
    drop_type("DOMAIN", &s.domainname, ctx, facts)
}

pub fn alter_enum(s: &AlterEnumStmt, facts: &Facts) -> Outcome {
    let Some(type_name) = quote::any_name(&s.type_name) else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "ALTER TYPE with an unreadable name");
    };
    if s.old_val.is_empty() {
        // ADD VALUE IF NOT EXISTS of a label the enum had already changed nothing.
        let existed = s.skip_if_new_val_exists
            && ObjectName::from_nodes(&s.type_name)
                .and_then(|name| facts.type_(At::Before, &name, Lookup::SearchPath))
                .is_some_and(|t| t.is_some_and(|t| t.labels.contains(&s.new_val)));
        if existed {
            return Outcome::unchanged("the value existed already");
        }
        return Outcome::blocked(code::ENUM_ADD_VALUE, "Cannot rollback enum value addition (PostgreSQL limitation)");
    }
    Outcome::inverse(format!("ALTER TYPE {type_name} RENAME VALUE {} TO {}", literal(&s.new_val), literal(&s.old_val)))
}

/// `ALTER DOMAIN`: named constraints have inverses; with the state captured, defaults, NOT NULL, dropped and
/// unnamed constraints too.
pub fn alter_domain(s: &AlterDomainStmt, facts: &Facts) -> Outcome {
    let Some(domain) = quote::any_name(&s.type_name) else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "ALTER DOMAIN with an unreadable name");
    };
    let name = ObjectName::from_nodes(&s.type_name);
    let before = name.as_ref().and_then(|n| facts.type_(At::Before, n, Lookup::SearchPath));
    let before = before.map(|t| t.and_then(|t| t.domain.as_ref()));
    match s.subtype.as_str() {
        "C" => match s.def.as_ref().and_then(|d| d.node.as_ref()) {
            // On a domain that already is NOT NULL, PostgreSQL adds nothing (the name goes unused).
            Some(NodeEnum::Constraint(c)) if c.contype() == ConstrType::ConstrNotnull => match before {
                Some(Some(d)) if d.not_null => Outcome::nothing_to_undo(),
                Some(Some(_)) => Outcome::inverse(format!("ALTER DOMAIN {domain} DROP NOT NULL")),
                Some(None) => Outcome::nothing_to_undo(),
                None => Outcome::blocked(
                    code::PREVIOUS_STATE_UNKNOWN,
                    format!(
                        "Cannot auto-generate a safe rollback for ALTER DOMAIN {domain} ADD CONSTRAINT NOT NULL: if the \
                         domain already was NOT NULL PostgreSQL changes nothing, and whether it was is not in the \
                         migration; the opposite command is offered for review"
                    ),
                )
                .with_inverse(format!("ALTER DOMAIN {domain} DROP NOT NULL")),
            },
            Some(NodeEnum::Constraint(c)) if !c.conname.is_empty() => {
                Outcome::inverse(format!("ALTER DOMAIN {domain} DROP CONSTRAINT {}", quote::ident(&c.conname)))
            }
            _ => {
                let after = name.as_ref().and_then(|n| facts.type_(At::After, n, Lookup::SearchPath));
                let added = before.zip(after).and_then(|(before, after)| {
                    let after = after.and_then(|t| t.domain.as_ref())?;
                    let new: Vec<_> = after
                        .constraints
                        .iter()
                        .filter(|c| !before.is_some_and(|b| b.constraints.iter().any(|o| o.name == c.name)))
                        .collect();
                    match new[..] {
                        [one] => Some(one.name.clone()),
                        _ => None,
                    }
                });
                match added {
                    Some(constraint) => {
                        Outcome::inverse(format!("ALTER DOMAIN {domain} DROP CONSTRAINT {}", ident(&constraint)))
                    }
                    None => Outcome::blocked(
                        code::UNNAMED_OBJECT,
                        format!("Cannot auto-generate rollback for ALTER DOMAIN {domain} ADD CONSTRAINT without a name: PostgreSQL chooses the name"),
                    ),
                }
            }
        },
        "O" | "N" => {
            let (done, undo) = if s.subtype == "O" { ("SET", "DROP") } else { ("DROP", "SET") };
            match before {
                Some(Some(d)) if d.not_null == (s.subtype == "O") => Outcome::nothing_to_undo(),
                // PostgreSQL 17+ names a domain's NOT NULL constraint: DROP NOT NULL is undone under that name.
                Some(Some(d)) if s.subtype == "N" && d.not_null_constraint.is_some() => {
                    Outcome { inverse: domain_not_null_statements(&domain, d), ..Default::default() }
                }
                Some(Some(_)) => Outcome::inverse(format!("ALTER DOMAIN {domain} {undo} NOT NULL")),
                Some(None) => Outcome::nothing_to_undo(),
                None => Outcome::blocked(
                    code::PREVIOUS_STATE_UNKNOWN,
                    format!(
                        "Cannot auto-generate a safe rollback for ALTER DOMAIN {domain} {done} NOT NULL: whether it was \
                         already in that state is not in the migration; the opposite command is offered for review"
                    ),
                )
                .with_inverse(format!("ALTER DOMAIN {domain} {undo} NOT NULL")),
            }
        }
        "T" => match before {
            Some(Some(d)) => Outcome::inverse(match &d.default {
                Some(default) => format!("ALTER DOMAIN {domain} SET DEFAULT {default}"),
                None => format!("ALTER DOMAIN {domain} DROP DEFAULT"),
            }),
            Some(None) => Outcome::nothing_to_undo(),
            None => Outcome::blocked(
                code::PREVIOUS_STATE_UNKNOWN,
                format!("Cannot auto-generate rollback for ALTER DOMAIN {domain}: the previous state is not in the migration"),
            ),
        },
        "X" => {
            if let Some(Some(d)) = before.filter(|d| d.is_some_and(|d| d.not_null_constraint.as_ref() == Some(&s.name))) {
                return Outcome { inverse: domain_not_null_statements(&domain, d), ..Default::default() };
            }
            let dropped = before.map(|d| d.and_then(|d| d.constraints.iter().find(|c| c.name == s.name)));
            match dropped {
                Some(Some(c)) => {
                    let mut inverse = vec![format!("ALTER DOMAIN {domain} ADD CONSTRAINT {} {}", ident(&c.name), c.definition)];
                    if c.comment.is_some() {
                        inverse.push(restore::comment(
                            &format!("CONSTRAINT {} ON DOMAIN {domain}", ident(&c.name)),
                            c.comment.as_deref(),
                        ));
                    }
                    Outcome { inverse, ..Default::default() }
                }
                Some(None) if s.missing_ok => Outcome::nothing_to_undo(),
                _ => Outcome::blocked(
                    code::DROP_CONSTRAINT,
                    format!("Cannot auto-generate rollback for ALTER DOMAIN {domain} DROP CONSTRAINT (its definition is not in the migration)"),
                ),
            }
        }
        "V" => validate_domain_constraint(&domain, &s.name, before),
        _ => Outcome::blocked(
            code::PREVIOUS_STATE_UNKNOWN,
            format!("Cannot auto-generate rollback for ALTER DOMAIN {domain}: the previous state is not in the migration"),
        ),
    }
}

/// `VALIDATE CONSTRAINT`: a constraint that was NOT VALID is dropped and added again NOT VALID (PostgreSQL
/// cannot un-validate one); one that was valid already was not changed.
fn validate_domain_constraint(domain: &str, name: &str, before: Option<Option<&DomainFacts>>) -> Outcome {
    let constraint = ident(name);
    let found = before.map(|d| d.and_then(|d| d.constraints.iter().find(|c| c.name == name)));
    match found {
        Some(Some(c)) if !c.definition.ends_with(" NOT VALID") => Outcome::nothing_to_undo(),
        Some(Some(c)) => {
            let mut inverse = vec![
                format!("ALTER DOMAIN {domain} DROP CONSTRAINT {constraint}"),
                format!("ALTER DOMAIN {domain} ADD CONSTRAINT {constraint} {}", c.definition),
            ];
            if c.comment.is_some() {
                inverse.push(restore::comment(
                    &format!("CONSTRAINT {constraint} ON DOMAIN {domain}"),
                    c.comment.as_deref(),
                ));
            }
            Outcome { inverse, ..Default::default() }
        }
        // A domain without the constraint makes the statement fail.
        Some(None) if before.is_some_and(|d| d.is_none()) => Outcome::nothing_to_undo(),
        _ => Outcome::blocked(
            code::NO_INVERSE_OPERATION,
            format!(
                "Cannot auto-generate rollback for ALTER DOMAIN {domain} VALIDATE CONSTRAINT {constraint}: PostgreSQL \
                 cannot un-validate a constraint, and whether it was NOT VALID before is not known"
            ),
        ),
    }
}

/// A domain's named NOT NULL constraint (PostgreSQL 17+) added back under its name, with its comment.
fn domain_not_null_statements(domain: &str, d: &DomainFacts) -> Vec<String> {
    let Some(name) = &d.not_null_constraint else { return vec![format!("ALTER DOMAIN {domain} SET NOT NULL")] };
    let mut out = vec![format!("ALTER DOMAIN {domain} ADD CONSTRAINT {} NOT NULL", ident(name))];
    if d.not_null_comment.is_some() {
        out.push(restore::comment(
            &format!("CONSTRAINT {} ON DOMAIN {domain}", ident(name)),
            d.not_null_comment.as_deref(),
        ));
    }
    out
}

/// `CREATE COLLATION`; other `DefineStmt` objects (aggregates, operators, base types) are not inverted.
pub fn define(s: &DefineStmt, ctx: &Context) -> Outcome {
    let keyword = crate::invert::families::object_keyword(s.kind());
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
    match ObjectName::from_nodes(&s.defnames) {
        Some(written) if written.schema.as_deref().is_some_and(temporary::is_temporary_schema) => {
            return Outcome::nothing_to_undo()
        }
        Some(written) if !written.is_qualified() && ctx.temporary_path => {
            return tables::temporary_path_blocked(&format!("CREATE COLLATION {name}"))
        }
        Some(written) if catalog_names::collation(&written) => {
            return catalog_names::blocked(&format!("CREATE COLLATION {name}"))
        }
        _ => {}
    }
    Outcome::inverse(format!("DROP COLLATION {name}"))
}
