//! The command line: clap definitions only, no I/O.
//!
//! Each command's doc comment is its `--help`, so these comments are user documentation. Global
//! flags that have a `SOCIALCRM_*` environment twin are declared with it here, which gives flags
//! precedence over the environment; `config` then fills what neither set from the config file.

mod accounts;
mod audit;
mod db;
mod doctor;
mod export;
mod fans;
mod import;
mod insights;
mod messages;
mod people;
mod post;
mod posts;
mod report;
mod secrets;
mod segments;
mod sync;
mod upload;
mod webhooks;
mod when;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use accounts::{AccountsArgs, ConnectArgs, DisconnectArgs};
pub use audit::AuditCommand;
pub use db::DbCommand;
pub use doctor::DoctorArgs;
pub use export::{ExportArgs, ExportFormat};
pub use fans::{FanSortArg, FansCommand, tag_name};
pub use import::{DateFormat, ImportCsvArgs, ImportExportArgs, ImportKind, ImportSource};
pub use insights::{AttributionArgs, InsightsArgs, InsightsView, TOP_DEFAULT};
pub use messages::MessagesCommand;
pub use people::{PeopleCommand, PersonSortArg};
pub use post::{PostCommand, RedditPostArgs, XPostArgs};
pub use posts::{PostSortArg, PostsCommand};
pub use report::ReportArgs;
pub use secrets::SecretsCommand;
pub use segments::{SegmentFilterArgs, SegmentsCommand, segment_name};
pub use sync::SyncArgs;
pub use upload::{Privacy, UploadArgs};
pub use webhooks::WebhooksCommand;
pub use when::parse_when;

use crate::output::Format;

/// One CRM for a creator's social platforms.
///
/// socialcrm connects TikTok, Instagram, Reddit and X accounts, imports OnlyFans exports, and
/// keeps fans, messages, posts and analytics in one database: SQLite in your data directory by
/// default, or PostgreSQL for teams (--database-url).
#[derive(Debug, Parser)]
#[command(
    name = "socialcrm",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(
    after_help = "Exit codes: 0 success, 1 failure, 2 usage error, 3 partial failure, \
4 re-authentication needed, 5 configuration error."
)]
pub struct Cli {
    /// The options every command takes (database, config, output, logging).
    #[command(flatten)]
    pub global: GlobalArgs,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Options valid before or after any command (`global = true`), resolved into the config
/// with flags over environment over file.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite
    /// file [default: $XDG_DATA_HOME/socialcrm/crm.db]
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "SOCIALCRM_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "SOCIALCRM_CONFIG",
        hide_env_values = true
    )]
    pub config: Option<PathBuf>,

    /// How to print results [default: table]
    #[arg(
        short,
        long,
        global = true,
        value_name = "FORMAT",
        env = "SOCIALCRM_OUTPUT",
        hide_env_values = true
    )]
    pub output: Option<Format>,

    /// More log output on stderr (-v info, -vv debug, -vvv trace)
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Only errors on stderr
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Never draw progress bars (they are only drawn when stderr is a terminal)
    #[arg(long, global = true)]
    pub no_progress: bool,

    /// Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a
    /// formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading '
    #[arg(long, global = true)]
    pub csv_raw: bool,

    /// Log lines as text, or as JSON objects (one per line, with their spans) for log shippers
    #[arg(
        long,
        global = true,
        value_name = "FORMAT",
        env = "SOCIALCRM_LOG_FORMAT",
        hide_env_values = true,
        default_value = "text"
    )]
    pub log_format: LogFormat,
}

/// Every command; `app` dispatches each to its function.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import a platform's CSV export into the CRM
    ///
    /// Rows are upserted: importing the same file twice changes nothing, a newer export updates.
    /// Bad rows never stop the import: they are counted, written to --rejects, and the command
    /// exits 3. Example: `socialcrm import-csv onlyfans fans examples/onlyfans-fans.csv`
    ImportCsv(ImportCsvArgs),

    /// Restore a socialcrm JSON Lines export (fans, posts, messages, analytics) into the CRM
    ///
    /// The other half of `socialcrm export --format jsonl --out DIR`: moving a CRM from SQLite
    /// to PostgreSQL, restoring a backup, loading the examples. Rows are upserted by their
    /// natural keys (never the exported ids), so restoring the same files twice changes nothing
    /// and rows already in the CRM are merged as a sync would merge them. Columns the CRM
    /// derives (ids, revisions, times of writing, handle keys, paid and lifetime spend) are
    /// read and recomputed. Example: `socialcrm import-export examples/crm`
    ImportExport(ImportExportArgs),

    /// Connect an account by OAuth: browser, loopback redirect, tokens into the secrets store
    ///
    /// Opens the platform's authorization page (honouring $BROWSER), catches the redirect on
    /// 127.0.0.1, exchanges the code (with PKCE where the platform has it), stores the tokens
    /// (keychain by default, see SOCIALCRM_SECRETS) and prints who was connected. Connecting the
    /// same account again updates it. Example: `socialcrm connect tiktok`. OnlyFans has no API:
    /// `socialcrm connect onlyfans` explains how its exports are imported instead.
    Connect(ConnectArgs),

    /// Revoke an account's tokens at the platform, delete them, mark the connection revoked
    ///
    /// The CRM data already synced from the account is kept.
    Disconnect(DisconnectArgs),

    /// Connected accounts: platform, account, user, status, scopes, token expiry, last sync
    Accounts(AccountsArgs),

    /// Fetch what is new from connected accounts into the CRM (cron: `socialcrm sync --all`)
    ///
    /// The long text lists every platform's streams from the registry (`sync::long_about`).
    #[command(long_about = sync::long_about())]
    Sync(SyncArgs),

    /// Metrics over time from the CRM: latest values, changes, top posts, and charts
    ///
    /// Levels (followers, a post's views) show their first and last value in the range and the
    /// change; flows (OnlyFans payments) show their sum. `--refresh` syncs first.
    Insights(InsightsArgs),

    /// Write a self-contained HTML report per account: figures, curves, top posts, revenue
    ///
    /// One file with inline CSS and SVG charts (no script, nothing loaded from anywhere), so it
    /// opens from a file:// URL or an e-mail attachment and prints to PDF one page per section.
    /// Per account (and for the agency when several): headline figures against the previous
    /// period of the same length, follower and view curves per platform, top posts by views and
    /// by engagement rate, OnlyFans revenue by channel per week, top fans by spend, and the data
    /// health (last successful syncs, skipped or deferred streams, metrics that stopped) so a
    /// gap is explained. `-o json` prints the same figures as data (and writes no page unless
    /// --out is given). Example: `socialcrm report --account ava --from 2026-11-01 --open`
    Report(ReportArgs),

    /// Post a video file (TikTok: Direct Post, or --draft to the creator's inbox; Instagram: a
    /// reel; X: a post)
    ///
    /// The file is streamed from disk (never loaded whole), retried on failure; the command then
    /// waits for the platform's verdict and records the post. On TikTok and Instagram a ledger
    /// remembers every file (by its content hash) per account: the same file is not posted twice
    /// (--force does), and an interrupted upload resumes where it stopped. Unaudited TikTok apps
    /// may only post privately. Example: `socialcrm upload tiktok clip.mp4 --caption "Day 1 #gym"`
    Upload(UploadArgs),

    /// Write a post from a connected account (Reddit: a link or text post to a subreddit; X:
    /// text, media, replies)
    ///
    /// Prints the post's URL and records the post. Example: `socialcrm post reddit --subreddit
    /// test --title "Hello" --text "First post"`
    #[command(subcommand)]
    Post(PostCommand),

    /// Fans: followers, commenters, DM correspondents and subscribers
    #[command(subcommand)]
    Fans(FansCommand),

    /// Saved fan filters and the built-in ones (whales, new, cold), counted live
    #[command(subcommand)]
    Segments(SegmentsCommand),

    /// DMs and comments
    #[command(subcommand)]
    Messages(MessagesCommand),

    /// People: one person's identities across platforms, suggested links, decisions, undo
    #[command(subcommand)]
    People(PeopleCommand),

    /// Synced posts and their metrics over time
    #[command(subcommand)]
    Posts(PostsCommand),

    /// Write whole tables to files, CSV or JSON Lines, from one consistent snapshot
    ///
    /// Every CRM table (or those named with --table) is read in one read transaction, so the
    /// files agree with each other even while a sync writes, and streamed a row at a time:
    /// memory stays flat whatever the size. Files are written as TABLE.csv or TABLE.jsonl
    /// (owner-only, mode 0600: they hold personal data) under temporary names, and renamed into
    /// place only when every table is complete. Rows come in id order; columns in the table's
    /// order; times are RFC 3339 UTC; money is integer cents (columns named *_cents). CSV cells a
    /// spreadsheet would run as formulas get a leading ' unless --csv-raw, which writes the exact
    /// text (loadable with `\copy ... FROM ... CSV HEADER`). Never exported: secrets (sealed
    /// tokens) and internal bookkeeping (sync_state, webhook_replays), and uploads.upload_url.
    /// Example: `socialcrm export --out backup/` or `socialcrm export -t fans --out - | head`
    Export(ExportArgs),

    /// The record of who did what when (connect, sync, import, ...)
    #[command(subcommand)]
    Audit(AuditCommand),

    /// Check the setup: configuration, database, secrets, credentials, tokens, clocks
    ///
    /// Prints a checklist and exits 1 when a check failed: for first setup and CI smoke tests.
    Doctor(DoctorArgs),

    /// The CRM database: schema migrations and status
    #[command(subcommand)]
    Db(DbCommand),

    /// The stored tokens: recover from a lost master key (`secrets reset`)
    #[command(subcommand)]
    Secrets(SecretsCommand),

    /// Receive platform webhooks (TikTok, Instagram, X) and record them
    #[command(subcommand)]
    Webhooks(WebhooksCommand),

    /// Print a shell completion script
    ///
    /// For example: `socialcrm completions bash > ~/.local/share/bash-completion/completions/socialcrm`
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },

    /// Print the man page, or write all of them to a directory
    Man {
        /// Write socialcrm.1 and one page per subcommand into DIR instead of printing socialcrm.1
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// How log lines on stderr are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Plain lines, for people
    Text,
    /// One object per line, for log shippers
    Json,
}

/// Paging flags shared by every listing.
#[derive(Debug, Args, Clone)]
pub struct PageArgs {
    /// Most rows to print (1 to 10000)
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub limit: u32,

    /// Continue after the row with this id (the `id` of the last row printed)
    #[arg(long, value_name = "ID")]
    pub after: Option<i64>,
}

/// The ids of the global options, as clap names them (the fields of [`GlobalArgs`]).
const GLOBAL_IDS: [&str; 8] = [
    "database_url",
    "config",
    "output",
    "verbose",
    "quiet",
    "no_progress",
    "log_format",
    "csv_raw",
];

/// Said under every subcommand's help instead of repeating the global options' block.
const INHERITED: &str = "Global options (--database-url, --config, -o/--output, -v/--verbose, \
-q/--quiet, --no-progress, --log-format, --csv-raw) work with every command: `socialcrm --help` describes them.";

/// The clap command tree: what is parsed, completed and turned into man pages.
///
/// The global options are documented once, in `socialcrm --help`: every subcommand accepts them
/// but its help names them in one line, as gh's "inherited flags" do, instead of repeating a
/// 40-line block.
/// Longest local account name, in characters: it becomes part of secret names, lock files and
/// table cells.
pub const ACCOUNT_NAME_MAX: usize = 64;

/// Checks a local account name (`--account`): not empty or blank, at most
/// [`ACCOUNT_NAME_MAX`] characters, no control characters. Refused here, at parsing, so that a
/// bad name never starts an OAuth round trip it could not be stored under.
pub fn account_name(raw: &str) -> Result<String, String> {
    if raw.trim().is_empty() {
        return Err("an account name cannot be empty or blank".into());
    }
    if raw.chars().count() > ACCOUNT_NAME_MAX {
        return Err(format!(
            "an account name is at most {ACCOUNT_NAME_MAX} characters"
        ));
    }
    if raw.chars().any(char::is_control) {
        return Err("an account name cannot hold control characters".into());
    }
    Ok(raw.to_string())
}

/// `raw` trimmed and lower-cased, when that is 1 to `max` characters of `a-z`, `0-9` and
/// `extra`: the rule of tags and segment names. The error names `what` and, as `allowed`, the
/// characters it may hold.
pub fn lowercase_name(
    raw: &str,
    what: &str,
    max: usize,
    extra: &str,
    allowed: &str,
) -> Result<String, String> {
    let name = raw.trim().to_lowercase();
    if name.is_empty() {
        return Err(format!("{what} cannot be empty"));
    }
    if name.chars().count() > max {
        return Err(format!("{what} is at most {max} characters"));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(*c)))
    {
        return Err(format!("{what} holds only {allowed} (not {bad:?})"));
    }
    Ok(name)
}

/// The clap command tree, for completions and man pages.
pub fn command() -> clap::Command {
    hide_inherited_options(completion_command())
}

/// Hides the global options in every subcommand of `cmd` and names them there in one line.
pub fn hide_inherited_options(mut cmd: clap::Command) -> clap::Command {
    // Building propagates the global options into every subcommand; only then can they be
    // hidden there (they are still accepted). `mut_args`/`mut_subcommands` keep every
    // argument's position, which the built lookup tables rely on.
    cmd.build();
    cmd.mut_subcommands(hide_inherited)
}

/// The tree with the global options visible everywhere, for shell completions: they complete
/// after any subcommand, as they are accepted there.
pub fn completion_command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

fn hide_inherited(sub: clap::Command) -> clap::Command {
    sub.mut_args(|arg| {
        if GLOBAL_IDS.contains(&arg.get_id().as_str()) {
            arg.hide(true)
        } else {
            arg
        }
    })
    .mut_subcommands(hide_inherited)
    .after_help(INHERITED)
}
