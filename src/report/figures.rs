//! Headline figures ("figure cards"): a value, and its change against the previous period said in
//! words and arrows as well as colour ("▲ Up 12.5% (+250) from 2,000"), so it reads in print,
//! in grey and to a screen reader.

use super::escape::text;
use super::format;

#[derive(Debug, Clone, PartialEq)]
/// A headline number (followers, revenue) with its change over the period, the first thing
/// the page shows.
pub struct FigureCard {
    /// What the number is.
    pub label: String,
    /// `None`: nothing to show (e.g. a platform never synced); `missing_note` says why.
    pub value: Option<f64>,
    /// The value at the start of the period, for the change; `None`: no change is shown.
    pub previous: Option<f64>,
    /// Shown after the value, e.g. "USD"; empty for counts.
    pub unit: String,
    /// Said in place of the value when there is none.
    pub missing_note: String,
}

impl FigureCard {
    /// The card as HTML.
    pub fn render(&self) -> String {
        let Some(value) = self.value.filter(|v| v.is_finite()) else {
            return format!(
                "<div class=\"figure missing\"><div class=\"figure-label\">{}</div><div class=\"figure-value\">No data</div><div class=\"figure-delta\">{}</div></div>",
                text(&self.label),
                text(&self.missing_note)
            );
        };
        let unit = if self.unit.is_empty() {
            String::new()
        } else {
            format!(" <span class=\"unit\">{}</span>", text(&self.unit))
        };
        let (class, delta) = delta(value, self.previous);
        format!(
            "<div class=\"figure\"><div class=\"figure-label\">{}</div><div class=\"figure-value\">{}{unit}</div><div class=\"figure-delta {class}\">{}</div></div>",
            text(&self.label),
            format::grouped(value),
            text(&delta)
        )
    }
}

/// The CSS class and the sentence for the change from `previous` to `value`.
fn delta(value: f64, previous: Option<f64>) -> (&'static str, String) {
    let Some(prev) = previous.filter(|p| p.is_finite()) else {
        return ("flat", "No previous period to compare".to_string());
    };
    let diff = value - prev;
    let signed = if diff > 0.0 {
        format!("+{}", format::grouped(diff))
    } else {
        format::grouped(diff)
    };
    let pct = if prev != 0.0 {
        format!(" {}%", format::value((diff / prev.abs() * 100.0).abs()))
    } else {
        String::new()
    };
    let from = format::grouped(prev);
    if format::value(diff) == "0" {
        ("flat", format!("▶ No change from {from}"))
    } else if diff > 0.0 {
        ("up", format!("▲ Up{pct} ({signed}) from {from}"))
    } else {
        ("down", format!("▼ Down{pct} ({signed}) from {from}"))
    }
}

/// A row of figure cards.
pub fn row(cards: &[FigureCard]) -> String {
    let mut out = String::from("<div class=\"block figures\">");
    for c in cards {
        out.push_str(&c.render());
    }
    out.push_str("</div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_change_is_said_in_words_and_arrows() {
        let cases = [
            (2250.0, 2000.0, "up", "▲ Up 12.5% (+250) from 2,000"),
            (1500.0, 2000.0, "down", "▼ Down 25% (-500) from 2,000"),
            (5.0, 0.0, "up", "▲ Up (+5) from 0"),
            (5.0, 5.0, "flat", "▶ No change from 5"),
        ];
        for (value, previous, class, words) in cases {
            assert_eq!(delta(value, Some(previous)), (class, words.to_string()));
        }
        assert_eq!(delta(5.0, None).1, "No previous period to compare");
    }

    #[test]
    fn a_missing_value_says_why_and_labels_are_escaped() {
        let card = FigureCard {
            label: "<i>Reddit</i>".into(),
            value: None,
            previous: Some(3.0),
            unit: String::new(),
            missing_note: "Never synced.".into(),
        };
        let html = card.render();
        assert!(
            html.contains("&lt;i&gt;Reddit&lt;/i&gt;")
                && html.contains("No data")
                && html.contains("Never synced."),
            "{html}"
        );
    }
}
