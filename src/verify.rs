//! Proving rollbacks from JS: catalog snapshots, their comparison, and `verifyRollback`.
use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::Env;
use napi_derive::napi;
use pg_rollback_db::args::VerifyRollbackInput;
use pg_rollback_db::{self as db, Error, RollbackWarning, ScratchDatabase, VerifyInput};

use crate::{arg, catch_panic, promise, sync};

/// One catalog object: its kind and name as PostgreSQL's `pg_identify_object` gives them (e.g.
/// `table column`, `public.users.nickname`) and the attributes that define it.
#[napi(object)]
pub struct CatalogObject {
    pub kind: String,
    pub name: String,
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

/// The schema of a database: every catalog object a migration can create, change or drop. Plain JSON
/// (64-bit values are strings): `JSON.stringify` keeps it, and `compareCatalogs` on the stored copy gives
/// the same result.
#[napi(object)]
pub struct CatalogSnapshot {
    pub objects: Vec<CatalogObject>,
}

/// One difference between two snapshots. `text` names the object and says what differs, e.g.
/// `index public.items_a_idx: missing` or `table column public.users.nickname: default 'guest'::text -> 'anon'::text`.
#[napi(object, use_nullable = true)]
pub struct CatalogDifference {
    pub kind: String,
    pub object: String,
    /// `missing` (only in the first snapshot), `unexpected` (only in the second) or `changed`.
    #[napi(ts_type = "'missing' | 'unexpected' | 'changed'")]
    pub change: String,
    pub attribute: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub text: String,
}

impl From<db::Difference> for CatalogDifference {
    fn from(d: db::Difference) -> Self {
        let text = d.to_string();
        let change = match d.change {
            db::Change::Missing => "missing",
            db::Change::Unexpected => "unexpected",
            db::Change::Changed => "changed",
        };
        CatalogDifference {
            kind: d.kind,
            object: d.object,
            change: change.to_owned(),
            attribute: d.attribute,
            before: d.before,
            after: d.after,
            text,
        }
    }
}

impl From<db::Snapshot> for CatalogSnapshot {
    fn from(s: db::Snapshot) -> Self {
        let objects = s
            .objects
            .into_iter()
            .map(|o| CatalogObject { kind: o.kind, name: o.name, attributes: o.attributes.into_iter().collect() })
            .collect();
        CatalogSnapshot { objects }
    }
}

fn snapshot_arg(name: &str, v: &Unknown<'_>) -> crate::Result<db::Snapshot> {
    arg(name, v).map_err(|e| Error::InvalidArgument(format!("{e} (expected a catalogSnapshot result)")))
}

/// The schema of the database at `databaseUrl` now, read from `pg_catalog` in one read-only transaction
/// (no `pg_dump` needed; works on the embedded server). Compare two with `compareCatalogs`. Rejects with
/// `CONNECTION_FAILED`, `INVALID_ARGUMENT` or `DATABASE_ERROR`.
#[napi(ts_args_type = "databaseUrl: string", ts_return_type = "Promise<CatalogSnapshot>")]
pub fn catalog_snapshot<'env>(
    env: &'env Env,
    database_url: Unknown<'env>,
) -> napi::Result<PromiseRaw<'env, CatalogSnapshot>> {
    let url = catch_panic(|| arg::<String>("databaseUrl", &database_url));
    promise(env, async move { Ok(db::catalog_snapshot(&url?).await?.into()) })
}

/// What differs from `before` to `after` (two `catalogSnapshot` results), one entry per object or attribute;
/// empty when they are the same schema.
#[napi(ts_args_type = "before: CatalogSnapshot, after: CatalogSnapshot")]
pub fn compare_catalogs(env: &Env, before: Unknown<'_>, after: Unknown<'_>) -> napi::Result<Vec<CatalogDifference>> {
    sync(env, || {
        let (before, after) = (snapshot_arg("before", &before)?, snapshot_arg("after", &after)?);
        Ok(db::compare_snapshots(&before, &after).into_iter().map(Into::into).collect())
    })
}

/// What `verifyRollback` found. The database is unchanged.
#[napi(object, use_nullable = true)]
pub struct VerifiedRollback {
    /// True exactly when the rollback ran and `differences` is empty.
    pub restored: bool,
    /// What differs between the schema before the migration and after its rollback.
    pub differences: Vec<CatalogDifference>,
    /// The rollback that ran: the one given, or the one generated (null when none could be).
    pub rollback_script: Option<String>,
    /// For a generated rollback: SAFE or not (false for a given one).
    pub rollback_safe: bool,
    /// For a generated rollback: why it is not SAFE.
    pub warnings: Vec<RollbackWarning>,
    /// Set when a statement of the rollback failed (which one, PostgreSQL's message); `differences` then
    /// lists what the migration changed.
    pub rollback_failure: Option<String>,
    /// Statements that cannot run in a transaction (`CONCURRENTLY`, `VACUUM`, ...) and what ran instead:
    /// their transactional form (same schema), or nothing when they change no schema.
    pub transactional_forms: Vec<String>,
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
        let v = db::verify_rollback(&url, &input).await?;
        Ok(VerifiedRollback {
            restored: v.restored,
            differences: v.differences.into_iter().map(Into::into).collect(),
            rollback_script: v.rollback_script,
            rollback_safe: v.rollback_safe,
            warnings: v.warnings,
            rollback_failure: v.rollback_failure,
            transactional_forms: v.transactional_forms,
        })
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
