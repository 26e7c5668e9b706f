//! The current time, pinnable for tests and reproducible runs with `SOCIALCRM_NOW` (RFC 3339).
//!
//! Everything that stamps a row (created_at, updated_at, audit times) asks here instead of the
//! system clock, so a test can compare whole tables between two runs.

use chrono::{DateTime, SubsecRound, Utc};

pub fn now() -> DateTime<Utc> {
    let pinned = std::env::var("SOCIALCRM_NOW")
        .ok()
        .and_then(|v| DateTime::parse_from_rfc3339(v.trim()).ok())
        .map(|t| t.with_timezone(&Utc));
    // Microseconds: the precision both backends store, so a value read back equals the one written.
    pinned.unwrap_or_else(Utc::now).trunc_subsecs(6)
}
