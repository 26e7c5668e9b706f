//! The one fake OAuth 2.0 authority the fake platforms configure instead of each owning one:
//! pending authorization codes (with their PKCE challenge, redirect URI and scope), the grants
//! issued from them (access and refresh tokens, expiry, rotation, revocation), and the client
//! checks (secret in the body or HTTP Basic) and PKCE encodings (plain, S256, hex) the
//! platforms differ in. It runs the flows once: a code redeemed ([`Authority::redeem`]: PKCE,
//! redirect URI, code lifetime), the token endpoint's two grants ([`Authority::grant`], refresh
//! as [`Rotation`] says), revocation and the many-users mode's numbering; its knobs (lifetimes,
//! PKCE encoding, strictness) are fields a fake sets. Each fake keeps only its wire: its paths,
//! its parameter names and its error bodies ([`Refused`], [`TokenRefused`] in its own words),
//! so that the binary sees each platform's own contract.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::server::{Fake, RecordedRequest, Routes, hex, knobs, random_token};

/// How a fake expects `code_challenge` to be derived from the `code_verifier`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PkceEncoding {
    /// Lowercase hex of SHA-256: what TikTok's desktop flow is reported to want.
    Hex,
    /// RFC 7636 S256: base64url of SHA-256, without padding.
    Base64Url,
    /// RFC 7636 plain: the verifier itself.
    Plain,
}

impl PkceEncoding {
    pub fn challenge(self, verifier: &str) -> String {
        let digest = Sha256::digest(verifier.as_bytes());
        match self {
            PkceEncoding::Hex => hex(&digest),
            PkceEncoding::Base64Url => {
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
            }
            PkceEncoding::Plain => verifier.to_string(),
        }
    }
}

/// How the client authenticates at the token and revoke endpoints.
#[derive(Clone, Debug)]
pub enum ClientAuth {
    /// HTTP Basic with `id:secret` (the secret may be empty), nothing else required.
    Basic { id: String, secret: String },
    /// Basic when there is a secret, and then no id in the body; without one (a public
    /// client) no Authorization header and `client_id` in the body.
    BasicOrPublic { id: String, secret: Option<String> },
    /// The id and secret as form fields named `id_field` and `client_secret`.
    Body {
        id_field: &'static str,
        id: String,
        secret: String,
    },
}

impl ClientAuth {
    pub fn ok(&self, req: &RecordedRequest) -> bool {
        match self {
            ClientAuth::Basic { id, secret } => req
                .authorization
                .as_deref()
                .and_then(|h| h.strip_prefix("Basic "))
                .is_some_and(|got| got.trim() == basic(id, secret)),
            ClientAuth::BasicOrPublic {
                id,
                secret: Some(secret),
            } => req.authorization.as_deref() == Some(&format!("Basic {}", basic(id, secret))),
            ClientAuth::BasicOrPublic { id, secret: None } => {
                req.authorization.is_none() && req.form_field("client_id") == Some(id)
            }
            ClientAuth::Body {
                id_field,
                id,
                secret,
            } => {
                req.form_field(id_field) == Some(id.as_str())
                    && req.form_field("client_secret") == Some(secret.as_str())
            }
        }
    }
}

/// base64(`id:secret`), the credentials of HTTP Basic.
pub fn basic(id: &str, secret: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
}

/// The token of an `Authorization: Bearer ...` header, either case of the scheme ("" without
/// one).
pub fn bearer(req: &RecordedRequest) -> &str {
    req.authorization
        .as_deref()
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .unwrap_or("")
}

/// An authorization code not yet exchanged.
pub struct Code {
    /// The many-users mode's user (0: the one fixed user).
    pub user: u64,
    pub challenge: String,
    pub redirect_uri: String,
    pub scope: String,
    /// A refresh token comes with it (Reddit's `duration=permanent`).
    pub permanent: bool,
    pub issued: Instant,
}

impl Code {
    /// A code for the fixed user (0), issued now, without a refresh token unless `permanent`.
    pub fn new(challenge: &str, redirect_uri: &str, scope: &str) -> Code {
        Code {
            user: 0,
            challenge: challenge.into(),
            redirect_uri: redirect_uri.into(),
            scope: scope.into(),
            permanent: false,
            issued: Instant::now(),
        }
    }
}

/// Why a code exchange was refused; each fake answers it in its platform's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// No such code, or it was used already.
    UnknownCode,
    /// Older than [`Authority::code_lifetime`].
    ExpiredCode,
    /// The exchange's `redirect_uri` is not the authorization's.
    WrongRedirect,
    /// The `code_verifier` does not give the challenge (or, when strict, breaks RFC 7636).
    WrongVerifier,
}

/// Why a token request was refused; each fake answers it in its platform's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenRefused {
    /// The `authorization_code` grant's code did not redeem.
    Code(Refused),
    /// The `refresh_token` grant's token is unknown, rotated away or revoked.
    Refresh,
    /// No `grant_type`.
    NoGrantType,
    /// A `grant_type` other than the two served.
    OtherGrantType,
}

/// What a refresh does to the refresh token it was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rotation {
    /// A new refresh token; the old one stops working, its access tokens live on (TikTok, X).
    Rotate,
    /// A new refresh token; the old one is revoked with its access tokens (Reddit, rotating).
    RevokeOld,
    /// The same refresh token goes on working (Reddit by default).
    Keep,
}

/// A token pair issued, as it stands now.
#[derive(Clone, Debug)]
pub struct Grant {
    /// The many-users mode's user this pair belongs to (0: the one fixed user).
    pub user: u64,
    /// The platform's id of the user (TikTok's `open_id`), where the answer names it.
    pub subject: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub scope: String,
    /// The access token's lifetime as answered (`expires_in`).
    pub lifetime: Duration,
    /// When it counts as issued (Instagram backdates old long-lived tokens).
    pub issued: Instant,
    pub access_expires_at: Instant,
    /// Instagram: a long-lived token (refreshed by itself, not by a refresh token).
    pub long_lived: bool,
    /// A refresh replaced this pair's refresh token.
    pub rotated: bool,
    pub revoked: bool,
    /// This pair came from a refresh (not from a code exchange).
    pub from_refresh: bool,
}

impl Grant {
    pub fn access_valid(&self, now: Instant) -> bool {
        !self.revoked && now < self.access_expires_at
    }

    /// The access token would be accepted now.
    pub fn access_live(&self) -> bool {
        self.access_valid(Instant::now())
    }

    pub fn refresh_valid(&self) -> bool {
        !self.revoked && !self.rotated
    }

    /// The scope list (comma- or space-separated) holds `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope.split([',', ' ']).any(|s| s.trim() == scope)
    }

    /// The usual token answer: access token, `token_type`, `expires_in`, scope and, when the
    /// pair has one, the refresh token. A fake adds its own fields.
    pub fn answer(&self, token_type: &str) -> Value {
        let mut body = json!({
            "access_token": self.access_token,
            "token_type": token_type,
            "expires_in": self.lifetime.as_secs(),
            "scope": self.scope,
        });
        if let Some(refresh) = &self.refresh_token {
            body["refresh_token"] = json!(refresh);
        }
        body
    }
}

/// The authority's state: what it issued, and the knobs every platform has.
pub struct Authority {
    /// Lifetime of the access tokens issued from now on.
    pub access_lifetime: Duration,
    /// How `code_challenge` is derived from the verifier; `None`: no PKCE (Reddit).
    pub pkce: Option<PkceEncoding>,
    /// The verifier must also be 43 to 128 unreserved characters (RFC 7636 section 4.1).
    pub strict_verifier: bool,
    /// How long a code may wait for its exchange (`None`: for ever).
    pub code_lifetime: Option<Duration>,
    /// Prefixes of the codes, access and refresh tokens (recognisable in logs).
    prefixes: [&'static str; 3],
    pub codes: HashMap<String, Code>,
    pub grants: Vec<Grant>,
    /// (token, token_type_hint) of every revocation accepted, in order.
    pub revocations: Vec<(String, String)>,
    /// Successful refreshes.
    pub refreshes: usize,
    /// Many-users mode: every authorization is by a new user 1, 2, ..; and how many so far.
    pub many_users: bool,
    pub users: u64,
}

/// An hour's tokens with generic prefixes (`code-`, `at-`, `rt-`), no PKCE.
impl Default for Authority {
    fn default() -> Authority {
        Authority::new(Duration::from_secs(3600), ["code-", "at-", "rt-"])
    }
}

impl Authority {
    pub fn new(access_lifetime: Duration, prefixes: [&'static str; 3]) -> Authority {
        Authority {
            access_lifetime,
            pkce: None,
            strict_verifier: false,
            code_lifetime: None,
            prefixes,
            codes: HashMap::new(),
            grants: Vec::new(),
            revocations: Vec::new(),
            refreshes: 0,
            many_users: false,
            users: 0,
        }
    }

    /// Who authorizes now: the next new user in many-users mode, else the fixed user (0).
    pub fn next_user(&mut self) -> u64 {
        if self.many_users {
            self.users += 1;
        }
        if self.many_users { self.users } else { 0 }
    }

    /// Stores a pending code and returns it.
    pub fn code(&mut self, code: Code) -> String {
        let value = random_token(self.prefixes[0]);
        self.codes.insert(value.clone(), code);
        value
    }

    /// The `authorization_code` grant of a token request (form fields `code`, `redirect_uri`,
    /// `code_verifier`): the pending code, consumed, once it passes every check configured.
    pub fn redeem(&mut self, req: &RecordedRequest) -> Result<Code, Refused> {
        let f = |name| req.form_field(name).unwrap_or("");
        let code = self.codes.remove(f("code")).ok_or(Refused::UnknownCode)?;
        if self
            .code_lifetime
            .is_some_and(|max| code.issued.elapsed() > max)
        {
            return Err(Refused::ExpiredCode);
        }
        if f("redirect_uri") != code.redirect_uri {
            return Err(Refused::WrongRedirect);
        }
        if let Some(pkce) = self.pkce {
            let verifier = f("code_verifier");
            let syntax = (43..=128).contains(&verifier.len())
                && verifier
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
            if (self.strict_verifier && !syntax) || pkce.challenge(verifier) != code.challenge {
                return Err(Refused::WrongVerifier);
            }
        }
        Ok(code)
    }

    /// A token request's grant: `authorization_code` (the code redeemed, then `issue` says for
    /// whom and whether with a refresh token: user, subject, refresh) or `refresh_token` (the
    /// pair refreshed as `rotation` says). The pair issued.
    pub fn grant(
        &mut self,
        req: &RecordedRequest,
        rotation: Rotation,
        issue: impl FnOnce(&mut Authority, &Code) -> (u64, String, bool),
    ) -> Result<&mut Grant, TokenRefused> {
        match req.form_field("grant_type").unwrap_or("") {
            "authorization_code" => {
                let code = self.redeem(req).map_err(TokenRefused::Code)?;
                let (user, subject, refresh) = issue(self, &code);
                Ok(self.issue(user, subject, code.scope, refresh))
            }
            "refresh_token" => {
                let token = req.form_field("refresh_token").unwrap_or("");
                self.refresh(token, rotation).ok_or(TokenRefused::Refresh)
            }
            "" => Err(TokenRefused::NoGrantType),
            _ => Err(TokenRefused::OtherGrantType),
        }
    }

    /// Issues a pair with a fresh access token (and a fresh refresh token when `refresh`).
    pub fn issue(
        &mut self,
        user: u64,
        subject: String,
        scope: String,
        refresh: bool,
    ) -> &mut Grant {
        let now = Instant::now();
        self.grants.push(Grant {
            user,
            subject,
            access_token: random_token(self.prefixes[1]),
            refresh_token: refresh.then(|| random_token(self.prefixes[2])),
            scope,
            lifetime: self.access_lifetime,
            issued: now,
            access_expires_at: now + self.access_lifetime,
            long_lived: false,
            rotated: false,
            revoked: false,
            from_refresh: false,
        });
        self.grants.last_mut().unwrap()
    }

    /// The `refresh_token` grant: a new pair for the newest live grant of `token`, the old
    /// refresh token treated as `rotation` says; `None` when the token is unknown or dead.
    pub fn refresh(&mut self, token: &str, rotation: Rotation) -> Option<&mut Grant> {
        let old = self
            .grants
            .iter_mut()
            .rev()
            .find(|g| g.refresh_token.as_deref() == Some(token) && g.refresh_valid())?;
        old.rotated = rotation == Rotation::Rotate;
        let (user, subject, scope) = (old.user, old.subject.clone(), old.scope.clone());
        if rotation == Rotation::RevokeOld {
            self.revoke(token);
        }
        self.refreshes += 1;
        let grant = self.issue(user, subject, scope, rotation != Rotation::Keep);
        grant.from_refresh = true;
        if rotation == Rotation::Keep {
            grant.refresh_token = Some(token.to_string());
        }
        Some(grant)
    }

    /// Revokes every grant whose access or refresh token is `token`.
    pub fn revoke(&mut self, token: &str) {
        for g in &mut self.grants {
            if g.access_token == token || g.refresh_token.as_deref() == Some(token) {
                g.revoked = true;
            }
        }
    }

    /// A revoke request: the `token` field's grants revoked, the call recorded with its
    /// `token_type_hint`.
    pub fn revoke_request(&mut self, req: &RecordedRequest) {
        let token = req.form_field("token").unwrap_or("").to_string();
        self.revoke(&token);
        let hint = req.form_field("token_type_hint").unwrap_or("");
        self.revocations.push((token, hint.to_string()));
    }

    /// The grant of a live access token.
    pub fn live(&self, token: &str) -> Option<&Grant> {
        self.live_at(token, Instant::now())
    }

    /// The grant of an access token live at `now`.
    pub fn live_at(&self, token: &str, now: Instant) -> Option<&Grant> {
        self.grants
            .iter()
            .find(|g| !token.is_empty() && g.access_token == token && g.access_valid(now))
    }

    /// The grant of the request's live bearer token.
    pub fn live_bearer(&self, req: &RecordedRequest) -> Option<&Grant> {
        self.live(bearer(req))
    }

    /// Every access token issued so far stops working now (refresh tokens still work).
    pub fn expire_access_now(&mut self) {
        let now = Instant::now();
        for g in &mut self.grants {
            g.access_expires_at = g.access_expires_at.min(now);
        }
    }
}

// The knobs and records of the authority, the same on every fake.
knobs! { for Fake<S> where S: Routes;
    /// Every access token issued so far stops working now (refresh tokens still work).
    expire_access_tokens_now() => |st| st.auth().expire_access_now();
    /// Lifetime of access tokens issued from now on (`expires_in` is its whole seconds).
    set_access_token_lifetime(lifetime: Duration) => |st| st.auth().access_lifetime = lifetime;
    /// Many-users mode (the `sync --all` benchmark): every authorization from now on is by a
    /// new user k = 1, 2, .. with data of its own; each token answers as its user.
    serve_many_users() => |st| st.auth().many_users = true;
    /// Every token pair issued, oldest first.
    grants() -> Vec<Grant> => |st| st.auth().grants.clone();
    /// (token, token_type_hint) of each accepted revoke, in order.
    revocations() -> Vec<(String, String)> => |st| st.auth().revocations.clone();
    /// Refresh grants answered so far (successful ones).
    refreshes() -> usize => |st| st.auth().refreshes;
    /// Authorization codes issued and not yet exchanged.
    pending_codes() -> usize => |st| st.auth().codes.len();
}

impl<S: Routes> Fake<S> {
    /// The newest token pair, if any was issued.
    pub fn last_grant(&self) -> Option<Grant> {
        self.grants().pop()
    }

    /// Every access token issued, oldest first.
    pub fn access_tokens(&self) -> Vec<String> {
        self.grants().into_iter().map(|g| g.access_token).collect()
    }

    /// Every refresh token issued, oldest first.
    pub fn refresh_tokens(&self) -> Vec<String> {
        self.grants()
            .into_iter()
            .filter_map(|g| g.refresh_token)
            .collect()
    }

    /// Every access and refresh token issued: what must never leak.
    pub fn issued_tokens(&self) -> Vec<String> {
        let mut all = self.access_tokens();
        all.extend(self.refresh_tokens());
        all
    }

    /// Refresh tokens that still work.
    pub fn live_refresh_tokens(&self) -> usize {
        let mut live: Vec<String> = self
            .grants()
            .into_iter()
            .filter(|g| !g.revoked)
            .filter_map(|g| g.refresh_token)
            .collect();
        live.dedup();
        live.len()
    }

    /// The tokens revoked, in order.
    pub fn revoked(&self) -> Vec<String> {
        self.revocations().into_iter().map(|(t, _)| t).collect()
    }
}

#[test]
fn the_pkce_encodings_are_plain_s256_and_hex() {
    // The expected values were computed independently (Python's hashlib and base64).
    let verifier = "dBjftJeZ4CVP-mJ92ZRRcKsBbLaQ5Kzx1-qlvEfbMFE";
    assert_eq!(
        PkceEncoding::Base64Url.challenge(verifier),
        "ahoBP_aQaT9ugn5rOTvAYOYIgLeT-klgvaEV7-73uik"
    );
    assert_eq!(PkceEncoding::Plain.challenge(verifier), verifier);
    assert_eq!(
        PkceEncoding::Hex.challenge(verifier),
        "6a1a013ff690693f6e827e6b393bc060e60880b793fa4960bda115efeef7ba29"
    );
}
