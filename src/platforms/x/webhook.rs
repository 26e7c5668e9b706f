//! X's Account Activity webhooks: the CRC check and signed event deliveries on `/webhooks/x`.
//!
//! (docs.x.com "Webhooks" quickstart and the Account Activity API's "Securing webhooks"):
//! - CRC: X sends `GET /webhooks/x?crc_token=<token>` when the webhook is registered, about
//!   hourly, and on demand, and wants within 3 s a 200 with
//!   `{"response_token": "sha256=<base64(HMAC-SHA256(consumer secret, crc_token))>"}`.
//!   That is the same HMAC, with the same key, as an event's signature, so the CRC answer would
//!   sign any body it was asked about: only a token-shaped crc_token ([`is_crc_token`]) is
//!   answered, anything else is a 400.
//! - Events: `POST` with `x-twitter-webhooks-signature: sha256=<base64(HMAC-SHA256(consumer
//!   secret, raw body))>`, checked in constant time before the body is parsed.
//!
//! The key is the app's OAuth 1.0a consumer secret (API key secret), not the OAuth 2.0 client
//! secret: its own setting, `TWITTER_CONSUMER_SECRET`. A signature carries no timestamp, so a
//! delivery is known by its content: the SHA-256 of its body. Replays are refused by a record
//! of that key in the database (`webhook_replays`, kept [`REPLAY_WINDOW`]), written in the same
//! transaction as the event's rows, so a restart, or another host on the same PostgreSQL,
//! still refuses them. Recorded: an audit entry and one analytics point per kind of event, both
//! keyed by the body's hash and the events' own time (never the arrival time, so even a replay
//! the record has forgotten adds no row), and the DMs of `direct_message_events` as messages.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde_json::{Value as Json, json};

use crate::config::PlatformConfig;
use crate::store::model::{AnalyticsEvent, AuditEntry, ConnectionRow, Message, WebhookReplay};
use crate::store::{Batch, Store};
use crate::vocab::{PlatformId, Secret};
use crate::webhooks::http::{Incoming, Reply};
use crate::webhooks::signature::{hmac_matches, hmac_sha256, parse_x_header as parse_header};
use crate::webhooks::{Endpoint, Receiver, event_id, signing_key};

/// Where `webhooks serve` routes X's CRC checks (`GET`) and deliveries (`POST`).
pub const PATH: &str = "/webhooks/x";
const PLATFORM: PlatformId = PlatformId::X;
const HEADER: &str = "x-twitter-webhooks-signature";

/// How long a recorded delivery is remembered as such. X redelivers within minutes; a replay
/// later than this is accepted but, keyed by content, writes nothing new.
pub const REPLAY_WINDOW: chrono::Duration = chrono::Duration::days(7);

/// The longest `crc_token` answered. X's tokens are short random strings (tens of characters).
pub const MAX_CRC_TOKEN: usize = 128;

/// Whether `token` looks like a CRC token X generates: 1 to [`MAX_CRC_TOKEN`] characters of the
/// base64 and URL-safe base64 alphabets. The answer is the HMAC of the token with the same key
/// that signs event bodies, so answering for arbitrary bytes would sign any forged event (a JSON
/// body needs `{`, `"` or `:`, none of which passes here).
pub fn is_crc_token(token: &str) -> bool {
    (1..=MAX_CRC_TOKEN).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
}

/// `sha256=<base64 HMAC>` of `crc_token`: the CRC answer. Only for a token that passed
/// [`is_crc_token`].
pub fn response_token(key: &Secret, crc_token: &str) -> String {
    format!(
        "sha256={}",
        STANDARD.encode(hmac_sha256(key, crc_token.as_bytes()))
    )
}

/// What one delivery writes.
pub struct Plan {
    /// The delivery's audit entry, naming the kinds of events it held.
    pub audit: AuditEntry,
    /// One point per kind of event delivered, counting them.
    pub analytics: Vec<AnalyticsEvent>,
    /// The DMs it delivered, either direction.
    pub messages: Vec<Message>,
}

/// When the events of a delivery happened: the earliest `created_timestamp` / `timestamp_ms`
/// (milliseconds, as strings or numbers) of the elements of its `*_events` lists.
fn events_time(event: &Json) -> Option<DateTime<Utc>> {
    event
        .as_object()?
        .iter()
        .filter(|(k, _)| k.ends_with("_events"))
        .filter_map(|(_, v)| v.as_array())
        .flatten()
        .filter_map(|e| {
            let stamp = e
                .get("created_timestamp")
                .or_else(|| e.get("timestamp_ms"))?;
            match stamp {
                Json::String(s) => s.parse::<i64>().ok(),
                Json::Number(n) => n.as_i64(),
                _ => None,
            }
        })
        .filter_map(DateTime::from_timestamp_millis)
        .min()
}

/// What `body` (an Account Activity delivery) records, given every connection in the CRM.
pub fn plan(
    body: &[u8],
    connections: &[ConnectionRow],
    now: DateTime<Utc>,
) -> Result<Plan, String> {
    let event: Json =
        serde_json::from_slice(body).map_err(|_| "not an X Account Activity event: not JSON")?;
    let for_user = event
        .get("for_user_id")
        .and_then(Json::as_str)
        .filter(|u| !u.is_empty() && u.len() <= 40)
        .ok_or("not an X Account Activity event: no for_user_id")?;
    let account = crate::webhooks::local_account(connections, PLATFORM, Some(for_user));
    let id = event_id(body);
    let at = events_time(&event).unwrap_or(now);
    let kinds: Vec<(String, usize)> = event
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.ends_with("_events") || k.ends_with("_event"))
        .map(|(k, v)| (k.clone(), v.as_array().map_or(1, Vec::len)))
        .collect();
    let messages = event
        .get("direct_message_events")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter(|e| e.get("type").and_then(Json::as_str) == Some("message_create"))
        .filter_map(|e| {
            let create = e.get("message_create")?;
            let sender = create.get("sender_id")?.as_str()?;
            let recipient = create.pointer("/target/recipient_id")?.as_str()?;
            let millis: i64 = e.get("created_timestamp")?.as_str()?.parse().ok()?;
            let sent_at = DateTime::from_timestamp_millis(millis)?;
            let id = e.get("id")?.as_str()?.to_string();
            let outbound = sender == for_user;
            Some(Message {
                account: account.clone(),
                fan_platform_user_id: Some(if outbound { recipient } else { sender }.into()),
                body: create
                    .pointer("/message_data/text")
                    .and_then(Json::as_str)
                    .map(str::to_string),
                ..Message::exchanged(PLATFORM, id, "dm", outbound, sent_at)
            })
        })
        .collect();
    let names: Vec<String> = kinds.iter().map(|(k, n)| format!("{k}({n})")).collect();
    Ok(Plan {
        audit: crate::webhooks::delivery_audit(
            PLATFORM,
            format!("webhook-x-{id}"),
            (!account.is_empty()).then(|| account.clone()),
            "ok",
            format!(
                "{} for_user_id={for_user}",
                if names.is_empty() {
                    "no events".into()
                } else {
                    names.join(" ")
                }
            ),
            now,
        ),
        analytics: kinds
            .iter()
            .map(|(kind, n)| {
                crate::webhooks::delivery_event(
                    PLATFORM,
                    account.clone(),
                    id.clone(),
                    kind.clone(),
                    at,
                    *n as f64,
                )
            })
            .collect(),
        messages,
    })
}

/// `GET` (CRC) and `POST` (events) on `/webhooks/x`.
pub struct XReceiver {
    key: Secret,
}

impl XReceiver {
    /// A receiver checking signatures (and answering CRCs) with the consumer secret `key`.
    pub fn new(key: Secret) -> XReceiver {
        XReceiver { key }
    }
}

/// `GET` and `POST /webhooks/x`, when the consumer secret is set. X signs with the OAuth 1.0a
/// consumer secret, never with the OAuth 2.0 client secret.
pub fn endpoint(settings: &PlatformConfig, _replay_cap: usize) -> Option<Endpoint> {
    let key = signing_key(&settings.webhook_secret)?;
    Some(Endpoint::new(PATH, &["GET", "POST"], XReceiver::new(key)))
}

impl Receiver for XReceiver {
    fn handle(&mut self, store: &mut dyn Store, request: &Incoming) -> Reply {
        if request.method == "GET" {
            return match request.query_param("crc_token") {
                Some(token) if is_crc_token(&token) => Reply {
                    status: 200,
                    body: json!({ "response_token": response_token(&self.key, &token) })
                        .to_string(),
                    extra: Vec::new(),
                },
                Some(_) => refused(
                    400,
                    "crc_token is not a CRC token (1 to 128 base64 characters)",
                ),
                None => Reply::error(400, "missing crc_token"),
            };
        }
        let signature = match request.header_values(HEADER).as_slice() {
            [] => return refused(401, "missing x-twitter-webhooks-signature header"),
            [one] => match parse_header(one) {
                Ok(s) => s,
                Err(why) => return refused(400, why),
            },
            _ => return refused(400, "more than one x-twitter-webhooks-signature header"),
        };
        if !hmac_matches(&self.key, &request.body, &signature) {
            return refused(401, "signature does not match");
        }
        let now = crate::clock::now();
        let planned = store
            .list_connections()
            .map_err(|e| e.to_string())
            .and_then(|connections| plan(&request.body, &connections, now));
        let plan = match planned {
            Ok(plan) => plan,
            Err(why) if why.starts_with("not an X") => return refused(400, &why),
            Err(why) => {
                tracing::error!("could not record an X webhook: {why}");
                return Reply::error(500, "could not record the event");
            }
        };
        let mut batches = vec![
            Batch::Audit(std::slice::from_ref(&plan.audit)),
            Batch::Analytics(&plan.analytics),
            Batch::Messages(&plan.messages),
        ];
        batches.retain(|b| !b.is_empty());
        let replay = WebhookReplay {
            platform: PLATFORM,
            key: event_id(&request.body),
            expires_at: now + REPLAY_WINDOW,
        };
        match store.record_webhook(&replay, &batches) {
            Ok(Some(_)) => Reply::ok(),
            Ok(None) => refused(401, "replayed request"),
            Err(e) => {
                tracing::error!("could not record an X webhook: {e}");
                Reply::error(500, "could not record the event")
            }
        }
    }
}

fn refused(status: u16, why: &str) -> Reply {
    tracing::warn!("refused an X webhook: {why}");
    Reply::error(status, why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crc_answer_is_the_base64_hmac_of_the_token() {
        // printf 'challenge' | openssl dgst -sha256 -hmac consumer-secret -binary | base64
        let token = response_token(&Secret::new("consumer-secret"), "challenge");
        assert_eq!(token, "sha256=2RUZDVKjSpEV/C/r9ivMsVZJ4DFPAawjJFQQzY+6ba4=");
        let sig = parse_header(&token).unwrap();
        assert!(hmac_matches(
            &Secret::new("consumer-secret"),
            b"challenge",
            &sig
        ));
        assert!(!hmac_matches(&Secret::new("other"), b"challenge", &sig));
        assert!(parse_header("sha1=abc").is_err() && parse_header("sha256=!!").is_err());
    }

    #[test]
    fn only_token_shaped_crc_tokens_are_answered() {
        for ok in [
            "challenge",
            "Zm9v+YmFy/=",
            "a-b_c",
            &"a".repeat(MAX_CRC_TOKEN),
        ] {
            assert!(is_crc_token(ok), "{ok}");
        }
        for bad in [
            "",
            "{\"for_user_id\":\"1\"}",
            "a b",
            "1.5",
            "<b>",
            &"a".repeat(129),
        ] {
            assert!(!is_crc_token(bad), "{bad}");
        }
    }
}
