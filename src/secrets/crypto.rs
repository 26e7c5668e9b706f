//! Authenticated encryption shared by the `file` and `db` backends.
//!
//! A secret is sealed with XChaCha20-Poly1305 under a 256-bit key, with a fresh random 192-bit
//! nonce on every write (random nonces of that size never collide in practice). The associated
//! data binds the secret's name and the key-derivation header, so a sealed value moved to
//! another name, or given another header, fails to decrypt instead of answering for the wrong
//! account.
//!
//! The key comes from one of two places ([`KeySource`]):
//! - a passphrase (`SOCIALCRM_MASTER_KEY`), stretched by Argon2id with a random salt. The salt
//!   and cost parameters travel with every sealed value in its `kdf` header
//!   (`argon2id$v=19$m=19456,t=2,p=1$<salt>`), so each value can be opened on its own;
//!   derived keys are cached per header for the whole process (every `sync --all` worker has
//!   its own store, and sixteen Argon2 derivations at once cost sixteen times its 19 MiB and
//!   CPU for nothing), and new writes reuse the header of a value already opened, so a process
//!   derives once;
//! - a random key file (`master.key`, file backend only), with the header `keyfile`.
//!
//! Nothing here touches disk or the database; nothing here ever puts a secret in an error.

use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::Digest;

use super::{Secret, SecretError};

pub const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;
const SALT_LEN: usize = 16;
/// The `kdf` header of values sealed with a key file.
pub const KEYFILE_KDF: &str = "keyfile";
/// Argon2id costs for new values: OWASP's recommendation (19 MiB, 2 passes, 1 lane).
const M_COST: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;
/// Upper bounds accepted from a stored header, so a tampered row cannot make us allocate
/// gigabytes or spin for minutes.
const M_COST_MAX: u32 = 1024 * 1024;
const T_COST_MAX: u32 = 64;
const P_COST_MAX: u32 = 16;

/// A 256-bit key, wiped from memory when dropped.
pub struct Key([u8; KEY_LEN]);

impl Key {
    pub fn random() -> Result<Key, SecretError> {
        Ok(Key(random_bytes()?))
    }

    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        for b in self.0.iter_mut() {
            // Volatile so the wipe of memory about to be freed is not optimised away.
            unsafe { std::ptr::write_volatile(b, 0) };
        }
    }
}

/// Where the encryption key comes from.
pub enum KeySource {
    /// `SOCIALCRM_MASTER_KEY`: any passphrase, stretched with Argon2id.
    Passphrase(Secret),
    /// A random key kept in a 0600 file (the file backend's default).
    KeyFile { key: Key, path: PathBuf },
}

/// A sealed secret as it is stored: all three parts are printable (base64 without padding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub kdf: String,
    pub nonce: String,
    pub ciphertext: String,
}

/// Seals and opens secrets with one [`KeySource`], caching derived keys.
pub struct Crypter {
    source: KeySource,
    /// Keys derived from the passphrase, by `kdf` header.
    derived: Vec<(String, std::sync::Arc<Key>)>,
    /// The header new values are sealed under.
    write_kdf: Option<String>,
}

impl Crypter {
    pub fn new(source: KeySource) -> Crypter {
        let write_kdf = match &source {
            KeySource::Passphrase(_) => None,
            KeySource::KeyFile { .. } => Some(KEYFILE_KDF.to_string()),
        };
        Crypter {
            source,
            derived: Vec::new(),
            write_kdf,
        }
    }

    /// True when the key is a passphrase (`SOCIALCRM_MASTER_KEY`).
    pub fn uses_passphrase(&self) -> bool {
        matches!(self.source, KeySource::Passphrase(_))
    }

    /// Seals `plaintext` as the value of `name`.
    pub fn seal(&mut self, name: &str, plaintext: &[u8]) -> Result<Sealed, SecretError> {
        let kdf = match &self.write_kdf {
            Some(kdf) => kdf.clone(),
            None => {
                let salt: [u8; SALT_LEN] = random_bytes()?;
                let kdf = format!(
                    "argon2id$v=19$m={M_COST},t={T_COST},p={P_COST}${}",
                    B64.encode(salt)
                );
                self.write_kdf = Some(kdf.clone());
                kdf
            }
        };
        let nonce: [u8; NONCE_LEN] = random_bytes()?;
        let key = self.key_for(name, &kdf)?;
        let cipher = XChaCha20Poly1305::new(&(*key.as_bytes()).into());
        let aad = associated_data(name, &kdf);
        let ciphertext = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| SecretError::Crypto {
                key: name.to_string(),
            })?;
        Ok(Sealed {
            kdf,
            nonce: B64.encode(nonce),
            ciphertext: B64.encode(ciphertext),
        })
    }

    /// Opens the value sealed as `name`; `location` names where it was read, for messages.
    ///
    /// A value that opens also proves the key right, so its header becomes the one new values
    /// are sealed under (one Argon2 derivation per process, one salt per store).
    pub fn open(
        &mut self,
        name: &str,
        sealed: &Sealed,
        location: &str,
    ) -> Result<Vec<u8>, SecretError> {
        let damaged = |reason: &str| SecretError::Damaged {
            key: name.to_string(),
            location: location.to_string(),
            reason: reason.to_string(),
        };
        let nonce: [u8; NONCE_LEN] = B64
            .decode(&sealed.nonce)
            .ok()
            .and_then(|n| n.try_into().ok())
            .ok_or_else(|| damaged("bad nonce"))?;
        let ciphertext = B64
            .decode(&sealed.ciphertext)
            .map_err(|_| damaged("ciphertext is not base64"))?;
        let key = self.key_for(name, &sealed.kdf).map_err(|e| match e {
            SecretError::Damaged { reason, .. } => damaged(&reason),
            other => other,
        })?;
        let cipher = XChaCha20Poly1305::new(&(*key.as_bytes()).into());
        let aad = associated_data(name, &sealed.kdf);
        let plaintext = cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| match &self.source {
                KeySource::Passphrase(_) => SecretError::WrongMasterKey {
                    key: name.to_string(),
                },
                KeySource::KeyFile { path, .. } => SecretError::WrongKeyFile {
                    key: name.to_string(),
                    path: path.clone(),
                },
            })?;
        if self.uses_passphrase() {
            self.write_kdf = Some(sealed.kdf.clone());
        }
        Ok(plaintext)
    }

    /// The key for a `kdf` header, derived (once) from the passphrase or read from the file.
    fn key_for(&mut self, name: &str, kdf: &str) -> Result<&Key, SecretError> {
        let passphrase = match &self.source {
            KeySource::KeyFile { key, path } => {
                return if kdf == KEYFILE_KDF {
                    Ok(key)
                } else {
                    Err(SecretError::NeedsMasterKey {
                        key: name.to_string(),
                        path: path.clone(),
                    })
                };
            }
            KeySource::Passphrase(p) => p,
        };
        if kdf == KEYFILE_KDF {
            return Err(SecretError::NeedsKeyFile {
                key: name.to_string(),
            });
        }
        if let Some(i) = self.derived.iter().position(|(k, _)| k == kdf) {
            return Ok(&self.derived[i].1);
        }
        let key = derived_key(name, passphrase, kdf)?;
        self.derived.push((kdf.to_string(), key));
        Ok(&self.derived.last().expect("just pushed").1)
    }
}

/// The key of `passphrase` under `kdf`, derived once per process: the lock is held while
/// deriving, so callers that ask at the same time wait for the one derivation. Entries are
/// told apart by the SHA-256 of the passphrase they came from, so that another passphrase never
/// gets this one's key and the cache keeps no copy of a passphrase.
fn derived_key(
    name: &str,
    passphrase: &Secret,
    kdf: &str,
) -> Result<std::sync::Arc<Key>, SecretError> {
    type Cache = Vec<(String, [u8; 32], std::sync::Arc<Key>)>;
    static DERIVED: std::sync::OnceLock<std::sync::Mutex<Cache>> = std::sync::OnceLock::new();
    let mut cache = DERIVED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let digest: [u8; 32] = sha2::Sha256::digest(passphrase.expose().as_bytes()).into();
    if let Some((_, _, key)) = cache.iter().find(|(k, d, _)| k == kdf && *d == digest) {
        return Ok(key.clone());
    }
    let (params, salt) = parse_kdf(kdf).ok_or_else(|| SecretError::Damaged {
        key: name.to_string(),
        location: String::new(),
        reason: "unknown key derivation header".into(),
    })?;
    let mut out = [0u8; KEY_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.expose().as_bytes(), &salt, &mut out)
        .map_err(|_| SecretError::Crypto {
            key: name.to_string(),
        })?;
    let key = std::sync::Arc::new(Key(out));
    cache.push((kdf.to_string(), digest, key.clone()));
    Ok(key)
}

/// `argon2id$v=19$m=M,t=T,p=P$SALT` into Argon2 parameters and the salt, within sane bounds.
fn parse_kdf(kdf: &str) -> Option<(Params, Vec<u8>)> {
    let mut parts = kdf.split('$');
    if parts.next()? != "argon2id" || parts.next()? != "v=19" {
        return None;
    }
    let (mut m, mut t, mut p) = (None, None, None);
    for pair in parts.next()?.split(',') {
        let (name, value) = pair.split_once('=')?;
        let value: u32 = value.parse().ok()?;
        match name {
            "m" => m = Some(value),
            "t" => t = Some(value),
            "p" => p = Some(value),
            _ => return None,
        }
    }
    let salt = B64.decode(parts.next()?).ok()?;
    if parts.next().is_some() || salt.len() < argon2::MIN_SALT_LEN {
        return None;
    }
    let (m, t, p) = (m?, t?, p?);
    if m > M_COST_MAX || t > T_COST_MAX || p > P_COST_MAX {
        return None;
    }
    let params = Params::new(m, t, p, Some(KEY_LEN)).ok()?;
    Some((params, salt))
}

/// What the tag authenticates besides the ciphertext: a label, the header and the name.
fn associated_data(name: &str, kdf: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(24 + kdf.len() + name.len());
    aad.extend_from_slice(b"socialcrm secret v1\0");
    aad.extend_from_slice(kdf.as_bytes());
    aad.push(0);
    aad.extend_from_slice(name.as_bytes());
    aad
}

/// Bytes from the operating system's random source.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], SecretError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| SecretError::Random {
        reason: e.to_string(),
    })?;
    Ok(buf)
}

/// A key file's text: the key in base64 and a newline.
pub fn encode_key(key: &Key) -> String {
    format!("{}\n", B64.encode(key.as_bytes()))
}

/// Reads a key file's text back; `None` when it is not a 256-bit key.
pub fn decode_key(text: &str) -> Option<Key> {
    let bytes: [u8; KEY_LEN] = B64.decode(text.trim()).ok()?.try_into().ok()?;
    Some(Key(bytes))
}

/// For messages: a path as shown to a person.
pub fn show(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passphrase(p: &str) -> Crypter {
        Crypter::new(KeySource::Passphrase(Secret::new(p)))
    }

    #[test]
    fn sealed_values_open_only_under_their_name_and_key() {
        let mut c = passphrase("correct horse");
        let sealed = c
            .seal("socialcrm/x/default", b"{\"access\":\"tok\"}")
            .unwrap();
        assert!(sealed.kdf.starts_with("argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(
            c.open("socialcrm/x/default", &sealed, "here").unwrap(),
            b"{\"access\":\"tok\"}"
        );
        // Another name: the associated data differs.
        let err = c.open("socialcrm/x/other", &sealed, "here").unwrap_err();
        assert!(matches!(err, SecretError::WrongMasterKey { .. }), "{err}");
        // Another passphrase.
        let err = passphrase("wrong")
            .open("socialcrm/x/default", &sealed, "here")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "cannot decrypt socialcrm/x/default: wrong SOCIALCRM_MASTER_KEY?"
        );
        // Each write has its own nonce, one salt per store.
        let again = c
            .seal("socialcrm/x/default", b"{\"access\":\"tok\"}")
            .unwrap();
        assert_ne!(again.nonce, sealed.nonce);
        assert_eq!(again.kdf, sealed.kdf);
    }

    #[test]
    fn key_file_and_passphrase_values_do_not_mix() {
        let mut file = Crypter::new(KeySource::KeyFile {
            key: Key::random().unwrap(),
            path: PathBuf::from("/d/secrets/master.key"),
        });
        let sealed = file.seal("k", b"v").unwrap();
        assert_eq!(sealed.kdf, KEYFILE_KDF);
        assert_eq!(file.open("k", &sealed, "here").unwrap(), b"v");
        let err = passphrase("p").open("k", &sealed, "here").unwrap_err();
        assert!(matches!(err, SecretError::NeedsKeyFile { .. }), "{err}");
        let by_pass = passphrase("p").seal("k", b"v").unwrap();
        let err = file.open("k", &by_pass, "here").unwrap_err();
        assert!(matches!(err, SecretError::NeedsMasterKey { .. }), "{err}");
    }

    #[test]
    fn headers_out_of_bounds_are_refused() {
        assert!(parse_kdf("argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0").is_some());
        assert!(parse_kdf("argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHRzYWx0").is_none());
        assert!(parse_kdf("argon2id$v=19$m=19456,t=2,p=1$c2E").is_none());
        assert!(parse_kdf("scrypt$v=19$m=1,t=1,p=1$c2FsdHNhbHRzYWx0").is_none());
    }

    #[test]
    fn key_files_round_trip() {
        let key = Key::random().unwrap();
        let text = encode_key(&key);
        assert_eq!(decode_key(&text).unwrap().as_bytes(), key.as_bytes());
        assert!(decode_key("c2hvcnQ\n").is_none());
    }
}
