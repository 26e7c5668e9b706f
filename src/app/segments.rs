//! `segments create|list|show|delete`, and `fans list --segment NAME`.
//!
//! A saved segment is a [`SegmentFilter`]: the `fans list` filters, stored as JSON in the
//! `segments` table and turned back into a [`FanQuery`] at every use, so its count and members
//! are always live. Relative dates (`7d`) are kept as typed and judged at each use. The
//! built-in segments (whales, new, cold) are SQL in the store (`BuiltinSegment`).

use serde::{Deserialize, Serialize};

use super::fans::{audit_entry, money};
use super::{Context, Report, paging_note};
use crate::cli::{SegmentFilterArgs, SegmentsCommand, parse_when};
use crate::error::{CliError, CliResult};
use crate::output::{Columns, Detail, List, Render, Section};
use crate::store::model::{BuiltinSegment, FanQuery, FanRow, SegmentRow, SegmentScrub};
use crate::vocab::PlatformId;

/// A saved segment's definition: the filters of `fans list`, as stored (JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// The relationship's account (creator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_spend_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_spend_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    /// Last seen at or after: a date as typed (`2026-11-01`, `7d`), judged at each use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Last seen before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl SegmentFilter {
    fn from_args(a: SegmentFilterArgs) -> Self {
        let mut tags = a.tags;
        tags.sort();
        tags.dedup();
        SegmentFilter {
            platform: a.platform.map(|p| p.name().to_string()),
            account: a.account,
            status: a.status.map(|s| s.trim().to_string()),
            min_spend_cents: a.min_spend,
            max_spend_cents: a.max_spend,
            search: a.search.filter(|s| !s.is_empty()),
            since: a.since,
            until: a.until,
            tags,
        }
    }

    fn is_empty(&self) -> bool {
        *self == SegmentFilter::default()
    }

    /// Reads a stored definition, checking every value as the command line would.
    fn parse(segment: &SegmentRow) -> CliResult<Self> {
        let bad = |why: String| {
            CliError::failure(format!(
                "segment '{}' has a definition this socialcrm cannot read: {why}",
                segment.name
            ))
            .with_hint(format!(
                "delete it (`socialcrm segments delete {}`) and create it again",
                segment.name
            ))
        };
        let filter: SegmentFilter =
            serde_json::from_str(&segment.definition).map_err(|e| bad(e.to_string()))?;
        if let Some(p) = &filter.platform {
            p.parse::<PlatformId>().map_err(|e| bad(e.to_string()))?;
        }
        if let Some(a) = &filter.account {
            crate::cli::account_name(a).map_err(bad)?;
        }
        for date in filter.since.iter().chain(&filter.until) {
            parse_when(date).map_err(bad)?;
        }
        for tag in &filter.tags {
            crate::cli::tag_name(tag).map_err(bad)?;
        }
        Ok(filter)
    }

    /// What erasing a fan known by `names` (username, display name, platform user id) does
    /// to a stored definition: a search that names the fan is cleared (the rest of the
    /// definition stays), and a segment that was only that search is deleted, since an empty
    /// definition would hold every fan. An unreadable definition is left as it is.
    pub fn scrub(definition: &str, names: &[&str]) -> SegmentScrub {
        let Ok(mut filter) = serde_json::from_str::<SegmentFilter>(definition) else {
            return SegmentScrub::Keep;
        };
        if !filter
            .search
            .as_deref()
            .is_some_and(|s| names_fan(s, names))
        {
            return SegmentScrub::Keep;
        }
        filter.search = None;
        if filter.is_empty() {
            return SegmentScrub::Delete;
        }
        SegmentScrub::Rewrite(serde_json::to_string(&filter).expect("a filter serializes"))
    }

    /// "platform onlyfans, tags vip + whale, last seen since 30d": for `segments list`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = &self.platform {
            parts.push(format!("platform {p}"));
        }
        if let Some(a) = &self.account {
            parts.push(format!("account {a}"));
        }
        if let Some(s) = &self.status {
            parts.push(format!("status {s}"));
        }
        if let Some(c) = self.min_spend_cents {
            parts.push(format!("spend at least {}", money(Some(c))));
        }
        if let Some(c) = self.max_spend_cents {
            parts.push(format!("spend at most {}", money(Some(c))));
        }
        if !self.tags.is_empty() {
            parts.push(format!("tagged {}", self.tags.join(" + ")));
        }
        if let Some(s) = &self.search {
            parts.push(format!("matching '{s}'"));
        }
        if let Some(t) = &self.since {
            parts.push(format!("last seen since {t}"));
        }
        if let Some(t) = &self.until {
            parts.push(format!("last seen before {t}"));
        }
        parts.join(", ")
    }

    /// Adds this filter to `query` (both must hold), or says which filter contradicts it.
    fn narrow(&self, name: &str, query: &mut FanQuery) -> CliResult<()> {
        let clash = |what: &str, mine: &str, theirs: &str| {
            CliError::usage(format!(
                "segment '{name}' is for {what} '{mine}', which --{what} '{theirs}' contradicts"
            ))
            .with_hint(format!("drop --{what}, or list without --segment"))
        };
        if let Some(p) = &self.platform {
            let mine = PlatformId::from_name(p).ok_or_else(|| {
                CliError::failure(format!(
                    "segment '{name}' is for platform '{p}', which this socialcrm does not know"
                ))
            })?;
            match query.platform {
                Some(q) if q != mine => return Err(clash("platform", p, q.name())),
                _ => query.platform = Some(mine),
            }
        }
        if let Some(a) = &self.account {
            match &query.account {
                Some(q) if q != a => return Err(clash("account", a, q)),
                _ => query.account = Some(a.clone()),
            }
        }
        if let Some(s) = &self.status {
            match &query.status {
                Some(q) if q != s => return Err(clash("status", s, q)),
                _ => query.status = Some(s.clone()),
            }
        }
        if let Some(s) = &self.search {
            match &query.search {
                Some(q) if q != s => return Err(clash("search", s, q)),
                _ => query.search = Some(s.clone()),
            }
        }
        if let Some(c) = self.min_spend_cents {
            query.min_spend_cents = Some(query.min_spend_cents.map_or(c, |q| q.max(c)));
        }
        if let Some(c) = self.max_spend_cents {
            query.max_spend_cents = Some(query.max_spend_cents.map_or(c, |q| q.min(c)));
        }
        if let Some(since) = &self.since {
            let t = parse_when(since).map_err(CliError::failure)?;
            query.since = Some(query.since.map_or(t, |q| q.max(t)));
        }
        if let Some(until) = &self.until {
            let t = parse_when(until).map_err(CliError::failure)?;
            query.until = Some(query.until.map_or(t, |q| q.min(t)));
        }
        for tag in &self.tags {
            if !query.tags.contains(tag) {
                query.tags.push(tag.clone());
            }
        }
        Ok(())
    }
}

/// Whether a search text names a fan known by `names`: it contains one of them whole
/// (`@zqerase`, `from Zyxo Quillfeather`), or it is one word (3 characters or more) of one of
/// them (`zyxo`). Case is folded as the search folds it. A text that merely matches the fan
/// (`fan_` of `fan_123`) does not name them: it selects others too.
fn names_fan(search: &str, names: &[&str]) -> bool {
    let search = crate::store::sql::fold(search.trim());
    let bare = search.trim_start_matches('@');
    names
        .iter()
        .map(|n| crate::store::sql::fold(n.trim()))
        .filter(|n| !n.is_empty())
        .any(|name| {
            search.contains(&name)
                || name
                    .split_whitespace()
                    .any(|word| word.chars().count() >= 3 && word == bare)
        })
}

/// Narrows `query` to the members of segment `name` (built in or saved).
pub fn apply(ctx: &mut Context, name: &str, query: &mut FanQuery) -> CliResult<()> {
    let name = crate::cli::segment_name(name).map_err(CliError::usage)?;
    if let Some(b) = BuiltinSegment::parse(&name) {
        query.builtin = Some(b);
        return Ok(());
    }
    let segment = saved(ctx, &name)?;
    SegmentFilter::parse(&segment)?.narrow(&name, query)
}

fn saved(ctx: &mut Context, name: &str) -> CliResult<SegmentRow> {
    ctx.store()?.segment(name)?.ok_or_else(|| {
        CliError::failure(format!("no segment named '{name}'"))
            .with_hint("`socialcrm segments list` shows them")
    })
}

pub fn run(ctx: &mut Context, cmd: SegmentsCommand) -> CliResult<Report> {
    match cmd {
        SegmentsCommand::Create { name, filter } => create(ctx, name, filter),
        SegmentsCommand::List => list(ctx),
        SegmentsCommand::Show { name, page } => show(ctx, &name, page),
        SegmentsCommand::Delete { name } => delete(ctx, &name),
    }
}

/// A segment as `segments list` shows it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SegmentLine {
    pub name: String,
    /// `built-in` or `saved`.
    pub kind: &'static str,
    pub definition: String,
    /// Fans in it now.
    pub fans: i64,
}

impl Columns for SegmentLine {}

fn create(ctx: &mut Context, name: String, args: SegmentFilterArgs) -> CliResult<Report> {
    if BuiltinSegment::parse(&name).is_some() {
        return Err(
            CliError::usage(format!("'{name}' is a built-in segment's name"))
                .with_hint("pick another name; `socialcrm segments list` shows the built-in ones"),
        );
    }
    let filter = SegmentFilter::from_args(args);
    if let (Some(min), Some(max)) = (filter.min_spend_cents, filter.max_spend_cents)
        && min > max
    {
        return Err(CliError::usage(format!(
            "--min-spend {} is more than --max-spend {}",
            money(Some(min)),
            money(Some(max))
        )));
    }
    if filter.is_empty() {
        return Err(CliError::usage(format!(
            "segment '{name}' needs at least one filter (a segment of every fan is `fans list`)"
        ))
        .with_hint("e.g. `socialcrm segments create vip --tag vip`"));
    }
    let definition = serde_json::to_string(&filter).expect("a filter serializes");
    let operator = ctx.config.operator.clone();
    let audit = audit_entry(
        &operator,
        "segments.create",
        None,
        None,
        format!("segment '{name}' saved"),
    );
    let mut query = FanQuery::default();
    filter.narrow(&name, &mut query)?;
    let store = ctx.store()?;
    if !store.save_segment(&name, &definition, &operator, &audit)? {
        return Err(
            CliError::failure(format!("a segment named '{name}' exists")).with_hint(format!(
                "`socialcrm segments delete {name}` first, or pick another name"
            )),
        );
    }
    let fans = store.count_fans(&query)?;
    Ok(Report::data(Detail(SegmentLine {
        name: name.clone(),
        kind: "saved",
        definition: filter.describe(),
        fans,
    }))
    .note(format!(
        "segment '{name}' saved: `socialcrm fans list --segment {name}`"
    )))
}

fn list(ctx: &mut Context) -> CliResult<Report> {
    let mut lines = Vec::new();
    for b in BuiltinSegment::ALL {
        let query = FanQuery {
            builtin: Some(b),
            ..FanQuery::default()
        };
        lines.push(SegmentLine {
            name: b.name().into(),
            kind: "built-in",
            definition: b.describe().trim_start_matches("built in: ").into(),
            fans: ctx.store()?.count_fans(&query)?,
        });
    }
    let saved = ctx.store()?.segments()?;
    for segment in saved {
        let filter = SegmentFilter::parse(&segment)?;
        let mut query = FanQuery::default();
        filter.narrow(&segment.name, &mut query)?;
        lines.push(SegmentLine {
            fans: ctx.store()?.count_fans(&query)?,
            name: segment.name,
            kind: "saved",
            definition: filter.describe(),
        });
    }
    Ok(Report::data(List(lines)))
}

/// `segments show`: the segment, then its members' first page.
struct SegmentShow {
    segment: SegmentLine,
    members: Vec<FanRow>,
}

impl Render for SegmentShow {
    fn json(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(&self.segment).expect("segment serializes");
        value["members"] = serde_json::to_value(&self.members).expect("fans serialize");
        value
    }

    fn sections(&self) -> Vec<Section> {
        let mut sections = Detail(self.segment.clone()).sections();
        let mut members = List(self.members.clone()).sections();
        members[0].title = Some("Members".into());
        sections.extend(members);
        sections
    }

    /// The members, as `fans list --segment NAME -o csv` prints them.
    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        List(self.members.clone()).csv()
    }
}

fn show(ctx: &mut Context, name: &str, page: crate::cli::PageArgs) -> CliResult<Report> {
    let mut query = FanQuery::default();
    let (kind, definition) = match BuiltinSegment::parse(name) {
        Some(b) => {
            query.builtin = Some(b);
            (
                "built-in",
                b.describe().trim_start_matches("built in: ").into(),
            )
        }
        None => {
            let segment = saved(ctx, name)?;
            let filter = SegmentFilter::parse(&segment)?;
            filter.narrow(name, &mut query)?;
            ("saved", filter.describe())
        }
    };
    let store = ctx.store()?;
    let fans = store.count_fans(&query)?;
    query.page = (&page).into();
    let members = store.list_fans(&query)?;
    let note = paging_note(
        members.len(),
        page.limit,
        members.last().map(|f| f.id),
        "fans",
    );
    let mut report = Report::data(SegmentShow {
        segment: SegmentLine {
            name: name.into(),
            kind,
            definition,
            fans,
        },
        members,
    });
    report.notes.extend(note);
    Ok(report)
}

fn delete(ctx: &mut Context, name: &str) -> CliResult<Report> {
    if BuiltinSegment::parse(name).is_some() {
        return Err(CliError::usage(format!(
            "'{name}' is built in and cannot be deleted"
        )));
    }
    let operator = ctx.config.operator.clone();
    let audit = audit_entry(
        &operator,
        "segments.delete",
        None,
        None,
        format!("segment '{name}' deleted"),
    );
    if !ctx.store()?.delete_segment(name, &audit)? {
        return Err(CliError::failure(format!("no segment named '{name}'"))
            .with_hint("`socialcrm segments list` shows them"));
    }
    Ok(Report {
        body: super::Body::Nothing,
        notes: vec![format!("segment '{name}' deleted")],
        exit: crate::error::ExitCode::Success,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 3] = ["zqerase", "Zyxo Quillfeather", "of-zq-771"];

    fn definition(search: &str, tag: Option<&str>) -> String {
        serde_json::to_string(&SegmentFilter {
            search: Some(search.into()),
            tags: tag.into_iter().map(String::from).collect(),
            ..SegmentFilter::default()
        })
        .unwrap()
    }

    #[test]
    fn a_search_naming_the_erased_fan_is_cleared_and_an_empty_segment_deleted() {
        let tagged = serde_json::to_string(&SegmentFilter {
            tags: vec!["vip".into()],
            ..SegmentFilter::default()
        })
        .unwrap();
        for named in [
            "@ZQerase",
            "from Zyxo Quillfeather",
            "quillfeather",
            " OF-ZQ-771 ",
        ] {
            assert_eq!(
                SegmentFilter::scrub(&definition(named, Some("vip")), &NAMES),
                SegmentScrub::Rewrite(tagged.clone()),
                "{named}"
            );
            assert_eq!(
                SegmentFilter::scrub(&definition(named, None), &NAMES),
                SegmentScrub::Delete,
                "{named}"
            );
        }
        // Merely matching the fan, or naming someone else, is not naming them.
        for other in ["zq", "zqe", "Zy", "fan_", "keeper"] {
            assert_eq!(
                SegmentFilter::scrub(&definition(other, None), &NAMES),
                SegmentScrub::Keep,
                "{other}"
            );
        }
        assert_eq!(SegmentFilter::scrub(&tagged, &NAMES), SegmentScrub::Keep);
        assert_eq!(
            SegmentFilter::scrub("{not json", &NAMES),
            SegmentScrub::Keep
        );
    }
}
