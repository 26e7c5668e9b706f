//! TikTok's side of the upload pipeline (`upload::Publisher`): the Content Posting API of
//! `upload.rs`, in the pipeline's steps.
//!
//! Start asks what the creator may post (privacy levels) and refuses a level they may not use,
//! then inits a Direct Post (or, for `--draft`, an upload to the creator's inbox) with the chunk
//! plan; the chunks are PUT in order to the upload URL TikTok hands out, which carries its own
//! credential, so an interrupted transfer goes on there while TikTok still accepts it. TikTok
//! publishes when processing ends: the status that says so is the post.

use std::cell::RefCell;
use std::path::Path;

use serde_json::json;

use super::upload::{ChunkError, ChunkPlan, Posting, PublishStatus, Refusal, content_type};
use crate::config::PlatformConfig;
use crate::http::client::Position;
use crate::store::model::{Connection, Upload};
use crate::upload::handle;
use crate::upload::{
    Audience, Kind, Plan, Published, Publisher, Reason, Request, Sent, Started, Status, Steps,
};
use crate::vocab::{PlatformError, PlatformId, Secret};

/// The registry's constructor.
pub fn publisher(config: &PlatformConfig) -> Box<dyn Publisher> {
    Box::new(TikTok {
        config: config.clone(),
    })
}

struct TikTok {
    config: PlatformConfig,
}

/// The file's plan as the ledger row holds it.
fn saved_plan(upload: &Upload) -> ChunkPlan {
    ChunkPlan {
        video_size: upload.file_size as u64,
        chunk_size: upload.chunk_size as u64,
        count: upload.chunk_count as u64,
    }
}

impl Publisher for TikTok {
    fn id(&self) -> PlatformId {
        PlatformId::Tiktok
    }

    fn handle(&self) -> &'static str {
        "publish"
    }

    fn refuse(&self, _request: &Request) -> Option<Reason> {
        // Every option of `upload` is TikTok's; the command line refuses the combinations.
        None
    }

    fn plan(&self, _file: &Path, size: u64, request: &Request) -> Result<Plan, String> {
        let plan = ChunkPlan::new(size, request.chunk_size).map_err(|e| e.to_string())?;
        Ok(Plan {
            size,
            chunk_size: plan.chunk_size,
            count: plan.count,
        })
    }

    fn continues(&self, upload: &Upload) -> bool {
        upload.upload_url.is_some() && saved_plan(upload).is_valid()
    }

    fn steps(&self, connection: &Connection) -> Box<dyn Steps> {
        Box::new(TikTokSteps {
            posting: Posting::new(&self.config),
            username: connection.username.clone(),
            settled: RefCell::new(None),
        })
    }
}

struct TikTokSteps {
    posting: Posting,
    username: Option<String>,
    /// The status that ended processing, which [`Steps::publish`] turns into the post.
    settled: RefCell<Option<PublishStatus>>,
}

/// TikTok's privacy level for an audience.
fn level(audience: Audience) -> &'static str {
    match audience {
        Audience::Public => "PUBLIC_TO_EVERYONE",
        Audience::Friends => "MUTUAL_FOLLOW_FRIENDS",
        Audience::Followers => "FOLLOWER_OF_CREATOR",
        Audience::Private => "SELF_ONLY",
    }
}

impl TikTokSteps {
    /// The post the publish became, from the status that ended its processing.
    fn post(&self, status: &PublishStatus, upload: &Upload, request: &Request) -> Published {
        let publish_id = upload.publish_id.clone().unwrap_or_default();
        let video_id = status.post_ids.first().cloned();
        let note = if status.status == "SEND_TO_USER_INBOX" {
            Some(
                "sent to the creator's TikTok inbox: open the notification in the TikTok app to finish the post",
            )
        } else if video_id.is_none() {
            Some(
                "published; TikTok gives the video id after moderation, so the post is recorded under its publish id",
            )
        } else {
            None
        };
        Published {
            url: match (&video_id, &self.username) {
                (Some(v), Some(u)) => Some(format!("https://www.tiktok.com/@{u}/video/{v}")),
                _ => None,
            },
            post_id: video_id.unwrap_or(publish_id),
            caption: request.caption.clone(),
            media_type: "video",
            published_at: (status.status == "PUBLISH_COMPLETE").then(crate::clock::now),
            media_ids: Vec::new(),
            note: note.map(str::to_string),
        }
    }
}

impl Steps for TikTokSteps {
    fn start(
        &self,
        token: &Secret,
        request: &Request,
        plan: &Plan,
    ) -> Result<Result<Started, Reason>, PlatformError> {
        let post = if request.draft {
            None
        } else {
            let info = self.posting.creator_info(token)?;
            let wanted = level(request.audience.unwrap_or(Audience::Private));
            if !info.privacy_levels.iter().any(|l| l == wanted) {
                let allowed: Vec<String> = info
                    .privacy_levels
                    .iter()
                    .map(
                        |l| match Audience::ALL.into_iter().find(|a| level(*a) == l) {
                            Some(a) => format!("{} ({l})", a.name()),
                            None => l.clone(),
                        },
                    )
                    .collect();
                let who = info.username.as_deref().unwrap_or(&request.account);
                return Ok(Err(Reason::usage(format!(
                    "the TikTok account {who} may not post with privacy {wanted}; allowed: {}",
                    if allowed.is_empty() {
                        "none".into()
                    } else {
                        allowed.join(", ")
                    }
                ))
                .with_hint("pick one with --privacy")));
            }
            let mut post = json!({ "privacy_level": wanted });
            if let Some(caption) = &request.caption {
                post["title"] = json!(caption);
            }
            Some(post)
        };
        let chunks = ChunkPlan {
            video_size: plan.size,
            chunk_size: plan.chunk_size,
            count: plan.count,
        };
        let init = self.posting.init(token, &chunks, post)?;
        Ok(Ok(Started {
            handle: init.publish_id,
            upload_url: Some(init.upload_url),
        }))
    }

    fn send(
        &self,
        _token: &Secret,
        upload: &Upload,
        file: &Path,
        index: u64,
        position: &Position,
    ) -> Result<Sent, PlatformError> {
        // The upload URL carries its own credential: no access token goes with a chunk.
        let url = upload.upload_url.as_deref().unwrap_or_default();
        let plan = saved_plan(upload);
        match self
            .posting
            .put_chunk(url, file, content_type(file), &plan, index, position)
        {
            Ok(()) => Ok(Sent::Accepted),
            Err(refused @ ChunkError::Rejected { .. }) => Ok(Sent::Refused(refused.to_string())),
            Err(ChunkError::Failed(e)) => Err(e),
        }
    }

    fn status(&self, token: &Secret, upload: &Upload) -> Result<Status, PlatformError> {
        let status = self.posting.status(token, handle(upload))?;
        Ok(if status.failed() {
            Status::Failed(
                status
                    .fail_reason
                    .clone()
                    .unwrap_or_else(|| "no reason given".into()),
            )
        } else if status.finished() {
            self.settled.replace(Some(status));
            Status::Ready
        } else {
            Status::processing(status.status)
        })
    }

    fn publish(
        &self,
        token: &Secret,
        upload: &Upload,
        request: &Request,
    ) -> Result<Published, PlatformError> {
        // TikTok publishes when processing ends: the status that said so is the post.
        let status = match self.settled.take() {
            Some(status) => status,
            None => self.posting.status(token, handle(upload))?,
        };
        Ok(self.post(&status, upload, request))
    }

    fn explain(&self, error: &PlatformError, request: &Request) -> Option<Reason> {
        let refusal = Refusal::of(error, request.draft)?;
        Some(Reason {
            kind: if refusal.reauth {
                Kind::Reauth
            } else {
                Kind::Failure
            },
            message: refusal.message,
            hint: Some(refusal.hint),
        })
    }
}
