//! A partitioned table's indexes on a dropped column: the restore creates them again on the parent, which
//! creates its partitions' indexes with names PostgreSQL chooses; they are renamed back to the names they had.
use crate::render::quote::literal;

/// An index of a partition attached (at any depth) to an index of the parent that goes with the column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionIndex {
    /// The parent's index, qualified and quoted (`s.i`).
    pub parent: String,
    /// The partition, qualified and quoted.
    pub table: String,
    /// The index's name (unquoted; it lives in its partition's schema).
    pub name: String,
}

/// A `DO` block renaming the partitions' new indexes to their old names (through temporary names, as two of
/// them may have swapped names). `None` when there is none.
pub(super) fn renamed_back(indexes: &[PartitionIndex]) -> Option<String> {
    if indexes.is_empty() {
        return None;
    }
    let values: Vec<String> = indexes
        .iter()
        .enumerate()
        .map(|(n, i)| format!("({n}, {}, {}, {})", literal(&i.parent), literal(&i.table), literal(&i.name)))
        .collect();
    let block = format!(
        "DO $pg_rollback$ DECLARE oids oid[]; names text[]; k int; BEGIN SELECT pg_catalog.array_agg(t.relid ORDER BY \
         v.n), pg_catalog.array_agg(v.name ORDER BY v.n) INTO oids, names FROM (VALUES {}) AS v(n, parent, tab, name) \
         CROSS JOIN LATERAL pg_catalog.pg_partition_tree(v.parent::pg_catalog.regclass) t JOIN pg_catalog.pg_index i \
         ON i.indexrelid = t.relid WHERE i.indrelid = v.tab::pg_catalog.regclass; IF coalesce(pg_catalog.\
         array_length(oids, 1), 0) <> {} THEN RAISE EXCEPTION 'the partitions'' indexes are not the ones the restore \
         expects'; END IF; FOR k IN 1 .. pg_catalog.array_length(oids, 1) LOOP EXECUTE pg_catalog.format('ALTER INDEX \
         %s RENAME TO %I', oids[k]::pg_catalog.regclass, 'pgrollback_index_' || k); END LOOP; FOR k IN 1 .. \
         pg_catalog.array_length(oids, 1) LOOP EXECUTE pg_catalog.format('ALTER INDEX %s RENAME TO %I', \
         oids[k]::pg_catalog.regclass, names[k]); END LOOP; END $pg_rollback$",
        values.join(", "),
        indexes.len()
    );
    // A name holding the block's quote cannot be restored this way.
    (block.matches("$pg_rollback$").count() == 2).then_some(block)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_renames_parse_and_quote_and_refuse_the_blocks_quote() {
        let index = PartitionIndex { parent: "s.\"Parent i\"".into(), table: "s.\"p 1\"".into(), name: "it's".into() };
        let block = renamed_back(std::slice::from_ref(&index)).unwrap();
        assert!(block.contains("(0, 's.\"Parent i\"', 's.\"p 1\"', 'it''s')"), "{block}");
        crate::ParsedMigration::parse(&format!("{block};\n")).unwrap();
        assert_eq!(renamed_back(&[]), None);
        let odd = PartitionIndex { name: "x$pg_rollback$".into(), ..index };
        assert_eq!(renamed_back(&[odd]), None);
    }
}
