//! [`Secret`], the wrapper for values that must never be printed or logged, and [`redact_url`],
//! which masks the password of a database URL before it reaches any message.
//!
//! Configuration uses it for client secrets, webhook secrets and the database URL; the token
//! store (`secrets/`) and the HTTP client take and give it. It imports nothing of the crate.

use std::fmt;

/// A string that is redacted by `Debug` and `Display`, so a secret that ends up in a log line,
/// an error or a `{:?}` of the configuration shows as `***` instead of its value. The value is
/// reachable only through [`Secret::expose`], which makes every use greppable.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value the moment it is read, so it never reaches a log or a message.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself: call only where it is sent to the platform or the database driver.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Masks the password of a URL-shaped connection string (`postgres://user:pw@host/db` becomes
/// `postgres://user:***@host/db`) and drops a `password=` query parameter's value. Strings that
/// do not parse as URLs (libpq key=value strings) have any `password=...` word masked instead.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.has_host() => {
            if url.password().is_some() {
                // Cannot fail: the URL has a host, which is all set_password needs.
                let _ = url.set_password(Some("***"));
            }
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(k, v)| {
                    let v = if k.eq_ignore_ascii_case("password") {
                        "***".to_string()
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), v)
                })
                .collect();
            if !pairs.is_empty() {
                url.query_pairs_mut().clear().extend_pairs(pairs);
            }
            url.to_string()
        }
        _ => raw
            .split(' ')
            .map(|word| match word.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => word.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_redacted_in_debug_and_display() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn url_password_is_masked() {
        assert_eq!(
            redact_url("postgres://nobody:secret@127.0.0.1:1/x"),
            "postgres://nobody:***@127.0.0.1:1/x"
        );
        assert_eq!(
            redact_url("postgres://u@h/db?password=secret&sslmode=disable"),
            "postgres://u@h/db?password=***&sslmode=disable"
        );
        assert_eq!(
            redact_url("host=h user=u password=secret dbname=x"),
            "host=h user=u password=*** dbname=x"
        );
        assert_eq!(redact_url("postgres://h/db"), "postgres://h/db");
    }
}
