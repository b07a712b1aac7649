//! Reading a [`Snapshot`] of the schema: one read-only query over `pg_catalog` ([`SNAPSHOT_SQL`]), run with
//! an empty `search_path` inside a savepoint that is rolled back, so the caller's transaction and settings
//! are left as they were.
use pg_rollback_core::snapshot::{CatalogObject, Snapshot};
use tokio_postgres::GenericClient;

use crate::error::{Error, Result};
use crate::session::Ctx;

/// Every catalog object a migration can change, with what defines it, as a JSON array. Runs as it is on
/// PostgreSQL 15 and later; [`snapshot_sql`] gives the text for an older server.
pub const SNAPSHOT_SQL: &str = include_str!("snapshot.sql");

// JIT compiling this query costs about five times what running it does.
const BEGIN: &str = "SAVEPOINT pg_rollback_snapshot; SELECT set_config('search_path', '', true); SET LOCAL jit = off";
const END: &str = "ROLLBACK TO SAVEPOINT pg_rollback_snapshot; RELEASE SAVEPOINT pg_rollback_snapshot";

/// [`SNAPSHOT_SQL`] for a server of `server_version_num`: the lines between `--@if N` and `--@end` (catalog
/// columns that server N added) are kept only from version N on; `--@else` starts what older ones run.
pub fn snapshot_sql(server_version_num: i32) -> String {
    let mut out = String::with_capacity(SNAPSHOT_SQL.len());
    // (the section applies, we are in its else part) for each open `--@if`.
    let mut sections: Vec<(bool, bool)> = Vec::new();
    for line in SNAPSHOT_SQL.lines() {
        let marker = line.trim_start();
        if let Some(version) = marker.strip_prefix("--@if ") {
            // The markers are checked by the tests below.
            let since = version.trim().parse().unwrap_or(i32::MAX);
            sections.push((server_version_num >= since, false));
        } else if marker == "--@else" {
            if let Some(section) = sections.last_mut() {
                section.1 = true;
            }
        } else if marker == "--@end" {
            sections.pop();
        } else if sections.iter().all(|&(applies, in_else)| applies != in_else) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The schema as the transaction of `c` sees it now.
pub(crate) async fn read<C: GenericClient + Sync>(c: &C, ctx: &Ctx) -> Result<Snapshot> {
    c.batch_execute(BEGIN).await.map_err(|e| ctx.err("starting the catalog snapshot", &e))?;
    let read = async {
        let version: i32 = c.query_one("SELECT current_setting('server_version_num')::int", &[]).await?.try_get(0)?;
        c.query_one(&snapshot_sql(version), &[]).await
    }
    .await;
    // Even after a failed read: the savepoint puts the transaction back in a usable state.
    let end = c.batch_execute(END).await;
    let row = read.map_err(|e| ctx.err("reading the catalog snapshot", &e))?;
    end.map_err(|e| ctx.err("ending the catalog snapshot", &e))?;
    let json: String = row.try_get(0).map_err(|e| ctx.err("reading the catalog snapshot", &e))?;
    let objects: Vec<CatalogObject> = serde_json::from_str(&json)
        .map_err(|e| Error::Database(format!("the catalog snapshot could not be read: {e}")))?;
    Ok(Snapshot { objects }.plain())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_for_newer_servers_are_left_out_on_older_ones() {
        let new = snapshot_sql(180_000);
        let old = snapshot_sql(140_000);
        for catalog in ["pg_publication_namespace", "prqual", "prattrs"] {
            assert!(new.contains(catalog), "{catalog}");
            assert!(!old.contains(catalog), "{catalog} is read on PostgreSQL 14");
        }
        assert!(!new.lines().any(|l| l.trim_start().starts_with("--@")), "markers are removed");
        let (mut depth, mut most) = (0i32, 0);
        for marker in SNAPSHOT_SQL.lines().map(str::trim_start).filter(|l| l.starts_with("--@")) {
            match marker.split_whitespace().collect::<Vec<_>>()[..] {
                ["--@if", n] if n.parse::<i32>().is_ok() => depth += 1,
                ["--@else"] => assert!(depth > 0, "--@else outside --@if"),
                ["--@end"] => depth -= 1,
                _ => panic!("unknown marker {marker:?}"),
            }
            assert!(depth >= 0, "--@end without --@if");
            most = most.max(depth);
        }
        assert_eq!(depth, 0, "--@if without --@end");
        assert!(most > 0);
        assert_eq!(new.lines().count(), SNAPSHOT_SQL.lines().filter(|l| !l.trim_start().starts_with("--@")).count());
    }
}
