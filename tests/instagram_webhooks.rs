//! `webhooks serve` for Instagram through the binary: Meta's subscription check (the challenge
//! echoed only for the right verify token) and `X-Hub-Signature-256` on event POSTs (valid,
//! forged, missing, malformed), with the server answering after every refusal and events
//! written as fans, messages and audit entries, once however often Meta redelivers them.

use serde_json::json;
use socialcrm::secrets::Secret;
use socialcrm::webhooks::signature::sign_body;

use crate::support::both_backends;
use crate::support::http;
use crate::support::{TestDb, TestEnv, assert_contains, crm_contents};
use crate::webhooks::{Server, webhook_audit};

const APP_SECRET: &str = "ig-app-secret-5a4b3c2d";
const VERIFY: &str = "verify-token-from-the-dashboard";
const PATH: &str = "/webhooks/instagram";

fn serve(env: &TestEnv, db: &TestDb) -> Server {
    Server::start_with(
        env,
        db,
        &[],
        &[
            ("INSTAGRAM_APP_SECRET", APP_SECRET),
            ("INSTAGRAM_WEBHOOK_VERIFY_TOKEN", VERIFY),
        ],
    )
}

fn delivery() -> String {
    json!({"object": "instagram", "entry": [{
        "id": "17841400000000001", "time": 1795132800,
        "changes": [
            {"field": "comments", "value": {"id": "wc1", "text": "So good!",
             "from": {"id": "90001", "username": "fan1"},
             "media": {"id": "m7", "media_product_type": "REELS"}}},
            {"field": "mentions", "value": {"media_id": "m99", "comment_id": "x1"}},
        ],
        "messaging": [{"sender": {"id": "80001"}, "recipient": {"id": "17841400000000001"},
                       "timestamp": 1795132800500_i64, "message": {"mid": "mid.1", "text": "hello"}}],
    }]})
    .to_string()
}

fn post(server: &Server, signature: Option<&str>, body: &str) -> http::Response {
    server.post_json(PATH, signature.map(|s| ("X-Hub-Signature-256", s)), body)
}

fn webhooks_are_verified_and_recorded_once(db: TestDb) {
    let env = TestEnv::new();
    let server = serve(&env, &db);

    let check = |token: &str, mode: &str| {
        let url = server.url(&format!(
            "{PATH}?hub.mode={mode}&hub.verify_token={token}&hub.challenge=1158201444"
        ));
        http::request("GET", &url, &[], b"")
    };
    let ok = check(VERIFY, "subscribe");
    assert_eq!((ok.status, ok.body.as_str()), (200, "1158201444"));
    assert_eq!(check("wrong-token", "subscribe").status, 403);
    assert_eq!(check(VERIFY, "unsubscribe").status, 403);

    let body = delivery();
    let good = format!(
        "sha256={}",
        sign_body(&Secret::new(APP_SECRET), body.as_bytes())
    );
    let forged = format!(
        "sha256={}",
        sign_body(&Secret::new("not-the-secret"), body.as_bytes())
    );
    assert_eq!(post(&server, None, &body).status, 401, "missing");
    assert_eq!(post(&server, Some(&forged), &body).status, 403, "forged");
    assert_eq!(
        post(&server, Some("sha256=zz"), &body).status,
        403,
        "malformed"
    );
    let tampered = body.replace("So good!", "So bad!");
    assert_eq!(
        post(&server, Some(&good), &tampered).status,
        403,
        "body changed"
    );
    let crm = crm_contents(&db.target);
    assert!(crm["messages"].is_empty(), "nothing refused was written");

    assert_eq!(post(&server, Some(&good), &body).status, 200);
    assert_eq!(
        post(&server, Some(&good), &body).status,
        200,
        "a redelivery"
    );
    let crm = crm_contents(&db.target);
    assert_eq!(crm["messages"].len(), 2, "{:?}", crm["messages"]);
    assert!(crm["messages"].iter().any(|m| {
        m.starts_with("instagram|default|wc1|90001|in|comment|So good!|") && m.ends_with("|m7")
    }));
    assert!(
        crm["messages"]
            .iter()
            .any(|m| m.starts_with("instagram|default|mid.1|80001|in|dm|hello|"))
    );
    assert_eq!(crm["fans"].len(), 2);
    // No connection names the Instagram account: its records go to `default`.
    assert!(
        crm["fan_accounts"].iter().all(|f| f.contains("|default|")),
        "{:?}",
        crm["fan_accounts"]
    );
    let webhooks = webhook_audit(db.open().as_mut());
    assert_eq!(
        webhooks.len(),
        1,
        "one entry per delivery, however often redelivered"
    );
    let detail = webhooks[0].1.as_deref().unwrap();
    assert_contains(detail, "mentions");

    let log = server.stop();
    assert!(
        !log.contains(APP_SECRET) && !log.contains(VERIFY),
        "a secret in the log"
    );
    assert!(!log.contains(&good[7..]), "a signature in the log");
}

both_backends! {
    webhooks_are_verified_and_recorded_once: |db| webhooks_are_verified_and_recorded_once(db);
}

/// Regression: the subscription check echoed any `hub.challenge` as the response body, so with
/// the verify token the endpoint reflected arbitrary content (HTML, script). Only a short
/// token-shaped challenge (Meta sends digits) is echoed now, as nosniff plain text.
#[test]
fn the_subscription_check_reflects_only_a_token_shaped_challenge() {
    let env = TestEnv::new();
    let db = TestDb::sqlite();
    let server = serve(&env, &db);
    let check = |challenge: &str| {
        let url = server.url(&format!(
            "{PATH}?hub.mode=subscribe&hub.verify_token={VERIFY}&hub.challenge={challenge}"
        ));
        http::request("GET", &url, &[], b"")
    };
    for bad in [
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "%7B%22a%22%3A1%7D",
        "a%20b",
        "x%0D%0AInjected:%201",
        &"1".repeat(200),
        "",
    ] {
        let r = check(bad);
        assert_eq!(r.status, 400, "{bad:?} was echoed: {}", r.body);
        assert!(!r.body.contains("<script"), "{}", r.body);
    }
    let ok = check("1158201444");
    assert_eq!((ok.status, ok.body.as_str()), (200, "1158201444"));
    assert_eq!(ok.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(ok.header("content-type"), Some("text/plain; charset=utf-8"));
}
