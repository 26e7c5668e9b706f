//! A platform's hosts as an adapter with an app-wide rate budget sees them (Instagram, Reddit):
//! real URLs routed through `SOCIALCRM_<PLATFORM>_BASE_URL`, API calls on a client paced by
//! that budget, and token calls on the same client unpaced, since the token endpoints do not
//! spend it. Both adapters wrap it with their own answer reading.

use std::sync::Arc;

use url::Url;

use crate::config::PlatformConfig;
use crate::http::client::Client;
use crate::http::ratelimit::Pacer;
use crate::vocab::Origin;

/// The routing and the two clients of one adapter.
pub struct Hosts {
    base_url: Option<Origin>,
    /// Paced: every API call spends the app's budget.
    api: Client,
    /// For the token endpoints, outside that budget.
    tokens: Client,
}

impl Hosts {
    /// The hosts of `config`: `client` (with whatever headers the platform requires) paced by
    /// `pacer` for API calls, and as it is for the token endpoints.
    pub fn new(config: &PlatformConfig, client: Client, pacer: Arc<dyn Pacer>) -> Hosts {
        Hosts {
            base_url: config.base_url.clone(),
            api: client.clone().paced(pacer),
            tokens: client,
        }
    }

    /// A real URL of the platform, or its twin on the configured base URL.
    pub fn url(&self, real: &str) -> Url {
        super::route(self.base_url.as_ref(), real)
    }

    /// The paced client, for API calls.
    pub fn api(&self) -> &Client {
        &self.api
    }

    /// The unpaced client, for the token endpoints.
    pub fn tokens(&self) -> &Client {
        &self.tokens
    }
}
