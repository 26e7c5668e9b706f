//! `people list|show|link|unlink|suggest|accept|reject`: one person across platforms.
//!
//! A person groups fan identities (schema v15). Links are only ever made by an operator's
//! decision (`link`, or `accept` of a suggestion), each recorded with who, when and on what
//! evidence, and audited with ids only; `unlink` undoes a link exactly. Suggestions
//! (`suggest.rs`) never link by themselves.

mod suggest;

use serde::Serialize;

use super::fans::{SpendTotal, latest_messages, organization_spend, resolve, spend_section};
use super::{Context, Report};
use crate::cli::{PeopleCommand, PersonSortArg};
use crate::error::{CliError, CliResult};
use crate::output::{Columns, List, Render, Section, cell, names};
use crate::store::model::{
    AuditEntry, FanIdentity, FanRow, LinkOutcome, MessageRow, PersonDecision, PersonQuery,
    PersonRow, PersonSort,
};

pub use suggest::{Signal, Suggestion};

pub fn run(ctx: &mut Context, cmd: PeopleCommand) -> CliResult<Report> {
    match cmd {
        PeopleCommand::List {
            account,
            platforms,
            sort,
            desc,
            page,
        } => {
            let query = PersonQuery {
                page: (&page).into(),
                account,
                min_platforms: platforms,
                sort: match sort {
                    None => PersonSort::Id,
                    Some(PersonSortArg::Spend) => PersonSort::Spend,
                    Some(PersonSortArg::LastSeen) => PersonSort::LastSeen,
                },
                desc,
            };
            let people = ctx.store()?.list_people(&query)?;
            Ok(Report::page(people, page.limit, |p| p.id, "people"))
        }
        PeopleCommand::Show { person, messages } => show(ctx, person, messages),
        PeopleCommand::Link { fans, note } => {
            let mut ids = Vec::new();
            for raw in &fans {
                ids.push(resolve(ctx, raw)?.id);
            }
            ids.sort_unstable();
            ids.dedup();
            if ids.len() < 2 {
                return Err(CliError::usage("people link needs two different fans"));
            }
            link(ctx, &ids, "link", None, note)
        }
        PeopleCommand::Unlink { fan, note } => {
            let fan = resolve(ctx, &fan)?;
            let operator = &ctx.config.operator;
            let d = decision(operator, "unlink", None, note);
            let audit = audit_entry(operator, "people.unlink");
            match ctx.store()?.unlink_fan(fan.id, &d, &audit)? {
                None => Err(CliError::failure(format!(
                    "fan {} belongs to no person: nothing to unlink",
                    fan.id
                ))),
                Some(out) => {
                    let note = if out.dissolved {
                        format!(
                            "person {} dissolved: fans {} are no longer linked",
                            out.person_id,
                            ids(&out.removed)
                        )
                    } else {
                        format!("fan {} left person {}", fan.id, out.person_id)
                    };
                    Ok(Report::data(Decided {
                        action: "unlink",
                        person_id: Some(out.person_id),
                        decision_id: Some(out.decision_id),
                        fans: out.removed,
                        dissolved: out.dissolved,
                        created: false,
                        evidence: Vec::new(),
                    })
                    .note(note))
                }
            }
        }
        PeopleCommand::Suggest {
            account,
            min_confidence,
            limit,
        } => {
            let found = suggest::suggest(ctx.store()?, &account, min_confidence, limit)?;
            let mut report = Report::data(List(found.suggestions));
            if found.total == 0 {
                // Lowering the threshold is advice only while it can still be lowered to the
                // weak signals (0.5: a handle that differs by added digits, with support).
                report.notes.push(if min_confidence > WEAK_THRESHOLD {
                    format!(
                        "no pair reaches confidence {min_confidence}: try --min-confidence {WEAK_THRESHOLD}"
                    )
                } else {
                    format!("no pair reaches confidence {min_confidence}: no evidence links two fans")
                });
            } else if found.total > u64::from(limit) {
                report.notes.push(format!(
                    "{} suggestions in all; the {limit} most confident shown (raise --limit)",
                    found.total
                ));
            }
            if found.skipped_blocks > 0 {
                report.notes.push(format!(
                    "{} handle stems, emails or links shared by more than {} fans were skipped as too common",
                    found.skipped_blocks,
                    suggest::MAX_BLOCK
                ));
            }
            Ok(report)
        }
        PeopleCommand::Accept { id, note } => {
            let (a, b) = parse_suggestion(&id)?;
            let store = ctx.store()?;
            let fans = store.candidate_fans(&[a, b], &None)?;
            let (Some(fa), Some(fb)) = (
                fans.iter().find(|f| f.id == a),
                fans.iter().find(|f| f.id == b),
            ) else {
                return Err(CliError::failure(format!(
                    "suggestion {id} names a fan that no longer exists"
                )));
            };
            if store.rejections_of(&[a])?.contains(&(a, b)) {
                return Err(
                    CliError::failure(format!("suggestion {id} was rejected")).with_hint(format!(
                        "link them by hand: `socialcrm people link {a} {b}`"
                    )),
                );
            }
            let evidence = suggest::evidence_for(store, fa, fb)?;
            link(ctx, &[a, b], "accept", Some(evidence), note)
        }
        PeopleCommand::Reject { id, note } => {
            let (a, b) = parse_suggestion(&id)?;
            let operator = ctx.config.operator.clone();
            let store = ctx.store()?;
            if store.candidate_fans(&[a, b], &None)?.len() < 2 {
                return Err(CliError::failure(format!(
                    "suggestion {id} names a fan that does not exist"
                )));
            }
            if let (Some(p), Some(q)) = (store.person_of(a)?, store.person_of(b)?)
                && p == q
            {
                return Err(
                    CliError::failure(format!("fans {a} and {b} are linked (person {p})"))
                        .with_hint(format!(
                            "undo the link first: `socialcrm people unlink {a}`"
                        )),
                );
            }
            let d = decision(&operator, "reject", None, note);
            let decision_id =
                store.reject_pair((a, b), &d, &audit_entry(&operator, "people.reject"))?;
            Ok(Report::data(Decided {
                action: "reject",
                person_id: None,
                decision_id: Some(decision_id),
                fans: vec![a, b],
                dissolved: false,
                created: false,
                evidence: Vec::new(),
            })
            .note(format!("pair {a}-{b} will not be suggested again")))
        }
    }
}

fn link(
    ctx: &mut Context,
    fans: &[i64],
    action: &'static str,
    evidence: Option<Vec<Signal>>,
    note: Option<String>,
) -> CliResult<Report> {
    let operator = &ctx.config.operator;
    let d = decision(operator, action, evidence.as_ref(), note);
    let audit = audit_entry(operator, &format!("people.{action}"));
    match ctx.store()?.link_fans(fans, &d, &audit)? {
        LinkOutcome::UnknownFan(id) => Err(CliError::failure(format!("no fan has id {id}"))),
        LinkOutcome::Conflict { people } => {
            let held: Vec<String> = people
                .iter()
                .map(|(f, p)| format!("fan {f} is in person {p}"))
                .collect();
            Err(CliError::failure(format!(
                "the fans belong to different people ({})",
                held.join(", ")
            ))
            .with_hint("unlink one of them first: `socialcrm people unlink FAN`"))
        }
        LinkOutcome::Linked {
            person_id,
            decision_id,
            created,
            added,
        } => {
            let note = if added.is_empty() {
                format!("the fans already are person {person_id}: nothing changed")
            } else {
                format!("fans {} linked as person {person_id}", ids(&added))
            };
            Ok(Report::data(Decided {
                action,
                person_id: Some(person_id),
                decision_id,
                fans: added,
                dissolved: false,
                created,
                evidence: evidence.unwrap_or_default(),
            })
            .note(note))
        }
    }
}

/// `12-857` as the pair of fan ids (lower first).
/// The threshold below which only weak signals remain; `people suggest`'s hint names it.
const WEAK_THRESHOLD: f64 = 0.5;

fn parse_suggestion(raw: &str) -> CliResult<(i64, i64)> {
    let bad = || {
        CliError::usage(format!("'{raw}' is not a suggestion id"))
            .with_hint("suggestion ids are two fan ids, e.g. `12-857` (see `people suggest`)")
    };
    let (a, b) = raw.trim().split_once('-').ok_or_else(bad)?;
    let (a, b): (i64, i64) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
    if a == b {
        return Err(bad());
    }
    Ok((a.min(b), a.max(b)))
}

/// A decision by `operator` (`Config::operator`).
fn decision(
    operator: &str,
    action: &str,
    evidence: Option<&Vec<Signal>>,
    note: Option<String>,
) -> PersonDecision {
    PersonDecision {
        action: action.into(),
        operator: operator.into(),
        evidence: evidence.map(|e| serde_json::to_string(e).expect("signals serialize")),
        note,
        decided_at: crate::clock::now(),
    }
}

/// The audit entry of a decision; the store fills the detail with ids only.
fn audit_entry(operator: &str, action: &str) -> AuditEntry {
    AuditEntry {
        event_id: uuid::Uuid::new_v4().to_string(),
        at: crate::clock::now(),
        actor: operator.into(),
        action: action.into(),
        platform: None,
        account: None,
        outcome: "ok".into(),
        detail: None,
    }
}

fn ids(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a decision did.
#[derive(Debug, Serialize)]
struct Decided {
    action: &'static str,
    person_id: Option<i64>,
    decision_id: Option<i64>,
    /// The fans the decision linked, unlinked or rejected.
    fans: Vec<i64>,
    /// A person was created (link) or dissolved (unlink).
    created: bool,
    dissolved: bool,
    evidence: Vec<Signal>,
}

impl Render for Decided {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a decision serializes")
    }

    fn sections(&self) -> Vec<Section> {
        vec![Section {
            title: None,
            columns: vec!["field".into(), "value".into()],
            rows: vec![
                vec!["action".into(), self.action.into()],
                vec!["person_id".into(), cell(&self.person_id)],
                vec!["decision_id".into(), cell(&self.decision_id)],
                vec!["fans".into(), ids(&self.fans)],
                vec!["created".into(), self.created.to_string()],
                vec!["dissolved".into(), self.dissolved.to_string()],
            ],
            ..Section::default()
        }]
    }

    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let sections = self.sections();
        let rows = sections[0].rows.iter().map(|r| r[1].clone()).collect();
        let header = sections[0].rows.iter().map(|r| r[0].clone()).collect();
        (header, vec![rows])
    }
}

fn show(ctx: &mut Context, person: i64, messages: u32) -> CliResult<Report> {
    let store = ctx.store()?;
    let identities = store.person_identities(person)?;
    if identities.is_empty() {
        return Err(CliError::failure(format!("no person has id {person}"))
            .with_hint("list people with `socialcrm people list`"));
    }
    let mut relationships = Vec::new();
    let mut timeline: Vec<MessageRow> = Vec::new();
    for f in &identities {
        relationships.extend(store.fan_relationships(f.id)?);
        timeline.extend(latest_messages(store, f, messages)?);
    }
    timeline.sort_by(|a, b| {
        b.message
            .sent_at
            .cmp(&a.message.sent_at)
            .then(b.id.cmp(&a.id))
    });
    timeline.truncate(messages as usize);
    let mut platforms: Vec<String> = identities.iter().map(|f| f.platform.to_string()).collect();
    platforms.sort();
    platforms.dedup();
    let spend = organization_spend(&relationships);
    Ok(Report::data(PersonProfile {
        id: person,
        platforms,
        identities,
        spend,
        relationships,
        timeline,
    }))
}

/// `people show`.
#[derive(Debug, Serialize)]
struct PersonProfile {
    id: i64,
    platforms: Vec<String>,
    identities: Vec<FanIdentity>,
    /// The relationships' lifetime spend summed per currency, over every identity.
    spend: Vec<SpendTotal>,
    /// Every identity's relationships, by fan then account.
    relationships: Vec<FanRow>,
    /// The latest messages with any identity, newest first.
    timeline: Vec<MessageRow>,
}

impl Render for PersonProfile {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a person serializes")
    }

    fn sections(&self) -> Vec<Section> {
        let mut out = vec![Section {
            title: None,
            columns: vec!["field".into(), "value".into()],
            rows: vec![
                vec!["person".into(), self.id.to_string()],
                vec!["platforms".into(), self.platforms.join(", ")],
                vec!["identities".into(), self.identities.len().to_string()],
            ],
            ..Section::default()
        }];
        out.push(Section {
            title: Some(format!("identities ({})", self.identities.len())),
            columns: names(&[
                "fan",
                "platform",
                "platform_user_id",
                "username",
                "display_name",
            ]),
            rows: self
                .identities
                .iter()
                .map(|f| {
                    vec![
                        f.id.to_string(),
                        f.platform.to_string(),
                        f.platform_user_id.clone(),
                        cell(&f.username),
                        cell(&f.display_name),
                    ]
                })
                .collect(),
            dropped_first: vec!["platform_user_id".into()],
        });
        let mut rel = List(self.relationships.clone()).sections().remove(0);
        rel.title = Some(format!(
            "relationships per account ({})",
            self.relationships.len()
        ));
        out.push(rel);
        out.push(spend_section("spend", &self.spend));
        if !self.timeline.is_empty() {
            let mut t = List(self.timeline.clone()).sections().remove(0);
            t.title = Some(format!("timeline ({})", self.timeline.len()));
            out.push(t);
        }
        out
    }

    /// The relationships, one row each: the flat part.
    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        List(self.relationships.clone()).csv()
    }
}

/// Spend in money rather than cents.
impl Columns for PersonRow {
    fn columns() -> Option<&'static [&'static str]> {
        Some(&[
            "id",
            "identities",
            "platforms",
            "platform_names",
            "usernames",
            "spend",
            "last_seen_at",
            "created_at",
        ])
    }

    fn dropped_first() -> &'static [&'static str] {
        &["created_at", "platform_names", "identities"]
    }

    fn to_the_second() -> &'static [&'static str] {
        &["last_seen_at", "created_at"]
    }

    fn cell(&self, column: &str) -> Option<String> {
        (column == "spend").then(|| super::fans::money(self.spend_cents))
    }
}

/// A row per pair: the two fans' nested objects of the JSON spread into columns `_a` and `_b`,
/// the signals as their kinds and their evidence.
impl Columns for Suggestion {
    fn columns() -> Option<&'static [&'static str]> {
        Some(&[
            "id",
            "confidence",
            "fan_a",
            "platform_a",
            "username_a",
            "fan_b",
            "platform_b",
            "username_b",
            "signals",
            "evidence",
        ])
    }

    fn table_columns() -> Option<&'static [&'static str]> {
        Some(&[
            "id",
            "confidence",
            "platform_a",
            "username_a",
            "platform_b",
            "username_b",
            "signals",
        ])
    }

    fn cell(&self, column: &str) -> Option<String> {
        let joined = |part: fn(&Signal) -> &str, by: &str| {
            self.signals.iter().map(part).collect::<Vec<_>>().join(by)
        };
        Some(match column {
            "confidence" => format!("{:.2}", self.confidence),
            "fan_a" => self.fan_a.id.to_string(),
            "platform_a" => self.fan_a.platform.clone(),
            "username_a" => cell(&self.fan_a.username),
            "fan_b" => self.fan_b.id.to_string(),
            "platform_b" => self.fan_b.platform.clone(),
            "username_b" => cell(&self.fan_b.username),
            "signals" => joined(|s| s.kind, "+"),
            "evidence" => joined(|s| s.detail.as_str(), "; "),
            _ => return None,
        })
    }
}
