//! Reddit through the binary against the fake Reddit: connect (Basic client auth, a permanent
//! grant, the exact redirect URI), refresh, listings paged by `after`, the inbox into fans and
//! messages, the rate-limit window, the User-Agent, `post reddit`, and revoke on disconnect.

use std::time::Duration;

use crate::connect::assert_not_leaked;
use crate::support::both_backends;
use crate::support::fake_reddit::{
    self, AUTHORIZE_PATH, CLIENT_ID, CLIENT_SECRET, FLAIRS, FakeReddit, INBOX_PATH, ME_PATH,
    REVOKE_PATH, SENT_PATH, SUBMIT_PATH, TOKEN_PATH, USERNAME, agent_is_descriptive,
};
use crate::support::fake_tiktok::FakeBrowser;
use crate::support::{TestDb, array, assert_contains, stream, texts, world};

/// A text post to r/test, for tests of what Reddit says about posting.
const TEXT_POST: [&str; 8] = [
    "post",
    "reddit",
    "--subreddit",
    "test",
    "--title",
    "x",
    "--text",
    "y",
];

/// A private world with a fake Reddit whose app is registered with this world's redirect URI.
type World = world::World<fake_reddit::State>;

impl World {
    /// An installed app (no secret) on SQLite.
    fn installed() -> World {
        World::new(TestDb::sqlite(), None)
    }

    fn new(db: TestDb, secret: Option<&'static str>) -> World {
        let redirect = world::loopback_redirect();
        let fake = match secret {
            Some(_) => FakeReddit::start(&redirect),
            None => FakeReddit::installed(&redirect),
        };
        let mut vars = vec![
            ("REDDIT_CLIENT_ID", CLIENT_ID),
            ("REDDIT_REDIRECT_URI", &redirect),
        ];
        if let Some(secret) = secret {
            vars.push(("REDDIT_CLIENT_SECRET", secret));
        }
        World::start("reddit", db, redirect.clone(), fake, &vars)
    }

    /// No token or client secret in any output, file of the world, or URL the fake saw.
    fn assert_no_leaks(&self) {
        let mut values = self.fake.issued_tokens();
        values.push(CLIENT_SECRET.to_string());
        assert_not_leaked(&values, &self.runs, &self.env.data_home());
        assert!(
            !self
                .fake
                .requests()
                .iter()
                .any(|r| values.iter().any(|v| r.url_contains(v))),
            "a token or secret went into a URL"
        );
    }

    /// Every request the binary sent (all but the browser's authorize page) described the app
    /// as Reddit asks.
    fn assert_user_agents(&self) {
        let requests = self.fake.requests();
        let ours: Vec<_> = requests
            .iter()
            .filter(|r| r.path != AUTHORIZE_PATH)
            .collect();
        assert!(!ours.is_empty());
        for r in ours {
            let agent = r.user_agent.as_deref().unwrap_or("");
            assert!(
                agent_is_descriptive(agent),
                "{} {} sent User-Agent {agent:?}",
                r.method,
                r.path
            );
        }
    }
}

/// An installed app's world with `submissions` posts and these accounts connected.
fn connected(submissions: usize, accounts: &[&str]) -> World {
    let mut w = World::installed();
    w.fake.set_submissions(submissions);
    for account in accounts {
        w.connect(&["--account", account]);
    }
    w
}

/// The `Authorization` header of HTTP Basic with `id:secret`.
fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", crate::support::oauth::basic(id, secret))
}

#[test]
fn an_installed_app_connects_with_basic_auth_and_an_empty_secret_and_disconnect_revokes() {
    let mut w = World::installed();
    let who = w.connect(&["--account", "default"]);
    assert_eq!(who["username"], USERNAME);
    assert_eq!(who["platform_user_id"], "t2_fk4ke1d");
    assert!(array(&who["scopes"]).iter().any(|s| s == "submit"));

    let authorize = &w.fake.requests_to(AUTHORIZE_PATH)[0];
    assert_eq!(authorize.query_param("duration"), Some("permanent"));
    assert_eq!(
        authorize.query_param("redirect_uri"),
        Some(w.redirect.as_str())
    );
    assert_eq!(
        authorize.query_param("scope"),
        Some("identity read history privatemessages submit flair"),
        "space-separated"
    );
    assert!(authorize.query_param("code_challenge").is_none(), "no PKCE");
    let exchange = &w.fake.requests_to(TOKEN_PATH)[0];
    assert_eq!(
        exchange.form_field("grant_type"),
        Some("authorization_code")
    );
    assert_eq!(
        exchange.authorization.as_deref(),
        Some(basic(CLIENT_ID, "").as_str()),
        "client id and an empty password"
    );
    assert_eq!(
        exchange.form_field("redirect_uri"),
        Some(w.redirect.as_str())
    );
    assert!(exchange.form_field("client_secret").is_none());

    let accounts = w.run(&["-o", "json", "accounts", "--check"]);
    assert_eq!(accounts.code, 0, "{}", accounts.stderr);
    assert_eq!(accounts.json()[0]["status"], "active");

    let gone = w.run(&["-o", "json", "disconnect", "reddit"]);
    assert_eq!(gone.code, 0, "{}", gone.stderr);
    assert_eq!(gone.json()[0]["status"], "revoked");
    let revoke = w.fake.requests_to(REVOKE_PATH);
    assert_eq!(revoke.len(), 1);
    assert_eq!(
        revoke[0].authorization.as_deref(),
        Some(basic(CLIENT_ID, "").as_str())
    );
    assert_eq!(revoke[0].status, 204);
    let revoked = w.fake.revocations();
    assert_eq!(revoked[0].1, "refresh_token", "the whole grant");
    assert!(revoked[0].0.starts_with("rt-"));
    assert_eq!(w.fake.live_refresh_tokens(), 0);
    w.assert_user_agents();
    w.assert_no_leaks();
}

#[test]
fn a_web_app_sends_its_secret_and_a_wrong_one_or_no_redirect_uri_fails_in_one_line() {
    let mut w = World::new(TestDb::sqlite(), Some(CLIENT_SECRET));
    w.connect(&["--account", "default"]);
    let exchange = &w.fake.requests_to(TOKEN_PATH)[0];
    assert_eq!(
        exchange.authorization.as_deref(),
        Some(basic(CLIENT_ID, CLIENT_SECRET).as_str())
    );
    w.assert_no_leaks();

    let mut wrong = w.command(&["connect", "reddit", "--timeout", "20"]);
    wrong.env("REDDIT_CLIENT_SECRET", "not-the-secret");
    let browser = FakeBrowser::following_redirect();
    browser.apply(&mut wrong);
    let failed = w.env.run_cmd(wrong);
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    let line = failed.stderr.lines().last().unwrap();
    assert!(
        line.starts_with("error: the code exchange failed"),
        "{line}"
    );
    assert!(
        line.contains("HTTP 401") && line.contains("REDDIT_CLIENT_SECRET"),
        "{line}"
    );

    let mut unset = w.command(&["connect", "reddit"]);
    unset.env_remove("REDDIT_REDIRECT_URI");
    w.env
        .run_cmd(unset)
        .error_naming(5, &["REDDIT_REDIRECT_URI"]);
}

fn listings_are_paged_and_the_inbox_becomes_fans_and_messages(db: TestDb) {
    let mut w = World::new(db, None);
    w.fake.set_submissions(250);
    w.fake.set_comments(120);
    w.fake.set_inbox(30, 20, 7, true);
    w.fake.set_sent(5);
    w.connect(&["--account", "default"]);

    let out = w.sync(&[]);
    assert_eq!(stream(&out, "submissions")["pages"], 3, "100 + 100 + 50");
    assert_eq!(stream(&out, "comments")["pages"], 2);
    assert_eq!(stream(&out, "inbox")["status"], "succeeded");
    assert_eq!(stream(&out, "identity")["rows_written"], 6);
    let pages: Vec<Option<String>> = w
        .fake
        .requests()
        .iter()
        .filter(|r| r.path == format!("/user/{USERNAME}/submitted"))
        .map(|r| {
            assert_eq!(r.query_param("limit"), Some("100"));
            r.query_param("after").map(str::to_string)
        })
        .collect();
    assert_eq!(
        pages,
        vec![None, Some("t3_s151".into()), Some("t3_s51".into())],
        "each page starts after the last one's oldest item"
    );
    let inbox = w.fake.requests_to(INBOX_PATH);
    assert!(inbox.iter().all(|r| r.query_param("mark") == Some("false")));
    assert_eq!(w.fake.requests_to(SENT_PATH).len(), 1);
    assert_eq!(
        out.as_array().unwrap().len(),
        5,
        "no mentions without REDDIT_SUBREDDITS"
    );

    assert_eq!(w.rows("posts"), 250);
    // 30 DMs + 20 replies + 1 mention in, 120 comments and 5 DMs out.
    assert_eq!(w.rows("messages"), 30 + 20 + 1 + 120 + 5);
    // fan1..fan7 and the mentioner; the sent DMs went to fan1..fan5.
    assert_eq!(w.rows("fans"), 8);
    let fans = w
        .quiet(&["-o", "json", "fans", "list", "--platform", "reddit"])
        .ok()
        .json();
    let fan1 = array(&fans)
        .iter()
        .find(|f| f["platform_user_id"] == "fan1")
        .expect("fan1");
    assert_eq!(fan1["username"], "fan1");
    assert_eq!(fan1["source"], "dm");
    // Authors take turns over 7: fan1 wrote DMs 1, 8, 15, 22, 29 and replies 36, 43, 50, and
    // got one DM.
    assert_eq!(fan1["message_count"], 9);
    let events = w.rows("analytics_events");
    assert_eq!(
        events,
        6 + 250 * 4,
        "karma and followers, four metrics per post"
    );

    // A second sync reads one page per listing and duplicates nothing.
    let counts: Vec<i64> = ["posts", "messages", "fans", "analytics_events"]
        .iter()
        .map(|t| w.rows(t))
        .collect();
    let again = w.sync(&[]);
    assert_eq!(stream(&again, "submissions")["pages"], 1);
    assert_eq!(stream(&again, "inbox")["pages"], 1);
    let after: Vec<i64> = ["posts", "messages", "fans", "analytics_events"]
        .iter()
        .map(|t| w.rows(t))
        .collect();
    assert_eq!(counts, after, "nothing twice");

    // New submissions are read incrementally.
    w.fake.add_submissions(3);
    let third = w.sync(&[]);
    assert_eq!(stream(&third, "submissions")["pages"], 1);
    assert_eq!(w.rows("posts"), 253);
    w.assert_user_agents();
    w.assert_no_leaks();
}

both_backends! {
    listings_are_paged_and_the_inbox_becomes_fans_and_messages: |db| listings_are_paged_and_the_inbox_becomes_fans_and_messages(db);
}

#[test]
fn an_expired_token_is_refreshed_during_sync_with_basic_auth_and_the_refresh_token_is_kept() {
    let mut w = connected(5, &["default"]);
    let refreshes = |w: &World| {
        w.fake
            .requests_to(TOKEN_PATH)
            .into_iter()
            .filter(|r| r.form_field("grant_type") == Some("refresh_token"))
            .collect::<Vec<_>>()
    };
    for round in 1..=2 {
        w.fake.expire_access_tokens_now();
        let out = w.sync(&[]);
        assert_eq!(stream(&out, "submissions")["status"], "succeeded");
        let done = refreshes(&w);
        assert_eq!(done.len(), round, "one refresh per expiry");
        let last = done.last().unwrap();
        assert_eq!(
            last.authorization.as_deref(),
            Some(basic(CLIENT_ID, "").as_str())
        );
        assert_eq!(last.status, 200);
    }
    // Reddit's refresh answers carried no refresh token: the first one is used both times.
    let used: Vec<String> = refreshes(&w)
        .iter()
        .map(|r| r.form_field("refresh_token").unwrap().to_string())
        .collect();
    assert_eq!(used[0], used[1]);

    // Should Reddit hand out a new refresh token, it is stored and the next refresh uses it
    // (the fake then refuses the old one).
    w.fake.rotate_refresh_tokens();
    for _ in 0..2 {
        w.fake.expire_access_tokens_now();
        let out = w.sync(&[]);
        assert_eq!(stream(&out, "submissions")["status"], "succeeded");
    }
    let used: Vec<String> = refreshes(&w)
        .iter()
        .map(|r| r.form_field("refresh_token").unwrap().to_string())
        .collect();
    assert_eq!(used.len(), 4);
    assert_ne!(used[3], used[2], "the rotated token was used");
    assert_eq!(w.rows("posts"), 5);
    w.assert_user_agents();
    w.assert_no_leaks();
}

/// A grant without `privatemessages` and `submit`: the message streams fail in one line each
/// with Reddit's `{"message","error"}` while the others sync, and a post says what is missing.
#[test]
fn what_the_grant_does_not_cover_fails_in_one_line_and_the_rest_syncs() {
    let w = World::installed();
    w.fake.set_submissions(3);
    w.fake.set_inbox(2, 0, 1, false);
    let browser = FakeBrowser::following_redirect();
    let mut cmd = w.command(&[
        "connect",
        "reddit",
        "--timeout",
        "20",
        "--scope",
        "identity",
        "--scope",
        "history",
    ]);
    browser.apply(&mut cmd);
    assert_eq!(w.env.run_cmd(cmd).code, 0);
    let run = w.quiet(&["-o", "json", "sync"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let out = run.json();
    assert_eq!(stream(&out, "submissions")["status"], "succeeded");
    assert_eq!(stream(&out, "inbox")["status"], "failed");
    assert!(
        run.stderr
            .lines()
            .any(|l| l == "reddit default inbox: reddit answered HTTP 403: Forbidden"),
        "{}",
        run.stderr
    );
    assert_eq!(w.rows("posts"), 3);
    let post = w.quiet(&TEXT_POST);
    post.error_naming(1, &["HTTP 403: Forbidden", "`submit` scope"]);
}

#[test]
fn posts_naming_the_account_in_chosen_subreddits_become_mentions() {
    let mut w = World::installed();
    w.fake.set_mentions(3);
    w.connect(&["--account", "default"]);
    let before = w.fake.requests().len();
    let agent = "linux:com.example.agency-crm:2.1 (by /u/agency_dev)";
    let mut cmd = w.command(&["-o", "json", "sync"]);
    cmd.env("REDDIT_SUBREDDITS", "r/test, CreatorsAdvice")
        .env("REDDIT_USER_AGENT", agent);
    let run = w.env.run_cmd(cmd);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        w.fake.requests()[before..]
            .iter()
            .all(|r| r.user_agent.as_deref() == Some(agent)),
        "the configured User-Agent on every request"
    );
    assert_eq!(stream(&run.json(), "mentions")["rows_written"], 6);
    let search = w.fake.requests_to("/r/test+CreatorsAdvice/search");
    assert_eq!(search.len(), 1);
    assert_eq!(search[0].query_param("q"), Some("\"u/testcreator\""));
    assert_eq!(search[0].query_param("restrict_sr"), Some("on"));
    let messages = w
        .quiet(&["-o", "json", "messages", "list", "--platform", "reddit"])
        .ok()
        .json();
    let kinds = texts(&messages, "kind");
    assert_eq!(kinds, vec!["mention"; 3]);
    assert_eq!(w.rows("fans"), 3);
}

#[test]
fn remaining_zero_makes_the_next_request_wait_until_the_reset() {
    let mut w = connected(150, &["default"]);
    let before = w.fake.requests().len();
    // The third API answer of the sync says Remaining: 0, Reset: 2.
    w.fake.exhaust_window_after(2, Duration::from_secs(2));
    let out = w.sync(&[]);
    assert_eq!(stream(&out, "submissions")["pages"], 2);
    assert_eq!(w.fake.over_limit(), 0, "no request went over the limit");
    let api: Vec<_> = w.fake.requests()[before..].to_vec();
    assert!(api.iter().all(|r| r.path != TOKEN_PATH));
    let gap = api[3].at.duration_since(api[2].at);
    assert!(
        gap >= Duration::from_millis(1900),
        "the request after Remaining: 0 came {gap:?} later"
    );
    let quick = api[2].at.duration_since(api[0].at);
    assert!(quick < Duration::from_secs(1), "no wait before: {quick:?}");
    assert!(
        w.runs
            .last()
            .unwrap()
            .stderr
            .contains("waiting for the rate limit"),
        "the wait is logged"
    );
}

/// With less than a tenth of the window left, the rest is spread over the time to the reset
/// instead of spent at once.
///
/// Proven by counts, not by timing the fake's arrivals (which a busy machine stretches or
/// squeezes): with the reset 2,000 s away, 20 requests left means one per 100 s, longer than
/// the retry budget, so after the first answer nothing more is sent and the streams are
/// deferred, each warning naming that wait; with half the window left, everything goes at once.
#[test]
fn the_last_tenth_of_a_window_is_spread_until_the_reset() {
    let mut w = connected(150, &["default"]);

    let before = w.fake.requests().len();
    w.fake.set_window(500.0, Duration::from_secs(2000));
    let out = w.sync(&[]);
    let sent = w.fake.requests().len() - before;
    assert_eq!(
        sent, 6,
        "me, two pages of submissions, comments, inbox, sent"
    );
    assert!(
        array(&out).iter().all(|r| r["status"] == "succeeded"),
        "half a window left: nothing waits: {out}"
    );

    let before = w.fake.requests().len();
    w.fake.set_window(20.0, Duration::from_secs(2000));
    let out = w.sync(&[]);
    let sent = w.fake.requests().len() - before;
    assert_eq!(sent, 1, "only the first request went: {out}");
    assert_eq!(stream(&out, "submissions")["status"], "deferred", "{out}");
    let run = w.runs.last().unwrap();
    let waits = run.waits();
    assert!(!waits.is_empty(), "{}", run.stderr);
    assert!(
        waits.iter().all(|s| (90..=110).contains(s)),
        "about 2,000 s over the 20 requests left: {waits:?}"
    );
    assert_eq!(w.fake.over_limit(), 0);
}

/// Two accounts of one client id, synced by two threads, share one window: with 6 requests
/// left, the 7th waits for the reset instead of going over (each account counting its own
/// would send 12).
#[test]
fn accounts_of_one_client_id_share_its_rate_limit_window() {
    let mut w = connected(150, &["default", "second"]);
    w.fake.set_window(6.0, Duration::from_secs(2));
    let started = std::time::Instant::now();
    let out = w.sync(&["--all", "--jobs", "2"]);
    assert_eq!(out.as_array().unwrap().len(), 10, "5 streams of 2 accounts");
    assert!(array(&out).iter().all(|r| r["status"] == "succeeded"));
    assert_eq!(w.fake.over_limit(), 0, "no request went over the limit");
    assert!(started.elapsed() >= Duration::from_millis(1900));
}

fn post_reddit_prints_the_url_records_the_post_and_tells_reddits_refusals_in_one_line(db: TestDb) {
    let mut w = World::new(db, None);
    w.connect(&["--account", "default"]);
    let posted = w.run(&[
        "-o",
        "json",
        "post",
        "reddit",
        "--subreddit",
        "r/test",
        "--title",
        "Day 1 of the challenge",
        "--url",
        "https://example.com/day-1",
        "--flair",
        "self promotion",
        "--nsfw",
    ]);
    assert_eq!(posted.code, 0, "{}", posted.stderr);
    let out = posted.json();
    assert_eq!(
        out["url"],
        "https://www.reddit.com/r/test/comments/np1/day_1_of_the_challenge/"
    );
    assert_eq!(out["post_id"], "t3_np1");
    let form = &w.fake.posted()[0];
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(field("sr"), Some("test"));
    assert_eq!(field("kind"), Some("link"));
    assert_eq!(field("api_type"), Some("json"));
    assert_eq!(
        field("flair_id"),
        Some(FLAIRS[1].0),
        "looked up by its text"
    );
    assert_eq!(field("nsfw"), Some("true"));
    assert_eq!(w.rows("posts"), 1);

    let text = w.env.file("post.md", "Hello **Reddit**");
    let table = w.run(&[
        "post",
        "reddit",
        "--subreddit",
        "test",
        "--title",
        "Hello",
        "--text-file",
        text.to_str().unwrap(),
    ]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(
        table
            .stdout
            .contains("https://www.reddit.com/r/test/comments/np2/hello/")
    );
    assert_eq!(
        w.fake.posted()[1]
            .iter()
            .find(|(k, _)| k == "text")
            .unwrap()
            .1,
        "Hello **Reddit**"
    );
    assert_eq!(w.rows("posts"), 2);

    let missing = w.quiet(&[
        "post",
        "reddit",
        "--subreddit",
        "nosuchplace",
        "--title",
        "x",
        "--text",
        "y",
    ]);
    let line = missing.one_line_error(1);
    assert_contains(
        line,
        "reddit refused the post to r/nosuchplace: SUBREDDIT_NOEXIST: that subreddit doesn't exist (field sr)",
    );

    w.fake.refuse_next_submit(&[[
        "RATELIMIT",
        "you are doing that too much. try again in 9 minutes.",
        "ratelimit",
    ]]);
    let limited = w.quiet(&TEXT_POST);
    limited.error_naming(
        1,
        &[
            "RATELIMIT",
            "hint: wait 9 minutes, then run the same command again",
        ],
    );
    let long = "t".repeat(301);
    let too_long = w.quiet(&[
        "post",
        "reddit",
        "--subreddit",
        "test",
        "--title",
        &long,
        "--text",
        "y",
    ]);
    too_long.error_naming(2, &["300"]);
    assert_eq!(w.fake.posted().len(), 2, "refused posts were not made");

    let audit = w
        .quiet(&["-o", "json", "audit", "list", "--platform", "reddit"])
        .ok()
        .json();
    let posts: Vec<&str> = array(&audit)
        .iter()
        .filter(|a| a["action"] == "post")
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(posts, vec!["ok", "ok", "failed", "failed"]);
    assert!(w.fake.requests_to(SUBMIT_PATH).len() >= 4);
    assert!(!w.fake.requests_to(ME_PATH).is_empty());
    w.assert_user_agents();
    w.assert_no_leaks();
}

both_backends! {
    post_reddit_prints_the_url_records_the_post_and_tells_reddits_refusals: |db| post_reddit_prints_the_url_records_the_post_and_tells_reddits_refusals_in_one_line(db);
}
