//! The tokens of one connection, as they are kept in the secrets store.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::vocab::Secret;

/// What a token endpoint granted. Serialized whole into one secret; never printed (its Debug
/// shows only what is not secret).
#[derive(Clone, Serialize, Deserialize, PartialEq)]
pub struct Tokens {
    /// What API calls carry; short-lived on most platforms.
    pub access_token: String,
    /// What renews the access token; `None` where the platform gives none (then the grant
    /// ends with the access token).
    pub refresh_token: Option<String>,
    /// When the access token stops working, so it is refreshed ahead of time.
    pub expires_at: Option<DateTime<Utc>>,
    /// When the refresh token does (TikTok: a year): past it, only `connect` helps.
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
    /// The tokens of a standard OAuth 2.0 token response (RFC 6749 section 5.1), read at `now`:
    /// `access_token`, `refresh_token`, `expires_in`, and the non-standard
    /// `refresh_expires_in` some platforms add (TikTok). Scopes are split on spaces and commas
    /// (TikTok writes commas, Reddit once did). `None` without an access token. The adapter
    /// fills in what only it knows (the account id a response names, the sandbox flag).
    pub fn from_response(body: &Json, now: DateTime<Utc>) -> Option<Tokens> {
        let text = |field: &str| {
            body.get(field)
                .and_then(Json::as_str)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
        };
        let after = |field: &str| {
            body.get(field)
                .and_then(Json::as_i64)
                .map(|secs| now + chrono::Duration::seconds(secs))
        };
        Some(Tokens {
            access_token: text("access_token")?,
            refresh_token: text("refresh_token"),
            expires_at: after("expires_in"),
            refresh_expires_at: after("refresh_expires_in"),
            scopes: text("scope")
                .map(|s| {
                    s.split([',', ' '])
                        .filter(|p| !p.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            platform_user_id: None,
            sandbox: false,
        })
    }

    /// The whole set as one secret, so tokens are stored and replaced together.
    pub fn to_secret(&self) -> Secret {
        Secret::new(serde_json::to_string(self).expect("tokens serialize"))
    }

    /// Reads a stored set; `None` for anything else (a damaged or foreign value).
    pub fn from_secret(secret: &Secret) -> Option<Tokens> {
        serde_json::from_str(secret.expose()).ok()
    }

    /// The access token wrapped so it cannot be logged by accident.
    pub fn access(&self) -> Secret {
        Secret::new(self.access_token.clone())
    }

    /// True when the access token is gone or will be within `margin`.
    pub fn expires_within(&self, now: DateTime<Utc>, margin: chrono::Duration) -> bool {
        self.expires_at.is_some_and(|at| at - margin <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_response_reads_the_standard_fields() {
        let now = Utc::now();
        let body = serde_json::json!({
            "access_token": "a", "refresh_token": "r", "expires_in": 60,
            "refresh_expires_in": 120, "scope": "read,write post", "token_type": "bearer"
        });
        let t = Tokens::from_response(&body, now).unwrap();
        assert_eq!(
            (t.access_token.as_str(), t.refresh_token.as_deref()),
            ("a", Some("r"))
        );
        assert_eq!(t.expires_at, Some(now + chrono::Duration::seconds(60)));
        assert_eq!(
            t.refresh_expires_at,
            Some(now + chrono::Duration::seconds(120))
        );
        assert_eq!(t.scopes, ["read", "write", "post"]);
        assert!(Tokens::from_response(&serde_json::json!({"access_token": ""}), now).is_none());
    }
}
