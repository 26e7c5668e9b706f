//! Opening a PostgreSQL connection the way teams run PostgreSQL: TLS with libpq's `sslmode`s,
//! passwords from `PGPASSWORD` / `~/.pgpass`, the `PG*` variables, a short connect timeout and
//! `application_name=socialcrm`.
//!
//! Every connection the tool opens (the store, and through it the db secrets backend and the
//! sync leases) goes through [`connect`], so they all get the same rules. The pieces:
//! ```text
//! params.rs   URL + PG* variables + libpq defaults -> postgres::Config, sslmode, cert files
//! pgpass.rs   the password file
//! tls.rs      rustls configuration and the certificate checks of each sslmode
//! ```
//! Errors are one line naming the database by its redacted URL and the cause (certificate not
//! trusted, host name mismatch, no TLS on the server, TLS required by the server), with a hint.

mod params;
mod pgpass;
mod tls;

use std::fmt;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use postgres::Client;
use tokio_postgres_rustls::MakeRustlsConnect;

pub use params::SslMode;
pub use tls::Verification;

use super::super::StoreError;
use crate::vocab::Secret;

/// How the connection to the server is protected, for `doctor` and `db status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsState {
    pub sslmode: SslMode,
    /// `TLSv1.3` or `TLSv1.2`; `None` when the connection is not encrypted.
    pub protocol: Option<&'static str>,
    pub verification: Verification,
    /// Every host is a loopback address or a Unix socket.
    pub local: bool,
}

impl TlsState {
    /// Worth a warning: readable on the network, or encrypted to a server nobody checked.
    pub fn is_weak(&self) -> bool {
        match self.protocol {
            None => !self.local,
            Some(_) => self.verification != Verification::Full && !self.local,
        }
    }
}

impl fmt::Display for TlsState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = self.sslmode;
        match self.protocol {
            None => write!(f, "not encrypted (sslmode={mode})"),
            Some(protocol) => {
                let checked = match self.verification {
                    Verification::Full => "server certificate and host name verified",
                    Verification::Chain => "server certificate verified, host name not checked",
                    Verification::None => "server certificate not verified",
                };
                write!(f, "{protocol}, {checked} (sslmode={mode})")
            }
        }
    }
}

/// Connects to the PostgreSQL database `url` names, with the environment of this process, and
/// says how the connection is protected.
pub fn connect(url: &Secret) -> Result<(Client, TlsState), StoreError> {
    let env = |name: &str| std::env::var(name).ok();
    let mut params = params::resolve(url.expose(), &env).map_err(|e| StoreError::Connection {
        location: crate::vocab::redact_url(url.expose()),
        reason: e.reason,
        hint: e.hint,
    })?;
    let location = params.location.clone();
    let refused = |reason: String, hint: String| StoreError::Connection {
        location: location.clone(),
        reason,
        hint,
    };
    let (tls_config, verification, witness) =
        tls::client_config(&params).map_err(|e| refused(e.reason, e.hint))?;
    tracing::debug!(
        database = %location,
        sslmode = %params.sslmode,
        "connecting to PostgreSQL"
    );
    let mut attempt = connect_within_timeout(&params, MakeRustlsConnect::new(tls_config.clone()));
    if let Err(Attempt::Failed(e)) = &attempt
        && falls_back_to_plain_text(e, &params, &tls::read(&witness))
    {
        // libpq's `prefer` / `allow`: a server whose TLS cannot be spoken is tried in plain
        // text. A certificate this side refused is never a reason to drop TLS.
        tracing::warn!(
            database = %location,
            error = %describe(e),
            "the TLS handshake failed; connecting without TLS, as sslmode={} allows",
            params.sslmode
        );
        params.config.ssl_mode(postgres::config::SslMode::Disable);
        attempt = connect_within_timeout(&params, MakeRustlsConnect::new(tls_config));
    }
    match attempt {
        Err(Attempt::TimedOut(after)) => Err(refused(
            format!(
                "no answer within {} s (connect_timeout): the server took the connection but did not finish TLS or the login",
                after.as_secs()
            ),
            "check the host and port (a proxy or firewall may be holding the connection), or raise connect_timeout".into(),
        )),
        Err(Attempt::NoThread(why)) => Err(StoreError::Unreachable {
            location: location.clone(),
            reason: format!("cannot start connecting ({why})"),
        }),
        Err(Attempt::Failed(e)) => Err(explain(&e, &params, &tls::read(&witness), &location)),
        Ok(mut client) => {
            // JIT compilation pays off for long analytic queries; socialcrm's are page reads
            // and index ranges whose estimated cost (a correlated count per account) crosses
            // jit_above_cost, and then compiling takes longer than the query (0.5 s of a 1 s
            // segment count). A session whose options set `jit` keeps them.
            let own_jit = params.config.get_options().is_some_and(|o| o.contains("jit"))
                || std::env::var("PGOPTIONS").is_ok_and(|o| o.contains("jit"));
            if !own_jit {
                client
                    .batch_execute("SET jit = off")
                    .map_err(|e| explain(&e, &params, &tls::read(&witness), &location))?;
            }
            let state = TlsState {
                sslmode: params.sslmode,
                protocol: tls::read(&witness).protocol,
                verification,
                local: params.local,
            };
            tracing::debug!(database = %location, tls = %state, "connected");
            Ok((client, state))
        }
    }
}

/// Whether a failed attempt may be repeated without TLS: only under `prefer` / `allow`, only
/// when the handshake itself failed, and never when this side refused the certificate.
fn falls_back_to_plain_text(
    e: &postgres::Error,
    params: &params::Params,
    seen: &tls::Seen,
) -> bool {
    matches!(params.sslmode, SslMode::Prefer | SslMode::Allow)
        && seen.refused.is_none()
        && e.as_db_error().is_none()
        && e.to_string().starts_with("error performing TLS handshake")
}

enum Attempt {
    Failed(postgres::Error),
    TimedOut(Duration),
    NoThread(String),
}

/// The driver bounds only the TCP connect by `connect_timeout`; libpq bounds the whole attempt,
/// TLS handshake and login included. A server (or proxy) that takes the connection and then
/// says nothing would hang a cron run, so the attempt runs on its own thread and is given up
/// after the timeout (per host), the thread left to end with the process.
fn connect_within_timeout(
    params: &params::Params,
    connector: MakeRustlsConnect,
) -> Result<Client, Attempt> {
    let config = params.config.clone();
    let hosts = config.get_hosts().len().max(1) as u32;
    let limit = config
        .get_connect_timeout()
        .copied()
        .unwrap_or(params::DEFAULT_CONNECT_TIMEOUT)
        * hosts;
    let (done, outcome) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("postgres-connect".into())
        .spawn(move || {
            // The receiver is gone only when the wait below gave up.
            let _ = done.send(config.connect(connector));
        })
        .map_err(|e| Attempt::NoThread(e.to_string()))?;
    match outcome.recv_timeout(limit) {
        Ok(Ok(client)) => Ok(client),
        Ok(Err(e)) => Err(Attempt::Failed(e)),
        Err(RecvTimeoutError::Timeout) => Err(Attempt::TimedOut(limit)),
        Err(RecvTimeoutError::Disconnected) => Err(Attempt::NoThread(
            "the connecting thread ended without an answer".into(),
        )),
    }
}

/// The cause of a failed connection in words a person can act on.
fn explain(
    e: &postgres::Error,
    params: &params::Params,
    seen: &tls::Seen,
    location: &str,
) -> StoreError {
    let mode = params.sslmode;
    let connection = |reason: String, hint: &str| StoreError::Connection {
        location: location.to_string(),
        reason,
        hint: hint.to_string(),
    };
    if let Some(why) = &seen.refused {
        use rustls::CertificateError as C;
        let trusted_by = params
            .root
            .as_ref()
            .map(|r| r.to_string())
            .unwrap_or_default();
        return match why {
            C::NotValidForName | C::NotValidForNameContext { .. } => connection(
                format!(
                    "the server's certificate is not valid for this host name (sslmode={mode})"
                ),
                "connect by the host name the certificate was issued for (the provider's name, not an IP address), or use sslmode=verify-ca",
            ),
            C::UnknownIssuer | C::BadSignature | C::UnknownRevocationStatus => connection(
                format!("the server's certificate is not trusted by {trusted_by} ({why:?})"),
                "set sslrootcert to the CA bundle of your provider (or `system` for a publicly trusted server)",
            ),
            C::Expired
            | C::ExpiredContext { .. }
            | C::NotValidYet
            | C::NotValidYetContext { .. } => connection(
                format!("the server's certificate is outside its validity period ({why:?})"),
                "check this host's clock, or have the server's certificate renewed",
            ),
            other => connection(
                format!("the server's certificate was refused ({other:?}, sslmode={mode})"),
                "check sslrootcert and the server's certificate",
            ),
        };
    }
    let text = describe(e);
    if text.contains("server does not support TLS") {
        return connection(
            format!("the server does not support TLS, and sslmode={mode} requires it"),
            "turn on ssl on the server, or use sslmode=prefer on a trusted network",
        );
    }
    if let Some(db) = e.as_db_error() {
        // pg_hba.conf answers "... no encryption" when only hostssl lines would let us in.
        if db.code().code() == "28000"
            && seen.protocol.is_none()
            && db.message().contains("no encryption")
        {
            return connection(
                format!(
                    "the server requires TLS ({}), and sslmode={mode} does not use it",
                    db.message()
                ),
                "use sslmode=require, or better verify-full with sslrootcert",
            );
        }
        if db.code().code() == "28P01" {
            let hint = params
                .password_note
                .clone()
                .unwrap_or_else(|| "check the password in PGPASSWORD, ~/.pgpass or the URL".into());
            return connection(db.message().to_string(), &hint);
        }
    }
    if text.contains("password missing") {
        let hint = params.password_note.clone().unwrap_or_else(|| {
            "set PGPASSWORD, or add a line host:port:database:user:password to ~/.pgpass (chmod 600)".into()
        });
        return connection(
            "the server asks for a password and none was given".into(),
            &hint,
        );
    }
    StoreError::Unreachable {
        location: location.to_string(),
        reason: text,
    }
}

/// The driver's message with its causes, on one line ("error connecting to server:
/// Connection refused (os error 111)"); for the errors only a transaction pooler causes, what
/// to do about it.
pub fn describe(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return match pooler_hint(e) {
            Some(hint) => format!("{} ({hint})", db.message()),
            None => db.message().to_string(),
        };
    }
    crate::error::with_causes(e)
}

/// A hint for a query error that only a transaction-mode pooler causes (prepared statements
/// that vanish or collide between transactions).
fn pooler_hint(e: &postgres::Error) -> Option<&'static str> {
    let code = e.as_db_error()?.code().code();
    matches!(code, "26000" | "42P05").then_some(
        "prepared statements went missing between transactions: this looks like a transaction-mode pooler (PgBouncer, Supavisor); connect to the direct or session-mode endpoint",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(protocol: Option<&'static str>, verification: Verification, local: bool) -> TlsState {
        TlsState {
            sslmode: SslMode::Prefer,
            protocol,
            verification,
            local,
        }
    }

    #[test]
    fn only_a_verified_or_local_connection_is_not_weak() {
        assert!(!state(Some("TLSv1.3"), Verification::Full, false).is_weak());
        assert!(state(Some("TLSv1.3"), Verification::Chain, false).is_weak());
        assert!(state(Some("TLSv1.3"), Verification::None, false).is_weak());
        assert!(state(None, Verification::None, false).is_weak());
        assert!(!state(None, Verification::None, true).is_weak());
        assert_eq!(
            state(Some("TLSv1.2"), Verification::None, false).to_string(),
            "TLSv1.2, server certificate not verified (sslmode=prefer)"
        );
        assert_eq!(
            state(None, Verification::None, true).to_string(),
            "not encrypted (sslmode=prefer)"
        );
    }
}
