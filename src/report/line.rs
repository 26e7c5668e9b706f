//! Line charts over dates: one or more series (followers per platform), a labelled value axis
//! with nice ticks, a date axis with day/week/month ticks, a legend, and the data table of the
//! drawn points. Long series are aggregated (see `downsample`) so the chart stays bounded.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::chart::{self, Plot, Series, Swatch, WIDTH};
use super::downsample::{Aggregation, Resolution, aggregate, non_finite, resolution_for};
use super::format;
use super::scale::{Linear, date_ticks, nice_ticks};
use super::svg::{Anchor, Svg};
use super::table::{Cell, html_table};

/// At most this many points per series are drawn; longer series are aggregated.
pub const MAX_POINTS: usize = 120;

#[derive(Debug, Clone, PartialEq)]
/// Values over time, one line per series (followers per account), with a table of the same
/// numbers for screen readers and print.
pub struct LineChart {
    /// The chart's heading.
    pub title: String,
    /// The value axis, e.g. "Followers".
    pub y_label: String,
    /// The date axis, e.g. "Date".
    pub x_label: String,
    /// How points are combined when a series is aggregated into weeks or months.
    pub aggregation: Aggregation,
    /// The lines; one with no point in the period is not drawn, and a note under the chart
    /// says so.
    pub series: Vec<Series>,
}

impl LineChart {
    /// The chart as an SVG figure with its table; `ids` keeps element ids unique on the page.
    pub fn render(&self, ids: &mut chart::Ids) -> String {
        let raw: Vec<&[(NaiveDate, f64)]> =
            self.series.iter().map(|s| s.points.as_slice()).collect();
        let resolution = resolution_for(&raw, MAX_POINTS, Resolution::Daily);
        let mut too_large = 0;
        let drawn: Vec<(&Series, Vec<(NaiveDate, f64)>)> = self
            .series
            .iter()
            .map(|s| {
                let mut points = aggregate(&s.points, resolution, self.aggregation);
                let before = points.len();
                points.retain(|(_, v)| v.is_finite());
                too_large += before - points.len();
                (s, points)
            })
            .collect();
        let with_points: Vec<&(&Series, Vec<(NaiveDate, f64)>)> =
            drawn.iter().filter(|(_, p)| !p.is_empty()).collect();

        let mut notes: Vec<String> = drawn
            .iter()
            .filter(|(_, p)| p.is_empty())
            .map(|(s, _)| format!("{}: no data in this period.", s.name))
            .collect();
        let skipped: usize = raw.iter().map(|p| non_finite(p)).sum();
        if skipped > 0 {
            notes.push(format!(
                "{skipped} values that are not numbers were left out."
            ));
        }
        if too_large > 0 {
            notes.push(format!(
                "{too_large} {} totals too large to draw were left out.",
                resolution.adjective()
            ));
        }

        let dates: Vec<NaiveDate> = with_points
            .iter()
            .flat_map(|(_, p)| p.iter().map(|(d, _)| *d))
            .collect();
        let (Some(first), Some(last)) = (dates.iter().min().copied(), dates.iter().max().copied())
        else {
            return chart::placeholder(
                &self.title,
                "No data",
                "There are no data points in this period.",
            );
        };
        if first == last {
            let values: Vec<String> = with_points
                .iter()
                .map(|(s, p)| {
                    format!(
                        "{} {}",
                        s.name,
                        p.iter()
                            .map(|(_, v)| format::grouped(*v))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
                .collect();
            let reason = format!(
                "Only one {} point ({}): {}. A trend needs at least two.",
                resolution.adjective(),
                format::date(first),
                values.join("; ")
            );
            return chart::placeholder(&self.title, "Not enough data", &reason);
        }

        let names: Vec<String> = with_points.iter().map(|(s, _)| s.name.clone()).collect();
        let (plot, height) = Plot::under_legend(&names);

        let values = with_points
            .iter()
            .flat_map(|(_, p)| p.iter().map(|(_, v)| *v));
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        let ticks = nice_ticks(lo, hi, 6);

        let id = ids.fresh();
        let desc = describe(&with_points, resolution, first, last);
        let mut svg = Svg::new(&id, WIDTH, height, &self.title, &desc);
        chart::legend(&mut svg, &names, Swatch::Line);
        let y = chart::value_axis(&mut svg, plot, &ticks, &self.y_label);
        let x = Linear {
            d0: 0.0,
            d1: (last - first).num_days() as f64,
            r0: plot.left,
            r1: plot.right(),
        };
        let day_x = |d: NaiveDate| x.map((d - first).num_days() as f64);

        let (step, tick_dates) = date_ticks(first, last, 8);
        svg.line(
            plot.left,
            plot.bottom(),
            plot.right(),
            plot.bottom(),
            "axis",
        );
        for d in tick_dates {
            let at = day_x(d);
            svg.line(at, plot.bottom(), at, plot.bottom() + 5.0, "axis");
            svg.text(
                at,
                plot.bottom() + 19.0,
                Anchor::Middle,
                "tick",
                &step.label(d),
            );
        }
        svg.text(
            plot.left + plot.width / 2.0,
            height - 8.0,
            Anchor::Middle,
            "label",
            &self.x_label,
        );

        for (i, (_, points)) in with_points.iter().enumerate() {
            let coords: Vec<(f64, f64)> =
                points.iter().map(|(d, v)| (day_x(*d), y.map(*v))).collect();
            svg.polyline(&coords, chart::colour(i), chart::dash(i));
            if points.len() <= 31 {
                for (cx, cy) in &coords {
                    svg.circle(*cx, *cy, 2.5, chart::colour(i));
                }
            }
        }

        let table = data_table(&self.title, &self.x_label, resolution, &drawn);
        chart::figure(&self.title, svg.finish(), &notes, table)
    }
}

/// What a screen reader hears: the span, the resolution, and per series where it went.
fn describe(
    series: &[&(&Series, Vec<(NaiveDate, f64)>)],
    r: Resolution,
    first: NaiveDate,
    last: NaiveDate,
) -> String {
    let mut out = format!(
        "Line chart of {} values from {} to {}.",
        r.adjective(),
        format::date(first),
        format::date(last)
    );
    for (s, p) in series {
        let (lo, hi) = p
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (_, v)| {
                (lo.min(*v), hi.max(*v))
            });
        if let (Some((_, a)), Some((_, b))) = (p.first(), p.last()) {
            out.push_str(&format!(
                " {}: {} to {}, low {}, high {}.",
                s.name,
                format::grouped(*a),
                format::grouped(*b),
                format::grouped(lo),
                format::grouped(hi)
            ));
        }
    }
    out
}

/// One row per date, one column per series (also the series without points, so the table says
/// they are empty), cells the drawn values.
fn data_table(
    title: &str,
    x_label: &str,
    r: Resolution,
    drawn: &[(&Series, Vec<(NaiveDate, f64)>)],
) -> String {
    let mut rows: BTreeMap<NaiveDate, Vec<Cell>> = BTreeMap::new();
    for (i, (_, points)) in drawn.iter().enumerate() {
        for (d, v) in points {
            rows.entry(*d)
                .or_insert_with(|| vec![Cell::Empty; drawn.len()])[i] = Cell::Number(*v);
        }
    }
    let first_header = if r == Resolution::Daily {
        x_label.to_string()
    } else {
        format::capitalised(r.noun())
    };
    let headers: Vec<String> = std::iter::once(first_header)
        .chain(drawn.iter().map(|(s, _)| s.name.clone()))
        .collect();
    let rows: Vec<Vec<Cell>> = rows
        .into_iter()
        .map(|(d, cells)| {
            std::iter::once(Cell::Text(format::date(d)))
                .chain(cells)
                .collect()
        })
        .collect();
    let caption = format!("{title} ({} values)", r.adjective());
    html_table(Some(&caption), &headers, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(i: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid date") + chrono::Duration::days(i)
    }

    fn chart(series: Vec<Series>) -> LineChart {
        LineChart {
            title: "Followers".into(),
            y_label: "Followers".into(),
            x_label: "Date".into(),
            aggregation: Aggregation::Mean,
            series,
        }
    }

    fn series(name: &str, days: i64) -> Series {
        Series {
            name: name.into(),
            points: (0..days).map(|i| (day(i), 1000.0 + i as f64)).collect(),
        }
    }

    #[test]
    fn empty_and_one_point_series_say_so_instead_of_a_chart() {
        let empty = chart(vec![series("TikTok", 0)]).render(&mut chart::Ids::default());
        assert!(
            empty.contains("No data") && !empty.contains("<svg"),
            "{empty}"
        );
        let none = chart(vec![]).render(&mut chart::Ids::default());
        assert!(none.contains("No data") && !none.contains("<svg"), "{none}");
        let one = chart(vec![series("TikTok", 1)]).render(&mut chart::Ids::default());
        assert!(
            one.contains("Not enough data")
                && one.contains("TikTok 1,000")
                && !one.contains("<svg"),
            "{one}"
        );
    }

    #[test]
    fn a_series_without_points_is_noted_beside_the_others() {
        let html = chart(vec![series("TikTok", 10), series("Reddit", 0)])
            .render(&mut chart::Ids::default());
        assert!(
            html.contains("<svg") && html.contains("Reddit: no data in this period."),
            "{html}"
        );
        assert_eq!(
            html.matches("<polyline class=\"series\"").count(),
            2,
            "one legend swatch and one line"
        );
    }

    #[test]
    fn a_long_series_is_drawn_weekly_and_its_table_lists_the_weeks() {
        let html = chart(vec![series("TikTok", 365)]).render(&mut chart::Ids::default());
        assert!(
            html.contains("(weekly values)") && html.contains("Week starting"),
            "{html}"
        );
        let rows = html.matches("<tr>").count() - 1;
        assert!((52..=54).contains(&rows), "{rows} weeks");
    }

    #[test]
    fn totals_too_large_to_draw_are_left_out_and_noted() {
        let mut c = chart(vec![series("TikTok", 10)]);
        c.aggregation = Aggregation::Sum;
        c.series[0]
            .points
            .extend([(day(3), f64::MAX), (day(3), f64::MAX)]);
        let html = c.render(&mut chart::Ids::default());
        assert!(
            html.contains("1 daily totals too large to draw were left out."),
            "{html}"
        );
        assert!(!html.contains("inf") && !html.contains("n/a"), "{html}");
        assert_eq!(html.matches("<tr>").count(), 1 + 9);
    }

    #[test]
    fn titles_and_names_are_escaped_everywhere() {
        let mut c = chart(vec![series("<b>\"x\"</b>", 5)]);
        c.title = "A & <B>".into();
        let html = c.render(&mut chart::Ids::default());
        assert!(!html.contains("<b>") && !html.contains("<B>"), "{html}");
        assert!(
            html.contains("A &amp; &lt;B&gt;") && html.contains("&lt;b&gt;&quot;x&quot;&lt;/b&gt;"),
            "{html}"
        );
    }

    #[test]
    fn size_is_bounded_for_a_decade_of_daily_points() {
        let many: Vec<Series> = (0..20)
            .map(|i| series(&format!("account {i}"), 3650))
            .collect();
        let html = chart(many).render(&mut chart::Ids::default());
        assert!(html.len() < 200_000, "{} bytes", html.len());
        assert!(html.contains("(monthly values)"));
    }
}
