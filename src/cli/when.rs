//! Dates on the command line: `2026-11-01`, `2026-11-01T12:00:00Z`, or `7d` / `12h` / `30m`
//! ago, because "what came in this week" is the usual question.

use chrono::{DateTime, Duration, NaiveDate, Utc};

pub fn parse_when(raw: &str) -> Result<DateTime<Utc>, String> {
    let s = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc());
    }
    let (num, unit) = s.split_at(s.len().saturating_sub(1));
    if let Ok(n) = num.parse::<i64>() {
        let span = match unit {
            "d" => Some(Duration::days(n)),
            "h" => Some(Duration::hours(n)),
            "m" => Some(Duration::minutes(n)),
            _ => None,
        };
        if let Some(span) = span.filter(|_| n >= 0) {
            return Ok(crate::clock::now() - span);
        }
    }
    Err(format!(
        "'{raw}' is not a date (use 2026-11-01, 2026-11-01T12:00:00Z, or 7d / 12h / 30m for that long ago)"
    ))
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
    }
}
