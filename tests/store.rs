//! The store conformance suite: every test here runs on SQLite, on PostgreSQL, and on
//! PostgreSQL over TLS (verify-full), against the same `Store` trait, so the backends cannot
//! drift apart and TLS changes nothing but the transport.

use chrono::{DateTime, Duration, TimeZone, Utc};
use socialcrm::store::model::*;
use socialcrm::store::{Batch, Store, StoreError};
use socialcrm::vocab::PlatformId;

use crate::support::TestDb;
use crate::support::both_backends;

/// Declares `mod name { fn sqlite(); fn postgres() }` running `body` on a migrated store.
macro_rules! on_both_backends {
    ($(fn $name:ident($db:ident, $store:ident) $body:block)*) => {$(
        mod $name {
            use super::*;

            fn body($db: &TestDb, $store: &mut dyn Store) $body

            #[test]
            fn sqlite() {
                let db = TestDb::sqlite();
                let mut store = db.open();
                store.migrate().unwrap();
                body(&db, store.as_mut());
            }

            #[test]
            fn postgres() {
                let Some(db) = TestDb::postgres() else { return };
                let mut store = db.open();
                store.migrate().unwrap();
                body(&db, store.as_mut());
            }

            #[test]
            fn postgres_tls() {
                let Some(db) = TestDb::postgres_tls() else { return };
                let mut store = db.open();
                store.migrate().unwrap();
                body(&db, store.as_mut());
            }
        }
    )*};
}

fn t(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
}

fn fan(platform: &str, id: &str, username: &str) -> Fan {
    Fan {
        platform: platform.parse().unwrap(),
        platform_user_id: id.into(),
        account: "main".into(),
        username: Some(username.into()),
        first_seen_at: Some(t(1, 0)),
        last_seen_at: Some(t(1, 0)),
        source: "csv".into(),
        ..Fan::default()
    }
}

fn message(id: &str, fan: &str, sent: DateTime<Utc>, body: &str) -> Message {
    Message {
        platform: PlatformId::Onlyfans,
        account: "main".into(),
        platform_message_id: id.into(),
        fan_platform_user_id: Some(fan.into()),
        direction: "in".into(),
        kind: "dm".into(),
        body: Some(body.into()),
        sent_at: sent,
        ..Message::default()
    }
}

fn audit(id: &str, at: DateTime<Utc>, action: &str) -> AuditEntry {
    AuditEntry {
        event_id: id.into(),
        at,
        actor: "ops@host".into(),
        action: action.into(),
        platform: Some(PlatformId::Tiktok),
        account: Some("main".into()),
        outcome: "ok".into(),
        detail: Some(format!("{action} detail")),
    }
}

fn connection() -> Connection {
    Connection {
        platform: PlatformId::Tiktok,
        account: "main".into(),
        platform_user_id: Some("open-1".into()),
        username: Some("creator".into()),
        scopes: Some("user.info.basic video.list".into()),
        status: ConnectionStatus::Active,
        token_expires_at: Some(t(2, 0)),
        secret_ref: Some("socialcrm/tiktok/main".into()),
        connected_at: Some(t(1, 0)),
        last_sync_at: None,
    }
}

fn counts(inserted: u64, updated: u64, unchanged: u64) -> UpsertCounts {
    UpsertCounts {
        inserted,
        updated,
        unchanged,
    }
}

fn rows(store: &mut dyn Store, table: &str) -> i64 {
    store
        .table_counts()
        .unwrap()
        .into_iter()
        .find(|c| c.table == table)
        .and_then(|c| c.rows)
        .unwrap()
}

/// The one relationship of the fan `user` on `platform`.
fn relationship(store: &mut dyn Store, platform: &str, user: &str) -> FanRow {
    let fan = store
        .find_fan(&FanSelector::OnPlatform {
            platform: platform.parse().unwrap(),
            user: user.into(),
        })
        .unwrap()
        .unwrap();
    let mut all = store.fan_relationships(fan.id).unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> i64) -> Vec<i64> {
    items.iter().map(id).collect()
}

on_both_backends! {
    fn migrations_run_twice(_db, store) {
        assert_eq!(store.schema_version().unwrap(), store.latest_version());
        assert_eq!(store.migrate().unwrap(), Vec::<i64>::new());
        store.ensure_current().unwrap();
        let tables = store.table_counts().unwrap();
        assert_eq!(tables.len(), socialcrm::store::tables::TABLES.len());
        for table in ["fan_accounts", "uploads", "secrets", "webhook_replays", "fan_tags", "fan_notes", "segments", "people", "person_links"] {
            assert!(tables.iter().any(|t| t.table == table), "{table} missing from {tables:?}");
        }
        assert!(tables.iter().all(|t| t.rows == Some(0)), "{tables:?}");
    }

    fn a_newer_schema_is_refused(db, store) {
        db.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', CURRENT_TIMESTAMP)");
        for result in [store.ensure_current(), store.migrate().map(|_| ())] {
            match result {
                Err(StoreError::NewerSchema { found: 999, supported, .. }) => {
                    assert_eq!(supported, store.latest_version())
                }
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
    }

    fn every_table_upserts_idempotently(_db, store) {
        let conn = [connection()];
        assert_eq!(store.upsert(Batch::Connections(&conn)).unwrap(), counts(1, 0, 0));
        assert_eq!(store.upsert(Batch::Connections(&conn)).unwrap(), counts(0, 0, 1));
        let connection_id = store.list_connections().unwrap()[0].id;

        let fans = [fan("onlyfans", "1", "anna"), fan("tiktok", "1", "bo")];
        let messages = [message("m1", "1", t(3, 0), "hi"), message("m2", "1", t(3, 1), "hey")];
        let posts = [Post {
            platform: PlatformId::Tiktok,
            platform_post_id: "v1".into(),
            account: Some("main".into()),
            caption: Some("first".into()),
            url: Some("https://www.tiktok.com/@creator/video/v1".into()),
            media_type: Some("video".into()),
            published_at: Some(t(1, 0)),
            view_count: Some(10),
            like_count: Some(2),
            comment_count: Some(0),
            share_count: None,
            metrics_at: Some(t(2, 0)),
        }];
        let events = [AnalyticsEvent {
            platform: PlatformId::Tiktok,
            account: "main".into(),
            subject_type: "account".into(),
            subject_id: "open-1".into(),
            metric: "follower_count".into(),
            period: "snapshot".into(),
            period_start: t(2, 0),
            value: 1234.0,
            unit: Some("count".into()),
            fan_platform_user_id: None,
        }];
        let states = [SyncState {
            connection_id,
            stream: "videos".into(),
            cursor: Some("c1".into()),
            high_water_mark: Some(t(2, 0)),
        }];
        let runs = [SyncRun {
            run_id: "run-1".into(),
            connection_id: Some(connection_id),
            stream: Some("videos".into()),
            started_at: t(2, 0),
            status: RunStatus::Running,
            rows_read: 0,
            rows_written: 0,
            host: Some("cron-1".into()),
            ..SyncRun::default()
        }];
        let entries = [audit("e1", t(2, 0), "sync")];

        let batches = [
            (Batch::Fans(&fans), "fans", 2),
            (Batch::Messages(&messages), "messages", 2),
            (Batch::Posts(&posts), "posts", 1),
            (Batch::Analytics(&events), "analytics_events", 1),
            (Batch::SyncStates(&states), "sync_state", 1),
            (Batch::SyncRuns(&runs), "sync_runs", 1),
            (Batch::Audit(&entries), "audit_log", 1),
        ];
        for (batch, table, n) in batches {
            assert_eq!(store.upsert(batch).unwrap(), counts(n, 0, 0), "{table} first write");
            assert_eq!(store.upsert(batch).unwrap(), counts(0, 0, n), "{table} second write");
            assert_eq!(rows(store, table), n as i64, "{table} rows");
        }

        // A changed value updates in place.
        let mut post = posts[0].clone();
        post.view_count = Some(99);
        post.metrics_at = Some(t(3, 0));
        assert_eq!(store.upsert(Batch::Posts(&[post])).unwrap(), counts(0, 1, 0));
        let mut event = events[0].clone();
        event.value = 1300.0;
        assert_eq!(store.upsert(Batch::Analytics(&[event.clone()])).unwrap(), counts(0, 1, 0));
        event.period_start = t(3, 0);
        assert_eq!(store.upsert(Batch::Analytics(&[event])).unwrap(), counts(1, 0, 0));
        let mut run = runs[0].clone();
        run.status = RunStatus::Succeeded;
        run.finished_at = Some(t(2, 1));
        run.rows_written = 7;
        assert_eq!(store.upsert(Batch::SyncRuns(&[run])).unwrap(), counts(0, 1, 0));
        assert_eq!(rows(store, "sync_runs"), 1);
    }

    fn fans_merge_what_each_source_knows(_db, store) {
        let mut first = fan("onlyfans", "42", "anna");
        first.display_name = Some("Anna".into());
        first.first_seen_at = Some(t(5, 0));
        first.last_seen_at = Some(t(5, 0));
        store.upsert(Batch::Fans(&[first])).unwrap();

        let mut later = fan("onlyfans", "42", "anna_new");
        later.display_name = None;
        later.first_seen_at = Some(t(3, 0));
        later.last_seen_at = Some(t(9, 0));
        later.lifetime_spend_cents = Some(123_450);
        later.source = "dm".into();
        assert_eq!(store.upsert(Batch::Fans(&[later])).unwrap(), counts(0, 1, 0));

        let row = relationship(store, "onlyfans", "42");
        assert_eq!(row.fan.username.as_deref(), Some("anna_new"));
        assert_eq!(row.fan.display_name.as_deref(), Some("Anna"), "a missing value keeps the known one");
        assert_eq!(row.fan.first_seen_at, Some(t(3, 0)), "first seen is the earliest");
        assert_eq!(row.fan.last_seen_at, Some(t(9, 0)), "last seen is the latest");
        assert_eq!(row.fan.lifetime_spend_cents, Some(123_450));
        assert_eq!(row.fan.source, "csv", "the first source is kept");
        assert_eq!(row.revision, 2);
    }

    fn bulk_batches_merge_like_row_by_row_writes(_db, store) {
        // Large enough for the backends' bulk paths (PostgreSQL: COPY to a staging table), with
        // a key repeated inside the batch, which one INSERT ... ON CONFLICT cannot take twice.
        let mut fans: Vec<Fan> = (0..300).map(|i| fan("onlyfans", &format!("b{i}"), &format!("bulk_{i}"))).collect();
        let mut repeat = fan("onlyfans", "b7", "bulk_7_renamed");
        repeat.first_seen_at = Some(t(1, 0) - Duration::days(1));
        repeat.last_seen_at = Some(t(9, 0));
        repeat.lifetime_spend_cents = Some(500);
        fans.insert(150, repeat);
        assert_eq!(store.upsert(Batch::Fans(&fans)).unwrap(), counts(300, 1, 0));
        let b7 = relationship(store, "onlyfans", "b7");
        assert_eq!(b7.fan.username.as_deref(), Some("bulk_7_renamed"));
        assert_eq!((b7.fan.first_seen_at, b7.fan.last_seen_at), (Some(t(1, 0) - Duration::days(1)), Some(t(9, 0))));
        assert_eq!(b7.fan.lifetime_spend_cents, Some(500));
        assert_eq!(b7.revision, 2);

        // The same batch again: the repeated key is written twice in order, so b7 ends as the
        // row-by-row path leaves it, and only the second write of b7 changes it.
        assert_eq!(store.upsert(Batch::Fans(&fans)).unwrap(), counts(0, 2, 299));
        fans[3].status = Some("expired".into());
        fans[299].lifetime_spend_cents = Some(1);
        assert_eq!(store.upsert(Batch::Fans(&fans)).unwrap(), counts(0, 4, 297));
        assert_eq!(rows(store, "fans"), 300);
    }

    fn fans_list_in_id_order_a_page_at_a_time(_db, store) {
        let fans: Vec<Fan> = (0..25)
            .map(|i| {
                let mut f = fan(if i % 5 == 0 { "tiktok" } else { "onlyfans" }, &format!("u{i}"), &format!("User_{i}"));
                f.last_seen_at = Some(t(1, 0) + Duration::hours(i));
                f
            })
            .collect();
        store.upsert(Batch::Fans(&fans)).unwrap();

        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store.list_fans(&FanQuery { page: Page { limit: 10, after }, ..FanQuery::default() }).unwrap();
            if page.is_empty() {
                break;
            }
            assert!(page.len() <= 10);
            after = page.last().map(|f| f.relationship_id);
            seen.extend(ids(&page, |f| f.relationship_id));
        }
        assert_eq!(seen.len(), 25);
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "ascending ids, no overlap: {seen:?}");

        let all = FanQuery { page: Page { limit: 100, after: None }, ..FanQuery::default() };
        let tiktok = store.list_fans(&FanQuery { platform: Some(PlatformId::Tiktok), ..all.clone() }).unwrap();
        assert_eq!(tiktok.len(), 5);
        let search = store.list_fans(&FanQuery { search: Some("user_1".into()), ..all.clone() }).unwrap();
        assert_eq!(search.len(), 11, "User_1 and User_10..19, case-insensitively");
        let literal = store.list_fans(&FanQuery { search: Some("r%1".into()), ..all.clone() }).unwrap();
        assert!(literal.is_empty(), "% in a search is a literal character");
        let window = store
            .list_fans(&FanQuery { since: Some(t(1, 5)), until: Some(t(1, 10)), ..all })
            .unwrap();
        assert_eq!(window.iter().map(|f| f.fan.platform_user_id.as_str()).collect::<Vec<_>>(), ["u5", "u6", "u7", "u8", "u9"]);
    }

    fn messages_list_by_time_with_their_fan(_db, store) {
        store.upsert(Batch::Fans(&[fan("onlyfans", "f1", "anna")])).unwrap();
        let messages: Vec<Message> = (0..7)
            .map(|i| message(&format!("m{i}"), if i < 4 { "f1" } else { "f2" }, t(10, 0) - Duration::hours(i), &format!("Body {i}")))
            .collect();
        store.upsert(Batch::Messages(&messages)).unwrap();

        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store.list_messages(&MessageQuery { page: Page { limit: 3, after }, ..MessageQuery::default() }).unwrap();
            if page.is_empty() {
                break;
            }
            after = page.last().map(|m| m.id);
            seen.extend(page);
        }
        let times: Vec<_> = seen.iter().map(|m| m.message.sent_at).collect();
        assert_eq!(times.len(), 7);
        assert!(times.windows(2).all(|w| w[0] < w[1]), "oldest first: {times:?}");
        assert_eq!(seen.last().unwrap().fan_username.as_deref(), Some("anna"));
        assert_eq!(seen.first().unwrap().fan_username, None, "f2 is not a known fan");

        let anna = relationship(store, "onlyfans", "@ANNA");
        assert_eq!(anna.message_count, 4);
        let hers = store
            .list_messages(&MessageQuery { page: Page { limit: 50, after: None }, fan_platform_user_id: Some("f1".into()), search: Some("body 2".into()), ..MessageQuery::default() })
            .unwrap();
        assert_eq!(hers.len(), 1);
    }

    fn audit_lists_by_time(_db, store) {
        let entries: Vec<AuditEntry> = (0..5).map(|i| audit(&format!("e{i}"), t(20, 0) - Duration::hours(i), if i % 2 == 0 { "sync" } else { "connect" })).collect();
        store.upsert(Batch::Audit(&entries)).unwrap();
        let first = store.list_audit(&AuditQuery { page: Page { limit: 2, after: None }, ..AuditQuery::default() }).unwrap();
        let rest = store.list_audit(&AuditQuery { page: Page { limit: 10, after: first.last().map(|e| e.id) }, ..AuditQuery::default() }).unwrap();
        let ids: Vec<_> = first.iter().chain(&rest).map(|e| e.entry.event_id.as_str()).collect();
        assert_eq!(ids, ["e4", "e3", "e2", "e1", "e0"]);
        let syncs = store.list_audit(&AuditQuery { page: Page { limit: 10, after: None }, action: Some("sync".into()), ..AuditQuery::default() }).unwrap();
        assert_eq!(syncs.len(), 3);
        let searched = store.list_audit(&AuditQuery { page: Page { limit: 10, after: None }, search: Some("CONNECT DET".into()), ..AuditQuery::default() }).unwrap();
        assert_eq!(searched.len(), 2);
    }

    fn sync_state_can_be_reset(_db, store) {
        store.upsert(Batch::Connections(&[connection()])).unwrap();
        let id = store.list_connections().unwrap()[0].id;
        let mut state = SyncState { connection_id: id, stream: "videos".into(), cursor: Some("c1".into()), high_water_mark: None };
        store.upsert(Batch::SyncStates(&[state.clone()])).unwrap();
        state.cursor = None;
        assert_eq!(store.upsert(Batch::SyncStates(&[state.clone()])).unwrap(), counts(0, 1, 0));
        assert_eq!(store.sync_state(id, "videos").unwrap(), Some(state));
        assert_eq!(store.sync_state(id, "other").unwrap(), None);
    }

    fn purging_an_account_deletes_only_its_data(_db, store) {
        store.upsert(Batch::Connections(&[connection()])).unwrap();
        let id = store.list_connections().unwrap()[0].id;
        let c = connection();
        let event = |account: &str| AnalyticsEvent {
            platform: c.platform,
            account: account.into(),
            subject_type: "account".into(),
            subject_id: "x".into(),
            metric: "follower_count".into(),
            period: "snapshot".into(),
            period_start: t(2, 0),
            value: 1.0,
            unit: None,
            fan_platform_user_id: None,
        };
        store.upsert(Batch::Analytics(&[event(&c.account), event("other")])).unwrap();
        store.upsert(Batch::SyncStates(&[SyncState { connection_id: id, stream: "videos".into(), cursor: None, high_water_mark: None }])).unwrap();
        store.upsert(Batch::Fans(&[fan(c.platform.name(), "f1", "a"), fan("onlyfans", "f2", "b")])).unwrap();

        // f1 is also known to another tiktok account: its identity outlives the purge.
        let mut shared = fan(c.platform.name(), "f1", "a");
        shared.account = "other".into();
        store.upsert(Batch::Fans(&[fan(c.platform.name(), "f3", "c"), shared])).unwrap();
        let mut tiktok_message = message("m1", "f1", t(3, 0), "hi");
        tiktok_message.platform = c.platform;
        store.upsert(Batch::Messages(&[tiktok_message.clone(), Message { account: "other".into(), ..tiktok_message }])).unwrap();

        let purged = store.purge_account(c.platform, &c.account, id).unwrap();
        let n = |table: &str| purged.iter().find(|t| t.table == table).and_then(|t| t.rows);
        assert_eq!(
            (n("analytics_events"), n("sync_state"), n("fan_accounts"), n("messages"), n("fans")),
            (Some(1), Some(1), Some(2), Some(1), Some(1)),
            "{purged:?}"
        );
        assert_eq!(rows(store, "analytics_events"), 1, "the other account's events stay");
        assert_eq!(rows(store, "messages"), 1, "the other account's message stays");
        assert_eq!(rows(store, "fans"), 2, "f1 (known to `other`) and the onlyfans fan stay; f3 goes");
        let f1 = relationship(store, c.platform.name(), "f1");
        assert_eq!(f1.fan.account, "other");
    }
}

/// `db migrate` promises safety from several hosts at once: racing migrations apply each
/// version exactly once and neither fails.
fn racing_migrations_apply_once(db: &TestDb) {
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let target = db.target.clone();
            std::thread::spawn(move || socialcrm::store::open(&target).unwrap().migrate().unwrap())
        })
        .collect();
    let mut applied: Vec<i64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    applied.sort();
    let mut store = db.open();
    let versions: Vec<i64> = socialcrm::store::migrations()[0]
        .1
        .iter()
        .map(|m| m.version)
        .collect();
    assert_eq!(applied, versions, "each version applied once in all");
    assert_eq!(store.schema_version().unwrap(), store.latest_version());
}

both_backends! {
    racing_migrations_apply_once: |db| racing_migrations_apply_once(&db);
}
