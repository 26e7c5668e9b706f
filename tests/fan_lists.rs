//! Tags, notes, segments and erasure (issue 17), through the binary on both backends.

use serde_json::Value as Json;

use crate::support::{Run, TestDb, TestEnv, array, both_backends, text_pairs};

/// The binary on `db`, with `env_vars` set.
fn run(env: &TestEnv, db: &TestDb, args: &[&str], env_vars: &[(&str, &str)]) -> Run {
    let mut full = vec!["--database-url", db.url.as_str()];
    full.extend_from_slice(args);
    let mut cmd = env.command(&full);
    for (k, v) in env_vars {
        cmd.env(k, v);
    }
    env.run_cmd(cmd)
}

fn usernames(listing: &Json) -> Vec<String> {
    let mut names: Vec<String> = array(listing)
        .iter()
        .map(|f| f["username"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

fn tags(env: &TestEnv, db: &TestDb, fan: &str) -> Vec<(String, Json)> {
    env.crm_json(db, &["fans", "show", fan])["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["tag"].as_str().unwrap().to_string(), t["account"].clone()))
        .collect()
}

const FANS: &str = "Username,Name,Status,Subscribed,Last Active,Total Spent\n\
    @ann,Ann A,Active,2026-01-14,2026-11-20,$100.00\n\
    @bo,Bo B,Active,2026-02-03,2026-11-22,$50.00\n\
    @cy,Cy C,Expired,2026-02-03,2026-06-01,$10.00\n";

fn audit(env: &TestEnv, db: &TestDb) -> Vec<Json> {
    env.crm_json(db, &["audit", "list", "--limit", "1000"])
        .as_array()
        .unwrap()
        .clone()
}

both_backends! {
    tags_and_notes_round_trip_with_audit_entries: |db| {
        let env = TestEnv::new();
        env.import(&db, "fans", FANS);

        let first = run(&env, &db, &["fans", "tag", "onlyfans:@ann", "VIP", " whale "], &[]);
        assert!(first.ok().stderr.contains("2 tag(s) added"), "{}", first.stderr);
        let again = run(&env, &db, &["fans", "tag", "onlyfans:@ann", "vip"], &[]);
        assert!(again.ok().stderr.contains("0 tag(s) added, 1 already there"), "{}", again.stderr);
        assert_eq!(
            tags(&env, &db, "onlyfans:@ann"),
            vec![("vip".into(), Json::Null), ("whale".into(), Json::Null)],
            "normalised, and tagging twice keeps one"
        );
        let bad = run(&env, &db, &["fans", "tag", "onlyfans:@ann", "two words"], &[]);
        bad.error_naming(2, &["a tag holds only"]);

        let typo = run(&env, &db, &["fans", "tag", "onlyfans:@bo", "vip", "--account", "creator-a"], &[]);
        typo.error_naming(2, &["no relationship with account 'creator-a' (it has: default)"]);
        run(&env, &db, &["fans", "tag", "onlyfans:@bo", "vip", "--account", "default"], &[]).ok();
        assert_eq!(tags(&env, &db, "onlyfans:@bo"), vec![("vip".into(), Json::from("default"))]);
        assert_eq!(usernames(&env.crm_json(&db, &["fans", "list", "--tag", "VIP"])), ["ann", "bo"]);
        assert_eq!(
            usernames(&env.crm_json(&db, &["fans", "list", "--tag", "vip", "--tag", "whale"])),
            ["ann"],
            "repeated --tag requires all of them"
        );
        assert_eq!(usernames(&env.crm_json(&db, &["fans", "list", "--tag", "nobody"])), Vec::<String>::new());

        run(&env, &db, &["fans", "untag", "onlyfans:@ann", "whale"], &[]).ok();
        let twice = run(&env, &db, &["fans", "untag", "onlyfans:@ann", "whale"], &[]);
        assert!(twice.ok().stderr.contains("0 tag(s) removed, 1 already absent"), "{}", twice.stderr);
        assert_eq!(tags(&env, &db, "onlyfans:@ann"), vec![("vip".into(), Json::Null)]);

        let secret_text = "Prefers custom videos on Sundays";
        run(&env, &db, &["fans", "note", "onlyfans:@ann", secret_text], &[("SOCIALCRM_OPERATOR", "maria")]).ok();
        run(
            &env,
            &db,
            &["fans", "note", "onlyfans:@ann", "Asked about a discount", "--account", "default"],
            &[("SOCIALCRM_NOW", "2026-11-25T08:00:00Z"), ("USER", "sam")],
        )
        .ok();
        let empty = run(&env, &db, &["fans", "note", "onlyfans:@ann", "   "], &[]);
        empty.error_naming(2, &["a note cannot be empty"]);
        let shown = env.crm_json(&db, &["fans", "show", "onlyfans:@ann"]);
        let notes = shown["notes"].as_array().unwrap();
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0]["body"], "Asked about a discount", "newest first");
        assert_eq!(notes[0]["operator"], "sam", "the OS user without SOCIALCRM_OPERATOR");
        assert_eq!(notes[0]["account"], "default");
        assert_eq!(notes[0]["created_at"], "2026-11-25T08:00:00Z");
        assert_eq!(notes[1]["body"], secret_text);
        assert_eq!(notes[1]["operator"], "maria");
        let table = run(&env, &db, &["fans", "show", "onlyfans:@ann"], &[]);
        assert!(table.ok().stdout.contains("notes (2, newest first)") && table.stdout.contains(secret_text), "{}", table.stdout);

        let entries = audit(&env, &db);
        let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions.iter().filter(|a| **a == "fans.tag").count(), 3, "{actions:?}");
        assert_eq!(actions.iter().filter(|a| **a == "fans.untag").count(), 2, "{actions:?}");
        assert_eq!(actions.iter().filter(|a| **a == "fans.note").count(), 2, "{actions:?}");
        let note_entry = entries.iter().find(|e| e["action"] == "fans.note").unwrap();
        assert_eq!(note_entry["actor"], "maria");
        assert!(note_entry["detail"].as_str().unwrap().contains("note added (32 characters)"), "{note_entry}");
        for e in &entries {
            assert!(!e["detail"].as_str().unwrap_or("").contains("Sundays"), "a note's text is never audited: {e}");
        }

        // Every audit entry names the same operator, an import's too (it once read $USER only).
        let path = env.file("again.csv", FANS);
        run(&env, &db, &["import-csv", "onlyfans", "fans", path.to_str().unwrap()], &[("SOCIALCRM_OPERATOR", "maria"), ("USER", "sam")]).ok();
        let imports: Vec<Json> = audit(&env, &db).into_iter().filter(|e| e["action"] == "import").collect();
        assert_eq!(imports.len(), 2, "{imports:?}");
        assert_eq!(imports.iter().filter(|e| e["actor"] == "maria").count(), 1, "{imports:?}");
    };

    segments_are_saved_listed_shown_and_deleted: |db| {
        let env = TestEnv::new();
        env.import(&db, "fans", FANS);
        for fan in ["onlyfans:@ann", "onlyfans:@cy"] {
            run(&env, &db, &["fans", "tag", fan, "vip"], &[]).ok();
        }
        let created = env.crm_json(&db, &["segments", "create", "Recent-VIP", "--tag", "vip", "--since", "30d"]);
        assert_eq!(created["name"], "recent-vip");
        assert_eq!(created["fans"], 1, "cy was last seen in June");

        let builtin = run(&env, &db, &["segments", "create", "whales", "--tag", "vip"], &[]);
        builtin.error_naming(2, &["built-in"]);
        let taken = run(&env, &db, &["segments", "create", "recent-vip", "--tag", "x"], &[]);
        taken.error_naming(1, &["exists"]);
        let empty = run(&env, &db, &["segments", "create", "everyone"], &[]);
        empty.error_naming(2, &["at least one filter"]);
        let bad_date = run(&env, &db, &["segments", "create", "x", "--since", "lately"], &[]);
        bad_date.one_line_error(2);

        let listed = env.crm_json(&db, &["segments", "list"]);
        let names: Vec<&str> = array(&listed).iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["whales", "new", "cold", "recent-vip"], "built-in first, then saved by name");
        let mine = &listed[3];
        assert_eq!(mine["kind"], "saved");
        assert_eq!(mine["definition"], "tagged vip, last seen since 30d");
        assert_eq!(mine["fans"], 1);

        let shown = env.crm_json(&db, &["segments", "show", "recent-vip"]);
        assert_eq!(shown["fans"], 1);
        assert_eq!(usernames(&shown["members"]), ["ann"]);
        assert_eq!(usernames(&env.crm_json(&db, &["fans", "list", "--segment", "recent-vip"])), ["ann"]);
        let both = run(&env, &db, &["-o", "json", "fans", "list", "--segment", "recent-vip", "--search", "zz"], &[]);
        assert_eq!(both.ok().json().as_array().unwrap().len(), 0, "search is not in the segment: both apply");
        run(&env, &db, &["segments", "create", "of-only", "--platform", "onlyfans"], &[]).ok();
        let clash = run(&env, &db, &["fans", "list", "--segment", "of-only", "--platform", "x"], &[]);
        clash.error_naming(2, &["contradicts"]);

        // "30d" stays relative: judged a year later, nobody was seen in the last 30 days.
        let later = run(&env, &db, &["-o", "json", "segments", "show", "recent-vip"], &[("SOCIALCRM_NOW", "2027-11-24T12:00:00Z")]);
        assert_eq!(later.ok().json()["fans"], 0);

        run(&env, &db, &["segments", "delete", "recent-vip"], &[]).ok();
        run(&env, &db, &["segments", "delete", "recent-vip"], &[]).one_line_error(1);
        run(&env, &db, &["segments", "delete", "cold"], &[]).one_line_error(2);
        let gone = run(&env, &db, &["fans", "list", "--segment", "recent-vip"], &[]);
        gone.error_naming(1, &["no segment named 'recent-vip'"]);
        let actions: Vec<String> = audit(&env, &db).iter().map(|e| e["action"].as_str().unwrap().to_string()).collect();
        assert!(actions.contains(&"segments.create".into()) && actions.contains(&"segments.delete".into()), "{actions:?}");
    };

    erasure_leaves_no_row_mentioning_the_fan: |db| {
        let env = TestEnv::new();
        env.import(&db, "fans", "Fan ID,Username,Name,Status,Subscribed,Last Active,Total Spent,Email,Referral\n\
            of-zq-771,zqerase,Zyxo Quillfeather,Active,2026-01-14,2026-11-20,$100.00,Zyxo@Quill.example,TikTok bio\n\
            of-keep-1,keeper,Kept Person,Active,2026-01-14,2026-11-20,$5.00,,\n");
        env.import(&db, "messages", "Message ID,Fan ID,Fan,Direction,Sent At,Text,Price\n\
            m-1,of-zq-771,@zqerase,received,2026-11-20 18:02,hello from zqerase,\n\
            m-2,of-zq-771,@zqerase,sent,2026-11-20 18:15,hi Zyxo,$12.00\n\
            m-3,of-keep-1,@keeper,received,2026-11-20 18:20,still here,\n");
        env.import(&db, "earnings", "Transaction ID,Date,Type,Fan ID,Username,Description,Gross\n\
            t-1,2026-11-01,Tip,of-zq-771,zqerase,Tip from @zqerase,$50.00\n\
            t-2,2026-11-02,Tip,of-keep-1,keeper,Tip from @keeper,$5.00\n");
        run(&env, &db, &["fans", "tag", "onlyfans:@zqerase", "vip"], &[]).ok();
        run(&env, &db, &["fans", "note", "onlyfans:@zqerase", "zqerase likes Zyxo things"], &[]).ok();
        // Saved segments whose search names the fan (and two that do not).
        run(&env, &db, &["segments", "create", "by-name", "--search", "@ZQerase", "--tag", "vip"], &[]).ok();
        run(&env, &db, &["segments", "create", "by-word", "--search", "zyxo"], &[]).ok();
        run(&env, &db, &["segments", "create", "other-fan", "--search", "keeper"], &[]).ok();
        run(&env, &db, &["segments", "create", "merely-matching", "--search", "zq"], &[]).ok();
        let needles = ["of-zq-771", "zqerase", "Zyxo Quillfeather", "Zyxo", "zyxo@quill.example"];
        assert!(!db.mentions(&needles).is_empty(), "the fan is in the CRM before");
        let kept_before = db.mentions(&["keeper", "of-keep-1"]);

        let refused = run(&env, &db, &["fans", "delete", "onlyfans:@zqerase"], &[]);
        refused.error_naming(2, &["without --yes"]);
        assert!(!refused.stderr.contains("zqerase"), "the refusal names the fan by id only");
        assert!(!db.mentions(&needles).is_empty(), "refused: nothing erased");

        let erased = run(&env, &db, &["-o", "json", "fans", "delete", "onlyfans:@zqerase", "--yes"], &[]);
        let counts: Vec<(String, i64)> = array(&erased.ok().json()).iter()
            .map(|c| (c["table"].as_str().unwrap().to_string(), c["rows"].as_i64().unwrap()))
            .collect();
        let rows = |t: &str| counts.iter().find(|c| c.0 == t).map(|c| c.1).unwrap_or(-1);
        assert_eq!((rows("fans"), rows("messages"), rows("fan_tags"), rows("fan_notes")), (1, 2, 1, 1), "{counts:?}");
        assert!(rows("analytics_events") >= 1, "{counts:?}");
        assert_eq!(rows("fan_accounts"), 1, "{counts:?}");
        assert_eq!(rows("fan_contacts"), 1, "the email its profile shared: {counts:?}");
        assert_eq!(rows("segments"), 2, "{counts:?}");
        assert_eq!(db.mentions(&needles), Vec::<String>::new(), "no row mentions the erased fan");
        let listed = env.crm_json(&db, &["segments", "list"]);
        let saved: Vec<(String, String)> = array(&listed).iter()
            .filter(|s| s["kind"] == "saved")
            .map(|s| (s["name"].as_str().unwrap().to_string(), s["definition"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(saved, [
            ("by-name".to_string(), "tagged vip".to_string()),
            ("merely-matching".to_string(), "matching 'zq'".to_string()),
            ("other-fan".to_string(), "matching 'keeper'".to_string()),
        ], "the search is cleared and the rest kept; a segment that was only the search goes");
        assert_eq!(db.mentions(&["keeper", "of-keep-1"]), kept_before, "the other fan is untouched");
        let entry = audit(&env, &db).into_iter().find(|e| e["action"] == "fans.delete").unwrap();
        let detail = entry["detail"].as_str().unwrap();
        assert!(detail.starts_with("1 fan, "), "{entry}");
        assert!(detail.ends_with(", 2 saved segments of a search naming the fan scrubbed"), "{entry}");

        let again = run(&env, &db, &["fans", "delete", "onlyfans:@zqerase", "--yes"], &[]);
        again.error_naming(1, &["no fan matches"]);
    };
}

/// `fans list --segment NAME --account A` as (account, username) pairs, sorted.
pub fn members(
    env: &TestEnv,
    db: &TestDb,
    segment: &str,
    account: Option<&str>,
) -> Vec<(String, String)> {
    let mut args = vec!["fans", "list", "--segment", segment, "--limit", "10000"];
    if let Some(a) = account {
        args.extend(["--account", a]);
    }
    let mut out = text_pairs(&env.crm_json(db, &args), "account", "username");
    out.sort();
    out
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = list
        .iter()
        .map(|(a, u)| (a.to_string(), u.to_string()))
        .collect();
    out.sort();
    out
}

both_backends! {
    builtin_segments_have_known_answers_per_account: |db| {
        // Now is 2026-11-24T12:00:00Z: new = subscribed (first seen) since 11-17T12:00; cold =
        // last seen before 10-25T12:00 with spend at least the account's lower median.
        let env = TestEnv::new();
        let header = "Username,Name,Status,Subscribed,Last Active,Total Spent\n";
        // alpha: paying spends 1000, 1000, 500, 300, 200, 100 (n = 6, k = 1: both 1000s tie);
        // lower median = 3rd smallest = 300.
        let alpha = format!("{header}\
            @a1,A1,Active,2026-11-20,2026-11-20,$1000.00\n\
            @a2,A2,Active,2026-01-01,2026-09-01,$1000.00\n\
            @a3,A3,Active,2026-01-01,2026-10-01,$500.00\n\
            @a4,A4,Active,2026-01-01,2026-10-26,$300.00\n\
            @a5,A5,Active,2026-11-18,2026-01-01,$200.00\n\
            @a6,A6,Active,2026-01-01,2026-01-01,$100.00\n\
            @a7,A7,Active,2026-11-17,2025-01-01,$0.00\n");
        // beta shares a3: spends 5000 (a3), 100, 50 (n = 3, k = 1); lower median = 100.
        let beta = format!("{header}\
            @a3,A3,Active,2026-11-23,2026-11-23,$5000.00\n\
            @b1,B1,Active,2026-01-01,2026-08-01,$100.00\n\
            @b2,B2,Active,2026-01-01,2026-08-01,$50.00\n");
        // gamma: 101 paying fans, so k = ceil(1.01) = 2: the 9000 and both 8000s are whales.
        let mut gamma = format!("{header}@g-top,G,Active,2026-01-01,2026-11-20,$9000.00\n\
            @g-tie1,G,Active,2026-01-01,2026-11-20,$8000.00\n@g-tie2,G,Active,2026-01-01,2026-11-20,$8000.00\n");
        for i in 0..98 {
            gamma.push_str(&format!("@g{i},G,Active,2026-01-01,2026-11-20,${}.00\n", i + 1));
        }
        for (account, content) in [("alpha", &alpha), ("beta", &beta), ("gamma", &gamma)] {
            let path = env.file(format!("{account}.csv"), content);
            run(&env, &db, &["import-csv", "onlyfans", "fans", path.to_str().unwrap(), "--account", account], &[]).ok();
        }

        assert_eq!(members(&env, &db, "whales", Some("alpha")), pairs(&[("alpha", "a1"), ("alpha", "a2")]), "ties included");
        assert_eq!(members(&env, &db, "whales", Some("beta")), pairs(&[("beta", "a3")]), "a3 is beta's whale, not alpha's");
        assert_eq!(
            members(&env, &db, "whales", Some("gamma")),
            pairs(&[("gamma", "g-tie1"), ("gamma", "g-tie2"), ("gamma", "g-top")]),
            "k = 2 with a tie at the second place"
        );
        assert_eq!(members(&env, &db, "whales", None).len(), 6);
        assert_eq!(
            members(&env, &db, "new", None),
            pairs(&[("alpha", "a1"), ("alpha", "a5"), ("beta", "a3")]),
            "a7 subscribed 7.5 days ago"
        );
        assert_eq!(
            members(&env, &db, "cold", None),
            pairs(&[("alpha", "a2"), ("alpha", "a3"), ("beta", "b1")]),
            "a4 was seen 29 days ago; a5 and a6 spent less than the median; a7 nothing"
        );

        let listed = env.crm_json(&db, &["segments", "list"]);
        let count = |name: &str| array(&listed).iter().find(|s| s["name"] == name).unwrap()["fans"].as_i64().unwrap();
        assert_eq!((count("whales"), count("new"), count("cold")), (6, 3, 3));
        // Counts are live: a week later, nobody is new any more.
        let later = run(&env, &db, &["-o", "json", "segments", "show", "new"], &[("SOCIALCRM_NOW", "2026-12-01T12:00:00Z")]);
        assert_eq!(later.ok().json()["fans"], 0);
    };

    erasure_with_account_removes_one_relationship_then_the_identity: |db| {
        let env = TestEnv::new();
        let header = "Fan ID,Username,Name,Status,Subscribed,Last Active,Total Spent\n";
        let row = "of-qx-5,qxshared,Qwyn Xandersen,Active,2026-01-14,2026-11-20,$100.00\n";
        for account in ["alpha", "beta"] {
            let fans = env.file(format!("fans-{account}.csv"), format!("{header}{row}of-keep-{account},keep{account},K,Active,2026-01-14,2026-11-20,$5.00\n"));
            run(&env, &db, &["import-csv", "onlyfans", "fans", fans.to_str().unwrap(), "--account", account], &[]).ok();
            let messages = env.file(format!("messages-{account}.csv"), format!("Message ID,Fan ID,Fan,Direction,Sent At,Text,Price\n\
                m-{account},of-qx-5,@qxshared,received,2026-11-20 18:02,hello {account},\n"));
            run(&env, &db, &["import-csv", "onlyfans", "messages", messages.to_str().unwrap(), "--account", account], &[]).ok();
        }
        run(&env, &db, &["fans", "tag", "onlyfans:@qxshared", "vip", "--account", "alpha"], &[]).ok();
        run(&env, &db, &["fans", "tag", "onlyfans:@qxshared", "everywhere"], &[]).ok();
        run(&env, &db, &["fans", "note", "onlyfans:@qxshared", "alpha's note", "--account", "alpha"], &[]).ok();
        run(&env, &db, &["segments", "create", "qx", "--search", "qxshared", "--account", "beta"], &[]).ok();
        let definition = || env.crm_json(&db, &["segments", "show", "qx"])["definition"].as_str().unwrap().to_string();

        let alpha = run(&env, &db, &["-o", "json", "fans", "delete", "onlyfans:@qxshared", "--account", "alpha", "--yes"], &[]);
        alpha.ok();
        let shown = env.crm_json(&db, &["fans", "show", "onlyfans:@qxshared"]);
        let accounts: Vec<&str> = array(&shown["relationships"]).iter().map(|r| r["account"].as_str().unwrap()).collect();
        assert_eq!(accounts, ["beta"], "{shown}");
        let tags: Vec<&str> = array(&shown["tags"]).iter().map(|t| t["tag"].as_str().unwrap()).collect();
        assert_eq!(tags, ["everywhere"], "alpha's tag went, the tag for every account stayed");
        assert_eq!(shown["notes"].as_array().unwrap().len(), 0);
        assert_eq!(db.strings("SELECT CAST(COUNT(*) AS TEXT) FROM messages WHERE fan_platform_user_id = 'of-qx-5'"), ["1"]);
        assert!(db.mentions(&["hello alpha"]).is_empty(), "alpha's message went");
        assert_eq!(definition(), "account beta, matching 'qxshared'", "the fan is still in the CRM: the segment stays");

        let missing = run(&env, &db, &["fans", "delete", "onlyfans:@qxshared", "--account", "alpha", "--yes"], &[]);
        missing.error_naming(1, &["no relationship with account 'alpha'"]);

        run(&env, &db, &["fans", "delete", "onlyfans:@qxshared", "--account", "beta", "--yes"], &[]).ok();
        assert_eq!(db.mentions(&["of-qx-5", "qxshared", "Qwyn Xandersen"]), Vec::<String>::new(), "the last relationship took the identity with it");
        assert_eq!(definition(), "account beta", "and the search naming the fan");
        assert_eq!(db.strings("SELECT CAST(COUNT(*) AS TEXT) FROM fans"), ["2"], "the other fans stay");
    };
}
