//! What a restore would bring back, measured now (the restore preview). Pure: the facts of each kept column
//! are stored at apply ([`KeptColumn`], in `schema_versions.archive`), the counting SQL is built here, the
//! database layer runs it read-only and hands the counts back to [`describe`], which says it in words.
use serde::{Deserialize, Serialize};

use super::column::{ColumnToKeep, KeyColumn};
use super::ArchivedObject;
use crate::render::quote::{ident, literal};

/// What the preview of a kept column needs, stored with the archive record at apply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct KeptColumn {
    /// 0-based statement of the migration (the [`ArchivedObject`] of the same index).
    pub statement_index: u32,
    /// Qualified and quoted, e.g. `public.orders`.
    pub table: String,
    /// The column's name (not quoted).
    pub column: String,
    /// Its type before the statement (`format_type`, qualified).
    pub type_sql: String,
    pub default: Option<String>,
    pub not_null: bool,
    /// The key rows are matched by (the archive's `k_1`, `k_2`, ...).
    pub key: Vec<KeyColumn>,
    /// A type change whose new type casts back (true in records written before it was stored).
    #[serde(default = "casts_back")]
    pub cast_back: bool,
}

fn casts_back() -> bool {
    true
}

impl KeptColumn {
    pub fn new(index: usize, column: &ColumnToKeep) -> Self {
        KeptColumn {
            statement_index: index as u32,
            table: column.table.to_string(),
            column: column.column.clone(),
            type_sql: column.type_sql.clone(),
            default: column.default.clone(),
            not_null: column.not_null,
            key: column.key.clone(),
            cast_back: column.cast_back,
        }
    }
}

/// `t.k = a.k_1 AND ...` (the archive keeps keys of non-`pg_catalog` types as text).
fn key_match(column: &KeptColumn) -> String {
    let each = column.key.iter().enumerate().map(|(i, k)| {
        let kept = format!("a.k_{}", i + 1);
        let back = if k.builtin { kept } else { format!("{kept}::{}", k.type_sql) };
        format!("t.{} = {back}", ident(&k.name))
    });
    each.collect::<Vec<_>>().join(" AND ")
}

/// One query counting, on the database as it is now: rows of the table without archived values (inserted
/// since), archived rows whose row is gone (deleted since), enabled UPDATE triggers (which the restore does not fire).
/// `archive` is the qualified archive table of the [`ArchivedObject`]. The caller checks first that both
/// tables exist.
pub fn count_sql(column: &KeptColumn, archive: &str) -> String {
    let table = &column.table;
    let matched = key_match(column);
    let uncastable = match column.cast_back {
        true => "0::int8".to_owned(),
        false => format!(
            "(SELECT count(*) FROM ONLY {table} AS t WHERE t.{} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {archive} AS \
             a WHERE {matched}))",
            ident(&column.column)
        ),
    };
    format!(
        "SELECT (SELECT count(*) FROM ONLY {table} AS t WHERE NOT EXISTS (SELECT 1 FROM {archive} AS a WHERE \
         {matched})), (SELECT count(*) FROM {archive} AS a WHERE NOT EXISTS (SELECT 1 FROM ONLY {table} AS t WHERE \
         {matched})), (SELECT count(*) FROM pg_catalog.pg_trigger WHERE tgrelid = {}::pg_catalog.regclass AND NOT \
         tgisinternal AND tgenabled <> 'D' AND (tgtype & 16) <> 0), {uncastable}",
        literal(table)
    )
}

/// Whether a relation (qualified and quoted) exists now: `SELECT` of one boolean.
pub fn exists_sql(relation: &str) -> String {
    format!("SELECT pg_catalog.to_regclass({}) IS NOT NULL", literal(relation))
}

/// The counts [`count_sql`] returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    pub rows_since: i64,
    pub rows_deleted: i64,
    pub update_triggers: i64,
    /// Rows inserted since with a value that has no cast back (a type change without one; else 0).
    pub uncastable_since: i64,
}

/// What the database says now about one archived object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Now {
    Counted(Counts),
    /// The archive table is gone (dropped or pruned): the restore is `ARCHIVE_MISSING`.
    ArchiveGone,
    /// Not counted, and why (the table is gone, no stored facts, a timeout).
    NotCounted(String),
}

/// What the restore of one archived object brings back, as measured now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct ObjectRestore {
    pub statement_index: u32,
    /// `DROP COLUMN`, `ALTER COLUMN TYPE`, or a kind another part of the archive keeps.
    pub kind: String,
    /// What was kept, e.g. `public.orders.notes`.
    pub source: String,
    /// The archive table, qualified and quoted.
    pub table: String,
    /// Rows kept at apply.
    pub archived_rows: i64,
    pub bytes: i64,
    /// Rows inserted since the migration (no archived values); null when not counted.
    pub rows_since: Option<i64>,
    /// Archived rows whose row was deleted since (they stay deleted); null when not counted.
    pub rows_deleted: Option<i64>,
    /// Enabled UPDATE triggers on the table (the restore does not fire them); null when not counted.
    pub update_triggers: Option<i64>,
    /// The archive table is gone: the restore would be refused (`ARCHIVE_MISSING`).
    pub archive_missing: bool,
    /// One line: what comes back.
    pub summary: String,
    /// What else to know (where the column comes back, what is not counted).
    pub notes: Vec<String>,
    /// What would make the restore refuse (`RESTORE_CONFLICT`), each a sentence with its count.
    pub conflicts: Vec<String>,
}

impl ObjectRestore {
    /// What `object` holds, nothing counted or said yet.
    pub fn of(object: &ArchivedObject) -> Self {
        ObjectRestore {
            statement_index: object.statement_index,
            kind: object.kind.clone(),
            source: object.source.clone(),
            table: object.table.clone(),
            archived_rows: object.rows,
            bytes: object.bytes,
            rows_since: None,
            rows_deleted: None,
            update_triggers: None,
            archive_missing: false,
            summary: String::new(),
            notes: Vec::new(),
            conflicts: Vec::new(),
        }
    }
}

/// `12408` -> `12,408`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// The verb for `n` rows: `get` or `gets`.
fn verb(n: i64, many: &str) -> String {
    if n == 1 {
        format!("{many}s")
    } else {
        many.to_owned()
    }
}

fn rows(n: i64) -> String {
    format!("{} row{}", thousands(n), if n == 1 { "" } else { "s" })
}

/// The preview of one archived object: `column` is its stored facts (none for records written before they
/// were stored, and for kinds other than a column), `now` what the database says.
pub fn describe(object: &ArchivedObject, column: Option<&KeptColumn>, now: &Now) -> ObjectRestore {
    let mut out = ObjectRestore::of(object);
    let generic = format!(
        "{} {}: {} kept ({} bytes) in {}",
        object.kind,
        object.source,
        rows(object.rows),
        thousands(object.bytes),
        object.table
    );
    let counts = match now {
        Now::ArchiveGone => {
            out.archive_missing = true;
            out.summary = format!("{generic}: that table is gone, nothing of it can come back");
            return out;
        }
        Now::NotCounted(why) => {
            out.summary = generic;
            out.notes.push(format!("not counted now: {why}"));
            return out;
        }
        Now::Counted(counts) => *counts,
    };
    let Some(column) = column.filter(|_| matches!(object.kind.as_str(), "DROP COLUMN" | "ALTER COLUMN TYPE")) else {
        out.summary = generic;
        return out;
    };
    out.rows_since = Some(counts.rows_since);
    out.rows_deleted = Some(counts.rows_deleted);
    out.update_triggers = Some(counts.update_triggers);
    let back = (object.rows - counts.rows_deleted).max(0);
    let values = format!("{} value{}", thousands(back), if back == 1 { "" } else { "s" });
    let since = counts.rows_since;
    let mut parts = Vec::new();
    if object.kind == "DROP COLUMN" {
        parts.push(format!("{}: {values} come back", object.source));
        if since > 0 {
            let fate = match (&column.default, column.not_null) {
                (Some(default), _) => format!("{} the column's default ({default})", verb(since, "get")),
                (None, false) => format!("{} NULL (the column has no default)", verb(since, "get")),
                (None, true) => "would conflict: NOT NULL without default".to_owned(),
            };
            parts.push(format!("{} inserted since the migration {fate}", rows(since)));
        }
        out.notes.push(
            "the column comes back last (PostgreSQL cannot put it back in its old place): the schema equals the one \
             from before except that column's position"
                .into(),
        );
        if column.not_null && column.default.is_none() && since > 0 {
            out.conflicts.push(format!(
                "{} of {} {} inserted since the migration, and its column {} is NOT NULL without a default: {} \
                 would have no value",
                rows(since),
                column.table,
                if since == 1 { "was" } else { "were" },
                ident(&column.column),
                if since == 1 { "it" } else { "they" }
            ));
        }
    } else {
        parts.push(format!("{}: {values} get their old type ({}) and value back", object.source, column.type_sql));
        if since > 0 && !column.cast_back {
            parts.push(format!(
                "{} inserted since: without a value {} NULL, with one they conflict (no cast back to {})",
                rows(since),
                verb(since, "keep"),
                column.type_sql
            ));
        } else if since > 0 {
            parts.push(format!(
                "{} inserted since {} {} value cast back to {}",
                rows(since),
                verb(since, "keep"),
                if since == 1 { "its" } else { "their" },
                column.type_sql
            ));
        }
        out.notes.push("a value changed since the migration is replaced by the archived one".into());
        let n = counts.uncastable_since;
        if n > 0 {
            out.conflicts.push(format!(
                "{} of {} inserted since the migration {} a value in {} that cannot be changed back to {} (there is \
                 no cast to it from the column's type now)",
                rows(n),
                column.table,
                if n == 1 { "has" } else { "have" },
                ident(&column.column),
                column.type_sql
            ));
        }
    }
    if counts.rows_deleted > 0 {
        parts.push(format!(
            "{} deleted since {} deleted",
            rows(counts.rows_deleted),
            verb(counts.rows_deleted, "stay")
        ));
    }
    out.summary = parts.join("; ");
    if counts.update_triggers > 0 {
        out.notes.push(format!(
            "{} enabled UPDATE trigger{} on {} {} not fire during the restore (disabled around its UPDATE, then put \
             back as {} {})",
            thousands(counts.update_triggers),
            if counts.update_triggers == 1 { "" } else { "s" },
            column.table,
            if counts.update_triggers == 1 { "does" } else { "do" },
            if counts.update_triggers == 1 { "it" } else { "they" },
            if counts.update_triggers == 1 { "was" } else { "were" },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ParsedMigration;

    fn object(kind: &str, rows: i64) -> ArchivedObject {
        ArchivedObject {
            table: "pgrollback_archive.\"1.0/1\"".into(),
            statement_index: 0,
            kind: kind.into(),
            source: "public.orders.notes".into(),
            rows,
            bytes: 8192,
        }
    }

    fn column(default: Option<&str>, not_null: bool) -> KeptColumn {
        KeptColumn {
            statement_index: 0,
            table: "\"My Shop\".\"Order\"".into(),
            column: "Note".into(),
            type_sql: "text".into(),
            default: default.map(String::from),
            not_null,
            key: vec![
                KeyColumn { name: "id".into(), type_sql: "integer".into(), builtin: true },
                KeyColumn { name: "Kind".into(), type_sql: "\"My Shop\".kind".into(), builtin: false },
            ],
            cast_back: true,
        }
    }

    fn counted(rows_since: i64, rows_deleted: i64, update_triggers: i64) -> Now {
        Now::Counted(Counts { rows_since, rows_deleted, update_triggers, uncastable_since: 0 })
    }

    #[test]
    fn the_counting_sql_quotes_and_parses() {
        let sql = count_sql(&column(None, false), "pgrollback_archive.\"1.0/1\"");
        assert!(sql.contains("FROM ONLY \"My Shop\".\"Order\" AS t"), "{sql}");
        assert!(sql.contains("t.id = a.k_1 AND t.\"Kind\" = a.k_2::\"My Shop\".kind"), "{sql}");
        assert!(sql.contains("'\"My Shop\".\"Order\"'::pg_catalog.regclass"), "{sql}");
        ParsedMigration::parse(&sql).unwrap();
        ParsedMigration::parse(&exists_sql("pgrollback_archive.\"it's\"")).unwrap();
    }

    #[test]
    fn a_dropped_column_says_what_comes_back_and_what_new_rows_get() {
        let p = describe(&object("DROP COLUMN", 12_408), Some(&column(Some("'x'::text"), true)), &counted(37, 0, 0));
        assert_eq!(
            p.summary,
            "public.orders.notes: 12,408 values come back; 37 rows inserted since the migration get the column's \
             default ('x'::text)"
        );
        assert!(p.notes[0].starts_with("the column comes back last"), "{:?}", p.notes);
        assert!(p.conflicts.is_empty());
        let p = describe(&object("DROP COLUMN", 10), Some(&column(None, false)), &counted(1, 2, 0));
        assert_eq!(
            p.summary,
            "public.orders.notes: 8 values come back; 1 row inserted since the migration gets NULL (the column has \
             no default); 2 rows deleted since stay deleted"
        );
        assert_eq!((p.rows_since, p.rows_deleted), (Some(1), Some(2)));
    }

    #[test]
    fn conflicts_are_named_with_their_counts() {
        let p = describe(&object("DROP COLUMN", 10), Some(&column(None, true)), &counted(3, 0, 2));
        assert!(p.summary.contains("3 rows inserted since the migration would conflict: NOT NULL without default"));
        assert_eq!(p.conflicts.len(), 1, "{:?}", p.conflicts);
        assert!(p.conflicts[0].starts_with("3 rows of \"My Shop\".\"Order\" were inserted since"), "{:?}", p.conflicts);
        assert!(p.conflicts[0].contains("column \"Note\" is NOT NULL"), "{:?}", p.conflicts);
        // Triggers are not a conflict: the restore does not fire them, and the preview says so.
        assert!(
            p.notes.contains(
                &"2 enabled UPDATE triggers on \"My Shop\".\"Order\" do not fire during the restore (disabled around \
                  its UPDATE, then put back as they were)"
                    .to_owned()
            ),
            "{:?}",
            p.notes
        );
        // No rows since: nothing to conflict with.
        let p = describe(&object("DROP COLUMN", 10), Some(&column(None, true)), &counted(0, 0, 0));
        assert!(p.conflicts.is_empty(), "{:?}", p.conflicts);
    }

    #[test]
    fn a_type_change_says_values_get_their_old_type_back() {
        let mut c = column(None, false);
        c.type_sql = "numeric(10,4)".into();
        let p = describe(&object("ALTER COLUMN TYPE", 1000), Some(&c), &counted(5, 0, 0));
        assert_eq!(
            p.summary,
            "public.orders.notes: 1,000 values get their old type (numeric(10,4)) and value back; 5 rows inserted \
             since keep their value cast back to numeric(10,4)"
        );
        assert!(p.notes[0].contains("replaced by the archived one"));
    }

    #[test]
    fn a_type_change_without_a_cast_back_counts_rows_since_with_a_value_as_conflicts() {
        let c = KeptColumn { type_sql: "smallint".into(), cast_back: false, ..column(None, false) };
        let sql = count_sql(&c, "pgrollback_archive.\"1.0/1\"");
        assert!(sql.contains("t.\"Note\" IS NOT NULL AND NOT EXISTS"), "{sql}");
        ParsedMigration::parse(&sql).unwrap();
        let now = Now::Counted(Counts { rows_since: 3, rows_deleted: 0, update_triggers: 0, uncastable_since: 2 });
        let p = describe(&object("ALTER COLUMN TYPE", 10), Some(&c), &now);
        assert!(p.summary.contains("3 rows inserted since: without a value keep NULL"), "{}", p.summary);
        assert_eq!(
            p.conflicts,
            ["2 rows of \"My Shop\".\"Order\" inserted since the migration have a value in \"Note\" that cannot be \
              changed back to smallint (there is no cast to it from the column's type now)"]
        );
        // Stored records without the field cast back.
        let old: KeptColumn = serde_json::from_str(
            r#"{"statementIndex":0,"table":"t","column":"c","typeSql":"text","default":null,"notNull":false,"key":[]}"#,
        )
        .unwrap();
        assert!(old.cast_back);
        assert!(count_sql(&old, "a").contains(", 0::int8"));
    }

    #[test]
    fn other_kinds_and_missing_archives_get_a_generic_line() {
        let p = describe(&object("DROP TABLE", 1_000_000), None, &counted(0, 0, 0));
        assert_eq!(
            p.summary,
            "DROP TABLE public.orders.notes: 1,000,000 rows kept (8,192 bytes) in pgrollback_archive.\"1.0/1\""
        );
        assert_eq!(p.rows_since, None);
        let p = describe(&object("DROP COLUMN", 1), Some(&column(None, false)), &Now::ArchiveGone);
        assert!(p.archive_missing);
        assert!(p.summary.ends_with("that table is gone, nothing of it can come back"), "{}", p.summary);
        let p = describe(&object("DROP COLUMN", 1), None, &Now::NotCounted("a timeout".into()));
        assert_eq!(p.notes, ["not counted now: a timeout"]);
    }

    #[test]
    fn numbers_have_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(-1234567), "-1,234,567");
    }
}
