//! X's sync streams (API v2, user context), cheapest first:
//!
//! - `user`: `GET /2/users/:id` with `public_metrics` → `analytics_events` snapshots of the
//!   account (followers, following, posts, listed, likes). Read with the app-only bearer token
//!   (`TWITTER_BEARER_TOKEN`) when one is set, which spares the user's own rate limit.
//! - `followers`: `GET /2/users/:id/followers`, up to 1,000 per page, `pagination_token` →
//!   fans (source `follower`). X has no "since" for followers: a pass reads the list from the
//!   newest follower on, and the read budget bounds what one run costs (the cursor is kept, so
//!   the next run continues).
//! - `posts`: `GET /2/users/:id/tweets` (5..=100 per page) with `since_id` → posts with their
//!   public metrics, and snapshots of those metrics.
//! - `mentions`: `GET /2/users/:id/mentions` with `since_id` and the `author_id` expansion →
//!   messages (kind `mention`) and their authors as fans.
//! - `dms`: `GET /2/dm_events` (`MessageCreate`, last 30 days, newest first) → messages (kind
//!   `dm`) and the other party as a fan; read back to the previous pass's newest event.
//!
//! X bills reads per resource returned, so every page reports its billed resources
//! ([`Page::reads`]) and asks for no more than the stream's remaining read budget.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use serde_json::Value as Json;
use url::Url;

use super::api;
use crate::config::PlatformConfig;
use crate::http::client::Client;
use crate::platforms::kit::nonempty_text as text;
use crate::store::model::{Fan, Message, Post};
use crate::sync::{Page, Request, Stream};
use crate::vocab::Origin;
use crate::vocab::Secret;
use crate::vocab::{PlatformError, PlatformId};

const USER: &str = "https://api.x.com/2/users/{id}";
const FOLLOWERS: &str = "https://api.x.com/2/users/{id}/followers";
const TWEETS: &str = "https://api.x.com/2/users/{id}/tweets";
const MENTIONS: &str = "https://api.x.com/2/users/{id}/mentions";
const DM_EVENTS: &str = "https://api.x.com/2/dm_events";

/// Reads per stream and run when neither `--max-reads` nor `[x] max_reads` says otherwise:
/// one full page of followers (1,000 users, about $10 at the pay-per-use price of $0.010 per
/// user read), ten pages of posts or mentions. Enough for a creator's day on a 15-minute cron,
/// small enough that a large account's first sync does not spend the month's credits at once.
pub const DEFAULT_READ_BUDGET: u64 = 1000;

/// The streams of an X connection, as the configuration allows.
pub fn streams(config: &PlatformConfig) -> Vec<Box<dyn Stream>> {
    let endpoint = |kind| Endpoint {
        kind,
        base_url: config.base_url.clone(),
        app_bearer: config.bearer_token.clone(),
        budget: config.max_reads.unwrap_or(DEFAULT_READ_BUDGET),
        insights: config.insights,
        client: OnceLock::new(),
    };
    [
        Kind::User,
        Kind::Followers,
        Kind::Posts,
        Kind::Mentions,
        Kind::Dms,
    ]
    .into_iter()
    .filter(|k| config.insights || *k != Kind::User)
    .map(|k| Box::new(endpoint(k)) as Box<dyn Stream>)
    .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    User,
    Followers,
    Posts,
    Mentions,
    Dms,
}

/// One stream: which endpoint, and a paced client made for the connection's user on first use
/// (streams are built per connection).
struct Endpoint {
    kind: Kind,
    base_url: Option<Origin>,
    app_bearer: Option<Secret>,
    budget: u64,
    insights: bool,
    client: OnceLock<Client>,
}

impl Endpoint {
    fn url(&self, real: &str, user: &str) -> Url {
        crate::platforms::kit::route(self.base_url.as_ref(), &real.replace("{id}", user))
    }

    /// The URL of one page of a list endpoint: as many items as the read budget has left
    /// within X's `sizes` for it ([`page_size`]), the `fields` it is read with, and where the
    /// page starts ([`paging`], `since_id` for the lists read incrementally by id).
    fn list(
        &self,
        real: &str,
        user: &str,
        request: &Request,
        sizes: (u64, u64),
        fields: &[(&str, &str)],
        since_id: bool,
    ) -> Url {
        let mut url = self.url(real, user);
        url.query_pairs_mut()
            .append_pair("max_results", &page_size(request, sizes.0, sizes.1))
            .extend_pairs(fields);
        paging(&mut url, request, since_id);
        url
    }

    /// GETs a page of `url` whose items expand their authors (`includes.users`): the page
    /// with those users as fans first seen as `source` (the account itself left out), its next
    /// token, and both items and users billed as reads; the body, for the caller's items.
    fn with_users(
        &self,
        token: &Secret,
        user: &str,
        url: &Url,
        request: &Request,
        source: &str,
    ) -> Result<(Json, Page), PlatformError> {
        let body = self.get(token, user, url)?;
        let page = Page {
            next: meta(&body, "next_token"),
            reads: (items(&body, "/data").len() + items(&body, "/includes/users").len()) as u64,
            fans: people(&body, user, source, request.at),
            ..Page::default()
        };
        Ok((body, page))
    }

    /// GETs `url` with `token`, paced on the budgets of `who`: the user, or `app` for the
    /// app-only token (its limits are the app's). A stream always uses the same one.
    fn get(&self, token: &Secret, who: &str, url: &Url) -> Result<Json, PlatformError> {
        let client = self.client.get_or_init(|| api::client(who));
        api::body(client.get_authorized(url, token))
    }
}

fn time(v: &Json) -> Option<DateTime<Utc>> {
    text(v, "created_at")
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn items<'a>(body: &'a Json, pointer: &str) -> &'a [Json] {
    body.pointer(pointer)
        .and_then(Json::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The page size to ask for: what is left of the read budget, within X's bounds for the
/// endpoint (a page of posts may overshoot a budget left below 5 by at most 4).
fn page_size(request: &Request, min: u64, max: u64) -> String {
    request.max_reads.unwrap_or(max).clamp(min, max).to_string()
}

/// `meta.<field>` of a page (`next_token`, `newest_id`).
fn meta(body: &Json, field: &str) -> Option<String> {
    body.get("meta").and_then(|m| text(m, field))
}

/// The users of `includes.users` as fans, the account itself left out.
fn people(body: &Json, me: &str, source: &str, at: DateTime<Utc>) -> Vec<Fan> {
    items(body, "/includes/users")
        .iter()
        .filter(|u| text(u, "id").as_deref() != Some(me))
        .filter_map(|u| fan(u, source, at))
        .collect()
}

/// The user fields a fan is read with: who they are, and what their profile shares (the bio,
/// the profile's link and the expanded URLs X gives for both in `entities`).
const FAN_FIELDS: &str = "id,name,username,description,url,entities";

fn fan(user: &Json, source: &str, at: DateTime<Utc>) -> Option<Fan> {
    let id = text(user, "id")?;
    Some(Fan {
        display_name: text(user, "name"),
        contacts: profile_contacts(user),
        ..Fan::seen(PlatformId::X, &id, text(user, "username"), source, at)
    })
}

/// The emails and links of a user object's profile: `description`, and the `expanded_url`s of
/// `entities.url` and `entities.description` (the `url` field itself is a t.co link).
fn profile_contacts(user: &Json) -> Vec<crate::store::model::Contact> {
    let expanded = ["/entities/url/urls", "/entities/description/urls"]
        .into_iter()
        .flat_map(|path| items(user, path))
        .filter_map(|u| u.get("expanded_url").and_then(Json::as_str));
    let description = user.get("description").and_then(Json::as_str);
    crate::platforms::profile::contacts(description.into_iter().chain(expanded), "x")
}

impl Stream for Endpoint {
    fn name(&self) -> &'static str {
        match self.kind {
            Kind::User => "user",
            Kind::Followers => "followers",
            Kind::Posts => "posts",
            Kind::Mentions => "mentions",
            Kind::Dms => "dms",
        }
    }

    fn read_budget(&self) -> Option<u64> {
        Some(self.budget)
    }

    fn fetch(&self, token: &Secret, request: &Request) -> Result<Page, PlatformError> {
        let user = request.user_id.ok_or_else(|| {
            PlatformError::unexpected(
                PlatformId::X,
                "the connection has no X user id",
                Some("run `socialcrm accounts --check`".into()),
            )
        })?;
        match self.kind {
            Kind::User => self.user(token, user, request),
            Kind::Followers => self.followers(token, user, request),
            Kind::Posts => self.posts(token, user, request),
            Kind::Mentions => self.mentions(token, user, request),
            Kind::Dms => self.dms(token, user, request),
        }
    }
}

/// Appends `pagination_token` and `since_id` when the request has them.
fn paging(url: &mut Url, request: &Request, since_id: bool) {
    let mut q = url.query_pairs_mut();
    if let Some(cursor) = request.cursor {
        q.append_pair("pagination_token", cursor);
    }
    if since_id && let Some(id) = request.since_id {
        q.append_pair("since_id", id);
    }
}

impl Endpoint {
    fn user(&self, token: &Secret, user: &str, request: &Request) -> Result<Page, PlatformError> {
        let mut url = self.url(USER, user);
        url.query_pairs_mut()
            .append_pair("user.fields", "public_metrics");
        // A public profile needs no user context: the app's token spares the user's limit.
        let (token, who) = match &self.app_bearer {
            Some(app) => (app, "app"),
            None => (token, user),
        };
        let body = self.get(token, who, &url)?;
        let events = crate::platforms::kit::counters(
            request,
            PlatformId::X,
            user,
            body.pointer("/data/public_metrics"),
            &[
                "followers_count",
                "following_count",
                "tweet_count",
                "listed_count",
                "like_count",
            ],
        );
        Ok(Page {
            events,
            reads: u64::from(body.get("data").is_some()),
            ..Page::default()
        })
    }

    fn followers(
        &self,
        token: &Secret,
        user: &str,
        request: &Request,
    ) -> Result<Page, PlatformError> {
        let fields = [("user.fields", FAN_FIELDS)];
        let url = self.list(FOLLOWERS, user, request, (1, 1000), &fields, false);
        let body = self.get(token, user, &url)?;
        let users = items(&body, "/data");
        Ok(Page {
            fans: users
                .iter()
                .filter_map(|u| fan(u, "follower", request.at))
                .collect(),
            next: meta(&body, "next_token"),
            reads: users.len() as u64,
            ..Page::default()
        })
    }

    fn posts(&self, token: &Secret, user: &str, request: &Request) -> Result<Page, PlatformError> {
        let fields = [("tweet.fields", "id,text,created_at,public_metrics")];
        let url = self.list(TWEETS, user, request, (5, 100), &fields, true);
        let body = self.get(token, user, &url)?;
        let tweets = items(&body, "/data");
        let mut page = Page {
            next: meta(&body, "next_token"),
            newest_id: meta(&body, "newest_id"),
            reads: tweets.len() as u64,
            ..Page::default()
        };
        for tweet in tweets {
            let Some(id) = text(tweet, "id") else {
                continue;
            };
            let metric = |name: &str| {
                tweet
                    .pointer(&format!("/public_metrics/{name}"))
                    .and_then(Json::as_i64)
            };
            let published = time(tweet);
            page.newest = page.newest.max(published);
            page.posts.push(Post {
                platform: PlatformId::X,
                platform_post_id: id.clone(),
                account: Some(request.account.into()),
                caption: text(tweet, "text"),
                url: Some(format!("https://x.com/i/status/{id}")),
                media_type: Some("post".into()),
                published_at: published,
                view_count: metric("impression_count"),
                like_count: metric("like_count"),
                comment_count: metric("reply_count"),
                share_count: metric("retweet_count"),
                metrics_at: Some(request.at),
            });
            if self.insights {
                for name in [
                    "impression_count",
                    "like_count",
                    "reply_count",
                    "retweet_count",
                    "quote_count",
                    "bookmark_count",
                ] {
                    if let Some(value) = metric(name) {
                        page.events
                            .push(request.snapshot(PlatformId::X, "post", &id, name, value));
                    }
                }
            }
        }
        Ok(page)
    }

    fn mentions(
        &self,
        token: &Secret,
        user: &str,
        request: &Request,
    ) -> Result<Page, PlatformError> {
        let fields = [
            (
                "tweet.fields",
                "id,text,created_at,author_id,conversation_id",
            ),
            ("expansions", "author_id"),
            ("user.fields", FAN_FIELDS),
        ];
        let url = self.list(MENTIONS, user, request, (5, 100), &fields, true);
        let (body, mut page) = self.with_users(token, user, &url, request, "mention")?;
        page.newest_id = meta(&body, "newest_id");
        for tweet in items(&body, "/data") {
            let (Some(id), Some(sent_at)) = (text(tweet, "id"), time(tweet)) else {
                continue;
            };
            page.newest = page.newest.max(Some(sent_at));
            page.messages.push(Message {
                fan_platform_user_id: text(tweet, "author_id"),
                body: text(tweet, "text"),
                thread_ref: text(tweet, "conversation_id"),
                post_ref: Some(id.clone()),
                // The sync engine writes the connection's account.
                ..Message::exchanged(PlatformId::X, id, "mention", false, sent_at)
            });
        }
        Ok(page)
    }

    fn dms(&self, token: &Secret, user: &str, request: &Request) -> Result<Page, PlatformError> {
        let fields = [
            ("event_types", "MessageCreate"),
            (
                "dm_event.fields",
                "id,event_type,text,created_at,sender_id,dm_conversation_id,participant_ids",
            ),
            ("expansions", "sender_id,participant_ids"),
            ("user.fields", FAN_FIELDS),
        ];
        let url = self.list(DM_EVENTS, user, request, (1, 100), &fields, false);
        let (body, mut page) = self.with_users(token, user, &url, request, "dm")?;
        let events = items(&body, "/data");
        let mut oldest: Option<DateTime<Utc>> = None;
        for event in events {
            let (Some(id), Some(sent_at)) = (text(event, "id"), time(event)) else {
                continue;
            };
            page.newest = page.newest.max(Some(sent_at));
            oldest = Some(oldest.map_or(sent_at, |o| o.min(sent_at)));
            let sender = text(event, "sender_id");
            let conversation = text(event, "dm_conversation_id");
            let outbound = sender.as_deref() == Some(user);
            // One-to-one conversations are named "<id>-<id>": the other id is the fan's.
            let other = if outbound {
                conversation
                    .as_deref()
                    .and_then(|c| c.split('-').find(|p| *p != user))
                    .map(str::to_string)
            } else {
                sender
            };
            page.messages.push(Message {
                fan_platform_user_id: other,
                body: text(event, "text"),
                thread_ref: conversation,
                // The sync engine writes the connection's account.
                ..Message::exchanged(PlatformId::X, id, "dm", outbound, sent_at)
            });
        }
        page.caught_up = request.reached_synced(oldest);
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_followers_profile_shares_its_links_and_email() {
        // The shape of X's user object with `description`, `url` and `entities`.
        let user = json!({
            "id": "42", "username": "lily_x", "name": "Lily",
            "description": "all my links: https://t.co/AbC and lily@mail.com",
            "url": "https://t.co/XyZ",
            "entities": {
                "url": {"urls": [{"start": 0, "end": 23, "url": "https://t.co/XyZ",
                    "expanded_url": "https://onlyfans.com/lily_fan", "display_url": "onlyfans.com/lily_fan"}]},
                "description": {"urls": [{"start": 15, "end": 38, "url": "https://t.co/AbC",
                    "expanded_url": "https://linktr.ee/lily", "display_url": "linktr.ee/lily"}]}
            }
        });
        let follower = fan(&user, "follower", Utc::now()).unwrap();
        let got: Vec<(&str, &str)> = follower
            .contacts
            .iter()
            .map(|c| (c.kind.as_str(), c.value.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("email", "lily@mail.com"),
                ("profile", "onlyfans:lilyfan"),
                ("link", "linktr.ee/lily"),
            ]
        );
        // A user object without those fields shares nothing.
        let bare = json!({"id": "7", "username": "bo"});
        assert!(
            fan(&bare, "follower", Utc::now())
                .unwrap()
                .contacts
                .is_empty()
        );
    }
}
