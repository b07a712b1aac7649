use thiserror::Error;

/// Every failure of the DB layer. `code()` is the stable `error.code` JavaScript sees.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    /// A bad database URL, option or argument; nothing was sent to the server.
    #[error("{0}")]
    InvalidArgument(String),
    /// The server could not be reached, refused us, or the connection broke.
    /// The message names host and port, never the password.
    #[error("{0}")]
    ConnectionFailed(String),
    /// `schema_versions` or one of its columns is missing; the message names the migration to apply.
    #[error("{0}")]
    SchemaVersionsMissing(String),
    #[error("No migration with version {0} in schema_versions")]
    VersionNotFound(String),
    #[error("No rollback script found for version {0}")]
    RollbackScriptNotFound(String),
    #[error(
        "Rollback for version {0} is marked unsafe (rollback_safe = false): it does not undo every \
         statement of the migration. Pass force to execute it anyway"
    )]
    RollbackUnsafe(String),
    #[error("Migration {0} has already been rolled back")]
    AlreadyRolledBack(String),
    /// A multi-step rollback's target is not applied (never applied, or rolled back); nothing was run.
    #[error("{0}")]
    TargetNotApplied(String),
    /// Versions of a multi-step rollback without a script (`ROLLBACK_SCRIPT_NOT_FOUND`); the message names them.
    #[error("{0}")]
    ScriptsNotFound(String),
    /// Unsafe versions of a multi-step rollback without force (`ROLLBACK_UNSAFE`); the message names them.
    #[error("{0}")]
    RollbacksUnsafe(String),
    /// The stored script is not the one the caller showed (`expectedScript`) or not the one read
    /// before the lock was taken; nothing was run.
    #[error("{0}")]
    RollbackScriptChanged(String),
    /// A later migration is applied and not rolled back (`migration_order`); nothing was run.
    #[error("{0}")]
    OutOfOrder(String),
    /// Another pg-rollback operation held the advisory lock past `lockTimeoutMs`/`statementTimeoutMs`.
    #[error("{0}")]
    LockTimeout(String),
    /// A rollback statement failed; the message names it, PostgreSQL's error, its SQLSTATE and what changed.
    #[error("{0}")]
    RollbackFailed(String),
    /// A statement that cannot run inside a transaction block (or would end it) where one is required.
    #[error("{0}")]
    NotTransactional(String),
    /// A restore that data written since the migration makes impossible (`RESTORE_CONFLICT`); nothing changed.
    #[error("{0}")]
    RestoreConflict(String),
    /// The archive tables a restore needs are gone (`ARCHIVE_MISSING`); nothing changed.
    #[error("{0}")]
    ArchiveMissing(String),
    /// A version with nothing archived, or whose restore is unavailable (`RESTORE_NOT_AVAILABLE`).
    #[error("{0}")]
    RestoreNotAvailable(String),
    /// `apply_migration` failed; nothing was applied.
    #[error("{0}")]
    MigrationFailed(String),
    /// An unexpected error from PostgreSQL while reading or writing metadata, or a row that cannot be
    /// read (e.g. a column of an unexpected type).
    #[error("{0}")]
    Database(String),
    /// The generator rejected the migration SQL (code `PARSE_ERROR`, `INVALID_INPUT`, ...).
    #[error(transparent)]
    Generator(#[from] pg_rollback_core::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidArgument(_) => "INVALID_ARGUMENT",
            Error::ConnectionFailed(_) => "CONNECTION_FAILED",
            Error::SchemaVersionsMissing(_) => "SCHEMA_VERSIONS_MISSING",
            Error::VersionNotFound(_) => "VERSION_NOT_FOUND",
            Error::RollbackScriptNotFound(_) => "ROLLBACK_SCRIPT_NOT_FOUND",
            Error::RollbackUnsafe(_) => "ROLLBACK_UNSAFE",
            Error::AlreadyRolledBack(_) => "ALREADY_ROLLED_BACK",
            Error::TargetNotApplied(_) => "TARGET_NOT_APPLIED",
            Error::ScriptsNotFound(_) => "ROLLBACK_SCRIPT_NOT_FOUND",
            Error::RollbacksUnsafe(_) => "ROLLBACK_UNSAFE",
            Error::RollbackScriptChanged(_) => "ROLLBACK_SCRIPT_CHANGED",
            Error::LockTimeout(_) => "LOCK_TIMEOUT",
            Error::OutOfOrder(_) => "ROLLBACK_OUT_OF_ORDER",
            Error::RollbackFailed(_) => "ROLLBACK_FAILED",
            Error::NotTransactional(_) => "NOT_TRANSACTIONAL",
            Error::MigrationFailed(_) => "MIGRATION_FAILED",
            Error::RestoreConflict(_) => "RESTORE_CONFLICT",
            Error::ArchiveMissing(_) => "ARCHIVE_MISSING",
            Error::RestoreNotAvailable(_) => "RESTORE_NOT_AVAILABLE",
            Error::Database(_) => "DATABASE_ERROR",
            Error::Generator(e) => e.code(),
            Error::Internal(_) => "INTERNAL_ERROR",
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// PostgreSQL's own words for a failed statement: message, detail, hint and SQLSTATE.
pub(crate) fn pg_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut s = format!("{} (SQLSTATE {})", db.message(), db.code().code());
            if let Some(detail) = db.detail() {
                s.push_str(&format!("; detail: {detail}"));
            }
            if let Some(hint) = db.hint() {
                s.push_str(&format!("; hint: {hint}"));
            }
            s
        }
        None => error_chain(e),
    }
}

/// `e` and its sources, joined: tokio-postgres puts the useful part (e.g. "Connection refused") in the source.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        source = cause.source();
    }
    s
}

/// The connection itself failed (closed, reset, I/O), as opposed to a server error or a value that
/// could not be converted.
pub(crate) fn is_connection_error(e: &tokio_postgres::Error) -> bool {
    if e.as_db_error().is_some() {
        return false;
    }
    if e.is_closed() {
        return true;
    }
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        if cause.is::<std::io::Error>() {
            return true;
        }
        source = cause.source();
    }
    false
}

/// PostgreSQL's words for a failed statement, or that the connection broke.
pub(crate) fn statement_cause(e: &tokio_postgres::Error) -> String {
    if e.as_db_error().is_some() {
        pg_message(e)
    } else if is_connection_error(e) {
        format!("connection lost: {}", error_chain(e))
    } else {
        error_chain(e)
    }
}

pub(crate) fn sqlstate(e: &tokio_postgres::Error) -> Option<&str> {
    e.as_db_error().map(|db| db.code().code())
}
