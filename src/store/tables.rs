//! Each table's contract: its key and merge rules (for the upsert) and how its rows decode.
//!
//! This is the one place that lists columns; the migrations of both backends create exactly
//! these, and the conformance tests in `tests/store.rs` hold both to them.

use super::StoreError;
use super::model::*;
use super::sql::{Merge, UpsertSpec};
use super::value::{Row, Value};

/// Every table of the data model, in the order `db status` prints them.
pub const TABLES: [&str; 21] = [
    "platform_connections",
    "fans",
    "fan_accounts",
    "messages",
    "posts",
    "analytics_events",
    "sync_state",
    "sync_runs",
    "audit_log",
    "uploads",
    "secrets",
    "webhook_replays",
    "fan_tags",
    "fan_notes",
    "segments",
    "people",
    "person_links",
    "person_decisions",
    "person_rejections",
    "tracking_links",
    "fan_contacts",
];

/// A record that can be written with its table's upsert.
pub trait Upsert {
    /// The table's key and merge rules, shared by every record of the type.
    fn spec() -> &'static UpsertSpec;
    /// Key columns then `spec().columns`, in order.
    fn params(&self) -> Vec<Value>;
}

/// A fan's identity: who they are on the platform, whatever accounts know them.
pub const FANS: UpsertSpec = UpsertSpec {
    table: "fans",
    key: &["platform", "platform_user_id"],
    columns: &[("username", Merge::Prefer), ("display_name", Merge::Prefer)],
};

/// A fan's relationship with one account (schema v11).
pub const FAN_ACCOUNTS: UpsertSpec = UpsertSpec {
    table: "fan_accounts",
    key: &["platform", "platform_user_id", "account"],
    columns: &[
        ("status", Merge::Prefer),
        ("subscribed_at", Merge::Prefer),
        ("first_seen_at", Merge::Min),
        ("last_seen_at", Merge::Max),
        // What the source says the lifetime spend is; the store reads back the larger of it
        // and the sum of the fan's payments to this account as lifetime_spend_cents (v9, v11).
        ("exported_spend_cents", Merge::Prefer),
        ("currency", Merge::Prefer),
        ("source", Merge::Keep),
        ("referral", Merge::Prefer),
    ],
};

/// What an identity's profile shares (schema v21): all key, so a value is written once and a
/// later sync that sees it again changes nothing.
pub const FAN_CONTACTS: UpsertSpec = UpsertSpec {
    table: "fan_contacts",
    key: &["kind", "value", "platform", "platform_user_id"],
    columns: &[],
};

/// A fan record is written as its relationship ([`FAN_ACCOUNTS`], this impl) and its identity
/// ([`Fan::identity_params`] with [`FANS`]): `generic.rs` upserts both from one batch.
impl Upsert for Fan {
    fn spec() -> &'static UpsertSpec {
        &FAN_ACCOUNTS
    }
    fn params(&self) -> Vec<Value> {
        vec![
            (&self.platform).into(),
            (&self.platform_user_id).into(),
            (&self.account).into(),
            (&self.status).into(),
            self.subscribed_at.into(),
            self.first_seen_at.into(),
            self.last_seen_at.into(),
            self.lifetime_spend_cents.into(),
            (&self.currency).into(),
            (&self.source).into(),
            (&self.referral).into(),
        ]
    }
}

impl Fan {
    /// The rows of the identity's contacts, in [`FAN_CONTACTS`] order.
    pub fn contact_params(&self) -> impl Iterator<Item = Vec<Value>> + '_ {
        self.contacts.iter().map(|c| {
            vec![
                c.kind.as_str().into(),
                (&c.value).into(),
                (&self.platform).into(),
                (&self.platform_user_id).into(),
            ]
        })
    }

    /// The values of the fan's identity row, in [`FANS`] order.
    pub fn identity_params(&self) -> Vec<Value> {
        vec![
            (&self.platform).into(),
            (&self.platform_user_id).into(),
            (&self.username).into(),
            (&self.display_name).into(),
        ]
    }
}

/// DMs and comments: a body or reference an earlier write gave is kept when a later one
/// lacks it (an export without bodies after a sync with them).
pub const MESSAGES: UpsertSpec = UpsertSpec {
    table: "messages",
    key: &["platform", "account", "platform_message_id"],
    columns: &[
        ("fan_platform_user_id", Merge::Prefer),
        ("direction", Merge::Replace),
        ("kind", Merge::Replace),
        ("body", Merge::Prefer),
        ("sent_at", Merge::Replace),
        ("thread_ref", Merge::Prefer),
        ("post_ref", Merge::Prefer),
    ],
};

impl Upsert for Message {
    fn spec() -> &'static UpsertSpec {
        &MESSAGES
    }
    fn params(&self) -> Vec<Value> {
        vec![
            (&self.platform).into(),
            (&self.account).into(),
            (&self.platform_message_id).into(),
            (&self.fan_platform_user_id).into(),
            (&self.direction).into(),
            (&self.kind).into(),
            (&self.body).into(),
            self.sent_at.into(),
            (&self.thread_ref).into(),
            (&self.post_ref).into(),
        ]
    }
}

/// Posts: the latest metrics replace the old (their history is in `analytics_events`); what
/// a later read lacks (a caption, a URL) keeps what an earlier one gave.
pub const POSTS: UpsertSpec = UpsertSpec {
    table: "posts",
    key: &["platform", "platform_post_id"],
    columns: &[
        ("account", Merge::Prefer),
        ("caption", Merge::Prefer),
        ("url", Merge::Prefer),
        ("media_type", Merge::Prefer),
        ("published_at", Merge::Prefer),
        ("view_count", Merge::Prefer),
        ("like_count", Merge::Prefer),
        ("comment_count", Merge::Prefer),
        ("share_count", Merge::Prefer),
        ("metrics_at", Merge::Max),
    ],
};

impl Upsert for Post {
    fn spec() -> &'static UpsertSpec {
        &POSTS
    }
    fn params(&self) -> Vec<Value> {
        vec![
            (&self.platform).into(),
            (&self.platform_post_id).into(),
            (&self.account).into(),
            (&self.caption).into(),
            (&self.url).into(),
            (&self.media_type).into(),
            self.published_at.into(),
            self.view_count.into(),
            self.like_count.into(),
            self.comment_count.into(),
            self.share_count.into(),
            self.metrics_at.into(),
        ]
    }
}

/// One point of a metric's series: re-syncing the same period replaces the value instead of
/// adding a point.
pub const ANALYTICS_EVENTS: UpsertSpec = UpsertSpec {
    table: "analytics_events",
    key: &[
        "platform",
        "account",
        "subject_type",
        "subject_id",
        "metric",
        "period",
        "period_start",
    ],
    columns: &[
        ("value", Merge::Replace),
        ("unit", Merge::Prefer),
        ("fan_platform_user_id", Merge::Prefer),
    ],
};

impl Upsert for AnalyticsEvent {
    fn spec() -> &'static UpsertSpec {
        &ANALYTICS_EVENTS
    }
    fn params(&self) -> Vec<Value> {
        vec![
            (&self.platform).into(),
            (&self.account).into(),
            (&self.subject_type).into(),
            (&self.subject_id).into(),
            (&self.metric).into(),
            (&self.period).into(),
            self.period_start.into(),
            self.value.into(),
            (&self.unit).into(),
            (&self.fan_platform_user_id).into(),
        ]
    }
}

/// A connected account, one per (platform, account): connecting again updates it.
pub const PLATFORM_CONNECTIONS: UpsertSpec = UpsertSpec {
    table: "platform_connections",
    key: &["platform", "account"],
    columns: &[
        ("platform_user_id", Merge::Prefer),
        ("username", Merge::Prefer),
        ("scopes", Merge::Prefer),
        ("status", Merge::Replace),
        ("token_expires_at", Merge::Prefer),
        ("secret_ref", Merge::Prefer),
        ("connected_at", Merge::Prefer),
        ("last_sync_at", Merge::Max),
    ],
};

impl Upsert for Connection {
    fn spec() -> &'static UpsertSpec {
        &PLATFORM_CONNECTIONS
    }
    fn params(&self) -> Vec<Value> {
        vec![
            (&self.platform).into(),
            (&self.account).into(),
            (&self.platform_user_id).into(),
            (&self.username).into(),
            (&self.scopes).into(),
            self.status.as_str().into(),
            self.token_expires_at.into(),
            (&self.secret_ref).into(),
            self.connected_at.into(),
            self.last_sync_at.into(),
        ]
    }
}

/// A stream's resume point, written in the transaction of the page it follows.
pub const SYNC_STATE: UpsertSpec = UpsertSpec {
    table: "sync_state",
    key: &["connection_id", "stream"],
    // Replace, not Prefer: `sync --full` resets a cursor to NULL.
    columns: &[
        ("cursor", Merge::Replace),
        ("high_water_mark", Merge::Replace),
    ],
};

impl Upsert for SyncState {
    fn spec() -> &'static UpsertSpec {
        &SYNC_STATE
    }
    fn params(&self) -> Vec<Value> {
        vec![
            self.connection_id.into(),
            (&self.stream).into(),
            (&self.cursor).into(),
            self.high_water_mark.into(),
        ]
    }
}

/// A run's outcome: written when it starts and again when it ends; the start (connection,
/// stream, time, host) is never rewritten.
pub const SYNC_RUNS: UpsertSpec = UpsertSpec {
    table: "sync_runs",
    key: &["run_id"],
    columns: &[
        ("connection_id", Merge::Keep),
        ("stream", Merge::Keep),
        ("started_at", Merge::Keep),
        ("finished_at", Merge::Replace),
        ("status", Merge::Replace),
        ("rows_read", Merge::Replace),
        ("rows_written", Merge::Replace),
        ("error", Merge::Replace),
        ("host", Merge::Keep),
    ],
};

impl Upsert for SyncRun {
    fn spec() -> &'static UpsertSpec {
        &SYNC_RUNS
    }
    fn params(&self) -> Vec<Value> {
        vec![
            (&self.run_id).into(),
            self.connection_id.into(),
            (&self.stream).into(),
            self.started_at.into(),
            self.finished_at.into(),
            self.status.as_str().into(),
            self.rows_read.into(),
            self.rows_written.into(),
            (&self.error).into(),
            (&self.host).into(),
        ]
    }
}

/// Who did what when: what happened is kept as first written, only the outcome and detail
/// may be completed later.
pub const AUDIT_LOG: UpsertSpec = UpsertSpec {
    table: "audit_log",
    key: &["event_id"],
    columns: &[
        ("at", Merge::Keep),
        ("actor", Merge::Keep),
        ("action", Merge::Keep),
        ("platform", Merge::Keep),
        ("account", Merge::Keep),
        ("outcome", Merge::Replace),
        ("detail", Merge::Replace),
    ],
};

impl Upsert for AuditEntry {
    fn spec() -> &'static UpsertSpec {
        &AUDIT_LOG
    }
    fn params(&self) -> Vec<Value> {
        vec![
            (&self.event_id).into(),
            self.at.into(),
            (&self.actor).into(),
            (&self.action).into(),
            (&self.platform).into(),
            (&self.account).into(),
            (&self.outcome).into(),
            (&self.detail).into(),
        ]
    }
}

/// An OnlyFans tracking link's figures for one period (schema v17). A newer export of the same
/// period updates them; a column a later file lacks keeps what an earlier one gave.
pub const TRACKING_LINKS: UpsertSpec = UpsertSpec {
    table: "tracking_links",
    key: &["account", "link_key", "period"],
    columns: &[
        ("name", Merge::Prefer),
        ("url", Merge::Replace),
        ("period_start", Merge::Replace),
        ("period_end", Merge::Replace),
        ("clicks", Merge::Prefer),
        ("subscribers", Merge::Prefer),
        ("revenue_cents", Merge::Prefer),
        ("currency", Merge::Prefer),
        ("link_created_at", Merge::Prefer),
    ],
};

impl Upsert for TrackingLink {
    fn spec() -> &'static UpsertSpec {
        &TRACKING_LINKS
    }
    fn params(&self) -> Vec<Value> {
        vec![
            (&self.account).into(),
            (&self.link_key).into(),
            (&self.period).into(),
            (&self.name).into(),
            (&self.url).into(),
            self.period_start.into(),
            self.period_end.into(),
            self.clicks.into(),
            self.subscribers.into(),
            self.revenue_cents.into(),
            (&self.currency).into(),
            self.link_created_at.into(),
        ]
    }
}

/// A `fan_accounts` row joined with its identity: the identity's `fan_id`, `username` and
/// `display_name` next to the relationship's columns.
pub fn fan_row(r: &Row) -> Result<FanRow, StoreError> {
    Ok(FanRow {
        id: r.i64("fan_id")?,
        relationship_id: r.i64("id")?,
        fan: Fan {
            platform: r.platform("platform")?,
            platform_user_id: r.text("platform_user_id")?,
            account: r.text("account")?,
            username: r.opt_text("username")?,
            display_name: r.opt_text("display_name")?,
            status: r.opt_text("status")?,
            subscribed_at: r.opt_time("subscribed_at")?,
            first_seen_at: r.opt_time("first_seen_at")?,
            last_seen_at: r.opt_time("last_seen_at")?,
            lifetime_spend_cents: r.opt_i64("lifetime_spend_cents")?,
            currency: r.opt_text("currency")?,
            source: r.text("source")?,
            referral: r.opt_text("referral")?,
            contacts: Vec::new(),
        },
        message_count: r.i64("message_count")?,
        revision: r.i64("revision")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

/// A `fans` row (the identity alone).
pub fn fan_identity_row(r: &Row) -> Result<FanIdentity, StoreError> {
    Ok(FanIdentity {
        id: r.i64("id")?,
        platform: r.platform("platform")?,
        platform_user_id: r.text("platform_user_id")?,
        username: r.opt_text("username")?,
        display_name: r.opt_text("display_name")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

/// A `messages` row with the fan's `fan_username` (NULL when the fan is not known yet).
pub fn message_row(r: &Row) -> Result<MessageRow, StoreError> {
    Ok(MessageRow {
        id: r.i64("id")?,
        message: Message {
            platform: r.platform("platform")?,
            account: r.text("account")?,
            platform_message_id: r.text("platform_message_id")?,
            fan_platform_user_id: r.opt_text("fan_platform_user_id")?,
            direction: r.text("direction")?,
            kind: r.text("kind")?,
            body: r.opt_text("body")?,
            sent_at: r.time("sent_at")?,
            thread_ref: r.opt_text("thread_ref")?,
            post_ref: r.opt_text("post_ref")?,
        },
        fan_username: r.opt_text("fan_username")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

/// An `audit_log` row.
pub fn audit_row(r: &Row) -> Result<AuditRow, StoreError> {
    Ok(AuditRow {
        id: r.i64("id")?,
        entry: AuditEntry {
            event_id: r.text("event_id")?,
            at: r.time("at")?,
            actor: r.text("actor")?,
            action: r.text("action")?,
            platform: r.opt_platform("platform")?,
            account: r.opt_text("account")?,
            outcome: r.text("outcome")?,
            detail: r.opt_text("detail")?,
        },
    })
}

/// A `platform_connections` row; a status this version does not know is a decode error.
pub fn connection_row(r: &Row) -> Result<ConnectionRow, StoreError> {
    Ok(ConnectionRow {
        id: r.i64("id")?,
        connection: Connection {
            platform: r.platform("platform")?,
            account: r.text("account")?,
            platform_user_id: r.opt_text("platform_user_id")?,
            username: r.opt_text("username")?,
            scopes: r.opt_text("scopes")?,
            status: decoded(r, "status", ConnectionStatus::parse, "connection")?,
            token_expires_at: r.opt_time("token_expires_at")?,
            secret_ref: r.opt_text("secret_ref")?,
            connected_at: r.opt_time("connected_at")?,
            last_sync_at: r.opt_time("last_sync_at")?,
        },
        updated_at: r.time("updated_at")?,
    })
}

/// A status column's value as its enum: a name this version never writes is a decode error that
/// names it, never a silent default.
pub fn decoded<T>(
    r: &Row,
    column: &str,
    parse: fn(&str) -> Option<T>,
    what: &str,
) -> Result<T, StoreError> {
    let name = r.text(column)?;
    parse(&name).ok_or_else(|| StoreError::Decode(format!("{what} status '{name}' is not known")))
}

/// A `sync_runs` row joined with its connection's `platform` and `account` (NULL once the
/// connection is deleted).
pub fn sync_run_row(r: &Row) -> Result<SyncRunRow, StoreError> {
    Ok(SyncRunRow {
        id: r.i64("id")?,
        platform: r.opt_platform("platform")?,
        account: r.opt_text("account")?,
        run: SyncRun {
            run_id: r.text("run_id")?,
            connection_id: r.opt_i64("connection_id")?,
            stream: r.opt_text("stream")?,
            started_at: r.time("started_at")?,
            finished_at: r.opt_time("finished_at")?,
            status: decoded(r, "status", RunStatus::parse, "sync run")?,
            rows_read: r.i64("rows_read")?,
            rows_written: r.i64("rows_written")?,
            error: r.opt_text("error")?,
            host: r.opt_text("host")?,
        },
    })
}

/// An `analytics_events` row.
pub fn event_row(r: &Row) -> Result<AnalyticsEvent, StoreError> {
    Ok(AnalyticsEvent {
        platform: r.platform("platform")?,
        account: r.text("account")?,
        subject_type: r.text("subject_type")?,
        subject_id: r.text("subject_id")?,
        metric: r.text("metric")?,
        period: r.text("period")?,
        period_start: r.time("period_start")?,
        value: r.f64("value")?,
        unit: r.opt_text("unit")?,
        fan_platform_user_id: r.opt_text("fan_platform_user_id")?,
    })
}

/// A `posts` row's record, without the store's bookkeeping (see [`post_record_row`]).
pub fn post_row(r: &Row) -> Result<Post, StoreError> {
    Ok(Post {
        platform: r.platform("platform")?,
        platform_post_id: r.text("platform_post_id")?,
        account: r.opt_text("account")?,
        caption: r.opt_text("caption")?,
        url: r.opt_text("url")?,
        media_type: r.opt_text("media_type")?,
        published_at: r.opt_time("published_at")?,
        view_count: r.opt_i64("view_count")?,
        like_count: r.opt_i64("like_count")?,
        comment_count: r.opt_i64("comment_count")?,
        share_count: r.opt_i64("share_count")?,
        metrics_at: r.opt_time("metrics_at")?,
    })
}

/// A `sync_state` row.
pub fn sync_state_row(r: &Row) -> Result<SyncState, StoreError> {
    Ok(SyncState {
        connection_id: r.i64("connection_id")?,
        stream: r.text("stream")?,
        cursor: r.opt_text("cursor")?,
        high_water_mark: r.opt_time("high_water_mark")?,
    })
}

/// A `posts` row with its id, revision and times.
pub fn post_record_row(r: &Row) -> Result<PostRow, StoreError> {
    Ok(PostRow {
        id: r.i64("id")?,
        post: post_row(r)?,
        revision: r.i64("revision")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}
