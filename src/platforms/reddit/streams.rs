//! Reddit's sync streams: the account's karma, its submissions and comments, its inbox and sent
//! messages, and (optionally) posts in chosen communities that mention it.
//!
//! - `identity`: `GET /api/v1/me`; link, comment and total karma and the profile's followers
//!   (`subreddit.subscribers`) become `analytics_events` snapshots at the sync's time.
//! - `submissions`: `GET /user/{name}/submitted?sort=new`; each becomes a post (score as the
//!   like count, comments, crossposts as shares) with snapshot events of score, upvote ratio,
//!   comment and crosspost counts.
//! - `comments`: `GET /user/{name}/comments?sort=new`; the creator's own comments, stored as
//!   outgoing messages of kind `comment` with the post (`t3_`) and the parent they answer.
//! - `inbox`: `GET /message/inbox?mark=false` (never marks anything read): private messages and
//!   replies to the creator's posts and comments. Authors become fans, items incoming messages.
//! - `sent`: `GET /message/sent`: the creator's private messages, outgoing, to their recipients.
//! - `mentions` (only with `REDDIT_SUBREDDITS`): `GET /r/{a}+{b}/search?q="u/{name}"`, posts in
//!   those communities naming the creator; authors become fans, posts `mention` messages.
//!
//! Every listing is Reddit's `{"kind":"Listing","data":{"after","children":[{"kind","data"}]}}`,
//! newest first, at most 100 items per page (`limit=100`), paged by the `after` fullname until
//! it is null; an incremental pass stops at the first page that reaches items an earlier pass
//! saw (the engine's high-water mark). `raw_json=1` asks for text without HTML escaping.
//!
//! A fan's `platform_user_id` is the Reddit username: Reddit addresses people by name
//! everywhere (it is permanent and unique), and some listings (sent messages) name nothing
//! else. Items from deleted accounts (`[deleted]`) are kept without a fan.

use chrono::{DateTime, Utc};
use serde_json::Value as Json;

use super::api::{Api, fullname, text};
use crate::config::PlatformConfig;
use crate::platforms::kit::counters;
use crate::store::model::{AnalyticsEvent, Fan, Message, Post};
use crate::sync::{Page, Request, Stream};
use crate::vocab::Secret;
use crate::vocab::{PlatformError, PlatformId};

const ME: &str = "https://oauth.reddit.com/api/v1/me";
const OAUTH: &str = "https://oauth.reddit.com";
/// Reddit's largest listing page.
const PAGE: &str = "100";

/// The streams of a Reddit connection, as the configuration allows.
pub fn streams(config: &PlatformConfig) -> Vec<Box<dyn Stream>> {
    let mut out: Vec<Box<dyn Stream>> = vec![
        Box::new(Identity {
            api: Api::new(config),
        }),
        Box::new(Listed {
            api: Api::new(config),
            what: What::Submissions,
        }),
        Box::new(Listed {
            api: Api::new(config),
            what: What::Comments,
        }),
        Box::new(Listed {
            api: Api::new(config),
            what: What::Inbox,
        }),
        Box::new(Listed {
            api: Api::new(config),
            what: What::Sent,
        }),
    ];
    if !config.subreddits.is_empty() {
        out.push(Box::new(Listed {
            api: Api::new(config),
            what: What::Mentions(config.subreddits.join("+")),
        }));
    }
    out
}

fn event(request: &Request, subject: (&str, &str), metric: &str, value: f64) -> AnalyticsEvent {
    AnalyticsEvent {
        platform: PlatformId::Reddit,
        account: request.account.into(),
        subject_type: subject.0.into(),
        subject_id: subject.1.into(),
        metric: metric.into(),
        period: "snapshot".into(),
        period_start: request.at,
        value,
        unit: Some(
            if metric == "upvote_ratio" {
                "ratio"
            } else {
                "count"
            }
            .into(),
        ),
        fan_platform_user_id: None,
    }
}

struct Identity {
    api: Api,
}

impl Stream for Identity {
    fn name(&self) -> &'static str {
        "identity"
    }

    fn fetch(&self, token: &Secret, request: &Request) -> Result<Page, PlatformError> {
        let me = self.api.get(token, self.api.url(ME), request.username)?;
        let id = fullname("t2", &text(&me, "id").unwrap_or_default());
        let mut events = counters(
            request,
            PlatformId::Reddit,
            &id,
            Some(&me),
            &[
                "link_karma",
                "comment_karma",
                "total_karma",
                "awardee_karma",
                "awarder_karma",
            ],
        );
        if let Some(followers) = me.pointer("/subreddit/subscribers").and_then(Json::as_f64) {
            events.push(event(request, ("account", &id), "followers", followers));
        }
        Ok(Page {
            events,
            ..Page::default()
        })
    }
}

/// The listings the [`Listed`] stream reads.
enum What {
    Submissions,
    Comments,
    Inbox,
    Sent,
    /// Subreddits joined with `+`.
    Mentions(String),
}

struct Listed {
    api: Api,
    what: What,
}

/// A person worth a fan row: not a deleted account, not a subreddit (`#name` in modmail).
fn person(name: Option<&str>) -> Option<&str> {
    name.filter(|n| !n.is_empty() && *n != "[deleted]" && !n.starts_with('#'))
}

fn fan(name: &str, source: &str, seen: DateTime<Utc>) -> Fan {
    Fan::seen(PlatformId::Reddit, name, Some(name.into()), source, seen)
}

/// One row per person, as first seen on the page (items come newest first): the source of
/// the oldest item, and the span of all of them.
fn first_seen(fans: Vec<Fan>) -> Vec<Fan> {
    let mut out: Vec<Fan> = Vec::new();
    for fan in fans.into_iter().rev() {
        match out
            .iter_mut()
            .find(|f| f.platform_user_id == fan.platform_user_id)
        {
            Some(known) => known.last_seen_at = known.last_seen_at.max(fan.last_seen_at),
            None => out.push(fan),
        }
    }
    out
}

/// `t3_<id>` of the post a `/r/<sub>/comments/<id>/...` permalink or context points into.
fn post_of(path: &str) -> Option<String> {
    let mut parts = path.split('/');
    parts.find(|p| *p == "comments")?;
    parts
        .next()
        .filter(|id| !id.is_empty())
        .map(|id| fullname("t3", id))
}

impl Listed {
    fn url(&self, username: &str, since_cursor: Option<&str>) -> url::Url {
        let path = match &self.what {
            What::Submissions => format!("/user/{username}/submitted"),
            What::Comments => format!("/user/{username}/comments"),
            What::Inbox => "/message/inbox".into(),
            What::Sent => "/message/sent".into(),
            What::Mentions(subs) => format!("/r/{subs}/search"),
        };
        let mut url = self.api.url(&format!("{OAUTH}{path}"));
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("limit", PAGE).append_pair("raw_json", "1");
            match &self.what {
                What::Submissions | What::Comments => {
                    q.append_pair("sort", "new");
                }
                What::Inbox => {
                    q.append_pair("mark", "false");
                }
                What::Sent => {}
                What::Mentions(_) => {
                    q.append_pair("q", &format!("\"u/{username}\""))
                        .append_pair("restrict_sr", "on")
                        .append_pair("sort", "new")
                        .append_pair("type", "link");
                }
            }
            if let Some(after) = since_cursor {
                q.append_pair("after", after);
            }
        }
        url
    }

    /// One listing item into the page's records; the item's time when it has one.
    fn map(
        &self,
        page: &mut Page,
        request: &Request,
        me: &str,
        kind: &str,
        item: &Json,
    ) -> Option<DateTime<Utc>> {
        let get = |field: &str| text(item, field);
        let name = get("name")?;
        let at = item
            .get("created_utc")
            .and_then(Json::as_f64)
            .and_then(|s| DateTime::from_timestamp(s as i64, 0))?;
        let count = |field: &str| item.get(field).and_then(Json::as_i64);
        let author = get("author");
        match (&self.what, kind) {
            (What::Submissions, "t3") => {
                page.posts.push(Post {
                    platform: PlatformId::Reddit,
                    platform_post_id: name.clone(),
                    account: Some(request.account.into()),
                    caption: get("title"),
                    url: get("permalink").map(|p| format!("https://www.reddit.com{p}")),
                    media_type: Some(
                        if item.get("is_self").and_then(Json::as_bool) == Some(true) {
                            "self".into()
                        } else {
                            get("post_hint").unwrap_or_else(|| "link".into())
                        },
                    ),
                    published_at: Some(at),
                    view_count: count("view_count"),
                    like_count: count("score"),
                    comment_count: count("num_comments"),
                    share_count: count("num_crossposts"),
                    metrics_at: Some(request.at),
                });
                for metric in ["score", "upvote_ratio", "num_comments", "num_crossposts"] {
                    if let Some(value) = item.get(metric).and_then(Json::as_f64) {
                        page.events
                            .push(event(request, ("post", &name), metric, value));
                    }
                }
            }
            (What::Comments, "t1") => page.messages.push(Message {
                body: get("body"),
                thread_ref: get("parent_id"),
                post_ref: get("link_id"),
                // The sync engine writes the connection's account.
                ..Message::exchanged(PlatformId::Reddit, name, "comment", true, at)
            }),
            (What::Inbox, "t1" | "t4") => {
                let from = person(author.as_deref()).map(str::to_string);
                let mention = get("subject").as_deref() == Some("username mention");
                let (kind, source) = match kind {
                    "t4" => ("dm", "dm"),
                    _ if mention => ("mention", "mention"),
                    _ => ("comment", "commenter"),
                };
                let outgoing = from.as_deref().is_some_and(|f| f.eq_ignore_ascii_case(me));
                if let (Some(from), false) = (&from, outgoing) {
                    page.fans.push(fan(from, source, at));
                }
                page.messages.push(Message {
                    fan_platform_user_id: if outgoing { None } else { from },
                    body: get("body"),
                    thread_ref: match kind {
                        "dm" => get("first_message_name").or(Some(name.clone())),
                        _ => get("parent_id"),
                    },
                    post_ref: get("context").as_deref().and_then(post_of),
                    // The sync engine writes the connection's account.
                    ..Message::exchanged(PlatformId::Reddit, name, kind, outgoing, at)
                });
            }
            (What::Sent, "t4") => {
                let to = person(get("dest").as_deref()).map(str::to_string);
                if let Some(to) = &to {
                    page.fans.push(fan(to, "dm", at));
                }
                page.messages.push(Message {
                    fan_platform_user_id: to,
                    body: get("body"),
                    thread_ref: get("first_message_name").or(Some(name.clone())),
                    // The sync engine writes the connection's account.
                    ..Message::exchanged(PlatformId::Reddit, name, "dm", true, at)
                });
            }
            (What::Mentions(_), "t3") => {
                let from = person(author.as_deref())
                    .filter(|a| !a.eq_ignore_ascii_case(me))
                    .map(str::to_string);
                let Some(from) = from else { return Some(at) };
                page.fans.push(fan(&from, "mention", at));
                let title = get("title").unwrap_or_default();
                let body = match get("selftext") {
                    Some(text) => format!("{title}\n\n{text}"),
                    None => title,
                };
                page.messages.push(Message {
                    fan_platform_user_id: Some(from),
                    body: Some(body),
                    thread_ref: get("subreddit_name_prefixed"),
                    post_ref: Some(name.clone()),
                    // The sync engine writes the connection's account.
                    ..Message::exchanged(PlatformId::Reddit, name, "mention", false, at)
                });
            }
            _ => {}
        }
        Some(at)
    }
}

impl Stream for Listed {
    fn name(&self) -> &'static str {
        match self.what {
            What::Submissions => "submissions",
            What::Comments => "comments",
            What::Inbox => "inbox",
            What::Sent => "sent",
            What::Mentions(_) => "mentions",
        }
    }

    fn fetch(&self, token: &Secret, request: &Request) -> Result<Page, PlatformError> {
        let Some(me) = request.username else {
            return Err(PlatformError::Api {
                platform: crate::vocab::PlatformId::Reddit,
                status: 0,
                code: "the connection has no Reddit username".into(),
                message: Some("run `socialcrm accounts --check` to record it".into()),
                log_id: None,
            });
        };
        let url = self.url(me, request.cursor);
        let listing = self.api.get(token, url, Some(me))?;
        let data = listing.get("data").cloned().unwrap_or(Json::Null);
        let children = data
            .get("children")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        let mut page = Page::default();
        let mut oldest: Option<DateTime<Utc>> = None;
        for child in &children {
            let kind = child.get("kind").and_then(Json::as_str).unwrap_or_default();
            let item = child.get("data").unwrap_or(&Json::Null);
            if let Some(at) = self.map(&mut page, request, me, kind, item) {
                page.newest = page.newest.max(Some(at));
                oldest = Some(oldest.map_or(at, |o| o.min(at)));
            }
        }
        page.fans = first_seen(std::mem::take(&mut page.fans));
        page.next = text(&data, "after").filter(|_| !children.is_empty());
        page.caught_up = request.reached_synced(oldest);
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_context_path_names_its_post() {
        assert_eq!(
            post_of("/r/test/comments/abc12/some_title/def34/?context=3").as_deref(),
            Some("t3_abc12")
        );
        assert_eq!(post_of("/message/messages/xyz"), None);
        assert_eq!(person(Some("[deleted]")), None);
        assert_eq!(person(Some("#modmail")), None);
        assert_eq!(person(Some("fan1")), Some("fan1"));
    }
}
