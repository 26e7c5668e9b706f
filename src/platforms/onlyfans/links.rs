//! Tracking-link URLs: the one rule that says whether a post carries a link.
//!
//! OnlyFans tracking links (`https://onlyfans.com/<creator>/c12`) are pasted into captions and
//! bios by hand, so the same link arrives as `onlyfans.com/lily/c12`, `HTTPS://OnlyFans.com/
//! lily/c12/` or `www.onlyfans.com/lily/c12!`. [`normalize`] reduces a URL to its key: no
//! scheme, the host lowercased without `www.` (and without a trailing dot), no fragment, no
//! trailing slash; the path and query are kept as written (they name the link). [`carried_in`]
//! finds the keys a text carries: every URL-shaped token of the text, normalised, compared
//! whole — so `…/c1` never matches a caption carrying `…/c12`.
//!
//! Pure: the import (`rows.rs`) stores each link's key and `app/attribution.rs` confirms the
//! store's substring candidates with [`carried_in`].

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

/// Characters that end a URL in running text (besides whitespace).
fn ends_url(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '<' | '>' | '(' | ')' | '[' | ']' | '{' | '}' | '"' | '\''
        )
}

/// The keys of the URLs in `text` whose host is one of `keys`' hosts, among `keys`: those
/// `text` carries. A URL's trailing sentence punctuation (`.,;:!?`) is not part of it.
pub fn carried_in<'k>(text: &str, keys: &'k [String]) -> Vec<&'k str> {
    let mut found: Vec<&str> = Vec::new();
    for token in text.split(ends_url) {
        let token = token.trim_end_matches(['.', ',', ';', ':', '!', '?']);
        if !token.contains('.') {
            continue;
        }
        let Some(key) = normalize(token) else {
            continue;
        };
        if let Some(k) = keys.iter().find(|k| **k == key)
            && !found.contains(&k.as_str())
        {
            found.push(k);
        }
    }
    found
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
    }

    #[test]
    fn a_caption_carries_a_link_only_whole() {
        let keys = vec![
            "onlyfans.com/lily/c1".to_string(),
            "onlyfans.com/lily/c12".to_string(),
        ];
        assert_eq!(
            carried_in("new set 🔥 link: (onlyfans.com/lily/c12)!", &keys),
            vec!["onlyfans.com/lily/c12"]
        );
        assert_eq!(
            carried_in(
                "https://www.OnlyFans.com/lily/c1/. and onlyfans.com/lily/c1",
                &keys
            ),
            vec!["onlyfans.com/lily/c1"]
        );
        assert!(carried_in("onlyfans.com/lily/c123 and onlyfans.com/lily", &keys).is_empty());
        assert!(carried_in("", &keys).is_empty());
    }
}
