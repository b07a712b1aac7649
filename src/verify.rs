//! Proving rollbacks from JS: catalog snapshots, their comparison, and `verifyRollback`.
use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::Env;
use napi_derive::napi;
use pg_rollback_db::args::VerifyRollbackInput;
use pg_rollback_db::{
    self as db, Difference as CatalogDifference, Error, ScratchDatabase, Snapshot, VerifiedRollback, VerifyInput,
};

use crate::{arg, catch_panic, promise, sync};

fn snapshot_arg(name: &str, v: &Unknown<'_>) -> crate::Result<Snapshot> {
    arg(name, v).map_err(|e| Error::InvalidArgument(format!("{e} (expected a catalogSnapshot result)")))
}

/// The schema of the database at `databaseUrl` now, read from `pg_catalog` in one read-only transaction
/// (no `pg_dump` needed; works on the embedded server). Compare two with `compareCatalogs`. Rejects with
/// `CONNECTION_FAILED`, `INVALID_ARGUMENT` or `DATABASE_ERROR`.
#[napi(ts_args_type = "databaseUrl: string", ts_return_type = "Promise<CatalogSnapshot>")]
pub fn catalog_snapshot<'env>(env: &'env Env, database_url: Unknown<'env>) -> napi::Result<PromiseRaw<'env, Snapshot>> {
    let url = catch_panic(|| arg::<String>("databaseUrl", &database_url));
    promise(env, async move { db::catalog_snapshot(&url?).await })
}

/// What differs from `before` to `after` (two `catalogSnapshot` results), one entry per object or attribute;
/// empty when they are the same schema.
#[napi(ts_args_type = "before: CatalogSnapshot, after: CatalogSnapshot")]
pub fn compare_catalogs(env: &Env, before: Unknown<'_>, after: Unknown<'_>) -> napi::Result<Vec<CatalogDifference>> {
    sync(env, || {
        let (before, after) = (snapshot_arg("before", &before)?, snapshot_arg("after", &after)?);
        Ok(db::compare_snapshots(&before, &after))
    })
}

/// Prove a rollback on a live database without changing it: in ONE transaction that is always rolled back,
/// snapshot the schema, run `input.sql`, run the rollback (`input.rollbackScript`, or the generated one),
/// snapshot again and compare. Meanwhile the transaction holds the locks the migration and the rollback take
/// (ACCESS EXCLUSIVE on most altered tables) until it ends; `lockTimeoutMs` bounds waiting for them.
/// Rejects with `NOT_TRANSACTIONAL` (a statement that cannot run in a transaction, e.g. CONCURRENTLY),
/// `PARSE_ERROR`, `MIGRATION_FAILED` (the migration itself fails; the message names the statement),
/// `INVALID_ARGUMENT`, `CONNECTION_FAILED` or `DATABASE_ERROR`.
#[napi(ts_args_type = "databaseUrl: string, input: VerifyRollbackInput", ts_return_type = "Promise<VerifiedRollback>")]
pub fn verify_rollback<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    input: Unknown<'env>,
) -> napi::Result<PromiseRaw<'env, VerifiedRollback>> {
    let args = catch_panic(|| {
        let input = VerifyInput::from(arg::<VerifyRollbackInput>("input", &input)?);
        Ok((arg::<String>("databaseUrl", &database_url)?, input))
    });
    promise(env, async move {
        let (url, input) = args?;
        db::verify_rollback(&url, &input).await
    })
}

/// Create an empty database on the server of `databaseUrl` (from `template1`, like `createdb`; the user
/// needs CREATEDB) for `pnpm db:rollback verify`. Drop it with `dropScratchDatabase`.
#[napi(ts_args_type = "databaseUrl: string", ts_return_type = "Promise<ScratchDatabase>")]
pub fn create_scratch_database<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
) -> napi::Result<PromiseRaw<'env, ScratchDatabase>> {
    let url = catch_panic(|| arg::<String>("databaseUrl", &database_url));
    promise(env, async move { db::create_scratch_database(&url?).await })
}

/// Drop a database made by `createScratchDatabase` (closing its connections); other names are refused.
#[napi(ts_args_type = "databaseUrl: string, name: string", ts_return_type = "Promise<void>")]
pub fn drop_scratch_database<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    name: Unknown<'env>,
) -> napi::Result<PromiseRaw<'env, ()>> {
    let args = catch_panic(|| Ok((arg::<String>("databaseUrl", &database_url)?, arg::<String>("name", &name)?)));
    promise(env, async move {
        let (url, name) = args?;
        db::drop_scratch_database(&url, &name).await
    })
}

/// Proof with data: insert `rows` generated rows into every user table (values valid for their types,
/// referenced tables first, rows a constraint rejects skipped), numbered from `round * rows + 1` (seed
/// before each migration of a history with the next round), in one transaction that commits. For scratch
/// databases (`pnpm db:rollback verify --seed-rows`), never a real one.
#[napi(ts_args_type = "databaseUrl: string, rows: number, round?: number", ts_return_type = "Promise<SeededRows>")]
pub fn seed_rows<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
    rows: Unknown<'env>,
    round: Unknown<'env>,
) -> napi::Result<PromiseRaw<'env, db::SeededRows>> {
    let args = catch_panic(|| {
        let url = arg::<String>("databaseUrl", &database_url)?;
        let rows = arg::<u32>("rows", &rows)?;
        let round = arg::<Option<u32>>("round", &round)?.unwrap_or(0);
        Ok((url, rows, round))
    });
    promise(env, async move {
        let (url, rows, round) = args?;
        db::seed_rows(&url, rows, round).await
    })
}

/// The row oracle: per user table, the row count and checksums independent of column order (plain JSON).
/// Compare two with `compareRows`.
#[napi(ts_args_type = "databaseUrl: string", ts_return_type = "Promise<RowSnapshot>")]
pub fn row_snapshot<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
) -> napi::Result<PromiseRaw<'env, serde_json::Value>> {
    let url = catch_panic(|| arg::<String>("databaseUrl", &database_url));
    promise(env, async move {
        let snapshot = db::row_snapshot(&url?).await?;
        serde_json::to_value(snapshot).map_err(|e| Error::Internal(e.to_string()))
    })
}

/// What differs in the rows of the tables of `before` (two `rowSnapshot` results): `public.t.c: 3 rows
/// differ`, `public.t: 2 rows missing`; empty when every table has its rows.
#[napi(ts_args_type = "before: RowSnapshot, after: RowSnapshot")]
pub fn compare_rows(env: &Env, before: Unknown<'_>, after: Unknown<'_>) -> napi::Result<Vec<db::RowDifference>> {
    sync(env, || {
        let read = |name: &str, v: &Unknown<'_>| -> crate::Result<db::RowSnapshot> {
            arg(name, v).map_err(|e| Error::InvalidArgument(format!("{e} (expected a rowSnapshot result)")))
        };
        Ok(db::compare_rows(&read("before", &before)?, &read("after", &after)?))
    })
}

/// Remove every row of every user table, in one transaction: for a scratch database whose next migration
/// does not apply on the rows `seedRows` put in (`pnpm db:rollback verify --seed-rows`), never a real one.
#[napi(ts_args_type = "databaseUrl: string", ts_return_type = "Promise<void>")]
pub fn empty_tables<'env>(env: &'env Env, database_url: Unknown<'env>) -> napi::Result<PromiseRaw<'env, ()>> {
    let url = catch_panic(|| arg::<String>("databaseUrl", &database_url));
    promise(env, async move { db::empty_tables(&url?).await })
}
