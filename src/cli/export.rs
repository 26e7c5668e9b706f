use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// What `export` writes each table as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Comma-separated values with a header row: NULL is an empty cell, an empty text `""`
    Csv,
    /// JSON Lines: one object per row, numbers as numbers, NULL as null
    Jsonl,
}

impl ExportFormat {
    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Jsonl => "jsonl",
        }
    }
}

/// The arguments of `export`: which tables, which rows, what format, where.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Export only this table (repeatable); every CRM table by default (see the README's
    /// "Export" section for their columns). `secrets` is never exported.
    #[arg(long = "table", short = 't', value_name = "TABLE")]
    pub tables: Vec<String>,

    /// Only the rows about the fans of this segment (built in: whales, new, cold; or saved):
    /// the `fans` rows of its members by default; name fan_accounts, messages, fan_tags or
    /// fan_notes with --table for their relationships, messages, tags and notes, judged in
    /// the same snapshot
    #[arg(long, value_name = "NAME")]
    pub segment: Option<String>,

    /// File format
    #[arg(long, short = 'f', value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,

    /// Directory to write TABLE.csv / TABLE.jsonl into (created if missing; files of the same
    /// name are replaced), or `-` for stdout (then exactly one --table)
    #[arg(long, value_name = "DIR|-", default_value = ".")]
    pub out: PathBuf,
}
