//! The sync engine: every stream of every platform, page by page, resumable.
//!
//! A platform offers [`Stream`]s (TikTok: profile, videos). The engine asks a stream for one
//! page at a time with a valid token (`auth::lifecycle` refreshes it when due or after a 401)
//! and writes the page's records together with the stream's resume point in `sync_state` in
//! one transaction: a sync killed at any moment resumes from the last committed page, and
//! nothing is written twice because every write is an upsert.
//!
//! Resume point (`sync_state` of a connection and stream):
//! - `cursor`: set while a pass is under way: where the next page starts, and the newest item
//!   time the pass has seen (the pass's top). Cleared when the pass completes.
//! - `high_water_mark`: the newest item time of the last completed pass. An incremental pass
//!   (the default) stops at the first page that reaches it; `--full` ignores it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::lifecycle::{LifecycleError, Session};
use crate::platforms::PlatformError;
use crate::secrets::Secret;
use crate::store::Batch;
use crate::store::model::{AnalyticsEvent, Fan, Message, Post, SyncRun, SyncState};

/// One page of a stream, as CRM records.
#[derive(Debug, Default)]
pub struct Page {
    pub fans: Vec<Fan>,
    pub messages: Vec<Message>,
    pub posts: Vec<Post>,
    pub events: Vec<AnalyticsEvent>,
    /// Where the next page starts; `None` when this was the last.
    pub next: Option<String>,
    /// The newest item time on this page (items come newest first).
    pub newest: Option<DateTime<Utc>>,
    /// This page reached items synced by an earlier pass: an incremental pass ends here.
    pub caught_up: bool,
}

impl Page {
    fn records(&self) -> usize {
        self.fans.len() + self.messages.len() + self.posts.len() + self.events.len()
    }
}

/// What a page request needs to know besides the token.
pub struct Request<'a> {
    pub cursor: Option<&'a str>,
    /// Items at or before this time were synced by an earlier pass (`None`: read everything).
    pub since: Option<DateTime<Utc>>,
    /// When this sync started: the time of every snapshot metric it records.
    pub at: DateTime<Utc>,
    /// The connection's local account name, for records that carry one.
    pub account: &'a str,
    /// The connection's username on the platform (Reddit lists a user's items by name).
    pub username: Option<&'a str>,
}

/// A kind of data a platform offers, fetched a page at a time.
pub trait Stream {
    fn name(&self) -> &'static str;
    fn fetch(&self, token: &Secret, request: &Request) -> Result<Page, PlatformError>;
}

/// The stream's private resume point, kept as JSON text in `sync_state.cursor`.
#[derive(Serialize, Deserialize)]
struct Resume {
    next: String,
    top: Option<DateTime<Utc>>,
}

/// What one stream's sync did.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub stream: &'static str,
    pub pages: u64,
    pub rows_read: u64,
    pub rows_written: u64,
}

#[derive(Debug, thiserror::Error)]
#[error("{stream}: {source}")]
pub struct StreamError {
    pub stream: &'static str,
    /// Pages committed before the failure (a later run resumes after them).
    pub pages: u64,
    #[source]
    pub source: LifecycleError,
}

/// Syncs one stream of the session's connection, recording a `sync_runs` row.
pub fn run(
    session: &mut Session<'_>,
    stream: &dyn Stream,
    full: bool,
    at: DateTime<Utc>,
) -> Result<Outcome, StreamError> {
    let connection_id = session.connection.id;
    let mut record = SyncRun {
        run_id: uuid::Uuid::new_v4().to_string(),
        connection_id: Some(connection_id),
        stream: Some(stream.name().into()),
        started_at: crate::clock::now(),
        finished_at: None,
        status: "running".into(),
        rows_read: 0,
        rows_written: 0,
        error: None,
        host: hostname(),
    };
    let fail = |pages, source: LifecycleError| StreamError {
        stream: stream.name(),
        pages,
        source,
    };
    session
        .store
        .upsert(Batch::SyncRuns(std::slice::from_ref(&record)))
        .map_err(|e| fail(0, e.into()))?;
    let result = pages(session, stream, full, at, &mut record);
    record.finished_at = Some(crate::clock::now());
    match &result {
        Ok(_) => record.status = "succeeded".into(),
        Err(e) => {
            record.status = if e.pages > 0 { "partial" } else { "failed" }.into();
            record.error = Some(e.source.to_string());
        }
    }
    // The run's own record is best effort: the stream's outcome is what matters.
    let _ = session.store.upsert(Batch::SyncRuns(&[record]));
    result
}

fn pages(
    session: &mut Session<'_>,
    stream: &dyn Stream,
    full: bool,
    at: DateTime<Utc>,
    record: &mut SyncRun,
) -> Result<Outcome, StreamError> {
    let name = stream.name();
    let connection_id = session.connection.id;
    let account = session.connection.connection.account.clone();
    let username = session.connection.connection.username.clone();
    let fail = |pages, source: LifecycleError| StreamError {
        stream: name,
        pages,
        source,
    };
    let state = session
        .store
        .sync_state(connection_id, name)
        .map_err(|e| fail(0, e.into()))?;
    let high_water = state.as_ref().and_then(|s| s.high_water_mark);
    let resume: Option<Resume> = state
        .as_ref()
        .and_then(|s| s.cursor.as_deref())
        .and_then(|c| serde_json::from_str(c).ok());
    let (mut cursor, mut top) = match (full, resume) {
        (false, Some(r)) => (Some(r.next), r.top),
        _ => (None, None),
    };
    let since = if full { None } else { high_water };
    let mut outcome = Outcome {
        stream: name,
        pages: 0,
        rows_read: 0,
        rows_written: 0,
    };
    loop {
        let request = Request {
            cursor: cursor.as_deref(),
            since,
            at,
            account: &account,
            username: username.as_deref(),
        };
        let page = session
            .with_token(|token| stream.fetch(token, &request))
            .map_err(|e| fail(outcome.pages, e))?;
        top = top.max(page.newest);
        let done = page.next.is_none() || page.caught_up;
        let state = SyncState {
            connection_id,
            stream: name.into(),
            cursor: match (&page.next, done) {
                (Some(next), false) => Some(
                    serde_json::to_string(&Resume {
                        next: next.clone(),
                        top,
                    })
                    .expect("a resume point serializes"),
                ),
                _ => None,
            },
            high_water_mark: if done {
                high_water.max(top)
            } else {
                high_water
            },
        };
        let mut batches = vec![
            Batch::Fans(&page.fans),
            Batch::Messages(&page.messages),
            Batch::Posts(&page.posts),
            Batch::Analytics(&page.events),
        ];
        batches.retain(|b| !b.is_empty());
        batches.push(Batch::SyncStates(std::slice::from_ref(&state)));
        let counts = session
            .store
            .upsert_all(&batches)
            .map_err(|e| fail(outcome.pages, e.into()))?;
        outcome.pages += 1;
        outcome.rows_read += page.records() as u64;
        let written: u64 = counts[..counts.len() - 1]
            .iter()
            .map(|c| c.inserted + c.updated)
            .sum();
        outcome.rows_written += written;
        record.rows_read = outcome.rows_read as i64;
        record.rows_written = outcome.rows_written as i64;
        tracing::debug!(
            stream = name,
            page = outcome.pages,
            rows = page.records(),
            "page committed"
        );
        if done {
            return Ok(outcome);
        }
        cursor = page.next;
    }
}

/// This machine's name, for `sync_runs` and lease owners.
pub fn hostname() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
}
