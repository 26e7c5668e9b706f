//! `import-csv`: a platform's CSV export into the CRM, streaming, in batches, bad rows aside.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::{Context, Report};
use crate::cli::{DateFormat, ImportCsvArgs, ImportKind};
use crate::error::{CliError, CliResult, ExitCode};
use crate::import::reader::{self, ColumnMap, ReadError};
use crate::import::values::DateOrder;
use crate::output::{Detail, Record};
use crate::platforms::onlyfans;
use crate::store::model::{AuditEntry, AuditQuery, Fan, Page, UpsertCounts};
use crate::store::{Batch, Store};

/// Rows written per transaction: large enough to amortise commits, small enough that memory
/// stays flat whatever the file size.
const BATCH: usize = 2_000;

#[derive(Serialize)]
struct Summary {
    kind: &'static str,
    file: String,
    dry_run: bool,
    rows: u64,
    inserted: u64,
    updated: u64,
    unchanged: u64,
    rejected: u64,
    seconds: f64,
}

impl Record for Summary {
    fn columns() -> &'static [&'static str] {
        &[
            "kind",
            "file",
            "dry_run",
            "rows",
            "inserted",
            "updated",
            "unchanged",
            "rejected",
            "seconds",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.kind.into(),
            self.file.clone(),
            self.dry_run.to_string(),
            self.rows.to_string(),
            self.inserted.to_string(),
            self.updated.to_string(),
            self.unchanged.to_string(),
            self.rejected.to_string(),
            format!("{:.3}", self.seconds),
        ]
    }
}

/// Rejected rows, as a CSV the user can fix and import again.
struct Rejects {
    writer: Option<csv::Writer<std::fs::File>>,
    count: u64,
    first: Option<String>,
}

impl Rejects {
    fn open(path: Option<&Path>, headers: &csv::StringRecord) -> CliResult<Rejects> {
        let writer = match path {
            None => None,
            Some(p) => {
                let mut w = csv::WriterBuilder::new()
                    .flexible(true)
                    .from_path(p)
                    .map_err(|e| {
                        CliError::failure(format!("cannot write rejects to {}: {e}", p.display()))
                    })?;
                let mut header = vec!["line".to_string(), "reason".to_string()];
                header.extend(headers.iter().map(str::to_string));
                w.write_record(&header).map_err(write_error)?;
                Some(w)
            }
        };
        Ok(Rejects {
            writer,
            count: 0,
            first: None,
        })
    }

    fn add(&mut self, line: u64, reason: &str, row: Option<&csv::StringRecord>) -> CliResult<()> {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(format!("line {line}: {reason}"));
        }
        if let Some(w) = &mut self.writer {
            let mut record = vec![line.to_string(), reason.to_string()];
            record.extend(row.into_iter().flat_map(|r| r.iter().map(str::to_string)));
            w.write_record(&record).map_err(write_error)?;
        }
        Ok(())
    }
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
    let ImportKind::Fans = args.kind;
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

    let mut csv = reader::csv_reader(reader::open(path)?, path)?;
    let headers = match csv.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(CliError::failure(format!(
                "cannot read the header row of {shown}: {e}"
            )));
        }
    };
    let map = ColumnMap::build(&headers, onlyfans::FAN_FIELDS, &args.maps, path)?;
    map.require_any(onlyfans::FAN_FIELDS, onlyfans::FAN_KEYS, path)?;

    let store = ctx.store()?;
    let mut notes = Vec::new();
    if first_onlyfans_import(store)? {
        eprintln!("{}", onlyfans::COMPLIANCE_NOTICE);
        if !args.dry_run {
            record(store, "notice", "ok", "compliance notice shown".into())?;
        }
    }

    let mut rejects = Rejects::open(args.rejects.as_deref(), &headers)?;
    let mut counts = UpsertCounts::default();
    let mut rows = 0u64;
    let mut batch: Vec<Fan> = Vec::with_capacity(BATCH);
    let mut record_buf = csv::StringRecord::new();
    loop {
        let line = csv.position().line();
        match csv.read_record(&mut record_buf) {
            Ok(false) => break,
            Ok(true) => {
                rows += 1;
                let line = record_buf.position().map(|p| p.line()).unwrap_or(line);
                match onlyfans::fan_from_row(&map, &record_buf, dates) {
                    Ok(fan) => batch.push(fan),
                    Err(reason) => rejects.add(line, &reason, Some(&record_buf))?,
                }
            }
            Err(e) => {
                rows += 1;
                rejects.add(line, &format!("unreadable row: {e}"), None)?;
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
            }
        }
        if batch.len() >= BATCH {
            counts += write(store, &batch, args.dry_run)?;
            batch.clear();
        }
    }
    counts += write(store, &batch, args.dry_run)?;

    let summary = Summary {
        kind: "fans",
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
            "fans from {shown}: {} rows, {} inserted, {} updated, {} unchanged, {} rejected",
            rows, counts.inserted, counts.updated, counts.unchanged, rejects.count
        );
        record(store, "import", outcome, detail)?;
    }
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
            rejects.first.unwrap_or_default()
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

/// In a dry run every valid row counts as inserted: what the import would at most do.
fn write(store: &mut dyn Store, batch: &[Fan], dry_run: bool) -> CliResult<UpsertCounts> {
    if batch.is_empty() {
        return Ok(UpsertCounts::default());
    }
    if dry_run {
        return Ok(UpsertCounts {
            inserted: batch.len() as u64,
            ..UpsertCounts::default()
        });
    }
    Ok(store.upsert(Batch::Fans(batch))?)
}

fn first_onlyfans_import(store: &mut dyn Store) -> CliResult<bool> {
    let query = AuditQuery {
        page: Page {
            limit: 1,
            after: None,
        },
        platform: Some("onlyfans".into()),
        action: Some("notice".into()),
        ..AuditQuery::default()
    };
    Ok(store.list_audit(&query)?.is_empty())
}

fn record(store: &mut dyn Store, action: &str, outcome: &str, detail: String) -> CliResult<()> {
    let actor = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    let entry = AuditEntry {
        event_id: uuid::Uuid::new_v4().to_string(),
        at: crate::clock::now(),
        actor,
        action: action.into(),
        platform: Some("onlyfans".into()),
        account: None,
        outcome: outcome.into(),
        detail: Some(detail),
    };
    store.upsert(Batch::Audit(&[entry]))?;
    Ok(())
}
