//! Configuration: flags > environment > `config.toml` > defaults, resolved once at start-up.
//!
//! `cli` hands over what the person typed (clap already folded in the `SOCIALCRM_*` variables
//! that mirror global flags); this module adds the config file and the defaults, validates every
//! value, and returns a plain [`Config`] that the rest of the program reads and never mutates.
//! `Debug` of anything here is safe to log: secrets are [`Secret`]s and
//! the database URL is printed only through [`DatabaseTarget::display_location`].

mod database;
mod file;
mod platform;
pub mod tuning;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use platform::{
    Credential, Need, PlatformConfig, credentials, missing_for_connect, parse_bool,
};

use crate::output::Format;
pub use crate::secrets::{SecretsBackend, SecretsSettings};
pub use crate::store::DatabaseTarget;
use crate::vocab::PlatformId;
use crate::vocab::{Secret, redact_url};

/// Everything a command may read about how it should run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Which database every command opens (a password in it is never shown).
    pub database: DatabaseTarget,
    /// `--output`, else the file's `output`, else tables.
    pub output: Format,
    /// Progress bars on stderr (still only when stderr is a terminal).
    pub progress: bool,
    /// The config file that was read, if any.
    pub config_file: Option<PathBuf>,
    /// True when no flag, variable or config file named a database: `database` is the
    /// embedded default in `data_dir`, which any command may create.
    pub database_is_default: bool,
    /// Each platform's app credentials and switches, for those the file or the environment
    /// mention; [`Config::platform`] gives defaults for the rest.
    pub platforms: BTreeMap<PlatformId, PlatformConfig>,
    /// Which secrets backend holds the tokens, and its master key.
    pub secrets: SecretsSettings,
    /// `$XDG_DATA_HOME/socialcrm`: the embedded database, encrypted secret files, lock files.
    pub data_dir: PathBuf,
    /// Who the audit log says made a change (see `operator` in this module).
    pub operator: String,
    /// `$BROWSER`: the program `connect` and `report --open` hand a URL to, before the
    /// desktop's opener.
    pub browser: Option<String>,
    /// `$COLUMNS`: the width a table is fitted to on a terminal, before the terminal's own
    /// size is asked (shells and `script` set it, and a narrow one is how to ask for less).
    pub columns: Option<usize>,
    /// This machine's name, on `sync_runs` rows and in a sync's claim on an account, so that
    /// an operator of several cron hosts sees which one ran or holds a sync.
    pub host: Option<String>,
}

impl Config {
    /// The settings of one platform; defaults when it has none.
    pub fn platform(&self, id: PlatformId) -> PlatformConfig {
        self.platforms.get(&id).cloned().unwrap_or_default()
    }
}

/// What the command line said (after clap folded in the matching environment variables).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--database-url` / `SOCIALCRM_DATABASE_URL`: beats the file's `database_url`.
    pub database_url: Option<String>,
    /// `--config`: this file instead of the XDG one, and it must exist.
    pub config: Option<PathBuf>,
    /// `--output`: beats the file's `output`.
    pub output: Option<Format>,
    /// `--no-progress` or `--quiet`: beats the file's `progress`.
    pub no_progress: bool,
}

/// Why the configuration could not be resolved: each exits 5 with the place to fix (a file
/// and line, a variable), before any command has touched data.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file exists but cannot be read, or `--config` names none.
    #[error("cannot read config file {path}: {reason}")]
    FileRead {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// The file is not valid TOML, or has a key of the wrong type.
    #[error("invalid config file {at}: {message}")]
    FileParse {
        /// `path:line:column`.
        at: String,
        /// The parser's message.
        message: String,
    },
    /// A value parses but means nothing (a bad URL, an unknown backend).
    #[error("{at}: {message}")]
    Invalid {
        /// Where it was set: `path:line:column` or the variable's name.
        at: String,
        /// What is wrong and what is accepted.
        message: String,
    },
    /// The file holds a secret and others can read it: refused rather than used, so the
    /// leak is fixed instead of ignored.
    #[error(
        "config file {path} holds a secret ({key}) but can be read by other users; run `chmod 600 {path}` or move the secret to the environment"
    )]
    InsecureFile {
        /// The file.
        path: PathBuf,
        /// The secret's key in it.
        key: String,
    },
    /// Neither the XDG variable nor `HOME` says where socialcrm's files go (a bare cron).
    #[error("cannot find a home for {what}: neither {xdg} nor HOME is set")]
    NoHome {
        /// What needed a place ("the CRM database").
        what: &'static str,
        /// The XDG variable that would have named it.
        xdg: &'static str,
    },
}

/// Resolves the configuration from the command line, the environment and the config file.
pub fn load(over: &Overrides, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    tuning::validate(env)?;
    let explicit = over.config.is_some();
    let config_path = match &over.config {
        Some(path) => path.clone(),
        None => xdg_dir(env, "XDG_CONFIG_HOME", ".config", "the config file")?
            .join("socialcrm")
            .join("config.toml"),
    };
    let file = file::load(&config_path, explicit)?;
    let values = file.as_ref().map(|f| &f.values);

    let output = match (over.output, values.and_then(|v| v.output.as_ref())) {
        (Some(format), _) => format,
        (None, Some(spanned)) => file
            .as_ref()
            .expect("a value implies a file")
            .parse(spanned)?,
        (None, None) => Format::Table,
    };

    // A password in a file others can read is refused even when a flag or the environment
    // overrides the file's URL: the file still leaks it.
    if let (Some(f), Some(spanned)) = (&file, values.and_then(|v| v.database_url.as_ref()))
        && f.readable_by_others
        && url_has_password(spanned.get_ref())
    {
        return Err(ConfigError::InsecureFile {
            path: f.path.clone(),
            key: "database_url".into(),
        });
    }
    let database_is_default =
        over.database_url.is_none() && values.and_then(|v| v.database_url.as_ref()).is_none();
    let database = match (
        &over.database_url,
        values.and_then(|v| v.database_url.as_ref()),
    ) {
        (Some(url), _) => parse_database_url(url, "--database-url / SOCIALCRM_DATABASE_URL")?,
        (None, Some(spanned)) => {
            let f = file.as_ref().expect("a value implies a file");
            let at = f.at(spanned.span().start);
            parse_database_url(spanned.get_ref(), &at)?
        }
        (None, None) => DatabaseTarget::Sqlite {
            path: xdg_dir(env, "XDG_DATA_HOME", ".local/share", "the CRM database")?
                .join("socialcrm")
                .join("crm.db"),
        },
    };
    let database = match (database, values.and_then(|v| v.database.as_ref())) {
        (DatabaseTarget::Postgres { url }, Some(section)) => DatabaseTarget::Postgres {
            url: Secret::new(database::apply(url.expose(), section, env)),
        },
        (database, _) => database,
    };
    let data_dir =
        xdg_dir(env, "XDG_DATA_HOME", ".local/share", "the data directory")?.join("socialcrm");

    let progress = !over.no_progress && values.and_then(|v| v.progress).unwrap_or(true);

    let mut platforms = BTreeMap::new();
    for (id, section) in platform::sections(file.as_ref()) {
        platforms.insert(id, platform::load(id, section, file.as_ref(), env)?);
    }

    let secrets = secrets_settings(file.as_ref(), env)?;

    Ok(Config {
        database,
        output,
        progress,
        config_file: file.map(|f| f.path),
        database_is_default,
        platforms,
        secrets,
        data_dir,
        operator: operator(env),
        browser: env("BROWSER"),
        columns: env("COLUMNS")
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|n| *n > 0),
        host: host(env),
    })
}

/// The kernel's name for this machine, else `$HOSTNAME` (containers without `/proc`).
fn host(env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| env("HOSTNAME"))
}

/// Who is making a change, for every audit entry and decision: `$SOCIALCRM_OPERATOR` (an
/// agency's staff share one OS user), else the OS user, else `unknown`; one line of at most 64
/// characters, so a name cannot forge a second log line.
fn operator(env: &dyn Fn(&str) -> Option<String>) -> String {
    let named = ["SOCIALCRM_OPERATOR", "USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|k| env(k))
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "unknown".into());
    named
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(64)
        .collect()
}

/// `SOCIALCRM_SECRETS` beats `secrets = "..."`; the master key comes from the environment only,
/// so it never sits in a file beside what it protects. An empty variable counts as unset.
fn secrets_settings(
    file: Option<&file::LoadedFile>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<SecretsSettings, ConfigError> {
    let from_file = file.and_then(|f| f.values.secrets.as_ref().map(|s| (f, s)));
    let backend = match (
        env("SOCIALCRM_SECRETS").filter(|v| !v.trim().is_empty()),
        from_file,
    ) {
        (Some(raw), _) => raw.parse().map_err(|message| ConfigError::Invalid {
            at: "SOCIALCRM_SECRETS".into(),
            message,
        })?,
        (None, Some((f, spanned))) => f.parse(spanned)?,
        (None, None) => SecretsBackend::default(),
    };
    let master_key = env("SOCIALCRM_MASTER_KEY")
        .filter(|v| !v.is_empty())
        .map(Secret::new);
    Ok(SecretsSettings {
        backend,
        master_key,
    })
}

/// `postgres://` and `postgresql://` select PostgreSQL; `sqlite:PATH` (or `sqlite://PATH`) names
/// an SQLite file other than the default.
fn parse_database_url(raw: &str, source: &str) -> Result<DatabaseTarget, ConfigError> {
    let raw = raw.trim();
    let lower = raw.to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        return Ok(DatabaseTarget::Postgres {
            url: Secret::new(raw),
        });
    }
    if let Some(rest) = raw
        .strip_prefix("sqlite://")
        .or_else(|| raw.strip_prefix("sqlite:"))
    {
        if rest.is_empty() {
            return Err(ConfigError::Invalid {
                at: source.to_string(),
                message: "sqlite: URL has no path (e.g. sqlite:/var/lib/socialcrm/crm.db)".into(),
            });
        }
        return Ok(DatabaseTarget::Sqlite {
            path: PathBuf::from(rest),
        });
    }
    Err(ConfigError::Invalid {
        at: source.to_string(),
        message: format!(
            "unsupported database URL '{}' (use postgres://... or sqlite:PATH)",
            redact_url(raw)
        ),
    })
}

fn url_has_password(raw: &str) -> bool {
    redact_url(raw) != raw
}

fn xdg_dir(
    env: &dyn Fn(&str) -> Option<String>,
    xdg: &'static str,
    fallback: &str,
    what: &'static str,
) -> Result<PathBuf, ConfigError> {
    // The XDG spec says relative values are invalid and must be ignored.
    if let Some(dir) = env(xdg).filter(|d| Path::new(d).is_absolute()) {
        return Ok(PathBuf::from(dir));
    }
    match env("HOME").filter(|h| !h.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(fallback)),
        None => Err(ConfigError::NoHome { what, xdg }),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A fake environment for tests: `std::env` is process-global and tests run in parallel.
    pub(crate) fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    /// A config file `c.toml` holding `text` in a fresh directory (removed when the first
    /// value drops), its path, and the overrides that name it.
    fn config_file(text: &str) -> (tempfile::TempDir, PathBuf, Overrides) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, text).unwrap();
        let over = Overrides {
            config: Some(path.clone()),
            ..Overrides::default()
        };
        (dir, path, over)
    }

    /// The message loading `over` fails with when the environment holds only HOME.
    fn load_error(over: &Overrides) -> String {
        load(over, &env_of(&[("HOME", "/h")]))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn defaults_put_the_database_in_the_data_dir() {
        let env = env_of(&[("HOME", "/home/u")]);
        let c = load(&Overrides::default(), &env).unwrap();
        assert_eq!(
            c.database.display_location(),
            "/home/u/.local/share/socialcrm/crm.db"
        );
        assert_eq!(c.output, Format::Table);
        assert!(c.platforms[&PlatformId::Tiktok].insights);
    }

    #[test]
    fn columns_is_a_positive_width_or_nothing() {
        let width = |v: &str| {
            let env = env_of(&[("HOME", "/home/u"), ("COLUMNS", v)]);
            load(&Overrides::default(), &env).unwrap().columns
        };
        assert_eq!(width(" 60 "), Some(60));
        assert_eq!(width("0"), None);
        assert_eq!(width("wide"), None);
    }

    #[test]
    fn flags_beat_the_file_which_beats_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("socialcrm");
        std::fs::create_dir_all(&cfg).unwrap();
        std::fs::write(
            cfg.join("config.toml"),
            "output = \"csv\"\ndatabase_url = \"sqlite:/tmp/other.db\"\n[reddit]\nclient_id = \"abc\"\n",
        )
        .unwrap();
        let xdg = dir.path().to_str().unwrap().to_string();
        let env = env_of(&[("HOME", "/home/u"), ("XDG_CONFIG_HOME", &xdg)]);
        let c = load(&Overrides::default(), &env).unwrap();
        assert_eq!(c.output, Format::Csv);
        assert_eq!(c.database.display_location(), "/tmp/other.db");
        assert_eq!(
            c.platform(PlatformId::Reddit).client_id.as_deref(),
            Some("abc")
        );

        let over = Overrides {
            output: Some(Format::Json),
            database_url: Some("postgres://u:pw@h/db".into()),
            ..Overrides::default()
        };
        let c = load(&over, &env).unwrap();
        assert_eq!(c.output, Format::Json);
        assert_eq!(c.database.display_location(), "postgres://u:***@h/db");
    }

    #[cfg(unix)]
    #[test]
    fn secrets_in_a_world_readable_file_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let (_dir, path, over) = config_file("[tiktok]\nclient_secret = \"s3cret\"\n");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let env = env_of(&[("HOME", "/home/u")]);
        let err = load(&over, &env).unwrap_err().to_string();
        assert!(
            err.contains("chmod 600") && !err.contains("s3cret"),
            "{err}"
        );

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let c = load(&over, &env).unwrap();
        assert_eq!(
            c.platform(PlatformId::Tiktok)
                .client_secret
                .unwrap()
                .expose(),
            "s3cret"
        );
    }

    #[test]
    fn secrets_backend_comes_from_env_then_file_then_default() {
        let env = env_of(&[("HOME", "/home/u")]);
        let c = load(&Overrides::default(), &env).unwrap();
        assert_eq!(c.secrets.backend, SecretsBackend::Keychain);
        assert!(c.secrets.master_key.is_none());

        let (_dir, path, over) = config_file("secrets = \"file\"\n");
        let c = load(&over, &env).unwrap();
        assert_eq!(c.secrets.backend, SecretsBackend::File);

        let env = env_of(&[
            ("HOME", "/home/u"),
            ("SOCIALCRM_SECRETS", "db"),
            ("SOCIALCRM_MASTER_KEY", "correct horse"),
        ]);
        let c = load(&over, &env).unwrap();
        assert_eq!(c.secrets.backend, SecretsBackend::Db);
        assert_eq!(
            c.secrets.master_key.as_ref().unwrap().expose(),
            "correct horse"
        );
        assert!(!format!("{c:?}").contains("correct horse"));

        let env = env_of(&[("HOME", "/home/u"), ("SOCIALCRM_SECRETS", "vault")]);
        let err = load(&over, &env).unwrap_err().to_string();
        assert!(
            err.starts_with("SOCIALCRM_SECRETS: unknown secrets backend 'vault'"),
            "{err}"
        );

        std::fs::write(&path, "output = \"json\"\nsecrets = \"plain\"\n").unwrap();
        let err = load_error(&over);
        assert!(
            err.contains("c.toml:2:") && err.contains("keychain, file or db"),
            "{err}"
        );
    }

    /// The master key is not a config file key, and the value is not echoed; an unknown
    /// platform key is told with its position and the key meant.
    #[test]
    fn refused_keys_are_named_and_their_values_never_echoed() {
        let cases: [(&str, &[&str], &[&str]); 2] = [
            ("master_key = \"x\"\n", &["master_key"], &["\"x\""]),
            (
                "[tiktok]\nclient_id = \"x\"\n",
                &["c.toml:2:", "client_key"],
                &[],
            ),
        ];
        for (text, named, never) in cases {
            let (_dir, _, over) = config_file(text);
            let err = load_error(&over);
            assert!(
                named.iter().all(|n| err.contains(n)) && !never.iter().any(|n| err.contains(n)),
                "{err}"
            );
        }
    }
}
