//! Secrets: values that must never be printed, logged or written in plain text.
//!
//! [`Secret`] is the wrapper configuration uses for client secrets, webhook secrets and bearer
//! tokens, and [`redact_url`] masks the password of a database URL before it reaches any
//! message. The token store of DESIGN.md is the [`SecretStore`] trait with three backends,
//! chosen by `SOCIALCRM_SECRETS` ([`SecretsSettings`]) and opened by [`open`]:
//!
//! ```text
//! keychain.rs  the OS keychain through the keyring crate (Secret Service on Linux)
//! file.rs      one encrypted file per key under <data_dir>/secrets/ (0700 dir, 0600 files)
//! db.rs        encrypted rows in the CRM database's `secrets` table, shared by every host
//! crypto.rs    XChaCha20-Poly1305 + Argon2id, shared by file and db
//! ```
//! A store never falls back to another backend, and never to plain text: when the chosen one
//! cannot work, [`open`] or the call fails with a one-line [`SecretError`] that names the fix.
//! No error built here contains a secret value; keys (`socialcrm/tiktok/default`) are names,
//! not secrets, and may appear in messages.

mod crypto;
mod db;
mod file;
mod keychain;

use std::path::{Path, PathBuf};

use crate::store::DatabaseTarget;
use crate::store::StoreError;
pub use crate::vocab::secret::{Secret, redact_url};

/// Where the OAuth tokens of connected accounts are kept (`SOCIALCRM_SECRETS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecretsBackend {
    /// The OS keychain (Secret Service on Linux): the default where a keychain answers.
    #[default]
    Keychain,
    /// Encrypted files in the data directory.
    File,
    /// Encrypted rows in the CRM database, shared by every host that uses it.
    Db,
}

impl SecretsBackend {
    pub fn name(self) -> &'static str {
        match self {
            SecretsBackend::Keychain => "keychain",
            SecretsBackend::File => "file",
            SecretsBackend::Db => "db",
        }
    }
}

impl std::str::FromStr for SecretsBackend {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "keychain" => Ok(SecretsBackend::Keychain),
            "file" => Ok(SecretsBackend::File),
            "db" => Ok(SecretsBackend::Db),
            _ => Err(format!(
                "unknown secrets backend '{s}' (use keychain, file or db)"
            )),
        }
    }
}

/// How the secrets store is chosen and unlocked.
#[derive(Debug, Clone, Default)]
pub struct SecretsSettings {
    /// `SOCIALCRM_SECRETS`, else `secrets = "..."` in the config file, else keychain.
    pub backend: SecretsBackend,
    /// `SOCIALCRM_MASTER_KEY` (environment only: a passphrase for the file and db backends).
    pub master_key: Option<Secret>,
}

/// Where tokens live. Keys are names like `socialcrm/tiktok/default` (never secret); values are
/// [`Secret`]s (a JSON blob of tokens, expiries and scopes).
pub trait SecretStore: Send {
    /// "keychain" | "file" | "db".
    fn backend(&self) -> &'static str;
    fn get(&mut self, key: &str) -> Result<Option<Secret>, SecretError>;
    /// Stores `value` under `key`, replacing any previous value atomically: a reader sees the
    /// old value or the new one, never a mix or nothing.
    fn put(&mut self, key: &str, value: &Secret) -> Result<(), SecretError>;
    /// Removes `key`; true if it existed.
    fn delete(&mut self, key: &str) -> Result<bool, SecretError>;
    /// Every stored secret the current key cannot open (sealed under another key, or damaged),
    /// with why: what `socialcrm secrets reset` would delete. The keychain has no master key to
    /// lose, so it has none.
    fn unreadable(&mut self) -> Result<Vec<Unreadable>, SecretError>;
}

/// A stored secret that cannot be opened with the configured key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub key: String,
    /// The one-line reason (never containing a secret).
    pub reason: String,
}

impl SecretError {
    /// True for the errors that say a stored value cannot be opened with the configured key
    /// (or is damaged): the ones `secrets reset` recovers from.
    pub fn is_unreadable_value(&self) -> bool {
        matches!(
            self,
            SecretError::WrongMasterKey { .. }
                | SecretError::WrongKeyFile { .. }
                | SecretError::NeedsMasterKey { .. }
                | SecretError::NeedsKeyFile { .. }
                | SecretError::KeyFileMissing { .. }
                | SecretError::Damaged { .. }
                | SecretError::Crypto { .. }
        )
    }
}

/// Opens the store for `socialcrm secrets reset`: like [`open`], except that the file backend
/// opens even when its `master.key` is missing (every value sealed under it is then
/// unreadable), and never creates one.
pub fn open_for_reset(
    settings: &SecretsSettings,
    database: &DatabaseTarget,
    data_dir: &Path,
) -> Result<Box<dyn SecretStore>, SecretError> {
    match settings.backend {
        SecretsBackend::File => Ok(Box::new(file::FileStore::open_for_reset(
            &data_dir.join("secrets"),
            settings.master_key.as_ref(),
        )?)),
        _ => open(settings, database, data_dir),
    }
}

/// Opens the store `settings` name. `data_dir` is socialcrm's data directory
/// (`$XDG_DATA_HOME/socialcrm`); the file backend keeps its files in `secrets/` under it.
pub fn open(
    settings: &SecretsSettings,
    database: &DatabaseTarget,
    data_dir: &Path,
) -> Result<Box<dyn SecretStore>, SecretError> {
    match settings.backend {
        SecretsBackend::Keychain => Ok(Box::new(keychain::KeychainStore::open()?)),
        SecretsBackend::File => Ok(Box::new(file::FileStore::open(
            &data_dir.join("secrets"),
            settings.master_key.as_ref(),
        )?)),
        SecretsBackend::Db => Ok(Box::new(db::DbStore::open(
            database,
            settings.master_key.as_ref(),
        )?)),
    }
}

/// Why a secret could not be read or written. Every message is one line, names the thing and
/// the fix, and never contains a secret value.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "no keychain answers (no Secret Service on the session bus): set SOCIALCRM_SECRETS=file or db and SOCIALCRM_MASTER_KEY"
    )]
    KeychainUnavailable,
    #[error(
        "the keychain refused access to {key} (is it locked?): unlock it, or set SOCIALCRM_SECRETS=file or db and SOCIALCRM_MASTER_KEY"
    )]
    KeychainLocked { key: String },
    #[error(
        "several keychain items match {key} (service socialcrm): remove the extra ones (e.g. with seahorse or secret-tool) and connect again"
    )]
    KeychainAmbiguous { key: String },
    #[error("keychain error on {key}: {reason}")]
    Keychain { key: String, reason: String },
    #[error("cannot decrypt {key}: wrong SOCIALCRM_MASTER_KEY?")]
    WrongMasterKey { key: String },
    #[error(
        "cannot decrypt {key} with the key file {}: it was written under another key (was SOCIALCRM_MASTER_KEY set then?)",
        .path.display()
    )]
    WrongKeyFile { key: String, path: PathBuf },
    #[error(
        "{key} was encrypted with SOCIALCRM_MASTER_KEY, not the key file {}: set SOCIALCRM_MASTER_KEY to the passphrase used then",
        .path.display()
    )]
    NeedsMasterKey { key: String, path: PathBuf },
    #[error(
        "{key} was encrypted with the key file master.key, not a passphrase: unset SOCIALCRM_MASTER_KEY to use it"
    )]
    NeedsKeyFile { key: String },
    #[error(
        "the db secrets backend needs SOCIALCRM_MASTER_KEY (the same passphrase on every host that shares the database; a local key file would not be shared): set it, or use SOCIALCRM_SECRETS=keychain or file"
    )]
    MasterKeyRequired,
    #[error(
        "{} is missing but {count} secret(s) in {} were sealed under a key: restore master.key from a backup (or set SOCIALCRM_MASTER_KEY if they were sealed with a passphrase); a new key would not open them",
        .path.display(), .path.parent().map(|p| p.display().to_string()).unwrap_or_default()
    )]
    KeyFileMissing { path: PathBuf, count: usize },
    #[error("secret {key} in {location} is damaged ({reason}): delete it and connect again")]
    Damaged {
        key: String,
        location: String,
        reason: String,
    },
    #[error("cannot encrypt or decrypt {key}: the cipher failed")]
    Crypto { key: String },
    #[error("invalid secret name '{key}': {reason}")]
    InvalidKey { key: String, reason: &'static str },
    #[error("{}: {reason}", .path.display())]
    Io { path: PathBuf, reason: String },
    #[error(
        "{} can be read by other users (mode {mode:04o}): run `chmod {want:o} {}`",
        .path.display(), .path.display()
    )]
    Insecure { path: PathBuf, mode: u32, want: u32 },
    #[error("no randomness from the operating system: {reason}")]
    Random { reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Keys are names, but they become file names and keychain attributes: refuse what could not
/// round-trip (empty, over-long, control characters).
pub(crate) fn check_key(key: &str) -> Result<(), SecretError> {
    let invalid = |reason| {
        Err(SecretError::InvalidKey {
            key: key.chars().filter(|c| !c.is_control()).take(80).collect(),
            reason,
        })
    };
    if key.is_empty() {
        return invalid("it is empty");
    }
    if key.len() > 200 {
        return invalid("it is longer than 200 bytes");
    }
    if key.chars().any(char::is_control) {
        return invalid("it holds control characters");
    }
    Ok(())
}
