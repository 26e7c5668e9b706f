//! Reading `config.toml`: the third layer of configuration, below flags and environment.
//!
//! Parse errors carry the file, line and column so a typo is found without guessing, and unknown
//! keys are errors, not silently ignored. A file that holds a secret (client secret, webhook
//! secret, bearer token, a database password) must be readable by its owner only, the way ssh
//! treats private keys: a secret in a world-readable file is refused, never used.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use toml::Spanned;

use crate::vocab::PlatformId;
use crate::vocab::platform::FACTS;

use super::ConfigError;

/// The file as written, values still carrying their position for error messages.
///
/// The `[platform]` sections are named by the platform registry's vocabulary (each platform
/// with settings, under its name or an alias: `[x]` or `[twitter]`), so a new platform's section
/// needs no field here. Unknown keys are errors.
#[derive(Debug, Default)]
pub struct FileConfig {
    /// `database_url`: SQLite path or PostgreSQL URL.
    pub database_url: Option<Spanned<String>>,
    /// `output`: the default `--output`.
    pub output: Option<Spanned<String>>,
    /// `progress`: whether progress bars show on a terminal.
    pub progress: Option<bool>,
    /// Where tokens are kept: keychain, file or db. The master key is never read from here.
    pub secrets: Option<Spanned<String>>,
    /// libpq connection settings for a PostgreSQL database (`sslmode`, `sslrootcert`, ...).
    pub database: Option<super::database::DatabaseSection>,
    /// Each platform's `[name]` section.
    pub platforms: BTreeMap<PlatformId, Section>,
}

impl FileConfig {
    /// The `[platform]` section of `id`, when the file has one (OnlyFans takes no settings).
    pub fn section(&self, id: PlatformId) -> Option<&Section> {
        self.platforms.get(&id)
    }
}

/// The top-level keys other than the platforms' sections.
const KEYS: &[&str] = &["database_url", "output", "progress", "secrets", "database"];

/// The platform whose section `key` names: its name or an alias, for platforms with settings.
fn platform_of(key: &str) -> Option<PlatformId> {
    FACTS
        .iter()
        .filter(|f| f.env_prefix.is_some())
        .find(|f| f.name == key || f.aliases.contains(&key))
        .map(|f| f.id)
}

impl<'de> Deserialize<'de> for FileConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = FileConfig;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a socialcrm config file")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FileConfig, A::Error> {
                let mut file = FileConfig::default();
                /// Reads the value of `key` into `slot`; a key given twice is refused before
                /// its second value is read.
                fn once<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
                    slot: &mut Option<T>,
                    key: &'static str,
                    map: &mut A,
                ) -> Result<(), A::Error> {
                    if slot.is_some() {
                        return Err(de::Error::duplicate_field(key));
                    }
                    *slot = Some(map.next_value()?);
                    Ok(())
                }
                while let Some(key) = map.next_key::<Key>()? {
                    match key.0 {
                        "database_url" => once(&mut file.database_url, "database_url", &mut map)?,
                        "output" => once(&mut file.output, "output", &mut map)?,
                        "progress" => once(&mut file.progress, "progress", &mut map)?,
                        "secrets" => once(&mut file.secrets, "secrets", &mut map)?,
                        "database" => once(&mut file.database, "database", &mut map)?,
                        other => {
                            // Key only lets through the keys above and platforms' names.
                            let id = platform_of(other)
                                .ok_or_else(|| de::Error::unknown_field(other, expected()))?;
                            if file.platforms.contains_key(&id) {
                                return Err(de::Error::duplicate_field(id.name()));
                            }
                            file.platforms.insert(id, map.next_value()?);
                        }
                    }
                }
                Ok(file)
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

/// A top-level key, checked as it is read, so an unknown one is reported at its own position.
struct Key(&'static str);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl Visitor<'_> for Visit {
            type Value = Key;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key")
            }

            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
                expected()
                    .iter()
                    .find(|k| **k == key)
                    .map(|k| Key(k))
                    .ok_or_else(|| E::unknown_field(key, expected()))
            }
        }
        deserializer.deserialize_identifier(Visit)
    }
}

/// Every key the top level accepts, for the unknown-key error.
fn expected() -> &'static [&'static str] {
    static KEYS_AND_PLATFORMS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    KEYS_AND_PLATFORMS.get_or_init(|| {
        let mut keys = KEYS.to_vec();
        for f in FACTS.iter().filter(|f| f.env_prefix.is_some()) {
            keys.extend(f.aliases);
            keys.push(f.name);
        }
        keys
    })
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

    /// The file's `value` read as a `T`; a value `T` refuses is an error at its position.
    pub fn parse<T: std::str::FromStr<Err = String>>(
        &self,
        value: &Spanned<String>,
    ) -> Result<T, super::ConfigError> {
        value
            .get_ref()
            .parse()
            .map_err(|message| super::ConfigError::Invalid {
                at: self.at(value.span().start),
                message,
            })
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
    Ok((text, crate::fsutil::shared_with_others(&meta)))
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

    /// The message loading a config file holding `text` fails with.
    fn load_error(text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        load(&path, true).err().unwrap().to_string()
    }

    #[test]
    fn parse_errors_name_the_position() {
        let err = load_error("output = \"json\"\nnot valid toml\n");
        assert!(err.contains("config.toml:2:"), "{err}");
    }

    #[test]
    fn unknown_keys_are_errors() {
        let err = load_error("outptu = \"json\"\n");
        assert!(
            err.contains("config.toml:1:1") && err.contains("outptu"),
            "{err}"
        );
    }
}
