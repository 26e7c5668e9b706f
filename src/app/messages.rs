//! `messages list`.

use super::{Context, Report, time_cell};
use crate::cli::MessagesCommand;
use crate::error::CliResult;
use crate::output::{Record, cell};
use crate::store::model::{MessageQuery, MessageRow, Page};

pub fn run(ctx: &mut Context, cmd: MessagesCommand) -> CliResult<Report> {
    let MessagesCommand::List {
        platform,
        account,
        search,
        fan,
        direction,
        since,
        until,
        page,
    } = cmd;
    let mut query = MessageQuery {
        page: Page {
            limit: page.limit,
            after: page.after,
        },
        platform: platform.map(|p| p.name().to_string()),
        account,
        search,
        fan_platform_user_id: None,
        direction: direction.map(|d| d.as_str().to_string()),
        since,
        until,
        newest_first: false,
    };
    if let Some(raw) = fan {
        let fan = super::fans::resolve(ctx, &raw)?;
        query.platform = Some(fan.platform);
        query.fan_platform_user_id = Some(fan.platform_user_id);
    }
    let messages = ctx.store()?.list_messages(&query)?;
    Ok(Report::page(messages, page.limit, |m| m.id, "messages"))
}

impl Record for MessageRow {
    fn columns() -> Vec<&'static str> {
        vec![
            "id",
            "platform",
            "account",
            "platform_message_id",
            "sent_at",
            "direction",
            "kind",
            "fan_platform_user_id",
            "fan_username",
            "body",
            "thread_ref",
            "post_ref",
            "created_at",
            "updated_at",
        ]
    }

    fn table_columns() -> Vec<&'static str> {
        vec![
            "id",
            "platform",
            "account",
            "sent_at",
            "direction",
            "kind",
            "fan_username",
            "body",
        ]
    }

    fn dropped_first() -> &'static [&'static str] {
        &["kind", "account", "platform", "direction"]
    }

    fn cells(&self) -> Vec<String> {
        let m = &self.message;
        vec![
            self.id.to_string(),
            m.platform.clone(),
            m.account.clone(),
            m.platform_message_id.clone(),
            time_cell(&Some(m.sent_at)),
            m.direction.clone(),
            m.kind.clone(),
            cell(&m.fan_platform_user_id),
            cell(&self.fan_username),
            cell(&m.body),
            cell(&m.thread_ref),
            cell(&m.post_ref),
            time_cell(&Some(self.created_at)),
            time_cell(&Some(self.updated_at)),
        ]
    }
}
