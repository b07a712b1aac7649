//! One `ALTER TABLE` with several `DROP COLUMN` / `ALTER COLUMN TYPE` subcommands: each column is kept like a
//! statement of its own (archive table `"<version>/<statement>.<part>"`), and the statement's restore is theirs,
//! last subcommand first, after the inverse of its other subcommands (see `pg_rollback_core::archive`). Refused when the columns' restores would depend on each other: an index or
//! constraint over several of them, or one of them in the key another is matched by.
use pg_rollback_core::archive::{KeptStatement, Target};
use pg_rollback_core::ParsedMigration;
use tokio_postgres::GenericClient;

use super::{Archiver, Failure};

impl Archiver {
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
