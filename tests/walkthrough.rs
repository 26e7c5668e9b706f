//! The README's walkthrough "people and revenue traced to posts" run as written, on both
//! backends: the commands of its `sh` block (with `examples/` read from the repository), then
//! the pairs `people suggest` proposes and the totals of `insights attribution` (the
//! hand-computed figures of `tests/attribution.rs`), with no credentials and no database tool.

use std::path::Path;

use serde_json::Value as Json;

use crate::attribution::{figures, source};
use crate::support::{TestDb, TestEnv, array, both_backends};

const HEADING: &str = "### Walkthrough: people and revenue traced to posts";

/// The commands of the walkthrough's first `sh` block, without the leading `socialcrm`.
fn commands() -> Vec<Vec<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = readme.split_once(HEADING).expect("the walkthrough").1;
    let block = section.split_once("```sh\n").unwrap().1;
    let block = block.split_once("```").unwrap().0;
    block
        .lines()
        .map(|line| {
            let words = line
                .strip_prefix("socialcrm ")
                .expect("a socialcrm command");
            words
                .split_whitespace()
                .map(|w| match w.strip_prefix("examples/") {
                    Some(rest) => root.join("examples").join(rest).display().to_string(),
                    None => w.to_string(),
                })
                .collect()
        })
        .collect()
}

fn pair(p: &Json) -> (String, String, String) {
    let side = |s: &str| p[s]["platform"].as_str().unwrap().to_string();
    let user = p["fan_a"]["username"].as_str().unwrap().to_string();
    assert_eq!(p["fan_b"]["username"], p["fan_a"]["username"], "{p}");
    (side("fan_a"), side("fan_b"), user)
}

fn walkthrough(db: &TestDb) {
    let env = TestEnv::new();
    let mut outputs = Vec::new();
    for command in commands() {
        let args: Vec<&str> = command.iter().map(String::as_str).collect();
        let run = env.crm(db, &args);
        run.ok();
        outputs.push((command[0].clone(), run.json()));
    }
    let named: Vec<&str> = outputs.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        named,
        [
            "import-csv",
            "import-csv",
            "import-csv",
            "import-export",
            "people",
            "insights"
        ]
    );

    // The three people whose handle and name agree; the decoy velvetmoth (same handle, another
    // name) stays below the default threshold.
    let suggested = outputs[4].1.as_array().unwrap();
    let mut pairs: Vec<_> = suggested.iter().map(pair).collect();
    pairs.sort();
    let want = |a: &str, b: &str, u: &str| (a.to_string(), b.to_string(), u.to_string());
    assert_eq!(
        pairs,
        [
            want("onlyfans", "reddit", "quietfox"),
            want("onlyfans", "tiktok", "maple_rider"),
            want("onlyfans", "x", "nightowl_88"),
        ]
    );
    let low = env.crm(db, &["people", "suggest", "--min-confidence", "0.5"]);
    let decoy = low.ok().json();
    assert!(
        array(&decoy).iter()
            .any(|p| p["fan_b"]["username"] == "velvetmoth" && p["confidence"].as_f64() < Some(0.8)),
        "{decoy}"
    );

    // The totals of tests/attribution.rs (links, posts, subscribers, revenue in cents).
    let view = &outputs[5].1;
    assert_eq!(figures(source(view, "tiktok")), (1, 2, 55, 84_000));
    assert_eq!(figures(source(view, "x")), (2, 1, 69, 110_000));
    assert_eq!(figures(source(view, "reddit")), (1, 1, 15, 21_050));
    assert_eq!(figures(source(view, "unattributed")), (1, 0, 8, 12_025));
    assert_eq!(figures(source(view, "total")), (4, 4, 92, 143_075));
}

both_backends! {
    the_readme_walkthrough_runs_on_the_examples: |db| walkthrough(&db);
}
