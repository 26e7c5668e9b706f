use std::path::PathBuf;

use clap::{Args, Subcommand};

/// Where a post can be published.
#[derive(Debug, Subcommand)]
pub enum PostCommand {
    /// Post to X: text, up to four media files, or a reply; prints the post's URL
    ///
    /// Media files are uploaded in chunks from disk first (mp4, mov, gif, jpg, png, webp).
    /// Example: `socialcrm post x "New video is up" --media clip.mp4`
    #[command(alias = "twitter")]
    X(XPostArgs),
}

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
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub account: String,

    /// Longest wait for X to process a video, in seconds
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub wait: u64,
}
