//! `DROP TABLE`: the table is not copied but moved, with `ALTER TABLE ... SET SCHEMA`, into a schema of its
//! own (`pgrollback_archive/<version>/<statement>/<n>`), so that none of its names (indexes, owned sequences,
//! row type) can collide with what the migration creates next. Before the move, everything by which it
//! could still touch the rest of the database is removed and kept for the restore: the foreign keys of other
//! tables a `CASCADE` drops, its own foreign keys, its triggers, its statistics objects (they would keep their
//! names taken), its publication memberships, the defaults
//! that use other objects; columns of user types are kept as `text` while archived (the one rewrite). The
//! restore moves it back and puts all of that back.
use super::{conflict_check, SCHEMA};
use crate::ask::state::{DefaultPrivilege, ViewFacts};
use crate::invert::families::drops::view_statements;
use crate::parse::name::ObjectName;
use crate::render::quote::{ident, literal};

/// A foreign key removed before the move (its table's, or another table's that references it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignKey {
    /// The table the constraint belongs to (qualified).
    pub table: ObjectName,
    pub name: String,
    /// `pg_get_constraintdef`, with an empty `search_path` (qualified names).
    pub definition: String,
    pub comment: Option<String>,
    /// `convalidated`: only a validated key is checked against the rows before it is added again.
    pub validated: bool,
    pub columns: Vec<String>,
    pub referenced: ObjectName,
    pub referenced_columns: Vec<String>,
}

/// A trigger of the table (removed: it runs a function, which a later `DROP FUNCTION` must be able to drop).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trigger {
    pub name: String,
    /// `pg_get_triggerdef`, qualified.
    pub definition: String,
    /// `tgenabled`: `O`, `D`, `R`, `A`.
    pub enabled: String,
    pub comment: Option<String>,
}

/// A column default that uses another object (a sequence the table does not own, a function).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnDefault {
    pub column: String,
    pub expression: String,
}

/// A column of a user type (enum, domain, composite, an extension's): kept as `text` while archived, so that
/// the type can be dropped as after a real DROP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetypedColumn {
    pub column: String,
    /// `format_type`, qualified.
    pub type_sql: String,
    /// `COLLATE ...` operand when it is not the type's default collation, qualified and quoted.
    pub collation: Option<String>,
}

/// An extended statistics object on the table (it lives in a schema of its own: dropped, so that its name is
/// free, and created again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statistics {
    pub name: ObjectName,
    /// `pg_get_statisticsobjdef`, qualified.
    pub definition: String,
    /// `stxstattarget` when set.
    pub target: Option<i32>,
    pub owner: String,
    pub comment: Option<String>,
}

/// An index that uses an object outside the table (an extension's operator class, a function, a collation):
/// dropped before the move, so that the object can be dropped as after a real `DROP TABLE`, and built again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RebuiltIndex {
    /// In the table's schema.
    pub name: String,
    /// `pg_get_indexdef`, qualified.
    pub definition: String,
    pub comment: Option<String>,
}

/// The table's membership of a publication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicationMember {
    pub publication: String,
    /// The column list, when the membership has one.
    pub columns: Option<Vec<String>>,
    /// The row filter (`pg_get_expr`), when it has one.
    pub filter: Option<String>,
}

/// A table a `DROP TABLE` drops, as it was right before the statement (read by the database layer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableToKeep {
    /// Schema-qualified.
    pub table: ObjectName,
    /// The schema it is moved into (see [`schema_name`]).
    pub archive_schema: String,
    /// Other tables' foreign keys referencing it (dropped by `CASCADE`).
    pub referencing: Vec<ForeignKey>,
    /// Its own foreign keys to other tables.
    pub foreign_keys: Vec<ForeignKey>,
    pub triggers: Vec<Trigger>,
    pub defaults: Vec<ColumnDefault>,
    pub publications: Vec<PublicationMember>,
    pub retyped: Vec<RetypedColumn>,
    pub statistics: Vec<Statistics>,
    pub indexes: Vec<RebuiltIndex>,
}

impl TableToKeep {
    pub fn new(table: ObjectName, archive_schema: &str) -> Self {
        TableToKeep {
            table,
            archive_schema: archive_schema.to_owned(),
            referencing: Vec::new(),
            foreign_keys: Vec::new(),
            triggers: Vec::new(),
            defaults: Vec::new(),
            publications: Vec::new(),
            retyped: Vec::new(),
            statistics: Vec::new(),
            indexes: Vec::new(),
        }
    }

    /// Where the table is while it is archived, qualified and quoted.
    pub fn archived(&self) -> ObjectName {
        ObjectName::qualified(&self.archive_schema, &self.table.name)
    }
}

/// The setting (`on`) with which a restore adds a foreign key that rows written since break `NOT VALID`.
pub const FORCE_KEYS: &str = "pg_rollback.force_keys";
/// The setting in which a forced restore lists the keys it added `NOT VALID`, one a line.
pub const KEYS_NOT_VALID: &str = "pg_rollback.keys_not_valid";

/// The schema table `table` (0-based) of statement `index` (0-based) of `version` is moved into; `None` when
/// the name would not fit PostgreSQL's 63 bytes.
pub fn schema_name(version: &str, index: usize, table: usize) -> Option<String> {
    let name = format!("{SCHEMA}/{version}/{}/{}", index + 1, table + 1);
    (name.len() <= 63).then_some(name)
}

/// Whether `schema` is one [`schema_name`] makes (the archive's, not the user's).
pub fn is_archive_schema(schema: &str) -> bool {
    schema.starts_with(&format!("{SCHEMA}/"))
}

fn publication_target(table: &ObjectName, member: &PublicationMember) -> String {
    let columns = member
        .columns
        .as_ref()
        .map(|c| format!(" ({})", c.iter().map(|c| ident(c)).collect::<Vec<_>>().join(", ")))
        .unwrap_or_default();
    let filter = member.filter.as_ref().map(|f| format!(" WHERE ({f})")).unwrap_or_default();
    format!("TABLE {table}{columns}{filter}")
}

/// The statements that take the table out of the database, in the migration's transaction: what touches
/// the rest of the database is removed, then the table moves into its archive schema. The caller checked
/// that the schema does not exist yet.
pub fn keep_sql(t: &TableToKeep, comment: &str) -> Vec<String> {
    let table = &t.table;
    let schema = ident(&t.archive_schema);
    let mut out = vec![
        format!("CREATE SCHEMA {schema}"),
        format!("REVOKE ALL ON SCHEMA {schema} FROM PUBLIC"),
        format!("COMMENT ON SCHEMA {schema} IS {}", literal(comment)),
    ];
    for k in &t.referencing {
        out.push(format!("ALTER TABLE {} DROP CONSTRAINT {}", k.table, ident(&k.name)));
    }
    for p in &t.publications {
        out.push(format!("ALTER PUBLICATION {} DROP TABLE {table}", ident(&p.publication)));
    }
    for tr in &t.triggers {
        out.push(format!("DROP TRIGGER {} ON {table}", ident(&tr.name)));
    }
    for st in &t.statistics {
        out.push(format!("DROP STATISTICS {}", st.name));
    }
    for k in &t.foreign_keys {
        out.push(format!("ALTER TABLE {table} DROP CONSTRAINT {}", ident(&k.name)));
    }
    for d in &t.defaults {
        out.push(format!("ALTER TABLE {table} ALTER COLUMN {} DROP DEFAULT", ident(&d.column)));
    }
    for i in &t.indexes {
        out.push(format!("DROP INDEX {}", ObjectName::qualified(table.schema.as_deref().unwrap_or(""), &i.name)));
    }
    // One rewrite for all of them.
    let retype: Vec<String> =
        t.retyped.iter().map(|r| format!("ALTER COLUMN {c} TYPE text USING {c}::text", c = ident(&r.column))).collect();
    if !retype.is_empty() {
        out.push(format!("ALTER TABLE {table} {}", retype.join(", ")));
    }
    out.push(format!("ALTER TABLE {table} SET SCHEMA {schema}"));
    out
}

/// Rows that a foreign key added again would reject: referencing rows without their referenced row.
fn orphans(k: &ForeignKey) -> String {
    let present: Vec<String> = k.columns.iter().map(|c| format!("r.{} IS NOT NULL", ident(c))).collect();
    let matched: Vec<String> =
        k.columns.iter().zip(&k.referenced_columns).map(|(c, p)| format!("p.{} = r.{}", ident(p), ident(c))).collect();
    format!(
        "SELECT count(*) FROM ONLY {} AS r WHERE {} AND NOT EXISTS (SELECT 1 FROM ONLY {} AS p WHERE {})",
        k.table,
        present.join(" AND "),
        k.referenced,
        matched.join(" AND ")
    )
}

/// A name inside a `format()` template.
fn in_template(name: &impl std::fmt::Display) -> String {
    name.to_string().replace('%', "%%")
}

/// A validated key is added `NOT VALID`, then validated when no row breaks it; rows that do refuse the restore
/// (`RESTORE_CONFLICT`, with the count) unless the restore is forced (the setting [`FORCE_KEYS`]): then the key
/// stays `NOT VALID` and is listed in the setting [`KEYS_NOT_VALID`].
fn add_foreign_key(k: &ForeignKey, out: &mut Vec<String>) {
    let name = ident(&k.name);
    if !k.validated {
        out.push(format!("ALTER TABLE {} ADD CONSTRAINT {name} {}", k.table, k.definition));
    } else {
        out.push(format!("ALTER TABLE {} ADD CONSTRAINT {name} {} NOT VALID", k.table, k.definition));
        let refused = format!(
            "%s row(s) of {} reference rows of {} that are gone (foreign key {}): nothing was changed (with force, \
             the key is added NOT VALID)",
            in_template(&k.table),
            in_template(&k.referenced),
            in_template(&name)
        );
        let note = format!(
            "foreign key {} on {} added NOT VALID: %s row(s) reference rows of {} that are gone",
            in_template(&name),
            in_template(&k.table),
            in_template(&k.referenced)
        );
        out.push(format!(
            "DO $pg_rollback$ DECLARE n bigint; BEGIN n := ({orphans}); IF n = 0 THEN ALTER TABLE {table} VALIDATE \
             CONSTRAINT {name}; ELSIF pg_catalog.current_setting({force}, true) = 'on' THEN PERFORM \
             pg_catalog.set_config({notes}, pg_catalog.concat_ws(E'\\n', \
             NULLIF(pg_catalog.current_setting({notes}, true), ''), pg_catalog.format({note}, n)), true); \
             ELSE RAISE EXCEPTION USING ERRCODE = {code}, MESSAGE = pg_catalog.format({refused}, n); END IF; END \
             $pg_rollback$",
            orphans = orphans(k),
            table = k.table,
            force = literal(FORCE_KEYS),
            notes = literal(KEYS_NOT_VALID),
            note = literal(&note),
            code = literal(super::CONFLICT_SQLSTATE),
            refused = literal(&refused),
        ));
    }
    if let Some(comment) = &k.comment {
        out.push(format!("COMMENT ON CONSTRAINT {} ON {} IS {}", ident(&k.name), k.table, literal(comment)));
    }
}

/// The statements that undo the `DROP TABLE` of `t`: the table moves back, its schema goes, and what was
/// removed before the move comes back. Rows written since that a foreign key would reject refuse the
/// restore (`RESTORE_CONFLICT`, with the count) before any key is added.
pub fn restore_sql(t: &TableToKeep) -> Vec<String> {
    let mut out = move_back_sql(t);
    out.extend(put_back_sql(t));
    out
}

/// The table back under its name (refused when a relation or type took the name since), its schema gone.
fn move_back_sql(t: &TableToKeep) -> Vec<String> {
    let schema = t.table.schema.as_deref().expect("the table is qualified");
    let taken = format!(
        "SELECT count(*) FROM (SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relnamespace = \
         pg_catalog.to_regnamespace({ns}) AND c.relname = {name} UNION ALL SELECT y.typname FROM pg_catalog.pg_type y \
         WHERE y.typnamespace = pg_catalog.to_regnamespace({ns}) AND y.typname = {name}) AS taken",
        ns = literal(&ident(schema)),
        name = literal(&t.table.name)
    );
    vec![
        conflict_check(
            &taken,
            &format!("the name {} was taken again since the migration (", t.table),
            " object(s)): nothing was changed",
        ),
        format!("ALTER TABLE {} SET SCHEMA {}", t.archived(), ident(schema)),
        format!("DROP SCHEMA {}", ident(&t.archive_schema)),
    ]
}

/// What was removed before the move, put back once the table is back.
fn put_back_sql(t: &TableToKeep) -> Vec<String> {
    let table = &t.table;
    let mut out = Vec::new();
    let retype: Vec<String> = t
        .retyped
        .iter()
        .map(|r| {
            let collate = r.collation.as_ref().map(|c| format!(" COLLATE {c}")).unwrap_or_default();
            format!("ALTER COLUMN {c} TYPE {ty}{collate} USING {c}::{ty}", c = ident(&r.column), ty = r.type_sql)
        })
        .collect();
    if !retype.is_empty() {
        out.push(format!("ALTER TABLE {table} {}", retype.join(", ")));
    }
    // Before the keys: another table's key may reference the table through a unique one.
    for i in &t.indexes {
        out.push(i.definition.clone());
        if let Some(comment) = &i.comment {
            let index = ObjectName::qualified(table.schema.as_deref().unwrap_or(""), &i.name);
            out.push(format!("COMMENT ON INDEX {index} IS {}", literal(comment)));
        }
    }
    for d in &t.defaults {
        out.push(format!("ALTER TABLE {table} ALTER COLUMN {} SET DEFAULT {}", ident(&d.column), d.expression));
    }
    for k in t.foreign_keys.iter().chain(&t.referencing) {
        add_foreign_key(k, &mut out);
    }
    for tr in &t.triggers {
        out.extend(create_trigger_sql(table, tr));
    }
    for st in &t.statistics {
        out.push(st.definition.clone());
        if let Some(target) = st.target {
            out.push(format!("ALTER STATISTICS {} SET STATISTICS {target}", st.name));
        }
        if let Some(comment) = &st.comment {
            out.push(format!("COMMENT ON STATISTICS {} IS {}", st.name, literal(comment)));
        }
        out.push(format!("ALTER STATISTICS {} OWNER TO {}", st.name, ident(&st.owner)));
    }
    for p in &t.publications {
        out.push(format!("ALTER PUBLICATION {} ADD {}", ident(&p.publication), publication_target(table, p)));
    }
    out
}

/// `tr` on `table` created again, in its state (`ENABLE REPLICA`, ...) and with its comment.
pub(crate) fn create_trigger_sql(table: &ObjectName, tr: &Trigger) -> Vec<String> {
    let mut out = vec![tr.definition.clone()];
    let state = match tr.enabled.as_str() {
        "D" => Some("DISABLE TRIGGER"),
        "R" => Some("ENABLE REPLICA TRIGGER"),
        "A" => Some("ENABLE ALWAYS TRIGGER"),
        _ => None,
    };
    if let Some(state) = state {
        out.push(format!("ALTER TABLE {table} {state} {}", ident(&tr.name)));
    }
    if let Some(comment) = &tr.comment {
        out.push(format!("COMMENT ON TRIGGER {} ON {table} IS {}", ident(&tr.name), literal(comment)));
    }
    out
}

/// Views a `CASCADE` drops with the tables: dropped before the tables move (the deepest first), created
/// again after everything else (each after what it depends on), with their comments, owners and privileges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DroppedViews {
    pub drop: Vec<String>,
    pub create: Vec<String>,
}

/// `views`: each with the length of its longest chain of dependencies to the tables. Materialized views are
/// refused: their rows would be computed again, not kept.
pub fn dropped_views(views: &[(&ViewFacts, u32)], defaults: &[DefaultPrivilege]) -> Result<DroppedViews, String> {
    let mut ordered: Vec<&(&ViewFacts, u32)> = views.iter().collect();
    ordered.sort_by_key(|(_, depth)| *depth);
    let mut out = DroppedViews::default();
    for (view, _) in &ordered {
        let name = ObjectName::qualified(&view.relation.schema, &view.relation.name);
        if view.relation.kind != "v" {
            return Err(format!("materialized view {name} depends on it (its rows would be computed again)"));
        }
        out.create.extend(view_statements(view, defaults).map_err(|why| format!("view {name}: {why}"))?);
    }
    for (view, _) in ordered.iter().rev() {
        out.drop.push(format!("DROP VIEW {}", ObjectName::qualified(&view.relation.schema, &view.relation.name)));
    }
    Ok(out)
}

/// Undoing a statement that dropped several tables: every table moves back (the last one first) before what
/// ties them to each other and to the rest is put back (a key between two of them needs both), and the views
/// its `CASCADE` dropped come last.
pub fn restore_statement_sql(tables: &[TableToKeep], views: &DroppedViews) -> Vec<String> {
    let moves = tables.iter().rev().flat_map(move_back_sql);
    let rest = tables.iter().rev().flat_map(put_back_sql);
    moves.chain(rest).chain(views.create.iter().cloned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::script;
    use crate::ParsedMigration;

    fn table() -> TableToKeep {
        let mut t = TableToKeep::new(ObjectName::qualified("My Shop", "Order"), "pgrollback_archive/1.1/1/1");
        t.foreign_keys.push(ForeignKey {
            table: t.table.clone(),
            name: "Order customer".into(),
            definition: "FOREIGN KEY (\"Customer\") REFERENCES \"My Shop\".customer(id)".into(),
            comment: Some("it's".into()),
            validated: true,
            columns: vec!["Customer".into()],
            referenced: ObjectName::qualified("My Shop", "customer"),
            referenced_columns: vec!["id".into()],
        });
        t.referencing.push(ForeignKey {
            table: ObjectName::qualified("public", "line"),
            name: "line_order_fkey".into(),
            definition: "FOREIGN KEY (order_id) REFERENCES \"My Shop\".\"Order\"(id) NOT VALID".into(),
            comment: None,
            validated: false,
            columns: vec!["order_id".into()],
            referenced: t.table.clone(),
            referenced_columns: vec!["id".into()],
        });
        t.triggers.push(Trigger {
            name: "Order touch".into(),
            definition: "CREATE TRIGGER \"Order touch\" BEFORE UPDATE ON \"My Shop\".\"Order\" FOR EACH ROW EXECUTE \
                         FUNCTION public.touch()"
                .into(),
            enabled: "D".into(),
            comment: None,
        });
        t.defaults.push(ColumnDefault { column: "n".into(), expression: "nextval('public.s'::regclass)".into() });
        t.statistics.push(Statistics {
            name: ObjectName::qualified("My Shop", "Order stats"),
            definition: "CREATE STATISTICS \"My Shop\".\"Order stats\" (ndistinct) ON id, n FROM \"My Shop\".\"Order\""
                .into(),
            target: Some(50),
            owner: "app owner".into(),
            comment: None,
        });
        t.retyped.push(RetypedColumn { column: "Mood".into(), type_sql: "public.\"Mood\"[]".into(), collation: None });
        t.indexes.push(RebuiltIndex {
            name: "Order trgm".into(),
            definition: "CREATE INDEX \"Order trgm\" ON \"My Shop\".\"Order\" USING gin (note ext.gin_trgm_ops)".into(),
            comment: Some("search".into()),
        });
        t.publications.push(PublicationMember {
            publication: "Pub".into(),
            columns: Some(vec!["id".into(), "Customer".into()]),
            filter: Some("(id > 0)".into()),
        });
        t
    }

    #[test]
    fn schema_names_are_the_archives_and_fit() {
        assert_eq!(schema_name("1.2", 0, 1).as_deref(), Some("pgrollback_archive/1.2/1/2"));
        assert!(is_archive_schema("pgrollback_archive/1.2/1/2"));
        assert!(!is_archive_schema("pgrollback_archive"));
        assert_eq!(schema_name(&"9".repeat(50), 0, 0), None);
    }

    #[test]
    fn keep_removes_what_touches_the_rest_then_moves_the_table() {
        let sql = script(&keep_sql(&table(), "archive of 1.1"));
        ParsedMigration::parse(&sql).unwrap();
        assert!(sql.starts_with("CREATE SCHEMA \"pgrollback_archive/1.1/1/1\";\n"), "{sql}");
        assert!(sql.contains("ALTER TABLE public.line DROP CONSTRAINT line_order_fkey;"), "{sql}");
        assert!(sql.contains("ALTER PUBLICATION \"Pub\" DROP TABLE \"My Shop\".\"Order\";"), "{sql}");
        assert!(sql.contains("DROP TRIGGER \"Order touch\" ON \"My Shop\".\"Order\";"), "{sql}");
        assert!(sql.contains("ALTER TABLE \"My Shop\".\"Order\" ALTER COLUMN n DROP DEFAULT;"), "{sql}");
        assert!(sql.contains("ALTER COLUMN \"Mood\" TYPE text USING \"Mood\"::text;"), "{sql}");
        assert!(sql.contains("DROP STATISTICS \"My Shop\".\"Order stats\";"), "{sql}");
        assert!(sql.find("DROP INDEX \"My Shop\".\"Order trgm\";").unwrap() < sql.find("TYPE text").unwrap(), "{sql}");
        assert!(
            sql.ends_with("ALTER TABLE \"My Shop\".\"Order\" SET SCHEMA \"pgrollback_archive/1.1/1/1\";\n"),
            "{sql}"
        );
    }

    #[test]
    fn restore_moves_back_checks_the_keys_then_puts_everything_back() {
        let sql = script(&restore_sql(&table()));
        ParsedMigration::parse(&sql).unwrap();
        assert!(sql.starts_with("DO $pg_rollback$"), "{sql}");
        assert!(sql.contains("pg_catalog.to_regnamespace('\"My Shop\"') AND c.relname = 'Order'"), "{sql}");
        assert!(
            sql.contains(
                "ALTER TABLE \"pgrollback_archive/1.1/1/1\".\"Order\" SET SCHEMA \"My Shop\";\nDROP SCHEMA \
                 \"pgrollback_archive/1.1/1/1\";\n"
            ),
            "{sql}"
        );
        // The name is checked, the validated key is checked, the NOT VALID one is not.
        assert_eq!(sql.matches("RAISE EXCEPTION").count(), 2, "{sql}");
        let added = "ALTER TABLE \"My Shop\".\"Order\" ADD CONSTRAINT \"Order customer\" FOREIGN KEY (\"Customer\") \
                     REFERENCES \"My Shop\".customer(id) NOT VALID;\nDO $pg_rollback$";
        assert!(sql.contains(added), "{sql}");
        assert!(sql.contains("VALIDATE CONSTRAINT \"Order customer\"; ELSIF"), "{sql}");
        assert!(sql.contains("REFERENCES \"My Shop\".\"Order\"(id) NOT VALID;\nCREATE TRIGGER"), "{sql}");
        assert!(sql.contains("FROM ONLY \"My Shop\".\"Order\" AS r WHERE r.\"Customer\" IS NOT NULL"), "{sql}");
        assert!(sql.contains("COMMENT ON CONSTRAINT \"Order customer\" ON \"My Shop\".\"Order\" IS 'it''s';"), "{sql}");
        assert!(sql.contains("ALTER STATISTICS \"My Shop\".\"Order stats\" OWNER TO \"app owner\";"), "{sql}");
        let retyped = "ALTER COLUMN \"Mood\" TYPE public.\"Mood\"[] USING \"Mood\"::public.\"Mood\"[];";
        assert!(sql.find(retyped).unwrap() < sql.find("SET DEFAULT").unwrap(), "{sql}");
        let index = "CREATE INDEX \"Order trgm\" ON \"My Shop\".\"Order\" USING gin (note ext.gin_trgm_ops);\n\
                     COMMENT ON INDEX \"My Shop\".\"Order trgm\" IS 'search';";
        assert!(sql.find(retyped).unwrap() < sql.find(index).unwrap(), "{sql}");
        assert!(sql.find(index).unwrap() < sql.find("ADD CONSTRAINT").unwrap(), "{sql}");
        assert!(sql.contains("ALTER TABLE \"My Shop\".\"Order\" DISABLE TRIGGER \"Order touch\";"), "{sql}");
        assert!(
            sql.contains(
                "ALTER PUBLICATION \"Pub\" ADD TABLE \"My Shop\".\"Order\" (id, \"Customer\") WHERE ((id > 0));"
            ),
            "{sql}"
        );
    }

    #[test]
    fn several_tables_move_back_before_their_keys() {
        let mut other = table();
        other.table = ObjectName::qualified("public", "b");
        other.archive_schema = "pgrollback_archive/1.1/1/2".into();
        let sql = script(&restore_statement_sql(&[table(), other], &DroppedViews::default()));
        ParsedMigration::parse(&sql).unwrap();
        let second_move = sql.find("\"pgrollback_archive/1.1/1/1\".\"Order\" SET SCHEMA").unwrap();
        assert!(sql.find("\"pgrollback_archive/1.1/1/2\".b SET SCHEMA").unwrap() < second_move, "{sql}");
        assert!(second_move < sql.find("ADD CONSTRAINT").unwrap(), "{sql}");
    }
}
