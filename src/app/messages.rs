//! `messages list`.

use super::{Context, Report};
use crate::cli::MessagesCommand;
use crate::error::CliResult;
use crate::output::Columns;
use crate::store::model::{MessageQuery, MessageRow};

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
        page: (&page).into(),
        platform,
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

/// The columns in the order `messages list` has always had, which is not the record's: the
/// fan's username sits beside the fan's id inside the flattened message.
impl Columns for MessageRow {
    fn columns() -> Option<&'static [&'static str]> {
        Some(&[
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
        ])
    }

    fn table_columns() -> Option<&'static [&'static str]> {
        Some(&[
            "id",
            "platform",
            "account",
            "sent_at",
            "direction",
            "kind",
            "fan_username",
            "body",
        ])
    }

    fn dropped_first() -> &'static [&'static str] {
        &["kind", "account", "platform", "direction"]
    }

    fn to_the_second() -> &'static [&'static str] {
        &["sent_at", "created_at", "updated_at"]
    }
}
