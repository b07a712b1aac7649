//! The answers a statement's inversion may use. While the planner probes a statement, every question the
//! inversion asks that has no answer yet is recorded, so that the database layer can answer it; without a
//! database (`generate_rollback`) every question stays unanswered and inversions use the SQL alone.
use crate::ask::state::*;
use crate::parse::name::ObjectName;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

pub type Answers = HashMap<Question, Reply>;

pub struct Facts<'a> {
    capture: Option<Capture<'a>>,
}

struct Capture<'a> {
    before: &'a Answers,
    after: &'a Answers,
    asked: RefCell<Vec<(At, Question)>>,
    failures: RefCell<Vec<String>>,
    /// Every question asked so far (answered or not), before and after: what a statement relied on.
    asked_count: Cell<(usize, usize)>,
}

impl<'a> Facts<'a> {
    /// No database: the SQL alone.
    pub fn sql_only() -> Self {
        Facts { capture: None }
    }

    pub fn captured(before: &'a Answers, after: &'a Answers) -> Self {
        Facts {
            capture: Some(Capture {
                before,
                after,
                asked: RefCell::new(Vec::new()),
                failures: RefCell::new(Vec::new()),
                asked_count: Cell::new((0, 0)),
            }),
        }
    }

    /// Whether the database is being asked at all.
    pub fn capturing(&self) -> bool {
        self.capture.is_some()
    }

    /// Questions asked that have no reply yet.
    pub fn unanswered(&self) -> Vec<(At, Question)> {
        self.capture.as_ref().map(|c| c.asked.borrow().clone()).unwrap_or_default()
    }

    /// Why questions could not be answered (the database layer's messages).
    pub fn failures(&self) -> Vec<String> {
        self.capture.as_ref().map(|c| c.failures.borrow().clone()).unwrap_or_default()
    }

    /// How many questions were asked so far about the state before and after the statement; the difference
    /// over one inversion says whether it relied on the database's state.
    pub fn asked_so_far(&self) -> (usize, usize) {
        self.capture.as_ref().map_or((0, 0), |c| c.asked_count.get())
    }

    fn ask(&self, at: At, question: Question) -> Option<&'a Answer> {
        let capture = self.capture.as_ref()?;
        let (before, after) = capture.asked_count.get();
        capture.asked_count.set(if at == At::Before { (before + 1, after) } else { (before, after + 1) });
        let answers = match at {
            At::Before => capture.before,
            At::After => capture.after,
        };
        match answers.get(&question) {
            Some(Ok(answer)) => Some(answer),
            Some(Err(why)) => {
                let mut failures = capture.failures.borrow_mut();
                if !failures.contains(why) {
                    failures.push(why.clone());
                }
                None
            }
            None => {
                let mut asked = capture.asked.borrow_mut();
                if !asked.iter().any(|(a, q)| *a == at && *q == question) {
                    asked.push((at, question));
                }
                None
            }
        }
    }
}

/// Typed questions: `None` when unknown (no database, not answered yet, or it failed); `Some(None)` when the
/// database said there is no such object.
macro_rules! questions {
    ($($fn:ident($($arg:ident: $ty:ty),*) -> $variant:ident: $out:ty = $question:expr;)*) => {
        impl<'a> Facts<'a> {
            $(
                pub fn $fn(&self, at: At, $($arg: $ty),*) -> Option<$out> {
                    match self.ask(at, $question)? {
                        Answer::$variant(found) => Some(found.into()),
                        _ => None,
                    }
                }
            )*
        }
    };
}

questions! {
    locate(kind: ObjectKind, name: &ObjectName, lookup: Lookup) -> Locate: Option<&'a Location> =
        Question::Locate { kind, name: name.clone(), lookup };
    setting(name: &str) -> Setting: Option<&'a String> = Question::Setting { name: name.to_owned() };
    relation(name: &ObjectName, lookup: Lookup) -> Relation: Option<&'a RelationFacts> =
        Question::Relation { name: name.clone(), lookup };
    column(relation: &ObjectName, column: &str) -> Column: Option<&'a ColumnFacts> =
        Question::Column { relation: relation.clone(), column: column.to_owned() };
    constraint(relation: &ObjectName, name: &str) -> Constraint: Option<&'a ConstraintFacts> =
        Question::Constraint { relation: relation.clone(), name: name.to_owned() };
    constraints(relation: &ObjectName) -> Constraints: &'a Vec<ConstraintSummary> =
        Question::Constraints { relation: relation.clone() };
    index(name: &ObjectName, lookup: Lookup) -> Index: Option<&'a IndexFacts> =
        Question::Index { name: name.clone(), lookup };
    indexes(relation: &ObjectName) -> Indexes: &'a Vec<IndexSummary> = Question::Indexes { relation: relation.clone() };
    trigger(relation: &ObjectName, name: &str) -> Trigger: Option<&'a TriggerFacts> =
        Question::Trigger { relation: relation.clone(), name: name.to_owned() };
    policy(relation: &ObjectName, name: &str) -> Policy: Option<&'a PolicyFacts> =
        Question::Policy { relation: relation.clone(), name: name.to_owned() };
    rule(relation: &ObjectName, name: &str) -> Rule: Option<&'a RuleFacts> =
        Question::Rule { relation: relation.clone(), name: name.to_owned() };
    statistics(name: &ObjectName, lookup: Lookup) -> Statistics: Option<&'a StatisticsFacts> =
        Question::Statistics { name: name.clone(), lookup };
    statistics_of(relation: &ObjectName) -> StatisticsOf: &'a Vec<ObjectName> =
        Question::StatisticsOf { relation: relation.clone() };
    sequence(name: &ObjectName, lookup: Lookup) -> Sequence: Option<&'a SequenceFacts> =
        Question::Sequence { name: name.clone(), lookup };
    view(name: &ObjectName, lookup: Lookup) -> View: Option<&'a ViewFacts> = Question::View { name: name.clone(), lookup };
    type_(name: &ObjectName, lookup: Lookup) -> Type: Option<&'a TypeFacts> = Question::Type { name: name.clone(), lookup };
    routine(name: &ObjectName, args: Option<Vec<String>>, lookup: Lookup) -> Routine: Option<&'a RoutineFacts> =
        Question::Routine { name: name.clone(), args, lookup };
    schema(name: &str) -> Schema: Option<&'a SchemaFacts> = Question::Schema { name: name.to_owned() };
    extension(name: &str) -> Extension: Option<&'a ExtensionFacts> = Question::Extension { name: name.to_owned() };
    object(address: &ObjectAddress) -> Object: Option<&'a ObjectFacts> = Question::Object { address: address.clone() };
    dependents(address: &ObjectAddress) -> Dependents: &'a Vec<String> = Question::Dependents { address: address.clone() };
    default_privileges() -> DefaultPrivileges: &'a Vec<DefaultPrivilege> = Question::DefaultPrivileges;
    schema_members(schema: &str, kind: &str) -> SchemaMembers: &'a Vec<AclObject> =
        Question::SchemaMembers { schema: schema.to_owned(), kind: kind.to_owned() };
    default_acl(role: Option<&str>, schema: Option<&str>, object_type: &str) -> DefaultAcl: Option<&'a DefaultAclFacts> =
        Question::DefaultAcl { role: role.map(str::to_owned), schema: schema.map(str::to_owned), object_type: object_type.to_owned() };
    drop_cascade(address: &ObjectAddress) -> DropCascade: &'a CascadeFacts =
        Question::DropCascade { address: address.clone() };
    extensions() -> Extensions: &'a Vec<String> = Question::Extensions;
}
