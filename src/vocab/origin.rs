//! Where requests may go: [`Origin`], the validated value of `SOCIALCRM_<PLATFORM>_BASE_URL`.
//!
//! Every URL an adapter would call on a platform's real hosts is sent to that origin instead,
//! path and query kept ([`routed`]), and a plain `http://` origin is accepted only on loopback so
//! tokens never cross a network unencrypted. Configuration parses it; `http` and the adapters use it.

use std::fmt;
use std::net::IpAddr;

use url::{Host, Url};

/// A scheme + host + port to which a platform's hosts are redirected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(Url);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
/// Why a `SOCIALCRM_<PLATFORM>_BASE_URL` was refused; each message says what is accepted.
pub enum OriginError {
    #[error("'{0}' is not a URL")]
    /// Not parseable as a URL at all.
    NotAUrl(String),
    #[error("'{0}' must use http or https")]
    /// Neither http nor https.
    Scheme(String),
    #[error(
        "'{0}' uses plain http on a non-loopback host; tokens would travel unencrypted (use https, or http://127.0.0.1)"
    )]
    /// Plain http to a host other than loopback: tokens would cross the network in clear.
    PlainHttp(String),
    #[error("'{0}' must be an origin only (scheme, host and port, no path, query or credentials)")]
    /// Has a path, query or credentials: only the origin is replaced, the path is kept.
    NotAnOrigin(String),
}

impl Origin {
    /// Checks an operator's override once, at start-up, so a bad value fails before any call.
    pub fn parse(raw: &str) -> Result<Origin, OriginError> {
        let url = Url::parse(raw.trim()).map_err(|_| OriginError::NotAUrl(raw.to_string()))?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => return Err(OriginError::PlainHttp(raw.to_string())),
            _ => return Err(OriginError::Scheme(raw.to_string())),
        }
        let bare = url.path() == "/"
            && url.query().is_none()
            && url.fragment().is_none()
            && url.username().is_empty()
            && url.password().is_none()
            && url.has_host();
        if !bare {
            return Err(OriginError::NotAnOrigin(raw.to_string()));
        }
        Ok(Origin(url))
    }

    /// Sends `real` (a URL on the platform's real host) to this origin, path and query kept.
    pub fn rewrite(&self, real: &Url) -> Url {
        let mut out = self.0.clone();
        out.set_path(real.path());
        out.set_query(real.query());
        out
    }
}

/// Where a request for `real` (a URL on a platform's real host) goes: to `base` when the
/// platform's hosts are redirected (`SOCIALCRM_<PLATFORM>_BASE_URL`), else where it says.
pub fn routed(base: Option<&Origin>, real: Url) -> Url {
    match base {
        Some(origin) => origin.rewrite(&real),
        None => real,
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str().trim_end_matches('/'))
    }
}

/// True for `localhost` and loopback IP hosts.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_http_and_any_https_are_accepted() {
        for ok in [
            "http://127.0.0.1:9100",
            "http://localhost:8080/",
            "http://[::1]:1",
            "https://sandbox.example.com",
        ] {
            assert!(Origin::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn plain_http_elsewhere_paths_and_other_schemes_are_refused() {
        assert!(matches!(
            Origin::parse("http://10.0.0.1:80"),
            Err(OriginError::PlainHttp(_))
        ));
        assert!(matches!(
            Origin::parse("ftp://127.0.0.1"),
            Err(OriginError::Scheme(_))
        ));
        assert!(matches!(
            Origin::parse("https://h/api"),
            Err(OriginError::NotAnOrigin(_))
        ));
        assert!(matches!(
            Origin::parse("nonsense"),
            Err(OriginError::NotAUrl(_))
        ));
    }

    #[test]
    fn rewrite_keeps_path_and_query() {
        let o = Origin::parse("http://127.0.0.1:9100").unwrap();
        let real = Url::parse("https://open.tiktokapis.com/v2/user/info/?fields=open_id").unwrap();
        assert_eq!(
            o.rewrite(&real).as_str(),
            "http://127.0.0.1:9100/v2/user/info/?fields=open_id"
        );
        assert_eq!(o.to_string(), "http://127.0.0.1:9100");
    }
}
