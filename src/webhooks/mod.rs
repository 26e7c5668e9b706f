//! Receiving platform webhooks (`socialcrm webhooks serve`).
//!
//! ```text
//! http          the listener (crate::http::server): limits on connections, head, body, time
//!               and rate, per peer address; one handler
//! signature.rs  the three signature headers (TikTok, Meta, X): parsed and checked in one place
//! tiktok.rs     TikTok's events and the rows each one writes (pure)
//! x.rs          X's Account Activity webhooks: the CRC answer, signed events, their rows
//! instagram.rs  Meta's subscription check, X-Hub-Signature-256, Instagram's events and rows
//! mod.rs        the TikTok receiver tying them together, its in-memory replay guard
//! ```
//! A request is answered in this order: limits (`http::server`: 404/405/411/413/429/431), then the
//! signature (401, or 400 when the header is malformed), then freshness (401 outside the
//! tolerance) and exact replays (401), then the body (400 if it is not an event), then the
//! database (500, so TikTok retries). Only a verified, fresh, first-seen, well-formed event
//! touches the database, and it is written in one transaction. Nothing here ever logs or stores
//! a header, a body, a signature or the secret; `app/webhooks.rs` wires this to the CLI.

pub mod instagram;
pub mod signature;
pub mod tiktok;
pub mod x;

use std::collections::{HashSet, VecDeque};

pub use crate::http::server as http;
use crate::store::model::ConnectionRow;
use crate::store::{Batch, Store};
use crate::vocab::Secret;
use http::{Incoming, Reply};
use signature::SignatureError;

/// The local account a delivery for `platform_user_id` belongs to: the connection of that
/// platform account; else the platform's first connection (as schema v11 files rows it cannot
/// place); else `default`.
pub fn local_account(
    connections: &[ConnectionRow],
    platform: &str,
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
    pub fn new(cap: usize) -> ReplayGuard {
        ReplayGuard {
            cap: cap.max(1),
            seen: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    pub fn contains(&self, signature: &[u8; 32]) -> bool {
        self.seen.contains(signature)
    }

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

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

/// `POST /webhooks/tiktok`: verifies, dedupes and records TikTok's events.
pub struct TiktokReceiver {
    /// The client secrets that may have signed (production app, and the sandbox app's if set).
    keys: Vec<Secret>,
    replay: ReplayGuard,
}

impl TiktokReceiver {
    pub fn new(keys: Vec<Secret>, replay_cap: usize) -> TiktokReceiver {
        TiktokReceiver {
            keys,
            replay: ReplayGuard::new(replay_cap),
        }
    }

    /// Answers one request that passed the listener's limits.
    pub fn handle(&mut self, store: &mut dyn Store, request: &Incoming) -> Reply {
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
        let event = match tiktok::parse(&request.body) {
            Ok(e) => e,
            Err(why) => {
                tracing::warn!("refused a signed TikTok webhook: {why}");
                return Reply::error(400, &why);
            }
        };
        let id = tiktok::event_id(&request.body);
        let written = store
            .list_connections()
            .map_err(|e| e.to_string())
            .and_then(|connections| tiktok::plan(&event, &id, &connections, now))
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
