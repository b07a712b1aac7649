//! Real migration histories through pg-rollback: for every migration of every history in the corpus
//! (`corpus/README.md`), in order on a fresh database: dump, `apply_migration` (the state captured), dump,
//! and when the stored rollback is SAFE, `execute_rollback`, dump (must equal the first), apply again, dump
//! (must equal the second). Every comparison is also made with the catalog snapshot `verify` uses, which must
//! agree with the dumps. Prints, per history and in all, how many migrations are stored SAFE (and how
//! many the SQL alone would make SAFE), and every SAFE rollback that failed or did not restore the schema.
//!
//! ```text
//! cargo run --release -p pg-rollback-db --example corpus -- [histories-dir] [--only a,b] [--report FILE] [--past-stop-before] [--seed-rows N]
//! ```
//! With `--seed-rows N` (proof with data, issue 18): before each migration every user table gets N generated
//! rows, the archive is on (`0004_archive.sql` applied), and besides the schema every table's rows must come
//! back (row oracle: count and checksums): after a SAFE rollback, and for a migration that is not SAFE but has
//! a restore script, after its restore (`restore_data`; the schema may then differ only in the positions of
//! columns that came back last). The report counts SAFE, restorable (proved) and neither; a restore that
//! fails its proof is a failure. A migration that does not apply on the seeded rows is applied again on
//! emptied tables (counted, logged).
//! `histories-dir` defaults to `../shared/corpus/histories` (built by `node corpus/build.mjs`). Uses
//! `DATABASE_URL` or a throwaway cluster, like the tests (`PG_ROLLBACK_TEST_PG=18` for another version).
//! Migrations with statements that cannot run in a transaction (`CREATE INDEX CONCURRENTLY`, ...) go through
//! `apply_migration` like the others (it runs those statements on their own). A history stops before its
//! `stop_before` (the first migration stock PostgreSQL 15 cannot run), or with `--past-stop-before` at the
//! first migration that does not apply.
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use pg_rollback_core::{generate_rollback, ParsedMigration};
use pg_rollback_db::Code;
use pg_rollback_db::{
    apply_migration, catalog_snapshot, compare_rows, compare_snapshots, empty_tables, execute_rollback, row_snapshot,
    seed_rows, ExecuteOptions, MigrationInput, RowSnapshot, Snapshot, ARCHIVE_SQL,
    ROLLBACK_COLUMNS_SQL, ROLLBACK_PLAN_SQL, SCHEMA_VERSIONS_SQL,
};
use serde::Deserialize;
use testpg::unified_diff;

/// Unsafe by the spec: data migrations, dropped columns and tables, enum values added, column types changed.
const SPEC_CLASSES: [&str; 5] = ["DATA_MIGRATION", "DROP_COLUMN", "DROP_TABLE", "ENUM_ADD_VALUE", "COLUMN_TYPE"];

#[derive(Deserialize)]
struct Manifest {
    name: String,
    #[serde(default)]
    statement_separator: Option<String>,
    #[serde(default)]
    setup: String,
    #[serde(default)]
    stop_before: Option<usize>,
    migrations: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    file: String,
    #[serde(default)]
    no_transaction: bool,
}

#[derive(Default, Clone)]
struct Tally {
    migrations: usize,
    /// Applied through `apply_migration` (with capture).
    captured: usize,
    safe: usize,
    /// SAFE from the SQL alone (`generate_rollback`).
    safe_sql_only: usize,
    /// Applied by psql instead, after `apply_migration` failed.
    not_captured: usize,
    /// Applied with capture with some statement outside a transaction (it refuses one, or its tool runs the
    /// migration without one), and of those, SAFE and proved.
    outside: usize,
    outside_safe: usize,
    outside_proved: usize,
    /// SAFE, before `--prove-from`: not executed.
    unproved: usize,
    /// SAFE, and executing it, comparing and re-applying all worked.
    proved: usize,
    failures: usize,
    /// No statement at all (comments only): nothing to roll back, and not counted as SAFE.
    empty: usize,
    /// Re-applied after its rollback, the migration gave another schema than the first time: it is not
    /// deterministic (e.g. a view that embeds `now()`); the rollback itself restored the schema.
    nondeterministic: usize,
    /// With a CAPTURE_FAILED warning: some statement fell back to the SQL alone.
    capture_failed: usize,
    /// Comparisons where the catalog snapshot and `pg_dump` disagreed on "same schema".
    verdict_disagreements: usize,
    /// Comparisons made both ways.
    verdicts: usize,
    /// First unsafe code of each unsafe migration.
    codes: BTreeMap<String, usize>,
    /// With `--seed-rows`: not SAFE, with a restore that brought schema and rows back.
    restorable: usize,
    /// Not SAFE, with a restore script (proved or not).
    with_restore: usize,
    /// Migrations that did not apply on the seeded rows (applied again on emptied tables).
    unseeded: usize,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.migrations += other.migrations;
        self.captured += other.captured;
        self.safe += other.safe;
        self.safe_sql_only += other.safe_sql_only;
        self.not_captured += other.not_captured;
        self.outside += other.outside;
        self.outside_safe += other.outside_safe;
        self.outside_proved += other.outside_proved;
        self.unproved += other.unproved;
        self.proved += other.proved;
        self.failures += other.failures;
        self.empty += other.empty;
        self.nondeterministic += other.nondeterministic;
        self.capture_failed += other.capture_failed;
        self.verdict_disagreements += other.verdict_disagreements;
        self.verdicts += other.verdicts;
        self.restorable += other.restorable;
        self.with_restore += other.with_restore;
        self.unseeded += other.unseeded;
        for (code, n) in &other.codes {
            *self.codes.entry(code.clone()).or_default() += n;
        }
    }
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

/// drizzle-orm's migrator runs each piece between breakpoints as a query of its own, so a piece may lack
/// its final `;`: one is put before each breakpoint (an empty statement at worst), as `db:migrate:apply` does.
fn migration_sql(text: &str, separator: Option<&str>) -> String {
    match separator {
        Some(sep) => text.replace(sep, &format!(";{sep}")),
        None => text.to_owned(),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir = PathBuf::from("../shared/corpus/histories");
    let mut only: Option<Vec<String>> = None;
    let mut report: Option<PathBuf> = None;
    let mut past_stop_before = false;
    let mut prove_from = 0;
    let mut seed: Option<u32> = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed-rows" => seed = Some(args.next().and_then(|n| n.parse().ok()).expect("--seed-rows N")),
            "--past-stop-before" => past_stop_before = true,
            "--prove-from" => prove_from = args.next().and_then(|n| n.parse().ok()).expect("--prove-from N"),
            "--only" => only = args.next().map(|v| v.split(',').map(str::to_owned).collect()),
            "--report" => report = args.next().map(PathBuf::from),
            _ => dir = PathBuf::from(arg),
        }
    }
    let mut manifests: Vec<(PathBuf, Manifest)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e} (build the corpus: node corpus/build.mjs)", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.join("manifest.json").exists())
        .map(|p| {
            let manifest = serde_json::from_str(&std::fs::read_to_string(p.join("manifest.json")).unwrap()).unwrap();
            (p, manifest)
        })
        .filter(|(_, m): &(PathBuf, Manifest)| only.as_ref().is_none_or(|o| o.contains(&m.name)))
        .collect();
    manifests.sort_by_key(|(_, m)| std::cmp::Reverse(m.migrations.len()));
    let server = testpg::server();
    let results: Mutex<Vec<(String, Tally, String)>> = Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((path, manifest)) = manifests.get(i) else { break };
                    let started = std::time::Instant::now();
                    let (tally, log) = runtime.block_on(history(server, path, manifest, past_stop_before, prove_from, seed));
                    eprintln!(
                        "{}: {} migrations, {} safe ({} from the SQL alone), {} failures, {:.0?}",
                        manifest.name,
                        tally.captured,
                        tally.safe,
                        tally.safe_sql_only,
                        tally.failures,
                        started.elapsed()
                    );
                    results.lock().unwrap().push((manifest.name.clone(), tally, log));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let mut total = Tally::default();
    let mut out = String::new();
    writeln!(
        out,
        "PostgreSQL {} (server_version_num {}){}.\n",
        server.major(),
        server.version_num(),
        if past_stop_before { ", past `stop_before`" } else { "" }
    )
    .unwrap();
    if prove_from > 0 {
        writeln!(
            out,
            "SAFE rollbacks proved from migration {prove_from} on; the {} SAFE ones before it were applied with \
             capture, not executed.\n",
            results.iter().map(|(_, t, _)| t.unproved).sum::<usize>()
        )
        .unwrap();
    }
    writeln!(
        out,
        "| history | migrations | applied with capture (empty) | SAFE | SAFE from the SQL alone | proved | failures \
         | outside a transaction: applied, SAFE, proved | UNSAFE | applied by psql |"
    )
    .unwrap();
    writeln!(out, "|---|---|---|---|---|---|---|---|---|---|").unwrap();
    let mut with_data = String::new();
    if let Some(n) = seed {
        writeln!(
            with_data,
            "\nWith {n} seeded rows per table before each migration (rows compared as well as the schema):\n\n\
             | history | non-empty | SAFE | restorable (proved) | neither | SAFE or restorable | restores that failed \
             their proof or did not run | did not apply on seeded rows |\n|---|---|---|---|---|---|---|---|"
        )
        .unwrap();
    }
    let data_row = |out: &mut String, name: &str, t: &Tally| {
        let counted = t.captured - t.empty;
        writeln!(
            out,
            "| {name} | {counted} | {} | {} | {} | {} | {} | {} |",
            t.safe,
            t.restorable,
            counted - t.safe - t.restorable,
            percent(t.safe + t.restorable, counted),
            t.with_restore - t.restorable,
            t.unseeded
        )
        .unwrap();
    };
    let row = |out: &mut String, name: &str, t: &Tally| {
        let counted = t.captured - t.empty;
        writeln!(
            out,
            "| {name} | {} | {} ({}) | {} ({}) | {} ({}) | {} | {} | {}, {}, {} | {} | {} |",
            t.migrations,
            t.captured,
            t.empty,
            t.safe,
            percent(t.safe, counted),
            t.safe_sql_only,
            percent(t.safe_sql_only, counted),
            t.proved,
            t.failures,
            t.outside,
            t.outside_safe,
            t.outside_proved,
            counted - t.safe,
            t.not_captured
        )
        .unwrap();
    };
    for (name, tally, _) in &results {
        total.add(tally);
        row(&mut out, name, tally);
        data_row(&mut with_data, name, tally);
    }
    row(&mut out, "**all**", &total);
    data_row(&mut with_data, "**all**", &total);
    if seed.is_some() {
        out.push_str(&with_data);
    }
    writeln!(
        out,
        "\nPercentages are of the non-empty migrations applied with capture. {} SAFE migration(s) were not \
         deterministic when applied again (their rollback restored the schema; see the notes). {} migration(s) \
         had a statement whose state could not be captured (CAPTURE_FAILED: it fell back to the SQL alone).",
        total.nondeterministic, total.capture_failed
    )
    .unwrap();
    writeln!(
        out,
        "\nThe catalog comparison of `pnpm db:rollback verify` agreed with `pg_dump --schema-only` on {} of {} \
         comparisons (before/after each migration, after each SAFE rollback, after re-applying).",
        total.verdicts - total.verdict_disagreements,
        total.verdicts
    )
    .unwrap();
    writeln!(out, "\nWhy the others are UNSAFE (first reason of each migration):\n").unwrap();
    let mut codes: Vec<_> = total.codes.iter().collect();
    codes.sort_by_key(|(_, n)| std::cmp::Reverse(**n));
    for (code, n) in codes {
        writeln!(out, "- `{code}`: {n}").unwrap();
    }
    println!("{out}");
    let mut details = out.clone();
    for (name, _, log) in &results {
        if !log.is_empty() {
            writeln!(details, "\n## {name}\n{log}").unwrap();
        }
    }
    if let Some(report) = report {
        std::fs::write(&report, details).unwrap();
        eprintln!("report written to {}", report.display());
    }
    if total.failures > 0 {
        std::process::exit(1);
    }
}

/// The schema both ways: `pg_dump` and the catalog snapshot.
struct Schema {
    dump: String,
    snapshot: Snapshot,
}

async fn schema(db: &testpg::Database) -> Schema {
    Schema { dump: db.schema_dump().unwrap(), snapshot: catalog_snapshot(db.url()).await.unwrap() }
}

/// Counts a comparison, and logs it when the two ways disagree.
fn cross_check(tally: &mut Tally, log: &mut String, what: &str, a: &Schema, b: &Schema) {
    tally.verdicts += 1;
    let differences = compare_snapshots(&a.snapshot, &b.snapshot);
    if (a.dump == b.dump) != differences.is_empty() {
        tally.verdict_disagreements += 1;
        let texts: Vec<String> = differences.iter().map(ToString::to_string).collect();
        writeln!(
            log,
            "- {what}: the catalog comparison and pg_dump disagree: catalog {texts:?}\n```diff\n{}```",
            unified_diff(&a.dump, &b.dump, "a", "b")
        )
        .unwrap();
    }
}

/// Migrations before `prove_from` are applied with capture and counted, but their SAFE rollbacks not executed.
async fn history(
    server: &testpg::Server,
    dir: &Path,
    manifest: &Manifest,
    past_stop_before: bool,
    prove_from: usize,
    seed: Option<u32>,
) -> (Tally, String) {
    let db = server.fresh_database(&format!("corpus_{}", manifest.name.replace('-', "_")));
    let mut tally = Tally::default();
    let mut log = String::new();
    let mut metadata = [SCHEMA_VERSIONS_SQL, ROLLBACK_COLUMNS_SQL, ROLLBACK_PLAN_SQL].join("\n");
    if seed.is_some() {
        metadata.push('\n');
        metadata.push_str(ARCHIVE_SQL);
    }
    if let Err(e) = db.run(&format!("{}\n{metadata}", manifest.setup)) {
        writeln!(log, "setup failed: {e}").unwrap();
        return (tally, log);
    }
    let end = match manifest.stop_before {
        Some(stop) if !past_stop_before => stop.min(manifest.migrations.len()),
        _ => manifest.migrations.len(),
    };
    for (i, entry) in manifest.migrations[..end].iter().enumerate() {
        tally.migrations += 1;
        let text = std::fs::read_to_string(dir.join(&entry.file)).unwrap();
        let sql = migration_sql(&text, manifest.statement_separator.as_deref());
        let version = format!("{i:04}");
        let input = MigrationInput {
            version: version.clone(),
            migration_file: entry.file.clone(),
            sql: sql.clone(),
            ..Default::default()
        };
        // Its tool runs it without a transaction, or a statement refuses one: apply_migration runs each such
        // statement on its own, the others in transactions between them.
        let outside = entry.no_transaction || ParsedMigration::parse(&sql).is_ok_and(|m| !m.runs_in_transaction());
        let transactional = !outside;
        let proving = i >= prove_from;
        let seeded = match seed {
            Some(n) if proving => match seed_rows(db.url(), n, i as u32).await {
                Ok(_) => true,
                Err(e) => {
                    writeln!(log, "- {version} {}: seeding failed: {e}", entry.file).unwrap();
                    false
                }
            },
            _ => false,
        };
        let before_schema = if proving { Some(schema(&db).await) } else { None };
        let mut rows_before = match seeded {
            true => Some(row_snapshot(db.url()).await.unwrap()),
            false => None,
        };
        let mut applied = apply_migration(db.url(), &input, None).await;
        if let (Err(e), true) = (&applied, seeded) {
            // Written for the tables it finds (often empty): applied again on emptied tables.
            tally.unseeded += 1;
            writeln!(log, "- {version} {}: does not apply on the seeded rows, applied on emptied tables: {e}", entry.file)
                .unwrap();
            empty_tables(db.url()).await.unwrap();
            rows_before = Some(row_snapshot(db.url()).await.unwrap());
            applied = apply_migration(db.url(), &input, None).await;
        }
        let stored = match applied {
            Ok(outcome) => outcome.rollback,
            Err(e) => {
                writeln!(log, "- {} {}: apply_migration failed, applied with psql instead: {e}", version, entry.file)
                    .unwrap();
                None
            }
        };
        let Some(stored) = stored else {
            tally.not_captured += 1;
            if let Err(e) = if transactional { db.run_in_transaction(&sql) } else { db.run(&sql) } {
                writeln!(log, "- {} {}: the migration does not apply; history stopped: {e}", version, entry.file)
                    .unwrap();
                break;
            }
            continue;
        };
        tally.captured += 1;
        if outside {
            tally.outside += 1;
        }
        if ParsedMigration::parse(&sql).is_ok_and(|m| m.statements.is_empty()) {
            tally.empty += 1;
            continue;
        }
        if generate_rollback(&sql).is_ok_and(|p| p.rollback_safe) {
            tally.safe_sql_only += 1;
        }
        if let Some(w) = stored.warnings.iter().find(|w| w.code == Code::CaptureFailed) {
            tally.capture_failed += 1;
            writeln!(log, "- {version} {}: CAPTURE_FAILED (line {}): {}", entry.file, w.line, w.message).unwrap();
        }
        if !stored.rollback_safe {
            if let (Some(rows_before), Some(before_schema)) = (&rows_before, &before_schema) {
                if stored.restore_script.is_some() {
                    tally.with_restore += 1;
                    match prove_restore(&db, &input, &before_schema.snapshot, rows_before).await {
                        Ok(()) => tally.restorable += 1,
                        Err(why) => {
                            tally.failures += 1;
                            writeln!(
                                log,
                                "- {version} {}: the restore failed its proof: {why}\n```sql\n{}\n```",
                                entry.file,
                                stored.restore_script.as_deref().unwrap_or("").trim_end()
                            )
                            .unwrap();
                        }
                    }
                }
            }
            let first = stored.warnings.iter().find(|w| w.code != Code::NonTransactional && w.code != Code::CaptureFailed);
            let code = first.map_or("?", |w| w.code.as_str());
            *tally.codes.entry(code.to_owned()).or_default() += 1;
            // With seeded rows: why a migration has no restore.
            if rows_before.is_some() && stored.restore_script.is_none() {
                let archive = stored.archive.as_ref();
                let mut why: Vec<String> = archive.and_then(|a| a.restore_unavailable.clone()).into_iter().collect();
                why.extend(archive.iter().flat_map(|a| &a.not_archived).map(|n| {
                    format!("statement {} not archived: {}", n.statement_index + 1, n.reason)
                }));
                writeln!(log, "- {version} {}: {code}, no restore: {}", entry.file, why.join("; ")).unwrap();
            }
            // The spec's own classes are expected; anything else is worth a look.
            if !SPEC_CLASSES.contains(&code) {
                writeln!(
                    log,
                    "- {version} {}: UNSAFE {code}: {}",
                    entry.file,
                    first.map_or("", |w| w.message.as_str())
                )
                .unwrap();
            }
            continue;
        }
        tally.safe += 1;
        if outside {
            tally.outside_safe += 1;
        }
        let Some(before_schema) = before_schema else {
            tally.unproved += 1;
            continue;
        };
        let before = before_schema.dump.clone();
        let migrated_schema = schema(&db).await;
        cross_check(
            &mut tally,
            &mut log,
            &format!("{version} {} migrated", entry.file),
            &before_schema,
            &migrated_schema,
        );
        let migrated = migrated_schema.dump.clone();
        let script = stored.rollback_script.clone().unwrap_or_default();
        // A macro, not a closure: the cross-checks below borrow the tally and the log too.
        macro_rules! fail {
            ($what:expr) => {{
                tally.failures += 1;
                writeln!(log, "- {} {}: {}\n```sql\n{}\n```", version, entry.file, $what, script.trim_end()).unwrap();
            }};
        }
        if stored.rollback_script.is_none() {
            if migrated != before {
                fail!(format!(
                    "SAFE with nothing to undo, but the migration changed the schema:\n```diff\n{}```",
                    unified_diff(&before, &migrated, "before", "after")
                ));
            } else {
                tally.proved += 1;
                tally.outside_proved += usize::from(outside);
            }
            continue;
        }
        if let Err(e) = execute_rollback(db.url(), &version, &ExecuteOptions::default()).await {
            fail!(format!("the SAFE rollback failed: {e}"));
            // Keep the history going on the migrated schema.
            continue;
        }
        let rolled_back_schema = schema(&db).await;
        cross_check(
            &mut tally,
            &mut log,
            &format!("{version} {} rolled back", entry.file),
            &before_schema,
            &rolled_back_schema,
        );
        if let Some(rows_before) = &rows_before {
            let lost = compare_rows(rows_before, &row_snapshot(db.url()).await.unwrap());
            if !lost.is_empty() {
                let texts: Vec<String> = lost.into_iter().map(|d| d.text).collect();
                fail!(format!("the SAFE rollback did not bring the rows back: {}", texts.join("; ")));
            }
        }
        let rolled_back = rolled_back_schema.dump;
        if rolled_back != before {
            fail!(format!(
                "the SAFE rollback did not restore the schema:\n```diff\n{}```",
                unified_diff(&before, &rolled_back, "before migration", "after rollback")
            ));
            break;
        }
        match apply_migration(db.url(), &input, None).await {
            Ok(_) => {}
            Err(e) => {
                fail!(format!("re-applying after the rollback failed: {e}"));
                break;
            }
        }
        let remigrated_schema = schema(&db).await;
        cross_check(
            &mut tally,
            &mut log,
            &format!("{version} {} re-applied", entry.file),
            &migrated_schema,
            &remigrated_schema,
        );
        let remigrated = remigrated_schema.dump;
        if remigrated != migrated {
            tally.nondeterministic += 1;
            writeln!(
                log,
                "- {version} {}: note: the rollback restored the schema, but re-applied the migration gave another schema \
                 than the first time (it is not deterministic):\n```diff\n{}```",
                entry.file,
                unified_diff(&migrated, &remigrated, "after migration", "after rollback and migration")
            )
            .unwrap();
        }
        tally.proved += 1;
        tally.outside_proved += usize::from(outside);
    }
    (tally, log)
}

/// A migration that is not SAFE, with a restore script: run the restore, then the schema must equal the one
/// before (but for the positions in tables whose dropped columns came back last) and every table's rows too.
/// Applied again afterwards (also when the proof fails), so the history goes on.
async fn prove_restore(
    db: &testpg::Database,
    input: &MigrationInput,
    before: &Snapshot,
    rows_before: &RowSnapshot,
) -> Result<(), String> {
    let restoring = ExecuteOptions { restore_data: true, ..Default::default() };
    execute_rollback(db.url(), &input.version, &restoring).await.map_err(|e| format!("the restore failed: {e}"))?;
    // Columns that come back come back last (dropped, generated, in every partition): positions may differ.
    let after = catalog_snapshot(db.url()).await.unwrap();
    let differences: Vec<String> = compare_snapshots(before, &after)
        .into_iter()
        .filter(|d| !(d.kind == "table column" && d.attribute.as_deref() == Some("position")))
        .map(|d| d.to_string())
        .collect();
    let rows: Vec<String> =
        compare_rows(rows_before, &row_snapshot(db.url()).await.unwrap()).into_iter().map(|d| d.text).collect();
    apply_migration(db.url(), input, None).await.map_err(|e| format!("applying it again after the restore failed: {e}"))?;
    if !differences.is_empty() || !rows.is_empty() {
        return Err(format!("schema: {differences:?}; rows: {rows:?}"));
    }
    Ok(())
}
