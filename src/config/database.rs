//! The `[database]` table of `config.toml`: libpq's connection settings for a PostgreSQL URL
//! that does not carry them, e.g. a shared `sslrootcert` for every cron host.
//!
//! Precedence is that of libpq within the project's: a parameter in the URL wins, then its
//! `PG*` variable (read when connecting, in `store/postgres/connect/`), then this table. So a
//! setting from here is added to the URL only when neither of those gives it.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSection {
    pub sslmode: Option<String>,
    pub sslrootcert: Option<String>,
    pub sslcert: Option<String>,
    pub sslkey: Option<String>,
    pub connect_timeout: Option<u64>,
    pub application_name: Option<String>,
}

/// Characters kept as they are in a query value (RFC 3986 unreserved).
const VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `url` with the table's settings that neither the URL nor the environment gives.
pub fn apply(url: &str, section: &DatabaseSection, env: &dyn Fn(&str) -> Option<String>) -> String {
    let timeout = section.connect_timeout.map(|s| s.to_string());
    let settings = [
        ("sslmode", "PGSSLMODE", section.sslmode.as_deref()),
        (
            "sslrootcert",
            "PGSSLROOTCERT",
            section.sslrootcert.as_deref(),
        ),
        ("sslcert", "PGSSLCERT", section.sslcert.as_deref()),
        ("sslkey", "PGSSLKEY", section.sslkey.as_deref()),
        ("connect_timeout", "PGCONNECT_TIMEOUT", timeout.as_deref()),
        (
            "application_name",
            "PGAPPNAME",
            section.application_name.as_deref(),
        ),
    ];
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    let in_url = |key: &str| {
        query
            .split('&')
            .any(|pair| pair.split_once('=').map_or(pair, |(k, _)| k) == key)
    };
    let mut out = url.to_string();
    for (key, var, value) in settings {
        let Some(value) = value else { continue };
        if in_url(key) || env(var).is_some_and(|v| !v.is_empty()) {
            continue;
        }
        out.push(if out.contains('?') { '&' } else { '?' });
        out.push_str(key);
        out.push('=');
        out.extend(utf8_percent_encode(value, VALUE));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::env_of;

    #[test]
    fn the_url_then_the_environment_then_the_table() {
        let section = DatabaseSection {
            sslmode: Some("verify-full".into()),
            sslrootcert: Some("/etc/ssl/rds ca.pem".into()),
            connect_timeout: Some(3),
            ..DatabaseSection::default()
        };
        assert_eq!(
            apply("postgres://u@h/db", &section, &env_of(&[])),
            "postgres://u@h/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fssl%2Frds%20ca.pem&connect_timeout=3"
        );
        assert_eq!(
            apply(
                "postgres://u@h/db?sslmode=require",
                &section,
                &env_of(&[("PGSSLROOTCERT", "/other.pem")])
            ),
            "postgres://u@h/db?sslmode=require&connect_timeout=3"
        );
    }
}
