use clap::Args;

use crate::platforms::PlatformId;

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Only these platforms (default: every connected account; see --all)
    pub platforms: Vec<PlatformId>,

    /// Every connected account of every platform (what cron runs)
    #[arg(long, conflicts_with = "platforms")]
    pub all: bool,

    /// Only the account with this local name
    #[arg(long, value_name = "NAME")]
    pub account: Option<String>,

    /// Re-read everything instead of only what is new since the last sync
    #[arg(long)]
    pub full: bool,

    /// Sync up to N accounts at once
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub jobs: u32,
}
