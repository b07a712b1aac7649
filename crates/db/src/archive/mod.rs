//! The archive's I/O: before a destructive statement of a migration runs, in the migration's transaction,
//! read what the core needs to know about the column it destroys, copy its values into
//! `pgrollback_archive` on the server, and at the bookkeeping store the restore script beside the rollback;
//! later, run that script (`restore_data`). The SQL comes from `pg_rollback_core::archive`.
use pg_rollback_core::archive::{
    self as core, ArchiveRecord, ArchivedObject, Destroys, KeptStatement, NotArchived, Target,
};
use pg_rollback_core::{ObjectName, ParsedMigration, RollbackPlan};
use tokio_postgres::GenericClient;

use crate::catalog::archive::{read_column, restore_columns};
use crate::error::statement_cause;

mod cast_back;
mod columns;
mod drop_table;
mod enum_value;
mod manage;
mod restore;
mod data;
pub use manage::{list_archives, prune_archive, ArchiveTable, PruneSelection, PrunedArchive, VersionArchive};
mod preview;
pub use preview::{restore_preview, RestorePreview, VersionRestore};
pub(crate) use restore::{restore_one, restore_range};

/// Options of the archive at apply (`archive`, `archiveMaxBytes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveOptions {
    /// Keep what destructive statements destroy (on by default).
    pub enabled: bool,
    /// Ceiling of kept data per migration, estimated before copying; above it, a statement is not archived.
    pub max_bytes: u64,
}

impl Default for ArchiveOptions {
    fn default() -> Self {
        ArchiveOptions { enabled: true, max_bytes: core::DEFAULT_MAX_BYTES }
    }
}

/// The migration's `search_path`, set aside while the catalog is read with an empty one (every name comes out
/// qualified). On an error in between the caller rolls back to its savepoint, which puts it back too.
pub(super) struct QualifiedReads(String);

impl QualifiedReads {
    pub(super) async fn begin<C: GenericClient + Sync>(c: &C) -> Result<Self, Failure> {
        let search_path: String = c
            .query_one("SELECT pg_catalog.current_setting('search_path')", &[])
            .await
            .map_err(db_failure("reading search_path"))?
            .get(0);
        c.batch_execute("SELECT pg_catalog.set_config('search_path', '', true)")
            .await
            .map_err(db_failure("setting search_path"))?;
        Ok(QualifiedReads(search_path))
    }

    /// Back to the migration's `search_path` (RELEASE of the savepoint keeps the local setting).
    pub(super) async fn end<C: GenericClient + Sync>(self, c: &C) -> Result<(), Failure> {
        c.execute("SELECT pg_catalog.set_config('search_path', $1, true)", &[&self.0])
            .await
            .map_err(db_failure("restoring search_path"))?;
        Ok(())
    }
}

/// What one migration's apply kept so far.
pub(crate) struct Archiver {
    version: String,
    options: ArchiveOptions,
    kept: Vec<KeptStatement>,
    record: ArchiveRecord,
    /// Estimated bytes of what was kept (the ceiling is per migration).
    estimated: u64,
    /// Whether `schema_versions` can store a restore (read before the first copy).
    storable: Option<bool>,
    /// The part of a statement with several column subcommands being kept (names its archive table).
    part: Option<usize>,
    /// The columns read for the statement being kept.
    columns_read: Vec<pg_rollback_core::archive::ColumnToKeep>,
    /// Tables whose capture trigger is on while the statement runs (`data.rs`; removed by `after`).
    capturing: Vec<pg_rollback_core::archive::KeptRows>,
    /// Columns (table oid, name) an `ADD COLUMN` of this migration created: the restore drops them, so a data
    /// restore before that leaves their values alone (an `UPDATE` backfill then `SET NOT NULL`).
    added_columns: Vec<(u32, String)>,
    /// Whether the migration has a data statement (read once: classifying re-parses each statement).
    writes_rows: Option<bool>,
}

type Failure = String;

fn db_failure(what: &str) -> impl Fn(tokio_postgres::Error) -> Failure + '_ {
    move |e| format!("{what} failed: {}", statement_cause(&e))
}

impl Archiver {
    pub(crate) fn new(version: &str, options: ArchiveOptions) -> Self {
        Archiver {
            version: version.to_owned(),
            options,
            kept: Vec::new(),
            record: ArchiveRecord::default(),
            estimated: 0,
            storable: None,
            part: None,
            columns_read: Vec::new(),
            added_columns: Vec::new(),
            writes_rows: None,
            capturing: Vec::new(),
        }
    }

    /// For `verify_rollback` with seeded rows: keeps in the caller's transaction (always rolled back), whether
    /// or not `schema_versions` could store a restore.
    pub(crate) fn for_proof() -> Self {
        Archiver { storable: Some(true), ..Archiver::new("verify", ArchiveOptions::default()) }
    }

    /// For a proof: the restore script `plan` gets from what was kept (or why there is none), and the record.
    pub(crate) fn proof_restore(mut self, plan: &RollbackPlan) -> (Option<String>, ArchiveRecord) {
        let not_kept: Vec<(usize, String)> =
            self.record.not_archived.iter().map(|n| (n.statement_index as usize, n.reason.clone())).collect();
        match core::restore_script(plan, &self.kept, &not_kept) {
            Ok(script) => (Some(script), self.record),
            Err(why) => {
                self.record.restore_unavailable = Some(why);
                (None, self.record)
            }
        }
    }

    fn not_archived(&mut self, index: usize, reason: String) {
        self.record.not_archived.push(NotArchived { statement_index: index as u32, reason });
    }

    /// Before statement `index` runs: keep what it destroys. Never fails the migration: what cannot be kept
    /// is rolled back to a savepoint and recorded with the reason. `Some`: the archive carried the statement
    /// out (a `DROP TABLE` it moved), and this runs in its place (`None`: nothing).
    pub(crate) async fn before<C: GenericClient + Sync>(
        &mut self,
        c: &C,
        ctx: &crate::session::Ctx,
        migration: &ParsedMigration,
        index: usize,
    ) -> Option<Option<String>> {
        // Read before the migration's first statement: a `SET search_path` in it would hide schema_versions.
        if index == 0 && self.options.enabled && self.storable.is_none() {
            let targets = migration.statements.iter().any(|s| matches!(core::classify(s), Destroys::Target(_)));
            if targets {
                self.storable = Some(restore_columns(c).await.unwrap_or(false));
            }
        }
        let statement = &migration.statements[index];
        if self.options.enabled {
            self.note_added_columns(c, migration, statement).await;
        }
        let target = match core::classify(statement) {
            Destroys::Nothing => return None,
            Destroys::NotKept(reason) => {
                self.not_archived(index, reason);
                return None;
            }
            Destroys::Target(target) => target,
        };
        if !self.options.enabled {
            self.not_archived(index, "the archive is off (archive: false)".into());
            return None;
        }
        // Without the columns that store a restore, nothing is copied (the copy would be dropped at the bookkeeping).
        if self.storable.is_none() {
            self.storable = Some(restore_columns(c).await.unwrap_or(false));
        }
        if self.storable == Some(false) {
            self.not_archived(
                index,
                format!("schema_versions has no restore_script column: apply migration {}", crate::ARCHIVE_MIGRATION),
            );
            return None;
        }
        if let Err(e) = c.batch_execute("SAVEPOINT pg_rollback_archive").await {
            self.not_archived(index, format!("no savepoint: {}", statement_cause(&e)));
            return None;
        }
        let kept = match &target {
            Target::DropTable { relations, missing_ok, cascade } => {
                self.keep_tables(c, ctx, migration, index, relations, *missing_ok, *cascade).await
            }
            Target::Columns { relation, parts, others_undone, others_to_capture: Some(sql) } => {
                match Self::captured_inverse(c, ctx, sql).await {
                    Ok(inverse) => {
                        let target = Target::Columns {
                            relation: relation.clone(),
                            parts: parts.clone(),
                            others_undone: Some(inverse + others_undone.as_deref().unwrap_or("")),
                            others_to_capture: None,
                        };
                        self.keep(c, migration, index, &target).await.map(|()| drop_table::Kept::Untouched)
                    }
                    Err(why) => Err(why),
                }
            }
            Target::Rows { .. } => {
                self.keep_rows(c, migration, index, &target).await.map(|()| drop_table::Kept::Untouched)
            }
            _ => self.keep(c, migration, index, &target).await.map(|()| drop_table::Kept::Untouched),
        };
        match kept {
            Ok(kept) => {
                let _ = c.batch_execute("RELEASE SAVEPOINT pg_rollback_archive").await;
                match kept {
                    drop_table::Kept::Moved => Some(None),
                    drop_table::Kept::Untouched => None,
                }
            }
            Err(reason) => {
                let _ = c
                    .batch_execute("ROLLBACK TO SAVEPOINT pg_rollback_archive; RELEASE SAVEPOINT pg_rollback_archive")
                    .await;
                self.not_archived(index, reason);
                None
            }
        }
    }

    /// Enabled event triggers would react to the archive's own DDL (and on `sql_drop`, miss the DROP).
    async fn event_triggers<C: GenericClient + Sync>(c: &C) -> Result<(), Failure> {
        let triggers: bool = c
            .query_one("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger WHERE evtenabled <> 'D')", &[])
            .await
            .map_err(db_failure("reading event triggers"))?
            .get(0);
        match triggers {
            true => Err("enabled event triggers would react to the archive's own CREATE TABLE".into()),
            false => Ok(()),
        }
    }

    async fn keep<C: GenericClient + Sync>(
        &mut self,
        c: &C,
        migration: &ParsedMigration,
        index: usize,
        target: &Target,
    ) -> Result<(), Failure> {
        if let Target::EnumValue { .. } = target {
            return self.keep_enum(c, index, target).await;
        }
        if let Target::Columns { parts, others_undone, .. } = target {
            return self.keep_columns(c, migration, index, parts, others_undone.as_deref()).await;
        }
        let name = match self.part {
            Some(part) => core::part_table_name(&self.version, index, part),
            None => core::table_name(&self.version, index),
        };
        let Some(archive) = name else {
            return Err("the version is too long to name an archive table (63 bytes)".into());
        };
        Self::event_triggers(c).await?;
        // The relation as the migration's search_path finds it; then every name is read qualified.
        let found = c
            .query_opt(
                "SELECT c.oid, n.nspname::text, c.relname::text, c.relkind::text, pg_catalog.pg_get_userbyid(c.relowner)::text,
                        c.relhassubclass, c.relispartition,
                        CASE WHEN c.relkind = 'p' THEN (SELECT pg_catalog.sum(pg_catalog.pg_table_size(p.relid))::int8
                                                          FROM pg_catalog.pg_partition_tree(c.oid) p)
                             ELSE pg_catalog.pg_table_size(c.oid) END
                   FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                  WHERE c.oid = pg_catalog.to_regclass($1)",
                &[&target.relation().to_string()],
            )
            .await
            .map_err(db_failure("finding the table"))?;
        // The statement will fail (or do nothing with IF EXISTS): nothing to keep.
        let Some(rel) = found else { return Ok(()) };
        let oid: u32 = rel.get(0);
        let table = ObjectName::qualified(rel.get::<_, String>(1).as_str(), rel.get::<_, String>(2).as_str());
        let kind: String = rel.get(3);
        if kind != "r" && kind != "p" {
            return Err(format!("{table} is not a plain or partitioned table (relkind {kind})"));
        }
        if (kind == "r" && rel.get::<_, bool>(5)) || rel.get::<_, bool>(6) {
            return Err(format!("{table} has inheritance children or is a partition: not archived yet"));
        }
        let size: i64 = rel.get::<_, Option<i64>>(7).unwrap_or(0);
        let estimate = size.max(0) as u64;
        if self.estimated + estimate > self.options.max_bytes {
            return Err(format!(
                "{table} holds about {estimate} bytes, above what is left of archiveMaxBytes ({} of {})",
                self.options.max_bytes.saturating_sub(self.estimated),
                self.options.max_bytes
            ));
        }
        // With the migration's search_path: the statement's new type is resolved with it.
        let cast_back = match target {
            Target::ColumnType { column, .. } => cast_back::casts_back(c, oid, column, migration, index).await?,
            _ => None,
        };
        if cast_back == Some(false) {
            cast_back::nullable_for_a_moment(c, oid, target.column()).await?;
        }
        let qualified = QualifiedReads::begin(c).await?;
        let Some(mut column) = read_column(c, oid, &table, rel.get(4), target).await? else {
            // No such column (`DROP COLUMN IF EXISTS`): the statement runs with its own search_path.
            qualified.end(c).await?;
            return Ok(());
        };
        column.cast_back = cast_back != Some(false);
        self.columns_read.push(column.clone());
        if kind == "p" {
            column.partitioned = true;
            let drops = matches!(target, Target::DropColumn { .. });
            crate::catalog::archive_partitioned::check_partitions(c, oid, &mut column, drops).await?;
        }
        if column.generated.is_some() {
            // Nothing to copy: the restore adds the column back and its values recompute.
            let restore = core::restore_sql(target, &column, &archive).map_err(|e| format!("cannot restore: {e}"))?;
            qualified.end(c).await?;
            self.kept.push(KeptStatement { index, restore: core::script(&restore) });
            return Ok(());
        }
        if column.key.is_empty() {
            return Err(format!(
                "{table} has no primary key or unique index on NOT NULL columns (other than {}) to match rows by",
                column.column
            ));
        }
        let statement = &migration.statements[index];
        let mut sql = vec![
            format!("CREATE SCHEMA IF NOT EXISTS {}", pg_rollback_core::quote_ident(core::SCHEMA)),
            format!(
                "DROP TABLE IF EXISTS {}.{}",
                pg_rollback_core::quote_ident(core::SCHEMA),
                pg_rollback_core::quote_ident(&archive)
            ),
        ];
        sql.extend(core::keep_sql(&column, &archive, &core::archive_comment(&self.version, statement, index)));
        let insert = sql.pop().expect("keep_sql ends with the copy");
        c.batch_execute(&core::script(&sql)).await.map_err(db_failure("creating the archive table"))?;
        let rows = c.execute(insert.as_str(), &[]).await.map_err(db_failure("copying into the archive"))? as i64;
        let restore = core::restore_sql(target, &column, &archive).map_err(|e| format!("cannot restore: {e}"))?;
        let relation =
            format!("{}.{}", pg_rollback_core::quote_ident(core::SCHEMA), pg_rollback_core::quote_ident(&archive));
        let bytes: i64 = c
            .query_one("SELECT pg_catalog.pg_total_relation_size(pg_catalog.to_regclass($1))", &[&relation])
            .await
            .map_err(db_failure("measuring the archive table"))?
            .get(0);
        qualified.end(c).await?;
        self.estimated += estimate;
        self.kept.push(KeptStatement { index, restore: core::script(&restore) });
        self.record.columns.push(core::KeptColumn::new(index, &column));
        self.record.rows += rows;
        self.record.bytes += bytes;
        self.record.objects.push(ArchivedObject {
            table: relation,
            statement_index: index as u32,
            kind: target.kind().into(),
            source: format!("{table}.{}", pg_rollback_core::quote_ident(&column.column)),
            rows,
            bytes,
        });
        Ok(())
    }

    /// At the bookkeeping, in the migration's transaction: store the restore script and what the archive holds
    /// in the version's newest row; without a restore script (or without the columns), drop what was kept.
    pub(crate) async fn record<C: GenericClient + Sync>(
        mut self,
        c: &C,
        plan: &RollbackPlan,
        stored: Option<&mut crate::StoredRollback>,
    ) -> Result<(), String> {
        // A safe rollback needs no restore (a column retyped after being added by the same migration is kept
        // before the plan knows it folds into the column's DROP): nothing stays in the archive.
        if plan.rollback_safe {
            discard(c, &self.record.objects).await?;
            return Ok(());
        }
        let not_kept: Vec<(usize, String)> =
            self.record.not_archived.iter().map(|n| (n.statement_index as usize, n.reason.clone())).collect();
        let script = match core::restore_script(plan, &self.kept, &not_kept) {
            Ok(script) => Some(script),
            Err(why) => {
                self.record.restore_unavailable = Some(why);
                None
            }
        };
        let has_columns = restore_columns(c).await.map_err(|e| statement_cause(&e))?;
        if script.is_none() || !has_columns {
            if !has_columns {
                self.record.restore_unavailable = Some(format!(
                    "schema_versions has no restore_script column (migration {})",
                    crate::ARCHIVE_MIGRATION
                ));
            }
            discard(c, &self.record.objects).await?;
            self.record.objects.clear();
            self.record.columns.clear();
            self.record.rows = 0;
            self.record.bytes = 0;
            if !has_columns {
                return Ok(());
            }
        }
        let json = serde_json::to_string(&self.record).expect("the record serializes");
        c.execute(
            "UPDATE schema_versions SET restore_script = $2, archive = CAST($3::text AS jsonb)
              WHERE id = (SELECT max(id) FROM schema_versions WHERE version = $1)",
            &[&self.version, &script, &json],
        )
        .await
        .map_err(|e| format!("storing the restore script: {}", statement_cause(&e)))?;
        if let Some(stored) = stored {
            stored.restore_script = script;
            stored.archive = Some(self.record);
        }
        Ok(())
    }
}

/// Drops what was kept (in one statement: tables a `DROP TABLE` moved together may reference each other), and
/// the schemas left empty.
pub(crate) async fn discard<C: GenericClient + Sync>(c: &C, objects: &[ArchivedObject]) -> Result<(), String> {
    if objects.is_empty() {
        return Ok(());
    }
    let tables: Vec<&str> = objects.iter().map(|o| o.table.as_str()).collect();
    c.batch_execute(&format!("DROP TABLE IF EXISTS {}", tables.join(", "))).await.map_err(|e| statement_cause(&e))?;
    c.batch_execute(DROP_SCHEMA_IF_EMPTY).await.map_err(|e| statement_cause(&e))
}

/// The archive's schemas (`pgrollback_archive`, and the one of each table a `DROP TABLE` moved), once their
/// last table is gone, so that a database whose archive is empty has no trace of it: dropping an archive
/// table (prune) is enough. Never fails the caller's transaction (a failure is caught in the block's own
/// subtransaction).
pub(crate) const DROP_SCHEMA_IF_EMPTY: &str = "DO $pg_rollback$ DECLARE s text; BEGIN
    FOR s IN SELECT n.nspname FROM pg_catalog.pg_namespace n
              WHERE (n.nspname = 'pgrollback_archive' OR n.nspname LIKE 'pgrollback\\_archive/%')
                AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace = n.oid) LOOP
        BEGIN
            EXECUTE pg_catalog.format('DROP SCHEMA %I', s);
        EXCEPTION WHEN OTHERS THEN NULL;
        END;
    END LOOP;
END $pg_rollback$";
