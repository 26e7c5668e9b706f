use chrono::{DateTime, Utc};
use clap::Subcommand;

use super::{PageArgs, parse_when};
use crate::vocab::PlatformId;

/// The `audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// List audit entries, oldest first, a page at a time
    ///
    /// Entries never contain tokens or secrets. Page through with --after set to the id of the
    /// last row shown.
    List {
        /// Only entries about this platform
        #[arg(long, short)]
        platform: Option<PlatformId>,

        /// Only entries of this action (connect, sync, import, ...)
        #[arg(long, value_name = "ACTION")]
        action: Option<String>,

        /// Only entries whose action, actor, account or detail contains TEXT (any case)
        #[arg(long, short, value_name = "TEXT")]
        search: Option<String>,

        /// Only entries at or after this date (2026-11-01, RFC 3339, or 7d/12h ago)
        #[arg(long, value_name = "DATE", value_parser = parse_when)]
        since: Option<DateTime<Utc>>,

        /// Only entries before this date
        #[arg(long, value_name = "DATE", value_parser = parse_when)]
        until: Option<DateTime<Utc>>,

        /// `--limit` and `--after`.
        #[command(flatten)]
        page: PageArgs,
    },
}
