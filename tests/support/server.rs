//! The plumbing every fake platform shares: a tiny_http server on 127.0.0.1 (random free port,
//! one background thread, stopped and its port closed on drop), each request read into a
//! [`RecordedRequest`] (head, decoded query and form, arrival time), and [`Reply`]s written
//! back (JSON, redirects, extra headers, or a body cut short on purpose); the helpers the fakes
//! share ([`page`] and [`limit`] under every cursor, [`project`] for `fields=`, [`sha256`]).
//! A fake supplies only its routes and its state.

use std::collections::VecDeque;
use std::io::Read;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
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

    /// The head and a body of at most `max_body` bytes, also as the bytes that came (binary
    /// uploads); `None` when the body was larger (it is then left unread).
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
        self.is_type("application/x-www-form-urlencoded")
    }

    /// The body is declared of media type `mime` (any case, whatever its parameters).
    pub fn is_type(&self, mime: &str) -> bool {
        let ct = self
            .content_type
            .as_deref()
            .and_then(|ct| ct.split(';').next());
        ct.is_some_and(|ct| ct.trim().eq_ignore_ascii_case(mime))
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

/// A handler's answer, where `?` returns a refusal (a reply too) early.
pub type Answer = Result<Reply, Reply>;

/// The reply either way.
pub fn either(answer: Answer) -> Reply {
    answer.unwrap_or_else(|refused| refused)
}

/// What a fake answers.
#[derive(Default)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub headers: Vec<(String, String)>,
    /// Send half of the body under the full Content-Length, then close the connection.
    pub cut: bool,
}

/// `Reply::json(status, json!(body))`, the usual answer, on one line: `reply!(200, {"id": id})`.
macro_rules! reply {
    ($status:expr, $($body:tt)+) => {
        $crate::support::server::Reply::json($status, serde_json::json!($($body)+))
    };
}
pub(crate) use reply;

/// Declares a fake's knobs and readers that are one expression on its state, each on a line
/// with its docs: `name(args) => |st| st.field = value;` (a knob) or
/// `name() -> T => |st| st.field.clone();` (a reader), as `pub` methods of `for`'s type
/// (`for Fake<S> where S: Routes` for every fake).
macro_rules! knobs {
    (for $ty:ty $(where $g:ident: $bound:path)?; $($(#[$meta:meta])* $name:ident($($arg:ident: $t:ty),* $(,)?) $(-> $ret:ty)? => |$st:ident| $e:expr;)*) => {
        impl $(<$g: $bound>)? $ty {
            $($(#[$meta])* pub fn $name(&self, $($arg: $t),*) $(-> $ret)? {
                let mut state = self.state();
                let $st = &mut *state;
                $crate::support::server::knobs!(@tail $e $(, $ret)?)
            })*
        }
    };
    (@tail $e:expr) => {{ $e; }};
    (@tail $e:expr, $ret:ty) => { $e };
}
pub(crate) use knobs;

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        let mut reply = Reply::empty(status);
        reply.body = body.to_string();
        reply
    }

    pub fn redirect(location: String) -> Reply {
        let mut reply = Reply::empty(302);
        reply.location = Some(location);
        reply
    }

    /// A status with an empty body (Reddit's 204 for a revoke).
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            ..Reply::default()
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
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let nodelay = socket2::SockRef::from(&listener).set_tcp_nodelay(true);
    nodelay.expect("TCP_NODELAY on the fake's listener");
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

/// Every request a fake received, with the status it was answered with, oldest first: kept by
/// the skeleton, beside the state.
pub type Log = Mutex<Vec<RecordedRequest>>;

/// What a fake's state supplies to the shared skeleton ([`Fake`]): its routes and its answer to
/// a body over [`Routes::MAX_BODY`].
pub trait Routes: Send + 'static {
    /// Bodies over this many bytes are not read; [`Routes::too_large`] answers them.
    const MAX_BODY: usize = 1 << 20;

    /// The answer to one request (`bytes`: its body as it came).
    fn route(&mut self, req: &RecordedRequest, bytes: &[u8]) -> Reply;

    /// The platform's answer to a body over [`Routes::MAX_BODY`].
    fn too_large(&mut self) -> Reply;

    /// The fake's OAuth authority (`oauth.rs`), whose knobs every fake has.
    fn auth(&mut self) -> &mut super::oauth::Authority;

    /// A request this fake streams itself (an upload host), taken before anything is read: its
    /// record and answer, which the skeleton logs and sends (without faults); `None` for every
    /// other request.
    fn stream(
        _state: &Mutex<Self>,
        _request: &mut tiny_http::Request,
    ) -> Option<(RecordedRequest, Reply)>
    where
        Self: Sized,
    {
        None
    }

    /// Trims a request as read before it is routed and recorded (binary bodies kept out).
    fn trim(_recorded: &mut RecordedRequest) {}

    /// Whether the skeleton's faults ([`Faults`]: delays, cut answers) apply to this request.
    fn faulty(_req: &RecordedRequest) -> bool {
        true
    }
}

/// Faults of the transport that every fake can be asked for, applied by the skeleton to the
/// requests [`Routes::faulty`] names, outside the state's lock (so that a test can look at the
/// fake while an answer is held back).
#[derive(Default)]
pub struct Faults {
    /// Runs of (answers, delay): the next answers wait that long before they are sent.
    delays: Mutex<VecDeque<(u32, Duration)>>,
    /// Delayed answers that have begun their wait.
    begun: AtomicUsize,
    /// Successful answers still to break off halfway through the promised body.
    cut: AtomicUsize,
    /// Successful answers still to arrive cut in half: status 200, half of the JSON.
    truncate: AtomicUsize,
}

impl Faults {
    fn next_delay(&self) -> Option<Duration> {
        let mut delays = self.delays.lock().unwrap_or_else(|e| e.into_inner());
        let (left, delay) = delays.front_mut()?;
        let delay = *delay;
        *left -= 1;
        if *left == 0 {
            delays.pop_front();
        }
        self.begun.fetch_add(1, Ordering::SeqCst);
        Some(delay)
    }

    fn spend(counter: &AtomicUsize) -> bool {
        let spend = |n: usize| n.checked_sub(1);
        counter
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, spend)
            .is_ok()
    }

    /// The answer as the faults asked for leave it.
    fn apply(&self, mut reply: Reply) -> Reply {
        if reply.status == 200 && Faults::spend(&self.cut) {
            reply.cut = true;
        } else if reply.status == 200 && Faults::spend(&self.truncate) {
            let half = reply.body.len() / 2;
            reply.body.truncate(half);
        }
        reply
    }
}

/// The skeleton every fake platform is: a [`FakeServer`] serving a state `S` behind a mutex,
/// recording each request, and the environment variable that points the binary at it.
/// A fake adds its knobs as an inherent `impl Fake<ItsState>`.
pub struct Fake<S> {
    base_url: String,
    env: &'static str,
    state: Arc<Mutex<S>>,
    faults: Arc<Faults>,
    log: Arc<Log>,
    /// Serves until the fake is dropped.
    _server: FakeServer,
}

impl<S: Routes> Fake<S> {
    /// Serves `state` on a free port, on a thread called `name`; `env` is the base-URL
    /// variable of the platform. `ready` sees the base URL before any request can arrive.
    pub fn serve(
        name: &str,
        env: &'static str,
        state: S,
        ready: impl FnOnce(&mut S, &str),
    ) -> Self {
        let state = Arc::new(Mutex::new(state));
        let (faults, log) = (Arc::new(Faults::default()), Arc::new(Log::default()));
        let server = {
            let (state, faults, log) = (state.clone(), faults.clone(), log.clone());
            FakeServer::start(name, move |request| serve(&state, &faults, &log, request))
        };
        let base_url = server.base_url();
        ready(&mut state.lock().unwrap(), &base_url);
        Fake {
            base_url,
            env,
            state,
            faults,
            log,
            _server: server,
        }
    }

    /// The next `n` answers (of the requests [`Routes::faulty`] names) are sent only after
    /// `delay`; adds to the delays already queued.
    pub fn delay_next_replies(&self, n: u32, delay: Duration) {
        let mut delays = self.faults.delays.lock().unwrap();
        delays.push_back((n, delay));
    }

    /// After `n` more answers, every answer waits `delay` first (replacing queued delays).
    pub fn delay_after(&self, n: u32, delay: Duration) {
        self.clear_delays();
        self.delay_next_replies(n, Duration::ZERO);
        self.delay_next_replies(u32::MAX, delay);
    }

    /// Drops the delays still queued.
    pub fn clear_delays(&self) {
        self.faults.delays.lock().unwrap().clear();
    }

    /// How many delayed answers have begun their wait (read without waiting for one).
    pub fn delays_begun(&self) -> usize {
        self.faults.begun.load(Ordering::SeqCst)
    }

    /// The next `n` successful answers break off halfway through a body whose Content-Length
    /// promised more (the fake asks for the connection to close; tiny_http may keep it open,
    /// so the client sees a reset or a stall).
    pub fn cut_next_replies(&self, n: usize) {
        self.faults.cut.fetch_add(n, Ordering::SeqCst);
    }

    /// The next `n` successful answers arrive cut in half: status 200, half of the JSON.
    pub fn truncate_next_replies(&self, n: usize) {
        self.faults.truncate.fetch_add(n, Ordering::SeqCst);
    }

    /// The state, also after a handler panicked.
    pub fn state(&self) -> MutexGuard<'_, S> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `http://127.0.0.1:PORT`, the value for the platform's base-URL variable.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.base_url)
    }

    /// Points a command (the binary) at this fake.
    pub fn apply(&self, cmd: &mut Command) {
        cmd.env(self.env, &self.base_url);
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The requests to one path, or to a template of one (`:id` matches any segment).
    pub fn requests_to(&self, template: &str) -> Vec<RecordedRequest> {
        let mut all = self.requests();
        all.retain(|r| matches_template(&r.path, template));
        all
    }
}

/// `path` is `template`, where a `:id` segment matches any one segment.
pub fn matches_template(path: &str, template: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (path.split('/').collect(), template.split('/').collect());
    a.len() == b.len() && a.iter().zip(&b).all(|(p, t)| *t == ":id" || p == t)
}

/// Reads one request (at most `S::MAX_BODY`), routes it, records it, answers it (with the
/// faults asked for).
fn serve<S: Routes>(state: &Mutex<S>, faults: &Faults, log: &Log, mut request: tiny_http::Request) {
    if let Some((mut recorded, reply)) = S::stream(state, &mut request) {
        recorded.status = reply.status;
        record(log, recorded);
        return respond(request, reply);
    }
    let read = RecordedRequest::read_bytes(&mut request, S::MAX_BODY);
    let (mut reply, faulty) = {
        let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
        let (mut recorded, reply) = match read {
            Some((mut recorded, bytes)) => {
                S::trim(&mut recorded);
                let reply = st.route(&recorded, &bytes);
                (recorded, reply)
            }
            None => (RecordedRequest::head(&request), st.too_large()),
        };
        let faulty = S::faulty(&recorded);
        recorded.status = reply.status;
        record(log, recorded);
        (reply, faulty)
    };
    if faulty {
        if let Some(delay) = faults.next_delay() {
            std::thread::sleep(delay);
        }
        reply = faults.apply(reply);
    }
    respond(request, reply);
}

/// Appends `recorded` to `log`.
fn record(log: &Log, recorded: RecordedRequest) {
    log.lock().unwrap_or_else(|e| e.into_inner()).push(recorded);
}

/// A fake whose answers come from one user's data: the fixed user's, or in many-users mode
/// user k's, swapped in for one request.
pub trait Users: Sized {
    type Data;

    /// User k's data (k > 0).
    fn numbered(&self, k: u64) -> Self::Data;

    /// The data answering now.
    fn data(&mut self) -> &mut Self::Data;

    /// `answer` from user k's data (the fixed user's for 0), the fixed user's kept.
    fn answer_as(&mut self, k: u64, answer: impl FnOnce(&mut Self) -> Reply) -> Reply {
        if k == 0 {
            return answer(self);
        }
        let numbered = self.numbered(k);
        let saved = std::mem::replace(self.data(), numbered);
        let reply = answer(self);
        *self.data() = saved;
        reply
    }

    /// The shared bearer check: `answer` (given the token's scope) from the data of the user
    /// whose access token, live at `now`, the request carries; `refused` when it carries none.
    fn as_bearer(
        &mut self,
        req: &RecordedRequest,
        now: Instant,
        refused: impl FnOnce(&mut Self) -> Reply,
        answer: impl FnOnce(&mut Self, &str) -> Reply,
    ) -> Reply
    where
        Self: Routes,
    {
        let grant = self.auth().live_at(super::oauth::bearer(req), now);
        let Some((user, scope)) = grant.map(|g| (g.user, g.scope.clone())) else {
            return refused(self);
        };
        self.answer_as(user, |st| answer(st, &scope))
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

/// The page of at most `limit` items from offset `start` (empty past the end), and the offset
/// of the next page when there is more: the paging every fake's cursors map onto.
pub fn page<T: Clone>(items: &[T], start: usize, limit: usize) -> (Vec<T>, Option<usize>) {
    let end = items.len().min(start.saturating_add(limit));
    let page = items.get(start..end).unwrap_or_default().to_vec();
    (page, (end < items.len()).then_some(end))
}

/// The `limit` query parameter, `default` without one, within 1..=`max`.
pub fn limit(req: &RecordedRequest, default: usize, max: usize) -> usize {
    let asked = req.query_param("limit").and_then(|l| l.parse().ok());
    asked.unwrap_or(default).clamp(1, max)
}

/// Field `name` of `item`'s JSON form.
pub fn field(item: &impl serde::Serialize, name: &str) -> Option<Value> {
    serde_json::to_value(item).ok()?.get(name).cloned()
}

/// The `fields` of `item`'s JSON form that it has (an API's `fields=` projection).
pub fn project(item: &impl serde::Serialize, fields: &[&str]) -> Value {
    let all = serde_json::to_value(item).unwrap_or_default();
    let picked = fields
        .iter()
        .filter_map(|f| Some((f.to_string(), all.get(f)?.clone())));
    Value::Object(picked.collect())
}

/// Lowercase hex of `bytes` (a digest, say).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hex SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

/// A random token with a recognisable prefix.
pub fn random_token(prefix: &str) -> String {
    format!(
        "{prefix}{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}
