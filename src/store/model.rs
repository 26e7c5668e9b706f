//! The CRM's data model as plain Rust values: what commands write, what listings read.
//!
//! Write-side records (`Fan`, `Message`, ...) hold exactly the columns a caller supplies; the
//! key columns come first and together identify the row, so writing the same record twice is a
//! no-op. Read-side rows (`FanRow`, ...) add what the store keeps itself (id, timestamps) and what
//! it derives (a fan's message count). Serde names here are the stable JSON field names of
//! `--output json`. A platform is a [`PlatformId`]: stored and serialized as its name, decoded
//! where rows are read ([`Row::platform`](super::value::Row::platform)), so a name this
//! version does not know is a decode error there and never a string that flows on.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::vocab::PlatformId;

/// A person on a platform (a follower, commenter, DM correspondent or subscriber) as one
/// account knows them. Written as two rows (schema v11): the identity in `fans`, key
/// (platform, platform_user_id), with the username and display name; and the relationship in
/// `fan_accounts`, key (platform, platform_user_id, account), with everything else. Two
/// creators sharing a fan keep their own status, dates and spend.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Fan {
    /// With `platform_user_id`, the identity's key.
    pub platform: PlatformId,
    /// The platform's stable id for the person: the key, since usernames change.
    pub platform_user_id: String,
    /// The local account (the creator) this relationship is with. Sync streams leave it empty
    /// and the sync engine writes the connection's account onto every fan and message of a
    /// page; imports take `--account`.
    pub account: String,
    /// The handle as the platform last showed it (without `@`); it may change, the key does not.
    pub username: Option<String>,
    /// The shown name, when the source has one; evidence for `people suggest`.
    pub display_name: Option<String>,
    /// Subscription or relationship status as the source reports it (active, expired, ...).
    pub status: Option<String>,
    /// When the fan subscribed, as an export says.
    pub subscribed_at: Option<DateTime<Utc>>,
    /// The earliest time a source saw the fan; a later write never moves it forward.
    pub first_seen_at: Option<DateTime<Utc>>,
    /// The latest time a source saw the fan; what `cold` and `--since` read.
    pub last_seen_at: Option<DateTime<Utc>>,
    /// Lifetime spend in the currency's minor unit (cents), so sums are exact. Written: what the
    /// source says (a fans export's total). Read: the larger of that and the sum of the fan's
    /// payments (`Store::refresh_fan_spend`), so neither source undoes the other.
    pub lifetime_spend_cents: Option<i64>,
    /// ISO 4217 code of `lifetime_spend_cents`; spends in different currencies are never summed.
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
    /// Which of the three the value is; with `value`, what identities sharing it are matched on.
    pub kind: ContactKind,
    /// Normalised: an email lowercased, a link as tracking links are keyed, a profile as
    /// `<platform>:<normalised handle>`.
    pub value: String,
}

/// What a [`Contact`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContactKind {
    /// An email address the profile shows.
    Email,
    /// A link the profile shows (a link-in-bio page, a tracking link).
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
    pub fn seen_nowhere(platform: PlatformId, platform_user_id: String) -> Fan {
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
        platform: PlatformId,
        id: &str,
        username: Option<String>,
        source: &str,
        at: DateTime<Utc>,
    ) -> Fan {
        Fan {
            platform,
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
    /// Part of the key (see the struct).
    pub platform: PlatformId,
    /// The local account whose inbox or posts the message is in (see [`Fan::account`]).
    pub account: String,
    /// The platform's (or export's) id of the message; part of the key.
    pub platform_message_id: String,
    /// The fan's platform_user_id; the fan row may arrive later, so this is not a foreign key.
    pub fan_platform_user_id: Option<String>,
    /// `in` (from the fan) or `out` (from the creator).
    pub direction: String,
    /// `dm`, `ppv` (a paid message), `comment` or `mention`.
    pub kind: String,
    /// The text; `None` when the source gives none (a media-only DM, a redacted export row).
    pub body: Option<String>,
    /// When it was sent, as the source says; the order of `messages list` and timelines.
    pub sent_at: DateTime<Utc>,
    /// The conversation the message is in (a DM thread, X's `conversation_id`), when there is one.
    pub thread_ref: Option<String>,
    /// The post a comment or mention is on, as the platform's post id.
    pub post_ref: Option<String>,
}

impl Message {
    /// A message an API or a webhook showed, sent by the account (`outgoing`) or to it: no
    /// fan, body, thread or post, and no account (a sync stream leaves that to the engine,
    /// which writes the connection's): what an adapter's message starts from, so that a field
    /// added to `Message` is defaulted in one place.
    pub fn exchanged(
        platform: PlatformId,
        id: String,
        kind: &str,
        outgoing: bool,
        sent_at: DateTime<Utc>,
    ) -> Message {
        Message {
            platform,
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
    /// With `platform_post_id`, the key.
    pub platform: PlatformId,
    /// The platform's id of the post; part of the key.
    pub platform_post_id: String,
    /// The local account whose post it is; `None` for a post seen without a connection.
    pub account: Option<String>,
    /// When it went public; `None` for drafts and posts the platform gives no date for.
    pub published_at: Option<DateTime<Utc>>,
    /// The platform's word for the kind of post (video, reel, image, carousel, ...), as it says it.
    pub media_type: Option<String>,
    /// Views as of `metrics_at`; `None` when the platform does not give the figure.
    pub view_count: Option<i64>,
    /// Likes as of `metrics_at`.
    pub like_count: Option<i64>,
    /// Comments as of `metrics_at`.
    pub comment_count: Option<i64>,
    /// Shares (retweets, reposts) as of `metrics_at`.
    pub share_count: Option<i64>,
    /// When the counts were read: their history is in `analytics_events`, this is the latest.
    pub metrics_at: Option<DateTime<Utc>>,
    /// The post's text or title, as the platform gives it.
    pub caption: Option<String>,
    /// The public link to the post, when the platform gives one.
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
    /// The link's name in the export (the creator's label for it).
    pub name: Option<String>,
    /// The URL as the export wrote it.
    pub url: String,
    /// Start of the export's period; `None` for lifetime totals.
    pub period_start: Option<DateTime<Utc>>,
    /// End of the export's period (exclusive); `None` for lifetime totals.
    pub period_end: Option<DateTime<Utc>>,
    /// Clicks in the period, as the export counts them.
    pub clicks: Option<i64>,
    /// Subscribers the link brought in the period.
    pub subscribers: Option<i64>,
    /// Revenue the link brought in the period, in the currency's minor unit.
    pub revenue_cents: Option<i64>,
    /// ISO 4217 code of `revenue_cents`.
    pub currency: Option<String>,
    /// When the creator made the link, as the export says.
    pub link_created_at: Option<DateTime<Utc>>,
}

/// Which tracking-link figures `insights attribution` and the report read.
#[derive(Debug, Clone, Default)]
pub struct AttributionQuery {
    /// Only this creator's links; all of them when `None`.
    pub account: Option<String>,
    /// With either bound, only the per-period rows whose period starts in `[since, until)`
    /// count; without both, every link's lifetime row, or the sum of its periods when the
    /// exports gave periods only.
    pub since: Option<DateTime<Utc>>,
    /// The end of the range, exclusive (see `since`).
    pub until: Option<DateTime<Utc>>,
}

impl AttributionQuery {
    /// Whether a period was asked for: per-period rows are read instead of lifetime ones.
    pub fn ranged(&self) -> bool {
        self.since.is_some() || self.until.is_some()
    }
}

/// One tracking link's figures summed over the rows an [`AttributionQuery`] reads.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkFigures {
    /// The creator whose link it is.
    pub account: String,
    /// The normalised URL the link's rows share (see [`TrackingLink::link_key`]).
    pub link_key: String,
    /// The latest name the exports gave the link.
    pub name: Option<String>,
    /// The URL as an export wrote it.
    pub url: String,
    /// Clicks summed over the rows read.
    pub clicks: i64,
    /// Subscribers summed over the rows read.
    pub subscribers: i64,
    /// Revenue summed over the rows read, in the currency's minor unit.
    pub revenue_cents: i64,
    /// ISO 4217 code of `revenue_cents`, when the exports say.
    pub currency: Option<String>,
}

/// One point of a metric's time series. Key: every field but `value` and `unit`, so re-syncing
/// the same period overwrites instead of duplicating.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalyticsEvent {
    /// Part of the key.
    pub platform: PlatformId,
    /// Local account name; empty for events not tied to a connection (CSV imports).
    pub account: String,
    /// `account`, `post`, `fan` or `transaction`.
    pub subject_type: String,
    /// The id of the subject on the platform (the account's or post's id, a payment's id).
    pub subject_id: String,
    /// The metric's name as the platform (or export) calls it; renamed metrics stay separate series.
    pub metric: String,
    /// `lifetime`, `day`, `snapshot`, ...
    pub period: String,
    /// The start of the period the value covers (the instant of a payment, the day of a daily figure).
    pub period_start: DateTime<Utc>,
    /// The figure, as the source gives it (a payment in the currency's major unit).
    pub value: f64,
    /// What `value` is counted in (a currency code for payments), when the source says.
    pub unit: Option<String>,
    /// The fan the event belongs to, where it is one fan's (an OnlyFans payment).
    pub fan_platform_user_id: Option<String>,
}

/// A connected account. Key: (platform, account).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Connection {
    /// With `account`, the key.
    pub platform: PlatformId,
    /// The local account name (`--account`): the creator this connection belongs to.
    pub account: String,
    /// The platform's id of the connected user, once `connect` has asked who the token belongs to.
    pub platform_user_id: Option<String>,
    /// The connected user's handle, for `accounts`; it may change at the platform.
    pub username: Option<String>,
    /// Space-separated scopes granted.
    pub scopes: Option<String>,
    /// Whether the tokens may be used.
    pub status: ConnectionStatus,
    /// When the access token expires; refreshed ahead of it. `None` for tokens that do not expire.
    pub token_expires_at: Option<DateTime<Utc>>,
    /// Where the tokens are kept (a keychain entry name, never the token itself).
    pub secret_ref: Option<String>,
    /// When `connect` last succeeded for this account.
    pub connected_at: Option<DateTime<Utc>>,
    /// When a sync of this connection last finished, whatever its outcome.
    pub last_sync_at: Option<DateTime<Utc>>,
}

/// A stream's resume point. Key: (connection_id, stream).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncState {
    /// The `platform_connections` row whose stream this is.
    pub connection_id: i64,
    /// The stream's name (`videos`, `comments`, ...), as the adapter names it.
    pub stream: String,
    /// Where the pass under way goes on, and (X) the id mark of the last pass; see `sync`'s module docs.
    pub cursor: Option<String>,
    /// The newest item time of the last completed pass: where an incremental pass stops.
    pub high_water_mark: Option<DateTime<Utc>>,
}

/// One sync of one connection. Key: run_id (chosen by the worker, so a retried write of the
/// same run updates it).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncRun {
    /// A fresh id per run and stream, so the row can be written at start and again at the end.
    pub run_id: String,
    /// The connection synced; `None` once the connection is deleted (the history stays).
    pub connection_id: Option<i64>,
    /// The stream synced; `None` for a run that failed before any stream started.
    pub stream: Option<String>,
    /// When the run started.
    pub started_at: DateTime<Utc>,
    /// When it ended; `None` while it runs (or its process died).
    pub finished_at: Option<DateTime<Utc>>,
    /// How the run ended, or that it is still going.
    pub status: RunStatus,
    /// Items the platform returned.
    pub rows_read: i64,
    /// Rows written (inserted or changed): a re-sync of unchanged data writes none.
    pub rows_written: i64,
    /// The one-line reason a failed, partial, deferred or skipped run gives; never a secret.
    pub error: Option<String>,
    /// The host that ran the sync, to find who holds or left a lease.
    pub host: Option<String>,
}

/// Who did what when. Key: event_id (so a retried write is not recorded twice). Never holds a
/// secret: `detail` is built from redacted values only.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AuditEntry {
    /// Chosen by the writer so that a retried write of one event is one row.
    pub event_id: String,
    /// When the action happened.
    pub at: DateTime<Utc>,
    /// Who acted: the operator, a platform's webhook, the sync.
    pub actor: String,
    /// What was done (`connect`, `webhook`, `fans.delete`, ...), as `audit list --action` filters.
    pub action: String,
    /// The platform the action was about, if one.
    pub platform: Option<PlatformId>,
    /// The local account the action was about, if one.
    pub account: Option<String>,
    /// How it ended (`ok`, `failed`, `received`, ...).
    pub outcome: String,
    /// What else an operator needs to know, from redacted values only.
    pub detail: Option<String>,
}

/// What an upsert batch did, row by row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UpsertCounts {
    /// Rows that did not exist before.
    pub inserted: u64,
    /// Rows that existed and changed.
    pub updated: u64,
    /// Rows that existed with the same values: written nothing.
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
    /// The relationship and identity columns, flattened into the row's JSON.
    #[serde(flatten)]
    pub fan: Fan,
    /// Messages and comments from or to this fan in this account's inbox and posts, counted
    /// live (the relationship's interactions).
    pub message_count: i64,
    /// The relationship's revision and times.
    pub revision: i64,
    /// When the relationship was first written.
    pub created_at: DateTime<Utc>,
    /// When the relationship last changed (not merely re-written with the same values).
    pub updated_at: DateTime<Utc>,
}

/// A fan's identity: one person on one platform, whatever accounts know them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FanIdentity {
    /// What `fans show`, `fans tag` and `people link` take.
    pub id: i64,
    /// With `platform_user_id`, the identity's key.
    pub platform: PlatformId,
    /// The platform's stable id for the person.
    pub platform_user_id: String,
    /// The handle as the platform last showed it.
    pub username: Option<String>,
    /// The shown name, when a source has one.
    pub display_name: Option<String>,
    /// When the identity was first written.
    pub created_at: DateTime<Utc>,
    /// When its names last changed.
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
    /// When the fan was last seen.
    LastSeen,
    /// When the fan was first seen.
    FirstSeen,
    /// The username.
    Username,
}

impl FanSort {
    /// The name `--sort` takes and a saved segment stores.
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

/// A message as the CRM keeps it: the record with its local id, the fan's name and bookkeeping.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MessageRow {
    /// The message's local id: what `messages list --after` takes.
    pub id: i64,
    /// The record, flattened into the row's JSON.
    #[serde(flatten)]
    pub message: Message,
    /// The fan's username when the fan is known.
    pub fan_username: Option<String>,
    /// When the message was first written.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// An audit entry as `audit list` lists it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AuditRow {
    /// The local id, in the order entries were written: what `--after` takes.
    pub id: i64,
    /// The entry, flattened into the row's JSON.
    #[serde(flatten)]
    pub entry: AuditEntry,
}

/// A connection as `accounts` lists it, with its local id.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ConnectionRow {
    /// The local id: what sync state, sync runs and leases refer to.
    pub id: i64,
    /// The connection, flattened into the row's JSON.
    #[serde(flatten)]
    pub connection: Connection,
    /// When the row last changed (a refresh, a sync, a status change).
    pub updated_at: DateTime<Utc>,
}

/// Filters and page of a listing. `after` is the id of the last row of the previous page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// Rows per page, clamped to 1 ..= `PAGE_MAX` by the store.
    pub limit: u32,
    /// Exclusive: rows after this id in the listing's order.
    pub after: Option<i64>,
}

/// The filters and order of `fans list` (and of a segment's definition): every filter is a
/// plain field, all of them combined with AND. `page.after` is the `relationship_id` of the
/// last row of the previous page listed with the same filters and order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FanQuery {
    /// How many relationships, and after which.
    pub page: Page,
    /// Only relationships of fans on this platform.
    pub platform: Option<PlatformId>,
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
    /// Whales: the k-th highest spend, k = ceil(1% of the paying fans).
    TopPercent,
    /// Cold: the lower median spend of the paying fans.
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

    /// Every built-in segment, in the order `segments list` shows them.
    pub const ALL: [BuiltinSegment; 3] = [
        BuiltinSegment::Whales,
        BuiltinSegment::New,
        BuiltinSegment::Cold,
    ];
    /// Days for `new`.
    pub const NEW_DAYS: i64 = 7;
    /// Days without activity for `cold`.
    pub const COLD_DAYS: i64 = 30;

    /// The name a person types (`--segment whales`), reserved against saved segments.
    pub fn name(self) -> &'static str {
        match self {
            BuiltinSegment::Whales => "whales",
            BuiltinSegment::New => "new",
            BuiltinSegment::Cold => "cold",
        }
    }

    /// The built-in segment `name` names, if any.
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
    /// Normalised, so one tag typed two ways is one tag.
    pub tag: String,
    /// `None`: the tag holds for every account; else only for this creator.
    pub account: Option<String>,
    /// Who tagged the fan (`$SOCIALCRM_OPERATOR`, else the OS user).
    pub operator: String,
    /// When the tag was added.
    pub created_at: DateTime<Utc>,
}

/// A note on a fan: append-only, with who wrote it when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FanNote {
    /// The note's local id.
    pub id: i64,
    /// The creator the note is about the fan's relationship with; `None` for every account.
    pub account: Option<String>,
    /// The note's text, as written.
    pub body: String,
    /// Who wrote it.
    pub operator: String,
    /// When it was written; notes are never edited.
    pub created_at: DateTime<Utc>,
}

/// A saved segment: a name and its filter, stored as JSON (the application's
/// `SegmentFilter`), evaluated live.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentRow {
    /// The local id.
    pub id: i64,
    /// What `--segment NAME` takes; unique, and never a built-in segment's name.
    pub name: String,
    /// The filter as JSON; see the application's `SegmentFilter`.
    pub definition: String,
    /// Who saved it.
    pub operator: String,
    /// When it was saved.
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

/// The filters and page of `messages list` (and of `fans show`'s latest messages).
#[derive(Debug, Clone, Default)]
pub struct MessageQuery {
    /// How many messages, and after which id.
    pub page: Page,
    /// Only messages on this platform.
    pub platform: Option<PlatformId>,
    /// Only messages in this local account's inbox and posts.
    pub account: Option<String>,
    /// Case-insensitive substring of the body.
    pub search: Option<String>,
    /// Only messages with this fan (platform_user_id).
    pub fan_platform_user_id: Option<String>,
    /// Only `in` (from the fan) or `out` (from the creator).
    pub direction: Option<String>,
    /// Sent at or after.
    pub since: Option<DateTime<Utc>>,
    /// Sent before.
    pub until: Option<DateTime<Utc>>,
    /// Newest first (`fans show`'s latest messages).
    pub newest_first: bool,
}

/// The filters and page of `audit list`.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// How many entries, and after which id.
    pub page: Page,
    /// Only entries about this platform.
    pub platform: Option<PlatformId>,
    /// Case-insensitive substring of action, actor, account or detail.
    pub search: Option<String>,
    /// Only this action, exactly.
    pub action: Option<String>,
    /// At or after.
    pub since: Option<DateTime<Utc>>,
    /// Before.
    pub until: Option<DateTime<Utc>>,
}

/// A sync run with the account it synced, for `sync --history`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncRunRow {
    /// The run's local id: what `sync --history --after` takes.
    pub id: i64,
    /// The platform of the run's connection; `None` once the connection is deleted.
    pub platform: Option<PlatformId>,
    /// The local account of the run's connection; `None` once the connection is deleted.
    pub account: Option<String>,
    /// The run, flattened into the row's JSON.
    #[serde(flatten)]
    pub run: SyncRun,
}

/// Which analytics events to read, oldest first.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    /// Only events on this platform.
    pub platform: Option<PlatformId>,
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
    /// Only posts on this platform.
    pub platform: Option<PlatformId>,
    /// Only posts of these local account names (all when empty).
    pub accounts: Vec<String>,
    /// Published at or after.
    pub since: Option<DateTime<Utc>>,
    /// Published before.
    pub until: Option<DateTime<Utc>>,
    /// At most this many posts.
    pub limit: u32,
    /// The order.
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
    /// The platform the events are from.
    pub platform: PlatformId,
    /// What the events are about (`account`, `post`, `fan`, `transaction`).
    pub subject_type: String,
    /// The metric's name as the platform calls it.
    pub metric: String,
    /// An instant metric (a payment: period `instant`) rather than a snapshot (a level).
    pub flow: bool,
    /// How many distinct instants the period holds.
    pub points: i64,
    /// The first instant in the period.
    pub first_at: DateTime<Utc>,
    /// The last instant in the period.
    pub last_at: DateTime<Utc>,
    /// The sum at the first and at the last instant.
    pub first: f64,
    /// See `first`.
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
    /// The platform the events are from.
    pub platform: PlatformId,
    /// What the events are about (`account`, `post`, ...).
    pub subject_type: String,
    /// The metric's name as the platform calls it.
    pub metric: String,
    /// A flow (payments: summed per bucket) rather than a level (the bucket's closing value).
    pub flow: bool,
    /// The first day of the bucket.
    pub bucket: chrono::NaiveDate,
    /// The bucket's sum (a flow) or closing value (a level).
    pub value: f64,
}

/// The latest outcome of one stream of one connection, for the report's data health.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreamHealth {
    /// The connection's platform.
    pub platform: PlatformId,
    /// The connection's local account.
    pub account: String,
    /// The stream's name.
    pub stream: String,
    /// The latest run's status: succeeded, partial, failed, budget, deferred, skipped, ...
    pub status: String,
    /// When the latest run started.
    pub started_at: DateTime<Utc>,
    /// The latest run's one-line reason, when it did not succeed.
    pub error: Option<String>,
    /// When a run of this stream last succeeded, if ever.
    pub last_success_at: Option<DateTime<Utc>>,
}

/// A listing whose query plan [`Store::explain`](super::Store::explain) shows.
#[derive(Debug, Clone)]
pub enum Listing {
    /// `fans list`.
    Fans(FanQuery),
    /// `messages list`.
    Messages(MessageQuery),
    /// `fans show PLATFORM:@user`'s lookup by username.
    FanByName {
        /// The platform searched.
        platform: PlatformId,
        /// The username searched for, without `@`.
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
        /// The local account whose bucket it is.
        account: String,
        /// The bucket's number, as the spend buckets read returned it.
        bucket: i64,
    },
}

/// A post as the CRM keeps it: the record, its local id and the store's bookkeeping.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PostRow {
    /// The local id: what `posts show` and `posts list --after` take.
    pub id: i64,
    /// The record, flattened into the row's JSON.
    #[serde(flatten)]
    pub post: Post,
    /// Incremented by every write that changes the row: 1 means never changed since inserted.
    pub revision: i64,
    /// When the post was first written.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// What `posts list` orders by (then by id, the tiebreaker). A post without the value (never
/// published, a metric the platform does not give) sorts as the lowest value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PostSort {
    /// The publish time.
    #[default]
    Published,
    /// The latest view count.
    Views,
    /// The latest like count.
    Likes,
    /// The latest comment count.
    Comments,
    /// The latest share count.
    Shares,
}

impl PostSort {
    /// Every order, in the order `posts list --sort` offers them.
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
    /// How many posts, and after which.
    pub page: Page,
    /// Only posts on this platform.
    pub platform: Option<PlatformId>,
    /// Only posts of this local account.
    pub account: Option<String>,
    /// Published at or after.
    pub since: Option<DateTime<Utc>>,
    /// Published before.
    pub until: Option<DateTime<Utc>>,
    /// Case-insensitive substring of the caption.
    pub search: Option<String>,
    /// The order (then by id).
    pub sort: PostSort,
    /// Highest (or newest) first.
    pub descending: bool,
}

/// How `posts show` names a post.
#[derive(Debug, Clone, PartialEq)]
pub enum PostSelector {
    /// The post's local id.
    Id(i64),
    /// The platform's own post id, on that platform (`PLATFORM:ID`).
    OnPlatform {
        /// The platform the post is on.
        platform: PlatformId,
        /// The platform's id of the post.
        post_id: String,
    },
}

/// How `fans show` names a fan.
#[derive(Debug, Clone, PartialEq)]
pub enum FanSelector {
    /// The fan's local identity id.
    Id(i64),
    /// A platform and either the platform user id or the username (with or without `@`).
    OnPlatform {
        /// The platform the fan is on.
        platform: PlatformId,
        /// The platform user id, or the username (a leading `@` says which).
        user: String,
    },
}

/// `db status`'s view of a database.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableCount {
    /// The table, as `db status` and `export --table` name it.
    pub table: String,
    /// None when the table does not exist yet (database not migrated).
    pub rows: Option<i64>,
}

/// `db status`'s count of one table: exact, or PostgreSQL's estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableRows {
    /// The table, as `db status` and `export --table` name it.
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
    /// The platform whose webhook it was; replays are per platform.
    pub platform: PlatformId,
    /// SHA-256 of the body, hex: the same delivery twice is the same key.
    pub key: String,
    /// After this the key may be forgotten: a delivery this old fails its timestamp check anyway.
    pub expires_at: DateTime<Utc>,
}

/// A row of the `secrets` table: a token blob sealed by the `db` secrets backend, never plain
/// text. All three parts are base64 without padding; `kdf` names how the key was derived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRow {
    /// The secret's name (what a connection's `secret_ref` says), never the secret.
    pub key: String,
    /// How the sealing key was derived from the master key, so an old row stays readable.
    pub kdf: String,
    /// The AEAD nonce, fresh per seal.
    pub nonce: String,
    /// The sealed token blob, authenticated.
    pub ciphertext: String,
}

/// One file's publish to one account: the ledger `upload` keeps so that a finished upload is
/// not posted twice and an interrupted one resumes. Key: (platform, account, file_hash).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Upload {
    /// The ledger row, once saved.
    #[serde(skip)]
    pub id: Option<i64>,
    /// With `account` and `file_hash`, the key.
    pub platform: PlatformId,
    /// The local account it was published to.
    pub account: String,
    /// None while the file is still being hashed (a new file's first chunks go meanwhile).
    pub file_hash: Option<String>,
    /// SHA-256 of the size and the first and last MiB: finds candidates without reading the
    /// whole file.
    pub file_fingerprint: String,
    /// Bytes.
    pub file_size: i64,
    /// The platform's id of the publish in progress, to poll or resume it.
    pub publish_id: Option<String>,
    /// The platform's transfer URL for this publish; it carries a credential, so it is never
    /// printed or serialized.
    #[serde(skip)]
    pub upload_url: Option<String>,
    /// Bytes per chunk, as the platform was told; a resume keeps it.
    pub chunk_size: i64,
    /// Chunks the file is sent in.
    pub chunk_count: i64,
    /// Chunks the platform acknowledged: a resume starts after them.
    pub chunks_done: i64,
    /// Where the publish stands.
    pub status: UploadStatus,
    /// The platform's id of the published post, once it is complete.
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

/// A ledger row with its local id and the store's times.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UploadRow {
    /// The local id.
    pub id: i64,
    /// The ledger entry, flattened into the row's JSON.
    #[serde(flatten)]
    pub upload: Upload,
    /// When the publish started.
    pub created_at: DateTime<Utc>,
    /// When the row last changed.
    pub updated_at: DateTime<Utc>,
}

/// Who holds an account's sync, as its lease record says.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaseHolder {
    /// `host:pid:run`, as the holder wrote it.
    pub owner: String,
    /// When the holder took the lease, if it said.
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
        /// The lease record of an earlier holder that died, when this claim took its place.
        took_over: Option<LeaseHolder>,
        /// How many of its runs were marked `abandoned`.
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
    /// `link`, `unlink`, `accept` or `reject`.
    pub action: String,
    /// `$SOCIALCRM_OPERATOR`, else the OS user.
    pub operator: String,
    /// The evidence the decision rested on, as JSON text (a suggestion's signals).
    pub evidence: Option<String>,
    /// What the operator wrote with it, if anything.
    pub note: Option<String>,
    /// When the decision was made.
    pub decided_at: DateTime<Utc>,
}

/// What `Store::link_fans` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum LinkOutcome {
    /// The fans are one person now: `added` are the identities this decision linked (those
    /// already in the person are not), `created` when the person is new. No decision is
    /// recorded (`None`) when every fan already was in the person.
    Linked {
        /// The person the fans are now.
        person_id: i64,
        /// The decision recorded, if any (see the variant).
        decision_id: Option<i64>,
        /// Whether the person is new.
        created: bool,
        /// The fan ids this decision linked.
        added: Vec<i64>,
    },
    /// Some of the fans already belong to different people: nothing was written.
    Conflict {
        /// Each already linked fan with its person: `(fan id, person id)`.
        people: Vec<(i64, i64)>,
    },
    /// A fan id names no fan: nothing was written.
    UnknownFan(i64),
}

/// What `Store::unlink_fan` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnlinkOutcome {
    /// The person the fan left.
    pub person_id: i64,
    /// The `unlink` decision recorded.
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
    /// The person's local id: what `people show` takes.
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
    /// The latest time any of its identities was seen.
    pub last_seen_at: Option<DateTime<Utc>>,
    /// When the person was created (its first link).
    pub created_at: DateTime<Utc>,
}

/// How `people list` orders people (NULLs as the lowest value, see `store/keyset.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PersonSort {
    /// The person's id: the order people were created in.
    #[default]
    Id,
    /// Summed spend.
    Spend,
    /// Latest time any identity was seen.
    LastSeen,
}

/// The filters, order and page of `people list`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonQuery {
    /// How many people, and after which.
    pub page: Page,
    /// Only spend and identities known to this local account.
    pub account: Option<String>,
    /// People seen on at least this many platforms.
    pub min_platforms: Option<i64>,
    /// The order.
    pub sort: PersonSort,
    /// Highest (or latest) first.
    pub desc: bool,
}

/// A fan identity as suggestion scoring reads it: its names, normalised handle and stem, its
/// person if linked, and whether `--account` knows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateFan {
    /// The fan's local identity id.
    pub id: i64,
    /// The platform: two identities on one platform are never suggested as one person.
    pub platform: PlatformId,
    /// The platform's stable id for the fan.
    pub platform_user_id: String,
    /// The handle as the platform last showed it.
    pub username: Option<String>,
    /// The shown name, compared by the name signal.
    pub display_name: Option<String>,
    /// The username normalised (case, `@`, `_ . -` ignored): equal keys are the handle signal.
    pub handle_key: Option<String>,
    /// The handle key without trailing digits: the block a fan is compared within.
    pub handle_stem: Option<String>,
    /// The person the fan is in already, if any.
    pub person_id: Option<i64>,
    /// Whether the `--account` the suggestions are for knows the fan.
    pub in_account: bool,
}

/// A fan as the blocking pass reads it: only what scoring compares, all of it held in the
/// stem index (schema v18), so that reading a block never touches the table's rows.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockFan {
    /// The fan's local identity id.
    pub id: i64,
    /// The platform: pairs on one platform are never scored.
    pub platform: PlatformId,
    /// The shown name, compared by the name signal.
    pub display_name: Option<String>,
    /// See [`CandidateFan::handle_key`].
    pub handle_key: Option<String>,
    /// See [`CandidateFan::handle_stem`].
    pub handle_stem: Option<String>,
}

/// A contact value with the identity holding it, as `people suggest` reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactFan {
    /// The contact row's local id.
    pub contact_id: i64,
    /// The [`ContactKind`] name, as stored.
    pub kind: String,
    /// The normalised value the identities share.
    pub value: String,
    /// The identity holding it.
    pub fan_id: i64,
    /// The identity's platform: a value shared on one platform only is no cross-platform evidence.
    pub platform: PlatformId,
}

/// One relationship of a fan: the account that knows them and where it says they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct FanReferral {
    /// The identity's local id.
    pub fan_id: i64,
    /// The local account of the relationship.
    pub account: String,
    /// Where the relationship says the fan came from, if it says.
    pub referral: Option<String>,
}

/// A message from a fan, read for the handles it names ("my OF is lilyfan").
#[derive(Debug, Clone, PartialEq)]
pub struct MentionSource {
    /// The message's local id.
    pub message_id: i64,
    /// The identity that sent it.
    pub fan_id: i64,
    /// The sender's platform: a handle named there points to another platform.
    pub platform: PlatformId,
    /// The text searched for handles.
    pub body: String,
}
