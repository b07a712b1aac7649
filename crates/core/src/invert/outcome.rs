//! What inverting one statement produced. "Cannot invert" is an outcome, not an error.
use crate::reason_code::Code;

/// Why a statement cannot be undone from its SQL alone; `code` is stable, `message` is for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    pub code: Code,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Statements (without `;`) that undo this one, in the order they must run.
    pub inverse: Vec<String>,
    /// Set when the statement is not (fully) reversible; `inverse` then holds only the reversible part.
    pub blocker: Option<Blocker>,
    /// The inverse cannot run inside a transaction block.
    pub non_transactional: bool,
    /// Why a reversible statement with an empty inverse changed nothing (for the rollback's comment).
    pub unchanged: Option<&'static str>,
    /// What a reversible rollback does that the plan's warnings should say (e.g. rows computed again).
    pub notice: Option<Blocker>,
}

impl Outcome {
    pub fn inverse(sql: impl Into<String>) -> Self {
        Outcome { inverse: vec![sql.into()], ..Default::default() }
    }

    /// Reversible with nothing to undo (session settings, objects removed by an earlier inverse anyway).
    pub fn nothing_to_undo() -> Self {
        Outcome::default()
    }

    /// Reversible with nothing to undo because the statement changed nothing; `why` says so in the rollback.
    pub fn unchanged(why: &'static str) -> Self {
        Outcome { unchanged: Some(why), ..Default::default() }
    }

    pub fn blocked(code: Code, message: impl Into<String>) -> Self {
        Outcome { blocker: Some(Blocker { code, message: message.into() }), ..Default::default() }
    }

    /// The likely inverse of a blocked statement, offered for review (it runs only with `force`).
    pub fn with_inverse(mut self, sql: impl Into<String>) -> Self {
        self.inverse = vec![sql.into()];
        self
    }

    pub fn is_reversible(&self) -> bool {
        self.blocker.is_none()
    }
}

/// The families' short names for the reason codes.
pub mod code {
    use crate::reason_code::Code;
    pub const DROP_COLUMN: Code = Code::DropColumn;
    pub const DROP_TABLE: Code = Code::DropTable;
    pub const DROP_OBJECT: Code = Code::DropObject;
    pub const DROP_CONSTRAINT: Code = Code::DropConstraint;
    pub const ENUM_ADD_VALUE: Code = Code::EnumAddValue;
    pub const DATA_MIGRATION: Code = Code::DataMigration;
    pub const IF_NOT_EXISTS: Code = Code::IfNotExists;
    pub const IF_EXISTS: Code = Code::IfExists;
    pub const OR_REPLACE: Code = Code::OrReplace;
    pub const PREVIOUS_STATE_UNKNOWN: Code = Code::PreviousStateUnknown;
    pub const NO_INVERSE_OPERATION: Code = Code::NoInverseOperation;
    pub const UNNAMED_OBJECT: Code = Code::UnnamedObject;
    pub const PRIMARY_KEY_SETS_NOT_NULL: Code = Code::PrimaryKeySetsNotNull;
    pub const ATTACH_PARTITION: Code = Code::AttachPartition;
    pub const SEARCH_PATH: Code = Code::SearchPath;
    pub const SESSION_ROLE: Code = Code::SessionRole;
    pub const GUARDED_BY_EXCEPTION: Code = Code::GuardedByException;
    pub const UNSUPPORTED_STATEMENT: Code = Code::UnsupportedStatement;
    pub const ROLLBACK_METADATA: Code = Code::RollbackMetadata;
    pub const TEMPORARY_OBJECT: Code = Code::TemporaryObject;
    pub const CATALOG_NAME: Code = Code::CatalogName;
    pub const MERGED_COLUMN: Code = Code::MergedColumn;
    pub const CHILDREN_DIFFER: Code = Code::ChildrenDiffer;
    pub const ADOPTED_EXISTING: Code = Code::AdoptedExisting;
    pub const COLUMN_TYPE: Code = Code::ColumnType;
    pub const DO_BLOCK_STATE: Code = Code::DoBlockState;
    pub const EVENT_TRIGGER: Code = Code::EventTrigger;
    pub const MATERIALIZED_VIEW_REFRESHED: Code = Code::MaterializedViewRefreshed;
    pub const NON_TRANSACTIONAL: Code = Code::NonTransactional;
    pub const CAPTURE_FAILED: Code = Code::CaptureFailed;
    pub const GENERATED_SQL_INVALID: Code = Code::GeneratedSqlInvalid;
}
