//! What inverting one statement produced. "Cannot invert" is an outcome, not an error.

/// Why a statement cannot be undone from its SQL alone; `code` is stable, `message` is for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    pub code: &'static str,
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

    pub fn blocked(code: &'static str, message: impl Into<String>) -> Self {
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

/// Stable reason codes. The messages the spec fixes are spelled out where they are produced.
pub mod code {
    pub const DROP_COLUMN: &str = "DROP_COLUMN";
    pub const DROP_TABLE: &str = "DROP_TABLE";
    pub const DROP_OBJECT: &str = "DROP_OBJECT";
    pub const DROP_CONSTRAINT: &str = "DROP_CONSTRAINT";
    pub const ENUM_ADD_VALUE: &str = "ENUM_ADD_VALUE";
    pub const DATA_MIGRATION: &str = "DATA_MIGRATION";
    pub const IF_NOT_EXISTS: &str = "IF_NOT_EXISTS";
    pub const IF_EXISTS: &str = "IF_EXISTS";
    pub const OR_REPLACE: &str = "OR_REPLACE";
    pub const PREVIOUS_STATE_UNKNOWN: &str = "PREVIOUS_STATE_UNKNOWN";
    pub const NO_INVERSE_OPERATION: &str = "NO_INVERSE_OPERATION";
    pub const UNNAMED_OBJECT: &str = "UNNAMED_OBJECT";
    pub const PRIMARY_KEY_SETS_NOT_NULL: &str = "PRIMARY_KEY_SETS_NOT_NULL";
    pub const ATTACH_PARTITION: &str = "ATTACH_PARTITION";
    pub const SEARCH_PATH: &str = "SEARCH_PATH";
    pub const SESSION_ROLE: &str = "SESSION_ROLE";
    pub const GUARDED_BY_EXCEPTION: &str = "GUARDED_BY_EXCEPTION";
    pub const UNSUPPORTED_STATEMENT: &str = "UNSUPPORTED_STATEMENT";
    pub const ROLLBACK_METADATA: &str = "ROLLBACK_METADATA";
    /// A name may denote a temporary object or the permanent one it shadows, and the SQL does not say which.
    pub const TEMPORARY_OBJECT: &str = "TEMPORARY_OBJECT";
    /// An unqualified name in the rollback is also a name `pg_catalog` has (searched first): the rollback
    /// could act on the built-in object.
    pub const CATALOG_NAME: &str = "CATALOG_NAME";
    /// A column added to a parent merged with a child's own column of that name.
    pub const MERGED_COLUMN: &str = "MERGED_COLUMN";
    /// A change that recurses to child tables or partitions whose previous state was not the parent's.
    pub const CHILDREN_DIFFER: &str = "CHILDREN_DIFFER";
    /// A new index or constraint on a partitioned table adopted one a partition already had.
    pub const ADOPTED_EXISTING: &str = "ADOPTED_EXISTING";
    /// ALTER COLUMN ... TYPE: the spec's non-goal (values may change); the change back is offered.
    pub const COLUMN_TYPE: &str = "COLUMN_TYPE";
    /// A DO block holds several statements and one of them is undone from state another may have changed.
    pub const DO_BLOCK_STATE: &str = "DO_BLOCK_STATE";
    /// An enabled event trigger reacts to the migration's (or its rollback's) commands.
    pub const EVENT_TRIGGER: &str = "EVENT_TRIGGER";
    /// Warning only: a materialized view is created again and its rows computed again by its query.
    pub const MATERIALIZED_VIEW_REFRESHED: &str = "MATERIALIZED_VIEW_REFRESHED";
    /// Warning only: the rollback must run outside a transaction.
    pub const NON_TRANSACTIONAL: &str = "NON_TRANSACTIONAL";
    /// Warning only: reading the previous state failed, so the statement was inverted from its SQL alone.
    pub const CAPTURE_FAILED: &str = "CAPTURE_FAILED";
    /// A generated inverse failed to re-parse: a pg-rollback bug, reported instead of returned.
    pub const GENERATED_SQL_INVALID: &str = "GENERATED_SQL_INVALID";
}
