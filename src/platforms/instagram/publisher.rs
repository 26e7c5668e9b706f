//! Instagram's side of the upload pipeline (`upload::Publisher`): a reel by the resumable
//! container of `upload.rs`, in the pipeline's steps.
//!
//! Start creates the container (with the caption); the file goes to rupload in one request (the
//! one chunk of its plan); the container is polled until Meta has processed it, and
//! `media_publish` makes it the reel. An interrupted transfer starts over with a new container;
//! one whose bytes were sent is polled again (Meta keeps a container 24 hours), and a container
//! an earlier run published already is said so instead of being published twice. TikTok's
//! options are refused in one line.

use std::path::Path;

use super::upload::Publishing;
use crate::config::PlatformConfig;
use crate::http::client::Position;
use crate::store::model::{Connection, Upload};
use crate::upload::handle;
use crate::upload::{Plan, Published, Publisher, Reason, Request, Sent, Started, Status, Steps};
use crate::vocab::{PlatformError, PlatformId, Secret};

/// The registry's constructor.
pub fn publisher(config: &PlatformConfig) -> Box<dyn Publisher> {
    Box::new(Instagram {
        config: config.clone(),
    })
}

struct Instagram {
    config: PlatformConfig,
}

impl Publisher for Instagram {
    fn id(&self) -> PlatformId {
        PlatformId::Instagram
    }

    fn handle(&self) -> &'static str {
        "container"
    }

    fn refuse(&self, request: &Request) -> Option<Reason> {
        let flag = request.posting_option()?;
        Some(Reason::usage(format!(
            "{flag} is a TikTok option; `upload instagram` publishes a reel with --caption only"
        )))
    }

    fn plan(&self, _file: &Path, size: u64, _request: &Request) -> Result<Plan, String> {
        // The reel goes whole, in one request.
        Ok(Plan::whole(size))
    }

    fn continues(&self, _upload: &Upload) -> bool {
        false
    }

    fn steps(&self, _connection: &Connection) -> Box<dyn Steps> {
        Box::new(InstagramSteps {
            publishing: Publishing::new(&self.config),
        })
    }
}

struct InstagramSteps {
    publishing: Publishing,
}

impl Steps for InstagramSteps {
    fn start(
        &self,
        token: &Secret,
        request: &Request,
        _plan: &Plan,
    ) -> Result<Result<Started, Reason>, PlatformError> {
        let container = self
            .publishing
            .container(token, request.caption.as_deref())?;
        Ok(Ok(Started::new(container)))
    }

    fn send(
        &self,
        token: &Secret,
        upload: &Upload,
        file: &Path,
        _index: u64,
        position: &Position,
    ) -> Result<Sent, PlatformError> {
        let size = upload.file_size as u64;
        self.publishing
            .upload(token, handle(upload), file, size, position)?;
        Ok(Sent::Accepted)
    }

    fn status(&self, token: &Secret, upload: &Upload) -> Result<Status, PlatformError> {
        let status = self.publishing.status(token, handle(upload))?;
        Ok(if status.ready() {
            Status::Ready
        } else if status.published() {
            Status::PublishedEarlier
        } else if status.failed() {
            Status::Failed(format!(
                "{} ({})",
                status.text.as_deref().unwrap_or("no reason given"),
                status.code
            ))
        } else {
            Status::processing(status.text.unwrap_or(status.code))
        })
    }

    fn publish(
        &self,
        token: &Secret,
        upload: &Upload,
        request: &Request,
    ) -> Result<Published, PlatformError> {
        let (media_id, permalink) = self.publishing.publish(token, handle(upload))?;
        Ok(Published {
            post_id: media_id,
            url: permalink,
            caption: request.caption.clone(),
            media_type: "reels",
            published_at: Some(crate::clock::now()),
            ..Published::default()
        })
    }
}
