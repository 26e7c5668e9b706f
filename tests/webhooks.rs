//! `socialcrm webhooks serve`: the real binary as a child process on a free loopback port, driven
//! with raw HTTP. Signed requests are accepted and recorded; forged, stale, replayed, oversized,
//! misrouted and malformed ones are refused with the right status, and the server keeps
//! answering after every one of them without ever writing the secret to its log.

use std::io::Read;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use socialcrm::secrets::Secret;
use socialcrm::store::model::{AuditQuery, Connection, Page};
use socialcrm::store::{Batch, Store};
use socialcrm::vocab::PlatformId;
use socialcrm::webhooks::signature::sign;

use crate::support::http::{self, raw};
use crate::support::{TestDb, TestEnv};

const SECRET: &str = "tt-client-secret-9f8e7d6c";
const NOW: &str = "2026-11-24T12:00:00Z";
const PATH: &str = "/webhooks/tiktok";

fn now() -> i64 {
    DateTime::parse_from_rfc3339(NOW).unwrap().timestamp()
}

/// A running `webhooks serve`, killed when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
    log: std::path::PathBuf,
}

impl Server {
    fn start(env: &TestEnv, db: &TestDb, extra: &[&str]) -> Server {
        Server::start_with(env, db, extra, &[("TIKTOK_CLIENT_SECRET", SECRET)])
    }

    /// Serves with these environment variables (the platforms' webhook secrets).
    pub fn start_with(env: &TestEnv, db: &TestDb, extra: &[&str], vars: &[(&str, &str)]) -> Server {
        let addr = format!("127.0.0.1:{}", crate::support::free_port());
        let log = env.path().join("serve.log");
        let mut args = vec![
            "-vv",
            "--database-url",
            &db.url,
            "webhooks",
            "serve",
            "--bind",
            &addr,
        ];
        args.extend_from_slice(extra);
        let mut cmd = env.command(&args);
        cmd.envs(vars.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        let mut server = Server {
            child: cmd.spawn().unwrap(),
            addr,
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("webhooks serve exited with {status}: {}", server.stderr());
            }
            if std::net::TcpStream::connect(&server.addr).is_ok() {
                break;
            }
            assert!(Instant::now() < deadline, "webhooks serve never listened");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// POSTs `body` to /webhooks/tiktok with these headers.
    fn post(&self, headers: &[(&str, &str)], body: &str) -> http::Response {
        http::request("POST", &self.url(PATH), headers, body.as_bytes())
    }

    /// POSTs a JSON `body` to `path`, with the signature header `(name, value)` when one is
    /// given: the delivery of every platform's webhook tests, signed, forged or unsigned.
    pub fn post_json(
        &self,
        path: &str,
        signed: Option<(&str, &str)>,
        body: &str,
    ) -> http::Response {
        let mut headers = vec![("Content-Type", "application/json")];
        headers.extend(signed);
        http::request("POST", &self.url(path), &headers, body.as_bytes())
    }

    /// POSTs `body` signed at `t` with the right secret.
    fn post_signed(&self, t: i64, body: &str) -> http::Response {
        let header = signature_header(t, body);
        self.post_json(PATH, Some(("TikTok-Signature", &header)), body)
    }

    fn stderr(&self) -> String {
        let mut text = String::new();
        std::fs::File::open(&self.log)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    /// Stops the server and returns what it wrote on stderr.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.stderr()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn signature_header(t: i64, body: &str) -> String {
    format!("t={t},s={}", sign(&Secret::new(SECRET), t, body.as_bytes()))
}

fn event(name: &str, open_id: &str, content: &str) -> String {
    serde_json::json!({
        "client_key": "aw-client-key",
        "event": name,
        "create_time": now() - 5,
        "user_openid": open_id,
        "content": content,
    })
    .to_string()
}

fn migrated(db: &TestDb) -> Box<dyn Store> {
    let mut store = db.open();
    store.migrate().unwrap();
    store
}

fn connect(store: &mut dyn Store, account: &str, open_id: &str) {
    let at = DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    store
        .upsert(Batch::Connections(&[Connection {
            platform: PlatformId::Tiktok,
            account: account.into(),
            platform_user_id: Some(open_id.into()),
            username: Some(format!("{account}-user")),
            scopes: Some("user.info.basic".into()),
            status: socialcrm::store::model::ConnectionStatus::Active,
            token_expires_at: Some(at),
            secret_ref: Some(format!("socialcrm/tiktok/{account}")),
            connected_at: Some(at),
            last_sync_at: None,
        }]))
        .unwrap();
}

/// (account, subject_id, metric, period, period_start, value) of every webhook analytics row.
fn webhook_analytics(db: &TestDb) -> Vec<(String, String, String, String, String, f64)> {
    let socialcrm::config::DatabaseTarget::Sqlite { path } = &db.target else {
        unreachable!("these tests use SQLite")
    };
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT account, subject_id, metric, period, period_start, value \
             FROM analytics_events WHERE platform = 'tiktok' AND subject_type = 'webhook' ORDER BY id",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get::<_, String>(4)?,
            r.get(5)?,
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

pub fn webhook_audit(store: &mut dyn Store) -> Vec<(Option<String>, Option<String>)> {
    store
        .list_audit(&AuditQuery {
            page: Page {
                limit: 100,
                after: None,
            },
            action: Some("webhook".into()),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|row| (row.entry.account, row.entry.detail))
        .collect()
}

#[test]
fn a_signed_event_is_recorded_and_authorization_removed_revokes_the_connection() {
    let env = TestEnv::new();
    let db = TestDb::sqlite();
    let mut store = migrated(&db);
    connect(store.as_mut(), "main", "open-main");
    connect(store.as_mut(), "other", "open-other");
    let server = Server::start(&env, &db, &[]);

    let removed = event("authorization.removed", "open-main", r#"{"reason":1}"#);
    let reply = server.post_signed(now(), &removed);
    assert_eq!(reply.ok(), serde_json::json!({"ok": true}));

    let status = |store: &mut dyn Store, account: &str| {
        store
            .list_connections()
            .unwrap()
            .into_iter()
            .find(|c| c.connection.account == account)
            .unwrap()
            .connection
            .status
    };
    assert_eq!(status(store.as_mut(), "main"), "revoked");
    assert_eq!(status(store.as_mut(), "other"), "active");

    let published = event(
        "video.publish.completed",
        "open-other",
        r#"{"publish_id":"p_1"}"#,
    );
    assert_eq!(server.post_signed(now() - 10, &published).status, 200);

    let audit = webhook_audit(store.as_mut());
    assert_eq!(
        audit,
        vec![
            (
                Some("main".to_string()),
                Some(
                    "authorization.removed open_id=open-main reason=1 (user disconnected); revoked: main"
                        .to_string()
                )
            ),
            (
                Some("other".to_string()),
                Some("video.publish.completed open_id=open-other".to_string())
            ),
        ]
    );
    let rows = webhook_analytics(&db);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].0, "main");
    assert_eq!(rows[0].1.len(), 64, "subject_id is the body's SHA-256");
    assert_eq!(rows[0].2, "authorization.removed");
    assert_eq!(rows[0].3, "instant");
    assert!(
        rows[0].4.starts_with("2026-11-24T11:59:55"),
        "{}",
        rows[0].4
    );
    assert_eq!(rows[0].5, 1.0);
    assert_eq!(
        (rows[1].0.as_str(), rows[1].2.as_str()),
        ("other", "video.publish.completed")
    );

    // TikTok redelivers at least once, freshly signed: the same event is not recorded twice.
    assert_eq!(server.post_signed(now() - 1, &published).status, 200);
    assert_eq!(webhook_analytics(&db).len(), 2);
    assert_eq!(webhook_audit(store.as_mut()).len(), 2);

    // An event for an open id the CRM does not know is still recorded, with no account.
    let unknown = event("video.upload.failed", "open-stranger", "");
    assert_eq!(server.post_signed(now(), &unknown).status, 200);
    assert_eq!(webhook_analytics(&db)[2].0, "");

    let log = server.stop();
    assert!(!log.contains(SECRET), "the secret reached the log:\n{log}");
}

#[test]
fn forged_stale_replayed_oversized_and_misrouted_requests_are_refused_and_the_server_goes_on() {
    let env = TestEnv::new();
    let db = TestDb::sqlite();
    migrated(&db);
    let server = Server::start(&env, &db, &[]);
    let body = event("video.upload.failed", "open-1", r#"{"publish_id":"p_9"}"#);
    let error = |r: &http::Response| r.json()["error"].as_str().unwrap_or_default().to_string();
    let mut sent_signatures = Vec::new();

    // Wrong signature: signed with another secret, or the body changed after signing.
    let forged = format!(
        "t={},s={}",
        now(),
        sign(&Secret::new("not-the-secret"), now(), body.as_bytes())
    );
    let r = server.post(&[("TikTok-Signature", &forged)], &body);
    assert_eq!(
        (r.status, error(&r).as_str()),
        (401, "signature does not match")
    );
    let signed_other = signature_header(now(), &body.replace("p_9", "p_8"));
    sent_signatures.push(signed_other.clone());
    assert_eq!(
        server
            .post(&[("TikTok-Signature", &signed_other)], &body)
            .status,
        401
    );

    // Missing and malformed headers.
    let r = server.post(&[], &body);
    assert_eq!(
        (r.status, error(&r).as_str()),
        (401, "missing TikTok-Signature header")
    );
    for bad in ["", "sha256=abc", "t=abc,s=00", &format!("t={}", now())] {
        let r = server.post(&[("TikTok-Signature", bad)], &body);
        assert_eq!(r.status, 400, "{bad:?}: {}", r.body);
        assert!(
            error(&r).starts_with("malformed TikTok-Signature header"),
            "{}",
            r.body
        );
    }

    // Stale and future timestamps, correctly signed.
    for t in [now() - 301, now() + 301, 0] {
        let r = server.post_signed(t, &body);
        assert_eq!(
            (r.status, error(&r).as_str()),
            (401, "timestamp is more than 300 s away from now")
        );
    }

    // Accepted once; the exact same request again is a replay.
    let header = signature_header(now() - 3, &body);
    sent_signatures.push(header.clone());
    let r = server.post(&[("TikTok-Signature", &header)], &body);
    assert_eq!(r.status, 200, "{}", r.body);
    let r = server.post(&[("TikTok-Signature", &header)], &body);
    assert_eq!((r.status, error(&r).as_str()), (401, "replayed request"));

    // Bodies over 1 MiB: declared (without sending them), absurdly declared, and actually sent.
    let sig = signature_header(now(), "{}");
    let head = |length: &str| {
        format!(
            "POST {PATH} HTTP/1.1\r\nHost: x\r\nTikTok-Signature: {sig}\r\nContent-Length: {length}\r\n\r\n"
        )
    };
    let (status, answer) = raw(
        &server.addr,
        format!("{}{{}}", head("1048577")).into_bytes(),
    );
    assert_eq!(
        (status, answer.as_str()),
        (413, r#"{"error":"body too large"}"#)
    );
    let (status, _) = raw(&server.addr, head("99999999999999999999999").into_bytes());
    assert_eq!(status, 413);
    let mut big = head("1048577").into_bytes();
    big.extend(std::iter::repeat_n(b'x', 1_048_577));
    assert_eq!(raw(&server.addr, big).0, 413);
    // Exactly 1 MiB is read (and, not being an event, refused after the signature check).
    let fill = "x".repeat(1_048_576 - 2);
    let exact = format!("\"{fill}\"");
    let r = server.post_signed(now(), &exact);
    assert_eq!(r.status, 400, "{}", r.body);

    // Wrong path, wrong method, unparseable requests, oversized heads, no length.
    assert_eq!(http::get(&server.url("/webhooks/other")).status, 404);
    assert_eq!(
        http::request("POST", &server.url("/"), &[], b"{}").status,
        404
    );
    let r = http::get(&server.url(PATH));
    assert_eq!((r.status, r.header("allow")), (405, Some("POST")));
    assert_eq!(
        http::request("PUT", &server.url(PATH), &[], b"{}").status,
        405
    );
    assert_eq!(
        raw(&server.addr, b"\x16\x03\x01 garbage\r\n\r\n".to_vec()).0,
        400
    );
    let huge_header = format!(
        "POST {PATH} HTTP/1.1\r\nHost: x\r\nX-Pad: {}\r\nContent-Length: 2\r\n\r\n{{}}",
        "a".repeat(20_000)
    );
    assert_eq!(raw(&server.addr, huge_header.into_bytes()).0, 431);
    let many = (0..100)
        .map(|i| format!("X-{i}: y\r\n"))
        .collect::<String>();
    let many_headers = format!("POST {PATH} HTTP/1.1\r\n{many}Content-Length: 2\r\n\r\n{{}}");
    assert_eq!(raw(&server.addr, many_headers.into_bytes()).0, 431);
    let chunked = format!(
        "POST {PATH} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{{}}\r\n0\r\n\r\n"
    );
    assert_eq!(raw(&server.addr, chunked.into_bytes()).0, 411);
    // A client that connects and says nothing does not hold the server up.
    let idle = std::net::TcpStream::connect(&server.addr).unwrap();

    // Still answering, and only the one accepted event reached the database.
    let later = event(
        "video.publish.completed",
        "open-1",
        r#"{"publish_id":"p_10"}"#,
    );
    let header = signature_header(now(), &later);
    sent_signatures.push(header.clone());
    let r = server.post(&[("TikTok-Signature", &header)], &later);
    assert_eq!(r.status, 200, "{}", r.body);
    drop(idle);
    let rows = webhook_analytics(&db);
    assert_eq!(
        rows.iter().map(|r| r.2.as_str()).collect::<Vec<_>>(),
        ["video.upload.failed", "video.publish.completed"]
    );

    // One line per request, with its status; never the secret or a signature, even at -vv.
    let log = server.stop();
    assert!(!log.contains(SECRET), "the secret reached the log:\n{log}");
    for header in &sent_signatures {
        let hex = header.split("s=").nth(1).unwrap();
        assert!(!log.contains(hex), "a signature reached the log:\n{log}");
    }
    assert!(!log.contains("p_9"), "a body reached the log:\n{log}");
    for status in [200, 400, 401, 404, 405, 411, 413, 431] {
        assert!(
            log.contains(&format!("status={status}")),
            "no log line for {status}:\n{log}"
        );
    }
}

#[test]
fn a_flood_above_the_rate_gets_429_and_is_not_recorded() {
    let env = TestEnv::new();
    let db = TestDb::sqlite();
    migrated(&db);
    let server = Server::start(&env, &db, &["--rate", "5"]);
    let statuses: Vec<u16> = (0..12)
        .map(|i| {
            let body = event(
                "video.publish.completed",
                "open-1",
                &format!("{{\"n\":{i}}}"),
            );
            server.post_signed(now(), &body).status
        })
        .collect();
    assert!(statuses.contains(&429), "{statuses:?}");
    let accepted = statuses.iter().filter(|s| **s == 200).count();
    assert!((5..12).contains(&accepted), "{statuses:?}");
    assert_eq!(webhook_analytics(&db).len(), accepted);

    // A second later the bucket has refilled.
    std::thread::sleep(Duration::from_millis(1100));
    let body = event("video.publish.completed", "open-1", r#"{"n":"after"}"#);
    assert_eq!(server.post_signed(now(), &body).status, 200);
}

#[test]
fn serving_without_a_client_secret_is_a_configuration_error() {
    let env = TestEnv::new();
    let db = TestDb::sqlite();
    let run = env.on(&db, &["webhooks", "serve", "--bind", "127.0.0.1:0"]);
    run.error_naming(5, &["TIKTOK_CLIENT_SECRET"]);
}

/// A TCP connection to `addr` from the loopback address `from` (127.0.0.0/8 is all local on
/// Linux), so one test can be two peers.
fn connect_from(from: &str, addr: &str) -> std::io::Result<std::net::TcpStream> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    let local: std::net::SocketAddr = format!("{from}:0").parse().unwrap();
    socket.bind(&local.into())?;
    let remote: std::net::SocketAddr = addr.parse().unwrap();
    socket.connect(&remote.into())?;
    Ok(socket.into())
}

/// Sends one forged delivery from `from`; the status, or 0 when the connection failed.
fn forged_from(from: &str, addr: &str) -> u16 {
    use std::io::Write;
    let Ok(mut s) = connect_from(from, addr) else {
        return 0;
    };
    let body = r#"{"event":"forged"}"#;
    let head = format!(
        "POST {PATH} HTTP/1.1\r\nHost: x\r\nTikTok-Signature: t={},s={}\r\nContent-Length: {}\r\n\r\n{body}",
        now(),
        "0".repeat(64),
        body.len()
    );
    let _ = s.set_read_timeout(Some(Duration::from_secs(15)));
    if s.write_all(head.as_bytes()).is_err() {
        return 0;
    }
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// Regression: the rate limit and the connection cap were global, so one client starved the
/// platforms (a flood of forged requests let a third of valid deliveries through, a
/// reconnecting slowloris 14%). Limits are per peer address now: while 127.0.0.2 floods with
/// forged requests, then holds every connection it can, at least 95% of the deliveries from
/// 127.0.0.1 get through. Counts only, no timing assumption: each phase waits until the flood
/// is refused (it has reached its limit) before delivering.
#[test]
fn a_flood_from_one_address_leaves_deliveries_from_others_through() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let env = TestEnv::new();
    let db = TestDb::sqlite();
    migrated(&db);
    let server = Server::start(&env, &db, &["--rate", "50"]);
    let addr = server.addr.clone();
    let wait_for = |what: &str, done: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !done() {
            assert!(Instant::now() < deadline, "the flood never reached {what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    let mut delivered = 0;
    let mut deliver = |phase: &str| {
        let statuses: Vec<u16> = (0..20)
            .map(|i| {
                let body = event(
                    "video.publish.completed",
                    "open-1",
                    &format!("{{\"phase\":\"{phase}\",\"n\":{i}}}"),
                );
                server.post_signed(now(), &body).status
            })
            .collect();
        let ok = statuses.iter().filter(|s| **s == 200).count();
        assert!(ok >= 19, "{phase}: {ok}/20 delivered: {statuses:?}");
        delivered += ok;
    };

    // Phase 1: forged requests from 127.0.0.2, as fast as two threads can send them.
    let stop = Arc::new(AtomicBool::new(false));
    let limited = Arc::new(AtomicUsize::new(0));
    let flood: Vec<_> = (0..2)
        .map(|_| {
            let (stop, limited, addr) = (stop.clone(), limited.clone(), addr.clone());
            std::thread::spawn(move || {
                let mut accepted = 0;
                while !stop.load(Ordering::SeqCst) {
                    match forged_from("127.0.0.2", &addr) {
                        429 | 503 => {
                            limited.fetch_add(1, Ordering::SeqCst);
                        }
                        200 => accepted += 1,
                        _ => {}
                    }
                }
                accepted
            })
        })
        .collect();
    wait_for("the rate limit", &|| limited.load(Ordering::SeqCst) > 0);
    deliver("rate");
    stop.store(true, Ordering::SeqCst);
    for t in flood {
        assert_eq!(t.join().unwrap(), 0, "a forged request was accepted");
    }

    // Phase 2: 127.0.0.2 opens and holds connections (a partial head each), reconnecting
    // whenever one is refused or closed.
    let stop = Arc::new(AtomicBool::new(false));
    let refused = Arc::new(AtomicUsize::new(0));
    let slowloris = {
        let (stop, refused, addr) = (stop.clone(), refused.clone(), addr.clone());
        std::thread::spawn(move || {
            use std::io::Write;
            let mut open: Vec<std::net::TcpStream> = Vec::new();
            let mut buf = [0u8; 512];
            while !stop.load(Ordering::SeqCst) {
                if open.len() < 100
                    && let Ok(mut s) = connect_from("127.0.0.2", &addr)
                {
                    let _ = s.write_all(format!("POST {PATH} HTTP/1.1\r\nHost: x\r\n").as_bytes());
                    let _ = s.set_nonblocking(true);
                    open.push(s);
                }
                // A breath per round, so the refused reconnects do not take a core.
                std::thread::sleep(Duration::from_millis(1));
                open.retain_mut(|s| match s.read(&mut buf) {
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => true,
                    _ => {
                        refused.fetch_add(1, Ordering::SeqCst);
                        false
                    }
                });
            }
        })
    };
    wait_for("the connection cap", &|| refused.load(Ordering::SeqCst) > 0);
    deliver("connections");
    stop.store(true, Ordering::SeqCst);
    slowloris.join().unwrap();

    assert_eq!(webhook_analytics(&db).len(), delivered);
    server.stop();
}

/// With `--trust-proxy` every connection comes from the proxy, and the client is the right-most
/// X-Forwarded-For address: one client spending its rate leaves another's untouched, and a
/// forged left-most entry does not move a client into another's bucket.
#[test]
fn behind_a_trusted_proxy_the_rate_is_per_forwarded_client() {
    let env = TestEnv::new();
    let db = TestDb::sqlite();
    migrated(&db);
    let server = Server::start(&env, &db, &["--rate", "1", "--trust-proxy"]);
    let send = |i: usize, forwarded: &str| {
        let body = event(
            "video.publish.completed",
            "open-1",
            &format!("{{\"n\":{i}}}"),
        );
        let header = signature_header(now(), &body);
        server
            .post(
                &[
                    ("TikTok-Signature", &header),
                    ("X-Forwarded-For", forwarded),
                ],
                &body,
            )
            .status
    };
    // One client (whatever it puts left of the proxy's entry) until it is limited.
    let limited = (0..1000).find(|&i| send(i, &format!("10.9.9.{}, 203.0.113.5", i % 200)) == 429);
    assert!(limited.is_some(), "the client was never limited");
    // Its bucket is spent; the others' are full.
    assert_eq!(
        send(2000, "203.0.113.5, 198.51.100.2"),
        200,
        "another client"
    );
    assert_eq!(send(2001, "203.0.113.6"), 200, "another client");
}
