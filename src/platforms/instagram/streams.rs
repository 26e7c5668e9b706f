//! Instagram's sync streams (Graph API with Instagram Login, `graph.instagram.com/<version>`):
//!
//! - `profile`: `GET /me?fields=user_id,username,followers_count,follows_count,media_count`;
//!   the counts become `analytics_events` snapshots at the sync's time. Instagram lists no
//!   followers, so fans come from comments and messages only.
//! - `media`: `GET /me/media` newest first, `limit` + `after` cursor paging (posts, reels,
//!   carousels). Each becomes a post, its like and comment counts snapshot events; an
//!   incremental pass stops at the first page that reaches media an earlier pass saw.
//! - `stories`: `GET /me/stories`, the same for stories while they are live (24 hours), kept
//!   as posts afterwards. Meta documents the edge for Facebook Login; where it answers that it
//!   cannot list them (codes 3, 10, 100, 200-299), one warning and nothing else.
//! - `comments`: the comments (and their replies) on the latest [`RECENT_MEDIA`] media with
//!   comments, one media per page, each paged by its own cursor; the stream's resume point
//!   holds the media still to read. Commenters become fans (source `comment`), comments
//!   messages of kind `comment` (outgoing when the account wrote them).
//! - `conversations`: `GET /me/conversations?platform=instagram` with their messages, where the
//!   messaging permission is granted: correspondents become fans (source `dm`), messages are
//!   stored. Without the permission Meta answers code 3, 10 or 200: one warning, no failure.
//! - `insights` (`ENABLE_INSTAGRAM_INSIGHTS`): the account's metrics of the last complete day
//!   (`period=day&metric_type=total_value`), each an event with its period, then the lifetime
//!   metrics of the latest [`MEDIA_INSIGHTS`] media, one media per page. A metric Meta no
//!   longer offers, or not for this account or media type (code 100 naming it, as
//!   `impressions` since v22), is dropped with a warning and the others are asked again.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::api::{Api, after, graph, graph_code, graph_message, text, time};
use crate::config::PlatformConfig;
use crate::platforms::kit::Counters;
use crate::store::model::{AnalyticsEvent, Fan, Message, Post};
use crate::sync::{Page, Request, Stream};
use crate::vocab::Secret;
use crate::vocab::{PlatformError, PlatformId};

/// Media per page of the media list (Meta's default is 25).
const MEDIA_PAGE: &str = "50";
/// The comments stream reads the comments of this many latest media.
pub const RECENT_MEDIA: usize = 50;
/// Account metrics asked for each day (`impressions` is gone since v22.0: `views` replaces it).
pub const ACCOUNT_METRICS: [&str; 8] = [
    "reach",
    "views",
    "accounts_engaged",
    "total_interactions",
    "likes",
    "comments",
    "shares",
    "saves",
];

/// The streams in the order they run; insights only when the config enables them
/// (`ENABLE_INSTAGRAM_INSIGHTS`: they need the `instagram_business_manage_insights` scope).
pub fn streams(config: &PlatformConfig) -> Vec<Box<dyn Stream>> {
    let mut out: Vec<Box<dyn Stream>> = vec![
        Box::new(profile(Api::new(config))),
        Box::new(Media {
            api: Api::new(config),
            stories: false,
        }),
        Box::new(Media {
            api: Api::new(config),
            stories: true,
        }),
        Box::new(Comments {
            api: Api::new(config),
        }),
        Box::new(Conversations {
            api: Api::new(config),
        }),
    ];
    if config.insights {
        out.push(Box::new(Insights {
            api: Api::new(config),
        }));
    }
    out
}

fn event(
    request: &Request,
    subject: (&str, &str),
    metric: &str,
    period: (&str, DateTime<Utc>),
    value: f64,
) -> AnalyticsEvent {
    AnalyticsEvent {
        platform: PlatformId::Instagram,
        account: request.account.into(),
        subject_type: subject.0.into(),
        subject_id: subject.1.into(),
        metric: metric.into(),
        period: period.0.into(),
        period_start: period.1,
        value,
        unit: Some("count".into()),
        fan_platform_user_id: None,
    }
}

/// The ids of the latest `n` media, newest first; with `commented`, only those with comments.
fn recent_media(
    api: &Api,
    token: &Secret,
    n: usize,
    commented: bool,
) -> Result<Vec<String>, PlatformError> {
    let mut url = api.url(&graph("/me/media"));
    url.query_pairs_mut()
        .append_pair("fields", "id,comments_count")
        .append_pair("limit", &n.to_string());
    let list = api.get(token, url)?;
    Ok(list
        .get("data")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter(|m| !commented || m.get("comments_count").and_then(Json::as_i64) != Some(0))
        .filter_map(|m| text(m, "id"))
        .take(n)
        .collect())
}

/// One row per person: the earliest first sighting and the latest last one.
fn merge_fans(fans: Vec<Fan>) -> Vec<Fan> {
    let mut out: Vec<Fan> = Vec::new();
    for f in fans {
        match out
            .iter_mut()
            .find(|o| o.platform_user_id == f.platform_user_id)
        {
            Some(known) => {
                known.first_seen_at = known.first_seen_at.min(f.first_seen_at);
                known.last_seen_at = known.last_seen_at.max(f.last_seen_at);
                known.username = known.username.take().or(f.username);
            }
            None => out.push(f),
        }
    }
    out
}

/// The `profile` stream: the account's counts from `/me`.
fn profile(api: Api) -> Counters {
    let read = move |token: &Secret, _: &Request| {
        let mut url = api.url(&graph("/me"));
        url.query_pairs_mut().append_pair(
            "fields",
            "user_id,username,followers_count,follows_count,media_count",
        );
        let me = api.get(token, url)?;
        let id = text(&me, "user_id")
            .or_else(|| text(&me, "id"))
            .unwrap_or_default();
        Ok((id, me))
    };
    Counters::new(
        "profile",
        PlatformId::Instagram,
        &["followers_count", "follows_count", "media_count"],
        Box::new(read),
    )
}

/// The account's media (`/me/media`) or its live stories (`/me/stories`).
struct Media {
    api: Api,
    stories: bool,
}

impl Stream for Media {
    fn name(&self) -> &'static str {
        if self.stories { "stories" } else { "media" }
    }

    fn fetch(&self, token: &Secret, request: &Request) -> Result<Page, PlatformError> {
        let edge = if self.stories {
            "/me/stories"
        } else {
            "/me/media"
        };
        let mut url = self.api.url(&graph(edge));
        {
            let mut q = url.query_pairs_mut();
            q.append_pair(
                "fields",
                "id,caption,media_type,media_product_type,permalink,timestamp,like_count,comments_count",
            )
            .append_pair("limit", MEDIA_PAGE);
            if let Some(cursor) = request.cursor {
                q.append_pair("after", cursor);
            }
        }
        // Stories are documented for Facebook Login setups; where this account or app cannot
        // list them, the stream says so once and yields nothing.
        let refused =
            |e: &PlatformError| self.stories && (not_permitted(e) || graph_code(e) == Some(100));
        let skipped = "instagram stories skipped: Meta does not list them for this account";
        let Some(list) = read_or_skip(&self.api, token, url, request, refused, skipped)? else {
            return Ok(Page::default());
        };
        let items = list
            .get("data")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        let mut page = Page::default();
        let mut oldest: Option<DateTime<Utc>> = None;
        for item in &items {
            let Some(id) = text(item, "id") else { continue };
            let at = time(item.get("timestamp"));
            if let Some(at) = at {
                page.newest = page.newest.max(Some(at));
                oldest = Some(oldest.map_or(at, |o| o.min(at)));
            }
            let count = |f: &str| item.get(f).and_then(Json::as_i64);
            page.posts.push(Post {
                platform: PlatformId::Instagram,
                platform_post_id: id.clone(),
                account: Some(request.account.into()),
                caption: text(item, "caption"),
                url: text(item, "permalink"),
                media_type: text(item, "media_product_type")
                    .or_else(|| text(item, "media_type"))
                    .map(|t| t.to_ascii_lowercase()),
                published_at: at,
                view_count: None,
                like_count: count("like_count"),
                comment_count: count("comments_count"),
                share_count: None,
                metrics_at: Some(request.at),
            });
            for metric in ["like_count", "comments_count"] {
                if let Some(v) = item.get(metric).and_then(Json::as_f64) {
                    page.events.push(event(
                        request,
                        ("post", &id),
                        metric,
                        ("snapshot", request.at),
                        v,
                    ));
                }
            }
        }
        page.next = after(&list).filter(|_| !items.is_empty());
        page.caught_up = request.reached_synced(oldest);
        Ok(page)
    }
}

/// The comments stream's resume point: the media still to read (the first one in progress,
/// from `after`).
#[derive(Serialize, Deserialize)]
struct CommentsCursor {
    media: Vec<String>,
    after: Option<String>,
}

struct Comments {
    api: Api,
}

const COMMENT_FIELDS: &str = "id,text,timestamp,username,from,parent_id";

impl Comments {
    fn map(&self, page: &mut Page, request: &Request, media: &str, item: &Json) {
        let Some(id) = text(item, "id") else { return };
        let Some(at) = time(item.get("timestamp")) else {
            return;
        };
        let username = item
            .pointer("/from/username")
            .and_then(Json::as_str)
            .map(str::to_string)
            .or_else(|| text(item, "username"));
        let from_id = item
            .pointer("/from/id")
            .and_then(Json::as_str)
            .map(str::to_string);
        let mine = username.is_some() && username.as_deref() == request.username;
        let who = from_id.clone().or_else(|| username.clone());
        if let (Some(who), false) = (&who, mine) {
            page.fans.push(Fan::seen(
                PlatformId::Instagram,
                who,
                username.clone(),
                "comment",
                at,
            ));
        }
        page.messages.push(Message {
            fan_platform_user_id: if mine { None } else { who },
            body: text(item, "text"),
            thread_ref: text(item, "parent_id").or(Some(id.clone())),
            post_ref: Some(media.into()),
            // The sync engine writes the connection's account.
            ..Message::exchanged(PlatformId::Instagram, id, "comment", mine, at)
        });
        for reply in item
            .pointer("/replies/data")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            self.map(page, request, media, reply);
        }
    }
}

impl Stream for Comments {
    fn name(&self) -> &'static str {
        "comments"
    }

    fn fetch(&self, token: &Secret, request: &Request) -> Result<Page, PlatformError> {
        let resume = request
            .cursor
            .and_then(|c| serde_json::from_str::<CommentsCursor>(c).ok());
        let mut cursor = match resume {
            Some(c) => c,
            None => CommentsCursor {
                media: recent_media(&self.api, token, RECENT_MEDIA, true)?,
                after: None,
            },
        };
        let mut page = Page::default();
        let Some(media) = cursor.media.first().cloned() else {
            return Ok(page);
        };
        let mut url = self.api.url(&graph(&format!("/{media}/comments")));
        {
            let mut q = url.query_pairs_mut();
            q.append_pair(
                "fields",
                &format!("{COMMENT_FIELDS},replies{{{COMMENT_FIELDS}}}"),
            )
            .append_pair("limit", "50");
            if let Some(a) = &cursor.after {
                q.append_pair("after", a);
            }
        }
        let list = self.api.get(token, url)?;
        for item in list
            .get("data")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            self.map(&mut page, request, &media, item);
        }
        page.fans = merge_fans(std::mem::take(&mut page.fans));
        match after(&list) {
            Some(a) => cursor.after = Some(a),
            None => {
                cursor.media.remove(0);
                cursor.after = None;
            }
        }
        // Comments are not in one time order across media: the high-water mark is not used.
        page.next = (!cursor.media.is_empty())
            .then(|| serde_json::to_string(&cursor).expect("a cursor serializes"));
        Ok(page)
    }
}

struct Conversations {
    api: Api,
}

/// Graph codes of a permission the token lacks (3: capability, 10: permission denied,
/// 200-299: permissions).
fn not_permitted(e: &PlatformError) -> bool {
    matches!(graph_code(e), Some(3 | 10 | 200..=299))
}

/// `url`'s answer, or `None` when `refused` says this account or app may not read it: the
/// stream then says `skipped` (with Meta's reason) in a warning and yields nothing, instead of
/// failing the sync.
fn read_or_skip(
    api: &Api,
    token: &Secret,
    url: url::Url,
    request: &Request,
    refused: impl Fn(&PlatformError) -> bool,
    skipped: &str,
) -> Result<Option<Json>, PlatformError> {
    match api.get(token, url) {
        Ok(list) => Ok(Some(list)),
        Err(e) if refused(&e) => {
            tracing::warn!(
                account = request.account,
                "{skipped} ({})",
                graph_message(&e)
            );
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

impl Stream for Conversations {
    fn name(&self) -> &'static str {
        "conversations"
    }

    fn fetch(&self, token: &Secret, request: &Request) -> Result<Page, PlatformError> {
        let mut url = self.api.url(&graph("/me/conversations"));
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("platform", "instagram")
                .append_pair(
                    "fields",
                    "id,updated_time,participants,messages{id,created_time,from,to,message}",
                )
                .append_pair("limit", "25");
            if let Some(cursor) = request.cursor {
                q.append_pair("after", cursor);
            }
        }
        let skipped = "instagram conversations skipped: the messaging permission \
                       (instagram_business_manage_messages) is not granted";
        let Some(list) = read_or_skip(&self.api, token, url, request, not_permitted, skipped)?
        else {
            return Ok(Page::default());
        };
        let mut page = Page::default();
        for conversation in list
            .get("data")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let thread = text(conversation, "id");
            let messages = conversation
                .pointer("/messages/data")
                .and_then(Json::as_array)
                .into_iter()
                .flatten();
            for m in messages {
                let (Some(id), Some(at)) = (text(m, "id"), time(m.get("created_time"))) else {
                    continue;
                };
                let from_name = m.pointer("/from/username").and_then(Json::as_str);
                let outgoing = from_name.is_some() && from_name == request.username;
                let other = if outgoing {
                    m.pointer("/to/data/0")
                } else {
                    m.get("from")
                };
                let other_id = other.and_then(|o| text(o, "id"));
                if let Some(other_id) = &other_id {
                    let name = other.and_then(|o| text(o, "username"));
                    page.fans
                        .push(Fan::seen(PlatformId::Instagram, other_id, name, "dm", at));
                }
                page.messages.push(Message {
                    fan_platform_user_id: other_id,
                    body: text(m, "message"),
                    thread_ref: thread.clone(),
                    // The sync engine writes the connection's account.
                    ..Message::exchanged(PlatformId::Instagram, id, "dm", outgoing, at)
                });
            }
        }
        page.fans = merge_fans(std::mem::take(&mut page.fans));
        page.next = after(&list);
        Ok(page)
    }
}

struct Insights {
    api: Api,
}

/// The metric a code-100 error names, among `asked`: by name, or as `metric[i]`.
fn refused_metric<'a>(message: &str, asked: &[&'a str]) -> Option<&'a str> {
    if let Some(i) = message
        .split("metric[")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .and_then(|i| i.parse::<usize>().ok())
    {
        return asked.get(i).copied();
    }
    // The metric named first (a message may go on to name its replacement).
    let words: Vec<&str> = message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    words
        .iter()
        .find_map(|w| asked.iter().copied().find(|m| m == w))
}

/// Media insights asked for each of the latest [`MEDIA_INSIGHTS`] media (lifetime totals).
pub const MEDIA_METRICS: [&str; 7] = [
    "views",
    "reach",
    "likes",
    "comments",
    "saved",
    "shares",
    "total_interactions",
];
/// How many of the latest media get their insights read each sync.
pub const MEDIA_INSIGHTS: usize = 10;

/// Where an insights pass is: the media whose insights are still to read.
#[derive(Serialize, Deserialize)]
struct InsightsCursor {
    media: Vec<String>,
}

impl Insights {
    /// Asks `path` for `metrics` (plus `extra` query pairs); a metric Meta refuses with code 100
    /// is dropped with one warning and the rest asked again. `None` when nothing is left.
    fn ask(
        &self,
        token: &Secret,
        path: &str,
        metrics: &[&str],
        extra: &[(&str, String)],
    ) -> Result<Option<Json>, PlatformError> {
        let mut asked = metrics.to_vec();
        while !asked.is_empty() {
            let mut url = self.api.url(&graph(path));
            url.query_pairs_mut()
                .append_pair("metric", &asked.join(","))
                .extend_pairs(extra.iter().map(|(k, v)| (*k, v.as_str())));
            match self.api.get(token, url) {
                Ok(answer) => return Ok(Some(answer)),
                Err(e) if graph_code(&e) == Some(100) => {
                    let message = graph_message(&e).to_string();
                    let Some(gone) = refused_metric(&message, &asked) else {
                        return Err(e);
                    };
                    tracing::warn!(
                        metric = gone,
                        "instagram no longer offers the insights metric '{gone}' here ({path}); skipped ({message})"
                    );
                    asked.retain(|m| *m != gone);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }
}

/// An insights answer's metrics as events about `subject`: `total_value` totals start at
/// `start`, `values[]` points at their `end_time` less a day.
fn insight_events(
    page: &mut Page,
    request: &Request,
    answer: &Json,
    subject: (&str, &str),
    start: DateTime<Utc>,
) {
    for metric in answer
        .get("data")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = text(metric, "name") else {
            continue;
        };
        let period = text(metric, "period").unwrap_or_else(|| "day".into());
        if let Some(v) = metric.pointer("/total_value/value").and_then(Json::as_f64) {
            page.events
                .push(event(request, subject, &name, (&period, start), v));
        }
        for value in metric
            .get("values")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let Some(v) = value.get("value").and_then(Json::as_f64) else {
                continue;
            };
            let at = match time(value.get("end_time")) {
                Some(end) => end - Duration::days(1),
                None => start,
            };
            page.events
                .push(event(request, subject, &name, (&period, at), v));
        }
    }
}

impl Stream for Insights {
    fn name(&self) -> &'static str {
        "insights"
    }

    /// The first page: the account's last complete day, and the media to read next; then one
    /// page per media (lifetime totals, recorded at the sync's time).
    fn fetch(&self, token: &Secret, request: &Request) -> Result<Page, PlatformError> {
        let mut page = Page::default();
        let resume = request
            .cursor
            .and_then(|c| serde_json::from_str::<InsightsCursor>(c).ok());
        let mut cursor = match resume {
            Some(cursor) => cursor,
            None => {
                let until = request.at.date_naive().and_time(NaiveTime::MIN).and_utc();
                let since = until - Duration::days(1);
                let extra = [
                    ("period", "day".to_string()),
                    ("metric_type", "total_value".to_string()),
                    ("since", since.timestamp().to_string()),
                    ("until", until.timestamp().to_string()),
                ];
                if let Some(answer) = self.ask(token, "/me/insights", &ACCOUNT_METRICS, &extra)? {
                    // Each metric's id is `<user id>/insights/<metric>/<period>`.
                    let subject = answer
                        .pointer("/data/0/id")
                        .and_then(Json::as_str)
                        .and_then(|id| id.split('/').next())
                        .unwrap_or(request.account)
                        .to_string();
                    insight_events(&mut page, request, &answer, ("account", &subject), since);
                }
                InsightsCursor {
                    media: recent_media(&self.api, token, MEDIA_INSIGHTS, false)?,
                }
            }
        };
        if request.cursor.is_some() && !cursor.media.is_empty() {
            let media = cursor.media.remove(0);
            let path = format!("/{media}/insights");
            if let Some(answer) = self.ask(token, &path, &MEDIA_METRICS, &[])? {
                insight_events(&mut page, request, &answer, ("post", &media), request.at);
            }
        }
        page.next = (!cursor.media.is_empty())
            .then(|| serde_json::to_string(&cursor).expect("a cursor serializes"));
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_metric_is_found_by_name_or_index() {
        let asked = ["reach", "views", "saves"];
        assert_eq!(
            refused_metric(
                "(#100) metric[2] must be one of the following values",
                &asked
            ),
            Some("saves")
        );
        assert_eq!(
            refused_metric(
                "(#100) Starting from v22.0, the saves metric is no longer supported: use views",
                &asked
            ),
            Some("saves")
        );
        assert_eq!(refused_metric("(#100) something else", &asked), None);
    }
}
