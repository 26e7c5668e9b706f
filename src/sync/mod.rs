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
//! - For APIs that read incrementally by id (X's `since_id`), the newest item id of the last
//!   completed pass (the `mark`) is kept in `cursor` too, and handed to every page of the next
//!   pass as [`Request::since_id`].
//!
//! A stream ends in one of four ways besides failing ([`Status`]): complete; stopped by its
//! read budget (platforms that bill per resource read, X); deferred by a rate limit that
//! resets later than the retry budget allows; or skipped because the app's access does not
//! include the endpoint. The last three are not failures: the committed cursor stays, and the
//! next run continues from it.
//!
//! Every stream is guarded against an API that never ends it: a cursor seen before in the same
//! pass (a page that answers "more" with a cursor that does not move) fails the stream in one
//! line, and so does a pass longer than the page ceiling (`SOCIALCRM_MAX_PAGES`, default
//! 100,000), the last resort. How failures are read (a spent rate limit defers, a platform down
//! defers its other streams of the run) is one rule for every platform, in [`faults`].

pub mod faults;

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::lifecycle::{LifecycleError, Session};
use crate::store::Batch;
use crate::store::model::{AnalyticsEvent, Fan, Message, Post, RunStatus, SyncRun, SyncState};
use crate::vocab::Secret;
use crate::vocab::{PlatformError, PlatformId};

/// One page of a stream, as CRM records.
#[derive(Debug, Default)]
pub struct Page {
    /// People the page showed (followers, commenters, correspondents); the engine writes the
    /// connection's account on each.
    pub fans: Vec<Fan>,
    /// DMs and comments, likewise given the connection's account.
    pub messages: Vec<Message>,
    /// Posts with their latest metrics.
    pub posts: Vec<Post>,
    /// Metric points; committed with the rest so a page never half-lands.
    pub events: Vec<AnalyticsEvent>,
    /// Where the next page starts; `None` when this was the last.
    pub next: Option<String>,
    /// The newest item time on this page (items come newest first).
    pub newest: Option<DateTime<Utc>>,
    /// This page reached items synced by an earlier pass: an incremental pass ends here.
    pub caught_up: bool,
    /// Resources the platform bills for this page (X: each user, post or DM event returned);
    /// counted against the stream's read budget. Zero where reads are not billed.
    pub reads: u64,
    /// The newest item id on this page, for streams read incrementally by id.
    pub newest_id: Option<String>,
}

impl Page {
    fn records(&self) -> usize {
        self.fans.len() + self.messages.len() + self.posts.len() + self.events.len()
    }
}

/// What a page request needs to know besides the token.
pub struct Request<'a> {
    /// The platform's own cursor for this page, as the previous page gave it (`None`: the
    /// first page).
    pub cursor: Option<&'a str>,
    /// Items at or before this time were synced by an earlier pass (`None`: read everything).
    pub since: Option<DateTime<Utc>>,
    /// When this sync started: the time of every snapshot metric it records.
    pub at: DateTime<Utc>,
    /// The connection's local account name, for records that carry one.
    pub account: &'a str,
    /// The connection's username on the platform (Reddit lists a user's items by name).
    pub username: Option<&'a str>,
    /// The account's id on the platform (the connection's `platform_user_id`).
    pub user_id: Option<&'a str>,
    /// Items up to this id were read by an earlier pass (`None`: read everything).
    pub since_id: Option<&'a str>,
    /// Most billed resources this page may return (what is left of the read budget).
    pub max_reads: Option<u64>,
}

impl Request<'_> {
    /// Whether a page whose oldest item is at `oldest` reached the items an earlier pass
    /// synced (at or before [`Request::since`]): an incremental pass ends with that page.
    pub fn reached_synced(&self, oldest: Option<DateTime<Utc>>) -> bool {
        matches!((self.since, oldest), (Some(since), Some(old)) if old <= since)
    }

    /// `metric` of the account or one of its posts as it stands at this sync's time: repeated
    /// syncs draw a time series, and a sync run again upserts the same point.
    pub fn snapshot(
        &self,
        platform: PlatformId,
        subject_type: &str,
        subject_id: &str,
        metric: &str,
        value: i64,
    ) -> AnalyticsEvent {
        AnalyticsEvent {
            platform,
            account: self.account.into(),
            subject_type: subject_type.into(),
            subject_id: subject_id.into(),
            metric: metric.into(),
            period: "snapshot".into(),
            period_start: self.at,
            value: value as f64,
            unit: Some("count".into()),
            fan_platform_user_id: None,
        }
    }
}

/// A kind of data a platform offers, fetched a page at a time.
pub trait Stream {
    /// The stream's name in `sync_state`, `sync_runs` and the summary: renaming it loses the
    /// resume point, so it is fixed once shipped.
    fn name(&self) -> &'static str;
    /// One page: the only call that reaches the platform, so the engine owns everything
    /// around it (resume, commit, budgets).
    fn fetch(&self, token: &Secret, request: &Request) -> Result<Page, PlatformError>;
    /// Most billed resources one run may read from this stream (`None`: no limit).
    fn read_budget(&self) -> Option<u64> {
        None
    }
}

/// The stream's private resume point, kept as JSON text in `sync_state.cursor`.
#[derive(Serialize, Deserialize, Default)]
struct Resume {
    /// Where the pass under way continues; `None` between passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    top: Option<DateTime<Utc>>,
    /// The newest item id the pass under way has seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    top_id: Option<String>,
    /// The newest item id of the last completed pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mark: Option<String>,
}

/// The newer of two numeric ids (X's ids grow with time; longer is newer).
fn newer_id(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if (b.len(), &b) > (a.len(), &a) { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// How a stream's run ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Read to the end (or to what an earlier pass read).
    Succeeded,
    /// The run's read budget was spent; the next run continues from the cursor.
    Budget,
    /// A rate limit resets later than the retry budget allows; the next run continues.
    Deferred,
    /// The app's access does not include this stream's endpoint.
    Skipped,
}

impl Status {
    /// The word the summary and `--output json` show.
    pub fn name(self) -> &'static str {
        match self {
            Status::Succeeded => "succeeded",
            Status::Budget => "budget",
            Status::Deferred => "deferred",
            Status::Skipped => "skipped",
        }
    }

    /// The `sync_runs.status` this ending is recorded as.
    pub fn stored(self) -> RunStatus {
        match self {
            Status::Succeeded => RunStatus::Succeeded,
            Status::Budget => RunStatus::Budget,
            Status::Deferred => RunStatus::Deferred,
            Status::Skipped => RunStatus::Skipped,
        }
    }
}

/// What one stream's sync did.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The stream's [`Stream::name`].
    pub stream: &'static str,
    /// How it ended (a failure is a [`StreamError`] instead).
    pub status: Status,
    /// Pages committed, each with its resume point.
    pub pages: u64,
    /// Records the platform returned.
    pub rows_read: u64,
    /// Rows inserted or changed; unchanged ones are not counted, so a re-run shows 0.
    pub rows_written: u64,
    /// Billed resources read (see [`Page::reads`]).
    pub reads: u64,
    /// Why the stream stopped short, for anything but [`Status::Succeeded`].
    pub note: Option<String>,
    /// Deferred because the platform was found down earlier in this run ([`faults::Outages`]):
    /// the run says so once for the platform, not once per stream.
    #[serde(skip)]
    pub platform_down: bool,
}

/// How one stream is run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Ignore the resume point and the high-water mark: read everything.
    pub full: bool,
    /// When this sync started.
    pub at: DateTime<Utc>,
    /// Overrides every stream's own read budget (`sync --max-reads`).
    pub max_reads: Option<u64>,
    /// Most pages one pass of a stream may take before it fails ([`max_pages`]).
    pub max_pages: u64,
    /// This machine's name, for the `sync_runs` rows (`Config::host`).
    pub host: Option<String>,
}

/// The page ceiling of a stream's pass (`SOCIALCRM_MAX_PAGES`, validated at start-up).
pub fn max_pages() -> u64 {
    crate::config::tuning::max_pages()
}

/// A stream that failed, with what it had committed before: the summary tells a failure that
/// lost nothing (`failed`) from one that kept some pages (`partial`).
#[derive(Debug, thiserror::Error)]
#[error("{stream}: {source}")]
pub struct StreamError {
    /// The stream's [`Stream::name`].
    pub stream: &'static str,
    /// Pages committed before the failure (a later run resumes after them).
    pub pages: u64,
    /// Why it failed: a platform answer, the token's lifecycle, or the store.
    #[source]
    pub source: LifecycleError,
}

/// Syncs one stream of the session's connection, recording a `sync_runs` row.
pub fn run(
    session: &mut Session<'_>,
    stream: &dyn Stream,
    options: &Options,
    outages: &faults::Outages,
) -> Result<Outcome, StreamError> {
    let connection_id = session.connection.id;
    let mut record = SyncRun {
        run_id: uuid::Uuid::new_v4().to_string(),
        connection_id: Some(connection_id),
        stream: Some(stream.name().into()),
        started_at: crate::clock::now(),
        finished_at: None,
        status: RunStatus::Running,
        rows_read: 0,
        rows_written: 0,
        error: None,
        host: options.host.clone(),
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
    let result = pages(session, stream, options, outages, &mut record);
    record.finished_at = Some(crate::clock::now());
    match &result {
        Ok(o) => {
            record.status = o.status.stored();
            record.error = o.note.clone();
        }
        Err(e) => {
            record.status = if e.pages > 0 {
                RunStatus::Partial
            } else {
                RunStatus::Failed
            };
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
    options: &Options,
    outages: &faults::Outages,
    record: &mut SyncRun,
) -> Result<Outcome, StreamError> {
    let (full, at) = (options.full, options.at);
    let name = stream.name();
    let connection_id = session.connection.id;
    let account = session.connection.connection.account.clone();
    let username = session.connection.connection.username.clone();
    let user_id = session.connection.connection.platform_user_id.clone();
    let platform_id = session.platform.id();
    let platform = platform_id.name().to_string();
    let fail = |pages, source: LifecycleError| StreamError {
        stream: name,
        pages,
        source,
    };
    let stuck = |what: String| {
        LifecycleError::Platform(PlatformError::Unexpected {
            platform: platform_id,
            what,
            detail: None,
        })
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
    let resume = resume.unwrap_or_default();
    let mark = resume.mark.clone();
    let (mut cursor, mut top, mut top_id) = match (full, resume.next) {
        (false, Some(next)) => (Some(next), resume.top, resume.top_id),
        _ => (None, None, None),
    };
    let since = if full { None } else { high_water };
    let since_id = if full { None } else { mark.clone() };
    let budget = options.max_reads.or(stream.read_budget());
    let mut outcome = Outcome {
        stream: name,
        status: Status::Succeeded,
        pages: 0,
        rows_read: 0,
        rows_written: 0,
        reads: 0,
        note: None,
        platform_down: false,
    };
    // Cursors this pass has asked for: one asked for again means the stream goes in circles.
    let mut seen: HashSet<String> = cursor.iter().cloned().collect();
    // A claim lost with a database session and taken by another sync ends this one's work.
    let claimed = session.store.holds_claim(connection_id);
    loop {
        if claimed && !session.store.holds_claim(connection_id) {
            let lost = crate::store::StoreError::ClaimLost { id: connection_id };
            return Err(fail(outcome.pages, lost.into()));
        }
        if let Some(why) = outages.down(&platform) {
            outcome.status = Status::Deferred;
            outcome.platform_down = true;
            outcome.note = Some(format!(
                "{platform} is down in this run ({why}); deferred, the next run continues where this one stopped"
            ));
            return Ok(outcome);
        }
        if outcome.pages >= options.max_pages {
            return Err(fail(
                outcome.pages,
                stuck(format!(
                    "{} pages without reaching the end; the stream stops (the ceiling is SOCIALCRM_MAX_PAGES)",
                    outcome.pages
                )),
            ));
        }
        if let Some(max) = budget.filter(|max| outcome.reads >= *max) {
            outcome.status = Status::Budget;
            outcome.note = Some(format!(
                "read budget of {max} spent ({} read); the next run continues where this one stopped",
                outcome.reads
            ));
            return Ok(outcome);
        }
        let request = Request {
            cursor: cursor.as_deref(),
            since,
            at,
            account: &account,
            username: username.as_deref(),
            user_id: user_id.as_deref(),
            since_id: since_id.as_deref(),
            max_reads: budget.map(|max| max - outcome.reads),
        };
        let mut page = match session.with_token(|token| stream.fetch(token, &request)) {
            Ok(page) => page,
            Err(LifecycleError::Platform(e @ PlatformError::NotPermitted { .. })) => {
                outcome.status = Status::Skipped;
                outcome.note = Some(e.to_string());
                return Ok(outcome);
            }
            Err(LifecycleError::Platform(e)) if faults::rate_limited(&e).is_some() => {
                outcome.status = Status::Deferred;
                outcome.note = Some(format!(
                    "{e}; stopped, the next run continues where this one stopped"
                ));
                return Ok(outcome);
            }
            Err(LifecycleError::Platform(e)) if faults::is_outage(&e) => {
                outages.report(&platform, &e.to_string());
                return Err(fail(outcome.pages, e.into()));
            }
            Err(e) => return Err(fail(outcome.pages, e)),
        };
        if let Some(next) = page.next.as_ref().filter(|_| !page.caught_up)
            && !seen.insert(next.clone())
        {
            return Err(fail(
                outcome.pages,
                stuck(format!(
                    "page {} asks for a cursor this pass already read ({next}), so the stream would never end; it stops",
                    outcome.pages + 1
                )),
            ));
        }
        top = top.max(page.newest);
        top_id = newer_id(top_id, page.newest_id.clone());
        let done = page.next.is_none() || page.caught_up;
        let resume = match (&page.next, done) {
            (Some(next), false) => Resume {
                next: Some(next.clone()),
                top,
                top_id: top_id.clone(),
                mark: mark.clone(),
            },
            _ => Resume {
                mark: newer_id(mark.clone(), top_id.clone()),
                ..Resume::default()
            },
        };
        let state = SyncState {
            connection_id,
            stream: name.into(),
            cursor: (resume.next.is_some() || resume.mark.is_some())
                .then(|| serde_json::to_string(&resume).expect("a resume point serializes")),
            high_water_mark: if done {
                high_water.max(top)
            } else {
                high_water
            },
        };
        // Every fan relationship and message of the page is the connection's account's: the
        // engine says so once, so no adapter can forget it.
        for fan in &mut page.fans {
            fan.account.clone_from(&account);
        }
        for message in &mut page.messages {
            message.account.clone_from(&account);
        }
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
        outcome.reads += page.reads;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_reaches_the_synced_items_at_or_before_since() {
        let t = |s| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let request = |since| Request {
            cursor: None,
            since,
            at: t("2026-11-30T00:00:00Z"),
            account: "a",
            username: None,
            user_id: None,
            since_id: None,
            max_reads: None,
        };
        let since = Some(t("2026-11-20T00:00:00Z"));
        assert!(request(since).reached_synced(since));
        assert!(request(since).reached_synced(Some(t("2026-11-19T00:00:00Z"))));
        assert!(!request(since).reached_synced(Some(t("2026-11-21T00:00:00Z"))));
        assert!(!request(since).reached_synced(None), "an empty page");
        assert!(!request(None).reached_synced(since), "a full pass");
    }

    #[test]
    fn resume_points_written_before_ids_were_kept_still_read() {
        let old: Resume =
            serde_json::from_str(r#"{"next":"1700000000000","top":"2026-11-20T00:00:00Z"}"#)
                .unwrap();
        assert_eq!(old.next.as_deref(), Some("1700000000000"));
        assert!(old.top.is_some() && old.mark.is_none() && old.top_id.is_none());
        let between = Resume {
            mark: Some("42".into()),
            ..Resume::default()
        };
        assert_eq!(serde_json::to_string(&between).unwrap(), r#"{"mark":"42"}"#);
    }

    #[test]
    fn the_newer_id_is_the_larger_number() {
        let id = |s: &str| Some(s.to_string());
        assert_eq!(newer_id(id("99"), id("100")), id("100"));
        assert_eq!(newer_id(id("100"), id("99")), id("100"));
        assert_eq!(newer_id(None, id("7")), id("7"));
        assert_eq!(newer_id(id("7"), None), id("7"));
        assert_eq!(newer_id(None, None), None);
    }
}
