//! ALTER TABLE (and ALTER VIEW/INDEX/TYPE/SEQUENCE ... with the same subcommands). Several subcommands are
//! inverted in reverse order into one ALTER statement; a subcommand that cannot be inverted blocks the
//! statement but the rest is still offered. With the state captured before each statement, subcommands
//! that set a property (default, NOT NULL, row security, trigger state, owner, options, ...) are undone by
//! setting back the value the database had, and constraints dropped are added back as PostgreSQL printed them.
use crate::ask::facts::Facts;
use crate::ask::state::{At, ColumnFacts, ConstraintSummary, Lookup, ObjectAddress};
use crate::invert::context::Context;
use crate::invert::families::drops::{self, index_statements};
use crate::invert::families::object_keyword;
use crate::invert::families::{column_settings, identity};
use crate::invert::outcome::{code, Blocker, Outcome};
use crate::parse::name::ObjectName;
use crate::render::quote::{self, ident};
use crate::render::restore;
use pg_query::protobuf::{
    AlterTableCmd, AlterTableStmt, AlterTableType as At_, ConstrType, Constraint, DropBehavior, ObjectType, RangeVar,
};
use pg_query::NodeEnum;

enum Step {
    /// A subcommand of the inverse ALTER statement.
    Sub(String),
    /// A statement of its own, run after the inverse ALTER (partition commands cannot share an ALTER with
    /// anything else; comments and recreated indexes follow the constraint they belong to).
    Statements(Vec<String>),
    /// Subcommands, then statements.
    Both(String, Vec<String>),
    Nothing,
    /// Not reversible from what is known; the likely inverse, if any, is offered for review.
    Blocked(Blocker, Option<Box<Step>>),
}

fn blocked(code: crate::Code, message: String) -> Step {
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

pub fn alter_table(s: &AlterTableStmt, ctx: &mut Context, facts: &Facts) -> Outcome {
    let Some(rv) = &s.relation else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "ALTER without a relation");
    };
    let keyword = object_keyword(s.objtype());
    let mut subs = Vec::new();
    let mut statements = Vec::new();
    let mut first_blocker = None;
    for cmd in &s.cmds {
        let Some(NodeEnum::AlterTableCmd(cmd)) = &cmd.node else { continue };
        let step = match step(cmd, s, rv, ctx, facts) {
            Step::Blocked(blocker, partial) => {
                first_blocker.get_or_insert(blocker);
                partial.map_or(Step::Nothing, |p| *p)
            }
            step => step,
        };
        match step {
            Step::Sub(sql) => subs.push(sql),
            Step::Statements(sql) => statements.push(sql),
            Step::Both(sub, sql) => {
                subs.push(sub);
                statements.push(sql);
            }
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
    // Statements of later subcommands are undone first, like the subcommands themselves.
    statements.reverse();
    inverse.extend(statements.into_iter().flatten());
    Outcome { inverse, blocker: first_blocker, ..Default::default() }
}

fn step(cmd: &AlterTableCmd, s: &AlterTableStmt, rv: &RangeVar, ctx: &mut Context, facts: &Facts) -> Step {
    let column = ident(&cmd.name);
    let on_type = s.objtype() == ObjectType::ObjectType;
    let relation = ObjectName::from_range_var(rv);
    // Changes to a column this migration added go with its DROP COLUMN, unless they make it depend on
    // something created since (dropped first by the rollback).
    let new_column = is_column_change(cmd.subtype())
        && ctx.created_column(rv, &cmd.name)
        && (ctx.latest_column(rv, &cmd.name)
            || matches!(cmd.subtype(), At_::AtSetNotNull | At_::AtDropNotNull)
            || (cmd.subtype() == At_::AtColumnDefault && cmd.def.is_none()));
    if new_column && facts.capturing() {
        return Step::Nothing;
    }
    // Without ONLY, these subcommands also change the column in every child table and partition.
    let recursive = rv.inh;
    let step = match cmd.subtype() {
        At_::AtAddColumn | At_::AtAddColumnToView => add_column(cmd, rv, ctx, facts, on_type),
        At_::AtDropColumn => {
            if cmd.missing_ok && matches!(facts.column(At::Before, &relation, &cmd.name), Some(None)) {
                return Step::Nothing;
            }
            blocked(
                code::DROP_COLUMN,
                if on_type {
                    "Cannot auto-generate rollback for DROP ATTRIBUTE (its definition is not in the migration)".into()
                } else {
                    "Cannot auto-generate rollback for DROP COLUMN (data loss)".into()
                },
            )
        }
        At_::AtAddConstraint => add_constraint(cmd, rv, ctx, facts),
        At_::AtDropConstraint => drop_constraint(cmd, &relation, recursive, facts, on_type),
        At_::AtSetNotNull | At_::AtDropNotNull => not_null(cmd, &relation, recursive, facts),
        At_::AtEnableRowSecurity | At_::AtDisableRowSecurity | At_::AtForceRowSecurity | At_::AtNoForceRowSecurity => {
            row_security(cmd.subtype(), &relation, facts)
        }
        At_::AtEnableTrig | At_::AtDisableTrig | At_::AtEnableAlwaysTrig | At_::AtEnableReplicaTrig => {
            trigger_state(cmd, &relation, recursive, facts)
        }
        At_::AtAddInherit => match cmd.def.as_ref().and_then(|d| d.node.as_ref()) {
            Some(NodeEnum::RangeVar(parent)) => Step::Sub(format!("NO INHERIT {}", quote::relation(parent))),
            _ => blocked(code::UNSUPPORTED_STATEMENT, "INHERIT without a parent".into()),
        },
        At_::AtAttachPartition if s.objtype() == ObjectType::ObjectTable => attach_partition(cmd, rv, ctx, facts),
        At_::AtDetachPartition => detach_partition(cmd, rv, facts),
        At_::AtDetachPartitionFinalize => blocked(
            code::PREVIOUS_STATE_UNKNOWN,
            "Cannot auto-generate rollback for DETACH PARTITION ... FINALIZE: the partition bound is not in the migration"
                .into(),
        ),
        // Validating a constraint this migration added: its DROP CONSTRAINT removes it, validated or not (the
        // zero-downtime pattern ADD ... NOT VALID; VALIDATE).
        At_::AtValidateConstraint if ctx.created_constraint(rv, &cmd.name) => Step::Nothing,
        At_::AtValidateConstraint => validate_constraint(cmd, &relation, facts),
        // The sequence an identity creates is dropped with the identity; the column stays NOT NULL as it had to be.
        At_::AtAddIdentity => Step::Sub(format!("ALTER COLUMN {column} DROP IDENTITY")),
        At_::AtColumnDefault => column_default(cmd, &relation, recursive, facts),
        At_::AtAlterColumnType => column_type(cmd, &relation, facts),
        At_::AtChangeOwner => {
            match (facts.relation(At::Before, &relation, Lookup::SearchPath), facts.relation(At::After, &relation, Lookup::SearchPath)) {
                (Some(Some(r)), Some(Some(now))) => {
                    let roles = r.acl.iter().flat_map(|p| [&p.grantee, &p.grantor]).chain(&r.related_acl_roles);
                    match restore::owner_merged(&r.owner, &now.owner, roles) {
                        Some(why) => blocked(code::PREVIOUS_STATE_UNKNOWN, format!("Cannot auto-generate a safe rollback for ALTER TABLE OWNER TO: {why}")),
                        None => Step::Sub(format!("OWNER TO {}", ident(&r.owner))),
                    }
                }
                (Some(None), _) => Step::Nothing,
                _ => previous_state_unknown(s, cmd.subtype()),
            }
        }
        At_::AtSetLogged | At_::AtSetUnLogged => match facts.relation(At::Before, &relation, Lookup::SearchPath) {
            Some(Some(r)) if (r.persistence == "p") == (cmd.subtype() == At_::AtSetLogged) => Step::Nothing,
            Some(Some(r)) => {
                // Changing the table's persistence changes its sequences' too; those that differed from it
                // get their own back.
                let sequences: Vec<String> = r
                    .owned_sequences
                    .iter()
                    .filter(|q| q.persistence != r.persistence)
                    .map(|q| {
                        let persistence = if q.persistence == "u" { "UNLOGGED" } else { "LOGGED" };
                        format!("ALTER SEQUENCE {} SET {persistence}", ObjectName::qualified(&q.schema, &q.name))
                    })
                    .collect();
                let sub = if r.persistence == "u" { "SET UNLOGGED" } else { "SET LOGGED" }.to_owned();
                if sequences.is_empty() {
                    Step::Sub(sub)
                } else {
                    Step::Both(sub, sequences)
                }
            }
            Some(None) => Step::Nothing,
            None => previous_state_unknown(s, cmd.subtype()),
        },
        At_::AtSetRelOptions | At_::AtResetRelOptions => rel_options(cmd, s, &relation, facts),
        At_::AtReplicaIdentity => match facts.relation(At::Before, &relation, Lookup::SearchPath) {
            Some(Some(r)) => Step::Sub(match (r.replica_identity.as_str(), &r.replica_identity_index) {
                ("n", _) => "REPLICA IDENTITY NOTHING".into(),
                ("f", _) => "REPLICA IDENTITY FULL".into(),
                ("i", Some(index)) => format!("REPLICA IDENTITY USING INDEX {}", ident(index)),
                _ => "REPLICA IDENTITY DEFAULT".into(),
            }),
            Some(None) => Step::Nothing,
            None => previous_state_unknown(s, cmd.subtype()),
        },
        At_::AtClusterOn | At_::AtDropCluster => match facts.relation(At::Before, &relation, Lookup::SearchPath) {
            Some(Some(r)) => Step::Sub(match &r.clustered_index {
                Some(index) => format!("CLUSTER ON {}", ident(index)),
                None => "SET WITHOUT CLUSTER".into(),
            }),
            Some(None) => Step::Nothing,
            None => previous_state_unknown(s, cmd.subtype()),
        },
        At_::AtDropIdentity | At_::AtSetIdentity => match identity::restore(cmd, &relation, facts) {
            Some(identity::Restored::Nothing) => Step::Nothing,
            Some(identity::Restored::Done(Some(sub), statements)) if statements.is_empty() => Step::Sub(sub),
            Some(identity::Restored::Done(Some(sub), statements)) => Step::Both(sub, statements),
            Some(identity::Restored::Done(None, statements)) => Step::Statements(statements),
            Some(identity::Restored::Refused(why)) => blocked(
                code::PREVIOUS_STATE_UNKNOWN,
                format!("Cannot auto-generate a safe rollback for ALTER TABLE {}: {why}", subcommand_name(cmd.subtype())),
            ),
            None => previous_state_unknown(s, cmd.subtype()),
        },
        subtype if column_settings::is_column_setting(subtype) => {
            match column_settings::restore(cmd, s.objtype(), &relation, facts) {
                Some(r) if r.subs.is_empty() && r.statements.is_empty() => Step::Nothing,
                Some(r) if r.statements.is_empty() => Step::Sub(r.subs.join(", ")),
                Some(r) if r.subs.is_empty() => Step::Statements(r.statements),
                Some(r) => Step::Both(r.subs.join(", "), r.statements),
                None => previous_state_unknown(s, subtype),
            }
        }
        other => previous_state_unknown(s, other),
    };
    match step {
        // A column this migration added is dropped later in the rollback, taking any change to it along.
        Step::Blocked(..) if new_column => Step::Nothing,
        step => step,
    }
}

fn previous_state_unknown(s: &AlterTableStmt, subtype: At_) -> Step {
    blocked(
        code::PREVIOUS_STATE_UNKNOWN,
        format!(
            "Cannot auto-generate rollback for ALTER {} {}: the previous state is not in the migration",
            object_keyword(s.objtype()),
            subcommand_name(subtype)
        ),
    )
}

fn add_column(cmd: &AlterTableCmd, rv: &RangeVar, ctx: &mut Context, facts: &Facts, on_type: bool) -> Step {
    let Some(NodeEnum::ColumnDef(def)) = cmd.def.as_ref().and_then(|d| d.node.as_ref()) else {
        return blocked(code::UNSUPPORTED_STATEMENT, "ADD COLUMN without a column definition".into());
    };
    let relation = ObjectName::from_range_var(rv);
    if cmd.missing_ok {
        match facts.column(At::Before, &relation, &def.colname) {
            // It existed: ADD COLUMN IF NOT EXISTS did nothing.
            Some(Some(_)) => return Step::Nothing,
            Some(None) => {}
            None => {
                return blocked(
                    code::IF_NOT_EXISTS,
                    format!(
                        "Cannot auto-generate rollback for ADD COLUMN IF NOT EXISTS: {relation}.{} may have existed \
                         before the migration",
                        ident(&def.colname)
                    ),
                )
            }
        }
    }
    // A child table's own column of that name is merged into the new one; dropping the parent's column
    // would then leave the child's column changed (its inheritance, and what the new column brought along).
    if !ctx.created_relation(rv) && !on_type {
        if let Some(Some(added)) = facts.column(At::After, &relation, &def.colname) {
            if let Some(merged) = added.descendants.iter().find(|d| d.is_local) {
                return blocked(
                    code::MERGED_COLUMN,
                    format!(
                        "Cannot auto-generate a safe rollback for ADD COLUMN {}: it merged with the existing column of \
                         child table {}, which dropping it again would leave changed",
                        ident(&def.colname),
                        merged.relation
                    ),
                );
            }
        }
    }
    ctx.record_column(rv, &def.colname);
    let what = if on_type { "ATTRIBUTE" } else { "COLUMN" };
    // ADD ATTRIBUTE ... CASCADE also changed typed tables; the drop must reach them too.
    let cascade = if cmd.behavior() == DropBehavior::DropCascade { " CASCADE" } else { "" };
    Step::Sub(format!("DROP {what} {}{cascade}", ident(&def.colname)))
}

fn column_default(cmd: &AlterTableCmd, relation: &ObjectName, recursive: bool, facts: &Facts) -> Step {
    let column = ident(&cmd.name);
    let unknown = || {
        blocked(
            code::PREVIOUS_STATE_UNKNOWN,
            format!(
                "Cannot auto-generate rollback for ALTER COLUMN {column} {} DEFAULT: the previous default is not in the migration",
                if cmd.def.is_some() { "SET" } else { "DROP" }
            ),
        )
    };
    let Some(found) = facts.column(At::Before, relation, &cmd.name) else { return unknown() };
    let Some(col) = found else { return Step::Nothing };
    if recursive && col.descendants.iter().any(|d| d.default != col.default) {
        return children_differ(&column, "default", col);
    }
    Step::Sub(match &col.default {
        Some(default) => format!("ALTER COLUMN {column} SET DEFAULT {default}"),
        None => format!("ALTER COLUMN {column} DROP DEFAULT"),
    })
}

fn children_differ(column: &str, what: &str, col: &ColumnFacts) -> Step {
    let children: Vec<String> = col.descendants.iter().map(|d| d.relation.to_string()).collect();
    blocked(
        code::CHILDREN_DIFFER,
        format!(
            "Cannot auto-generate a safe rollback: the change to column {column} also applies to {}, whose {what} was \
             not the same as {}'s",
            children.join(", "),
            col.relation
        ),
    )
}

fn not_null(cmd: &AlterTableCmd, relation: &ObjectName, recursive: bool, facts: &Facts) -> Step {
    let column = ident(&cmd.name);
    let set = cmd.subtype() == At_::AtSetNotNull;
    let (done, undo) = if set { ("SET", "DROP") } else { ("DROP", "SET") };
    let Some(found) = facts.column(At::Before, relation, &cmd.name) else {
        return state_flip(
            &format!("ALTER COLUMN {column} {done} NOT NULL"),
            Step::Sub(format!("ALTER COLUMN {column} {undo} NOT NULL")),
        );
    };
    let Some(col) = found else { return Step::Nothing };
    let reached = || col.descendants.iter().filter(|_| recursive);
    // PostgreSQL 18: SET NOT NULL on a column whose NOT NULL constraint is NOT VALID validates it.
    let validates = set && col.not_null && !col.not_null_validated;
    if !validates && col.not_null == set && reached().all(|d| d.not_null == set) {
        return Step::Nothing;
    }
    if reached().any(|d| d.not_null != col.not_null) {
        return children_differ(&column, "nullability", col);
    }
    if validates {
        return match (&col.not_null_constraint, col.descendants.is_empty()) {
            (Some(name), true) => Step::Sub(format!(
                "DROP CONSTRAINT {name}, ADD CONSTRAINT {name} NOT NULL {column} NOT VALID",
                name = ident(name)
            )),
            _ => blocked(
                code::PREVIOUS_STATE_UNKNOWN,
                format!(
                    "Cannot auto-generate a safe rollback for ALTER COLUMN {column} SET NOT NULL: it validates the \
                     NOT VALID NOT NULL constraint of {}, of its descendants too",
                    col.relation
                ),
            ),
        };
    }
    match (&col.not_null_constraint, set) {
        // PostgreSQL 18 names NOT NULL constraints; a NOT VALID one, one with a comment, or a name other than
        // the generated one is put back as it was.
        (Some(name), false)
            if !col.not_null_validated
                || col.not_null_comment.is_some()
                || *name != format!("{}_{}_not_null", relation.name, cmd.name) =>
        {
            let name = ident(name);
            let not_valid = if col.not_null_validated { "" } else { " NOT VALID" };
            let sub = format!("ADD CONSTRAINT {name} NOT NULL {column}{not_valid}");
            match &col.not_null_comment {
                Some(comment) => {
                    Step::Both(sub, vec![restore::comment(&format!("CONSTRAINT {name} ON {relation}"), Some(comment))])
                }
                None => Step::Sub(sub),
            }
        }
        _ => Step::Sub(format!("ALTER COLUMN {column} {undo} NOT NULL")),
    }
}

/// `ADD [CONSTRAINT name] NOT NULL c` (PostgreSQL 18): on a column that already has a NOT NULL constraint of
/// that name PostgreSQL does nothing, and dropping "the new one" would drop the old one.
fn add_not_null_constraint(c: &Constraint, rv: &RangeVar, ctx: &mut Context, facts: &Facts) -> Step {
    let relation = ObjectName::from_range_var(rv);
    let keys = quote::name_parts(&c.keys).unwrap_or_default();
    let [key] = keys[..] else {
        return blocked(code::UNSUPPORTED_STATEMENT, "ADD CONSTRAINT NOT NULL without exactly one column".into());
    };
    let column = ident(key);
    let undo = match c.conname.as_str() {
        "" => format!("ALTER COLUMN {column} DROP NOT NULL"),
        name => format!("DROP CONSTRAINT {}", ident(name)),
    };
    if !c.conname.is_empty() {
        ctx.record_constraint(rv, &c.conname);
    }
    if ctx.created_column(rv, key) {
        return Step::Sub(undo);
    }
    match facts.column(At::Before, &relation, key) {
        Some(Some(col)) if col.not_null => {
            if c.is_no_inherit || col.descendants.iter().all(|d| d.not_null) {
                Step::Nothing
            } else {
                children_differ(&column, "nullability", col)
            }
        }
        Some(Some(col)) if col.descendants.iter().any(|d| d.not_null) => children_differ(&column, "nullability", col),
        Some(_) => Step::Sub(undo),
        None => Step::Blocked(
            Blocker {
                code: code::PREVIOUS_STATE_UNKNOWN,
                message: format!(
                    "Cannot auto-generate a safe rollback for ADD CONSTRAINT NOT NULL {column}: if the column already \
                     had that NOT NULL constraint PostgreSQL changes nothing, and whether it had is not in the \
                     migration; the opposite command is offered for review"
                ),
            },
            Some(Box::new(Step::Sub(undo))),
        ),
    }
}

fn row_security(subtype: At_, relation: &ObjectName, facts: &Facts) -> Step {
    let (what, inverse) = match subtype {
        At_::AtEnableRowSecurity => ("ENABLE ROW LEVEL SECURITY", "DISABLE ROW LEVEL SECURITY"),
        At_::AtDisableRowSecurity => ("DISABLE ROW LEVEL SECURITY", "ENABLE ROW LEVEL SECURITY"),
        At_::AtForceRowSecurity => ("FORCE ROW LEVEL SECURITY", "NO FORCE ROW LEVEL SECURITY"),
        _ => ("NO FORCE ROW LEVEL SECURITY", "FORCE ROW LEVEL SECURITY"),
    };
    let Some(found) = facts.relation(At::Before, relation, Lookup::SearchPath) else {
        return state_flip(what, Step::Sub(inverse.into()));
    };
    let Some(r) = found else { return Step::Nothing };
    let already = match subtype {
        At_::AtEnableRowSecurity => r.row_security,
        At_::AtDisableRowSecurity => !r.row_security,
        At_::AtForceRowSecurity => r.force_row_security,
        _ => !r.force_row_security,
    };
    if already {
        Step::Nothing
    } else {
        Step::Sub(inverse.into())
    }
}

fn trigger_state(cmd: &AlterTableCmd, relation: &ObjectName, recursive: bool, facts: &Facts) -> Step {
    let name = ident(&cmd.name);
    let (target, done, undo) = match cmd.subtype() {
        At_::AtEnableTrig => ("O", "ENABLE", "DISABLE"),
        At_::AtEnableAlwaysTrig => ("A", "ENABLE ALWAYS", "DISABLE"),
        At_::AtEnableReplicaTrig => ("R", "ENABLE REPLICA", "DISABLE"),
        _ => ("D", "DISABLE", "ENABLE"),
    };
    let Some(found) = facts.trigger(At::Before, relation, &cmd.name) else {
        if matches!(cmd.subtype(), At_::AtEnableAlwaysTrig | At_::AtEnableReplicaTrig) {
            return blocked(
                code::PREVIOUS_STATE_UNKNOWN,
                format!("Cannot auto-generate rollback for ALTER TABLE {done} TRIGGER {name}: the previous state is not in the migration"),
            );
        }
        return state_flip(&format!("{done} TRIGGER {name}"), Step::Sub(format!("{undo} TRIGGER {name}")));
    };
    let Some(trigger) = found else { return Step::Nothing };
    if recursive && trigger.clones_differ {
        return blocked(
            code::CHILDREN_DIFFER,
            format!(
                "Cannot auto-generate a safe rollback for {done} TRIGGER {name}: its copies on partitions of {relation} \
                 were not all in the same state"
            ),
        );
    }
    if trigger.enabled == target {
        return Step::Nothing;
    }
    Step::Sub(match trigger.enabled.as_str() {
        "D" => format!("DISABLE TRIGGER {name}"),
        "A" => format!("ENABLE ALWAYS TRIGGER {name}"),
        "R" => format!("ENABLE REPLICA TRIGGER {name}"),
        _ => format!("ENABLE TRIGGER {name}"),
    })
}

fn add_constraint(cmd: &AlterTableCmd, rv: &RangeVar, ctx: &mut Context, facts: &Facts) -> Step {
    let Some(NodeEnum::Constraint(c)) = cmd.def.as_ref().and_then(|d| d.node.as_ref()) else {
        return blocked(code::UNSUPPORTED_STATEMENT, "ADD CONSTRAINT without a definition".into());
    };
    if c.contype() == ConstrType::ConstrNotnull {
        return add_not_null_constraint(c, rv, ctx, facts);
    }
    let relation = ObjectName::from_range_var(rv);
    // Everything this needs from before the statement is asked first, whatever the answers turn out to be.
    // Constraints of the table and its partitions before: what a new one might have adopted instead of creating.
    let before = if facts.capturing() { facts.constraints(At::Before, &relation) } else { None };
    let keys = quote::name_parts(&c.keys).unwrap_or_default();
    let key_columns_are_new = !keys.is_empty() && keys.iter().all(|col| ctx.created_column(rv, col));
    let key_columns: Option<Vec<_>> = if c.contype() == ConstrType::ConstrPrimary && !key_columns_are_new {
        keys.iter()
            .map(|k| facts.column(At::Before, &relation, k).map(|c| (*k, c)))
            .collect::<Vec<_>>()
            .into_iter()
            .collect()
    } else {
        Some(Vec::new())
    };
    let using_index = (!c.indexname.is_empty())
        .then(|| facts.index(At::Before, &ObjectName::unqualified(&c.indexname), Lookup::Beside(relation.clone())));
    let name = if !c.conname.is_empty() {
        c.conname.clone()
    } else {
        // PostgreSQL chose the name: the constraint on the table itself that was not there before.
        let chosen = before.zip(facts.constraints(At::After, &relation)).map(|(before, after)| {
            let new: Vec<_> = after
                .iter()
                .filter(|a| !a.inherited && a.kind != "n" && !before.iter().any(|b| b.oid == a.oid))
                .collect();
            match new.as_slice() {
                [one] => Some(one.name.clone()),
                _ => None,
            }
        });
        match chosen {
            Some(Some(name)) => name,
            _ => {
                return blocked(
                    code::UNNAMED_OBJECT,
                    format!(
                        "Cannot auto-generate rollback for ADD CONSTRAINT without a name on {}: PostgreSQL chooses the name",
                        quote::relation(rv)
                    ),
                )
            }
        }
    };
    let name_sql = ident(&name);
    let mut statements = Vec::new();
    if let Some(found) = using_index {
        // The index becomes the constraint's (renamed after it), and dropping the constraint drops it.
        match found {
            Some(Some(found)) => match index_statements(found, false) {
                Ok(recreate) => statements.extend(recreate),
                Err(why) => return blocked(code::PREVIOUS_STATE_UNKNOWN, format!("Cannot auto-generate a safe rollback for ADD CONSTRAINT {name_sql} USING INDEX: {why}")),
            },
            _ => {
                return blocked(
                    code::PREVIOUS_STATE_UNKNOWN,
                    format!(
                        "Cannot auto-generate rollback for ADD CONSTRAINT {name_sql} USING INDEX: the index {} becomes part of the constraint and dropping the constraint drops it",
                        ident(&c.indexname)
                    ),
                )
            }
        }
    }
    let mut sub = format!("DROP CONSTRAINT {name_sql}");
    if c.contype() == ConstrType::ConstrPrimary {
        if !key_columns_are_new {
            // PostgreSQL also marks the key columns NOT NULL; dropping the key leaves them so.
            let Some(columns) = key_columns.filter(|_| !keys.is_empty()) else {
                return Step::Blocked(
                    Blocker {
                        code: code::PRIMARY_KEY_SETS_NOT_NULL,
                        message: format!(
                            "Cannot auto-generate a safe rollback for ADD CONSTRAINT {name_sql} PRIMARY KEY: PostgreSQL also marks the key columns NOT NULL, dropping the key does not undo that, and their previous nullability is not in the migration"
                        ),
                    },
                    None,
                );
            };
            for (key, col) in columns {
                let Some(col) = col else { continue };
                // DROP NOT NULL reaches the descendants too: right only if they were nullable as well.
                if col.descendants.iter().any(|d| d.not_null != col.not_null) {
                    return children_differ(&ident(key), "nullability", col);
                }
                if !col.not_null {
                    sub.push_str(&format!(", ALTER COLUMN {} DROP NOT NULL", ident(key)));
                }
            }
        }
    }
    // On a partitioned table, a new key or foreign key adopts an equal one that a partition (at any depth)
    // already had, and a CHECK merges with one of the same name; dropping the new one would drop that too
    // (a partition's merged CHECK stops being its own; a plain child's stays its own).
    if let Some(before) = before.filter(|b| b.iter().any(|c| c.inherited)) {
        if matches!(
            c.contype(),
            ConstrType::ConstrPrimary
                | ConstrType::ConstrUnique
                | ConstrType::ConstrForeign
                | ConstrType::ConstrExclusion
                | ConstrType::ConstrCheck
        ) {
            match facts.constraint(At::After, &relation, &name) {
                Some(Some(added)) => {
                    let merged = before.iter().filter(|b| added.children.contains(&b.oid));
                    let kept_apart = |b: &&ConstraintSummary| {
                        c.contype() == ConstrType::ConstrCheck
                            && matches!(facts.relation(At::After, &b.relation, Lookup::SearchPath), Some(Some(r)) if !r.is_partition)
                    };
                    if let Some(adopted) = merged.filter(|b| !kept_apart(b)).next() {
                        return blocked(
                            code::ADOPTED_EXISTING,
                            format!(
                                "Cannot auto-generate a safe rollback for ADD CONSTRAINT {name_sql}: it adopted the existing constraint {} of {}, which dropping it would drop too",
                                ident(&adopted.name),
                                adopted.relation
                            ),
                        );
                    }
                }
                Some(None) => {}
                None => return blocked(code::ADOPTED_EXISTING, format!("Cannot auto-generate a safe rollback for ADD CONSTRAINT {name_sql} on a table with partitions: whether it adopted an existing constraint is not known")),
            }
        }
    }
    ctx.record_constraint(rv, &name);
    if statements.is_empty() {
        Step::Sub(sub)
    } else {
        Step::Both(sub, statements)
    }
}

fn drop_constraint(cmd: &AlterTableCmd, relation: &ObjectName, recursive: bool, facts: &Facts, on_type: bool) -> Step {
    let name = ident(&cmd.name);
    // CASCADE takes what depends on it (a view grouping by a primary key, foreign keys): not created again.
    let cascade_dependents = (cmd.behavior() == DropBehavior::DropCascade && !on_type).then(|| {
        let mut names: Vec<String> = relation.schema.iter().cloned().collect();
        names.extend([relation.name.clone(), cmd.name.clone()]);
        facts.dependents(At::Before, &ObjectAddress { kind: "table constraint".to_owned(), names, args: Some(vec![]) })
    });
    let unknown = || {
        blocked(
            code::DROP_CONSTRAINT,
            format!(
                "Cannot auto-generate rollback for DROP CONSTRAINT {name} (its definition is not in the migration)"
            ),
        )
    };
    let Some(found) = facts.constraint(At::Before, relation, &cmd.name) else { return unknown() };
    let Some(c) = found else { return Step::Nothing };
    let refuse = |why: String| {
        blocked(
            code::DROP_CONSTRAINT,
            format!("Cannot auto-generate a safe rollback for DROP CONSTRAINT {name}: {why}"),
        )
    };
    match cascade_dependents {
        None => {}
        Some(None) => return unknown(),
        Some(Some(dependents)) if !dependents.is_empty() => {
            return refuse(format!("CASCADE also drops {}", dependents.join(", ")))
        }
        Some(Some(_)) => {}
    }
    if !c.referenced_by.is_empty() {
        return refuse(format!("foreign keys depend on it ({})", c.referenced_by.join(", ")));
    }
    if c.has_parent || c.inherit_count > 0 {
        return refuse("it is inherited from a parent table".into());
    }
    if !c.children.is_empty() {
        return refuse(format!(
            "{} of its copies on partitions or child tables {} dropped with it",
            c.children.len(),
            if recursive { "are" } else { "are changed when it is" }
        ));
    }
    let mut statements = Vec::new();
    if c.comment.is_some() {
        statements.push(restore::comment(&format!("CONSTRAINT {name} ON {relation}"), c.comment.as_deref()));
    }
    if let Some(index) = &c.index {
        if let Some(tablespace) = &index.tablespace {
            return refuse(format!("its index was in tablespace {}", ident(tablespace)));
        }
        // pg_get_constraintdef leaves out the index's storage parameters.
        if !index.options.is_empty() {
            let index_name = ObjectName::qualified(&index.schema, &index.name);
            let options: Vec<String> = index
                .options
                .iter()
                .map(|o| {
                    let (key, value) = o.split_once('=').unwrap_or((o, ""));
                    format!("{}={}", ident(key), quote::literal(value))
                })
                .collect();
            statements.push(format!("ALTER INDEX {index_name} SET ({})", options.join(", ")));
        }
        statements.extend(drops::index_properties(index));
    }
    let sub = format!("ADD CONSTRAINT {name} {}", c.definition);
    if statements.is_empty() {
        Step::Sub(sub)
    } else {
        Step::Both(sub, statements)
    }
}

fn validate_constraint(cmd: &AlterTableCmd, relation: &ObjectName, facts: &Facts) -> Step {
    let name = ident(&cmd.name);
    let Some(found) = facts.constraint(At::Before, relation, &cmd.name) else {
        return blocked(
            code::NO_INVERSE_OPERATION,
            format!("Cannot auto-generate rollback for VALIDATE CONSTRAINT {name}: PostgreSQL cannot un-validate a constraint"),
        );
    };
    let Some(c) = found else { return Step::Nothing };
    if c.validated {
        return Step::Nothing;
    }
    if !c.children.is_empty() || c.inherit_count > 0 || c.has_parent {
        return blocked(
            code::NO_INVERSE_OPERATION,
            format!("Cannot auto-generate a safe rollback for VALIDATE CONSTRAINT {name}: it has copies on partitions or child tables"),
        );
    }
    // Un-validating is dropping and adding it again NOT VALID, as it was.
    let mut statements = Vec::new();
    if c.comment.is_some() {
        statements.push(restore::comment(&format!("CONSTRAINT {name} ON {relation}"), c.comment.as_deref()));
    }
    let sub = format!("DROP CONSTRAINT {name}, ADD CONSTRAINT {name} {}", c.definition);
    if statements.is_empty() {
        Step::Sub(sub)
    } else {
        Step::Both(sub, statements)
    }
}

fn column_type(cmd: &AlterTableCmd, relation: &ObjectName, facts: &Facts) -> Step {
    let column = ident(&cmd.name);
    let message = |extra: &str| {
        format!(
            "Cannot auto-generate a safe rollback for ALTER COLUMN {column} TYPE: changing a column's type can change \
             or lose its values{extra}"
        )
    };
    match facts.column(At::Before, relation, &cmd.name) {
        Some(Some(col)) => Step::Blocked(
            Blocker { code: code::COLUMN_TYPE, message: message("; the change back to its previous type is offered for review") },
            Some(Box::new(Step::Sub(format!(
                "ALTER COLUMN {column} TYPE {} USING {column}::{}",
                col.type_name, col.type_name
            )))),
        ),
        _ => blocked(
            code::PREVIOUS_STATE_UNKNOWN,
            format!("Cannot auto-generate rollback for ALTER COLUMN {column} TYPE: the previous type is not in the migration"),
        ),
    }
}

fn rel_options(cmd: &AlterTableCmd, s: &AlterTableStmt, relation: &ObjectName, facts: &Facts) -> Step {
    let Some(NodeEnum::List(list)) = cmd.def.as_ref().and_then(|d| d.node.as_ref()) else {
        return previous_state_unknown(s, cmd.subtype());
    };
    let keys: Option<Vec<&str>> = list
        .items
        .iter()
        .map(|item| match &item.node {
            Some(NodeEnum::DefElem(d)) if d.defnamespace.is_empty() => Some(d.defname.as_str()),
            _ => None,
        })
        .collect();
    let (Some(keys), Some(Some(r))) = (keys, facts.relation(At::Before, relation, Lookup::SearchPath)) else {
        return previous_state_unknown(s, cmd.subtype());
    };
    let old = |key: &str| r.options.iter().find_map(|o| o.strip_prefix(key).and_then(|v| v.strip_prefix('=')));
    let (set, reset): (Vec<&str>, Vec<&str>) = keys.into_iter().partition(|k| old(k).is_some());
    let mut subs = Vec::new();
    if !reset.is_empty() {
        subs.push(format!("RESET ({})", reset.iter().map(|k| ident(k)).collect::<Vec<_>>().join(", ")));
    }
    if !set.is_empty() {
        let values: Vec<String> =
            set.iter().map(|k| format!("{}={}", ident(k), quote::literal(old(k).unwrap_or_default()))).collect();
        subs.push(format!("SET ({})", values.join(", ")));
    }
    Step::Sub(subs.join(", "))
}

fn attach_partition(cmd: &AlterTableCmd, parent: &RangeVar, ctx: &Context, facts: &Facts) -> Step {
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
        return Step::Statements(vec![detach]);
    }
    // What the attach created on the partition (copies of the parent's indexes and keys) stays after a
    // detach: drop it. What it adopted (equal indexes the partition had) goes back to being the partition's own.
    let name = ObjectName::from_range_var(child);
    let asked = (
        facts.indexes(At::Before, &name),
        facts.indexes(At::After, &name),
        facts.constraints(At::Before, &name),
        facts.constraints(At::After, &name),
    );
    let captured = (|| {
        let (indexes_before, indexes_after) = (asked.0?, asked.1?);
        let (constraints_before, constraints_after) = (asked.2?, asked.3?);
        let new_constraints: Vec<_> = constraints_after
            .iter()
            .filter(|c| !c.inherited && c.kind != "n" && !constraints_before.iter().any(|b| b.oid == c.oid))
            .collect();
        let new_indexes: Vec<_> = indexes_after
            .iter()
            .filter(|i| !i.inherited && i.constraint.is_none() && !indexes_before.iter().any(|b| b.oid == i.oid))
            .collect();
        Some((new_constraints, new_indexes))
    })();
    // A partitioned partition's own partitions: what the attach created there must go with what it created on
    // the partition itself (dropped with it), and nothing they had before may have been adopted by that.
    let below = captured.as_ref().and_then(|_| {
        let (indexes_before, indexes_after) = (asked.0?, asked.1?);
        let (constraints_before, constraints_after) = (asked.2?, asked.3?);
        let new_index_facts: Option<Vec<_>> = indexes_after
            .iter()
            .filter(|i| !i.inherited && !indexes_before.iter().any(|b| b.oid == i.oid))
            .map(|i| facts.index(At::After, &ObjectName::qualified(&i.schema, &i.name), Lookup::SearchPath).flatten())
            .collect();
        let new_constraint_facts: Option<Vec<_>> = constraints_after
            .iter()
            .filter(|c| !c.inherited && c.kind != "n" && !constraints_before.iter().any(|b| b.oid == c.oid))
            .map(|c| facts.constraint(At::After, &name, &c.name).flatten())
            .collect();
        let (new_index_facts, new_constraint_facts) = (new_index_facts?, new_constraint_facts?);
        let index_adopted = indexes_before
            .iter()
            .find(|b| b.inherited && new_index_facts.iter().any(|n| n.partitions.contains(&b.oid)))
            .map(|b| format!("index {} of {}", ObjectName::qualified(&b.schema, &b.name), b.table));
        let index_stranded = indexes_after
            .iter()
            .filter(|a| a.inherited && !indexes_before.iter().any(|b| b.oid == a.oid))
            .find(|a| !new_index_facts.iter().any(|n| n.partitions.contains(&a.oid)))
            .map(|a| format!("index {} of {}", ObjectName::qualified(&a.schema, &a.name), a.table));
        let constraint_adopted = constraints_before
            .iter()
            .find(|b| b.inherited && new_constraint_facts.iter().any(|n| n.children.contains(&b.oid)))
            .map(|b| format!("constraint {} of {}", ident(&b.name), b.relation));
        let constraint_stranded = constraints_after
            .iter()
            .filter(|a| a.inherited && a.kind != "n" && !constraints_before.iter().any(|b| b.oid == a.oid))
            .find(|a| !new_constraint_facts.iter().any(|n| n.children.contains(&a.oid)))
            .map(|a| format!("constraint {} of {}", ident(&a.name), a.relation));
        Some(index_adopted.or(index_stranded).or(constraint_adopted).or(constraint_stranded))
    });
    let captured = match below {
        Some(None) => captured,
        Some(Some(what)) => {
            return Step::Blocked(
                Blocker {
                    code: code::ATTACH_PARTITION,
                    message: format!(
                        "Cannot auto-generate a safe rollback for ATTACH PARTITION {}: the attach merged with or created the {what}, which detaching and dropping what it created cannot put back",
                        quote::relation(child)
                    ),
                },
                Some(Box::new(Step::Statements(vec![detach]))),
            )
        }
        None => None,
    };
    let Some((new_constraints, new_indexes)) = captured else {
        return Step::Blocked(
            Blocker {
                code: code::ATTACH_PARTITION,
                message: format!(
                    "Cannot auto-generate a safe rollback for ATTACH PARTITION {}: PostgreSQL creates copies of the parent's indexes, foreign keys and triggers on the partition where it lacks them, and DETACH PARTITION keeps them; the generated DETACH PARTITION needs review",
                    quote::relation(child)
                ),
            },
            Some(Box::new(Step::Statements(vec![detach]))),
        );
    };
    let mut statements = vec![detach];
    if !new_constraints.is_empty() {
        let drops: Vec<String> =
            new_constraints.iter().map(|c| format!("DROP CONSTRAINT {}", ident(&c.name))).collect();
        statements.push(format!("ALTER TABLE {} {}", quote::relation(child), drops.join(", ")));
    }
    for index in new_indexes {
        statements.push(format!("DROP INDEX {}", ObjectName::qualified(&index.schema, &index.name)));
    }
    Step::Statements(statements)
}

fn detach_partition(cmd: &AlterTableCmd, parent: &RangeVar, facts: &Facts) -> Step {
    let unknown = || {
        blocked(
            code::PREVIOUS_STATE_UNKNOWN,
            "Cannot auto-generate rollback for DETACH PARTITION: the partition bound is not in the migration".into(),
        )
    };
    let Some(NodeEnum::PartitionCmd(p)) = cmd.def.as_ref().and_then(|d| d.node.as_ref()) else { return unknown() };
    let Some(child) = &p.name else { return unknown() };
    match facts.relation(At::Before, &ObjectName::from_range_var(child), Lookup::SearchPath) {
        Some(Some(r)) => match &r.partition_bound {
            Some(_) if !r.parent_indexes_without_partition.is_empty() => blocked(
                code::ATTACH_PARTITION,
                format!(
                    "Cannot auto-generate a safe rollback for DETACH PARTITION {}: attaching it again would create an index on it for {} of {} (created ON ONLY, or with no valid index of its own attached), or attach another of its equal indexes",
                    quote::relation(child),
                    r.parent_indexes_without_partition.iter().map(|i| ident(i)).collect::<Vec<_>>().join(", "),
                    quote::relation(parent)
                ),
            ),
            Some(_) if r.cloned_trigger_states.iter().any(|t| t.internal) => blocked(
                code::ATTACH_PARTITION,
                format!(
                    "Cannot auto-generate a safe rollback for DETACH PARTITION {}: foreign key triggers on it (or its partitions) were enabled differently from the parent's, and attaching it again re-creates them enabled under other names",
                    quote::relation(child)
                ),
            ),
            Some(_) if r.cloned_trigger_states.iter().any(|t| t.renamed) => blocked(
                code::ATTACH_PARTITION,
                format!(
                    "Cannot auto-generate a safe rollback for DETACH PARTITION {}: copies of the parent's triggers on it (or its partitions) were renamed, and attaching it again names them after the parent's",
                    quote::relation(child)
                ),
            ),
            Some(bound) => {
                let mut statements = vec![format!(
                    "ALTER TABLE {} ATTACH PARTITION {} {bound}",
                    quote::relation(parent),
                    quote::relation(child)
                )];
                // DETACH drops the clones of the parent's triggers; ATTACH clones them again in the parent's
                // state. Clones (at any depth) that were in a state of their own get it back, top down.
                for clone in &r.cloned_trigger_states {
                    let state = match clone.enabled.as_str() {
                        "D" => "DISABLE",
                        "A" => "ENABLE ALWAYS",
                        "R" => "ENABLE REPLICA",
                        _ => "ENABLE",
                    };
                    statements.push(format!("ALTER TABLE ONLY {} {state} TRIGGER {}", clone.relation, ident(&clone.name)));
                }
                Step::Statements(statements)
            }
            None => Step::Nothing,
        },
        Some(None) => Step::Nothing,
        None => unknown(),
    }
}

/// Subcommands that change one column named in `cmd.name`.
fn is_column_change(subtype: At_) -> bool {
    matches!(
        subtype,
        At_::AtColumnDefault
            | At_::AtAlterColumnType
            | At_::AtSetNotNull
            | At_::AtDropNotNull
            | At_::AtSetStatistics
            | At_::AtSetOptions
            | At_::AtResetOptions
            | At_::AtSetStorage
            | At_::AtSetCompression
            | At_::AtSetExpression
            | At_::AtDropExpression
            | At_::AtAddIdentity
            | At_::AtSetIdentity
            | At_::AtDropIdentity
            | At_::AtAlterColumnGenericOptions
    )
}

fn subcommand_name(subtype: At_) -> String {
    crate::invert::families::variant_words(&subtype, "At", "")
}
