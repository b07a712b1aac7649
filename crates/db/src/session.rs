//! One connection per call (or per CLI run), argument checks, and turning our own statements' errors into
//! coded errors.
use tokio_postgres::Client;

use crate::connect::{connect, parse_url, Session};
use crate::error::{error_chain, is_connection_error, pg_message, Error, Result};
use crate::MigrationInput;

/// Maps errors of statements we issue ourselves; `describe` is the server's host:port.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub describe: String,
}

impl Ctx {
    pub fn err(&self, what: &str, e: &tokio_postgres::Error) -> Error {
        if is_connection_error(e) {
            return Error::ConnectionFailed(format!(
                "lost the connection to PostgreSQL at {} while {what}: {}",
                self.describe,
                error_chain(e)
            ));
        }
        match e.as_db_error() {
            Some(_) => Error::Database(format!("PostgreSQL error while {what}: {}", pg_message(e))),
            None => Error::Database(format!("error while {what}: {}", error_chain(e))),
        }
    }
}

pub(crate) fn check_text(name: &str, value: &str, allow_empty: bool) -> Result<()> {
    if value.contains('\0') {
        return Err(Error::InvalidArgument(format!("{name} contains a NUL byte")));
    }
    if !allow_empty && value.trim().is_empty() {
        return Err(Error::InvalidArgument(format!("{name} must not be empty")));
    }
    Ok(())
}

pub(crate) fn check_migration(m: &MigrationInput) -> Result<()> {
    check_text("version", &m.version, false)?;
    check_text("migrationFile", &m.migration_file, false)?;
    check_text("description", m.description.as_deref().unwrap_or(""), true)?;
    check_text("appliedBy", m.applied_by.as_deref().unwrap_or(""), true)
}

pub(crate) fn check_timeout(name: &str, ms: Option<u32>) -> Result<()> {
    match ms {
        Some(v) if v > i32::MAX as u32 => {
            Err(Error::InvalidArgument(format!("{name} must be at most {} (milliseconds)", i32::MAX)))
        }
        _ => Ok(()),
    }
}

/// Connect, run `op`, and always close the connection.
pub(crate) async fn with_session<T>(url: &str, op: impl AsyncFnOnce(&mut Client, &Ctx) -> Result<T>) -> Result<T> {
    let target = parse_url(url)?;
    let mut session: Session = connect(&target).await?;
    let ctx = Ctx { describe: target.describe.clone() };
    let result = op(&mut session.client, &ctx).await;
    session.close().await;
    result
}
