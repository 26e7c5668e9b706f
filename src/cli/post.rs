use std::path::PathBuf;

use clap::{Args, Subcommand};

/// Where a post can be written; each platform takes its own arguments.
#[derive(Debug, Subcommand)]
pub enum PostCommand {
    /// Post to X: text, up to four media files, or a reply; prints the post's URL
    ///
    /// Media files are uploaded in chunks from disk first (mp4, mov, gif, jpg, png, webp).
    /// Example: `socialcrm post x "New video is up" --media clip.mp4`
    #[command(alias = "twitter")]
    X(XPostArgs),

    /// Submit a link or text post to a subreddit, with a title and optionally a flair
    ///
    /// Prints the post's URL. Reddit's refusals (a missing community, its rules, a required
    /// flair, posting too often) are told in one line. Example: `socialcrm post reddit
    /// --subreddit test --title "Day 1" --url https://example.com/day-1`
    Reddit(RedditPostArgs),
}

/// The arguments of `post reddit`: exactly one of a link, a text or a text file.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("body").required(true).args(["url", "text", "text_file"])))]
pub struct RedditPostArgs {
    /// The community to post in, without `r/`
    #[arg(long, value_name = "NAME")]
    pub subreddit: String,

    /// The post's title (at most 300 characters)
    #[arg(long, value_name = "TEXT")]
    pub title: String,

    /// A link post to this address
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// A text post with this body (Markdown)
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,

    /// A text post whose body is read from FILE (`-` for standard input)
    #[arg(long, value_name = "FILE")]
    pub text_file: Option<PathBuf>,

    /// The id of one of the community's link flair templates
    #[arg(long, value_name = "ID", conflicts_with = "flair")]
    pub flair_id: Option<String>,

    /// A link flair by its text, looked up among the community's flair templates
    #[arg(long, value_name = "TEXT")]
    pub flair: Option<String>,

    /// Mark the post NSFW
    #[arg(long)]
    pub nsfw: bool,

    /// Mark the post as a spoiler
    #[arg(long)]
    pub spoiler: bool,

    /// The local name of the account to post from
    #[arg(long, value_name = "NAME", value_parser = super::account_name, default_value = "default")]
    pub account: String,
}

/// The arguments of `post x`.
#[derive(Debug, Args)]
pub struct XPostArgs {
    /// The post's text
    pub text: String,

    /// A media file to attach (repeat for up to four)
    #[arg(long = "media", value_name = "FILE")]
    pub media: Vec<PathBuf>,

    /// Post as a reply to the post with this id
    #[arg(long, value_name = "ID")]
    pub reply_to: Option<String>,

    /// The local name of the account to post from
    #[arg(long, value_name = "NAME", value_parser = super::account_name, default_value = "default")]
    pub account: String,

    /// Longest wait for X to process a video, in seconds (at most 86400)
    #[arg(long, value_name = "SECS", default_value_t = 600,
          value_parser = clap::value_parser!(u64).range(0..=86_400))]
    pub wait: u64,
}
