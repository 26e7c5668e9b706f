//! X's Account Activity webhooks on `webhooks serve`: the CRC answer, signed events recorded,
//! forged, missing and replayed signatures refused, and the server answering throughout.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use socialcrm::store::Store;
use socialcrm::store::model::{AuditQuery, MessageQuery, MessageRow, Page};

use crate::support::both_backends;
use crate::support::http;
use crate::support::{TestDb, TestEnv, crm_contents};
use crate::webhooks::Server;

/// The app's OAuth 1.0a consumer secret, the key X signs with.
const CONSUMER_SECRET: &str = "x-consumer-secret-5a4b3c";
/// An OAuth 2.0 client secret: it must not be what verifies X's webhooks.
const CLIENT_SECRET: &str = "x-oauth2-client-secret";

/// base64(HMAC-SHA256(key, message)), computed here independently of the binary.
fn hmac(key: &str, message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(message);
    STANDARD.encode(mac.finalize().into_bytes())
}

fn post(server: &Server, signature: Option<&str>, body: &str) -> http::Response {
    let signed = signature.map(|s| ("x-twitter-webhooks-signature", s));
    server.post_json("/webhooks/x", signed, body)
}

fn serve(db: &TestDb, env: &TestEnv) -> Server {
    Server::start_with(
        env,
        db,
        &[],
        &[
            ("TWITTER_CONSUMER_SECRET", CONSUMER_SECRET),
            ("TWITTER_CLIENT_SECRET", CLIENT_SECRET),
        ],
    )
}

fn dm_event() -> String {
    serde_json::json!({
        "for_user_id": "1500000000000000001",
        "direct_message_events": [{
            "type": "message_create",
            "id": "1960000000000000001",
            "created_timestamp": "1795000000000",
            "message_create": {
                "target": {"recipient_id": "1500000000000000001"},
                "sender_id": "4000000000000000001",
                "message_data": {"text": "hi from a fan"}
            }
        }]
    })
    .to_string()
}

fn x_webhooks_answer_the_crc_and_record_only_signed_events(db: TestDb) {
    let env = TestEnv::new();
    let server = serve(&db, &env);

    let crc = http::get(&server.url("/webhooks/x?crc_token=challenge%2Btoken"));
    assert_eq!(crc.status, 200, "{}", crc.body);
    assert_eq!(
        crc.json()["response_token"],
        format!("sha256={}", hmac(CONSUMER_SECRET, b"challenge+token"))
    );
    assert_eq!(
        http::get(&server.url("/webhooks/x")).status,
        400,
        "no crc_token"
    );

    let body = dm_event();
    let valid = format!("sha256={}", hmac(CONSUMER_SECRET, body.as_bytes()));
    let forged = format!("sha256={}", hmac(CLIENT_SECRET, body.as_bytes()));
    assert_eq!(post(&server, None, &body).status, 401, "missing");
    assert_eq!(
        post(&server, Some(&forged), &body).status,
        401,
        "signed with the OAuth 2.0 secret"
    );
    assert_eq!(
        post(&server, Some("sha256=not base64"), &body).status,
        400,
        "malformed"
    );
    let tampered = body.replace("hi from a fan", "hi from a forger");
    assert_eq!(
        post(&server, Some(&valid), &tampered).status,
        401,
        "body changed"
    );
    assert_eq!(post(&server, Some(&valid), &body).status, 200, "valid");
    assert_eq!(post(&server, Some(&valid), &body).status, 401, "replayed");
    // Still answering after all of that.
    let again = http::get(&server.url("/webhooks/x?crc_token=again"));
    assert_eq!(again.status, 200);
    let log = server.stop();
    assert!(
        !log.contains(CONSUMER_SECRET) && !log.contains("challenge"),
        "{log}"
    );

    let mut store = db.open();
    let audit = store
        .list_audit(&AuditQuery {
            page: Page {
                limit: 10,
                after: None,
            },
            ..AuditQuery::default()
        })
        .unwrap();
    let webhooks: Vec<_> = audit
        .iter()
        .filter(|a| a.entry.action == "webhook")
        .collect();
    assert_eq!(webhooks.len(), 1, "only the valid delivery was recorded");
    assert_eq!(webhooks[0].entry.platform.map(|p| p.name()), Some("x"));
    assert!(
        webhooks[0]
            .entry
            .detail
            .as_deref()
            .unwrap()
            .contains("direct_message_events(1)")
    );
    let messages = first_messages(store.as_mut());
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].message.direction, "in");
}

/// The first ten messages in the store.
fn first_messages(store: &mut dyn Store) -> Vec<MessageRow> {
    let page = Page {
        limit: 10,
        after: None,
    };
    let query = MessageQuery {
        page,
        ..MessageQuery::default()
    };
    store.list_messages(&query).unwrap()
}

both_backends! {
    x_webhooks_answer_the_crc_and_record_only_signed_events: |db| x_webhooks_answer_the_crc_and_record_only_signed_events(db);
}

/// Regression: the CRC answer is the HMAC of whatever `crc_token` holds, which is exactly the
/// signature of a POST whose body is those bytes. Asking for the "CRC" of a forged event and
/// POSTing it with the answer stored a fake DM. Only a token-shaped crc_token is answered now.
fn the_crc_endpoint_is_not_a_signing_oracle(db: TestDb) {
    let env = TestEnv::new();
    let server = serve(&db, &env);
    let forged = dm_event().replace("hi from a fan", "forged");
    let encoded: String = url::form_urlencoded::byte_serialize(forged.as_bytes()).collect();
    let crc = http::get(&server.url(&format!("/webhooks/x?crc_token={encoded}")));
    assert_eq!(
        crc.status, 400,
        "a JSON event is no crc_token: {}",
        crc.body
    );
    if let Some(token) = crc.json()["response_token"].as_str() {
        assert_ne!(post(&server, Some(token), &forged).status, 200);
    }
    for bad in ["a%20b", "%3Cscript%3E", &"a".repeat(300), "x%0Ay"] {
        let r = http::get(&server.url(&format!("/webhooks/x?crc_token={bad}")));
        assert_eq!(r.status, 400, "{bad:?}: {}", r.body);
    }
    // What X sends (a random base64/URL-safe string) is still answered.
    let token = "Zm9vYmFyLWNyYy10b2tlbi0xMjM0NTY3ODkw_-";
    let ok = http::get(&server.url(&format!("/webhooks/x?crc_token={token}")));
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(
        ok.json()["response_token"],
        format!("sha256={}", hmac(CONSUMER_SECRET, token.as_bytes()))
    );
    server.stop();
    let messages = first_messages(db.open().as_mut());
    assert!(messages.is_empty(), "a forged DM was stored: {messages:?}");
}

both_backends! {
    the_crc_endpoint_is_not_a_signing_oracle: |db| the_crc_endpoint_is_not_a_signing_oracle(db);
}

/// Regression: the replay guard lived in memory and keyed the analytics point by arrival time,
/// so the same signed delivery was accepted again after a restart and added a second analytics
/// row. Replay state is in the database now, keyed by the body's hash: refused after a restart
/// (an hour later), and once the replay record expired, accepted without writing anything new.
fn a_replay_after_a_restart_is_refused_and_never_adds_a_row(db: TestDb) {
    let env = TestEnv::new();
    let body = dm_event();
    let signature = format!("sha256={}", hmac(CONSUMER_SECRET, body.as_bytes()));
    let serve_at = |now: &str| {
        Server::start_with(
            &env,
            &db,
            &[],
            &[
                ("TWITTER_CONSUMER_SECRET", CONSUMER_SECRET),
                ("SOCIALCRM_NOW", now),
            ],
        )
    };
    let x_rows = |table: &str| {
        crm_contents(&db.target)[table]
            .iter()
            .filter(|l| l.starts_with("x|"))
            .cloned()
            .collect::<Vec<_>>()
    };

    let server = serve_at("2026-11-24T12:00:00Z");
    assert_eq!(post(&server, Some(&signature), &body).status, 200);
    server.stop();
    let analytics = x_rows("analytics_events");
    assert_eq!(analytics.len(), 1, "{analytics:?}");

    let server = serve_at("2026-11-24T13:00:00Z");
    let again = post(&server, Some(&signature), &body);
    assert_eq!(
        (again.status, again.json()["error"].as_str()),
        (401, Some("replayed request")),
        "after a restart"
    );
    server.stop();
    assert_eq!(x_rows("analytics_events"), analytics);

    // Long after, the replay record has expired: the delivery is taken, and changes nothing.
    let server = serve_at("2027-01-24T12:00:00Z");
    assert_eq!(post(&server, Some(&signature), &body).status, 200);
    server.stop();
    assert_eq!(x_rows("analytics_events"), analytics, "keyed by content");
    assert_eq!(x_rows("messages").len(), 1);
}

both_backends! {
    a_replay_after_a_restart_is_refused_and_never_adds_a_row: |db| a_replay_after_a_restart_is_refused_and_never_adds_a_row(db);
}
