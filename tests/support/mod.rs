//! The test harness: a private world per test (home, XDG directories, database) and a way to
//! run the real binary in it.
//!
//! The fake-platform kit: `server.rs` is the serving skeleton every fake is (`Fake<S>`: routing,
//! recording, JSON replies, paging, field projection), `oauth.rs` the one OAuth authority the
//! four fakes configure (PKCE, client auth, rotation, revocation, expiry, many-users mode),
//! `world.rs` the generic test world (`World<S>`), and [`both_backends!`] declares a test once for
//! SQLite and PostgreSQL.

pub mod browser;
pub mod fake_instagram;
pub mod fake_reddit;

pub mod fake_tiktok;
pub mod fake_x;
pub mod http;
pub mod oauth;
pub mod reset_proxy;
pub mod server;
pub mod world;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use socialcrm::config::DatabaseTarget;
use socialcrm::secrets::Secret;
use socialcrm::store::{self, Store};

pub const PG_ENV: &str = "SOCIALCRM_TEST_DATABASE_URL";
/// The CA of the test server's certificate, which is issued for `localhost` only
/// (`scripts/pg-tls-setup` makes it, with an unrelated `wrong-ca.crt` beside it).
pub const PG_TLS_CA_ENV: &str = "SOCIALCRM_TEST_DATABASE_TLS_CA";
/// A database on the test server that accepts TLS connections only (`hostssl`).
pub const PG_TLS_ONLY_ENV: &str = "SOCIALCRM_TEST_DATABASE_TLS_ONLY_URL";
/// A role whose members must log in with a password on the test server.
pub const PG_PASSWORD_GROUP_ENV: &str = "SOCIALCRM_TEST_DATABASE_PASSWORD_GROUP";
/// A role that logs in with the client certificate `client.crt` / `client.key` beside the CA.
pub const PG_CERT_USER_ENV: &str = "SOCIALCRM_TEST_DATABASE_CERT_USER";

/// A variable set by `scripts/pg-tls-setup` (CI always runs it); None with a message when a
/// developer's machine has not.
pub fn pg_setup_var(name: &str) -> Option<String> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Some(value),
        _ => {
            assert!(std::env::var_os("CI").is_none(), "CI must set {name}");
            eprintln!(
                "skipped: {name} is not set (run scripts/pg-tls-setup), so this test did not run"
            );
            None
        }
    }
}

/// Declares `mod name { fn sqlite(); fn postgres() }`: two tests that run `body` with `db`
/// bound to a fresh [`TestDb`] of one backend each (the PostgreSQL test skips when no server
/// is configured). `|db, other|` binds a second, separate database of the same backend.
/// After `default`, `db` is an `Option<TestDb>`: `None` on SQLite (the binary's own default
/// database, no URL given), `Some` on PostgreSQL.
/// Every test that must hold on both backends is declared through this one macro.
macro_rules! both_backends {
    (default $($name:ident: |$db:ident| $body:expr;)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn sqlite() {
                let $db: Option<$crate::support::TestDb> = None;
                $body;
            }

            #[test]
            fn postgres() {
                let Some($db) = $crate::support::TestDb::postgres() else { return };
                let $db = Some($db);
                $body;
            }
        }
    )*};
    ($($name:ident: |$db:ident $(, $more:ident)?| $body:expr;)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn sqlite() {
                let $db = $crate::support::TestDb::sqlite();
                $(let $more = $crate::support::TestDb::sqlite();)?
                $body;
            }

            #[test]
            fn postgres() {
                let Some($db) = $crate::support::TestDb::postgres() else { return };
                $(let Some($more) = $crate::support::TestDb::postgres() else { return };)?
                $body;
            }
        }
    )*};
}
pub(crate) use both_backends;

/// Records that the running test did nothing because `why`, and says so on its stderr. libtest
/// still prints `ok` for it, so the skips are counted and printed once more after the suite's
/// summary (at process exit), grouped by reason: a SQLite-only run cannot pass for the whole.
pub fn skipped(why: &str) {
    static SKIPPED: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());
    static REGISTER: std::sync::Once = std::sync::Once::new();

    extern "C" fn report() {
        let skipped = SKIPPED.lock().unwrap_or_else(|e| e.into_inner());
        let mut by_reason: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (test, why) in skipped.iter() {
            by_reason.entry(why).or_default().push(test);
        }
        let mut text = format!(
            "\nnote: {} test(s) were skipped and did nothing, although they show as ok:\n",
            skipped.len()
        );
        for (why, tests) in by_reason {
            text.push_str(&format!("  {} skipped: {why}\n", tests.len()));
        }
        // Straight to the file descriptor: at exit, the test harness no longer captures.
        // SAFETY: writes a buffer this function owns to stderr.
        unsafe {
            libc::write(2, text.as_ptr().cast(), text.len());
        }
    }

    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    eprintln!("skipped: {test} did not run: {why}");
    SKIPPED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((test, why.to_string()));
    REGISTER.call_once(|| {
        // SAFETY: registers a function with C linkage that takes and returns nothing.
        unsafe {
            libc::atexit(report);
        }
    });
}

/// A database for one test: an SQLite file in a temporary directory, or a fresh schema on the
/// PostgreSQL server named by `SOCIALCRM_TEST_DATABASE_URL`, dropped when the test ends.
pub struct TestDb {
    pub url: String,
    pub target: DatabaseTarget,
    _dir: tempfile::TempDir,
    pg_schema: Option<(String, String)>,
    /// The URL without TLS parameters, for this harness's own plain connections.
    plain_url: String,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crm.db");
        TestDb {
            url: format!("sqlite:{}", path.display()),
            target: DatabaseTarget::Sqlite { path },
            plain_url: String::new(),
            _dir: dir,
            pg_schema: None,
        }
    }

    /// None (with a message on stderr) when no test server is configured.
    pub fn postgres() -> Option<TestDb> {
        let Ok(base) = std::env::var(PG_ENV) else {
            // CI must prove both backends; only a developer's machine may skip.
            assert!(std::env::var_os("CI").is_none(), "CI must set {PG_ENV}");
            skipped(&format!("{PG_ENV} is not set (PostgreSQL tests)"));
            return None;
        };
        Some(TestDb::postgres_schema(&base))
    }

    /// [`TestDb::postgres`] reached over TLS with `sslmode=verify-full` against the test CA, by
    /// the host name the server's certificate names.
    pub fn postgres_tls() -> Option<TestDb> {
        let plain = TestDb::postgres()?;
        let ca = pg_setup_var(PG_TLS_CA_ENV)?;
        Some(plain.with_tls(&format!("sslmode=verify-full&sslrootcert={ca}")))
    }

    /// The same schema by the name `localhost` (the one the test certificate names) and with
    /// `query` added to the URL.
    pub fn with_tls(mut self, query: &str) -> TestDb {
        let mut url = url::Url::parse(&self.url).unwrap();
        url.set_host(Some("localhost")).unwrap();
        self.url = url.to_string();
        self.with_query(query)
    }

    /// The same schema with `query` (TLS settings, say) added to the URL the binary gets; this
    /// harness's own connections keep the plain URL.
    pub fn with_query(mut self, query: &str) -> TestDb {
        let url = format!("{}&{query}", self.url);
        self.target = DatabaseTarget::Postgres {
            url: Secret::new(url.clone()),
        };
        self.url = url;
        self
    }

    /// A fresh schema on the PostgreSQL server at `base`, dropped when the test ends.
    pub fn postgres_schema(base: &str) -> TestDb {
        let base = base.to_string();
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut admin = postgres::Client::connect(&base, postgres::NoTls)
            .unwrap_or_else(|e| panic!("{base} is unreachable: {e}"));
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        // Plain text unless a test asks for TLS: the test server has TLS on, and the default
        // sslmode (prefer) would use it.
        let url = format!("{base}{sep}options=-csearch_path%3D{schema}&sslmode=disable");
        TestDb {
            target: DatabaseTarget::Postgres {
                url: Secret::new(url.clone()),
            },
            plain_url: url.clone(),
            url,
            _dir: tempfile::tempdir().unwrap(),
            pg_schema: Some((base, schema)),
        }
    }

    /// The test's own PostgreSQL schema (None on SQLite).
    pub fn schema(&self) -> Option<&str> {
        self.pg_schema.as_ref().map(|(_, schema)| schema.as_str())
    }

    /// This database reached with `application_name=name` (PostgreSQL), so that a test can find
    /// and end the binary's sessions.
    pub fn with_application_name(self, name: &str) -> TestDb {
        match self.target {
            DatabaseTarget::Postgres { .. } => self.with_query(&format!("application_name={name}")),
            DatabaseTarget::Sqlite { .. } => self,
        }
    }

    pub fn open(&self) -> Box<dyn Store> {
        store::open(&self.target).unwrap()
    }

    /// A plain connection to this test's PostgreSQL schema, behind the store's back (to
    /// `EXPLAIN` the store's queries, for example). Panics on SQLite.
    pub fn pg_client(&self) -> postgres::Client {
        assert!(self.pg_schema.is_some(), "pg_client on an SQLite TestDb");
        postgres::Client::connect(&self.plain_url, postgres::NoTls).unwrap()
    }

    /// Runs raw SQL behind the store's back (to fake a newer schema, for example).
    pub fn exec(&self, sql: &str) {
        match self.connect() {
            RawConn::Sqlite(db) => db.execute_batch(sql).unwrap(),
            RawConn::Postgres(mut client) => client.batch_execute(sql).unwrap(),
        }
    }

    /// Every `table.column` of the data model (every table in `store::tables::TABLES`, every
    /// column, whatever its type, read as text) holding any of `needles`, ignoring case: proof
    /// that an erasure left nothing behind, in tables added later too.
    pub fn mentions(&self, needles: &[&str]) -> Vec<String> {
        let mut conn = self.connect();
        let mut hits = Vec::new();
        for table in socialcrm::store::tables::TABLES {
            let columns = conn.strings(&match &self.target {
                DatabaseTarget::Sqlite { .. } => {
                    format!("SELECT name FROM pragma_table_info('{table}')")
                }
                DatabaseTarget::Postgres { .. } => format!(
                    "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = '{table}'"
                ),
            });
            assert!(!columns.is_empty(), "table {table} has no columns");
            for column in columns {
                let matches: Vec<String> = needles
                    .iter()
                    .map(|n| {
                        let pattern = n.to_lowercase().replace('\'', "''");
                        format!("LOWER(CAST({column} AS TEXT)) LIKE '%{pattern}%'")
                    })
                    .collect();
                let sql = format!(
                    "SELECT CAST(COUNT(*) AS TEXT) FROM {table} WHERE {}",
                    matches.join(" OR ")
                );
                let n = &conn.strings(&sql)[0];
                if n != "0" {
                    hits.push(format!(
                        "{table}.{column} ({n} rows hold one of {needles:?})"
                    ));
                }
            }
        }
        hits
    }

    /// The first column of every row `sql` returns, as text.
    pub fn strings(&self, sql: &str) -> Vec<String> {
        self.connect().strings(sql)
    }

    fn connect(&self) -> RawConn {
        RawConn::open(&self.target, &self.plain_url)
    }
}

/// A plain connection to a test database, behind the store's back.
enum RawConn {
    Sqlite(rusqlite::Connection),
    Postgres(Box<postgres::Client>),
}

impl RawConn {
    /// A connection to `target`; a PostgreSQL one at `plain_url` (its URL without TLS).
    fn open(target: &DatabaseTarget, plain_url: &str) -> RawConn {
        match target {
            DatabaseTarget::Sqlite { path } => {
                RawConn::Sqlite(rusqlite::Connection::open(path).unwrap())
            }
            DatabaseTarget::Postgres { .. } => RawConn::Postgres(Box::new(
                postgres::Client::connect(plain_url, postgres::NoTls).unwrap(),
            )),
        }
    }

    fn strings(&mut self, sql: &str) -> Vec<String> {
        match self {
            RawConn::Sqlite(db) => {
                let mut stmt = db.prepare(sql).unwrap();
                stmt.query_map([], |r| r.get::<_, String>(0))
                    .unwrap()
                    .map(Result::unwrap)
                    .collect()
            }
            RawConn::Postgres(client) => client
                .query(sql, &[])
                .unwrap()
                .iter()
                .map(|r| r.get::<_, String>(0))
                .collect(),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, schema)) = &self.pg_schema
            && let Ok(mut admin) = postgres::Client::connect(base, postgres::NoTls)
        {
            let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// The columns that say what the CRM holds, per table: not row ids, revisions, write times or
/// run ids, which differ between two syncs that stored the same records.
const CONTENT_COLUMNS: [(&str, &str); 7] = [
    (
        "platform_connections",
        "platform, account, platform_user_id, username, status",
    ),
    ("fans", "platform, platform_user_id, username, display_name"),
    (
        "fan_accounts",
        "platform, platform_user_id, account, status, subscribed_at, first_seen_at, last_seen_at, lifetime_spend_cents, currency, source",
    ),
    (
        "messages",
        "platform, account, platform_message_id, fan_platform_user_id, direction, kind, body, sent_at, thread_ref, post_ref",
    ),
    (
        "posts",
        "platform, platform_post_id, account, caption, url, media_type, published_at, view_count, like_count, comment_count, share_count, metrics_at",
    ),
    (
        "analytics_events",
        "platform, account, subject_type, subject_id, metric, period, period_start, value, unit, fan_platform_user_id",
    ),
    (
        "sync_state JOIN platform_connections c ON c.id = connection_id",
        "c.platform, c.account, stream, cursor, high_water_mark",
    ),
];

/// Everything the CRM holds, table by table, each row as one line of its content columns:
/// a database after a faulty sync and its re-run must equal one clean sync's, line for line.
pub fn crm_contents(target: &DatabaseTarget) -> BTreeMap<String, BTreeSet<String>> {
    let plain_url = match target {
        DatabaseTarget::Postgres { url } => plain_pg_url(url.expose()),
        DatabaseTarget::Sqlite { .. } => String::new(),
    };
    let mut conn = RawConn::open(target, &plain_url);
    let mut out = BTreeMap::new();
    for (table, columns) in CONTENT_COLUMNS {
        let line = columns
            .split(", ")
            .map(|c| format!("coalesce(CAST({c} AS TEXT), 'NULL')"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let sql = format!("SELECT {line} FROM {table}");
        let rows: BTreeSet<String> = conn.strings(&sql).into_iter().collect();
        let name = table.split(' ').next().unwrap().to_string();
        out.insert(name, rows);
    }
    out
}

/// `url` without the TLS parameters a test gave the binary, for this harness's own plain
/// connections (the `postgres` crate without a TLS connector knows none of them).
fn plain_pg_url(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.starts_with("ssl"))
        .chain(["sslmode=disable"])
        .collect();
    format!("{base}?{}", kept.join("&"))
}

/// Asserts two CRM contents are equal, naming the first table and lines that differ.
pub fn assert_same_crm(
    got: &BTreeMap<String, BTreeSet<String>>,
    want: &BTreeMap<String, BTreeSet<String>>,
    case: &str,
) {
    for (table, rows) in want {
        let other = &got[table];
        let missing: Vec<_> = rows.difference(other).take(3).collect();
        let extra: Vec<_> = other.difference(rows).take(3).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{case}: {table} differs from a clean sync ({} rows against {}): missing {missing:?}, extra {extra:?}",
            other.len(),
            rows.len()
        );
    }
}

/// Ends every PostgreSQL session named `application_name` (`pg_terminate_backend`, as a
/// server restart would); how many there were.
pub fn end_sessions(admin: &mut postgres::Client, application_name: &str) -> usize {
    let sql = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1";
    admin.query(sql, &[&application_name]).unwrap().len()
}

/// Waits for every child (spawned with piped output) and asserts each exited 0; their outputs.
pub fn all_succeed(children: Vec<std::process::Child>) -> Vec<Output> {
    children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            out
        })
        .collect()
}

/// A private home for one run of the binary.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
}

#[derive(Clone, Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `content` to a file named `name` in the test's directory: the input files
    /// (CSV exports, configs) that the import and config tests hand the binary.
    pub fn file(&self, name: impl AsRef<Path>, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    pub fn data_home(&self) -> PathBuf {
        self.path().join("data")
    }

    pub fn config_home(&self) -> PathBuf {
        self.path().join("config")
    }

    /// The database the binary uses when no URL is given.
    pub fn default_db(&self) -> DatabaseTarget {
        DatabaseTarget::Sqlite {
            path: self.data_home().join("socialcrm/crm.db"),
        }
    }

    /// Whether the default SQLite database file has been created.
    pub fn default_db_exists(&self) -> bool {
        self.data_home().join("socialcrm/crm.db").exists()
    }

    /// The binary with a clean environment: nothing from the developer's machine leaks in.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_socialcrm"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.path().join("home"))
            .env("XDG_DATA_HOME", self.data_home())
            .env("XDG_CONFIG_HOME", self.config_home())
            .env("SOCIALCRM_NOW", "2026-11-24T12:00:00Z")
            .args(args);
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_cmd(self.command(args))
    }

    /// Runs `--database-url <db> <args>` (any outcome).
    pub fn on(&self, db: &TestDb, args: &[&str]) -> Run {
        let mut all = vec!["--database-url", db.url.as_str()];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// Runs `--database-url <db> -o json <args>` (any outcome).
    pub fn crm(&self, db: &TestDb, args: &[&str]) -> Run {
        let mut all = vec!["--database-url", db.url.as_str(), "-o", "json"];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// The JSON of a [`TestEnv::crm`] run that must succeed.
    pub fn crm_json(&self, db: &TestDb, args: &[&str]) -> serde_json::Value {
        self.crm(db, args).ok().json()
    }

    /// Imports `content` as an OnlyFans `kind` export (`import-csv onlyfans` of `KIND.csv`) on
    /// `db`; must succeed. The set-up of every test that starts from a creator's exports.
    pub fn import(&self, db: &TestDb, kind: &str, content: &str) -> Run {
        self.import_csv(db, kind, &format!("{kind}.csv"), content, &[])
    }

    /// [`TestEnv::import`] into `account`, from `KIND-ACCOUNT.csv`.
    pub fn import_as(&self, db: &TestDb, kind: &str, account: &str, content: &str) -> Run {
        let name = format!("{kind}-{account}.csv");
        self.import_csv(db, kind, &name, content, &["--account", account])
    }

    fn import_csv(
        &self,
        db: &TestDb,
        kind: &str,
        name: &str,
        content: &str,
        extra: &[&str],
    ) -> Run {
        let path = self.file(name, content);
        let mut args = vec!["import-csv", "onlyfans", kind, path.to_str().unwrap()];
        args.extend_from_slice(extra);
        let run = self.crm(db, &args);
        run.ok();
        run
    }

    /// Runs `inner` under `/usr/bin/time`: the run (its stderr without time's line), the
    /// seconds it took and its peak RSS in KiB.
    pub fn run_timed(&self, inner: Command) -> (Run, f64, f64) {
        let mut cmd = Command::new("/usr/bin/time");
        cmd.args(["-f", "%e %M"])
            .arg(inner.get_program())
            .args(inner.get_args());
        cmd.env_clear();
        for (k, v) in inner.get_envs() {
            if let Some(v) = v {
                cmd.env(k, v);
            }
        }
        let mut run = self.run_cmd(cmd);
        let last = run.stderr.lines().last().unwrap_or_default().to_string();
        let (secs, kb) = last.split_once(' ').expect("time's line");
        let (secs, kb) = (secs.parse().unwrap(), kb.trim().parse().unwrap());
        run.stderr.truncate(run.stderr.len() - last.len());
        (run, secs, kb)
    }

    pub fn run_cmd(&self, mut cmd: Command) -> Run {
        let Output {
            status,
            stdout,
            stderr,
        } = cmd.output().unwrap();
        let run = Run {
            code: status.code().expect("exited normally"),
            stdout: String::from_utf8(stdout).unwrap(),
            stderr: String::from_utf8(stderr).unwrap(),
        };
        assert!(
            !run.stderr.contains("panicked") && !run.stderr.contains("RUST_BACKTRACE"),
            "the binary panicked: {}",
            run.stderr
        );
        run
    }
}

impl Run {
    /// Asserts the exit code and that stderr is exactly one `error:` line.
    pub fn one_line_error(&self, code: i32) -> &str {
        assert_eq!(
            self.code, code,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "want one line on stderr, got: {}",
            self.stderr
        );
        assert!(lines[0].starts_with("error: "), "{}", lines[0]);
        lines[0]
    }

    /// Asserts a one-line error ([`Run::one_line_error`]) that names every one of `needles`.
    pub fn error_naming(&self, code: i32, needles: &[&str]) -> &str {
        let line = self.one_line_error(code);
        for needle in needles {
            assert!(line.contains(needle), "{needle:?} is not in {line:?}");
        }
        line
    }

    pub fn ok(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    /// For a `db status -o json` run: the rows of `table`.
    pub fn table_rows(&self, table: &str) -> i64 {
        self.json()["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["table"] == table)
            .unwrap_or_else(|| panic!("no table {table}"))["rows"]
            .as_i64()
            .unwrap()
    }

    /// An `import-csv -o json` run's (inserted, updated, unchanged, rejected).
    pub fn import_counts(&self) -> (i64, i64, i64, i64) {
        let s = self.json();
        let n = |k: &str| s[k].as_i64().unwrap();
        (n("inserted"), n("updated"), n("unchanged"), n("rejected"))
    }

    /// Asserts that stderr holds `needle` (and shows it when not).
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(self.stderr.contains(needle), "{}", self.stderr);
        self
    }

    /// The waits, in whole seconds, that the `warning: ... allowed in N s` lines name.
    pub fn waits(&self) -> Vec<u64> {
        let wait = |l: &&str| {
            l.split("allowed in ")
                .nth(1)?
                .split(' ')
                .next()?
                .parse()
                .ok()
        };
        self.warnings().iter().filter_map(wait).collect()
    }

    /// The lines on stderr that hold `needle`.
    pub fn stderr_lines(&self, needle: &str) -> Vec<&str> {
        self.stderr.lines().filter(|l| l.contains(needle)).collect()
    }

    /// The `warning:` lines on stderr.
    pub fn warnings(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("warning: "))
            .collect()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

/// Asserts that `text` holds `needle`, and shows `text` when not.
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "{text}");
}

/// The rows of a JSON array (a listing's `-o json`), panicking on anything else.
pub fn array(out: &serde_json::Value) -> &[serde_json::Value] {
    out.as_array()
        .unwrap_or_else(|| panic!("not an array: {out}"))
}

/// Text field `key` of a JSON row.
pub fn text(row: &serde_json::Value, key: &str) -> String {
    let text = row[key].as_str();
    text.unwrap_or_else(|| panic!("no text {key} in {row}"))
        .to_string()
}

/// Text field `key` of every row of a JSON array, in order.
pub fn texts<'a>(out: &'a serde_json::Value, key: &str) -> Vec<&'a str> {
    let text = |r: &'a serde_json::Value| r[key].as_str().unwrap_or_else(|| panic!("{key}: {r}"));
    array(out).iter().map(text).collect()
}

/// Text fields `a` and `b` of every row of a JSON array, as pairs in order.
pub fn text_pairs(out: &serde_json::Value, a: &str, b: &str) -> Vec<(String, String)> {
    array(out)
        .iter()
        .map(|r| (text(r, a), text(r, b)))
        .collect()
}

/// The row of a JSON array whose `key` is `value`, panicking (with the array) when none is.
pub fn row<'a>(rows: &'a serde_json::Value, key: &str, value: &str) -> &'a serde_json::Value {
    let found = array(rows).iter().find(|r| r[key] == value);
    found.unwrap_or_else(|| panic!("no {key} {value} in {rows}"))
}

/// The row of stream `name` in a `sync -o json` run's output.
pub fn stream<'a>(out: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    row(out, "stream", name)
}

/// A loopback port nothing listens on right now (for a redirect URI fixed before the binary
/// binds it; another process could take it in between, which a test would show as a busy port).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
