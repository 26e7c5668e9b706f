//! The `sync --all` benchmark (`scripts/bench-sync-all`): BENCH_ACCOUNTS connections (default
//! 1,000) spread evenly over TikTok, Reddit, X and Instagram, each a distinct user of its fake
//! (the fakes' many-users mode), synced by `sync --all --jobs 1` and then `--jobs 16` from the
//! same freshly connected state.
//!
//! The run is meant to be bound by the fakes' rate limits, so that its physical limit is known:
//! Reddit's window (BENCH_REDDIT_WINDOW requests per BENCH_REDDIT_WINDOW_SECS, per client id,
//! advertised in `X-Ratelimit-*` the way Reddit does) is the one budget all Reddit accounts
//! share. With burst-then-wait, R requests against L per window W need at least
//! `(ceil(R / L) - 1) * W` seconds: the first window starts with the first request, and each
//! further window can only start when the one before resets. The run's minimum is the largest
//! such figure over the budgets, with R what the fakes actually recorded during the run. The
//! other budgets do not bind at one page per account: X counts per user and endpoint (one
//! request each), TikTok's client-side quota is 600 requests a minute per endpoint (more than
//! BENCH_ACCOUNTS / 4 only above 2,400 accounts; it is counted the same way), and Instagram's
//! usage headers stay at 5 %, under the 75 % where the client starts spacing.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::fake_instagram::{self, FakeInstagram};
use crate::support::fake_reddit::{self, FakeReddit};
use crate::support::fake_tiktok::{self, FakeBrowser, FakeTikTok, RecordedRequest};
use crate::support::fake_x::{self, FakeX};
use crate::support::{TestDb, TestEnv, assert_same_crm, crm_contents, free_port};

use crate::support::world::MASTER_KEY;
pub const PLATFORMS: [&str; 4] = ["tiktok", "reddit", "x", "instagram"];
/// TikTok's client-side quota (requests a minute per endpoint), the binary's default.
const TIKTOK_PER_MINUTE: usize = 600;

/// The four fakes in many-users mode, and the redirect URIs registered with them.
pub struct Fakes {
    pub tiktok: FakeTikTok,
    pub reddit: FakeReddit,
    pub x: FakeX,
    pub instagram: FakeInstagram,
    reddit_redirect: String,
    x_redirect: String,
    instagram_redirect: String,
}

impl Fakes {
    pub fn start() -> Fakes {
        let reddit_redirect = format!("http://127.0.0.1:{}/callback/", free_port());
        let x_redirect = format!("http://127.0.0.1:{}/callback", free_port());
        let instagram_redirect = format!("http://127.0.0.1:{}/callback/", free_port());
        let fakes = Fakes {
            tiktok: FakeTikTok::start(),
            reddit: FakeReddit::start(&reddit_redirect),
            x: FakeX::start(),
            instagram: FakeInstagram::start(&instagram_redirect),
            reddit_redirect,
            x_redirect,
            instagram_redirect,
        };
        fakes.tiktok.serve_many_users();
        fakes.tiktok.set_videos_per_user(20);
        fakes.reddit.serve_many_users();
        fakes.x.serve_many_users();
        fakes.instagram.serve_many_users();
        fakes
    }

    /// The binary with every platform's app credentials and fake, the file secrets backend and
    /// the database `db`.
    pub fn command(&self, env: &TestEnv, db: &TestDb, args: &[&str]) -> Command {
        let mut cmd = env.command(args);
        self.tiktok.apply(&mut cmd);
        self.reddit.apply(&mut cmd);
        self.x.apply(&mut cmd);
        self.instagram.apply(&mut cmd);
        cmd.env("SOCIALCRM_DATABASE_URL", &db.url)
            .env("SOCIALCRM_SECRETS", "file")
            .env("SOCIALCRM_MASTER_KEY", MASTER_KEY)
            .env("SOCIALCRM_RETRY_BUDGET", "30")
            .env("BROWSER", "true")
            .env("TIKTOK_CLIENT_KEY", fake_tiktok::CLIENT_KEY)
            .env("TIKTOK_CLIENT_SECRET", fake_tiktok::CLIENT_SECRET)
            .env("REDDIT_CLIENT_ID", fake_reddit::CLIENT_ID)
            .env("REDDIT_CLIENT_SECRET", fake_reddit::CLIENT_SECRET)
            .env("REDDIT_REDIRECT_URI", &self.reddit_redirect)
            .env("TWITTER_CLIENT_ID", fake_x::CLIENT_ID)
            .env("TWITTER_CLIENT_SECRET", fake_x::CLIENT_SECRET)
            .env("TWITTER_REDIRECT_URI", &self.x_redirect)
            .env("TWITTER_BEARER_TOKEN", fake_x::APP_BEARER)
            .env("INSTAGRAM_APP_ID", fake_instagram::APP_ID)
            .env("INSTAGRAM_APP_SECRET", fake_instagram::APP_SECRET)
            .env("INSTAGRAM_REDIRECT_URI", &self.instagram_redirect)
            .env("ENABLE_INSTAGRAM_INSIGHTS", "false");
        cmd
    }

    /// Every request the fakes recorded, by platform.
    pub fn requests(&self) -> [(&'static str, Vec<RecordedRequest>); 4] {
        [
            ("tiktok", self.tiktok.requests()),
            ("reddit", self.reddit.requests()),
            ("x", self.x.requests()),
            ("instagram", self.instagram.requests()),
        ]
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// Connects accounts `<platform>NNNN` for NNNN in `accounts` through the binary with the fake
/// browser, one after another: Reddit, X and Instagram redirect to one registered port.
pub fn connect_all(
    fakes: &Fakes,
    env: &TestEnv,
    db: &TestDb,
    platform: &str,
    accounts: std::ops::RangeInclusive<u64>,
) {
    let browser = FakeBrowser::following_redirect();
    for k in accounts {
        let account = format!("{platform}{k:04}");
        let mut cmd = fakes.command(
            env,
            db,
            &[
                "-o",
                "json",
                "connect",
                platform,
                "--account",
                &account,
                "--timeout",
                "20",
            ],
        );
        browser.apply(&mut cmd);
        let run = env.run_cmd(cmd);
        assert_eq!(
            run.code,
            0,
            "connect {platform} {account}: {}\n{}",
            run.stderr,
            browser.errors()
        );
    }
}

/// A budget's least time: `(ceil(R / L) - 1) * W` for R requests against L per window W.
fn least_time(requests: usize, limit: usize, window: Duration) -> Duration {
    window * (requests.div_ceil(limit.max(1)).saturating_sub(1) as u32)
}

/// What one timed run measured.
struct Measured {
    jobs: u32,
    accounts: usize,
    rows: u64,
    secs: f64,
    peak_kb: f64,
    /// (budget, requests, least seconds) of every budget.
    budgets: Vec<(String, usize, f64)>,
}

impl Measured {
    fn minimum(&self) -> f64 {
        self.budgets.iter().map(|b| b.2).fold(0.0, f64::max)
    }

    fn report(&self) -> String {
        let minimum = self.minimum();
        let binding = self
            .budgets
            .iter()
            .filter(|b| b.2 > 0.0)
            .max_by(|a, b| a.2.total_cmp(&b.2))
            .map_or("nothing (no limit binds)".into(), |b| {
                format!("{} ({} requests)", b.0, b.1)
            });
        format!(
            "sync-all: --jobs {:<2} {} accounts, {} rows written in {:.2} s = {:.1} accounts/s, {:.0} rows/s, peak RSS {:.1} MB; rate-limit minimum {:.2} s by {binding}, ratio {:.2}",
            self.jobs,
            self.accounts,
            self.rows,
            self.secs,
            self.accounts as f64 / self.secs,
            self.rows as f64 / self.secs,
            self.peak_kb / 1024.0,
            minimum,
            if minimum > 0.0 {
                self.secs / minimum
            } else {
                f64::NAN
            },
        )
    }
}

/// `sync --all --jobs N` under /usr/bin/time, with the Reddit window opened afresh; checks
/// every account synced and computes the budgets from what the fakes recorded.
fn timed_sync(
    fakes: &Fakes,
    env: &TestEnv,
    db: &TestDb,
    jobs: u32,
    accounts: usize,
    window: (usize, Duration),
) -> Measured {
    fakes.reddit.set_window_size(window.0 as f64, window.1);
    let began = Instant::now();
    let jobs_arg = jobs.to_string();
    let cmd = fakes.command(
        env,
        db,
        &["-o", "json", "sync", "--all", "--jobs", &jobs_arg],
    );
    let (run, secs, peak_kb) = env.run_timed(cmd);
    assert_eq!(run.code, 0, "sync --all --jobs {jobs}: {}", run.stderr);
    let rows = run.json();
    let rows = rows.as_array().expect("a JSON list");
    let mut synced: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r["platform"].to_string(), r["account"].to_string()))
        .collect();
    synced.sort();
    synced.dedup();
    assert_eq!(synced.len(), accounts, "every account once");
    assert!(
        rows.iter().all(|r| r["status"] == "succeeded"),
        "{}",
        run.stdout
    );
    let written: u64 = rows
        .iter()
        .map(|r| r["rows_written"].as_u64().unwrap())
        .sum();
    assert_eq!(
        fakes.reddit.over_limit(),
        0,
        "no request beyond Reddit's window"
    );

    let mut budgets = Vec::new();
    for (platform, requests) in fakes.requests() {
        let during: Vec<&RecordedRequest> = requests.iter().filter(|r| r.at >= began).collect();
        let refused = during.iter().filter(|r| r.status == 429).count();
        assert_eq!(refused, 0, "{platform} answered 429 {refused} times");
        match platform {
            "reddit" => {
                let api = during
                    .iter()
                    .filter(|r| {
                        ![
                            fake_reddit::AUTHORIZE_PATH,
                            fake_reddit::TOKEN_PATH,
                            fake_reddit::REVOKE_PATH,
                        ]
                        .contains(&r.path.as_str())
                    })
                    .count();
                let least = least_time(api, window.0, window.1);
                budgets.push((
                    format!("reddit:{}", fake_reddit::CLIENT_ID),
                    api,
                    least.as_secs_f64(),
                ));
            }
            "tiktok" => {
                for path in [
                    fake_tiktok::USER_INFO_PATH,
                    fake_tiktok::VIDEO_LIST_PATH,
                    fake_tiktok::VIDEO_QUERY_PATH,
                ] {
                    let n = during.iter().filter(|r| r.path == path).count();
                    let least = least_time(n, TIKTOK_PER_MINUTE, Duration::from_secs(60));
                    budgets.push((format!("tiktok:{path}"), n, least.as_secs_f64()));
                }
            }
            // Per user and endpoint (X) or a usage percentage far from its threshold
            // (Instagram): nothing to wait for at one page per account.
            _ => budgets.push((format!("{platform}: unbound"), during.len(), 0.0)),
        }
    }
    Measured {
        jobs,
        accounts,
        rows: written,
        secs,
        peak_kb,
        budgets,
    }
}

/// Empties what a sync writes, so that the next run starts where the first one did.
fn forget_syncs(db: &TestDb) {
    db.exec(
        "DELETE FROM analytics_events; DELETE FROM messages; DELETE FROM posts; \
         DELETE FROM fans; DELETE FROM fan_accounts; DELETE FROM sync_state; DELETE FROM sync_runs; \
         UPDATE platform_connections SET last_sync_at = NULL, lease_owner = NULL, \
         lease_until = NULL, lease_released_at = NULL;",
    );
}

/// The benchmark. Run in release mode (scripts/bench-sync-all).
#[test]
#[ignore = "benchmark: run scripts/bench-sync-all"]
fn bench_sync_all() {
    let window = (
        env_number("BENCH_REDDIT_WINDOW", 300) as usize,
        Duration::from_secs(env_number("BENCH_REDDIT_WINDOW_SECS", 10)),
    );
    let db = match std::env::var("BENCH_DATABASE_URL") {
        // BENCH_DATABASE_TLS (e.g. `sslmode=require`) is added to the URL the binary gets.
        Ok(url) => match std::env::var("BENCH_DATABASE_TLS") {
            Ok(tls) if !tls.is_empty() => TestDb::postgres_schema(&url).with_query(&tls),
            _ => TestDb::postgres_schema(&url),
        },
        Err(_) => TestDb::sqlite(),
    };
    let measured = bench(&db, env_number("BENCH_ACCOUNTS", 1000), window, [1, 16]);
    for m in measured {
        println!("{}", m.report());
        for (budget, requests, least) in &m.budgets {
            println!("sync-all:   budget {budget}: {requests} requests, least {least:.2} s");
        }
    }
}

/// The benchmark in small, on both backends: the fakes' many-users mode gives every account its
/// own user and rows, and `--jobs 1` and `--jobs 4` store the same CRM, each account once.
#[test]
fn sync_all_over_many_users_of_four_platforms() {
    let window = (1000, Duration::from_secs(600));
    for db in [Some(TestDb::sqlite()), TestDb::postgres()]
        .into_iter()
        .flatten()
    {
        let measured = bench(&db, 8, window, [1, 4]);
        assert_eq!(measured[0].rows, measured[1].rows);
        let users: std::collections::BTreeSet<String> =
            crm_contents(&db.target)["platform_connections"]
                .iter()
                .map(|line| {
                    // platform|account|platform_user_id|..: the platform and its user id.
                    let parts: Vec<&str> = line.split('|').collect();
                    format!("{}|{}", parts[0], parts[2])
                })
                .collect();
        assert_eq!(users.len(), 8, "a user of its own per account: {users:?}");
    }
}

/// Connects `accounts` (rounded down to a multiple of four, at least four) through the binary,
/// then times `sync --all` with each of `jobs`, from the same state; asserts every run stored
/// the same CRM.
fn bench(db: &TestDb, accounts: u64, window: (usize, Duration), jobs: [u32; 2]) -> Vec<Measured> {
    let per_platform = (accounts / 4).max(1);
    let accounts = (per_platform * 4) as usize;
    let env = TestEnv::new();
    let fakes = Fakes::start();

    let began = Instant::now();
    // One account first: it creates the secrets store's Argon2 salt, which every later write
    // adopts (four first writes at once would each make their own).
    connect_all(&fakes, &env, db, PLATFORMS[0], 1..=1);
    std::thread::scope(|s| {
        for platform in PLATFORMS {
            let (fakes, env) = (&fakes, &env);
            let first = if platform == PLATFORMS[0] { 2 } else { 1 };
            s.spawn(move || connect_all(fakes, env, db, platform, first..=per_platform));
        }
    });
    println!(
        "sync-all: connected {accounts} accounts ({per_platform} per platform, through the binary) in {:.1} s; database {}",
        began.elapsed().as_secs_f64(),
        if db.url.starts_with("sqlite:") {
            "SQLite"
        } else {
            "PostgreSQL"
        }
    );

    let mut measured = Vec::new();
    let mut contents = Vec::new();
    for (i, jobs) in jobs.into_iter().enumerate() {
        if i > 0 {
            forget_syncs(db);
        }
        measured.push(timed_sync(&fakes, &env, db, jobs, accounts, window));
        contents.push(crm_contents(&db.target));
    }
    // Both runs stored the same CRM: nothing lost, nothing duplicated by concurrency.
    assert_same_crm(
        &contents[1],
        &contents[0],
        "the second run against the first",
    );
    let posts = contents[0]["posts"].len();
    assert!(posts >= accounts, "every account has posts: {posts}");
    measured
}
