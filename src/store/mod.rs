//! The CRM store: one trait, two backends with the same behaviour.
//!
//! ```text
//! Store (trait, this file)          what commands call
//!   └─ SqlStore<C: Conn> (generic.rs)  the one implementation: migrations, upserts, listings
//!        ├─ sqlite/   SqliteConn       rusqlite with the bundled SQLite; the embedded default
//!        └─ postgres/ PgConn           the `postgres` crate; for teams and many cron hosts
//! ```
//! SQL is written once (`sql.rs` generates each table's upsert from `tables.rs`), and the
//! backends differ only in how they connect, bind values and inspect the schema. Each backend
//! has its own `migrations/` folder because DDL types differ; `tests/store.rs` runs one
//! conformance suite against both.
//!
//! Both drivers block. Keep store calls off any async executor (a dedicated thread or
//! `spawn_blocking`): the `postgres` crate panics when driven from inside a tokio runtime.

/// The schema's migrations, named once: each backend includes its own folder's files
/// (`schema_migrations!("migrations")` in `sqlite/mod.rs` and `postgres/mod.rs`), so a new
/// version is one entry here plus one file per backend, and the two lists never disagree on
/// versions or names.
macro_rules! schema_migrations {
    ($dir:literal) => {
        $crate::store::schema_migrations!(@ $dir;
            1 "initial" "0001_initial.sql",
            2 "event_fans" "0002_event_fans.sql",
            3 "secrets" "0003_secrets.sql",
            4 "uploads" "0004_uploads.sql",
            5 "sync_leases" "0005_sync_leases.sql",
            6 "upload_hash" "0006_upload_hash.sql",
            7 "sync_run_outcomes" "0007_sync_run_outcomes.sql",
            8 "webhook_replays" "0008_webhook_replays.sql",
            9 "fan_spend" "0009_fan_spend.sql",
            10 "live_leases" "0010_live_leases.sql",
            11 "creators" "0011_creators.sql",
            12 "fan_lists" "0012_fan_lists.sql",
            13 "post_indexes" "0013_post_indexes.sql",
            14 "search_indexes" "0014_search_indexes.sql",
            15 "report_indexes" "0015_report_indexes.sql",
            16 "people" "0016_people.sql",
            17 "tracking_links" "0017_tracking_links.sql",
            18 "block_index" "0018_block_index.sql",
            19 "segment_indexes" "0019_segment_indexes.sql",
            20 "spend_buckets" "0020_spend_buckets.sql",
            21 "profile_evidence" "0021_profile_evidence.sql",
        )
    };
    (@ $dir:literal; $($version:literal $name:literal $file:literal,)*) => {
        &[$($crate::store::generic::Migration {
            version: $version,
            name: $name,
            sql: include_str!(concat!($dir, "/", $file)),
        },)*]
    };
}
pub(crate) use schema_migrations;

pub mod export;
mod generic;
pub mod keyset;
pub mod model;
mod postgres;
pub mod posts;
pub mod sql;
mod sqlite;
pub mod tables;
pub mod value;

use std::path::PathBuf;

use crate::vocab::{PlatformId, Secret, redact_url};
use model::*;

/// Where the CRM lives.
#[derive(Debug, Clone)]
pub enum DatabaseTarget {
    /// The embedded default: a file in the user's data directory (or a `sqlite:` URL).
    Sqlite {
        /// The database file (created, owner-only, by commands that write).
        path: PathBuf,
    },
    /// A shared server, for teams and for several cron hosts.
    Postgres {
        /// The connection URL; it may hold a password, hence a [`Secret`].
        url: Secret,
    },
}

impl DatabaseTarget {
    /// The location with any password masked: the only form that may appear in output or errors.
    pub fn display_location(&self) -> String {
        match self {
            DatabaseTarget::Sqlite { path } => path.display().to_string(),
            DatabaseTarget::Postgres { url } => redact_url(url.expose()),
        }
    }

    /// `sqlite` or `postgres`, as `db status` and `doctor` name the backend.
    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseTarget::Sqlite { .. } => "sqlite",
            DatabaseTarget::Postgres { .. } => "postgres",
        }
    }
}

pub use generic::{COMMON_MATCHES, Migration};

/// Which backend and where, for `db status` and messages. The location never holds a password.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoreInfo {
    /// See [`DatabaseTarget::backend_name`].
    pub backend: &'static str,
    /// See [`DatabaseTarget::display_location`]: never a password.
    pub location: String,
    /// How the connection to a database server is protected (PostgreSQL only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<String>,
    /// The connection crosses a network unencrypted, or to a server whose certificate is not
    /// checked: `doctor` warns.
    #[serde(skip)]
    pub tls_weak: bool,
}

#[derive(Debug, thiserror::Error)]
/// Why the CRM database could not be opened, read or written. `location` is always the
/// database as [`DatabaseTarget::display_location`] shows it (no password), `reason` the
/// driver's message in one line.
pub enum StoreError {
    /// The server did not answer (down, wrong host or port, a firewall): exit 5.
    #[error("cannot connect to PostgreSQL database {location}: {reason}")]
    Unreachable {
        /// The database, password masked.
        location: String,
        /// The driver's message.
        reason: String,
    },
    /// A connection that cannot work as set up (TLS, certificates, password): cause and fix.
    #[error("cannot connect to PostgreSQL database {location}: {reason}")]
    Connection {
        /// The database, password masked.
        location: String,
        /// What failed, in one line.
        reason: String,
        /// The setting to change, for the error's hint line.
        hint: String,
    },
    /// The file cannot be opened or created (permissions, a missing directory, not SQLite).
    #[error("cannot open SQLite database {location}: {reason}")]
    CannotOpen {
        /// The file.
        location: String,
        /// The driver's message.
        reason: String,
    },
    /// The path exists and is a device, FIFO, socket or directory: refused before touching it.
    #[error(transparent)]
    NotAFile(#[from] crate::fsutil::FsError),
    /// A read-only command (`db status`) found no database: it never creates one.
    #[error("SQLite database {location} does not exist")]
    Missing {
        /// The file looked for.
        location: String,
    },
    /// Written by a newer socialcrm: touching it could break what that version wrote.
    #[error(
        "database {location} has schema version {found}, newer than the {supported} this socialcrm knows; refusing to touch it"
    )]
    NewerSchema {
        /// The database, password masked.
        location: String,
        /// The schema version the database records.
        found: i64,
        /// The newest version this binary has migrations for.
        supported: i64,
    },
    /// A statement failed (a constraint, a lost connection, a full disk).
    #[error("database error on {location}: {reason}")]
    Query {
        /// The database, password masked.
        location: String,
        /// The driver's message.
        reason: String,
    },
    /// A row holds what this version never writes (a NULL key, a status or platform name it
    /// does not know): the row was edited by another tool or a newer socialcrm.
    #[error("unexpected data in the database: {0}")]
    Decode(String),
    /// `--after ID` names no row of the listing (deleted since the previous page, or a typo).
    #[error("--after {id}: there is no {what} {id} to continue after")]
    UnknownCursor {
        /// What the listing lists (`fan relationship`, `message`, ...).
        what: &'static str,
        /// The `--after` given.
        id: i64,
    },
    /// The writer of an export failed (a full disk, a closed pipe); the database is untouched.
    #[error("cannot write the export: {0}")]
    Sink(std::io::Error),
    #[error(
        "another sync took connection {id} over while this run's database session was lost; this run stops syncing it"
    )]
    /// The lease of a connection was lost with the session that held it, and another sync
    /// holds it now: going on would write the same rows twice.
    ClaimLost {
        /// The connection's local id.
        id: i64,
    },
}

/// A batch of records of one table, written in one transaction with idempotent upserts.
#[derive(Debug, Clone, Copy)]
pub enum Batch<'a> {
    /// `platform_connections` rows (connect, refresh, disconnect).
    Connections(&'a [Connection]),
    /// Fans: the identity and the relationship of each (and its contacts).
    Fans(&'a [Fan]),
    /// Fans' identities only (`fans` rows: username, display name), whatever their `account`:
    /// a restore's `fans.jsonl` names no relationship, and must not invent one.
    FanIdentities(&'a [Fan]),
    /// Fans' contacts only (`fan_contacts` rows, schema v21): a restore's `fan_contacts.jsonl`.
    FanContacts(&'a [Fan]),
    /// DMs and comments.
    Messages(&'a [Message]),
    /// Posts with their latest metrics.
    Posts(&'a [Post]),
    /// Analytics events; a fan's payments among them raise its spend.
    Analytics(&'a [AnalyticsEvent]),
    /// Streams' resume points, written with the page they follow.
    SyncStates(&'a [SyncState]),
    /// Runs' outcomes.
    SyncRuns(&'a [SyncRun]),
    /// Audit entries, keyed by event id.
    Audit(&'a [AuditEntry]),
    /// OnlyFans tracking links' figures.
    TrackingLinks(&'a [TrackingLink]),
}

impl Batch<'_> {
    /// The table the batch is written to.
    pub fn table(&self) -> &'static str {
        match self {
            Batch::Connections(_) => "platform_connections",
            Batch::Fans(_) | Batch::FanIdentities(_) => "fans",
            Batch::FanContacts(_) => "fan_contacts",
            Batch::Messages(_) => "messages",
            Batch::Posts(_) => "posts",
            Batch::Analytics(_) => "analytics_events",
            Batch::SyncStates(_) => "sync_state",
            Batch::SyncRuns(_) => "sync_runs",
            Batch::Audit(_) => "audit_log",
            Batch::TrackingLinks(_) => "tracking_links",
        }
    }

    /// Records in the batch: what a progress bar and the row counts count.
    pub fn len(&self) -> usize {
        match self {
            Batch::Connections(r) => r.len(),
            Batch::Fans(r) | Batch::FanIdentities(r) | Batch::FanContacts(r) => r.len(),
            Batch::Messages(r) => r.len(),
            Batch::Posts(r) => r.len(),
            Batch::Analytics(r) => r.len(),
            Batch::SyncStates(r) => r.len(),
            Batch::SyncRuns(r) => r.len(),
            Batch::Audit(r) => r.len(),
            Batch::TrackingLinks(r) => r.len(),
        }
    }

    /// No record: the store writes nothing (and opens no transaction).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Everything commands may ask of the CRM database.
pub trait Store: FanListStore + PeopleStore + LinkStore + Send {
    /// Which backend and where, for `db status`, `doctor` and error messages.
    fn info(&self) -> StoreInfo;

    /// The newest schema version this binary can create.
    fn latest_version(&self) -> i64;

    /// The version recorded in the database; 0 for an empty database.
    fn schema_version(&mut self) -> Result<i64, StoreError>;

    /// Applies pending migrations (each in the same transaction as its version row) and returns
    /// the versions applied. Refuses a database migrated by a newer socialcrm.
    fn migrate(&mut self) -> Result<Vec<i64>, StoreError>;

    /// Makes the schema current before a command uses it: migrates an older database,
    /// refuses a newer one, and costs one query when nothing is to be done.
    fn ensure_current(&mut self) -> Result<(), StoreError>;

    /// Row counts per table of the data model; `None` for tables not created yet.
    fn table_counts(&mut self) -> Result<Vec<TableCount>, StoreError>;

    /// Rows per table for `db status`: exact counts, except on PostgreSQL without `exact`,
    /// where a table the server estimates at [`ESTIMATE_FROM`] rows or more gets the estimate
    /// (`pg_class.reltuples` scaled to the table's current size as the planner does, or
    /// `pg_stat_user_tables.n_live_tup` for a table never analyzed), marked as such: counting a
    /// million rows takes a fifth of a second there, the estimate a millisecond. SQLite counts
    /// from its smallest index, fast enough at any size.
    fn table_rows(&mut self, exact: bool) -> Result<Vec<TableRows>, StoreError>;

    /// Writes a batch in one transaction; what happened to each row is counted.
    fn upsert(&mut self, batch: Batch<'_>) -> Result<UpsertCounts, StoreError>;

    /// Writes several batches in one transaction (an import's fans with their messages), with
    /// the counts of each.
    fn upsert_all(&mut self, batches: &[Batch<'_>]) -> Result<Vec<UpsertCounts>, StoreError>;

    /// [`Store::upsert_all`] for a long load (an import): the batches join a transaction that
    /// stays open after the call unless `commit`, so that one commit covers many batches (a
    /// commit costs a WAL flush and, on SQLite, rewriting every index page the batch touched).
    /// The next call continues it; [`Store::commit_open`] ends it. When a call fails the whole
    /// open transaction is rolled back: the caller counts a batch as written only once it was
    /// committed. Other writers wait while it is open, so commit every second or so.
    fn upsert_open(
        &mut self,
        batches: &[Batch<'_>],
        commit: bool,
    ) -> Result<Vec<UpsertCounts>, StoreError>;

    /// Commits the transaction [`Store::upsert_open`] left open (nothing when none is).
    fn commit_open(&mut self) -> Result<(), StoreError>;

    /// Deletes what the CRM holds from one connected account: its posts, analytics events,
    /// fan relationships and messages, sync state and runs, and the identities of the
    /// platform's fans no account knows any more. Returns the rows deleted per table.
    fn purge_account(
        &mut self,
        platform: PlatformId,
        account: &str,
        connection_id: i64,
    ) -> Result<Vec<TableCount>, StoreError>;

    /// Claims connection `id` for a sync by `owner`, unless a live sync holds it or another
    /// run released it at or after `since` (a run that overlapped this one already synced it).
    /// The claim dies with its holder (see `generic::Conn::try_lock_sync`): an earlier holder
    /// that died is taken over at once, its lease record replaced and its `running` sync runs
    /// marked `abandoned`. Two live workers never both hold one account.
    fn claim_connection(
        &mut self,
        id: i64,
        owner: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Claim, StoreError>;

    /// Gives up `owner`'s claim on connection `id`.
    fn release_connection(&mut self, id: i64, owner: &str) -> Result<(), StoreError>;

    /// Whether this store still holds its claim on connection `id`: false after a lost
    /// PostgreSQL session whose claim another sync took before it could be taken again. The
    /// sync of that account must stop.
    fn holds_claim(&self, id: i64) -> bool;

    /// The database server's clock (PostgreSQL), to compare with this host's; `None` for SQLite,
    /// which runs in this process.
    fn server_time(&mut self) -> Result<Option<chrono::DateTime<chrono::Utc>>, StoreError>;

    /// Takes the lock `name` for every process using this database, waiting for its holder, until
    /// [`Store::unlock`]. PostgreSQL: a session advisory lock, so hosts sharing one server
    /// exclude each other. SQLite: nothing (one host; callers also hold a lock file).
    fn lock(&mut self, name: &str) -> Result<(), StoreError>;
    /// Gives back the lock [`Store::lock`] took; a session that dies gives it back too.
    fn unlock(&mut self, name: &str) -> Result<(), StoreError>;

    /// Raises the lifetime spend of each of `account`'s fan relationships on `platform` to the
    /// sum of the fan's payments to that account (`gross_*` analytics events of the account);
    /// returns how many relationships changed.
    fn refresh_fan_spend(&mut self, platform: PlatformId, account: &str)
    -> Result<u64, StoreError>;

    /// Recomputes what each of `account`'s fan relationships on `platform` derives from the
    /// fan's records stored `from`, in one pass over them: first and last seen widened to the
    /// earliest and latest record (the same merge as writing the fan once per record), and,
    /// from payments, the paid total as [`Store::refresh_fan_spend`] sets it. Returns how
    /// many relationships changed. An import writes a fan the first time its file names them
    /// and leaves the rest to this.
    fn refresh_fans_from(
        &mut self,
        platform: PlatformId,
        account: &str,
        from: SeenFrom,
    ) -> Result<u64, StoreError>;

    /// Streams `tables` whole, in this order, into `sink` from one consistent snapshot (one
    /// read transaction across all of them), a row at a time, each table's rows in id order;
    /// returns the rows written per table. Columns of `export::WITHHELD_COLUMNS` are left out.
    /// With `segment`, only the rows about its members (the relationships `list_fans` would
    /// list with those filters, judged in the same snapshot): see `export::SEGMENT_TABLES`.
    /// The caller checks the names (`export::refusal`, `export::segment_refusal`).
    fn export(
        &mut self,
        tables: &[&str],
        segment: Option<&FanQuery>,
        sink: &mut dyn export::RowSink,
    ) -> Result<Vec<TableCount>, StoreError>;

    /// Fan relationships (fan x account), filtered, sorted and paged (keyset: see
    /// `store/keyset.rs`).
    fn list_fans(&mut self, query: &FanQuery) -> Result<Vec<FanRow>, StoreError>;
    /// A fan's identity, by id, platform user id or username.
    fn find_fan(&mut self, selector: &FanSelector) -> Result<Option<FanIdentity>, StoreError>;
    /// Every relationship of the fan with identity `fan_id`, by account.
    fn fan_relationships(&mut self, fan_id: i64) -> Result<Vec<FanRow>, StoreError>;
    /// The accounts holding fans or messages of `platform`, by name.
    fn fan_accounts(&mut self, platform: PlatformId) -> Result<Vec<String>, StoreError>;

    /// One page of messages by send time, oldest first (newest first with `newest_first`),
    /// continuing after the message `page.after`.
    fn list_messages(&mut self, query: &MessageQuery) -> Result<Vec<MessageRow>, StoreError>;
    /// The query plan of a listing's page, one line per plan node, for the tests that check an
    /// index serves every listing (PostgreSQL plans with sequential scans disabled).
    #[doc(hidden)]
    fn explain(&mut self, listing: &Listing) -> Result<Vec<String>, StoreError>;
    /// One page of audit entries by time, oldest first, continuing after the entry
    /// `page.after`.
    fn list_audit(&mut self, query: &AuditQuery) -> Result<Vec<AuditRow>, StoreError>;
    /// Every connection, whatever its status (`accounts` shows revoked ones too).
    fn list_connections(&mut self) -> Result<Vec<ConnectionRow>, StoreError>;
    /// The latest sync runs, newest first.
    fn list_sync_runs(&mut self, limit: u32) -> Result<Vec<SyncRunRow>, StoreError>;
    /// The events `query` selects, oldest first; for exports and small ranges (the report
    /// aggregates with [`Store::metric_summaries`] instead).
    fn list_events(&mut self, query: &EventQuery) -> Result<Vec<AnalyticsEvent>, StoreError>;
    /// One page of posts in the order asked for, keyset-paged (`store::keyset`).
    fn list_posts(&mut self, query: &PostListQuery) -> Result<Vec<PostRow>, StoreError>;
    /// The post `posts show` names, if it exists.
    fn find_post(&mut self, selector: &PostSelector) -> Result<Option<PostRow>, StoreError>;
    /// The post's metrics over time (`analytics_events` of subject type `post`), oldest first.
    fn post_history(&mut self, post: &Post) -> Result<Vec<AnalyticsEvent>, StoreError>;
    /// Each (platform, subject type, metric) of the events `query` selects, aggregated in the
    /// database (first, last and summed values, instants): flat memory whatever the number of
    /// events. Served by the `analytics_by_time`, `analytics_by_account_time` and
    /// `analytics_by_metric_time` indexes.
    fn metric_summaries(&mut self, query: &EventQuery) -> Result<Vec<MetricSummary>, StoreError>;
    /// The series of each metric `query` selects, one point per bucket (see [`MetricPoint`]),
    /// aggregated in the database; ordered by metric, then bucket.
    fn metric_series(
        &mut self,
        query: &EventQuery,
        bucket: Bucket,
    ) -> Result<Vec<MetricPoint>, StoreError>;
    /// The report's top posts, in [`PostQuery::rank`] order.
    fn top_posts(&mut self, query: &PostQuery) -> Result<Vec<Post>, StoreError>;
    /// How many fan relationships of `accounts` (all when empty) were first seen at or after
    /// `since` and before `until`: the new fans of a period.
    fn count_new_fans(
        &mut self,
        accounts: &[String],
        since: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
    ) -> Result<i64, StoreError>;
    /// The latest run of every stream of every connection, with its last success.
    fn stream_health(&mut self) -> Result<Vec<StreamHealth>, StoreError>;
    /// The resume point of one stream of one connection; `None` before its first page.
    fn sync_state(
        &mut self,
        connection_id: i64,
        stream: &str,
    ) -> Result<Option<SyncState>, StoreError>;

    /// The sealed secret stored under `key` (the `db` secrets backend; never plain text).
    fn secret(&mut self, key: &str) -> Result<Option<SecretRow>, StoreError>;
    /// The most recently written sealed secret other than `key`, if any: the secrets backend
    /// opens it to check the master key before a write.
    fn other_secret(&mut self, key: &str) -> Result<Option<SecretRow>, StoreError>;
    /// Every sealed secret, by key: `secrets reset` tries each with the current master key.
    fn list_secrets(&mut self) -> Result<Vec<SecretRow>, StoreError>;
    /// Inserts or atomically replaces a sealed secret.
    fn put_secret(&mut self, row: &SecretRow) -> Result<(), StoreError>;
    /// Removes a sealed secret; true if it existed.
    fn delete_secret(&mut self, key: &str) -> Result<bool, StoreError>;

    /// Records a webhook delivery once: in one transaction, forgets replay records expired by
    /// now, claims `replay` (unless a live record of the same platform and key exists) and
    /// writes `batches`. `None`, with nothing written, when the delivery was already recorded:
    /// a replay, whether this process, an earlier one or another host recorded it.
    fn record_webhook(
        &mut self,
        replay: &WebhookReplay,
        batches: &[Batch<'_>],
    ) -> Result<Option<Vec<UpsertCounts>>, StoreError>;

    /// The ledger row of this file's publish to one account, found by its full hash.
    fn upload(
        &mut self,
        platform: PlatformId,
        account: &str,
        file_hash: &str,
    ) -> Result<Option<UploadRow>, StoreError>;
    /// The ledger's entries with this fingerprint on one account (same size, first and last
    /// MiB): every entry that could be the same file.
    fn upload_candidates(
        &mut self,
        platform: PlatformId,
        account: &str,
        fingerprint: &str,
    ) -> Result<Vec<UploadRow>, StoreError>;
    /// Writes a ledger entry in one statement: the row `upload.id` when set, else inserted or
    /// replacing the entry with the same key. Returns the row's id. Fails when another row
    /// already has the file's SHA-256 for the account (a concurrent upload of the same file).
    fn save_upload(&mut self, upload: &Upload) -> Result<i64, StoreError>;
}

/// The fan lists of [`Store`] (schema v12): tags, notes, saved segments, their live counts
/// and erasure; `generic/fan_lists.rs` implements them.
pub trait FanListStore {
    /// How many fans `query` matches, its page ignored: the live count of a segment, one query.
    fn count_fans(&mut self, query: &FanQuery) -> Result<i64, StoreError>;

    /// Adds `tags` to fan `fan_id` for `account` (`""`: every account), or with `remove` takes
    /// them off, writing `audit` in the same transaction. Idempotent: returns how many tags were
    /// added or removed (0 when all already were). `operator` is who did it.
    fn set_fan_tags(
        &mut self,
        fan_id: i64,
        account: &str,
        tags: &[String],
        remove: bool,
        operator: &str,
        audit: &AuditEntry,
    ) -> Result<u64, StoreError>;
    /// Appends a note to fan `fan_id` (notes are never changed), with `audit` in the same
    /// transaction.
    fn add_fan_note(
        &mut self,
        fan_id: i64,
        account: &str,
        body: &str,
        operator: &str,
        audit: &AuditEntry,
    ) -> Result<FanNote, StoreError>;
    /// The fan's tags, by tag then account.
    fn fan_tags(&mut self, fan_id: i64) -> Result<Vec<FanTag>, StoreError>;
    /// The fan's notes, newest first.
    fn fan_notes(&mut self, fan_id: i64) -> Result<Vec<FanNote>, StoreError>;

    /// Saves a segment under a new name, with `audit`; false (nothing written) when the name
    /// is taken.
    fn save_segment(
        &mut self,
        name: &str,
        definition: &str,
        operator: &str,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError>;
    /// Saved segments by name.
    fn segments(&mut self) -> Result<Vec<SegmentRow>, StoreError>;
    /// The saved segment `name`, if there is one (built-in segments are not rows).
    fn segment(&mut self, name: &str) -> Result<Option<SegmentRow>, StoreError>;
    /// Deletes a saved segment, with `audit`; false when there was none of that name.
    fn delete_segment(&mut self, name: &str, audit: &AuditEntry) -> Result<bool, StoreError>;

    /// Erases fan `fan_id` in one transaction: with `account` None, the identity and every row
    /// about it (messages, fan-attributed analytics events, tags, notes); with `account`, that
    /// account's rows only, and the identity when nothing of it is left. Earlier audit entries
    /// about the fan (tags, notes) lose their detail; `audit` is written with its detail set
    /// by `describe` from the rows deleted per table. When the identity goes, each saved
    /// segment's definition is handed to `scrub` and rewritten or deleted as it answers
    /// (counted under `segments`). Returns those counts.
    fn erase_fan(
        &mut self,
        fan_id: i64,
        account: Option<&str>,
        audit: &AuditEntry,
        describe: &dyn Fn(&[TableCount]) -> String,
        scrub: &dyn Fn(&str) -> SegmentScrub,
    ) -> Result<Vec<TableCount>, StoreError>;
}

/// The people of [`Store`] (schema v16): links of fan identities into persons, their
/// decisions, and what `people suggest` reads; `generic/people.rs` implements them.
pub trait PeopleStore {
    /// Links fan identities into one person (schema v15): a new person when none of them has
    /// one, else the one person they share; refused (nothing written) when they belong to
    /// different people. The decision and `audit` (its detail filled with ids) are written
    /// in the same transaction.
    fn link_fans(
        &mut self,
        fans: &[i64],
        decision: &PersonDecision,
        audit: &AuditEntry,
    ) -> Result<LinkOutcome, StoreError>;
    /// Takes a fan out of its person, dissolving a person left with one identity; `None`
    /// when the fan belongs to no person (nothing written).
    fn unlink_fan(
        &mut self,
        fan: i64,
        decision: &PersonDecision,
        audit: &AuditEntry,
    ) -> Result<Option<UnlinkOutcome>, StoreError>;
    /// Records that two fans are not one person: `people suggest` never proposes the pair
    /// again. Returns the decision's id.
    fn reject_pair(
        &mut self,
        pair: (i64, i64),
        decision: &PersonDecision,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError>;
    /// The person fan `fan` belongs to, if any.
    fn person_of(&mut self, fan: i64) -> Result<Option<i64>, StoreError>;
    /// The identities linked to person `person`, by fan id (empty: no such person).
    fn person_identities(&mut self, person: i64) -> Result<Vec<FanIdentity>, StoreError>;
    /// People with their aggregates, filtered, sorted and paged (keyset, cursor = person id).
    fn list_people(&mut self, query: &PersonQuery) -> Result<Vec<PersonRow>, StoreError>;
    /// The next `rows` handle stems after `after` (byte order) held by fans on at least two
    /// platforms: the blocks `people suggest` compares within.
    fn handle_blocks(&mut self, after: &str, rows: u32) -> Result<Vec<String>, StoreError>;
    /// The fans of the given handle stems, by stem, read from the stem index alone.
    fn block_members(&mut self, stems: &[String]) -> Result<Vec<BlockFan>, StoreError>;
    /// The fans whose normalised handle is one of `keys`.
    fn fans_by_handle(
        &mut self,
        keys: &[String],
        account: &Option<String>,
    ) -> Result<Vec<CandidateFan>, StoreError>;
    /// The fans with these ids, as candidates.
    fn candidate_fans(
        &mut self,
        ids: &[i64],
        account: &Option<String>,
    ) -> Result<Vec<CandidateFan>, StoreError>;
    /// `(fan, person)` for those of `fans` linked to a person.
    fn persons_of(&mut self, fans: &[i64]) -> Result<Vec<(i64, i64)>, StoreError>;
    /// The rejected pairs (lower fan id first) whose lower fan is one of `fans`.
    fn rejections_of(&mut self, fans: &[i64]) -> Result<Vec<(i64, i64)>, StoreError>;
    /// Those of `fans` that `account` knows (has a relationship with).
    fn known_to(&mut self, fans: &[i64], account: &str) -> Result<Vec<i64>, StoreError>;
    /// Up to `rows` messages from fans (direction `in`, with a body) after message id
    /// `after`, by id; only those of `fans` unless empty.
    fn fan_mentions(
        &mut self,
        after: i64,
        fans: &[i64],
        rows: u32,
    ) -> Result<Vec<MentionSource>, StoreError>;
    /// The next `rows` emails and links (`(kind, value)` order, after `after`) that
    /// identities on at least two platforms share: blocks of their own for `people suggest`
    /// (schema v21).
    fn contact_blocks(
        &mut self,
        after: &(String, String),
        rows: u32,
    ) -> Result<Vec<(String, String)>, StoreError>;
    /// The identities holding each of these contact values, by value then fan id.
    fn contact_members(
        &mut self,
        values: &[(String, String)],
    ) -> Result<Vec<ContactFan>, StoreError>;
    /// Up to `rows` contacts of `kind` after contact id `after`, by id; only those of `fans`
    /// unless empty.
    fn contacts_page(
        &mut self,
        kind: ContactKind,
        after: i64,
        fans: &[i64],
        rows: u32,
    ) -> Result<Vec<ContactFan>, StoreError>;
    /// Every relationship of `fans`: which accounts know them, and the referral each says.
    fn relationships_of(&mut self, fans: &[i64]) -> Result<Vec<FanReferral>, StoreError>;
    /// Whether any relationship names a referral (schema v21's partial index answers it).
    fn has_referrals(&mut self) -> Result<bool, StoreError>;
}

/// The tracking links of [`Store`] (schema v17) that `insights attribution` reads;
/// `generic/links.rs` implements them.
pub trait LinkStore {
    /// Each tracking link's figures over the rows `q` reads, and how many links of the
    /// account have none there (schema v17).
    fn link_figures(&mut self, q: &AttributionQuery)
    -> Result<(Vec<LinkFigures>, i64), StoreError>;
    /// A page (by id, after `after`) of the posts whose caption or URL names one of `hosts`:
    /// the candidates of attribution, which the caller matches against the links.
    fn link_posts(
        &mut self,
        hosts: &[String],
        after: i64,
        rows: u32,
    ) -> Result<Vec<PostRow>, StoreError>;
}

/// From this many rows (by the server's estimate), `db status` on PostgreSQL shows the estimate
/// instead of counting; smaller tables are counted.
pub const ESTIMATE_FROM: i64 = 10_000;

/// The records a fan relationship's first and last seen are read from
/// ([`Store::refresh_fans_from`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeenFrom {
    /// The times of the fan's messages with the account (`messages.sent_at`).
    Messages,
    /// The times of the fan's payments to the account (`gross_*` analytics events).
    Payments,
}

/// Whether opening an SQLite database may create it (and its directories).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// `db migrate`, commands that write, and the default database in socialcrm's own data
    /// directory.
    CreateIfMissing,
    /// A read-only command on a path someone typed: a typo must not leave an empty database
    /// (and directories) behind, and must say the database does not exist.
    MustExist,
}

/// Opens (creating it when missing) the database `target` names. The schema is not touched:
/// call [`Store::ensure_current`] or [`Store::migrate`].
pub fn open(target: &DatabaseTarget) -> Result<Box<dyn Store>, StoreError> {
    open_with(target, OpenMode::CreateIfMissing)
}

/// [`open`], saying whether a missing SQLite file may be created. PostgreSQL databases are
/// never created here: the server's database must exist; only its schema is migrated.
pub fn open_with(target: &DatabaseTarget, mode: OpenMode) -> Result<Box<dyn Store>, StoreError> {
    match target {
        DatabaseTarget::Sqlite { path } => Ok(Box::new(sqlite::open(path, mode)?)),
        DatabaseTarget::Postgres { url } => Ok(Box::new(postgres::open(url)?)),
    }
}

/// Opens `target` as the socialcrm of schema `version` would: `migrate` stops there. Only for
/// tests that roll an older database forward (build it at v7, fill it, then open it with
/// [`open`] and migrate).
#[doc(hidden)]
pub fn open_up_to(target: &DatabaseTarget, version: i64) -> Result<Box<dyn Store>, StoreError> {
    match target {
        DatabaseTarget::Sqlite { path } => Ok(Box::new(
            sqlite::open(path, OpenMode::CreateIfMissing)?.up_to(version),
        )),
        DatabaseTarget::Postgres { url } => Ok(Box::new(postgres::open(url)?.up_to(version))),
    }
}

/// The migrations of each backend, for the test that checks they agree.
pub fn migrations() -> [(&'static str, &'static [Migration]); 2] {
    [
        ("sqlite", sqlite::MIGRATIONS),
        ("postgres", postgres::MIGRATIONS),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_backends_ship_the_same_migrations() {
        let [(_, a), (_, b)] = super::migrations();
        let steps =
            |m: &[super::Migration]| m.iter().map(|m| (m.version, m.name)).collect::<Vec<_>>();
        assert_eq!(steps(a), steps(b));
        assert!(
            steps(a).windows(2).all(|w| w[0].0 < w[1].0),
            "versions ascend"
        );
    }
}
