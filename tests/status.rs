//! `db status`: exact counts on SQLite and for small tables; PostgreSQL's estimates, marked as
//! such, for big ones unless `--exact`.

use std::fmt::Write as _;

use serde_json::Value as Json;

use crate::support::{TestDb, TestEnv, array, both_backends};

fn status(env: &TestEnv, db: &TestDb, extra: &[&str]) -> Json {
    let mut args = vec!["--database-url", &db.url, "-o", "json", "db", "status"];
    args.extend_from_slice(extra);
    env.run(&args).ok().json()
}

/// (rows, estimated) of `table` in a `db status` JSON.
fn table(status: &Json, table: &str) -> (i64, bool) {
    let t = array(&status["tables"])
        .iter()
        .find(|t| t["table"] == table)
        .unwrap();
    (
        t["rows"].as_i64().unwrap(),
        t["estimated"].as_bool().unwrap(),
    )
}

both_backends! {
    db_status_estimates_big_tables_on_postgres_only: |db| {
        let env = TestEnv::new();
        let fans = 12_000;
        let mut csv = String::from("Fan ID,Username\n");
        for i in 0..fans {
            writeln!(csv, "{i},fan_{i}").unwrap();
        }
        let path = env.file("fans.csv", csv);
        env.on(&db, &["import-csv", "onlyfans", "fans", path.to_str().unwrap()]).ok();
        let postgres = db.schema().is_some();
        if postgres {
            // The statistics autovacuum keeps (here gathered at once, so the figure is known).
            db.exec("VACUUM ANALYZE fans");
        }

        let shown = status(&env, &db, &[]);
        assert_eq!(table(&shown, "fans"), (fans, postgres), "estimated on PostgreSQL only");
        assert_eq!(table(&shown, "messages"), (0, false), "a small table is counted");
        assert!(!table(&shown, "audit_log").1);
        let exact = status(&env, &db, &["--exact"]);
        assert_eq!(table(&exact, "fans"), (fans, false));
        assert!(array(&exact["tables"]).iter().all(|t| t["estimated"] == false));

        let text = env.on(&db, &["db", "status"]);
        let line = text.ok().stdout.lines().find(|l| l.contains("fans")).unwrap().to_string();
        if postgres {
            assert!(line.contains("~12000") && line.contains("estimate"), "{line}");
            text.stderr_has("--exact counts every row");
        } else {
            assert!(line.contains("12000") && line.contains("exact") && !line.contains('~'), "{line}");
        }
    };
}
