use clap::{Subcommand, ValueEnum};

use super::PageArgs;

/// How `people list` orders its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PersonSortArg {
    /// The identities' summed lifetime spend (exact cents; currencies are not converted)
    Spend,
    /// When any identity was last seen by an account
    LastSeen,
}

/// A suggestion's confidence: a number from 0 to 1.
fn confidence(raw: &str) -> Result<f64, String> {
    let v: f64 = raw
        .trim()
        .parse()
        .map_err(|_| format!("'{raw}' is not a number from 0 to 1"))?;
    if !(0.0..=1.0).contains(&v) {
        return Err(format!("'{raw}' is not a number from 0 to 1"));
    }
    Ok(v)
}

/// The `people` subcommands.
#[derive(Debug, Subcommand)]
pub enum PeopleCommand {
    /// List people (fan identities linked across platforms), a page at a time
    ///
    /// Each row is one person with how many identities and platforms it groups, the summed
    /// lifetime spend of the identities' relationships and when any of them was last seen.
    /// With --account only people that account knows, with that account's spend. Page with
    /// --after set to the `id` of the last row shown, keeping the same filters and --sort.
    List {
        /// Only people known to this account, with its spend and activity
        #[arg(long, short, value_name = "NAME")]
        account: Option<String>,

        /// Only people seen on at least N platforms
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..))]
        platforms: Option<i64>,

        /// Order rows by this value, then by person id
        #[arg(long, value_name = "KEY")]
        sort: Option<PersonSortArg>,

        /// Largest (latest) first
        #[arg(long)]
        desc: bool,

        /// `--limit` and `--after`.
        #[command(flatten)]
        page: PageArgs,
    },

    /// Show one person: every identity, per-account spend and activity, a message timeline
    ///
    /// PERSON is the person's id (`people list`). The spend is summed per currency; the
    /// timeline holds the latest messages and comments with any identity, on any platform.
    Show {
        /// The person's id
        person: i64,

        /// How many of the latest messages to show
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(0..=1000))]
        messages: u32,
    },

    /// Link fan identities as one person (an operator's decision, kept with your name)
    ///
    /// FAN is a fan id or PLATFORM:USER as for `fans show`. The fans join the person one of
    /// them already belongs to, or a new person; fans of two different people are refused
    /// (unlink one first). The decision (operator from $SOCIALCRM_OPERATOR, else the OS user)
    /// is recorded and audited. Example: `socialcrm people link tiktok:@lily_fan onlyfans:lilyfan`
    Link {
        /// Two or more fans: ID or PLATFORM:USER
        #[arg(num_args = 2.., required = true, value_name = "FAN")]
        fans: Vec<String>,

        /// Why: kept with the decision
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },

    /// Take a fan out of its person, undoing the link exactly
    ///
    /// A person left with a single identity is dissolved, so unlinking one of two linked
    /// fans leaves the graph as it was before they were linked. The decision is recorded.
    Unlink {
        /// The fan: ID or PLATFORM:USER
        fan: String,

        /// Why: kept with the decision
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },

    /// Propose fan identities on different platforms that may be one person, with evidence
    ///
    /// Nothing is linked: accept a suggestion with `people accept ID`, or reject it with
    /// `people reject ID` (a rejected pair is never suggested again). Signals and weights:
    ///
    /// - handle 0.70: the same normalised handle (case, @, _ . - ignored) on two platforms
    ///
    /// - digits 0.30: handles that differ only by trailing digits (lily, lily_92): weak alone
    ///
    /// - name 0.50: the same display name (case, spaces, punctuation ignored) with a shared
    ///   handle stem
    ///
    /// - mention 0.90: a fan's message names the other's handle ("my OF is lilyfan", "@lily_fan
    ///   on tiktok", "u/lilyfan")
    ///
    /// Emails and profile links are not signals: no platform's API gives socialcrm one.
    /// The confidence is 1-(1-w1)(1-w2)... over the signals: a shared handle alone (0.70) stays below the
    /// default threshold; with the same display name it is 0.85. Candidates are found by
    /// blocking on the handle stem (an index), never by comparing all pairs; a stem shared by
    /// more than 50 fans is too common to be evidence and is skipped (counted in a note).
    /// The ID is the pair's fan ids, lower first (`12-857`): stable across runs.
    Suggest {
        /// Only pairs where at least one fan is known to this account
        #[arg(long, short, value_name = "NAME")]
        account: Option<String>,

        /// Least confidence to propose (0 to 1)
        #[arg(long, value_name = "C", default_value = "0.8", value_parser = confidence)]
        min_confidence: f64,

        /// Most suggestions to print, the most confident first
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        limit: u32,
    },

    /// Link a suggested pair (by its ID from `people suggest`), recording its evidence
    Accept {
        /// The suggestion's ID (`12-857`)
        id: String,

        /// Why: kept with the decision
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },

    /// Record that a suggested pair is not one person: it is never suggested again
    ///
    /// The rejection is kept by fan ids, which re-imports and syncs keep, so it holds across
    /// them. `people link` can still link the two by hand.
    Reject {
        /// The suggestion's ID (`12-857`)
        id: String,

        /// Why: kept with the decision
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
}
