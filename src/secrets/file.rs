//! The `file` backend: one encrypted file per key under `<data_dir>/secrets/`.
//!
//! One file per key rather than one map file: a write replaces only its own file (temp file,
//! fsync, rename, fsync of the directory), so two processes refreshing two accounts' tokens
//! never rewrite each other's, and no lock is needed for the whole store. File names are the
//! key with every byte outside `[A-Za-z0-9._-]` written `%XX` (`socialcrm%2Ftiktok%2Fdefault.secret`):
//! readable, reversible and never a path.
//!
//! Each file is a small JSON envelope: the key it belongs to, the key-derivation header, the
//! nonce and the ciphertext ([`crypto`](super::crypto)). The key name is also bound as associated
//! data, so a file copied over another one fails to decrypt. The directory is 0700 and every
//! file 0600; a secrets file or key file readable by others is refused, as ssh does.
//!
//! The encryption key is `SOCIALCRM_MASTER_KEY` (Argon2id) or, when it is unset, a random
//! `master.key` created once beside the secrets. That file protects the tokens only from
//! someone who copies the secrets without it (a backup of one folder, a database dump): the
//! keychain or a master key kept elsewhere protects more. A new `master.key` is created only
//! while no secret is stored: one lost with secrets still sealed under it is an error naming the
//! recovery (restore it, or `socialcrm secrets reset`), never a fresh key that opens nothing.
//!
//! Every file read here must be a regular file ([`fsutil::read_regular`](crate::fsutil)): a
//! FIFO put in place of `master.key` must not block the process.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::crypto::{self, Crypter, Key, KeySource, Sealed};
use super::{Secret, SecretError, SecretStore, Unreadable, check_key};

const SUFFIX: &str = ".secret";
const KEY_FILE: &str = "master.key";
/// A secrets file holds a few KiB of tokens; a key file 44 bytes of base64.
const MAX_SECRET_BYTES: u64 = 256 * 1024;
const MAX_KEY_BYTES: u64 = 4096;

pub struct FileStore {
    dir: PathBuf,
    /// `None` only when opened for `secrets reset` with `master.key` missing.
    crypter: Option<Crypter>,
}

/// A secrets file as written.
#[derive(Serialize, Deserialize)]
struct Envelope {
    version: u32,
    key: String,
    kdf: String,
    nonce: String,
    ciphertext: String,
}

impl FileStore {
    /// Opens (creating, 0700) the secrets directory `dir`, and the key: `master_key` when set,
    /// else `dir/master.key`, created on first use.
    ///
    /// When `master.key` is missing while secrets are stored, no new key is made: values sealed
    /// under the lost key make this an error ([`SecretError::KeyFileMissing`]); values sealed
    /// with a passphrase open the store, and each use says to set `SOCIALCRM_MASTER_KEY`.
    pub fn open(dir: &Path, master_key: Option<&Secret>) -> Result<FileStore, SecretError> {
        let store = Self::open_for_reset(dir, master_key)?;
        if store.crypter.is_none()
            && let Some(e @ SecretError::KeyFileMissing { .. }) = store.without_key()?
        {
            return Err(e);
        }
        Ok(store)
    }

    /// [`FileStore::open`], except that a missing `master.key` with secrets still stored is
    /// not an error: the store opens without a key, so that `secrets reset` can list and
    /// delete what it can no longer read.
    pub fn open_for_reset(
        dir: &Path,
        master_key: Option<&Secret>,
    ) -> Result<FileStore, SecretError> {
        create_private_dir(dir)?;
        let mut store = FileStore {
            dir: dir.to_path_buf(),
            crypter: None,
        };
        let source = match master_key {
            Some(passphrase) => Some(KeySource::Passphrase(passphrase.clone())),
            None => {
                let path = dir.join(KEY_FILE);
                match read_key(&path)? {
                    Some(key) => Some(KeySource::KeyFile { key, path }),
                    // Never a new key while values sealed under the old one exist.
                    None if !store.stored()?.is_empty() => None,
                    None => Some(KeySource::KeyFile {
                        key: create_key(&path)?,
                        path,
                    }),
                }
            }
        };
        store.crypter = source.map(Crypter::new);
        Ok(store)
    }

    /// Why a store without a key (no passphrase, `master.key` missing, secrets stored) cannot
    /// work: the key file is lost when some value was sealed under it, else the values want
    /// the passphrase they were sealed with. `None` when nothing is stored.
    fn without_key(&self) -> Result<Option<SecretError>, SecretError> {
        let path = self.dir.join(KEY_FILE);
        let mut under_key_file = 0;
        let mut with_passphrase = None;
        for (key, file) in self.stored()? {
            match self.read(&key, &file) {
                Ok(Some(sealed)) if sealed.kdf == crypto::KEYFILE_KDF => under_key_file += 1,
                Ok(Some(_)) => {
                    with_passphrase.get_or_insert(key);
                }
                // Damaged or unreadable values say so when they are used.
                _ => {}
            }
        }
        Ok(match (under_key_file, with_passphrase) {
            (0, None) => None,
            (0, Some(key)) => Some(SecretError::NeedsMasterKey { key, path }),
            (count, _) => Some(SecretError::KeyFileMissing { path, count }),
        })
    }

    fn crypter(&mut self) -> Result<&mut Crypter, SecretError> {
        if self.crypter.is_none() {
            let path = self.dir.join(KEY_FILE);
            return Err(self
                .without_key()?
                .unwrap_or(SecretError::KeyFileMissing { path, count: 0 }));
        }
        Ok(self.crypter.as_mut().expect("checked above"))
    }

    fn path_of(&self, key: &str) -> PathBuf {
        self.dir.join(file_name(key))
    }

    /// Reads the envelope of `key` at `path`; `None` when there is no such file.
    fn read(&self, key: &str, path: &Path) -> Result<Option<Sealed>, SecretError> {
        let bytes = match crate::fsutil::read_regular(path, MAX_SECRET_BYTES) {
            Ok((bytes, _)) => bytes,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(path, e)),
        };
        refuse_if_shared(path, 0o600)?;
        let damaged = |reason: String| SecretError::Damaged {
            key: key.to_string(),
            location: crypto::show(path),
            reason,
        };
        let text = String::from_utf8(bytes).map_err(|_| damaged("not UTF-8".into()))?;
        let envelope: Envelope =
            serde_json::from_str(&text).map_err(|_| damaged("not a secrets file".into()))?;
        if envelope.version != 1 {
            return Err(damaged(format!("unknown version {}", envelope.version)));
        }
        if envelope.key != key {
            return Err(damaged(format!("it holds {}", envelope.key)));
        }
        Ok(Some(Sealed {
            kdf: envelope.kdf,
            nonce: envelope.nonce,
            ciphertext: envelope.ciphertext,
        }))
    }

    /// Before a write: the value being replaced, or else any other value in the store, must
    /// open with the current key, so a wrong master key fails instead of overwriting tokens
    /// or leaving a store sealed under two keys.
    fn check_key_against_store(&mut self, key: &str) -> Result<(), SecretError> {
        let own = self.path_of(key);
        let witness = if own.exists() {
            Some((key.to_string(), own))
        } else {
            self.any_other(key)?
        };
        let Some((name, path)) = witness else {
            return Ok(());
        };
        let opened = self.read(&name, &path).and_then(|sealed| match sealed {
            Some(sealed) => self.crypter()?.open(&name, &sealed, &crypto::show(&path)),
            None => Ok(Vec::new()),
        });
        match opened {
            // A damaged value protects nothing: writing a good one over it is the fix.
            Ok(_) | Err(SecretError::Damaged { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Some other key stored here, with its file.
    fn any_other(&self, key: &str) -> Result<Option<(String, PathBuf)>, SecretError> {
        Ok(self.stored()?.into_iter().find(|(other, _)| other != key))
    }

    /// Every key stored here, with its file, in key order.
    fn stored(&self) -> Result<Vec<(String, PathBuf)>, SecretError> {
        let entries = fs::read_dir(&self.dir).map_err(|e| io(&self.dir, e))?;
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| io(&self.dir, e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if let Some(key) = name.strip_suffix(SUFFIX).and_then(key_of_file) {
                out.push((key, entry.path()));
            }
        }
        out.sort();
        Ok(out)
    }
}

impl SecretStore for FileStore {
    fn backend(&self) -> &'static str {
        "file"
    }

    fn get(&mut self, key: &str) -> Result<Option<Secret>, SecretError> {
        check_key(key)?;
        let path = self.path_of(key);
        let Some(sealed) = self.read(key, &path)? else {
            return Ok(None);
        };
        let plain = self.crypter()?.open(key, &sealed, &crypto::show(&path))?;
        let text = String::from_utf8(plain).map_err(|_| SecretError::Damaged {
            key: key.to_string(),
            location: crypto::show(&path),
            reason: "not UTF-8".into(),
        })?;
        Ok(Some(Secret::new(text)))
    }

    fn put(&mut self, key: &str, value: &Secret) -> Result<(), SecretError> {
        check_key(key)?;
        self.check_key_against_store(key)?;
        let sealed = self.crypter()?.seal(key, value.expose().as_bytes())?;
        let envelope = Envelope {
            version: 1,
            key: key.to_string(),
            kdf: sealed.kdf,
            nonce: sealed.nonce,
            ciphertext: sealed.ciphertext,
        };
        let text = serde_json::to_string(&envelope).expect("strings serialise");
        write_atomically(&self.path_of(key), format!("{text}\n").as_bytes())
    }

    fn delete(&mut self, key: &str) -> Result<bool, SecretError> {
        check_key(key)?;
        let path = self.path_of(key);
        match fs::remove_file(&path) {
            Ok(()) => {
                sync_dir(&self.dir)?;
                Ok(true)
            }
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io(&path, e)),
        }
    }

    fn unreadable(&mut self) -> Result<Vec<Unreadable>, SecretError> {
        let mut out = Vec::new();
        for (key, path) in self.stored()? {
            let opened = match self.read(&key, &path) {
                Ok(None) => continue,
                // Without a key, each value says which key it wants.
                Ok(Some(sealed)) if self.crypter.is_none() => {
                    let reason = if sealed.kdf == crypto::KEYFILE_KDF {
                        format!("sealed under {}, which is missing", KEY_FILE)
                    } else {
                        "sealed with SOCIALCRM_MASTER_KEY, which is not set".to_string()
                    };
                    out.push(Unreadable { key, reason });
                    continue;
                }
                Ok(Some(sealed)) => self.crypter()?.open(&key, &sealed, &crypto::show(&path)),
                Err(e) => Err(e),
            };
            match opened {
                Ok(_) => {}
                Err(e) if e.is_unreadable_value() => out.push(Unreadable {
                    key,
                    reason: e.to_string(),
                }),
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }
}

/// `socialcrm/tiktok/default` -> `socialcrm%2Ftiktok%2Fdefault.secret`.
fn file_name(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + SUFFIX.len());
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.push_str(SUFFIX);
    out
}

/// The inverse of [`file_name`] (without the suffix); `None` for names it never makes.
fn key_of_file(stem: &str) -> Option<String> {
    let bytes = stem.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = stem.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok().filter(|k| !k.is_empty())
}

fn io(path: &Path, e: std::io::Error) -> SecretError {
    SecretError::Io {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Creates `dir` (and its parents) owner-only, and makes an existing one owner-only. A symlink
/// in its place is followed but its target's mode is left alone: that directory is not
/// socialcrm's own (it could be `/tmp`).
fn create_private_dir(dir: &Path) -> Result<(), SecretError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| io(dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = fs::symlink_metadata(dir).map_err(|e| io(dir, e))?;
        if meta.is_dir() && meta.permissions().mode() & 0o077 != 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(|e| io(dir, e))?;
        }
    }
    Ok(())
}

/// Refuses a file that group or others may read (and tells how to fix it).
#[cfg(unix)]
fn refuse_if_shared(path: &Path, want: u32) -> Result<(), SecretError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)
        .map_err(|e| io(path, e))?
        .permissions()
        .mode()
        & 0o7777;
    if mode & 0o077 != 0 {
        return Err(SecretError::Insecure {
            path: path.to_path_buf(),
            mode,
            want,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_if_shared(_path: &Path, _want: u32) -> Result<(), SecretError> {
    Ok(())
}

/// Opens a new owner-only file that must not exist yet.
fn create_private_file(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Writes `bytes` to a fresh temporary file beside `path` and fsyncs it; returns its path.
fn write_temp(path: &Path, bytes: &[u8]) -> Result<PathBuf, SecretError> {
    let dir = path.parent().expect("secrets files live in a directory");
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("secret");
    let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let result = create_private_file(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(io(&tmp, e))
        }
    }
}

/// Replaces `path` with `bytes`: temp file, fsync, rename over, fsync the directory.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), SecretError> {
    let tmp = write_temp(path, bytes)?;
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(io(path, e));
    }
    sync_dir(path.parent().expect("a directory"))
}

/// Makes a rename or removal in `dir` durable.
fn sync_dir(dir: &Path) -> Result<(), SecretError> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io(dir, e))?;
    Ok(())
}

/// Reads `master.key`; `None` when there is none.
fn read_key(path: &Path) -> Result<Option<Key>, SecretError> {
    match crate::fsutil::read_regular(path, MAX_KEY_BYTES) {
        Ok((bytes, _)) => {
            refuse_if_shared(path, 0o600)?;
            std::str::from_utf8(&bytes)
                .ok()
                .and_then(crypto::decode_key)
                .map(Some)
                .ok_or_else(|| SecretError::Io {
                    path: path.to_path_buf(),
                    reason: "not a socialcrm key file (want 32 bytes in base64); restore it from a backup, or move it away and run `socialcrm secrets reset` to delete the secrets it protected".into(),
                })
        }
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path, e)),
    }
}

/// Creates `master.key` once: written in full to a temporary file, then linked into place,
/// which fails if another process got there first (whose key is then read).
fn create_key(path: &Path) -> Result<Key, SecretError> {
    let read = read_key;
    let key = Key::random()?;
    let tmp = write_temp(path, crypto::encode_key(&key).as_bytes())?;
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            sync_dir(path.parent().expect("a directory"))?;
            Ok(key)
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            read(path)?.ok_or_else(|| io(path, ErrorKind::NotFound.into()))
        }
        Err(e) => Err(io(path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_reversible_and_flat() {
        for key in ["socialcrm/tiktok/default", "a b%c", "..", "ü/../x"] {
            let name = file_name(key);
            assert!(!name.contains('/'), "{name}");
            assert_ne!(name, "..");
            let stem = name.strip_suffix(SUFFIX).unwrap();
            assert_eq!(key_of_file(stem).as_deref(), Some(key));
        }
        assert_eq!(
            file_name("socialcrm/tiktok/default"),
            "socialcrm%2Ftiktok%2Fdefault.secret"
        );
        assert_eq!(key_of_file("bad%zz"), None);
    }
}
