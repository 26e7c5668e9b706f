use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::Args;

use super::when::parse_when;

/// The arguments of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Only this connected account (its local name; repeat for several, which adds an agency
    /// overview). Default: every account in the CRM
    #[arg(long = "account", value_name = "NAME", value_parser = super::account_name)]
    pub accounts: Vec<String>,

    /// From this time: a date, RFC 3339, or 7d / 12h / 30m ago (default: 30d)
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub from: Option<DateTime<Utc>>,

    /// Until this time, excluded (default: now)
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub to: Option<DateTime<Utc>>,

    /// Write the page here, or - for standard output [default:
    /// socialcrm-report-<account>-<from>-<to>.html in the current directory]
    #[arg(long, value_name = "FILE.html")]
    pub out: Option<PathBuf>,

    /// Open the written page in the browser ($BROWSER, else the desktop's opener)
    #[arg(long)]
    pub open: bool,

    /// How many top posts and top fans to show
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=25))]
    pub top: u32,
}
