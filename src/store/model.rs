//! The CRM's data model as plain Rust values: what commands write, what listings read.
//!
//! Write-side records (`Fan`, `Message`, ...) hold exactly the columns a caller supplies; the
//! key columns come first and together identify the row, so writing the same record twice is a
//! no-op. Read-side rows (`FanRow`, ...) add what the store keeps itself (id, timestamps) and what
//! it derives (a fan's message count). Serde names here are the stable JSON field names of
//! `--output json`.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A person on a platform (a follower, commenter, DM correspondent or subscriber) as one
/// account knows them. Written as two rows (schema v11): the identity in `fans`, key
/// (platform, platform_user_id), with the username and display name; and the relationship in
/// `fan_accounts`, key (platform, platform_user_id, account), with everything else. Two
/// creators sharing a fan keep their own status, dates and spend.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Fan {
    pub platform: String,
    pub platform_user_id: String,
    /// The local account (the creator) this relationship is with. Sync streams leave it empty
    /// and the sync engine writes the connection's account onto every fan and message of a
    /// page; imports take `--account`.
    pub account: String,
    pub username: Option<String>,
    pub display_name: Option<String>,
    /// Subscription or relationship status as the source reports it (active, expired, ...).
    pub status: Option<String>,
    /// When the fan subscribed, as an export says.
    pub subscribed_at: Option<DateTime<Utc>>,
    pub first_seen_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
    /// Lifetime spend in the currency's minor unit (cents), so sums are exact. Written: what the
    /// source says (a fans export's total). Read: the larger of that and the sum of the fan's
    /// payments (`Store::refresh_fan_spend`), so neither source undoes the other.
    pub lifetime_spend_cents: Option<i64>,
    pub currency: Option<String>,
    /// Where the fan was first seen: csv, follower, commenter, dm, ...
    pub source: String,
    /// Where the relationship says the fan came from: an export's referral or tracking-link
    /// column ("TikTok bio", a tracking link's name or URL). Evidence for `people suggest`.
    pub referral: Option<String>,
    /// What the identity's profile shares (an email, links), written with the fan and never
    /// read back with it: `people suggest` reads them as blocks of their own.
    #[serde(skip)]
    pub contacts: Vec<Contact>,
}

/// One thing an identity's profile shares, as `fan_contacts` stores it (schema v21).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Contact {
    pub kind: ContactKind,
    /// Normalised: an email lowercased, a link as tracking links are keyed, a profile as
    /// `<platform>:<normalised handle>`.
    pub value: String,
}

/// What a [`Contact`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContactKind {
    Email,
    Link,
    /// A link to a profile on a platform, naming its handle.
    Profile,
}

impl ContactKind {
    /// The kind a stored name is, if it is one.
    pub fn parse(name: &str) -> Option<ContactKind> {
        [ContactKind::Email, ContactKind::Link, ContactKind::Profile]
            .into_iter()
            .find(|k| k.as_str() == name)
    }

    /// The stored name (`fan_contacts.kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            ContactKind::Email => "email",
            ContactKind::Link => "link",
            ContactKind::Profile => "profile",
        }
    }
}

impl Fan {
    /// An identity alone, no relationship, names or times: what a restored identity or an
    /// import's fan starts from, so that a field added to `Fan` is defaulted in one place.
    pub fn seen_nowhere(platform: String, platform_user_id: String) -> Fan {
        Fan {
            platform,
            platform_user_id,
            account: String::new(),
            username: None,
            display_name: None,
            status: None,
            subscribed_at: None,
            first_seen_at: None,
            last_seen_at: None,
            lifetime_spend_cents: None,
            currency: None,
            source: String::new(),
            referral: None,
            contacts: Vec::new(),
        }
    }

    /// A person an API showed at `at` (a commenter, a correspondent): no status, spend or
    /// display name, first and last seen then.
    pub fn seen(
        platform: &str,
        id: &str,
        username: Option<String>,
        source: &str,
        at: DateTime<Utc>,
    ) -> Fan {
        Fan {
            platform: platform.into(),
            platform_user_id: id.into(),
            account: String::new(),
            username,
            display_name: None,
            status: None,
            subscribed_at: None,
            first_seen_at: Some(at),
            last_seen_at: Some(at),
            lifetime_spend_cents: None,
            currency: None,
            source: source.into(),
            referral: None,
            contacts: Vec::new(),
        }
    }
}

/// A DM or comment. Key: (platform, account, platform_message_id): OnlyFans export message ids
/// are numbered per creator's export, and a DM between two connected accounts is in both
/// inboxes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Message {
    pub platform: String,
    /// The local account whose inbox or posts the message is in (see [`Fan::account`]).
    pub account: String,
    pub platform_message_id: String,
    /// The fan's platform_user_id; the fan row may arrive later, so this is not a foreign key.
    pub fan_platform_user_id: Option<String>,
    /// `in` (from the fan) or `out` (from the creator).
    pub direction: String,
    /// `dm`, `ppv` (a paid message), `comment` or `mention`.
    pub kind: String,
    pub body: Option<String>,
    pub sent_at: DateTime<Utc>,
    pub thread_ref: Option<String>,
    pub post_ref: Option<String>,
}

impl Message {
    /// A message an API or a webhook showed, sent by the account (`outgoing`) or to it: no
    /// fan, body, thread or post, and no account (a sync stream leaves that to the engine,
    /// which writes the connection's): what an adapter's message starts from, so that a field
    /// added to `Message` is defaulted in one place.
    pub fn exchanged(
        platform: &str,
        id: String,
        kind: &str,
        outgoing: bool,
        sent_at: DateTime<Utc>,
    ) -> Message {
        Message {
            platform: platform.into(),
            account: String::new(),
            platform_message_id: id,
            fan_platform_user_id: None,
            direction: if outgoing { "out" } else { "in" }.into(),
            kind: kind.into(),
            body: None,
            sent_at,
            thread_ref: None,
            post_ref: None,
        }
    }
}

/// A video, media item, submission or tweet with its latest public metrics.
/// Key: (platform, platform_post_id). The fields are in the order of `posts list`'s CSV
/// columns, which are [`PostRow`]'s serialised fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Post {
    pub platform: String,
    pub platform_post_id: String,
    pub account: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub media_type: Option<String>,
    pub view_count: Option<i64>,
    pub like_count: Option<i64>,
    pub comment_count: Option<i64>,
    pub share_count: Option<i64>,
    pub metrics_at: Option<DateTime<Utc>>,
    pub caption: Option<String>,
    pub url: Option<String>,
}

/// An OnlyFans tracking link's figures for one period, as an export gave them (schema v17).
/// Key: (account, link_key, period).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackingLink {
    /// The creator whose link it is (the local account name of the import).
    pub account: String,
    /// The URL normalised for matching (`platforms::onlyfans::links::normalize`).
    pub link_key: String,
    /// `all` for lifetime totals, else `<start>/<end>` of the export's period.
    pub period: String,
    pub name: Option<String>,
    /// The URL as the export wrote it.
    pub url: String,
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: Option<DateTime<Utc>>,
    pub clicks: Option<i64>,
    pub subscribers: Option<i64>,
    pub revenue_cents: Option<i64>,
    pub currency: Option<String>,
    pub link_created_at: Option<DateTime<Utc>>,
}

/// Which tracking-link figures `insights attribution` and the report read.
#[derive(Debug, Clone, Default)]
pub struct AttributionQuery {
    pub account: Option<String>,
    /// With either bound, only the per-period rows whose period starts in `[since, until)`
    /// count; without both, every link's lifetime row, or the sum of its periods when the
    /// exports gave periods only.
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl AttributionQuery {
    pub fn ranged(&self) -> bool {
        self.since.is_some() || self.until.is_some()
    }
}

/// One tracking link's figures summed over the rows an [`AttributionQuery`] reads.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkFigures {
    pub account: String,
    pub link_key: String,
    pub name: Option<String>,
    pub url: String,
    pub clicks: i64,
    pub subscribers: i64,
    pub revenue_cents: i64,
    pub currency: Option<String>,
}

/// One point of a metric's time series. Key: every field but `value` and `unit`, so re-syncing
/// the same period overwrites instead of duplicating.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalyticsEvent {
    pub platform: String,
    /// Local account name; empty for events not tied to a connection (CSV imports).
    pub account: String,
    /// `account`, `post`, `fan` or `transaction`.
    pub subject_type: String,
    pub subject_id: String,
    pub metric: String,
    /// `lifetime`, `day`, `snapshot`, ...
    pub period: String,
    pub period_start: DateTime<Utc>,
    pub value: f64,
    pub unit: Option<String>,
    /// The fan the event belongs to, where it is one fan's (an OnlyFans payment).
    pub fan_platform_user_id: Option<String>,
}

/// A connected account. Key: (platform, account).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Connection {
    pub platform: String,
    pub account: String,
    pub platform_user_id: Option<String>,
    pub username: Option<String>,
    /// Space-separated scopes granted.
    pub scopes: Option<String>,
    /// Whether the tokens may be used.
    pub status: ConnectionStatus,
    pub token_expires_at: Option<DateTime<Utc>>,
    /// Where the tokens are kept (a keychain entry name, never the token itself).
    pub secret_ref: Option<String>,
    pub connected_at: Option<DateTime<Utc>>,
    pub last_sync_at: Option<DateTime<Utc>>,
}

/// A stream's resume point. Key: (connection_id, stream).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncState {
    pub connection_id: i64,
    pub stream: String,
    pub cursor: Option<String>,
    pub high_water_mark: Option<DateTime<Utc>>,
}

/// One sync of one connection. Key: run_id (chosen by the worker, so a retried write of the
/// same run updates it).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncRun {
    pub run_id: String,
    pub connection_id: Option<i64>,
    pub stream: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// How the run ended, or that it is still going.
    pub status: RunStatus,
    pub rows_read: i64,
    pub rows_written: i64,
    pub error: Option<String>,
    pub host: Option<String>,
}

/// Who did what when. Key: event_id (so a retried write is not recorded twice). Never holds a
/// secret: `detail` is built from redacted values only.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AuditEntry {
    pub event_id: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub platform: Option<String>,
    pub account: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
}

/// What an upsert batch did, row by row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UpsertCounts {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl UpsertCounts {
    /// Counts one written row by the revision the upsert returned (1: it is new).
    pub fn count_revision(&mut self, revision: i64) {
        if revision == 1 {
            self.inserted += 1;
        } else {
            self.updated += 1;
        }
    }
}

impl std::ops::Add for UpsertCounts {
    type Output = Self;
    fn add(mut self, o: Self) -> Self {
        self += o;
        self
    }
}

impl std::ops::AddAssign for UpsertCounts {
    fn add_assign(&mut self, o: Self) {
        self.inserted += o.inserted;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
    }
}

/// One fan relationship (fan x account), as `fans list` lists them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FanRow {
    /// The fan's identity id: `fans show <id>`.
    pub id: i64,
    /// The relationship's id: what `fans list --after` takes.
    pub relationship_id: i64,
    #[serde(flatten)]
    pub fan: Fan,
    /// Messages and comments from or to this fan in this account's inbox and posts, counted
    /// live (the relationship's interactions).
    pub message_count: i64,
    /// The relationship's revision and times.
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A fan's identity: one person on one platform, whatever accounts know them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FanIdentity {
    pub id: i64,
    pub platform: String,
    pub platform_user_id: String,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How `fans list` orders relationships. Rows without the value (NULL) sort as the lowest:
/// first in ascending order, last with `desc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FanSort {
    /// The relationship id: the order relationships were first recorded in.
    #[default]
    Id,
    /// Lifetime spend.
    Spend,
    LastSeen,
    FirstSeen,
    Username,
}

impl FanSort {
    pub fn as_str(self) -> &'static str {
        match self {
            FanSort::Id => "id",
            FanSort::Spend => "spend",
            FanSort::LastSeen => "last-seen",
            FanSort::FirstSeen => "first-seen",
            FanSort::Username => "username",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MessageRow {
    pub id: i64,
    #[serde(flatten)]
    pub message: Message,
    /// The fan's username when the fan is known.
    pub fan_username: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AuditRow {
    pub id: i64,
    #[serde(flatten)]
    pub entry: AuditEntry,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ConnectionRow {
    pub id: i64,
    #[serde(flatten)]
    pub connection: Connection,
    pub updated_at: DateTime<Utc>,
}

/// Filters and page of a listing. `after` is the id of the last row of the previous page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub limit: u32,
    pub after: Option<i64>,
}

/// The filters and order of `fans list` (and of a segment's definition): every filter is a
/// plain field, all of them combined with AND. `page.after` is the `relationship_id` of the
/// last row of the previous page listed with the same filters and order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FanQuery {
    pub page: Page,
    pub platform: Option<String>,
    /// Only relationships with this local account (creator).
    pub account: Option<String>,
    /// Only this relationship status (as stored: lowercase for OnlyFans exports).
    pub status: Option<String>,
    /// Lifetime spend at least this many cents (of whatever currency the relationship has).
    pub min_spend_cents: Option<i64>,
    /// Lifetime spend at most this many cents.
    pub max_spend_cents: Option<i64>,
    /// Case-insensitive substring of username, display name or platform user id.
    pub search: Option<String>,
    /// Seen (last_seen_at) at or after.
    pub since: Option<DateTime<Utc>>,
    /// Seen (last_seen_at) before.
    pub until: Option<DateTime<Utc>>,
    /// Only relationships whose fan carries every one of these (normalised) tags, for the
    /// relationship's account or for every account.
    pub tags: Vec<String>,
    /// Only the members of this built-in segment (saved segments are turned into the fields
    /// above before the store sees them).
    pub builtin: Option<BuiltinSegment>,
    /// The order; `None` picks it from the filters ([`FanQuery::order`]).
    pub sort: Option<FanSort>,
    /// Descending order.
    pub desc: bool,
}

impl FanQuery {
    /// The order rows come in: `sort`, or with none given the order whose index serves the
    /// filters — by spend for a spend range and the whales segment, by first seen for the
    /// new segment, by last seen for `since`/`until` and the cold segment, else by id —
    /// so a selective range is read from its index instead of filtering every row.
    pub fn order(&self) -> FanSort {
        if let Some(sort) = self.sort {
            return sort;
        }
        // A built-in segment is a range of spend (whales), last seen (cold) or first seen
        // (new): read it from that index, in its order.
        match self.builtin {
            Some(BuiltinSegment::Whales) => return FanSort::Spend,
            Some(BuiltinSegment::Cold) => return FanSort::LastSeen,
            Some(BuiltinSegment::New) => return FanSort::FirstSeen,
            None => {}
        }
        if self.min_spend_cents.is_some() || self.max_spend_cents.is_some() {
            FanSort::Spend
        } else if self.since.is_some() || self.until.is_some() {
            FanSort::LastSeen
        } else {
            FanSort::Id
        }
    }
}

/// The segments socialcrm defines itself, evaluated live against the clock ([`crate::clock`]).
/// Each is judged per account (the creator): a fan shared by two creators is a whale of one
/// and not of the other. Spend is `lifetime_spend_cents`; "paying" means spend > 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BuiltinSegment {
    /// In each account, the paying fans whose spend is at least the k-th highest, where k is
    /// 1% of the account's paying fans rounded up (ties at the threshold all count).
    Whales,
    /// First seen within the last 7 days.
    New,
    /// Spend at least the account's median (the lower median over its paying fans) and last
    /// seen more than 30 days ago.
    Cold,
}

/// Which spend a built-in segment compares each account's fans with: the k-th highest of its
/// paying fans, k being 1% of them rounded up (whales), or their lower median (cold).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpendRank {
    TopPercent,
    LowerMedian,
}

impl BuiltinSegment {
    /// The spend threshold the segment is judged by, per account (none for `new`).
    pub fn spend_rank(self) -> Option<SpendRank> {
        match self {
            BuiltinSegment::Whales => Some(SpendRank::TopPercent),
            BuiltinSegment::Cold => Some(SpendRank::LowerMedian),
            BuiltinSegment::New => None,
        }
    }

    pub const ALL: [BuiltinSegment; 3] = [
        BuiltinSegment::Whales,
        BuiltinSegment::New,
        BuiltinSegment::Cold,
    ];
    /// Days for `new`.
    pub const NEW_DAYS: i64 = 7;
    /// Days without activity for `cold`.
    pub const COLD_DAYS: i64 = 30;

    pub fn name(self) -> &'static str {
        match self {
            BuiltinSegment::Whales => "whales",
            BuiltinSegment::New => "new",
            BuiltinSegment::Cold => "cold",
        }
    }

    pub fn parse(name: &str) -> Option<BuiltinSegment> {
        Self::ALL.into_iter().find(|b| b.name() == name)
    }

    /// The definition in words, as `segments list` shows it.
    pub fn describe(self) -> &'static str {
        match self {
            BuiltinSegment::Whales => {
                "built in: top 1% of each account's paying fans by lifetime spend (ceil(1%) of them, ties included)"
            }
            BuiltinSegment::New => "built in: first seen within the last 7 days",
            BuiltinSegment::Cold => {
                "built in: lifetime spend at least the account's median (lower median of paying fans), last seen more than 30 days ago"
            }
        }
    }
}

/// A tag on a fan. `account` None: for every account; Some: for that creator only.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FanTag {
    pub tag: String,
    pub account: Option<String>,
    pub operator: String,
    pub created_at: DateTime<Utc>,
}

/// A note on a fan: append-only, with who wrote it when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FanNote {
    pub id: i64,
    pub account: Option<String>,
    pub body: String,
    pub operator: String,
    pub created_at: DateTime<Utc>,
}

/// A saved segment: a name and its filter, stored as JSON (the application's
/// `SegmentFilter`), evaluated live.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentRow {
    pub id: i64,
    pub name: String,
    pub definition: String,
    pub operator: String,
    pub created_at: DateTime<Utc>,
}

/// What erasing a fan does to one saved segment's definition (the application reads the
/// definition; the store applies the answer inside the erasure's transaction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SegmentScrub {
    /// The definition does not name the fan.
    Keep,
    /// The definition with what named the fan taken out.
    Rewrite(String),
    /// Nothing is left of the definition once what named the fan is out: the segment goes.
    Delete,
}

#[derive(Debug, Clone, Default)]
pub struct MessageQuery {
    pub page: Page,
    pub platform: Option<String>,
    /// Only messages in this local account's inbox and posts.
    pub account: Option<String>,
    /// Case-insensitive substring of the body.
    pub search: Option<String>,
    /// Only messages with this fan (platform_user_id).
    pub fan_platform_user_id: Option<String>,
    pub direction: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Newest first (`fans show`'s latest messages).
    pub newest_first: bool,
}

#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub page: Page,
    pub platform: Option<String>,
    /// Case-insensitive substring of action, actor, account or detail.
    pub search: Option<String>,
    pub action: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// A sync run with the account it synced, for `sync --history`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncRunRow {
    pub id: i64,
    pub platform: Option<String>,
    pub account: Option<String>,
    #[serde(flatten)]
    pub run: SyncRun,
}

/// Which analytics events to read, oldest first.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    pub platform: Option<String>,
    /// Only events of these local account names (all when empty; `""` names CSV imports).
    pub accounts: Vec<String>,
    /// Only these metrics (all when empty).
    pub metrics: Vec<String>,
    /// period_start at or after.
    pub since: Option<DateTime<Utc>>,
    /// period_start before.
    pub until: Option<DateTime<Utc>>,
}

/// Posts by views (or engagement rate), highest first.
#[derive(Debug, Clone, Default)]
pub struct PostQuery {
    pub platform: Option<String>,
    /// Only posts of these local account names (all when empty).
    pub accounts: Vec<String>,
    /// Published at or after.
    pub since: Option<DateTime<Utc>>,
    /// Published before.
    pub until: Option<DateTime<Utc>>,
    pub limit: u32,
    pub rank: PostRank,
}

/// How [`PostQuery`] orders posts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PostRank {
    /// Most viewed first.
    #[default]
    Views,
    /// Highest (likes + comments + shares) / views first, among posts with at least
    /// [`ENGAGEMENT_MIN_VIEWS`] views (a post seen by three people is not a top post).
    EngagementRate,
}

/// The fewest views a post needs to rank by engagement rate.
pub const ENGAGEMENT_MIN_VIEWS: i64 = 100;

/// How a metric's series is grouped in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// One point per UTC day.
    Day,
    /// One point per week, starting on Monday (UTC).
    Week,
}

/// One metric over a period, aggregated in the database: the events of one (platform,
/// subject type, metric) summed per instant (so "view_count of posts" is the total over every
/// video at each sync), then read as a series of those sums.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricSummary {
    pub platform: String,
    pub subject_type: String,
    pub metric: String,
    /// An instant metric (a payment: period `instant`) rather than a snapshot (a level).
    pub flow: bool,
    /// How many distinct instants the period holds.
    pub points: i64,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    /// The sum at the first and at the last instant.
    pub first: f64,
    pub last: f64,
    /// The sum over the period.
    pub sum: f64,
    /// The unit the events carry (a currency for payments), when they say.
    pub unit: Option<String>,
}

/// One point of a metric's series per [`Bucket`]: for a flow the bucket's sum, for a level the
/// sum at the bucket's latest instant (the day's closing value).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricPoint {
    pub platform: String,
    pub subject_type: String,
    pub metric: String,
    pub flow: bool,
    /// The first day of the bucket.
    pub bucket: chrono::NaiveDate,
    pub value: f64,
}

/// The latest outcome of one stream of one connection, for the report's data health.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreamHealth {
    pub platform: String,
    pub account: String,
    pub stream: String,
    /// The latest run's status: succeeded, partial, failed, budget, deferred, skipped, ...
    pub status: String,
    pub started_at: DateTime<Utc>,
    pub error: Option<String>,
    /// When a run of this stream last succeeded, if ever.
    pub last_success_at: Option<DateTime<Utc>>,
}

/// A listing whose query plan [`Store::explain`](super::Store::explain) shows.
#[derive(Debug, Clone)]
pub enum Listing {
    Fans(FanQuery),
    Messages(MessageQuery),
    /// `fans show PLATFORM:@user`'s lookup by username.
    FanByName {
        platform: String,
        user: String,
    },
    /// `fans show`'s relationships of one fan.
    FanRelationships(i64),
    /// `people suggest`'s page of handle blocks after this stem.
    HandleBlocks(String),
    /// `people suggest`'s read of these blocks' members.
    BlockMembers(Vec<String>),
    /// `people list`.
    People(PersonQuery),
    /// The whales and cold segments' read of each account's spend buckets (schema v20), to
    /// find the bucket holding their thresholds.
    SpendBuckets,
    /// The step to a rank inside one account's spend bucket (here: the 4th of 10).
    SpendInBucket {
        account: String,
        bucket: i64,
    },
}

/// A post as the CRM keeps it: the record, its local id and the store's bookkeeping.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PostRow {
    pub id: i64,
    #[serde(flatten)]
    pub post: Post,
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What `posts list` orders by (then by id, the tiebreaker). A post without the value (never
/// published, a metric the platform does not give) sorts as the lowest value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PostSort {
    #[default]
    Published,
    Views,
    Likes,
    Comments,
    Shares,
}

impl PostSort {
    pub const ALL: [PostSort; 5] = [
        PostSort::Published,
        PostSort::Views,
        PostSort::Likes,
        PostSort::Comments,
        PostSort::Shares,
    ];

    /// The posts column sorted by.
    pub fn column(self) -> &'static str {
        match self {
            PostSort::Published => "published_at",
            PostSort::Views => "view_count",
            PostSort::Likes => "like_count",
            PostSort::Comments => "comment_count",
            PostSort::Shares => "share_count",
        }
    }
}

/// `posts list`: filters, order and page. `page.after` is the id of the last post shown.
#[derive(Debug, Clone, Default)]
pub struct PostListQuery {
    pub page: Page,
    pub platform: Option<String>,
    pub account: Option<String>,
    /// Published at or after.
    pub since: Option<DateTime<Utc>>,
    /// Published before.
    pub until: Option<DateTime<Utc>>,
    /// Case-insensitive substring of the caption.
    pub search: Option<String>,
    pub sort: PostSort,
    pub descending: bool,
}

/// How `posts show` names a post.
#[derive(Debug, Clone, PartialEq)]
pub enum PostSelector {
    Id(i64),
    OnPlatform { platform: String, post_id: String },
}

/// How `fans show` names a fan.
#[derive(Debug, Clone, PartialEq)]
pub enum FanSelector {
    Id(i64),
    /// A platform and either the platform user id or the username (with or without `@`).
    OnPlatform {
        platform: String,
        user: String,
    },
}

/// `db status`'s view of a database.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableCount {
    pub table: String,
    /// None when the table does not exist yet (database not migrated).
    pub rows: Option<i64>,
}

/// `db status`'s count of one table: exact, or PostgreSQL's estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableRows {
    pub table: String,
    /// None when the table does not exist yet (database not migrated).
    pub rows: Option<i64>,
    /// `rows` is the server's estimate (see [`crate::store::Store::table_rows`]), not a count.
    pub estimated: bool,
}

/// A row of `webhook_replays`: a recorded webhook delivery, known by `key` (the SHA-256 of its
/// body) until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookReplay {
    pub platform: String,
    pub key: String,
    pub expires_at: DateTime<Utc>,
}

/// A row of the `secrets` table: a token blob sealed by the `db` secrets backend, never plain
/// text. All three parts are base64 without padding; `kdf` names how the key was derived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRow {
    pub key: String,
    pub kdf: String,
    pub nonce: String,
    pub ciphertext: String,
}

/// One file's publish to one account: the ledger `upload` keeps so that a finished upload is
/// not posted twice and an interrupted one resumes. Key: (platform, account, file_hash).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Upload {
    /// The ledger row, once saved.
    #[serde(skip)]
    pub id: Option<i64>,
    pub platform: String,
    pub account: String,
    /// None while the file is still being hashed (a new file's first chunks go meanwhile).
    pub file_hash: Option<String>,
    /// SHA-256 of the size and the first and last MiB: finds candidates without reading the
    /// whole file.
    pub file_fingerprint: String,
    pub file_size: i64,
    pub publish_id: Option<String>,
    /// The platform's transfer URL for this publish; it carries a credential, so it is never
    /// printed or serialized.
    #[serde(skip)]
    pub upload_url: Option<String>,
    pub chunk_size: i64,
    pub chunk_count: i64,
    pub chunks_done: i64,
    pub status: UploadStatus,
    pub post_id: Option<String>,
}

/// A status column's values as an enum, decoded once where rows are read: its stored names
/// (`as_str`, [`Display`](std::fmt::Display), JSON), and `parse` for the store's decoder
/// (`None` for a name this version never writes).
macro_rules! stored_status {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            const ALL: &[$name] = &[$($name::$variant,)+];

            /// The name stored in the status column and shown in every output.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The status a stored name stands for; `None` for a name this version never writes.
            pub fn parse(name: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|s| s.as_str() == name)
            }
        }

        /// The first status listed: the one a new row starts in.
        impl Default for $name {
            fn default() -> Self {
                Self::ALL[0]
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// Compares with a stored name, so `status == "revoked"` reads as the column does.
        impl PartialEq<&str> for $name {
            fn eq(&self, name: &&str) -> bool {
                self.as_str() == *name
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

stored_status! {
    /// Where one ledger row stands (`uploads.status`).
    UploadStatus {
        /// Chunks are being sent.
        Uploading = "uploading",
        /// Everything is sent; the platform is working on it.
        Processing = "processing",
        /// Posted.
        Complete = "complete",
        /// The platform refused it, or a send failed.
        Failed = "failed",
    }
}

stored_status! {
    /// Whether a connection's tokens may be used (`platform_connections.status`).
    ConnectionStatus {
        /// Connected; the tokens work or can be refreshed.
        Active = "active",
        /// The grant is gone (refresh refused, secrets reset): `connect` again.
        NeedsReauth = "needs_reauth",
        /// Disconnected, or revoked at the platform; kept for its history.
        Revoked = "revoked",
    }
}

stored_status! {
    /// How one stream's sync run ended, or that it is still going (`sync_runs.status`).
    RunStatus {
        /// In progress (or its process died; a later run marks it abandoned).
        Running = "running",
        /// Read to the end.
        Succeeded = "succeeded",
        /// Failed after some pages were committed.
        Partial = "partial",
        /// Failed before any page was committed.
        Failed = "failed",
        /// Stopped by the run's read budget; the next run continues.
        Budget = "budget",
        /// Stopped by a rate limit or an outage; the next run continues.
        Deferred = "deferred",
        /// The app's access does not include the stream.
        Skipped = "skipped",
        /// Its sync died, and a later run took the account over.
        Abandoned = "abandoned",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UploadRow {
    pub id: i64,
    #[serde(flatten)]
    pub upload: Upload,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Who holds an account's sync, as its lease record says.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaseHolder {
    /// `host:pid:run`, as the holder wrote it.
    pub owner: String,
    pub since: Option<DateTime<Utc>>,
}

impl LeaseHolder {
    /// "host h, pid 12, since 2026-11-24T12:00:00Z", for the line that names the holder.
    pub fn describe(&self) -> String {
        let mut parts = self.owner.splitn(3, ':');
        let host = parts.next().filter(|h| !h.is_empty()).unwrap_or("?");
        let pid = parts.next().unwrap_or("?");
        let since = self
            .since
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_else(|| "?".into());
        format!("host {host}, pid {pid}, since {since}")
    }
}

/// What claiming an account for a sync came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// This worker holds the account until it releases it (or dies). `took_over`: the lease
    /// record of an earlier holder that died without giving it back, whose `abandoned` runs
    /// (`sync_runs` rows left `running`) were marked.
    Claimed {
        took_over: Option<LeaseHolder>,
        abandoned: u64,
    },
    /// A live sync holds it.
    Held(Option<LeaseHolder>),
    /// Another run gave it back after this run started: it was synced meanwhile.
    SyncedMeanwhile,
}

/// An operator's decision about the identity graph (schema v15): `link`, `unlink`, `accept`
/// (a suggestion) or `reject` (a suggested pair, never proposed again).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonDecision {
    pub action: String,
    /// `$SOCIALCRM_OPERATOR`, else the OS user.
    pub operator: String,
    /// The evidence the decision rested on, as JSON text (a suggestion's signals).
    pub evidence: Option<String>,
    pub note: Option<String>,
    pub decided_at: DateTime<Utc>,
}

/// What `Store::link_fans` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum LinkOutcome {
    /// The fans are one person now: `added` are the identities this decision linked (those
    /// already in the person are not), `created` when the person is new. No decision is
    /// recorded (`None`) when every fan already was in the person.
    Linked {
        person_id: i64,
        decision_id: Option<i64>,
        created: bool,
        added: Vec<i64>,
    },
    /// Some of the fans already belong to different people: nothing was written.
    Conflict { people: Vec<(i64, i64)> },
    /// A fan id names no fan: nothing was written.
    UnknownFan(i64),
}

/// What `Store::unlink_fan` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnlinkOutcome {
    pub person_id: i64,
    pub decision_id: i64,
    /// The fans that left the person: the one named and, when it was the last but one, the
    /// one left alone (a person of one identity is no person, so the link is undone whole).
    pub removed: Vec<i64>,
    /// The person is gone (it had no identity left to group).
    pub dissolved: bool,
}

/// A person as `people list` lists them: aggregates over the identities' relationships.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PersonRow {
    pub id: i64,
    /// Linked identities (fans).
    pub identities: i64,
    /// Distinct platforms of the identities.
    pub platforms: i64,
    /// The platforms' names, comma-separated in alphabetical order.
    pub platform_names: String,
    /// The identities' usernames, comma-separated in fan id order.
    pub usernames: String,
    /// Sum of the relationships' lifetime spend in cents (of `--account` only, when given).
    /// Currencies are not converted: `people show` sums per currency.
    pub spend_cents: Option<i64>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// How `people list` orders people (NULLs as the lowest value, see `store/keyset.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PersonSort {
    #[default]
    Id,
    Spend,
    LastSeen,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonQuery {
    pub page: Page,
    pub account: Option<String>,
    /// People seen on at least this many platforms.
    pub min_platforms: Option<i64>,
    pub sort: PersonSort,
    pub desc: bool,
}

/// A fan identity as suggestion scoring reads it: its names, normalised handle and stem, its
/// person if linked, and whether `--account` knows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateFan {
    pub id: i64,
    pub platform: String,
    pub platform_user_id: String,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub handle_key: Option<String>,
    pub handle_stem: Option<String>,
    pub person_id: Option<i64>,
    pub in_account: bool,
}

/// A fan as the blocking pass reads it: only what scoring compares, all of it held in the
/// stem index (schema v18), so that reading a block never touches the table's rows.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockFan {
    pub id: i64,
    pub platform: String,
    pub display_name: Option<String>,
    pub handle_key: Option<String>,
    pub handle_stem: Option<String>,
}

/// A contact value with the identity holding it, as `people suggest` reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactFan {
    pub contact_id: i64,
    pub kind: String,
    pub value: String,
    pub fan_id: i64,
    pub platform: String,
}

/// One relationship of a fan: the account that knows them and where it says they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct FanReferral {
    pub fan_id: i64,
    pub account: String,
    pub referral: Option<String>,
}

/// A message from a fan, read for the handles it names ("my OF is lilyfan").
#[derive(Debug, Clone, PartialEq)]
pub struct MentionSource {
    pub message_id: i64,
    pub fan_id: i64,
    pub platform: String,
    pub body: String,
}
