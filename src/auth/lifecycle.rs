//! Token lifecycle in one place: use a connection's access token, refreshing it ahead of expiry
//! and once after a 401, storing rotated refresh tokens before anything else happens, and
//! marking the connection `needs_reauth` when the grant is gone for good.
//!
//! Two processes must never refresh one connection at once: TikTok and X rotate refresh tokens,
//! so the loser of a race would present a dead token and lock the account out. A refresh takes
//! an exclusive lock file per connection (`<data dir>/locks/`), re-reads the stored tokens once
//! it holds it (the other process may have refreshed already), and writes the new tokens to the
//! secrets store before the lock is released.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use chrono::{Duration, Utc};

use super::tokens::Tokens;
use crate::auth::OAuthPlatform;
use crate::secrets::{Held, Secret, SecretError};
use crate::store::Batch;
use crate::store::Store;
use crate::store::model::{AuditEntry, Connection, ConnectionRow, ConnectionStatus};
use crate::vocab::{PlatformError, PlatformId};

/// A token this close to its expiry is not used while a refresh fails: it could die on the way.
const AHEAD: i64 = 300;

/// Why a token could not be had; `Reauth` is apart from the rest because it maps to exit 4 and
/// marks the connection, while the others are retried by the next run.
#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    /// The grant is gone (refresh refused or no token stored): only `connect` fixes it.
    #[error(
        "the {platform} account '{account}' needs to be connected again: run `socialcrm connect {platform} --account {account}`"
    )]
    Reauth {
        /// The platform, named in the `connect` command of the message.
        platform: PlatformId,
        /// The local account name, likewise.
        account: String,
    },
    /// The platform failed otherwise (down, rate limited, a bad answer).
    #[error(transparent)]
    Platform(#[from] PlatformError),
    /// The tokens could not be read or written.
    #[error(transparent)]
    Secrets(#[from] SecretError),
    /// The connection row or the refresh lock could not be written or taken.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The per-host lock file that serialises refreshes could not be taken.
    #[error("cannot lock {path} for a token refresh: {reason}")]
    Lock {
        /// The lock file.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
}

/// The key a connection's tokens are stored under. Names only, never a secret.
pub fn secret_key(platform: &str, account: &str) -> String {
    format!("socialcrm/{platform}/{account}")
}

/// Everything a token needs to be used and renewed.
pub struct Session<'a> {
    /// The app that granted the tokens (sandbox or production): refreshes must use it.
    pub platform: &'a dyn OAuthPlatform,
    /// Where the connection's status, expiry and audit entries are written.
    pub store: &'a mut dyn Store,
    /// Where the tokens are kept (for the db backend, in `store` itself).
    pub secrets: Held<'a>,
    /// The connection as last written by this session.
    pub connection: ConnectionRow,
    /// Where the per-host refresh lock files live.
    pub lock_dir: PathBuf,
    /// A refresh ahead of expiry failed in this session while the token still had time left:
    /// the session goes on with that token and does not ask again on every call.
    pub early_refresh_failed: bool,
    /// The tokens as this session last read or wrote them (`None` until first read): a sync's
    /// pages use them without reading the secrets store again. A refresh re-reads the store
    /// under its lock, so another process's refresh is never overwritten with these.
    pub tokens: Option<Tokens>,
    /// Who the audit entries of this session name (`Config::operator`).
    pub actor: String,
}

impl Session<'_> {
    fn key(&self) -> String {
        secret_key(
            self.connection.connection.platform.name(),
            &self.connection.connection.account,
        )
    }

    fn reauth(&self) -> LifecycleError {
        LifecycleError::Reauth {
            platform: self.connection.connection.platform,
            account: self.connection.connection.account.clone(),
        }
    }

    /// The tokens in use: those this session holds, else the stored ones.
    fn current(&mut self) -> Result<Tokens, LifecycleError> {
        if let Some(tokens) = &self.tokens {
            return Ok(tokens.clone());
        }
        let tokens = self.stored()?;
        self.tokens = Some(tokens.clone());
        Ok(tokens)
    }

    fn stored(&mut self) -> Result<Tokens, LifecycleError> {
        let key = self.key();
        match self.secrets.get(self.store, &key)? {
            Some(secret) => Tokens::from_secret(&secret).ok_or_else(|| self.reauth()),
            None => Err(self.reauth()),
        }
    }

    /// Runs `call` with a valid access token: refreshed first when due, and refreshed and
    /// retried once when the platform answers 401.
    pub fn with_token<T>(
        &mut self,
        mut call: impl FnMut(&Secret) -> Result<T, PlatformError>,
    ) -> Result<T, LifecycleError> {
        if self.connection.connection.status == ConnectionStatus::NeedsReauth {
            return Err(self.reauth());
        }
        let mut tokens = self.current()?;
        let last_minutes = tokens.expires_within(Utc::now(), Duration::seconds(AHEAD));
        let due = tokens.expires_within(Utc::now(), self.platform.refresh_ahead());
        if due && (last_minutes || !self.early_refresh_failed) {
            tokens = match self.refresh(&tokens) {
                Ok(fresh) => fresh,
                // Refreshed days ahead (Instagram): a token that still has time left is used
                // while the platform is unreachable or refuses; the next run tries again.
                Err(LifecycleError::Platform(e)) if !last_minutes => {
                    tracing::warn!(error = %e, "the token could not be refreshed ahead of its expiry; using it as it is");
                    self.early_refresh_failed = true;
                    tokens
                }
                Err(e) => return Err(e),
            };
        }
        match call(&tokens.access()) {
            Err(PlatformError::Unauthorized { .. }) => {
                let tokens = self.refresh(&tokens)?;
                Ok(call(&tokens.access())?)
            }
            other => Ok(other?),
        }
    }

    /// Refreshes under the connection's locks (a lock file for processes on this host, the
    /// database's lock for hosts sharing it); `used` is the token set that was found stale.
    fn refresh(&mut self, used: &Tokens) -> Result<Tokens, LifecycleError> {
        let _lock = lock(&self.lock_dir, &self.key())?;
        let name = format!("refresh {}", self.key());
        self.store.lock(&name)?;
        let refreshed = self.refresh_locked(used);
        let unlocked = self.store.unlock(&name);
        let tokens = refreshed?;
        unlocked?;
        self.tokens = Some(tokens.clone());
        Ok(tokens)
    }

    fn refresh_locked(&mut self, used: &Tokens) -> Result<Tokens, LifecycleError> {
        // Another process may have refreshed while this one waited for the lock.
        let current = self.stored()?;
        if current != *used && !current.expires_within(Utc::now(), self.platform.refresh_ahead()) {
            return Ok(current);
        }
        let Some(refresh_token) = self.platform.refresh_credential(&current) else {
            self.mark_reauth("no refresh token stored")?;
            return Err(self.reauth());
        };
        match self.platform.refresh(&Secret::new(refresh_token)) {
            Ok(mut fresh) => {
                // Platforms that do not rotate send no new refresh token: keep the old one.
                if fresh.refresh_token.is_none() {
                    fresh.refresh_token = current.refresh_token.clone();
                    fresh.refresh_expires_at = current.refresh_expires_at;
                }
                if fresh.scopes.is_empty() {
                    fresh.scopes = current.scopes.clone();
                }
                fresh.platform_user_id = fresh.platform_user_id.or(current.platform_user_id);
                let key = self.key();
                self.secrets.put(self.store, &key, &fresh.to_secret())?;
                let mut connection = self.connection.connection.clone();
                connection.token_expires_at = fresh.expires_at;
                connection.status = ConnectionStatus::Active;
                self.store
                    .upsert(Batch::Connections(std::slice::from_ref(&connection)))?;
                // Later writes of the connection (the sync's last_sync_at) start from this one,
                // not from the copy read before the refresh, which names the old expiry.
                self.connection.connection = connection;
                self.audit("refresh", "ok", "access token refreshed")?;
                Ok(fresh)
            }
            Err(e) if e.needs_reauth() => {
                self.mark_reauth(&e.to_string())?;
                Err(self.reauth())
            }
            Err(e) => {
                self.audit("refresh", "failed", &e.to_string())?;
                Err(e.into())
            }
        }
    }

    fn mark_reauth(&mut self, why: &str) -> Result<(), LifecycleError> {
        let connection = Connection {
            status: ConnectionStatus::NeedsReauth,
            ..self.connection.connection.clone()
        };
        self.store
            .upsert(Batch::Connections(std::slice::from_ref(&connection)))?;
        self.connection.connection = connection;
        self.audit("refresh", "needs_reauth", why)
    }

    fn audit(&mut self, action: &str, outcome: &str, detail: &str) -> Result<(), LifecycleError> {
        let c = &self.connection.connection;
        let entry = audit_entry(&self.actor, action, c.platform, &c.account, outcome, detail);
        self.store.upsert(Batch::Audit(&[entry]))?;
        Ok(())
    }
}

/// An audit entry about a connection. `detail` must never hold a secret: callers pass error
/// messages of types that redact them.
pub fn audit_entry(
    actor: &str,
    action: &str,
    platform: PlatformId,
    account: &str,
    outcome: &str,
    detail: &str,
) -> AuditEntry {
    AuditEntry {
        event_id: uuid::Uuid::new_v4().to_string(),
        at: crate::clock::now(),
        actor: actor.into(),
        action: action.into(),
        platform: Some(platform),
        account: Some(account.into()),
        outcome: outcome.into(),
        detail: Some(detail.into()),
    }
}

/// An exclusive advisory lock on a file, released when dropped (or when the process dies).
pub struct Lock(#[allow(dead_code)] File);

/// Takes the lock named after `key`, waiting for another holder to finish.
pub fn lock(dir: &Path, key: &str) -> Result<Lock, LifecycleError> {
    let name: String = key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let path = dir.join(format!("{name}.lock"));
    let fail = |reason: String| LifecycleError::Lock {
        path: path.display().to_string(),
        reason,
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| fail(e.to_string()))?;
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: flock on a descriptor this function owns; no memory is shared.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        if rc != 0 {
            return Err(fail(std::io::Error::last_os_error().to_string()));
        }
    }
    Ok(Lock(file))
}
