//! Tracking-link URLs: the one rule that says whether a post carries a link.
//!
//! OnlyFans tracking links (`https://onlyfans.com/<creator>/c12`) are pasted into captions and
//! bios by hand, so the same link arrives as `onlyfans.com/lily/c12`, `HTTPS://OnlyFans.com/
//! lily/c12/` or `www.onlyfans.com/lily/c12!`. [`normalize`] reduces a URL to its key: no
//! scheme, the host lowercased without `www.` (and without a trailing dot), no fragment, no
//! trailing slash; the path and query are kept as written (they name the link). [`Matcher`]
//! finds the keys a text carries: each URL-shaped token of the text around a link's host,
//! normalised, compared whole — so `…/c1` never matches a caption carrying `…/c12`.
//!
//! Pure: the import (`rows.rs`) stores each link's key and `app/attribution.rs` confirms the
//! store's candidate posts with a [`Matcher`].

/// The key of `url`, or `None` when it is not a web address (no host with a dot).
pub fn normalize(url: &str) -> Option<String> {
    let mut s = url.trim();
    for scheme in ["https://", "http://"] {
        if s.len() >= scheme.len() && s[..scheme.len()].eq_ignore_ascii_case(scheme) {
            s = &s[scheme.len()..];
            break;
        }
    }
    let s = s.split('#').next().unwrap_or("");
    // Never in a URL; and the store's LIKE prefilter would read it as an escape.
    if s.contains('\\') {
        return None;
    }
    let host_end = s.find(['/', '?']).unwrap_or(s.len());
    let (host, rest) = s.split_at(host_end);
    let mut host = host.to_ascii_lowercase();
    if let Some(bare) = host.strip_prefix("www.") {
        host = bare.to_string();
    }
    let host = host.trim_end_matches('.');
    let valid_host = host.contains('.')
        && !host.starts_with('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    if !valid_host {
        return None;
    }
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let mut key = format!("{host}{}", path.trim_end_matches('/'));
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        key.push('?');
        key.push_str(q);
    }
    Some(key)
}

/// The host of a key (`onlyfans.com` of `onlyfans.com/lily/c12`).
pub fn host(key: &str) -> &str {
    key.split(['/', '?']).next().unwrap_or(key)
}

/// Whether byte `b` ends a URL in running text: ASCII whitespace, brackets and quotes, and
/// any non-ASCII byte (an emoji or a no-break space glued to a link is not part of it).
fn ends_url(b: u8) -> bool {
    !b.is_ascii()
        || b.is_ascii_whitespace()
        || matches!(
            b,
            b'<' | b'>' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'"' | b'\''
        )
}

/// Finds which of a set of link keys a text carries.
///
/// Texts are searched for the keys' hosts (std's substring search), and only the token around
/// each hit is normalised and compared whole with the keys, so a caption costs a few searches
/// whatever the number of links.
pub struct Matcher {
    /// Sorted, without repeats.
    keys: Vec<String>,
    hosts: Vec<String>,
}

impl Matcher {
    /// A matcher of these link keys (normalised URLs); repeats are dropped.
    pub fn new(mut keys: Vec<String>) -> Matcher {
        keys.sort();
        keys.dedup();
        let mut hosts: Vec<String> = keys.iter().map(|k| host(k).to_string()).collect();
        hosts.sort();
        hosts.dedup();
        Matcher { keys, hosts }
    }

    /// The keys' hosts: what the store's candidate posts must name.
    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }

    /// The keys `text` carries, each once, in the order they appear. A URL's trailing
    /// sentence punctuation (`.,;:!?`) is not part of it.
    pub fn carried<'m>(&'m self, text: &str, found: &mut Vec<&'m str>) {
        let lower = text.to_ascii_lowercase();
        let bytes = text.as_bytes();
        for host in &self.hosts {
            for (at, _) in lower.match_indices(host.as_str()) {
                let start = bytes[..at]
                    .iter()
                    .rposition(|&b| ends_url(b))
                    .map_or(0, |i| i + 1);
                let end = bytes[at..]
                    .iter()
                    .position(|&b| ends_url(b))
                    .map_or(bytes.len(), |i| at + i);
                let token = text[start..end].trim_end_matches(['.', ',', ';', ':', '!', '?']);
                let Some(key) = normalize(token) else {
                    continue;
                };
                if let Ok(i) = self.keys.binary_search(&key) {
                    let k = self.keys[i].as_str();
                    if !found.contains(&k) {
                        found.push(k);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_host_case_www_and_trailing_slash_do_not_matter() {
        let key = Some("onlyfans.com/lily/c12".to_string());
        for url in [
            "https://onlyfans.com/lily/c12",
            "HTTPS://OnlyFans.COM/lily/c12/",
            "http://www.onlyfans.com/lily/c12#top",
            "onlyfans.com/lily/c12",
            " www.onlyfans.com./lily/c12 ",
        ] {
            assert_eq!(normalize(url), key, "{url}");
        }
        assert_eq!(
            normalize("https://onlyfans.com/lily/c12?ref=tt"),
            Some("onlyfans.com/lily/c12?ref=tt".into())
        );
        assert_eq!(
            normalize("https://onlyfans.com/Lily"),
            Some("onlyfans.com/Lily".into())
        );
        assert_eq!(normalize("not a link"), None);
        assert_eq!(normalize("c12"), None);
        assert_eq!(normalize(""), None);
        assert_eq!(normalize("onlyfans.com/lily\\c12"), None);
        assert_eq!(host("onlyfans.com/lily/c12"), "onlyfans.com");
        assert_eq!(host("of.com?x=1"), "of.com");
    }

    #[test]
    fn a_caption_carries_a_link_only_whole() {
        let m = Matcher::new(vec![
            "onlyfans.com/lily/c12".to_string(),
            "onlyfans.com/lily/c1".to_string(),
        ]);
        let carried_in = |text: &str, m: &Matcher| -> Vec<String> {
            let mut found = Vec::new();
            m.carried(text, &mut found);
            found.into_iter().map(String::from).collect()
        };
        let keys = &m;
        assert_eq!(
            carried_in("new set 🔥link: (onlyfans.com/lily/c12)!", keys),
            vec!["onlyfans.com/lily/c12"]
        );
        assert_eq!(
            carried_in(
                "https://www.OnlyFans.com/lily/c1/. and onlyfans.com/lily/c1",
                keys
            ),
            vec!["onlyfans.com/lily/c1"]
        );
        assert!(carried_in("onlyfans.com/lily/c123 and onlyfans.com/lily", keys).is_empty());
        assert!(carried_in("", keys).is_empty());
    }
}
