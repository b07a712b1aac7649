//! What the archive reads about an enum right before `ADD VALUE` (the catalog half of the enum restore): the
//! type as it is, and every user the restore must move over to the recreated type. Anything the restore
//! could not move exactly (a domain, range, function, view, expression, partitioned table, ...) refuses here.
//! Runs with an empty `search_path`, so every name comes out qualified.
use pg_rollback_core::archive::drop_table::Trigger;
use pg_rollback_core::archive::{EnumColumn, EnumToRestore, EnumTrigger};
use pg_rollback_core::ObjectName;
use tokio_postgres::GenericClient;

use crate::catalog::archive::{acl_entries, privileges};
use crate::error::statement_cause;

type Failure = String;

fn db_failure(what: &str) -> impl Fn(tokio_postgres::Error) -> Failure + '_ {
    move |e| format!("{what} failed: {}", statement_cause(&e))
}

/// The enum `oid` (found by the caller with the migration's `search_path`) and its users; `None` when it is
/// not an enum (the statement will fail).
pub(crate) async fn read_enum<C: GenericClient + Sync>(
    c: &C,
    oid: u32,
    label: &str,
) -> Result<Option<EnumToRestore>, Failure> {
    let row = c
        .query_opt(
            format!(
                "SELECT n.nspname::text, t.typname::text, t.typtype::text, pg_catalog.pg_get_userbyid(t.typowner)::text,
                        t.typarray, pg_catalog.obj_description(t.oid, 'pg_type'), {},
                        ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid
                               ORDER BY e.enumsortorder),
                        EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                 WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid = t.oid
                                   AND d.deptype = 'e')
                   FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                  WHERE t.oid = $1",
                acl_entries("coalesce(t.typacl, pg_catalog.acldefault('T', t.typowner))")
            )
            .as_str(),
            &[&oid],
        )
        .await
        .map_err(db_failure("reading the enum"))?;
    let Some(row) = row else { return Ok(None) };
    if row.get::<_, String>(2) != "e" {
        return Ok(None);
    }
    let type_name = ObjectName::qualified(row.get::<_, String>(0).as_str(), row.get::<_, String>(1).as_str());
    if row.get::<_, bool>(8) {
        return Err(format!("{type_name} belongs to an extension: the restore cannot recreate it"));
    }
    let array: u32 = row.get(4);
    let acl: Vec<String> = row.get(6);
    let acl = privileges(&acl);
    let mut facts = EnumToRestore {
        type_name: type_name.clone(),
        oid,
        owner: row.get(3),
        comment: row.get(5),
        acl,
        labels: row.get(7),
        label: label.to_owned(),
        columns: Vec::new(),
        triggers: Vec::new(),
    };
    let dependents = c
        .query(
            "SELECT d.classid::pg_catalog.regclass::text, d.objid, d.objsubid,
                    pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid),
                    CASE WHEN d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN
                         (SELECT pg_catalog.format('%s.%s', ad.adrelid, ad.adnum) FROM pg_catalog.pg_attrdef ad
                           WHERE ad.oid = d.objid) END
               FROM pg_catalog.pg_depend d
              WHERE d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.refobjid IN ($1, $2)
                AND NOT (d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid = $2)
              ORDER BY d.classid, d.objid, d.objsubid",
            &[&oid, &array],
        )
        .await
        .map_err(db_failure("reading what uses the enum"))?;
    let mut columns: Vec<(u32, i32)> = Vec::new();
    let mut triggers: Vec<(u32, EnumTrigger)> = Vec::new();
    let mut defaults: Vec<(String, String)> = Vec::new();
    for d in &dependents {
        let class: String = d.get(0);
        let what: String = d.get(3);
        match class.as_str() {
            "pg_class" if d.get::<_, i32>(2) > 0 => {
                let (relation, attnum) = (d.get::<_, u32>(1), d.get::<_, i32>(2));
                facts.columns.push(read_user(c, relation, attnum, array, &what).await?);
                for trigger in column_triggers(c, relation, attnum).await? {
                    add_trigger(c, trigger, &what, &mut triggers).await?;
                }
                columns.push((relation, attnum));
            }
            "pg_attrdef" => defaults.push((d.get::<_, Option<String>>(4).unwrap_or_default(), what)),
            // A trigger whose WHEN uses the type.
            "pg_trigger" => add_trigger(c, d.get(1), &what, &mut triggers).await?,
            "pg_class" => {
                return Err(format!(
                    "{what} uses {type_name} in an expression or predicate: the restore cannot move it over exactly"
                ))
            }
            _ => return Err(format!("{what} uses {type_name}: the restore cannot move it over exactly")),
        }
    }
    for (at, what) in defaults {
        if !columns.iter().any(|(relation, attnum)| format!("{relation}.{attnum}") == at) {
            return Err(format!("{what} uses {type_name}: the restore cannot move it over exactly"));
        }
    }
    facts.triggers = triggers.into_iter().map(|(_, t)| t).collect();
    Ok(Some(facts))
}

/// The user triggers on `relation` that depend on its column `attnum` (`UPDATE OF`, `WHEN`).
async fn column_triggers<C: GenericClient + Sync>(c: &C, relation: u32, attnum: i32) -> Result<Vec<u32>, Failure> {
    let rows = c
        .query(
            "SELECT DISTINCT g.oid FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_depend d
                 ON d.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND d.objid = g.oid
              WHERE g.tgrelid = $1 AND NOT g.tgisinternal
                AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = $1 AND d.refobjsubid = $2",
            &[&relation, &attnum],
        )
        .await
        .map_err(db_failure("reading the triggers on a column of the enum"))?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Trigger `oid` (once), dropped and created again by the restore; a trigger of the system (a foreign key's)
/// or on a partition refuses.
async fn add_trigger<C: GenericClient + Sync>(
    c: &C,
    oid: u32,
    what: &str,
    triggers: &mut Vec<(u32, EnumTrigger)>,
) -> Result<(), Failure> {
    if triggers.iter().any(|(seen, _)| *seen == oid) {
        return Ok(());
    }
    let row = c
        .query_one(
            "SELECT n.nspname::text, r.relname::text, g.tgname::text, pg_catalog.pg_get_triggerdef(g.oid),
                    g.tgenabled::text, pg_catalog.obj_description(g.oid, 'pg_trigger'),
                    g.tgisinternal OR g.tgparentid <> 0 OR r.relkind <> 'r'
               FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class r ON r.oid = g.tgrelid
               JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
              WHERE g.oid = $1",
            &[&oid],
        )
        .await
        .map_err(db_failure("reading a trigger that uses the enum"))?;
    if row.get::<_, bool>(6) {
        return Err(format!(
            "{what} is used by a system or partition trigger: the restore cannot move it over exactly"
        ));
    }
    let table = ObjectName::qualified(row.get::<_, String>(0).as_str(), row.get::<_, String>(1).as_str());
    let trigger = Trigger { name: row.get(2), definition: row.get(3), enabled: row.get(4), comment: row.get(5) };
    triggers.push((oid, EnumTrigger { table, trigger }));
    Ok(())
}

/// A column (or composite attribute) of the enum or its array, and what depends on it.
async fn read_user<C: GenericClient + Sync>(
    c: &C,
    relation: u32,
    attnum: i32,
    array: u32,
    what: &str,
) -> Result<EnumColumn, Failure> {
    let row = c
        .query_one(
            "SELECT n.nspname::text, c.relname::text, c.relkind::text, c.relispartition, c.relhassubclass,
                    a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod), a.atttypid = $3,
                    pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), a.attinhcount::int,
                    a.attgenerated::text,
                    EXISTS (SELECT 1 FROM pg_catalog.pg_depend u JOIN pg_catalog.pg_type ct ON ct.oid = c.reltype
                             WHERE u.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass
                               AND u.refobjid IN (ct.oid, ct.typarray) AND u.deptype = 'n')
               FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
               JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = $2
               LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
              WHERE c.oid = $1",
            &[&relation, &(attnum as i16), &array],
        )
        .await
        .map_err(db_failure("reading a column of the enum"))?;
    let kind: String = row.get(2);
    let refuse = |why: &str| Err(format!("{what} {why}: the restore cannot move it over exactly"));
    match kind.as_str() {
        "r" if row.get::<_, bool>(3) || row.get::<_, bool>(4) || row.get::<_, i32>(9) > 0 => {
            return refuse("is in a partition or an inheritance tree")
        }
        "r" if !row.get::<_, String>(10).is_empty() => return refuse("is a generated column"),
        "r" => {}
        "c" if row.get::<_, bool>(11) => return refuse("is in a composite type that something else uses"),
        "c" => {}
        "p" => return refuse("is in a partitioned table"),
        _ => return refuse(&format!("is in a relation of kind {kind}")),
    }
    let relation_name = ObjectName::qualified(row.get::<_, String>(0).as_str(), row.get::<_, String>(1).as_str());
    // What depends on the column: its default, indexes and constraints (NOT NULL ones from PostgreSQL 18 on)
    // are rebuilt or kept by ALTER COLUMN TYPE, its table's user triggers are the caller's
    // ([`column_triggers`]); anything else (a view, policy, foreign key, statistics, generated column) refuses.
    let dependents = c
        .query(
            "SELECT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid)
               FROM pg_catalog.pg_depend d
              WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = $1
                AND d.refobjsubid = $2
                AND NOT (d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND d.objid IN
                         (SELECT ad.oid FROM pg_catalog.pg_attrdef ad WHERE ad.adrelid = $1 AND ad.adnum = $2))
                AND NOT (d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid IN
                         (SELECT i.indexrelid FROM pg_catalog.pg_index i WHERE i.indrelid = $1))
                AND NOT (d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND d.objid IN
                         (SELECT k.oid FROM pg_catalog.pg_constraint k WHERE k.conrelid = $1
                             AND k.contype IN ('p', 'u', 'c', 'x', 'n')))
                AND NOT (d.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND d.objid IN
                         (SELECT g.oid FROM pg_catalog.pg_trigger g WHERE g.tgrelid = $1 AND NOT g.tgisinternal))
              ORDER BY 1",
            &[&relation, &attnum],
        )
        .await
        .map_err(db_failure("reading what depends on a column of the enum"))?;
    if let Some(d) = dependents.first() {
        return Err(format!("{} depends on {what}: the restore cannot move it over exactly", d.get::<_, String>(0)));
    }
    Ok(EnumColumn {
        relation: relation_name,
        composite: kind == "c",
        column: row.get(5),
        type_sql: row.get(6),
        array: row.get(7),
        default: row.get(8),
    })
}
