//! Escaping for every piece of text the report writes into HTML or inline SVG.
//!
//! Captions, account names, fan names and post titles come from platforms and exports, so they
//! are attacker-controlled: nothing reaches the page without passing through [`text`]. The one
//! kind of external reference the page may hold is a link to a post itself, and [`post_link`]
//! admits only absolute `http`/`https` URLs with a host (never `javascript:` or `data:`).

/// `s` made safe as HTML/SVG text and as a double- or single-quoted attribute value.
///
/// Control characters other than tab and newline are dropped (NUL and friends are not allowed in
/// HTML text and would end an SVG document if the chart were ever saved on its own).
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The URL of a post when it is safe to link to: absolute `http`/`https` with a host, otherwise
/// `None` (the caller then shows the label without a link).
pub fn post_link(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    let web = matches!(parsed.scheme(), "http" | "https");
    (web && parsed.host_str().is_some_and(|h| !h.is_empty())).then(|| parsed.to_string())
}

/// At most `max` characters of `s` (not bytes), with an ellipsis when something was cut.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup_quotes_and_ampersands() {
        assert_eq!(
            text(r#"<script>"a" & 'b'</script>"#),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn text_drops_control_characters_but_keeps_unicode() {
        assert_eq!(text("a\u{0}b\u{1b}c\tü 🎉"), "abc\tü 🎉");
    }

    #[test]
    fn post_link_admits_only_web_urls_with_a_host() {
        assert_eq!(
            post_link("https://www.tiktok.com/@a/video/1").as_deref(),
            Some("https://www.tiktok.com/@a/video/1")
        );
        assert_eq!(post_link("javascript:alert(1)"), None);
        assert_eq!(post_link("data:text/html,<b>x</b>"), None);
        assert_eq!(post_link("//evil.example/x"), None);
        assert_eq!(post_link("file:///etc/passwd"), None);
        // A quote in the path is percent-encoded by the parser, so it cannot end the attribute.
        assert_eq!(
            post_link("https://x.com/a\"onmouseover=\"b").as_deref(),
            Some("https://x.com/a%22onmouseover=%22b")
        );
    }

    #[test]
    fn shorten_counts_characters_not_bytes() {
        assert_eq!(shorten("ééééé", 5), "ééééé");
        assert_eq!(shorten("éééééé", 5), "éééé…");
    }
}
