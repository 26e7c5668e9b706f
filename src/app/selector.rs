//! `42` or `PLATFORM:KEY`: how `fans show`, `posts show` and the commands that take a fan or a
//! post name one row, parsed once (the platform by any of its names, the key trimmed).

use crate::error::{CliError, CliResult};
use crate::vocab::PlatformId;

/// A local id, or a platform (by its canonical name) and the platform's key of the row.
#[derive(Debug, PartialEq)]
pub(super) enum Selector {
    Id(i64),
    OnPlatform(PlatformId, String),
}

/// `raw` as a selector; a refusal says what `raw` is not (`what`, e.g. "fan id or
/// PLATFORM:USER") and shows `example`.
pub(super) fn parse(raw: &str, what: &str, example: &str) -> CliResult<Selector> {
    let raw = raw.trim();
    if let Ok(id) = raw.parse::<i64>() {
        return Ok(Selector::Id(id));
    }
    let bad =
        || CliError::usage(format!("'{raw}' is not a {what}")).with_hint(format!("e.g. {example}"));
    let (platform, key) = raw.split_once(':').ok_or_else(bad)?;
    if key.trim().is_empty() {
        return Err(bad());
    }
    let platform: PlatformId = platform
        .parse()
        .map_err(|e: crate::platforms::UnknownPlatform| CliError::usage(e.to_string()))?;
    Ok(Selector::OnPlatform(platform, key.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_platform_keys_parse_and_the_rest_is_refused() {
        let parse = |raw| parse(raw, "fan id or PLATFORM:USER", "`42`");
        assert_eq!(parse("42").unwrap(), Selector::Id(42));
        assert_eq!(parse(" 42 ").unwrap(), Selector::Id(42));
        let on = |platform: &str, key: &str| {
            Selector::OnPlatform(PlatformId::from_name(platform).unwrap(), key.into())
        };
        assert_eq!(parse("Twitter:@bo").unwrap(), on("x", "@bo"));
        assert_eq!(parse("twitter:1790").unwrap(), on("x", "1790"));
        for refused in [
            "anna",
            "myspace:anna",
            "onlyfans:",
            "video",
            "tiktok:",
            "myspace:1",
        ] {
            assert!(parse(refused).is_err(), "{refused}");
        }
    }
}
