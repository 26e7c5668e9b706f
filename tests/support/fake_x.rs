//! A fake X (API v2) for tests of the real binary: a real HTTP server on 127.0.0.1 that serves
//! X's documented contract (shared/platforms/x.md, checked against docs.x.com). Point the binary
//! at it with `SOCIALCRM_X_BASE_URL` ([`FakeX::apply`]); x.com and api.x.com paths are served
//! on the one origin.
//!
//! Served, by concern:
//! - `oauth.rs`: `GET /i/oauth2/authorize` (a user who clicks "Authorize"),
//!   `POST /2/oauth2/token` (authorization code with the PKCE verifier checked against the S256
//!   base64url challenge, codes that die after 30 s; refresh tokens that rotate: a used one is
//!   refused with X's `invalid_request`), `POST /2/oauth2/revoke`. Confidential clients must
//!   send HTTP Basic, public clients `client_id` in the body.
//! - `api.rs`: `/2/users/me`, `/2/users/:id`, followers (≤ 1,000 per page, `pagination_token`),
//!   posts and mentions (`since_id`, `pagination_token`), `/2/dm_events`; rate-limit headers
//!   per endpoint on every answer, and knobs for a tier refusal (403 `client-forbidden`) and a
//!   429 with a reset.
//! - `media.rs`: the chunked media upload (initialize, multipart append, finalize, status) that
//!   reassembles the segments and checks their SHA-256, and `POST /2/tweets`.
//!
//! [`FakeX::serve_many_users`] makes every authorization a new user with its own ids and data
//! (the `sync --all` benchmark).
//!
//! Everything is recorded ([`FakeX::requests`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::oauth::{Authority, PkceEncoding};
pub use super::server::RecordedRequest;
pub(crate) use super::server::Reply;
pub use super::server::matches_template;
use super::server::{Fake, Routes, knobs, reply};

mod api;
pub use api::DM_FAN;
mod media;
mod oauth;

pub const BASE_URL_ENV: &str = "SOCIALCRM_X_BASE_URL";
pub const CLIENT_ID: &str = "fake-x-client-id";
pub const CLIENT_SECRET: &str = "fake-x-client-secret";
pub const APP_BEARER: &str = "fake-x-app-bearer-token";

pub const AUTHORIZE_PATH: &str = "/i/oauth2/authorize";
pub const TOKEN_PATH: &str = "/2/oauth2/token";
pub const REVOKE_PATH: &str = "/2/oauth2/revoke";
pub const ME_PATH: &str = "/2/users/me";
pub const DM_EVENTS_PATH: &str = "/2/dm_events";

/// The creator the fake logs in as.
pub const USER_ID: &str = "1500000000000000001";
pub const USERNAME: &str = "testcreator";
/// Requests per 15-minute window of every endpoint.
pub const WINDOW_LIMIT: u32 = 900;
/// Bodies over this many bytes are refused (413); append segments must stay under it.
pub const MAX_BODY: usize = 8 * 1024 * 1024;

/// X's 400 `invalid-request` problem.
fn invalid(detail: &str) -> Reply {
    Reply::problem(400, "Invalid Request", detail, "invalid-request")
}

impl Reply {
    /// X's problem-details error body.
    fn problem(status: u16, title: &str, detail: &str, kind: &str) -> Reply {
        reply!(status, {"title": title, "detail": detail, "type": format!("https://api.x.com/2/problems/{kind}"), "status": status})
    }
}

/// A fake follower, post, mention or DM is generated from its index; see api.rs.
#[derive(Clone, Debug)]
pub struct Tweet {
    pub id: String,
    pub text: String,
    pub created_at: i64,
    pub author_id: String,
    pub likes: u64,
}

#[derive(Clone, Debug)]
pub struct DmEvent {
    pub id: String,
    pub text: String,
    pub created_at: i64,
    pub sender_id: String,
    pub conversation: String,
}

/// A 429 to answer once `after` more calls to `endpoint` went through.
struct Throttle {
    endpoint: String,
    after: u32,
    reset_in: Duration,
}

struct Window {
    remaining: u32,
    reset_at: u64,
}

#[derive(Default)]
pub struct State {
    client_id: String,
    /// `Some`: a confidential client (HTTP Basic); `None`: public (`client_id` in the body).
    client_secret: Option<String>,
    corrupt_challenges: bool,
    auth: Authority,
    /// Whose data answers the current request.
    data: Data,
    forbidden: HashSet<String>,
    throttles: Vec<Throttle>,
    windows: HashMap<String, Window>,
    media: media::Media,
}

/// A user's data: the fixed creator's, or user k's in many-users mode.
#[derive(Default)]
pub struct Data {
    /// (id, username), and the id base of the followers.
    me: (String, String),
    follower_base: u64,
    followers: u64,
    /// Newest first.
    tweets: Vec<Tweet>,
    mentions: Vec<Tweet>,
    dms: Vec<DmEvent>,
    /// Follower number -> (bio words, the link the bio's t.co URL expands to).
    bios: HashMap<u64, (String, String)>,
}

/// The fake server. Knobs take `&self` and apply to the requests that come after.
pub type FakeX = Fake<State>;

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

knobs! { for FakeX;
    /// True when the fake's client has a secret (HTTP Basic).
    is_confidential() -> bool => |st| st.client_secret.is_some();
    /// How long an authorization code may wait for its exchange (X: 30 s).
    set_code_lifetime(lifetime: Duration) => |st| st.auth.code_lifetime = Some(lifetime);
    /// Stores a wrong challenge for the next authorizations, as if the verifier did not match.
    corrupt_challenges() => |st| st.corrupt_challenges = true;
    /// `n` followers, newest first (ids `2000000000000000000 + i`).
    set_followers(n: u64) => |st| st.data.followers = n;
    /// Follower `n` (`follower{n}`) has a bio of `words` and a link, shortened to t.co in the
    /// text and expanded in `entities.description.urls`, as X gives it when `user.fields`
    /// asks for `description` and `entities`.
    set_bio(n: u64, words: &str, link: &str) =>
        |st| st.data.bios.insert(n, (words.to_string(), link.to_string()));
    /// Answers `path` with X's 403 for an app whose access tier lacks the endpoint.
    refuse_tier(path: &str) => |st| st.forbidden.insert(path.into());
    /// Opens every rate-limit window again (as if 15 minutes passed).
    reset_rate_limits() => |st| st.windows.clear();
    /// The SHA-256 (hex) a media upload's reassembled bytes must have to finalize.
    expect_media_sha256(sha: &str) => |st| st.media.expected_sha256 = Some(sha.into());
    /// STATUS polls that answer `in_progress` before `succeeded`.
    set_processing_polls(n: u32) => |st| st.media.processing_polls = n;
    /// The next `n` posts are created, then answered 503 (the answer lost on the way).
    lose_next_post_answers(n: u32) => |st| st.media.lose_answers = n;
    /// Posts created through `POST /2/tweets`.
    created_posts() -> Vec<media::CreatedPost> => |st| st.media.posts.clone();
    /// Largest append segment received, in bytes.
    largest_segment() -> usize => |st| st.media.largest_segment;
    /// Adds `n` posts by the creator, newer than every earlier one.
    add_posts(n: u64) =>
        |st| api::add_tweets(&mut st.data.tweets, n, 1_800_000_000_000_000_000, USER_ID);
    /// Adds `n` mentions of the creator by distinct fans.
    add_mentions(n: u64) => |st| api::add_mentions(
        &mut st.data.mentions, n, 1_900_000_000_000_000_000, 3_000_000_000_000_000_000);
    /// Adds `n` DM events, alternating from a fan and to them.
    add_dms(n: u64) => |st| api::add_dms(&mut st.data.dms, n);
    /// After `after` more successful calls to `endpoint` (a template such as
    /// `/2/users/:id/followers`), its window is spent: calls answer 429 until it resets in
    /// `reset_in`.
    throttle(endpoint: &str, after: u32, reset_in: Duration) =>
        |st| st.throttles.push(Throttle { endpoint: endpoint.into(), after, reset_in });
}

impl FakeX {
    /// A confidential client ([`CLIENT_ID`], [`CLIENT_SECRET`]).
    pub fn start() -> FakeX {
        FakeX::with_secret(Some(CLIENT_SECRET))
    }

    /// A public client: no secret, `client_id` in token request bodies.
    pub fn public() -> FakeX {
        FakeX::with_secret(None)
    }

    fn with_secret(secret: Option<&str>) -> FakeX {
        let mut auth = Authority::new(Duration::from_secs(7200), ["xcode.", "xat.", "xrt."]);
        auth.pkce = Some(PkceEncoding::Base64Url);
        auth.code_lifetime = Some(Duration::from_secs(30));
        let state = State {
            client_id: CLIENT_ID.into(),
            client_secret: secret.map(str::to_string),
            auth,
            data: Data {
                me: (USER_ID.into(), USERNAME.into()),
                follower_base: api::FOLLOWER_BASE,
                ..Data::default()
            },
            ..State::default()
        };
        Fake::serve("fake-x", BASE_URL_ENV, state, |_, _| {})
    }
}

impl Routes for State {
    const MAX_BODY: usize = MAX_BODY;

    fn route(&mut self, req: &RecordedRequest, bytes: &[u8]) -> Reply {
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", AUTHORIZE_PATH) => self.authorize(req),
            ("POST", TOKEN_PATH) | ("POST", REVOKE_PATH) if !req.is_form() => {
                reply!(400, {"error": "invalid_request", "error_description": "Content-Type must be application/x-www-form-urlencoded."})
            }
            ("POST", TOKEN_PATH) => self.token(req),
            ("POST", REVOKE_PATH) => self.revoke(req),
            _ => super::server::either(self.api(req, bytes)),
        }
    }

    fn too_large(&mut self) -> Reply {
        Reply::problem(
            413,
            "Payload Too Large",
            "The body is too large.",
            "invalid-request",
        )
    }

    fn auth(&mut self) -> &mut Authority {
        &mut self.auth
    }

    /// Media segments are binary: kept out of the record.
    fn trim(recorded: &mut RecordedRequest) {
        if recorded
            .content_type
            .as_deref()
            .is_some_and(|c| c.starts_with("multipart/"))
        {
            recorded.body.clear();
        }
    }
}

impl State {
    /// Rate-limit bookkeeping for one API call: its headers, or a 429 when the window is spent.
    fn rate_limit(&mut self, endpoint: &str) -> Result<Vec<(String, String)>, Reply> {
        let now = now_secs();
        let window = self.windows.entry(endpoint.to_string()).or_insert(Window {
            remaining: WINDOW_LIMIT,
            reset_at: now + 900,
        });
        if now >= window.reset_at {
            *window = Window {
                remaining: WINDOW_LIMIT,
                reset_at: now + 900,
            };
        }
        if let Some(i) = self.throttles.iter().position(|t| t.endpoint == endpoint) {
            if self.throttles[i].after == 0 {
                let t = self.throttles.remove(i);
                window.remaining = 0;
                window.reset_at = now + t.reset_in.as_secs().max(1);
            } else {
                self.throttles[i].after -= 1;
            }
        }
        let headers = |remaining: u32, reset: u64| {
            vec![
                ("x-rate-limit-limit".to_string(), WINDOW_LIMIT.to_string()),
                ("x-rate-limit-remaining".to_string(), remaining.to_string()),
                ("x-rate-limit-reset".to_string(), reset.to_string()),
            ]
        };
        if window.remaining == 0 {
            let mut reply = reply!(429, {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429});
            reply.headers = headers(0, window.reset_at);
            return Err(reply);
        }
        window.remaining -= 1;
        Ok(headers(window.remaining, window.reset_at))
    }
}

/// The decoded multipart/form-data parts of a body: (name, bytes).
pub fn multipart(content_type: &str, body: &[u8]) -> Option<BTreeMap<String, Vec<u8>>> {
    let boundary = content_type.split("boundary=").nth(1)?.trim_matches('"');
    let delimiter = format!("--{boundary}");
    let mut parts = BTreeMap::new();
    let mut rest = body;
    loop {
        let start = find(rest, delimiter.as_bytes())? + delimiter.len();
        rest = &rest[start..];
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        let head_end = find(rest, b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&rest[..head_end]).into_owned();
        let content = &rest[head_end + 4..];
        let end = find(content, format!("\r\n{delimiter}").as_bytes())?;
        let name = head.split("name=\"").nth(1)?.split('"').next()?.to_string();
        parts.insert(name, content[..end].to_vec());
        rest = &content[end + 2..];
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
