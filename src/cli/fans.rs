use chrono::{DateTime, Utc};
use clap::Subcommand;

use super::{PageArgs, parse_when};
use crate::vocab::PlatformId;

#[derive(Debug, Subcommand)]
pub enum FansCommand {
    /// List fans, oldest first, a page at a time
    ///
    /// Page through with --after set to the id of the last row shown.
    List {
        /// Only fans on this platform
        #[arg(long, short)]
        platform: Option<PlatformId>,

        /// Only fans whose username, display name or platform id contains TEXT (any case)
        ///
        /// Case is ignored (Unicode lowercasing), accents count, `%` and `_` are literal. Three
        /// characters or more are looked up in a trigram index; one or two read every row.
        #[arg(long, short, value_name = "TEXT")]
        search: Option<String>,

        /// Only fans last seen at or after this date (2026-11-01, RFC 3339, or 7d/12h ago)
        #[arg(long, value_name = "DATE", value_parser = parse_when)]
        since: Option<DateTime<Utc>>,

        /// Only fans last seen before this date
        #[arg(long, value_name = "DATE", value_parser = parse_when)]
        until: Option<DateTime<Utc>>,

        #[command(flatten)]
        page: PageArgs,
    },

    /// Show one fan in detail
    ///
    /// FAN is the fan's id (from `fans list`), or PLATFORM:USER where USER is the platform's
    /// user id or the username (with or without @), e.g. `onlyfans:@anna`.
    Show {
        /// The fan: ID or PLATFORM:USER
        fan: String,
    },
}
