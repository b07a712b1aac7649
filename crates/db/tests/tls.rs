//! TLS (rustls) against this test process's own PostgreSQL, switched to `ssl = on` with a
//! throwaway CA and a server certificate for `localhost` made by openssl.
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::*;
use pg_rollback_db::ErrorCode;
use pg_rollback_db::{execute_rollback, get_rollback, store_rollback, ExecuteOptions, MigrationInput};

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn make_ca(dir: &Path, name: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
            "-days",
            "2",
            "-subj",
            &format!("/CN=pg-rollback test {name}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
}

/// CA `ca`, a server certificate it signed for DNS name `localhost` only, and an unrelated CA `other`.
fn make_certs() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pg-rollback-tls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    make_ca(&dir, "ca");
    make_ca(&dir, "other");
    openssl(
        &dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        &dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
    );
    // PostgreSQL wants its key private to the user it runs as (`postgres` when tests run as root).
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.join("server.key"), std::fs::Permissions::from_mode(0o600)).unwrap();
    let is_root = Command::new("id").arg("-u").output().map(|o| o.stdout == b"0\n").unwrap_or(false);
    if is_root {
        for f in ["server.key", "server.crt"] {
            let st = Command::new("chown").args(["postgres:postgres"]).arg(dir.join(f)).status().unwrap();
            assert!(st.success(), "chown {f}");
        }
    }
    dir
}

fn url_with(db: &testpg::Database, host: &str, params: &str) -> String {
    format!("{}?{params}", db.url().replace("@127.0.0.1:", &format!("@{host}:")))
}

#[tokio::test]
async fn sslmodes_against_a_server_with_a_test_ca() {
    if std::env::var("DATABASE_URL").is_ok_and(|u| !u.trim().is_empty()) {
        eprintln!("skipped: needs its own throwaway server to switch ssl on (DATABASE_URL is set)");
        return;
    }
    let db = prepared("db_tls");
    db.run("ALTER TABLE wishlist_items ADD COLUMN tls_col TEXT;").unwrap();
    insert_row(&db, "1.0.0", Some("ALTER TABLE wishlist_items DROP COLUMN tls_col;\n"), true);

    // Before ssl is on, require must fail rather than fall back to plaintext.
    let e = get_rollback(&url_with(&db, "127.0.0.1", "sslmode=require"), "1.0.0").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConnectionFailed, "{e}");
    assert!(e.to_string().contains("TLS"), "{e}");

    let certs = make_certs();
    let file = |f: &str| certs.join(f).display().to_string();
    db.run(&format!(
        "ALTER SYSTEM SET ssl_cert_file = {};\nALTER SYSTEM SET ssl_key_file = {};\nALTER SYSTEM SET ssl = on;\nSELECT pg_reload_conf();",
        lit(&file("server.crt")),
        lit(&file("server.key"))
    ))
    .unwrap();
    // The reload is asynchronous; new sessions see it once the postmaster has processed it.
    let mut on = false;
    for _ in 0..200 {
        if one(&db, "SHOW ssl;") == "on" {
            on = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(on, "the server did not enable ssl (see its log)");

    let ca = format!("sslrootcert={}", file("ca.pem"));
    let other = format!("sslrootcert={}", file("other.pem"));
    let works = [
        url_with(&db, "127.0.0.1", "sslmode=require"),
        url_with(&db, "127.0.0.1", "sslmode=prefer"),
        url_with(&db, "localhost", &format!("sslmode=verify-full&{ca}")),
        url_with(&db, "127.0.0.1", &format!("sslmode=verify-ca&{ca}")),
        url_with(&db, "127.0.0.1", &format!("sslmode=require&{ca}")),
        url_with(&db, "127.0.0.1", "sslmode=disable"),
    ];
    for url in &works {
        let row = get_rollback(url, "1.0.0").await.unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(row.version, "1.0.0");
    }
    let refused = [
        // The certificate names localhost, not 127.0.0.1.
        (url_with(&db, "127.0.0.1", &format!("sslmode=verify-full&{ca}")), "not valid for name"),
        (url_with(&db, "localhost", &format!("sslmode=verify-full&{other}")), "UnknownIssuer"),
        (url_with(&db, "localhost", &format!("sslmode=verify-ca&{other}")), "UnknownIssuer"),
        // libpq's rule: require with a root certificate checks the chain.
        (url_with(&db, "localhost", &format!("sslmode=require&{other}")), "UnknownIssuer"),
    ];
    for (url, why) in &refused {
        let e = get_rollback(url, "1.0.0").await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConnectionFailed, "{url}: {e}");
        assert!(e.to_string().contains(why), "{url}: {why:?} not in {e}");
    }

    // A whole store/execute over verified TLS.
    let full = url_with(&db, "localhost", &format!("sslmode=verify-full&{ca}"));
    execute_rollback(&full, "1.0.0", &ExecuteOptions::default()).await.unwrap();
    assert!(!column_exists(&db, "wishlist_items", "tls_col"));
    let stored = store_rollback(
        &full,
        &MigrationInput {
            version: "1.1.0".into(),
            migration_file: "1.1.0.sql".into(),
            sql: "CREATE INDEX tls_idx ON wishlist_items (user_id);".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(stored.rollback_script.unwrap().contains("tls_idx"));
    let _ = std::fs::remove_dir_all(&certs);
}
