//! Proof with data (issue 18): seed every user table with generated rows (the SQL from
//! `pg_rollback_core::seed`, built from what is read here), and the row oracle's snapshot (the SQL from
//! `pg_rollback_core::rows`). Everything runs on the server; no row goes through the client but hashes.
use std::collections::HashMap;

use pg_rollback_core::rows::{column_rows_sql, rows_sql, ColumnRows, RowSnapshot, TableRows, COUNTED_ROWS};
use pg_rollback_core::seed::{dependency_order, seed_sql, SeedColumn, SeedForeignKey, SeedKind, SeedTable, SeedType};
use pg_rollback_core::ObjectName;
use serde::Serialize;
use tokio_postgres::GenericClient;

use crate::connect::parse_url;
use crate::error::{statement_cause, Error, Result};
use crate::rollback::range::read_only;
use crate::session::{with_session, Ctx};

/// What seeding did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object))]
pub struct SeededRows {
    /// Rows inserted, in all tables.
    pub rows: i64,
    /// Tables that got at least one row.
    pub tables: u32,
    /// Tables that got none, and why (`public.t: ...`).
    pub skipped: Vec<String>,
}

/// User tables: not the system's, the archive's, pg-rollback's and Drizzle's bookkeeping, nor an extension's.
const USER_TABLES: &str = "
    SELECT c.oid, n.nspname::text, c.relname::text
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = ANY ($1::text[]::\"char\"[]) AND c.relpersistence <> 't'
       AND ($2 OR NOT c.relispartition)
       AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgrollback_archive')
       AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
       AND c.relname <> 'schema_versions'
       AND NOT (n.nspname = 'drizzle' AND c.relname = '__drizzle_migrations')
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                        WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid AND d.deptype = 'e')
     ORDER BY 2, 3";

fn err(what: &str) -> impl Fn(tokio_postgres::Error) -> Error + '_ {
    move |e| Error::Database(format!("{what}: {}", statement_cause(&e)))
}

async fn tables<C: GenericClient + Sync>(c: &C, kinds: &[&str], partitions: bool) -> Result<Vec<(u32, ObjectName)>> {
    let kinds: Vec<String> = kinds.iter().map(|k| (*k).to_owned()).collect();
    let rows = c.query(USER_TABLES, &[&kinds, &partitions]).await.map_err(err("listing the tables"))?;
    Ok(rows
        .iter()
        .map(|r| {
            (r.get::<_, u32>(0), ObjectName::qualified(r.get::<_, String>(1).as_str(), r.get::<_, String>(2).as_str()))
        })
        .collect())
}

/// Types read once per seeding, by oid and typmod.
struct Types(HashMap<(u32, i32), SeedType>);

impl Types {
    async fn get<C: GenericClient + Sync>(&mut self, c: &C, oid: u32, typmod: i32, depth: u32) -> Result<SeedType> {
        if let Some(t) = self.0.get(&(oid, typmod)) {
            return Ok(t.clone());
        }
        let row = c
            .query_one(
                "SELECT pg_catalog.format_type(t.oid, $2), t.typtype::text, t.typcategory::text, t.typbasetype,
                        t.typtypmod, t.typelem, t.typrelid,
                        (SELECT pg_catalog.count(*)::int8 FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid)
                   FROM pg_catalog.pg_type t WHERE t.oid = $1",
                &[&oid, &typmod],
            )
            .await
            .map_err(err("reading a type"))?;
        let sql: String = row.get(0);
        let (typtype, category): (String, String) = (row.get(1), row.get(2));
        let kind = match oid {
            21 => SeedKind::Int2,
            23 => SeedKind::Int4,
            20 => SeedKind::Int8,
            1700 if typmod >= 4 => {
                let m = typmod - 4;
                SeedKind::Numeric(Some(((m >> 16) & 0xffff, ((m & 0x7ff) ^ 1024) - 1024)))
            }
            1700 => SeedKind::Numeric(None),
            700 | 701 => SeedKind::Float,
            790 => SeedKind::Money,
            25 | 1043 | 1042 | 19 => SeedKind::Text,
            16 => SeedKind::Bool,
            1082 => SeedKind::Date,
            1114 => SeedKind::Timestamp,
            1184 => SeedKind::Timestamptz,
            1083 => SeedKind::Time,
            1266 => SeedKind::Timetz,
            1186 => SeedKind::Interval,
            2950 => SeedKind::Uuid,
            114 | 3802 => SeedKind::Json,
            17 => SeedKind::Bytea,
            869 => SeedKind::Inet,
            650 => SeedKind::Cidr,
            _ if depth > 4 => SeedKind::Unknown,
            _ if typtype == "e" => SeedKind::Enum(row.get::<_, i64>(7) as u32),
            _ if typtype == "d" => {
                let base = Box::pin(self.get(c, row.get(3), row.get(4), depth + 1)).await?;
                SeedKind::Domain(Box::new(base))
            }
            _ if category == "A" && row.get::<_, u32>(5) != 0 => {
                let element = Box::pin(self.get(c, row.get(5), typmod, depth + 1)).await?;
                SeedKind::Array(Box::new(element))
            }
            _ if typtype == "c" => {
                let fields = c
                    .query(
                        "SELECT atttypid, atttypmod FROM pg_catalog.pg_attribute
                          WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                        &[&row.get::<_, u32>(6)],
                    )
                    .await
                    .map_err(err("reading a composite type"))?;
                let mut out = Vec::new();
                for f in fields {
                    out.push(Box::pin(self.get(c, f.get(0), f.get(1), depth + 1)).await?);
                }
                SeedKind::Composite(out)
            }
            _ if category == "S" && typtype == "b" => SeedKind::Text,
            _ => SeedKind::Unknown,
        };
        let t = SeedType { sql, kind };
        self.0.insert((oid, typmod), t.clone());
        Ok(t)
    }
}

/// The facts of every table to seed (with an empty `search_path`: every name qualified).
async fn facts<C: GenericClient + Sync>(c: &C) -> Result<Vec<SeedTable>> {
    let list = tables(c, &["r", "p"], false).await?;
    let oids: Vec<u32> = list.iter().map(|(oid, _)| *oid).collect();
    let columns = c
        .query(
            "SELECT a.attrelid, a.attname::text, a.atttypid, a.atttypmod, NOT a.attnotnull AND NOT COALESCE(t.typnotnull, false),
                    a.atthasdef,
                    a.attidentity <> '' OR a.attgenerated <> ''
                      OR COALESCE(pg_catalog.pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%', false),
                    EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                             WHERE i.indrelid = a.attrelid AND i.indisunique AND a.attnum = ANY (i.indkey::int2[]))
               FROM pg_catalog.pg_attribute a
               LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
               LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid AND t.typtype = 'd'
              WHERE a.attrelid = ANY ($1) AND a.attnum > 0 AND NOT a.attisdropped
              ORDER BY a.attrelid, a.attnum",
            &[&oids],
        )
        .await
        .map_err(err("reading the columns"))?;
    let keys = c
        .query(
            "SELECT k.conrelid,
                    ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(k.conkey) WITH ORDINALITY AS x(n, i)
                            JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = x.n ORDER BY x.i),
                    rn.nspname::text, r.relname::text,
                    ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(k.confkey) WITH ORDINALITY AS x(n, i)
                            JOIN pg_catalog.pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = x.n ORDER BY x.i),
                    r.relkind = 'r'
               FROM pg_catalog.pg_constraint k
               JOIN pg_catalog.pg_class r ON r.oid = k.confrelid
               JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
              WHERE k.contype = 'f' AND k.conrelid = ANY ($1)
              ORDER BY k.conrelid, k.conname",
            &[&oids],
        )
        .await
        .map_err(err("reading the foreign keys"))?;
    let mut types = Types(HashMap::new());
    let mut out = Vec::with_capacity(list.len());
    for (oid, name) in list {
        let mut table = SeedTable { name, columns: Vec::new(), foreign_keys: Vec::new() };
        for r in columns.iter().filter(|r| r.get::<_, u32>(0) == oid) {
            table.columns.push(SeedColumn {
                name: r.get(1),
                ty: types.get(c, r.get(2), r.get(3), 0).await?,
                nullable: r.get(4),
                has_default: r.get(5),
                by_default: r.get(6),
                unique: r.get(7),
            });
        }
        for k in keys.iter().filter(|k| k.get::<_, u32>(0) == oid) {
            table.foreign_keys.push(SeedForeignKey {
                columns: k.get(1),
                referenced: ObjectName::qualified(k.get::<_, String>(2).as_str(), k.get::<_, String>(3).as_str()),
                referenced_columns: k.get(4),
                only: k.get(5),
            });
        }
        out.push(table);
    }
    Ok(out)
}

/// Rows of `table` (with `only`: not its inheritance children; a partitioned table's rows are all in them).
async fn count<C: GenericClient + Sync>(c: &C, table: &ObjectName, only: bool) -> Result<i64> {
    let only = if only { "ONLY " } else { "" };
    let row = c
        .query_one(&format!("SELECT pg_catalog.count(*)::int8 FROM {only}{table}"), &[])
        .await
        .map_err(err("counting rows"))?;
    Ok(row.get(0))
}

/// Seed every user table with `rows` generated rows numbered from `round * rows + 1` (a history seeds before
/// each migration with the next round, so unique values do not collide), in the caller's transaction.
/// Referenced tables first; a row that violates something is skipped.
pub(crate) async fn seed<C: GenericClient + Sync>(c: &C, rows: u32, round: u32, seed: u64) -> Result<SeededRows> {
    let path: String = c
        .query_one("SELECT pg_catalog.current_setting('search_path')", &[])
        .await
        .map_err(err("reading search_path"))?
        .get(0);
    // Deferred constraints checked per statement, so that a row failing one is skipped, not the commit.
    c.batch_execute("SELECT pg_catalog.set_config('search_path', '', true); SET CONSTRAINTS ALL IMMEDIATE")
        .await
        .map_err(err("preparing to seed"))?;
    let result = seed_all(c, rows, round, seed).await;
    // Back to each constraint's initial mode, for what runs next in the same transaction (a verification).
    let deferred: Vec<String> = c
        .query(
            "SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(k.conname)
               FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_namespace n ON n.oid = k.connamespace
              WHERE k.condeferred",
            &[],
        )
        .await
        .map_err(err("reading deferred constraints"))?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if !deferred.is_empty() {
        c.batch_execute(&format!("SET CONSTRAINTS {} DEFERRED", deferred.join(", ")))
            .await
            .map_err(err("deferring constraints again"))?;
    }
    c.execute("SELECT pg_catalog.set_config('search_path', $1, true)", &[&path]).await.map_err(err("search_path"))?;
    result
}

async fn seed_all<C: GenericClient + Sync>(c: &C, rows: u32, round: u32, seed: u64) -> Result<SeededRows> {
    let mut done = SeededRows::default();
    if rows == 0 {
        return Ok(done);
    }
    let tables = facts(c).await?;
    let first = i64::from(round) * i64::from(rows) + 1;
    let last = first + i64::from(rows) - 1;
    for i in dependency_order(&tables) {
        let table = &tables[i];
        let sql = match seed_sql(table, first, last, seed) {
            Ok(sql) => sql,
            Err(why) => {
                done.skipped.push(format!("{}: {why}", table.name));
                continue;
            }
        };
        c.batch_execute("SAVEPOINT pg_rollback_seed").await.map_err(err("taking a savepoint"))?;
        let inserted = match c.execute(sql.insert.as_str(), &[]).await {
            Ok(n) => n as i64,
            Err(_) => {
                c.batch_execute("ROLLBACK TO SAVEPOINT pg_rollback_seed").await.map_err(err("rolling back"))?;
                let before = count(c, &table.name, false).await?;
                match c.batch_execute(&sql.fallback).await {
                    Ok(()) => count(c, &table.name, false).await? - before,
                    Err(e) => {
                        c.batch_execute("ROLLBACK TO SAVEPOINT pg_rollback_seed").await.map_err(err("rolling back"))?;
                        done.skipped.push(format!("{}: {}", table.name, statement_cause(&e)));
                        0
                    }
                }
            }
        };
        c.batch_execute("RELEASE SAVEPOINT pg_rollback_seed").await.map_err(err("releasing a savepoint"))?;
        if inserted > 0 {
            done.rows += inserted;
            done.tables += 1;
        } else if !done.skipped.iter().any(|s| s.starts_with(&format!("{}: ", table.name))) {
            done.skipped
                .push(format!("{}: every generated row was rejected (a constraint, a key or a trigger)", table.name));
        }
    }
    Ok(done)
}

/// The row oracle's snapshot of every user table, in the caller's transaction.
pub(crate) async fn row_snapshot_in<C: GenericClient + Sync>(c: &C) -> Result<RowSnapshot> {
    let mut snapshot = RowSnapshot::default();
    for (_, name) in tables(c, &["r"], true).await? {
        let n = count(c, &name, true).await?;
        let hashes = n <= COUNTED_ROWS;
        let row = c.query_one(rows_sql(&name, hashes).as_str(), &[]).await.map_err(err("reading rows"))?;
        let sorted = |mut h: Option<Vec<i64>>| {
            if let Some(h) = &mut h {
                h.sort_unstable();
            }
            h
        };
        let mut table = TableRows {
            rows: row.get(0),
            checksum: row.get(1),
            hashes: sorted(row.get(2)),
            columns: Default::default(),
        };
        for r in c.query(column_rows_sql(&name, hashes).as_str(), &[]).await.map_err(err("reading columns"))? {
            table.columns.insert(r.get(0), ColumnRows { checksum: r.get(1), hashes: sorted(r.get(2)) });
        }
        snapshot.tables.insert(name.to_string(), table);
    }
    Ok(snapshot)
}

/// [`seed`] on its own: in one transaction that commits (`pnpm db:rollback verify --seed-rows`).
pub async fn seed_rows(url: &str, rows: u32, round: u32) -> Result<SeededRows> {
    parse_url(url)?;
    with_session(url, async |client, ctx: &Ctx| {
        let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
        let done = seed(&tx, rows, round, 0).await?;
        tx.commit().await.map_err(|e| ctx.err("committing the seeded rows", &e))?;
        Ok(done)
    })
    .await
}

/// The row oracle's snapshot of the database at `url`: per table, the row count and checksums independent of
/// column order (compare two with `compare_rows`).
pub async fn row_snapshot(url: &str) -> Result<RowSnapshot> {
    parse_url(url)?;
    with_session(url, async |client, ctx: &Ctx| read_only(client, ctx, async |tx| row_snapshot_in(tx).await).await)
    .await
}

/// Remove every row of every user table (the ones [`seed_rows`] fills), in one transaction. For a scratch
/// database whose next migration does not apply on seeded rows (`ADD COLUMN ... NOT NULL` without default).
pub async fn empty_tables(url: &str) -> Result<()> {
    parse_url(url)?;
    with_session(url, async |client, ctx: &Ctx| {
        let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
        let names: Vec<String> =
            tables(&tx, &["r", "p"], false).await?.iter().map(|(_, name)| name.to_string()).collect();
        if !names.is_empty() {
            tx.batch_execute(&format!("TRUNCATE {}", names.join(", "))).await.map_err(err("emptying the tables"))?;
        }
        tx.commit().await.map_err(|e| ctx.err("committing", &e))
    })
    .await
}
