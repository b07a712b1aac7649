//! ALTER TABLE (and ALTER VIEW/INDEX/TYPE ... with the same subcommands). Several subcommands are inverted
//! in reverse order into one ALTER statement; a subcommand that cannot be inverted blocks the statement but
//! the rest is still offered.
use crate::context::Context;
use crate::families::object_keyword;
use crate::outcome::{code, Blocker, Outcome};
use crate::quote::{self, ident};
use pg_query::protobuf::{
    AlterTableCmd, AlterTableStmt, AlterTableType as At, ConstrType, DropBehavior, ObjectType, RangeVar,
};
use pg_query::NodeEnum;

enum Step {
    /// A subcommand of the inverse ALTER statement.
    Sub(String),
    /// A statement of its own (partition commands cannot share an ALTER with anything else).
    Statement(String),
    Nothing,
    /// Not reversible from the SQL alone; the likely inverse, if any, is offered for review.
    Blocked(Blocker, Option<Box<Step>>),
}

fn blocked(code: &'static str, message: String) -> Step {
    Step::Blocked(Blocker { code, message }, None)
}

/// Flipping a flag back assumes the migration changed it: if it was already set, the "inverse" would
/// change the schema instead of restoring it (and SET/DROP NOT NULL recurse into children and partitions).
fn state_flip(what: &str, inverse: Step) -> Step {
    Step::Blocked(
        Blocker {
            code: code::PREVIOUS_STATE_UNKNOWN,
            message: format!(
                "Cannot auto-generate a safe rollback for {what}: whether it was already in that state is not in \
                 the migration; the opposite command is offered for review"
            ),
        },
        Some(Box::new(inverse)),
    )
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
        let step = match step(cmd, s, rv, ctx) {
            Step::Blocked(blocker, partial) => {
                first_blocker.get_or_insert(blocker);
                partial.map_or(Step::Nothing, |p| *p)
            }
            step => step,
        };
        match step {
            Step::Sub(sql) => subs.push(sql),
            Step::Statement(sql) => statements.push(sql),
            Step::Nothing | Step::Blocked(..) => {}
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
    // Changes to a column this migration added go with its DROP COLUMN, unless they make it depend on
    // something created since (dropped first by the rollback).
    let new_column = is_column_change(cmd.subtype())
        && ctx.created_column(rv, &cmd.name)
        && (ctx.latest_column(rv, &cmd.name)
            || matches!(cmd.subtype(), At::AtSetNotNull | At::AtDropNotNull)
            || (cmd.subtype() == At::AtColumnDefault && cmd.def.is_none()));
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
            // ADD ATTRIBUTE ... CASCADE also changed typed tables; the drop must reach them too.
            let cascade = if cmd.behavior() == DropBehavior::DropCascade { " CASCADE" } else { "" };
            Step::Sub(format!("DROP {what} {}{cascade}", ident(&def.colname)))
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
        At::AtSetNotNull => state_flip(
            &format!("ALTER COLUMN {column} SET NOT NULL"),
            Step::Sub(format!("ALTER COLUMN {column} DROP NOT NULL")),
        ),
        At::AtDropNotNull => state_flip(
            &format!("ALTER COLUMN {column} DROP NOT NULL"),
            Step::Sub(format!("ALTER COLUMN {column} SET NOT NULL")),
        ),
        At::AtEnableRowSecurity => {
            state_flip("ENABLE ROW LEVEL SECURITY", Step::Sub("DISABLE ROW LEVEL SECURITY".into()))
        }
        At::AtDisableRowSecurity => {
            state_flip("DISABLE ROW LEVEL SECURITY", Step::Sub("ENABLE ROW LEVEL SECURITY".into()))
        }
        At::AtForceRowSecurity => {
            state_flip("FORCE ROW LEVEL SECURITY", Step::Sub("NO FORCE ROW LEVEL SECURITY".into()))
        }
        At::AtNoForceRowSecurity => {
            state_flip("NO FORCE ROW LEVEL SECURITY", Step::Sub("FORCE ROW LEVEL SECURITY".into()))
        }
        At::AtEnableTrig => {
            state_flip(&format!("ENABLE TRIGGER {column}"), Step::Sub(format!("DISABLE TRIGGER {column}")))
        }
        At::AtDisableTrig => {
            state_flip(&format!("DISABLE TRIGGER {column}"), Step::Sub(format!("ENABLE TRIGGER {column}")))
        }
        At::AtAddInherit => match cmd.def.as_ref().and_then(|d| d.node.as_ref()) {
            Some(NodeEnum::RangeVar(parent)) => Step::Sub(format!("NO INHERIT {}", quote::relation(parent))),
            _ => blocked(code::UNSUPPORTED_STATEMENT, "INHERIT without a parent".into()),
        },
        At::AtAttachPartition if s.objtype() == ObjectType::ObjectTable => attach_partition(cmd, rv, ctx),
        At::AtDetachPartition | At::AtDetachPartitionFinalize => blocked(
            code::PREVIOUS_STATE_UNKNOWN,
            "Cannot auto-generate rollback for DETACH PARTITION: the partition bound is not in the migration".into(),
        ),
        // Validating a constraint this migration added: its DROP CONSTRAINT removes it, validated or not (the
        // zero-downtime pattern ADD ... NOT VALID; VALIDATE).
        At::AtValidateConstraint if ctx.created_constraint(rv, &cmd.name) => Step::Nothing,
        // The sequence an identity creates is dropped with the identity; the column stays NOT NULL as it had to be.
        At::AtAddIdentity => Step::Sub(format!("ALTER COLUMN {column} DROP IDENTITY")),
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

fn add_constraint(cmd: &AlterTableCmd, rv: &RangeVar, ctx: &mut Context) -> Step {
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
    ctx.record_constraint(rv, &c.conname);
    Step::Sub(format!("DROP CONSTRAINT {name}"))
}

fn attach_partition(cmd: &AlterTableCmd, parent: &RangeVar, ctx: &Context) -> Step {
    let Some(NodeEnum::PartitionCmd(p)) = cmd.def.as_ref().and_then(|d| d.node.as_ref()) else {
        return blocked(code::UNSUPPORTED_STATEMENT, "ATTACH PARTITION without a partition".into());
    };
    let Some(child) = &p.name else {
        return blocked(code::UNSUPPORTED_STATEMENT, "ATTACH PARTITION without a partition".into());
    };
    let detach = format!("ALTER TABLE {} DETACH PARTITION {}", quote::relation(parent), quote::relation(child));
    if ctx.created_relation(child) {
        // A partition created here has no indexes or keys of its own to keep; detaching it first lets its
        // drop succeed even when foreign keys reference the parent.
        return Step::Statement(detach);
    }
    Step::Blocked(
        Blocker {
            code: code::ATTACH_PARTITION,
            message: format!(
                "Cannot auto-generate a safe rollback for ATTACH PARTITION {}: PostgreSQL creates copies of the parent's indexes, foreign keys and triggers on the partition where it lacks them, and DETACH PARTITION keeps them; the generated DETACH PARTITION needs review",
                quote::relation(child)
            ),
        },
        Some(Box::new(Step::Statement(detach))),
    )
}

/// Subcommands that change one column named in `cmd.name`.
fn is_column_change(subtype: At) -> bool {
    matches!(
        subtype,
        At::AtColumnDefault
            | At::AtAlterColumnType
            | At::AtSetNotNull
            | At::AtDropNotNull
            | At::AtSetStatistics
            | At::AtSetOptions
            | At::AtResetOptions
            | At::AtSetStorage
            | At::AtSetCompression
            | At::AtSetExpression
            | At::AtDropExpression
            | At::AtAddIdentity
            | At::AtSetIdentity
            | At::AtDropIdentity
            | At::AtAlterColumnGenericOptions
    )
}

fn subcommand_name(subtype: At) -> String {
    crate::families::variant_words(&subtype, "At", "")
}
