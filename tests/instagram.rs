//! Instagram through the binary against the fake Instagram: connect (code, short-lived token,
//! immediate long-lived exchange), renewal of a token near expiry during sync, media paged by
//! cursor, comments and conversations into fans and messages, insights with a metric Meta
//! dropped, pacing by Meta's usage headers, and a sync killed mid-run.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value as Json;

use crate::connect::{assert_not_leaked, paste_flow};
use crate::support::both_backends;
use crate::support::browser::FakeBrowser;
use crate::support::fake_instagram::{self, publish};
use crate::support::fake_instagram::{
    APP_ID, APP_SECRET, CODE_PATH, EXCHANGE_PATH, FakeInstagram, REFRESH_PATH, USER_ID, USERNAME,
    graph_path,
};
use crate::support::{TestDb, array, assert_same_crm, crm_contents, stream, world};

/// A private world with a fake Instagram whose app is registered with the world's redirect URI.
pub type World = world::World<fake_instagram::State>;

impl World {
    pub fn new(db: TestDb) -> World {
        World::with_redirect(db, world::loopback_redirect())
    }

    fn with_redirect(db: TestDb, redirect: String) -> World {
        let fake = FakeInstagram::start(&redirect);
        let vars = [
            ("INSTAGRAM_APP_ID", APP_ID),
            ("INSTAGRAM_APP_SECRET", APP_SECRET),
            ("INSTAGRAM_REDIRECT_URI", &redirect),
            ("ENABLE_INSTAGRAM_INSIGHTS", "false"),
        ];
        World::start("instagram", db, redirect.clone(), fake, &vars)
    }

    /// No token or app secret in any output, file of the world, or Graph URL the fake saw
    /// (Meta's token endpoints take them in the query, as documented: those are exempt).
    pub fn assert_no_leaks(&self) {
        let mut values = self.fake.issued_tokens();
        values.push(APP_SECRET.to_string());
        assert_not_leaked(&values, &self.runs, &self.env.data_home());
        let graph = self
            .fake
            .requests()
            .into_iter()
            .filter(|r| r.path != EXCHANGE_PATH && r.path != REFRESH_PATH);
        for r in graph {
            assert!(
                !values.iter().any(|v| r.url_contains(v)),
                "a token or secret went into the URL of {}",
                r.path
            );
        }
    }
}

fn days_from_now(at: &Json) -> i64 {
    let at = chrono::DateTime::parse_from_rfc3339(at.as_str().unwrap()).unwrap();
    (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_days()
}

#[test]
fn connect_trades_the_code_for_a_long_lived_token_and_disconnect_says_where_to_remove_the_app() {
    let mut w = World::new(TestDb::sqlite());
    let who = w.connect(&[]);
    assert_eq!(who["username"], USERNAME);
    assert_eq!(who["platform_user_id"], USER_ID);
    assert!(
        (58..=60).contains(&days_from_now(&who["token_expires_at"])),
        "a long-lived token: {who}"
    );
    assert_eq!(who["scopes"].as_array().unwrap().len(), 5, "{who}");

    let authorize = &w.fake.requests_to("/oauth/authorize")[0];
    assert_eq!(authorize.query_param("client_id"), Some(APP_ID));
    assert_eq!(
        authorize.query_param("scope"),
        Some(
            "instagram_business_basic,instagram_business_manage_comments,instagram_business_manage_messages,instagram_business_manage_insights,instagram_business_content_publish"
        )
    );
    assert!(authorize.query_param("code_challenge").is_none(), "no PKCE");
    let code = &w.fake.requests_to(CODE_PATH)[0];
    assert_eq!(code.form_field("grant_type"), Some("authorization_code"));
    assert_eq!(code.form_field("client_secret"), Some(APP_SECRET));
    assert_eq!(code.form_field("redirect_uri"), Some(w.redirect.as_str()));
    let exchange = w.fake.requests_to(EXCHANGE_PATH);
    assert_eq!(exchange.len(), 1, "exchanged at once");
    assert_eq!(
        exchange[0].query_param("grant_type"),
        Some("ig_exchange_token")
    );
    assert_eq!(exchange[0].query_param("client_secret"), Some(APP_SECRET));
    assert_eq!(exchange[0].status, 200);
    let me = &w.fake.requests_to(&graph_path("/me"))[0];
    assert!(
        me.authorization
            .as_deref()
            .unwrap()
            .starts_with("Bearer IGLL"),
        "whoami with the long-lived token in the header"
    );

    let accounts = w.run(&["-o", "json", "accounts"]);
    assert_eq!(accounts.code, 0, "{}", accounts.stderr);
    assert_eq!(accounts.json()[0]["status"], "active");
    let gone = w.run(&["-o", "json", "disconnect", "instagram"]);
    assert_eq!(gone.code, 0, "{}", gone.stderr);
    assert_eq!(gone.json()[0]["status"], "revoked");
    assert!(
        gone.stderr.contains("Instagram's settings"),
        "says where the app is removed: {}",
        gone.stderr
    );
    w.assert_no_leaks();
}

#[test]
fn an_https_redirect_uri_is_pasted_and_a_wrapped_code_answer_is_read() {
    let w = World::with_redirect(
        TestDb::sqlite(),
        "https://creator.example.com/socialcrm/callback".into(),
    );
    w.fake.wrap_code_answer();
    let args = [
        "-o",
        "json",
        "connect",
        "instagram",
        "--no-browser",
        "--timeout",
        "20",
    ];
    let mut cmd = w.command(&args);
    cmd.env("BROWSER", "false");
    let (landed, output) = paste_flow(cmd);
    assert!(landed.ends_with("#_"), "Meta appends #_: {landed}");
    let who: Json = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(who["platform_user_id"], USER_ID);
    assert_eq!(who["scopes"].as_array().unwrap().len(), 5, "{who}");
    let code = &w.fake.requests_to(CODE_PATH)[0];
    assert!(
        !code.form_field("code").unwrap().contains('#'),
        "#_ stripped"
    );

    let mut unset = w.command(&["connect", "instagram"]);
    unset.env_remove("INSTAGRAM_REDIRECT_URI");
    w.env
        .run_cmd(unset)
        .error_naming(5, &["INSTAGRAM_REDIRECT_URI"]);
}

#[test]
fn sync_renews_a_token_near_expiry_and_an_expired_one_needs_a_new_connect() {
    let mut w = World::new(TestDb::sqlite());
    w.fake.set_media(3);
    w.fake.long_lived_left(Duration::from_secs(3 * 24 * 3600));
    let who = w.connect(&[]);
    assert_eq!(days_from_now(&who["token_expires_at"]), 2, "{who}");

    w.sync(&[]);
    let refresh = w.fake.requests_to(REFRESH_PATH);
    assert_eq!(refresh.len(), 1, "renewed once, ahead of expiry");
    assert_eq!(refresh[0].status, 200);
    assert_eq!(
        refresh[0].query_param("grant_type"),
        Some("ig_refresh_token")
    );
    assert!(
        refresh[0]
            .query_param("access_token")
            .unwrap()
            .starts_with("IGLL")
    );
    let accounts = w.run(&["-o", "json", "accounts"]).json();
    let expires = &accounts[0]["token_expires_at"];
    assert!((58..=60).contains(&days_from_now(expires)), "{accounts}");
    w.sync(&[]);
    assert_eq!(w.fake.requests_to(REFRESH_PATH).len(), 1, "not again");

    // An expired token cannot be renewed: the account needs connect again (exit 4).
    w.fake.expire_access_tokens_now();
    let mut cmd = w.command(&["sync"]);
    cmd.env("SOCIALCRM_RETRY_BUDGET", "1");
    let run = w.run_cmd(cmd);
    assert_eq!(run.code, 4, "{}", run.stderr);
    run.stderr_has("connect instagram");
    let accounts = w.run(&["-o", "json", "accounts"]).json();
    assert_eq!(accounts[0]["status"], "needs_reauth");
    w.assert_no_leaks();
}

#[test]
fn a_renewal_meta_refuses_leaves_a_token_with_days_left_in_use() {
    let mut w = World::new(TestDb::sqlite());
    w.fake.set_media(3);
    w.fake.long_lived_left(Duration::from_secs(3 * 24 * 3600));
    w.fake.young_tokens();
    w.connect(&[]);
    let run = w.run(&["-o", "json", "sync"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stderr_has("could not be refreshed ahead of its expiry");
    let refresh = w.fake.requests_to(REFRESH_PATH);
    assert_eq!(refresh.len(), 1, "asked once per run, not per stream");
    assert_eq!(refresh[0].status, 400);
    assert_eq!(w.rows("posts"), 3, "synced with the token as it is");
    let accounts = w.run(&["-o", "json", "accounts"]).json();
    assert_eq!(accounts[0]["status"], "active");
    assert_eq!(days_from_now(&accounts[0]["token_expires_at"]), 2);
    w.assert_no_leaks();
}

fn media_comments_and_conversations_sync_idempotently(db: TestDb) {
    let mut w = World::new(db);
    w.fake.set_media(120);
    w.fake.set_conversations(4);
    w.fake.set_stories(Some(2));
    w.connect(&[]);
    let out = w.sync(&[]);
    assert_eq!(stream(&out, "media")["status"], "succeeded", "{out}");
    let pages = w.fake.requests_to(&graph_path("/me/media"));
    let paged: Vec<_> = pages
        .iter()
        .filter(|r| r.query_param("fields").unwrap().contains("permalink"))
        .collect();
    assert_eq!(paged.len(), 3, "120 media in pages of 50");
    assert!(paged[1].query_param("after").is_some());
    assert_eq!(w.rows("posts"), 120 + 2, "media and the live stories");

    let comments = w.fake.comment_count(50) as i64;
    assert_eq!(
        w.rows("messages"),
        comments + 8,
        "comments, replies and 4 x 2 DMs"
    );
    // fan1..fan3 from comments (on the latest 50 media), dmfan1..dmfan4 from conversations.
    assert_eq!(w.rows("fans"), 7);
    // messages: platform|account|id|fan|direction|kind|body|sent_at|thread_ref|post_ref
    let before = crm_contents(&w.db.target);
    let replies: Vec<&String> = before["messages"]
        .iter()
        .filter(|m| m.contains("|out|comment|"))
        .collect();
    assert!(!replies.is_empty());
    assert!(
        replies
            .iter()
            .all(|m| m.starts_with("instagram|default|c") && m.contains("_r|NULL|out|")),
        "the account's own replies have no fan: {replies:?}"
    );
    let fan_comment = before["messages"]
        .iter()
        .find(|m| m.contains("|in|comment|"))
        .unwrap();
    assert!(
        fan_comment.contains("|9000")
            && fan_comment.ends_with(&format!(
                "|m{}",
                fan_comment
                    .split('|')
                    .nth(2)
                    .unwrap()
                    .trim_start_matches('c')
                    .split('_')
                    .next()
                    .unwrap()
            )),
        "{fan_comment}"
    );
    let counts: Vec<i64> = ["fans", "messages", "posts", "analytics_events"]
        .iter()
        .map(|t| w.rows(t))
        .collect();
    w.sync(&["--full"]);
    let after: Vec<i64> = ["fans", "messages", "posts", "analytics_events"]
        .iter()
        .map(|t| w.rows(t))
        .collect();
    assert_eq!(counts, after, "nothing twice after a second sync");
    let again = crm_contents(&w.db.target);
    assert_eq!(before["fans"], again["fans"]);
    assert_eq!(before["messages"], again["messages"]);
    w.assert_no_leaks();
}

both_backends! {
    media_comments_and_conversations_sync_idempotently: |db| media_comments_and_conversations_sync_idempotently(db);
}

#[test]
fn without_messaging_permission_or_stories_access_those_streams_warn_and_the_rest_syncs() {
    let mut w = World::new(TestDb::sqlite());
    w.fake.set_media(3);
    w.fake.set_conversations(2);
    w.fake.set_stories(None);
    let scopes = [
        "--scope",
        "instagram_business_basic",
        "--scope",
        "instagram_business_manage_comments",
    ];
    w.connect(&scopes);
    let run = w.run(&["-o", "json", "sync"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("instagram_business_manage_messages"),
        "one warning names the permission: {}",
        run.stderr
    );
    run.stderr_has("stories skipped");
    let out = run.json();
    assert_eq!(stream(&out, "conversations")["status"], "succeeded");
    assert_eq!(stream(&out, "stories")["status"], "succeeded");
    assert_eq!(w.rows("posts"), 3);
}

#[test]
fn a_metric_meta_dropped_is_skipped_with_a_warning_and_the_others_are_stored() {
    let mut w = World::new(TestDb::sqlite());
    w.fake.set_media(2);
    w.fake.deprecate_metric("saves");
    w.connect(&[]);
    let mut cmd = w.command(&["-o", "json", "sync"]);
    cmd.env("ENABLE_INSTAGRAM_INSIGHTS", "true");
    let run = w.run_cmd(cmd);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("'saves'")
            && run.stderr.lines().filter(|l| l.contains("'saves'")).count() == 1,
        "one warning naming the metric: {}",
        run.stderr
    );
    let out = run.json();
    assert_eq!(stream(&out, "insights")["status"], "succeeded", "{out}");
    let asked = w.fake.requests_to(&graph_path("/me/insights"));
    assert_eq!(asked.len(), 2, "asked again without it");
    assert!(!asked[1].query_param("metric").unwrap().contains("saves"));
    assert_eq!(asked[1].query_param("period"), Some("day"));
    assert_eq!(asked[1].query_param("metric_type"), Some("total_value"));
    let media = w.fake.requests_to(&graph_path("/m2/insights"));
    assert_eq!(media.len(), 1, "the latest media's insights");
    assert!(media[0].query_param("metric").unwrap().contains("saved"));
    // 3 profile counts, 2 x 2 media counts, 7 daily metrics, 2 x 7 media metrics.
    assert_eq!(w.rows("analytics_events"), 3 + 4 + 7 + 2 * 7);
}

/// The Graph requests the fake received after the first `seen` requests.
fn graph_requests(fake: &FakeInstagram, seen: usize) -> usize {
    fake.requests()[seen..]
        .iter()
        .filter(|r| r.path.starts_with("/v24.0/"))
        .count()
}

/// Spacing is proven by counts, not by timing the fake's arrivals (which a busy machine
/// stretches or squeezes): with a spacing unit of a minute, at 5 % every request goes at once
/// and the sync completes, while at 95 % the request after the first 95 % answer would have
/// to wait 4 units (4 minutes, 20 points above the 75 % threshold), longer than the retry
/// budget, so only that first request reaches Meta and the streams are deferred, each warning
/// naming the 240 s wait.
#[test]
fn usage_at_95_percent_spaces_requests_and_below_the_threshold_they_go_at_once() {
    let mut w = World::new(TestDb::sqlite());
    w.fake.set_media(3);
    w.connect(&[]);

    let sync = |w: &mut World| {
        let seen = w.fake.requests().len();
        let mut cmd = w.command(&["-o", "json", "sync", "--full"]);
        cmd.env("SOCIALCRM_META_USAGE_SPACING_MS", "60000")
            .env("SOCIALCRM_RETRY_BUDGET", "1");
        let run = w.env.run_cmd(cmd);
        assert_eq!(run.code, 0, "{}", run.stderr);
        (run, graph_requests(&w.fake, seen))
    };
    let (calm, sent) = sync(&mut w);
    assert!(sent >= 6, "{sent} requests");
    let out = calm.json();
    assert!(
        array(&out).iter().all(|r| r["status"] == "succeeded"),
        "at 5 % nothing waits: {out}"
    );

    w.fake.set_usage(95.0, 0);
    let (busy, sent) = sync(&mut w);
    assert_eq!(
        sent, 1,
        "only the request whose answer said 95 % went: {}",
        busy.stderr
    );
    let out = busy.json();
    assert_eq!(stream(&out, "profile")["status"], "succeeded", "{out}");
    assert_eq!(stream(&out, "media")["status"], "deferred", "{out}");
    let waits = busy.waits();
    assert!(!waits.is_empty(), "{}", busy.stderr);
    assert!(
        waits.iter().all(|s| (230..=240).contains(s)),
        "4 units of 60 s from the last request: {waits:?}"
    );
}

fn clean(
    db: TestDb,
    media: usize,
    conversations: usize,
) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut w = World::new(db);
    w.fake.set_media(media);
    w.fake.set_conversations(conversations);
    w.connect(&[]);
    w.sync(&[]);
    crm_contents(&w.db.target)
}

fn a_sync_killed_mid_run_is_finished_by_the_next_and_equals_a_clean_sync(
    db: TestDb,
    yardstick: TestDb,
) {
    let want = clean(yardstick, 120, 4);
    let mut w = World::new(db);
    w.fake.set_media(120);
    w.fake.set_conversations(4);
    w.connect(&[]);
    // Past the profile and the first media page, every answer takes a while.
    w.fake.delay_after(3, Duration::from_millis(300));
    let mut cmd = w.command(&["-o", "json", "sync"]);
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    child.kill().unwrap(); // SIGKILL: no cleanup; the claim dies with the process
    child.wait().unwrap();
    let all_messages = w.fake.comment_count(50) as i64 + 8;
    assert!(
        w.rows("posts") < 120 || w.rows("messages") < all_messages,
        "killed before the end"
    );

    w.fake.delay_after(u32::MAX, Duration::ZERO);
    // At once: no lease to wait out.
    let run = w.run_cmd(w.command(&["-o", "json", "sync"]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_same_crm(
        &crm_contents(&w.db.target),
        &want,
        "SIGKILL mid-run, then a re-run",
    );
}

both_backends! {
    a_sync_killed_mid_run_is_finished_by_the_next_and_equals_a_clean_sync: |db, yardstick|
        a_sync_killed_mid_run_is_finished_by_the_next_and_equals_a_clean_sync(db, yardstick);
}

/// A file of `size` pseudo-random bytes in the world's directory.
fn video(w: &World, size: usize) -> std::path::PathBuf {
    let path = w.env.path().join("reel.mp4");
    let bytes: Vec<u8> = (0..size).map(|i| (i * 7 + i / 251) as u8).collect();
    std::fs::write(&path, bytes).unwrap();
    path
}

fn upload_publishes_a_reel_by_resumable_upload_and_polls_until_finished(db: TestDb) {
    let mut w = World::new(db);
    w.connect(&[]);
    w.fake.polls_before_finished(2);
    let file = video(&w, 3 * 1024 * 1024 + 17);
    let path = file.to_str().unwrap();
    let mut cmd = w.command(&[
        "-vv",
        "-o",
        "json",
        "upload",
        "instagram",
        path,
        "--caption",
        "New reel #test",
    ]);
    cmd.env("SOCIALCRM_UPLOAD_POLL_MS", "20");
    let run = w.run_cmd(cmd);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.json();
    assert_eq!(out["status"], "complete", "{out}");
    let media = out["post_id"].as_str().unwrap().to_string();

    let containers = w.fake.containers();
    assert_eq!(containers.len(), 1);
    let c = &containers[0];
    assert_eq!(c.caption, "New reel #test");
    assert_eq!(c.file_size, Some(std::fs::metadata(&file).unwrap().len()));
    assert_eq!(
        publish::sha256(&c.bytes),
        publish::sha256(&std::fs::read(&file).unwrap()),
        "the bytes arrived whole"
    );
    assert_eq!(c.polls, 3, "polled until FINISHED");
    let upload = w
        .fake
        .requests()
        .into_iter()
        .find(|r| r.path.starts_with("/ig-api-upload/"))
        .unwrap();
    assert_eq!(upload.method, "POST");
    assert!(
        upload
            .authorization
            .as_deref()
            .unwrap()
            .starts_with("OAuth IGLL")
    );
    assert_eq!(w.fake.published(), vec![(media.clone(), c.id.clone())]);
    assert_eq!(w.rows("posts"), 1);
    let posts = crm_contents(&w.db.target)["posts"].clone();
    let post = posts.iter().next().unwrap();
    assert!(
        post.starts_with(&format!("instagram|{media}|default|New reel #test|https://www.instagram.com/reel/{media}/|reels|")),
        "{post}"
    );

    // Again: the ledger knows the file; nothing is sent.
    let again = w.run(&["-o", "json", "upload", "instagram", path]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.json()["status"], "already_posted");
    assert_eq!(w.fake.containers().len(), 1);
    w.assert_no_leaks();
}

both_backends! {
    upload_publishes_a_reel_by_resumable_upload_and_polls_until_finished: |db| upload_publishes_a_reel_by_resumable_upload_and_polls_until_finished(db);
}

#[test]
fn a_container_meta_could_not_process_fails_in_one_line_and_tiktok_flags_are_refused() {
    let mut w = World::new(TestDb::sqlite());
    w.connect(&[]);
    w.fake.fail_next_container("ERROR");
    let file = video(&w, 4096);
    let path = file.to_str().unwrap();
    let mut cmd = w.command(&["upload", "instagram", path]);
    cmd.env("SOCIALCRM_UPLOAD_POLL_MS", "20");
    let run = w.env.run_cmd(cmd);
    run.error_naming(1, &["could not publish", "2207026", "ERROR"]);
    assert!(w.fake.published().is_empty());
    assert_eq!(w.rows("posts"), 0);

    let refused = w
        .env
        .run_cmd(w.command(&["upload", "instagram", path, "--privacy", "public"]));
    refused.error_naming(2, &["--privacy"]);
}

#[test]
fn at_100_percent_nothing_is_sent_until_access_returns_and_beyond_the_budget_streams_are_deferred()
{
    let mut w = World::new(TestDb::sqlite());
    w.fake.set_media(3);
    w.connect(&[]);
    // Every answer now says the Business Use Case limit is reached for 5 more minutes.
    w.fake.set_usage(100.0, 5);
    let seen = w.fake.requests().len();
    let mut cmd = w.command(&["-o", "json", "sync"]);
    cmd.env("SOCIALCRM_RETRY_BUDGET", "2");
    let started = std::time::Instant::now();
    let run = w.run_cmd(cmd);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "no 5-minute wait"
    );
    // A spent rate limit is the engine's one rule on every platform: the streams that met it
    // are deferred to the next run (a warning each), not failed.
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.json();
    assert_eq!(stream(&out, "profile")["status"], "succeeded");
    let media = stream(&out, "media");
    assert_eq!(media["status"], "deferred", "{out}");
    assert!(
        run.warnings()
            .iter()
            .any(|l| l.starts_with("warning: instagram default media: ")),
        "{}",
        run.stderr
    );
    assert!(
        media["error"]
            .as_str()
            .unwrap()
            .contains("rate limit of instagram:"),
        "{media}"
    );
    let sent = w.fake.requests().len() - seen;
    assert_eq!(
        sent, 1,
        "only the request whose answer said 100 % reached Meta"
    );
}

#[test]
fn an_upload_still_processing_when_the_wait_ends_is_polled_again_not_sent_twice() {
    let mut w = World::new(TestDb::sqlite());
    w.connect(&[]);
    w.fake.polls_before_finished(1_000_000);
    let file = video(&w, 64 * 1024);
    let path = file.to_str().unwrap();
    let mut cmd = w.command(&["upload", "instagram", path, "--wait", "1"]);
    cmd.env("SOCIALCRM_UPLOAD_POLL_MS", "100");
    let run = w.env.run_cmd(cmd);
    run.error_naming(1, &["still processing"]);

    w.fake.polls_before_finished(0);
    let mut again = w.command(&["-o", "json", "upload", "instagram", path]);
    again.env("SOCIALCRM_UPLOAD_POLL_MS", "20");
    let run = w.run_cmd(again);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.json();
    assert_eq!(
        (out["status"].as_str(), out["resumed"].as_bool()),
        (Some("complete"), Some(true))
    );
    assert_eq!(
        w.fake.containers().len(),
        1,
        "one container, the bytes sent once"
    );
    let uploads = w
        .fake
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/ig-api-upload/"))
        .count();
    assert_eq!(uploads, 1);
    assert_eq!(w.fake.published().len(), 1);
}

/// Regression: Meta's token exchange and renewal take the app secret and the token in the URL's
/// query, so an error that carries the URL (or a platform message echoing it) would put them in
/// stderr. With both endpoints failing and echoing their URL, at -vv, neither the secret nor
/// any token reaches stdout or stderr.
#[test]
fn failing_token_endpoints_never_put_the_secret_or_a_token_in_the_output() {
    let mut w = World::new(TestDb::sqlite());
    w.fake.set_media(1);
    w.fake.long_lived_left(Duration::from_secs(3 * 24 * 3600));
    w.connect(&[]);
    w.fake.echo_token_urls();

    // The renewal ahead of expiry fails: a warning, the sync goes on with the token as it is.
    let run = w.run(&["-vv", "-o", "json", "sync"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stderr_has("could not be refreshed");
    assert_eq!(w.fake.requests_to(REFRESH_PATH)[0].status, 400);

    // A new connect: the code is traded, the exchange for a long-lived token fails.
    let browser = FakeBrowser::following_redirect();
    let mut cmd = w.command(&["-vv", "connect", "instagram", "--timeout", "20"]);
    browser.apply(&mut cmd);
    let run = w.run_cmd(cmd);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.stderr_has("instagram");
    let exchange = w.fake.requests_to(EXCHANGE_PATH);
    assert_eq!(exchange.last().unwrap().status, 400);
    assert!(exchange.last().unwrap().url_contains(APP_SECRET));
    w.assert_no_leaks();
}

#[test]
fn a_reel_replaced_while_it_uploads_fails_in_one_line() {
    let mut w = World::new(TestDb::sqlite());
    w.connect(&[]);
    let file = video(&w, 256 * 1024);
    let replacement = w.env.file("other.mp4", vec![7u8; 256 * 1024]);
    let to = file.clone();
    w.fake
        .on_upload(move || std::fs::rename(&replacement, &to).unwrap());
    let cmd = w.command(&["upload", "instagram", file.to_str().unwrap()]);
    let run = w.env.run_cmd(cmd);
    run.error_naming(1, &["changed while it was being uploaded"]);
    assert!(w.fake.published().is_empty(), "nothing was published");
}

/// A reel posted before schema v6, whose ledger row holds a SHA-256, is recognised as Instagram
/// uploads now find files (fingerprint, then hash, as TikTok's do): nothing is sent again, and a
/// renamed copy is the same file.
#[test]
fn a_reel_posted_before_the_xxh3_ledger_is_still_recognised() {
    let mut w = World::new(TestDb::sqlite());
    w.connect(&[]);
    let file = video(&w, 2 * 1024 * 1024 + 5);
    let path = file.to_str().unwrap();
    let mut cmd = w.command(&["-o", "json", "upload", "instagram", path]);
    cmd.env("SOCIALCRM_UPLOAD_POLL_MS", "20");
    let first = w.run_cmd(cmd);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let first = first.json();
    let legacy = format!("sha256:{}", publish::sha256(&std::fs::read(&file).unwrap()));
    w.db.exec(&format!("UPDATE uploads SET file_hash = '{legacy}';"));

    let copy = w.env.path().join("copy.mp4");
    std::fs::copy(&file, &copy).unwrap();
    let again = w.run(&["-o", "json", "upload", "instagram", copy.to_str().unwrap()]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let again = again.json();
    assert_eq!(again["status"], "already_posted");
    assert_eq!(again["post_id"], first["post_id"]);
    assert_eq!(again["file_hash"], legacy.as_str());
    assert_eq!(w.fake.containers().len(), 1, "nothing sent the second time");
}
