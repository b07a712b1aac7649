//! drizzle-orm's bookkeeping (`drizzle.__drizzle_migrations`), kept the way its migrator keeps it.
use tokio_postgres::GenericClient;

type PgResult<T> = std::result::Result<T, tokio_postgres::Error>;

pub(crate) async fn table_exists(c: &impl GenericClient) -> PgResult<bool> {
    Ok(c.query_one("SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL", &[]).await?.get(0))
}

/// drizzle-orm's rule: a migration is applied when a row with `created_at` at or after its own exists.
pub(crate) async fn is_applied(c: &impl GenericClient, created_at: i64) -> PgResult<bool> {
    if !table_exists(c).await? {
        return Ok(false);
    }
    let row = c
        .query_one("SELECT EXISTS (SELECT 1 FROM drizzle.__drizzle_migrations WHERE created_at >= $1)", &[&created_at])
        .await?;
    Ok(row.get(0))
}

/// Record a migration, creating the table as drizzle-orm does when it is missing.
pub(crate) async fn record(c: &impl GenericClient, hash: &str, created_at: i64) -> PgResult<()> {
    if !table_exists(c).await? {
        // Only create what is missing: CREATE SCHEMA IF NOT EXISTS still needs CREATE privilege.
        c.batch_execute(
            "DO $pgrb$ BEGIN
               IF to_regnamespace('drizzle') IS NULL THEN CREATE SCHEMA drizzle; END IF;
             END $pgrb$;
             CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);",
        )
        .await?;
    }
    c.execute("INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ($1, $2)", &[&hash, &created_at])
        .await?;
    Ok(())
}

/// Forget a migration (after its rollback). True when a row was deleted.
pub(crate) async fn forget(c: &impl GenericClient, hash: &str) -> PgResult<bool> {
    if !table_exists(c).await? {
        return Ok(false);
    }
    Ok(c.execute("DELETE FROM drizzle.__drizzle_migrations WHERE hash = $1", &[&hash]).await? > 0)
}
