//! Subcommands beside the drops and type changes of one `ALTER TABLE`: the restore undoes them first
//! (PostgreSQL runs drops and type changes in its first passes, everything else after), with the inverse the
//! SQL alone gives, and only when that inverse is SAFE (a subcommand whose undoing needs the state read at apply,
//! such as `SET DEFAULT`, refuses).
use crate::parse::name::ObjectName;
use crate::render::quote::ident;
use pg_query::protobuf::{AlterTableCmd, AlterTableStmt, AlterTableType, Node};
use pg_query::NodeEnum;

/// The drops and type changes of `statement` (in order), and the inverse of its other subcommands. A default
/// set or dropped on a retyped column is undone by dropping whatever default it has: the type's restore then
/// sets the old one.
pub(super) fn split(
    statement: &AlterTableStmt,
    destroying: impl Fn(AlterTableType) -> bool,
) -> Result<(Vec<AlterTableCmd>, Option<String>), String> {
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
    let mut undone = match others.is_empty() {
        true => String::new(),
        false => others_undone(statement, others)?,
    };
    let relation = statement.relation.as_ref().map(ObjectName::from_range_var);
    for column in defaults {
        let Some(relation) = &relation else { return Err("an ALTER TABLE without a relation".into()) };
        undone.push_str(&format!("ALTER TABLE {relation} ALTER COLUMN {} DROP DEFAULT;\n", ident(column)));
    }
    Ok((kept, (!undone.is_empty()).then_some(undone)))
}

/// The inverse of `statement` keeping only `others` of its subcommands.
fn others_undone(statement: &AlterTableStmt, others: Vec<Node>) -> Result<String, String> {
    let only_others = AlterTableStmt { cmds: others, ..statement.clone() };
    let sql = NodeEnum::AlterTableStmt(only_others)
        .deparse(pg_query::DeparseOptions::default())
        .map_err(|e| format!("its other subcommands cannot be written alone: {e}"))?;
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
        let Destroys::NotKept(why) = first("ALTER TABLE t DROP COLUMN a, ALTER COLUMN b SET DEFAULT 1") else {
            panic!("kept")
        };
        assert!(why.contains("no SAFE inverse"), "{why}");
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
