//! Keeping what a destructive statement destroys (the archive) and putting it back (the restore). Pure: the
//! database layer reads the facts below from `pg_catalog` (with an empty `search_path`, so every name comes
//! out qualified), runs the SQL built here in the migration's transaction, and stores the restore script.
//!
//! One file per kind of statement kept (`column.rs`: `DROP COLUMN`, `ALTER COLUMN ... TYPE`); this one says
//! what a statement destroys, names the archive's tables and assembles a migration's restore script.
//! Everything else a restore would need says why it is not kept ([`Destroys::NotKept`]).
use crate::parse::migration::ParsedStatement;
use crate::parse::name::ObjectName;
use crate::plan::RollbackPlan;
use crate::render::quote::{ident, literal};
use crate::ParsedMigration;
use pg_query::protobuf::{AlterTableType, DropBehavior, ObjectType};
use pg_query::NodeEnum;
use serde::{Deserialize, Serialize};

mod cast_back;
pub use cast_back::{cast_back_probe, new_type_sql};
mod column;
pub mod drop_table;
pub use column::{keep_sql, restore_sql, ColumnToKeep, Dependent, KeyColumn};
mod preview;
pub use preview::{count_sql, describe, exists_sql, thousands, Counts, KeptColumn, Now, ObjectRestore};
mod enum_value;
pub use enum_value::{enum_restore_sql, EnumColumn, EnumToRestore, EnumTrigger};
mod identity;
pub use identity::{Identity, OwnedSequence};
mod partitioned;
pub use partitioned::PartitionIndex;
mod mixed;
mod triggers;
pub use triggers::without_user_triggers;
pub mod data;
pub mod functions;
pub use data::{added_columns, DataKind, KeptRows, Referencing, RowColumn};

/// The schema archive tables live in (`pg_` prefixes are reserved by PostgreSQL for system schemas).
pub const SCHEMA: &str = "pgrollback_archive";
/// Default ceiling of kept data per migration (`archiveMaxBytes`).
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;
/// SQLSTATE the restore script raises when data since the migration makes the restore impossible.
pub const CONFLICT_SQLSTATE: &str = "PRB01";

/// What a statement kept in the archive would be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    DropColumn {
        relation: ObjectName,
        column: String,
    },
    ColumnType {
        relation: ObjectName,
        column: String,
    },
    /// `DROP TABLE` of one or more tables, as written (`missing_ok`: `IF EXISTS`).
    DropTable {
        relations: Vec<ObjectName>,
        missing_ok: bool,
        cascade: bool,
    },
    /// `ALTER TYPE ... ADD VALUE`: nothing to keep; the restore removes the value (`relation` is the type).
    EnumValue {
        type_name: ObjectName,
        label: String,
        if_not_exists: bool,
    },
    /// One `ALTER TABLE` with several `DROP COLUMN` / `ALTER COLUMN TYPE` subcommands, in their order (each a
    /// `DropColumn` or `ColumnType` of `relation`): kept as one, restored last subcommand first, after
    /// `others_undone`, the inverse of its other subcommands; `others_to_capture`: those subcommands alone, when
    /// their inverse needs the state before (the archive learns it; it runs before `others_undone`).
    Columns {
        relation: ObjectName,
        parts: Vec<Target>,
        others_undone: Option<String>,
        others_to_capture: Option<OthersToCapture>,
    },
    /// A data statement (`data.rs`): the rows it changes in `relations` (several only for `TRUNCATE`);
    /// `upsert`: `ON CONFLICT DO UPDATE`; `functions`: the functions it calls, as written; `set_columns`: the
    /// columns its updates write (`UPDATE ... SET`, `ON CONFLICT DO UPDATE SET`), `None` when not known.
    Rows {
        kind: DataKind,
        relations: Vec<ObjectName>,
        upsert: bool,
        functions: Vec<String>,
        set_columns: Option<Vec<String>>,
    },
}

impl Target {
    pub fn relation(&self) -> &ObjectName {
        match self {
            Target::DropColumn { relation, .. } | Target::ColumnType { relation, .. } => relation,
            Target::DropTable { relations, .. } => &relations[0],
            Target::EnumValue { type_name, .. } => type_name,
            Target::Columns { relation, .. } => relation,
            Target::Rows { relations, .. } => &relations[0],
        }
    }

    pub fn column(&self) -> &str {
        match self {
            Target::DropColumn { column, .. } | Target::ColumnType { column, .. } => column,
            Target::DropTable { .. } => "",
            Target::EnumValue { label, .. } => label,
            Target::Columns { .. } | Target::Rows { .. } => "",
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Target::DropColumn { .. } => "DROP COLUMN",
            Target::ColumnType { .. } => "ALTER COLUMN TYPE",
            Target::DropTable { .. } => "DROP TABLE",
            Target::EnumValue { .. } => "ADD VALUE",
            Target::Columns { .. } => "ALTER TABLE",
            Target::Rows { kind, .. } => kind.as_str(),
        }
    }
}

/// The other subcommands of an `ALTER TABLE` whose inverse needs the state: run with capture under a savepoint
/// that is rolled back, after its `DROP COLUMN`s (an `ADD PRIMARY KEY` can need the dropped key gone first; type
/// changes, which may rewrite the table, are left out: the inverse does not depend on them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OthersToCapture {
    pub drops_first: Option<String>,
    pub others: String,
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
            if cmds.len() > 1 {
                return match mixed::split(s, destroying) {
                    Ok(split) => columns(
                        ObjectName::from_range_var(rv),
                        &split.kept.iter().collect::<Vec<_>>(),
                        split.undone,
                        split.to_capture,
                    ),
                    Err(why) => Destroys::NotKept(why),
                };
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
            let relations: Option<Vec<ObjectName>> =
                s.objects.iter().map(|o| o.node.as_ref().and_then(crate::invert::families::drops::list_name)).collect();
            match relations {
                Some(relations) if !relations.is_empty() => Destroys::Target(Target::DropTable {
                    relations,
                    missing_ok: s.missing_ok,
                    cascade: s.behavior() == DropBehavior::DropCascade,
                }),
                _ => Destroys::NotKept("a DROP TABLE whose table names cannot be read is not archived".into()),
            }
        }
        NodeEnum::AlterEnumStmt(s) if s.old_val.is_empty() => match ObjectName::from_nodes(&s.type_name) {
            Some(type_name) => Destroys::Target(Target::EnumValue {
                type_name,
                label: s.new_val.clone(),
                if_not_exists: s.skip_if_new_val_exists,
            }),
            None => Destroys::NotKept("ALTER TYPE with an unreadable name".into()),
        },
        _ => data::classify(statement).unwrap_or(Destroys::Nothing),
    }
}

/// Several column subcommands of one `ALTER TABLE`, each kept on its own; a column named twice is refused.
fn columns(
    relation: ObjectName,
    cmds: &[&pg_query::protobuf::AlterTableCmd],
    others_undone: Option<String>,
    others_to_capture: Option<OthersToCapture>,
) -> Destroys {
    let mut parts = Vec::new();
    for (i, cmd) in cmds.iter().enumerate() {
        if cmds[..i].iter().any(|c| c.name == cmd.name) {
            return Destroys::NotKept(format!(
                "an ALTER TABLE that changes the column {} twice is not archived",
                ident(&cmd.name)
            ));
        }
        let (relation, column) = (relation.clone(), cmd.name.clone());
        parts.push(match cmd.subtype() {
            AlterTableType::AtDropColumn if cmd.behavior() == DropBehavior::DropCascade => {
                return Destroys::NotKept(
                    "DROP COLUMN ... CASCADE is not archived (what the cascade drops is not kept)".into(),
                )
            }
            AlterTableType::AtDropColumn => Target::DropColumn { relation, column },
            _ => Target::ColumnType { relation, column },
        });
    }
    Destroys::Target(Target::Columns { relation, parts, others_undone, others_to_capture })
}

/// The archive table of part `part` (0-based) of statement `index` when it keeps several columns.
pub fn part_table_name(version: &str, index: usize, part: usize) -> Option<String> {
    let name = format!("{version}/{}.{}", index + 1, part + 1);
    (name.len() <= 63).then_some(name)
}

/// The archive table of statement `index` (0-based) of `version`: `None` when the name would not fit
/// PostgreSQL's 63 bytes.
pub fn table_name(version: &str, index: usize) -> Option<String> {
    let name = format!("{version}/{}", index + 1);
    (name.len() <= 63).then_some(name)
}

pub(crate) fn archive_relation(name: &str) -> String {
    format!("{}.{}", ident(SCHEMA), ident(name))
}

/// A `DO` block raising [`CONFLICT_SQLSTATE`] with the message `before` count `after` when `count_sql` counts
/// more than zero. The texts may hold any name: they are escaped for the `format()` template here.
pub(crate) fn conflict_check(count_sql: &str, before: &str, after: &str) -> String {
    let template = format!("{}%s{}", before.replace('%', "%%"), after.replace('%', "%%"));
    format!(
        "DO $pg_rollback$ DECLARE n bigint; BEGIN n := ({count_sql}); IF n > 0 THEN RAISE EXCEPTION USING ERRCODE = \
         {}, MESSAGE = pg_catalog.format({}, n); END IF; END $pg_rollback$",
        literal(CONFLICT_SQLSTATE),
        literal(&template)
    )
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
    /// What the restore preview needs of each kept column (empty in records written before it was stored).
    #[serde(default)]
    pub columns: Vec<KeptColumn>,
    /// What the restore preview needs of each table whose rows a data statement changed (`data.rs`).
    #[serde(default)]
    pub rows_kept: Vec<KeptRows>,
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
        assert_eq!(
            first("DROP TABLE IF EXISTS \"S\".\"T\", u CASCADE"),
            Destroys::Target(Target::DropTable {
                relations: vec![ObjectName::qualified("S", "T"), ObjectName::unqualified("u")],
                missing_ok: true,
                cascade: true,
            })
        );
        assert!(matches!(first("DROP TABLE t"), Destroys::Target(Target::DropTable { cascade: false, .. })));
        assert!(matches!(first("ALTER TABLE t DROP COLUMN c, ADD COLUMN d int"), Destroys::Target(_)));
        assert_eq!(
            first("ALTER TABLE s.t DROP COLUMN \"A\", ALTER COLUMN b TYPE int"),
            Destroys::Target(Target::Columns {
                relation: ObjectName::qualified("s", "t"),
                parts: vec![
                    Target::DropColumn { relation: ObjectName::qualified("s", "t"), column: "A".into() },
                    Target::ColumnType { relation: ObjectName::qualified("s", "t"), column: "b".into() },
                ],
                others_undone: None,
                others_to_capture: None,
            })
        );
        assert!(matches!(first("ALTER TABLE t DROP COLUMN a, DROP COLUMN b CASCADE"), Destroys::NotKept(_)));
        assert!(matches!(first("ALTER TABLE t ALTER COLUMN a TYPE int, DROP COLUMN a"), Destroys::NotKept(_)));
        assert_eq!(
            first("ALTER TYPE s.\"E\" ADD VALUE IF NOT EXISTS 'It''s' BEFORE 'a'"),
            Destroys::Target(Target::EnumValue {
                type_name: ObjectName::qualified("s", "E"),
                label: "It's".into(),
                if_not_exists: true
            })
        );
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
        assert!(sql.contains("FROM pgrollback_archive.\"1.0/1\" AS a WHERE t.id = a.k_1'; FOR i IN"), "{sql}");
        assert!(sql.contains("DISABLE TRIGGER"), "the restore's UPDATE runs without the user triggers: {sql}");
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
