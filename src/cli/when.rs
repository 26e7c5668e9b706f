//! Dates on the command line: `2026-11-01`, `2026-11-01T12:00:00Z`, or `7d` / `12h` / `30m`
//! ago, because "what came in this week" is the usual question.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// A date option's value (`--since`, `--from`, ...) as an instant; the error is the one line
/// clap shows.
pub fn parse_when(raw: &str) -> Result<DateTime<Utc>, String> {
    let s = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc());
    }
    match parse_span(s) {
        Some(Span::Ago(ago)) => {
            // A span reaching before the first representable time is an error, not a panic.
            if let Some(t) = crate::clock::now().checked_sub_signed(ago) {
                return Ok(t);
            }
            return Err(too_long(raw));
        }
        Some(Span::TooLong) => return Err(too_long(raw)),
        None => {}
    }
    Err(format!(
        "'{raw}' is not a date (use 2026-11-01, 2026-11-01T12:00:00Z, or 7d / 12h / 30m for that long ago)"
    ))
}

fn too_long(raw: &str) -> String {
    format!("'{raw}' reaches too far back (use a date, or a span of at most a few thousand years)")
}

/// What a `7d` / `12h` / `30m` argument means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// That long before now.
    Ago(Duration),
    /// A well-formed span too long for any date (`100000000000d`).
    TooLong,
}

/// `7d`, `12h`, `30m`: a non-negative whole number of days, hours or minutes; `None` when `s`
/// is not written as a span at all.
pub fn parse_span(s: &str) -> Option<Span> {
    let (num, unit): (&str, fn(i64) -> Option<Duration>) = if let Some(n) = s.strip_suffix('d') {
        (n, Duration::try_days)
    } else if let Some(n) = s.strip_suffix('h') {
        (n, Duration::try_hours)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, Duration::try_minutes)
    } else {
        return None;
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // All digits: the only way to fail parsing is being larger than i64.
    Some(
        num.parse::<i64>()
            .ok()
            .and_then(unit)
            .map_or(Span::TooLong, Span::Ago),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_dates_times_and_spans() {
        assert_eq!(
            parse_when("2026-11-01").unwrap().to_rfc3339(),
            "2026-11-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_when("2026-11-01T12:00:00+02:00")
                .unwrap()
                .to_rfc3339(),
            "2026-11-01T10:00:00+00:00"
        );
        let week = crate::clock::now() - parse_when("7d").unwrap();
        assert!((week.num_days() - 7).abs() <= 1);
        assert!(parse_when("yesterday").is_err());
        assert!(parse_when("-3d").is_err());
        assert!(parse_when("+3d").is_err());
        assert!(parse_when("7é").is_err());
    }

    #[test]
    fn spans_beyond_any_date_are_errors() {
        assert_eq!(parse_span("10000000000000000d"), Some(Span::TooLong));
        assert_eq!(parse_span("99999999999999999999m"), Some(Span::TooLong));
        assert!(matches!(parse_span("100000000d"), Some(Span::Ago(_))));
        let err = parse_when("100000000d").unwrap_err();
        assert!(err.contains("too far back"), "{err}");
        assert!(parse_when("9223372036854775807h").is_err());
    }
}
