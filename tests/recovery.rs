//! Cron that recovers at once (issue 15), through the binary on both backends: a sync killed
//! mid-pass is taken over by the next run at once and its runs are marked `abandoned`; a live
//! sync is named when it holds accounts; a PostgreSQL session ended mid-run costs at most the
//! work in flight; a stream whose cursor does not move ends in one line; a platform that is
//! down defers its other accounts at once; a spent rate limit defers on every platform.
//!
//! Kill points are chosen by the number of requests the fake has seen, never by a sleep, and
//! every random choice comes from a printed seed (`SOCIALCRM_TEST_SEED` replays one).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value as Json;

use crate::support::fake_tiktok::{FakeBrowser, FakeTikTok};
use crate::support::{
    Run, TestDb, TestEnv, array, assert_same_crm, both_backends, crm_contents, text,
};

/// Where a test's CRM lives: SQLite in the env's data dir, or a PostgreSQL schema.
struct World {
    env: TestEnv,
    fake: FakeTikTok,
    db: Option<TestDb>,
    secrets: &'static str,
}

impl World {
    /// A fake in many-users mode (each account its own `videos` videos) with `accounts`
    /// accounts connected as acct01, acct02, ...
    fn new(db: Option<TestDb>, secrets: &'static str, accounts: usize, videos: u64) -> World {
        let world = World {
            env: TestEnv::new(),
            fake: FakeTikTok::start(),
            db,
            secrets,
        };
        world.fake.serve_many_users();
        world.fake.set_videos_per_user(videos);
        for i in 1..=accounts {
            let mut cmd = world.command(&[
                "-o",
                "json",
                "connect",
                "tiktok",
                "--timeout",
                "20",
                "--account",
                &format!("acct{i:02}"),
            ]);
            let browser = FakeBrowser::following_redirect();
            browser.apply(&mut cmd);
            world.env.run_cmd(cmd).ok();
        }
        world
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = crate::connect::command(&self.env, &self.fake, args);
        cmd.env("SOCIALCRM_SECRETS", self.secrets)
            .env("SOCIALCRM_RETRY_BUDGET", "10")
            .env("BROWSER", "true");
        if let Some(db) = &self.db {
            cmd.env("SOCIALCRM_DATABASE_URL", &db.url);
        }
        cmd
    }

    fn target(&self) -> socialcrm::config::DatabaseTarget {
        match &self.db {
            Some(db) => db.target.clone(),
            None => self.env.default_db(),
        }
    }

    fn sync(&self, extra: &[&str]) -> Run {
        let mut args = vec!["-o", "json", "sync", "--all"];
        args.extend_from_slice(extra);
        self.env.run_cmd(self.command(&args))
    }

    fn spawn_sync(&self, extra: &[&str]) -> Child {
        let mut args = vec!["-o", "json", "sync", "--all"];
        args.extend_from_slice(extra);
        let mut cmd = self.command(&args);
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd.spawn().unwrap()
    }

    /// API requests (not OAuth) the fake has answered so far.
    fn api_requests(&self) -> usize {
        self.fake
            .requests()
            .iter()
            .filter(|r| r.path.starts_with("/v2/user/") || r.path.starts_with("/v2/video/"))
            .count()
    }

    /// Waits (bounded) until the fake has seen `n` API requests, then SIGKILLs `child`, and
    /// asserts it was still running then (a kill after the end would prove nothing).
    fn kill_after(&self, child: &mut Child, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.api_requests() < n {
            assert!(
                child.try_wait().unwrap().is_none(),
                "the sync ended before its request {n}"
            );
            assert!(
                Instant::now() < deadline,
                "the sync never made {n} requests"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sync ended before the kill"
        );
        child.kill().unwrap(); // SIGKILL: no cleanup of any kind
        child.wait().unwrap();
    }

    /// Whether the sync with process id `pid` holds an account with a `running` sync run
    /// (so that a kill now leaves a run to mark abandoned).
    fn holds_a_running_stream(&self, pid: u32) -> bool {
        let sql = format!(
            "SELECT COUNT(*) FROM platform_connections c JOIN sync_runs r ON r.connection_id = c.id \
             WHERE c.lease_owner LIKE '%:{pid}:%' AND r.status = 'running'"
        );
        let n: i64 = match self.target() {
            socialcrm::config::DatabaseTarget::Sqlite { path } => rusqlite::Connection::open(path)
                .unwrap()
                .query_row(&sql, [], |r| r.get(0))
                .unwrap(),
            socialcrm::config::DatabaseTarget::Postgres { url } => {
                postgres::Client::connect(url.expose(), postgres::NoTls)
                    .unwrap()
                    .query_one(&sql, &[])
                    .unwrap()
                    .get(0)
            }
        };
        n > 0
    }

    /// Like [`World::kill_after`], and then waits (bounded) until the sync holds an account
    /// mid-stream, so the kill leaves a `running` row behind.
    fn kill_mid_stream_after(&self, child: &mut Child, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.api_requests() < n || !self.holds_a_running_stream(child.id()) {
            assert!(
                child.try_wait().unwrap().is_none(),
                "the sync ended before it was killed"
            );
            assert!(Instant::now() < deadline, "the sync never got going");
            std::thread::sleep(Duration::from_millis(2));
        }
        child.kill().unwrap(); // SIGKILL: no cleanup of any kind
        child.wait().unwrap();
    }

    fn history(&self) -> Vec<Json> {
        let run =
            self.env
                .run_cmd(self.command(&["-o", "json", "sync", "--history", "--limit", "1000"]));
        run.ok().json().as_array().unwrap().clone()
    }
}

/// What a clean `sync --all` of `accounts` many-users accounts with `videos` videos each leaves
/// on the backend `like` uses (each backend renders values as text its own way).
fn clean_contents(
    like: &World,
    accounts: usize,
    videos: u64,
) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let yardstick = like.db.as_ref().map(|_| TestDb::postgres().unwrap());
    let clean = World::new(yardstick, "file", accounts, videos);
    clean.sync(&[]).ok();
    crm_contents(&clean.target())
}

/// Accounts with a row per stream in a sync's JSON output, and their statuses.
fn statuses(run: &Run) -> Vec<(String, String, String)> {
    let row = |r: &Json| (text(r, "account"), text(r, "stream"), text(r, "status"));
    array(&run.json()).iter().map(row).collect()
}

/// The seed of a randomized test: `SOCIALCRM_TEST_SEED`, else the clock; printed either way.
fn seed(test: &str) -> u64 {
    let seed = std::env::var("SOCIALCRM_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("{test}: seed {seed} (SOCIALCRM_TEST_SEED={seed} replays it)");
    seed
}

/// xorshift64*: small, seeded, good enough to pick kill points.
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

// ---- a killed sync is taken over at once ----

/// SIGKILLed mid-pass, a sync leaves its claims to the kernel (SQLite) or the server
/// (PostgreSQL): the immediate rerun syncs every account (none skipped), the CRM equals one
/// clean sync's, and the killed run's `running` rows are marked `abandoned`.
fn a_killed_sync_is_taken_over_at_once(db: Option<TestDb>) {
    let w = World::new(db, "file", 3, 45);
    let before = w.api_requests();
    w.fake.delay_next_replies(1000, Duration::from_millis(40));
    let mut child = w.spawn_sync(&["--jobs", "3"]);
    w.kill_mid_stream_after(&mut child, before + 4);
    w.fake.clear_delays();
    let rerun = w.sync(&["--jobs", "3"]);
    assert_eq!(rerun.code, 0, "{}", rerun.stderr);
    assert!(!rerun.stderr.contains("skipped"), "{}", rerun.stderr);
    let synced: Vec<_> = statuses(&rerun)
        .into_iter()
        .filter(|(_, s, status)| s == "videos" && status == "succeeded")
        .collect();
    assert_eq!(
        synced.len(),
        3,
        "every account synced by the rerun: {synced:?}"
    );
    assert_same_crm(
        &crm_contents(&w.target()),
        &clean_contents(&w, 3, 45),
        "SIGKILL mid-pass, then an immediate rerun",
    );
    let history = w.history();
    assert!(
        history.iter().all(|r| r["status"] != "running"),
        "no run stays running: {history:?}"
    );
    let abandoned: Vec<_> = history
        .iter()
        .filter(|r| r["status"] == "abandoned")
        .collect();
    assert!(!abandoned.is_empty(), "the killed run's rows: {history:?}");
    assert!(
        abandoned.iter().all(|r| r["error"]
            .as_str()
            .unwrap()
            .contains("ended without finishing")),
        "{abandoned:?}"
    );
}

both_backends! { default
    a_killed_sync_is_taken_over_at_once: |db| a_killed_sync_is_taken_over_at_once(db);
}

/// A live holder of an account (here this test process, through the library) is named in
/// one line with its host, pid and since; once it lets go, the next run syncs the account.
fn a_live_holder_is_named_and_then_taken_over(db: Option<TestDb>) {
    let w = World::new(db, "file", 2, 5);
    let mut store = socialcrm::store::open(&w.target()).unwrap();
    let id = store
        .list_connections()
        .unwrap()
        .into_iter()
        .find(|c| c.connection.account == "acct01")
        .unwrap()
        .id;
    let owner = format!("testhost:{}:holder", std::process::id());
    let claim = store
        .claim_connection(id, &owner, chrono::Utc::now())
        .unwrap();
    assert!(
        matches!(claim, socialcrm::store::model::Claim::Claimed { .. }),
        "{claim:?}"
    );
    let held = w.sync(&[]);
    assert_eq!(held.code, 0, "{}", held.stderr);
    let line = format!(
        "1 account(s) skipped: a live sync holds them (host testhost, pid {}, since ",
        std::process::id()
    );
    let lines: Vec<&str> = held.stderr.lines().filter(|l| l.contains(&line)).collect();
    assert_eq!(lines.len(), 1, "{}", held.stderr);
    assert!(lines[0].ends_with(": tiktok acct01"), "{}", lines[0]);
    let synced: Vec<_> = statuses(&held).into_iter().map(|(a, _, _)| a).collect();
    assert!(synced.iter().all(|a| a == "acct02"), "{synced:?}");

    drop(store); // the holder goes away without giving the claim back
    let taken = w.sync(&[]);
    assert_eq!(taken.code, 0, "{}", taken.stderr);
    assert!(
        statuses(&taken)
            .iter()
            .any(|(a, s, st)| a == "acct01" && s == "videos" && st == "succeeded"),
        "{}",
        taken.stdout
    );
}

both_backends! { default
    a_live_holder_is_named_and_then_taken_over: |db| a_live_holder_is_named_and_then_taken_over(db);
}

/// Two runs share the accounts; one of them is killed; a third run started then takes over
/// what the killed one held at once: each account synced once per live run, every account
/// synced, no duplicate rows, and the killed run's rows marked abandoned.
fn two_live_runs_and_a_third_after_one_is_killed(db: Option<TestDb>) {
    let w = World::new(db, "file", 6, 25);
    let before = w.api_requests();
    w.fake.delay_next_replies(1000, Duration::from_millis(30));
    let mut killed = w.spawn_sync(&["--jobs", "2"]);
    let live = w.spawn_sync(&["--jobs", "2"]);
    w.kill_mid_stream_after(&mut killed, before + 6);
    let third = w.spawn_sync(&["--jobs", "2"]);
    let outs = crate::support::all_succeed(vec![live, third]);
    w.fake.clear_delays();
    let mut synced = std::collections::BTreeSet::new();
    for out in &outs {
        let rows: Json = serde_json::from_slice(&out.stdout).unwrap();
        let mut this_run = std::collections::BTreeSet::new();
        for r in rows.as_array().unwrap() {
            if r["stream"] == "videos" && r["status"] == "succeeded" {
                let account = r["account"].as_str().unwrap().to_string();
                assert!(
                    this_run.insert(account.clone()),
                    "{account} synced twice by one run"
                );
                synced.insert(account);
            }
        }
    }
    assert_eq!(
        synced.len(),
        6,
        "the live runs synced every account: {synced:?}"
    );
    assert_same_crm(
        &crm_contents(&w.target()),
        &clean_contents(&w, 6, 25),
        "two runs, one killed, a third",
    );
    let history = w.history();
    assert!(
        history.iter().all(|r| r["status"] != "running"),
        "{history:?}"
    );
    assert!(
        history.iter().any(|r| r["status"] == "abandoned"),
        "the killed run's rows: {history:?}"
    );
}

both_backends! { default
    two_live_runs_and_a_third_after_one_is_killed: |db| two_live_runs_and_a_third_after_one_is_killed(db);
}

/// Twenty kill points in all (ten per backend), each after a random number of the fake's
/// requests into a `--full` pass over four accounts and both streams (profile, videos); after each, an immediate
/// rerun syncs every account and the CRM equals one clean sync's, table by table.
fn randomized_kills(db: Option<TestDb>, name: &str) {
    let mut state = seed(name) | 1;
    let w = World::new(db, "file", 4, 30);
    w.sync(&["--jobs", "2"]).ok();
    let clean = clean_contents(&w, 4, 30);
    assert_same_crm(&crm_contents(&w.target()), &clean, "the first sync");
    let before = w.api_requests();
    w.sync(&["--full"]).ok();
    let pass = w.api_requests() - before;
    assert_eq!(pass, 12, "a full pass: 4 x (profile, 2 video pages)");
    // A full pass of four accounts: 4 x (1 profile + 2 video pages + 2 queries) requests.
    for point in 0..10 {
        // Before the pass's last request, so the run is surely still going.
        let k = 1 + (next(&mut state) % (pass as u64 - 1)) as usize;
        let jobs = if next(&mut state).is_multiple_of(2) {
            "1"
        } else {
            "2"
        };
        let before = w.api_requests();
        w.fake.delay_next_replies(1000, Duration::from_millis(15));
        let mut child = w.spawn_sync(&["--full", "--jobs", jobs]);
        w.kill_after(&mut child, before + k);
        w.fake.clear_delays();
        let rerun = w.sync(&["--jobs", jobs]);
        let case = format!("{name}: kill point {point} after {k} requests (--jobs {jobs})");
        assert_eq!(rerun.code, 0, "{case}: {}", rerun.stderr);
        assert!(
            !rerun.stderr.contains("skipped"),
            "{case}: {}",
            rerun.stderr
        );
        let accounts: std::collections::BTreeSet<_> =
            statuses(&rerun).into_iter().map(|(a, _, _)| a).collect();
        assert_eq!(
            accounts.len(),
            4,
            "{case}: every account synced: {accounts:?}"
        );
        assert_same_crm(&crm_contents(&w.target()), &clean, &case);
    }
    let history = w.history();
    assert!(
        history.iter().all(|r| r["status"] != "running"),
        "{history:?}"
    );
}

both_backends! { default
    sigkill_at_random_points_then_a_rerun_equals_a_clean_sync: |db| {
        let name = if db.is_some() { "sigkill_on_postgres" } else { "sigkill_on_sqlite" };
        randomized_kills(db, name)
    };
}

/// Across the four platforms: two accounts each (every one its own user of its fake), a
/// `--full` pass killed after a random number of requests to any fake, then an immediate
/// rerun; ten kill points per backend, each ending as one clean sync's CRM. TikTok's replies
/// are slowed so that the run is still going when the kill comes; a point where the run had
/// ended first does not count, and another is drawn.
fn randomized_kills_across_platforms(db: TestDb, name: &str) {
    use crate::sync_all_bench::{Fakes, PLATFORMS, connect_all};
    let mut state = seed(name) | 1;
    let env = TestEnv::new();
    let fakes = Fakes::start();
    connect_all(&fakes, &env, &db, PLATFORMS[0], 1..=1);
    for platform in PLATFORMS {
        let first = if platform == PLATFORMS[0] { 2 } else { 1 };
        connect_all(&fakes, &env, &db, platform, first..=2);
    }
    let total = || -> usize { fakes.requests().iter().map(|(_, r)| r.len()).sum() };
    let sync = |extra: &[&str]| {
        let mut args = vec!["-o", "json", "sync", "--all", "--jobs", "2"];
        args.extend_from_slice(extra);
        env.run_cmd(fakes.command(&env, &db, &args))
    };
    sync(&[]).ok();
    let clean = crm_contents(&db.target);
    let before = total();
    sync(&["--full"]).ok();
    let pass = total() - before;
    assert_same_crm(&crm_contents(&db.target), &clean, "a second, full pass");
    let (mut points, mut draws) = (0, 0);
    while points < 10 {
        draws += 1;
        assert!(
            draws <= 40,
            "{name}: too many kill points came after the end"
        );
        let k = 1 + (next(&mut state) % (pass as u64 - 1)) as usize;
        let before = total();
        fakes
            .tiktok
            .delay_next_replies(1000, Duration::from_millis(30));
        let mut cmd = fakes.command(
            &env,
            &db,
            &["-o", "json", "sync", "--all", "--full", "--jobs", "2"],
        );
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = cmd.spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while total() < before + k && child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "{name}: the sync stalled");
            std::thread::sleep(Duration::from_millis(2));
        }
        let killed = child.try_wait().unwrap().is_none();
        let _ = child.kill();
        child.wait().unwrap();
        fakes.tiktok.clear_delays();
        let rerun = sync(&[]);
        let case = format!("{name}: kill point {points} after {k} of {pass} requests");
        assert_eq!(rerun.code, 0, "{case}: {}", rerun.stderr);
        assert!(
            !rerun.stderr.contains("skipped"),
            "{case}: {}",
            rerun.stderr
        );
        assert_same_crm(&crm_contents(&db.target), &clean, &case);
        if killed {
            points += 1;
        }
    }
    eprintln!("{name}: {points} kill points in {draws} draws over a pass of {pass} requests");
}

both_backends! {
    sigkill_at_random_points_across_platforms_then_a_rerun_equals_a_clean_sync: |db| {
        let backend = if db.schema().is_some() { "postgres" } else { "sqlite" };
        randomized_kills_across_platforms(db, &format!("sigkill_platforms_on_{backend}"))
    };
}

// ---- a PostgreSQL session ended mid-run ----

/// Every session of the run (the store's and the db secrets backend's) is terminated while
/// the second of ten accounts syncs, as a failover does: the sessions reconnect, and at most
/// the account in flight fails; the rest succeed.
#[test]
fn terminated_sessions_with_db_secrets_cost_at_most_the_account_in_flight() {
    let Some(db) = TestDb::postgres() else { return };
    let name = format!("crm_{}", uuid::Uuid::new_v4().simple());
    let w = World::new(Some(db.with_application_name(&name)), "db", 10, 45);
    let before = w.api_requests();
    w.fake.delay_next_replies(1000, Duration::from_millis(20));
    let mut child = w.spawn_sync(&["--jobs", "1"]);
    // Ten accounts of 1 + 3 + 3 requests: the second account is in flight at request 10.
    let deadline = Instant::now() + Duration::from_secs(60);
    while w.api_requests() < before + 10 {
        assert!(Instant::now() < deadline, "the sync never got going");
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(child.try_wait().unwrap().is_none(), "still syncing");
    let base = std::env::var(crate::support::PG_ENV).unwrap();
    let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    let ended = crate::support::end_sessions(&mut admin, &name);
    assert!(
        ended >= 2,
        "the store's and the secrets' sessions ended ({ended})"
    );
    let out = child.wait_with_output().unwrap();
    w.fake.clear_delays();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let rows: Json = serde_json::from_slice(&out.stdout).unwrap();
    let failed: std::collections::BTreeSet<&str> = array(&rows)
        .iter()
        .filter(|r| r["status"] != "succeeded")
        .map(|r| r["account"].as_str().unwrap())
        .collect();
    eprintln!("{ended} sessions ended; accounts not synced: {failed:?}");
    assert!(
        failed.len() <= 1,
        "at most the account in flight failed: {failed:?}\n{stderr}"
    );
    let succeeded = array(&rows)
        .iter()
        .filter(|r| r["stream"] == "videos" && r["status"] == "succeeded")
        .count();
    assert!(succeeded >= 9, "{succeeded} of 10 synced\n{stderr}");
}

/// The sync's session is ended while it waits for a slow page, and another holder (this test,
/// through the library) takes the account's claim before the sync reconnects: the sync does
/// not take it back behind the holder's back; its account stops with one line, and nothing it
/// writes after that lands.
#[test]
fn a_claim_taken_while_the_session_was_lost_stops_the_account() {
    let Some(db) = TestDb::postgres() else { return };
    let name = format!("crm_{}", uuid::Uuid::new_v4().simple());
    let w = World::new(Some(db.with_application_name(&name)), "file", 1, 45);
    // The profile answers at once, the first video page after 3 s.
    w.fake.delay_next_replies(1, Duration::ZERO);
    w.fake.delay_next_replies(1, Duration::from_secs(3));
    let mut child = w.spawn_sync(&[]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while w.fake.delays_begun() < 2 {
        assert!(Instant::now() < deadline, "the sync never got going");
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(child.try_wait().unwrap().is_none(), "still syncing");
    let base = std::env::var(crate::support::PG_ENV).unwrap();
    let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    crate::support::end_sessions(&mut admin, &name);
    // Termination is a signal: the sessions (and their locks) are gone once they left the list.
    while !admin
        .query(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
            &[&name],
        )
        .unwrap()
        .is_empty()
    {
        assert!(Instant::now() < deadline, "the sessions never ended");
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut store = socialcrm::store::open(&w.target()).unwrap();
    let id = store.list_connections().unwrap()[0].id;
    let claim = store
        .claim_connection(id, "otherhost:1:other", chrono::Utc::now())
        .unwrap();
    assert!(
        matches!(claim, socialcrm::store::model::Claim::Claimed { .. }),
        "the dead session's claim is free: {claim:?}"
    );
    let out = child.wait_with_output().unwrap();
    w.fake.clear_delays();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("another sync took connection"))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("tiktok acct01 videos: "),
        "one line names the account and stream: {}",
        lines[0]
    );
    assert!(
        crm_contents(&w.target())["posts"].is_empty(),
        "the page that came back after the claim was lost was not written"
    );
    drop(store);
}

// ---- streams that never end, platforms that are down, rate limits ----

/// An API that keeps answering `has_more` with a cursor that does not move: the stream fails
/// in one line after two pages, and the run ends.
#[test]
fn a_stuck_cursor_ends_the_stream_in_one_line() {
    let w = World::new(None, "file", 1, 45);
    w.fake.stick_video_cursor();
    let before = w.api_requests();
    let run = w.sync(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines = run.stderr_lines("already read");
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].starts_with(
            "tiktok acct01 videos: tiktok: page 2 asks for a cursor this pass already read"
        ),
        "{}",
        lines[0]
    );
    // The profile, two video pages (the second repeats the cursor), nothing more.
    assert_eq!(w.api_requests() - before, 3, "bounded: no third page");
}

/// The last resort: a pass longer than `SOCIALCRM_MAX_PAGES` fails in one line.
#[test]
fn a_pass_longer_than_the_page_ceiling_fails_in_one_line() {
    let w = World::new(None, "file", 1, 45);
    let mut cmd = w.command(&["-o", "json", "sync"]);
    cmd.env("SOCIALCRM_MAX_PAGES", "2");
    let run = w.env.run_cmd(cmd);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.lines().any(|l| l
            == "tiktok acct01 videos: tiktok: 2 pages without reaching the end; the stream stops (the ceiling is SOCIALCRM_MAX_PAGES)"),
        "{}",
        run.stderr
    );
}

/// A platform answering only 5xx: the first account spends the retry budget and fails; every
/// other account of the platform is deferred at once, in one line naming the platform.
#[test]
fn a_down_platform_defers_the_rest_of_its_accounts_at_once() {
    let w = World::new(None, "file", 4, 5);
    w.fake.fail_next_api_calls(10_000, 503);
    let before = w.api_requests();
    let mut cmd = w.command(&["-o", "json", "sync", "--all", "--jobs", "1"]);
    cmd.env("SOCIALCRM_RETRY_BUDGET", "1");
    let run = w.env.run_cmd(cmd);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let rows = statuses(&run);
    let failed: Vec<_> = rows.iter().filter(|(_, _, s)| s == "failed").collect();
    assert_eq!(
        failed.len(),
        1,
        "only the first stream spent a budget: {rows:?}"
    );
    let deferred = rows.iter().filter(|(_, _, s)| s == "deferred").count();
    assert_eq!(deferred, 7, "the rest deferred: {rows:?}");
    let lines = run.stderr_lines("is down");
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].starts_with("warning: tiktok is down (tiktok answered HTTP 503")
            && lines[0]
                .ends_with("4 account(s) deferred to the next run: acct01, acct02, acct03, acct04"),
        "{}",
        lines[0]
    );
    // Only the first stream's retries reached the platform.
    let sent = w.api_requests() - before;
    let first = run.json()[0]["stream"].clone();
    assert_eq!(first, "profile");
    assert!(sent <= 10, "{sent} requests: the others were not tried");
}

/// A 429 that outlasts the retry budget defers the stream on TikTok as it does on X: a
/// warning, exit 0, and the next run continues.
#[test]
fn a_spent_rate_limit_defers_the_stream_not_fails_it() {
    let w = World::new(None, "file", 1, 45);
    w.fake.fail_next_api_calls(10_000, 429);
    let mut cmd = w.command(&["-o", "json", "sync"]);
    cmd.env("SOCIALCRM_RETRY_BUDGET", "0");
    let run = w.env.run_cmd(cmd);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = statuses(&run);
    assert!(
        rows.iter().all(|(_, _, s)| s == "deferred"),
        "{rows:?}\n{}",
        run.stderr
    );
    assert!(
        run.warnings()
            .iter()
            .any(|l| l.contains("tiktok answered HTTP 429") && l.contains("the next run continues")),
        "{}",
        run.stderr
    );
}
