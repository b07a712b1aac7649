//! The parsed migration: one type shared by the generator and the database layer, so that the statements
//! the core inverted are exactly the statements that run.
use crate::{source, Error};
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::Node;
use pg_query::NodeEnum;

#[derive(Debug, Clone)]
pub struct ParsedStatement {
    pub node: NodeEnum,
    /// The statement's text as written, without leading comments/whitespace or the trailing `;`.
    pub text: String,
    /// 1-based line and column (in characters) where the statement starts.
    pub line: u32,
    pub column: u32,
}

impl ParsedStatement {
    /// False for statements PostgreSQL refuses inside a transaction block (`CREATE INDEX CONCURRENTLY`, ...).
    pub fn runs_in_transaction(&self) -> bool {
        !refuses_transaction_block(&self.node)
    }

    /// What a transaction statement means for statements run inside one transaction of the caller's.
    pub fn transaction_role(&self) -> TransactionRole {
        use pg_query::protobuf::TransactionStmtKind as Kind;
        let NodeEnum::TransactionStmt(t) = &self.node else { return TransactionRole::None };
        match t.kind() {
            Kind::TransStmtBegin | Kind::TransStmtStart | Kind::TransStmtCommit => TransactionRole::Boundary,
            Kind::TransStmtSavepoint | Kind::TransStmtRelease | Kind::TransStmtRollbackTo => TransactionRole::Savepoint,
            _ => TransactionRole::Refused,
        }
    }
}

/// How a transaction statement is treated when a script runs inside one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionRole {
    /// Not a transaction statement.
    None,
    /// BEGIN/COMMIT: the script runs in one transaction anyway (migrations wrap groups of statements in
    /// them, as Prisma's do); skipped rather than run, since a COMMIT would end the caller's transaction.
    Boundary,
    /// SAVEPOINT, RELEASE, ROLLBACK TO: they work inside the transaction.
    Savepoint,
    /// ROLLBACK, PREPARE TRANSACTION, ...: they would end or abandon the caller's transaction.
    Refused,
}

#[derive(Debug, Clone, Default)]
pub struct ParsedMigration {
    pub statements: Vec<ParsedStatement>,
}

impl ParsedMigration {
    /// Parse `sql` with PostgreSQL's parser; errors name the statement, line and column.
    pub fn parse(sql: &str) -> Result<Self, Error> {
        let statements = source::parse(sql)?
            .into_iter()
            .map(|s| ParsedStatement { node: s.node, text: s.text.to_owned(), line: s.line, column: s.column })
            .collect();
        Ok(ParsedMigration { statements })
    }

    /// True when every statement can run inside one transaction block.
    pub fn runs_in_transaction(&self) -> bool {
        self.statements.iter().all(ParsedStatement::runs_in_transaction)
    }

    /// Index of the first statement that refuses a transaction block.
    pub fn first_non_transactional(&self) -> Option<usize> {
        self.statements.iter().position(|s| !s.runs_in_transaction())
    }

    /// Index of the first statement that would end or abandon the transaction the script runs in
    /// (ROLLBACK, PREPARE TRANSACTION, ...).
    pub fn first_transaction_control(&self) -> Option<usize> {
        self.statements.iter().position(|s| s.transaction_role() == TransactionRole::Refused)
    }
}

/// Statements PostgreSQL rejects with "cannot run inside a transaction block".
fn refuses_transaction_block(node: &NodeEnum) -> bool {
    match node {
        N::IndexStmt(s) => s.concurrent,
        N::DropStmt(s) => s.concurrent,
        N::ReindexStmt(s) => s.params.iter().any(|p| def_name(p) == Some("concurrently")),
        N::VacuumStmt(s) => s.is_vacuumcmd,
        N::AlterTableStmt(s) => s.cmds.iter().any(|c| match c.node.as_ref() {
            Some(N::AlterTableCmd(cmd)) => {
                matches!(cmd.def.as_deref().and_then(|d| d.node.as_ref()), Some(N::PartitionCmd(p)) if p.concurrent)
            }
            _ => false,
        }),
        // ALTER TYPE ... ADD VALUE runs in a transaction since PostgreSQL 12.
        N::CreatedbStmt(_)
        | N::DropdbStmt(_)
        | N::CreateTableSpaceStmt(_)
        | N::DropTableSpaceStmt(_)
        | N::AlterSystemStmt(_)
        | N::CreateSubscriptionStmt(_)
        | N::DropSubscriptionStmt(_) => true,
        _ => false,
    }
}

fn def_name(node: &Node) -> Option<&str> {
    match node.node.as_ref() {
        Some(N::DefElem(d)) => Some(d.defname.as_str()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_statement_text_and_positions() {
        let m = ParsedMigration::parse(
            "ALTER TABLE t DROP COLUMN b;\n-- note\nALTER TABLE \"we;ird\" DROP COLUMN a;\nSELECT ';'",
        )
        .unwrap();
        let texts: Vec<&str> = m.statements.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, vec!["ALTER TABLE t DROP COLUMN b", "ALTER TABLE \"we;ird\" DROP COLUMN a", "SELECT ';'"]);
        assert_eq!((m.statements[1].line, m.statements[1].column), (3, 1));
        assert!(m.runs_in_transaction());
    }

    #[test]
    fn concurrently_and_vacuum_are_not_transactional() {
        for sql in [
            "DROP INDEX CONCURRENTLY i;",
            "CREATE INDEX CONCURRENTLY i ON t (x);",
            "REINDEX (CONCURRENTLY) INDEX i;",
            "VACUUM t;",
            "ALTER TABLE p DETACH PARTITION c CONCURRENTLY;",
            "DROP DATABASE d;",
        ] {
            assert!(!ParsedMigration::parse(sql).unwrap().runs_in_transaction(), "{sql}");
        }
        for sql in ["DROP INDEX i;", "ANALYZE t;", "REINDEX INDEX i;", "ALTER TABLE p DETACH PARTITION c;"] {
            assert!(ParsedMigration::parse(sql).unwrap().runs_in_transaction(), "{sql}");
        }
        let m = ParsedMigration::parse("CREATE TABLE t (x int);\nCREATE INDEX CONCURRENTLY i ON t (x);\nVACUUM t;")
            .unwrap();
        assert_eq!(m.first_non_transactional(), Some(1));
    }

    #[test]
    fn transaction_control_is_found() {
        let wrapped = ParsedMigration::parse("BEGIN;\nDROP TABLE a;\nCOMMIT;\nSAVEPOINT s;\nEND;").unwrap();
        assert_eq!(wrapped.first_transaction_control(), Option::None);
        let roles: Vec<_> = wrapped.statements.iter().map(ParsedStatement::transaction_role).collect();
        use TransactionRole::*;
        assert_eq!(roles, vec![Boundary, TransactionRole::None, Boundary, Savepoint, Boundary]);
        let rollback = ParsedMigration::parse("BEGIN;\nDROP TABLE a;\nROLLBACK;").unwrap();
        assert_eq!(rollback.first_transaction_control(), Some(2));
    }

    #[test]
    fn empty_input_has_no_statements() {
        assert!(ParsedMigration::parse("  -- nothing\n").unwrap().statements.is_empty());
    }
}
