//! `posts list` and `posts show` on both backends: through the binary as a person uses them;
//! every sort's first page served by an index (`EXPLAIN`, no full scan, no sort); and a
//! property test: pages under every sort, direction and filter equal an in-memory sort, with
//! no gaps or repeats, over random data full of ties and NULLs.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use socialcrm::config::DatabaseTarget;
use socialcrm::store::model::*;
use socialcrm::store::sql::Dialect;
use socialcrm::store::value::Value;
use socialcrm::store::{Batch, Store};
use socialcrm::vocab::PlatformId;

use crate::support::{TestDb, TestEnv, array, both_backends};

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, 9, 0, 0).unwrap()
}

fn post(platform: &str, id: &str, account: Option<&str>) -> Post {
    Post {
        platform: platform.parse().unwrap(),
        platform_post_id: id.into(),
        account: account.map(Into::into),
        media_type: Some("video".into()),
        ..Post::default()
    }
}

fn snapshot(id: &str, metric: &str, at: DateTime<Utc>, value: f64) -> AnalyticsEvent {
    AnalyticsEvent {
        platform: PlatformId::Tiktok,
        account: "main".into(),
        subject_type: "post".into(),
        subject_id: id.into(),
        metric: metric.into(),
        period: "snapshot".into(),
        period_start: at,
        value,
        unit: Some("count".into()),
        fan_platform_user_id: None,
    }
}

fn small_world(db: &TestDb) {
    let mut store = db.open();
    store.migrate().unwrap();
    let mut a = post("tiktok", "7301", Some("main"));
    a.caption = Some("Day 1 at the GYM, \"leg day\"".into());
    a.url = Some("https://www.tiktok.com/@c/video/7301".into());
    a.published_at = Some(day(2));
    a.view_count = Some(1500);
    a.like_count = Some(90);
    a.metrics_at = Some(day(5));
    let mut b = post("tiktok", "7302", Some("main"));
    b.caption = Some("cooking".into());
    b.published_at = Some(day(3));
    b.view_count = Some(1500);
    let mut c = post("x", "1790", Some("second"));
    c.caption = Some("gym again".into());
    c.published_at = Some(day(1));
    c.view_count = Some(20);
    let d = post("reddit", "t3_x", Some("main"));
    let events = [
        snapshot("7301", "view_count", day(3), 700.0),
        snapshot("7301", "like_count", day(3), 40.0),
        snapshot("7301", "view_count", day(5), 1500.0),
        snapshot("7301", "like_count", day(5), 90.0),
        // Another post's and another account's points are not this post's history.
        snapshot("7302", "view_count", day(5), 1500.0),
    ];
    store
        .upsert_all(&[Batch::Posts(&[a, b, c, d]), Batch::Analytics(&events)])
        .unwrap();
}

fn ids(run: &crate::support::Run) -> Vec<String> {
    run.ok();
    array(&run.json())
        .iter()
        .map(|p| p["platform_post_id"].as_str().unwrap().to_string())
        .collect()
}

fn through_the_binary(db: &TestDb) {
    small_world(db);
    let env = TestEnv::new();
    let list = |args: &[&str]| {
        let mut all = vec!["-o", "json", "posts", "list"];
        all.extend_from_slice(args);
        ids(&env.on(db, &all))
    };
    // Published order, the unpublished post first (NULL is the lowest value).
    assert_eq!(list(&[]), ["t3_x", "1790", "7301", "7302"]);
    assert_eq!(list(&["--desc"]), ["7302", "7301", "1790", "t3_x"]);
    // Ties are broken by id, in the sort's direction.
    assert_eq!(
        list(&["--sort", "views", "--desc"]),
        ["7302", "7301", "1790", "t3_x"]
    );
    assert_eq!(list(&["--sort", "likes"]), ["7302", "1790", "t3_x", "7301"]);
    assert_eq!(list(&["--platform", "tiktok"]), ["7301", "7302"]);
    assert_eq!(list(&["--account", "second"]), ["1790"]);
    assert_eq!(list(&["--search", "GYM"]), ["1790", "7301"]);
    assert_eq!(
        list(&["--since", "2026-11-02", "--until", "2026-11-03T10:00:00Z"]),
        ["7301", "7302"]
    );
    // Paging: two at a time, then the rest; the note names the next --after.
    let first = env.on(
        db,
        &[
            "-o", "json", "posts", "list", "--sort", "views", "--desc", "--limit", "2",
        ],
    );
    assert_eq!(ids(&first), ["7302", "7301"]);
    let last_id = first.json()[1]["id"].as_i64().unwrap().to_string();
    assert!(
        first.stderr.contains(&format!("add --after {last_id}")),
        "{}",
        first.stderr
    );
    let rest = env.on(
        db,
        &[
            "-o", "json", "posts", "list", "--sort", "views", "--desc", "--limit", "2", "--after",
            &last_id,
        ],
    );
    assert_eq!(ids(&rest), ["1790", "t3_x"]);
    env.on(db, &["posts", "list", "--after", "999999"])
        .error_naming(2, &["no post 999999 to continue after"]);

    // `posts show`: the fields, then the metrics over time; JSON has the whole history.
    let shown = env.on(db, &["posts", "show", "tiktok:7301"]);
    shown.ok();
    for text in [
        "Day 1 at the GYM",
        "https://www.tiktok.com/@c/video/7301",
        "metrics over time",
    ] {
        assert!(shown.stdout.contains(text), "{text}: {}", shown.stdout);
    }
    let history_lines: Vec<&str> = shown
        .stdout
        .lines()
        .skip_while(|l| !l.contains("metrics over time"))
        .collect();
    assert!(
        history_lines
            .iter()
            .any(|l| l.contains("2026-11-03 09:00") && l.contains("700"))
    );
    assert!(
        history_lines
            .iter()
            .any(|l| l.contains("2026-11-05 09:00") && l.contains("1500"))
    );
    let json = env
        .on(db, &["-o", "json", "posts", "show", "tiktok:7301"])
        .json();
    assert_eq!(json["view_count"], 1500);
    let history = json["history"].as_array().unwrap();
    assert_eq!(history.len(), 4, "{history:?}");
    assert_eq!(history[0]["period_start"], "2026-11-03T09:00:00Z");
    let id = json["id"].as_i64().unwrap().to_string();
    let by_id = env.on(db, &["-o", "json", "posts", "show", &id]).json();
    assert_eq!(by_id["platform_post_id"], "7301");
    let quiet = env.on(db, &["posts", "show", "reddit:t3_x"]);
    quiet.ok();
    quiet.stderr_has("no metrics history");
    env.on(db, &["posts", "show", "tiktok:nope"])
        .error_naming(1, &["no post matches 'tiktok:nope'"]);
    env.on(db, &["posts", "show", "nope"])
        .error_naming(2, &["PLATFORM:POST_ID"]);
}

/// The plan of `sql` on `db`, one line per plan row.
fn explain(db: &TestDb, sql: &str, params: &[Value]) -> String {
    match &db.target {
        DatabaseTarget::Sqlite { path } => {
            let conn = rusqlite::Connection::open(path).unwrap();
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let rows = stmt
                .query_map(rusqlite::params_from_iter(params.iter()), |r| {
                    r.get::<_, String>(3)
                })
                .unwrap();
            rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
        }
        DatabaseTarget::Postgres { .. } => {
            let mut client = db.pg_client();
            let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params
                .iter()
                .map(|v| v as &(dyn postgres::types::ToSql + Sync))
                .collect();
            client
                .query(&format!("EXPLAIN {sql}"), &refs)
                .unwrap()
                .iter()
                .map(|r| r.get::<_, String>(0))
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

fn first_pages_use_indexes(db: &TestDb) {
    let mut store = db.open();
    store.migrate().unwrap();
    // Enough rows that a full scan and sort would cost the planner more than the index.
    let posts: Vec<Post> = (0..4000)
        .map(|i| {
            let mut p = post(
                ["tiktok", "instagram", "x", "reddit"][i % 4],
                &format!("p{i}"),
                Some(["main", "second", "third"][i % 3]),
            );
            p.published_at = (i % 11 != 0).then(|| day(1) + chrono::Duration::minutes(i as i64));
            p.view_count = (i % 7 != 0).then_some((i * 37 % 1000) as i64);
            p.like_count = (i % 5 != 0).then_some((i * 13 % 300) as i64);
            p.comment_count = Some((i % 40) as i64);
            p.share_count = (i % 2 == 0).then_some((i % 9) as i64);
            p.caption = Some(format!("caption {i}"));
            p
        })
        .collect();
    store.upsert(Batch::Posts(&posts)).unwrap();
    db.exec("ANALYZE");
    let dialect = match db.target {
        DatabaseTarget::Sqlite { .. } => Dialect::Sqlite,
        DatabaseTarget::Postgres { .. } => Dialect::Postgres,
    };
    let mut checked = 0;
    for sort in PostSort::ALL {
        for descending in [false, true] {
            for filter in ["none", "platform", "account", "since"] {
                let mut q = PostListQuery {
                    sort,
                    descending,
                    page: Page {
                        limit: 50,
                        after: None,
                    },
                    ..PostListQuery::default()
                };
                match filter {
                    "platform" => q.platform = Some(PlatformId::Tiktok),
                    "account" => q.account = Some("second".into()),
                    "since" => q.since = Some(day(1)),
                    _ => {}
                }
                let (sql, params) = socialcrm::store::posts::page_query(dialect, &q, None);
                let plan = explain(db, &sql, &params);
                let case = format!("{sort:?} desc={descending} filter={filter}:\n{plan}");
                match dialect {
                    Dialect::Sqlite => {
                        assert!(!plan.contains("TEMP B-TREE"), "a sort: {case}");
                        assert!(plan.contains("USING INDEX posts_by_"), "no index: {case}");
                    }
                    Dialect::Postgres => {
                        assert!(!plan.contains("Seq Scan"), "a full scan: {case}");
                        assert!(!plan.contains("Sort"), "a sort: {case}");
                        assert!(plan.contains("Index Scan"), "no index: {case}");
                    }
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 40);
}

/// One random post: few distinct values, so ties and NULLs are everywhere.
fn any_post() -> impl Strategy<Value = Post> {
    let count = || prop::option::weighted(0.7, 0i64..4);
    (
        prop::sample::select(vec!["tiktok", "x"]),
        prop::option::weighted(0.8, prop::sample::select(vec!["a", "b"])),
        prop::option::weighted(0.7, 1u32..5),
        (count(), count(), count(), count()),
    )
        .prop_map(|(platform, account, published, (v, l, c, s))| Post {
            platform: platform.parse().unwrap(),
            platform_post_id: String::new(),
            account: account.map(Into::into),
            published_at: published.map(day),
            view_count: v,
            like_count: l,
            comment_count: c,
            share_count: s,
            ..Post::default()
        })
}

#[derive(Debug, Clone)]
struct Case {
    posts: Vec<Post>,
    sort: PostSort,
    descending: bool,
    platform: Option<&'static str>,
    account: Option<&'static str>,
    limit: u32,
}

fn any_case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(any_post(), 0..30),
        prop::sample::select(PostSort::ALL.to_vec()),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec!["tiktok", "x"])),
        prop::option::of(prop::sample::select(vec!["a", "b"])),
        1u32..6,
    )
        .prop_map(|(posts, sort, descending, platform, account, limit)| Case {
            posts,
            sort,
            descending,
            platform,
            account,
            limit,
        })
}

/// The value `sort` orders by, as the store orders it (NULL lowest; times in order).
fn sort_value(p: &PostRow, sort: PostSort) -> Option<i64> {
    let p = &p.post;
    match sort {
        PostSort::Published => p.published_at.map(|t| t.timestamp()),
        PostSort::Views => p.view_count,
        PostSort::Likes => p.like_count,
        PostSort::Comments => p.comment_count,
        PostSort::Shares => p.share_count,
    }
}

fn check_case(db: &TestDb, store: &mut dyn Store, case: &Case) -> Result<(), TestCaseError> {
    db.exec("DELETE FROM posts");
    let posts: Vec<Post> = case
        .posts
        .iter()
        .enumerate()
        .map(|(i, p)| Post {
            platform_post_id: format!("p{i}"),
            ..p.clone()
        })
        .collect();
    if !posts.is_empty() {
        store.upsert(Batch::Posts(&posts)).unwrap();
    }
    let everything = PostListQuery {
        page: Page {
            limit: 10_000,
            after: None,
        },
        ..PostListQuery::default()
    };
    let all = store.list_posts(&everything).unwrap();
    prop_assert_eq!(all.len(), posts.len());
    let mut want: Vec<&PostRow> = all
        .iter()
        .filter(|p| case.platform.is_none_or(|x| p.post.platform.name() == x))
        .filter(|p| {
            case.account
                .is_none_or(|a| p.post.account.as_deref() == Some(a))
        })
        .collect();
    // None < Some(_) in Rust, as NULL is the lowest value in the store.
    want.sort_by_key(|p| (sort_value(p, case.sort), p.id));
    if case.descending {
        want.reverse();
    }
    let want: Vec<i64> = want.iter().map(|p| p.id).collect();
    let mut got = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list_posts(&PostListQuery {
                page: Page {
                    limit: case.limit,
                    after,
                },
                platform: case.platform.map(|p| p.parse().unwrap()),
                account: case.account.map(Into::into),
                sort: case.sort,
                descending: case.descending,
                ..PostListQuery::default()
            })
            .unwrap();
        prop_assert!(page.len() <= case.limit as usize);
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        got.extend(page.iter().map(|p| p.id));
        prop_assert!(got.len() <= want.len(), "pages repeat rows: {:?}", got);
    }
    prop_assert_eq!(got, want);
    Ok(())
}

fn pages_equal_an_in_memory_sort(db: &TestDb) {
    let store = std::cell::RefCell::new(db.open());
    store.borrow_mut().migrate().unwrap();
    let config = Config {
        cases: 48,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut runner = TestRunner::new_with_rng(config, rng);
    runner
        .run(&any_case(), |case| {
            check_case(db, store.borrow_mut().as_mut(), &case)
        })
        .unwrap();
}

both_backends! {
    posts_list_and_show_through_the_binary: |db| through_the_binary(&db);
    posts_first_pages_are_read_from_indexes: |db| first_pages_use_indexes(&db);
    posts_pages_equal_an_in_memory_sort: |db| pages_equal_an_in_memory_sort(&db);
}
