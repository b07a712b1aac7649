//! The row oracle (issue 18): per table, the row count and checksums independent of column order
//! (`to_jsonb` sorts a row's keys, so a column restored last compares equal), and a comparison that names
//! what differs (`public.orders.notes: 3 rows differ`, `public.orders: 2 rows missing`). Pure: the db layer
//! runs the SQL built here and fills a [`RowSnapshot`].
use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::ObjectName;

/// Up to this many rows, the oracle also reads one hash per row and per value, so that differences are
/// counted (`3 rows differ`); above it, only checksums (`values differ`).
pub const COUNTED_ROWS: i64 = 10_000;

/// The rows of every user table (keyed by the qualified, quoted name).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct RowSnapshot {
    pub tables: BTreeMap<String, TableRows>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct TableRows {
    #[serde(deserialize_with = "whole")]
    pub rows: i64,
    /// md5 of the rows' `to_jsonb` text, in order of that text.
    pub checksum: String,
    /// Sorted hashes of the rows (tables up to [`COUNTED_ROWS`]).
    #[serde(deserialize_with = "whole_numbers")]
    pub hashes: Option<Vec<i64>>,
    pub columns: BTreeMap<String, ColumnRows>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct ColumnRows {
    /// md5 of the column's values (as JSON text) in their order.
    pub checksum: String,
    #[serde(deserialize_with = "whole_numbers")]
    pub hashes: Option<Vec<i64>>,
}

/// A snapshot read back from JavaScript has its numbers as doubles: whole ones are exact (hashes are 52 bits).
fn whole<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = f64::deserialize(d)?;
    if n.fract() != 0.0 || n.abs() > 9_007_199_254_740_991.0 {
        return Err(serde::de::Error::custom(format!("expected a whole number, got {n}")));
    }
    Ok(n as i64)
}

fn whole_numbers<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<i64>>, D::Error> {
    let Some(values) = Option::<Vec<f64>>::deserialize(d)? else { return Ok(None) };
    values
        .into_iter()
        .map(|n| match n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
            true => Ok(n as i64),
            false => Err(serde::de::Error::custom(format!("expected a whole number, got {n}"))),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// One difference in rows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct RowDifference {
    pub table: String,
    pub column: Option<String>,
    pub text: String,
}

/// Columns of the query [`rows_sql`] builds: count, checksum, hashes (NULL without `hashes`).
pub fn rows_sql(table: &ObjectName, hashes: bool) -> String {
    let hashes = match hashes {
        true => "pg_catalog.array_agg(('x' || pg_catalog.left(pg_catalog.md5(r), 13))::bit(52)::int8 ORDER BY r)",
        false => "NULL::int8[]",
    };
    format!(
        "SELECT pg_catalog.count(*)::int8, pg_catalog.md5(COALESCE(pg_catalog.string_agg(r, E'\\n' ORDER BY r), '')), \
         {hashes} FROM (SELECT pg_catalog.to_jsonb(t.*)::text AS r FROM ONLY {table} AS t) AS x"
    )
}

/// Per column of one table: its name, the checksum of its values, and (with `hashes`) a sorted hash per value.
pub fn column_rows_sql(table: &ObjectName, hashes: bool) -> String {
    let hashes = match hashes {
        true => {
            "pg_catalog.array_agg(('x' || pg_catalog.left(pg_catalog.md5(e.value::text), 13))::bit(52)::int8 \
                 ORDER BY e.value::text)"
        }
        false => "NULL::int8[]",
    };
    format!(
        "SELECT e.key, pg_catalog.md5(pg_catalog.string_agg(e.value::text, E'\\n' ORDER BY e.value::text)), {hashes} \
         FROM ONLY {table} AS t, LATERAL pg_catalog.jsonb_each(pg_catalog.to_jsonb(t.*)) AS e GROUP BY e.key"
    )
}

/// How many of `a` are not matched in `b` (both sorted multisets).
fn missing(a: &[i64], b: &[i64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() {
        if j >= b.len() || a[i] < b[j] {
            n += 1;
            i += 1;
        } else if a[i] > b[j] {
            j += 1;
        } else {
            i += 1;
            j += 1;
        }
    }
    n
}

fn rows(n: usize) -> String {
    format!("{n} row{}", if n == 1 { "" } else { "s" })
}

fn differ(n: usize) -> String {
    format!("{} differ{}", rows(n), if n == 1 { "s" } else { "" })
}

/// What differs in the rows of the tables of `before` (tables only in `after` are new: not compared).
/// Empty when every table of `before` has the same rows.
pub fn compare_rows(before: &RowSnapshot, after: &RowSnapshot) -> Vec<RowDifference> {
    let mut out = Vec::new();
    for (table, b) in &before.tables {
        let mut say = |column: Option<&str>, text: String| {
            let name = match column {
                Some(c) => format!("{table}.{c}"),
                None => table.clone(),
            };
            out.push(RowDifference {
                table: table.clone(),
                column: column.map(str::to_owned),
                text: format!("{name}: {text}"),
            });
        };
        let Some(a) = after.tables.get(table) else {
            say(None, format!("the table is gone ({} before)", rows(b.rows as usize)));
            continue;
        };
        if b.checksum == a.checksum && b.rows == a.rows {
            continue;
        }
        match (&b.hashes, &a.hashes) {
            (Some(bh), Some(ah)) => {
                let (gone, new) = (missing(bh, ah), missing(ah, bh));
                let changed = gone.min(new);
                if changed > 0 {
                    say(None, differ(changed));
                }
                if gone > changed {
                    say(None, format!("{} missing", rows(gone - changed)));
                }
                if new > changed {
                    say(None, format!("{} more than before", rows(new - changed)));
                }
            }
            _ if b.rows > a.rows => say(None, format!("{} missing", rows((b.rows - a.rows) as usize))),
            _ if b.rows < a.rows => say(None, format!("{} more than before", rows((a.rows - b.rows) as usize))),
            _ => say(None, "rows differ".into()),
        }
        // Without rows on one side, columns say nothing more (and an empty table lists none).
        let columns = if a.rows > 0 && b.rows > 0 { b.columns.iter().collect() } else { Vec::new() };
        for (column, bc) in columns {
            match a.columns.get(column) {
                None => say(Some(column), "the column is gone".into()),
                Some(ac) if ac.checksum == bc.checksum => {}
                Some(ac) => match (&bc.hashes, &ac.hashes) {
                    (Some(bh), Some(ah)) => {
                        let n = missing(bh, ah).max(missing(ah, bh));
                        say(Some(column), differ(n));
                    }
                    _ => say(Some(column), "values differ".into()),
                },
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[i64], notes: &[i64]) -> TableRows {
        let mut r = rows.to_vec();
        r.sort();
        let mut n = notes.to_vec();
        n.sort();
        TableRows {
            rows: rows.len() as i64,
            checksum: format!("{r:?}"),
            hashes: Some(r),
            columns: [("notes".to_owned(), ColumnRows { checksum: format!("{n:?}"), hashes: Some(n) })].into(),
        }
    }

    fn texts(before: TableRows, after: TableRows) -> Vec<String> {
        let snap = |t| RowSnapshot { tables: [("public.orders".to_owned(), t)].into() };
        compare_rows(&snap(before), &snap(after)).into_iter().map(|d| d.text).collect()
    }

    #[test]
    fn a_snapshot_read_back_from_javascript_numbers_compares_the_same() {
        let snap = RowSnapshot { tables: [("public.orders".to_owned(), table(&[4503599627370495, 2], &[1]))].into() };
        let json = serde_json::to_value(&snap).unwrap().to_string();
        // JavaScript writes them back as doubles.
        let doubles =
            json.replace("[2,4503599627370495]", "[2.0,4503599627370495.0]").replace("\"rows\":2", "\"rows\":2.0");
        assert_ne!(json, doubles);
        assert_eq!(serde_json::from_str::<RowSnapshot>(&doubles).unwrap(), snap);
        assert!(serde_json::from_str::<RowSnapshot>(&json.replace("\"rows\":2", "\"rows\":2.5")).is_err());
    }

    #[test]
    fn differences_are_named_and_counted() {
        assert!(texts(table(&[1, 2, 3], &[1, 2, 3]), table(&[3, 2, 1], &[3, 1, 2])).is_empty());
        assert_eq!(
            texts(table(&[1, 2, 3], &[1, 2, 3]), table(&[1, 2, 9], &[1, 2, 9])),
            ["public.orders: 1 row differs", "public.orders.notes: 1 row differs"]
        );
        assert_eq!(
            texts(table(&[1, 2, 3], &[1, 2, 3]), table(&[1], &[1])),
            ["public.orders: 2 rows missing", "public.orders.notes: 2 rows differ"]
        );
        assert_eq!(
            texts(table(&[1], &[1]), table(&[1, 5], &[1, 5])),
            ["public.orders: 1 row more than before", "public.orders.notes: 1 row differs"]
        );
    }
}
