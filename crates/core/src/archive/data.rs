//! Data statements (`UPDATE`, `DELETE`, `INSERT`, `MERGE`, `TRUNCATE`): the rows they change are captured at
//! apply into an archive table (`op`, the old values `o_*`, the new values `n_*`) by a temporary row trigger
//! (a copy of the whole table for `TRUNCATE`), and the restore puts the old rows back, refusing
//! (`RESTORE_CONFLICT`) where a row changed since the migration unless the setting [`RESTORE_ROWS`] says to
//! keep (`keep`) or overwrite (`overwrite`) the newer values.
use pg_query::protobuf::DropBehavior;
use pg_query::{NodeEnum, NodeRef};
use serde::{Deserialize, Serialize};

use super::{archive_relation, drop_table::KEYS_NOT_VALID, without_user_triggers, Destroys, Target, CONFLICT_SQLSTATE};
use crate::parse::migration::ParsedStatement;
use crate::parse::name::ObjectName;
use crate::render::quote::{ident, literal};

/// The setting a restore reads for conflicting rows: `''` refuses, `keep` keeps their newer values,
/// `overwrite` gives them the archived ones.
pub const RESTORE_ROWS: &str = "pg_rollback.restore_rows";
/// The name of the temporary capture trigger on the table while its statement runs.
pub const CAPTURE_TRIGGER: &str = "pgrollback_capture";

/// Which data statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataKind {
    Update,
    Delete,
    Insert,
    Merge,
    Truncate,
}

impl DataKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DataKind::Update => "UPDATE",
            DataKind::Delete => "DELETE",
            DataKind::Insert => "INSERT",
            DataKind::Merge => "MERGE",
            DataKind::Truncate => "TRUNCATE",
        }
    }

    /// Referential actions of keys referencing the table that the statement or its restore fire:
    /// `(on update, on delete)`.
    pub fn fires(self, upsert: bool) -> (bool, bool) {
        match self {
            // The restore of an UPDATE is an UPDATE; of an INSERT a DELETE (and an UPDATE for ON CONFLICT DO UPDATE).
            DataKind::Update => (true, false),
            DataKind::Delete => (false, true),
            DataKind::Insert => (upsert, true),
            DataKind::Merge => (true, true),
            DataKind::Truncate => (false, false),
        }
    }
}

fn relation_of(node: &Option<pg_query::protobuf::RangeVar>) -> Option<ObjectName> {
    node.as_ref().filter(|rv| !rv.relname.is_empty()).map(ObjectName::from_range_var)
}

/// What a data statement changes, or why it is not kept; `None` for statements that are not one.
pub(super) fn classify(statement: &ParsedStatement) -> Option<Destroys> {
    let not_kept = |why: &str| Some(Destroys::NotKept(why.to_owned()));
    let mut set_columns = None;
    let (kind, relations, upsert) = match &statement.node {
        NodeEnum::UpdateStmt(s) => {
            set_columns = Some(targets(&s.target_list));
            (DataKind::Update, vec![relation_of(&s.relation)], false)
        }
        NodeEnum::DeleteStmt(s) => (DataKind::Delete, vec![relation_of(&s.relation)], false),
        NodeEnum::InsertStmt(s) => {
            let update = s
                .on_conflict_clause
                .as_ref()
                .filter(|c| c.action() == pg_query::protobuf::OnConflictAction::OnconflictUpdate);
            set_columns = Some(update.map(|c| targets(&c.target_list)).unwrap_or_default());
            (DataKind::Insert, vec![relation_of(&s.relation)], update.is_some())
        }
        NodeEnum::MergeStmt(s) => (DataKind::Merge, vec![relation_of(&s.relation)], true),
        NodeEnum::TruncateStmt(s) => {
            if s.behavior() == DropBehavior::DropCascade {
                return not_kept("TRUNCATE ... CASCADE is not archived (what the cascade empties is not named)");
            }
            if s.restart_seqs {
                return not_kept("TRUNCATE ... RESTART IDENTITY is not archived (the sequences' values are not kept)");
            }
            let relations = s
                .relations
                .iter()
                .map(|r| match &r.node {
                    Some(NodeEnum::RangeVar(rv)) => relation_of(&Some(rv.clone())),
                    _ => None,
                })
                .collect();
            (DataKind::Truncate, relations, false)
        }
        NodeEnum::CopyStmt(_) => return not_kept("COPY is not archived (its rows come from outside the database)"),
        _ => return None,
    };
    let Some(relations) = relations.into_iter().collect::<Option<Vec<_>>>().filter(|r| !r.is_empty()) else {
        return not_kept("a data statement whose table cannot be named is not archived");
    };
    let Ok(parsed) = pg_query::parse(&statement.text, 0) else {
        return not_kept("the statement does not parse on its own");
    };
    let writes = parsed
        .protobuf
        .nodes()
        .into_iter()
        .filter(|(n, ..)| {
            matches!(
                n,
                NodeRef::InsertStmt(_) | NodeRef::UpdateStmt(_) | NodeRef::DeleteStmt(_) | NodeRef::MergeStmt(_)
            )
        })
        .count();
    if writes > 1 {
        return not_kept(
            "a data-modifying WITH (an INSERT, UPDATE, DELETE or MERGE inside the statement) is not archived (it \
             writes another table)",
        );
    }
    let functions = parsed.functions();
    let mut functions: Vec<String> = functions.into_iter().collect();
    functions.sort();
    functions.dedup();
    Some(Destroys::Target(Target::Rows { kind, relations, upsert, functions, set_columns }))
}

/// The columns a `SET` list writes (`a[1] = x` and `c.f = x` write `a` and `c`).
fn targets(list: &[pg_query::Node]) -> Vec<String> {
    let mut names: Vec<String> = list
        .iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::ResTarget(t)) => Some(t.name.clone()),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// A column of a table whose rows are kept (generated columns are not: they recompute).
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object))]
pub struct RowColumn {
    pub name: String,
    /// `format_type`, qualified.
    pub type_sql: String,
    /// A `pg_catalog` type (or an array of one): kept as is; other types are kept as text.
    pub builtin: bool,
    /// `GENERATED ALWAYS AS IDENTITY`: re-inserted with `OVERRIDING SYSTEM VALUE`, never updated.
    pub identity_always: bool,
    /// Added by an earlier `ADD COLUMN` of the same migration: the restore drops it right after, so what an
    /// `UPDATE` wrote into it is neither put back nor compared (a backfill followed by `SET NOT NULL` would
    /// otherwise be set back to NULL under its constraint).
    #[serde(default)]
    pub added: bool,
}

/// The table and the columns an `ALTER TABLE ... ADD COLUMN` adds, as written.
pub fn added_columns(statement: &ParsedStatement) -> Option<(ObjectName, Vec<String>)> {
    let NodeEnum::AlterTableStmt(s) = &statement.node else { return None };
    let relation = relation_of(&s.relation)?;
    let columns: Vec<String> = s
        .cmds
        .iter()
        .filter_map(|c| match &c.node {
            Some(NodeEnum::AlterTableCmd(cmd)) if cmd.subtype() == pg_query::protobuf::AlterTableType::AtAddColumn => {
                match cmd.def.as_ref().and_then(|d| d.node.as_ref()) {
                    Some(NodeEnum::ColumnDef(def)) => Some(def.colname.clone()),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect();
    (!columns.is_empty()).then_some((relation, columns))
}

/// The rows one data statement changed in one table: what the restore and its preview need (stored in the
/// archive record).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct KeptRows {
    /// 0-based statement of the migration.
    pub statement_index: u32,
    /// `UPDATE`, `DELETE`, `INSERT`, `MERGE`, `TRUNCATE`.
    pub kind: String,
    /// The table, qualified and quoted.
    pub table: String,
    /// The archive table's name in the archive's schema (not quoted).
    pub archive: String,
    /// The table's columns at the statement, in order (`o_1`/`n_1` is the first).
    pub columns: Vec<RowColumn>,
    /// Indexes into `columns` of the key rows are matched by.
    pub key: Vec<u32>,
    /// A partitioned table: rows are read and written through it, in every partition (no `ONLY`).
    #[serde(default)]
    pub partitioned: bool,
    /// Foreign keys of other tables referencing it, for an `INSERT`: a row it inserted that rows written since
    /// reference is not deleted by the restore (a conflict), so no key's action fires.
    #[serde(default)]
    pub referenced_by: Vec<Referencing>,
}

/// A foreign key of another table referencing the kept one.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object))]
pub struct Referencing {
    /// The referencing table, qualified and quoted.
    pub table: String,
    pub columns: Vec<String>,
    /// The kept table's columns they reference, in the same order.
    pub referenced: Vec<String>,
}

impl KeptRows {
    /// `ONLY ` for a plain table; nothing for a partitioned one, whose rows are in its partitions.
    fn only(&self) -> &'static str {
        match self.partitioned {
            true => "",
            false => "ONLY ",
        }
    }
}

fn kept_type(c: &RowColumn) -> &str {
    if c.builtin {
        &c.type_sql
    } else {
        "text"
    }
}

fn kept_value(expr: &str, c: &RowColumn) -> String {
    if c.builtin {
        expr.to_owned()
    } else {
        format!("({expr})::pg_catalog.text")
    }
}

fn back(expr: &str, c: &RowColumn) -> String {
    if c.builtin {
        expr.to_owned()
    } else {
        format!("{expr}::{}", c.type_sql)
    }
}

/// Values compared as text (types without equality, like json or point, compare too), byte for byte.
fn as_text(expr: &str) -> String {
    format!("(({expr})::pg_catalog.text COLLATE pg_catalog.\"C\")")
}

fn old(i: usize) -> String {
    format!("o_{}", i + 1)
}

fn new(i: usize) -> String {
    format!("n_{}", i + 1)
}

/// The capture function's name in the archive's schema: the archive table's.
pub fn capture_function(rows: &KeptRows) -> String {
    archive_relation(&rows.archive)
}

/// Statements creating the archive table of `rows` (the caller creates the schema and drops a leftover), and
/// then either the capture trigger (`copy`: false) or the copy of every row as deleted (`TRUNCATE`). `None`
/// when a name cannot be dollar-quoted in the capture function.
pub fn keep_sql(rows: &KeptRows, comment: &str, copy: bool) -> Option<Vec<String>> {
    let relation = archive_relation(&rows.archive);
    let mut columns = vec!["op \"char\" NOT NULL".to_owned()];
    columns.extend(rows.columns.iter().enumerate().map(|(i, c)| format!("{} {}", old(i), kept_type(c))));
    columns.extend(rows.columns.iter().enumerate().map(|(i, c)| format!("{} {}", new(i), kept_type(c))));
    let mut out = vec![
        format!("CREATE TABLE {relation} ({})", columns.join(", ")),
        format!("REVOKE ALL ON TABLE {relation} FROM PUBLIC"),
        format!("COMMENT ON TABLE {relation} IS {}", literal(comment)),
    ];
    let olds: Vec<String> = (0..rows.columns.len()).map(old).collect();
    let news: Vec<String> = (0..rows.columns.len()).map(new).collect();
    let values = |record: &str| -> Vec<String> {
        rows.columns.iter().map(|c| kept_value(&format!("{record}.{}", ident(&c.name)), c)).collect()
    };
    if copy {
        out.push(format!(
            "INSERT INTO {relation} (op, {}) SELECT 'D', {} FROM {}{} AS t",
            olds.join(", "),
            values("t").join(", "),
            rows.only(),
            rows.table
        ));
        return Some(out);
    }
    let body = format!(
        "BEGIN IF TG_OP = 'INSERT' THEN INSERT INTO {relation} (op, {news}) VALUES ('I', {new_values}); \
         ELSIF TG_OP = 'UPDATE' THEN INSERT INTO {relation} (op, {olds}, {news}) VALUES ('U', {old_values}, \
         {new_values}); ELSE INSERT INTO {relation} (op, {olds}) VALUES ('D', {old_values}); END IF; RETURN NULL; END",
        news = news.join(", "),
        olds = olds.join(", "),
        new_values = values("NEW").join(", "),
        old_values = values("OLD").join(", "),
    );
    if body.contains("$pg_rollback$") {
        return None;
    }
    let function = capture_function(rows);
    out.push(format!(
        "CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $pg_rollback${body}$pg_rollback$"
    ));
    out.push(format!("REVOKE ALL ON FUNCTION {function}() FROM PUBLIC"));
    out.push(format!(
        "CREATE TRIGGER {} AFTER INSERT OR UPDATE OR DELETE ON {} FOR EACH ROW EXECUTE FUNCTION {function}()",
        ident(CAPTURE_TRIGGER),
        rows.table
    ));
    Some(out)
}

/// Right after the statement ran: the capture trigger and its function go (the table's catalog is as the
/// statement left it).
pub fn capture_done_sql(rows: &KeptRows) -> Vec<String> {
    vec![
        format!("DROP TRIGGER {} ON {}", ident(CAPTURE_TRIGGER), rows.table),
        format!("DROP FUNCTION {}()", capture_function(rows)),
    ]
}

struct Parts<'a> {
    rows: &'a KeptRows,
    key_new: String,
    key_old: String,
}

impl<'a> Parts<'a> {
    fn new(rows: &'a KeptRows) -> Self {
        let matching = |value: fn(usize) -> String| {
            rows.key
                .iter()
                .map(|&k| {
                    let c = &rows.columns[k as usize];
                    format!("t.{} = {}", ident(&c.name), back(&format!("a.{}", value(k as usize)), c))
                })
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        Parts { rows, key_new: matching(new), key_old: matching(old) }
    }

    fn columns(&self) -> impl Iterator<Item = (usize, &RowColumn)> {
        self.rows.columns.iter().enumerate()
    }

    /// The migration changed column `i` of this archived row (never a column the restore drops after).
    fn changed(&self, i: usize) -> String {
        if self.rows.columns[i].added {
            return "false".into();
        }
        format!("{} IS DISTINCT FROM {}", as_text(&format!("a.{}", old(i))), as_text(&format!("a.{}", new(i))))
    }

    /// Column `i` of the row now differs from what the migration wrote.
    fn differs_now(&self, i: usize) -> String {
        let c = &self.rows.columns[i];
        format!("{} IS DISTINCT FROM {}", as_text(&format!("t.{}", ident(&c.name))), as_text(&format!("a.{}", new(i))))
    }

    fn any<F: Fn(usize) -> String>(&self, each: F) -> String {
        let all: Vec<String> = (0..self.rows.columns.len()).map(each).collect();
        format!("({})", all.join(" OR "))
    }

    fn exists(&self, matched: &str, extra: Option<String>) -> String {
        let extra = extra.map(|e| format!(" AND {e}")).unwrap_or_default();
        format!("EXISTS (SELECT 1 FROM {}{} AS t WHERE {matched}{extra})", self.rows.only(), self.rows.table)
    }

    /// An updated row changed since: gone, or a column the migration changed holds another value now.
    fn updated_conflict(&self) -> String {
        format!(
            "(NOT {} OR {})",
            self.exists(&self.key_new, None),
            self.exists(
                &self.key_new,
                Some(self.any(|i| format!("({} AND {})", self.changed(i), self.differs_now(i))))
            )
        )
    }

    fn inserted_conflict(&self) -> String {
        format!(
            "({} OR {})",
            self.exists(&self.key_new, Some(self.any(|i| self.differs_now(i)))),
            self.inserted_referenced()
        )
    }

    /// An inserted row that a row of another table references now.
    fn inserted_referenced(&self) -> String {
        if self.rows.referenced_by.is_empty() {
            return "false".into();
        }
        let each: Vec<String> = self
            .rows
            .referenced_by
            .iter()
            .map(|r| {
                let on: Vec<String> = r
                    .columns
                    .iter()
                    .zip(&r.referenced)
                    .map(|(c, p)| format!("r.{} = t.{}", ident(c), ident(p)))
                    .collect();
                format!("EXISTS (SELECT 1 FROM {} AS r WHERE {})", r.table, on.join(" AND "))
            })
            .collect();
        self.exists(&self.key_new, Some(format!("({})", each.join(" OR "))))
    }

    /// A deleted row's key exists again, other than as a row this archive inserted and its restore deletes (a
    /// row moved to another partition, or deleted and inserted again by one MERGE).
    fn deleted_conflict(&self) -> String {
        let key = self.rows.key.iter().map(|&k| {
            let c = &self.rows.columns[k as usize];
            format!("t.{} = {}", ident(&c.name), back(&format!("b.{}", new(k as usize)), c))
        });
        let differs = (0..self.rows.columns.len()).map(|i| {
            let c = &self.rows.columns[i];
            format!(
                "{} IS DISTINCT FROM {}",
                as_text(&format!("t.{}", ident(&c.name))),
                as_text(&format!("b.{}", new(i)))
            )
        });
        let deleted_by_restore = format!(
            "NOT EXISTS (SELECT 1 FROM {} AS b WHERE b.op = 'I' AND {} AND NOT ({}))",
            archive_relation(&self.rows.archive),
            key.collect::<Vec<_>>().join(" AND "),
            differs.collect::<Vec<_>>().join(" OR ")
        );
        self.exists(&self.key_old, Some(deleted_by_restore))
    }

    /// `id=4` or `(id=4, kind=a)`: the row's key (the new one for updated and inserted rows).
    fn key_text(&self) -> String {
        let each: Vec<String> = self
            .rows
            .key
            .iter()
            .map(|&k| {
                let k = k as usize;
                format!(
                    "pg_catalog.format('%s=%s', {}, coalesce((CASE WHEN a.op = 'D' THEN a.{} ELSE a.{} END)::pg_catalog.text, \
                     'NULL'))",
                    literal(&self.rows.columns[k].name),
                    old(k),
                    new(k)
                )
            })
            .collect();
        match each.len() {
            1 => each[0].clone(),
            _ => format!("'(' || pg_catalog.concat_ws(', ', {}) || ')'", each.join(", ")),
        }
    }
}

fn mode() -> String {
    format!("coalesce(pg_catalog.current_setting({}, true), '')", literal(RESTORE_ROWS))
}

/// A column the migration added and later made NOT NULL (the rollback folds that into the column's drop, which
/// runs after this restore): rows it deleted or changed before come back with the value they had then (NULL), so
/// the constraint goes first. Not for a column in the primary key (the restore then fails, changing nothing).
fn nullable_again(table: &str, column: &str) -> String {
    format!(
        "DO $pg_rollback$ BEGIN IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = \
         {table}::pg_catalog.regclass AND a.attname = {column} AND a.attnotnull AND NOT EXISTS (SELECT 1 FROM \
         pg_catalog.pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary AND a.attnum = ANY (i.indkey))) THEN \
         EXECUTE pg_catalog.format('ALTER TABLE %s ALTER COLUMN %I DROP NOT NULL', {table}, {column}); END IF; \
         END $pg_rollback$",
        table = literal(table),
        column = literal(column)
    )
}

/// The statements that put back the rows `rows` kept, ending with dropping its archive table. Without a
/// forcing [`RESTORE_ROWS`], rows changed since refuse the restore first (`RESTORE_CONFLICT`, counts per
/// kind and the first keys); forced, each table's forced rows are noted in [`KEYS_NOT_VALID`].
pub fn restore_sql(rows: &KeptRows) -> Vec<String> {
    let p = Parts::new(rows);
    let archive = archive_relation(&rows.archive);
    let table = &rows.table;
    let mode = mode();
    let conflict = format!(
        "CASE a.op WHEN 'U' THEN {} WHEN 'I' THEN {} ELSE {} END",
        p.updated_conflict(),
        p.inserted_conflict(),
        p.deleted_conflict()
    );
    let check = format!(
        "DO $pg_rollback$ DECLARE pgr_u bigint; pgr_i bigint; pgr_d bigint; pgr_first text; pgr_what text; BEGIN \
         SELECT count(*) FILTER (WHERE a.op = 'U'), count(*) FILTER (WHERE a.op = 'I'), \
         count(*) FILTER (WHERE a.op = 'D'), \
         pg_catalog.array_to_string((pg_catalog.array_agg({key} ORDER BY {key}))[1:5], ', ') \
         INTO pgr_u, pgr_i, pgr_d, pgr_first FROM {archive} AS a WHERE {conflict}; \
         IF pgr_u + pgr_i + pgr_d = 0 THEN RETURN; END IF; \
         pgr_what := pg_catalog.concat_ws(', ', \
         CASE WHEN pgr_u > 0 THEN pg_catalog.format('%s row(s) changed or deleted since the migration', pgr_u) END, \
         CASE WHEN pgr_i > 0 THEN pg_catalog.format('%s row(s) it inserted changed or referenced since', pgr_i) END, \
         CASE WHEN pgr_d > 0 THEN pg_catalog.format('%s row(s) it deleted exist again', pgr_d) END); \
         IF {mode} = 'keep' THEN \
         PERFORM pg_catalog.set_config({notes}, pg_catalog.concat_ws(E'\\n', \
         NULLIF(pg_catalog.current_setting({notes}, true), ''), pg_catalog.format('%s: %s conflicting row(s) kept \
         their newer values (%s; first: %s)', {table_literal}, pgr_u + pgr_i + pgr_d, pgr_what, pgr_first)), true); \
         ELSIF {mode} = 'overwrite' AND EXISTS (SELECT 1 FROM {archive} AS a WHERE a.op = 'I' AND {referenced}) THEN \
         RAISE EXCEPTION USING ERRCODE = {code}, MESSAGE = pg_catalog.format('%s: rows it inserted are referenced by \
         rows of other tables written since: they are kept, not overwritten (force without overwrite keeps them); \
         %s (first: %s)', {table_literal}, pgr_what, pgr_first); \
         ELSIF {mode} = 'overwrite' THEN \
         PERFORM pg_catalog.set_config({notes}, pg_catalog.concat_ws(E'\\n', \
         NULLIF(pg_catalog.current_setting({notes}, true), ''), pg_catalog.format('%s: %s conflicting row(s) took \
         the archived values (%s; first: %s)', {table_literal}, pgr_u + pgr_i + pgr_d, pgr_what, pgr_first)), true); \
         ELSE RAISE EXCEPTION USING ERRCODE = {code}, MESSAGE = pg_catalog.format('%s: %s (first: %s)', \
         {table_literal}, pgr_what, pgr_first); END IF; END $pg_rollback$",
        key = p.key_text(),
        referenced = p.inserted_referenced(),
        notes = literal(KEYS_NOT_VALID),
        table_literal = literal(table),
        code = literal(CONFLICT_SQLSTATE),
    );
    let mut out = vec![check];
    out.extend(rows.columns.iter().filter(|c| c.added).map(|c| nullable_again(table, &c.name)));
    let only = rows.only();
    let dml = |sql: String| without_user_triggers(table, rows.partitioned, &sql);
    // Inserted rows go first (their keys may be the ones updated or deleted rows get back).
    out.push(dml(format!(
        "DELETE FROM {only}{table} AS t USING {archive} AS a WHERE a.op = 'I' AND {} AND ({mode} = 'overwrite' OR NOT {}) \
         AND NOT {}",
        p.key_new,
        p.any(|i| p.differs_now(i)),
        p.inserted_referenced()
    )));
    let settable: Vec<(usize, &RowColumn)> = p.columns().filter(|(_, c)| !c.identity_always).collect();
    if !settable.is_empty() {
        let set: Vec<String> = settable
            .iter()
            .map(|(i, c)| {
                format!(
                    "{} = CASE WHEN {} THEN {} ELSE t.{} END",
                    ident(&c.name),
                    p.changed(*i),
                    back(&format!("a.{}", old(*i)), c),
                    ident(&c.name)
                )
            })
            .collect();
        out.push(dml(format!(
            "UPDATE {only}{table} AS t SET {} FROM {archive} AS a WHERE a.op = 'U' AND {} AND ({mode} = 'overwrite' OR \
             NOT {})",
            set.join(", "),
            p.key_new,
            p.any(|i| format!("({} AND {})", p.changed(i), p.differs_now(i)))
        )));
        let set: Vec<String> = settable
            .iter()
            .map(|(i, c)| format!("{} = {}", ident(&c.name), back(&format!("a.{}", old(*i)), c)))
            .collect();
        out.push(dml(format!(
            "UPDATE {only}{table} AS t SET {} FROM {archive} AS a WHERE a.op = 'D' AND {} AND {mode} = 'overwrite'",
            set.join(", "),
            p.key_old
        )));
    }
    let names: Vec<String> = rows.columns.iter().map(|c| ident(&c.name)).collect();
    let values: Vec<String> = p.columns().map(|(i, c)| back(&format!("a.{}", old(i)), c)).collect();
    let overriding = match rows.columns.iter().any(|c| c.identity_always) {
        true => " OVERRIDING SYSTEM VALUE",
        false => "",
    };
    out.push(dml(format!(
        "INSERT INTO {table} ({}){overriding} SELECT {} FROM {archive} AS a WHERE (a.op = 'D' OR (a.op = 'U' AND \
         {mode} = 'overwrite' AND NOT {})) AND NOT {}",
        names.join(", "),
        values.join(", "),
        p.exists(&p.key_new, None),
        p.exists(&p.key_old, None)
    )));
    out.push(format!("DROP TABLE {archive}"));
    out
}

/// For the preview, read-only: one row of `(rows back per kind U/I/D, conflicts per kind U/I/D, the first
/// conflicting keys)` from the archive table and the table as they are now. The caller checks first that
/// both exist.
pub fn count_sql(rows: &KeptRows) -> String {
    let p = Parts::new(rows);
    let conflict = format!(
        "CASE a.op WHEN 'U' THEN {} WHEN 'I' THEN {} ELSE {} END",
        p.updated_conflict(),
        p.inserted_conflict(),
        p.deleted_conflict()
    );
    let key = p.key_text();
    format!(
        "SELECT count(*) FILTER (WHERE a.op = 'U'), count(*) FILTER (WHERE a.op = 'I'), count(*) FILTER (WHERE a.op = \
         'D'), count(*) FILTER (WHERE a.op = 'U' AND c.conflict), count(*) FILTER (WHERE a.op = 'I' AND c.conflict), \
         count(*) FILTER (WHERE a.op = 'D' AND c.conflict), coalesce(pg_catalog.array_to_string((pg_catalog.array_agg(c.key \
         ORDER BY c.key) FILTER (WHERE c.conflict))[1:5], ', '), '') FROM {} AS a CROSS JOIN LATERAL (SELECT {conflict} \
         AS conflict, {key} AS key) AS c",
        archive_relation(&rows.archive)
    )
}

/// What [`count_sql`] returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowCounts {
    pub updated: i64,
    pub inserted: i64,
    pub deleted: i64,
    pub updated_conflicts: i64,
    pub inserted_conflicts: i64,
    pub deleted_conflicts: i64,
    pub first_keys: String,
}

fn rows_word(n: i64) -> String {
    format!("{} row{}", super::thousands(n), if n == 1 { "" } else { "s" })
}

/// The preview's `summary` and `conflicts` of one kept table.
pub fn describe_rows(rows: &KeptRows, counts: &RowCounts) -> (String, Vec<String>) {
    let mut parts = Vec::new();
    if counts.updated > 0 {
        parts.push(format!("{} get their old values back", rows_word(counts.updated)));
    }
    if counts.inserted > 0 {
        parts.push(format!(
            "{} it inserted {} deleted",
            rows_word(counts.inserted),
            if counts.inserted == 1 { "is" } else { "are" }
        ));
    }
    if counts.deleted > 0 {
        parts.push(format!("{} it deleted come back", rows_word(counts.deleted)));
    }
    if parts.is_empty() {
        parts.push("no row was changed".into());
    }
    let summary = format!("{}: {}", rows.table, parts.join("; "));
    let mut what = Vec::new();
    if counts.updated_conflicts > 0 {
        what.push(format!("{} changed or deleted since the migration", rows_word(counts.updated_conflicts)));
    }
    if counts.inserted_conflicts > 0 {
        what.push(format!("{} it inserted changed or referenced since", rows_word(counts.inserted_conflicts)));
    }
    if counts.deleted_conflicts > 0 {
        let verb = if counts.deleted_conflicts == 1 { "exists" } else { "exist" };
        what.push(format!("{} it deleted {verb} again", rows_word(counts.deleted_conflicts)));
    }
    let conflicts = match what.is_empty() {
        true => Vec::new(),
        false => vec![format!("{}: {} ({})", rows.table, what.join(", "), counts.first_keys)],
    };
    (summary, conflicts)
}

/// Whether an archived object's kind is a data statement's.
pub fn is_data_kind(kind: &str) -> bool {
    matches!(kind, "UPDATE" | "DELETE" | "INSERT" | "MERGE" | "TRUNCATE")
}

/// The preview of one data object: `counts` as counted now, or why not (then only the generic line).
pub fn describe(
    object: &super::ArchivedObject,
    rows: &KeptRows,
    counts: Result<RowCounts, String>,
) -> super::ObjectRestore {
    let mut out = super::ObjectRestore::of(object);
    match counts {
        Ok(counts) => {
            let (summary, conflicts) = describe_rows(rows, &counts);
            out.summary = summary;
            out.conflicts = conflicts;
            if !out.conflicts.is_empty() {
                out.notes.push(
                    "with force, conflicting rows keep their newer values; with force=overwrite they take the \
                     archived ones"
                        .into(),
                );
            }
        }
        Err(why) => {
            out.summary = format!(
                "{} {}: {} kept ({} bytes) in {}",
                object.kind,
                object.source,
                rows_word(object.rows),
                super::thousands(object.bytes),
                object.table
            );
            out.notes.push(format!("not counted now: {why}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ParsedMigration;

    fn first(sql: &str) -> Destroys {
        super::super::classify(&ParsedMigration::parse(sql).unwrap().statements[0])
    }

    fn rows_target(sql: &str) -> (DataKind, Vec<ObjectName>, Vec<String>) {
        match first(sql) {
            Destroys::Target(Target::Rows { kind, relations, functions, .. }) => (kind, relations, functions),
            other => panic!("{sql}: {other:?}"),
        }
    }

    #[test]
    fn classifies_data_statements_and_refuses_what_writes_elsewhere() {
        let (kind, relations, functions) =
            rows_target("UPDATE s.\"T\" AS x SET a = f(b) FROM u WHERE u.id = x.id AND g(u.c)");
        assert_eq!(kind, DataKind::Update);
        assert_eq!(relations, [ObjectName::qualified("s", "T")]);
        assert_eq!(functions, ["f", "g"]);
        assert_eq!(rows_target("DELETE FROM t USING u WHERE t.id = u.id").0, DataKind::Delete);
        assert_eq!(rows_target("INSERT INTO t SELECT * FROM u ON CONFLICT DO NOTHING").0, DataKind::Insert);
        let upsert =
            first("INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET a = excluded.a, (\"B\", c[1]) = (1, 2)");
        let Destroys::Target(Target::Rows { upsert: true, set_columns: Some(set), .. }) = upsert else {
            panic!("{upsert:?}")
        };
        assert_eq!(set, ["B", "a", "c"]);
        let update = first("UPDATE t SET x.f = 1, y = 2, x.g = 3");
        let Destroys::Target(Target::Rows { set_columns: Some(set), .. }) = update else { panic!("{update:?}") };
        assert_eq!(set, ["x", "y"]);
        let insert = first("INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING");
        let Destroys::Target(Target::Rows { upsert: false, set_columns: Some(set), .. }) = insert else {
            panic!("{insert:?}")
        };
        assert!(set.is_empty());
        assert_eq!(rows_target("MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN DELETE").0, DataKind::Merge);
        let (kind, relations, _) = rows_target("TRUNCATE a, s.b");
        assert_eq!((kind, relations.len()), (DataKind::Truncate, 2));
        // Read-only WITH is fine; a data-modifying one is not.
        assert_eq!(rows_target("WITH x AS (SELECT 1) UPDATE t SET a = 1").0, DataKind::Update);
        for refused in [
            "WITH x AS (DELETE FROM u RETURNING id) UPDATE t SET a = 1 FROM x WHERE x.id = t.id",
            "INSERT INTO t WITH x AS (UPDATE u SET a = 1 RETURNING id) SELECT id FROM x",
            "WITH x AS (INSERT INTO u VALUES (1) RETURNING *) SELECT * FROM x",
            "TRUNCATE t CASCADE",
            "TRUNCATE t RESTART IDENTITY",
            "COPY t FROM STDIN",
        ] {
            let got = first(refused);
            if refused.starts_with("WITH x AS (INSERT") {
                // A SELECT: not kept because no table is named (the plan says DATA_MIGRATION).
                assert!(matches!(got, Destroys::Nothing), "{refused}: {got:?}");
            } else {
                assert!(matches!(got, Destroys::NotKept(_)), "{refused}: {got:?}");
            }
        }
        assert_eq!(first("SELECT f()"), Destroys::Nothing);
    }

    fn kept() -> KeptRows {
        KeptRows {
            statement_index: 0,
            kind: "UPDATE".into(),
            table: "\"My %s\".\"it's\"".into(),
            archive: "1.0/1".into(),
            columns: vec![
                RowColumn {
                    name: "id".into(),
                    type_sql: "integer".into(),
                    builtin: true,
                    identity_always: true,
                    added: false,
                },
                RowColumn {
                    name: "Mood".into(),
                    type_sql: "\"My %s\".mood".into(),
                    builtin: false,
                    identity_always: false,
                    added: false,
                },
                RowColumn {
                    name: "doc".into(),
                    type_sql: "json".into(),
                    builtin: true,
                    identity_always: false,
                    added: true,
                },
            ],
            key: vec![0],
            partitioned: false,
            referenced_by: Vec::new(),
        }
    }

    #[test]
    fn keep_and_restore_sql_parse_and_quote() {
        let rows = kept();
        let keep = keep_sql(&rows, "c", false).unwrap();
        let keep_script = super::super::script(&keep);
        assert!(keep_script.contains("CREATE TABLE pgrollback_archive.\"1.0/1\" (op \"char\" NOT NULL, o_1 integer, o_2 text, o_3 json, n_1 integer"), "{keep_script}");
        assert!(keep_script.contains("(NEW.\"Mood\")::pg_catalog.text"), "{keep_script}");
        ParsedMigration::parse(&keep_script).unwrap();
        ParsedMigration::parse(&super::super::script(&keep_sql(&rows, "c", true).unwrap())).unwrap();
        ParsedMigration::parse(&super::super::script(&capture_done_sql(&rows))).unwrap();
        let restore = super::super::script(&restore_sql(&rows));
        ParsedMigration::parse(&restore).unwrap();
        assert!(restore.contains("OVERRIDING SYSTEM VALUE"), "{restore}");
        // The identity column is never SET.
        assert!(!restore.contains("SET id ="), "{restore}");
        // A column the migration added is dropped after: an UPDATE's values in it are not put back.
        assert!(restore.contains("doc = CASE WHEN false THEN"), "{restore}");
        // The table's name is a format() argument, never part of the template.
        assert!(restore.contains("'\"My %s\".\"it''s\"'"), "{restore}");
        assert!(restore.ends_with("DROP TABLE pgrollback_archive.\"1.0/1\";\n"), "{restore}");
        ParsedMigration::parse(&count_sql(&rows)).unwrap();
    }

    #[test]
    fn the_preview_says_what_comes_back_and_what_conflicts() {
        let counts = RowCounts {
            updated: 3,
            inserted: 1,
            deleted: 0,
            updated_conflicts: 2,
            first_keys: "id=4, id=9".into(),
            ..Default::default()
        };
        let (summary, conflicts) = describe_rows(&kept(), &counts);
        assert_eq!(summary, "\"My %s\".\"it's\": 3 rows get their old values back; 1 row it inserted is deleted");
        assert_eq!(conflicts, ["\"My %s\".\"it's\": 2 rows changed or deleted since the migration (id=4, id=9)"]);
    }
}
