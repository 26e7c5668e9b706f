//! Submitting a link or text post to a subreddit (`POST /api/submit`, scope `submit`).
//!
//! The form carries `api_type=json`, which makes Reddit answer
//! `{"json":{"errors":[],"data":{"url","id","name"}}}`, and report a refusal with HTTP 200 as
//! `{"json":{"errors":[["CODE","message","field"],...]}}` (a missing subreddit, a rule of the
//! community, a required flair, `RATELIMIT` with "try again in 9 minutes"): such an answer is a
//! [`Refused`], not a success, and each of its entries is told. A flair given by its text is
//! looked up among the community's link flair templates (`GET /r/{sr}/api/link_flair_v2`,
//! scope `flair`), since communities that require flair want a template id.

use serde_json::Value as Json;

use super::api::{Api, text};
use crate::config::PlatformConfig;
use crate::vocab::PlatformError;
use crate::vocab::Secret;

const SUBMIT: &str = "https://oauth.reddit.com/api/submit";
/// Reddit's longest title.
pub const MAX_TITLE: usize = 300;

/// What a post says besides its title.
pub enum Body {
    /// A link post: the URL.
    Link(String),
    /// A self post: its markdown text.
    Text(String),
}

/// One post for `post reddit`, as the flags gave it.
pub struct Submission {
    /// The community, without `r/`.
    pub subreddit: String,
    /// At most [`MAX_TITLE`] characters.
    pub title: String,
    /// A link or a text.
    pub body: Body,
    /// The flair template some communities require (`--flair-id`).
    pub flair_id: Option<String>,
    /// The flair's text (`--flair`).
    pub flair_text: Option<String>,
    /// Marked NSFW.
    pub nsfw: bool,
    /// Marked as a spoiler.
    pub spoiler: bool,
}

/// The post Reddit created.
#[derive(Debug, Clone, PartialEq)]
pub struct Submitted {
    /// The fullname (`t3_...`), the id sync stores the post under.
    pub name: String,
    /// The post's address on reddit.com.
    pub url: String,
}

/// One entry of Reddit's error list.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// Reddit's error code (`RATELIMIT`, `SUBREDDIT_NOEXIST`, ...); `ERROR` when it gave none.
    pub code: String,
    /// Reddit's explanation, as it wrote it.
    pub message: String,
    /// The form field it is about, if any.
    pub field: Option<String>,
}

/// Reddit turned the post down: its error list, never empty.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.errors.iter().map(|e| {
    let field = e.field.as_deref().map(|f| format!(" (field {f})")).unwrap_or_default();
    format!("{}: {}{field}", e.code, e.message)
}).collect::<Vec<_>>().join("; "))]
pub struct Refused {
    /// Every error Reddit listed.
    pub errors: Vec<ApiError>,
}

impl Refused {
    /// How long Reddit asks to wait ("9 minutes") when it refused for posting too often.
    pub fn wait(&self) -> Option<String> {
        let limited = self.errors.iter().find(|e| e.code == "RATELIMIT")?;
        let after = limited.message.split("try again in ").nth(1)?;
        Some(after.trim_end_matches('.').trim().to_string()).filter(|w| !w.is_empty())
    }

    /// What to do about the refusal, read from Reddit's error codes here so that `post` never
    /// names them: wait when posting too often, pick a flair the community requires, check
    /// the community's name.
    pub fn hint(&self) -> Option<String> {
        let codes: Vec<&str> = self.errors.iter().map(|e| e.code.as_str()).collect();
        if let Some(wait) = self.wait() {
            Some(format!("wait {wait}, then run the same command again"))
        } else if codes.iter().any(|c| c.contains("FLAIR")) {
            Some("pick a flair with --flair TEXT or --flair-id ID".into())
        } else if codes.contains(&"SUBREDDIT_NOEXIST") {
            Some("check the community's name".into())
        } else {
            None
        }
    }
}

/// Reads `json.errors`: `[[code, message, field], ...]` with any of them possibly missing.
fn errors(body: &Json) -> Vec<ApiError> {
    let Some(list) = body.pointer("/json/errors").and_then(Json::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(Json::as_array)
        .map(|entry| {
            let at = |i: usize| {
                entry
                    .get(i)
                    .and_then(Json::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            };
            ApiError {
                code: at(0).unwrap_or_else(|| "ERROR".into()),
                message: at(1).unwrap_or_default(),
                field: at(2),
            }
        })
        .collect()
}

/// Sends `post reddit`'s submissions through the paced API client.
pub struct Poster {
    api: Api,
}

impl Poster {
    /// Calls routed by `config`'s base URL like every Reddit call.
    pub fn new(config: &PlatformConfig) -> Poster {
        Poster {
            api: Api::new(config),
        }
    }

    /// Sends the post once. The outer error is the call failing (network, token, HTTP status);
    /// the inner one Reddit's verdict on the post.
    pub fn submit(
        &self,
        token: &Secret,
        username: Option<&str>,
        post: &Submission,
    ) -> Result<Result<Submitted, Refused>, PlatformError> {
        let yes_no = |b: bool| if b { "true" } else { "false" };
        let mut form = vec![
            ("api_type", "json"),
            ("sr", post.subreddit.as_str()),
            ("title", post.title.as_str()),
            ("nsfw", yes_no(post.nsfw)),
            ("spoiler", yes_no(post.spoiler)),
            ("sendreplies", "true"),
        ];
        match &post.body {
            Body::Link(url) => form.extend([("kind", "link"), ("url", url.as_str())]),
            Body::Text(text) => form.extend([("kind", "self"), ("text", text.as_str())]),
        }
        if let Some(id) = &post.flair_id {
            form.push(("flair_id", id));
        }
        if let Some(text) = &post.flair_text {
            form.push(("flair_text", text));
        }
        let body = self
            .api
            .post(token, self.api.url(SUBMIT), username, &form)?;
        let errors = errors(&body);
        if !errors.is_empty() {
            return Ok(Err(Refused { errors }));
        }
        let data = body.pointer("/json/data").cloned().unwrap_or(Json::Null);
        match (text(&data, "name"), text(&data, "url")) {
            (Some(name), Some(url)) => Ok(Ok(Submitted { name, url })),
            _ => Err(crate::platforms::kit::answered_without(
                crate::vocab::PlatformId::Reddit,
                "the submit answer names no post",
            )),
        }
    }

    /// The id of the community's link flair whose text is `wanted` (case and spaces aside), or
    /// the texts there are when none matches.
    pub fn flair_id(
        &self,
        token: &Secret,
        username: Option<&str>,
        subreddit: &str,
        wanted: &str,
    ) -> Result<Result<String, Vec<String>>, PlatformError> {
        let url = self.api.url(&format!(
            "https://oauth.reddit.com/r/{subreddit}/api/link_flair_v2"
        ));
        let templates = self.api.get(token, url, username)?;
        let templates = templates.as_array().cloned().unwrap_or_default();
        let norm = |s: &str| s.trim().to_lowercase();
        let found = templates
            .iter()
            .find(|t| text(t, "text").is_some_and(|t| norm(&t) == norm(wanted)))
            .and_then(|t| text(t, "id"));
        Ok(found.ok_or_else(|| templates.iter().filter_map(|t| text(t, "text")).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_error_list_is_one_line_and_a_rate_limit_tells_the_wait() {
        let body = json!({"json": {"errors": [
            ["SUBREDDIT_NOEXIST", "that subreddit doesn't exist", "sr"],
            ["RATELIMIT", "you are doing that too much. try again in 9 minutes.", "ratelimit"]
        ]}});
        let refused = Refused {
            errors: errors(&body),
        };
        assert_eq!(
            refused.to_string(),
            "SUBREDDIT_NOEXIST: that subreddit doesn't exist (field sr); RATELIMIT: you are doing that too much. try again in 9 minutes. (field ratelimit)"
        );
        assert_eq!(refused.wait().as_deref(), Some("9 minutes"));
        assert!(errors(&json!({"json": {"errors": []}})).is_empty());
        let odd = errors(&json!({"json": {"errors": [["NO_TEXT"]]}}));
        assert_eq!(odd[0].field, None);
    }
}
