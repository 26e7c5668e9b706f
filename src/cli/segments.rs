use clap::{Args, Subcommand};

use super::{
    PageArgs,
    fans::{parse_cents, tag_name},
    parse_when,
};
use crate::vocab::PlatformId;

/// The `segments` subcommands.
#[derive(Debug, Subcommand)]
pub enum SegmentsCommand {
    /// Save a segment: a named `fans list` filter, evaluated live whenever it is used
    ///
    /// The filters are those of `fans list`; a relative date (7d) stays relative, judged at
    /// each use. Names are 1 to 40 characters of a-z, 0-9, _ and -, lower-cased; the built-in
    /// names (whales, new, cold) are taken. Use it as `fans list --segment NAME`.
    /// Example: `socialcrm segments create vip-of --platform onlyfans --tag vip`
    Create {
        /// The segment's name
        #[arg(value_parser = segment_name)]
        name: String,

        /// The filters the segment saves.
        #[command(flatten)]
        filter: SegmentFilterArgs,
    },

    /// Every segment: the built-in ones, then the saved ones, with their definition and live count
    ///
    /// Built in (each judged per account, the creator): whales, the top 1% of an account's
    /// paying fans by lifetime spend (ceil(1%) of the fans with spend > 0, everyone tied with
    /// the last of them included); new, first seen within the last 7 days; cold, lifetime
    /// spend at least the account's median (the lower median over its paying fans) and last
    /// seen more than 30 days ago. Counts are computed now, never cached.
    List,

    /// One segment: its definition, live count and the first page of its members
    Show {
        /// The segment's name (saved or built in)
        #[arg(value_parser = segment_name)]
        name: String,

        /// `--limit` and `--after`.
        #[command(flatten)]
        page: PageArgs,
    },

    /// Delete a saved segment (the fans in it are not touched)
    Delete {
        /// The segment's name
        #[arg(value_parser = segment_name)]
        name: String,
    },
}

/// The `fans list` filters a segment saves.
#[derive(Debug, Args, Clone, Default)]
pub struct SegmentFilterArgs {
    /// Only fans on this platform
    #[arg(long, short)]
    pub platform: Option<PlatformId>,

    /// Only relationships with this account (the creator)
    #[arg(long, short, value_name = "NAME")]
    pub account: Option<String>,

    /// Only relationships with this status (e.g. active, expired)
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,

    /// Only relationships with a lifetime spend of at least AMOUNT (major units: 12.50)
    #[arg(long, value_name = "AMOUNT", value_parser = parse_cents)]
    pub min_spend: Option<i64>,

    /// Only relationships with a lifetime spend of at most AMOUNT
    #[arg(long, value_name = "AMOUNT", value_parser = parse_cents)]
    pub max_spend: Option<i64>,

    /// Only fans whose username, display name or platform id contains TEXT (any case)
    #[arg(long, short, value_name = "TEXT")]
    pub search: Option<String>,

    /// Only fans last seen at or after this date (2026-11-01, RFC 3339, or 7d/12h ago: relative
    /// dates stay relative)
    #[arg(long, value_name = "DATE", value_parser = when_text)]
    pub since: Option<String>,

    /// Only fans last seen before this date
    #[arg(long, value_name = "DATE", value_parser = when_text)]
    pub until: Option<String>,

    /// Only fans tagged TAG; repeat to require all of them
    #[arg(long = "tag", value_name = "TAG", value_parser = tag_name)]
    pub tags: Vec<String>,
}

/// A date as typed, checked now and kept as text so that `7d` means 7 days before each use.
fn when_text(raw: &str) -> Result<String, String> {
    parse_when(raw)?;
    Ok(raw.trim().to_string())
}

/// Longest segment name, in characters.
pub const SEGMENT_NAME_MAX: usize = 40;

/// A segment name: trimmed, lower-cased, 1 to `SEGMENT_NAME_MAX` of `a-z 0-9 _ -`.
pub fn segment_name(raw: &str) -> Result<String, String> {
    super::lowercase_name(
        raw,
        "a segment name",
        SEGMENT_NAME_MAX,
        "_-",
        "a-z, 0-9, _ and -",
    )
}
