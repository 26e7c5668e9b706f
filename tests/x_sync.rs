//! X: `sync` streams against the fake X: follower pagination within a read budget, posts and
//! mentions read incrementally with `since_id`, a tier refusal that skips only the DMs, and
//! 429s waited out or deferred to the next run.

use std::time::{Duration, Instant};

use serde_json::Value as Json;

use crate::support::both_backends;
use crate::support::fake_x::{
    self, APP_BEARER, CLIENT_ID, CLIENT_SECRET, DM_EVENTS_PATH, DM_FAN, FakeX, ME_PATH, USER_ID,
};
use crate::support::{Run, TestDb, array, free_port, stream, world};
use crate::x_connect::assert_no_leaks;

/// A private world with a fake X (a confidential client) and a connected account.
type World = world::World<fake_x::State>;

impl World {
    /// `fake` with an account connected; every command also gets the app-only bearer token.
    fn connected(fake: FakeX, db: TestDb) -> World {
        // X compares the redirect URI with the registered one exactly, so one is configured.
        let redirect = format!("http://127.0.0.1:{}/callback", free_port());
        let vars = [
            ("TWITTER_CLIENT_ID", CLIENT_ID),
            ("TWITTER_CLIENT_SECRET", CLIENT_SECRET),
            ("TWITTER_REDIRECT_URI", &redirect),
            ("TWITTER_BEARER_TOKEN", APP_BEARER),
        ];
        let mut w = World::start("x", db, redirect.clone(), fake, &vars);
        w.connect(&[]);
        w
    }

    /// `sync x` at -vv with `extra`, kept for the leak checks.
    fn sync_x(&mut self, extra: &[&str]) -> Run {
        let mut args = vec!["-o", "json", "sync", "x"];
        args.extend_from_slice(extra);
        self.run(&args).clone()
    }
}

fn followers_are_paged_within_the_read_budget(db: TestDb) {
    let fake = FakeX::start();
    fake.set_followers(2500);
    let mut w = World::connected(fake, db);
    let first = w.sync_x(&["--max-reads", "1500"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let followers = stream(&first.json(), "followers").clone();
    assert_eq!(followers["status"], "budget");
    assert_eq!(followers["reads"], 1500);
    assert_eq!(followers["pages"], 2);
    assert_eq!(w.rows("fans"), 1500);
    let warnings = first.warnings();
    assert_eq!(warnings.len(), 1, "{}", first.stderr);
    assert!(warnings[0].contains("followers") && warnings[0].contains("read budget of 1500"));
    let calls = w.fake.requests_to("/2/users/:id/followers");
    assert_eq!(calls[0].query_param("max_results"), Some("1000"));
    assert_eq!(calls[0].query_param("pagination_token"), None);
    assert_eq!(
        calls[1].query_param("max_results"),
        Some("500"),
        "never more than the budget left"
    );
    assert_eq!(calls[1].query_param("pagination_token"), Some("page1000"));

    // The next run continues where the budget stopped the last one, and completes.
    let second = w.sync_x(&["--max-reads", "1500"]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    let followers = stream(&second.json(), "followers").clone();
    assert_eq!(followers["status"], "succeeded");
    assert_eq!(followers["reads"], 1000);
    let calls = w.fake.requests_to("/2/users/:id/followers");
    assert_eq!(calls[2].query_param("pagination_token"), Some("page1500"));
    assert_eq!(calls.len(), 3);
    assert_eq!(w.rows("fans"), 2500);
    assert_no_leaks(&w.fake, &[&first, &second]);
}

both_backends! {
    x_followers_are_paged_within_the_read_budget: |db| followers_are_paged_within_the_read_budget(db);
    x_follower_bios_link_other_platforms_profiles: |db| bios_link_profiles(db);
}

/// A follower whose bio links their OnlyFans profile (behind t.co, expanded by X) is suggested
/// as one person with the OnlyFans fan of that handle, on the profile evidence alone.
fn bios_link_profiles(db: TestDb) {
    let fake = FakeX::start();
    fake.set_followers(3);
    fake.set_bio(2, "all my links:", "https://onlyfans.com/Lily_Fan");
    fake.set_bio(3, "my page", "https://linktr.ee/someone");
    let mut w = World::connected(fake, db);
    let synced = w.sync_x(&[]);
    assert_eq!(synced.code, 0, "{}", synced.stderr);
    let asked = w.fake.requests_to("/2/users/:id/followers");
    let fields = asked[0]
        .query_param("user.fields")
        .unwrap_or_default()
        .to_string();
    assert!(
        fields.contains("description") && fields.contains("entities"),
        "{fields}"
    );
    assert_eq!(
        w.rows("fan_contacts"),
        2,
        "one profile link, one link; never the t.co URL"
    );
    let export = w.env.file(
        "of.csv",
        "Fan ID,Username,Name\nof-1,lily.fan,L\nof-2,someone,S\n",
    );
    w.run(&["import-csv", "onlyfans", "fans", export.to_str().unwrap()]);
    let rows = w.run(&["-o", "json", "people", "suggest"]).json();
    let found = rows.as_array().unwrap();
    assert_eq!(found.len(), 1, "{rows}");
    assert_eq!(found[0]["signals"][0]["kind"], "profile", "{rows}");
    let users: Vec<&str> = [&found[0]["fan_a"], &found[0]["fan_b"]]
        .iter()
        .map(|f| f["username"].as_str().unwrap())
        .collect();
    assert!(
        users.contains(&"follower2") && users.contains(&"lily.fan"),
        "{users:?}"
    );
}

#[test]
fn x_posts_and_mentions_are_read_incrementally_with_since_id() {
    let fake = FakeX::start();
    fake.add_posts(12);
    fake.add_mentions(3);
    fake.add_dms(4);
    let mut w = World::connected(fake, TestDb::sqlite());
    let first = w.sync_x(&[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let out = first.json();
    for name in ["user", "followers", "posts", "mentions", "dms"] {
        assert_eq!(stream(&out, name)["status"], "succeeded", "{name}: {out}");
    }
    assert_eq!(stream(&out, "posts")["reads"], 12);
    assert_eq!(w.rows("posts"), 12);
    // 3 mentions and 4 DMs; 3 mention authors and the DM correspondent as fans.
    assert_eq!(w.rows("messages"), 7);
    assert_eq!(w.rows("fans"), 4);
    // DMs both ways are kept with the correspondent as the fan; mentions come in from authors.
    let messages = w.quiet(&["-o", "json", "messages", "list"]).ok().json();
    let dms: Vec<&Json> = array(&messages)
        .iter()
        .filter(|m| m["kind"] == "dm")
        .collect();
    assert_eq!(dms.len(), 4);
    assert_eq!(dms.iter().filter(|m| m["direction"] == "out").count(), 2);
    assert!(
        dms.iter().all(|m| m["fan_platform_user_id"] == DM_FAN),
        "{messages}"
    );
    let mentions = array(&messages).iter().filter(|m| m["kind"] == "mention");
    assert!(mentions.clone().all(|m| m["direction"] == "in"));
    assert_eq!(mentions.count(), 3);
    // The public profile was read with the app-only token.
    let profile = w
        .fake
        .requests_to("/2/users/:id")
        .into_iter()
        .find(|r| r.path != ME_PATH)
        .unwrap();
    assert_eq!(profile.path, format!("/2/users/{USER_ID}"));
    assert_eq!(
        profile.authorization.as_deref(),
        Some(format!("Bearer {APP_BEARER}").as_str())
    );

    let newest = w.fake.requests_to("/2/users/:id/tweets")[0].clone();
    assert_eq!(newest.query_param("since_id"), None);
    w.fake.add_posts(2);
    w.fake.add_mentions(1);
    let second = w.sync_x(&[]).ok().json();
    assert_eq!(
        stream(&second, "posts")["reads"],
        2,
        "only the new posts were read"
    );
    assert_eq!(
        stream(&second, "mentions")["reads"],
        2,
        "one mention and its author"
    );
    let tweets = w.fake.requests_to("/2/users/:id/tweets");
    assert_eq!(
        tweets[1].query_param("since_id"),
        Some("1800000000000000012")
    );
    let mentions = w.fake.requests_to("/2/users/:id/mentions");
    assert_eq!(
        mentions[1].query_param("since_id"),
        Some("1900000000000000003")
    );
    assert_eq!(w.rows("posts"), 14);
    // A third run with nothing new reads nothing billable from the timelines.
    let third = w.sync_x(&[]).ok().json();
    assert_eq!(stream(&third, "posts")["reads"], 0);
}

#[test]
fn x_a_tier_refusal_on_dms_is_one_warning_and_the_other_streams_sync() {
    let fake = FakeX::start();
    fake.add_posts(5);
    fake.add_dms(2);
    fake.refuse_tier(DM_EVENTS_PATH);
    let mut w = World::connected(fake, TestDb::sqlite());
    let run = w.sync_x(&[]);
    assert_eq!(
        run.code, 0,
        "a refused stream is not a failure: {}",
        run.stderr
    );
    let out = run.json();
    let dms = stream(&out, "dms");
    assert_eq!(dms["status"], "skipped");
    for name in ["user", "followers", "posts", "mentions"] {
        assert_eq!(stream(&out, name)["status"], "succeeded", "{name}");
    }
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].contains("dms") && warnings[0].contains("Appropriate Level of API Access"),
        "{}",
        warnings[0]
    );
    assert_eq!(w.rows("posts"), 5);
    assert_eq!(w.rows("messages"), 0);
    // The history tells cron's operator the stream was skipped, not that it failed.
    let runs = w.quiet(&["-o", "json", "sync", "--history"]).ok().json();
    let dms = array(&runs)
        .iter()
        .find(|r| r["stream"] == "dms")
        .expect("a dms run");
    assert_eq!(dms["status"], "skipped", "{dms}");
    assert!(
        dms["error"]
            .as_str()
            .unwrap()
            .contains("Appropriate Level of API Access")
    );
}

#[test]
fn x_a_429_is_waited_out_until_a_near_reset() {
    let fake = FakeX::start();
    fake.set_followers(1500);
    let mut w = World::connected(fake, TestDb::sqlite());
    w.fake
        .throttle("/2/users/:id/followers", 1, Duration::from_secs(2));
    let started = Instant::now();
    let run = w.sync_x(&["--max-reads", "5000"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(stream(&run.json(), "followers")["status"], "succeeded");
    let statuses: Vec<u16> = w
        .fake
        .requests_to("/2/users/:id/followers")
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [200, 429, 200]);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited for the reset"
    );
    assert_eq!(w.rows("fans"), 1500);
}

#[test]
fn x_a_429_with_a_far_reset_defers_the_stream_to_the_next_run() {
    let fake = FakeX::start();
    fake.set_followers(1500);
    fake.add_posts(3);
    let mut w = World::connected(fake, TestDb::sqlite());
    w.fake
        .throttle("/2/users/:id/followers", 1, Duration::from_secs(900));
    let started = Instant::now();
    let run = w.sync_x(&["--max-reads", "5000"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "no wait for a 15-minute reset"
    );
    let out = run.json();
    assert_eq!(stream(&out, "followers")["status"], "deferred");
    assert_eq!(stream(&out, "posts")["status"], "succeeded");
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(warnings[0].contains("rate limit"), "{}", warnings[0]);
    assert_eq!(w.rows("fans"), 1000);

    w.fake.reset_rate_limits();
    let next = w.sync_x(&["--max-reads", "5000"]);
    assert_eq!(
        stream(&next.ok().json(), "followers")["status"],
        "succeeded"
    );
    let calls = w.fake.requests_to("/2/users/:id/followers");
    assert_eq!(
        calls.last().unwrap().query_param("pagination_token"),
        Some("page1000"),
        "resumed"
    );
    assert_eq!(w.rows("fans"), 1500);
}
