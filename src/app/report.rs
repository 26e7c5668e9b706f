//! `report`: one self-contained HTML page per run, per account and for the agency when several.
//!
//! The numbers are gathered first into [`ReportData`] (what `-o json` prints), every figure from
//! the same database aggregates `insights` reads (`Store::metric_summaries`,
//! `Store::metric_series`), so the page and `insights` agree for the same period; the page is
//! then drawn from that data by `crate::report`. Memory stays flat: the store returns one row
//! per metric (per day for curves), never the events.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::attribution::Attribution;
use super::{Body, Context, Report};
use crate::cli::ReportArgs;
use crate::error::{CliError, CliResult};
use crate::output::{Render, Section as TextSection, names};
use crate::report::{
    Aggregation, Bar, BarChart, Block, Cell, FigureCard, LineChart, Page, Section, Series,
    StackedBars, Table,
};
use crate::store::Store;
use crate::store::model::{
    Bucket, BuiltinSegment, ConnectionRow, EventQuery, FanQuery, FanSort, MetricSummary, Post,
    PostQuery, PostRank, StreamHealth,
};
use crate::vocab::PlatformId;

/// Where each platform keeps its follower count: (platform, subject type, metric).
pub const FOLLOWERS: [(&str, &str, &str); 4] = [
    ("tiktok", "account", "follower_count"),
    ("instagram", "account", "followers_count"),
    ("x", "account", "followers_count"),
    ("reddit", "account", "followers"),
];

/// How a platform's views are read. A level (the summed views of the synced posts at each
/// sync) counts its change over the period; Instagram's account `views` is one value per day,
/// so the period counts their sum.
pub const VIEWS: [(&str, &str, &str, Reading); 3] = [
    ("tiktok", "post", "view_count", Reading::Change),
    ("instagram", "account", "views", Reading::Sum),
    ("x", "post", "impression_count", Reading::Change),
];

/// The post metrics that count as engagement (likes, comments, shares), each read as the
/// change of its level over the period.
pub const ENGAGEMENT: [(&str, &str); 12] = [
    ("tiktok", "like_count"),
    ("tiktok", "comment_count"),
    ("tiktok", "share_count"),
    ("instagram", "like_count"),
    ("instagram", "comments_count"),
    ("x", "like_count"),
    ("x", "reply_count"),
    ("x", "retweet_count"),
    ("x", "quote_count"),
    ("reddit", "score"),
    ("reddit", "num_comments"),
    ("reddit", "num_crossposts"),
];

/// OnlyFans payments by channel: the `gross_<type>` metrics of an earnings import.
pub const CHANNELS: [(&str, &[&str]); 4] = [
    ("Subscriptions", &["gross_subscription"]),
    ("Tips", &["gross_tip"]),
    ("Messages/PPV", &["gross_message"]),
    (
        "Other",
        &[
            "gross_stream",
            "gross_referral",
            "gross_post",
            "gross_other",
            "gross_refund",
            "gross_chargeback",
        ],
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    /// last - first of a level.
    Change,
    /// The sum of the values at each instant.
    Sum,
}

/// The name shown for the events and posts that carry no account (CSV imports).
const IMPORTS: &str = "OnlyFans imports";

fn platform_label(p: &str) -> &str {
    match p {
        "tiktok" => "TikTok",
        "instagram" => "Instagram",
        "x" => "X",
        "reddit" => "Reddit",
        "onlyfans" => "OnlyFans",
        other => other,
    }
}

fn account_label(a: &str) -> &str {
    if a.is_empty() { IMPORTS } else { a }
}

/// A headline figure: the period's value and the previous period's.
#[derive(Debug, Clone, Serialize)]
struct Figure {
    /// A stable name: `followers.tiktok`, `views`, `engagement`, `new_fans`, `revenue`.
    key: String,
    label: String,
    value: Option<f64>,
    previous: Option<f64>,
    unit: String,
    /// Why there is no value, when there is none.
    #[serde(skip_serializing_if = "String::is_empty")]
    note: String,
}

impl Figure {
    /// A figure counted in no unit (followers, views, fans): its value now and in the previous
    /// period, and what its card says when it has none.
    fn count(
        key: String,
        label: &str,
        (value, previous): (Option<f64>, Option<f64>),
        note: &str,
    ) -> Figure {
        Figure {
            key,
            label: label.into(),
            value,
            previous,
            unit: String::new(),
            note: note.into(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
struct DayValue {
    day: NaiveDate,
    value: f64,
}

#[derive(Debug, Clone, Serialize)]
struct Curve {
    platform: String,
    metric: String,
    points: Vec<DayValue>,
}

#[derive(Debug, Clone, Serialize)]
struct TopPost {
    platform: String,
    account: Option<String>,
    caption: Option<String>,
    url: Option<String>,
    published_at: Option<DateTime<Utc>>,
    views: Option<i64>,
    likes: Option<i64>,
    comments: Option<i64>,
    shares: Option<i64>,
    /// (likes + comments + shares) / views.
    engagement_rate: Option<f64>,
}

impl TopPost {
    fn from_post(p: Post) -> TopPost {
        let engaged =
            p.like_count.unwrap_or(0) + p.comment_count.unwrap_or(0) + p.share_count.unwrap_or(0);
        TopPost {
            engagement_rate: p
                .view_count
                .filter(|v| *v > 0)
                .map(|v| engaged as f64 / v as f64),
            platform: p.platform.to_string(),
            account: p.account,
            caption: p.caption,
            url: p.url,
            published_at: p.published_at,
            views: p.view_count,
            likes: p.like_count,
            comments: p.comment_count,
            shares: p.share_count,
        }
    }

    fn label(&self) -> String {
        let caption: String = self
            .caption
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .unwrap_or("(no caption)")
            .chars()
            .take(80)
            .collect();
        format!("{} · {caption}", platform_label(&self.platform))
    }
}

#[derive(Debug, Clone, Serialize)]
struct WeekRevenue {
    week: NaiveDate,
    subscriptions: f64,
    tips: f64,
    messages: f64,
    other: f64,
}

#[derive(Debug, Clone, Serialize)]
struct TopFan {
    platform: String,
    account: String,
    username: Option<String>,
    display_name: Option<String>,
    status: Option<String>,
    spent: f64,
    currency: Option<String>,
    last_seen_at: Option<DateTime<Utc>>,
}

/// A built-in segment's size now (segments are judged against today, not the period).
#[derive(Debug, Clone, Serialize)]
struct SegmentCount {
    name: &'static str,
    definition: &'static str,
    fans: i64,
}

/// One account, or the agency (every account of the report together).
#[derive(Debug, Clone, Serialize)]
struct Scope {
    name: String,
    accounts: Vec<String>,
    figures: Vec<Figure>,
    followers: Vec<Curve>,
    views: Vec<Curve>,
    top_posts_by_views: Vec<TopPost>,
    top_posts_by_engagement: Vec<TopPost>,
    revenue_by_week: Vec<WeekRevenue>,
    #[serde(skip)]
    revenue_days: Vec<Series>,
    top_fans: Vec<TopFan>,
    /// The built-in segments' live counts, summed over the scope's accounts (each account
    /// judged on its own, as `segments list` does).
    segments: Vec<SegmentCount>,
    /// Revenue traced to posts through the scope's tracking links, over the periods starting
    /// in the report's (`insights attribution --from --to`); absent when the scope has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    attribution: Option<Attribution>,
}

#[derive(Debug, Clone, Serialize)]
struct ConnectionHealth {
    platform: String,
    account: String,
    status: String,
    last_successful_sync: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
struct StoppedMetric {
    platform: String,
    account_scope: String,
    subject_type: String,
    metric: String,
    last_seen: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
struct Health {
    connections: Vec<ConnectionHealth>,
    /// Streams whose latest run did not succeed (skipped, deferred, failed, ...).
    streams: Vec<StreamHealth>,
    stopped_metrics: Vec<StoppedMetric>,
}

#[derive(Debug, Clone, Serialize)]
struct ReportData {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    previous_from: DateTime<Utc>,
    generated_at: DateTime<Utc>,
    scopes: Vec<Scope>,
    health: Health,
    /// Where the page was written (None: not written, or to standard output).
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
}

impl Render for ReportData {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("report data serializes")
    }

    fn sections(&self) -> Vec<TextSection> {
        let (columns, rows) = self.csv();
        vec![TextSection {
            title: Some(format!(
                "Report {} to {}",
                self.from.format("%Y-%m-%d"),
                last_day(self.to).format("%Y-%m-%d")
            )),
            columns,
            rows,
            ..TextSection::default()
        }]
    }

    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let columns = names(&["scope", "figure", "value", "previous", "unit"]);
        let n = |v: Option<f64>| v.map(crate::report::format::value).unwrap_or_default();
        let rows = self
            .scopes
            .iter()
            .flat_map(|s| {
                s.figures.iter().map(move |f| {
                    vec![
                        s.name.clone(),
                        f.label.clone(),
                        n(f.value),
                        n(f.previous),
                        f.unit.clone(),
                    ]
                })
            })
            .collect();
        (columns, rows)
    }
}

/// The last day a period ending (excluded) at `to` covers.
fn last_day(to: DateTime<Utc>) -> NaiveDate {
    (to - Duration::microseconds(1)).date_naive()
}

pub fn run(ctx: &mut Context, args: ReportArgs) -> CliResult<Report> {
    let to = args.to.unwrap_or_else(crate::clock::now);
    let from = args.from.unwrap_or(to - Duration::days(30));
    if from >= to {
        return Err(CliError::usage(format!(
            "--from ({}) must be before --to ({})",
            from.to_rfc3339(),
            to.to_rfc3339()
        ))
        .with_hint("for example `--from 2026-11-01 --to 2026-12-01`"));
    }
    let json = ctx.config.output == crate::output::Format::Json;
    let to_stdout = args.out.as_deref() == Some(Path::new("-"));
    if to_stdout && json {
        return Err(CliError::usage(
            "--out - and --output json would both write to standard output",
        )
        .with_hint("write the page to a file (--out FILE.html), or drop one of them"));
    }
    let store = ctx.store()?;
    let connections = store.list_connections()?;
    let accounts = accounts_of(store, &connections, &args.accounts, from, to)?;
    let mut data = gather(store, &connections, &accounts, from, to, args.top)?;

    let path = match &args.out {
        Some(_) if to_stdout => None,
        Some(p) => Some(p.clone()),
        // -o json prints the data; the page is written only when asked for.
        None if json => None,
        None => Some(default_path(&accounts, args.accounts.is_empty(), from, to)),
    };
    let mut notes = Vec::new();
    if let Some(path) = &path {
        data.file = Some(path.display().to_string());
    }
    let html = page(&data).render();
    if to_stdout {
        return Ok(Report {
            body: Body::Raw(html.into_bytes()),
            notes,
            exit: crate::error::ExitCode::Success,
        });
    }
    if let Some(path) = &path {
        write_page(path, &html)?;
        notes.push(format!(
            "wrote {} ({} KB, {} account(s), {} to {})",
            path.display(),
            html.len().div_ceil(1024),
            accounts.len(),
            from.format("%Y-%m-%d"),
            last_day(to).format("%Y-%m-%d")
        ));
        if args.open {
            notes.push(open_page(path, ctx.config.browser.as_deref()));
        }
    } else if args.open {
        notes.push("nothing to open: no page was written (add --out FILE.html)".into());
    }
    let mut report = Report::data(data);
    report.notes = notes;
    Ok(report)
}

/// The accounts the report covers: those asked for (each must be known), or every account of
/// the CRM, with the CSV imports' empty account when they hold data in the period.
fn accounts_of(
    store: &mut dyn Store,
    connections: &[ConnectionRow],
    asked: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> CliResult<Vec<String>> {
    let mut known: Vec<String> = connections
        .iter()
        .map(|c| c.connection.account.clone())
        .collect();
    known.sort();
    known.dedup();
    if !asked.is_empty() {
        let mut out = Vec::new();
        for a in asked {
            let has_data = known.contains(a) || {
                let q = EventQuery {
                    accounts: vec![a.clone()],
                    since: Some(from),
                    until: Some(to),
                    ..EventQuery::default()
                };
                !store.metric_summaries(&q)?.is_empty()
            };
            if !has_data {
                return Err(CliError::failure(format!(
                    "no account named '{a}' is connected or has data in this period"
                ))
                .with_hint("`socialcrm accounts` lists the connected accounts"));
            }
            if !out.contains(a) {
                out.push(a.clone());
            }
        }
        return Ok(out);
    }
    let imports = EventQuery {
        accounts: vec![String::new()],
        since: Some(from - (to - from)),
        until: Some(to),
        ..EventQuery::default()
    };
    // Imports belong to an account (`import-csv --account`, `default` when none is given) that
    // may have no connection; events with no account at all are shown as their own.
    known.extend(store.fan_accounts(PlatformId::Onlyfans)?);
    if !store.metric_summaries(&imports)?.is_empty() {
        known.push(String::new());
    }
    known.sort();
    known.dedup();
    Ok(known)
}

/// `socialcrm-report-<account>-<from>-<to>.html`: the account, the accounts joined by `+` (up to
/// three), or `agency`.
fn default_path(accounts: &[String], all: bool, from: DateTime<Utc>, to: DateTime<Utc>) -> PathBuf {
    let who = match accounts {
        [one] => file_safe(account_label(one)),
        several if !all && several.len() <= 3 => several
            .iter()
            .map(|a| file_safe(account_label(a)))
            .collect::<Vec<_>>()
            .join("+"),
        _ => "agency".to_string(),
    };
    PathBuf::from(format!(
        "socialcrm-report-{who}-{}-{}.html",
        from.format("%Y-%m-%d"),
        last_day(to).format("%Y-%m-%d")
    ))
}

/// A name as it may appear in a file name: letters, digits, `-`, `_` and `.`; the rest `_`.
fn file_safe(name: &str) -> String {
    let out: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    out.trim_start_matches('.').to_string()
}

fn write_page(path: &Path, html: &str) -> CliResult<()> {
    let before = crate::fsutil::ensure_regular_or_absent(path, "report").map_err(|e| {
        CliError::failure(e.to_string()).with_hint("name a file with --out FILE.html")
    })?;
    std::fs::write(path, html)
        .map_err(|e| CliError::failure(format!("cannot write {}: {e}", path.display())))?;
    // The page names fans and their spend: owner-only, like everything socialcrm creates.
    crate::fsutil::restrict_created(path, before)
        .map_err(|e| CliError::failure(format!("cannot restrict {}: {e}", path.display())))?;
    Ok(())
}

/// Starts the browser on the page, as `connect` does; the line says what happened.
fn open_page(path: &Path, browser: Option<&str>) -> String {
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let url = format!("file://{}", absolute.display());
    match crate::auth::browser::open(&url, browser) {
        Some(launched) => format!("opened it with {}", launched.command),
        None => format!("could not start a browser: open {url} yourself"),
    }
}

/// Everything the page shows.
fn gather(
    store: &mut dyn Store,
    connections: &[ConnectionRow],
    accounts: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    top: u32,
) -> CliResult<ReportData> {
    let previous_from = from - (to - from);
    let mut scopes = Vec::new();
    if accounts.len() > 1 {
        let name = format!("Agency ({} accounts)", accounts.len());
        let connected = !connections.is_empty();
        scopes.push(scope(store, name, accounts, connected, from, to, top)?);
    }
    for a in accounts {
        let one = std::slice::from_ref(a);
        let connected = connections.iter().any(|c| &c.connection.account == a);
        let name = account_label(a).to_string();
        scopes.push(scope(store, name, one, connected, from, to, top)?);
    }
    let health = health(store, connections, accounts, previous_from, to)?;
    Ok(ReportData {
        from,
        to,
        previous_from,
        generated_at: crate::clock::now(),
        scopes,
        health,
        file: None,
    })
}

fn period(accounts: &[String], since: DateTime<Utc>, until: DateTime<Utc>) -> EventQuery {
    EventQuery {
        accounts: accounts.to_vec(),
        since: Some(since),
        until: Some(until),
        ..EventQuery::default()
    }
}

fn find<'a>(
    summaries: &'a [MetricSummary],
    platform: &str,
    subject: &str,
    metric: &str,
) -> Option<&'a MetricSummary> {
    summaries
        .iter()
        .find(|m| m.platform.name() == platform && m.subject_type == subject && m.metric == metric)
}

/// The figure `read` gives over `summaries`, summed over `keys`; None when none has data.
fn total<'a>(
    summaries: &[MetricSummary],
    keys: impl Iterator<Item = (&'a str, &'a str, &'a str, Reading)>,
) -> Option<f64> {
    let mut out = None;
    for (platform, subject, metric, reading) in keys {
        if let Some(m) = find(summaries, platform, subject, metric) {
            let v = match reading {
                Reading::Change => m.last - m.first,
                Reading::Sum => m.sum,
            };
            *out.get_or_insert(0.0) += v;
        }
    }
    out
}

fn revenue(summaries: &[MetricSummary]) -> Option<f64> {
    let metrics = CHANNELS.iter().flat_map(|(_, ms)| ms.iter());
    total(
        summaries,
        metrics.map(|m| ("onlyfans", "transaction", *m, Reading::Sum)),
    )
}

#[allow(clippy::too_many_arguments)]
fn scope(
    store: &mut dyn Store,
    name: String,
    accounts: &[String],
    connected: bool,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    top: u32,
) -> CliResult<Scope> {
    let previous_from = from - (to - from);
    let now = store.metric_summaries(&period(accounts, from, to))?;
    let before = store.metric_summaries(&period(accounts, previous_from, from))?;
    let mut figures = Vec::new();
    for (platform, subject, metric) in FOLLOWERS {
        let value = find(&now, platform, subject, metric).map(|m| m.last);
        let previous = find(&before, platform, subject, metric).map(|m| m.last);
        if value.is_none() && previous.is_none() {
            continue;
        }
        figures.push(Figure::count(
            format!("followers.{platform}"),
            &format!("{} followers", platform_label(platform)),
            (value, previous),
            "No follower count in this period: see Data health.",
        ));
    }
    let views = |s: &[MetricSummary]| total(s, VIEWS.iter().copied());
    let engagement = |s: &[MetricSummary]| {
        total(
            s,
            ENGAGEMENT
                .iter()
                .map(|(p, m)| (*p, "post", *m, Reading::Change)),
        )
    };
    // Views and engagement come from connected platforms: an account with none (OnlyFans
    // imports) has no such cards rather than two that say "no data".
    let social = connected || views(&now).is_some() || engagement(&now).is_some();
    if social {
        figures.push(Figure::count(
            "views".into(),
            "Views",
            (views(&now), views(&before)),
            "No view counts synced in this period.",
        ));
        figures.push(Figure::count(
            "engagement".into(),
            "Engagement",
            (engagement(&now), engagement(&before)),
            "No likes, comments or shares synced in this period.",
        ));
    }
    let mut new_fans = |since, until| -> CliResult<Option<f64>> {
        Ok(Some(store.count_new_fans(accounts, since, until)? as f64))
    };
    figures.push(Figure::count(
        "new_fans".into(),
        "New fans",
        (new_fans(from, to)?, new_fans(previous_from, from)?),
        "",
    ));
    let (rev_now, rev_before) = (revenue(&now), revenue(&before));
    if rev_now.is_some() || rev_before.is_some() {
        figures.push(Figure {
            key: "revenue".into(),
            label: "Revenue (gross)".into(),
            value: Some(rev_now.unwrap_or(0.0)),
            previous: Some(rev_before.unwrap_or(0.0)),
            unit: currency(&now).unwrap_or_else(|| "USD".into()),
            note: String::new(),
        });
    }

    let days = store.metric_series(&period(accounts, from, to), Bucket::Day)?;
    let curve = |platform: &str, subject: &str, metric: &str| Curve {
        platform: platform.into(),
        metric: metric.into(),
        points: days
            .iter()
            .filter(|p| {
                p.platform.name() == platform && p.subject_type == subject && p.metric == metric
            })
            .map(|p| DayValue {
                day: p.bucket,
                value: p.value,
            })
            .collect(),
    };
    let followers: Vec<Curve> = FOLLOWERS
        .iter()
        .map(|(p, s, m)| curve(p, s, m))
        .filter(|c| !c.points.is_empty())
        .collect();
    let view_curves: Vec<Curve> = VIEWS
        .iter()
        .map(|(p, s, m, _)| curve(p, s, m))
        .filter(|c| !c.points.is_empty())
        .collect();

    let mut revenue_days = Vec::new();
    for (label, metrics) in CHANNELS {
        let mut by_day: BTreeMap<NaiveDate, f64> = BTreeMap::new();
        for p in days.iter().filter(|p| {
            p.platform == PlatformId::Onlyfans
                && p.subject_type == "transaction"
                && metrics.contains(&p.metric.as_str())
        }) {
            *by_day.entry(p.bucket).or_insert(0.0) += p.value;
        }
        revenue_days.push(Series {
            name: label.into(),
            points: by_day.into_iter().collect(),
        });
    }
    let mut weeks: BTreeMap<NaiveDate, [f64; 4]> = BTreeMap::new();
    for (i, s) in revenue_days.iter().enumerate() {
        for (d, v) in &s.points {
            let monday = *d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
            weeks.entry(monday).or_insert([0.0; 4])[i] += v;
        }
    }
    let revenue_by_week = weeks
        .into_iter()
        .map(|(week, v)| WeekRevenue {
            week,
            subscriptions: v[0],
            tips: v[1],
            messages: v[2],
            other: v[3],
        })
        .collect();

    let posts = |store: &mut dyn Store, rank| -> CliResult<Vec<TopPost>> {
        Ok(store
            .top_posts(&PostQuery {
                platform: None,
                accounts: accounts.to_vec(),
                since: Some(from),
                until: Some(to),
                limit: top,
                rank,
            })?
            .into_iter()
            .map(TopPost::from_post)
            .collect())
    };
    let top_posts_by_views = posts(store, PostRank::Views)?;
    let top_posts_by_engagement = posts(store, PostRank::EngagementRate)?;
    // Each account's top spenders from the spend index, merged: the agency's top fans.
    let mut top_fans = Vec::new();
    for a in accounts {
        let fans = store.list_fans(&FanQuery {
            page: crate::store::model::Page {
                limit: top,
                after: None,
            },
            account: Some(a.clone()),
            min_spend_cents: Some(1),
            sort: Some(FanSort::Spend),
            desc: true,
            ..FanQuery::default()
        })?;
        top_fans.extend(fans.into_iter().map(|f| TopFan {
            platform: f.fan.platform.to_string(),
            account: f.fan.account,
            username: f.fan.username,
            display_name: f.fan.display_name,
            status: f.fan.status,
            spent: f.fan.lifetime_spend_cents.unwrap_or(0) as f64 / 100.0,
            currency: f.fan.currency,
            last_seen_at: f.fan.last_seen_at,
        }));
    }
    top_fans.sort_by(|a, b| b.spent.total_cmp(&a.spent));
    top_fans.truncate(top as usize);
    let mut segments = Vec::new();
    for builtin in BuiltinSegment::ALL {
        let mut fans = 0;
        for a in accounts {
            fans += store.count_fans(&FanQuery {
                account: Some(a.clone()),
                builtin: Some(builtin),
                ..FanQuery::default()
            })?;
        }
        segments.push(SegmentCount {
            name: builtin.name(),
            definition: builtin.describe().trim_start_matches("built in: "),
            fans,
        });
    }
    let attribution = super::attribution::attribute(store, accounts, Some(from), Some(to))?;
    Ok(Scope {
        attribution: attribution.has_links().then_some(attribution),
        name,
        accounts: accounts.to_vec(),
        figures,
        followers,
        views: view_curves,
        top_posts_by_views,
        top_posts_by_engagement,
        revenue_by_week,
        revenue_days,
        top_fans,
        segments,
    })
}

/// The currency the period's OnlyFans payments are in (the unit their events carry).
fn currency(summaries: &[MetricSummary]) -> Option<String> {
    summaries
        .iter()
        .filter(|m| m.platform == PlatformId::Onlyfans && m.metric.starts_with("gross_"))
        .find_map(|m| m.unit.clone())
}

fn health(
    store: &mut dyn Store,
    connections: &[ConnectionRow],
    accounts: &[String],
    previous_from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> CliResult<Health> {
    let streams_all = store.stream_health()?;
    let in_scope = |a: &str| accounts.iter().any(|x| x == a);
    let connections: Vec<ConnectionHealth> = connections
        .iter()
        .filter(|c| in_scope(&c.connection.account))
        .map(|c| {
            let last_success = streams_all
                .iter()
                .filter(|s| {
                    s.platform == c.connection.platform && s.account == c.connection.account
                })
                .filter_map(|s| s.last_success_at)
                .max()
                .or(c.connection.last_sync_at);
            ConnectionHealth {
                platform: c.connection.platform.to_string(),
                account: c.connection.account.clone(),
                status: c.connection.status.as_str().to_string(),
                last_successful_sync: last_success,
            }
        })
        .collect();
    let streams = streams_all
        .into_iter()
        .filter(|s| in_scope(&s.account) && s.status != "succeeded")
        .collect();
    // A metric whose last point is more than two days older than its platform's latest point
    // (over this period and the previous one) stopped being offered or synced.
    let mut stopped_metrics = Vec::new();
    for a in accounts {
        let all = store.metric_summaries(&period(std::slice::from_ref(a), previous_from, to))?;
        let mut latest: BTreeMap<&str, DateTime<Utc>> = BTreeMap::new();
        for m in all.iter().filter(|m| !m.flow) {
            let e = latest.entry(m.platform.name()).or_insert(m.last_at);
            *e = (*e).max(m.last_at);
        }
        for m in all.iter().filter(|m| !m.flow) {
            if latest[m.platform.name()] - m.last_at > Duration::days(2) {
                stopped_metrics.push(StoppedMetric {
                    platform: m.platform.to_string(),
                    account_scope: account_label(a).to_string(),
                    subject_type: m.subject_type.clone(),
                    metric: m.metric.clone(),
                    last_seen: m.last_at,
                });
            }
        }
    }
    Ok(Health {
        connections,
        streams,
        stopped_metrics,
    })
}

fn day_label(d: DateTime<Utc>) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn curves(curves: &[Curve]) -> Vec<Series> {
    curves
        .iter()
        .map(|c| Series {
            name: platform_label(&c.platform).to_string(),
            points: c.points.iter().map(|p| (p.day, p.value)).collect(),
        })
        .collect()
}

fn post_table(title: &str, posts: &[TopPost]) -> Block {
    let n = |v: Option<i64>| v.map_or(Cell::Empty, |v| Cell::Number(v as f64));
    Block::Table(Table {
        title: title.into(),
        empty_note: "No post was published in this period.".into(),
        headers: names(&[
            "Post",
            "Platform",
            "Published",
            "Views",
            "Likes",
            "Comments",
            "Shares",
            "Engagement rate (%)",
        ]),
        rows: posts
            .iter()
            .map(|p| {
                let caption = p.label();
                vec![
                    match &p.url {
                        Some(url) => Cell::Link {
                            text: caption,
                            url: url.clone(),
                        },
                        None => Cell::Text(caption),
                    },
                    Cell::Text(platform_label(&p.platform).into()),
                    Cell::Text(p.published_at.map(day_label).unwrap_or_default()),
                    n(p.views),
                    n(p.likes),
                    n(p.comments),
                    n(p.shares),
                    p.engagement_rate.map_or(Cell::Empty, |r| {
                        Cell::Number((r * 10_000.0).round() / 100.0)
                    }),
                ]
            })
            .collect(),
    })
}

/// The page, drawn from the data alone.
/// "Revenue attributed to posts and sources": the source lines (each platform, unattributed,
/// total) and each link with the posts that carried it, as `insights attribution` counts them.
fn attribution_tables(a: &Attribution) -> Vec<Block> {
    let revenue = |cents: i64| Cell::Number(cents as f64 / 100.0);
    let sources = Table {
        title: "Revenue attributed to posts and sources".into(),
        empty_note: String::new(),
        headers: names(&["Source", "Links", "Posts", "Subscribers", "Revenue"]),
        rows: a
            .source_lines()
            .into_iter()
            .map(|(source, t)| {
                let label = match source.as_str() {
                    "unattributed" => "Unattributed (no post carried the link)".to_string(),
                    "total" => "Total (each link once)".to_string(),
                    p => platform_label(p).to_string(),
                };
                vec![
                    Cell::Text(label),
                    Cell::Number(t.links as f64),
                    Cell::Number(t.posts as f64),
                    Cell::Number(t.subscribers as f64),
                    revenue(t.revenue_cents),
                ]
            })
            .collect(),
    };
    let links = Table {
        title: "Tracking links and the posts that carried them".into(),
        empty_note: "No tracking link has statistics for a period starting in this one.".into(),
        headers: names(&["Link", "URL", "Subscribers", "Revenue", "Posts"]),
        rows: a
            .links
            .iter()
            .map(|l| {
                vec![
                    Cell::Text(l.name.clone().unwrap_or_default()),
                    Cell::Text(l.url.clone()),
                    Cell::Number(l.subscribers as f64),
                    revenue(l.revenue_cents),
                    Cell::Text(l.carried_by(platform_label)),
                ]
            })
            .collect(),
    };
    vec![Block::Table(sources), Block::Table(links)]
}

fn page(data: &ReportData) -> Page {
    let mut sections = Vec::new();
    for s in &data.scopes {
        let cards = s
            .figures
            .iter()
            .map(|f| FigureCard {
                label: f.label.clone(),
                value: f.value,
                previous: f.previous,
                unit: f.unit.clone(),
                missing_note: f.note.clone(),
            })
            .collect();
        let mut overview = vec![Block::Figures(cards)];
        if s.followers.is_empty() {
            overview.push(Block::Gap {
                title: "Followers per platform".into(),
                reason: "No follower counts in this period: the accounts were not synced (see Data health).".into(),
            });
        } else {
            overview.push(Block::Line(LineChart {
                title: "Followers per platform".into(),
                y_label: "Followers".into(),
                x_label: "Date".into(),
                aggregation: Aggregation::Mean,
                series: curves(&s.followers),
            }));
        }
        if s.views.is_empty() {
            overview.push(Block::Gap {
                title: "Views per platform".into(),
                reason: "No view counts in this period.".into(),
            });
        }
        for c in &s.views {
            let what = match c.metric.as_str() {
                "views" => "views per day",
                _ => "total views of the synced posts",
            };
            overview.push(Block::Line(LineChart {
                title: format!("{} {what}", platform_label(&c.platform)),
                y_label: "Views".into(),
                x_label: "Date".into(),
                aggregation: Aggregation::Mean,
                series: curves(std::slice::from_ref(c)),
            }));
        }
        sections.push(Section {
            title: format!("{} · Overview", s.name),
            intro: format!(
                "Changes are against the previous {} days ({} to {}).",
                (data.to - data.from).num_days().max(1),
                day_label(data.previous_from),
                last_day(data.from)
            ),
            blocks: overview,
        });

        let bars = |posts: &[TopPost], value: fn(&TopPost) -> f64| {
            posts
                .iter()
                .map(|p| Bar {
                    label: p.label(),
                    value: value(p),
                    link: p.url.clone(),
                })
                .collect()
        };
        let mut content = Vec::new();
        if s.top_posts_by_views.is_empty() {
            content.push(Block::Gap {
                title: "Top posts".into(),
                reason: "No post was published in this period.".into(),
            });
        } else {
            content.push(Block::Bars(BarChart {
                title: "Top posts by views".into(),
                value_label: "Views".into(),
                category_label: "Post".into(),
                bars: bars(&s.top_posts_by_views, |p| p.views.unwrap_or(0) as f64),
            }));
            content.push(post_table(
                "Top posts by views: metrics",
                &s.top_posts_by_views,
            ));
            if s.top_posts_by_engagement.is_empty() {
                content.push(Block::Gap {
                    title: "Top posts by engagement rate".into(),
                    reason: format!(
                        "No post of this period has {} views or more.",
                        crate::store::model::ENGAGEMENT_MIN_VIEWS
                    ),
                });
            } else {
                content.push(Block::Bars(BarChart {
                    title: "Top posts by engagement rate".into(),
                    value_label: "Engagement rate (%)".into(),
                    category_label: "Post".into(),
                    bars: bars(&s.top_posts_by_engagement, |p| {
                        (p.engagement_rate.unwrap_or(0.0) * 10_000.0).round() / 100.0
                    }),
                }));
                content.push(post_table(
                    "Top posts by engagement rate: metrics",
                    &s.top_posts_by_engagement,
                ));
            }
        }
        sections.push(Section {
            title: format!("{} · Content", s.name),
            intro: "Posts published in the period, with their latest synced metrics.".into(),
            blocks: content,
        });

        let mut money = Vec::new();
        if s.revenue_by_week.is_empty() {
            money.push(Block::Gap {
                title: "Revenue by channel per week".into(),
                reason: "No OnlyFans earnings in this period: import a statement with `socialcrm import-csv onlyfans earnings FILE`.".into(),
            });
        } else {
            money.push(Block::Stacked(StackedBars {
                title: "Revenue by channel per week".into(),
                y_label: "Revenue (gross)".into(),
                channels: s.revenue_days.clone(),
            }));
        }
        {
            let fans = &s.top_fans;
            money.push(Block::Table(Table {
                title: "Top fans by spend".into(),
                empty_note: "No fan has a recorded spend: import the fans or earnings exports."
                    .into(),
                headers: names(&[
                    "Fan",
                    "Account",
                    "Platform",
                    "Status",
                    "Spent",
                    "Currency",
                    "Last seen",
                ]),
                rows: fans
                    .iter()
                    .map(|f| {
                        vec![
                            Cell::Text(
                                f.username
                                    .as_ref()
                                    .map(|u| format!("@{}", u.trim_start_matches('@')))
                                    .or_else(|| f.display_name.clone())
                                    .unwrap_or_default(),
                            ),
                            Cell::Text(account_label(&f.account).into()),
                            Cell::Text(platform_label(&f.platform).into()),
                            Cell::Text(f.status.clone().unwrap_or_default()),
                            Cell::Number(f.spent),
                            Cell::Text(f.currency.clone().unwrap_or_default()),
                            Cell::Text(f.last_seen_at.map(day_label).unwrap_or_default()),
                        ]
                    })
                    .collect(),
            }));
        }
        money.push(Block::Table(Table {
            title: "Fan segments today (live counts)".into(),
            empty_note: String::new(),
            headers: names(&["Segment", "Definition", "Fans"]),
            rows: s
                .segments
                .iter()
                .map(|seg| {
                    vec![
                        Cell::Text(seg.name.into()),
                        Cell::Text(seg.definition.into()),
                        Cell::Number(seg.fans as f64),
                    ]
                })
                .collect(),
        }));
        if let Some(a) = &s.attribution {
            money.extend(attribution_tables(a));
        }
        sections.push(Section {
            title: format!("{} · Revenue and fans", s.name),
            intro: String::new(),
            blocks: money,
        });
    }

    let h = &data.health;
    let when = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|| "never".into())
    };
    sections.push(Section {
        title: "Data health".into(),
        intro: "Where the data comes from, and why a chart may have a gap.".into(),
        blocks: vec![
            Block::Table(Table {
                title: "Connections".into(),
                empty_note: "No account is connected: the figures come from imports only.".into(),
                headers: names(&["Platform", "Account", "Status", "Last successful sync"]),
                rows: h
                    .connections
                    .iter()
                    .map(|c| {
                        vec![
                            Cell::Text(platform_label(&c.platform).into()),
                            Cell::Text(c.account.clone()),
                            Cell::Text(c.status.clone()),
                            Cell::Text(match c.last_successful_sync {
                                None => "never synced".into(),
                                t => when(t),
                            }),
                        ]
                    })
                    .collect(),
            }),
            Block::Table(Table {
                title: "Streams that did not succeed on their last sync".into(),
                empty_note: "Every stream's last sync succeeded.".into(),
                headers: names(&["Platform", "Account", "Stream", "Outcome", "When", "Why"]),
                rows: h
                    .streams
                    .iter()
                    .map(|s| {
                        vec![
                            Cell::Text(platform_label(s.platform.name()).into()),
                            Cell::Text(s.account.clone()),
                            Cell::Text(s.stream.clone()),
                            Cell::Text(s.status.clone()),
                            Cell::Text(when(Some(s.started_at))),
                            Cell::Text(s.error.clone().unwrap_or_default()),
                        ]
                    })
                    .collect(),
            }),
            Block::Table(Table {
                title: "Metrics that stopped".into(),
                empty_note:
                    "No metric stopped: every metric was synced until the platform's latest data."
                        .into(),
                headers: names(&["Platform", "Account", "Metric", "Last value on"]),
                rows: h
                    .stopped_metrics
                    .iter()
                    .map(|m| {
                        vec![
                            Cell::Text(platform_label(&m.platform).into()),
                            Cell::Text(m.account_scope.clone()),
                            Cell::Text(format!("{} ({})", m.metric, m.subject_type)),
                            Cell::Text(day_label(m.last_seen)),
                        ]
                    })
                    .collect(),
            }),
        ],
    });

    let names: Vec<&str> = data
        .scopes
        .iter()
        .filter(|s| s.accounts.len() == 1)
        .map(|s| s.name.as_str())
        .collect();
    Page {
        title: format!("socialcrm report: {}", names.join(", ")),
        subtitle: format!(
            "{} to {} · {} account(s)",
            day_label(data.from),
            last_day(data.to),
            names.len()
        ),
        footer: format!(
            "Generated by socialcrm on {}",
            data.generated_at.format("%Y-%m-%d %H:%M UTC")
        ),
        sections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(file_safe("ava/../x y"), "ava_.._x_y");
        assert_eq!(file_safe(".hidden"), "hidden");
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let path = default_path(
            &["ava".into()],
            false,
            t("2026-11-01T00:00:00Z"),
            t("2026-12-01T00:00:00Z"),
        );
        assert_eq!(
            path,
            PathBuf::from("socialcrm-report-ava-2026-11-01-2026-11-30.html")
        );
        let many: Vec<String> = names(&["a", "b", "c", "d"]);
        let path = default_path(
            &many,
            false,
            t("2026-11-01T00:00:00Z"),
            t("2026-12-01T00:00:00Z"),
        );
        assert!(
            path.to_str()
                .unwrap()
                .starts_with("socialcrm-report-agency-")
        );
        let path = default_path(
            &many[..2],
            false,
            t("2026-11-01T00:00:00Z"),
            t("2026-12-01T00:00:00Z"),
        );
        assert!(path.to_str().unwrap().starts_with("socialcrm-report-a+b-"));
    }
}
