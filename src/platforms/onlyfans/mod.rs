//! OnlyFans: no API, no OAuth; creators export CSV files and import them.
//!
//! This holds what is OnlyFans-specific about those files: which columns each kind of export
//! has (`fields.rs`) and how a row becomes CRM records (`rows.rs`). Reading, header matching
//! and batching are generic (`import/`).

pub mod fields;
pub mod links;
pub mod rows;

use crate::import::batch::Parsed;
use crate::import::reader::FieldSpec;
use crate::import::seen::FileKeys;
use crate::store::SeenFrom;
use crate::vocab::PlatformId;

/// The `platform` column value of every imported row.
pub const PLATFORM: PlatformId = PlatformId::Onlyfans;

/// One kind of export: its columns, which of them it cannot do without, and its row parser.
pub struct ExportKind {
    /// What `import-csv onlyfans <KIND>` calls it.
    pub name: &'static str,
    /// The table its rows become (and the summary counts).
    pub table: &'static str,
    /// Its columns with the header names they are recognised by.
    pub fields: &'static [FieldSpec],
    /// Groups of fields; each group needs one of its fields present.
    pub required: &'static [&'static [&'static str]],
    /// Parses one row into the batch, refusing a key the file already gave.
    pub parse: fn(&rows::Cells, &mut Parsed, &mut FileKeys) -> Result<(), String>,
    /// The records whose import leaves the fans' relationships to be recomputed from the
    /// stored rows once the file ends (`Store::refresh_fans_from`): the parser writes a fan
    /// only the first time the file names them, and a payment's amount only as an event.
    pub derives_fans_from: Option<SeenFrom>,
}

/// Subscribers: fans with status, dates and lifetime spend.
pub const FANS: ExportKind = ExportKind {
    name: "fans",
    table: "fans",
    fields: fields::fans::FIELDS,
    required: fields::fans::REQUIRED,
    parse: rows::fan,
    derives_fans_from: None,
};

/// DMs, either direction; each names a fan, which is recorded as seen.
pub const MESSAGES: ExportKind = ExportKind {
    name: "messages",
    table: "messages",
    fields: fields::messages::FIELDS,
    required: fields::messages::REQUIRED,
    parse: rows::message,
    derives_fans_from: Some(SeenFrom::Messages),
};

/// Payments, as analytics events that raise each fan's spend.
pub const EARNINGS: ExportKind = ExportKind {
    name: "earnings",
    table: "analytics_events",
    fields: fields::earnings::FIELDS,
    required: fields::earnings::REQUIRED,
    parse: rows::earning,
    derives_fans_from: Some(SeenFrom::Payments),
};

/// Tracking links' figures, for `insights attribution`.
pub const LINKS: ExportKind = ExportKind {
    name: "links",
    table: "tracking_links",
    fields: fields::links::FIELDS,
    required: fields::links::REQUIRED,
    parse: rows::link,
    derives_fans_from: None,
};

/// Shown once per database before the first OnlyFans import.
pub const COMPLIANCE_NOTICE: &str = "note: OnlyFans has no public API. socialcrm imports only the \
files you export yourself while logged in (fan lists, messages, statements); it never scrapes or \
logs in for you. The data belongs to the creator and describes real people: keep the CRM private \
and delete fans on request.";

/// What `connect onlyfans` prints: there is nothing to connect, so it says how the data gets in.
pub const CONNECT_GUIDE: &str = "\
OnlyFans cannot be connected: it publishes no API, no OAuth and no webhooks for creators' data
(and no waitlist for one that socialcrm could point to). Services that sell an \"OnlyFans API\" log
in as you with your password or session; socialcrm never does, and never scrapes.

Instead, export your data while logged in to onlyfans.com and import the files:

  fans      your fan / subscriber list (username, name, status, subscribed since, total spent)
            socialcrm import-csv onlyfans fans fans.csv
  messages  your chats (fan, direction, text, time, price of paid messages)
            socialcrm import-csv onlyfans messages messages.csv
  earnings  your statements / transactions (time, type, fan, gross, fee, net, currency)
            socialcrm import-csv onlyfans earnings earnings.csv
  links     your tracking links' statistics (name, URL, clicks, subscribers, revenue, period)
            socialcrm import-csv onlyfans links links.csv

Headers are matched loosely (\"Username\", \"@handle\", \"Total spent\", ...); `--map COLUMN=FIELD`
names any other, and `--dry-run` checks a file without writing. Importing the same file again
changes nothing; a newer export updates. The columns each kind reads are listed in the README
(\"Importing OnlyFans exports\"); the example files in examples/ show them.

The data belongs to the creator and describes real people: keep the CRM private, and delete
fans on request.
";

/// The one line `sync onlyfans` answers with.
pub const SYNC_REFUSAL: &str = "onlyfans has no API to sync from: export your fans, messages and \
statements and run `socialcrm import-csv onlyfans <fans|messages|earnings|links> FILE` \
(`socialcrm connect onlyfans` explains how)";

/// What `connect`, `sync` and `doctor` say of OnlyFans (its registry entry).
pub const IMPORTED: crate::platforms::kit::Imported = crate::platforms::kit::Imported {
    connect_guide: CONNECT_GUIDE,
    sync_refusal: SYNC_REFUSAL,
    doctor: "no API to connect or credentials to set: OnlyFans data comes from your exports, \
             `socialcrm import-csv onlyfans <fans|messages|earnings|links> FILE` (`socialcrm connect \
             onlyfans` explains)",
};
