//! The archive's I/O: before a destructive statement of a migration runs, in the migration's transaction,
//! read what the core needs to know about the column it destroys, copy its values into
//! `pgrollback_archive` on the server, and at the bookkeeping store the restore script beside the rollback;
//! later, run that script (`restore_data`). The SQL comes from `pg_rollback_core::archive`.
use pg_rollback_core::archive::{
    self as core, ArchiveRecord, ArchivedObject, ColumnToKeep, Dependent, Destroys, KeptStatement, KeyColumn,
    NotArchived, Target,
};
use pg_rollback_core::state::Privilege;
use pg_rollback_core::{ObjectName, ParsedMigration, RollbackPlan};
use tokio_postgres::{Client, GenericClient};

use crate::error::{sqlstate, statement_cause, Error, ErrorCode, Result};
use crate::rollback::COMMIT_OUTCOME_UNKNOWN;
use crate::run::{run, StatementFailed, Statements};
use crate::lock::{set_timeouts, take_lock, Timeouts};
use crate::session::{check_text, with_session, Ctx};
use crate::versions::{self, Table, VersionRow};
use crate::{ExecuteManyOptions, ExecuteOptions, ExecutedRollback};

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
        }
    }

    fn not_archived(&mut self, index: usize, reason: String) {
        self.record.not_archived.push(NotArchived { statement_index: index as u32, reason });
    }

    /// Before statement `index` runs: keep what it destroys. Never fails the migration: what cannot be kept
    /// is rolled back to a savepoint and recorded with the reason.
    pub(crate) async fn before<C: GenericClient + Sync>(&mut self, c: &C, migration: &ParsedMigration, index: usize) {
        let statement = &migration.statements[index];
        let target = match core::classify(statement) {
            Destroys::Nothing => return,
            Destroys::NotKept(reason) => return self.not_archived(index, reason),
            Destroys::Target(target) => target,
        };
        if !self.options.enabled {
            return self.not_archived(index, "the archive is off (archive: false)".into());
        }
        // Without the columns that store a restore, nothing is copied (the copy would be dropped at the bookkeeping).
        if self.storable.is_none() {
            self.storable = Some(restore_columns(c).await.unwrap_or(false));
        }
        if self.storable == Some(false) {
            return self.not_archived(
                index,
                format!("schema_versions has no restore_script column: apply migration {}", crate::ARCHIVE_MIGRATION),
            );
        }
        if let Err(e) = c.batch_execute("SAVEPOINT pg_rollback_archive").await {
            return self.not_archived(index, format!("no savepoint: {}", statement_cause(&e)));
        }
        match self.keep(c, migration, index, &target).await {
            Ok(()) => {
                let _ = c.batch_execute("RELEASE SAVEPOINT pg_rollback_archive").await;
            }
            Err(reason) => {
                let _ = c
                    .batch_execute("ROLLBACK TO SAVEPOINT pg_rollback_archive; RELEASE SAVEPOINT pg_rollback_archive")
                    .await;
                self.not_archived(index, reason);
            }
        }
    }

    async fn keep<C: GenericClient + Sync>(
        &mut self,
        c: &C,
        migration: &ParsedMigration,
        index: usize,
        target: &Target,
    ) -> Result<(), Failure> {
        let Some(archive) = core::table_name(&self.version, index) else {
            return Err("the version is too long to name an archive table (63 bytes)".into());
        };
        let triggers: bool = c
            .query_one("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger WHERE evtenabled <> 'D')", &[])
            .await
            .map_err(db_failure("reading event triggers"))?
            .get(0);
        if triggers {
            return Err("enabled event triggers would react to the archive's own CREATE TABLE".into());
        }
        // The relation as the migration's search_path finds it; then every name is read qualified.
        let found = c
            .query_opt(
                "SELECT c.oid, n.nspname::text, c.relname::text, c.relkind::text, pg_catalog.pg_get_userbyid(c.relowner)::text,
                        c.relhassubclass, c.relispartition, pg_catalog.pg_table_size(c.oid)
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
        if kind != "r" {
            return Err(format!("{table} is not a plain table (relkind {kind})"));
        }
        if rel.get::<_, bool>(5) || rel.get::<_, bool>(6) {
            return Err(format!("{table} has inheritance children or is a partition: not archived yet"));
        }
        let size: i64 = rel.get(7);
        let estimate = size.max(0) as u64;
        if self.estimated + estimate > self.options.max_bytes {
            return Err(format!(
                "{table} holds about {estimate} bytes, above what is left of archiveMaxBytes ({} of {})",
                self.options.max_bytes.saturating_sub(self.estimated),
                self.options.max_bytes
            ));
        }
        let search_path: String = c
            .query_one("SELECT pg_catalog.current_setting('search_path')", &[])
            .await
            .map_err(db_failure("reading search_path"))?
            .get(0);
        c.batch_execute("SELECT pg_catalog.set_config('search_path', '', true)")
            .await
            .map_err(db_failure("setting search_path"))?;
        let Some(column) = read_column(c, oid, &table, rel.get(4), target).await? else { return Ok(()) };
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
        // Back to the migration's search_path for its statement (RELEASE keeps the local setting).
        c.execute("SELECT pg_catalog.set_config('search_path', $1, true)", &[&search_path])
            .await
            .map_err(db_failure("restoring search_path"))?;
        self.estimated += estimate;
        self.kept.push(KeptStatement { index, restore: core::script(&restore) });
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
            for o in &self.record.objects {
                c.batch_execute(&format!("DROP TABLE IF EXISTS {}", o.table)).await.map_err(|e| statement_cause(&e))?;
            }
            if !self.record.objects.is_empty() {
                c.batch_execute(DROP_SCHEMA_IF_EMPTY).await.map_err(|e| statement_cause(&e))?;
            }
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
            for o in &self.record.objects {
                c.batch_execute(&format!("DROP TABLE IF EXISTS {}", o.table)).await.map_err(|e| statement_cause(&e))?;
            }
            if !self.record.objects.is_empty() {
                c.batch_execute(DROP_SCHEMA_IF_EMPTY).await.map_err(|e| statement_cause(&e))?;
            }
            self.record.objects.clear();
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

/// The archive's schema, once its last table is gone, so that a database whose archive is empty has no trace
/// of it. Never fails the caller's transaction (a failure is caught in the block's own subtransaction).
pub(crate) const DROP_SCHEMA_IF_EMPTY: &str = "DO $pg_rollback$ BEGIN
    IF pg_catalog.to_regnamespace('pgrollback_archive') IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_class WHERE relnamespace = pg_catalog.to_regnamespace('pgrollback_archive')) THEN
        BEGIN
            DROP SCHEMA pgrollback_archive;
        EXCEPTION WHEN OTHERS THEN NULL;
        END;
    END IF;
END $pg_rollback$";

async fn restore_columns<C: GenericClient + Sync>(c: &C) -> Result<bool, tokio_postgres::Error> {
    let row = c
        .query_one(
            "SELECT count(*) = 2 FROM pg_catalog.pg_attribute
              WHERE attrelid = pg_catalog.to_regclass('schema_versions') AND attname IN ('restore_script', 'archive')
                AND NOT attisdropped",
            &[],
        )
        .await?;
    Ok(row.get(0))
}

/// A type kept as is: one of `pg_catalog` or an array of one (anything else is kept as text, so the archive
/// never depends on the user's types).
const BUILTIN: &str = "(SELECT tn.nspname = 'pg_catalog' FROM pg_catalog.pg_type ty
     JOIN pg_catalog.pg_namespace tn ON tn.oid = ty.typnamespace
    WHERE ty.oid = CASE WHEN t.typelem <> 0 AND t.typcategory = 'A' THEN t.typelem ELSE t.oid END)";

async fn read_column<C: GenericClient + Sync>(
    c: &C,
    oid: u32,
    table: &ObjectName,
    owner: String,
    target: &Target,
) -> Result<Option<ColumnToKeep>, Failure> {
    let sql = format!(
        "SELECT a.attnum, pg_catalog.format_type(a.atttypid, a.atttypmod), {BUILTIN},
                CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::pg_catalog.regcollation::text END,
                pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attnotnull, a.attidentity::text, a.attgenerated::text,
                pg_catalog.col_description(a.attrelid, a.attnum),
                nullif(a.attstattarget::int, -1),
                CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::text END,
                nullif(a.attcompression::text, ''),
                coalesce(a.attoptions, '{{}}')::text[],
                ARRAY(SELECT pg_catalog.concat_ws(E'\\x1f', coalesce(g.rolname::text, ''), r.rolname::text,
                                                  x.privilege_type, x.is_grantable::text)
                        FROM pg_catalog.aclexplode(a.attacl) x
                        LEFT JOIN pg_catalog.pg_roles g ON g.oid = x.grantee
                        JOIN pg_catalog.pg_roles r ON r.oid = x.grantor),
                a.attinhcount::int
           FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
           LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE a.attrelid = $1 AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped"
    );
    let Some(row) =
        c.query_opt(sql.as_str(), &[&oid, &target.column()]).await.map_err(db_failure("reading the column"))?
    else {
        return Ok(None);
    };
    let attnum: i16 = row.get(0);
    let mut column = ColumnToKeep::new(table.clone(), &owner, target.column(), row.get(1), row.get(2));
    let name = format!("{table}.{}", pg_rollback_core::quote_ident(target.column()));
    column.collation = row.get(3);
    column.default = row.get(4);
    column.not_null = row.get(5);
    let identity: String = row.get(6);
    let generated: String = row.get(7);
    column.comment = row.get(8);
    column.statistics = row.get(9);
    column.storage = row.get(10);
    column.compression = row.get(11);
    column.options = row.get(12);
    let acl: Vec<String> = row.get(13);
    column.acl = acl
        .iter()
        .map(|entry| entry.split('\u{1f}').collect::<Vec<_>>())
        .filter(|p| p.len() == 4)
        .map(|p| Privilege {
            grantee: p[0].to_owned(),
            grantor: p[1].to_owned(),
            privilege: p[2].to_owned(),
            grantable: p[3] == "true",
        })
        .collect();
    let inherited: i32 = row.get(14);
    if inherited > 0 {
        return Err(format!("{name} is inherited from a parent table: not archived yet"));
    }
    if let Target::DropColumn { .. } = target {
        if !identity.is_empty() {
            return Err(format!("{name} is an identity column: restoring it (and its sequence) is not available yet"));
        }
        if !generated.is_empty() {
            return Err(format!("{name} is a generated column: not archived yet"));
        }
        read_dependents(c, oid, attnum, &name, &mut column).await?;
    }
    column.key = read_key(c, oid, attnum).await?;
    Ok(Some(column))
}

/// What `DROP COLUMN` drops with the column: its default, constraints and indexes of the table are recreated
/// by the restore; anything else (an owned sequence, extended statistics, a generated column, ...) refuses.
async fn read_dependents<C: GenericClient + Sync>(
    c: &C,
    oid: u32,
    attnum: i16,
    name: &str,
    column: &mut ColumnToKeep,
) -> Result<(), Failure> {
    let rows = c
        .query(
            "SELECT d.classid::pg_catalog.regclass::text, pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid),
                    co.conname::text, pg_catalog.pg_get_constraintdef(co.oid),
                    pg_catalog.obj_description(co.oid, 'pg_constraint'),
                    CASE WHEN ic.oid IS NOT NULL THEN pg_catalog.format('%I.%I', n.nspname, ic.relname) END, pg_catalog.pg_get_indexdef(ic.oid),
                    pg_catalog.obj_description(ic.oid, 'pg_class'),
                    EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = ic.oid AND k.conrelid = $1
                              AND k.contype IN ('p', 'u', 'x'))
               FROM pg_catalog.pg_depend d
               LEFT JOIN pg_catalog.pg_constraint co ON d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass
                    AND co.oid = d.objid AND co.conrelid = $1
               LEFT JOIN pg_catalog.pg_index i ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                    AND i.indexrelid = d.objid AND i.indrelid = $1
               LEFT JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
               LEFT JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
              WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = $1
                AND d.refobjsubid = $2::int2 AND d.deptype IN ('n', 'a')
              ORDER BY d.classid, d.objid",
            &[&oid, &attnum],
        )
        .await
        .map_err(db_failure("reading what depends on the column"))?;
    let mut seen = Vec::new();
    for row in rows {
        let class: String = row.get(0);
        match class.as_str() {
            "pg_attrdef" => {}
            "pg_constraint" => {
                let Some(constraint) = row.get::<_, Option<String>>(2) else {
                    return Err(format!("{} depends on {name}: not archived", row.get::<_, String>(1)));
                };
                if !seen.contains(&constraint) {
                    seen.push(constraint.clone());
                    column.constraints.push(Dependent {
                        name: constraint,
                        definition: row.get(3),
                        comment: row.get(4),
                    });
                }
            }
            "pg_class" => {
                let Some(index) = row.get::<_, Option<String>>(5) else {
                    return Err(format!("{} depends on {name}: not archived", row.get::<_, String>(1)));
                };
                // A constraint's index comes back with the constraint.
                if !row.get::<_, bool>(8) && !seen.contains(&index) {
                    seen.push(index.clone());
                    column.indexes.push(Dependent { name: index, definition: row.get(6), comment: row.get(7) });
                }
            }
            _ => return Err(format!("{} depends on {name}: not archived", row.get::<_, String>(1))),
        }
    }
    Ok(())
}

/// The primary key, else the smallest unique index on NOT NULL columns (no expression, no predicate), that
/// does not contain the column.
async fn read_key<C: GenericClient + Sync>(c: &C, oid: u32, attnum: i16) -> Result<Vec<KeyColumn>, Failure> {
    let sql = format!(
        "SELECT array_agg(a.attname::text ORDER BY k.n), array_agg(pg_catalog.format_type(a.atttypid, a.atttypmod) ORDER BY k.n),
                array_agg({BUILTIN} ORDER BY k.n)
           FROM pg_catalog.pg_index i
           CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)
           JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
           JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
          WHERE i.indrelid = $1 AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
            AND k.n <= i.indnkeyatts
          GROUP BY i.indexrelid, i.indisprimary
         HAVING bool_and(a.attnotnull) AND NOT bool_or(a.attnum = $2)
          ORDER BY i.indisprimary DESC, count(*), i.indexrelid LIMIT 1"
    );
    let row = c.query_opt(sql.as_str(), &[&oid, &attnum]).await.map_err(db_failure("reading the table's keys"))?;
    let Some(row) = row else { return Ok(Vec::new()) };
    let names: Vec<String> = row.get(0);
    let types: Vec<String> = row.get(1);
    let builtin: Vec<bool> = row.get(2);
    Ok(names
        .into_iter()
        .zip(types)
        .zip(builtin)
        .map(|((name, type_sql), builtin)| KeyColumn { name, type_sql, builtin })
        .collect())
}

/// Why a version cannot be restored, as its archive record says.
fn unavailable(version: &str, archive: Option<&ArchiveRecord>) -> Error {
    let mut reasons: Vec<String> = archive.and_then(|a| a.restore_unavailable.clone()).into_iter().collect();
    for n in archive.iter().flat_map(|a| &a.not_archived) {
        reasons.push(format!("statement {} was not archived: {}", n.statement_index + 1, n.reason));
    }
    let why = match reasons.is_empty() {
        true => ": nothing of it was archived".to_owned(),
        false => format!(": {}", reasons.join("; ")),
    };
    Error::RestoreNotAvailable(format!("No restore is available for version {version}{why}. Nothing was changed"))
}

/// The restore of `row` as it can run now: its script parsed, or why not. Archive tables that are gone are
/// `ARCHIVE_MISSING`.
async fn restorable<C: GenericClient + Sync>(c: &C, row: &VersionRow) -> Result<ParsedMigration> {
    let version = &row.stored.version;
    let Some(script) = row.stored.restore_script.as_deref() else {
        return Err(unavailable(version, row.stored.archive.as_ref()));
    };
    let mut missing = Vec::new();
    for o in row.stored.archive.iter().flat_map(|a| &a.objects) {
        let found: bool = c
            .query_one("SELECT pg_catalog.to_regclass($1) IS NOT NULL", &[&o.table])
            .await
            .map_err(|e| Error::Database(format!("checking the archive: {}", statement_cause(&e))))?
            .get(0);
        if !found {
            missing.push(o.table.clone());
        }
    }
    if !missing.is_empty() {
        return Err(Error::ArchiveMissing(format!(
            "The archive of version {version} is gone ({} dropped or pruned): its data cannot be restored. Nothing \
             was changed",
            missing.join(", ")
        )));
    }
    ParsedMigration::parse(script)
        .map_err(|e| Error::RollbackFailed(format!("The restore script of version {version} does not parse: {e}")))
}

/// A failed restore statement: a conflict the script checks for, or PostgreSQL's error.
fn restore_failed(version: &str, script: &ParsedMigration, failed: &StatementFailed) -> Error {
    let unchanged = "The transaction was rolled back: schema, data and schema_versions are unchanged";
    if sqlstate(&failed.error) == Some(core::CONFLICT_SQLSTATE) {
        let message = failed.error.as_db_error().map(|d| d.message().to_owned()).unwrap_or_default();
        return Error::RestoreConflict(format!("Cannot restore version {version}: {message}. {unchanged}"));
    }
    Error::RollbackFailed(format!(
        "Restore of version {version} failed at statement {} of {}: {}\nPostgreSQL: {}\n{unchanged}",
        failed.index + 1,
        script.statements.len(),
        script.statements[failed.index].text,
        statement_cause(&failed.error)
    ))
}

/// `execute_rollback` with `restore_data`: the restore script, in one transaction with the bookkeeping. A
/// version whose rollback is safe runs its ordinary rollback.
pub(crate) async fn restore_one(url: &str, version: &str, options: &ExecuteOptions) -> Result<ExecutedRollback> {
    check_text("version", version, false)?;
    let restored = with_session(url, async |client, ctx| {
        let table = versions::require(&*client, ctx).await?;
        let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
        let timeouts =
            Timeouts { lock_timeout_ms: options.lock_timeout_ms, statement_timeout_ms: options.statement_timeout_ms };
        set_timeouts(&tx, ctx, timeouts, "LOCAL").await?;
        take_lock(&tx, ctx, "pg_advisory_xact_lock").await?;
        let row = versions::latest_row(&tx, ctx, table, version, true)
            .await?
            .ok_or_else(|| Error::VersionNotFound(version.to_owned()))?;
        if row.stored.rollback_applied_at.is_some() {
            return Err(Error::AlreadyRolledBack(version.to_owned()));
        }
        if row.stored.rollback_safe {
            return Ok(None);
        }
        if let Some(order) = options.migration_order.as_ref().filter(|_| !options.allow_out_of_order) {
            let later = versions::later_applied(&tx, ctx, table, version, order).await?;
            if !later.is_empty() {
                let list: Vec<String> = later.iter().map(|(v, file)| format!("{v} ({file})")).collect();
                return Err(Error::OutOfOrder(format!(
                    "Refusing to restore version {version} out of order: later version(s) {} applied and not rolled \
                     back. Nothing was changed",
                    list.join(", ")
                )));
            }
        }
        if let Some(shown) = &options.expected_script {
            if row.stored.restore_script.as_deref() != Some(shown.as_str()) {
                return Err(Error::RollbackScriptChanged(format!(
                    "The restore script of version {version} is no longer the one that was shown. Nothing was changed"
                )));
            }
        }
        let script = restorable(&tx, &row).await?;
        if let Err(failed) = run(&tx, ctx, Statements::Plain(&script)).await {
            let error = restore_failed(version, &script, &failed);
            let _ = tx.rollback().await;
            return Err(error);
        }
        tx.batch_execute(DROP_SCHEMA_IF_EMPTY)
            .await
            .map_err(|e| Error::RollbackFailed(format!("Restore of version {version}: {}", statement_cause(&e))))?;
        let done = record_done(&tx, ctx, table, &row, options.drizzle_hash.as_deref(), version).await?;
        commit(tx, version).await?;
        Ok(Some(done))
    })
    .await?;
    match restored {
        Some(done) => Ok(done),
        // Outside the transaction above: the ordinary path takes the lock itself and checks everything again.
        None => {
            let plain = ExecuteOptions { restore_data: false, ..options.clone() };
            Box::pin(crate::rollback::execute_rollback(url, version, &plain)).await
        }
    }
}

async fn record_done<C: GenericClient + Sync>(
    c: &C,
    ctx: &Ctx,
    table: Table,
    row: &VersionRow,
    hash: Option<&str>,
    version: &str,
) -> Result<ExecutedRollback> {
    crate::rollback::record(c, ctx, table, row.id, hash).await.map_err(|cause| {
        Error::RollbackFailed(format!(
            "Restore of version {version}: recording it in schema_versions failed: {cause}\nNothing was changed"
        ))
    })
}

async fn commit(tx: tokio_postgres::Transaction<'_>, version: &str) -> Result<()> {
    tx.commit().await.map_err(|e| {
        let outcome = match e.as_db_error() {
            Some(_) => "Nothing was committed: schema, data and schema_versions are unchanged",
            None => COMMIT_OUTCOME_UNKNOWN,
        };
        Error::RollbackFailed(format!(
            "Restore of version {version}: COMMIT failed: {}\n{outcome}",
            statement_cause(&e)
        ))
    })
}

/// `execute_rollbacks` with `restore_data`: every selected version, newest first, in ONE transaction: the
/// safe ones by their rollback, the others by their restore. Refused before anything runs when one has
/// neither (or a script cannot run in a transaction).
pub(crate) async fn restore_range(url: &str, options: &ExecuteManyOptions) -> Result<Vec<ExecutedRollback>> {
    crate::rollback::range::selection(options)?;
    with_session(url, async |client: &mut Client, ctx| {
        let table = versions::require(&*client, ctx).await?;
        let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
        let timeouts =
            Timeouts { lock_timeout_ms: options.lock_timeout_ms, statement_timeout_ms: options.statement_timeout_ms };
        set_timeouts(&tx, ctx, timeouts, "LOCAL").await?;
        take_lock(&tx, ctx, "pg_advisory_xact_lock").await?;
        let (rows, refused) = crate::rollback::range::selected(&tx, ctx, table, options).await?;
        // A missing or unsafe rollback is what the restore replaces; the selection's state and order still refuse.
        let order: Vec<_> = refused
            .into_iter()
            .filter(|r| matches!(r.code, ErrorCode::AlreadyRolledBack | ErrorCode::RollbackOutOfOrder))
            .collect();
        if let Some(e) = crate::rollback::range::refusal_error(&order, options.force) {
            return Err(e);
        }
        if let Some(expected) = &options.expected_scripts {
            let shown: Vec<&str> = expected.iter().map(|e| e.version.as_str()).collect();
            let now: Vec<&str> = rows.iter().map(|r| r.stored.version.as_str()).collect();
            if shown != now {
                return Err(Error::RollbackScriptChanged(
                    "The versions to restore are no longer the ones that were shown. Nothing was run or changed".into(),
                ));
            }
        }
        let mut steps = Vec::with_capacity(rows.len());
        for row in &rows {
            let version = &row.stored.version;
            let script = if row.stored.rollback_safe {
                let text = row.stored.rollback_script.as_deref().unwrap_or("");
                ParsedMigration::parse(text).map_err(|e| {
                    Error::RollbackFailed(format!("The rollback script of version {version} does not parse: {e}"))
                })?
            } else {
                restorable(&tx, row).await?
            };
            if !script.runs_in_transaction() {
                return Err(Error::NotTransactional(format!(
                    "The rollback of version {version} cannot run in a transaction: a range with restore_data runs in \
                     one. Nothing was changed"
                )));
            }
            steps.push(script);
        }
        for (row, script) in rows.iter().zip(&steps) {
            if let Err(failed) = run(&tx, ctx, Statements::Plain(script)).await {
                let error = restore_failed(&row.stored.version, script, &failed);
                let _ = tx.rollback().await;
                return Err(error);
            }
        }
        tx.batch_execute(DROP_SCHEMA_IF_EMPTY)
            .await
            .map_err(|e| Error::RollbackFailed(format!("Restore of a range: {}", statement_cause(&e))))?;
        let mut done = Vec::with_capacity(rows.len());
        for row in &rows {
            let hash = options
                .migrations
                .iter()
                .find(|m| m.version == row.stored.version)
                .and_then(|m| m.drizzle_hash.as_deref());
            done.push(record_done(&tx, ctx, table, row, hash, &row.stored.version).await?);
        }
        commit(tx, "range").await?;
        Ok(done)
    })
    .await
}
