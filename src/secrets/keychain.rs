//! The `keychain` backend: the OS keychain through the `keyring` crate.
//!
//! Items are stored with service `socialcrm` and user = the key (`socialcrm/tiktok/default`).
//! On Linux this talks to the Secret Service (gnome-keyring, KeePassXC, KWallet's bridge) over
//! the session D-Bus with a pure-Rust client (zbus), so no libdbus is needed to build or run;
//! on macOS and Windows it uses their native stores. The keychain encrypts at rest itself, so
//! nothing here touches [`crypto`](super::crypto).
//!
//! Opening the store asks the keychain one harmless question, so a headless host without a
//! Secret Service (cron on a server) fails before any OAuth dance, with the one-line
//! [`SecretError::KeychainUnavailable`] that names the file and db backends. It never falls
//! back to them by itself.

use keyring::{Entry, Error as KeyringError};

use super::{Secret, SecretError, SecretStore, check_key};

const SERVICE: &str = "socialcrm";
/// The key the opening probe looks up; it is never written.
const PROBE: &str = "socialcrm/probe";

pub struct KeychainStore;

impl KeychainStore {
    /// Checks that a keychain answers (a lookup of a key that is never written).
    pub fn open() -> Result<KeychainStore, SecretError> {
        let mut store = KeychainStore;
        store.get(PROBE)?;
        Ok(store)
    }
}

fn entry(key: &str) -> Result<Entry, SecretError> {
    check_key(key)?;
    Entry::new(SERVICE, key).map_err(|e| failed(key, e))
}

/// Turns a keyring error into a one-line [`SecretError`]. The platform's own words go to the
/// debug log only when they do not fit a known case; keyring errors never carry the password.
fn failed(key: &str, e: KeyringError) -> SecretError {
    match e {
        KeyringError::PlatformFailure(inner) => {
            let detail = inner.to_string();
            tracing::debug!(key, error = %detail, "keychain failure");
            if no_answer(&detail) {
                SecretError::KeychainUnavailable
            } else {
                SecretError::Keychain {
                    key: key.to_string(),
                    reason: crate::error::one_line(&detail),
                }
            }
        }
        KeyringError::NoStorageAccess(inner) => {
            tracing::debug!(key, error = %inner, "keychain refused access");
            SecretError::KeychainLocked {
                key: key.to_string(),
            }
        }
        KeyringError::Ambiguous(_) => SecretError::KeychainAmbiguous {
            key: key.to_string(),
        },
        KeyringError::BadEncoding(_) => SecretError::Damaged {
            key: key.to_string(),
            location: "the keychain".into(),
            reason: "not UTF-8".into(),
        },
        KeyringError::TooLong(..) | KeyringError::Invalid(..) => SecretError::InvalidKey {
            key: key.to_string(),
            reason: "the keychain refuses it",
        },
        other => SecretError::Keychain {
            key: key.to_string(),
            reason: crate::error::one_line(&other.to_string()),
        },
    }
}

/// Whether a D-Bus failure means nobody is there: no session bus, or no Secret Service on it.
/// The secret-service crate folds both into one error with the first message below; the others
/// are what D-Bus says when the name has no owner or the socket does not answer.
fn no_answer(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    [
        "no secret service provider or dbus session found",
        "org.freedesktop.dbus.error.serviceunknown",
        "org.freedesktop.dbus.error.namehasnoowner",
        "connection refused",
    ]
    .iter()
    .any(|needle| d.contains(needle))
}

/// How long one keychain call may take. A locked collection can make the Secret Service wait
/// for an unlock prompt that a headless host never shows; a cron run must fail, not hang.
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(30);

/// Runs one keychain call on its own thread and gives up after [`PATIENCE`] (the thread is
/// left to the process's exit).
fn bounded<T: Send + 'static>(
    key: &str,
    call: impl FnOnce(Entry) -> Result<T, KeyringError> + Send + 'static,
) -> Result<Result<T, KeyringError>, SecretError> {
    let entry = entry(key)?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(call(entry));
    });
    rx.recv_timeout(PATIENCE)
        .map_err(|_| SecretError::KeychainLocked {
            key: key.to_string(),
        })
}

impl SecretStore for KeychainStore {
    fn backend(&self) -> &'static str {
        "keychain"
    }

    fn get(&mut self, key: &str) -> Result<Option<Secret>, SecretError> {
        match bounded(key, |e| e.get_password())? {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(failed(key, e)),
        }
    }

    /// The keychain replaces an item's secret in one call (one D-Bus `CreateItem` with
    /// `replace`, or `SetSecret` on the existing item).
    fn put(&mut self, key: &str, value: &Secret) -> Result<(), SecretError> {
        let value = value.clone();
        bounded(key, move |e| e.set_password(value.expose()))?.map_err(|e| failed(key, e))
    }

    fn delete(&mut self, key: &str) -> Result<bool, SecretError> {
        match bounded(key, |e| e.delete_credential())? {
            Ok(()) => Ok(true),
            Err(KeyringError::NoEntry) => Ok(false),
            Err(e) => Err(failed(key, e)),
        }
    }

    /// The keychain unlocks its items itself: there is no socialcrm key to lose.
    fn unreadable(&mut self) -> Result<Vec<super::Unreadable>, SecretError> {
        Ok(Vec::new())
    }
}
