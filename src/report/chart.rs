//! What every chart shares: the data it takes ([`Series`]), colours and dash patterns that tell
//! series apart without colour alone, unique ids, the plot frame with a labelled value axis, the
//! legend, the `<figure>` that puts title, SVG and `<details>` data table together, and the
//! placeholder drawn in place of a chart that has nothing (or too little) to show.

use chrono::NaiveDate;

use super::escape::{shorten, text};
use super::format;
use super::scale::{Linear, Ticks};
use super::svg::{Anchor, Svg};

/// One named series of dated values (followers of one account, revenue of one channel).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The legend's name for it.
    pub name: String,
    /// Its values by day, oldest first.
    pub points: Vec<(NaiveDate, f64)>,
}

/// Okabe–Ito colours (distinguishable with the common colour-vision deficiencies), all dark
/// enough on white; yellow is left out for contrast.
const PALETTE: [&str; 7] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#B07800", "#3A8FC7", "#444444",
];
/// Line patterns, so printed in grey or seen without colour the lines still differ.
const DASHES: [&str; 4] = ["", "7 4", "2 3", "9 3 2 3"];

/// The colour of series `i`: the palette repeats, so any number of series is drawn.
pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// The dash pattern of series `i`, which with the colour tells series apart without colour.
pub fn dash(i: usize) -> &'static str {
    DASHES[i % DASHES.len()]
}

/// Hands out ids unique on one page (`chart-1`, `chart-2`, ...).
#[derive(Debug, Default)]
pub struct Ids(usize);

impl Ids {
    /// A new id: SVG ids must be unique on the page, which holds many charts.
    pub fn fresh(&mut self) -> String {
        self.0 += 1;
        format!("chart-{}", self.0)
    }
}

/// Width of every chart in SVG user units; CSS scales it to the column.
pub const WIDTH: f64 = 720.0;

/// The drawing area inside the axes.
#[derive(Debug, Clone, Copy)]
pub struct Plot {
    /// X of the area's left edge.
    pub left: f64,
    /// Y of its top edge.
    pub top: f64,
    /// Its width.
    pub width: f64,
    /// Its height.
    pub height: f64,
}

impl Plot {
    /// Y of the bottom edge, where the date axis is drawn.
    pub fn bottom(&self) -> f64 {
        self.top + self.height
    }
    /// X of the right edge.
    pub fn right(&self) -> f64 {
        self.left + self.width
    }

    /// The area of a chart over dates whose legend of `names` stands above it, and the
    /// figure's height: the line and the stacked charts share one layout, so their axes line
    /// up on the page.
    pub fn under_legend(names: &[String]) -> (Plot, f64) {
        let (_, legend_rows) = legend_layout(names);
        let plot = Plot {
            left: 70.0,
            top: 12.0 + legend_rows as f64 * LEGEND_ROW,
            width: WIDTH - 70.0 - 24.0,
            height: 230.0,
        };
        (plot, plot.bottom() + 50.0)
    }
}

/// Draws horizontal grid lines with tick labels and the vertical axis label; returns the map
/// from values to y.
pub fn value_axis(svg: &mut Svg, plot: Plot, ticks: &Ticks, label: &str) -> Linear {
    let y = Linear {
        d0: ticks.min,
        d1: ticks.max,
        r0: plot.bottom(),
        r1: plot.top,
    };
    for v in ticks.values() {
        let at = y.map(v);
        svg.line(
            plot.left,
            at,
            plot.right(),
            at,
            if v == 0.0 { "axis" } else { "grid" },
        );
        svg.text(
            plot.left - 6.0,
            at + 4.0,
            Anchor::End,
            "tick",
            &format::compact(v),
        );
    }
    svg.vertical_text(14.0, plot.top + plot.height / 2.0, "label", label);
    y
}

/// How a legend entry shows its series.
#[derive(Debug, Clone, Copy)]
pub enum Swatch {
    /// A short line in the series' colour and dash (line charts).
    Line,
    /// A filled square (stacked bars).
    Block,
}

/// Legend entries laid out in rows that fit `WIDTH`: (x, row) per entry, and the row count.
pub fn legend_layout(names: &[String]) -> (Vec<(f64, usize)>, usize) {
    let mut placed = Vec::with_capacity(names.len());
    let (mut x, mut row) = (8.0, 0);
    for name in names {
        let w = 34.0 + 7.0 * shorten(name, 32).chars().count() as f64 + 18.0;
        if x + w > WIDTH && x > 8.0 {
            x = 8.0;
            row += 1;
        }
        placed.push((x, row));
        x += w;
    }
    (placed, if names.is_empty() { 0 } else { row + 1 })
}

/// Height one legend row takes.
pub const LEGEND_ROW: f64 = 20.0;

/// Draws a chart's legend, one entry per series, wrapped to the chart's width.
pub fn legend(svg: &mut Svg, names: &[String], swatch: Swatch) {
    let (placed, _) = legend_layout(names);
    for (i, (name, (x, row))) in names.iter().zip(placed).enumerate() {
        let y = 14.0 + row as f64 * LEGEND_ROW;
        match swatch {
            Swatch::Line => svg.polyline(&[(x, y - 4.0), (x + 26.0, y - 4.0)], colour(i), dash(i)),
            Swatch::Block => svg.rect(x + 6.0, y - 11.0, 14.0, 14.0, colour(i), None),
        }
        svg.text(x + 32.0, y, Anchor::Start, "legend", &shorten(name, 32));
    }
}

/// A chart: its visible title, the SVG, notes about what is missing, and the data table.
pub fn figure(title: &str, svg: String, notes: &[String], table: String) -> String {
    let mut out = format!(
        "<figure class=\"block chart\"><h3>{}</h3>{svg}",
        text(title)
    );
    out.push_str("<details><summary>Data table</summary>");
    out.push_str(&table);
    out.push_str("</details>");
    for note in notes {
        out.push_str(&format!("<p class=\"note\">{}</p>", text(note)));
    }
    out.push_str("</figure>");
    out
}

/// Said in place of a chart: the title, a short headline ("No data") and why.
pub fn placeholder(title: &str, headline: &str, reason: &str) -> String {
    format!(
        "<figure class=\"block gap\"><h3>{}</h3><p class=\"gap-note\"><strong>{}.</strong> {}</p></figure>",
        text(title),
        text(headline),
        text(reason)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legend_wraps_into_rows_that_fit() {
        let names: Vec<String> = (0..12).map(|i| format!("account number {i}")).collect();
        let (placed, rows) = legend_layout(&names);
        assert!(rows > 1);
        for (name, (x, _)) in names.iter().zip(&placed) {
            assert!(x + 34.0 + 7.0 * name.len() as f64 <= WIDTH, "{name} at {x}");
        }
        assert_eq!(legend_layout(&[]).1, 0);
    }

    #[test]
    fn series_differ_by_dash_as_well_as_colour() {
        let styles: std::collections::HashSet<_> = (0..28).map(|i| (colour(i), dash(i))).collect();
        assert_eq!(styles.len(), 28);
    }

    #[test]
    fn placeholder_escapes_and_explains() {
        let html = placeholder("<Reddit>", "No data", "Never synced & never connected.");
        assert!(
            html.contains("&lt;Reddit&gt;") && html.contains("Never synced &amp; never connected.")
        );
    }
}
