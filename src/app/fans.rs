//! `fans list`, `fans show`, and what operators add and take away: `fans tag`, `fans untag`,
//! `fans note` and `fans delete` (erasure).

use std::io::{BufRead, IsTerminal, Write};

use serde::Serialize;

use super::segments::SegmentFilter;
use super::selector::{self, Selector};
use super::{Context, Report, time_cell};
use crate::cli::{FanSortArg, FansCommand};
use crate::error::{CliError, CliResult};
use crate::output::{Columns, Detail, List, Render, Section, cell};
use crate::store::model::{
    AuditEntry, FanIdentity, FanNote, FanQuery, FanRow, FanSelector, FanSort, FanTag, MessageQuery,
    MessageRow, Page, TableCount,
};
use crate::store::{Store, StoreError};
use crate::vocab::PlatformId;

/// Longest note, in characters.
pub const NOTE_MAX: usize = 4000;

pub fn run(ctx: &mut Context, cmd: FansCommand) -> CliResult<Report> {
    match cmd {
        FansCommand::List {
            platform,
            account,
            status,
            min_spend,
            max_spend,
            search,
            since,
            until,
            tags,
            segment,
            sort,
            desc,
            page,
        } => {
            if let (Some(min), Some(max)) = (min_spend, max_spend)
                && min > max
            {
                return Err(CliError::usage(format!(
                    "--min-spend {} is more than --max-spend {}",
                    money(Some(min)),
                    money(Some(max))
                )));
            }
            let mut query = FanQuery {
                page: (&page).into(),
                platform,
                account,
                status: status.map(|s| s.trim().to_string()),
                min_spend_cents: min_spend,
                max_spend_cents: max_spend,
                search,
                since,
                until,
                sort: sort.map(|s| match s {
                    FanSortArg::Spend => FanSort::Spend,
                    FanSortArg::LastSeen => FanSort::LastSeen,
                    FanSortArg::FirstSeen => FanSort::FirstSeen,
                    FanSortArg::Username => FanSort::Username,
                }),
                desc,
                tags,
                builtin: None,
            };
            if let Some(name) = segment {
                super::segments::apply(ctx, &name, &mut query)?;
            }
            let fans = ctx.store()?.list_fans(&query)?;
            Ok(Report::page(
                fans,
                page.limit,
                |f| f.relationship_id,
                "fans",
            ))
        }
        FansCommand::Show { fan, messages } => {
            let identity = resolve(ctx, &fan)?;
            let store = ctx.store()?;
            let relationships = store.fan_relationships(identity.id)?;
            let latest = latest_messages(store, &identity, messages)?;
            let organization_spend = organization_spend(&relationships);
            let person_id = store.person_of(identity.id)?;
            let tags = store.fan_tags(identity.id)?;
            let notes = store.fan_notes(identity.id)?;
            Ok(Report::data(FanProfile {
                person_id,
                fan: identity,
                relationships,
                organization_spend,
                messages: latest,
                tags,
                notes,
            }))
        }
        FansCommand::Tag { fan, tags, account } => retag(ctx, &fan, &tags, account, false),
        FansCommand::Untag { fan, tags, account } => retag(ctx, &fan, &tags, account, true),
        FansCommand::Note { fan, text, account } => note(ctx, &fan, &text, account),
        FansCommand::Delete { fan, account, yes } => erase(ctx, &fan, account, yes),
    }
}

/// An audit entry of `action` by the operator, about the fan's platform and an account.
pub fn audit_entry(
    operator: &str,
    action: &str,
    platform: Option<PlatformId>,
    account: Option<&str>,
    detail: String,
) -> AuditEntry {
    AuditEntry {
        event_id: uuid::Uuid::new_v4().to_string(),
        at: crate::clock::now(),
        actor: operator.into(),
        action: action.into(),
        platform,
        account: account.map(str::to_string),
        outcome: "ok".into(),
        detail: Some(detail),
    }
}

/// The operator, and the audit entry of `action` on `fan` (its relationship with `account`,
/// or every one when `None`) by that operator.
fn fan_audit(
    ctx: &Context,
    action: &str,
    fan: &FanIdentity,
    account: Option<&str>,
    detail: String,
) -> (String, AuditEntry) {
    let operator = ctx.config.operator.clone();
    let audit = audit_entry(&operator, action, Some(fan.platform), account, detail);
    (operator, audit)
}

fn retag(
    ctx: &mut Context,
    raw: &str,
    tags: &[String],
    account: Option<String>,
    remove: bool,
) -> CliResult<Report> {
    let fan = resolve(ctx, raw)?;
    check_account(ctx, &fan, account.as_deref())?;
    let mut tags = tags.to_vec();
    tags.sort();
    tags.dedup();
    let (action, verb) = if remove {
        ("fans.untag", "removed")
    } else {
        ("fans.tag", "added")
    };
    // Names the fan by id only (erasure scrubs these entries: see store::generic::fan_lists).
    let (operator, audit) = fan_audit(
        ctx,
        action,
        &fan,
        account.as_deref(),
        format!("fan {}: {verb} {}", fan.id, tags.join(", ")),
    );
    let store = ctx.store()?;
    let changed = store.set_fan_tags(
        fan.id,
        account.as_deref().unwrap_or(""),
        &tags,
        remove,
        &operator,
        &audit,
    )?;
    let now = store.fan_tags(fan.id)?;
    let unchanged = tags.len() as u64 - changed;
    let mut report = Report::data(List(now.into_iter().map(TagLine::from).collect()));
    report.notes.push(format!(
        "fan {}: {changed} tag(s) {verb}{}",
        fan.id,
        if unchanged > 0 {
            format!(
                ", {unchanged} already {}",
                if remove { "absent" } else { "there" }
            )
        } else {
            String::new()
        }
    ));
    Ok(report)
}

fn note(ctx: &mut Context, raw: &str, text: &str, account: Option<String>) -> CliResult<Report> {
    let body = text.trim();
    if body.is_empty() {
        return Err(CliError::usage("a note cannot be empty"));
    }
    let chars = body.chars().count();
    if chars > NOTE_MAX {
        return Err(CliError::usage(format!(
            "a note is at most {NOTE_MAX} characters (this one has {chars})"
        ))
        .with_hint("split it into several notes"));
    }
    let fan = resolve(ctx, raw)?;
    check_account(ctx, &fan, account.as_deref())?;
    // The note's text stays out of the audit log: it is personal data about the fan.
    let (operator, audit) = fan_audit(
        ctx,
        "fans.note",
        &fan,
        account.as_deref(),
        format!("fan {}: note added ({chars} characters)", fan.id),
    );
    let note = ctx.store()?.add_fan_note(
        fan.id,
        account.as_deref().unwrap_or(""),
        body,
        &operator,
        &audit,
    )?;
    Ok(Report::data(Detail(NoteLine::from(note))).note(format!("note added to fan {}", fan.id)))
}

fn erase(ctx: &mut Context, raw: &str, account: Option<String>, yes: bool) -> CliResult<Report> {
    let fan = resolve(ctx, raw)?;
    let who = format!(
        "fan {} ({}:{})",
        fan.id,
        fan.platform,
        fan.username
            .as_deref()
            .map(|u| format!("@{u}"))
            .unwrap_or_else(|| fan.platform_user_id.clone())
    );
    let scope = match &account {
        Some(a) => format!("the relationship of {who} with account '{a}' and its rows"),
        None => format!("{who} and every row about them"),
    };
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(CliError::usage(format!(
                "refusing to erase {} without --yes: stdin is not a terminal to confirm on",
                fan_ref(&fan)
            ))
            .with_hint("add --yes to erase without asking"));
        }
        let question = format!(
            "Erase {}? This cannot be undone. [y/N] ",
            crate::output::terminal_safe(&scope)
        );
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(question.as_bytes()).and_then(|_| err.flush());
        let mut answer = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut answer)
            .map_err(|e| CliError::failure(format!("cannot read the answer: {e}")))?;
        if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
            return Err(CliError::failure("nothing erased").with_hint("answer y to erase"));
        }
    }
    // No username, display name or platform id here: the entry outlives the fan.
    let (_, audit) = fan_audit(ctx, "fans.delete", &fan, account.as_deref(), String::new());
    // Saved segments whose search names the fan lose that search (inside the erasure).
    let names: Vec<&str> = [
        fan.username.as_deref(),
        fan.display_name.as_deref(),
        Some(fan.platform_user_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let scrub = |definition: &str| SegmentFilter::scrub(definition, &names);
    let counts = ctx.store()?.erase_fan(
        fan.id,
        account.as_deref(),
        &audit,
        &describe_erasure,
        &scrub,
    )?;
    if counts.is_empty() {
        return Err(match &account {
            Some(a) => CliError::failure(format!(
                "{} has no relationship with account '{a}'",
                fan_ref(&fan)
            ))
            .with_hint(format!(
                "`socialcrm fans show {}` lists the fan's accounts",
                fan.id
            )),
            None => CliError::failure(format!("{} is already gone", fan_ref(&fan))),
        });
    }
    let note = format!("erased {}", describe_erasure(&counts));
    let rows = counts
        .into_iter()
        .map(|c| ErasedRows {
            table: c.table,
            rows: c.rows.unwrap_or(0),
        })
        .collect();
    Ok(Report::data(List(rows)).note(note))
}

/// What `fans delete` removed from one table (`audit_log`: entries scrubbed).
#[derive(Debug, Default, Serialize)]
struct ErasedRows {
    table: String,
    rows: i64,
}

impl Columns for ErasedRows {}

/// Refuses an account the fan has no relationship with (a typo would tag for nobody).
fn check_account(ctx: &mut Context, fan: &FanIdentity, account: Option<&str>) -> CliResult<()> {
    let Some(account) = account else {
        return Ok(());
    };
    let known = ctx.store()?.fan_relationships(fan.id)?;
    if known.iter().any(|r| r.fan.account == account) {
        return Ok(());
    }
    let names: Vec<&str> = known.iter().map(|r| r.fan.account.as_str()).collect();
    Err(CliError::usage(format!(
        "{} has no relationship with account '{account}' (it has: {})",
        fan_ref(fan),
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    )))
}

/// How a fan is named in messages that may be logged: by id only.
fn fan_ref(fan: &FanIdentity) -> String {
    format!("fan {}", fan.id)
}

/// "1 fan, 3 messages, 2 analytics events, 1 tag, 0 notes; 2 audit entries scrubbed": the
/// erasure's audit detail, counts only.
pub fn describe_erasure(counts: &[TableCount]) -> String {
    let n = |table: &str| {
        counts
            .iter()
            .find(|c| c.table == table)
            .and_then(|c| c.rows)
            .unwrap_or(0)
    };
    let plural = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = vec![plural(n("fans"), "fan", "fans")];
    if counts.iter().any(|c| c.table == "fan_accounts") {
        parts.push(plural(n("fan_accounts"), "relationship", "relationships"));
    }
    parts.extend([
        plural(n("messages"), "message", "messages"),
        plural(n("analytics_events"), "analytics event", "analytics events"),
        plural(n("fan_tags"), "tag", "tags"),
        plural(n("fan_notes"), "note", "notes"),
    ]);
    let mut scrubbed = vec![plural(
        n("audit_log"),
        "earlier audit entry",
        "earlier audit entries",
    )];
    if n("segments") > 0 {
        // Which segments is left out: their names may be the fan's too.
        scrubbed.push(format!(
            "{} of a search naming the fan",
            plural(n("segments"), "saved segment", "saved segments")
        ));
    }
    format!("{}; {} scrubbed", parts.join(", "), scrubbed.join(", "))
}

/// `fans show`: one person, what each account knows of them, and what they spent in all.
#[derive(Debug, Serialize)]
struct FanProfile {
    fan: FanIdentity,
    /// The person the fan is linked to across platforms (`people show`), if any.
    person_id: Option<i64>,
    /// One per account, by account name.
    relationships: Vec<FanRow>,
    /// The relationships' lifetime spend summed per currency: what the fan is worth to the
    /// organization (the agency) across its creators.
    organization_spend: Vec<SpendTotal>,
    /// The latest messages with the fan, newest first, in any account.
    messages: Vec<MessageRow>,
    /// By tag, then account (null: for every account).
    tags: Vec<FanTag>,
    /// Newest first.
    notes: Vec<FanNote>,
}

#[derive(Debug, Serialize, PartialEq)]
pub(super) struct SpendTotal {
    /// None for spend recorded without a currency.
    pub(super) currency: Option<String>,
    pub(super) cents: i64,
    /// `cents` in major units ("1234.50").
    pub(super) amount: String,
    /// How many relationships (accounts) the sum is over.
    pub(super) accounts: usize,
}

/// The newest `n` messages with the fan identity `fan` (none when `n` is 0).
pub(super) fn latest_messages(
    store: &mut dyn Store,
    fan: &FanIdentity,
    n: u32,
) -> Result<Vec<MessageRow>, StoreError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    store.list_messages(&MessageQuery {
        page: Page {
            limit: n,
            after: None,
        },
        platform: Some(fan.platform),
        fan_platform_user_id: Some(fan.platform_user_id.clone()),
        newest_first: true,
        ..MessageQuery::default()
    })
}

/// The table of `totals` (a fan's or a person's spend), titled `title`.
pub(super) fn spend_section(title: &str, totals: &[SpendTotal]) -> Section {
    Section {
        title: Some(title.into()),
        columns: vec!["currency".into(), "amount".into(), "accounts".into()],
        rows: totals
            .iter()
            .map(|t| vec![cell(&t.currency), t.amount.clone(), t.accounts.to_string()])
            .collect(),
        ..Section::default()
    }
}

/// Sums lifetime spend per currency (never across currencies), largest sum first; exact, and
/// saturating rather than wrapping at the BIGINT bounds.
pub(super) fn organization_spend(relationships: &[FanRow]) -> Vec<SpendTotal> {
    let mut totals: Vec<SpendTotal> = Vec::new();
    for r in relationships {
        let Some(cents) = r.fan.lifetime_spend_cents else {
            continue;
        };
        match totals.iter_mut().find(|t| t.currency == r.fan.currency) {
            Some(t) => {
                t.cents = t.cents.saturating_add(cents);
                t.accounts += 1;
            }
            None => totals.push(SpendTotal {
                currency: r.fan.currency.clone(),
                cents,
                amount: String::new(),
                accounts: 1,
            }),
        }
    }
    for t in &mut totals {
        t.amount = money(Some(t.cents));
    }
    totals.sort_by(|a, b| b.cents.cmp(&a.cents).then(a.currency.cmp(&b.currency)));
    totals
}

impl Render for FanProfile {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a fan profile serializes")
    }

    fn sections(&self) -> Vec<Section> {
        let f = &self.fan;
        let facts = vec![
            vec!["id".into(), f.id.to_string()],
            vec!["platform".into(), f.platform.to_string()],
            vec!["platform_user_id".into(), f.platform_user_id.clone()],
            vec!["username".into(), cell(&f.username)],
            vec!["display_name".into(), cell(&f.display_name)],
            vec!["person".into(), cell(&self.person_id)],
            vec!["created_at".into(), time_cell(&Some(f.created_at))],
            vec!["updated_at".into(), time_cell(&Some(f.updated_at))],
        ];
        let mut out = vec![Section {
            title: None,
            columns: vec!["field".into(), "value".into()],
            rows: facts,
            ..Section::default()
        }];
        let relationships = RelationshipRows(&self.relationships);
        out.push(Section {
            title: Some(format!("relationships ({})", self.relationships.len())),
            ..relationships.section()
        });
        out.push(spend_section(
            "organization spend",
            &self.organization_spend,
        ));
        if !self.messages.is_empty() {
            let mut messages = List(self.messages.clone()).sections().remove(0);
            messages.title = Some(format!("latest messages ({})", self.messages.len()));
            out.push(messages);
        }
        if !self.tags.is_empty() {
            let mut tags = List(self.tags.iter().cloned().map(TagLine::from).collect()).sections();
            tags[0].title = Some(format!("tags ({})", self.tags.len()));
            out.extend(tags);
        }
        if !self.notes.is_empty() {
            let mut notes =
                List(self.notes.iter().cloned().map(NoteLine::from).collect()).sections();
            notes[0].title = Some(format!("notes ({}, newest first)", self.notes.len()));
            out.extend(notes);
        }
        out
    }

    /// The relationships, one row each (with the identity's columns): the flat part of it.
    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        List(self.relationships.clone()).csv()
    }
}

/// The columns of [`FanRow`] that are the identity's, not the relationship's: `fans show`
/// says them once, above the relationships.
const IDENTITY_COLUMNS: &[&str] = &[
    "id",
    "platform",
    "platform_user_id",
    "username",
    "display_name",
    "revision",
    "created_at",
    "updated_at",
];

/// A fan's relationships as `fans show` tabulates them: the per-account columns only (those of
/// `fans list` but the identity's), with cells in that order.
struct RelationshipRows<'a>(&'a [FanRow]);

impl RelationshipRows<'_> {
    fn section(&self) -> Section {
        Section {
            title: None,
            columns: FanRow::columns()
                .unwrap_or_default()
                .iter()
                .filter(|c| !IDENTITY_COLUMNS.contains(c))
                .map(|c| c.to_string())
                .collect(),
            rows: self
                .0
                .iter()
                .map(|r| {
                    let f = &r.fan;
                    vec![
                        r.relationship_id.to_string(),
                        f.account.clone(),
                        cell(&f.status),
                        time_cell(&f.subscribed_at),
                        time_cell(&f.first_seen_at),
                        time_cell(&f.last_seen_at),
                        money(f.lifetime_spend_cents),
                        cell(&f.currency),
                        r.message_count.to_string(),
                        f.source.clone(),
                        cell(&f.referral),
                    ]
                })
                .collect(),
            dropped_first: vec![
                "referral".into(),
                "subscribed_at".into(),
                "first_seen_at".into(),
            ],
        }
    }
}

/// Finds the fan a person named on the command line, or says which one was not found.
pub fn resolve(ctx: &mut Context, raw: &str) -> CliResult<FanIdentity> {
    let selector = parse_selector(raw)?;
    ctx.store()?.find_fan(&selector)?.ok_or_else(|| {
        CliError::failure(format!("no fan matches '{raw}'"))
            .with_hint("find the fan with `socialcrm fans list --search TEXT`")
    })
}

/// `42` is an id; `onlyfans:@anna` or `tiktok:6789` is a platform and a user.
pub fn parse_selector(raw: &str) -> CliResult<FanSelector> {
    let what = "fan id or PLATFORM:USER";
    Ok(
        match selector::parse(raw, what, "`42` or `onlyfans:@anna`")? {
            Selector::Id(id) => FanSelector::Id(id),
            Selector::OnPlatform(platform, user) => FanSelector::OnPlatform { platform, user },
        },
    )
}

/// Cents as a decimal amount ("1234.50").
pub(super) fn money(cents: Option<i64>) -> String {
    cents
        .map(|c| {
            let sign = if c < 0 { "-" } else { "" };
            format!(
                "{sign}{}.{:02}",
                c.unsigned_abs() / 100,
                c.unsigned_abs() % 100
            )
        })
        .unwrap_or_default()
}

/// The columns in the order `fans list` has always had (the message count among the record's
/// fields), spend in money rather than cents.
impl Columns for FanRow {
    fn columns() -> Option<&'static [&'static str]> {
        Some(&[
            "id",
            "relationship_id",
            "platform",
            "account",
            "platform_user_id",
            "username",
            "display_name",
            "status",
            "subscribed_at",
            "first_seen_at",
            "last_seen_at",
            "lifetime_spend",
            "currency",
            "message_count",
            "source",
            "referral",
            "revision",
            "created_at",
            "updated_at",
        ])
    }

    fn table_columns() -> Option<&'static [&'static str]> {
        Some(&[
            "id",
            "relationship_id",
            "platform",
            "account",
            "username",
            "display_name",
            "status",
            "lifetime_spend",
            "message_count",
            "last_seen_at",
        ])
    }

    fn dropped_first() -> &'static [&'static str] {
        &[
            "display_name",
            "message_count",
            "platform",
            "relationship_id",
        ]
    }

    fn to_the_second() -> &'static [&'static str] {
        &[
            "subscribed_at",
            "first_seen_at",
            "last_seen_at",
            "created_at",
            "updated_at",
        ]
    }

    fn cell(&self, column: &str) -> Option<String> {
        (column == "lifetime_spend").then(|| money(self.fan.lifetime_spend_cents))
    }
}

/// A tag as listed: `account` empty for a tag on every account.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TagLine {
    pub tag: String,
    pub account: Option<String>,
    pub operator: String,
    pub created_at: String,
}

impl From<FanTag> for TagLine {
    fn from(t: FanTag) -> Self {
        TagLine {
            tag: t.tag,
            account: t.account,
            operator: t.operator,
            created_at: time_cell(&Some(t.created_at)),
        }
    }
}

impl Columns for TagLine {}

/// A note as listed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NoteLine {
    pub id: i64,
    pub created_at: String,
    pub operator: String,
    pub account: Option<String>,
    pub note: String,
}

impl From<FanNote> for NoteLine {
    fn from(n: FanNote) -> Self {
        NoteLine {
            id: n.id,
            created_at: time_cell(&Some(n.created_at)),
            operator: n.operator,
            account: n.account,
            note: n.body,
        }
    }
}

impl Columns for NoteLine {
    fn dropped_first() -> &'static [&'static str] {
        &["id", "account"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_exact() {
        assert_eq!(money(Some(123450)), "1234.50");
        assert_eq!(money(Some(-5)), "-0.05");
        assert_eq!(money(None), "");
    }
}
