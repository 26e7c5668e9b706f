//! Reading a platform's answer into its JSON or a typed error, in the one order every adapter
//! checks it: no answer at all, then a dead access token (which the lifecycle refreshes once
//! and retries), then a refusal, and only then the JSON. Each platform says in an
//! [`Envelope`] how its answers word those cases; the order lives here, so a platform cannot
//! read a 401 body as data or a refusal as a dead token.

use serde_json::Value as Json;

use crate::http::client::Reply;
use crate::vocab::{NetError, PlatformError, PlatformId};

/// How one platform's answers say what went wrong.
pub trait Envelope {
    /// The platform answering.
    const PLATFORM: PlatformId;

    /// The error of a request that got no answer (the stream fails; X defers a spent rate
    /// limit instead, see [`super::unanswered`]).
    fn unanswered(e: NetError) -> PlatformError {
        PlatformError::Network(e, Self::PLATFORM)
    }

    /// What the platform said of the access token, when the answer says it is dead.
    fn unauthorized(reply: &Reply) -> Option<String>;

    /// Whether an answer of 2xx still reports an error in its body.
    fn refused(_reply: &Reply) -> bool {
        false
    }

    /// The typed error of a refused answer.
    fn error(reply: &Reply) -> PlatformError;
}

/// The JSON body of `reply` as platform `E` answered it, or the error it tells.
pub fn answer<E: Envelope>(reply: Result<Reply, NetError>) -> Result<Json, PlatformError> {
    let reply = reply.map_err(E::unanswered)?;
    if let Some(detail) = E::unauthorized(&reply) {
        return Err(PlatformError::Unauthorized {
            platform: E::PLATFORM,
            detail,
        });
    }
    if !reply.ok() || E::refused(&reply) {
        return Err(E::error(&reply));
    }
    Ok(reply.body)
}
