//! Tests of the fake TikTok itself (tests/support/fake_tiktok.rs), driven with a plain HTTP
//! client, so that tests of the binary can trust it.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::array;
use crate::support::assert_contains;
use crate::support::fake_tiktok::{
    AUTHORIZE_PATH, BASE_URL_ENV, CLIENT_KEY, CLIENT_SECRET, Consent, FakeBrowser, FakeTikTok,
    FakeUser, PkceEncoding, REVOKE_PATH, TOKEN_PATH, USER_INFO_PATH, VIDEO_FIELDS, VIDEO_ID_BASE,
    VIDEO_LIST_PATH, VIDEO_QUERY_PATH, VIDEOS_END, click_authorize,
};
use crate::support::http;
use crate::support::server::{decode_pairs, lookup};

const REDIRECT: &str = "http://127.0.0.1:45678/callback/";
const SCOPES: &str = "user.info.basic,user.info.profile";
const FIELDS: &str = "open_id,union_id,avatar_url,display_name,username";

fn verifier() -> String {
    // 64 characters from the RFC 7636 alphabet.
    format!(
        "{}-{}._~",
        uuid::Uuid::new_v4().simple(),
        &uuid::Uuid::new_v4().simple().to_string()[..27]
    )
}

fn query_of(location: &str) -> Vec<(String, String)> {
    decode_pairs(url::Url::parse(location).unwrap().query().unwrap_or(""))
}

/// Authorizes with hex PKCE and returns (code, verifier).
fn authorize(fake: &FakeTikTok) -> (String, String) {
    let verifier = verifier();
    let challenge = PkceEncoding::Hex.challenge(&verifier);
    let location = click_authorize(&fake.authorize_url(SCOPES, REDIRECT, "st4te", &challenge));
    let q = query_of(&location);
    (lookup(&q, "code").unwrap().to_string(), verifier)
}

fn exchange(fake: &FakeTikTok, code: &str, verifier: &str) -> http::Response {
    http::post_form(
        &fake.url(TOKEN_PATH),
        &[
            ("client_key", CLIENT_KEY),
            ("client_secret", CLIENT_SECRET),
            ("code", code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
    )
}

fn refresh(fake: &FakeTikTok, refresh_token: &str) -> http::Response {
    http::post_form(
        &fake.url(TOKEN_PATH),
        &[
            ("client_key", CLIENT_KEY),
            ("client_secret", CLIENT_SECRET),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
}

/// A logged-in session: the token answer's JSON.
fn login(fake: &FakeTikTok) -> serde_json::Value {
    let (code, verifier) = authorize(fake);
    let r = exchange(fake, &code, &verifier);
    r.ok()
}

fn user_info(fake: &FakeTikTok, token: &str) -> http::Response {
    http::get_with_bearer(
        &fake.url(&format!("{USER_INFO_PATH}?fields={FIELDS}")),
        token,
    )
}

fn assert_oauth_error(r: &http::Response, status: u16, error: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    let j = r.json();
    assert_eq!(j["error"], error, "{}", r.body);
    assert!(
        j["error_description"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert!(j["log_id"].as_str().is_some_and(|s| !s.is_empty()));
}

fn assert_token_invalid(r: &http::Response) {
    assert_eq!(r.status, 401, "{}", r.body);
    let j = r.json();
    assert_eq!(j["data"], serde_json::json!({}));
    assert_eq!(j["error"]["code"], "access_token_invalid");
    assert_eq!(
        j["error"]["message"],
        "The access token is invalid or not found in the request."
    );
    assert!(j["error"]["log_id"].as_str().is_some_and(|s| !s.is_empty()));
}

#[test]
fn fake_tiktok_authorize_then_exchange_with_hex_pkce() {
    let fake = FakeTikTok::start();
    let verifier = verifier();
    let challenge = PkceEncoding::Hex.challenge(&verifier);
    assert_eq!(challenge.len(), 64);
    assert!(
        challenge
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );

    let location = click_authorize(&fake.authorize_url(SCOPES, REDIRECT, "st4te", &challenge));
    assert!(
        location.starts_with(&format!("{REDIRECT}?code=")),
        "{location}"
    );
    assert_contains(
        &location,
        "&scopes=user.info.basic,user.info.profile&state=st4te",
    );
    let q = query_of(&location);
    let code = lookup(&q, "code").unwrap();
    assert_eq!(fake.pending_codes(), 1);

    let r = exchange(&fake, code, &verifier);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let j = r.json();
    let access = j["access_token"].as_str().unwrap();
    let refresh_token = j["refresh_token"].as_str().unwrap();
    assert!(access.starts_with("act.") && access.len() > 20, "{access}");
    assert!(refresh_token.starts_with("rft.") && refresh_token.len() > 20);
    assert_eq!(j["expires_in"], 86400);
    assert_eq!(j["refresh_expires_in"], 31_536_000);
    assert_eq!(j["open_id"], fake.user().open_id.as_str());
    assert_eq!(j["scope"], SCOPES);
    assert_eq!(j["token_type"], "Bearer");

    let issued = fake.last_grant().unwrap();
    assert_eq!(issued.access_token, access);
    assert_eq!(issued.refresh_token.as_deref(), Some(refresh_token));
    assert!(issued.access_live() && issued.refresh_valid() && !issued.from_refresh);

    // The code is one-time.
    assert_eq!(fake.pending_codes(), 0);
    assert_oauth_error(&exchange(&fake, code, &verifier), 400, "invalid_grant");
}

#[test]
fn fake_tiktok_rejects_a_wrong_verifier_and_base64url_unless_told() {
    let fake = FakeTikTok::start();
    let (code, _) = authorize(&fake);
    let r = exchange(&fake, &code, &verifier());
    assert_oauth_error(&r, 400, "invalid_request");
    assert_eq!(
        r.json()["error_description"],
        "Code verifier or code challenge is invalid."
    );

    // A base64url challenge fails under the default (hex) ...
    let v = verifier();
    let b64 = PkceEncoding::Base64Url.challenge(&v);
    assert_eq!(b64.len(), 43);
    let loc = click_authorize(&fake.authorize_url(SCOPES, REDIRECT, "s", &b64));
    let code = lookup(&query_of(&loc), "code").unwrap().to_string();
    assert_oauth_error(&exchange(&fake, &code, &v), 400, "invalid_request");

    // ... and passes when the fake is told to accept it.
    fake.accept_pkce(PkceEncoding::Base64Url);
    let loc = click_authorize(&fake.authorize_url(SCOPES, REDIRECT, "s", &b64));
    let code = lookup(&query_of(&loc), "code").unwrap().to_string();
    assert_eq!(exchange(&fake, &code, &v).status, 200);

    // Wrong redirect_uri and wrong secret are refused too.
    fake.accept_pkce(PkceEncoding::Hex);
    let (code, verifier) = authorize(&fake);
    let r = http::post_form(
        &fake.url(TOKEN_PATH),
        &[
            ("client_key", CLIENT_KEY),
            ("client_secret", CLIENT_SECRET),
            ("code", &code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", "http://127.0.0.1:45678/other/"),
            ("code_verifier", &verifier),
        ],
    );
    assert_oauth_error(&r, 400, "invalid_grant");
    let (code, verifier) = authorize(&fake);
    let r = http::post_form(
        &fake.url(TOKEN_PATH),
        &[
            ("client_key", CLIENT_KEY),
            ("client_secret", "wrong"),
            ("code", &code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
        ],
    );
    assert_oauth_error(&r, 400, "invalid_client");
}

#[test]
fn fake_tiktok_refresh_rotates_and_its_knobs_bite() {
    let fake = FakeTikTok::start();
    let first = login(&fake);
    let old_refresh = first["refresh_token"].as_str().unwrap();

    let r = refresh(&fake, old_refresh);
    let second = r.ok();
    assert_ne!(second["access_token"], first["access_token"]);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_eq!(second["scope"], SCOPES);
    assert_eq!(second["open_id"], first["open_id"]);
    assert_eq!(
        user_info(&fake, second["access_token"].as_str().unwrap()).status,
        200
    );

    // The old refresh token stopped working; the new one works (once).
    assert_oauth_error(&refresh(&fake, old_refresh), 400, "invalid_grant");
    let tokens = fake.grants();
    assert_eq!(tokens.len(), 2);
    assert!(!tokens[0].refresh_valid() && tokens[1].refresh_valid() && tokens[1].from_refresh);

    // The next token call answers 500, the one after works again.
    fake.fail_next_token_call();
    let r = refresh(&fake, second["refresh_token"].as_str().unwrap());
    assert_eq!(r.status, 500, "{}", r.body);
    let r = refresh(&fake, second["refresh_token"].as_str().unwrap());
    let third = r.ok();

    // Revoked refresh tokens: every refresh is invalid_grant.
    fake.revoke_refresh_tokens();
    assert_oauth_error(
        &refresh(&fake, third["refresh_token"].as_str().unwrap()),
        400,
        "invalid_grant",
    );
    assert_oauth_error(&refresh(&fake, "rft.unknown"), 400, "invalid_grant");
}

#[test]
fn fake_tiktok_revoke_kills_the_pair_and_is_recorded() {
    let fake = FakeTikTok::start();
    let j = login(&fake);
    let access = j["access_token"].as_str().unwrap();

    let r = http::post_form(
        &fake.url(REVOKE_PATH),
        &[
            ("client_key", CLIENT_KEY),
            ("client_secret", "wrong"),
            ("token", access),
        ],
    );
    assert_oauth_error(&r, 400, "invalid_client");
    assert_eq!(user_info(&fake, access).status, 200);

    let r = http::post_form(
        &fake.url(REVOKE_PATH),
        &[
            ("client_key", CLIENT_KEY),
            ("client_secret", CLIENT_SECRET),
            ("token", access),
        ],
    );
    assert_eq!(r.ok(), serde_json::json!({}));
    assert_eq!(fake.revoked(), vec![access.to_string()]);
    assert!(fake.last_grant().unwrap().revoked);

    assert_token_invalid(&user_info(&fake, access));
    assert_oauth_error(
        &refresh(&fake, j["refresh_token"].as_str().unwrap()),
        400,
        "invalid_grant",
    );
    let calls = fake.requests_to(REVOKE_PATH);
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].form_field("token"), Some(access));
    assert_eq!(calls[1].status, 200);
}

#[test]
fn fake_tiktok_user_info_with_and_without_a_valid_token() {
    let fake = FakeTikTok::start();
    let j = login(&fake);
    let access = j["access_token"].as_str().unwrap();

    let r = user_info(&fake, access);
    let body = r.ok();
    let user = fake.user();
    assert_eq!(
        body["data"]["user"],
        serde_json::json!({
            "open_id": user.open_id,
            "union_id": user.union_id,
            "avatar_url": user.avatar_url,
            "display_name": "Test Creator",
            "username": "testcreator",
        })
    );
    assert_eq!(body["error"]["code"], "ok");
    assert_eq!(body["error"]["message"], "");
    assert!(body["error"]["log_id"].as_str().is_some());

    // Only the asked fields.
    let r = http::get_with_bearer(
        &fake.url(&format!("{USER_INFO_PATH}?fields=display_name")),
        access,
    );
    assert_eq!(
        r.json()["data"]["user"],
        serde_json::json!({"display_name": "Test Creator"})
    );
    let r = http::get_with_bearer(
        &fake.url(&format!("{USER_INFO_PATH}?fields=display_name,nope")),
        access,
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], "invalid_params");

    // No token, an unknown one, a non-Bearer header.
    assert_token_invalid(&http::get(
        &fake.url(&format!("{USER_INFO_PATH}?fields={FIELDS}")),
    ));
    assert_token_invalid(&user_info(&fake, "act.unknown"));
    let r = http::request(
        "GET",
        &fake.url(&format!("{USER_INFO_PATH}?fields={FIELDS}")),
        &[("Authorization", access)],
        b"",
    );
    assert_token_invalid(&r);

    let seen = fake.requests_to(USER_INFO_PATH);
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some(format!("Bearer {access}").as_str())
    );
    assert_eq!(seen[0].query_param("fields"), Some(FIELDS));
}

#[test]
fn fake_tiktok_access_tokens_expire_on_demand() {
    let fake = FakeTikTok::start();
    fake.set_access_token_lifetime(Duration::from_secs(1));
    let j = login(&fake);
    assert_eq!(j["expires_in"], 1);
    let access = j["access_token"].as_str().unwrap();
    assert_eq!(user_info(&fake, access).status, 200);
    std::thread::sleep(Duration::from_millis(1100));
    assert_token_invalid(&user_info(&fake, access));
    assert!(!fake.last_grant().unwrap().access_live());

    // Refreshing still works, and forcing expiry kills the fresh token at once.
    fake.set_access_token_lifetime(Duration::from_secs(3600));
    let r = refresh(&fake, j["refresh_token"].as_str().unwrap());
    assert_eq!(r.ok()["expires_in"], 3600);
    let fresh = r.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(user_info(&fake, &fresh).status, 200);
    fake.expire_access_tokens_now();
    assert_token_invalid(&user_info(&fake, &fresh));
    assert!(fake.last_grant().unwrap().refresh_valid());
}

#[test]
fn fake_tiktok_authorize_knobs_and_checks() {
    let fake = FakeTikTok::start();
    let challenge = PkceEncoding::Hex.challenge(&verifier());

    fake.set_consent(Consent::Deny);
    let loc = click_authorize(&fake.authorize_url(SCOPES, REDIRECT, "abc", &challenge));
    assert_eq!(
        loc,
        format!("{REDIRECT}?error=access_denied&error_description=The+user+denied&state=abc")
    );
    assert_eq!(fake.pending_codes(), 0);

    fake.set_consent(Consent::WrongState);
    let q = query_of(&click_authorize(
        &fake.authorize_url(SCOPES, REDIRECT, "abc", &challenge),
    ));
    assert!(lookup(&q, "code").is_some());
    assert_ne!(lookup(&q, "state"), Some("abc"));

    fake.set_consent(Consent::Authorize);
    fake.grant_only(&["user.info.basic"]);
    let verifier = verifier();
    let loc = click_authorize(&fake.authorize_url(
        SCOPES,
        REDIRECT,
        "abc",
        &PkceEncoding::Hex.challenge(&verifier),
    ));
    let q = query_of(&loc);
    assert_eq!(lookup(&q, "scopes"), Some("user.info.basic"));
    let r = exchange(&fake, lookup(&q, "code").unwrap(), &verifier);
    assert_eq!(r.json()["scope"], "user.info.basic");

    // Refusals: 400 JSON, no redirect.
    let bad = |url: String, error: &str| {
        let r = http::get(&url);
        assert_oauth_error(&r, 400, error);
        assert!(r.header("location").is_none());
    };
    fake.expect_redirect_uri(REDIRECT);
    bad(
        fake.authorize_url(SCOPES, "http://127.0.0.1:45678/elsewhere/", "s", &challenge),
        "invalid_request",
    );
    bad(
        fake.authorize_url(SCOPES, REDIRECT, "", &challenge),
        "invalid_request",
    );
    bad(
        fake.authorize_url(SCOPES, REDIRECT, "s", ""),
        "invalid_request",
    );
    bad(
        fake.authorize_url(SCOPES, REDIRECT, "s", &challenge)
            .replace(CLIENT_KEY, "someone-else"),
        "invalid_client",
    );
    bad(
        fake.authorize_url(SCOPES, REDIRECT, "s", &challenge)
            .replace("response_type=code", "response_type=token"),
        "unsupported_response_type",
    );
    bad(
        fake.authorize_url(SCOPES, REDIRECT, "s", &challenge)
            .replace("code_challenge_method=S256", "code_challenge_method=plain"),
        "invalid_request",
    );
    let other = FakeTikTok::start();
    bad(
        other.authorize_url(SCOPES, "https://example.com/callback/", "s", &challenge),
        "invalid_request",
    );
}

#[test]
fn fake_tiktok_records_requests_and_refuses_the_unexpected() {
    let fake = FakeTikTok::start();
    login(&fake);
    let all = fake.requests();
    assert_eq!(all.len(), 2);
    assert_eq!(
        (all[0].method.as_str(), all[0].path.as_str()),
        ("GET", AUTHORIZE_PATH)
    );
    assert_eq!(all[0].query_param("client_key"), Some(CLIENT_KEY));
    assert_eq!(all[0].status, 302);
    assert_eq!(
        (all[1].method.as_str(), all[1].path.as_str()),
        ("POST", TOKEN_PATH)
    );
    assert_eq!(all[1].form_field("client_secret"), Some(CLIENT_SECRET));
    assert_eq!(all[1].form_field("grant_type"), Some("authorization_code"));
    assert!(
        all[1]
            .content_type
            .as_deref()
            .unwrap()
            .starts_with("application/x-www-form-urlencoded")
    );
    assert!(all.iter().all(|r| !r.url_contains(CLIENT_SECRET)));

    // Unknown path: 404 JSON. Wrong method: 405. JSON instead of a form: 400.
    let r = http::get(&fake.url("/v2/nope/"));
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "not_found");
    assert_eq!(http::get(&fake.url(TOKEN_PATH)).status, 405);
    let r = http::request(
        "POST",
        &fake.url(TOKEN_PATH),
        &[("Content-Type", "application/json")],
        br#"{"grant_type":"refresh_token"}"#,
    );
    assert_oauth_error(&r, 400, "invalid_request");

    // Bodies over 1 MB are refused.
    let big = vec![b'a'; 1024 * 1024 + 1];
    let r = http::request(
        "POST",
        &fake.url(TOKEN_PATH),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &big,
    );
    assert_eq!(r.status, 413);
    assert_eq!(fake.requests().last().unwrap().status, 413);
    assert!(fake.requests().last().unwrap().body.is_empty());
}

#[test]
fn fake_tiktok_stops_when_dropped() {
    let fake = FakeTikTok::start();
    let addr = fake.base_url().trim_start_matches("http://").to_string();
    assert_eq!(http::get(&fake.url("/")).status, 404);
    drop(fake);
    assert!(std::net::TcpStream::connect(&addr).is_err());
}

/// Accepts one connection on `listener` within 10 s and answers it 200; the request line.
fn accept_callback(listener: &TcpListener) -> String {
    listener.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let (stream, _) = loop {
        match listener.accept() {
            Ok(conn) => break conn,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                assert!(Instant::now() < deadline, "no callback within 10 s");
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("{e}"),
        }
    };
    stream.set_nonblocking(false).unwrap();
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).unwrap();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line.trim().is_empty() {
            break;
        }
    }
    let mut stream = reader.into_inner();
    stream
        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nDone.")
        .unwrap();
    request_line
}

#[test]
fn fake_tiktok_browser_follows_the_redirect_to_the_loopback_listener() {
    let fake = FakeTikTok::start();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let redirect = format!(
        "http://127.0.0.1:{}/callback/",
        listener.local_addr().unwrap().port()
    );
    fake.expect_redirect_uri(&redirect);
    let verifier = verifier();
    let url = fake.authorize_url(
        SCOPES,
        &redirect,
        "xyz",
        &PkceEncoding::Hex.challenge(&verifier),
    );

    // As the binary will: spawn `$BROWSER <url>` and not wait for it.
    let browser = FakeBrowser::following_redirect();
    let mut child = Command::new(browser.path()).arg(&url).spawn().unwrap();
    let request_line = accept_callback(&listener);
    assert!(
        request_line.starts_with("GET /callback/?code="),
        "{request_line}"
    );
    let target = request_line.split_whitespace().nth(1).unwrap();
    let q = query_of(&format!("http://127.0.0.1{target}"));
    assert_eq!(lookup(&q, "state"), Some("xyz"));
    assert_eq!(lookup(&q, "scopes"), Some(SCOPES));

    assert_eq!(
        browser.wait_done(Duration::from_secs(10)),
        Some(0),
        "{}",
        browser.errors()
    );
    assert!(child.wait().unwrap().success());
    assert_eq!(browser.opened_urls(), vec![url]);

    let r = http::post_form(
        &fake.url(TOKEN_PATH),
        &[
            ("client_key", CLIENT_KEY),
            ("client_secret", CLIENT_SECRET),
            ("code", lookup(&q, "code").unwrap()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", &redirect),
            ("code_verifier", &verifier),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn fake_tiktok_browser_can_capture_the_redirect_for_the_paste_flow() {
    let fake = FakeTikTok::start();
    let verifier = verifier();
    let url = fake.authorize_url(
        SCOPES,
        REDIRECT,
        "paste",
        &PkceEncoding::Hex.challenge(&verifier),
    );
    let browser = FakeBrowser::capturing_redirect();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("exec \"$BROWSER\" \"$1\"")
        .arg("sh")
        .arg(&url);
    browser.apply(&mut cmd);
    let mut child = cmd.spawn().unwrap();

    let location = browser
        .wait_for_redirect(Duration::from_secs(10))
        .unwrap_or_else(|| panic!("no redirect captured: {}", browser.errors()));
    assert!(child.wait().unwrap().success());
    assert!(
        location.starts_with(&format!("{REDIRECT}?code=")),
        "{location}"
    );
    let q = query_of(&location);
    assert_eq!(lookup(&q, "state"), Some("paste"));
    assert_eq!(
        exchange(&fake, lookup(&q, "code").unwrap(), &verifier).status,
        200
    );
}

#[test]
fn fake_tiktok_with_its_own_client_and_user_points_a_command_at_itself() {
    let fake = FakeTikTok::with_client("other-key", "other-secret");
    assert_eq!(
        (fake.client_key().as_str(), fake.client_secret().as_str()),
        ("other-key", "other-secret")
    );
    fake.set_user(FakeUser {
        display_name: "Someone Else".into(),
        open_id: "open-2".into(),
        ..FakeUser::default()
    });

    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(format!("printf %s \"${BASE_URL_ENV}\""));
    fake.apply(&mut cmd);
    let out = cmd.output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), fake.base_url());

    let verifier = verifier();
    let loc = click_authorize(&fake.authorize_url(
        "user.info.basic",
        REDIRECT,
        "s",
        &PkceEncoding::Hex.challenge(&verifier),
    ));
    let code = lookup(&query_of(&loc), "code").unwrap().to_string();
    // The default client's credentials are not this fake's.
    assert_oauth_error(&exchange(&fake, &code, &verifier), 400, "invalid_client");
    let loc = click_authorize(&fake.authorize_url(
        "user.info.basic",
        REDIRECT,
        "s",
        &PkceEncoding::Hex.challenge(&verifier),
    ));
    let code = lookup(&query_of(&loc), "code").unwrap().to_string();
    let r = http::post_form(
        &fake.url(TOKEN_PATH),
        &[
            ("client_key", "other-key"),
            ("client_secret", "other-secret"),
            ("code", &code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let issued = fake.last_grant().unwrap();
    assert_eq!(
        (
            issued.subject.as_str(),
            issued.scope.as_str(),
            issued.lifetime.as_secs()
        ),
        ("open-2", "user.info.basic", 86400)
    );
    let r = http::get_with_bearer(
        &fake.url(&format!("{USER_INFO_PATH}?fields=open_id,display_name")),
        &issued.access_token,
    );
    assert_eq!(
        r.json()["data"]["user"],
        serde_json::json!({"open_id": "open-2", "display_name": "Someone Else"})
    );
}

// ---- Display API: stats, videos, faults ----

const VIDEO_SCOPES: &str = "user.info.basic,user.info.profile,user.info.stats,video.list";
const LIST_FIELDS: &str = "id,create_time,cover_image_url,share_url,video_description,duration,title,like_count,comment_count,share_count,view_count";

/// Logs in with `scopes`; the token answer's JSON.
fn login_with(fake: &FakeTikTok, scopes: &str) -> Value {
    let verifier = verifier();
    let challenge = PkceEncoding::Hex.challenge(&verifier);
    let location = click_authorize(&fake.authorize_url(scopes, REDIRECT, "st4te", &challenge));
    let code = lookup(&query_of(&location), "code").unwrap().to_string();
    let r = exchange(fake, &code, &verifier);
    r.ok()
}

/// An access token that may list videos.
fn video_token(fake: &FakeTikTok) -> String {
    login_with(fake, VIDEO_SCOPES)["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

fn list_page(fake: &FakeTikTok, token: Option<&str>, body: Value) -> http::Response {
    http::post_json(
        &fake.url(&format!("{VIDEO_LIST_PATH}?fields={LIST_FIELDS}")),
        token,
        &body,
    )
}

fn assert_api_error(r: &http::Response, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    let j = r.json();
    assert_eq!(j["error"]["code"], code, "{}", r.body);
    assert!(
        j["error"]["message"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert!(j["error"]["log_id"].as_str().is_some_and(|s| !s.is_empty()));
}

fn ids(page: &Value) -> Vec<String> {
    array(&page["data"]["videos"])
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn fake_tiktok_user_info_serves_stats_and_profile_and_follows_changes() {
    let fake = FakeTikTok::start();
    let token = video_token(&fake);
    let url = fake.url(&format!(
        "{USER_INFO_PATH}?fields=open_id,follower_count,following_count,likes_count,video_count,bio_description,is_verified,profile_deep_link"
    ));
    let r = http::get_with_bearer(&url, &token);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["data"]["user"],
        json!({
            "open_id": fake.user().open_id,
            "follower_count": 1200,
            "following_count": 34,
            "likes_count": 56000,
            "video_count": 78,
            "bio_description": "Fake bio",
            "is_verified": false,
            "profile_deep_link": "https://vm.tiktok.example/testcreator",
        })
    );

    // Stats change between calls; video_count follows the fake's videos.
    fake.update_user(|u| {
        u.follower_count += 10;
        u.is_verified = true;
    });
    fake.set_videos(3);
    let user = http::get_with_bearer(&url, &token).json()["data"]["user"].clone();
    assert_eq!(
        (
            &user["follower_count"],
            &user["is_verified"],
            &user["video_count"]
        ),
        (&json!(1210), &json!(true), &json!(3))
    );
    fake.set_user(FakeUser {
        likes_count: 1,
        ..FakeUser::default()
    });
    let user = http::get_with_bearer(&url, &token).json()["data"]["user"].clone();
    assert_eq!(user["likes_count"], 1);
}

#[test]
fn fake_tiktok_video_list_pages_newest_first_with_a_millisecond_cursor() {
    let fake = FakeTikTok::start();
    fake.set_videos(45);
    let token = video_token(&fake);

    let mut seen = Vec::new();
    let mut pages = Vec::new();
    let mut cursor: Option<i64> = None;
    loop {
        let mut body = json!({"max_count": 20});
        if let Some(c) = cursor {
            body["cursor"] = json!(c);
        }
        let r = list_page(&fake, Some(&token), body);
        let j = r.ok();
        assert_eq!(j["error"]["code"], "ok");
        assert_eq!(j["error"]["message"], "");
        let videos = j["data"]["videos"].as_array().unwrap();
        // The cursor is the oldest video's create_time, in milliseconds.
        let next = j["data"]["cursor"].as_i64().unwrap();
        assert_eq!(
            next,
            videos.last().unwrap()["create_time"].as_i64().unwrap() * 1000
        );
        seen.extend(ids(&j));
        pages.push(videos.len());
        if !j["data"]["has_more"].as_bool().unwrap() {
            break;
        }
        cursor = Some(next);
        assert!(pages.len() < 10, "no end to the pages");
    }
    assert_eq!(pages, vec![20, 20, 5]);
    let want: Vec<String> = (1..=45u64)
        .rev()
        .map(|i| (VIDEO_ID_BASE + i).to_string())
        .collect();
    assert_eq!(seen, want, "every video once, newest first");
    assert_eq!(seen[0], "7300000000000000045");

    // The cursors chained: none, then each page's answer.
    let cursors = fake.video_list_cursors();
    assert_eq!(fake.video_list_calls(), 3);
    assert_eq!(cursors.len(), 3);
    assert_eq!(cursors[0], None);
    assert_eq!(cursors[1], Some((VIDEOS_END - 19 * 3600) * 1000));
    assert_eq!(cursors[2], Some((VIDEOS_END - 39 * 3600) * 1000));

    // The shape of one video: every asked field, derived from its index.
    let videos = fake.videos();
    assert_eq!(videos.len(), 45);
    let first = list_page(&fake, Some(&token), json!({"max_count": 1})).json();
    assert_eq!(
        first["data"]["videos"][0],
        json!({
            "id": "7300000000000000045",
            "create_time": VIDEOS_END,
            "cover_image_url": videos[0].cover_image_url,
            "share_url": "https://www.tiktok.com/@testcreator/video/7300000000000000045",
            "video_description": "Fake video 45 #fyp",
            "duration": 60,
            "title": "Fake video 45",
            "like_count": 4500,
            "comment_count": 450,
            "share_count": 45,
            "view_count": 45000,
        })
    );
    assert_eq!(first["data"]["has_more"], true);
    // No max_count: pages of 10. A cursor past the oldest: empty, no more.
    let r = list_page(&fake, Some(&token), json!({}));
    assert_eq!(r.json()["data"]["videos"].as_array().unwrap().len(), 10);
    let oldest = (VIDEOS_END - 44 * 3600) * 1000;
    let r = list_page(
        &fake,
        Some(&token),
        json!({"max_count": 20, "cursor": oldest}),
    );
    let j = r.json();
    assert_eq!(j["data"]["videos"], json!([]));
    assert_eq!(j["data"]["has_more"], false);
}

#[test]
fn fake_tiktok_video_list_checks_fields_token_scope_and_max_count() {
    let fake = FakeTikTok::start();
    fake.set_videos(5);
    let token = video_token(&fake);

    // Only the asked fields; every documented field is known; an unknown one is refused.
    let r = http::post_json(
        &fake.url(&format!("{VIDEO_LIST_PATH}?fields=id,view_count")),
        Some(&token),
        &json!({"max_count": 2}),
    );
    assert_eq!(
        r.json()["data"]["videos"],
        json!([
            {"id": "7300000000000000005", "view_count": 5000},
            {"id": "7300000000000000004", "view_count": 4000},
        ])
    );
    let r = http::post_json(
        &fake.url(&format!("{VIDEO_LIST_PATH}?fields={VIDEO_FIELDS}")),
        Some(&token),
        &json!({"max_count": 1}),
    );
    assert_eq!(r.json()["data"]["videos"][0].as_object().unwrap().len(), 15);
    for fields in ["id,nope", ""] {
        let r = http::post_json(
            &fake.url(&format!("{VIDEO_LIST_PATH}?fields={fields}")),
            Some(&token),
            &json!({"max_count": 1}),
        );
        assert_api_error(&r, 400, "invalid_params");
    }

    // No token, an unknown one: 401 like user info. A token without video.list: scope error.
    assert_token_invalid(&list_page(&fake, None, json!({"max_count": 1})));
    assert_token_invalid(&list_page(
        &fake,
        Some("act.unknown"),
        json!({"max_count": 1}),
    ));
    let basic = login(&fake)["access_token"].as_str().unwrap().to_string();
    assert_api_error(
        &list_page(&fake, Some(&basic), json!({"max_count": 1})),
        401,
        "scope_not_authorized",
    );

    // max_count outside 1..=20, a non-integer cursor, a body that is not JSON.
    for body in [
        json!({"max_count": 21}),
        json!({"max_count": 0}),
        json!({"max_count": "5"}),
        json!({"max_count": 5, "cursor": "abc"}),
    ] {
        assert_api_error(&list_page(&fake, Some(&token), body), 400, "invalid_params");
    }
    let r = http::request(
        "POST",
        &fake.url(&format!("{VIDEO_LIST_PATH}?fields=id")),
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Authorization", &format!("Bearer {token}")),
        ],
        b"max_count=5",
    );
    assert_api_error(&r, 400, "invalid_params");
    assert_eq!(
        http::get_with_bearer(&fake.url(&format!("{VIDEO_LIST_PATH}?fields=id")), &token).status,
        405
    );
    let recorded = fake.requests_to(VIDEO_LIST_PATH);
    assert_eq!(recorded[0].json_body(), Some(json!({"max_count": 2})));
    assert_eq!(
        recorded[0].authorization.as_deref(),
        Some(format!("Bearer {token}").as_str())
    );
}

#[test]
fn fake_tiktok_new_videos_and_changed_metrics_between_syncs() {
    let fake = FakeTikTok::start();
    fake.set_videos(3);
    let token = video_token(&fake);
    let before = list_page(&fake, Some(&token), json!({"max_count": 20})).json();
    assert_eq!(ids(&before)[0], "7300000000000000003");

    fake.add_videos(2);
    fake.set_video_views("7300000000000000001", 99);
    fake.bump_all_views(1);
    let after = list_page(&fake, Some(&token), json!({"max_count": 20})).json();
    assert_eq!(
        ids(&after),
        vec![
            "7300000000000000005",
            "7300000000000000004",
            "7300000000000000003",
            "7300000000000000002",
            "7300000000000000001",
        ]
    );
    let videos = after["data"]["videos"].as_array().unwrap();
    assert_eq!(videos[0]["create_time"], VIDEOS_END + 2 * 3600);
    assert_eq!(videos[1]["create_time"], VIDEOS_END + 3600);
    assert_eq!(videos[0]["view_count"], 5001);
    assert_eq!(videos[2]["view_count"], 3001);
    assert_eq!(videos[4]["view_count"], 100);
    assert_eq!(fake.user().video_count, 5);

    fake.update_video("7300000000000000002", |v| v.like_count = 7);
    assert!(fake.remove_video("7300000000000000004"));
    assert!(!fake.remove_video("7300000000000000004"));
    let after = list_page(&fake, Some(&token), json!({"max_count": 20})).json();
    assert_eq!(ids(&after).len(), 4);
    assert_eq!(after["data"]["videos"][2]["like_count"], 7);
}

#[test]
fn fake_tiktok_video_query_answers_the_asked_ids() {
    let fake = FakeTikTok::start();
    fake.set_videos(30);
    let token = video_token(&fake);
    let url = fake.url(&format!("{VIDEO_QUERY_PATH}?fields=id,like_count"));
    let r = http::post_json(
        &url,
        Some(&token),
        &json!({"filters": {"video_ids": ["7300000000000000002", "7300000000000000999", "7300000000000000030"]}}),
    );
    let j = r.ok();
    assert_eq!(j["error"]["code"], "ok");
    assert_eq!(
        j["data"]["videos"],
        json!([
            {"id": "7300000000000000002", "like_count": 200},
            {"id": "7300000000000000030", "like_count": 3000},
        ])
    );
    let many: Vec<String> = fake
        .videos()
        .iter()
        .take(21)
        .map(|v| v.id.clone())
        .collect();
    for body in [
        json!({"filters": {"video_ids": many}}),
        json!({"filters": {"video_ids": []}}),
        json!({}),
    ] {
        assert_api_error(
            &http::post_json(&url, Some(&token), &body),
            400,
            "invalid_params",
        );
    }
    assert_token_invalid(&http::post_json(
        &url,
        None,
        &json!({"filters": {"video_ids": ["7300000000000000002"]}}),
    ));
}

#[test]
fn fake_tiktok_api_faults_rate_limits_and_server_errors() {
    let fake = FakeTikTok::start();
    fake.set_videos(5);
    let j = login_with(&fake, VIDEO_SCOPES);
    let token = j["access_token"].as_str().unwrap();

    // TikTok documents no rate-limit headers: a 429 has none unless told.
    fake.fail_next_api_calls(1, 429);
    let r = list_page(&fake, Some(token), json!({"max_count": 5}));
    assert_api_error(&r, 429, "rate_limit_exceeded");
    assert_eq!(r.json()["data"], json!({}));
    assert_eq!(r.header("retry-after"), None);

    fake.set_rate_limit_retry_after(Some(1));
    fake.fail_next_api_calls(1, 429);
    fake.fail_next_api_calls(1, 500);
    // OAuth calls are not API calls: a refresh goes through while failures are queued.
    let r = refresh(&fake, j["refresh_token"].as_str().unwrap());
    let token = r.ok()["access_token"].as_str().unwrap().to_string();
    let r = user_info(&fake, &token);
    assert_api_error(&r, 429, "rate_limit_exceeded");
    assert_eq!(r.header("retry-after"), Some("1"));
    let r = list_page(&fake, Some(&token), json!({"max_count": 5}));
    assert_api_error(&r, 500, "internal_error");
    assert_eq!(r.header("retry-after"), None);
    assert_eq!(
        list_page(&fake, Some(&token), json!({"max_count": 5})).status,
        200
    );

    // The k-th video-list request (0-based, since start: 3 so far) fails once.
    fake.fail_video_page_once(4);
    let p0 = list_page(&fake, Some(&token), json!({"max_count": 2})).json();
    let c0 = p0["data"]["cursor"].as_i64().unwrap();
    let r = list_page(&fake, Some(&token), json!({"max_count": 2, "cursor": c0}));
    assert_api_error(&r, 500, "internal_error");
    let r = list_page(&fake, Some(&token), json!({"max_count": 2, "cursor": c0}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        ids(&r.json()),
        vec!["7300000000000000003", "7300000000000000002"]
    );
    assert_eq!(fake.video_list_calls(), 6);
    assert_eq!(fake.video_list_cursors()[3..], [None, Some(c0), Some(c0)]);
    let statuses: Vec<u16> = fake
        .requests_to(VIDEO_LIST_PATH)
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, vec![429, 500, 200, 200, 500, 200]);
}

#[test]
fn fake_tiktok_access_tokens_expire_after_n_api_calls() {
    let fake = FakeTikTok::start();
    fake.set_videos(45);
    let j = login_with(&fake, VIDEO_SCOPES);
    let token = j["access_token"].as_str().unwrap();

    fake.expire_access_tokens_after(1);
    let p0 = list_page(&fake, Some(token), json!({"max_count": 20}));
    let c0 = p0.ok()["data"]["cursor"].as_i64().unwrap();
    // The second call finds the token dead, mid-sync.
    assert_token_invalid(&list_page(
        &fake,
        Some(token),
        json!({"max_count": 20, "cursor": c0}),
    ));
    assert!(!fake.grants()[0].access_live());

    // Refresh, then carry on from the same cursor with the new token.
    let r = refresh(&fake, j["refresh_token"].as_str().unwrap());
    let fresh = r.ok()["access_token"].as_str().unwrap().to_string();
    let p1 = list_page(&fake, Some(&fresh), json!({"max_count": 20, "cursor": c0}));
    assert_eq!(ids(&p1.ok())[0], "7300000000000000025");
    assert_eq!(
        user_info(&fake, &fresh).status,
        200,
        "the fresh token keeps working"
    );
    assert_token_invalid(&user_info(&fake, token));
}
