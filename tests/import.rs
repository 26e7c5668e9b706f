//! `import-csv onlyfans fans|messages|earnings`, end to end through the binary, each case on
//! both backends.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value as Json;

use crate::support::{Run, TestDb, TestEnv, assert_contains, both_backends};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

fn import(env: &TestEnv, db: &TestDb, kind: &str, file: &Path, extra: &[&str]) -> Run {
    env.run_cmd(import_command(env, db, kind, file, extra))
}

/// `import-csv onlyfans KIND FILE extra..` on `db`, with JSON output, for a test to add its
/// environment to.
fn import_command(env: &TestEnv, db: &TestDb, kind: &str, file: &Path, extra: &[&str]) -> Command {
    let file = file.to_str().unwrap();
    let mut args = vec![
        "--database-url",
        &db.url,
        "-o",
        "json",
        "import-csv",
        "onlyfans",
        kind,
        file,
    ];
    args.extend_from_slice(extra);
    env.command(&args)
}

fn list(env: &TestEnv, db: &TestDb, what: &str) -> Vec<Json> {
    let run = env.crm(db, &[what, "list", "--limit", "1000"]);
    run.ok().json().as_array().unwrap().clone()
}

fn fan<'a>(fans: &'a [Json], id: &str) -> &'a Json {
    fans.iter()
        .find(|f| f["platform_user_id"] == id)
        .unwrap_or_else(|| panic!("no fan {id} in {fans:?}"))
}

both_backends! {
    the_example_export_imports_once_and_then_changes_nothing: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        let first = import(env, db, "fans", &example("onlyfans-fans.csv"), &[]);
        assert_eq!(first.ok().import_counts(), (12, 0, 0, 0));
        assert!(first.stderr.contains("OnlyFans has no public API"), "the notice shows");
        let again = import(env, db, "fans", &example("onlyfans-fans.csv"), &[]);
        assert_eq!(again.ok().import_counts(), (0, 0, 12, 0), "re-import changes nothing");
        assert!(!again.stderr.contains("no public API"), "the notice shows once per database");

        let fans = list(env, db, "fans");
        assert_eq!(fans.len(), 12);
        let maple = fan(&fans, "maple_rider");
        assert_eq!(maple["username"], "maple_rider", "@ stripped");
        assert_eq!(maple["lifetime_spend_cents"], 120450);
        assert_eq!(maple["currency"], "USD");
        assert_eq!(maple["status"], "active");
        assert_eq!(maple["revision"], 1, "an unchanged row is not touched");

        // A newer export updates what changed and only that.
        let newer = std::fs::read_to_string(example("onlyfans-fans.csv"))
            .unwrap()
            .replace("@quietfox,Sam Quill,Active,2026-02-03,2026-11-22,$310.00", "@quietfox,Sam Quill,Expired,2026-02-03,2026-11-23,$320.00");
        let newer = env.file("newer.csv", newer);
        assert_eq!(import(env, db, "fans", &newer, &[]).ok().import_counts(), (0, 1, 11, 0));
        let quiet = list(env, db, "fans").into_iter().find(|f| f["username"] == "quietfox").unwrap();
        assert_eq!((quiet["status"].as_str(), quiet["lifetime_spend_cents"].as_i64()), (Some("expired"), Some(32000)));

        let audit = env.crm(db, &["audit", "list", "--action", "import"]);
        let audit = audit.ok().json();
        assert_eq!(audit.as_array().unwrap().len(), 3, "one audit entry per import");
        assert!(audit[0]["detail"].as_str().unwrap().contains("12 inserted"));
    };

    headers_delimiters_bom_and_quoted_newlines_are_understood: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        // The same two fans in the dialects exports come in.
        let variants: [(&str, String); 5] = [
            ("comma.csv", "USER NAME,Fan-ID,Total Spent ($)\nann,1,5\n\"bo\",2,\"6\"\n".into()),
            ("semicolon.csv", "\u{feff}user_name;fan_id;TOTAL_SPENT\r\nann;1;5\r\nbo;2;6\r\n".into()),
            ("tab.tsv", "Handle\tUser ID\tLifetime Spend\nann\t1\t5\nbo\t2\t6\n".into()),
            ("quoted.csv", "Username,User ID,Notes,Spent\nann,1,\"line one\nline two, with comma\",5\nbo,2,\"say \"\"hi\"\"\",6\n".into()),
            ("no-trailing-newline.csv", "username,fanid,spent\nann,1,5\nbo,2,6".into()),
        ];
        for (i, (name, content)) in variants.iter().enumerate() {
            let path = env.file(name, content);
            let run = import(env, db, "fans", &path, &[]);
            let expected = if i == 0 { (2, 0, 0, 0) } else { (0, 0, 2, 0) };
            assert_eq!(run.ok().import_counts(), expected, "{name}: {}", run.stderr);
        }
        let fans = list(env, db, "fans");
        assert_eq!(fans.len(), 2);
        assert_eq!(fan(&fans, "2")["lifetime_spend_cents"], 600);

        // Rows keep the line they start on, past quoted newlines.
        let path = env.file("lines.csv", "username,notes,spent\nann,\"a\nb\nc\",1\nbad,x,nope\n");
        let rejects = env.path().join("lines-rejects.csv");
        import(env, db, "fans", &path, &["--rejects", rejects.to_str().unwrap()]);
        let report = std::fs::read_to_string(&rejects).unwrap();
        assert!(report.lines().nth(1).unwrap().starts_with("5,"), "{report}");
    };

    every_amount_and_date_form_is_read_exactly: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        let path = env.file("forms.csv", "\
username,total spent,subscribed,last active\n\
a,\"$1,234.50\",2026-11-01,2026-11-01T12:30:00Z\n\
b,\"1234,50 €\",11/02/2026,2026-11-01T12:30:00+02:00\n\
c,\"1.234.567,50\",03.11.2026,2026-11-01 12:30\n\
d,EUR 12,2026-11-04T01:02:03.5Z,11/01/2026 3:04 PM\n\
e,(12.00),13.11.2026,\n\
f,£0.99,2026-11-06,11/01/2026 12:00 AM\n");
        let run = import(env, db, "fans", &path, &[]);
        assert_eq!(run.ok().import_counts(), (6, 0, 0, 0), "{}", run.stderr);
        let fans = list(env, db, "fans");
        let got = |id: &str, field: &str| fan(&fans, id)[field].clone();
        assert_eq!(got("a", "lifetime_spend_cents"), 123450);
        assert_eq!((got("b", "lifetime_spend_cents"), got("b", "currency")), (123450.into(), "EUR".into()));
        assert_eq!(got("d", "lifetime_spend_cents"), 1200);
        assert_eq!(got("e", "lifetime_spend_cents"), -1200);
        assert_eq!((got("f", "lifetime_spend_cents"), got("f", "currency")), (99.into(), "GBP".into()));
        assert_eq!(got("a", "first_seen_at"), "2026-11-01T00:00:00Z");
        assert_eq!(got("b", "first_seen_at"), "2026-11-02T00:00:00Z", "slashes are month first");
        assert_eq!(got("c", "first_seen_at"), "2026-11-03T00:00:00Z", "dots are day first");
        assert_eq!(got("d", "first_seen_at"), "2026-11-04T01:02:03.500Z", "fractions are kept");
        assert_eq!(got("e", "first_seen_at"), "2026-11-13T00:00:00Z");
        assert_eq!(got("a", "last_seen_at"), "2026-11-01T12:30:00Z");
        assert_eq!(got("b", "last_seen_at"), "2026-11-01T10:30:00Z", "offsets are honoured");
        assert_eq!(got("c", "last_seen_at"), "2026-11-01T12:30:00Z", "no offset is UTC");
        assert_eq!(got("d", "last_seen_at"), "2026-11-01T15:04:00Z");
        assert_eq!(got("e", "last_seen_at"), Json::Null);
        assert_eq!(got("f", "last_seen_at"), "2026-11-01T00:00:00Z", "12 AM is midnight");
    };

    ambiguous_dates_are_rejected_until_the_order_is_given: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        let path = env.file("ambiguous.csv", "username,subscribed\na,03-04-2026\nb,13/01/2026\nc,2026-01-05\n");
        let rejects = env.path().join("rejects.csv");
        let run = import(env, db, "fans", &path, &["--rejects", rejects.to_str().unwrap()]);
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert_eq!(run.import_counts(), (1, 0, 0, 2));
        let report = std::fs::read_to_string(&rejects).unwrap();
        assert_contains(&report, "--date-format mdy` or `--date-format dmy");
        assert_contains(&report, "--date-format dmy` if the file writes day/month");

        let run = import(env, db, "fans", &path, &["--date-format", "dmy"]);
        assert_eq!(run.ok().import_counts(), (2, 0, 1, 0));
        let fans = list(env, db, "fans");
        assert_eq!(fan(&fans, "a")["first_seen_at"], "2026-04-03T00:00:00Z");
        assert_eq!(fan(&fans, "b")["first_seen_at"], "2026-01-13T00:00:00Z");

        let iso_only = import(env, db, "fans", &path, &["--date-format", "iso"]);
        assert_eq!(iso_only.import_counts().3, 2, "iso refuses numeric day-month dates");
    };

    files_that_cannot_be_imported_fail_in_one_line: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("empty.csv", vec![], "is empty"),
            ("blank.csv", b"\n\n".to_vec(), "is empty"),
            ("missing.csv", b"Member,Spent\nzed,1\n".to_vec(), "lacks username or fan_id (headers seen: Member, Spent)"),
            ("binary.xlsx", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00".to_vec(), "not a CSV text file (it holds binary data)"),
            ("utf16.csv", b"\xFF\xFEu\x00s\x00e\x00r\x00".to_vec(), "it is UTF-16"),
        ];
        for (name, content, message) in cases {
            let path = env.file(name, content);
            let line = import(env, db, "fans", &path, &[]).one_line_error(1).to_string();
            assert!(line.contains(message), "{name}: {line}");
            assert!(line.contains(name), "{name}: the file is named: {line}");
        }
        let missing = env.file("m.csv", "Fan,Body\nann,hi\n");
        let line = import(env, db, "messages", &missing, &[]).one_line_error(1).to_string();
        assert!(line.contains("lacks sent_at, direction"), "every missing field is listed: {line}");
        let nowhere = env.path().join("nowhere.csv");
        import(env, db, "fans", &nowhere, &[]).error_naming(1, &["cannot read"]);
        let bad_map = env.file("map.csv", "Member\nzed\n");
        import(env, db, "fans", &bad_map, &["--map", "Member=nickname"]).error_naming(2, &["no field 'nickname'"]);

        // A header-only file imports nothing, successfully; --map names unknown columns.
        let header_only = env.file("header.csv", "username,total spent\n");
        assert_eq!(import(env, db, "fans", &header_only, &[]).ok().json()["rows"], 0);
        import(env, db, "fans", &bad_map, &["--map", "Member=username"]).ok();
        assert_eq!(list(env, db, "fans").len(), 1);
        assert_eq!(list(env, db, "audit").iter().filter(|a| a["action"] == "import").count(), 2, "failed imports write nothing");
    };

    oversized_rows_are_rejected_without_stopping_the_import: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        // A cell far longer than any export has, and an unterminated quote that swallows
        // megabytes: each is one rejected row, the rows around them are imported.
        let mut content = format!("username,name\nbefore,ok\nlong,{}\nafter,ok\n", "x".repeat(100_000)).into_bytes();
        content.extend(b"open,\"never closed ");
        content.extend(std::iter::repeat_n(b'y', 3 << 20));
        let path = env.file("huge.csv", content);
        let rejects = env.path().join("rejects.csv");
        let run = import(env, db, "fans", &path, &["--rejects", rejects.to_str().unwrap()]);
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert_eq!(run.import_counts(), (2, 0, 0, 2));
        run.stderr_has("2 of 4 rows rejected");
        let report = std::fs::read_to_string(&rejects).unwrap();
        assert!(report.contains("a cell is 100000 bytes long (at most 16384)"), "{}", &report[..200]);
        assert!(report.contains("the row is too long to read"), "the unterminated quote is named");
        assert!(report.contains("an unterminated quote?"));
        assert!(report.len() < 200_000, "an unreadable row is reported without its content");
    };

    rejects_dry_runs_and_standard_input: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        let eu = env.file("eu.csv", "\u{feff}Fan ID;User Name;Notes;Total spent (€);Joined\n\
             9001;@Maple_Rider;\"likes\ncats\";1.234,50 €;14.01.2026\n\
             9002;other;x;abc;01.02.2026\n\
             9003;third;y;5;31.02.2026\n");
        let rejects = env.path().join("rejects.csv");
        let run = import(env, db, "fans", &eu, &["--rejects", rejects.to_str().unwrap(), "--dry-run"]);
        assert_eq!(run.code, 3, "a dry run reports rejects the same way");
        assert_eq!(run.import_counts(), (1, 0, 0, 2));
        assert!(run.stderr.contains("dry run: nothing was written"));
        assert_eq!(list(env, db, "fans").len(), 0, "a dry run writes no fan");
        assert!(list(env, db, "audit").is_empty(), "nor an audit entry");

        let run = import(env, db, "fans", &eu, &["--rejects", rejects.to_str().unwrap()]);
        assert_eq!(run.code, 3);
        run.stderr_has("2 of 3 rows rejected (written to");
        run.stderr_has("first: line 4: total_spent: bad amount");
        let report = std::fs::read_to_string(&rejects).unwrap();
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines[0], "line,reason,Fan ID,User Name,Notes,Total spent (€),Joined");
        assert!(lines[1].starts_with("4,\"total_spent: bad amount") && lines[1].ends_with(",9002,other,x,abc,01.02.2026"), "{report}");
        assert!(lines[2].starts_with("5,\"subscribed_at:") && lines[2].contains("no such day"), "{report}");
        assert_eq!(lines.len(), 3);
        let fans = list(env, db, "fans");
        let maple = fan(&fans, "9001");
        assert_eq!((maple["lifetime_spend_cents"].as_i64(), maple["currency"].as_str()), (Some(123450), Some("EUR")));
        assert_eq!(maple["username"], "Maple_Rider");

        // Standard input, read as it streams.
        let mut cmd = env.command(&["--database-url", &db.url, "-o", "json", "import-csv", "onlyfans", "fans", "-"]);
        cmd.stdin(Stdio::from(std::fs::File::open(example("onlyfans-fans.csv")).unwrap()));
        let run = env.run_cmd(cmd);
        assert_eq!(run.ok().import_counts(), (12, 0, 0, 0));
        assert_eq!(run.json()["file"], "standard input");
    };

    messages_become_messages_and_fans: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        import(env, db, "fans", &example("onlyfans-fans.csv"), &[]).ok();
        let run = import(env, db, "messages", &example("onlyfans-messages.csv"), &[]);
        let summary = run.ok().json();
        assert_eq!((summary["table"].as_str(), summary["inserted"].as_u64()), (Some("messages"), Some(8)));
        assert_eq!(import(env, db, "messages", &example("onlyfans-messages.csv"), &[]).ok().import_counts(), (0, 0, 8, 0));

        let messages = list(env, db, "messages");
        assert_eq!(messages.len(), 8);
        assert_eq!(messages[0]["platform_message_id"], "m-1001");
        assert_eq!((messages[0]["direction"].as_str(), messages[1]["direction"].as_str()), (Some("in"), Some("out")));
        assert_eq!((messages[0]["kind"].as_str(), messages[1]["kind"].as_str()), (Some("dm"), Some("ppv")), "a price makes it paid");
        assert_eq!(messages[0]["fan_username"], "maple_rider");
        assert!(messages[4]["body"].as_str().unwrap().contains("custom video:\ncan it be"));

        let fans = list(env, db, "fans");
        assert_eq!(fans.len(), 13, "a correspondent not in the fans export becomes a fan");
        let lou = fan(&fans, "newcomer_lou");
        assert_eq!(lou["first_seen_at"], "2026-11-24T11:47:00Z");
        assert_eq!(fan(&fans, "maple_rider")["message_count"], 2);
        assert_eq!(fan(&fans, "maple_rider")["last_seen_at"], "2026-11-20T18:15:00Z", "messages move last seen forward");

        // Without ids, messages are keyed by their content, so a re-import is still a no-op.
        let no_ids = env.file("noid.csv", "Fan,Sent By,Date,Message\nann,fan,2026-11-01 10:00,hi\nann,me,2026-11-01 10:01,hello\nann,sideways,2026-11-01 10:02,?\n");
        assert_eq!(import(env, db, "messages", &no_ids, &[]).import_counts(), (2, 0, 0, 1));
        let again = import(env, db, "messages", &no_ids, &[]);
        assert_eq!(again.import_counts(), (0, 0, 2, 1));
        again.stderr_has("'sideways' is neither in nor out");
    };

    earnings_become_payment_events_and_lifetime_spend: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        import(env, db, "fans", &example("onlyfans-fans.csv"), &[]).ok();
        let run = import(env, db, "earnings", &example("onlyfans-earnings.csv"), &[]);
        let summary = run.ok().json();
        assert_eq!((summary["table"].as_str(), summary["rows"].as_u64(), summary["inserted"].as_u64()), (Some("analytics_events"), Some(8), Some(24)), "gross, fee and net per payment");
        assert_eq!(import(env, db, "earnings", &example("onlyfans-earnings.csv"), &[]).ok().import_counts(), (0, 0, 24, 0));

        let fans = list(env, db, "fans");
        assert_eq!(fan(&fans, "newcomer_lou")["lifetime_spend_cents"], 999, "a payer not in the fans export becomes a fan with their spend");
        assert_eq!(fan(&fans, "maple_rider")["lifetime_spend_cents"], 120450, "a lifetime total above the payments is kept");

        // Payments of a fan the fans export does not know, with a refund, summed exactly.
        let more = env.file("more.csv", "\
Transaction ID,Created At,Type,Username,Amount,Net Amount,Currency\n\
t1,2026-11-01,tip,zoe,$10.10,$8.08,USD\n\
t2,2026-11-02,tip,zoe,$20.20,$16.16,USD\n\
t3,2026-11-03,refund,zoe,$10.10,$8.08,USD\n\
t4,2026-11-04,tip,zoe,$1.00,$2.00,USD\n\
t5,2026-11-05,tip,,$3.00,,USD\n");
        let run = import(env, db, "earnings", &more, &[]);
        assert_eq!(run.import_counts(), (7, 0, 0, 1));
        run.stderr_has("net (2.00) is more than gross (1.00)");
        let zoe = list(env, db, "fans").into_iter().find(|f| f["platform_user_id"] == "zoe").unwrap();
        assert_eq!(zoe["lifetime_spend_cents"], 2020, "10.10 + 20.20 - 10.10");
        assert_eq!(zoe["first_seen_at"], "2026-11-01T00:00:00Z");
        assert_eq!(import(env, db, "earnings", &more, &[]).import_counts(), (0, 0, 7, 1));
        let zoe = list(env, db, "fans").into_iter().find(|f| f["platform_user_id"] == "zoe").unwrap();
        assert_eq!(zoe["revision"], 2, "a re-import does not touch the spend again");
    };

    large_exports_take_the_bulk_path_with_the_same_results: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        // Enough rows for the bulk paths, a fan repeated within a batch (rejected: the first
        // row of a fan wins), then a re-import and a newer export changing a few rows.
        let mut csv = String::from("Fan ID,Username,Total Spent,Last Active\n");
        for i in 0..3000 {
            csv.push_str(&format!("{i},fan_{i},{}.00,2026-11-01\n", i % 100));
        }
        csv.push_str("7,fan_7_renamed,,2026-11-20\n");
        let path = env.file("big.csv", &csv);
        assert_eq!(import(env, db, "fans", &path, &[]).import_counts(), (3000, 0, 0, 1));
        assert_eq!(import(env, db, "fans", &path, &[]).import_counts(), (0, 0, 3000, 1), "a re-import changes nothing");
        let newer = csv.replace("10,fan_10,10.00", "10,fan_10,11.00").replace("2999,fan_2999,99.00,2026-11-01", "2999,fan_2999,99.00,2026-11-02");
        let newer = env.file("newer.csv", newer);
        assert_eq!(import(env, db, "fans", &newer, &[]).import_counts(), (0, 2, 2998, 1));
        let fans = list(env, db, "fans");
        assert_eq!(fans.len(), 1000, "listing limit");
        let seven = fan(&fans, "7");
        assert_eq!((seven["username"].as_str(), seven["lifetime_spend_cents"].as_i64()), (Some("fan_7"), Some(700)));
        assert_eq!((seven["last_seen_at"].as_str(), seven["revision"].as_i64()), (Some("2026-11-01T00:00:00Z"), Some(1)));
        assert_eq!(fan(&fans, "10")["lifetime_spend_cents"], 1100);
    };
}

/// The fan `id`, as listed now.
fn one_fan(env: &TestEnv, db: &TestDb, id: &str) -> Json {
    fan(&list(env, db, "fans"), id).clone()
}

fn is_sqlite(db: &TestDb) -> bool {
    db.url.starts_with("sqlite:")
}

// Regression tests of issue 14 (hardening, data integrity), each named after what broke.
both_backends! {
    lifetime_spend_does_not_flip_flop_between_fans_and_earnings_imports: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        let fans = env.file("fans.csv", "Fan ID,Username,Total Spent\nf1,ann,$48.52\nf2,bo,$5.00\n");
        let tips = env.file("tips.csv", "Transaction ID,Date,Type,Fan ID,Username,Gross\n\
            t1,2026-11-01,tip,f1,ann,$50.00\nt2,2026-11-02,tip,f1,ann,$3.17\n");
        let refund = env.file("refund.csv", "Transaction ID,Date,Type,Fan ID,Username,Gross\n\
            t3,2026-11-03,refund,f1,ann,$10.00\n");
        import(env, db, "fans", &fans, &[]).ok();
        import(env, db, "earnings", &tips, &[]).ok();
        let after_first = one_fan(env, db, "f1");
        assert_eq!(after_first["lifetime_spend_cents"], 5317, "the payments are more than the export says");
        for cycle in 0..2 {
            let again = import(env, db, "fans", &fans, &[]);
            assert_eq!(again.ok().import_counts(), (0, 0, 2, 0), "cycle {cycle}: an unchanged export changes nothing");
            assert_eq!(one_fan(env, db, "f1")["lifetime_spend_cents"], 5317, "cycle {cycle}");
            import(env, db, "earnings", &tips, &[]).ok();
            let f1 = one_fan(env, db, "f1");
            assert_eq!(f1["lifetime_spend_cents"], 5317, "cycle {cycle}");
            assert_eq!(f1["revision"], after_first["revision"], "cycle {cycle}: nothing was rewritten");
        }
        // A later refund lowers the payments: the larger of export and payments, whatever the
        // order the files came in.
        import(env, db, "earnings", &refund, &[]).ok();
        assert_eq!(one_fan(env, db, "f1")["lifetime_spend_cents"], 4852, "48.52 > 50.00 + 3.17 - 10.00");
        let other = TestEnv::new();
        let fresh = if is_sqlite(db) { TestDb::sqlite() } else { TestDb::postgres().unwrap() };
        for (kind, f) in [("earnings", &refund), ("earnings", &tips), ("fans", &fans)] {
            import(&other, &fresh, kind, f, &[]).ok();
        }
        assert_eq!(one_fan(&other, &fresh, "f1")["lifetime_spend_cents"], 4852, "the same in another order");
        assert_eq!(one_fan(&other, &fresh, "f2")["lifetime_spend_cents"], 500, "no payments: the export's total");
    };

    dates_beyond_year_9999_in_utc_are_rejected_and_listing_survives_bad_rows: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        let path = env.file("years.csv", "username,subscribed\nok,2026-01-01\n\
            late,9999-12-31T23:59:59-14:00\nearly,0000-01-01T00:30:00+01:00\n");
        let run = import(env, db, "fans", &path, &[]);
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert_eq!(run.import_counts(), (1, 0, 0, 2));
        run.stderr_has("years 0000 to 9999");
        assert_eq!(list(env, db, "fans").len(), 1);
        // A row stored before the check (or written by another tool) does not make the CRM
        // unreadable.
        if is_sqlite(db) {
            db.exec("UPDATE fan_accounts SET first_seen_at = '+10000-01-01T13:59:59.000000Z', last_seen_at = 'garbage'");
        } else {
            db.exec("UPDATE fan_accounts SET first_seen_at = '10000-01-01T13:59:59Z'");
        }
        let fans = list(env, db, "fans");
        assert_eq!(fans.len(), 1, "the row still lists");
        assert!(fans[0]["first_seen_at"].as_str().unwrap().contains("10000-01-01"), "{}", fans[0]);
    };

    absurd_amounts_are_rejected_and_spend_sums_cannot_overflow: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        let huge = env.file("huge.csv", "Transaction ID,Date,Type,Username,Gross\n\
            h1,2026-11-01,tip,whale,\"$50,000,000,000,000,000.00\"\n\
            h2,2026-11-02,tip,whale,\"$50,000,000,000,000,000.00\"\n\
            h3,2026-11-03,tip,whale,\"$10,000,000,000.00\"\n\
            h4,2026-11-04,tip,whale,\"$10,000,000,000.01\"\n");
        let run = import(env, db, "earnings", &huge, &[]);
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert_eq!(run.import_counts(), (1, 0, 0, 3));
        run.stderr_has("at most 10,000,000,000.00");
        // Sums of payments stored before the bound saturate instead of failing every import.
        for (id, at) in [("x1", "2026-11-05"), ("x2", "2026-11-06")] {
            db.exec(&format!("INSERT INTO analytics_events (platform, account, subject_type, subject_id, metric, period, \
                period_start, value, unit, fan_platform_user_id, revision, created_at, updated_at) VALUES \
                ('onlyfans', 'default', 'transaction', '{id}', 'gross_tip', 'instant', '{at}T00:00:00.000000Z', 5e16, 'USD', 'whale', 1, \
                '2026-11-01T00:00:00.000000Z', '2026-11-01T00:00:00.000000Z')"));
        }
        let run = import(env, db, "earnings", &example("onlyfans-earnings.csv"), &[]);
        assert_eq!(run.ok().import_counts(), (24, 0, 0, 0));
        let whale = one_fan(env, db, "whale");
        assert!(whale["lifetime_spend_cents"].as_i64().unwrap() > 1_000_000_000_000_000_000, "{whale}");
        import(env, db, "earnings", &example("onlyfans-earnings.csv"), &[]).ok();
    };

    times_that_differ_below_a_microsecond_are_one_time: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        // Enough rows for PostgreSQL's bulk path; nanosecond times; a second import.
        let mut csv = String::from("Transaction ID,Date,Type,Username,Gross\n");
        for i in 0..100 {
            csv.push_str(&format!("n{i},2026-11-01T10:00:{:02}.123456789Z,tip,fan{},$1.00\n", i % 60, i % 7));
        }
        let path = env.file("nanos.csv", &csv);
        assert_eq!(import(env, db, "earnings", &path, &[]).ok().import_counts(), (100, 0, 0, 0));
        assert_eq!(import(env, db, "earnings", &path, &[]).ok().import_counts(), (0, 0, 100, 0));
        // Rows without ids that differ only below 1 µs are the same payment.
        let mut csv = String::from("Date,Type,Username,Gross\n");
        for i in 0..100 {
            csv.push_str(&format!("2026-11-02T10:00:{:02}.0000001Z,tip,fan{i},$1.00\n", i % 60));
        }
        csv.push_str("2026-11-02T10:00:00.0000002Z,tip,fan0,$1.00\n");
        let path = env.file("sub-micro.csv", &csv);
        let run = import(env, db, "earnings", &path, &[]);
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert_eq!(run.import_counts(), (100, 0, 0, 1));
        run.stderr_has("line 102");
        assert_eq!(import(env, db, "earnings", &path, &[]).import_counts(), (0, 0, 100, 1));
    };

    a_nul_byte_past_the_first_block_rejects_its_row_not_the_file: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        let mut csv = b"Fan ID,Username,Notes\n".to_vec();
        for i in 0..6001 {
            if i == 5000 {
                csv.extend(format!("{i},fan{i},bad\0byte\n").as_bytes());
            } else {
                csv.extend(format!("{i},fan{i},{}\n", "n".repeat(40)).as_bytes());
            }
        }
        assert!(csv.len() > 256 * 1024);
        let path = env.file("nul.csv", &csv);
        let run = import(env, db, "fans", &path, &[]);
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert_eq!(run.import_counts(), (6000, 0, 0, 1));
        run.stderr_has("line 5002: the row holds a NUL byte");
        // From standard input the same, with its audit entry.
        let mut cmd = env.command(&["--database-url", &db.url, "-o", "json", "import-csv", "onlyfans", "fans", "-"]);
        cmd.stdin(Stdio::from(std::fs::File::open(&path).unwrap()));
        let run = env.run_cmd(cmd);
        assert_eq!((run.code, run.import_counts()), (3, (0, 0, 6000, 1)), "{}", run.stderr);
        assert_eq!(list(env, db, "audit").iter().filter(|a| a["action"] == "import").count(), 2);
    };

    a_rejects_file_that_is_the_input_is_refused: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        // The CRM exists, so that listing it (a read-only command) shows what was imported.
        db.open().ensure_current().unwrap();
        let mut csv = String::from("username,spent\n");
        for i in 0..2000 {
            csv.push_str(&format!("fan{i},{}\n", if i % 3 == 0 { "bad" } else { "1" }));
        }
        let path = env.file("input.csv", &csv);
        let hard = env.path().join("hard.csv");
        std::fs::hard_link(&path, &hard).unwrap();
        let soft = env.path().join("soft.csv");
        std::os::unix::fs::symlink(&path, &soft).unwrap();
        for target in [&path, &hard, &soft] {
            let run = import(env, db, "fans", &path, &["--rejects", target.to_str().unwrap()]);
            run.error_naming(2, &["is the input file"]);
            assert_eq!(std::fs::read_to_string(&path).unwrap(), csv, "the input is untouched");
        }
        // From standard input too.
        let mut cmd = env.command(&["--database-url", &db.url, "import-csv", "onlyfans", "fans", "-", "--rejects", path.to_str().unwrap()]);
        cmd.stdin(Stdio::from(std::fs::File::open(&path).unwrap()));
        env.run_cmd(cmd).one_line_error(2);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), csv);
        assert!(list(env, db, "fans").is_empty(), "nothing was imported");

        // A directory is refused before anything is written.
        import(env, db, "fans", &path, &["--rejects", env.path().to_str().unwrap()]).error_naming(2, &["is a directory, not a regular file"]);
        assert!(list(env, db, "fans").is_empty());

        // A rejects file elsewhere is owner-only and complete.
        let rejects = env.path().join("rejects.csv");
        let run = import(env, db, "fans", &path, &["--rejects", rejects.to_str().unwrap()]);
        assert_eq!(run.import_counts(), (1333, 0, 0, 667));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&rejects).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&rejects).unwrap().lines().count(), 668);
        let leftovers: Vec<_> = std::fs::read_dir(env.path()).unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.contains("rejects") && n != "rejects.csv")
            .collect();
        assert!(leftovers.is_empty(), "no temporary file is left: {leftovers:?}");
    };

    rejects_cells_that_a_spreadsheet_would_run_are_neutralised: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        let path = env.file("formulas.csv", "username,name,spent,subscribed\n\
            =cmd|' /C calc'!A0,+SUM(1),-12.00,never\n\
            @evil,\"\tx\",ok,2026-01-01\n");
        let rejects = env.path().join("rejects.csv");
        let run = import(env, db, "fans", &path, &["--rejects", rejects.to_str().unwrap()]);
        assert_eq!(run.import_counts(), (0, 0, 0, 2));
        let report = std::fs::read_to_string(&rejects).unwrap();
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(report.as_bytes());
        let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
        // A plain number stays a number (the CSV renderer's rule, see the README).
        assert_eq!(rows[0][2..], ["'=cmd|' /C calc'!A0", "'+SUM(1)", "-12.00", "never"], "{report}");
        assert_eq!(rows[1][2..], ["'@evil", "'\tx", "ok", "2026-01-01"], "{report}");
        for row in &rows {
            for cell in row {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']) || cell.parse::<f64>().is_ok(),
                    "{cell:?} in {report}"
                );
            }
        }
        // Fixed and imported again, the rows are what the export said.
        let fixed = env.file("fixed.csv", report.replace(",never", ",2026-02-02").replace(",ok,", ",5,"));
        assert_eq!(import(env, db, "fans", &fixed, &[]).ok().import_counts(), (2, 0, 0, 0));
        let fans = list(env, db, "fans");
        let cmd = fans.iter().find(|f| f["username"] == "=cmd|' /C calc'!A0").unwrap();
        assert_eq!((cmd["display_name"].as_str(), cmd["lifetime_spend_cents"].as_i64()), (Some("+SUM(1)"), Some(-1200)));
        assert!(fans.iter().any(|f| f["username"] == "evil"), "{fans:?}");
    };

    duplicate_keys_in_one_file_keep_the_first_row_and_reimport_changes_nothing: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        let messages = env.file("m.csv", "Message ID,Fan,Direction,Sent At,Text\n\
            m1,ann,in,2026-11-01 10:00,hi\nm1,ann,in,2026-11-01 10:00,hello\n");
        assert_eq!(import(env, db, "messages", &messages, &[]).import_counts(), (1, 0, 0, 1));
        assert_eq!(import(env, db, "messages", &messages, &[]).import_counts(), (0, 0, 1, 1));
        let earnings = env.file("e.csv", "Transaction ID,Date,Type,Username,Gross\n\
            t1,2026-11-01,tip,ann,$5.00\nt1,2026-11-02,tip,ann,$6.00\n");
        assert_eq!(import(env, db, "earnings", &earnings, &[]).import_counts(), (1, 0, 0, 1));
        assert_eq!(import(env, db, "earnings", &earnings, &[]).import_counts(), (0, 0, 1, 1));
        assert_eq!(one_fan(env, db, "ann")["lifetime_spend_cents"], 500);
        // Small (row by row) and large (PostgreSQL's COPY) batches, a key repeated in the same
        // batch and one far apart.
        for size in [10usize, 3000] {
            let mut csv = String::from("Fan ID,Username,Total Spent\n");
            for i in 0..size {
                csv.push_str(&format!("{size}-{i},fan_{i},{}.00\n", i % 100));
            }
            csv.push_str(&format!("{size}-7,fan_7_renamed,99.00\n"));
            csv.push_str(&format!("{size}-3,fan_3,3.00\n"));
            let path = env.file("dups.csv", &csv);
            let rejects = env.path().join("dups-rejects.csv");
            let run = import(env, db, "fans", &path, &["--rejects", rejects.to_str().unwrap()]);
            assert_eq!((run.code, run.import_counts()), (3, (size as i64, 0, 0, 2)), "{size}: {}", run.stderr);
            let report = std::fs::read_to_string(&rejects).unwrap();
            assert!(report.contains(&format!("fan \"\"{size}-7\"\" is already on line 9")), "{report}");
            assert_eq!(import(env, db, "fans", &path, &[]).import_counts(), (0, 0, size as i64, 2), "{size}: re-import");
            let seven = one_fan(env, db, &format!("{size}-7"));
            assert_eq!((seven["username"].as_str(), seven["revision"].as_i64()), (Some("fan_7"), Some(1)));
        }
    };

    a_fan_named_differently_in_two_batches_of_one_file_is_not_rewritten_on_reimport: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        // More rows than one batch (4,096): the fan's first row and its last are in two.
        let mut csv = String::from("Message ID,Fan ID,Fan,Direction,Sent At,Text,Price\n");
        for i in 0..20_001 {
            let name = if i == 20_000 { "Ann_Renamed" } else { "Ann" };
            csv.push_str(&format!("m{i},f1,{name},in,2026-11-01 10:{:02},hi,\n", i % 60));
        }
        let path = env.file("long.csv", &csv);
        assert_eq!(import(env, db, "messages", &path, &[]).ok().import_counts(), (20_001, 0, 0, 0));
        let first = one_fan(env, db, "f1");
        assert_eq!(first["username"], "Ann", "the first row naming a fan gives its name");
        assert_eq!(import(env, db, "messages", &path, &[]).ok().import_counts(), (0, 0, 20_001, 0));
        let again = one_fan(env, db, "f1");
        assert_eq!((&again["username"], &again["revision"]), (&first["username"], &first["revision"]), "nothing was rewritten");
    };

    an_import_that_fails_after_committed_batches_says_so_in_the_audit_log: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        // The database refuses one row of the second batch (a trigger stands in for a fault).
        env.on(db, &["db", "migrate"]).ok();
        if is_sqlite(db) {
            db.exec("CREATE TRIGGER boom BEFORE INSERT ON fans WHEN NEW.username = 'boom' \
                     BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;");
        } else {
            // The trigger goes into the test's schema, the first of the search path.
            let schema = db.schema().unwrap().to_string();
            db.exec(&format!("CREATE FUNCTION {schema}.boom() RETURNS trigger LANGUAGE plpgsql AS \
                $$ BEGIN IF NEW.username = 'boom' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$; \
                CREATE TRIGGER boom BEFORE INSERT ON {schema}.fans FOR EACH ROW EXECUTE FUNCTION {schema}.boom();"));
        }
        let mut csv = String::from("Fan ID,Username\n");
        for i in 0..20_010 {
            csv.push_str(&format!("{i},{}\n", if i == 20_005 { "boom" } else { "fan" }));
        }
        let path = env.file("fails.csv", &csv);
        // A commit after every batch of 4,096 rows: four are committed before the fifth fails.
        let mut cmd = env.command(&["--database-url", &db.url, "-o", "json", "import-csv", "onlyfans", "fans", path.to_str().unwrap()]);
        cmd.env("SOCIALCRM_IMPORT_COMMIT_ROWS", "4096");
        let run = env.run_cmd(cmd);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let last = run.stderr.lines().last().unwrap();
        assert!(last.starts_with("error: ") && last.contains("refused by the test"), "{}", run.stderr);
        let audit = list(env, db, "audit");
        let failed: Vec<&Json> = audit.iter().filter(|a| a["action"] == "import").collect();
        assert_eq!(failed.len(), 1, "{audit:?}");
        assert_eq!(failed[0]["outcome"], "failed");
        assert!(failed[0]["detail"].as_str().unwrap().contains("stopped after 16384 inserted"), "{}", failed[0]);
    };

    reject_line_numbers_are_right_for_crlf_and_cr_files: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        for (name, eol) in [("lf.csv", "\n"), ("crlf.csv", "\r\n"), ("cr.csv", "\r")] {
            let content = ["username,notes,spent", "ann,\"two\nlines\",1", "bo,x,nope", "", "cy,y,2", "dee,z,bad"].join(eol) + eol;
            let path = env.file(name, content);
            let rejects = env.path().join(format!("{name}-rejects.csv"));
            let run = import(env, db, "fans", &path, &["--rejects", rejects.to_str().unwrap()]);
            assert!(run.stderr.contains("first: line 4: total_spent"), "{name}: {}", run.stderr);
            let report = std::fs::read_to_string(&rejects).unwrap();
            let lines: Vec<&str> = report.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
            assert_eq!(lines, ["4", "7"], "{name}: {report}");
        }
    };

    unterminated_quotes_and_foreign_delimiters_are_rejected_not_imported: |db| {
        let (env, db) = (&TestEnv::new(), &db);
        let swallowed = env.file("quote.csv", "username,name,spent\nann,Ann,5\nbo,\"Bo,6\ncy,Cy,7\ndee,Dee,8\n");
        let run = import(env, db, "fans", &swallowed, &[]);
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert_eq!(run.import_counts(), (1, 0, 0, 1));
        run.stderr_has("line 3: a quote");
        let foreign = env.file("delims.csv", "username,name,spent\nann,Ann,5\nbo;Bo;6\ncy\tCy\t7\n");
        let run = import(env, db, "fans", &foreign, &[]);
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert_eq!(run.import_counts(), (0, 0, 1, 2));
        run.stderr_has("line 3: the row has 1 cell but the header has 3: is it written with ';' instead of ','?");
        // A multi-line note with a comma is still a note.
        let note = env.file("note.csv", "username,notes,spent\nann,\"line one\nline two, with comma\",5\n");
        assert_eq!(import(env, db, "fans", &note, &[]).ok().import_counts(), (0, 0, 1, 0));
    };
}

both_backends! {
    a_fan_named_across_batches_is_seen_from_their_first_to_their_last_row: |db| {
        // A batch is 4,096 rows: fan f1 is on the first row (written with the name), then
        // on rows in later batches with an earlier and a later time; f2 only in the last
        // batch. Messages and payments both widen the relationship to all of the file's rows.
        let (env, db) = (&TestEnv::new(), &db);
        let mut messages = String::from("Message ID,Fan ID,Username,Direction,Sent At,Text\n");
        let mut payments = String::from("Transaction ID,Date,Type,Fan ID,Username,Gross\n");
        for i in 0..9000 {
            let (fan, day) = match i {
                0 => ("f1", "2026-06-15"),
                5000 => ("f1", "2026-01-02"),
                8999 => ("f1", "2026-11-30"),
                8000 => ("f2", "2026-07-01"),
                _ => ("f3", "2026-05-05"),
            };
            messages.push_str(&format!("m{i},{fan},{fan}_name,in,{day}T10:00:00Z,hello {i}\n"));
            payments.push_str(&format!("t{i},{day}T10:00:00Z,tip,{fan},{fan}_name,$1.00\n"));
        }
        for (kind, body, account) in [("messages", &messages, "ann"), ("earnings", &payments, "bea")] {
            let path = env.file(format!("{kind}.csv"), body);
            import(env, db, kind, &path, &["--account", account]).ok();
            let fans = env.crm_json(db, &["fans", "list", "--account", account]).as_array().unwrap().clone();
            let f1 = fan(&fans, "f1");
            assert_eq!(f1["first_seen_at"], "2026-01-02T10:00:00Z", "{kind}: {f1}");
            assert_eq!(f1["last_seen_at"], "2026-11-30T10:00:00Z", "{kind}: {f1}");
            assert_eq!(f1["username"], "f1_name", "{kind}");
            let f2 = fan(&fans, "f2");
            assert_eq!((&f2["first_seen_at"], &f2["last_seen_at"]), (&Json::from("2026-07-01T10:00:00Z"), &Json::from("2026-07-01T10:00:00Z")), "{kind}");
            // Again: nothing changes, the relationships are not rewritten.
            let again = import(env, db, kind, &path, &["--account", account]);
            assert_eq!(again.ok().import_counts().0, 0, "{kind}");
            let later = env.crm_json(db, &["fans", "list", "--account", account]).as_array().unwrap().clone();
            assert_eq!(fan(&later, "f1")["revision"], f1["revision"], "{kind}: a no-op re-import rewrites no fan");
        }
    };
}

/// Past `SOCIALCRM_IMPORT_SPILL_KEYS` keys the file's keys are on disk: a repeat is still
/// refused naming its first line, and a temporary directory that cannot be written stops the
/// import before the batch checked against it is written.
#[test]
fn keys_spilled_to_disk_still_refuse_a_repeat_and_an_unwritable_tmpdir_stops_the_import() {
    let (env, db) = (&TestEnv::new(), &TestDb::sqlite());
    let mut csv = String::from("Fan ID,Username\n");
    for i in 0..10_000 {
        csv.push_str(&format!("{i},fan{i}\n"));
    }
    csv.push_str("7,again\n");
    let path = env.file("many.csv", &csv);
    let rejects = env.path().join("many-rejects.csv");
    let rejects_arg = ["--rejects", rejects.to_str().unwrap()];
    let mut cmd = import_command(env, db, "fans", &path, &rejects_arg);
    cmd.env("SOCIALCRM_IMPORT_SPILL_KEYS", "100");
    let run = env.run_cmd(cmd);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(run.import_counts(), (10_000, 0, 0, 1));
    let report = std::fs::read_to_string(&rejects).unwrap();
    assert!(
        report.contains("10002,\"fan \"\"7\"\" is already on line 9 "),
        "{report}"
    );

    let mut cmd = import_command(env, db, "fans", &path, &[]);
    cmd.env("SOCIALCRM_IMPORT_SPILL_KEYS", "100")
        .env("TMPDIR", env.path().join("absent"));
    let run = env.run_cmd(cmd);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let last = run.stderr.lines().last().unwrap();
    assert!(
        last.starts_with("error: cannot keep the file's keys in a temporary file")
            && last.contains("hint: set TMPDIR"),
        "{}",
        run.stderr
    );
}
