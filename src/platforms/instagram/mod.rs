//! Instagram (Instagram API with Instagram Login, for professional accounts): connect, the
//! long-lived token and its renewal, and who the token belongs to.
//!
//! Quirks (shared/platforms/instagram.md, checked against Meta's Business Login for Instagram
//! and access-token reference pages): the client id is the Instagram app id; scopes are
//! comma-separated; there is no PKCE (the `state` check ties the browser to this process);
//! Meta appends `#_` to the redirect, which a pasted address carries into the code; the code
//! buys a one-hour token that is exchanged at once (`ig_exchange_token`, with the app secret)
//! for a long-lived one of about 60 days; there is no refresh token: the long-lived token
//! renews itself (`ig_refresh_token`) once it is a day old and until it expires, so the
//! lifecycle refreshes it [`REFRESH_AHEAD`] before expiry and a cron-driven account never
//! lapses. Meta compares the redirect URI exactly with the registered one, so it is never
//! guessed. There is no revoke endpoint for Instagram Login: the user removes the app in
//! Instagram's settings.

pub mod api;
pub mod publisher;
pub mod streams;
pub mod upload;
pub mod webhook;

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

const AUTHORIZE: &str = "https://www.instagram.com/oauth/authorize";
const TOKEN: &str = "https://api.instagram.com/oauth/access_token";
const EXCHANGE: &str = "https://graph.instagram.com/access_token";
const REFRESH: &str = "https://graph.instagram.com/refresh_access_token";

/// Long-lived tokens last 60 days and may be renewed once a day old: renewing a week ahead
/// leaves a daily cron six chances and never meets the one-day minimum.
pub const REFRESH_AHEAD: chrono::Duration = chrono::Duration::days(7);

/// Graph error codes of a token that is dead for good (190: invalid or expired; 102: session).
fn dead_token(code: Option<i64>) -> bool {
    matches!(code, Some(190 | 102))
}

/// The Instagram OAuth adapter: the Instagram Login flow, then the short-lived token traded
/// for a long-lived one (60 days), refreshed a week ahead ([`REFRESH_AHEAD`]).
pub struct Instagram {
    app_id: String,
    app_secret: Secret,
    api: Api,
}

impl Instagram {
    /// The adapter for the configured app; a missing app id or secret is named in the error.
    pub fn new(config: &PlatformConfig) -> Result<Instagram, PlatformError> {
        let missing = |var: &str| PlatformError::MissingSetting {
            platform: PlatformId::Instagram,
            var: var.into(),
        };
        Ok(Instagram {
            app_id: config
                .client_id
                .clone()
                .ok_or_else(|| missing("INSTAGRAM_APP_ID"))?,
            app_secret: config
                .client_secret
                .clone()
                .ok_or_else(|| missing("INSTAGRAM_APP_SECRET"))?,
            api: Api::new(config),
        })
    }

    /// A token endpoint's answer as tokens, or the refusal it tells. The code exchange answers
    /// `{"error_type","code","error_message"}`, the Graph token endpoints the Graph envelope;
    /// an OAuthException about the token or code means the grant is gone.
    fn tokens(
        &self,
        reply: Result<Reply, crate::vocab::NetError>,
    ) -> Result<Tokens, PlatformError> {
        let reply = reply.map_err(|e| PlatformError::Network(e, PlatformId::Instagram))?;
        if reply.status >= 500 {
            return Err(api::error(&reply));
        }
        // `{"data":[{...}]}` as some guides show it, or the flat object.
        let body = reply
            .body
            .pointer("/data/0")
            .cloned()
            .unwrap_or_else(|| reply.body.clone());
        let graph_code = body.pointer("/error/code").and_then(Json::as_i64);
        // The code exchange's own shape: the code is used, expired or not this app's.
        let refused_code = text(&body, "error_type").is_some();
        if !reply.ok() || body.get("error").is_some() || refused_code {
            if dead_token(graph_code) || refused_code {
                return Err(PlatformError::Grant {
                    platform: PlatformId::Instagram,
                    error: "invalid_grant".into(),
                    description: text(&body, "error_message").or_else(|| {
                        body.pointer("/error/message")
                            .and_then(Json::as_str)
                            .map(str::to_string)
                    }),
                    log_id: body
                        .pointer("/error/fbtrace_id")
                        .and_then(Json::as_str)
                        .map(str::to_string),
                });
            }
            // Anything else (a token under a day old, a bad secret, a limit) leaves the grant
            // alive: the lifecycle keeps using a token that has time left.
            return Err(api::error(&reply));
        }
        let mut tokens =
            Tokens::from_response(&body, Utc::now()).ok_or_else(|| api::error(&reply))?;
        // Meta names the grant `permissions` (a list or a comma string), not `scope`, and the
        // account's id, which may come as a number.
        tokens.scopes = match body.get("permissions") {
            Some(Json::Array(items)) => items
                .iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect(),
            Some(Json::String(s)) => s
                .split([',', ' '])
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        tokens.platform_user_id = text(&body, "user_id");
        Ok(tokens)
    }

    /// GETs one of the Graph token endpoints, which take the token (and secret) in the query
    /// as Meta documents them (the one place a secret goes in a URL). Neither ever reaches a
    /// log or an error: the HTTP client logs and reports no URL, and whatever Meta's answer
    /// echoes of the query is masked.
    fn token_get(&self, real: &str, query: &[(&str, &str)]) -> Result<Tokens, PlatformError> {
        let mut url = self.api.url(real);
        url.query_pairs_mut().extend_pairs(query);
        let client = self.api.token_client();
        let sent: Vec<&str> = query
            .iter()
            .filter(|(k, _)| *k != "grant_type")
            .map(|(_, v)| *v)
            .collect();
        self.tokens(client.with_retries(&url, |c| c.get(url.clone())))
            .map_err(|e| e.masking(&sent))
    }
}

impl OAuthPlatform for Instagram {
    fn id(&self) -> PlatformId {
        PlatformId::Instagram
    }

    fn default_scopes(&self) -> &'static [&'static str] {
        &[
            "instagram_business_basic",
            "instagram_business_manage_comments",
            "instagram_business_manage_messages",
            "instagram_business_manage_insights",
            "instagram_business_content_publish",
        ]
    }

    fn challenge_encoding(&self) -> ChallengeEncoding {
        // Unused: Instagram Login takes no PKCE challenge.
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
            .append_pair("client_id", &self.app_id)
            .append_pair("redirect_uri", redirect_uri.as_str())
            .append_pair("response_type", "code")
            .append_pair("scope", &scopes.join(","))
            .append_pair("state", state);
        url
    }

    /// The code for a short-lived token, then at once that token for a long-lived one.
    fn exchange(
        &self,
        code: &str,
        redirect_uri: &Url,
        _pkce: &Pkce,
    ) -> Result<Tokens, PlatformError> {
        let code = code.trim_end_matches("#_");
        let reply = self.api.token_client().post_form(
            &self.api.url(TOKEN),
            &[
                ("client_id", self.app_id.as_str()),
                ("client_secret", self.app_secret.expose()),
                ("grant_type", "authorization_code"),
                ("redirect_uri", redirect_uri.as_str()),
                ("code", code),
            ],
        );
        let short = self
            .tokens(reply)
            .map_err(|e| e.masking(&[self.app_secret.expose(), code]))?;
        let long = self.token_get(
            EXCHANGE,
            &[
                ("grant_type", "ig_exchange_token"),
                ("client_secret", self.app_secret.expose()),
                ("access_token", &short.access_token),
            ],
        )?;
        Ok(Tokens {
            scopes: short.scopes,
            platform_user_id: short.platform_user_id,
            ..long
        })
    }

    /// Renews the long-lived access token (`refresh_token` is that token: see
    /// [`OAuthPlatform::refresh_credential`]). An expired one cannot be renewed: reauth.
    fn refresh(&self, refresh_token: &Secret) -> Result<Tokens, PlatformError> {
        self.token_get(
            REFRESH,
            &[
                ("grant_type", "ig_refresh_token"),
                ("access_token", refresh_token.expose()),
            ],
        )
    }

    /// Instagram Login has no revoke endpoint: nothing is sent; `disconnect` says where the user
    /// removes the app.
    fn revoke(&self, _tokens: &Tokens) -> Result<(), PlatformError> {
        Ok(())
    }

    fn revoke_note(&self) -> Option<&'static str> {
        Some(
            "Instagram has no way to revoke the grant from here: remove socialcrm under Settings > Website permissions > Apps and websites in Instagram's settings",
        )
    }

    fn whoami(&self, access_token: &Secret) -> Result<Identity, PlatformError> {
        let mut url = self.api.url(&api::graph("/me"));
        url.query_pairs_mut()
            .append_pair("fields", "user_id,username,name,account_type");
        let me = self.api.get(access_token, url)?;
        let Some(id) = text(&me, "user_id").or_else(|| text(&me, "id")) else {
            return Err(super::kit::answered_without(
                PlatformId::Instagram,
                "/me without user_id",
            ));
        };
        Ok(Identity {
            platform_user_id: id,
            username: text(&me, "username"),
            display_name: text(&me, "name"),
        })
    }

    fn exact_redirect(&self) -> bool {
        true
    }

    fn refresh_credential(&self, tokens: &Tokens) -> Option<String> {
        Some(tokens.access_token.clone())
    }

    fn refresh_ahead(&self) -> chrono::Duration {
        REFRESH_AHEAD
    }
}

/// The OAuth adapter, as the registry (`platforms::registry`) builds it.
pub fn oauth(config: &PlatformConfig, _sandbox: bool) -> crate::auth::Built {
    Ok(Box::new(Instagram::new(config)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> PlatformConfig {
        crate::platforms::kit::testing::app("app1", Some("s"), "http://127.0.0.1:9300")
    }

    #[test]
    fn the_authorize_url_has_comma_separated_scopes_and_no_pkce() {
        let ig = Instagram::new(&config()).unwrap();
        let pkce = Pkce::new(ChallengeEncoding::Base64Url);
        let redirect = Url::parse("https://example.com/cb").unwrap();
        let url = ig.authorize_url(&redirect, "st", &pkce, &["a".into(), "b".into()]);
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9300/oauth/authorize?client_id=app1&redirect_uri=https%3A%2F%2Fexample.com%2Fcb&response_type=code&scope=a%2Cb&state=st"
        );
    }

    fn reply(status: u16, body: Json) -> Result<Reply, crate::vocab::NetError> {
        Ok(crate::platforms::kit::testing::reply(status, body))
    }

    #[test]
    fn only_a_dead_token_or_a_refused_code_needs_a_new_connect() {
        let ig = Instagram::new(&config()).unwrap();
        let expired = serde_json::json!({"error": {"message": "Session has expired", "type": "OAuthException", "code": 190}});
        assert!(ig.tokens(reply(400, expired)).unwrap_err().needs_reauth());
        let code = serde_json::json!({"error_type": "OAuthException", "code": 400, "error_message": "This authorization code has been used"});
        assert!(ig.tokens(reply(400, code)).unwrap_err().needs_reauth());
        let young = serde_json::json!({"error": {"message": "token too young to refresh", "type": "OAuthException", "code": 100}});
        let err = ig.tokens(reply(400, young)).unwrap_err();
        assert!(!err.needs_reauth(), "{err}");
        let flat = serde_json::json!({"access_token": "t", "user_id": 1784, "permissions": "a,b"});
        let wrapped = serde_json::json!({"data": [flat.clone()]});
        for body in [flat, wrapped] {
            let tokens = ig.tokens(reply(200, body)).unwrap();
            assert_eq!(tokens.platform_user_id.as_deref(), Some("1784"));
            assert_eq!(tokens.scopes, ["a", "b"]);
        }
    }

    #[test]
    fn the_app_id_secret_and_redirect_uri_are_required() {
        let err = Instagram::new(&PlatformConfig::default()).err().unwrap();
        assert!(err.to_string().contains("INSTAGRAM_APP_ID"), "{err}");
        let ig = Instagram::new(&config()).unwrap();
        assert!(
            ig.exact_redirect(),
            "connect requires INSTAGRAM_REDIRECT_URI"
        );
    }
}
