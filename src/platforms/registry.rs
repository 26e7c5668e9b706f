//! The adapter half of the platform registry: one [`Adapter`] per platform, in the order of
//! [`PlatformId::ALL`]. `connect`, `disconnect`, `accounts --check`, `sync`, `doctor`,
//! `webhooks serve` and `upload` reach an adapter only through here (via [`super::oauth`],
//! [`super::streams`], [`Adapter::webhook`] and [`Adapter::publisher`]), so none of them names a
//! platform.
//!
//! The vocabulary half (the name, aliases, environment prefix, README section) is
//! [`crate::vocab::platform::FACTS`], on the floor everything may read; the settings are the rows
//! of `config::platform::SETTINGS`. A new platform is a folder here with its `oauth` and
//! `streams` (and its `publisher` when it takes uploads), one line in [`ADAPTERS`], its facts
//! and its settings rows; `tests/registry.rs` fails when a platform is missing from any of them.

pub use super::kit::Imported;
use super::{PlatformId, instagram, onlyfans, reddit, tiktok, x};
use crate::auth::Built;
use crate::config::PlatformConfig;
use crate::sync::Stream;
use crate::upload::Publisher;
use crate::webhooks::Endpoint;

/// Builds a platform's OAuth adapter from its settings, for its production or `sandbox` app.
pub type NewOAuth = fn(&PlatformConfig, bool) -> Built;

/// Builds a platform's side of the upload pipeline from its settings.
pub type NewPublisher = fn(&PlatformConfig) -> Box<dyn Publisher>;

/// What socialcrm can do with one platform through its API.
pub struct Adapter {
    /// The platform this entry serves (checked against its place in [`ADAPTERS`]).
    pub id: PlatformId,
    /// Connect, refresh, revoke; `None` for platforms without an API (OnlyFans is imported).
    pub oauth: Option<NewOAuth>,
    /// The sync streams, in the order they run.
    pub streams: fn(&PlatformConfig) -> Vec<Box<dyn Stream>>,
    /// The webhook receiver `webhooks serve` runs; `None` for platforms that send none.
    pub webhook: Option<Webhook>,
    /// What `upload` posts a file through; `None` for platforms that take no uploads.
    pub publisher: Option<NewPublisher>,
    /// For a platform without an API, what `connect`, `sync` and `doctor` say instead.
    pub imported: Option<Imported>,
}

/// A platform's webhooks: what it signs them with (for the one-line error when no platform's
/// secret is set), and the endpoint built from its settings.
pub struct Webhook {
    /// The platform and its signing secret, as a person names them: `TikTok: the client secret`.
    pub signed_with: &'static str,
    /// The environment name of that secret (`TIKTOK_CLIENT_SECRET`).
    pub env: &'static str,
    /// Its key in the config file, with the section: `[tiktok] client_secret`.
    pub key: &'static str,
    /// The endpoint, when the settings hold the secret (`None` leaves its path unserved);
    /// the `usize` bounds a replay guard of signatures seen within the tolerance window.
    pub endpoint: fn(&PlatformConfig, usize) -> Option<Endpoint>,
}

/// Every platform's adapter, in the order of [`PlatformId::ALL`]: one line per platform.
pub const ADAPTERS: [Adapter; 5] = [
    Adapter::api(PlatformId::Tiktok, tiktok::oauth, tiktok::streams::streams)
        .webhooks(Webhook {
            signed_with: "TikTok: the client secret",
            env: "TIKTOK_CLIENT_SECRET",
            key: "[tiktok] client_secret",
            endpoint: tiktok::webhook::endpoint,
        })
        .publishes(tiktok::publisher::publisher),
    Adapter::api(
        PlatformId::Instagram,
        instagram::oauth,
        instagram::streams::streams,
    )
    .webhooks(Webhook {
        signed_with: "Instagram: the app secret",
        env: "INSTAGRAM_APP_SECRET",
        key: "[instagram] app_secret",
        endpoint: instagram::webhook::endpoint,
    })
    .publishes(instagram::publisher::publisher),
    Adapter::api(PlatformId::Reddit, reddit::oauth, reddit::streams::streams),
    Adapter::api(PlatformId::X, x::oauth, x::streams::streams)
        .webhooks(Webhook {
            signed_with: "X: the consumer secret",
            env: "TWITTER_CONSUMER_SECRET",
            key: "[x] consumer_secret",
            endpoint: x::webhook::endpoint,
        })
        .publishes(x::publisher::publisher),
    // No API: its data comes from `import-csv`.
    Adapter::without_api(PlatformId::Onlyfans, onlyfans::IMPORTED),
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
            webhook: None,
            publisher: None,
            imported: None,
        }
    }

    /// The same adapter, receiving `webhook`.
    pub const fn webhooks(self, webhook: Webhook) -> Adapter {
        Adapter {
            webhook: Some(webhook),
            ..self
        }
    }

    /// The same adapter, publishing uploads through `publisher`.
    pub const fn publishes(self, publisher: NewPublisher) -> Adapter {
        Adapter {
            publisher: Some(publisher),
            ..self
        }
    }

    /// Whether the platform has an API to connect to and sync from (OnlyFans has none).
    pub const fn has_api(&self) -> bool {
        self.oauth.is_some()
    }

    /// A platform without an API: nothing to connect or sync, only `imported`'s words.
    pub const fn without_api(id: PlatformId, imported: Imported) -> Adapter {
        Adapter {
            id,
            oauth: None,
            streams: |_| Vec::new(),
            webhook: None,
            publisher: None,
            imported: Some(imported),
        }
    }
}

/// The adapter of `id`.
pub fn adapter(id: PlatformId) -> &'static Adapter {
    // ADAPTERS is in the order of the variants (checked by tests/registry.rs).
    &ADAPTERS[id as usize]
}
