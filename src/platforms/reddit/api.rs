//! How socialcrm talks to Reddit's hosts: one descriptive User-Agent on every request, one
//! request budget per client id, and Reddit's error bodies turned into typed errors.
//!
//! Reddit's API rules ask every client for `<platform>:<app ID>:<version string> (by
//! /u/<reddit username>)`; generic agents are throttled hard. `REDDIT_USER_AGENT` (config key
//! `user_agent`) replaces the default, which names the account the request is made for, or
//! `unknown` where none is known yet (the token exchange of a `connect`).
//!
//! Rate limits are per OAuth client id (shared/platforms/reddit.md section 4): every account
//! connected through one app draws from one budget, so the [`RedditPacer`] names the
//! process-wide budget `reddit:<client id>` that `sync --all --jobs N` threads share. It reads
//! `X-Ratelimit-Remaining` (a float), `X-Ratelimit-Reset` (seconds) and `X-Ratelimit-Used`
//! from every answer: requests go at once while the window has requests left, are spread
//! evenly over the rest of the window once less than a tenth of it is left, and wait for the
//! reset when none is.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::Value as Json;
use url::Url;

use crate::config::PlatformConfig;
use crate::http::client::{Client, NetError, Reply};
use crate::http::ratelimit::{self, Budget, Pacer, Reading};
pub use crate::platforms::kit::nonempty_text as text;
use crate::platforms::kit::{Envelope, Hosts, answer};
use crate::vocab::Secret;
use crate::vocab::{PlatformError, PlatformId};

/// The User-Agent Reddit asks for, unless one is configured.
pub fn user_agent(configured: Option<&str>, username: Option<&str>) -> String {
    match configured {
        Some(agent) => agent.to_string(),
        None => format!(
            "{}:socialcrm:{} (by /u/{})",
            std::env::consts::OS,
            env!("CARGO_PKG_VERSION"),
            username.unwrap_or("unknown")
        ),
    }
}

/// Reddit's `t2_`/`t3_`/... prefix on a bare id (left alone when it has one).
pub fn fullname(kind: &str, id: &str) -> String {
    let prefix = format!("{kind}_");
    if id.starts_with(&prefix) {
        id.to_string()
    } else {
        format!("{prefix}{id}")
    }
}

/// Reads Reddit's rate-limit headers into the budget of the app's client id.
pub struct RedditPacer {
    budget: Arc<Budget>,
}

/// Below this share of the window's requests left, the rest are spread over the window.
const SPREAD_BELOW: f64 = 0.1;

fn header_f64(headers: &HeaderMap, name: &str) -> Option<f64> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
}

/// The gap between two requests that spreads `remaining` requests over `reset_in`, once less
/// than `SPREAD_BELOW` of the window (`used + remaining`) is left; zero before that, and when
/// nothing is left (the budget then waits for the reset itself).
pub fn spacing(remaining: f64, used: Option<f64>, reset_in: Duration) -> Duration {
    let total = remaining + used.unwrap_or(0.0);
    if remaining < 1.0 || total <= 0.0 || remaining >= total * SPREAD_BELOW {
        return Duration::ZERO;
    }
    reset_in.div_f64(remaining)
}

impl Pacer for RedditPacer {
    fn budget(&self, _url: &Url) -> Arc<Budget> {
        self.budget.clone()
    }

    fn reading(&self, headers: &HeaderMap) -> Option<Reading> {
        let remaining = header_f64(headers, "x-ratelimit-remaining")?;
        let reset = header_f64(headers, "x-ratelimit-reset")?;
        Some(Reading {
            remaining,
            reset_in: Duration::from_secs_f64(reset),
        })
    }

    fn observe_other(&self, budget: &Budget, _status: u16, headers: &HeaderMap) {
        if let Some(reading) = self.reading(headers) {
            let used = header_f64(headers, "x-ratelimit-used");
            tracing::debug!(
                remaining = reading.remaining,
                used,
                reset_secs = reading.reset_in.as_secs_f64(),
                "reddit rate limit"
            );
            budget.set_spacing(spacing(reading.remaining, used, reading.reset_in));
        }
    }
}

/// Reddit's hosts as one adapter sees them: URLs routed through `SOCIALCRM_REDDIT_BASE_URL`,
/// and clients that carry the User-Agent (API calls also the client id's budget).
pub struct Api {
    /// API calls to oauth.reddit.com spend the client id's budget; www.reddit.com's token
    /// endpoints are not counted in it.
    hosts: Hosts,
    agent: Option<String>,
}

impl Api {
    /// The hosts for `config`, with the user agent Reddit requires; every oauth.reddit.com call
    /// of one client id shares one paced budget.
    pub fn new(config: &PlatformConfig) -> Api {
        let client_id = config.client_id.as_deref().unwrap_or_default();
        let pacer = RedditPacer {
            budget: ratelimit::budget(&format!("reddit:{client_id}")),
        };
        let agent = config.user_agent.clone();
        let plain = Client::new().user_agent(&user_agent(agent.as_deref(), None));
        Api {
            hosts: Hosts::new(config, plain, Arc::new(pacer)),
            agent,
        }
    }

    /// A real Reddit URL, or its twin on `SOCIALCRM_REDDIT_BASE_URL`.
    pub fn url(&self, real: &str) -> Url {
        self.hosts.url(real)
    }

    /// The unpaced client, for the token endpoints (outside the API budget).
    pub fn token_client(&self) -> &Client {
        self.hosts.tokens()
    }

    /// The API client, speaking for `username` when known.
    fn client(&self, username: Option<&str>) -> Client {
        match username {
            Some(_) => self
                .hosts
                .api()
                .clone()
                .user_agent(&user_agent(self.agent.as_deref(), username)),
            None => self.hosts.api().clone(),
        }
    }

    /// GETs an API URL (retried like every read), as JSON or the error Reddit answered.
    pub fn get(
        &self,
        token: &Secret,
        url: Url,
        username: Option<&str>,
    ) -> Result<Json, PlatformError> {
        body(self.client(username).get_authorized(&url, token))
    }

    /// POSTs a form to an API URL once (a write is never sent twice).
    pub fn post(
        &self,
        token: &Secret,
        url: Url,
        username: Option<&str>,
        form: &[(&str, &str)],
    ) -> Result<Json, PlatformError> {
        body(
            self.client(username)
                .post_form_authorized(&url, token, form),
        )
    }
}

/// The JSON of a successful answer, or the error its status and body tell: 401 is
/// [`PlatformError::Unauthorized`] (the lifecycle refreshes and retries).
fn body(reply: Result<Reply, NetError>) -> Result<Json, PlatformError> {
    answer::<Listing>(reply)
}

/// Reddit's answers: the status says what went wrong, the body's `message` how.
struct Listing;

impl Envelope for Listing {
    const PLATFORM: PlatformId = PlatformId::Reddit;

    fn unauthorized(reply: &Reply) -> Option<String> {
        (reply.status == 401)
            .then(|| text(&reply.body, "message").unwrap_or_else(|| "HTTP 401".into()))
    }

    fn error(reply: &Reply) -> PlatformError {
        error(reply)
    }
}

/// An error answer: Reddit's `{"message", "error"}` (403, 404, 429, 5xx), with a `reason` or
/// `explanation` when it gives one, or an OAuth `{"error": "..."}`.
pub fn error(reply: &Reply) -> PlatformError {
    let body = &reply.body;
    let code = text(body, "message")
        .or_else(|| text(body, "error"))
        .unwrap_or_else(|| "unexpected reply".into());
    PlatformError::Api {
        platform: PlatformId::Reddit,
        status: reply.status,
        code,
        message: text(body, "explanation")
            .or_else(|| text(body, "reason"))
            .or_else(|| text(body, "error_description")),
        log_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_user_agent_follows_reddits_format() {
        let agent = user_agent(None, Some("creator"));
        let version = env!("CARGO_PKG_VERSION");
        assert_eq!(
            agent,
            format!(
                "{}:socialcrm:{version} (by /u/creator)",
                std::env::consts::OS
            )
        );
        assert!(user_agent(None, None).ends_with("(by /u/unknown)"));
        assert_eq!(user_agent(Some("mine"), Some("creator")), "mine");
    }

    #[test]
    fn headers_are_read_as_floats_and_seconds() {
        let pacer = RedditPacer {
            budget: ratelimit::budget(&format!("test:reddit:{}", uuid::Uuid::new_v4())),
        };
        let mut headers = HeaderMap::new();
        assert_eq!(pacer.reading(&headers), None);
        headers.insert("x-ratelimit-remaining", "99.0".parse().unwrap());
        headers.insert("x-ratelimit-used", "1".parse().unwrap());
        headers.insert("x-ratelimit-reset", "598".parse().unwrap());
        assert_eq!(
            pacer.reading(&headers),
            Some(Reading {
                remaining: 99.0,
                reset_in: Duration::from_secs(598)
            })
        );
    }

    #[test]
    fn the_last_tenth_of_a_window_is_spread_over_what_is_left_of_it() {
        let reset = Duration::from_secs(100);
        assert_eq!(spacing(900.0, Some(100.0), reset), Duration::ZERO);
        assert_eq!(spacing(50.0, Some(950.0), reset), Duration::from_secs(2));
        assert_eq!(spacing(0.0, Some(1000.0), reset), Duration::ZERO, "waits");
        assert_eq!(spacing(5.0, None, reset), Duration::ZERO, "no total known");
    }

    #[test]
    fn reddits_error_bodies_become_one_line() {
        let reply = |status, body| Ok(crate::platforms::kit::testing::reply(status, body));
        let forbidden = body(reply(
            403,
            serde_json::json!({"message": "Forbidden", "error": 403, "reason": "private"}),
        ))
        .unwrap_err();
        assert_eq!(
            forbidden.to_string(),
            "reddit answered HTTP 403: Forbidden: private"
        );
        let missing = body(reply(
            404,
            serde_json::json!({"message": "Not Found", "error": 404}),
        ))
        .unwrap_err();
        assert_eq!(missing.to_string(), "reddit answered HTTP 404: Not Found");
        let expired = body(reply(
            401,
            serde_json::json!({"message": "Unauthorized", "error": 401}),
        ));
        assert!(matches!(expired, Err(PlatformError::Unauthorized { .. })));
    }

    #[test]
    fn fullnames_get_their_prefix_once() {
        assert_eq!(fullname("t2", "abc"), "t2_abc");
        assert_eq!(fullname("t3", "t3_abc"), "t3_abc");
    }
}
