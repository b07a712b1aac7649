//! Several versions at once (`to`, `steps`): which versions a multi-step rollback undoes, in which order,
//! what refuses it, and its preview (with what each script costs, `crate::cost`). `many` runs it.
use std::collections::HashMap;

use pg_rollback_core::ParsedMigration;
use tokio_postgres::GenericClient;

use crate::catalog::risk::CountLimits;
use crate::cost::cost;
use crate::error::{Error, ErrorCode, Result};
use crate::session::{check_text, with_session, Ctx};
use crate::versions::{self, Table, VersionRow};
use crate::{
    ExecuteManyOptions, Refusal, RollbackRange, RollbackStep, ScriptCost, StoredRollback,
};

/// Which versions: every one applied after `to`, the newest `steps`, or exactly one `version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Selection {
    To(String),
    Steps(u32),
    Version(String),
}

pub(crate) fn selection(options: &ExecuteManyOptions) -> Result<Selection> {
    for m in &options.migrations {
        check_text("migrations[].version", &m.version, false)?;
    }
    match (&options.to, options.steps, &options.version) {
        (Some(to), None, None) => {
            check_text("to", to, false)?;
            Ok(Selection::To(to.clone()))
        }
        (None, Some(0), None) => Err(Error::InvalidArgument("steps must be at least 1".into())),
        (None, Some(n), None) => Ok(Selection::Steps(n)),
        (None, None, Some(version)) => {
            check_text("version", version, false)?;
            Ok(Selection::Version(version.clone()))
        }
        _ => Err(Error::InvalidArgument(
            "give exactly one of to (a version), steps (a number) and version (one version)".into(),
        )),
    }
}

/// The newest row of every version in apply order: the order of `journal` (Drizzle's) for the versions in
/// it, `schema_versions` (id) for the others, which keep their places among them.
pub(crate) fn apply_order(rows: Vec<VersionRow>, journal: &[String]) -> Vec<VersionRow> {
    let position: HashMap<&str, usize> = journal.iter().enumerate().map(|(i, v)| (v.as_str(), i)).collect();
    let mut in_journal: Vec<VersionRow> = Vec::new();
    let mut slots: Vec<Option<VersionRow>> = Vec::with_capacity(rows.len());
    for row in rows {
        if position.contains_key(row.stored.version.as_str()) {
            in_journal.push(row);
            slots.push(None);
        } else {
            slots.push(Some(row));
        }
    }
    in_journal.sort_by_key(|r| position[r.stored.version.as_str()]);
    let mut journal_rows = in_journal.into_iter();
    slots.into_iter().map(|slot| slot.or_else(|| journal_rows.next()).expect("one row per slot")).collect()
}

/// The rows to roll back, newest first.
pub(crate) fn select(ordered: Vec<VersionRow>, journal: &[String], selection: &Selection) -> Result<Vec<VersionRow>> {
    let applied = |r: &VersionRow| r.stored.rollback_applied_at.is_none();
    match selection {
        Selection::To(target) => {
            let Some(at) = ordered.iter().position(|r| &r.stored.version == target) else {
                if journal.contains(target) {
                    return Err(Error::TargetNotApplied(format!(
                        "Cannot roll back to version {target}: it is in the migrations folder but was never applied \
                         (no schema_versions row). Nothing was changed"
                    )));
                }
                return Err(Error::VersionNotFound(target.clone()));
            };
            if let Some(when) = &ordered[at].stored.rollback_applied_at {
                return Err(Error::TargetNotApplied(format!(
                    "Cannot roll back to version {target}: it is not applied (it was rolled back at {when}). \
                     Nothing was changed"
                )));
            }
            Ok(ordered.into_iter().skip(at + 1).filter(applied).rev().collect())
        }
        Selection::Steps(n) => {
            let applied: Vec<VersionRow> = ordered.into_iter().filter(applied).collect();
            if applied.len() < *n as usize {
                return Err(Error::InvalidArgument(format!(
                    "steps = {n}, but only {} migration{} applied and not rolled back. Nothing was changed",
                    applied.len(),
                    if applied.len() == 1 { " is" } else { "s are" }
                )));
            }
            Ok(applied.into_iter().rev().take(*n as usize).collect())
        }
        // Rolled back too: that is a refusal (ALREADY_ROLLED_BACK), and the preview still shows the script.
        Selection::Version(version) => {
            let row = ordered.into_iter().find(|r| &r.stored.version == version);
            Ok(vec![row.ok_or_else(|| Error::VersionNotFound(version.clone()))?])
        }
    }
}

/// The versions after `version` in the journal that are applied and not rolled back, with their files:
/// Drizzle re-applies only migrations newer than the newest it has recorded. Empty outside the journal.
pub(crate) fn later_applied(ordered: &[VersionRow], journal: &[String], version: &str) -> Vec<(String, String)> {
    let Some(position) = journal.iter().position(|v| v == version) else { return Vec::new() };
    let later = &journal[position + 1..];
    ordered
        .iter()
        .filter(|r| later.contains(&r.stored.version) && r.stored.rollback_applied_at.is_none())
        .map(|r| (r.stored.version.clone(), r.stored.migration_file.clone()))
        .collect()
}

pub(crate) fn out_of_order_message(version: &str, later: &[(String, String)]) -> String {
    let list: Vec<String> = later.iter().map(|(v, file)| format!("{v} ({file})")).collect();
    format!(
        "Refusing to roll back version {version} out of order: later version{} {} {} applied and not rolled back. \
         Roll them back first. Nothing was changed",
        if later.len() == 1 { "" } else { "s" },
        list.join(", "),
        if later.len() == 1 { "is" } else { "are" },
    )
}

/// What refuses rolling back exactly `row`'s version, in the order a single rollback checks: rolled back
/// already (then only a missing script besides), no script, unsafe (force), a script that cannot run, later
/// versions applied (force).
fn version_refusals(row: &VersionRow, later: &[(String, String)]) -> Vec<Refusal> {
    let version = &row.stored.version;
    let refusal = |code: ErrorCode, forceable: bool, versions: Vec<String>, message: String| Refusal {
        code,
        version: version.clone(),
        versions,
        forceable,
        message,
    };
    let mut out: Vec<Refusal> = refusals(std::slice::from_ref(row), None)
        .into_iter()
        .map(|r| match r.code {
            ErrorCode::RollbackScriptNotFound => Refusal { message: Error::script_not_found(version).to_string(), ..r },
            ErrorCode::RollbackUnsafe => Refusal { message: Error::unsafe_rollback(version).to_string(), ..r },
            _ => r,
        })
        .collect();
    if row.stored.rollback_applied_at.is_some() {
        // Only whether a script exists still matters (a preview shows it).
        out.retain(|r| r.code == ErrorCode::RollbackScriptNotFound);
        let message = Error::AlreadyRolledBack(version.clone()).to_string();
        out.insert(0, refusal(ErrorCode::AlreadyRolledBack, false, vec![version.clone()], message));
        return out;
    }
    if !later.is_empty() {
        let versions = later.iter().map(|(v, _)| v.clone()).collect();
        out.push(refusal(ErrorCode::RollbackOutOfOrder, true, versions, out_of_order_message(version, later)));
    }
    out
}

/// The selected rows of the database as it is now (newest first), and what refuses rolling them back.
pub(crate) async fn selected(
    c: &impl GenericClient,
    ctx: &Ctx,
    table: Table,
    options: &ExecuteManyOptions,
) -> Result<(Vec<VersionRow>, Vec<Refusal>)> {
    let selection = selection(options)?;
    let journal: Vec<String> = options.migrations.iter().map(|m| m.version.clone()).collect();
    let ordered = apply_order(versions::newest_rows(c, ctx, table).await?, &journal);
    let later = match &selection {
        Selection::Version(version) => later_applied(&ordered, &journal, version),
        _ => Vec::new(),
    };
    let rows = select(ordered, &journal, &selection)?;
    let refused = match &selection {
        Selection::Version(_) => version_refusals(&rows[0], &later),
        _ => refusals(&rows, options.to.as_deref()),
    };
    Ok((rows, refused))
}

/// What refuses running `steps` (newest first): versions without a script (even with force), then unsafe
/// ones (unless force), then scripts that cannot run at all.
pub(crate) fn refusals(steps: &[VersionRow], target: Option<&str>) -> Vec<Refusal> {
    let mut out = Vec::new();
    let missing: Vec<&StoredRollback> = steps
        .iter()
        .map(|r| &r.stored)
        .filter(|r| r.rollback_script.as_deref().is_none_or(|s| s.trim().is_empty()))
        .collect();
    if let Some(newest) = missing.first() {
        let names: Vec<String> = missing.iter().map(|r| format!("{} ({})", r.version, r.migration_file)).collect();
        let why: Vec<String> = missing
            .iter()
            .flat_map(|r| r.warnings.iter().map(move |w| format!("{}: {}", r.version, w.message)))
            .collect();
        let reach = if steps.first().map(|r| &r.stored.version) == Some(&newest.version) {
            format!("No version can be rolled back past {} by pg-rollback: it is the newest applied", newest.version)
        } else {
            format!("To roll back as far as possible, roll back to just above it: to = {}", newest.version)
        };
        let target = target.map(|t| format!(" to version {t}")).unwrap_or_default();
        out.push(Refusal {
            code: ErrorCode::RollbackScriptNotFound,
            version: newest.version.clone(),
            versions: missing.iter().map(|r| r.version.clone()).collect(),
            forceable: false,
            message: format!(
                "No rollback script found for version{} {}: cannot roll back{target}, even with force{}. {reach}. \
                 Nothing was changed",
                if missing.len() == 1 { "" } else { "s" },
                names.join(", "),
                if why.is_empty() { String::new() } else { format!(" ({})", why.join("; ")) },
            ),
        });
    }
    let unsafe_: Vec<&StoredRollback> =
        steps.iter().map(|r| &r.stored).filter(|r| r.rollback_script.is_some() && !r.rollback_safe).collect();
    if let Some(first) = unsafe_.first() {
        let names: Vec<String> = unsafe_.iter().map(|r| r.version.clone()).collect();
        out.push(Refusal {
            code: ErrorCode::RollbackUnsafe,
            version: first.version.clone(),
            versions: names.clone(),
            forceable: true,
            message: format!(
                "The rollback of version{} {} {} marked unsafe (rollback_safe = false): {} not undo every \
                 statement of the migration. Pass force to execute anyway. Nothing was changed",
                if names.len() == 1 { "" } else { "s" },
                names.join(", "),
                if names.len() == 1 { "is" } else { "are" },
                if names.len() == 1 { "it does" } else { "they do" },
            ),
        });
    }
    for r in steps {
        let Some(text) = r.stored.rollback_script.as_deref() else { continue };
        let problem = match ParsedMigration::parse(text) {
            Err(e) => Some(format!("cannot parse: {e}")),
            Ok(script) => script.first_transaction_control().map(|i| {
                format!(
                    "statement {} (`{}`) would end the transaction pg-rollback runs scripts in",
                    i + 1,
                    script.statements[i].text
                )
            }),
        };
        if let Some(problem) = problem {
            out.push(Refusal {
                code: ErrorCode::RollbackFailed,
                version: r.stored.version.clone(),
                versions: vec![r.stored.version.clone()],
                forceable: false,
                message: format!(
                    "The rollback script of version {} cannot be run: {problem}. Nothing was changed",
                    r.stored.version
                ),
            });
        }
    }
    out
}

/// The first refusal that applies with `force`, as the error the API rejects with.
pub(crate) fn refusal_error(refusals: &[Refusal], force: bool) -> Option<Error> {
    let r = refusals.iter().find(|r| !(force && r.forceable))?;
    let (version, message) = (r.version.clone(), r.message.clone());
    Some(match r.code {
        ErrorCode::RollbackScriptNotFound => Error::RollbackScriptNotFound { version, message },
        ErrorCode::RollbackUnsafe => Error::RollbackUnsafe { version, message },
        ErrorCode::AlreadyRolledBack => Error::AlreadyRolledBack(version),
        ErrorCode::RollbackOutOfOrder => Error::OutOfOrder(message),
        _ => Error::RollbackFailed(message),
    })
}

/// Read-only, bounded: the transaction every preview reads in.
pub(crate) async fn read_only<T>(
    client: &mut tokio_postgres::Client,
    ctx: &Ctx,
    op: impl AsyncFnOnce(&tokio_postgres::Transaction<'_>) -> Result<T>,
) -> Result<T> {
    // Repeatable read: everything `op` reads is one snapshot of the database.
    let tx = client
        .build_transaction()
        .read_only(true)
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .start()
        .await
        .map_err(|e| ctx.err("starting a read-only transaction", &e))?;
    let result = op(&tx).await;
    let _ = tx.rollback().await;
    result
}

/// Preview of a multi-step rollback: the versions (newest first) with their scripts, locks and data at
/// risk, and what would refuse executing it. Changes nothing.
pub async fn preview_rollbacks(url: &str, options: &ExecuteManyOptions, limits: CountLimits) -> Result<RollbackRange> {
    selection(options)?;
    with_session(url, async |client, ctx| {
        let table = versions::require(&*client, ctx).await?;
        read_only(client, ctx, async |tx| {
            let (rows, refusals) = selected(tx, ctx, table, options).await?;
            let mut steps = Vec::with_capacity(rows.len());
            for row in rows {
                // A rolled-back version's script would run against objects that are gone: no cost.
                let cost =
                    match row.stored.rollback_script.as_deref().filter(|_| row.stored.rollback_applied_at.is_none()) {
                        Some(script) => cost(tx, ctx, script, limits).await,
                        None => ScriptCost { transactional: true, locks: Vec::new(), data_at_risk: Vec::new() },
                    };
                steps.push(RollbackStep::new(row.stored, cost));
            }
            Ok(RollbackRange { target: options.to.clone(), steps, refusals })
        })
        .await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, version: &str, rolled_back: bool) -> VersionRow {
        VersionRow {
            id,
            stored: StoredRollback {
                version: version.into(),
                migration_file: format!("{version}.sql"),
                description: None,
                rollback_script: Some("SELECT 1;\n".into()),
                rollback_safe: true,
                state_captured: false,
                warnings: vec![],
                applied_at: String::new(),
                rollback_applied_at: rolled_back.then(|| "2026-01-01T00:00:00.000Z".into()),
                restore_script: None,
                archive: None,
            },
        }
    }

    fn versions(rows: &[VersionRow]) -> Vec<&str> {
        rows.iter().map(|r| r.stored.version.as_str()).collect()
    }

    #[test]
    fn journal_order_wins_and_other_versions_keep_their_places() {
        // 1.0 recorded late (backfilled), x not in the journal.
        let rows = vec![row(1, "1.1", false), row(2, "x", false), row(3, "1.2", false), row(4, "1.0", false)];
        let journal: Vec<String> = ["1.0", "1.1", "1.2"].map(String::from).into();
        assert_eq!(versions(&apply_order(rows, &journal)), ["1.0", "x", "1.1", "1.2"]);
    }

    #[test]
    fn to_and_steps_select_newest_first_skipping_rolled_back() {
        let journal: Vec<String> = ["1.0", "1.1", "1.2", "1.3"].map(String::from).into();
        let rows = || vec![row(1, "1.0", false), row(2, "1.1", false), row(3, "1.2", true), row(4, "1.3", false)];
        let to = |v: &str| select(apply_order(rows(), &journal), &journal, &Selection::To(v.into()));
        assert_eq!(versions(&to("1.0").unwrap()), ["1.3", "1.1"]);
        assert_eq!(versions(&to("1.3").unwrap()), Vec::<&str>::new());
        assert_eq!(to("1.2").unwrap_err().code(), ErrorCode::TargetNotApplied);
        assert_eq!(to("9.9").unwrap_err().code(), ErrorCode::VersionNotFound);
        let steps = |n| select(apply_order(rows(), &journal), &journal, &Selection::Steps(n));
        assert_eq!(versions(&steps(2).unwrap()), ["1.3", "1.1"]);
        assert_eq!(versions(&steps(3).unwrap()), ["1.3", "1.1", "1.0"]);
        assert_eq!(steps(4).unwrap_err().code(), ErrorCode::InvalidArgument);
        let never: Vec<String> = ["1.0", "1.1", "1.2", "1.3", "1.4"].map(String::from).into();
        let e = select(apply_order(rows(), &never), &never, &Selection::To("1.4".into())).unwrap_err();
        assert_eq!(e.code(), ErrorCode::TargetNotApplied);
    }

    #[test]
    fn refusals_name_the_blocking_versions() {
        let mut steps = vec![row(4, "1.3", false), row(3, "1.2", false), row(2, "1.1", false)];
        steps[1].stored.rollback_script = None;
        steps[0].stored.rollback_safe = false;
        let r = refusals(&steps, Some("1.0"));
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[0].code, r[0].version.as_str(), r[0].forceable),
            (ErrorCode::RollbackScriptNotFound, "1.2", false)
        );
        assert!(r[0].message.contains("No rollback script found for version 1.2 (1.2.sql)"), "{}", r[0].message);
        assert!(r[0].message.contains("roll back to just above it: to = 1.2"), "{}", r[0].message);
        assert_eq!((r[1].code, r[1].forceable), (ErrorCode::RollbackUnsafe, true));
        assert_eq!(refusal_error(&r, true).unwrap().code(), ErrorCode::RollbackScriptNotFound);
        assert_eq!(refusal_error(&r[1..], false).unwrap().code(), ErrorCode::RollbackUnsafe);
        assert!(refusal_error(&r[1..], true).is_none());
        steps[0].stored.rollback_script = None;
        let r = refusals(&steps, None);
        assert!(r[0].message.contains("it is the newest applied"), "{}", r[0].message);
    }

    #[test]
    fn one_version_is_selected_with_its_refusals_as_data() {
        let journal: Vec<String> = ["1.0", "1.1", "1.2", "1.3"].map(String::from).into();
        let rows = || vec![row(1, "1.0", false), row(2, "1.1", false), row(3, "1.2", true), row(4, "1.3", false)];
        let one = |v: &str| select(apply_order(rows(), &journal), &journal, &Selection::Version(v.into()));
        assert_eq!(versions(&one("1.1").unwrap()), ["1.1"]);
        assert_eq!(versions(&one("1.2").unwrap()), ["1.2"], "rolled back: selected, refused below");
        assert_eq!(one("9.9").unwrap_err().code(), ErrorCode::VersionNotFound);

        // Later applied versions in the journal, rolled-back ones skipped; none outside the journal.
        let ordered = apply_order(rows(), &journal);
        let later = later_applied(&ordered, &journal, "1.0");
        assert_eq!(later, [("1.1".to_owned(), "1.1.sql".to_owned()), ("1.3".to_owned(), "1.3.sql".to_owned())]);
        assert!(later_applied(&ordered, &journal, "1.3").is_empty());
        assert!(later_applied(&ordered, &journal[..2], "1.1").is_empty(), "1.2 and 1.3 are not Drizzle's");
        assert!(later_applied(&ordered, &[], "1.0").is_empty());

        // Out of order: forceable, and force lets it run.
        let r = version_refusals(&one("1.0").unwrap()[0], &later);
        assert_eq!(r.len(), 1);
        assert_eq!(
            (r[0].code.as_str(), r[0].forceable, r[0].versions.clone()),
            ("ROLLBACK_OUT_OF_ORDER", true, vec!["1.1".into(), "1.3".into()])
        );
        assert!(r[0].message.contains("later versions 1.1 (1.1.sql), 1.3 (1.3.sql) are applied"), "{}", r[0].message);
        assert_eq!(refusal_error(&r, false).unwrap().code(), ErrorCode::RollbackOutOfOrder);
        assert!(refusal_error(&r, true).is_none());

        // Rolled back: only that, never forceable.
        let r = version_refusals(&one("1.2").unwrap()[0], &[]);
        assert_eq!((r.len(), r[0].code.as_str(), r[0].forceable), (1, "ALREADY_ROLLED_BACK", false));
        assert_eq!(refusal_error(&r, true).unwrap().to_string(), "Migration 1.2 has already been rolled back");
        let mut gone = one("1.2").unwrap().remove(0);
        gone.stored.rollback_script = None;
        let r = version_refusals(&gone, &[]);
        assert_eq!(
            r.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
            ["ALREADY_ROLLED_BACK", "ROLLBACK_SCRIPT_NOT_FOUND"]
        );

        // No script beats force; unsafe and out of order both yield to it; the messages are the single ones.
        let mut missing = one("1.0").unwrap().remove(0);
        missing.stored.rollback_script = None;
        let r = version_refusals(&missing, &later);
        assert_eq!(
            r.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
            ["ROLLBACK_SCRIPT_NOT_FOUND", "ROLLBACK_OUT_OF_ORDER"]
        );
        assert_eq!(refusal_error(&r, true).unwrap().to_string(), "No rollback script found for version 1.0");
        let mut unsafe_ = one("1.3").unwrap().remove(0);
        unsafe_.stored.rollback_safe = false;
        let r = version_refusals(&unsafe_, &[]);
        assert_eq!((r.len(), r[0].code.as_str(), r[0].forceable), (1, "ROLLBACK_UNSAFE", true));
        assert!(r[0].message.starts_with("Rollback for version 1.3 is marked unsafe"), "{}", r[0].message);
        assert!(refusal_error(&r, true).is_none());
    }
}
