//! `sync`: every selected connection, every stream, one result line each.

use serde::Serialize;

use super::{Context, Report};
use crate::auth::lifecycle::LifecycleError;
use crate::cli::SyncArgs;
use crate::error::{CliError, CliResult, ExitCode};
use crate::output::{Columns, List};
use crate::platforms::{self, PlatformId};
use crate::store::Batch;
use crate::store::model::{Claim, ConnectionRow, ConnectionStatus, LeaseHolder, SyncRunRow};
use crate::sync::faults::Outages;

/// One stream of one account, as the sync left it.
#[derive(Serialize, Default)]
struct Synced {
    platform: PlatformId,
    account: String,
    stream: String,
    status: &'static str,
    pages: u64,
    rows_read: u64,
    rows_written: u64,
    /// Billed resources read (X); 0 where reads are not billed.
    reads: u64,
    /// How long the stream took, waits for rate limits included.
    seconds: f64,
    error: Option<String>,
    /// Deferred because its platform is down in this run (one line says so for all).
    #[serde(skip)]
    platform_down: bool,
}

impl Columns for Synced {
    fn cell(&self, column: &str) -> Option<String> {
        (column == "seconds").then(|| format!("{:.2}", self.seconds))
    }
}

/// The run's own ids (`run_id`, `connection_id`) are for scripts: tables and CSV leave them
/// out.
impl Columns for SyncRunRow {
    fn columns() -> Option<&'static [&'static str]> {
        Some(&[
            "id",
            "platform",
            "account",
            "stream",
            "status",
            "started_at",
            "finished_at",
            "rows_read",
            "rows_written",
            "host",
            "error",
        ])
    }

    fn table_columns() -> Option<&'static [&'static str]> {
        Some(&[
            "started_at",
            "platform",
            "account",
            "stream",
            "status",
            "rows_written",
            "error",
        ])
    }

    fn to_the_second() -> &'static [&'static str] {
        &["started_at", "finished_at"]
    }
}

pub fn run(ctx: &mut Context, args: SyncArgs) -> CliResult<Report> {
    if args.history {
        let runs = ctx.store()?.list_sync_runs(args.limit)?;
        let empty = runs.is_empty();
        let mut report = Report::data(List(runs));
        if empty {
            report.notes.push("no sync has run yet".into());
        }
        return Ok(report);
    }
    if let Some(imported) = args
        .platforms
        .iter()
        .find_map(|p| platforms::registry::adapter(*p).imported.as_ref())
    {
        return Err(CliError::usage(imported.sync_refusal));
    }
    let connections: Vec<ConnectionRow> = ctx
        .store()?
        .list_connections()?
        .into_iter()
        .filter(|r| r.connection.status != ConnectionStatus::Revoked)
        .filter(|r| {
            args.all || args.platforms.is_empty() || args.platforms.contains(&r.connection.platform)
        })
        .filter(|r| {
            args.account
                .as_ref()
                .is_none_or(|a| *a == r.connection.account)
        })
        .collect();
    if connections.is_empty() {
        return Err(CliError::failure("no connected account matches")
            .with_hint("`socialcrm accounts` lists them; `socialcrm connect tiktok` adds one"));
    }
    let at = crate::clock::now();
    let started = chrono::Utc::now();
    let owner = format!(
        "{}:{}:{}",
        ctx.config.host.as_deref().unwrap_or_default(),
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    );
    let jobs = (args.jobs as usize).clamp(1, 64).min(connections.len());
    let queue = std::sync::Mutex::new(interleaved(connections));
    let outages = Outages::new();
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..jobs)
            .map(|_| {
                let config = ctx.config.clone();
                let (queue, owner, outages) = (&queue, &owner, &outages);
                let options = crate::sync::Options {
                    full: args.full,
                    at,
                    max_reads: args.max_reads,
                    max_pages: crate::sync::max_pages(),
                    host: config.host.clone(),
                };
                scope.spawn(move || {
                    // Each worker has its own database connection and secrets store.
                    let mut ctx = Context::new(config);
                    let mut done = Vec::new();
                    loop {
                        let next = queue
                            .lock()
                            .expect("the queue lock is never poisoned")
                            .pop_front();
                        let Some(connection) = next else { break };
                        let turn = Turn {
                            owner,
                            options: &options,
                            started,
                            outages,
                        };
                        done.push(leased(&mut ctx, connection, &turn));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let (mut ok, mut failed, mut reauth, mut skipped) = (0, 0, 0, 0);
    // Accounts a live sync holds, by holder, for one line per holder.
    let mut held: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut meanwhile = 0;
    for mut outcome in outcomes {
        let c = &outcome.connection;
        let name = format!("{} {}", c.platform, c.account);
        match outcome.result {
            Ok(Done::Synced(true)) => ok += 1,
            Ok(Done::Synced(false)) => failed += 1,
            Ok(Done::Held(holder)) => {
                skipped += 1;
                let by = holder
                    .as_ref()
                    .map(LeaseHolder::describe)
                    .unwrap_or_else(|| "holder not recorded yet".into());
                held.entry(by).or_default().push(name);
            }
            Ok(Done::SyncedMeanwhile) => {
                skipped += 1;
                meanwhile += 1;
            }
            Err(e) => {
                if e.exit == ExitCode::Reauth {
                    reauth += 1;
                } else {
                    failed += 1;
                }
                notes.push(format!("{name}: {}", e.message));
                outcome.rows.push(Synced {
                    platform: c.platform,
                    account: c.account.clone(),
                    stream: "-".into(),
                    status: "failed",
                    pages: 0,
                    rows_read: 0,
                    rows_written: 0,
                    reads: 0,
                    seconds: 0.0,
                    error: Some(e.message),
                    platform_down: false,
                });
            }
        }
        rows.extend(outcome.rows);
    }
    for (holder, accounts) in &held {
        notes.push(format!(
            "{} account(s) skipped: a live sync holds them ({holder}): {}",
            accounts.len(),
            accounts.join(", ")
        ));
    }
    if meanwhile > 0 {
        notes.push(format!(
            "{meanwhile} account(s) skipped: another sync synced them during this run"
        ));
    }
    // A platform found down: one line for it, not one per deferred stream.
    let outages = outages.all();
    for (platform, why) in &outages {
        let deferred: std::collections::BTreeSet<&str> = rows
            .iter()
            .filter(|r| r.platform.name() == platform && r.platform_down)
            .map(|r| r.account.as_str())
            .collect();
        if !deferred.is_empty() {
            notes.push(format!(
                "warning: {platform} is down ({why}): {} account(s) deferred to the next run: {}",
                deferred.len(),
                deferred.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    for row in rows
        .iter()
        .filter(|r| r.status != "succeeded" && r.stream != "-")
        .filter(|r| !r.platform_down)
    {
        // A stream stopped short or skipped is a warning, not a failure.
        let warning = matches!(row.status, "budget" | "deferred" | "skipped");
        notes.push(format!(
            "{}{} {} {}: {}",
            if warning { "warning: " } else { "" },
            row.platform,
            row.account,
            row.stream,
            row.error.as_deref().unwrap_or("failed")
        ));
    }
    let mut report = Report::data(List(rows));
    report.notes = notes;
    // Re-authentication needs a person, so it wins: cron can alert on 4 alone.
    report.exit = match (ok + skipped, failed, reauth) {
        (_, _, 1..) => ExitCode::Reauth,
        (_, 0, 0) => ExitCode::Success,
        (0, _, 0) => ExitCode::Failure,
        _ => ExitCode::Partial,
    };
    Ok(report)
}

/// The connections in turns, one platform after another (each platform's accounts in their
/// order): a worker that waits for a spent rate limit then holds one of that platform's
/// accounts while the others go on with other platforms, instead of every worker waiting on
/// one platform's budget while the rest of the queue stands still.
fn interleaved(connections: Vec<ConnectionRow>) -> std::collections::VecDeque<ConnectionRow> {
    let mut by_platform: Vec<std::collections::VecDeque<ConnectionRow>> = Vec::new();
    for row in connections {
        match by_platform
            .iter_mut()
            .find(|q| q[0].connection.platform == row.connection.platform)
        {
            Some(q) => q.push_back(row),
            None => by_platform.push(std::collections::VecDeque::from([row])),
        }
    }
    let mut out = std::collections::VecDeque::new();
    while by_platform.iter().any(|q| !q.is_empty()) {
        for q in &mut by_platform {
            out.extend(q.pop_front());
        }
    }
    out
}

/// What every account's turn in one run shares.
struct Turn<'a> {
    /// This run's lease owner: `host:pid:run`.
    owner: &'a str,
    options: &'a crate::sync::Options,
    /// When this run started (wall clock): an account given back since was synced meanwhile.
    started: chrono::DateTime<chrono::Utc>,
    outages: &'a Outages,
}

/// How one connection's turn ended, when it could start.
enum Done {
    /// Synced; false when a stream failed.
    Synced(bool),
    /// A live sync holds it (its lease record, when written).
    Held(Option<LeaseHolder>),
    /// Another run synced it during this one.
    SyncedMeanwhile,
}

/// One connection's turn: its rows and how it ended (`Err`: it could not start).
struct Outcome {
    connection: crate::store::model::Connection,
    rows: Vec<Synced>,
    result: CliResult<Done>,
}

/// Claims the connection (taking it over at once from a holder that died), syncs it, and gives
/// the claim back. The claim is held by this worker's database connection (PostgreSQL) or an
/// open lock file (SQLite) for the whole turn, so it dies with the process.
fn leased(ctx: &mut Context, connection: ConnectionRow, turn: &Turn) -> Outcome {
    let id = connection.id;
    let mut outcome = Outcome {
        connection: connection.connection.clone(),
        rows: Vec::new(),
        result: Ok(Done::SyncedMeanwhile),
    };
    let claimed = ctx
        .store()
        .and_then(|s| Ok(s.claim_connection(id, turn.owner, turn.started)?));
    let _span = tracing::info_span!(
        "sync",
        platform = %connection.connection.platform,
        account = %connection.connection.account
    )
    .entered();
    match claimed {
        Ok(Claim::Claimed {
            took_over,
            abandoned,
        }) => {
            if let Some(dead) = took_over {
                tracing::info!(
                    holder = %dead.describe(),
                    abandoned,
                    "taken over from a sync that ended without giving it back"
                );
            }
        }
        Ok(Claim::Held(holder)) => {
            outcome.result = Ok(Done::Held(holder));
            return outcome;
        }
        Ok(Claim::SyncedMeanwhile) => return outcome,
        Err(e) => {
            outcome.result = Err(e);
            return outcome;
        }
    }
    let began = std::time::Instant::now();
    outcome.result = sync_one(ctx, connection, turn, &mut outcome.rows).map(Done::Synced);
    let written: u64 = outcome.rows.iter().map(|r| r.rows_written).sum();
    match &outcome.result {
        Ok(Done::Synced(true)) => tracing::info!(
            rows_written = written,
            seconds = began.elapsed().as_secs_f64(),
            "account synced"
        ),
        Ok(_) => tracing::warn!(rows_written = written, "account partly synced"),
        Err(e) => tracing::warn!(error = %e.message, "account not synced"),
    }
    // The store reconnects by itself after a lost session; a claim that cannot be given back
    // at all still dies with this process (or its session), and the record is replaced by
    // whoever takes the account next.
    let released = ctx
        .store()
        .and_then(|s| Ok(s.release_connection(id, turn.owner)?));
    if let Err(e) = released {
        ctx.reopen_store();
        tracing::warn!(error = %e.message, "the claim could not be given back; it ends with this process");
    }
    outcome
}

/// Syncs every stream of one connection; `Ok(false)` when a stream failed (a stream stopped
/// by its read budget or a rate limit, or skipped for want of access, did not fail).
fn sync_one(
    ctx: &mut Context,
    connection: ConnectionRow,
    turn: &Turn,
    rows: &mut Vec<Synced>,
) -> CliResult<bool> {
    let c = connection.connection.clone();
    let id = c.platform;
    let adapter = ctx.connected_adapter(id, &c.account)?;
    let streams = platforms::streams(id, &ctx.config);
    let connection_id = connection.id;
    let mut session = ctx.session(adapter.as_ref(), connection)?;
    let mut all_ok = true;
    for stream in &streams {
        if !session.store.holds_claim(connection_id) {
            // Lost with a database session and taken by another sync: it syncs the rest.
            return Err(crate::store::StoreError::ClaimLost { id: connection_id }.into());
        }
        let began = std::time::Instant::now();
        let row = |status, pages, read, written, reads, error| Synced {
            platform: c.platform,
            account: c.account.clone(),
            stream: stream.name().into(),
            status,
            pages,
            rows_read: read,
            rows_written: written,
            reads,
            seconds: began.elapsed().as_secs_f64(),
            error,
            platform_down: false,
        };
        match crate::sync::run(&mut session, stream.as_ref(), turn.options, turn.outages) {
            Ok(o) => {
                if let Some(note) = &o.note {
                    // The summary's notes carry the warning line; the log says it only at -v.
                    tracing::info!(stream = o.stream, status = o.status.name(), "{note}");
                }
                rows.push(Synced {
                    platform_down: o.platform_down,
                    ..row(
                        o.status.name(),
                        o.pages,
                        o.rows_read,
                        o.rows_written,
                        o.reads,
                        o.note,
                    )
                })
            }
            Err(e) if matches!(e.source, LifecycleError::Reauth { .. }) => {
                return Err(e.source.into());
            }
            Err(e) => {
                all_ok = false;
                let status = if e.pages > 0 { "partial" } else { "failed" };
                rows.push(row(status, e.pages, 0, 0, 0, Some(e.source.to_string())));
            }
        }
    }
    if all_ok {
        let mut done = session.connection.connection.clone();
        done.last_sync_at = Some(crate::clock::now());
        session.store.upsert(Batch::Connections(&[done]))?;
    }
    Ok(all_ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, platform: &str) -> ConnectionRow {
        ConnectionRow {
            id,
            connection: crate::store::model::Connection {
                platform: platform.parse().unwrap(),
                account: format!("a{id}"),
                platform_user_id: None,
                username: None,
                scopes: None,
                status: ConnectionStatus::Active,
                token_expires_at: None,
                secret_ref: None,
                connected_at: None,
                last_sync_at: None,
            },
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn platforms_take_turns_in_the_queue() {
        let rows = vec![
            row(1, "reddit"),
            row(2, "reddit"),
            row(3, "reddit"),
            row(4, "tiktok"),
            row(5, "x"),
            row(6, "x"),
        ];
        let order: Vec<i64> = interleaved(rows).iter().map(|r| r.id).collect();
        assert_eq!(order, [1, 4, 5, 2, 6, 3]);
    }
}
