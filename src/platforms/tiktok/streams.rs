//! TikTok's sync streams (Display API): the profile's counters and the videos.
//!
//! - `profile`: `GET /v2/user/info/` with the stats fields; follower, following, like and video
//!   counts become `analytics_events` snapshots of the account at the sync's time, so repeated
//!   syncs draw a time series. An insights stream: off with `ENABLE_TIKTOK_INSIGHTS=false`.
//! - `videos`: `POST /v2/video/list/` (at most 20 per page; `cursor` is a timestamp in ms that
//!   walks from the newest video to older ones). Each video becomes a post with its latest
//!   public metrics, and (with insights on) snapshot events of those metrics per sync.
//!
//! TikTok offers no followers list, comments or DMs to Login Kit apps (shared/platforms/
//! tiktok.md, section 2), so these streams write no fans or messages.

use chrono::{DateTime, Utc};
use serde_json::{Value as Json, json};
use url::Url;

use super::data;
use crate::config::PlatformConfig;
use crate::http::client::Client;
use crate::platforms::kit::Counters;
use crate::store::model::Post;
use crate::sync::{Page, Request, Stream};
use crate::vocab::Origin;
use crate::vocab::Secret;
use crate::vocab::{PlatformError, PlatformId};

const USER_INFO: &str = "https://open.tiktokapis.com/v2/user/info/";
const VIDEO_LIST: &str = "https://open.tiktokapis.com/v2/video/list/";
const PROFILE_FIELDS: &str =
    "open_id,username,display_name,follower_count,following_count,likes_count,video_count";
const VIDEO_FIELDS: &str = "id,create_time,share_url,video_description,title,duration,view_count,like_count,comment_count,share_count";
/// The Display API's page size limit.
const PAGE: u32 = 20;

/// The streams of a TikTok connection, as the configuration allows.
pub fn streams(config: &PlatformConfig) -> Vec<Box<dyn Stream>> {
    let api = || Api {
        base_url: config.base_url.clone(),
        http: super::api_client(config, config.client_id.as_deref().unwrap_or_default()),
    };
    let mut out: Vec<Box<dyn Stream>> = Vec::new();
    if config.insights {
        out.push(Box::new(profile(api())));
    }
    out.push(Box::new(Videos {
        api: api(),
        insights: config.insights,
    }));
    out
}

struct Api {
    base_url: Option<Origin>,
    http: Client,
}

impl Api {
    fn url(&self, real: &str, fields: &str) -> Url {
        let mut url = crate::platforms::kit::route(self.base_url.as_ref(), real);
        url.query_pairs_mut().append_pair("fields", fields);
        url
    }
}

/// The `profile` stream: the account's counts from the user info.
fn profile(api: Api) -> Counters {
    let read = move |token: &Secret, _: &Request| {
        let url = api.url(USER_INFO, PROFILE_FIELDS);
        let user = data(api.http.get_authorized(&url, token))?
            .get("user")
            .cloned()
            .unwrap_or(Json::Null);
        let open_id = user
            .get("open_id")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        Ok((open_id, user))
    };
    Counters::new(
        "profile",
        PlatformId::Tiktok,
        &[
            "follower_count",
            "following_count",
            "likes_count",
            "video_count",
        ],
        Box::new(read),
    )
}

struct Videos {
    api: Api,
    insights: bool,
}

const METRICS: [&str; 4] = ["view_count", "like_count", "comment_count", "share_count"];

impl Stream for Videos {
    fn name(&self) -> &'static str {
        "videos"
    }

    fn fetch(&self, token: &Secret, request: &Request) -> Result<Page, PlatformError> {
        let url = self.api.url(VIDEO_LIST, VIDEO_FIELDS);
        let mut body = json!({ "max_count": PAGE });
        if let Some(cursor) = request.cursor.and_then(|c| c.parse::<i64>().ok()) {
            body["cursor"] = json!(cursor);
        }
        let data = data(self.api.http.post_json(&url, token, &body))?;
        let videos = data
            .get("videos")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        let mut page = Page::default();
        let mut oldest: Option<DateTime<Utc>> = None;
        for video in &videos {
            let Some(id) = video.get("id").and_then(Json::as_str) else {
                continue;
            };
            let count = |field: &str| video.get(field).and_then(Json::as_i64);
            let published = count("create_time").and_then(|s| DateTime::from_timestamp(s, 0));
            page.newest = page.newest.max(published);
            oldest = match (oldest, published) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let text = |field: &str| {
                video
                    .get(field)
                    .and_then(Json::as_str)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
            };
            page.posts.push(Post {
                platform: PlatformId::Tiktok,
                platform_post_id: id.into(),
                account: Some(request.account.into()),
                caption: text("video_description").or_else(|| text("title")),
                url: text("share_url"),
                media_type: Some("video".into()),
                published_at: published,
                view_count: count("view_count"),
                like_count: count("like_count"),
                comment_count: count("comment_count"),
                share_count: count("share_count"),
                metrics_at: Some(request.at),
            });
            if self.insights {
                for metric in METRICS {
                    if let Some(value) = count(metric) {
                        page.events.push(request.snapshot(
                            PlatformId::Tiktok,
                            "post",
                            id,
                            metric,
                            value,
                        ));
                    }
                }
            }
        }
        let has_more = data
            .get("has_more")
            .and_then(Json::as_bool)
            .unwrap_or(false);
        let cursor = data.get("cursor").and_then(Json::as_i64);
        page.next = match (has_more, cursor) {
            (true, Some(c)) if !videos.is_empty() => Some(c.to_string()),
            _ => None,
        };
        page.caught_up = request.reached_synced(oldest);
        Ok(page)
    }
}
