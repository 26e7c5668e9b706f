//! A deliberately small, bounded HTTP/1.1 server over `std::net`, for the two listeners
//! socialcrm runs: `webhooks serve` (internet-facing, through a proxy) and the OAuth loopback
//! listener of `connect` (one browser, but any local process can connect to it).
//!
//! Why not tiny_http: tiny_http 0.12 reads header lines without any length limit, sets no read
//! timeout, spawns a thread per connection without a cap, and, when a request that declared a
//! large `Content-Length` is dropped unread, drains the rest of the body with a buffer the size
//! of what is left (`EqualReader::drop`), which blocks on a slow client and aborts the process
//! on an absurd length. A listener must refuse all of that cheaply. So this one:
//!
//! - accepts at most [`Limits::max_connections`] connections at once, and at most
//!   [`Limits::max_connections_per_peer`] from one peer address (503 above; `peers.rs`), each
//!   read within [`Limits::deadline`] in total (408 after), one request per connection;
//! - refuses a head (request line + headers) over [`Limits::max_head`] bytes or with more than
//!   [`Limits::max_headers`] headers (431), before reading any body;
//! - routes (404, 405 with `Allow`) and applies the per-peer rate limit (429) before reading
//!   any body;
//! - wants a `Content-Length` (411; chunked bodies are refused) and refuses one over
//!   [`Limits::max_body`] (413) without reading it; never reads more than it declared;
//! - hands each complete request to the thread that owns the [`Server`] ([`Server::next`]), so
//!   the handler can own the database or end the wait; [`serve`] loops over it, catching a
//!   panic in the handler as a 500 so the server keeps answering;
//! - logs one line per request at info level: method, path (no query), status. Never headers or
//!   bodies: they carry signatures, codes and personal data.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::peers::{PeerLimits, Peers, Refusal};

/// What one connection, and one peer, may cost.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Bytes of request line and headers: a slow or huge head is cut off before parsing.
    pub max_head: usize,
    /// Headers per request.
    pub max_headers: usize,
    /// Bytes of body; a webhook larger than this is refused unread.
    pub max_body: usize,
    /// How long one request may take to arrive whole (slowloris).
    pub deadline: Duration,
    /// Connections open at once, all peers together.
    pub max_connections: usize,
    /// Connections open at once from one peer address (not applied with `trust_proxy`).
    pub max_connections_per_peer: usize,
    /// Requests per second from one peer (bursts of as many); `None`: unlimited.
    pub rate_per_peer: Option<u32>,
    /// The peer of a request is the right-most `X-Forwarded-For` address (`--trust-proxy`).
    pub trust_proxy: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_head: 16 * 1024,
            max_headers: 64,
            max_body: 1024 * 1024,
            deadline: Duration::from_secs(10),
            max_connections: 64,
            max_connections_per_peer: 8,
            rate_per_peer: Some(50),
            trust_proxy: false,
        }
    }
}

impl Limits {
    /// For the OAuth loopback listener: a browser sends a short GET (its page and favicon), so
    /// heads are small, no body is taken, and a few connections are plenty.
    pub fn loopback() -> Limits {
        Limits {
            max_head: 8 * 1024,
            max_headers: 64,
            max_body: 0,
            deadline: Duration::from_secs(10),
            max_connections: 16,
            max_connections_per_peer: 16,
            rate_per_peer: None,
            trust_proxy: false,
        }
    }
}

/// A path the server answers and the methods it takes there.
#[derive(Debug, Clone)]
pub struct Route {
    /// The path, matched exactly (no prefixes, no patterns).
    pub path: String,
    /// Methods accepted there; others get 405 without reaching the handler.
    pub methods: &'static [&'static str],
}

/// A complete request, as the handler sees it.
#[derive(Debug)]
pub struct Incoming {
    /// The method as sent.
    pub method: String,
    /// The path without the query.
    pub path: String,
    /// The raw query (after `?`; empty when there was none). Never logged.
    pub query: String,
    /// Names lowercased, in the order received.
    pub headers: Vec<(String, String)>,
    /// The whole body, within [`Limits::max_body`]: signatures are checked over these bytes.
    pub body: Vec<u8>,
}

impl Incoming {
    /// The first value of query parameter `name`, decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// Every value of header `name` (any case).
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// A response: a status and a small JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body; a small JSON document, or the text a verification handshake wants echoed.
    pub body: String,
    /// Headers beyond the defaults (a content type other than JSON).
    pub extra: Vec<(&'static str, String)>,
}

impl Reply {
    /// `200` with `{"ok":true}`: what a platform needs to stop redelivering.
    pub fn ok() -> Reply {
        Reply {
            status: 200,
            body: r#"{"ok":true}"#.into(),
            extra: Vec::new(),
        }
    }

    /// `{"error": message}` with `status`.
    pub fn error(status: u16, message: &str) -> Reply {
        Reply {
            status,
            body: serde_json::json!({ "error": message }).to_string(),
            extra: Vec::new(),
        }
    }

    /// `body` as plain text (Meta's subscription check wants the bare challenge back).
    pub fn text(status: u16, body: &str) -> Reply {
        Reply::typed(status, body, "text/plain; charset=utf-8")
    }

    /// `body` as an HTML page (the loopback listener's answer to the browser).
    pub fn html(status: u16, body: &str) -> Reply {
        Reply::typed(status, body, "text/html; charset=utf-8")
    }

    /// `body` with `content_type`, which a browser must not sniff as anything else.
    fn typed(status: u16, body: &str, content_type: &'static str) -> Reply {
        Reply {
            status,
            body: body.to_string(),
            extra: Vec::new(),
        }
        .with("Content-Type", content_type)
        .with("X-Content-Type-Options", "nosniff")
    }

    fn with(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.extra.push((name, value.into()));
        self
    }
}

/// What the owner sends back to a connection's thread: the reply, and where to say when it
/// has been written.
struct Answer {
    reply: Reply,
    written: Option<mpsc::Sender<()>>,
}

type Job = (Incoming, mpsc::Sender<Answer>);

/// A request that passed the limits, waiting for its answer.
pub struct Pending {
    /// The request, for the handler to judge.
    pub request: Incoming,
    reply_to: mpsc::Sender<Answer>,
}

impl Pending {
    /// Sends `reply` to the client (the connection's thread writes it and closes).
    pub fn respond(self, reply: Reply) {
        let _ = self.reply_to.send(Answer {
            reply,
            written: None,
        });
    }

    /// Sends `reply` and waits, at most `timeout`, until it has been written: for a last answer
    /// before the process goes on to exit.
    pub fn respond_and_wait(self, reply: Reply, timeout: Duration) {
        let (written, done) = mpsc::channel();
        let sent = self.reply_to.send(Answer {
            reply,
            written: Some(written),
        });
        if sent.is_ok() {
            let _ = done.recv_timeout(timeout);
        }
    }
}

/// A running listener: connections are accepted and read on their own threads; complete
/// requests come out of [`Server::next`] on the owner's thread. Dropping it stops accepting and
/// closes the listening socket.
pub struct Server {
    queue: mpsc::Receiver<Job>,
    shared: Arc<Shared>,
    addr: SocketAddr,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `routes` on an already bound listener (bound by the caller, so the port is never
    /// lost to a race), each connection held to `limits`.
    pub fn start(listener: TcpListener, routes: Vec<Route>, limits: Limits) -> io::Result<Server> {
        let addr = listener.local_addr()?;
        let (jobs, queue) = mpsc::channel::<Job>();
        let peers = Peers::new(PeerLimits {
            total: limits.max_connections,
            per_peer: limits.max_connections_per_peer,
            rate: limits.rate_per_peer,
            trust_proxy: limits.trust_proxy,
        });
        let shared = Arc::new(Shared {
            routes,
            limits,
            peers: Mutex::new(peers),
            stopping: AtomicBool::new(false),
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("http-accept".into())
                .spawn(move || accept_loop(listener, shared, jobs))?
        };
        Ok(Server {
            queue,
            shared,
            addr,
            acceptor: Some(acceptor),
        })
    }

    /// The next request that passed the limits, waiting at most `timeout` (`Ok(None)` then).
    /// An error means the listener stopped accepting.
    pub fn next(&self, timeout: Duration) -> io::Result<Option<Pending>> {
        match self.queue.recv_timeout(timeout) {
            Ok((request, reply_to)) => Ok(Some(Pending { request, reply_to })),
            Err(mpsc::RecvTimeoutError::Timeout) => Ok(None),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(io::Error::other(
                "the listener stopped accepting connections",
            )),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake the acceptor, blocked in accept(), so it sees the flag and closes the socket.
        let wake = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => {
                SocketAddr::new(Ipv4Addr::LOCALHOST.into(), self.addr.port())
            }
            IpAddr::V6(ip) if ip.is_unspecified() => {
                SocketAddr::new(Ipv6Addr::LOCALHOST.into(), self.addr.port())
            }
            _ => self.addr,
        };
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// Serves `listener` until it fails, calling `handle` for every request that passed the limits,
/// one at a time on this thread.
pub fn serve(
    listener: TcpListener,
    routes: Vec<Route>,
    limits: Limits,
    mut handle: impl FnMut(&Incoming) -> Reply,
) -> io::Error {
    let server = match Server::start(listener, routes, limits) {
        Ok(server) => server,
        Err(e) => return e,
    };
    loop {
        let pending = match server.next(Duration::from_secs(3600)) {
            Ok(Some(pending)) => pending,
            Ok(None) => continue,
            Err(e) => return e,
        };
        let incoming = &pending.request;
        let reply = catch_unwind(AssertUnwindSafe(|| handle(incoming))).unwrap_or_else(|_| {
            tracing::error!(path = %incoming.path, "the request handler panicked; answered 500");
            Reply::error(500, "internal error")
        });
        pending.respond(reply);
    }
}

struct Shared {
    routes: Vec<Route>,
    limits: Limits,
    peers: Mutex<Peers>,
    stopping: AtomicBool,
}

impl Shared {
    fn peers(&self) -> std::sync::MutexGuard<'_, Peers> {
        // A panic while holding the lock leaves only counters behind: keep using them.
        self.peers.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Gives back the connection's slot however the connection thread ends.
struct Slot {
    shared: Arc<Shared>,
    peer: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.shared.peers().release(self.peer, Instant::now());
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>, jobs: mpsc::Sender<Job>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let (mut stream, peer) = match stream.and_then(|s| s.peer_addr().map(|a| (s, a.ip()))) {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors, a reset before accept: wait a moment, keep going.
                tracing::warn!("listener: accept failed: {e}");
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        let admitted = shared.peers().admit(peer, Instant::now());
        if let Err(refusal) = admitted {
            let why = match refusal {
                Refusal::Full => "too many connections",
                Refusal::PeerFull => "too many connections from this address",
            };
            let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
            let reply = Reply::error(503, why).with("Retry-After", "1");
            let _ = stream.write_all(&render(&reply));
            tracing::info!(status = 503, "request refused: {why}");
            continue;
        }
        let slot = Slot {
            shared: Arc::clone(&shared),
            peer,
        };
        let jobs = jobs.clone();
        let spawned = std::thread::Builder::new()
            .name("http-conn".into())
            .spawn(move || connection(stream, slot, jobs));
        if let Err(e) = spawned {
            tracing::warn!("listener: cannot start a connection thread: {e}");
        }
    }
}

/// What became of reading a request.
enum Outcome {
    Complete(Incoming),
    /// Refused before the handler; the method and path when known, for the log line.
    Refused(Reply, String, String),
}

fn connection(mut stream: TcpStream, slot: Slot, jobs: mpsc::Sender<Job>) {
    let shared = &slot.shared;
    let deadline = Instant::now() + shared.limits.deadline;
    let _ = stream.set_write_timeout(Some(shared.limits.deadline));
    let (answer, method, path) = match read_request(&mut stream, shared, slot.peer, deadline) {
        Ok(Outcome::Complete(incoming)) => {
            let (method, path) = (incoming.method.clone(), incoming.path.clone());
            let (tx, rx) = mpsc::channel();
            let answer = match jobs.send((incoming, tx)) {
                Ok(()) => rx.recv().unwrap_or_else(|_| Answer {
                    reply: Reply::error(503, "shutting down"),
                    written: None,
                }),
                Err(_) => Answer {
                    reply: Reply::error(503, "shutting down"),
                    written: None,
                },
            };
            (answer, method, path)
        }
        Ok(Outcome::Refused(reply, method, path)) => (
            Answer {
                reply,
                written: None,
            },
            method,
            path,
        ),
        Err(e) => {
            tracing::debug!("connection dropped while reading: {e}");
            return;
        }
    };
    let Answer { reply, written } = answer;
    let _ = stream.write_all(&render(&reply));
    let _ = stream.flush();
    if let Some(written) = written {
        let _ = written.send(());
    }
    tracing::info!(
        method = %method,
        path = %path,
        status = reply.status,
        "request"
    );
    linger(stream);
}

/// Closes politely: stop writing, then read and discard what the client still sends (a body we
/// refused) for a short while, so that closing does not reset the connection before the client
/// read our answer.
fn linger(mut stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let until = Instant::now() + Duration::from_secs(2);
    let mut budget: usize = 2 * 1024 * 1024;
    let mut buf = [0u8; 8192];
    while budget > 0 {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => budget = budget.saturating_sub(n),
        }
    }
}

fn read_request(
    stream: &mut TcpStream,
    shared: &Shared,
    peer: IpAddr,
    deadline: Instant,
) -> io::Result<Outcome> {
    let limits = &shared.limits;
    let refuse = |reply: Reply, method: &str, path: &str| {
        Ok(Outcome::Refused(
            reply,
            method.to_string(),
            path.to_string(),
        ))
    };

    // The head, up to the blank line, within max_head bytes.
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 2048];
    let head_end = loop {
        if let Some(i) = find_blank_line(&buf) {
            break i;
        }
        if buf.len() > limits.max_head {
            return refuse(Reply::error(431, "request head too large"), "-", "-");
        }
        match read_some(stream, &mut chunk, deadline) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if is_timeout(&e) => {
                return refuse(Reply::error(408, "request timed out"), "-", "-");
            }
            Err(e) => return Err(e),
        }
    };
    if head_end > limits.max_head {
        return refuse(Reply::error(431, "request head too large"), "-", "-");
    }
    // What came after the blank line is the start of the body.
    let mut body = buf.split_off(head_end + 4);
    let Ok(head) = std::str::from_utf8(&buf[..head_end]) else {
        return refuse(Reply::error(400, "request head is not UTF-8"), "-", "-");
    };
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return refuse(Reply::error(400, "malformed request line"), "-", "-");
    };
    if !matches!(version, "HTTP/1.1" | "HTTP/1.0")
        || method.is_empty()
        || !method.bytes().all(|b| b.is_ascii_uppercase())
        || !target.starts_with('/')
    {
        return refuse(Reply::error(400, "malformed request line"), "-", "-");
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.to_string(), String::new()),
    };
    let mut headers = Vec::new();
    for line in lines {
        if headers.len() >= limits.max_headers {
            return refuse(Reply::error(431, "too many headers"), method, &path);
        }
        let Some((name, value)) = line.split_once(':') else {
            return refuse(Reply::error(400, "malformed header"), method, &path);
        };
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace()) {
            return refuse(Reply::error(400, "malformed header"), method, &path);
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }

    // Route and rate before any body is read.
    let Some(route) = shared.routes.iter().find(|r| r.path == path) else {
        return refuse(Reply::error(404, "not found"), method, &path);
    };
    if !route.methods.contains(&method) {
        let reply = Reply::error(405, "method not allowed").with("Allow", route.methods.join(", "));
        return refuse(reply, method, &path);
    }
    let forwarded: Vec<&str> = headers
        .iter()
        .filter(|(k, _)| k == "x-forwarded-for")
        .map(|(_, v)| v.as_str())
        .collect();
    if !shared.peers().take(peer, &forwarded, Instant::now()) {
        let reply = Reply::error(429, "too many requests").with("Retry-After", "1");
        return refuse(reply, method, &path);
    }

    // The body: Content-Length only, within max_body.
    let value = |name: &str| {
        headers
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
    };
    if !value("transfer-encoding").is_empty() {
        let reply = Reply::error(411, "send the body with a Content-Length, not chunked");
        return refuse(reply, method, &path);
    }
    let lengths = value("content-length");
    let length = match lengths.as_slice() {
        [] if method == "GET" || method == "HEAD" => 0,
        [] => return refuse(Reply::error(411, "Content-Length required"), method, &path),
        [first, rest @ ..] if rest.iter().all(|v| v == first) => {
            if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
                return refuse(Reply::error(400, "malformed Content-Length"), method, &path);
            }
            match first.parse::<u64>() {
                Ok(n) if n <= limits.max_body as u64 => n as usize,
                _ => return refuse(Reply::error(413, "body too large"), method, &path),
            }
        }
        _ => {
            return refuse(
                Reply::error(400, "conflicting Content-Length"),
                method,
                &path,
            );
        }
    };
    if value("expect")
        .iter()
        .any(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    body.truncate(length);
    body.reserve_exact(length - body.len());
    while body.len() < length {
        let want = (length - body.len()).min(chunk.len());
        match read_some(stream, &mut chunk[..want], deadline) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(e) if is_timeout(&e) => {
                return refuse(Reply::error(408, "request timed out"), method, &path);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Outcome::Complete(Incoming {
        method: method.to_string(),
        path,
        query,
        headers,
        body,
    }))
}

/// One read that gives up at `deadline` (with a timeout error).
fn read_some(stream: &mut TcpStream, buf: &mut [u8], deadline: Instant) -> io::Result<usize> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(io::ErrorKind::TimedOut.into());
    }
    stream.set_read_timeout(Some(left))?;
    stream.read(buf)
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

fn find_blank_line(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n")
}

fn render(reply: &Reply) -> Vec<u8> {
    let typed = reply.extra.iter().any(|(name, _)| *name == "Content-Type");
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n{}Content-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reason(reply.status),
        if typed {
            ""
        } else {
            "Content-Type: application/json\r\n"
        },
        reply.body.len()
    );
    for (name, value) in &reply.extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(reply.body.as_bytes());
    bytes
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(addr: std::net::SocketAddr) -> u16 {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(b"POST /x HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}")
            .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        answer[9..12].parse().unwrap()
    }

    #[test]
    fn a_panicking_handler_answers_500_and_the_server_goes_on() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let mut calls = 0;
            let routes = vec![Route {
                path: "/x".into(),
                methods: &["POST"],
            }];
            serve(listener, routes, Limits::default(), |_| {
                calls += 1;
                assert!(calls > 1, "the first call panics");
                Reply::ok()
            })
        });
        assert_eq!(post(addr), 500);
        assert_eq!(post(addr), 200);
    }
}
