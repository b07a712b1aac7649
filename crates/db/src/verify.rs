//! Proving rollbacks: a catalog snapshot of a database, and `verify_rollback`, which runs a migration and
//! its rollback in one transaction that is always rolled back and compares the schema before and after.
// `CatalogDifference`: the name JavaScript knows it by (napi names types as they are written here).
use pg_rollback_core::archive::ArchiveRecord;
use pg_rollback_core::rows::{compare_rows, RowDifference};
use pg_rollback_core::snapshot::{compare, Difference as CatalogDifference, Snapshot};
use pg_rollback_core::{ParsedMigration, Planner, RollbackWarning};
use serde::Serialize;
use tokio_postgres::GenericClient;

use crate::archive::Archiver;
use crate::catalog::snapshot;
use crate::connect::parse_url;
use crate::error::{statement_cause, Error, Result};
use crate::lock::{set_timeouts, Timeouts};
use crate::rollback::range::read_only;
use crate::run::{run, StatementFailed, Statements};
use crate::seed::{row_snapshot_in, seed, SeededRows};
use crate::session::{check_text, check_timeout, with_session, Ctx};

/// Reads of the catalog snapshot before an object dropped by another session meanwhile is an error.
const SNAPSHOT_ATTEMPTS: u64 = 5;

/// The schema of the database at `url` now: every catalog object a migration can change (see
/// [`snapshot::SNAPSHOT_SQL`]), read in one read-only transaction.
pub async fn catalog_snapshot(url: &str) -> Result<Snapshot> {
    parse_url(url)?;
    with_session(url, async |client, ctx| {
        // An object another session drops while it is read (a session ending drops what used its temporary
        // objects) is read again in a new transaction, which no longer sees it.
        let mut attempt = 0;
        loop {
            attempt += 1;
            let read = read_only(client, ctx, async |tx| snapshot::read_or_dropped(tx, ctx).await).await;
            match read? {
                Ok(snapshot) => return Ok(snapshot),
                Err(dropped) if attempt >= SNAPSHOT_ATTEMPTS => return Err(dropped.error()),
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50 * attempt)).await,
            }
        }
    })
    .await
}

/// What [`verify_rollback`] runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyInput {
    pub sql: String,
    /// The rollback to prove; `None`: the one pg-rollback generates for `sql` on this database, with the
    /// state read while the migration runs (what `apply_migration` would store).
    pub rollback_script: Option<String>,
    pub timeouts: Timeouts,
    /// Proof with data: before the migration, every user table gets this many generated rows, and the rows
    /// are compared too; a generated rollback that is not SAFE is proved by its restore (the archive kept at
    /// apply). `None` or 0: schema only, as without it.
    pub seed_rows: Option<u32>,
}

/// What `verifyRollback` found. The database is unchanged whatever it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct VerifiedRollback {
    /// True exactly when the rollback ran and `differences` is empty.
    pub restored: bool,
    /// What differs between the schema before the migration and after the rollback, one per object attribute.
    pub differences: Vec<CatalogDifference>,
    /// The rollback script that ran (given, or generated; `None` when there is none).
    pub rollback_script: Option<String>,
    /// For a generated script: whether pg-rollback marks it SAFE (always false for a given one).
    pub rollback_safe: bool,
    /// For a generated script: its warnings.
    pub warnings: Vec<RollbackWarning>,
    /// Set when a statement of the rollback failed: which one, and PostgreSQL's message. `differences` then
    /// lists what the migration changed.
    pub rollback_failure: Option<String>,
    /// Statements that cannot run in a transaction (`CONCURRENTLY`, `VACUUM`, ...) and what ran instead: their
    /// transactional form, with the same effect on the schema, or nothing when they change no schema.
    pub transactional_forms: Vec<String>,
    /// With `seedRows`: what was seeded.
    pub seeded: Option<SeededRows>,
    /// With `seedRows`, for a generated rollback that is not SAFE: the restore that ran instead of it (the
    /// rollback with what the archive kept put back), when every destructive statement could be kept.
    pub restore_script: Option<String>,
    /// The restore ran, and the schema (but the positions of columns that came back last) and every
    /// table's rows equal the ones from before: proved restorable.
    pub restorable: bool,
    /// With `seedRows`, not SAFE and no restore: why (what the archive could not keep).
    pub restore_unavailable: Option<String>,
    /// With `seedRows`: what differs in the rows of the tables that existed before (`public.t.c: 3 rows differ`).
    pub row_differences: Vec<RowDifference>,
}

/// Transaction control would end the proof early; a statement that cannot run in a transaction runs in its
/// transactional form (same schema), and one without such a form is refused. The notes say what ran instead.
fn in_transaction(what: &str, script: ParsedMigration, notes: &mut Vec<String>) -> Result<ParsedMigration> {
    let refuse = |statement: String, why: &str| {
        Err(Error::NotTransactional(format!(
            "{what} cannot be verified: {statement} {why}; verification runs the migration and its rollback in one \
             transaction that is rolled back. Nothing was changed"
        )))
    };
    if let Some(i) = script.first_transaction_control() {
        let s = &script.statements[i];
        return refuse(
            format!("statement {} (line {}, column {}), `{}`,", i + 1, s.line, s.column, s.text),
            "would end or abandon that transaction",
        );
    }
    let (script, changed) = crate::apply::dry_run::in_one_transaction(script).map_err(|statement| {
        Error::NotTransactional(format!(
            "{what} cannot be verified: {statement} cannot run inside a transaction block, and no statement that \
             can has its effect on the schema; verification runs the migration and its rollback in one transaction \
             that is rolled back. Nothing was changed"
        ))
    })?;
    for (i, written) in changed {
        let text = &script.statements[i].text;
        notes.push(match text.is_empty() {
            true => format!("{what}, statement {} (`{written}`): left out (it changes no schema)", i + 1),
            false => format!("{what}, statement {} (`{written}`): ran as `{text}` (same schema)", i + 1),
        });
    }
    Ok(script)
}

/// A script that does not parse: the migration's error keeps the generator's code (`PARSE_ERROR`, with line
/// and column); a given rollback script is a bad argument.
fn parse_script(sql: &str) -> Result<ParsedMigration> {
    ParsedMigration::parse(sql).map_err(|e| Error::InvalidArgument(format!("The rollback script does not parse: {e}")))
}

/// Prove a rollback on a live database without changing it: in ONE transaction that is always rolled back,
/// snapshot the schema, run `sql`, run the rollback, snapshot again and compare. Meanwhile the transaction
/// holds every lock the migration and the rollback take (ACCESS EXCLUSIVE on the tables most DDL alters),
/// until it ends; `lock_timeout` bounds waiting for them. Statements that cannot run in a transaction run in
/// their transactional form (`CONCURRENTLY` removed: the same schema; `VACUUM`, `REINDEX`, ... left out),
/// listed in `transactional_forms`; one without such a form (`DETACH PARTITION ... CONCURRENTLY`) is refused
/// with `NOT_TRANSACTIONAL`. A migration that fails is `MIGRATION_FAILED` naming the statement.
pub async fn verify_rollback(url: &str, input: &VerifyInput) -> Result<VerifiedRollback> {
    check_text("sql", &input.sql, false)?;
    check_timeout("lockTimeoutMs", input.timeouts.lock_timeout_ms)?;
    check_timeout("statementTimeoutMs", input.timeouts.statement_timeout_ms)?;
    let mut notes = Vec::new();
    let migration = in_transaction("The migration", ParsedMigration::parse(&input.sql)?, &mut notes)?;
    let given = match &input.rollback_script {
        Some(script) => {
            check_text("rollbackScript", script, true)?;
            let parsed = in_transaction("The rollback script", parse_script(script)?, &mut notes)?;
            Some((script.clone(), parsed))
        }
        None => None,
    };
    parse_url(url)?;
    with_session(url, async |client, ctx| {
        let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
        let result = prove(&tx, ctx, input, migration, given, notes).await;
        let _ = tx.rollback().await;
        result
    })
    .await
}

async fn prove<C: GenericClient + Sync>(
    tx: &C,
    ctx: &Ctx,
    input: &VerifyInput,
    migration: ParsedMigration,
    given: Option<(String, ParsedMigration)>,
    mut notes: Vec<String>,
) -> Result<VerifiedRollback> {
    set_timeouts(tx, ctx, input.timeouts, "LOCAL").await?;
    let path: String = tx
        .query_one("SELECT pg_catalog.current_setting('search_path')", &[])
        .await
        .map_err(|e| ctx.err("reading search_path", &e))?
        .get(0);
    let seed_rows = input.seed_rows.filter(|n| *n > 0);
    let seeded = match seed_rows {
        Some(n) => Some(seed(tx, n, 0, 0).await?),
        None => None,
    };
    let before = snapshot::read(tx, ctx).await?;
    let rows_before = match seed_rows {
        Some(_) => Some(row_snapshot_in(tx).await?),
        None => None,
    };
    let migration_failed = |m: &ParsedMigration, StatementFailed { index, error }| {
        let s = &m.statements[index];
        Error::MigrationFailed(format!(
            "The migration failed at statement {} of {} (line {}, column {}){}: {}\nPostgreSQL: {}\nNothing was changed",
            index + 1,
            m.statements.len(),
            s.line,
            s.column,
            seed_rows.map(|n| format!(" on {n} seeded rows per table")).unwrap_or_default(),
            s.text,
            statement_cause(&error)
        ))
    };
    let mut archiver = Archiver::for_proof();
    let mut restore: Option<(ParsedMigration, String)> = None;
    let mut restore_unavailable = None;
    let (script, safe, warnings) = match given {
        Some(script) => {
            run(tx, ctx, Statements::Plain(&migration)).await.map_err(|f| migration_failed(&migration, f))?;
            (Some(script), false, Vec::new())
        }
        None => {
            let mut planner = Planner::new(migration, true);
            let ran = match seed_rows {
                // What the migration destroys is kept as apply keeps it, to prove the restore.
                Some(_) => crate::apply::run_archived(tx, ctx, &mut planner, &mut archiver).await,
                None => run(tx, ctx, Statements::Captured(&mut planner)).await,
            };
            if let Err(failed) = ran {
                return Err(migration_failed(planner.migration(), failed));
            }
            let plan = planner.finish();
            if seed_rows.is_some() && !plan.rollback_safe {
                let (script, record) = std::mem::replace(&mut archiver, Archiver::for_proof()).proof_restore(&plan);
                match script {
                    Some(text) => {
                        restore = Some((in_transaction("The restore", parse_script(&text)?, &mut notes)?, text))
                    }
                    None => restore_unavailable = Some(unavailable_reason(&record)),
                }
            }
            let script = match &plan.rollback_script {
                Some(text) => Some((text.clone(), in_transaction("The rollback", parse_script(text)?, &mut notes)?)),
                None => None,
            };
            (script, plan.rollback_safe, plan.warnings)
        }
    };
    // The rollback runs as it would on a new connection: with the session's search_path, not the migration's.
    tx.query("SELECT pg_catalog.set_config('search_path', $1, false)", &[&path])
        .await
        .map_err(|e| ctx.err("putting search_path back", &e))?;
    let mut rollback_failure = None;
    // Not SAFE, and restorable: the restore runs instead of the rollback.
    let runs = match &restore {
        Some((parsed, _)) => Some(parsed),
        None => script.as_ref().map(|(_, parsed)| parsed),
    };
    if let Some(script) = runs {
        tx.batch_execute("SAVEPOINT pg_rollback_verify").await.map_err(|e| ctx.err("taking a savepoint", &e))?;
        match run(tx, ctx, Statements::Plain(script)).await {
            Ok(()) => {}
            Err(StatementFailed { index, error }) => {
                let s = &script.statements[index];
                rollback_failure = Some(format!(
                    "The {} failed at statement {} of {}: {}\nPostgreSQL: {}",
                    if restore.is_some() { "restore" } else { "rollback" },
                    index + 1,
                    script.statements.len(),
                    s.text,
                    statement_cause(&error)
                ));
                tx.batch_execute("ROLLBACK TO SAVEPOINT pg_rollback_verify")
                    .await
                    .map_err(|e| ctx.err("rolling back to the savepoint", &e))?;
            }
        }
    }
    let after = snapshot::read(tx, ctx).await?;
    let mut differences = compare(&before, &after);
    if restore.is_some() {
        // A column that comes back comes back last (a dropped one, a generated one, in every partition of a
        // partitioned table): column positions may differ, nothing else.
        differences.retain(|d| !(d.kind == "table column" && d.attribute.as_deref() == Some("position")));
    }
    let row_differences = match &rows_before {
        Some(rows_before) => compare_rows(rows_before, &row_snapshot_in(tx).await?),
        None => Vec::new(),
    };
    let back = differences.is_empty() && row_differences.is_empty() && rollback_failure.is_none();
    Ok(VerifiedRollback {
        restored: match seed_rows {
            Some(_) => back,
            None => differences.is_empty() && rollback_failure.is_none(),
        },
        restorable: restore.is_some() && back,
        differences,
        rollback_script: script.map(|(text, _)| text),
        rollback_safe: safe,
        warnings,
        rollback_failure,
        transactional_forms: notes,
        seeded,
        restore_script: restore.map(|(_, text)| text),
        restore_unavailable,
        row_differences,
    })
}

/// Why a migration has no restore, from its archive record.
pub(crate) fn unavailable_reason(record: &ArchiveRecord) -> String {
    let mut reasons: Vec<String> = record.restore_unavailable.clone().into_iter().collect();
    for n in &record.not_archived {
        reasons.push(format!("statement {} was not archived: {}", n.statement_index + 1, n.reason));
    }
    reasons.join("; ")
}

/// A database created for a verification run ([`create_scratch_database`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "napi", napi_derive::napi(object))]
pub struct ScratchDatabase {
    pub name: String,
    /// The URL given, pointing at the new database.
    pub url: String,
}

const SCRATCH_PREFIX: &str = "pg_rollback_verify_";

/// Create an empty database, named `pg_rollback_verify_<time>_<pid>`, on the server of `url` (from its
/// `template1`, like `createdb`). Needs the CREATEDB privilege.
pub async fn create_scratch_database(url: &str) -> Result<ScratchDatabase> {
    parse_url(url)?;
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let name = format!("{SCRATCH_PREFIX}{}_{}_{}", stamp.as_secs(), stamp.subsec_nanos(), std::process::id());
    with_session(url, async |client, ctx| {
        client.batch_execute(&format!("CREATE DATABASE \"{name}\"")).await.map_err(|e| {
            ctx.err(&format!("creating the scratch database {name} (the user needs the CREATEDB privilege)"), &e)
        })
    })
    .await?;
    // tokio-postgres takes the last `dbname`: it wins over the URL's path.
    let separator = if url.contains('?') { '&' } else { '?' };
    Ok(ScratchDatabase { url: format!("{url}{separator}dbname={name}"), name })
}

/// Drop a database made by [`create_scratch_database`], closing its connections; only such names are accepted.
pub async fn drop_scratch_database(url: &str, name: &str) -> Result<()> {
    let valid = name
        .strip_prefix(SCRATCH_PREFIX)
        .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '_'));
    if !valid {
        return Err(Error::InvalidArgument(format!("{name:?} is not a scratch database made by pg-rollback")));
    }
    parse_url(url)?;
    with_session(url, async |client, ctx| {
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await
            .map_err(|e| ctx.err(&format!("dropping the scratch database {name}"), &e))
    })
    .await
}
