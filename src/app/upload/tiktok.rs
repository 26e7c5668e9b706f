//! `upload tiktok FILE`: post a video file to a connected TikTok account.
//!
//! The steps (TikTok, shared/platforms/tiktok.md section 3): look the file up in the ledger
//! (`ledger.rs`: fingerprint, then hash); ask what the creator may post
//! (privacy levels) and refuse a level they may not use; init the publish with a chunk plan;
//! PUT the chunks in order, streamed from the file, saving the ledger after each one; then poll
//! the status until TikTok publishes (or, for a draft, delivers to the inbox) or fails, within
//! `--wait` seconds. The result goes to `posts` and `audit_log`.
//!
//! The ledger makes the command safe to run again: a finished file is reported, not posted
//! twice (`--force` posts it again); an interrupted one resumes its remaining chunks on the
//! saved upload URL, or starts over when TikTok no longer accepts that URL; one whose chunks
//! were all sent (`--no-wait`, or a wait that ran out) goes straight back to polling.
//!
//! `SOCIALCRM_UPLOAD_POLL_MS` sets the polling interval (default 3000: TikTok allows 30 status
//! calls a minute); tests shorten it.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::file_hash::{self, Alongside};
use super::ledger::{self, Known, Uploaded, already_posted, poll};
use crate::app::{Context, Report};
use crate::auth::lifecycle::{LifecycleError, Session};
use crate::cli::{Privacy, UploadArgs};
use crate::error::{CliError, CliResult, ExitCode};
use crate::output::Detail;
use crate::output::progress::Progress;
use crate::platforms::tiktok::upload::{
    ChunkError, ChunkPlan, Position, Posting, Refusal, content_type,
};
use crate::platforms::{PlatformError, PlatformId};
use crate::store::model::{Upload, UploadStatus};

/// One line for a platform error during an upload, with TikTok's posting rules spelled out.
fn explain(e: LifecycleError, draft: bool) -> CliError {
    if let LifecycleError::Platform(p) = &e
        && let Some(refusal) = Refusal::of(p, draft)
    {
        let kind = if refusal.reauth {
            ExitCode::Reauth
        } else {
            ExitCode::Failure
        };
        return CliError::new(kind, refusal.message).with_hint(refusal.hint);
    }
    e.into()
}

pub fn run(ctx: &mut Context, args: UploadArgs) -> CliResult<Report> {
    let id = PlatformId::Tiktok;
    let shown = args.file.display().to_string();
    let meta = std::fs::metadata(&args.file)
        .map_err(|e| CliError::failure(format!("cannot read {shown}: {e}")))?;
    if !meta.is_file() {
        return Err(CliError::usage(format!("{shown} is not a file")));
    }
    let size = meta.len();
    let fresh_plan = ChunkPlan::new(size, args.chunk_size)
        .map_err(|e| CliError::usage(format!("cannot upload {shown}: {e}")))?;

    let connection = ctx.connection(id, &args.account)?;
    let account = args.account.clone();
    let username = connection.connection.username.clone();

    let unreadable = ledger::unreadable(&shown);
    // A file the ledger may know is hashed whole first, so that a finished one is never posted
    // again and an unfinished one resumes. A file it cannot know (no entry has its fingerprint)
    // goes at once, hashed alongside its chunks; the hash is recorded before the last chunk.
    let Known {
        fingerprint,
        hash: content_hash,
        previous,
        stale,
    } = ledger::look_up(ctx, id, &account, &args.file, size, &shown)?;
    let mut out = Uploaded::before(
        id,
        &account,
        &shown,
        previous.as_ref(),
        content_hash.as_deref(),
        size,
        fresh_plan.count,
    );
    if let Some(done) = ledger::posted(previous.as_ref(), args.force) {
        return already_posted(ctx, done, out);
    }

    // What an earlier run left that can be continued: same size, a valid saved plan, and a
    // publish that is still uploading (with its URL) or already processing.
    let resumable = previous
        .map(|p| p.upload)
        .filter(|_| !args.force)
        .filter(|u| u.file_size == size as i64 && u.publish_id.is_some())
        .filter(|u| {
            ChunkPlan {
                video_size: size,
                chunk_size: u.chunk_size as u64,
                count: u.chunk_count as u64,
            }
            .is_valid()
        })
        .filter(|u| {
            (u.status == UploadStatus::Uploading && u.upload_url.is_some())
                || u.status == UploadStatus::Processing
        });

    let adapter = ctx.connected_adapter(id, &account)?;
    let posting = Posting::new(&ctx.config.platform(id));
    let visible = ctx.config.progress && std::io::stderr().is_terminal();
    let mut session = ctx.session(adapter.as_ref(), connection)?;
    let draft = args.draft;
    let mime = content_type(&args.file);

    // A new file is hashed from the blocks its chunks send (read once, hashed on another thread).
    let mut hashing = content_hash.is_none().then(|| Alongside::start(&args.file));

    // Creator info, the privacy check and init: a new publish, saved in the ledger (in the row
    // `reuse` when given).
    let start = |session: &mut Session, reuse: Option<i64>| -> CliResult<Upload> {
        let post = if draft {
            None
        } else {
            let info = session
                .with_token(|t| posting.creator_info(t))
                .map_err(|e| explain(e, draft))?;
            let level = args.privacy.unwrap_or(Privacy::Private).tiktok();
            if !info.privacy_levels.iter().any(|l| l == level) {
                let allowed: Vec<String> = info
                    .privacy_levels
                    .iter()
                    .map(|l| match privacy_name(l) {
                        Some(name) => format!("{name} ({l})"),
                        None => l.clone(),
                    })
                    .collect();
                let who = info.username.as_deref().unwrap_or(&account);
                return Err(CliError::usage(format!(
                    "the TikTok account {who} may not post with privacy {level}; allowed: {}",
                    if allowed.is_empty() {
                        "none".into()
                    } else {
                        allowed.join(", ")
                    }
                ))
                .with_hint("pick one with --privacy"));
            }
            let mut post = json!({ "privacy_level": level });
            if let Some(caption) = &args.caption {
                post["title"] = json!(caption);
            }
            Some(post)
        };
        let init = session
            .with_token(|t| posting.init(t, &fresh_plan, post.clone()))
            .map_err(|e| explain(e, draft))?;
        let mut upload = Upload {
            id: reuse,
            platform: id.name().into(),
            account: account.clone(),
            file_hash: content_hash.clone(),
            file_fingerprint: fingerprint.clone(),
            file_size: size as i64,
            publish_id: Some(init.publish_id),
            upload_url: Some(init.upload_url),
            chunk_size: fresh_plan.chunk_size as i64,
            chunk_count: fresh_plan.count as i64,
            chunks_done: 0,
            status: UploadStatus::Uploading,
            post_id: None,
        };
        upload.id = Some(session.store.save_upload(&upload)?);
        Ok(upload)
    };

    let mut resumed = resumable.is_some();
    let mut upload = match resumable {
        Some(u) => u,
        None => start(&mut session, stale)?,
    };
    out.resumed = resumed && upload.chunks_done > 0;

    if upload.status == UploadStatus::Uploading {
        let progress = Progress::transfer(visible, size);
        let position: Position = match &hashing {
            Some(alongside) => alongside.watch(progress.setter()),
            None => Arc::new(progress.setter()),
        };
        loop {
            let plan = ChunkPlan {
                video_size: size,
                chunk_size: upload.chunk_size as u64,
                count: upload.chunk_count as u64,
            };
            // Every chunk but the last, then (for a new file) the hash, then the last: TikTok
            // publishes when the last chunk arrives, so nothing is posted before the ledger
            // has proved the file new.
            let mut sent = Ok(());
            for until in [plan.count - 1, plan.count] {
                if until == plan.count && upload.file_hash.is_none() {
                    let hashed = match hashing.take() {
                        Some(alongside) => alongside.finish(),
                        None => file_hash::hash(&args.file),
                    };
                    let hash = hashed.map_err(|e| {
                        progress.finish();
                        unreadable(e)
                    })?;
                    if let Some(other) = session.store.upload(id.name(), &account, &hash)? {
                        progress.finish();
                        upload.status = UploadStatus::Failed;
                        session.store.save_upload(&upload)?;
                        return Err(CliError::failure(format!(
                            "{shown} is already in the upload ledger for this account ({}, publish {}); the last chunk was not sent, so nothing is posted twice",
                            other.upload.status,
                            other.upload.publish_id.as_deref().unwrap_or("?")
                        ))
                        .with_hint("another socialcrm run is uploading it, or finished it just now"));
                    }
                    upload.file_hash = Some(hash.clone());
                    session.store.save_upload(&upload)?;
                    out.file_hash = hash;
                }
                sent = send_chunks(
                    &posting,
                    &mut upload,
                    &plan,
                    &args.file,
                    mime,
                    &position,
                    session.store,
                    until,
                );
                if sent.is_err() {
                    break;
                }
            }
            match sent {
                Ok(()) => break,
                // The saved URL is gone (expired, or the publish was dropped): start over.
                Err(ChunkError::Rejected { .. }) if resumed => {
                    tracing::info!("the saved upload URL is no longer accepted; starting over");
                    resumed = false;
                    out.resumed = false;
                    upload = start(&mut session, upload.id)?;
                }
                Err(e) => {
                    progress.finish();
                    let detail = format!(
                        "{shown}: sent {} of {} chunks, then {e}",
                        upload.chunks_done, upload.chunk_count
                    );
                    ledger::audit_upload(&mut session, &upload, "failed", &detail)?;
                    return Err(CliError::failure(format!("upload of {detail}")).with_hint(
                        "run the same command again to resume with the remaining chunks",
                    ));
                }
            }
        }
        progress.finish();
        upload.status = UploadStatus::Processing;
        session.store.save_upload(&upload)?;
    }
    out.publish_id = upload.publish_id.clone();
    out.chunks = upload.chunk_count as u64;
    let publish_id = upload.publish_id.clone().unwrap_or_default();

    if args.no_wait {
        out.status = "processing".into();
        let detail = format!("{shown} sent as publish {publish_id}; not waiting for TikTok");
        ledger::audit_upload(&mut session, &upload, "submitted", &detail)?;
        return Ok(Report::data(Detail(out)).note(format!(
            "sent; TikTok is processing publish {publish_id} (run the same command again to wait for it)"
        )));
    }

    let polled = poll(
        Duration::from_secs(args.wait),
        || {
            session
                .with_token(|t| posting.status(t, &publish_id))
                .map_err(|e| explain(e, draft))
        },
        |status| status.finished() || status.failed(),
    )?;
    let status = match polled {
        Ok(status) => status,
        Err(status) => {
            let detail = format!(
                "{shown}: TikTok is still processing publish {publish_id} ({}) after {} s",
                status.status, args.wait
            );
            return ledger::still_processing(&mut session, &upload, detail);
        }
    };

    if status.failed() {
        let reason = status.fail_reason.as_deref().unwrap_or("no reason given");
        let detail =
            format!("TikTok could not publish {shown}: {reason} (publish id {publish_id})");
        return ledger::fail(&mut session, &mut upload, detail);
    }

    let video_id = status.post_ids.first().cloned();
    let post_id = video_id.clone().unwrap_or_else(|| publish_id.clone());
    let post = ledger::new_post(
        &upload,
        &post_id,
        args.caption.clone(),
        match (&video_id, &username) {
            (Some(v), Some(u)) => Some(format!("https://www.tiktok.com/@{u}/video/{v}")),
            _ => None,
        },
        "video",
        (status.status == "PUBLISH_COMPLETE").then(crate::clock::now),
    );
    let detail = format!("{shown} posted as {post_id} (publish id {publish_id})");
    ledger::published(&mut session, &mut upload, post, &detail)?;
    out.status = "complete".into();
    out.post_id = Some(post_id);
    let mut report = Report::data(Detail(out));
    if status.status == "SEND_TO_USER_INBOX" {
        report = report.note(
            "sent to the creator's TikTok inbox: open the notification in the TikTok app to finish the post",
        );
    } else if video_id.is_none() {
        report = report.note(
            "published; TikTok gives the video id after moderation, so the post is recorded under its publish id",
        );
    }
    Ok(report)
}

/// Sends the chunks not sent yet, up to (not including) `until`, saving the ledger after each.
#[allow(clippy::too_many_arguments)]
fn send_chunks(
    posting: &Posting,
    upload: &mut Upload,
    plan: &ChunkPlan,
    file: &Path,
    mime: &str,
    position: &Position,
    store: &mut dyn crate::store::Store,
    until: u64,
) -> Result<(), ChunkError> {
    let url = upload.upload_url.clone().unwrap_or_default();
    for index in upload.chunks_done as u64..until {
        posting.put_chunk(&url, file, mime, plan, index, position)?;
        upload.chunks_done = index as i64 + 1;
        store.save_upload(upload).map_err(|e| {
            ChunkError::Failed(PlatformError::Api {
                platform: PlatformId::Tiktok,
                status: 0,
                code: format!("cannot record chunk {}: {e}", index + 1),
                message: None,
                log_id: None,
            })
        })?;
    }
    Ok(())
}

/// socialcrm's name for one of TikTok's privacy levels.
fn privacy_name(level: &str) -> Option<&'static str> {
    [
        Privacy::Public,
        Privacy::Friends,
        Privacy::Followers,
        Privacy::Private,
    ]
    .into_iter()
    .find(|p| p.tiktok() == level)
    .map(|p| match p {
        Privacy::Public => "public",
        Privacy::Friends => "friends",
        Privacy::Followers => "followers",
        Privacy::Private => "private",
    })
}
