//! X (Twitter) API v2: OAuth 2.0 authorization code with PKCE, who the token belongs to, and
//! (in the submodules) the sync streams, media upload and posts.
//!
//! Quirks (shared/platforms/x.md, checked against docs.x.com "OAuth 2.0 Authorization Code Flow
//! with PKCE" and "How to connect to endpoints using OAuth 2.0"): the authorize page is on
//! `x.com`, the token and revoke endpoints on `api.x.com`; scopes are space-separated; the PKCE
//! challenge is the RFC 7636 base64url S256. A confidential client (one with a client secret:
//! "Web App" or "Automated App") authenticates token calls with HTTP Basic, a public client
//! ("Native App", what a CLI should register as) sends `client_id` in the body. A refresh token
//! is only issued with `offline.access`, and it rotates: every refresh answers a new one and
//! the old one dies, so `auth::lifecycle` stores the new pair under the connection's locks
//! before anything else. X answers a spent refresh token with `invalid_request` ("Value passed
//! for the token was invalid"), which here means what `invalid_grant` means elsewhere.
//! The authorization code lives 30 seconds: `connect` exchanges it as soon as the redirect is
//! caught, before anything else.

use chrono::Utc;
use serde_json::Value as Json;
use url::Url;

use super::{Identity, OAuthPlatform, PlatformError, PlatformId};
use crate::auth::pkce::{ChallengeEncoding, Pkce};
use crate::auth::tokens::Tokens;
use crate::config::PlatformConfig;
use crate::http::client::{Client, Reply};
use crate::vocab::Origin;
use crate::vocab::Secret;

pub mod api;
pub mod media;
pub mod publisher;
pub mod streams;
pub mod webhook;

const AUTHORIZE: &str = "https://x.com/i/oauth2/authorize";
const TOKEN: &str = "https://api.x.com/2/oauth2/token";
const REVOKE: &str = "https://api.x.com/2/oauth2/revoke";
const ME: &str = "https://api.x.com/2/users/me";

/// The X OAuth adapter: PKCE S256, Basic auth for a confidential client or `client_id` in the
/// body for a public one, refresh tokens that rotate on every refresh.
pub struct X {
    client_id: String,
    /// Set for confidential clients, which authenticate with HTTP Basic.
    client_secret: Option<Secret>,
    base_url: Option<Origin>,
    http: Client,
}

impl X {
    /// The adapter for the configured app; a missing client id is named in the error.
    pub fn new(config: &PlatformConfig) -> Result<X, PlatformError> {
        let client_id = config
            .client_id
            .clone()
            .ok_or_else(|| PlatformError::MissingSetting {
                platform: PlatformId::X,
                var: "TWITTER_CLIENT_ID".into(),
            })?;
        Ok(X {
            client_id,
            client_secret: config.client_secret.clone(),
            base_url: config.base_url.clone(),
            http: Client::new(),
        })
    }

    fn url(&self, real: &str) -> Url {
        crate::platforms::kit::route(self.base_url.as_ref(), real)
    }

    /// A form POST to the token or revoke endpoint, with the client's authentication: Basic for
    /// a confidential client, `client_id` in the body for a public one. Never retried.
    fn post(&self, real: &str, form: &[(&str, &str)]) -> Result<Reply, PlatformError> {
        let url = self.url(real);
        let sent = match &self.client_secret {
            Some(secret) => self
                .http
                .post_form_basic(&url, &self.client_id, secret, form),
            None => {
                let mut form = form.to_vec();
                form.push(("client_id", &self.client_id));
                self.http.post_form(&url, &form)
            }
        };
        sent.map_err(|e| PlatformError::Network(e, PlatformId::X))
    }

    fn token_call(&self, form: &[(&str, &str)], refreshing: bool) -> Result<Tokens, PlatformError> {
        let reply = self.post(TOKEN, form)?;
        let body = &reply.body;
        if reply.status < 500
            && let Some(mut refused) = super::kit::refusal(PlatformId::X, body)
        {
            if refreshing {
                spent_refresh_token(&mut refused);
            }
            return Err(refused);
        }
        if !reply.ok() {
            return Err(api::error(&reply));
        }
        Tokens::from_response(body, Utc::now()).ok_or_else(|| api::error(&reply))
    }
}

/// A refresh refused as `invalid_request` because the token "was invalid" is X's word for a
/// refresh token already spent (X rotates them): the grant is gone, as `invalid_grant` says.
fn spent_refresh_token(refused: &mut PlatformError) {
    if let PlatformError::Grant {
        error, description, ..
    } = refused
        && error == "invalid_request"
        && description
            .as_deref()
            .is_some_and(|d| d.to_ascii_lowercase().contains("token was invalid"))
    {
        *error = "invalid_grant".into();
    }
}

/// A query value written the way X's docs show scopes: spaces as `%20`, not `+`.
fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

impl OAuthPlatform for X {
    fn id(&self) -> PlatformId {
        PlatformId::X
    }

    fn default_scopes(&self) -> &'static [&'static str] {
        &[
            "tweet.read",
            "users.read",
            "follows.read",
            "tweet.write",
            "media.write",
            "dm.read",
            "offline.access",
        ]
    }

    fn challenge_encoding(&self) -> ChallengeEncoding {
        ChallengeEncoding::Base64Url
    }

    fn exact_redirect(&self) -> bool {
        true
    }

    fn authorize_url(
        &self,
        redirect_uri: &Url,
        state: &str,
        pkce: &Pkce,
        scopes: &[String],
    ) -> Url {
        let mut url = self.url(AUTHORIZE);
        let query = [
            ("response_type", "code"),
            ("client_id", &self.client_id),
            ("redirect_uri", redirect_uri.as_str()),
            ("scope", &scopes.join(" ")),
            ("state", state),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
        ]
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&");
        url.set_query(Some(&query));
        url
    }

    fn exchange(
        &self,
        code: &str,
        redirect_uri: &Url,
        pkce: &Pkce,
    ) -> Result<Tokens, PlatformError> {
        self.token_call(
            &[
                ("code", code),
                ("grant_type", "authorization_code"),
                ("redirect_uri", redirect_uri.as_str()),
                ("code_verifier", &pkce.verifier),
            ],
            false,
        )
    }

    fn refresh(&self, refresh_token: &Secret) -> Result<Tokens, PlatformError> {
        self.token_call(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.expose()),
            ],
            true,
        )
    }

    /// Revokes the refresh token (the grant itself) and the access token.
    fn revoke(&self, tokens: &Tokens) -> Result<(), PlatformError> {
        let mut revoke = vec![(&tokens.access_token, "access_token")];
        if let Some(refresh) = &tokens.refresh_token {
            revoke.insert(0, (refresh, "refresh_token"));
        }
        for (token, hint) in revoke {
            let reply = self.post(REVOKE, &[("token", token), ("token_type_hint", hint)])?;
            if let Some(refused) = super::kit::refusal(PlatformId::X, &reply.body) {
                return Err(refused);
            }
            if !reply.ok() {
                return Err(api::error(&reply));
            }
        }
        Ok(())
    }

    fn whoami(&self, access_token: &Secret) -> Result<Identity, PlatformError> {
        let mut url = self.url(ME);
        url.query_pairs_mut()
            .append_pair("user.fields", "id,name,username");
        let body = api::body(self.http.get_authorized(&url, access_token))?;
        let user = body.get("data").cloned().unwrap_or(Json::Null);
        super::kit::identity(&user, "id", "name").ok_or_else(|| {
            PlatformError::unexpected(PlatformId::X, "users/me answered without an id", None)
        })
    }
}

/// The OAuth adapter, as the registry (`platforms::registry`) builds it.
pub fn oauth(config: &PlatformConfig, _sandbox: bool) -> crate::auth::Built {
    Ok(Box::new(X::new(config)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(secret: Option<&str>) -> PlatformConfig {
        crate::platforms::kit::testing::app("cid", secret, "http://127.0.0.1:9200")
    }

    #[test]
    fn the_authorize_url_has_space_separated_scopes_and_an_s256_base64url_challenge() {
        let x = X::new(&config(Some("the-client-secret"))).unwrap();
        let pkce = Pkce::new(x.challenge_encoding());
        let redirect = Url::parse("http://127.0.0.1:8765/callback").unwrap();
        let url = x.authorize_url(
            &redirect,
            "st",
            &pkce,
            &["tweet.read".into(), "offline.access".into()],
        );
        let text = url.as_str();
        assert!(
            text.starts_with("http://127.0.0.1:9200/i/oauth2/authorize?response_type=code&client_id=cid&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback&scope=tweet.read%20offline.access&state=st&code_challenge="),
            "{text}"
        );
        assert!(text.ends_with("&code_challenge_method=S256"));
        assert_eq!(pkce.challenge.len(), 43, "base64url of 32 bytes");
        assert!(
            !text.contains("the-client-secret"),
            "the secret never goes in a URL"
        );
    }

    #[test]
    fn the_client_id_is_required_and_the_secret_optional() {
        let err = X::new(&PlatformConfig::default()).err().unwrap();
        assert!(err.to_string().contains("TWITTER_CLIENT_ID"));
        assert!(X::new(&config(None)).is_ok(), "a public client");
    }
}
