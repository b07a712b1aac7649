//! Stable reason codes of warnings and of statements that are not (fully) reversible. They are stored
//! in `schema_versions.rollback_plan` and seen by JavaScript as the strings `DROP_COLUMN`, ... (a union type).
use serde::{Deserialize, Serialize};

/// Why a statement is not (fully) reversible, or a notable warning about its rollback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "UPPER_SNAKE"))]
pub enum Code {
    DropColumn,
    DropTable,
    DropObject,
    DropConstraint,
    EnumAddValue,
    DataMigration,
    IfNotExists,
    IfExists,
    OrReplace,
    PreviousStateUnknown,
    NoInverseOperation,
    UnnamedObject,
    PrimaryKeySetsNotNull,
    AttachPartition,
    SearchPath,
    SessionRole,
    GuardedByException,
    UnsupportedStatement,
    RollbackMetadata,
    /// A name may denote a temporary object or the permanent one it shadows, and the SQL does not say which.
    TemporaryObject,
    /// An unqualified name in the rollback is also a name `pg_catalog` has (searched first): the rollback
    /// could act on the built-in object.
    CatalogName,
    /// A column added to a parent merged with a child's own column of that name.
    MergedColumn,
    /// A change that recurses to child tables or partitions whose previous state was not the parent's.
    ChildrenDiffer,
    /// A new index or constraint on a partitioned table adopted one a partition already had.
    AdoptedExisting,
    /// ALTER COLUMN ... TYPE: the spec's non-goal (values may change); the change back is offered.
    ColumnType,
    /// A DO block holds several statements and one of them is undone from state another may have changed.
    DoBlockState,
    /// An enabled event trigger reacts to the migration's (or its rollback's) commands.
    EventTrigger,
    /// Warning only: a materialized view is created again and its rows computed again by its query.
    MaterializedViewRefreshed,
    /// Warning only: the rollback must run outside a transaction.
    NonTransactional,
    /// Warning only: reading the previous state failed, so the statement was inverted from its SQL alone.
    CaptureFailed,
    /// A generated inverse failed to re-parse: a pg-rollback bug, reported instead of returned.
    GeneratedSqlInvalid,
}

impl Code {
    /// The code as stored and as JavaScript sees it, e.g. `DROP_COLUMN`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::DropColumn => "DROP_COLUMN",
            Code::DropTable => "DROP_TABLE",
            Code::DropObject => "DROP_OBJECT",
            Code::DropConstraint => "DROP_CONSTRAINT",
            Code::EnumAddValue => "ENUM_ADD_VALUE",
            Code::DataMigration => "DATA_MIGRATION",
            Code::IfNotExists => "IF_NOT_EXISTS",
            Code::IfExists => "IF_EXISTS",
            Code::OrReplace => "OR_REPLACE",
            Code::PreviousStateUnknown => "PREVIOUS_STATE_UNKNOWN",
            Code::NoInverseOperation => "NO_INVERSE_OPERATION",
            Code::UnnamedObject => "UNNAMED_OBJECT",
            Code::PrimaryKeySetsNotNull => "PRIMARY_KEY_SETS_NOT_NULL",
            Code::AttachPartition => "ATTACH_PARTITION",
            Code::SearchPath => "SEARCH_PATH",
            Code::SessionRole => "SESSION_ROLE",
            Code::GuardedByException => "GUARDED_BY_EXCEPTION",
            Code::UnsupportedStatement => "UNSUPPORTED_STATEMENT",
            Code::RollbackMetadata => "ROLLBACK_METADATA",
            Code::TemporaryObject => "TEMPORARY_OBJECT",
            Code::CatalogName => "CATALOG_NAME",
            Code::MergedColumn => "MERGED_COLUMN",
            Code::ChildrenDiffer => "CHILDREN_DIFFER",
            Code::AdoptedExisting => "ADOPTED_EXISTING",
            Code::ColumnType => "COLUMN_TYPE",
            Code::DoBlockState => "DO_BLOCK_STATE",
            Code::EventTrigger => "EVENT_TRIGGER",
            Code::MaterializedViewRefreshed => "MATERIALIZED_VIEW_REFRESHED",
            Code::NonTransactional => "NON_TRANSACTIONAL",
            Code::CaptureFailed => "CAPTURE_FAILED",
            Code::GeneratedSqlInvalid => "GENERATED_SQL_INVALID",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn codes_serialize_as_their_names() {
        for code in [Code::DropColumn, Code::NonTransactional, Code::GeneratedSqlInvalid] {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::Value::String(code.as_str().to_owned()));
            assert_eq!(serde_json::from_value::<Code>(code.as_str().into()).unwrap(), code);
        }
    }
}
