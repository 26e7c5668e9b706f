//! A tiny blocking HTTP/1.1 client over `std::net::TcpStream`, for loopback test servers only
//! (plain `http://`, one request per connection). Enough to drive the fake platforms and to play
//! the browser in tests without pulling an HTTP client crate into the test build.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub struct Response {
    pub status: u16,
    /// Header names lowercased, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}), status {}: {}", self.status, self.body))
    }
}

/// Sends one request; `url` must be `http://HOST:PORT/...`. Never follows redirects.
pub fn request(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
    let parsed = url::Url::parse(url).unwrap_or_else(|e| panic!("bad URL {url}: {e}"));
    assert_eq!(
        parsed.scheme(),
        "http",
        "test client speaks plain HTTP only: {url}"
    );
    let host = parsed.host_str().expect("URL has a host");
    let port = parsed.port_or_known_default().expect("URL has a port");
    let mut target = parsed.path().to_string();
    if let Some(q) = parsed.query() {
        target.push('?');
        target.push_str(q);
    }

    let mut stream = TcpStream::connect((host, port)).unwrap_or_else(|e| panic!("{url}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    stream.flush().unwrap();

    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line from {url}: {status_line:?}"));
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let find = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let mut raw = Vec::new();
    if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).unwrap();
            let size = usize::from_str_radix(size.trim().split(';').next().unwrap(), 16).unwrap();
            if size == 0 {
                break;
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).unwrap();
            raw.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(len) = find("content-length") {
        let mut buf = vec![0; len.parse().unwrap()];
        reader.read_exact(&mut buf).unwrap();
        raw = buf;
    } else {
        reader.read_to_end(&mut raw).unwrap();
    }
    Response {
        status,
        headers,
        body: String::from_utf8(raw).expect("UTF-8 body"),
    }
}

pub fn get(url: &str) -> Response {
    request("GET", url, &[], b"")
}

pub fn get_with_bearer(url: &str, token: &str) -> Response {
    request(
        "GET",
        url,
        &[("Authorization", &format!("Bearer {token}"))],
        b"",
    )
}

/// POSTs `fields` as `application/x-www-form-urlencoded`.
pub fn post_form(url: &str, fields: &[(&str, &str)]) -> Response {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    request(
        "POST",
        url,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    )
}

/// POSTs `body` as `application/json`, with `Authorization: Bearer <token>` when a token is given.
pub fn post_json(url: &str, token: Option<&str>, body: &serde_json::Value) -> Response {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth));
    }
    request("POST", url, &headers, body.to_string().as_bytes())
}

/// Sends `bytes` as they are (any head, any body, declared lengths that lie) and reads whatever
/// answer comes back until the server closes. The bytes are written from another thread and
/// write errors are ignored: a server may answer and close before reading everything sent.
/// Returns the status (0 when the server closed without answering) and the body.
pub fn raw(addr: &str, bytes: Vec<u8>) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("{addr}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(&bytes);
        let _ = writer.flush();
    });
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let _ = sender.join();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// A 127.0.0.1 listener whose connections send small writes at once. tiny_http writes a
/// response's head and a body over 1 KiB separately; with Nagle's algorithm on, the body then
/// waits for the client's delayed ACK (40 ms on Linux) and every page of a sync would stall.
/// Linux hands TCP_NODELAY down from the listener to accepted connections.
pub fn nodelay_listener() -> std::net::TcpListener {
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

/// A fake platform's HTTP server: a thread that hands every request on a fresh loopback port
/// to `handle` until dropped; dropping it waits until the port is closed.
pub struct FakeServer {
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl FakeServer {
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

    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
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
            && TcpStream::connect_timeout(&self.addr, Duration::from_millis(100)).is_ok()
        {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// One request as the fake received it.
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
    /// The raw body (lossy UTF-8; empty when it was refused for size).
    pub body: String,
    /// The `Authorization` header, verbatim.
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    /// The HTTP status the fake answered with.
    pub status: u16,
}

impl RecordedRequest {
    pub fn query_param(&self, name: &str) -> Option<&str> {
        lookup(&self.query, name)
    }

    pub fn form_field(&self, name: &str) -> Option<&str> {
        lookup(&self.form, name)
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json_body(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
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

fn lookup<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
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

impl RecordedRequest {
    /// True for an `application/x-www-form-urlencoded` body.
    pub fn is_form(&self) -> bool {
        self.content_type
            .as_deref()
            .and_then(|ct| ct.split(';').next())
            .is_some_and(|ct| {
                ct.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
    }
}

/// The first value of header `name` (any case) of a request to a fake.
pub fn header(request: &tiny_http::Request, name: &str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str().to_string())
}

/// Reads a request to a fake: what is recorded of it, the raw body, and whether the body was
/// over `max_body` (then it is not read, and recorded empty). The status is filled in later.
pub fn read_request(
    request: &mut tiny_http::Request,
    max_body: usize,
) -> (RecordedRequest, Vec<u8>, bool) {
    let method = request.method().as_str().to_string();
    let (path, raw_query) = match request.url().split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (request.url().to_string(), String::new()),
    };
    let authorization = header(request, "Authorization");
    let content_type = header(request, "Content-Type");
    let mut too_large = request.body_length().is_some_and(|n| n > max_body);
    let mut raw = Vec::new();
    if !too_large {
        let read = request
            .as_reader()
            .take(max_body as u64 + 1)
            .read_to_end(&mut raw);
        too_large = read.is_err() || raw.len() > max_body;
        if too_large {
            raw.clear();
        }
    }
    let body = String::from_utf8_lossy(&raw).into_owned();
    let mut recorded = RecordedRequest {
        method,
        path,
        query: decode_pairs(&raw_query),
        raw_query,
        form: Vec::new(),
        body,
        authorization,
        content_type,
        status: 0,
    };
    if recorded.is_form() {
        recorded.form = decode_pairs(&recorded.body);
    }
    (recorded, raw, too_large)
}

/// Answers a fake's request: a JSON body (or a redirect to `location`) with extra headers.
pub fn respond(
    request: tiny_http::Request,
    status: u16,
    body: String,
    location: Option<String>,
    headers: &[(String, String)],
) {
    let mut response = tiny_http::Response::from_string(body).with_status_code(status);
    match location {
        Some(location) => {
            response = response.with_header(
                tiny_http::Header::from_bytes("Location", location.as_bytes()).unwrap(),
            );
        }
        None => {
            response = response.with_header(
                tiny_http::Header::from_bytes("Content-Type", "application/json; charset=UTF-8")
                    .unwrap(),
            );
        }
    }
    for (name, value) in headers {
        response = response
            .with_header(tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap());
    }
    let _ = request.respond(response);
}
