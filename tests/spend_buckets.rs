//! The whales and cold segments judge each account by thresholds read from the spend buckets
//! of schema v20, counts kept by triggers. Derived data can drift from what it counts: after
//! every kind of write (imports, re-imports, earnings, erasure, restore, the migration's
//! backfill) each segment's members and count are checked against a brute-force computation
//! from the plain listing, on both backends.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value as Json;
use socialcrm::store;

use crate::fan_lists::members;
use crate::support::{TestDb, TestEnv, array, both_backends};

/// The tests' pinned now (`TestEnv`) less the cold segment's 30 days.
const COLD_BEFORE: &str = "2026-10-25T12:00:00Z";

/// A small deterministic generator (an LCG), so that a failure replays.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

/// A spend cell: every kind a bucket must count right. None, zero, the cents below a dollar
/// (one-value buckets), a subscription price many fans share (a wide bucket holding one
/// value), a price shared next to other values of its bucket, and spread values across five
/// decades.
fn spend(rng: &mut Lcg) -> String {
    match rng.next(10) {
        0 => String::new(),
        1 => "$0.00".into(),
        2 => format!("$0.{:02}", 1 + rng.next(99)),
        3 => "$9.99".into(),
        4 => "$250.00".into(),
        5 => format!("$250.{:02}", rng.next(100)),
        _ => {
            let decades = 1 + rng.next(5) as u32;
            let cents = 100 + rng.next(10u64.pow(decades) * 100);
            format!("${}.{:02}", cents / 100, cents % 100)
        }
    }
}

fn last_active(rng: &mut Lcg) -> String {
    match rng.next(8) {
        0 => String::new(),
        _ => format!("2026-{:02}-{:02}", 1 + rng.next(11), 1 + rng.next(28)),
    }
}

/// An export of `n` fans named `{prefix}{i}`, and `shared` fans every account's export holds.
fn fans_csv(rng: &mut Lcg, prefix: &str, n: usize, shared: usize) -> String {
    let mut out = String::from("Username,Name,Status,Subscribed,Last Active,Total Spent\n");
    let names = (0..shared)
        .map(|i| format!("shared{i}"))
        .chain((0..n).map(|i| format!("{prefix}{i}")));
    for name in names {
        let (seen, spent) = (last_active(rng), spend(rng));
        out.push_str(&format!(
            "@{name},{name},Active,2026-01-01,{seen},{spent}\n"
        ));
    }
    out
}

/// Each segment's members ((account, username), sorted) computed from the full listing, by
/// the definitions of `BuiltinSegment`: per account, the paying fans' (spend > 0) ceil(1%)-th
/// highest spend and lower median.
fn brute_force(rows: &[Json]) -> BTreeMap<&'static str, Vec<(String, String)>> {
    let before: DateTime<Utc> = COLD_BEFORE.parse().unwrap();
    let mut paying: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for r in rows {
        if let Some(s) = r["lifetime_spend_cents"].as_i64().filter(|s| *s > 0) {
            let account = r["account"].as_str().unwrap().to_string();
            paying.entry(account).or_default().push(s);
        }
    }
    let mut thresholds = BTreeMap::new();
    for (account, spends) in &mut paying {
        spends.sort();
        let n = spends.len();
        thresholds.insert(
            account.clone(),
            (spends[n - n.div_ceil(100)], spends[n.div_ceil(2) - 1]),
        );
    }
    let mut out: BTreeMap<&'static str, Vec<(String, String)>> = BTreeMap::new();
    for r in rows {
        let account = r["account"].as_str().unwrap().to_string();
        let (Some(&(top, median)), Some(s)) =
            (thresholds.get(&account), r["lifetime_spend_cents"].as_i64())
        else {
            continue;
        };
        let member = (account, r["username"].as_str().unwrap().to_string());
        if s >= top {
            out.entry("whales").or_default().push(member.clone());
        }
        let seen = r["last_seen_at"]
            .as_str()
            .map(|t| t.parse::<DateTime<Utc>>().unwrap());
        if s >= median && seen.is_some_and(|t| t < before) {
            out.entry("cold").or_default().push(member);
        }
    }
    for members in out.values_mut() {
        members.sort();
    }
    out
}

/// The buckets hold exactly the counts a recomputation from `fan_accounts` gives (the
/// migration's own bucket expression), none below zero.
fn buckets_are_exact(db: &TestDb, when: &str) {
    let bucket = if db.url.starts_with("sqlite:") {
        "CASE WHEN lifetime_spend_cents < 100 THEN lifetime_spend_cents \
         ELSE CAST(substr(CAST(lifetime_spend_cents AS TEXT), 1, 2) \
         || substr('00000000000000000', 1, length(CAST(lifetime_spend_cents AS TEXT)) - 2) AS INTEGER) END"
    } else {
        "fan_spend_bucket(lifetime_spend_cents)"
    };
    let kept = db.strings(
        "SELECT account || ' ' || CAST(bucket AS TEXT) || ' ' || CAST(fans AS TEXT) \
         FROM fan_spend_buckets WHERE fans <> 0 ORDER BY account, bucket",
    );
    let counted = db.strings(&format!(
        "SELECT account || ' ' || CAST(b AS TEXT) || ' ' || CAST(n AS TEXT) FROM \
         (SELECT account, {bucket} AS b, COUNT(*) AS n FROM fan_accounts \
         WHERE lifetime_spend_cents > 0 GROUP BY account, {bucket}) c ORDER BY account, b"
    ));
    assert_eq!(
        kept, counted,
        "{when}: the buckets drifted from fan_accounts"
    );
    assert!(
        !counted.is_empty(),
        "{when}: nothing paid: the check would prove nothing"
    );
}

/// After `when`: every segment's members, per account and in all, and its live count, equal
/// the brute force.
fn segments_match(env: &TestEnv, db: &TestDb, when: &str) {
    buckets_are_exact(db, when);
    let rows = env.crm_json(db, &["fans", "list", "--limit", "10000"]);
    let expected = brute_force(rows.as_array().unwrap());
    let listed = env.crm_json(db, &["segments", "list"]);
    for segment in ["whales", "cold"] {
        let want = expected.get(segment).cloned().unwrap_or_default();
        assert!(
            !want.is_empty(),
            "{when}: no {segment}: the check would prove nothing"
        );
        assert_eq!(members(env, db, segment, None), want, "{when}: {segment}");
        for account in ["alpha", "beta"] {
            let scoped: Vec<_> = want.iter().filter(|m| m.0 == account).cloned().collect();
            assert_eq!(
                members(env, db, segment, Some(account)),
                scoped,
                "{when}: {segment} of {account}"
            );
        }
        let count = array(&listed)
            .iter()
            .find(|s| s["name"] == segment)
            .unwrap()["fans"]
            .as_i64();
        assert_eq!(
            count,
            Some(want.len() as i64),
            "{when}: segments list's {segment}"
        );
    }
}

both_backends! {
    segments_match_a_brute_force_after_every_kind_of_write: |db, other| {
        let env = TestEnv::new();
        let mut rng = Lcg(17);
        // alpha: 240 fans, so whales take ceil(1%) = 2 or 3 of its paying ones.
        let alpha = fans_csv(&mut rng, "a", 225, 15);
        env.import_as(&db, "fans", "alpha", &alpha);
        env.import_as(&db, "fans", "beta", &fans_csv(&mut rng, "b", 45, 15));
        env.import_as(&db, "fans", "gamma", &fans_csv(&mut rng, "g", 3, 0));
        segments_match(&env, &db, "first imports");

        env.import_as(&db, "fans", "alpha", &alpha);
        segments_match(&env, &db, "the same export again");
        // Spends moved (into other buckets, to none, to zero), and fans added.
        env.import_as(&db, "fans", "alpha", &fans_csv(&mut rng, "a", 260, 15));
        segments_match(&env, &db, "a changed export");

        // Payments above a fan's exported spend raise it (paid_cents, recomputed in place).
        let mut tips = String::from("Date,Type,Fan,Gross\n");
        for i in 0..12 {
            tips.push_str(&format!("2026-11-0{},Tip,@b{i},${}.00\n", 1 + i % 9, 100 * (i + 1) * (i + 1)));
        }
        tips.push_str("2026-11-02,Tip,@shared3,$9000.00\n");
        env.import_as(&db, "earnings", "beta", &tips);
        segments_match(&env, &db, "an earnings import");

        // Erasure of every relationship, and of one account's.
        let whale = members(&env, &db, "whales", Some("beta"))[0].1.clone();
        env.crm_json(&db, &["fans", "delete", &format!("onlyfans:@{whale}"), "--yes"]);
        env.crm_json(&db, &["fans", "delete", "onlyfans:@shared5", "--account", "alpha", "--yes"]);
        segments_match(&env, &db, "erasures");

        // A restore into an empty CRM, and into this one again (every row unchanged).
        let dir = env.path().join("export");
        let d = dir.to_str().unwrap();
        env.on(&db, &["export", "-f", "jsonl", "--out", d]).ok();
        env.crm_json(&other, &["import-export", d]);
        segments_match(&env, &other, "a restore into an empty CRM");
        assert_eq!(
            members(&env, &other, "whales", None),
            members(&env, &db, "whales", None),
            "the restored CRM's whales are the original's"
        );
        env.crm_json(&db, &["import-export", d]);
        segments_match(&env, &db, "a restore over the same rows");
    };

    a_v19_crm_gets_its_spend_buckets_from_the_backfill: |db| {
        store::open_up_to(&db.target, 19).unwrap().migrate().unwrap();
        let mut rng = Lcg(19);
        let t = "'2026-01-01T00:00:00.000000Z'";
        let mut fans = Vec::new();
        let mut relationships = Vec::new();
        for i in 0..150 {
            let account = ["alpha", "beta"][i % 2];
            let spent = match rng.next(6) {
                0 => "NULL".to_string(),
                1 => "0".to_string(),
                2 => "999".to_string(),
                _ => (1 + rng.next(500_000)).to_string(),
            };
            let seen = format!("'2026-{:02}-01T00:00:00.000000Z'", 1 + rng.next(11));
            fans.push(format!("('onlyfans', 'u{i}', 'f{i}', 1, {t}, {t})"));
            relationships.push(format!(
                "('onlyfans', 'u{i}', '{account}', 'active', {seen}, {spent}, 'csv', 1, {t}, {t})"
            ));
        }
        db.exec(&format!(
            "INSERT INTO fans (platform, platform_user_id, username, revision, created_at, updated_at) VALUES {};\n\
             INSERT INTO fan_accounts (platform, platform_user_id, account, status, last_seen_at, \
             exported_spend_cents, source, revision, created_at, updated_at) VALUES {};",
            fans.join(", "),
            relationships.join(", ")
        ));
        let mut store = db.open();
        let applied = store.migrate().unwrap();
        assert_eq!(applied.first(), Some(&20), "{applied:?}");
        drop(store);
        segments_match(&TestEnv::new(), &db, "the v20 migration");
    };
}
