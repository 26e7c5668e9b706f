//! Tables: the plain table block (top fans, data health) and the data table under every chart.
//! Cells are typed so numbers align right and print the same way as on the charts, and so a link
//! to a post is the only link a page can hold (checked by [`super::escape::post_link`]).

use super::escape::{post_link, text};
use super::format;

/// One table cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, escaped.
    Text(String),
    /// A number, formatted as the charts format it and aligned right.
    Number(f64),
    /// Text linking to the post itself; shown as plain text when the URL is not a web URL.
    Link {
        /// The shown text.
        text: String,
        /// The post's URL; only http(s) URLs become links.
        url: String,
    },
    /// No value here (a series without a point on this date).
    Empty,
}

impl Cell {
    fn html(&self) -> String {
        match self {
            Cell::Text(t) => format!("<td>{}</td>", text(t)),
            Cell::Number(v) => format!("<td class=\"num\">{}</td>", format::value(*v)),
            Cell::Link { text: t, url } => match post_link(url) {
                Some(href) => format!(
                    "<td><a class=\"post-link\" href=\"{}\" rel=\"noopener noreferrer\">{}</a></td>",
                    text(&href),
                    text(t)
                ),
                None => format!("<td>{}</td>", text(t)),
            },
            Cell::Empty => {
                "<td class=\"num empty\"><span aria-label=\"no value\">–</span></td>".to_string()
            }
        }
    }
}

/// A plain table with a title; no rows renders as a "no data" placeholder.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The table's heading.
    pub title: String,
    /// Why the table is empty, said in its place (e.g. "No fans imported yet").
    pub empty_note: String,
    /// The header row.
    pub headers: Vec<String>,
    /// The cells, row by row.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The table as HTML.
    pub fn render(&self) -> String {
        if self.rows.is_empty() {
            return super::chart::placeholder(&self.title, "No data", &self.empty_note);
        }
        format!(
            "<div class=\"block table-block\"><h3>{}</h3>{}</div>",
            text(&self.title),
            html_table(None, &self.headers, &self.rows)
        )
    }
}

/// A `<table>` with an optional caption; `headers` become `<th scope="col">`.
pub fn html_table(caption: Option<&str>, headers: &[String], rows: &[Vec<Cell>]) -> String {
    let mut out = String::from("<table>");
    if let Some(c) = caption {
        out.push_str(&format!("<caption>{}</caption>", text(c)));
    }
    out.push_str("<thead><tr>");
    for (i, h) in headers.iter().enumerate() {
        // A column of numbers has its header aligned with them, on the right.
        let numeric = !rows.is_empty()
            && rows
                .iter()
                .all(|r| matches!(r.get(i), Some(Cell::Number(_) | Cell::Empty)));
        let class = if numeric { " class=\"num\"" } else { "" };
        out.push_str(&format!("<th scope=\"col\"{class}>{}</th>", text(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&cell.html());
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_text_and_refuse_non_web_links() {
        let rows = vec![vec![
            Cell::Text("<img src=x onerror=alert(1)>".into()),
            Cell::Link {
                text: "post".into(),
                url: "javascript:alert(1)".into(),
            },
            Cell::Link {
                text: "ok".into(),
                url: "https://reddit.com/r/a/1".into(),
            },
            Cell::Number(1234.5),
            Cell::Empty,
        ]];
        let html = html_table(Some("c & d"), &["<h>".into()], &rows);
        assert!(
            html.contains("<td>&lt;img src=x onerror=alert(1)&gt;</td>"),
            "{html}"
        );
        assert!(html.contains("<td>post</td>"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("href=\"https://reddit.com/r/a/1\""), "{html}");
        assert!(html.contains("<td class=\"num\">1234.5</td>"), "{html}");
        assert!(
            html.contains(
                "<caption>c &amp; d</caption><thead><tr><th scope=\"col\">&lt;h&gt;</th>"
            ),
            "{html}"
        );
    }

    #[test]
    fn an_empty_table_says_why() {
        let t = Table {
            title: "Top fans".into(),
            empty_note: "No fans imported yet.".into(),
            headers: vec![],
            rows: vec![],
        };
        let html = t.render();
        assert!(
            html.contains("No fans imported yet.") && !html.contains("<table"),
            "{html}"
        );
    }
}
