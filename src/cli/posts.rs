use chrono::{DateTime, Utc};
use clap::{Subcommand, ValueEnum};

use super::{PageArgs, account_name, parse_when};
use crate::vocab::PlatformId;

/// What `posts list` orders by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PostSortArg {
    /// Publication time
    Published,
    /// Latest view count
    Views,
    /// Latest like count
    Likes,
    /// Latest comment count
    Comments,
    /// Latest share count
    Shares,
}

/// The `posts` subcommands.
#[derive(Debug, Subcommand)]
pub enum PostsCommand {
    /// List synced posts (videos, media, submissions, tweets) with their latest metrics
    ///
    /// Ordered by --sort (publication time by default), oldest or lowest first, --desc for
    /// newest or highest first; a post without the value (a metric the platform does not give)
    /// sorts as the lowest. Ties are ordered by id. Page through with --after set to the id of
    /// the last row shown: pages never skip or repeat a post, whatever the sort.
    List {
        /// Only posts of this local account (the name given to `connect --account`)
        #[arg(long, value_name = "NAME", value_parser = account_name)]
        account: Option<String>,

        /// Only posts on this platform
        #[arg(long, short)]
        platform: Option<PlatformId>,

        /// Only posts published at or after this date (2026-11-01, RFC 3339, or 7d/12h ago)
        #[arg(long, value_name = "DATE", value_parser = parse_when)]
        since: Option<DateTime<Utc>>,

        /// Only posts published before this date
        #[arg(long, value_name = "DATE", value_parser = parse_when)]
        until: Option<DateTime<Utc>>,

        /// Only posts whose caption contains TEXT (any case)
        #[arg(long, short, value_name = "TEXT")]
        search: Option<String>,

        /// What to order by
        #[arg(long, value_enum, default_value_t = PostSortArg::Published)]
        sort: PostSortArg,

        /// Newest or highest first
        #[arg(long)]
        desc: bool,

        /// `--limit` and `--after`.
        #[command(flatten)]
        page: PageArgs,
    },

    /// Show one post: caption, URL, media type, published, latest metrics and their history
    ///
    /// POST is the post's id (from `posts list`) or PLATFORM:ID with the platform's own post id,
    /// e.g. `tiktok:7301234567890123456`. The history is every metric recorded for the post by
    /// each sync (`--output json` has all of it, with units and periods).
    Show {
        /// The post: ID or PLATFORM:POST_ID
        post: String,
    },
}
