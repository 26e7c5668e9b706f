//! A fake Instagram (Instagram API with Instagram Login) for tests of the real binary, on the
//! shared fake-server plumbing (`server.rs`), serving Meta's documented contract
//! (shared/platforms/instagram.md). Point the binary at it with `SOCIALCRM_INSTAGRAM_BASE_URL`
//! ([`FakeInstagram::apply`]): www.instagram.com, api.instagram.com, graph.instagram.com and
//! rupload.facebook.com paths all land here.
//!
//! Served:
//! - `GET /oauth/authorize`: a user who allows; `302` to `{redirect_uri}?code=..&state=..#_`
//!   (Meta appends `#_`). The redirect URI must equal the registered one; scopes are
//!   comma-separated `instagram_business_*` values.
//! - `POST /oauth/access_token` (form: client_id, client_secret, grant_type=authorization_code,
//!   redirect_uri, code): a short-lived (1 h) token, `user_id` and `permissions`, flat or as
//!   `{"data":[...]}` ([`FakeInstagram::wrap_code_answer`]); errors as
//!   `{"error_type":"OAuthException","code":400,"error_message"}`.
//! - `GET /access_token?grant_type=ig_exchange_token&client_secret&access_token`: a short-lived
//!   token for a long-lived one (`expires_in`, 60 days unless
//!   [`FakeInstagram::long_lived_left`]).
//! - `GET /refresh_access_token?grant_type=ig_refresh_token&access_token`: a long-lived token at
//!   least 24 h old and not expired for a new one; otherwise code 190.
//! - `GET /v24.0/me`, `/v24.0/me/media`, `/v24.0/{media}/comments`, `/v24.0/me/conversations`,
//!   `/v24.0/me/insights`, `/v24.0/{media}/insights`: bearer token (`Authorization: Bearer`), Graph error envelopes
//!   (`{"error":{"message","type","code","fbtrace_id"}}`; 190 for a bad token), cursor paging
//!   (`limit`, `after`, `paging.cursors`, `paging.next`).
//! - The publishing flow in [`publish`].
//!
//! Every Graph answer carries `X-App-Usage` and `X-Business-Use-Case-Usage` at the percentage
//! [`FakeInstagram::set_usage`] chose (5 % by default). Every request is recorded with its
//! arrival time ([`FakeInstagram::requests`]). [`FakeInstagram::serve_many_users`] makes every
//! authorization a new user with its own ids and media (the `sync --all` benchmark).

pub mod publish;

use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Value, json};

use super::oauth::{Authority, Code};
use super::server::{
    Answer, Fake, RecordedRequest, Reply, Routes, Users, either, knobs, limit, page, random_token,
    reply,
};

pub const BASE_URL_ENV: &str = "SOCIALCRM_INSTAGRAM_BASE_URL";
pub const APP_ID: &str = "fake-ig-app-id";
pub const APP_SECRET: &str = "fake-ig-app-secret";
pub const VERSION: &str = "v24.0";

pub const AUTHORIZE_PATH: &str = "/oauth/authorize";
pub const CODE_PATH: &str = "/oauth/access_token";
pub const EXCHANGE_PATH: &str = "/access_token";
pub const REFRESH_PATH: &str = "/refresh_access_token";

pub const USER_ID: &str = "17841400000000001";
pub const USERNAME: &str = "test.creator";
pub const FOLLOWERS: i64 = 1234;
pub const LONG_LIVED: Duration = Duration::from_secs(60 * 24 * 3600);
/// The newest generated media: 2026-11-20T00:00:00Z, before the tests' clock.
pub const MEDIA_END: i64 = 1_795_132_800;

/// The Graph path of `path` on the fake's API version.
pub fn graph_path(path: &str) -> String {
    format!("/{VERSION}{path}")
}

pub const SCOPES: [&str; 5] = [
    "instagram_business_basic",
    "instagram_business_manage_comments",
    "instagram_business_manage_messages",
    "instagram_business_manage_insights",
    "instagram_business_content_publish",
];

#[derive(Default)]
pub struct State {
    redirect_uri: String,
    /// Codes and tokens; a long-lived token's `issued` may lie in the past (an old token).
    auth: Authority,
    wrap_code_answer: bool,
    /// Lifetime of long-lived tokens issued from now on.
    long_lived_left: Duration,
    /// Long-lived tokens issued from now on count as issued just now, whatever their lifetime.
    young: bool,
    /// Whose data answers the current request.
    data: Data,
    /// Insights metrics Meta no longer offers (code 100 naming them).
    deprecated: Vec<String>,
    usage: f64,
    regain_minutes: u64,
    pub_state: publish::Publishing,
    /// The token endpoints fail, echoing the request's URL (query included) in the message.
    echo_token_urls: bool,
}

/// A user's data: the fixed creator's, or user k's in many-users mode.
#[derive(Default)]
pub struct Data {
    /// (user id, username).
    me: (String, String),
    /// Media newest first: (id, timestamp, comments).
    media: Vec<(String, i64, Vec<Value>)>,
    conversations: Vec<Value>,
    /// Live stories, newest first; `None`: the edge is refused (code 10).
    stories: Option<Vec<Value>>,
}

/// The fake server. Knobs take `&self` and apply to the requests that come after.
pub type FakeInstagram = Fake<State>;

fn fbtrace() -> String {
    random_token("Atr")[..14].to_string()
}

/// A Graph error envelope.
pub fn graph_error(status: u16, code: i64, message: &str) -> Reply {
    reply!(status, {"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": fbtrace()}})
}

/// Meta's code 190 for a token that is not (or no longer) live.
fn session_expired() -> Reply {
    graph_error(
        400,
        190,
        "Error validating access token: Session has expired",
    )
}

/// Meta's code 100 for an id it does not know.
fn no_object() -> Reply {
    graph_error(400, 100, "Unsupported get request. Object does not exist")
}

/// Meta's code 10: the token lacks the permission.
pub fn no_permission(status: u16) -> Reply {
    graph_error(
        status,
        10,
        "(#10) Application does not have permission for this action",
    )
}

knobs! { for FakeInstagram;
    /// The code exchange answers `{"data":[{...}]}` instead of the flat object.
    wrap_code_answer() => |st| st.wrap_code_answer = true;
    /// Long-lived tokens issued from now on expire after `left` (and count as issued
    /// `60 days - left` ago, as a token that old would be).
    long_lived_left(left: Duration) => |st| st.long_lived_left = left;
    /// Long-lived tokens issued from now on count as issued just now (Meta refuses to renew a
    /// token under a day old), whatever [`FakeInstagram::long_lived_left`] says.
    young_tokens() => |st| st.young = true;
    /// From now on the Graph token endpoints (exchange, refresh) fail with a message that
    /// echoes the request's URL, query (app secret, token) included, as a misconfigured proxy or
    /// a debugging endpoint would.
    echo_token_urls() => |st| st.echo_token_urls = true;
    /// `n` media, newest first, one hour apart; media `i` (1 = oldest) has `i % 4` comments by
    /// fans `fan1`..`fan3` and, on every third media, a reply by the account itself.
    set_media(n: usize) => |st| st.data.media = media(n, "", (USER_ID, USERNAME));
    /// The usage every Graph answer reports from now on, in percent; at 100 the BUC header says
    /// access returns after `regain_minutes`.
    set_usage(percent: f64, regain_minutes: u64) =>
        |st| (st.usage, st.regain_minutes) = (percent, regain_minutes);
    /// Insights answer code 100 for this metric, as for one Meta stopped offering.
    deprecate_metric(metric: &str) => |st| st.deprecated.push(metric.into());
}

impl FakeInstagram {
    /// An app whose one registered redirect URI is `redirect_uri`.
    pub fn start(redirect_uri: &str) -> FakeInstagram {
        let state = State {
            redirect_uri: redirect_uri.into(),
            auth: Authority::new(Duration::from_secs(3600), ["AQ", "IGSL", "IGLL"]),
            long_lived_left: LONG_LIVED,
            usage: 5.0,
            data: Data {
                me: (USER_ID.into(), USERNAME.into()),
                stories: Some(Vec::new()),
                ..Data::default()
            },
            ..State::default()
        };
        Fake::serve("fake-instagram", BASE_URL_ENV, state, |_, _| {})
    }

    // ---- knobs ----

    /// `n` conversations with `dmfan1`.., each with a message in and a reply out.
    pub fn set_conversations(&self, n: usize) {
        let conversations = (1..=n)
            .map(|i| {
                let fan = json!({"id": format!("8000{i}"), "username": format!("dmfan{i}")});
                let me = json!({"id": USER_ID, "username": USERNAME});
                let at = MEDIA_END - i as i64 * 600;
                json!({
                    "id": format!("conv{i}"), "updated_time": stamp(at + 60),
                    "participants": {"data": [me, fan]},
                    "messages": {"data": [
                        {"id": format!("dm{i}_2"), "created_time": stamp(at + 60), "from": me,
                         "to": {"data": [fan]}, "message": "Thanks for writing!"},
                        {"id": format!("dm{i}_1"), "created_time": stamp(at), "from": fan,
                         "to": {"data": [me]}, "message": format!("Hi from dmfan{i}")},
                    ]},
                })
            })
            .collect();
        self.state().data.conversations = conversations;
    }

    /// `n` live stories, the newest an hour before [`MEDIA_END`]; `None` refuses the edge.
    pub fn set_stories(&self, n: Option<usize>) {
        self.state().data.stories = n.map(|n| {
            (1..=n)
                .rev()
                .map(|i| {
                    json!({"id": format!("st{i}"), "media_type": "VIDEO", "media_product_type": "STORY",
                           "permalink": format!("https://www.instagram.com/stories/{USERNAME}/st{i}/"),
                           "timestamp": stamp(MEDIA_END - 3600 - (n - i) as i64 * 600)})
                })
                .collect()
        });
    }

    // ---- what happened ----

    /// Comments and replies on the `latest` media (the messages a sync stores from them).
    pub fn comment_count(&self, latest: usize) -> usize {
        self.state()
            .data
            .media
            .iter()
            .take(latest)
            .flat_map(|m| m.2.iter())
            .map(|c| 1 + c["replies"]["data"].as_array().map_or(0, Vec::len))
            .sum()
    }
}

/// `n` media, newest first, one hour apart; media `i` (1 = oldest) has `i % 4` comments by
/// fans `fan1`..`fan3` and, on every third media, a reply by the account itself. Every id
/// starts with `tag` (user k's data in many-users mode).
fn media(n: usize, tag: &str, (user_id, username): (&str, &str)) -> Vec<(String, i64, Vec<Value>)> {
    (1..=n)
        .rev()
        .map(|i| {
            let at = MEDIA_END - (n - i) as i64 * 3600;
            let comments = (1..=i % 4)
                .map(|c| {
                    let fan_n = 1 + (i + c) % 3;
                    let fan = format!("{tag}fan{fan_n}");
                    let id = format!("{tag}c{i}_{c}");
                    let fan_id = format!("9000{}{fan_n}", tag.trim_start_matches('u'));
                    let mut comment = json!({
                        "id": id, "text": format!("Love post {i} ({c})"),
                        "timestamp": stamp(at + 60 * c as i64), "username": fan,
                        "from": {"id": fan_id, "username": fan},
                    });
                    if i % 3 == 0 {
                        comment["replies"] = json!({"data": [{
                            "id": format!("{id}_r"), "text": "Thank you!",
                            "timestamp": stamp(at + 60 * c as i64 + 30), "username": username,
                            "from": {"id": user_id, "username": username}, "parent_id": id,
                        }]});
                    }
                    comment
                })
                .collect();
            (format!("{tag}m{i}"), at, comments)
        })
        .collect()
}

/// Meta's time format.
pub fn stamp(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S+0000")
        .to_string()
}

impl Routes for State {
    fn route(&mut self, req: &RecordedRequest, _: &[u8]) -> Reply {
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", AUTHORIZE_PATH) => self.authorize(req),
            ("POST", CODE_PATH) => self.code(req),
            ("GET", EXCHANGE_PATH | REFRESH_PATH) if self.echo_token_urls => graph_error(
                400,
                100,
                &format!("Unsupported get request: {}?{}", req.path, req.raw_query),
            ),
            ("GET", EXCHANGE_PATH) => self.exchange(req),
            ("GET", REFRESH_PATH) => self.refresh(req),
            _ => {
                let reply = self.graph(req);
                self.usage_headers(reply)
            }
        }
    }

    fn too_large(&mut self) -> Reply {
        graph_error(413, 1, "Request too large")
    }

    fn auth(&mut self) -> &mut Authority {
        &mut self.auth
    }

    /// The upload host streams its body itself (publish.rs).
    fn stream(
        state: &Mutex<State>,
        request: &mut tiny_http::Request,
    ) -> Option<(RecordedRequest, Reply)> {
        let upload = request.url().starts_with("/ig-api-upload/");
        upload.then(|| publish::receive(state, request))
    }
}

/// User k of the many-users mode: (user id, username).
fn numbered(k: u64) -> (String, String) {
    (
        format!("{}", 17_841_400_000_000_000u64 + 1000 + k),
        format!("creator{k}"),
    )
}

impl Users for State {
    type Data = Data;

    /// A few media and comments, no conversations or stories.
    fn numbered(&self, k: u64) -> Data {
        let me = numbered(k);
        Data {
            media: media(4, &format!("u{k}"), (&me.0, &me.1)),
            stories: Some(Vec::new()),
            conversations: Vec::new(),
            me,
        }
    }

    fn data(&mut self) -> &mut Data {
        &mut self.data
    }
}

fn oauth_error(message: &str) -> Reply {
    reply!(400, {"error_type": "OAuthException", "code": 400, "error_message": message})
}

impl State {
    fn authorize(&mut self, req: &RecordedRequest) -> Reply {
        let q = |name| req.query_param(name).unwrap_or("");
        if q("client_id") != APP_ID || q("redirect_uri") != self.redirect_uri {
            // Meta shows an error page and never redirects to an unregistered URI.
            return oauth_error("Invalid redirect_uri or client_id");
        }
        let state = url::form_urlencoded::byte_serialize(q("state").as_bytes()).collect::<String>();
        let scopes: Vec<String> = q("scope").split(',').map(str::to_string).collect();
        if q("response_type") != "code" || scopes.iter().any(|s| !SCOPES.contains(&s.as_str())) {
            return Reply::redirect(format!(
                "{}?error=invalid_scope&error_reason=invalid_scope&state={state}#_",
                self.redirect_uri
            ));
        }
        let code = self
            .auth
            .code(Code::new("", &self.redirect_uri, &scopes.join(",")));
        Reply::redirect(format!("{}?code={code}&state={state}#_", self.redirect_uri))
    }

    fn code(&mut self, req: &RecordedRequest) -> Reply {
        let f = |name| req.form_field(name).unwrap_or("");
        if f("client_id") != APP_ID || f("client_secret") != APP_SECRET {
            return oauth_error("Invalid client_secret");
        }
        if f("grant_type") != "authorization_code" || f("redirect_uri") != self.redirect_uri {
            return oauth_error(
                "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
            );
        }
        let Ok(code) = self.auth.redeem(req) else {
            return oauth_error("This authorization code has been used");
        };
        let scopes: Vec<&str> = code.scope.split(',').collect();
        let user = self.auth.next_user();
        let token = self.issue(user, false, Duration::from_secs(3600), &code.scope);
        let user_id = if user > 0 {
            numbered(user).0
        } else {
            USER_ID.to_string()
        };
        if self.wrap_code_answer {
            // As Meta's Business Login page shows it: a list, permissions comma-separated.
            let body =
                json!({"access_token": token, "user_id": user_id, "permissions": scopes.join(",")});
            reply!(200, {"data": [body]})
        } else {
            let body = json!({"access_token": token, "user_id": user_id.parse::<i64>().unwrap(), "permissions": scopes});
            Reply::json(200, body)
        }
    }

    /// A short-lived token, or a long-lived one with `left` to live (issued `60 days - left`
    /// ago unless young tokens are on); its value.
    fn issue(&mut self, user: u64, long_lived: bool, left: Duration, scope: &str) -> String {
        let grant = self.auth.issue(user, String::new(), scope.into(), false);
        grant.access_expires_at = grant.issued + left;
        grant.lifetime = left;
        if long_lived {
            grant.long_lived = true;
            grant.access_token = random_token("IGLL");
            if !self.young {
                let age = LONG_LIVED.saturating_sub(left);
                grant.issued = grant.issued.checked_sub(age).unwrap_or(grant.issued);
            }
        }
        grant.access_token.clone()
    }

    fn long_lived_answer(&mut self, user: u64, scope: String) -> Reply {
        let left = self.long_lived_left;
        let token = self.issue(user, true, left, &scope);
        reply!(200, {"access_token": token, "token_type": "bearer", "expires_in": left.as_secs()})
    }

    fn exchange(&mut self, req: &RecordedRequest) -> Reply {
        let q = |name| req.query_param(name).unwrap_or("");
        if q("grant_type") != "ig_exchange_token" || q("client_secret") != APP_SECRET {
            return graph_error(400, 100, "Invalid client_secret or grant_type");
        }
        let Some(short) = self.auth.live(q("access_token")).filter(|t| !t.long_lived) else {
            return graph_error(
                400,
                190,
                "Invalid OAuth access token - Cannot parse access token",
            );
        };
        let (user, scope) = (short.user, short.scope.clone());
        self.long_lived_answer(user, scope)
    }

    fn refresh(&mut self, req: &RecordedRequest) -> Reply {
        if req.query_param("grant_type") != Some("ig_refresh_token") {
            return graph_error(400, 100, "Unsupported grant_type");
        }
        let Some(old) = self
            .auth
            .live(req.query_param("access_token").unwrap_or(""))
            .filter(|t| t.long_lived)
        else {
            return session_expired();
        };
        if old.issued.elapsed() < Duration::from_secs(24 * 3600) {
            return graph_error(
                400,
                100,
                "The access token must be at least 24 hours old to be refreshed",
            );
        }
        let (user, scope) = (old.user, old.scope.clone());
        self.long_lived_left = LONG_LIVED;
        self.long_lived_answer(user, scope)
    }

    fn usage_headers(&self, reply: Reply) -> Reply {
        let u = self.usage;
        let regain = if u >= 100.0 { self.regain_minutes } else { 0 };
        reply
            .with_header(
                "X-App-Usage",
                json!({"call_count": (u / 2.0).round(), "total_cputime": 1, "total_time": (u / 3.0).round()}).to_string(),
            )
            .with_header(
                "X-Business-Use-Case-Usage",
                json!({USER_ID: [{"type": "instagram", "call_count": u, "total_cputime": 2, "total_time": 3, "estimated_time_to_regain_access": regain}]}).to_string(),
            )
    }

    fn graph(&mut self, req: &RecordedRequest) -> Reply {
        if let Some(reply) = publish::route(self, req) {
            return reply;
        }
        let now = std::time::Instant::now();
        self.as_bearer(
            req,
            now,
            |_| session_expired(),
            |st, scope| st.authorized(req, scope),
        )
    }

    /// A Graph call with a live token of `scopes`, answered from the current user's world.
    fn authorized(&mut self, req: &RecordedRequest, scope: &str) -> Reply {
        let has = |s: &str| scope.split(',').any(|g| g == s);
        let path = req.path.strip_prefix(&format!("/{VERSION}")).unwrap_or("");
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let limit = limit(req, 25, 100);
        let after = req.query_param("after");
        match (req.method.as_str(), segments.as_slice()) {
            ("GET", ["me"]) => {
                reply!(200, {"id": "app-scoped-1", "user_id": self.data.me.0, "username": self.data.me.1, "name": "Test Creator",
                       "account_type": "MEDIA_CREATOR", "followers_count": FOLLOWERS, "follows_count": 56,
                       "media_count": self.data.media.len()})
            }
            ("GET", ["me", "media"]) => {
                let items: Vec<Value> = self
                    .data
                    .media
                    .iter()
                    .map(|(id, at, comments)| {
                        let n: usize = comments.len();
                        json!({"id": id, "caption": format!("Caption of {id}"), "media_type": "VIDEO",
                               "media_product_type": "REELS", "permalink": format!("https://www.instagram.com/reel/{id}/"),
                               "timestamp": stamp(*at), "like_count": 10 * n + 3, "comments_count": n})
                    })
                    .collect();
                Reply::json(200, paged(&items, after, limit, &req.path))
            }
            ("GET", ["me", "stories"]) => match &self.data.stories {
                Some(stories) => Reply::json(200, paged(stories, after, limit, &req.path)),
                None => no_permission(400),
            },
            ("GET", [media, "comments"]) => {
                if !has("instagram_business_manage_comments") {
                    return no_permission(403);
                }
                let Some((_, _, comments)) = self.data.media.iter().find(|m| m.0 == *media) else {
                    return no_object();
                };
                Reply::json(200, paged(comments, after, limit, &req.path))
            }
            ("GET", ["me", "conversations"]) => {
                if !has("instagram_business_manage_messages") {
                    return no_permission(403);
                }
                if req.query_param("platform") != Some("instagram") {
                    return graph_error(400, 100, "(#100) The parameter platform is required");
                }
                Reply::json(
                    200,
                    paged(&self.data.conversations, after, limit, &req.path),
                )
            }
            ("GET", ["me", "insights"]) => either(self.insights(req)),
            ("GET", [media, "insights"]) => either(self.media_insights(req, media)),
            _ => graph_error(400, 100, "Unsupported request - method type or path"),
        }
    }

    /// The metrics asked for, or Meta's code 100 (`message` with `{}` for the metric) for the
    /// first one it no longer offers.
    fn metrics<'a>(&self, req: &'a RecordedRequest, message: &str) -> Result<Vec<&'a str>, Reply> {
        let metrics: Vec<&str> = req.query_param("metric").unwrap_or("").split(',').collect();
        match metrics
            .iter()
            .find(|m| self.deprecated.iter().any(|d| d == *m))
        {
            Some(gone) => Err(graph_error(400, 100, &message.replace("{}", gone))),
            None => Ok(metrics),
        }
    }

    /// Lifetime totals of one media, as `values` without `end_time`.
    fn media_insights(&self, req: &RecordedRequest, media: &str) -> Answer {
        if !self.data.media.iter().any(|m| m.0 == media) {
            return Err(no_object());
        }
        let metrics = self.metrics(req, "(#100) The Media Insights API does not support the {} metric for this media product type.")?;
        let data: Vec<Value> = metrics
            .iter()
            .enumerate()
            .map(|(i, m)| {
                json!({"name": m, "period": "lifetime", "title": m, "values": [{"value": 10 + i}],
                       "id": format!("{media}/insights/{m}/lifetime")})
            })
            .collect();
        Ok(reply!(200, {"data": data}))
    }

    fn insights(&self, req: &RecordedRequest) -> Answer {
        let metrics = self.metrics(req, "(#100) Starting from version v22.0 and above, the {} metric is no longer supported. Please use views instead.")?;
        if req.query_param("period") != Some("day") || req.query_param("since").is_none() {
            return Err(graph_error(
                400,
                100,
                "(#100) period and since are required",
            ));
        }
        let data: Vec<Value> = metrics
            .iter()
            .enumerate()
            .map(|(i, m)| {
                json!({"name": m, "period": "day", "title": m, "description": "",
                       "total_value": {"value": 100 + i}, "id": format!("{}/insights/{m}/day", self.data.me.0)})
            })
            .collect();
        Ok(reply!(200, {"data": data}))
    }
}

/// A Graph list page: items after the `after` cursor (the base64 of an index here, opaque to
/// the client), `paging.cursors` and `paging.next` when there is more.
fn paged(items: &[Value], after: Option<&str>, limit: usize, path: &str) -> Value {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let start = after
        .and_then(|a| b64.decode(a).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(0);
    let (page, next) = page(items, start, limit);
    let end = start + page.len();
    let mut out = json!({"data": page});
    if !page.is_empty() {
        let after = b64.encode(end.to_string());
        out["paging"] =
            json!({"cursors": {"before": b64.encode(start.to_string()), "after": after}});
        if next.is_some() {
            out["paging"]["next"] = json!(format!(
                "https://graph.instagram.com{path}?limit={limit}&after={after}"
            ));
        }
    }
    out
}
