//! What the archive reads about a table before a data statement changes its rows (the catalog half of
//! `crate::archive::data`): its columns and key, and what would make the kept rows incomplete (triggers that
//! could write elsewhere, referential actions, functions that could write).
use pg_rollback_core::archive::{DataKind, Referencing, RowColumn};
use pg_rollback_core::ObjectName;
use tokio_postgres::GenericClient;

use crate::error::statement_cause;

type Failure = String;

fn db_failure(what: &str) -> impl Fn(tokio_postgres::Error) -> Failure + '_ {
    move |e| format!("{what} failed: {}", statement_cause(&e))
}

/// A type kept as is: one of `pg_catalog` or an array of one (as `catalog::archive` keeps keys).
const BUILTIN: &str = "(SELECT tn.nspname = 'pg_catalog' FROM pg_catalog.pg_type ty
     JOIN pg_catalog.pg_namespace tn ON tn.oid = ty.typnamespace
    WHERE ty.oid = CASE WHEN t.typelem <> 0 AND t.typcategory = 'A' THEN t.typelem ELSE t.oid END)";

/// The table a data statement writes, as the migration's search_path finds it.
pub(crate) struct RowsTable {
    pub oid: u32,
    pub name: ObjectName,
    pub size: i64,
    pub tuples: f64,
    /// Partitioned: its partitions (sub-partitions included) hold the rows; `size` and `tuples` are theirs.
    pub partitioned: bool,
}

/// Finds `relation` (as written) and refuses what is not a plain table without children or rules, or a
/// partitioned table without rules or foreign partitions. (`pg_partition_tree` lists nothing for a plain table:
/// the table itself is added to it.)
pub(crate) async fn find_table<C: GenericClient + Sync>(
    c: &C,
    relation: &ObjectName,
) -> Result<Option<RowsTable>, Failure> {
    let row = c
        .query_opt(
            "SELECT c.oid, n.nspname::text, c.relname::text, c.relkind::text, c.relhassubclass, c.relispartition,
                    EXISTS (SELECT 1 FROM (SELECT c.oid AS relid UNION SELECT relid FROM pg_catalog.pg_partition_tree(c.oid)) p
                              JOIN pg_catalog.pg_class pc ON pc.oid = p.relid
                             WHERE pc.relhasrules OR pc.relkind NOT IN ('r', 'p')),
                    (SELECT pg_catalog.sum(pg_catalog.pg_table_size(p.relid))::int8 FROM (SELECT c.oid AS relid UNION SELECT relid FROM pg_catalog.pg_partition_tree(c.oid)) p),
                    (SELECT pg_catalog.sum(greatest(pc.reltuples, 0))::float8 FROM (SELECT c.oid AS relid UNION SELECT relid FROM pg_catalog.pg_partition_tree(c.oid)) p
                       JOIN pg_catalog.pg_class pc ON pc.oid = p.relid)
               FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE c.oid = pg_catalog.to_regclass($1)",
            &[&relation.to_string()],
        )
        .await
        .map_err(db_failure("finding the table"))?;
    let Some(row) = row else { return Ok(None) };
    let name = ObjectName::qualified(row.get::<_, String>(1).as_str(), row.get::<_, String>(2).as_str());
    let kind: String = row.get(3);
    if kind != "r" && kind != "p" {
        return Err(format!("{name} is not a plain or partitioned table (relkind {kind})"));
    }
    if (kind == "r" && row.get::<_, bool>(4)) || row.get::<_, bool>(5) {
        return Err(format!("{name} has inheritance children or is a partition: not archived yet"));
    }
    if row.get::<_, bool>(6) {
        return Err(format!(
            "{name} (or one of its partitions) has rules, which could write elsewhere, or a foreign partition"
        ));
    }
    let (size, tuples): (Option<i64>, Option<f64>) = (row.get(7), row.get(8));
    Ok(Some(RowsTable {
        oid: row.get(0),
        name,
        size: size.unwrap_or(0),
        tuples: tuples.unwrap_or(0.0),
        partitioned: kind == "p",
    }))
}

/// The columns kept (generated ones are not: they recompute), in order.
pub(crate) async fn read_columns<C: GenericClient + Sync>(c: &C, oid: u32) -> Result<Vec<RowColumn>, Failure> {
    let sql = format!(
        "SELECT a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod), {BUILTIN}, a.attidentity = 'a'
           FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
          WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
          ORDER BY a.attnum"
    );
    let rows = c.query(sql.as_str(), &[&oid]).await.map_err(db_failure("reading the table's columns"))?;
    Ok(rows
        .iter()
        .map(|r| RowColumn {
            name: r.get(0),
            type_sql: r.get(1),
            builtin: r.get::<_, Option<bool>>(2).unwrap_or(false),
            identity_always: r.get(3),
            added: false,
        })
        .collect())
}

/// Builtin trigger functions that only change the row being written (`NEW`).
const NEW_ONLY_BUILTINS: [&str; 3] =
    ["tsvector_update_trigger", "tsvector_update_trigger_column", "suppress_redundant_updates_trigger"];

/// Words whose presence in a PL/pgSQL trigger body means it could write elsewhere (string literals and
/// comments are left out first, so `TG_OP = 'UPDATE'` is fine).
const WRITING_WORDS: [&str; 14] = [
    "insert", "update", "delete", "merge", "truncate", "copy", "execute", "perform", "call", "select", "notify",
    "lock", "dblink", "into",
];

fn words_outside_literals(body: &str) -> Vec<String> {
    let mut code = String::new();
    let mut chars = body.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\'' => {
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                }
                code.push(' ');
            }
            '-' if chars.peek() == Some(&'-') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                code.push(' ');
            }
            _ => code.push(ch),
        }
    }
    code.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Whether a trigger function only changes `NEW`: a known builtin, or PL/pgSQL without a writing word.
fn new_only(builtin: bool, name: &str, language: &str, body: &str) -> bool {
    if builtin {
        return NEW_ONLY_BUILTINS.contains(&name);
    }
    language == "plpgsql" && !words_outside_literals(body).iter().any(|w| WRITING_WORDS.contains(&w.as_str()))
}

/// Refuses a table whose enabled user triggers could write elsewhere, or whose referencing foreign keys would
/// change rows of other tables on the events the statement or its restore fire, or when the migration's
/// session does not fire ordinary triggers (the capture would miss rows). `set_columns`: the columns the
/// statement's updates write; an update fires a key's `ON UPDATE` action only when it changes a referenced
/// column (and the restore changes back only what it changed). `deletes_kept`: the `ON DELETE` actions are the
/// caller's (a `DELETE` whose actions' changes are captured, an `INSERT` whose restore leaves referenced rows).
pub(crate) async fn check_side_effects<C: GenericClient + Sync>(
    c: &C,
    table: &RowsTable,
    kind: DataKind,
    upsert: bool,
    set_columns: Option<&[String]>,
    deletes_kept: bool,
) -> Result<(), Failure> {
    let role: String = c
        .query_one("SELECT pg_catalog.current_setting('session_replication_role')", &[])
        .await
        .map_err(db_failure("reading session_replication_role"))?
        .get(0);
    if role != "origin" {
        return Err(format!("session_replication_role is {role}: the rows it changes could not be captured"));
    }
    let triggers = c
        .query(
            "SELECT g.tgname::text, (g.tgtype & 1) <> 0, (g.tgtype & 2) <> 0, (g.tgtype & 32) <> 0,
                    pn.nspname = 'pg_catalog', p.proname::text, l.lanname::text, coalesce(p.prosrc, ''), g.tgfoid
               FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_proc p ON p.oid = g.tgfoid
               JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
               JOIN pg_catalog.pg_language l ON l.oid = p.prolang
              WHERE g.tgrelid IN (SELECT $1::pg_catalog.oid UNION SELECT relid FROM pg_catalog.pg_partition_tree($1::pg_catalog.oid::pg_catalog.regclass))
                AND NOT g.tgisinternal AND g.tgenabled <> 'D'
              ORDER BY g.tgname",
            &[&table.oid],
        )
        .await
        .map_err(db_failure("reading the table's triggers"))?;
    let mut writing = Vec::new();
    for t in &triggers {
        let (name, row, before, truncate): (String, bool, bool, bool) = (t.get(0), t.get(1), t.get(2), t.get(3));
        // No writing word in its own body, and nothing it calls writes (`NEW.x := f()` with an f that writes).
        let function_ok = new_only(t.get(4), t.get::<_, String>(5).as_str(), t.get::<_, String>(6).as_str(), t.get(7))
            && could_write(c, &[], &[t.get(8)]).await?.is_empty();
        let fine = match kind {
            // TRUNCATE fires only TRUNCATE triggers (statement-level).
            DataKind::Truncate => !truncate,
            _ => row && before && !truncate && function_ok,
        };
        if !fine {
            writing.push(pg_rollback_core::quote_ident(&name));
        }
    }
    if !writing.is_empty() {
        return Err(format!(
            "{} has enabled trigger(s) that could write elsewhere: {} (only BEFORE ROW triggers that change NEW are \
             kept)",
            table.name,
            writing.join(", ")
        ));
    }
    if !matches!(kind, DataKind::Delete | DataKind::Truncate) {
        let defaults = c
            .query(
                "SELECT DISTINCT dep.refobjid FROM pg_catalog.pg_attrdef d
                   JOIN pg_catalog.pg_depend dep ON dep.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass
                    AND dep.objid = d.oid AND dep.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                  WHERE d.adrelid IN (SELECT $1::pg_catalog.oid UNION SELECT relid FROM pg_catalog.pg_partition_tree($1::pg_catalog.oid::pg_catalog.regclass))",
                &[&table.oid],
            )
            .await
            .map_err(db_failure("reading the table's defaults"))?;
        let oids: Vec<u32> = defaults.iter().map(|r| r.get(0)).collect();
        let writing = could_write(c, &[], &oids).await?;
        if !writing.is_empty() {
            return Err(format!(
                "column defaults of {} call function(s) that could write elsewhere: {}",
                table.name,
                writing.join(", ")
            ));
        }
    }
    let (on_update, mut on_delete) = kind.fires(upsert);
    // What a DELETE's actions change is captured too ([`cascaded`]); an INSERT's restore deletes no row another
    // table references ([`referencing`]).
    on_delete &= !deletes_kept;
    // Known only when nothing else can change a key: no BEFORE trigger left (they may set NEW's key), and no
    // row moving between partitions (a delete and an insert).
    let set_columns: Option<Vec<String>> =
        set_columns.filter(|_| triggers.is_empty() && !table.partitioned).map(<[String]>::to_vec);
    let actions = c
        .query(
            "SELECT co.conname::text, co.conrelid::pg_catalog.regclass::text
               FROM pg_catalog.pg_constraint co
              WHERE co.contype = 'f' AND co.confrelid IN (SELECT $1::pg_catalog.oid UNION SELECT relid FROM pg_catalog.pg_partition_tree($1::pg_catalog.oid::pg_catalog.regclass))
                AND (($2 AND co.confupdtype NOT IN ('a', 'r')
                      AND ($4::text[] IS NULL OR EXISTS (
                          SELECT 1 FROM pg_catalog.pg_attribute a
                           WHERE a.attrelid = co.confrelid AND a.attnum = ANY (co.confkey) AND a.attname = ANY ($4::text[]))))
                     OR ($3 AND co.confdeltype NOT IN ('a', 'r')))
              ORDER BY 1",
            &[&table.oid, &on_update, &on_delete, &set_columns],
        )
        .await
        .map_err(db_failure("reading the keys referencing the table"))?;
    if !actions.is_empty() {
        let named: Vec<String> = actions
            .iter()
            .map(|r| format!("{} on {}", pg_rollback_core::quote_ident(&r.get::<_, String>(0)), r.get::<_, String>(1)))
            .collect();
        return Err(format!(
            "foreign keys referencing {} would change rows of other tables (CASCADE, SET NULL or SET DEFAULT): {}",
            table.name,
            named.join(", ")
        ));
    }
    Ok(())
}

/// What a `DELETE` from `table` also changes through the referential actions of keys referencing it: each
/// table with how its rows change (`Delete` for `ON DELETE CASCADE`; `Update`, with the columns it sets, for
/// `SET NULL` / `SET DEFAULT`), a table before the ones its own changes reach. A table's keys to
/// itself need nothing more (its capture sees those rows too) when they cascade; refused: a self-referencing
/// `SET NULL`/`SET DEFAULT` (the restore would set keys back before their rows) and a table reached twice.
pub(crate) async fn cascaded<C: GenericClient + Sync>(
    c: &C,
    table: &RowsTable,
) -> Result<Vec<(ObjectName, DataKind, Option<Vec<String>>)>, Failure> {
    let actions = "SELECT co.conname::text, co.conrelid, n.nspname::text, r.relname::text, co.confdeltype::text,
                          ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(co.conkey) k(attnum)
                                  JOIN pg_catalog.pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.attnum)
                     FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class r ON r.oid = co.conrelid
                     JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
                    WHERE co.contype = 'f' AND co.conparentid = 0 AND co.confdeltype NOT IN ('a', 'r')
                      AND co.confrelid IN (SELECT $1::pg_catalog.oid UNION SELECT relid FROM pg_catalog.pg_partition_tree($1::pg_catalog.oid::pg_catalog.regclass))
                    ORDER BY n.nspname, r.relname, co.conname";
    let mut reached: Vec<(u32, ObjectName, DataKind, Option<Vec<String>>)> = Vec::new();
    let mut next = 0;
    let mut deleting: Vec<u32> = vec![table.oid];
    loop {
        let Some(&oid) = deleting.get(next) else { break };
        next += 1;
        let rows = c.query(actions, &[&oid]).await.map_err(db_failure("reading the keys referencing the table"))?;
        for r in &rows {
            let (name, child, action): (String, u32, String) = (r.get(0), r.get(1), r.get(4));
            let child_name = ObjectName::qualified(r.get::<_, String>(2).as_str(), r.get::<_, String>(3).as_str());
            let key = format!("{} on {child_name}", pg_rollback_core::quote_ident(&name));
            let kind = match action.as_str() {
                "c" => DataKind::Delete,
                _ => DataKind::Update,
            };
            if child == oid || child == table.oid {
                if kind == DataKind::Delete && child == oid {
                    continue;
                }
                return Err(format!(
                    "foreign key {key} refers back to a table the DELETE changes with SET NULL or SET DEFAULT, or in a \
                     cycle: its rows could not be put back in order"
                ));
            }
            if let Some((.., before, _)) = reached.iter().find(|(o, ..)| *o == child) {
                // Deleted by two paths: its capture sees every row once; the caller orders the tables.
                if kind == DataKind::Delete && *before == DataKind::Delete {
                    continue;
                }
                return Err(format!(
                    "{child_name} is reached twice by the keys' actions, not only by cascading deletes (foreign key \
                     {key})"
                ));
            }
            // The columns a SET NULL or SET DEFAULT writes: the caller checks what acts on them in turn.
            let set = match kind {
                DataKind::Delete => {
                    deleting.push(child);
                    None
                }
                _ => Some(r.get::<_, Vec<String>>(5)),
            };
            reached.push((child, child_name, kind, set));
        }
    }
    Ok(reached.into_iter().map(|(_, name, kind, set)| (name, kind, set)).collect())
}

/// Foreign keys of other tables referencing `table`, for the restore of an `INSERT`, which does not delete a
/// row they reference (so that none of their actions fires). A key of the table to itself with an `ON DELETE`
/// action refuses (rows written since in the table itself would be changed by the restore's delete). Left out:
/// an `ON DELETE SET NULL` key on columns the migration added (`added`: table, column), of a table without
/// enabled user triggers: its action only empties columns the restore drops afterwards (Inbox Zero's `INSERT
/// INTO "Premium" ...; UPDATE "User" SET "premiumId" = ...`, whose new `"premiumId"` references those rows).
pub(crate) async fn referencing<C: GenericClient + Sync>(
    c: &C,
    table: &RowsTable,
    added: &[(u32, String)],
) -> Result<Vec<Referencing>, Failure> {
    let rows = c
        .query(
            "SELECT co.conrelid::pg_catalog.regclass::text, co.conrelid = $1 AND co.confdeltype NOT IN ('a', 'r'),
                    pg_catalog.quote_ident(co.conname),
                    ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(co.conkey) WITH ORDINALITY k(attnum, i)
                            JOIN pg_catalog.pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.attnum ORDER BY k.i),
                    ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(co.confkey) WITH ORDINALITY k(attnum, i)
                            JOIN pg_catalog.pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.attnum ORDER BY k.i),
                    co.conrelid, co.confdeltype = 'n'
                    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
                                     WHERE g.tgrelid = co.conrelid AND NOT g.tgisinternal AND g.tgenabled <> 'D')
               FROM pg_catalog.pg_constraint co
              WHERE co.contype = 'f' AND co.conparentid = 0 AND co.confrelid = $1
                AND (co.conrelid <> $1 OR co.confdeltype NOT IN ('a', 'r'))
              ORDER BY 1, co.conname",
            &[&table.oid],
        )
        .await
        .map_err(db_failure("reading the keys referencing the table"))?;
    let mut keys = Vec::new();
    for r in &rows {
        if r.get::<_, bool>(1) {
            return Err(format!(
                "foreign key {} of {} to itself has an ON DELETE action: the restore's delete of the rows it inserted \
                 could change rows written since",
                r.get::<_, String>(2),
                table.name
            ));
        }
        let (columns, relation, emptied): (Vec<String>, u32, bool) = (r.get(3), r.get(5), r.get(6));
        if emptied && columns.iter().all(|c| added.iter().any(|(oid, name)| *oid == relation && name == c)) {
            continue;
        }
        keys.push(Referencing { table: r.get(0), columns, referenced: r.get(4) });
    }
    Ok(keys)
}

/// Refuses a statement calling a function outside `pg_catalog` that could write other tables.
pub(crate) async fn check_functions<C: GenericClient + Sync>(c: &C, functions: &[String]) -> Result<(), Failure> {
    let writing = could_write(c, functions, &[]).await?;
    match writing.is_empty() {
        true => Ok(()),
        false => Err(format!("the statement calls function(s) that could write elsewhere: {}", writing.join(", "))),
    }
}

/// The user functions (outside `pg_catalog`) named `name` as written: in its schema, or without one in any
/// schema (a function body resolves names with the search_path of the session that calls it; every candidate
/// and overload is judged).
async fn named<C: GenericClient + Sync>(c: &C, name: &str) -> Result<Vec<u32>, Failure> {
    let (schema, proname) = match name.rsplit_once('.') {
        Some((schema, proname)) => (Some(schema.to_owned()), proname.to_owned()),
        None => (None, name.to_owned()),
    };
    if schema.as_deref() == Some("pg_catalog") {
        return Ok(Vec::new());
    }
    let rows = c
        .query(
            "SELECT p.oid FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
              WHERE p.proname = $1 AND n.nspname <> 'pg_catalog'
                AND ($2::text IS NULL OR n.nspname = $2)",
            &[&proname, &schema],
        )
        .await
        .map_err(db_failure("reading the functions the statement calls"))?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Extensions whose functions are known to write nothing (random values, hashes, ids).
const QUIET_EXTENSIONS: [&str; 2] = ["pgcrypto", "uuid-ossp"];

/// Of the user functions named in `names` (as written) or given by `oids`, those that could write other
/// tables, each with why: a function in SQL or PL/pgSQL whose body only reads is judged by the functions it calls
/// in turn (`pg_rollback_core::archive::functions`); one of a known quiet extension writes nothing; a function in
/// another language writes unless it is not volatile (PostgreSQL runs those read-only).
pub(crate) async fn could_write<C: GenericClient + Sync>(
    c: &C,
    names: &[String],
    oids: &[u32],
) -> Result<Vec<String>, Failure> {
    const LIMIT: usize = 64;
    let mut queue: Vec<u32> = oids.to_vec();
    for name in names {
        queue.extend(named(c, name).await?);
    }
    let mut seen: Vec<u32> = Vec::new();
    let mut writing = Vec::new();
    while let Some(oid) = queue.pop() {
        if seen.contains(&oid) {
            continue;
        }
        seen.push(oid);
        if seen.len() > LIMIT {
            writing.push(format!("more than {LIMIT} functions called in turn (not followed further)"));
            break;
        }
        let row = c
            .query_one(
                "SELECT p.oid::pg_catalog.regprocedure::text, l.lanname::text, p.provolatile = 'v',
                        CASE WHEN p.prokind IN ('f', 'p') THEN pg_catalog.pg_get_functiondef(p.oid) END,
                        coalesce(p.prosrc, ''), n.nspname = 'pg_catalog',
                        EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
                                 WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid
                                   AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                                   AND d.deptype = 'e' AND e.extname = ANY ($2::text[]))
                   FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang
                   JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                  WHERE p.oid = $1",
                &[&oid, &QUIET_EXTENSIONS.to_vec()],
            )
            .await
            .map_err(db_failure("reading a function the statement calls"))?;
        let (described, language, volatile): (String, String, bool) = (row.get(0), row.get(1), row.get(2));
        if row.get::<_, bool>(5) || row.get::<_, bool>(6) {
            continue;
        }
        let definition: Option<String> = row.get(3);
        let Some(definition) = definition else {
            writing.push(format!("{described} (an aggregate or window function)"));
            continue;
        };
        match pg_rollback_core::archive::functions::reads_only(&language, &definition, row.get(4)) {
            Ok(calls) => {
                for call in calls {
                    queue.extend(named(c, &call).await?);
                }
            }
            Err(_) if !volatile && !matches!(language.as_str(), "sql" | "plpgsql") => {}
            Err(why) => writing.push(format!("{described} ({why})")),
        }
    }
    writing.sort();
    Ok(writing)
}

/// The tables of `oids` that reference another of them (directly): `(referencing, referenced)` pairs.
pub(crate) async fn references_among<C: GenericClient + Sync>(c: &C, oids: &[u32]) -> Result<Vec<(u32, u32)>, Failure> {
    let rows = c
        .query(
            "SELECT DISTINCT conrelid, confrelid FROM pg_catalog.pg_constraint
              WHERE contype = 'f' AND conrelid = ANY ($1) AND confrelid = ANY ($1) AND conrelid <> confrelid",
            &[&oids],
        )
        .await
        .map_err(db_failure("reading the keys between the tables"))?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_bodies_that_only_change_new_are_fine() {
        let updated_at =
            "BEGIN IF TG_OP = 'UPDATE' THEN NEW.updated_at := now(); END IF; -- insert nothing\n RETURN NEW; END";
        assert!(new_only(false, "touch", "plpgsql", updated_at));
        assert!(!new_only(false, "audit", "plpgsql", "BEGIN INSERT INTO log VALUES (NEW.id); RETURN NEW; END"));
        assert!(!new_only(false, "dyn", "plpgsql", "BEGIN EXECUTE 'x'; RETURN NEW; END"));
        assert!(!new_only(false, "c", "c", ""));
        assert!(new_only(true, "tsvector_update_trigger", "internal", ""));
        assert!(!new_only(true, "RI_FKey_cascade_del", "internal", ""));
    }
}
