//! Per-platform settings: client credentials, redirect URIs, feature switches and base URLs.
//!
//! The environment names are the ones the platform deployment already uses (`TIKTOK_CLIENT_KEY`,
//! `TWITTER_BEARER_TOKEN`, ...), also accepted with the `NEXT_PUBLIC_` prefix that web front ends
//! add; the unprefixed name wins when both are set. One table ([`SETTINGS`]) says which name
//! feeds which field for which platform, so the loader below is written once for all of them.
//! Values are validated here, at start-up, so that a typo in cron's environment fails loudly
//! before any work rather than halfway through a sync.

use url::Url;

use super::ConfigError;
use super::file::{LoadedFile, Section};
use crate::vocab::Origin;
use crate::vocab::PlatformId;
use crate::vocab::Secret;

/// The settings of one platform, all optional until a command needs them.
#[derive(Debug, Clone, Default)]
pub struct PlatformConfig {
    /// The OAuth client id: TikTok's `client_key`, Instagram's app id.
    pub client_id: Option<String>,
    /// The OAuth client secret; `None` for public clients (X with PKCE only).
    pub client_secret: Option<Secret>,
    /// The redirect registered with the app; platforms that match it exactly need it set.
    pub redirect_uri: Option<Url>,
    /// What webhook deliveries are signed with (TikTok's client secret unless set apart).
    pub webhook_secret: Option<Secret>,
    /// What Meta must echo in `hub.verify_token` when it checks a webhook callback URL.
    pub webhook_verify_token: Option<Secret>,
    /// App-only bearer token (X), for reads that need no user context.
    pub bearer_token: Option<Secret>,
    /// Connect through the platform's sandbox app (TikTok) instead of the production one.
    pub sandbox: bool,
    /// The sandbox app's credentials (TikTok sandboxes have their own client key and secret).
    pub sandbox_client_id: Option<String>,
    /// The sandbox app's client secret.
    pub sandbox_client_secret: Option<Secret>,
    /// Whether the insights streams run; on unless switched off.
    pub insights: bool,
    /// Where this adapter's hosts are redirected (`SOCIALCRM_<PLATFORM>_BASE_URL`).
    pub base_url: Option<Origin>,
    /// The `User-Agent` to send instead of the adapter's default (Reddit asks for
    /// `<platform>:<app id>:<version> (by /u/<username>)`).
    pub user_agent: Option<String>,
    /// Communities whose posts and comments mentioning the account are synced (Reddit).
    pub subreddits: Vec<String>,
    /// Most billed resources one sync run reads per stream (X bills every read).
    pub max_reads: Option<u64>,
    /// The app's request quota per endpoint and minute where the platform sends no rate-limit
    /// headers to read it from (TikTok: 600 unless raised); `Some(0)` switches the client-side
    /// quota off.
    pub requests_per_minute: Option<u32>,
    /// Where each setting that is set came from, by its environment name: the variable that
    /// held it (`TIKTOK_CLIENT_KEY`, `NEXT_PUBLIC_TIKTOK_CLIENT_KEY`) or the config file's
    /// `path:line:column`. `doctor` shows it; never a value.
    pub origins: Vec<(&'static str, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    ClientId,
    ClientSecret,
    RedirectUri,
    WebhookSecret,
    WebhookVerifyToken,
    BearerToken,
    Sandbox,
    SandboxClientId,
    SandboxClientSecret,
    Insights,
    UserAgent,
    Subreddits,
    MaxReads,
    RequestsPerMinute,
}

impl Field {
    fn is_secret(self) -> bool {
        matches!(
            self,
            Field::ClientSecret
                | Field::WebhookSecret
                | Field::WebhookVerifyToken
                | Field::BearerToken
                | Field::SandboxClientSecret
        )
    }
}

/// (platform, field, key in the config file's `[platform]` table, environment name).
const SETTINGS: &[(PlatformId, Field, &str, &str)] = &[
    (
        PlatformId::Tiktok,
        Field::ClientId,
        "client_key",
        "TIKTOK_CLIENT_KEY",
    ),
    (
        PlatformId::Tiktok,
        Field::ClientSecret,
        "client_secret",
        "TIKTOK_CLIENT_SECRET",
    ),
    (
        PlatformId::Tiktok,
        Field::WebhookSecret,
        "webhook_secret",
        "TIKTOK_WEBHOOK_SECRET",
    ),
    (
        PlatformId::Tiktok,
        Field::Sandbox,
        "sandbox_mode",
        "TIKTOK_SANDBOX_MODE",
    ),
    (
        PlatformId::Tiktok,
        Field::SandboxClientId,
        "sandbox_client_key",
        "TIKTOK_SANDBOX_CLIENT_KEY",
    ),
    (
        PlatformId::Tiktok,
        Field::SandboxClientSecret,
        "sandbox_client_secret",
        "TIKTOK_SANDBOX_CLIENT_SECRET",
    ),
    (
        PlatformId::Tiktok,
        Field::Insights,
        "insights",
        "ENABLE_TIKTOK_INSIGHTS",
    ),
    (
        PlatformId::Tiktok,
        Field::RedirectUri,
        "redirect_uri",
        "TIKTOK_REDIRECT_URI",
    ),
    (
        PlatformId::Tiktok,
        Field::RequestsPerMinute,
        "requests_per_minute",
        "SOCIALCRM_TIKTOK_REQUESTS_PER_MINUTE",
    ),
    (
        PlatformId::Instagram,
        Field::ClientId,
        "app_id",
        "INSTAGRAM_APP_ID",
    ),
    (
        PlatformId::Instagram,
        Field::ClientSecret,
        "app_secret",
        "INSTAGRAM_APP_SECRET",
    ),
    (
        PlatformId::Instagram,
        Field::RedirectUri,
        "redirect_uri",
        "INSTAGRAM_REDIRECT_URI",
    ),
    (
        PlatformId::Instagram,
        Field::WebhookVerifyToken,
        "webhook_verify_token",
        "INSTAGRAM_WEBHOOK_VERIFY_TOKEN",
    ),
    (
        PlatformId::Instagram,
        Field::Insights,
        "insights",
        "ENABLE_INSTAGRAM_INSIGHTS",
    ),
    (
        PlatformId::Reddit,
        Field::ClientId,
        "client_id",
        "REDDIT_CLIENT_ID",
    ),
    (
        PlatformId::Reddit,
        Field::ClientSecret,
        "client_secret",
        "REDDIT_CLIENT_SECRET",
    ),
    (
        PlatformId::Reddit,
        Field::RedirectUri,
        "redirect_uri",
        "REDDIT_REDIRECT_URI",
    ),
    (
        PlatformId::Reddit,
        Field::UserAgent,
        "user_agent",
        "REDDIT_USER_AGENT",
    ),
    (
        PlatformId::Reddit,
        Field::Subreddits,
        "subreddits",
        "REDDIT_SUBREDDITS",
    ),
    (
        PlatformId::X,
        Field::ClientId,
        "client_id",
        "TWITTER_CLIENT_ID",
    ),
    (
        PlatformId::X,
        Field::ClientSecret,
        "client_secret",
        "TWITTER_CLIENT_SECRET",
    ),
    (
        PlatformId::X,
        Field::RedirectUri,
        "redirect_uri",
        "TWITTER_REDIRECT_URI",
    ),
    (
        PlatformId::X,
        Field::BearerToken,
        "bearer_token",
        "TWITTER_BEARER_TOKEN",
    ),
    // X signs webhooks (CRC and events) with the OAuth 1.0a consumer secret (API key secret),
    // not the OAuth 2.0 client secret: its own setting.
    (
        PlatformId::X,
        Field::WebhookSecret,
        "consumer_secret",
        "TWITTER_CONSUMER_SECRET",
    ),
    (
        PlatformId::X,
        Field::MaxReads,
        "max_reads",
        "SOCIALCRM_X_MAX_READS",
    ),
];

/// The platforms that take settings (those with an environment prefix), with their section of
/// the config file.
pub fn sections(file: Option<&LoadedFile>) -> Vec<(PlatformId, Option<&Section>)> {
    PlatformId::ALL
        .into_iter()
        .filter(|id| id.env_prefix().is_some())
        .map(|id| (id, file.and_then(|f| f.values.section(id))))
        .collect()
}

/// Builds one platform's settings from environment (first) and its config file section.
pub fn load(
    platform: PlatformId,
    section: Option<&Section>,
    file: Option<&LoadedFile>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<PlatformConfig, ConfigError> {
    let mut config = PlatformConfig {
        insights: true,
        ..PlatformConfig::default()
    };
    let settings: Vec<_> = SETTINGS.iter().filter(|s| s.0 == platform).collect();

    if let (Some(section), Some(file)) = (section, file) {
        for (key, value) in section {
            let known = key == "base_url" || settings.iter().any(|s| s.2 == key);
            if !known {
                let mut keys: Vec<&str> = settings.iter().map(|s| s.2).collect();
                keys.push("base_url");
                return Err(ConfigError::Invalid {
                    at: file.at(value.span().start),
                    message: format!(
                        "unknown key '{key}' in [{platform}] (expected one of: {})",
                        keys.join(", ")
                    ),
                });
            }
        }
    }

    for &&(_, field, key, env_name) in &settings {
        // A secret on disk where others can read it is refused even when the environment
        // overrides it: the file still leaks it.
        if field.is_secret() {
            refuse_if_exposed(platform, section, file, key)?;
        }
        let raw = match lookup_env(env, env_name) {
            Some(found) => Some(found),
            None => from_file(platform, section, file, key, field.is_secret())?,
        };
        let Some((at, value)) = raw else { continue };
        apply(&mut config, field, &at, value)?;
        config.origins.push((env_name, at));
    }

    let base_env = platform.base_url_env();
    let base = match env(&base_env).filter(|v| !v.trim().is_empty()) {
        Some(v) => Some((base_env, v)),
        None => from_file(platform, section, file, "base_url", false)?,
    };
    if let Some((at, raw)) = base {
        config.base_url = Some(Origin::parse(&raw).map_err(|e| ConfigError::Invalid {
            at,
            message: e.to_string(),
        })?);
    }
    Ok(config)
}

/// The unprefixed name first, then the `NEXT_PUBLIC_` form; empty values count as unset.
fn lookup_env(env: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<(String, String)> {
    let prefixed = format!("NEXT_PUBLIC_{name}");
    [name.to_string(), prefixed]
        .into_iter()
        .find_map(|n| env(&n).filter(|v| !v.trim().is_empty()).map(|v| (n, v)))
}

/// Refuses a secret `key` present in the platform's section of a file others can read.
fn refuse_if_exposed(
    platform: PlatformId,
    section: Option<&Section>,
    file: Option<&LoadedFile>,
    key: &str,
) -> Result<(), ConfigError> {
    match (section.and_then(|s| s.get(key)), file) {
        (Some(_), Some(file)) if file.readable_by_others => Err(ConfigError::InsecureFile {
            path: file.path.clone(),
            key: format!("{platform}.{key}"),
        }),
        _ => Ok(()),
    }
}

/// The value of `key` in the platform's config file section, with its position. A secret is
/// refused when the file can be read by others.
fn from_file(
    platform: PlatformId,
    section: Option<&Section>,
    file: Option<&LoadedFile>,
    key: &str,
    secret: bool,
) -> Result<Option<(String, String)>, ConfigError> {
    let (Some(value), Some(file)) = (section.and_then(|s| s.get(key)), file) else {
        return Ok(None);
    };
    if secret && file.readable_by_others {
        return Err(ConfigError::InsecureFile {
            path: file.path.clone(),
            key: format!("{platform}.{key}"),
        });
    }
    let at = file.at(value.span().start);
    let text = file_value_as_string(value.get_ref(), &at)?;
    Ok(Some((at, text)))
}

fn file_value_as_string(value: &toml::Value, at: &str) -> Result<String, ConfigError> {
    match value {
        toml::Value::String(s) => Ok(s.clone()),
        toml::Value::Boolean(b) => Ok(b.to_string()),
        // A list (`subreddits = ["a", "b"]`) reads like the comma-separated environment form.
        toml::Value::Array(items) if items.iter().all(toml::Value::is_str) => Ok(items
            .iter()
            .filter_map(toml::Value::as_str)
            .collect::<Vec<_>>()
            .join(",")),
        toml::Value::Integer(n) => Ok(n.to_string()),
        other => Err(ConfigError::Invalid {
            at: at.to_string(),
            message: format!(
                "expected a string, number, boolean or list of strings, found {}",
                other.type_str()
            ),
        }),
    }
}

fn apply(
    config: &mut PlatformConfig,
    field: Field,
    at: &str,
    value: String,
) -> Result<(), ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        at: at.to_string(),
        message,
    };
    match field {
        Field::ClientId => config.client_id = Some(value.trim().to_string()),
        Field::ClientSecret => config.client_secret = Some(Secret::new(value)),
        Field::WebhookSecret => config.webhook_secret = Some(Secret::new(value)),
        Field::WebhookVerifyToken => config.webhook_verify_token = Some(Secret::new(value)),
        Field::BearerToken => config.bearer_token = Some(Secret::new(value)),
        Field::Sandbox => config.sandbox = parse_bool(&value).map_err(invalid)?,
        Field::SandboxClientId => config.sandbox_client_id = Some(value.trim().to_string()),
        Field::SandboxClientSecret => config.sandbox_client_secret = Some(Secret::new(value)),
        Field::Insights => config.insights = parse_bool(&value).map_err(invalid)?,
        Field::UserAgent => {
            let agent = value.trim();
            if agent.is_empty() || agent.chars().any(|c| c.is_control()) {
                return Err(invalid(format!(
                    "'{value}' is not a usable User-Agent (one line of text)"
                )));
            }
            config.user_agent = Some(agent.to_string());
        }
        Field::Subreddits => {
            config.subreddits = value
                .split([',', ' '])
                .map(|s| s.trim().trim_start_matches("r/").trim_start_matches("/r/"))
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if let Some(bad) = config
                .subreddits
                .iter()
                .find(|s| !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            {
                return Err(invalid(format!(
                    "'{bad}' is not a subreddit name (letters, digits and _; comma-separated)"
                )));
            }
        }
        Field::RequestsPerMinute => {
            let n = value
                .trim()
                .parse::<u32>()
                .map_err(|_| invalid(format!("'{value}' is not a whole number (0: no quota)")))?;
            config.requests_per_minute = Some(n);
        }
        Field::MaxReads => {
            let n = value
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| invalid(format!("'{value}' is not a positive whole number")))?;
            config.max_reads = Some(n);
        }
        Field::RedirectUri => {
            let url = Url::parse(value.trim())
                .map_err(|e| invalid(format!("'{value}' is not an absolute URL ({e})")))?;
            if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
                return Err(invalid(format!("'{value}' must be an http or https URL")));
            }
            config.redirect_uri = Some(url);
        }
    }
    Ok(())
}

/// The boolean spellings deployments use in environment files.
pub fn parse_bool(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(format!(
            "'{value}' is not a boolean (use true/false, 1/0, yes/no or on/off)"
        )),
    }
}

/// Whether a command can go without a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// `connect` (and everything after it) cannot work without it.
    Connect,
    /// Only the feature named needs it.
    Optional(&'static str),
}

/// One credential or app setting an operator sets for a platform, and whether it is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// Its environment variable, what `doctor` tells an operator to set.
    pub var: &'static str,
    /// Its key in the config file's `[platform]` table.
    pub key: &'static str,
    /// What it is, in a few words, for `doctor`'s table.
    pub what: &'static str,
    /// Whether connecting fails without it.
    pub need: Need,
    /// Where it was set (see [`PlatformConfig::origins`]); `None`: not set.
    pub from: Option<String>,
}

/// What each platform's app registration hands the operator, in the order the README's set-up
/// sections give them. The redirect URI is required where the platform matches it exactly.
const CREDENTIALS: &[(PlatformId, &str, Need, &str)] = &[
    (
        PlatformId::Tiktok,
        "TIKTOK_CLIENT_KEY",
        Need::Connect,
        "the app's client key",
    ),
    (
        PlatformId::Tiktok,
        "TIKTOK_CLIENT_SECRET",
        Need::Connect,
        "the app's client secret",
    ),
    (
        PlatformId::Tiktok,
        "TIKTOK_REDIRECT_URI",
        Need::Optional("a fixed registered redirect address"),
        "the registered redirect URI (default http://127.0.0.1:<free port>/callback/)",
    ),
    (
        PlatformId::Tiktok,
        "TIKTOK_SANDBOX_CLIENT_KEY",
        Need::Optional("connect --sandbox with a sandbox's own app"),
        "the sandbox's client key",
    ),
    (
        PlatformId::Tiktok,
        "TIKTOK_SANDBOX_CLIENT_SECRET",
        Need::Optional("connect --sandbox with a sandbox's own app"),
        "the sandbox's client secret",
    ),
    (
        PlatformId::Instagram,
        "INSTAGRAM_APP_ID",
        Need::Connect,
        "the Instagram app ID",
    ),
    (
        PlatformId::Instagram,
        "INSTAGRAM_APP_SECRET",
        Need::Connect,
        "the Instagram app secret",
    ),
    (
        PlatformId::Instagram,
        "INSTAGRAM_REDIRECT_URI",
        Need::Connect,
        "the OAuth redirect URI registered with the app (Meta matches it exactly)",
    ),
    (
        PlatformId::Instagram,
        "INSTAGRAM_WEBHOOK_VERIFY_TOKEN",
        Need::Optional("webhooks serve"),
        "the token Meta echoes when it checks the webhook URL",
    ),
    (
        PlatformId::Reddit,
        "REDDIT_CLIENT_ID",
        Need::Connect,
        "the app's client id",
    ),
    (
        PlatformId::Reddit,
        "REDDIT_REDIRECT_URI",
        Need::Connect,
        "the redirect uri registered with the app (Reddit matches it exactly)",
    ),
    (
        PlatformId::Reddit,
        "REDDIT_CLIENT_SECRET",
        Need::Optional("a web app (installed apps have no secret)"),
        "the app's secret",
    ),
    (
        PlatformId::X,
        "TWITTER_CLIENT_ID",
        Need::Connect,
        "the app's OAuth 2.0 client ID",
    ),
    (
        PlatformId::X,
        "TWITTER_REDIRECT_URI",
        Need::Connect,
        "the callback URI registered with the app (X matches it exactly)",
    ),
    (
        PlatformId::X,
        "TWITTER_CLIENT_SECRET",
        Need::Optional("a confidential client"),
        "the app's OAuth 2.0 client secret",
    ),
    (
        PlatformId::X,
        "TWITTER_BEARER_TOKEN",
        Need::Optional("app-only profile reads"),
        "the app's bearer token",
    ),
    (
        PlatformId::X,
        "TWITTER_CONSUMER_SECRET",
        Need::Optional("webhooks serve"),
        "the OAuth 1.0a consumer secret (API key secret)",
    ),
];

/// The platform's credentials, set or not, with where each set one came from.
pub fn credentials(platform: PlatformId, config: &PlatformConfig) -> Vec<Credential> {
    CREDENTIALS
        .iter()
        .filter(|c| c.0 == platform)
        .map(|&(_, var, need, what)| Credential {
            var,
            key: SETTINGS
                .iter()
                .find(|s| s.3 == var)
                .map(|s| s.2)
                .unwrap_or(""),
            what,
            need,
            from: config
                .origins
                .iter()
                .find(|(name, _)| *name == var)
                .map(|(_, at)| at.clone()),
        })
        .collect()
}

/// What `connect` cannot do without and is not set, every one of them at once: a first set-up
/// should not take one run per missing variable. A TikTok sandbox with its own client key needs
/// the sandbox's pair instead of the app's.
pub fn missing_for_connect(
    platform: PlatformId,
    config: &PlatformConfig,
    sandbox: bool,
) -> Vec<Credential> {
    let own_sandbox_app = sandbox && config.sandbox_client_id.is_some();
    credentials(platform, config)
        .into_iter()
        .filter(|c| c.from.is_none())
        .filter(|c| match c.var {
            "TIKTOK_CLIENT_KEY" | "TIKTOK_CLIENT_SECRET" => !own_sandbox_app,
            "TIKTOK_SANDBOX_CLIENT_SECRET" => own_sandbox_app,
            _ => c.need == Need::Connect,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::env_of;

    /// The message `platform`'s settings fail to load with in the environment `pairs`.
    fn load_error(platform: PlatformId, pairs: &[(&str, &str)]) -> String {
        load(platform, None, None, &env_of(pairs))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn deployment_names_and_next_public_forms_are_honoured() {
        let env = env_of(&[
            ("NEXT_PUBLIC_TIKTOK_CLIENT_KEY", "public-key"),
            ("TIKTOK_CLIENT_SECRET", "s3cret"),
            ("TIKTOK_SANDBOX_MODE", "yes"),
            ("ENABLE_TIKTOK_INSIGHTS", "false"),
            ("TIKTOK_REDIRECT_URI", "http://127.0.0.1:3455/callback/"),
            ("SOCIALCRM_TIKTOK_BASE_URL", "http://127.0.0.1:9100"),
        ]);
        let c = load(PlatformId::Tiktok, None, None, &env).unwrap();
        assert_eq!(c.client_id.as_deref(), Some("public-key"));
        assert_eq!(c.client_secret.unwrap().expose(), "s3cret");
        assert!(c.sandbox);
        assert!(!c.insights);
        assert_eq!(c.redirect_uri.unwrap().path(), "/callback/");
        assert_eq!(c.base_url.unwrap().to_string(), "http://127.0.0.1:9100");
    }

    #[test]
    fn reddit_takes_a_user_agent_and_a_list_of_subreddits() {
        let env = env_of(&[
            ("REDDIT_USER_AGENT", "linux:crm:1.0 (by /u/me)"),
            ("REDDIT_SUBREDDITS", "r/CreatorsAdvice, test,Art_Share"),
        ]);
        let c = load(PlatformId::Reddit, None, None, &env).unwrap();
        assert_eq!(c.user_agent.as_deref(), Some("linux:crm:1.0 (by /u/me)"));
        assert_eq!(c.subreddits, vec!["CreatorsAdvice", "test", "Art_Share"]);
        let err = load_error(
            PlatformId::Reddit,
            &[("REDDIT_SUBREDDITS", "good,bad-name")],
        );
        assert!(
            err.contains("REDDIT_SUBREDDITS") && err.contains("bad-name"),
            "{err}"
        );
    }

    #[test]
    fn tiktok_takes_its_request_quota() {
        let c = load(PlatformId::Tiktok, None, None, &env_of(&[])).unwrap();
        assert_eq!(c.requests_per_minute, None, "the adapter's default applies");
        let env = env_of(&[("SOCIALCRM_TIKTOK_REQUESTS_PER_MINUTE", "0")]);
        let c = load(PlatformId::Tiktok, None, None, &env).unwrap();
        assert_eq!(c.requests_per_minute, Some(0));
        let err = load_error(
            PlatformId::Tiktok,
            &[("SOCIALCRM_TIKTOK_REQUESTS_PER_MINUTE", "lots")],
        );
        assert!(
            err.contains("SOCIALCRM_TIKTOK_REQUESTS_PER_MINUTE"),
            "{err}"
        );
    }

    #[test]
    fn x_takes_its_consumer_secret_and_read_budget() {
        let env = env_of(&[
            ("TWITTER_CONSUMER_SECRET", "consumer"),
            ("TWITTER_CLIENT_SECRET", "oauth2"),
            ("SOCIALCRM_X_MAX_READS", "250"),
        ]);
        let c = load(PlatformId::X, None, None, &env).unwrap();
        assert_eq!(c.webhook_secret.unwrap().expose(), "consumer");
        assert_eq!(c.client_secret.unwrap().expose(), "oauth2");
        assert_eq!(c.max_reads, Some(250));
        let err = load_error(PlatformId::X, &[("SOCIALCRM_X_MAX_READS", "0")]);
        assert!(
            err.contains("SOCIALCRM_X_MAX_READS") && err.contains("positive"),
            "{err}"
        );
    }

    #[test]
    fn the_unprefixed_name_wins() {
        let env = env_of(&[
            ("TWITTER_CLIENT_ID", "plain"),
            ("NEXT_PUBLIC_TWITTER_CLIENT_ID", "prefixed"),
        ]);
        let c = load(PlatformId::X, None, None, &env).unwrap();
        assert_eq!(c.client_id.as_deref(), Some("plain"));
    }

    #[test]
    fn bad_values_name_the_variable_and_never_echo_secrets() {
        let err = load_error(
            PlatformId::Instagram,
            &[("ENABLE_INSTAGRAM_INSIGHTS", "maybe")],
        );
        assert!(
            err.contains("ENABLE_INSTAGRAM_INSIGHTS") && err.contains("maybe"),
            "{err}"
        );

        let err = load_error(PlatformId::Reddit, &[("REDDIT_REDIRECT_URI", "not a url")]);
        assert!(err.contains("REDDIT_REDIRECT_URI"), "{err}");

        let err = load_error(
            PlatformId::X,
            &[("SOCIALCRM_X_BASE_URL", "http://203.0.113.9:80")],
        );
        assert!(
            err.contains("SOCIALCRM_X_BASE_URL") && err.contains("unencrypted"),
            "{err}"
        );
    }
}
