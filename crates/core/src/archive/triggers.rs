//! A restore's own writes must not fire the table's user triggers: an `updated_at` or search-vector trigger
//! would change the very rows the restore puts back, and an audit trigger would record writes that only
//! undo the migration. The restore disables them around its statement and puts back each one's exact state
//! (`O`, `R`, `A`), read when the restore runs, not when the archive was made.
use crate::render::quote::literal;

/// `dml` (one statement, no trailing `;`) run with every enabled user trigger of `table` (qualified and
/// quoted) disabled, and of its partitions when `partitioned`; each trigger gets its state back afterwards.
/// `ALTER TABLE ONLY` per relation: a partition's copy of a parent trigger keeps its own state. On PostgreSQL 14
/// such a copy is `tgisinternal` (with a `tgparentid`; foreign-key triggers have a `tgconstraint`): it fires
/// like the parent's, so it is disabled too.
pub fn without_user_triggers(table: &str, partitioned: bool, dml: &str) -> String {
    let table = literal(table);
    let relations = match partitioned {
        true => format!("SELECT relid FROM pg_catalog.pg_partition_tree({table}::pg_catalog.regclass)"),
        false => format!("SELECT {table}::pg_catalog.regclass"),
    };
    format!(
        "DO $pg_rollback$ DECLARE r record; rels pg_catalog.regclass[] := '{{}}'; names text[] := '{{}}'; \
         states text[] := '{{}}'; BEGIN \
         FOR r IN SELECT g.tgrelid::pg_catalog.regclass AS rel, g.tgname::text AS name, g.tgenabled::text AS state \
         FROM pg_catalog.pg_trigger g WHERE g.tgrelid IN ({relations}) AND (NOT g.tgisinternal OR (g.tgparentid <> 0 \
         AND g.tgconstraint = 0)) AND g.tgenabled <> 'D' \
         ORDER BY g.tgrelid, g.tgname LOOP \
         EXECUTE pg_catalog.format('ALTER TABLE ONLY %s DISABLE TRIGGER %I', r.rel, r.name); \
         rels := rels || r.rel; names := names || r.name; states := states || r.state; \
         END LOOP; \
         EXECUTE {}; \
         FOR i IN 1 .. coalesce(pg_catalog.array_length(names, 1), 0) LOOP \
         EXECUTE pg_catalog.format('ALTER TABLE ONLY %s ENABLE %s TRIGGER %I', rels[i], \
         CASE states[i] WHEN 'R' THEN 'REPLICA' WHEN 'A' THEN 'ALWAYS' ELSE '' END, names[i]); \
         END LOOP; END $pg_rollback$",
        literal(dml)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ParsedMigration;

    #[test]
    fn without_user_triggers_parses_and_quotes_the_statement_as_data() {
        let sql = without_user_triggers(
            "s.\"it's\"",
            false,
            "UPDATE s.\"it's\" AS t SET c = a.value FROM pgrollback_archive.\"1/1\" AS a WHERE t.id = a.k_1",
        );
        assert!(sql.contains("EXECUTE 'UPDATE s.\"it''s\" AS t SET c = a.value"), "{sql}");
        assert!(sql.contains("SELECT 's.\"it''s\"'::pg_catalog.regclass"), "{sql}");
        let parsed = ParsedMigration::parse(&format!("{sql};")).unwrap();
        assert_eq!(parsed.statements.len(), 1);
        let partitioned = without_user_triggers("public.p", true, "DELETE FROM public.p");
        assert!(partitioned.contains("pg_partition_tree('public.p'::pg_catalog.regclass)"), "{partitioned}");
    }
}
