//! Horizontal bar charts of labelled values (top posts by views): the label left of each bar,
//! the value at its end, a zero-based value axis, and a data table linking to each post.

use super::chart::{self, Plot, WIDTH};
use super::escape::shorten;
use super::format;
use super::scale::{Linear, nice_ticks};
use super::svg::{Anchor, Svg};
use super::table::{Cell, html_table};

/// More bars than this are cut (the table and a note say how many were left out).
pub const MAX_BARS: usize = 25;
const BAR_ROW: f64 = 24.0;

/// One bar: a label (a post's caption), its value, and optionally the post's URL.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The bar's name, cut to fit when long.
    pub label: String,
    /// Its length; non-finite values are left out rather than drawn wrong.
    pub value: f64,
    /// Where the label links to, when the post has a web URL.
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
/// Horizontal bars ranking things by one value (posts by views), with the same numbers as a
/// table beside it for screen readers and print.
pub struct BarChart {
    /// The chart's heading.
    pub title: String,
    /// What the bars measure, e.g. "Views".
    pub value_label: String,
    /// What a bar is, e.g. "Post" (the table's first column).
    pub category_label: String,
    /// In the order to draw, top first (the caller sorts).
    pub bars: Vec<Bar>,
}

impl BarChart {
    /// The chart as an SVG figure with its table; `ids` keeps element ids unique on the page.
    pub fn render(&self, ids: &mut chart::Ids) -> String {
        let finite: Vec<&Bar> = self.bars.iter().filter(|b| b.value.is_finite()).collect();
        if finite.is_empty() {
            return chart::placeholder(
                &self.title,
                "No data",
                "There is nothing to rank in this period.",
            );
        }
        let shown = &finite[..finite.len().min(MAX_BARS)];
        let mut notes = Vec::new();
        if finite.len() > shown.len() {
            notes.push(format!(
                "The top {} of {} are shown.",
                shown.len(),
                finite.len()
            ));
        }
        if finite.len() < self.bars.len() {
            notes.push(format!(
                "{} values that are not numbers were left out.",
                self.bars.len() - finite.len()
            ));
        }

        let plot = Plot {
            left: 230.0,
            top: 10.0,
            width: WIDTH - 230.0 - 60.0,
            height: shown.len() as f64 * BAR_ROW,
        };
        let height = plot.bottom() + 48.0;
        let (lo, hi) = shown.iter().fold((0.0f64, 0.0f64), |(lo, hi), b| {
            (lo.min(b.value), hi.max(b.value))
        });
        let ticks = nice_ticks(lo, hi, 5);
        let x = Linear {
            d0: ticks.min,
            d1: ticks.max,
            r0: plot.left,
            r1: plot.right(),
        };

        let id = ids.fresh();
        let desc = describe(shown);
        let mut svg = Svg::new(&id, WIDTH, height, &self.title, &desc);
        for v in ticks.values() {
            let at = x.map(v);
            svg.line(
                at,
                plot.top,
                at,
                plot.bottom(),
                if v == 0.0 { "axis" } else { "grid" },
            );
            svg.text(
                at,
                plot.bottom() + 16.0,
                Anchor::Middle,
                "tick",
                &format::compact(v),
            );
        }
        svg.text(
            plot.left + plot.width / 2.0,
            height - 8.0,
            Anchor::Middle,
            "label",
            &self.value_label,
        );
        for (i, bar) in shown.iter().enumerate() {
            let top = plot.top + i as f64 * BAR_ROW + 4.0;
            let (a, b) = (x.map(0.0), x.map(bar.value));
            let tooltip = format!("{}: {}", bar.label, format::grouped(bar.value));
            svg.rect(
                a.min(b),
                top,
                (b - a).abs(),
                BAR_ROW - 8.0,
                chart::colour(0),
                Some(&tooltip),
            );
            svg.text(
                plot.left - 8.0,
                top + 12.0,
                Anchor::End,
                "legend",
                &shorten(&bar.label, 34),
            );
            svg.text(
                a.max(b) + 5.0,
                top + 12.0,
                Anchor::Start,
                "tick",
                &format::compact(bar.value),
            );
        }

        let headers = vec![
            "Rank".to_string(),
            self.category_label.clone(),
            self.value_label.clone(),
        ];
        let rows: Vec<Vec<Cell>> = shown
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let label = match &b.link {
                    Some(url) => Cell::Link {
                        text: b.label.clone(),
                        url: url.clone(),
                    },
                    None => Cell::Text(b.label.clone()),
                };
                vec![Cell::Number((i + 1) as f64), label, Cell::Number(b.value)]
            })
            .collect();
        let table = html_table(Some(&self.title), &headers, &rows);
        chart::figure(&self.title, svg.finish(), &notes, table)
    }
}

fn describe(shown: &[&Bar]) -> String {
    let mut out = format!("Bar chart of {} items.", shown.len());
    for (i, b) in shown.iter().take(3).enumerate() {
        out.push_str(&format!(
            " {}. {}: {}.",
            i + 1,
            b.label,
            format::grouped(b.value)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(n: usize) -> BarChart {
        BarChart {
            title: "Top posts".into(),
            value_label: "Views".into(),
            category_label: "Post".into(),
            bars: (0..n)
                .map(|i| Bar {
                    label: format!("post {i}"),
                    value: (100 - i) as f64,
                    link: None,
                })
                .collect(),
        }
    }

    #[test]
    fn no_bars_is_a_placeholder_and_one_bar_is_a_chart() {
        assert!(!chart(0).render(&mut chart::Ids::default()).contains("<svg"));
        let one = chart(1).render(&mut chart::Ids::default());
        assert!(
            one.contains("<svg") && one.matches("<rect").count() == 1,
            "{one}"
        );
    }

    #[test]
    fn bars_are_capped_and_the_cut_is_noted() {
        let html = chart(40).render(&mut chart::Ids::default());
        assert_eq!(html.matches("<rect").count(), MAX_BARS);
        assert!(html.contains("The top 25 of 40 are shown."), "{html}");
    }

    #[test]
    fn long_labels_are_shortened_in_the_chart_but_whole_in_the_table() {
        let mut c = chart(1);
        c.bars[0].label = "x".repeat(80);
        let html = c.render(&mut chart::Ids::default());
        assert!(html.contains(&format!("{}…", "x".repeat(33))));
        assert!(html.contains(&format!("<td>{}</td>", "x".repeat(80))));
    }
}
