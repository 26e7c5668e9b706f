//! `socialcrm report` through the binary, on both backends, over the example data: the OnlyFans
//! exports in `examples/` imported with `import-csv`, and a generated 90-day synced-style data
//! set with known values ([`load_synced_example`], written through socialcrm's own store, as a
//! sync would). The page's figures equal `insights --output json` for the same period and the
//! known values; the page parses, references nothing outside itself but the posts, and every
//! chart has a title and a data table; empty data never breaks it.
//!
//! `write_example_report` (ignored by default) writes the example report with the real command
//! for `scripts/check-report-in-chromium`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use scraper::{ElementRef, Html};
use serde_json::Value as Json;
use socialcrm::store::Batch;
use socialcrm::store::model::{
    AnalyticsEvent, Connection, ConnectionStatus, Post, RunStatus, SyncRun,
};
use socialcrm::vocab::PlatformId;

use crate::report_page::{sel, self_contained, text_of};
use crate::support::{TestDb, TestEnv, array, both_backends, row};

/// The report's period: 30 days ending (excluded) on 2026-11-25, the day after "now".
const FROM: &str = "2026-10-26";
const TO: &str = "2026-11-25";

/// Day `i` of the generated data, at noon: day 0 is 2026-08-27, day 89 is 2026-11-24.
fn day(i: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 8, 27, 12, 0, 0).unwrap() + Duration::days(i)
}

fn event(
    platform: &str,
    account: &str,
    subject: (&str, &str),
    metric: &str,
    period: &str,
    at: DateTime<Utc>,
    value: f64,
) -> AnalyticsEvent {
    AnalyticsEvent {
        platform: platform.parse().unwrap(),
        account: account.into(),
        subject_type: subject.0.into(),
        subject_id: subject.1.into(),
        metric: metric.into(),
        period: period.into(),
        period_start: at,
        value,
        unit: Some("count".into()),
        fan_platform_user_id: None,
    }
}

/// Known values of the generated data (day `i` from 0 to 89).
mod known {
    /// ava's TikTok followers.
    pub fn tiktok_followers(i: i64) -> f64 {
        (1000 + 10 * i) as f64
    }
    /// The views of ava's TikTok video `p` (0 to 4) at day `i`.
    pub fn video_views(p: i64, i: i64) -> f64 {
        (100 * i + 7 * p) as f64
    }
    pub fn video_likes(p: i64, i: i64) -> f64 {
        (5 * i + p) as f64
    }
    /// ava's Instagram views per day.
    pub fn instagram_views(i: i64) -> f64 {
        (50 + i) as f64
    }
    /// ava's Instagram followers.
    pub fn instagram_followers(i: i64) -> f64 {
        (400 + 3 * i) as f64
    }
    /// ben's X followers: X stopped reporting them after day 70.
    pub fn x_followers(i: i64) -> Option<f64> {
        (i <= 70).then(|| (500 + 2 * i) as f64)
    }
    pub const X_FOLLOWERS_LAST_DAY: i64 = 70;
}

/// Writes the synced-style example data into `db` through socialcrm's store, as syncs would
/// have: ava on TikTok and Instagram, ben on X; 90 days of daily snapshots with the values of
/// [`known`]; five TikTok videos (one with a hostile caption) and one X post; sync runs with a
/// skipped Instagram stream and a deferred X stream.
pub fn load_synced_example(db: &TestDb) {
    let mut store = db.open();
    store.ensure_current().unwrap();
    let connection = |platform: &str, account: &str| Connection {
        platform: platform.parse().unwrap(),
        account: account.into(),
        platform_user_id: Some(format!("{platform}-{account}")),
        username: Some(account.into()),
        status: ConnectionStatus::Active,
        connected_at: Some(day(0)),
        last_sync_at: Some(day(89)),
        ..Connection::default()
    };
    store
        .upsert(Batch::Connections(&[
            connection("tiktok", "ava"),
            connection("instagram", "ava"),
            connection("x", "ben"),
        ]))
        .unwrap();
    let ids = store.list_connections().unwrap();
    let id = |platform: &str| {
        ids.iter()
            .find(|c| c.connection.platform.name() == platform)
            .unwrap()
            .id
    };

    let mut events = Vec::new();
    for i in 0..90 {
        let at = day(i);
        events.push(event(
            "tiktok",
            "ava",
            ("account", "open-ava"),
            "follower_count",
            "snapshot",
            at,
            known::tiktok_followers(i),
        ));
        events.push(event(
            "instagram",
            "ava",
            ("account", "ig-ava"),
            "followers_count",
            "snapshot",
            at,
            known::instagram_followers(i),
        ));
        events.push(event(
            "instagram",
            "ava",
            ("account", "ig-ava"),
            "views",
            "day",
            at,
            known::instagram_views(i),
        ));
        for p in 0..5 {
            let video = format!("v{p}");
            events.push(event(
                "tiktok",
                "ava",
                ("post", &video),
                "view_count",
                "snapshot",
                at,
                known::video_views(p, i),
            ));
            events.push(event(
                "tiktok",
                "ava",
                ("post", &video),
                "like_count",
                "snapshot",
                at,
                known::video_likes(p, i),
            ));
        }
        events.push(event(
            "x",
            "ben",
            ("account", "x-ben"),
            "following_count",
            "snapshot",
            at,
            80.0,
        ));
        if let Some(v) = known::x_followers(i) {
            events.push(event(
                "x",
                "ben",
                ("account", "x-ben"),
                "followers_count",
                "snapshot",
                at,
                v,
            ));
        }
    }
    store.upsert(Batch::Analytics(&events)).unwrap();

    let captions = [
        "Morning routine 🌅",
        "<script>alert('x')</script> behind the scenes",
        "Q&A: your questions",
        "Gym day #3",
        "Studio tour",
    ];
    let mut posts: Vec<Post> = captions
        .iter()
        .enumerate()
        .map(|(p, caption)| Post {
            platform: PlatformId::Tiktok,
            platform_post_id: format!("v{p}"),
            account: Some("ava".into()),
            caption: Some(caption.to_string()),
            url: Some(if p == 1 {
                "javascript:alert(1)".to_string()
            } else {
                format!("https://www.tiktok.com/@ava/video/{p}")
            }),
            media_type: Some("video".into()),
            published_at: Some(day(62 + p as i64)),
            view_count: Some(known::video_views(p as i64, 89) as i64),
            like_count: Some(known::video_likes(p as i64, 89) as i64),
            comment_count: Some(3 * p as i64),
            share_count: Some(p as i64),
            metrics_at: Some(day(89)),
        })
        .collect();
    posts.push(Post {
        platform: PlatformId::X,
        platform_post_id: "t1".into(),
        account: Some("ben".into()),
        caption: Some("Launch thread".into()),
        url: Some("https://x.com/ben/status/1".into()),
        media_type: None,
        published_at: Some(day(80)),
        view_count: Some(4200),
        like_count: Some(300),
        comment_count: Some(20),
        share_count: Some(10),
        metrics_at: Some(day(89)),
    });
    store.upsert(Batch::Posts(&posts)).unwrap();

    let run = |n: u32, platform: &str, stream: &str, status: &str, error: Option<&str>| SyncRun {
        run_id: format!("run-{n}"),
        connection_id: Some(id(platform)),
        stream: Some(stream.into()),
        started_at: day(89) - Duration::hours(i64::from(10 - n)),
        finished_at: Some(day(89) - Duration::hours(i64::from(10 - n)) + Duration::minutes(1)),
        status: RunStatus::parse(status).unwrap(),
        rows_read: 10,
        rows_written: 10,
        error: error.map(str::to_string),
        host: Some("example".into()),
    };
    store
        .upsert(Batch::SyncRuns(&[
            run(1, "tiktok", "profile", "succeeded", None),
            run(2, "tiktok", "videos", "succeeded", None),
            run(3, "instagram", "profile", "succeeded", None),
            run(4, "instagram", "insights", "skipped", Some("the app may not read insights (instagram_business_manage_insights not granted)")),
            run(5, "x", "user", "succeeded", None),
            run(6, "x", "posts", "deferred", Some("X's rate limit resets after the run's deadline")),
        ]))
        .unwrap();
}

/// The example CRM: the OnlyFans exports of `examples/`, imported with the binary, and the
/// synced-style data of [`load_synced_example`].
pub fn load_example(env: &TestEnv, db: &TestDb) {
    for kind in ["fans", "messages", "earnings"] {
        let file = format!(
            "{}/examples/onlyfans-{kind}.csv",
            env!("CARGO_MANIFEST_DIR")
        );
        env.on(db, &["import-csv", "onlyfans", kind, &file]).ok();
    }
    load_synced_example(db);
}

fn scope<'a>(report: &'a Json, name: &str) -> &'a Json {
    row(&report["scopes"], "name", name)
}

fn figure(scope: &Json, key: &str) -> (Option<f64>, Option<f64>) {
    let f = row(&scope["figures"], "key", key);
    (f["value"].as_f64(), f["previous"].as_f64())
}

/// An `insights -o json` metric of the same period.
fn metric<'a>(insights: &'a Json, platform: &str, subject: &str, name: &str) -> &'a Json {
    array(&insights["metrics"])
        .iter()
        .find(|m| m["platform"] == platform && m["subject_type"] == subject && m["metric"] == name)
        .unwrap_or_else(|| panic!("no {platform} {subject} {name} in {insights}"))
}

/// Every chart: an `<svg>` whose first children are `<title>` and `<desc>`, followed by a
/// `<details>` data table with rows. Returns the chart titles.
fn charts(doc: &Html) -> Vec<String> {
    doc.select(&sel("svg"))
        .map(|svg| {
            let children: Vec<_> = svg.child_elements().collect();
            assert_eq!(children[0].value().name(), "title");
            assert_eq!(children[1].value().name(), "desc");
            let title = text_of(children[0]);
            assert!(!title.is_empty() && !text_of(children[1]).is_empty());
            let next = svg.next_siblings().find_map(ElementRef::wrap).unwrap();
            assert_eq!(
                next.value().name(),
                "details",
                "{title}: the data table follows"
            );
            assert!(
                next.select(&sel("table tbody tr")).count() > 0,
                "{title}: an empty table"
            );
            title
        })
        .collect()
}

fn write_report(env: &TestEnv, db: &TestDb, extra: &[&str]) -> String {
    let out = env.path().join("report.html");
    let mut args = vec![
        "report",
        "--from",
        FROM,
        "--to",
        TO,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let run = env.on(db, &args);
    run.ok();
    run.stderr_has("wrote ");
    std::fs::read_to_string(out).unwrap()
}

both_backends! {
    report_figures_equal_insights_and_the_known_values: |db| {
        let env = TestEnv::new();
        load_example(&env, &db);
        let report = env.crm_json(&db, &["report", "--from", FROM, "--to", TO]);
        let insights = |account: &str, from: &str, to: &str| {
            env.crm_json(&db, &["insights", "--account", account, "--from", from, "--to", to, "--top", "0"])
        };
        let now = insights("ava", FROM, TO);
        let before = insights("ava", "2026-09-26", FROM);
        let ava = scope(&report, "ava");

        // Followers: the last value of the period, against the previous period's last.
        let tiktok = metric(&now, "tiktok", "account", "follower_count");
        assert_eq!(figure(ava, "followers.tiktok"), (tiktok["last"].as_f64(), metric(&before, "tiktok", "account", "follower_count")["last"].as_f64()));
        assert_eq!(figure(ava, "followers.tiktok"), (Some(known::tiktok_followers(89)), Some(known::tiktok_followers(59))));
        assert_eq!(figure(ava, "followers.instagram").0, Some(known::instagram_followers(89)));

        // Views: the change of TikTok's post views plus the sum of Instagram's daily views.
        let views = metric(&now, "tiktok", "post", "view_count")["change"].as_f64().unwrap()
            + metric(&now, "instagram", "account", "views")["sum"].as_f64().unwrap();
        let want: f64 = (0..5).map(|p| known::video_views(p, 89) - known::video_views(p, 60)).sum::<f64>()
            + (60..90).map(known::instagram_views).sum::<f64>();
        assert_eq!(figure(ava, "views").0, Some(views));
        assert_eq!(views, want);
        let likes = metric(&now, "tiktok", "post", "like_count")["change"].as_f64().unwrap();
        assert_eq!(figure(ava, "engagement").0, Some(likes));

        // Revenue: the sum of the gross payments of the examples' earnings (all in November).
        let all = env.crm_json(&db, &["insights", "onlyfans", "--from", FROM, "--to", TO, "--top", "0"]);
        let gross: f64 = array(&all["metrics"]).iter()
            .filter(|m| m["metric"].as_str().unwrap().starts_with("gross_"))
            .map(|m| m["total"].as_f64().unwrap())
            .sum();
        assert!(gross > 0.0);
        let imports = scope(&report, "default");
        let (revenue, previous) = figure(imports, "revenue");
        assert!((revenue.unwrap() - gross).abs() < 1e-9, "{revenue:?} vs {gross}");
        assert_eq!(previous, Some(0.0));
        let weekly: f64 = array(&imports["revenue_by_week"]).iter()
            .map(|w| ["subscriptions", "tips", "messages", "other"].iter().map(|c| w[c].as_f64().unwrap()).sum::<f64>())
            .sum();
        assert!((weekly - gross).abs() < 1e-9);

        // The agency adds the accounts up.
        let agency = scope(&report, "Agency (3 accounts)");
        assert_eq!(figure(agency, "followers.x").0, known::x_followers(known::X_FOLLOWERS_LAST_DAY));
        assert_eq!(figure(agency, "views").0, Some(want));
        let (fans, _) = figure(agency, "new_fans");
        assert!(fans.unwrap() >= 1.0);
        let top_fans = agency["top_fans"].as_array().unwrap();
        assert_eq!(top_fans[0]["username"], "nightowl_88", "{top_fans:?}");
        assert!(top_fans.windows(2).all(|w| w[0]["spent"].as_f64() >= w[1]["spent"].as_f64()));

        // The built-in segments' counts are `segments list`'s (the agency holds every account).
        let listed = env.crm_json(&db, &["segments", "list"]);
        let segments = agency["segments"].as_array().unwrap();
        assert_eq!(segments.len(), 3, "{segments:?}");
        for seg in segments {
            let line = array(&listed).iter().find(|l| l["name"] == seg["name"]).unwrap();
            assert_eq!(seg["fans"], line["fans"], "{}", seg["name"]);
        }
        assert!(segments.iter().any(|s| s["fans"].as_i64().unwrap() > 0), "{segments:?}");

        // Curves: one point per day, each the day's value.
        let curve = array(&ava["followers"]).iter().find(|c| c["platform"] == "tiktok").unwrap();
        let points = curve["points"].as_array().unwrap();
        assert_eq!(points.len(), 30);
        assert_eq!(points[0]["day"], "2026-10-26");
        assert_eq!(points[29]["value"].as_f64(), Some(known::tiktok_followers(89)));

        // Top posts by views, highest first; by engagement rate, highest first.
        let by_views: Vec<i64> = array(&ava["top_posts_by_views"]).iter().map(|p| p["views"].as_i64().unwrap()).collect();
        assert_eq!(by_views.len(), 5);
        assert!(by_views.windows(2).all(|w| w[0] >= w[1]));
        let rates: Vec<f64> = array(&ava["top_posts_by_engagement"]).iter().map(|p| p["engagement_rate"].as_f64().unwrap()).collect();
        assert!(rates.windows(2).all(|w| w[0] >= w[1]), "{rates:?}");

        // Data health: the skipped and deferred streams, and X's followers that stopped.
        let streams: Vec<(String, String)> = array(&report["health"]["streams"]).iter()
            .map(|s| (s["stream"].as_str().unwrap().to_string(), s["status"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(streams, [("insights".to_string(), "skipped".to_string()), ("posts".into(), "deferred".into())]);
        let stopped = report["health"]["stopped_metrics"].as_array().unwrap();
        assert_eq!(stopped.len(), 1, "{stopped:?}");
        assert_eq!((stopped[0]["platform"].as_str(), stopped[0]["metric"].as_str()), (Some("x"), Some("followers_count")));
        assert_eq!(stopped[0]["last_seen"].as_str(), Some(day(known::X_FOLLOWERS_LAST_DAY).to_rfc3339_opts(chrono::SecondsFormat::Secs, true).as_str()));
    };

    the_page_shows_the_figures_parses_and_references_only_posts: |db| {
        let env = TestEnv::new();
        load_example(&env, &db);
        let data = env.crm_json(&db, &["report", "--from", FROM, "--to", TO]);
        let html = write_report(&env, &db, &[]);
        let (doc, links) = self_contained(&html);
        // The hostile caption's javascript: link is text; the web links are links.
        assert!(links.iter().all(|l| l.starts_with("https://www.tiktok.com/@ava/video/") || l == "https://x.com/ben/status/1"), "{links:?}");
        assert!(links.iter().any(|l| l == "https://x.com/ben/status/1"));
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; behind the scenes"));
        let titles = charts(&doc);
        for want in ["Followers per platform", "TikTok total views of the synced posts", "Instagram views per day", "Top posts by views", "Top posts by engagement rate", "Revenue by channel per week"] {
            assert!(titles.iter().any(|t| t == want), "no chart {want:?} in {titles:?}");
        }
        // Each card shows the value of the data, formatted as on the page.
        let cards: Vec<String> = doc.select(&sel(".figure")).map(text_of).collect();
        for s in data["scopes"].as_array().unwrap() {
            for f in s["figures"].as_array().unwrap() {
                let Some(v) = f["value"].as_f64() else { continue };
                let shown = socialcrm::report::format::grouped(v);
                assert!(cards.iter().any(|c| c.starts_with(f["label"].as_str().unwrap()) && c.contains(&shown)), "{} {shown} not in {cards:?}", f["label"]);
            }
        }
        // The followers table equals the curve, day by day.
        let svg = doc.select(&sel("svg")).find(|s| s.select(&sel("title")).next().map(text_of).as_deref() == Some("Followers per platform")).unwrap();
        let table = svg.next_siblings().find_map(ElementRef::wrap).unwrap();
        let rows: Vec<Vec<String>> = table.select(&sel("tbody tr")).map(|r| r.select(&sel("td")).map(text_of).collect()).collect();
        assert_eq!(rows.len(), 30);
        assert_eq!(rows[29][0], "2026-11-24");
        // Data health names the skipped stream with its reason.
        assert!(html.contains("insights") && html.contains("skipped") && html.contains("instagram_business_manage_insights not granted"));
        let sections = doc.select(&sel("section")).count();
        assert_eq!(sections, 4 * 3 + 1, "three sections per scope (agency, ava, ben, imports) and data health");
    };

    an_empty_crm_gives_a_page_that_says_so: |db| {
        let env = TestEnv::new();
        env.on(&db, &["db", "migrate"]).ok();
        let html = write_report(&env, &db, &[]);
        let (doc, links) = self_contained(&html);
        assert!(links.is_empty());
        assert_eq!(doc.select(&sel("svg")).count(), 0);
        let gaps: Vec<String> = doc.select(&sel("figure.gap h3")).map(text_of).collect();
        assert!(gaps.iter().any(|g| g == "Connections"), "{gaps:?}");
        assert!(html.contains("No account is connected"));
    };

    one_data_point_and_a_never_synced_account_say_so: |db| {
        let env = TestEnv::new();
        let mut store = db.open();
        store.ensure_current().unwrap();
        store.upsert(Batch::Connections(&[Connection {
            platform: PlatformId::Reddit, account: "cara".into(), platform_user_id: None, username: None,
            scopes: None, status: ConnectionStatus::Active, token_expires_at: None, secret_ref: None,
            connected_at: Some(day(80)), last_sync_at: None,
        }, Connection {
            platform: PlatformId::Tiktok, account: "dan".into(), platform_user_id: None, username: None,
            scopes: None, status: ConnectionStatus::Active, token_expires_at: None, secret_ref: None,
            connected_at: Some(day(80)), last_sync_at: Some(day(89)),
        }])).unwrap();
        store.upsert(Batch::Analytics(&[event("tiktok", "dan", ("account", "d"), "follower_count", "snapshot", day(89), 77.0)])).unwrap();
        let html = write_report(&env, &db, &["--account", "cara", "--account", "dan"]);
        let (doc, _) = self_contained(&html);
        let gaps: Vec<String> = doc.select(&sel("figure.gap .gap-note")).map(text_of).collect();
        assert!(gaps.iter().any(|g| g.contains("Only one daily point (2026-11-24): TikTok 77")), "{gaps:?}");
        assert!(html.contains("never synced"));
        let cards: Vec<String> = doc.select(&sel(".figure")).map(text_of).collect();
        assert!(cards.iter().any(|c| c.starts_with("ViewsNo data")), "{cards:?}");
    };
}

#[test]
fn the_default_file_name_and_refused_targets() {
    let env = TestEnv::new();
    let db = TestDb::sqlite();
    load_synced_example(&db);
    let mut cmd = env.command(&[
        "--database-url",
        &db.url,
        "report",
        "--account",
        "ava",
        "--from",
        FROM,
        "--to",
        TO,
    ]);
    cmd.current_dir(env.path());
    env.run_cmd(cmd).ok();
    let file = env
        .path()
        .join("socialcrm-report-ava-2026-10-26-2026-11-24.html");
    let meta = std::fs::metadata(&file).unwrap();
    assert!(meta.len() > 1000);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            meta.permissions().mode() & 0o777,
            0o600,
            "the page names fans: owner-only"
        );
    }
    let dir = env.path().to_str().unwrap().to_string();
    let refused = env.on(&db, &["report", "--out", &dir]);
    refused.error_naming(1, &["a directory"]);
    let unknown = env.on(&db, &["report", "--account", "nobody"]);
    unknown.error_naming(1, &["no account named 'nobody'"]);
    let both = env.crm(&db, &["report", "--out", "-"]);
    both.one_line_error(2);
    let stdout = env.on(&db, &["report", "--account", "ben", "--out", "-"]);
    assert!(stdout.ok().stdout.starts_with("<!DOCTYPE html>"));
    self_contained(&stdout.stdout);
}

#[test]
fn open_starts_the_browser_on_the_written_file() {
    let env = TestEnv::new();
    let db = TestDb::sqlite();
    load_synced_example(&db);
    let seen = env.path().join("opened.txt");
    let out = env.path().join("r.html");
    let mut cmd = env.command(&[
        "--database-url",
        &db.url,
        "report",
        "--out",
        out.to_str().unwrap(),
        "--open",
    ]);
    let browser = env.file(
        "browser.sh",
        format!("#!/bin/sh\necho \"$1\" > {}\n", seen.display()),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    cmd.env("BROWSER", &browser);
    let run = env.run_cmd(cmd);
    run.ok();
    run.stderr_has("opened it with ");
    for _ in 0..100 {
        if std::fs::read_to_string(&seen).is_ok_and(|s| s.trim().ends_with("r.html")) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the browser was not started on file://…/r.html");
}

/// Writes the example report with the real command into SOCIALCRM_REPORT_EXAMPLE_DIR
/// (`scripts/check-report-in-chromium` runs this test with `--ignored`).
#[test]
#[ignore = "run by scripts/check-report-in-chromium"]
fn write_example_report() {
    let dir = std::env::var_os("SOCIALCRM_REPORT_EXAMPLE_DIR")
        .expect("SOCIALCRM_REPORT_EXAMPLE_DIR names the output directory");
    let env = TestEnv::new();
    let db = TestDb::sqlite();
    load_example(&env, &db);
    let out = std::path::Path::new(&dir).join("report.html");
    let out = out.to_str().unwrap();
    env.on(&db, &["report", "--from", FROM, "--to", TO, "--out", out])
        .ok();
}

mod attribution {
    //! The "Revenue attributed to posts and sources" section: there with tracking links, absent
    //! (page and JSON) without; its figures are `insights attribution`'s for the same period.
    use super::*;
    use crate::attribution::{example, figures, import_links, link_posts};

    both_backends! {
        the_report_shows_attribution_only_when_links_exist: |db| {
            let env = TestEnv::new();
            load_example(&env, &db);
            let out = env.path().join("report.html");
            let args = ["report", "--from", "2026-10-26", "--to", "2026-11-25", "--out", out.to_str().unwrap()];
            // The JSON on stdout, the page in `out`.
            let json = |env: &TestEnv| env.crm_json(&db, &args);
            let page = |env: &TestEnv| {
                json(env);
                std::fs::read_to_string(&out).unwrap()
            };
            let before = json(&env);
            assert!(array(&before["scopes"]).iter().all(|s| s.get("attribution").is_none()), "{before}");
            assert!(!page(&env).contains("Revenue attributed to posts and sources"));

            import_links(&env, &db, &example("onlyfans-links.csv"), &[]).ok();
            db.open().upsert(Batch::Posts(&link_posts())).unwrap();
            let after = json(&env);
            let with: Vec<&Json> = array(&after["scopes"]).iter().filter(|s| s.get("attribution").is_some()).collect();
            // The agency and `default`, whose links they are; ava's and ben's own scopes have none.
            assert_eq!(with.len(), 2, "{after}");
            for scope in with {
                // The report's period starts 2026-10-26: the November periods, as `insights
                // attribution --from 2026-10-26 --to 2026-11-25` counts them.
                let a = &scope["attribution"];
                let view = env.crm_json(&db, &["insights", "attribution", "--account", "default", "--from", "2026-10-26", "--to", "2026-11-25"]);
                assert_eq!(a["total"], view["total"]);
                assert_eq!(a["platforms"], view["platforms"]);
                assert_eq!(figures(&a["unattributed"]), (1, 0, 5, 7_525));
                assert_eq!(figures(&a["total"]), (4, 4, 63, 99_575));
            }
            let html = page(&env);
            assert!(html.contains("Revenue attributed to posts and sources"));
            assert!(html.contains("Unattributed (no post carried the link)"));
            assert!(html.contains("https://onlyfans.com/ava/c104"));
        };
    }
}
