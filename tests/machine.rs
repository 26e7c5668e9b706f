//! Hardening against the machine and bad settings: inputs that used to panic, a full stderr,
//! special files where the tool expects its own regular files, and environment variables that
//! used to be accepted silently. Every case runs the real binary.

use std::process::{Command, Stdio};

use crate::support::{TestDb, TestEnv};

/// Runs `cmd` with stderr on `/dev/full` (every write fails with ENOSPC) and returns its exit
/// code. Opening `/dev/full` for writing changes nothing on the machine.
fn exit_code_with_full_stderr(mut cmd: Command) -> i32 {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full exists on Linux");
    cmd.stdout(Stdio::null()).stderr(Stdio::from(full));
    cmd.status().unwrap().code().expect("exited normally")
}

#[test]
fn huge_durations_are_one_line_errors_not_panics() {
    let env = TestEnv::new();
    for (args, value) in [
        (&["fans", "list", "--since"][..], "100000000d"),
        (&["fans", "list", "--until"][..], "9223372036854775807h"),
        (&["messages", "list", "--since"][..], "9223372036854775807m"),
        (&["insights", "--from"][..], "100000000d"),
        (&["insights", "--to"][..], "99999999999999h"),
        (&["audit", "list", "--since"][..], "100000000d"),
    ] {
        let mut all = args.to_vec();
        all.push(value);
        let run = env.run(&all);
        let line = run.one_line_error(2);
        assert!(line.contains(value), "{all:?}: {line}");
    }
}

#[test]
fn huge_timeouts_and_waits_are_usage_errors_not_panics() {
    let env = TestEnv::new();
    let huge = u64::MAX.to_string();
    for args in [
        &["connect", "tiktok", "--no-browser", "--timeout", &huge][..],
        &["upload", "tiktok", "clip.mp4", "--wait", &huge][..],
        &["post", "x", "hi", "--wait", &huge][..],
    ] {
        // Credentials are set so that, before the bounds, connect reached its wait and panicked
        // adding the timeout to the clock.
        let mut cmd = env.command(args);
        cmd.env("SOCIALCRM_SECRETS", "file")
            .env("TIKTOK_CLIENT_KEY", "k")
            .env("TIKTOK_CLIENT_SECRET", "s")
            .stdin(Stdio::null());
        let run = env.run_cmd(cmd);
        let line = run.one_line_error(2);
        assert!(line.contains(&huge), "{args:?}: {line}");
    }
}

#[test]
fn a_full_stderr_never_panics() {
    let env = TestEnv::new();
    let db = TestDb::sqlite();
    db.open().ensure_current().unwrap();
    // A usage error, a command failure, notes on stderr, and debug logs through tracing.
    for (args, want) in [
        (&["fans", "list", "--since", "garbage"][..], 2),
        (&["--database-url", "sqlite:", "fans", "list"][..], 5),
        (&["--database-url", &db.url, "fans", "list"][..], 0),
        (&["--database-url", &db.url, "-vv", "fans", "list"][..], 0),
        (
            &[
                "--database-url",
                &db.url,
                "-vv",
                "--log-format",
                "json",
                "fans",
                "list",
            ][..],
            0,
        ),
    ] {
        // The exit code is the one the command would have had; what it could not say is lost.
        let code = exit_code_with_full_stderr(env.command(args));
        assert_eq!(code, want, "{args:?} (101 is a panic)");
    }
}

#[test]
fn bad_tuning_variables_are_config_errors_naming_them() {
    let env = TestEnv::new();
    let db = TestDb::sqlite();
    for (name, value) in [
        ("SOCIALCRM_HTTP_TIMEOUT", "0"),
        ("SOCIALCRM_RETRY_BUDGET", "-5"),
        ("SOCIALCRM_MAX_PAGES", "abc"),
        ("SOCIALCRM_NOW", "garbage"),
        ("SOCIALCRM_LOG", "[[[["),
        ("SOCIALCRM_UPLOAD_POLL_MS", "soon"),
        ("SOCIALCRM_META_USAGE_SPACING_MS", "-1"),
    ] {
        let mut cmd = env.command(&["--database-url", &db.url, "db", "status"]);
        cmd.env(name, value);
        let run = env.run_cmd(cmd);
        let line = run.one_line_error(5);
        assert!(
            line.starts_with(&format!("error: {name}: '{value}'")),
            "{line}"
        );
    }
}

#[test]
fn bad_account_names_are_refused_before_any_round_trip() {
    let env = TestEnv::new();
    let long = "a".repeat(65);
    for name in ["", "   ", long.as_str(), "bad\u{1b}[31mname", "tab\there"] {
        for args in [
            &["connect", "tiktok", "--no-browser", "--account", name][..],
            &["sync", "--account", name][..],
            &["disconnect", "x", "--account", name][..],
        ] {
            let run = env.run(args);
            let line = run.one_line_error(2);
            assert!(line.contains("account name"), "{args:?}: {line}");
        }
    }
    // 64 characters is still a name.
    let ok = "a".repeat(64);
    let run = env.run(&["sync", "--account", &ok]);
    assert_ne!(run.code, 2, "{}", run.stderr);
}

/// Runs `cmd` to its end, or kills it after a minute: a run that blocks forever is a failure
/// this test reports instead of hanging the suite. (The bound is for a hang, never a speed.)
fn run_or_kill(env: &TestEnv, mut cmd: Command) -> crate::support::Run {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the binary blocked for a minute");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let _ = env;
    crate::support::Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn mkfifo(path: &std::path::Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

#[test]
fn a_config_file_must_be_a_small_regular_file() {
    let env = TestEnv::new();
    let db = TestDb::sqlite();
    let fifo = env.path().join("config.fifo");
    mkfifo(&fifo);
    let big = env.path().join("big.toml");
    // Valid TOML (comments), just too much of it.
    std::fs::write(&big, "# padding\n".repeat(200_000)).unwrap();
    let dir = env.path().join("a-directory");
    std::fs::create_dir(&dir).unwrap();
    for (path, says) in [
        (fifo.as_path(), "not a regular file"),
        (std::path::Path::new("/dev/zero"), "not a regular file"),
        (dir.as_path(), "not a regular file"),
        (big.as_path(), "larger than"),
    ] {
        let cmd = env.command(&[
            "--database-url",
            &db.url,
            "--config",
            path.to_str().unwrap(),
            "db",
            "status",
        ]);
        let run = run_or_kill(&env, cmd);
        let line = run.one_line_error(5);
        assert!(line.contains(says), "{}: {line}", path.display());
    }
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[cfg(unix)]
fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A FIFO, a socket, a directory and a symlink to a FIFO, each with mode 0644 (0755 for the
/// directory), in a temporary directory: what `/dev/null` is to the database path, without
/// touching `/dev/null`.
#[cfg(unix)]
fn special_files(
    env: &TestEnv,
) -> (
    Vec<(std::path::PathBuf, u32)>,
    std::os::unix::net::UnixListener,
) {
    let fifo = env.path().join("db.fifo");
    mkfifo(&fifo);
    set_mode(&fifo, 0o644);
    let socket = env.path().join("db.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    set_mode(&socket, 0o755);
    let dir = env.path().join("db.dir");
    std::fs::create_dir(&dir).unwrap();
    set_mode(&dir, 0o755);
    let target = env.path().join("target.fifo");
    mkfifo(&target);
    set_mode(&target, 0o644);
    let link = env.path().join("db.link");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let paths = vec![(fifo, 0o644), (socket, 0o755), (dir, 0o755), (link, 0o644)];
    (paths, listener)
}

#[cfg(unix)]
#[test]
fn a_database_path_that_is_not_a_regular_file_is_refused_untouched() {
    let env = TestEnv::new();
    let (paths, _listener) = special_files(&env);
    for (path, before) in &paths {
        for args in [&["db", "migrate"][..], &["fans", "list"][..]] {
            let url = format!("sqlite:{}", path.display());
            let mut all = vec!["--database-url", url.as_str()];
            all.extend_from_slice(args);
            let run = run_or_kill(&env, env.command(&all));
            let line = run.one_line_error(5);
            assert!(line.contains("not a regular file"), "{all:?}: {line}");
            assert_eq!(
                mode(path),
                *before,
                "{all:?} changed the mode of {}",
                path.display()
            );
        }
    }
}

#[test]
fn read_only_commands_do_not_create_a_mistyped_database() {
    let env = TestEnv::new();
    let missing = env.path().join("no/such/dir/x.db");
    let url = format!("sqlite:{}", missing.display());
    for args in [
        &["fans", "list"][..],
        &["db", "status"][..],
        &["messages", "list"][..],
        &["audit", "list"][..],
        &["accounts"][..],
        &["insights"][..],
    ] {
        let mut all = vec!["--database-url", url.as_str()];
        all.extend_from_slice(args);
        let run = env.run(&all);
        let line = run.one_line_error(5);
        assert!(line.contains("does not exist"), "{all:?}: {line}");
        assert!(
            !env.path().join("no").exists(),
            "{all:?} created directories"
        );
    }
    // secrets reset with the db backend, which opens the database for the secrets too.
    let mut cmd = env.command(&["--database-url", &url, "secrets", "reset"]);
    cmd.env("SOCIALCRM_SECRETS", "db")
        .env("SOCIALCRM_MASTER_KEY", "k");
    env.run_cmd(cmd).error_naming(5, &["does not exist"]);
    assert!(
        !env.path().join("no").exists(),
        "secrets reset created directories"
    );
    // db migrate (and commands that write) create it, directories included.
    env.run(&["--database-url", &url, "db", "migrate"]).ok();
    assert!(missing.is_file());
    env.run(&["--database-url", &url, "fans", "list"]).ok();
}

#[test]
fn read_only_commands_on_a_fresh_machine_still_work() {
    // The default database lives in socialcrm's own data directory: the quick start's first
    // `fans list` or `db status` must not fail.
    let env = TestEnv::new();
    env.run(&["fans", "list"]).ok();
    env.run(&["db", "status"]).ok();
}

#[test]
fn read_only_commands_on_a_fresh_postgres_schema_still_work() {
    let Some(db) = TestDb::postgres() else { return };
    let env = TestEnv::new();
    env.on(&db, &["fans", "list"]).ok();
    env.on(&db, &["db", "status"]).ok();
}

mod lost_keys {
    //! A lost `master.key` (file backend) or `SOCIALCRM_MASTER_KEY` (db backend): never a new
    //! key over secrets sealed under the old one, and `secrets reset` as the way out.

    use socialcrm::config::DatabaseTarget;
    use socialcrm::secrets::{self, Secret, SecretStore, SecretsBackend, SecretsSettings};
    use socialcrm::store::Batch;
    use socialcrm::store::model::Connection;

    use crate::support::{TestDb, TestEnv, text_pairs};

    const ACCOUNTS: [(&str, &str); 2] = [("tiktok", "default"), ("reddit", "alice")];

    fn settings(backend: SecretsBackend, master_key: Option<&str>) -> SecretsSettings {
        SecretsSettings {
            backend,
            master_key: master_key.map(Secret::new),
        }
    }

    fn open(
        env: &TestEnv,
        db: &DatabaseTarget,
        backend: SecretsBackend,
        master_key: Option<&str>,
    ) -> Result<Box<dyn SecretStore>, secrets::SecretError> {
        secrets::open(
            &settings(backend, master_key),
            db,
            &env.data_home().join("socialcrm"),
        )
    }

    /// Two connected accounts whose tokens are sealed under the key of `master_key`.
    fn seed(env: &TestEnv, db: &TestDb, backend: SecretsBackend, master_key: Option<&str>) {
        let mut store = db.open();
        store.ensure_current().unwrap();
        let mut secrets = open(env, &db.target, backend, master_key).unwrap();
        for (platform, account) in ACCOUNTS {
            let key = format!("socialcrm/{platform}/{account}");
            secrets
                .put(&key, &Secret::new(r#"{"access_token":"tok_PLAIN"}"#))
                .unwrap();
            store
                .upsert(Batch::Connections(&[Connection {
                    platform: platform.parse().unwrap(),
                    account: account.into(),
                    platform_user_id: Some(format!("{platform}-1")),
                    username: Some("someone".into()),
                    status: socialcrm::store::model::ConnectionStatus::Active,
                    secret_ref: Some(key),
                    ..Connection::default()
                }]))
                .unwrap();
        }
    }

    fn statuses(env: &TestEnv, db: &TestDb) -> Vec<(String, String)> {
        let run = env.crm(db, &["accounts"]);
        let mut out = text_pairs(&run.ok().json(), "platform", "status");
        out.sort();
        out
    }

    /// Runs `secrets reset` with `args` and returns its rows as (key, action).
    fn reset(
        env: &TestEnv,
        db: &TestDb,
        vars: &[(&str, &str)],
        args: &[&str],
    ) -> Vec<(String, String)> {
        let mut all = vec![
            "--database-url",
            db.url.as_str(),
            "-o",
            "json",
            "secrets",
            "reset",
        ];
        all.extend_from_slice(args);
        let mut cmd = env.command(&all);
        cmd.envs(vars.iter().copied());
        let run = env.run_cmd(cmd);
        text_pairs(&run.ok().json(), "key", "action")
    }

    fn reset_story(db: TestDb, backend: SecretsBackend) {
        let env = TestEnv::new();
        let key_file = env.data_home().join("socialcrm/secrets/master.key");
        let (old, new) = match backend {
            SecretsBackend::File => (None, None),
            _ => (Some("old horse"), Some("new horse")),
        };
        seed(&env, &db, backend, old);
        let mut vars = vec![("SOCIALCRM_SECRETS", backend.name())];
        if let Some(new) = new {
            vars.push(("SOCIALCRM_MASTER_KEY", new));
        }
        if backend == SecretsBackend::File {
            std::fs::remove_file(&key_file).unwrap();
            // Any command that opens the store: the key is not replaced, and the error says so.
            let mut cmd = env.command(&["--database-url", &db.url, "-o", "json", "doctor"]);
            cmd.envs(vars.iter().copied());
            let run = env.run_cmd(cmd);
            assert!(!key_file.exists(), "a new master.key was created");
            assert!(
                run.stdout.contains("master.key is missing but 2 secret(s)"),
                "{}",
                run.stdout
            );
        }

        // Listing deletes nothing.
        let listed = reset(&env, &db, &vars, &[]);
        assert_eq!(
            listed,
            [
                (
                    "socialcrm/reddit/alice".to_string(),
                    "would delete".to_string()
                ),
                (
                    "socialcrm/tiktok/default".to_string(),
                    "would delete".to_string()
                ),
            ]
        );
        assert_eq!(reset(&env, &db, &vars, &[]).len(), 2);

        // One platform, then the rest.
        let done = reset(&env, &db, &vars, &["--platform", "tiktok", "--yes"]);
        assert_eq!(
            done,
            [(
                "socialcrm/tiktok/default".to_string(),
                "deleted".to_string()
            )]
        );
        assert_eq!(
            statuses(&env, &db),
            [
                ("reddit".to_string(), "active".to_string()),
                ("tiktok".to_string(), "needs_reauth".to_string()),
            ]
        );
        let audit = env.crm(&db, &["audit", "list", "--action", "secrets_reset"]);
        let entries = audit.ok().json();
        assert_eq!(entries.as_array().unwrap().len(), 1, "{entries}");
        assert_eq!(entries[0]["platform"], "tiktok");
        assert!(!audit.stdout.contains("tok_PLAIN"));

        assert_eq!(reset(&env, &db, &vars, &["--yes"]).len(), 1);
        assert!(reset(&env, &db, &vars, &[]).is_empty());

        // The store takes new tokens again (a new master.key only now, with nothing left).
        let mut secrets = open(&env, &db.target, backend, new).unwrap();
        secrets
            .put("socialcrm/tiktok/default", &Secret::new("{}"))
            .unwrap();
        if backend == SecretsBackend::File {
            assert!(key_file.exists());
        }
    }

    crate::support::both_backends! {
        a_lost_master_key_file_is_never_replaced_and_reset_recovers: |db|
            reset_story(db, SecretsBackend::File);
        a_lost_db_master_key_is_recovered_by_reset: |db| reset_story(db, SecretsBackend::Db);
    }

    #[test]
    fn a_key_file_that_is_a_fifo_is_refused_without_blocking() {
        let env = TestEnv::new();
        let db = TestDb::sqlite();
        db.open().ensure_current().unwrap();
        let dir = env.data_home().join("socialcrm/secrets");
        std::fs::create_dir_all(&dir).unwrap();
        super::mkfifo(&dir.join("master.key"));
        let mut cmd = env.command(&["--database-url", &db.url, "-o", "json", "doctor"]);
        cmd.env("SOCIALCRM_SECRETS", "file");
        let run = super::run_or_kill(&env, cmd);
        assert!(
            run.stdout.contains("a FIFO, not a regular file"),
            "{}",
            run.stdout
        );
    }
}

#[cfg(unix)]
#[test]
fn a_secrets_directory_that_is_a_symlink_keeps_its_targets_mode() {
    let env = TestEnv::new();
    let db = TestDb::sqlite();
    db.open().ensure_current().unwrap();
    let shared = env.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    set_mode(&shared, 0o755);
    let data = env.data_home().join("socialcrm");
    std::fs::create_dir_all(&data).unwrap();
    std::os::unix::fs::symlink(&shared, data.join("secrets")).unwrap();
    let mut cmd = env.command(&["--database-url", &db.url, "doctor"]);
    cmd.env("SOCIALCRM_SECRETS", "file");
    env.run_cmd(cmd);
    assert_eq!(mode(&shared), 0o755, "the symlink's target was chmodded");
}

#[cfg(unix)]
#[test]
fn man_pages_are_never_written_into_a_fifo() {
    let env = TestEnv::new();
    let dir = env.path().join("man");
    std::fs::create_dir(&dir).unwrap();
    mkfifo(&dir.join("socialcrm-db.1"));
    let run = run_or_kill(&env, env.command(&["man", "--dir", dir.to_str().unwrap()]));
    run.error_naming(1, &["not a regular file"]);
}
