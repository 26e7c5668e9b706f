//! The adapter half of the platform registry: one [`Adapter`] per platform, in the order of
//! [`PlatformId::ALL`]. `connect`, `disconnect`, `accounts --check` and `sync` reach an adapter
//! only through here (via [`super::oauth`] and [`super::streams`]).
//!
//! The vocabulary half (the name, aliases, environment prefix, README section) is
//! [`crate::vocab::platform::FACTS`], on the floor everything may read; the settings are the rows
//! of `config::platform::SETTINGS`. A new platform is a folder here with its `oauth` and
//! `streams`, one line in [`ADAPTERS`], its facts and its settings rows; `tests/registry.rs`
//! fails when a platform is missing from any of them.

use super::{PlatformId, instagram, reddit, tiktok, x};
use crate::auth::Built;
use crate::config::PlatformConfig;
use crate::sync::Stream;

/// Builds a platform's OAuth adapter from its settings, for its production or `sandbox` app.
pub type NewOAuth = fn(&PlatformConfig, bool) -> Built;

/// What socialcrm can do with one platform through its API.
pub struct Adapter {
    pub id: PlatformId,
    /// Connect, refresh, revoke; `None` for platforms without an API (OnlyFans is imported).
    pub oauth: Option<NewOAuth>,
    /// The sync streams, in the order they run.
    pub streams: fn(&PlatformConfig) -> Vec<Box<dyn Stream>>,
}

/// Every platform's adapter, in the order of [`PlatformId::ALL`]: one line per platform.
pub const ADAPTERS: [Adapter; 5] = [
    Adapter::api(PlatformId::Tiktok, tiktok::oauth, tiktok::streams::streams),
    Adapter::api(
        PlatformId::Instagram,
        instagram::oauth,
        instagram::streams::streams,
    ),
    Adapter::api(PlatformId::Reddit, reddit::oauth, reddit::streams::streams),
    Adapter::api(PlatformId::X, x::oauth, x::streams::streams),
    // No API: its data comes from `import-csv`.
    Adapter::without_api(PlatformId::Onlyfans),
];

impl Adapter {
    /// A platform connected by OAuth and synced by streams.
    pub const fn api(
        id: PlatformId,
        oauth: NewOAuth,
        streams: fn(&PlatformConfig) -> Vec<Box<dyn Stream>>,
    ) -> Adapter {
        Adapter {
            id,
            oauth: Some(oauth),
            streams,
        }
    }

    /// A platform without an API: nothing to connect or sync.
    pub const fn without_api(id: PlatformId) -> Adapter {
        Adapter {
            id,
            oauth: None,
            streams: |_| Vec::new(),
        }
    }
}

/// The adapter of `id`.
pub fn adapter(id: PlatformId) -> &'static Adapter {
    // ADAPTERS is in the order of the variants (checked by tests/registry.rs).
    &ADAPTERS[id as usize]
}
