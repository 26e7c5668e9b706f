//! Revenue traced to posts (issue 18): `import-csv onlyfans links` and `insights attribution`
//! through the binary on both backends, over the example set: the OnlyFans exports of
//! `examples/` (with `examples/onlyfans-links.csv`), the synced-style data of the report's
//! example, and posts carrying the links written through socialcrm's store as a sync would
//! (the same posts as `examples/crm/posts.jsonl`, which the README walkthrough restores with
//! `import-export`: `tests/walkthrough.rs`).
//!
//! The example links (account `default`, monthly periods; clicks / subscribers / revenue):
//!
//! | link | October              | November             | carried by                     |
//! |------|----------------------|----------------------|--------------------------------|
//! | c101 | 800 / 20 / 300.00    | 1200 / 35 / 540.00   | TikTok a1, TikTok a2, X t9     |
//! | c102 | 300 / 6 / 90.00      | 450 / 9 / 120.50     | Reddit r1                      |
//! | c103 | —                    | 900 / 14 / 260.00    | X t9                           |
//! | c104 | 150 / 3 / 45.00      | 200 / 5 / 75.25      | no post: unattributed          |
//!
//! TikTok a3 carries `…/c1010`, which is no link (and must not match c101).

use chrono::{TimeZone, Utc};
use serde_json::Value as Json;
use socialcrm::store::Batch;
use socialcrm::store::model::Post;

use crate::support::{Run, TestDb, TestEnv, array, assert_contains, both_backends, row, texts};

pub fn example(name: &str) -> String {
    format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub fn import_links(env: &TestEnv, db: &TestDb, file: &str, extra: &[&str]) -> Run {
    let mut args = vec!["import-csv", "onlyfans", "links", file];
    args.extend_from_slice(extra);
    env.crm(db, &args)
}

fn post(platform: &str, id: &str, account: &str, caption: &str, day: u32) -> Post {
    Post {
        platform: platform.parse().unwrap(),
        platform_post_id: id.into(),
        account: Some(account.into()),
        caption: Some(caption.into()),
        url: Some(format!("https://example.test/{platform}/{id}")),
        published_at: Some(Utc.with_ymd_and_hms(2026, 11, day, 12, 0, 0).unwrap()),
        view_count: Some(1000),
        like_count: Some(10),
        comment_count: Some(1),
        share_count: Some(0),
        ..Post::default()
    }
}

/// The posts of the example set that carry (or seem to carry) the example links.
pub fn link_posts() -> Vec<Post> {
    vec![
        post(
            "tiktok",
            "a1",
            "ava",
            "New set is up 🔥 onlyfans.com/ava/c101",
            2,
        ),
        post(
            "tiktok",
            "a2",
            "ava",
            "Part 2! link: https://www.OnlyFans.com/ava/c101/",
            5,
        ),
        post("tiktok", "a3", "ava", "soon: onlyfans.com/ava/c1010", 6),
        post(
            "reddit",
            "r1",
            "ava",
            "Come say hi (onlyfans.com/ava/c102)",
            7,
        ),
        post(
            "x",
            "t9",
            "ben",
            "Launch thread 🧵 https://onlyfans.com/ava/c103 and onlyfans.com/ava/c101.",
            9,
        ),
    ]
}

/// The example CRM of the report, the example links, and the posts carrying them.
fn load(env: &TestEnv, db: &TestDb) {
    crate::report::load_example(env, db);
    import_links(env, db, &example("onlyfans-links.csv"), &[]).ok();
    db.open().upsert(Batch::Posts(&link_posts())).unwrap();
}

pub fn source<'a>(view: &'a Json, name: &str) -> &'a Json {
    row(&view["sources"], "source", name)
}

/// (links, posts, subscribers, revenue in cents) of a source line.
pub fn figures(line: &Json) -> (i64, i64, i64, i64) {
    let n = |k: &str| line[k].as_i64().unwrap();
    (n("links"), n("posts"), n("subscribers"), n("revenue_cents"))
}

fn link<'a>(view: &'a Json, url: &str) -> &'a Json {
    row(&view["links"], "url", url)
}

fn carried_by(link: &Json) -> Vec<String> {
    array(&link["posts"])
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p["platform"].as_str().unwrap(),
                p["platform_post_id"].as_str().unwrap()
            )
        })
        .collect()
}

fn export_links(env: &TestEnv, db: &TestDb) -> String {
    env.on(
        db,
        &[
            "export",
            "--table",
            "tracking_links",
            "--format",
            "jsonl",
            "--out",
            "-",
        ],
    )
    .ok()
    .stdout
    .clone()
}

both_backends! {
    attribution_on_the_example_set_gives_the_hand_computed_totals: |db| {
        let env = TestEnv::new();
        load(&env, &db);
        let view = env.crm_json(&db, &["insights", "attribution"]);
        // No --from/--to: each link's periods summed (the export has no lifetime rows).
        // c101: 20+35 = 55 subscribers, 300.00+540.00 = 840.00; c102: 6+9 = 15, 90.00+120.50 =
        // 210.50; c103: 14, 260.00; c104: 3+5 = 8, 45.00+75.25 = 120.25.
        // TikTok: c101 once (a1 and a2 carry it): 1 link, 2 posts, 55, 840.00.
        assert_eq!(figures(source(&view, "tiktok")), (1, 2, 55, 84_000));
        // X: t9 carries c103 and c101: 2 links, 1 post, 14+55 = 69, 260.00+840.00 = 1100.00.
        assert_eq!(figures(source(&view, "x")), (2, 1, 69, 110_000));
        // Reddit: c102 on r1: 1 link, 1 post, 15, 210.50.
        assert_eq!(figures(source(&view, "reddit")), (1, 1, 15, 21_050));
        // Unattributed: c104, which no post carries: 8, 120.25.
        assert_eq!(figures(source(&view, "unattributed")), (1, 0, 8, 12_025));
        // Total, each link once: 55+15+14+8 = 92, 840.00+210.50+260.00+120.25 = 1430.75; the
        // posts a1, a2, r1, t9 (a3's c1010 is no link).
        assert_eq!(figures(source(&view, "total")), (4, 4, 92, 143_075));
        assert_eq!(figures(&view["attributed"]), (3, 4, 84, 131_050));
        assert_eq!(view["total"]["clicks"], 800 + 1200 + 300 + 450 + 900 + 150 + 200);
        // The shared link is listed once, with every post that carried it.
        let c101 = link(&view, "https://onlyfans.com/ava/c101");
        assert_eq!(carried_by(c101), ["tiktok a1", "tiktok a2", "x t9"]);
        assert_eq!(c101["platforms"], serde_json::json!(["tiktok", "x"]));
        assert!(carried_by(link(&view, "https://onlyfans.com/ava/c104")).is_empty());
        assert_eq!(view["links"].as_array().unwrap().len(), 4);
        let posts = texts(&view["posts"], "platform_post_id");
        assert_eq!(posts.len(), 4, "{posts:?}");
        assert!(!posts.contains(&"a3"), "c1010 is not c101: {posts:?}");
        let t9 = array(&view["posts"]).iter().find(|p| p["platform_post_id"] == "t9").unwrap();
        assert_eq!((t9["subscribers"].as_i64(), t9["revenue_cents"].as_i64()), (Some(69), Some(110_000)));

        // The table and CSV carry the same lines.
        let table = env.on(&db, &["insights", "attribution"]).ok().stdout.clone();
        assert_contains(&table, "unattributed\t1\t0\t350\t8\t120.25");
        assert_contains(&table, "total\t4\t4\t4000\t92\t1430.75");
        let csv = env.on(&db, &["-o", "csv", "insights", "attribution"]).ok().stdout.clone();
        assert_contains(&csv, "unattributed,unattributed,,,,350,8,120.25,USD,0");
        assert_contains(&csv, "link,tiktok x,TikTok bio,https://onlyfans.com/ava/c101,,2000,55,840.00,USD,3");
    };

    a_range_reads_the_periods_starting_in_it: |db| {
        let env = TestEnv::new();
        load(&env, &db);
        let view = env.crm_json(&db, &["insights", "attribution", "--from", "2026-11-01", "--to", "2026-12-01"]);
        // November only: c101 35 / 540.00 (TikTok and X), c102 9 / 120.50 (Reddit),
        // c103 14 / 260.00 (X), c104 5 / 75.25 (unattributed).
        assert_eq!(figures(source(&view, "tiktok")), (1, 2, 35, 54_000));
        assert_eq!(figures(source(&view, "x")), (2, 1, 49, 80_000));
        assert_eq!(figures(source(&view, "reddit")), (1, 1, 9, 12_050));
        assert_eq!(figures(source(&view, "unattributed")), (1, 0, 5, 7_525));
        assert_eq!(figures(source(&view, "total")), (4, 4, 63, 99_575));
        // The range may stand before the view too; the metrics' own options may not.
        let before = env.crm_json(&db, &["insights", "--from", "2026-11-01", "attribution", "--to", "2026-12-01"]);
        assert_eq!(before, view);
        let chart = env.crm(&db, &["insights", "--chart", "attribution"]);
        chart.error_naming(2, &["--chart does not apply"]);
        let twice = env.crm(&db, &["insights", "--from", "2026-10-01", "attribution", "--from", "2026-11-01"]);
        twice.error_naming(2, &["--from is given twice"]);
        // October: c103 has no period there; it is counted as a link without figures.
        let run = env.crm(&db, &["insights", "attribution", "--from", "2026-10-01", "--to", "2026-11-01"]);
        let october = run.ok().json();
        assert_eq!(figures(source(&october, "total")), (3, 4, 29, 43_500));
        assert_eq!(october["links_without_figures"], 1);
        run.stderr_has("1 tracking link(s) have no statistics");
        // --account names whose links: ben has none.
        let ben = env.crm(&db, &["insights", "attribution", "--account", "ben"]);
        assert_eq!(figures(source(&ben.ok().json(), "total")), (0, 0, 0, 0));
        ben.stderr_has("no tracking links");
    };

    revenue_no_post_explains_stays_unattributed: |db| {
        let env = TestEnv::new();
        import_links(&env, &db, &example("onlyfans-links.csv"), &[]).ok();
        // No post at all: every link is unattributed, nothing is spread over platforms.
        let view = env.crm_json(&db, &["insights", "attribution"]);
        assert_eq!(view["platforms"], serde_json::json!([]));
        assert_eq!(figures(source(&view, "unattributed")), (4, 0, 92, 143_075));
        assert_eq!(figures(&view["attributed"]), (0, 0, 0, 0));
    };

    a_links_import_twice_changes_nothing: |db| {
        let env = TestEnv::new();
        let file = example("onlyfans-links.csv");
        let first = import_links(&env, &db, &file, &[]);
        assert_eq!(first.ok().import_counts(), (7, 0, 0, 0));
        assert_eq!(first.json()["table"], "tracking_links");
        let before = export_links(&env, &db);
        let again = import_links(&env, &db, &file, &[]);
        assert_eq!(again.ok().import_counts(), (0, 0, 7, 0));
        assert_eq!(export_links(&env, &db), before, "the rows, revisions and times are as they were");
        let status = env.crm_json(&db, &["db", "status"]);
        let rows = array(&status["tables"]).iter().find(|t| t["table"] == "tracking_links").unwrap()["rows"].clone();
        assert_eq!(rows, 7);
        // Links carry no personal data: erasing a fan leaves them as they were.
        env.crm(&db, &["import-csv", "onlyfans", "fans", &example("onlyfans-fans.csv")]).ok();
        env.crm(&db, &["fans", "delete", "onlyfans:maple_rider", "--yes"]).ok();
        assert_eq!(export_links(&env, &db), before, "erasure left the links alone");
        // A newer export of a period updates its row, and only it.
        let newer = env.file("newer.csv", "Link URL,Period Start,Period End,Subscribers,Revenue\n\
            https://onlyfans.com/ava/c104/,2026-11-01,2026-11-30,6,$80.00\n");
        assert_eq!(import_links(&env, &db, newer.to_str().unwrap(), &[]).ok().import_counts(), (0, 1, 0, 0));
        let c104 = link(&env.crm_json(&db, &["insights", "attribution"]), "https://onlyfans.com/ava/c104/").clone();
        assert_eq!((c104["subscribers"].as_i64(), c104["revenue_cents"].as_i64()), (Some(3 + 6), Some(4_500 + 8_000)));
        assert_eq!(c104["clicks"], 150 + 200, "a column the newer file lacks keeps its figure");
    };

    link_exports_are_read_with_tolerant_headers: |db| {
        let env = TestEnv::new();
        // OnlyFans' own names (campaign name and URL, claims), ';' as delimiter, a lifetime
        // export (no period), a URL written another way, and a column named with --map.
        let file = env.file("campaigns.csv", "\u{feff}Campaign Name;Campaign URL;Clicks Count;Claims;Where;Total Revenue\n\
            Bio;HTTPS://OnlyFans.com/lily/c7/;1.500;25;tiktok;1.234,50 €\n\
            Story;www.onlyfans.com/lily/c8;40;2;instagram;$9.99\n\
            Broken;not a link;1;1;x;$1.00\n\
            Bad count;https://onlyfans.com/lily/c9;12.5;1;x;$1.00\n\
            Bio again;https://onlyfans.com/lily/c7;1;1;x;$1.00\n");
        let rejects = env.path().join("rejects.csv");
        let run = import_links(&env, &db, file.to_str().unwrap(), &["--account", "lily", "--rejects", rejects.to_str().unwrap()]);
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert_eq!(run.import_counts(), (2, 0, 0, 3));
        let report = std::fs::read_to_string(&rejects).unwrap();
        assert_contains(&report, "4,\"url: \"\"not a link\"\" is not a link");
        assert_contains(&report, "5,\"clicks: bad count \"\"12.5\"\"");
        assert_contains(&report, "is already on line 2");
        let view = env.crm_json(&db, &["insights", "attribution", "--account", "lily"]);
        let bio = link(&view, "HTTPS://OnlyFans.com/lily/c7/");
        assert_eq!((bio["clicks"].as_i64(), bio["subscribers"].as_i64(), bio["revenue_cents"].as_i64()), (Some(1500), Some(25), Some(123_450)));
        assert_eq!(bio["currency"], "EUR");
        // Without a URL column the file is refused, naming what it saw and the fix.
        let bare = env.file("bare.csv", "Name,Clicks\nBio,3\n");
        import_links(&env, &db, bare.to_str().unwrap(), &[]).error_naming(1, &["lacks url", "--map COLUMN=url"]);
        // --map names a column the importer does not know.
        let mapped = env.file("mapped.csv", "Promo,Hits\nhttps://onlyfans.com/lily/c11,7\n");
        let run = import_links(&env, &db, mapped.to_str().unwrap(), &["--account", "lily", "--map", "Promo=url", "--map", "Hits=clicks"]);
        assert_eq!(run.ok().import_counts(), (1, 0, 0, 0));
    };

    the_insights_command_keeps_its_positional_platform: |db| {
        let env = TestEnv::new();
        crate::report::load_example(&env, &db);
        let tiktok = env.crm_json(&db, &["insights", "tiktok", "--from", "2026-10-26", "--to", "2026-11-25"]);
        assert!(array(&tiktok["metrics"]).iter().all(|m| m["platform"] == "tiktok"));
        assert!(!tiktok["metrics"].as_array().unwrap().is_empty());
        let all = env.crm_json(&db, &["insights", "--from", "2026-10-26"]);
        assert!(all["metrics"].as_array().unwrap().len() > tiktok["metrics"].as_array().unwrap().len());
        // The view's own options come after its name; a platform with it is a usage error.
        env.crm(&db, &["insights", "tiktok", "attribution"]).one_line_error(2);
    };
}
