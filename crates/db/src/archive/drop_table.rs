//! `DROP TABLE` kept by moving the table (the I/O; the SQL is `pg_rollback_core::archive::drop_table`): the
//! archive carries the statement out itself, under the archiver's savepoint, and the statement is skipped.
use std::collections::BTreeMap;

use pg_rollback_core::archive::drop_table::DroppedViews;
use pg_rollback_core::archive::{self as core, drop_table, ArchivedObject, KeptStatement};
use pg_rollback_core::state::{Answer, Lookup, ObjectAddress, Question};
use pg_rollback_core::{quote_ident, ObjectName, ParsedMigration};
use tokio_postgres::GenericClient;

use super::{db_failure, Archiver, Failure, QualifiedReads};
use crate::catalog::answer;
use crate::catalog::archive_table::{cascade_ties, find_table, read_table, rebuilt_indexes, rows, unkept_ties};
use crate::error::statement_cause;
use crate::session::Ctx;

/// What the archive did with a `DROP TABLE`.
pub(super) enum Kept {
    /// The tables were moved: nothing of the statement is left to run.
    Moved,
    /// Nothing to keep: the statement runs as written (it drops nothing, or fails as it would have).
    Untouched,
}

impl Archiver {
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn keep_tables<C: GenericClient + Sync>(
        &mut self,
        c: &C,
        ctx: &Ctx,
        migration: &ParsedMigration,
        index: usize,
        relations: &[ObjectName],
        missing_ok: bool,
        cascade: bool,
    ) -> Result<Kept, Failure> {
        let statement = &migration.statements[index];
        Self::event_triggers(c).await?;
        let mut found = Vec::new();
        for relation in relations {
            match find_table(c, relation).await? {
                Some(table) => found.push(table),
                None if missing_ok => {}
                // The statement fails as it would have.
                None => return Ok(Kept::Untouched),
            }
        }
        if found.is_empty() {
            // `IF EXISTS` and no table: the statement drops nothing, and its restore is nothing.
            self.kept.push(KeptStatement { index, restore: String::new() });
            return Ok(Kept::Untouched);
        }
        let mut oids: Vec<u32> = Vec::new();
        let mut estimate = 0u64;
        for t in &found {
            let name = &t.table;
            if matches!(t.kind.as_str(), "v" | "m" | "f" | "S" | "i" | "I" | "c") {
                return Ok(Kept::Untouched);
            }
            if oids.contains(&t.oid) {
                return Err(format!("{name} is named twice"));
            }
            let schema = name.schema.as_deref().unwrap_or("");
            if schema == core::SCHEMA || drop_table::is_archive_schema(schema) {
                return Err(format!("{name} is in the archive itself"));
            }
            if t.kind == "p" {
                return Err(format!("{name} is partitioned: not archived yet"));
            }
            if t.kind != "r" {
                return Err(format!("{name} is not a plain table (relkind {})", t.kind));
            }
            if t.temporary {
                return Err(format!("{name} is a temporary table"));
            }
            if t.inherits {
                return Err(format!("{name} has inheritance children or is a partition: not archived yet"));
            }
            oids.push(t.oid);
            estimate += t.bytes.max(0) as u64;
        }
        if self.estimated + estimate > self.options.max_bytes {
            return Err(format!(
                "the dropped table(s) hold about {estimate} bytes, above what is left of archiveMaxBytes ({} of {})",
                self.options.max_bytes.saturating_sub(self.estimated),
                self.options.max_bytes
            ));
        }
        // Without CASCADE, a DROP that other objects forbid fails as written: tried, then undone.
        if !cascade {
            c.batch_execute("SAVEPOINT pg_rollback_trial").await.map_err(db_failure("trying the DROP"))?;
            let tried = c.batch_execute(&statement.text).await;
            c.batch_execute("ROLLBACK TO SAVEPOINT pg_rollback_trial; RELEASE SAVEPOINT pg_rollback_trial")
                .await
                .map_err(db_failure("undoing the trial DROP"))?;
            if tried.is_err() {
                return Ok(Kept::Untouched);
            }
        }
        let qualified = QualifiedReads::begin(c).await?;
        let (views, view_oids) = match cascade {
            true => cascaded_views(c, ctx, &oids, &found.iter().map(|t| t.table.clone()).collect::<Vec<_>>()).await?,
            false => (DroppedViews::default(), Vec::new()),
        };
        let rebuilt = rebuilt_indexes(c, &oids).await?;
        let ties = unkept_ties(c, &oids, &view_oids, &rebuilt).await?;
        if !ties.is_empty() {
            return Err(format!("what ties the table to the rest of the database is not kept: {}", ties.join("; ")));
        }
        let mut tables = Vec::with_capacity(found.len());
        for (n, t) in found.iter().enumerate() {
            let Some(schema) = drop_table::schema_name(&self.version, index, n) else {
                return Err("the version is too long to name an archive schema (63 bytes)".into());
            };
            let exists: bool = c
                .query_one("SELECT pg_catalog.to_regnamespace($1) IS NOT NULL", &[&quote_ident(&schema)])
                .await
                .map_err(db_failure("reading the archive's schemas"))?
                .get(0);
            if exists {
                return Err(format!("the archive schema {} exists already", quote_ident(&schema)));
            }
            let kept = read_table(c, t.oid, &t.table, &schema, &oids, &rebuilt).await?;
            if !cascade && !kept.referencing.is_empty() {
                // The trial DROP passed: the keys are among the statement's tables (not possible otherwise).
                return Err(format!("{} is referenced by foreign keys without CASCADE", t.table));
            }
            let rows = rows(c, t.oid, &t.table).await?;
            tables.push((kept, rows, t.bytes));
        }
        let comment = core::archive_comment(&self.version, statement, index);
        if !views.drop.is_empty() {
            let sql = core::script(&views.drop);
            c.batch_execute(&sql).await.map_err(|e| format!("dropping the views failed: {}", statement_cause(&e)))?;
        }
        for (t, _, _) in &tables {
            let sql = core::script(&drop_table::keep_sql(t, &comment));
            c.batch_execute(&sql).await.map_err(|e| format!("moving {} failed: {}", t.table, statement_cause(&e)))?;
        }
        qualified.end(c).await?;
        let kept: Vec<_> = tables.iter().map(|(t, _, _)| t.clone()).collect();
        self.kept
            .push(KeptStatement { index, restore: core::script(&drop_table::restore_statement_sql(&kept, &views)) });
        self.estimated += estimate;
        for (t, rows, bytes) in tables {
            self.record.rows += rows;
            self.record.bytes += bytes;
            self.record.objects.push(ArchivedObject {
                table: t.archived().to_string(),
                statement_index: index as u32,
                kind: "DROP TABLE".into(),
                source: t.table.to_string(),
                rows,
                bytes,
            });
        }
        Ok(Kept::Moved)
    }
}

/// The views a `CASCADE` of `tables` drops (created again by the restore), with their OIDs; anything else it
/// would drop besides foreign keys refuses.
async fn cascaded_views<C: GenericClient + Sync>(
    c: &C,
    ctx: &Ctx,
    kept: &[u32],
    tables: &[ObjectName],
) -> Result<(DroppedViews, Vec<u32>), Failure> {
    let address = |t: &ObjectName| ObjectAddress {
        kind: "table".into(),
        names: vec![t.schema.clone().unwrap_or_default(), t.name.clone()],
        args: Some(Vec::new()),
    };
    let questions: Vec<Question> = tables.iter().map(|t| Question::DropCascade { address: address(t) }).collect();
    let mut depths: BTreeMap<ObjectName, u32> = BTreeMap::new();
    let mut others = Vec::new();
    for (_, reply) in answer(c, ctx, &questions).await {
        let Ok(Answer::DropCascade(cascade)) = reply else {
            return Err(format!("reading what CASCADE drops failed: {reply:?}"));
        };
        for r in cascade.relations {
            let depth = depths.entry(ObjectName::qualified(&r.schema, &r.name)).or_default();
            *depth = (*depth).max(r.depth);
        }
        others.extend(cascade.others.iter().map(|o| (o.class, o.oid, o.sub)));
    }
    let ties = cascade_ties(c, kept, &others).await?;
    if !ties.is_empty() {
        return Err(format!("a CASCADE would also drop what is not kept: {}", ties.join("; ")));
    }
    if depths.is_empty() {
        return Ok((DroppedViews::default(), Vec::new()));
    }
    let mut questions: Vec<Question> =
        depths.keys().map(|name| Question::View { name: name.clone(), lookup: Lookup::SearchPath }).collect();
    questions.push(Question::DefaultPrivileges);
    let replies = answer(c, ctx, &questions).await;
    let mut views = Vec::new();
    let mut defaults = None;
    for (question, reply) in &replies {
        match (question, reply) {
            (Question::View { name, .. }, Ok(Answer::View(Some(view)))) => views.push((view, depths[name])),
            (Question::DefaultPrivileges, Ok(Answer::DefaultPrivileges(d))) => defaults = Some(d),
            (question, reply) => return Err(format!("reading {question:?} failed: {reply:?}")),
        }
    }
    let defaults = defaults.ok_or("the default privileges were not read")?;
    let dropped = drop_table::dropped_views(&views, defaults)?;
    let mut oids = Vec::new();
    for name in depths.keys() {
        let oid: Option<u32> = c
            .query_one("SELECT pg_catalog.to_regclass($1)::oid", &[&name.to_string()])
            .await
            .map_err(db_failure("finding a view"))?
            .get(0);
        oids.extend(oid);
    }
    Ok((dropped, oids))
}
