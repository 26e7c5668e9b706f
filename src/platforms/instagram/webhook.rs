//! Instagram's webhooks (Meta's Webhooks product): the subscription check and the events.
//!
//! - `GET /webhooks/instagram?hub.mode=subscribe&hub.verify_token=..&hub.challenge=..`: Meta
//!   checks the callback URL when it is saved; the answer is the bare challenge (200) when the
//!   mode is `subscribe` and the token equals `INSTAGRAM_WEBHOOK_VERIFY_TOKEN` (compared in
//!   constant time), else 403. The challenge is echoed only when it looks like one (Meta sends
//!   an integer; [`is_challenge`]: at most 64 letters, digits, `-`, `_`, `.`), as `nosniff`
//!   plain text, else 400: the endpoint must not reflect HTML, script or header breaks.
//! - `POST /webhooks/instagram`: `X-Hub-Signature-256: sha256=<hex>` is HMAC-SHA256 of the raw
//!   body keyed with the app secret. Missing: 401; malformed or not matching: 403. Only then is
//!   the body read: `{"object":"instagram","entry":[{"id","time","changes":[{"field","value"}],
//!   "messaging":[...]}]}`.
//!
//! [`plan`] is pure. `comments` changes become a fan (source `comment`) and an incoming comment
//! message on the media (outgoing, without a fan, when the account commented itself);
//! `messaging` events become DMs (the correspondent a fan, source `dm`; echoes of the account's
//! own messages outgoing); every other field is only recorded in `audit_log`. Every delivery
//! gets one audit entry keyed by the SHA-256 of its body, and messages are keyed by Meta's ids,
//! so Meta's redeliveries overwrite instead of duplicating (Meta signs no timestamp, so there is
//! no replay window to guard: a replay changes nothing).

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value as Json;

use crate::config::PlatformConfig;
use crate::store::model::{AuditEntry, Fan, Message};
use crate::store::{Batch, Store};
use crate::vocab::{PlatformId, Secret};
use crate::webhooks::http::{Incoming, Reply};
use crate::webhooks::signature::{body_mac_matches, decode_hex32, parse_hub_header};
use crate::webhooks::{Endpoint, Receiver, event_id, signing_key};

/// The `platform` column value of the rows a delivery writes.
pub const PLATFORM: PlatformId = PlatformId::Instagram;
/// Where `webhooks serve` routes Meta's verification `GET` and its deliveries.
pub const PATH: &str = "/webhooks/instagram";

/// The rows one delivery writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The senders and commenters, as fans of the account.
    pub fans: Vec<Fan>,
    /// The DMs and comments delivered.
    pub messages: Vec<Message>,
    /// The delivery's audit entry (its body hash as event id: a replay is one row).
    pub audit: AuditEntry,
}

fn text(v: &Json, pointer: &str) -> Option<String> {
    match v.pointer(pointer)? {
        Json::String(s) if !s.is_empty() => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// What a verified body changes. The error names the problem, never the body. Each fan's and
/// message's `account` is the Instagram id of the account the entry is for; `handle` turns it
/// into the local account name.
pub fn plan(body: &[u8], now: DateTime<Utc>) -> Result<Plan, String> {
    let doc: Json =
        serde_json::from_slice(body).map_err(|e| format!("not an Instagram event: {e}"))?;
    if doc.get("object").and_then(Json::as_str) != Some("instagram") {
        return Err("not an Instagram event: object is not \"instagram\"".into());
    }
    let entries = doc
        .get("entry")
        .and_then(Json::as_array)
        .ok_or("not an Instagram event: no entry list")?;
    let mut fans = Vec::new();
    let mut messages = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    for entry in entries {
        let account = text(entry, "/id").unwrap_or_default();
        let at = entry
            .get("time")
            .and_then(Json::as_i64)
            .and_then(|t| Utc.timestamp_opt(t, 0).single())
            .unwrap_or(now);
        for change in entry
            .get("changes")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let field = text(change, "/field").unwrap_or_else(|| "unknown".into());
            let value = change.get("value").unwrap_or(&Json::Null);
            if let ("comments" | "live_comments", Some(id)) = (field.as_str(), text(value, "/id")) {
                let from = text(value, "/from/id");
                let username = text(value, "/from/username");
                let mine = from.as_deref() == Some(account.as_str());
                if let (Some(from), false) = (&from, mine) {
                    fans.push(Fan {
                        account: account.clone(),
                        ..Fan::seen(PLATFORM, from, username, "comment", at)
                    });
                }
                messages.push(Message {
                    account: account.clone(),
                    fan_platform_user_id: if mine { None } else { from },
                    body: text(value, "/text"),
                    thread_ref: text(value, "/parent_id").or(Some(id.clone())),
                    post_ref: text(value, "/media/id"),
                    ..Message::exchanged(PLATFORM, id, "comment", mine, at)
                });
            }
            fields.push(field);
        }
        for event in entry
            .get("messaging")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(mid), Some(sender), Some(recipient)) = (
                text(event, "/message/mid"),
                text(event, "/sender/id"),
                text(event, "/recipient/id"),
            ) else {
                fields.push("messaging".into());
                continue;
            };
            let sent_at = event
                .get("timestamp")
                .and_then(Json::as_i64)
                .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
                .unwrap_or(at);
            let echo = sender == account
                || event.pointer("/message/is_echo").and_then(Json::as_bool) == Some(true);
            let other = if echo { recipient } else { sender };
            fans.push(Fan {
                account: account.clone(),
                ..Fan::seen(PLATFORM, &other, None, "dm", sent_at)
            });
            messages.push(Message {
                account: account.clone(),
                fan_platform_user_id: Some(other),
                body: text(event, "/message/text"),
                ..Message::exchanged(PLATFORM, mid, "dm", echo, sent_at)
            });
            fields.push("messages".into());
        }
    }
    fields.sort();
    fields.dedup();
    let detail = format!(
        "{} ({} message(s))",
        if fields.is_empty() {
            "no changes".into()
        } else {
            fields.join(", ")
        },
        messages.len()
    );
    let audit =
        crate::webhooks::delivery_audit(PLATFORM, event_id(body), None, "received", detail, now);
    Ok(Plan {
        fans,
        messages,
        audit,
    })
}

/// The longest `hub.challenge` echoed back.
pub const MAX_CHALLENGE: usize = 64;

/// Whether `challenge` is safe to echo: 1 to [`MAX_CHALLENGE`] ASCII letters, digits, `-`, `_`
/// or `.` (Meta's challenges are integers), so the answer can never be markup or script.
pub fn is_challenge(challenge: &str) -> bool {
    (1..=MAX_CHALLENGE).contains(&challenge.len())
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Answers Meta's subscription check from the request's query.
pub fn subscription(query: &str, verify_token: Option<&Secret>) -> Reply {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(expected) = verify_token.filter(|t| !t.expose().is_empty()) else {
        tracing::warn!(
            "refused Meta's subscription check: INSTAGRAM_WEBHOOK_VERIFY_TOKEN is not set"
        );
        return Reply::error(403, "no verify token is configured");
    };
    let given = get("hub.verify_token").unwrap_or("");
    // Constant time: HMAC both with one key and compare the MACs.
    let key = Secret::new("socialcrm hub.verify_token");
    let same = decode_hex32(&crate::webhooks::signature::sign_body(
        &key,
        expected.expose().as_bytes(),
    ))
    .is_some_and(|want| body_mac_matches(&key, given.as_bytes(), &want));
    match (get("hub.mode"), get("hub.challenge")) {
        (Some("subscribe"), Some(challenge)) if same && is_challenge(challenge) => {
            Reply::text(200, challenge)
        }
        (Some("subscribe"), _) if same => {
            tracing::warn!("refused Meta's subscription check: the challenge is not token-shaped");
            Reply::error(
                400,
                "hub.challenge is not a challenge (1 to 64 letters or digits)",
            )
        }
        _ => {
            tracing::warn!("refused Meta's subscription check (mode or verify token)");
            Reply::error(403, "verification refused")
        }
    }
}

/// `GET` and `POST /webhooks/instagram`.
pub struct InstagramReceiver {
    /// Signs each delivery (`X-Hub-Signature-256`); without it deliveries are refused.
    pub app_secret: Option<Secret>,
    /// What Meta's subscription check must present (`hub.verify_token`); without it the check
    /// is refused.
    pub verify_token: Option<Secret>,
}

/// `GET` and `POST /webhooks/instagram`, when the app secret is set: Meta signs with it.
pub fn endpoint(settings: &PlatformConfig, _replay_cap: usize) -> Option<Endpoint> {
    let app_secret = signing_key(&settings.client_secret)?;
    let receiver = InstagramReceiver {
        app_secret: Some(app_secret),
        verify_token: settings.webhook_verify_token.clone(),
    };
    Some(Endpoint::new(PATH, &["GET", "POST"], receiver))
}

impl Receiver for InstagramReceiver {
    fn handle(&mut self, store: &mut dyn Store, request: &Incoming) -> Reply {
        if request.method == "GET" {
            return subscription(&request.query, self.verify_token.as_ref());
        }
        let Some(secret) = &self.app_secret else {
            tracing::warn!("refused an Instagram webhook: INSTAGRAM_APP_SECRET is not set");
            return Reply::error(403, "signature cannot be checked");
        };
        let claimed = match request.header_values("x-hub-signature-256").as_slice() {
            [] => {
                tracing::warn!("refused an Instagram webhook: missing X-Hub-Signature-256");
                return Reply::error(401, "missing X-Hub-Signature-256 header");
            }
            [one] => parse_hub_header(one),
            _ => None,
        };
        let verified = claimed.is_some_and(|sig| body_mac_matches(secret, &request.body, &sig));
        if !verified {
            tracing::warn!("refused an Instagram webhook: the signature does not match");
            return Reply::error(403, "signature does not match");
        }
        let now = crate::clock::now();
        let mut plan = match plan(&request.body, now) {
            Ok(p) => p,
            Err(why) => {
                tracing::warn!("refused a signed Instagram webhook: {why}");
                return Reply::error(400, &why);
            }
        };
        // The plan names each record's account by its Instagram id; the CRM by its local name.
        let connections = match store.list_connections() {
            Ok(c) => c,
            Err(e) => {
                tracing::error!("could not record an Instagram webhook: {e}");
                return Reply::error(500, "could not record the event");
            }
        };
        let local =
            |ig_id: &str| crate::webhooks::local_account(&connections, PLATFORM, Some(ig_id));
        for fan in &mut plan.fans {
            fan.account = local(&fan.account);
        }
        for message in &mut plan.messages {
            message.account = local(&message.account);
        }
        let written = store.upsert_all(&[
            Batch::Fans(&plan.fans),
            Batch::Messages(&plan.messages),
            Batch::Audit(std::slice::from_ref(&plan.audit)),
        ]);
        match written {
            Ok(_) => {
                tracing::debug!(
                    messages = plan.messages.len(),
                    "recorded an Instagram webhook"
                );
                Reply::ok()
            }
            Err(e) => {
                tracing::error!("could not record an Instagram webhook: {e}");
                Reply::error(500, "could not record the event")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_messages_become_fans_and_messages() {
        let body = br#"{"object":"instagram","entry":[{"id":"178","time":1795132800,
            "changes":[{"field":"comments","value":{"id":"c1","text":"nice","from":{"id":"9001","username":"fan1"},"media":{"id":"m1","media_product_type":"REELS"}}},
                       {"field":"mentions","value":{"media_id":"m9"}}],
            "messaging":[{"sender":{"id":"9002"},"recipient":{"id":"178"},"timestamp":1795132800123,"message":{"mid":"mid1","text":"hi"}}]}]}"#;
        let now = Utc::now();
        let plan = plan(body, now).unwrap();
        assert_eq!(plan.fans.len(), 2);
        assert_eq!(plan.messages[0].post_ref.as_deref(), Some("m1"));
        assert_eq!(plan.messages[1].direction, "in");
        assert_eq!(plan.messages[1].kind, "dm");
        assert_eq!(
            plan.audit.detail.as_deref(),
            Some("comments, mentions, messages (2 message(s))")
        );
        assert!(super::plan(br#"{"object":"page","entry":[]}"#, now).is_err());
    }

    #[test]
    fn the_subscription_check_echoes_the_challenge_only_for_the_right_token() {
        let token = Secret::new("verify-me");
        let ok = subscription(
            "hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444",
            Some(&token),
        );
        assert_eq!((ok.status, ok.body.as_str()), (200, "1158201444"));
        for bad in [
            "hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1",
            "hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1",
            "hub.verify_token=verify-me&hub.challenge=1",
        ] {
            assert_eq!(subscription(bad, Some(&token)).status, 403, "{bad}");
        }
        assert_eq!(
            subscription("hub.mode=subscribe&hub.verify_token=&hub.challenge=1", None).status,
            403
        );
    }
}
