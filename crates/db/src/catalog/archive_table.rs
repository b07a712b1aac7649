//! What the archive reads about a table before a `DROP TABLE` moves it (the catalog half of
//! `crate::archive::drop_table`): the table as the statement finds it, what ties it to the rest of the
//! database (kept for the restore, removed before the move), and what it cannot keep (refused with the
//! reason). Run with an empty `search_path` except [`find_table`].
use pg_rollback_core::archive::drop_table::{
    ColumnDefault, ForeignKey, PublicationMember, RebuiltIndex, RetypedColumn, Statistics, TableToKeep, Trigger,
};
use pg_rollback_core::ObjectName;
use tokio_postgres::types::ToSql;
use tokio_postgres::{GenericClient, Row};

use crate::error::statement_cause;

type Failure = String;

fn db_failure(what: &str) -> impl Fn(tokio_postgres::Error) -> Failure + '_ {
    move |e| format!("{what} failed: {}", statement_cause(&e))
}

/// Every row of `sql`, each read by `read`; a failure says it was `reading {what}`.
async fn read_all<C: GenericClient + Sync, T>(
    c: &C,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
    what: &str,
    read: impl Fn(&Row) -> T,
) -> Result<Vec<T>, Failure> {
    let rows = c.query(sql, params).await.map_err(|e| format!("reading {what} failed: {}", statement_cause(&e)))?;
    Ok(rows.iter().map(read).collect())
}

/// A table a `DROP TABLE` names, as the migration's `search_path` finds it.
pub(crate) struct FoundTable {
    pub oid: u32,
    pub table: ObjectName,
    /// `relkind`.
    pub kind: String,
    pub temporary: bool,
    /// Has inheritance children, or is a partition.
    pub inherits: bool,
    /// `pg_total_relation_size`: what moving it keeps.
    pub bytes: i64,
}

pub(crate) async fn find_table<C: GenericClient + Sync>(
    c: &C,
    relation: &ObjectName,
) -> Result<Option<FoundTable>, Failure> {
    let row = c
        .query_opt(
            "SELECT c.oid, n.nspname::text, c.relname::text, c.relkind::text, c.relpersistence = 't',
                    c.relhassubclass OR c.relispartition, pg_catalog.pg_total_relation_size(c.oid)
               FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE c.oid = pg_catalog.to_regclass($1)",
            &[&relation.to_string()],
        )
        .await
        .map_err(db_failure("finding the table"))?;
    Ok(row.map(|r| FoundTable {
        oid: r.get(0),
        table: ObjectName::qualified(r.get::<_, String>(1).as_str(), r.get::<_, String>(2).as_str()),
        kind: r.get(3),
        temporary: r.get(4),
        inherits: r.get(5),
        bytes: r.get(6),
    }))
}

/// Every catalog object that goes with the kept tables (`$1`): the tables, their indexes, owned sequences,
/// row and array types, constraints, defaults, triggers, policies, rules, statistics objects and publication
/// memberships. What depends on them, or what they depend on, outside this set is what a move would leave
/// tied to the rest of the database.
const PARTS: &str = "WITH kept AS (SELECT pg_catalog.unnest($1::oid[]) AS oid),
parts (classid, objid) AS (
    SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, k.oid FROM kept k
    UNION ALL SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, i.indexrelid
        FROM pg_catalog.pg_index i JOIN kept k ON i.indrelid = k.oid
    UNION ALL SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, d.objid
        FROM pg_catalog.pg_depend d JOIN kept k ON d.refobjid = k.oid
        JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
       WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
         AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i')
    UNION ALL SELECT 'pg_catalog.pg_type'::pg_catalog.regclass, c.reltype
        FROM pg_catalog.pg_class c JOIN kept k ON c.oid = k.oid
    UNION ALL SELECT 'pg_catalog.pg_type'::pg_catalog.regclass, t.typarray
        FROM pg_catalog.pg_type t JOIN kept k ON t.typrelid = k.oid WHERE t.typarray <> 0
    UNION ALL SELECT 'pg_catalog.pg_constraint'::pg_catalog.regclass, co.oid
        FROM pg_catalog.pg_constraint co JOIN kept k ON co.conrelid = k.oid
    UNION ALL SELECT 'pg_catalog.pg_attrdef'::pg_catalog.regclass, ad.oid
        FROM pg_catalog.pg_attrdef ad JOIN kept k ON ad.adrelid = k.oid
    UNION ALL SELECT 'pg_catalog.pg_trigger'::pg_catalog.regclass, tg.oid
        FROM pg_catalog.pg_trigger tg JOIN kept k ON tg.tgrelid = k.oid
    UNION ALL SELECT 'pg_catalog.pg_policy'::pg_catalog.regclass, p.oid
        FROM pg_catalog.pg_policy p JOIN kept k ON p.polrelid = k.oid
    UNION ALL SELECT 'pg_catalog.pg_rewrite'::pg_catalog.regclass, r.oid
        FROM pg_catalog.pg_rewrite r JOIN kept k ON r.ev_class = k.oid
    UNION ALL SELECT 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass, x.oid
        FROM pg_catalog.pg_statistic_ext x JOIN kept k ON x.stxrelid = k.oid
    UNION ALL SELECT 'pg_catalog.pg_publication_rel'::pg_catalog.regclass, pr.oid
        FROM pg_catalog.pg_publication_rel pr JOIN kept k ON pr.prrelid = k.oid
)";

/// Whether `(classid, objid)` (SQL expressions) is one of the parts.
fn is_part(classid: &str, objid: &str) -> String {
    format!("EXISTS (SELECT 1 FROM parts q WHERE q.classid = {classid} AND q.objid = {objid})")
}

/// A reference to an object outside the parts that a user can drop (system objects are pinned or created by
/// initdb below `FirstNormalObjectId`; schemas are left by the move itself).
fn outside_reference() -> String {
    format!(
        "d.refobjid >= 16384 AND d.refclassid <> 'pg_catalog.pg_namespace'::pg_catalog.regclass AND NOT {}",
        is_part("d.refclassid", "d.refobjid")
    )
}

/// Indexes of the kept tables that use an object outside them (an extension's operator class, a function, a
/// collation) and that their definition builds again exactly: not a constraint's, valid, neither the
/// clustered nor the replica identity one, in the default tablespace. Dropped before the move, built again
/// by the restore.
pub(crate) async fn rebuilt_indexes<C: GenericClient + Sync>(c: &C, kept: &[u32]) -> Result<Vec<u32>, Failure> {
    let sql = format!(
        "{PARTS}
        SELECT i.indexrelid FROM pg_catalog.pg_index i JOIN kept k ON i.indrelid = k.oid
          JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indisvalid AND NOT i.indisclustered AND NOT i.indisreplident AND ic.reltablespace = 0
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint co
                            WHERE co.conrelid = i.indrelid AND co.conindid = i.indexrelid AND co.contype IN ('p', 'u', 'x'))
           AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                        WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = i.indexrelid AND {})
         ORDER BY 1",
        outside_reference()
    );
    read_all(c, &sql, &[&kept], "indexes to build again", |r| r.get(0)).await
}

/// What ties the kept tables to the rest of the database and is not removed and kept for the restore: each
/// as `what -> what it uses`, or `what depends on it` (refused by the caller). Foreign keys of other tables
/// are the caller's (`referencing`).
/// `views`: views a `CASCADE` drops and the restore creates again (their rules are no tie); `rebuilt`:
/// [`rebuilt_indexes`] (what they use is no tie).
pub(crate) async fn unkept_ties<C: GenericClient + Sync>(
    c: &C,
    kept: &[u32],
    views: &[u32],
    rebuilt: &[u32],
) -> Result<Vec<String>, Failure> {
    // What the parts use: triggers, publication memberships, foreign keys and (non-generated) defaults are
    // removed and kept, columns of user types retyped to text; anything else (a user collation, a function
    // of a CHECK or an index, a policy's table, an extension's operator class, extension membership) stays
    // tied.
    let uses = format!(
        "{PARTS}
        SELECT DISTINCT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) || ' uses '
               || pg_catalog.pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid)
          FROM parts p JOIN pg_catalog.pg_depend d ON d.classid = p.classid AND d.objid = p.objid
         WHERE {}
           AND p.classid NOT IN ('pg_catalog.pg_trigger'::pg_catalog.regclass,
                                 'pg_catalog.pg_publication_rel'::pg_catalog.regclass)
           AND NOT (p.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND p.objid = ANY($2::oid[]))
           AND NOT (p.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid > 0
                    AND d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass)
           AND NOT (p.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass
                    AND EXISTS (SELECT 1 FROM pg_catalog.pg_constraint co WHERE co.oid = p.objid AND co.contype = 'f'))
           AND NOT (p.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass
                    AND EXISTS (SELECT 1 FROM pg_catalog.pg_attrdef ad JOIN pg_catalog.pg_attribute a
                                    ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
                                 WHERE ad.oid = p.objid AND a.attgenerated = ''))
         ORDER BY 1",
        outside_reference()
    );
    let mut ties = read_all(c, &uses, &[&kept, &rebuilt], "what the table uses", |r| r.get::<_, String>(0)).await?;
    // What depends on the parts from outside (foreign keys of other tables excepted).
    let dependents = format!(
        "{PARTS}
        SELECT DISTINCT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) || ' depends on '
               || pg_catalog.pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid)
          FROM parts p JOIN pg_catalog.pg_depend d ON d.refclassid = p.classid AND d.refobjid = p.objid
         WHERE d.deptype IN ('n', 'a') AND NOT {}
           AND NOT (d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass
                    AND EXISTS (SELECT 1 FROM pg_catalog.pg_constraint co WHERE co.oid = d.objid AND co.contype = 'f'))
           AND NOT (d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
                    AND EXISTS (SELECT 1 FROM pg_catalog.pg_rewrite r WHERE r.oid = d.objid AND r.ev_class = ANY($2::oid[])))
         ORDER BY 1",
        is_part("d.classid", "d.objid")
    );
    ties.extend(read_all(c, &dependents, &[&kept, &views], "what depends on the table", |r| r.get(0)).await?);
    // A sequence the table owns moves with it, into the table's schema when it comes back.
    let sequences = read_all(
        c,
        "SELECT pg_catalog.pg_describe_object(d.classid, d.objid, 0) || ' is owned by the table but lives in another schema'
               FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
               JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
              WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = ANY($1::oid[])
                AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i')
                AND s.relnamespace <> t.relnamespace",
        &[&kept],
        "owned sequences",
        |r| r.get(0),
    )
    .await?;
    ties.extend(sequences);
    Ok(ties)
}

/// Of what a `CASCADE` would also drop (`objects`: class, object id, sub-id), what is neither part of the kept
/// tables nor another table's foreign key (views are the caller's), described.
pub(crate) async fn cascade_ties<C: GenericClient + Sync>(
    c: &C,
    kept: &[u32],
    objects: &[(u32, u32, i32)],
) -> Result<Vec<String>, Failure> {
    let classes: Vec<u32> = objects.iter().map(|o| o.0).collect();
    let oids: Vec<u32> = objects.iter().map(|o| o.1).collect();
    let subs: Vec<i32> = objects.iter().map(|o| o.2).collect();
    let sql = format!(
        "{PARTS}
        SELECT DISTINCT pg_catalog.pg_describe_object(o.classid, o.objid, o.objsubid) || ' depends on it'
          FROM unnest($2::oid[], $3::oid[], $4::int[]) o(classid, objid, objsubid)
         WHERE NOT {}
           AND NOT (o.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass
                    AND EXISTS (SELECT 1 FROM pg_catalog.pg_constraint co WHERE co.oid = o.objid AND co.contype = 'f'))
         ORDER BY 1",
        is_part("o.classid", "o.objid")
    );
    read_all(c, &sql, &[&kept, &classes, &oids, &subs], "what CASCADE drops", |r| r.get(0)).await
}

fn qualified(schema: String, name: String) -> ObjectName {
    ObjectName::qualified(&schema, &name)
}

/// Table `oid` with what is removed before it moves (into `archive_schema`) and put back by the restore.
/// `kept`: every table the statement moves (keys between them stay); `rebuilt`: [`rebuilt_indexes`].
pub(crate) async fn read_table<C: GenericClient + Sync>(
    c: &C,
    oid: u32,
    table: &ObjectName,
    archive_schema: &str,
    kept: &[u32],
    rebuilt: &[u32],
) -> Result<TableToKeep, Failure> {
    let mut t = TableToKeep::new(table.clone(), archive_schema);
    let keys = c
        .query(
            "SELECT co.conrelid = $1, n.nspname::text, c.relname::text, co.conname::text,
                    pg_catalog.pg_get_constraintdef(co.oid), pg_catalog.obj_description(co.oid, 'pg_constraint'),
                    co.convalidated,
                    ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(co.conkey) WITH ORDINALITY k(n, i)
                            JOIN pg_catalog.pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.n ORDER BY k.i),
                    rn.nspname::text, rc.relname::text,
                    ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(co.confkey) WITH ORDINALITY k(n, i)
                            JOIN pg_catalog.pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.n ORDER BY k.i)
               FROM pg_catalog.pg_constraint co
               JOIN pg_catalog.pg_class c ON c.oid = co.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
               JOIN pg_catalog.pg_class rc ON rc.oid = co.confrelid
               JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
              WHERE co.contype = 'f' AND co.conparentid = 0
                AND ((co.conrelid = $1 AND NOT co.confrelid = ANY($2::oid[]))
                     OR (co.confrelid = $1 AND NOT co.conrelid = ANY($2::oid[])))
              ORDER BY co.conrelid = $1 DESC, n.nspname, c.relname, co.conname",
            &[&oid, &kept],
        )
        .await
        .map_err(db_failure("reading foreign keys"))?;
    for r in keys {
        let key = ForeignKey {
            table: qualified(r.get(1), r.get(2)),
            name: r.get(3),
            definition: r.get(4),
            comment: r.get(5),
            validated: r.get(6),
            columns: r.get(7),
            referenced: qualified(r.get(8), r.get(9)),
            referenced_columns: r.get(10),
        };
        match r.get::<_, bool>(0) {
            true => t.foreign_keys.push(key),
            false => t.referencing.push(key),
        }
    }
    t.triggers = read_all(
        c,
        "SELECT tgname::text, pg_catalog.pg_get_triggerdef(oid), tgenabled::text,
                pg_catalog.obj_description(oid, 'pg_trigger')
           FROM pg_catalog.pg_trigger WHERE tgrelid = $1 AND NOT tgisinternal ORDER BY tgname",
        &[&oid],
        "triggers",
        |r| Trigger { name: r.get(0), definition: r.get(1), enabled: r.get(2), comment: r.get(3) },
    )
    .await?;
    let defaults = format!(
        "{PARTS}
        SELECT a.attname::text, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid)
          FROM pg_catalog.pg_attrdef ad
          JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
         WHERE ad.adrelid = $2 AND a.attgenerated = ''
           AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                        WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND d.objid = ad.oid AND {})
         ORDER BY a.attnum",
        outside_reference()
    );
    t.defaults = read_all(c, &defaults, &[&kept, &oid], "defaults", |r| ColumnDefault {
        column: r.get(0),
        expression: r.get(1),
    })
    .await?;
    t.statistics = read_all(
        c,
        "SELECT n.nspname::text, x.stxname::text, pg_catalog.pg_get_statisticsobjdef(x.oid),
                nullif(x.stxstattarget::int, -1), pg_catalog.pg_get_userbyid(x.stxowner)::text,
                pg_catalog.obj_description(x.oid, 'pg_statistic_ext')
           FROM pg_catalog.pg_statistic_ext x JOIN pg_catalog.pg_namespace n ON n.oid = x.stxnamespace
          WHERE x.stxrelid = $1 ORDER BY 1, 2",
        &[&oid],
        "statistics objects",
        |r| Statistics {
            name: qualified(r.get(0), r.get(1)),
            definition: r.get(2),
            target: r.get(3),
            owner: r.get(4),
            comment: r.get(5),
        },
    )
    .await?;
    t.indexes = read_all(
        c,
        "SELECT ic.relname::text, pg_catalog.pg_get_indexdef(ic.oid), pg_catalog.obj_description(ic.oid, 'pg_class')
           FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
          WHERE i.indrelid = $1 AND i.indexrelid = ANY($2::oid[]) ORDER BY 1",
        &[&oid, &rebuilt],
        "indexes to build again",
        |r| RebuiltIndex { name: r.get(0), definition: r.get(1), comment: r.get(2) },
    )
    .await?;
    // User types: enums, domains, composites, extensions' types, arrays of them (`FirstNormalObjectId`).
    t.retyped = read_all(
        c,
        "SELECT a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod),
                CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::pg_catalog.regcollation::text END
           FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
          WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.atttypid >= 16384
          ORDER BY a.attnum",
        &[&oid],
        "columns of user types",
        |r| RetypedColumn { column: r.get(0), type_sql: r.get(1), collation: r.get(2) },
    )
    .await?;
    let version: i32 = c
        .query_one("SELECT pg_catalog.current_setting('server_version_num')::int", &[])
        .await
        .map_err(db_failure("reading the server version"))?
        .get(0);
    // Column lists and row filters of publications exist from PostgreSQL 15.
    let details = if version >= 150000 {
        "CASE WHEN pr.prattrs IS NOT NULL THEN ARRAY(
             SELECT a.attname::text FROM pg_catalog.unnest(pr.prattrs::int2[]) WITH ORDINALITY k(n, i)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = pr.prrelid AND a.attnum = k.n ORDER BY k.i) END,
         pg_catalog.pg_get_expr(pr.prqual, pr.prrelid)"
    } else {
        "NULL::text[], NULL::text"
    };
    let publications = format!(
        "SELECT p.pubname::text, {details}
           FROM pg_catalog.pg_publication_rel pr JOIN pg_catalog.pg_publication p ON p.oid = pr.prpubid
          WHERE pr.prrelid = $1 ORDER BY p.pubname"
    );
    t.publications = read_all(c, &publications, &[&oid], "publication memberships", |r| PublicationMember {
        publication: r.get(0),
        columns: r.get(1),
        filter: r.get(2),
    })
    .await?;
    Ok(t)
}

/// The rows a moved table holds: the planner's estimate when the table was analyzed (counting would read
/// it all), else a count.
pub(crate) async fn rows<C: GenericClient + Sync>(c: &C, oid: u32, table: &ObjectName) -> Result<i64, Failure> {
    let estimate: f32 = c
        .query_one("SELECT reltuples FROM pg_catalog.pg_class WHERE oid = $1", &[&oid])
        .await
        .map_err(db_failure("reading the table's size"))?
        .get(0);
    if estimate >= 0.0 {
        return Ok(estimate.round() as i64);
    }
    let count = format!("SELECT count(*) FROM ONLY {table}");
    Ok(c.query_one(count.as_str(), &[]).await.map_err(db_failure("counting the table's rows"))?.get(0))
}
