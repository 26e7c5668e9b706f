//! The one HTTP layer every adapter goes through.
//!
//! [`client`] is the blocking client adapters call (timeouts, a user agent, JSON replies whose
//! errors never echo a request body); it retries with backoff and honours `Retry-After`.
//! [`ratelimit`] holds the request budgets shared by all accounts spending one quota.
//! [`server`] is the other direction: the small bounded HTTP server behind `webhooks serve` and
//! the OAuth loopback listener, with per-peer connection and rate limits ([`peers`]). Here is
//! the rule that decides where requests may go: [`Origin`], the validated value of
//! `SOCIALCRM_<PLATFORM>_BASE_URL`. Every URL an adapter would call on a platform's real hosts
//! is sent to that origin instead, path and query kept, and
//! a plain `http://` origin is accepted only on loopback so tokens never cross a network
//! unencrypted.

pub mod client;
pub mod peers;
pub mod ratelimit;
pub mod server;

pub use crate::vocab::origin::{Origin, OriginError, is_loopback, routed};
