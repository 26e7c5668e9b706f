//! `import-csv`: a platform's CSV export into the CRM, streaming, in batches, bad rows aside.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::time::Instant;

use serde::Serialize;

use super::{Context, Report};
use crate::cli::{DateFormat, ImportCsvArgs, ImportKind};
use crate::error::{CliError, CliResult, ExitCode};
use crate::import::batch::Parsed;
use crate::import::reader::{self, ColumnMap, Next, ReadError, Row, Rows};
use crate::import::seen::{self, FileKeys};
use crate::import::values::DateOrder;
use crate::output::progress::Progress;
use crate::output::{Columns, Detail, csv_safe_cell};
use crate::platforms::onlyfans::{self, ExportKind, rows::Cells};
use crate::store::model::{AuditEntry, AuditQuery, Page, UpsertCounts};
use crate::store::{Batch, Store};

#[derive(Serialize, Default)]
struct Summary {
    kind: &'static str,
    /// The table whose records the counts are of (an earnings row is up to three events:
    /// gross, fee and net).
    table: &'static str,
    file: String,
    dry_run: bool,
    rows: u64,
    inserted: u64,
    updated: u64,
    unchanged: u64,
    rejected: u64,
    seconds: f64,
}

impl Columns for Summary {
    fn cell(&self, column: &str) -> Option<String> {
        (column == "seconds").then(|| format!("{:.3}", self.seconds))
    }
}

/// Rejected rows, as a CSV the user can fix and import again.
///
/// Written to a temporary file next to the target (owner-only, like every file this tool
/// writes) and renamed over it when the import ends, so a failed import leaves no half report
/// and the target is never truncated while anything still reads it. Cells are neutralised for
/// spreadsheets ([`csv_safe_cell`]); the importer reads them back as they were
/// (`import::reader::unneutralise`), so a fixed report imports again as its rows were.
struct Rejects {
    writer: Option<csv::Writer<std::fs::File>>,
    /// The temporary file and the report's path, until the report is in place.
    paths: Option<(std::path::PathBuf, std::path::PathBuf)>,
    count: u64,
    first: Option<String>,
}

impl Rejects {
    fn open(path: Option<&Path>, headers: &[String]) -> CliResult<Rejects> {
        let mut rejects = Rejects {
            writer: None,
            paths: None,
            count: 0,
            first: None,
        };
        let Some(p) = path else {
            return Ok(rejects);
        };
        let cannot = |e: &dyn std::fmt::Display| {
            CliError::failure(format!("cannot write rejects to {}: {e}", p.display()))
        };
        let name = p
            .file_name()
            .ok_or_else(|| cannot(&"it names no file"))?
            .to_string_lossy();
        // Found now, not after the rows are committed, when the rename would fail: a
        // directory, a device or a FIFO is never written to.
        crate::fsutil::ensure_regular_or_absent(p, "the rejects file")
            .map_err(|e| CliError::usage(e.to_string()))?;
        let temp = p.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&temp).map_err(|e| cannot(&e))?;
        rejects.paths = Some((temp, p.to_path_buf()));
        let mut w = csv::WriterBuilder::new().flexible(true).from_writer(file);
        let header = ["line", "reason"]
            .into_iter()
            .chain(headers.iter().map(String::as_str))
            .map(csv_safe_cell);
        w.write_record(header.map(|c| c.into_owned()))
            .map_err(write_error)?;
        rejects.writer = Some(w);
        Ok(rejects)
    }

    fn add(&mut self, line: u64, reason: &str, row: Option<&Row>) -> CliResult<()> {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(format!("line {line}: {reason}"));
        }
        if let Some(w) = &mut self.writer {
            let line = line.to_string();
            let cells = row.into_iter().flat_map(Row::iter);
            let record = [line.as_str(), reason]
                .into_iter()
                .chain(cells)
                .map(csv_safe_cell);
            w.write_record(record.map(|c| c.into_owned()))
                .map_err(write_error)?;
        }
        Ok(())
    }

    /// Puts the finished report in place.
    fn close(&mut self) -> CliResult<()> {
        let (Some(w), Some((temp, target))) = (self.writer.take(), self.paths.take()) else {
            return Ok(());
        };
        let done = w
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|file| file.sync_all())
            .and_then(|()| std::fs::rename(&temp, &target));
        done.map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            CliError::failure(format!(
                "cannot write the rejects file {}: {e}",
                target.display()
            ))
        })
    }
}

impl Drop for Rejects {
    /// A report never put in place (the import failed) leaves no temporary file behind.
    fn drop(&mut self) {
        if let Some((temp, _)) = self.paths.take() {
            let _ = std::fs::remove_file(temp);
        }
    }
}

/// Refuses a rejects path that is the input (the same file by another name, a hard link or a
/// symbolic link to it): writing the report would destroy the file being read.
fn refuse_rejects_onto_input(input: &Path, rejects: Option<&Path>) -> CliResult<()> {
    let Some(rejects) = rejects else {
        return Ok(());
    };
    let input = if input == Path::new("-") {
        Path::new("/dev/stdin")
    } else {
        input
    };
    if reader::same_file(input, rejects) {
        return Err(CliError::usage(format!(
            "--rejects {} is the input file: writing the report would destroy it; name another file",
            rejects.display()
        )));
    }
    Ok(())
}

fn write_error(e: csv::Error) -> CliError {
    CliError::failure(format!("cannot write the rejects file: {e}"))
}

impl From<ReadError> for CliError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::BadMap(_)
            | ReadError::UnknownField { .. }
            | ReadError::UnknownColumn { .. } => CliError::usage(e.to_string()),
            _ => CliError::failure(e.to_string()),
        }
    }
}

pub fn run(ctx: &mut Context, args: ImportCsvArgs) -> CliResult<Report> {
    let started = Instant::now();
    let kind = match args.kind {
        ImportKind::Fans => &onlyfans::FANS,
        ImportKind::Messages => &onlyfans::MESSAGES,
        ImportKind::Earnings => &onlyfans::EARNINGS,
        ImportKind::Links => &onlyfans::LINKS,
    };
    let dates = match args.date_format {
        DateFormat::Auto => DateOrder::Auto,
        DateFormat::Iso => DateOrder::Iso,
        DateFormat::Mdy => DateOrder::Mdy,
        DateFormat::Dmy => DateOrder::Dmy,
    };
    let path = args.file.as_path();
    let shown = if path == Path::new("-") {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };

    refuse_rejects_onto_input(path, args.rejects.as_deref())?;
    let (input, size) = reader::open(path)?;
    let mut rows = Rows::new(input, path)?;
    let headers = rows.header()?;
    let map = ColumnMap::build(&headers, kind.fields, &args.maps, path)?;
    map.require(kind.fields, kind.required, path)?;

    let rejects = Rejects::open(args.rejects.as_deref(), &headers)?;
    let visible = ctx.config.progress && std::io::stderr().is_terminal();
    let operator = ctx.config.operator.clone();
    let store = ctx.store()?;
    let account = whose_export(store, args.account.as_deref())?;
    if first_onlyfans_import(store)? {
        crate::say!("{}", onlyfans::COMPLIANCE_NOTICE);
        if !args.dry_run {
            record(
                store,
                &operator,
                "notice",
                "ok",
                "compliance notice shown".into(),
                None,
            )?;
        }
    }

    let progress = Progress::bytes(visible, size);
    let parser = Parser {
        rows,
        map: &map,
        kind,
        dates,
        account: &account,
        rejects,
        keys: FileKeys::spilling_at(
            crate::config::tuning::import_spill_keys().unwrap_or(seen::SPILL_AT),
        ),
        progress: &progress,
    };
    let (counts, parsed) = pipeline(store, parser, kind, args.dry_run);
    progress.finish();
    let Written { counts, failed } = counts;
    if !args.dry_run {
        // Also after a failure: the batches committed hold rows (payments, later messages)
        // of fans an earlier batch wrote, and those relationships must agree with them.
        let recomputed = refresh_relationships(store, kind, &account);
        if failed.is_none() {
            recomputed?;
        }
    }
    if let Some(e) = failed {
        // Earlier batches are committed: the audit log says so, and how far it got.
        if !args.dry_run {
            let detail = format!(
                "{} from {shown} stopped after {} inserted, {} updated, {} unchanged: {}",
                kind.name, counts.inserted, counts.updated, counts.unchanged, e.message
            );
            let _ = record(store, &operator, "import", "failed", detail, Some(&account));
        }
        return Err(e);
    }
    let (rows, mut rejects) = parsed?;
    rejects.close()?;

    let summary = Summary {
        kind: kind.name,
        table: kind.table,
        file: shown.clone(),
        dry_run: args.dry_run,
        rows,
        inserted: counts.inserted,
        updated: counts.updated,
        unchanged: counts.unchanged,
        rejected: rejects.count,
        seconds: started.elapsed().as_secs_f64(),
    };
    let outcome = if rejects.count > 0 { "partial" } else { "ok" };
    if !args.dry_run {
        let detail = format!(
            "{} from {shown}: {} rows, {} inserted, {} updated, {} unchanged, {} rejected",
            kind.name, rows, counts.inserted, counts.updated, counts.unchanged, rejects.count
        );
        record(store, &operator, "import", outcome, detail, Some(&account))?;
    }
    let mut notes = Vec::new();
    let mut exit = ExitCode::Success;
    if rejects.count > 0 {
        exit = ExitCode::Partial;
        let whereto = match &args.rejects {
            Some(p) => format!("written to {}", p.display()),
            None => "add --rejects FILE to keep them".into(),
        };
        notes.push(format!(
            "{} of {rows} rows rejected ({whereto}); first: {}",
            rejects.count,
            rejects.first.take().unwrap_or_default()
        ));
    }
    if args.dry_run {
        notes.push("dry run: nothing was written".into());
    }
    let mut report = Report::data(Detail(summary));
    report.notes = notes;
    report.exit = exit;
    Ok(report)
}

/// Records per batch (of every table: an earnings row is three, its gross, fee and net
/// events): the unit the parser hands the writer. Small, so that the batches in flight (one
/// being parsed, one waiting, one being written) stay a few MB; statement set-up still vanishes
/// in the cost of its rows. Counted in rows, an earnings import's batches were three times a
/// fans import's and held 9 of its 68 MB at 1,000,000 rows.
const BATCH: usize = 4_096;

/// Batches share a transaction until it holds this many rows (`SOCIALCRM_IMPORT_COMMIT_ROWS`)
/// or has been open this long: a commit costs a WAL flush and rewriting the index pages the
/// transaction touched, so one per batch made the SQLite writer the whole cost of an import.
/// The time bound keeps another writer's wait (a sync beside the import) well inside the
/// SQLite busy timeout of 30 s. It was one second, which on a loaded machine meant commits of
/// a few thousand rows, each rewriting thousands of random pages of the twelve relationship
/// indexes: a 1,000,000-fan import wrote 188 GB and took 8.6x the keyed load.
const COMMIT_ROWS: usize = 250_000;
const COMMIT_AFTER: std::time::Duration = std::time::Duration::from_secs(10);

/// Reads and parses rows into batches, putting bad rows aside.
struct Parser<'a> {
    rows: Rows,
    map: &'a ColumnMap,
    kind: &'static ExportKind,
    dates: DateOrder,
    account: &'a str,
    rejects: Rejects,
    keys: FileKeys,
    progress: &'a Progress,
}

impl Parser<'_> {
    /// Sends full batches to `out` until the input ends (or the writer has stopped listening);
    /// returns the rows read and the rejects.
    fn run(mut self, out: SyncSender<Parsed>) -> CliResult<(u64, Rejects)> {
        let mut row = Row::default();
        let mut batch = Parsed::default();
        let mut rows = 0u64;
        loop {
            match self.rows.next(&mut row)? {
                Next::End => break,
                Next::Unreadable { line, reason } => {
                    rows += 1;
                    self.rejects.add(line, &reason, None)?;
                }
                Next::Rejected { reason } => {
                    rows += 1;
                    self.rejects.add(row.line, &reason, Some(&row))?;
                }
                Next::Row => {
                    rows += 1;
                    let cells = Cells {
                        map: self.map,
                        row: &row,
                        dates: self.dates,
                        account: self.account,
                    };
                    match (self.kind.parse)(&cells, &mut batch, &mut self.keys) {
                        Ok(()) => batch.rows += 1,
                        Err(reason) => self.rejects.add(row.line, &reason, Some(&row))?,
                    }
                }
            }
            if rows.is_multiple_of(1024) {
                self.progress.update(self.rows.consumed(), rows);
            }
            if batch.records() >= BATCH {
                self.keys.end_batch().map_err(keys_error)?;
                if out.send(std::mem::take(&mut batch)).is_err() {
                    return Ok((rows, self.rejects));
                }
            }
        }
        self.progress.update(self.rows.consumed(), rows);
        self.keys.check().map_err(keys_error)?;
        if batch.rows > 0 {
            let _ = out.send(batch);
        }
        Ok((rows, self.rejects))
    }
}

/// The keys of a large file spill to a temporary file ([`FileKeys`]); where that cannot be
/// written or read back, the import stops before the batch checked against them is written.
fn keys_error(e: std::io::Error) -> CliError {
    CliError::failure(format!(
        "cannot keep the file's keys in a temporary file: {e}"
    ))
    .with_hint("set TMPDIR to a writable directory with free space")
}

/// What the writing side of [`pipeline`] did: the counts of the batches committed, and the
/// error that stopped it, if one did.
#[derive(Default)]
struct Written {
    counts: UpsertCounts,
    failed: Option<CliError>,
}

/// Parses on one thread while this one writes, so reading the file and the database's work
/// overlap; the channel holds two batches, which bounds memory.
fn pipeline(
    store: &mut dyn Store,
    parser: Parser<'_>,
    kind: &ExportKind,
    dry_run: bool,
) -> (Written, CliResult<(u64, Rejects)>) {
    let (tx, rx) = sync_channel::<Parsed>(1);
    std::thread::scope(|scope| {
        let parsing = scope.spawn(move || parser.run(tx));
        let mut written = Written::default();
        // Counts of the batches written since the last commit: they count once committed.
        let mut pending = UpsertCounts::default();
        let (mut rows, mut since) = (0, Instant::now());
        let commit_rows = crate::config::tuning::import_commit_rows().unwrap_or(COMMIT_ROWS);
        for batch in rx.iter() {
            rows += batch.rows;
            let commit = rows >= commit_rows || since.elapsed() >= COMMIT_AFTER;
            match write(store, &batch, kind, dry_run, commit) {
                Ok(c) => pending += c,
                Err(e) => {
                    written.failed = Some(e);
                    break;
                }
            }
            if commit {
                written.counts += std::mem::take(&mut pending);
                (rows, since) = (0, Instant::now());
            }
        }
        if written.failed.is_none() {
            match store.commit_open() {
                Ok(()) => written.counts += pending,
                Err(e) => written.failed = Some(e.into()),
            }
        }
        // Dropping the receiver stops the parser at its next batch if writing failed.
        drop(rx);
        let parsed = parsing
            .join()
            .unwrap_or_else(|_| Err(CliError::failure("the CSV parser stopped unexpectedly")));
        (written, parsed)
    })
}

/// Writes one batch into the open transaction (committing it with `commit`) and returns the
/// counts of the kind's own records (fans, messages, or the analytics events of payments). In a
/// dry run every valid record counts as inserted: what the import would at most do.
fn write(
    store: &mut dyn Store,
    batch: &Parsed,
    kind: &ExportKind,
    dry_run: bool,
    commit: bool,
) -> CliResult<UpsertCounts> {
    let batches = batch.batches();
    let own = batches.iter().position(|b| b.table() == kind.table);
    if dry_run {
        return Ok(UpsertCounts {
            inserted: own.map_or(0, |i| batches[i].len() as u64),
            ..UpsertCounts::default()
        });
    }
    let counts = store.upsert_open(&batches, commit)?;
    Ok(own.map(|i| counts[i]).unwrap_or_default())
}

/// Recomputes the relationships of the fans the import named from their stored rows (first
/// and last seen; from payments, the paid total): the parser writes each fan only the first
/// time the file names them (`Parsed::seen_fan`), and a payment only as an event.
fn refresh_relationships(store: &mut dyn Store, kind: &ExportKind, account: &str) -> CliResult<()> {
    if let Some(from) = kind.derives_fans_from {
        store.refresh_fans_from(onlyfans::PLATFORM, account, from)?;
    }
    Ok(())
}

/// The account an export belongs to: `--account`, else `default` while the CRM holds OnlyFans
/// data of at most one account (whichever it is). With several, a missing `--account` could file one creator's
/// fans under another's name: refused, naming them.
fn whose_export(store: &mut dyn Store, given: Option<&str>) -> CliResult<String> {
    if let Some(name) = given {
        let name = name.trim();
        if name.is_empty() {
            return Err(CliError::usage("--account needs a name"));
        }
        return Ok(name.to_string());
    }
    let accounts = store.fan_accounts(onlyfans::PLATFORM)?;
    match accounts.as_slice() {
        [] | [_] => Ok("default".into()),
        many => Err(CliError::usage(format!(
            "the CRM holds OnlyFans data of {} accounts ({}): say whose export this is with --account NAME",
            many.len(),
            many.join(", ")
        ))),
    }
}

fn first_onlyfans_import(store: &mut dyn Store) -> CliResult<bool> {
    let query = AuditQuery {
        page: Page {
            limit: 1,
            after: None,
        },
        platform: Some(onlyfans::PLATFORM),
        action: Some("notice".into()),
        ..AuditQuery::default()
    };
    Ok(store.list_audit(&query)?.is_empty())
}

fn record(
    store: &mut dyn Store,
    operator: &str,
    action: &str,
    outcome: &str,
    detail: String,
    account: Option<&str>,
) -> CliResult<()> {
    let entry = AuditEntry {
        event_id: uuid::Uuid::new_v4().to_string(),
        at: crate::clock::now(),
        actor: operator.into(),
        action: action.into(),
        platform: Some(onlyfans::PLATFORM),
        account: account.map(str::to_string),
        outcome: outcome.into(),
        detail: Some(detail),
    };
    store.upsert(Batch::Audit(&[entry]))?;
    Ok(())
}
