//! A fake Reddit for tests of the real binary, on the shared fake-server plumbing
//! (`server.rs`), serving Reddit's documented OAuth2 and Data API contract
//! (shared/platforms/reddit.md; Reddit's OAuth2 and API wiki pages). Point the binary at it with
//! `SOCIALCRM_REDDIT_BASE_URL` ([`FakeReddit::apply`]): www.reddit.com and oauth.reddit.com
//! paths both land here.
//!
//! Served:
//! - `GET /api/v1/authorize`: a user who clicks "Allow"; `302` to `{redirect_uri}?state=..&code=..`.
//!   The redirect URI must equal the registered one exactly; `duration` and `scope` are checked.
//! - `POST /api/v1/access_token`: HTTP Basic client authentication (`client_id:secret`, the
//!   secret empty for an installed app; anything else answers 401), `authorization_code` and
//!   `refresh_token` grants. A refresh token comes only with `duration=permanent`; refreshes
//!   answer without one unless [`FakeReddit::rotate_refresh_tokens`].
//! - `POST /api/v1/revoke_token` (Basic auth, `token`, `token_type_hint`): 204; revoking a
//!   refresh token revokes its access tokens.
//! - `GET /api/v1/me`, `/user/{name}/submitted`, `/user/{name}/comments`, `/message/inbox`,
//!   `/message/sent`, `/r/{subs}/search`, `/r/{sr}/api/link_flair_v2`, `POST /api/submit`:
//!   bearer tokens with the scope each needs, listings of at most `limit` (25 by default, 100 at
//!   most) items paged by `after`, and `api_type=json` error lists on submit.
//!
//! Every API answer carries `X-Ratelimit-Used`, `X-Ratelimit-Remaining` and `X-Ratelimit-Reset`
//! of a window of [`WINDOW_REQUESTS`] requests; [`FakeReddit::exhaust_window_after`] spends the
//! window early with a short reset, and a request that arrives before the reset gets 429 (and
//! is counted in [`FakeReddit::over_limit`]); [`FakeReddit::set_window_size`] scales the window
//! down. [`FakeReddit::serve_many_users`] makes every authorization a new user with its own ids
//! and listings (the `sync --all` benchmark). Every request is recorded with its arrival time
//! and User-Agent ([`FakeReddit::requests`]).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::oauth::{Authority, ClientAuth, Code, Rotation, TokenRefused};
use super::server::{Fake, RecordedRequest, Reply, Routes, Users, knobs, limit, page, reply};

pub const BASE_URL_ENV: &str = "SOCIALCRM_REDDIT_BASE_URL";
pub const CLIENT_ID: &str = "fake-reddit-client-id";
pub const CLIENT_SECRET: &str = "fake-reddit-client-secret";

pub const AUTHORIZE_PATH: &str = "/api/v1/authorize";
pub const TOKEN_PATH: &str = "/api/v1/access_token";
pub const REVOKE_PATH: &str = "/api/v1/revoke_token";
pub const ME_PATH: &str = "/api/v1/me";
pub const SUBMIT_PATH: &str = "/api/submit";
pub const INBOX_PATH: &str = "/message/inbox";
pub const SENT_PATH: &str = "/message/sent";

/// Requests in a rate-limit window, and its length.
pub const WINDOW_REQUESTS: f64 = 1000.0;
pub const WINDOW: Duration = Duration::from_secs(600);
/// `created_utc` of the newest generated item: 2026-11-20T00:00:00Z, before the tests' clock.
pub const ITEMS_END: i64 = 1_795_132_800;
/// Communities that exist; submitting elsewhere answers `SUBREDDIT_NOEXIST`.
pub const SUBREDDITS: [&str; 2] = ["test", "CreatorsAdvice"];
/// The link flair templates of every community: (id, text).
pub const FLAIRS: [(&str, &str); 2] = [
    ("1a2b3c4d-flair-discussion", "Discussion"),
    ("5e6f7a8b-flair-promo", "Self Promotion"),
];
pub const USERNAME: &str = "testcreator";
pub const USER_ID: &str = "fk4ke1d";

/// The user-agent form Reddit's API rules ask for.
pub fn agent_is_descriptive(agent: &str) -> bool {
    let Some((head, by)) = agent.split_once(" (by /u/") else {
        return false;
    };
    let parts: Vec<&str> = head.split(':').collect();
    parts.len() == 3
        && parts.iter().all(|p| !p.is_empty() && !p.contains(' '))
        && by.ends_with(')')
        && by.len() > 1
}

/// Whose data a listing holds: the one fixed user, or user k of the many-users mode, whose
/// name, id and every item and fan id carry `u{k}` so that no two users share a row.
#[derive(Clone)]
struct Persona {
    name: String,
    id: String,
    /// Prefix of every item and fan id (empty for the fixed user).
    tag: String,
}

impl Default for Persona {
    fn default() -> Persona {
        Persona::fixed()
    }
}

/// The rate-limit window: its size (requests, length), requests used and when it resets.
struct Window {
    size: (f64, Duration),
    used: f64,
    remaining: f64,
    reset_at: Instant,
}

impl Window {
    fn new(requests: f64, length: Duration, reset_at: Instant) -> Window {
        Window {
            size: (requests, length),
            used: 0.0,
            remaining: requests,
            reset_at,
        }
    }
}

impl Default for Window {
    fn default() -> Window {
        Window::new(WINDOW_REQUESTS, WINDOW, Instant::now() + WINDOW)
    }
}

impl Persona {
    fn fixed() -> Persona {
        Persona {
            name: USERNAME.into(),
            id: USER_ID.into(),
            tag: String::new(),
        }
    }

    fn numbered(k: u64) -> Persona {
        Persona {
            name: format!("creator{k}"),
            id: format!("fk{k:06}"),
            tag: format!("u{k}"),
        }
    }
}

/// One of the user's listings: items newest first, as `{"kind","data"}` children.
#[derive(Default)]
struct Listing {
    items: Vec<Value>,
}

impl Listing {
    /// The page after `after` (a fullname) of at most `limit` items.
    fn page(&self, after: Option<&str>, limit: usize) -> Value {
        let start = match after {
            Some(name) => match self.items.iter().position(|i| i["data"]["name"] == name) {
                Some(p) => p + 1,
                None => self.items.len(),
            },
            None => 0,
        };
        let (page, next) = page(&self.items, start, limit);
        let after = match (next, page.last()) {
            (Some(_), Some(last)) => last["data"]["name"].clone(),
            _ => Value::Null,
        };
        json!({"kind": "Listing", "data": {
            "after": after, "before": null, "dist": page.len(), "modhash": "", "children": page
        }})
    }
}

#[derive(Default)]
pub struct State {
    client_id: String,
    client_secret: String,
    redirect_uri: String,
    rotate_refresh: bool,
    auth: Authority,
    /// Whose data answers the current request, and its listings.
    data: Data,
    window: Window,
    /// After this many more API answers, the window is spent, resetting this long after.
    exhaust: Option<(u32, Duration)>,
    over_limit: usize,
    /// Error lists the next submits answer with.
    refusals: Vec<Vec<[String; 3]>>,
    posted: Vec<Vec<(String, String)>>,
}

/// A user's listings: the fixed user's, or user k's in many-users mode.
#[derive(Default)]
pub struct Data {
    persona: Persona,
    submissions: Listing,
    comments: Listing,
    inbox: Listing,
    sent: Listing,
    mentions: Listing,
}

impl Users for State {
    type Data = Data;

    /// User k's small listing of each kind.
    fn numbered(&self, k: u64) -> Data {
        let p = Persona::numbered(k);
        let list = |items| Listing { items };
        Data {
            submissions: list(submissions(3, &p)),
            comments: list(comments(2, &p)),
            inbox: list(inbox(2, 2, 2, false, &p)),
            sent: list(sent(2, &p)),
            mentions: list(mentions(1, &p)),
            persona: p,
        }
    }

    fn data(&mut self) -> &mut Data {
        &mut self.data
    }
}

/// The fake server. Knobs take `&self` and apply to the requests that come after.
pub type FakeReddit = Fake<State>;

knobs! { for FakeReddit;
    /// Refreshes answer with a new refresh token (and the old one stops working).
    rotate_refresh_tokens() => |st| st.rotate_refresh = true;
    /// After `n` more API answers the window is spent: that answer says `Remaining: 0` and
    /// `Reset: <reset>`, and requests before then get 429.
    exhaust_window_after(n: u32, reset: Duration) => |st| st.exhaust = Some((n, reset));
    /// `n` submissions by the user, newest first, one hour apart (ids `s1`.. oldest first).
    set_submissions(n: usize) => |st| st.data.submissions.items = submissions(n, &Persona::fixed());
    /// `n` comments by the user on its submission `s1`, newest first.
    set_comments(n: usize) => |st| st.data.comments.items = comments(n, &Persona::fixed());
    /// The inbox: `pms` private messages and `replies` comment replies (plus one username
    /// mention when `mention`), alternating authors `fan1`..`fan{authors}`, newest first.
    set_inbox(pms: usize, replies: usize, authors: usize, mention: bool) =>
        |st| st.data.inbox.items = inbox(pms, replies, authors, mention, &Persona::fixed());
    /// `n` private messages the user sent to `fan1`.., newest first.
    set_sent(n: usize) => |st| st.data.sent.items = sent(n, &Persona::fixed());
    /// `n` posts by `fan_m1`.. naming the user, found by search.
    set_mentions(n: usize) => |st| st.data.mentions.items = mentions(n, &Persona::fixed());
    /// The rate-limit window from now on: `requests` per `window`, counted per client id (one
    /// fake serves one app), the same as Reddit's headers say.
    set_window_size(requests: f64, window: Duration) =>
        |st| st.window = Window::new(requests, window, Instant::now());
    /// The next submit answers with this error list (`[code, message, field]` entries).
    refuse_next_submit(errors: &[[&str; 3]]) =>
        |st| st.refusals.push(errors.iter().map(|e| e.map(String::from)).collect());
    /// Requests that arrived while the window was spent (answered 429).
    over_limit() -> usize => |st| st.over_limit;
    /// The form of each accepted submit.
    posted() -> Vec<Vec<(String, String)>> => |st| st.posted.clone();
}

impl FakeReddit {
    /// A web app (with a secret) whose registered redirect URI is `redirect_uri`.
    pub fn start(redirect_uri: &str) -> FakeReddit {
        FakeReddit::with_client(CLIENT_ID, CLIENT_SECRET, redirect_uri)
    }

    /// An installed app: Reddit gives it no secret, so Basic auth carries an empty password.
    pub fn installed(redirect_uri: &str) -> FakeReddit {
        FakeReddit::with_client(CLIENT_ID, "", redirect_uri)
    }

    fn with_client(client_id: &str, client_secret: &str, redirect_uri: &str) -> FakeReddit {
        let state = State {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            redirect_uri: redirect_uri.into(),
            ..State::default()
        };
        Fake::serve("fake-reddit", BASE_URL_ENV, state, |_, _| {})
    }

    // ---- knobs ----

    /// The current window has `remaining` requests left and resets after `reset`.
    pub fn set_window(&self, remaining: f64, reset: Duration) {
        let w = &mut self.state().window;
        w.remaining = remaining;
        w.used = w.size.0 - remaining;
        w.reset_at = Instant::now() + reset;
    }

    /// `k` submissions newer than every current one.
    pub fn add_submissions(&self, k: usize) {
        let mut st = self.state();
        let n = st.data.submissions.items.len();
        for i in n + 1..=n + k {
            let at = ITEMS_END + (i - n) as i64 * 60;
            st.data
                .submissions
                .items
                .insert(0, submission(i, at, &Persona::fixed()));
        }
    }
}

fn submission(i: usize, at: i64, p: &Persona) -> Value {
    let (t, name) = (&p.tag, &p.name);
    json!({"kind": "t3", "data": {
        "id": format!("{t}s{i}"), "name": format!("t3_{t}s{i}"), "author": name,
        "title": format!("Post {i}"), "subreddit": "test", "subreddit_name_prefixed": "r/test",
        "permalink": format!("/r/test/comments/{t}s{i}/post_{i}/"),
        "url": format!("https://www.reddit.com/r/test/comments/{t}s{i}/post_{i}/"),
        "created_utc": at as f64, "score": 10 * i, "ups": 10 * i, "upvote_ratio": 0.95,
        "num_comments": i, "num_crossposts": i % 3, "is_self": i.is_multiple_of(2),
        "view_count": null, "over_18": false,
    }})
}

/// `n` submissions by the user, newest first, one hour apart (ids `s1`.. oldest first).
fn submissions(n: usize, p: &Persona) -> Vec<Value> {
    newest_first(n, |i| submission(i, ITEMS_END - (n - i) as i64 * 3600, p))
}

/// Items `n`..1 (the newest, with the highest index, first).
fn newest_first(n: usize, item: impl Fn(usize) -> Value) -> Vec<Value> {
    (1..=n).rev().map(item).collect()
}

/// `n` comments by the user on its submission `s1`, newest first.
fn comments(n: usize, p: &Persona) -> Vec<Value> {
    let (t, name) = (&p.tag, &p.name);
    newest_first(n, |i| {
        json!({"kind": "t1", "data": {
            "id": format!("{t}c{i}"), "name": format!("t1_{t}c{i}"), "author": name,
            "body": format!("Thanks for reading, part {i}!"),
            "created_utc": (ITEMS_END - (n - i) as i64 * 1800) as f64,
            "link_id": format!("t3_{t}s1"), "parent_id": format!("t1_{t}parent{i}"), "score": i,
            "subreddit": "test", "link_author": "someone_else",
            "permalink": format!("/r/test/comments/{t}s1/post_1/{t}c{i}/"),
        }})
    })
}

/// The inbox: `pms` private messages and `replies` comment replies (plus one username mention
/// when `mention`), alternating authors `fan1`..`fan{authors}`, newest first.
fn inbox(pms: usize, replies: usize, authors: usize, mention: bool, p: &Persona) -> Vec<Value> {
    let (t, name) = (&p.tag, &p.name);
    let mut items = Vec::new();
    let total = pms + replies;
    for i in 1..=total {
        let at = (ITEMS_END - (total - i) as i64 * 600) as f64;
        let author = format!("{t}fan{}", 1 + (i - 1) % authors.max(1));
        items.push(if i <= pms {
            json!({"kind": "t4", "data": {
                "id": format!("{t}m{i}"), "name": format!("t4_{t}m{i}"), "author": author,
                "author_fullname": format!("t2_{author}"), "dest": name,
                "subject": "hello", "body": format!("Love your work ({i})"),
                "created_utc": at, "first_message_name": null, "was_comment": false,
                "context": "", "parent_id": null, "new": true,
            }})
        } else {
            json!({"kind": "t1", "data": {
                "id": format!("{t}r{i}"), "name": format!("t1_{t}r{i}"), "author": author,
                "author_fullname": format!("t2_{author}"), "dest": name,
                "subject": "post reply", "body": format!("Great post ({i})"),
                "created_utc": at, "was_comment": true, "parent_id": format!("t3_{t}s1"),
                "context": format!("/r/test/comments/{t}s1/post_1/{t}r{i}/?context=3"),
                "link_title": "Post 1", "new": true,
            }})
        });
    }
    if mention {
        items.push(json!({"kind": "t1", "data": {
            "id": format!("{t}mn1"), "name": format!("t1_{t}mn1"),
            "author": format!("{t}fan_mentioner"), "dest": name,
            "subject": "username mention", "body": format!("ask u/{name}"),
            "created_utc": (ITEMS_END - total as i64 * 600 - 60) as f64, "was_comment": true,
            "parent_id": "t3_other", "context": format!("/r/test/comments/other/x/{t}mn1/?context=3"),
        }}));
    }
    items.reverse();
    // The newest first: the last generated is the newest.
    items.sort_by(|a, b| {
        b["data"]["created_utc"]
            .as_f64()
            .partial_cmp(&a["data"]["created_utc"].as_f64())
            .unwrap()
    });
    items
}

/// `n` private messages the user sent to `fan1`.., newest first.
fn sent(n: usize, p: &Persona) -> Vec<Value> {
    let (t, name) = (&p.tag, &p.name);
    newest_first(n, |i| {
        json!({"kind": "t4", "data": {
            "id": format!("{t}o{i}"), "name": format!("t4_{t}o{i}"), "author": name,
            "dest": format!("{t}fan{i}"), "subject": "re: hello",
            "body": format!("Thank you! ({i})"),
            "created_utc": (ITEMS_END - (n - i) as i64 * 900 + 30) as f64,
            "first_message_name": format!("t4_{t}m{i}"), "was_comment": false,
        }})
    })
}

/// `n` posts by `fan_m1`.. naming the user, found by search.
fn mentions(n: usize, p: &Persona) -> Vec<Value> {
    let (t, name) = (&p.tag, &p.name);
    newest_first(n, |i| {
        json!({"kind": "t3", "data": {
            "id": format!("{t}x{i}"), "name": format!("t3_{t}x{i}"), "author": format!("{t}fan_m{i}"),
            "title": format!("Have you seen u/{name}?"), "selftext": "",
            "subreddit_name_prefixed": "r/test",
            "created_utc": (ITEMS_END - (n - i) as i64 * 7200) as f64,
        }})
    })
}

impl Routes for State {
    fn route(&mut self, req: &RecordedRequest, _: &[u8]) -> Reply {
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", AUTHORIZE_PATH) => self.authorize(req),
            ("POST", TOKEN_PATH) => self.token(req),
            ("POST", REVOKE_PATH) => self.revoke(req),
            (_, AUTHORIZE_PATH | TOKEN_PATH | REVOKE_PATH) => error(405, "Method Not Allowed"),
            _ => self.api(req),
        }
    }

    fn too_large(&mut self) -> Reply {
        reply!(413, {"message": "Request Entity Too Large", "error": 413})
    }

    fn auth(&mut self) -> &mut Authority {
        &mut self.auth
    }
}

fn error(status: u16, message: &str) -> Reply {
    reply!(status, {"message": message, "error": status})
}

fn oauth_error(status: u16, error: &str) -> Reply {
    reply!(status, {"error": error})
}

impl State {
    fn authorize(&mut self, req: &RecordedRequest) -> Reply {
        let q = |name| req.query_param(name).unwrap_or("");
        if q("client_id") != self.client_id {
            return error(400, "invalid client_id");
        }
        if q("redirect_uri") != self.redirect_uri {
            // Reddit shows an error page and never redirects to an unregistered URI.
            return error(400, "invalid redirect_uri parameter");
        }
        let redirect = |params: String| Reply::redirect(format!("{}?{params}", self.redirect_uri));
        let state = url::form_urlencoded::byte_serialize(q("state").as_bytes()).collect::<String>();
        if q("response_type") != "code" {
            return redirect(format!("state={state}&error=unsupported_response_type"));
        }
        let duration = q("duration");
        if !matches!(duration, "temporary" | "permanent") || q("state").is_empty() {
            return redirect(format!("state={state}&error=invalid_request"));
        }
        let scope = q("scope");
        let known = [
            "identity",
            "read",
            "history",
            "privatemessages",
            "submit",
            "flair",
            "edit",
            "mysubreddits",
        ];
        if scope.is_empty() || scope.split([' ', ',']).any(|s| !known.contains(&s)) {
            return redirect(format!("state={state}&error=invalid_scope"));
        }
        let user = self.auth.next_user();
        let code = self.auth.code(Code {
            user,
            permanent: duration == "permanent",
            ..Code::new("", &self.redirect_uri, &scope.replace(',', " "))
        });
        redirect(format!("state={state}&code={code}"))
    }

    /// HTTP Basic with the app's id and secret (empty for installed apps).
    fn client_ok(&self, req: &RecordedRequest) -> bool {
        ClientAuth::Basic {
            id: self.client_id.clone(),
            secret: self.client_secret.clone(),
        }
        .ok(req)
    }

    fn token(&mut self, req: &RecordedRequest) -> Reply {
        if !self.client_ok(req) {
            return error(401, "Unauthorized");
        }
        if !req.is_form() {
            return oauth_error(400, "invalid_request");
        }
        // Reddit's wiki: a refresh answers without a refresh_token; the old one stays valid.
        let rotation = match self.rotate_refresh {
            true => Rotation::RevokeOld,
            false => Rotation::Keep,
        };
        let grant = self.auth.grant(req, rotation, |_, code| {
            (code.user, String::new(), code.permanent)
        });
        match grant {
            Ok(grant) => {
                let mut body = grant.answer("bearer");
                if grant.from_refresh && rotation == Rotation::Keep {
                    body.as_object_mut().unwrap().remove("refresh_token");
                }
                Reply::json(200, body)
            }
            Err(TokenRefused::Code(_) | TokenRefused::Refresh) => oauth_error(400, "invalid_grant"),
            Err(_) => oauth_error(400, "unsupported_grant_type"),
        }
    }

    fn revoke(&mut self, req: &RecordedRequest) -> Reply {
        if !self.client_ok(req) {
            return error(401, "Unauthorized");
        }
        self.auth.revoke_request(req);
        Reply::empty(204)
    }

    /// The window's headers on `reply`, one request spent (none when it was a 429).
    fn rate_limited(&mut self, reply: Reply, now: Instant, spent: bool) -> Reply {
        let w = &mut self.window;
        if spent {
            if now >= w.reset_at {
                *w = Window::new(w.size.0, w.size.1, now + w.size.1);
            }
            w.used += 1.0;
            w.remaining = (w.remaining - 1.0).max(0.0);
            if let Some((left, reset)) = self.exhaust {
                self.exhaust = left.checked_sub(1).map(|left| (left, reset));
                if left == 0 {
                    w.remaining = 0.0;
                    w.reset_at = now + reset;
                }
            }
        }
        let reset = w.reset_at.saturating_duration_since(now).as_secs_f64();
        reply
            .with_header("X-Ratelimit-Used", format!("{}", w.used))
            .with_header("X-Ratelimit-Remaining", format!("{:.1}", w.remaining))
            .with_header("X-Ratelimit-Reset", format!("{}", reset.ceil()))
    }

    fn api(&mut self, req: &RecordedRequest) -> Reply {
        let now = Instant::now();
        if self.window.remaining < 1.0 && now < self.window.reset_at {
            self.over_limit += 1;
            return self.rate_limited(error(429, "Too Many Requests"), now, false);
        }
        let reply = self.endpoint(req, now);
        self.rate_limited(reply, now, true)
    }

    fn endpoint(&mut self, req: &RecordedRequest, now: Instant) -> Reply {
        let refused = |_: &mut State| error(401, "Unauthorized");
        self.as_bearer(req, now, refused, |st, scope| st.authorized(req, scope))
    }

    /// An API call with a valid token of `scope`, answered from the current persona's data.
    fn authorized(&mut self, req: &RecordedRequest, scope: &str) -> Reply {
        let path = req.path.clone();
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let need = match (req.method.as_str(), segments.as_slice()) {
            ("GET", ["api", "v1", "me"]) => "identity",
            ("GET", ["user", _, "submitted" | "comments"]) => "history",
            ("GET", ["message", "inbox" | "sent"]) => "privatemessages",
            ("GET", ["r", _, "search"]) => "read",
            ("GET", ["r", _, "api", "link_flair_v2"]) => "flair",
            ("POST", ["api", "submit"]) => "submit",
            _ => return error(404, "Not Found"),
        };
        if !scope.split(' ').any(|s| s == need) {
            return error(403, "Forbidden");
        }
        let limit = limit(req, 25, 100);
        let after = req.query_param("after");
        match segments.as_slice() {
            ["api", "v1", "me"] => Reply::json(200, me(&self.data.persona)),
            ["user", name, what] => {
                if *name != self.data.persona.name {
                    return error(404, "Not Found");
                }
                let listing = if *what == "submitted" {
                    &self.data.submissions
                } else {
                    &self.data.comments
                };
                Reply::json(200, listing.page(after, limit))
            }
            ["message", "inbox"] => Reply::json(200, self.data.inbox.page(after, limit)),
            ["message", "sent"] => Reply::json(200, self.data.sent.page(after, limit)),
            ["r", subs, "search"] => {
                let known = subs
                    .split('+')
                    .all(|s| SUBREDDITS.iter().any(|k| k.eq_ignore_ascii_case(s)));
                if !known {
                    return error(404, "Not Found");
                }
                Reply::json(200, self.data.mentions.page(after, limit))
            }
            ["r", sr, ..] => {
                if !SUBREDDITS.iter().any(|k| k.eq_ignore_ascii_case(sr)) {
                    return error(404, "Not Found");
                }
                let flairs: Vec<Value> = FLAIRS
                    .iter()
                    .map(|(id, text)| json!({"id": id, "text": text, "type": "text", "text_editable": false}))
                    .collect();
                reply!(200, flairs)
            }
            _ => self.submit(req),
        }
    }

    fn submit(&mut self, req: &RecordedRequest) -> Reply {
        let f = |name| req.form_field(name).unwrap_or("");
        let refuse = |errors: Vec<[String; 3]>| reply!(200, {"json": {"errors": errors}});
        if f("api_type") != "json" {
            return reply!(200, {"jquery": [[0, 1, "call", ["body"]]], "success": false});
        }
        if let Some(errors) = (!self.refusals.is_empty()).then(|| self.refusals.remove(0)) {
            return refuse(errors);
        }
        let e = |a: &str, b: &str, c: &str| [a.to_string(), b.to_string(), c.to_string()];
        let sr = f("sr");
        if !SUBREDDITS.iter().any(|k| k.eq_ignore_ascii_case(sr)) {
            return refuse(vec![e(
                "SUBREDDIT_NOEXIST",
                "that subreddit doesn't exist",
                "sr",
            )]);
        }
        let title = f("title");
        if title.is_empty() || title.chars().count() > 300 {
            return refuse(vec![e("TOO_LONG", "this is too long (max: 300)", "title")]);
        }
        match f("kind") {
            "link" if f("url").starts_with("http") => {}
            "self" => {}
            "link" => return refuse(vec![e("BAD_URL", "you should check that url", "url")]),
            _ => {
                return refuse(vec![e(
                    "INVALID_OPTION",
                    "that option is not valid",
                    "kind",
                )]);
            }
        }
        let flair = f("flair_id");
        if !flair.is_empty() && !FLAIRS.iter().any(|(id, _)| *id == flair) {
            return refuse(vec![e(
                "BAD_FLAIR_TEMPLATE_ID",
                "That flair template id is not valid",
                "flair_id",
            )]);
        }
        self.posted.push(req.form.clone());
        let id = format!("np{}", self.posted.len());
        let slug: String = title
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        reply!(200, {"json": {"errors": [], "data": {
            "url": format!("https://www.reddit.com/r/{sr}/comments/{id}/{slug}/"),
            "drafts_count": 0, "id": id, "name": format!("t3_{id}"),
        }}})
    }
}

fn me(p: &Persona) -> Value {
    json!({
        "id": p.id, "name": p.name, "created_utc": 1_600_000_000.0,
        "link_karma": 1234, "comment_karma": 567, "total_karma": 1801,
        "awardee_karma": 0, "awarder_karma": 0, "verified": true, "icon_img": "",
        "subreddit": {"display_name": format!("u_{}", p.name), "title": "Test Creator",
                      "subscribers": 321},
    })
}
