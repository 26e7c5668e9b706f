//! `people suggest`: which fan identities on different platforms may be one person, with the
//! evidence for each pair and a confidence computed from documented weights.
//!
//! Candidates come from two passes, neither comparing all pairs: blocks of fans sharing a
//! handle stem (the stored, indexed `fans.handle_stem`, read a page of stems at a time), and
//! the handles fans name in their messages ("my OF is lilyfan"), looked up by the indexed
//! normalised handle. Memory holds one page of blocks, the mentions found and the best
//! `--limit` suggestions, whatever the number of fans.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::store::Store;
use crate::store::StoreError;
use crate::store::model::CandidateFan;

/// The same normalised handle on two platforms.
pub const W_HANDLE: f64 = 0.70;
/// Handles that differ only by trailing digits: weak alone.
pub const W_DIGITS: f64 = 0.30;
/// The same normalised display name, with a shared handle stem.
pub const W_NAME: f64 = 0.50;
/// A fan's message names the other identity's handle.
pub const W_MENTION: f64 = 0.90;

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
    /// `handle`, `digits`, `name` or `mention`.
    pub kind: &'static str,
    pub weight: f64,
    /// What was seen, in ids and handles.
    pub detail: String,
}

/// A proposed link between two fans, lower id first.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// `<lower fan id>-<higher fan id>`: stable, what `people accept` and `reject` take.
    pub id: String,
    pub confidence: f64,
    pub fan_a: SuggestedFan,
    pub fan_b: SuggestedFan,
    pub signals: Vec<Signal>,
}

#[derive(Debug, Clone, Serialize)]
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
            platform: c.platform.clone(),
            username: c.username.clone(),
            display_name: c.display_name.clone(),
            person_id: c.person_id,
        }
    }
}

/// 1 - Π(1 - wᵢ): independent signals, each making the link more likely.
pub fn combine(signals: &[Signal]) -> f64 {
    1.0 - signals.iter().map(|s| 1.0 - s.weight).product::<f64>()
}

/// The handle as the store normalises it (`fans.handle_key`): lowercase, without `@ _ . -`.
pub fn normalise_handle(raw: &str) -> String {
    raw.trim()
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !matches!(c, '@' | '_' | '.' | '-'))
        .collect()
}

/// A display name compared: lowercase letters and digits only.
fn normalise_name(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The handle and display-name signals between two identities of different platforms.
pub fn pair_signals(a: &CandidateFan, b: &CandidateFan) -> Vec<Signal> {
    let mut out = Vec::new();
    if a.platform == b.platform {
        return out;
    }
    let same_stem =
        matches!((usable(&a.handle_stem), usable(&b.handle_stem)), (Some(x), Some(y)) if x == y);
    match (usable(&a.handle_key), usable(&b.handle_key)) {
        (Some(x), Some(y)) if x == y => out.push(Signal {
            kind: "handle",
            weight: W_HANDLE,
            detail: format!(
                "{} {} and {} {} are both '{x}' normalised",
                a.platform,
                a.username.as_deref().unwrap_or(""),
                b.platform,
                b.username.as_deref().unwrap_or("")
            ),
        }),
        _ if same_stem => out.push(Signal {
            kind: "digits",
            weight: W_DIGITS,
            detail: format!(
                "{} and {} differ only by trailing digits",
                a.username.as_deref().unwrap_or(""),
                b.username.as_deref().unwrap_or("")
            ),
        }),
        _ => {}
    }
    if same_stem && let (Some(x), Some(y)) = (&a.display_name, &b.display_name) {
        let (nx, ny) = (normalise_name(x), normalise_name(y));
        if !nx.is_empty() && nx == ny {
            out.push(Signal {
                kind: "name",
                weight: W_NAME,
                detail: format!("both display names are '{}'", x.trim()),
            });
        }
    }
    out
}

/// A handle or stem long enough to match on.
fn usable(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| s.len() >= MIN_HANDLE)
}

/// The weights [`pair_signals`] would find, without their details: the cheap test every pair
/// of a block goes through.
fn pair_weights(a: &CandidateFan, b: &CandidateFan) -> Vec<f64> {
    let mut out = Vec::new();
    if a.platform == b.platform {
        return out;
    }
    let same_stem =
        matches!((usable(&a.handle_stem), usable(&b.handle_stem)), (Some(x), Some(y)) if x == y);
    match (usable(&a.handle_key), usable(&b.handle_key)) {
        (Some(x), Some(y)) if x == y => out.push(W_HANDLE),
        _ if same_stem => out.push(W_DIGITS),
        _ => {}
    }
    if same_stem && let (Some(x), Some(y)) = (&a.display_name, &b.display_name) {
        let (nx, ny) = (normalise_name(x), normalise_name(y));
        if !nx.is_empty() && nx == ny {
            out.push(W_NAME);
        }
    }
    out
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

/// Finds mention evidence: pair → signals, for the given fans' messages only unless empty.
pub fn mention_signals(
    store: &mut dyn Store,
    only: &[i64],
    account: &Option<String>,
) -> Result<HashMap<(i64, i64), Vec<Signal>>, StoreError> {
    let mut found: HashMap<(i64, i64), Vec<Signal>> = HashMap::new();
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
        let mut keys: Vec<String> = named
            .iter()
            .flat_map(|(_, n)| n.iter().map(|(_, k)| k.clone()))
            .collect();
        keys.sort();
        keys.dedup();
        let targets = store.fans_by_handle(&keys, account)?;
        for (message, names) in &named {
            for (platform, key) in names {
                for t in targets.iter().filter(|t| {
                    t.handle_key.as_deref() == Some(key.as_str())
                        && t.platform != message.platform
                        && t.id != message.fan_id
                        && platform.is_none_or(|p| p == t.platform)
                }) {
                    let signals = found.entry(pair(message.fan_id, t.id)).or_default();
                    if signals.is_empty() {
                        signals.push(Signal {
                            kind: "mention",
                            weight: W_MENTION,
                            detail: format!(
                                "message {} from fan {} on {} names {} handle '{key}'",
                                message.message_id, message.fan_id, message.platform, t.platform
                            ),
                        });
                    }
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

/// Whether the pair may be proposed at all: two platforms, not one person already, not
/// rejected, and (with --account) known to the account.
fn eligible(a: &CandidateFan, b: &CandidateFan, rejected: &HashSet<(i64, i64)>) -> bool {
    a.platform != b.platform
        && !(a.person_id.is_some() && a.person_id == b.person_id)
        && !rejected.contains(&pair(a.id, b.id))
        && (a.in_account || b.in_account)
}

/// Keeps the best `limit` suggestions without holding every pair.
struct Best {
    limit: usize,
    rows: Vec<Suggestion>,
}

impl Best {
    fn push(&mut self, s: Suggestion) {
        self.rows.push(s);
        if self.rows.len() >= self.limit * 2 + 64 {
            self.settle();
        }
    }

    fn settle(&mut self) {
        self.rows.sort_by(|x, y| {
            y.confidence
                .total_cmp(&x.confidence)
                .then_with(|| (x.fan_a.id, x.fan_b.id).cmp(&(y.fan_a.id, y.fan_b.id)))
        });
        self.rows.truncate(self.limit);
    }
}

/// The evidence a pair has now: for `people accept`, which records it.
pub fn evidence_for(
    store: &mut dyn Store,
    a: &CandidateFan,
    b: &CandidateFan,
) -> Result<Vec<Signal>, StoreError> {
    let mut signals = pair_signals(a, b);
    let mut mentioned = mention_signals(store, &[a.id, b.id], &None)?;
    signals.extend(mentioned.remove(&pair(a.id, b.id)).unwrap_or_default());
    Ok(signals)
}

/// Runs both passes.
pub fn suggest(
    store: &mut dyn Store,
    account: &Option<String>,
    min_confidence: f64,
    limit: u32,
) -> Result<Found, StoreError> {
    // A confidence printed as 0.80 must pass a threshold of 0.8 (floating point).
    let threshold = min_confidence - 1e-9;
    let rejected: HashSet<(i64, i64)> = store.rejected_pairs()?.into_iter().collect();
    let mut mentioned = mention_signals(store, &[], &None)?;
    let mut best = Best {
        limit: limit as usize,
        rows: Vec::new(),
    };
    let (mut total, mut skipped_blocks) = (0u64, 0u64);
    let mut after = String::new();
    loop {
        let stems = store.handle_blocks(&after, BLOCKS_PER_PAGE)?;
        let Some(last) = stems.last() else { break };
        after = last.clone();
        let members = store.block_members(&stems, account)?;
        for block in members.chunk_by(|x, y| x.handle_stem == y.handle_stem) {
            if block.len() > MAX_BLOCK {
                skipped_blocks += 1;
                continue;
            }
            for (i, a) in block.iter().enumerate() {
                for b in &block[i + 1..] {
                    if !eligible(a, b, &rejected) {
                        continue;
                    }
                    let mention = mentioned.remove(&pair(a.id, b.id)).unwrap_or_default();
                    // The weights first: most pairs of a block fall short, and their evidence
                    // is never written out.
                    let unlikely = pair_weights(a, b)
                        .iter()
                        .chain(mention.iter().map(|s| &s.weight))
                        .map(|w| 1.0 - w)
                        .product::<f64>();
                    if 1.0 - unlikely < threshold || unlikely == 1.0 {
                        continue;
                    }
                    let mut signals = pair_signals(a, b);
                    signals.extend(mention);
                    total += 1;
                    best.push(suggestion(a, b, signals));
                }
            }
        }
        if (stems.len() as u32) < BLOCKS_PER_PAGE {
            break;
        }
    }
    // Pairs only a message links (their handles share no stem).
    let mut rest: Vec<((i64, i64), Vec<Signal>)> = mentioned
        .into_iter()
        .filter(|(_, s)| combine(s) >= threshold)
        .collect();
    rest.sort_by_key(|(p, _)| *p);
    for chunk in rest.chunks(500) {
        let mut ids: Vec<i64> = chunk.iter().flat_map(|((a, b), _)| [*a, *b]).collect();
        ids.sort_unstable();
        ids.dedup();
        let fans: HashMap<i64, CandidateFan> = store
            .candidate_fans(&ids, account)?
            .into_iter()
            .map(|f| (f.id, f))
            .collect();
        for ((a, b), mention) in chunk {
            let (Some(a), Some(b)) = (fans.get(a), fans.get(b)) else {
                continue;
            };
            if !eligible(a, b, &rejected) {
                continue;
            }
            let mut signals = pair_signals(a, b);
            signals.extend(mention.iter().cloned());
            total += 1;
            best.push(suggestion(a, b, signals));
        }
    }
    best.settle();
    Ok(Found {
        suggestions: best.rows,
        total,
        skipped_blocks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fan(id: i64, platform: &str, user: &str, name: Option<&str>) -> CandidateFan {
        let key = normalise_handle(user);
        CandidateFan {
            id,
            platform: platform.into(),
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
            pair_weights(&a, &b),
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
        assert_eq!(
            mentions("hey, my OF is lilyfan!"),
            [(Some("onlyfans"), "lilyfan".to_string())]
        );
        assert_eq!(
            mentions("find me @lily_fan on TikTok."),
            [(Some("tiktok"), "lilyfan".to_string())]
        );
        assert_eq!(
            mentions("I'm u/LilyFan there"),
            [(Some("reddit"), "lilyfan".to_string())]
        );
        assert_eq!(
            mentions("ig: @ann.b"),
            [(Some("instagram"), "annb".to_string())]
        );
        assert!(mentions("of course I love it").is_empty());
        assert_eq!(
            mentions("subscribe on x: @bo_99"),
            [(Some("x"), "bo99".to_string())]
        );
        assert!(mentions("love this").is_empty());
    }
}
