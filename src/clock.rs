//! The current time, pinnable for tests and reproducible runs with `SOCIALCRM_NOW` (RFC 3339).
//!
//! Everything that stamps a row (created_at, updated_at, audit times) asks here instead of the
//! system clock, so a test can compare whole tables between two runs.

use chrono::{DateTime, SubsecRound, Utc};

pub fn now() -> DateTime<Utc> {
    // Validated at start-up (config::tuning), so a bad value has already stopped the run.
    let pinned = crate::config::tuning::pinned_now();
    // Microseconds: the precision both backends store, so a value read back equals the one written.
    pinned.unwrap_or_else(Utc::now).trunc_subsecs(6)
}
