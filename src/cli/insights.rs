use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};

use super::when::parse_when;
use crate::vocab::PlatformId;

/// How many top posts `insights` shows unless told.
pub const TOP_DEFAULT: u32 = 5;

/// `--account`, `--from` and `--to` may stand before a view (`insights --account alice
/// attribution`) as after it; the metrics' other options are refused with one there.
#[derive(Debug, Args)]
pub struct InsightsArgs {
    /// A view other than the metrics (`attribution`); none for the metrics.
    #[command(subcommand)]
    pub view: Option<InsightsView>,

    /// Only this platform (default: all)
    pub platform: Option<PlatformId>,

    /// Only this connected account (its local name)
    #[arg(long, value_name = "NAME", value_parser = super::account_name)]
    pub account: Option<String>,

    /// From this time: a date, RFC 3339, or 7d / 12h / 30m ago (default: 30d)
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub from: Option<DateTime<Utc>>,

    /// Until this time, excluded (default: now)
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub to: Option<DateTime<Utc>>,

    /// Only this metric (repeat for several), e.g. follower_count, view_count
    #[arg(long = "metric", value_name = "METRIC")]
    pub metrics: Vec<String>,

    /// Sync the platform first, so the figures are current
    #[arg(long)]
    pub refresh: bool,

    /// Draw each metric over time (a sparkline per metric)
    #[arg(long)]
    pub chart: bool,

    /// How many top posts to show
    #[arg(long, value_name = "N", default_value_t = TOP_DEFAULT)]
    pub top: u32,
}

/// Views of insights other than the metrics.
#[derive(Debug, Subcommand)]
pub enum InsightsView {
    /// Revenue and subscribers traced to posts, through OnlyFans tracking links: per source
    /// platform, per link (with the posts that carried it) and per post; revenue no post
    /// explains is its own "unattributed" line
    Attribution(AttributionArgs),
}

/// The arguments of `insights attribution`.
#[derive(Debug, Args)]
pub struct AttributionArgs {
    /// Only the tracking links of this account (its local name; the posts carrying them may
    /// be any account's)
    #[arg(long, value_name = "NAME", value_parser = super::account_name)]
    pub account: Option<String>,

    /// Only link statistics of periods starting at or after this time (default: every link's
    /// lifetime figures)
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub from: Option<DateTime<Utc>>,

    /// Only link statistics of periods starting before this time
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub to: Option<DateTime<Utc>>,
}
