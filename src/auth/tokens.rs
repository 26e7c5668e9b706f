//! The tokens of one connection, as they are kept in the secrets store.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::secrets::Secret;

/// What a token endpoint granted. Serialized whole into one secret; never printed (its Debug
/// shows only what is not secret).
#[derive(Clone, Serialize, Deserialize, PartialEq)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub refresh_expires_at: Option<DateTime<Utc>>,
    /// Scopes granted (which may be fewer than asked).
    pub scopes: Vec<String>,
    /// The account's id on the platform when the token response names it (TikTok `open_id`).
    pub platform_user_id: Option<String>,
    /// Granted to the platform's sandbox app: refreshes and revokes must use its credentials.
    #[serde(default)]
    pub sandbox: bool,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"***")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "***"))
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl Tokens {
    pub fn to_secret(&self) -> Secret {
        Secret::new(serde_json::to_string(self).expect("tokens serialize"))
    }

    pub fn from_secret(secret: &Secret) -> Option<Tokens> {
        serde_json::from_str(secret.expose()).ok()
    }

    pub fn access(&self) -> Secret {
        Secret::new(self.access_token.clone())
    }

    /// True when the access token is gone or will be within `margin`.
    pub fn expires_within(&self, now: DateTime<Utc>, margin: chrono::Duration) -> bool {
        self.expires_at.is_some_and(|at| at - margin <= now)
    }
}
