//! The platforms socialcrm knows, by name: [`PlatformId`] (the canonical name stored in the CRM's
//! `platform` columns, the aliases a person may type, the prefix of the deployment's environment
//! names), who a token belongs to ([`Identity`]) and why a platform call failed
//! ([`PlatformError`]). Every floor speaks these words; this file imports nothing of the crate
//! but the words of [`super::net`].

use std::fmt;
use std::str::FromStr;

use super::net::NetError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
/// Every platform socialcrm knows; the name each has in commands, keys and rows is
/// [`PlatformId::name`], and its facts are in [`FACTS`]. The order (`Ord`) is the registry's,
/// not the names': a listing sorted by platform name sorts by [`PlatformId::name`].
pub enum PlatformId {
    /// TikTok (Login Kit, Display API, Content Posting API).
    Tiktok,
    /// Instagram (the Graph API of a professional account).
    Instagram,
    /// Reddit (OAuth API).
    Reddit,
    /// X, formerly Twitter (API v2).
    X,
    /// OnlyFans: no API, CSV exports imported.
    Onlyfans,
}

impl PlatformId {
    /// Every platform in registry order: what help texts, `doctor` and the checklist iterate.
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
        self.facts().name
    }

    /// The platform whose stored name is exactly `name` (no alias, no case folding): how a
    /// `platform` column is read back, so that a row reads as the text it holds.
    pub fn from_name(name: &str) -> Option<PlatformId> {
        FACTS.iter().find(|f| f.name == name).map(|f| f.id)
    }

    /// The README section that says how to set the platform up (register the app, scopes,
    /// redirect URI, the variables to set): named by errors and `doctor`.
    pub fn setup_section(self) -> &'static str {
        self.facts().setup_section
    }

    /// The prefix of the environment names the platform deployment already uses
    /// (`TIKTOK_CLIENT_KEY`, `TWITTER_CLIENT_ID`, ...). OnlyFans has no API, hence no credentials.
    pub fn env_prefix(self) -> Option<&'static str> {
        self.facts().env_prefix
    }

    /// `SOCIALCRM_<PLATFORM>_BASE_URL`, the variable that points every host of the adapter at one
    /// other origin (sandboxes, emulators, tests).
    pub fn base_url_env(self) -> String {
        format!("SOCIALCRM_{}_BASE_URL", self.name().to_ascii_uppercase())
    }

    /// This platform's entry in [`FACTS`].
    pub fn facts(self) -> &'static Facts {
        // FACTS is in the order of the variants (checked by a test below).
        &FACTS[self as usize]
    }
}

/// The vocabulary half of a platform's registry entry: what every floor may know about it by
/// name. The adapter half (OAuth, streams) is `platforms::registry`, one floor up.
#[derive(Debug)]
pub struct Facts {
    /// The platform these facts are about.
    pub id: PlatformId,
    /// The canonical name (see [`PlatformId::name`]).
    pub name: &'static str,
    /// Other names a person may type (`twitter` for `x`), accepted by the parser and clap.
    pub aliases: &'static [&'static str],
    /// See [`PlatformId::setup_section`].
    pub setup_section: &'static str,
    /// See [`PlatformId::env_prefix`].
    pub env_prefix: Option<&'static str>,
    /// The name people write (`TikTok`), for help texts.
    pub display: &'static str,
    /// Its sync streams as `sync --help` lists them, in the order they run (empty without an
    /// API); `tests/registry.rs` checks every stream the adapter runs is named here.
    pub streams: &'static str,
    /// What `upload <platform> FILE` posts, as `upload --help` says it; `None` for a platform
    /// that takes no uploads (`tests/registry.rs` checks it has a publisher exactly when this
    /// is set).
    pub upload: Option<&'static str>,
}

/// Every platform's facts, in the order of [`PlatformId::ALL`].
pub const FACTS: [Facts; 5] = [
    Facts {
        id: PlatformId::Tiktok,
        name: "tiktok",
        aliases: &[],
        setup_section: "TikTok",
        env_prefix: Some("TIKTOK"),
        display: "TikTok",
        streams: "profile, videos",
        upload: Some("A video, by TikTok's Content Posting API (--draft: to the creator's inbox)"),
    },
    Facts {
        id: PlatformId::Instagram,
        name: "instagram",
        aliases: &[],
        setup_section: "Instagram",
        env_prefix: Some("INSTAGRAM"),
        display: "Instagram",
        streams: "profile, media, stories, comments, conversations, insights",
        upload: Some("A reel, by Meta's resumable upload"),
    },
    Facts {
        id: PlatformId::Reddit,
        name: "reddit",
        aliases: &[],
        setup_section: "Reddit",
        env_prefix: Some("REDDIT"),
        display: "Reddit",
        streams: "identity, submissions, comments, inbox, sent, and mentions with REDDIT_SUBREDDITS",
        upload: None,
    },
    Facts {
        id: PlatformId::X,
        name: "x",
        aliases: &["twitter"],
        setup_section: "X (Twitter)",
        env_prefix: Some("TWITTER"),
        display: "X",
        streams: "user, followers, posts, mentions, dms",
        upload: Some("X: a chunked media upload, then a post with it (--caption is its text)"),
    },
    Facts {
        id: PlatformId::Onlyfans,
        name: "onlyfans",
        aliases: &[],
        setup_section: "Importing OnlyFans exports",
        env_prefix: None,
        display: "OnlyFans",
        streams: "",
        upload: None,
    },
];

/// The first platform of the registry. Only so that the records naming a platform can derive
/// `Default` (a listing reads its columns from a default row): every record written or read
/// names its platform.
impl Default for PlatformId {
    fn default() -> Self {
        PlatformId::ALL[0]
    }
}

/// Serialized as its [`PlatformId::name`]: the text the CRM's `platform` columns hold, so JSON,
/// CSV and table output read as they did when the fields were strings.
impl serde::Serialize for PlatformId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl fmt::Display for PlatformId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing a platform name: lists the valid names so the message is its own fix.
#[derive(Debug, thiserror::Error)]
#[error("unknown platform '{0}' (expected one of: {names})", names = FACTS.map(|f| f.name).join(", "))]
pub struct UnknownPlatform(pub String);

impl FromStr for PlatformId {
    type Err = UnknownPlatform;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        FACTS
            .iter()
            .find(|f| f.name == lower || f.aliases.contains(&lower.as_str()))
            .map(|f| f.id)
            .ok_or_else(|| UnknownPlatform(s.to_string()))
    }
}

/// Lets clap list the names in `--help` and completions, and accept the aliases.
impl clap::ValueEnum for PlatformId {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let facts = self.facts();
        Some(clap::builder::PossibleValue::new(facts.name).aliases(facts.aliases.iter().copied()))
    }
}

/// Who a token belongs to, as the platform's user-info endpoint says.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    /// The platform's stable id for the account: what rows are keyed by, since usernames change.
    pub platform_user_id: String,
    /// The handle, when the platform shares it.
    pub username: Option<String>,
    /// The shown name, when the platform has one.
    pub display_name: Option<String>,
}

/// Why a platform call failed, typed so callers can refresh, re-authenticate or report.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// One setting is missing where the others are set: the message names the variable.
    #[error("{platform} needs {var}: set it in the environment or in the config file")]
    MissingSetting {
        /// The platform.
        platform: PlatformId,
        /// The environment variable to set.
        var: String,
    },
    /// Everything a first set-up still lacks, listed at once.
    #[error(
        "{platform} is not set up: missing {}; set them in the environment or under [{platform}] in the config file",
        .missing.join(", ")
    )]
    NotSetUp {
        /// The platform.
        platform: PlatformId,
        /// Each as `VAR (key in the config file: what it is)`.
        missing: Vec<String>,
    },
    #[error(
        "{platform} cannot be connected by OAuth yet (supported so far: tiktok, instagram, reddit, x)"
    )]
    /// The platform has no OAuth (OnlyFans): `connect` explains its exports instead.
    Unsupported {
        /// The platform.
        platform: PlatformId,
    },
    /// A 401: refreshed once and retried, then the account needs `connect` again.
    #[error("{platform} does not accept the access token ({detail})")]
    Unauthorized {
        /// The platform.
        platform: PlatformId,
        /// What the platform said about it.
        detail: String,
    },
    #[error(
        "{platform} refused the grant: {error}{}",
        log_suffix(description, log_id)
    )]
    /// The token endpoint refused a code or refresh token: the grant is gone.
    Grant {
        /// The platform.
        platform: PlatformId,
        /// The OAuth `error` code (`invalid_grant`).
        error: String,
        /// The platform's `error_description`.
        description: Option<String>,
        /// The platform's request id (TikTok `log_id`), for its support.
        log_id: Option<String>,
    },
    #[error(
        "{platform} answered HTTP {status}: {code}{}",
        log_suffix(message, log_id)
    )]
    /// Any other error answer, with what the platform said.
    Api {
        /// The platform.
        platform: PlatformId,
        /// The HTTP status.
        status: u16,
        /// The platform's error code.
        code: String,
        /// The platform's message, when it sent one.
        message: Option<String>,
        /// The platform's request id, for its support.
        log_id: Option<String>,
    },
    /// The platform could not be reached, or the connection broke.
    #[error("{platform}: {0}", platform = .1)]
    Network(NetError, PlatformId),
    /// An answer (or a state) that is not what the API promises, in one line.
    #[error("{platform}: {what}{}", detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Unexpected {
        /// The platform.
        platform: PlatformId,
        /// What was expected and not found.
        what: String,
        /// The offending value or field, when there is one to name.
        detail: Option<String>,
    },
    /// The app's access (its API tier, or the scopes granted) does not include this endpoint:
    /// the work that needs it is skipped and the rest goes on.
    #[error("{platform} refused access: {detail}")]
    NotPermitted {
        /// The platform.
        platform: PlatformId,
        /// Its reason (a missing scope, an app not approved for the endpoint).
        detail: String,
    },
    /// A rate limit resets later than the retry budget allows waiting: the work stops cleanly
    /// and resumes on the next run.
    #[error("{platform} rate limit reached{}", reset_suffix(.reset_in))]
    RateLimited {
        /// The platform.
        platform: PlatformId,
        /// When the limit resets, when the platform said.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_in_the_order_of_the_variants() {
        for (i, p) in PlatformId::ALL.into_iter().enumerate() {
            assert_eq!(FACTS[i].id, p);
            assert_eq!(p as usize, i);
        }
        let err = "myspace".parse::<PlatformId>().unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown platform 'myspace' (expected one of: tiktok, instagram, reddit, x, onlyfans)"
        );
    }

    #[test]
    fn a_platform_serializes_as_its_stored_name() {
        for p in PlatformId::ALL {
            assert_eq!(
                serde_json::to_string(&p).unwrap(),
                format!("\"{}\"", p.name())
            );
            assert_eq!(PlatformId::from_name(p.name()), Some(p));
        }
        assert_eq!(
            PlatformId::from_name("twitter"),
            None,
            "aliases are typed, not stored"
        );
    }

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
