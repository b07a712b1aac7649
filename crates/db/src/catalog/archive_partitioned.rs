//! A partitioned table's column before `DROP COLUMN` / `ALTER COLUMN ... TYPE`: the restore works through the
//! parent (PostgreSQL recurses into every partition), so each partition's column must be what that recursion
//! gives back: the parent's type, default, NOT NULL, statistics, storage, compression and options, no comment
//! or grants of its own, not local, and nothing of its own depending on it but CHECK constraints inherited from
//! the parent (for a type change, which PostgreSQL rebuilds them for, anything that depends on it). Anything
//! else refuses, naming the partition.
use pg_rollback_core::archive::{ColumnToKeep, PartitionIndex};
use tokio_postgres::GenericClient;

use crate::error::statement_cause;

type Failure = String;

pub(crate) async fn check_partitions<C: GenericClient + Sync>(
    c: &C,
    parent: u32,
    column: &mut ColumnToKeep,
    drops: bool,
) -> Result<(), Failure> {
    let failed = |e: tokio_postgres::Error| format!("reading the partitions failed: {}", statement_cause(&e));
    let name = format!("{}.{}", column.table, pg_rollback_core::quote_ident(&column.column));
    if column.identity.is_some() || column.generated.is_some() {
        return Err(format!("{name} is an identity or generated column of a partitioned table: not archived yet"));
    }
    if drops {
        column.partition_indexes = partition_indexes(c, parent, column, &name).await?;
    }
    let rows = c
        .query(
            "SELECT p.relid::pg_catalog.regclass::text, k.relkind::text, a.attnum IS NOT NULL,
                    a.atttypid = pa.atttypid AND a.atttypmod = pa.atttypmod AND a.attcollation = pa.attcollation
                    AND a.attnotnull = pa.attnotnull AND a.attstattarget IS NOT DISTINCT FROM pa.attstattarget
                    AND a.attstorage = pa.attstorage AND a.attcompression = pa.attcompression
                    AND a.attoptions IS NOT DISTINCT FROM pa.attoptions AND a.attacl IS NULL
                    AND pg_catalog.col_description(a.attrelid, a.attnum) IS NULL AND NOT a.attislocal
                    AND a.attidentity = pa.attidentity AND a.attgenerated = pa.attgenerated
                    AND pg_catalog.pg_get_expr(d.adbin, d.adrelid) IS NOT DISTINCT FROM
                        pg_catalog.pg_get_expr(pd.adbin, pd.adrelid),
                    (SELECT pg_catalog.pg_describe_object(x.classid, x.objid, x.objsubid) FROM pg_catalog.pg_depend x
                      WHERE x.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND x.refobjid = p.relid
                        AND x.refobjsubid = a.attnum AND x.deptype IN ('n', 'a')
                        AND NOT (x.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND x.objid = d.oid)
                        AND NOT (x.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND x.objid IN
                                 (SELECT o.oid FROM pg_catalog.pg_constraint o WHERE o.conrelid = p.relid
                                     AND ((o.contype = 'c' AND NOT o.conislocal) OR o.conparentid <> 0)))
                        AND NOT (x.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND EXISTS
                                 (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = x.objid))
                        AND NOT $3
                      ORDER BY 1 LIMIT 1)
               FROM pg_catalog.pg_partition_tree($1::pg_catalog.oid::pg_catalog.regclass) p
               JOIN pg_catalog.pg_class k ON k.oid = p.relid
               JOIN pg_catalog.pg_attribute pa ON pa.attrelid = $1 AND pa.attname = $2 AND NOT pa.attisdropped
               LEFT JOIN pg_catalog.pg_attrdef pd ON pd.adrelid = pa.attrelid AND pd.adnum = pa.attnum
               LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = p.relid AND a.attname = $2 AND NOT a.attisdropped
               LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
              WHERE p.relid <> $1
              ORDER BY p.level, 1",
            &[&parent, &column.column, &!drops],
        )
        .await
        .map_err(failed)?;
    for row in rows {
        let partition: String = row.get(0);
        let kind: String = row.get(1);
        if kind != "r" && kind != "p" {
            return Err(format!("partition {partition} of {} is not a table (relkind {kind})", column.table));
        }
        if !row.get::<_, bool>(2) || !row.get::<_, bool>(3) {
            return Err(format!(
                "the column {} of partition {partition} differs from the parent's (default, NOT NULL, statistics, \
                 storage, options, comment, grants or attached as a table of its own): the restore through the \
                 parent would not give it back exactly",
                pg_rollback_core::quote_ident(&column.column)
            ));
        }
        if let Some(what) = row.get::<_, Option<String>>(4) {
            return Err(format!(
                "{what} depends on {} of partition {partition}: not archived",
                pg_rollback_core::quote_ident(&column.column)
            ));
        }
    }
    Ok(())
}

/// The partitions' indexes attached to the parent's indexes on the column: the restore renames them back. Each
/// must be what creating the parent's index makes (no comment, the parent index's tablespace, no statistics).
async fn partition_indexes<C: GenericClient + Sync>(
    c: &C,
    parent: u32,
    column: &ColumnToKeep,
    name: &str,
) -> Result<Vec<PartitionIndex>, Failure> {
    let rows = c
        .query(
            "SELECT pg_catalog.format('%I.%I', pn.nspname, pc.relname), i.indrelid::pg_catalog.regclass::text,
                    ic.relname::text,
                    pg_catalog.obj_description(ic.oid, 'pg_class') IS NULL AND ic.reltablespace = pc.reltablespace
                    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute ia WHERE ia.attrelid = ic.oid
                                       AND ia.attstattarget >= 0)
               FROM pg_catalog.pg_index pi
               JOIN pg_catalog.pg_class pc ON pc.oid = pi.indexrelid
               JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
               CROSS JOIN LATERAL pg_catalog.pg_partition_tree(pi.indexrelid::pg_catalog.regclass) t
               JOIN pg_catalog.pg_index i ON i.indexrelid = t.relid
               JOIN pg_catalog.pg_class ic ON ic.oid = t.relid
              WHERE pi.indrelid = $1 AND t.relid <> pi.indexrelid
                AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                             WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = pi.indexrelid
                               AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                               AND d.refobjid = $1 AND d.refobjsubid = (SELECT a.attnum FROM pg_catalog.pg_attribute a
                                   WHERE a.attrelid = $1 AND a.attname = $2)::int)
              ORDER BY 1, 2",
            &[&parent, &column.column],
        )
        .await
        .map_err(|e| format!("reading the partitions' indexes failed: {}", statement_cause(&e)))?;
    let mut out = Vec::new();
    for row in rows {
        if !row.get::<_, bool>(3) {
            return Err(format!(
                "the index {} of partition {} that goes with {name} has a comment, a tablespace or statistics of its \
                 own: not archived",
                pg_rollback_core::quote_ident(row.get::<_, &str>(2)),
                row.get::<_, String>(1)
            ));
        }
        out.push(PartitionIndex { parent: row.get(0), table: row.get(1), name: row.get(2) });
    }
    Ok(out)
}
