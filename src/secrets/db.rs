//! The `db` backend: sealed rows in the CRM database's `secrets` table (migration 3).
//!
//! For operators whose cron runs on several hosts against one PostgreSQL: X rotates refresh
//! tokens, so hosts with separate copies would lock each other out; here every host reads and
//! replaces the one row. The key is always derived from `SOCIALCRM_MASTER_KEY` (Argon2id, the
//! salt in each row's `kdf` column); a generated local key file would not be shared between
//! hosts, so without the variable this backend refuses to open. The SQL lives once in
//! `store/generic.rs` behind [`Store`]'s secret methods, for both database backends. A command
//! seals and opens rows through its own database connection ([`Sealer`], held by the app's
//! Context); [`DbStore`] opens a connection of its own only where there is none to share.

use super::crypto::{Crypter, KeySource, Sealed};
use super::{Secret, SecretError, SecretStore, Unreadable, check_key};
use crate::store::model::SecretRow;
use crate::store::{self, DatabaseTarget, Store};

/// The db backend's sealing, apart from any connection: it works on whichever store it is
/// handed, so a command's one database connection carries its rows and its secrets alike
/// ([`super::Held`]) instead of a second connection per process or sync worker.
pub struct Sealer {
    crypter: Crypter,
    location: String,
}

impl Sealer {
    /// The sealing for `database`'s secrets table; refused without a master key, since a
    /// local key file would not be shared by the hosts that share the database.
    pub fn new(
        database: &DatabaseTarget,
        master_key: Option<&Secret>,
    ) -> Result<Sealer, SecretError> {
        let passphrase = master_key.ok_or(SecretError::MasterKeyRequired)?;
        Ok(Sealer {
            crypter: Crypter::new(KeySource::Passphrase(passphrase.clone())),
            location: format!("the secrets table of {}", database.display_location()),
        })
    }

    fn open_row(&mut self, row: &SecretRow) -> Result<Vec<u8>, SecretError> {
        let sealed = Sealed {
            kdf: row.kdf.clone(),
            nonce: row.nonce.clone(),
            ciphertext: row.ciphertext.clone(),
        };
        self.crypter.open(&row.key, &sealed, &self.location)
    }

    /// [`SecretStore::get`] on `store`'s secrets table.
    pub fn get(&mut self, store: &mut dyn Store, key: &str) -> Result<Option<Secret>, SecretError> {
        check_key(key)?;
        let Some(row) = store.secret(key)? else {
            return Ok(None);
        };
        let plain = self.open_row(&row)?;
        let text = String::from_utf8(plain).map_err(|_| SecretError::Damaged {
            key: key.to_string(),
            location: self.location.clone(),
            reason: "not UTF-8".into(),
        })?;
        Ok(Some(Secret::new(text)))
    }

    /// [`SecretStore::put`] on `store`'s secrets table.
    pub fn put(
        &mut self,
        store: &mut dyn Store,
        key: &str,
        value: &Secret,
    ) -> Result<(), SecretError> {
        check_key(key)?;
        // The row being replaced, or else the newest other row, must open with this key: a
        // host with a mistyped master key fails instead of overwriting what the others share.
        let witness = match store.secret(key)? {
            Some(row) => Some(row),
            None => store.other_secret(key)?,
        };
        if let Some(row) = witness {
            match self.open_row(&row) {
                // A damaged value protects nothing: writing a good one over it is the fix.
                Ok(_) | Err(SecretError::Damaged { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        let sealed = self.crypter.seal(key, value.expose().as_bytes())?;
        store.put_secret(&SecretRow {
            key: key.to_string(),
            kdf: sealed.kdf,
            nonce: sealed.nonce,
            ciphertext: sealed.ciphertext,
        })?;
        Ok(())
    }

    /// [`SecretStore::delete`] on `store`'s secrets table.
    pub fn delete(&mut self, store: &mut dyn Store, key: &str) -> Result<bool, SecretError> {
        check_key(key)?;
        Ok(store.delete_secret(key)?)
    }

    /// [`SecretStore::unreadable`] on `store`'s secrets table.
    pub fn unreadable(&mut self, store: &mut dyn Store) -> Result<Vec<Unreadable>, SecretError> {
        let mut out = Vec::new();
        for row in store.list_secrets()? {
            match self.open_row(&row) {
                Ok(_) => {}
                Err(e) if e.is_unreadable_value() => out.push(Unreadable {
                    key: row.key.clone(),
                    reason: e.to_string(),
                }),
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }
}

/// The db backend with a connection of its own, for callers that have no store open
/// (`secrets reset`, the tests of the backends).
pub struct DbStore {
    store: Box<dyn Store>,
    sealer: Sealer,
}

impl DbStore {
    /// Connects to the CRM database and brings its schema up to date (the `secrets` table).
    pub fn open(
        database: &DatabaseTarget,
        master_key: Option<&Secret>,
    ) -> Result<DbStore, SecretError> {
        let sealer = Sealer::new(database, master_key)?;
        let mut store = store::open(database)?;
        store.ensure_current()?;
        Ok(DbStore { store, sealer })
    }
}

impl SecretStore for DbStore {
    fn backend(&self) -> &'static str {
        "db"
    }

    fn get(&mut self, key: &str) -> Result<Option<Secret>, SecretError> {
        self.sealer.get(&mut *self.store, key)
    }

    fn put(&mut self, key: &str, value: &Secret) -> Result<(), SecretError> {
        self.sealer.put(&mut *self.store, key, value)
    }

    fn delete(&mut self, key: &str) -> Result<bool, SecretError> {
        self.sealer.delete(&mut *self.store, key)
    }

    fn unreadable(&mut self) -> Result<Vec<Unreadable>, SecretError> {
        self.sealer.unreadable(&mut *self.store)
    }
}
