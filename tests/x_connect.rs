//! X: `connect` (OAuth 2.0 with PKCE, confidential and public clients), refresh-token rotation
//! across runs and concurrent processes, `disconnect`, through the binary against the fake X.

use std::process::Command;
use std::time::Duration;

use crate::support::both_backends;
use crate::support::fake_tiktok::FakeBrowser;
use crate::support::fake_x::{
    APP_BEARER, AUTHORIZE_PATH, CLIENT_ID, CLIENT_SECRET, FakeX, ME_PATH, REVOKE_PATH, TOKEN_PATH,
    USER_ID,
};
use crate::support::{Run, TestDb, TestEnv, http};

use crate::support::world::MASTER_KEY;

/// The binary against the fake X, with the fake's client (its secret only when the fake is a
/// confidential client) and the file secrets backend.
pub fn command(env: &TestEnv, fake: &FakeX, args: &[&str]) -> Command {
    let mut cmd = env.command(args);
    fake.apply(&mut cmd);
    // X compares the redirect URI with the registered one exactly, so one is configured.
    let redirect = format!("http://127.0.0.1:{}/callback", crate::support::free_port());
    cmd.env("TWITTER_CLIENT_ID", CLIENT_ID)
        .env("TWITTER_REDIRECT_URI", redirect)
        .env("SOCIALCRM_SECRETS", "file")
        .env("SOCIALCRM_MASTER_KEY", MASTER_KEY)
        .env("BROWSER", "true");
    if fake.is_confidential() {
        cmd.env("TWITTER_CLIENT_SECRET", CLIENT_SECRET);
    }
    cmd
}

pub fn run(env: &TestEnv, fake: &FakeX, args: &[&str]) -> Run {
    env.run_cmd(command(env, fake, args))
}

/// Connects with a browser that clicks "Authorize", at -vv for the leak checks.
pub fn connect(env: &TestEnv, fake: &FakeX) -> Run {
    let browser = FakeBrowser::following_redirect();
    let mut cmd = command(
        env,
        fake,
        &["-vv", "-o", "json", "connect", "twitter", "--timeout", "20"],
    );
    browser.apply(&mut cmd);
    env.run_cmd(cmd)
}

/// A connected X account in a fresh world.
pub fn connected(fake: &FakeX) -> TestEnv {
    let env = TestEnv::new();
    let run = connect(&env, fake);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    env
}

/// Asserts that no token or secret the fake knows appears in any of `runs`' output.
pub fn assert_no_leaks(fake: &FakeX, runs: &[&Run]) {
    let mut secrets = fake.access_tokens();
    secrets.extend(fake.refresh_tokens());
    secrets.extend([CLIENT_SECRET.to_string(), APP_BEARER.to_string()]);
    for run in runs {
        for secret in &secrets {
            assert!(
                !run.stdout.contains(secret.as_str()) && !run.stderr.contains(secret.as_str()),
                "a secret leaked into the output"
            );
        }
    }
}

/// Presents `refresh_token` to the fake's token endpoint as the app would (HTTP Basic).
fn refresh_at_x(fake: &FakeX, refresh_token: &str) -> http::Response {
    let basic = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{CLIENT_ID}:{CLIENT_SECRET}"),
    );
    http::request(
        "POST",
        &format!("{}{TOKEN_PATH}", fake.base_url()),
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Authorization", &format!("Basic {basic}")),
        ],
        format!("grant_type=refresh_token&refresh_token={refresh_token}").as_bytes(),
    )
}

#[test]
fn x_connect_with_pkce_rotates_refresh_tokens_across_three_refreshes_and_disconnect_revokes() {
    let fake = FakeX::start();
    // Every token is due for a refresh at once: each later command must refresh.
    fake.set_access_token_lifetime(Duration::from_secs(1));
    let env = TestEnv::new();
    let connected = connect(&env, &fake);
    assert_eq!(connected.code, 0, "{}", connected.stderr);
    let who = connected.json();
    assert_eq!(who["platform"], "x");
    assert_eq!(who["username"], "testcreator");
    assert_eq!(who["platform_user_id"], USER_ID);
    // Without the registered redirect URI, connect stops before the browser, naming it.
    let other = TestEnv::new();
    let mut cmd = command(&other, &fake, &["connect", "x"]);
    cmd.env_remove("TWITTER_REDIRECT_URI");
    let unset = other.run_cmd(cmd);
    unset.error_naming(5, &["TWITTER_REDIRECT_URI"]);
    let scopes = who["scopes"].as_array().unwrap();
    assert!(scopes.iter().any(|s| s == "offline.access"), "{who}");

    // The code went to the token endpoint with its verifier, from a confidential client.
    let exchange = &fake.requests_to(TOKEN_PATH)[0];
    assert_eq!(
        exchange.form_field("grant_type"),
        Some("authorization_code")
    );
    assert!(
        exchange
            .form_field("code_verifier")
            .is_some_and(|v| v.len() >= 43)
    );
    assert!(
        exchange
            .authorization
            .as_deref()
            .unwrap()
            .starts_with("Basic ")
    );
    assert_eq!(exchange.form_field("client_secret"), None);
    assert_eq!(exchange.form_field("client_id"), None, "Basic auth only");
    assert_eq!(exchange.status, 200);

    let mut runs = vec![connected];
    for i in 1..=3 {
        let run = run(&env, &fake, &["-vv", "-o", "json", "accounts", "--check"]);
        assert_eq!(run.code, 0, "refresh {i}: {}", run.stderr);
        assert_eq!(fake.refreshes(), i, "one refresh per run");
        runs.push(run);
    }
    let refresh_tokens = fake.refresh_tokens();
    assert_eq!(refresh_tokens.len(), 4);
    // Each refresh presented the newest refresh token: rotation never reused a spent one.
    let presented: Vec<String> = fake
        .requests_to(TOKEN_PATH)
        .iter()
        .filter_map(|r| r.form_field("refresh_token").map(str::to_string))
        .collect();
    assert_eq!(presented, refresh_tokens[..3].to_vec());
    // The old refresh tokens are dead at X...
    let spent = refresh_at_x(&fake, &refresh_tokens[0]);
    assert_eq!(spent.status, 400);
    assert_eq!(spent.json()["error"], "invalid_request");
    // ... and the client keeps working with the newest.
    let again = run(&env, &fake, &["-o", "json", "accounts", "--check"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(fake.refreshes(), 4);
    let me = fake.requests_to(ME_PATH);
    assert!(me.iter().all(|r| r.status == 200));

    let gone = run(&env, &fake, &["-vv", "disconnect", "x"]);
    assert_eq!(gone.code, 0, "{}", gone.stderr);
    let revoked = fake.revoked();
    let newest_refresh = fake.refresh_tokens().last().unwrap().clone();
    let newest_access = fake.access_tokens().last().unwrap().clone();
    assert!(revoked.contains(&newest_refresh) && revoked.contains(&newest_access));
    assert!(
        fake.requests_to(REVOKE_PATH)
            .iter()
            .all(|r| r.status == 200)
    );
    runs.extend([again, gone]);
    assert_no_leaks(&fake, &runs.iter().collect::<Vec<_>>());
}

#[test]
fn x_connect_as_a_public_client_sends_its_client_id_and_no_basic_auth() {
    let fake = FakeX::public();
    // The code is exchanged the moment the redirect arrives: a short-lived one is still good.
    fake.set_code_lifetime(Duration::from_secs(2));
    // The callback registered with X, exactly.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let registered = format!("http://127.0.0.1:{port}/callback");
    let env = TestEnv::new();
    let browser = FakeBrowser::following_redirect();
    let args = ["-o", "json", "connect", "x", "--timeout", "20"];
    let mut cmd = command(&env, &fake, &args);
    cmd.env("TWITTER_REDIRECT_URI", &registered);
    browser.apply(&mut cmd);
    let connected = env.run_cmd(cmd);
    assert_eq!(connected.code, 0, "{}", connected.stderr);
    assert!(!connected.stderr.contains("note:"), "{}", connected.stderr);
    let authorize = &fake.requests_to(AUTHORIZE_PATH)[0];
    assert_eq!(
        authorize.query_param("redirect_uri"),
        Some(registered.as_str())
    );
    let exchange = &fake.requests_to(TOKEN_PATH)[0];
    assert_eq!(
        exchange.form_field("redirect_uri"),
        Some(registered.as_str())
    );
    assert_eq!(exchange.form_field("client_id"), Some(CLIENT_ID));
    assert_eq!(exchange.authorization, None);
    let accounts = run(&env, &fake, &["-o", "json", "accounts"]).ok().json();
    assert_eq!(accounts[0]["platform"], "x");
    assert_eq!(accounts[0]["status"], "active");
}

#[test]
fn x_connect_fails_in_one_line_when_the_pkce_verifier_does_not_match() {
    let fake = FakeX::start();
    fake.corrupt_challenges();
    let env = TestEnv::new();
    let browser = FakeBrowser::following_redirect();
    let mut cmd = command(&env, &fake, &["connect", "x", "--timeout", "20"]);
    browser.apply(&mut cmd);
    let run = env.run_cmd(cmd);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(
        errors[0].contains("code verifier did not match"),
        "{}",
        errors[0]
    );
    assert!(fake.access_tokens().is_empty());
}

/// Two `sync` and two `accounts --check` processes start together on a connection whose token
/// is due: one refreshes under the locks (file and database), the others use what it stored.
fn concurrent_processes_refresh_once(db: TestDb) {
    let fake = FakeX::start();
    fake.set_access_token_lifetime(Duration::from_secs(1));
    let env = TestEnv::new();
    let browser = FakeBrowser::following_redirect();
    let mut cmd = command(&env, &fake, &["connect", "x", "--timeout", "20"]);
    cmd.env("SOCIALCRM_DATABASE_URL", &db.url);
    browser.apply(&mut cmd);
    env.run_cmd(cmd).ok();
    fake.add_posts(3);
    // The refreshed token lives long: whoever waited for the lock must use it, not refresh.
    fake.set_access_token_lifetime(Duration::from_secs(7200));
    std::thread::sleep(Duration::from_millis(1100));
    let spawn = |args: &[&str]| {
        let mut cmd = command(&env, &fake, args);
        cmd.env("SOCIALCRM_DATABASE_URL", &db.url)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        cmd.spawn().unwrap()
    };
    let children = vec![
        spawn(&["-o", "json", "sync", "x"]),
        spawn(&["-o", "json", "sync", "x"]),
        spawn(&["-o", "json", "accounts", "--check"]),
        spawn(&["-o", "json", "accounts", "--check"]),
    ];
    crate::support::all_succeed(children);
    assert_eq!(fake.refreshes(), 1, "one refresh for one expiry");
    let newest = fake.access_tokens().last().unwrap().clone();
    let api: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/2/users"))
        .collect();
    assert!(api.iter().all(|r| r.status == 200), "no call was refused");
    assert!(
        api.iter()
            .filter(|r| r.path != ME_PATH || r.status == 200)
            .skip(1)
            .all(|r| r.authorization.as_deref() == Some(&format!("Bearer {newest}"))),
        "every call after the connect used the one refreshed token"
    );
}

both_backends! {
    x_concurrent_processes_refresh_a_rotating_token_exactly_once: |db| concurrent_processes_refresh_once(db);
}

#[test]
fn x_a_refresh_token_spent_elsewhere_marks_the_account_for_reconnect_and_exits_4() {
    let fake = FakeX::start();
    fake.set_access_token_lifetime(Duration::from_secs(1));
    let env = connected(&fake);
    // Another copy of the tokens (a host with its own secrets store) refreshes first: X rotates
    // the refresh token, and the one stored here is dead.
    let stored = fake.refresh_tokens().last().unwrap().clone();
    let elsewhere = refresh_at_x(&fake, &stored);
    assert_eq!(elsewhere.status, 200);
    let check = run(&env, &fake, &["accounts", "--check"]);
    assert_eq!(check.code, 4, "{}", check.stderr);
    assert!(
        check
            .stderr
            .contains("socialcrm connect x --account default"),
        "{}",
        check.stderr
    );
    let accounts = run(&env, &fake, &["-o", "json", "accounts"]).ok().json();
    assert_eq!(accounts[0]["status"], "needs_reauth");
    assert_no_leaks(&fake, &[&check]);
}
