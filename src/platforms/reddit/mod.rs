//! Reddit (OAuth2 and the Data API): connect, refresh, revoke, and who the token belongs to.
//!
//! Quirks (shared/platforms/reddit.md, checked against Reddit's OAuth2 and API wiki pages):
//! the token endpoint authenticates the app with HTTP Basic (client id and secret; installed
//! apps have no secret and send an empty password); `duration=permanent` is what makes Reddit
//! hand out a refresh token; scopes are space-separated; there is no PKCE (the `state` check is
//! the only tie between the browser and this process, and the pair the flow makes is never
//! sent); the redirect URI must equal the registered one exactly, so it is never guessed;
//! refreshes may or may not repeat the refresh token (the lifecycle keeps the old one); revoking
//! the refresh token revokes the whole grant. Every request carries a descriptive User-Agent
//! ([`api::user_agent`]) and API calls share the client id's rate limit ([`api::Api`]).

pub mod api;
pub mod streams;
pub mod submit;

use chrono::Utc;
use serde_json::Value as Json;
use url::Url;

use super::{Identity, OAuthPlatform, PlatformError, PlatformId};
use crate::auth::pkce::{ChallengeEncoding, Pkce};
use crate::auth::tokens::Tokens;
use crate::config::PlatformConfig;
use crate::http::client::Reply;
use crate::vocab::Secret;
use api::{Api, text};

const AUTHORIZE: &str = "https://www.reddit.com/api/v1/authorize";
const TOKEN: &str = "https://www.reddit.com/api/v1/access_token";
const REVOKE: &str = "https://www.reddit.com/api/v1/revoke_token";
const ME: &str = "https://oauth.reddit.com/api/v1/me";

/// The Reddit OAuth adapter: Basic client auth, `duration=permanent` for a refresh token,
/// a revoke endpoint; a web app or an installed app (no secret).
pub struct Reddit {
    client_id: String,
    /// Empty for an installed app, which Reddit gives no secret.
    client_secret: Secret,
    api: Api,
}

impl Reddit {
    /// The adapter for the configured app; a missing client id is named in the error.
    pub fn new(config: &PlatformConfig) -> Result<Reddit, PlatformError> {
        let client_id = config
            .client_id
            .clone()
            .ok_or_else(|| PlatformError::MissingSetting {
                platform: PlatformId::Reddit,
                var: "REDDIT_CLIENT_ID".into(),
            })?;
        Ok(Reddit {
            client_secret: config
                .client_secret
                .clone()
                .unwrap_or_else(|| Secret::new("")),
            api: Api::new(config),
            client_id,
        })
    }

    fn basic(&self, real: &str, form: &[(&str, &str)]) -> Result<Reply, PlatformError> {
        self.api
            .token_client()
            .post_form_basic(
                &self.api.url(real),
                &self.client_id,
                &self.client_secret,
                form,
            )
            .map_err(|e| PlatformError::Network(e, PlatformId::Reddit))
    }

    fn token_call(&self, form: &[(&str, &str)]) -> Result<Tokens, PlatformError> {
        let reply = self.basic(TOKEN, form)?;
        let body = &reply.body;
        if reply.status == 401 {
            return Err(bad_client(&reply));
        }
        if reply.status >= 500 {
            return Err(api::error(&reply));
        }
        // Reddit names a refused grant in `error` (a string), with 200 or 400.
        if let Some(refused) = super::kit::refusal(PlatformId::Reddit, body) {
            return Err(refused);
        }
        match Tokens::from_response(body, Utc::now()) {
            Some(tokens) if reply.ok() => Ok(tokens),
            _ => Err(api::error(&reply)),
        }
    }
}

/// The token endpoint's 401: the app's credentials, not the user's grant.
fn bad_client(reply: &Reply) -> PlatformError {
    PlatformError::Api {
        platform: PlatformId::Reddit,
        status: reply.status,
        code: "invalid client".into(),
        message: Some(
            "Reddit did not accept REDDIT_CLIENT_ID / REDDIT_CLIENT_SECRET (leave the secret unset for an installed app)"
                .into(),
        ),
        log_id: None,
    }
}

impl OAuthPlatform for Reddit {
    fn id(&self) -> PlatformId {
        PlatformId::Reddit
    }

    fn default_scopes(&self) -> &'static [&'static str] {
        &[
            "identity",
            "read",
            "history",
            "privatemessages",
            "submit",
            "flair",
        ]
    }

    fn challenge_encoding(&self) -> ChallengeEncoding {
        // Unused: Reddit takes no PKCE challenge.
        ChallengeEncoding::Base64Url
    }

    fn authorize_url(
        &self,
        redirect_uri: &Url,
        state: &str,
        _pkce: &Pkce,
        scopes: &[String],
    ) -> Url {
        let mut url = self.api.url(AUTHORIZE);
        url.query_pairs_mut()
            .append_pair("client_id", &self.client_id)
            .append_pair("response_type", "code")
            .append_pair("state", state)
            .append_pair("redirect_uri", redirect_uri.as_str())
            .append_pair("duration", "permanent")
            .append_pair("scope", &scopes.join(" "));
        url
    }

    fn exchange(
        &self,
        code: &str,
        redirect_uri: &Url,
        _pkce: &Pkce,
    ) -> Result<Tokens, PlatformError> {
        self.token_call(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri.as_str()),
        ])
    }

    fn refresh(&self, refresh_token: &Secret) -> Result<Tokens, PlatformError> {
        self.token_call(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
        ])
    }

    /// Revokes the refresh token when there is one (Reddit then drops every access token made
    /// from it), else the access token. Reddit answers 204 whether or not the token was live.
    fn revoke(&self, tokens: &Tokens) -> Result<(), PlatformError> {
        let (token, hint) = match &tokens.refresh_token {
            Some(refresh) => (refresh.as_str(), "refresh_token"),
            None => (tokens.access_token.as_str(), "access_token"),
        };
        let reply = self.basic(REVOKE, &[("token", token), ("token_type_hint", hint)])?;
        match reply.status {
            200..=299 => Ok(()),
            401 => Err(bad_client(&reply)),
            _ => Err(api::error(&reply)),
        }
    }

    fn whoami(&self, access_token: &Secret) -> Result<Identity, PlatformError> {
        let me = self.api.get(access_token, self.api.url(ME), None)?;
        let (Some(id), Some(name)) = (text(&me, "id"), text(&me, "name")) else {
            return Err(super::kit::answered_without(
                PlatformId::Reddit,
                "/api/v1/me without id or name",
            ));
        };
        let display_name = me
            .pointer("/subreddit/title")
            .and_then(Json::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        Ok(Identity {
            platform_user_id: api::fullname("t2", &id),
            username: Some(name),
            display_name,
        })
    }

    fn exact_redirect(&self) -> bool {
        true
    }
}

/// The OAuth adapter, as the registry (`platforms::registry`) builds it.
pub fn oauth(config: &PlatformConfig, _sandbox: bool) -> crate::auth::Built {
    Ok(Box::new(Reddit::new(config)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> PlatformConfig {
        crate::platforms::kit::testing::app("cid", None, "http://127.0.0.1:9200")
    }

    #[test]
    fn the_authorize_url_asks_for_a_permanent_grant_with_space_separated_scopes() {
        let reddit = Reddit::new(&config()).unwrap();
        let pkce = Pkce::new(ChallengeEncoding::Base64Url);
        let redirect = Url::parse("http://127.0.0.1:65010/callback/").unwrap();
        let url = reddit.authorize_url(&redirect, "st", &pkce, &["identity".into(), "read".into()]);
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9200/api/v1/authorize?client_id=cid&response_type=code&state=st&redirect_uri=http%3A%2F%2F127.0.0.1%3A65010%2Fcallback%2F&duration=permanent&scope=identity+read"
        );
        assert!(!url.as_str().contains("code_challenge"), "no PKCE");
    }

    #[test]
    fn the_client_id_and_the_redirect_uri_are_required_but_the_secret_is_not() {
        let err = Reddit::new(&PlatformConfig::default()).err().unwrap();
        assert!(err.to_string().contains("REDDIT_CLIENT_ID"), "{err}");
        let reddit = Reddit::new(&config()).unwrap();
        assert_eq!(reddit.client_secret.expose(), "", "an installed app");
        assert!(reddit.exact_redirect());
    }
}
