//! X's chunked media upload (`/2/media/upload/initialize`, `/{id}/append`, `/{id}/finalize`,
//! `GET /2/media/upload?command=STATUS`) and `POST /2/tweets`. Appended segments are kept and
//! reassembled in `segment_index` order at finalize, where their size and SHA-256 are checked.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use super::{Reply, State, invalid};
use crate::support::server::{RecordedRequest, reply, sha256};

/// The largest segment X accepts ("must be <= 5 MB").
pub const MAX_SEGMENT: usize = 5 * 1024 * 1024;
const MEDIA_BASE: u64 = 1_880_000_000_000_000_000;

/// A post created through `POST /2/tweets`.
#[derive(Clone, Debug)]
pub struct CreatedPost {
    pub id: String,
    pub text: String,
    pub media_ids: Vec<String>,
    pub reply_to: Option<String>,
}

struct Upload {
    total_bytes: usize,
    category: String,
    segments: BTreeMap<u32, Vec<u8>>,
    finalized: bool,
    polls_left: u32,
}

#[derive(Default)]
pub(super) struct Media {
    uploads: HashMap<String, Upload>,
    pub expected_sha256: Option<String>,
    pub processing_polls: u32,
    pub posts: Vec<CreatedPost>,
    pub largest_segment: usize,
    /// Posts still to be created and then answered 503, as if the answer were lost.
    pub lose_answers: u32,
}

impl Upload {
    fn state(&self) -> Value {
        if self.polls_left > 0 {
            json!({"state": "in_progress", "check_after_secs": 1, "progress_percent": 50})
        } else {
            json!({"state": "succeeded", "progress_percent": 100})
        }
    }
}

impl State {
    pub(super) fn media_api(
        &mut self,
        req: &RecordedRequest,
        endpoint: &str,
        bytes: &[u8],
    ) -> Reply {
        let id = req.path.split('/').nth(4).unwrap_or("").to_string();
        match (req.method.as_str(), endpoint) {
            ("POST", "/2/media/upload/initialize") => self.initialize(req),
            ("POST", "/2/media/upload/:id/append") => self.append(req, &id, bytes),
            ("POST", "/2/media/upload/:id/finalize") => self.finalize(&id),
            ("GET", "/2/media/upload") => self.status(req),
            ("POST", "/2/tweets") => self.create_post(req),
            _ => Reply::problem(
                405,
                "Method Not Allowed",
                "Wrong method.",
                "invalid-request",
            ),
        }
    }

    fn initialize(&mut self, req: &RecordedRequest) -> Reply {
        let Some(body) = req.json_body() else {
            return invalid("The body must be JSON.");
        };
        let total = body.get("total_bytes").and_then(Value::as_u64).unwrap_or(0) as usize;
        let media_type = body.get("media_type").and_then(Value::as_str).unwrap_or("");
        let category = body
            .get("media_category")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if total == 0 || media_type.is_empty() {
            return invalid("total_bytes and media_type are required.");
        }
        if !["tweet_image", "tweet_gif", "tweet_video", "amplify_video"]
            .contains(&category.as_str())
        {
            return invalid("media_category is invalid.");
        }
        let id = (MEDIA_BASE + self.media.uploads.len() as u64 + 1).to_string();
        self.media.uploads.insert(
            id.clone(),
            Upload {
                total_bytes: total,
                category,
                segments: BTreeMap::new(),
                finalized: false,
                polls_left: self.media.processing_polls,
            },
        );
        reply!(200, {"data": {"id": id, "media_key": format!("7_{id}"), "expires_after_secs": 86400}})
    }

    fn append(&mut self, req: &RecordedRequest, id: &str, bytes: &[u8]) -> Reply {
        let Some(parts) = req
            .content_type
            .as_deref()
            .filter(|c| c.starts_with("multipart/form-data"))
            .and_then(|c| super::multipart(c, bytes))
        else {
            return invalid("APPEND must be multipart/form-data.");
        };
        let index = parts
            .get("segment_index")
            .and_then(|v| String::from_utf8_lossy(v).trim().parse::<u32>().ok())
            .filter(|i| *i <= 999);
        let (Some(index), Some(media)) = (index, parts.get("media")) else {
            return invalid("segment_index (0-999) and media are required.");
        };
        if media.len() > MAX_SEGMENT {
            return invalid("media must be <= 5 MB.");
        }
        self.media.largest_segment = self.media.largest_segment.max(media.len());
        let Some(upload) = self.media.uploads.get_mut(id).filter(|u| !u.finalized) else {
            return invalid("media_id is not an upload in progress.");
        };
        upload.segments.insert(index, media.clone());
        reply!(200, {"data": {"expires_at": super::now_secs() + 86400}})
    }

    fn finalize(&mut self, id: &str) -> Reply {
        let expected = self.media.expected_sha256.clone();
        let Some(upload) = self.media.uploads.get_mut(id) else {
            return invalid("media_id is unknown.");
        };
        let whole: Vec<u8> = upload.segments.values().flatten().copied().collect();
        let contiguous = upload
            .segments
            .keys()
            .copied()
            .eq(0..upload.segments.len() as u32);
        if !contiguous || whole.len() != upload.total_bytes {
            return invalid(&format!(
                "Segments do not add up to the file: {} bytes in {} segments, {} announced.",
                whole.len(),
                upload.segments.len(),
                upload.total_bytes
            ));
        }
        let sha = sha256(&whole);
        if expected.is_some_and(|e| e != sha) {
            return invalid("The reassembled media does not match the expected bytes.");
        }
        upload.finalized = true;
        let mut data = json!({"id": id, "media_key": format!("7_{id}"), "size": whole.len(), "expires_after_secs": 86400});
        if upload.category != "tweet_image" {
            data["processing_info"] = json!({"state": "pending", "check_after_secs": 1});
        }
        reply!(200, {"data": data})
    }

    fn status(&mut self, req: &RecordedRequest) -> Reply {
        if req.query_param("command") != Some("STATUS") {
            return invalid("command must be STATUS.");
        }
        let id = req.query_param("media_id").unwrap_or("").to_string();
        let Some(upload) = self.media.uploads.get_mut(&id).filter(|u| u.finalized) else {
            return invalid("media_id is not a finalized upload.");
        };
        let info = upload.state();
        upload.polls_left = upload.polls_left.saturating_sub(1);
        reply!(200, {"data": {"id": id, "media_key": format!("7_{id}"), "processing_info": info}})
    }

    fn create_post(&mut self, req: &RecordedRequest) -> Reply {
        let Some(body) = req.json_body() else {
            return invalid("The body must be JSON.");
        };
        let text = body
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let media_ids: Vec<String> = body
            .pointer("/media/media_ids")
            .and_then(Value::as_array)
            .map(|ids| {
                ids.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        if text.is_empty() && media_ids.is_empty() {
            return invalid("Post text or media is required.");
        }
        for id in &media_ids {
            let ready = self
                .media
                .uploads
                .get(id)
                .is_some_and(|u| u.finalized && u.polls_left == 0);
            if !ready {
                return invalid(&format!("Your media IDs are invalid: {id}."));
            }
        }
        let id = (1_990_000_000_000_000_000 + self.media.posts.len() as u64 + 1).to_string();
        self.media.posts.push(CreatedPost {
            id: id.clone(),
            text: text.clone(),
            media_ids,
            reply_to: body
                .pointer("/reply/in_reply_to_tweet_id")
                .and_then(Value::as_str)
                .map(str::to_string),
        });
        if self.media.lose_answers > 0 {
            self.media.lose_answers -= 1;
            return Reply::problem(
                503,
                "Service Unavailable",
                "Service Unavailable",
                "service-unavailable",
            );
        }
        reply!(201, {"data": {"id": id, "text": text, "edit_history_tweet_ids": [id]}})
    }
}
