//! `socialcrm import-export` through the binary, on both backends: an export restored into an
//! empty CRM exports again as the same rows, a second restore changes nothing, and a bad line
//! or a table it does not restore is one line naming it.

use std::path::Path;

use serde_json::{Map, Value};

use crate::export::{fill, read_jsonl};
use crate::support::{TestDb, TestEnv, array, both_backends};

const RESTORED: [&str; 6] = [
    "fans",
    "fan_contacts",
    "fan_accounts",
    "posts",
    "messages",
    "analytics_events",
];

both_backends! {
    import_export_restores_what_export_wrote: |db, other| round_trip(&db, &other);
    import_export_names_the_bad_line_and_refuses_other_tables: |db| refusals(&db);
}

fn export(env: &TestEnv, db: &TestDb, dir: &Path) {
    env.on(
        db,
        &["export", "-f", "jsonl", "--out", dir.to_str().unwrap()],
    )
    .ok();
}

fn restore(env: &TestEnv, db: &TestDb, dir: &Path) -> Value {
    let run = env.crm(db, &["import-export", dir.to_str().unwrap()]);
    run.ok();
    run.json()
}

/// A table's rows without what each CRM writes for itself (ids, revisions, write times).
fn rows(dir: &Path, table: &str) -> Vec<Map<String, Value>> {
    let mut rows: Vec<_> = read_jsonl(&dir.join(format!("{table}.jsonl")))
        .into_iter()
        .map(|mut r| {
            for c in ["id", "revision", "created_at", "updated_at"] {
                r.remove(c);
            }
            r
        })
        .collect();
    rows.sort_by_key(|r| Value::Object(r.clone()).to_string());
    rows
}

fn counts(summary: &Value, key: &str) -> Vec<(String, i64)> {
    array(summary)
        .iter()
        .map(|t| {
            (
                t["table"].as_str().unwrap().to_string(),
                t[key].as_i64().unwrap(),
            )
        })
        .collect()
}

fn round_trip(db: &TestDb, other: &TestDb) {
    fill(db);
    let env = TestEnv::new();
    // Payments, so the restore must recompute the fans' paid_cents from analytics_events.
    let earnings = crate::attribution::example("onlyfans-earnings.csv");
    env.crm(db, &["import-csv", "onlyfans", "earnings", &earnings])
        .ok();
    let first = env.path().join("first");
    let second = env.path().join("second");
    export(&env, db, &first);

    let summary = restore(&env, other, &first);
    let tables: Vec<String> = counts(&summary, "rows")
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    assert_eq!(tables, RESTORED);
    for (table, inserted) in counts(&summary, "inserted") {
        assert_eq!(inserted as usize, rows(&first, &table).len(), "{table}");
        assert!(inserted > 0, "{table} restored nothing");
    }

    export(&env, other, &second);
    let paid = rows(&second, "fan_accounts")
        .iter()
        .filter(|r| r["paid_cents"].as_i64().is_some_and(|c| c > 0))
        .count();
    assert!(paid > 0, "no restored fan has payments");
    for table in RESTORED {
        assert_eq!(rows(&second, table), rows(&first, table), "{table}");
    }

    // Restoring again (and restoring onto the CRM the rows came from) changes nothing.
    for target in [other, db] {
        let again = restore(&env, target, &first);
        for (table, n) in counts(&again, "inserted")
            .into_iter()
            .chain(counts(&again, "updated"))
        {
            assert_eq!(n, 0, "{table}: {again}");
        }
    }
    let third = env.path().join("third");
    export(&env, other, &third);
    for table in RESTORED {
        assert_eq!(rows(&third, table), rows(&first, table), "{table}");
    }
    // Each restore is in the audit log.
    let audit = env.crm(other, &["audit", "list"]);
    audit.ok();
    let restores = audit
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "restore" && e["outcome"] == "ok")
        .count();
    assert_eq!(restores, 2, "{}", audit.stdout);
}

fn refusals(db: &TestDb) {
    let env = TestEnv::new();
    let dir = env.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    let fans = dir.join("fans.jsonl");
    std::fs::write(
        &fans,
        "{\"platform\":\"x\",\"platform_user_id\":\"1\",\"username\":\"ann\"}\n{\"platform\":\"x\",\n",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    let run = env.on(db, &["import-export", d]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let first = run.stderr.lines().next().unwrap_or_default().to_string();
    assert!(
        first.contains(&format!("{}:2:", fans.display())),
        "{}",
        run.stderr
    );

    std::fs::write(
        &fans,
        "{\"platform\":\"x\",\"platform_user_id\":\"1\",\"nickname\":\"ann\"}\n",
    )
    .unwrap();
    let run = env.on(db, &["import-export", d]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.stderr_has(":1: unknown column 'nickname' in fans");

    // A platform this socialcrm does not know (an export of a newer one) is refused by line;
    // so is an alias, which a person types but no export writes.
    for platform in ["myspace", "twitter"] {
        std::fs::write(
            &fans,
            format!("{{\"platform\":\"{platform}\",\"platform_user_id\":\"1\"}}\n"),
        )
        .unwrap();
        let run = env.run(&["--database-url", &db.url, "import-export", d]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!(":1: platform is an unknown platform '{platform}'")),
            "{}",
            run.stderr
        );
    }

    for (table, why) in [
        ("people", "not restored by import-export"),
        ("nope", "there is no table 'nope'"),
    ] {
        let run = env.on(db, &["import-export", d, "-t", table]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains(why) && run.stderr.contains("fan_accounts"),
            "{}",
            run.stderr
        );
    }

    std::fs::write(&fans, "").unwrap();
    std::fs::rename(&fans, dir.join("people.jsonl")).unwrap();
    let run = env.on(db, &["import-export", d]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    run.stderr_has("holds none of");
}
