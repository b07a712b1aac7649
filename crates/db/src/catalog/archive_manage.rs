//! The catalog reads of archive management (`archive::manage`): what a table an archive record names is now.
use pg_rollback_core::archive::SCHEMA;
use tokio_postgres::GenericClient;

use crate::error::Result;
use crate::session::Ctx;

/// A table a record names, as the catalog has it now.
pub(crate) struct Resolved {
    pub schema: String,
    pub name: String,
    pub bytes: i64,
    /// In one of the archive's schemas, or commented as an archive table: pruning may drop it.
    pub archive: bool,
}

/// What a table name of the record denotes now.
pub(crate) async fn resolve<C: GenericClient + Sync>(c: &C, ctx: &Ctx, table: &str) -> Result<Option<Resolved>> {
    let row = c
        .query_opt(
            "SELECT n.nspname::text, c.relname::text, pg_catalog.pg_total_relation_size(c.oid),
                    pg_catalog.left(n.nspname, pg_catalog.length($2)) = $2
                    OR COALESCE(pg_catalog.obj_description(c.oid, 'pg_class') LIKE 'pg-rollback archive of %', false)
               FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE c.oid = pg_catalog.to_regclass($1)",
            &[&table, &SCHEMA],
        )
        .await
        .map_err(|e| ctx.err("reading an archive table", &e))?;
    Ok(row.map(|r| Resolved { schema: r.get(0), name: r.get(1), bytes: r.get(2), archive: r.get(3) }))
}
