//! TikTok's Content Posting API for video files (shared/platforms/tiktok.md, section 3, checked
//! against developers.tiktok.com's Direct Post, Upload, Media Transfer and Get Post Status
//! pages): creator info, init (Direct Post, or `--draft` to the inbox), the chunked transfer to
//! the `upload_url` TikTok hands out, and the status of the publish.
//!
//! The chunk plan follows the Media Transfer Guide exactly: `total_chunk_count` is
//! `floor(video_size / chunk_size)`; every chunk is 5 MB..64 MB except the last, which absorbs
//! the trailing bytes (up to 128 MB); a file smaller than a chunk goes whole (chunk_size = its
//! size); 1..=1000 chunks, sent in order. TikTok does not say whether "MB" is 10^6 or 2^20
//! bytes, so the limits here hold under both readings: chunks are at least 5 MiB and at most
//! 64,000,000 bytes, so the last one stays under 128,000,000.
//!
//! Chunk bodies are streamed from the file in 1 MiB blocks ([`Uploader`]), never held whole in
//! memory, and read afresh for every attempt so that the HTTP layer's retries can send a chunk
//! again. The upload URL carries its own credential: no access token goes with a chunk.
//! This module never prints; the upload pipeline (`crate::upload`) owns the ledger, progress
//! and output and drives these calls through `publisher.rs`, which reads a refused publish
//! through [`Refusal`], so that TikTok's error codes stay here.

use std::path::Path;
use std::time::Duration;

use reqwest::header::{CONTENT_RANGE, CONTENT_TYPE, HeaderMap, HeaderValue};

use serde_json::{Value as Json, json};
use url::Url;

use super::data;
use crate::config::PlatformConfig;
pub use crate::http::client::Position;
use crate::http::client::{Client, Uploader};
use crate::platforms::kit::answered_without;
use crate::vocab::Origin;
use crate::vocab::Secret;
use crate::vocab::{PlatformError, PlatformId};

const CREATOR_INFO: &str = "https://open.tiktokapis.com/v2/post/publish/creator_info/query/";
const DIRECT_INIT: &str = "https://open.tiktokapis.com/v2/post/publish/video/init/";
const INBOX_INIT: &str = "https://open.tiktokapis.com/v2/post/publish/inbox/video/init/";
const STATUS: &str = "https://open.tiktokapis.com/v2/post/publish/status/fetch/";

/// Smallest chunk: 5 MiB, at least "5 MB" in either reading.
pub const MIN_CHUNK: u64 = 5 * 1024 * 1024;
/// Largest regular chunk: 64,000,000 bytes, at most "64 MB" in either reading.
pub const MAX_CHUNK: u64 = 64_000_000;
/// Largest final chunk ("up to 128 MB").
pub const MAX_FINAL_CHUNK: u64 = 128_000_000;
/// At most this many chunks per upload.
pub const MAX_CHUNKS: u64 = 1000;
/// The chunk size used when none is asked for: fewest requests, retries of at most 64 MB.
pub const DEFAULT_CHUNK: u64 = MAX_CHUNK;

/// How a file is cut: what init announces and what each PUT sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkPlan {
    /// The file's size in bytes, as init announces it.
    pub video_size: u64,
    /// Bytes of every chunk but the last (which takes the remainder).
    pub chunk_size: u64,
    /// Chunks in all: `video_size / chunk_size`, rounded down, as TikTok counts them.
    pub count: u64,
}

/// Why a file cannot be cut into chunks TikTok accepts.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PlanError {
    /// TikTok takes no empty video.
    #[error("the file is empty")]
    Empty,
    /// Even the largest chunks would be more than [`MAX_CHUNKS`] of them.
    #[error(
        "the file is too large for TikTok: {size} bytes would need more than {MAX_CHUNKS} chunks of at most {MAX_CHUNK} bytes"
    )]
    TooLarge {
        /// The file's size in bytes.
        size: u64,
    },
}

impl ChunkPlan {
    /// The plan for a file of `video_size` bytes with chunks of about `preferred` bytes
    /// (clamped to [`MIN_CHUNK`]..=[`MAX_CHUNK`]; raised when 1000 chunks would not do).
    pub fn new(video_size: u64, preferred: u64) -> Result<ChunkPlan, PlanError> {
        if video_size == 0 {
            return Err(PlanError::Empty);
        }
        let mut chunk = preferred.clamp(MIN_CHUNK, MAX_CHUNK);
        if video_size <= chunk {
            // Whole: below 5 MB this is required, up to one chunk it is allowed.
            return Ok(ChunkPlan {
                video_size,
                chunk_size: video_size,
                count: 1,
            });
        }
        if video_size / chunk > MAX_CHUNKS {
            chunk = video_size.div_ceil(MAX_CHUNKS);
            if chunk > MAX_CHUNK {
                return Err(PlanError::TooLarge { size: video_size });
            }
        }
        Ok(ChunkPlan {
            video_size,
            chunk_size: chunk,
            count: video_size / chunk,
        })
    }

    /// Offset and length of chunk `i` (0-based); the last one takes the trailing bytes.
    pub fn chunk(&self, i: u64) -> (u64, u64) {
        let first = i * self.chunk_size;
        let len = if i + 1 == self.count {
            self.video_size - first
        } else {
            self.chunk_size
        };
        (first, len)
    }

    /// True when the plan obeys TikTok's chunk rules (used by tests and as a guard).
    pub fn is_valid(&self) -> bool {
        if self.count == 0 || self.count > MAX_CHUNKS || self.chunk_size == 0 {
            return false;
        }
        if self.count != self.video_size / self.chunk_size {
            return false;
        }
        if self.count == 1 {
            let whole = self.chunk_size == self.video_size && self.video_size <= MAX_CHUNK;
            let absorbed = self.chunk_size >= MIN_CHUNK && self.video_size < MAX_FINAL_CHUNK;
            return whole || absorbed;
        }
        let (_, last) = self.chunk(self.count - 1);
        (MIN_CHUNK..=MAX_CHUNK).contains(&self.chunk_size) && last < MAX_FINAL_CHUNK
    }
}

/// What the creator may post (`creator_info/query`).
#[derive(Debug, Clone, Default)]
pub struct CreatorInfo {
    /// The creator's handle.
    pub username: Option<String>,
    /// The creator's shown name.
    pub nickname: Option<String>,
    /// The privacy levels this creator may post with (`--privacy` must be one).
    pub privacy_levels: Vec<String>,
    /// The longest video this creator may post, in seconds.
    pub max_video_post_duration_sec: Option<i64>,
}

/// What init hands back.
#[derive(Debug, Clone)]
pub struct Initialized {
    /// TikTok's id of the publish: what status polls and the ledger keep.
    pub publish_id: String,
    /// Where the chunks go; it carries a credential, so it is never logged.
    pub upload_url: String,
}

/// Where a publish stands (`status/fetch`).
#[derive(Debug, Clone)]
pub struct PublishStatus {
    /// PROCESSING_UPLOAD, PROCESSING_DOWNLOAD, SEND_TO_USER_INBOX, PUBLISH_COMPLETE, FAILED, ...
    pub status: String,
    /// TikTok's reason code when the publish failed.
    pub fail_reason: Option<String>,
    /// The public video ids, once moderation is done (TikTok spells the field
    /// `publicaly_available_post_id`).
    pub post_ids: Vec<String>,
}

impl PublishStatus {
    /// TikTok gave up on the publish: the ledger marks it failed.
    pub fn failed(&self) -> bool {
        self.status == "FAILED"
    }

    /// Done: published, or (a draft) waiting in the creator's inbox.
    pub fn finished(&self) -> bool {
        self.status == "PUBLISH_COMPLETE" || self.status == "SEND_TO_USER_INBOX"
    }
}

/// How a chunk PUT ended when it did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ChunkError {
    /// 4xx: the upload URL (or this range) is no longer accepted; start over with a new init.
    #[error("TikTok refused chunk {index} with HTTP {status}{}", detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Rejected {
        /// The chunk (0-based).
        index: u64,
        /// The HTTP status.
        status: u16,
        /// TikTok's error text, when the body had one.
        detail: Option<String>,
    },
    /// Network errors and 5xx beyond the retry budget.
    #[error(transparent)]
    Failed(#[from] PlatformError),
}

/// The posting endpoints of one TikTok configuration.
pub struct Posting {
    base_url: Option<Origin>,
    http: Client,
    uploader: Uploader,
}

impl Posting {
    /// Calls routed by `config`'s base URL like every TikTok call.
    pub fn new(config: &PlatformConfig) -> Posting {
        Posting {
            base_url: config.base_url.clone(),
            http: Client::new(),
            uploader: Uploader::new(),
        }
    }

    fn url(&self, real: &str) -> Result<Url, PlatformError> {
        let real = Url::parse(real)
            .map_err(|_| answered_without(PlatformId::Tiktok, "invalid upload_url"))?;
        Ok(crate::http::routed(self.base_url.as_ref(), real))
    }

    /// What the creator may post now; TikTok asks that it be read before each publish.
    pub fn creator_info(&self, token: &Secret) -> Result<CreatorInfo, PlatformError> {
        let d = data(
            self.http
                .post_json(&self.url(CREATOR_INFO)?, token, &json!({})),
        )?;
        Ok(CreatorInfo {
            username: text(&d, "creator_username"),
            nickname: text(&d, "creator_nickname"),
            privacy_levels: d
                .get("privacy_level_options")
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Json::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            max_video_post_duration_sec: d
                .get("max_video_post_duration_sec")
                .and_then(Json::as_i64),
        })
    }

    /// Direct Post with `post` (title, privacy_level, ...), or with `post == None` an upload to
    /// the creator's inbox (a draft they finish in the app).
    pub fn init(
        &self,
        token: &Secret,
        plan: &ChunkPlan,
        post: Option<Json>,
    ) -> Result<Initialized, PlatformError> {
        let source = json!({
            "source": "FILE_UPLOAD",
            "video_size": plan.video_size,
            "chunk_size": plan.chunk_size,
            "total_chunk_count": plan.count,
        });
        let (endpoint, body) = match post {
            Some(post) => (
                DIRECT_INIT,
                json!({"post_info": post, "source_info": source}),
            ),
            None => (INBOX_INIT, json!({"source_info": source})),
        };
        let d = data(self.http.post_json(&self.url(endpoint)?, token, &body))?;
        let missing = |field: &str| {
            answered_without(PlatformId::Tiktok, format!("init answered without {field}"))
        };
        Ok(Initialized {
            publish_id: text(&d, "publish_id").ok_or_else(|| missing("publish_id"))?,
            upload_url: text(&d, "upload_url").ok_or_else(|| missing("upload_url"))?,
        })
    }

    /// PUTs chunk `index` of `file`, streamed from disk, retried within the HTTP budget.
    /// `position` is told the file offset reached as the bytes leave (back to the chunk's start
    /// when an attempt starts again).
    pub fn put_chunk(
        &self,
        upload_url: &str,
        file: &Path,
        content_type: &str,
        plan: &ChunkPlan,
        index: u64,
        position: &Position,
    ) -> Result<(), ChunkError> {
        let url = self.url(upload_url)?;
        let (first, len) = plan.chunk(index);
        let range = format!("bytes {}-{}/{}", first, first + len - 1, plan.video_size);
        let mut headers = HeaderMap::new();
        let value = |v: &str| HeaderValue::from_str(v).expect("ASCII header values");
        headers.insert(CONTENT_TYPE, value(content_type));
        headers.insert(CONTENT_RANGE, value(&range));
        // Slow links get time in proportion to the bytes (at least 64 KiB/s), fast ones a minute.
        let timeout = Duration::from_secs(60 + len / (64 * 1024));
        let reply = self
            .uploader
            .put_range(&url, &headers, file, first, len, timeout, position)
            .map_err(|e| PlatformError::Network(e, PlatformId::Tiktok))?;
        if reply.ok() {
            return Ok(());
        }
        let detail = reply
            .body
            .pointer("/error/code")
            .and_then(Json::as_str)
            .map(str::to_string);
        if (400..500).contains(&reply.status) && reply.status != 429 {
            return Err(ChunkError::Rejected {
                index,
                status: reply.status,
                detail,
            });
        }
        Err(ChunkError::Failed(PlatformError::Api {
            platform: PlatformId::Tiktok,
            status: reply.status,
            code: detail
                .unwrap_or_else(|| format!("chunk {} of {} not accepted", index + 1, plan.count)),
            message: None,
            log_id: reply
                .body
                .pointer("/error/log_id")
                .and_then(Json::as_str)
                .map(str::to_string),
        }))
    }

    /// Where the publish stands (`status/fetch`), to poll until TikTok is done.
    pub fn status(&self, token: &Secret, publish_id: &str) -> Result<PublishStatus, PlatformError> {
        let body = json!({ "publish_id": publish_id });
        let d = data(self.http.post_json(&self.url(STATUS)?, token, &body))?;
        let ids = d
            .get("publicaly_available_post_id")
            .or_else(|| d.get("publicly_available_post_id"))
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| match v {
                        Json::String(s) => Some(s.clone()),
                        Json::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(PublishStatus {
            status: text(&d, "status").unwrap_or_else(|| "UNKNOWN".into()),
            fail_reason: text(&d, "fail_reason").filter(|r| !r.is_empty()),
            post_ids: ids,
        })
    }
}

fn text(body: &Json, field: &str) -> Option<String> {
    body.get(field).and_then(Json::as_str).map(str::to_string)
}

/// The MIME type TikTok is told, from the file's extension (TikTok takes MP4, MOV and WebM).
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("mov") => "video/quicktime",
        Some("webm") => "video/webm",
        _ => "video/mp4",
    }
}

/// A publish TikTok refused for one of its posting rules, spelled out for the creator: the
/// error codes are read here, so that the upload command never names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What went wrong, in the creator's words.
    pub message: String,
    /// What to do about it.
    pub hint: String,
    /// The account must be connected again (a scope it did not grant).
    pub reauth: bool,
}

impl Refusal {
    /// The refusal `e` stands for, if it is one of TikTok's posting rules; `draft` says whether
    /// the upload went to the inbox (which needs `video.upload`, not `video.publish`).
    pub fn of(e: &PlatformError, draft: bool) -> Option<Refusal> {
        let PlatformError::Api { code, log_id, .. } = e else {
            return None;
        };
        let log = log_id
            .as_deref()
            .map(|id| format!(" (log id {id})"))
            .unwrap_or_default();
        match code.as_str() {
            "unaudited_client_can_only_post_to_private_accounts" => Some(Refusal {
                message: format!(
                    "TikTok refused the post: this app is not audited yet, so it may only post to a private TikTok account, visible to the creator only (unaudited_client_can_only_post_to_private_accounts){log}"
                ),
                hint: "make the TikTok account private and use --privacy private, or send it with --draft".into(),
                reauth: false,
            }),
            "scope_not_authorized" | "scope_permission_missed" => {
                let scope = if draft {
                    "video.upload"
                } else {
                    "video.publish"
                };
                Some(Refusal {
                    message: format!(
                        "the TikTok account did not grant {scope}, which posting needs{log}"
                    ),
                    hint: format!(
                        "run `socialcrm connect tiktok --scope user.info.basic --scope {scope}`"
                    ),
                    reauth: true,
                })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    #[test]
    fn a_file_smaller_than_a_chunk_goes_whole() {
        let p = ChunkPlan::new(3 * MIB, DEFAULT_CHUNK).unwrap();
        assert_eq!((p.chunk_size, p.count), (3 * MIB, 1));
        assert_eq!(p.chunk(0), (0, 3 * MIB));
        assert!(p.is_valid());
        // Between 5 MB and one chunk: whole too.
        let p = ChunkPlan::new(20 * MIB, DEFAULT_CHUNK).unwrap();
        assert_eq!((p.chunk_size, p.count), (20 * MIB, 1));
        assert!(p.is_valid());
        let tiny = ChunkPlan::new(1, 5 * MIB).unwrap();
        assert_eq!((tiny.chunk_size, tiny.count), (1, 1));
    }

    #[test]
    fn an_exact_multiple_has_equal_chunks() {
        let p = ChunkPlan::new(15 * MIB, 5 * MIB).unwrap();
        assert_eq!((p.chunk_size, p.count), (5 * MIB, 3));
        assert_eq!(p.chunk(2), (10 * MIB, 5 * MIB));
        assert!(p.is_valid());
    }

    #[test]
    fn the_last_chunk_absorbs_the_trailing_bytes() {
        // TikTok's example: 50,000,123 bytes in chunks of 10,000,000 is 5 chunks, the last
        // 10,000,123 bytes.
        let p = ChunkPlan::new(50_000_123, 10_000_000).unwrap();
        assert_eq!(p.count, 5);
        assert_eq!(p.chunk(4), (40_000_000, 10_000_123));
        assert!(p.is_valid());
        let p = ChunkPlan::new(12 * MIB, 5 * MIB).unwrap();
        assert_eq!(p.count, 2);
        assert_eq!(p.chunk(1), (5 * MIB, 7 * MIB));
        // The largest last chunk stays under 128 MB.
        let p = ChunkPlan::new(2 * MAX_CHUNK - 1, DEFAULT_CHUNK).unwrap();
        assert_eq!(p.count, 1);
        assert!(p.is_valid());
        let p = ChunkPlan::new(3 * MAX_CHUNK - 1, DEFAULT_CHUNK).unwrap();
        assert_eq!(p.chunk(1).1, 2 * MAX_CHUNK - 1);
        assert!(p.chunk(1).1 < MAX_FINAL_CHUNK && p.is_valid());
    }

    #[test]
    fn chunk_sizes_are_clamped_and_raised_to_stay_within_1000_chunks() {
        let p = ChunkPlan::new(100 * MIB, 1).unwrap();
        assert_eq!(p.chunk_size, MIN_CHUNK, "at least 5 MiB");
        let p = ChunkPlan::new(200_000_000, u64::MAX).unwrap();
        assert_eq!(p.chunk_size, MAX_CHUNK, "at most 64 MB");
        let big = 6_000 * MIB;
        let p = ChunkPlan::new(big, MIN_CHUNK).unwrap();
        assert!(p.count <= MAX_CHUNKS && p.is_valid(), "{p:?}");
        assert_eq!(
            ChunkPlan::new(MAX_CHUNKS * MAX_CHUNK * 2, DEFAULT_CHUNK),
            Err(PlanError::TooLarge {
                size: MAX_CHUNKS * MAX_CHUNK * 2
            })
        );
        assert_eq!(ChunkPlan::new(0, DEFAULT_CHUNK), Err(PlanError::Empty));
    }

    #[test]
    fn every_plan_covers_the_file_without_gaps() {
        for size in [
            1,
            MIN_CHUNK - 1,
            MIN_CHUNK,
            12 * MIB,
            64 * MIB + 7,
            300 * MIB + 1,
        ] {
            for preferred in [MIN_CHUNK, 10_000_000, DEFAULT_CHUNK] {
                let p = ChunkPlan::new(size, preferred).unwrap();
                assert!(p.is_valid(), "{p:?}");
                let mut next = 0;
                for i in 0..p.count {
                    let (first, len) = p.chunk(i);
                    assert_eq!(first, next);
                    next += len;
                }
                assert_eq!(next, size);
            }
        }
    }

    #[test]
    fn the_content_type_follows_the_extension() {
        assert_eq!(content_type(Path::new("a.MOV")), "video/quicktime");
        assert_eq!(content_type(Path::new("a.webm")), "video/webm");
        assert_eq!(content_type(Path::new("a.mp4")), "video/mp4");
        assert_eq!(content_type(Path::new("clip")), "video/mp4");
    }
}
