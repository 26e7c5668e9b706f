//! How numbers and dates read on the page: exact values in data tables, grouped digits on figure
//! cards, short forms (`1.5k`, `2M`) on axis ticks. One place, so a table and its chart agree.

use chrono::NaiveDate;

/// A value as a data table shows it: at most two decimals, trailing zeros dropped, no `-0`.
pub fn value(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    if v.abs() >= 1e15 {
        // Beyond any real count or amount: a short scientific form, not 300 digits.
        return format!("{v:.3e}");
    }
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A value with thousands separated by commas, as on a figure card: `12,345.5`.
pub fn grouped(v: f64) -> String {
    let plain = value(v);
    let (sign, rest) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut out = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A tick label: `950`, `1.5k`, `12M`, `3B`.
pub fn compact(v: f64) -> String {
    let a = v.abs();
    let (scaled, suffix) = if a >= 1e9 {
        (v / 1e9, "B")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    format!("{}{suffix}", value(scaled))
}

/// A date in tables and descriptions: ISO 8601, which sorts and reads the same everywhere.
pub fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `s` with its first letter upper-case: "week starting" as a column header.
pub fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Asserts that `format` writes each number of `cases` as the text beside it.
    pub(crate) fn assert_writes(format: fn(f64) -> String, cases: &[(f64, &str)]) {
        for &(number, text) in cases {
            assert_eq!(format(number), text, "{number}");
        }
    }

    #[test]
    fn value_keeps_two_decimals_at_most() {
        assert_writes(
            value,
            &[
                (1234.0, "1234"),
                (12.5, "12.5"),
                (0.126, "0.13"),
                (-0.001, "0"),
                (f64::NAN, "n/a"),
                (f64::MAX, "1.798e308"),
            ],
        );
    }

    #[test]
    fn grouped_separates_thousands() {
        assert_writes(
            grouped,
            &[
                (0.0, "0"),
                (999.0, "999"),
                (1000.0, "1,000"),
                (-1234567.25, "-1,234,567.25"),
            ],
        );
    }

    #[test]
    fn compact_shortens_large_ticks() {
        assert_writes(
            compact,
            &[
                (950.0, "950"),
                (1500.0, "1.5k"),
                (-2_000_000.0, "-2M"),
                (3e9, "3B"),
            ],
        );
    }
}
