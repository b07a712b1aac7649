//! One connection per call (or per CLI run), argument checks, and turning our own statements' errors into
//! coded errors.
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, GenericClient, Row, Statement};

use crate::catalog::version::Generation;
use crate::connect::{connect, parse_url, Session, OWN_SETTINGS};
use crate::error::{error_chain, is_connection_error, pg_message, Error, Result};
use crate::MigrationInput;

/// One session's context: the server's host:port for messages, and the statements prepared on its
/// connection (parsed and planned once per session: the catalog queries cost more to plan than to run).
pub(crate) struct Ctx {
    pub describe: String,
    prepared: Mutex<HashMap<String, Statement>>,
    /// Which catalogs the server has, read once per session.
    generation: Mutex<Option<Generation>>,
}

impl Ctx {
    fn new(describe: String) -> Self {
        Ctx { describe, prepared: Mutex::new(HashMap::new()), generation: Mutex::new(None) }
    }

    /// The server's catalog generation (from `server_version_num`), read at the first call.
    pub async fn generation(&self, c: &impl GenericClient) -> Result<Generation, tokio_postgres::Error> {
        if let Some(generation) = *self.generation.lock().expect("not poisoned") {
            return Ok(generation);
        }
        let row = c.query_one("SELECT current_setting('server_version_num')::int4", &[]).await?;
        let generation = Generation::of(row.get(0));
        *self.generation.lock().expect("not poisoned") = Some(generation);
        Ok(generation)
    }

    /// `sql` as a statement prepared on this session's connection (once).
    pub async fn prepare(
        &self,
        c: &impl GenericClient,
        sql: &str,
        types: &[Type],
    ) -> Result<Statement, tokio_postgres::Error> {
        if let Some(statement) = self.prepared.lock().expect("not poisoned").get(sql) {
            return Ok(statement.clone());
        }
        let statement = c.prepare_typed(sql, types).await?;
        self.prepared.lock().expect("not poisoned").insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    pub fn is_prepared(&self, sql: &str) -> bool {
        self.prepared.lock().expect("not poisoned").contains_key(sql)
    }

    /// Run a prepared (and cached) query; parameter types are inferred by the server.
    pub async fn query(
        &self,
        c: &impl GenericClient,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, tokio_postgres::Error> {
        let statement = self.prepare(c, sql, &[]).await?;
        c.query(&statement, params).await
    }

    pub async fn query_one(
        &self,
        c: &impl GenericClient,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, tokio_postgres::Error> {
        let statement = self.prepare(c, sql, &[]).await?;
        c.query_one(&statement, params).await
    }

    pub async fn query_opt(
        &self,
        c: &impl GenericClient,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, tokio_postgres::Error> {
        let statement = self.prepare(c, sql, &[]).await?;
        c.query_opt(&statement, params).await
    }

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

/// The connection of a URL opened with [`open_session`]; made at its first use.
type Slot = Arc<tokio::sync::Mutex<Option<(Session, Ctx)>>>;

/// The URLs opened with [`open_session`] (one per CLI run, typically): how many times, and their connection.
static SHARED: LazyLock<Mutex<HashMap<String, (usize, Slot)>>> = LazyLock::new(Default::default);

/// Until the matching [`close_session`], every call with exactly this URL uses ONE connection (made at the
/// first call, and again after it was lost), one call at a time, instead of connecting and closing itself:
/// each call keeps its own transactions and advisory lock, and no longer pays a connection (TLS, auth,
/// the first catalog reads and prepares) each time. Opening the same URL again nests.
pub fn open_session(url: &str) -> Result<()> {
    parse_url(url)?;
    SHARED.lock().expect("not poisoned").entry(url.to_owned()).or_default().0 += 1;
    Ok(())
}

/// Ends one [`open_session`]; the last one closes the connection (after a call still running on it).
pub async fn close_session(url: &str) {
    let slot = {
        let mut shared = SHARED.lock().expect("not poisoned");
        let Some((opened, _)) = shared.get_mut(url) else { return };
        *opened -= 1;
        if *opened > 0 {
            return;
        }
        shared.remove(url).expect("present").1
    };
    let conn = slot.lock().await.take();
    if let Some((session, _)) = conn {
        session.close().await;
    }
}

/// Connect, run `op`, and always close the connection; on a URL opened with [`open_session`], run `op` on
/// its connection instead.
pub(crate) async fn with_session<T>(url: &str, op: impl AsyncFnOnce(&mut Client, &Ctx) -> Result<T>) -> Result<T> {
    let slot = SHARED.lock().expect("not poisoned").get(url).map(|(_, slot)| slot.clone());
    if let Some(slot) = slot {
        let mut conn = slot.lock().await;
        if conn.as_ref().is_some_and(|(session, _)| session.client.is_closed()) {
            // Lost (a broken connection is the error of the call that saw it): this call connects again.
            if let Some((session, _)) = conn.take() {
                session.close().await;
            }
        }
        if conn.is_none() {
            let target = parse_url(url)?;
            let session = connect(&target).await?;
            *conn = Some((session, Ctx::new(target.describe.clone())));
        }
        let (session, ctx) = conn.as_mut().expect("just made");
        let result = op(&mut session.client, ctx).await;
        // After a failure the connection may be broken without knowing it yet: checked, so the next call does
        // not inherit it.
        let broken = result.is_err() && (session.client.is_closed() || session.client.batch_execute("").await.is_err());
        if broken {
            if let Some((session, _)) = conn.take() {
                session.close().await;
            }
        }
        return result;
    }
    let target = parse_url(url)?;
    let mut session: Session = connect(&target).await?;
    let ctx = Ctx::new(target.describe.clone());
    let result = op(&mut session.client, &ctx).await;
    session.close().await;
    result
}

/// Who the session is and acts as (`session_user`, `current_user`).
pub(crate) async fn roles(c: &impl GenericClient) -> Result<(String, String), tokio_postgres::Error> {
    let row = c.query_one("SELECT session_user::text, current_user::text", &[]).await?;
    Ok((row.get(0), row.get(1)))
}

/// Put the session back to pg-rollback's own after a migration: what it `SET` (settings, `search_path`, role,
/// session authorization) is undone, then pg-rollback's settings; `connecting` (from [`roles`] before the
/// first migration) must be who the session is and acts as again, else an error saying so. In a transaction
/// (`in_transaction`) this lasts if it commits. A `RESET SESSION AUTHORIZATION` the server refuses is left
/// out. One round trip.
pub(crate) async fn reset(
    c: &impl GenericClient,
    in_transaction: bool,
    connecting: &(String, String),
) -> Result<(), String> {
    let rest = format!("RESET ROLE; RESET ALL; {OWN_SETTINGS}; SELECT session_user::text, current_user::text");
    let (all, without_authorization) = match in_transaction {
        true => (
            format!(
                "SAVEPOINT pg_rollback_reset; RESET SESSION AUTHORIZATION; RELEASE SAVEPOINT pg_rollback_reset; {rest}"
            ),
            format!("ROLLBACK TO SAVEPOINT pg_rollback_reset; RELEASE SAVEPOINT pg_rollback_reset; {rest}"),
        ),
        // Outside a transaction the statements of one query run as one: on failure, none did.
        false => (format!("RESET SESSION AUTHORIZATION; {rest}"), rest.clone()),
    };
    let messages = match c.simple_query(&all).await {
        Ok(messages) => messages,
        Err(_) => c
            .simple_query(&without_authorization)
            .await
            .map_err(|e| format!("putting the session's role and settings back failed: {}", pg_message(&e)))?,
    };
    let now = messages.iter().find_map(|m| match m {
        tokio_postgres::SimpleQueryMessage::Row(row) => {
            Some((row.get(0).unwrap_or_default().to_owned(), row.get(1).unwrap_or_default().to_owned()))
        }
        _ => None,
    });
    match now {
        Some(now) if &now == connecting => Ok(()),
        Some(now) => Err(format!(
            "the session could not be put back to the connecting role {} (it is now session_user {}, current_user {})",
            connecting.1, now.0, now.1
        )),
        None => Err("reading the session's role after putting it back returned nothing".into()),
    }
}
