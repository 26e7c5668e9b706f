use clap::Args;

use crate::vocab::PlatformId;
use crate::vocab::platform::FACTS;

/// `sync --help`'s long text, listing every platform's streams from the registry's facts.
pub(super) fn long_about() -> String {
    let streams: Vec<String> = FACTS
        .iter()
        .filter(|f| !f.streams.is_empty())
        .map(|f| format!("{}: {}", f.display, f.streams))
        .collect();
    format!(
        "Fetch what is new from connected accounts into the CRM (cron: `socialcrm sync --all`)\n\n\
         Each stream ({}; the insights streams unless switched off) is read page by page; every \
         page is committed with its resume point, so an interrupted sync continues where it \
         stopped. Exits 4 when an account must be connected again, else 3 when some accounts \
         failed and 1 when all did.",
        streams.join("; ")
    )
}

/// The arguments of `sync`: which accounts, all or only what is new, how many at once.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Only these platforms (default: every connected account; see --all)
    pub platforms: Vec<PlatformId>,

    /// Every connected account of every platform (what cron runs)
    #[arg(long, conflicts_with = "platforms")]
    pub all: bool,

    /// Only the account with this local name
    #[arg(long, value_name = "NAME", value_parser = super::account_name)]
    pub account: Option<String>,

    /// Re-read everything instead of only what is new since the last sync
    #[arg(long)]
    pub full: bool,

    /// Show the latest sync runs (what cron did) instead of syncing
    #[arg(long, conflicts_with_all = ["platforms", "all", "full"])]
    pub history: bool,

    /// With --history: how many runs to show
    #[arg(long, value_name = "N", default_value_t = 50, requires = "history", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub limit: u32,

    /// Read at most N billed resources per stream in this run (X bills each user, post and DM
    /// read); a stream that reaches it stops and the next run continues [default: the
    /// platform's read budget setting, X: 1000]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_reads: Option<u64>,

    /// Sync up to N accounts at once
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub jobs: u32,
}
