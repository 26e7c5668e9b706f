//! socialcrm: one CRM for a creator's TikTok, Instagram, Reddit and X accounts and OnlyFans
//! exports, kept in SQLite (embedded default) or PostgreSQL (teams).
//!
//! # The floors
//! Every top-level module imports only modules on floors below it (`tests/layers.rs` fails on
//! any cycle, and when anything but `app` imports `cli`):
//! ```text
//! app        one function per command, given a Context; dispatch and exit codes
//! cli        clap definitions only (parse, no I/O)
//! platforms  one folder per platform: OAuth (auth's trait), streams (sync's trait), webhook
//!            receiver (webhooks' trait), publisher (upload's trait); `registry.rs` lists
//!            them, one entry each
//! sync       the engine: streams page by page, each page committed with its cursor
//! upload     the pipeline: file checks, the publish ledger, chunks, resume, polling, audit
//! auth       OAuth + PKCE + state, the loopback callback, the token lifecycle
//! webhooks   the Receiver trait, the signature checks and replay guard every receiver shares
//! http       the one HTTP client (retries, Retry-After, budgets) and the bounded server
//! config     flags > environment > file > defaults, resolved once: the one reader of the
//!            environment (besides the pinned clock and libpq's PG* variables)
//! secrets    trait SecretStore: keychain | encrypted file | encrypted database rows
//! import     CSV exports: bounded reader, value parsers, batches
//! store      trait Store; one SQL implementation (generic.rs, generic/) over sqlite | postgres
//! vocab      the words every floor speaks: Secret, PlatformId, Identity, PlatformError,
//!            NetError, Origin (imports nothing of the crate)
//! clock, error, fsutil, output, report   leaves: the pinnable clock, one-line errors and exit
//!            codes, checked paths, rendering of result values (table | json | csv, the
//!            columns read from each value's Serialize), the self-contained HTML report page
//! ```
//! A trait lives with its consumer: `auth` owns [`auth::OAuthPlatform`], `sync` owns
//! [`sync::Stream`], `upload` owns [`upload::Publisher`], `webhooks` owns [`webhooks::Receiver`], `store` owns [`store::Store`] and
//! [`store::DatabaseTarget`], `secrets` owns its settings; the adapters in `platforms/`
//! implement them.
//!
//! # The registry
//! A platform is a [`vocab::PlatformId`] variant with two halves of one entry: its words
//! (`vocab::platform::FACTS`: name, aliases, environment prefix, display name, the streams
//! `sync --help` lists, what `upload --help` says an upload posts), which every floor may read,
//! and its adapter (`platforms::registry::ADAPTERS`: OAuth constructor, streams, webhook
//! endpoint, publisher, or for a platform without an API what `connect`, `sync` and `doctor`
//! say instead).
//! `connect`, `disconnect`, `accounts`, `sync`, `doctor`, `webhooks serve`, `upload`, the help
//! texts and the config file's `[platform]` sections iterate these tables; `tests/registry.rs`
//! fails when a platform is missing from any of them.
//!
//! # The flow of one sync
//! `cli` parses `sync --all`; `app/sync.rs` resolves the connections and queues them for
//! `--jobs N` workers; each worker claims its account (a lease row), asks `auth::lifecycle` for
//! a valid access token (refreshed ahead of expiry, under a per-connection lock), and hands the
//! adapter's streams (`platforms::streams`) to `sync`, which reads each stream's resume point,
//! fetches one page through `http` (the tokens read once per account, refreshed under the lock
//! when due), maps it to CRM rows and commits rows and cursor in one transaction. Each stream's
//! outcome is a `sync_runs` row (its status a `store::model::RunStatus`, decoded once at the
//! store boundary like connection and upload statuses); `app` computes the summary and the
//! exit code, and `output` renders it.
//!
//! # Where to start reading
//! [`run`], then `app/mod.rs` (the Context and the dispatch), then any command in `app/`;
//! `vocab/` for the shared words; `platforms/registry.rs` (one entry per platform) and
//! `platforms/tiktok/` (an adapter with every part: OAuth, streams, upload, webhook receiver);
//! `store/mod.rs` and `store/generic.rs` for the SQL both backends share; `output/mod.rs` for
//! the `Columns` trait every listing's row type implements (its overrides are the only place a
//! table or CSV differs from the JSON). `config`
//! checks every tuning variable at start-up (`config/tuning.rs`); `error` turns every typed error
//! into one line and an exit code; `fsutil` is the one check for paths a person names (regular
//! files only, modes set only on files socialcrm creates).

// Every public item says why it exists (or what a caller must know), and the lint keeps it so.
// In `cli` a doc comment on an argument, a command or a value is `--help` text: a change shows
// in the generated completions and man pages (`tests/cli.rs` fails until they are regenerated).
#![warn(missing_docs)]

pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod error;
pub mod fsutil;
pub mod http;
pub mod import;
pub mod output;
pub mod platforms;
pub mod report;
pub mod secrets;
pub mod store;
pub mod sync;
pub mod upload;
pub mod vocab;
pub mod webhooks;

pub use app::run;
