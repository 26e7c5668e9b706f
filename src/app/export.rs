//! `export`: whole tables, streamed from one snapshot into CSV or JSON Lines files.
//!
//! The store reads the rows (`store::export`); this file decides where they go and writes
//! them: one file per table in a directory, each written under a temporary name (owner-only)
//! and renamed into place once every table is complete, so a failed export never leaves a
//! half-written file or a mix of old and new ones; or one table to stdout. The encoders here
//! are the only writers of exported rows, so the CSV and JSONL rules live in one place.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Context, Report};
use crate::cli::{ExportArgs, ExportFormat};
use crate::error::{CliError, CliResult};
use crate::fsutil;
use crate::output::{Columns, List, is_formula_like};
use crate::store::export::{self, Cell, RowSink};
use crate::store::model::FanQuery;
use crate::store::value::format_time;

/// How the command was asked to write, beyond its arguments.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// `--csv-raw`: text cells exactly as stored.
    pub csv_raw: bool,
    /// `-q`: no progress lines.
    pub quiet: bool,
}

/// One exported table, as the summary shows it.
#[derive(Debug, Serialize, Default)]
struct Exported {
    table: String,
    rows: u64,
    /// Where it was written; `-` for stdout.
    file: String,
}

impl Columns for Exported {}

pub fn run(ctx: &mut Context, args: ExportArgs, options: Options) -> CliResult<Report> {
    let tables = pick_tables(&args.tables, args.segment.is_some())?;
    let segment = match &args.segment {
        Some(name) => {
            let mut query = FanQuery::default();
            super::segments::apply(ctx, name, &mut query)?;
            Some(query)
        }
        None => None,
    };
    let of_segment = match &args.segment {
        Some(name) => format!(" about segment '{}'", name.trim().to_lowercase()),
        None => String::new(),
    };
    let to_stdout = args.out.as_os_str() == "-";
    if to_stdout && tables.len() != 1 {
        return Err(CliError::usage(format!(
            "--out - writes one table to stdout, and {} were asked for",
            tables.len()
        ))
        .with_hint("name it with --table (e.g. `--table fans`), or give --out a directory"));
    }
    let store = ctx.store()?;
    if to_stdout {
        let stdout = io::stdout();
        let mut sink = Encoder::new(args.format, options.csv_raw, Target::Stdout(stdout.lock()));
        let counts = match store.export(&tables, segment.as_ref(), &mut sink) {
            // `socialcrm export -t fans --out - | head` is not an error.
            Err(crate::store::StoreError::Sink(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
                return Ok(Report {
                    body: super::Body::Nothing,
                    notes: Vec::new(),
                    exit: crate::error::ExitCode::Success,
                });
            }
            other => other?,
        };
        let mut report = Report {
            body: super::Body::Nothing,
            notes: Vec::new(),
            exit: crate::error::ExitCode::Success,
        };
        for c in counts {
            report.notes.push(format!(
                "exported {} rows of {}{of_segment}",
                c.rows.unwrap_or(0),
                c.table
            ));
        }
        return Ok(report);
    }
    let dir = prepare_dir(&args.out)?;
    // Every target is checked before anything is read (and again as each file is opened).
    for table in &tables {
        let target = dir.join(format!("{table}.{}", args.format.extension()));
        fsutil::ensure_regular_or_absent(&target, "export file")
            .map_err(|e| CliError::failure(e.to_string()))?;
    }
    let mut sink = Encoder::new(
        args.format,
        options.csv_raw,
        Target::Files(Files {
            dir: dir.clone(),
            extension: args.format.extension(),
            quiet: options.quiet,
            current: None,
            written: Vec::new(),
        }),
    );
    let result = store.export(&tables, segment.as_ref(), &mut sink);
    let Target::Files(files) = sink.into_target() else {
        unreachable!("a directory export writes files")
    };
    let counts = match result {
        Ok(counts) => counts,
        Err(e) => {
            files.discard();
            return Err(e.into());
        }
    };
    let placed = files.place().map_err(|e| {
        CliError::failure(format!(
            "cannot write the export into {}: {e}",
            dir.display()
        ))
    })?;
    let rows: Vec<Exported> = counts
        .into_iter()
        .zip(placed)
        .map(|(c, file)| Exported {
            table: c.table,
            rows: c.rows.unwrap_or(0) as u64,
            file: file.display().to_string(),
        })
        .collect();
    let total: u64 = rows.iter().map(|r| r.rows).sum();
    let note = format!(
        "exported {} tables ({total} rows){of_segment} into {} from one snapshot",
        rows.len(),
        dir.display()
    );
    Ok(Report::data(List(rows)).note(note))
}

/// The tables asked for, each once, in the order given; when none was, every exportable one
/// (for a segment: its default, the fans).
fn pick_tables(asked: &[String], segment: bool) -> CliResult<Vec<&'static str>> {
    if asked.is_empty() {
        return Ok(match segment {
            true => export::SEGMENT_DEFAULT.to_vec(),
            false => export::exportable(),
        });
    }
    let mut out: Vec<&'static str> = Vec::new();
    for name in asked {
        let name = name.trim();
        if let Some(why) = export::refusal(name) {
            return Err(CliError::usage(why)
                .with_hint("`socialcrm export` without --table writes every table it may"));
        }
        if let Some(why) = export::segment_refusal(name).filter(|_| segment) {
            return Err(CliError::usage(why).with_hint("drop --segment to export that table whole"));
        }
        let table = export::exportable()
            .into_iter()
            .find(|t| *t == name)
            .expect("refusal() passed it");
        if !out.contains(&table) {
            out.push(table);
        }
    }
    Ok(out)
}

/// The output directory, created (owner-only) when missing; refused when something else is
/// there.
fn prepare_dir(dir: &Path) -> CliResult<PathBuf> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(dir.to_path_buf()),
        Ok(_) => Err(
            CliError::usage(format!("--out {} is not a directory", dir.display()))
                .with_hint("name a directory (it is created if missing), or `-` for stdout"),
        ),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder
                .create(dir)
                .map_err(|e| CliError::failure(format!("cannot create {}: {e}", dir.display())))?;
            Ok(dir.to_path_buf())
        }
        Err(e) => Err(CliError::failure(format!(
            "cannot use {}: {e}",
            dir.display()
        ))),
    }
}

/// Where encoded rows go.
enum Target {
    Stdout(io::StdoutLock<'static>),
    Files(Files),
}

/// One file per table in a directory, each under a temporary name until [`Files::place`].
struct Files {
    dir: PathBuf,
    extension: &'static str,
    quiet: bool,
    /// The table being written: its writer and temporary path.
    current: Option<(BufWriter<File>, PathBuf)>,
    /// Finished tables: temporary path and final path.
    written: Vec<(PathBuf, PathBuf)>,
}

impl Files {
    fn open(&mut self, table: &str) -> io::Result<()> {
        let target = self.dir.join(format!("{table}.{}", self.extension));
        // A device or FIFO named like a table's file is never written through or replaced.
        fsutil::ensure_regular_or_absent(&target, "export file")
            .map_err(|e| io::Error::other(e.to_string()))?;
        let temp = self.dir.join(format!(
            ".{table}.{}.tmp-{}",
            self.extension,
            std::process::id()
        ));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(&temp)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", temp.display())))?;
        self.current = Some((BufWriter::with_capacity(1 << 18, file), temp));
        self.written.push((PathBuf::new(), target));
        Ok(())
    }

    fn close(&mut self, table: &str, rows: u64) -> io::Result<()> {
        if let Some((writer, temp)) = self.current.take() {
            let file = writer.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            self.written.last_mut().expect("opened").0 = temp;
        }
        if !self.quiet {
            crate::say!("exported {table}: {rows} rows");
        }
        Ok(())
    }

    /// Renames every finished file into place; their final paths, in table order.
    fn place(self) -> io::Result<Vec<PathBuf>> {
        let mut placed = Vec::with_capacity(self.written.len());
        for (temp, target) in &self.written {
            std::fs::rename(temp, target)?;
            placed.push(target.clone());
        }
        Ok(placed)
    }

    /// Removes the temporary files of a failed export.
    fn discard(mut self) {
        if let Some((_, temp)) = self.current.take() {
            let _ = std::fs::remove_file(temp);
        }
        for (temp, _) in &self.written {
            if !temp.as_os_str().is_empty() {
                let _ = std::fs::remove_file(temp);
            }
        }
    }
}

/// Encodes rows as CSV or JSON Lines into a [`Target`].
struct Encoder {
    format: ExportFormat,
    csv_raw: bool,
    target: Target,
    /// JSONL: each column's key, already escaped, with its quotes and colon.
    keys: Vec<String>,
    line: Vec<u8>,
}

impl Encoder {
    fn new(format: ExportFormat, csv_raw: bool, target: Target) -> Self {
        Encoder {
            format,
            csv_raw,
            target,
            keys: Vec::new(),
            line: Vec::with_capacity(1024),
        }
    }

    fn into_target(self) -> Target {
        self.target
    }

    fn out(&mut self) -> &mut dyn Write {
        match &mut self.target {
            Target::Stdout(out) => out,
            Target::Files(files) => match &mut files.current {
                Some((writer, _)) => writer,
                None => unreachable!("a table is open"),
            },
        }
    }

    fn flush_line(&mut self) -> io::Result<()> {
        let line = std::mem::take(&mut self.line);
        let written = self.out().write_all(&line);
        self.line = line;
        self.line.clear();
        written
    }
}

impl RowSink for Encoder {
    fn start(&mut self, table: &str, columns: &[String]) -> io::Result<()> {
        if let Target::Files(files) = &mut self.target {
            files.open(table)?;
        }
        match self.format {
            ExportFormat::Csv => {
                for (i, c) in columns.iter().enumerate() {
                    if i > 0 {
                        self.line.push(b',');
                    }
                    csv_text(&mut self.line, c, false);
                }
                self.line.push(b'\n');
                self.flush_line()?;
            }
            ExportFormat::Jsonl => {
                self.keys = columns
                    .iter()
                    .map(|c| format!("{}:", serde_json::Value::from(c.as_str())))
                    .collect();
            }
        }
        Ok(())
    }

    fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
        match self.format {
            ExportFormat::Csv => {
                for (i, cell) in cells.iter().enumerate() {
                    if i > 0 {
                        self.line.push(b',');
                    }
                    csv_cell(&mut self.line, cell, self.csv_raw);
                }
                self.line.push(b'\n');
            }
            ExportFormat::Jsonl => {
                self.line.push(b'{');
                for (i, cell) in cells.iter().enumerate() {
                    if i > 0 {
                        self.line.push(b',');
                    }
                    self.line.extend_from_slice(self.keys[i].as_bytes());
                    json_cell(&mut self.line, cell)?;
                }
                self.line.extend_from_slice(b"}\n");
            }
        }
        // Rows are handed to the buffered writer one by one; the line buffer is reused.
        self.flush_line()
    }

    fn finish(&mut self, table: &str, rows: u64) -> io::Result<()> {
        match &mut self.target {
            Target::Stdout(out) => out.flush(),
            Target::Files(files) => files.close(table, rows),
        }
    }
}

/// One CSV cell: NULL as nothing, an empty text as `""` (so the two stay apart, as
/// PostgreSQL's `COPY ... CSV` reads them), numbers as Rust prints them (exact, never in
/// exponent form), times as stored.
fn csv_cell(line: &mut Vec<u8>, cell: &Cell<'_>, raw: bool) {
    match cell {
        Cell::Null => {}
        Cell::Int(v) => {
            let _ = write!(line, "{v}");
        }
        Cell::Real(v) => {
            let _ = write!(line, "{v}");
        }
        Cell::Time(t) => line.extend_from_slice(format_time(t).as_bytes()),
        Cell::Text(text) => {
            let neutralise = !raw && is_formula_like(text);
            let text: Cow<'_, str> = if neutralise {
                Cow::Owned(format!("'{text}"))
            } else {
                Cow::Borrowed(text)
            };
            csv_text(line, &text, neutralise);
        }
    }
}

/// A text cell, quoted when it must be (a comma, quote, CR or LF; empty; or `always`).
fn csv_text(line: &mut Vec<u8>, text: &str, always: bool) {
    if always || text.is_empty() || text.contains([',', '"', '\r', '\n']) {
        line.push(b'"');
        for part in text.split_inclusive('"') {
            line.extend_from_slice(part.as_bytes());
            if part.ends_with('"') {
                line.push(b'"');
            }
        }
        line.push(b'"');
    } else {
        line.extend_from_slice(text.as_bytes());
    }
}

/// One JSON value: integers and reals as numbers (a real that is not finite as null), times as
/// their RFC 3339 text.
fn json_cell(line: &mut Vec<u8>, cell: &Cell<'_>) -> io::Result<()> {
    match cell {
        Cell::Null => line.extend_from_slice(b"null"),
        Cell::Int(v) => {
            let _ = write!(line, "{v}");
        }
        Cell::Real(v) => serde_json::to_writer(&mut *line, &serde_json::Value::from(*v))?,
        Cell::Time(t) => serde_json::to_writer(&mut *line, &format_time(t))?,
        Cell::Text(text) => serde_json::to_writer(&mut *line, text.as_ref())?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(cells: &[Cell<'_>], raw: bool) -> String {
        let mut line = Vec::new();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            csv_cell(&mut line, c, raw);
        }
        String::from_utf8(line).unwrap()
    }

    #[test]
    fn csv_keeps_null_and_empty_apart_and_neutralises_formulas() {
        let cells = [
            Cell::Null,
            Cell::Text("".into()),
            Cell::Int(-5),
            Cell::Real(0.1),
            Cell::Real(1e20),
            Cell::Text("a,\"b\"\nc".into()),
            Cell::Text("=SUM(A1)".into()),
        ];
        assert_eq!(
            csv(&cells, false),
            ",\"\",-5,0.1,100000000000000000000,\"a,\"\"b\"\"\nc\",\"'=SUM(A1)\""
        );
        assert_eq!(
            csv(&cells, true),
            ",\"\",-5,0.1,100000000000000000000,\"a,\"\"b\"\"\nc\",=SUM(A1)"
        );
    }

    #[test]
    fn json_cells_are_typed() {
        let mut line = Vec::new();
        for c in [
            Cell::Null,
            Cell::Int(3),
            Cell::Real(2.5),
            Cell::Real(f64::NAN),
            Cell::Text("é\"\n".into()),
        ] {
            json_cell(&mut line, &c).unwrap();
            line.push(b' ');
        }
        assert_eq!(
            String::from_utf8(line).unwrap(),
            "null 3 2.5 null \"é\\\"\\n\" "
        );
    }
}
