//! The HTTP client adapters use: one configuration (timeouts, user agent, rustls), JSON in and
//! out, retries, and errors that name the host but never a request body (where client secrets
//! and tokens travel).
//!
//! Retries: network errors, 5xx and 429 are tried again with exponential backoff and full
//! jitter, waiting at least what `Retry-After` asks, within a total budget per call
//! (`SOCIALCRM_RETRY_BUDGET` seconds, default 60). When the budget is spent the last answer is
//! returned, so the adapter reports the platform's own error in one line. OAuth token calls are
//! not retried (a code is single-use; a rotated refresh token must not be spent twice).

use std::time::Duration;

use serde_json::Value as Json;
use url::Url;

use super::ratelimit::Pacer;
use crate::vocab::Secret;

/// A platform's answer: status and JSON body (`Null` when the body was not JSON).
#[derive(Debug)]
pub struct Reply {
    /// The HTTP status; adapters map it with the body to a typed error.
    pub status: u16,
    /// The parsed body, kept whole so an adapter can read a platform's error fields.
    pub body: Json,
    /// `Retry-After` in seconds, when the platform sent one.
    pub retry_after: Option<u64>,
    /// How many attempts this answer took (1 when it came first time).
    pub attempts: u32,
}

impl Reply {
    /// A 2xx answer.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

pub use crate::vocab::net::NetError;

#[derive(Clone)]
/// The one HTTP client every adapter calls through, so timeouts, retries, `Retry-After` and
/// the rate-limit budgets apply to every request the same way. Cloning shares the pool.
pub struct Client {
    inner: reqwest::blocking::Client,
    budget: Duration,
    pacer: Option<std::sync::Arc<dyn Pacer>>,
    /// Sent instead of socialcrm's own user agent (Reddit asks each app to describe itself).
    agent: Option<reqwest::header::HeaderValue>,
}

/// Waits before retry number `attempt` (1-based): full jitter over an exponential ceiling
/// (0.5 s, 1 s, 2 s, ... up to 8 s), but never less than the platform's `Retry-After`.
fn backoff(attempt: u32, retry_after: Option<u64>) -> Duration {
    let ceiling = Duration::from_millis(500u64.saturating_mul(1 << attempt.min(4)));
    let mut random = [0u8; 8];
    let _ = getrandom::fill(&mut random);
    let fraction = u64::from_le_bytes(random) as f64 / u64::MAX as f64;
    let jittered = ceiling.mul_f64(fraction);
    jittered.max(Duration::from_secs(retry_after.unwrap_or(0)))
}

/// `Retry-After` in seconds (the HTTP-date form is not used by the platforms' APIs).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<u64> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
}

/// What a failed request met, down to the cause (reqwest's own message is often only "error
/// decoding response body", while the cause says "connection reset by peer"). No URL: queries
/// may name ids; bodies are never included by reqwest.
fn describe(e: reqwest::Error) -> String {
    crate::error::with_causes(&e.without_url())
}

fn retryable(status: u16) -> bool {
    status == 429 || status >= 500
}

impl Client {
    /// A client with the configured timeout and retry budget; no request is sent yet.
    pub fn new() -> Client {
        let inner = reqwest::blocking::Client::builder()
            .user_agent(concat!("socialcrm/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(request_timeout())
            // Redirects of API calls are not followed: a token must not be re-sent elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the TLS backend initialises");
        Client {
            inner,
            budget: retry_budget(),
            pacer: None,
            agent: None,
        }
    }

    /// This client sending `agent` as the `User-Agent` of every request (token calls included).
    /// A copy shares the connection pool, so a per-account agent costs no new connections.
    /// A value that is not a valid header is dropped for socialcrm's own.
    pub fn user_agent(self, agent: &str) -> Client {
        Client {
            agent: reqwest::header::HeaderValue::from_str(agent).ok(),
            ..self
        }
    }

    /// This client with every request drawn from `pacer`'s budgets: it waits while a budget is
    /// spent (up to the retry budget, then fails without sending) and reads the platform's
    /// rate-limit headers from every answer.
    pub fn paced(self, pacer: std::sync::Arc<dyn Pacer>) -> Client {
        Client {
            pacer: Some(pacer),
            ..self
        }
    }

    /// Sends what `build` makes, again after network errors, 5xx and 429, within the budget.
    /// `build` is called per attempt (a request body cannot be sent twice).
    pub fn with_retries(
        &self,
        url: &Url,
        build: impl Fn(&reqwest::blocking::Client) -> reqwest::blocking::RequestBuilder,
    ) -> Result<Reply, NetError> {
        retrying(self.budget, || self.send(url, build(&self.inner)))
    }

    /// POSTs a JSON body with a bearer token, with retries.
    pub fn post_json(&self, url: &Url, bearer: &Secret, body: &Json) -> Result<Reply, NetError> {
        self.with_retries(url, |c| {
            c.post(url.clone()).bearer_auth(bearer.expose()).json(body)
        })
    }

    /// POSTs a JSON body with a bearer token, once: a write (a post) whose answer was lost may
    /// have happened, and sending it again could do it twice.
    pub fn post_json_once(
        &self,
        url: &Url,
        bearer: &Secret,
        body: &Json,
    ) -> Result<Reply, NetError> {
        let request = self.inner.post(url.clone()).bearer_auth(bearer.expose());
        self.send(url, request.json(body))
    }

    /// GETs with a bearer token, with retries.
    pub fn get_authorized(&self, url: &Url, bearer: &Secret) -> Result<Reply, NetError> {
        self.with_retries(url, |c| c.get(url.clone()).bearer_auth(bearer.expose()))
    }

    /// POSTs an `application/x-www-form-urlencoded` body.
    pub fn post_form(&self, url: &Url, form: &[(&str, &str)]) -> Result<Reply, NetError> {
        self.send(url, self.inner.post(url.clone()).form(form))
    }

    /// POSTs a form with HTTP Basic client authentication (`user`, and `password` which may be
    /// empty: Reddit's installed apps have no secret). Not retried, like every token call.
    pub fn post_form_basic(
        &self,
        url: &Url,
        user: &str,
        password: &Secret,
        form: &[(&str, &str)],
    ) -> Result<Reply, NetError> {
        let request = self.inner.post(url.clone());
        let request = request.basic_auth(user, Some(password.expose())).form(form);
        self.send(url, request)
    }

    /// POSTs a form with a bearer token, once: a write (a post, say) that failed on the way may
    /// have happened, and sending it again could do it twice.
    pub fn post_form_authorized(
        &self,
        url: &Url,
        bearer: &Secret,
        form: &[(&str, &str)],
    ) -> Result<Reply, NetError> {
        let request = self.inner.post(url.clone()).bearer_auth(bearer.expose());
        self.send(url, request.form(form))
    }

    fn send(
        &self,
        url: &Url,
        request: reqwest::blocking::RequestBuilder,
    ) -> Result<Reply, NetError> {
        let host = url.host_str().unwrap_or("?").to_string();
        let fail = |e: reqwest::Error| NetError {
            host: host.clone(),
            reason: format!("no answer ({})", describe(e)),
            retryable: true,
            rate_limited: None,
        };
        let request = match &self.agent {
            Some(agent) => request.header(reqwest::header::USER_AGENT, agent.clone()),
            None => request,
        };
        let paced = self.pacer.as_ref().map(|p| (p, p.budget(url)));
        if let Some((_, budget)) = &paced {
            budget.acquire(self.budget).map_err(|spent| NetError {
                host: host.clone(),
                reason: spent.to_string(),
                retryable: false,
                rate_limited: Some(spent.wait),
            })?;
        }
        let (client, built) = request.build_split();
        let built = built.map_err(fail)?;
        let method = built.method().clone();
        let started = std::time::Instant::now();
        let response = client.execute(built);
        if let Some((_, budget)) = &paced {
            budget.settle();
        }
        // `-v` shows every request as a person debugging a sync wants it: method, host, path
        // (never the query, which may carry a secret), status and time.
        let ms = started.elapsed().as_millis() as u64;
        let response = response.map_err(|e| {
            let reason = describe(e);
            tracing::info!(%method, host = %host, path = %url.path(), ms, error = %reason, "no answer");
            NetError {
                host: host.clone(),
                reason: format!("no answer ({reason})"),
                retryable: true,
                rate_limited: None,
            }
        })?;
        let status = response.status().as_u16();
        tracing::info!(%method, host = %host, path = %url.path(), status, ms, "HTTP");
        let retry_after = retry_after(response.headers());
        if let Some((pacer, budget)) = &paced {
            if let Some(reading) = pacer.reading(response.headers()) {
                budget.observe(reading);
            }
            pacer.observe_other(budget, status, response.headers());
            // Told to wait: everyone spending this budget waits, not only this caller.
            if let (429, Some(secs)) = (status, retry_after) {
                budget.observe(super::ratelimit::Reading {
                    remaining: 0.0,
                    reset_in: Duration::from_secs(secs),
                });
            }
        }
        let bytes = response.bytes().map_err(fail)?;
        let body = match serde_json::from_slice(&bytes) {
            Ok(body) => body,
            // A success whose JSON does not parse was cut short on the way (or is not the API
            // at all): never read it as an empty answer. It is retried like a lost connection.
            Err(_) if (200..300).contains(&status) && !bytes.is_empty() => {
                return Err(NetError {
                    host,
                    reason: format!(
                        "the reply (HTTP {status}, {} bytes) was cut short or is not JSON",
                        bytes.len()
                    ),
                    retryable: true,
                    rate_limited: None,
                });
            }
            Err(_) => Json::Null,
        };
        Ok(Reply {
            status,
            body,
            retry_after,
            attempts: 1,
        })
    }
}

/// Runs `attempt` again after network errors, 5xx and 429 (backoff with jitter, never sooner
/// than `Retry-After`) until it succeeds, fails for good, or the next wait would overrun
/// `budget`; then the last outcome is returned.
fn retrying(
    budget: Duration,
    mut attempt_once: impl FnMut() -> Result<Reply, NetError>,
) -> Result<Reply, NetError> {
    let started = std::time::Instant::now();
    let mut attempt = 1u32;
    loop {
        let outcome = attempt_once();
        let retry_after = match &outcome {
            Ok(reply) if !retryable(reply.status) => {
                return outcome.map(|r| Reply {
                    attempts: attempt,
                    ..r
                });
            }
            Ok(reply) => reply.retry_after,
            Err(e) if !e.retryable => return outcome,
            Err(_) => None,
        };
        let wait = backoff(attempt, retry_after);
        if started.elapsed() + wait > budget {
            tracing::debug!(attempts = attempt, "retry budget spent");
            return outcome.map(|r| Reply {
                attempts: attempt,
                ..r
            });
        }
        match &outcome {
            Ok(reply) => tracing::debug!(
                status = reply.status,
                wait_ms = wait.as_millis() as u64,
                "retrying"
            ),
            Err(e) => tracing::debug!(error = %e, wait_ms = wait.as_millis() as u64, "retrying"),
        }
        std::thread::sleep(wait);
        attempt += 1;
    }
}

fn retry_budget() -> Duration {
    crate::config::tuning::retry_budget()
}

/// How long one API request may take before it counts as lost (and is retried):
/// `SOCIALCRM_HTTP_TIMEOUT` seconds, default 30.
fn request_timeout() -> Duration {
    crate::config::tuning::http_timeout()
}

/// Bytes read from the file per block of an upload body.
const UPLOAD_BLOCK: usize = 1 << 20;

/// Sends byte ranges of files (video chunks) as request bodies, streamed from disk in 1 MiB
/// blocks, with the same retries as [`Client`]. The blocking client passes bodies read from a
/// `Read` in 8 KiB messages between threads, which caps a local upload at a fraction of the
/// link's speed; this one drives reqwest's async client on a private single-threaded runtime
/// (never the store: the `postgres` crate must not run inside a runtime).
///
/// The file is opened once per uploader (one upload run): every range is read from that one
/// handle, and before and after each request the handle and the path must still show what
/// they showed at first (`Source`), so a file replaced or rewritten mid-upload fails the
/// upload in one line instead of going out as a mix of two files.
pub struct Uploader {
    runtime: tokio::runtime::Runtime,
    inner: reqwest::Client,
    budget: Duration,
    source: std::sync::Mutex<Option<std::sync::Arc<Source>>>,
}

/// The file being uploaded, open, with how it looked when it was opened.
struct Source {
    path: std::path::PathBuf,
    file: std::sync::Arc<std::fs::File>,
    seen: Stamp,
}

/// What tells a file's content changed without reading it: size, modification time, and
/// (on Unix) which file it is, so a new file renamed over the path is noticed too.
#[derive(Debug, PartialEq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    identity: (u64, u64),
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        let identity = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino())
        };
        #[cfg(not(unix))]
        let identity = (0, 0);
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            identity,
        }
    }
}

impl Source {
    fn open(path: &std::path::Path) -> std::io::Result<Source> {
        let file = std::fs::File::open(path)?;
        let seen = Stamp::of(&file.metadata()?);
        Ok(Source {
            path: path.to_path_buf(),
            file: std::sync::Arc::new(file),
            seen,
        })
    }

    /// Why the file can no longer be trusted to be the one the upload started with, if so:
    /// the open handle (rewritten in place) or the path (another file put there) differs.
    fn changed(&self) -> Option<String> {
        let handle = self.file.metadata().map(|m| Stamp::of(&m));
        let path = std::fs::metadata(&self.path).map(|m| Stamp::of(&m));
        let shown = self.path.display();
        match (handle, path) {
            (Ok(h), Ok(p)) if h == self.seen && p == self.seen => None,
            (_, Err(e)) => Some(format!("{shown} changed while it was being uploaded ({e})")),
            _ => Some(format!(
                "{shown} changed while it was being uploaded (its size, modification time or \
                 identity differs); upload it again once it is final"
            )),
        }
    }
}

/// Told about an upload body as it leaves, from the thread that sends it: the file offset
/// reached (progress bars) and each block read, so that a hash can be computed from the bytes
/// already in memory instead of reading the file a second time.
pub trait Watch: Send + Sync {
    /// The file has been sent up to `offset`: what a progress bar shows.
    fn position(&self, offset: u64);
    /// The block of the file that starts at `offset`, about to be sent (again, on a retry).
    fn block(&self, _offset: u64, _block: &bytes::Bytes) {}
}

/// A progress setter is a watcher that ignores the blocks.
impl<F: Fn(u64) + Send + Sync> Watch for F {
    fn position(&self, offset: u64) {
        self(offset)
    }
}

/// The shared watcher of one upload, handed to each chunk's request.
pub type Position = std::sync::Arc<dyn Watch>;

impl Uploader {
    /// A sender for large bodies streamed from disk, on its own small runtime so a chunk is
    /// never held in memory whole.
    pub fn new() -> Uploader {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a single-threaded runtime starts");
        let inner = reqwest::Client::builder()
            .user_agent(concat!("socialcrm/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the TLS backend initialises");
        Uploader {
            runtime,
            inner,
            budget: retry_budget(),
            source: std::sync::Mutex::new(None),
        }
    }

    /// PUTs `len` bytes of `path` from `offset` to `url` with `headers` (Content-Length is
    /// set here), retried within the budget; each attempt reads the range afresh and must end
    /// within `timeout`.
    #[allow(clippy::too_many_arguments)]
    pub fn put_range(
        &self,
        url: &Url,
        headers: &reqwest::header::HeaderMap,
        path: &std::path::Path,
        offset: u64,
        len: u64,
        timeout: Duration,
        position: &Position,
    ) -> Result<Reply, NetError> {
        let range = Range {
            path,
            offset,
            len,
            before: &[],
            after: &[],
        };
        self.send_range(
            reqwest::Method::PUT,
            url,
            headers,
            &range,
            timeout,
            position,
        )
    }

    /// The open file at `path`: the one opened by an earlier range of this upload, or opened now.
    fn source(&self, path: &std::path::Path) -> std::io::Result<std::sync::Arc<Source>> {
        let mut held = self.source.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(source) = held.as_ref().filter(|s| s.path == path) {
            return Ok(source.clone());
        }
        let source = std::sync::Arc::new(Source::open(path)?);
        *held = Some(source.clone());
        Ok(source)
    }

    /// Sends `range` (a file range between fixed bytes: a multipart part's head and tail) as
    /// the body of a `method` request, like [`Uploader::put_range`].
    pub fn send_range(
        &self,
        method: reqwest::Method,
        url: &Url,
        headers: &reqwest::header::HeaderMap,
        range: &Range,
        timeout: Duration,
        position: &Position,
    ) -> Result<Reply, NetError> {
        let host = url.host_str().unwrap_or("?").to_string();
        let (offset, len) = (range.offset, range.len);
        let total = range.before.len() as u64 + len + range.after.len() as u64;
        let before = bytes::Bytes::copy_from_slice(range.before);
        let after = bytes::Bytes::copy_from_slice(range.after);
        let final_error = |reason: String| NetError {
            host: host.clone(),
            reason,
            retryable: false,
            rate_limited: None,
        };
        let source = self
            .source(range.path)
            .map_err(|e| final_error(format!("cannot read the file: {e}")))?;
        retrying(self.budget, || {
            if let Some(why) = source.changed() {
                return Err(final_error(why));
            }
            position.position(offset);
            let fail = |e: reqwest::Error| NetError {
                host: host.clone(),
                reason: format!("no answer ({})", describe(e)),
                retryable: true,
                rate_limited: None,
            };
            let blocks = FileRange::open(&source.file, offset, len, position.clone());
            let blocks = match blocks {
                Ok(b) => b,
                Err(e) => {
                    return Err(NetError {
                        host: host.clone(),
                        reason: format!("cannot read the file: {e}"),
                        retryable: false,
                        rate_limited: None,
                    });
                }
            };
            let framed = [before.clone()]
                .into_iter()
                .filter(|b| !b.is_empty())
                .map(Ok)
                .chain(blocks)
                .chain(
                    [after.clone()]
                        .into_iter()
                        .filter(|b| !b.is_empty())
                        .map(Ok),
                );
            let request = self
                .inner
                .request(method.clone(), url.clone())
                .headers(headers.clone())
                .header(reqwest::header::CONTENT_LENGTH, total)
                .timeout(timeout)
                .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
                    framed,
                )));
            let reply = self.runtime.block_on(async {
                let response = request.send().await.map_err(fail)?;
                let status = response.status().as_u16();
                let retry_after = retry_after(response.headers());
                let bytes = response.bytes().await.map_err(fail)?;
                Ok(Reply {
                    status,
                    body: serde_json::from_slice(&bytes).unwrap_or(Json::Null),
                    retry_after,
                    attempts: 1,
                })
            });
            // The bytes that left must still be the file's.
            match source.changed() {
                Some(why) => Err(final_error(why)),
                None => reply,
            }
        })
    }
}

/// A byte range of a file sent as a request body, between fixed leading and trailing bytes.
pub struct Range<'a> {
    /// The file the bytes are read from, at send time (again on a retry).
    pub path: &'a std::path::Path,
    /// Where the range starts in the file.
    pub offset: u64,
    /// How many bytes of the file to send.
    pub len: u64,
    /// Sent before the file's bytes (a multipart part's header).
    pub before: &'a [u8],
    /// Sent after them (the multipart closing boundary).
    pub after: &'a [u8],
}

impl Default for Uploader {
    fn default() -> Self {
        Uploader::new()
    }
}

/// A byte range of a file as 1 MiB blocks (an iterator, read as the body is sent).
struct FileRange {
    file: std::sync::Arc<std::fs::File>,
    offset: u64,
    done: u64,
    len: u64,
    position: Position,
}

impl FileRange {
    /// The range of the upload's open `file` (its one handle; one range is read at a time).
    fn open(
        file: &std::sync::Arc<std::fs::File>,
        offset: u64,
        len: u64,
        position: Position,
    ) -> std::io::Result<FileRange> {
        use std::io::Seek;
        (&**file).seek(std::io::SeekFrom::Start(offset))?;
        Ok(FileRange {
            file: file.clone(),
            offset,
            done: 0,
            len,
            position,
        })
    }
}

impl Iterator for FileRange {
    type Item = std::io::Result<bytes::Bytes>;

    fn next(&mut self) -> Option<Self::Item> {
        use std::io::Read;
        let left = self.len - self.done;
        if left == 0 {
            return None;
        }
        let want = (left as usize).min(UPLOAD_BLOCK);
        // Read into spare capacity: no zeroing of a buffer that is about to be overwritten.
        let mut block = Vec::with_capacity(want);
        loop {
            match (&*self.file)
                .take((want - block.len()) as u64)
                .read_to_end(&mut block)
            {
                Ok(_) if block.len() == want => break,
                Ok(0) => {
                    self.done = self.len;
                    return Some(Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the file shrank while it was being uploaded",
                    )));
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.done = self.len;
                    return Some(Err(e));
                }
            }
        }
        let block = bytes::Bytes::from(block);
        self.position.block(self.offset + self.done, &block);
        self.done += want as u64;
        self.position.position(self.offset + self.done);
        Some(Ok(block))
    }
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_jittered_and_respects_retry_after() {
        for attempt in 1..8 {
            let cap = Duration::from_millis(500 * (1 << attempt.min(4)));
            assert!(backoff(attempt, None) <= cap);
        }
        assert!(backoff(1, Some(3)) >= Duration::from_secs(3));
        assert!(retryable(429) && retryable(503) && !retryable(401) && !retryable(200));
    }
}
