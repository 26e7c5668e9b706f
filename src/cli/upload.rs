use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, ValueEnum};

use crate::vocab::PlatformId;
use crate::vocab::platform::FACTS;

/// The platforms `upload` takes: those whose facts say what an upload posts there (the
/// registry's publishers; `tests/registry.rs` checks that both lists agree), with those words as
/// each value's help.
fn publishing() -> impl TypedValueParser<Value = PlatformId> {
    let values = FACTS.iter().filter_map(|facts| {
        let help = facts.upload?;
        Some(
            PossibleValue::new(facts.name)
                .aliases(facts.aliases.iter().copied())
                .help(help),
        )
    });
    PossibleValuesParser::new(values).try_map(|name| name.parse::<PlatformId>())
}

/// Who may watch a TikTok post (the creator's account decides which of these are offered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Privacy {
    /// Everyone (PUBLIC_TO_EVERYONE)
    #[value(alias = "PUBLIC_TO_EVERYONE")]
    Public,
    /// Mutual followers (MUTUAL_FOLLOW_FRIENDS)
    #[value(alias = "MUTUAL_FOLLOW_FRIENDS")]
    Friends,
    /// Followers (FOLLOWER_OF_CREATOR)
    #[value(alias = "FOLLOWER_OF_CREATOR")]
    Followers,
    /// Only the creator (SELF_ONLY); the only level unaudited apps may post
    #[value(alias = "SELF_ONLY")]
    Private,
}

/// The arguments of `upload`.
#[derive(Debug, Args)]
pub struct UploadArgs {
    /// The platform to post to
    #[arg(value_parser = publishing())]
    pub platform: PlatformId,

    /// The video file (TikTok: MP4, MOV or WebM; X: also GIF and images)
    pub file: PathBuf,

    /// The post's caption (TikTok: the title, hashtags and mentions included)
    #[arg(long, value_name = "TEXT", conflicts_with = "draft")]
    pub caption: Option<String>,

    /// Who may watch; must be one the account allows [default: private]
    #[arg(long, value_name = "LEVEL", conflicts_with = "draft")]
    pub privacy: Option<Privacy>,

    /// Send to the creator's TikTok inbox instead of posting; they finish the post in the app
    #[arg(long)]
    pub draft: bool,

    /// Return once the file is sent, printing the publish id, instead of waiting for the result
    #[arg(long)]
    pub no_wait: bool,

    /// Post again even if the ledger says this file was already posted from this account
    #[arg(long)]
    pub force: bool,

    /// The local name of the account to post from
    #[arg(long, value_name = "NAME", value_parser = super::account_name, default_value = "default")]
    pub account: String,

    /// Bytes per chunk (5 MiB to 64,000,000; the last chunk takes the rest)
    #[arg(long, value_name = "BYTES", default_value_t = 64_000_000,
          value_parser = clap::value_parser!(u64).range(5 * 1024 * 1024..=64_000_000))]
    pub chunk_size: u64,

    /// Longest wait for the platform to finish processing the file (TikTok, Instagram and X
    /// process uploads before they are published), in seconds (at most 86400)
    #[arg(long, value_name = "SECS", default_value_t = 600,
          value_parser = clap::value_parser!(u64).range(0..=86_400))]
    pub wait: u64,
}
