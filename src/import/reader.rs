//! Opening an export: file or standard input, delimiter detection, and header mapping.
//!
//! Exports come from spreadsheets and third-party tools in every dialect: `,` `;` or tab
//! delimiters, a byte-order mark, headers in any case and punctuation. This file turns all of
//! them into one [`ColumnMap`] from canonical field names to column positions, and refuses a
//! file whose required fields are missing with a message listing what it saw.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use csv::StringRecord;

use super::normalize_header;

/// A canonical field and the headers exports use for it (compared after [`normalize_header`]).
pub struct FieldSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {reason}")]
    Io { path: String, reason: String },
    #[error("{path} is empty: an export starts with a header row")]
    Empty { path: String },
    #[error(
        "{path} lacks {missing} (headers seen: {seen}); name the right column with --map COLUMN={example}"
    )]
    Missing {
        path: String,
        missing: String,
        seen: String,
        example: &'static str,
    },
    #[error("--map {0}: expected COLUMN=FIELD")]
    BadMap(String),
    #[error("--map {map}: no field '{field}' (fields: {fields})")]
    UnknownField {
        map: String,
        field: String,
        fields: String,
    },
    #[error("--map {map}: no column '{column}' in the file (headers seen: {seen})")]
    UnknownColumn {
        map: String,
        column: String,
        seen: String,
    },
}

/// Opens `path` (`-` is standard input) buffered, for [`csv_reader`].
pub fn open(path: &Path) -> Result<Box<dyn BufRead>, ReadError> {
    let input: Box<dyn Read> = if path == Path::new("-") {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path).map_err(|e| ReadError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?)
    };
    Ok(Box::new(BufReader::with_capacity(256 * 1024, input)))
}

/// A CSV reader with the delimiter the first line uses (`,` `;` or tab, the most frequent
/// outside quotes). Rows may have fewer or more cells than the header: such rows are judged by
/// the mapper, not refused wholesale.
pub fn csv_reader(
    mut input: Box<dyn BufRead>,
    path: &Path,
) -> Result<csv::Reader<Box<dyn BufRead>>, ReadError> {
    let head = input.fill_buf().map_err(|e| ReadError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let delimiter = sniff_delimiter(head);
    Ok(csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(input))
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
    pub columns: Vec<Option<usize>>,
    pub headers: StringRecord,
}

impl ColumnMap {
    pub fn build(
        headers: &StringRecord,
        fields: &[FieldSpec],
        maps: &[String],
        path: &Path,
    ) -> Result<ColumnMap, ReadError> {
        if headers.iter().all(|h| h.trim().is_empty()) {
            return Err(ReadError::Empty {
                path: path.display().to_string(),
            });
        }
        let normalized: Vec<String> = headers.iter().map(normalize_header).collect();
        let mut columns: Vec<Option<usize>> = fields
            .iter()
            .map(|f| {
                normalized.iter().position(|h| {
                    f.aliases.iter().any(|a| a == h) || *h == normalize_header(f.name)
                })
            })
            .collect();
        let seen = || headers.iter().collect::<Vec<_>>().join(", ");
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
            headers: headers.clone(),
        })
    }

    /// Refuses the file unless one of `any_of` fields was found.
    pub fn require_any(
        &self,
        fields: &[FieldSpec],
        any_of: &[&'static str],
        path: &Path,
    ) -> Result<(), ReadError> {
        let found = any_of.iter().any(|name| {
            fields
                .iter()
                .position(|f| f.name == *name)
                .is_some_and(|i| self.columns[i].is_some())
        });
        if found {
            return Ok(());
        }
        Err(ReadError::Missing {
            path: path.display().to_string(),
            missing: any_of.join(" or "),
            seen: self.headers.iter().collect::<Vec<_>>().join(", "),
            example: any_of[0],
        })
    }

    /// The trimmed, non-empty cell of field number `field` in `row`.
    pub fn get<'r>(&self, row: &'r StringRecord, field: usize) -> Option<&'r str> {
        self.columns[field]
            .and_then(|c| row.get(c))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_frequent_delimiter_outside_quotes_wins() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2;3"), b',');
        assert_eq!(sniff_delimiter(b"a;b;\"c,d,e\"\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter(b"single"), b',');
    }
}
