//! `insights`: what the analytics events say over a time range, per metric, with charts.
//!
//! Events are grouped by platform, subject type and metric, and summed per point in time, so
//! "view_count of posts" is the total over every video at each sync. A snapshot metric (a level:
//! followers, views so far) is read as its first and last value and the change between them;
//! an instant metric (a flow: an OnlyFans payment) as the sum over the range.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::json;

use super::{Context, Report};
use crate::cli::{InsightsArgs, SyncArgs};
use crate::error::CliResult;
use crate::output::{Render, Section};
use crate::store::model::{EventQuery, Post, PostQuery};

#[derive(Debug, Serialize)]
struct Metric {
    platform: String,
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
                    m.platform.clone(),
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
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows,
            ..Section::default()
        }];
        if !self.top_posts.is_empty() {
            out.push(Section {
                title: Some("Top posts".into()),
                columns: [
                    "platform",
                    "published_at",
                    "views",
                    "likes",
                    "comments",
                    "caption",
                ]
                .iter()
                .map(|c| c.to_string())
                .collect(),
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
                            p.platform.clone(),
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
        let columns = [
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
        ]
        .iter()
        .map(|c| c.to_string())
        .collect();
        let rows = self
            .metrics
            .iter()
            .map(|m| {
                vec![
                    m.platform.clone(),
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

pub fn run(ctx: &mut Context, args: InsightsArgs) -> CliResult<Report> {
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
    let platform = args.platform.map(|p| p.name().to_string());
    let store = ctx.store()?;
    let events = store.list_events(&EventQuery {
        platform: platform.clone(),
        account: args.account.clone(),
        metrics: args.metrics.clone(),
        since: Some(from),
        until: Some(to),
    })?;

    // (platform, subject type, metric) -> (is a flow, time -> summed value)
    type Key = (String, String, String);
    let mut groups: BTreeMap<Key, (bool, BTreeMap<DateTime<Utc>, f64>)> = BTreeMap::new();
    for e in events {
        let flow = e.period == "instant";
        let entry = groups
            .entry((e.platform, e.subject_type, e.metric))
            .or_insert_with(|| (flow, BTreeMap::new()));
        *entry.1.entry(e.period_start).or_insert(0.0) += e.value;
    }
    let metrics: Vec<Metric> = groups
        .into_iter()
        .map(|((platform, subject_type, metric), (flow, points))| {
            let series: Vec<(DateTime<Utc>, f64)> = points.into_iter().collect();
            let first = series.first().map_or(0.0, |p| p.1);
            let last = series.last().map_or(0.0, |p| p.1);
            let sum: f64 = series.iter().map(|p| p.1).sum();
            Metric {
                platform,
                subject_type,
                metric,
                kind: if flow { "flow" } else { "level" },
                first,
                last,
                change: (!flow).then_some(last - first),
                total: if flow { sum } else { last },
                points: series.len(),
                from: series.first().map_or(from, |p| p.0),
                to: series.last().map_or(to, |p| p.0),
                series,
            }
        })
        .collect();
    let top_posts = store.top_posts(&PostQuery {
        platform,
        account: args.account,
        since: None,
        until: None,
        limit: args.top.max(1),
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
