//! Tuning knobs read from the environment: timeouts, budgets, leases, the pinned clock, the log
//! filter. Each variable has its parser here, once, used twice: by [`validate`] at start-up, so
//! that `SOCIALCRM_HTTP_TIMEOUT=0` in cron's environment fails the run in one line naming the
//! variable (exit 5) instead of being ignored, and by the accessor the code that needs the value
//! calls (`http_timeout()`, ...), which after validation can only see a good value or none.
//!
//! An empty variable counts as unset, as everywhere in the configuration. The platforms'
//! variables (`TIKTOK_CLIENT_KEY`, `SOCIALCRM_<PLATFORM>_BASE_URL`, ...) are checked by
//! `platform.rs`; the global flags' twins (`SOCIALCRM_DATABASE_URL`, `SOCIALCRM_OUTPUT`, ...)
//! by clap and `config::load`.

use std::time::Duration;

use crate::clock::parse_now;

use super::ConfigError;

/// Seconds one HTTP request may take; a slow platform fails the stream, not the whole cron.
pub const HTTP_TIMEOUT: &str = "SOCIALCRM_HTTP_TIMEOUT";
/// How long the retries of one request may wait in all, so a flapping platform cannot hold a
/// cron run for ever.
pub const RETRY_BUDGET: &str = "SOCIALCRM_RETRY_BUDGET";
/// Pages one pass of a stream may take: a cursor that never ends cannot loop forever.
pub const MAX_PAGES: &str = "SOCIALCRM_MAX_PAGES";
pub use crate::clock::NOW;
/// The log filter (`tracing` directives), for more than `-v` gives.
pub const LOG: &str = "SOCIALCRM_LOG";
/// How often an upload polls the platform for its publish status.
pub const UPLOAD_POLL_MS: &str = "SOCIALCRM_UPLOAD_POLL_MS";
/// The spacing unit of Meta's usage-based throttle: the pause between calls grows with the
/// usage Meta reports, so the app slows down before Meta blocks it.
pub const META_USAGE_SPACING_MS: &str = "SOCIALCRM_META_USAGE_SPACING_MS";
/// Rows an import commits at a time: bounds what a failure in the middle costs.
pub const IMPORT_COMMIT_ROWS: &str = "SOCIALCRM_IMPORT_COMMIT_ROWS";
/// Keys an import keeps in memory before it spills them to a temporary file: memory against
/// disk for very large files.
pub const IMPORT_SPILL_KEYS: &str = "SOCIALCRM_IMPORT_SPILL_KEYS";

/// A check per variable: what [`validate`] runs on each one that is set.
type Check = fn(&str) -> Result<(), String>;

const CHECKS: &[(&str, Check)] = &[
    (HTTP_TIMEOUT, |v| parse_http_timeout(v).map(drop)),
    (RETRY_BUDGET, |v| parse_retry_budget(v).map(drop)),
    (MAX_PAGES, |v| parse_max_pages(v).map(drop)),
    (NOW, |v| parse_now(v).map(drop)),
    (LOG, |v| parse_log(v).map(drop)),
    (UPLOAD_POLL_MS, |v| parse_millis(v).map(drop)),
    (META_USAGE_SPACING_MS, |v| parse_millis(v).map(drop)),
    (IMPORT_COMMIT_ROWS, |v| parse_commit_rows(v).map(drop)),
    (IMPORT_SPILL_KEYS, |v| parse_spill_keys(v).map(drop)),
];

/// Checks every tuning variable that is set; the first bad one is the error.
pub fn validate(env: &dyn Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
    for (name, check) in CHECKS {
        if let Some(raw) = env(name).filter(|v| !v.trim().is_empty()) {
            check(&raw).map_err(|message| ConfigError::Invalid {
                at: (*name).to_string(),
                message,
            })?;
        }
    }
    Ok(())
}

/// How long one API request may take before it counts as lost: default 30 s.
pub fn http_timeout() -> Duration {
    read(HTTP_TIMEOUT, parse_http_timeout).unwrap_or(Duration::from_secs(30))
}

/// How long retries of one request may wait in all: default 60 s.
pub fn retry_budget() -> Duration {
    read(RETRY_BUDGET, parse_retry_budget).unwrap_or(Duration::from_secs(60))
}

/// Most pages one pass of a stream may take: default 100,000 (far above any real account:
/// 2,000,000 TikTok videos at 20 a page), a last resort against an API whose cursors keep
/// moving without end.
pub fn max_pages() -> u64 {
    read(MAX_PAGES, parse_max_pages).unwrap_or(100_000)
}

/// The log filter `SOCIALCRM_LOG` gives, when set.
pub fn log_filter() -> Option<tracing_subscriber::EnvFilter> {
    read(LOG, parse_log)
}

/// The wait between upload status polls, when `SOCIALCRM_UPLOAD_POLL_MS` is set.
pub fn upload_poll() -> Option<Duration> {
    read(UPLOAD_POLL_MS, parse_millis)
}

/// The spacing unit of Meta's usage-based throttle, when set.
pub fn meta_usage_spacing() -> Option<Duration> {
    read(META_USAGE_SPACING_MS, parse_millis)
}

fn read<T>(name: &str, parse: fn(&str) -> Result<T, String>) -> Option<T> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| parse(&v).ok())
}

/// A number of seconds in `(0, max]` (or `[0, max]` when `zero_ok`), fractions allowed.
fn seconds(raw: &str, zero_ok: bool, max: f64) -> Result<Duration, String> {
    let low = if zero_ok { "0" } else { "more than 0" };
    let want = || format!("'{raw}' is not a number of seconds (want {low} up to {max})");
    let secs: f64 = raw.trim().parse().map_err(|_| want())?;
    if !secs.is_finite() || secs < 0.0 || (secs == 0.0 && !zero_ok) || secs > max {
        return Err(want());
    }
    Ok(Duration::from_secs_f64(secs))
}

fn parse_http_timeout(raw: &str) -> Result<Duration, String> {
    seconds(raw, false, 3600.0)
}

fn parse_retry_budget(raw: &str) -> Result<Duration, String> {
    seconds(raw, true, 86_400.0)
}

/// A whole number of pages, at least 1.
fn parse_max_pages(raw: &str) -> Result<u64, String> {
    raw.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("'{raw}' is not a whole number of pages (at least 1)"))
}

/// How many rows an import writes before it commits (it also commits every second).
pub fn import_commit_rows() -> Option<usize> {
    read(IMPORT_COMMIT_ROWS, parse_commit_rows)
}

/// A whole number of rows, 1 to 10,000,000.
fn parse_commit_rows(raw: &str) -> Result<usize, String> {
    raw.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=10_000_000).contains(n))
        .ok_or_else(|| format!("'{raw}' is not a whole number of rows from 1 to 10000000"))
}

/// How many keys of the file an import keeps in memory before it spills them to disk.
pub fn import_spill_keys() -> Option<usize> {
    read(IMPORT_SPILL_KEYS, parse_spill_keys)
}

/// A whole number of keys, 1 to 100,000,000.
fn parse_spill_keys(raw: &str) -> Result<usize, String> {
    raw.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=100_000_000).contains(n))
        .ok_or_else(|| format!("'{raw}' is not a whole number of keys from 1 to 100000000"))
}

fn parse_log(raw: &str) -> Result<tracing_subscriber::EnvFilter, String> {
    tracing_subscriber::EnvFilter::try_new(raw.trim())
        .map_err(|e| format!("'{raw}' is not a log filter ({e}; e.g. socialcrm=debug or info)"))
}

/// Milliseconds up to ten minutes.
fn parse_millis(raw: &str) -> Result<Duration, String> {
    const MAX: u64 = 600_000;
    raw.trim()
        .parse::<u64>()
        .ok()
        .filter(|ms| *ms <= MAX)
        .map(Duration::from_millis)
        .ok_or_else(|| format!("'{raw}' is not a number of milliseconds (want 0 to {MAX})"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::env_of;

    #[test]
    fn bad_values_name_their_variable() {
        for (name, bad) in [
            (HTTP_TIMEOUT, "0"),
            (HTTP_TIMEOUT, "NaN"),
            (RETRY_BUDGET, "-5"),
            (MAX_PAGES, "abc"),
            (MAX_PAGES, "0"),
            (NOW, "garbage"),
            (LOG, "[[[["),
            (UPLOAD_POLL_MS, "-1"),
            (META_USAGE_SPACING_MS, "1e3"),
        ] {
            let err = validate(&env_of(&[(name, bad)])).unwrap_err().to_string();
            assert!(err.starts_with(&format!("{name}: '{bad}'")), "{err}");
        }
    }

    #[test]
    fn good_and_empty_values_pass() {
        let env = env_of(&[
            (HTTP_TIMEOUT, "0.5"),
            (RETRY_BUDGET, "0"),
            (MAX_PAGES, "60"),
            (NOW, "2026-11-24T12:00:00Z"),
            (LOG, "socialcrm=debug"),
            (UPLOAD_POLL_MS, "0"),
            (META_USAGE_SPACING_MS, " "),
        ]);
        validate(&env).unwrap();
        assert_eq!(parse_http_timeout("0.5"), Ok(Duration::from_millis(500)));
    }
}
