//! `import-export`: a socialcrm JSON Lines export restored into the CRM.
//!
//! The other half of `export --format jsonl`. Each file is read a line at a time and written
//! in batches (one transaction each) through the store's keyed upserts, so memory stays flat,
//! the exported surrogate ids are never trusted (another CRM numbered its rows), and restoring
//! the same files twice changes nothing. The identities (`fans.jsonl`) are written before the
//! relationships (`fan_accounts.jsonl`), which only fill what the identity left empty.
//!
//! Which columns a table restores, and which it accepts but recomputes, is said once, in
//! [`RESTORED`]: any other column is an error naming the file and line, so an export from a
//! newer socialcrm is never half understood.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{Context, Report};
use crate::cli::ImportExportArgs;
use crate::error::{CliError, CliResult};
use crate::output::{Columns, List};
use crate::store::model::{
    AnalyticsEvent, AuditEntry, Contact, ContactKind, Fan, Message, Post, UpsertCounts,
};
use crate::store::sql::UpsertSpec;
use crate::store::{Batch, Store, tables};
use crate::vocab::PlatformId;

/// Rows per batch and per transaction: a few MB in flight whatever the file's size.
const BATCH: usize = 4_096;

/// A table `import-export` restores: the columns it reads (the key and columns of the store's
/// upsert of that table, so the list is never written twice) and those it accepts but derives.
struct Restored {
    table: &'static str,
    upsert: &'static UpsertSpec,
    /// Written by the CRM itself (ids, revisions, times of writing, keys and sums computed
    /// from other columns): the restored CRM computes its own.
    derived: &'static [&'static str],
}

impl Restored {
    /// The columns restored, key first.
    fn read(&self) -> impl Iterator<Item = &'static str> {
        let columns = self.upsert.columns.iter().map(|(c, _)| *c);
        self.upsert.key.iter().copied().chain(columns)
    }
}

const BOOKKEEPING: [&str; 4] = ["id", "revision", "created_at", "updated_at"];

/// The tables restored, in the order they are written (identities before relationships).
const RESTORED: [Restored; 6] = [
    Restored {
        table: "fans",
        upsert: &tables::FANS,
        derived: &["handle_key", "handle_stem"],
    },
    Restored {
        table: "fan_contacts",
        upsert: &tables::FAN_CONTACTS,
        derived: &[],
    },
    Restored {
        table: "fan_accounts",
        upsert: &tables::FAN_ACCOUNTS,
        // paid_cents is the sum of the fan's payments (analytics_events, recomputed once they
        // are restored); lifetime_spend_cents the larger of it and exported_spend_cents.
        derived: &["paid_cents", "lifetime_spend_cents"],
    },
    Restored {
        table: "posts",
        upsert: &tables::POSTS,
        derived: &[],
    },
    Restored {
        table: "messages",
        upsert: &tables::MESSAGES,
        derived: &[],
    },
    Restored {
        table: "analytics_events",
        upsert: &tables::ANALYTICS_EVENTS,
        derived: &[],
    },
];

fn names() -> String {
    RESTORED.map(|r| r.table).join(", ")
}

/// Why `table` is not restored.
fn refusal(table: &str) -> CliError {
    let why = if crate::store::tables::TABLES.contains(&table) {
        format!("table '{table}' is not restored by import-export")
    } else {
        format!("there is no table '{table}'")
    };
    CliError::usage(why).with_hint(format!("the tables it restores are {}", names()))
}

/// One restored table, as the summary shows it.
#[derive(Debug, Serialize, Default)]
struct Summary {
    table: String,
    file: String,
    rows: u64,
    inserted: u64,
    updated: u64,
    unchanged: u64,
}

impl Columns for Summary {}

pub fn run(ctx: &mut Context, args: ImportExportArgs) -> CliResult<Report> {
    let dir = args.dir.as_path();
    if !dir.is_dir() {
        return Err(
            CliError::usage(format!("{} is not a directory", dir.display()))
                .with_hint("name the directory `socialcrm export --format jsonl --out DIR` wrote"),
        );
    }
    for t in &args.tables {
        if !RESTORED.iter().any(|r| r.table == t) {
            return Err(refusal(t));
        }
    }
    let chosen: Vec<&Restored> = RESTORED
        .iter()
        .filter(|r| args.tables.is_empty() || args.tables.iter().any(|t| t == r.table))
        .filter(|r| !args.tables.is_empty() || dir.join(format!("{}.jsonl", r.table)).exists())
        .collect();
    if chosen.is_empty() {
        return Err(CliError::usage(format!(
            "{} holds none of {}",
            dir.display(),
            RESTORED.map(|r| format!("{}.jsonl", r.table)).join(", ")
        ))
        .with_hint("write them with `socialcrm export --format jsonl --out DIR`"));
    }
    let operator = ctx.config.operator.clone();
    let store = ctx.store()?;
    let mut rows = Vec::new();
    let mut spenders = BTreeSet::new();
    for spec in chosen {
        let path = dir.join(format!("{}.jsonl", spec.table));
        match restore(store, spec, &path, &mut spenders) {
            Ok(summary) => rows.push(summary),
            Err((counts, e)) => {
                // Earlier batches are committed: the audit log says how far it got.
                let detail = format!(
                    "{} from {} stopped after {} inserted, {} updated, {} unchanged: {}",
                    spec.table,
                    path.display(),
                    counts.inserted,
                    counts.updated,
                    counts.unchanged,
                    e.message
                );
                let _ = record(store, &operator, "failed", detail);
                return Err(e);
            }
        }
    }
    // A fan's paid_cents is the sum of their payments: recomputed as `import-csv onlyfans
    // earnings` does, for each platform and account whose payments were restored.
    for (platform, account) in &spenders {
        store.refresh_fan_spend(*platform, account)?;
    }
    let detail = rows
        .iter()
        .map(|s| {
            format!(
                "{} from {}: {} rows, {} inserted, {} updated, {} unchanged",
                s.table, s.file, s.rows, s.inserted, s.updated, s.unchanged
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    record(store, &operator, "ok", detail)?;
    let mut report = Report::data(List(rows));
    let mut left: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter_map(|n| n.strip_suffix(".jsonl").map(str::to_string))
        .filter(|t| !RESTORED.iter().any(|r| r.table == t))
        .collect();
    left.sort();
    if args.tables.is_empty() && !left.is_empty() {
        report = report.note(format!(
            "not restored (import-export restores {} only): {}",
            names(),
            left.join(", ")
        ));
    }
    Ok(report)
}

/// Restores one file; on failure, what was committed before it and the error.
fn restore(
    store: &mut dyn Store,
    spec: &Restored,
    path: &Path,
    spenders: &mut BTreeSet<(PlatformId, String)>,
) -> Result<Summary, (UpsertCounts, CliError)> {
    let mut total = UpsertCounts::default();
    let fail = |total: &UpsertCounts, e: CliError| (*total, e);
    let file = File::open(path).map_err(|e| {
        fail(
            &total,
            CliError::failure(format!("cannot read {}: {e}", path.display())),
        )
    })?;
    let mut records = Records::default();
    let mut rows = 0u64;
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let at = format!("{}:{}", path.display(), i + 1);
        let line = line.map_err(|e| fail(&total, CliError::failure(format!("{at}: {e}"))))?;
        if line.trim().is_empty() {
            continue;
        }
        let fields = Fields::parse(spec, &line, &at).map_err(|e| fail(&total, e))?;
        records
            .push(spec.table, &fields)
            .map_err(|e| fail(&total, e))?;
        if let Some(e) = records.events.last()
            && e.fan_platform_user_id.is_some()
        {
            spenders.insert((e.platform, e.account.clone()));
        }
        rows += 1;
        if records.len() >= BATCH {
            let counts = records.write(store).map_err(|e| fail(&total, e))?;
            add(&mut total, counts);
        }
    }
    let counts = records.write(store).map_err(|e| fail(&total, e))?;
    add(&mut total, counts);
    Ok(Summary {
        table: spec.table.into(),
        file: path.display().to_string(),
        rows,
        inserted: total.inserted,
        updated: total.updated,
        unchanged: total.unchanged,
    })
}

fn add(total: &mut UpsertCounts, c: UpsertCounts) {
    total.inserted += c.inserted;
    total.updated += c.updated;
    total.unchanged += c.unchanged;
}

/// The records of one batch.
#[derive(Default)]
struct Records {
    identities: Vec<Fan>,
    /// Identities carrying one contact each.
    contacts: Vec<Fan>,
    fans: Vec<Fan>,
    posts: Vec<Post>,
    messages: Vec<Message>,
    events: Vec<AnalyticsEvent>,
}

impl Records {
    fn len(&self) -> usize {
        self.identities.len()
            + self.contacts.len()
            + self.fans.len()
            + self.posts.len()
            + self.messages.len()
            + self.events.len()
    }

    fn push(&mut self, table: &str, f: &Fields) -> CliResult<()> {
        match table {
            "fans" => self.identities.push(Fan {
                username: f.text("username")?,
                display_name: f.text("display_name")?,
                ..Fan::seen_nowhere(f.platform("platform")?, f.required("platform_user_id")?)
            }),
            "fan_accounts" => self.fans.push(Fan {
                platform: f.platform("platform")?,
                platform_user_id: f.required("platform_user_id")?,
                account: f.required("account")?,
                // The identity (fans.jsonl) is the names' source; None keeps them.
                username: None,
                display_name: None,
                status: f.text("status")?,
                subscribed_at: f.time("subscribed_at")?,
                first_seen_at: f.time("first_seen_at")?,
                last_seen_at: f.time("last_seen_at")?,
                lifetime_spend_cents: f.int("exported_spend_cents")?,
                currency: f.text("currency")?,
                source: f.required("source")?,
                referral: f.text("referral")?,
                contacts: Vec::new(),
            }),
            "fan_contacts" => {
                let kind = f.required("kind")?;
                let kind = ContactKind::parse(&kind)
                    .ok_or_else(|| f.error("kind", "is not email, link or profile"))?;
                self.contacts.push(Fan {
                    contacts: vec![Contact {
                        kind,
                        value: f.required("value")?,
                    }],
                    ..Fan::seen_nowhere(f.platform("platform")?, f.required("platform_user_id")?)
                })
            }
            "posts" => self.posts.push(Post {
                platform: f.platform("platform")?,
                platform_post_id: f.required("platform_post_id")?,
                account: f.text("account")?,
                caption: f.text("caption")?,
                url: f.text("url")?,
                media_type: f.text("media_type")?,
                published_at: f.time("published_at")?,
                view_count: f.int("view_count")?,
                like_count: f.int("like_count")?,
                comment_count: f.int("comment_count")?,
                share_count: f.int("share_count")?,
                metrics_at: f.time("metrics_at")?,
            }),
            "messages" => self.messages.push(Message {
                platform: f.platform("platform")?,
                account: f.required("account")?,
                platform_message_id: f.required("platform_message_id")?,
                fan_platform_user_id: f.text("fan_platform_user_id")?,
                direction: f.required("direction")?,
                kind: f.required("kind")?,
                body: f.text("body")?,
                sent_at: f
                    .time("sent_at")?
                    .ok_or_else(|| f.error("sent_at", "is required"))?,
                thread_ref: f.text("thread_ref")?,
                post_ref: f.text("post_ref")?,
            }),
            "analytics_events" => self.events.push(AnalyticsEvent {
                platform: f.platform("platform")?,
                account: f.text("account")?.unwrap_or_default(),
                subject_type: f.required("subject_type")?,
                subject_id: f.required("subject_id")?,
                metric: f.required("metric")?,
                period: f.required("period")?,
                period_start: f
                    .time("period_start")?
                    .ok_or_else(|| f.error("period_start", "is required"))?,
                value: f
                    .real("value")?
                    .ok_or_else(|| f.error("value", "is required"))?,
                unit: f.text("unit")?,
                fan_platform_user_id: f.text("fan_platform_user_id")?,
            }),
            other => unreachable!("{other} is not in RESTORED"),
        }
        Ok(())
    }

    /// Writes the batch in one transaction and empties it.
    fn write(&mut self, store: &mut dyn Store) -> CliResult<UpsertCounts> {
        let batch = if !self.identities.is_empty() {
            Batch::FanIdentities(&self.identities)
        } else if !self.contacts.is_empty() {
            Batch::FanContacts(&self.contacts)
        } else if !self.fans.is_empty() {
            Batch::Fans(&self.fans)
        } else if !self.posts.is_empty() {
            Batch::Posts(&self.posts)
        } else if !self.messages.is_empty() {
            Batch::Messages(&self.messages)
        } else if !self.events.is_empty() {
            Batch::Analytics(&self.events)
        } else {
            return Ok(UpsertCounts::default());
        };
        let counts = store.upsert(batch)?;
        *self = Records::default();
        Ok(counts)
    }
}

/// One line's object, checked against its table's columns.
struct Fields<'a> {
    map: Map<String, Value>,
    at: &'a str,
}

impl<'a> Fields<'a> {
    fn parse(spec: &Restored, line: &str, at: &'a str) -> CliResult<Fields<'a>> {
        let map = match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(CliError::failure(format!("{at}: not a JSON object"))),
            Err(e) => return Err(CliError::failure(format!("{at}: not JSON: {e}"))),
        };
        let known = |c: &str| {
            spec.read().any(|r| r == c) || spec.derived.contains(&c) || BOOKKEEPING.contains(&c)
        };
        if let Some(c) = map.keys().find(|c| !known(c)) {
            return Err(
                CliError::failure(format!("{at}: unknown column '{c}' in {}", spec.table))
                    .with_hint(format!(
                        "{} restores {}; was the export written by a newer socialcrm?",
                        spec.table,
                        spec.read().collect::<Vec<_>>().join(", ")
                    )),
            );
        }
        Ok(Fields { map, at })
    }

    fn error(&self, column: &str, what: &str) -> CliError {
        CliError::failure(format!("{}: {column} {what}", self.at))
    }

    fn text(&self, column: &str) -> CliResult<Option<String>> {
        match self.map.get(column) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.error(column, "is not text")),
        }
    }

    fn required(&self, column: &str) -> CliResult<String> {
        self.text(column)?
            .ok_or_else(|| self.error(column, "is required"))
    }

    /// A platform column: exactly the name the CRM stores (`tiktok`, `x`, ...), so an export
    /// from a newer socialcrm with a platform this one lacks is refused, not half restored.
    fn platform(&self, column: &str) -> CliResult<PlatformId> {
        let name = self.required(column)?;
        PlatformId::from_name(&name).ok_or_else(|| {
            self.error(
                column,
                &format!("is an {}", crate::vocab::UnknownPlatform(name)),
            )
        })
    }

    fn int(&self, column: &str) -> CliResult<Option<i64>> {
        match self.map.get(column) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.error(column, "is not a whole number")),
            Some(_) => Err(self.error(column, "is not a number")),
        }
    }

    fn real(&self, column: &str) -> CliResult<Option<f64>> {
        match self.map.get(column) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(_) => Err(self.error(column, "is not a number")),
        }
    }

    fn time(&self, column: &str) -> CliResult<Option<DateTime<Utc>>> {
        match self.text(column)? {
            None => Ok(None),
            Some(s) => DateTime::parse_from_rfc3339(&s)
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(|_| self.error(column, &format!("is not an RFC 3339 time: {s}"))),
        }
    }
}

fn record(store: &mut dyn Store, operator: &str, outcome: &str, detail: String) -> CliResult<()> {
    let entry = AuditEntry {
        event_id: uuid::Uuid::new_v4().to_string(),
        at: crate::clock::now(),
        actor: operator.into(),
        action: "restore".into(),
        platform: None,
        account: None,
        outcome: outcome.into(),
        detail: Some(detail),
    };
    store.upsert(Batch::Audit(&[entry]))?;
    Ok(())
}
