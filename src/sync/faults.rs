//! How the engine reads a platform's failures, once for every platform.
//!
//! Two rules, so that no adapter has its own:
//! - A spent rate limit defers the stream ([`rate_limited`]): whether the HTTP layer refused
//!   to send into a window that resets too late, the adapter typed it (X), or the platform's
//!   429 outlasted the retry budget (TikTok, Reddit, Instagram).
//! - A platform that stays down through the retry budget ([`is_outage`]: no answer, or 5xx)
//!   is noted in the run's [`Outages`]; every later stream of that platform in the run, of
//!   any account, is deferred at once instead of spending its own full retry budget on it.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::vocab::PlatformError;

/// `Some(reset_in)` when `e` says the platform's rate limit is spent (the reset time when
/// known); `None` for any other failure.
pub fn rate_limited(e: &PlatformError) -> Option<Option<Duration>> {
    match e {
        PlatformError::RateLimited { reset_in, .. } => Some(*reset_in),
        PlatformError::Network(n, _) => n.rate_limited.map(Some),
        PlatformError::Api { status: 429, .. } => Some(None),
        _ => None,
    }
}

/// The platform did not answer, or answered 5xx, after the HTTP layer's retries: its hosts
/// are down for now.
pub fn is_outage(e: &PlatformError) -> bool {
    match e {
        PlatformError::Network(n, _) => n.retryable && n.rate_limited.is_none(),
        PlatformError::Api { status, .. } => (500..600).contains(status),
        _ => false,
    }
}

/// The platforms found down during one run, shared by all its workers.
#[derive(Default)]
pub struct Outages {
    down: Mutex<BTreeMap<String, String>>,
}

impl Outages {
    /// No platform known to be down yet: what every run starts from.
    pub fn new() -> Outages {
        Outages::default()
    }

    /// Why `platform` counts as down in this run (the error that showed it), if it does.
    pub fn down(&self, platform: &str) -> Option<String> {
        self.lock().get(platform).cloned()
    }

    /// Notes `platform` as down because of `why` (the first reason is kept).
    pub fn report(&self, platform: &str, why: &str) {
        self.lock()
            .entry(platform.to_string())
            .or_insert_with(|| why.to_string());
    }

    /// Every platform found down, with the reason, in name order.
    pub fn all(&self) -> Vec<(String, String)> {
        self.lock()
            .iter()
            .map(|(p, w)| (p.clone(), w.clone()))
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        // A worker that panicked while holding it left a map that is still whole.
        self.down.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::client::NetError;
    use crate::vocab::PlatformId;

    fn api(status: u16) -> PlatformError {
        PlatformError::Api {
            platform: PlatformId::Tiktok,
            status,
            code: "x".into(),
            message: None,
            log_id: None,
        }
    }

    fn net(retryable: bool, rate_limited: Option<Duration>) -> PlatformError {
        PlatformError::Network(
            NetError {
                host: "h".into(),
                reason: "r".into(),
                retryable,
                rate_limited,
            },
            PlatformId::Reddit,
        )
    }

    #[test]
    fn every_form_of_a_spent_rate_limit_defers() {
        let wait = Some(Duration::from_secs(9));
        assert_eq!(rate_limited(&api(429)), Some(None));
        assert_eq!(rate_limited(&net(false, wait)), Some(wait));
        let typed = PlatformError::RateLimited {
            platform: PlatformId::X,
            reset_in: wait,
        };
        assert_eq!(rate_limited(&typed), Some(wait));
        assert_eq!(rate_limited(&api(500)), None);
        assert_eq!(rate_limited(&net(true, None)), None);
    }

    #[test]
    fn no_answer_and_5xx_are_outages_but_not_4xx_or_rate_limits() {
        assert!(is_outage(&api(503)) && is_outage(&net(true, None)));
        assert!(!is_outage(&api(400)) && !is_outage(&api(429)));
        assert!(!is_outage(&net(false, Some(Duration::from_secs(1)))));
        let outages = Outages::new();
        outages.report("tiktok", "first");
        outages.report("tiktok", "second");
        assert_eq!(outages.down("tiktok").as_deref(), Some("first"));
        assert_eq!(outages.down("x"), None);
    }
}
