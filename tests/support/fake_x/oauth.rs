//! X's OAuth 2.0 endpoints: authorize, token (code with PKCE, rotating refresh), revoke.

use std::collections::HashMap;
use std::time::Instant;

use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Reply, State, USER_ID};
use crate::support::server::RecordedRequest;
use crate::support::server::random_token;

struct Pending {
    challenge: String,
    redirect_uri: String,
    scope: String,
    issued: Instant,
}

pub(super) struct Grant {
    /// The many-users mode's user (0: the fixed creator).
    pub user: u64,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub access_expires_at: Instant,
    pub scope: String,
    pub rotated: bool,
    pub revoked: bool,
}

#[derive(Default)]
pub(super) struct OAuth {
    codes: HashMap<String, Pending>,
    pub grants: Vec<Grant>,
    pub refreshes: usize,
    pub revoked: Vec<String>,
}

impl OAuth {
    pub fn refresh_tokens(&self) -> Vec<String> {
        self.grants
            .iter()
            .filter_map(|g| g.refresh_token.clone())
            .collect()
    }

    pub fn access_tokens(&self) -> Vec<String> {
        self.grants.iter().map(|g| g.access_token.clone()).collect()
    }

    /// True when `bearer` is a live user access token.
    pub fn valid_access(&self, bearer: &str) -> bool {
        let now = Instant::now();
        self.grants
            .iter()
            .any(|g| g.access_token == bearer && !g.revoked && now < g.access_expires_at)
    }
}

fn oauth_error(error: &str, description: &str) -> Reply {
    Reply::json(
        400,
        json!({"error": error, "error_description": description}),
    )
}

fn s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl State {
    pub(super) fn authorize(&mut self, req: &RecordedRequest) -> Reply {
        let q = |name| req.query_param(name).unwrap_or("").to_string();
        if q("client_id") != self.client_id {
            return Reply::problem(
                400,
                "Invalid Request",
                "client_id is unknown.",
                "invalid-request",
            );
        }
        let required = ["redirect_uri", "scope", "state", "code_challenge"];
        if q("response_type") != "code"
            || q("code_challenge_method") != "S256"
            || required.iter().any(|k| q(k).is_empty())
        {
            return Reply::problem(
                400,
                "Invalid Request",
                "Missing or invalid parameters.",
                "invalid-request",
            );
        }
        if req.raw_query.contains("scope=") && req.raw_query.contains('+') {
            return Reply::problem(
                400,
                "Invalid Request",
                "Scopes must be separated by %20.",
                "invalid-request",
            );
        }
        let code = random_token("xcode.");
        let mut challenge = q("code_challenge");
        if self.corrupt_challenges {
            challenge = s256("not the verifier");
        }
        self.oauth.codes.insert(
            code.clone(),
            Pending {
                challenge,
                redirect_uri: q("redirect_uri"),
                scope: q("scope"),
                issued: Instant::now(),
            },
        );
        let mut location = url::Url::parse(&q("redirect_uri")).expect("a redirect URI");
        location
            .query_pairs_mut()
            .append_pair("state", &q("state"))
            .append_pair("code", &code);
        Reply {
            status: 302,
            body: String::new(),
            location: Some(location.to_string()),
            headers: Vec::new(),
        }
    }

    /// Confidential clients: HTTP Basic with id and secret, and no client_id in the body.
    /// Public clients: client_id in the body.
    fn client_ok(&self, req: &RecordedRequest) -> bool {
        match &self.client_secret {
            Some(secret) => {
                let basic = base64::engine::general_purpose::STANDARD
                    .encode(format!("{}:{secret}", self.client_id));
                req.authorization.as_deref() == Some(&format!("Basic {basic}"))
            }
            None => {
                req.authorization.is_none() && req.form_field("client_id") == Some(&self.client_id)
            }
        }
    }

    pub(super) fn token(&mut self, req: &RecordedRequest) -> Reply {
        if !self.client_ok(req) {
            return Reply::json(
                401,
                json!({"error": "unauthorized_client", "error_description": "Missing valid authorization header"}),
            );
        }
        let f = |name| req.form_field(name).unwrap_or("").to_string();
        match f("grant_type").as_str() {
            "authorization_code" => {
                let Some(pending) = self.oauth.codes.remove(&f("code")) else {
                    return oauth_error(
                        "invalid_request",
                        "Value passed for the authorization code was invalid.",
                    );
                };
                if pending.issued.elapsed() > self.code_lifetime {
                    return oauth_error(
                        "invalid_request",
                        "Value passed for the authorization code was invalid.",
                    );
                }
                if pending.redirect_uri != f("redirect_uri") {
                    return oauth_error(
                        "invalid_request",
                        "Value passed for the redirect uri did not match the uri of the authorization code.",
                    );
                }
                if s256(&f("code_verifier")) != pending.challenge {
                    return oauth_error(
                        "invalid_request",
                        "Value passed for the code verifier did not match the code challenge.",
                    );
                }
                let user = if self.many_users {
                    self.users += 1;
                    self.users
                } else {
                    0
                };
                self.issue(user, &pending.scope)
            }
            "refresh_token" => {
                let refresh = f("refresh_token");
                let Some(grant) = self.oauth.grants.iter_mut().find(|g| {
                    g.refresh_token.as_deref() == Some(refresh.as_str()) && !g.rotated && !g.revoked
                }) else {
                    return oauth_error(
                        "invalid_request",
                        "Value passed for the token was invalid.",
                    );
                };
                grant.rotated = true;
                let (user, scope) = (grant.user, grant.scope.clone());
                self.oauth.refreshes += 1;
                self.issue(user, &scope)
            }
            _ => oauth_error(
                "invalid_request",
                "Missing required parameter [grant_type].",
            ),
        }
    }

    fn issue(&mut self, user: u64, scope: &str) -> Reply {
        let offline = scope.split(' ').any(|s| s == "offline.access");
        let grant = Grant {
            user,
            access_token: random_token("xat."),
            refresh_token: offline.then(|| random_token("xrt.")),
            access_expires_at: Instant::now() + self.access_lifetime,
            scope: scope.to_string(),
            rotated: false,
            revoked: false,
        };
        let mut body = json!({
            "token_type": "bearer",
            "expires_in": self.access_lifetime.as_secs(),
            "access_token": grant.access_token,
            "scope": scope,
        });
        if let Some(refresh) = &grant.refresh_token {
            body["refresh_token"] = json!(refresh);
        }
        self.oauth.grants.push(grant);
        Reply::json(200, body)
    }

    pub(super) fn revoke(&mut self, req: &RecordedRequest) -> Reply {
        if !self.client_ok(req) {
            return Reply::json(
                401,
                json!({"error": "unauthorized_client", "error_description": "Missing valid authorization header"}),
            );
        }
        let token = req.form_field("token").unwrap_or("").to_string();
        for g in &mut self.oauth.grants {
            if g.access_token == token || g.refresh_token.as_deref() == Some(token.as_str()) {
                g.revoked = true;
            }
        }
        self.oauth.revoked.push(token);
        Reply::json(200, json!({"revoked": true}))
    }

    /// The many-users mode's user of a live user token (0: the fixed creator, or not one).
    pub(super) fn token_user(&self, req: &RecordedRequest) -> u64 {
        let token = req
            .authorization
            .as_deref()
            .and_then(|a| a.strip_prefix("Bearer "));
        self.oauth
            .grants
            .iter()
            .find(|g| Some(g.access_token.as_str()) == token)
            .map_or(0, |g| g.user)
    }

    /// The user a bearer token acts for: the creator for a live user token, `None` for the
    /// app-only token (which reaches public data only).
    pub(super) fn bearer(&self, req: &RecordedRequest) -> Result<Option<&'static str>, Reply> {
        let token = req
            .authorization
            .as_deref()
            .and_then(|a| a.strip_prefix("Bearer "))
            .unwrap_or("");
        if token == super::APP_BEARER {
            return Ok(None);
        }
        if self.oauth.valid_access(token) {
            return Ok(Some(USER_ID));
        }
        Err(Reply::problem(
            401,
            "Unauthorized",
            "Unauthorized",
            "about:blank",
        ))
    }
}
