//! What every upload shares, whatever the platform: the result it reports ([`Uploaded`]), the
//! publish ledger (`uploads`: which file went where, and how far), polling a publish until it
//! settles, and the audit entries.
//!
//! A file is recognised in two steps ([`look_up`]): its cheap fingerprint finds the ledger's
//! candidates, and only when there are some is the whole file hashed to be sure (rows older
//! than schema v6 hold SHA-256, computed then and only then). A file no candidate matches is
//! new, and its hash can be taken alongside its upload. The per-platform steps live next to
//! this file (`tiktok.rs`, `instagram.rs`); nothing here names a platform's API.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::file_hash;
use crate::app::{Context, Report};
use crate::auth::lifecycle::{Session, audit_entry};
use crate::error::{CliError, CliResult};
use crate::output::{Columns, Detail};
use crate::platforms::PlatformId;
use crate::store::Batch;
use crate::store::model::{Post, Upload, UploadRow, UploadStatus};

/// What `upload` tells: the file, the publish and where it stands.
#[derive(Serialize, Default)]
pub(super) struct Uploaded {
    pub platform: String,
    pub account: String,
    pub file: String,
    /// `xxh3:<hex>` of the content (`sha256:` for files first posted before schema v6).
    pub file_hash: String,
    pub bytes: u64,
    pub chunks: u64,
    /// TikTok's publish id; Instagram's container id.
    pub publish_id: Option<String>,
    /// `complete`, `processing` (sent; the platform is still working), or `already_posted`.
    pub status: String,
    pub post_id: Option<String>,
    /// Chunks sent by an earlier run were not sent again.
    pub resumed: bool,
}

impl Columns for Uploaded {}

impl Uploaded {
    /// The report before anything is sent: the file's hash as the ledger row of this file
    /// holds it (`sha256:` for a row older than schema v6), else `hash`; its size and chunks.
    pub fn before(
        platform: PlatformId,
        account: &str,
        file: &str,
        previous: Option<&UploadRow>,
        hash: Option<&str>,
        bytes: u64,
        chunks: u64,
    ) -> Uploaded {
        Uploaded {
            platform: platform.name().into(),
            account: account.into(),
            file: file.into(),
            file_hash: previous
                .and_then(|p| p.upload.file_hash.as_deref())
                .or(hash)
                .unwrap_or_default()
                .into(),
            bytes,
            chunks,
            ..Uploaded::default()
        }
    }
}

/// The ledger row of a file posted already, unless `--force` posts it again.
pub(super) fn posted(previous: Option<&UploadRow>, force: bool) -> Option<&UploadRow> {
    previous.filter(|p| p.upload.status == UploadStatus::Complete && !force)
}

/// What the ledger knows of a file about to be uploaded.
pub(super) struct Known {
    /// [`file_hash::fingerprint`] of the file.
    pub fingerprint: String,
    /// The content hash, when the ledger had candidates and the file was hashed whole to tell
    /// them apart; `None` when the file is new to the ledger and has not been read yet.
    pub hash: Option<String>,
    /// The ledger row of this very file (same content), if any.
    pub previous: Option<UploadRow>,
    /// A row left by a run that stopped before the hash was known: reused, not duplicated.
    pub stale: Option<i64>,
}

/// The error for a file that cannot be read.
pub(super) fn unreadable(shown: &str) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |e| CliError::failure(format!("cannot read {shown}: {e}"))
}

/// Finds `file` (of `size` bytes) in the ledger of `platform` for `account`.
pub(super) fn look_up(
    ctx: &mut Context,
    platform: PlatformId,
    account: &str,
    file: &Path,
    size: u64,
    shown: &str,
) -> CliResult<Known> {
    let unreadable = unreadable(shown);
    let fingerprint = file_hash::fingerprint(file, size).map_err(&unreadable)?;
    let candidates = ctx
        .store()?
        .upload_candidates(platform.name(), account, &fingerprint)?;
    let stale = candidates
        .iter()
        .find(|c| c.upload.file_hash.is_none())
        .map(|c| c.id);
    if candidates.is_empty() {
        return Ok(Known {
            fingerprint,
            hash: None,
            previous: None,
            stale,
        });
    }
    let hash = file_hash::hash(file).map_err(&unreadable)?;
    // Rows older than schema v6 hold SHA-256: read the file for it once, and only if one does.
    let mut legacy: Option<String> = None;
    let mut previous = None;
    for candidate in &candidates {
        let Some(stored) = candidate.upload.file_hash.as_deref() else {
            continue;
        };
        let is_legacy = stored.starts_with("sha256:");
        if is_legacy && legacy.is_none() {
            legacy = Some(file_hash::hash_as(file, stored).map_err(&unreadable)?);
        }
        let mine = if is_legacy {
            legacy.as_deref()
        } else {
            Some(hash.as_str())
        };
        if mine == Some(stored) {
            previous = Some(candidate.clone());
            break;
        }
    }
    Ok(Known {
        fingerprint,
        hash: Some(hash),
        previous,
        stale,
    })
}

/// The report on a file the ledger says `done` posted already (nothing is sent), audited.
pub(super) fn already_posted(
    ctx: &mut Context,
    done: &UploadRow,
    mut out: Uploaded,
) -> CliResult<Report> {
    let u = &done.upload;
    out.publish_id = u.publish_id.clone();
    out.post_id = u.post_id.clone();
    out.chunks = u.chunk_count as u64;
    out.status = "already_posted".into();
    let when = crate::app::time_cell(&Some(done.updated_at));
    let detail = format!(
        "{} already posted as {} on {when}; nothing sent",
        out.file,
        u.post_id.as_deref().unwrap_or("?")
    );
    let operator = &ctx.config.operator;
    let entry = audit_entry(
        operator,
        "upload",
        &out.platform,
        &out.account,
        "skipped",
        &detail,
    );
    ctx.store()?.upsert(Batch::Audit(&[entry]))?;
    Ok(Report::data(Detail(out)).note(format!("{detail} (--force posts it again)")))
}

/// Asks `check` for a status every `SOCIALCRM_UPLOAD_POLL_MS` until `settled` says it is
/// (`Ok(status)`), or until the next ask would come after `wait` (`Err(last status)`).
pub(super) fn poll<T>(
    wait: Duration,
    mut check: impl FnMut() -> CliResult<T>,
    settled: impl Fn(&T) -> bool,
) -> CliResult<Result<T, T>> {
    let deadline = Instant::now() + wait;
    let interval = poll_interval();
    loop {
        let status = check()?;
        if settled(&status) {
            return Ok(Ok(status));
        }
        if Instant::now() + interval > deadline {
            return Ok(Err(status));
        }
        std::thread::sleep(interval);
    }
}

fn poll_interval() -> Duration {
    crate::config::tuning::upload_poll().unwrap_or(Duration::from_millis(3000))
}

/// The publish failed at the platform: the ledger row says so (the next run starts over), the
/// audit log says why, and so does the error's one line (`detail`).
pub(super) fn fail<T>(session: &mut Session, upload: &mut Upload, detail: String) -> CliResult<T> {
    upload.status = UploadStatus::Failed;
    session.store.save_upload(upload)?;
    audit_upload(session, upload, "failed", &detail)?;
    Err(CliError::failure(detail))
}

/// The platform was still processing when `--wait` ran out: audited, and an error whose hint
/// says the same command keeps waiting (the ledger row stays `processing`).
pub(super) fn still_processing<T>(
    session: &mut Session,
    upload: &Upload,
    detail: String,
) -> CliResult<T> {
    audit_upload(session, upload, "processing", &detail)?;
    Err(CliError::failure(detail)
        .with_hint("run the same command again to keep waiting (nothing is sent twice)"))
}

/// The publish is done: the ledger row is complete under `post`'s id, and the post and the
/// audit entry (`detail`) are written together.
pub(super) fn published(
    session: &mut Session,
    upload: &mut Upload,
    post: Post,
    detail: &str,
) -> CliResult<()> {
    upload.status = UploadStatus::Complete;
    upload.post_id = Some(post.platform_post_id.clone());
    upload.upload_url = None;
    session.store.save_upload(upload)?;
    let entry = audit_entry(
        &session.actor,
        "upload",
        &upload.platform,
        &upload.account,
        "ok",
        detail,
    );
    session
        .store
        .upsert_all(&[Batch::Posts(&[post]), Batch::Audit(&[entry])])?;
    Ok(())
}

/// The post a finished upload adds to the CRM, before the next sync fills in its metrics.
pub(super) fn new_post(
    upload: &Upload,
    post_id: &str,
    caption: Option<String>,
    url: Option<String>,
    media_type: &str,
    published_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Post {
    Post {
        platform: upload.platform.clone(),
        platform_post_id: post_id.into(),
        account: Some(upload.account.clone()),
        caption,
        url,
        media_type: Some(media_type.into()),
        published_at,
        view_count: None,
        like_count: None,
        comment_count: None,
        share_count: None,
        metrics_at: None,
    }
}

/// Records an `upload` audit entry for the account and platform of `upload`.
pub(super) fn audit_upload(
    session: &mut Session,
    upload: &Upload,
    outcome: &str,
    detail: &str,
) -> CliResult<()> {
    let entry = audit_entry(
        &session.actor,
        "upload",
        &upload.platform,
        &upload.account,
        outcome,
        detail,
    );
    session.store.upsert(Batch::Audit(&[entry]))?;
    Ok(())
}
