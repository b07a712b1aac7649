//! Database URLs, TLS (rustls) and connecting with a deadline.
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use percent_encoding::percent_decode_str;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres::config::{Host, SslMode as PgSslMode};
use tokio_postgres::{Client, Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::{error_chain, pg_message, sqlstate, Error, Result};

/// URL parameter (`=true`) that marks the embedded server (pglite-socket): it takes one client at a
/// time and drops the others, so only there a dropped connection is retried. Removed before the
/// URL reaches tokio-postgres.
pub const EMBEDDED_URL_PARAMETER: &str = "pg_rollback_embedded";

/// Used when the URL has no (or a zero) `connect_timeout`.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// libpq's `sslmode` values that make sense without client certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// Where the trusted CA certificates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RootCerts {
    /// `sslrootcert=<path>`: PEM file.
    File(PathBuf),
    /// `sslrootcert=system` or no `sslrootcert`: the operating system's store.
    System,
}

/// A parsed database URL: what to connect to and how.
#[derive(Clone)]
pub struct Target {
    config: Config,
    ssl_mode: SslMode,
    root_certs: Option<RootCerts>,
    /// Overall limit for one connection attempt, including TLS and authentication.
    connect_timeout: Duration,
    /// [`EMBEDDED_URL_PARAMETER`]: retry while the server drops connections or says it is busy.
    embedded: bool,
    /// `host:port[, host:port]` for messages; never the user or password.
    pub(crate) describe: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Config's Debug redacts the password, but there is no need to print it at all.
        f.debug_struct("Target")
            .field("describe", &self.describe)
            .field("ssl_mode", &self.ssl_mode)
            .field("root_certs", &self.root_certs)
            .field("connect_timeout", &self.connect_timeout)
            .field("embedded", &self.embedded)
            .finish()
    }
}

impl Target {
    pub fn ssl_mode(&self) -> SslMode {
        self.ssl_mode
    }

    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Whether the URL carries [`EMBEDDED_URL_PARAMETER`]`=true`.
    pub fn embedded(&self) -> bool {
        self.embedded
    }
}

/// Parse a `postgres://` / `postgresql://` URL. `sslmode`, `sslrootcert`, `connect_timeout` and
/// [`EMBEDDED_URL_PARAMETER`] are handled here; the other parameters go to tokio-postgres, which rejects the ones it does not know.
pub fn parse_url(url: &str) -> Result<Target> {
    let invalid = |m: String| Error::InvalidArgument(m);
    let scheme_len = ["postgres://", "postgresql://"]
        .iter()
        .find(|p| url.starts_with(*p))
        .map(|p| p.len())
        .ok_or_else(|| invalid("database URL must start with postgres:// or postgresql://".into()))?;
    if url.contains('\0') {
        return Err(invalid("database URL contains a NUL byte".into()));
    }
    // Same rule as tokio-postgres: credentials end at the first '@', the query starts at the next '?'.
    let rest = &url[scheme_len..];
    let creds_end = rest.find('@').map_or(0, |i| i + 1);
    let (base, query) = match rest[creds_end..].find('?') {
        Some(i) => (&url[..scheme_len + creds_end + i], Some(&rest[creds_end + i + 1..])),
        None => (url, None),
    };

    let mut ssl_mode = SslMode::Prefer;
    let mut root_certs = None;
    let mut embedded = false;
    let mut kept = Vec::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').ok_or_else(|| {
            invalid(format!("database URL parameter {:?} has no value", decode(pair).unwrap_or_default()))
        })?;
        let key = decode(key)?;
        match key.as_str() {
            "sslmode" => ssl_mode = parse_ssl_mode(&decode(value)?)?,
            "sslrootcert" => {
                let value = decode(value)?;
                root_certs = Some(if value == "system" { RootCerts::System } else { RootCerts::File(value.into()) });
            }
            EMBEDDED_URL_PARAMETER => {
                embedded = match decode(value)?.as_str() {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    other => {
                        return Err(invalid(format!(
                            "database URL parameter {EMBEDDED_URL_PARAMETER} must be true or false, got {other:?}"
                        )))
                    }
                }
            }
            _ => kept.push(pair),
        }
    }
    let rebuilt = if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) };
    let mut config =
        Config::from_str(&rebuilt).map_err(|e| invalid(format!("invalid database URL: {}", error_chain(&e))))?;
    if config.get_hosts().is_empty() {
        return Err(invalid("database URL names no host (expected postgres://user@host:port/database)".into()));
    }
    config.ssl_mode(match ssl_mode {
        SslMode::Disable => PgSslMode::Disable,
        SslMode::Prefer => PgSslMode::Prefer,
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => PgSslMode::Require,
    });
    let connect_timeout = config.get_connect_timeout().copied().unwrap_or(DEFAULT_CONNECT_TIMEOUT);
    config.connect_timeout(connect_timeout);
    let describe = describe_hosts(&config);
    Ok(Target { config, ssl_mode, root_certs, connect_timeout, embedded, describe })
}

fn decode(s: &str) -> Result<String> {
    percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| Error::InvalidArgument("database URL has a parameter that is not valid UTF-8".into()))
}

fn parse_ssl_mode(v: &str) -> Result<SslMode> {
    Ok(match v {
        "disable" => SslMode::Disable,
        "prefer" => SslMode::Prefer,
        "require" => SslMode::Require,
        "verify-ca" => SslMode::VerifyCa,
        "verify-full" => SslMode::VerifyFull,
        other => {
            return Err(Error::InvalidArgument(format!(
                "unsupported sslmode {other:?}: use disable, prefer, require, verify-ca or verify-full"
            )))
        }
    })
}

fn describe_hosts(config: &Config) -> String {
    let ports = config.get_ports();
    config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            match host {
                Host::Tcp(h) if h.contains(':') => format!("[{h}]:{port}"),
                Host::Tcp(h) => format!("{h}:{port}"),
                Host::Unix(dir) => format!("{}/.s.PGSQL.{port}", dir.display()),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// An open connection; the connection task ends when this is dropped.
pub(crate) struct Session {
    pub client: Client,
    task: tokio::task::JoinHandle<()>,
}

impl Session {
    /// Close the connection and wait until the socket is gone, so a single-connection server
    /// (the embedded one) can take the next client at once.
    pub async fn close(self) {
        let Session { client, task, .. } = self;
        drop(client);
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    }
}

/// Connect within the target's deadline and prepare the session.
///
/// Only for the embedded server (pglite-socket, which takes one client at a time and closes extra
/// ones) it retries while the server says it is busy or drops the connection during startup; any
/// other server gets one attempt, so a failure is reported at once.
pub(crate) async fn connect(target: &Target) -> Result<Session> {
    let tls = tls_config(target)?;
    let hosts = target.config.get_hosts().len().max(1) as u32;
    let deadline = Instant::now() + target.connect_timeout * hosts;
    let mut pause = Duration::from_millis(20);
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let failure = match tokio::time::timeout(remaining, connect_once(target, tls.clone())).await {
            Ok(Ok(session)) => return Ok(session),
            Ok(Err(e)) => e,
            Err(_) => {
                return Err(Error::ConnectionFailed(format!(
                    "could not connect to PostgreSQL at {}: timed out after {} ms",
                    target.describe,
                    (target.connect_timeout * hosts).as_millis()
                )))
            }
        };
        let reason = match failure.as_db_error() {
            Some(_) => pg_message(&failure),
            None => error_chain(&failure),
        };
        if !target.embedded || !retryable(&failure) || Instant::now() + pause >= deadline {
            return Err(Error::ConnectionFailed(format!(
                "could not connect to PostgreSQL at {}: {reason}",
                target.describe
            )));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(250));
    }
}

fn retryable(e: &tokio_postgres::Error) -> bool {
    if let Some(code) = sqlstate(e) {
        // too_many_connections, cannot_connect_now (starting up)
        return code == "53300" || code == "57P03";
    }
    if e.is_closed() {
        return true;
    }
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::UnexpectedEof
                    | std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
            );
        }
        source = cause.source();
    }
    false
}

/// The settings pg-rollback gives every session (put back after each migration: [`crate::session::reset`]).
pub(crate) const OWN_SETTINGS: &str = "SET TIME ZONE 'UTC'";

async fn connect_once(target: &Target, tls: Option<Arc<ClientConfig>>) -> Result<Session, tokio_postgres::Error> {
    let (client, task) = match tls {
        None => {
            let (client, conn) = target.config.connect(NoTls).await?;
            (client, tokio::spawn(async move { drop(conn.await) }))
        }
        Some(tls) => {
            let (client, conn) = target.config.connect(MakeRustlsConnect::new((*tls).clone())).await?;
            (client, tokio::spawn(async move { drop(conn.await) }))
        }
    };
    // Sessions of the embedded server are shared between connections: drop prepared statements
    // another client left behind. Timestamps are read and written in UTC.
    client.batch_execute(&format!("DEALLOCATE ALL; {OWN_SETTINGS}")).await?;
    Ok(Session { client, task })
}

fn tls_config(target: &Target) -> Result<Option<Arc<ClientConfig>>> {
    if target.ssl_mode == SslMode::Disable {
        return Ok(None);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Internal(format!("TLS setup: {e}")))?;
    // Like libpq: prefer/require only encrypt, unless require is given a root certificate.
    let verify = match (target.ssl_mode, &target.root_certs) {
        (SslMode::Prefer, _) | (SslMode::Require, None) => None,
        (SslMode::Require, Some(_)) | (SslMode::VerifyCa, _) => Some(false),
        _ => Some(true),
    };
    let mut config = match verify {
        None => {
            builder.dangerous().with_custom_certificate_verifier(Arc::new(EncryptOnly(provider))).with_no_client_auth()
        }
        Some(check_host) => {
            let roots = Arc::new(load_roots(target.root_certs.as_ref().unwrap_or(&RootCerts::System))?);
            let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider)
                .build()
                .map_err(|e| Error::InvalidArgument(format!("sslrootcert: {e}")))?;
            if check_host {
                builder.with_webpki_verifier(webpki).with_no_client_auth()
            } else {
                builder.dangerous().with_custom_certificate_verifier(Arc::new(ChainOnly(webpki))).with_no_client_auth()
            }
        }
    };
    // PostgreSQL 17+ requires this ALPN for direct TLS; older servers ignore it.
    config.alpn_protocols = vec![b"postgresql".to_vec()];
    Ok(Some(Arc::new(config)))
}

fn load_roots(source: &RootCerts) -> Result<RootCertStore> {
    let mut store = RootCertStore::empty();
    match source {
        RootCerts::File(path) => {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| Error::InvalidArgument(format!("cannot read sslrootcert {}: {e}", path.display())))?;
            let (added, _) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(Error::InvalidArgument(format!(
                    "sslrootcert {} holds no usable PEM certificate",
                    path.display()
                )));
            }
        }
        RootCerts::System => {
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
            if store.is_empty() {
                return Err(Error::InvalidArgument(
                    "no system CA certificates found to verify the server; set sslrootcert=<file>".into(),
                ));
            }
        }
    }
    Ok(store)
}

/// `sslmode=prefer/require`: encrypt, check the handshake signature, trust any certificate.
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `sslmode=verify-ca`: the chain must lead to a trusted root; the host name is not checked.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // webpki checks the chain first and the name last, so a name error means the chain was fine.
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn both_schemes_and_ssl_parameters_are_understood() {
        let t = parse_url("postgresql://u:secret@db.example:6543/app?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem&application_name=x")
            .unwrap();
        assert_eq!(t.ssl_mode(), SslMode::VerifyFull);
        assert_eq!(t.root_certs, Some(RootCerts::File("/tmp/ca.pem".into())));
        assert_eq!(t.describe, "db.example:6543");
        assert_eq!(t.connect_timeout(), DEFAULT_CONNECT_TIMEOUT);

        let t = parse_url("postgres://h?connect_timeout=3&sslrootcert=system").unwrap();
        assert_eq!(t.ssl_mode(), SslMode::Prefer);
        assert_eq!(t.root_certs, Some(RootCerts::System));
        assert_eq!(t.connect_timeout(), Duration::from_secs(3));
        assert_eq!(t.describe, "h:5432");
    }

    #[test]
    fn a_question_mark_in_the_password_does_not_start_the_query() {
        let t = parse_url("postgres://u:pa?ss@h:1/db?sslmode=disable").unwrap();
        assert_eq!(t.ssl_mode(), SslMode::Disable);
        assert_eq!(t.config.get_password(), Some(&b"pa?ss"[..]));
        assert_eq!(t.describe, "h:1");
    }

    #[test]
    fn bad_urls_are_invalid_arguments_and_never_echo_the_password() {
        for url in [
            "mysql://u:hunter2@h/db",
            "postgres://u:hunter2@h/db?sslmode=allow",
            "postgres://u:hunter2@h/db?sslmode=bogus",
            "postgres://u:hunter2@h:notaport/db",
            "postgres://u:hunter2@h/db?sslcert=x",
            "postgres://u:hunter2@h/db?novalue",
            "postgres://u:hunter2@/db",
            "",
        ] {
            let e = parse_url(url).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidArgument, "{url}: {e}");
            assert!(!e.to_string().contains("hunter2"), "{url}: {e}");
        }
    }

    #[test]
    fn the_embedded_parameter_is_understood_and_removed() {
        // tokio-postgres rejects unknown parameters: parsing succeeds only if it was removed.
        let t =
            parse_url("postgres://postgres@127.0.0.1:5/postgres?sslmode=disable&pg_rollback_embedded=true").unwrap();
        assert!(t.embedded());
        assert_eq!(t.ssl_mode(), SslMode::Disable);
        assert!(!parse_url("postgres://h/db").unwrap().embedded());
        assert!(!parse_url("postgres://h/db?pg_rollback_embedded=0").unwrap().embedded());
        let e = parse_url("postgres://h/db?pg_rollback_embedded=yes").unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert!(e.to_string().contains("pg_rollback_embedded"), "{e}");
    }

    #[test]
    fn ipv6_and_multiple_hosts_are_described() {
        let t = parse_url("postgres://[::1]:5433,other:5434/db").unwrap();
        assert_eq!(t.describe, "[::1]:5433, other:5434");
    }

    #[test]
    fn missing_root_certificate_file_is_reported() {
        let t = parse_url("postgres://h/db?sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem").unwrap();
        let e = tls_config(&t).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert!(e.to_string().contains("/nonexistent/ca.pem"), "{e}");
    }
}
