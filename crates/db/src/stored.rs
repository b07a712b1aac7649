//! The stored rollbacks: one generated from the SQL alone and stored, one read, all listed, and the versions
//! applied after one.
use crate::connect::parse_url;
use crate::error::{Error, Result};
use crate::lock::take_lock;
use crate::session::{check_migration, check_text, with_session};
use crate::versions;
use crate::{MigrationInput, StoredRollback};

/// Generate the rollback of `m.sql` from the SQL alone and store it in `schema_versions` (for migrations
/// applied by other tools, or before `schema_versions` existed).
pub async fn store_rollback(url: &str, m: &MigrationInput) -> Result<StoredRollback> {
    check_migration(m)?;
    parse_url(url)?;
    let plan = pg_rollback_core::generate_rollback(&m.sql)?;
    with_session(url, async |client, ctx| {
        let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
        take_lock(&tx, ctx, "pg_advisory_xact_lock").await?;
        let table = versions::require(&tx, ctx).await?;
        let stored = versions::write_row(&tx, ctx, table, m, &plan).await?;
        tx.commit().await.map_err(|e| ctx.err("committing", &e))?;
        Ok(stored)
    })
    .await
}

/// The newest row of `version`, without changing anything.
pub async fn get_rollback(url: &str, version: &str) -> Result<StoredRollback> {
    check_text("version", version, false)?;
    with_session(url, async |client, ctx| {
        let table = versions::require(&*client, ctx).await?;
        match versions::latest_row(&*client, ctx, table, version, false).await? {
            Some(row) => Ok(row.stored),
            None => Err(Error::VersionNotFound(version.to_owned())),
        }
    })
    .await
}

/// Every `schema_versions` row, oldest first.
pub async fn list_rollbacks(url: &str) -> Result<Vec<StoredRollback>> {
    with_session(url, async |client, ctx| {
        let table = versions::require(&*client, ctx).await?;
        versions::all_rows(&*client, ctx, table).await
    })
    .await
}

/// Versions after `version` in `order` (e.g. the Drizzle journal's) that are applied and not rolled back:
/// what makes rolling back `version` out of order (the same check `execute_rollback` makes under its lock).
pub async fn later_applied(url: &str, version: &str, order: &[String]) -> Result<Vec<(String, String)>> {
    check_text("version", version, false)?;
    with_session(url, async |client, ctx| {
        let table = versions::require(&*client, ctx).await?;
        versions::later_applied(&*client, ctx, table, version, order).await
    })
    .await
}
