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

/// An object of the catalog another session dropped while it was read (`class oid subid`): a read in a new
/// transaction sees the catalog without it.
pub(crate) struct DroppedWhileRead(pub String);

impl DroppedWhileRead {
    pub(crate) fn error(&self) -> Error {
        Error::Database(format!(
            "the catalog snapshot could not be read: the catalog changed while it was read ({} was dropped by \
             another session)",
            self.0
        ))
    }
}

/// One object as the query returns it: `kind` and `name` are null for an object dropped while it was read.
#[derive(serde::Deserialize)]
struct RawObject {
    kind: Option<String>,
    name: Option<String>,
    #[serde(default)]
    attributes: std::collections::BTreeMap<String, serde_json::Value>,
    #[serde(rename = "dropped while read")]
    dropped: Option<String>,
}

/// The schema as the transaction of `c` sees it now.
pub(crate) async fn read<C: GenericClient + Sync>(c: &C, ctx: &Ctx) -> Result<Snapshot> {
    read_or_dropped(c, ctx).await?.map_err(|d| d.error())
}

/// [`read`], or which object was dropped by another session while it was read.
pub(crate) async fn read_or_dropped<C: GenericClient + Sync>(
    c: &C,
    ctx: &Ctx,
) -> Result<std::result::Result<Snapshot, DroppedWhileRead>> {
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
    let raw: Vec<RawObject> = serde_json::from_str(&json)
        .map_err(|e| Error::Database(format!("the catalog snapshot could not be read: {e}")))?;
    let mut objects = Vec::with_capacity(raw.len());
    for o in raw {
        match (o.kind, o.name, o.dropped) {
            (Some(kind), Some(name), None) => objects.push(CatalogObject { kind, name, attributes: o.attributes }),
            (_, _, dropped) => return Ok(Err(DroppedWhileRead(dropped.unwrap_or_else(|| "an object".into())))),
        }
    }
    Ok(Ok(Snapshot { objects }.plain()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The race CI met on PostgreSQL 14 (a permanent function of a temporary type, dropped when the session that
    /// made it ended, while the next snapshot was read), made certain: the query's snapshot is taken first
    /// (repeatable read), then another session drops objects, then the snapshot is read. They are said to be
    /// dropped (never null names), and a new read no longer sees them.
    #[tokio::test]
    async fn objects_dropped_while_the_catalog_is_read_are_said_and_read_again() {
        let db = testpg::server().fresh_database("snapshot_dropped");
        db.run(
            "CREATE TYPE e AS ENUM ('x'); CREATE FUNCTION f(e) RETURNS int LANGUAGE sql AS 'SELECT 1';
             CREATE TABLE \"50% off\" (id int, c e);",
        )
        .unwrap();
        let url = db.url().to_owned();
        let dropped = crate::session::with_session(&url, async |client, ctx| {
            let tx = client
                .build_transaction()
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .start()
                .await
                .unwrap();
            tx.query_one("SELECT 1", &[]).await.unwrap();
            db.run("DROP FUNCTION f(e); DROP TABLE \"50% off\";").unwrap();
            let read = read_or_dropped(&tx, ctx).await?;
            let again = read_or_dropped(&tx, ctx).await?;
            let _ = tx.rollback().await;
            Ok((read.err().map(|d| d.0), again.is_err()))
        })
        .await
        .unwrap();
        let (what, still) = dropped;
        let what = what.expect("the dropped objects are said");
        assert!(
            what.starts_with("pg_proc ") || what.starts_with("pg_class ") || what.starts_with("pg_type "),
            "{what}"
        );
        assert!(still, "the same transaction still sees them");
        let snapshot = crate::catalog_snapshot(&url).await.unwrap();
        assert!(snapshot.objects.iter().all(|o| !o.name.contains("50% off") && !o.name.contains("f(")), "{snapshot:?}");
        assert!(snapshot.objects.iter().any(|o| o.name == "public.e"), "the type stays");
    }

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
