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

pub fn data_migration() -> Outcome {
    Outcome::blocked(code::DATA_MIGRATION, "Cannot auto-generate rollback for data migrations")
}
