//! Data statements at apply: before the statement, under the archiver's savepoint, the table is checked (a key,
//! no trigger or referential action that writes elsewhere), its archive table is made and a capture trigger
//! put on it (a `TRUNCATE` copies the rows instead); right after it ran ([`Archiver::after`]), the trigger
//! and its function go, so the catalog is as the statement left it. The SQL is `pg_rollback_core::archive::data`.
use pg_rollback_core::archive::Destroys;
use pg_rollback_core::archive::{self as core, data, ArchivedObject, DataKind, KeptRows, KeptStatement, Target};
use pg_rollback_core::{quote_ident, ParsedMigration, ParsedStatement};
use tokio_postgres::{GenericClient, SimpleQueryMessage};

use super::{db_failure, Archiver, Failure};
use crate::catalog::archive::read_key;
use crate::catalog::archive_data::{
    cascaded, check_functions, check_side_effects, find_table, read_columns, references_among, referencing, RowsTable,
};

/// Rows x bytes per row x 2 (old and new values), from the planner's estimate of the statement.
async fn estimate<C: GenericClient + Sync>(c: &C, text: &str, table: &RowsTable) -> Result<u64, Failure> {
    let messages =
        c.simple_query(&format!("EXPLAIN (FORMAT JSON) {text}")).await.map_err(db_failure("estimating the rows"))?;
    let plan = messages
        .iter()
        .find_map(|m| match m {
            SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
            _ => None,
        })
        .ok_or("estimating the rows: EXPLAIN returned nothing")?;
    let json: serde_json::Value = serde_json::from_str(&plan).map_err(|e| format!("reading EXPLAIN: {e}"))?;
    let top = &json[0]["Plan"];
    // The ModifyTable node plans no rows itself; its input says how many it writes.
    let node = top["Plans"].get(0).unwrap_or(top);
    let rows = node["Plan Rows"].as_f64().unwrap_or(0.0).max(0.0);
    let width = match table.tuples > 0.0 && table.size > 0 {
        true => table.size as f64 / table.tuples,
        false => node["Plan Width"].as_f64().unwrap_or(100.0),
    };
    Ok((rows * width * 2.0) as u64)
}

/// Tables in an order where one that references another comes after it (a `TRUNCATE`'s rows, and what a
/// `DELETE`'s cascades deleted, are re-inserted in that order). `Err` on a cycle.
fn referenced_first<T>(tables: Vec<T>, references: &[(u32, u32)], oid: impl Fn(&T) -> u32) -> Result<Vec<T>, Failure> {
    let mut left = tables;
    let mut ordered = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let ready = left
            .iter()
            .position(|t| !references.iter().any(|(from, to)| *from == oid(t) && left.iter().any(|o| oid(o) == *to)));
        let Some(ready) = ready else {
            return Err("the tables it changes reference each other in a cycle".into());
        };
        ordered.push(left.remove(ready));
    }
    Ok(ordered)
}

impl Archiver {
    pub(super) async fn keep_rows<C: GenericClient + Sync>(
        &mut self,
        c: &C,
        migration: &ParsedMigration,
        index: usize,
        target: &Target,
    ) -> Result<(), Failure> {
        let Target::Rows { kind, relations, upsert, functions, set_columns } = target else {
            return Err("not a data statement".into());
        };
        let statement = &migration.statements[index];
        Self::event_triggers(c).await?;
        // Names as the migration's search_path finds them; then everything is read and written qualified.
        check_functions(c, functions).await?;
        let mut tables: Vec<RowsTable> = Vec::new();
        for relation in relations {
            // No such table: the statement fails, nothing to keep.
            let Some(table) = find_table(c, relation).await? else { return Ok(()) };
            if !tables.iter().any(|t| t.oid == table.oid) {
                tables.push(table);
            }
        }
        let estimate = match kind {
            DataKind::Truncate => tables.iter().map(|t| t.size.max(0) as u64).sum(),
            _ => estimate(c, &statement.text, &tables[0]).await?,
        };
        if self.estimated + estimate > self.options.max_bytes {
            return Err(format!(
                "the rows it changes hold about {estimate} bytes, above what is left of archiveMaxBytes ({} of {})",
                self.options.max_bytes.saturating_sub(self.estimated),
                self.options.max_bytes
            ));
        }
        if tables.len() > 1 {
            let oids: Vec<u32> = tables.iter().map(|t| t.oid).collect();
            let references = references_among(c, &oids).await?;
            tables = referenced_first(tables, &references, |t| t.oid)?;
        }
        // What a DELETE's referential actions change is kept with it; the restore puts the DELETE's own rows back
        // first, then each table after the one whose rows its keys reference.
        let cascade_kept = *kind == DataKind::Delete;
        let mut changed: Vec<(RowsTable, DataKind, Option<Vec<String>>)> =
            tables.into_iter().map(|t| (t, *kind, set_columns.clone())).collect();
        if cascade_kept {
            let mut bound = 0u64;
            for (name, how, set) in cascaded(c, &changed[0].0).await? {
                let Some(table) = find_table(c, &name).await? else {
                    return Err(format!("{name} could not be found again"));
                };
                bound += table.size.max(0) as u64;
                changed.push((table, how, set));
            }
            if changed.len() > 1 {
                let oids: Vec<u32> = changed.iter().map(|(t, ..)| t.oid).collect();
                let references = references_among(c, &oids).await?;
                changed = referenced_first(changed, &references, |(t, ..)| t.oid)?;
            }
            if bound > 0 && self.estimated + estimate + bound > self.options.max_bytes {
                return Err(format!(
                    "the rows its foreign keys' actions could change hold up to {bound} bytes, above what is left of \
                     archiveMaxBytes ({} of {})",
                    self.options.max_bytes.saturating_sub(self.estimated + estimate),
                    self.options.max_bytes
                ));
            }
        }
        let qualified = super::QualifiedReads::begin(c).await?;
        let several = changed.len() > 1;
        let mut kept = Vec::new();
        let mut restore = String::new();
        for (part, (table, kind, set_columns)) in changed.iter().enumerate() {
            let deletes_kept = cascade_kept || *kind == DataKind::Insert;
            check_side_effects(c, table, *kind, *upsert, set_columns.as_deref(), deletes_kept).await?;
            let referenced_by = match kind {
                DataKind::Insert => referencing(c, table, &self.added_columns).await?,
                _ => Vec::new(),
            };
            let mut columns = read_columns(c, table.oid).await?;
            for column in &mut columns {
                column.added = self.added_columns.iter().any(|(oid, name)| *oid == table.oid && *name == column.name);
            }
            let key = read_key(c, table.oid, 0).await?;
            let key: Option<Vec<u32>> =
                key.iter().map(|k| columns.iter().position(|c| c.name == k.name).map(|i| i as u32)).collect();
            let Some(key) = key.filter(|k| !k.is_empty()) else {
                return Err(format!(
                    "{} has no primary key or unique index on NOT NULL columns to match rows by",
                    table.name
                ));
            };
            let name = match several {
                true => core::part_table_name(&self.version, index, part),
                false => core::table_name(&self.version, index),
            };
            let Some(archive) = name else {
                return Err("the version is too long to name an archive table (63 bytes)".into());
            };
            let rows = KeptRows {
                statement_index: index as u32,
                kind: kind.as_str().into(),
                table: table.name.to_string(),
                archive,
                columns,
                key,
                partitioned: table.partitioned,
                referenced_by,
            };
            let relation = format!("{}.{}", quote_ident(core::SCHEMA), quote_ident(&rows.archive));
            let mut sql = vec![
                format!("CREATE SCHEMA IF NOT EXISTS {}", quote_ident(core::SCHEMA)),
                format!("DROP TABLE IF EXISTS {relation}"),
                format!("DROP FUNCTION IF EXISTS {relation}()"),
            ];
            let comment = core::archive_comment(&self.version, statement, index);
            let copy = *kind == DataKind::Truncate;
            sql.extend(data::keep_sql(&rows, &comment, copy).ok_or("a column name holds $pg_rollback$")?);
            c.batch_execute(&core::script(&sql)).await.map_err(db_failure("preparing the archive of the rows"))?;
            restore.push_str(&core::script(&data::restore_sql(&rows)));
            kept.push(rows);
        }
        qualified.end(c).await?;
        let mut measured = Vec::new();
        if *kind == DataKind::Truncate {
            for rows in &kept {
                measured.push(measure(c, rows).await.map_err(db_failure("measuring the archive"))?);
            }
        }
        self.estimated += estimate;
        // TRUNCATE restores re-insert referenced tables first; the restore script runs them in this order.
        self.kept.push(KeptStatement { index, restore });
        match *kind {
            DataKind::Truncate => kept.into_iter().zip(measured).for_each(|(rows, m)| self.recorded(rows, m)),
            _ => self.capturing.extend(kept),
        }
        Ok(())
    }

    /// Before an `ADD COLUMN` of a migration that also writes rows: which of its columns do not exist yet.
    pub(super) async fn note_added_columns<C: GenericClient + Sync>(
        &mut self,
        c: &C,
        migration: &ParsedMigration,
        statement: &ParsedStatement,
    ) {
        let Some((relation, columns)) = core::added_columns(statement) else { return };
        let writes_rows = |s: &ParsedStatement| matches!(core::classify(s), Destroys::Target(Target::Rows { .. }));
        if !*self.writes_rows.get_or_insert_with(|| migration.statements.iter().any(writes_rows)) {
            return;
        }
        // Under a savepoint: a failed read must not end the migration's transaction (unread, the columns are not
        // treated as new, and the restore puts their values back).
        if c.batch_execute("SAVEPOINT pg_rollback_added").await.is_err() {
            return;
        }
        let new = c
            .query(
                "SELECT c.oid, x.name FROM pg_catalog.pg_class c, pg_catalog.unnest($2::text[]) AS x(name)
                  WHERE c.oid = pg_catalog.to_regclass($1)
                    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                                     WHERE a.attrelid = c.oid AND a.attname = x.name AND NOT a.attisdropped)",
                &[&relation.to_string(), &columns],
            )
            .await;
        let end = match new {
            Ok(_) => "RELEASE SAVEPOINT pg_rollback_added",
            Err(_) => "ROLLBACK TO SAVEPOINT pg_rollback_added; RELEASE SAVEPOINT pg_rollback_added",
        };
        let _ = c.batch_execute(end).await;
        for row in new.iter().flatten() {
            self.added_columns.push((row.get(0), row.get(1)));
        }
    }

    /// Right after statement `index` ran: the capture triggers and functions go, and what they kept is
    /// recorded. An error fails the migration (a trigger left behind would change the schema).
    pub(crate) async fn after<C: GenericClient + Sync>(&mut self, c: &C) -> Result<(), tokio_postgres::Error> {
        for rows in std::mem::take(&mut self.capturing) {
            c.batch_execute(&core::script(&data::capture_done_sql(&rows))).await?;
            let measured = measure(c, &rows).await?;
            self.recorded(rows, measured);
        }
        Ok(())
    }

    fn recorded(&mut self, rows: KeptRows, (relation, count, bytes): (String, i64, i64)) {
        self.record.rows += count;
        self.record.bytes += bytes;
        self.record.objects.push(ArchivedObject {
            table: relation,
            statement_index: rows.statement_index,
            kind: rows.kind.clone(),
            source: rows.table.clone(),
            rows: count,
            bytes,
        });
        self.record.rows_kept.push(rows);
    }
}

/// The archive table of `rows`: its qualified name, rows and bytes.
async fn measure<C: GenericClient + Sync>(c: &C, rows: &KeptRows) -> Result<(String, i64, i64), tokio_postgres::Error> {
    let relation = format!("{}.{}", quote_ident(core::SCHEMA), quote_ident(&rows.archive));
    let measured = c
        .query_one(
            &format!(
                "SELECT (SELECT count(*) FROM {relation}), pg_catalog.pg_total_relation_size(pg_catalog.to_regclass($1))"
            ),
            &[&relation],
        )
        .await?;
    Ok((relation, measured.get(0), measured.get(1)))
}

/// Whether a statement after `object`'s changed `table` (or a column of it).
fn changed_later(record: &core::ArchiveRecord, object: &ArchivedObject, table: &str) -> bool {
    record.objects.iter().any(|o| {
        o.statement_index > object.statement_index && (o.source == table || o.source.starts_with(&format!("{table}.")))
    })
}

/// The preview of one data object, counted now (read-only): rows that come back per kind and conflicts with
/// their first keys. Not counted when a later statement of the migration changed the same table (its restore
/// runs first, so the rows are not yet as this one's restore finds them).
pub(super) async fn preview<C: GenericClient + Sync>(
    c: &C,
    record: &core::ArchiveRecord,
    object: &ArchivedObject,
    rows: &KeptRows,
) -> core::ObjectRestore {
    use super::preview::{relation_now, COUNT_TIMEOUT};
    let archive = match relation_now(c, &object.table).await {
        Ok(Some((schema, name))) if schema == core::SCHEMA => name,
        Ok(_) => return core::describe(object, None, &core::Now::ArchiveGone),
        Err(e) => return data::describe(object, rows, Err(e)),
    };
    // The rows of a table the restore of a later statement changes first, or that reference this one's inserted
    // rows, are not as this restore will find them.
    let touched = |table: &str| changed_later(record, object, table);
    let later = touched(&rows.table) || rows.referenced_by.iter().any(|r| touched(&r.table));
    if later {
        let why = "a later statement of the migration changed the same table or one referencing it (the restore \
                   checks these rows after undoing it)";
        return data::describe(object, rows, Err(why.into()));
    }
    // The record is data: the table is named as the catalog names it now.
    let table = match relation_now(c, &rows.table).await {
        Ok(Some((schema, name))) => format!("{}.{}", quote_ident(&schema), quote_ident(&name)),
        Ok(None) => return data::describe(object, rows, Err(format!("{} does not exist now", rows.table))),
        Err(e) => return data::describe(object, rows, Err(e)),
    };
    let now = KeptRows { table, archive, ..rows.clone() };
    let sql = format!(
        "SAVEPOINT pg_rollback_count; SET LOCAL statement_timeout = {}",
        pg_rollback_core::quote_literal(COUNT_TIMEOUT)
    );
    if let Err(e) = c.batch_execute(&sql).await {
        return data::describe(object, rows, Err(crate::error::statement_cause(&e)));
    }
    let counted = c.query_one(data::count_sql(&now).as_str(), &[]).await;
    let release = match counted {
        Ok(_) => "RESET statement_timeout; RELEASE SAVEPOINT pg_rollback_count",
        Err(_) => "ROLLBACK TO SAVEPOINT pg_rollback_count; RELEASE SAVEPOINT pg_rollback_count",
    };
    let _ = c.batch_execute(release).await;
    let counts = counted
        .map(|r| data::RowCounts {
            updated: r.get(0),
            inserted: r.get(1),
            deleted: r.get(2),
            updated_conflicts: r.get(3),
            inserted_conflicts: r.get(4),
            deleted_conflicts: r.get(5),
            first_keys: r.get(6),
        })
        .map_err(|e| format!("counting failed ({}; limit {COUNT_TIMEOUT})", crate::error::statement_cause(&e)));
    data::describe(object, rows, counts)
}
