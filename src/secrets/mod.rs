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

pub use db::Sealer;

use crate::store::DatabaseTarget;
use crate::store::{Store, StoreError};
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
    const ALL: [SecretsBackend; 3] = [
        SecretsBackend::Keychain,
        SecretsBackend::File,
        SecretsBackend::Db,
    ];

    /// The name `SOCIALCRM_SECRETS` and `connect`'s output use.
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

    /// A backend's [`SecretsBackend::name`], in any case and with spaces around: the names
    /// are written once, there.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|b| b.name() == lower)
            .ok_or_else(|| format!("unknown secrets backend '{s}' (use keychain, file or db)"))
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
    /// The value under `key`; `None` when nothing is stored there (never connected, or
    /// disconnected), which callers turn into "connect again".
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
    /// The secret's key, for `secrets reset` to name and delete.
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

/// A command's secrets as held beside its database connection: a backend of their own
/// (keychain, file), or the db backend's [`Sealer`], which works on that same connection
/// instead of opening another. Each call is handed the store, so a session can hold both.
pub enum Held<'a> {
    /// The keychain or the file backend.
    Own(&'a mut dyn SecretStore),
    /// The db backend, on the caller's store.
    Sealed(&'a mut Sealer),
}

impl Held<'_> {
    /// The backend's name, as [`SecretStore::backend`].
    pub fn backend(&self) -> &'static str {
        match self {
            Held::Own(s) => s.backend(),
            Held::Sealed(_) => "db",
        }
    }

    /// [`SecretStore::get`], the db backend reading `store`.
    pub fn get(&mut self, store: &mut dyn Store, key: &str) -> Result<Option<Secret>, SecretError> {
        match self {
            Held::Own(s) => s.get(key),
            Held::Sealed(sealer) => sealer.get(store, key),
        }
    }

    /// [`SecretStore::put`], the db backend writing `store`.
    pub fn put(
        &mut self,
        store: &mut dyn Store,
        key: &str,
        value: &Secret,
    ) -> Result<(), SecretError> {
        match self {
            Held::Own(s) => s.put(key, value),
            Held::Sealed(sealer) => sealer.put(store, key, value),
        }
    }

    /// [`SecretStore::delete`], the db backend writing `store`.
    pub fn delete(&mut self, store: &mut dyn Store, key: &str) -> Result<bool, SecretError> {
        match self {
            Held::Own(s) => s.delete(key),
            Held::Sealed(sealer) => sealer.delete(store, key),
        }
    }

    /// [`SecretStore::unreadable`], the db backend reading `store`.
    pub fn unreadable(&mut self, store: &mut dyn Store) -> Result<Vec<Unreadable>, SecretError> {
        match self {
            Held::Own(s) => s.unreadable(),
            Held::Sealed(sealer) => sealer.unreadable(store),
        }
    }
}

/// [`Held`] together with the store it works on: a [`SecretStore`] for one use.
pub struct Lent<'a> {
    /// The secrets.
    pub held: Held<'a>,
    /// The command's database connection.
    pub store: &'a mut dyn Store,
}

impl SecretStore for Lent<'_> {
    fn backend(&self) -> &'static str {
        self.held.backend()
    }

    fn get(&mut self, key: &str) -> Result<Option<Secret>, SecretError> {
        self.held.get(self.store, key)
    }

    fn put(&mut self, key: &str, value: &Secret) -> Result<(), SecretError> {
        self.held.put(self.store, key, value)
    }

    fn delete(&mut self, key: &str) -> Result<bool, SecretError> {
        self.held.delete(self.store, key)
    }

    fn unreadable(&mut self) -> Result<Vec<Unreadable>, SecretError> {
        self.held.unreadable(self.store)
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
    /// No Secret Service on the session bus (a headless server): another backend is needed.
    KeychainUnavailable,
    #[error(
        "the keychain refused access to {key} (is it locked?): unlock it, or set SOCIALCRM_SECRETS=file or db and SOCIALCRM_MASTER_KEY"
    )]
    /// The keychain is locked, or refused this program.
    KeychainLocked {
        /// The secret's key (a name, never the value).
        key: String,
    },
    #[error(
        "several keychain items match {key} (service socialcrm): remove the extra ones (e.g. with seahorse or secret-tool) and connect again"
    )]
    /// More than one item answers to the key: socialcrm will not guess which is current.
    KeychainAmbiguous {
        /// The secret's key (a name, never the value).
        key: String,
    },
    #[error("keychain error on {key}: {reason}")]
    /// Any other keychain failure.
    Keychain {
        /// The secret's key (a name, never the value).
        key: String,
        /// The underlying reason.
        reason: String,
    },
    #[error("cannot decrypt {key}: wrong SOCIALCRM_MASTER_KEY?")]
    /// The passphrase does not open the value: mistyped, or changed since.
    WrongMasterKey {
        /// The secret's key (a name, never the value).
        key: String,
    },
    #[error(
        "cannot decrypt {key} with the key file {}: it was written under another key (was SOCIALCRM_MASTER_KEY set then?)",
        .path.display()
    )]
    /// The key file does not open the value: it was replaced since.
    WrongKeyFile {
        /// The secret's key (a name, never the value).
        key: String,
        /// The key file.
        path: PathBuf,
    },
    #[error(
        "{key} was encrypted with SOCIALCRM_MASTER_KEY, not the key file {}: set SOCIALCRM_MASTER_KEY to the passphrase used then",
        .path.display()
    )]
    /// Sealed with a passphrase, and none is set now.
    NeedsMasterKey {
        /// The secret's key (a name, never the value).
        key: String,
        /// The key file tried instead.
        path: PathBuf,
    },
    #[error(
        "{key} was encrypted with the key file master.key, not a passphrase: unset SOCIALCRM_MASTER_KEY to use it"
    )]
    /// Sealed with the key file, and a passphrase is set now.
    NeedsKeyFile {
        /// The secret's key (a name, never the value).
        key: String,
    },
    #[error(
        "the db secrets backend needs SOCIALCRM_MASTER_KEY (the same passphrase on every host that shares the database; a local key file would not be shared): set it, or use SOCIALCRM_SECRETS=keychain or file"
    )]
    /// The db backend without a passphrase: a local key file could not be shared by hosts.
    MasterKeyRequired,
    #[error(
        "{} is missing but {count} secret(s) in {} were sealed under a key: restore master.key from a backup (or set SOCIALCRM_MASTER_KEY if they were sealed with a passphrase); a new key would not open them",
        .path.display(), .path.parent().map(|p| p.display().to_string()).unwrap_or_default()
    )]
    /// The key file is gone while secrets sealed under it remain: making a new one would
    /// orphan them, so socialcrm stops and says to restore it.
    KeyFileMissing {
        /// Where the key file should be.
        path: PathBuf,
        /// How many secrets it sealed.
        count: usize,
    },
    #[error("secret {key} in {location} is damaged ({reason}): delete it and connect again")]
    /// The stored value is not a sealed secret any more (truncated, edited).
    Damaged {
        /// The secret's key (a name, never the value).
        key: String,
        /// Where it is stored (a file, the secrets table of a database).
        location: String,
        /// What is wrong with it.
        reason: String,
    },
    #[error("cannot encrypt or decrypt {key}: the cipher failed")]
    /// The cipher itself failed.
    Crypto {
        /// The secret's key (a name, never the value).
        key: String,
    },
    #[error("invalid secret name '{key}': {reason}")]
    /// A key that could not round-trip as a file name or keychain attribute.
    InvalidKey {
        /// The key as given.
        key: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    #[error("{}: {reason}", .path.display())]
    /// A secrets file or directory could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    #[error(
        "{} can be read by other users (mode {mode:04o}): run `chmod {want:o} {}`",
        .path.display(), .path.display()
    )]
    /// A secrets file others can read: refused rather than used.
    Insecure {
        /// The file.
        path: PathBuf,
        /// Its mode now.
        mode: u32,
        /// The mode it must have.
        want: u32,
    },
    #[error("no randomness from the operating system: {reason}")]
    /// No randomness for a nonce or key: nothing is sealed without it.
    Random {
        /// The underlying reason.
        reason: String,
    },
    /// The db backend's database failed.
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
