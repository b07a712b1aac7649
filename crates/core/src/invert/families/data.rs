//! Data migrations: rows changed cannot be restored from the SQL.
use crate::invert::outcome::{code, Outcome};
use pg_query::NodeEnum;

pub fn is_data_statement(node: &NodeEnum) -> bool {
    matches!(
        node,
        NodeEnum::InsertStmt(_)
            | NodeEnum::UpdateStmt(_)
            | NodeEnum::DeleteStmt(_)
            | NodeEnum::MergeStmt(_)
            | NodeEnum::CopyStmt(_)
            | NodeEnum::TruncateStmt(_)
            | NodeEnum::SelectStmt(_)
            | NodeEnum::CallStmt(_)
            | NodeEnum::RefreshMatViewStmt(_)
            | NodeEnum::ExecuteStmt(_)
            | NodeEnum::PrepareStmt(_)
    )
}

/// A query that writes rows besides what it says it does: a data-modifying `WITH` in a `SELECT [INTO]`,
/// `CREATE TABLE AS`, or in an `INSERT`/`UPDATE`/`DELETE`/`MERGE` (which may itself touch only a temporary
/// table, gone with the session, while its `WITH` writes a permanent one).
pub fn writes_rows_in_with(node: &NodeEnum) -> bool {
    let own = match node {
        NodeEnum::SelectStmt(_) | NodeEnum::CreateTableAsStmt(_) => 0,
        NodeEnum::InsertStmt(_) | NodeEnum::UpdateStmt(_) | NodeEnum::DeleteStmt(_) | NodeEnum::MergeStmt(_) => 1,
        _ => return false,
    };
    let writes = node
        .nodes()
        .into_iter()
        .filter(|(n, ..)| {
            matches!(
                n,
                pg_query::NodeRef::InsertStmt(_)
                    | pg_query::NodeRef::UpdateStmt(_)
                    | pg_query::NodeRef::DeleteStmt(_)
                    | pg_query::NodeRef::MergeStmt(_)
            )
        })
        .count();
    writes > own
}

pub fn data_migration() -> Outcome {
    Outcome::blocked(code::DATA_MIGRATION, "Cannot auto-generate rollback for data migrations")
}

#[cfg(test)]
mod tests {
    use crate::generate_rollback;

    #[test]
    fn writes_in_a_with_are_a_data_migration_whatever_the_statement_creates() {
        for sql in [
            "WITH c AS (INSERT INTO r (id) SELECT 1 RETURNING id) SELECT * INTO TEMP TABLE tmp FROM c;",
            "WITH c AS (INSERT INTO r (id) SELECT 1 RETURNING id) SELECT * INTO TABLE keep FROM c;",
            "CREATE TABLE x AS WITH c AS (UPDATE r SET a = 1 RETURNING id) SELECT * FROM c;",
            "CREATE TEMP TABLE x AS WITH c AS (DELETE FROM r RETURNING id) SELECT * FROM c;",
            "CREATE TEMP TABLE t (id int);\nWITH c AS (DELETE FROM r RETURNING id) INSERT INTO t SELECT id FROM c;",
            "CREATE TEMP TABLE t (id int);\nWITH c AS (UPDATE r SET a = 1 RETURNING id) UPDATE t SET id = c.id FROM c;",
        ] {
            let plan = generate_rollback(sql).unwrap();
            assert!(!plan.rollback_safe, "{sql}");
            let last = plan.statements.last().unwrap();
            assert_eq!(last.code.map(|c| c.as_str()), Some("DATA_MIGRATION"), "{sql}");
        }
        // Without a write, they stay what they were.
        assert!(generate_rollback("CREATE TABLE x AS WITH c AS (SELECT 1 AS a) SELECT * FROM c;").unwrap().rollback_safe);
        assert!(generate_rollback("CREATE TEMP TABLE t (id int);\nINSERT INTO t VALUES (1);").unwrap().rollback_safe);
    }
}
