//! The platform adapters, one folder each (`tiktok/`, `instagram/`, `reddit/`, `x/`, `onlyfans/`).
//!
//! Each API adapter implements the traits its consumers own: [`OAuthPlatform`] (`auth/`) for
//! connect, refresh and disconnect, and `sync::Stream` for each stream it syncs; the upload and
//! post paths live beside them. This file dispatches a [`PlatformId`] to its adapter
//! ([`oauth`], [`streams`]) through [`registry`], one entry per platform. The names themselves (canonical name, aliases, environment
//! prefixes) and the shared error type are words of `vocab/`, re-exported here.

pub mod instagram;
pub mod kit;
pub mod onlyfans;
pub mod profile;
pub mod reddit;
pub mod registry;
pub mod tiktok;
pub mod x;

pub use crate::auth::OAuthPlatform;
use crate::config::Config;
pub use crate::vocab::{Identity, PlatformError, PlatformId, UnknownPlatform};

/// The sync streams of `id` (empty for platforms without an API adapter).
pub fn streams(id: PlatformId, config: &Config) -> Vec<Box<dyn crate::sync::Stream>> {
    (registry::adapter(id).streams)(&config.platform(id))
}

/// The side of the upload pipeline of `id`, configured; `None` when the platform takes no
/// uploads.
pub fn publisher(id: PlatformId, config: &Config) -> Option<Box<dyn crate::upload::Publisher>> {
    (registry::adapter(id).publisher).map(|new| new(&config.platform(id)))
}

/// The OAuth adapter of `id`, configured for its production or `sandbox` app; an error names
/// the missing setting (exit 5).
pub fn oauth(
    id: PlatformId,
    config: &Config,
    sandbox: bool,
) -> Result<Box<dyn OAuthPlatform>, PlatformError> {
    let settings = config.platform(id);
    let missing = crate::config::missing_for_connect(id, &settings, sandbox);
    if !missing.is_empty() {
        return Err(PlatformError::NotSetUp {
            platform: id,
            missing: missing
                .iter()
                .map(|c| format!("{} ([{}] {}: {})", c.var, id.name(), c.key, c.what))
                .collect(),
        });
    }
    match registry::adapter(id).oauth {
        Some(new) => new(&settings, sandbox),
        None => Err(PlatformError::Unsupported { platform: id }),
    }
}
