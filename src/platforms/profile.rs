//! What a profile shares, as `people suggest` weighs it: the email addresses and links in a
//! bio, the link of a profile, an export's email column, reduced to the values `fan_contacts`
//! stores (schema v21).
//!
//! Platforms hand out app-scoped ids, so what ties two identities together is what their
//! owner wrote: an X bio that says `onlyfans.com/lily_fan` names an OnlyFans handle (a
//! `profile` value, `onlyfans:lilyfan`); `linktr.ee/lily` on two profiles is one person's page
//! (a `link`); `Lily@Mail.com` in an export and in a bio is one address (an `email`). Links
//! are keyed as tracking links are (`onlyfans::links::normalize`: no scheme, no `www.`, no
//! trailing slash), so the two rules never disagree on what one URL is.
//!
//! Pure: the adapters (X's user objects) and the OnlyFans importer call [`contacts`] and
//! [`email`] on the text they have.

use super::onlyfans::links;
use crate::store::model::{Contact, ContactKind};

/// The handle as the store normalises it (`fans.handle_key`): lowercase, without `@ _ . -`.
pub fn normalise_handle(raw: &str) -> String {
    raw.trim()
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !matches!(c, '@' | '_' | '.' | '-'))
        .collect()
}

/// A normalised handle shorter than this is too short to be evidence.
const MIN_HANDLE: usize = 3;

/// The hosts whose first path segment is a profile, the platform they are, and the path
/// words that are pages of the site rather than handles.
const PROFILE_HOSTS: [(&str, &str, &[&str]); 6] = [
    (
        "onlyfans.com",
        "onlyfans",
        &["my", "files", "terms", "privacy", "help"],
    ),
    ("tiktok.com", "tiktok", &[]),
    (
        "instagram.com",
        "instagram",
        &["p", "reel", "reels", "explore", "stories", "accounts", "tv"],
    ),
    (
        "x.com",
        "x",
        &["i", "home", "intent", "search", "hashtag", "share"],
    ),
    (
        "twitter.com",
        "x",
        &["i", "home", "intent", "search", "hashtag", "share"],
    ),
    ("reddit.com", "reddit", &[]),
];

/// The platform and normalised handle a link's key names, if it is a profile: `onlyfans.com/
/// lily_fan`, `tiktok.com/@lily_fan`, `instagram.com/lily.fan`, `x.com/lily` (or
/// `twitter.com`), `reddit.com/u/lilyfan` (or `/user/`). A deeper path (`onlyfans.com/lily/
/// c12`, a tracking link; a post) is not a profile.
pub fn profile_of(key: &str) -> Option<(&'static str, String)> {
    let (host, path) = key.split_once('/')?;
    let path = path.split('?').next().unwrap_or("");
    let host = host.strip_prefix("m.").unwrap_or(host);
    let host = host.strip_prefix("old.").unwrap_or(host);
    let &(_, platform, reserved) = PROFILE_HOSTS.iter().find(|(h, _, _)| *h == host)?;
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let handle = match (platform, segments.as_slice()) {
        ("reddit", [prefix, name]) if matches!(*prefix, "u" | "user") => *name,
        ("reddit", _) => return None,
        ("tiktok", [name]) => name.strip_prefix('@')?,
        (_, [name]) if !reserved.contains(&name.to_ascii_lowercase().as_str()) => *name,
        _ => return None,
    };
    let key = normalise_handle(handle);
    (key.len() >= MIN_HANDLE && key.chars().all(|c| c.is_ascii_alphanumeric()))
        .then_some((platform, key))
}

/// An email address as stored: trimmed and lowercased, if it looks like one (one `@`, a dot
/// in the domain, no spaces).
pub fn email(raw: &str) -> Option<String> {
    let s = raw
        .trim()
        .trim_start_matches("mailto:")
        .trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
    let (local, domain) = s.split_once('@')?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '_' | '-' | '+' | '%'));
    ok.then(|| s.to_ascii_lowercase())
}

/// The contacts a profile shares: every email and link in `texts` (a bio, the profile's link,
/// the expanded URLs an API gives for them), each once, in the order first seen. A link to a
/// profile on a platform is a `profile` value; `own` (the profile's own platform) is left out
/// of those, since a profile naming another account of the same platform is not evidence of
/// one person across platforms.
pub fn contacts<'a>(texts: impl IntoIterator<Item = &'a str>, own: &str) -> Vec<Contact> {
    let mut out: Vec<Contact> = Vec::new();
    let mut push = |kind: ContactKind, value: String| {
        if !out.iter().any(|c| c.kind == kind && c.value == value) {
            out.push(Contact { kind, value });
        }
    };
    for text in texts {
        for token in text
            .split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '(' | ')' | '|'))
        {
            let token = token.trim_end_matches(['.', ',', ';', ':', '!', '?']);
            if token.contains('@') && !token.contains('/') {
                if let Some(e) = email(token) {
                    push(ContactKind::Email, e);
                }
                continue;
            }
            // A bare word is not a link: only a host with a dot and a path, or a scheme.
            let looks_like_url = token.contains("://") || token.contains('/');
            let Some(key) = looks_like_url.then(|| links::normalize(token)).flatten() else {
                continue;
            };
            if links::host(&key) == "t.co" {
                // X's shortener: the API gives the expanded URL beside it.
                continue;
            }
            match profile_of(&key) {
                Some((platform, _)) if platform == own => {}
                Some((platform, handle)) => {
                    push(ContactKind::Profile, format!("{platform}:{handle}"))
                }
                None if key.contains('/') => push(ContactKind::Link, key),
                None => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(cs: &[Contact]) -> Vec<(&'static str, &str)> {
        cs.iter()
            .map(|c| (c.kind.as_str(), c.value.as_str()))
            .collect()
    }

    #[test]
    fn profile_links_name_a_platform_and_handle() {
        for (link, platform) in [
            ("onlyfans.com/lily_fan", "onlyfans"),
            ("tiktok.com/@Lily.Fan", "tiktok"),
            ("instagram.com/lily.fan", "instagram"),
            ("twitter.com/lily_fan", "x"),
            ("old.reddit.com/u/lilyfan", "reddit"),
            ("reddit.com/user/lilyfan", "reddit"),
        ] {
            assert_eq!(
                profile_of(link),
                Some((platform, "lilyfan".into())),
                "{link}"
            );
        }
        // A tracking link, a post, a site page, a subreddit: not profiles.
        for link in [
            "onlyfans.com/lily/c12",
            "instagram.com/p/abc123",
            "x.com/home",
            "reddit.com/r/pics",
            "tiktok.com/lily",
            "example.com/lily",
        ] {
            assert_eq!(profile_of(link), None, "{link}");
        }
    }

    #[test]
    fn a_bio_shares_emails_links_and_profiles() {
        let bio = "DM me! lily@Mail.com | my page: https://linktr.ee/lily_f. \
                   OF onlyfans.com/lily_fan and https://t.co/abc123 also x.com/other";
        assert_eq!(
            values(&contacts([bio], "x")),
            [
                ("email", "lily@mail.com"),
                ("link", "linktr.ee/lily_f"),
                ("profile", "onlyfans:lilyfan"),
            ]
        );
        // Plain words and bare hosts are not links; repeats are kept once.
        assert!(contacts(["love it. google.com", "see you @lily"], "x").is_empty());
        let twice = contacts(["linktr.ee/a1", "https://www.linktr.ee/a1/"], "x");
        assert_eq!(values(&twice), [("link", "linktr.ee/a1")]);
    }

    #[test]
    fn emails_are_checked_and_lowercased() {
        assert_eq!(
            email(" Lily.F+of@Mail.Com "),
            Some("lily.f+of@mail.com".into())
        );
        assert_eq!(email("mailto:a@b.co."), Some("a@b.co".into()));
        assert_eq!(email("@lily"), None);
        assert_eq!(email("lily@mail"), None);
        assert_eq!(email("a b@c.com"), None);
    }
}
