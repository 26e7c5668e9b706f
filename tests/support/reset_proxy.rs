//! A TCP proxy in front of a fake platform that can reset a connection in the middle of a
//! response body: the client gets the status line, the headers and half of the body, then a
//! TCP RST (SO_LINGER 0), which is what a crashed load balancer or a dropped NAT entry looks
//! like. tiny_http never hands out its sockets, so the reset is made here, between the two.
//!
//! HTTP/1.1 with `Content-Length` bodies only (what the fakes send); one upstream connection
//! per client connection, requests forwarded in order.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

pub struct ResetProxy {
    addr: SocketAddr,
    resets_left: Arc<AtomicU32>,
    stopped: Arc<AtomicBool>,
}

impl ResetProxy {
    /// A proxy on 127.0.0.1 forwarding to the fake at `upstream` (`http://127.0.0.1:PORT`).
    pub fn start(upstream: &str) -> ResetProxy {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("an http://127.0.0.1:PORT origin");
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let resets_left = Arc::new(AtomicU32::new(0));
        let stopped = Arc::new(AtomicBool::new(false));
        let (resets, stop) = (resets_left.clone(), stopped.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let resets = resets.clone();
                std::thread::spawn(move || {
                    let _ = serve(client, upstream, &resets);
                });
            }
        });
        ResetProxy {
            addr,
            resets_left,
            stopped,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The next `n` successful responses with a body are reset half way through it.
    pub fn reset_next_responses(&self, n: u32) {
        self.resets_left.fetch_add(n, Ordering::SeqCst);
    }

    /// Resets still to be made.
    pub fn resets_left(&self) -> u32 {
        self.resets_left.load(Ordering::SeqCst)
    }
}

impl Drop for ResetProxy {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wakes the accept loop so it sees the flag
    }
}

/// One HTTP message: the head as received (through the blank line) and its body.
struct Message {
    head: Vec<u8>,
    body: Vec<u8>,
}

impl Message {
    fn status(&self) -> u16 {
        String::from_utf8_lossy(&self.head)
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }
}

/// Reads one message with a `Content-Length` body; `None` at a clean end of the stream.
fn read_message(reader: &mut impl BufRead) -> std::io::Result<Option<Message>> {
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line).to_ascii_lowercase();
        if let Some(value) = text.strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        head.extend_from_slice(&line);
        if line == b"\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Some(Message { head, body }))
}

fn serve(client: TcpStream, upstream: SocketAddr, resets: &AtomicU32) -> std::io::Result<()> {
    let server = TcpStream::connect(upstream)?;
    server.set_nodelay(true)?;
    client.set_nodelay(true)?;
    let mut from_client = BufReader::new(client.try_clone()?);
    let mut from_server = BufReader::new(server.try_clone()?);
    let (mut to_client, mut to_server) = (client, server);
    while let Some(request) = read_message(&mut from_client)? {
        to_server.write_all(&request.head)?;
        to_server.write_all(&request.body)?;
        let Some(response) = read_message(&mut from_server)? else {
            return Ok(());
        };
        let reset = response.status() == 200
            && response.body.len() > 64
            && resets
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
        to_client.write_all(&response.head)?;
        if reset {
            to_client.write_all(&response.body[..response.body.len() / 2])?;
            to_client.flush()?;
            reset_connection(&to_client);
            return Ok(());
        }
        to_client.write_all(&response.body)?;
    }
    Ok(())
}

/// Closes with SO_LINGER 0: the kernel sends RST instead of FIN and drops unsent data.
fn reset_connection(stream: &TcpStream) {
    // The reset goes out when `serve` returns and the socket's last handle is dropped.
    let _ = socket2::SockRef::from(stream).set_linger(Some(std::time::Duration::ZERO));
}
