//! What the archive reads about a column before a statement destroys it (the catalog half of
//! `crate::archive`): the column as it is, what goes with it, and the key its rows are matched by.
use pg_rollback_core::archive::{ColumnToKeep, Dependent, KeyColumn, Target};
use pg_rollback_core::state::Privilege;
use pg_rollback_core::ObjectName;
use tokio_postgres::GenericClient;

use crate::catalog::archive_identity::{read_identity, read_owned_sequence};
use crate::error::statement_cause;

type Failure = String;

fn db_failure(what: &str) -> impl Fn(tokio_postgres::Error) -> Failure + '_ {
    move |e| format!("{what} failed: {}", statement_cause(&e))
}

pub(crate) async fn restore_columns<C: GenericClient + Sync>(c: &C) -> Result<bool, tokio_postgres::Error> {
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

/// `ARRAY(...)` of the entries of the `aclitem[]` expression `acl`, in order, one text each (grantee, grantor,
/// privilege, grantable): read back with [`privileges`].
pub(crate) fn acl_entries(acl: &str) -> String {
    format!(
        "ARRAY(SELECT pg_catalog.concat_ws(E'\\x1f', coalesce(g.rolname::text, ''), r.rolname::text, x.privilege_type,
                                          x.is_grantable::text)
                 FROM pg_catalog.aclexplode({acl}) WITH ORDINALITY x(grantor, grantee, privilege_type, is_grantable, n)
                 LEFT JOIN pg_catalog.pg_roles g ON g.oid = x.grantee
                 JOIN pg_catalog.pg_roles r ON r.oid = x.grantor
                ORDER BY x.n)"
    )
}

/// The privileges [`acl_entries`] reads.
pub(crate) fn privileges(entries: &[String]) -> Vec<Privilege> {
    entries
        .iter()
        .map(|entry| entry.split('\u{1f}').collect::<Vec<_>>())
        .filter(|p| p.len() == 4)
        .map(|p| Privilege {
            grantee: p[0].to_owned(),
            grantor: p[1].to_owned(),
            privilege: p[2].to_owned(),
            grantable: p[3] == "true",
        })
        .collect()
}

/// A type kept as is: one of `pg_catalog` or an array of one (anything else is kept as text, so the archive
/// never depends on the user's types).
const BUILTIN: &str = "(SELECT tn.nspname = 'pg_catalog' FROM pg_catalog.pg_type ty
     JOIN pg_catalog.pg_namespace tn ON tn.oid = ty.typnamespace
    WHERE ty.oid = CASE WHEN t.typelem <> 0 AND t.typcategory = 'A' THEN t.typelem ELSE t.oid END)";

pub(crate) async fn read_column<C: GenericClient + Sync>(
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
                {},
                a.attinhcount::int
           FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
           LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE a.attrelid = $1 AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped",
        acl_entries("a.attacl")
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
    column.acl = privileges(&acl);
    let inherited: i32 = row.get(14);
    if inherited > 0 {
        return Err(format!("{name} is inherited from a parent table: not archived yet"));
    }
    if let Target::DropColumn { .. } = target {
        if !identity.is_empty() {
            let always = identity == "a";
            column.identity = Some(read_identity(c, oid, attnum, &name, always).await?);
        }
        if !generated.is_empty() {
            // pg_attrdef holds the generation expression.
            column.generated = column.default.take();
        }
        read_dependents(c, oid, attnum, &name, &mut column).await?;
    } else if !identity.is_empty() || !generated.is_empty() {
        return Err(format!("{name} is an identity or generated column: changing its type is not archived yet"));
    } else {
        read_reparsed(c, oid, attnum, &name, &mut column).await?;
    }
    column.key = read_key(c, oid, attnum).await?;
    Ok(Some(column))
}

/// What `DROP COLUMN` drops with the column: its default, constraints and indexes of the table and the
/// sequence it owns are recreated by the restore; anything else (extended statistics, a generated column, ...)
/// refuses.
pub(crate) async fn read_dependents<C: GenericClient + Sync>(
    c: &C,
    oid: u32,
    attnum: i16,
    name: &str,
    column: &mut ColumnToKeep,
) -> Result<(), Failure> {
    let rows = c
        .query(
            "SELECT d.classid::pg_catalog.regclass::text, pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid),
                    d.deptype = 'a' AND EXISTS (SELECT 1 FROM pg_catalog.pg_class s WHERE s.oid = d.objid AND s.relkind = 'S'),
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
                let Some(constraint) = row.get::<_, Option<String>>(3) else {
                    return Err(format!("{} depends on {name}: not archived", row.get::<_, String>(1)));
                };
                if !seen.contains(&constraint) {
                    seen.push(constraint.clone());
                    column.constraints.push(Dependent {
                        name: constraint,
                        definition: row.get(4),
                        comment: row.get(5),
                    });
                }
            }
            // A serial column's sequence, dropped with it.
            "pg_class" if row.get::<_, bool>(2) => {
                column.owned_sequence = Some(read_owned_sequence(c, oid, attnum, name).await?);
            }
            "pg_class" => {
                let Some(index) = row.get::<_, Option<String>>(6) else {
                    return Err(format!("{} depends on {name}: not archived", row.get::<_, String>(1)));
                };
                // A constraint's index comes back with the constraint.
                if !row.get::<_, bool>(9) && !seen.contains(&index) {
                    seen.push(index.clone());
                    column.indexes.push(Dependent { name: index, definition: row.get(7), comment: row.get(8) });
                }
            }
            _ => return Err(format!("{} depends on {name}: not archived", row.get::<_, String>(1))),
        }
    }
    Ok(())
}

/// The primary key, else the smallest unique index on NOT NULL columns (no expression, no predicate), that
/// does not contain the column.
pub(crate) async fn read_key<C: GenericClient + Sync>(c: &C, oid: u32, attnum: i16) -> Result<Vec<KeyColumn>, Failure> {
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

/// A type change makes PostgreSQL re-parse the expressions that use the column (index expressions and
/// predicates, CHECK constraints): changing the type back would rebuild them from the re-parsed text, which can
/// differ from the original (`date(ts)` on a column retyped to `date` comes back as `(ts)`). They are read
/// here as they are, and the restore drops them before the type goes back and creates them again from these
/// definitions. An exclusion constraint, or an index the old definition cannot give back exactly (clustered,
/// replica identity, in another tablespace, invalid), refuses.
async fn read_reparsed<C: GenericClient + Sync>(
    c: &C,
    oid: u32,
    attnum: i16,
    name: &str,
    column: &mut ColumnToKeep,
) -> Result<(), Failure> {
    let indexes = c
        .query(
            "SELECT pg_catalog.format('%I.%I', n.nspname, ic.relname), pg_catalog.pg_get_indexdef(ic.oid),
                    pg_catalog.obj_description(ic.oid, 'pg_class'),
                    NOT i.indisvalid OR i.indisclustered OR i.indisreplident OR ic.reltablespace <> 0
                    OR EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = $1),
                    pg_catalog.pg_describe_object('pg_catalog.pg_class'::pg_catalog.regclass, i.indexrelid, 0)
               FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
               JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
              WHERE i.indrelid = $1 AND (i.indexprs IS NOT NULL OR i.indpred IS NOT NULL)
                AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                             WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = i.indexrelid
                               AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = $1
                               AND d.refobjsubid = $2::int2)
              ORDER BY 1",
            &[&oid, &attnum],
        )
        .await
        .map_err(db_failure("reading the indexes that re-parse the column"))?;
    for row in &indexes {
        if row.get::<_, bool>(3) {
            return Err(format!(
                "{name} is used in an expression that a type change re-parses ({}), which its definition cannot \
                 give back exactly (a constraint's, clustered, replica identity, another tablespace or invalid): \
                 not archived yet",
                row.get::<_, String>(4)
            ));
        }
        column.reparsed_indexes.push(Dependent { name: row.get(0), definition: row.get(1), comment: row.get(2) });
    }
    let constraints = c
        .query(
            "SELECT co.conname::text, pg_catalog.pg_get_constraintdef(co.oid), pg_catalog.obj_description(co.oid, 'pg_constraint'),
                    co.contype::text, pg_catalog.pg_describe_object('pg_catalog.pg_constraint'::pg_catalog.regclass, co.oid, 0)
               FROM pg_catalog.pg_constraint co
              WHERE co.conrelid = $1 AND co.contype IN ('c', 'x') AND $2::int2 = ANY (co.conkey)
              ORDER BY 1",
            &[&oid, &attnum],
        )
        .await
        .map_err(db_failure("reading the constraints that re-parse the column"))?;
    for row in &constraints {
        if row.get::<_, String>(3) != "c" {
            return Err(format!(
                "{name} is used in an exclusion constraint that a type change re-parses ({}): not archived yet",
                row.get::<_, String>(4)
            ));
        }
        column.reparsed_checks.push(Dependent { name: row.get(0), definition: row.get(1), comment: row.get(2) });
    }
    Ok(())
}
