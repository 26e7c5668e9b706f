//! The plumbing every fake platform shares: a tiny_http server on 127.0.0.1 (random free port,
//! one background thread, stopped and its port closed on drop), each request read into a
//! [`RecordedRequest`] (head, decoded query and form, arrival time), and [`Reply`]s written
//! back (JSON, redirects, extra headers, or a body cut short on purpose). A fake supplies only
//! its routes and its state.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

/// One request as a fake received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    pub method: String,
    /// The path without the query, e.g. `/v2/oauth/token/`.
    pub path: String,
    /// The raw query string (empty when there was none).
    pub raw_query: String,
    /// The decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    /// The decoded form fields of an `application/x-www-form-urlencoded` body, in order.
    pub form: Vec<(String, String)>,
    /// The raw body (lossy UTF-8; empty when it was refused for size or streamed elsewhere).
    pub body: String,
    /// The `Authorization` header, verbatim.
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub user_agent: Option<String>,
    /// When the request arrived.
    pub at: Instant,
    /// The HTTP status the fake answered with.
    pub status: u16,
}

impl RecordedRequest {
    /// The request's head: method, path, query and the headers fakes look at; no body.
    pub fn head(request: &tiny_http::Request) -> RecordedRequest {
        let (path, raw_query) = match request.url().split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (request.url().to_string(), String::new()),
        };
        let header = |name: &str| header(request, name);
        RecordedRequest {
            method: request.method().as_str().to_string(),
            path,
            query: decode_pairs(&raw_query),
            raw_query,
            form: Vec::new(),
            body: String::new(),
            authorization: header("Authorization"),
            content_type: header("Content-Type"),
            user_agent: header("User-Agent"),
            at: Instant::now(),
            status: 0,
        }
    }

    /// The head and a body of at most `max_body` bytes; `None` when the body was larger (it
    /// is then left unread).
    pub fn read(request: &mut tiny_http::Request, max_body: usize) -> Option<RecordedRequest> {
        RecordedRequest::read_bytes(request, max_body).map(|(recorded, _)| recorded)
    }

    /// Like [`RecordedRequest::read`], with the body's bytes as they came (binary uploads).
    pub fn read_bytes(
        request: &mut tiny_http::Request,
        max_body: usize,
    ) -> Option<(RecordedRequest, Vec<u8>)> {
        let mut recorded = RecordedRequest::head(request);
        if request.body_length().is_some_and(|n| n > max_body) {
            return None;
        }
        let mut raw = Vec::new();
        let read = request
            .as_reader()
            .take(max_body as u64 + 1)
            .read_to_end(&mut raw);
        if read.is_err() || raw.len() > max_body {
            return None;
        }
        recorded.body = String::from_utf8_lossy(&raw).into_owned();
        if recorded.is_form() {
            recorded.form = decode_pairs(&recorded.body);
        }
        Some((recorded, raw))
    }

    /// The body is declared `application/x-www-form-urlencoded`.
    pub fn is_form(&self) -> bool {
        self.content_type
            .as_deref()
            .and_then(|ct| ct.split(';').next())
            .is_some_and(|ct| {
                ct.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
    }

    pub fn query_param(&self, name: &str) -> Option<&str> {
        lookup(&self.query, name)
    }

    pub fn form_field(&self, name: &str) -> Option<&str> {
        lookup(&self.form, name)
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json_body(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// The requests among `all` to one path.
    pub fn to_path(all: &[RecordedRequest], path: &str) -> Vec<RecordedRequest> {
        all.iter().filter(|r| r.path == path).cloned().collect()
    }

    /// True when `needle` appears anywhere in the request line (path or query), raw or decoded.
    pub fn url_contains(&self, needle: &str) -> bool {
        self.path.contains(needle)
            || self.raw_query.contains(needle)
            || self
                .query
                .iter()
                .any(|(k, v)| k.contains(needle) || v.contains(needle))
    }
}

/// What a fake answers.
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub headers: Vec<(String, String)>,
    /// Send half of the body under the full Content-Length, then close the connection.
    pub cut: bool,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: body.to_string(),
            location: None,
            headers: Vec::new(),
            cut: false,
        }
    }

    pub fn redirect(location: String) -> Reply {
        Reply {
            status: 302,
            body: String::new(),
            location: Some(location),
            headers: Vec::new(),
            cut: false,
        }
    }

    /// A status with an empty body (Reddit's 204 for a revoke).
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            body: String::new(),
            location: None,
            headers: Vec::new(),
            cut: false,
        }
    }

    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// Writes `reply` to the client.
pub fn respond(request: tiny_http::Request, reply: Reply) {
    if reply.cut {
        let full = reply.body.len();
        let half = reply.body.as_bytes()[..full / 2].to_vec();
        let headers = vec![
            tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap(),
            tiny_http::Header::from_bytes("Connection", "close").unwrap(),
        ];
        let response = tiny_http::Response::new(
            tiny_http::StatusCode(reply.status),
            headers,
            std::io::Cursor::new(half),
            Some(full),
            None,
        );
        let _ = request.respond(response);
        return;
    }
    let mut response = tiny_http::Response::from_string(reply.body).with_status_code(reply.status);
    if reply.location.is_none() && reply.status != 204 {
        response = response.with_header(
            tiny_http::Header::from_bytes("Content-Type", "application/json; charset=UTF-8")
                .unwrap(),
        );
    }
    if let Some(location) = reply.location {
        response = response
            .with_header(tiny_http::Header::from_bytes("Location", location.as_bytes()).unwrap());
    }
    for (name, value) in reply.headers {
        response = response
            .with_header(tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap());
    }
    let _ = request.respond(response);
}

/// A 127.0.0.1 listener whose connections send small writes at once. tiny_http writes a
/// response's head and a body over 1 KiB separately; with Nagle's algorithm on, the body then
/// waits for the client's delayed ACK (40 ms on Linux) and every page of a sync would stall.
/// Linux hands TCP_NODELAY down from the listener to accepted connections.
fn nodelay_listener() -> std::net::TcpListener {
    use std::os::fd::AsRawFd;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let on: libc::c_int = 1;
    // SAFETY: setsockopt on a socket this function owns, with a c_int the size it says.
    let rc = unsafe {
        libc::setsockopt(
            listener.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "TCP_NODELAY on the fake's listener");
    listener
}

/// A running fake: its address, and the thread that hands each request to the fake's handler.
pub struct FakeServer {
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl FakeServer {
    /// Binds a free port and serves every request with `handle`, one at a time, on a thread
    /// called `name`.
    pub fn start(name: &str, handle: impl Fn(tiny_http::Request) + Send + 'static) -> FakeServer {
        let server =
            tiny_http::Server::from_listener(nodelay_listener(), None).expect("serve 127.0.0.1:0");
        let addr = server.server_addr().to_ip().expect("an IP listener");
        let stop = Arc::new(AtomicBool::new(false));
        let worker = {
            let stop = stop.clone();
            std::thread::Builder::new()
                .name(name.into())
                .spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        if let Ok(Some(request)) = server.recv_timeout(Duration::from_millis(50)) {
                            handle(request);
                        }
                    }
                })
                .unwrap()
        };
        FakeServer {
            addr,
            stop,
            worker: Some(worker),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
        // The worker dropped the server; its accept thread closes the port soon after. Wait for
        // that (briefly), so that the port is closed when drop returns.
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline
            && std::net::TcpStream::connect_timeout(&self.addr, Duration::from_millis(100)).is_ok()
        {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// The value of header `name` (any case) of a request.
pub fn header(request: &tiny_http::Request, name: &str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str().to_string())
}

pub fn lookup<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

pub fn decode_pairs(s: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(s.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A random token with a recognisable prefix.
pub fn random_token(prefix: &str) -> String {
    format!(
        "{prefix}{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}
