//! Tables for people: fitted to the terminal without ever wrapping, plain when piped.
//!
//! A terminal gets aligned columns with a rule under the header, as gh and kubectl print them.
//! When the rows are wider than the terminal, long text is cut with `…` (never broken over lines:
//! an `audit list` entry stays one line), and when even that does not fit, the right-most columns,
//! the least important by each listing's column order, are dropped. Timestamps are shown in one
//! compact form (`2026-11-30 14:02`, UTC); JSON and CSV keep RFC 3339. When stdout is not a
//! terminal, a table is its header and rows separated by tabs: no padding, no rule, no trailing
//! spaces, for `grep`, `cut` and `awk`. The fitting (which column gets how wide, what is cut)
//! is decided here; comfy-table lays the cut cells out.

use comfy_table::{ContentArrangement, LineStyle, Table, TableStyle};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::Section;

/// What each column costs besides its text: comfy-table's one space of padding on each side;
/// and between two columns, its (blank) column separator.
const PADDING: usize = 2;
const SEPARATOR: usize = 1;

/// Columns with a single rule under the header, like gh and kubectl: easy to read and to copy
/// from.
const STYLE: TableStyle =
    TableStyle::new().header_separator(LineStyle::none().fill('─').junction(' '));
/// Text columns are never cut below this many cells (or their header, if wider).
const MIN_TEXT: usize = 12;
/// Assumed when the width cannot be read.
const DEFAULT_WIDTH: usize = 80;

/// How the table is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Aligned and fitted to this many columns.
    Terminal(usize),
    /// Tab-separated, for pipes.
    Plain,
}

/// The width of the terminal on stdout: `columns` when given (`$COLUMNS`, as shells and
/// `script` set it, read into `Config::columns`), else the terminal's own size.
pub fn terminal_width(columns: Option<usize>) -> usize {
    if let Some(n) = columns {
        return n;
    }
    // SAFETY: TIOCGWINSZ only writes a `winsize` into the struct we pass; a failure leaves it
    // zeroed, which is handled below.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    if ok && size.ws_col > 0 {
        size.ws_col as usize
    } else {
        DEFAULT_WIDTH
    }
}

/// An RFC 3339 timestamp in a cell becomes `YYYY-MM-DD HH:MM` (UTC); anything else is kept.
pub fn compact_time(cell: &str) -> Option<String> {
    let looks_like = cell.len() >= 20 && cell.as_bytes().get(10) == Some(&b'T');
    if !looks_like {
        return None;
    }
    let t = chrono::DateTime::parse_from_rfc3339(cell).ok()?;
    Some(
        t.with_timezone(&chrono::Utc)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
    )
}

/// Renders one section. The result has no trailing newline.
pub fn render(section: &Section, layout: Layout) -> String {
    let header: Vec<String> = section.columns.clone();
    // A column may be cut when it holds text: not when every cell is a time, a number or short.
    let mut cuttable = vec![false; header.len()];
    let rows: Vec<Vec<String>> = section
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(c, cell)| match compact_time(cell) {
                    Some(time) => time,
                    None => {
                        let shown = super::display_cell(cell);
                        if shown.width() > MIN_TEXT.max(header[c].width())
                            && cell.parse::<f64>().is_err()
                        {
                            cuttable[c] = true;
                        }
                        shown
                    }
                })
                .collect()
        })
        .collect();
    match layout {
        Layout::Plain => {
            let mut lines = vec![header.join("\t")];
            lines.extend(rows.iter().map(|r| r.join("\t")));
            lines.join("\n")
        }
        Layout::Terminal(width) => {
            let drop_first: Vec<usize> = section
                .dropped_first
                .iter()
                .filter_map(|d| header.iter().position(|h| h == d))
                .collect();
            fitted(&header, &rows, &cuttable, &drop_first, width)
        }
    }
}

fn fitted(
    header: &[String],
    rows: &[Vec<String>],
    cuttable: &[bool],
    drop_first: &[usize],
    width: usize,
) -> String {
    let natural: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].width())
                .chain([header[c].width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let floor: Vec<usize> = (0..header.len())
        .map(|c| {
            if cuttable[c] {
                MIN_TEXT.max(header[c].width()).min(natural[c])
            } else {
                natural[c]
            }
        })
        .collect();
    let total = |shown: &[usize], widths: &dyn Fn(usize) -> usize| {
        shown.iter().map(|&c| widths(c)).sum::<usize>()
            + PADDING * shown.len()
            + SEPARATOR * (shown.len() - 1)
    };
    // Drop columns until the floors fit: the low-value ones first, then from the right; the
    // first column always stays.
    let mut shown: Vec<usize> = (0..header.len()).collect();
    let order: Vec<usize> = drop_first
        .iter()
        .copied()
        .chain((1..header.len()).rev())
        .filter(|&c| c != 0)
        .collect();
    for c in order {
        if total(&shown, &|c| floor[c]) <= width {
            break;
        }
        shown.retain(|&s| s != c);
    }
    // Grow the cut columns back towards their natural width with the room left, in turn.
    let mut widths = floor.clone();
    let mut room = width.saturating_sub(total(&shown, &|c| floor[c]));
    while room > 0 {
        let mut grew = false;
        for &c in &shown {
            if room > 0 && widths[c] < natural[c] {
                widths[c] += 1;
                room -= 1;
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    let fit = |cells: &[String]| -> Vec<String> {
        shown.iter().map(|&c| cut(&cells[c], widths[c])).collect()
    };
    let mut table = Table::new();
    table.load_style(STYLE);
    // The cells are already cut to fit: comfy-table must neither wrap nor re-measure.
    table.set_content_arrangement(ContentArrangement::Disabled);
    table.set_header(fit(header));
    for row in rows {
        table.add_row(fit(row));
    }
    table
        .to_string()
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` within `width` display cells: whole, or cut with `…` at a character boundary.
fn cut(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(columns: &[&str], rows: &[&[&str]]) -> Section {
        Section {
            title: None,
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
            ..Section::default()
        }
    }

    #[test]
    fn timestamps_are_compact_and_whole() {
        assert_eq!(
            compact_time("2026-11-30T14:02:59Z").as_deref(),
            Some("2026-11-30 14:02")
        );
        assert_eq!(
            compact_time("2026-11-30T23:30:00-02:00").as_deref(),
            Some("2026-12-01 01:30")
        );
        assert_eq!(compact_time("2026-11-30"), None);
        assert_eq!(compact_time("not a time at all, no"), None);
    }

    #[test]
    fn long_text_is_cut_and_nothing_wraps() {
        let long = "word ".repeat(40);
        let s = section(
            &["id", "at", "detail"],
            &[&["1", "2026-11-30T14:02:00Z", long.trim()]],
        );
        let out = render(&s, Layout::Terminal(80));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3, "{out}");
        for l in &lines {
            assert!(l.width() <= 80, "{l}");
            assert_eq!(l.trim_end(), *l);
        }
        assert!(lines[2].contains("2026-11-30 14:02"), "{out}");
        assert!(lines[2].ends_with('…'), "{out}");
    }

    #[test]
    fn the_right_most_columns_go_first_when_even_cut_text_does_not_fit() {
        let mut s = section(
            &[
                "id",
                "username",
                "display_name",
                "message_count",
                "last_seen_at",
            ],
            &[&[
                "12345",
                "a_rather_long_username",
                "A Rather Long Display Name",
                "42",
                "2026-11-30T14:02:00Z",
            ]],
        );
        let out = render(&s, Layout::Terminal(40));
        assert!(out.lines().all(|l| l.width() <= 40), "{out}");
        assert!(out.trim_start().starts_with("id"), "{out}");
        assert!(!out.contains("last_seen_at"), "{out}");
        // Named low-value columns go before the right-most ones.
        s.dropped_first = vec!["display_name".into(), "message_count".into()];
        let out = render(&s, Layout::Terminal(44));
        assert!(out.lines().all(|l| l.width() <= 44), "{out}");
        assert!(
            out.contains("last_seen_at") && out.contains("2026-11-30 14:02"),
            "{out}"
        );
        assert!(!out.contains("display_name"), "{out}");
    }

    #[test]
    fn piped_tables_are_tab_separated_without_padding() {
        let s = section(&["id", "name"], &[&["1", "Ann"], &["22", "Bo"]]);
        assert_eq!(render(&s, Layout::Plain), "id\tname\n1\tAnn\n22\tBo");
    }

    #[test]
    fn wide_characters_count_double() {
        assert_eq!(cut("日本語のテキスト", 7), "日本語…");
        assert_eq!(cut("short", 7), "short");
    }
}
