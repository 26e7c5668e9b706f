//! `audit list`.

use super::{Context, Report};
use crate::cli::AuditCommand;
use crate::error::CliResult;
use crate::output::Columns;
use crate::store::model::{AuditQuery, AuditRow};

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
        page: (&page).into(),
        platform,
        search,
        action,
        since,
        until,
    };
    let entries = ctx.store()?.list_audit(&query)?;
    Ok(Report::page(entries, page.limit, |e| e.id, "audit entries"))
}

impl Columns for AuditRow {
    fn table_columns() -> Option<&'static [&'static str]> {
        Some(&[
            "id", "at", "actor", "action", "platform", "account", "outcome", "detail",
        ])
    }

    fn dropped_first() -> &'static [&'static str] {
        &["actor", "account", "platform", "id"]
    }

    fn to_the_second() -> &'static [&'static str] {
        &["at"]
    }
}
