//! `ADD VALUE`: nothing is copied; the enum and its users are read right before the statement and the core
//! builds the restore that removes the value (`pg_rollback_core::archive::enum_restore_sql`).
use pg_rollback_core::archive::{self as core, KeptStatement, Target};
use tokio_postgres::GenericClient;

use super::{db_failure, Archiver, Failure, QualifiedReads};
use crate::catalog::archive_enum::read_enum;

impl Archiver {
    pub(super) async fn keep_enum<C: GenericClient + Sync>(
        &mut self,
        c: &C,
        index: usize,
        target: &Target,
    ) -> Result<(), Failure> {
        let Target::EnumValue { type_name, label, .. } = target else {
            return Err("not an enum value".into());
        };
        // The type as the migration's search_path finds it; then every name is read qualified.
        let found = c
            .query_one("SELECT pg_catalog.to_regtype($1)::pg_catalog.oid", &[&type_name.to_string()])
            .await
            .map_err(db_failure("finding the type"))?;
        // The statement will fail: nothing to restore.
        let Some(oid) = found.get::<_, Option<u32>>(0) else { return Ok(()) };
        let qualified = QualifiedReads::begin(c).await?;
        let facts = read_enum(c, oid, label).await?;
        qualified.end(c).await?;
        let Some(facts) = facts else { return Ok(()) };
        if facts.labels.contains(label) {
            // With IF NOT EXISTS nothing changes (the plan says so); without it the statement fails.
            return Ok(());
        }
        let restore = core::enum_restore_sql(&facts).map_err(|e| format!("cannot restore: {e}"))?;
        self.kept.push(KeptStatement { index, restore: core::script(&restore) });
        Ok(())
    }
}
