//! X: `upload x` (chunked media upload reassembled and checked by the fake, then a post) and
//! `post x` (text-only and replies).

use crate::support::browser::FakeBrowser;
use crate::support::fake_x::FakeX;
use crate::support::server::sha256;
use crate::support::{Run, TestDb, TestEnv, array, assert_contains, both_backends};
use crate::x_connect::{assert_no_leaks, command, connected};

fn run(env: &TestEnv, fake: &FakeX, args: &[&str]) -> Run {
    let mut cmd = command(env, fake, args);
    cmd.env("SOCIALCRM_UPLOAD_POLL_MS", "20");
    env.run_cmd(cmd)
}

/// A file of `len` bytes whose content differs at every offset (so a misplaced chunk shows).
fn video(env: &TestEnv, len: usize) -> (std::path::PathBuf, String) {
    let bytes: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
    let path = env.file("clip.mp4", &bytes);
    (path, sha256(&bytes))
}

#[test]
fn x_upload_streams_chunks_the_fake_reassembles_then_posts_with_the_media() {
    let fake = FakeX::start();
    let env = connected(&fake);
    let (file, sha) = video(&env, 9 * 1024 * 1024 + 123);
    fake.expect_media_sha256(&sha);
    fake.set_processing_polls(2);
    let file = file.display().to_string();
    let up = run(
        &env,
        &fake,
        &[
            "-vv",
            "-o",
            "json",
            "upload",
            "x",
            &file,
            "--caption",
            "Day 1 #gym",
        ],
    );
    assert_eq!(up.code, 0, "{}", up.stderr);
    let out = up.json();
    let posts = fake.created_posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].text, "Day 1 #gym");
    assert_eq!(out["post_id"], posts[0].id.as_str());
    assert_eq!(out["media_ids"][0], posts[0].media_ids[0].as_str());
    assert!(
        out["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/testcreator/status/{}", posts[0].id))
    );
    // 4 MiB + 4 MiB + the rest, in order, never more than 4 MiB in one request.
    let appends = fake.requests_to("/2/media/upload/:id/append");
    assert_eq!(appends.len(), 3);
    assert!(appends.iter().all(|r| r.status == 200));
    assert_eq!(fake.largest_segment(), 4 * 1024 * 1024);
    assert_eq!(
        fake.requests_to("/2/media/upload").len(),
        3,
        "polled until succeeded"
    );
    let listed = run(&env, &fake, &["-o", "json", "audit", "list"])
        .ok()
        .json();
    assert!(listed.to_string().contains("posted"), "{listed}");
    assert_no_leaks(&fake, &[&up]);
}

#[test]
fn x_upload_fails_in_one_line_when_the_reassembled_bytes_differ() {
    let fake = FakeX::start();
    let env = connected(&fake);
    let (file, _) = video(&env, 5 * 1024 * 1024);
    fake.expect_media_sha256(&"0".repeat(64));
    let file = file.display().to_string();
    let up = run(&env, &fake, &["upload", "x", &file, "--caption", "x"]);
    up.error_naming(1, &["does not match"]);
    assert!(fake.created_posts().is_empty(), "nothing posted");
}

#[test]
fn x_post_text_only_and_as_a_reply_prints_the_url() {
    let fake = FakeX::start();
    let env = connected(&fake);
    let posted = run(
        &env,
        &fake,
        &[
            "-o",
            "json",
            "post",
            "twitter",
            "hello fans",
            "--reply-to",
            "1234567890",
        ],
    );
    assert_eq!(posted.code, 0, "{}", posted.stderr);
    let posts = fake.created_posts();
    assert_eq!(posts[0].text, "hello fans");
    assert!(posts[0].media_ids.is_empty());
    assert_eq!(posts[0].reply_to.as_deref(), Some("1234567890"));
    assert_eq!(
        posted.json()["url"],
        format!("https://x.com/testcreator/status/{}", posts[0].id)
    );
    let refused = run(
        &env,
        &fake,
        &["upload", "x", "clip.mp4", "--privacy", "public"],
    );
    refused.error_naming(2, &["--privacy is a TikTok option"]);
}

/// A post whose answer is lost (X made it, then answered 503) is not sent again: a retry would
/// post twice. The error says to look before posting again.
#[test]
fn x_a_post_whose_answer_is_lost_is_not_sent_twice() {
    let fake = FakeX::start();
    let env = connected(&fake);
    fake.lose_next_post_answers(1);
    let mut cmd = command(&env, &fake, &["post", "x", "hello fans"]);
    cmd.env("SOCIALCRM_RETRY_BUDGET", "5"); // a retrying call would try again within this
    let run = env.run_cmd(cmd);
    let line = run.one_line_error(1);
    assert_contains(line, "503");
    assert_contains(line, "may have been made");
    assert_eq!(fake.requests_to("/2/tweets").len(), 1, "sent once");
    assert_eq!(fake.created_posts().len(), 1);
}

/// The binary against the fake X on `db`, polling fast.
fn run_on(env: &TestEnv, fake: &FakeX, db: &TestDb, args: &[&str]) -> Run {
    let mut cmd = command(env, fake, args);
    cmd.env("SOCIALCRM_DATABASE_URL", &db.url)
        .env("SOCIALCRM_UPLOAD_POLL_MS", "20");
    env.run_cmd(cmd)
}

/// An X account connected in a fresh world whose CRM is `db`.
fn connected_on(fake: &FakeX, db: &TestDb) -> TestEnv {
    let env = TestEnv::new();
    let browser = FakeBrowser::following_redirect();
    let mut cmd = command(&env, fake, &["connect", "x", "--timeout", "20"]);
    cmd.env("SOCIALCRM_DATABASE_URL", &db.url);
    browser.apply(&mut cmd);
    env.run_cmd(cmd).ok();
    env
}

/// `upload x` goes through the publish ledger as every upload does: the same file (or a renamed
/// copy) is posted once and reported after that; `--force` posts it again.
fn the_same_file_twice_posts_once(db: TestDb) {
    let fake = FakeX::start();
    let env = connected_on(&fake, &db);
    let (file, _) = video(&env, 5 * 1024 * 1024 + 1);
    let file = file.display().to_string();
    let upload = |path: &str, extra: &[&str]| {
        let mut args = vec!["-o", "json", "upload", "x", path, "--caption", "once"];
        args.extend(extra);
        run_on(&env, &fake, &db, &args).ok().json()
    };
    let first = upload(&file, &[]);
    assert_eq!(first["status"], "complete", "{first}");
    assert_eq!(first["chunks"], 2);
    let posts = fake.created_posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(first["post_id"], posts[0].id.as_str());
    assert_eq!(first["publish_id"], posts[0].media_ids[0].as_str());
    assert_eq!(first["media_ids"][0], posts[0].media_ids[0].as_str());

    let copy = env.path().join("copy.mp4");
    std::fs::copy(&file, &copy).unwrap();
    let again = upload(copy.to_str().unwrap(), &[]);
    assert_eq!(again["status"], "already_posted", "{again}");
    assert_eq!(again["post_id"], first["post_id"]);
    assert_eq!(again["file_hash"], first["file_hash"]);
    assert_eq!(
        fake.created_posts().len(),
        1,
        "nothing posted the second time"
    );
    assert_eq!(fake.requests_to("/2/media/upload/:id/append").len(), 2);

    let forced = upload(&file, &["--force"]);
    assert_eq!(forced["status"], "complete", "{forced}");
    assert_ne!(forced["post_id"], first["post_id"]);
    assert_eq!(fake.created_posts().len(), 2);
    let audit = run_on(&env, &fake, &db, &["-o", "json", "audit", "list"])
        .ok()
        .json();
    let outcomes: Vec<&str> = array(&audit)
        .iter()
        .filter(|e| e["action"] == "upload" && e["platform"] == "x")
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes.iter().filter(|o| **o == "ok").count(),
        2,
        "{audit}"
    );
    assert_eq!(outcomes.iter().filter(|o| **o == "skipped").count(), 1);
}

/// Media X was still processing when `--wait` ran out is polled again by the next run and
/// posted then: its bytes are not sent twice.
fn media_still_processing_is_polled_again(db: TestDb) {
    let fake = FakeX::start();
    let env = connected_on(&fake, &db);
    fake.set_processing_polls(3);
    let (file, sha) = video(&env, 5 * 1024 * 1024 + 1);
    fake.expect_media_sha256(&sha);
    let file = file.display().to_string();
    let waited = run_on(&env, &fake, &db, &["upload", "x", &file, "--wait", "0"]);
    waited.error_naming(1, &["X is still processing media"]);
    assert!(fake.created_posts().is_empty());

    let done = run_on(&env, &fake, &db, &["-o", "json", "upload", "x", &file])
        .ok()
        .json();
    assert_eq!(
        (done["status"].as_str(), done["resumed"].as_bool()),
        (Some("complete"), Some(true)),
        "{done}"
    );
    assert_eq!(fake.requests_to("/2/media/upload/initialize").len(), 1);
    assert_eq!(
        fake.requests_to("/2/media/upload/:id/append").len(),
        2,
        "the bytes were sent once"
    );
    assert_eq!(fake.created_posts().len(), 1);
}

both_backends! {
    x_upload_posts_the_same_file_once_and_force_posts_it_again: |db| the_same_file_twice_posts_once(db);
    x_upload_media_still_processing_is_polled_again_not_sent_twice: |db| media_still_processing_is_polled_again(db);
}

/// `upload x` of a BENCH_MB (default 64) MiB file to the fake X, timed with the binary's peak
/// memory, which must not grow with the file (chunks are streamed from disk).
#[test]
#[ignore = "benchmark: cargo test --test main bench_x_upload -- --ignored --nocapture"]
fn bench_x_upload() {
    let mb: usize = std::env::var("BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let fake = FakeX::start();
    let env = connected(&fake);
    let (file, sha) = video(&env, mb * 1024 * 1024);
    fake.expect_media_sha256(&sha);
    let file = file.display().to_string();
    let mut inner = command(
        &env,
        &fake,
        &["-o", "json", "upload", "x", &file, "--caption", "bench"],
    );
    inner.env("SOCIALCRM_UPLOAD_POLL_MS", "20");
    let (run, secs, kb) = env.run_timed(inner);
    assert_eq!(run.code, 0, "{}", run.stderr);
    println!(
        "upload x: {mb} MiB in {} chunks in {secs:.2} s = {:.1} MiB/s, peak RSS {:.1} MB",
        mb.div_ceil(4),
        mb as f64 / secs,
        kb / 1024.0
    );
}
