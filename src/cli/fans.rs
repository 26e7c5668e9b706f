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

/// The `fans` subcommands.
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

        /// Only fans tagged TAG (for the relationship's account or for every account); repeat
        /// to require all of them
        #[arg(long = "tag", value_name = "TAG", value_parser = tag_name)]
        tags: Vec<String>,

        /// Only the members of this segment: a saved one (`segments list`) or a built-in one
        /// (whales, new, cold), combined with the other filters
        #[arg(long, value_name = "NAME")]
        segment: Option<String>,

        /// Order rows by this value, then by relationship id
        #[arg(long, value_name = "KEY")]
        sort: Option<FanSortArg>,

        /// Largest (latest) first
        #[arg(long)]
        desc: bool,

        /// `--limit` and `--after`.
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

    /// Tag a fan (idempotent: a tag already there stays as it was)
    ///
    /// Tags are trimmed and lower-cased, then must be 1 to 40 characters of a-z, 0-9, and
    /// `_ - . :`. A tag is for every account unless --account names the creator it is for (an
    /// agency tagging a fan for one creator). `fans list --tag TAG` finds tagged fans. Every
    /// change is in the audit log, which names the fan's id and the tags.
    Tag {
        /// The fan: ID or PLATFORM:USER
        fan: String,

        /// The tags to add
        #[arg(required = true, value_name = "TAG", value_parser = tag_name)]
        tags: Vec<String>,

        /// Tag the fan for this account (creator) only
        #[arg(long, value_name = "NAME", value_parser = super::account_name)]
        account: Option<String>,
    },

    /// Take tags off a fan (idempotent: a tag that is not there is no error)
    ///
    /// --account takes off the tags given for that account; without it, the tags for every
    /// account.
    Untag {
        /// The fan: ID or PLATFORM:USER
        fan: String,

        /// The tags to take off
        #[arg(required = true, value_name = "TAG", value_parser = tag_name)]
        tags: Vec<String>,

        /// Untag the fan for this account (creator) only
        #[arg(long, value_name = "NAME", value_parser = super::account_name)]
        account: Option<String>,
    },

    /// Add a note to a fan: append-only, stamped with the time and the operator
    ///
    /// The operator is $SOCIALCRM_OPERATOR, else the OS user. Notes are shown newest first by
    /// `fans show`, and are never edited; `fans delete` removes them with the fan. The audit
    /// entry says a note was added and how long it is, never its text.
    Note {
        /// The fan: ID or PLATFORM:USER
        fan: String,

        /// The note (at most 4000 characters)
        #[arg(value_name = "TEXT")]
        text: String,

        /// The note is about the fan's relationship with this account (creator)
        #[arg(long, value_name = "NAME", value_parser = super::account_name)]
        account: Option<String>,
    },

    /// Erase a fan: every row about them, in one transaction (a deletion request)
    ///
    /// Removes the fan's identity, messages, analytics events attributed to them (payments),
    /// tags and notes; earlier audit entries about the fan's tags and notes lose their detail,
    /// saved segments whose --search names the fan lose that search (deleted when it was
    /// their only filter), and the new audit entry names no personal data (only how many rows
    /// went). With
    /// --account, only that account's relationship and rows go, and the identity too when no
    /// other account's is left. Asks for confirmation on a terminal; elsewhere refuses
    /// without --yes. A later import or sync brings the fan back only if the platform (or the
    /// export) still has them: delete them there too.
    Delete {
        /// The fan: ID or PLATFORM:USER
        fan: String,

        /// Erase only this account's relationship with the fan and its rows
        #[arg(long, value_name = "NAME", value_parser = super::account_name)]
        account: Option<String>,

        /// Do not ask: erase at once (needed when stdin is not a terminal)
        #[arg(long)]
        yes: bool,
    },
}

/// Longest tag, in characters.
pub const TAG_MAX: usize = 40;

/// A tag as stored: trimmed, lower-cased, 1 to `TAG_MAX` characters of `a-z 0-9 _ - . :`.
pub fn tag_name(raw: &str) -> Result<String, String> {
    super::lowercase_name(raw, "a tag", TAG_MAX, "_-.:", "a-z, 0-9 and _ - . :")
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
    use super::{parse_cents, tag_name};

    #[test]
    fn tags_are_folded_and_checked() {
        assert_eq!(tag_name("  VIP ").unwrap(), "vip");
        assert_eq!(tag_name("Big-Spender:2026").unwrap(), "big-spender:2026");
        assert!(tag_name("   ").is_err());
        assert!(tag_name("two words").is_err());
        assert!(tag_name("émoji").is_err());
        assert!(tag_name(&"x".repeat(41)).is_err());
        assert!(tag_name(&"x".repeat(40)).is_ok());
    }

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
