//! Subcommands beside the drops and type changes of one `ALTER TABLE`: the restore undoes them first
//! (PostgreSQL runs drops and type changes in its first passes, everything else after), with the inverse the
//! SQL alone gives when that inverse is SAFE. When it needs the state before (`DROP NOT NULL`, `ADD PRIMARY KEY`,
//! `SET DEFAULT`), the archive learns it by running the other subcommands alone with capture under a savepoint
//! that it rolls back ([`Split::to_capture`]); only kinds whose inverse cannot depend on the dropped or retyped
//! columns' restore coming first are accepted there.
use crate::parse::name::ObjectName;
use crate::render::quote::ident;
use pg_query::protobuf::{AlterTableCmd, AlterTableStmt, AlterTableType, Node};
use pg_query::NodeEnum;

/// What [`split`] makes of one `ALTER TABLE`.
pub(super) struct Split {
    /// The drops and type changes, in order.
    pub kept: Vec<AlterTableCmd>,
    /// What undoes the other subcommands from the SQL alone (run after the captured inverse, if any).
    pub undone: Option<String>,
    /// The other subcommands as an `ALTER TABLE` of their own, when their inverse needs the state before.
    pub to_capture: Option<super::OthersToCapture>,
}

/// The drops and type changes of `statement` (in order), and the inverse of its other subcommands. A default
/// set or dropped on a retyped column is undone by dropping whatever default it has: the type's restore then
/// sets the old one.
pub(super) fn split(statement: &AlterTableStmt, destroying: impl Fn(AlterTableType) -> bool) -> Result<Split, String> {
    let cmds: Vec<&AlterTableCmd> = statement
        .cmds
        .iter()
        .filter_map(|c| match &c.node {
            Some(NodeEnum::AlterTableCmd(cmd)) => Some(&**cmd),
            _ => None,
        })
        .collect();
    let retyped: Vec<&str> =
        cmds.iter().filter(|c| c.subtype() == AlterTableType::AtAlterColumnType).map(|c| c.name.as_str()).collect();
    let (mut kept, mut others, mut defaults) = (Vec::new(), Vec::new(), Vec::<&str>::new());
    for (cmd, node) in cmds.iter().zip(&statement.cmds) {
        if destroying(cmd.subtype()) {
            kept.push((*cmd).clone());
        } else if cmd.subtype() == AlterTableType::AtColumnDefault && retyped.contains(&cmd.name.as_str()) {
            if !defaults.contains(&cmd.name.as_str()) {
                defaults.push(&cmd.name);
            }
        } else {
            others.push(node.clone());
        }
    }
    let (mut undone, mut to_capture) = (String::new(), None);
    if !others.is_empty() {
        match others_undone(statement, others.clone()) {
            Ok(sql) => undone = sql,
            Err(why) => match capturable(&others) {
                true => {
                    let drops: Vec<Node> = statement
                        .cmds
                        .iter()
                        .filter(|n| matches!(&n.node, Some(NodeEnum::AlterTableCmd(c)) if c.subtype() == AlterTableType::AtDropColumn))
                        .cloned()
                        .collect();
                    let drops_first = match drops.is_empty() {
                        true => None,
                        false => Some(alone(statement, drops)?),
                    };
                    if drops_first.is_some() {
                        others = others.into_iter().map(drop_constraint_if_exists).collect();
                    }
                    to_capture = Some(super::OthersToCapture { drops_first, others: alone(statement, others)? })
                }
                false => return Err(why),
            },
        }
    }
    let relation = statement.relation.as_ref().map(ObjectName::from_range_var);
    for column in defaults {
        let Some(relation) = &relation else { return Err("an ALTER TABLE without a relation".into()) };
        undone.push_str(&format!("ALTER TABLE {relation} ALTER COLUMN {} DROP DEFAULT;\n", ident(column)));
    }
    Ok(Split { kept, undone: (!undone.is_empty()).then_some(undone), to_capture })
}

/// Subcommands whose captured inverse can run before the dropped and retyped columns come back: flags and
/// defaults set back, things added dropped again, dropped constraints added back (one that named a dropped
/// column is gone once the drops ran first, so its capture fails and the statement is refused).
fn capturable(others: &[Node]) -> bool {
    others.iter().all(|node| match &node.node {
        Some(NodeEnum::AlterTableCmd(cmd)) => matches!(
            cmd.subtype(),
            AlterTableType::AtSetNotNull
                | AlterTableType::AtDropNotNull
                | AlterTableType::AtColumnDefault
                | AlterTableType::AtAddColumn
                | AlterTableType::AtAddConstraint
                | AlterTableType::AtAddIdentity
                | AlterTableType::AtDropConstraint
        ),
        _ => false,
    })
}

/// A `DROP CONSTRAINT` run after the drops: the constraint may have gone with a dropped column (Prisma's
/// `DROP CONSTRAINT "T_pkey", DROP COLUMN "id", ADD CONSTRAINT "T_pkey" ...`). The statement itself dropped it
/// first, so it existed; gone after the drops, it is one of the dropped column's constraints, which the column's
/// restore adds back, and its own capture has nothing to undo.
fn drop_constraint_if_exists(node: Node) -> Node {
    match node.node {
        Some(NodeEnum::AlterTableCmd(mut cmd)) if cmd.subtype() == AlterTableType::AtDropConstraint => {
            cmd.missing_ok = true;
            Node { node: Some(NodeEnum::AlterTableCmd(cmd)) }
        }
        other => Node { node: other },
    }
}

/// `statement` with only `others` of its subcommands, as SQL.
fn alone(statement: &AlterTableStmt, others: Vec<Node>) -> Result<String, String> {
    let only_others = AlterTableStmt { cmds: others, ..statement.clone() };
    NodeEnum::AlterTableStmt(only_others)
        .deparse(pg_query::DeparseOptions::default())
        .map_err(|e| format!("its other subcommands cannot be written alone: {e}"))
}

/// The inverse of `statement` keeping only `others` of its subcommands.
fn others_undone(statement: &AlterTableStmt, others: Vec<Node>) -> Result<String, String> {
    let sql = alone(statement, others)?;
    let plan = crate::generate_rollback(&sql).map_err(|e| format!("its other subcommands do not parse alone: {e}"))?;
    match plan.rollback_safe && plan.transactional {
        true => Ok(plan.rollback_script.unwrap_or_default()),
        false => Err(format!(
            "the other subcommands of the ALTER TABLE ({sql}) have no SAFE inverse from the SQL alone: write the \
             drops and type changes as a statement of their own"
        )),
    }
}

#[cfg(test)]
mod tests {
    use crate::archive::{classify, Destroys, Target};
    use crate::ParsedMigration;

    fn first(sql: &str) -> Destroys {
        classify(&ParsedMigration::parse(sql).unwrap().statements[0])
    }

    #[test]
    fn other_subcommands_are_undone_first_when_the_sql_alone_undoes_them() {
        let Destroys::Target(Target::Columns { parts, others_undone, .. }) =
            first("ALTER TABLE s.\"T\" ADD COLUMN \"New\" int, DROP COLUMN a, ADD CONSTRAINT \"c k\" CHECK (b > 0)")
        else {
            panic!("not kept")
        };
        assert_eq!(parts.len(), 1);
        let undone = others_undone.unwrap();
        assert!(undone.contains("DROP CONSTRAINT \"c k\"") && undone.contains("DROP COLUMN \"New\""), "{undone}");
        ParsedMigration::parse(&undone).unwrap();
        // Undone with the state before: the archive captures it.
        let Destroys::Target(Target::Columns { others_undone, others_to_capture, .. }) =
            first("ALTER TABLE s.t DROP COLUMN a, ALTER COLUMN \"B\" SET DEFAULT 1, ALTER COLUMN c DROP NOT NULL")
        else {
            panic!("not kept")
        };
        assert_eq!(others_undone, None);
        let capture = others_to_capture.unwrap();
        assert_eq!(capture.others, "ALTER TABLE s.t ALTER COLUMN \"B\" SET DEFAULT 1, ALTER COLUMN c DROP NOT NULL");
        assert_eq!(capture.drops_first.as_deref(), Some("ALTER TABLE s.t DROP a"));
        // A constraint the drops may have taken already: dropped only if it is still there.
        let Destroys::Target(Target::Columns { others_to_capture, .. }) =
            first("ALTER TABLE \"Host\" DROP CONSTRAINT \"Host_pkey\", DROP COLUMN id, ADD CONSTRAINT \"Host_pkey\" PRIMARY KEY (a, b)")
        else {
            panic!("not kept")
        };
        assert_eq!(
            others_to_capture.unwrap().others,
            "ALTER TABLE \"Host\" DROP CONSTRAINT IF EXISTS \"Host_pkey\", ADD CONSTRAINT \"Host_pkey\" PRIMARY KEY (a, b)"
        );
        // Other kinds of subcommands are refused.
        let Destroys::NotKept(why) = first("ALTER TABLE t DROP COLUMN a, OWNER TO x") else { panic!("kept") };
        assert!(why.contains("no SAFE inverse"), "{why}");
        let Destroys::Target(Target::Columns { others_to_capture, .. }) =
            first("ALTER TABLE t ALTER COLUMN a TYPE bigint, DROP CONSTRAINT t_pkey, ADD PRIMARY KEY (a, b)")
        else {
            panic!("not kept")
        };
        assert_eq!(others_to_capture.unwrap().drops_first, None);
        // A default changed around a type change goes with the type's restore.
        let Destroys::Target(Target::Columns { parts, others_undone, .. }) = first(
            "ALTER TABLE t ALTER COLUMN \"A\" DROP DEFAULT, ALTER COLUMN \"A\" TYPE int USING \"A\"::int, \
             ALTER COLUMN \"A\" SET DEFAULT 0",
        ) else {
            panic!("not kept")
        };
        assert_eq!(parts.len(), 1);
        assert_eq!(others_undone.as_deref(), Some("ALTER TABLE t ALTER COLUMN \"A\" DROP DEFAULT;\n"));
    }
}
