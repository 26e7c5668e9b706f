//! The only place that prints data. Every command returns a value that implements [`Render`];
//! this module turns it into a table (`table.rs`), JSON or CSV on stdout according to
//! `--output`.
//!
//! JSON field names are part of the public interface (README, "JSON output"): renaming one is a
//! breaking change. Tables are for people: they wrap to the terminal's width when stdout is a
//! terminal and never carry colour codes into pipes. Progress bars (`progress.rs`) go to stderr.
//!
//! Text from platforms is made safe here, once (`safe.rs`): control characters are shown
//! escaped in tables, CSV cells a spreadsheet would run as formulas are neutralised (unless
//! `--csv-raw`), and JSON is exact.

mod fields;
pub mod progress;
mod safe;
pub mod table;

pub use fields::fields;
pub use safe::{csv_record, csv_safe_cell, is_formula_like, terminal_safe};

/// `eprintln!` that never panics: a line for people on stderr, dropped when stderr cannot take
/// it (`2>/dev/full`, a closed pipe). `eprintln!` panics on a failed write, and "no input makes
/// the tool panic" includes where its stderr points; clippy.toml forbids it in `src/`.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::write_stderr(::std::format_args!($($arg)*))
    };
}

/// What [`say!`] expands to: one line on stderr, errors ignored.
pub fn write_stderr(line: std::fmt::Arguments<'_>) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(line).and_then(|_| err.write_all(b"\n"));
}

use std::io::{self, Write};
use std::str::FromStr;

use serde::Serialize;

/// `--output`: one value rendered three ways, so that people, scripts and spreadsheets each
/// read the same answer in their own form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people
    Table,
    /// A JSON document with stable field names, for scripts
    Json,
    /// Comma-separated values with a header row, for spreadsheets
    Csv,
}

impl FromStr for Format {
    type Err = String;

    /// The names `--output` takes (clap's, from the variants), in any case and with spaces
    /// around, as a config file or `SOCIALCRM_OUTPUT` may spell them.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        <Format as clap::ValueEnum>::from_str(s.trim(), true)
            .map_err(|_| format!("invalid output format '{s}' (expected table, json or csv)"))
    }
}

/// A row type whose table and CSV columns are its serialised fields, in order and under their
/// JSON names, each cell the field's text ([`fields`]), so that a column is written once, as a
/// field. The methods are the overrides, for where tables and CSV have always differed from
/// the JSON. `Default` is only there to name the columns of an empty listing.
pub trait Columns: Serialize + Default {
    /// The table and CSV columns in order, when they are not every field in field order: a
    /// field only the JSON has (a secret's reference, a run's id), a column named for what its
    /// cell shows (`lifetime_spend` for `lifetime_spend_cents` in money), an order scripts
    /// have read since before the row flattened its record. Each is a field's text unless
    /// [`Columns::cell`] says otherwise.
    fn columns() -> Option<&'static [&'static str]> {
        None
    }
    /// The columns a table listing shows, when it shows fewer than all (CSV and JSON have all).
    fn table_columns() -> Option<&'static [&'static str]> {
        None
    }
    /// Table columns to drop first, in this order, when a terminal is too narrow for all of
    /// them even with long text cut; after these, columns go from the right.
    fn dropped_first() -> &'static [&'static str] {
        &[]
    }
    /// Timestamp columns that tables and CSV show to the second, as people read them; JSON
    /// keeps the precision the store has.
    fn to_the_second() -> &'static [&'static str] {
        &[]
    }
    /// The cell of `column` where a table and CSV show the field differently from its JSON
    /// text (a rounded number, say); `None` keeps the field's text.
    fn cell(&self, _column: &str) -> Option<String> {
        None
    }
}

/// The table and CSV column names of `T`, in order.
fn column_names<T: Columns>() -> Vec<String> {
    match T::columns() {
        Some(columns) => columns.iter().map(|c| c.to_string()).collect(),
        None => fields::fields(&T::default())
            .unwrap_or_default()
            .into_iter()
            .map(|(column, _)| column)
            .collect(),
    }
}

/// One row's cells, in the order of [`column_names`].
fn row_cells<T: Columns>(row: &T) -> Vec<String> {
    let fields = fields::fields(row).unwrap_or_default();
    let shown = |column: &str, text: String| {
        row.cell(column).unwrap_or_else(|| {
            if T::to_the_second().contains(&column) {
                to_the_second(&text)
            } else {
                text
            }
        })
    };
    match T::columns() {
        None => fields
            .into_iter()
            .map(|(column, text)| shown(&column, text))
            .collect(),
        Some(columns) => columns
            .iter()
            .map(|column| {
                let text = fields
                    .iter()
                    .find(|(name, _)| name == column)
                    .map(|(_, text)| text.clone());
                debug_assert!(
                    text.is_some() || row.cell(column).is_some(),
                    "column {column} is neither a field nor a cell of its row"
                );
                shown(column, text.unwrap_or_default())
            })
            .collect(),
    }
}

/// An RFC 3339 time without its fraction of a second; any other text as it is.
fn to_the_second(text: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(t) => t
            .with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        Err(_) => text.to_string(),
    }
}

/// A titled block of a table rendering.
#[derive(Default)]
pub struct Section {
    /// Printed above the block when several make up one answer (`fans show`'s relationships).
    pub title: Option<String>,
    /// The header row.
    pub columns: Vec<String>,
    /// The cells, as text not yet made terminal-safe (the table renderer does that once).
    pub rows: Vec<Vec<String>>,
    /// See [`Columns::dropped_first`].
    pub dropped_first: Vec<String>,
}

/// Anything a command prints.
pub trait Render {
    /// The stable JSON document of `--output json` (field names are public interface).
    fn json(&self) -> serde_json::Value;
    /// Blocks printed one after another in table mode.
    fn sections(&self) -> Vec<Section>;
    /// One flat table for CSV: headers and rows.
    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>);
}

/// A listing: a JSON array of objects, one table, one CSV.
pub struct List<T>(pub Vec<T>);

impl<T: Columns> Render for List<T> {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).expect("records serialize")
    }

    fn sections(&self) -> Vec<Section> {
        let all = column_names::<T>();
        let picked: Vec<usize> = match T::table_columns() {
            Some(shown) => shown
                .iter()
                .filter_map(|c| all.iter().position(|a| a == c))
                .collect(),
            None => (0..all.len()).collect(),
        };
        let rows = self
            .0
            .iter()
            .map(|r| {
                let mut cells = row_cells(r);
                picked
                    .iter()
                    .map(|&i| std::mem::take(&mut cells[i]))
                    .collect()
            })
            .collect();
        vec![Section {
            title: None,
            columns: picked.iter().map(|&i| all[i].clone()).collect(),
            rows,
            dropped_first: T::dropped_first().iter().map(|c| c.to_string()).collect(),
        }]
    }

    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        (column_names::<T>(), self.0.iter().map(row_cells).collect())
    }
}

/// One record shown in detail: a JSON object, a two-column field/value table, a one-row CSV.
pub struct Detail<T>(pub T);

impl<T: Columns> Render for Detail<T> {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).expect("records serialize")
    }

    fn sections(&self) -> Vec<Section> {
        let rows = column_names::<T>()
            .into_iter()
            .zip(row_cells(&self.0))
            .map(|(c, v)| vec![c, v])
            .collect();
        vec![Section {
            title: None,
            columns: vec!["field".into(), "value".into()],
            rows,
            ..Section::default()
        }]
    }

    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        (column_names::<T>(), vec![row_cells(&self.0)])
    }
}

/// Where and how data is written, beyond its format.
#[derive(Debug, Clone, Copy, Default)]
pub struct Target {
    /// Whether stdout is a terminal, which only decides whether tables wrap to its width.
    pub terminal: bool,
    /// `--csv-raw`: CSV cells exactly as stored, formula-like ones included (for scripts).
    pub csv_raw: bool,
    /// The terminal's width as `$COLUMNS` says (`Config::columns`), which beats asking it.
    pub columns: Option<usize>,
}

/// Writes `value` to `out` in `format`. Errors are the writer's own `io::Error`s, so a closed
/// pipe stays recognisable as one.
pub fn write(
    out: &mut dyn Write,
    format: Format,
    value: &dyn Render,
    target: Target,
) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &value.json())?;
            writeln!(out)?;
        }
        Format::Csv => {
            let (columns, rows) = value.csv();
            let mut w = io::BufWriter::new(&mut *out);
            w.write_all(csv_record(&columns, target.csv_raw).as_bytes())?;
            for row in rows {
                w.write_all(csv_record(&row, target.csv_raw).as_bytes())?;
            }
            w.flush()?;
        }
        Format::Table => {
            for (i, section) in value.sections().into_iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                if let Some(title) = &section.title {
                    writeln!(out, "{}", terminal_safe(title))?;
                }
                let layout = if target.terminal {
                    table::Layout::Terminal(table::terminal_width(target.columns))
                } else {
                    table::Layout::Plain
                };
                writeln!(out, "{}", table::render(&section, layout))?;
            }
        }
    }
    out.flush()
}

/// What a person is shown of one cell in a table: control and bidi characters escaped, so text
/// from a platform can never drive the terminal.
pub fn display_cell(cell: &str) -> String {
    terminal_safe(cell).into_owned()
}

/// Column headers (or any names) as the owned strings a [`Section`] or a CSV header holds.
pub fn names(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

/// Renders an optional value as a table/CSV cell.
pub fn cell<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Default)]
    struct Row {
        id: i64,
        name: String,
    }

    impl Columns for Row {}

    fn render(format: Format, value: &dyn Render) -> String {
        let mut out = Vec::new();
        write(&mut out, format, value, Target::default()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn one_value_three_formats() {
        let list = List(vec![
            Row {
                id: 1,
                name: "Ann, \"the\" fan".into(),
            },
            Row {
                id: 2,
                name: "Bo".into(),
            },
        ]);
        assert_eq!(
            render(Format::Csv, &list),
            "id,name\n1,\"Ann, \"\"the\"\" fan\"\n2,Bo\n"
        );
        let json: serde_json::Value = serde_json::from_str(&render(Format::Json, &list)).unwrap();
        assert_eq!(json[1]["name"], "Bo");
        let table = render(Format::Table, &list);
        assert!(table.contains("Bo") && table.contains("name"), "{table}");
    }

    #[test]
    fn formats_parse_from_config_text() {
        assert_eq!("JSON".parse::<Format>().unwrap(), Format::Json);
        assert!("xml".parse::<Format>().is_err());
    }
}
