//! The sans-I/O planner: walks a parsed migration statement by statement. With a database, the caller
//! asks it what it needs to know before and after each statement runs, answers, and settles the
//! statement; without one, every statement is settled from the SQL alone.
//!
//! The round protocol: answers can raise new questions (a name resolved, then described), so questions come in
//! rounds, at most [`ROUNDS`] before and [`ROUNDS`] after the statement; the database layer only answers them.
//!
//! ```text
//! let mut planner = Planner::new(migration, true);
//! while let Some(statement) = planner.statement() {
//!     while let Some(q) = planner.next_round(At::Before) { planner.answer(At::Before, answer(q)) }
//!     // What to ask once it ran can be sent right behind the statement, in the same round trip.
//!     run(statement); planner.answer(At::After, answer(planner.questions(At::After)));
//!     while let Some(q) = planner.next_round(At::After) { planner.answer(At::After, answer(q)) }
//!     planner.settle();
//! }
//! let plan = planner.finish();
//! ```
use crate::ask::facts::{Answers, Facts};
use crate::ask::state::{At, Question, Reply};
use crate::invert;
use crate::invert::context::Context;
use crate::invert::outcome::{code, Blocker, Outcome};
use crate::parse::migration::{ParsedMigration, ParsedStatement};
use crate::plan::{RollbackPlan, RollbackWarning, StatementPlan};
use crate::Code;

/// Rounds of questions asked at one point of a statement, at most.
pub const ROUNDS: usize = 4;

pub struct Planner {
    migration: ParsedMigration,
    capture: bool,
    context: Context,
    current: usize,
    before: Answers,
    after: Answers,
    settled: Vec<Settled>,
    /// Enabled event triggers, read before the first statement (`None`: not captured).
    event_triggers: Option<Reply>,
    /// Rounds asked so far for the current statement, before and after it runs.
    rounds: [usize; 2],
    /// The current statement inverted with the answers known now; dropped when answers arrive.
    probe: Option<Probe>,
}

struct Settled {
    outcome: Outcome,
    /// Questions the database layer could not answer (the statement fell back to the SQL alone).
    capture_failures: Vec<String>,
}

/// The current statement inverted on a copy of the context: what it asked and was not told yet, and what
/// settling it now would give.
struct Probe {
    settled: Settled,
    unanswered: Vec<(At, Question)>,
    /// The context after the statement, taken over when it settles.
    context: Context,
}

impl Planner {
    /// `capture`: a database will answer questions; otherwise every statement is inverted from its SQL.
    pub fn new(migration: ParsedMigration, capture: bool) -> Self {
        let count = migration.statements.len();
        Planner {
            migration,
            capture,
            context: Context::default(),
            current: 0,
            before: Answers::new(),
            after: Answers::new(),
            settled: Vec::with_capacity(count),
            event_triggers: None,
            rounds: [0; 2],
            probe: None,
        }
    }

    pub fn migration(&self) -> &ParsedMigration {
        &self.migration
    }

    /// The statement to settle next; `None` when all are settled.
    pub fn statement(&self) -> Option<&ParsedStatement> {
        self.migration.statements.get(self.current)
    }

    /// What the current statement's inversion needs to know at `at` and has not been told yet. Asking
    /// before the statement runs also returns nothing for `At::After`: ask that once the statement ran.
    pub fn questions(&mut self, at: At) -> Vec<Question> {
        if !self.capture {
            return Vec::new();
        }
        let Some(probe) = self.probe() else { return Vec::new() };
        let mut questions: Vec<Question> =
            probe.unanswered.iter().filter(|(a, _)| *a == at).map(|(_, q)| q.clone()).collect();
        // Event triggers may react to any statement: read once, before the first one runs (asked again while
        // it failed: a batch fails whole, and another question of the batch may have been the cause).
        if self.current == 0 && at == At::Before && !matches!(self.before.get(&Question::EventTriggers), Some(Ok(_))) {
            questions.push(Question::EventTriggers);
        }
        questions
    }

    /// The next round of [`questions`](Self::questions) at `at`: `None` once nothing is left to ask, or after
    /// [`ROUNDS`] rounds (the statement then falls back to the SQL alone where answers are missing).
    pub fn next_round(&mut self, at: At) -> Option<Vec<Question>> {
        let round = &mut self.rounds[at as usize];
        if *round >= ROUNDS {
            return None;
        }
        *round += 1;
        Some(self.questions(at)).filter(|questions| !questions.is_empty())
    }

    pub fn answer(&mut self, at: At, replies: impl IntoIterator<Item = (Question, Reply)>) {
        let answers = match at {
            At::Before => &mut self.before,
            At::After => &mut self.after,
        };
        for (question, reply) in replies {
            answers.insert(question, reply);
            self.probe = None;
        }
    }

    /// The current statement inverted on a copy of the context with what is known now: the questions it
    /// left unanswered, and, once nothing new is answered, the settled statement itself (inverted once).
    fn probe(&mut self) -> Option<&Probe> {
        if self.probe.is_none() {
            let statement = self.migration.statements.get(self.current)?;
            let facts = Facts::captured(&self.before, &self.after);
            let mut context = self.context.clone();
            let outcome = invert::invert(&statement.node, &mut context, false, &facts);
            let unanswered = facts.unanswered();
            let settled = Settled { outcome, capture_failures: facts.failures() };
            self.probe = Some(Probe { settled, unanswered, context });
        }
        self.probe.as_ref()
    }

    /// Invert the current statement with what is known now, and move to the next one.
    pub fn settle(&mut self) {
        let Some(statement) = self.migration.statements.get(self.current) else { return };
        if self.capture && self.current == 0 {
            self.event_triggers = Some(
                self.before
                    .get(&Question::EventTriggers)
                    .cloned()
                    .unwrap_or_else(|| Err("the event triggers were never read".to_owned())),
            );
        }
        let settled = if self.capture {
            self.probe();
            let Probe { mut settled, unanswered, context } = self.probe.take().expect("the current statement exists");
            self.context = context;
            // A question the inversion asked too late (e.g. about the state before, once the statement ran).
            settled
                .capture_failures
                .extend(unanswered.into_iter().map(|(at, q)| format!("{q:?} ({at:?}) was never answered")));
            settled
        } else {
            let outcome = invert::invert(&statement.node, &mut self.context, false, &Facts::sql_only());
            Settled { outcome, capture_failures: Vec::new() }
        };
        self.settled.push(settled);
        self.before.clear();
        self.after.clear();
        self.rounds = [0; 2];
        self.current += 1;
    }

    /// The plan; statements not settled yet are settled from what is known.
    pub fn finish(mut self) -> RollbackPlan {
        while self.current < self.migration.statements.len() {
            self.settle();
        }
        let mut settled = self.settled;
        // The rollback runs its inverses with the search_path the migration ended with.
        if let (Some(path), Some(last)) = (&self.context.search_path, settled.last_mut()) {
            last.outcome.inverse.insert(0, crate::invert::families::session::set_search_path(path));
        }
        let mut outcomes: Vec<&mut Outcome> = settled.iter_mut().map(|s| &mut s.outcome).collect();
        verify_reparses(&mut outcomes);
        if let Some(triggers) = &self.event_triggers {
            // Event triggers were read before the first statement: after one is created or changed here, any
            // trigger may react to what follows.
            let unknown: Reply = Err(String::new());
            let (mut current, mut unknown_why) = (triggers, "the database's event triggers could not be read");
            for (statement, settled) in self.migration.statements.iter().zip(settled.iter_mut()) {
                block_for_event_triggers(current, unknown_why, &statement.node, &mut settled.outcome);
                if matches!(
                    statement.node,
                    pg_query::NodeEnum::CreateEventTrigStmt(_) | pg_query::NodeEnum::AlterEventTrigStmt(_)
                ) {
                    (current, unknown_why) =
                        (&unknown, "an event trigger was created or changed earlier in the migration");
                }
            }
        }

        let unchanged: Vec<Option<&'static str>> = settled.iter().map(|s| s.outcome.unchanged).collect();
        let mut plans = Vec::with_capacity(settled.len());
        let mut warnings = Vec::new();
        let mut transactional = true;
        for (index, (statement, settled)) in self.migration.statements.iter().zip(settled).enumerate() {
            let index = index as u32;
            let outcome = settled.outcome;
            let warn = |code: Code, message: String| RollbackWarning {
                code,
                message,
                statement_index: index,
                line: statement.line,
                column: statement.column,
            };
            if !settled.capture_failures.is_empty() {
                warnings.push(warn(
                    code::CAPTURE_FAILED,
                    format!(
                        "Could not read the state this statement changes from the database ({}); its rollback \
                         is generated from the SQL alone",
                        settled.capture_failures.join("; ")
                    ),
                ));
            }
            if let Some(blocker) = &outcome.blocker {
                warnings.push(warn(blocker.code, blocker.message.clone()));
            }
            if let (Some(notice), true) = (&outcome.notice, outcome.is_reversible()) {
                warnings.push(warn(notice.code, notice.message.clone()));
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
                sql: statement.text.clone(),
                line: statement.line,
                column: statement.column,
                reversible: outcome.is_reversible(),
                inverse: script(&outcome.inverse),
                code: outcome.blocker.map(|b| b.code),
            });
        }

        // Large migrations' trees are freed off the caller's thread.
        if self.migration.statements.len() >= 256 {
            crate::parse::pool::drop_later(std::mem::take(&mut self.migration));
        }
        let rollback_script: String = plans.iter().rev().filter_map(|p| p.inverse.as_deref()).collect();
        let rollback_safe = !plans.is_empty() && plans.iter().all(|p| p.reversible);
        // A safe rollback always has a script that runs: with nothing to undo, comments saying so.
        let rollback_script = match (rollback_script.is_empty(), rollback_safe) {
            (false, _) => Some(rollback_script),
            (true, true) => Some(crate::render::noop::script(&plans, &unchanged)),
            (true, false) => None,
        };
        RollbackPlan {
            rollback_script,
            rollback_safe,
            transactional,
            state_captured: self.capture,
            statements: plans,
            warnings,
        }
    }
}

/// A statement an enabled event trigger may react to (or whose rollback it may react to) is not reversible:
/// what the trigger did is not known. Its inverse is still offered for review.
/// `unknown_why`: why the triggers are not known when `triggers` is not an answer.
fn block_for_event_triggers(triggers: &Reply, unknown_why: &str, node: &pg_query::NodeEnum, outcome: &mut Outcome) {
    if outcome.blocker.is_some() {
        return;
    }
    let message = match triggers {
        Ok(crate::ask::state::Answer::EventTriggers(triggers)) => {
            let reacting = crate::ask::event_triggers::reacting(triggers, node, &outcome.inverse);
            if reacting.is_empty() {
                return;
            }
            let names: Vec<String> =
                reacting.iter().map(|t| format!("{} ({})", crate::render::quote::ident(&t.name), t.event)).collect();
            format!(
                "Cannot auto-generate a safe rollback: enabled event trigger(s) {} may react to this statement or to \
                 its rollback, and what they do is not undone",
                names.join(", ")
            )
        }
        Ok(_) | Err(_) => {
            // Unknown triggers: any DDL may fire one.
            let any = crate::ask::state::EventTriggerFacts {
                name: String::new(),
                event: String::new(),
                enabled: String::new(),
                tags: Vec::new(),
            };
            if crate::ask::event_triggers::reacting(std::slice::from_ref(&any), node, &outcome.inverse).is_empty() {
                return;
            }
            format!(
                "Cannot auto-generate a safe rollback: {unknown_why}, and one may react to this statement or to its \
                 rollback"
            )
        }
    };
    outcome.blocker = Some(Blocker { code: code::EVENT_TRIGGER, message });
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
fn verify_reparses(outcomes: &mut [&mut Outcome]) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ask::state::Lookup;
    use crate::ObjectName;

    fn planner(sql: &str) -> Planner {
        Planner::new(ParsedMigration::parse(sql).unwrap(), true)
    }

    #[test]
    fn questions_come_before_and_after_each_statement() {
        let mut p = planner("ALTER TABLE t ALTER COLUMN c SET DEFAULT 1;\nCREATE TABLE u (id int);");
        let column = Question::Column { relation: ObjectName::unqualified("t"), column: "c".into() };
        // Event triggers are read once, before the first statement.
        assert_eq!(p.questions(At::Before), vec![column.clone(), Question::EventTriggers]);
        assert!(p.questions(At::After).is_empty());
        let default = crate::ask::state::ColumnFacts {
            relation: ObjectName::qualified("public", "t"),
            type_name: "integer".into(),
            not_null: false,
            not_null_constraint: None,
            not_null_validated: true,
            not_null_comment: None,
            default: Some("7".into()),
            identity: String::new(),
            generated: String::new(),
            comment: None,
            acl: vec![],
            is_local: true,
            inherit_count: 0,
            descendants: vec![],
            settings: Default::default(),
            identity_sequence: None,
        };
        p.answer(
            At::Before,
            [
                (column, Ok(crate::ask::state::Answer::Column(Some(default)))),
                (Question::EventTriggers, Ok(crate::ask::state::Answer::EventTriggers(vec![]))),
            ],
        );
        assert!(p.questions(At::Before).is_empty());
        p.settle();
        // An unqualified new table: where it landed, and what its name finds, once it ran.
        let u = ObjectName::unqualified("u");
        assert!(p.questions(At::Before).is_empty());
        let after = p.questions(At::After);
        let locate =
            |lookup| Question::Locate { kind: crate::ask::state::ObjectKind::Relation, name: u.clone(), lookup };
        assert!(after.contains(&locate(Lookup::SearchPath)), "{after:?}");
        assert!(after.contains(&locate(Lookup::Creation)), "{after:?}");
        let plan = p.finish();
        assert!(plan.state_captured);
        // Never answered: said so, and the statement falls back to what the SQL alone says.
        assert!(
            plan.warnings.iter().any(|w| w.code == code::CAPTURE_FAILED && w.message.contains("never answered")),
            "{:?}",
            plan.warnings
        );
        assert_eq!(
            plan.rollback_script.as_deref(),
            Some("DROP TABLE u;\nALTER TABLE t ALTER COLUMN c SET DEFAULT 7;\n")
        );
    }

    #[test]
    fn a_failed_capture_falls_back_to_the_sql_alone_with_a_warning() {
        let mut p = planner("ALTER TABLE t ALTER COLUMN c SET DEFAULT 1;");
        let questions = p.questions(At::Before);
        p.answer(At::Before, questions.into_iter().map(|q| (q, Err("permission denied for pg_attrdef".to_owned()))));
        p.settle();
        let plan = p.finish();
        assert!(!plan.rollback_safe);
        let codes: Vec<Code> = plan.warnings.iter().map(|w| w.code).collect();
        assert_eq!(codes, vec![code::CAPTURE_FAILED, code::PREVIOUS_STATE_UNKNOWN]);
        assert!(plan.warnings[0].message.contains("permission denied for pg_attrdef"), "{}", plan.warnings[0].message);
        assert_eq!(plan.statements[0].code, Some(code::PREVIOUS_STATE_UNKNOWN));
    }

    #[test]
    fn after_an_event_trigger_is_created_in_the_migration_later_ddl_is_not_safe() {
        let mut p = planner(
            "CREATE EVENT TRIGGER e ON ddl_command_end EXECUTE FUNCTION f();\nCREATE INDEX i ON t (c);\nSET lock_timeout = 0;",
        );
        p.answer(At::Before, [(Question::EventTriggers, Ok(crate::ask::state::Answer::EventTriggers(vec![])))]);
        let plan = p.finish();
        assert_eq!(plan.statements[1].code, Some(code::EVENT_TRIGGER), "{:?}", plan.warnings);
        assert!(plan.warnings.iter().any(|w| w.message.contains("created or changed earlier")), "{:?}", plan.warnings);
        // Not DDL: no event trigger fires for it.
        assert_eq!(plan.statements[2].code, None);
    }

    #[test]
    fn without_a_database_nothing_is_asked() {
        let mut p = Planner::new(ParsedMigration::parse("DROP INDEX i;").unwrap(), false);
        assert!(p.questions(At::Before).is_empty());
        let plan = p.finish();
        assert!(!plan.state_captured);
        assert_eq!(plan.statements[0].code, Some(code::DROP_OBJECT));
    }

    #[test]
    fn rounds_stop_when_nothing_is_left_to_ask_or_at_the_limit() {
        let sql = "DROP INDEX i;\nDROP INDEX j;";
        let mut p = Planner::new(ParsedMigration::parse(sql).unwrap(), true);
        // Questions left unanswered come back every round, until the limit.
        let first = p.next_round(At::Before).expect("a drop asks what it drops");
        for _ in 1..ROUNDS {
            assert_eq!(p.next_round(At::Before).as_ref(), Some(&first));
        }
        assert_eq!(p.next_round(At::Before), None);
        p.settle();
        // Answered (even with a failure), nothing new is asked: one round.
        let questions = p.next_round(At::Before).expect("the second drop asks too");
        p.answer(At::Before, questions.into_iter().map(|q| (q, Err("no".to_owned()))));
        assert_eq!(p.next_round(At::Before), None);
        let plan = p.finish();
        assert!(plan.warnings.iter().any(|w| w.code == code::CAPTURE_FAILED && w.statement_index == 1));
    }
}
