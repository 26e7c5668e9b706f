//! What the OAuth flow needs from a platform: the [`OAuthPlatform`] trait, owned here by its
//! consumer. Each adapter in `platforms/` implements it and holds its quirks (parameter names,
//! scope separators, PKCE encoding, token response shapes).

use url::Url;

use super::pkce::{ChallengeEncoding, Pkce};
use super::tokens::Tokens;
use crate::vocab::{Identity, PlatformError, PlatformId, Secret};

/// What connect, refresh and disconnect need from a platform. Each adapter holds its quirks
/// (parameter names, scope separators, PKCE encoding, token response shapes).
pub trait OAuthPlatform {
    /// Which platform this is, for keys, messages and the connection row.
    fn id(&self) -> PlatformId;
    /// Scopes asked for when `connect` is given none.
    fn default_scopes(&self) -> &'static [&'static str];
    /// How this platform wants the PKCE challenge written (TikTok differs from the RFC).
    fn challenge_encoding(&self) -> ChallengeEncoding;
    /// The page the user is sent to.
    fn authorize_url(&self, redirect_uri: &Url, state: &str, pkce: &Pkce, scopes: &[String])
    -> Url;
    /// Trades the redirect's code for tokens; the verifier proves this process started it.
    fn exchange(
        &self,
        code: &str,
        redirect_uri: &Url,
        pkce: &Pkce,
    ) -> Result<Tokens, PlatformError>;
    /// New tokens from a refresh token; called only under the connection's locks, since
    /// platforms that rotate refresh tokens accept each one once.
    fn refresh(&self, refresh_token: &Secret) -> Result<Tokens, PlatformError>;
    /// Revokes the grant at the platform (best effort is the caller's choice).
    fn revoke(&self, tokens: &Tokens) -> Result<(), PlatformError>;
    /// What `disconnect` tells the user when the platform offers no way to revoke the grant.
    fn revoke_note(&self) -> Option<&'static str> {
        None
    }
    /// Who the token belongs to: what `connect` prints and `accounts --check` verifies.
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

/// A platform's OAuth adapter as its folder builds it, or why it cannot be built (a setting the
/// platform needs is missing or invalid).
pub type Built = Result<Box<dyn OAuthPlatform>, PlatformError>;
