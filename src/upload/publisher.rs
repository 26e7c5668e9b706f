//! The trait every publishing platform implements for the upload pipeline, and the words it
//! answers in.
//!
//! It lives here, with its consumer ([`super::pipeline`]), as `sync::Stream` lives with the sync
//! engine: the adapters in `platforms/<name>/publisher.rs` implement it, and this floor never
//! names a platform. A [`Publisher`] is what can be said about a file before any account is
//! opened (the options the platform takes, how a file is cut into chunks, whether an interrupted
//! transfer can go on); its [`Steps`] are the calls to the platform for one connected account.
//! Every call that reaches the platform takes the access token, so that the pipeline's session
//! can refresh it and try again after a 401.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Reason, Request};
use crate::http::client::Position;
use crate::store::model::{Connection, Upload};
use crate::vocab::{PlatformError, PlatformId, Secret};

/// One platform's publishing rules, known before the database or the account is opened.
pub trait Publisher {
    /// The platform published to.
    fn id(&self) -> PlatformId;

    /// What the platform calls the handle of one publish, as messages name it ("publish",
    /// "container", "media").
    fn handle(&self) -> &'static str;

    /// An option of `request` that means nothing to this platform, refused rather than ignored.
    fn refuse(&self, request: &Request) -> Option<Reason>;

    /// How a file of `size` bytes (never 0) at `file` is cut into chunks, or why the platform
    /// cannot take it (one clause: "X takes mp4, ... files").
    fn plan(&self, file: &Path, size: u64, request: &Request) -> Result<Plan, String>;

    /// Whether the transfer of `upload`, interrupted part-way, can go on with its remaining
    /// chunks; when not, the next run starts a new publish.
    fn continues(&self, upload: &Upload) -> bool;

    /// The platform calls for `connection`'s account.
    fn steps(&self, connection: &Connection) -> Box<dyn Steps>;
}

/// The calls to the platform for one publish, in the order the pipeline makes them.
pub trait Steps {
    /// Opens a publish for the file cut by `plan`: its handle and, when the platform hands one
    /// out, the address the chunks go to. `Ok(Err(reason))` is a refusal of the request itself
    /// (a privacy level the account may not use).
    fn start(
        &self,
        token: &Secret,
        request: &Request,
        plan: &Plan,
    ) -> Result<Result<Started, Reason>, PlatformError>;

    /// Sends chunk `index` (0-based) of `upload`'s file, telling `position` the offset reached.
    fn send(
        &self,
        token: &Secret,
        upload: &Upload,
        file: &Path,
        index: u64,
        position: &Position,
    ) -> Result<Sent, PlatformError>;

    /// Closes the transfer once every chunk is sent; its answer is the first status when the
    /// platform gives one there (X's finalize), `None` when the status must be asked.
    fn finish(&self, _token: &Secret, _upload: &Upload) -> Result<Option<Status>, PlatformError> {
        Ok(None)
    }

    /// Where the publish stands.
    fn status(&self, token: &Secret, upload: &Upload) -> Result<Status, PlatformError>;

    /// Makes a publish whose status said [`Status::Ready`] a post.
    fn publish(
        &self,
        token: &Secret,
        upload: &Upload,
        request: &Request,
    ) -> Result<Published, PlatformError>;

    /// The platform's own words for a refusal among its error codes (TikTok's posting rules),
    /// so that no error code is read outside its adapter.
    fn explain(&self, _error: &PlatformError, _request: &Request) -> Option<Reason> {
        None
    }
}

/// How a file of `size` bytes is cut: `count` chunks of `chunk_size` bytes, as the platform
/// counts them (the last one may be shorter, or absorb the trailing bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// The file's size.
    pub size: u64,
    /// Bytes per chunk.
    pub chunk_size: u64,
    /// How many chunks (at least one).
    pub count: u64,
}

impl Plan {
    /// The whole file in one request (Instagram's rupload).
    pub fn whole(size: u64) -> Plan {
        Plan {
            size,
            chunk_size: size,
            count: 1,
        }
    }

    /// The file in chunks of `chunk_size` bytes, the last one shorter (X's appends).
    pub fn chunks(size: u64, chunk_size: u64) -> Plan {
        Plan {
            size,
            chunk_size,
            count: size.div_ceil(chunk_size).max(1),
        }
    }
}

/// The handle of `upload`'s publish at the platform, as its ledger row holds it since
/// [`Steps::start`] (empty before): what every later step names the publish by.
pub fn handle(upload: &Upload) -> &str {
    upload.publish_id.as_deref().unwrap_or_default()
}

/// A publish the platform opened.
#[derive(Debug, Clone)]
pub struct Started {
    /// The publish's handle at the platform (publish id, container id, media id).
    pub handle: String,
    /// Where the chunks go, when the platform hands out an address (it carries its own
    /// credential: saved in the ledger, never printed).
    pub upload_url: Option<String>,
}

impl Started {
    /// A publish whose chunks go through the platform's API: its handle and no address of
    /// its own.
    pub fn new(handle: String) -> Started {
        Started {
            handle,
            upload_url: None,
        }
    }
}

/// How one chunk went, short of an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// The chunk arrived.
    Accepted,
    /// The saved transfer is no longer accepted (an expired upload address): a new publish
    /// starts, or the upload fails with this clause when it was new.
    Refused(String),
}

/// Where a publish stands.
#[derive(Debug, Clone)]
pub enum Status {
    /// The platform is still processing; its state in its own words, and when it asks to be
    /// asked again.
    Processing {
        /// The state as the platform words it (`in_progress`, `PROCESSING_UPLOAD`).
        state: String,
        /// When the platform asks to be asked again, if it says.
        ask_again: Option<Duration>,
    },
    /// Processed: [`Steps::publish`] makes it a post.
    Ready,
    /// The platform could not publish it, for this reason.
    Failed(String),
    /// An earlier run published it and stopped before recording the post.
    PublishedEarlier,
}

impl Status {
    /// Still processing, in the platform's `state`, with no word on when to ask again.
    pub fn processing(state: String) -> Status {
        Status::Processing {
            state,
            ask_again: None,
        }
    }

    /// Whether polling can stop.
    pub fn settled(&self) -> bool {
        !matches!(self, Status::Processing { .. })
    }
}

/// The post a publish became.
#[derive(Debug, Clone, Default)]
pub struct Published {
    /// The post's id at the platform (TikTok: the publish id until moderation gives a video
    /// id).
    pub post_id: String,
    /// The post's address, when the platform tells it.
    pub url: Option<String>,
    /// The post's text as the platform keeps it.
    pub caption: Option<String>,
    /// The CRM's `posts.media_type` (`video`, `reels`, `media`).
    pub media_type: &'static str,
    /// `None` while the platform has not made it public yet (a draft in the creator's inbox).
    pub published_at: Option<DateTime<Utc>>,
    /// The media the post carries, when the platform has ids for them apart from the post (X).
    pub media_ids: Vec<String>,
    /// A line for the person, when the post needs something more of them.
    pub note: Option<String>,
}
