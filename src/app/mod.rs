//! The use cases: one function per command, each given a [`Context`] and its parsed arguments,
//! each returning a [`Report`] for `output` to print. Nothing here parses flags or formats
//! text for stdout; that is `cli` and `output`.
//!
//! [`run`] is the whole life of a process: parse, set up logging and file permissions, resolve
//! configuration, dispatch, print, and turn any error into one line and an exit code.

mod accounts;
mod audit;
mod connect;
mod db;
mod doctor;
mod fans;
mod file_hash;
mod generate;
mod import;
mod insights;
mod messages;
mod post;
mod sync;
mod upload;
mod upload_instagram;
mod webhooks;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};

use clap::Parser;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::config::{self, Config, ConfigError, Overrides};
use crate::error::{CliError, CliResult, ExitCode};
use crate::output::{self, Render};
use crate::secrets::{self, SecretError, SecretStore};
use crate::store::{self, Store, StoreError};

pub use generate::generated_files;

/// What a command hands back: data for stdout, notes for stderr, and how the process should end.
pub struct Report {
    pub body: Body,
    /// Short remarks for people ("no fans match", "more: --after 42"), printed on stderr.
    pub notes: Vec<String>,
    pub exit: ExitCode,
}

pub enum Body {
    /// Rendered by `output` in the chosen format.
    Data(Box<dyn Render>),
    /// Printed as is (completion scripts, man pages).
    Raw(Vec<u8>),
    Nothing,
}

impl Report {
    pub fn data(value: impl Render + 'static) -> Self {
        Report {
            body: Body::Data(Box::new(value)),
            notes: Vec::new(),
            exit: ExitCode::Success,
        }
    }

    /// Bytes printed as they are, whatever `--output` says.
    pub fn raw(bytes: Vec<u8>) -> Self {
        Report {
            body: Body::Raw(bytes),
            notes: Vec::new(),
            exit: ExitCode::Success,
        }
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

/// What every command that touches data is given.
pub struct Context {
    pub config: Config,
    store: Option<Box<dyn Store>>,
    secrets: Option<Box<dyn SecretStore>>,
}

impl Context {
    pub fn new(config: Config) -> Self {
        Context {
            config,
            store: None,
            secrets: None,
        }
    }

    /// The database, opened on first use without touching its schema.
    pub fn raw_store(&mut self) -> CliResult<&mut dyn Store> {
        if self.store.is_none() {
            self.store = Some(store::open(&self.config.database)?);
        }
        Ok(self.store.as_deref_mut().expect("opened above"))
    }

    /// Closes the database connection so that the next use opens a new one: after a failure
    /// that may have been the connection's own (a PostgreSQL restart ends every session).
    pub fn reopen_store(&mut self) {
        self.store = None;
    }

    /// The database with its schema current: migrated if older, refused if newer.
    pub fn store(&mut self) -> CliResult<&mut dyn Store> {
        let store = self.raw_store()?;
        store.ensure_current()?;
        Ok(store)
    }

    /// The secrets store the configuration selects, opened on first use.
    pub fn secrets(&mut self) -> CliResult<&mut dyn SecretStore> {
        if self.secrets.is_none() {
            self.store()?;
            let opened = secrets::open(
                &self.config.secrets,
                &self.config.database,
                &self.config.data_dir,
            )?;
            self.secrets = Some(opened);
        }
        Ok(self.secrets.as_deref_mut().expect("opened above"))
    }

    /// The OAuth adapter for a connected account: its platform's sandbox app when the stored
    /// tokens came from one, since refreshes and revokes must use the app that granted them.
    pub fn connected_adapter(
        &mut self,
        id: crate::platforms::PlatformId,
        account: &str,
    ) -> CliResult<Box<dyn crate::platforms::OAuthPlatform>> {
        let key = crate::auth::lifecycle::secret_key(id.name(), account);
        let sandbox = self
            .secrets()?
            .get(&key)?
            .as_ref()
            .and_then(crate::auth::tokens::Tokens::from_secret)
            .is_some_and(|t| t.sandbox);
        Ok(crate::platforms::oauth(id, &self.config, sandbox)?)
    }

    /// The connection of `account` on `id`, or a one-line error that says how to add it.
    pub fn connection(
        &mut self,
        id: crate::platforms::PlatformId,
        account: &str,
    ) -> CliResult<crate::store::model::ConnectionRow> {
        self.store()?
            .list_connections()?
            .into_iter()
            .find(|r| r.connection.platform == id.name() && r.connection.account == account)
            .ok_or_else(|| {
                CliError::failure(format!("no {id} account named '{account}' is connected"))
                    .with_hint(format!(
                        "`socialcrm accounts` lists them; `socialcrm connect {id} --account {account}` adds it"
                    ))
            })
    }

    /// A token session for a connected account (its adapter, this context's stores, the lock
    /// directory): what every command that calls a platform on an account's behalf needs.
    pub fn session<'a>(
        &'a mut self,
        platform: &'a dyn crate::platforms::OAuthPlatform,
        connection: crate::store::model::ConnectionRow,
    ) -> CliResult<crate::auth::lifecycle::Session<'a>> {
        let lock_dir = self.config.data_dir.join("locks");
        let (store, secrets) = self.store_and_secrets()?;
        Ok(crate::auth::lifecycle::Session {
            platform,
            store,
            secrets,
            connection,
            lock_dir,
            early_refresh_failed: false,
        })
    }

    /// Both stores at once, for work that writes tokens and rows together.
    pub fn store_and_secrets(&mut self) -> CliResult<(&mut dyn Store, &mut dyn SecretStore)> {
        self.secrets()?;
        let store = self.store.as_deref_mut().expect("opened by secrets()");
        let secrets = self.secrets.as_deref_mut().expect("opened above");
        Ok((store, secrets))
    }
}

/// Runs the program with `args` and returns the exit code.
pub fn run(args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => return clap_error(e),
    };
    init_logging(&cli.global);
    restrict_umask();
    let quiet = cli.global.quiet;
    match execute(cli) {
        Ok((report, format)) => finish(report, format, quiet),
        Err(e) => {
            eprintln!("error: {e}");
            e.exit.code()
        }
    }
}

fn execute(cli: Cli) -> CliResult<(Report, output::Format)> {
    // Commands that only describe the CLI must work whatever the configuration says.
    match &cli.command {
        Command::Completions { shell } => {
            return Ok((generate::completions(*shell), output::Format::Table));
        }
        Command::Man { dir } => return Ok((generate::man(dir.as_deref())?, output::Format::Table)),
        _ => {}
    }
    let config = config::load(&overrides(&cli.global), &|k| std::env::var(k).ok())?;
    tracing::debug!(?config, "configuration resolved");
    let format = config.output;
    let mut ctx = Context::new(config);
    let report = match cli.command {
        Command::Connect(args) => connect::run(&mut ctx, args)?,
        Command::Disconnect(args) => accounts::disconnect(&mut ctx, args)?,
        Command::Accounts(args) => accounts::list(&mut ctx, args)?,
        Command::Sync(args) => sync::run(&mut ctx, args)?,
        Command::Insights(args) => insights::run(&mut ctx, args)?,
        Command::Upload(args) => upload::run(&mut ctx, args)?,
        Command::Post(cmd) => post::run(&mut ctx, cmd)?,
        Command::Fans(cmd) => fans::run(&mut ctx, cmd)?,
        Command::Messages(cmd) => messages::run(&mut ctx, cmd)?,
        Command::Audit(cmd) => audit::run(&mut ctx, cmd)?,
        Command::Db(cmd) => db::run(&mut ctx, cmd)?,
        Command::Doctor(args) => doctor::run(&mut ctx, args)?,
        Command::ImportCsv(args) => import::run(&mut ctx, args)?,
        Command::Webhooks(cmd) => webhooks::run(&mut ctx, cmd)?,
        Command::Completions { .. } | Command::Man { .. } => unreachable!("handled above"),
    };
    Ok((report, format))
}

fn overrides(g: &GlobalArgs) -> Overrides {
    Overrides {
        database_url: g.database_url.clone(),
        config: g.config.clone(),
        output: g.output,
        no_progress: g.no_progress || g.quiet,
    }
}

fn finish(report: Report, format: output::Format, quiet: bool) -> i32 {
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let mut out = stdout.lock();
    let written = match &report.body {
        Body::Data(value) => output::write(&mut out, format, value.as_ref(), terminal),
        Body::Raw(bytes) => out.write_all(bytes).and_then(|_| out.flush()),
        Body::Nothing => Ok(()),
    };
    match written {
        Ok(()) => {}
        // `socialcrm fans list | head` is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return report.exit.code(),
        Err(e) => {
            eprintln!("error: cannot write to stdout: {e}");
            return ExitCode::Failure.code();
        }
    }
    if !quiet {
        for note in &report.notes {
            eprintln!("{note}");
        }
    }
    report.exit.code()
}

/// Clap's own messages span several lines; this keeps the promise of one line per error while
/// keeping what matters in them (the bad value and the valid ones). Help and version print as
/// clap renders them.
fn clap_error(e: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            ExitCode::Usage.code()
        } else {
            ExitCode::Success.code()
        };
    }
    let rendered = e.render().to_string();
    let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("invalid arguments");
    let mut message = first.trim_start_matches("error:").trim().to_string();
    for line in lines {
        if line.starts_with("[possible values") || line.starts_with("tip:") {
            message.push(' ');
            message.push_str(line);
        }
    }
    let err = CliError::usage(message).with_hint("see `socialcrm --help`");
    eprintln!("error: {err}");
    err.exit.code()
}

fn init_logging(g: &GlobalArgs) {
    let level = match (g.quiet, g.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = std::env::var("SOCIALCRM_LOG")
        .ok()
        .and_then(|v| tracing_subscriber::EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(format!("socialcrm={level}")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = match g.log_format {
        crate::cli::LogFormat::Json => builder.json().with_current_span(true).try_init(),
        crate::cli::LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
    };
}

/// Files socialcrm creates (database, keys, config) are owner-only from the moment they exist.
fn restrict_umask() {
    #[cfg(unix)]
    // SAFETY: umask only changes this process's file-creation mask; it has no memory effects.
    unsafe {
        libc::umask(0o077);
    }
}

/// The platform a stored connection belongs to.
fn connection_platform(
    connection: &crate::store::model::Connection,
) -> CliResult<crate::platforms::PlatformId> {
    connection
        .platform
        .parse()
        .map_err(|_| CliError::failure(format!("unknown platform '{}'", connection.platform)))
}

impl From<SecretError> for CliError {
    fn from(e: SecretError) -> Self {
        let message = e.to_string();
        match e {
            // The setup is wrong or missing: configuration, exit 5.
            SecretError::KeychainUnavailable
            | SecretError::NeedsMasterKey { .. }
            | SecretError::NeedsKeyFile { .. }
            | SecretError::MasterKeyRequired => CliError::config(message),
            _ => CliError::failure(message),
        }
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        let message = e.to_string();
        match e {
            StoreError::Unreachable { .. } => CliError::config(message)
                .with_hint("check --database-url / SOCIALCRM_DATABASE_URL and that the server is up"),
            StoreError::CannotOpen { .. } => CliError::config(message).with_hint(
                "make the directory writable, set XDG_DATA_HOME, or pick a file with --database-url sqlite:PATH",
            ),
            StoreError::NewerSchema { .. } => {
                CliError::config(message).with_hint("upgrade socialcrm to the version that migrated this database")
            }
            StoreError::Query { .. } | StoreError::Decode(_) | StoreError::ClaimLost { .. } => {
                CliError::failure(message)
            }
        }
    }
}

impl From<ConfigError> for CliError {
    fn from(e: ConfigError) -> Self {
        CliError::config(e.to_string())
    }
}

/// Turns the number of rows a page returned into the hint for the next page.
pub fn paging_note(shown: usize, limit: u32, last_id: Option<i64>, what: &str) -> Option<String> {
    match (shown, last_id) {
        (0, _) => Some(format!("no {what} match")),
        (n, Some(id)) if n as u32 >= limit => {
            Some(format!("more {what} may follow: add --after {id}"))
        }
        _ => None,
    }
}

/// Optional times as table/CSV cells, to the second.
pub fn time_cell(t: &Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}
