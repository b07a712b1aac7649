//! Keeping what a destructive statement destroys (the archive) and putting it back (the restore). Pure: the
//! database layer reads the facts below from `pg_catalog` (with an empty `search_path`, so every name comes
//! out qualified), runs the SQL built here in the migration's transaction, and stores the restore script.
//!
//! Kept so far: `ALTER TABLE ... DROP COLUMN` (the values and what recreates the column) and `ALTER TABLE
//! ... ALTER COLUMN ... TYPE` (the old values), each as the only subcommand of its statement. Everything
//! else a restore would need says why it is not kept ([`Destroys::NotKept`]).
use crate::parse::migration::ParsedStatement;
use crate::parse::name::ObjectName;
use crate::plan::RollbackPlan;
use crate::render::quote::{ident, literal};
use crate::render::restore::{acl_change, AclTarget};
use crate::ask::state::Privilege;
use crate::ParsedMigration;
use pg_query::protobuf::{AlterTableType, DropBehavior, ObjectType};
use pg_query::NodeEnum;
use serde::{Deserialize, Serialize};

/// The schema archive tables live in (`pg_` prefixes are reserved by PostgreSQL for system schemas).
pub const SCHEMA: &str = "pgrollback_archive";
/// Default ceiling of kept data per migration (`archiveMaxBytes`).
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;
/// SQLSTATE the restore script raises when data since the migration makes the restore impossible.
pub const CONFLICT_SQLSTATE: &str = "PRB01";

/// What a statement kept in the archive would be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    DropColumn { relation: ObjectName, column: String },
    ColumnType { relation: ObjectName, column: String },
}

impl Target {
    pub fn relation(&self) -> &ObjectName {
        match self {
            Target::DropColumn { relation, .. } | Target::ColumnType { relation, .. } => relation,
        }
    }

    pub fn column(&self) -> &str {
        match self {
            Target::DropColumn { column, .. } | Target::ColumnType { column, .. } => column,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Target::DropColumn { .. } => "DROP COLUMN",
            Target::ColumnType { .. } => "ALTER COLUMN TYPE",
        }
    }
}

/// What a statement destroys, as far as the archive is concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destroys {
    /// Nothing the archive is about (its rollback, if any, comes from the plan).
    Nothing,
    Target(Target),
    /// Data a restore would need that is not kept, and why.
    NotKept(String),
}

pub fn classify(statement: &ParsedStatement) -> Destroys {
    match &statement.node {
        NodeEnum::AlterTableStmt(s) if s.objtype() == ObjectType::ObjectTable => {
            let Some(rv) = &s.relation else { return Destroys::Nothing };
            let cmds: Vec<_> = s
                .cmds
                .iter()
                .filter_map(|c| match &c.node {
                    Some(NodeEnum::AlterTableCmd(cmd)) => Some(cmd),
                    _ => None,
                })
                .collect();
            let destroying =
                |t: AlterTableType| matches!(t, AlterTableType::AtDropColumn | AlterTableType::AtAlterColumnType);
            if !cmds.iter().any(|c| destroying(c.subtype())) {
                return Destroys::Nothing;
            }
            if cmds.len() != 1 {
                return Destroys::NotKept(
                    "an ALTER TABLE that drops or retypes a column together with other subcommands is not archived \
                     yet (write it as separate statements)"
                        .into(),
                );
            }
            let cmd = cmds[0];
            let relation = ObjectName::from_range_var(rv);
            match cmd.subtype() {
                AlterTableType::AtDropColumn if cmd.behavior() == DropBehavior::DropCascade => Destroys::NotKept(
                    "DROP COLUMN ... CASCADE is not archived (what the cascade drops is not kept)".into(),
                ),
                AlterTableType::AtDropColumn => {
                    Destroys::Target(Target::DropColumn { relation, column: cmd.name.clone() })
                }
                _ => Destroys::Target(Target::ColumnType { relation, column: cmd.name.clone() }),
            }
        }
        NodeEnum::DropStmt(s) if s.remove_type() == ObjectType::ObjectTable => {
            Destroys::NotKept("DROP TABLE is not archived yet".into())
        }
        NodeEnum::AlterEnumStmt(s) if s.old_val.is_empty() => {
            Destroys::NotKept("restoring an enum without a value added by ADD VALUE is not available yet".into())
        }
        _ => Destroys::Nothing,
    }
}

/// A column of the key rows are matched by (the primary key, or a unique index on NOT NULL columns).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct KeyColumn {
    pub name: String,
    /// `format_type`, qualified.
    pub type_sql: String,
    /// A `pg_catalog` type (or an array of one): kept as is; other types are kept as text.
    pub builtin: bool,
}

/// A constraint or index that goes with the column (dropped with it, recreated by the restore).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Dependent {
    /// Qualified and quoted for an index (`s.i`), bare for a constraint.
    pub name: String,
    /// `pg_get_constraintdef` / `pg_get_indexdef`.
    pub definition: String,
    pub comment: Option<String>,
}

/// The column a statement drops or retypes, as it was right before the statement (read by the database layer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnToKeep {
    /// Schema-qualified.
    pub table: ObjectName,
    pub owner: String,
    pub column: String,
    pub type_sql: String,
    pub builtin: bool,
    /// `COLLATE ...` operand when it is not the type's default collation, qualified and quoted.
    pub collation: Option<String>,
    pub default: Option<String>,
    pub not_null: bool,
    pub comment: Option<String>,
    pub acl: Vec<Privilege>,
    /// `attstattarget` when set.
    pub statistics: Option<i32>,
    /// `attstorage` when it differs from the type's: `p`, `e`, `m`, `x`.
    pub storage: Option<String>,
    /// `attcompression`: `p` (pglz) or `l` (lz4), when set.
    pub compression: Option<String>,
    /// `attoptions` (`n_distinct=...`).
    pub options: Vec<String>,
    pub constraints: Vec<Dependent>,
    pub indexes: Vec<Dependent>,
    pub key: Vec<KeyColumn>,
}

impl ColumnToKeep {
    /// A plain column of `table` (the rest is filled in from the catalog).
    pub fn new(table: ObjectName, owner: &str, column: &str, type_sql: &str, builtin: bool) -> Self {
        ColumnToKeep {
            table,
            owner: owner.to_owned(),
            column: column.to_owned(),
            type_sql: type_sql.to_owned(),
            builtin,
            collation: None,
            default: None,
            not_null: false,
            comment: None,
            acl: Vec::new(),
            statistics: None,
            storage: None,
            compression: None,
            options: Vec::new(),
            constraints: Vec::new(),
            indexes: Vec::new(),
            key: Vec::new(),
        }
    }
}

/// The archive table of statement `index` (0-based) of `version`: `None` when the name would not fit
/// PostgreSQL's 63 bytes.
pub fn table_name(version: &str, index: usize) -> Option<String> {
    let name = format!("{version}/{}", index + 1);
    (name.len() <= 63).then_some(name)
}

fn archive_relation(name: &str) -> String {
    format!("{}.{}", ident(SCHEMA), ident(name))
}

fn key_column(i: usize) -> String {
    format!("k_{}", i + 1)
}

fn kept_type(type_sql: &str, builtin: bool) -> &str {
    if builtin {
        type_sql
    } else {
        "text"
    }
}

/// The archive value cast back to the column's type.
fn value_back(expr: &str, type_sql: &str, builtin: bool) -> String {
    if builtin {
        expr.to_owned()
    } else {
        format!("{expr}::{type_sql}")
    }
}

/// Statements that create the archive table of `column` and copy the values into it, on the server. The
/// caller creates the schema first and drops a leftover table of the same name.
pub fn keep_sql(column: &ColumnToKeep, archive: &str, comment: &str) -> Vec<String> {
    let relation = archive_relation(archive);
    let mut columns: Vec<String> = column
        .key
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{} {}", key_column(i), kept_type(&k.type_sql, k.builtin)))
        .collect();
    columns.push(format!("value {}", kept_type(&column.type_sql, column.builtin)));
    let mut selected: Vec<String> = column.key.iter().map(|k| cast_kept(&ident(&k.name), k.builtin)).collect();
    selected.push(cast_kept(&ident(&column.column), column.builtin));
    let names: Vec<String> = (0..column.key.len()).map(key_column).chain(["value".to_owned()]).collect();
    vec![
        format!("CREATE TABLE {relation} ({})", columns.join(", ")),
        format!("REVOKE ALL ON TABLE {relation} FROM PUBLIC"),
        format!("COMMENT ON TABLE {relation} IS {}", literal(comment)),
        format!(
            "INSERT INTO {relation} ({}) SELECT {} FROM ONLY {} AS t",
            names.join(", "),
            selected.iter().map(|s| format!("t.{s}")).collect::<Vec<_>>().join(", "),
            column.table
        ),
    ]
}

fn cast_kept(column: &str, builtin: bool) -> String {
    if builtin {
        column.to_owned()
    } else {
        format!("{column}::text")
    }
}

/// `t.k = a.k_1 AND ...`: a row of the table and its archived values.
fn key_match(column: &ColumnToKeep) -> String {
    let each = column.key.iter().enumerate().map(|(i, k)| {
        format!("t.{} = {}", ident(&k.name), value_back(&format!("a.{}", key_column(i)), &k.type_sql, k.builtin))
    });
    each.collect::<Vec<_>>().join(" AND ")
}

/// A `DO` block raising [`CONFLICT_SQLSTATE`] with `message` (a `format()` template with one `%s`, the
/// count) when `count_sql` counts more than zero.
fn conflict_check(count_sql: &str, message: &str) -> String {
    format!(
        "DO $pg_rollback$ DECLARE n bigint; BEGIN n := ({count_sql}); IF n > 0 THEN RAISE EXCEPTION USING ERRCODE = \
         {}, MESSAGE = format({}, n); END IF; END $pg_rollback$",
        literal(CONFLICT_SQLSTATE),
        literal(message)
    )
}

/// Rows of the table that have no archived values: inserted since the migration.
fn rows_since(column: &ColumnToKeep, archive: &str) -> String {
    format!(
        "SELECT count(*) FROM ONLY {} AS t WHERE NOT EXISTS (SELECT 1 FROM {} AS a WHERE {})",
        column.table,
        archive_relation(archive),
        key_match(column)
    )
}

fn update_triggers_check(column: &ColumnToKeep) -> String {
    conflict_check(
        &format!(
            "SELECT count(*) FROM pg_catalog.pg_trigger WHERE tgrelid = {}::pg_catalog.regclass AND NOT tgisinternal \
             AND tgenabled <> 'D' AND (tgtype & 16) <> 0",
            literal(&column.table.to_string())
        ),
        &format!("%s enabled trigger(s) on {} would fire on the restore's UPDATE; nothing was changed", column.table),
    )
}

fn update_from_archive(column: &ColumnToKeep, archive: &str) -> String {
    format!(
        "UPDATE ONLY {} AS t SET {} = {} FROM {} AS a WHERE {}",
        column.table,
        ident(&column.column),
        value_back("a.value", &column.type_sql, column.builtin),
        archive_relation(archive),
        key_match(column)
    )
}

fn collate(column: &ColumnToKeep) -> String {
    column.collation.as_ref().map(|c| format!(" COLLATE {c}")).unwrap_or_default()
}

/// The statements that undo `target` with the archived values, ending with dropping the archive table.
pub fn restore_sql(target: &Target, column: &ColumnToKeep, archive: &str) -> Result<Vec<String>, String> {
    let table = &column.table;
    let name = ident(&column.column);
    let alter = |sub: String| format!("ALTER TABLE {table} {sub}");
    let mut out = Vec::new();
    match target {
        Target::DropColumn { .. } => {
            if column.not_null && column.default.is_none() {
                out.push(conflict_check(
                    &rows_since(column, archive),
                    &format!(
                        "%s row(s) of {table} were inserted since the migration, and its column {name} is NOT NULL \
                         without a default: they would have no value; nothing was changed"
                    ),
                ));
            }
            out.push(update_triggers_check(column));
            let default = column.default.as_ref().map(|d| format!(" DEFAULT {d}")).unwrap_or_default();
            out.push(alter(format!("ADD COLUMN {name} {}{}{default}", column.type_sql, collate(column))));
            out.push(update_from_archive(column, archive));
            if column.not_null {
                out.push(alter(format!("ALTER COLUMN {name} SET NOT NULL")));
            }
            if let Some(target) = column.statistics {
                out.push(alter(format!("ALTER COLUMN {name} SET STATISTICS {target}")));
            }
            if let Some(storage) = &column.storage {
                let storage = match storage.as_str() {
                    "p" => "PLAIN",
                    "e" => "EXTERNAL",
                    "m" => "MAIN",
                    "x" => "EXTENDED",
                    other => return Err(format!("unknown storage {other:?}")),
                };
                out.push(alter(format!("ALTER COLUMN {name} SET STORAGE {storage}")));
            }
            if let Some(compression) = &column.compression {
                let method = match compression.as_str() {
                    "p" => "pglz",
                    "l" => "lz4",
                    other => return Err(format!("unknown compression {other:?}")),
                };
                out.push(alter(format!("ALTER COLUMN {name} SET COMPRESSION {method}")));
            }
            if !column.options.is_empty() {
                out.push(alter(format!("ALTER COLUMN {name} SET ({})", column.options.join(", "))));
            }
            for c in &column.constraints {
                out.push(alter(format!("ADD CONSTRAINT {} {}", ident(&c.name), c.definition)));
                if let Some(comment) = &c.comment {
                    out.push(format!("COMMENT ON CONSTRAINT {} ON {table} IS {}", ident(&c.name), literal(comment)));
                }
            }
            for i in &column.indexes {
                out.push(i.definition.clone());
                if let Some(comment) = &i.comment {
                    out.push(format!("COMMENT ON INDEX {} IS {}", i.name, literal(comment)));
                }
            }
            if let Some(comment) = &column.comment {
                out.push(format!("COMMENT ON COLUMN {table}.{name} IS {}", literal(comment)));
            }
            let object = format!("TABLE {table}");
            let target = AclTarget { object: &object, column: Some(&column.column), owner: &column.owner };
            out.extend(acl_change(&target, &[], &column.acl)?);
        }
        Target::ColumnType { .. } => {
            out.push(update_triggers_check(column));
            // The default is dropped around the change: PostgreSQL would cast it twice.
            let mut subs = Vec::new();
            if column.default.is_some() {
                subs.push(format!("ALTER COLUMN {name} DROP DEFAULT"));
            }
            subs.push(format!(
                "ALTER COLUMN {name} TYPE {ty}{} USING {name}::{ty}",
                collate(column),
                ty = column.type_sql
            ));
            if let Some(default) = &column.default {
                subs.push(format!("ALTER COLUMN {name} SET DEFAULT {default}"));
            }
            out.push(alter(subs.join(", ")));
            out.push(update_from_archive(column, archive));
        }
    }
    out.push(format!("DROP TABLE {}", archive_relation(archive)));
    Ok(out)
}

/// What one statement's restore is: its index and its SQL (statements each ending with `;` and a newline).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptStatement {
    pub index: usize,
    pub restore: String,
}

pub fn script(statements: &[String]) -> String {
    statements.iter().map(|s| format!("{s};\n")).collect()
}

/// The restore script of a migration: the plan's inverses, last statement first, with each archived
/// statement undone by its restore. `Err`: why there is none (a statement neither reversible nor kept, a
/// plan that cannot run in a transaction). Re-parsed before it is returned.
pub fn restore_script(
    plan: &RollbackPlan,
    kept: &[KeptStatement],
    not_kept: &[(usize, String)],
) -> Result<String, String> {
    if kept.is_empty() {
        return Err("nothing of it was archived".into());
    }
    if !plan.transactional {
        return Err("its rollback cannot run in a transaction".into());
    }
    let mut out = String::new();
    for s in plan.statements.iter().rev() {
        let index = s.index as usize;
        if let Some(k) = kept.iter().find(|k| k.index == index) {
            out.push_str(&k.restore);
        } else if s.reversible {
            out.push_str(s.inverse.as_deref().unwrap_or(""));
        } else {
            let why = not_kept.iter().find(|(i, _)| *i == index).map(|(_, why)| format!(": {why}")).unwrap_or_default();
            return Err(format!(
                "statement {} (line {}, {}) is not reversible and its data was not archived{why}",
                index + 1,
                s.line,
                s.code.map_or("no code", |c| c.as_str())
            ));
        }
    }
    ParsedMigration::parse(&out).map_err(|e| format!("the restore script does not parse: {e}"))?;
    Ok(out)
}

/// One archive table, as `schema_versions.archive` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct ArchivedObject {
    /// Qualified and quoted, e.g. `pgrollback_archive."1.2.0/3"`.
    pub table: String,
    /// 0-based statement of the migration.
    pub statement_index: u32,
    /// `DROP COLUMN`, `ALTER COLUMN TYPE`.
    pub kind: String,
    /// The column it keeps, e.g. `public.orders.notes`.
    pub source: String,
    pub rows: i64,
    pub bytes: i64,
}

/// A statement whose data was not archived, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct NotArchived {
    pub statement_index: u32,
    pub reason: String,
}

/// `schema_versions.archive`: what the archive holds for a version, and why a restore is not available.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct ArchiveRecord {
    pub objects: Vec<ArchivedObject>,
    pub rows: i64,
    pub bytes: i64,
    /// Statements whose data was not kept (warnings of the archive; the plan's warnings stay the spec's).
    pub not_archived: Vec<NotArchived>,
    /// Why there is no restore script, when there is none.
    pub restore_unavailable: Option<String>,
}

pub fn archive_comment(version: &str, statement: &ParsedStatement, index: usize) -> String {
    let text: String = statement.text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(200).collect();
    format!("pg-rollback archive of migration {version}, statement {} (line {}): {text}", index + 1, statement.line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(sql: &str) -> Destroys {
        classify(&ParsedMigration::parse(sql).unwrap().statements[0])
    }

    #[test]
    fn classifies_what_destroys_data() {
        assert_eq!(
            first("ALTER TABLE s.\"T\" DROP COLUMN \"Note\""),
            Destroys::Target(Target::DropColumn { relation: ObjectName::qualified("s", "T"), column: "Note".into() })
        );
        assert!(matches!(
            first("ALTER TABLE t ALTER COLUMN c TYPE int USING c::int"),
            Destroys::Target(Target::ColumnType { .. })
        ));
        assert!(matches!(first("ALTER TABLE t DROP COLUMN c CASCADE"), Destroys::NotKept(_)));
        assert!(matches!(first("ALTER TABLE t DROP COLUMN c, ADD COLUMN d int"), Destroys::NotKept(_)));
        assert!(matches!(first("DROP TABLE t"), Destroys::NotKept(_)));
        assert!(matches!(first("ALTER TYPE e ADD VALUE 'x'"), Destroys::NotKept(_)));
        assert_eq!(first("ALTER TYPE e RENAME VALUE 'x' TO 'y'"), Destroys::Nothing);
        assert_eq!(first("ALTER TABLE t ADD COLUMN c int"), Destroys::Nothing);
        assert_eq!(first("DROP INDEX i"), Destroys::Nothing);
    }

    #[test]
    fn restore_of_a_dropped_column_parses_and_quotes() {
        let column = ColumnToKeep {
            default: Some("'x'::text".into()),
            not_null: true,
            comment: Some("it's".into()),
            constraints: vec![Dependent {
                name: "Note_check".into(),
                definition: "CHECK ((\"Note\" <> ''::text))".into(),
                comment: None,
            }],
            key: vec![KeyColumn { name: "id".into(), type_sql: "integer".into(), builtin: true }],
            ..ColumnToKeep::new(ObjectName::qualified("my schema", "order"), "app", "Note", "text", true)
        };
        let target = Target::DropColumn { relation: column.table.clone(), column: "Note".into() };
        let sql = script(&restore_sql(&target, &column, "1.0/1").unwrap());
        assert!(
            sql.contains("ALTER TABLE \"my schema\".\"order\" ADD COLUMN \"Note\" text DEFAULT 'x'::text;"),
            "{sql}"
        );
        assert!(sql.contains("FROM pgrollback_archive.\"1.0/1\" AS a WHERE t.id = a.k_1;"), "{sql}");
        assert!(sql.ends_with("DROP TABLE pgrollback_archive.\"1.0/1\";\n"), "{sql}");
        ParsedMigration::parse(&sql).unwrap();
        let keep = script(&keep_sql(&column, "1.0/1", "c"));
        ParsedMigration::parse(&keep).unwrap();
    }

    #[test]
    fn the_restore_script_undoes_the_last_statement_first_and_needs_every_statement() {
        let plan = crate::generate_rollback(
            "ALTER TABLE t ADD COLUMN b int;\nALTER TABLE t DROP COLUMN a;\nCREATE INDEX i ON t (b);",
        )
        .unwrap();
        let kept = [KeptStatement { index: 1, restore: "ALTER TABLE public.t ADD COLUMN a text;\n".into() }];
        let script = restore_script(&plan, &kept, &[]).unwrap();
        assert_eq!(script, "DROP INDEX i;\nALTER TABLE public.t ADD COLUMN a text;\nALTER TABLE t DROP COLUMN b;\n");
        let why = restore_script(&plan, &[], &[(1, "no key".into())]).unwrap_err();
        assert!(why.contains("nothing of it was archived"), "{why}");
        let data = crate::generate_rollback("ALTER TABLE t DROP COLUMN a;\nUPDATE t SET b = 1;").unwrap();
        let kept = [KeptStatement { index: 0, restore: "SELECT 1;\n".into() }];
        let why = restore_script(&data, &kept, &[]).unwrap_err();
        assert!(why.starts_with("statement 2 (line 2, DATA_MIGRATION)"), "{why}");
    }

    #[test]
    fn table_names_fit() {
        assert_eq!(table_name("1.2.0", 2).as_deref(), Some("1.2.0/3"));
        assert_eq!(table_name(&"9".repeat(70), 0), None);
    }
}
