//! The fake Instagram's publishing flow for a reel from a local file (Meta's resumable upload):
//!
//! - `POST /v24.0/me/media` (form: `media_type=REELS`, `upload_type=resumable`, `caption`):
//!   a container `{"id","uri"}`, `uri` on rupload.facebook.com.
//! - `POST /ig-api-upload/v24.0/{container}` with `Authorization: OAuth <token>`, `offset` and
//!   `file_size` headers and the bytes as the body: the fake puts them at `offset` and answers
//!   `{"success":true,"message":"Upload successful."}`.
//! - `GET /v24.0/{container}?fields=status_code,status`: `IN_PROGRESS` for the first
//!   [`FakeInstagram::polls_before_finished`] polls after the bytes are complete, then
//!   `FINISHED` only when the reassembled bytes are `file_size` long (else `ERROR`).
//! - `POST /v24.0/me/media_publish` (form: `creation_id`): the new media id; code 9007 while
//!   the container is not `FINISHED`.
//! - `GET /v24.0/{media}?fields=permalink`: the reel's permalink.

use std::sync::Mutex;

use super::{FakeInstagram, State, USER_ID, VERSION, graph_error, no_permission};
pub use crate::support::server::sha256;
use crate::support::server::{RecordedRequest, Reply, header, knobs, reply};

#[derive(Default)]
pub struct Publishing {
    containers: Vec<Container>,
    /// Polls answered IN_PROGRESS before FINISHED.
    polls_before_finished: u32,
    /// The next container ends in this status (`ERROR`, `EXPIRED`).
    fail_with: Option<String>,
    published: Vec<(String, String)>,
    /// Run once, when an upload's body has been received.
    on_upload: Option<Box<dyn FnOnce() + Send>>,
}

#[derive(Clone)]
pub struct Container {
    pub id: String,
    pub caption: String,
    pub file_size: Option<u64>,
    pub bytes: Vec<u8>,
    pub polls: u32,
    pub fail_with: Option<String>,
}

knobs! { for FakeInstagram;
    polls_before_finished(n: u32) => |st| st.pub_state.polls_before_finished = n;
    /// Runs `action` (say, replacing the file being uploaded) once an upload's body is in.
    on_upload(action: impl FnOnce() + Send + 'static) =>
        |st| st.pub_state.on_upload = Some(Box::new(action));
    /// The next container ends in `status` (`ERROR`, `EXPIRED`) instead of `FINISHED`.
    fail_next_container(status: &str) => |st| st.pub_state.fail_with = Some(status.into());
    containers() -> Vec<Container> => |st| st.pub_state.containers.clone();
    /// (media id, container id) of every publish.
    published() -> Vec<(String, String)> => |st| st.pub_state.published.clone();
}

/// Routes the publishing calls on graph.instagram.com; `None` for every other request.
pub(super) fn route(st: &mut State, req: &RecordedRequest) -> Option<Reply> {
    let path = req.path.strip_prefix(&format!("/{VERSION}/"))?;
    let container = st.pub_state.containers.iter().position(|c| c.id == path);
    let media = st.pub_state.published.iter().position(|p| p.0 == path);
    let ours = matches!(
        (req.method.as_str(), path),
        ("POST", "me/media" | "me/media_publish")
    ) || container.is_some()
        || media.is_some();
    if !ours {
        return None;
    }
    let Some(token) = st.auth.live_bearer(req) else {
        return Some(graph_error(400, 190, "Error validating access token"));
    };
    if !token.has_scope("instagram_business_content_publish") {
        return Some(no_permission(403));
    }
    let f = |name| req.form_field(name).unwrap_or("");
    let p = &mut st.pub_state;
    Some(match (req.method.as_str(), path) {
        ("POST", "me/media") => {
            if f("media_type") != "REELS" || f("upload_type") != "resumable" {
                return Some(graph_error(
                    400,
                    100,
                    "(#100) media_type=REELS and upload_type=resumable are expected",
                ));
            }
            let id = format!("1790{}", p.containers.len() + 1);
            p.containers.push(Container {
                id: id.clone(),
                caption: f("caption").to_string(),
                file_size: None,
                bytes: Vec::new(),
                polls: 0,
                fail_with: p.fail_with.take(),
            });
            reply!(200, {"id": id, "uri": format!("https://rupload.facebook.com/ig-api-upload/{VERSION}/{id}")})
        }
        ("POST", "me/media_publish") => {
            let Some(c) = p.containers.iter().find(|c| c.id == f("creation_id")) else {
                return Some(graph_error(400, 100, "(#100) creation_id is invalid"));
            };
            if status(c, p.polls_before_finished).0 != "FINISHED" {
                return Some(graph_error(400, 9007, "(#9007) Media ID is not available"));
            }
            let media = format!("1801{}", p.published.len() + 1);
            p.published.push((media.clone(), c.id.clone()));
            reply!(200, {"id": media})
        }
        ("GET", _) if container.is_some() => {
            let c = &mut p.containers[container.unwrap()];
            let (code, text) = status(c, p.polls_before_finished);
            if c.file_size.is_some_and(|n| n == c.bytes.len() as u64) {
                c.polls += 1;
            }
            reply!(200, {"status_code": code, "status": text, "id": c.id})
        }
        ("GET", _) => {
            let id = &p.published[media.unwrap()].0;
            reply!(200, {"id": id, "permalink": format!("https://www.instagram.com/reel/{id}/"), "owner": {"id": USER_ID}})
        }
        _ => graph_error(400, 100, "Unsupported request - method type or path"),
    })
}

fn status(c: &Container, polls_before: u32) -> (&'static str, String) {
    let complete = c
        .file_size
        .is_some_and(|n| n > 0 && n == c.bytes.len() as u64);
    match (&c.fail_with, complete) {
        (_, false) => ("IN_PROGRESS", "Waiting for the upload".into()),
        (Some(s), true) if s == "EXPIRED" => (
            "EXPIRED",
            "The container was not published within 24 hours".into(),
        ),
        (Some(_), true) => (
            "ERROR",
            "Error: the video could not be processed (2207026)".into(),
        ),
        (None, true) if c.polls < polls_before => ("IN_PROGRESS", "Processing".into()),
        (None, true) => ("FINISHED", "Finished: ready to publish".into()),
    }
}

/// An upload to rupload.facebook.com: the bytes go into the container at `offset`.
pub(super) fn receive(
    state: &Mutex<State>,
    request: &mut tiny_http::Request,
) -> (RecordedRequest, Reply) {
    let mut recorded = RecordedRequest::head(request);
    let header = |name: &str| header(request, name);
    let offset = header("offset").and_then(|v| v.parse::<usize>().ok());
    let file_size = header("file_size").and_then(|v| v.parse::<u64>().ok());
    let mut body = Vec::new();
    let read = request.as_reader().read_to_end(&mut body);
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(action) = st.pub_state.on_upload.take() {
        action();
    }
    let token = recorded
        .authorization
        .as_deref()
        .and_then(|h| h.strip_prefix("OAuth "))
        .unwrap_or("")
        .to_string();
    let id = recorded.path.rsplit('/').next().unwrap_or("").to_string();
    let reply = if st.auth.live(&token).is_none() {
        graph_error(400, 190, "Error validating access token")
    } else if read.is_err() || recorded.method != "POST" {
        graph_error(400, 100, "The upload was interrupted")
    } else if let (Some(offset), Some(size)) = (offset, file_size) {
        match st.pub_state.containers.iter_mut().find(|c| c.id == id) {
            Some(c) if offset <= c.bytes.len() => {
                c.bytes.truncate(offset);
                c.bytes.extend_from_slice(&body);
                c.file_size = Some(size);
                reply!(200, {"success": true, "message": "Upload successful."})
            }
            Some(_) => graph_error(400, 100, "offset is beyond the bytes received"),
            None => graph_error(400, 100, "Unknown container"),
        }
    } else {
        graph_error(400, 100, "offset and file_size headers are required")
    };
    recorded.body = format!("<{} bytes>", body.len());
    (recorded, reply)
}
