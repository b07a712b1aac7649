//! Catalog knowledge: every query pg-rollback runs against `pg_catalog` lives here. It answers the core's
//! questions (`pg_rollback_core::state`) inside the caller's transaction, without leaving a trace:
//!
//! 1. `SAVEPOINT`; names are resolved the way PostgreSQL resolves them for the migration (its own
//!    `search_path`: `to_regclass`, `to_regtype`, `to_regprocedure`, `current_schema()`), to OIDs;
//! 2. `search_path` is emptied for the definitions (`pg_get_indexdef`, `pg_get_constraintdef`,
//!    `pg_get_viewdef`, `pg_get_functiondef`, `pg_get_expr`, `format_type`, ...), so that every name in
//!    them comes out schema-qualified and means the same object whatever `search_path` the rollback runs with;
//! 3. `ROLLBACK TO SAVEPOINT`: the setting goes back, and a failed query leaves the migration's transaction
//!    usable. A failure is that batch's answer (the statements fall back to the SQL alone); never the migration's.
//!
//! Queries are fixed text with bind parameters; every JSON document is built by PostgreSQL.
mod cascade;
pub(crate) mod risk;
pub(crate) mod snapshot;
pub(crate) mod version;

use std::sync::LazyLock;

use futures_util::future::join_all;
use pg_rollback_core::state::*;
use pg_rollback_core::ObjectName;
use serde::de::DeserializeOwned;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{GenericClient, Statement};

use crate::error::{pg_message, sqlstate};
use crate::session::Ctx;
use version::{for_each, Generation, PerGeneration};

/// JIT compiling a catalog query costs more than running it (about 0.5 s against 0.1 s for the snapshot).
const SAVEPOINT: &str = "SAVEPOINT pg_rollback_capture; SET LOCAL jit = off";
/// Rolled back rather than released: the emptied `search_path` goes with it.
const END_SAVEPOINT: &str = "ROLLBACK TO SAVEPOINT pg_rollback_capture; RELEASE SAVEPOINT pg_rollback_capture";
const EMPTY_SEARCH_PATH: &str = "SELECT set_config('search_path', '', true)";

/// Answer `questions` now, in the transaction of `c`.
pub(crate) async fn answer<C: GenericClient + Sync>(
    c: &C,
    ctx: &Ctx,
    questions: &[Question],
) -> Vec<(Question, Reply)> {
    if questions.is_empty() {
        return Vec::new();
    }
    let replies = match answer_all(c, ctx, questions).await {
        Ok(replies) => replies,
        Err(why) => questions.iter().map(|_| Err(why.clone())).collect(),
    };
    questions.iter().cloned().zip(replies).collect()
}

/// A question as queries: either answered in the first round (no definitions to deparse), or resolved to an
/// OID first and described in the second round with an empty `search_path`.
enum Plan {
    Direct(Query),
    Resolve {
        resolve: Query,
        describe: Described,
    },
    /// Queries that may fail for an object that does not exist (`pg_get_object_address`): each runs in a
    /// savepoint of its own, after the others.
    Fallible(Query),
}

struct Query {
    sql: &'static str,
    params: Vec<Param>,
}

impl Query {
    fn types(&self) -> Vec<Type> {
        self.params.iter().map(|p| p.as_sql().1).collect()
    }
}

#[derive(Clone)]
enum Param {
    Text(String),
    OptText(Option<String>),
    TextArray(Vec<String>),
}

impl Param {
    fn as_sql(&self) -> (&(dyn ToSql + Sync), Type) {
        match self {
            Param::Text(v) => (v, Type::TEXT),
            Param::OptText(v) => (v, Type::TEXT),
            Param::TextArray(v) => (v, Type::TEXT_ARRAY),
        }
    }
}

/// The second-round query of a resolved question: `$1` is the OID, then `extra`.
struct Described {
    sql: &'static str,
    extra: Vec<Param>,
}

impl Described {
    fn types(&self) -> Vec<Type> {
        std::iter::once(Type::INT8).chain(self.extra.iter().map(|p| p.as_sql().1)).collect()
    }
}

async fn answer_all<C: GenericClient + Sync>(c: &C, ctx: &Ctx, questions: &[Question]) -> Result<Vec<Reply>, String> {
    let generation = ctx.generation(c).await.map_err(|e| failure("reading server_version_num", &e))?;
    let plans: Vec<Plan> = questions.iter().map(|q| plan(q, generation)).collect();
    let resolving = plans.iter().any(|p| matches!(p, Plan::Resolve { .. }));
    let mut replies: Vec<Option<Reply>> = vec![None; plans.len()];
    // Everything is prepared first: a prepare is a round trip of its own, and what is pipelined below must
    // reach the server in the order it is written (inside the savepoint, with the right search_path).
    // Preparing happens inside the savepoint too: a failing prepare must not abort the migration's transaction.
    let cached = plans.iter().all(|p| match p {
        Plan::Direct(q) | Plan::Fallible(q) => ctx.is_prepared(q.sql),
        Plan::Resolve { resolve, describe } => ctx.is_prepared(resolve.sql) && ctx.is_prepared(describe.sql),
    });
    if !cached {
        c.batch_execute(SAVEPOINT).await.map_err(|e| failure("starting the capture", &e))?;
    }
    let prepared = join_all(plans.iter().map(|p| async move {
        let (first, second) = match p {
            Plan::Direct(q) | Plan::Fallible(q) => (q, None),
            Plan::Resolve { resolve, describe } => (resolve, Some(describe)),
        };
        let first = ctx.prepare(c, first.sql, &first.types()).await?;
        let second = match second {
            Some(d) => Some(ctx.prepare(c, d.sql, &d.types()).await?),
            None => None,
        };
        Ok::<_, tokio_postgres::Error>((first, second))
    }))
    .await
    .into_iter()
    .collect::<Result<Vec<_>, _>>();
    let statements = match prepared {
        Ok(statements) => statements,
        Err(e) => {
            if !cached {
                c.batch_execute(END_SAVEPOINT).await.map_err(|e| failure("ending the capture", &e))?;
            }
            return Err(failure("preparing the catalog queries", &e));
        }
    };

    // Round 1, with the migration's search_path: direct answers and resolutions, pipelined (the savepoint
    // first when it was not begun above; its end too when there is no second round).
    let first = join_all(plans.iter().zip(&statements).map(|(p, (statement, _))| async move {
        match p {
            Plan::Direct(q) | Plan::Resolve { resolve: q, .. } => Some(run(c, statement, &q.params, None).await),
            Plan::Fallible(_) => None,
        }
    }));
    let (begun, first, ended) = tokio::join!(
        async {
            match cached {
                true => c.batch_execute(SAVEPOINT).await,
                false => Ok(()),
            }
        },
        first,
        async {
            match resolving {
                true => Ok(()),
                false => c.batch_execute(END_SAVEPOINT).await,
            }
        }
    );
    begun.map_err(|e| failure("starting the capture", &e))?;
    let mut oids: Vec<Option<u32>> = vec![None; plans.len()];
    let mut failed = None;
    for (i, (p, result)) in plans.iter().zip(first).enumerate() {
        match (p, result) {
            (_, Some(Err(e))) => failed = failed.or(Some(e.to_string())),
            (Plan::Direct(_), Some(Ok(json))) => replies[i] = Some(decode(&questions[i], json)),
            (Plan::Resolve { .. }, Some(Ok(oid))) => match oid.and_then(|text| text.parse().ok()) {
                Some(oid) => oids[i] = Some(oid),
                None => replies[i] = Some(decode(&questions[i], None)),
            },
            _ => {}
        }
    }

    // Round 2, with an empty search_path: definitions of what was resolved, then the savepoint's end.
    if resolving {
        let skip = failed.is_some();
        let second = join_all(plans.iter().zip(&statements).zip(&oids).map(|((p, (_, statement)), oid)| async move {
            match (p, statement, oid, skip) {
                (Plan::Resolve { describe, .. }, Some(statement), Some(oid), false) => {
                    Some(run(c, statement, &describe.extra, Some(*oid)).await)
                }
                _ => None,
            }
        }));
        let (emptied, second, ended) = tokio::join!(
            async {
                match skip {
                    true => Ok(()),
                    false => c.batch_execute(EMPTY_SEARCH_PATH).await,
                }
            },
            second,
            c.batch_execute(END_SAVEPOINT)
        );
        ended.map_err(|e| failure("ending the capture", &e))?;
        emptied.map_err(|e| failure("emptying search_path", &e))?;
        for (i, result) in second.into_iter().enumerate() {
            match result {
                Some(Ok(json)) => replies[i] = Some(decode(&questions[i], json)),
                Some(Err(e)) => failed = failed.or(Some(e.to_string())),
                None => {}
            }
        }
    } else {
        ended.map_err(|e| failure("ending the capture", &e))?;
    }
    if let Some(why) = failed {
        return Err(why);
    }

    // Object addresses raise an error for objects that do not exist: one savepoint each.
    for (i, (p, (statement, _))) in plans.iter().zip(&statements).enumerate() {
        if let Plan::Fallible(q) = p {
            let (begun, result, ended) = tokio::join!(
                c.batch_execute(SAVEPOINT),
                run(c, statement, &q.params, None),
                c.batch_execute(END_SAVEPOINT)
            );
            begun.map_err(|e| failure("starting the capture", &e))?;
            ended.map_err(|e| failure("ending the capture", &e))?;
            replies[i] = Some(match result {
                Ok(json) => decode(&questions[i], json),
                // undefined_object, undefined_table, undefined_function, undefined_column, invalid_schema_name
                Err(Failure::Database(state, _))
                    if matches!(state.as_str(), "42704" | "42P01" | "42883" | "42703" | "3F000") =>
                {
                    decode(&questions[i], None)
                }
                Err(e) => Err(e.to_string()),
            });
        }
    }
    Ok(replies
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("internal error: question left unanswered".into())))
        .collect())
}

enum Failure {
    Database(String, String),
    Other(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Database(_, m) | Failure::Other(m) => f.write_str(m),
        }
    }
}

fn failure(what: &str, e: &tokio_postgres::Error) -> String {
    format!("{what}: {}", pg_message(e))
}

/// Runs a prepared one-column query (`oid`, when given, is its first parameter); the column is text (a JSON
/// document or an OID), NULL or no row being `None`.
async fn run<C: GenericClient + Sync>(
    c: &C,
    statement: &Statement,
    params: &[Param],
    oid: Option<u32>,
) -> Result<Option<String>, Failure> {
    let oid = oid.map(i64::from);
    let mut values: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(params.len() + 1);
    if let Some(oid) = &oid {
        values.push(oid);
    }
    values.extend(params.iter().map(|p| p.as_sql().0));
    let rows = c.query(statement, &values).await.map_err(|e| match sqlstate(&e) {
        Some(state) => Failure::Database(state.to_owned(), pg_message(&e)),
        None => Failure::Other(pg_message(&e)),
    })?;
    Ok(rows.first().and_then(|row| row.get::<_, Option<String>>(0)))
}

fn parse<T: DeserializeOwned>(json: Option<String>) -> Result<Option<T>, String> {
    json.map(|j| serde_json::from_str(&j).map_err(|e| format!("unexpected catalog answer ({e}): {j}"))).transpose()
}

fn list<T: DeserializeOwned>(json: Option<String>) -> Result<Vec<T>, String> {
    Ok(parse::<Vec<T>>(json)?.unwrap_or_default())
}

fn decode(q: &Question, json: Option<String>) -> Reply {
    Ok(match q {
        Question::Locate { .. } => Answer::Locate(parse(json)?),
        Question::Setting { .. } => Answer::Setting(json),
        Question::Relation { .. } => Answer::Relation(parse(json)?),
        Question::Column { .. } => Answer::Column(parse(json)?),
        Question::Constraint { .. } => Answer::Constraint(parse(json)?),
        Question::Constraints { .. } => Answer::Constraints(list(json)?),
        Question::Index { .. } => Answer::Index(parse(json)?),
        Question::Indexes { .. } => Answer::Indexes(list(json)?),
        Question::Trigger { .. } => Answer::Trigger(parse(json)?),
        Question::Policy { .. } => Answer::Policy(parse(json)?),
        Question::Rule { .. } => Answer::Rule(parse(json)?),
        Question::Statistics { .. } => Answer::Statistics(parse(json)?),
        Question::StatisticsOf { .. } => Answer::StatisticsOf(list(json)?),
        Question::Sequence { .. } => Answer::Sequence(parse(json)?),
        Question::View { .. } => Answer::View(parse(json)?),
        Question::Type { .. } => Answer::Type(parse(json)?),
        Question::Routine { .. } => Answer::Routine(parse(json)?),
        Question::Schema { .. } => Answer::Schema(parse(json)?),
        Question::Extension { .. } => Answer::Extension(parse(json)?),
        Question::Object { .. } => Answer::Object(parse(json)?),
        Question::Dependents { .. } => Answer::Dependents(list(json)?),
        Question::DefaultPrivileges => Answer::DefaultPrivileges(list(json)?),
        Question::DropCascade { .. } => {
            Answer::DropCascade(parse(json)?.ok_or("the objects a CASCADE drops were not described")?)
        }
        Question::Extensions => Answer::Extensions(list(json)?),
        Question::EventTriggers => Answer::EventTriggers(list(json)?),
    })
}

// ---- the queries ----

fn text(s: &str) -> Param {
    Param::Text(s.to_owned())
}

/// `name` as SQL text for `to_regclass` and friends (quoted exactly like the migration's own name).
fn written(name: &ObjectName) -> Param {
    Param::Text(name.to_string())
}

fn plan(q: &Question, generation: Generation) -> Plan {
    match q {
        Question::Locate { kind, name, lookup } => Plan::Direct(locate(kind, name, lookup)),
        Question::Setting { name } => {
            Plan::Direct(Query { sql: "SELECT current_setting($1, true)", params: vec![text(name)] })
        }
        Question::Relation { name, lookup } => {
            let (sql, params) = relation_lookup(name, lookup, &RELATION);
            Plan::Direct(Query { sql, params })
        }
        Question::Column { relation, column } => resolve_relation(relation, COLUMN.get(generation), vec![text(column)]),
        Question::Constraint { relation, name } => resolve_relation(relation, *CONSTRAINT, vec![text(name)]),
        Question::Constraints { relation } => {
            Plan::Direct(Query { sql: *CONSTRAINTS, params: vec![written(relation)] })
        }
        Question::Index { name, lookup } => resolve(relation_lookup(name, lookup, &OID_ONLY), *INDEX, vec![]),
        Question::Indexes { relation } => Plan::Direct(Query { sql: *INDEXES, params: vec![written(relation)] }),
        Question::Trigger { relation, name } => resolve_relation(relation, TRIGGER, vec![text(name)]),
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
        Question::Sequence { name, lookup } => resolve(relation_lookup(name, lookup, &OID_ONLY), *SEQUENCE, vec![]),
        Question::View { name, lookup } => resolve(relation_lookup(name, lookup, &OID_ONLY), *VIEW, vec![]),
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
        Question::DefaultPrivileges => Plan::Direct(Query { sql: *DEFAULT_PRIVILEGES, params: vec![] }),
        Question::DropCascade { address } => {
            Plan::Fallible(Query { sql: cascade::DROP_CASCADE, params: address_params(address) })
        }
        Question::Extensions => Plan::Direct(Query { sql: cascade::EXTENSIONS, params: vec![] }),
        Question::EventTriggers => Plan::Direct(Query { sql: EVENT_TRIGGERS, params: vec![] }),
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

static LOCATE_RELATION: LazyLock<[&'static str; 3]> = LazyLock::new(|| locate_relation(""));
static LOCATE_INDEX: LazyLock<[&'static str; 3]> = LazyLock::new(|| locate_relation(" AND c.relkind IN ('i', 'I')"));

fn locate_relation(filter: &str) -> [&'static str; 3] {
    [BY_PATH, IN_SCHEMA, BESIDE].map(|oid| {
        leak(format!(
            "SELECT json_build_object('oid', c.oid::bigint, 'schema', n.nspname)::text FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = {oid}{filter}"
        ))
    })
}

/// How a type name is found: through `search_path` (as the statement finds it), or in its schema.
const TYPE_OIDS: [&str; 2] = [
    "to_regtype($1)",
    "(SELECT t.oid FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE t.typname = $2 AND n.nspname = COALESCE($1, current_schema()))",
];

/// Which of [`TYPE_OIDS`] finds `name`, and its parameters.
fn type_lookup(name: &ObjectName, lookup: &Lookup) -> (usize, Vec<Param>) {
    match lookup {
        Lookup::SearchPath => (0, vec![written(name)]),
        _ => (1, vec![Param::OptText(name.schema.clone()), text(&name.name)]),
    }
}

/// How a routine is found: by signature, by name alone, by signature in the creation schema, or by name
/// in its schema (only when that name is not overloaded there).
const ROUTINE_OIDS: [&str; 4] = [
    "to_regprocedure($1)",
    "to_regproc($1)",
    "to_regprocedure(quote_ident(current_schema()) || '.' || $1)",
    "(SELECT CASE WHEN count(*) = 1 THEN min(p.oid) END FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE p.proname = $2 AND n.nspname = COALESCE($1, current_schema()))",
];

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

/// The OID alone (`Question::Type`/`Routine` then describe it), or OID and schema (`Question::Locate`).
static TYPE_OID: LazyLock<[&'static str; 2]> =
    LazyLock::new(|| TYPE_OIDS.map(|oid| leak(format!("SELECT ({oid})::oid::text"))));
static ROUTINE_OID: LazyLock<[&'static str; 4]> =
    LazyLock::new(|| ROUTINE_OIDS.map(|oid| leak(format!("SELECT ({oid})::oid::text"))));

static LOCATE_TYPE: LazyLock<[&'static str; 2]> = LazyLock::new(|| {
    TYPE_OIDS.map(|oid| {
        leak(format!(
            "SELECT json_build_object('oid', t.oid::bigint, 'schema', n.nspname)::text FROM pg_type t
             JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = {oid}"
        ))
    })
});

static LOCATE_ROUTINE: LazyLock<[&'static str; 4]> = LazyLock::new(|| {
    ROUTINE_OIDS.map(|oid| {
        leak(format!(
            "SELECT json_build_object('oid', p.oid::bigint, 'schema', n.nspname)::text FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = {oid}"
        ))
    })
});

fn address_params(a: &ObjectAddress) -> Vec<Param> {
    vec![text(&a.kind), Param::TextArray(a.names.clone()), Param::TextArray(a.args.clone())]
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

/// Where a relation is, by lookup: through `search_path`; in a schema (or the creation schema); beside another.
const BY_PATH: &str = "to_regclass($1)";
const IN_SCHEMA: &str = "(SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relname = $2 AND n.nspname = COALESCE($1, current_schema()))";
const BESIDE: &str = "(SELECT c.oid FROM pg_class c WHERE c.relname = $2
     AND c.relnamespace = (SELECT r.relnamespace FROM pg_class r WHERE r.oid = to_regclass($1)))";

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

static OID_ONLY: LazyLock<[&'static str; 3]> =
    LazyLock::new(|| [BY_PATH, IN_SCHEMA, BESIDE].map(|oid| leak(format!("SELECT ({oid})::oid::text"))));

static RELATION: LazyLock<[&'static str; 3]> = LazyLock::new(|| {
    [BY_PATH, IN_SCHEMA, BESIDE].map(|oid| {
        leak(format!(
            "SELECT {}::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = {oid}",
            relation_json("c", "n")
        ))
    })
});

/// An ACL as a JSON array of privileges; `acl` is an aclitem[] expression (NULL: no entries).
fn acl_json(acl: &str) -> String {
    format!(
        "COALESCE((SELECT json_agg(json_build_object(
            'grantee', CASE WHEN a.grantee = 0 THEN '' ELSE pg_get_userbyid(a.grantee)::text END,
            'grantor', pg_get_userbyid(a.grantor)::text, 'privilege', a.privilege_type, 'grantable', a.is_grantable)
            ORDER BY a.ord) FROM aclexplode({acl}) WITH ORDINALITY AS a(grantor, grantee, privilege_type, is_grantable, ord)),
          '[]'::json)"
    )
}

/// `{schema, name}` of a relation by OID expression.
fn relation_name_json(oid: &str) -> String {
    format!(
        "(SELECT json_build_object('schema', rn.nspname, 'name', rc.relname) FROM pg_class rc
          JOIN pg_namespace rn ON rn.oid = rc.relnamespace WHERE rc.oid = {oid})"
    )
}

fn relation_json(c: &str, n: &str) -> String {
    let default = format!("acldefault(CASE WHEN {c}.relkind = 'S' THEN 's' ELSE 'r' END::\"char\", {c}.relowner)");
    format!(
        "json_build_object('oid', {c}.oid::bigint, 'schema', {n}.nspname, 'name', {c}.relname, 'kind', {c}.relkind,
          'persistence', {c}.relpersistence, 'owner', pg_get_userbyid({c}.relowner)::text,
          'acl', {acl}, 'default_acl', {default_acl}, 'comment', obj_description({c}.oid, 'pg_class'),
          'options', COALESCE({c}.reloptions, '{{}}'), 'row_security', {c}.relrowsecurity, 'force_row_security', {c}.relforcerowsecurity,
          'has_children', EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = {c}.oid),
          'is_partition', {c}.relispartition, 'replica_identity', {c}.relreplident,
          'replica_identity_index', (SELECT ic.relname FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid
                                     WHERE x.indrelid = {c}.oid AND x.indisreplident),
          'clustered_index', (SELECT ic.relname FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid
                              WHERE x.indrelid = {c}.oid AND x.indisclustered),
          'partition_bound', CASE WHEN {c}.relispartition THEN pg_get_expr({c}.relpartbound, {c}.oid) END,
          'partition_of', CASE WHEN {c}.relispartition THEN
             {parent} END,
          'cloned_trigger_states', CASE WHEN {c}.relispartition THEN COALESCE((WITH RECURSIVE cl(oid, relid, name, enabled, internal, origin, depth) AS (
               SELECT t.oid, t.tgrelid, t.tgname, t.tgenabled, t.tgisinternal, u.tgenabled, 0 FROM pg_trigger t
                 JOIN pg_trigger u ON u.oid = t.tgparentid WHERE t.tgrelid = {c}.oid
               UNION ALL SELECT t.oid, t.tgrelid, t.tgname, t.tgenabled, t.tgisinternal, cl.origin, cl.depth + 1
                 FROM pg_trigger t JOIN cl ON t.tgparentid = cl.oid)
             SELECT json_agg(json_build_object('relation', {clone_relation}, 'name', cl.name, 'enabled', cl.enabled,
                                               'internal', cl.internal)
                             ORDER BY cl.depth, cl.oid)
             FROM cl WHERE cl.enabled <> cl.origin), '[]'::json) ELSE '[]'::json END,
          'parent_indexes_without_partition', CASE WHEN {c}.relispartition THEN COALESCE((
             SELECT json_agg(pc.relname ORDER BY pc.oid) FROM pg_inherits h JOIN pg_index px ON px.indrelid = h.inhparent
               JOIN pg_class pc ON pc.oid = px.indexrelid
             WHERE h.inhrelid = {c}.oid AND NOT EXISTS (SELECT 1 FROM pg_inherits ih JOIN pg_index cx ON cx.indexrelid = ih.inhrelid
               WHERE ih.inhparent = px.indexrelid AND cx.indrelid = {c}.oid AND cx.indisvalid
                 AND NOT EXISTS (SELECT 1 FROM pg_index ox WHERE ox.indrelid = {c}.oid
                                 AND ox.indexrelid <> cx.indexrelid AND ox.indkey = cx.indkey))), '[]'::json) ELSE '[]'::json END,
          'columns_with_privileges', COALESCE((SELECT json_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a
             WHERE a.attrelid = {c}.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL), '[]'::json),
          'related_acl_roles', COALESCE((SELECT json_agg(DISTINCT pg_get_userbyid(v.r)::text) FROM (
             SELECT x.grantee, x.grantor FROM pg_attribute a, aclexplode(a.attacl) x
               WHERE a.attrelid = {c}.oid AND a.attnum > 0 AND NOT a.attisdropped
             UNION ALL SELECT x.grantee, x.grantor FROM pg_depend d JOIN pg_class sc ON sc.oid = d.objid, aclexplode(sc.relacl) x
               WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                 AND d.refobjid = {c}.oid AND d.deptype IN ('a', 'i') AND sc.relkind = 'S'
             ) acl, LATERAL (VALUES (acl.grantee), (acl.grantor)) AS v(r) WHERE v.r <> 0), '[]'::json),
          'owned_sequences', COALESCE((SELECT json_agg(json_build_object('schema', sn.nspname, 'name', sc.relname,
               'persistence', sc.relpersistence) ORDER BY sc.oid)
             FROM pg_depend d JOIN pg_class sc ON sc.oid = d.objid JOIN pg_namespace sn ON sn.oid = sc.relnamespace
             WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
               AND d.refobjid = {c}.oid AND d.deptype IN ('a', 'i') AND sc.relkind = 'S'), '[]'::json))",
        acl = acl_json(&format!("COALESCE({c}.relacl, {default})")),
        default_acl = acl_json(&default),
        clone_relation = relation_name_json("cl.relid"),
        parent = relation_name_json(&format!("(SELECT inhparent FROM pg_inherits WHERE inhrelid = {c}.oid)")),
    )
}

/// A relation and its descendants (inheritance children, partitions), as `tree(relid)`.
const TREE: &str = "WITH RECURSIVE tree(relid) AS (
    SELECT $1::oid UNION SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.relid)";

static COLUMN: PerGeneration = PerGeneration::new(|| {
    for_each(|generation| {
        format!(
            "WITH RECURSIVE tree(relid) AS (
           SELECT i.inhrelid FROM pg_inherits i WHERE i.inhparent = $1::oid
           UNION SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.relid)
         SELECT json_build_object(
           'relation', {relation}, 'type_name', format_type(a.atttypid, a.atttypmod), 'not_null', a.attnotnull,
           {not_null},
           'default', pg_get_expr(d.adbin, d.adrelid), 'identity', a.attidentity, 'generated', a.attgenerated,
           'comment', col_description(a.attrelid, a.attnum), 'acl', {acl},
           'is_local', a.attislocal, 'inherit_count', a.attinhcount,
           'descendants', COALESCE((SELECT json_agg(json_build_object(
               'relation', {child}, 'not_null', ca.attnotnull, 'is_local', ca.attislocal,
               'default', (SELECT pg_get_expr(cd.adbin, cd.adrelid) FROM pg_attrdef cd
                           WHERE cd.adrelid = ca.attrelid AND cd.adnum = ca.attnum),
               'inherit_count', ca.attinhcount) ORDER BY t.relid)
             FROM tree t JOIN pg_attribute ca ON ca.attrelid = t.relid AND ca.attname = a.attname
             AND NOT ca.attisdropped), '[]'::json))::text
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attrelid = $1::oid AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped",
            relation = relation_name_json("a.attrelid"),
            not_null = generation.column_not_null("a"),
            acl = acl_json("a.attacl"),
            child = relation_name_json("t.relid"),
        )
    })
});

static CONSTRAINT: LazyLock<&'static str> = LazyLock::new(|| {
    leak(format!(
        "SELECT json_build_object(
           'oid', co.oid::bigint, 'name', co.conname, 'kind', co.contype, 'definition', pg_get_constraintdef(co.oid),
           'validated', co.convalidated, 'comment', obj_description(co.oid, 'pg_constraint'),
           'index', CASE WHEN co.contype IN ('p', 'u', 'x') THEN (SELECT {index} FROM pg_index x
               JOIN pg_class ic ON ic.oid = x.indexrelid WHERE x.indexrelid = co.conindid) END,
           'is_local', co.conislocal, 'inherit_count', co.coninhcount, 'has_parent', co.conparentid <> 0,
           'children', COALESCE((WITH RECURSIVE d(oid, relid, name) AS (
                 SELECT co.oid, co.conrelid, co.conname
                 UNION SELECT ch.oid, ch.conrelid, ch.conname FROM d JOIN pg_constraint ch ON ch.conparentid = d.oid
                   OR (ch.conname = d.name AND ch.coninhcount > 0
                       AND ch.conrelid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = d.relid)))
               SELECT json_agg(d.oid::bigint ORDER BY d.oid) FROM d WHERE d.oid <> co.oid), '[]'::json),
           'referenced_by', COALESCE((SELECT json_agg(fk.conname || ' on ' || fk.conrelid::regclass::text ORDER BY fk.oid)
               FROM pg_constraint fk WHERE co.contype IN ('p', 'u') AND fk.contype = 'f'
               AND fk.conindid = co.conindid AND fk.conparentid = 0), '[]'::json))::text
         FROM pg_constraint co WHERE co.conrelid = $1::oid AND co.conname = $2",
        index = index_json("ic"),
    ))
});

static CONSTRAINTS: LazyLock<&'static str> = LazyLock::new(|| {
    leak(format!(
        "{tree} SELECT COALESCE(json_agg(json_build_object('oid', co.oid::bigint, 'relation', {relation}, 'name', co.conname,
           'kind', co.contype, 'inherited', co.conrelid <> to_regclass($1)::oid) ORDER BY co.oid), '[]'::json)::text
         FROM tree JOIN pg_constraint co ON co.conrelid = tree.relid",
        tree = TREE.replace("$1::oid", "to_regclass($1)::oid"),
        relation = relation_name_json("co.conrelid"),
    ))
});

fn index_json(ic: &str) -> String {
    format!(
        "json_build_object(
           'oid', {ic}.oid::bigint, 'schema', (SELECT nspname FROM pg_namespace WHERE oid = {ic}.relnamespace),
           'name', {ic}.relname, 'table', {table}, 'definition', pg_get_indexdef({ic}.oid), 'valid', x.indisvalid,
           'constraint', (SELECT conname FROM pg_constraint WHERE conindid = {ic}.oid AND conrelid = x.indrelid
                          AND contype IN ('p', 'u', 'x')),
           'kind', {ic}.relkind, 'has_parent', {ic}.relispartition,
           'partitions', COALESCE((WITH RECURSIVE d(oid) AS (
                 SELECT inh.inhrelid FROM pg_inherits inh WHERE inh.inhparent = {ic}.oid
                 UNION SELECT inh.inhrelid FROM pg_inherits inh JOIN d ON inh.inhparent = d.oid)
               SELECT json_agg(d.oid::bigint ORDER BY d.oid) FROM d), '[]'::json),
           'clustered', x.indisclustered, 'replica_identity', x.indisreplident,
           'comment', obj_description({ic}.oid, 'pg_class'), 'options', COALESCE({ic}.reloptions, '{{}}'),
           'tablespace', (SELECT spcname FROM pg_tablespace WHERE oid = {ic}.reltablespace),
           'statistics', COALESCE((SELECT json_agg(json_build_array(ia.attnum, ia.attstattarget) ORDER BY ia.attnum)
                                   FROM pg_attribute ia WHERE ia.attrelid = {ic}.oid AND ia.attstattarget > 0), '[]'::json))",
        table = relation_name_json("x.indrelid"),
    )
}

static INDEX: LazyLock<&'static str> = LazyLock::new(|| {
    leak(format!(
        "SELECT {}::text FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid WHERE x.indexrelid = $1::oid",
        index_json("ic")
    ))
});

static INDEXES: LazyLock<&'static str> = LazyLock::new(|| {
    leak(format!(
        "{tree} SELECT COALESCE(json_agg(json_build_object('oid', ic.oid::bigint, 'schema', n.nspname, 'name', ic.relname,
           'table', {table}, 'inherited', x.indrelid <> to_regclass($1)::oid,
           'constraint', (SELECT conname FROM pg_constraint WHERE conindid = ic.oid AND conrelid = x.indrelid
                          AND contype IN ('p', 'u', 'x'))) ORDER BY ic.oid), '[]'::json)::text
         FROM tree JOIN pg_index x ON x.indrelid = tree.relid JOIN pg_class ic ON ic.oid = x.indexrelid
         JOIN pg_namespace n ON n.oid = ic.relnamespace",
        tree = TREE.replace("$1::oid", "to_regclass($1)::oid"),
        table = relation_name_json("x.indrelid"),
    ))
});

const TRIGGER: &str = "SELECT json_build_object(
    'name', tg.tgname, 'definition', pg_get_triggerdef(tg.oid), 'enabled', tg.tgenabled,
    'comment', obj_description(tg.oid, 'pg_trigger'), 'has_parent', tg.tgparentid <> 0,
    'clones_differ', EXISTS (WITH RECURSIVE cl(oid, enabled) AS (
        SELECT t.oid, t.tgenabled FROM pg_trigger t WHERE t.tgparentid = tg.oid
        UNION ALL SELECT t.oid, t.tgenabled FROM pg_trigger t JOIN cl ON t.tgparentid = cl.oid)
      SELECT 1 FROM cl WHERE cl.enabled <> tg.tgenabled))::text
  FROM pg_trigger tg WHERE tg.tgrelid = $1::oid AND tg.tgname = $2 AND NOT tg.tgisinternal";

const POLICY: &str = "SELECT json_build_object(
    'name', p.polname, 'permissive', p.polpermissive, 'command', p.polcmd,
    'roles', (SELECT json_agg(CASE WHEN r = 0 THEN '' ELSE pg_get_userbyid(r)::text END ORDER BY ord)
              FROM unnest(p.polroles) WITH ORDINALITY AS u(r, ord)),
    'using', pg_get_expr(p.polqual, p.polrelid), 'check', pg_get_expr(p.polwithcheck, p.polrelid),
    'comment', obj_description(p.oid, 'pg_policy'))::text
  FROM pg_policy p WHERE p.polrelid = $1::oid AND p.polname = $2";

const RULE: &str = "SELECT json_build_object(
    'name', r.rulename, 'definition', pg_get_ruledef(r.oid), 'enabled', r.ev_enabled,
    'comment', obj_description(r.oid, 'pg_rewrite'))::text
  FROM pg_rewrite r WHERE r.ev_class = $1::oid AND r.rulename = $2";

/// An unqualified statistics name through `search_path` (there is no `to_regstatistics`).
const STATISTICS_ON_PATH: &str = "SELECT s.oid::text FROM unnest(current_schemas(true)) WITH ORDINALITY AS p(nsp, ord)
    JOIN pg_namespace n ON n.nspname = p.nsp JOIN pg_statistic_ext s ON s.stxnamespace = n.oid AND s.stxname = $2
    WHERE $1::text IS NULL ORDER BY p.ord LIMIT 1";
const STATISTICS_IN_SCHEMA: &str =
    "SELECT s.oid::text FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
    WHERE s.stxname = $2 AND n.nspname = COALESCE($1, current_schema())";

const STATISTICS: &str = "SELECT json_build_object(
    'schema', n.nspname, 'name', s.stxname, 'definition', pg_get_statisticsobjdef(s.oid),
    'target', NULLIF(s.stxstattarget, -1), 'owner', pg_get_userbyid(s.stxowner)::text,
    'comment', obj_description(s.oid, 'pg_statistic_ext'))::text
  FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace WHERE s.oid = $1::oid";

const STATISTICS_OF: &str = "SELECT COALESCE(json_agg(json_build_object('schema', n.nspname, 'name', s.stxname)
    ORDER BY s.oid), '[]'::json)::text
  FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace WHERE s.stxrelid = to_regclass($1)";

static SEQUENCE: LazyLock<&'static str> = LazyLock::new(|| {
    leak(format!(
        "SELECT json_build_object(
           'relation', {relation}, 'type_name', format_type(s.seqtypid, NULL), 'start', s.seqstart,
           'increment', s.seqincrement, 'min', s.seqmin, 'max', s.seqmax, 'cache', s.seqcache, 'cycle', s.seqcycle,
           'last_value', pg_sequence_last_value(c.oid),
           'owned_by', (SELECT json_build_array({owner}, a.attname) FROM pg_depend d
               JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
               WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
               AND d.deptype = 'a' AND d.refobjsubid > 0),
           'identity', EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
               AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'i'))::text
         FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE s.seqrelid = $1::oid",
        relation = relation_json("c", "n"),
        owner = relation_name_json("d.refobjid"),
    ))
});

static VIEW: LazyLock<&'static str> = LazyLock::new(|| {
    leak(format!(
        "SELECT json_build_object(
           'relation', {relation}, 'definition', pg_get_viewdef(c.oid), 'options', COALESCE(c.reloptions, '{{}}'),
           'populated', c.relispopulated,
           'columns', COALESCE((SELECT json_agg(json_build_object('name', a.attname,
               'default', pg_get_expr(d.adbin, d.adrelid), 'comment', col_description(a.attrelid, a.attnum),
               'acl', {column_acl}) ORDER BY a.attnum)
             FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]'::json),
           'indexes', COALESCE((SELECT json_agg({index} ORDER BY ic.oid) FROM pg_index x
             JOIN pg_class ic ON ic.oid = x.indexrelid WHERE x.indrelid = c.oid), '[]'::json),
           'unsupported', ARRAY(
             SELECT 'trigger ' || quote_ident(tgname) FROM pg_trigger WHERE tgrelid = c.oid AND NOT tgisinternal
             UNION ALL SELECT 'rule ' || quote_ident(rulename) FROM pg_rewrite
               WHERE ev_class = c.oid AND rulename <> '_RETURN'
             UNION ALL SELECT 'statistics ' || quote_ident(stxname) FROM pg_statistic_ext WHERE stxrelid = c.oid
             UNION ALL SELECT 'statistics target of column ' || quote_ident(attname) FROM pg_attribute
               WHERE attrelid = c.oid AND attstattarget > 0
             UNION ALL SELECT 'security label' FROM pg_seclabel WHERE objoid = c.oid AND classoid = 'pg_class'::regclass))::text
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1::oid AND c.relkind IN ('v', 'm')",
        relation = relation_json("c", "n"),
        column_acl = acl_json("a.attacl"),
        index = index_json("ic"),
    ))
});

/// A collation's qualified name when it differs from the type's default.
fn collation_sql(collation: &str, of_type: &str) -> String {
    format!(
        "(SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname) FROM pg_collation co
          JOIN pg_namespace cn ON cn.oid = co.collnamespace
          WHERE co.oid = {collation} AND {collation} <> 0
          AND {collation} IS DISTINCT FROM (SELECT typcollation FROM pg_type WHERE oid = {of_type}))"
    )
}

static TYPE: PerGeneration = PerGeneration::new(|| {
    for_each(|generation| {
        format!(
        "SELECT json_build_object(
           'oid', t.oid::bigint, 'schema', n.nspname, 'name', t.typname, 'kind', t.typtype,
           'owner', pg_get_userbyid(t.typowner)::text, 'acl', {acl}, 'default_acl', {default_acl}, 'comment', obj_description(t.oid, 'pg_type'),
           'labels', COALESCE((SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e
                               WHERE e.enumtypid = t.oid), '[]'::json),
           'attributes', COALESCE((SELECT json_agg(json_build_object('name', a.attname,
               'type_name', format_type(a.atttypid, a.atttypmod), 'collation', {attribute_collation},
               'comment', col_description(t.typrelid, a.attnum)) ORDER BY a.attnum)
             FROM pg_attribute a WHERE t.typtype = 'c' AND a.attrelid = t.typrelid AND a.attnum > 0
             AND NOT a.attisdropped), '[]'::json),
           'domain', CASE WHEN t.typtype = 'd' THEN json_build_object(
               'base', format_type(t.typbasetype, t.typtypmod), 'collation', {domain_collation},
               'default', pg_get_expr(t.typdefaultbin, 0), 'not_null', t.typnotnull, {domain_not_null},
               'constraints', COALESCE((SELECT json_agg(json_build_object('name', co.conname,
                   'definition', pg_get_constraintdef(co.oid), 'comment', obj_description(co.oid, 'pg_constraint'))
                   ORDER BY co.conname) FROM pg_constraint co WHERE co.contypid = t.oid AND co.contype <> 'n'), '[]'::json))
             END,
           'range', (SELECT json_build_object('subtype', format_type(r.rngsubtype, NULL),
               'opclass', (SELECT quote_ident(on_.nspname) || '.' || quote_ident(oc.opcname) FROM pg_opclass oc
                           JOIN pg_namespace on_ ON on_.oid = oc.opcnamespace WHERE oc.oid = r.rngsubopc AND NOT oc.opcdefault),
               'collation', {range_collation},
               'canonical', NULLIF(r.rngcanonical, 0)::regproc::text, 'subtype_diff', NULLIF(r.rngsubdiff, 0)::regproc::text,
               'multirange', (SELECT quote_ident(mn.nspname) || '.' || quote_ident(mt.typname) FROM pg_type mt
                              JOIN pg_namespace mn ON mn.oid = mt.typnamespace WHERE mt.oid = r.rngmultitypid))
             FROM pg_range r WHERE r.rngtypid = t.oid),
           'implicit', t.typtype = 'm' OR EXISTS (SELECT 1 FROM pg_type el WHERE el.typarray = t.oid)
             OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) <> 'c'))::text
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = $1::oid",
        acl = acl_json("COALESCE(t.typacl, acldefault('T', t.typowner))"),
        default_acl = acl_json("acldefault('T', t.typowner)"),
        attribute_collation = collation_sql("a.attcollation", "a.atttypid"),
        domain_collation = collation_sql("t.typcollation", "t.typbasetype"),
        range_collation = collation_sql("r.rngcollation", "r.rngsubtype"),
        domain_not_null = generation.domain_not_null("t"),
    )
    })
});

static ROUTINE: LazyLock<&'static str> = LazyLock::new(|| {
    leak(format!(
        "SELECT json_build_object(
           'oid', p.oid::bigint, 'schema', n.nspname, 'name', p.proname, 'kind', p.prokind,
           'identity_arguments', pg_get_function_identity_arguments(p.oid),
           'arguments', pg_get_function_arguments(p.oid),
           'definition', CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END,
           'owner', pg_get_userbyid(p.proowner)::text, 'acl', {acl}, 'default_acl', {default_acl},
           'comment', obj_description(p.oid, 'pg_proc'),
           'extension', (SELECT e.extname FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
               WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.refclassid = 'pg_extension'::regclass
               AND d.deptype = 'e'))::text
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = $1::oid",
        acl = acl_json("COALESCE(p.proacl, acldefault('f', p.proowner))"),
        default_acl = acl_json("acldefault('f', p.proowner)"),
    ))
});

static SCHEMA: LazyLock<&'static str> = LazyLock::new(|| {
    leak(format!(
        "SELECT json_build_object('name', n.nspname, 'owner', pg_get_userbyid(n.nspowner)::text, 'acl', {acl},
           'default_acl', {default_acl}, 'comment', obj_description(n.oid, 'pg_namespace'))::text FROM pg_namespace n WHERE n.nspname = $1",
        acl = acl_json("COALESCE(n.nspacl, acldefault('n', n.nspowner))"),
        default_acl = acl_json("acldefault('n', n.nspowner)"),
    ))
});

const EXTENSION: &str = "SELECT json_build_object('name', e.extname, 'schema', n.nspname, 'version', e.extversion,
    'owner', pg_get_userbyid(e.extowner)::text, 'comment', obj_description(e.oid, 'pg_extension'),
    'has_config', e.extconfig IS NOT NULL,
    'members_privileges_changed', EXISTS (SELECT 1 FROM pg_depend d
        LEFT JOIN pg_init_privs ip ON ip.classoid = d.classid AND ip.objoid = d.objid AND ip.objsubid = 0
        WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid AND d.deptype = 'e'
          AND CASE d.classid
                WHEN 'pg_class'::regclass THEN (SELECT relacl FROM pg_class WHERE oid = d.objid)
                WHEN 'pg_proc'::regclass THEN (SELECT proacl FROM pg_proc WHERE oid = d.objid)
                WHEN 'pg_type'::regclass THEN (SELECT typacl FROM pg_type WHERE oid = d.objid)
                WHEN 'pg_namespace'::regclass THEN (SELECT nspacl FROM pg_namespace WHERE oid = d.objid)
              END IS DISTINCT FROM ip.initprivs),
    'owned_by_current_user', e.extowner = (SELECT oid FROM pg_roles WHERE rolname = current_user))::text
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1";

const OBJECT: &str = "SELECT json_build_object('identity', (pg_identify_object(a.classid, a.objid, a.objsubid)).identity,
    'comment', COALESCE(
      (SELECT description FROM pg_description d WHERE d.classoid = a.classid AND d.objoid = a.objid AND d.objsubid = a.objsubid),
      (SELECT description FROM pg_shdescription d WHERE d.classoid = a.classid AND d.objoid = a.objid)))::text
  FROM pg_get_object_address($1, $2, $3) a";

/// What `DROP ... CASCADE` takes along: objects depending (normally) on the object or on its parts (its
/// indexes, row type, array type, extension members, ...), and what depends on those in turn.
const DEPENDENTS: &str = "WITH RECURSIVE target AS (SELECT classid, objid, objsubid FROM pg_get_object_address($1, $2, $3)),
  parts(classid, objid) AS (
    SELECT classid, objid FROM target
    UNION SELECT d.classid, d.objid FROM pg_depend d JOIN parts p ON d.refclassid = p.classid AND d.refobjid = p.objid
      WHERE d.deptype IN ('a', 'i', 'e')),
  dependents(classid, objid, objsubid) AS (
    SELECT d.classid, d.objid, d.objsubid FROM pg_depend d JOIN parts p ON d.refclassid = p.classid AND d.refobjid = p.objid
      WHERE d.deptype = 'n' AND NOT EXISTS (SELECT 1 FROM parts q WHERE q.classid = d.classid AND q.objid = d.objid)
    UNION SELECT d.classid, d.objid, d.objsubid FROM pg_depend d
      JOIN dependents x ON d.refclassid = x.classid AND d.refobjid = x.objid WHERE d.deptype IN ('n', 'a', 'i'))
  SELECT COALESCE(json_agg(DISTINCT pg_describe_object(classid, objid, objsubid)), '[]'::json)::text FROM dependents";

const EVENT_TRIGGERS: &str = "SELECT COALESCE(json_agg(json_build_object('name', e.evtname, 'event', e.evtevent,
    'enabled', e.evtenabled, 'tags', COALESCE(e.evttags, '{}')) ORDER BY e.evtname), '[]'::json)::text
  FROM pg_event_trigger e WHERE e.evtenabled <> 'D'";

static DEFAULT_PRIVILEGES: LazyLock<&'static str> = LazyLock::new(|| {
    leak(
        "SELECT COALESCE(json_agg(json_build_object('role', pg_get_userbyid(d.defaclrole)::text,
           'schema', COALESCE(n.nspname, ''), 'object_type', d.defaclobjtype,
           'privilege', json_build_object('grantee', CASE WHEN a.grantee = 0 THEN '' ELSE pg_get_userbyid(a.grantee)::text END,
               'grantor', pg_get_userbyid(a.grantor)::text, 'privilege', a.privilege_type, 'grantable', a.is_grantable))
           ORDER BY d.oid, a.grantee, a.privilege_type), '[]'::json)::text
         FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a"
            .to_owned(),
    )
});
