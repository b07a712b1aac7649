//! Proof with data (issue 18): the SQL that fills a table with generated rows valid for its types, and the
//! row oracle that says whether a table's rows are the ones from before. Pure: the db layer reads the facts
//! (columns, types, foreign keys) from the catalog and runs what this builds.
//!
//! Values are derived from a row number `k` (and a seed), so they are deterministic and distinct per row
//! (unique keys get distinct values); rows another constraint rejects are skipped (`ON CONFLICT DO NOTHING`,
//! and a per-row fallback that skips whatever fails).
use crate::render::quote::ident;
use crate::{ObjectName, ParsedMigration};

/// A type, as far as generating its values goes. `sql` is the type as `format_type` writes it (with its
/// typmod, qualified where needed), used to cast the generated value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedType {
    pub sql: String,
    pub kind: SeedKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SeedKind {
    Int2,
    Int4,
    Int8,
    /// `numeric(precision, scale)`, or without a typmod.
    Numeric(Option<(i32, i32)>),
    Float,
    Money,
    /// Anything made from text by a cast: text, varchar(n), char(n), name, citext, ... (a typmod truncates).
    Text,
    Bool,
    Date,
    Timestamp,
    Timestamptz,
    Time,
    Timetz,
    Interval,
    Uuid,
    Json,
    Bytea,
    Inet,
    Cidr,
    /// An enum with this many labels (one is picked per row).
    Enum(u32),
    /// A domain: its base type's value, cast to the domain (its CHECK may reject it: the row is skipped).
    Domain(Box<SeedType>),
    Array(Box<SeedType>),
    Composite(Vec<SeedType>),
    /// No generator: NULL, or the column's default, or the table is not seeded.
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedColumn {
    pub name: String,
    pub ty: SeedType,
    pub nullable: bool,
    pub has_default: bool,
    /// Identity, generated, or a sequence's default (serial): left to PostgreSQL.
    pub by_default: bool,
    /// Part of a primary key or unique constraint: never NULL on purpose.
    pub unique: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedForeignKey {
    pub columns: Vec<String>,
    pub referenced: ObjectName,
    pub referenced_columns: Vec<String>,
    /// The referenced table has inheritance children: read it with `ONLY`, as the key checks it.
    pub only: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedTable {
    pub name: ObjectName,
    pub columns: Vec<SeedColumn>,
    pub foreign_keys: Vec<SeedForeignKey>,
}

/// The SQL that seeds one table: a set-based `INSERT ... SELECT` (conflicts skipped), and the per-row
/// fallback to run when the first fails as a whole (a CHECK, a domain, a trigger): each row in its own
/// subtransaction, the ones that fail skipped. Rows are numbered `first ..= last`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedSql {
    pub insert: String,
    pub fallback: String,
}

/// Why a table cannot be seeded: a NOT NULL column without default whose type has no generator.
pub fn seed_sql(table: &SeedTable, first: i64, last: i64, seed: u64) -> Result<SeedSql, String> {
    let mut names = Vec::new();
    // Each column's value, and the value of the second attempt of the per-row fallback (nullable columns NULL).
    let mut values = Vec::new();
    let mut second = Vec::new();
    let mut defaulted = Vec::new();
    let mut joins = String::new();
    for (i, fk) in table.foreign_keys.iter().enumerate() {
        let alias = format!("fk{i}");
        let cols: Vec<String> = fk.referenced_columns.iter().map(|c| ident(c)).collect();
        let picked: Vec<String> = cols.iter().enumerate().map(|(j, c)| format!("{c} AS c{j}")).collect();
        let not_null: Vec<String> = cols.iter().map(|c| format!("{c} IS NOT NULL")).collect();
        joins.push_str(&format!(
            "\n  LEFT JOIN (SELECT {}, pg_catalog.row_number() OVER (ORDER BY {}) - 1 AS i, pg_catalog.count(*) OVER () AS n \
             FROM {}{} WHERE {}) AS {alias} ON {alias}.i = seed.k % {alias}.n",
            picked.join(", "),
            cols.join(", "),
            if fk.only { "ONLY " } else { "" },
            fk.referenced,
            not_null.join(" AND "),
        ));
    }
    for column in &table.columns {
        if column.by_default {
            continue;
        }
        let from_key = table.foreign_keys.iter().enumerate().find_map(|(i, fk)| {
            fk.columns.iter().position(|c| c == &column.name).map(|j| format!("CAST(fk{i}.c{j} AS {})", column.ty.sql))
        });
        let (value, without) = match from_key {
            Some(value) => (value.clone(), value),
            None => match value_sql(&column.ty, "seed.k", seed) {
                Some(v) if column.nullable && !column.unique => {
                    (format!("CASE WHEN seed.k % 7 = 3 THEN NULL ELSE {v} END"), "NULL".to_owned())
                }
                Some(v) if column.nullable => (v, "NULL".to_owned()),
                Some(v) => (v.clone(), v),
                None if column.has_default => continue,
                None if column.nullable => ("NULL".to_owned(), "NULL".to_owned()),
                None => {
                    return Err(format!(
                        "column {} of type {} is NOT NULL, has no default and no generator",
                        ident(&column.name),
                        column.ty.sql
                    ))
                }
            },
        };
        // The third attempt leaves columns with a default (not from a key) to it.
        defaulted.push(column.has_default && !table.foreign_keys.iter().any(|fk| fk.columns.contains(&column.name)));
        names.push(ident(&column.name));
        values.push(value);
        second.push(without);
    }
    let insert = |names: &[String], values: &[String], first: &str, last: &str| {
        let target = match names.is_empty() {
            true => table.name.to_string(),
            false => format!("{} ({})", table.name, names.join(", ")),
        };
        format!(
            "INSERT INTO {target} SELECT {} FROM pg_catalog.generate_series({first}, {last}) AS seed(k){joins} \
             ON CONFLICT DO NOTHING",
            values.join(", ")
        )
    };
    let set = insert(&names, &values, &format!("{first}::int8"), &format!("{last}::int8"));
    let keep = |list: &[String]| -> Vec<String> {
        list.iter().zip(&defaulted).filter(|(_, d)| !**d).map(|(v, _)| v.clone()).collect()
    };
    // Row by row, each in its own subtransaction: as it is, then with its nullable columns NULL, then with its
    // columns that have a default left to it, else skipped.
    let body = format!(
        "DECLARE r record; BEGIN FOR r IN SELECT k FROM pg_catalog.generate_series({first}::int8, {last}::int8) AS k LOOP \
         BEGIN {}; EXCEPTION WHEN OTHERS THEN BEGIN {}; EXCEPTION WHEN OTHERS THEN BEGIN {}; \
         EXCEPTION WHEN OTHERS THEN NULL; END; END; END; END LOOP; END",
        insert(&names, &values, "r.k", "r.k"),
        insert(&names, &second, "r.k", "r.k"),
        insert(&keep(&names), &keep(&second), "r.k", "r.k"),
    );
    let tag = dollar_tag(&body);
    let fallback = format!("DO {tag}{body}{tag}");
    for sql in [&set, &fallback] {
        ParsedMigration::parse(sql).map_err(|e| format!("the seeding SQL does not parse: {e}"))?;
    }
    Ok(SeedSql { insert: set, fallback })
}

fn dollar_tag(body: &str) -> String {
    let mut tag = "$pg_rollback_seed$".to_owned();
    while body.contains(&tag) {
        tag.insert(tag.len() - 1, '_');
    }
    tag
}

/// A value of `ty` for row `k` (an `int8` SQL expression), cast to the type; `None`: no generator.
pub fn value_sql(ty: &SeedType, k: &str, seed: u64) -> Option<String> {
    let hash = format!("pg_catalog.md5('{seed}:' || ({k}))");
    let inner = match &ty.kind {
        SeedKind::Int2 => format!("({k}) % 32767"),
        SeedKind::Int4 => format!("({k}) % 2147483647"),
        SeedKind::Int8 => format!("({k})"),
        SeedKind::Numeric(Some((precision, scale))) => {
            if *scale < 0 || scale > precision || *precision > 1000 {
                return None;
            }
            // The integer part below 10^(precision - scale), the fraction within the scale: never rounded.
            let whole = 10i64.pow((precision - scale).min(18) as u32);
            let digits = 10i64.pow((*scale).min(9) as u32);
            format!("({k}) % {whole} + (({k}) * 7919 % {digits})::numeric / {digits}")
        }
        SeedKind::Numeric(None) => format!("({k}) + (({k}) % 1000)::numeric / 1000"),
        SeedKind::Float => format!("(({k}) % 1000000) + 0.25"),
        SeedKind::Money => format!("((({k}) % 1000000) + 0.5)::numeric"),
        SeedKind::Text => format!("({k}) || 's' || pg_catalog.substr({hash}, 1, 8)"),
        SeedKind::Bool => format!("({k}) % 2 = 0"),
        SeedKind::Date => format!("DATE '2000-01-01' + (({k}) % 20000)::int4"),
        SeedKind::Timestamp => format!("TIMESTAMP '2000-01-01' + ({k}) * INTERVAL '1 hour 1 minute 1.5 second'"),
        SeedKind::Timestamptz => {
            format!("TIMESTAMPTZ '2000-01-01 00:00:00+00' + ({k}) * INTERVAL '1 hour 1 minute 1.5 second'")
        }
        SeedKind::Time => format!("TIME '00:00' + (({k}) % 86400) * INTERVAL '1 second'"),
        SeedKind::Timetz => format!("CAST(TIME '00:00' + (({k}) % 86400) * INTERVAL '1 second' AS pg_catalog.timetz)"),
        SeedKind::Interval => format!("({k}) * INTERVAL '1 minute 1 second'"),
        SeedKind::Uuid => format!("CAST({hash} AS pg_catalog.uuid)"),
        SeedKind::Json => format!("pg_catalog.jsonb_build_object('k', ({k}), 's', {hash})"),
        SeedKind::Bytea => format!("pg_catalog.decode({hash}, 'hex')"),
        SeedKind::Inet | SeedKind::Cidr => format!(
            "'10.' || (({k}) / 65536 % 256) || '.' || (({k}) / 256 % 256) || '.' || (({k}) % 256){}",
            if ty.kind == SeedKind::Cidr { " || '/32'" } else { "" }
        ),
        SeedKind::Enum(0) => return None,
        SeedKind::Enum(labels) => format!("(pg_catalog.enum_range(NULL::{}))[1 + ({k}) % {labels}]", ty.sql),
        SeedKind::Domain(base) => value_sql(base, k, seed)?,
        SeedKind::Array(element) => {
            let first = value_sql(element, k, seed)?;
            let second = value_sql(element, &format!("({k}) + 1"), seed)?;
            format!("ARRAY[{first}, {second}]")
        }
        SeedKind::Composite(fields) => {
            let values: Vec<String> =
                fields.iter().map(|f| value_sql(f, k, seed).unwrap_or_else(|| "NULL".into())).collect();
            format!("ROW({})", values.join(", "))
        }
        SeedKind::Unknown => return None,
    };
    Some(format!("CAST({inner} AS {})", ty.sql))
}

/// Tables in an order where each comes after the tables its foreign keys reference (cycles and
/// self-references broken in the given order).
pub fn dependency_order(tables: &[SeedTable]) -> Vec<usize> {
    let mut done = vec![false; tables.len()];
    let mut order = Vec::with_capacity(tables.len());
    fn visit(i: usize, tables: &[SeedTable], done: &mut [bool], path: &mut Vec<usize>, order: &mut Vec<usize>) {
        if done[i] || path.contains(&i) {
            return;
        }
        path.push(i);
        for fk in &tables[i].foreign_keys {
            if let Some(j) = tables.iter().position(|t| t.name == fk.referenced) {
                visit(j, tables, done, path, order);
            }
        }
        path.pop();
        if !done[i] {
            done[i] = true;
            order.push(i);
        }
    }
    for i in 0..tables.len() {
        visit(i, tables, &mut done, &mut Vec::new(), &mut order);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(sql: &str, kind: SeedKind) -> SeedType {
        SeedType { sql: sql.into(), kind }
    }

    fn column(name: &str, t: SeedType) -> SeedColumn {
        SeedColumn { name: name.into(), ty: t, nullable: false, has_default: false, by_default: false, unique: false }
    }

    #[test]
    fn names_are_quoted_and_the_sql_parses() {
        let table = SeedTable {
            name: ObjectName::qualified("My Shop", "Order"),
            columns: vec![
                column("id", ty("integer", SeedKind::Int4)),
                column("Note", ty("character varying(5)", SeedKind::Text)),
                column("customer", ty("bigint", SeedKind::Int8)),
            ],
            foreign_keys: vec![SeedForeignKey {
                columns: vec!["customer".into()],
                referenced: ObjectName::qualified("My Shop", "Customer"),
                referenced_columns: vec!["Id".into()],
                only: false,
            }],
        };
        let sql = seed_sql(&table, 1, 10, 7).unwrap();
        assert!(
            sql.insert.starts_with(r#"INSERT INTO "My Shop"."Order" (id, "Note", customer) SELECT"#),
            "{}",
            sql.insert
        );
        assert!(sql.insert.contains(r#"FROM "My Shop"."Customer" WHERE "Id" IS NOT NULL"#), "{}", sql.insert);
        assert!(sql.insert.contains("CAST(fk0.c0 AS bigint)"), "{}", sql.insert);
        assert!(sql.fallback.starts_with("DO $pg_rollback_seed$"), "{}", sql.fallback);
    }

    #[test]
    fn a_not_null_column_without_generator_or_default_refuses_the_table() {
        let mut table = SeedTable {
            name: ObjectName::qualified("public", "t"),
            columns: vec![column("p", ty("point", SeedKind::Unknown))],
            foreign_keys: vec![],
        };
        assert!(seed_sql(&table, 1, 2, 0).unwrap_err().contains("no generator"));
        table.columns[0].has_default = true;
        assert!(seed_sql(&table, 1, 2, 0).unwrap().insert.starts_with("INSERT INTO public.t SELECT  FROM"));
        table.columns[0].has_default = false;
        table.columns[0].nullable = true;
        assert!(seed_sql(&table, 1, 2, 0).unwrap().insert.contains("(p) SELECT NULL FROM"));
    }

    #[test]
    fn referenced_tables_come_first() {
        let t = |name: &str, refs: &[&str]| SeedTable {
            name: ObjectName::qualified("public", name),
            columns: vec![],
            foreign_keys: refs
                .iter()
                .map(|r| SeedForeignKey {
                    columns: vec![],
                    referenced: ObjectName::qualified("public", r),
                    referenced_columns: vec![],
                    only: false,
                })
                .collect(),
        };
        let tables = [
            t("lines", &["orders", "items"]),
            t("orders", &["customers", "orders"]),
            t("items", &[]),
            t("customers", &[]),
        ];
        assert_eq!(dependency_order(&tables), vec![3, 1, 2, 0]);
    }
}
