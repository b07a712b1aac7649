//! Splitting SQL into statements (with the real parser) and telling whether it can run in a transaction.
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::Node;

/// A script split into its statements, ready to run one at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Script {
    /// Statement texts as written (comments before a statement are not part of it), without the `;`.
    pub statements: Vec<String>,
    /// False when a statement refuses to run inside a transaction block (e.g. `DROP INDEX CONCURRENTLY`).
    pub transactional: bool,
    /// Index in `statements` of the first statement that refuses a transaction block.
    pub first_non_transactional: Option<usize>,
}

/// Why a script cannot be run as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ScriptError {
    /// The parser rejected it.
    Parse(String),
    /// Statement `index` (0-based) is BEGIN/COMMIT/...: it would break our own transaction handling.
    TransactionControl { index: usize, statement: String },
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScriptError::Parse(m) => write!(f, "cannot parse: {m}"),
            ScriptError::TransactionControl { index, statement } => write!(
                f,
                "statement {} (`{}`) controls transactions itself; pg-rollback runs scripts in its own transaction",
                index + 1,
                statement
            ),
        }
    }
}

pub(crate) fn split(sql: &str) -> Result<Script, ScriptError> {
    let parsed = pg_query::parse(sql, 0).map_err(|e| ScriptError::Parse(e.to_string()))?;
    let mut statements = Vec::new();
    let mut first_non_transactional = None;
    for raw in &parsed.protobuf.stmts {
        // Byte offsets; a length of 0 means "to the end of the input" (last statement without `;`).
        let start = usize::try_from(raw.stmt_location).unwrap_or(0).min(sql.len());
        let end = match usize::try_from(raw.stmt_len) {
            Ok(0) | Err(_) => sql.len(),
            Ok(len) => (start + len).min(sql.len()),
        };
        let text = sql.get(start..end).unwrap_or("").trim();
        let node = raw.stmt.as_deref().and_then(|n| n.node.as_ref());
        if let Some(N::TransactionStmt(_)) = node {
            // SAVEPOINT and friends would be harmless, but are rare enough that one rule for all is clearer.
            return Err(ScriptError::TransactionControl { index: statements.len(), statement: text.to_owned() });
        }
        if node.is_some_and(refuses_transaction_block) && first_non_transactional.is_none() {
            first_non_transactional = Some(statements.len());
        }
        if !text.is_empty() {
            statements.push(text.to_owned());
        }
    }
    Ok(Script { statements, transactional: first_non_transactional.is_none(), first_non_transactional })
}

/// Statements PostgreSQL rejects with "cannot run inside a transaction block".
fn refuses_transaction_block(node: &N) -> bool {
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
    fn splits_statements_and_keeps_their_text() {
        let s =
            split("ALTER TABLE t DROP COLUMN b;\n-- note\nALTER TABLE \"we;ird\" DROP COLUMN a;\nSELECT ';'").unwrap();
        assert_eq!(
            s.statements,
            vec!["ALTER TABLE t DROP COLUMN b", "ALTER TABLE \"we;ird\" DROP COLUMN a", "SELECT ';'"]
        );
        assert!(s.transactional);
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
            assert!(!split(sql).unwrap().transactional, "{sql}");
        }
        for sql in ["DROP INDEX i;", "ANALYZE t;", "REINDEX INDEX i;", "ALTER TABLE p DETACH PARTITION c;"] {
            assert!(split(sql).unwrap().transactional, "{sql}");
        }
        let s = split("CREATE TABLE t (x int);\nCREATE INDEX CONCURRENTLY i ON t (x);\nVACUUM t;").unwrap();
        assert_eq!(s.first_non_transactional, Some(1));
        assert_eq!(split("DROP INDEX i;").unwrap().first_non_transactional, None);
    }

    #[test]
    fn transaction_control_is_refused_with_its_position() {
        let e = split("DROP TABLE a;\nCOMMIT;\nDROP TABLE b;").unwrap_err();
        assert_eq!(e, ScriptError::TransactionControl { index: 1, statement: "COMMIT".into() });
        assert!(e.to_string().contains("statement 2 (`COMMIT`)"), "{e}");
    }

    #[test]
    fn parse_errors_are_reported() {
        assert!(matches!(split("DROP TABLEE x;"), Err(ScriptError::Parse(_))));
    }

    #[test]
    fn empty_script_has_no_statements() {
        assert_eq!(split("  -- nothing\n").unwrap().statements, Vec::<String>::new());
    }
}
