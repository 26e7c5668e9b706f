//! The publish ledger (`uploads`: which file went where, and how far) as the pipeline reads and
//! writes it, and the audit entries every ending leaves.
//!
//! A file is recognised in two steps ([`look_up`]): its cheap fingerprint finds the ledger's
//! candidates, and only when there are some is the whole file hashed to be sure (rows older
//! than schema v6 hold SHA-256, computed then and only then). A file no candidate matches is
//! new, and its hash can be taken alongside its upload.

use std::path::Path;

use super::{Outcome, Published, Reason, UploadError, Uploaded, file_hash};
use crate::auth::lifecycle::{Session, audit_entry};
use crate::store::model::{Post, Upload, UploadRow, UploadStatus};
use crate::store::{Batch, Store};
use crate::vocab::PlatformId;

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
pub(super) fn unreadable(shown: &str) -> impl Fn(std::io::Error) -> UploadError + '_ {
    move |e| Reason::failure(format!("cannot read {shown}: {e}")).into()
}

/// Finds `file` (of `size` bytes) in the ledger of `platform` for `account`.
pub(super) fn look_up(
    store: &mut dyn Store,
    platform: PlatformId,
    account: &str,
    file: &Path,
    size: u64,
    shown: &str,
) -> Result<Known, UploadError> {
    let unreadable = unreadable(shown);
    let fingerprint = file_hash::fingerprint(file, size).map_err(&unreadable)?;
    let candidates = store.upload_candidates(platform, account, &fingerprint)?;
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
    store: &mut dyn Store,
    operator: &str,
    done: &UploadRow,
    mut out: Uploaded,
) -> Result<Outcome, UploadError> {
    let u = &done.upload;
    out.publish_id = u.publish_id.clone();
    out.post_id = u.post_id.clone();
    out.chunks = u.chunk_count as u64;
    out.status = "already_posted".into();
    let when = done
        .updated_at
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let detail = format!(
        "{} already posted as {} on {when}; nothing sent",
        out.file,
        u.post_id.as_deref().unwrap_or("?")
    );
    let entry = audit_entry(
        operator,
        "upload",
        out.platform,
        &out.account,
        "skipped",
        &detail,
    );
    store.upsert(Batch::Audit(&[entry]))?;
    Ok(Outcome {
        uploaded: out,
        note: Some(format!("{detail} (--force posts it again)")),
    })
}

/// The publish failed at the platform: the ledger row says so (the next run starts over), the
/// audit log says why, and so does the error's one line (`detail`).
pub(super) fn fail<T>(
    session: &mut Session,
    upload: &mut Upload,
    detail: String,
) -> Result<T, UploadError> {
    upload.status = UploadStatus::Failed;
    session.store.save_upload(upload)?;
    audit_upload(session, upload, "failed", &detail)?;
    Err(Reason::failure(detail).into())
}

/// The platform was still processing when `--wait` ran out: audited, and an error whose hint
/// says the same command keeps waiting (the ledger row stays `processing`).
pub(super) fn still_processing<T>(
    session: &mut Session,
    upload: &Upload,
    detail: String,
) -> Result<T, UploadError> {
    audit_upload(session, upload, "processing", &detail)?;
    Err(Reason::failure(detail)
        .with_hint("run the same command again to keep waiting (nothing is sent twice)")
        .into())
}

/// The publish is done: the ledger row is complete under `post`'s id, and the post and the
/// audit entry (`detail`) are written together.
pub(super) fn published(
    session: &mut Session,
    upload: &mut Upload,
    post: Post,
    detail: &str,
) -> Result<(), UploadError> {
    upload.status = UploadStatus::Complete;
    upload.post_id = Some(post.platform_post_id.clone());
    upload.upload_url = None;
    session.store.save_upload(upload)?;
    let entry = audit_entry(
        &session.actor,
        "upload",
        upload.platform,
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
pub(super) fn new_post(upload: &Upload, published: &Published) -> Post {
    Post {
        platform: upload.platform,
        platform_post_id: published.post_id.clone(),
        account: Some(upload.account.clone()),
        caption: published.caption.clone(),
        url: published.url.clone(),
        media_type: Some(published.media_type.into()),
        published_at: published.published_at,
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
) -> Result<(), UploadError> {
    let entry = audit_entry(
        &session.actor,
        "upload",
        upload.platform,
        &upload.account,
        outcome,
        detail,
    );
    session.store.upsert(Batch::Audit(&[entry]))?;
    Ok(())
}
