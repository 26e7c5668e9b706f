//! `sync` through the binary against the fake TikTok: pages, resume, incremental runs, rate
//! limits, failures beyond the retry budget, and a token that expires mid-sync.

use serde_json::Value as Json;

use crate::connect::{connect, table_rows};
use crate::support::fake_tiktok::{FakeBrowser, FakeTikTok, TOKEN_PATH};
use crate::support::{Run, TestDb, TestEnv, array, assert_same_crm, crm_contents, stream};

type Contents = std::collections::BTreeMap<String, std::collections::BTreeSet<String>>;

/// What one clean sync of an account with `videos` videos leaves in the CRM, computed once per
/// size: the yardstick of the fault matrix.
fn clean_crm(videos: u64) -> Contents {
    static CLEAN: std::sync::Mutex<std::collections::BTreeMap<u64, Contents>> =
        std::sync::Mutex::new(std::collections::BTreeMap::new());
    if let Some(done) = CLEAN.lock().unwrap().get(&videos) {
        return done.clone();
    }
    let (env, fake) = connected(videos);
    sync(&env, &fake, "10", &[]).ok();
    let contents = crm_contents(&env.default_db());
    CLEAN.lock().unwrap().insert(videos, contents.clone());
    contents
}

/// Asserts the account's CRM equals one clean sync's.
fn assert_clean(env: &TestEnv, videos: u64, case: &str) {
    assert_same_crm(&crm_contents(&env.default_db()), &clean_crm(videos), case);
}

fn connected(videos: u64) -> (TestEnv, FakeTikTok) {
    let env = TestEnv::new();
    let fake = FakeTikTok::start();
    fake.set_videos(videos);
    let run = connect(&env, &fake, &FakeBrowser::following_redirect(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    (env, fake)
}

/// Connects more accounts of the same app under these local names.
fn connect_more(env: &TestEnv, fake: &FakeTikTok, accounts: &[&str]) {
    for account in accounts {
        let run = connect(
            env,
            fake,
            &FakeBrowser::following_redirect(),
            &["--account", account],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
}

/// `sync` with a retry budget of `budget` seconds.
fn sync(env: &TestEnv, fake: &FakeTikTok, budget: &str, extra: &[&str]) -> Run {
    let mut cmd = crate::connect::command(env, fake, &["-o", "json", "sync"]);
    cmd.args(extra)
        .env("SOCIALCRM_RETRY_BUDGET", budget)
        .env("BROWSER", "true");
    env.run_cmd(cmd)
}

#[test]
fn pages_are_synced_resumed_and_read_incrementally() {
    let (env, fake) = connected(45);
    let first = sync(&env, &fake, "10", &["tiktok"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let out = first.json();
    assert_eq!(stream(&out, "videos")["pages"], 3, "20 + 20 + 5 videos");
    assert_eq!(stream(&out, "profile")["status"], "succeeded");
    assert_eq!(table_rows(&env, &fake, "posts"), 45);
    assert_eq!(
        table_rows(&env, &fake, "analytics_events"),
        4 + 45 * 4,
        "profile counters and video metrics"
    );
    assert_eq!(table_rows(&env, &fake, "sync_runs"), 2);

    // Incremental: only the page with the new videos is read.
    fake.add_videos(5);
    let calls = fake.video_list_calls();
    let second = sync(&env, &fake, "10", &[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(stream(&second.json(), "videos")["pages"], 1);
    assert_eq!(fake.video_list_calls(), calls + 1);
    assert_eq!(table_rows(&env, &fake, "posts"), 50);

    // --full reads everything again.
    let full = sync(&env, &fake, "10", &["--full"]);
    assert_eq!(stream(&full.json(), "videos")["pages"], 3);
}

#[test]
fn a_failed_page_is_resumed_without_duplicates_or_gaps() {
    let (env, fake) = connected(45);
    // No retries: the second page's 500 stops the sync after one committed page.
    fake.fail_video_page_once(1);
    let broken = sync(&env, &fake, "0", &[]);
    assert_eq!(broken.code, 1, "{}", broken.stderr);
    let out = broken.json();
    assert_eq!(
        (
            stream(&out, "videos")["status"].as_str(),
            stream(&out, "videos")["pages"].as_u64()
        ),
        (Some("partial"), Some(1))
    );
    broken.stderr_has("HTTP 500");
    assert_eq!(table_rows(&env, &fake, "posts"), 20);

    let cursors_before = fake.video_list_cursors().len();
    let resumed = sync(&env, &fake, "0", &[]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    let cursors = fake.video_list_cursors();
    assert!(
        cursors[cursors_before].is_some(),
        "the run resumed from the stored cursor, not the start"
    );
    assert_eq!(stream(&resumed.json(), "videos")["pages"], 2);
    assert_eq!(
        table_rows(&env, &fake, "posts"),
        45,
        "nothing lost, nothing twice"
    );
    assert_clean(&env, 45, "a 500 on page 2, then a re-run");
}

#[test]
fn rate_limits_are_waited_out_and_a_500_storm_ends_in_one_line() {
    let (env, fake) = connected(5);
    fake.set_rate_limit_retry_after(Some(1));
    fake.fail_next_api_calls(1, 429);
    let limited = sync(&env, &fake, "10", &[]);
    assert_eq!(limited.code, 0, "{}", limited.stderr);
    let calls = fake.requests();
    let refused = calls.iter().position(|r| r.status == 429).expect("a 429");
    assert!(
        calls[refused + 1].at - calls[refused].at >= std::time::Duration::from_millis(950),
        "the next call waited for Retry-After"
    );
    assert_clean(&env, 5, "a 429 with Retry-After waited out");

    fake.fail_next_api_calls(1000, 500);
    let storm = sync(&env, &fake, "1", &[]);
    assert_eq!(storm.code, 1, "{}", storm.stderr);
    let lines: Vec<&str> = storm.stderr.lines().collect();
    // The first stream spends the budget; TikTok then counts as down for the run, and the
    // videos stream is deferred in the one line that names the platform.
    assert!(
        lines.iter().any(|l| l
            .contains("tiktok default profile: tiktok answered HTTP 500: internal_error")
            && l.contains("log id")),
        "{}",
        storm.stderr
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("warning: tiktok is down (")
                && l.ends_with("1 account(s) deferred to the next run: default")),
        "{}",
        storm.stderr
    );
    assert!(!storm.stderr.contains("panicked"));
}

#[test]
fn a_token_expiring_mid_sync_is_refreshed_and_the_sync_goes_on() {
    let (env, fake) = connected(45);
    let before = fake.requests_to(TOKEN_PATH).len();
    fake.expire_access_tokens_after(2);
    let run = sync(&env, &fake, "10", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(stream(&run.json(), "videos")["pages"], 3);
    let refreshes = fake.requests_to(TOKEN_PATH)[before..]
        .iter()
        .filter(|r| r.form_field("grant_type") == Some("refresh_token"))
        .count();
    assert_eq!(refreshes, 1);
    assert_eq!(table_rows(&env, &fake, "posts"), 45);
    assert_clean(&env, 45, "a 401 mid-sync, refreshed");
}

#[test]
fn insights_show_levels_changes_charts_and_top_posts() {
    let (env, fake) = connected(45);
    assert_eq!(sync(&env, &fake, "10", &[]).code, 0);
    fake.bump_all_views(100);
    let followers = fake.user().follower_count;
    fake.update_user(|u| u.follower_count += 10);
    let mut later = crate::connect::command(&env, &fake, &["-o", "json", "sync", "--full"]);
    later
        .env("SOCIALCRM_NOW", "2026-11-25T12:00:00Z")
        .env("BROWSER", "true");
    assert_eq!(env.run_cmd(later).code, 0);

    let mut cmd = crate::connect::command(
        &env,
        &fake,
        &["-o", "json", "insights", "tiktok", "--chart", "--top", "3"],
    );
    cmd.env("SOCIALCRM_NOW", "2026-11-25T13:00:00Z");
    let out = env.run_cmd(cmd).ok().json();
    let metric = |subject: &str, name: &str| {
        array(&out["metrics"])
            .iter()
            .find(|m| m["subject_type"] == subject && m["metric"] == name)
            .unwrap_or_else(|| panic!("no {subject} {name} in {out}"))
            .clone()
    };
    let f = metric("account", "follower_count");
    assert_eq!(
        (f["kind"].as_str(), f["points"].as_u64()),
        (Some("level"), Some(2))
    );
    assert_eq!(f["change"].as_f64(), Some(10.0));
    assert_eq!(f["last"].as_f64(), Some((followers + 10) as f64));
    assert_eq!(f["series"].as_array().unwrap().len(), 2);
    let views = metric("post", "view_count");
    assert_eq!(
        views["change"].as_f64(),
        Some(45.0 * 100.0),
        "every video gained 100 views"
    );
    let top = out["top_posts"].as_array().unwrap();
    assert_eq!(top.len(), 3);
    assert!(top[0]["view_count"].as_i64() >= top[1]["view_count"].as_i64());

    let mut table = crate::connect::command(
        &env,
        &fake,
        &["insights", "--chart", "--metric", "follower_count"],
    );
    table.env("SOCIALCRM_NOW", "2026-11-25T13:00:00Z");
    let text = env.run_cmd(table).ok().stdout.clone();
    assert!(
        text.contains("follower_count") && text.contains("+10") && text.contains('█'),
        "{text}"
    );
    assert!(!text.contains("view_count"), "--metric filters");
}

/// The sync benchmark (`scripts/bench-sync`): BENCH_VIDEOS videos (default 100,000) over pages
/// of 20 from the fake TikTok, timed with peak memory. Run in release mode.
#[test]
#[ignore = "benchmark: run scripts/bench-sync"]
fn bench_sync() {
    let videos: u64 = std::env::var("BENCH_VIDEOS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let (env, fake) = connected(videos);
    let mut inner = crate::connect::command(&env, &fake, &["-o", "json", "sync"]);
    // The engine's own speed: TikTok's quota (600 pages a minute) would cap it otherwise.
    inner
        .env("BROWSER", "true")
        .env("SOCIALCRM_TIKTOK_REQUESTS_PER_MINUTE", "0");
    let (run, secs, kb) = env.run_timed(inner);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.json();
    let pages = stream(&out, "videos")["pages"].as_u64().unwrap();
    let rows = stream(&out, "videos")["rows_read"].as_u64().unwrap();
    assert_eq!(table_rows(&env, &fake, "posts") as u64, videos);
    println!(
        "sync: {videos} videos over {pages} pages ({rows} rows incl. metric events) in {secs:.2} s = {:.0} videos/s, {:.0} pages/s, peak RSS {:.1} MB",
        videos as f64 / secs,
        pages as f64 / secs,
        kb / 1024.0
    );
}

#[test]
fn one_account_failing_while_another_syncs_exits_3() {
    let (env, fake) = connected(5);
    let second = connect(
        &env,
        &fake,
        &FakeBrowser::following_redirect(),
        &["--account", "second"],
    );
    assert_eq!(second.code, 0, "{}", second.stderr);
    // Accounts sync in name order: "default" meets the two failures (one per stream, no
    // retries), "second" syncs. A 400 is the account's own trouble; a 5xx would say TikTok
    // is down and defer "second" (see recovery.rs).
    fake.fail_next_api_calls(2, 400);
    let run = sync(&env, &fake, "0", &[]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let rows = run.json();
    let status = |account: &str, stream: &str| {
        array(&rows)
            .iter()
            .find(|r| r["account"] == account && r["stream"] == stream)
            .unwrap()["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(status("default", "videos"), "failed");
    assert_eq!(status("second", "videos"), "succeeded");
    run.stderr_has("tiktok default videos: tiktok answered HTTP 400");
}

/// `sync --all` twice at once over the same connections: each connection is synced by exactly
/// one of them, never both, and the rows are those of one sync.
#[test]
fn two_concurrent_syncs_share_the_connections() {
    let (env, fake) = connected(5);
    for i in 1..20 {
        let account = format!("acct{i:02}");
        let run = connect(
            &env,
            &fake,
            &FakeBrowser::following_redirect(),
            &["--account", &account],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let spawn = || {
        let mut cmd =
            crate::connect::command(&env, &fake, &["-o", "json", "sync", "--all", "--jobs", "4"]);
        cmd.env("BROWSER", "true")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        cmd.spawn().unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let mut synced = 0;
    for out in crate::support::all_succeed(vec![a, b]) {
        let rows: Json = serde_json::from_slice(&out.stdout).unwrap();
        synced += array(&rows)
            .iter()
            .filter(|r| r["stream"] == "videos")
            .count();
    }
    assert_eq!(synced, 20, "every connection synced once across both runs");
    assert_eq!(fake.video_list_calls(), 20);
    assert_eq!(
        table_rows(&env, &fake, "posts"),
        5,
        "the same five videos, no duplicates"
    );
}

/// A lease record whose holder is gone (its process died; nothing holds the claim) does not
/// lock the account out: the next sync takes it over at once and marks the dead run's
/// `running` rows abandoned, which `sync --history` shows.
#[test]
fn a_dead_workers_lease_is_taken_over_at_once() {
    let (env, fake) = connected(5);
    let target = env.default_db();
    let sql = "UPDATE platform_connections SET lease_owner = 'deadhost:4242:run', \
               lease_until = '2999-01-01T00:00:00.000000Z'; \
               INSERT INTO sync_runs (run_id, connection_id, stream, started_at, status, rows_read, \
               rows_written, host, revision, created_at, updated_at) SELECT 'dead-run', id, 'videos', \
               '2026-11-24T11:00:00.000000Z', 'running', 0, 0, 'deadhost', 1, \
               '2026-11-24T11:00:00.000000Z', '2026-11-24T11:00:00.000000Z' FROM platform_connections";
    let socialcrm::config::DatabaseTarget::Sqlite { path } = &target else {
        unreachable!()
    };
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch(sql)
        .unwrap();

    let taken = sync(&env, &fake, "10", &[]);
    assert_eq!(taken.code, 0, "{}", taken.stderr);
    assert!(!taken.stderr.contains("skipped"), "{}", taken.stderr);
    assert_eq!(stream(&taken.json(), "videos")["status"], "succeeded");
    let history = crate::connect::run(
        &env,
        &fake,
        None,
        &["-o", "json", "sync", "--history", "--limit", "10"],
    );
    let runs = history.ok().json();
    let dead = array(&runs)
        .iter()
        .find(|r| r["stream"] == "videos" && r["host"] == "deadhost")
        .cloned()
        .unwrap_or_default();
    assert_eq!(dead["status"], "abandoned", "{runs}");
    assert!(
        dead["error"]
            .as_str()
            .is_some_and(|e| e.contains("host deadhost, pid 4242")),
        "{dead}"
    );
}

#[test]
fn history_lists_runs_and_json_logs_carry_the_account_span() {
    let (env, fake) = connected(5);
    let mut cmd = crate::connect::command(
        &env,
        &fake,
        &["-vv", "--log-format", "json", "-o", "json", "sync"],
    );
    cmd.env("BROWSER", "true");
    let run = env.run_cmd(cmd);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let logs: Vec<Json> = run
        .stderr
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON log line ({e}): {l}"))
        })
        .collect();
    assert!(
        logs.iter()
            .any(|l| l["span"]["account"] == "default" && l["span"]["platform"] == "tiktok"),
        "{}",
        run.stderr
    );

    let history = crate::connect::run(
        &env,
        &fake,
        None,
        &["-o", "json", "sync", "--history", "--limit", "10"],
    );
    let runs = history.ok().json();
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 2, "profile and videos");
    assert!(
        runs.iter()
            .all(|r| r["status"] == "succeeded" && r["account"] == "default")
    );
    let bad = crate::connect::run(&env, &fake, None, &["sync", "--history", "--all"]);
    assert_eq!(bad.code, 2, "--history does not sync");
}

/// Fault matrix, first cases: whatever goes wrong on the way, the CRM ends as one clean sync
/// leaves it.
#[test]
fn truncated_replies_are_retried_and_the_result_equals_a_clean_sync() {
    let (env, fake) = connected(45);
    fake.truncate_next_replies(3);
    let run = sync(&env, &fake, "10", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(stream(&run.json(), "videos")["pages"], 3);
    assert_eq!(table_rows(&env, &fake, "posts"), 45);
    assert_eq!(table_rows(&env, &fake, "analytics_events"), 4 + 45 * 4);
    assert_clean(&env, 45, "truncated JSON");

    // Cut short every time: the retry budget ends it with a clear error, nothing half-written.
    let (env, fake) = connected(45);
    fake.truncate_next_replies(1000);
    let run = sync(&env, &fake, "1", &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.stderr_has("cut short or is not JSON");
    assert_eq!(table_rows(&env, &fake, "posts"), 0);
}

#[test]
fn a_reply_slower_than_the_timeout_is_retried() {
    let (env, fake) = connected(45);
    fake.delay_next_replies(1, std::time::Duration::from_millis(1500));
    let mut cmd = crate::connect::command(&env, &fake, &["-o", "json", "sync"]);
    cmd.env("SOCIALCRM_HTTP_TIMEOUT", "0.5")
        .env("SOCIALCRM_RETRY_BUDGET", "10")
        .env("BROWSER", "true");
    let run = env.run_cmd(cmd);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(table_rows(&env, &fake, "posts"), 45);
    assert_eq!(table_rows(&env, &fake, "analytics_events"), 4 + 45 * 4);
    assert_clean(&env, 45, "a fault mid-reply");
}

#[test]
fn a_sync_killed_mid_page_is_finished_by_the_next_run() {
    let (env, fake) = connected(45);
    fake.delay_next_replies(3, std::time::Duration::from_millis(400));
    let mut cmd = crate::connect::command(&env, &fake, &["-o", "json", "sync"]);
    cmd.env("BROWSER", "true")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1000));
    child.kill().unwrap(); // SIGKILL: no cleanup; the claim dies with the process
    child.wait().unwrap();
    assert!(
        table_rows(&env, &fake, "posts") < 45,
        "killed before the end"
    );

    // At once: no lease to wait out.
    let mut again = crate::connect::command(&env, &fake, &["-o", "json", "sync"]);
    again.env("BROWSER", "true");
    let run = env.run_cmd(again);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(stream(&run.json(), "videos")["status"], "succeeded");
    assert_eq!(
        table_rows(&env, &fake, "posts"),
        45,
        "as one clean sync: nothing lost"
    );
    assert_eq!(
        table_rows(&env, &fake, "analytics_events"),
        4 + 45 * 4,
        "nothing twice"
    );
    assert_clean(&env, 45, "SIGKILL mid-page, then a re-run");
}

/// One of three accounts has its grant revoked at the platform: the other two sync, that one is
/// marked needs_reauth, and the run exits 4 so cron can alert a person.
#[test]
fn a_revoked_grant_on_one_of_three_accounts_exits_4_and_the_others_sync() {
    let (env, fake) = connected(5);
    connect_more(&env, &fake, &["second", "third"]);
    // The second connect's tokens, revoked at TikTok (the user removed the app).
    let second = fake.grants()[1].clone();
    let revoked = crate::support::http::post_form(
        &fake.url(crate::support::fake_tiktok::REVOKE_PATH),
        &[
            ("client_key", crate::support::fake_tiktok::CLIENT_KEY),
            ("client_secret", crate::support::fake_tiktok::CLIENT_SECRET),
            ("token", &second.access_token),
        ],
    );
    assert_eq!(revoked.status, 200);

    let run = sync(&env, &fake, "10", &[]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    run.stderr_has("run `socialcrm connect tiktok --account second`");
    let rows = run.json();
    let synced: Vec<&str> = array(&rows)
        .iter()
        .filter(|r| r["stream"] == "videos" && r["status"] == "succeeded")
        .map(|r| r["account"].as_str().unwrap())
        .collect();
    assert_eq!(synced, vec!["default", "third"]);
    let accounts = crate::connect::run(&env, &fake, None, &["-o", "json", "accounts"])
        .ok()
        .json();
    let status = |name: &str| {
        array(&accounts)
            .iter()
            .find(|a| a["account"] == name)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("second"), "needs_reauth");
    assert_eq!(status("third"), "active");
}

/// A full disk (here: a file-size limit on the process, which makes writes fail as on a full
/// disk) stops the sync with a clear error; the database stays usable and the next run
/// completes.
#[test]
fn a_full_disk_on_sqlite_fails_cleanly_and_the_database_survives() {
    use std::os::unix::process::CommandExt;
    let (env, fake) = connected(400);
    let mut cmd = crate::connect::command(&env, &fake, &["-o", "json", "sync"]);
    cmd.env("BROWSER", "true");
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 256 * 1024,
                rlim_max: 256 * 1024,
            };
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let full = env.run_cmd(cmd);
    assert_ne!(full.code, 0, "{}", full.stderr);
    let last = full.stderr.lines().last().unwrap_or_default().to_string();
    assert!(last.contains("is the disk full?"), "{}", full.stderr);

    let status = crate::connect::run(&env, &fake, None, &["-o", "json", "db", "status"]);
    assert_eq!(status.code, 0, "the database is intact: {}", status.stderr);
    let again = sync(&env, &fake, "10", &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(table_rows(&env, &fake, "posts"), 400);
    assert_clean(&env, 400, "a full disk, then a re-run");
}

#[test]
fn a_body_that_breaks_off_mid_way_is_retried_to_the_clean_result() {
    // The fake sends half of a body under the full Content-Length and stops: whether the
    // connection then resets or stalls, the request counts as lost within the timeout.
    let (env, fake) = connected(45);
    fake.cut_next_replies(1);
    let mut cmd = crate::connect::command(&env, &fake, &["-o", "json", "sync"]);
    cmd.env("SOCIALCRM_HTTP_TIMEOUT", "1")
        .env("BROWSER", "true");
    let run = env.run_cmd(cmd);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(table_rows(&env, &fake, "posts"), 45);
    assert_eq!(table_rows(&env, &fake, "analytics_events"), 4 + 45 * 4);
    assert_clean(&env, 45, "a fault mid-reply");
}

/// `sync` of an account connected on the PostgreSQL database at `url`.
fn pg_command(env: &TestEnv, fake: &FakeTikTok, url: &str, args: &[&str]) -> std::process::Command {
    let mut cmd = crate::connect::command(env, fake, args);
    cmd.env("SOCIALCRM_DATABASE_URL", url)
        .env("SOCIALCRM_RETRY_BUDGET", "10")
        .env("BROWSER", "true");
    cmd
}

fn pg_connected(url: &str, videos: u64) -> (TestEnv, FakeTikTok) {
    let env = TestEnv::new();
    let fake = FakeTikTok::start();
    fake.set_videos(videos);
    let mut cmd = pg_command(&env, &fake, url, &["connect", "tiktok", "--timeout", "20"]);
    let browser = FakeBrowser::following_redirect();
    browser.apply(&mut cmd);
    env.run_cmd(cmd).ok();
    (env, fake)
}

/// The database restarts mid-sync. A restart ends every session with an administrator
/// shutdown (57P01), which is what `pg_terminate_backend` does to this run's sessions here,
/// so the server other tests share stays up. The run opens a new session, retries the page in
/// flight and completes to what one clean sync leaves (it used to fail in one line).
#[test]
fn a_database_restart_mid_sync_is_survived_and_equals_a_clean_sync() {
    let (Some(db), Some(clean_db)) = (TestDb::postgres(), TestDb::postgres()) else {
        return;
    };
    let name = format!("crm_{}", uuid::Uuid::new_v4().simple());
    let url = format!("{}&application_name={name}", db.url);

    let (env, fake) = pg_connected(&url, 45);
    fake.delay_next_replies(3, std::time::Duration::from_millis(500));
    let mut cmd = pg_command(&env, &fake, &url, &["-o", "json", "sync"]);
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    // The first page is committed after the first delayed reply; then the sessions go.
    std::thread::sleep(std::time::Duration::from_millis(1300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the restart comes before the end"
    );
    let mut admin = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    let ended = crate::support::end_sessions(&mut admin, &name);
    assert!(ended > 0, "the sync had a session to end");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stream(&rows, "videos")["status"], "succeeded", "{rows}");
    assert_eq!(posts_in(&db), 45);

    // No claim is left behind: the next run (incremental) syncs at once.
    let again = env.run_cmd(pg_command(&env, &fake, &url, &["-o", "json", "sync"]));
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(stream(&again.json(), "videos")["status"], "succeeded");

    let (clean_env, clean_fake) = pg_connected(&clean_db.url, 45);
    clean_env
        .run_cmd(pg_command(
            &clean_env,
            &clean_fake,
            &clean_db.url,
            &["sync"],
        ))
        .ok();
    assert_same_crm(
        &crm_contents(&db.target),
        &crm_contents(&clean_db.target),
        "a database restart mid-sync, then a re-run",
    );
}

fn posts_in(db: &TestDb) -> usize {
    crm_contents(&db.target)["posts"].len()
}

/// A 429 with `Retry-After` to one account pauses every account of the same app: the budget of
/// the app's client key is shared by the `--jobs` workers, so none of them keeps knocking.
///
/// Proven by what each worker did, not by timing the fake's arrivals: on a busy machine the
/// limited worker may read the 429 long after the fake sent it, and the others' requests sent
/// meanwhile arrive "during" any window the fake could measure. So the JSON logs are read: the
/// worker that got the 429 waits for `Retry-After` before its retry, and each other account
/// that sent a list request after the pause began (by the events' own timestamps) logs a wait
/// for that budget, which only the 429 can have caused (no other limit binds here).
#[test]
fn a_429_to_one_account_pauses_every_account_of_the_app() {
    // Fifty pages per account, each reply 10 ms late so the workers' pages interleave, and the
    // 429 as soon as all three have asked for the video list (TikTok's budgets are per
    // endpoint). Retry-After 5 s is far longer than a worker needs to come back for its next
    // page, even on a loaded machine.
    let (env, fake) = connected(1000);
    connect_more(&env, &fake, &["second", "third"]);
    fake.set_rate_limit_retry_after(Some(5));
    fake.rate_limit_video_list_when_listing(3);
    fake.delay_next_replies(10_000, std::time::Duration::from_millis(10));
    let mut cmd = crate::connect::command(
        &env,
        &fake,
        &[
            "-vv",
            "--log-format",
            "json",
            "-o",
            "json",
            "sync",
            "--all",
            "--jobs",
            "3",
        ],
    );
    cmd.env("SOCIALCRM_RETRY_BUDGET", "10")
        .env("BROWSER", "true");
    let run = env.run_cmd(cmd);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let logs: Vec<Json> = run
        .stderr
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let limited = logs
        .iter()
        .find(|l| l["fields"]["message"] == "retrying" && l["fields"]["status"] == 429)
        .unwrap_or_else(|| panic!("one 429: {}", run.stderr));
    let limited_account = limited["span"]["account"].as_str().unwrap();
    assert!(
        limited["fields"]["wait_ms"].as_u64().unwrap() >= 5000,
        "the limited worker waits for Retry-After: {limited}"
    );
    // Judged by each event's own timestamp (taken when it was emitted; lines from several
    // threads may be written out of order). The limited worker logs its retry after the pause
    // is in force, so another worker that commits a video page after that moment and then
    // another one sent the second one's request during the pause: it must have waited for it.
    let ts = |l: &Json| {
        chrono::DateTime::parse_from_rfc3339(l["timestamp"].as_str().unwrap_or_default()).ok()
    };
    let limited_at = ts(limited).expect("a timestamp");
    let mut commits: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut waited: std::collections::BTreeSet<&str> = Default::default();
    for l in logs
        .iter()
        .filter(|l| ts(l).is_some_and(|t| t > limited_at))
    {
        let Some(account) = l["span"]["account"]
            .as_str()
            .filter(|a| *a != limited_account)
        else {
            continue;
        };
        if l["fields"]["message"] == "page committed" && l["fields"]["stream"] == "videos" {
            *commits.entry(account).or_default() += 1;
        }
        if l["fields"]["message"] == "waiting for the rate limit"
            && l["fields"]["budget"]
                .as_str()
                .is_some_and(|b| b.ends_with("/v2/video/list/"))
        {
            waited.insert(account);
        }
    }
    let paging: std::collections::BTreeSet<&str> = commits
        .iter()
        .filter(|(_, n)| **n >= 2)
        .map(|(a, _)| *a)
        .collect();
    assert!(
        !paging.is_empty(),
        "other accounts went on paging after the 429: {commits:?}"
    );
    assert!(
        paging.is_subset(&waited),
        "every other account that sent a list request after the 429 waited for the app's budget: paging {paging:?}, waited {waited:?}"
    );
    assert_eq!(table_rows(&env, &fake, "posts"), 1000, "all three synced");
    // Each row says how long its stream took; the pause shows in them (a sleep is never
    // shorter than asked).
    let seconds: Vec<f64> = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["seconds"].as_f64().expect("seconds per stream"))
        .collect();
    assert!(seconds.iter().any(|s| *s >= 5.0), "{seconds:?}");
}

/// A connection reset (TCP RST) half way through a page's body, twice: each request counts as
/// lost and is sent again, and the CRM ends as one clean sync leaves it.
#[test]
fn a_connection_reset_mid_body_is_retried_to_the_clean_result() {
    let (env, fake) = connected(45);
    let proxy = crate::support::reset_proxy::ResetProxy::start(fake.base_url());
    proxy.reset_next_responses(2);
    let mut cmd = crate::connect::command(&env, &fake, &["-o", "json", "sync"]);
    cmd.env("SOCIALCRM_TIKTOK_BASE_URL", proxy.base_url())
        .env("SOCIALCRM_RETRY_BUDGET", "10")
        .env("BROWSER", "true");
    let run = env.run_cmd(cmd);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(proxy.resets_left(), 0, "two replies were reset mid-body");
    assert_clean(&env, 45, "a connection reset mid-body");
}
