//! The HTTP client adapters use: one configuration (timeouts, user agent, rustls), JSON in and
//! out, and errors that name the host but never a request body (where client secrets and
//! tokens travel).

use std::time::Duration;

use serde_json::Value as Json;
use url::Url;

use crate::secrets::Secret;

/// A platform's answer: status and JSON body (`Null` when the body was not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Json,
}

impl Reply {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The request never got an answer.
#[derive(Debug, thiserror::Error)]
#[error("cannot reach {host}: {reason}")]
pub struct NetError {
    pub host: String,
    pub reason: String,
}

pub struct Client {
    inner: reqwest::blocking::Client,
}

impl Client {
    pub fn new() -> Client {
        let inner = reqwest::blocking::Client::builder()
            .user_agent(concat!("socialcrm/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            // Redirects of API calls are not followed: a token must not be re-sent elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the TLS backend initialises");
        Client { inner }
    }

    /// POSTs an `application/x-www-form-urlencoded` body.
    pub fn post_form(&self, url: &Url, form: &[(&str, &str)]) -> Result<Reply, NetError> {
        self.send(url, self.inner.post(url.clone()).form(form))
    }

    /// GETs `url`, with a bearer token when given.
    pub fn get(&self, url: &Url, bearer: Option<&Secret>) -> Result<Reply, NetError> {
        let mut request = self.inner.get(url.clone());
        if let Some(token) = bearer {
            request = request.bearer_auth(token.expose());
        }
        self.send(url, request)
    }

    fn send(
        &self,
        url: &Url,
        request: reqwest::blocking::RequestBuilder,
    ) -> Result<Reply, NetError> {
        let host = url.host_str().unwrap_or("?").to_string();
        let fail = |e: reqwest::Error| NetError {
            host: host.clone(),
            // Without the URL: queries may name ids; bodies are never included by reqwest.
            reason: e.without_url().to_string(),
        };
        let response = request.send().map_err(fail)?;
        let status = response.status().as_u16();
        let bytes = response.bytes().map_err(fail)?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Json::Null);
        Ok(Reply { status, body })
    }
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}
