//! One test binary for the whole suite (faster to link than one per file). Every test runs in
//! its own temporary directories; PostgreSQL tests each get their own schema, so all of them
//! run in parallel.

// Tests may print with eprintln!: a panic there fails only the test (clippy.toml bans it in src/).
#![allow(clippy::disallowed_macros)]

mod attribution;
mod cli;
mod connect;
mod creators;
mod export;
mod fake_tiktok;
mod fan_lists;
mod fuzz;
mod import;
mod instagram;
mod instagram_webhooks;
mod layers;
mod machine;
mod people;
mod postgres_tls;
mod posts;
mod readme;
mod recovery;
mod reddit;
mod registry;
mod report;
mod report_page;
mod restore;
mod search;
mod secrets;
mod spend_buckets;
mod status;
mod store;
mod support;
mod sync;
mod sync_all_bench;
mod tables;
mod upload;
mod walkthrough;
mod webhooks;
mod x_connect;
mod x_post;
mod x_sync;
mod x_webhooks;

/// Fails when a file in tests/ is not declared above (and so would silently never run).
#[test]
fn every_test_file_is_included() {
    let declared = [
        "attribution.rs",
        "cli.rs",
        "connect.rs",
        "creators.rs",
        "export.rs",
        "fake_tiktok.rs",
        "fan_lists.rs",
        "fuzz.rs",
        "import.rs",
        "instagram.rs",
        "instagram_webhooks.rs",
        "layers.rs",
        "readme.rs",
        "machine.rs",
        "people.rs",
        "postgres_tls.rs",
        "posts.rs",
        "recovery.rs",
        "reddit.rs",
        "registry.rs",
        "report.rs",
        "report_page.rs",
        "restore.rs",
        "search.rs",
        "secrets.rs",
        "spend_buckets.rs",
        "status.rs",
        "store.rs",
        "sync.rs",
        "sync_all_bench.rs",
        "tables.rs",
        "webhooks.rs",
        "upload.rs",
        "walkthrough.rs",
        "x_connect.rs",
        "x_post.rs",
        "x_sync.rs",
        "x_webhooks.rs",
        "main.rs",
    ];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".rs") {
            assert!(
                declared.contains(&name.as_str()),
                "tests/{name} is not a module of tests/main.rs"
            );
        }
    }
}
