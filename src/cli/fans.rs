use chrono::{DateTime, Utc};
use clap::{Subcommand, ValueEnum};

use super::{PageArgs, parse_when};
use crate::vocab::PlatformId;

/// How `fans list` orders its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FanSortArg {
    /// Lifetime spend (exact cents; the currency is not converted)
    Spend,
    /// When the fan was last seen by the account
    LastSeen,
    /// When the fan was first seen by the account
    FirstSeen,
    /// The fan's username (as stored, byte order)
    Username,
}

#[derive(Debug, Subcommand)]
pub enum FansCommand {
    /// List fan relationships (one row per fan and account), a page at a time
    ///
    /// A fan is one person on one platform (`id`, what `fans show` takes); each account
    /// (creator) that knows them has its own relationship with its own status, dates and spend
    /// (`relationship_id`, with its `account`). Rows come by relationship id unless --sort
    /// says otherwise; with --min-spend/--max-spend and no --sort they come by spend, with
    /// --since/--until by last seen, so a range is read from its index. Rows without the sorted
    /// value (no spend, never seen, no username) come first, or last with --desc.
    ///
    /// Page through with --after set to the `relationship_id` of the last row shown, keeping
    /// the same filters, --sort and --desc: no row is skipped or repeated, however deep.
    List {
        /// Only fans on this platform
        #[arg(long, short)]
        platform: Option<PlatformId>,

        /// Only relationships with this account (the creator's local name, as for connect)
        #[arg(long, short, value_name = "NAME")]
        account: Option<String>,

        /// Only relationships with this status (e.g. active, expired; OnlyFans statuses are
        /// stored lowercase)
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,

        /// Only relationships with a lifetime spend of at least AMOUNT (major units: 12.50)
        #[arg(long, value_name = "AMOUNT", value_parser = parse_cents)]
        min_spend: Option<i64>,

        /// Only relationships with a lifetime spend of at most AMOUNT (major units: 12.50)
        #[arg(long, value_name = "AMOUNT", value_parser = parse_cents)]
        max_spend: Option<i64>,

        /// Only fans whose username, display name or platform id contains TEXT (any case)
        ///
        /// Case is ignored (Unicode lowercasing), accents count, `%` and `_` are literal. Three
        /// characters or more are looked up in a trigram index; one or two read every row.
        #[arg(long, short, value_name = "TEXT")]
        search: Option<String>,

        /// Only fans last seen at or after this date (2026-11-01, RFC 3339, or 7d/12h ago)
        #[arg(long, value_name = "DATE", value_parser = parse_when)]
        since: Option<DateTime<Utc>>,

        /// Only fans last seen before this date
        #[arg(long, value_name = "DATE", value_parser = parse_when)]
        until: Option<DateTime<Utc>>,

        /// Order rows by this value, then by relationship id
        #[arg(long, value_name = "KEY")]
        sort: Option<FanSortArg>,

        /// Largest (latest) first
        #[arg(long)]
        desc: bool,

        #[command(flatten)]
        page: PageArgs,
    },

    /// Show one fan: the identity, each account's relationship, their sum and latest messages
    ///
    /// FAN is the fan's id (the `id` column of `fans list`), or PLATFORM:USER where USER is the
    /// platform's user id or the username (with or without @), e.g. `onlyfans:@anna`. The
    /// organization spend is the sum of the relationships' lifetime spend, per currency
    /// (amounts in different currencies are never added).
    Show {
        /// The fan: ID or PLATFORM:USER
        fan: String,

        /// How many of the latest messages to show
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(0..=1000))]
        messages: u32,
    },
}

/// An amount in major units ("12.50", "12", "-3.5") as exact cents: no floating point, at most
/// two decimals.
pub fn parse_cents(raw: &str) -> Result<i64, String> {
    let text = raw.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let bad = || format!("'{raw}' is not an amount like 12.50");
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    if fraction.len() > 2 {
        return Err(format!(
            "'{raw}' has more than two decimals (amounts are in cents)"
        ));
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| bad())?;
    let total = whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(cents))
        .ok_or_else(|| format!("'{raw}' is too large"))?;
    Ok(if negative { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::parse_cents;

    #[test]
    fn amounts_parse_exactly_into_cents() {
        assert_eq!(parse_cents("12.50"), Ok(1250));
        assert_eq!(parse_cents("12.5"), Ok(1250));
        assert_eq!(parse_cents("12"), Ok(1200));
        assert_eq!(parse_cents(".05"), Ok(5));
        assert_eq!(parse_cents("-3.01"), Ok(-301));
        assert_eq!(parse_cents("0.1"), Ok(10));
        assert!(parse_cents("12.505").is_err());
        assert!(parse_cents("1e3").is_err());
        assert!(parse_cents("").is_err());
        assert!(parse_cents(".").is_err());
        assert!(parse_cents("99999999999999999999").is_err());
    }
}
