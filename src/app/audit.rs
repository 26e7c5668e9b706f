//! `audit list`.

use super::{Context, Report, time_cell};
use crate::cli::AuditCommand;
use crate::error::CliResult;
use crate::output::{Record, cell};
use crate::store::model::{AuditQuery, AuditRow, Page};

pub fn run(ctx: &mut Context, cmd: AuditCommand) -> CliResult<Report> {
    let AuditCommand::List {
        platform,
        action,
        search,
        since,
        until,
        page,
    } = cmd;
    let query = AuditQuery {
        page: Page {
            limit: page.limit,
            after: page.after,
        },
        platform: platform.map(|p| p.name().to_string()),
        search,
        action,
        since,
        until,
    };
    let entries = ctx.store()?.list_audit(&query)?;
    Ok(Report::page(entries, page.limit, |e| e.id, "audit entries"))
}

impl Record for AuditRow {
    fn columns() -> Vec<&'static str> {
        vec![
            "id", "event_id", "at", "actor", "action", "platform", "account", "outcome", "detail",
        ]
    }

    fn table_columns() -> Vec<&'static str> {
        vec![
            "id", "at", "actor", "action", "platform", "account", "outcome", "detail",
        ]
    }

    fn dropped_first() -> &'static [&'static str] {
        &["actor", "account", "platform", "id"]
    }

    fn cells(&self) -> Vec<String> {
        let e = &self.entry;
        vec![
            self.id.to_string(),
            e.event_id.clone(),
            time_cell(&Some(e.at)),
            e.actor.clone(),
            e.action.clone(),
            cell(&e.platform),
            cell(&e.account),
            e.outcome.clone(),
            cell(&e.detail),
        ]
    }
}
