//! An identity column's sequence, or the one a `serial` column owns, right before `DROP COLUMN` drops it with
//! the column: its name, options, owner and where it stands. Runs with an empty `search_path`, so names come out
//! qualified.
use pg_rollback_core::archive::{Identity, OwnedSequence};
use pg_rollback_core::ObjectName;
use tokio_postgres::GenericClient;

use crate::error::statement_cause;

type Failure = String;

pub(crate) async fn read_identity<C: GenericClient + Sync>(
    c: &C,
    table: u32,
    attnum: i16,
    name: &str,
    always: bool,
) -> Result<Identity, Failure> {
    let (identity, _) = read_sequence(c, table, attnum, name, true).await?;
    Ok(Identity { always, ..identity })
}

/// The sequence a plain column owns (`serial`, `OWNED BY`), if it owns one.
pub(crate) async fn read_owned_sequence<C: GenericClient + Sync>(
    c: &C,
    table: u32,
    attnum: i16,
    name: &str,
) -> Result<OwnedSequence, Failure> {
    let (sequence, owner) = read_sequence(c, table, attnum, name, false).await?;
    Ok(OwnedSequence { sequence, owner })
}

/// The identity's sequence (`identity`: dependency `i`) or the owned one (`a`), with its owner.
async fn read_sequence<C: GenericClient + Sync>(
    c: &C,
    table: u32,
    attnum: i16,
    name: &str,
    identity: bool,
) -> Result<(Identity, String), Failure> {
    let (what, deptype) = match identity {
        true => ("an identity column", "i"),
        false => ("a column owning a sequence", "a"),
    };
    let failed = |e: tokio_postgres::Error| format!("reading the column's sequence failed: {}", statement_cause(&e));
    let row = c
        .query_opt(
            "SELECT n.nspname::text, s.relname::text, pg_catalog.format_type(q.seqtypid, NULL), q.seqstart,
                    q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle, s.relacl IS NULL,
                    pg_catalog.obj_description(s.oid, 'pg_class') IS NULL, s.relpersistence = 'p',
                    pg_catalog.pg_get_userbyid(s.relowner)::text
               FROM pg_catalog.pg_depend d
               JOIN pg_catalog.pg_class s ON s.oid = d.objid
               JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace
               JOIN pg_catalog.pg_sequence q ON q.seqrelid = s.oid
              WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = $1
                AND d.refobjsubid = $2 AND d.deptype::text = $3 AND s.relkind = 'S'",
            &[&table, &(attnum as i32), &deptype],
        )
        .await
        .map_err(failed)?;
    let Some(row) = row else { return Err(format!("{name} is {what} without a sequence")) };
    let sequence = ObjectName::qualified(row.get::<_, String>(0).as_str(), row.get::<_, String>(1).as_str());
    if !row.get::<_, bool>(9) || !row.get::<_, bool>(10) || !row.get::<_, bool>(11) {
        return Err(format!(
            "{name} is {what} whose sequence {sequence} has grants, a comment or is unlogged: not archived yet"
        ));
    }
    let state =
        c.query_one(format!("SELECT last_value, is_called FROM {sequence}").as_str(), &[]).await.map_err(failed)?;
    let identity = Identity {
        always: false,
        sequence,
        type_sql: row.get(2),
        start: row.get(3),
        increment: row.get(4),
        min: row.get(5),
        max: row.get(6),
        cache: row.get(7),
        cycle: row.get(8),
        last_value: state.get(0),
        is_called: state.get(1),
    };
    Ok((identity, row.get(12)))
}
