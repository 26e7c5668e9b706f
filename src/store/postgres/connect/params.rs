//! Resolving a `postgres://` URL into a driver configuration, the way libpq does.
//!
//! The `postgres` crate reads host, port, user, password, dbname, options, connect_timeout and a
//! few more from a URL, but knows only `sslmode=disable|prefer|require`, no certificate files,
//! no `PG*` variables and no `~/.pgpass`. Here the libpq parameters it lacks are taken out of the
//! query, the rest is handed to the crate, and what the URL leaves out is filled in libpq's
//! order: the URL, then the `PG*` variables, then libpq's defaults (`~/.postgresql/root.crt`,
//! `~/.pgpass`, ...). Nothing here opens a connection; [`resolve`] is pure apart from reading
//! the files it names, so the rules are unit-tested with a fake environment.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use percent_encoding::percent_decode_str;
use postgres::config::Host;

use super::pgpass::{self, Lookup};
use crate::vocab::redact_url;

/// What the URL and the environment say, ready to connect with.
pub struct Params {
    pub config: postgres::Config,
    pub sslmode: SslMode,
    /// The trust anchors for the server's certificate, when it is to be verified.
    pub root: Option<RootCert>,
    /// A client certificate and its key (`sslcert` / `sslkey`), for servers that ask for one.
    pub client_cert: Option<(PathBuf, PathBuf)>,
    /// The URL with the password masked: the only form that may appear in messages.
    pub location: String,
    /// Where the password came from, if not from the URL (for the "password missing" message).
    pub password_note: Option<String>,
    /// Every host is a loopback address or a Unix socket (unencrypted is then no warning).
    pub local: bool,
}

/// libpq's `sslmode`; `allow` is taken as `prefer` (try TLS, accept plain text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

impl FromStr for SslMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => {
                return Err(format!(
                    "invalid sslmode '{s}' (use disable, allow, prefer, require, verify-ca or verify-full)"
                ));
            }
        })
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `sslrootcert`: a PEM file of CA certificates, or `system` for the operating system's store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCert {
    File(PathBuf),
    System,
}

impl fmt::Display for RootCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RootCert::File(path) => write!(f, "sslrootcert {}", path.display()),
            RootCert::System => f.write_str("the system's trusted CAs (sslrootcert=system)"),
        }
    }
}

/// A connection setting that cannot work: the reason and the fix, each one line.
#[derive(Debug)]
pub struct ParamError {
    pub reason: String,
    pub hint: String,
}

fn bad(reason: impl Into<String>, hint: impl Into<String>) -> ParamError {
    ParamError {
        reason: reason.into(),
        hint: hint.into(),
    }
}

/// Waits this long for a server unless `connect_timeout` / `PGCONNECT_TIMEOUT` says otherwise:
/// a cron run against an unreachable host fails in seconds instead of hanging.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Query parameters of libpq that the `postgres` crate does not read; they are resolved here.
const OURS: &[&str] = &[
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "passfile",
    "sslsni",
];

/// Parameters libpq has and this tool cannot honour: refused rather than silently ignored.
const UNSUPPORTED: &[(&str, &str)] = &[
    (
        "sslpassword",
        "encrypted client keys are not supported: decrypt the key (openssl pkey -in key -out key.plain) and chmod 600 it",
    ),
    ("sslcrl", "certificate revocation lists are not supported"),
    (
        "sslcrldir",
        "certificate revocation lists are not supported",
    ),
    ("gssencmode", "GSSAPI encryption is not supported: use TLS"),
];

pub fn resolve(url: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Params, ParamError> {
    let location = redact_url(url);
    let var = |name: &str| env(name).filter(|v| !v.is_empty());
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut ours: Vec<(String, String)> = Vec::new();
    let mut rest: Vec<String> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(key);
        if let Some((_, why)) = UNSUPPORTED.iter().find(|(k, _)| *k == key) {
            return Err(bad(
                format!("the URL sets {key}, which socialcrm does not support"),
                *why,
            ));
        }
        if OURS.contains(&key.as_str()) {
            ours.push((key, decode(value)));
        } else {
            rest.push(pair.to_string());
        }
    }
    let from_url = |key: &str| {
        ours.iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let rebuilt = if rest.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    let mut config = postgres::Config::from_str(&rebuilt).map_err(|e| {
        bad(
            format!("invalid connection URL ({})", super::describe(&e)),
            "see https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS",
        )
    })?;

    // What the URL leaves out, from the PG* variables, then libpq's defaults.
    if config.get_hosts().is_empty() {
        match var("PGHOST") {
            Some(hosts) => {
                for host in hosts.split(',') {
                    add_host(&mut config, host);
                }
            }
            None => add_host(&mut config, &default_host()),
        }
    }
    if config.get_ports().is_empty()
        && let Some(port) = var("PGPORT")
    {
        let port = port.parse::<u16>().map_err(|_| {
            bad(
                format!("PGPORT '{port}' is not a port number"),
                "unset it or set a number such as 5432",
            )
        })?;
        config.port(port);
    }
    if config.get_user().is_none() {
        match var("PGUSER")
            .or_else(|| var("USER"))
            .or_else(|| var("LOGNAME"))
        {
            Some(user) => {
                config.user(&user);
            }
            None => {
                return Err(bad(
                    "no user name: the URL names none and PGUSER, USER and LOGNAME are unset",
                    "put it in the URL (postgres://USER@HOST/DB) or set PGUSER",
                ));
            }
        }
    }
    if config.get_dbname().is_none()
        && let Some(db) = var("PGDATABASE")
    {
        config.dbname(&db);
    }
    if config.get_application_name().is_none() {
        config.application_name(&var("PGAPPNAME").unwrap_or_else(|| "socialcrm".into()));
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(match var("PGCONNECT_TIMEOUT") {
            Some(raw) => connect_timeout(&raw)?,
            None => DEFAULT_CONNECT_TIMEOUT,
        });
    }

    let home = var("HOME").map(PathBuf::from);
    let pg_dir = home.as_ref().map(|h| h.join(".postgresql"));
    let root = match from_url("sslrootcert").or_else(|| var("PGSSLROOTCERT")) {
        Some(v) if v == "system" => Some(RootCert::System),
        Some(v) => Some(RootCert::File(PathBuf::from(v))),
        None => pg_dir
            .as_ref()
            .map(|d| d.join("root.crt"))
            .filter(|p| p.exists())
            .map(RootCert::File),
    };
    let sslmode = match from_url("sslmode").or_else(|| var("PGSSLMODE")) {
        Some(raw) => raw
            .parse::<SslMode>()
            .map_err(|reason| bad(reason, "libpq's sslmode values are disable, allow, prefer, require, verify-ca, verify-full"))?,
        // libpq: sslrootcert=system makes verify-full the default.
        None if root == Some(RootCert::System) => SslMode::VerifyFull,
        None => SslMode::Prefer,
    };
    if root == Some(RootCert::System) && sslmode != SslMode::VerifyFull {
        return Err(bad(
            format!("sslmode={sslmode} may not be used with sslrootcert=system"),
            "use sslmode=verify-full: anyone can get a publicly trusted certificate for a host they control",
        ));
    }
    if matches!(sslmode, SslMode::VerifyCa | SslMode::VerifyFull) && root.is_none() {
        return Err(bad(
            format!(
                "sslmode={sslmode} needs the CA that signed the server's certificate, and none is set"
            ),
            "set sslrootcert=/path/to/ca.pem (your provider's CA bundle), or sslrootcert=system for a publicly trusted server",
        ));
    }
    let root = if sslmode == SslMode::Disable {
        None
    } else {
        root
    };

    let cert = from_url("sslcert")
        .or_else(|| var("PGSSLCERT"))
        .map(PathBuf::from)
        .or_else(|| {
            pg_dir
                .as_ref()
                .map(|d| d.join("postgresql.crt"))
                .filter(|p| p.exists())
        });
    let key = from_url("sslkey")
        .or_else(|| var("PGSSLKEY"))
        .map(PathBuf::from)
        .or_else(|| pg_dir.as_ref().map(|d| d.join("postgresql.key")));
    let client_cert = match (cert, key) {
        (Some(cert), Some(key)) if sslmode != SslMode::Disable => Some((cert, key)),
        (Some(cert), None) if sslmode != SslMode::Disable => {
            return Err(bad(
                format!("sslcert {} is set but no sslkey", cert.display()),
                "set sslkey (or PGSSLKEY) to the certificate's private key",
            ));
        }
        _ => None,
    };

    let mut password_note = None;
    if config.get_password().is_none() {
        if let Some(password) = env("PGPASSWORD").filter(|p| !p.is_empty()) {
            config.password(password);
        } else {
            let file = from_url("passfile")
                .or_else(|| var("PGPASSFILE"))
                .map(PathBuf::from)
                .or_else(|| home.as_ref().map(|h| h.join(".pgpass")));
            if let Some(file) = file {
                match pgpass::lookup(&file, &pgpass_key(&config)) {
                    Lookup::Found(password) => {
                        config.password(password.expose());
                    }
                    Lookup::NoFile | Lookup::NoMatch => {}
                    Lookup::Insecure => {
                        password_note = Some(format!(
                            "{} was not read because group or others can access it (run `chmod 600 {}`)",
                            file.display(),
                            file.display()
                        ));
                    }
                    Lookup::Unreadable(reason) => {
                        password_note =
                            Some(format!("{} could not be read ({reason})", file.display()));
                    }
                }
            }
        }
    }

    let ssl = match sslmode {
        SslMode::Disable => postgres::config::SslMode::Disable,
        SslMode::Allow | SslMode::Prefer => postgres::config::SslMode::Prefer,
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
            postgres::config::SslMode::Require
        }
    };
    config.ssl_mode(ssl);

    let local = config.get_hosts().iter().all(|h| match h {
        Host::Tcp(name) => is_loopback(name),
        #[cfg(unix)]
        Host::Unix(_) => true,
    });
    if let Some(hint) = transaction_pooler(&config) {
        return Err(bad(
            "this is a transaction-mode connection pooler, which breaks the session advisory locks and prepared statements socialcrm relies on",
            hint,
        ));
    }
    Ok(Params {
        config,
        sslmode,
        root,
        client_cert,
        location,
        password_note,
        local,
    })
}

/// libpq's `connect_timeout`: whole seconds, 0 or negative for none, and at least 2.
fn connect_timeout(raw: &str) -> Result<Duration, ParamError> {
    let secs: i64 = raw.trim().parse().map_err(|_| {
        bad(
            format!("PGCONNECT_TIMEOUT '{raw}' is not a number of seconds"),
            "unset it or give whole seconds, such as 5",
        )
    })?;
    Ok(match secs {
        s if s <= 0 => Duration::from_secs(24 * 3600),
        s => Duration::from_secs(s.max(2) as u64),
    })
}

fn add_host(config: &mut postgres::Config, host: &str) {
    #[cfg(unix)]
    if host.starts_with('/') {
        config.host_path(host);
        return;
    }
    config.host(host);
}

/// libpq's default: the Unix socket where the server's package puts it, else localhost.
fn default_host() -> String {
    ["/var/run/postgresql", "/tmp"]
        .into_iter()
        .find(|dir| Path::new(dir).join(".s.PGSQL.5432").exists())
        .unwrap_or("localhost")
        .to_string()
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The `host:port:database:user` a `.pgpass` line is matched against (the first host; a Unix
/// socket counts as `localhost`, as in libpq).
fn pgpass_key(config: &postgres::Config) -> pgpass::Key {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(name)) => name.clone(),
        _ => "localhost".into(),
    };
    let user = config.get_user().unwrap_or_default().to_string();
    pgpass::Key {
        host,
        port: config
            .get_ports()
            .first()
            .copied()
            .unwrap_or(5432)
            .to_string(),
        database: config
            .get_dbname()
            .map(str::to_string)
            .unwrap_or_else(|| user.clone()),
        user,
    }
}

/// Endpoints known to be transaction-mode poolers (PgBouncer, Supavisor): their hint, if any.
fn transaction_pooler(config: &postgres::Config) -> Option<&'static str> {
    let port = config.get_ports().first().copied().unwrap_or(5432);
    config.get_hosts().iter().find_map(|h| {
        let Host::Tcp(name) = h else { return None };
        let name = name.to_ascii_lowercase();
        if name.ends_with(".pooler.supabase.com") && port == 6543 {
            Some("use Supabase's session pooler (the same host, port 5432) or the direct connection (db.<project>.supabase.co:5432)")
        } else if name.ends_with(".neon.tech") && name.split('.').next().is_some_and(|l| l.ends_with("-pooler")) {
            Some("use Neon's direct endpoint: the same host name without -pooler")
        } else {
            None
        }
    })
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn host(p: &Params) -> String {
        match &p.config.get_hosts()[0] {
            Host::Tcp(h) => h.clone(),
            Host::Unix(p) => p.display().to_string(),
        }
    }

    #[test]
    fn the_url_beats_the_pg_variables_which_fill_what_it_leaves_out() {
        let env = env_of(&[
            ("PGHOST", "db.example.com"),
            ("PGPORT", "6000"),
            ("PGUSER", "ops"),
            ("PGDATABASE", "crm"),
            ("PGSSLMODE", "require"),
            ("PGAPPNAME", "cron"),
            ("PGCONNECT_TIMEOUT", "1"),
        ]);
        let p = resolve("postgres://", &env).unwrap();
        assert_eq!(host(&p), "db.example.com");
        assert_eq!(p.config.get_ports(), &[6000]);
        assert_eq!(p.config.get_user(), Some("ops"));
        assert_eq!(p.config.get_dbname(), Some("crm"));
        assert_eq!(p.sslmode, SslMode::Require);
        assert_eq!(p.config.get_application_name(), Some("cron"));
        assert_eq!(
            p.config.get_connect_timeout(),
            Some(&Duration::from_secs(2))
        );
        assert!(!p.local);

        let p = resolve(
            "postgres://me@127.0.0.1:5433/other?sslmode=disable&application_name=x&connect_timeout=9",
            &env,
        )
        .unwrap();
        assert_eq!(host(&p), "127.0.0.1");
        assert_eq!(p.config.get_ports(), &[5433]);
        assert_eq!(p.config.get_user(), Some("me"));
        assert_eq!(p.config.get_dbname(), Some("other"));
        assert_eq!(p.sslmode, SslMode::Disable);
        assert_eq!(p.config.get_application_name(), Some("x"));
        assert_eq!(
            p.config.get_connect_timeout(),
            Some(&Duration::from_secs(9))
        );
        assert!(p.local);
    }

    #[test]
    fn defaults_are_prefer_socialcrm_and_a_short_timeout() {
        let p = resolve("postgres://u@h/db", &env_of(&[])).unwrap();
        assert_eq!(p.sslmode, SslMode::Prefer);
        assert_eq!(p.config.get_application_name(), Some("socialcrm"));
        assert_eq!(
            p.config.get_connect_timeout(),
            Some(&DEFAULT_CONNECT_TIMEOUT)
        );
        assert!(p.root.is_none() && p.client_cert.is_none());
    }

    #[test]
    fn libpq_parameters_are_taken_out_before_the_driver_sees_them() {
        let p = resolve(
            "postgres://u@h/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&options=-csearch_path%3Ds1&sslsni=1",
            &env_of(&[]),
        )
        .unwrap();
        assert_eq!(p.sslmode, SslMode::VerifyFull);
        assert_eq!(p.root, Some(RootCert::File("/etc/ca.pem".into())));
        assert_eq!(p.config.get_options(), Some("-csearch_path=s1"));
    }

    #[test]
    fn libpq_rules_for_root_certificates_hold() {
        let env = env_of(&[]);
        let err = resolve("postgres://u@h/db?sslmode=verify-ca", &env)
            .err()
            .unwrap();
        assert!(err.reason.contains("needs the CA"), "{}", err.reason);
        let p = resolve("postgres://u@h/db?sslrootcert=system", &env).unwrap();
        assert_eq!(p.sslmode, SslMode::VerifyFull);
        let err = resolve("postgres://u@h/db?sslrootcert=system&sslmode=require", &env)
            .err()
            .unwrap();
        assert!(err.hint.contains("verify-full"), "{}", err.hint);
        let err = resolve("postgres://u@h/db?sslmode=on", &env).err().unwrap();
        assert!(
            err.reason.contains("invalid sslmode 'on'"),
            "{}",
            err.reason
        );

        // ~/.postgresql/root.crt is used when present (and makes `require` verify the chain).
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join(".postgresql")).unwrap();
        std::fs::write(home.path().join(".postgresql/root.crt"), "x").unwrap();
        let env = env_of(&[("HOME", home.path().to_str().unwrap())]);
        let p = resolve("postgres://u@h/db?sslmode=require", &env).unwrap();
        assert_eq!(
            p.root,
            Some(RootCert::File(home.path().join(".postgresql/root.crt")))
        );
    }

    #[test]
    fn unsupported_libpq_parameters_are_refused() {
        let err = resolve("postgres://u@h/db?sslpassword=x", &env_of(&[]))
            .err()
            .unwrap();
        assert!(err.reason.contains("sslpassword"), "{}", err.reason);
    }

    #[test]
    fn pgpassword_fills_a_missing_password_only() {
        let env = env_of(&[("PGPASSWORD", "from-env")]);
        let p = resolve("postgres://u@h/db", &env).unwrap();
        assert_eq!(p.config.get_password(), Some(&b"from-env"[..]));
        let p = resolve("postgres://u:inurl@h/db", &env).unwrap();
        assert_eq!(p.config.get_password(), Some(&b"inurl"[..]));
        assert_eq!(p.location, "postgres://u:***@h/db");
    }

    #[test]
    fn known_transaction_poolers_are_refused_with_the_endpoint_to_use() {
        let env = env_of(&[]);
        // Each pooler's transaction endpoint, the hint it is refused with, and the session
        // endpoint the hint names, which is taken.
        let poolers = [
            (
                "postgres://postgres.abc@aws-0-eu-central-1.pooler.supabase.com:6543/postgres",
                "port 5432",
                "postgres://postgres.abc@aws-0-eu-central-1.pooler.supabase.com:5432/postgres",
            ),
            (
                "postgres://u@ep-cool-1234-pooler.eu-central-1.aws.neon.tech/db",
                "without -pooler",
                "postgres://u@ep-cool-1234.eu-central-1.aws.neon.tech/db",
            ),
        ];
        for (refused, hint, taken) in poolers {
            let err = resolve(refused, &env).err().unwrap();
            assert!(err.hint.contains(hint), "{}", err.hint);
            assert!(resolve(taken, &env).is_ok(), "{taken}");
        }
    }

    #[test]
    fn query_values_round_trip_through_the_driver() {
        let url = "postgres://u@h/db?options=-c%20search_path%3Da%20b&sslmode=require";
        let p = resolve(url, &env_of(&[])).unwrap();
        assert_eq!(p.config.get_options(), Some("-c search_path=a b"));
    }
}
