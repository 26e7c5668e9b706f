//! `post`: write a post from a connected account, print its URL, and record it in `posts` and
//! `audit_log`.
//!
//! One subcommand per platform (`post reddit`, `post x`), each with the arguments its platform
//! takes (`upload x FILE`, a post with one file and the publish ledger, is the upload
//! pipeline's). X's media files go through the chunked media upload first (a progress bar on a
//! terminal), then one `POST /2/tweets` with their ids; a failure before the post is created
//! posts nothing. They share what comes after the platform's answer: the printed result
//! ([`Posted`]) and the records ([`record`]). A post is sent once
//! and never retried after an answer that may have been lost, so an unclear outcome says to
//! look before posting again instead of risking a double post.

use std::io::{IsTerminal, Read};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use super::{Context, Report};
use crate::auth::lifecycle::{LifecycleError, Session, audit_entry};
use crate::cli::{PostCommand, RedditPostArgs, XPostArgs};
use crate::error::{CliError, CliResult};
use crate::output::progress::Progress;
use crate::output::{Columns, Detail};
use crate::platforms::reddit::submit::{Body, MAX_TITLE, Poster, Submission};
use crate::platforms::x::media::{Posting, kind};
use crate::store::Batch;
use crate::store::model::Post;
use crate::vocab::{PlatformError, PlatformId};

/// What `post` tells: where the post went and its address.
#[derive(Serialize, Default)]
struct Posted {
    platform: PlatformId,
    account: String,
    post_id: String,
    url: String,
    /// Where it was posted (Reddit: `r/<name>`).
    destination: Option<String>,
    title: Option<String>,
    /// X: the media attached, and the post this one answers.
    media_ids: Vec<String>,
    reply_to: Option<String>,
}

impl Columns for Posted {}

pub fn run(ctx: &mut Context, cmd: PostCommand) -> CliResult<Report> {
    match cmd {
        PostCommand::Reddit(args) => reddit(ctx, args),
        PostCommand::X(args) => x(ctx, args),
    }
}

/// Writes the post and an audit entry in one transaction.
fn record(session: &mut Session, posted: &Posted, post: Post) -> CliResult<()> {
    let mut detail = format!(
        "posted {} to {}",
        posted.post_id,
        posted.destination.as_deref().unwrap_or("the account")
    );
    if !posted.media_ids.is_empty() {
        detail.push_str(&format!(" with {} media file(s)", posted.media_ids.len()));
    }
    let entry = audit_entry(
        &session.actor,
        "post",
        posted.platform,
        &posted.account,
        "ok",
        &detail,
    );
    session
        .store
        .upsert_all(&[Batch::Posts(&[post]), Batch::Audit(&[entry])])?;
    Ok(())
}

/// Whether a failed post may have been made anyway: its answer was lost, or the platform
/// failed after receiving it (a 5xx). A 4xx is a refusal: nothing was posted.
fn outcome_unclear(e: &LifecycleError) -> bool {
    matches!(
        e,
        LifecycleError::Platform(
            PlatformError::Network(..) | PlatformError::Api { status: 500.., .. }
        )
    )
}

/// A failed post in the audit log, then its one-line error.
fn failed(session: &mut Session, id: PlatformId, account: &str, error: CliError) -> CliError {
    let entry = audit_entry(
        &session.actor,
        "post",
        id,
        account,
        "failed",
        &error.message,
    );
    match session.store.upsert(Batch::Audit(&[entry])) {
        Ok(_) => error,
        Err(e) => e.into(),
    }
}

/// The post's text from `--text` or `--text-file` (`-`: standard input).
fn text_body(args: &RedditPostArgs) -> CliResult<Option<String>> {
    let Some(path) = &args.text_file else {
        return Ok(args.text.clone());
    };
    let shown = path.display();
    let mut text = String::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text))
    };
    read.map_err(|e| CliError::failure(format!("cannot read {shown}: {e}")))?;
    Ok(Some(text))
}

fn reddit(ctx: &mut Context, args: RedditPostArgs) -> CliResult<Report> {
    let id = PlatformId::Reddit;
    let subreddit = args
        .subreddit
        .trim()
        .trim_start_matches('/')
        .trim_start_matches("r/")
        .to_string();
    if subreddit.is_empty()
        || !subreddit
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(CliError::usage(format!(
            "'{}' is not a subreddit name (letters, digits and _)",
            args.subreddit
        )));
    }
    let title = args.title.trim().to_string();
    let chars = title.chars().count();
    if chars == 0 || chars > MAX_TITLE {
        return Err(CliError::usage(format!(
            "a Reddit title has 1 to {MAX_TITLE} characters; this one has {chars}"
        )));
    }
    let body = match (&args.url, text_body(&args)?) {
        (Some(url), _) => {
            let parsed = url::Url::parse(url).ok();
            if !parsed.is_some_and(|u| matches!(u.scheme(), "http" | "https")) {
                return Err(CliError::usage(format!(
                    "--url '{url}' is not an http or https address"
                )));
            }
            Body::Link(url.clone())
        }
        (None, Some(text)) => Body::Text(text),
        (None, None) => return Err(CliError::usage("give --url, --text or --text-file")),
    };
    let media_type = match body {
        Body::Link(_) => "link",
        Body::Text(_) => "self",
    };

    let connection = ctx.connection(id, &args.account)?;
    let username = connection.connection.username.clone();
    let adapter = ctx.connected_adapter(id, &args.account)?;
    let poster = Poster::new(&ctx.config.platform(id));
    let mut session = ctx.session(adapter.as_ref(), connection)?;
    let me = username.as_deref();

    let flair_id = match (&args.flair_id, &args.flair) {
        (Some(flair), _) => Some(flair.clone()),
        (None, Some(wanted)) => {
            let found = session.with_token(|t| poster.flair_id(t, me, &subreddit, wanted))?;
            match found {
                Ok(flair) => Some(flair),
                Err(texts) => {
                    let error = CliError::usage(format!(
                        "r/{subreddit} has no link flair '{wanted}' (its flairs: {})",
                        if texts.is_empty() {
                            "none".into()
                        } else {
                            texts.join(", ")
                        }
                    ))
                    .with_hint("pick one of those with --flair, or give --flair-id");
                    return Err(failed(&mut session, id, &args.account, error));
                }
            }
        }
        (None, None) => None,
    };
    let submission = Submission {
        subreddit: subreddit.clone(),
        title: title.clone(),
        body,
        flair_id,
        flair_text: None,
        nsfw: args.nsfw,
        spoiler: args.spoiler,
    };
    let verdict = match session.with_token(|t| poster.submit(t, me, &submission)) {
        Ok(verdict) => verdict,
        Err(e) => {
            let unclear = outcome_unclear(&e);
            let forbidden = matches!(
                e,
                LifecycleError::Platform(PlatformError::Api { status: 403, .. })
            );
            let mut error: CliError = e.into();
            if forbidden {
                error = error.with_hint(format!(
                    "posting needs the `submit` scope and a community that lets this account post; `socialcrm connect reddit --account {}` grants it again",
                    args.account
                ));
            }
            if unclear {
                error = error.with_hint(format!(
                    "the answer was lost, so the post may have been made: look at r/{subreddit} before posting again"
                ));
            }
            return Err(failed(&mut session, id, &args.account, error));
        }
    };
    let submitted = match verdict {
        Ok(submitted) => submitted,
        Err(refused) => {
            let mut error = CliError::failure(format!(
                "reddit refused the post to r/{subreddit}: {refused}"
            ));
            if let Some(hint) = refused.hint() {
                error = error.with_hint(hint);
            }
            return Err(failed(&mut session, id, &args.account, error));
        }
    };

    let posted = Posted {
        platform: id,
        account: args.account.clone(),
        post_id: submitted.name.clone(),
        url: submitted.url.clone(),
        destination: Some(format!("r/{subreddit}")),
        title: Some(title.clone()),
        media_ids: Vec::new(),
        reply_to: None,
    };
    let post = Post {
        platform: id,
        platform_post_id: submitted.name,
        account: Some(args.account.clone()),
        caption: Some(title),
        url: Some(submitted.url),
        media_type: Some(media_type.into()),
        published_at: Some(crate::clock::now()),
        view_count: None,
        like_count: None,
        comment_count: None,
        share_count: None,
        metrics_at: None,
    };
    record(&mut session, &posted, post)?;
    Ok(Report::data(Detail(posted)))
}

fn x(ctx: &mut Context, args: XPostArgs) -> CliResult<Report> {
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
    let connection = ctx.connection(id, &args.account)?;
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
                let entry = audit_entry(
                    &session.actor,
                    "upload",
                    id,
                    &args.account,
                    "failed",
                    &detail,
                );
                session.store.upsert(Batch::Audit(&[entry]))?;
                return Err(CliError::failure(format!("upload of {detail}")));
            }
        }
        done += std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    }
    progress.finish();
    let created = match session
        .with_token(|t| posting.create(t, &args.text, &media_ids, args.reply_to.as_deref()))
    {
        Ok(created) => created,
        Err(e) => {
            let unclear = outcome_unclear(&e);
            let mut error: CliError = e.into();
            if unclear {
                error = error.with_hint(format!(
                        "the answer was lost, so the post may have been made: look at @{} before posting again",
                        username.as_deref().unwrap_or("the account")
                    ));
            }
            return Err(failed(&mut session, id, &args.account, error));
        }
    };
    let url = format!(
        "https://x.com/{}/status/{}",
        username.as_deref().unwrap_or("i"),
        created.id
    );
    let now = crate::clock::now();
    let post = Post {
        platform: id,
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
    let posted = Posted {
        platform: id,
        account: args.account,
        post_id: created.id,
        url,
        destination: None,
        title: None,
        media_ids,
        reply_to: args.reply_to,
    };
    record(&mut session, &posted, post)?;
    Ok(Report::data(Detail(posted)))
}
