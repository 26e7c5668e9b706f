use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// Where an export came from. OnlyFans has no API: creators export CSV files themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportSource {
    /// CSV files exported from OnlyFans (or from an agency tool)
    Onlyfans,
}

/// What the file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportKind {
    /// Fans / subscribers: one row per fan (username or fan id required)
    Fans,
    /// Messages: one row per message (fan, time and direction required)
    Messages,
    /// Earnings statements / transactions: one row per payment (time and an amount required)
    Earnings,
    /// Tracking-link statistics: one row per link, or per link and period (URL and a figure
    /// required)
    Links,
}

/// How `import-csv` reads numeric dates whose day and month could be swapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DateFormat {
    /// ISO 8601 always; 11/01/2026 is month first, 01.11.2026 day first; unclear dates are errors
    Auto,
    /// Year first only (2026-11-01)
    Iso,
    /// Month first (11/01/2026 is November 1st)
    Mdy,
    /// Day first (01/11/2026 is November 1st)
    Dmy,
}

/// The arguments of `import-csv`: what the file is, whose, and where bad rows go.
#[derive(Debug, Args)]
pub struct ImportCsvArgs {
    /// The platform the export comes from
    pub source: ImportSource,

    /// What the file holds
    pub kind: ImportKind,

    /// The CSV file, or - for standard input
    pub file: PathBuf,

    /// Map a column the importer does not recognise to a field, e.g. --map "Fan handle=username"
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub maps: Vec<String>,

    /// How to read numeric dates
    #[arg(long, value_name = "FORMAT", default_value = "auto")]
    pub date_format: DateFormat,

    /// Check every row and report, writing nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Write rejected rows (line number, reason, original row) to this CSV file
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,

    /// The creator whose export this is: the local account name its fans, messages and
    /// payments belong to (the same name as the creator's connections). Default `default`;
    /// required once the CRM holds OnlyFans data of more than one account
    #[arg(long, value_name = "NAME")]
    pub account: Option<String>,
}

/// The arguments of `import-export`.
#[derive(Debug, Args)]
pub struct ImportExportArgs {
    /// The directory `socialcrm export --format jsonl --out DIR` wrote
    pub dir: PathBuf,

    /// Restore only this table (repeatable): fans, fan_accounts, posts, messages,
    /// analytics_events. By default
    /// each of them whose TABLE.jsonl is in DIR
    #[arg(long = "table", short = 't', value_name = "TABLE")]
    pub tables: Vec<String>,
}
