//! Request budgets shared by every caller in this process that spends the same quota.
//!
//! Platforms count requests per app (Reddit: per OAuth client id), per user and endpoint (X),
//! or as a usage percentage (Meta). `sync --all --jobs N` runs accounts on several threads that
//! draw from one quota, so a budget must be one object they share, not a counter per adapter:
//! [`budget`] hands every caller with the same key (`reddit:<client id>`,
//! `x:<user>:/2/users/:id/followers`) the same [`Budget`].
//!
//! The policy is burst-then-wait: requests go out at once while the budget has requests left
//! by its last reading (minus those reserved since), and once it is spent every caller waits
//! until the window resets. That never exceeds the limit and never slows a run that stays
//! within it. A platform that asks to be slowed before the limit (Meta's usage percentages)
//! sets a [`Budget::set_spacing`] between requests instead; one that documents a quota but
//! sends no headers (TikTok: 600 requests a minute per endpoint and app) sets a
//! [`Budget::set_quota`], a sliding window kept here. A 429 with `Retry-After` closes the
//! budget for every caller until then (the client does that), not just for the one that got it.
//!
//! Adapters do not call this directly: they give their [`crate::http::client::Client`] a
//! [`Pacer`] that names the budget of a URL and reads the platform's headers into a
//! [`Reading`]; the client acquires before every attempt and observes after every answer.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use url::Url;

/// What a platform's response headers say of a budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// Requests left in the current window (Reddit sends fractions).
    pub remaining: f64,
    /// When the window resets, from now.
    pub reset_in: Duration,
}

/// Names the budget a request spends and reads the platform's rate-limit headers.
pub trait Pacer: Send + Sync {
    /// The budget `url` spends: one per limit the platform counts apart (X: per user and
    /// endpoint).
    fn budget(&self, url: &Url) -> Arc<Budget>;
    /// `None` when the response carries no rate-limit headers (the estimate then just counts
    /// down the requests reserved).
    fn reading(&self, headers: &HeaderMap) -> Option<Reading>;
    /// Called with every answer's status and headers, for platforms whose signal is not a
    /// remaining count (a usage percentage, say). The default does nothing.
    fn observe_other(&self, _budget: &Budget, _status: u16, _headers: &HeaderMap) {}
}

/// The process-wide budget called `key`, created on first use.
pub fn budget(key: &str) -> Arc<Budget> {
    static BUDGETS: OnceLock<Mutex<HashMap<String, Arc<Budget>>>> = OnceLock::new();
    let mut all = BUDGETS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    all.entry(key.to_string())
        .or_insert_with(|| Arc::new(Budget::new(key)))
        .clone()
}

/// The next request would have to wait longer than the caller allows.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
#[error("rate limit of {key} spent: the next request is allowed in {} s", wait.as_secs_f64().ceil())]
pub struct Spent {
    /// The budget that is spent, so the line says which limit was hit.
    pub key: String,
    /// How long until the platform allows the next request.
    pub wait: Duration,
}

#[derive(Debug)]
/// One rate limit as this process knows it: what the platform's headers last said, and the
/// requests reserved since, shared by every thread that spends it.
pub struct Budget {
    key: String,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Requests left in the window: the last reading minus what was reserved since.
    remaining: Option<f64>,
    reset_at: Option<Instant>,
    /// The shortest gap between two requests (zero: none), counted from `last_sent`.
    spacing: Duration,
    /// At most this many requests in any window of this length, and when the latest went.
    quota: Option<(usize, Duration)>,
    recent: VecDeque<Instant>,
    /// When the last request was let go.
    last_sent: Option<Instant>,
    /// Requests reserved so far, for tests and summaries.
    sent: u64,
    /// Requests reserved whose answer has not come back yet ([`Budget::settle`]).
    in_flight: u32,
}

impl State {
    /// How long a request must wait from `now` (zero: it may go).
    fn wait(&mut self, now: Instant) -> Duration {
        if self.reset_at.is_some_and(|reset| now >= reset) {
            // A new window: nothing is known of it until the next reading.
            self.remaining = None;
            self.reset_at = None;
        }
        let mut until = now;
        if self.remaining.is_some_and(|r| r < 1.0) {
            until = until.max(self.reset_at.unwrap_or(now));
        }
        if let Some(last) = self.last_sent.filter(|_| !self.spacing.is_zero()) {
            until = until.max(last + self.spacing);
        }
        if let Some((requests, window)) = self.quota {
            while self.recent.front().is_some_and(|t| now - *t >= window) {
                self.recent.pop_front();
            }
            if self.recent.len() >= requests
                && let Some(oldest) = self.recent.front()
            {
                until = until.max(*oldest + window);
            }
        }
        until - now
    }
}

impl Budget {
    fn new(key: &str) -> Budget {
        Budget {
            key: key.to_string(),
            state: Mutex::new(State::default()),
        }
    }

    /// The budget's name, as [`Spent`] reports it.
    pub fn key(&self) -> &str {
        &self.key
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until a request may go and reserves it; fails at once, reserving nothing, when
    /// that wait would be longer than `max_wait`. Returns how long it waited.
    pub fn acquire(&self, max_wait: Duration) -> Result<Duration, Spent> {
        let mut waited = Duration::ZERO;
        loop {
            let wait = {
                let mut state = self.lock();
                let now = Instant::now();
                let wait = state.wait(now);
                if wait.is_zero() {
                    if let Some(r) = state.remaining.as_mut() {
                        *r -= 1.0;
                    }
                    if state.quota.is_some() {
                        state.recent.push_back(now);
                    }
                    state.last_sent = Some(now);
                    state.sent += 1;
                    state.in_flight += 1;
                    return Ok(waited);
                }
                wait
            };
            if waited + wait > max_wait {
                return Err(Spent {
                    key: self.key.clone(),
                    wait,
                });
            }
            tracing::info!(
                budget = %self.key,
                wait_ms = wait.as_millis() as u64,
                "waiting for the rate limit"
            );
            std::thread::sleep(wait);
            waited += wait;
        }
    }

    /// A request reserved by [`Budget::acquire`] is over: its answer came back (call this
    /// before [`Budget::observe`] reads it) or it was lost.
    pub fn settle(&self) {
        let mut state = self.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
    }

    /// Takes in what an answer's headers said. The platform counted the requests that reached it
    /// before this answer; those still out (reserved, not settled) may not be in the count, so
    /// they are taken off it: without that, a fresh window's first reading, taken while fifteen
    /// other workers' requests were on their way, would let fifteen too many go at its end.
    /// Answers to requests sent concurrently arrive in any order, so within one window the
    /// lower count wins; a reading for a later window replaces the estimate.
    pub fn observe(&self, reading: Reading) {
        let mut state = self.lock();
        let reading = Reading {
            remaining: reading.remaining - f64::from(state.in_flight),
            ..reading
        };
        let reset_at = Instant::now() + reading.reset_in;
        let same_window = state
            .reset_at
            .is_some_and(|old| old.max(reset_at) - old.min(reset_at) < Duration::from_secs(2));
        state.remaining = Some(match (same_window, state.remaining) {
            (true, Some(estimate)) => estimate.min(reading.remaining),
            _ => reading.remaining,
        });
        state.reset_at = Some(reset_at);
    }

    /// Asks for at least `spacing` between two requests from now on (zero lifts it), counted
    /// from the last request sent: the request after the answer that asked to slow down
    /// already waits.
    pub fn set_spacing(&self, spacing: Duration) {
        self.lock().spacing = spacing;
    }

    /// Allows at most `requests` in any `window` (sliding), for platforms that document a quota
    /// but send no headers to read it from.
    pub fn set_quota(&self, requests: usize, window: Duration) {
        self.lock().quota = Some((requests.max(1), window));
    }

    /// Requests reserved through this budget in this process.
    pub fn sent(&self) -> u64 {
        self.lock().sent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh(name: &str) -> Arc<Budget> {
        budget(&format!("test:{name}:{}", uuid::Uuid::new_v4()))
    }

    #[test]
    fn the_same_key_is_the_same_budget() {
        let key = format!("test:{}", uuid::Uuid::new_v4());
        assert!(Arc::ptr_eq(&budget(&key), &budget(&key)));
    }

    #[test]
    fn unknown_budgets_never_wait() {
        let b = fresh("unknown");
        for _ in 0..100 {
            assert_eq!(b.acquire(Duration::ZERO), Ok(Duration::ZERO));
        }
        assert_eq!(b.sent(), 100);
    }

    #[test]
    fn requests_burst_until_the_reading_is_spent_then_wait_for_the_reset() {
        let b = fresh("burst");
        b.observe(Reading {
            remaining: 3.0,
            reset_in: Duration::from_millis(150),
        });
        for _ in 0..3 {
            assert_eq!(b.acquire(Duration::ZERO), Ok(Duration::ZERO));
        }
        let spent = b.acquire(Duration::from_millis(10)).unwrap_err();
        assert!(spent.wait > Duration::from_millis(100), "{spent:?}");
        assert!(spent.to_string().starts_with("rate limit of test:burst"));
        let waited = b.acquire(Duration::from_secs(2)).unwrap();
        assert!(waited >= Duration::from_millis(100), "{waited:?}");
        // The new window is unknown until read: requests go at once.
        assert_eq!(b.acquire(Duration::ZERO), Ok(Duration::ZERO));
    }

    #[test]
    fn a_stale_higher_reading_does_not_give_back_reserved_requests() {
        let b = fresh("stale");
        b.observe(Reading {
            remaining: 2.0,
            reset_in: Duration::from_secs(60),
        });
        b.acquire(Duration::ZERO).unwrap();
        b.acquire(Duration::ZERO).unwrap();
        // The answer to the first request arrives last, saying 1 was left when it was sent.
        b.observe(Reading {
            remaining: 1.0,
            reset_in: Duration::from_secs(60),
        });
        assert!(b.acquire(Duration::ZERO).is_err());
        // A later window's reading replaces the estimate.
        b.observe(Reading {
            remaining: 5.0,
            reset_in: Duration::from_secs(600),
        });
        assert!(b.acquire(Duration::ZERO).is_ok());
    }

    #[test]
    fn requests_still_out_are_taken_off_a_reading() {
        let b = fresh("in-flight");
        // A fresh window: nothing known, three requests go at once.
        for _ in 0..3 {
            b.acquire(Duration::ZERO).unwrap();
        }
        // The first answer says 3 of 5 are left: the platform had seen two, or only this one.
        b.settle();
        b.observe(Reading {
            remaining: 3.0,
            reset_in: Duration::from_secs(60),
        });
        // The two still out may not be in that count: one more may go, not three.
        assert!(b.acquire(Duration::ZERO).is_ok());
        assert!(b.acquire(Duration::ZERO).is_err());
    }

    #[test]
    fn threads_sharing_a_budget_never_exceed_it() {
        let b = fresh("threads");
        b.observe(Reading {
            remaining: 10.0,
            reset_in: Duration::from_secs(60),
        });
        let granted: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| (0..5).filter(|_| b.acquire(Duration::ZERO).is_ok()).count()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(granted, 10);
    }

    #[test]
    fn a_quota_is_a_sliding_window() {
        let b = fresh("quota");
        b.set_quota(3, Duration::from_millis(200));
        let started = Instant::now();
        for _ in 0..3 {
            assert_eq!(b.acquire(Duration::ZERO), Ok(Duration::ZERO));
        }
        assert!(
            b.acquire(Duration::from_millis(10)).is_err(),
            "the 4th waits"
        );
        b.acquire(Duration::from_secs(1)).unwrap();
        assert!(started.elapsed() >= Duration::from_millis(190));
    }

    #[test]
    fn spacing_spreads_requests() {
        let b = fresh("spacing");
        b.set_spacing(Duration::from_millis(40));
        let started = Instant::now();
        for _ in 0..4 {
            b.acquire(Duration::from_secs(1)).unwrap();
        }
        assert!(started.elapsed() >= Duration::from_millis(120));
        b.set_spacing(Duration::ZERO);
        assert_eq!(b.acquire(Duration::ZERO), Ok(Duration::ZERO));
    }
}
