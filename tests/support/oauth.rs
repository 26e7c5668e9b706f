//! The one fake OAuth 2.0 authority the fake platforms configure instead of each owning one:
//! pending authorization codes (with their PKCE challenge, redirect URI and scope), the grants
//! issued from them (access and refresh tokens, expiry, rotation, revocation), and the client
//! checks (secret in the body or HTTP Basic) and PKCE encodings (plain, S256, hex) the
//! platforms differ in. Each fake keeps only its wire: its paths, its parameter names and its
//! error bodies, so that the binary sees each platform's own contract.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine;
use sha2::{Digest, Sha256};

use super::server::{RecordedRequest, random_token};

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
            PkceEncoding::Hex => digest.iter().map(|b| format!("{b:02x}")).collect(),
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

/// The token of an `Authorization: Bearer ...` header ("" without one).
pub fn bearer(req: &RecordedRequest) -> &str {
    req.authorization
        .as_deref()
        .and_then(|h| h.strip_prefix("Bearer "))
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

/// A token pair issued, as it stands now.
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
    pub access_expires_at: Instant,
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

    pub fn refresh_valid(&self) -> bool {
        !self.revoked && !self.rotated
    }
}

/// The authority's state: what it issued, and the knobs every platform has.
pub struct Authority {
    /// Lifetime of the access tokens issued from now on.
    pub access_lifetime: Duration,
    /// Prefixes of the codes, access and refresh tokens (recognisable in logs).
    prefixes: [&'static str; 3],
    pub codes: HashMap<String, Code>,
    pub grants: Vec<Grant>,
}

impl Authority {
    pub fn new(access_lifetime: Duration, prefixes: [&'static str; 3]) -> Authority {
        Authority {
            access_lifetime,
            prefixes,
            codes: HashMap::new(),
            grants: Vec::new(),
        }
    }

    /// Stores a pending code and returns it.
    pub fn code(&mut self, code: Code) -> String {
        let value = random_token(self.prefixes[0]);
        self.codes.insert(value.clone(), code);
        value
    }

    /// A fresh refresh token value.
    pub fn new_refresh(&self) -> String {
        random_token(self.prefixes[2])
    }

    /// Issues a pair with a fresh access token and `refresh` as its refresh token.
    pub fn issue(
        &mut self,
        user: u64,
        subject: String,
        scope: String,
        refresh: Option<String>,
        from_refresh: bool,
    ) -> &Grant {
        self.grants.push(Grant {
            user,
            subject,
            access_token: random_token(self.prefixes[1]),
            refresh_token: refresh,
            scope,
            lifetime: self.access_lifetime,
            access_expires_at: Instant::now() + self.access_lifetime,
            rotated: false,
            revoked: false,
            from_refresh,
        });
        self.grants.last().unwrap()
    }

    /// The newest grant whose refresh token is `token` and still valid.
    pub fn refreshable(&mut self, token: &str) -> Option<&mut Grant> {
        self.grants
            .iter_mut()
            .rev()
            .find(|g| g.refresh_token.as_deref() == Some(token) && g.refresh_valid())
    }

    /// Revokes every grant whose access or refresh token is `token`.
    pub fn revoke(&mut self, token: &str) {
        for g in &mut self.grants {
            if g.access_token == token || g.refresh_token.as_deref() == Some(token) {
                g.revoked = true;
            }
        }
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

    /// The grant an access token was issued with, live or not.
    pub fn issued(&self, token: &str) -> Option<&Grant> {
        self.grants.iter().find(|g| g.access_token == token)
    }

    /// Every access token issued so far stops working now (refresh tokens still work).
    pub fn expire_access_now(&mut self) {
        let now = Instant::now();
        for g in &mut self.grants {
            g.access_expires_at = g.access_expires_at.min(now);
        }
    }

    pub fn access_tokens(&self) -> Vec<String> {
        self.grants.iter().map(|g| g.access_token.clone()).collect()
    }

    pub fn refresh_tokens(&self) -> Vec<String> {
        self.grants
            .iter()
            .filter_map(|g| g.refresh_token.clone())
            .collect()
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
