//! What every X API v2 call shares: the rate-limit pacer, and reading answers into data or
//! typed errors (routing to `SOCIALCRM_X_BASE_URL` is the kit's, as for every platform).
//!
//! Rate limits (docs.x.com "Rate limits"): per endpoint and per user for user-context tokens,
//! in 15-minute windows, announced on every answer by `x-rate-limit-limit`,
//! `x-rate-limit-remaining` and `x-rate-limit-reset` (the window's end, Unix epoch seconds).
//! Every client made here is paced ([`client`]): one process-wide budget per user (or `app`
//! for the app-only token) and endpoint template (`x:<user id>:/2/users/:id/followers`), so that `sync --jobs` and the
//! retries of the HTTP layer never send into a spent window; a 429 is waited out when the
//! window resets within the retry budget (`SOCIALCRM_RETRY_BUDGET`), and otherwise the call
//! fails as [`PlatformError::RateLimited`] without sending, which the sync engine turns into a
//! stream deferred to the next run.
//!
//! Errors (docs.x.com "Response codes and errors") come as problem details:
//! `{"title","detail","type",...}`. A 403 means the app's access does not include the
//! endpoint: its tier (`"reason":"client-not-enrolled"` with `required_enrollment`), or a
//! missing scope; it becomes [`PlatformError::NotPermitted`], which skips the stream.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use serde_json::Value as Json;
use url::Url;

use crate::http::client::{Client, NetError, Reply};
use crate::http::ratelimit::{self, Budget, Pacer, Reading};
use crate::platforms::kit;
use crate::vocab::{PlatformError, PlatformId};

/// A client whose requests draw from `user`'s per-endpoint budgets (`app` for the app-only
/// token, whose limits are per app).
pub fn client(user: &str) -> Client {
    Client::new().paced(Arc::new(XPacer {
        user: user.to_string(),
    }))
}

struct XPacer {
    user: String,
}

/// `/2/users/123/followers` → `/2/users/:id/followers`: ids in paths are one endpoint (the
/// API version, `2`, is not an id).
fn template(path: &str) -> String {
    path.split('/')
        .enumerate()
        .map(|(i, s)| {
            if i > 1 && !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                ":id"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn header<T: std::str::FromStr>(headers: &HeaderMap, name: &str) -> Option<T> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

impl Pacer for XPacer {
    fn budget(&self, url: &Url) -> Arc<Budget> {
        ratelimit::budget(&format!("x:{}:{}", self.user, template(url.path())))
    }

    fn reading(&self, headers: &HeaderMap) -> Option<Reading> {
        let remaining: f64 = header(headers, "x-rate-limit-remaining")?;
        let reset: u64 = header(headers, "x-rate-limit-reset")?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        Some(Reading {
            remaining,
            reset_in: Duration::from_secs_f64((reset as f64 - now).max(0.0)),
        })
    }
}

/// The whole JSON body of a successful answer, or the error it (or its status) tells.
pub fn body(reply: Result<Reply, NetError>) -> Result<Json, PlatformError> {
    kit::answer::<Problem>(reply)
}

/// X's problem details; a 401 among them is read by [`error`] with the rest.
struct Problem;

impl kit::Envelope for Problem {
    const PLATFORM: PlatformId = PlatformId::X;

    fn unanswered(e: NetError) -> PlatformError {
        kit::unanswered(PlatformId::X, e)
    }

    fn unauthorized(_reply: &Reply) -> Option<String> {
        None
    }

    fn error(reply: &Reply) -> PlatformError {
        error(reply)
    }
}

fn field(body: &Json, name: &str) -> Option<String> {
    body.get(name)
        .and_then(Json::as_str)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// The typed error of a non-2xx answer.
pub fn error(reply: &Reply) -> PlatformError {
    let body = &reply.body;
    let title = field(body, "title");
    let detail = field(body, "detail").or_else(|| {
        // v1-style bodies: {"errors":[{"code":88,"message":"Rate limit exceeded"}]}
        body.pointer("/errors/0/message")
            .and_then(Json::as_str)
            .map(str::to_string)
    });
    match reply.status {
        401 => PlatformError::Unauthorized {
            platform: PlatformId::X,
            detail: title.unwrap_or_else(|| "401".into()),
        },
        403 => {
            let detail = match (field(body, "required_enrollment"), field(body, "reason")) {
                (Some(tier), reason) => format!(
                    "this endpoint is not in the app's access tier (it needs: {tier}{})",
                    reason.map(|r| format!("; {r}")).unwrap_or_default()
                ),
                (None, _) => [title, detail]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(": "),
            };
            PlatformError::NotPermitted {
                platform: PlatformId::X,
                detail: if detail.is_empty() {
                    "HTTP 403".into()
                } else {
                    detail
                },
            }
        }
        429 => PlatformError::RateLimited {
            platform: PlatformId::X,
            reset_in: None,
        },
        status => PlatformError::Api {
            platform: PlatformId::X,
            status,
            code: title
                .or_else(|| field(body, "error"))
                .unwrap_or_else(|| "unexpected reply".into()),
            message: detail.or_else(|| field(body, "error_description")),
            log_id: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platforms::kit::testing::reply;
    use serde_json::json;

    #[test]
    fn ids_in_paths_make_one_endpoint() {
        assert_eq!(template("/2/users/123/followers"), "/2/users/:id/followers");
        assert_eq!(
            template("/2/media/upload/99/append"),
            "/2/media/upload/:id/append"
        );
        assert_eq!(template("/2/dm_events"), "/2/dm_events");
    }

    #[test]
    fn a_tier_refusal_names_the_tier_in_one_line() {
        let e = error(&reply(
            403,
            json!({"client_id":"1","detail":"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project.","registration_url":"https://developer.twitter.com/en/docs/projects/overview","title":"Client Forbidden","required_enrollment":"Appropriate Level of API Access","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"}),
        ));
        assert_eq!(
            e.to_string(),
            "x refused access: this endpoint is not in the app's access tier (it needs: Appropriate Level of API Access; client-not-enrolled)"
        );
        let e = error(&reply(
            403,
            json!({"title":"Forbidden","detail":"Missing scope dm.read","type":"about:blank"}),
        ));
        assert_eq!(
            e.to_string(),
            "x refused access: Forbidden: Missing scope dm.read"
        );
    }

    #[test]
    fn headers_read_into_a_budget_reading() {
        let mut headers = HeaderMap::new();
        let reset = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 60;
        headers.insert("x-rate-limit-remaining", "3".parse().unwrap());
        headers.insert("x-rate-limit-reset", reset.to_string().parse().unwrap());
        let pacer = XPacer { user: "1".into() };
        let reading = pacer.reading(&headers).unwrap();
        assert_eq!(reading.remaining, 3.0);
        assert!(
            reading.reset_in > Duration::from_secs(55)
                && reading.reset_in <= Duration::from_secs(60)
        );
        assert!(pacer.reading(&HeaderMap::new()).is_none());
        let url = Url::parse("https://api.x.com/2/users/1/tweets?max_results=5").unwrap();
        assert_eq!(pacer.budget(&url).key(), "x:1:/2/users/:id/tweets");
    }
}
