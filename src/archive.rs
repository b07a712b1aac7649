//! The archive after apply: what it holds (`listArchives`) and dropping it (`pruneArchive`).
use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::Env;
use napi_derive::napi;
use pg_rollback_db::args::PruneArchiveOptions;
use pg_rollback_db::{self as db, PrunedArchive, VersionArchive};

use crate::{arg, catch_panic, promise};

/// What the archive holds now, per version (oldest first): each table with the rows kept at apply, its size
/// now (`pg_total_relation_size`) and whether it still exists, the totals, the age, and whether the version
/// can be restored (a restore script and every table). Read-only; `[]` when `schema_versions` has no
/// archive columns. Rejects with `CONNECTION_FAILED`, `DATABASE_ERROR`, `INVALID_ARGUMENT`.
#[napi(ts_args_type = "databaseUrl: string", ts_return_type = "Promise<VersionArchive[]>")]
pub fn list_archives<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
) -> napi::Result<PromiseRaw<'env, Vec<VersionArchive>>> {
    let url = catch_panic(|| arg::<String>("databaseUrl", &database_url));
    promise(env, async move { db::list_archives(&url?).await })
}

/// Drop the archive of `version`, or of every version applied more than `olderThanMs` ago (both: that
/// version if it is that old), under the advisory lock in one transaction: every table its record names,
/// then an archive schema left empty. Those versions then have no restore (`RESTORE_NOT_AVAILABLE`, saying
/// when it was pruned). `dryRun` only says what would go. Resolves with what was dropped per version.
/// Rejects with `INVALID_ARGUMENT` (neither selector), `VERSION_NOT_FOUND`, `LOCK_TIMEOUT`,
/// `SCHEMA_VERSIONS_MISSING`, `CONNECTION_FAILED`, `DATABASE_ERROR`.
#[napi(ts_args_type = "databaseUrl: string, options: PruneArchiveOptions", ts_return_type = "Promise<PrunedArchive[]>")]
pub fn prune_archive<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    options: Unknown<'env>,
) -> napi::Result<PromiseRaw<'env, Vec<PrunedArchive>>> {
    let args = catch_panic(|| {
        let options: PruneArchiveOptions = arg("options", &options)?;
        Ok((arg::<String>("databaseUrl", &database_url)?, options.into()))
    });
    promise(env, async move {
        let (url, selection): (String, db::PruneSelection) = args?;
        db::prune_archive(&url, &selection).await
    })
}
