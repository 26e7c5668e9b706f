//! [`NetError`]: a request that never got an answer, as the HTTP client reports it and a
//! [`PlatformError`](super::PlatformError) carries it.

use std::time::Duration;

/// The request never got an answer.
#[derive(Debug, thiserror::Error)]
#[error("{host}: {reason}")]
pub struct NetError {
    /// The host that failed, so the line says which platform or server it was.
    pub host: String,
    /// What went wrong, without the URL (a URL may carry a credential).
    pub reason: String,
    /// Worth trying again (a lost connection, a cut reply); not when a rate limit is spent
    /// beyond the retry budget.
    pub retryable: bool,
    /// Set when the request was not sent because a rate limit resets later than the retry
    /// budget allows: how long until it does. Callers stop that work cleanly and resume later.
    pub rate_limited: Option<Duration>,
}
