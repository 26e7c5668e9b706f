//! Catching the authorization redirect: a loopback listener, a pasted URL, or both.
//!
//! The platform sends the browser to the registered redirect URI with `code` and `state` (or
//! `error`). When that URI is `http://127.0.0.1:PORT/path` or `http://localhost:PORT/path`, a
//! listener bound to 127.0.0.1 only takes exactly one request on that path carrying the right
//! `state`, answers the browser with a short page, and stops. Anything else (another path, a
//! wrong `state`) gets an error page and the listener keeps waiting until the timeout: a stray
//! or forged request can neither finish nor abort a connect. When the browser is on another
//! machine, or the redirect URI is a hosted `https` page, the user pastes the URL the browser
//! ended on instead.
//!
//! Any local process can connect to the listener, so it is the same bounded server as
//! `webhooks serve` (`http::server`, with [`Limits::loopback`]): heads of at most 8 KiB (431),
//! 16 connections at once (503), 10 s per request, no body, GET on the redirect path only
//! (404/405 otherwise).

use std::io::BufRead;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use url::Url;

use super::pkce;
use crate::http::server::{Limits, Reply, Route, Server};

/// What the redirect carried when authorization succeeded.
#[derive(Debug, Clone, PartialEq)]
pub struct Granted {
    /// The authorization code, good for one exchange within minutes.
    pub code: String,
    /// The scopes the platform reports in the redirect (TikTok: `scopes`), if any.
    pub scopes: Option<String>,
}

/// Why no code arrived; each says what to do next, since `connect` is run by a person.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CallbackError {
    /// The person (or the platform) declined on the authorization page.
    #[error("authorization was refused: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Refused {
        /// The redirect's `error` code (`access_denied`).
        error: String,
        /// The platform's `error_description`, when it sent one.
        description: Option<String>,
    },
    #[error(
        "port {port} on 127.0.0.1 is in use; stop what holds it or pass --port N (the redirect URI registered with the platform must allow that port)"
    )]
    /// Something else listens on the redirect's port.
    PortInUse {
        /// The port the redirect URI names.
        port: u16,
    },
    #[error("cannot listen on 127.0.0.1:{port}: {reason}")]
    /// The listener could not be bound for another reason.
    Listen {
        /// The port asked for (0: any).
        port: u16,
        /// The operating system's reason.
        reason: String,
    },
    #[error(
        "no authorization arrived within {secs} s; run connect again (--timeout SECS waits longer)"
    )]
    /// Nobody completed the authorization in time; the listener is closed, not left open.
    Timeout {
        /// How long it waited.
        secs: u64,
    },
}

/// What a redirect URL says, once its path and state were checked.
enum Outcome {
    Granted(Granted),
    Refused(CallbackError),
}

/// Reads a redirect's query. `None` means "not ours" (wrong path or state): keep waiting.
fn judge(url: &Url, path: &str, state: &str) -> Result<Outcome, &'static str> {
    if url.path() != path {
        return Err("this is not the page socialcrm waits on");
    }
    let get = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    match get("state") {
        Some(s) if pkce::same(&s, state) => {}
        _ => return Err("the state does not match the connect that is waiting"),
    }
    if let Some(error) = get("error") {
        return Ok(Outcome::Refused(CallbackError::Refused {
            error,
            description: get("error_description").filter(|d| !d.is_empty()),
        }));
    }
    match get("code").filter(|c| !c.is_empty()) {
        Some(code) => Ok(Outcome::Granted(Granted {
            code,
            scopes: get("scopes").or_else(|| get("scope")),
        })),
        None => Err("the redirect carries neither a code nor an error"),
    }
}

/// How to catch the redirect.
pub struct Catch<'a> {
    /// The exact redirect URI sent to the platform.
    pub redirect_uri: &'a Url,
    /// Listen on this loopback port (`None`: the URI is not a loopback http URI; paste only).
    pub listen: Option<std::net::TcpListener>,
    /// Also accept the final URL pasted on standard input.
    pub paste: bool,
    /// The `state` sent to the authorize page; a callback without it is someone else's.
    pub state: &'a str,
    /// How long to wait before giving up.
    pub timeout: Duration,
}

/// Binds the loopback listener for `port` (0: any free port) on 127.0.0.1 only.
pub fn bind(port: u16) -> Result<std::net::TcpListener, CallbackError> {
    std::net::TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            CallbackError::PortInUse { port }
        } else {
            CallbackError::Listen {
                port,
                reason: e.to_string(),
            }
        }
    })
}

const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>socialcrm</title>\
<p>socialcrm is connected. You can close this tab and go back to the terminal.</p>";

fn page(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!("<!doctype html><meta charset=utf-8><title>socialcrm</title><p>{escaped}</p>")
}

/// Waits for the one valid redirect, from the listener or a pasted URL, until the timeout.
pub fn wait(catch: Catch<'_>) -> Result<Granted, CallbackError> {
    let deadline = Instant::now() + catch.timeout;
    let path = catch.redirect_uri.path().to_string();
    let pasted = catch.paste.then(read_pastes);
    let listen_error = |e: std::io::Error| CallbackError::Listen {
        port: 0,
        reason: e.to_string(),
    };
    let server = match catch.listen {
        Some(listener) => {
            let route = Route {
                path: path.clone(),
                methods: &["GET"],
            };
            Some(Server::start(listener, vec![route], Limits::loopback()).map_err(listen_error)?)
        }
        None => None,
    };
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(CallbackError::Timeout {
                secs: catch.timeout.as_secs(),
            });
        }
        let slice = (deadline - now).min(Duration::from_millis(100));
        if let Some(rx) = &pasted {
            match rx.try_recv() {
                Ok(line) => match pasted_url(&line, catch.redirect_uri) {
                    Some(url) => match judge(&url, &path, catch.state) {
                        Ok(Outcome::Granted(g)) => return Ok(g),
                        Ok(Outcome::Refused(e)) => return Err(e),
                        Err(why) => crate::say!(
                            "error: that URL was not accepted: {why}; paste the URL the browser ended on"
                        ),
                    },
                    None => crate::say!(
                        "error: that is not a URL; paste the whole address the browser ended on"
                    ),
                },
                Err(_) if server.is_none() => std::thread::sleep(slice),
                Err(_) => {}
            }
        }
        let Some(server) = &server else { continue };
        let Some(pending) = server.next(slice).map_err(listen_error)? else {
            continue;
        };
        let request = &pending.request;
        let target = if request.query.is_empty() {
            request.path.clone()
        } else {
            format!("{}?{}", request.path, request.query)
        };
        // The listener is only reachable on 127.0.0.1, so the base is a formality. The server
        // routed only GETs on the redirect path here.
        let verdict = match Url::parse("http://127.0.0.1").and_then(|base| base.join(&target)) {
            Ok(url) => judge(&url, &path, catch.state),
            Err(_) => Err("only the browser's redirect is accepted here"),
        };
        // The last page must reach the browser before this process goes on (and may exit).
        let last_page = Duration::from_secs(2);
        match verdict {
            Ok(Outcome::Granted(granted)) => {
                pending.respond_and_wait(Reply::html(200, DONE_PAGE), last_page);
                return Ok(granted);
            }
            Ok(Outcome::Refused(e)) => {
                let text = format!("socialcrm was not connected: {e}. Go back to the terminal.");
                pending.respond_and_wait(Reply::html(400, &page(&text)), last_page);
                return Err(e);
            }
            Err(why) => {
                tracing::warn!(
                    path = %request.path,
                    "ignored a request on the loopback listener: {why}"
                );
                let status = if why.starts_with("this is not") {
                    404
                } else {
                    400
                };
                pending.respond(Reply::html(status, &page(why)));
            }
        }
    }
}

/// Lines typed on standard input, read on their own thread so the listener keeps serving.
fn read_pastes() -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if !line.trim().is_empty() && tx.send(line.trim().to_string()).is_err() {
                break;
            }
        }
    });
    rx
}

/// A pasted address: the whole URL, or just its `?query` part.
fn pasted_url(line: &str, redirect_uri: &Url) -> Option<Url> {
    if let Some(query) = line.strip_prefix('?') {
        let mut url = redirect_uri.clone();
        url.set_query(Some(query));
        return Some(url);
    }
    Url::parse(line).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(url: &str) -> Result<Result<Granted, CallbackError>, &'static str> {
        judge(&Url::parse(url).unwrap(), "/callback/", "s1").map(|o| match o {
            Outcome::Granted(g) => Ok(g),
            Outcome::Refused(e) => Err(e),
        })
    }

    #[test]
    fn only_the_right_path_and_state_count() {
        assert_eq!(
            outcome("http://127.0.0.1:1/callback/?code=c&state=s1&scopes=a,b"),
            Ok(Ok(Granted {
                code: "c".into(),
                scopes: Some("a,b".into())
            }))
        );
        assert!(outcome("http://127.0.0.1:1/callback/?code=c&state=s2").is_err());
        assert!(outcome("http://127.0.0.1:1/callback/?code=c").is_err());
        assert!(outcome("http://127.0.0.1:1/other?code=c&state=s1").is_err());
        assert!(outcome("http://127.0.0.1:1/callback/?state=s1").is_err());
    }

    #[test]
    fn a_refusal_with_the_right_state_ends_the_wait() {
        let refused = outcome(
            "http://127.0.0.1:1/callback/?error=access_denied&error_description=The+user+denied&state=s1",
        )
        .unwrap()
        .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "authorization was refused: access_denied (The user denied)"
        );
    }

    #[test]
    fn pasted_text_may_be_the_query_alone() {
        let base = Url::parse("http://127.0.0.1:8/callback/").unwrap();
        let url = pasted_url("?code=x&state=s1", &base).unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:8/callback/?code=x&state=s1");
        assert!(pasted_url("not a url", &base).is_none());
    }
}
