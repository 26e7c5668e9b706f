//! `--search` on fans and messages: the same matches on both backends, served by the trigram
//! indexes of schema v14 (FTS5 on SQLite, pg_trgm on PostgreSQL).

use std::fmt::Write as _;

use socialcrm::store::model::{FanQuery, Listing, MessageQuery, Page};

use crate::support::{TestDb, TestEnv, array, both_backends};

/// Fans whose names exercise the rules: Unicode case, diacritics, wildcards, quotes, a
/// backslash, and names whose columns put together would match what neither holds alone.
const FANS: &str = "Fan ID,Username,Name,Status,Subscribed,Last Active,Total Spent\n\
    1001,lové_fan,Zoë Brontë,Active,2026-01-01,2026-11-01,$1.00\n\
    1002,LOVER99,Ann Lee,Active,2026-01-01,2026-11-01,$1.00\n\
    1003,50%_off,Deal Hunter,Active,2026-01-01,2026-11-01,$1.00\n\
    1004,5000off,Hunter Deal,Active,2026-01-01,2026-11-01,$1.00\n\
    1005,ΣΑΣ_greek,Όλγα,Active,2026-01-01,2026-11-01,$1.00\n\
    1006,straße,Max Weiss,Active,2026-01-01,2026-11-01,$1.00\n\
    1008,love,Bob,Active,2026-01-01,2026-11-01,$1.00\n\
    1009,quoted,\"Say \"\"hi\"\"\",Active,2026-01-01,2026-11-01,$1.00\n\
    1010,back\\slash,Kim,Active,2026-01-01,2026-11-01,$1.00\n";

/// Each search and the fans (platform user ids) it must find, in id order.
const FAN_CASES: &[(&str, &[&str])] = &[
    ("LOVÉ", &["1001"]),
    ("lové", &["1001"]),
    ("love", &["1002", "1008"]),
    ("LOV", &["1001", "1002", "1008"]),
    ("ZOË", &["1001"]),
    ("brontë", &["1001"]),
    ("bronte", &[]),
    ("σας", &["1005"]),
    ("ΌΛΓΑ", &["1005"]),
    ("STRAßE", &["1006"]),
    ("strasse", &[]),
    ("50%", &["1003"]),
    ("%_o", &["1003"]),
    ("0_o", &[]),
    ("0%o", &[]),
    ("\"hi\"", &["1009"]),
    ("say \"", &["1009"]),
    ("k\\s", &["1010"]),
    (
        "100",
        &[
            "1001", "1002", "1003", "1004", "1005", "1006", "1008", "1009",
        ],
    ),
    ("1005", &["1005"]),
    // One or two characters: below a trigram, read from every row, same rules.
    ("é", &["1001"]),
    ("ÉF", &[]),
    ("É_", &["1001"]),
    ("ob", &["1008"]),
    ("%", &["1003"]),
    ("_", &["1001", "1003", "1005"]),
    // Spanning columns does not count: love|Bob, Ann|Lee, hunter|deal.
    ("lovebob", &[]),
    ("ve b", &[]),
    ("eeann", &[]),
    ("dealhunter", &[]),
    ("deal hunter", &["1003"]),
];

const MESSAGES: &str = "Message ID,Fan,Direction,Sent At,Text\n\
    m1,love,received,2026-11-01 10:00,Loved the SET\n\
    m2,love,received,2026-11-01 10:01,a naïve question\n\
    m3,love,sent,2026-11-01 10:02,100% real\n\
    m4,love,sent,2026-11-01 10:03,C'est DÉJÀ vu\n\
    m5,love,sent,2026-11-01 10:04,\n";

const MESSAGE_CASES: &[(&str, &[&str])] = &[
    ("set", &["m1"]),
    ("LOVED THE", &["m1"]),
    ("NAÏVE", &["m2"]),
    ("naive", &[]),
    ("0% r", &["m3"]),
    ("00_", &[]),
    ("déjà", &["m4"]),
    ("vu", &["m4"]),
    ("e", &["m1", "m2", "m3", "m4"]),
];

/// The `key` of every row `what list --search text` prints.
fn found(env: &TestEnv, db: &TestDb, what: &str, key: &str, text: &str) -> Vec<String> {
    let run = env.crm(db, &[what, "list", "--limit", "100", "--search", text]);
    let rows = run.ok().json();
    array(&rows)
        .iter()
        .map(|r| r[key].as_str().unwrap().to_string())
        .collect()
}

fn check(env: &TestEnv, db: &TestDb, what: &str, key: &str, cases: &[(&str, &[&str])]) {
    let mut wrong = String::new();
    for (text, expected) in cases {
        let got = found(env, db, what, key, text);
        if got != *expected {
            writeln!(
                wrong,
                "{what} --search {text:?}: expected {expected:?}, got {got:?}"
            )
            .unwrap();
        }
    }
    assert!(wrong.is_empty(), "{wrong}");
}

/// A CSV of `n` fans `fan_00000`.. and one message each, for the plans.
fn many(n: usize) -> (String, String) {
    let mut fans = String::from("Fan ID,Username,Name,Status,Subscribed,Last Active,Total Spent\n");
    let mut messages = String::from("Message ID,Fan ID,Fan,Direction,Sent At,Text\n");
    for i in 0..n {
        writeln!(
            fans,
            "{},fan_{i:05},Person {i},Active,2026-01-01,2026-11-01,$1.00",
            500_000 + i
        )
        .unwrap();
        writeln!(
            messages,
            "msg{i},{},fan_{i:05},received,2026-11-01 10:00,hello number {i:05} from me",
            500_000 + i
        )
        .unwrap();
    }
    (fans, messages)
}

both_backends! {
    fans_search_matches_the_same_rows_on_both_backends: |db| {
        let env = TestEnv::new();
        env.import(&db, "fans", FANS);
        check(&env, &db, "fans", "platform_user_id", FAN_CASES);
    };

    messages_search_matches_the_same_rows_on_both_backends: |db| {
        let env = TestEnv::new();
        env.import(&db, "messages", MESSAGES);
        check(&env, &db, "messages", "platform_message_id", MESSAGE_CASES);
    };

    a_renamed_fan_is_found_by_the_new_name_only: |db| {
        let env = TestEnv::new();
        env.import(&db, "fans", FANS);
        let renamed = FANS.replace("1008,love,Bob", "1008,beloved,Robert");
        env.import(&db, "fans", &renamed);
        assert_eq!(found(&env, &db, "fans", "platform_user_id", "bob"), Vec::<String>::new());
        assert_eq!(found(&env, &db, "fans", "platform_user_id", "ROBERT"), ["1008"]);
        assert_eq!(found(&env, &db, "fans", "platform_user_id", "love"), ["1002", "1008"]);
    };

    searches_of_three_characters_or_more_use_the_trigram_index: |db| {
        let env = TestEnv::new();
        let (fans, messages) = many(3000);
        env.import(&db, "fans", &fans);
        env.import(&db, "messages", &messages);
        // A selective search (few rows hold its trigrams, as with real names), on tables as
        // autovacuum leaves them: statistics gathered, and the rows an import queued in the GIN
        // indexes' pending lists merged into them. (The planner rightly reads the whole table
        // for a search like "fan_0", whose trigrams every row holds.)
        if db.schema().is_some() {
            db.exec("VACUUM ANALYZE fans, fan_accounts, messages");
        }
        let mut store = db.open();
        let page = Page { limit: 50, after: None };
        let fans = FanQuery { page: page.clone(), search: Some("02999".into()), ..FanQuery::default() };
        assert_eq!(store.list_fans(&fans).unwrap().len(), 1, "fan_02999");
        let messages = MessageQuery { page: page.clone(), search: Some("02999".into()), ..MessageQuery::default() };
        assert_eq!(store.list_messages(&messages).unwrap().len(), 1);
        let index = if db.schema().is_some() { "Bitmap Index Scan on" } else { "VIRTUAL TABLE INDEX" };
        for (listing, name) in [(Listing::Fans(fans), "fans_search"), (Listing::Messages(messages), "messages_search")] {
            let plan = store.explain(&listing).unwrap();
            assert!(plan.iter().any(|l| l.contains(index) && l.contains(name)), "{name} serves the search:\n{}", plan.join("\n"));
        }
        let short = store.list_fans(&FanQuery { page: page.clone(), search: Some("_0".into()), ..FanQuery::default() }).unwrap();
        assert_eq!(short.len(), 50, "two characters still search, by reading the rows");
    };

    a_term_most_rows_hold_walks_the_listing_order_and_finds_the_same_rows: |db| {
        // 3,000 fans and messages: "person" and "hello" are in every one (more than
        // COMMON_MATCHES), "02999" in one. Both plans must list exactly the rule's rows, in order.
        let env = TestEnv::new();
        let (fans, messages) = many(3000);
        env.import(&db, "fans", &fans);
        env.import(&db, "messages", &messages);
        const { assert!(3000 > socialcrm::store::COMMON_MATCHES) };
        let first: Vec<String> = (0..100).map(|i| (500_000 + i).to_string()).collect();
        assert_eq!(found(&env, &db, "fans", "platform_user_id", "PERSON"), first, "the first page, in id order");
        assert_eq!(found(&env, &db, "fans", "platform_user_id", "person 2999"), ["502999"]);
        assert_eq!(found(&env, &db, "fans", "platform_user_id", "no such person"), Vec::<String>::new());
        let newest = found(&env, &db, "messages", "platform_message_id", "Hello Number");
        let all = found(&env, &db, "messages", "platform_message_id", "hello");
        assert_eq!((newest.len(), &newest), (100, &all), "every message holds both");
        assert_eq!(found(&env, &db, "messages", "platform_message_id", "number 02999"), ["msg2999"]);

        if db.schema().is_none() {
            // SQLite: the common term is checked row by row along the order's index; the rare
            // one is looked up in the trigram table.
            let mut store = db.open();
            let page = Page { limit: 50, after: None };
            let plan = |store: &mut Box<dyn socialcrm::store::Store>, listing: Listing| store.explain(&listing).unwrap().join("\n");
            for (listing, fts) in [
                (Listing::Fans(FanQuery { page: page.clone(), search: Some("person".into()), ..FanQuery::default() }), false),
                (Listing::Fans(FanQuery { page: page.clone(), search: Some("person 2999".into()), ..FanQuery::default() }), true),
                (Listing::Messages(MessageQuery { page: page.clone(), search: Some("hello".into()), ..MessageQuery::default() }), false),
                (Listing::Messages(MessageQuery { page: page.clone(), search: Some("number 02999".into()), ..MessageQuery::default() }), true),
            ] {
                let p = plan(&mut store, listing);
                assert_eq!(p.contains("VIRTUAL TABLE INDEX"), fts, "{p}");
                assert_eq!(p.contains("USE TEMP B-TREE FOR ORDER BY"), fts, "only the few matches are sorted: {p}");
            }
        }
    };
}
