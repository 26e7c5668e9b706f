//! `~/.pgpass` (or `PGPASSFILE` / `passfile`): passwords kept out of URLs, as libpq reads them.
//!
//! Each line is `hostname:port:database:username:password`; `*` matches anything, `\` escapes a
//! `:` or a `\`, lines starting with `#` are comments, and the first matching line wins. Like
//! libpq, a file that group or others can access is not read at all. The password found is a
//! [`Secret`] and is never logged.

use std::path::Path;

use crate::vocab::Secret;

/// What a connection is matched against.
pub struct Key {
    pub host: String,
    pub port: String,
    pub database: String,
    pub user: String,
}

pub enum Lookup {
    Found(Secret),
    NoFile,
    NoMatch,
    /// Group or others can read or write the file: refused, as libpq does.
    Insecure,
    Unreadable(String),
}

pub fn lookup(path: &Path, key: &Key) -> Lookup {
    let meta = match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => meta,
        Ok(_) => return Lookup::NoFile,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Lookup::NoFile,
        Err(e) => return Lookup::Unreadable(e.to_string()),
    };
    if crate::fsutil::shared_with_others(&meta) {
        tracing::warn!(
            file = %path.display(),
            "password file has group or world access; it is ignored (run chmod 600 on it)"
        );
        return Lookup::Insecure;
    }
    match std::fs::read_to_string(path) {
        Ok(text) => match find(&text, key) {
            Some(password) => Lookup::Found(password),
            None => Lookup::NoMatch,
        },
        Err(e) => Lookup::Unreadable(e.to_string()),
    }
}

fn find(text: &str, key: &Key) -> Option<Secret> {
    let wanted = [&key.host, &key.port, &key.database, &key.user];
    text.lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .find_map(|line| {
            let fields = split(line);
            if fields.len() < 5 {
                return None;
            }
            let matches = fields
                .iter()
                .zip(wanted)
                .all(|(field, want)| field == "*" || field == want);
            // The password is the rest of the line: it may contain unescaped colons.
            matches.then(|| Secret::new(fields[4..].join(":")))
        })
}

/// Splits on unescaped colons, removing the escapes.
fn split(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(field)) = (chars.next(), fields.last_mut()) {
                    field.push(next);
                }
            }
            ':' => fields.push(String::new()),
            c => {
                if let Some(field) = fields.last_mut() {
                    field.push(c);
                }
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(host: &str, port: &str, db: &str, user: &str) -> Key {
        Key {
            host: host.into(),
            port: port.into(),
            database: db.into(),
            user: user.into(),
        }
    }

    #[test]
    fn the_first_matching_line_wins_with_wildcards_and_escapes() {
        let text =
            "# comment\nother:5432:*:ops:nope\ndb\\:1:*:crm:ops:pa\\:ss\\\\w\n*:*:*:ops:fallback\n";
        let got = find(text, &key("db:1", "5432", "crm", "ops")).unwrap();
        assert_eq!(got.expose(), "pa:ss\\w");
        let got = find(text, &key("elsewhere", "6543", "x", "ops")).unwrap();
        assert_eq!(got.expose(), "fallback");
        assert!(find(text, &key("h", "5432", "x", "nobody")).is_none());
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pgpass");
        std::fs::write(&path, "*:*:*:*:pw\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert!(matches!(
            lookup(&path, &key("h", "1", "d", "u")),
            Lookup::Insecure
        ));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(matches!(
            lookup(&path, &key("h", "1", "d", "u")),
            Lookup::Found(_)
        ));
        assert!(matches!(
            lookup(&dir.path().join("none"), &key("h", "1", "d", "u")),
            Lookup::NoFile
        ));
    }
}
