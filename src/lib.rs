//! socialcrm: one CRM for a creator's TikTok, Instagram, Reddit and X accounts and OnlyFans
//! exports, kept in SQLite (embedded default) or PostgreSQL (teams).
//!
//! # How a command flows
//! ```text
//! cli (clap: parse only) -> app (one function per command, given a Context)
//!                              |-> import    (CSV exports: bounded reader, parsers, batches)
//!                              |-> auth      (OAuth + PKCE, loopback callback, token lifecycle)
//!                              |-> sync      (streams page by page, resumable)
//!                              |-> webhooks  (a bounded HTTP server, signature checks)
//!                              |-> platforms (one adapter per platform behind one trait)
//!                              |-> store     (trait Store; sqlite | postgres)
//!                              |-> secrets   (keychain | encrypted file | encrypted db)
//!                              '-> http      (the one HTTP client: retries, Retry-After)
//!        output (table | json | csv, progress bars) <- result value returned by app
//! ```
//! Start reading at [`run`], then `app/mod.rs` (the Context and the dispatch), then any command
//! in `app/`. `config` resolves flags > environment > file > defaults once (`config/tuning.rs`
//! checks every tuning variable at start-up); `error` turns every typed error into one line and
//! an exit code; `fsutil` is the one check for paths a person names (regular files only, modes
//! set only on files socialcrm creates).

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
pub mod webhooks;

pub use app::run;
