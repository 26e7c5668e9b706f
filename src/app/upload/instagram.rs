//! `upload instagram FILE --caption TEXT`: publish a reel from a local file, with the publish
//! ledger that keeps any upload from going out twice.
//!
//! The steps are in `platforms::instagram::upload`: a resumable container, the file's bytes
//! to rupload (progress bar on a terminal), polling the container every
//! `SOCIALCRM_UPLOAD_POLL_MS` until Meta has processed it (within `--wait`), then publishing.
//! The ledger (`uploads`, found as every upload finds it: fingerprint, then hash, SHA-256 for
//! rows older than schema v6; `ledger.rs`) says where a file stands: a published one is
//! reported, not posted again (`--force` posts it again); one whose bytes were sent goes back to
//! polling its container (Meta keeps a container 24 hours); anything else starts over.
//! TikTok's options (`--privacy`, `--draft`, `--no-wait`) are refused in one line.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use super::file_hash;
use super::ledger::{self, Known, Uploaded, already_posted, poll};
use crate::app::{Context, Report};
use crate::cli::UploadArgs;
use crate::error::{CliError, CliResult};
use crate::http::client::Position;
use crate::output::Detail;
use crate::output::progress::Progress;
use crate::platforms::instagram::upload::Publishing;
use crate::store::model::{Upload, UploadStatus};
use crate::vocab::PlatformId;

const ID: PlatformId = PlatformId::Instagram;

pub fn run(ctx: &mut Context, args: UploadArgs) -> CliResult<Report> {
    let refused = [
        (args.privacy.is_some(), "--privacy"),
        (args.draft, "--draft"),
        (args.no_wait, "--no-wait"),
    ];
    if let Some((_, flag)) = refused.iter().find(|(given, _)| *given) {
        return Err(CliError::usage(format!(
            "{flag} is a TikTok option; `upload instagram` publishes a reel with --caption only"
        )));
    }
    let shown = args.file.display().to_string();
    let meta = std::fs::metadata(&args.file)
        .map_err(|e| CliError::failure(format!("cannot read {shown}: {e}")))?;
    if !meta.is_file() || meta.len() == 0 {
        return Err(CliError::usage(format!("{shown} is not a video file")));
    }
    let size = meta.len();
    let account = args.account.clone();
    let connection = ctx.connection(ID, &account)?;
    let Known {
        fingerprint,
        hash,
        previous,
        stale,
    } = ledger::look_up(ctx, ID, &account, &args.file, size, &shown)?;
    // A file new to the ledger is hashed here: the reel goes in one request, read once more.
    let hash = match hash {
        Some(hash) => hash,
        None => file_hash::hash(&args.file).map_err(ledger::unreadable(&shown))?,
    };
    let mut out = Uploaded::before(
        ID,
        &account,
        &shown,
        previous.as_ref(),
        Some(&hash),
        size,
        1,
    );
    if let Some(done) = ledger::posted(previous.as_ref(), args.force) {
        return already_posted(ctx, done, out);
    }
    // Bytes sent by an earlier run: its container is polled again, not uploaded twice.
    let waiting = previous
        .as_ref()
        .map(|p| p.upload.clone())
        .filter(|u| !args.force && u.status == UploadStatus::Processing && u.publish_id.is_some());

    let adapter = ctx.connected_adapter(ID, &account)?;
    let publishing = Publishing::new(&ctx.config.platform(ID));
    let visible = ctx.config.progress && std::io::stderr().is_terminal();
    let mut session = ctx.session(adapter.as_ref(), connection)?;

    let mut upload = match waiting {
        Some(u) => {
            out.resumed = true;
            u
        }
        None => {
            let container =
                session.with_token(|t| publishing.container(t, args.caption.as_deref()))?;
            let mut upload = Upload {
                id: previous.as_ref().and_then(|p| p.upload.id).or(stale),
                platform: ID.name().into(),
                account: account.clone(),
                file_hash: Some(hash.clone()),
                file_fingerprint: fingerprint,
                file_size: size as i64,
                publish_id: Some(container.clone()),
                upload_url: None,
                chunk_size: size as i64,
                chunk_count: 1,
                chunks_done: 0,
                status: UploadStatus::Uploading,
                post_id: None,
            };
            upload.id = Some(session.store.save_upload(&upload)?);
            let progress = Progress::transfer(visible, size);
            let position: Position = Arc::new(progress.setter());
            let sent = session
                .with_token(|t| publishing.upload(t, &container, &args.file, size, &position));
            progress.finish();
            if let Err(e) = sent {
                let detail = format!("{shown}: the upload to container {container} failed: {e}");
                ledger::audit_upload(&mut session, &upload, "failed", &detail)?;
                upload.status = UploadStatus::Failed;
                session.store.save_upload(&upload)?;
                return Err(CliError::failure(format!("upload of {detail}"))
                    .with_hint("run the same command again to start over"));
            }
            upload.chunks_done = 1;
            upload.status = UploadStatus::Processing;
            session.store.save_upload(&upload)?;
            upload
        }
    };
    let container = upload.publish_id.clone().unwrap_or_default();
    out.publish_id = Some(container.clone());

    let polled = poll(
        Duration::from_secs(args.wait),
        || Ok(session.with_token(|t| publishing.status(t, &container))?),
        |status| status.ready() || status.failed() || status.code == "PUBLISHED",
    )?;
    let status = match polled {
        Ok(status) => status,
        Err(status) => {
            let detail = format!(
                "{shown}: Instagram is still processing container {container} ({}) after {} s",
                status.text.as_deref().unwrap_or(&status.code),
                args.wait
            );
            return ledger::still_processing(&mut session, &upload, detail);
        }
    };
    if status.code == "PUBLISHED" {
        // An earlier run published it and stopped before recording the media id.
        upload.status = UploadStatus::Complete;
        session.store.save_upload(&upload)?;
        let detail = format!(
            "{shown}: container {container} was already published by an earlier run; nothing was posted again"
        );
        ledger::audit_upload(&mut session, &upload, "skipped", &detail)?;
        return Err(CliError::failure(detail)
            .with_hint("the reel is on the account; the next `sync instagram` records it"));
    }
    if status.failed() {
        let detail = format!(
            "Instagram could not publish {shown}: {} ({}, container {container})",
            status.text.as_deref().unwrap_or("no reason given"),
            status.code
        );
        return ledger::fail(&mut session, &mut upload, detail);
    }

    let (media_id, permalink) = session.with_token(|t| publishing.publish(t, &container))?;
    let detail = format!(
        "{shown} published as reel {media_id}{}",
        permalink
            .as_deref()
            .map(|p| format!(" ({p})"))
            .unwrap_or_default()
    );
    let post = ledger::new_post(
        &upload,
        &media_id,
        args.caption.clone(),
        permalink,
        "reels",
        Some(crate::clock::now()),
    );
    ledger::published(&mut session, &mut upload, post, &detail)?;
    out.status = "complete".into();
    out.post_id = Some(media_id);
    Ok(Report::data(Detail(out)))
}
