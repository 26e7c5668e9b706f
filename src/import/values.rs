//! Cell values of imported CSV files: money amounts and timestamps as people and spreadsheet
//! tools write them (`$1,234.50`, `1.234,50 €`, `11/01/2026 3:30 PM`, RFC 3339).
//!
//! Everything here is pure: a `&str` in, a typed value or a [`ValueError`] out. It must never
//! guess: a value that fits two readings is an error naming the flag that settles it. Money is
//! exact integer cents (never `f64`, which cannot hold 0.10), and parsing works on slices of the
//! input, allocating only for the currency code and for error messages.
//! The header mapping and the row types that use these values live next door in `import/`.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, Timelike, Utc};

/// The largest amount a cell may hold, in cents: 10,000,000,000.00. No payment or lifetime
/// total comes near it; a larger value is a broken cell, and bounding every amount keeps sums
/// of millions of them far from the 64-bit limit of the database's integers.
pub const MAX_CENTS: i64 = 1_000_000_000_000;

/// A money amount as exact cents, with the currency written next to it when there was one.
/// `None` lets the caller apply the file's or the user's default currency (usually `USD`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    /// The amount in minor units, so sums are exact.
    pub cents: i64,
    /// The currency written with the amount (a symbol or a three-letter code), as its code.
    pub currency: Option<String>,
}

/// Which reading to use for numeric dates whose day and month could be swapped. `Auto` takes
/// the usual convention of each form (slash: US month/day, dot: European day/month) and refuses
/// the cases that convention cannot settle; the others are what `--date-format` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    /// Each form's usual convention, refusing what it cannot settle.
    #[default]
    Auto,
    /// Only year-first dates (`2026-11-01`) are accepted.
    Iso,
    /// Month first: `11/01/2026` is November 1st.
    Mdy,
    /// Day first: `01/11/2026` is November 1st.
    Dmy,
}

/// Why a cell could not be read. Each message is one line that quotes the cell (escaped, so a
/// multi-line cell stays on one line) and says how to write it instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("bad amount {value:?}: {reason}; write it like 1234.50, $1,234.50 or 1.234,50 EUR")]
    /// Not a number an export writes money as.
    BadAmount {
        /// The cell as read.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    #[error(
        "amount {value:?} has more than 2 decimal places; round it to whole cents (e.g. 12.35)"
    )]
    /// Fractions of a cent: rounding silently would change sums.
    TooManyDecimals {
        /// The cell as read.
        value: String,
    },
    #[error("bad count {value:?}: {reason}; write it like 1234 or 1,234")]
    /// Not a whole number.
    BadCount {
        /// The cell as read.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    #[error("bad date {value:?}: {reason}; write it like 2026-11-01 or 2026-11-01T12:30:00Z")]
    /// Not a date or time in a form socialcrm reads.
    BadDate {
        /// The cell as read.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    #[error("ambiguous date {value:?}: day and month could be swapped; pass {fix}")]
    /// Day and month could be swapped and the file does not say which comes first.
    AmbiguousDate {
        /// The cell as read.
        value: String,
        /// The `--date-format` to pass.
        fix: &'static str,
    },
    /// Not ambiguous itself (the first number cannot be a month), but it shows the file writes
    /// the day first while `auto` reads slash dates month first: the file's other dates would be
    /// read the wrong way round, so the order must be said once for the whole file.
    #[error(
        "date {value:?} writes the day first ({day} cannot be a month), but slash dates are read month first; pass {fix}"
    )]
    DayFirst {
        /// The cell as read.
        value: String,
        /// The first number, which cannot be a month.
        day: u32,
        /// The `--date-format` to pass.
        fix: &'static str,
    },
}

/// Currency symbols seen in exports, with the ISO 4217 code each one stands for.
const SYMBOLS: [(char, &str); 3] = [('$', "USD"), ('€', "EUR"), ('£', "GBP")];

/// Characters people use between groups of thousands besides `,` and `.`: a space, a no-break
/// space (U+00A0, Excel in French locales) and a narrow no-break space (U+202F).
fn is_space_grouping(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}')
}

/// A cell as an optional value: `None` when it is blank, else what `parse` makes of its text
/// without the surrounding blanks; `parse` is handed `bad`, which turns a reason into the
/// column's error (`refused`) quoting that text.
fn optional<T>(
    raw: &str,
    refused: fn(String, &'static str) -> ValueError,
    parse: impl FnOnce(&str, &dyn Fn(&'static str) -> ValueError) -> Result<T, ValueError>,
) -> Result<Option<T>, ValueError> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    parse(text, &|reason| refused(text.to_owned(), reason)).map(Some)
}

/// Parses a money cell. Empty cells are `Ok(None)` because most amount columns are optional.
///
/// Separators: when both `,` and `.` appear, the last one is the decimal separator; a lone
/// separator followed by exactly three digits groups thousands (`1,234` and `1.234` are both
/// 1234.00), otherwise it is the decimal separator. Negative amounts are `-12.00` or the
/// accounting form `(12.00)`.
pub fn parse_amount(raw: &str) -> Result<Option<Money>, ValueError> {
    let refused = |value, reason| ValueError::BadAmount { value, reason };
    optional(raw, refused, |text, bad| {
        let (mut s, parenthesized) = match text.strip_prefix('(').and_then(|r| r.strip_suffix(')'))
        {
            Some(inner) => (inner.trim(), true),
            None => (text, false),
        };
        let mut minus = false;
        if let Some(rest) = s.strip_prefix('-') {
            minus = true;
            s = rest.trim_start();
        }
        let mut currency = None;
        if let Some((code, rest)) = currency_prefix(s) {
            currency = Some(code);
            s = rest.trim_start();
            // `$-12` as well as `-$12`.
            if let Some(rest) = s.strip_prefix('-').filter(|_| !minus) {
                minus = true;
                s = rest.trim_start();
            }
        } else if let Some((code, rest)) = currency_suffix(s) {
            currency = Some(code);
            s = rest.trim_end();
        }
        if minus && parenthesized {
            return Err(bad("it has both a minus sign and parentheses"));
        }

        let cents = parse_cents(s, text)?;
        if cents > MAX_CENTS {
            return Err(bad("an amount is at most 10,000,000,000.00"));
        }
        Ok(Money {
            cents: if minus || parenthesized {
                -cents
            } else {
                cents
            },
            currency: currency.map(str::to_owned),
        })
    })
}

/// Splits a leading currency symbol or three-letter uppercase code off `s`.
fn currency_prefix(s: &str) -> Option<(&str, &str)> {
    for (symbol, code) in SYMBOLS {
        if let Some(rest) = s.strip_prefix(symbol) {
            return Some((code, rest));
        }
    }
    let b = s.as_bytes();
    let is_code = b.len() >= 3
        && b[..3].iter().all(u8::is_ascii_uppercase)
        && b.get(3).is_none_or(|c| !c.is_ascii_alphabetic());
    is_code.then(|| s.split_at(3))
}

/// Splits a trailing currency symbol or three-letter uppercase code off `s`.
fn currency_suffix(s: &str) -> Option<(&str, &str)> {
    for (symbol, code) in SYMBOLS {
        if let Some(rest) = s.strip_suffix(symbol) {
            return Some((code, rest));
        }
    }
    let b = s.as_bytes();
    let n = b.len();
    let is_code = n >= 3
        && b[n - 3..].iter().all(u8::is_ascii_uppercase)
        && (n == 3 || !b[n - 4].is_ascii_alphabetic());
    is_code.then(|| (&s[n - 3..], &s[..n - 3]))
}

/// Reads the number part of an amount (no sign, no currency) as cents. `text` is the whole
/// cell, quoted in errors.
fn parse_cents(s: &str, text: &str) -> Result<i64, ValueError> {
    let bad = |reason| ValueError::BadAmount {
        value: text.to_owned(),
        reason,
    };
    let has_comma = s.contains(',');
    let has_dot = s.contains('.');
    let last_sep = s.rfind([',', '.']);
    let decimal_at = match last_sep {
        None => None,
        Some(at) if has_comma && has_dot => Some(at),
        Some(at) => {
            let sep = &s[at..=at];
            let after = &s[at + 1..];
            let lone = s.matches(sep).count() == 1;
            let groups_thousands = after.len() == 3
                && after.bytes().all(|b| b.is_ascii_digit())
                && !s.starts_with('0');
            (lone && !groups_thousands).then_some(at)
        }
    };
    let (int_part, frac_part, decimal_sep) = match decimal_at {
        Some(at) => (&s[..at], Some(&s[at + 1..]), s[at..].chars().next()),
        None => (s, None, None),
    };

    let mut units: i64 = 0;
    let mut grouping: Option<char> = None;
    let mut group_len = 0;
    let mut digits = 0;
    for c in int_part.chars() {
        if let Some(d) = c.to_digit(10) {
            units = units
                .checked_mul(10)
                .and_then(|u| u.checked_add(i64::from(d)))
                .ok_or_else(|| bad("it is too large"))?;
            group_len += 1;
            digits += 1;
        } else if c == ',' || c == '.' || is_space_grouping(c) {
            if Some(c) == decimal_sep {
                return Err(bad("the decimal separator appears twice"));
            }
            let first_group = grouping.is_none();
            if grouping.is_some_and(|g| g != c) {
                return Err(bad("it mixes thousands separators"));
            }
            grouping = Some(c);
            let group_ok = if first_group {
                (1..=3).contains(&group_len)
            } else {
                group_len == 3
            };
            if !group_ok {
                return Err(bad("thousands separators must split groups of 3 digits"));
            }
            group_len = 0;
        } else {
            return Err(bad(
                "it contains something other than digits and separators",
            ));
        }
    }
    if digits == 0 {
        return Err(bad("it has no digits before the decimal separator"));
    }
    if grouping.is_some() && group_len != 3 {
        return Err(bad("thousands separators must split groups of 3 digits"));
    }

    let frac = match frac_part {
        None => 0,
        Some(f) if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) => {
            return Err(bad("it needs digits after the decimal separator"));
        }
        Some(f) if f.len() > 2 => {
            return Err(ValueError::TooManyDecimals {
                value: text.to_owned(),
            });
        }
        Some(f) => {
            let b = f.as_bytes();
            let tens = i64::from(b[0] - b'0') * 10;
            tens + b.get(1).map_or(0, |d| i64::from(d - b'0'))
        }
    };
    units
        .checked_mul(100)
        .and_then(|c| c.checked_add(frac))
        .ok_or_else(|| bad("it is too large"))
}

/// The largest count a cell may hold (clicks, subscribers): far above any real link's.
pub const MAX_COUNT: i64 = 1_000_000_000_000;

/// Parses a whole, non-negative count (`1234`, `1,234`, `1.234`, `1 234`). Empty cells are
/// `Ok(None)`. Thousands separators must split groups of three digits, so `12.5` and `1,5` —
/// a decimal, not a count — are errors rather than 125 and 15.
pub fn parse_count(raw: &str) -> Result<Option<i64>, ValueError> {
    let refused = |value, reason| ValueError::BadCount { value, reason };
    optional(raw, refused, |text, bad| {
        let mut groups = text.split(|c| matches!(c, ',' | '.') || is_space_grouping(c));
        let first = groups.next().unwrap_or("");
        let rest: Vec<&str> = groups.collect();
        let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
        if !digits(first) || !rest.iter().all(|g| digits(g)) {
            return Err(bad("a count is a whole number of digits"));
        }
        if !rest.is_empty() && (first.len() > 3 || rest.iter().any(|g| g.len() != 3)) {
            return Err(bad(
                "a count is a whole number (separators must split groups of 3 digits)",
            ));
        }
        let mut n: i64 = 0;
        for b in std::iter::once(first).chain(rest).flat_map(str::bytes) {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(i64::from(b - b'0')))
                .filter(|&n| n <= MAX_COUNT)
                .ok_or_else(|| bad("it is too large"))?;
        }
        Ok(n)
    })
}

/// Parses a timestamp cell. Empty cells are `Ok(None)`. Times without an offset are UTC, as
/// exports do not say which zone they were written in.
///
/// Accepted: RFC 3339 / ISO 8601 (`2026-11-01`, `2026-11-01 12:30`, `2026-11-01T12:30:00.5Z`,
/// `+02:00` offsets), and numeric `MM/DD/YYYY`, `DD.MM.YYYY`, `DD-MM-YYYY` dates optionally
/// followed by `HH:MM[:SS]` and `AM`/`PM`. See [`DateOrder`] for which part is the month.
pub fn parse_datetime(raw: &str, order: DateOrder) -> Result<Option<DateTime<Utc>>, ValueError> {
    let refused = |value, reason| ValueError::BadDate { value, reason };
    optional(raw, refused, |text, bad| {
        let (date_part, time_part) = match text.find(['T', 't', ' ']) {
            Some(at) => (&text[..at], Some(text[at + 1..].trim())),
            None => (text, None),
        };
        let date = parse_date(date_part, order, text)?;
        let (time, offset) = match time_part {
            None => (NaiveTime::MIN, 0),
            Some("") => return Err(bad("the time after the date is missing")),
            Some(t) => parse_time(t).map_err(bad)?,
        };
        let zone =
            FixedOffset::east_opt(offset).ok_or_else(|| bad("the UTC offset is out of range"))?;
        let local = date
            .and_time(time)
            .and_local_timezone(zone)
            .single()
            .ok_or_else(|| bad("it is out of range"))?;
        let utc = local.with_timezone(&Utc);
        // Both stores agree on years 0000 to 9999 in UTC (SQLite keeps fixed-width text).
        if !(0..=9999).contains(&utc.year()) {
            return Err(bad("in UTC it falls outside the years 0000 to 9999"));
        }
        // Both stores keep microseconds: a finer time would make two rows one key in the database
        // but two in memory.
        Ok(utc
            .with_nanosecond(utc.nanosecond() / 1000 * 1000)
            .unwrap_or(utc))
    })
}

/// Reads the date part: year-first, or a numeric day and month in the order `order` picks.
fn parse_date(d: &str, order: DateOrder, text: &str) -> Result<NaiveDate, ValueError> {
    let bad = |reason| ValueError::BadDate {
        value: text.to_owned(),
        reason,
    };
    let ambiguous = |fix| ValueError::AmbiguousDate {
        value: text.to_owned(),
        fix,
    };
    let sep = d
        .chars()
        .find(|c| !c.is_ascii_digit())
        .ok_or_else(|| bad("it is not a date"))?;
    if !matches!(sep, '-' | '/' | '.') {
        return Err(bad("the date parts must be separated by -, / or ."));
    }
    let mut parts = d.split(sep);
    let (Some(p1), Some(p2), Some(p3), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("a date needs exactly three parts"));
    };
    let numeric = |p: &str, max_len| {
        if p.is_empty() || p.len() > max_len || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("each date part must be a number"));
        }
        p.parse::<u32>()
            .map_err(|_| bad("each date part must be a number"))
    };

    let (year, month, day) = if p1.len() == 4 {
        (numeric(p1, 4)?, numeric(p2, 2)?, numeric(p3, 2)?)
    } else {
        if p3.len() != 4 {
            return Err(bad("the year must have 4 digits"));
        }
        let (a, b, year) = (numeric(p1, 2)?, numeric(p2, 2)?, numeric(p3, 4)?);
        let (month, day) = match (order, sep) {
            (DateOrder::Iso, _) => {
                return Err(bad("--date-format iso expects the year first"));
            }
            (DateOrder::Mdy, _) => (a, b),
            (DateOrder::Dmy, _) => (b, a),
            (DateOrder::Auto, '.') => (b, a),
            (DateOrder::Auto, '/') if a > 12 && b <= 12 => {
                return Err(ValueError::DayFirst {
                    value: text.to_owned(),
                    day: a,
                    fix: "`--date-format dmy` if the file writes day/month",
                });
            }
            (DateOrder::Auto, '/') => (a, b),
            (DateOrder::Auto, _) if a > 12 => (b, a),
            (DateOrder::Auto, _) if b > 12 || a == b => (a, b),
            (DateOrder::Auto, _) => {
                return Err(ambiguous("`--date-format mdy` or `--date-format dmy`"));
            }
        };
        (year, month, day)
    };
    let year = i32::try_from(year).map_err(|_| bad("the year is out of range"))?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| bad("no such day in the calendar"))
}

/// Reads the time part: `HH:MM[:SS[.fff]]`, then an optional `AM`/`PM`, then an optional `Z`
/// or `±HH[:MM]` offset. Returns the time and the offset in seconds east of UTC.
fn parse_time(t: &str) -> Result<(NaiveTime, i32), &'static str> {
    let (t, offset) = split_offset(t)?;
    let t = t.trim_end();
    let (t, pm) = match t.len().checked_sub(2).filter(|&at| t.is_char_boundary(at)) {
        Some(at) if t[at..].eq_ignore_ascii_case("am") => (t[..at].trim_end(), Some(false)),
        Some(at) if t[at..].eq_ignore_ascii_case("pm") => (t[..at].trim_end(), Some(true)),
        _ => (t, None),
    };
    let time = clock_time(t).ok_or("the time must be HH:MM or HH:MM:SS")?;
    let Some(pm) = pm else {
        return Ok((time, offset));
    };
    let hour = time.hour();
    if !(1..=12).contains(&hour) {
        return Err("with AM/PM the hour must be 1 to 12");
    }
    let hour24 = match (hour, pm) {
        (12, false) => 0,
        (12, true) => 12,
        (h, false) => h,
        (h, true) => h + 12,
    };
    let time = time.with_hour(hour24).ok_or("the hour is out of range")?;
    Ok((time, offset))
}

/// `H:MM`, `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fraction` (fraction up to nanoseconds). Written by
/// hand because chrono's pattern parser costs more than the rest of a row.
fn clock_time(t: &str) -> Option<NaiveTime> {
    let (hms, fraction) = match t.split_once('.') {
        Some((hms, f)) => (hms, Some(f)),
        None => (t, None),
    };
    let number = |p: &str, len: std::ops::RangeInclusive<usize>| {
        (len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let mut parts = hms.split(':');
    let hour = number(parts.next()?, 1..=2)?;
    let minute = number(parts.next()?, 2..=2)?;
    let second = match parts.next() {
        Some(p) => number(p, 2..=2)?,
        None if fraction.is_none() => 0,
        None => return None,
    };
    if parts.next().is_some() {
        return None;
    }
    let nanos = match fraction {
        None => 0,
        Some(f) => number(f, 1..=9)? * 10u32.pow(9 - f.len() as u32),
    };
    NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
}

/// Splits a trailing `Z` or `±HH[:MM]`/`±HHMM` offset off a time.
fn split_offset(t: &str) -> Result<(&str, i32), &'static str> {
    if let Some(rest) = t.strip_suffix(['Z', 'z']) {
        return Ok((rest, 0));
    }
    let Some(at) = t.rfind(['+', '-']) else {
        return Ok((t, 0));
    };
    let sign = if t[at..].starts_with('-') { -1 } else { 1 };
    let spec = &t[at + 1..];
    let (h, m) = match spec.len() {
        2 => (spec, "00"),
        // Checked: a multi-byte character may straddle the middle (found by tests/fuzz.rs).
        4 => spec
            .split_at_checked(2)
            .ok_or("the UTC offset must be +HH:MM")?,
        5 if spec.as_bytes()[2] == b':' => (&spec[..2], &spec[3..]),
        _ => return Err("the UTC offset must be +HH:MM"),
    };
    let digits = |p: &str| {
        p.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| p.parse::<i32>().ok())
            .flatten()
    };
    match (digits(h), digits(m)) {
        (Some(h), Some(m)) if h <= 23 && m <= 59 => Ok((&t[..at], sign * (h * 3600 + m * 60))),
        _ => Err("the UTC offset must be +HH:MM"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// Asserts that `parse` refuses each of `cells` with an error that `expected` accepts.
    fn assert_refused<T: std::fmt::Debug>(
        parse: fn(&str) -> Result<Option<T>, ValueError>,
        expected: fn(&ValueError) -> bool,
        cells: &[&str],
    ) {
        for raw in cells {
            let got = parse(raw);
            assert!(
                matches!(&got, Err(e) if expected(e)),
                "{raw:?} should be refused, got {got:?}"
            );
        }
    }

    fn money(cents: i64, currency: Option<&str>) -> Option<Money> {
        Some(Money {
            cents,
            currency: currency.map(str::to_owned),
        })
    }

    fn amount(raw: &str) -> Option<Money> {
        parse_amount(raw).unwrap_or_else(|e| panic!("{raw:?} should parse: {e}"))
    }

    fn cents(raw: &str) -> i64 {
        amount(raw).expect("not empty").cents
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<DateTime<Utc>> {
        Some(Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap())
    }

    fn date(raw: &str, order: DateOrder) -> Option<DateTime<Utc>> {
        parse_datetime(raw, order).unwrap_or_else(|e| panic!("{raw:?} should parse: {e}"))
    }

    fn auto(raw: &str) -> Option<DateTime<Utc>> {
        date(raw, DateOrder::Auto)
    }

    #[test]
    fn empty_amount_is_none() {
        assert_eq!(parse_amount(""), Ok(None));
        assert_eq!(parse_amount("  \t"), Ok(None));
        assert_eq!(parse_amount("\u{a0}"), Ok(None));
    }

    #[test]
    fn amounts_with_currency_symbols_and_codes() {
        assert_eq!(amount("$1,234.50"), money(123_450, Some("USD")));
        assert_eq!(amount("1234,50 €"), money(123_450, Some("EUR")));
        assert_eq!(amount("€5"), money(500, Some("EUR")));
        assert_eq!(amount("£5"), money(500, Some("GBP")));
        assert_eq!(amount("USD 12"), money(1200, Some("USD")));
        assert_eq!(amount("12 USD"), money(1200, Some("USD")));
        assert_eq!(amount("CHF12.5"), money(1250, Some("CHF")));
        assert_eq!(amount("12"), money(1200, None));
    }

    #[test]
    fn amounts_with_grouping_and_decimal_separators() {
        assert_eq!(cents("1.234,50"), 123_450);
        assert_eq!(cents("1 234,50"), 123_450);
        assert_eq!(cents("1\u{a0}234,50"), 123_450);
        assert_eq!(cents("1\u{202f}234,50"), 123_450);
        assert_eq!(cents("1,234"), 123_400);
        assert_eq!(cents("1.234"), 123_400);
        assert_eq!(cents("1,234,567.89"), 123_456_789);
        assert_eq!(cents("1.234.567"), 123_456_700);
        assert_eq!(cents("12,5"), 1250);
        assert_eq!(cents("12.05"), 1205);
        assert_eq!(cents("0.99"), 99);
    }

    #[test]
    fn negative_amounts() {
        assert_eq!(cents("-12.00"), -1200);
        assert_eq!(cents("(12.00)"), -1200);
        assert_eq!(amount("-$12"), money(-1200, Some("USD")));
        assert_eq!(amount("$-12"), money(-1200, Some("USD")));
        assert_eq!(amount("($1,000.00)"), money(-100_000, Some("USD")));
    }

    #[test]
    fn bad_amounts_are_errors() {
        assert_refused(
            parse_amount,
            |e| matches!(e, ValueError::BadAmount { .. }),
            &[
                "abc",
                "$",
                "-",
                "12.",
                "1,23,456",
                "1,2345,678",
                "1,234 567",
                "1,234.5.6",
                "(-12)",
                "usd 12",
                "1.2.3,45",
                ",50",
                "12 EURO",
            ],
        );
    }

    #[test]
    fn more_than_two_decimals_is_an_error() {
        for raw in ["1.2345", "0.123", "1,234.567", "12,3456"] {
            assert_eq!(
                parse_amount(raw),
                Err(ValueError::TooManyDecimals { value: raw.into() }),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn amount_overflow_is_an_error() {
        assert_eq!(cents("10,000,000,000.00"), MAX_CENTS);
        assert_eq!(cents("-10,000,000,000.00"), -MAX_CENTS);
        for raw in [
            "10000000000.01",
            "(10,000,000,000.01)",
            "92233720368547758.07",
        ] {
            let err = parse_amount(raw).unwrap_err().to_string();
            assert!(err.contains("at most 10,000,000,000.00"), "{raw}: {err}");
        }
        assert!(matches!(
            parse_amount("92233720368547758.08"),
            Err(ValueError::BadAmount {
                reason: "it is too large",
                ..
            })
        ));
        assert!(matches!(
            parse_amount("99999999999999999999999"),
            Err(ValueError::BadAmount {
                reason: "it is too large",
                ..
            })
        ));
    }

    #[test]
    fn dates_outside_years_0_to_9999_in_utc_are_errors() {
        for raw in ["9999-12-31T23:59:59-14:00", "0000-01-01T00:30:00+01:00"] {
            let err = parse_datetime(raw, DateOrder::Auto)
                .unwrap_err()
                .to_string();
            assert!(err.contains("years 0000 to 9999"), "{raw}: {err}");
        }
        assert!(auto("9999-12-31T23:59:59Z").is_some());
        assert!(auto("0000-01-01T00:30:00+00:30").is_some());
    }

    #[test]
    fn times_are_cut_to_microseconds() {
        let a = auto("2026-11-01T10:00:00.0000001Z").unwrap();
        let b = auto("2026-11-01T10:00:00.0000009Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(
            auto("2026-11-01T10:00:00.123456789Z")
                .unwrap()
                .timestamp_subsec_nanos(),
            123_456_000
        );
    }

    #[test]
    fn empty_date_is_none() {
        assert_eq!(parse_datetime("", DateOrder::Auto), Ok(None));
        assert_eq!(parse_datetime("   ", DateOrder::Dmy), Ok(None));
    }

    #[test]
    fn iso_dates_and_times() {
        assert_eq!(auto("2026-11-01"), utc(2026, 11, 1, 0, 0, 0));
        assert_eq!(auto("2026-11-01 12:30"), utc(2026, 11, 1, 12, 30, 0));
        assert_eq!(auto("2026-11-01T12:30:00"), utc(2026, 11, 1, 12, 30, 0));
        assert_eq!(auto("2026-11-01T12:30:00Z"), utc(2026, 11, 1, 12, 30, 0));
        assert_eq!(
            auto("2026-11-01T12:30:00+02:00"),
            utc(2026, 11, 1, 10, 30, 0)
        );
        assert_eq!(auto("2026-11-01T12:30:00-0530"), utc(2026, 11, 1, 18, 0, 0));
        assert_eq!(auto("2026-11-01 23:30:00 -01"), utc(2026, 11, 2, 0, 30, 0));
        assert_eq!(
            date("2026-11-01", DateOrder::Iso),
            utc(2026, 11, 1, 0, 0, 0)
        );
        assert_eq!(
            date("2026-11-01", DateOrder::Dmy),
            utc(2026, 11, 1, 0, 0, 0)
        );
        let frac = auto("2026-11-01T12:30:00.250Z").unwrap();
        assert_eq!(frac.timestamp_subsec_millis(), 250);
        assert_eq!(
            frac.timestamp(),
            utc(2026, 11, 1, 12, 30, 0).unwrap().timestamp()
        );
    }

    #[test]
    fn slash_and_dot_dates_in_auto() {
        assert_eq!(auto("11/01/2026"), utc(2026, 11, 1, 0, 0, 0));
        assert_eq!(auto("1/2/2026 3:04 PM"), utc(2026, 1, 2, 15, 4, 0));
        assert_eq!(auto("11/01/2026 12:30:15 am"), utc(2026, 11, 1, 0, 30, 15));
        assert_eq!(auto("11/01/2026 12:05 PM"), utc(2026, 11, 1, 12, 5, 0));
        assert_eq!(auto("01.11.2026"), utc(2026, 11, 1, 0, 0, 0));
        assert_eq!(auto("25.12.2026 18:45"), utc(2026, 12, 25, 18, 45, 0));
    }

    #[test]
    fn dash_dates_in_auto_resolve_only_when_unambiguous() {
        assert_eq!(auto("25-12-2026"), utc(2026, 12, 25, 0, 0, 0));
        assert_eq!(auto("12-25-2026"), utc(2026, 12, 25, 0, 0, 0));
        assert_eq!(auto("05-05-2026"), utc(2026, 5, 5, 0, 0, 0));
        assert!(matches!(
            parse_datetime("03-04-2026", DateOrder::Auto),
            Err(ValueError::AmbiguousDate { fix, .. }) if fix.contains("mdy") && fix.contains("dmy")
        ));
    }

    #[test]
    fn slash_date_with_day_first_needs_dmy() {
        let err = parse_datetime("25/12/2026", DateOrder::Auto).unwrap_err();
        assert!(
            matches!(&err, ValueError::DayFirst { day: 25, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("--date-format dmy"), "{err}");
        // Day 13 cannot be a month: the message says so instead of calling the date ambiguous.
        let err = parse_datetime("13/01/2026", DateOrder::Auto).unwrap_err();
        assert!(!err.to_string().contains("ambiguous"), "{err}");
        assert!(err.to_string().contains("13 cannot be a month"), "{err}");
        assert_eq!(
            date("25/12/2026", DateOrder::Dmy),
            utc(2026, 12, 25, 0, 0, 0)
        );
    }

    #[test]
    fn forced_orders_apply_to_all_forms() {
        for raw in ["03/04/2026", "03.04.2026", "03-04-2026"] {
            assert_eq!(date(raw, DateOrder::Mdy), utc(2026, 3, 4, 0, 0, 0), "{raw}");
            assert_eq!(date(raw, DateOrder::Dmy), utc(2026, 4, 3, 0, 0, 0), "{raw}");
        }
        assert!(matches!(
            parse_datetime("03/04/2026", DateOrder::Iso),
            Err(ValueError::BadDate { .. })
        ));
    }

    #[test]
    fn bad_dates_are_errors() {
        for raw in [
            "2026-02-30",
            "02/30/2026",
            "31.04.2026",
            "2026-13-01",
            "yesterday",
            "2026-11",
            "11/01/26",
            "2026-11-01T25:00",
            "2026-11-01T12:30:00+25:00",
            "2026-11-01 13:00 PM",
            "2026-11-01 0:30 AM",
            "2026-11-01T",
            "2026_11_01",
            "25/13/2026",
        ] {
            assert!(
                matches!(
                    parse_datetime(raw, DateOrder::Auto),
                    Err(ValueError::BadDate { .. })
                ),
                "{raw:?} should be a bad date, got {:?}",
                parse_datetime(raw, DateOrder::Auto)
            );
        }
    }

    #[test]
    fn error_messages_are_one_line_and_quote_the_value() {
        let errors = [
            parse_amount("1,23,456").unwrap_err(),
            parse_amount("1.2345").unwrap_err(),
            parse_datetime("2026-02-30", DateOrder::Auto).unwrap_err(),
            parse_datetime("03-04-2026", DateOrder::Auto).unwrap_err(),
            parse_amount("1\n2").unwrap_err(),
        ];
        for err in errors {
            let msg = err.to_string();
            assert!(!msg.contains('\n'), "{msg}");
            assert!(msg.contains('"'), "{msg}");
        }
        assert_eq!(
            parse_amount("1.2345").unwrap_err().to_string(),
            "amount \"1.2345\" has more than 2 decimal places; round it to whole cents (e.g. 12.35)"
        );
    }

    #[test]
    fn counts_are_whole_numbers_with_grouped_thousands() {
        assert_eq!(parse_count(" 1234 "), Ok(Some(1234)));
        assert_eq!(parse_count("1,234"), Ok(Some(1234)));
        assert_eq!(parse_count("1.234.567"), Ok(Some(1_234_567)));
        assert_eq!(parse_count("1\u{a0}234"), Ok(Some(1234)));
        assert_eq!(parse_count(""), Ok(None));
        assert_refused(
            parse_count,
            |e| matches!(e, ValueError::BadCount { .. }),
            &[
                "12.5",
                "1,5",
                "-3",
                "12a",
                "1234,567",
                "99999999999999999999",
            ],
        );
    }
}
