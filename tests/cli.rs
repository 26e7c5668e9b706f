//! The real binary, as a person or a script runs it.

use socialcrm::store::Batch;
use socialcrm::store::model::Fan;
use socialcrm::vocab::PlatformId;

use crate::support::both_backends;
use crate::support::{TestDb, TestEnv, array, assert_contains, texts};

fn seed_fans(db: &TestDb, n: usize) {
    let mut store = db.open();
    store.ensure_current().unwrap();
    let fans: Vec<Fan> = (0..n)
        .map(|i| Fan {
            platform: PlatformId::Onlyfans,
            platform_user_id: format!("of-{i}"),
            account: "default".into(),
            username: Some(format!("fan{i}")),
            display_name: Some(format!("Fan Number {i}")),
            status: Some("active".into()),
            lifetime_spend_cents: Some(1000 + i as i64),
            currency: Some("USD".into()),
            source: "csv".into(),
            ..Fan::default()
        })
        .collect();
    store.upsert(Batch::Fans(&fans)).unwrap();
}

/// The listing commands, end to end, on one backend.
fn listings_work_end_to_end(db: &TestDb) {
    seed_fans(db, 5);
    let env = TestEnv::new();
    let url = db.url.as_str();

    let run = env.run(&[
        "--database-url",
        url,
        "-o",
        "json",
        "fans",
        "list",
        "--limit",
        "2",
    ]);
    let page = run.ok().json();
    assert_eq!(page.as_array().unwrap().len(), 2);
    assert_eq!(page[0]["username"], "fan0");
    assert_eq!(page[0]["lifetime_spend_cents"], 1000);
    assert_eq!(page[0]["message_count"], 0);
    assert_eq!(page[0]["account"], "default");
    let last = page[1]["relationship_id"].as_i64().unwrap().to_string();
    assert!(
        run.stderr.contains(&format!("--after {last}")),
        "{}",
        run.stderr
    );

    let rest = env
        .run(&[
            "--database-url",
            url,
            "-o",
            "json",
            "fans",
            "list",
            "--after",
            &last,
        ])
        .ok()
        .json();
    assert_eq!(rest.as_array().unwrap().len(), 3);

    let csv = env.run(&[
        "--database-url",
        url,
        "--output",
        "csv",
        "fans",
        "list",
        "--search",
        "NUMBER 3",
    ]);
    let lines: Vec<&str> = csv.ok().stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", csv.stdout);
    assert!(
        lines[0].starts_with("id,relationship_id,platform,account,platform_user_id,username"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains(",of-3,fan3,Fan Number 3,active,") && lines[1].contains(",10.03,USD,")
    );

    let shown = env
        .run(&[
            "--database-url",
            url,
            "-o",
            "json",
            "fans",
            "show",
            "onlyfans:@FAN4",
        ])
        .ok()
        .json();
    assert_eq!(shown["fan"]["platform_user_id"], "of-4");
    assert_eq!(shown["relationships"][0]["account"], "default");
    assert_eq!(shown["organization_spend"][0]["cents"], 1004);

    let table = env.run(&["--database-url", url, "fans", "show", "onlyfans:of-2"]);
    assert!(table.ok().stdout.contains("Fan Number 2"));

    let missing = env.run(&["--database-url", url, "fans", "show", "onlyfans:nobody"]);
    missing.error_naming(1, &["no fan matches 'onlyfans:nobody'"]);

    let none = env.run(&["--database-url", url, "-o", "json", "messages", "list"]);
    assert_eq!(none.ok().json(), serde_json::json!([]));
    let audit = env.run(&["--database-url", url, "-o", "csv", "audit", "list"]);
    assert_eq!(
        audit.ok().stdout.trim(),
        "id,event_id,at,actor,action,platform,account,outcome,detail"
    );

    let status = env
        .run(&["--database-url", url, "-o", "json", "db", "status"])
        .ok()
        .json();
    assert_eq!(status["schema_version"], status["latest_schema_version"]);
    assert_eq!(status["state"], "current");
    let fans = array(&status["tables"])
        .iter()
        .find(|t| t["table"] == "fans")
        .unwrap()
        .clone();
    assert_eq!(fans["rows"], 5);
}

both_backends! {
    listings_work_end_to_end: |db| {
        listings_work_end_to_end(&db);
        if db.url.starts_with("postgres") {
            let env = TestEnv::new();
            let status = env.on(&db, &["db", "status"]);
            assert!(status.ok().stdout.contains("postgres"));
        }
    };
}

#[test]
fn the_default_database_is_private_and_created_on_first_use() {
    let env = TestEnv::new();
    let status = env.run(&["-o", "json", "db", "status"]).ok().json();
    assert_eq!(status["backend"], "sqlite");
    assert_eq!(status["state"], "pending");
    let path = env.data_home().join("socialcrm/crm.db");
    assert_eq!(status["location"], path.display().to_string());

    let migrated = env.run(&["-o", "json", "db", "migrate"]).ok().json();
    assert_eq!(migrated["from_version"], 0);
    let versions: Vec<i64> = socialcrm::store::migrations()[0]
        .1
        .iter()
        .map(|m| m.version)
        .collect();
    assert_eq!(migrated["applied"], serde_json::json!(versions));
    let again = env.run(&["-o", "json", "db", "migrate"]).ok().json();
    assert_eq!(again["applied"], serde_json::json!([]));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
    }
}

#[test]
fn an_unreachable_postgres_is_a_config_error_without_the_password() {
    let env = TestEnv::new();
    let run = env.run(&[
        "--database-url",
        "postgres://nobody:secret@127.0.0.1:1/x",
        "db",
        "status",
    ]);
    let line = run.one_line_error(5);
    assert_contains(line, "postgres://nobody:***@127.0.0.1:1/x");
    assert!(!line.contains("secret"), "{line}");
    assert!(!run.stdout.contains("secret"));

    // The same through the environment, for cron.
    let mut cmd = env.command(&["fans", "list"]);
    cmd.env(
        "SOCIALCRM_DATABASE_URL",
        "postgres://nobody:secret@127.0.0.1:1/x",
    );
    let run = env.run_cmd(cmd);
    assert!(!run.one_line_error(5).contains("secret"));
}

#[test]
fn a_newer_schema_is_refused_with_a_hint() {
    let db = TestDb::sqlite();
    db.open().migrate().unwrap();
    db.exec(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')",
    );
    let env = TestEnv::new();
    env.on(&db, &["fans", "list"])
        .error_naming(5, &["schema version 999", "upgrade socialcrm"]);
    let status = env.crm_json(&db, &["db", "status"]);
    assert_eq!(status["state"], "newer");
}

#[test]
fn an_unknown_output_format_is_a_usage_error() {
    let env = TestEnv::new();
    env.run(&["--output", "xml", "fans", "list"])
        .error_naming(2, &["'xml'", "table, json, csv"]);

    let mut cmd = env.command(&["fans", "list"]);
    cmd.env("SOCIALCRM_OUTPUT", "yaml");
    env.run_cmd(cmd).one_line_error(2);

    let dir = env.config_home().join("socialcrm");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), "output = \"xml\"\n").unwrap();
    env.run(&["fans", "list"])
        .error_naming(5, &["config.toml:1:10", "xml"]);
}

#[test]
fn a_bad_config_file_names_line_and_column() {
    let env = TestEnv::new();
    let path = env.file(
        "bad.toml",
        "# settings\noutput = \"json\"\n[tiktok]\nclient_key = = 3\n",
    );
    env.run(&["--config", path.to_str().unwrap(), "fans", "list"])
        .error_naming(5, &["bad.toml:4:14"]);

    let missing = env.path().join("missing.toml");
    env.run(&["--config", missing.to_str().unwrap(), "fans", "list"])
        .error_naming(5, &["missing.toml"]);
}

#[test]
fn a_bad_platform_variable_is_a_config_error() {
    let env = TestEnv::new();
    let mut cmd = env.command(&["fans", "list"]);
    cmd.env("ENABLE_TIKTOK_INSIGHTS", "sometimes")
        .env("TIKTOK_CLIENT_SECRET", "s3cret");
    let line = env.run_cmd(cmd).one_line_error(5).to_string();
    assert!(
        line.contains("ENABLE_TIKTOK_INSIGHTS") && !line.contains("s3cret"),
        "{line}"
    );
}

#[test]
fn an_unwritable_data_directory_is_a_config_error() {
    let env = TestEnv::new();
    // A regular file where a directory must be: fails even for root.
    let blocker = env.file("not-a-dir", "");
    let mut cmd = env.command(&["fans", "list"]);
    cmd.env("XDG_DATA_HOME", blocker.join("data"));
    env.run_cmd(cmd)
        .error_naming(5, &["cannot open SQLite database", "hint:"]);
}

#[test]
fn help_reads_for_every_command() {
    let env = TestEnv::new();
    let top = env.run(&["--help"]);
    for word in [
        "fans",
        "messages",
        "audit",
        "db",
        "completions",
        "man",
        "--database-url",
        "Exit codes",
    ] {
        assert!(top.ok().stdout.contains(word), "--help lacks {word}");
    }
    for args in [
        &["db", "migrate", "--help"][..],
        &["db", "status", "--help"],
        &["fans", "list", "--help"],
        &["fans", "show", "--help"],
        &["messages", "list", "--help"],
        &["audit", "list", "--help"],
        &["completions", "--help"],
        &["man", "--help"],
    ] {
        let run = env.run(args);
        assert!(run.ok().stdout.contains("Usage: socialcrm"), "{args:?}");
    }
    let version = env.run(&["--version"]);
    assert_eq!(
        version.ok().stdout.trim(),
        format!("socialcrm {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completions_and_man_print() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish"] {
        let run = env.run(&["completions", shell]);
        assert!(run.ok().stdout.contains("socialcrm"), "{shell}");
    }
    assert!(
        env.run(&["man"])
            .ok()
            .stdout
            .starts_with(".ie \\n(.g .ds Aq")
    );
    let dir = env.path().join("man1");
    env.run(&["man", "--dir", dir.to_str().unwrap()]).ok();
    assert!(dir.join("socialcrm-fans-list.1").exists());
}

/// `completions/` and `man/` are committed; this fails when they no longer match the CLI.
/// `SOCIALCRM_REGENERATE=1 cargo test generated_files_are_fresh` rewrites them.
#[test]
fn generated_files_are_fresh() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let regenerate = std::env::var_os("SOCIALCRM_REGENERATE").is_some();
    let files = socialcrm::app::generated_files();
    let mut stale = Vec::new();
    for (rel, content) in &files {
        let path = root.join(rel);
        if std::fs::read(&path).ok().as_deref() != Some(content.as_slice()) {
            if regenerate {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, content).unwrap();
            } else {
                stale.push(rel.display().to_string());
            }
        }
    }
    let known: Vec<_> = files.iter().map(|(p, _)| p.clone()).collect();
    for entry in std::fs::read_dir(root.join("man")).into_iter().flatten() {
        let rel = std::path::Path::new("man").join(entry.unwrap().file_name());
        if !known.contains(&rel) {
            stale.push(format!("{} (no longer generated)", rel.display()));
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files: {stale:?}; run `SOCIALCRM_REGENERATE=1 cargo test generated_files_are_fresh` and commit"
    );
}

#[test]
fn the_man_page_renders() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let Ok(out) = std::process::Command::new("man")
        .args(["-l", root.join("man/socialcrm.1").to_str().unwrap()])
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .output()
    else {
        crate::support::skipped("no `man` on this machine");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("socialcrm") && text.contains("--database-url"),
        "{text}"
    );
}

#[test]
fn secrets_stay_out_of_debug_logs() {
    let env = TestEnv::new();
    let mut cmd = env.command(&[
        "-vvv",
        "--database-url",
        "postgres://ops:pgsecret@127.0.0.1:1/crm",
        "db",
        "status",
    ]);
    cmd.env("TIKTOK_CLIENT_SECRET", "s3cret-tiktok")
        .env("TWITTER_BEARER_TOKEN", "bearer-xyz");
    let run = env.run_cmd(cmd);
    assert_eq!(run.code, 5);
    assert!(
        run.stderr.contains("configuration resolved"),
        "debug logs ran: {}",
        run.stderr
    );
    for secret in ["pgsecret", "s3cret-tiktok", "bearer-xyz"] {
        assert!(
            !run.stderr.contains(secret) && !run.stdout.contains(secret),
            "{secret} leaked: {}",
            run.stderr
        );
    }
}

/// OnlyFans has no API: `connect onlyfans` explains how its data gets in (no OAuth round trip,
/// no credentials asked for, nothing written), and `sync onlyfans` says so in one line.
#[test]
fn onlyfans_connect_explains_the_import_and_sync_refuses_in_one_line() {
    let env = TestEnv::new();
    let guide = env.run(&["connect", "onlyfans"]);
    guide.ok();
    for kind in ["fans", "messages", "earnings"] {
        assert!(
            guide
                .stdout
                .contains(&format!("socialcrm import-csv onlyfans {kind} ")),
            "{}",
            guide.stdout
        );
    }
    assert!(guide.stdout.contains("no API"), "{}", guide.stdout);
    assert!(guide.stdout.contains("delete"), "{}", guide.stdout);
    assert!(!guide.stdout.contains("tiktok"), "{}", guide.stdout);
    assert!(
        !env.default_db_exists(),
        "connect onlyfans wrote a database"
    );

    let sync = env.run(&["sync", "onlyfans"]);
    let line = sync.one_line_error(2);
    assert!(
        line.contains("import-csv onlyfans") && !line.contains("connect tiktok"),
        "{line}"
    );
}

/// Help is an answer, not an error: bare `socialcrm` and a command group without its subcommand
/// print help on stdout and exit 0 (as cargo and gh do); `help --help` works; a subcommand's help
/// names the global options in one line instead of repeating their block, and no help shows an
/// empty `[env: NAME=]`.
#[test]
fn help_goes_to_stdout_and_names_the_global_options_once() {
    let env = TestEnv::new();
    for args in [&[][..], &["fans"], &["help", "--help"], &["help", "-h"]] {
        let run = env.run(args);
        run.ok();
        assert!(run.stdout.contains("Usage: socialcrm"), "{args:?}: {run:?}");
        assert!(run.stderr.is_empty(), "{args:?}: {}", run.stderr);
    }
    let top = env.run(&["--help"]);
    assert!(top.ok().stdout.contains("--database-url <URL>"));
    for args in [
        &["fans", "list", "--help"][..],
        &["sync", "-h"],
        &["db", "status", "--help"],
    ] {
        let run = env.run(args);
        let help = &run.ok().stdout;
        assert!(!help.contains("--database-url <URL>"), "{args:?}: {help}");
        assert!(
            help.contains("`socialcrm --help` describes them"),
            "{args:?}: {help}"
        );
        assert!(!help.contains("=]"), "{args:?}: {help}");
    }
    // Still accepted after the subcommand.
    let url = format!("sqlite:{}", env.path().join("x.db").display());
    env.run(&["db", "migrate", "--database-url", &url, "-o", "json", "-q"])
        .ok();
}

/// Fans whose names a platform controls: an escape sequence, a bidi override, formulas.
fn seed_hostile_fans(db: &TestDb) {
    let mut store = db.open();
    store.ensure_current().unwrap();
    let fan = |id: &str, username: &str, display: &str| Fan {
        platform: PlatformId::Tiktok,
        platform_user_id: id.into(),
        account: "main".into(),
        username: Some(username.into()),
        display_name: Some(display.into()),
        lifetime_spend_cents: Some(1250),
        currency: Some("USD".into()),
        source: "api".into(),
        ..Fan::default()
    };
    store
        .upsert(Batch::Fans(&[
            fan(
                "tt-1",
                "=HYPERLINK(\"http://evil.example\",\"x\")",
                "\u{1b}]0;pwned\u{7}\u{1b}[31mRed\u{202e}txet\r\nfake row",
            ),
            fan("tt-2", "@SUM(1+1)", "-12.50"),
            fan("tt-3", "+cmd|' /C calc'!A0", "\tTabbed"),
        ]))
        .unwrap();
}

/// Regression: names synced from platforms were printed raw: ESC sequences reached the terminal
/// in tables, and CSV cells starting with `=`, `+`, `-`, `@`, tab or CR ran as spreadsheet
/// formulas. Tables now show control and bidi characters escaped, CSV prefixes `'` to such cells
/// (plain numbers stay numbers), `--csv-raw` turns that off, and JSON stays exact.
fn platform_text_is_neutralised_in_tables_and_csv(db: &TestDb) {
    seed_hostile_fans(db);
    let env = TestEnv::new();
    let url = db.url.as_str();

    let table = env.run(&["--database-url", url, "fans", "list"]);
    let out = &table.ok().stdout;
    for raw in ['\u{1b}', '\u{7}', '\u{202e}', '\r'] {
        assert!(!out.contains(raw), "{raw:?} reached the terminal: {out:?}");
    }
    // Piped, tabs separate the columns: a tab from a platform must not add one.
    let columns = out.lines().next().unwrap().split('\t').count();
    for line in out.lines() {
        assert_eq!(line.split('\t').count(), columns, "a raw tab in {line:?}");
    }
    assert!(
        out.contains(r"\x1b]0;pwned\x07\x1b[31mRed\u{202e}txet\r\nfake row"),
        "{out}"
    );
    assert!(out.contains(r"\tTabbed"), "{out}");
    let detail = env.run(&["--database-url", url, "fans", "show", "tiktok:tt-1"]);
    assert!(!detail.ok().stdout.contains('\u{1b}'), "{}", detail.stdout);
    // Error lines quote what they were given: escaped too.
    let missing = env.run(&["--database-url", url, "fans", "show", "tiktok:\u{1b}[2Jx"]);
    let line = missing.one_line_error(1);
    assert!(
        line.contains(r"\x1b[2Jx") && !line.contains('\u{1b}'),
        "{line:?}"
    );

    let csv = env.run(&["--database-url", url, "-o", "csv", "fans", "list"]);
    let rows = &csv.ok().stdout;
    assert!(
        rows.contains(r#",tt-1,"'=HYPERLINK(""http://evil.example"",""x"")","#),
        "{rows}"
    );
    assert!(rows.contains(r#",tt-2,"'@SUM(1+1)",-12.50,"#), "{rows}");
    assert_contains(rows, ",tt-3,\"'+cmd|' /C calc'!A0\",\"'\tTabbed\",");
    assert!(
        rows.contains(",12.50,USD,"),
        "a plain number stays a number: {rows}"
    );

    let raw = env.run(&[
        "--database-url",
        url,
        "--csv-raw",
        "-o",
        "csv",
        "fans",
        "list",
    ]);
    let rows = &raw.ok().stdout;
    assert_contains(rows, ",tt-2,@SUM(1+1),-12.50,");
    assert!(
        rows.contains(r#",tt-1,"=HYPERLINK(""http://evil.example"",""x"")","#),
        "{rows}"
    );

    let json = env
        .run(&["--database-url", url, "-o", "json", "fans", "list"])
        .ok()
        .json();
    let names = texts(&json, "display_name");
    assert_eq!(
        names,
        [
            "\u{1b}]0;pwned\u{7}\u{1b}[31mRed\u{202e}txet\r\nfake row",
            "-12.50",
            "\tTabbed"
        ]
    );
}

both_backends! {
    platform_text_is_neutralised_in_tables_and_csv: |db| platform_text_is_neutralised_in_tables_and_csv(&db);
}

/// Regression: `-o csv ... | head -1` exited 1 with "Broken pipe" (the CSV writer wrapped the
/// error); a reader that closes the pipe early is not a failure in any format.
#[test]
fn a_closed_stdout_pipe_is_exit_0_in_every_format() {
    let db = TestDb::sqlite();
    // More than the CSV writer's buffer, so rows are written (and fail) before the last flush.
    seed_fans(&db, 1000);
    let env = TestEnv::new();
    for format in ["csv", "json", "table"] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut cmd = env.command(&[
            "--database-url",
            &db.url,
            "-o",
            format,
            "fans",
            "list",
            "--limit",
            "1000",
        ]);
        cmd.stdout(writer);
        let run = env.run_cmd(cmd);
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        assert!(run.stderr.is_empty(), "{format}: {}", run.stderr);
    }
}

/// Regression: a config file holding a secret at mode 0644 was accepted when the same setting
/// also came from the environment or a flag (the file's value was never read, so never checked).
/// The secret is on disk, readable by others, either way: it is refused in every case.
#[cfg(unix)]
#[test]
fn a_world_readable_config_secret_is_refused_even_when_env_or_a_flag_overrides_it() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let db = TestDb::sqlite();
    // A database that exists: read-only commands never create one.
    db.open().ensure_current().unwrap();
    let dir = env.config_home().join("socialcrm");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    let cases = [
        (
            "[tiktok]\nclient_secret = \"file-secret-1\"\n",
            vec![("TIKTOK_CLIENT_SECRET", "env-secret")],
            "tiktok.client_secret",
        ),
        (
            "[x]\nconsumer_secret = \"file-secret-2\"\n",
            vec![("NEXT_PUBLIC_TWITTER_CONSUMER_SECRET", "env-secret")],
            "x.consumer_secret",
        ),
        (
            "database_url = \"postgres://u:file-secret-3@127.0.0.1:1/db\"\n",
            vec![],
            "database_url",
        ),
    ];
    for (text, vars, key) in cases {
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        // The database URL also comes from a flag, which wins over the file.
        let mut cmd = env.command(&["--database-url", &db.url, "fans", "list"]);
        cmd.envs(vars);
        let run = env.run_cmd(cmd);
        let line = run.one_line_error(5);
        assert!(
            line.contains(key) && line.contains("chmod 600") && !line.contains("file-secret"),
            "{line}"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let mut cmd = env.command(&["--database-url", &db.url, "fans", "list"]);
        cmd.envs([("TIKTOK_CLIENT_SECRET", "env-secret")]);
        env.run_cmd(cmd).ok();
    }
}
