//! Reading a [`Snapshot`] of the schema: one read-only query over `pg_catalog` ([`SNAPSHOT_SQL`]), run with
//! an empty `search_path` inside a savepoint that is rolled back, so the caller's transaction and settings
//! are left as they were.
use pg_rollback_core::snapshot::{CatalogObject, Snapshot};
use tokio_postgres::GenericClient;

use crate::error::{Error, Result};
use crate::session::Ctx;

/// Every catalog object a migration can change, with what defines it, as a JSON array.
pub const SNAPSHOT_SQL: &str = include_str!("snapshot.sql");

const BEGIN: &str = "SAVEPOINT pg_rollback_snapshot; SELECT set_config('search_path', '', true)";
const END: &str = "ROLLBACK TO SAVEPOINT pg_rollback_snapshot; RELEASE SAVEPOINT pg_rollback_snapshot";

/// The schema as the transaction of `c` sees it now.
pub(crate) async fn read<C: GenericClient + Sync>(c: &C, ctx: &Ctx) -> Result<Snapshot> {
    c.batch_execute(BEGIN).await.map_err(|e| ctx.err("starting the catalog snapshot", &e))?;
    let read = c.query_one(SNAPSHOT_SQL, &[]).await;
    // Even after a failed read: the savepoint puts the transaction back in a usable state.
    let end = c.batch_execute(END).await;
    let row = read.map_err(|e| ctx.err("reading the catalog snapshot", &e))?;
    end.map_err(|e| ctx.err("ending the catalog snapshot", &e))?;
    let json: String = row.try_get(0).map_err(|e| ctx.err("reading the catalog snapshot", &e))?;
    let objects: Vec<CatalogObject> = serde_json::from_str(&json)
        .map_err(|e| Error::Database(format!("the catalog snapshot could not be read: {e}")))?;
    Ok(Snapshot { objects })
}
