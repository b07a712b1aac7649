//! pg-rollback core: parse PostgreSQL migration SQL with the real parser (pg_query) and generate its inverse.
//! Pure: no napi, no I/O. Expected outcomes ("cannot invert") are data in the plan; only bad input is an error.
mod context;
mod error;
mod families;
mod invert;
mod outcome;
mod plan;
mod quote;
mod source;

pub use error::Error;
pub use plan::{RollbackPlan, RollbackWarning, StatementPlan};
pub use quote::{ident as quote_ident, literal as quote_literal};

use outcome::{code, Blocker, Outcome};

/// Largest migration accepted, in bytes.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Parse `sql` and build the plan that undoes it.
pub fn generate_rollback(sql: &str) -> Result<RollbackPlan, Error> {
    let statements = source::parse(sql)?;
    let mut context = context::Context::default();
    let mut plans = Vec::with_capacity(statements.len());
    let mut warnings = Vec::new();
    let mut transactional = true;

    let mut outcomes: Vec<Outcome> =
        statements.iter().map(|statement| invert::invert(&statement.node, &mut context, false)).collect();
    verify_reparses(&mut outcomes);

    for (index, (statement, outcome)) in statements.iter().zip(outcomes).enumerate() {
        let index = index as u32;
        let warn = |code: &str, message: String| RollbackWarning {
            code: code.to_owned(),
            message,
            statement_index: index,
            line: statement.line,
            column: statement.column,
        };
        if let Some(blocker) = &outcome.blocker {
            warnings.push(warn(blocker.code, blocker.message.clone()));
        }
        if outcome.non_transactional && !outcome.inverse.is_empty() {
            transactional = false;
            warnings.push(warn(
                code::NON_TRANSACTIONAL,
                "The rollback of this statement cannot run inside a transaction block; it runs statement by statement"
                    .to_owned(),
            ));
        }
        plans.push(StatementPlan {
            index,
            kind: invert::kind(&statement.node),
            sql: statement.text.to_owned(),
            line: statement.line,
            column: statement.column,
            reversible: outcome.is_reversible(),
            inverse: script(&outcome.inverse),
            code: outcome.blocker.map(|b| b.code.to_owned()),
        });
    }

    let rollback_script: String = plans.iter().rev().filter_map(|p| p.inverse.as_deref()).collect();
    Ok(RollbackPlan {
        rollback_safe: !plans.is_empty() && plans.iter().all(|p| p.reversible),
        transactional,
        rollback_script: (!rollback_script.is_empty()).then_some(rollback_script),
        statements: plans,
        warnings,
    })
}

/// Joins statements as `stmt;\n` each; `None` when there are none.
fn script(statements: &[String]) -> Option<String> {
    let mut out = String::new();
    for statement in statements {
        out.push_str(statement);
        out.push_str(";\n");
    }
    (!out.is_empty()).then_some(out)
}

/// Every generated statement must parse back as exactly one statement; if not, that is our bug, and the
/// statement is reported as not reversible rather than returning SQL we cannot vouch for. One parse of
/// everything settles the usual case; only a failure is narrowed down statement by statement.
fn verify_reparses(outcomes: &mut [Outcome]) {
    let all: Vec<&str> = outcomes.iter().flat_map(|o| o.inverse.iter().map(String::as_str)).collect();
    if all.is_empty() || parses_as_statements(&all.join(";\n"), all.len()) {
        return;
    }
    for outcome in outcomes.iter_mut() {
        let Some(bad) = outcome.inverse.iter().find(|sql| !parses_as_statements(sql, 1)).cloned() else { continue };
        outcome.blocker = Some(Blocker {
            code: code::GENERATED_SQL_INVALID,
            message: format!("pg-rollback generated SQL that does not parse back ({bad}); please report this"),
        });
        outcome.inverse.clear();
    }
}

/// Runs PostgreSQL's grammar without building a parse tree (that is the costly part of parsing here).
fn parses_as_statements(sql: &str, count: usize) -> bool {
    matches!(pg_query::split_with_parser(sql), Ok(statements) if statements.len() == count)
}
