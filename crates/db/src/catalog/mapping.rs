//! Which queries answer each question: the lookup that finds the object the way the statement finds it,
//! then the query describing it.
use pg_rollback_core::state::*;
use pg_rollback_core::ObjectName;

use super::privileges;
use super::queries::*;
use super::version::Generation;
use super::{Described, Param, Plan, Query};

fn text(s: &str) -> Param {
    Param::Text(s.to_owned())
}

/// `name` as SQL text for `to_regclass` and friends (quoted exactly like the migration's own name).
fn written(name: &ObjectName) -> Param {
    Param::Text(name.to_string())
}

pub(super) fn plan(q: &Question, generation: Generation) -> Plan {
    match q {
        Question::Locate { kind, name, lookup } => Plan::Direct(locate(kind, name, lookup)),
        Question::Setting { name } => {
            Plan::Direct(Query { sql: "SELECT current_setting($1, true)", params: vec![text(name)] })
        }
        Question::Relation { name, lookup } => {
            let (sql, params) = relation_lookup(name, lookup, &RELATION.each_ref().map(|q| q.get(generation)));
            Plan::Direct(Query { sql, params })
        }
        Question::Column { relation, column } => resolve_relation(relation, COLUMN.get(generation), vec![text(column)]),
        Question::Constraint { relation, name } => resolve_relation(relation, *CONSTRAINT, vec![text(name)]),
        Question::Constraints { relation } => {
            Plan::Direct(Query { sql: *CONSTRAINTS, params: vec![written(relation)] })
        }
        Question::Index { name, lookup } => resolve(relation_lookup(name, lookup, &OID_ONLY), *INDEX, vec![]),
        Question::Indexes { relation } => Plan::Direct(Query { sql: *INDEXES, params: vec![written(relation)] }),
        Question::Trigger { relation, name } => resolve_relation(relation, TRIGGER.get(generation), vec![text(name)]),
        Question::Policy { relation, name } => resolve_relation(relation, POLICY, vec![text(name)]),
        Question::Rule { relation, name } => resolve_relation(relation, RULE, vec![text(name)]),
        Question::Statistics { name, lookup } => {
            let params = vec![Param::OptText(name.schema.clone()), text(&name.name)];
            let sql = match lookup {
                Lookup::SearchPath if name.schema.is_none() => STATISTICS_ON_PATH,
                _ => STATISTICS_IN_SCHEMA,
            };
            resolve((sql, params), STATISTICS, vec![])
        }
        Question::StatisticsOf { relation } => {
            Plan::Direct(Query { sql: STATISTICS_OF, params: vec![written(relation)] })
        }
        Question::Sequence { name, lookup } => {
            resolve(relation_lookup(name, lookup, &OID_ONLY), SEQUENCE.get(generation), vec![])
        }
        Question::View { name, lookup } => {
            resolve(relation_lookup(name, lookup, &OID_ONLY), VIEW.get(generation), vec![])
        }
        Question::Type { name, lookup } => {
            let (i, params) = type_lookup(name, lookup);
            resolve((TYPE_OID[i], params), TYPE.get(generation), vec![])
        }
        Question::Routine { name, args, lookup } => {
            let (i, params) = routine_lookup(name, args.as_deref(), lookup);
            resolve((ROUTINE_OID[i], params), *ROUTINE, vec![])
        }
        Question::Schema { name } => Plan::Direct(Query { sql: *SCHEMA, params: vec![text(name)] }),
        Question::Extension { name } => Plan::Direct(Query { sql: EXTENSION, params: vec![text(name)] }),
        Question::Object { address } => Plan::Fallible(Query { sql: OBJECT, params: address_params(address) }),
        Question::Dependents { address } => Plan::Fallible(Query { sql: DEPENDENTS, params: address_params(address) }),
        Question::DefaultPrivileges => Plan::Direct(Query { sql: DEFAULT_PRIVILEGES, params: vec![] }),
        Question::DropCascade { address } => {
            Plan::Fallible(Query { sql: super::cascade::DROP_CASCADE, params: address_params(address) })
        }
        Question::Extensions => Plan::Direct(Query { sql: super::cascade::EXTENSIONS, params: vec![] }),
        Question::EventTriggers => Plan::Direct(Query { sql: EVENT_TRIGGERS, params: vec![] }),
        Question::SchemaMembers { schema, kind } => {
            resolve((privileges::SCHEMA_OID, vec![text(schema)]), *privileges::SCHEMA_MEMBERS, vec![text(kind)])
        }
        Question::DefaultAcl { role, schema, object_type } => Plan::Direct(Query {
            sql: *privileges::DEFAULT_ACL,
            params: vec![Param::OptText(role.clone()), Param::OptText(schema.clone()), text(object_type)],
        }),
    }
}

/// OID and schema of what a lookup finds, without describing it.
fn locate(kind: &ObjectKind, name: &ObjectName, lookup: &Lookup) -> Query {
    let (sql, params) = match kind {
        ObjectKind::Relation => relation_lookup(name, lookup, &LOCATE_RELATION),
        ObjectKind::Index => relation_lookup(name, lookup, &LOCATE_INDEX),
        ObjectKind::Type => {
            let (i, params) = type_lookup(name, lookup);
            (LOCATE_TYPE[i], params)
        }
        ObjectKind::Routine(args) => {
            let (i, params) = routine_lookup(name, args.as_deref(), lookup);
            (LOCATE_ROUTINE[i], params)
        }
    };
    Query { sql, params }
}

/// Which of [`TYPE_OIDS`] finds `name`, and its parameters.
fn type_lookup(name: &ObjectName, lookup: &Lookup) -> (usize, Vec<Param>) {
    match lookup {
        Lookup::SearchPath => (0, vec![written(name)]),
        _ => (1, vec![Param::OptText(name.schema.clone()), text(&name.name)]),
    }
}

/// Which of [`ROUTINE_OIDS`] finds `name` (with `args`, the input argument types, when written).
fn routine_lookup(name: &ObjectName, args: Option<&[String]>, lookup: &Lookup) -> (usize, Vec<Param>) {
    let signature = |args: &[String]| text(&format!("{name}({})", args.join(", ")));
    match (lookup, args) {
        (Lookup::SearchPath, Some(args)) => (0, vec![signature(args)]),
        (Lookup::SearchPath, None) => (1, vec![written(name)]),
        (_, Some(args)) if name.is_qualified() => (0, vec![signature(args)]),
        (_, Some(args)) => (2, vec![signature(args)]),
        (_, None) => (3, vec![Param::OptText(name.schema.clone()), text(&name.name)]),
    }
}

fn address_params(a: &ObjectAddress) -> Vec<Param> {
    vec![text(&a.kind), Param::TextArray(a.names.clone()), Param::OptTextArray(a.args.clone())]
}

fn resolve(lookup: (&'static str, Vec<Param>), describe: &'static str, extra: Vec<Param>) -> Plan {
    Plan::Resolve { resolve: Query { sql: lookup.0, params: lookup.1 }, describe: Described { sql: describe, extra } }
}

/// A relation looked up through `search_path` (the statements' own resolution), then described.
fn resolve_relation(relation: &ObjectName, describe: &'static str, extra: Vec<Param>) -> Plan {
    resolve(("SELECT to_regclass($1)::oid::text", vec![written(relation)]), describe, extra)
}

/// `select` is the query with `{oid}` replaced by the resolution (a relation's JSON, or just its OID).
fn relation_lookup(name: &ObjectName, lookup: &Lookup, select: &[&'static str; 3]) -> (&'static str, Vec<Param>) {
    match lookup {
        Lookup::SearchPath => (select[0], vec![written(name)]),
        Lookup::Creation => (select[1], vec![Param::OptText(name.schema.clone()), text(&name.name)]),
        Lookup::Beside(relation) => match &name.schema {
            Some(_) => (select[1], vec![Param::OptText(name.schema.clone()), text(&name.name)]),
            None => (select[2], vec![written(relation), text(&name.name)]),
        },
    }
}
