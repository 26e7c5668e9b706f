//! `fans list` and `fans show`.

use serde::Serialize;

use super::{Context, Report, paging_note, time_cell};
use crate::cli::{FanSortArg, FansCommand};
use crate::error::{CliError, CliResult};
use crate::output::{List, Record, Render, Section, cell};
use crate::store::model::{
    FanIdentity, FanQuery, FanRow, FanSelector, FanSort, MessageQuery, MessageRow, Page,
};
use crate::vocab::PlatformId;

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
            let query = FanQuery {
                page: Page {
                    limit: page.limit,
                    after: page.after,
                },
                platform: platform.map(|p| p.name().to_string()),
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
            };
            let fans = ctx.store()?.list_fans(&query)?;
            let last = fans.last().map(|f| f.relationship_id);
            let note = paging_note(fans.len(), page.limit, last, "fans");
            let mut report = Report::data(List(fans));
            report.notes.extend(note);
            Ok(report)
        }
        FansCommand::Show { fan, messages } => {
            let identity = resolve(ctx, &fan)?;
            let store = ctx.store()?;
            let relationships = store.fan_relationships(identity.id)?;
            let latest = if messages == 0 {
                Vec::new()
            } else {
                store.list_messages(&MessageQuery {
                    page: Page {
                        limit: messages,
                        after: None,
                    },
                    platform: Some(identity.platform.clone()),
                    fan_platform_user_id: Some(identity.platform_user_id.clone()),
                    newest_first: true,
                    ..MessageQuery::default()
                })?
            };
            let organization_spend = organization_spend(&relationships);
            let person_id = store.person_of(identity.id)?;
            Ok(Report::data(FanProfile {
                person_id,
                fan: identity,
                relationships,
                organization_spend,
                messages: latest,
            }))
        }
    }
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
    // Tags and notes (schema v12) join here as their own fields and table sections.
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
            vec!["platform".into(), f.platform.clone()],
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
        out.push(Section {
            title: Some("organization spend".into()),
            columns: vec!["currency".into(), "amount".into(), "accounts".into()],
            rows: self
                .organization_spend
                .iter()
                .map(|t| vec![cell(&t.currency), t.amount.clone(), t.accounts.to_string()])
                .collect(),
            ..Section::default()
        });
        if !self.messages.is_empty() {
            let mut messages = List(self.messages.clone()).sections().remove(0);
            messages.title = Some(format!("latest messages ({})", self.messages.len()));
            out.push(messages);
        }
        out
    }

    /// The relationships, one row each (with the identity's columns): the flat part of it.
    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        List(self.relationships.clone()).csv()
    }
}

/// A fan's relationships as `fans show` tabulates them: the per-account columns only.
struct RelationshipRows<'a>(&'a [FanRow]);

impl RelationshipRows<'_> {
    fn section(&self) -> Section {
        Section {
            title: None,
            columns: [
                "relationship_id",
                "account",
                "status",
                "subscribed_at",
                "first_seen_at",
                "last_seen_at",
                "lifetime_spend",
                "currency",
                "message_count",
                "source",
            ]
            .iter()
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
                    ]
                })
                .collect(),
            dropped_first: vec!["subscribed_at".into(), "first_seen_at".into()],
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
    let raw = raw.trim();
    if let Ok(id) = raw.parse::<i64>() {
        return Ok(FanSelector::Id(id));
    }
    let bad = || {
        CliError::usage(format!("'{raw}' is not a fan id or PLATFORM:USER"))
            .with_hint("e.g. `42` or `onlyfans:@anna`")
    };
    let (platform, user) = raw.split_once(':').ok_or_else(bad)?;
    if user.trim().is_empty() {
        return Err(bad());
    }
    let platform: PlatformId = platform
        .parse()
        .map_err(|e: crate::platforms::UnknownPlatform| CliError::usage(e.to_string()))?;
    Ok(FanSelector::OnPlatform {
        platform: platform.name().to_string(),
        user: user.trim().to_string(),
    })
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

impl Record for FanRow {
    fn columns() -> Vec<&'static str> {
        vec![
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
            "revision",
            "created_at",
            "updated_at",
        ]
    }

    fn table_columns() -> Vec<&'static str> {
        vec![
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
        ]
    }

    fn dropped_first() -> &'static [&'static str] {
        &[
            "display_name",
            "message_count",
            "platform",
            "relationship_id",
        ]
    }

    fn cells(&self) -> Vec<String> {
        let f = &self.fan;
        vec![
            self.id.to_string(),
            self.relationship_id.to_string(),
            f.platform.clone(),
            f.account.clone(),
            f.platform_user_id.clone(),
            cell(&f.username),
            cell(&f.display_name),
            cell(&f.status),
            time_cell(&f.subscribed_at),
            time_cell(&f.first_seen_at),
            time_cell(&f.last_seen_at),
            money(f.lifetime_spend_cents),
            cell(&f.currency),
            self.message_count.to_string(),
            f.source.clone(),
            self.revision.to_string(),
            time_cell(&Some(self.created_at)),
            time_cell(&Some(self.updated_at)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_parse() {
        assert_eq!(parse_selector("42").unwrap(), FanSelector::Id(42));
        assert_eq!(
            parse_selector("Twitter:@bo").unwrap(),
            FanSelector::OnPlatform {
                platform: "x".into(),
                user: "@bo".into()
            }
        );
        assert!(parse_selector("anna").is_err());
        assert!(parse_selector("myspace:anna").is_err());
        assert!(parse_selector("onlyfans:").is_err());
    }

    #[test]
    fn money_is_exact() {
        assert_eq!(money(Some(123450)), "1234.50");
        assert_eq!(money(Some(-5)), "-0.05");
        assert_eq!(money(None), "");
    }
}
