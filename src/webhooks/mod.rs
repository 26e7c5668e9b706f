//! Receiving platform webhooks (`socialcrm webhooks serve`): what every platform's receiver
//! shares.
//!
//! ```text
//! http          the listener (crate::http::server): limits on connections, head, body, time
//!               and rate, per peer address; one handler
//! signature.rs  the three signature headers (TikTok, Meta, X): parsed and checked in one place
//! mod.rs        the Receiver trait and Endpoint each platform builds, the replay guard, event ids
//! ```
//! Each platform's receiver lives in its adapter folder (`platforms/<name>/webhook.rs`: its
//! events, the rows each writes, its [`Receiver`]) and is reached through the platform
//! registry, so `app/webhooks.rs` serves every platform whose settings hold its secret without
//! naming one. A request is answered in this order: limits (`http::server`:
//! 404/405/411/413/429/431), then the signature (401, or 400 when the header is malformed), then
//! freshness (401 outside the tolerance) and exact replays (401), then the body (400 if it is not
//! an event), then the database (500, so the platform retries). Only a verified, fresh,
//! first-seen, well-formed event touches the database, and it is written in one transaction.
//! Nothing here ever logs or stores a header, a body, a signature or the secret.

pub mod signature;

use std::collections::{HashSet, VecDeque};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

pub use crate::http::server as http;
use crate::store::Store;
use crate::store::model::{AnalyticsEvent, AuditEntry, ConnectionRow};
use crate::vocab::{PlatformId, Secret};
use http::{Incoming, Reply, Route};

/// Answers the requests of one platform's webhook path.
///
/// A trait so that `webhooks serve` holds every platform's receiver the same way; each is
/// called with one request at a time and this process's database.
pub trait Receiver {
    /// Answers one request that passed the listener's limits.
    fn handle(&mut self, store: &mut dyn Store, request: &Incoming) -> Reply;
}

/// One platform's webhook endpoint: the path and methods it serves and the receiver behind them.
pub struct Endpoint {
    /// The path and the methods the listener lets through to [`Endpoint::receiver`].
    pub route: Route,
    /// The platform's receiver.
    pub receiver: Box<dyn Receiver>,
}

impl Endpoint {
    /// `receiver` serving `methods` on `path`.
    pub fn new(
        path: &str,
        methods: &'static [&'static str],
        receiver: impl Receiver + 'static,
    ) -> Endpoint {
        Endpoint {
            route: Route {
                path: path.into(),
                methods,
            },
            receiver: Box::new(receiver),
        }
    }
}

/// A secret deliveries are signed with, when the settings hold one: an empty value (a variable
/// set to nothing) is none, so that no receiver ever checks signatures against an empty key.
pub fn signing_key(secret: &Option<Secret>) -> Option<Secret> {
    secret.clone().filter(|k| !k.expose().is_empty())
}

/// The event's unique id: the SHA-256 of the body, hex, so redeliveries overwrite instead of
/// duplicating.
pub fn event_id(body: &[u8]) -> String {
    signature::hex(&Sha256::digest(body))
}

/// The audit entry of one delivery of `platform`'s: the platform as the actor, the action
/// `webhook`, the account the event is about (none when no connection is its), and `detail`,
/// which names the events, never a header, a body or a signature.
pub fn delivery_audit(
    platform: PlatformId,
    event_id: String,
    account: Option<String>,
    outcome: &str,
    detail: String,
    now: DateTime<Utc>,
) -> AuditEntry {
    AuditEntry {
        event_id,
        at: now,
        actor: platform.name().into(),
        action: "webhook".into(),
        platform: Some(platform),
        account,
        outcome: outcome.into(),
        detail: Some(detail),
    }
}

/// `count` events of kind `metric` in delivery `event_id`, as the flow point (subject type
/// `webhook`, period `instant`, at `at`) that `insights` counts deliveries by.
pub fn delivery_event(
    platform: PlatformId,
    account: String,
    event_id: String,
    metric: String,
    at: DateTime<Utc>,
    count: f64,
) -> AnalyticsEvent {
    AnalyticsEvent {
        platform,
        account,
        subject_type: "webhook".into(),
        subject_id: event_id,
        metric,
        period: "instant".into(),
        period_start: at,
        value: count,
        unit: None,
        fan_platform_user_id: None,
    }
}

/// The local account a delivery for `platform_user_id` belongs to: the connection of that
/// platform account; else the platform's first connection (as schema v11 files rows it cannot
/// place); else `default`.
pub fn local_account(
    connections: &[ConnectionRow],
    platform: PlatformId,
    platform_user_id: Option<&str>,
) -> String {
    let mut of_platform = connections
        .iter()
        .map(|r| &r.connection)
        .filter(|c| c.platform == platform);
    let first = of_platform.clone().next().map(|c| c.account.clone());
    of_platform
        .find(|c| platform_user_id.is_some() && c.platform_user_id.as_deref() == platform_user_id)
        .map(|c| c.account.clone())
        .or(first)
        .unwrap_or_else(|| "default".into())
}

/// How far a signed timestamp may be from now, either way, in seconds.
pub const TOLERANCE_SECS: i64 = 300;

/// The signatures accepted within the tolerance window, so an exact replay is refused even
/// while its timestamp is still fresh. Bounded: entries leave once their timestamp is out of
/// the window (a replay would then be refused as stale anyway), or, oldest first, when `cap` is
/// reached (the rate limit keeps the window's traffic well under it).
#[derive(Debug)]
pub struct ReplayGuard {
    cap: usize,
    seen: HashSet<[u8; 32]>,
    order: VecDeque<(i64, [u8; 32])>,
}

impl ReplayGuard {
    /// A guard remembering at most `cap` signatures, so a flood of valid-looking deliveries
    /// cannot grow it without bound.
    pub fn new(cap: usize) -> ReplayGuard {
        ReplayGuard {
            cap: cap.max(1),
            seen: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    /// Whether this signature was already accepted within the tolerance window: a replay.
    pub fn contains(&self, signature: &[u8; 32]) -> bool {
        self.seen.contains(signature)
    }

    /// Records an accepted delivery, first forgetting those too old to be replayed anyway
    /// (the timestamp check refuses them) and the oldest beyond the cap.
    pub fn remember(&mut self, timestamp: i64, signature: [u8; 32], now: i64) {
        while let Some((t, sig)) = self.order.front().copied() {
            if t < now - TOLERANCE_SECS || self.order.len() >= self.cap {
                self.order.pop_front();
                self.seen.remove(&sig);
            } else {
                break;
            }
        }
        if self.seen.insert(signature) {
            self.order.push_back((timestamp, signature));
        }
    }

    /// Signatures remembered now, for tests of the bound.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Nothing remembered: no delivery accepted yet, or all of them aged out.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_replay_guard_forgets_only_what_is_stale_or_over_cap() {
        let mut guard = ReplayGuard::new(3);
        guard.remember(1000, [1; 32], 1000);
        guard.remember(1001, [2; 32], 1001);
        assert!(guard.contains(&[1; 32]) && guard.contains(&[2; 32]));
        // Past the window, [1] and [2] go.
        guard.remember(1400, [3; 32], 1400);
        assert!(!guard.contains(&[1; 32]) && !guard.contains(&[2; 32]));
        guard.remember(1400, [4; 32], 1400);
        guard.remember(1400, [5; 32], 1400);
        guard.remember(1400, [6; 32], 1400);
        assert_eq!(guard.len(), 3);
        assert!(!guard.contains(&[3; 32]) && guard.contains(&[6; 32]));
    }
}
