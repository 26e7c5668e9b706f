//! X's read endpoints (users, followers, posts, mentions, DM events) with rate-limit headers,
//! tier refusals and 429s.

use serde_json::{Value, json};

use super::{Data, DmEvent, Reply, State, Tweet, USER_ID, USERNAME, invalid, matches_template};
use crate::support::server::{Answer, RecordedRequest, Users, either, page, reply};

/// `created_at` of the first generated item (2026-11-01T00:00:00Z); each next one is a minute
/// later.
const START: i64 = 1_793_491_200;
pub const FOLLOWER_BASE: u64 = 2_000_000_000_000_000_000;
/// The fan the creator DMs with.
pub const DM_FAN: &str = "4000000000000000001";

/// The endpoint templates served, for rate limits and routing.
const ENDPOINTS: &[&str] = &[
    "/2/users/me",
    "/2/users/:id",
    "/2/users/:id/followers",
    "/2/users/:id/tweets",
    "/2/users/:id/mentions",
    "/2/dm_events",
    "/2/tweets",
    "/2/media/upload/initialize",
    "/2/media/upload/:id/append",
    "/2/media/upload/:id/finalize",
    "/2/media/upload",
];

pub fn add_tweets(list: &mut Vec<Tweet>, n: u64, id_base: u64, author: &str) {
    for _ in 0..n {
        let seq = list.len() as u64 + 1;
        list.insert(
            0,
            Tweet {
                id: (id_base + seq).to_string(),
                text: format!("Fake post {seq} by {author}"),
                created_at: START + 60 * seq as i64,
                author_id: author.into(),
                likes: 10 * seq,
            },
        );
    }
}

/// Adds `n` mentions, each by a fan of its own (ids from `author_base` on).
pub fn add_mentions(list: &mut Vec<Tweet>, n: u64, id_base: u64, author_base: u64) {
    let seq = list.len() as u64;
    for i in 0..n {
        add_tweets(list, 1, id_base, &(author_base + seq + i).to_string());
    }
}

pub fn add_dms(list: &mut Vec<DmEvent>, n: u64) {
    for _ in 0..n {
        let seq = list.len() as u64 + 1;
        let sender = if seq % 2 == 1 { DM_FAN } else { USER_ID };
        list.insert(
            0,
            DmEvent {
                id: (1_950_000_000_000_000_000 + seq).to_string(),
                text: format!("DM {seq}"),
                created_at: START + 60 * seq as i64,
                sender_id: sender.into(),
                conversation: format!("{USER_ID}-{DM_FAN}"),
            },
        );
    }
}

/// A page's body: `data` (left out when empty, as X does), `meta` with `result_count` and the
/// next page's token, and `extra` fields added to `meta`.
fn paged(data: Vec<Value>, next: Option<String>, extra: Value) -> Value {
    let mut meta = json!({"result_count": data.len()});
    if let Some(next) = next {
        meta["next_token"] = json!(next);
    }
    for (k, v) in extra.as_object().into_iter().flatten() {
        meta[k] = v.clone();
    }
    let mut body = json!({"meta": meta});
    if !data.is_empty() {
        body["data"] = json!(data);
    }
    body
}

fn rfc3339(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A user object's bio, with the fields `user.fields` asks for only (X leaves the others
/// out): `description` holds the link as t.co writes it, `entities.description.urls` expands it.
fn profile(user: &mut Value, req: &RecordedRequest, words: &str, link: &str, n: u64) {
    let fields = req.query_param("user.fields").unwrap_or("").to_string();
    let asked = |f: &str| fields.split(',').any(|x| x == f);
    let short = format!("https://t.co/b{n}");
    let description = format!("{words} {short}");
    let start = description.len() - short.len();
    if asked("description") {
        user["description"] = json!(description);
    }
    if asked("entities") {
        user["entities"] = json!({"description": {"urls": [{
            "start": start, "end": description.len(), "url": short,
            "expanded_url": link, "display_url": link.trim_start_matches("https://"),
        }]}});
    }
}

fn user_json(id: &str, username: &str, name: &str) -> Value {
    json!({"id": id, "username": username, "name": name})
}

impl Users for State {
    type Data = Data;

    /// User k's few followers, posts and mentions (no DMs).
    fn numbered(&self, k: u64) -> Data {
        let id = (1_500_000_000_000_000_000 + k).to_string();
        let mut tweets = Vec::new();
        add_tweets(&mut tweets, 5, 1_800_000_000_000_000_000 + k * 1000, &id);
        let mut mentions = Vec::new();
        let (id_base, author_base) = (1_900_000_000_000_000_000, 3_000_000_000_000_000_000);
        add_mentions(&mut mentions, 2, id_base + k * 1000, author_base + k * 1000);
        Data {
            me: (id, format!("creator{k}")),
            follower_base: FOLLOWER_BASE + k * 1000,
            followers: 5,
            tweets,
            mentions,
            dms: Vec::new(),
            bios: Default::default(),
        }
    }

    fn data(&mut self) -> &mut Data {
        &mut self.data
    }
}

/// `max_results` within `min..=max`, or X's 400.
fn max_results(
    req: &RecordedRequest,
    min: usize,
    max: usize,
    default: usize,
) -> Result<usize, Reply> {
    match req.query_param("max_results") {
        None => Ok(default),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| {
                invalid(&format!(
                    "The `max_results` query parameter value [{v}] is not between {min} and {max}"
                ))
            }),
    }
}

/// One page from `offset` (the pagination token is the offset as text).
fn window<T: Clone>(
    all: &[T],
    req: &RecordedRequest,
    size: usize,
) -> Result<(Vec<T>, Option<String>), Reply> {
    let offset = match req.query_param("pagination_token") {
        None => 0,
        Some(t) => t
            .strip_prefix("page")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| invalid("The `pagination_token` query parameter value is invalid"))?,
    };
    let (page, next) = page(all, offset, size);
    Ok((page, next.map(|end| format!("page{end}"))))
}

impl State {
    pub(super) fn api(&mut self, req: &RecordedRequest, bytes: &[u8]) -> Answer {
        let Some(endpoint) = ENDPOINTS.iter().find(|t| {
            matches_template(&req.path, t) && !(**t == "/2/users/:id" && req.path == "/2/users/me")
        }) else {
            let detail = "No such path.";
            return Err(Reply::problem(
                404,
                "Not Found Error",
                detail,
                "resource-not-found",
            ));
        };
        let (user, k) = self.bearer(req)?;
        Ok(self.answer_as(k, |st| either(st.endpoint(req, endpoint, user, bytes))))
    }

    /// One authorized call to `endpoint`, answered from the current user's world.
    fn endpoint(
        &mut self,
        req: &RecordedRequest,
        endpoint: &str,
        user: Option<&str>,
        bytes: &[u8],
    ) -> Answer {
        let key = if self.auth.many_users {
            format!("{}:{endpoint}", self.data.me.0)
        } else {
            endpoint.to_string()
        };
        let headers = self.rate_limit(&key)?;
        let mut reply = if self.forbidden.contains(&req.path) {
            reply!(403, {"client_id": "27512824", "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.", "registration_url": "https://developer.twitter.com/en/docs/projects/overview", "title": "Client Forbidden", "required_enrollment": "Appropriate Level of API Access", "reason": "client-not-enrolled", "type": "https://api.twitter.com/2/problems/client-forbidden"})
        } else if user.is_none() && endpoint != "/2/users/:id" {
            Reply::problem(
                403,
                "Unsupported Authentication",
                "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
                "unsupported-authentication",
            )
        } else {
            match endpoint {
                "/2/users/me" => {
                    reply!(200, {"data": user_json(&self.data.me.0, &self.data.me.1, "Test Creator")})
                }
                "/2/users/:id" => self.user(req),
                "/2/users/:id/followers" => either(self.followers(req)),
                "/2/users/:id/tweets" => either(self.timeline(req, false)),
                "/2/users/:id/mentions" => either(self.timeline(req, true)),
                "/2/dm_events" => either(self.dm_events(req)),
                _ => self.media_api(req, endpoint, bytes),
            }
        };
        if reply.status < 500 {
            reply.headers.extend(headers);
        }
        Ok(reply)
    }

    fn user(&mut self, req: &RecordedRequest) -> Reply {
        if req.path != format!("/2/users/{}", self.data.me.0) {
            return reply!(200, {"errors": [{"value": req.path, "detail": "Could not find user", "title": "Not Found Error", "type": "https://api.twitter.com/2/problems/resource-not-found"}]});
        }
        let mut data = user_json(&self.data.me.0, &self.data.me.1, "Test Creator");
        data["public_metrics"] = json!({
            "followers_count": self.data.followers,
            "following_count": 12,
            "tweet_count": self.data.tweets.len(),
            "listed_count": 3,
            "like_count": 456,
        });
        reply!(200, {"data": data})
    }

    fn followers(&mut self, req: &RecordedRequest) -> Answer {
        let size = max_results(req, 1, 1000, 100)?;
        let all: Vec<u64> = (0..self.data.followers).collect();
        let (page, next) = window(&all, req, size)?;
        let data: Vec<Value> = page
            .iter()
            .map(|i| {
                let n = self.data.followers - i;
                let id = (self.data.follower_base + n).to_string();
                let mut user = user_json(&id, &format!("follower{n}"), &format!("Follower {n}"));
                if let Some((words, link)) = self.data.bios.get(&n) {
                    profile(&mut user, req, words, link, n);
                }
                user
            })
            .collect();
        Ok(Reply::json(200, paged(data, next, json!({}))))
    }

    fn timeline(&mut self, req: &RecordedRequest, mentions: bool) -> Answer {
        let size = max_results(req, 5, 100, 10)?;
        let source = if mentions {
            &self.data.mentions
        } else {
            &self.data.tweets
        };
        let since: Option<u128> = req.query_param("since_id").and_then(|s| s.parse().ok());
        let all: Vec<Tweet> = source
            .iter()
            .filter(|t| since.is_none_or(|s| t.id.parse::<u128>().unwrap() > s))
            .cloned()
            .collect();
        let (page, next) = window(&all, req, size)?;
        let data: Vec<Value> = page
            .iter()
            .map(|t| {
                let mut v = json!({"id": t.id, "text": t.text, "created_at": rfc3339(t.created_at), "edit_history_tweet_ids": [t.id]});
                if mentions {
                    v["author_id"] = json!(t.author_id);
                    v["conversation_id"] = json!(t.id);
                } else {
                    v["public_metrics"] = json!({"retweet_count": 1, "reply_count": 2, "like_count": t.likes, "quote_count": 0, "bookmark_count": 0, "impression_count": 100 * t.likes});
                }
                v
            })
            .collect();
        let ids = match (page.first(), page.last()) {
            (Some(first), Some(last)) => json!({"newest_id": first.id, "oldest_id": last.id}),
            _ => json!({}),
        };
        let mut body = paged(data, next, ids);
        if mentions && !page.is_empty() {
            let users: Vec<Value> = page
                .iter()
                .map(|t| {
                    user_json(
                        &t.author_id,
                        &format!("fan{}", &t.author_id[t.author_id.len() - 3..]),
                        "A Fan",
                    )
                })
                .collect();
            body["includes"] = json!({"users": users});
        }
        Ok(Reply::json(200, body))
    }

    fn dm_events(&mut self, req: &RecordedRequest) -> Answer {
        let size = max_results(req, 1, 100, 100)?;
        let (page, next) = window(&self.data.dms, req, size)?;
        let data: Vec<Value> = page
            .iter()
            .map(|d| json!({"id": d.id, "event_type": "MessageCreate", "text": d.text, "created_at": rfc3339(d.created_at), "sender_id": d.sender_id, "dm_conversation_id": d.conversation}))
            .collect();
        let mut body = paged(data, next, json!({}));
        if body.get("data").is_some() {
            body["includes"] = json!({"users": [user_json(DM_FAN, "dmfan", "DM Fan"), user_json(USER_ID, USERNAME, "Test Creator")]});
        }
        Ok(Reply::json(200, body))
    }
}
