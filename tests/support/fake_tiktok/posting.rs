//! The fake's Content Posting API (shared/platforms/tiktok.md section 3): creator info, Direct
//! Post and inbox init, the chunked transfer to the upload URL it hands out (on the fake
//! itself: `/upload/<publish_id>`), and the status of each publish.
//!
//! Init checks the chunk plan against TikTok's rules (read independently of the binary's code:
//! total_chunk_count = floor(video_size / chunk_size); chunks 5 MB..64 MB, the last absorbing
//! the rest up to 128 MB; under 5 MB one whole chunk; 1..=1000 chunks). Chunk PUTs must come in
//! order with a `Content-Range` that continues the bytes received; the bytes are streamed
//! into a SHA-256 (and a count), never kept, so tests compare the reassembled file's hash.
//!
//! Knobs: [`FakeTikTok::set_privacy_levels`], [`FakeTikTok::unaudited_client`],
//! [`FakeTikTok::fail_chunk_once`], [`FakeTikTok::fail_chunk_always`],
//! [`FakeTikTok::expire_upload_urls`], [`FakeTikTok::set_publish_outcome`].

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{FakeTikTok, RecordedRequest, Reply, State};
use crate::support::server::{header, hex, knobs, reply};

pub const CREATOR_INFO_PATH: &str = "/v2/post/publish/creator_info/query/";
pub const DIRECT_INIT_PATH: &str = "/v2/post/publish/video/init/";
pub const INBOX_INIT_PATH: &str = "/v2/post/publish/inbox/video/init/";
pub const STATUS_PATH: &str = "/v2/post/publish/status/fetch/";
pub const UPLOAD_PREFIX: &str = "/upload/";
/// Ids of published videos are `PUBLISHED_VIDEO_BASE + n` for the n-th publish.
pub const PUBLISHED_VIDEO_BASE: u64 = 7_400_000_000_000_000_000;

const MB: u64 = 1_000_000;
const MIB: u64 = 1024 * 1024;

/// How status fetches end once every byte has arrived.
#[derive(Clone, Debug)]
pub enum PublishOutcome {
    /// After `polls` status calls answering PROCESSING_UPLOAD: PUBLISH_COMPLETE (drafts:
    /// SEND_TO_USER_INBOX) with the video id, or without one when `video_id` is false.
    Complete { polls: u32, video_id: bool },
    /// After `polls` processing answers: FAILED with this reason.
    Failed { polls: u32, reason: String },
}

/// One publish as the fake saw it.
#[derive(Clone, Debug)]
pub struct Publish {
    pub publish_id: String,
    pub draft: bool,
    pub post_info: Value,
    pub video_size: u64,
    pub chunk_size: u64,
    pub chunk_count: u64,
    /// Chunks accepted (in order).
    pub chunks: u64,
    /// Bytes accepted, and their SHA-256 in hex once all arrived.
    pub received: u64,
    pub sha256: Option<String>,
    /// `Content-Range` of every chunk PUT, including failed and repeated ones.
    pub ranges: Vec<String>,
    /// Content-Type of the chunk PUTs.
    pub content_types: Vec<String>,
    pub status_calls: u32,
    pub expired: bool,
    hasher: Sha256,
    seq: u64,
}

#[derive(Default)]
pub struct Posting {
    pub upload_base: String,
    privacy_levels: Vec<String>,
    unaudited: bool,
    fail_once: Vec<u64>,
    fail_always: Option<u64>,
    outcome: PublishOutcome,
    publishes: HashMap<String, Publish>,
    seq: u64,
    /// Run once, when the first chunk's body has been received.
    on_first_chunk: Option<Box<dyn FnOnce() + Send>>,
}

impl Default for PublishOutcome {
    /// Complete after one processing poll, with the video id.
    fn default() -> PublishOutcome {
        PublishOutcome::Complete {
            polls: 1,
            video_id: true,
        }
    }
}

impl Posting {
    /// Upload URLs point at `upload_base` (the fake's own origin).
    pub fn new(upload_base: String) -> Posting {
        Posting {
            upload_base,
            privacy_levels: ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
                .map(String::from)
                .to_vec(),
            ..Posting::default()
        }
    }
}

pub fn is_posting_path(path: &str) -> bool {
    [
        CREATOR_INFO_PATH,
        DIRECT_INIT_PATH,
        INBOX_INIT_PATH,
        STATUS_PATH,
    ]
    .contains(&path)
}

knobs! { for FakeTikTok;
    /// The privacy levels creator info offers.
    set_privacy_levels(levels: &[&str]) =>
        |st| st.posting.privacy_levels = levels.iter().map(|s| s.to_string()).collect();
    /// An unaudited app: Direct Posts other than SELF_ONLY are refused.
    unaudited_client() => |st| st.posting.unaudited = true;
    /// Chunk `index` (0-based) of the next publishes answers 500 once (its body is read).
    fail_chunk_once(index: u64) => |st| st.posting.fail_once.push(index);
    /// Chunk `index` answers 500 every time (`None` stops it).
    fail_chunk_always(index: Option<u64>) => |st| st.posting.fail_always = index;
    /// Runs `action` (say, replacing the file being uploaded) once the first chunk is in.
    on_first_chunk(action: impl FnOnce() + Send + 'static) =>
        |st| st.posting.on_first_chunk = Some(Box::new(action));
    set_publish_outcome(outcome: PublishOutcome) => |st| st.posting.outcome = outcome;
    /// Every upload URL handed out so far answers 404 from now on.
    expire_upload_urls() => |st| st.posting.publishes.values_mut().for_each(|p| p.expired = true);
}

impl FakeTikTok {
    /// Every publish, oldest first.
    pub fn publishes(&self) -> Vec<Publish> {
        let mut all: Vec<Publish> = self.state().posting.publishes.values().cloned().collect();
        all.sort_by_key(|p| p.seq);
        all
    }
}

/// Whether a plan obeys the Media Transfer Guide (MB read generously as MiB where that is
/// the looser bound, as a server would).
fn plan_error(size: u64, chunk: u64, count: u64) -> Option<&'static str> {
    if size == 0 || chunk == 0 {
        return Some("video_size and chunk_size must be positive");
    }
    if count != size / chunk {
        return Some("total_chunk_count must be video_size / chunk_size rounded down");
    }
    if !(1..=1000).contains(&count) {
        return Some("there must be 1 to 1000 chunks");
    }
    if size < 5 * MB && chunk != size {
        return Some("a video under 5 MB goes as one chunk of its whole size");
    }
    if chunk != size && !(5 * MB..=64 * MIB).contains(&chunk) {
        return Some("chunk_size must be 5 MB to 64 MB");
    }
    if size > 64 * MIB && count < 2 {
        return Some("a video over 64 MB must be sent in several chunks");
    }
    if size - (count - 1) * chunk > 128 * MIB {
        return Some("the final chunk may be at most 128 MB");
    }
    None
}

impl State {
    /// The JSON posting endpoints: faults, the token, then the endpoint.
    pub(super) fn posting_api(&mut self, req: &RecordedRequest) -> Reply {
        if req.method != "POST" {
            return self.api_error(405, "method_not_allowed", "Fake TikTok: wrong method.");
        }
        if let Some(status) = self.failing_api_calls.pop_front() {
            return self.forced_failure(status);
        }
        if self.auth.live_bearer(req).is_none() {
            return self.token_invalid();
        }
        let body = serde_json::from_str::<Value>(&req.body).ok();
        let Some(body) = body.filter(|_| req.is_type("application/json")) else {
            return self.invalid_params("The body must be JSON.");
        };
        match req.path.as_str() {
            CREATOR_INFO_PATH => {
                let user = self.data.user.clone();
                let levels = self.posting.privacy_levels.clone();
                self.ok(json!({
                    "creator_avatar_url": user.avatar_url,
                    "creator_username": user.username,
                    "creator_nickname": user.display_name,
                    "privacy_level_options": levels,
                    "comment_disabled": false,
                    "duet_disabled": false,
                    "stitch_disabled": true,
                    "max_video_post_duration_sec": 600,
                }))
            }
            STATUS_PATH => self.publish_status(&body),
            path => self.init(&body, path == INBOX_INIT_PATH),
        }
    }

    fn init(&mut self, body: &Value, draft: bool) -> Reply {
        let source = &body["source_info"];
        if source["source"] != "FILE_UPLOAD" {
            return self.invalid_params("source must be FILE_UPLOAD.");
        }
        let field = |name: &str| source[name].as_u64().unwrap_or(0);
        let (size, chunk, count) = (
            field("video_size"),
            field("chunk_size"),
            field("total_chunk_count"),
        );
        if let Some(why) = plan_error(size, chunk, count) {
            return self.invalid_params(why);
        }
        let post_info = body.get("post_info").cloned().unwrap_or(Value::Null);
        if !draft {
            let level = post_info["privacy_level"].as_str().unwrap_or("");
            if self.posting.unaudited && level != "SELF_ONLY" {
                return self.api_error(
                    403,
                    "unaudited_client_can_only_post_to_private_accounts",
                    "Please review our integration guidelines.",
                );
            }
            if !self.posting.privacy_levels.iter().any(|l| l == level) {
                return self.api_error(
                    400,
                    "privacy_level_option_mismatch",
                    "privacy_level is not one of the creator's options.",
                );
            }
        }
        self.posting.seq += 1;
        let seq = self.posting.seq;
        let publish_id = format!("v_{}_file~v2.{seq}", if draft { "inbox" } else { "pub" });
        let upload_url = format!("{}{UPLOAD_PREFIX}{publish_id}", self.posting.upload_base);
        self.posting.publishes.insert(
            publish_id.clone(),
            Publish {
                publish_id: publish_id.clone(),
                draft,
                post_info,
                video_size: size,
                chunk_size: chunk,
                chunk_count: count,
                chunks: 0,
                received: 0,
                sha256: None,
                ranges: Vec::new(),
                content_types: Vec::new(),
                status_calls: 0,
                expired: false,
                hasher: Sha256::new(),
                seq,
            },
        );
        self.ok(json!({"publish_id": publish_id, "upload_url": upload_url}))
    }

    fn publish_status(&mut self, body: &Value) -> Reply {
        let id = body["publish_id"].as_str().unwrap_or("");
        let outcome = self.posting.outcome.clone();
        let Some(p) = self.posting.publishes.get_mut(id) else {
            return self.invalid_params("Unknown publish_id.");
        };
        p.status_calls += 1;
        let mut data = json!({"uploaded_bytes": p.received});
        if p.received < p.video_size {
            data["status"] = json!("PROCESSING_UPLOAD");
            return self.ok(data);
        }
        let done = match &outcome {
            PublishOutcome::Complete { polls, .. } | PublishOutcome::Failed { polls, .. } => {
                p.status_calls > *polls
            }
        };
        if !done {
            data["status"] = json!("PROCESSING_UPLOAD");
            return self.ok(data);
        }
        match outcome {
            PublishOutcome::Failed { reason, .. } => {
                data["status"] = json!("FAILED");
                data["fail_reason"] = json!(reason);
            }
            PublishOutcome::Complete { video_id, .. } => {
                if p.draft {
                    data["status"] = json!("SEND_TO_USER_INBOX");
                } else {
                    data["status"] = json!("PUBLISH_COMPLETE");
                    if video_id {
                        data["publicaly_available_post_id"] = json!([PUBLISHED_VIDEO_BASE + p.seq]);
                    }
                }
            }
        }
        self.ok(data)
    }
}

/// A chunk PUT, read as a stream (bodies are far larger than the fake's JSON limit): its
/// range recorded, its bytes hashed (continuing the publish's running hash: chunks arrive in
/// order, so that gives the reassembled file's) and counted outside the lock, then judged and
/// accounted under it.
pub(super) fn serve_chunk(
    state: &Mutex<State>,
    request: &mut tiny_http::Request,
) -> (RecordedRequest, Reply) {
    let recorded = RecordedRequest::head(request);
    let range = header(request, "Content-Range").unwrap_or_default();
    let length = request.body_length().map(|n| n as u64);
    let id = recorded.path.trim_start_matches(UPLOAD_PREFIX).to_string();
    let mut hasher = {
        let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
        let publish = st.posting.publishes.get_mut(&id).filter(|p| !p.expired);
        publish.map(|p| {
            p.ranges.push(range.clone());
            let content_type = recorded.content_type.clone().unwrap_or_default();
            p.content_types.push(content_type);
            p.hasher.clone()
        })
    };
    let (mut read, mut buf) = (0u64, vec![0u8; 256 * 1024]);
    while let Ok(n @ 1..) = request.as_reader().read(&mut buf) {
        hasher.iter_mut().for_each(|h| h.update(&buf[..n]));
        read += n as u64;
    }
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(action) = st.posting.on_first_chunk.take() {
        action();
    }
    let judged = match (st.posting.publishes.contains_key(&id), &hasher) {
        (false, _) => Err((404, "not_found", "no such upload".to_string())),
        (true, None) => Err((404, "not_found", "the upload URL expired".to_string())),
        (true, Some(_)) => st.posting.judge(&id, &range, length, read),
    };
    let reply = match judged {
        Err((status, code, message)) => st.api_error(status, code, &message),
        Ok(None) => reply!(206, {}),
        Ok(Some(last)) => {
            let (p, hasher) = (st.posting.publishes.get_mut(&id).unwrap(), hasher.unwrap());
            p.received += read;
            p.chunks += 1;
            if last {
                p.sha256 = Some(hex(&hasher.clone().finalize()));
            }
            p.hasher = hasher;
            reply!(if last { 201 } else { 206 }, {})
        }
    };
    (recorded, reply)
}

/// A refusal of a chunk: status, TikTok's error code, message.
type Refusal = (u16, &'static str, String);

impl Posting {
    /// What a chunk with `range`, `length` declared and `read` bytes received does to publish
    /// `id`: `Ok(Some(last))` it is the next chunk (the last one when true), `Ok(None)` one
    /// already received and sent again (accepted, not counted twice), `Err` a refusal (or the
    /// 500 of a chunk failing on purpose).
    fn judge(
        &mut self,
        id: &str,
        range: &str,
        length: Option<u64>,
        read: u64,
    ) -> Result<Option<bool>, Refusal> {
        let p = &self.publishes[id];
        let index = p.chunks;
        let first = index * p.chunk_size;
        let last = index + 1 == p.chunk_count;
        let want = if last {
            p.video_size - first
        } else {
            p.chunk_size
        };
        let refuse = |status, message: String| Err((status, "invalid_params", message));
        let Some((a, b, total)) = parse_range(range) else {
            return refuse(400, format!("bad Content-Range '{range}'"));
        };
        if total != p.video_size || Some(b + 1 - a) != length {
            return refuse(
                400,
                format!("Content-Range '{range}' does not match the upload or Content-Length"),
            );
        }
        if b < p.received && a % p.chunk_size == 0 {
            return Ok(None);
        }
        if a != first || b + 1 - a != want || index >= p.chunk_count {
            return refuse(
                416,
                format!("expected bytes {first}-{}, got '{range}'", first + want - 1),
            );
        }
        let failed = Err((500, "internal_error", "Fake TikTok: chunk failed.".into()));
        if self.fail_always == Some(index) {
            return failed;
        }
        if self.fail_once.contains(&index) {
            self.fail_once.retain(|&k| k != index);
            return failed;
        }
        if Some(read) != length || p.received != first {
            return refuse(400, "the body does not match Content-Length".into());
        }
        Ok(Some(last))
    }
}

/// `bytes a-b/total`.
fn parse_range(raw: &str) -> Option<(u64, u64, u64)> {
    let rest = raw.trim().strip_prefix("bytes ")?;
    let (span, total) = rest.split_once('/')?;
    let (a, b) = span.split_once('-')?;
    let (a, b, total) = (a.parse().ok()?, b.parse().ok()?, total.parse().ok()?);
    (a <= b && b < total).then_some((a, b, total))
}
