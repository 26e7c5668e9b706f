//! Publishing a reel from a local file with Meta's resumable upload (Instagram content
//! publishing; the steps, which the upload pipeline drives through `publisher.rs`):
//!
//! 1. `POST /me/media` with `media_type=REELS`, `upload_type=resumable`, `caption`: a container
//!    id (and the `uri` to upload to).
//! 2. `POST https://rupload.facebook.com/ig-api-upload/<version>/<container>` with
//!    `Authorization: OAuth <token>`, `offset` and `file_size` headers and the file as the body,
//!    streamed from disk by the shared [`Uploader`] (retried from `offset` 0 within the budget).
//! 3. `GET /<container>?fields=status_code,status` until `FINISHED` (`ERROR` and `EXPIRED` end
//!    it, with Meta's status text).
//! 4. `POST /me/media_publish` with `creation_id`: the new media's id; then its permalink.
//!
//! The token goes to rupload only in the header, and only to rupload.facebook.com (or the
//! configured base URL): the upload URL is built here from the container id, never taken from
//! the container's `uri`.

use std::path::Path;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value as Json;
use url::Url;

use super::api::{Api, VERSION, graph, text};
use crate::config::PlatformConfig;
use crate::http::client::{Position, Range, Uploader};
use crate::vocab::Secret;
use crate::vocab::{PlatformError, PlatformId};

const RUPLOAD: &str = "https://rupload.facebook.com";

/// Where a container stands.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerStatus {
    /// `IN_PROGRESS`, `FINISHED`, `ERROR`, `EXPIRED` or `PUBLISHED`.
    pub code: String,
    /// Meta's words for the status (why it failed), when it gives them.
    pub text: Option<String>,
}

impl ContainerStatus {
    /// Processed: the container can be published.
    pub fn ready(&self) -> bool {
        self.code == "FINISHED"
    }
    /// Refused or timed out at Meta: a new container is needed.
    pub fn failed(&self) -> bool {
        matches!(self.code.as_str(), "ERROR" | "EXPIRED")
    }
    /// Published already, by an earlier run that stopped before recording the reel.
    pub fn published(&self) -> bool {
        self.code == "PUBLISHED"
    }
}

/// The reel half of the Instagram adapter: containers, the resumable upload to rupload, publish.
pub struct Publishing {
    api: Api,
    uploader: Uploader,
}

impl Publishing {
    /// Calls routed by `config`'s base URL like every Instagram call.
    pub fn new(config: &PlatformConfig) -> Publishing {
        Publishing {
            api: Api::new(config),
            uploader: Uploader::new(),
        }
    }

    /// Creates a resumable reel container: its id.
    pub fn container(
        &self,
        token: &Secret,
        caption: Option<&str>,
    ) -> Result<String, PlatformError> {
        let mut form = vec![("media_type", "REELS"), ("upload_type", "resumable")];
        if let Some(caption) = caption {
            form.push(("caption", caption));
        }
        let answer = self
            .api
            .post(token, self.api.url(&graph("/me/media")), &form)?;
        text(&answer, "id").ok_or_else(|| unexpected("/me/media without an id"))
    }

    /// Sends the whole file to the container's upload URL.
    pub fn upload(
        &self,
        token: &Secret,
        container: &str,
        file: &Path,
        size: u64,
        position: &Position,
    ) -> Result<(), PlatformError> {
        let url = self
            .api
            .url(&format!("{RUPLOAD}/ig-api-upload/{VERSION}/{container}"));
        let mut headers = HeaderMap::new();
        let mut auth = HeaderValue::from_str(&format!("OAuth {}", token.expose()))
            .map_err(|_| unexpected("the token is not a valid header value"))?;
        auth.set_sensitive(true);
        headers.insert(reqwest::header::AUTHORIZATION, auth);
        headers.insert("offset", HeaderValue::from(0u64));
        headers.insert("file_size", HeaderValue::from(size));
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        let timeout = Duration::from_secs(60 + size / (64 * 1024));
        let reply = self
            .uploader
            .send_range(
                reqwest::Method::POST,
                &url,
                &headers,
                &Range {
                    path: file,
                    offset: 0,
                    len: size,
                    before: &[],
                    after: &[],
                },
                timeout,
                position,
            )
            .map_err(|e| PlatformError::Network(e, PlatformId::Instagram))?;
        let body = super::api::body(Ok(reply))?;
        match body.get("success").and_then(Json::as_bool) {
            Some(false) => Err(unexpected(
                &text(&body, "message").unwrap_or_else(|| "the upload was not accepted".into()),
            )),
            _ => Ok(()),
        }
    }

    /// Where the container stands, to poll until Meta has processed the video.
    pub fn status(
        &self,
        token: &Secret,
        container: &str,
    ) -> Result<ContainerStatus, PlatformError> {
        let mut url: Url = self.api.url(&graph(&format!("/{container}")));
        url.query_pairs_mut()
            .append_pair("fields", "status_code,status");
        let answer = self.api.get(token, url)?;
        Ok(ContainerStatus {
            code: text(&answer, "status_code").unwrap_or_else(|| "IN_PROGRESS".into()),
            text: text(&answer, "status"),
        })
    }

    /// Publishes a finished container: the new media's id and permalink.
    pub fn publish(
        &self,
        token: &Secret,
        container: &str,
    ) -> Result<(String, Option<String>), PlatformError> {
        let url = self.api.url(&graph("/me/media_publish"));
        let answer = self.api.post(token, url, &[("creation_id", container)])?;
        let id = text(&answer, "id").ok_or_else(|| unexpected("media_publish without an id"))?;
        let mut url = self.api.url(&graph(&format!("/{id}")));
        url.query_pairs_mut().append_pair("fields", "permalink");
        // The post exists now: a permalink that cannot be read is not a failure.
        let permalink = match self.api.get(token, url) {
            Ok(media) => text(&media, "permalink"),
            Err(e) => {
                tracing::warn!(error = %e, "the new reel's permalink could not be read");
                None
            }
        };
        Ok((id, permalink))
    }
}

fn unexpected(what: &str) -> PlatformError {
    crate::platforms::kit::answered_without(PlatformId::Instagram, what)
}
