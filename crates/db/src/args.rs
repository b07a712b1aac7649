//! The arguments of the JavaScript API as they arrive (plain JSON objects), read with serde and turned into
//! this crate's inputs. A value of the wrong shape is `INVALID_ARGUMENT`, like every check the calls make.
use serde::de::{DeserializeOwned, Deserializer};
use serde::Deserialize;

use crate::catalog::risk::CountLimits;
use crate::error::{Error, Result};
use crate::lock::Timeouts;
// `RollbackMigration`: the name JavaScript knows it by (napi names types as they are written here).
use crate::OrderedMigration as RollbackMigration;
use crate::{
    ApplyInput, DrizzleEntry, ExecuteManyOptions, ExecuteOptions, ExpectedScript, MigrationInput, VerifyInput,
};

/// Read argument `name` (JSON; `null` for an argument not given) as `T`.
pub fn from_json<T: DeserializeOwned>(name: &str, value: serde_json::Value) -> Result<T> {
    serde_json::from_value(value).map_err(|e| Error::InvalidArgument(format!("{name}: {e}")))
}

/// A migration for `applyMigration`. With `drizzleHash` and `drizzleCreatedAt` (both or neither), it is
/// applied as drizzle-orm's migrator would and recorded in `drizzle.__drizzle_migrations`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_to_js = false))]
pub struct ApplyMigrationInput {
    pub version: String,
    pub migration_file: String,
    pub sql: String,
    pub description: Option<String>,
    pub applied_by: Option<String>,
    /// The `hash` recorded in `drizzle.__drizzle_migrations`.
    pub drizzle_hash: Option<String>,
    /// The journal's `when` (milliseconds), recorded as `created_at`.
    #[serde(default, deserialize_with = "whole_number")]
    pub drizzle_created_at: Option<i64>,
}

impl TryFrom<ApplyMigrationInput> for ApplyInput {
    type Error = Error;

    fn try_from(m: ApplyMigrationInput) -> Result<Self> {
        let drizzle = match (m.drizzle_hash, m.drizzle_created_at) {
            (Some(hash), Some(created_at)) => Some(DrizzleEntry { hash, created_at }),
            (None, None) => None,
            _ => {
                return Err(Error::InvalidArgument(
                    "drizzleHash and drizzleCreatedAt go together: give both (a Drizzle migration) or neither".into(),
                ))
            }
        };
        let migration = MigrationInput {
            version: m.version,
            migration_file: m.migration_file,
            sql: m.sql,
            description: m.description,
            applied_by: m.applied_by,
        };
        Ok(ApplyInput { migration, drizzle })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_to_js = false))]
pub struct ExecuteRollbackOptions {
    /// Execute even when `rollbackSafe` is false.
    pub force: Option<bool>,
    /// `lock_timeout` in milliseconds (also bounds the wait for another pg-rollback operation); 0 = none.
    pub lock_timeout_ms: Option<u32>,
    /// `statement_timeout` in milliseconds for each statement; 0 = none.
    pub statement_timeout_ms: Option<u32>,
    /// Also delete this hash from `drizzle.__drizzle_migrations` in the same transaction, so that
    /// Drizzle no longer records the migration. Its migrator applies it again only if no later
    /// migration is recorded (it applies only migrations newer than the newest it has).
    pub drizzle_hash: Option<String>,
    /// The script shown to the user for confirmation: if the stored script is a different one when
    /// the lock is taken, nothing runs and the promise rejects with `ROLLBACK_SCRIPT_CHANGED`.
    pub expected_script: Option<String>,
    /// Versions in the order they are applied (e.g. the Drizzle journal's). With it, a later version that
    /// is applied and not rolled back makes the call reject with `ROLLBACK_OUT_OF_ORDER` (checked under the
    /// lock), unless `allowOutOfOrder`.
    pub migration_order: Option<Vec<String>>,
    pub allow_out_of_order: Option<bool>,
    /// Run the version's restore (its rollback with the data the migration destroyed put back) instead of
    /// its rollback script; a version whose rollback is safe runs its rollback.
    pub restore_data: Option<bool>,
    /// With `force` and `restoreData`: rows a data migration changed that changed again since take the archived
    /// values (without it they keep their newer values).
    pub overwrite: Option<bool>,
}

impl From<ExecuteRollbackOptions> for ExecuteOptions {
    fn from(o: ExecuteRollbackOptions) -> Self {
        ExecuteOptions {
            force: o.force.unwrap_or(false),
            lock_timeout_ms: o.lock_timeout_ms,
            statement_timeout_ms: o.statement_timeout_ms,
            drizzle_hash: o.drizzle_hash,
            expected_script: o.expected_script,
            migration_order: o.migration_order,
            allow_out_of_order: o.allow_out_of_order.unwrap_or(false),
            restore_data: o.restore_data.unwrap_or(false),
            overwrite: o.overwrite.unwrap_or(false),
        }
    }
}

/// Options of `executeRollbacks` and `previewRollbacks`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_to_js = false))]
pub struct ExecuteRollbacksOptions {
    /// Roll back every version applied after this one (it stays applied), newest first.
    pub to: Option<String>,
    /// Roll back the newest `steps` applied versions. Give exactly one of `to`, `steps` and `version`.
    pub steps: Option<u32>,
    /// Roll back exactly this version: a later applied version makes it `ROLLBACK_OUT_OF_ORDER` (a refusal
    /// `force` overrides), a rolled-back one `ALREADY_ROLLED_BACK`.
    pub version: Option<String>,
    /// Also execute versions marked unsafe (never versions without a script).
    pub force: Option<bool>,
    /// `lock_timeout` in milliseconds (also bounds the wait for another pg-rollback operation); 0 = none.
    pub lock_timeout_ms: Option<u32>,
    /// `statement_timeout` in milliseconds for each statement; 0 = none.
    pub statement_timeout_ms: Option<u32>,
    /// The migrations in apply order (the Drizzle journal's); versions not in it keep `schema_versions` order.
    pub migrations: Option<Vec<RollbackMigration>>,
    /// The versions and scripts shown to the user, newest first: if the selection differs under the lock,
    /// nothing runs (`ROLLBACK_SCRIPT_CHANGED`). With `restoreData`: the script each version runs (its
    /// restore script, or the rollback of a SAFE version), as `restorePreview` shows it.
    pub expected_scripts: Option<Vec<ExpectedScript>>,
    /// Versions whose rollback is not safe run their restore (with the archived data), all in one transaction.
    pub restore_data: Option<bool>,
    /// With `force` and `restoreData`: rows a data migration changed that changed again since take the archived
    /// values (without it they keep their newer values).
    pub overwrite: Option<bool>,
}

impl From<ExecuteRollbacksOptions> for ExecuteManyOptions {
    fn from(o: ExecuteRollbacksOptions) -> Self {
        ExecuteManyOptions {
            to: o.to,
            steps: o.steps,
            version: o.version,
            force: o.force.unwrap_or(false),
            lock_timeout_ms: o.lock_timeout_ms,
            statement_timeout_ms: o.statement_timeout_ms,
            migrations: o.migrations.unwrap_or_default(),
            expected_scripts: o.expected_scripts,
            restore_data: o.restore_data.unwrap_or(false),
            overwrite: o.overwrite.unwrap_or(false),
        }
    }
}

/// How far the data-at-risk counts of a preview go.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_to_js = false))]
pub struct CostOptions {
    /// Tables with more rows (by `pg_class.reltuples`) are estimated, not counted (default 1,000,000).
    #[serde(default, deserialize_with = "whole_number")]
    pub exact_count_max_rows: Option<i64>,
    /// `statement_timeout`/`lock_timeout` of each count in milliseconds (default 1000); past it, estimated.
    pub count_timeout_ms: Option<u32>,
}

impl TryFrom<CostOptions> for CountLimits {
    type Error = Error;

    fn try_from(o: CostOptions) -> Result<Self> {
        let mut limits = CountLimits::default();
        if let Some(rows) = o.exact_count_max_rows {
            if rows < 0 {
                return Err(Error::InvalidArgument(format!("exactCountMaxRows must not be negative, got {rows}")));
            }
            limits.exact_max_rows = rows;
        }
        crate::session::check_timeout("countTimeoutMs", o.count_timeout_ms)?;
        limits.timeout_ms = o.count_timeout_ms.unwrap_or(limits.timeout_ms);
        Ok(limits)
    }
}

/// What `verifyRollback` runs.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_to_js = false))]
pub struct VerifyRollbackInput {
    /// The migration.
    pub sql: String,
    /// The rollback to prove (e.g. a hand-written down migration). Omitted: the rollback pg-rollback
    /// generates for this migration on this database, with the state read while it runs.
    pub rollback_script: Option<String>,
    /// `lock_timeout` while it runs (0 = no limit).
    pub lock_timeout_ms: Option<u32>,
    /// `statement_timeout` for each statement (0 = no limit).
    pub statement_timeout_ms: Option<u32>,
    /// Proof with data: seed every table with this many generated rows first, compare rows too, and prove
    /// a rollback that is not SAFE by its restore.
    pub seed_rows: Option<u32>,
}

impl From<VerifyRollbackInput> for VerifyInput {
    fn from(v: VerifyRollbackInput) -> Self {
        VerifyInput {
            sql: v.sql,
            rollback_script: v.rollback_script,
            timeouts: Timeouts { lock_timeout_ms: v.lock_timeout_ms, statement_timeout_ms: v.statement_timeout_ms },
            seed_rows: v.seed_rows,
        }
    }
}

/// A whole number given as a JavaScript number (a double: 1.7e12 milliseconds is not a 32-bit integer).
pub(crate) fn whole_number<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<i64>, D::Error> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    match Option::<f64>::deserialize(d)? {
        None => Ok(None),
        Some(n) if n.is_finite() && n.fract() == 0.0 && n.abs() <= MAX_SAFE => Ok(Some(n as i64)),
        Some(n) => Err(serde::de::Error::custom(format!("expected a whole number, got {n}"))),
    }
}

/// Options of `pruneArchive`: which archives to drop (at least one of `version` and `olderThanMs`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_to_js = false))]
pub struct PruneArchiveOptions {
    /// The archive of this version.
    pub version: Option<String>,
    /// The archives of versions applied longer ago than this (milliseconds).
    #[serde(default, deserialize_with = "whole_number")]
    pub older_than_ms: Option<i64>,
    /// Only say what would be dropped (read-only).
    pub dry_run: Option<bool>,
}

impl From<PruneArchiveOptions> for crate::PruneSelection {
    fn from(o: PruneArchiveOptions) -> Self {
        crate::PruneSelection {
            version: o.version,
            older_than_ms: o.older_than_ms,
            dry_run: o.dry_run.unwrap_or(false),
        }
    }
}

/// Options of `applyMigration`/`applyMigrations`: the archive of what destructive statements destroy.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, object_to_js = false))]
pub struct ApplyOptions {
    /// Keep what `DROP COLUMN`/`ALTER COLUMN ... TYPE` destroy, for a restore (default true).
    pub archive: Option<bool>,
    /// Ceiling of kept data per migration in bytes, estimated before copying (default 256 MiB).
    #[serde(default, deserialize_with = "whole_number")]
    pub archive_max_bytes: Option<i64>,
}

impl TryFrom<ApplyOptions> for crate::ArchiveOptions {
    type Error = Error;

    fn try_from(o: ApplyOptions) -> Result<Self> {
        let default = crate::ArchiveOptions::default();
        let max_bytes = match o.archive_max_bytes {
            Some(bytes) if bytes < 0 => {
                return Err(Error::InvalidArgument(format!("archiveMaxBytes must not be negative, got {bytes}")))
            }
            Some(bytes) => bytes as u64,
            None => default.max_bytes,
        };
        Ok(crate::ArchiveOptions { enabled: o.archive.unwrap_or(default.enabled), max_bytes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn drizzle_fields_go_together_and_take_whole_milliseconds() {
        let base = json!({ "version": "1", "migrationFile": "f", "sql": "SELECT 1", "drizzleHash": "h" });
        let e = ApplyInput::try_from(from_json::<ApplyMigrationInput>("migration", base.clone()).unwrap());
        assert_eq!(e.unwrap_err().code(), crate::ErrorCode::InvalidArgument);
        let mut with_time = base;
        with_time["drizzleCreatedAt"] = json!(1.7e12);
        let input = ApplyInput::try_from(from_json::<ApplyMigrationInput>("m", with_time.clone()).unwrap()).unwrap();
        assert_eq!(input.drizzle.unwrap().created_at, 1_700_000_000_000);
        with_time["drizzleCreatedAt"] = json!(1.5);
        assert!(from_json::<ApplyMigrationInput>("m", with_time).is_err());
    }

    #[test]
    fn wrong_shapes_are_invalid_arguments() {
        for bad in [json!(null), json!("force"), json!({ "force": "yes" }), json!({ "lockTimeoutMs": -1 })] {
            let e = from_json::<ExecuteRollbackOptions>("options", bad).unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::InvalidArgument);
        }
        let limits = CountLimits::try_from(CostOptions { exact_count_max_rows: Some(5), count_timeout_ms: None });
        assert_eq!(limits.unwrap().exact_max_rows, 5);
        let e = CountLimits::try_from(CostOptions { exact_count_max_rows: None, count_timeout_ms: Some(u32::MAX) });
        assert_eq!(e.unwrap_err().code(), crate::ErrorCode::InvalidArgument);
    }
}
