//! The use cases: one function per command, each given a [`Context`] and its parsed arguments,
//! each returning a [`Report`] for `output` to print. Nothing here parses flags or formats
//! text for stdout; that is `cli` and `output`.
//!
//! [`run`] is the whole life of a process: parse, set up logging and file permissions, resolve
//! configuration, dispatch, print, and turn any error into one line and an exit code.

mod accounts;
mod attribution;
mod audit;
mod connect;
mod db;
mod doctor;
mod export;
mod fans;
mod generate;
mod import;
mod insights;
mod messages;
mod people;
mod post;
mod posts;
mod report;
mod restore;
mod secrets_reset;
mod segments;
mod selector;
mod sync;
mod upload;
mod webhooks;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};

use crate::cli::{Cli, Command, GlobalArgs};
use crate::config::{self, Config, ConfigError, Overrides};
use crate::error::{CliError, CliResult, ExitCode};
use crate::output::{self, Columns, List, Render};
use crate::secrets::{self, SecretError, SecretStore};
use crate::store::{self, Store, StoreError};

pub use generate::generated_files;

/// What a command hands back: data for stdout, notes for stderr, and how the process should end.
pub struct Report {
    /// What goes to stdout; the only part a script parses.
    pub body: Body,
    /// Short remarks for people ("no fans match", "more: --after 42"), printed on stderr.
    pub notes: Vec<String>,
    /// How the process ends: a command may print data and still report a partial failure (3).
    pub exit: ExitCode,
}

/// What a command prints on stdout: data is rendered by `--output`, everything else is not.
pub enum Body {
    /// Rendered by `output` in the chosen format.
    Data(Box<dyn Render>),
    /// Printed as is (completion scripts, man pages).
    Raw(Vec<u8>),
    /// Nothing on stdout: the notes on stderr are the whole answer.
    Nothing,
}

impl Report {
    /// A successful answer that `--output` renders: the common ending of a command.
    pub fn data(value: impl Render + 'static) -> Self {
        Report {
            body: Body::Data(Box::new(value)),
            notes: Vec::new(),
            exit: ExitCode::Success,
        }
    }

    /// One page of a sorted listing, with the hint for the next page (or that nothing
    /// matched): every `list` command pages the same way, by `--limit` and `--after ID`.
    pub fn page<T: Columns + 'static>(
        rows: Vec<T>,
        limit: u32,
        id: impl Fn(&T) -> i64,
        what: &str,
    ) -> Self {
        let note = paging_note(rows.len(), limit, rows.last().map(id), what);
        let mut report = Report::data(List(rows));
        report.notes.extend(note);
        report
    }

    /// Bytes printed as they are, whatever `--output` says.
    pub fn raw(bytes: Vec<u8>) -> Self {
        Report {
            body: Body::Raw(bytes),
            notes: Vec::new(),
            exit: ExitCode::Success,
        }
    }

    /// Adds a remark for stderr, so a command can say more without changing what scripts read.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

/// What every command that touches data is given.
pub struct Context {
    /// Resolved once at start-up; commands read settings here, never from the environment.
    pub config: Config,
    /// Whether this command may create a missing SQLite database (see [`Context::new`]).
    open_mode: store::OpenMode,
    store: Option<Box<dyn Store>>,
    /// The keychain or file backend, once opened.
    secrets: Option<Box<dyn SecretStore>>,
    /// The db backend, once set up: it seals and opens rows through `store`, so a command (or
    /// a sync worker) holds one database connection, not one for rows and one for secrets.
    sealer: Option<secrets::Sealer>,
    /// The tokens [`Context::connected_adapter`] read (under their secret key), handed to the
    /// next [`Context::session`] of that connection so a sync reads them once, not twice.
    read_tokens: Option<(String, crate::auth::tokens::Tokens)>,
}

impl Context {
    /// A context for a command that may create the database it is pointed at.
    pub fn new(config: Config) -> Self {
        Self::with_open_mode(config, store::OpenMode::CreateIfMissing)
    }

    /// A context whose first use of the database opens it with `open_mode`.
    pub fn with_open_mode(config: Config, open_mode: store::OpenMode) -> Self {
        Context {
            config,
            open_mode,
            store: None,
            secrets: None,
            sealer: None,
            read_tokens: None,
        }
    }

    /// The database, opened on first use without touching its schema.
    pub fn raw_store(&mut self) -> CliResult<&mut dyn Store> {
        if self.store.is_none() {
            self.store = Some(store::open_with(&self.config.database, self.open_mode)?);
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
    pub fn secrets(&mut self) -> CliResult<Box<dyn SecretStore + '_>> {
        let (store, held) = self.store_and_secrets()?;
        Ok(Box::new(secrets::Lent { held, store }))
    }

    /// The OAuth adapter for a connected account: its platform's sandbox app when the stored
    /// tokens came from one, since refreshes and revokes must use the app that granted them.
    /// The tokens read to tell are kept for the account's next [`Context::session`].
    pub fn connected_adapter(
        &mut self,
        id: crate::vocab::PlatformId,
        account: &str,
    ) -> CliResult<Box<dyn crate::platforms::OAuthPlatform>> {
        let key = crate::auth::lifecycle::secret_key(id.name(), account);
        let tokens = self
            .secrets()?
            .get(&key)?
            .as_ref()
            .and_then(crate::auth::tokens::Tokens::from_secret);
        let sandbox = tokens.as_ref().is_some_and(|t| t.sandbox);
        self.read_tokens = tokens.map(|t| (key, t));
        Ok(crate::platforms::oauth(id, &self.config, sandbox)?)
    }

    /// The connection of `account` on `id`, or a one-line error that says how to add it.
    pub fn connection(
        &mut self,
        id: crate::vocab::PlatformId,
        account: &str,
    ) -> CliResult<crate::store::model::ConnectionRow> {
        self.store()?
            .list_connections()?
            .into_iter()
            .find(|r| r.connection.platform == id && r.connection.account == account)
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
        let actor = self.config.operator.clone();
        let key = crate::auth::lifecycle::secret_key(
            connection.connection.platform.name(),
            &connection.connection.account,
        );
        let tokens = self
            .read_tokens
            .take()
            .filter(|(read, _)| *read == key)
            .map(|(_, t)| t);
        let (store, secrets) = self.store_and_secrets()?;
        Ok(crate::auth::lifecycle::Session {
            platform,
            store,
            secrets,
            connection,
            lock_dir,
            early_refresh_failed: false,
            tokens,
            actor,
        })
    }

    /// Both stores at once, for work that writes tokens and rows together. The database is
    /// migrated first: the db backend's table is part of the schema.
    pub fn store_and_secrets(&mut self) -> CliResult<(&mut dyn Store, secrets::Held<'_>)> {
        self.store()?;
        if self.secrets.is_none() && self.sealer.is_none() {
            if self.config.secrets.backend == secrets::SecretsBackend::Db {
                self.sealer = Some(secrets::Sealer::new(
                    &self.config.database,
                    self.config.secrets.master_key.as_ref(),
                )?);
            } else {
                self.secrets = Some(secrets::open(
                    &self.config.secrets,
                    &self.config.database,
                    &self.config.data_dir,
                )?);
            }
        }
        let store = self.store.as_deref_mut().expect("opened above");
        let held = match (&mut self.secrets, &mut self.sealer) {
            (Some(own), _) => secrets::Held::Own(own.as_mut()),
            (None, Some(sealer)) => secrets::Held::Sealed(sealer),
            (None, None) => unreachable!("one of them was set above"),
        };
        Ok((store, held))
    }
}

/// Runs the program with `args` and returns the exit code.
///
/// No input should make socialcrm panic; if a bug does, the person sees one line that says so
/// and the process exits 1 instead of printing a backtrace and exiting 101.
pub fn run(args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> i32 {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown failure".into());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        crate::say!(
            "error: internal error{at}: {} (this is a bug in socialcrm: please report it)",
            crate::error::one_line(&what)
        );
    }));
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    std::panic::catch_unwind(move || run_args(args)).unwrap_or(ExitCode::Failure.code())
}

fn run_args(args: Vec<OsString>) -> i32 {
    let parsed = crate::cli::command()
        .try_get_matches_from(help_about_help(args))
        .and_then(|matches| <Cli as clap::FromArgMatches>::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => return clap_error(e),
    };
    init_logging(&cli.global);
    restrict_umask();
    few_malloc_arenas();
    let quiet = cli.global.quiet;
    let csv_raw = cli.global.csv_raw;
    match execute(cli) {
        Ok((report, shown)) => finish(report, shown, quiet, csv_raw),
        Err(e) => {
            // Errors may quote what a platform or a file said: never raw to the terminal.
            crate::say!("error: {}", output::terminal_safe(&e.to_string()));
            e.exit.code()
        }
    }
}

/// How a report is shown: the configured format, and `$COLUMNS` for tables on a terminal.
struct Shown {
    format: output::Format,
    columns: Option<usize>,
}

fn execute(cli: Cli) -> CliResult<(Report, Shown)> {
    // Commands that only describe the CLI must work whatever the configuration says.
    let unconfigured = Shown {
        format: output::Format::Table,
        columns: None,
    };
    match &cli.command {
        Command::Completions { shell } => {
            return Ok((generate::completions(*shell), unconfigured));
        }
        Command::Man { dir } => return Ok((generate::man(dir.as_deref())?, unconfigured)),
        _ => {}
    }
    let config = config::load(&overrides(&cli.global), &|k| std::env::var(k).ok())?;
    tracing::debug!(?config, "configuration resolved");
    let shown = Shown {
        format: config.output,
        columns: config.columns,
    };
    let mode = open_mode(&cli.command, config.database_is_default);
    let mut ctx = Context::with_open_mode(config, mode);
    let export_options = export::Options {
        csv_raw: cli.global.csv_raw,
        quiet: cli.global.quiet,
    };
    let report = match cli.command {
        Command::Connect(args) => connect::run(&mut ctx, args)?,
        Command::Disconnect(args) => accounts::disconnect(&mut ctx, args)?,
        Command::Accounts(args) => accounts::list(&mut ctx, args)?,
        Command::Sync(args) => sync::run(&mut ctx, args)?,
        Command::Insights(args) => insights::run(&mut ctx, args)?,
        Command::Report(args) => report::run(&mut ctx, args)?,
        Command::Upload(args) => upload::run(&mut ctx, args)?,
        Command::Post(cmd) => post::run(&mut ctx, cmd)?,
        Command::Fans(cmd) => fans::run(&mut ctx, cmd)?,
        Command::People(cmd) => people::run(&mut ctx, cmd)?,
        Command::Segments(cmd) => segments::run(&mut ctx, cmd)?,
        Command::Messages(cmd) => messages::run(&mut ctx, cmd)?,
        Command::Posts(cmd) => posts::run(&mut ctx, cmd)?,
        Command::Audit(cmd) => audit::run(&mut ctx, cmd)?,
        Command::Export(args) => export::run(&mut ctx, args, export_options)?,
        Command::Db(cmd) => db::run(&mut ctx, cmd)?,
        Command::Secrets(cmd) => secrets_reset::run(&mut ctx, cmd)?,
        Command::Doctor(args) => doctor::run(&mut ctx, args)?,
        Command::ImportCsv(args) => import::run(&mut ctx, args)?,
        Command::ImportExport(args) => restore::run(&mut ctx, args)?,
        Command::Webhooks(cmd) => webhooks::run(&mut ctx, cmd)?,
        Command::Completions { .. } | Command::Man { .. } => unreachable!("handled above"),
    };
    Ok((report, shown))
}

/// Only commands that write may create a database someone named; the default one, in
/// socialcrm's own data directory, is created by whichever command comes first (the quick
/// start's `fans list` on a fresh machine prints an empty listing).
fn open_mode(command: &Command, database_is_default: bool) -> store::OpenMode {
    let writes = match command {
        Command::ImportCsv(_)
        | Command::ImportExport(_)
        | Command::Connect(_)
        | Command::Sync(_)
        | Command::Upload(_)
        | Command::Post(_)
        | Command::Webhooks(_)
        | Command::Db(crate::cli::DbCommand::Migrate) => true,
        Command::Insights(args) => args.refresh,
        _ => false,
    };
    if writes || database_is_default {
        store::OpenMode::CreateIfMissing
    } else {
        store::OpenMode::MustExist
    }
}

fn overrides(g: &GlobalArgs) -> Overrides {
    Overrides {
        database_url: g.database_url.clone(),
        config: g.config.clone(),
        output: g.output,
        no_progress: g.no_progress || g.quiet,
    }
}

fn finish(report: Report, shown: Shown, quiet: bool, csv_raw: bool) -> i32 {
    let stdout = std::io::stdout();
    let target = output::Target {
        terminal: stdout.is_terminal(),
        csv_raw,
        columns: shown.columns,
    };
    let format = shown.format;
    let mut out = stdout.lock();
    let written = match &report.body {
        Body::Data(value) => output::write(&mut out, format, value.as_ref(), target),
        Body::Raw(bytes) => out.write_all(bytes).and_then(|_| out.flush()),
        Body::Nothing => Ok(()),
    };
    match written {
        Ok(()) => {}
        // `socialcrm fans list | head` is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return report.exit.code(),
        Err(e) => {
            crate::say!("error: cannot write to stdout: {e}");
            return ExitCode::Failure.code();
        }
    }
    if !quiet {
        for note in &report.notes {
            crate::say!("{}", output::terminal_safe(note));
        }
    }
    report.exit.code()
}

/// Clap's own messages span several lines; this keeps the promise of one line per error while
/// keeping what matters in them (the bad value and the valid ones). Help and version print as
/// clap renders them.
/// `socialcrm help --help` (and `-h`) asks about the help command itself: answer with the
/// top-level help, as `git help --help` does, instead of clap's "unrecognized subcommand".
fn help_about_help(args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> Vec<OsString> {
    let mut args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    if args.get(1).is_some_and(|a| a == "help") {
        let asks_help = |a: &OsString| a == "--help" || a == "-h";
        if args[2..].iter().any(asks_help) {
            args.retain(|a| !asks_help(a));
        }
    }
    args
}

fn clap_error(e: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        // Help asked for, or shown because a command group was named without its subcommand
        // (bare `socialcrm`, `socialcrm fans`): it is the answer, so it goes to stdout and
        // exits 0, as cargo and gh do.
        let _ = write!(std::io::stdout(), "{}", e.render());
        return ExitCode::Success.code();
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
    crate::say!("error: {err}");
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
    // A bad SOCIALCRM_LOG is refused by config::load, just after logging starts.
    let filter = crate::config::tuning::log_filter()
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(format!("socialcrm={level}")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Its own report of a failed write uses eprintln!, which would panic on a full stderr.
        .log_internal_errors(false)
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

/// glibc gives each thread that allocates its own malloc arena (up to eight per core) and keeps
/// what is freed in it: `sync --all --jobs 16` peaked at 85 MB of RSS for a 25 MB heap
/// (heaptrack), 58 MB with two arenas, at no cost in time. The workers allocate little; they
/// wait on the network.
fn few_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter (under glibc's own lock), once, at start-up.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

impl From<SecretError> for CliError {
    fn from(e: SecretError) -> Self {
        let message = e.to_string();
        let lost_key = matches!(
            e,
            SecretError::KeyFileMissing { .. }
                | SecretError::WrongKeyFile { .. }
                | SecretError::WrongMasterKey { .. }
        );
        let err = match e {
            // The setup is wrong or missing: configuration, exit 5.
            SecretError::KeychainUnavailable
            | SecretError::NeedsMasterKey { .. }
            | SecretError::NeedsKeyFile { .. }
            | SecretError::KeyFileMissing { .. }
            | SecretError::MasterKeyRequired => CliError::config(message),
            _ => CliError::failure(message),
        };
        if lost_key {
            err.with_hint(
                "if the key is lost for good, `socialcrm secrets reset` lists the secrets it cannot open and --yes deletes them, so the accounts can be connected again",
            )
        } else {
            err
        }
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        let message = e.to_string();
        match e {
            StoreError::NotAFile(_) => CliError::config(message),
            StoreError::Missing { .. } => CliError::config(message).with_hint(
                "check the path in --database-url / SOCIALCRM_DATABASE_URL; `socialcrm db migrate` creates a new database there",
            ),
            StoreError::Unreachable { .. } => CliError::config(message)
                .with_hint("check --database-url / SOCIALCRM_DATABASE_URL and that the server is up"),
            StoreError::Connection { hint, .. } => CliError::config(message).with_hint(hint),
            StoreError::CannotOpen { .. } => CliError::config(message).with_hint(
                "make the directory writable, set XDG_DATA_HOME, or pick a file with --database-url sqlite:PATH",
            ),
            StoreError::NewerSchema { .. } => {
                CliError::config(message).with_hint("upgrade socialcrm to the version that migrated this database")
            }
            StoreError::UnknownCursor { .. } => CliError::usage(message).with_hint(
                "--after takes the id a row of the previous page shows (for fans list: relationship_id); list again from the first page",
            ),
            StoreError::Query { .. }
            | StoreError::Decode(_)
            | StoreError::ClaimLost { .. }
            | StoreError::Sink(_) => {
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

/// `--limit` and `--after` as the store's page of a listing.
impl From<&crate::cli::PageArgs> for store::model::Page {
    fn from(page: &crate::cli::PageArgs) -> Self {
        store::model::Page {
            limit: page.limit,
            after: page.after,
        }
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
