//! X's OAuth 2.0 endpoints: authorize, token (code with PKCE, rotating refresh), revoke.

use super::{Reply, State, USER_ID, invalid};
use crate::support::oauth::{
    ClientAuth, Code, PkceEncoding, Refused, Rotation, TokenRefused, bearer,
};
use crate::support::server::{RecordedRequest, reply};

fn oauth_error(error: &str, description: &str) -> Reply {
    reply!(400, {"error": error, "error_description": description})
}

fn s256(verifier: &str) -> String {
    PkceEncoding::Base64Url.challenge(verifier)
}

impl State {
    pub(super) fn authorize(&mut self, req: &RecordedRequest) -> Reply {
        let q = |name| req.query_param(name).unwrap_or("").to_string();
        if q("client_id") != self.client_id {
            return invalid("client_id is unknown.");
        }
        let required = ["redirect_uri", "scope", "state", "code_challenge"];
        if q("response_type") != "code"
            || q("code_challenge_method") != "S256"
            || required.iter().any(|k| q(k).is_empty())
        {
            return invalid("Missing or invalid parameters.");
        }
        if req.raw_query.contains("scope=") && req.raw_query.contains('+') {
            return invalid("Scopes must be separated by %20.");
        }
        let mut challenge = q("code_challenge");
        if self.corrupt_challenges {
            challenge = s256("not the verifier");
        }
        let code = self
            .auth
            .code(Code::new(&challenge, &q("redirect_uri"), &q("scope")));
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
            return reply!(401, {"error": "unauthorized_client", "error_description": "Missing valid authorization header"});
        }
        let grant = self.auth.grant(req, Rotation::Rotate, |auth, code| {
            let offline = code.scope.split(' ').any(|s| s == "offline.access");
            (auth.next_user(), String::new(), offline)
        });
        let message = match grant {
            Ok(grant) => return Reply::json(200, grant.answer("bearer")),
            Err(TokenRefused::Code(Refused::WrongRedirect)) => {
                "Value passed for the redirect uri did not match the uri of the authorization code."
            }
            Err(TokenRefused::Code(Refused::WrongVerifier)) => {
                "Value passed for the code verifier did not match the code challenge."
            }
            Err(TokenRefused::Code(_)) => "Value passed for the authorization code was invalid.",
            Err(TokenRefused::Refresh) => "Value passed for the token was invalid.",
            Err(_) => "Missing required parameter [grant_type].",
        };
        oauth_error("invalid_request", message)
    }

    pub(super) fn revoke(&mut self, req: &RecordedRequest) -> Reply {
        if !self.client_ok(req) {
            return reply!(401, {"error": "unauthorized_client", "error_description": "Missing valid authorization header"});
        }
        self.auth.revoke_request(req);
        reply!(200, {"revoked": true})
    }

    /// The user a bearer token acts for, and the many-users mode's user whose data answers: the
    /// creator (and the grant's user) for a live user token, `None` (and the fixed user 0) for
    /// the app-only token, which reaches public data only.
    pub(super) fn bearer(
        &self,
        req: &RecordedRequest,
    ) -> Result<(Option<&'static str>, u64), Reply> {
        let token = bearer(req);
        if token == super::APP_BEARER {
            return Ok((None, 0));
        }
        if let Some(grant) = self.auth.live(token) {
            return Ok((Some(USER_ID), grant.user));
        }
        Err(Reply::problem(
            401,
            "Unauthorized",
            "Unauthorized",
            "about:blank",
        ))
    }
}
