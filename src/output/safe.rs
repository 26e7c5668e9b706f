//! Making text that platforms control safe to show: in a terminal, and in a spreadsheet.
//!
//! Names, captions, DM bodies and comments come from strangers. Printed raw, an ESC sequence
//! can retitle, recolour or rewrite the user's terminal, a CR or newline can forge rows, and a
//! bidi override can make text read backwards. Opened in a spreadsheet, a CSV cell that starts
//! with `=`, `+`, `-`, `@`, tab or CR is run as a formula (OWASP "CSV Injection"). So:
//!
//! - [`terminal_safe`] shows every control character (C0, DEL, C1) and every bidi control as an
//!   escape (`\x1b`, `\n`, `\u{202e}`); tables go through it, titles included.
//! - [`csv_safe_cell`] prefixes `'` to a cell a spreadsheet would evaluate, and [`csv_record`]
//!   writes a row with such a cell always quoted (OWASP's advice: prefix, quote, double inner
//!   quotes). A cell that is a plain number (`-12.50`, `+3`) is left alone: a spreadsheet reads
//!   it as the number it is, and amounts must stay numbers. `--csv-raw` turns this off for
//!   scripts that want the exact text.
//! - JSON is never touched: it is exact, and its own escaping keeps control characters inert.
//!
//! The import rejects writer (`import/`) calls [`csv_safe_cell`] too, so the rule lives here once.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal as it is: C0 controls (tab and newline included), DEL,
/// C1 controls, and the bidirectional formatting characters.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with control and bidi characters shown as escapes; borrowed when there are none.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) && (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A plain decimal number, optionally signed: `-12.50`, `+3`, `7`.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a spreadsheet would evaluate `cell` as a formula.
pub fn is_formula_like(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_number(cell)
}

/// `cell` as a spreadsheet must receive it: with a leading `'` when it would otherwise run as a
/// formula, unchanged (borrowed) otherwise. Write the result quoted ([`csv_record`] does).
pub fn csv_safe_cell(cell: &str) -> Cow<'_, str> {
    if is_formula_like(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// One CSV line (with its `\n`): cells quoted when they hold a comma, a quote, CR or LF, and,
/// unless `raw`, neutralised with [`csv_safe_cell`] and then always quoted.
pub fn csv_record<S: AsRef<str>>(cells: &[S], raw: bool) -> String {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        let cell = cell.as_ref();
        let neutralised = !raw && is_formula_like(cell);
        let cell = if raw {
            Cow::Borrowed(cell)
        } else {
            csv_safe_cell(cell)
        };
        let quote = neutralised
            || cell.contains([',', '"', '\r', '\n'])
            || (cells.len() == 1 && cell.is_empty());
        if quote {
            line.push('"');
            line.push_str(&cell.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(&cell);
        }
    }
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_shown_escaped() {
        assert!(matches!(terminal_safe("plain ünïcode"), Cow::Borrowed(_)));
        assert_eq!(
            terminal_safe("\u{1b}[2J\u{7}a\tb\r\nc\u{7f}\u{9b}\u{202e}d\u{2066}"),
            r"\x1b[2J\x07a\tb\r\nc\x7f\u{9b}\u{202e}d\u{2066}"
        );
    }

    #[test]
    fn formula_cells_get_a_quote_and_numbers_do_not() {
        for (cell, safe) in [
            ("=1+2", "'=1+2"),
            ("+cmd", "'+cmd"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-", "'-"),
            ("-.5", "'-.5"),
            ("-1.", "'-1."),
            ("-12.50", "-12.50"),
            ("+3", "+3"),
            ("42", "42"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(csv_safe_cell(cell), safe, "{cell:?}");
        }
    }

    #[test]
    fn records_quote_what_needs_it() {
        assert_eq!(
            csv_record(&["1", "a,b", "say \"hi\"", "=X", "-1.5", ""], false),
            "1,\"a,b\",\"say \"\"hi\"\"\",\"'=X\",-1.5,\n"
        );
        assert_eq!(csv_record(&["=X", "l\nr"], true), "=X,\"l\nr\"\n");
        assert_eq!(csv_record(&[""], false), "\"\"\n");
    }
}
