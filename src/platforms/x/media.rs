//! Posting to X: the chunked media upload of API v2 and `POST /2/tweets`.
//!
//! The upload follows docs.x.com's chunked quickstart with the dedicated paths X moved to in
//! 2025 (xdevplatform/samples#199): `POST /2/media/upload/initialize` (JSON: `media_type`,
//! `total_bytes`, `media_category`) answers the media id; each chunk goes in order to
//! `POST /2/media/upload/{id}/append` as multipart/form-data (`segment_index`, `media`);
//! `POST /2/media/upload/{id}/finalize` closes it, and when its answer carries
//! `processing_info` (videos, GIFs) `GET /2/media/upload?command=STATUS&media_id=` is polled,
//! `check_after_secs` apart, until `succeeded` or `failed`. Then the post is created with
//! `media.media_ids`. Chunks are 4 MiB (X's APPEND takes at most 5 MB) and are streamed from
//! the file by [`Uploader`], read afresh for every retry: memory does not grow with the file.
//! The steps are public one by one for the upload pipeline (`publisher.rs`: `upload x`, with the
//! ledger) and composed by [`Posting::upload`] for `post x --media`. This module never prints;
//! `app::post` and the pipeline own progress and output.

use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::{Value as Json, json};

use super::api;
use crate::http::client::{Client, Position, Range, Uploader};
use crate::vocab::Origin;
use crate::vocab::Secret;
use crate::vocab::{PlatformError, PlatformId};

const INITIALIZE: &str = "https://api.x.com/2/media/upload/initialize";
const APPEND: &str = "https://api.x.com/2/media/upload/{id}/append";
const FINALIZE: &str = "https://api.x.com/2/media/upload/{id}/finalize";
const STATUS: &str = "https://api.x.com/2/media/upload";
const TWEETS: &str = "https://api.x.com/2/tweets";

/// Bytes per APPEND: under X's 5 MB cap in either reading of "MB".
pub const CHUNK: u64 = 4 * 1024 * 1024;

/// X's media type and category for a file, from its extension.
pub fn kind(path: &Path) -> Option<(&'static str, &'static str)> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "mp4" | "m4v" => ("video/mp4", "tweet_video"),
        "mov" => ("video/quicktime", "tweet_video"),
        "gif" => ("image/gif", "tweet_gif"),
        "jpg" | "jpeg" => ("image/jpeg", "tweet_image"),
        "png" => ("image/png", "tweet_image"),
        "webp" => ("image/webp", "tweet_image"),
        _ => return None,
    })
}

/// Where X's processing of an uploaded media file stands (`processing_info`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Processing {
    /// Done, or nothing to process (images carry no `processing_info`).
    Succeeded,
    /// `pending` or `in_progress`; X says when to ask again.
    Pending {
        /// X's word for the state, for the progress line.
        state: String,
        /// How long X asks to wait before the next status check.
        check_after_secs: Option<u64>,
    },
    /// X's reason.
    Failed(String),
}

impl Processing {
    fn of(info: Option<&Json>) -> Processing {
        let Some(info) = info else {
            return Processing::Succeeded;
        };
        match info.get("state").and_then(Json::as_str).unwrap_or("") {
            "succeeded" => Processing::Succeeded,
            "failed" => Processing::Failed(
                info.pointer("/error/message")
                    .and_then(Json::as_str)
                    .unwrap_or("no reason given")
                    .into(),
            ),
            state => Processing::Pending {
                state: state.into(),
                check_after_secs: info.get("check_after_secs").and_then(Json::as_u64),
            },
        }
    }
}

/// A post X created.
#[derive(Debug, Clone)]
pub struct Created {
    /// The post's id: what the posts table keys it by.
    pub id: String,
    /// The text as X stored it (links shortened).
    pub text: String,
}

/// The media upload (chunked INIT/APPEND/FINALIZE, then STATUS) and the post that carries it.
pub struct Posting {
    base_url: Option<Origin>,
    http: Client,
    uploader: Uploader,
}

fn failed(what: &str, detail: String) -> PlatformError {
    PlatformError::unexpected(PlatformId::X, what, Some(detail))
}

/// How long to wait before the next STATUS poll: what X asks, or `SOCIALCRM_UPLOAD_POLL_MS`.
fn poll_wait(check_after_secs: Option<u64>) -> Duration {
    crate::config::tuning::upload_poll()
        .unwrap_or_else(|| Duration::from_secs(check_after_secs.unwrap_or(1).max(1)))
}

impl Posting {
    /// Requests are paced on `user`'s budgets like the sync's.
    pub fn new(base_url: Option<Origin>, user: &str) -> Posting {
        Posting {
            base_url,
            http: api::client(user),
            uploader: Uploader::new(),
        }
    }

    fn url(&self, real: &str, id: &str) -> url::Url {
        crate::platforms::kit::route(self.base_url.as_ref(), &real.replace("{id}", id))
    }

    /// Uploads the file in chunks and waits until X has processed it (at most `wait`);
    /// returns the media id. `position` is told the file offset reached.
    pub fn upload(
        &self,
        token: &Secret,
        path: &Path,
        wait: Duration,
        position: &Position,
    ) -> Result<String, PlatformError> {
        let size = std::fs::metadata(path)
            .map_err(|e| failed("cannot read the file", e.to_string()))?
            .len();
        let id = self.initialize(token, path, size)?;
        let chunks = size.div_ceil(CHUNK).max(1);
        for index in 0..chunks {
            self.append(token, &id, path, size, index, position)?;
        }
        let mut processing = self.finalize(token, &id)?;
        let deadline = Instant::now() + wait;
        loop {
            match processing {
                Processing::Succeeded => return Ok(id),
                Processing::Failed(why) => {
                    return Err(failed("X could not process the media", why));
                }
                Processing::Pending {
                    state,
                    check_after_secs,
                } => {
                    let pause = poll_wait(check_after_secs);
                    if Instant::now() + pause > deadline {
                        return Err(failed(
                            "X is still processing the media",
                            format!("media {id} is {state} after {} s", wait.as_secs()),
                        ));
                    }
                    std::thread::sleep(pause);
                }
            }
            processing = self.status(token, &id)?;
        }
    }

    /// Opens the upload of the file at `path` (`size` bytes): the media id.
    pub fn initialize(
        &self,
        token: &Secret,
        path: &Path,
        size: u64,
    ) -> Result<String, PlatformError> {
        let (media_type, category) = kind(path).ok_or_else(|| {
            failed(
                "unsupported file",
                "use an mp4, mov, gif, jpg, png or webp file".into(),
            )
        })?;
        let init = api::body(self.http.post_json(
            &self.url(INITIALIZE, ""),
            token,
            &json!({"media_type": media_type, "total_bytes": size, "media_category": category}),
        ))?;
        Ok(init
            .pointer("/data/id")
            .and_then(Json::as_str)
            .ok_or_else(|| failed("initialize answered without a media id", init.to_string()))?
            .to_string())
    }

    /// Appends chunk `index` ([`CHUNK`] bytes, the last one the rest) of the file at `path`
    /// (`size` bytes) to media `id`, as multipart/form-data streamed from the file.
    pub fn append(
        &self,
        token: &Secret,
        id: &str,
        path: &Path,
        size: u64,
        index: u64,
        position: &Position,
    ) -> Result<(), PlatformError> {
        let boundary = format!("socialcrm-{}", uuid::Uuid::new_v4().simple());
        let mut headers = HeaderMap::new();
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
            .map_err(|_| failed("unusable access token", "not a header value".into()))?;
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_str(&format!("multipart/form-data; boundary={boundary}"))
                .expect("a boundary is a header value"),
        );
        let chunks = size.div_ceil(CHUNK).max(1);
        let offset = index * CHUNK;
        let before = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"segment_index\"\r\n\r\n{index}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"media\"; filename=\"chunk\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        );
        let after = format!("\r\n--{boundary}--\r\n");
        let range = Range {
            path,
            offset,
            len: CHUNK.min(size - offset),
            before: before.as_bytes(),
            after: after.as_bytes(),
        };
        let reply = self.uploader.send_range(
            reqwest::Method::POST,
            &self.url(APPEND, id),
            &headers,
            &range,
            Duration::from_secs(300),
            position,
        );
        api::body(reply).map_err(|e| match e {
            PlatformError::Api {
                status,
                code,
                message,
                ..
            } => PlatformError::Api {
                platform: PlatformId::X,
                status,
                code: format!("chunk {} of {chunks}: {code}", index + 1),
                message,
                log_id: None,
            },
            other => other,
        })?;
        Ok(())
    }

    /// Closes the upload of media `id`: whether X processes it still.
    pub fn finalize(&self, token: &Secret, id: &str) -> Result<Processing, PlatformError> {
        let finalized = api::body(
            self.http
                .post_json(&self.url(FINALIZE, id), token, &json!({})),
        )?;
        Ok(Processing::of(finalized.pointer("/data/processing_info")))
    }

    /// Where X's processing of media `id` stands (`command=STATUS`).
    pub fn status(&self, token: &Secret, id: &str) -> Result<Processing, PlatformError> {
        let mut url = self.url(STATUS, "");
        url.query_pairs_mut()
            .append_pair("command", "STATUS")
            .append_pair("media_id", id);
        let status = api::body(self.http.get_authorized(&url, token))?;
        Ok(Processing::of(status.pointer("/data/processing_info")))
    }

    /// Creates a post with `text`, the uploaded `media_ids`, in reply to `reply_to`.
    pub fn create(
        &self,
        token: &Secret,
        text: &str,
        media_ids: &[String],
        reply_to: Option<&str>,
    ) -> Result<Created, PlatformError> {
        let mut body = json!({});
        if !text.is_empty() {
            body["text"] = json!(text);
        }
        if !media_ids.is_empty() {
            body["media"] = json!({"media_ids": media_ids});
        }
        if let Some(id) = reply_to {
            body["reply"] = json!({"in_reply_to_tweet_id": id});
        }
        // Sent once: X may have made a post whose answer was lost, and a retry would post twice.
        let sent = self
            .http
            .post_json_once(&self.url(TWEETS, ""), token, &body);
        let answer = api::body(sent)?;
        let id = answer
            .pointer("/data/id")
            .and_then(Json::as_str)
            .ok_or_else(|| failed("the post was answered without an id", answer.to_string()))?;
        Ok(Created {
            id: id.into(),
            text: answer
                .pointer("/data/text")
                .and_then(Json::as_str)
                .unwrap_or(text)
                .into(),
        })
    }
}
