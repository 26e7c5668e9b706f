//! `upload <platform> FILE`: post a local file to a connected account, with a publish ledger
//! that keeps a file from going out twice.
//!
//! The folder holds one file per publishing platform and what they share: `ledger.rs` (the
//! result, the ledger look-up with its fingerprint and legacy hashes, polling, audit) and
//! `file_hash.rs` (how a file is recognised). `tiktok.rs` sends chunks to TikTok's Content
//! Posting API; `instagram.rs` publishes a reel through a resumable container; X's media upload
//! is `post x` with the file as its only media (`app/post.rs`). The platform files import the
//! shared ones, never each other, and the platforms' own error codes are read in their
//! adapters (`platforms::<name>::upload`), not here.

mod file_hash;
mod instagram;
mod ledger;
mod tiktok;

use super::{Context, Report};
use crate::cli::{UploadArgs, UploadPlatform};
use crate::error::CliResult;

pub fn run(ctx: &mut Context, args: UploadArgs) -> CliResult<Report> {
    match args.platform {
        UploadPlatform::Tiktok => tiktok::run(ctx, args),
        UploadPlatform::Instagram => instagram::run(ctx, args),
        UploadPlatform::X => super::post::upload_x(ctx, args),
    }
}
