use chrono::{DateTime, Utc};
use clap::{Subcommand, ValueEnum};

use super::{PageArgs, parse_when};
use crate::vocab::PlatformId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Direction {
    /// From the fan
    In,
    /// From the creator
    Out,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

/// The `messages` subcommands.
#[derive(Debug, Subcommand)]
pub enum MessagesCommand {
    /// List DMs and comments, oldest first, a page at a time
    ///
    /// Page through with --after set to the id of the last row shown.
    List {
        /// Only messages on this platform
        #[arg(long, short)]
        platform: Option<PlatformId>,

        /// Only messages in this account's inbox and posts (the creator's local name)
        #[arg(long, short, value_name = "NAME")]
        account: Option<String>,

        /// Only messages whose text contains TEXT (any case)
        ///
        /// Case is ignored (Unicode lowercasing), accents count, `%` and `_` are literal. Three
        /// characters or more are looked up in a trigram index; one or two read every row.
        #[arg(long, short, value_name = "TEXT")]
        search: Option<String>,

        /// Only messages with this fan: ID or PLATFORM:USER, as for `fans show`
        #[arg(long, value_name = "FAN")]
        fan: Option<String>,

        /// Only messages in this direction
        #[arg(long)]
        direction: Option<Direction>,

        /// Only messages sent at or after this date (2026-11-01, RFC 3339, or 7d/12h ago)
        #[arg(long, value_name = "DATE", value_parser = parse_when)]
        since: Option<DateTime<Utc>>,

        /// Only messages sent before this date
        #[arg(long, value_name = "DATE", value_parser = parse_when)]
        until: Option<DateTime<Utc>>,

        /// `--limit` and `--after`.
        #[command(flatten)]
        page: PageArgs,
    },
}
