//! TikTok's webhook events: the wire shape, and what each one changes in the CRM.
//!
//! A delivery is `{"client_key","event","create_time","user_openid","content"}`, `create_time` in
//! unix seconds and `content` a JSON document encoded as a string (parsed a second time). Events
//! (TikTok for Developers, "Webhooks: events"): `authorization.removed` (content
//! `{"reason": n}`; the token is already revoked when it arrives), `video.upload.failed`,
//! `video.publish.completed`, `portability.download.ready`, and `post.publish.*`.
//!
//! [`plan`] is pure: given the event and the connections, it returns the rows to write, so the
//! rules are unit-tested without a server or a database. Every accepted event becomes one
//! `audit_log` entry (action `webhook`) and one `analytics_events` point (subject_type
//! `webhook`, metric = the event name, value 1), both keyed by the event's id (the SHA-256 of the
//! body), so TikTok's at-least-once redeliveries overwrite instead of duplicating.
//! `authorization.removed` also marks the connections of that open id `revoked`. Nothing written
//! here contains the signature or the client secret.

use chrono::{DateTime, TimeZone, Utc};
use serde::Deserialize;

use crate::config::PlatformConfig;
use crate::store::model::{
    AnalyticsEvent, AuditEntry, Connection, ConnectionRow, ConnectionStatus,
};
use crate::store::{Batch, Store};
use crate::vocab::{PlatformId, Secret};
pub use crate::webhooks::event_id;
use crate::webhooks::http::{Incoming, Reply};
use crate::webhooks::signature::{self, SignatureError};
use crate::webhooks::{Endpoint, Receiver, ReplayGuard, TOLERANCE_SECS, signing_key};

/// The `platform` column value of the rows an event writes.
pub const PLATFORM: PlatformId = PlatformId::Tiktok;
/// Where `webhooks serve` routes TikTok's deliveries.
pub const PATH: &str = "/webhooks/tiktok";

/// One delivery, as TikTok sends it.
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    /// The app the event was sent to.
    #[serde(default)]
    pub client_key: String,
    /// The event's name (`authorization.removed`, `video.publish.complete`, ...).
    pub event: String,
    /// When TikTok created the event, in Unix seconds; a revocation applies only to connections older.
    pub create_time: i64,
    /// The user's open id: which connection the event is about.
    #[serde(default)]
    pub user_openid: String,
    /// A JSON document as a string; may be empty.
    #[serde(default)]
    pub content: String,
}

/// What to write for one event.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The connections an `authorization.removed` revokes (those made before the event).
    pub revoked: Vec<Connection>,
    /// The delivery's audit entry.
    pub audit: AuditEntry,
    /// The event as an analytics point (metric: the event's name), so deliveries can be counted.
    pub analytics: AnalyticsEvent,
}

/// Reads a body whose signature was verified. The message names the problem, never the body.
pub fn parse(body: &[u8]) -> Result<Event, String> {
    let event: Event =
        serde_json::from_slice(body).map_err(|e| format!("not a TikTok event: {e}"))?;
    let valid_name = !event.event.is_empty()
        && event.event.len() <= 100
        && event
            .event
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_');
    if !valid_name {
        return Err("not a TikTok event: bad event name".into());
    }
    if event.user_openid.len() > 200 || event.client_key.len() > 200 {
        return Err("not a TikTok event: field too long".into());
    }
    Ok(event)
}

/// What `event` (with id `id`) changes, given every connection in the CRM.
pub fn plan(
    event: &Event,
    id: &str,
    connections: &[ConnectionRow],
    now: DateTime<Utc>,
) -> Result<Plan, String> {
    let at = Utc
        .timestamp_opt(event.create_time, 0)
        .single()
        .ok_or("not a TikTok event: bad create_time")?;
    let mine: Vec<&Connection> = connections
        .iter()
        .map(|row| &row.connection)
        .filter(|c| {
            c.platform == PLATFORM
                && !event.user_openid.is_empty()
                && c.platform_user_id.as_deref() == Some(event.user_openid.as_str())
        })
        .collect();
    let account = mine.first().map(|c| c.account.clone()).unwrap_or_default();

    let mut detail = format!("{} open_id={}", event.event, event.user_openid);
    let mut revoked = Vec::new();
    if event.event == "authorization.removed" {
        if let Some(reason) = removal_reason(&event.content) {
            detail.push_str(&format!(" reason={reason} ({})", reason_text(reason)));
        }
        // A late redelivery (TikTok retries for 72 h) must not revoke a connection made again
        // after the user removed the authorization.
        revoked = mine
            .iter()
            .filter(|c| {
                c.status != ConnectionStatus::Revoked && c.connected_at.is_none_or(|t| t <= at)
            })
            .map(|c| Connection {
                status: ConnectionStatus::Revoked,
                ..(*c).clone()
            })
            .collect();
        let names: Vec<&str> = mine.iter().map(|c| c.account.as_str()).collect();
        if names.is_empty() {
            detail.push_str("; no connection with this open id");
        } else {
            detail.push_str(&format!("; revoked: {}", names.join(", ")));
        }
    }
    Ok(Plan {
        revoked,
        audit: crate::webhooks::delivery_audit(
            PLATFORM,
            format!("webhook-tiktok-{id}"),
            (!account.is_empty()).then(|| account.clone()),
            "ok",
            detail,
            now,
        ),
        analytics: crate::webhooks::delivery_event(
            PLATFORM,
            account,
            id.to_string(),
            event.event.clone(),
            at,
            1.0,
        ),
    })
}

/// `content` of `authorization.removed` is `{"reason": n}`, itself JSON inside a string.
fn removal_reason(content: &str) -> Option<i64> {
    serde_json::from_str::<serde_json::Value>(content)
        .ok()?
        .get("reason")?
        .as_i64()
}

fn reason_text(reason: i64) -> &'static str {
    match reason {
        1 => "user disconnected",
        2 => "account deleted",
        3 => "age changed",
        4 => "account banned",
        5 => "developer revoked",
        _ => "unknown",
    }
}

/// `POST /webhooks/tiktok`, when a client secret (production or sandbox app) is set: TikTok
/// signs with it. `replay_cap` bounds the replay guard.
pub fn endpoint(settings: &PlatformConfig, replay_cap: usize) -> Option<Endpoint> {
    let keys: Vec<Secret> = [&settings.client_secret, &settings.sandbox_client_secret]
        .into_iter()
        .filter_map(signing_key)
        .collect();
    (!keys.is_empty())
        .then(|| Endpoint::new(PATH, &["POST"], TiktokReceiver::new(keys, replay_cap)))
}

/// `POST /webhooks/tiktok`: verifies, dedupes and records TikTok's events.
pub struct TiktokReceiver {
    /// The client secrets that may have signed (production app, and the sandbox app's if set).
    keys: Vec<Secret>,
    replay: ReplayGuard,
}

impl TiktokReceiver {
    /// A receiver checking signatures against `keys`, remembering at most `replay_cap` of them.
    pub fn new(keys: Vec<Secret>, replay_cap: usize) -> TiktokReceiver {
        TiktokReceiver {
            keys,
            replay: ReplayGuard::new(replay_cap),
        }
    }
}

impl Receiver for TiktokReceiver {
    fn handle(&mut self, store: &mut dyn Store, request: &Incoming) -> Reply {
        let now = crate::clock::now();
        let header = match request.header_values("tiktok-signature").as_slice() {
            [] => return refused(SignatureError::Missing),
            [one] => match signature::parse_header(one) {
                Ok(h) => h,
                Err(e) => return refused(e),
            },
            _ => return Reply::error(400, "more than one TikTok-Signature header"),
        };
        if let Err(e) = signature::verify(
            &self.keys,
            &header,
            &request.body,
            now.timestamp(),
            TOLERANCE_SECS,
        ) {
            return refused(e);
        }
        if self.replay.contains(&header.signature) {
            tracing::warn!("refused a replayed TikTok webhook");
            return Reply::error(401, "replayed request");
        }
        let event = match parse(&request.body) {
            Ok(e) => e,
            Err(why) => {
                tracing::warn!("refused a signed TikTok webhook: {why}");
                return Reply::error(400, &why);
            }
        };
        let id = event_id(&request.body);
        let written = store
            .list_connections()
            .map_err(|e| e.to_string())
            .and_then(|connections| plan(&event, &id, &connections, now))
            .and_then(|plan| {
                store
                    .upsert_all(&[
                        Batch::Connections(&plan.revoked),
                        Batch::Audit(std::slice::from_ref(&plan.audit)),
                        Batch::Analytics(std::slice::from_ref(&plan.analytics)),
                    ])
                    .map(|_| plan.revoked.len())
                    .map_err(|e| e.to_string())
            });
        match written {
            Ok(revoked) => {
                // Remembered only once recorded: after a 500, TikTok's retry must get through.
                self.replay
                    .remember(header.timestamp, header.signature, now.timestamp());
                tracing::debug!(event = %event.event, revoked, "recorded a TikTok webhook");
                Reply::ok()
            }
            Err(why) if why.starts_with("not a TikTok event") => Reply::error(400, &why),
            Err(why) => {
                tracing::error!("could not record a TikTok webhook: {why}");
                Reply::error(500, "could not record the event")
            }
        }
    }
}

fn refused(e: SignatureError) -> Reply {
    let status = match e {
        SignatureError::Malformed(_) => 400,
        _ => 401,
    };
    tracing::warn!("refused a TikTok webhook: {e}");
    Reply::error(status, &e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(account: &str, platform: &str, open_id: &str, status: &str) -> ConnectionRow {
        ConnectionRow {
            id: 1,
            connection: Connection {
                platform: platform.parse().unwrap(),
                account: account.into(),
                platform_user_id: Some(open_id.into()),
                username: None,
                scopes: None,
                status: ConnectionStatus::parse(status).unwrap(),
                token_expires_at: None,
                secret_ref: None,
                connected_at: None,
                last_sync_at: None,
            },
            updated_at: Utc.timestamp_opt(0, 0).unwrap(),
        }
    }

    fn event(name: &str, content: &str) -> Event {
        parse(
            serde_json::json!({
                "client_key": "ck", "event": name, "create_time": 1_795_000_000,
                "user_openid": "open-1", "content": content,
            })
            .to_string()
            .as_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn authorization_removed_revokes_that_open_id_on_tiktok_only() {
        let rows = [
            row("main", "tiktok", "open-1", "active"),
            row("other", "tiktok", "open-2", "active"),
            row("ig", "instagram", "open-1", "active"),
        ];
        let now = Utc.timestamp_opt(1_795_000_100, 0).unwrap();
        let p = plan(
            &event("authorization.removed", r#"{"reason":1}"#),
            "abc",
            &rows,
            now,
        )
        .unwrap();
        assert_eq!(p.revoked.len(), 1);
        assert_eq!(p.revoked[0].account, "main");
        assert_eq!(p.revoked[0].status, "revoked");
        assert_eq!(p.audit.account.as_deref(), Some("main"));
        assert_eq!(
            p.audit.detail.as_deref(),
            Some(
                "authorization.removed open_id=open-1 reason=1 (user disconnected); revoked: main"
            )
        );
        assert_eq!(p.analytics.metric, "authorization.removed");
        assert_eq!(p.analytics.subject_id, "abc");
        assert_eq!(p.analytics.period_start.timestamp(), 1_795_000_000);
    }

    #[test]
    fn a_late_redelivery_does_not_revoke_a_newer_connection() {
        let mut reconnected = row("main", "tiktok", "open-1", "active");
        reconnected.connection.connected_at = Some(Utc.timestamp_opt(1_795_000_050, 0).unwrap());
        let now = Utc.timestamp_opt(1_795_000_100, 0).unwrap();
        let removed = event("authorization.removed", r#"{"reason":1}"#);
        let p = plan(&removed, "abc", &[reconnected], now).unwrap();
        assert!(p.revoked.is_empty());
        assert_eq!(p.analytics.account, "main");
    }

    #[test]
    fn other_events_are_recorded_without_touching_connections() {
        let rows = [row("main", "tiktok", "open-1", "active")];
        let now = Utc.timestamp_opt(1_795_000_100, 0).unwrap();
        let p = plan(
            &event("video.publish.completed", r#"{"publish_id":"v_1"}"#),
            "x",
            &rows,
            now,
        )
        .unwrap();
        assert!(p.revoked.is_empty());
        assert_eq!(p.analytics.account, "main");
        assert_eq!(p.analytics.period, "instant");
        assert_eq!(p.analytics.value, 1.0);
        assert_eq!(p.audit.action, "webhook");
    }

    #[test]
    fn bodies_that_are_not_events_are_refused() {
        for bad in [
            &b"not json"[..],
            br#"{"event":"x"}"#,
            br#"{"event":"","create_time":1}"#,
            br#"{"event":"a b","create_time":1}"#,
            br#"{"event":"x","create_time":"1"}"#,
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
