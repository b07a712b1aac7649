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
//! Queries are fixed text with bind parameters; every JSON document is built by PostgreSQL. This module runs
//! the protocol above; `mapping` says which queries answer each question, `queries` (and `queries/*.sql`)
//! holds their text. `risk` measures data at risk, `snapshot` reads the schema for verify, `version` adapts
//! queries to the server version.
pub(crate) mod archive;
pub(crate) mod archive_data;
pub(crate) mod archive_enum;
pub(crate) mod archive_identity;
pub(crate) mod archive_manage;
pub(crate) mod archive_partitioned;
pub(crate) mod archive_table;
mod cascade;
mod mapping;
pub(crate) mod privileges;
mod queries;
pub(crate) mod risk;
pub(crate) mod snapshot;
pub(crate) mod version;

use futures_util::future::join_all;
use pg_rollback_core::state::*;
use serde::de::DeserializeOwned;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{GenericClient, Statement};

use crate::error::{pg_message, sqlstate};
use crate::session::Ctx;
use mapping::plan;

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
    OptTextArray(Option<Vec<String>>),
}

impl Param {
    fn as_sql(&self) -> (&(dyn ToSql + Sync), Type) {
        match self {
            Param::Text(v) => (v, Type::TEXT),
            Param::OptText(v) => (v, Type::TEXT),
            Param::TextArray(v) => (v, Type::TEXT_ARRAY),
            Param::OptTextArray(v) => (v, Type::TEXT_ARRAY),
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
        Question::SchemaMembers { .. } => Answer::SchemaMembers(list(json)?),
        Question::DefaultAcl { .. } => Answer::DefaultAcl(parse(json)?),
    })
}

/// Answer `questions` about the database as it is now, in a transaction that is rolled back (what the
/// apply path asks while a migration runs; for tests and tools).
pub async fn describe(
    url: &str,
    questions: &[pg_rollback_core::Question],
) -> crate::Result<Vec<(pg_rollback_core::Question, pg_rollback_core::Reply)>> {
    crate::connect::parse_url(url)?;
    crate::session::with_session(url, async |client, ctx| {
        let tx = client.transaction().await.map_err(|e| ctx.err("starting a transaction", &e))?;
        let replies = crate::catalog::answer(&tx, ctx, questions).await;
        tx.rollback().await.map_err(|e| ctx.err("rolling back", &e))?;
        Ok(replies)
    })
    .await
}
