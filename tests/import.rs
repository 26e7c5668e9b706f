//! `import-csv onlyfans fans|messages|earnings`, end to end through the binary, each case on
//! both backends.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::Value as Json;

use crate::support::{Run, TestDb, TestEnv};

/// Declares `mod name { fn sqlite(); fn postgres() }` running `body(env, db)`.
macro_rules! on_both_backends {
    ($(fn $name:ident($env:ident, $db:ident) $body:block)*) => {$(
        mod $name {
            use super::*;

            fn body($env: &TestEnv, $db: &TestDb) $body

            #[test]
            fn sqlite() {
                body(&TestEnv::new(), &TestDb::sqlite());
            }

            #[test]
            fn postgres() {
                let Some(db) = TestDb::postgres() else { return };
                body(&TestEnv::new(), &db);
            }
        }
    )*};
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

/// Writes `content` to a file named `name` in the test's directory.
fn file(env: &TestEnv, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = env.path().join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn import(env: &TestEnv, db: &TestDb, kind: &str, file: &Path, extra: &[&str]) -> Run {
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
    env.run(&args)
}

fn list(env: &TestEnv, db: &TestDb, what: &str) -> Vec<Json> {
    let run = env.run(&[
        "--database-url",
        &db.url,
        "-o",
        "json",
        what,
        "list",
        "--limit",
        "1000",
    ]);
    run.ok().json().as_array().unwrap().clone()
}

fn fan<'a>(fans: &'a [Json], id: &str) -> &'a Json {
    fans.iter()
        .find(|f| f["platform_user_id"] == id)
        .unwrap_or_else(|| panic!("no fan {id} in {fans:?}"))
}

fn counts(run: &Run) -> (u64, u64, u64, u64) {
    let s = run.json();
    let n = |k: &str| s[k].as_u64().unwrap();
    (n("inserted"), n("updated"), n("unchanged"), n("rejected"))
}

on_both_backends! {
    fn the_example_export_imports_once_and_then_changes_nothing(env, db) {
        let first = import(env, db, "fans", &example("onlyfans-fans.csv"), &[]);
        assert_eq!(counts(first.ok()), (12, 0, 0, 0));
        assert!(first.stderr.contains("OnlyFans has no public API"), "the notice shows");
        let again = import(env, db, "fans", &example("onlyfans-fans.csv"), &[]);
        assert_eq!(counts(again.ok()), (0, 0, 12, 0), "re-import changes nothing");
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
        let newer = file(env, "newer.csv", newer);
        assert_eq!(counts(import(env, db, "fans", &newer, &[]).ok()), (0, 1, 11, 0));
        let quiet = list(env, db, "fans").into_iter().find(|f| f["username"] == "quietfox").unwrap();
        assert_eq!((quiet["status"].as_str(), quiet["lifetime_spend_cents"].as_i64()), (Some("expired"), Some(32000)));

        let audit = env.run(&["--database-url", &db.url, "-o", "json", "audit", "list", "--action", "import"]);
        let audit = audit.ok().json();
        assert_eq!(audit.as_array().unwrap().len(), 3, "one audit entry per import");
        assert!(audit[0]["detail"].as_str().unwrap().contains("12 inserted"));
    }

    fn headers_delimiters_bom_and_quoted_newlines_are_understood(env, db) {
        // The same two fans in the dialects exports come in.
        let variants: [(&str, String); 5] = [
            ("comma.csv", "USER NAME,Fan-ID,Total Spent ($)\nann,1,5\n\"bo\",2,\"6\"\n".into()),
            ("semicolon.csv", "\u{feff}user_name;fan_id;TOTAL_SPENT\r\nann;1;5\r\nbo;2;6\r\n".into()),
            ("tab.tsv", "Handle\tUser ID\tLifetime Spend\nann\t1\t5\nbo\t2\t6\n".into()),
            ("quoted.csv", "Username,User ID,Notes,Spent\nann,1,\"line one\nline two, with comma\",5\nbo,2,\"say \"\"hi\"\"\",6\n".into()),
            ("no-trailing-newline.csv", "username,fanid,spent\nann,1,5\nbo,2,6".into()),
        ];
        for (i, (name, content)) in variants.iter().enumerate() {
            let path = file(env, name, content);
            let run = import(env, db, "fans", &path, &[]);
            let expected = if i == 0 { (2, 0, 0, 0) } else { (0, 0, 2, 0) };
            assert_eq!(counts(run.ok()), expected, "{name}: {}", run.stderr);
        }
        let fans = list(env, db, "fans");
        assert_eq!(fans.len(), 2);
        assert_eq!(fan(&fans, "2")["lifetime_spend_cents"], 600);

        // Rows keep the line they start on, past quoted newlines.
        let path = file(env, "lines.csv", "username,notes,spent\nann,\"a\nb\nc\",1\nbad,x,nope\n");
        let rejects = env.path().join("lines-rejects.csv");
        import(env, db, "fans", &path, &["--rejects", rejects.to_str().unwrap()]);
        let report = std::fs::read_to_string(&rejects).unwrap();
        assert!(report.lines().nth(1).unwrap().starts_with("5,"), "{report}");
    }

    fn every_amount_and_date_form_is_read_exactly(env, db) {
        let path = file(env, "forms.csv", "\
username,total spent,subscribed,last active\n\
a,\"$1,234.50\",2026-11-01,2026-11-01T12:30:00Z\n\
b,\"1234,50 €\",11/02/2026,2026-11-01T12:30:00+02:00\n\
c,\"1.234.567,50\",03.11.2026,2026-11-01 12:30\n\
d,EUR 12,2026-11-04T01:02:03.5Z,11/01/2026 3:04 PM\n\
e,(12.00),13.11.2026,\n\
f,£0.99,2026-11-06,11/01/2026 12:00 AM\n");
        let run = import(env, db, "fans", &path, &[]);
        assert_eq!(counts(run.ok()), (6, 0, 0, 0), "{}", run.stderr);
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
    }

    fn ambiguous_dates_are_rejected_until_the_order_is_given(env, db) {
        let path = file(env, "ambiguous.csv", "username,subscribed\na,03-04-2026\nb,13/01/2026\nc,2026-01-05\n");
        let rejects = env.path().join("rejects.csv");
        let run = import(env, db, "fans", &path, &["--rejects", rejects.to_str().unwrap()]);
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert_eq!(counts(&run), (1, 0, 0, 2));
        let report = std::fs::read_to_string(&rejects).unwrap();
        assert!(report.contains("--date-format mdy` or `--date-format dmy"), "{report}");
        assert!(report.contains("--date-format dmy` if the file writes day/month"), "{report}");

        let run = import(env, db, "fans", &path, &["--date-format", "dmy"]);
        assert_eq!(counts(run.ok()), (2, 0, 1, 0));
        let fans = list(env, db, "fans");
        assert_eq!(fan(&fans, "a")["first_seen_at"], "2026-04-03T00:00:00Z");
        assert_eq!(fan(&fans, "b")["first_seen_at"], "2026-01-13T00:00:00Z");

        let iso_only = import(env, db, "fans", &path, &["--date-format", "iso"]);
        assert_eq!(counts(&iso_only).3, 2, "iso refuses numeric day-month dates");
    }

    fn files_that_cannot_be_imported_fail_in_one_line(env, db) {
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("empty.csv", vec![], "is empty"),
            ("blank.csv", b"\n\n".to_vec(), "is empty"),
            ("missing.csv", b"Member,Spent\nzed,1\n".to_vec(), "lacks username or fan_id (headers seen: Member, Spent)"),
            ("binary.xlsx", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00".to_vec(), "not a CSV text file (it holds binary data)"),
            ("utf16.csv", b"\xFF\xFEu\x00s\x00e\x00r\x00".to_vec(), "it is UTF-16"),
        ];
        for (name, content, message) in cases {
            let path = file(env, name, content);
            let line = import(env, db, "fans", &path, &[]).one_line_error(1).to_string();
            assert!(line.contains(message), "{name}: {line}");
            assert!(line.contains(name), "{name}: the file is named: {line}");
        }
        let missing = file(env, "m.csv", "Fan,Body\nann,hi\n");
        let line = import(env, db, "messages", &missing, &[]).one_line_error(1).to_string();
        assert!(line.contains("lacks sent_at, direction"), "every missing field is listed: {line}");
        let nowhere = env.path().join("nowhere.csv");
        assert!(import(env, db, "fans", &nowhere, &[]).one_line_error(1).contains("cannot read"));
        let bad_map = file(env, "map.csv", "Member\nzed\n");
        assert!(import(env, db, "fans", &bad_map, &["--map", "Member=nickname"]).one_line_error(2).contains("no field 'nickname'"));

        // A header-only file imports nothing, successfully; --map names unknown columns.
        let header_only = file(env, "header.csv", "username,total spent\n");
        assert_eq!(import(env, db, "fans", &header_only, &[]).ok().json()["rows"], 0);
        import(env, db, "fans", &bad_map, &["--map", "Member=username"]).ok();
        assert_eq!(list(env, db, "fans").len(), 1);
        assert_eq!(list(env, db, "audit").iter().filter(|a| a["action"] == "import").count(), 2, "failed imports write nothing");
    }

    fn oversized_rows_are_rejected_without_stopping_the_import(env, db) {
        // A cell far longer than any export has, and an unterminated quote that swallows
        // megabytes: each is one rejected row, the rows around them are imported.
        let mut content = format!("username,name\nbefore,ok\nlong,{}\nafter,ok\n", "x".repeat(100_000)).into_bytes();
        content.extend(b"open,\"never closed ");
        content.extend(std::iter::repeat_n(b'y', 3 << 20));
        let path = file(env, "huge.csv", content);
        let rejects = env.path().join("rejects.csv");
        let run = import(env, db, "fans", &path, &["--rejects", rejects.to_str().unwrap()]);
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert_eq!(counts(&run), (2, 0, 0, 2));
        assert!(run.stderr.contains("2 of 4 rows rejected"), "{}", run.stderr);
        let report = std::fs::read_to_string(&rejects).unwrap();
        assert!(report.contains("a cell is 100000 bytes long (at most 16384)"), "{}", &report[..200]);
        assert!(report.contains("the row is too long to read"), "the unterminated quote is named");
        assert!(report.contains("an unterminated quote?"));
        assert!(report.len() < 200_000, "an unreadable row is reported without its content");
    }

    fn rejects_dry_runs_and_standard_input(env, db) {
        let eu = file(env, "eu.csv", "\u{feff}Fan ID;User Name;Notes;Total spent (€);Joined\n\
             9001;@Maple_Rider;\"likes\ncats\";1.234,50 €;14.01.2026\n\
             9002;other;x;abc;01.02.2026\n\
             9003;third;y;5;31.02.2026\n");
        let rejects = env.path().join("rejects.csv");
        let run = import(env, db, "fans", &eu, &["--rejects", rejects.to_str().unwrap(), "--dry-run"]);
        assert_eq!(run.code, 3, "a dry run reports rejects the same way");
        assert_eq!(counts(&run), (1, 0, 0, 2));
        assert!(run.stderr.contains("dry run: nothing was written"));
        assert_eq!(list(env, db, "fans").len(), 0, "a dry run writes no fan");
        assert!(list(env, db, "audit").is_empty(), "nor an audit entry");

        let run = import(env, db, "fans", &eu, &["--rejects", rejects.to_str().unwrap()]);
        assert_eq!(run.code, 3);
        assert!(run.stderr.contains("2 of 3 rows rejected (written to"), "{}", run.stderr);
        assert!(run.stderr.contains("first: line 4: total_spent: bad amount"), "{}", run.stderr);
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
        assert_eq!(counts(run.ok()), (12, 0, 0, 0));
        assert_eq!(run.json()["file"], "standard input");
    }

    fn messages_become_messages_and_fans(env, db) {
        import(env, db, "fans", &example("onlyfans-fans.csv"), &[]).ok();
        let run = import(env, db, "messages", &example("onlyfans-messages.csv"), &[]);
        let summary = run.ok().json();
        assert_eq!((summary["table"].as_str(), summary["inserted"].as_u64()), (Some("messages"), Some(8)));
        assert_eq!(counts(import(env, db, "messages", &example("onlyfans-messages.csv"), &[]).ok()), (0, 0, 8, 0));

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
        let no_ids = file(env, "noid.csv", "Fan,Sent By,Date,Message\nann,fan,2026-11-01 10:00,hi\nann,me,2026-11-01 10:01,hello\nann,sideways,2026-11-01 10:02,?\n");
        assert_eq!(counts(&import(env, db, "messages", &no_ids, &[])), (2, 0, 0, 1));
        let again = import(env, db, "messages", &no_ids, &[]);
        assert_eq!(counts(&again), (0, 0, 2, 1));
        assert!(again.stderr.contains("'sideways' is neither in nor out"), "{}", again.stderr);
    }

    fn earnings_become_payment_events_and_lifetime_spend(env, db) {
        import(env, db, "fans", &example("onlyfans-fans.csv"), &[]).ok();
        let run = import(env, db, "earnings", &example("onlyfans-earnings.csv"), &[]);
        let summary = run.ok().json();
        assert_eq!((summary["table"].as_str(), summary["rows"].as_u64(), summary["inserted"].as_u64()), (Some("analytics_events"), Some(8), Some(24)), "gross, fee and net per payment");
        assert_eq!(counts(import(env, db, "earnings", &example("onlyfans-earnings.csv"), &[]).ok()), (0, 0, 24, 0));

        let fans = list(env, db, "fans");
        assert_eq!(fan(&fans, "newcomer_lou")["lifetime_spend_cents"], 999, "a payer not in the fans export becomes a fan with their spend");
        assert_eq!(fan(&fans, "maple_rider")["lifetime_spend_cents"], 120450, "a lifetime total above the payments is kept");

        // Payments of a fan the fans export does not know, with a refund, summed exactly.
        let more = file(env, "more.csv", "\
Transaction ID,Created At,Type,Username,Amount,Net Amount,Currency\n\
t1,2026-11-01,tip,zoe,$10.10,$8.08,USD\n\
t2,2026-11-02,tip,zoe,$20.20,$16.16,USD\n\
t3,2026-11-03,refund,zoe,$10.10,$8.08,USD\n\
t4,2026-11-04,tip,zoe,$1.00,$2.00,USD\n\
t5,2026-11-05,tip,,$3.00,,USD\n");
        let run = import(env, db, "earnings", &more, &[]);
        assert_eq!(counts(&run), (7, 0, 0, 1));
        assert!(run.stderr.contains("net (2.00) is more than gross (1.00)"), "{}", run.stderr);
        let zoe = list(env, db, "fans").into_iter().find(|f| f["platform_user_id"] == "zoe").unwrap();
        assert_eq!(zoe["lifetime_spend_cents"], 2020, "10.10 + 20.20 - 10.10");
        assert_eq!(zoe["first_seen_at"], "2026-11-01T00:00:00Z");
        assert_eq!(counts(&import(env, db, "earnings", &more, &[])), (0, 0, 7, 1));
        let zoe = list(env, db, "fans").into_iter().find(|f| f["platform_user_id"] == "zoe").unwrap();
        assert_eq!(zoe["revision"], 2, "a re-import does not touch the spend again");
    }

    fn large_exports_take_the_bulk_path_with_the_same_results(env, db) {
        // Enough rows for the bulk paths, a fan repeated within a batch, then a re-import and
        // a newer export changing a few rows.
        let mut csv = String::from("Fan ID,Username,Total Spent,Last Active\n");
        for i in 0..3000 {
            csv.push_str(&format!("{i},fan_{i},{}.00,2026-11-01\n", i % 100));
        }
        csv.push_str("7,fan_7_renamed,,2026-11-20\n");
        let path = file(env, "big.csv", &csv);
        assert_eq!(counts(import(env, db, "fans", &path, &[]).ok()), (3000, 1, 0, 0));
        assert_eq!(counts(import(env, db, "fans", &path, &[]).ok()), (0, 2, 2999, 0), "fan 7 is written twice, as the file says");
        let newer = csv.replace("10,fan_10,10.00", "10,fan_10,11.00").replace("2999,fan_2999,99.00,2026-11-01", "2999,fan_2999,99.00,2026-11-02");
        let newer = file(env, "newer.csv", newer);
        assert_eq!(counts(import(env, db, "fans", &newer, &[]).ok()), (0, 4, 2997, 0));
        let fans = list(env, db, "fans");
        assert_eq!(fans.len(), 1000, "listing limit");
        let seven = fan(&fans, "7");
        assert_eq!((seven["username"].as_str(), seven["lifetime_spend_cents"].as_i64()), (Some("fan_7_renamed"), Some(700)));
        assert_eq!(seven["last_seen_at"], "2026-11-20T00:00:00Z");
        assert_eq!(fan(&fans, "10")["lifetime_spend_cents"], 1100);
    }
}
