//! A blocking HTTP client for loopback test servers (the fakes, `webhooks serve`, the OAuth
//! listener): reqwest's, without redirects or kept connections, so that every request is
//! one connection and a 302 is an answer to look at, not to follow.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::LazyLock;
use std::time::Duration;

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

    /// The JSON body of a 200 (asserted, the body shown when not).
    pub fn ok(&self) -> serde_json::Value {
        assert_eq!(self.status, 200, "{}", self.body);
        self.json()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}), status {}: {}", self.status, self.body))
    }
}

static CLIENT: LazyLock<reqwest::blocking::Client> = LazyLock::new(|| {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
});

/// Sends one request; `url` must be `http://HOST:PORT/...`. Never follows redirects.
pub fn request(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
    assert!(url.starts_with("http://"), "plain HTTP only: {url}");
    let mut req = CLIENT
        .request(method.parse().unwrap(), url)
        .body(body.to_vec());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let answer = req.send().unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = answer.status().as_u16();
    let headers = answer
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    let body = answer.text().expect("a UTF-8 body");
    Response {
        status,
        headers,
        body,
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
