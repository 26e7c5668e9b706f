//! The secrets store: the file and db backends round-trip and never write a token in plain
//! text; a wrong master key fails in one line and overwrites nothing; the keychain backend
//! works against a real Secret Service (a private D-Bus and gnome-keyring-daemon) and says in
//! one line when none answers.
//!
//! The keychain checks need their own environment (`DBUS_SESSION_BUS_ADDRESS`, HOME), which
//! is process-global while tests run in parallel: the test here starts the services and
//! reruns this test binary as a child, selecting [`keychain_child`] with the environment set.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use socialcrm::config::DatabaseTarget;
use socialcrm::secrets::{self, Secret, SecretStore, SecretsBackend, SecretsSettings};

use crate::support::TestDb;
use crate::support::assert_contains;
use crate::support::both_backends;

const TOKEN: &str = "tok_PLAIN_a1b2c3d4e5f6";
const REFRESH: &str = "ref_PLAIN_z9y8x7w6v5";
const KEY: &str = "socialcrm/tiktok/default";

fn blob(access: &str) -> Secret {
    Secret::new(format!(
        r#"{{"access_token":"{access}","refresh_token":"{REFRESH}","expires_at":"2026-12-01T00:00:00Z","scopes":["user.info.basic"]}}"#
    ))
}

fn settings(backend: SecretsBackend, master_key: Option<&str>) -> SecretsSettings {
    SecretsSettings {
        backend,
        master_key: master_key.map(Secret::new),
    }
}

/// A database target that is never used (the file and keychain backends ignore it).
fn no_database(dir: &Path) -> DatabaseTarget {
    DatabaseTarget::Sqlite {
        path: dir.join("unused.db"),
    }
}

fn open_file(data_dir: &Path, master_key: Option<&str>) -> Box<dyn SecretStore> {
    secrets::open(
        &settings(SecretsBackend::File, master_key),
        &no_database(data_dir),
        data_dir,
    )
    .unwrap()
}

/// put, get, replace, delete: the story every backend must tell the same way.
fn round_trip(store: &mut dyn SecretStore) {
    assert!(store.get(KEY).unwrap().is_none());
    store.put(KEY, &blob(TOKEN)).unwrap();
    assert_eq!(store.get(KEY).unwrap(), Some(blob(TOKEN)));
    store.put(KEY, &blob("tok_PLAIN_rotated")).unwrap();
    assert_eq!(store.get(KEY).unwrap(), Some(blob("tok_PLAIN_rotated")));
    store.put("socialcrm/x/default", &blob(TOKEN)).unwrap();
    assert!(store.delete(KEY).unwrap());
    assert!(!store.delete(KEY).unwrap());
    assert!(store.get(KEY).unwrap().is_none());
    assert_eq!(store.get("socialcrm/x/default").unwrap(), Some(blob(TOKEN)));
    store.put(KEY, &blob(TOKEN)).unwrap();
}

/// Every byte of every file under `dir`.
fn all_bytes(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(all_bytes(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn assert_no_plain_text(dir: &Path) {
    let files = all_bytes(dir);
    assert!(!files.is_empty());
    for (path, bytes) in files {
        for needle in [TOKEN, REFRESH, "PLAIN", "access_token"] {
            assert!(
                !contains(&bytes, needle),
                "{} holds {needle} in plain text",
                path.display()
            );
        }
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn one_line(err: &secrets::SecretError) -> String {
    let text = err.to_string();
    assert!(!text.contains('\n'), "not one line: {text}");
    for needle in [TOKEN, REFRESH, "PLAIN", "correct horse", "wrong horse"] {
        assert!(!text.contains(needle), "the error shows a secret: {text}");
    }
    text
}

#[test]
fn secrets_file_backend_round_trips_with_a_master_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_file(dir.path(), Some("correct horse"));
    assert_eq!(store.backend(), "file");
    round_trip(store.as_mut());
    // Another process with the same passphrase reads what this one wrote.
    let mut again = open_file(dir.path(), Some("correct horse"));
    assert_eq!(again.get(KEY).unwrap(), Some(blob(TOKEN)));
    let secrets_dir = dir.path().join("secrets");
    assert!(!secrets_dir.join("master.key").exists());
    assert_no_plain_text(&secrets_dir);
}

#[test]
fn secrets_file_backend_round_trips_with_a_generated_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_file(dir.path(), None);
    round_trip(store.as_mut());
    let secrets_dir = dir.path().join("secrets");
    let key_file = secrets_dir.join("master.key");
    let key = std::fs::read(&key_file).unwrap();
    let mut again = open_file(dir.path(), None);
    assert_eq!(again.get(KEY).unwrap(), Some(blob(TOKEN)));
    assert_eq!(std::fs::read(&key_file).unwrap(), key, "created once");
    assert_no_plain_text(&secrets_dir);

    #[cfg(unix)]
    {
        assert_eq!(mode(&secrets_dir), 0o700);
        for (path, _) in all_bytes(&secrets_dir) {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
        let names: Vec<String> = all_bytes(&secrets_dir)
            .iter()
            .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.contains(&"socialcrm%2Ftiktok%2Fdefault.secret".to_string()),
            "{names:?}"
        );
        assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
    }
}

#[cfg(unix)]
#[test]
fn secrets_file_backend_refuses_files_others_can_read() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_file(dir.path(), Some("correct horse"));
    store.put(KEY, &blob(TOKEN)).unwrap();
    let file = dir
        .path()
        .join("secrets/socialcrm%2Ftiktok%2Fdefault.secret");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = one_line(&store.get(KEY).unwrap_err());
    assert!(
        err.contains("can be read by other users") && err.contains("chmod 600"),
        "{err}"
    );
}

#[test]
fn secrets_file_backend_wrong_master_key_fails_cleanly_and_overwrites_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_file(dir.path(), Some("correct horse"));
    store.put(KEY, &blob(TOKEN)).unwrap();
    let secrets_dir = dir.path().join("secrets");
    let before = all_bytes(&secrets_dir);

    let mut wrong = open_file(dir.path(), Some("wrong horse"));
    let err = one_line(&wrong.get(KEY).unwrap_err());
    assert_eq!(
        err,
        "cannot decrypt socialcrm/tiktok/default: wrong SOCIALCRM_MASTER_KEY?"
    );
    // Neither replacing that key nor adding another one writes under the wrong key.
    let err = one_line(&wrong.put(KEY, &blob("tok_PLAIN_evil")).unwrap_err());
    assert_contains(&err, "wrong SOCIALCRM_MASTER_KEY");
    let err = one_line(&wrong.put("socialcrm/x/new", &blob(TOKEN)).unwrap_err());
    assert_contains(&err, "wrong SOCIALCRM_MASTER_KEY");
    assert_eq!(all_bytes(&secrets_dir), before, "nothing was overwritten");

    // Without the variable the key file is used, which did not write these: say so.
    let mut keyfile = open_file(dir.path(), None);
    let err = one_line(&keyfile.get(KEY).unwrap_err());
    assert_contains(&err, "encrypted with SOCIALCRM_MASTER_KEY");
    assert_eq!(store.get(KEY).unwrap(), Some(blob(TOKEN)));
}

#[test]
fn secrets_file_backend_files_cannot_be_swapped() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_file(dir.path(), Some("correct horse"));
    store.put(KEY, &blob(TOKEN)).unwrap();
    store
        .put("socialcrm/x/default", &blob("tok_PLAIN_x"))
        .unwrap();
    let secrets_dir = dir.path().join("secrets");
    let x = secrets_dir.join("socialcrm%2Fx%2Fdefault.secret");
    let tiktok = secrets_dir.join("socialcrm%2Ftiktok%2Fdefault.secret");
    let x_text = std::fs::read_to_string(&x).unwrap();
    // A copy of another key's file, even with the name inside edited, does not decrypt.
    std::fs::write(&tiktok, &x_text).unwrap();
    let err = one_line(&store.get(KEY).unwrap_err());
    assert_contains(&err, "damaged");
    std::fs::write(&tiktok, x_text.replace("socialcrm/x/default", KEY)).unwrap();
    let err = one_line(&store.get(KEY).unwrap_err());
    assert!(
        err.starts_with("cannot decrypt socialcrm/tiktok/default"),
        "{err}"
    );

    // Connecting again writes a good value over a damaged one.
    std::fs::write(&tiktok, "garbage").unwrap();
    assert!(one_line(&store.get(KEY).unwrap_err()).contains("damaged"));
    store.put(KEY, &blob(TOKEN)).unwrap();
    assert_eq!(store.get(KEY).unwrap(), Some(blob(TOKEN)));
}

fn open_db(db: &TestDb, master_key: Option<&str>) -> Result<Box<dyn SecretStore>, String> {
    let unused = tempfile::tempdir().unwrap();
    secrets::open(
        &settings(SecretsBackend::Db, master_key),
        &db.target,
        unused.path(),
    )
    .map_err(|e| one_line(&e))
}

/// Every column of every row of the secrets table, as the database returns it.
fn secrets_table_text(db: &TestDb) -> String {
    let sql = "SELECT key || '|' || kdf || '|' || nonce || '|' || ciphertext AS r FROM secrets";
    match &db.target {
        DatabaseTarget::Sqlite { path } => {
            let conn = rusqlite::Connection::open(path).unwrap();
            let mut stmt = conn.prepare(sql).unwrap();
            let rows: Vec<String> = stmt
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            rows.join("\n")
        }
        DatabaseTarget::Postgres { url } => {
            let mut client = postgres::Client::connect(url.expose(), postgres::NoTls).unwrap();
            let rows = client.query(sql, &[]).unwrap();
            rows.iter()
                .map(|r| r.get::<_, String>(0))
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

fn db_story(db: TestDb) {
    let err = open_db(&db, None).err().unwrap();
    assert!(
        err.starts_with("the db secrets backend needs SOCIALCRM_MASTER_KEY"),
        "{err}"
    );

    let mut host_a = open_db(&db, Some("correct horse")).unwrap();
    assert_eq!(host_a.backend(), "db");
    round_trip(host_a.as_mut());

    // A second host with the same master key shares the tokens, both ways.
    let mut host_b = open_db(&db, Some("correct horse")).unwrap();
    assert_eq!(host_b.get(KEY).unwrap(), Some(blob(TOKEN)));
    host_b.put(KEY, &blob("tok_PLAIN_from_b")).unwrap();
    assert_eq!(host_a.get(KEY).unwrap(), Some(blob("tok_PLAIN_from_b")));

    // A host with a mistyped key reads nothing and overwrites nothing.
    let before = secrets_table_text(&db);
    let mut wrong = open_db(&db, Some("wrong horse")).unwrap();
    let err = one_line(&wrong.get(KEY).unwrap_err());
    assert_eq!(
        err,
        "cannot decrypt socialcrm/tiktok/default: wrong SOCIALCRM_MASTER_KEY?"
    );
    assert!(wrong.put(KEY, &blob("tok_PLAIN_evil")).is_err());
    let err = one_line(
        &wrong
            .put("socialcrm/reddit/default", &blob(TOKEN))
            .unwrap_err(),
    );
    assert_contains(&err, "wrong SOCIALCRM_MASTER_KEY");
    assert_eq!(secrets_table_text(&db), before, "nothing was overwritten");
    assert_eq!(host_a.get(KEY).unwrap(), Some(blob("tok_PLAIN_from_b")));

    // Plain text nowhere: not in the rows, and (SQLite) not anywhere in the database files.
    let table = secrets_table_text(&db);
    assert_contains(&table, KEY);
    for needle in [TOKEN, REFRESH, "PLAIN", "access_token"] {
        assert!(!table.contains(needle), "the secrets table holds {needle}");
    }
    drop((host_a, host_b, wrong));
    if let DatabaseTarget::Sqlite { path } = &db.target {
        assert_no_plain_text(path.parent().unwrap());
    }
}

both_backends! {
    secrets_db_backend: |db| db_story(db);
}

// ---- keychain: a real Secret Service in a private session -------------------------------

/// Set in the child process: which keychain check [`keychain_child`] runs.
const CHILD_ENV: &str = "SOCIALCRM_TEST_KEYCHAIN_CHILD";
const UNAVAILABLE: &str = "no keychain answers (no Secret Service on the session bus): set SOCIALCRM_SECRETS=file or db and SOCIALCRM_MASTER_KEY";

/// Not a test of its own: the body of the keychain tests, run in a child process whose
/// environment points at the bus under test. Does nothing in the ordinary run.
#[test]
fn keychain_child() {
    let Ok(mode) = std::env::var(CHILD_ENV) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let opened = secrets::open(
        &settings(SecretsBackend::Keychain, None),
        &no_database(dir.path()),
        dir.path(),
    );
    match mode.as_str() {
        "round-trip" => {
            let mut store = opened.unwrap_or_else(|e| panic!("keychain: {e}"));
            assert_eq!(store.backend(), "keychain");
            round_trip(store.as_mut());
            assert!(store.delete(KEY).unwrap());
            assert!(store.delete("socialcrm/x/default").unwrap());
        }
        "unavailable" => {
            let err = opened.err().expect("no keychain should answer");
            assert_eq!(one_line(&err), UNAVAILABLE);
        }
        other => panic!("unknown {CHILD_ENV}={other}"),
    }
    println!("keychain child ({mode}) passed");
}

/// Reruns this binary for [`keychain_child`] with exactly `env` (plus PATH).
fn run_child(mode: &str, env: &[(&str, String)]) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["secrets::keychain_child", "--exact", "--nocapture"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(CHILD_ENV, mode)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains(&format!("keychain child ({mode}) passed")),
        "child {mode} failed\nstdout: {stdout}\nstderr: {stderr}"
    );
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false)
}

/// True when the tools are there; otherwise says "skipped" (or fails under CI, which must run
/// these tests) and returns false.
fn have_tools(tools: &[&str], test: &str) -> bool {
    let missing: Vec<&str> = tools.iter().copied().filter(|t| !on_path(t)).collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must install {} (apt-get install gnome-keyring dbus) for {test}",
        missing.join(", ")
    );
    crate::support::skipped(&format!(
        "needs {} (apt-get install gnome-keyring dbus)",
        missing.join(", ")
    ));
    false
}

/// A private session bus, and optionally gnome-keyring-daemon on it, in a temporary HOME:
/// the real user's keyring is never touched. Both processes are killed when this drops.
struct Session {
    dir: tempfile::TempDir,
    children: Vec<Child>,
}

impl Session {
    fn start(with_keyring: bool) -> Session {
        let dir = tempfile::tempdir().unwrap();
        let mut session = Session {
            dir,
            children: Vec::new(),
        };
        for sub in ["home", "data", "config", "run"] {
            std::fs::create_dir_all(session.path(sub)).unwrap();
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let perms = std::fs::Permissions::from_mode(0o700);
            std::fs::set_permissions(session.path("run"), perms).unwrap();
        }
        // A bus with no service files: nothing is started behind the test's back.
        let config = session.path("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                session.path("bus").display()
            ),
        )
        .unwrap();
        let bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--nopidfile"])
            .env_clear()
            .envs(session.env())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon");
        session.children.push(bus);
        session.wait_for("the session bus", |s| s.path("bus").exists());

        if with_keyring {
            let mut keyring = Command::new("gnome-keyring-daemon")
                .args(["--foreground", "--unlock", "--components=secrets"])
                .env_clear()
                .envs(session.env())
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start gnome-keyring-daemon");
            {
                use std::io::Write;
                // The login keyring's password; closing stdin ends it.
                let mut stdin = keyring.stdin.take().unwrap();
                stdin.write_all(b"test-keyring-password").unwrap();
            }
            session.children.push(keyring);
            session.wait_for("org.freedesktop.secrets on the bus", |s| {
                s.name_has_owner("org.freedesktop.secrets")
            });
        }
        session
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn address(&self) -> String {
        format!("unix:path={}", self.path("bus").display())
    }

    /// The environment of everything that runs in this session.
    fn env(&self) -> Vec<(&'static str, String)> {
        let p = |name: &str| self.path(name).display().to_string();
        vec![
            ("HOME", p("home")),
            ("XDG_DATA_HOME", p("data")),
            ("XDG_CONFIG_HOME", p("config")),
            ("XDG_RUNTIME_DIR", p("run")),
            ("DBUS_SESSION_BUS_ADDRESS", self.address()),
        ]
    }

    fn name_has_owner(&self, name: &str) -> bool {
        Command::new("dbus-send")
            .args([
                &format!("--bus={}", self.address()),
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                &format!("string:{name}"),
            ])
            .env_clear()
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
            .unwrap_or(false)
    }

    fn wait_for(&mut self, what: &str, ready: impl Fn(&Session) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !ready(self) {
            for child in &mut self.children {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!("a helper exited ({status}) before {what} was ready");
                }
            }
            assert!(Instant::now() < deadline, "{what} not ready after 20 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Keyring first, then the bus: only the processes this session started.
        for child in self.children.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn secrets_keychain_round_trips_against_a_real_secret_service() {
    let test = "secrets_keychain_round_trips_against_a_real_secret_service";
    if !have_tools(&["dbus-daemon", "dbus-send", "gnome-keyring-daemon"], test) {
        return;
    }
    let session = Session::start(true);
    run_child("round-trip", &session.env());
    // The item went to the private keyring, under the temporary XDG_DATA_HOME.
    assert!(session.path("data/keyrings").is_dir());
}

#[test]
fn secrets_keychain_without_a_secret_service_says_so_in_one_line() {
    // No session bus at all: the variable names a socket that is not there.
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).display().to_string();
    std::fs::create_dir_all(dir.path().join("run")).unwrap();
    let no_bus = vec![
        ("HOME", p("home")),
        ("XDG_RUNTIME_DIR", p("run")),
        (
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", p("no-bus")),
        ),
    ];
    run_child("unavailable", &no_bus);
    // No variable either (a cron job's environment).
    run_child("unavailable", &no_bus[..2]);

    // A session bus on which no Secret Service is registered.
    let test = "secrets_keychain_without_a_secret_service_says_so_in_one_line";
    if have_tools(&["dbus-daemon"], test) {
        let session = Session::start(false);
        run_child("unavailable", &session.env());
    }
}
