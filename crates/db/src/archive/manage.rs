//! Managing the archive after apply: what it holds now ([`list_archives`]) and dropping it ([`prune_archive`]).
//! Each version's archive is what its newest `schema_versions` row with archived objects lists; table names
//! are per version, so older rows of a version name the same tables.
use pg_rollback_core::archive::{ArchiveRecord, SCHEMA};
use pg_rollback_core::quote_ident;
use serde::Serialize;
use tokio_postgres::GenericClient;

use super::DROP_SCHEMA_IF_EMPTY;
use crate::catalog::archive::restore_columns;
use crate::catalog::archive_manage::resolve;
use crate::error::{statement_cause, Error, Result};
use crate::lock::take_lock;
use crate::session::{check_text, with_session, Ctx};

/// One archive table as it is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct ArchiveTable {
    /// Qualified and quoted, as `schema_versions.archive` records it.
    pub table: String,
    /// 0-based statement of the migration that destroyed what it keeps.
    pub statement_index: u32,
    /// `DROP COLUMN`, `ALTER COLUMN TYPE`, `DROP TABLE`, ...
    pub kind: String,
    /// What it keeps, e.g. `public.orders.notes`.
    pub source: String,
    /// Rows kept at apply.
    pub rows: i64,
    /// `pg_total_relation_size` now (0 when the table is gone).
    pub bytes: i64,
    /// False when the table was dropped (by hand, or with its schema): its restore is `ARCHIVE_MISSING`.
    pub exists: bool,
}

/// The archive of one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct VersionArchive {
    pub version: String,
    pub migration_file: String,
    /// ISO 8601 in UTC.
    pub applied_at: String,
    /// Milliseconds since `applied_at`.
    pub age_ms: i64,
    /// The version was rolled back without its restore (its archive is left over).
    pub rolled_back: bool,
    pub objects: Vec<ArchiveTable>,
    /// Rows kept at apply, all tables.
    pub rows: i64,
    /// Bytes now, all tables that exist.
    pub bytes: i64,
    /// A restore script is stored and every table exists.
    pub restorable: bool,
}

/// Which archives [`prune_archive`] drops: those of `version`, those of versions applied longer than
/// `older_than_ms` ago, or (both given) those of `version` if it is that old. At least one is required.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PruneSelection {
    pub version: Option<String>,
    pub older_than_ms: Option<i64>,
    /// Select and measure only (the preview): nothing is dropped or written.
    pub dry_run: bool,
}

/// What [`prune_archive`] dropped of one version (on a dry run: would drop).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct PrunedArchive {
    pub version: String,
    pub migration_file: String,
    pub applied_at: String,
    pub age_ms: i64,
    /// The tables that existed and were dropped.
    pub dropped: Vec<String>,
    /// The tables the record names that were already gone.
    pub missing: Vec<String>,
    /// Tables the record names that are not archive tables (outside the archive's schemas and without its
    /// comment): left alone.
    pub left_alone: Vec<String>,
    /// Rows kept at apply in the dropped tables.
    pub rows: i64,
    /// Bytes freed (`pg_total_relation_size` right before the drop).
    pub bytes: i64,
}

struct Found {
    archive: VersionArchive,
    record: ArchiveRecord,
}

const ROWS: &str = r#"
SELECT s.version, s.migration_file,
       to_char(s.applied_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS applied_at,
       COALESCE((EXTRACT(EPOCH FROM ((now() AT TIME ZONE 'UTC') - s.applied_at)) * 1000)::bigint, 0) AS age_ms,
       s.rollback_applied_at IS NOT NULL AS rolled_back,
       s.restore_script IS NOT NULL AS has_script,
       s.archive::text AS archive
  FROM schema_versions s
 WHERE s.id = (SELECT max(n.id) FROM schema_versions n
                WHERE n.version = s.version AND jsonb_typeof(n.archive -> 'objects') = 'array'
                  AND n.archive -> 'objects' <> '[]'::jsonb)
 ORDER BY s.id"#;

/// Every version with archived objects, oldest row first; a version restored (rolled back, tables gone)
/// is left out.
async fn read<C: GenericClient + Sync>(c: &C, ctx: &Ctx) -> Result<Vec<Found>> {
    if !restore_columns(c).await.map_err(|e| ctx.err("checking schema_versions", &e))? {
        return Ok(Vec::new());
    }
    let rows = c.query(ROWS, &[]).await.map_err(|e| ctx.err("reading schema_versions", &e))?;
    let mut found = Vec::with_capacity(rows.len());
    for row in rows {
        // A record that does not read back (edited by hand) holds nothing this crate can name.
        let Some(record) = row.get::<_, Option<String>>("archive").and_then(|j| serde_json::from_str(&j).ok()) else {
            continue;
        };
        let record: ArchiveRecord = record;
        let mut objects = Vec::with_capacity(record.objects.len());
        for o in &record.objects {
            let now = resolve(c, ctx, &o.table).await?;
            objects.push(ArchiveTable {
                table: o.table.clone(),
                statement_index: o.statement_index,
                kind: o.kind.clone(),
                source: o.source.clone(),
                rows: o.rows,
                bytes: now.as_ref().map_or(0, |r| r.bytes),
                exists: now.is_some(),
            });
        }
        let rolled_back: bool = row.get("rolled_back");
        if rolled_back && objects.iter().all(|o| !o.exists) {
            continue;
        }
        let restorable = row.get::<_, bool>("has_script") && !rolled_back && objects.iter().all(|o| o.exists);
        found.push(Found {
            archive: VersionArchive {
                version: row.get("version"),
                migration_file: row.get("migration_file"),
                applied_at: row.get::<_, Option<String>>("applied_at").unwrap_or_default(),
                age_ms: row.get("age_ms"),
                rolled_back,
                rows: objects.iter().map(|o| o.rows).sum(),
                bytes: objects.iter().map(|o| o.bytes).sum(),
                objects,
                restorable,
            },
            record,
        });
    }
    Ok(found)
}

/// What the archive holds now, per version (oldest first): its tables with their size now and whether they
/// still exist, and whether the version can be restored. Read-only; `[]` without the archive's columns.
pub async fn list_archives(url: &str) -> Result<Vec<VersionArchive>> {
    with_session(url, async |client, ctx| Ok(read(&*client, ctx).await?.into_iter().map(|f| f.archive).collect())).await
}

fn check(selection: &PruneSelection) -> Result<()> {
    if selection.version.is_none() && selection.older_than_ms.is_none() {
        return Err(Error::InvalidArgument(
            "pruneArchive needs version or olderThanMs (which archives to drop)".into(),
        ));
    }
    if let Some(version) = &selection.version {
        check_text("version", version, false)?;
    }
    if let Some(ms) = selection.older_than_ms.filter(|ms| *ms < 0) {
        return Err(Error::InvalidArgument(format!("olderThanMs must not be negative, got {ms}")));
    }
    Ok(())
}

/// Drop the archives `selection` names, under the advisory lock, in ONE transaction: every table their
/// record names (whatever schema it is in: a column's copy or a moved table), then each archive schema
/// left empty; their rows no longer offer a restore (`restore_script` NULL; the record's objects emptied,
/// `restoreUnavailable` saying when it was pruned), so a later restore is `RESTORE_NOT_AVAILABLE`.
/// `VERSION_NOT_FOUND` for an unknown `version`; `[]` when nothing matches.
pub async fn prune_archive(url: &str, selection: &PruneSelection) -> Result<Vec<PrunedArchive>> {
    check(selection)?;
    with_session(url, async |client, ctx| {
        crate::versions::require(&*client, ctx).await?;
        let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
        if !selection.dry_run {
            take_lock(&tx, ctx, "pg_advisory_xact_lock").await?;
        }
        if let Some(version) = &selection.version {
            let known = tx
                .query_opt("SELECT 1 FROM schema_versions WHERE version = $1 LIMIT 1", &[version])
                .await
                .map_err(|e| ctx.err("reading schema_versions", &e))?;
            if known.is_none() {
                return Err(Error::VersionNotFound(version.clone()));
            }
        }
        let chosen: Vec<Found> = read(&tx, ctx)
            .await?
            .into_iter()
            .filter(|f| selection.version.as_ref().is_none_or(|v| *v == f.archive.version))
            .filter(|f| selection.older_than_ms.is_none_or(|ms| f.archive.age_ms > ms))
            .collect();
        let mut pruned = Vec::with_capacity(chosen.len());
        let mut schemas: Vec<String> = Vec::new();
        for f in &chosen {
            let mut done = PrunedArchive {
                version: f.archive.version.clone(),
                migration_file: f.archive.migration_file.clone(),
                applied_at: f.archive.applied_at.clone(),
                age_ms: f.archive.age_ms,
                dropped: Vec::new(),
                missing: Vec::new(),
                left_alone: Vec::new(),
                rows: 0,
                bytes: 0,
            };
            // One DROP for the whole version: tables a DROP TABLE moved together may reference each other.
            let mut drops: Vec<String> = Vec::new();
            for o in &f.record.objects {
                // Dropped by the name the catalog gives it now, never by the recorded text.
                let Some(now) = resolve(&tx, ctx, &o.table).await? else {
                    done.missing.push(o.table.clone());
                    continue;
                };
                if !now.archive {
                    done.left_alone.push(o.table.clone());
                    continue;
                }
                drops.push(format!("{}.{}", quote_ident(&now.schema), quote_ident(&now.name)));
                if !schemas.contains(&now.schema) {
                    schemas.push(now.schema);
                }
                done.dropped.push(o.table.clone());
                done.rows += o.rows;
                done.bytes += now.bytes;
            }
            if !selection.dry_run && !drops.is_empty() {
                let tables = drops.join(", ");
                tx.batch_execute(&format!("DROP TABLE {tables}"))
                    .await
                    .map_err(|e| prune_failed(&f.archive.version, &tables, &e))?;
            }
            pruned.push(done);
        }
        if selection.dry_run {
            let _ = tx.rollback().await;
            return Ok(pruned);
        }
        for schema in &schemas {
            drop_schema_if_empty(&tx, ctx, schema).await?;
        }
        let when: String = tx
            .query_one("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"')", &[])
            .await
            .map_err(|e| ctx.err("reading the time", &e))?
            .get(0);
        for p in &pruned {
            forget(&tx, ctx, p, &when).await?;
        }
        tx.commit().await.map_err(|e| ctx.err("committing the prune", &e))?;
        Ok(pruned)
    })
    .await
}

fn prune_failed(version: &str, table: &str, e: &tokio_postgres::Error) -> Error {
    Error::Database(format!(
        "Pruning the archive of version {version} failed at DROP TABLE {table}: {}. Nothing was changed",
        statement_cause(e)
    ))
}

/// An archive schema (`pgrollback_archive`, or one of its own a kind keeps tables in) once nothing is in it.
async fn drop_schema_if_empty<C: GenericClient + Sync>(c: &C, ctx: &Ctx, schema: &str) -> Result<()> {
    if schema == SCHEMA {
        return c.batch_execute(DROP_SCHEMA_IF_EMPTY).await.map_err(|e| ctx.err("dropping the archive schema", &e));
    }
    if !schema.starts_with(SCHEMA) {
        return Ok(());
    }
    // RESTRICT: anything still in it keeps it (caught in the block's own subtransaction).
    let sql = format!(
        "DO $pg_rollback$ BEGIN DROP SCHEMA {}; EXCEPTION WHEN dependent_objects_still_exist THEN NULL; END $pg_rollback$",
        quote_ident(schema)
    );
    c.batch_execute(&sql).await.map_err(|e| ctx.err("dropping an archive schema", &e))
}

/// The rows of the pruned version offer no restore any more, and say why.
async fn forget<C: GenericClient + Sync>(c: &C, ctx: &Ctx, p: &PrunedArchive, when: &str) -> Result<()> {
    let rows = c
        .query(
            "SELECT id::bigint, archive::text FROM schema_versions
              WHERE version = $1 AND jsonb_typeof(archive -> 'objects') = 'array' AND archive -> 'objects' <> '[]'::jsonb",
            &[&p.version],
        )
        .await
        .map_err(|e| ctx.err("reading schema_versions", &e))?;
    let tables = if p.dropped.is_empty() { String::new() } else { format!(": {}", p.dropped.join(", ")) };
    let why = format!("its archive was pruned on {when}{tables}");
    for row in rows {
        let id: i64 = row.get(0);
        let mut record: ArchiveRecord =
            row.get::<_, Option<String>>(1).and_then(|j| serde_json::from_str(&j).ok()).unwrap_or_default();
        record.objects.clear();
        record.rows = 0;
        record.bytes = 0;
        record.restore_unavailable = Some(why.clone());
        let json = serde_json::to_string(&record).expect("the record serializes");
        c.execute(
            "UPDATE schema_versions SET restore_script = NULL, archive = CAST($2::text AS jsonb) WHERE id = $1::bigint",
            &[&id, &json],
        )
        .await
        .map_err(|e| ctx.err("recording the prune in schema_versions", &e))?;
    }
    Ok(())
}
