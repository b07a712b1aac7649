//! pg-rollback DB layer: stores generated rollback scripts in `schema_versions` and executes them,
//! all-or-nothing and serialized by a PostgreSQL advisory lock. Plain async Rust (tokio-postgres);
//! the napi addon wraps it.
//!
//! Every call opens its own connection (one URL, no pool) and closes it before returning, so the
//! single-connection embedded server can serve the next call; between [`open_session`] and
//! [`close_session`] the calls with that URL share one connection instead (a CLI run).
mod apply;
mod archive;
pub mod args;
mod catalog;
mod connect;
mod cost;
mod drizzle;
mod error;
mod lock;
mod lock_info;
pub mod panic;
mod rollback;
mod run;
mod seed;
mod session;
mod stored;
mod verify;
mod versions;

pub use apply::dry_run::{plan_migrations, PlanInput};
pub use apply::{
    apply_migration, apply_migration_with, apply_migrations, apply_migrations_with, AppliedMigrations, ApplyInput,
    FailureDetail, InvalidIndex, StatementRef,
};
pub use archive::ArchiveOptions;
pub use archive::{list_archives, prune_archive, ArchiveTable, PruneSelection, PrunedArchive, VersionArchive};
pub use archive::{restore_preview, RestorePreview, VersionRestore};
pub use catalog::describe;
pub use catalog::risk::{CountLimits, DataAtRisk};
pub use connect::{parse_url, SslMode, Target, DEFAULT_CONNECT_TIMEOUT, EMBEDDED_URL_PARAMETER};
pub use cost::rollback_cost;
pub use error::{Error, ErrorCode, Result};
pub use lock::Timeouts;
pub use lock_info::LockInfo;
pub use pg_rollback_core::archive::{ArchiveRecord, ArchivedObject, NotArchived};
pub use pg_rollback_core::archive::{KeptColumn, KeyColumn, ObjectRestore};
pub use pg_rollback_core::locks::{LockEffect, LockMode};
pub use pg_rollback_core::rows::{compare_rows, RowDifference, RowSnapshot};
pub use pg_rollback_core::snapshot::{compare as compare_snapshots, CatalogObject, Change, Difference, Snapshot};
pub use pg_rollback_core::{Code, RollbackPlan, RollbackWarning};
pub use rollback::range::preview_rollbacks;
pub use rollback::{execute_rollback, execute_rollbacks};
pub use seed::{empty_tables, row_snapshot, seed_rows, SeededRows};
pub use session::{close_session, open_session};
pub use stored::{get_rollback, later_applied, list_rollbacks, store_rollback};
pub use verify::{
    catalog_snapshot, create_scratch_database, drop_scratch_database, verify_rollback, ScratchDatabase,
    VerifiedRollback, VerifyInput,
};

use serde::{Deserialize, Serialize};

/// Key of the advisory lock every writing operation takes ("pgrollbk" as big-endian bytes), so a
/// rollback never races another rollback, a store, or a migration applied through this crate.
pub const ADVISORY_LOCK_KEY: i64 = i64::from_be_bytes(*b"pgrollbk");

/// The migration that creates `schema_versions` (WISH-2057's columns).
pub const SCHEMA_VERSIONS_MIGRATION: &str = "packages/backend/database-schema/src/migrations/0000_schema_versions.sql";
/// The migration that adds `rollback_script` and `rollback_applied_at` (WISH-20200 AC 12-13).
pub const ROLLBACK_COLUMNS_MIGRATION: &str =
    "packages/backend/database-schema/src/migrations/0001_rollback_columns.sql";
/// The migration that adds `rollback_plan` (the stored plan: warnings, whether the state was captured).
pub const ROLLBACK_PLAN_MIGRATION: &str = "packages/backend/database-schema/src/migrations/0002_rollback_plan.sql";
/// The migration that adds `restore_script` and `archive` (what was kept of the data a migration destroyed).
/// In the package's Drizzle journal (version 1.2.1), so `pnpm db:migrate:apply` and Drizzle's migrator add them.
pub const ARCHIVE_MIGRATION: &str = "packages/backend/database-schema/src/migrations/0004_archive.sql";
/// DDL of [`SCHEMA_VERSIONS_MIGRATION`] (the package's migration file itself).
pub const SCHEMA_VERSIONS_SQL: &str =
    include_str!("../../../packages/backend/database-schema/src/migrations/0000_schema_versions.sql");
/// DDL of [`ROLLBACK_COLUMNS_MIGRATION`].
pub const ROLLBACK_COLUMNS_SQL: &str =
    include_str!("../../../packages/backend/database-schema/src/migrations/0001_rollback_columns.sql");
/// DDL of [`ROLLBACK_PLAN_MIGRATION`].
pub const ROLLBACK_PLAN_SQL: &str =
    include_str!("../../../packages/backend/database-schema/src/migrations/0002_rollback_plan.sql");

/// DDL of [`ARCHIVE_MIGRATION`].
pub const ARCHIVE_SQL: &str = include_str!("../../../packages/backend/database-schema/src/migrations/0004_archive.sql");

/// A migration whose rollback `storeRollback` generates and stores.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_to_js = false))]
pub struct MigrationInput {
    /// e.g. `1.2.0`; any non-empty text.
    pub version: String,
    pub migration_file: String,
    /// The migration SQL; the rollback script is generated from it.
    pub sql: String,
    pub description: Option<String>,
    pub applied_by: Option<String>,
}

/// Drizzle's bookkeeping for [`apply_migration`]: a row of `drizzle.__drizzle_migrations`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrizzleEntry {
    pub hash: String,
    /// The migration's `folderMillis` (journal `when`), compared like drizzle-orm does.
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecuteOptions {
    /// Execute even when `rollback_safe` is false.
    pub force: bool,
    /// `lock_timeout` for the transaction (also bounds the wait for the advisory lock); 0 = no limit.
    pub lock_timeout_ms: Option<u32>,
    /// `statement_timeout` for each statement; 0 = no limit.
    pub statement_timeout_ms: Option<u32>,
    /// Also delete this `hash` from `drizzle.__drizzle_migrations`, in the same transaction.
    pub drizzle_hash: Option<String>,
    /// The script the caller showed (and the user confirmed): when the stored one differs under the
    /// lock, nothing runs and the call fails with `ROLLBACK_SCRIPT_CHANGED`.
    pub expected_script: Option<String>,
    /// Versions in the order they are applied (e.g. the Drizzle journal's): a later one that is applied
    /// and not rolled back makes the rollback `ROLLBACK_OUT_OF_ORDER`, checked under the lock.
    pub migration_order: Option<Vec<String>>,
    pub allow_out_of_order: bool,
    /// Run the restore script (the rollback with the archived data put back) instead of the rollback script;
    /// a version whose rollback is safe runs its rollback. With `force`, a foreign key that rows written since
    /// break is added `NOT VALID` (said in `restore_notes`) instead of refusing with `RESTORE_CONFLICT`.
    pub restore_data: bool,
    /// With `force` and `restore_data`: rows a data migration changed that changed again since take the
    /// archived values (`pg_rollback.restore_rows = overwrite`); without it they keep their newer values (`keep`).
    pub overwrite: bool,
}

/// One `schema_versions` row. Timestamps are ISO 8601 strings in UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct StoredRollback {
    pub version: String,
    pub migration_file: String,
    pub description: Option<String>,
    pub rollback_script: Option<String>,
    pub rollback_safe: bool,
    /// True when the rollback was built from the state read while the migration ran (see [`apply_migration`]).
    pub state_captured: bool,
    /// The generator's warnings (stored in `rollback_plan`; rows of a table without it have none).
    pub warnings: Vec<RollbackWarning>,
    /// ISO 8601 in UTC, e.g. `2026-01-29T18:15:00.123Z`.
    pub applied_at: String,
    pub rollback_applied_at: Option<String>,
    /// The rollback with the archived data put back (`restore_data`); `None` when nothing was archived.
    pub restore_script: Option<String>,
    /// What the archive holds for this version, and why there is no restore when there is none.
    pub archive: Option<ArchiveRecord>,
}

/// What [`execute_rollback`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutedRollback {
    /// The row, now with `rollback_applied_at`.
    #[serde(flatten)]
    pub rollback: StoredRollback,
    /// True when `drizzle_hash` was given and a row of `drizzle.__drizzle_migrations` had it (and
    /// was deleted). False otherwise: Drizzle still records the migration (or never did), so its
    /// migrator will not apply it again by itself.
    pub drizzle_row_deleted: bool,
    /// What a restore (`restore_data`) did not bring back exactly, e.g. a foreign key that rows written since
    /// break, added `NOT VALID` because the restore was forced (`force`).
    pub restore_notes: Vec<String>,
}

/// One migration of a dry run (`planMigrations`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct PlannedMigration {
    pub version: String,
    /// False when Drizzle already records it (it would be skipped).
    pub pending: bool,
    /// The plan `apply_migration` would store; null when not pending.
    pub plan: Option<RollbackPlan>,
    /// Statements (0-based) that cannot run in a transaction: applying runs each on its own, outside one
    /// (the dry run ran their transactional form).
    pub outside_transaction: Vec<u32>,
}

/// What `applyMigration` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, js_name = "ApplyMigrationResult", use_nullable = true))]
pub struct ApplyOutcome {
    /// False when drizzle's table already records this migration (or a later one): nothing ran.
    pub applied: bool,
    /// The stored rollback, or null when `schema_versions` (with all its columns) does not exist.
    pub rollback: Option<StoredRollback>,
}

/// A migration in apply order (e.g. the Drizzle journal's), with Drizzle's record of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, js_name = "RollbackMigration", object_to_js = false))]
pub struct OrderedMigration {
    pub version: String,
    /// Deleted from `drizzle.__drizzle_migrations` when this version is rolled back, in the same transaction.
    pub drizzle_hash: Option<String>,
}

/// A version and the rollback script that was shown for it (with `restore_data`: the script that runs, the
/// restore script of a version whose rollback is not SAFE).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true, object_to_js = false))]
pub struct ExpectedScript {
    pub version: String,
    pub rollback_script: Option<String>,
}

/// Options of [`execute_rollbacks`] and [`preview_rollbacks`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecuteManyOptions {
    /// Roll back every version applied after this one (it stays applied).
    pub to: Option<String>,
    /// Roll back the newest `steps` applied versions. Exactly one of `to`, `steps` and `version`.
    pub steps: Option<u32>,
    /// Roll back exactly this version; later applied versions make it `ROLLBACK_OUT_OF_ORDER`, which
    /// `force` overrides, and a rolled-back one `ALREADY_ROLLED_BACK`.
    pub version: Option<String>,
    /// Execute versions marked unsafe too (never versions without a script).
    pub force: bool,
    pub lock_timeout_ms: Option<u32>,
    pub statement_timeout_ms: Option<u32>,
    /// The migrations in apply order (Drizzle's journal); versions not in it are ordered by `schema_versions`.
    pub migrations: Vec<OrderedMigration>,
    /// The versions and scripts the caller showed, newest first: if the selection under the lock differs
    /// (another version applied or rolled back meanwhile, a script replaced), nothing runs.
    pub expected_scripts: Option<Vec<ExpectedScript>>,
    /// Versions whose rollback is not safe run their restore script (with the archived data), all in one
    /// transaction with the safe ones.
    pub restore_data: bool,
    /// With `force` and `restore_data`: rows a data migration changed that changed again since take the
    /// archived values (`pg_rollback.restore_rows = overwrite`); without it they keep their newer values (`keep`).
    pub overwrite: bool,
}

/// What refuses a multi-step rollback (as data in its preview).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, js_name = "RollbackRefusal"))]
pub struct Refusal {
    /// `ROLLBACK_SCRIPT_NOT_FOUND`, `ROLLBACK_UNSAFE` or `ROLLBACK_FAILED` (a script that cannot run);
    /// for one `version` also `ALREADY_ROLLED_BACK` and `ROLLBACK_OUT_OF_ORDER` (`versions`: the later ones).
    pub code: ErrorCode,
    /// The version that blocks (for missing scripts: the newest one, the furthest a rollback can go).
    pub version: String,
    pub versions: Vec<String>,
    /// True when `force` overrides it (unsafe versions, out of order).
    pub forceable: bool,
    pub message: String,
}

/// The locks one statement of a script takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object))]
pub struct StatementLocks {
    /// 1-based number of the statement in the script.
    pub statement: u32,
    pub sql: String,
    pub locks: Vec<LockInfo>,
}

/// What running a script costs now: its locks and the data at risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object))]
pub struct ScriptCost {
    /// False when the script cannot run in a transaction (`CONCURRENTLY`): it runs on its own.
    pub transactional: bool,
    pub locks: Vec<StatementLocks>,
    pub data_at_risk: Vec<DataAtRisk>,
}

/// One version of a multi-step rollback, with what its script costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object))]
pub struct RollbackStep {
    pub rollback: StoredRollback,
    /// False when the script cannot run in the shared transaction (`CONCURRENTLY`): it runs on its own.
    pub transactional: bool,
    pub locks: Vec<StatementLocks>,
    pub data_at_risk: Vec<DataAtRisk>,
}

impl RollbackStep {
    pub fn new(rollback: StoredRollback, cost: ScriptCost) -> Self {
        RollbackStep { rollback, transactional: cost.transactional, locks: cost.locks, data_at_risk: cost.data_at_risk }
    }
}

/// Preview of a multi-step rollback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct RollbackRange {
    pub target: Option<String>,
    /// Newest first: the order they run in.
    pub steps: Vec<RollbackStep>,
    /// Empty when it can be executed (`forceable` ones need force).
    pub refusals: Vec<Refusal>,
}
