use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::StatementRef;

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
    /// No script to run: the version's (message: `No rollback script found for version X`), or versions of a
    /// multi-step rollback (the message names them; `version` is the newest).
    #[error("{message}")]
    RollbackScriptNotFound { version: String, message: String },
    /// Marked unsafe and not forced: the version's, or versions of a multi-step rollback (`version` is the first).
    #[error("{message}")]
    RollbackUnsafe { version: String, message: String },
    #[error("Migration {0} has already been rolled back")]
    AlreadyRolledBack(String),
    /// A multi-step rollback's target is not applied (never applied, or rolled back); nothing was run.
    #[error("{0}")]
    TargetNotApplied(String),
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
    /// `error` with the statement that failed and its SQLSTATE, as data (JavaScript: `error.statement`,
    /// `error.sqlstate`); code and message are `error`'s.
    #[error("{error}")]
    WithStatement { error: Box<Error>, statement: Option<StatementRef>, sqlstate: Option<String> },
}

/// The stable `error.code` JavaScript sees, e.g. `ROLLBACK_UNSAFE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "UPPER_SNAKE"))]
pub enum ErrorCode {
    InvalidArgument,
    InvalidInput,
    ParseError,
    ConnectionFailed,
    SchemaVersionsMissing,
    VersionNotFound,
    RollbackScriptNotFound,
    RollbackUnsafe,
    AlreadyRolledBack,
    TargetNotApplied,
    RollbackScriptChanged,
    LockTimeout,
    RollbackOutOfOrder,
    RollbackFailed,
    NotTransactional,
    MigrationFailed,
    RestoreConflict,
    ArchiveMissing,
    RestoreNotAvailable,
    DatabaseError,
    InternalError,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::InvalidInput => "INVALID_INPUT",
            ErrorCode::ParseError => "PARSE_ERROR",
            ErrorCode::ConnectionFailed => "CONNECTION_FAILED",
            ErrorCode::SchemaVersionsMissing => "SCHEMA_VERSIONS_MISSING",
            ErrorCode::VersionNotFound => "VERSION_NOT_FOUND",
            ErrorCode::RollbackScriptNotFound => "ROLLBACK_SCRIPT_NOT_FOUND",
            ErrorCode::RollbackUnsafe => "ROLLBACK_UNSAFE",
            ErrorCode::AlreadyRolledBack => "ALREADY_ROLLED_BACK",
            ErrorCode::TargetNotApplied => "TARGET_NOT_APPLIED",
            ErrorCode::RollbackScriptChanged => "ROLLBACK_SCRIPT_CHANGED",
            ErrorCode::LockTimeout => "LOCK_TIMEOUT",
            ErrorCode::RollbackOutOfOrder => "ROLLBACK_OUT_OF_ORDER",
            ErrorCode::RollbackFailed => "ROLLBACK_FAILED",
            ErrorCode::NotTransactional => "NOT_TRANSACTIONAL",
            ErrorCode::MigrationFailed => "MIGRATION_FAILED",
            ErrorCode::RestoreConflict => "RESTORE_CONFLICT",
            ErrorCode::ArchiveMissing => "ARCHIVE_MISSING",
            ErrorCode::RestoreNotAvailable => "RESTORE_NOT_AVAILABLE",
            ErrorCode::DatabaseError => "DATABASE_ERROR",
            ErrorCode::InternalError => "INTERNAL_ERROR",
        }
    }
}

impl AsRef<str> for ErrorCode {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InvalidArgument(_) => ErrorCode::InvalidArgument,
            Error::ConnectionFailed(_) => ErrorCode::ConnectionFailed,
            Error::SchemaVersionsMissing(_) => ErrorCode::SchemaVersionsMissing,
            Error::VersionNotFound(_) => ErrorCode::VersionNotFound,
            Error::RollbackScriptNotFound { .. } => ErrorCode::RollbackScriptNotFound,
            Error::RollbackUnsafe { .. } => ErrorCode::RollbackUnsafe,
            Error::AlreadyRolledBack(_) => ErrorCode::AlreadyRolledBack,
            Error::TargetNotApplied(_) => ErrorCode::TargetNotApplied,
            Error::RollbackScriptChanged(_) => ErrorCode::RollbackScriptChanged,
            Error::LockTimeout(_) => ErrorCode::LockTimeout,
            Error::OutOfOrder(_) => ErrorCode::RollbackOutOfOrder,
            Error::RollbackFailed(_) => ErrorCode::RollbackFailed,
            Error::NotTransactional(_) => ErrorCode::NotTransactional,
            Error::MigrationFailed(_) => ErrorCode::MigrationFailed,
            Error::RestoreConflict(_) => ErrorCode::RestoreConflict,
            Error::ArchiveMissing(_) => ErrorCode::ArchiveMissing,
            Error::RestoreNotAvailable(_) => ErrorCode::RestoreNotAvailable,
            Error::Database(_) => ErrorCode::DatabaseError,
            Error::Generator(pg_rollback_core::Error::Parse { .. }) => ErrorCode::ParseError,
            Error::Generator(pg_rollback_core::Error::InvalidInput { .. }) => ErrorCode::InvalidInput,
            Error::Generator(pg_rollback_core::Error::Internal(_)) | Error::Internal(_) => ErrorCode::InternalError,
            Error::WithStatement { error, .. } => error.code(),
        }
    }

    /// The version the error is about, when it is about one (JavaScript's `error.version`).
    pub fn version(&self) -> Option<&str> {
        match self {
            Error::VersionNotFound(v) | Error::AlreadyRolledBack(v) => Some(v),
            Error::RollbackScriptNotFound { version, .. } | Error::RollbackUnsafe { version, .. } => Some(version),
            Error::WithStatement { error, .. } => error.version(),
            _ => None,
        }
    }

    /// This error, naming the statement that failed and PostgreSQL's SQLSTATE (when known) as data.
    pub fn with_statement(self, statement: Option<StatementRef>, sqlstate: Option<String>) -> Self {
        match (statement, sqlstate) {
            (None, None) => self,
            (statement, sqlstate) => Error::WithStatement { error: Box::new(self), statement, sqlstate },
        }
    }

    /// The statement that failed (JavaScript's `error.statement`), when the error is about one.
    pub fn statement(&self) -> Option<&StatementRef> {
        match self {
            Error::WithStatement { statement, .. } => statement.as_ref(),
            _ => None,
        }
    }

    /// PostgreSQL's SQLSTATE of the failure (JavaScript's `error.sqlstate`), when it gave one.
    pub fn sqlstate(&self) -> Option<&str> {
        match self {
            Error::WithStatement { sqlstate, .. } => sqlstate.as_deref(),
            _ => None,
        }
    }

    /// `executeRollback` of a version without a script.
    pub fn script_not_found(version: &str) -> Self {
        Error::RollbackScriptNotFound {
            version: version.to_owned(),
            message: format!("No rollback script found for version {version}"),
        }
    }

    /// `executeRollback` of a version marked unsafe, without force.
    pub fn unsafe_rollback(version: &str) -> Self {
        Error::RollbackUnsafe {
            version: version.to_owned(),
            message: format!(
                "Rollback for version {version} is marked unsafe (rollback_safe = false): it does not undo every \
                 statement of the migration. Pass force to execute it anyway"
            ),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_with_its_statement_keeps_code_message_and_version() {
        let statement = StatementRef { index: 1, line: 2, column: 3, sql: "DROP TABLE t".into() };
        let e = Error::unsafe_rollback("1.0").with_statement(Some(statement.clone()), Some("42P01".into()));
        assert_eq!((e.code(), e.version(), e.sqlstate()), (ErrorCode::RollbackUnsafe, Some("1.0"), Some("42P01")));
        assert_eq!(e.statement(), Some(&statement));
        assert_eq!(e.to_string(), Error::unsafe_rollback("1.0").to_string());
        assert_eq!(Error::Database("x".into()).with_statement(None, None), Error::Database("x".into()));
    }

    #[test]
    fn error_codes_serialize_as_their_names() {
        for code in [ErrorCode::RollbackOutOfOrder, ErrorCode::DatabaseError, ErrorCode::InvalidArgument] {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::Value::String(code.as_str().into()));
        }
    }
}
