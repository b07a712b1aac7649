//! The restore preview (`restore_preview`): per version of a selection, what `restore_data` would run and,
//! per archived object, what comes back, counted now in a read-only transaction; and what would refuse it
//! (`RESTORE_NOT_AVAILABLE`, `ARCHIVE_MISSING`, `RESTORE_CONFLICT`, the selection's order). Changes nothing.
use pg_rollback_core::archive::{self as core, ArchivedObject, Counts, KeptColumn, Now, ObjectRestore};
use pg_rollback_core::{quote_ident, ParsedMigration};
use serde::Serialize;
use tokio_postgres::GenericClient;

use super::restore::unavailable;
use crate::error::{statement_cause, ErrorCode, Result};
use crate::rollback::range::{read_only, selected, selection};
use crate::session::with_session;
use crate::versions::{self, VersionRow};
use crate::{ExecuteManyOptions, Refusal, StoredRollback};

/// How long one count may take before the preview says it was not counted.
pub(super) const COUNT_TIMEOUT: &str = "5s";

/// One version of a restore preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct VersionRestore {
    pub rollback: StoredRollback,
    /// What `restoreData` runs for it: `restore` (its restore script), `rollback` (its rollback is SAFE: the
    /// ordinary rollback), `none` (neither: see the refusals).
    pub runs: String,
    /// The script that runs; null for `none`.
    pub script: Option<String>,
    /// What each archived object brings back, counted now.
    pub objects: Vec<ObjectRestore>,
}

/// Preview of a restore (`restoreData`) of one version or a range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct RestorePreview {
    pub target: Option<String>,
    /// Newest first: the order they run in.
    pub versions: Vec<VersionRestore>,
    /// Empty when it can be executed (`forceable` ones need force): `RESTORE_NOT_AVAILABLE`, `ARCHIVE_MISSING`,
    /// `RESTORE_CONFLICT` (with the counts), `NOT_TRANSACTIONAL`, `ALREADY_ROLLED_BACK`, `ROLLBACK_OUT_OF_ORDER`.
    pub refusals: Vec<Refusal>,
}

fn refusal(code: ErrorCode, version: &str, message: String) -> Refusal {
    Refusal { code, version: version.to_owned(), versions: vec![version.to_owned()], forceable: false, message }
}

/// The relation `name` (as a record stores it) resolved now, qualified and quoted from the catalog (a record
/// is data: its text is not put into SQL as it is); `None` when it does not exist.
pub(super) async fn relation_now<C: GenericClient + Sync>(
    c: &C,
    name: &str,
) -> std::result::Result<Option<(String, String)>, String> {
    let row = c
        .query_opt(
            "SELECT n.nspname::text, cl.relname::text FROM pg_catalog.pg_class cl
               JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace
              WHERE cl.oid = pg_catalog.to_regclass($1)",
            &[&name],
        )
        .await
        .map_err(|e| statement_cause(&e))?;
    Ok(row.map(|row| (row.get(0), row.get(1))))
}

/// What the database says now about `object` (and its column's facts, when the record has them).
async fn now<C: GenericClient + Sync>(c: &C, object: &ArchivedObject, column: Option<&KeptColumn>) -> Now {
    let archive = match relation_now(c, &object.table).await {
        Ok(Some((schema, name))) if schema == core::SCHEMA => {
            format!("{}.{}", quote_ident(&schema), quote_ident(&name))
        }
        Ok(_) => return Now::ArchiveGone,
        Err(e) => return Now::NotCounted(e),
    };
    let Some(column) = column else {
        // Kinds other than a column get their generic line; a column kept before its facts were stored says so.
        return match object.kind.as_str() {
            "DROP COLUMN" | "ALTER COLUMN TYPE" => {
                Now::NotCounted("the archive record does not describe the column (kept by an older version)".into())
            }
            _ => Now::Counted(Counts { rows_since: 0, rows_deleted: 0, update_triggers: 0 }),
        };
    };
    let table = match relation_now(c, &column.table).await {
        Ok(Some((schema, name))) => format!("{}.{}", quote_ident(&schema), quote_ident(&name)),
        Ok(None) => return Now::NotCounted(format!("{} does not exist now", column.table)),
        Err(e) => return Now::NotCounted(e),
    };
    let column = KeptColumn { table, ..column.clone() };
    // Under a savepoint with a timeout: a count that fails or takes too long is reported, not fatal.
    let sql = format!(
        "SAVEPOINT pg_rollback_count; SET LOCAL statement_timeout = {}",
        pg_rollback_core::quote_literal(COUNT_TIMEOUT)
    );
    if let Err(e) = c.batch_execute(&sql).await {
        return Now::NotCounted(statement_cause(&e));
    }
    let counted = c.query_one(core::count_sql(&column, &archive).as_str(), &[]).await;
    let release = match counted {
        Ok(_) => "RESET statement_timeout; RELEASE SAVEPOINT pg_rollback_count",
        Err(_) => "ROLLBACK TO SAVEPOINT pg_rollback_count; RELEASE SAVEPOINT pg_rollback_count",
    };
    let _ = c.batch_execute(release).await;
    match counted {
        Ok(row) => {
            Now::Counted(Counts { rows_since: row.get(0), rows_deleted: row.get(1), update_triggers: row.get(2) })
        }
        Err(e) => Now::NotCounted(format!("counting failed ({}; limit {COUNT_TIMEOUT})", statement_cause(&e))),
    }
}

/// The rows a data statement kept in `object`'s archive table, when it is one.
fn kept_rows<'a>(record: &'a core::ArchiveRecord, object: &ArchivedObject) -> Option<&'a core::KeptRows> {
    if !core::data::is_data_kind(&object.kind) {
        return None;
    }
    let quoted = |r: &core::KeptRows| format!("{}.{}", quote_ident(core::SCHEMA), quote_ident(&r.archive));
    record.rows_kept.iter().find(|r| quoted(r) == object.table)
}

/// One version: what runs, what comes back, what refuses it.
async fn version<C: GenericClient + Sync>(
    c: &C,
    row: VersionRow,
    restoring: bool,
    refusals: &mut Vec<Refusal>,
) -> VersionRestore {
    let stored = row.stored;
    let name = stored.version.clone();
    if stored.rollback_safe {
        let script = stored.rollback_script.clone();
        // As the restore runs it: no script is an empty one.
        let transactional =
            ParsedMigration::parse(script.as_deref().unwrap_or("")).is_ok_and(|p| p.runs_in_transaction());
        if restoring && !transactional {
            refusals.push(refusal(
                ErrorCode::NotTransactional,
                &name,
                format!(
                    "The rollback of version {name} cannot run in a transaction: a restore runs in one. Nothing was changed"
                ),
            ));
        }
        return VersionRestore { rollback: stored, runs: "rollback".into(), script, objects: Vec::new() };
    }
    let Some(script) = stored.restore_script.clone() else {
        refusals.push(refusal(
            ErrorCode::RestoreNotAvailable,
            &name,
            unavailable(&name, stored.archive.as_ref()).to_string(),
        ));
        return VersionRestore { rollback: stored, runs: "none".into(), script: None, objects: Vec::new() };
    };
    let mut objects = Vec::new();
    let record = stored.archive.clone().unwrap_or_default();
    for object in &record.objects {
        if let Some(rows) = kept_rows(&record, object) {
            objects.push(super::data::preview(c, &record, object, rows).await);
            continue;
        }
        let column = record.columns.iter().find(|k| k.statement_index == object.statement_index);
        objects.push(core::describe(object, column, &now(c, object, column).await));
    }
    let missing: Vec<&str> = objects.iter().filter(|o| o.archive_missing).map(|o| o.table.as_str()).collect();
    if !missing.is_empty() {
        refusals.push(refusal(
            ErrorCode::ArchiveMissing,
            &name,
            format!(
                "The archive of version {name} is gone ({} dropped or pruned): its data cannot be restored. Nothing \
                 was changed",
                missing.join(", ")
            ),
        ));
    }
    // Rows changed since a data migration are a refusal force overrides (keeping or overwriting them).
    for forceable in [false, true] {
        let conflicts: Vec<&str> = objects
            .iter()
            .filter(|o| core::data::is_data_kind(&o.kind) == forceable)
            .flat_map(|o| o.conflicts.iter().map(String::as_str))
            .collect();
        if !conflicts.is_empty() {
            let mut refused = refusal(
                ErrorCode::RestoreConflict,
                &name,
                format!("Cannot restore version {name}: {}. Nothing was changed", conflicts.join("; ")),
            );
            refused.forceable = forceable;
            refusals.push(refused);
        }
    }
    VersionRestore { rollback: stored, runs: "restore".into(), script: Some(script), objects }
}

/// Preview of `execute_rollbacks` (or `execute_rollback`) with `restore_data`: the versions of the selection
/// (`version`, `to` or `steps`), newest first, with the script each runs and what each archived object brings
/// back, counted now; and what would refuse it. Read-only: changes nothing.
pub async fn restore_preview(url: &str, options: &ExecuteManyOptions) -> Result<RestorePreview> {
    selection(options)?;
    with_session(url, async |client, ctx| {
        let table = versions::require(&*client, ctx).await?;
        read_only(client, ctx, async |tx| {
            let (rows, refused) = selected(tx, ctx, table, options).await?;
            // A missing or unsafe rollback is what the restore replaces; the selection's state and order still refuse.
            let mut refusals: Vec<Refusal> = refused
                .into_iter()
                .filter(|r| matches!(r.code, ErrorCode::AlreadyRolledBack | ErrorCode::RollbackOutOfOrder))
                .collect();
            // Only SAFE versions: their ordinary rollbacks run (CONCURRENTLY ones on their own), as without restore_data.
            let restoring = !rows.iter().all(|r| r.stored.rollback_safe);
            let mut versions = Vec::with_capacity(rows.len());
            for row in rows {
                versions.push(version(tx, row, restoring, &mut refusals).await);
            }
            Ok(RestorePreview { target: options.to.clone(), versions, refusals })
        })
        .await
    })
    .await
}
