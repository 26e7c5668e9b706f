//! The platforms socialcrm knows, and the facts every other layer needs about them.
//!
//! Each platform gets its own folder here (`tiktok/`, `instagram/`, ...) with its adapter behind
//! one `Platform` trait as the connect and sync issues land. What lives here already is the
//! registry of names: the canonical name stored in the CRM's `platform` columns, the aliases a
//! person may type (`twitter` for `x`), and the prefix of the deployment's environment names
//! (`TWITTER_CLIENT_ID` for X). Adding a platform starts by adding it to [`PlatformId`].

pub mod instagram;
pub mod onlyfans;
pub mod reddit;
pub mod tiktok;
pub mod x;

use std::fmt;
use std::str::FromStr;

use url::Url;

use crate::auth::pkce::{ChallengeEncoding, Pkce};
use crate::auth::tokens::Tokens;
use crate::config::Config;
use crate::secrets::Secret;

/// Who a token belongs to, as the platform's user-info endpoint says.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    pub platform_user_id: String,
    pub username: Option<String>,
    pub display_name: Option<String>,
}

/// Why a platform call failed, typed so callers can refresh, re-authenticate or report.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    #[error("{platform} needs {var}: set it in the environment or in the config file")]
    MissingSetting { platform: PlatformId, var: String },
    /// Everything a first set-up still lacks, listed at once.
    #[error(
        "{platform} is not set up: missing {}; set them in the environment or under [{platform}] in the config file",
        .missing.join(", ")
    )]
    NotSetUp {
        platform: PlatformId,
        /// Each as `VAR (key in the config file: what it is)`.
        missing: Vec<String>,
    },
    #[error(
        "{platform} cannot be connected by OAuth yet (supported so far: tiktok, instagram, reddit, x)"
    )]
    Unsupported { platform: PlatformId },
    #[error("{platform} does not accept the access token ({detail})")]
    Unauthorized {
        platform: PlatformId,
        detail: String,
    },
    #[error(
        "{platform} refused the grant: {error}{}",
        log_suffix(description, log_id)
    )]
    Grant {
        platform: PlatformId,
        error: String,
        description: Option<String>,
        log_id: Option<String>,
    },
    #[error(
        "{platform} answered HTTP {status}: {code}{}",
        log_suffix(message, log_id)
    )]
    Api {
        platform: PlatformId,
        status: u16,
        code: String,
        message: Option<String>,
        log_id: Option<String>,
    },
    #[error("{platform}: {0}", platform = .1)]
    Network(crate::http::client::NetError, PlatformId),
    /// An answer (or a state) that is not what the API promises, in one line.
    #[error("{platform}: {what}{}", detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Unexpected {
        platform: PlatformId,
        what: String,
        detail: Option<String>,
    },
    /// The app's access (its API tier, or the scopes granted) does not include this endpoint:
    /// the work that needs it is skipped and the rest goes on.
    #[error("{platform} refused access: {detail}")]
    NotPermitted {
        platform: PlatformId,
        detail: String,
    },
    /// A rate limit resets later than the retry budget allows waiting: the work stops cleanly
    /// and resumes on the next run.
    #[error("{platform} rate limit reached{}", reset_suffix(.reset_in))]
    RateLimited {
        platform: PlatformId,
        reset_in: Option<std::time::Duration>,
    },
}

fn reset_suffix(reset_in: &Option<std::time::Duration>) -> String {
    reset_in
        .map(|d| format!(" (it resets in {} s)", d.as_secs_f64().ceil()))
        .unwrap_or_default()
}

fn log_suffix(text: &Option<String>, log_id: &Option<String>) -> String {
    let mut out = String::new();
    if let Some(t) = text.as_deref().filter(|t| !t.is_empty()) {
        out.push_str(": ");
        out.push_str(t);
    }
    if let Some(id) = log_id.as_deref().filter(|t| !t.is_empty()) {
        out.push_str(&format!(" (log id {id})"));
    }
    out
}

/// `text` with every occurrence of each of `values`, as sent or percent-encoded, masked.
fn mask(text: &mut String, values: &[&str]) {
    for value in values.iter().filter(|v| v.len() >= 4) {
        let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        for form in [value.to_string(), encoded.replace('+', "%20"), encoded] {
            if text.contains(&form) {
                *text = text.replace(&form, "***");
            }
        }
    }
}

impl PlatformError {
    /// This error with `secrets` (what a request carried in its URL or body: an app secret, a
    /// token) masked wherever the platform's answer echoed them, so they cannot reach a log or
    /// an error line. For endpoints that must take secrets in the query (Meta's token calls).
    pub fn masking(mut self, secrets: &[&str]) -> PlatformError {
        let texts: Vec<&mut String> = match &mut self {
            PlatformError::Unauthorized { detail, .. }
            | PlatformError::NotPermitted { detail, .. } => vec![detail],
            PlatformError::Grant {
                error,
                description,
                log_id,
                ..
            } => [Some(error), description.as_mut(), log_id.as_mut()]
                .into_iter()
                .flatten()
                .collect(),
            PlatformError::Api {
                code,
                message,
                log_id,
                ..
            } => [Some(code), message.as_mut(), log_id.as_mut()]
                .into_iter()
                .flatten()
                .collect(),
            PlatformError::Network(e, _) => vec![&mut e.reason],
            PlatformError::Unexpected { what, detail, .. } => [Some(what), detail.as_mut()]
                .into_iter()
                .flatten()
                .collect(),
            PlatformError::MissingSetting { .. }
            | PlatformError::NotSetUp { .. }
            | PlatformError::Unsupported { .. }
            | PlatformError::RateLimited { .. } => Vec::new(),
        };
        for text in texts {
            mask(text, secrets);
        }
        self
    }

    /// An answer that does not say what the API promises (a success without the id it must
    /// carry, say), or a local state the call cannot start from: `what`, with a detail.
    pub fn unexpected(platform: PlatformId, what: &str, detail: Option<String>) -> PlatformError {
        PlatformError::Unexpected {
            platform,
            what: what.into(),
            detail,
        }
    }

    /// The grant itself is dead (revoked, expired refresh token): only `connect` helps.
    pub fn needs_reauth(&self) -> bool {
        matches!(self, PlatformError::Grant { error, .. } if error == "invalid_grant")
    }
}

/// What connect, refresh and disconnect need from a platform. Each adapter holds its quirks
/// (parameter names, scope separators, PKCE encoding, token response shapes).
pub trait OAuthPlatform {
    fn id(&self) -> PlatformId;
    /// Scopes asked for when `connect` is given none.
    fn default_scopes(&self) -> &'static [&'static str];
    fn challenge_encoding(&self) -> ChallengeEncoding;
    /// The page the user is sent to.
    fn authorize_url(&self, redirect_uri: &Url, state: &str, pkce: &Pkce, scopes: &[String])
    -> Url;
    fn exchange(
        &self,
        code: &str,
        redirect_uri: &Url,
        pkce: &Pkce,
    ) -> Result<Tokens, PlatformError>;
    fn refresh(&self, refresh_token: &Secret) -> Result<Tokens, PlatformError>;
    /// Revokes the grant at the platform (best effort is the caller's choice).
    fn revoke(&self, tokens: &Tokens) -> Result<(), PlatformError>;
    /// What `disconnect` tells the user when the platform offers no way to revoke the grant.
    fn revoke_note(&self) -> Option<&'static str> {
        None
    }
    fn whoami(&self, access_token: &Secret) -> Result<Identity, PlatformError>;
    /// True when the platform compares the redirect URI with the one registered for the app
    /// exactly, port included (Reddit, X): `connect` then needs that URI configured, since the
    /// random loopback port it would pick otherwise can never match.
    fn exact_redirect(&self) -> bool {
        false
    }
    /// What [`OAuthPlatform::refresh`] is given: the refresh token, for platforms that have
    /// one; Instagram has none and refreshes the long-lived access token itself.
    fn refresh_credential(&self, tokens: &Tokens) -> Option<String> {
        tokens.refresh_token.clone()
    }
    /// How long before the access token expires a refresh is due. Short by default (the
    /// refresh token outlives it); Instagram's long-lived tokens are renewed days ahead, so
    /// that a cron `sync` renews them long before they lapse and cannot be renewed any more.
    fn refresh_ahead(&self) -> chrono::Duration {
        chrono::Duration::minutes(5)
    }
}

/// The sync streams of `id` (empty for platforms without an API adapter yet).
pub fn streams(id: PlatformId, config: &Config) -> Vec<Box<dyn crate::sync::Stream>> {
    match id {
        PlatformId::Tiktok => tiktok::streams::streams(&config.platform(id)),
        PlatformId::Reddit => reddit::streams::streams(&config.platform(id)),
        PlatformId::X => x::streams::streams(&config.platform(id)),
        PlatformId::Instagram => instagram::streams::streams(&config.platform(id)),
        _ => Vec::new(),
    }
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
    match id {
        PlatformId::Tiktok => Ok(Box::new(tiktok::TikTok::new(
            &config.platform(id),
            sandbox,
        )?)),
        PlatformId::Reddit => Ok(Box::new(reddit::Reddit::new(&config.platform(id))?)),
        PlatformId::X => Ok(Box::new(x::X::new(&config.platform(id))?)),
        PlatformId::Instagram => Ok(Box::new(instagram::Instagram::new(&config.platform(id))?)),
        other => Err(PlatformError::Unsupported { platform: other }),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlatformId {
    Tiktok,
    Instagram,
    Reddit,
    X,
    Onlyfans,
}

impl PlatformId {
    pub const ALL: [PlatformId; 5] = [
        PlatformId::Tiktok,
        PlatformId::Instagram,
        PlatformId::Reddit,
        PlatformId::X,
        PlatformId::Onlyfans,
    ];

    /// The name stored in the database and printed in output. Never changes once released:
    /// rows in users' databases carry it.
    pub fn name(self) -> &'static str {
        match self {
            PlatformId::Tiktok => "tiktok",
            PlatformId::Instagram => "instagram",
            PlatformId::Reddit => "reddit",
            PlatformId::X => "x",
            PlatformId::Onlyfans => "onlyfans",
        }
    }

    /// The README section that says how to set the platform up (register the app, scopes,
    /// redirect URI, the variables to set): named by errors and `doctor`.
    pub fn setup_section(self) -> &'static str {
        match self {
            PlatformId::Tiktok => "TikTok",
            PlatformId::Instagram => "Instagram",
            PlatformId::Reddit => "Reddit",
            PlatformId::X => "X (Twitter)",
            PlatformId::Onlyfans => "Importing OnlyFans exports",
        }
    }

    /// The prefix of the environment names the platform deployment already uses
    /// (`TIKTOK_CLIENT_KEY`, `TWITTER_CLIENT_ID`, ...). OnlyFans has no API, hence no credentials.
    pub fn env_prefix(self) -> Option<&'static str> {
        match self {
            PlatformId::Tiktok => Some("TIKTOK"),
            PlatformId::Instagram => Some("INSTAGRAM"),
            PlatformId::Reddit => Some("REDDIT"),
            PlatformId::X => Some("TWITTER"),
            PlatformId::Onlyfans => None,
        }
    }

    /// `SOCIALCRM_<PLATFORM>_BASE_URL`, the variable that points every host of the adapter at one
    /// other origin (sandboxes, emulators, tests).
    pub fn base_url_env(self) -> String {
        format!("SOCIALCRM_{}_BASE_URL", self.name().to_ascii_uppercase())
    }
}

impl fmt::Display for PlatformId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing a platform name: lists the valid names so the message is its own fix.
#[derive(Debug, thiserror::Error)]
#[error("unknown platform '{0}' (expected one of: tiktok, instagram, reddit, x, onlyfans)")]
pub struct UnknownPlatform(pub String);

impl FromStr for PlatformId {
    type Err = UnknownPlatform;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        match lower.as_str() {
            "twitter" => Ok(PlatformId::X),
            _ => PlatformId::ALL
                .into_iter()
                .find(|p| p.name() == lower)
                .ok_or_else(|| UnknownPlatform(s.to_string())),
        }
    }
}

/// Lets clap list the names in `--help` and completions, and accept the aliases.
impl clap::ValueEnum for PlatformId {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let value = clap::builder::PossibleValue::new(self.name());
        Some(match self {
            PlatformId::X => value.alias("twitter"),
            _ => value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_aliases_parse() {
        for p in PlatformId::ALL {
            assert_eq!(p.name().parse::<PlatformId>().unwrap(), p);
        }
        assert_eq!("Twitter".parse::<PlatformId>().unwrap(), PlatformId::X);
        assert!("myspace".parse::<PlatformId>().is_err());
        assert_eq!(PlatformId::X.base_url_env(), "SOCIALCRM_X_BASE_URL");
    }
}
