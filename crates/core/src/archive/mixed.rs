//! Subcommands beside the drops and type changes of one `ALTER TABLE`: the restore undoes them first
//! (PostgreSQL runs drops and type changes in its first passes, everything else after), with the inverse the
//! SQL alone gives, and only when that inverse is SAFE (a subcommand whose undoing needs the state read at apply,
//! such as `SET DEFAULT`, refuses).
use pg_query::protobuf::{AlterTableStmt, Node};
use pg_query::NodeEnum;

/// The inverse of `statement` keeping only `others` of its subcommands.
pub(super) fn others_undone(statement: &AlterTableStmt, others: Vec<Node>) -> Result<String, String> {
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
    }
}
