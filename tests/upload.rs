//! `upload tiktok` through the binary against the fake TikTok's Content Posting API: chunked
//! transfer reassembled byte for byte, a chunk retried, failures in one line, the privacy
//! check, the publish ledger (same file twice, --force, resume, expired upload URL), drafts,
//! --no-wait; and the ledger's store methods on both backends.

use std::io::Write;
use std::path::{Path, PathBuf};

use socialcrm::store::model::{Upload, UploadStatus};
use socialcrm::vocab::PlatformId;

use crate::connect::{connect, table_rows};
use crate::support::both_backends;
use crate::support::fake_tiktok::{
    DIRECT_INIT_PATH, FakeBrowser, FakeTikTok, INBOX_INIT_PATH, PUBLISHED_VIDEO_BASE,
    PublishOutcome,
};
use crate::support::{Run, TestDb, TestEnv, array, assert_contains};

const MIB: u64 = 1024 * 1024;
const CHUNK: &str = "5242880";

fn connected() -> (TestEnv, FakeTikTok) {
    let env = TestEnv::new();
    let fake = FakeTikTok::start();
    let run = connect(&env, &fake, &FakeBrowser::following_redirect(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    (env, fake)
}

/// A file of `size` pseudo-random bytes (so a misplaced chunk changes the hash).
fn video(env: &TestEnv, name: &str, size: u64) -> PathBuf {
    let path = env.path().join(name);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ size;
    let mut block = Vec::with_capacity(8192);
    let mut left = size;
    while left > 0 {
        block.clear();
        while block.len() < 8192 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            block.extend_from_slice(&x.to_le_bytes());
        }
        let n = left.min(block.len() as u64) as usize;
        out.write_all(&block[..n]).unwrap();
        left -= n as u64;
    }
    out.flush().unwrap();
    path
}

fn sha256(path: &Path) -> String {
    crate::support::server::sha256(&std::fs::read(path).unwrap())
}

/// The ledger's content hash of a file, as `upload` prints it.
fn content_hash(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    format!("xxh3:{:032x}", xxhash_rust::xxh3::xxh3_128(&bytes))
}

/// `upload tiktok FILE extra..` with fast polling and a short retry budget.
fn upload(env: &TestEnv, fake: &FakeTikTok, file: &Path, extra: &[&str]) -> Run {
    let mut cmd = crate::connect::command(env, fake, &["-o", "json", "upload", "tiktok"]);
    cmd.arg(file)
        .args(extra)
        .env("SOCIALCRM_UPLOAD_POLL_MS", "10")
        .env("SOCIALCRM_RETRY_BUDGET", "3")
        .env("BROWSER", "true");
    env.run_cmd(cmd)
}

#[test]
fn a_multi_chunk_file_arrives_whole_and_is_recorded() {
    let (env, fake) = connected();
    let file = video(&env, "clip.mp4", 12 * MIB);
    let run = upload(
        &env,
        &fake,
        &file,
        &[
            "--chunk-size",
            CHUNK,
            "--caption",
            "Day 1 #gym",
            "--privacy",
            "public",
        ],
    );
    let out = run.ok().json();
    let video_id = (PUBLISHED_VIDEO_BASE + 1).to_string();
    assert_eq!(out["status"], "complete");
    assert_eq!(out["post_id"], video_id.as_str());
    assert_eq!(out["chunks"], 2);
    assert_eq!(out["file_hash"], content_hash(&file).as_str());
    assert!(!run.stdout.contains("upload_token") && !run.stdout.contains("/upload/"));

    let publishes = fake.publishes();
    assert_eq!(publishes.len(), 1);
    let p = &publishes[0];
    assert!(!p.draft);
    assert_eq!(out["publish_id"], p.publish_id.as_str());
    assert_eq!(
        (p.video_size, p.chunk_size, p.chunk_count),
        (12 * MIB, 5 * MIB, 2)
    );
    assert_eq!(
        p.sha256.as_deref(),
        Some(sha256(&file).as_str()),
        "reassembled bytes"
    );
    assert_eq!(
        p.ranges,
        [
            "bytes 0-5242879/12582912",
            "bytes 5242880-12582911/12582912"
        ],
        "the last chunk takes the trailing bytes"
    );
    assert!(p.content_types.iter().all(|t| t == "video/mp4"));
    assert_eq!(p.post_info["privacy_level"], "PUBLIC_TO_EVERYONE");
    assert_eq!(p.post_info["title"], "Day 1 #gym");
    assert_eq!(fake.requests_to(DIRECT_INIT_PATH).len(), 1);

    assert_eq!(table_rows(&env, &fake, "posts"), 1);
    let audit = crate::connect::run(&env, &fake, None, &["-o", "json", "audit", "list"])
        .ok()
        .json();
    let uploads: Vec<_> = array(&audit)
        .iter()
        .filter(|e| e["action"] == "upload")
        .collect();
    assert_eq!(uploads.len(), 1, "{audit}");
    assert_eq!(uploads[0]["outcome"], "ok");
}

#[test]
fn a_chunk_failing_once_is_sent_again() {
    let (env, fake) = connected();
    let file = video(&env, "clip.mp4", 11 * MIB);
    fake.fail_chunk_once(1);
    upload(&env, &fake, &file, &["--chunk-size", CHUNK]).ok();
    let p = &fake.publishes()[0];
    assert_eq!(p.ranges.len(), 3, "chunk 2 twice: {:?}", p.ranges);
    assert_eq!(p.ranges[1], p.ranges[2]);
    assert_eq!(p.sha256.as_deref(), Some(sha256(&file).as_str()));
    assert_eq!(
        p.post_info["privacy_level"], "SELF_ONLY",
        "private by default"
    );
}

#[test]
fn a_small_file_goes_as_one_chunk() {
    let (env, fake) = connected();
    let file = video(&env, "small.mov", 300_000);
    upload(&env, &fake, &file, &[]).ok();
    let p = &fake.publishes()[0];
    assert_eq!((p.chunk_size, p.chunk_count), (300_000, 1));
    assert_eq!(p.ranges, ["bytes 0-299999/300000"]);
    assert_eq!(p.content_types, ["video/quicktime"]);
}

#[test]
fn a_failed_publish_is_one_line_with_the_reason() {
    let (env, fake) = connected();
    let file = video(&env, "clip.mp4", MIB);
    fake.set_publish_outcome(PublishOutcome::Failed {
        polls: 2,
        reason: "file_format_check_failed".into(),
    });
    let run = upload(&env, &fake, &file, &[]);
    let line = run.one_line_error(1);
    assert_contains(line, "file_format_check_failed");
    assert_contains(line, "could not publish");
    assert_eq!(table_rows(&env, &fake, "posts"), 0);
}

#[test]
fn a_privacy_level_the_account_may_not_use_is_refused() {
    let (env, fake) = connected();
    let file = video(&env, "clip.mp4", MIB);
    fake.set_privacy_levels(&["FOLLOWER_OF_CREATOR", "SELF_ONLY"]);
    let run = upload(&env, &fake, &file, &["--privacy", "public"]);
    let line = run.one_line_error(2);
    assert_contains(
        line,
        "allowed: followers (FOLLOWER_OF_CREATOR), private (SELF_ONLY)",
    );
    assert!(fake.publishes().is_empty(), "nothing was initialised");
}

#[test]
fn an_unaudited_app_is_told_it_may_only_post_privately() {
    let (env, fake) = connected();
    let file = video(&env, "clip.mp4", MIB);
    fake.unaudited_client();
    let run = upload(&env, &fake, &file, &["--privacy", "public"]);
    run.error_naming(1, &["not audited", "--privacy private"]);
    // Private posts still go through.
    upload(&env, &fake, &file, &["--privacy", "private"]).ok();
}

/// A file posted before schema v6, whose ledger row holds its bare SHA-256, is still known:
/// the migration tags the old hash and `upload` compares in that algorithm.
#[test]
fn a_file_posted_before_the_xxh3_ledger_is_still_recognised() {
    let (env, fake) = connected();
    let file = video(&env, "clip.mp4", 2 * MIB);
    let first = upload(&env, &fake, &file, &[]).ok().json();
    // Back to a version 5 ledger: a database built by migrations 1 to 5 only, holding this
    // one's rows (every column that version has), with the bare SHA-256 of the old column.
    let path = env.data_home().join("socialcrm/crm.db");
    let old = path.with_extension("new.db");
    std::fs::rename(&path, &old).unwrap();
    let target = socialcrm::store::DatabaseTarget::Sqlite { path: path.clone() };
    socialcrm::store::open_up_to(&target, 5)
        .unwrap()
        .migrate()
        .unwrap();
    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute("ATTACH DATABASE ?1 AS newer", [old.to_str().unwrap()])
        .unwrap();
    let columns = |schema: &str, table: &str| -> Vec<String> {
        let mut stmt = db
            .prepare(&format!(
                "SELECT name FROM pragma_table_info('{table}', '{schema}')"
            ))
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    for table in ["platform_connections", "secrets", "uploads"] {
        let newer = columns("newer", table);
        let shared: Vec<String> = columns("main", table)
            .into_iter()
            .filter(|c| newer.contains(c))
            .collect();
        let list = shared.join(", ");
        db.execute_batch(&format!(
            "INSERT INTO main.{table} ({list}) SELECT {list} FROM newer.{table}"
        ))
        .unwrap();
    }
    db.execute("UPDATE uploads SET file_sha256 = ?1", [sha256(&file)])
        .unwrap();
    db.execute_batch("DETACH DATABASE newer").unwrap();
    drop(db);
    let again = upload(&env, &fake, &file, &[]).ok().json();
    assert_eq!(again["status"], "already_posted");
    assert_eq!(again["post_id"], first["post_id"]);
    assert_eq!(again["file_hash"], format!("sha256:{}", sha256(&file)));
    assert_eq!(fake.publishes().len(), 1, "nothing sent the second time");
}

#[test]
fn the_same_file_twice_posts_once_and_force_posts_again() {
    let (env, fake) = connected();
    let file = video(&env, "clip.mp4", 2 * MIB);
    let first = upload(&env, &fake, &file, &[]).ok().json();
    let again = upload(&env, &fake, &file, &[]);
    let out = again.ok().json();
    assert_eq!(out["status"], "already_posted");
    assert_eq!(out["post_id"], first["post_id"]);
    again.stderr_has("already posted");
    assert_eq!(fake.publishes().len(), 1, "nothing sent the second time");

    // A copy under another name is the same file.
    let copy = env.path().join("copy.mp4");
    std::fs::copy(&file, &copy).unwrap();
    assert_eq!(
        upload(&env, &fake, &copy, &[]).ok().json()["status"],
        "already_posted"
    );

    let forced = upload(&env, &fake, &file, &["--force"]).ok().json();
    assert_eq!(forced["status"], "complete");
    assert_ne!(forced["post_id"], first["post_id"]);
    assert_eq!(fake.publishes().len(), 2);
    assert_eq!(table_rows(&env, &fake, "posts"), 2);
}

#[test]
fn a_file_that_differs_only_in_the_middle_is_a_new_file() {
    let (env, fake) = connected();
    let file = video(&env, "clip.mp4", 6 * MIB);
    upload(&env, &fake, &file, &[]).ok();
    // Same size, same first and last MiB (the fingerprint), one byte changed in the middle.
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[3 * MIB as usize] ^= 0xff;
    let edited = env.file("edited.mp4", &bytes);
    let out = upload(&env, &fake, &edited, &[]).ok().json();
    assert_eq!(out["status"], "complete");
    assert_eq!(out["file_hash"], content_hash(&edited).as_str());
    assert_eq!(fake.publishes().len(), 2);
    assert_eq!(
        fake.publishes()[1].sha256.as_deref(),
        Some(sha256(&edited).as_str())
    );
}

#[test]
fn an_interrupted_upload_resumes_its_remaining_chunks() {
    let (env, fake) = connected();
    let file = video(&env, "clip.mp4", 16 * MIB);
    fake.fail_chunk_always(Some(2));
    let run = upload(&env, &fake, &file, &["--chunk-size", CHUNK]);
    run.error_naming(1, &["sent 2 of 3 chunks", "again to resume"]);

    fake.fail_chunk_always(None);
    let out = upload(&env, &fake, &file, &["--chunk-size", CHUNK])
        .ok()
        .json();
    assert_eq!(out["status"], "complete");
    assert_eq!(out["resumed"], true);
    let publishes = fake.publishes();
    assert_eq!(publishes.len(), 1, "the same publish, continued");
    let p = &publishes[0];
    assert_eq!(p.chunks, 3);
    assert_eq!(p.sha256.as_deref(), Some(sha256(&file).as_str()));
    let sent_first = p
        .ranges
        .iter()
        .filter(|r| r.starts_with("bytes 0-"))
        .count();
    assert_eq!(sent_first, 1, "chunk 1 was not sent again: {:?}", p.ranges);
}

#[test]
fn an_expired_upload_url_starts_over() {
    let (env, fake) = connected();
    let file = video(&env, "clip.mp4", 11 * MIB);
    fake.fail_chunk_always(Some(1));
    upload(&env, &fake, &file, &["--chunk-size", CHUNK]).one_line_error(1);
    fake.fail_chunk_always(None);
    fake.expire_upload_urls();
    let out = upload(&env, &fake, &file, &["--chunk-size", CHUNK])
        .ok()
        .json();
    assert_eq!(out["status"], "complete");
    assert_eq!(out["resumed"], false);
    let publishes = fake.publishes();
    assert_eq!(publishes.len(), 2, "a new publish");
    assert_eq!(publishes[1].sha256.as_deref(), Some(sha256(&file).as_str()));
}

#[test]
fn no_wait_returns_the_publish_id_and_a_rerun_waits_for_it() {
    let (env, fake) = connected();
    let file = video(&env, "clip.mp4", MIB);
    let run = upload(&env, &fake, &file, &["--no-wait"]);
    let out = run.ok().json();
    assert_eq!(out["status"], "processing");
    let publish_id = out["publish_id"].as_str().unwrap().to_string();
    assert!(publish_id.starts_with("v_pub_file"), "{publish_id}");
    assert_eq!(table_rows(&env, &fake, "posts"), 0);

    let done = upload(&env, &fake, &file, &[]).ok().json();
    assert_eq!(done["status"], "complete");
    assert_eq!(done["publish_id"], publish_id.as_str());
    assert_eq!(fake.publishes().len(), 1);
    assert_eq!(fake.publishes()[0].ranges.len(), 1, "no byte sent twice");
}

#[test]
fn a_draft_goes_to_the_inbox() {
    let (env, fake) = connected();
    let file = video(&env, "clip.mp4", MIB);
    let run = upload(&env, &fake, &file, &["--draft"]);
    let out = run.ok().json();
    assert_eq!(out["status"], "complete");
    run.stderr_has("inbox");
    assert_eq!(fake.requests_to(INBOX_INIT_PATH).len(), 1);
    assert!(fake.publishes()[0].draft);
    let refused = upload(&env, &fake, &file, &["--draft", "--privacy", "public"]);
    refused.one_line_error(2);
}

fn ledger_story(db: &TestDb) {
    let mut store = db.open();
    store.migrate().unwrap();
    assert_eq!(
        store.upload(PlatformId::Tiktok, "default", "abc").unwrap(),
        None
    );
    // A new file's entry before its hash is known.
    let mut u = Upload {
        id: None,
        platform: PlatformId::Tiktok,
        account: "default".into(),
        file_hash: None,
        file_fingerprint: "fp".into(),
        file_size: 12,
        publish_id: Some("p1".into()),
        upload_url: Some("https://upload.example/u?t=1".into()),
        chunk_size: 12,
        chunk_count: 1,
        chunks_done: 0,
        status: UploadStatus::Uploading,
        post_id: None,
    };
    let id = store.save_upload(&u).unwrap();
    u.id = Some(id);
    let found = store
        .upload_candidates(PlatformId::Tiktok, "default", "fp")
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].upload, u);
    let first = found[0].clone();

    u.file_hash = Some("abc".into());
    u.chunks_done = 1;
    u.status = UploadStatus::Complete;
    u.post_id = Some("v9".into());
    u.upload_url = None;
    assert_eq!(store.save_upload(&u).unwrap(), id, "updated in place");
    let second = store
        .upload(PlatformId::Tiktok, "default", "abc")
        .unwrap()
        .unwrap();
    assert_eq!(second.upload, u);
    assert_eq!(second.created_at, first.created_at);
    assert_eq!(
        store.upload(PlatformId::Tiktok, "other", "abc").unwrap(),
        None
    );
    assert!(
        store
            .upload_candidates(PlatformId::Tiktok, "default", "other")
            .unwrap()
            .is_empty()
    );

    // --force: a new entry with the same hash replaces the old one.
    let again = Upload {
        id: None,
        publish_id: Some("p2".into()),
        status: UploadStatus::Uploading,
        post_id: None,
        ..u.clone()
    };
    assert_eq!(
        store.save_upload(&again).unwrap(),
        id,
        "one row per file and account"
    );
    let third = store
        .upload(PlatformId::Tiktok, "default", "abc")
        .unwrap()
        .unwrap();
    assert_eq!(third.upload.publish_id.as_deref(), Some("p2"));

    // Another row claiming the same hash is refused (two runs uploading one file).
    let mut rival = Upload {
        id: None,
        file_hash: None,
        ..again.clone()
    };
    rival.id = Some(store.save_upload(&rival).unwrap());
    rival.file_hash = Some("abc".into());
    assert!(store.save_upload(&rival).is_err());
}

both_backends! {
    the_ledger_round_trips: |db| ledger_story(&db);
}

#[test]
fn a_file_replaced_mid_upload_fails_in_one_line_instead_of_going_out_mixed() {
    let (env, fake) = connected();
    let file = video(&env, "clip.mp4", 11 * MIB);
    // Another program saves a new version over the path while chunk 1 is out.
    let replacement = video(&env, "other.mp4", 11 * MIB + 7);
    let (from, to) = (replacement.clone(), file.clone());
    fake.on_first_chunk(move || std::fs::rename(&from, &to).unwrap());
    let run = upload(&env, &fake, &file, &["--chunk-size", CHUNK]);
    run.error_naming(1, &["changed while it was being uploaded"]);
    let p = &fake.publishes()[0];
    assert!(p.chunks < 3, "the upload stopped: {:?}", p.ranges);
    assert!(p.sha256.is_none(), "no mixed file was completed");

    // Rewritten in place (same inode), the same.
    let (env, fake) = connected();
    let file = video(&env, "clip.mp4", 11 * MIB);
    let target = file.clone();
    fake.on_first_chunk(move || {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&target)
            .unwrap();
        f.write_all(b"edited").unwrap();
        f.set_modified(std::time::SystemTime::UNIX_EPOCH).unwrap();
    });
    upload(&env, &fake, &file, &["--chunk-size", CHUNK])
        .error_naming(1, &["changed while it was being uploaded"]);
}
