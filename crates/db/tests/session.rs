//! `open_session`: the calls of one run share ONE connection, counted by a TCP proxy in front of the server.
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use pg_rollback_db::ErrorCode;
use pg_rollback_db::{
    apply_migrations, close_session, execute_rollback, get_rollback, later_applied, list_rollbacks, open_session,
    plan_migrations, store_rollback, ApplyInput, ExecuteOptions, PlanInput, Timeouts,
};
use tokio::net::{TcpListener, TcpStream};

/// `url` rewritten to go through a local proxy that counts the connections opened through it.
async fn counting_proxy(url: &str) -> (String, Arc<AtomicUsize>) {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let (user, host_port) = match authority.rsplit_once('@') {
        Some((user, host_port)) => (format!("{user}@"), host_port.to_owned()),
        None => (String::new(), authority.to_owned()),
    };
    let upstream = if host_port.contains(':') { host_port } else { format!("{host_port}:5432") };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let counted = count.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            let upstream = upstream.clone();
            tokio::spawn(async move {
                if let Ok(mut server) = TcpStream::connect(&upstream).await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    });
    (format!("{scheme}://{user}127.0.0.1:{port}{tail}"), count)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_of_an_open_session_uses_one_connection() {
    let db = prepared("session_one");
    db.run(pg_rollback_db::ROLLBACK_PLAN_SQL).unwrap();
    let (url, connections) = counting_proxy(db.url()).await;

    open_session(&url).unwrap();
    let applied = apply_migrations(
        &url,
        &[
            ApplyInput { migration: migration("1.0.0", "CREATE TABLE a (id int);"), drizzle: None },
            ApplyInput { migration: migration("1.1.0", "CREATE INDEX a_id ON a (id);"), drizzle: None },
        ],
    )
    .await
    .unwrap();
    assert!(applied.failure.is_none());
    store_rollback(&url, &migration("0.9.0", "ALTER TABLE wishlist_items ADD COLUMN c text;")).await.unwrap();
    assert_eq!(list_rollbacks(&url).await.unwrap().len(), 3);
    let order = ["1.0.0".to_owned(), "1.1.0".to_owned()];
    assert_eq!(later_applied(&url, "1.0.0", &order).await.unwrap().len(), 1);
    assert_eq!(get_rollback(&url, "1.1.0").await.unwrap().rollback_script.as_deref(), Some("DROP INDEX a_id;\n"));
    execute_rollback(&url, "1.1.0", &ExecuteOptions::default()).await.unwrap();
    // A failing call does not spoil the session for the next one.
    assert_eq!(get_rollback(&url, "9.9.9").await.unwrap_err().code(), ErrorCode::VersionNotFound);
    let planned = plan_migrations(
        &url,
        &[PlanInput { version: "2.0.0".into(), sql: "CREATE TABLE b (id int);".into(), drizzle_created_at: None }],
        Timeouts::default(),
    )
    .await
    .unwrap();
    assert!(planned[0].plan.as_ref().unwrap().rollback_safe);
    close_session(&url).await;
    assert_eq!(connections.load(Ordering::SeqCst), 1, "one connection for the whole session");

    // Without a session every call connects on its own (what the proxy must be able to see).
    get_rollback(&url, "1.0.0").await.unwrap();
    list_rollbacks(&url).await.unwrap();
    assert_eq!(connections.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_session_connection_is_made_again_and_sessions_nest() {
    let db = prepared("session_lost");
    let (url, connections) = counting_proxy(db.url()).await;
    open_session(&url).unwrap();
    open_session(&url).unwrap();
    store_rollback(&url, &migration("1.0.0", "CREATE TABLE a (id int);")).await.unwrap();
    db.run(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = {} AND pid <> pg_backend_pid();",
        lit(db.name())
    ))
    .unwrap();
    // The call that meets the terminated connection may fail (as it would without a session); the next one
    // connects again (the failed call found the connection broken).
    let mut result = get_rollback(&url, "1.0.0").await;
    if result.is_err() {
        result = get_rollback(&url, "1.0.0").await;
    }
    assert_eq!(result.unwrap().version, "1.0.0");
    assert_eq!(connections.load(Ordering::SeqCst), 2);
    // The inner close keeps the connection for the outer session.
    close_session(&url).await;
    list_rollbacks(&url).await.unwrap();
    assert_eq!(connections.load(Ordering::SeqCst), 2);
    close_session(&url).await;
    list_rollbacks(&url).await.unwrap();
    assert_eq!(connections.load(Ordering::SeqCst), 3);
}

#[test]
fn open_session_checks_the_url() {
    assert_eq!(open_session("mysql://x").unwrap_err().code(), ErrorCode::InvalidArgument);
}
