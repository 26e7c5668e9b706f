//! `import-csv onlyfans fans`, end to end through the binary, on both backends.

use crate::support::{Run, TestDb, TestEnv};

fn import(env: &TestEnv, db: &TestDb, file: &std::path::Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "--database-url",
        &db.url,
        "-o",
        "json",
        "import-csv",
        "onlyfans",
        "fans",
    ];
    let file = file.to_str().unwrap().to_string();
    args.push(&file);
    args.extend_from_slice(extra);
    env.run(&args)
}

fn fans_json(env: &TestEnv, db: &TestDb) -> serde_json::Value {
    env.run(&[
        "--database-url",
        &db.url,
        "-o",
        "json",
        "fans",
        "list",
        "--limit",
        "100",
    ])
    .ok()
    .json()
}

fn imports_fans(db: &TestDb) {
    let env = TestEnv::new();
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/onlyfans-fans.csv");

    let first = import(&env, db, &example, &[]);
    let summary = first.ok().json();
    assert_eq!(
        (summary["rows"].as_u64(), summary["inserted"].as_u64()),
        (Some(12), Some(12))
    );
    assert!(
        first.stderr.contains("OnlyFans has no public API"),
        "the notice shows once"
    );
    let again = import(&env, db, &example, &[]);
    assert_eq!(
        again.ok().json()["unchanged"],
        12,
        "re-import changes nothing"
    );
    assert!(
        !again.stderr.contains("no public API"),
        "the notice shows only once per database"
    );
    let fans = fans_json(&env, db);
    assert_eq!(fans.as_array().unwrap().len(), 12);
    assert_eq!(fans[0]["username"], "maple_rider");
    assert_eq!(fans[0]["lifetime_spend_cents"], 120450);
    assert_eq!(fans[0]["currency"], "USD");

    // A European export: BOM, semicolons, quoted newline, amounts with comma decimals, dot dates.
    let eu = env.path().join("eu.csv");
    std::fs::write(
        &eu,
        "\u{feff}Fan ID;User Name;Notes;Total spent (€);Joined\n\
         9001;@Maple_Rider;\"likes\ncats\";1.234,50 €;14.01.2026\n\
         9002;other;x;abc;01.02.2026\n\
         9003;third;y;5;31.02.2026\n",
    )
    .unwrap();
    let rejects = env.path().join("rejects.csv");
    let run = import(&env, db, &eu, &["--rejects", rejects.to_str().unwrap()]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let summary = run.json();
    assert_eq!(
        (summary["inserted"].as_u64(), summary["rejected"].as_u64()),
        (Some(1), Some(2))
    );
    assert!(
        run.stderr.contains("2 of 3 rows rejected"),
        "{}",
        run.stderr
    );
    let report = std::fs::read_to_string(&rejects).unwrap();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(
        lines[0],
        "line,reason,\u{feff}Fan ID,User Name,Notes,Total spent (€),Joined".replace('\u{feff}', "")
    );
    assert!(
        lines[1].starts_with("4,\"total_spent: bad amount")
            && lines[1].ends_with(",9002,other,x,abc,01.02.2026"),
        "{report}"
    );
    assert!(
        lines[2].starts_with("5,\"subscribed_at:") && lines[2].contains("9003"),
        "{report}"
    );
    let fans = fans_json(&env, db);
    let eu_fan = fans
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["platform_user_id"] == "9001")
        .unwrap();
    assert_eq!(eu_fan["lifetime_spend_cents"], 123450);
    assert_eq!(eu_fan["currency"], "EUR");
    assert_eq!(eu_fan["first_seen_at"], "2026-01-14T00:00:00Z");

    // Dry run: validates, writes nothing.
    let new = env.path().join("new.csv");
    std::fs::write(&new, "handle,spent\nzed,1\n").unwrap();
    let dry = import(&env, db, &new, &["--dry-run"]);
    assert!(dry.ok().stderr.contains("dry run"));
    assert_eq!(fans_json(&env, db).as_array().unwrap().len(), 13);

    // --map names a column the importer does not know.
    std::fs::write(&new, "Member,spent\nzed,1\n").unwrap();
    let missing = import(&env, db, &new, &[]).one_line_error(1).to_string();
    assert!(
        missing.contains("lacks username or fan_id") && missing.contains("Member, spent"),
        "{missing}"
    );
    import(&env, db, &new, &["--map", "Member=username"]).ok();
    assert_eq!(fans_json(&env, db).as_array().unwrap().len(), 14);

    // Empty and header-only files.
    std::fs::write(&new, "").unwrap();
    assert!(
        import(&env, db, &new, &[])
            .one_line_error(1)
            .contains("is empty")
    );
    std::fs::write(&new, "username,total spent\n").unwrap();
    assert_eq!(import(&env, db, &new, &[]).ok().json()["rows"], 0);

    // A field far longer than any export has is rejected, not stored.
    std::fs::write(
        &new,
        format!("username,name\nlong,{}\n", "x".repeat(100_000)),
    )
    .unwrap();
    let run = import(&env, db, &new, &[]);
    assert_eq!(run.code, 3);
    assert!(run.stderr.contains("100000 bytes long"), "{}", run.stderr);
}

#[test]
fn imports_fans_on_sqlite() {
    imports_fans(&TestDb::sqlite());
}

#[test]
fn imports_fans_on_postgres() {
    if let Some(db) = TestDb::postgres() {
        imports_fans(&db);
    }
}
