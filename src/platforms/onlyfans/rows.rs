//! One row of an OnlyFans export as CRM records, or the reason it is rejected.
//!
//! - fans: a fan, keyed by the export's fan id, or by the lowercased username when it has none.
//! - messages: a message, and the fan it is with (first/last seen from the message time).
//! - earnings: the payment as `gross_<type>`, `net_<type>` and `fee_<type>` analytics events
//!   of subject `transaction`, attributed to the fan; the fan's lifetime spend is summed from
//!   them after the import (`Store::refresh_fans_from`).
//!
//! Exports without ids get a stable one from the row's content ([`content_id`]), so importing
//! the same file twice still writes nothing the second time. A row whose key (fan, message or
//! transaction id) an earlier row of the file gave is rejected: the first one is kept.

use chrono::{DateTime, Utc};

use super::PLATFORM;
use super::fields::{earnings as e, fans as f, links as l, messages as m};
use crate::import::batch::Parsed;
use crate::import::reader::{ColumnMap, Row};
use crate::import::seen::FileKeys;
use crate::import::values::{DateOrder, Money, parse_amount, parse_count, parse_datetime};
use crate::store::model::{AnalyticsEvent, Contact, ContactKind, Fan, Message, TrackingLink};

/// The longest cell a real export has is a few hundred characters (a note or a message); far
/// longer is a broken file, refused rather than stored.
pub const MAX_CELL: usize = 16 * 1024;

/// How a row's cells are read: the column map, the date order, and the row; and the local
/// account (the creator) whose export it is, which every record of the row belongs to.
pub struct Cells<'a> {
    /// Which cell of a row is which field, from the file's header.
    pub map: &'a ColumnMap,
    /// The row, with its line number for reasons.
    pub row: &'a Row,
    /// How ambiguous numeric dates read (`--date-format`).
    pub dates: DateOrder,
    /// The creator whose export it is (`--account`).
    pub account: &'a str,
}

impl<'a> Cells<'a> {
    fn get(&self, field: usize) -> Option<&'a str> {
        self.map.get(self.row, field)
    }

    /// The value of `field` read by `parse` (none when the cell is empty or absent); an error
    /// names the column.
    fn parsed<T, E: std::fmt::Display>(
        &self,
        field: usize,
        name: &str,
        parse: impl Fn(&str) -> Result<Option<T>, E>,
    ) -> Result<Option<T>, String> {
        self.get(field)
            .map(|v| parse(v).map_err(|e| format!("{name}: {e}")))
            .transpose()
            .map(Option::flatten)
    }

    fn date(&self, field: usize, name: &str) -> Result<Option<DateTime<Utc>>, String> {
        self.parsed(field, name, |v| parse_datetime(v, self.dates))
    }

    fn count(&self, field: usize, name: &str) -> Result<Option<i64>, String> {
        self.parsed(field, name, parse_count)
    }

    fn amount(&self, field: usize, name: &str) -> Result<Option<Money>, String> {
        self.parsed(field, name, parse_amount)
    }

    /// The currency of `amount`: the `field` column's (upper-cased), else the amount's own
    /// symbol or code, else USD; none without an amount or a currency column.
    fn currency(&self, field: usize, amount: &Option<Money>) -> Option<String> {
        self.get(field)
            .map(str::to_ascii_uppercase)
            .or_else(|| amount.as_ref().and_then(|m| m.currency.clone()))
            .or_else(|| amount.as_ref().map(|_| "USD".to_string()))
    }

    /// The fan a row names: (key, username). The platform's id wins; a username is the key
    /// only when there is no id, lowercased because OnlyFans handles are case-insensitive.
    fn fan(&self, id: usize, username: usize) -> Option<(String, Option<String>)> {
        let name = self
            .get(username)
            .map(|u| u.trim_start_matches('@').to_string())
            .filter(|u| !u.is_empty());
        match (self.get(id), name) {
            (Some(id), name) => Some((id.to_string(), name)),
            (None, Some(name)) => Some((name.to_lowercase(), Some(name))),
            (None, None) => None,
        }
    }

    /// Claims `key` for this row; `what` names it in the reason when an earlier row has it.
    fn first(
        &self,
        keys: &mut FileKeys,
        key: &str,
        what: impl FnOnce(u64) -> String,
    ) -> Result<(), String> {
        keys.records.first(key, self.row.line).map_err(what)
    }

    fn check_lengths(&self) -> Result<(), String> {
        match self.row.iter().find(|c| c.len() > MAX_CELL) {
            Some(long) => Err(format!(
                "a cell is {} bytes long (at most {MAX_CELL})",
                long.len()
            )),
            None => Ok(()),
        }
    }
}

fn bare_fan(account: &str, key: String, username: Option<String>) -> Fan {
    Fan {
        account: account.into(),
        username,
        source: "csv".into(),
        ..Fan::seen_nowhere(PLATFORM, key)
    }
}

/// A fans export row.
pub fn fan(c: &Cells, out: &mut Parsed, keys: &mut FileKeys) -> Result<(), String> {
    c.check_lengths()?;
    let (key, username) = c
        .fan(f::FAN_ID, f::USERNAME)
        .ok_or("no username or fan id")?;
    let spent = c.amount(f::TOTAL_SPENT, "total_spent")?;
    let currency = c.currency(f::CURRENCY, &spent);
    let first_seen_at = c.date(f::SUBSCRIBED_AT, "subscribed_at")?;
    let last_seen_at = c.date(f::LAST_ACTIVE_AT, "last_active_at")?;
    c.first(keys, &key, |line| {
        format!("fan {key:?} is already on line {line} (the first row of a fan is imported)")
    })?;
    out.fans.push(Fan {
        display_name: c.get(f::DISPLAY_NAME).map(str::to_string),
        status: c.get(f::STATUS).map(str::to_lowercase),
        subscribed_at: first_seen_at,
        first_seen_at,
        last_seen_at,
        lifetime_spend_cents: spent.map(|m| m.cents),
        currency,
        referral: c.get(f::REFERRAL).map(str::to_string),
        contacts: c
            .get(f::EMAIL)
            .and_then(crate::platforms::profile::email)
            .map(|value| Contact {
                kind: ContactKind::Email,
                value,
            })
            .into_iter()
            .collect(),
        ..bare_fan(c.account, key, username)
    });
    Ok(())
}

/// A messages export row.
pub fn message(c: &Cells, out: &mut Parsed, keys: &mut FileKeys) -> Result<(), String> {
    c.check_lengths()?;
    let (fan_key, username) = c
        .fan(m::FAN_ID, m::USERNAME)
        .ok_or("no username or fan id")?;
    let sent_at = c.date(m::SENT_AT, "sent_at")?.ok_or("sent_at: empty")?;
    let direction = direction(c.get(m::DIRECTION).unwrap_or(""))?;
    let body = c.get(m::BODY).map(str::to_string);
    let paid = c
        .amount(m::PRICE, "price")?
        .is_some_and(|price| price.cents > 0);
    let given = c.get(m::MESSAGE_ID);
    let id = match given {
        Some(id) => id.to_string(),
        None => content_id(&[
            &fan_key,
            &sent_at.to_rfc3339(),
            direction,
            body.as_deref().unwrap_or(""),
        ]),
    };
    c.first(keys, &id, |line| match given {
        Some(_) => format!(
            "message {id:?} is already on line {line} (the first row of a message is imported)"
        ),
        None => {
            format!("the same message (fan, time, direction and text) is already on line {line}")
        }
    })?;
    out.seen_fan(
        Fan {
            first_seen_at: Some(sent_at),
            last_seen_at: Some(sent_at),
            ..bare_fan(c.account, fan_key.clone(), username)
        },
        &mut keys.fans,
        c.row.line,
    );
    out.messages.push(Message {
        platform: PLATFORM,
        account: c.account.into(),
        platform_message_id: id,
        fan_platform_user_id: Some(fan_key),
        direction: direction.into(),
        kind: if paid { "ppv" } else { "dm" }.into(),
        body,
        sent_at,
        thread_ref: None,
        post_ref: None,
    });
    Ok(())
}

/// Exports say who wrote a message in many ways; `in` is from the fan.
fn direction(raw: &str) -> Result<&'static str, String> {
    match raw.trim().to_lowercase().as_str() {
        "in" | "incoming" | "inbound" | "received" | "fan" | "from fan" | "subscriber" => Ok("in"),
        "out" | "outgoing" | "outbound" | "sent" | "creator" | "me" | "model" | "you" => Ok("out"),
        "" => Err("direction: empty".into()),
        other => Err(format!(
            "direction: '{other}' is neither in nor out (use in/out, received/sent or fan/creator)"
        )),
    }
}

/// An earnings (statement / transactions) export row.
pub fn earning(c: &Cells, out: &mut Parsed, keys: &mut FileKeys) -> Result<(), String> {
    c.check_lengths()?;
    let at = c
        .date(e::OCCURRED_AT, "occurred_at")?
        .ok_or("occurred_at: empty")?;
    let description = c.get(e::DESCRIPTION);
    let kind = earning_type(c.get(e::TYPE).or(description).unwrap_or(""));
    let gross = c.amount(e::GROSS, "gross")?;
    let fee = c.amount(e::FEE, "fee")?;
    let net = c.amount(e::NET, "net")?;
    if gross.is_none() && net.is_none() {
        return Err("no gross or net amount".into());
    }
    if let (Some(g), Some(n)) = (&gross, &net)
        && n.cents.abs() > g.cents.abs()
    {
        return Err(format!(
            "net ({}) is more than gross ({})",
            cents_text(n.cents),
            cents_text(g.cents)
        ));
    }
    let currency = c
        .get(e::CURRENCY)
        .map(str::to_ascii_uppercase)
        .or_else(|| {
            [&gross, &net, &fee]
                .iter()
                .find_map(|m| m.as_ref()?.currency.clone())
        })
        .unwrap_or_else(|| "USD".into());
    let fan = c
        .fan(e::FAN_ID, e::USERNAME)
        .or_else(|| mentioned_fan(description?));
    let fan_key = fan.as_ref().map(|(k, _)| k.clone());
    let given = c.get(e::TRANSACTION_ID);
    let id = match given {
        Some(id) => id.to_string(),
        None => content_id(&[
            &at.to_rfc3339(),
            kind,
            fan_key.as_deref().unwrap_or(""),
            &gross
                .as_ref()
                .or(net.as_ref())
                .map_or(0, |m| m.cents)
                .to_string(),
        ]),
    };
    c.first(keys, &id, |line| match given {
        Some(_) => format!("transaction {id:?} is already on line {line} (the first row of a transaction is imported)"),
        None => format!("the same payment (time, type, fan and amount) is already on line {line}; give the rows transaction ids to import both"),
    })?;
    // Refunds and chargebacks take money back, whatever sign the export gives them.
    let sign = |cents: i64| {
        if matches!(kind, "refund" | "chargeback") {
            -cents.abs()
        } else {
            cents
        }
    };
    for (metric, amount) in [("gross", &gross), ("net", &net), ("fee", &fee)] {
        if let Some(money) = amount {
            out.events.push(AnalyticsEvent {
                platform: PLATFORM,
                account: c.account.into(),
                subject_type: "transaction".into(),
                subject_id: id.clone(),
                metric: format!("{metric}_{kind}"),
                period: "instant".into(),
                period_start: at,
                value: sign(money.cents) as f64 / 100.0,
                unit: Some(currency.clone()),
                fan_platform_user_id: fan_key.clone(),
            });
        }
    }
    if let Some((key, username)) = fan {
        out.seen_fan(
            Fan {
                first_seen_at: Some(at),
                last_seen_at: Some(at),
                currency: Some(currency),
                ..bare_fan(c.account, key, username)
            },
            &mut keys.fans,
            c.row.line,
        );
    }
    Ok(())
}

/// A tracking-links export row: one link's figures, for its lifetime or for the row's period.
/// Its key is the link's normalised URL and the period, so a link named differently in a
/// later export (or written with another scheme or case) stays one link.
pub fn link(c: &Cells, out: &mut Parsed, keys: &mut FileKeys) -> Result<(), String> {
    c.check_lengths()?;
    let url = c.get(l::URL).ok_or("url: empty")?;
    let link_key = super::links::normalize(url).ok_or_else(|| {
        format!("url: {url:?} is not a link (write it like https://onlyfans.com/you/c12)")
    })?;
    let clicks = c.count(l::CLICKS, "clicks")?;
    let subscribers = c.count(l::SUBSCRIBERS, "subscribers")?;
    let revenue = c.amount(l::REVENUE, "revenue")?;
    if clicks.is_none() && subscribers.is_none() && revenue.is_none() {
        return Err("no clicks, subscribers or revenue".into());
    }
    let period_start = c.date(l::PERIOD_START, "period_start")?;
    let period_end = c.date(l::PERIOD_END, "period_end")?;
    if let (Some(s), Some(e)) = (period_start, period_end)
        && e < s
    {
        return Err("period_end is before period_start".into());
    }
    let stamp = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default()
    };
    let period = match (period_start, period_end) {
        (None, None) => "all".to_string(),
        (None, Some(_)) => return Err("period_end without period_start".into()),
        (s, e) => format!("{}/{}", stamp(s), stamp(e)),
    };
    let currency = c.currency(l::CURRENCY, &revenue);
    let link_created_at = c.date(l::CREATED_AT, "created_at")?;
    let record = format!("{link_key}\u{1f}{period}");
    c.first(keys, &record, |line| {
        format!("link {url:?} for this period is already on line {line} (the first row of a link and period is imported)")
    })?;
    out.links.push(TrackingLink {
        account: c.account.into(),
        link_key,
        period,
        name: c.get(l::NAME).map(str::to_string),
        url: url.to_string(),
        period_start,
        period_end,
        clicks,
        subscribers,
        revenue_cents: revenue.map(|m| m.cents),
        currency,
        link_created_at,
    });
    Ok(())
}

/// The kind of payment, from the export's type column or its description ("Payment for message
/// from @x"), in the categories OnlyFans statements use.
fn earning_type(text: &str) -> &'static str {
    let t = text.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if has(&["chargeback"]) {
        "chargeback"
    } else if has(&["refund"]) {
        "refund"
    } else if has(&["tip"]) {
        "tip"
    } else if has(&["subscri", "rebill", "renew"]) {
        "subscription"
    } else if has(&["message", "ppv", "chat"]) {
        "message"
    } else if has(&["stream"]) {
        "stream"
    } else if has(&["referral"]) {
        "referral"
    } else if has(&["post"]) {
        "post"
    } else {
        "other"
    }
}

/// `@handle` in a statement description, as the paying fan.
fn mentioned_fan(description: &str) -> Option<(String, Option<String>)> {
    let start = description.find('@')? + 1;
    let handle: String = description[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        .collect();
    let handle = handle.trim_end_matches('.').to_string();
    (!handle.is_empty()).then(|| (handle.to_lowercase(), Some(handle)))
}

fn cents_text(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, (cents % 100).abs())
}

/// A stable id for a row that has none: FNV-1a over its identifying parts. Stable across
/// versions and machines (unlike std's hasher), which is what makes re-imports no-ops.
pub fn content_id(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.as_bytes().iter().chain(&[0x1f]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("h:{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_in_the_words_exports_use() {
        for (word, way) in [
            ("Received", "in"),
            ("fan", "in"),
            ("Sent", "out"),
            (" me ", "out"),
        ] {
            assert_eq!(direction(word), Ok(way), "{word:?}");
        }
        assert!(
            direction("sideways")
                .unwrap_err()
                .contains("neither in nor out")
        );
    }

    #[test]
    fn payment_types_from_type_or_description() {
        for (text, kind) in [
            ("Tip", "tip"),
            ("Recurring subscription", "subscription"),
            ("Payment for message from @x", "message"),
            ("Chargeback for tip", "chargeback"),
            ("Post purchase", "post"),
            ("", "other"),
        ] {
            assert_eq!(earning_type(text), kind, "{text:?}");
        }
    }

    #[test]
    fn a_fan_mentioned_in_a_description() {
        assert_eq!(
            mentioned_fan("Tip from @Maple_Rider."),
            Some(("maple_rider".into(), Some("Maple_Rider".into())))
        );
        assert_eq!(mentioned_fan("Payout"), None);
    }

    #[test]
    fn content_ids_are_stable_and_separate_their_parts() {
        assert_eq!(content_id(&["a", "b"]), content_id(&["a", "b"]));
        assert_ne!(content_id(&["ab", ""]), content_id(&["a", "b"]));
        assert_eq!(content_id(&[]), "h:cbf29ce484222325");
    }
}
