//! `connect`, `accounts`, `disconnect` through the binary against the fake TikTok, with a fake
//! browser that clicks "Authorize".

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::fake_tiktok::{
    CLIENT_KEY, CLIENT_SECRET, Consent, FakeBrowser, FakeTikTok, PkceEncoding, TOKEN_PATH,
    USER_INFO_PATH,
};
use crate::support::{Run, TestEnv, array, assert_contains, texts};

use crate::support::world::MASTER_KEY;

/// The binary with the fake's base URL, the app's credentials and the file secrets backend.
pub fn command(env: &TestEnv, fake: &FakeTikTok, args: &[&str]) -> Command {
    let mut cmd = env.command(args);
    fake.apply(&mut cmd);
    cmd.env("TIKTOK_CLIENT_KEY", CLIENT_KEY)
        .env("TIKTOK_CLIENT_SECRET", CLIENT_SECRET)
        .env("SOCIALCRM_SECRETS", "file")
        .env("SOCIALCRM_MASTER_KEY", MASTER_KEY);
    cmd
}

pub fn run(env: &TestEnv, fake: &FakeTikTok, browser: Option<&FakeBrowser>, args: &[&str]) -> Run {
    let mut cmd = command(env, fake, args);
    match browser {
        Some(b) => b.apply(&mut cmd),
        // A browser that opens nothing: the authorization never comes back.
        None => {
            cmd.env("BROWSER", "true");
        }
    }
    env.run_cmd(cmd)
}

/// Connects with the fake browser; logs at -vv so the leak checks see everything.
pub fn connect(env: &TestEnv, fake: &FakeTikTok, browser: &FakeBrowser, extra: &[&str]) -> Run {
    let mut args = vec!["-vv", "-o", "json", "connect", "tiktok", "--timeout", "20"];
    args.extend_from_slice(extra);
    run(env, fake, Some(browser), &args)
}

/// Connects without logs, for checking one-line errors.
fn connect_quietly(env: &TestEnv, fake: &FakeTikTok, browser: &FakeBrowser) -> Run {
    run(
        env,
        fake,
        Some(browser),
        &["-o", "json", "connect", "tiktok", "--timeout", "20"],
    )
}

fn accounts(env: &TestEnv, fake: &FakeTikTok, extra: &[&str]) -> Run {
    let mut args = vec!["-vv", "-o", "json", "accounts"];
    args.extend_from_slice(extra);
    run(env, fake, None, &args)
}

/// Rows in `table`, as `db status` reports them.
pub fn table_rows(env: &TestEnv, fake: &FakeTikTok, table: &str) -> i64 {
    run(env, fake, None, &["-o", "json", "db", "status"])
        .ok()
        .table_rows(table)
}

/// Every file under `dir`, as bytes.
pub fn all_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(all_bytes(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path.display().to_string(), bytes));
        }
    }
    out
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Asserts that none of `values` (tokens, secrets) is in any run's stdout or stderr, or in
/// plain text in any file under `dir`.
pub fn assert_not_leaked(values: &[String], runs: &[crate::support::Run], dir: &Path) {
    for value in values {
        for run in runs {
            assert!(
                !run.stdout.contains(value.as_str()) && !run.stderr.contains(value.as_str()),
                "a token leaked into output"
            );
        }
        for (name, bytes) in all_bytes(dir) {
            assert!(
                !contains(&bytes, value),
                "a token is in plain text in {name}"
            );
        }
    }
}

/// The `--no-browser` paste flow: runs `cmd`, reads the authorization URL it prints, "clicks
/// Authorize" and pastes the address the browser lands on. The process's output once done.
pub fn paste_flow(mut cmd: Command) -> (String, std::process::Output) {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut lines = stderr.lines();
    let mut seen = Vec::new();
    let url = lines
        .by_ref()
        .map(|l| l.unwrap())
        .find_map(|l| {
            let url = l.trim().starts_with("http").then(|| l.trim().to_string());
            seen.push(l);
            url
        })
        .expect("the authorization URL is printed");
    let landed = crate::support::browser::click_authorize(&url);
    writeln!(child.stdin.take().unwrap(), "{landed}").unwrap();
    seen.extend(lines.map(|l| l.unwrap()));
    let mut output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{seen:?}");
    // Standard error was read line by line above: hand it back whole.
    output.stderr = seen.join("\n").into_bytes();
    (landed, output)
}

/// A browser that cannot open (no display: `xdg-open` exits non-zero; `BROWSER=false`) never
/// leaves the user waiting for nothing: the address is printed, the failure is said, and the
/// address the browser ends on can be pasted although a loopback listener is waiting too.
#[test]
fn a_failing_browser_command_prints_the_address_and_takes_a_pasted_redirect() {
    let dir = tempfile::tempdir().unwrap();
    let failing = dir.path().join("no-display-opener");
    std::fs::write(&failing, "#!/bin/sh\necho 'no DISPLAY' >&2\nexit 3\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&failing, std::fs::Permissions::from_mode(0o755)).unwrap();
    for (browser, status) in [("false".to_string(), 1), (failing.display().to_string(), 3)] {
        let env = TestEnv::new();
        let fake = FakeTikTok::start();
        let args = ["-o", "json", "connect", "tiktok", "--timeout", "60"];
        let mut cmd = command(&env, &fake, &args);
        cmd.env("BROWSER", &browser)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut seen = Vec::new();
        let mut url = None;
        // The user reads the address and the opener's failure while connect still waits.
        for line in lines.by_ref() {
            let line = line.unwrap();
            if line.trim().starts_with("http") {
                url = Some(line.trim().to_string());
            }
            seen.push(line);
            if url.is_some() && seen.iter().any(|l| l.starts_with("warning: ")) {
                break;
            }
        }
        let url = url.unwrap_or_else(|| panic!("{browser}: no address in {seen:?}"));
        let warning = seen.iter().find(|l| l.starts_with("warning: ")).unwrap();
        assert!(
            warning.contains(&format!("exited with status {status}"))
                && warning.contains("paste the address"),
            "{browser}: {warning}"
        );
        let landed = crate::support::browser::click_authorize(&url);
        writeln!(child.stdin.take().unwrap(), "{landed}").unwrap();
        seen.extend(lines.map(|l| l.unwrap()));
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{browser}: {seen:?}");
        let who: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(who["username"], "testcreator", "{browser}");
        let stderr = seen.join("\n");
        assert!(!stderr.contains(CLIENT_SECRET), "{stderr}");
    }
}

#[test]
fn connect_shows_the_account_refreshes_on_expiry_and_disconnect_revokes() {
    let env = TestEnv::new();
    let fake = FakeTikTok::start();
    let browser = FakeBrowser::following_redirect();
    let mut runs = Vec::new();

    let connected = connect(&env, &fake, &browser, &[]);
    assert_eq!(
        connected.code,
        0,
        "{}\n{}",
        connected.stderr,
        browser.errors()
    );
    let who = connected.json();
    assert_eq!(who["username"], "testcreator");
    assert_eq!(who["platform"], "tiktok");
    assert_eq!(who["account"], "default");
    assert_eq!(who["secrets_backend"], "file");
    assert!(array(&who["scopes"]).iter().any(|s| s == "user.info.basic"));
    let opened = browser.opened_urls();
    assert_eq!(opened.len(), 1);
    assert!(
        opened[0].contains("client_key=fake-client-key")
            && opened[0].contains("code_challenge_method=S256")
    );
    runs.push(connected);

    let listed = accounts(&env, &fake, &[]);
    let rows = listed.ok().json();
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(
        (rows[0]["username"].as_str(), rows[0]["status"].as_str()),
        (Some("testcreator"), Some("active"))
    );
    runs.push(listed);

    // Connecting the same account again updates it, never duplicates.
    let again = connect(&env, &fake, &FakeBrowser::following_redirect(), &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    runs.push(again);
    assert_eq!(
        accounts(&env, &fake, &[]).json().as_array().unwrap().len(),
        1
    );

    // A forced expiry: the next API call gets a 401, refreshes, and retries.
    let refreshes_before = fake.requests_to(TOKEN_PATH).len();
    fake.expire_access_tokens_now();
    let checked = accounts(&env, &fake, &["--check"]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    let token_calls = fake.requests_to(TOKEN_PATH);
    assert_eq!(token_calls.len(), refreshes_before + 1, "one refresh");
    assert_eq!(
        token_calls.last().unwrap().form_field("grant_type"),
        Some("refresh_token")
    );
    let infos = fake.requests_to(USER_INFO_PATH);
    assert_eq!(
        infos
            .iter()
            .rev()
            .take(2)
            .map(|r| r.status)
            .collect::<Vec<_>>(),
        vec![200, 401]
    );
    runs.push(checked);
    // The rotated refresh token was stored: a second check uses the new pair without refreshing.
    let checked = accounts(&env, &fake, &["--check"]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    assert_eq!(fake.requests_to(TOKEN_PATH).len(), refreshes_before + 1);
    runs.push(checked);

    let audit = env
        .run(&["-o", "json", "audit", "list", "--platform", "tiktok"])
        .ok()
        .json();
    let actions = texts(&audit, "action");
    assert_eq!(actions, vec!["connect", "connect", "refresh"]);

    // Disconnect revokes at the platform and deletes the secret.
    let live = fake.last_grant().unwrap();
    let gone = run(
        &env,
        &fake,
        None,
        &["-vv", "-o", "json", "disconnect", "tiktok"],
    );
    assert_eq!(gone.code, 0, "{}", gone.stderr);
    assert_eq!(gone.json()[0]["status"], "revoked");
    assert!(
        fake.revoked().contains(&live.access_token),
        "the fake saw the revoke"
    );
    runs.push(gone);
    let after = accounts(&env, &fake, &["--check"]);
    assert_eq!(after.ok().json()[0]["status"], "revoked");
    let secrets = all_bytes(&env.data_home().join("socialcrm/secrets"));
    assert!(
        !secrets.iter().any(|(name, _)| name.contains("tiktok")),
        "no secret file is left for the connection: {:?}",
        secrets.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );

    // No token value anywhere: outputs at -vv, the database, the secrets files.
    let mut values = fake.issued_tokens();
    values.push(CLIENT_SECRET.to_string());
    for value in &values {
        for r in &runs {
            assert!(
                !r.stdout.contains(value.as_str()) && !r.stderr.contains(value.as_str()),
                "a token leaked into output"
            );
        }
        for (name, bytes) in all_bytes(&env.data_home())
            .iter()
            .chain(all_bytes(&env.config_home()).iter())
        {
            assert!(
                !contains(bytes, value),
                "a token is in plain text in {name}"
            );
        }
    }
    assert!(
        !fake
            .requests()
            .iter()
            .any(|r| r.url_contains(CLIENT_SECRET)),
        "the client secret never goes in a URL"
    );
}

#[test]
fn the_grant_refused_and_a_wrong_state_fail_in_one_line() {
    let env = TestEnv::new();
    let fake = FakeTikTok::start();
    fake.set_consent(Consent::Deny);
    let denied = connect_quietly(&env, &fake, &FakeBrowser::following_redirect());
    assert_eq!(denied.code, 1, "{}", denied.stderr);
    let line = denied.stderr.lines().last().unwrap();
    assert!(
        line.starts_with("error: authorization was refused: access_denied (The user denied)"),
        "{line}"
    );

    // A redirect with another state is answered with an error page and ignored: the wait goes
    // on until the timeout.
    fake.set_consent(Consent::WrongState);
    let browser = FakeBrowser::following_redirect();
    let forged = run(
        &env,
        &fake,
        Some(&browser),
        &["connect", "tiktok", "--timeout", "2"],
    );
    assert!(
        browser.wait_done(Duration::from_secs(5)).is_some(),
        "the browser reached the listener"
    );
    let line = forged.stderr.lines().last().unwrap_or_default().to_string();
    assert_eq!(forged.code, 1, "{}", forged.stderr);
    assert_contains(&line, "no authorization arrived within 2 s");
    assert!(
        accounts(&env, &fake, &[])
            .ok()
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_busy_port_a_timeout_and_missing_credentials_are_clear() {
    let env = TestEnv::new();
    let fake = FakeTikTok::start();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let taken = run(&env, &fake, None, &["connect", "tiktok", "--port", &port]);
    taken.error_naming(1, &[&format!("port {port}"), "--port"]);

    let waited = run(&env, &fake, None, &["connect", "tiktok", "--timeout", "1"]);
    assert_eq!(waited.code, 1);
    assert!(
        waited
            .stderr
            .contains("no authorization arrived within 1 s"),
        "{}",
        waited.stderr
    );

    let mut cmd = env.command(&["connect", "tiktok"]);
    fake.apply(&mut cmd);
    cmd.env("TIKTOK_CLIENT_SECRET", CLIENT_SECRET);
    env.run_cmd(cmd).error_naming(5, &["TIKTOK_CLIENT_KEY"]);
}

#[test]
fn the_pasted_redirect_finishes_a_no_browser_connect() {
    let env = TestEnv::new();
    let fake = FakeTikTok::start();
    let args = [
        "-o",
        "json",
        "connect",
        "tiktok",
        "--no-browser",
        "--timeout",
        "20",
    ];
    let mut cmd = command(&env, &fake, &args);
    cmd.env("BROWSER", "false");
    let (landed, output) = paste_flow(cmd);
    assert_contains(&landed, "/callback/");
    let who: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(who["username"], "testcreator");
}

#[test]
fn token_endpoint_failures_and_a_dead_refresh_token() {
    let env = TestEnv::new();
    let fake = FakeTikTok::start();

    // The platform refuses the exchange (here: it wants another PKCE encoding) with 400 JSON.
    fake.accept_pkce(PkceEncoding::Base64Url);
    let refused = connect(&env, &fake, &FakeBrowser::following_redirect(), &[]);
    let line = refused.stderr.lines().last().unwrap().to_string();
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        line.contains("the code exchange failed")
            && line.contains("invalid_request")
            && line.contains("log id"),
        "{line}"
    );
    fake.accept_pkce(PkceEncoding::Hex);

    fake.fail_next_token_call();
    let failed = connect(&env, &fake, &FakeBrowser::following_redirect(), &[]);
    assert_eq!(failed.code, 1);
    failed.stderr_has("HTTP 500");

    assert_eq!(
        connect(&env, &fake, &FakeBrowser::following_redirect(), &[]).code,
        0
    );
    fake.revoke_refresh_tokens();
    fake.expire_access_tokens_now();
    let dead = accounts(&env, &fake, &["--check"]);
    assert_eq!(dead.code, 4, "{}", dead.stderr);
    dead.stderr_has("run `socialcrm connect tiktok --account default`");
    assert_eq!(dead.json()[0]["status"], "needs_reauth");
    let again = accounts(&env, &fake, &["--check"]);
    assert_eq!(
        again.code, 4,
        "stays needing re-authentication without calling the platform"
    );
}

/// Two `accounts --check` at once after the access token expired: TikTok rotates refresh tokens,
/// so two refreshes would leave one process with a dead token. `hosts` separate data
/// directories (two machines sharing the database), which only the database's lock can order.
fn concurrent_checks_refresh_once(database_url: &str, secrets: &str, hosts: usize) {
    let envs: Vec<TestEnv> = (0..hosts).map(|_| TestEnv::new()).collect();
    let fake = FakeTikTok::start();
    let with_db = |env: &TestEnv, args: &[&str]| {
        let mut all = vec!["--database-url", database_url];
        all.extend_from_slice(args);
        let mut cmd = command(env, &fake, &all);
        cmd.env("SOCIALCRM_SECRETS", secrets).env("BROWSER", "true");
        cmd
    };
    let mut first = with_db(
        &envs[0],
        &["-o", "json", "connect", "tiktok", "--timeout", "20"],
    );
    let browser = FakeBrowser::following_redirect();
    browser.apply(&mut first);
    assert_eq!(envs[0].run_cmd(first).code, 0);
    fake.expire_access_tokens_now();
    let before = fake.requests_to(TOKEN_PATH).len();

    let children: Vec<_> = (0..4)
        .map(|i| {
            let env = &envs[i % hosts];
            let mut cmd = with_db(env, &["-o", "json", "accounts", "--check"]);
            cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    crate::support::all_succeed(children);
    let refreshes = fake.requests_to(TOKEN_PATH)[before..]
        .iter()
        .filter(|r| r.form_field("grant_type") == Some("refresh_token"))
        .count();
    assert_eq!(refreshes, 1, "exactly one process refreshed");
}

#[test]
fn processes_on_one_host_refresh_a_connection_once() {
    let env = TestEnv::new();
    let db = env.path().join("crm.db");
    concurrent_checks_refresh_once(&format!("sqlite:{}", db.display()), "file", 1);
}

#[test]
fn hosts_sharing_postgres_refresh_a_connection_once() {
    let Some(db) = crate::support::TestDb::postgres() else {
        return;
    };
    concurrent_checks_refresh_once(&db.url, "db", 2);
}

#[test]
fn a_sandbox_connection_keeps_using_the_sandbox_app() {
    let env = TestEnv::new();
    let fake = FakeTikTok::with_client("sandbox-key", "sandbox-secret");
    let sandboxed = |args: &[&str]| {
        let mut cmd = command(&env, &fake, args);
        cmd.env("TIKTOK_SANDBOX_CLIENT_KEY", "sandbox-key")
            .env("TIKTOK_SANDBOX_CLIENT_SECRET", "sandbox-secret");
        cmd
    };
    let mut connect = sandboxed(&[
        "-o",
        "json",
        "connect",
        "tiktok",
        "--sandbox",
        "--timeout",
        "20",
    ]);
    let browser = FakeBrowser::following_redirect();
    browser.apply(&mut connect);
    let run = env.run_cmd(connect);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(browser.opened_urls()[0].contains("client_key=sandbox-key"));

    // Later runs without --sandbox still refresh with the app that granted the token.
    fake.expire_access_tokens_now();
    let mut check = sandboxed(&["-o", "json", "accounts", "--check"]);
    check.env("BROWSER", "true");
    let run = env.run_cmd(check);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let refresh = fake.requests_to(TOKEN_PATH).into_iter().last().unwrap();
    assert_eq!(refresh.form_field("client_key"), Some("sandbox-key"));

    let mut purge = sandboxed(&["disconnect", "tiktok", "--purge"]);
    purge.env("BROWSER", "true");
    let run = env.run_cmd(purge);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stderr_has("purged 0 posts");
    assert_eq!(fake.revocations().len(), 1, "revoked with the sandbox app");
    assert_eq!(
        fake.requests_to(crate::support::fake_tiktok::REVOKE_PATH)[0].form_field("client_key"),
        Some("sandbox-key")
    );
}

#[test]
fn a_hosted_redirect_uri_waits_for_a_pasted_address() {
    let env = TestEnv::new();
    let fake = FakeTikTok::start();
    let mut cmd = command(&env, &fake, &["connect", "tiktok", "--timeout", "1"]);
    cmd.env(
        "TIKTOK_REDIRECT_URI",
        "https://crm.example.com/tiktok/callback",
    )
    .env("BROWSER", "true");
    let run = env.run_cmd(cmd);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("TIKTOK_REDIRECT_URI (https://crm.example.com/tiktok/callback) is not a loopback http address")
            && run.stderr.contains("paste the address your browser ends on"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("no authorization arrived within 1 s"));
}

fn checks(run: &Run) -> Vec<(String, String, String)> {
    array(&run.json())
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap().to_string();
            (s("check"), s("status"), s("detail"))
        })
        .collect()
}

fn check<'a>(all: &'a [(String, String, String)], name: &str) -> &'a (String, String, String) {
    all.iter()
        .find(|c| c.0 == name)
        .unwrap_or_else(|| panic!("no check {name} in {all:?}"))
}

#[test]
fn doctor_lists_every_problem_and_fails_when_one_is_found() {
    let env = TestEnv::new();
    let fake = FakeTikTok::start();
    let empty = run(&env, &fake, None, &["-o", "json", "doctor"]);
    assert_eq!(empty.code, 0, "{}", empty.stderr);
    let all = checks(&empty);
    assert_eq!(check(&all, "database").1, "ok");
    assert_eq!(check(&all, "secrets").1, "ok");
    assert_eq!(check(&all, "connections").1, "warn");

    assert_eq!(
        connect(&env, &fake, &FakeBrowser::following_redirect(), &[]).code,
        0
    );
    let fine = run(&env, &fake, None, &["-o", "json", "doctor"]);
    assert_eq!(fine.code, 0, "{}", fine.stderr);
    let all = checks(&fine);
    assert_eq!(
        check(&all, "tiktok default").2,
        "token valid for testcreator"
    );

    fake.revoke_refresh_tokens();
    fake.expire_access_tokens_now();
    let broken = run(&env, &fake, None, &["-o", "json", "doctor"]);
    assert_eq!(broken.code, 1, "{}", broken.stderr);
    let all = checks(&broken);
    let row = check(&all, "tiktok default");
    assert_eq!(row.1, "fail");
    assert!(
        row.2.contains("socialcrm connect tiktok --account default"),
        "{row:?}"
    );

    // A keychain that does not answer is one failed row, not an abort.
    let mut cmd = command(&env, &fake, &["-o", "json", "doctor"]);
    cmd.env("SOCIALCRM_SECRETS", "keychain")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let keychainless = env.run_cmd(cmd);
    assert_eq!(keychainless.code, 1);
    let all = checks(&keychainless);
    assert!(
        check(&all, "secrets").2.contains("no keychain answers"),
        "{all:?}"
    );
    assert_eq!(check(&all, "database").1, "ok");
}

#[test]
fn doctor_compares_the_clock_with_postgres() {
    let Some(db) = crate::support::TestDb::postgres() else {
        return;
    };
    let env = TestEnv::new();
    let fake = FakeTikTok::start();
    let out = run(
        &env,
        &fake,
        None,
        &["--database-url", &db.url, "-o", "json", "doctor"],
    );
    let all = checks(&out);
    let clock = check(&all, "clock");
    assert!(
        clock.2.ends_with("s from the database server's clock"),
        "{clock:?}"
    );
}

/// A first set-up learns everything it lacks in one run: every missing credential of the
/// platform (with its config key) and the secrets store's problem, in one line that points at the
/// README section and at `doctor --platform`, which lists each credential as set (from where,
/// never its value) or missing.
#[test]
fn missing_credentials_are_all_listed_at_once_and_doctor_shows_where_each_is_set() {
    let env = TestEnv::new();
    let mut cmd = env.command(&["connect", "tiktok"]);
    cmd.env("SOCIALCRM_SECRETS", "keychain")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let line = env.run_cmd(cmd).one_line_error(5).to_string();
    for part in [
        "TIKTOK_CLIENT_KEY ([tiktok] client_key",
        "TIKTOK_CLIENT_SECRET ([tiktok] client_secret",
        "no keychain answers",
        "README's \"TikTok\" section",
        "doctor --platform tiktok",
    ] {
        assert!(line.contains(part), "{part}: {line}");
    }
    for (platform, vars) in [
        (
            "instagram",
            &[
                "INSTAGRAM_APP_ID",
                "INSTAGRAM_APP_SECRET",
                "INSTAGRAM_REDIRECT_URI",
            ][..],
        ),
        ("reddit", &["REDDIT_CLIENT_ID", "REDDIT_REDIRECT_URI"]),
        ("x", &["TWITTER_CLIENT_ID", "TWITTER_REDIRECT_URI"]),
    ] {
        let line = env
            .run(&["connect", platform])
            .one_line_error(5)
            .to_string();
        for var in vars {
            assert!(line.contains(var), "{platform} {var}: {line}");
        }
    }

    std::fs::create_dir_all(env.config_home().join("socialcrm")).unwrap();
    let file = env.config_home().join("socialcrm/config.toml");
    std::fs::write(&file, "[tiktok]\nclient_secret = \"file-secret-value\"\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut cmd = env.command(&["-o", "json", "doctor", "--platform", "tiktok"]);
    cmd.env("SOCIALCRM_SECRETS", "file")
        .env("SOCIALCRM_MASTER_KEY", MASTER_KEY)
        .env("TIKTOK_REDIRECT_URI", "http://127.0.0.1:3455/callback/");
    let doctor = env.run_cmd(cmd);
    assert_eq!(doctor.code, 1, "{}", doctor.stderr);
    let all = checks(&doctor);
    let key = check(&all, "tiktok TIKTOK_CLIENT_KEY");
    assert_eq!(key.1, "fail");
    assert!(
        key.2.contains("missing") && key.2.contains("client_key"),
        "{key:?}"
    );
    let secret = check(&all, "tiktok TIKTOK_CLIENT_SECRET");
    assert_eq!(secret.1, "ok");
    assert!(
        secret.2.contains("config file") && secret.2.contains("config.toml:2"),
        "{secret:?}"
    );
    let redirect = check(&all, "tiktok TIKTOK_REDIRECT_URI");
    assert_eq!(redirect.1, "ok");
    assert_eq!(redirect.2, "set in the environment (TIKTOK_REDIRECT_URI)");
    assert!(!doctor.stdout.contains("file-secret-value"));

    let onlyfans = env.run(&["-o", "json", "doctor", "--platform", "onlyfans"]);
    let all = checks(&onlyfans);
    let row = check(&all, "onlyfans");
    assert!(row.2.contains("import-csv onlyfans"), "{row:?}");
    assert!(
        !onlyfans.stdout.contains("connect tiktok"),
        "{}",
        onlyfans.stdout
    );
}

/// `-v` logs each request a person debugging a sync needs: method, host, path, status and time,
/// never the query (user info's `fields`, Instagram's secrets) nor a token; retries wait for
/// `-vv`.
#[test]
fn verbose_logs_each_request_without_its_query_or_secrets() {
    let env = TestEnv::new();
    let fake = FakeTikTok::start();
    let browser = FakeBrowser::following_redirect();
    let run = run(
        &env,
        &fake,
        Some(&browser),
        &["-v", "-o", "json", "connect", "tiktok", "--timeout", "20"],
    );
    run.ok();
    let requests = run.stderr_lines(" HTTP ");
    let token = requests
        .iter()
        .find(|l| l.contains(&format!("path={TOKEN_PATH}")))
        .unwrap_or_else(|| panic!("no token request logged: {}", run.stderr));
    assert!(
        token.contains("method=POST") && token.contains("status=200") && token.contains("ms="),
        "{token}"
    );
    let info = requests
        .iter()
        .find(|l| l.contains(&format!("path={USER_INFO_PATH}")))
        .unwrap_or_else(|| panic!("no user info request logged: {}", run.stderr));
    assert!(
        info.contains("method=GET") && info.contains("host=127.0.0.1"),
        "{info}"
    );
    assert!(
        !run.stderr.contains("fields="),
        "a query was logged: {}",
        run.stderr
    );
    assert!(!run.stderr.contains(CLIENT_SECRET), "{}", run.stderr);
    assert!(
        !run.stderr.contains("configuration resolved"),
        "-v dumps the configuration"
    );
}

/// Regression: the OAuth loopback listener (tiny_http) buffered request heads without a limit (a
/// 200 MB header line grew the process to 208 MB) and spawned a thread per connection without a
/// cap (500 idle connections, 499 threads). It now refuses a head over its bound with 431 as soon
/// as the bound is passed, caps its connections (503 above), and still takes the real redirect.
#[test]
fn the_loopback_listener_bounds_heads_and_connections() {
    use std::io::Read;
    use std::net::TcpStream;
    let env = TestEnv::new();
    let fake = FakeTikTok::start();
    let port = crate::support::free_port().to_string();
    let browser = FakeBrowser::capturing_redirect();
    let args = [
        "-o",
        "json",
        "connect",
        "tiktok",
        "--port",
        &port,
        "--timeout",
        "60",
    ];
    let mut cmd = command(&env, &fake, &args);
    browser.apply(&mut cmd);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    // The browser is opened once the listener is bound: it is up from here on.
    let redirect = browser
        .wait_for_redirect(Duration::from_secs(20))
        .expect("the authorize page redirected");
    let addr = format!("127.0.0.1:{port}");
    let status_of = |answer: &[u8]| -> u16 {
        String::from_utf8_lossy(answer)
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    };

    // A header line that goes on and on: answered 431 without the rest being waited for.
    let mut endless = TcpStream::connect(&addr).unwrap();
    endless
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let _ = endless.write_all(b"GET /callback/ HTTP/1.1\r\nHost: x\r\nX-Pad: ");
    let _ = endless.write_all(&vec![b'a'; 256 * 1024]);
    let mut answer = Vec::new();
    let _ = endless.read_to_end(&mut answer);
    assert_eq!(
        status_of(&answer),
        431,
        "{}",
        String::from_utf8_lossy(&answer)
    );

    // 100 idle connections, then one more that is answered: every earlier one was accepted by
    // then, and the process still has only a bounded number of threads.
    let idle: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(&addr).unwrap())
        .collect();
    let mut last = TcpStream::connect(&addr).unwrap();
    last.set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let _ = last.write_all(b"GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut answer = Vec::new();
    let _ = last.read_to_end(&mut answer);
    assert!(
        [404, 503].contains(&status_of(&answer)),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let threads = std::fs::read_dir(format!("/proc/{}/task", child.id()))
        .unwrap()
        .count();
    assert!(threads <= 40, "{threads} threads for 100 idle connections");
    drop(idle);

    // The real redirect still finishes the connect (once the idle connections' slots are free).
    let done = (0..200).find_map(|_| {
        let r = crate::support::http::get(&redirect);
        (r.status != 503).then_some(r).or_else(|| {
            std::thread::sleep(Duration::from_millis(50));
            None
        })
    });
    assert_eq!(done.map(|r| r.status), Some(200));
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
