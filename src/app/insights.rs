//! `insights`: what the analytics events say over a time range, per metric, with charts.
//!
//! Events are grouped by platform, subject type and metric, and summed per point in time, so
//! "view_count of posts" is the total over every video at each sync. A snapshot metric (a level:
//! followers, views so far) is read as its first and last value and the change between them;
//! an instant metric (a flow: an OnlyFans payment) as the sum over the range.
//!
//! Everything is aggregated in the database (`Store::metric_summaries`, and
//! `Store::metric_series` for `--chart`, one point per day: a level's closing value, a flow's
//! sum), so memory stays flat whatever the number of events.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::json;

use super::{Context, Report};
use crate::cli::{AttributionArgs, InsightsArgs, InsightsView, SyncArgs, TOP_DEFAULT};
use crate::error::{CliError, CliResult};
use crate::output::{Render, Section, names};
use crate::store::model::{Bucket, EventQuery, Post, PostQuery, PostRank};
use crate::vocab::PlatformId;

#[derive(Debug, Serialize)]
struct Metric {
    platform: PlatformId,
    subject_type: String,
    metric: String,
    /// `level` (snapshots) or `flow` (instants).
    kind: &'static str,
    first: f64,
    last: f64,
    /// last - first for levels; None for flows.
    change: Option<f64>,
    /// The sum for flows; the last value for levels.
    total: f64,
    /// The sum of the values at each instant (for a level with one value per day, such as
    /// Instagram's daily views, the period's total).
    sum: f64,
    points: usize,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    #[serde(skip)]
    series: Vec<(DateTime<Utc>, f64)>,
}

struct Insights {
    metrics: Vec<Metric>,
    top_posts: Vec<Post>,
    chart: bool,
}

/// ▁▂▃▄▅▆▇█ scaled between the series' minimum and maximum.
fn sparkline(values: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (min, max) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    values
        .iter()
        .map(|v| {
            if max > min {
                BARS[(((v - min) / (max - min)) * 7.0).round() as usize]
            } else {
                BARS[3]
            }
        })
        .collect()
}

/// At most `width` points, keeping the last of each bucket so the chart ends on today's value.
fn downsample(values: &[f64], width: usize) -> Vec<f64> {
    if values.len() <= width {
        return values.to_vec();
    }
    (1..=width)
        .map(|i| values[i * values.len() / width - 1])
        .collect()
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn signed(v: Option<f64>) -> String {
    match v {
        Some(v) if v > 0.0 => format!("+{}", number(v)),
        Some(v) => number(v),
        None => String::new(),
    }
}

impl Render for Insights {
    fn json(&self) -> serde_json::Value {
        let metrics: Vec<serde_json::Value> = self
            .metrics
            .iter()
            .map(|m| {
                let mut value = serde_json::to_value(m).expect("metrics serialize");
                if self.chart {
                    value["series"] = json!(
                        m.series
                            .iter()
                            .map(|(t, v)| json!({ "at": t, "value": v }))
                            .collect::<Vec<_>>()
                    );
                }
                value
            })
            .collect();
        json!({ "metrics": metrics, "top_posts": self.top_posts })
    }

    fn sections(&self) -> Vec<Section> {
        let mut columns = vec![
            "platform",
            "subject",
            "metric",
            "last / total",
            "change",
            "points",
        ];
        if self.chart {
            columns.push("chart");
        }
        let rows = self
            .metrics
            .iter()
            .map(|m| {
                let mut row = vec![
                    m.platform.to_string(),
                    m.subject_type.clone(),
                    m.metric.clone(),
                    number(m.total),
                    signed(m.change),
                    m.points.to_string(),
                ];
                if self.chart {
                    let values: Vec<f64> = m.series.iter().map(|(_, v)| *v).collect();
                    row.push(sparkline(&downsample(&values, 40)));
                }
                row
            })
            .collect();
        let mut out = vec![Section {
            title: Some("Metrics".into()),
            columns: names(&columns),
            rows,
            ..Section::default()
        }];
        if !self.top_posts.is_empty() {
            out.push(Section {
                title: Some("Top posts".into()),
                columns: names(&[
                    "platform",
                    "published_at",
                    "views",
                    "likes",
                    "comments",
                    "caption",
                ]),
                rows: self
                    .top_posts
                    .iter()
                    .map(|p| {
                        let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
                        let caption: String = p
                            .caption
                            .clone()
                            .unwrap_or_default()
                            .chars()
                            .take(50)
                            .collect();
                        vec![
                            p.platform.to_string(),
                            p.published_at
                                .map(|t| t.format("%Y-%m-%d").to_string())
                                .unwrap_or_default(),
                            n(p.view_count),
                            n(p.like_count),
                            n(p.comment_count),
                            caption,
                        ]
                    })
                    .collect(),
                ..Section::default()
            });
        }
        out
    }

    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let columns = names(&[
            "platform",
            "subject_type",
            "metric",
            "kind",
            "first",
            "last",
            "change",
            "total",
            "points",
            "from",
            "to",
        ]);
        let rows = self
            .metrics
            .iter()
            .map(|m| {
                vec![
                    m.platform.to_string(),
                    m.subject_type.clone(),
                    m.metric.clone(),
                    m.kind.into(),
                    number(m.first),
                    number(m.last),
                    m.change.map(number).unwrap_or_default(),
                    number(m.total),
                    m.points.to_string(),
                    m.from.to_rfc3339(),
                    m.to.to_rfc3339(),
                ]
            })
            .collect();
        (columns, rows)
    }
}

/// The attribution view's options, from after the view or before it (not both, unless equal).
fn attribution_args(
    mut view: AttributionArgs,
    account: Option<String>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> CliResult<AttributionArgs> {
    fn merge<T: PartialEq>(after: &mut Option<T>, before: Option<T>, flag: &str) -> CliResult<()> {
        match (after.as_ref(), before) {
            (Some(a), Some(b)) if *a != b => Err(CliError::usage(format!(
                "{flag} is given twice, before and after 'attribution', with different values"
            ))
            .with_hint(format!("give {flag} once"))),
            (None, Some(b)) => {
                *after = Some(b);
                Ok(())
            }
            _ => Ok(()),
        }
    }
    merge(&mut view.account, account, "--account")?;
    merge(&mut view.from, from, "--from")?;
    merge(&mut view.to, to, "--to")?;
    Ok(view)
}

pub fn run(ctx: &mut Context, args: InsightsArgs) -> CliResult<Report> {
    if let Some(InsightsView::Attribution(view)) = args.view {
        let view = attribution_args(view, args.account, args.from, args.to)?;
        if let Some(option) = [
            (args.platform.is_some(), "a platform"),
            (!args.metrics.is_empty(), "--metric"),
            (args.refresh, "--refresh"),
            (args.chart, "--chart"),
            (args.top != TOP_DEFAULT, "--top"),
        ]
        .iter()
        .find_map(|(given, what)| given.then_some(*what))
        {
            return Err(CliError::usage(format!(
                "{option} does not apply to insights attribution"
            ))
            .with_hint("attribution takes --account, --from and --to"));
        }
        return super::attribution::run(ctx, view);
    }
    let mut notes = Vec::new();
    if args.refresh {
        let sync = SyncArgs {
            platforms: args.platform.into_iter().collect(),
            all: false,
            account: args.account.clone(),
            full: false,
            jobs: 1,
            history: false,
            limit: 50,
            max_reads: None,
        };
        let synced = super::sync::run(ctx, sync)?;
        notes.extend(synced.notes);
    }
    let to = args.to.unwrap_or_else(crate::clock::now);
    let from = args.from.unwrap_or(to - Duration::days(30));
    let platform = args.platform;
    let store = ctx.store()?;
    let query = EventQuery {
        platform,
        accounts: args.account.iter().cloned().collect(),
        metrics: args.metrics.clone(),
        since: Some(from),
        until: Some(to),
    };
    // Aggregated in the database: one row per metric (and per day for charts), never the
    // events themselves.
    // (platform, subject type, metric) -> its daily points
    type Key = (PlatformId, String, String);
    let mut series: BTreeMap<Key, Vec<(DateTime<Utc>, f64)>> = BTreeMap::new();
    if args.chart {
        for p in store.metric_series(&query, Bucket::Day)? {
            let at = p.bucket.and_time(chrono::NaiveTime::MIN).and_utc();
            series
                .entry((p.platform, p.subject_type, p.metric))
                .or_default()
                .push((at, p.value));
        }
    }
    let metrics: Vec<Metric> = store
        .metric_summaries(&query)?
        .into_iter()
        .map(|m| {
            let key = (m.platform, m.subject_type, m.metric);
            let points = series.remove(&key).unwrap_or_default();
            let (platform, subject_type, metric) = key;
            Metric {
                platform,
                subject_type,
                metric,
                kind: if m.flow { "flow" } else { "level" },
                first: m.first,
                last: m.last,
                change: (!m.flow).then_some(m.last - m.first),
                total: if m.flow { m.sum } else { m.last },
                sum: m.sum,
                points: m.points as usize,
                from: m.first_at,
                to: m.last_at,
                series: points,
            }
        })
        .collect();
    let top_posts = store.top_posts(&PostQuery {
        platform,
        accounts: args.account.into_iter().collect(),
        since: None,
        until: None,
        limit: args.top.max(1),
        rank: PostRank::Views,
    })?;
    if metrics.is_empty() {
        notes.push(format!(
            "no analytics between {} and {}: run `socialcrm sync` (or add --refresh)",
            from.format("%Y-%m-%d"),
            to.format("%Y-%m-%d")
        ));
    }
    let top_posts = if args.top == 0 { Vec::new() } else { top_posts };
    let mut report = Report::data(Insights {
        metrics,
        top_posts,
        chart: args.chart,
    });
    report.notes = notes;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_scale_between_min_and_max() {
        assert_eq!(sparkline(&[0.0, 7.0, 3.5]), "▁█▅");
        assert_eq!(sparkline(&[5.0, 5.0]), "▄▄");
        assert_eq!(sparkline(&[]), "");
    }

    #[test]
    fn downsampling_keeps_the_last_value() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        let small = downsample(&values, 10);
        assert_eq!(small.len(), 10);
        assert_eq!(*small.last().unwrap(), 100.0);
        assert_eq!(downsample(&[1.0, 2.0], 10), vec![1.0, 2.0]);
    }
}
