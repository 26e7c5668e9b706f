//! Opening an export and reading its rows with bounded memory; header mapping.
//!
//! Exports come from spreadsheets and third-party tools in every dialect: `,` `;` or tab
//! delimiters, a byte-order mark, headers in any case and punctuation, quoted cells with line
//! breaks. Rows are parsed with `csv-core` into one reused buffer that never grows past
//! [`MAX_ROW`]: a row longer than that (in practice a stray unterminated quote that swallows the
//! rest of the file) is skipped to its end and reported, so a broken or hostile file cannot make
//! the import buffer it whole. [`ColumnMap`] then turns headers into canonical field positions
//! and refuses a file whose required fields are missing with a message listing what it saw.
//!
//! A row is refused on its own, never the file: a NUL byte anywhere (PostgreSQL cannot store
//! one), a single cell under a multi-column header (a row written with another delimiter), or
//! a quoted cell that runs over lines shaped like rows (a stray quote swallowing what follows).
//! Line numbers count LF, CR LF and lone CR line ends alike, as spreadsheets write all three.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use csv_core::ReadRecordResult;

use super::normalize_header;

/// The longest row kept. Real export rows are a few hundred bytes; a cell over the per-field
/// limit of the importer is still readable here so it can be rejected with its length.
pub const MAX_ROW: usize = 1 << 20;

/// The most cells a row may have before it is refused (and its positions no longer kept).
const MAX_FIELDS: usize = 4096;

/// A canonical field and the headers exports use for it (compared after [`normalize_header`]).
pub struct FieldSpec {
    /// The name `--map` and the rejects report use.
    pub name: &'static str,
    /// Headers exports have used for it, so a renamed column still imports without `--map`.
    pub aliases: &'static [&'static str],
}

/// Why a file could not be imported at all (as opposed to a row, which goes to the rejects
/// report): nothing was written, and the message says how to fix the file or the command.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The file as named (`-`: standard input).
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// Not even a header row.
    #[error("{path} is empty: an export starts with a header row")]
    Empty {
        /// The file as named.
        path: String,
    },
    /// A spreadsheet or binary file instead of CSV.
    #[error("{path} is not a CSV text file ({why}); export or save it as CSV (UTF-8)")]
    NotText {
        /// The file as named.
        path: String,
        /// What gave it away (UTF-16, binary data).
        why: &'static str,
    },
    /// A header row that cannot be kept (too long, too many cells).
    #[error("the header row of {path} {why}")]
    BadHeader {
        /// The file as named.
        path: String,
        /// What is wrong with it.
        why: String,
    },
    /// A required field has no column.
    #[error(
        "{path} lacks {missing} (headers seen: {seen}); name the right column with --map COLUMN={example}"
    )]
    Missing {
        /// The file as named.
        path: String,
        /// The fields missing.
        missing: String,
        /// The headers the file has, so the right one can be picked.
        seen: String,
        /// A field to show in the `--map` example.
        example: &'static str,
    },
    /// A `--map` argument without `=`.
    #[error("--map {0}: expected COLUMN=FIELD")]
    BadMap(String),
    /// `--map` names a field this export kind does not have.
    #[error("--map {map}: no field '{field}' (fields: {fields})")]
    UnknownField {
        /// The argument as given.
        map: String,
        /// The field it names.
        field: String,
        /// The fields there are.
        fields: String,
    },
    /// `--map` names a column the file does not have.
    #[error("--map {map}: no column '{column}' in the file (headers seen: {seen})")]
    UnknownColumn {
        /// The argument as given.
        map: String,
        /// The column it names.
        column: String,
        /// The headers the file has.
        seen: String,
    },
}

/// Opens `path` (`-` is standard input) buffered; the size is known for regular files, for a
/// progress bar with a total.
pub fn open(path: &Path) -> Result<(Box<dyn BufRead + Send>, Option<u64>), ReadError> {
    let io_error = |e: io::Error| ReadError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    if path == Path::new("-") {
        let input: Box<dyn Read + Send> = Box::new(io::stdin());
        return Ok((Box::new(BufReader::with_capacity(256 * 1024, input)), None));
    }
    let file = File::open(path).map_err(io_error)?;
    let meta = file.metadata().map_err(io_error)?;
    if meta.is_dir() {
        return Err(io_error(io::Error::other("it is a directory")));
    }
    let size = meta.is_file().then_some(meta.len());
    Ok((Box::new(BufReader::with_capacity(256 * 1024, file)), size))
}

/// Whether `a` and `b` name the same file, through hard and symbolic links; false when either
/// does not exist.
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

/// One row: its cells (valid UTF-8) and the line it starts on.
#[derive(Debug, Default)]
pub struct Row {
    text: String,
    ends: Vec<usize>,
    /// The line the row starts on, for the rejects report (a quoted cell may span lines).
    pub line: u64,
}

impl Row {
    /// Cell `i`; `None` when the row is shorter (a field the file has but this row lacks).
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start..end)
    }

    /// Cells in the row.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// No cells: a blank line.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Every cell in order, for the rejects report to write the row back out.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i).unwrap_or(""))
    }

    /// Bytes of all cells together: what the row costs to keep.
    pub fn bytes(&self) -> usize {
        self.text.len()
    }
}

/// What reading one row gave.
pub enum Next {
    /// A row is in the caller's [`Row`].
    Row,
    /// The row was read (it is in the caller's [`Row`], content kept for the rejects report)
    /// but is not what the header says a row is.
    Rejected {
        /// Why, for the rejects report.
        reason: String,
    },
    /// The row could not be kept; the reason is for the rejects report.
    Unreadable {
        /// Where it started.
        line: u64,
        /// Why it could not be kept (too long, too many cells).
        reason: String,
    },
    /// The file is read to its end.
    End,
}

/// Streams rows out of an export with bounded memory.
pub struct Rows {
    input: Box<dyn BufRead + Send>,
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    consumed: u64,
    path: String,
    delimiter: u8,
    /// Cells of the header row, once it is read (0 before).
    columns: usize,
    lines: LineCounter,
}

/// Counts line ends in the bytes the parser consumed: LF, CR LF and a lone CR are one each.
/// (csv-core counts LF only, which puts CR LF rows one line early and CR-only files on line 1.)
#[derive(Debug, Default)]
struct LineCounter {
    /// Line ends consumed so far.
    ends: u64,
    /// The last byte consumed was a CR (its LF may start the next chunk).
    after_cr: bool,
}

impl LineCounter {
    fn count(&mut self, bytes: &[u8]) {
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let after_cr = if at == 0 {
                self.after_cr
            } else {
                bytes[at - 1] == b'\r'
            };
            if !(bytes[at] == b'\n' && after_cr) {
                self.ends += 1;
            }
        }
        if let Some(&last) = bytes.last() {
            self.after_cr = last == b'\r';
        }
    }
}

/// Doubles `buffer`, up to `max` entries: false when it holds `max` already.
fn grow<T: Clone + Default>(buffer: &mut Vec<T>, max: usize) -> bool {
    if buffer.len() >= max {
        return false;
    }
    buffer.resize((buffer.len() * 2).min(max), T::default());
    true
}

impl Rows {
    /// Detects the delimiter (`,` `;` or tab, the most frequent outside quotes on the first
    /// line), drops a UTF-8 byte-order mark, and refuses what is plainly not CSV text.
    pub fn new(mut input: Box<dyn BufRead + Send>, path: &Path) -> Result<Rows, ReadError> {
        let shown = path.display().to_string();
        let head = input.fill_buf().map_err(|e| ReadError::Io {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
            return Err(ReadError::NotText {
                path: shown,
                why: "it is UTF-16",
            });
        }
        if head.contains(&0) {
            return Err(ReadError::NotText {
                path: shown,
                why: "it holds binary data",
            });
        }
        let bom = if head.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let delimiter = sniff_delimiter(&head[bom..]);
        input.consume(bom);
        let core = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
        Ok(Rows {
            input,
            core,
            out: vec![0; 4096],
            ends: vec![0; 64],
            consumed: bom as u64,
            path: shown,
            delimiter,
            columns: 0,
            lines: LineCounter::default(),
        })
    }

    /// Bytes of the input read so far.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// The header row, which must exist, be text and have a sane length.
    pub fn header(&mut self) -> Result<Vec<String>, ReadError> {
        let mut row = Row::default();
        match self.next(&mut row)? {
            Next::Row | Next::Rejected { .. } => {
                self.columns = row.len();
                Ok(row.iter().map(str::to_string).collect())
            }
            Next::End => Err(ReadError::Empty {
                path: self.path.clone(),
            }),
            Next::Unreadable { reason, .. } => Err(ReadError::BadHeader {
                path: self.path.clone(),
                why: reason,
            }),
        }
    }

    /// Reads the next row into `row` (reusing its buffers). Only I/O errors are errors; a row
    /// that is too long or not UTF-8 is returned as [`Next::Unreadable`] and reading goes on.
    pub fn next(&mut self, row: &mut Row) -> Result<Next, ReadError> {
        // The row's first line: where its first byte is, past the line ends before it (blank
        // lines, the LF of the previous row's CR LF).
        let mut start: Option<u64> = None;
        let (mut len, mut nends) = (0usize, 0usize);
        let mut total = 0u64;
        let mut overflow = false;
        loop {
            let input = self.input.fill_buf().map_err(|e| ReadError::Io {
                path: self.path.clone(),
                reason: e.to_string(),
            })?;
            let (result, nin, nout, nend) =
                self.core
                    .read_record(input, &mut self.out[len..], &mut self.ends[nends..]);
            let mut taken = &input[..nin];
            if start.is_none() {
                let lead = taken
                    .iter()
                    .position(|&b| b != b'\n' && b != b'\r')
                    .unwrap_or(taken.len());
                self.lines.count(&taken[..lead]);
                taken = &taken[lead..];
                if !taken.is_empty() {
                    start = Some(self.lines.ends + 1);
                }
            }
            self.lines.count(taken);
            self.input.consume(nin);
            self.consumed += nin as u64;
            total += nout as u64;
            len += nout;
            nends += nend;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    if !grow(&mut self.out, MAX_ROW) {
                        // Keep parsing to the row's end, dropping what it holds.
                        overflow = true;
                        len = 0;
                        nends = 0;
                    }
                }
                ReadRecordResult::OutputEndsFull => {
                    if !grow(&mut self.ends, MAX_FIELDS) {
                        overflow = true;
                        nends = 0;
                    }
                }
                ReadRecordResult::Record if overflow => {
                    let line = start.unwrap_or(self.lines.ends + 1);
                    return Ok(Next::Unreadable {
                        line,
                        reason: format!(
                            "the row is too long to read ({total} bytes or {} cells; at most {MAX_ROW} bytes and {MAX_FIELDS} cells): an unterminated quote?",
                            if nends == 0 {
                                "more".to_string()
                            } else {
                                nends.to_string()
                            }
                        ),
                    });
                }
                ReadRecordResult::Record => {
                    let line = start.unwrap_or(self.lines.ends + 1);
                    return Ok(self.finish(row, line, len, nends));
                }
                ReadRecordResult::End => return Ok(Next::End),
            }
        }
    }

    fn finish(&self, row: &mut Row, line: u64, len: usize, nends: usize) -> Next {
        row.line = line;
        row.text.clear();
        row.ends.clear();
        let bytes = &self.out[..len];
        // One pass for the bytes that need a second look: NUL, and line ends (which only a
        // quoted cell holds, so most rows have none).
        let mut breaks = false;
        for at in memchr::memchr3_iter(0, b'\n', b'\r', bytes) {
            if bytes[at] == 0 {
                return Next::Unreadable {
                    line,
                    reason: "the row holds a NUL byte (binary data, not text)".into(),
                };
            }
            breaks = true;
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => row.text.push_str(text),
            Err(_) => {
                return Next::Unreadable {
                    line,
                    reason: "the row is not valid UTF-8 (save the export as UTF-8)".into(),
                };
            }
        }
        row.ends.extend_from_slice(&self.ends[..nends]);
        // Each cell must be UTF-8 on its own, not just the row as a whole.
        if (0..nends).any(|i| row.get(i).is_none()) {
            return Next::Unreadable {
                line,
                reason: "the row is not valid UTF-8 (save the export as UTF-8)".into(),
            };
        }
        match self.misshapen(row, breaks) {
            Some(reason) => Next::Rejected { reason },
            None => Next::Row,
        }
    }

    /// Why `row` cannot be a row under the header, if it cannot: one cell where the header
    /// has several, or a cell running over lines that hold as many delimiters as a row.
    fn misshapen(&self, row: &Row, breaks: bool) -> Option<String> {
        if self.columns < 2 {
            return None;
        }
        let shown = |d: u8| match d {
            b'\t' => "a tab".to_string(),
            d => format!("'{}'", char::from(d)),
        };
        if row.len() == 1 {
            let cell = row.get(0).unwrap_or("");
            let other = [b',', b';', b'\t']
                .into_iter()
                .find(|&d| d != self.delimiter && cell.as_bytes().contains(&d));
            let header = self.columns;
            return Some(match other {
                Some(d) => format!(
                    "the row has 1 cell but the header has {header}: is it written with {} instead of {}?",
                    shown(d),
                    shown(self.delimiter)
                ),
                None => format!("the row has 1 cell but the header has {header}"),
            });
        }
        if !breaks {
            return None;
        }
        let wanted = self.columns - 1;
        let rows_inside = row
            .iter()
            .flat_map(|cell| cell.split(['\n', '\r']).skip(1))
            .filter(|line| line.bytes().filter(|&b| b == self.delimiter).count() >= wanted)
            .count();
        (rows_inside > 0).then(|| {
            format!(
                "a quote is not closed where its cell should end: the cell runs over {rows_inside} more line(s) shaped like rows (fix the stray \" and import again)"
            )
        })
    }
}

fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|&b| b == b'\n').next().unwrap_or(head);
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for &b in line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(c) = counts.iter_mut().find(|c| c.0 == b) {
            c.1 += 1;
        }
    }
    // Ties (and a one-column file) go to the comma.
    counts
        .iter()
        .fold((b',', 0), |best, c| if c.1 > best.1 { *c } else { best })
        .0
}

/// Which column holds each field (`None`: the file does not have it).
#[derive(Debug)]
pub struct ColumnMap {
    /// Per field, in the order of the export kind's fields, the column it is read from.
    pub columns: Vec<Option<usize>>,
    /// The file's headers as written, for messages.
    pub headers: Vec<String>,
}

impl ColumnMap {
    /// Matches the header row to the fields (by alias, then `--map`), failing on a required
    /// field that no column provides, so a wrong file stops before any row is read.
    pub fn build(
        headers: &[String],
        fields: &[FieldSpec],
        maps: &[String],
        path: &Path,
    ) -> Result<ColumnMap, ReadError> {
        if headers.iter().all(|h| h.trim().is_empty()) {
            return Err(ReadError::Empty {
                path: path.display().to_string(),
            });
        }
        let normalized: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
        let mut columns: Vec<Option<usize>> = fields
            .iter()
            .map(|f| {
                normalized.iter().position(|h| {
                    f.aliases.iter().any(|a| a == h) || *h == normalize_header(f.name)
                })
            })
            .collect();
        let seen = || headers.join(", ");
        for map in maps {
            let (column, field) = map
                .split_once('=')
                .ok_or_else(|| ReadError::BadMap(map.clone()))?;
            let f = fields
                .iter()
                .position(|f| f.name == field.trim())
                .ok_or_else(|| ReadError::UnknownField {
                    map: map.clone(),
                    field: field.trim().to_string(),
                    fields: fields.iter().map(|f| f.name).collect::<Vec<_>>().join(", "),
                })?;
            let c = headers
                .iter()
                .position(|h| h.trim() == column.trim())
                .or_else(|| {
                    normalized
                        .iter()
                        .position(|h| *h == normalize_header(column))
                })
                .ok_or_else(|| ReadError::UnknownColumn {
                    map: map.clone(),
                    column: column.trim().to_string(),
                    seen: seen(),
                })?;
            columns[f] = Some(c);
        }
        Ok(ColumnMap {
            columns,
            headers: headers.to_vec(),
        })
    }

    /// Refuses the file unless, for each group, one of its fields was found.
    pub fn require(
        &self,
        fields: &[FieldSpec],
        groups: &[&[&'static str]],
        path: &Path,
    ) -> Result<(), ReadError> {
        let has = |name: &str| {
            fields
                .iter()
                .position(|f| f.name == name)
                .is_some_and(|i| self.columns[i].is_some())
        };
        let missing: Vec<&[&str]> = groups
            .iter()
            .copied()
            .filter(|group| !group.iter().any(|name| has(name)))
            .collect();
        let Some(first) = missing.first() else {
            return Ok(());
        };
        Err(ReadError::Missing {
            path: path.display().to_string(),
            missing: missing
                .iter()
                .map(|g| g.join(" or "))
                .collect::<Vec<_>>()
                .join(", "),
            seen: self.headers.join(", "),
            example: first[0],
        })
    }

    /// The trimmed, non-empty cell of field number `field` in `row`, read back from the
    /// neutralised form a rejects report writes (see [`unneutralise`]).
    pub fn get<'r>(&self, row: &'r Row, field: usize) -> Option<&'r str> {
        self.columns[field]
            .and_then(|c| row.get(c))
            .map(|v| unneutralise(v.trim()).trim())
            .filter(|v| !v.is_empty())
    }
}

/// A cell as it was before a rejects report neutralised it for spreadsheets: `'=1+2` is
/// `=1+2`. Reports put a `'` before cells starting with `=` `+` `-` `@` tab or CR (which a
/// spreadsheet would run as a formula), so that a fixed report imports as its rows were.
pub fn unneutralise(cell: &str) -> &str {
    match cell.as_bytes() {
        [b'\'', b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r', ..] => &cell[1..],
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(data: &'static [u8]) -> Rows {
        Rows::new(Box::new(data), Path::new("t.csv")).unwrap()
    }

    fn all(data: &'static [u8]) -> Vec<Result<(u64, Vec<String>), String>> {
        read(rows(data))
    }

    /// The rows after the header, which sets the row shape.
    fn under_header(data: &'static [u8]) -> Vec<Result<(u64, Vec<String>), String>> {
        let mut r = rows(data);
        r.header().unwrap();
        read(r)
    }

    fn read(mut r: Rows) -> Vec<Result<(u64, Vec<String>), String>> {
        let mut row = Row::default();
        let mut out = Vec::new();
        loop {
            match r.next(&mut row).unwrap() {
                Next::Row => out.push(Ok((row.line, row.iter().map(String::from).collect()))),
                Next::Unreadable { line, reason } => out.push(Err(format!("{line}: {reason}"))),
                Next::Rejected { reason } => out.push(Err(format!("{}: {reason}", row.line))),
                Next::End => return out,
            }
        }
    }

    #[test]
    fn the_most_frequent_delimiter_outside_quotes_wins() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2;3"), b',');
        assert_eq!(sniff_delimiter(b"a;b;\"c,d,e\"\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter(b"single"), b',');
    }

    #[test]
    fn rows_keep_quoted_newlines_and_their_starting_line() {
        let got = all(b"\xEF\xBB\xBFa;b\n1;\"x\ny\"\n\n2;z");
        let cells = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(got[0], Ok((1, cells(&["a", "b"]))), "BOM dropped");
        assert_eq!(got[1], Ok((2, cells(&["1", "x\ny"]))));
        assert_eq!(got[2].as_ref().unwrap().1, cells(&["2", "z"]));
        assert_eq!(got.len(), 3);
    }

    #[test]
    fn an_unterminated_quote_is_one_unreadable_row_not_a_growing_buffer() {
        let mut data = b"a,b\n1,\"open".to_vec();
        data.extend(std::iter::repeat_n(b'x', 3 * MAX_ROW));
        data.extend(b"\n2,3\n");
        let data: &'static [u8] = Box::leak(data.into_boxed_slice());
        let mut r = rows(data);
        let mut row = Row::default();
        assert!(matches!(r.next(&mut row).unwrap(), Next::Row));
        match r.next(&mut row).unwrap() {
            Next::Unreadable { line, reason } => {
                assert_eq!(line, 2);
                assert!(reason.contains("unterminated quote"), "{reason}");
            }
            _ => panic!("expected an unreadable row"),
        }
        assert!(r.out.len() <= MAX_ROW, "the buffer stayed bounded");
        assert!(matches!(r.next(&mut row).unwrap(), Next::End));
    }

    #[test]
    fn lines_count_lf_crlf_and_lone_cr_alike() {
        let lines = |data: &'static [u8]| -> Vec<u64> {
            all(data)
                .into_iter()
                .map(|r| r.map(|(line, _)| line).unwrap_or(0))
                .collect()
        };
        assert_eq!(lines(b"a,b\n1,2\n\n3,4\n"), [1, 2, 4]);
        assert_eq!(lines(b"a,b\r\n1,2\r\n\r\n3,4\r\n"), [1, 2, 4]);
        assert_eq!(lines(b"a,b\r1,2\r\r3,4\r"), [1, 2, 4]);
        assert_eq!(lines(b"a,b\r\n1,\"x\r\ny\"\r\n3,4"), [1, 2, 4]);
        let mut counter = LineCounter::default();
        counter.count(b"x\r");
        counter.count(b"\ny\r");
        counter.count(b"z");
        assert_eq!(
            counter.ends, 2,
            "a CR LF split between chunks is one line end"
        );
    }

    #[test]
    fn nul_bytes_and_misshapen_rows_are_refused_row_by_row() {
        // Past the first block read, where the whole-file check for binary data looks.
        let data: &'static [u8] = b"a,b,c\n1,2,3\nx\0y,2,3\n4;5;6\n7,\"8,9\n10,11,12\n";
        let mut r = Rows::new(
            Box::new(io::BufReader::with_capacity(8, data)),
            Path::new("t.csv"),
        )
        .unwrap();
        r.header().unwrap();
        let got = read(r);
        assert!(got[0].is_ok());
        assert!(
            got[1]
                .as_ref()
                .unwrap_err()
                .contains("3: the row holds a NUL byte")
        );
        assert!(got[2].as_ref().unwrap_err().contains(
            "4: the row has 1 cell but the header has 3: is it written with ';' instead of ','?"
        ));
        assert!(
            got[3]
                .as_ref()
                .unwrap_err()
                .contains("5: a quote is not closed")
        );
        let fine = under_header(b"a,b,c\n1,\"two\nlines, one comma\",3\n");
        assert!(fine[0].is_ok(), "{fine:?}");
    }

    #[test]
    fn neutralised_cells_read_as_they_were() {
        assert_eq!(unneutralise("'=1+2"), "=1+2");
        assert_eq!(unneutralise("'-12.00"), "-12.00");
        assert_eq!(unneutralise("'plain"), "'plain");
        assert_eq!(unneutralise("'"), "'");
        assert_eq!(unneutralise(""), "");
    }

    #[test]
    fn binary_and_utf16_files_are_refused() {
        let err = |d: &'static [u8]| Rows::new(Box::new(d), Path::new("x")).err().unwrap();
        assert!(
            err(b"PK\x03\x04\x00\x00")
                .to_string()
                .contains("binary data")
        );
        assert!(err(b"\xFF\xFEa\x00").to_string().contains("UTF-16"));
    }

    #[test]
    fn invalid_utf8_rows_are_unreadable() {
        let got = all(b"a\n\xC3\x28\nok\n");
        assert!(got[1].as_ref().unwrap_err().contains("UTF-8"));
        assert_eq!(got[2].as_ref().unwrap().1, vec!["ok".to_string()]);
    }
}
