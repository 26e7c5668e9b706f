//! `people suggest`: which fan identities on different platforms may be one person, with the
//! evidence for each pair and a confidence computed from documented weights.
//!
//! Candidates come from two passes, neither comparing all pairs: blocks of fans sharing a
//! handle stem (the stored, indexed `fans.handle_stem`, read a page of stems at a time), and
//! the handles fans name in their messages ("my OF is lilyfan"), looked up by the indexed
//! normalised handle. A block's members are read from the stem index alone (it carries every
//! column scoring compares), their pairs ranked by weights only; whether a passing pair may be
//! proposed (not one person, not rejected, known to `--account`) is looked up for that page's
//! passing pairs, and only the best `--limit` are kept, in a heap. Their evidence is written
//! out at the end, from their fans read by id. Memory holds one page of blocks, the mentions
//! found and the best `--limit` pairs, whatever the number of fans.

use std::collections::{BinaryHeap, HashMap, HashSet};

use serde::Serialize;

use crate::store::Store;
use crate::store::StoreError;
use crate::store::model::{BlockFan, CandidateFan, ContactFan, ContactKind, FanReferral};

/// The same normalised handle on two platforms.
pub const W_HANDLE: f64 = 0.70;
/// Handles that differ only by trailing digits: weak alone.
pub const W_DIGITS: f64 = 0.30;
/// The same normalised display name, with a shared handle stem.
pub const W_NAME: f64 = 0.50;
/// A fan's message names the other identity's handle.
pub const W_MENTION: f64 = 0.90;
/// Both profiles give the same email address (an export's email column, an address in a bio).
pub const W_EMAIL: f64 = 0.95;
/// A profile links to the other identity's profile (`onlyfans.com/lily_fan` in an X bio).
pub const W_PROFILE: f64 = 0.90;
/// Both profiles link the same page (`linktr.ee/lily`): one person's, or a shared one.
pub const W_LINK: f64 = 0.80;
/// The fan came to an account through a referral or tracking link that points at the other
/// identity's platform, and the other identity is a fan of the same account there: support
/// that narrows the candidates to one creator's audience on one platform, not proof.
pub const W_REFERRAL: f64 = 0.40;

/// A stem held by more fans than this is too common to be evidence ("alex").
pub const MAX_BLOCK: usize = 50;
/// Handle stems read per page of blocks.
const BLOCKS_PER_PAGE: u32 = 500;
/// Messages read per page of the mention pass.
const MESSAGES_PER_PAGE: u32 = 2000;
/// Handles shorter than this (normalised) are too short to match on.
const MIN_HANDLE: usize = 3;

/// One piece of evidence for a pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signal {
    /// `handle`, `digits`, `name`, `mention`, `email`, `profile`, `link` or `referral`.
    pub kind: &'static str,
    pub weight: f64,
    /// What was seen, in ids and handles.
    pub detail: String,
}

/// A proposed link between two fans, lower id first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Suggestion {
    /// `<lower fan id>-<higher fan id>`: stable, what `people accept` and `reject` take.
    pub id: String,
    pub confidence: f64,
    pub fan_a: SuggestedFan,
    pub fan_b: SuggestedFan,
    pub signals: Vec<Signal>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SuggestedFan {
    pub id: i64,
    pub platform: String,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub person_id: Option<i64>,
}

impl From<&CandidateFan> for SuggestedFan {
    fn from(c: &CandidateFan) -> Self {
        SuggestedFan {
            id: c.id,
            platform: c.platform.name().into(),
            username: c.username.clone(),
            display_name: c.display_name.clone(),
            person_id: c.person_id,
        }
    }
}

/// 1 - Π(1 - wᵢ): independent signals, each making the link more likely.
pub fn combine(signals: &[Signal]) -> f64 {
    confidence(signals.iter().map(|s| s.weight))
}

/// [`combine`] over bare weights: the scan ranks pairs by this before any evidence is written
/// out, and the same weights in the same order give the same confidence to the bit.
fn confidence(weights: impl IntoIterator<Item = f64>) -> f64 {
    1.0 - weights.into_iter().map(|w| 1.0 - w).product::<f64>()
}

pub use crate::platforms::profile::normalise_handle;

/// A display name compared: lowercase letters and digits only.
fn normalise_name(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// What the handle and display-name signals compare, borrowed from a full candidate or from a
/// block member read off the stem index.
#[derive(Clone, Copy)]
struct Keys<'a> {
    platform: &'a str,
    display_name: Option<&'a str>,
    handle_key: Option<&'a str>,
    handle_stem: Option<&'a str>,
}

impl<'a> From<&'a CandidateFan> for Keys<'a> {
    fn from(c: &'a CandidateFan) -> Self {
        Keys {
            platform: c.platform.name(),
            display_name: c.display_name.as_deref(),
            handle_key: c.handle_key.as_deref(),
            handle_stem: c.handle_stem.as_deref(),
        }
    }
}

impl<'a> From<&'a BlockFan> for Keys<'a> {
    fn from(c: &'a BlockFan) -> Self {
        Keys {
            platform: c.platform.name(),
            display_name: c.display_name.as_deref(),
            handle_key: c.handle_key.as_deref(),
            handle_stem: c.handle_stem.as_deref(),
        }
    }
}

/// Which handle and name signals hold between two identities: the one comparison both the
/// scan (weights only) and the evidence (with details) are made of.
#[derive(Debug, Default, PartialEq)]
struct Matched {
    /// The same normalised handle.
    handle: bool,
    /// Not the same handle, but the same stem: they differ by trailing digits.
    digits: bool,
    /// The same normalised display name, with a shared stem.
    name: bool,
}

impl Matched {
    fn of(a: Keys, b: Keys) -> Matched {
        if a.platform == b.platform {
            return Matched::default();
        }
        let same_stem =
            matches!((usable(a.handle_stem), usable(b.handle_stem)), (Some(x), Some(y)) if x == y);
        let handle =
            matches!((usable(a.handle_key), usable(b.handle_key)), (Some(x), Some(y)) if x == y);
        let name = same_stem
            && match (a.display_name, b.display_name) {
                (Some(x), Some(y)) => {
                    let (nx, ny) = (normalise_name(x), normalise_name(y));
                    !nx.is_empty() && nx == ny
                }
                _ => false,
            };
        Matched {
            handle,
            digits: !handle && same_stem,
            name,
        }
    }

    /// The weights, in the order [`pair_signals`] lists the signals.
    fn weights(&self) -> impl Iterator<Item = f64> + use<> {
        [
            (self.handle, W_HANDLE),
            (self.digits, W_DIGITS),
            (self.name, W_NAME),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, w)| w)
    }
}

/// The handle and display-name signals between two identities of different platforms.
pub fn pair_signals(a: &CandidateFan, b: &CandidateFan) -> Vec<Signal> {
    let m = Matched::of(a.into(), b.into());
    let user = |f: &CandidateFan| f.username.clone().unwrap_or_default();
    let mut out = Vec::new();
    if m.handle {
        out.push(Signal {
            kind: "handle",
            weight: W_HANDLE,
            detail: format!(
                "{} {} and {} {} are both '{}' normalised",
                a.platform,
                user(a),
                b.platform,
                user(b),
                a.handle_key.as_deref().unwrap_or("")
            ),
        });
    }
    if m.digits {
        out.push(Signal {
            kind: "digits",
            weight: W_DIGITS,
            detail: format!("{} and {} differ only by trailing digits", user(a), user(b)),
        });
    }
    if m.name {
        out.push(Signal {
            kind: "name",
            weight: W_NAME,
            detail: format!(
                "both display names are '{}'",
                a.display_name.as_deref().unwrap_or("").trim()
            ),
        });
    }
    out
}

/// A handle or stem long enough to match on.
fn usable(s: Option<&str>) -> Option<&str> {
    s.filter(|s| s.len() >= MIN_HANDLE)
}

/// Words naming a platform in a message, and the platform they name.
const PLATFORM_WORDS: [(&str, &str); 12] = [
    ("of", "onlyfans"),
    ("onlyfans", "onlyfans"),
    ("tiktok", "tiktok"),
    ("tt", "tiktok"),
    ("ig", "instagram"),
    ("insta", "instagram"),
    ("instagram", "instagram"),
    ("reddit", "reddit"),
    ("x", "x"),
    ("twitter", "x"),
    ("snap", "snapchat"),
    ("fansly", "fansly"),
];

/// Words skipped between a platform word and the handle ("my OF is lilyfan").
const FILLER: [&str; 10] = [
    "is", "its", "it's", "im", "i'm", "on", "at", "handle", "account", "me",
];

/// The handles a message names: `(platform if it says, normalised handle)`.
pub fn mentions(body: &str) -> Vec<(Option<&'static str>, String)> {
    let words: Vec<&str> = body
        .split(|c: char| {
            c.is_whitespace() || matches!(c, ',' | ';' | ':' | '!' | '?' | '(' | ')' | '"' | '=')
        })
        .filter(|w| !w.is_empty())
        .collect();
    let mut out: Vec<(Option<&'static str>, String)> = Vec::new();
    let mut push = |platform: Option<&'static str>, word: &str| {
        let key = normalise_handle(word.trim_end_matches(['.', '\'']));
        if key.len() >= MIN_HANDLE
            && key.chars().all(|c| c.is_alphanumeric())
            && !out.iter().any(|(p, k)| *p == platform && *k == key)
        {
            out.push((platform, key));
        }
    };
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let lower = w.to_lowercase();
        if let Some(rest) = lower.strip_prefix("u/") {
            push(Some("reddit"), rest);
        } else if let Some(&(_, platform)) = PLATFORM_WORDS
            .iter()
            .find(|(word, _)| lower.trim_end_matches(['.', '\'']) == *word)
            .filter(|(word, _)| {
                // "of" and "x" are English words: only "OF"/"X", or after "my"/"on", name a
                // platform.
                !matches!(*word, "of" | "x")
                    || w.chars().all(|c| !c.is_alphabetic() || c.is_uppercase())
                    || i > 0 && matches!(words[i - 1].to_lowercase().as_str(), "my" | "on")
            })
        {
            // The next word that is not filler, within three.
            let mut j = i + 1;
            while j < words.len()
                && j <= i + 3
                && FILLER.contains(&words[j].to_lowercase().as_str())
            {
                j += 1;
            }
            if j < words.len() && j <= i + 3 {
                push(Some(platform), words[j]);
                i = j;
            }
        } else if w.starts_with('@') {
            // "@lily_fan on tiktok": the platform after it, if named.
            let platform = words
                .get(i + 1)
                .filter(|n| n.eq_ignore_ascii_case("on"))
                .and_then(|_| words.get(i + 2))
                .and_then(|n| {
                    let n = n.to_lowercase();
                    PLATFORM_WORDS
                        .iter()
                        .find(|(word, _)| n.trim_end_matches('.') == *word)
                        .map(|(_, p)| *p)
                });
            push(platform, w);
        }
        i += 1;
    }
    out
}

fn pair(a: i64, b: i64) -> (i64, i64) {
    (a.min(b), a.max(b))
}

/// The fans whose normalised handle is one of `keys` (a page's named handles, repeats and
/// all): the lookup the mention and profile passes share.
fn fans_named(
    store: &mut dyn Store,
    keys: impl Iterator<Item = String>,
    account: &Option<String>,
) -> Result<Vec<CandidateFan>, StoreError> {
    let mut keys: Vec<String> = keys.collect();
    keys.sort();
    keys.dedup();
    store.fans_by_handle(&keys, account)
}

/// Finds mention evidence: pair → signals, for the given fans' messages only unless empty.
pub fn mention_signals(
    store: &mut dyn Store,
    only: &[i64],
    account: &Option<String>,
) -> Result<Evidence, StoreError> {
    let mut found: Evidence = HashMap::new();
    let mut after = 0;
    loop {
        let page = store.fan_mentions(after, only, MESSAGES_PER_PAGE)?;
        let Some(last) = page.last() else { break };
        after = last.message_id;
        let named: Vec<_> = page
            .iter()
            .map(|m| (m, mentions(&m.body)))
            .filter(|(_, n)| !n.is_empty())
            .collect();
        let keys = named
            .iter()
            .flat_map(|(_, n)| n.iter().map(|(_, k)| k.clone()));
        let targets = fans_named(store, keys, account)?;
        for (message, names) in &named {
            for (platform, key) in names {
                for t in targets.iter().filter(|t| {
                    t.handle_key.as_deref() == Some(key.as_str())
                        && t.platform != message.platform
                        && t.id != message.fan_id
                        && platform.is_none_or(|p| p == t.platform.name())
                }) {
                    let detail = format!(
                        "message {} from fan {} on {} names {} handle '{key}'",
                        message.message_id, message.fan_id, message.platform, t.platform
                    );
                    let signal = Signal {
                        kind: "mention",
                        weight: W_MENTION,
                        detail,
                    };
                    add(&mut found, pair(message.fan_id, t.id), signal);
                }
            }
        }
        if (page.len() as u32) < MESSAGES_PER_PAGE {
            break;
        }
    }
    Ok(found)
}

/// What a run of `people suggest` found.
pub struct Found {
    /// The best suggestions, most confident first, at most `limit`.
    pub suggestions: Vec<Suggestion>,
    /// Pairs at or above the threshold, all of them.
    pub total: u64,
    /// Blocks skipped as too common (more than [`MAX_BLOCK`] fans).
    pub skipped_blocks: u64,
}

fn suggestion(a: &CandidateFan, b: &CandidateFan, signals: Vec<Signal>) -> Suggestion {
    let (a, b) = if a.id < b.id { (a, b) } else { (b, a) };
    Suggestion {
        id: format!("{}-{}", a.id, b.id),
        confidence: combine(&signals),
        fan_a: a.into(),
        fan_b: b.into(),
        signals,
    }
}

/// A pair that passed the threshold, as the scan keeps it: its confidence, its ids and its
/// evidence from outside the blocks (the handle and name evidence is written out for the best
/// ones only).
#[derive(Debug)]
struct Ranked {
    confidence: f64,
    pair: (i64, i64),
    extra: Vec<Signal>,
}

/// Worse is greater: the most confident first, then the lower ids, so that a max-heap's top
/// is the pair to drop, and the order (hence which pairs are shown) never depends on the scan.
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other
            .confidence
            .total_cmp(&self.confidence)
            .then_with(|| self.pair.cmp(&other.pair))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Ranked {}

/// The best `limit` pairs seen, in a heap of at most `limit`: memory does not grow with the
/// pairs found.
struct Best {
    limit: usize,
    heap: BinaryHeap<Ranked>,
    /// Eligible pairs at or above the threshold, counted as they pass.
    total: u64,
}

impl Best {
    fn push(&mut self, r: Ranked) {
        self.total += 1;
        if self.heap.len() < self.limit {
            self.heap.push(r);
        } else if self.heap.peek().is_some_and(|worst| r < *worst) {
            self.heap.pop();
            self.heap.push(r);
        }
    }
}

/// Pairs per batch of eligibility lookups (two ids each, well under both backends' limits
/// on statement parameters).
const PAIRS_PER_LOOKUP: usize = 500;

/// Admits the pairs that may be proposed at all: not one person already, not rejected, and
/// (with --account) one of them known to the account. Looked up for these pairs' fans only,
/// a batch at a time, so nothing about every fan or every decision is held.
fn admit(
    store: &mut dyn Store,
    pending: Vec<Ranked>,
    account: &Option<String>,
    best: &mut Best,
) -> Result<(), StoreError> {
    let mut pending = pending.into_iter().peekable();
    while pending.peek().is_some() {
        let batch: Vec<Ranked> = pending.by_ref().take(PAIRS_PER_LOOKUP).collect();
        let mut ids: Vec<i64> = batch.iter().flat_map(|r| [r.pair.0, r.pair.1]).collect();
        ids.sort_unstable();
        ids.dedup();
        let persons: HashMap<i64, i64> = store.persons_of(&ids)?.into_iter().collect();
        let rejected: HashSet<(i64, i64)> = store.rejections_of(&ids)?.into_iter().collect();
        let known: Option<HashSet<i64>> = match account {
            Some(a) => Some(store.known_to(&ids, a)?.into_iter().collect()),
            None => None,
        };
        for r in batch {
            let (a, b) = r.pair;
            let one_person = persons.get(&a).is_some_and(|p| persons.get(&b) == Some(p));
            let known = known
                .as_ref()
                .is_none_or(|k| k.contains(&a) || k.contains(&b));
            if !one_person && known && !rejected.contains(&r.pair) {
                best.push(r);
            }
        }
    }
    Ok(())
}

/// Adds `signal` to the pair's evidence, once per kind.
fn add(found: &mut Evidence, pair: (i64, i64), signal: Signal) {
    let signals = found.entry(pair).or_default();
    if !signals.iter().any(|s| s.kind == signal.kind) {
        signals.push(signal);
    }
}

/// Evidence found outside the handle blocks, by pair: mentions, profile links, shared
/// emails and links.
type Evidence = HashMap<(i64, i64), Vec<Signal>>;

/// Finds profile-link evidence: a profile that links another platform's profile, whose
/// normalised handle an identity there has (`onlyfans:lilyfan` names the OnlyFans fan
/// `lilyfan`). Only the profiles of `only` unless empty.
fn profile_signals(
    store: &mut dyn Store,
    only: &[i64],
    found: &mut Evidence,
) -> Result<(), StoreError> {
    let mut after = 0;
    loop {
        let page = store.contacts_page(ContactKind::Profile, after, only, MESSAGES_PER_PAGE)?;
        let Some(last) = page.last() else { break };
        after = last.contact_id;
        let named: Vec<(&ContactFan, &str, &str)> = page
            .iter()
            .filter_map(|c| {
                let (platform, key) = c.value.split_once(':')?;
                Some((c, platform, key))
            })
            .collect();
        let targets = fans_named(store, named.iter().map(|(_, _, k)| k.to_string()), &None)?;
        for (c, platform, key) in &named {
            for t in targets.iter().filter(|t| {
                t.platform.name() == *platform
                    && t.platform != c.platform
                    && t.id != c.fan_id
                    && t.handle_key.as_deref() == Some(*key)
            }) {
                add(
                    found,
                    pair(c.fan_id, t.id),
                    Signal {
                        kind: "profile",
                        weight: W_PROFILE,
                        detail: format!(
                            "the profile of {} fan {} links the {platform} profile '{key}'",
                            c.platform, c.fan_id
                        ),
                    },
                );
            }
        }
        if (page.len() as u32) < MESSAGES_PER_PAGE {
            break;
        }
    }
    Ok(())
}

/// An address shown as evidence without writing it out: `l***@mail.com`.
fn masked(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            format!("{}***@{domain}", local.chars().next().unwrap_or('?'))
        }
        None => "***".into(),
    }
}

/// The pairs of one block of identities sharing a contact value (sorted by value).
fn shared_pairs(block: &[ContactFan], found: &mut Evidence) {
    for (i, a) in block.iter().enumerate() {
        for b in &block[i + 1..] {
            if a.platform == b.platform || a.fan_id == b.fan_id {
                continue;
            }
            let (kind, weight, what) = if a.kind == ContactKind::Email.as_str() {
                (
                    "email",
                    W_EMAIL,
                    format!("the same email address ({})", masked(&a.value)),
                )
            } else {
                ("link", W_LINK, format!("the same link {}", a.value))
            };
            let detail = format!(
                "{} fan {} and {} fan {} give {what}",
                a.platform, a.fan_id, b.platform, b.fan_id
            );
            add(
                found,
                pair(a.fan_id, b.fan_id),
                Signal {
                    kind,
                    weight,
                    detail,
                },
            );
        }
    }
}

/// Finds shared-contact evidence: blocks of identities on several platforms giving the same
/// email or link, a page of values at a time; a value more than [`MAX_BLOCK`] identities give
/// (a link aggregator's home page) is skipped and counted.
fn contact_signals(store: &mut dyn Store, found: &mut Evidence) -> Result<u64, StoreError> {
    let mut skipped = 0;
    let mut after = (String::new(), String::new());
    loop {
        let values = store.contact_blocks(&after, BLOCKS_PER_PAGE)?;
        let Some(last) = values.last() else { break };
        after = last.clone();
        let members = store.contact_members(&values)?;
        for block in members.chunk_by(|x, y| x.kind == y.kind && x.value == y.value) {
            if block.len() > MAX_BLOCK {
                skipped += 1;
                continue;
            }
            shared_pairs(block, found);
        }
        if (values.len() as u32) < BLOCKS_PER_PAGE {
            break;
        }
    }
    Ok(skipped)
}

/// Words of a referral that name a platform ("TikTok bio", "x.com promo"), and the platform.
const REFERRAL_WORDS: [(&str, &str); 8] = [
    ("tiktok", "tiktok"),
    ("tt", "tiktok"),
    ("instagram", "instagram"),
    ("insta", "instagram"),
    ("ig", "instagram"),
    ("reddit", "reddit"),
    ("twitter", "x"),
    ("x", "x"),
];

/// A tracking link of an account, with the platforms of the posts that carried it.
struct Carried {
    name: Option<String>,
    key: Option<String>,
    platforms: Vec<String>,
}

/// Where the referrals of relationships point: each account's tracking links, traced to the
/// platforms of the posts that carried them (`insights attribution`'s rule), and the platform
/// a referral names itself.
struct Referrals {
    links: HashMap<String, Vec<Carried>>,
}

impl Referrals {
    /// `None` when no relationship names a referral: the evidence costs nothing then.
    fn load(store: &mut dyn Store) -> Result<Option<Referrals>, StoreError> {
        if !store.has_referrals()? {
            return Ok(None);
        }
        let mut links: HashMap<String, Vec<Carried>> = HashMap::new();
        for line in super::super::attribution::attribute(store, &[], None, None)?.links {
            links.entry(line.account).or_default().push(Carried {
                name: line.name.map(|n| n.trim().to_lowercase()),
                key: crate::platforms::onlyfans::links::normalize(&line.url),
                platforms: line.platforms,
            });
        }
        Ok(Some(Referrals { links }))
    }

    /// Why `referral` (of a relationship with `account`) points at `platform`, if it does.
    fn points_at(&self, account: &str, referral: &str, platform: &str) -> Option<String> {
        let lower = referral.trim().to_lowercase();
        let key = crate::platforms::onlyfans::links::normalize(referral);
        let link = self.links.get(account).and_then(|links| {
            links.iter().find(|l| {
                l.name.as_deref() == Some(lower.as_str()) || (key.is_some() && l.key == key)
            })
        });
        if let Some(link) = link {
            return link
                .platforms
                .iter()
                .any(|p| p == platform)
                .then(|| format!("a tracking link {platform} posts carried"));
        }
        lower
            .split(|c: char| !c.is_alphanumeric())
            .find_map(|w| REFERRAL_WORDS.iter().find(|(word, _)| *word == w))
            .filter(|(_, p)| *p == platform)
            .map(|_| format!("it names {platform}"))
    }
}

/// The relationships of some fans, by fan: who knows them and the referrals they came by.
type Known = HashMap<i64, Vec<FanReferral>>;

fn relationships(store: &mut dyn Store, ids: &[i64]) -> Result<Known, StoreError> {
    let mut known: Known = HashMap::new();
    for chunk in ids.chunks(2 * PAIRS_PER_LOOKUP) {
        for r in store.relationships_of(chunk)? {
            known.entry(r.fan_id).or_default().push(r);
        }
    }
    Ok(known)
}

/// The referral evidence between two identities `(id, platform)`: one came to an account by
/// a referral pointing at the other's platform, where the other is that account's fan too.
fn referral_signal(
    referrals: &Referrals,
    known: &Known,
    a: (i64, &str),
    b: (i64, &str),
) -> Option<Signal> {
    for (x, y) in [(a, b), (b, a)] {
        for r in known.get(&x.0).into_iter().flatten() {
            let Some(text) = r.referral.as_deref() else {
                continue;
            };
            let Some(why) = referrals.points_at(&r.account, text, y.1) else {
                continue;
            };
            let fan_there = known
                .get(&y.0)
                .is_some_and(|rs| rs.iter().any(|o| o.account == r.account));
            if fan_there {
                return Some(Signal {
                    kind: "referral",
                    weight: W_REFERRAL,
                    detail: format!(
                        "{} fan {} came to {} by '{}' ({why}), and {} fan {} is {}'s fan there",
                        x.1, x.0, r.account, text, y.1, y.0, r.account
                    ),
                });
            }
        }
    }
    None
}

/// The evidence a pair has now: for `people accept`, which records it.
pub fn evidence_for(
    store: &mut dyn Store,
    a: &CandidateFan,
    b: &CandidateFan,
) -> Result<Vec<Signal>, StoreError> {
    let mut signals = pair_signals(a, b);
    let ids = [a.id, b.id];
    let mut found = mention_signals(store, &ids, &None)?;
    profile_signals(store, &ids, &mut found)?;
    for kind in [ContactKind::Email, ContactKind::Link] {
        let mut held = store.contacts_page(kind, 0, &ids, MESSAGES_PER_PAGE)?;
        held.sort_by(|x, y| x.value.cmp(&y.value).then(x.fan_id.cmp(&y.fan_id)));
        for block in held.chunk_by(|x, y| x.value == y.value) {
            shared_pairs(block, &mut found);
        }
    }
    let mut extra = found.remove(&pair(a.id, b.id)).unwrap_or_default();
    if let Some(referrals) = Referrals::load(store)? {
        let known = relationships(store, &ids)?;
        extra.extend(referral_signal(
            &referrals,
            &known,
            (a.id, a.platform.name()),
            (b.id, b.platform.name()),
        ));
    }
    signals.extend(extra);
    Ok(signals)
}

/// The pairs of one block at or above the threshold (their eligibility still to check),
/// taking their other evidence out of `found` and asking `referral` for theirs.
fn block_pairs(
    block: &[BlockFan],
    found: &mut Evidence,
    referral: &dyn Fn(&BlockFan, &BlockFan) -> Option<Signal>,
    threshold: f64,
    out: &mut Vec<Ranked>,
) {
    for (i, a) in block.iter().enumerate() {
        for b in &block[i + 1..] {
            if a.platform == b.platform {
                continue;
            }
            let pair = pair(a.id, b.id);
            let mut extra = found.remove(&pair).unwrap_or_default();
            extra.extend(referral(a, b));
            let weights: Vec<f64> = Matched::of(a.into(), b.into())
                .weights()
                .chain(extra.iter().map(|s| s.weight))
                .collect();
            let confidence = confidence(weights.iter().copied());
            if weights.is_empty() || confidence < threshold {
                continue;
            }
            out.push(Ranked {
                confidence,
                pair,
                extra,
            });
        }
    }
}

/// Runs the passes: the evidence outside blocks first (mentions, profile links, shared
/// contacts), then blocks of fans sharing a stem, a page of blocks at a time, scored on what
/// the stem index holds (with the referrals of the page's members when any relationship
/// names one); then the pairs only that other evidence links. Only the best `limit` pairs are
/// kept, and only theirs is the evidence written out, from their fans read at the end.
pub fn suggest(
    store: &mut dyn Store,
    account: &Option<String>,
    min_confidence: f64,
    limit: u32,
) -> Result<Found, StoreError> {
    // A confidence printed as 0.80 must pass a threshold of 0.8 (floating point).
    let threshold = min_confidence - 1e-9;
    let mut found = mention_signals(store, &[], &None)?;
    profile_signals(store, &[], &mut found)?;
    let mut skipped_blocks = contact_signals(store, &mut found)?;
    let referrals = Referrals::load(store)?;
    let mut best = Best {
        limit: limit as usize,
        heap: BinaryHeap::with_capacity(limit as usize + 1),
        total: 0,
    };
    let mut after = String::new();
    loop {
        let stems = store.handle_blocks(&after, BLOCKS_PER_PAGE)?;
        let Some(last) = stems.last() else { break };
        after = last.clone();
        let members = store.block_members(&stems)?;
        let blocks: Vec<&[BlockFan]> = members
            .chunk_by(|x, y| x.handle_stem == y.handle_stem)
            .collect();
        let known = match &referrals {
            Some(_) => {
                let ids: Vec<i64> = blocks
                    .iter()
                    .filter(|b| b.len() <= MAX_BLOCK)
                    .flat_map(|b| b.iter().map(|f| f.id))
                    .collect();
                relationships(store, &ids)?
            }
            None => Known::new(),
        };
        let referral = |a: &BlockFan, b: &BlockFan| {
            let r = referrals.as_ref()?;
            referral_signal(
                r,
                &known,
                (a.id, a.platform.name()),
                (b.id, b.platform.name()),
            )
        };
        let mut pending = Vec::new();
        for block in blocks {
            if block.len() > MAX_BLOCK {
                skipped_blocks += 1;
                continue;
            }
            block_pairs(block, &mut found, &referral, threshold, &mut pending);
        }
        admit(store, pending, account, &mut best)?;
        if (stems.len() as u32) < BLOCKS_PER_PAGE {
            break;
        }
    }
    // Pairs only other evidence links (their handles share no stem, or their block was too
    // common): their handle evidence is read with their fans.
    let mut rest: Vec<((i64, i64), Vec<Signal>)> = found.into_iter().collect();
    rest.sort_by_key(|(p, _)| *p);
    for chunk in rest.chunks(PAIRS_PER_LOOKUP) {
        let fans = candidates(store, chunk.iter().map(|(p, _)| *p), &None)?;
        let known = match &referrals {
            Some(_) => relationships(store, &fans.keys().copied().collect::<Vec<_>>())?,
            None => Known::new(),
        };
        let mut pending = Vec::new();
        for ((a, b), extra) in chunk {
            let (Some(fa), Some(fb)) = (fans.get(a), fans.get(b)) else {
                continue;
            };
            let mut extra = extra.clone();
            if let Some(r) = &referrals {
                extra.extend(referral_signal(
                    r,
                    &known,
                    (fa.id, fa.platform.name()),
                    (fb.id, fb.platform.name()),
                ));
            }
            let weights = Matched::of(fa.into(), fb.into())
                .weights()
                .chain(extra.iter().map(|s| s.weight));
            let confidence = confidence(weights);
            if confidence >= threshold {
                pending.push(Ranked {
                    confidence,
                    pair: (*a, *b),
                    extra,
                });
            }
        }
        admit(store, pending, account, &mut best)?;
    }
    let total = best.total;
    let ranked = best.heap.into_sorted_vec();
    let fans = candidates(store, ranked.iter().map(|r| r.pair), &None)?;
    let suggestions = ranked
        .into_iter()
        .filter_map(|r| {
            let (a, b) = (fans.get(&r.pair.0)?, fans.get(&r.pair.1)?);
            let mut signals = pair_signals(a, b);
            signals.extend(r.extra);
            Some(suggestion(a, b, signals))
        })
        .collect();
    Ok(Found {
        suggestions,
        total,
        skipped_blocks,
    })
}

/// The fans of these pairs, read whole, by id.
fn candidates(
    store: &mut dyn Store,
    pairs: impl Iterator<Item = (i64, i64)>,
    account: &Option<String>,
) -> Result<HashMap<i64, CandidateFan>, StoreError> {
    let mut ids: Vec<i64> = pairs.flat_map(|(a, b)| [a, b]).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut fans = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(2 * PAIRS_PER_LOOKUP) {
        for f in store.candidate_fans(chunk, account)? {
            fans.insert(f.id, f);
        }
    }
    Ok(fans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fan(id: i64, platform: &str, user: &str, name: Option<&str>) -> CandidateFan {
        let key = normalise_handle(user);
        CandidateFan {
            id,
            platform: platform.parse().unwrap(),
            platform_user_id: id.to_string(),
            username: Some(user.into()),
            display_name: name.map(str::to_string),
            handle_stem: Some(key.trim_end_matches(|c: char| c.is_ascii_digit()).into()),
            handle_key: Some(key),
            person_id: None,
            in_account: true,
        }
    }

    #[test]
    fn weights_combine_as_documented() {
        let a = fan(1, "tiktok", "@Lily_Fan", Some("Lily F."));
        let b = fan(2, "onlyfans", "lily.fan", Some("lily f"));
        let s = pair_signals(&a, &b);
        assert_eq!(
            s.iter().map(|s| s.kind).collect::<Vec<_>>(),
            ["handle", "name"]
        );
        assert!((combine(&s) - 0.85).abs() < 1e-9);
        assert_eq!(
            Matched::of((&a).into(), (&b).into())
                .weights()
                .collect::<Vec<_>>(),
            s.iter().map(|s| s.weight).collect::<Vec<_>>()
        );
        // Same handle, other names: below the default threshold.
        let decoy = fan(3, "reddit", "lilyfan", Some("Marco"));
        assert!((combine(&pair_signals(&a, &decoy)) - 0.70).abs() < 1e-9);
        // Digits only: weak, even with the name.
        let digits = fan(4, "x", "lilyfan92", Some("Lily F"));
        let s = pair_signals(&a, &digits);
        assert_eq!(s[0].kind, "digits");
        assert!(combine(&s) < 0.8);
        // Same platform: never.
        assert!(pair_signals(&a, &fan(5, "tiktok", "lilyfan", None)).is_empty());
    }

    #[test]
    fn messages_name_handles() {
        let named = [
            ("hey, my OF is lilyfan!", "onlyfans", "lilyfan"),
            ("find me @lily_fan on TikTok.", "tiktok", "lilyfan"),
            ("I'm u/LilyFan there", "reddit", "lilyfan"),
            ("ig: @ann.b", "instagram", "annb"),
            ("subscribe on x: @bo_99", "x", "bo99"),
        ];
        for (text, platform, handle) in named {
            assert_eq!(
                mentions(text),
                [(Some(platform), handle.to_string())],
                "{text}"
            );
        }
        assert!(mentions("of course I love it").is_empty());
        assert!(mentions("love this").is_empty());
    }
}
