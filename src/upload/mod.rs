//! The upload pipeline: one path from a local file to a post, whatever the platform, with a
//! publish ledger that keeps a file from going out twice.
//!
//! [`check`] refuses what the platform does not take and checks the file (before any database
//! is opened); [`Checked::look_up`] finds the file in the ledger (`ledger.rs`: the fingerprint,
//! then the hash, SHA-256 for rows older than schema v6; `file_hash.rs`) and reports a file
//! posted already; [`Pending::send`] opens a publish, sends the chunks (resuming an interrupted
//! transfer, or starting over when the platform no longer takes it), polls until the platform
//! has processed the file, makes it a post, and writes the ledger, the post and the audit
//! entries. The platforms take part only through the [`Publisher`] trait of `publisher.rs`,
//! implemented in `platforms/<name>/publisher.rs` and named by the platform registry; nothing
//! here names a platform or reads its error codes. This floor prints no data (only a progress
//! bar on a terminal's stderr): `app::upload` turns the [`Outcome`] into the command's report and
//! an [`UploadError`] into its one line.

mod file_hash;
mod ledger;
mod pipeline;
mod publisher;

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

pub use pipeline::{Checked, Found, Pending, check};
pub use publisher::{Plan, Published, Publisher, Sent, Started, Status, Steps, handle};

use crate::auth::lifecycle::LifecycleError;
use crate::output::Columns;
use crate::store::StoreError;
use crate::vocab::PlatformId;

/// What `upload` was asked, in the pipeline's words (parsed by `cli`, converted by `app`).
#[derive(Debug, Clone)]
pub struct Request {
    /// The file to post, as given (shown in messages as given, too).
    pub file: PathBuf,
    /// The local account name to post from.
    pub account: String,
    /// The post's text; each platform puts it where its posts carry one.
    pub caption: Option<String>,
    /// Who may watch, when the platform lets the creator choose.
    pub audience: Option<Audience>,
    /// To the creator's inbox, to finish in the app, instead of posting.
    pub draft: bool,
    /// Return once the file is sent instead of waiting for the platform.
    pub no_wait: bool,
    /// Post again a file the ledger says was posted.
    pub force: bool,
    /// Bytes per chunk asked for (platforms with a fixed chunk size ignore it).
    pub chunk_size: u64,
    /// Longest wait for the platform to process the file.
    pub wait: Duration,
    /// Whether a progress bar may be drawn (a person at a terminal).
    pub progress: bool,
}

impl Request {
    /// The first of the options that choose how the platform posts (`--privacy`, `--draft`,
    /// `--no-wait`) this request was given, as typed: what a platform without those choices
    /// refuses ([`Publisher::refuse`]).
    pub fn posting_option(&self) -> Option<&'static str> {
        [
            (self.audience.is_some(), "--privacy"),
            (self.draft, "--draft"),
            (self.no_wait, "--no-wait"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))
    }
}

/// Who may watch a post, in socialcrm's words; each platform maps them to its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Everyone.
    Public,
    /// Mutual followers.
    Friends,
    /// Followers.
    Followers,
    /// Only the creator.
    Private,
}

impl Audience {
    /// Every audience, for a platform to map its own levels back to these names.
    pub const ALL: [Audience; 4] = [
        Audience::Public,
        Audience::Friends,
        Audience::Followers,
        Audience::Private,
    ];

    /// The name `--privacy` takes.
    pub fn name(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Friends => "friends",
            Audience::Followers => "followers",
            Audience::Private => "private",
        }
    }
}

/// Which exit an upload that stopped for a [`Reason`] takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The request cannot be done as asked (exit 2).
    Usage,
    /// The upload failed (exit 1).
    Failure,
    /// The account must be connected again (exit 4).
    Reauth,
}

/// Why an upload stopped, in one line, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// Which exit it takes.
    pub kind: Kind,
    /// The one line, naming the thing that stopped the upload.
    pub message: String,
    /// What to do about it, when there is something.
    pub hint: Option<String>,
}

impl Reason {
    /// A request the platform or the file does not allow as asked (exit 2).
    pub fn usage(message: impl Into<String>) -> Reason {
        Reason {
            kind: Kind::Usage,
            message: message.into(),
            hint: None,
        }
    }

    /// An upload that failed on its way (exit 1).
    pub fn failure(message: impl Into<String>) -> Reason {
        Reason {
            kind: Kind::Failure,
            message: message.into(),
            hint: None,
        }
    }

    /// The same reason, saying what to do about it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Reason {
        self.hint = Some(hint.into());
        self
    }
}

/// How an upload failed.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The pipeline or the platform's rules stopped it, for this reason.
    #[error("{}", .0.message)]
    Stopped(Reason),
    /// A call to the platform failed; `hint` says what to do beyond the error's own words.
    #[error("{error}")]
    Platform {
        /// The call's error, with the token lifecycle's (a refresh refused, a lock).
        error: LifecycleError,
        /// What to do, beyond the error's own words.
        hint: Option<String>,
    },
    /// The ledger, the post or the audit entry could not be written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Reason> for UploadError {
    fn from(reason: Reason) -> UploadError {
        UploadError::Stopped(reason)
    }
}

/// What `upload` tells: the file, the publish and where it stands.
#[derive(Serialize, Default, Debug)]
pub struct Uploaded {
    /// The platform posted to.
    pub platform: PlatformId,
    /// The local account posted from.
    pub account: String,
    /// The file, as given.
    pub file: String,
    /// `xxh3:<hex>` of the content (`sha256:` for files first posted before schema v6).
    pub file_hash: String,
    /// The file's size.
    pub bytes: u64,
    /// The chunks of its plan.
    pub chunks: u64,
    /// The publish's handle: TikTok's publish id, Instagram's container id, X's media id.
    pub publish_id: Option<String>,
    /// `complete`, `processing` (sent; the platform is still working), or `already_posted`.
    pub status: String,
    /// The post's id at the platform, once it is one.
    pub post_id: Option<String>,
    /// Chunks sent by an earlier run were not sent again.
    pub resumed: bool,
    /// The post's address, when the platform tells it.
    pub url: Option<String>,
    /// The media the post carries, when the platform has ids for them apart from the post (X).
    pub media_ids: Vec<String>,
}

impl Columns for Uploaded {}

/// An upload's report: what it tells, and a line for the person when there is more to say.
#[derive(Debug)]
pub struct Outcome {
    /// What the command prints.
    pub uploaded: Uploaded,
    /// A line for the person (stderr), when the post needs more of them or nothing was sent.
    pub note: Option<String>,
}
