//! Enum `ADD VALUE`: nothing is kept; the restore removes the value. PostgreSQL has no `DROP VALUE` (and
//! editing `pg_enum` needs a superuser), so the restore renames the type aside, creates it again with its old
//! labels (owner, privileges, comment), moves every user of it over through text, and drops the old type.
//! The users are read by the database layer right before the statement and handed over as facts; the restore
//! refuses (`RESTORE_CONFLICT`) when a row, a default or an array still uses the value, or the type's labels
//! changed since.
use super::drop_table::{create_trigger_sql, Trigger};
use super::CONFLICT_SQLSTATE;
use crate::ask::state::Privilege;
use crate::parse::name::ObjectName;
use crate::render::quote::{ident, literal};
use crate::render::restore::{acl_change, AclTarget};

/// A column of a table (or attribute of a composite type) whose type is the enum or an array of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumColumn {
    /// Schema-qualified.
    pub relation: ObjectName,
    /// An attribute of a composite type (not used by any table: moved with `ALTER TYPE ... ALTER ATTRIBUTE`).
    pub composite: bool,
    pub column: String,
    /// `format_type`, qualified: the enum's name, or its array (`s.e[]`); the same text names the recreated type.
    pub type_sql: String,
    pub array: bool,
    /// `pg_get_expr` of the default, qualified: re-set after the change, and compared (read qualified too)
    /// by the restore, which refuses when it changed since the migration.
    pub default: Option<String>,
}

/// A trigger on a column of the enum (`UPDATE OF`) or whose `WHEN` uses the type: `ALTER COLUMN TYPE` refuses
/// while it exists, so the restore drops it around the change and creates it again, and refuses when it
/// changed since the migration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumTrigger {
    /// Schema-qualified.
    pub table: ObjectName,
    pub trigger: Trigger,
}

/// An enum right before `ADD VALUE` runs, and everything that uses it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumToRestore {
    /// Schema-qualified.
    pub type_name: ObjectName,
    /// Names the type while it is set aside (unique: `pgrollback_enum_<oid>`).
    pub oid: u32,
    pub owner: String,
    pub comment: Option<String>,
    /// `coalesce(typacl, acldefault('T', typowner))`, in order.
    pub acl: Vec<Privilege>,
    /// The labels before the statement, in order.
    pub labels: Vec<String>,
    /// The value the statement adds.
    pub label: String,
    pub columns: Vec<EnumColumn>,
    pub triggers: Vec<EnumTrigger>,
}

const DOLLAR: &str = "$pg_rollback$";

/// A `DO` block whose body holds names or labels: refused when one of them would end its quoting.
fn guarded(block: &str) -> Result<&str, String> {
    match block.matches(DOLLAR).count() {
        2 => Ok(block),
        _ => Err(format!("a name or label contains {DOLLAR}, which the restore's DO blocks are quoted with")),
    }
}

fn text_array(values: &[String]) -> String {
    match values.is_empty() {
        true => "ARRAY[]::pg_catalog.text[]".to_owned(),
        false => {
            format!("ARRAY[{}]::pg_catalog.text[]", values.iter().map(|v| literal(v)).collect::<Vec<_>>().join(", "))
        }
    }
}

/// `DO` blocks listing, with counts, what changed since the migration or still uses the value.
fn conflicts(e: &EnumToRestore) -> Result<Vec<String>, String> {
    let type_lit = literal(&e.type_name.to_string());
    let label = literal(&e.label);
    let mut checks: Vec<(String, String)> = vec![(
        format!("the labels of {} changed since the migration", e.type_name),
        format!(
            "(SELECT CASE WHEN ARRAY(SELECT x.enumlabel::pg_catalog.text FROM pg_catalog.pg_enum x WHERE x.enumtypid = \
             {type_lit}::pg_catalog.regtype AND x.enumlabel <> {label} ORDER BY x.enumsortorder) = {} THEN 0 ELSE 1 END)",
            text_array(&e.labels)
        ),
    )];
    // A column that is no longer of the type (or gone) would be changed by the move, not restored.
    for c in &e.columns {
        let expected = match c.array {
            true => {
                format!("(SELECT t.typarray FROM pg_catalog.pg_type t WHERE t.oid = {type_lit}::pg_catalog.regtype)")
            }
            false => format!("{type_lit}::pg_catalog.regtype::pg_catalog.oid"),
        };
        checks.push((
            format!("{}.{} is not of the type it had at the migration", c.relation, ident(&c.column)),
            format!(
                "(SELECT count(*) FROM (SELECT 1) AS one WHERE (SELECT a.atttypid FROM pg_catalog.pg_attribute a WHERE \
                 a.attrelid = pg_catalog.to_regclass({}) AND a.attname = {} AND NOT a.attisdropped) IS DISTINCT FROM \
                 {expected})",
                literal(&c.relation.to_string()),
                literal(&c.column)
            ),
        ));
    }
    // A trigger created again must be the one that is there: compared with its state and comment.
    for t in &e.triggers {
        let tr = &t.trigger;
        let comment = tr.comment.as_deref().map_or_else(|| "NULL".to_owned(), literal);
        checks.push((
            format!("trigger {} on {} changed since the migration", ident(&tr.name), t.table),
            format!(
                "(SELECT count(*) FROM (SELECT 1) AS one WHERE (SELECT pg_catalog.format('%s %L %L', \
                 pg_catalog.pg_get_triggerdef(g.oid), g.tgenabled, pg_catalog.obj_description(g.oid, 'pg_trigger')) \
                 FROM pg_catalog.pg_trigger g WHERE g.tgrelid = pg_catalog.to_regclass({}) AND g.tgname = {}) IS \
                 DISTINCT FROM pg_catalog.format('%s %L %L', {}, {}, {comment}::pg_catalog.text))",
                literal(&t.table.to_string()),
                literal(&tr.name),
                literal(&tr.definition),
                literal(&tr.enabled),
            ),
        ));
    }
    // The rows and defaults are read only once every column is known to be there (a separate block).
    let mut blocks = vec![check_block(e, &checks)?];
    checks.clear();
    for c in e.columns.iter().filter(|c| !c.composite) {
        let column = ident(&c.column);
        let uses = match c.array {
            true => format!("{label} = ANY ({column}::pg_catalog.text[])"),
            false => format!("{column}::pg_catalog.text = {label}"),
        };
        checks.push((
            format!("rows of {} using it in {column}", c.relation),
            format!("(SELECT count(*) FROM {} WHERE {uses})", c.relation),
        ));
    }
    for c in e.columns.iter().filter(|c| !c.composite) {
        let default = c.default.as_deref().map_or_else(|| "NULL".to_owned(), literal);
        checks.push((
            format!("the default of {}.{} changed since the migration", c.relation, ident(&c.column)),
            format!(
                "(SELECT count(*) FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = \
                 a.attrelid AND d.adnum = a.attnum WHERE a.attrelid = {}::pg_catalog.regclass AND a.attname = {} AND \
                 pg_catalog.pg_get_expr(d.adbin, d.adrelid) IS DISTINCT FROM {default})",
                literal(&c.relation.to_string()),
                literal(&c.column)
            ),
        ));
    }
    if !checks.is_empty() {
        blocks.push(check_block(e, &checks)?);
    }
    Ok(blocks)
}

/// A `DO` block raising [`CONFLICT_SQLSTATE`] with every check (what, count) whose count is above zero.
fn check_block(e: &EnumToRestore, checks: &[(String, String)]) -> Result<String, String> {
    let values: Vec<String> =
        checks.iter().map(|(what, count)| format!("({}, {count})", literal(what))).collect::<Vec<_>>();
    let message = format!("the value {} of {} cannot be removed: ", e.label, e.type_name);
    let block = format!(
        "DO {DOLLAR} DECLARE found text; path text := pg_catalog.current_setting('search_path'); BEGIN PERFORM \
         pg_catalog.set_config('search_path', '', true); SELECT pg_catalog.string_agg(pg_catalog.format('%s: %s', \
         v.what, v.n), '; ') INTO found FROM (VALUES {}) AS v(what, n) WHERE v.n > 0; PERFORM \
         pg_catalog.set_config('search_path', path, true); IF found IS NOT NULL THEN RAISE EXCEPTION USING ERRCODE = \
         {}, MESSAGE = {} || found || '; nothing was changed'; END IF; END {DOLLAR}",
        values.join(", "),
        literal(CONFLICT_SQLSTATE),
        literal(&message)
    );
    guarded(&block).map(str::to_owned)
}

/// Every privilege on the recreated type revoked (default privileges may have added some), then the old ACL
/// granted in its order.
fn privileges(e: &EnumToRestore) -> Result<Vec<String>, String> {
    let object = format!("TYPE {}", e.type_name);
    let revoke = format!(
        "DO {DOLLAR} DECLARE r record; BEGIN FOR r IN SELECT DISTINCT x.grantee FROM pg_catalog.pg_type t, \
         pg_catalog.aclexplode(coalesce(t.typacl, pg_catalog.acldefault('T', t.typowner))) x WHERE t.oid = \
         {}::pg_catalog.regtype LOOP EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM %s', {}, CASE WHEN r.grantee = 0 \
         THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r.grantee)) END); END LOOP; END {DOLLAR}",
        literal(&e.type_name.to_string()),
        literal(&object)
    );
    let mut out = vec![guarded(&revoke)?.to_owned()];
    let target = AclTarget { object: &object, column: None, owner: &e.owner };
    out.extend(acl_change(&target, &[], &e.acl)?);
    Ok(out)
}

/// The statements that remove the value `ADD VALUE` added, with the checks that refuse when that would lose data.
pub fn enum_restore_sql(e: &EnumToRestore) -> Result<Vec<String>, String> {
    let aside = e.type_name.sibling(&format!("pgrollback_enum_{}", e.oid));
    let mut out = conflicts(e)?;
    for t in &e.triggers {
        out.push(format!("DROP TRIGGER {} ON {}", ident(&t.trigger.name), t.table));
    }
    out.push(format!("ALTER TYPE {} RENAME TO {}", e.type_name, ident(&aside.name)));
    let labels: Vec<String> = e.labels.iter().map(|l| literal(l)).collect();
    out.push(format!("CREATE TYPE {} AS ENUM ({})", e.type_name, labels.join(", ")));
    out.push(format!("ALTER TYPE {} OWNER TO {}", e.type_name, ident(&e.owner)));
    out.extend(privileges(e)?);
    if let Some(comment) = &e.comment {
        out.push(format!("COMMENT ON TYPE {} IS {}", e.type_name, literal(comment)));
    }
    // One ALTER per relation, in the order the columns were read: a table is rewritten once.
    let mut relations: Vec<(&ObjectName, bool)> = Vec::new();
    for c in &e.columns {
        if !relations.iter().any(|(r, _)| *r == &c.relation) {
            relations.push((&c.relation, c.composite));
        }
    }
    for (relation, composite) in relations {
        let mut subs = Vec::new();
        for c in e.columns.iter().filter(|c| &c.relation == relation) {
            let column = ident(&c.column);
            if composite {
                subs.push(format!("ALTER ATTRIBUTE {column} TYPE {}", c.type_sql));
                continue;
            }
            // The default is dropped around the change: it names the old type.
            if c.default.is_some() {
                subs.push(format!("ALTER COLUMN {column} DROP DEFAULT"));
            }
            let through = if c.array { "pg_catalog.text[]" } else { "pg_catalog.text" };
            subs.push(format!("ALTER COLUMN {column} TYPE {ty} USING {column}::{through}::{ty}", ty = c.type_sql));
            if let Some(default) = &c.default {
                subs.push(format!("ALTER COLUMN {column} SET DEFAULT {default}"));
            }
        }
        let what = if composite { "TYPE" } else { "TABLE" };
        out.push(format!("ALTER {what} {relation} {}", subs.join(", ")));
    }
    for t in &e.triggers {
        out.extend(create_trigger_sql(&t.table, &t.trigger));
    }
    out.push(format!("DROP TYPE {aside}"));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::script;
    use crate::ParsedMigration;

    fn mood() -> EnumToRestore {
        EnumToRestore {
            type_name: ObjectName::qualified("My Schema", "Mood"),
            oid: 16400,
            owner: "app owner".into(),
            comment: Some("how it's going".into()),
            acl: vec![
                Privilege {
                    grantee: "".into(),
                    grantor: "app owner".into(),
                    privilege: "USAGE".into(),
                    grantable: false,
                },
                Privilege {
                    grantee: "app owner".into(),
                    grantor: "app owner".into(),
                    privilege: "USAGE".into(),
                    grantable: false,
                },
            ],
            labels: vec!["ok".into(), "it's \"fine\"".into(), "Great".into()],
            label: "so-so".into(),
            columns: vec![
                EnumColumn {
                    relation: ObjectName::qualified("public", "Order"),
                    composite: false,
                    column: "Mood".into(),
                    type_sql: "\"My Schema\".\"Mood\"".into(),
                    array: false,
                    default: Some("'ok'::\"My Schema\".\"Mood\"".into()),
                },
                EnumColumn {
                    relation: ObjectName::qualified("public", "Order"),
                    composite: false,
                    column: "history".into(),
                    type_sql: "\"My Schema\".\"Mood\"[]".into(),
                    array: true,
                    default: None,
                },
                EnumColumn {
                    relation: ObjectName::qualified("s", "pair"),
                    composite: true,
                    column: "m".into(),
                    type_sql: "\"My Schema\".\"Mood\"".into(),
                    array: false,
                    default: None,
                },
            ],
            triggers: vec![EnumTrigger {
                table: ObjectName::qualified("public", "Order"),
                trigger: Trigger {
                    name: "Order mood".into(),
                    definition:
                        "CREATE TRIGGER \"Order mood\" AFTER UPDATE OF \"Mood\" ON public.\"Order\" FOR EACH ROW \
                                 EXECUTE FUNCTION public.bump()"
                            .into(),
                    enabled: "R".into(),
                    comment: Some("bumps".into()),
                },
            }],
        }
    }

    #[test]
    fn the_restore_recreates_the_type_without_the_value_and_moves_its_users_over() {
        let sql = script(&enum_restore_sql(&mood()).unwrap());
        ParsedMigration::parse(&sql).unwrap();
        for expected in [
            "ALTER TYPE \"My Schema\".\"Mood\" RENAME TO pgrollback_enum_16400;",
            "CREATE TYPE \"My Schema\".\"Mood\" AS ENUM ('ok', 'it''s \"fine\"', 'Great');",
            "ALTER TYPE \"My Schema\".\"Mood\" OWNER TO \"app owner\";",
            "GRANT USAGE ON TYPE \"My Schema\".\"Mood\" TO PUBLIC;",
            "COMMENT ON TYPE \"My Schema\".\"Mood\" IS 'how it''s going';",
            "ALTER TABLE public.\"Order\" ALTER COLUMN \"Mood\" DROP DEFAULT, ALTER COLUMN \"Mood\" TYPE \"My Schema\".\"Mood\" \
             USING \"Mood\"::pg_catalog.text::\"My Schema\".\"Mood\", ALTER COLUMN \"Mood\" SET DEFAULT 'ok'::\"My Schema\".\"Mood\", \
             ALTER COLUMN history TYPE \"My Schema\".\"Mood\"[] USING history::pg_catalog.text[]::\"My Schema\".\"Mood\"[];",
            "ALTER TYPE s.pair ALTER ATTRIBUTE m TYPE \"My Schema\".\"Mood\";",
            "'so-so' = ANY (history::pg_catalog.text[])",
            "WHERE \"Mood\"::pg_catalog.text = 'so-so'",
        ] {
            assert!(sql.contains(expected), "{expected}\nnot in\n{sql}");
        }
        assert!(sql.ends_with("DROP TYPE \"My Schema\".pgrollback_enum_16400;\n"), "{sql}");
        assert!(sql.starts_with("DO $pg_rollback$"), "the checks come first: {sql}");
        // The trigger is checked, dropped before the columns change and created again after, in its state.
        assert!(sql.contains("trigger \"Order mood\" on public.\"Order\" changed since the migration"), "{sql}");
        let dropped = sql.find("DROP TRIGGER \"Order mood\" ON public.\"Order\";").unwrap();
        let changed = sql.find("ALTER TABLE public.\"Order\" ALTER COLUMN \"Mood\" DROP DEFAULT").unwrap();
        let created = sql.find("\nCREATE TRIGGER \"Order mood\" AFTER UPDATE OF").unwrap();
        assert!(sql.find("DO $pg_rollback$").unwrap() < dropped && dropped < changed && changed < created, "{sql}");
        assert!(sql.contains("ALTER TABLE public.\"Order\" ENABLE REPLICA TRIGGER \"Order mood\";"), "{sql}");
        assert!(sql.contains("COMMENT ON TRIGGER \"Order mood\" ON public.\"Order\" IS 'bumps';"), "{sql}");
    }

    #[test]
    fn text_that_would_end_a_do_block_is_refused() {
        let mut e = mood();
        e.label = "x$pg_rollback$y".into();
        assert!(enum_restore_sql(&e).unwrap_err().contains("$pg_rollback$"));
    }

    #[test]
    fn grants_by_another_role_are_refused() {
        let mut e = mood();
        e.acl[0].grantor = "someone".into();
        assert!(enum_restore_sql(&e).unwrap_err().contains("not by the owner"));
    }
}
