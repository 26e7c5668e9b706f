//! TikTok (Login Kit v2, Display API): OAuth with its quirks, and who the token belongs to.
//!
//! Quirks (shared/platforms/tiktok.md, checked against developers.tiktok.com): the client id is
//! called `client_key`; scopes are comma-separated; desktop apps must use PKCE, with the
//! challenge written as the hex SHA-256 of the verifier; the client secret is sent on every
//! token call (there is no public-client mode); refresh tokens rotate, so the newest one must
//! be stored before the old one is used again; OAuth errors come as
//! `{"error","error_description","log_id"}`, API errors as `{"error":{"code","message","log_id"}}`.

use chrono::Utc;
use serde_json::Value as Json;
use url::Url;

use super::kit::text;
use super::{Identity, OAuthPlatform, PlatformError, PlatformId};
use crate::auth::pkce::{ChallengeEncoding, Pkce};
use crate::auth::tokens::Tokens;
use crate::config::PlatformConfig;
use crate::http::client::{Client, Reply};
use crate::vocab::Origin;
use crate::vocab::Secret;

const AUTHORIZE: &str = "https://www.tiktok.com/v2/auth/authorize/";
const TOKEN: &str = "https://open.tiktokapis.com/v2/oauth/token/";
const REVOKE: &str = "https://open.tiktokapis.com/v2/oauth/revoke/";
const USER_INFO: &str = "https://open.tiktokapis.com/v2/user/info/";

pub mod publisher;
pub mod streams;
pub mod upload;
pub mod webhook;

/// TikTok's API quota: 600 requests a minute per endpoint for the app unless TikTok raised it
/// (shared/platforms/tiktok.md section 4; `requests_per_minute` /
/// `SOCIALCRM_TIKTOK_REQUESTS_PER_MINUTE`, 0 for none). TikTok sends no headers with the
/// count, so the budget keeps it, one per client key and endpoint, shared by every account of
/// the app.
struct Quota {
    client_key: String,
    per_minute: u32,
}

const DEFAULT_REQUESTS_PER_MINUTE: u32 = 600;

impl crate::http::ratelimit::Pacer for Quota {
    fn budget(&self, url: &Url) -> std::sync::Arc<crate::http::ratelimit::Budget> {
        let budget =
            crate::http::ratelimit::budget(&format!("tiktok:{}:{}", self.client_key, url.path()));
        if self.per_minute > 0 {
            budget.set_quota(self.per_minute as usize, std::time::Duration::from_secs(60));
        }
        budget
    }

    fn reading(&self, _: &reqwest::header::HeaderMap) -> Option<crate::http::ratelimit::Reading> {
        None
    }
}

/// The client for TikTok's API calls on behalf of accounts, drawing from the app's quota.
pub(crate) fn api_client(config: &PlatformConfig, client_key: &str) -> Client {
    Client::new().paced(std::sync::Arc::new(Quota {
        client_key: client_key.to_string(),
        per_minute: config
            .requests_per_minute
            .unwrap_or(DEFAULT_REQUESTS_PER_MINUTE),
    }))
}

/// The TikTok OAuth adapter (Login Kit v2): `client_key` instead of `client_id`, PKCE with a
/// hex-encoded S256 challenge, a sandbox app beside the production one.
pub struct TikTok {
    client_key: String,
    client_secret: Secret,
    base_url: Option<Origin>,
    sandbox: bool,
    http: Client,
}

impl TikTok {
    /// The adapter with the production app's credentials, or with `sandbox` the sandbox app's
    /// (`TIKTOK_SANDBOX_CLIENT_KEY`/`_SECRET` when set, else the regular ones, which must then be
    /// the sandbox's). The hosts are the same for both.
    pub fn new(config: &PlatformConfig, sandbox: bool) -> Result<TikTok, PlatformError> {
        let missing = |var: &str| PlatformError::MissingSetting {
            platform: PlatformId::Tiktok,
            var: var.into(),
        };
        let (key, secret) = match (sandbox, &config.sandbox_client_id) {
            (true, Some(key)) => (
                Some(key.clone()),
                config
                    .sandbox_client_secret
                    .clone()
                    .ok_or_else(|| missing("TIKTOK_SANDBOX_CLIENT_SECRET"))?,
            ),
            _ => (
                config.client_id.clone(),
                config
                    .client_secret
                    .clone()
                    .ok_or_else(|| missing("TIKTOK_CLIENT_SECRET"))?,
            ),
        };
        let client_key = key.ok_or_else(|| missing("TIKTOK_CLIENT_KEY"))?;
        Ok(TikTok {
            http: api_client(config, &client_key),
            client_key,
            client_secret: secret,
            base_url: config.base_url.clone(),
            sandbox,
        })
    }

    /// A real TikTok URL, or its twin on `SOCIALCRM_TIKTOK_BASE_URL`.
    fn url(&self, real: &str) -> Url {
        super::kit::route(self.base_url.as_ref(), real)
    }

    fn post(&self, url: &str, form: &[(&str, &str)]) -> Result<Reply, PlatformError> {
        self.http
            .post_form(&self.url(url), form)
            .map_err(|e| PlatformError::Network(e, PlatformId::Tiktok))
    }

    fn token_call(&self, form: &[(&str, &str)]) -> Result<Tokens, PlatformError> {
        let reply = self.post(TOKEN, form)?;
        let body = &reply.body;
        if reply.status >= 500 {
            // The server's trouble, not a verdict on the grant: keep the status in the message.
            return Err(PlatformError::Api {
                platform: PlatformId::Tiktok,
                status: reply.status,
                code: text(body, "error").unwrap_or_else(|| "server error".into()),
                message: text(body, "error_description"),
                log_id: text(body, "log_id"),
            });
        }
        if let Some(refused) = super::kit::refusal(PlatformId::Tiktok, body) {
            return Err(refused);
        }
        if !reply.ok() {
            return Err(api_error(&reply));
        }
        let mut tokens =
            Tokens::from_response(body, Utc::now()).ok_or_else(|| api_error(&reply))?;
        tokens.platform_user_id = text(body, "open_id");
        tokens.sandbox = self.sandbox;
        Ok(tokens)
    }
}

/// An API error from the `{"error":{"code","message","log_id"}}` envelope (or a bare status).
fn api_error(reply: &Reply) -> PlatformError {
    let error = reply.body.get("error");
    let field = |name: &str| {
        error
            .and_then(|e| e.get(name))
            .and_then(Json::as_str)
            .map(str::to_string)
    };
    PlatformError::Api {
        platform: PlatformId::Tiktok,
        status: reply.status,
        code: field("code").unwrap_or_else(|| "unexpected reply".into()),
        message: field("message"),
        log_id: field("log_id"),
    }
}

/// The `data` of a Display/Content API answer, or the error its envelope (or status) tells:
/// 401 is [`PlatformError::Unauthorized`] (the lifecycle refreshes and retries), anything else
/// one line with TikTok's code, message and log id.
pub(crate) fn data(reply: Result<Reply, crate::vocab::NetError>) -> Result<Json, PlatformError> {
    let body = super::kit::answer::<Envelope>(reply)?;
    Ok(body.get("data").cloned().unwrap_or(Json::Null))
}

/// The Display/Content API envelope: `{"data", "error": {"code", ...}}`, whose code is `ok`
/// when all went well.
struct Envelope;

impl super::kit::Envelope for Envelope {
    const PLATFORM: PlatformId = PlatformId::Tiktok;

    fn unauthorized(reply: &Reply) -> Option<String> {
        (reply.status == 401).then(|| match api_error(reply) {
            PlatformError::Api { code, .. } => code,
            _ => "401".into(),
        })
    }

    fn refused(reply: &Reply) -> bool {
        let code = reply.body.pointer("/error/code").and_then(Json::as_str);
        code.unwrap_or("ok") != "ok"
    }

    fn error(reply: &Reply) -> PlatformError {
        api_error(reply)
    }
}

impl OAuthPlatform for TikTok {
    fn id(&self) -> PlatformId {
        PlatformId::Tiktok
    }

    fn default_scopes(&self) -> &'static [&'static str] {
        &[
            "user.info.basic",
            "user.info.profile",
            "user.info.stats",
            "video.list",
        ]
    }

    fn challenge_encoding(&self) -> ChallengeEncoding {
        ChallengeEncoding::Hex
    }

    fn authorize_url(
        &self,
        redirect_uri: &Url,
        state: &str,
        pkce: &Pkce,
        scopes: &[String],
    ) -> Url {
        let mut url = self.url(AUTHORIZE);
        url.query_pairs_mut()
            .append_pair("client_key", &self.client_key)
            .append_pair("scope", &scopes.join(","))
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", redirect_uri.as_str())
            .append_pair("state", state)
            .append_pair("code_challenge", &pkce.challenge)
            .append_pair("code_challenge_method", "S256");
        url
    }

    fn exchange(
        &self,
        code: &str,
        redirect_uri: &Url,
        pkce: &Pkce,
    ) -> Result<Tokens, PlatformError> {
        self.token_call(&[
            ("client_key", &self.client_key),
            ("client_secret", self.client_secret.expose()),
            ("code", code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect_uri.as_str()),
            ("code_verifier", &pkce.verifier),
        ])
    }

    fn refresh(&self, refresh_token: &Secret) -> Result<Tokens, PlatformError> {
        self.token_call(&[
            ("client_key", &self.client_key),
            ("client_secret", self.client_secret.expose()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
        ])
    }

    fn revoke(&self, tokens: &Tokens) -> Result<(), PlatformError> {
        let reply = self.post(
            REVOKE,
            &[
                ("client_key", &self.client_key),
                ("client_secret", self.client_secret.expose()),
                ("token", &tokens.access_token),
            ],
        )?;
        if let Some(refused) = super::kit::refusal(PlatformId::Tiktok, &reply.body) {
            return Err(refused);
        }
        if reply.ok() {
            Ok(())
        } else {
            Err(api_error(&reply))
        }
    }

    fn whoami(&self, access_token: &Secret) -> Result<Identity, PlatformError> {
        let mut url = self.url(USER_INFO);
        url.query_pairs_mut().append_pair(
            "fields",
            "open_id,union_id,avatar_url,display_name,username",
        );
        let reply = self.http.get_authorized(&url, access_token);
        let data = data(reply)?;
        let user = data.pointer("/user").cloned().unwrap_or(Json::Null);
        super::kit::identity(&user, "open_id", "display_name").ok_or_else(|| {
            PlatformError::unexpected(PlatformId::Tiktok, "user info without open_id", None)
        })
    }
}

/// The OAuth adapter, as the registry (`platforms::registry`) builds it.
pub fn oauth(config: &PlatformConfig, sandbox: bool) -> crate::auth::Built {
    Ok(Box::new(TikTok::new(config, sandbox)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorize_url_uses_tiktoks_names_and_the_base_url() {
        let config = crate::platforms::kit::testing::app(
            "ck",
            Some("client-secret-value"),
            "http://127.0.0.1:9100",
        );
        let tiktok = TikTok::new(&config, false).unwrap();
        let pkce = Pkce::new(ChallengeEncoding::Hex);
        let redirect = Url::parse("http://127.0.0.1:3455/callback/").unwrap();
        let url = tiktok.authorize_url(
            &redirect,
            "st",
            &pkce,
            &["user.info.basic".into(), "video.list".into()],
        );
        assert!(url.as_str().starts_with("http://127.0.0.1:9100/v2/auth/authorize/?client_key=ck&scope=user.info.basic%2Cvideo.list&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A3455%2Fcallback%2F&state=st&code_challenge="), "{url}");
        assert!(
            !url.as_str().contains("client-secret-value"),
            "the secret never goes in a URL"
        );
        assert_eq!(pkce.challenge.len(), 64, "hex");
    }

    #[test]
    fn a_missing_credential_names_its_variable() {
        let err = TikTok::new(&PlatformConfig::default(), false)
            .err()
            .unwrap();
        assert!(err.to_string().contains("TIKTOK_CLIENT_SECRET"));
        let production = PlatformConfig {
            client_id: Some("ck".into()),
            client_secret: Some(Secret::new("cs")),
            ..PlatformConfig::default()
        };
        assert!(TikTok::new(&production, false).is_ok());
        assert!(
            TikTok::new(&production, true).is_ok(),
            "no sandbox app: the regular credentials"
        );
        let both = PlatformConfig {
            sandbox_client_id: Some("sk".into()),
            ..production
        };
        let err = TikTok::new(&both, true).err().unwrap();
        assert!(err.to_string().contains("TIKTOK_SANDBOX_CLIENT_SECRET"));
    }
}
