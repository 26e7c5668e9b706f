//! Whole tables streamed out of one consistent snapshot, for `socialcrm export`.
//!
//! The store reads; a [`RowSink`] (the command's CSV or JSONL writer) receives each table's
//! columns and then its rows one at a time, borrowed from the driver's row buffer, so memory
//! stays flat whatever the table's size. Every table is read inside one read transaction
//! (SQLite: a deferred `BEGIN`, whose first read fixes the WAL snapshot; PostgreSQL:
//! `REPEATABLE READ READ ONLY`), so an export taken while a sync writes is one moment of the
//! CRM, across all its tables.
//!
//! What leaves the database is decided here, once: [`exportable`] lists the tables (every
//! table of [`TABLES`] but the withheld ones, so new tables appear by themselves) and
//! [`WITHHELD_COLUMNS`] the columns that never leave.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use super::StoreError;
use super::tables::TABLES;

/// One value of an exported row, borrowed from the driver for the time of one row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// NULL: JSON `null`, an empty CSV cell.
    Null,
    /// An integer.
    Int(i64),
    /// A float (metric values).
    Real(f64),
    /// Text; borrowed, except where the driver's bytes were not UTF-8 (shown with U+FFFD).
    Text(Cow<'a, str>),
    /// A time; written as the fixed-width RFC 3339 text SQLite stores
    /// (`store::value::format_time`), so both backends export the same bytes.
    Time(DateTime<Utc>),
}

/// Where exported rows go.
pub trait RowSink {
    /// A table begins, with its exported columns in the table's column order.
    fn start(&mut self, table: &str, columns: &[String]) -> std::io::Result<()>;
    /// One row, its cells in the order of `start`'s columns.
    fn row(&mut self, cells: &[Cell<'_>]) -> std::io::Result<()>;
    /// The table is complete, with `rows` rows.
    fn finish(&mut self, table: &str, rows: u64) -> std::io::Result<()>;
}

/// Tables that are never exported, and why (said when one is asked for).
pub const WITHHELD_TABLES: [(&str, &str); 3] = [
    (
        "secrets",
        "it holds the sealed OAuth tokens of the db secrets backend, which never leave the database",
    ),
    (
        "webhook_replays",
        "it is internal bookkeeping (the content hashes of webhook deliveries already recorded, kept to refuse replays)",
    ),
    (
        "sync_state",
        "it is internal bookkeeping (each stream's opaque resume cursor); sync_runs has the history of every sync",
    ),
];

/// Columns left out of an exported table, and why.
pub const WITHHELD_COLUMNS: [(&str, &str, &str); 1] = [(
    "uploads",
    "upload_url",
    "a short-lived upload address that grants writing to the creator's account; never printed",
)];

/// The tables `export` writes by default: every table of the data model but the withheld
/// ones, in `db status` order.
pub fn exportable() -> Vec<&'static str> {
    TABLES
        .iter()
        .copied()
        .filter(|t| WITHHELD_TABLES.iter().all(|(w, _)| w != t))
        .collect()
}

/// Why `table` cannot be exported, if it cannot.
pub fn refusal(table: &str) -> Option<String> {
    if let Some((_, why)) = WITHHELD_TABLES.iter().find(|(w, _)| *w == table) {
        return Some(format!("table '{table}' is never exported: {why}"));
    }
    if !TABLES.contains(&table) {
        return Some(format!(
            "there is no table '{table}'; the tables are {}",
            exportable().join(", ")
        ));
    }
    None
}

/// The tables an export narrowed to a segment writes, each with the condition that ties one
/// of its rows (`x`) to a member relationship (`fa`, with its identity `f`): the member
/// identities, the member relationships, the messages of those relationships (the
/// conversation with that account, as `fans list` counts them), and the fans' tags and notes
/// of that account or of every account (`''`).
pub const SEGMENT_TABLES: [(&str, &str); 5] = [
    (
        "fans",
        "fa.platform = x.platform AND fa.platform_user_id = x.platform_user_id",
    ),
    ("fan_accounts", "fa.id = x.id"),
    (
        "messages",
        "fa.platform = x.platform AND fa.platform_user_id = x.fan_platform_user_id \
         AND fa.account = x.account",
    ),
    (
        "fan_tags",
        "f.id = x.fan_id AND x.account IN ('', fa.account)",
    ),
    (
        "fan_notes",
        "f.id = x.fan_id AND x.account IN ('', fa.account)",
    ),
];

/// The tables `export --segment` writes when none is named: the member identities.
pub const SEGMENT_DEFAULT: [&str; 1] = ["fans"];

/// Why `table` cannot be narrowed to a segment's fans, if it cannot.
pub fn segment_refusal(table: &str) -> Option<String> {
    if SEGMENT_TABLES.iter().any(|(t, _)| *t == table) {
        return None;
    }
    let names: Vec<&str> = SEGMENT_TABLES.iter().map(|(t, _)| *t).collect();
    Some(format!(
        "table '{table}' has no rows about a segment's fans; with --segment the tables are {}",
        names.join(", ")
    ))
}

/// The condition of [`SEGMENT_TABLES`] for `table`.
pub fn segment_link(table: &str) -> Option<&'static str> {
    SEGMENT_TABLES
        .iter()
        .find(|(t, _)| *t == table)
        .map(|(_, link)| *link)
}

/// Whether `column` of `table` is exported.
pub fn exported_column(table: &str, column: &str) -> bool {
    !WITHHELD_COLUMNS
        .iter()
        .any(|(t, c, _)| *t == table && *c == column)
}

/// A column of a table as the driver sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// As the table declares it: the export's field or header name.
    pub name: String,
    /// Whether the driver reads the column's values as they are; if not, the export reads
    /// them as text (`CAST(c AS TEXT)`).
    pub native: bool,
}

/// A sink failure as a store error (the export stops; nothing in the database changes).
pub fn sink_error(e: std::io::Error) -> StoreError {
    StoreError::Sink(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_leave_and_every_other_table_does() {
        let tables = exportable();
        assert!(!tables.contains(&"secrets"));
        assert!(tables.contains(&"fans") && tables.contains(&"audit_log"));
        assert!(refusal("secrets").unwrap().contains("never exported"));
        assert!(refusal("nope").unwrap().contains("no table 'nope'"));
        assert_eq!(refusal("posts"), None);
        assert!(!exported_column("uploads", "upload_url"));
        assert!(exported_column("uploads", "status"));
    }

    #[test]
    fn a_segment_narrows_the_fans_own_tables_only() {
        for (table, _) in SEGMENT_TABLES {
            assert_eq!(refusal(table), None, "{table} is a table");
            assert_eq!(segment_refusal(table), None);
        }
        assert!(SEGMENT_DEFAULT.iter().all(|t| segment_link(t).is_some()));
        let posts = segment_refusal("posts").unwrap();
        assert!(
            posts.contains("'posts'") && posts.contains("fan_notes"),
            "{posts}"
        );
    }
}
