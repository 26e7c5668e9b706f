//! The current time, pinnable for tests and reproducible runs with `SOCIALCRM_NOW` (RFC 3339).
//!
//! Everything that stamps a row (created_at, updated_at, audit times) asks here instead of the
//! system clock, so a test can compare whole tables between two runs. It imports nothing of the
//! crate: the store stamps rows with it, and `config::tuning` checks the variable at start-up.

use chrono::{DateTime, SubsecRound, Utc};

/// The variable that pins the clock.
pub const NOW: &str = "SOCIALCRM_NOW";

/// The current time as every record and comparison sees it: `SOCIALCRM_NOW` when set, so tests
/// and reproductions pin what "now" is (segments, expiry, windows), else the system clock.
pub fn now() -> DateTime<Utc> {
    // Validated at start-up (config::tuning), so a bad value has already stopped the run.
    let pinned = std::env::var(NOW)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| parse_now(&v).ok());
    // Microseconds: the precision both backends store, so a value read back equals the one written.
    pinned.unwrap_or_else(Utc::now).trunc_subsecs(6)
}

/// `SOCIALCRM_NOW`'s value as a time, or why it is not one (checked at start-up by `config::tuning`).
pub fn parse_now(raw: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("'{raw}' is not an RFC 3339 time (e.g. 2026-11-24T12:00:00Z)"))
}
