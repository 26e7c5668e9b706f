//! `fans list` and `fans show`.

use super::{Context, Report, paging_note, time_cell};
use crate::cli::FansCommand;
use crate::error::{CliError, CliResult};
use crate::output::{Detail, List, Record, cell};
use crate::store::model::{FanQuery, FanRow, FanSelector, Page};
use crate::vocab::PlatformId;

pub fn run(ctx: &mut Context, cmd: FansCommand) -> CliResult<Report> {
    match cmd {
        FansCommand::List {
            platform,
            search,
            since,
            until,
            page,
        } => {
            let query = FanQuery {
                page: Page {
                    limit: page.limit,
                    after: page.after,
                },
                platform: platform.map(|p| p.name().to_string()),
                search,
                since,
                until,
            };
            let fans = ctx.store()?.list_fans(&query)?;
            let note = paging_note(fans.len(), page.limit, fans.last().map(|f| f.id), "fans");
            let mut report = Report::data(List(fans));
            report.notes.extend(note);
            Ok(report)
        }
        FansCommand::Show { fan } => {
            let fan = resolve(ctx, &fan)?;
            Ok(Report::data(Detail(fan)))
        }
    }
}

/// Finds the fan a person named on the command line, or says which one was not found.
pub fn resolve(ctx: &mut Context, raw: &str) -> CliResult<FanRow> {
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
fn money(cents: Option<i64>) -> String {
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
            "platform",
            "platform_user_id",
            "username",
            "display_name",
            "status",
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
            "platform",
            "username",
            "display_name",
            "status",
            "lifetime_spend",
            "message_count",
            "last_seen_at",
        ]
    }

    fn dropped_first() -> &'static [&'static str] {
        &["display_name", "message_count", "platform"]
    }

    fn cells(&self) -> Vec<String> {
        let f = &self.fan;
        vec![
            self.id.to_string(),
            f.platform.clone(),
            f.platform_user_id.clone(),
            cell(&f.username),
            cell(&f.display_name),
            cell(&f.status),
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
