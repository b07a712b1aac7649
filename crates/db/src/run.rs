//! Running a migration's statements: the one loop every operation uses (applying a migration with capture,
//! executing a rollback in a transaction or statement by statement). With a planner, its questions are
//! answered around each statement; the protocol (rounds, their limit) is the planner's.
use pg_rollback_core::{At, ParsedMigration, Planner, TransactionRole};
use tokio_postgres::GenericClient;

use crate::catalog;
use crate::session::Ctx;

/// A statement that failed, by its index.
pub(crate) struct StatementFailed {
    pub index: usize,
    pub error: tokio_postgres::Error,
}

/// What runs: statements as they are, or a migration whose rollback the planner builds while it runs.
pub(crate) enum Statements<'a> {
    Plain(&'a ParsedMigration),
    Captured(&'a mut Planner),
}

impl Statements<'_> {
    fn migration(&self) -> &ParsedMigration {
        match self {
            Statements::Plain(migration) => migration,
            Statements::Captured(planner) => planner.migration(),
        }
    }
}

/// Run every statement in order on `c`, stopping at the first failure. With a planner, the state each
/// statement overwrites is read right before it runs, and what PostgreSQL chose right after.
pub(crate) async fn run<C: GenericClient + Sync>(
    c: &C,
    ctx: &Ctx,
    statements: Statements<'_>,
) -> Result<(), StatementFailed> {
    let all = 0..statements.migration().statements.len();
    run_range(c, ctx, statements, all).await
}

/// [`run`] for the statements in `range` (with a planner: the next ones it has not settled).
pub(crate) async fn run_range<C: GenericClient + Sync>(
    c: &C,
    ctx: &Ctx,
    mut statements: Statements<'_>,
    range: std::ops::Range<usize>,
) -> Result<(), StatementFailed> {
    for index in range {
        // BEGIN/COMMIT inside the script: it runs in one transaction anyway.
        let statement = &statements.migration().statements[index];
        let text = (statement.transaction_role() != TransactionRole::Boundary).then(|| statement.text.clone());
        let Statements::Captured(planner) = &mut statements else {
            if let Some(text) = text {
                c.batch_execute(&text).await.map_err(|error| StatementFailed { index, error })?;
            }
            continue;
        };
        run_captured_as(c, ctx, planner, index, text).await?;
    }
    Ok(())
}

/// Statement `index` of `planner`'s migration with its questions answered around it, `text` running in its
/// place (`None`: nothing runs, e.g. a transaction boundary or a `DROP TABLE` the archive carried out).
pub(crate) async fn run_captured_as<C: GenericClient + Sync>(
    c: &C,
    ctx: &Ctx,
    planner: &mut Planner,
    index: usize,
    text: Option<String>,
) -> Result<(), StatementFailed> {
    ask(c, ctx, planner, At::Before).await;
    // What to ask once it ran is sent right behind it (if the statement fails, so does that).
    let after = planner.questions(At::After);
    let execute = async {
        match &text {
            Some(text) => c.batch_execute(text).await,
            None => Ok(()),
        }
    };
    let (executed, replies) = tokio::join!(execute, catalog::answer(c, ctx, &after));
    executed.map_err(|error| StatementFailed { index, error })?;
    planner.answer(At::After, replies);
    ask(c, ctx, planner, At::After).await;
    planner.settle();
    Ok(())
}

/// Answer the planner's rounds of questions at `at` (the protocol and its round limit are the planner's).
pub(crate) async fn ask<C: GenericClient + Sync>(c: &C, ctx: &Ctx, planner: &mut Planner, at: At) {
    while let Some(questions) = planner.next_round(at) {
        let replies = catalog::answer(c, ctx, &questions).await;
        planner.answer(at, replies);
    }
}
