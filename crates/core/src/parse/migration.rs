//! The parsed migration: one type shared by the generator and the database layer, so that the statements
//! the core inverted are exactly the statements that run.
use crate::parse::source;
use crate::Error;
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

    /// How this statement runs inside a transaction block with the same effect on the schema (the dry run
    /// and `verifyRollback` run everything in one transaction that is rolled back).
    pub fn in_transaction(&self) -> InTransaction {
        if self.runs_in_transaction() {
            return InTransaction::AsWritten;
        }
        let rewritten = |node: NodeEnum| match node.deparse(pg_query::DeparseOptions::default()) {
            Ok(text) => InTransaction::Rewritten(text),
            Err(_) => InTransaction::Impossible,
        };
        match &self.node {
            // A concurrent build or drop ends with the schema of the plain one.
            N::IndexStmt(s) => {
                rewritten(N::IndexStmt(Box::new(pg_query::protobuf::IndexStmt { concurrent: false, ..(**s).clone() })))
            }
            N::DropStmt(s) => rewritten(N::DropStmt(pg_query::protobuf::DropStmt { concurrent: false, ..s.clone() })),
            // Nothing in the database's schema changes (REINDEX, VACUUM), or only cluster-wide objects do.
            N::ReindexStmt(_)
            | N::ClusterStmt(_)
            | N::DiscardStmt(_)
            | N::VacuumStmt(_)
            | N::CreatedbStmt(_)
            | N::DropdbStmt(_)
            | N::CreateTableSpaceStmt(_)
            | N::DropTableSpaceStmt(_)
            | N::AlterSystemStmt(_)
            | N::CreateSubscriptionStmt(_)
            | N::DropSubscriptionStmt(_) => InTransaction::Skipped,
            // DETACH PARTITION CONCURRENTLY also adds a CHECK constraint the plain DETACH does not.
            _ => InTransaction::Impossible,
        }
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

/// [`ParsedStatement::in_transaction`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InTransaction {
    /// It runs in a transaction block as written.
    AsWritten,
    /// Its transactional form (`CONCURRENTLY` removed), with the same effect on the schema.
    Rewritten(String),
    /// It changes nothing in the database's schema (`VACUUM`, `REINDEX`, `ALTER SYSTEM`, databases,
    /// tablespaces, subscriptions): left out.
    Skipped,
    /// No transactional form has its effect (`DETACH PARTITION ... CONCURRENTLY`).
    Impossible,
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

    /// Index of the first statement that refuses a transaction block but is written between `BEGIN` and
    /// `COMMIT`: PostgreSQL can never run it there.
    pub fn first_non_transactional_in_block(&self) -> Option<usize> {
        use pg_query::protobuf::TransactionStmtKind as Kind;
        let mut in_block = false;
        for (i, s) in self.statements.iter().enumerate() {
            match &s.node {
                NodeEnum::TransactionStmt(t) => match t.kind() {
                    Kind::TransStmtBegin | Kind::TransStmtStart => in_block = true,
                    Kind::TransStmtCommit | Kind::TransStmtRollback => in_block = false,
                    _ => {}
                },
                _ if in_block && !s.runs_in_transaction() => return Some(i),
                _ => {}
            }
        }
        None
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
        N::ReindexStmt(s) => {
            use pg_query::protobuf::ReindexObjectType as Kind;
            s.params.iter().any(|p| def_name(p) == Some("concurrently"))
                || matches!(
                    s.kind(),
                    Kind::ReindexObjectSchema | Kind::ReindexObjectSystem | Kind::ReindexObjectDatabase
                )
        }
        // CLUSTER of every clustered table; DISCARD ALL.
        N::ClusterStmt(s) => s.relation.is_none(),
        N::DiscardStmt(s) => s.target() == pg_query::protobuf::DiscardMode::DiscardAll,
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
    fn transactional_forms_keep_the_schema_effect() {
        let form = |sql: &str| ParsedMigration::parse(sql).unwrap().statements[0].in_transaction();
        let rewritten = |sql: &str| match form(sql) {
            InTransaction::Rewritten(text) => text,
            other => panic!("{sql}: {other:?}"),
        };
        assert_eq!(form("CREATE INDEX i ON t (x)"), InTransaction::AsWritten);
        assert_eq!(
            rewritten(r#"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "I x" ON s."T" (lower(x)) WHERE x > 0"#),
            r#"CREATE UNIQUE INDEX IF NOT EXISTS "I x" ON s."T" USING btree (lower(x)) WHERE x > 0"#
        );
        assert_eq!(rewritten("DROP INDEX CONCURRENTLY IF EXISTS s.i CASCADE"), "DROP INDEX IF EXISTS s.i CASCADE");
        for sql in [
            "REINDEX (CONCURRENTLY) INDEX i",
            "REINDEX INDEX CONCURRENTLY i",
            "REINDEX SCHEMA s",
            "VACUUM t",
            "CLUSTER",
            "DISCARD ALL",
            "ALTER SYSTEM SET work_mem = '8MB'",
            "CREATE DATABASE d",
        ] {
            assert_eq!(form(sql), InTransaction::Skipped, "{sql}");
        }
        assert_eq!(form("ALTER TABLE p DETACH PARTITION c CONCURRENTLY"), InTransaction::Impossible);
    }

    #[test]
    fn concurrent_statements_between_begin_and_commit_can_never_run() {
        let first = |sql: &str| ParsedMigration::parse(sql).unwrap().first_non_transactional_in_block();
        assert_eq!(first("BEGIN; CREATE TABLE t (x int); CREATE INDEX CONCURRENTLY i ON t (x); COMMIT;"), Some(2));
        assert_eq!(first("START TRANSACTION; VACUUM t; END;"), Some(1));
        assert_eq!(first("BEGIN; CREATE TABLE t (x int); COMMIT; CREATE INDEX CONCURRENTLY i ON t (x);"), None);
        assert_eq!(first("CREATE INDEX CONCURRENTLY i ON t (x);"), None);
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
            "REINDEX DATABASE d;",
            "REINDEX SYSTEM;",
            "CLUSTER;",
            "DISCARD ALL;",
        ] {
            assert!(!ParsedMigration::parse(sql).unwrap().runs_in_transaction(), "{sql}");
        }
        for sql in [
            "DROP INDEX i;",
            "ANALYZE t;",
            "REINDEX INDEX i;",
            "ALTER TABLE p DETACH PARTITION c;",
            "CLUSTER t;",
            "DISCARD PLANS;",
        ] {
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
