//! `socialcrm export` through the binary, on both backends: every row and value comes back out
//! exactly (awkward text included), from one snapshot, into owner-only files; secrets never.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use socialcrm::store::Batch;
use socialcrm::store::export::{Cell, RowSink};
use socialcrm::store::model::*;
use socialcrm::vocab::PlatformId;

use crate::support::{TestDb, TestEnv, both_backends, texts};

/// Text that breaks naive CSV writers and spreadsheets.
const AWKWARD: [&str; 11] = [
    "plain",
    "comma, inside",
    "quote \" inside \"\"",
    "new\nline",
    "crlf\r\nend",
    "ünïcødé 🎉 日本語 \u{202e}rtl",
    "=HYPERLINK(\"http://x\")",
    "+1-2",
    "@SUM(A1)",
    "",
    "-12.50",
];

fn t(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, 12, 30, 15).unwrap() + chrono::Duration::microseconds(123)
}

pub(crate) fn fill(db: &TestDb) {
    let mut store = db.open();
    store.migrate().unwrap();
    let fans: Vec<Fan> = AWKWARD
        .iter()
        .enumerate()
        .map(|(i, text)| Fan {
            platform: PlatformId::Onlyfans,
            platform_user_id: format!("u{i}"),
            account: "default".into(),
            username: Some(format!("user{i}")),
            display_name: Some(text.to_string()),
            status: (i % 2 == 0).then(|| "active".into()),
            subscribed_at: None,
            first_seen_at: Some(t(1)),
            last_seen_at: (i % 3 != 0).then(|| t(i as u32 + 2)),
            lifetime_spend_cents: Some(i as i64 * 1234 - 5),
            currency: Some("USD".into()),
            source: "csv".into(),
            referral: (i % 2 == 1).then(|| text.to_string()),
            contacts: vec![
                Contact {
                    kind: ContactKind::Email,
                    value: format!("user{i}@mail.example"),
                },
                Contact {
                    kind: ContactKind::Link,
                    value: format!("linktr.ee/{}", text.replace(['\n', '\r'], " ")),
                },
            ],
        })
        .collect();
    let messages: Vec<Message> = AWKWARD
        .iter()
        .enumerate()
        .map(|(i, text)| Message {
            platform: PlatformId::Onlyfans,
            platform_message_id: format!("m{i}"),
            account: "default".into(),
            fan_platform_user_id: Some(format!("u{i}")),
            direction: "in".into(),
            kind: "dm".into(),
            body: Some(text.to_string()),
            sent_at: t(i as u32 + 1),
            ..Message::default()
        })
        .collect();
    let posts = vec![Post {
        platform: PlatformId::Tiktok,
        platform_post_id: "v1".into(),
        account: Some("default".into()),
        caption: Some(AWKWARD[6].into()),
        url: Some("https://www.tiktok.com/@c/video/1".into()),
        media_type: Some("video".into()),
        published_at: Some(t(3)),
        view_count: Some(10),
        comment_count: Some(0),
        metrics_at: Some(t(4)),
        ..Post::default()
    }];
    let events: Vec<AnalyticsEvent> = [0.1, 1e-7, 123456789.125, -2.5]
        .iter()
        .enumerate()
        .map(|(i, v)| AnalyticsEvent {
            platform: PlatformId::Tiktok,
            account: "default".into(),
            subject_type: "post".into(),
            subject_id: "v1".into(),
            metric: "views".into(),
            period: "snapshot".into(),
            period_start: t(i as u32 + 1),
            value: *v,
            unit: Some("count".into()),
            fan_platform_user_id: None,
        })
        .collect();
    store
        .upsert_all(&[
            Batch::Fans(&fans),
            Batch::Messages(&messages),
            Batch::Posts(&posts),
            Batch::Analytics(&events),
        ])
        .unwrap();
}

fn export(env: &TestEnv, db: &TestDb, args: &[&str]) -> crate::support::Run {
    let mut all = vec!["--database-url", &db.url, "-o", "json", "export"];
    all.extend_from_slice(args);
    env.run(&all)
}

/// A CSV file as header -> column of values, and its raw text.
fn read_csv(path: &Path) -> (Vec<BTreeMap<String, String>>, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect();
    (rows, text)
}

pub(crate) fn read_jsonl(path: &Path) -> Vec<serde_json::Map<String, serde_json::Value>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| match serde_json::from_str(l).unwrap() {
            serde_json::Value::Object(o) => o,
            other => panic!("not an object: {other}"),
        })
        .collect()
}

fn round_trip(db: &TestDb) {
    fill(db);
    let env = TestEnv::new();
    let dir = env.path().join("out");
    let dir_s = dir.to_str().unwrap();
    let run = export(&env, db, &["--out", dir_s, "--csv-raw"]);
    run.ok();
    // Every exportable table, with the row counts `db status` has.
    let status = env.crm(db, &["db", "status"]);
    let summary = run.json();
    let tables = texts(&summary, "table");
    assert_eq!(tables, socialcrm::store::export::exportable());
    assert!(!tables.contains(&"secrets"));
    for t in summary.as_array().unwrap() {
        let table = t["table"].as_str().unwrap();
        assert_eq!(
            t["rows"].as_i64().unwrap(),
            status.table_rows(table),
            "{table}"
        );
        let file = dir.join(format!("{table}.csv"));
        assert_eq!(t["file"].as_str().unwrap(), file.to_str().unwrap());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{table}");
        }
    }
    assert!(!dir.join("secrets.csv").exists());
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");

    // Text comes back byte for byte, NULL and empty text apart.
    let (fans, text) = read_csv(&dir.join("fans.csv"));
    let (relationships, relationships_text) = read_csv(&dir.join("fan_accounts.csv"));
    assert_eq!(fans.len(), AWKWARD.len());
    assert_eq!(relationships.len(), AWKWARD.len());
    for (i, want) in AWKWARD.iter().enumerate() {
        let fan = &fans[i];
        assert_eq!(fan["platform_user_id"], format!("u{i}"), "id order");
        assert_eq!(&fan["display_name"], want);
        let relationship = &relationships[i];
        assert_eq!(
            relationship["platform_user_id"],
            format!("u{i}"),
            "id order"
        );
        assert_eq!(
            relationship["lifetime_spend_cents"],
            (i as i64 * 1234 - 5).to_string()
        );
        assert_eq!(relationship["first_seen_at"], "2026-11-01T12:30:15.000123Z");
    }
    assert!(
        text.lines().any(|l| l.contains(",\"\",")),
        "empty text is quoted: {text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("1,onlyfans,u0,user0,plain,")),
        "{text}"
    );
    assert!(
        relationships_text
            .lines()
            .any(|l| l.starts_with("1,onlyfans,u0,default,active,")),
        "{relationships_text}"
    );
    let (messages, _) = read_csv(&dir.join("messages.csv"));
    let bodies: Vec<&str> = messages.iter().map(|m| m["body"].as_str()).collect();
    assert_eq!(bodies, AWKWARD);
    let (events, _) = read_csv(&dir.join("analytics_events.csv"));
    let values: Vec<f64> = events.iter().map(|e| e["value"].parse().unwrap()).collect();
    assert_eq!(values, [0.1, 1e-7, 123456789.125, -2.5]);
    let (posts, _) = read_csv(&dir.join("posts.csv"));
    assert_eq!(posts[0]["like_count"], "");
    assert_eq!(posts[0]["view_count"], "10");

    // JSON Lines: the same rows, typed.
    let json_dir = env.path().join("json");
    export(
        &env,
        db,
        &["--format", "jsonl", "--out", json_dir.to_str().unwrap()],
    )
    .ok();
    let fans = read_jsonl(&json_dir.join("fans.jsonl"));
    let relationships = read_jsonl(&json_dir.join("fan_accounts.jsonl"));
    for (i, want) in AWKWARD.iter().enumerate() {
        assert_eq!(fans[i]["display_name"], *want);
        assert_eq!(
            relationships[i]["lifetime_spend_cents"],
            i as i64 * 1234 - 5
        );
        assert_eq!(
            relationships[i]["status"],
            if i % 2 == 0 {
                serde_json::json!("active")
            } else {
                serde_json::Value::Null
            }
        );
    }
    let columns: Vec<&String> = fans[0].keys().collect();
    let (csv_fans, _) = read_csv(&dir.join("fans.csv"));
    assert_eq!(columns.len(), csv_fans[0].len());
    let posts = read_jsonl(&json_dir.join("posts.jsonl"));
    assert_eq!(posts[0]["view_count"], 10);
    assert_eq!(posts[0]["like_count"], serde_json::Value::Null);
    let events = read_jsonl(&json_dir.join("analytics_events.jsonl"));
    assert_eq!(events[2]["value"], 123456789.125);

    // Without --csv-raw, formula-like text is neutralised as in every listing.
    let safe = export(&env, db, &["--table", "messages", "--out", "-"]);
    safe.ok();
    let mut reader = csv::Reader::from_reader(safe.stdout.as_bytes());
    let bodies: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[6].to_string())
        .collect();
    assert_eq!(bodies[6], "'=HYPERLINK(\"http://x\")");
    assert_eq!(bodies[8], "'@SUM(A1)");
    assert_eq!(bodies[10], "-12.50", "a number stays a number");
    safe.stderr_has("exported 11 rows of messages");
}

/// A sink that writes into the database (through another connection) when the second table
/// begins: the export, one snapshot, must not see it.
struct Meddler<'a> {
    db: &'a TestDb,
    rows: BTreeMap<String, u64>,
}

impl RowSink for Meddler<'_> {
    fn start(&mut self, table: &str, _columns: &[String]) -> std::io::Result<()> {
        if table == "fans" {
            let mut other = self.db.open();
            let late = Fan {
                platform: PlatformId::X,
                platform_user_id: "late".into(),
                account: "default".into(),
                source: "csv".into(),
                ..Fan::default()
            };
            other.upsert(Batch::Fans(&[late])).unwrap();
        }
        Ok(())
    }
    fn row(&mut self, _cells: &[Cell<'_>]) -> std::io::Result<()> {
        Ok(())
    }
    fn finish(&mut self, table: &str, rows: u64) -> std::io::Result<()> {
        self.rows.insert(table.to_string(), rows);
        Ok(())
    }
}

fn one_snapshot(db: &TestDb) {
    fill(db);
    let mut store = db.open();
    let mut sink = Meddler {
        db,
        rows: BTreeMap::new(),
    };
    let counts = store
        .export(&["messages", "fans"], None, &mut sink)
        .unwrap();
    assert_eq!(
        sink.rows["fans"],
        AWKWARD.len() as u64,
        "the late fan is not in"
    );
    assert_eq!(counts[1].rows, Some(AWKWARD.len() as i64));
    // It was written, though: a new export sees it.
    let counts = store.export(&["fans"], None, &mut sink).unwrap();
    assert_eq!(counts[0].rows, Some(AWKWARD.len() as i64 + 1));
}

fn refusals(db: &TestDb) {
    fill(db);
    let env = TestEnv::new();
    export(&env, db, &["--table", "secrets"]).error_naming(2, &["'secrets' is never exported"]);
    export(&env, db, &["--table", "fanz"]).error_naming(2, &["no table 'fanz'"]);
    export(&env, db, &["--out", "-"]).error_naming(2, &["one table"]);
    let file = env.file("a-file", "");
    export(&env, db, &["--out", file.to_str().unwrap()]).error_naming(2, &["not a directory"]);
    // A FIFO where a table's file goes is refused, and nothing of the export is left behind.
    #[cfg(unix)]
    {
        let dir = env.path().join("fifo-dir");
        std::fs::create_dir(&dir).unwrap();
        let fifo = std::ffi::CString::new(dir.join("posts.csv").to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo only creates a file system node.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        export(&env, db, &["--out", dir.to_str().unwrap()]).error_naming(1, &["is a FIFO"]);
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "only the FIFO: {left:?}");
    }
}

both_backends! {
    export_round_trips_every_row_and_value: |db| round_trip(&db);
    export_reads_one_snapshot: |db| one_snapshot(&db);
    export_refuses_secrets_and_bad_targets: |db| refusals(&db);
}

/// Captures each exported table's columns.
#[derive(Default)]
struct Columns(Vec<(String, Vec<String>)>);

impl RowSink for Columns {
    fn start(&mut self, table: &str, columns: &[String]) -> std::io::Result<()> {
        self.0.push((table.to_string(), columns.to_vec()));
        Ok(())
    }
    fn row(&mut self, _cells: &[Cell<'_>]) -> std::io::Result<()> {
        Ok(())
    }
    fn finish(&mut self, _table: &str, _rows: u64) -> std::io::Result<()> {
        Ok(())
    }
}

fn exported_columns(db: &TestDb) -> Vec<(String, Vec<String>)> {
    let mut store = db.open();
    store.migrate().unwrap();
    let mut sink = Columns::default();
    store
        .export(&socialcrm::store::export::exportable(), None, &mut sink)
        .unwrap();
    sink.0
}

const START: &str = "<!-- export-columns: generated by tests/export.rs; SOCIALCRM_REGENERATE=1 cargo test --test main export_columns rewrites it -->\n";
const END: &str = "<!-- end of export-columns -->\n";

/// The README's list of exported columns is the schema's, on both backends: a migration that
/// adds a column or a table fails this test until the README says so.
#[test]
fn export_columns_in_the_readme_are_the_schemas() {
    let columns = exported_columns(&TestDb::sqlite());
    if let Some(pg) = TestDb::postgres() {
        assert_eq!(
            exported_columns(&pg),
            columns,
            "both backends export the same columns in the same order"
        );
    }
    let mut block = String::from("| Table | Columns, in file order |\n|---|---|\n");
    for (table, names) in &columns {
        let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        block.push_str(&format!("| `{table}` | {} |\n", names.join(", ")));
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (head, rest) = readme
        .split_once(START)
        .expect("the README's Export section has the generated column list");
    let (old, tail) = rest.split_once(END).expect("the column list ends");
    if old == block {
        return;
    }
    if std::env::var_os("SOCIALCRM_REGENERATE").is_some() {
        std::fs::write(&path, format!("{head}{START}{block}{END}{tail}")).unwrap();
        return;
    }
    panic!(
        "the README's exported columns are stale; run `SOCIALCRM_REGENERATE=1 cargo test --test main export_columns` and commit:\n{block}"
    );
}

/// Writes `content` into the test's directory and imports it as `kind` for `account`.
/// Two creators sharing a fan: the whales are alpha's ann (of 4 paying fans) and beta's eve
/// (of 2); ann's beta relationship is not one, nor are its message, tag and note.
fn fill_segments(env: &TestEnv, db: &TestDb) {
    let header = "Fan ID,Username,Name,Status,Subscribed,Last Active,Total Spent\n";
    env.import_as(
        db,
        "fans",
        "alpha",
        &format!(
            "{header}\
        of-ann,ann,Ann A,Active,2026-01-14,2026-11-20,$1000.00\n\
        of-bo,bo,Bo B,Active,2026-02-03,2026-11-22,$500.00\n\
        of-cy,cy,Cy C,Expired,2026-02-03,2026-06-01,$100.00\n\
        of-dee,dee,Dee D,Expired,2026-02-03,2026-05-01,$800.00\n"
        ),
    );
    env.import_as(
        db,
        "fans",
        "beta",
        &format!(
            "{header}\
        of-ann,ann,Ann A,Active,2026-03-01,2026-11-21,$20.00\n\
        of-eve,eve,=Eve E,Active,2026-03-01,2026-11-21,$300.00\n"
        ),
    );
    let header = "Message ID,Fan ID,Fan,Direction,Sent At,Text,Price\n";
    env.import_as(
        db,
        "messages",
        "alpha",
        &format!(
            "{header}\
        m-a1,of-ann,@ann,received,2026-11-20 18:02,\"hi, alpha\",\n\
        m-a2,of-ann,@ann,sent,2026-11-20 18:15,thanks,$12.00\n\
        m-a3,of-bo,@bo,received,2026-11-21 09:00,bo here,\n"
        ),
    );
    env.import_as(
        db,
        "messages",
        "beta",
        &format!(
            "{header}\
        m-b1,of-ann,@ann,received,2026-11-21 10:00,hi beta,\n\
        m-b2,of-eve,@eve,received,2026-11-21 11:00,eve here,\n"
        ),
    );
    let run = |args: &[&str]| {
        env.on(db, args).ok();
    };
    run(&["fans", "tag", "onlyfans:@ann", "vip"]);
    run(&["fans", "tag", "onlyfans:@ann", "big", "--account", "alpha"]);
    run(&["fans", "tag", "onlyfans:@ann", "small", "--account", "beta"]);
    run(&["fans", "tag", "onlyfans:@bo", "vip", "--account", "alpha"]);
    run(&["fans", "note", "onlyfans:@ann", "for everyone"]);
    run(&[
        "fans",
        "note",
        "onlyfans:@ann",
        "beta's own",
        "--account",
        "beta",
    ]);
    run(&[
        "fans",
        "note",
        "onlyfans:@eve",
        "eve's note",
        "--account",
        "beta",
    ]);
    run(&[
        "segments",
        "create",
        "alpha-vip",
        "--tag",
        "vip",
        "--account",
        "alpha",
    ]);
}

/// `export --segment NAME` of the five fan tables, as JSON Lines, checked against
/// `fans list --segment NAME`: the same relationships with the same values, their identities,
/// the messages `message_count` counts, and the tags and notes of the members' accounts.
fn segment_export(
    env: &TestEnv,
    db: &TestDb,
    name: &str,
) -> BTreeMap<String, Vec<serde_json::Map<String, serde_json::Value>>> {
    let listed = env.crm_json(db, &["fans", "list", "--segment", name, "--limit", "1000"]);
    let listed = listed.as_array().unwrap();
    let dir = env.path().join(format!("segment-{name}"));
    let mut args = vec![
        "--format",
        "jsonl",
        "--out",
        dir.to_str().unwrap(),
        "--segment",
        name,
    ];
    for t in ["fans", "fan_accounts", "messages", "fan_tags", "fan_notes"] {
        args.extend(["--table", t]);
    }
    let run = export(env, db, &args);
    run.ok();
    assert!(
        run.stderr
            .contains(&format!("about segment '{}'", name.to_lowercase())),
        "{}",
        run.stderr
    );
    let mut out = BTreeMap::new();
    for t in ["fans", "fan_accounts", "messages", "fan_tags", "fan_notes"] {
        out.insert(t.to_string(), read_jsonl(&dir.join(format!("{t}.jsonl"))));
    }

    let relationships = &out["fan_accounts"];
    let mut want: Vec<i64> = listed
        .iter()
        .map(|f| f["relationship_id"].as_i64().unwrap())
        .collect();
    want.sort();
    let got: Vec<i64> = relationships
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, want, "the relationships fans list shows, in id order");
    for r in relationships {
        let f = listed
            .iter()
            .find(|f| f["relationship_id"] == r["id"])
            .unwrap();
        for key in [
            "platform",
            "platform_user_id",
            "account",
            "status",
            "lifetime_spend_cents",
            "currency",
            "source",
        ] {
            assert_eq!(r[key], f[key], "{key} of {r:?}");
        }
        for key in ["first_seen_at", "last_seen_at", "subscribed_at"] {
            let time =
                |v: &serde_json::Value| v.as_str().map(|s| s.parse::<DateTime<Utc>>().unwrap());
            assert_eq!(time(&r[key]), time(&f[key]), "{key} of {r:?}");
        }
    }
    let mut want: Vec<i64> = listed.iter().map(|f| f["id"].as_i64().unwrap()).collect();
    want.sort();
    want.dedup();
    let got: Vec<i64> = out["fans"]
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, want, "their identities, once each");
    for r in &out["fans"] {
        let f = listed.iter().find(|f| f["id"] == r["id"]).unwrap();
        assert_eq!(
            (&r["username"], &r["display_name"]),
            (&f["username"], &f["display_name"])
        );
    }
    let counted: i64 = listed
        .iter()
        .map(|f| f["message_count"].as_i64().unwrap())
        .sum();
    assert_eq!(
        out["messages"].len() as i64,
        counted,
        "the messages fans list counts"
    );
    let member = |platform_user_id: &serde_json::Value, account: &serde_json::Value| {
        listed
            .iter()
            .any(|f| f["platform_user_id"] == *platform_user_id && f["account"] == *account)
    };
    for m in &out["messages"] {
        assert!(member(&m["fan_platform_user_id"], &m["account"]), "{m:?}");
    }
    for t in out["fan_tags"].iter().chain(&out["fan_notes"]) {
        let ok = listed.iter().any(|f| {
            f["id"] == t["fan_id"] && (t["account"] == "" || t["account"] == f["account"])
        });
        assert!(ok, "{t:?}");
    }
    out
}

fn segments(db: &TestDb) {
    let env = TestEnv::new();
    fill_segments(&env, db);
    let texts = |rows: &[serde_json::Map<String, serde_json::Value>], key: &str| -> Vec<String> {
        let mut v: Vec<String> = rows
            .iter()
            .map(|r| r[key].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };

    let whales = segment_export(&env, db, "whales");
    assert_eq!(texts(&whales["fans"], "username"), ["ann", "eve"]);
    assert_eq!(texts(&whales["fan_accounts"], "account"), ["alpha", "beta"]);
    assert_eq!(
        texts(&whales["messages"], "platform_message_id"),
        ["m-a1", "m-a2", "m-b2"],
        "not ann's message to beta"
    );
    assert_eq!(
        texts(&whales["fan_tags"], "tag"),
        ["big", "vip"],
        "not ann's tag of beta"
    );
    assert_eq!(
        texts(&whales["fan_notes"], "body"),
        ["eve's note", "for everyone"]
    );

    // alpha's median is 500: dee (800, seen in May) is cold; cy spent less.
    let cold = segment_export(&env, db, "cold");
    assert_eq!(texts(&cold["fans"], "username"), ["dee"]);
    assert!(cold["messages"].is_empty() && cold["fan_tags"].is_empty());

    let saved = segment_export(&env, db, "Alpha-VIP");
    assert_eq!(texts(&saved["fans"], "username"), ["ann", "bo"]);
    assert_eq!(texts(&saved["fan_accounts"], "account"), ["alpha", "alpha"]);
    assert_eq!(
        texts(&saved["messages"], "platform_message_id"),
        ["m-a1", "m-a2", "m-a3"]
    );

    let empty = segment_export(&env, db, "new");
    assert!(
        empty.values().all(|rows| rows.is_empty()),
        "nobody was first seen this week"
    );

    // Without --table, the members' identities; one table, so stdout works (CSV neutralised).
    let stdout = export(&env, db, &["--segment", "whales", "--out", "-"]);
    stdout.ok();
    let mut reader = csv::Reader::from_reader(stdout.stdout.as_bytes());
    let names: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[4].to_string())
        .collect();
    assert_eq!(names, ["Ann A", "'=Eve E"]);
    assert!(
        stdout
            .stderr
            .contains("exported 2 rows of fans about segment 'whales'"),
        "{}",
        stdout.stderr
    );

    export(&env, db, &["--segment", "whales", "--table", "posts"])
        .error_naming(2, &["'posts' has no rows about a segment's fans"]);
    export(&env, db, &["--segment", "nope", "--out", "-"])
        .error_naming(1, &["no segment named 'nope'"]);
}

both_backends! {
    export_segment_writes_the_rows_of_its_fans: |db| segments(&db);
}
