//! X's OAuth 2.0 endpoints: authorize, token (code with PKCE, rotating refresh), revoke.

use std::time::{Duration, Instant};

use serde_json::json;

use super::{Reply, State, USER_ID};
use crate::support::oauth::{Authority, ClientAuth, Code, PkceEncoding, bearer};
use crate::support::server::RecordedRequest;

pub(super) struct OAuth {
    pub authority: Authority,
    pub refreshes: usize,
    pub revoked: Vec<String>,
}

impl Default for OAuth {
    fn default() -> OAuth {
        OAuth {
            authority: Authority::new(Duration::from_secs(7200), ["xcode.", "xat.", "xrt."]),
            refreshes: 0,
            revoked: Vec::new(),
        }
    }
}

fn oauth_error(error: &str, description: &str) -> Reply {
    Reply::json(
        400,
        json!({"error": error, "error_description": description}),
    )
}

fn s256(verifier: &str) -> String {
    PkceEncoding::Base64Url.challenge(verifier)
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
        let mut challenge = q("code_challenge");
        if self.corrupt_challenges {
            challenge = s256("not the verifier");
        }
        let code = self.oauth.authority.code(Code {
            user: 0,
            challenge,
            redirect_uri: q("redirect_uri"),
            scope: q("scope"),
            permanent: false,
            issued: Instant::now(),
        });
        let mut location = url::Url::parse(&q("redirect_uri")).expect("a redirect URI");
        location
            .query_pairs_mut()
            .append_pair("state", &q("state"))
            .append_pair("code", &code);
        Reply::redirect(location.to_string())
    }

    /// Confidential clients: HTTP Basic with id and secret, and no client_id in the body.
    /// Public clients: client_id in the body.
    fn client_ok(&self, req: &RecordedRequest) -> bool {
        ClientAuth::BasicOrPublic {
            id: self.client_id.clone(),
            secret: self.client_secret.clone(),
        }
        .ok(req)
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
                let Some(pending) = self.oauth.authority.codes.remove(&f("code")) else {
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
                let Some(grant) = self.oauth.authority.refreshable(&refresh) else {
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
        let auth = &mut self.oauth.authority;
        let refresh = offline.then(|| auth.new_refresh());
        let grant = auth.issue(user, String::new(), scope.to_string(), refresh, false);
        let mut body = json!({
            "token_type": "bearer",
            "expires_in": grant.lifetime.as_secs(),
            "access_token": grant.access_token,
            "scope": scope,
        });
        if let Some(refresh) = &grant.refresh_token {
            body["refresh_token"] = json!(refresh);
        }
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
        self.oauth.authority.revoke(&token);
        self.oauth.revoked.push(token);
        Reply::json(200, json!({"revoked": true}))
    }

    /// The many-users mode's user of a live user token (0: the fixed creator, or not one).
    pub(super) fn token_user(&self, req: &RecordedRequest) -> u64 {
        self.oauth
            .authority
            .issued(bearer(req))
            .map_or(0, |g| g.user)
    }

    /// The user a bearer token acts for: the creator for a live user token, `None` for the
    /// app-only token (which reaches public data only).
    pub(super) fn bearer(&self, req: &RecordedRequest) -> Result<Option<&'static str>, Reply> {
        let token = bearer(req);
        if token == super::APP_BEARER {
            return Ok(None);
        }
        if self.oauth.authority.live(token).is_some() {
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
