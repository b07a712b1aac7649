//! drizzle-orm's bookkeeping (`drizzle.__drizzle_migrations`), kept the way its migrator keeps it.
use tokio_postgres::GenericClient;

use crate::session::Ctx;

type PgResult<T> = std::result::Result<T, tokio_postgres::Error>;

pub(crate) async fn table_exists(c: &impl GenericClient, ctx: &Ctx) -> PgResult<bool> {
    Ok(ctx.query_one(c, "SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL", &[]).await?.get(0))
}

/// The newest `created_at` Drizzle has recorded (`None` without its table). drizzle-orm's rule: a migration
/// is applied when it is at or after its own `created_at`.
pub(crate) async fn last_created_at(c: &impl GenericClient, ctx: &Ctx) -> PgResult<Option<i64>> {
    if !table_exists(c, ctx).await? {
        return Ok(None);
    }
    let row =
        ctx.query_one(c, "SELECT COALESCE(max(created_at), -1)::bigint FROM drizzle.__drizzle_migrations", &[]).await?;
    Ok(Some(row.get(0)))
}

/// Record a migration, creating the table as drizzle-orm does when it is missing (`table_exists`: it is
/// known to exist).
pub(crate) async fn record(
    c: &impl GenericClient,
    ctx: &Ctx,
    hash: &str,
    created_at: i64,
    table_known: bool,
) -> PgResult<()> {
    if !table_known {
        // Only create what is missing: CREATE SCHEMA IF NOT EXISTS still needs CREATE privilege.
        c.batch_execute(
            "DO $pgrb$ BEGIN
               IF to_regnamespace('drizzle') IS NULL THEN CREATE SCHEMA drizzle; END IF;
             END $pgrb$;
             CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);",
        )
        .await?;
    }
    ctx.query(c, "INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ($1, $2)", &[&hash, &created_at])
        .await?;
    Ok(())
}

/// Forget a migration (after its rollback). True when a row was deleted.
pub(crate) async fn forget(c: &impl GenericClient, ctx: &Ctx, hash: &str) -> PgResult<bool> {
    if !table_exists(c, ctx).await? {
        return Ok(false);
    }
    Ok(!ctx
        .query(c, "DELETE FROM drizzle.__drizzle_migrations WHERE hash = $1 RETURNING 1", &[&hash])
        .await?
        .is_empty())
}
