use chrono::{DateTime, Utc};
use clap::Args;

use super::when::parse_when;
use crate::vocab::PlatformId;

#[derive(Debug, Args)]
pub struct InsightsArgs {
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
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub top: u32,
}
