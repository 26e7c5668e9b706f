//! `post` (and `upload x`): publish a post on a connected account, media uploaded first.
//!
//! X: each `--media` file goes through the chunked media upload (progress bar on a terminal),
//! then one `POST /2/tweets` with their ids. The post goes to `posts` and `audit_log`. A
//! failure before the post is created posts nothing; the media X already holds expires there.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use super::{Context, Report};
use crate::auth::lifecycle::audit_entry;
use crate::cli::{PostCommand, UploadArgs, XPostArgs};
use crate::error::{CliError, CliResult};
use crate::output::progress::Progress;
use crate::output::{Detail, Record, cell};
use crate::platforms::PlatformId;
use crate::platforms::x::media::{Posting, kind};
use crate::store::Batch;
use crate::store::model::Post;

/// What `post` prints.
#[derive(Serialize)]
struct Posted {
    platform: String,
    account: String,
    post_id: String,
    url: String,
    media_ids: Vec<String>,
    reply_to: Option<String>,
}

impl Record for Posted {
    fn columns() -> &'static [&'static str] {
        &[
            "platform",
            "account",
            "post_id",
            "url",
            "media_ids",
            "reply_to",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.platform.clone(),
            self.account.clone(),
            self.post_id.clone(),
            self.url.clone(),
            self.media_ids.join(" "),
            cell(&self.reply_to),
        ]
    }
}

pub fn run(ctx: &mut Context, cmd: PostCommand) -> CliResult<Report> {
    match cmd {
        PostCommand::X(args) => post_x(ctx, args),
    }
}

/// `upload x FILE --caption TEXT`: the file as a post's only media. TikTok's publishing
/// options mean nothing to X and are refused rather than ignored.
pub fn upload_x(ctx: &mut Context, args: UploadArgs) -> CliResult<Report> {
    let tiktok_only = [
        (args.privacy.is_some(), "--privacy"),
        (args.draft, "--draft"),
        (args.no_wait, "--no-wait"),
        (args.force, "--force"),
    ];
    if let Some((_, flag)) = tiktok_only.iter().find(|(set, _)| *set) {
        return Err(CliError::usage(format!(
            "{flag} is a TikTok option; X posts take --caption only"
        ))
        .with_hint("`socialcrm post x TEXT --media FILE` has X's options"));
    }
    post_x(
        ctx,
        XPostArgs {
            text: args.caption.unwrap_or_default(),
            media: vec![args.file],
            reply_to: None,
            account: args.account,
            wait: args.wait,
        },
    )
}

fn post_x(ctx: &mut Context, args: XPostArgs) -> CliResult<Report> {
    let id = PlatformId::X;
    if args.media.len() > 4 {
        return Err(CliError::usage("X takes at most four media files per post"));
    }
    let mut total = 0;
    for file in &args.media {
        let shown = file.display();
        let meta = std::fs::metadata(file)
            .map_err(|e| CliError::failure(format!("cannot read {shown}: {e}")))?;
        if !meta.is_file() || meta.len() == 0 {
            return Err(CliError::usage(format!("{shown} is not a non-empty file")));
        }
        if kind(file).is_none() {
            return Err(CliError::usage(format!(
                "{shown}: X takes mp4, mov, gif, jpg, png or webp files"
            )));
        }
        total += meta.len();
    }
    if args.text.trim().is_empty() && args.media.is_empty() {
        return Err(CliError::usage("a post needs text or --media"));
    }
    let connection = super::connected_account(ctx, id, &args.account)?;
    let user = connection
        .connection
        .platform_user_id
        .clone()
        .unwrap_or_default();
    let username = connection.connection.username.clone();
    let posting = Posting::new(ctx.config.platform(id).base_url, &user);
    let visible = ctx.config.progress && std::io::stderr().is_terminal();
    let adapter = ctx.connected_adapter(id, &args.account)?;
    let mut session = ctx.session(adapter.as_ref(), connection)?;

    // Bytes of every media file; no bar for a text-only post.
    let progress = Progress::transfer(visible && total > 0, total.max(1));
    let mut media_ids = Vec::new();
    let mut done = 0;
    for file in &args.media {
        let base = done;
        let setter = progress.setter();
        let position: crate::http::client::Position = Arc::new(move |p| setter(base + p));
        let wait = Duration::from_secs(args.wait);
        let uploaded = session.with_token(|t| posting.upload(t, file, wait, &position));
        match uploaded {
            Ok(media) => media_ids.push(media),
            Err(e) => {
                progress.finish();
                let detail = format!("{}: {e}", file.display());
                let entry = audit_entry("upload", id.name(), &args.account, "failed", &detail);
                session.store.upsert(Batch::Audit(&[entry]))?;
                return Err(CliError::failure(format!("upload of {detail}")));
            }
        }
        done += std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    }
    progress.finish();
    let created = session
        .with_token(|t| posting.create(t, &args.text, &media_ids, args.reply_to.as_deref()))?;
    let url = format!(
        "https://x.com/{}/status/{}",
        username.as_deref().unwrap_or("i"),
        created.id
    );
    let now = crate::clock::now();
    let post = Post {
        platform: id.name().into(),
        platform_post_id: created.id.clone(),
        account: Some(args.account.clone()),
        caption: Some(created.text.clone()).filter(|t| !t.is_empty()),
        url: Some(url.clone()),
        media_type: Some(
            if media_ids.is_empty() {
                "text"
            } else {
                "media"
            }
            .into(),
        ),
        published_at: Some(now),
        view_count: None,
        like_count: None,
        comment_count: None,
        share_count: None,
        metrics_at: None,
    };
    let detail = format!(
        "posted {} with {} media file(s)",
        created.id,
        media_ids.len()
    );
    let entry = audit_entry("post", id.name(), &args.account, "ok", &detail);
    session
        .store
        .upsert_all(&[Batch::Posts(&[post]), Batch::Audit(&[entry])])?;
    Ok(Report::data(Detail(Posted {
        platform: id.name().into(),
        account: args.account,
        post_id: created.id,
        url,
        media_ids,
        reply_to: args.reply_to,
    })))
}
