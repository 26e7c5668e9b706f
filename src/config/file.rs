//! Reading `config.toml`: the third layer of configuration, below flags and environment.
//!
//! Parse errors carry the file, line and column so a typo is found without guessing, and unknown
//! keys are errors, not silently ignored. A file that holds a secret (client secret, webhook
//! secret, bearer token, a database password) must be readable by its owner only, the way ssh
//! treats private keys: a secret in a world-readable file is refused, never used.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::ConfigError;

/// The file as written, values still carrying their position for error messages.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<Spanned<String>>,
    pub output: Option<Spanned<String>>,
    pub progress: Option<bool>,
    /// Where tokens are kept: keychain, file or db. The master key is never read from here.
    pub secrets: Option<Spanned<String>>,
    /// libpq connection settings for a PostgreSQL database (`sslmode`, `sslrootcert`, ...).
    pub database: Option<super::database::DatabaseSection>,
    pub tiktok: Option<Section>,
    pub instagram: Option<Section>,
    pub reddit: Option<Section>,
    #[serde(alias = "twitter")]
    pub x: Option<Section>,
}

/// A `[platform]` table: keys are checked against the platform's settings by the caller, which
/// knows them; here they only keep their positions.
pub type Section = BTreeMap<String, Spanned<toml::Value>>;

/// Where a value came from, for error messages: "TIKTOK_REDIRECT_URI" or "config.toml:3:1".
pub fn position(path: &Path, text: &str, offset: usize) -> String {
    let (line, col) = line_col(text, offset);
    format!("{}:{line}:{col}", path.display())
}

/// The loaded file: its path (for messages), its text (for positions) and the parsed values.
pub struct LoadedFile {
    pub path: PathBuf,
    pub text: String,
    pub values: FileConfig,
    /// True when group or others can read the file; secrets in it are then refused.
    pub readable_by_others: bool,
}

impl LoadedFile {
    pub fn at(&self, offset: usize) -> String {
        position(&self.path, &self.text, offset)
    }
}

/// The most a config file may hold: a real one is a few KiB. `--config /dev/zero` must not
/// read forever, nor a huge file fill memory.
pub const MAX_BYTES: u64 = 1 << 20;

/// Reads and parses the file. A missing file is `Ok(None)` unless it was named explicitly.
pub fn load(path: &Path, explicit: bool) -> Result<Option<LoadedFile>, ConfigError> {
    let failed = |reason: String| ConfigError::FileRead {
        path: path.to_path_buf(),
        reason,
    };
    let (text, readable_by_others) = match read_bounded(path) {
        Ok(read) => read,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => return Ok(None),
        Err(e) => return Err(failed(e.to_string())),
    };
    let values: FileConfig = toml::from_str(&text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        ConfigError::FileParse {
            at: position(path, &text, offset),
            message: e.message().trim().to_string(),
        }
    })?;
    Ok(Some(LoadedFile {
        path: path.to_path_buf(),
        readable_by_others,
        text,
        values,
    }))
}

/// The text of a regular file of at most [`MAX_BYTES`], and whether others may read it.
fn read_bounded(path: &Path) -> std::io::Result<(String, bool)> {
    let (bytes, meta) = crate::fsutil::read_regular(path, MAX_BYTES)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text")
    })?;
    Ok((text, readable_by_others(&meta)))
}

#[cfg(unix)]
fn readable_by_others(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o077 != 0
}

#[cfg(not(unix))]
fn readable_by_others(_meta: &std::fs::Metadata) -> bool {
    false
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let text = "a = 1\nbb = oops\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 11), (2, 6));
    }

    #[test]
    fn parse_errors_name_the_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "output = \"json\"\nnot valid toml\n").unwrap();
        let err = load(&path, true).err().unwrap().to_string();
        assert!(err.contains("config.toml:2:"), "{err}");
    }

    #[test]
    fn unknown_keys_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "outptu = \"json\"\n").unwrap();
        let err = load(&path, true).err().unwrap().to_string();
        assert!(
            err.contains("config.toml:1:1") && err.contains("outptu"),
            "{err}"
        );
    }
}
