//! `insights attribution`: revenue and subscribers traced back to posts through OnlyFans
//! tracking links; also the report's "Revenue attributed to posts and sources" table.
//!
//! A synced post carries a link when its caption or URL holds the link's URL (compared
//! normalised: `platforms::onlyfans::links`). The rules, which the README repeats:
//! - Figures belong to the link. A link carried by several posts is listed once, with every
//!   post that carried it; its revenue is never split between them.
//! - A source platform's total counts each link carried by one of its posts once (two TikTok
//!   videos with the same link count it once for TikTok); a link carried on two platforms
//!   counts fully for each, so platform lines can add up to more than the attributed total,
//!   which counts every link once.
//! - A post's line shows the figures of the links it carried (shared links in full on each).
//! - Revenue of links no post carries is the "unattributed" line: shown, never spread.
//!
//! The period: tracking-link exports are totals per link, or per link and period. Without
//! `--from`/`--to` every link's lifetime row counts (or the sum of its periods when the exports
//! gave periods only); with either, only the periods starting inside the range, and links with
//! none there are counted in `links_without_figures`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::{Context, Report};
use crate::cli::AttributionArgs;
use crate::error::{CliError, CliResult};
use crate::output::{Render, Section, names};
use crate::platforms::onlyfans::links::Matcher;
use crate::store::model::{AttributionQuery, LinkFigures, Post};
use crate::store::{Store, StoreError};

/// A post that carried a link, as a link's line names it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct PostRef {
    pub platform: String,
    pub platform_post_id: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LinkLine {
    pub account: String,
    pub name: Option<String>,
    pub url: String,
    pub clicks: i64,
    pub subscribers: i64,
    pub revenue_cents: i64,
    pub currency: Option<String>,
    /// The source platforms of the posts that carried it (empty: unattributed).
    pub platforms: Vec<String>,
    pub posts: Vec<PostRef>,
}

impl LinkLine {
    /// The posts that carried the link, each as its platform (named by `platform`) and id,
    /// or "unattributed": the cell the table and the report page both show.
    pub fn carried_by(&self, platform: impl Fn(&str) -> &str) -> String {
        let posts: Vec<String> = self
            .posts
            .iter()
            .map(|p| post_label(platform(&p.platform), &p.platform_post_id))
            .collect();
        if posts.is_empty() {
            "unattributed".into()
        } else {
            posts.join(", ")
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub links: i64,
    pub posts: i64,
    pub clicks: i64,
    pub subscribers: i64,
    pub revenue_cents: i64,
}

impl Totals {
    fn add(&mut self, l: &LinkLine) {
        self.links += 1;
        self.clicks += l.clicks;
        self.subscribers += l.subscribers;
        self.revenue_cents += l.revenue_cents;
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PlatformLine {
    pub platform: String,
    #[serde(flatten)]
    pub totals: Totals,
}

#[derive(Debug, Clone, Serialize)]
pub struct PostLine {
    pub platform: String,
    pub platform_post_id: String,
    pub account: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub url: Option<String>,
    pub caption: Option<String>,
    /// The URLs of the links it carried.
    pub links: Vec<String>,
    pub subscribers: i64,
    pub revenue_cents: i64,
}

/// Everything `insights attribution` shows.
#[derive(Debug, Clone, Serialize)]
pub struct Attribution {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// The accounts whose links were read (empty: every account).
    pub accounts: Vec<String>,
    /// The currency of the links' revenue; `None` with `mixed_currencies` when they differ
    /// (sums are then of cents in several currencies, and the notes say so).
    pub currency: Option<String>,
    pub mixed_currencies: bool,
    pub platforms: Vec<PlatformLine>,
    /// Links carried by at least one post, each once.
    pub attributed: Totals,
    /// Links no post carried.
    pub unattributed: Totals,
    /// Every link, each once: `attributed` plus `unattributed`.
    pub total: Totals,
    pub links: Vec<LinkLine>,
    pub posts: Vec<PostLine>,
    /// Links of the accounts with no figures in the period.
    pub links_without_figures: i64,
}

impl Attribution {
    /// Whether any tracking link was read (the report omits its table when none was).
    pub fn has_links(&self) -> bool {
        !self.links.is_empty() || self.links_without_figures > 0
    }
}

/// Posts read per page while looking for the links they carry.
const PAGE: u32 = 1_000;

/// Traces the links of `accounts` (every account's when empty) to the posts that carried them.
pub fn attribute(
    store: &mut dyn Store,
    accounts: &[String],
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Attribution, StoreError> {
    let scopes: Vec<Option<String>> = if accounts.is_empty() {
        vec![None]
    } else {
        accounts.iter().cloned().map(Some).collect()
    };
    let mut figures: Vec<LinkFigures> = Vec::new();
    let mut without = 0;
    for account in &scopes {
        let q = AttributionQuery {
            account: account.clone(),
            since: from,
            until: to,
        };
        let (found, none) = store.link_figures(&q)?;
        figures.extend(found);
        without += none;
    }
    let matcher = Matcher::new(figures.iter().map(|f| f.link_key.clone()).collect());
    // Link key -> the posts that carried it, read a page of candidates at a time.
    let mut carried: BTreeMap<String, Vec<Post>> = BTreeMap::new();
    let mut after = 0;
    loop {
        let page = store.link_posts(matcher.hosts(), after, PAGE)?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let full = page.len() == PAGE as usize;
        for row in page {
            let p = &row.post;
            let mut found: Vec<&str> = Vec::new();
            for text in [p.caption.as_deref(), p.url.as_deref()]
                .into_iter()
                .flatten()
            {
                matcher.carried(text, &mut found);
            }
            for key in found {
                carried
                    .entry(key.to_string())
                    .or_default()
                    .push(row.post.clone());
            }
        }
        if !full {
            break;
        }
    }
    Ok(assemble(figures, &carried, accounts, from, to, without))
}

/// The lines of the view from each link's figures and the posts that carried it (pure).
fn assemble(
    figures: Vec<LinkFigures>,
    carried: &BTreeMap<String, Vec<Post>>,
    accounts: &[String],
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    links_without_figures: i64,
) -> Attribution {
    let mut links = Vec::new();
    let mut platforms: BTreeMap<String, (Totals, BTreeSet<PostRef>)> = BTreeMap::new();
    // (platform, post id) -> its line.
    let mut posts: BTreeMap<(String, String), PostLine> = BTreeMap::new();
    let (mut attributed, mut unattributed, mut total) = Default::default();
    let mut currencies = BTreeSet::new();
    for f in figures {
        let empty = Vec::new();
        let by = carried.get(&f.link_key).unwrap_or(&empty);
        let mut refs: Vec<PostRef> = by
            .iter()
            .map(|p| PostRef {
                platform: p.platform.name().into(),
                platform_post_id: p.platform_post_id.clone(),
                url: p.url.clone(),
            })
            .collect();
        refs.sort();
        refs.dedup();
        let mut on: Vec<String> = refs.iter().map(|r| r.platform.clone()).collect();
        on.dedup();
        if let Some(c) = &f.currency {
            currencies.insert(c.clone());
        }
        let line = LinkLine {
            account: f.account,
            name: f.name,
            url: f.url,
            clicks: f.clicks,
            subscribers: f.subscribers,
            revenue_cents: f.revenue_cents,
            currency: f.currency,
            platforms: on,
            posts: refs,
        };
        Totals::add(&mut total, &line);
        if line.posts.is_empty() {
            Totals::add(&mut unattributed, &line);
        } else {
            Totals::add(&mut attributed, &line);
        }
        for platform in &line.platforms {
            let (totals, seen) = platforms.entry(platform.clone()).or_default();
            totals.add(&line);
            seen.extend(
                line.posts
                    .iter()
                    .filter(|r| &r.platform == platform)
                    .cloned(),
            );
        }
        for p in by {
            let entry = posts
                .entry((p.platform.name().to_string(), p.platform_post_id.clone()))
                .or_insert_with(|| PostLine {
                    platform: p.platform.name().into(),
                    platform_post_id: p.platform_post_id.clone(),
                    account: p.account.clone(),
                    published_at: p.published_at,
                    url: p.url.clone(),
                    caption: p.caption.clone(),
                    links: Vec::new(),
                    subscribers: 0,
                    revenue_cents: 0,
                });
            if !entry.links.contains(&line.url) {
                entry.links.push(line.url.clone());
                entry.subscribers += line.subscribers;
                entry.revenue_cents += line.revenue_cents;
            }
        }
        links.push(line);
    }
    let count_posts = |t: &mut Totals, refs: &BTreeSet<PostRef>| t.posts = refs.len() as i64;
    let all_refs: BTreeSet<PostRef> = links.iter().flat_map(|l| l.posts.clone()).collect();
    count_posts(&mut attributed, &all_refs);
    count_posts(&mut total, &all_refs);
    let mut platforms: Vec<PlatformLine> = platforms
        .into_iter()
        .map(|(platform, (mut totals, refs))| {
            count_posts(&mut totals, &refs);
            PlatformLine { platform, totals }
        })
        .collect();
    platforms.sort_by_key(|p| std::cmp::Reverse(p.totals.revenue_cents));
    links.sort_by(|a, b| {
        b.revenue_cents
            .cmp(&a.revenue_cents)
            .then_with(|| a.url.cmp(&b.url))
    });
    let mut posts: Vec<PostLine> = posts.into_values().collect();
    posts.sort_by_key(|p| std::cmp::Reverse(p.revenue_cents));
    Attribution {
        from,
        to,
        accounts: accounts.to_vec(),
        currency: (currencies.len() == 1)
            .then(|| currencies.pop_first())
            .flatten(),
        mixed_currencies: currencies.len() > 1,
        platforms,
        attributed,
        unattributed,
        total,
        links,
        posts,
        links_without_figures,
    }
}

/// Cents as a decimal amount (`1234` is `12.34`).
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

fn post_label(platform: &str, id: &str) -> String {
    format!("{platform} {id}")
}

impl Attribution {
    /// The lines of the source table: each platform, the unattributed line, the total.
    pub fn source_lines(&self) -> Vec<(String, &Totals)> {
        let mut out: Vec<(String, &Totals)> = self
            .platforms
            .iter()
            .map(|p| (p.platform.clone(), &p.totals))
            .collect();
        out.push(("unattributed".into(), &self.unattributed));
        out.push(("total".into(), &self.total));
        out
    }
}

impl Render for Attribution {
    fn json(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).expect("attribution serializes");
        value["sources"] = json!(
            self.source_lines()
                .iter()
                .map(|(source, t)| {
                    let mut v = serde_json::to_value(t).expect("totals serialize");
                    v["source"] = json!(source);
                    v
                })
                .collect::<Vec<_>>()
        );
        value
    }

    fn sections(&self) -> Vec<Section> {
        let sources = Section {
            title: Some("Revenue by source platform".into()),
            columns: names(&[
                "source",
                "links",
                "posts",
                "clicks",
                "subscribers",
                "revenue",
            ]),
            rows: self
                .source_lines()
                .into_iter()
                .map(|(source, t)| {
                    vec![
                        source,
                        t.links.to_string(),
                        t.posts.to_string(),
                        t.clicks.to_string(),
                        t.subscribers.to_string(),
                        money(t.revenue_cents),
                    ]
                })
                .collect(),
            ..Section::default()
        };
        let links = Section {
            title: Some("Tracking links".into()),
            columns: names(&["link", "url", "clicks", "subscribers", "revenue", "posts"]),
            rows: self
                .links
                .iter()
                .map(|l| {
                    vec![
                        l.name.clone().unwrap_or_default(),
                        l.url.clone(),
                        l.clicks.to_string(),
                        l.subscribers.to_string(),
                        money(l.revenue_cents),
                        l.carried_by(|p| p),
                    ]
                })
                .collect(),
            ..Section::default()
        };
        let mut out = vec![sources, links];
        if !self.posts.is_empty() {
            out.push(Section {
                title: Some("Posts that carried a link".into()),
                columns: names(&[
                    "post",
                    "published_at",
                    "links",
                    "subscribers",
                    "revenue",
                    "caption",
                ]),
                rows: self
                    .posts
                    .iter()
                    .map(|p| {
                        vec![
                            post_label(&p.platform, &p.platform_post_id),
                            p.published_at
                                .map(|t| t.format("%Y-%m-%d").to_string())
                                .unwrap_or_default(),
                            p.links.len().to_string(),
                            p.subscribers.to_string(),
                            money(p.revenue_cents),
                            p.caption
                                .clone()
                                .unwrap_or_default()
                                .chars()
                                .take(50)
                                .collect(),
                        ]
                    })
                    .collect(),
                ..Section::default()
            });
        }
        out
    }

    /// One row per source line, link and post: `line` says which.
    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let columns = names(&[
            "line",
            "source",
            "link",
            "url",
            "post",
            "clicks",
            "subscribers",
            "revenue",
            "currency",
            "posts",
        ]);
        let currency = self.currency.clone().unwrap_or_default();
        let mut rows = Vec::new();
        for (source, t) in self.source_lines() {
            let line = if source == "unattributed" || source == "total" {
                source.clone()
            } else {
                "platform".into()
            };
            rows.push(vec![
                line,
                source,
                String::new(),
                String::new(),
                String::new(),
                t.clicks.to_string(),
                t.subscribers.to_string(),
                money(t.revenue_cents),
                currency.clone(),
                t.posts.to_string(),
            ]);
        }
        for l in &self.links {
            rows.push(vec![
                "link".into(),
                l.platforms.join(" "),
                l.name.clone().unwrap_or_default(),
                l.url.clone(),
                String::new(),
                l.clicks.to_string(),
                l.subscribers.to_string(),
                money(l.revenue_cents),
                l.currency.clone().unwrap_or_default(),
                l.posts.len().to_string(),
            ]);
        }
        for p in &self.posts {
            rows.push(vec![
                "post".into(),
                p.platform.clone(),
                String::new(),
                p.url.clone().unwrap_or_default(),
                p.platform_post_id.clone(),
                String::new(),
                p.subscribers.to_string(),
                money(p.revenue_cents),
                currency.clone(),
                p.links.join(" "),
            ]);
        }
        (columns, rows)
    }
}

pub fn run(ctx: &mut Context, args: AttributionArgs) -> CliResult<Report> {
    if let (Some(from), Some(to)) = (args.from, args.to)
        && from >= to
    {
        return Err(CliError::usage(format!(
            "--from ({}) must be before --to ({})",
            from.to_rfc3339(),
            to.to_rfc3339()
        )));
    }
    let accounts: Vec<String> = args.account.into_iter().collect();
    let store = ctx.store()?;
    let view = attribute(store, &accounts, args.from, args.to)?;
    let mut notes = Vec::new();
    if !view.has_links() {
        notes.push(
            "no tracking links: import your OnlyFans tracking-link statistics with \
             `socialcrm import-csv onlyfans links FILE`"
                .to_string(),
        );
    } else if view.links_without_figures > 0 {
        notes.push(format!(
            "{} tracking link(s) have no statistics for periods starting in this range \
             (lifetime totals count only without --from/--to)",
            view.links_without_figures
        ));
    }
    if view.mixed_currencies {
        notes.push(
            "the links' revenue is in several currencies: totals add them as they are".into(),
        );
    }
    let mut report = Report::data(view);
    report.notes = notes;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(key: &str, subscribers: i64, cents: i64) -> LinkFigures {
        LinkFigures {
            account: "ava".into(),
            link_key: key.into(),
            name: None,
            url: format!("https://{key}"),
            clicks: 10,
            subscribers,
            revenue_cents: cents,
            currency: Some("USD".into()),
        }
    }

    fn post(platform: &str, id: &str) -> Post {
        Post {
            platform: platform.parse().unwrap(),
            platform_post_id: id.into(),
            account: Some("ava".into()),
            caption: None,
            url: None,
            media_type: None,
            published_at: None,
            view_count: None,
            like_count: None,
            comment_count: None,
            share_count: None,
            metrics_at: None,
        }
    }

    #[test]
    fn a_link_counts_once_per_platform_and_once_in_the_total() {
        let mut carried = BTreeMap::new();
        let key = |k: &str| k.to_string();
        // a: two TikTok videos and one X post; b: one TikTok video; c: no post.
        carried.insert(
            key("of.com/a"),
            vec![post("tiktok", "1"), post("tiktok", "2"), post("x", "9")],
        );
        carried.insert(key("of.com/b"), vec![post("tiktok", "2")]);
        let view = assemble(
            vec![
                figures("of.com/a", 3, 10_000),
                figures("of.com/b", 1, 500),
                figures("of.com/c", 2, 70),
            ],
            &carried,
            &[],
            None,
            None,
            0,
        );
        let tiktok = &view.platforms[0];
        assert_eq!(tiktok.platform, "tiktok");
        assert_eq!(
            (
                tiktok.totals.links,
                tiktok.totals.posts,
                tiktok.totals.revenue_cents
            ),
            (2, 2, 10_500)
        );
        assert_eq!(
            view.platforms[1].totals.revenue_cents, 10_000,
            "x counts link a fully"
        );
        assert_eq!(
            (view.attributed.links, view.attributed.revenue_cents),
            (2, 10_500)
        );
        assert_eq!(
            (view.unattributed.links, view.unattributed.revenue_cents),
            (1, 70)
        );
        assert_eq!(
            (view.total.revenue_cents, view.total.subscribers),
            (10_570, 6)
        );
        let shared = view
            .posts
            .iter()
            .find(|p| p.platform_post_id == "2")
            .unwrap();
        assert_eq!((shared.links.len(), shared.revenue_cents), (2, 10_500));
        assert_eq!(money(-1234), "-12.34");
        assert_eq!(money(5), "0.05");
    }
}
