//! A fake TikTok for tests of the real binary: a real HTTP server on 127.0.0.1 (random free
//! port, background thread, stopped on drop) that serves TikTok's documented Login Kit OAuth and
//! Display API contract (shared/platforms/tiktok.md sections 1, 2 and 4). Point the binary at it
//! with `SOCIALCRM_TIKTOK_BASE_URL` ([`FakeTikTok::apply`]); every TikTok URL keeps its path and
//! query.
//!
//! Served:
//! - `GET /v2/auth/authorize/`: a user who clicks "Authorize" (or denies, see [`Consent`]);
//!   answers `302` to `{redirect_uri}?code=..&scopes=..&state=..`.
//! - `POST /v2/oauth/token/`: `authorization_code` (with PKCE, see [`PkceEncoding`]) and
//!   `refresh_token` (rotating) grants.
//! - `POST /v2/oauth/revoke/`: revokes an access or refresh token and its pair.
//! - `GET /v2/user/info/?fields=..`: the fake user ([`FakeUser`], stats included), only the
//!   asked fields.
//! - `POST /v2/video/list/?fields=..` (JSON `{"max_count": 1..=20, "cursor": ms}`): the creator's
//!   videos ([`FakeVideo`]), newest first, paged by a millisecond cursor; scope `video.list`.
//! - `POST /v2/video/query/?fields=..` (JSON `{"filters": {"video_ids": [..]}}`): those videos.
//! - The Content Posting API (creator info, Direct Post and inbox init, chunk PUTs on
//!   `/upload/<publish_id>`, status fetch): see `posting.rs` and its knobs.
//!
//! The API paths (user info, video list and query; not OAuth) share fault knobs:
//! [`FakeTikTok::fail_next_api_calls`], [`FakeTikTok::fail_video_page_once`] and
//! [`FakeTikTok::expire_access_tokens_after`].
//!
//! `serve_many_users` (oauth.rs) makes every authorization a new user with its own ids and
//! videos (the `sync --all` benchmark).
//!
//! Everything is recorded ([`FakeTikTok::requests`]) and the tokens it issued can be read back
//! ([`FakeTikTok::grants`]). [`FakeBrowser`] is a `$BROWSER` for the binary to open the
//! authorize page with.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};

pub use super::browser::{FakeBrowser, click_authorize};
pub use super::oauth::PkceEncoding;
use super::oauth::{Authority, ClientAuth, Code, Refused, Rotation, TokenRefused};
pub use super::server::RecordedRequest;
use super::server::{Answer, Fake, Reply, Routes, Users, either, field, knobs, project, reply};

mod posting;
#[allow(unused_imports)]
pub use posting::{
    CREATOR_INFO_PATH, DIRECT_INIT_PATH, INBOX_INIT_PATH, PUBLISHED_VIDEO_BASE, Publish,
    PublishOutcome, STATUS_PATH,
};

/// The variable the binary reads TikTok's origin from.
pub const BASE_URL_ENV: &str = "SOCIALCRM_TIKTOK_BASE_URL";
pub const CLIENT_KEY: &str = "fake-client-key";
pub const CLIENT_SECRET: &str = "fake-client-secret";

pub const AUTHORIZE_PATH: &str = "/v2/auth/authorize/";
pub const TOKEN_PATH: &str = "/v2/oauth/token/";
pub const REVOKE_PATH: &str = "/v2/oauth/revoke/";
pub const USER_INFO_PATH: &str = "/v2/user/info/";
pub const VIDEO_LIST_PATH: &str = "/v2/video/list/";
pub const VIDEO_QUERY_PATH: &str = "/v2/video/query/";

/// Every video field the Display API knows (tiktok.md section 2).
pub const VIDEO_FIELDS: &str = "id,create_time,cover_image_url,share_url,video_description,duration,height,width,title,embed_html,embed_link,like_count,comment_count,share_count,view_count";
/// Page size of `/v2/video/list/` when the body has no `max_count`.
pub const DEFAULT_MAX_COUNT: i64 = 10;
/// Most videos per list page, and most ids per query.
pub const MAX_COUNT: i64 = 20;
/// `create_time` (unix seconds) of the newest video [`FakeTikTok::set_videos`] makes:
/// 2026-11-20T00:00:00Z, four days before the tests' `SOCIALCRM_NOW`, so videos added later
/// ([`FakeTikTok::add_videos`], one hour apart) stay in the past for a while.
pub const VIDEOS_END: i64 = 1_795_132_800;
/// Id of generated video `i` (1-based, oldest first) is `VIDEO_ID_BASE + i`.
pub const VIDEO_ID_BASE: u64 = 7_300_000_000_000_000_000;

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY: usize = 1024 * 1024;
/// `refresh_expires_in` of every token answer (365 days).
pub const REFRESH_EXPIRES_IN: u64 = 31_536_000;

/// What the "user" does on the authorize page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Consent {
    /// Clicks "Authorize": redirect with a code. The default.
    #[default]
    Authorize,
    /// Clicks "Cancel": redirect with `error=access_denied`.
    Deny,
    /// Authorizes, but the redirect carries a state other than the one sent (a forged callback).
    WrongState,
}

/// The account the fake logs in as; `/v2/user/info/` answers from it.
#[derive(Clone, Debug, Serialize)]
pub struct FakeUser {
    pub open_id: String,
    pub union_id: String,
    pub avatar_url: String,
    pub display_name: String,
    pub username: String,
    pub bio_description: String,
    pub profile_deep_link: String,
    pub is_verified: bool,
    pub follower_count: u64,
    pub following_count: u64,
    pub likes_count: u64,
    pub video_count: u64,
}

impl Default for FakeUser {
    fn default() -> FakeUser {
        FakeUser {
            open_id: "-000fakeOpenIdTestCreator".into(),
            union_id: "c9c60f44-fake-union-id".into(),
            avatar_url: "https://p16-sign.tiktokcdn.example/fake-avatar.jpeg".into(),
            display_name: "Test Creator".into(),
            username: "testcreator".into(),
            bio_description: "Fake bio".into(),
            profile_deep_link: "https://vm.tiktok.example/testcreator".into(),
            is_verified: false,
            follower_count: 1200,
            following_count: 34,
            likes_count: 56000,
            video_count: 78,
        }
    }
}

impl FakeUser {
    /// User k of the many-users mode: its own open id, username and counters.
    pub fn numbered(k: u64, videos: u64) -> FakeUser {
        FakeUser {
            open_id: format!("-000fakeOpenId{k:06}"),
            union_id: format!("c9c60f44-fake-union-{k:06}"),
            display_name: format!("Creator {k}"),
            username: format!("creator{k}"),
            profile_deep_link: format!("https://vm.tiktok.example/creator{k}"),
            follower_count: 100 + k,
            video_count: videos,
            ..FakeUser::default()
        }
    }
}

/// One of the creator's videos as `/v2/video/list/` and `/v2/video/query/` serve it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FakeVideo {
    pub id: String,
    /// Unix seconds.
    pub create_time: i64,
    pub cover_image_url: String,
    pub share_url: String,
    pub video_description: String,
    /// Seconds.
    pub duration: u64,
    pub height: u64,
    pub width: u64,
    pub title: String,
    pub embed_html: String,
    pub embed_link: String,
    pub like_count: u64,
    pub comment_count: u64,
    pub share_count: u64,
    pub view_count: u64,
}

impl FakeVideo {
    /// Generated video `index` (1-based): id `VIDEO_ID_BASE + index`, metrics from the index
    /// (views `1000 * index`, likes `100 * index`, comments `10 * index`, shares `index`),
    /// duration `15 + index % 46` s.
    pub fn generated(index: u64, create_time: i64, username: &str) -> FakeVideo {
        let id = (VIDEO_ID_BASE + index).to_string();
        FakeVideo {
            cover_image_url: format!("https://p16-sign.tiktokcdn.example/cover-{id}.jpeg"),
            share_url: format!("https://www.tiktok.com/@{username}/video/{id}"),
            video_description: format!("Fake video {index} #fyp"),
            duration: 15 + index % 46,
            height: 1920,
            width: 1080,
            title: format!("Fake video {index}"),
            embed_html: format!(
                "<blockquote class=\"tiktok-embed\" data-video-id=\"{id}\"></blockquote>"
            ),
            embed_link: format!("https://www.tiktok.com/player/v1/{id}"),
            like_count: 100 * index,
            comment_count: 10 * index,
            share_count: index,
            view_count: 1000 * index,
            create_time,
            id,
        }
    }

    fn default_field(name: &str) -> bool {
        VIDEO_FIELDS.split(',').any(|f| f == name)
    }
}

#[derive(Default)]
pub struct State {
    client_key: String,
    client_secret: String,
    /// Whose data answers the current request.
    data: Data,
    expected_redirect_uri: Option<String>,
    consent: Consent,
    grant_only: Option<Vec<String>>,
    failing_token_calls: u32,
    refresh_revoked: bool,
    auth: Authority,
    log_seq: u64,
    /// Index of the last generated video.
    video_seq: u64,
    /// Statuses the next API calls answer with, in order.
    failing_api_calls: VecDeque<u16>,
    /// Video-list request indices (0-based, since start) that answer 500.
    failing_video_pages: Vec<usize>,
    /// Answer 429 to the first video-list request once this many callers (access tokens) have
    /// each made one; None when off or done.
    limit_when_listing: Option<usize>,
    /// The access tokens that asked for the video list so far.
    listing: std::collections::HashSet<String>,
    video_list_seen: usize,
    /// API calls left before every access token issued by then expires.
    access_expiry_countdown: Option<u32>,
    rate_limit_retry_after: Option<u64>,
    /// The Content Posting API (posting.rs).
    posting: posting::Posting,
    /// Many-users mode: videos per user.
    videos_per_user: u64,
    /// The video list answers `has_more` with the cursor it was asked for, for ever.
    stuck_cursor: bool,
}

/// A user's data: the fixed creator's, or user k's in many-users mode.
#[derive(Default)]
pub struct Data {
    user: FakeUser,
    /// Newest first.
    videos: Vec<FakeVideo>,
}

impl Users for State {
    type Data = Data;

    /// User k ([`FakeUser::numbered`]) and its own videos ([`FakeTikTok::user_videos`]).
    fn numbered(&self, k: u64) -> Data {
        let user = FakeUser::numbered(k, self.videos_per_user);
        let videos = FakeTikTok::user_videos(k, self.videos_per_user, &user.username);
        Data { user, videos }
    }

    fn data(&mut self) -> &mut Data {
        &mut self.data
    }
}

/// The fake server. Knobs take `&self` and apply to the requests that come after.
pub type FakeTikTok = Fake<State>;

knobs! { for FakeTikTok;
    client_key() -> String => |st| st.client_key.clone();
    client_secret() -> String => |st| st.client_secret.clone();

    // ---- knobs ----

    /// The authorize and token calls must carry exactly this `redirect_uri`.
    expect_redirect_uri(redirect_uri: &str) =>
        |st| st.expected_redirect_uri = Some(redirect_uri.into());
    /// What the user does on the authorize page from now on.
    set_consent(consent: Consent) => |st| st.consent = consent;
    /// The user grants only those of the asked scopes that are in `scopes`.
    grant_only(scopes: &[&str]) =>
        |st| st.grant_only = Some(scopes.iter().map(|s| s.to_string()).collect());
    /// Which `code_challenge` encoding the token call verifies against (default hex).
    accept_pkce(encoding: PkceEncoding) => |st| st.auth.pkce = Some(encoding);
    /// The next token call (either grant) answers 500.
    fail_next_token_call() => |st| st.failing_token_calls += 1;
    /// Every refresh from now on answers `invalid_grant` (the user removed the app).
    revoke_refresh_tokens() => |st| st.refresh_revoked = true;
    set_user(user: FakeUser) => |st| st.data.user = user;
    user() -> FakeUser => |st| st.data.user.clone();
    /// Changes the user in place, e.g. `fake.update_user(|u| u.follower_count += 10)`.
    update_user(change: impl FnOnce(&mut FakeUser)) => |st| change(&mut st.data.user);

    // ---- videos ----

    /// In many-users mode ([`FakeTikTok::serve_many_users`]), user k ([`FakeUser::numbered`])
    /// has `videos` videos of its own ([`FakeTikTok::user_videos`]).
    set_videos_per_user(videos: u64) => |st| st.videos_per_user = videos;
    /// Adds `by` to every video's `view_count`.
    bump_all_views(by: u64) => |st| st.data.videos.iter_mut().for_each(|v| v.view_count += by);
    /// The creator's videos, newest first.
    videos() -> Vec<FakeVideo> => |st| st.data.videos.clone();

    // ---- API faults (user info, video list, video query; never OAuth) ----

    /// The next `n` API calls answer `status` without looking at them: 429 is TikTok's
    /// `rate_limit_exceeded`, 401 `access_token_invalid`, 400 `invalid_params`, anything else
    /// `internal_error`. Adds to failures already queued.
    fail_next_api_calls(n: u32, status: u16) =>
        |st| st.failing_api_calls.extend(std::iter::repeat_n(status, n as usize));
    /// The `k`-th video-list request (0-based, counted since the fake started, the numbering
    /// of [`FakeTikTok::video_list_cursors`]) answers 500 `internal_error`; the retry works.
    fail_video_page_once(k: usize) => |st| st.failing_video_pages.push(k);
    /// Once `callers` different access tokens have each asked for the video list, the next
    /// video-list request answers 429 `rate_limit_exceeded` (with `Retry-After` when set),
    /// once: every caller is then paging when the limit comes.
    rate_limit_video_list_when_listing(callers: usize) =>
        |st| st.limit_when_listing = Some(callers);
    /// Access tokens issued by then stop working after `n` more API calls: the (n+1)-th API
    /// call answers 401 `access_token_invalid`, and a refresh gives a working token again.
    expire_access_tokens_after(n: u32) => |st| st.access_expiry_countdown = Some(n);
    /// From now on the video list never ends: every page answers `has_more: true` with the
    /// cursor it was asked for (the first page's own cursor when it was asked for none).
    stick_video_cursor() => |st| st.stuck_cursor = true;
    /// Whether a 429 carries `Retry-After: <secs>`. TikTok documents no rate-limit headers
    /// (tiktok.md section 4: rely on 429 plus backoff), so by default it has none.
    set_rate_limit_retry_after(secs: Option<u64>) => |st| st.rate_limit_retry_after = secs;

    // ---- what happened ----

    /// `/v2/video/list/` requests received so far.
    video_list_calls() -> usize => |st| st.video_list_seen;
}

impl FakeTikTok {
    /// Starts a fake that knows [`CLIENT_KEY`] / [`CLIENT_SECRET`] and [`FakeUser::default`].
    pub fn start() -> FakeTikTok {
        FakeTikTok::with_client(CLIENT_KEY, CLIENT_SECRET)
    }

    pub fn with_client(client_key: &str, client_secret: &str) -> FakeTikTok {
        let mut auth = Authority::new(Duration::from_secs(86_400), ["code.", "act.", "rft."]);
        auth.pkce = Some(PkceEncoding::Hex);
        auth.strict_verifier = true;
        let state = State {
            client_key: client_key.into(),
            client_secret: client_secret.into(),
            auth,
            ..State::default()
        };
        // Before the base URL is handed out, so before any request can arrive.
        Fake::serve("fake-tiktok", BASE_URL_ENV, state, move |st, base_url| {
            st.posting = posting::Posting::new(base_url.into());
        })
    }

    /// An authorize URL as the binary should build it (for tests of the fake itself).
    pub fn authorize_url(
        &self,
        scopes: &str,
        redirect_uri: &str,
        state: &str,
        code_challenge: &str,
    ) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_key", &self.client_key())
            .append_pair("scope", scopes)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state)
            .append_pair("code_challenge", code_challenge)
            .append_pair("code_challenge_method", "S256")
            .finish();
        self.url(&format!("{AUTHORIZE_PATH}?{query}"))
    }

    // ---- videos ----

    /// User k's videos in many-users mode: ids `VIDEO_ID_BASE + k * 1000 + i`, newest first.
    pub fn user_videos(k: u64, n: u64, username: &str) -> Vec<FakeVideo> {
        (1..=n)
            .rev()
            .map(|i| {
                FakeVideo::generated(k * 1000 + i, VIDEOS_END - (n - i) as i64 * 3600, username)
            })
            .collect()
    }

    /// Replaces the creator's videos with `n` generated ones ([`FakeVideo::generated`] with
    /// indices 1..=n, ids "7300000000000000001"..), one hour apart, the newest (index n)
    /// created at [`VIDEOS_END`]. The user's `video_count` follows.
    pub fn set_videos(&self, n: u64) {
        let mut st = self.state();
        // The fixed creator's are user 0's, whose ids carry no user offset.
        st.data.videos = FakeTikTok::user_videos(0, n, &st.data.user.username);
        st.video_seq = n;
        st.data.user.video_count = n;
    }

    /// Adds `k` generated videos newer than every current one (continuing the indices, one
    /// hour apart), as if the creator posted since the last sync. The user's `video_count`
    /// follows.
    pub fn add_videos(&self, k: u64) {
        let mut st = self.state();
        let username = st.data.user.username.clone();
        let mut newest = st
            .data
            .videos
            .first()
            .map_or(VIDEOS_END - 3600, |v| v.create_time);
        for _ in 0..k {
            st.video_seq += 1;
            newest += 3600;
            let video = FakeVideo::generated(st.video_seq, newest, &username);
            st.data.videos.insert(0, video);
        }
        st.data.user.video_count = st.data.videos.len() as u64;
    }

    /// Changes one video in place; panics when there is no video with that id. Keep
    /// `create_time`s distinct: a page's cursor is its oldest video's time, and the next page
    /// starts strictly before it.
    pub fn update_video(&self, id: &str, change: impl FnOnce(&mut FakeVideo)) {
        let mut st = self.state();
        let video = st
            .data
            .videos
            .iter_mut()
            .find(|v| v.id == id)
            .unwrap_or_else(|| panic!("the fake has no video {id}"));
        change(video);
        st.data
            .videos
            .sort_by_key(|v| std::cmp::Reverse(v.create_time));
    }

    /// Sets one video's `view_count` (metrics that changed between syncs).
    pub fn set_video_views(&self, id: &str, views: u64) {
        self.update_video(id, |v| v.view_count = views);
    }

    /// Deletes a video (the creator removed it); false when there was none. The user's
    /// `video_count` follows.
    pub fn remove_video(&self, id: &str) -> bool {
        let mut st = self.state();
        let before = st.data.videos.len();
        st.data.videos.retain(|v| v.id != id);
        st.data.user.video_count = st.data.videos.len() as u64;
        st.data.videos.len() != before
    }

    /// The `cursor` of every `/v2/video/list/` request, in order (None when the body had
    /// none, a null one, or was not JSON).
    pub fn video_list_cursors(&self) -> Vec<Option<i64>> {
        self.requests_to(VIDEO_LIST_PATH)
            .iter()
            .map(|r| r.json_body().and_then(|b| b["cursor"].as_i64()))
            .collect()
    }
}

/// Encodes a query value the way TikTok's redirects look: form style (`+` for space) but with
/// the commas of a scope list left as they are.
fn encode_value(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes())
        .collect::<String>()
        .replace("%2C", ",")
}

impl Routes for State {
    const MAX_BODY: usize = MAX_BODY;

    fn route(&mut self, req: &RecordedRequest, _: &[u8]) -> Reply {
        self.route(req)
    }

    fn too_large(&mut self) -> Reply {
        let log_id = self.log_id();
        reply!(413, {"error": "invalid_request", "error_description": "Request body too large.", "log_id": log_id})
    }

    fn auth(&mut self) -> &mut Authority {
        &mut self.auth
    }

    /// The delays and cut answers are the API's (user info, video list and query), never OAuth's.
    fn faulty(req: &RecordedRequest) -> bool {
        matches!(
            (req.method.as_str(), req.path.as_str()),
            ("GET", USER_INFO_PATH) | ("POST", VIDEO_LIST_PATH | VIDEO_QUERY_PATH)
        )
    }

    /// Upload chunks stream to posting.rs.
    fn stream(
        state: &Mutex<State>,
        request: &mut tiny_http::Request,
    ) -> Option<(RecordedRequest, Reply)> {
        let chunk =
            request.method().as_str() == "PUT" && request.url().starts_with(posting::UPLOAD_PREFIX);
        chunk.then(|| posting::serve_chunk(state, request))
    }
}

impl State {
    fn log_id(&mut self) -> String {
        self.log_seq += 1;
        format!("20261124120000FAKE{:014}", self.log_seq)
    }

    fn oauth_error(&mut self, status: u16, error: &str, description: &str) -> Reply {
        let log_id = self.log_id();
        reply!(status, {"error": error, "error_description": description, "log_id": log_id})
    }

    fn invalid_params(&mut self, message: &str) -> Reply {
        self.api_error(400, "invalid_params", message)
    }

    fn invalid_request(&mut self, description: &str) -> Reply {
        self.oauth_error(400, "invalid_request", description)
    }

    fn token_invalid(&mut self) -> Reply {
        let message = "The access token is invalid or not found in the request.";
        self.api_error(401, "access_token_invalid", message)
    }

    fn api_error(&mut self, status: u16, code: &str, message: &str) -> Reply {
        let log_id = self.log_id();
        reply!(status, {"data": {}, "error": {"code": code, "message": message, "log_id": log_id}})
    }

    fn route(&mut self, req: &RecordedRequest) -> Reply {
        if posting::is_posting_path(&req.path) {
            return self.posting_api(req);
        }
        let (want, api) = match req.path.as_str() {
            AUTHORIZE_PATH => ("GET", false),
            TOKEN_PATH | REVOKE_PATH => ("POST", false),
            USER_INFO_PATH => ("GET", true),
            VIDEO_LIST_PATH | VIDEO_QUERY_PATH => ("POST", true),
            _ => return self.api_error(404, "not_found", "Fake TikTok: no such path."),
        };
        let list_index = (req.path == VIDEO_LIST_PATH).then(|| {
            self.video_list_seen += 1;
            self.video_list_seen - 1
        });
        if req.method != want {
            return self.api_error(405, "method_not_allowed", "Fake TikTok: wrong method.");
        }
        if api {
            return self.api(req, list_index);
        }
        if want == "POST" && !req.is_form() {
            return self.invalid_request("Content-Type must be application/x-www-form-urlencoded.");
        }
        match req.path.as_str() {
            AUTHORIZE_PATH => self.authorize(req),
            TOKEN_PATH => self.token(req),
            _ => self.revoke(req),
        }
    }

    fn authorize(&mut self, req: &RecordedRequest) -> Reply {
        let q = |name| req.query_param(name).unwrap_or("");
        if q("client_key") != self.client_key {
            return self.oauth_error(400, "invalid_client", "client_key is unknown.");
        }
        if q("response_type") != "code" {
            return self.oauth_error(
                400,
                "unsupported_response_type",
                "response_type must be code.",
            );
        }
        let redirect_uri = q("redirect_uri");
        if redirect_uri.is_empty() {
            return self.invalid_request("redirect_uri is missing.");
        }
        if self
            .expected_redirect_uri
            .as_deref()
            .is_some_and(|want| want != redirect_uri)
        {
            return self.invalid_request("redirect_uri is not registered.");
        }
        // Desktop apps may only redirect to a loopback host, with a port and no query.
        let loopback = url::Url::parse(redirect_uri).is_ok_and(|u| {
            matches!(u.scheme(), "http" | "https")
                && matches!(u.host_str(), Some("127.0.0.1" | "localhost"))
                && u.port().is_some()
                && u.query().is_none()
                && u.fragment().is_none()
        });
        if !loopback {
            return self.invalid_request(
                "redirect_uri must be http://127.0.0.1:PORT/... or http://localhost:PORT/...",
            );
        }
        let state = q("state");
        if state.is_empty() {
            return self.invalid_request("state is missing.");
        }
        let scope = q("scope");
        if scope.is_empty() {
            return self.oauth_error(400, "invalid_scope", "scope is missing.");
        }
        let challenge = q("code_challenge");
        if challenge.is_empty() {
            return self.invalid_request("code_challenge is missing.");
        }
        if q("code_challenge_method") != "S256" {
            return self.invalid_request("code_challenge_method must be S256.");
        }

        match self.consent {
            Consent::Deny => Reply::redirect(format!(
                "{redirect_uri}?error=access_denied&error_description=The+user+denied&state={}",
                encode_value(state)
            )),
            Consent::Authorize | Consent::WrongState => {
                let granted: Vec<&str> = scope
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .filter(|s| {
                        self.grant_only
                            .as_ref()
                            .is_none_or(|only| only.iter().any(|o| o == s))
                    })
                    .collect();
                let granted = granted.join(",");
                let code = self.auth.code(Code::new(challenge, redirect_uri, &granted));
                let state = if self.consent == Consent::WrongState {
                    format!("{state}-forged")
                } else {
                    state.to_string()
                };
                Reply::redirect(format!(
                    "{redirect_uri}?code={}&scopes={}&state={}",
                    encode_value(&code),
                    encode_value(&granted),
                    encode_value(&state)
                ))
            }
        }
    }

    fn client_ok(&self, req: &RecordedRequest) -> bool {
        ClientAuth::Body {
            id_field: "client_key",
            id: self.client_key.clone(),
            secret: self.client_secret.clone(),
        }
        .ok(req)
    }

    fn token(&mut self, req: &RecordedRequest) -> Reply {
        if self.failing_token_calls > 0 {
            self.failing_token_calls -= 1;
            return self.oauth_error(500, "internal_error", "Fake TikTok: forced failure.");
        }
        if !self.client_ok(req) {
            return self.oauth_error(400, "invalid_client", "Client key or secret is invalid.");
        }
        if self.refresh_revoked && req.form_field("grant_type") == Some("refresh_token") {
            return self.oauth_error(400, "invalid_grant", "Refresh token is invalid.");
        }
        let (videos, fixed) = (self.videos_per_user, self.data.user.open_id.clone());
        let grant = self.auth.grant(req, Rotation::Rotate, |auth, _| {
            let user = auth.next_user();
            let open_id = match user {
                0 => fixed,
                k => FakeUser::numbered(k, videos).open_id,
            };
            (user, open_id, true)
        });
        let (error, description) = match grant {
            Ok(grant) => {
                let mut body = grant.answer("Bearer");
                body["open_id"] = json!(grant.subject);
                body["refresh_expires_in"] = json!(REFRESH_EXPIRES_IN);
                return Reply::json(200, body);
            }
            Err(TokenRefused::Code(Refused::WrongRedirect)) => (
                "invalid_grant",
                "redirect_uri does not match the one used to authorize.",
            ),
            Err(TokenRefused::Code(Refused::WrongVerifier)) => (
                "invalid_request",
                "Code verifier or code challenge is invalid.",
            ),
            Err(TokenRefused::Code(_)) => (
                "invalid_grant",
                "Authorization code is expired or was already used.",
            ),
            Err(TokenRefused::Refresh) => ("invalid_grant", "Refresh token is invalid or expired."),
            Err(TokenRefused::NoGrantType) => ("invalid_request", "grant_type is missing."),
            Err(TokenRefused::OtherGrantType) => {
                ("unsupported_grant_type", "grant_type is not supported.")
            }
        };
        self.oauth_error(400, error, description)
    }

    fn revoke(&mut self, req: &RecordedRequest) -> Reply {
        if !self.client_ok(req) {
            return self.oauth_error(400, "invalid_client", "Client key or secret is invalid.");
        }
        if req.form_field("token").unwrap_or("").is_empty() {
            return self.invalid_request("token is missing.");
        }
        self.auth.revoke_request(req);
        reply!(200, {})
    }

    /// A failure forced by a knob.
    fn forced_failure(&mut self, status: u16) -> Reply {
        match status {
            429 => {
                let mut reply = self.api_error(
                    429,
                    "rate_limit_exceeded",
                    "API rate limit was exceeded. Please try again later.",
                );
                if let Some(secs) = self.rate_limit_retry_after {
                    reply.headers.push(("Retry-After".into(), secs.to_string()));
                }
                reply
            }
            401 => self.token_invalid(),
            400 => self.invalid_params("Fake TikTok: forced failure."),
            _ => self.api_error(
                status,
                "internal_error",
                "Something went wrong. Please try again later.",
            ),
        }
    }

    /// The user info and video paths: faults, then the token, then the endpoint.
    fn api(&mut self, req: &RecordedRequest, list_index: Option<usize>) -> Reply {
        if let Some(left) = self.access_expiry_countdown {
            if left == 0 {
                self.auth.expire_access_now();
                self.access_expiry_countdown = None;
            } else {
                self.access_expiry_countdown = Some(left - 1);
            }
        }
        if let Some(status) = self.failing_api_calls.pop_front() {
            return self.forced_failure(status);
        }
        if let Some(i) = list_index
            && let Some(pos) = self.failing_video_pages.iter().position(|&k| k == i)
        {
            self.failing_video_pages.remove(pos);
            return self.forced_failure(500);
        }
        if list_index.is_some()
            && let Some(callers) = self.limit_when_listing
        {
            if self.listing.len() >= callers {
                self.limit_when_listing = None;
                return self.forced_failure(429);
            }
            self.listing
                .insert(req.authorization.clone().unwrap_or_default());
        }

        let now = std::time::Instant::now();
        self.as_bearer(req, now, State::token_invalid, |st, scope| {
            either(st.endpoint(req, scope))
        })
    }

    /// An authorized API call, answered from the current user and videos.
    fn endpoint(&mut self, req: &RecordedRequest, scope: &str) -> Answer {
        if req.path == USER_INFO_PATH {
            return self.user_info(req);
        }
        if !scope.split(',').any(|s| s.trim() == "video.list") {
            return Err(self.api_error(
                401,
                "scope_not_authorized",
                "The user did not authorize the scope required for completing this request.",
            ));
        }
        let fields = self.fields(req, FakeVideo::default_field)?;
        if !req.is_type("application/json") {
            return Err(self.invalid_params("Content-Type must be application/json."));
        }
        let Ok(body) = serde_json::from_str::<Value>(&req.body) else {
            return Err(self.invalid_params("The request body is not valid JSON."));
        };
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        if req.path == VIDEO_LIST_PATH {
            Ok(self.video_list(&body, &fields))
        } else {
            Ok(self.video_query(&body, &fields))
        }
    }

    /// The `fields` query parameter, every name known to `known`.
    fn fields(
        &mut self,
        req: &RecordedRequest,
        known: impl Fn(&str) -> bool,
    ) -> Result<Vec<String>, Reply> {
        let fields: Vec<String> = req
            .query_param("fields")
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if fields.is_empty() {
            return Err(self.invalid_params("fields is required."));
        }
        if let Some(bad) = fields.iter().find(|f| !known(f.as_str())) {
            let message = format!("Invalid field: {bad}");
            return Err(self.invalid_params(&message));
        }
        Ok(fields)
    }

    fn ok(&mut self, data: Value) -> Reply {
        let log_id = self.log_id();
        reply!(200, {"data": data, "error": {"code": "ok", "message": "", "log_id": log_id}})
    }

    fn user_info(&mut self, req: &RecordedRequest) -> Answer {
        let known = FakeUser::default();
        let fields = self.fields(req, |name| field(&known, name).is_some())?;
        let mut user = serde_json::Map::new();
        for name in fields {
            let value = field(&self.data.user, &name).expect("a known field");
            user.insert(name, value);
        }
        Ok(self.ok(json!({"user": user})))
    }

    fn video_list(&mut self, body: &Value, fields: &[&str]) -> Reply {
        let max_count = match &body["max_count"] {
            Value::Null => DEFAULT_MAX_COUNT,
            v => match v.as_i64() {
                Some(n) if (1..=MAX_COUNT).contains(&n) => n,
                _ => {
                    return self.invalid_params("max_count must be an integer from 1 to 20.");
                }
            },
        };
        let cursor = match &body["cursor"] {
            Value::Null => None,
            v => match v.as_i64() {
                Some(c) => Some(c),
                None => {
                    return self
                        .invalid_params("cursor must be an int64 unix timestamp in milliseconds.");
                }
            },
        };
        let older: Vec<&FakeVideo> = self
            .data
            .videos
            .iter()
            .filter(|v| cursor.is_none_or(|c| v.create_time * 1000 < c))
            .collect();
        let page = &older[..older.len().min(max_count as usize)];
        let has_more = older.len() > page.len();
        let next = page
            .last()
            .map_or(cursor.unwrap_or(0), |v| v.create_time * 1000);
        let videos: Vec<Value> = page.iter().map(|v| project(v, fields)).collect();
        if self.stuck_cursor {
            let stuck = cursor.unwrap_or(next);
            return self.ok(json!({"videos": videos, "cursor": stuck, "has_more": true}));
        }
        self.ok(json!({"videos": videos, "cursor": next, "has_more": has_more}))
    }

    fn video_query(&mut self, body: &Value, fields: &[&str]) -> Reply {
        let ids: Option<Vec<&str>> = body["filters"]["video_ids"]
            .as_array()
            .and_then(|ids| ids.iter().map(Value::as_str).collect());
        let ids = match ids {
            Some(ids) if !ids.is_empty() && ids.len() <= MAX_COUNT as usize => ids,
            _ => {
                return self.invalid_params("filters.video_ids must hold 1 to 20 video ids.");
            }
        };
        let videos: Vec<Value> = ids
            .iter()
            .filter_map(|id| self.data.videos.iter().find(|v| v.id == *id))
            .map(|v| project(v, fields))
            .collect();
        self.ok(json!({"videos": videos}))
    }
}
