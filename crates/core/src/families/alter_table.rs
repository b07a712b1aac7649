//! ALTER TABLE (and ALTER VIEW/INDEX/TYPE ... with the same subcommands). Several subcommands are inverted
//! in reverse order into one ALTER statement; a subcommand that cannot be inverted blocks the statement but
//! the rest is still offered.
use crate::context::Context;
use crate::families::object_keyword;
use crate::outcome::{code, Blocker, Outcome};
use crate::quote::{self, ident};
use pg_query::protobuf::{AlterTableCmd, AlterTableStmt, AlterTableType as At, ConstrType, ObjectType, RangeVar};
use pg_query::NodeEnum;

enum Step {
    /// A subcommand of the inverse ALTER statement.
    Sub(String),
    Nothing,
    Blocked(Blocker, Option<String>),
}

fn blocked(code: &'static str, message: String) -> Step {
    Step::Blocked(Blocker { code, message }, None)
}

pub fn alter_table(s: &AlterTableStmt, ctx: &mut Context) -> Outcome {
    let Some(rv) = &s.relation else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "ALTER without a relation");
    };
    let keyword = object_keyword(s.objtype());
    let mut subs = Vec::new();
    // Partition commands cannot share an ALTER with anything else, so their inverses stand alone.
    let mut statements = Vec::new();
    let mut first_blocker = None;
    for cmd in &s.cmds {
        let Some(NodeEnum::AlterTableCmd(cmd)) = &cmd.node else { continue };
        match step(cmd, s, rv, ctx) {
            Step::Sub(sql) => subs.push(sql),
            Step::Nothing => {}
            Step::Blocked(blocker, partial) => {
                first_blocker.get_or_insert(blocker);
                statements.extend(partial);
            }
        }
    }
    let mut inverse = Vec::new();
    if !subs.is_empty() {
        subs.reverse();
        let if_exists = if s.missing_ok { "IF EXISTS " } else { "" };
        // ONLY exists for tables; elsewhere the parser still reports inh=false.
        let target = match s.objtype() {
            ObjectType::ObjectTable | ObjectType::ObjectForeignTable => quote::relation_with_only(rv),
            _ => quote::relation(rv),
        };
        inverse.push(format!("ALTER {keyword} {if_exists}{target} {}", subs.join(", ")));
    }
    inverse.extend(statements);
    Outcome { inverse, blocker: first_blocker, non_transactional: false }
}

fn step(cmd: &AlterTableCmd, s: &AlterTableStmt, rv: &RangeVar, ctx: &mut Context) -> Step {
    let column = ident(&cmd.name);
    let on_type = s.objtype() == ObjectType::ObjectType;
    // Changes to a column this migration added go with its DROP COLUMN; dropping it is another matter,
    // since that DROP COLUMN would then fail.
    let new_column = !cmd.name.is_empty() && cmd.subtype() != At::AtDropColumn && ctx.created_column(rv, &cmd.name);
    let step = match cmd.subtype() {
        At::AtAddColumn | At::AtAddColumnToView => {
            let Some(NodeEnum::ColumnDef(def)) = cmd.def.as_ref().and_then(|d| d.node.as_ref()) else {
                return blocked(code::UNSUPPORTED_STATEMENT, "ADD COLUMN without a column definition".into());
            };
            if cmd.missing_ok {
                return blocked(
                    code::IF_NOT_EXISTS,
                    format!(
                        "Cannot auto-generate rollback for ADD COLUMN IF NOT EXISTS: {}.{} may have existed before the migration",
                        quote::relation(rv),
                        ident(&def.colname)
                    ),
                );
            }
            ctx.record_column(rv, &def.colname);
            let what = if on_type { "ATTRIBUTE" } else { "COLUMN" };
            Step::Sub(format!("DROP {what} {}", ident(&def.colname)))
        }
        At::AtDropColumn => blocked(
            code::DROP_COLUMN,
            if on_type {
                "Cannot auto-generate rollback for DROP ATTRIBUTE (its definition is not in the migration)".into()
            } else {
                "Cannot auto-generate rollback for DROP COLUMN (data loss)".into()
            },
        ),
        At::AtAddConstraint => add_constraint(cmd, rv, ctx),
        At::AtDropConstraint => blocked(
            code::DROP_CONSTRAINT,
            format!("Cannot auto-generate rollback for DROP CONSTRAINT {column} (its definition is not in the migration)"),
        ),
        At::AtSetNotNull => Step::Sub(format!("ALTER COLUMN {column} DROP NOT NULL")),
        At::AtDropNotNull => Step::Sub(format!("ALTER COLUMN {column} SET NOT NULL")),
        At::AtEnableRowSecurity => Step::Sub("DISABLE ROW LEVEL SECURITY".into()),
        At::AtDisableRowSecurity => Step::Sub("ENABLE ROW LEVEL SECURITY".into()),
        At::AtForceRowSecurity => Step::Sub("NO FORCE ROW LEVEL SECURITY".into()),
        At::AtNoForceRowSecurity => Step::Sub("FORCE ROW LEVEL SECURITY".into()),
        At::AtEnableTrig => Step::Sub(format!("DISABLE TRIGGER {column}")),
        At::AtDisableTrig => Step::Sub(format!("ENABLE TRIGGER {column}")),
        At::AtAddInherit => match cmd.def.as_ref().and_then(|d| d.node.as_ref()) {
            Some(NodeEnum::RangeVar(parent)) => Step::Sub(format!("NO INHERIT {}", quote::relation(parent))),
            _ => blocked(code::UNSUPPORTED_STATEMENT, "INHERIT without a parent".into()),
        },
        At::AtAttachPartition if s.objtype() == ObjectType::ObjectTable => attach_partition(cmd, rv, ctx),
        At::AtDetachPartition | At::AtDetachPartitionFinalize => blocked(
            code::PREVIOUS_STATE_UNKNOWN,
            "Cannot auto-generate rollback for DETACH PARTITION: the partition bound is not in the migration".into(),
        ),
        At::AtValidateConstraint => blocked(
            code::NO_INVERSE_OPERATION,
            format!("Cannot auto-generate rollback for VALIDATE CONSTRAINT {column}: PostgreSQL cannot un-validate a constraint"),
        ),
        At::AtColumnDefault => blocked(
            code::PREVIOUS_STATE_UNKNOWN,
            format!(
                "Cannot auto-generate rollback for ALTER COLUMN {column} {} DEFAULT: the previous default is not in the migration",
                if cmd.def.is_some() { "SET" } else { "DROP" }
            ),
        ),
        At::AtAlterColumnType => blocked(
            code::PREVIOUS_STATE_UNKNOWN,
            format!("Cannot auto-generate rollback for ALTER COLUMN {column} TYPE: the previous type is not in the migration"),
        ),
        other => blocked(
            code::PREVIOUS_STATE_UNKNOWN,
            format!(
                "Cannot auto-generate rollback for ALTER {} {}: the previous state is not in the migration",
                object_keyword(s.objtype()),
                subcommand_name(other)
            ),
        ),
    };
    match step {
        // A column this migration added is dropped later in the rollback, taking any change to it along.
        Step::Blocked(..) if new_column => Step::Nothing,
        step => step,
    }
}

fn add_constraint(cmd: &AlterTableCmd, rv: &RangeVar, ctx: &Context) -> Step {
    let Some(NodeEnum::Constraint(c)) = cmd.def.as_ref().and_then(|d| d.node.as_ref()) else {
        return blocked(code::UNSUPPORTED_STATEMENT, "ADD CONSTRAINT without a definition".into());
    };
    if c.conname.is_empty() {
        return blocked(
            code::UNNAMED_OBJECT,
            format!(
                "Cannot auto-generate rollback for ADD CONSTRAINT without a name on {}: PostgreSQL chooses the name",
                quote::relation(rv)
            ),
        );
    }
    let name = ident(&c.conname);
    if !c.indexname.is_empty() {
        return blocked(
            code::PREVIOUS_STATE_UNKNOWN,
            format!(
                "Cannot auto-generate rollback for ADD CONSTRAINT {name} USING INDEX: the index {} becomes part of the constraint and dropping the constraint drops it",
                ident(&c.indexname)
            ),
        );
    }
    if c.contype() == ConstrType::ConstrPrimary {
        let key_columns_are_new = quote::name_parts(&c.keys)
            .is_some_and(|cols| !cols.is_empty() && cols.iter().all(|col| ctx.created_column(rv, col)));
        if !key_columns_are_new {
            return Step::Blocked(
                Blocker {
                    code: code::PRIMARY_KEY_SETS_NOT_NULL,
                    message: format!(
                        "Cannot auto-generate a safe rollback for ADD CONSTRAINT {name} PRIMARY KEY: PostgreSQL also marks the key columns NOT NULL, dropping the key does not undo that, and their previous nullability is not in the migration"
                    ),
                },
                None,
            );
        }
    }
    Step::Sub(format!("DROP CONSTRAINT {name}"))
}

fn attach_partition(cmd: &AlterTableCmd, parent: &RangeVar, ctx: &Context) -> Step {
    let Some(NodeEnum::PartitionCmd(p)) = cmd.def.as_ref().and_then(|d| d.node.as_ref()) else {
        return blocked(code::UNSUPPORTED_STATEMENT, "ATTACH PARTITION without a partition".into());
    };
    let Some(child) = &p.name else {
        return blocked(code::UNSUPPORTED_STATEMENT, "ATTACH PARTITION without a partition".into());
    };
    if ctx.created_relation(child) {
        // Dropping the new partition later in the rollback detaches it too.
        return Step::Nothing;
    }
    let detach = format!("ALTER TABLE {} DETACH PARTITION {}", quote::relation(parent), quote::relation(child));
    Step::Blocked(
        Blocker {
            code: code::ATTACH_PARTITION,
            message: format!(
                "Cannot auto-generate a safe rollback for ATTACH PARTITION {}: PostgreSQL creates copies of the parent's indexes, foreign keys and triggers on the partition where it lacks them, and DETACH PARTITION keeps them; the generated DETACH PARTITION needs review",
                quote::relation(child)
            ),
        },
        Some(detach),
    )
}

fn subcommand_name(subtype: At) -> String {
    crate::families::variant_words(&subtype, "At", "")
}
