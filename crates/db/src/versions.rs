//! The `schema_versions` table: checking it, reading rows, writing a migration's rollback, marking a
//! rollback executed.
use pg_rollback_core::RollbackPlan;
use tokio_postgres::types::ToSql;
use tokio_postgres::{GenericClient, Row};

use crate::error::{error_chain, Error, Result};
use crate::session::Ctx;
use crate::{MigrationInput, StoredRollback, ROLLBACK_COLUMNS_MIGRATION, SCHEMA_VERSIONS_MIGRATION};

/// `schema_versions` columns this crate reads or writes, by the migration that creates them.
const BASE_COLUMNS: [&str; 7] =
    ["id", "version", "migration_file", "applied_at", "applied_by", "description", "rollback_safe"];
const ROLLBACK_COLUMNS: [&str; 2] = ["rollback_script", "rollback_applied_at"];
/// Optional: the whole plan (warnings, whether the state was captured); older tables lack it.
const PLAN_COLUMN: &str = "rollback_plan";

/// Timestamps are written in UTC (`TIMESTAMP` columns have no zone; the session's zone is UTC too).
pub(crate) const NOW_UTC: &str = "(now() AT TIME ZONE 'UTC')";

/// What this `schema_versions` table has.
#[derive(Clone, Copy)]
pub(crate) struct Table {
    plan_column: bool,
    /// `restore_script` and `archive` (migration 0004).
    restore_columns: bool,
}

impl Table {
    /// Columns of a row as `StoredRollback` needs them, timestamps as ISO 8601 UTC text.
    fn row_columns(self) -> String {
        let base = if self.plan_column {
            concat_row_columns!("rollback_plan::text")
        } else {
            concat_row_columns!("NULL::text")
        };
        let restore = if self.restore_columns {
            "restore_script AS restore_script, archive::text AS archive"
        } else {
            "NULL::text AS restore_script, NULL::text AS archive"
        };
        format!("{base}, {restore}")
    }
}

macro_rules! concat_row_columns {
    ($plan:literal) => {
        concat!(
            r#"id::bigint AS id, version, migration_file, description, rollback_script,
    COALESCE(rollback_safe, false) AS rollback_safe,
    to_char(applied_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS applied_at,
    to_char(rollback_applied_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS rollback_applied_at, "#,
            $plan,
            " AS rollback_plan"
        )
    };
}
use concat_row_columns;

#[derive(Debug)]
pub(crate) struct VersionRow {
    pub id: i64,
    pub stored: StoredRollback,
}

/// A row as `StoredRollback`; a value that cannot be converted (e.g. a column of another type) is a
/// metadata problem (`DATABASE_ERROR`), not a broken connection.
fn version_row(row: &Row, what: &str) -> Result<VersionRow> {
    let read = || -> Result<VersionRow, tokio_postgres::Error> {
        // A plan that does not read back (edited by hand) only loses its warnings.
        let plan: Option<RollbackPlan> =
            row.try_get::<_, Option<String>>("rollback_plan")?.and_then(|json| serde_json::from_str(&json).ok());
        let rollback_safe: bool = row.try_get("rollback_safe")?;
        let rollback_script = match row.try_get::<_, Option<String>>("rollback_script")? {
            None if rollback_safe => plan.as_ref().and_then(nothing_to_undo),
            script => script,
        };
        Ok(VersionRow {
            id: row.try_get("id")?,
            stored: StoredRollback {
                version: row.try_get("version")?,
                migration_file: row.try_get("migration_file")?,
                description: row.try_get("description")?,
                rollback_script,
                rollback_safe,
                state_captured: plan.as_ref().is_some_and(|p| p.state_captured),
                warnings: plan.map(|p| p.warnings).unwrap_or_default(),
                applied_at: row.try_get::<_, Option<String>>("applied_at")?.unwrap_or_default(),
                rollback_applied_at: row.try_get("rollback_applied_at")?,
                restore_script: row.try_get("restore_script")?,
                archive: row.try_get::<_, Option<String>>("archive")?.and_then(|json| serde_json::from_str(&json).ok()),
            },
        })
    };
    read().map_err(|e| Error::Database(format!("cannot read a schema_versions row while {what}: {}", error_chain(&e))))
}

/// The script of comments a safe plan with nothing to undo has now, for a row that an earlier pg-rollback
/// stored with a `NULL` script instead (safe, and its stored plan says every statement was reversible with
/// no inverse). Rows without a stored plan cannot show that and stay without a script.
fn nothing_to_undo(plan: &RollbackPlan) -> Option<String> {
    let nothing = plan.rollback_safe
        && plan.rollback_script.is_none()
        && !plan.statements.is_empty()
        && plan.statements.iter().all(|s| s.reversible && s.inverse.is_none());
    nothing.then(|| pg_rollback_core::noop::script(&plan.statements, &[]))
}

/// The table, or `SCHEMA_VERSIONS_MISSING` naming the migration that creates what is missing.
pub(crate) async fn require(c: &impl GenericClient, ctx: &Ctx) -> Result<Table> {
    inspect(c, ctx).await?.map_err(Error::SchemaVersionsMissing)
}

/// The table, or why it cannot be used.
pub(crate) async fn inspect(c: &impl GenericClient, ctx: &Ctx) -> Result<Result<Table, String>> {
    let row = ctx
        .query_one(
            c,
            "SELECT to_regclass('schema_versions') IS NOT NULL,
                    ARRAY(SELECT attname::text FROM pg_attribute
                          WHERE attrelid = to_regclass('schema_versions') AND attnum > 0 AND NOT attisdropped)",
            &[],
        )
        .await
        .map_err(|e| ctx.err("checking table schema_versions", &e))?;
    let exists: bool = row.get(0);
    let columns: Vec<String> = row.get(1);
    if !exists {
        return Ok(Err(format!(
            "Table schema_versions does not exist: apply migrations {SCHEMA_VERSIONS_MIGRATION} (creates it) \
             and {ROLLBACK_COLUMNS_MIGRATION} (adds rollback_script and rollback_applied_at)"
        )));
    }
    let lacking = |wanted: &[&str]| -> Vec<String> {
        wanted.iter().filter(|w| !columns.iter().any(|c| c == *w)).map(|w| w.to_string()).collect()
    };
    let base = lacking(&BASE_COLUMNS);
    if !base.is_empty() {
        return Ok(Err(format!(
            "Table schema_versions lacks column(s) {}, created by migration {SCHEMA_VERSIONS_MIGRATION}",
            base.join(", ")
        )));
    }
    let rollback = lacking(&ROLLBACK_COLUMNS);
    if !rollback.is_empty() {
        return Ok(Err(format!(
            "Table schema_versions lacks column(s) {}: apply migration {ROLLBACK_COLUMNS_MIGRATION}",
            rollback.join(", ")
        )));
    }
    let has = |name: &str| columns.iter().any(|c| c == name);
    Ok(Ok(Table { plan_column: has(PLAN_COLUMN), restore_columns: has("restore_script") && has("archive") }))
}

/// The newest row for `version` (a version re-applied after a rollback has several).
pub(crate) async fn latest_row(
    c: &impl GenericClient,
    ctx: &Ctx,
    table: Table,
    version: &str,
    for_update: bool,
) -> Result<Option<VersionRow>> {
    let sql = format!(
        "SELECT {} FROM schema_versions WHERE version = $1 ORDER BY id DESC LIMIT 1{}",
        table.row_columns(),
        if for_update { " FOR UPDATE" } else { "" }
    );
    let what = "reading schema_versions";
    let row = ctx.query_opt(c, &sql, &[&version]).await.map_err(|e| ctx.err(what, &e))?;
    row.map(|r| version_row(&r, what)).transpose()
}

/// Every row, oldest first.
pub(crate) async fn all_rows(c: &impl GenericClient, ctx: &Ctx, table: Table) -> Result<Vec<StoredRollback>> {
    let what = "reading schema_versions";
    let rows = ctx
        .query(c, &format!("SELECT {} FROM schema_versions ORDER BY applied_at, id", table.row_columns()), &[])
        .await
        .map_err(|e| ctx.err(what, &e))?;
    rows.iter().map(|r| version_row(r, what).map(|v| v.stored)).collect()
}

/// The newest row of every version, in the order they were written (`id`).
pub(crate) async fn newest_rows(c: &impl GenericClient, ctx: &Ctx, table: Table) -> Result<Vec<VersionRow>> {
    let what = "reading schema_versions";
    let sql = format!(
        "SELECT {} FROM schema_versions s
          WHERE id = (SELECT max(id) FROM schema_versions n WHERE n.version = s.version) ORDER BY id",
        table.row_columns()
    );
    let rows = ctx.query(c, &sql, &[]).await.map_err(|e| ctx.err(what, &e))?;
    rows.iter().map(|r| version_row(r, what)).collect()
}

/// Insert the row for `m`, or replace the script of its newest row unless that one was rolled back
/// (a re-applied version gets a new row, so the history of rollbacks is kept).
pub(crate) async fn write_row(
    c: &impl GenericClient,
    ctx: &Ctx,
    table: Table,
    m: &MigrationInput,
    plan: &RollbackPlan,
) -> Result<StoredRollback> {
    let what = "writing schema_versions";
    let plan_json = serde_json::to_string(plan).expect("a plan serializes");
    let mut params: Vec<&(dyn ToSql + Sync)> =
        vec![&m.version, &m.migration_file, &m.applied_by, &m.description, &plan.rollback_safe, &plan.rollback_script];
    let (set_plan, column, value) = if table.plan_column {
        params.push(&plan_json);
        (", rollback_plan = CAST($7::text AS jsonb)", ", rollback_plan", ", CAST($7::text AS jsonb)")
    } else {
        ("", "", "")
    };
    // A replaced row's restore belonged to the migration as applied before: the archive sets it again.
    let reset_restore = if table.restore_columns { ", restore_script = NULL, archive = NULL" } else { "" };
    // One statement: the newest row of the version is replaced unless it was rolled back (then the
    // re-applied migration gets a row of its own, and the history of rollbacks is kept).
    let sql = format!(
        "WITH current AS (
           SELECT id FROM schema_versions WHERE version = $1 AND rollback_applied_at IS NULL
             AND id = (SELECT max(id) FROM schema_versions WHERE version = $1) FOR UPDATE),
         updated AS (
           UPDATE schema_versions s SET migration_file = $2, description = COALESCE($4, s.description),
             applied_by = COALESCE($3, s.applied_by), rollback_safe = $5, rollback_script = $6{set_plan}{reset_restore}
           FROM current WHERE s.id = current.id RETURNING s.*),
         inserted AS (
           INSERT INTO schema_versions
             (version, migration_file, applied_at, applied_by, description, rollback_safe, rollback_script{column})
           SELECT $1, $2, {NOW_UTC}, $3, $4, $5, $6{value} WHERE NOT EXISTS (SELECT 1 FROM current)
           RETURNING *)
         SELECT {columns} FROM (SELECT * FROM updated UNION ALL SELECT * FROM inserted) AS written",
        columns = table.row_columns()
    );
    let row = ctx.query_one(c, &sql, &params).await.map_err(|e| ctx.err(what, &e))?;
    let mut stored = version_row(&row, what)?.stored;
    stored.warnings = plan.warnings.clone();
    stored.state_captured = plan.state_captured;
    Ok(stored)
}

/// Set `rollback_applied_at` of row `id`.
pub(crate) async fn mark_rolled_back(
    c: &impl GenericClient,
    ctx: &Ctx,
    table: Table,
    id: i64,
) -> Result<StoredRollback, String> {
    let row = ctx
        .query_one(
            c,
            &format!(
                "UPDATE schema_versions SET rollback_applied_at = {NOW_UTC} WHERE id = $1::bigint RETURNING {}",
                table.row_columns()
            ),
            &[&id],
        )
        .await
        .map_err(|e| crate::error::statement_cause(&e))?;
    Ok(version_row(&row, "recording the rollback").map_err(|e| e.to_string())?.stored)
}

/// The versions after `version` in `order` whose newest row is not rolled back, with their files.
pub(crate) async fn later_applied(
    c: &impl GenericClient,
    ctx: &Ctx,
    table: Table,
    version: &str,
    order: &[String],
) -> Result<Vec<(String, String)>> {
    let Some(position) = order.iter().position(|v| v == version) else { return Ok(Vec::new()) };
    let later = &order[position + 1..];
    if later.is_empty() {
        return Ok(Vec::new());
    }
    let mut newest = std::collections::HashMap::new();
    for row in all_rows(c, ctx, table).await? {
        newest.insert(row.version.clone(), row);
    }
    Ok(later
        .iter()
        .filter_map(|v| newest.get(v))
        .filter(|row| row.rollback_applied_at.is_none())
        .map(|row| (row.version.clone(), row.migration_file.clone()))
        .collect())
}
