//! A small SVG writer: just the elements the report's charts draw, each text escaped on the way
//! in, coordinates rounded to a tenth of a pixel (enough on screen and in print, and it keeps the
//! page small).
//!
//! Every chart opens with [`Svg::new`], which writes the `<title>` and `<desc>` that screen
//! readers announce (referenced by `aria-labelledby`), so no chart can be drawn without them.
//! Colours and dashes come in as arguments; fonts and strokes of axes come from the page's CSS
//! classes (`axis`, `grid`, `tick`, `label`).

use super::escape::text;

/// A coordinate with at most one decimal, `-0` printed as `0`; kept within a million units of
/// the origin, so an extreme value draws off the chart instead of as `inf` or 300 digits.
pub fn num(v: f64) -> String {
    let v = if v.is_finite() {
        (v.clamp(-1e6, 1e6) * 10.0).round() / 10.0
    } else {
        0.0
    };
    let s = format!("{v:.1}");
    let s = s.strip_suffix(".0").unwrap_or(&s);
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Horizontal alignment of a text.
#[derive(Debug, Clone, Copy)]
pub enum Anchor {
    /// The text starts at x.
    Start,
    /// The text is centred on x.
    Middle,
    /// The text ends at x.
    End,
}

impl Anchor {
    fn attr(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// One SVG document being written; [`Svg::finish`] closes it.
pub struct Svg {
    buf: String,
}

impl Svg {
    /// An `<svg>` of `width` x `height` user units (scaled to the page width by CSS), announced
    /// as an image labelled by its `title` and described by `desc`. `id` must be unique on the
    /// page.
    pub fn new(id: &str, width: f64, height: f64, title: &str, desc: &str) -> Self {
        let id = text(id);
        let buf = format!(
            "<svg class=\"chart-svg\" viewBox=\"0 0 {w} {h}\" \
             width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\
             <title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{desc}</desc>",
            w = num(width),
            h = num(height),
            title = text(title),
            desc = text(desc),
        );
        Svg { buf }
    }

    /// A straight line styled by the page's CSS `class`.
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, class: &str) {
        self.buf.push_str(&format!(
            "<line class=\"{}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
            text(class),
            num(x1),
            num(y1),
            num(x2),
            num(y2)
        ));
    }

    /// A filled rectangle; `tooltip` becomes its `<title>` (shown on hover).
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, tooltip: Option<&str>) {
        let open = format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"",
            num(x),
            num(y),
            num(w.max(0.0)),
            num(h.max(0.0)),
            text(fill)
        );
        self.buf.push_str(&open);
        match tooltip {
            Some(t) => self
                .buf
                .push_str(&format!("><title>{}</title></rect>", text(t))),
            None => self.buf.push_str("/>"),
        }
    }

    /// A filled dot: the points of a short series are marked.
    pub fn circle(&mut self, x: f64, y: f64, r: f64, fill: &str) {
        self.buf.push_str(&format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\"/>",
            num(x),
            num(y),
            num(r),
            text(fill)
        ));
    }

    /// An open line through `points`, `dash` a `stroke-dasharray` ("" for solid).
    pub fn polyline(&mut self, points: &[(f64, f64)], stroke: &str, dash: &str) {
        let coords: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{},{}", num(*x), num(*y)))
            .collect();
        let dash = if dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{}\"", text(dash))
        };
        self.buf.push_str(&format!(
            "<polyline class=\"series\" fill=\"none\" stroke=\"{}\"{dash} points=\"{}\"/>",
            text(stroke),
            coords.join(" ")
        ));
    }

    /// Text, escaped, so a caption from a platform cannot inject markup.
    pub fn text(&mut self, x: f64, y: f64, anchor: Anchor, class: &str, content: &str) {
        self.buf.push_str(&format!(
            "<text class=\"{}\" x=\"{}\" y=\"{}\" text-anchor=\"{}\">{}</text>",
            text(class),
            num(x),
            num(y),
            anchor.attr(),
            text(content)
        ));
    }

    /// A text turned a quarter anticlockwise about its anchor (the label of a vertical axis).
    pub fn vertical_text(&mut self, x: f64, y: f64, class: &str, content: &str) {
        self.buf.push_str(&format!(
            "<text class=\"{}\" x=\"0\" y=\"0\" text-anchor=\"middle\" transform=\"translate({} {}) rotate(-90)\">{}</text>",
            text(class),
            num(x),
            num(y),
            text(content)
        ));
    }

    /// The finished `<svg>` element.
    pub fn finish(mut self) -> String {
        self.buf.push_str("</svg>");
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::format::tests::assert_writes;

    #[test]
    fn num_rounds_to_a_tenth() {
        assert_writes(
            num,
            &[
                (12.0, "12"),
                (12.345, "12.3"),
                (-0.04, "0"),
                (f64::NAN, "0"),
                (f64::MAX, "1000000"),
            ],
        );
    }

    #[test]
    fn every_text_is_escaped_title_and_desc_first() {
        let mut svg = Svg::new("c1", 100.0, 50.0, "<b>T</b>", "a & \"b\"");
        svg.text(1.0, 2.0, Anchor::End, "tick", "</svg><script>x</script>");
        svg.rect(0.0, 0.0, 1.0, 1.0, "#000", Some("it's <3"));
        let out = svg.finish();
        assert!(out.contains("<title id=\"c1-title\">&lt;b&gt;T&lt;/b&gt;</title><desc id=\"c1-desc\">a &amp; &quot;b&quot;</desc>"), "{out}");
        assert!(
            out.contains("&lt;/svg&gt;&lt;script&gt;x&lt;/script&gt;"),
            "{out}"
        );
        assert!(out.contains("<title>it&#39;s &lt;3</title>"), "{out}");
        assert!(!out.contains("<script"), "{out}");
        assert!(out.ends_with("</svg>") && out.matches("</svg>").count() == 1);
    }

    #[test]
    fn negative_sizes_are_clamped_to_zero() {
        let mut svg = Svg::new("c", 10.0, 10.0, "t", "d");
        svg.rect(0.0, 0.0, -5.0, 3.0, "red", None);
        assert!(svg.finish().contains("width=\"0\" height=\"3\""));
    }
}
