//! How socialcrm talks to Instagram's hosts (graph.instagram.com, api.instagram.com,
//! www.instagram.com, rupload.facebook.com): URLs routed through `SOCIALCRM_INSTAGRAM_BASE_URL`,
//! one request budget per app paced by Meta's usage headers, and Graph error envelopes turned
//! into typed errors.
//!
//! Meta does not count requests left; it reports how much of a limit is used, in percent, on
//! every answer: `X-App-Usage` (`{"call_count","total_cputime","total_time"}`, the app's
//! platform limit) and `X-Business-Use-Case-Usage` (`{"<account id>":[{"type","call_count",
//! "total_cputime","total_time","estimated_time_to_regain_access"}]}`, the Business Use Case
//! limit that governs the Instagram API). Meta asks apps to slow down before a limit is
//! reached, so [`MetaPacer`] spaces requests once the highest percentage passes
//! [`SLOW_FROM`], more the closer it gets to 100, and at 100 waits the
//! `estimated_time_to_regain_access` (minutes) before the next request (or fails the stream
//! cleanly when that is beyond the retry budget). The spacing unit is
//! `SOCIALCRM_META_USAGE_SPACING_MS` (default 1000 ms per 5 % above the threshold).

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::Value as Json;
use url::Url;

use crate::config::PlatformConfig;
use crate::http::client::{Client, NetError, Reply};
use crate::http::ratelimit::{self, Budget, Pacer, Reading};
use crate::platforms::kit::{Envelope, Hosts, answer};
use crate::vocab::Secret;
use crate::vocab::{PlatformError, PlatformId};

/// The Graph API version every call names (Meta keeps a version for about two years).
pub const VERSION: &str = "v24.0";
/// The Graph API host of Instagram Login tokens (not graph.facebook.com: those tokens differ).
pub const GRAPH: &str = "https://graph.instagram.com";

/// The Graph URL of `path` (`/me/media`, ...) on the versioned API.
pub fn graph(path: &str) -> String {
    format!("{GRAPH}/{VERSION}{path}")
}

/// Below this usage percentage requests go at once.
pub const SLOW_FROM: f64 = 75.0;

/// A field as text: Graph ids come as strings or numbers; an empty string is no value.
pub fn text(body: &Json, field: &str) -> Option<String> {
    match body.get(field)? {
        Json::String(s) if !s.is_empty() => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The spacing unit: one per 5 % of usage above [`SLOW_FROM`].
fn spacing_unit() -> Duration {
    crate::config::tuning::meta_usage_spacing().unwrap_or(Duration::from_secs(1))
}

/// What Meta's usage headers say: the highest percentage of any limit, and how long Meta asks
/// to wait when a limit is reached.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Usage {
    /// The highest usage of any limit in the headers, in percent (0 to 100 and beyond).
    pub percent: f64,
    /// How long until access is regained, when a limit is reached and Meta says.
    pub regain: Option<Duration>,
}

fn percentages(entry: &Json) -> impl Iterator<Item = f64> + '_ {
    ["call_count", "total_cputime", "total_time"]
        .into_iter()
        .filter_map(|k| entry.get(k).and_then(Json::as_f64))
}

/// Reads `X-App-Usage` and `X-Business-Use-Case-Usage`; `None` when neither is there.
pub fn usage(headers: &HeaderMap) -> Option<Usage> {
    let json = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| serde_json::from_str::<Json>(v).ok())
    };
    let app = json("x-app-usage");
    let buc = json("x-business-use-case-usage");
    if app.is_none() && buc.is_none() {
        return None;
    }
    let mut out = Usage::default();
    if let Some(app) = &app {
        out.percent = percentages(app).fold(out.percent, f64::max);
    }
    let entries = buc
        .as_ref()
        .and_then(Json::as_object)
        .into_iter()
        .flat_map(|o| o.values())
        .filter_map(Json::as_array)
        .flatten();
    for entry in entries {
        out.percent = percentages(entry).fold(out.percent, f64::max);
        let minutes = entry
            .get("estimated_time_to_regain_access")
            .and_then(Json::as_f64)
            .filter(|m| *m > 0.0);
        if let Some(m) = minutes {
            let wait = Duration::from_secs_f64(m * 60.0);
            out.regain = Some(out.regain.map_or(wait, |w| w.max(wait)));
        }
    }
    Some(out)
}

/// The gap between two requests at `percent` of a limit: none below [`SLOW_FROM`], then one
/// `unit` per 5 % above it (at 95 %: four units).
pub fn spacing(percent: f64, unit: Duration) -> Duration {
    if percent < SLOW_FROM {
        return Duration::ZERO;
    }
    unit.mul_f64(((percent - SLOW_FROM) / 5.0).max(0.2))
}

/// Paces an app's requests by Meta's usage percentages.
pub struct MetaPacer {
    budget: Arc<Budget>,
    unit: Duration,
}

impl Pacer for MetaPacer {
    fn budget(&self, _url: &Url) -> Arc<Budget> {
        self.budget.clone()
    }

    fn reading(&self, _headers: &HeaderMap) -> Option<Reading> {
        None
    }

    fn observe_other(&self, budget: &Budget, _status: u16, headers: &HeaderMap) {
        let Some(usage) = usage(headers) else { return };
        tracing::debug!(
            percent = usage.percent,
            regain_secs = usage.regain.map(|d| d.as_secs()),
            "meta usage"
        );
        if usage.percent >= 100.0 {
            // A limit is reached: nothing goes until Meta says access is back.
            budget.observe(Reading {
                remaining: 0.0,
                reset_in: usage.regain.unwrap_or(self.unit * 60),
            });
        }
        budget.set_spacing(spacing(usage.percent, self.unit));
    }
}

/// Instagram's hosts as the adapter sees them: every Graph call spends the app's budget.
pub struct Api {
    hosts: Hosts,
}

impl Api {
    /// The hosts for `config`; every Graph call of one app shares one paced budget.
    pub fn new(config: &PlatformConfig) -> Api {
        let app_id = config.client_id.as_deref().unwrap_or_default();
        let pacer = MetaPacer {
            budget: ratelimit::budget(&format!("instagram:{app_id}")),
            unit: spacing_unit(),
        };
        Api {
            hosts: Hosts::new(config, Client::new(), Arc::new(pacer)),
        }
    }

    /// A real Instagram or Meta URL, or its twin on `SOCIALCRM_INSTAGRAM_BASE_URL`.
    pub fn url(&self, real: &str) -> Url {
        self.hosts.url(real)
    }

    /// The unpaced client, for the token endpoints (they do not spend the app's budget).
    pub fn token_client(&self) -> &Client {
        self.hosts.tokens()
    }

    /// GETs a Graph URL with the token in the `Authorization` header (retried like every read).
    pub fn get(&self, token: &Secret, url: Url) -> Result<Json, PlatformError> {
        body(self.hosts.api().get_authorized(&url, token))
    }

    /// POSTs a form to a Graph URL once (a write is never sent twice).
    pub fn post(
        &self,
        token: &Secret,
        url: Url,
        form: &[(&str, &str)],
    ) -> Result<Json, PlatformError> {
        body(self.hosts.api().post_form_authorized(&url, token, form))
    }
}

/// The JSON of a successful answer, or the error its envelope tells: an invalid or expired
/// token (code 190, which Meta answers with 400 as often as 401) is
/// [`PlatformError::Unauthorized`], so the lifecycle refreshes once and retries.
pub fn body(reply: Result<Reply, NetError>) -> Result<Json, PlatformError> {
    answer::<Graph>(reply)
}

/// The Graph envelope: `{"error": {...}}`, which Meta may send with any status.
struct Graph;

impl Envelope for Graph {
    const PLATFORM: PlatformId = PlatformId::Instagram;

    fn unauthorized(reply: &Reply) -> Option<String> {
        let code = reply.body.pointer("/error/code").and_then(Json::as_i64);
        (code == Some(190) || (reply.status == 401 && code.is_none()))
            .then(|| error_text(&reply.body).unwrap_or_else(|| "HTTP 401".into()))
    }

    fn refused(reply: &Reply) -> bool {
        reply.body.get("error").is_some()
    }

    fn error(reply: &Reply) -> PlatformError {
        error(reply)
    }
}

fn error_text(body: &Json) -> Option<String> {
    body.pointer("/error/message")
        .and_then(Json::as_str)
        .map(str::to_string)
}

/// The Graph error code of an API error made by [`error`] (`None` for other errors).
pub fn graph_code(e: &PlatformError) -> Option<i64> {
    match e {
        PlatformError::Api { code, .. } => code
            .strip_prefix("code ")
            .and_then(|c| c.split(['/', ' ']).next())
            .and_then(|c| c.parse().ok()),
        _ => None,
    }
}

/// The message of an API error made by [`error`].
pub fn graph_message(e: &PlatformError) -> &str {
    match e {
        PlatformError::Api { message, .. } => message.as_deref().unwrap_or(""),
        _ => "",
    }
}

/// Meta's `{"error":{"message","type","code","error_subcode","fbtrace_id"}}` in one line:
/// `code 100/2108006: <message> (log id <fbtrace_id>)`.
pub fn error(reply: &Reply) -> PlatformError {
    let e = reply.body.get("error");
    let field = |name: &str| e.and_then(|e| e.get(name));
    let code = match (
        field("code").and_then(Json::as_i64),
        field("error_subcode").and_then(Json::as_i64),
    ) {
        (Some(c), Some(s)) => format!("code {c}/{s}"),
        (Some(c), None) => format!("code {c}"),
        _ => "unexpected reply".into(),
    };
    PlatformError::Api {
        platform: PlatformId::Instagram,
        status: reply.status,
        code,
        message: field("message")
            .and_then(Json::as_str)
            .map(|m| m.replace('\n', " ")),
        log_id: field("fbtrace_id")
            .and_then(Json::as_str)
            .map(str::to_string),
    }
}

/// The `paging.cursors.after` of a Graph list, when `paging.next` says there is more.
pub fn after(list: &Json) -> Option<String> {
    list.pointer("/paging/next")?;
    list.pointer("/paging/cursors/after")
        .and_then(Json::as_str)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
}

/// Meta's times: `2026-11-20T10:00:00+0000` (and RFC 3339, to be lenient).
pub fn time(value: Option<&Json>) -> Option<chrono::DateTime<chrono::Utc>> {
    let s = value?.as_str()?;
    chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z")
        .or_else(|_| chrono::DateTime::parse_from_rfc3339(s))
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_is_the_highest_percentage_of_both_headers() {
        let mut headers = HeaderMap::new();
        assert_eq!(usage(&headers), None);
        headers.insert(
            "x-app-usage",
            r#"{"call_count":12,"total_cputime":3,"total_time":40}"#
                .parse()
                .unwrap(),
        );
        assert_eq!(usage(&headers).unwrap().percent, 40.0);
        headers.insert(
            "x-business-use-case-usage",
            r#"{"1784":[{"type":"instagram","call_count":100,"total_cputime":5,"total_time":7,"estimated_time_to_regain_access":2}]}"#
                .parse()
                .unwrap(),
        );
        let u = usage(&headers).unwrap();
        assert_eq!(u.percent, 100.0);
        assert_eq!(u.regain, Some(Duration::from_secs(120)));
    }

    #[test]
    fn spacing_grows_from_the_threshold() {
        let unit = Duration::from_millis(100);
        assert_eq!(spacing(74.0, unit), Duration::ZERO);
        assert_eq!(spacing(80.0, unit), Duration::from_millis(100));
        assert_eq!(spacing(95.0, unit), Duration::from_millis(400));
    }

    #[test]
    fn graph_errors_become_one_line_and_190_is_unauthorized() {
        let reply = |status, body| Ok(crate::platforms::kit::testing::reply(status, body));
        let e = body(reply(
            400,
            serde_json::json!({"error": {"message": "(#100) bad metric", "type": "OAuthException", "code": 100, "fbtrace_id": "AbC"}}),
        ))
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "instagram answered HTTP 400: code 100: (#100) bad metric (log id AbC)"
        );
        assert_eq!(graph_code(&e), Some(100));
        let expired = body(reply(
            400,
            serde_json::json!({"error": {"message": "Error validating access token", "type": "OAuthException", "code": 190, "error_subcode": 463}}),
        ));
        assert!(matches!(expired, Err(PlatformError::Unauthorized { .. })));
        assert_eq!(
            time(Some(&serde_json::json!("2026-11-20T10:00:00+0000")))
                .unwrap()
                .to_rfc3339(),
            "2026-11-20T10:00:00+00:00"
        );
    }
}
