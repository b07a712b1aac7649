//! Test-only helper: a real PostgreSQL server for the tests of this workspace.
//!
//! [`server()`] uses `DATABASE_URL` when set; otherwise it starts a throwaway cluster once per test
//! process. Rust statics never drop, so the cluster is owned by a small `sh` wrapper that waits for
//! its stdin pipe to close (that happens when the test process exits, however it exits) and then
//! fast-shuts-down postgres and deletes the cluster directory.
//!
//! Databases are driven with the real client tools (`psql`, `pg_dump`) so what the tests run is what
//! a developer would run by hand.
//!
//! `PG_ROLLBACK_TEST_PG=<major>` (14, 16, 17, 18) starts the cluster from the server binaries that
//! `scripts/pg-versions.sh` installs instead of the system's PostgreSQL 15; the clients stay the
//! system's (psql 15 talks to every version; pg_dump 15 refuses newer servers, so tests use
//! [`Server::has_pg_dump`] to pick their oracle).
use std::ffi::CString;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Waiting longer than this for a fresh cluster means something is broken, not slow.
const STARTUP_LIMIT: Duration = Duration::from_secs(180);

/// A PostgreSQL server the tests may create databases on.
pub struct Server {
    admin_url: String,
    clients: Clients,
    /// True for `DATABASE_URL`: a shared server, so databases are dropped after use.
    external: bool,
    /// Write end of the wrapper's stdin; closing it (at process exit) stops and deletes the cluster.
    _lifeline: Option<Mutex<ChildStdin>>,
    /// `server_version_num`, read once at start.
    version_num: u32,
}

#[derive(Clone, Debug)]
struct Clients {
    psql: PathBuf,
    pg_dump: PathBuf,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();

/// The server shared by every test in this process; panics with the reason if none can be had.
pub fn server() -> &'static Server {
    match try_server() {
        Ok(server) => server,
        Err(message) => panic!("testpg: no PostgreSQL server: {message}"),
    }
}

/// Like [`server()`], but returns why no server is available instead of panicking.
pub fn try_server() -> Result<&'static Server, String> {
    SERVER.get_or_init(connect_or_start).as_ref().map_err(Clone::clone)
}

fn connect_or_start() -> Result<Server, String> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => {
            let clients = Clients::find(None);
            let version_num =
                read_version_num(&clients, &url).map_err(|e| format!("cannot connect to DATABASE_URL: {e}"))?;
            Ok(Server { admin_url: url, clients, external: true, _lifeline: None, version_num })
        }
        _ => start_cluster(),
    }
}

fn read_version_num(clients: &Clients, url: &str) -> Result<u32, String> {
    let out = psql(clients, url, "SHOW server_version_num;", &["-A", "-t"])?;
    out.trim().parse().map_err(|_| format!("unexpected server_version_num {out:?}"))
}

/// The major version `PG_ROLLBACK_TEST_PG` asks for, if any (15 is the system's, as when unset).
pub fn requested_major() -> Option<u32> {
    std::env::var("PG_ROLLBACK_TEST_PG").ok().and_then(|v| v.trim().parse().ok())
}

/// Where `scripts/pg-versions.sh` installs the server binaries of other majors (same rule as there).
pub fn versions_cache() -> PathBuf {
    if let Some(dir) = std::env::var_os("PG_ROLLBACK_PG_CACHE").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if is_root() {
        return PathBuf::from("/var/cache/pg-rollback/postgres");
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache"));
    base.join("pg-rollback/postgres")
}

impl Server {
    /// URL of the server's maintenance database (`postgres`, or whatever `DATABASE_URL` names).
    pub fn url(&self) -> &str {
        &self.admin_url
    }

    /// `server_version_num`, e.g. 180004.
    pub fn version_num(&self) -> u32 {
        self.version_num
    }

    /// The major version, e.g. 18.
    pub fn major(&self) -> u32 {
        self.version_num / 10000
    }

    /// Whether `pg_dump` is the server's own major, so its output is an oracle (pg_dump refuses newer
    /// servers and prints older ones in its own dialect).
    pub fn has_pg_dump(&self) -> bool {
        pg_dump_major(&self.clients) == Some(self.major())
    }

    /// Create an empty database with a unique name starting with `prefix`; panics if that fails.
    pub fn fresh_database(&self, prefix: &str) -> Database {
        let name = unique_name(prefix);
        let create =
            format!("CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C';");
        if let Err(e) = psql(&self.clients, &self.admin_url, &create, &[]) {
            panic!("testpg: cannot create database {name}: {e}");
        }
        Database {
            url: with_database(&self.admin_url, &name),
            name,
            clients: self.clients.clone(),
            admin_url: self.admin_url.clone(),
            drop_on_drop: self.external,
            server_major: self.major(),
        }
    }
}

/// One database on the test server.
pub struct Database {
    name: String,
    url: String,
    clients: Clients,
    admin_url: String,
    drop_on_drop: bool,
    server_major: u32,
}

impl Database {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Run `sql` with psql in autocommit mode (each statement commits on its own); stops at the
    /// first error and returns psql's stderr.
    pub fn run(&self, sql: &str) -> Result<(), String> {
        psql(&self.clients, &self.url, sql, &[]).map(drop)
    }

    /// Run `sql` with psql as one transaction: on error nothing of it is committed.
    pub fn run_in_transaction(&self, sql: &str) -> Result<(), String> {
        psql(&self.clients, &self.url, sql, &["--single-transaction"]).map(drop)
    }

    /// Run `sql` and return its unaligned, tuples-only output (`psql -A -t`).
    pub fn query(&self, sql: &str) -> Result<String, String> {
        psql(&self.clients, &self.url, sql, &["-A", "-t"])
    }

    /// `pg_dump --schema-only` of this database, without the lines that differ between runs.
    ///
    /// Owners, privileges and comments are kept: a rollback that leaves any of them changed has
    /// not restored the schema.
    pub fn schema_dump(&self) -> Result<String, String> {
        if pg_dump_major(&self.clients) != Some(self.server_major) {
            return self.catalog_dump();
        }
        let out = Command::new(&self.clients.pg_dump)
            // pg-rollback's archive of destroyed data is bookkeeping, not the schema under test.
            .args([
                "--schema-only",
                "--no-password",
                "--exclude-schema=pgrollback_archive",
                "--exclude-schema=pgrollback_archive/*",
                "-d",
            ])
            .arg(&self.url)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.clients.pg_dump.display()))?;
        if !out.status.success() {
            return Err(format!("pg_dump failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr)));
        }
        Ok(normalize_dump(&String::from_utf8_lossy(&out.stdout)))
    }
}

impl Database {
    /// Where `pg_dump` is of another version than the server (it refuses newer ones): the catalog snapshot that
    /// `verify` compares (`crates/db/src/catalog/snapshot.sql`), one object per line, sorted. Equal schemas give
    /// equal texts; it is not SQL.
    fn catalog_dump(&self) -> Result<String, String> {
        const SNAPSHOT_SQL: &str = include_str!("../../db/src/catalog/snapshot.sql");
        let snapshot = snapshot_for(SNAPSHOT_SQL, self.server_major * 10000);
        let sql = format!(
            "SET search_path = '';\nSELECT string_agg(o::text, E'\\n' ORDER BY o::text) FROM jsonb_array_elements(({})::jsonb) o;",
            snapshot.trim_end().trim_end_matches(';')
        );
        let out = psql(&self.clients, &self.url, &sql, &["-A", "-t"])?;
        Ok(format!("{}\n", out.trim_end()))
    }
}

/// The snapshot query for a server of `version_num`: the same rule as `pg_rollback_db`'s `snapshot_sql` (this
/// crate cannot depend on it): lines between `--@if N` and `--@end` only from version N on, `--@else` for older.
fn snapshot_for(sql: &str, version_num: u32) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut sections: Vec<(bool, bool)> = Vec::new();
    for line in sql.lines() {
        let marker = line.trim_start();
        if let Some(version) = marker.strip_prefix("--@if ") {
            sections.push((version_num >= version.trim().parse().unwrap_or(u32::MAX), false));
        } else if marker == "--@else" {
            if let Some(section) = sections.last_mut() {
                section.1 = true;
            }
        } else if marker == "--@end" {
            sections.pop();
        } else if sections.iter().all(|&(applies, in_else)| applies != in_else) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

impl Drop for Database {
    fn drop(&mut self) {
        // A throwaway cluster is deleted whole at exit; only a shared server needs tidying.
        if self.drop_on_drop {
            let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE);", self.name);
            let _ = psql(&self.clients, &self.admin_url, &sql, &[]);
        }
    }
}

/// Drop the lines of a plain-format dump that change from run to run (versions, the random
/// `\restrict` key that pg_dump 15.14+ writes).
pub fn normalize_dump(dump: &str) -> String {
    let mut out = String::with_capacity(dump.len());
    // GRANTs keep their order: it is the ACL's, which pg_dump restores as printed (a reordered ACL is a change).
    for line in dump.lines() {
        let volatile = line.starts_with("\\restrict ")
            || line.starts_with("\\unrestrict ")
            || line.starts_with("-- Dumped from database version")
            || line.starts_with("-- Dumped by pg_dump version");
        if volatile {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// A unified diff of two texts (empty when equal), for failure messages.
pub fn unified_diff(old: &str, new: &str, old_label: &str, new_label: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new).unified_diff().context_radius(3).header(old_label, new_label).to_string()
}

fn psql(clients: &Clients, url: &str, sql: &str, extra: &[&str]) -> Result<String, String> {
    let mut child = Command::new(&clients.psql)
        .args(["-X", "-q", "--no-password", "-v", "ON_ERROR_STOP=1"])
        .args(extra)
        .arg("-d")
        .arg(url)
        // NOTICEs ("does not exist, skipping") are noise in test output.
        .env("PGOPTIONS", "-c client_min_messages=warning")
        .env("PGCONNECT_TIMEOUT", "30")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", clients.psql.display()))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    // Feed stdin from another thread: psql may fill its stdout/stderr pipes before reading it all.
    let out = thread::scope(|s| {
        s.spawn(move || {
            // A write error means psql stopped early; its exit status and stderr say why.
            let _ = stdin.write_all(sql.as_bytes());
        });
        child.wait_with_output()
    })
    .map_err(|e| format!("psql: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!("psql failed ({}):\n{}", out.status, String::from_utf8_lossy(&out.stderr).trim_end()))
    }
}

/// `[a-z0-9_]` database name: the prefix, then this process and a counter, so parallel test
/// processes (even on different machines sharing one `DATABASE_URL`) never collide.
fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let mut clean: String =
        prefix.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).take(30).collect();
    if clean.is_empty() || clean.starts_with(|c: char| c.is_ascii_digit()) {
        clean.insert_str(0, "db_");
    }
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{clean}_{}_{:x}_{n}", std::process::id(), nanos)
}

/// Replace the database (path) part of a `postgres://` URL, keeping user, host and query.
fn with_database(url: &str, database: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        panic!("testpg: DATABASE_URL must be a postgres:// URL, got {url:?}");
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let after_authority = &rest[authority_end..];
    let query = after_authority.find('?').map(|i| &after_authority[i..]).unwrap_or("");
    format!("{}{}/{database}{query}", &url[..scheme_end], &rest[..authority_end])
}

impl Clients {
    fn find(bindir: Option<&Path>) -> Clients {
        let bindir = bindir.map(Path::to_path_buf).or_else(|| find_bindir("psql").ok());
        let pick = |name: &str| match &bindir {
            Some(dir) if dir.join(name).is_file() => dir.join(name),
            _ => PathBuf::from(name),
        };
        Clients { psql: pick("psql"), pg_dump: pick("pg_dump") }
    }
}

/// PostgreSQL 15 if installed, else the newest `/usr/lib/postgresql/<N>/bin`, else `pg_config --bindir`.
fn find_bindir(needs: &str) -> Result<PathBuf, String> {
    let preferred = Path::new("/usr/lib/postgresql/15/bin");
    if preferred.join(needs).is_file() {
        return Ok(preferred.to_path_buf());
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join(needs).is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    let out = Command::new("pg_config").arg("--bindir").output();
    if let Ok(out) = out {
        let bin = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && bin.join(needs).is_file() {
            return Ok(bin);
        }
    }
    Err(format!(
        "no PostgreSQL `{needs}` found (looked in /usr/lib/postgresql/*/bin and `pg_config --bindir`); \
         install PostgreSQL 15 (scripts/setup.sh does) or set DATABASE_URL"
    ))
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn postgres_user_ids() -> Result<(u32, u32), String> {
    let name = CString::new("postgres").expect("no NUL");
    // SAFETY: called once, inside OnceLock initialisation; the record is copied out immediately.
    unsafe {
        let pw = libc::getpwnam(name.as_ptr());
        if pw.is_null() {
            return Err("running as root but there is no `postgres` user to run the server as".into());
        }
        Ok(((*pw).pw_uid, (*pw).pw_gid))
    }
}

/// A command for a server binary: PostgreSQL refuses to run as root, so root runs it as `postgres`.
fn server_command(as_root: bool, program: &Path) -> Command {
    if as_root {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

fn pg_dump_major(clients: &Clients) -> Option<u32> {
    static MAJOR: OnceLock<Option<u32>> = OnceLock::new();
    *MAJOR.get_or_init(|| {
        let out = Command::new(&clients.pg_dump).arg("--version").stdin(Stdio::null()).output().ok()?;
        // "pg_dump (PostgreSQL) 15.14 (Debian ...)"
        let text = String::from_utf8_lossy(&out.stdout);
        let version = text.split_whitespace().nth(2)?;
        version.split('.').next()?.parse().ok()
    })
}

/// The server binaries to start: the requested major's from the versions cache, else the system's.
fn server_bindir() -> Result<PathBuf, String> {
    match requested_major() {
        Some(major) if major != 15 || !Path::new("/usr/lib/postgresql/15/bin/postgres").is_file() => {
            let system = PathBuf::from(format!("/usr/lib/postgresql/{major}/bin"));
            if system.join("postgres").is_file() {
                return Ok(system);
            }
            let cached = versions_cache().join(major.to_string()).join("native/bin");
            if cached.join("postgres").is_file() {
                return Ok(cached);
            }
            Err(format!(
                "PG_ROLLBACK_TEST_PG={major}: no server binaries in {} (run scripts/pg-versions.sh)",
                cached.display()
            ))
        }
        _ => find_bindir("postgres"),
    }
}

fn start_cluster() -> Result<Server, String> {
    let bindir = server_bindir()?;
    let mut last_error = String::new();
    // A port picked as free can be taken before postgres binds it; only that is worth retrying.
    for _ in 0..3 {
        match start_cluster_once(&bindir) {
            Ok(server) => return Ok(server),
            Err(StartError::PortTaken(log)) => last_error = log,
            Err(StartError::Failed(message)) => return Err(message),
        }
    }
    Err(format!("postgres could not bind a port three times:\n{last_error}"))
}

enum StartError {
    PortTaken(String),
    Failed(String),
}

impl From<String> for StartError {
    fn from(message: String) -> Self {
        StartError::Failed(message)
    }
}

/// Keeps the half-built cluster directory until startup has succeeded or the wrapper owns it.
struct DirGuard(Option<PathBuf>);

impl Drop for DirGuard {
    fn drop(&mut self) {
        if let Some(dir) = self.0.take() {
            let _ = fs::remove_dir_all(dir);
        }
    }
}

fn start_cluster_once(bindir: &Path) -> Result<Server, StartError> {
    let as_root = is_root();
    // Root's TMPDIR may not be reachable by `postgres`; /tmp always is.
    let tmp = if as_root { PathBuf::from("/tmp") } else { std::env::temp_dir() };
    let base = tmp.join(unique_name("testpg"));
    fs::create_dir(&base).map_err(|e| format!("cannot create {}: {e}", base.display()))?;
    let mut guard = DirGuard(Some(base.clone()));
    if as_root {
        let (uid, gid) = postgres_user_ids()?;
        std::os::unix::fs::chown(&base, Some(uid), Some(gid))
            .map_err(|e| format!("cannot chown {} to postgres: {e}", base.display()))?;
    }
    let data = base.join("data");
    let sock = base.join("sock");

    let init = server_command(as_root, &bindir.join("initdb"))
        .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync", "-D"])
        .arg(&data)
        .current_dir(&base)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run initdb: {e}"))?;
    if !init.status.success() {
        return Err(StartError::Failed(format!(
            "initdb failed ({}):\n{}{}",
            init.status,
            String::from_utf8_lossy(&init.stdout),
            String::from_utf8_lossy(&init.stderr)
        )));
    }

    fs::create_dir(&sock).map_err(|e| format!("cannot create socket dir: {e}"))?;
    if as_root {
        let (uid, gid) = postgres_user_ids()?;
        std::os::unix::fs::chown(&sock, Some(uid), Some(gid))
            .map_err(|e| format!("cannot chown {} to postgres: {e}", sock.display()))?;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("cannot find a free port: {e}"))?
        .port();
    let log = base.join("postgres.log");
    let wrapper_log =
        fs::File::create(base.join("wrapper.log")).map_err(|e| format!("cannot create wrapper log: {e}"))?;
    // Positional args: $1 postgres binary, $2 data dir, $3 socket dir, $4 port, $5 log, $6 cluster dir.
    const WRAPPER: &str = r#"
"$1" -D "$2" -k "$3" -p "$4" -c listen_addresses=127.0.0.1 \
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c jit=off </dev/null >>"$5" 2>&1 &
pid=$!
echo "$pid"
cat >/dev/null
kill -INT "$pid" 2>/dev/null
wait "$pid"
rm -rf "$6"
"#;
    let mut child = server_command(as_root, Path::new("/bin/sh"))
        .arg("-c")
        .arg(WRAPPER)
        .arg("testpg-wrapper")
        .arg(bindir.join("postgres"))
        .args([&data, &sock])
        .arg(port.to_string())
        .args([&log, &base])
        .current_dir(&base)
        // Own process group: Ctrl-C on the test run must not kill the wrapper before it cleans up.
        .process_group(0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(wrapper_log))
        .spawn()
        .map_err(|e| format!("cannot start the postgres wrapper: {e}"))?;
    let lifeline = child.stdin.take().expect("stdin is piped");
    // From here the wrapper deletes the directory when the lifeline closes.
    guard.0 = None;

    let logs = || {
        let read = |p: PathBuf| fs::read_to_string(p).unwrap_or_default();
        format!("{}{}", read(base.join("wrapper.log")), read(log.clone()))
    };
    let mut pid_line = String::new();
    let stdout = child.stdout.take().expect("stdout is piped");
    let _ = BufReader::new(stdout).read_line(&mut pid_line);
    let Ok(pid) = pid_line.trim().parse::<u32>() else {
        drop(lifeline);
        let _ = child.wait();
        return Err(StartError::Failed(format!("the postgres wrapper did not start:\n{}", logs())));
    };

    // The npm server packages have no client tools; the system's pg_isready talks to every version.
    let client_bindir = find_bindir("psql").ok();
    let isready = [Some(bindir), client_bindir.as_deref()]
        .into_iter()
        .flatten()
        .map(|dir| dir.join("pg_isready"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("pg_isready"));
    let port_s = port.to_string();
    let started = Instant::now();
    loop {
        let ready = Command::new(&isready)
            .args(["-q", "-h", "127.0.0.1", "-p", &port_s, "-U", "postgres", "-d", "postgres"])
            .stdin(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ready {
            break;
        }
        let failure = if !process_alive(pid) {
            Some("postgres exited during startup")
        } else if started.elapsed() > STARTUP_LIMIT {
            Some("postgres did not accept connections in time")
        } else {
            None
        };
        if let Some(what) = failure {
            let text = logs();
            // The wrapper removes the directory once the lifeline closes; read the logs first.
            drop(lifeline);
            let _ = child.wait();
            return Err(if text.contains("could not bind") || text.contains("Address already in use") {
                StartError::PortTaken(text)
            } else {
                StartError::Failed(format!("{what} (port {port}):\n{text}"))
            });
        }
        thread::sleep(Duration::from_millis(100));
    }

    // The wrapper (and postgres) outlive this handle on purpose; they exit when the lifeline closes.
    drop(child);
    let clients = if bindir.join("psql").is_file() { Clients::find(Some(bindir)) } else { Clients::find(None) };
    let admin_url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    let version_num = read_version_num(&clients, &admin_url)?;
    eprintln!("testpg: started PostgreSQL {version_num} from {}", bindir.display());
    Ok(Server { admin_url, clients, external: false, _lifeline: Some(Mutex::new(lifeline)), version_num })
}

/// Alive and not a zombie waiting for the wrapper to reap it.
fn process_alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name, which may itself contain spaces.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next())
            .is_some_and(|state| state != 'Z' && state != 'X'),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_database_replaces_only_the_path() {
        assert_eq!(with_database("postgres://u:p@h:5/db?sslmode=disable", "x"), "postgres://u:p@h:5/x?sslmode=disable");
        assert_eq!(with_database("postgresql://h", "x"), "postgresql://h/x");
        assert_eq!(with_database("postgres://h?a=b", "x"), "postgres://h/x?a=b");
    }

    #[test]
    fn unique_names_are_valid_identifiers() {
        let a = unique_name("Round Trip: Add-Column ünïcode and a very long prefix indeed");
        let b = unique_name("Round Trip: Add-Column ünïcode and a very long prefix indeed");
        assert_ne!(a, b);
        assert!(a.len() <= 63, "{a}");
        assert!(a.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'), "{a}");
        assert!(unique_name("1x").starts_with("db_1x_"));
    }

    #[test]
    fn normalize_dump_drops_volatile_lines_only() {
        let dump = "--\n-- Dumped from database version 15.18\n-- Dumped by pg_dump version 15.18\n\\restrict abc\nCREATE TABLE t ();\n\\unrestrict abc\n";
        assert_eq!(normalize_dump(dump), "--\nCREATE TABLE t ();\n");
    }

    #[test]
    fn databases_are_isolated_and_dumps_show_schema_changes() {
        let a = server().fresh_database("testpg_self");
        let b = server().fresh_database("testpg_self");
        assert_ne!(a.name(), b.name());
        let empty = a.schema_dump().unwrap();
        a.run("CREATE TABLE t (id int);").unwrap();
        assert_eq!(b.schema_dump().unwrap(), empty, "b must not see a's table");
        let with_table = a.schema_dump().unwrap();
        assert!(with_table.contains("CREATE TABLE public.t"), "{with_table}");
        assert!(!unified_diff(&empty, &with_table, "before", "after").is_empty());
        assert_eq!(a.query("SELECT count(*) FROM t;").unwrap().trim(), "0");
    }

    #[test]
    fn failing_sql_reports_psql_stderr_and_single_transaction_rolls_back() {
        let db = server().fresh_database("testpg_self");
        let err = db.run_in_transaction("CREATE TABLE kept (id int);\nSELECT * FROM missing_table;").unwrap_err();
        assert!(err.contains("missing_table"), "{err}");
        assert_eq!(db.query("SELECT to_regclass('kept') IS NULL;").unwrap().trim(), "t");
        // Without a transaction the statements before the error stay committed.
        let err = db.run("CREATE TABLE kept (id int);\nSELECT * FROM missing_table;").unwrap_err();
        assert!(err.contains("missing_table"), "{err}");
        assert_eq!(db.query("SELECT to_regclass('kept') IS NULL;").unwrap().trim(), "f");
    }

    #[test]
    fn non_transactional_statements_run_outside_a_transaction() {
        let db = server().fresh_database("testpg_self");
        db.run("CREATE TABLE t (x int);\nCREATE INDEX CONCURRENTLY t_x ON t (x);").unwrap();
        let err = db.run_in_transaction("DROP INDEX CONCURRENTLY t_x;").unwrap_err();
        assert!(err.contains("cannot run inside a transaction block"), "{err}");
    }
}
