//! Before an `ALTER COLUMN ... TYPE` is kept: whether its restore can cast the new type back to the old one
//! (`USING c::old`). Without a cast, the restore starts from NULL and takes every value from the archive
//! (`pg_rollback_core::archive` `cast_back.rs`); that is exact only when the column can be NULL for a moment.
use pg_rollback_core::archive::{cast_back_probe, new_type_sql};
use pg_rollback_core::ParsedMigration;
use tokio_postgres::GenericClient;

use super::{db_failure, Failure};

/// SQLSTATE `cannot_coerce`: no cast between the two types.
const CANNOT_COERCE: &str = "42846";

/// `Some(false)`: the type `statement` gives column `attname` of `oid` has no cast back to its type now.
/// `None`: not known (the new type cannot be written back, or the probe failed otherwise: the statement will
/// say). Runs with the migration's `search_path`, which the statement's type name is resolved with.
pub(super) async fn casts_back<C: GenericClient + Sync>(
    c: &C,
    oid: u32,
    attname: &str,
    migration: &ParsedMigration,
    index: usize,
) -> Result<Option<bool>, Failure> {
    let Some(new_type) = new_type_sql(&migration.statements[index], attname) else { return Ok(None) };
    let Some(row) = c
        .query_opt(
            "SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a
              WHERE a.attrelid = $1 AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped",
            &[&oid, &attname],
        )
        .await
        .map_err(db_failure("reading the column's type"))?
    else {
        return Ok(None);
    };
    let old_type: String = row.get(0);
    c.batch_execute("SAVEPOINT pg_rollback_cast").await.map_err(db_failure("a savepoint"))?;
    let probed = c.batch_execute(&cast_back_probe(&new_type, &old_type)).await;
    let end = match probed {
        Ok(()) => "RELEASE SAVEPOINT pg_rollback_cast",
        Err(_) => "ROLLBACK TO SAVEPOINT pg_rollback_cast; RELEASE SAVEPOINT pg_rollback_cast",
    };
    c.batch_execute(end).await.map_err(db_failure("ending the savepoint"))?;
    Ok(match probed {
        Ok(()) => Some(true),
        Err(e) if e.code().is_some_and(|s| s.code() == CANNOT_COERCE) => Some(false),
        Err(_) => None,
    })
}

/// Without a cast back the restore makes the column NULL for a moment: refused (with the reason) when it
/// cannot be: its old type is a domain (which may refuse NULL), it is NOT NULL and in the primary key or the
/// replica identity, or an identity column, or its NOT NULL constraint (PostgreSQL 18) has a name of its own.
pub(super) async fn nullable_for_a_moment<C: GenericClient + Sync>(
    c: &C,
    oid: u32,
    attname: &str,
) -> Result<(), Failure> {
    let row = c
        .query_one(
            "SELECT t.typtype = 'd',
                    a.attnotnull AND EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = a.attrelid
                         AND (i.indisprimary OR i.indisreplident) AND a.attnum = ANY (i.indkey::int2[])),
                    a.attidentity <> '',
                    EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class r ON r.oid = k.conrelid
                             WHERE k.conrelid = a.attrelid AND k.contype = 'n' AND k.conkey = ARRAY[a.attnum]
                               AND k.conname::text <> r.relname::text || '_' || a.attname::text || '_not_null')
               FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
              WHERE a.attrelid = $1 AND a.attname = $2",
            &[&oid, &attname],
        )
        .await
        .map_err(db_failure("reading the column"))?;
    let facts: (bool, bool, bool, bool) = (row.get(0), row.get(1), row.get(2), row.get(3));
    let why = match facts {
        (true, ..) => "its type is a domain",
        (_, true, ..) => "it is NOT NULL in the primary key or the replica identity",
        (_, _, true, _) => "it is an identity column",
        (.., true) => "its NOT NULL constraint has a name of its own",
        _ => return Ok(()),
    };
    Err(format!(
        "there is no cast from the new type back to the column's type, and the restore (which would start from NULL \
         and take every value from the archive) cannot make the column NULL for a moment: {why}"
    ))
}
