//! The pipeline's three stages, each a value the next one consumes: [`check`] (the request and
//! the file, before anything is opened), [`Checked::look_up`] (the ledger, before the account's
//! tokens are read) and [`Pending::send`] (the platform calls, under the account's session).
//!
//! The transfer keeps three promises whatever the platform. Nothing is posted before the ledger
//! has proved the file new: a new file is hashed from the very blocks its chunks send, and the
//! last chunk waits until the hash is recorded (TikTok publishes when the last chunk arrives).
//! An interrupted transfer loses only the chunk in flight: the ledger is saved after each chunk,
//! and the next run sends the rest, or starts over when the platform no longer takes them.
//! Every ending (posted, skipped, failed, still processing, submitted) is audited once.
//!
//! `SOCIALCRM_UPLOAD_POLL_MS` sets the polling interval (default: what the platform asks, else
//! 3000 ms, as TikTok allows 30 status calls a minute); tests shorten it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::file_hash::{self, Alongside};
use super::ledger::{self, Known};
use super::publisher::{Plan, Published, Publisher, Sent, Status, Steps};
use super::{Outcome, Reason, Request, UploadError, Uploaded};
use crate::auth::lifecycle::{LifecycleError, Session};
use crate::http::client::Position;
use crate::output::progress::Progress;
use crate::store::Store;
use crate::store::model::{Upload, UploadStatus};
use crate::vocab::PlatformError;

/// A request the platform takes, for a file that can be read.
pub struct Checked<'p> {
    publisher: &'p dyn Publisher,
    request: Request,
    shown: String,
    size: u64,
    plan: Plan,
}

/// Refuses what `publisher`'s platform does not take, and checks the file: a regular file the
/// platform can take, cut by its plan.
pub fn check(publisher: &dyn Publisher, request: Request) -> Result<Checked<'_>, UploadError> {
    if let Some(reason) = publisher.refuse(&request) {
        return Err(reason.into());
    }
    let shown = request.file.display().to_string();
    let meta = std::fs::metadata(&request.file).map_err(ledger::unreadable(&shown))?;
    if !meta.is_file() {
        return Err(Reason::usage(format!("{shown} is not a file")).into());
    }
    let size = meta.len();
    let plan = if size == 0 {
        Err("the file is empty".to_string())
    } else {
        publisher.plan(&request.file, size, &request)
    }
    .map_err(|why| Reason::usage(format!("cannot upload {shown}: {why}")))?;
    Ok(Checked {
        publisher,
        request,
        shown,
        size,
        plan,
    })
}

/// What the ledger said of a checked file.
pub enum Found<'p> {
    /// Posted already: reported (and audited), nothing sent.
    Posted(Box<Outcome>),
    /// To be sent.
    New(Box<Pending<'p>>),
}

/// A file to send, and what the ledger knows of it.
pub struct Pending<'p> {
    checked: Checked<'p>,
    known: Known,
    out: Uploaded,
}

impl<'p> Checked<'p> {
    /// Finds the file in the ledger of its platform and account; a file posted already is
    /// reported and audited (as `operator`) unless the request forces it out again.
    pub fn look_up(self, store: &mut dyn Store, operator: &str) -> Result<Found<'p>, UploadError> {
        let id = self.publisher.id();
        let account = &self.request.account;
        let known = ledger::look_up(
            store,
            id,
            account,
            &self.request.file,
            self.size,
            &self.shown,
        )?;
        let out = Uploaded {
            platform: id,
            account: account.clone(),
            file: self.shown.clone(),
            // The hash as the ledger row of this file holds it (`sha256:` for a row older
            // than schema v6), else this run's, once known.
            file_hash: known
                .previous
                .as_ref()
                .and_then(|p| p.upload.file_hash.as_deref())
                .or(known.hash.as_deref())
                .unwrap_or_default()
                .into(),
            bytes: self.size,
            chunks: self.plan.count,
            ..Uploaded::default()
        };
        if let Some(done) = ledger::posted(known.previous.as_ref(), self.request.force) {
            let outcome = ledger::already_posted(store, operator, done, out)?;
            return Ok(Found::Posted(Box::new(outcome)));
        }
        Ok(Found::New(Box::new(Pending {
            checked: self,
            known,
            out,
        })))
    }
}

/// The publish the pipeline is driving, and what it needs at every step.
struct Run<'s, 'a> {
    session: &'s mut Session<'a>,
    publisher: &'s dyn Publisher,
    steps: Box<dyn Steps>,
    request: &'s Request,
    shown: &'s str,
}

impl Run<'_, '_> {
    /// A failed platform call, in the platform's words when it has some for it.
    fn platform(&self, error: LifecycleError) -> UploadError {
        if let LifecycleError::Platform(e) = &error
            && let Some(reason) = self.steps.explain(e, self.request)
        {
            return reason.into();
        }
        UploadError::Platform { error, hint: None }
    }

    /// Opens a new publish for `template`'s file, saved in the ledger (in the row `reuse`).
    fn start(
        &mut self,
        template: &Upload,
        plan: &Plan,
        reuse: Option<i64>,
    ) -> Result<Upload, UploadError> {
        let (steps, request) = (&self.steps, self.request);
        let started = self
            .session
            .with_token(|t| steps.start(t, request, plan))
            .map_err(|e| self.platform(e))??;
        let mut upload = Upload {
            id: reuse,
            publish_id: Some(started.handle),
            upload_url: started.upload_url,
            chunk_size: plan.chunk_size as i64,
            chunk_count: plan.count as i64,
            chunks_done: 0,
            status: UploadStatus::Uploading,
            post_id: None,
            ..template.clone()
        };
        upload.id = Some(self.session.store.save_upload(&upload)?);
        Ok(upload)
    }

    /// Sends the chunks not sent yet, up to (not including) `until`, saving the ledger after
    /// each one; `Ok(Err(..))` is the platform's refusal or failure, to be told by the caller.
    fn send_chunks(
        &mut self,
        upload: &mut Upload,
        position: &Position,
        until: u64,
    ) -> Result<Result<(), Interrupted>, UploadError> {
        let (steps, file) = (&self.steps, self.request.file.as_path());
        for index in upload.chunks_done as u64..until {
            let sent = self
                .session
                .with_token(|t| steps.send(t, upload, file, index, position));
            match sent {
                Ok(Sent::Accepted) => {}
                Ok(Sent::Refused(why)) => return Ok(Err(Interrupted::Refused(why))),
                Err(e) => return Ok(Err(Interrupted::Failed(e))),
            }
            upload.chunks_done = index as i64 + 1;
            self.session.store.save_upload(upload)?;
        }
        Ok(Ok(()))
    }

    /// Before the last chunk of a file new to the ledger: its hash, recorded, unless another
    /// row holds it (another run is uploading the same file), which stops this one.
    fn record_hash(
        &mut self,
        upload: &mut Upload,
        hashing: &mut Option<Alongside>,
    ) -> Result<String, UploadError> {
        let hashed = match hashing.take() {
            Some(alongside) => alongside.finish(),
            None => file_hash::hash(&self.request.file),
        };
        let hash = hashed.map_err(ledger::unreadable(self.shown))?;
        let id = self.publisher.id();
        if let Some(other) = self.session.store.upload(id, &upload.account, &hash)? {
            upload.status = UploadStatus::Failed;
            self.session.store.save_upload(upload)?;
            return Err(Reason::failure(format!(
                "{} is already in the upload ledger for this account ({}, {} {}); the last chunk was not sent, so nothing is posted twice",
                self.shown,
                other.upload.status,
                self.publisher.handle(),
                other.upload.publish_id.as_deref().unwrap_or("?")
            ))
            .with_hint("another socialcrm run is uploading it, or finished it just now")
            .into());
        }
        upload.file_hash = Some(hash.clone());
        self.session.store.save_upload(upload)?;
        Ok(hash)
    }

    /// The transfer stopped on `error`: audited, and the ledger row kept for the next run to
    /// resume when the platform lets a transfer go on, else marked failed (it starts over).
    fn interrupted(&mut self, upload: &mut Upload, error: impl std::fmt::Display) -> UploadError {
        let detail = format!(
            "{}: sent {} of {} chunks, then {error}",
            self.shown, upload.chunks_done, upload.chunk_count
        );
        let resumes = self.publisher.continues(upload);
        let hint = if resumes {
            "run the same command again to resume with the remaining chunks"
        } else {
            "run the same command again to start over"
        };
        let recorded = (|| {
            if !resumes {
                upload.status = UploadStatus::Failed;
                self.session.store.save_upload(upload)?;
            }
            ledger::audit_upload(self.session, upload, "failed", &detail)
        })();
        match recorded {
            Ok(()) => Reason::failure(format!("upload of {detail}"))
                .with_hint(hint)
                .into(),
            Err(e) => e,
        }
    }
}

/// Why the chunks stopped.
enum Interrupted {
    /// The platform no longer takes the saved transfer.
    Refused(String),
    Failed(LifecycleError),
}

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Interrupted::Refused(why) => f.write_str(why),
            Interrupted::Failed(e) => e.fmt(f),
        }
    }
}

impl Pending<'_> {
    /// Sends the file as `session`'s account and sees it through to a post (or, with
    /// `--no-wait`, to the platform's processing).
    pub fn send(self, session: &mut Session) -> Result<Outcome, UploadError> {
        let Pending {
            checked:
                Checked {
                    publisher,
                    request,
                    shown,
                    size,
                    plan,
                },
            known:
                Known {
                    fingerprint,
                    hash,
                    previous,
                    stale,
                },
            mut out,
        } = self;
        let id = publisher.id();
        let display = id.facts().display;
        let handle = publisher.handle();

        // What an earlier run left that can be continued: the same file, a publish whose bytes
        // were all sent, or one whose transfer the platform lets go on.
        let resumable = previous
            .as_ref()
            .map(|p| p.upload.clone())
            .filter(|_| !request.force)
            .filter(|u| u.file_size == size as i64 && u.publish_id.is_some())
            .filter(|u| {
                u.status == UploadStatus::Processing
                    || (u.status == UploadStatus::Uploading && publisher.continues(u))
            });
        let reuse = previous.as_ref().and_then(|p| p.upload.id).or(stale);
        let template = Upload {
            id: None,
            platform: id,
            account: request.account.clone(),
            file_hash: hash.clone(),
            file_fingerprint: fingerprint,
            file_size: size as i64,
            publish_id: None,
            upload_url: None,
            chunk_size: plan.chunk_size as i64,
            chunk_count: plan.count as i64,
            chunks_done: 0,
            status: UploadStatus::Uploading,
            post_id: None,
        };
        let steps = publisher.steps(&session.connection.connection);
        let mut run = Run {
            session,
            publisher,
            steps,
            request: &request,
            shown: &shown,
        };

        // A new file is hashed from the blocks its chunks send (read once, hashed on another
        // thread).
        let mut hashing = hash.is_none().then(|| Alongside::start(&request.file));
        let mut resumed = resumable.is_some();
        let mut upload = match resumable {
            Some(u) => u,
            None => run.start(&template, &plan, reuse)?,
        };
        out.resumed = resumed && upload.chunks_done > 0;

        let mut first = None;
        if upload.status == UploadStatus::Uploading {
            let progress = Progress::transfer(request.progress, size);
            let position: Position = match &hashing {
                Some(alongside) => alongside.watch(progress.setter()),
                None => Arc::new(progress.setter()),
            };
            loop {
                let count = upload.chunk_count as u64;
                // Every chunk but the last, then (for a new file) the hash, then the last.
                let mut sent = Ok(());
                for until in [count - 1, count] {
                    if until == count && upload.file_hash.is_none() {
                        let recorded = run.record_hash(&mut upload, &mut hashing);
                        out.file_hash = recorded.inspect_err(|_| progress.finish())?;
                    }
                    sent = run.send_chunks(&mut upload, &position, until)?;
                    if sent.is_err() {
                        break;
                    }
                }
                match sent {
                    Ok(()) => break,
                    // The saved transfer is gone (expired, or the publish was dropped).
                    Err(Interrupted::Refused(_)) if resumed => {
                        tracing::info!("the saved upload is no longer accepted; starting over");
                        resumed = false;
                        out.resumed = false;
                        upload = run.start(&template, &plan, upload.id)?;
                    }
                    Err(e) => {
                        progress.finish();
                        return Err(run.interrupted(&mut upload, e));
                    }
                }
            }
            let steps = &run.steps;
            let finished = run.session.with_token(|t| steps.finish(t, &upload));
            progress.finish();
            first = match finished {
                Ok(first) => first,
                Err(e) => return Err(run.interrupted(&mut upload, e)),
            };
            upload.status = UploadStatus::Processing;
            run.session.store.save_upload(&upload)?;
        }
        let publish_id = upload.publish_id.clone().unwrap_or_default();
        out.publish_id = upload.publish_id.clone();
        out.chunks = upload.chunk_count as u64;

        if request.no_wait {
            out.status = "processing".into();
            let detail =
                format!("{shown} sent as {handle} {publish_id}; not waiting for {display}");
            ledger::audit_upload(run.session, &upload, "submitted", &detail)?;
            return Ok(Outcome {
                uploaded: out,
                note: Some(format!(
                    "sent; {display} is processing {handle} {publish_id} (run the same command again to wait for it)"
                )),
            });
        }

        let status = {
            let steps = &run.steps;
            let session = &mut *run.session;
            let every = crate::config::tuning::upload_poll();
            let mut pace = WallPace(Instant::now());
            poll(request.wait, every, first, &mut pace, || {
                session.with_token(|t| steps.status(t, &upload))
            })
        }
        .map_err(|e| run.platform(e))?;
        let published = match status {
            Status::Ready => {
                let steps = &run.steps;
                match run
                    .session
                    .with_token(|t| steps.publish(t, &upload, &request))
                {
                    Ok(published) => published,
                    Err(e) => return Err(publish_failed(&mut run, &upload, e)),
                }
            }
            Status::PublishedEarlier => {
                upload.status = UploadStatus::Complete;
                run.session.store.save_upload(&upload)?;
                let detail = format!(
                    "{shown}: {handle} {publish_id} was already published by an earlier run; nothing was posted again"
                );
                ledger::audit_upload(run.session, &upload, "skipped", &detail)?;
                return Err(Reason::failure(detail)
                    .with_hint(format!(
                        "the post is on the account; the next `sync {}` records it",
                        id.name()
                    ))
                    .into());
            }
            Status::Failed(reason) => {
                let detail = format!(
                    "{display} could not publish {shown}: {reason} ({handle} {publish_id})"
                );
                return ledger::fail(run.session, &mut upload, detail);
            }
            Status::Processing { state, .. } => {
                let detail = format!(
                    "{shown}: {display} is still processing {handle} {publish_id} ({state}) after {} s",
                    request.wait.as_secs()
                );
                return ledger::still_processing(run.session, &upload, detail);
            }
        };

        let post = ledger::new_post(&upload, &published);
        let mut detail = format!(
            "{shown} posted as {} ({handle} {publish_id})",
            published.post_id
        );
        if let Some(url) = &published.url {
            detail.push_str(&format!(" at {url}"));
        }
        ledger::published(run.session, &mut upload, post, &detail)?;
        let Published {
            post_id,
            url,
            media_ids,
            note,
            ..
        } = published;
        out.status = "complete".into();
        out.post_id = Some(post_id);
        out.url = url;
        out.media_ids = media_ids;
        Ok(Outcome {
            uploaded: out,
            note,
        })
    }
}

/// Making the post failed: audited, and when the answer may have been lost (a network error,
/// a 5xx), the hint says to look before posting again.
fn publish_failed(run: &mut Run, upload: &Upload, error: LifecycleError) -> UploadError {
    let unclear = matches!(
        &error,
        LifecycleError::Platform(
            PlatformError::Network(..) | PlatformError::Api { status: 500.., .. }
        )
    );
    let failed = run.platform(error);
    if let Err(e) = ledger::audit_upload(run.session, upload, "failed", &failed.to_string()) {
        return e;
    }
    match failed {
        UploadError::Platform { error, .. } if unclear => UploadError::Platform {
            error,
            hint: Some(
                "the answer was lost, so the post may have been made: look at the account before running the same command again"
                    .into(),
            ),
        },
        other => other,
    }
}

/// Asks `check` for a status (starting with `first` when the transfer's end gave one) `every`
/// so often (`SOCIALCRM_UPLOAD_POLL_MS`) or else as the platform asks, until one is settled, or
/// until the next ask would come after `wait`: the last status either way.
fn poll<E>(
    wait: Duration,
    every: Option<Duration>,
    first: Option<Status>,
    pace: &mut dyn Pace,
    mut check: impl FnMut() -> Result<Status, E>,
) -> Result<Status, E> {
    let mut status = match first {
        Some(status) => status,
        None => check()?,
    };
    loop {
        if status.settled() {
            return Ok(status);
        }
        let interval = every.unwrap_or_else(|| interval(&status));
        if pace.elapsed() + interval > wait {
            return Ok(status);
        }
        pace.sleep(interval);
        status = check()?;
    }
}

/// The time polling has taken and the waits between asks: the wall clock in use, a counted
/// one in the tests (so that no test depends on how fast the machine is).
trait Pace {
    fn elapsed(&self) -> Duration;
    fn sleep(&mut self, interval: Duration);
}

/// The wall clock, from when polling started.
struct WallPace(Instant);

impl Pace for WallPace {
    fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
    fn sleep(&mut self, interval: Duration) {
        std::thread::sleep(interval);
    }
}

/// What the platform asked, else 3 s (TikTok allows 30 status calls a minute).
fn interval(status: &Status) -> Duration {
    match status {
        Status::Processing {
            ask_again: Some(asked),
            ..
        } => *asked,
        _ => Duration::from_millis(3000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clock that moves only when polling sleeps.
    #[derive(Default)]
    struct Counted {
        at: Duration,
        slept: Vec<Duration>,
    }

    impl Pace for Counted {
        fn elapsed(&self) -> Duration {
            self.at
        }
        fn sleep(&mut self, interval: Duration) {
            self.at += interval;
            self.slept.push(interval);
        }
    }

    fn processing(ms: u64) -> Status {
        Status::Processing {
            state: "in_progress".into(),
            ask_again: Some(Duration::from_millis(ms)),
        }
    }

    #[test]
    fn a_settled_first_status_is_not_asked_again() {
        let mut asked = 0;
        let mut pace = Counted::default();
        let ready = Some(Status::Ready);
        let status = poll::<()>(Duration::from_secs(60), None, ready, &mut pace, || {
            asked += 1;
            Ok(processing(1))
        })
        .unwrap();
        assert!(matches!(status, Status::Ready));
        assert_eq!(asked, 0);
    }

    #[test]
    fn polling_asks_until_settled_at_the_platforms_pace() {
        let mut answers = vec![Status::Failed("no".into()), processing(7), processing(5)];
        let mut pace = Counted::default();
        let status = poll::<()>(Duration::from_secs(60), None, None, &mut pace, || {
            Ok(answers.pop().unwrap())
        })
        .unwrap();
        assert!(matches!(status, Status::Failed(ref why) if why == "no"));
        assert!(answers.is_empty(), "asked three times");
        let ms = |n| Duration::from_millis(n);
        assert_eq!(
            pace.slept,
            [ms(5), ms(7)],
            "each wait the one the platform asked"
        );
    }

    #[test]
    fn polling_stops_with_the_last_status_when_the_next_ask_would_be_too_late() {
        let mut asked = 0;
        let mut pace = Counted::default();
        let first = Some(processing(1));
        let status = poll::<()>(Duration::from_millis(50), None, first, &mut pace, || {
            asked += 1;
            Ok(processing(60_000))
        })
        .unwrap();
        assert!(matches!(status, Status::Processing { .. }));
        assert_eq!(
            asked, 1,
            "asked once, then a minute's wait would pass the deadline"
        );
    }

    #[test]
    fn a_failed_ask_stops_polling_with_its_error() {
        let mut pace = Counted::default();
        let first = Some(processing(1));
        let outcome = poll(Duration::from_secs(60), None, first, &mut pace, || {
            Err("gone")
        });
        assert_eq!(outcome.err(), Some("gone"));
    }
}
