//! One `ALTER TABLE` with several `DROP COLUMN` / `ALTER COLUMN TYPE` subcommands: each column is kept like a
//! statement of its own (archive table `"<version>/<statement>.<part>"`), and the statement's restore is theirs,
//! last subcommand first, after the inverse of its other subcommands (see `pg_rollback_core::archive`). Refused when the columns' restores would depend on each other: an index or
//! constraint over several of them, or one of them in the key another is matched by.
use pg_rollback_core::archive::{KeptStatement, OthersToCapture, Target};
use pg_rollback_core::{ParsedMigration, Planner};
use tokio_postgres::GenericClient;

use super::{db_failure, Archiver, Failure};
use crate::error::statement_cause;
use crate::session::Ctx;

impl Archiver {
    /// The inverse of the other subcommands of an `ALTER TABLE`, when it needs the state before (`DROP NOT
    /// NULL`, `ADD PRIMARY KEY`): they run with capture, after the statement's drops, under a savepoint that is
    /// rolled back, so the inverse comes from the same planner as every rollback. Costs running them twice.
    pub(super) async fn captured_inverse<C: GenericClient + Sync>(
        c: &C,
        ctx: &Ctx,
        capture: &OthersToCapture,
    ) -> Result<String, Failure> {
        let sql = capture.others.as_str();
        let migration =
            ParsedMigration::parse(sql).map_err(|e| format!("its other subcommands do not parse alone: {e}"))?;
        let mut planner = Planner::new(migration, true);
        c.batch_execute("SAVEPOINT pg_rollback_others").await.map_err(db_failure("a savepoint"))?;
        let ran = async {
            if let Some(drops) = &capture.drops_first {
                c.batch_execute(drops).await.map_err(|error| crate::run::StatementFailed { index: 0, error })?;
            }
            crate::run::run_captured_as(c, ctx, &mut planner, 0, Some(sql.to_owned())).await
        }
        .await;
        c.batch_execute("ROLLBACK TO SAVEPOINT pg_rollback_others; RELEASE SAVEPOINT pg_rollback_others")
            .await
            .map_err(db_failure("rolling the other subcommands back"))?;
        if let Err(failed) = ran {
            return Err(format!("its other subcommands ({sql}) fail alone: {}", statement_cause(&failed.error)));
        }
        let plan = planner.finish();
        match (plan.rollback_safe && plan.transactional, plan.rollback_script) {
            (true, script) => Ok(script.unwrap_or_default()),
            (false, _) => Err(format!(
                "the other subcommands of the ALTER TABLE ({sql}) have no SAFE inverse{}",
                plan.warnings.first().map(|w| format!(": {}", w.message)).unwrap_or_default()
            )),
        }
    }

    pub(super) async fn keep_columns<C: GenericClient + Sync>(
        &mut self,
        c: &C,
        migration: &ParsedMigration,
        index: usize,
        parts: &[Target],
        others_undone: Option<&str>,
    ) -> Result<(), Failure> {
        let (kept, objects, rows, bytes, estimated) =
            (self.kept.len(), self.record.objects.len(), self.record.rows, self.record.bytes, self.estimated);
        self.columns_read.clear();
        let mut result = Ok(());
        for (part, target) in parts.iter().enumerate() {
            self.part = Some(part);
            result = Box::pin(self.keep(c, migration, index, target)).await;
            if result.is_err() {
                break;
            }
        }
        self.part = None;
        if result.is_ok() {
            result = self.independent(parts);
        }
        let restores: Vec<KeptStatement> = self.kept.drain(kept..).collect();
        if let Err(why) = result {
            // The caller rolls the tables back to its savepoint; forget them here too.
            self.record.objects.truncate(objects);
            (self.record.rows, self.record.bytes, self.estimated) = (rows, bytes, estimated);
            return Err(why);
        }
        // A column not found (`DROP COLUMN IF EXISTS`, or the statement will fail) has nothing to restore.
        if !restores.is_empty() {
            // The other subcommands ran after the drops and type changes (PostgreSQL's passes): undone first.
            let restore = others_undone.into_iter().chain(restores.iter().rev().map(|k| k.restore.as_str())).collect();
            self.kept.push(KeptStatement { index, restore });
        }
        Ok(())
    }

    fn independent(&self, parts: &[Target]) -> Result<(), Failure> {
        let columns = &self.columns_read;
        for (i, column) in columns.iter().enumerate() {
            if let Some(k) = column.key.iter().find(|k| parts.iter().any(|p| p.column() == k.name)) {
                return Err(format!(
                    "the key {} that rows are matched by is changed by the same statement",
                    pg_rollback_core::quote_ident(&k.name)
                ));
            }
            let names = |c: &pg_rollback_core::archive::ColumnToKeep| -> Vec<String> {
                c.constraints.iter().chain(&c.indexes).map(|d| d.name.clone()).collect()
            };
            for other in &columns[..i] {
                if let Some(shared) = names(column).into_iter().find(|n| names(other).contains(n)) {
                    return Err(format!(
                        "{shared} goes with several columns dropped by the same statement: write them as separate \
                         statements"
                    ));
                }
            }
        }
        Ok(())
    }
}
