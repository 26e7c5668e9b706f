//! X's side of the upload pipeline (`upload::Publisher`): `upload x FILE` is a post whose only
//! media is the file, sent by the chunked media upload of `media.rs`.
//!
//! Start initializes the media upload (its media id is the publish's handle); the chunks are
//! 4 MiB appends; finalize answers whether X still processes the file, and STATUS is polled at
//! X's `check_after_secs`; the post is then created with the media, once (an answer that may
//! have been lost is never retried, so a post is not made twice). An interrupted transfer starts
//! over: a media id is not resumed. TikTok's publishing options mean nothing to X and are
//! refused rather than ignored.

use std::path::Path;

use super::media::{CHUNK, Posting, Processing, kind};
use crate::config::PlatformConfig;
use crate::http::client::Position;
use crate::store::model::{Connection, Upload};
use crate::upload::handle;
use crate::upload::{Plan, Published, Publisher, Reason, Request, Sent, Started, Status, Steps};
use crate::vocab::{Origin, PlatformError, PlatformId, Secret};

/// The registry's constructor.
pub fn publisher(config: &PlatformConfig) -> Box<dyn Publisher> {
    Box::new(X {
        base_url: config.base_url.clone(),
    })
}

struct X {
    base_url: Option<Origin>,
}

impl Publisher for X {
    fn id(&self) -> PlatformId {
        PlatformId::X
    }

    fn handle(&self) -> &'static str {
        "media"
    }

    fn refuse(&self, request: &Request) -> Option<Reason> {
        let flag = request.posting_option()?;
        Some(
            Reason::usage(format!(
                "{flag} is a TikTok option; X posts take --caption only"
            ))
            .with_hint("`socialcrm post x TEXT --media FILE` has X's options"),
        )
    }

    fn plan(&self, file: &Path, size: u64, _request: &Request) -> Result<Plan, String> {
        if kind(file).is_none() {
            return Err("X takes mp4, mov, gif, jpg, png or webp files".into());
        }
        Ok(Plan::chunks(size, CHUNK))
    }

    fn continues(&self, _upload: &Upload) -> bool {
        false
    }

    fn steps(&self, connection: &Connection) -> Box<dyn Steps> {
        let user = connection.platform_user_id.clone().unwrap_or_default();
        Box::new(XSteps {
            posting: Posting::new(self.base_url.clone(), &user),
            username: connection.username.clone(),
        })
    }
}

struct XSteps {
    posting: Posting,
    username: Option<String>,
}

impl From<Processing> for Status {
    fn from(processing: Processing) -> Status {
        match processing {
            Processing::Succeeded => Status::Ready,
            Processing::Failed(why) => Status::Failed(why),
            Processing::Pending {
                state,
                check_after_secs,
            } => Status::Processing {
                state,
                // What X asks, at least a second (one when it does not say).
                ask_again: Some(std::time::Duration::from_secs(
                    check_after_secs.unwrap_or(1).max(1),
                )),
            },
        }
    }
}

impl Steps for XSteps {
    fn start(
        &self,
        token: &Secret,
        request: &Request,
        plan: &Plan,
    ) -> Result<Result<Started, Reason>, PlatformError> {
        let id = self.posting.initialize(token, &request.file, plan.size)?;
        Ok(Ok(Started::new(id)))
    }

    fn send(
        &self,
        token: &Secret,
        upload: &Upload,
        file: &Path,
        index: u64,
        position: &Position,
    ) -> Result<Sent, PlatformError> {
        let size = upload.file_size as u64;
        self.posting
            .append(token, handle(upload), file, size, index, position)?;
        Ok(Sent::Accepted)
    }

    fn finish(&self, token: &Secret, upload: &Upload) -> Result<Option<Status>, PlatformError> {
        Ok(Some(self.posting.finalize(token, handle(upload))?.into()))
    }

    fn status(&self, token: &Secret, upload: &Upload) -> Result<Status, PlatformError> {
        Ok(self.posting.status(token, handle(upload))?.into())
    }

    fn publish(
        &self,
        token: &Secret,
        upload: &Upload,
        request: &Request,
    ) -> Result<Published, PlatformError> {
        let media_ids = vec![handle(upload).to_string()];
        let text = request.caption.as_deref().unwrap_or_default();
        let created = self.posting.create(token, text, &media_ids, None)?;
        Ok(Published {
            url: Some(format!(
                "https://x.com/{}/status/{}",
                self.username.as_deref().unwrap_or("i"),
                created.id
            )),
            post_id: created.id,
            caption: Some(created.text).filter(|t| !t.is_empty()),
            media_type: "media",
            published_at: Some(crate::clock::now()),
            media_ids,
            note: None,
        })
    }
}
