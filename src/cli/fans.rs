use chrono::{DateTime, Utc};
use clap::Subcommand;

use super::{PageArgs, parse_when};
use crate::vocab::PlatformId;

#[derive(Debug, Subcommand)]
pub enum FansCommand {
    /// List fans, oldest first, a page at a time
    ///
    /// Page through with --after set to the id of the last row shown.
    List {
        /// Only fans on this platform
        #[arg(long, short)]
        platform: Option<PlatformId>,

        /// Only fans whose username, display name or platform id contains TEXT (any case)
        #[arg(long, short, value_name = "TEXT")]
        search: Option<String>,

        /// Only fans last seen at or after this date (2026-11-01, RFC 3339, or 7d/12h ago)
        #[arg(long, value_name = "DATE", value_parser = parse_when)]
        since: Option<DateTime<Utc>>,

        /// Only fans last seen before this date
        #[arg(long, value_name = "DATE", value_parser = parse_when)]
        until: Option<DateTime<Utc>>,

        /// Only fans tagged TAG (for any account); repeat to require all of them
        #[arg(long = "tag", value_name = "TAG", value_parser = tag_name)]
        tags: Vec<String>,

        /// Only the members of this segment: a saved one (`segments list`) or a built-in one
        /// (whales, new, cold), combined with the other filters
        #[arg(long, value_name = "NAME")]
        segment: Option<String>,

        #[command(flatten)]
        page: PageArgs,
    },

    /// Show one fan in detail
    ///
    /// FAN is the fan's id (from `fans list`), or PLATFORM:USER where USER is the platform's
    /// user id or the username (with or without @), e.g. `onlyfans:@anna`.
    Show {
        /// The fan: ID or PLATFORM:USER
        fan: String,
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
    /// and the new audit entry names no personal data (only how many rows went). With
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

/// A tag as stored: trimmed, lower-cased, 1 to [`TAG_MAX`] characters of `a-z 0-9 _ - . :`.
pub fn tag_name(raw: &str) -> Result<String, String> {
    let tag = raw.trim().to_lowercase();
    if tag.is_empty() {
        return Err("a tag cannot be empty".into());
    }
    if tag.chars().count() > TAG_MAX {
        return Err(format!("a tag is at most {TAG_MAX} characters"));
    }
    if let Some(bad) = tag
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || "_-.:".contains(*c)))
    {
        return Err(format!(
            "a tag holds only a-z, 0-9 and _ - . : (not {bad:?})"
        ));
    }
    Ok(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
