//! Stacked bars per week (revenue by channel: subscriptions, tips, messages/PPV, other): each
//! channel a series of daily amounts, summed per week (per month when a year of weeks would not
//! fit), stacked in legend order; negative amounts (refunds) stack below zero.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::chart::{self, Plot, Series, Swatch, WIDTH};
use super::downsample::{Aggregation, Resolution, aggregate, partial_ends, resolution_for};
use super::format;
use super::scale::nice_ticks;
use super::svg::{Anchor, Svg};
use super::table::{Cell, html_table};

/// At most this many bars; more weeks are drawn as months.
pub const MAX_BARS: usize = 60;

#[derive(Debug, Clone, PartialEq)]
/// Amounts per week (per month for long ranges) stacked by channel (revenue by source), so
/// the total and its parts read from one chart, with a table of the same numbers.
pub struct StackedBars {
    /// The chart's heading.
    pub title: String,
    /// The value axis, e.g. "Revenue (USD)".
    pub y_label: String,
    /// One series per channel, daily (or already weekly) amounts.
    pub channels: Vec<Series>,
}

impl StackedBars {
    /// The chart as an SVG figure with its table; `ids` keeps element ids unique on the page.
    pub fn render(&self, ids: &mut chart::Ids) -> String {
        let raw: Vec<&[(NaiveDate, f64)]> =
            self.channels.iter().map(|s| s.points.as_slice()).collect();
        let r = resolution_for(&raw, MAX_BARS, Resolution::Weekly);
        let mut buckets: BTreeMap<NaiveDate, Vec<f64>> = BTreeMap::new();
        for (i, channel) in self.channels.iter().enumerate() {
            for (d, v) in aggregate(&channel.points, r, Aggregation::Sum) {
                buckets
                    .entry(d)
                    .or_insert_with(|| vec![0.0; self.channels.len()])[i] = v;
            }
        }
        // A week whose amounts or stack overflow cannot be drawn (nor its total said).
        let too_large: Vec<NaiveDate> = buckets
            .iter()
            .filter(|(_, parts)| {
                let pos: f64 = parts.iter().filter(|v| **v > 0.0).sum();
                let neg: f64 = parts.iter().filter(|v| **v < 0.0).sum();
                !(pos.is_finite() && neg.is_finite() && (pos + neg).is_finite())
            })
            .map(|(d, _)| *d)
            .collect();
        for d in &too_large {
            buckets.remove(d);
        }
        if buckets.is_empty() {
            return chart::placeholder(
                &self.title,
                "No data",
                "There were no amounts in this period.",
            );
        }

        let mut notes = Vec::new();
        if !too_large.is_empty() {
            let dates: Vec<String> = too_large.iter().map(|d| format::date(*d)).collect();
            notes.push(format!(
                "Left out as too large to draw: the {} of {}.",
                r.unit(),
                dates.join(", ")
            ));
        }
        let dates = raw
            .iter()
            .flat_map(|p| p.iter().filter(|(_, v)| v.is_finite()).map(|(d, _)| *d));
        if let (Some(first), Some(last)) = (dates.clone().min(), dates.max()) {
            let (head, tail) = partial_ends(first, last, r);
            if head {
                notes.push(format!(
                    "The first {} starts on {}: it is partial.",
                    r.unit(),
                    format::date(first)
                ));
            }
            if tail {
                notes.push(format!(
                    "The last {} ends on {}: it is partial.",
                    r.unit(),
                    format::date(last)
                ));
            }
        }

        let names: Vec<String> = self.channels.iter().map(|c| c.name.clone()).collect();
        let (plot, height) = Plot::under_legend(&names);
        let (lo, hi) = buckets.values().fold((0.0f64, 0.0f64), |(lo, hi), parts| {
            let pos: f64 = parts.iter().filter(|v| **v > 0.0).sum();
            let neg: f64 = parts.iter().filter(|v| **v < 0.0).sum();
            (lo.min(neg), hi.max(pos))
        });
        let ticks = nice_ticks(lo, hi, 6);

        let id = ids.fresh();
        let totals: Vec<f64> = buckets.values().map(|p| p.iter().sum()).collect();
        let desc = format!(
            "Stacked bar chart of {} totals by channel ({}), {} bars from {} to {}; total {}.",
            r.adjective(),
            names.join(", "),
            buckets.len(),
            buckets
                .keys()
                .next()
                .map(|d| format::date(*d))
                .unwrap_or_default(),
            buckets
                .keys()
                .last()
                .map(|d| format::date(*d))
                .unwrap_or_default(),
            format::grouped(totals.iter().sum())
        );
        let mut svg = Svg::new(&id, WIDTH, height, &self.title, &desc);
        chart::legend(&mut svg, &names, Swatch::Block);
        let y = chart::value_axis(&mut svg, plot, &ticks, &self.y_label);
        svg.line(plot.left, y.map(0.0), plot.right(), y.map(0.0), "axis");

        let slot = plot.width / buckets.len() as f64;
        let bar_w = (slot * 0.72).max(1.0);
        let label_every = buckets.len().div_ceil(10);
        for (b, (date, parts)) in buckets.iter().enumerate() {
            let x = plot.left + b as f64 * slot + (slot - bar_w) / 2.0;
            let (mut up, mut down) = (0.0, 0.0);
            for (i, v) in parts.iter().enumerate() {
                let (from, to) = if *v >= 0.0 {
                    up += v;
                    (up - v, up)
                } else {
                    down += v;
                    (down - v, down)
                };
                if *v != 0.0 {
                    let (y0, y1) = (y.map(from), y.map(to));
                    let tip = format!(
                        "{} {}: {}",
                        format::date(*date),
                        names[i],
                        format::grouped(*v)
                    );
                    svg.rect(
                        x,
                        y0.min(y1),
                        bar_w,
                        (y1 - y0).abs(),
                        chart::colour(i),
                        Some(&tip),
                    );
                }
            }
            if b % label_every == 0 {
                svg.text(
                    x + bar_w / 2.0,
                    plot.bottom() + 19.0,
                    Anchor::Middle,
                    "tick",
                    &date.format("%-d %b").to_string(),
                );
            }
        }
        let x_label = format!("{} (bucket start)", format::capitalised(r.noun()));
        svg.text(
            plot.left + plot.width / 2.0,
            height - 8.0,
            Anchor::Middle,
            "label",
            &x_label,
        );

        let headers: Vec<String> = std::iter::once(format::capitalised(r.noun()))
            .chain(names.iter().cloned())
            .chain(std::iter::once("Total".to_string()))
            .collect();
        let rows: Vec<Vec<Cell>> = buckets
            .iter()
            .zip(&totals)
            .map(|((d, parts), total)| {
                std::iter::once(Cell::Text(format::date(*d)))
                    .chain(parts.iter().map(|v| Cell::Number(*v)))
                    .chain(std::iter::once(Cell::Number(*total)))
                    .collect()
            })
            .collect();
        let caption = format!("{} ({} totals)", self.title, r.adjective());
        chart::figure(
            &self.title,
            svg.finish(),
            &notes,
            html_table(Some(&caption), &headers, &rows),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(i: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).expect("valid date") + chrono::Duration::days(i)
    }

    fn revenue(days: i64) -> StackedBars {
        let channel = |name: &str, amount: f64| Series {
            name: name.into(),
            points: (0..days).map(|i| (day(i), amount)).collect(),
        };
        StackedBars {
            title: "Revenue".into(),
            y_label: "USD".into(),
            channels: vec![
                channel("Subscriptions", 10.0),
                channel("Tips", 2.5),
                channel("Refunds", -1.0),
            ],
        }
    }

    #[test]
    fn days_are_summed_per_week_with_totals() {
        let html = revenue(14).render(&mut chart::Ids::default());
        // Two Monday-to-Sunday weeks: 70 + 17.5 - 7 each.
        assert!(html.contains("<td>2026-11-30</td><td class=\"num\">70</td><td class=\"num\">17.5</td><td class=\"num\">-7</td><td class=\"num\">80.5</td>"), "{html}");
        assert_eq!(html.matches("<tr>").count(), 3);
        assert!(!html.contains("partial"), "whole weeks: {html}");
        assert_eq!(
            html.matches("<rect").count(),
            6 + 3,
            "three parts per week, three legend swatches"
        );
    }

    #[test]
    fn a_week_too_large_to_draw_is_left_out_and_noted() {
        let mut r = revenue(14);
        r.channels[0].points.push((day(1), f64::MAX));
        r.channels[1].points.push((day(2), f64::MAX));
        let html = r.render(&mut chart::Ids::default());
        assert!(
            html.contains("Left out as too large to draw: the week of 2026-11-30."),
            "{html}"
        );
        assert!(!html.contains("inf") && !html.contains("n/a"), "{html}");
        assert_eq!(html.matches("<tr>").count(), 2);
    }

    #[test]
    fn partial_first_and_last_weeks_are_noted() {
        let mut r = revenue(10);
        for c in &mut r.channels {
            c.points.remove(0);
        }
        let html = r.render(&mut chart::Ids::default());
        assert!(
            html.contains("The first week starts on 2026-12-01: it is partial."),
            "{html}"
        );
        assert!(
            html.contains("The last week ends on 2026-12-09: it is partial."),
            "{html}"
        );
    }

    #[test]
    fn a_year_and_a_half_becomes_monthly_and_no_amounts_is_a_placeholder() {
        let html = revenue(540).render(&mut chart::Ids::default());
        assert!(html.contains("(monthly totals)"), "{html}");
        let empty = revenue(0).render(&mut chart::Ids::default());
        assert!(empty.contains("No data") && !empty.contains("<svg"));
    }
}
