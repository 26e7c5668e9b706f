//! The adapter half of the platform registry: one [`Adapter`] per platform, in the order of
//! [`PlatformId::ALL`]. `connect`, `disconnect`, `accounts --check` and `sync` reach an adapter
//! only through here (via [`super::oauth`] and [`super::streams`]).
//!
//! The vocabulary half (the name, aliases, environment prefix, README section) is
//! [`crate::vocab::platform::FACTS`], on the floor everything may read; the settings are the rows
//! of `config::platform::SETTINGS`. A new platform is a folder here that declares its `ADAPTER`,
//! one line in [`ADAPTERS`], its facts and its settings rows; `tests/registry.rs` fails when a
//! platform is missing from any of them.

use super::{OAuthPlatform, PlatformError, PlatformId};
use crate::config::PlatformConfig;
use crate::sync::Stream;

/// Builds a platform's OAuth adapter from its settings, for its production or `sandbox` app.
pub type NewOAuth = fn(&PlatformConfig, bool) -> Result<Box<dyn OAuthPlatform>, PlatformError>;

/// What socialcrm can do with one platform through its API.
pub struct Adapter {
    pub id: PlatformId,
    /// Connect, refresh, revoke; `None` for platforms without an API (OnlyFans is imported).
    pub oauth: Option<NewOAuth>,
    /// The sync streams, in the order they run.
    pub streams: fn(&PlatformConfig) -> Vec<Box<dyn Stream>>,
}

/// Every platform's adapter, in the order of [`PlatformId::ALL`].
pub const ADAPTERS: [&Adapter; 5] = [
    &super::tiktok::ADAPTER,
    &super::instagram::ADAPTER,
    &super::reddit::ADAPTER,
    &super::x::ADAPTER,
    &super::onlyfans::ADAPTER,
];

/// The adapter of `id`.
pub fn adapter(id: PlatformId) -> &'static Adapter {
    // ADAPTERS is in the order of the variants (checked by tests/registry.rs).
    ADAPTERS[id as usize]
}

/// The streams of a platform without an API.
pub fn no_streams(_: &PlatformConfig) -> Vec<Box<dyn Stream>> {
    Vec::new()
}
