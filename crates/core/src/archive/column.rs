//! `DROP COLUMN` and `ALTER COLUMN ... TYPE`: the column's values are copied into an archive table keyed by
//! the table's key, and the restore puts them back (re-adding a dropped column with what went with it).
use super::cast_back::{not_null_again, type_back_from_null};
use super::identity::{after_update, owned_sequence_sql, Identity, OwnedSequence};
use super::partitioned::{renamed_back, PartitionIndex};
use super::{archive_relation, conflict_check, without_user_triggers, Target};
use crate::ask::state::Privilege;
use crate::parse::name::ObjectName;
use crate::render::quote::{ident, literal};
use crate::render::restore::{acl_change, AclTarget};

/// A column of the key rows are matched by (the primary key, or a unique index on NOT NULL columns).
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object))]
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
    /// A stored generated column's expression: nothing is copied, the restore adds it back and the values
    /// recompute.
    pub generated: Option<String>,
    /// An identity column's sequence.
    pub identity: Option<Identity>,
    /// The sequence a plain column owns (`serial`).
    pub owned_sequence: Option<OwnedSequence>,
    /// A partitioned table: rows are read and updated through it, in every partition (no `ONLY`).
    pub partitioned: bool,
    /// A type change: whether the new type casts back to this one (else the restore starts from NULL, see
    /// `cast_back.rs`).
    pub cast_back: bool,
    /// A partitioned table's partitions' indexes that go with the column, renamed back after the restore.
    pub partition_indexes: Vec<PartitionIndex>,
    /// A type change: indexes with an expression or predicate, and CHECK constraints, that use the column.
    /// PostgreSQL re-parses them at every type change, so the restore drops them before the type goes back and
    /// creates them again from these definitions.
    pub reparsed_indexes: Vec<Dependent>,
    pub reparsed_checks: Vec<Dependent>,
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
            generated: None,
            identity: None,
            owned_sequence: None,
            partitioned: false,
            partition_indexes: Vec::new(),
            reparsed_indexes: Vec::new(),
            reparsed_checks: Vec::new(),
            cast_back: true,
        }
    }
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
            "INSERT INTO {relation} ({}) SELECT {} FROM {}{} AS t",
            names.join(", "),
            selected.iter().map(|s| format!("t.{s}")).collect::<Vec<_>>().join(", "),
            only(column),
            column.table
        ),
    ]
}

/// `ONLY ` for a plain table; nothing for a partitioned one, whose rows are in its partitions.
pub(super) fn only(column: &ColumnToKeep) -> &'static str {
    if column.partitioned {
        ""
    } else {
        "ONLY "
    }
}

fn cast_kept(column: &str, builtin: bool) -> String {
    if builtin {
        column.to_owned()
    } else {
        format!("{column}::text")
    }
}

/// `t.k = a.k_1 AND ...`: a row of the table and its archived values.
pub(super) fn key_match(column: &ColumnToKeep) -> String {
    let each = column.key.iter().enumerate().map(|(i, k)| {
        format!("t.{} = {}", ident(&k.name), value_back(&format!("a.{}", key_column(i)), &k.type_sql, k.builtin))
    });
    each.collect::<Vec<_>>().join(" AND ")
}

/// Rows of the table that have no archived values: inserted since the migration.
fn rows_since(column: &ColumnToKeep, archive: &str) -> String {
    format!(
        "SELECT count(*) FROM {}{} AS t WHERE NOT EXISTS (SELECT 1 FROM {} AS a WHERE {})",
        only(column),
        column.table,
        archive_relation(archive),
        key_match(column)
    )
}

/// `dml` run without firing the table's user triggers (an `updated_at` or audit trigger would change or record
/// what the restore only puts back); their states are put back as they were.
pub(super) fn without_triggers(column: &ColumnToKeep, dml: &str) -> Result<String, String> {
    let block = without_user_triggers(&column.table.to_string(), column.partitioned, dml);
    // The statement is quoted inside the block's `$pg_rollback$` body.
    match block.matches("$pg_rollback$").count() {
        2 => Ok(block),
        _ => Err("a name holds $pg_rollback$, which the restore's DO blocks are quoted with".into()),
    }
}

fn update_from_archive(column: &ColumnToKeep, archive: &str) -> String {
    format!(
        "UPDATE {}{} AS t SET {} = {} FROM {} AS a WHERE {}",
        only(column),
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

/// Before a type goes back: what would be rebuilt from re-parsed text goes (see `reparsed_indexes`).
fn drop_reparsed(column: &ColumnToKeep) -> Vec<String> {
    let checks = column
        .reparsed_checks
        .iter()
        .map(|k| format!("ALTER TABLE {} DROP CONSTRAINT {}", column.table, ident(&k.name)));
    column.reparsed_indexes.iter().map(|i| format!("DROP INDEX {}", i.name)).chain(checks).collect()
}

/// Once the values are back: the constraints and indexes from their definitions before the migration.
fn create_reparsed(column: &ColumnToKeep) -> Vec<String> {
    let mut out = Vec::new();
    for k in &column.reparsed_checks {
        out.push(format!("ALTER TABLE {} ADD CONSTRAINT {} {}", column.table, ident(&k.name), k.definition));
        if let Some(comment) = &k.comment {
            out.push(format!("COMMENT ON CONSTRAINT {} ON {} IS {}", ident(&k.name), column.table, literal(comment)));
        }
    }
    for i in &column.reparsed_indexes {
        out.push(i.definition.clone());
        if let Some(comment) = &i.comment {
            out.push(format!("COMMENT ON INDEX {} IS {}", i.name, literal(comment)));
        }
    }
    out
}

/// The statements that undo `target` with the archived values, ending with dropping the archive table.
pub fn restore_sql(target: &Target, column: &ColumnToKeep, archive: &str) -> Result<Vec<String>, String> {
    let table = &column.table;
    let name = ident(&column.column);
    let alter = |sub: String| format!("ALTER TABLE {table} {sub}");
    let mut out = Vec::new();
    match target {
        Target::DropColumn { .. } => {
            // Identity and generated columns give rows inserted since a value.
            let valued = column.default.is_some() || column.identity.is_some() || column.generated.is_some();
            if column.not_null && !valued {
                out.push(conflict_check(
                    &rows_since(column, archive),
                    "",
                    &format!(
                        " row(s) of {table} were inserted since the migration, and its column {name} is NOT NULL \
                         without a default: they would have no value; nothing was changed"
                    ),
                ));
            }
            let default = match (&column.generated, &column.identity, &column.default) {
                (Some(expression), _, _) => format!(" GENERATED ALWAYS AS ({expression}) STORED"),
                (None, Some(identity), _) if identity.type_sql != column.type_sql => {
                    return Err(format!("its identity sequence is of type {}, not the column's", identity.type_sql));
                }
                (None, Some(_), _) => String::new(),
                // Set once the sequence is back (owned_sequence_sql).
                (None, None, Some(_)) if column.owned_sequence.is_some() => String::new(),
                (None, None, Some(default)) => format!(" DEFAULT {default}"),
                (None, None, None) => String::new(),
            };
            out.push(alter(format!("ADD COLUMN {name} {}{}{default}", column.type_sql, collate(column))));
            if column.generated.is_none() {
                out.push(without_triggers(column, &update_from_archive(column, archive))?);
            }
            if let Some(identity) = &column.identity {
                out.extend(after_update(column, identity, archive)?);
            }
            if let Some(owned) = &column.owned_sequence {
                let default = column.default.as_deref().ok_or("it owns a sequence but has no default")?;
                out.extend(owned_sequence_sql(column, owned, default, archive)?);
            }
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
                // A partitioned index is defined `ON ONLY` its table; without ONLY it is made on the partitions too.
                match column.partitioned {
                    true => out.push(i.definition.replacen(" ON ONLY ", " ON ", 1)),
                    false => out.push(i.definition.clone()),
                }
                if let Some(comment) = &i.comment {
                    out.push(format!("COMMENT ON INDEX {} IS {}", i.name, literal(comment)));
                }
            }
            if !column.partition_indexes.is_empty() {
                out.push(renamed_back(&column.partition_indexes).ok_or("an index name holds $pg_rollback$")?);
            }
            if let Some(comment) = &column.comment {
                out.push(format!("COMMENT ON COLUMN {table}.{name} IS {}", literal(comment)));
            }
            let object = format!("TABLE {table}");
            let target = AclTarget { object: &object, column: Some(&column.column), owner: &column.owner };
            out.extend(acl_change(&target, &[], &column.acl)?);
        }
        Target::DropTable { .. } => return Err("a DROP TABLE is kept by moving the table (drop_table.rs)".into()),
        Target::EnumValue { .. } | Target::Columns { .. } | Target::Rows { .. } => return Err("not one column".into()),
        Target::ColumnType { .. } if !column.cast_back => {
            out.extend(drop_reparsed(column));
            out.extend(type_back_from_null(column, archive, &collate(column)));
            out.push(without_triggers(column, &update_from_archive(column, archive))?);
            out.extend(not_null_again(column));
            out.extend(create_reparsed(column));
        }
        Target::ColumnType { .. } => {
            out.extend(drop_reparsed(column));
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
            out.push(without_triggers(column, &update_from_archive(column, archive))?);
            out.extend(create_reparsed(column));
        }
    }
    // A generated column has no archive table.
    if column.generated.is_none() {
        out.push(format!("DROP TABLE {}", archive_relation(archive)));
    }
    Ok(out)
}
