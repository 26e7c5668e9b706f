//! Paths a person points socialcrm at (a database, a rejects or export file, the secrets and
//! their key) must be regular files or not exist yet, checked before anything touches them.
//!
//! Why: run as root (containers, CI), `--database-url sqlite:/dev/null` used to chmod
//! `/dev/null` to 0600, after which no other user on the machine could open it; a FIFO named
//! as a file blocks a read forever. So: [`ensure_regular_or_absent`] refuses a path that exists
//! and is not a regular file (following symlinks: a link to a FIFO is a FIFO), in one line;
//! [`restrict_created`] sets owner-only modes only on a file this process has just created;
//! [`read_regular`] reads a bounded regular file without ever blocking on a FIFO. Directories
//! socialcrm creates for itself are made 0700 where they are created (`DirBuilder`), never
//! by changing the mode of one that was there.

use std::fs::{FileType, Metadata};
use std::io::{self, ErrorKind, Read};
use std::path::{Path, PathBuf};

/// What was at a path before socialcrm used it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Nothing: socialcrm will create it, and may then set its mode.
    Absent,
    /// A regular file someone made: used as it is, its mode left alone.
    RegularFile,
}

/// Why a path a person named was refused; each message names the path and what to do.
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    #[error(
        "{what} {} is {kind}, not a regular file: name a file (socialcrm never writes to devices, FIFOs, sockets or directories)",
        .path.display()
    )]
    /// A device, FIFO, socket or directory where a file belongs: writing there could block,
    /// or clobber something that is not socialcrm's.
    NotRegular {
        /// What the path was for ("database", "rejects file").
        what: &'static str,
        /// The path as given.
        path: PathBuf,
        /// What it is instead ("a directory").
        kind: &'static str,
    },
    #[error("cannot inspect {what} {}: {reason}", .path.display())]
    /// The path could not be inspected at all (permissions, a broken mount).
    Io {
        /// What the path was for.
        what: &'static str,
        /// The path as given.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
}

/// Refuses `path` (named `what` in the message: "database", "rejects file") when it exists and
/// is not a regular file; says whether it exists. A dangling symlink counts as absent (creating
/// it creates the file it points to, a regular file).
pub fn ensure_regular_or_absent(path: &Path, what: &'static str) -> Result<Existing, FsError> {
    decide(std::fs::metadata(path)).map_err(|e| match e {
        Refusal::Kind(kind) => FsError::NotRegular {
            what,
            path: path.to_path_buf(),
            kind,
        },
        Refusal::Io(e) => FsError::Io {
            what,
            path: path.to_path_buf(),
            reason: e.to_string(),
        },
    })
}

enum Refusal {
    Kind(&'static str),
    Io(io::Error),
}

/// The decision, from what `stat` (which follows symlinks) said.
fn decide(meta: io::Result<Metadata>) -> Result<Existing, Refusal> {
    match meta {
        Ok(meta) => match kind_of(meta.file_type()) {
            None => Ok(Existing::RegularFile),
            Some(kind) => Err(Refusal::Kind(kind)),
        },
        // A file in place of a parent directory: nothing is at the path either (creating it
        // then fails, naming the directory).
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
            Ok(Existing::Absent)
        }
        Err(e) => Err(Refusal::Io(e)),
    }
}

/// `None` for a regular file, else what it is, for the message.
fn kind_of(t: FileType) -> Option<&'static str> {
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a FIFO");
        }
        if t.is_socket() {
            return Some("a socket");
        }
        if t.is_char_device() {
            return Some("a character device");
        }
        if t.is_block_device() {
            return Some("a block device");
        }
    }
    Some("a special file")
}

/// Makes `path` owner-only (0600) when `before` says this process created it; leaves the mode
/// of a file that was already there alone.
pub fn restrict_created(path: &Path, before: Existing) -> io::Result<()> {
    if before != Existing::Absent {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Still a regular file? Something could have been put there since the check.
        let meta = std::fs::metadata(path)?;
        if meta.is_file() && shared_with_others(&meta) {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

/// Whether group or others have any permission on the file `meta` describes: a file holding
/// secrets (a config file with a client secret, a pgpass file) is refused then, as libpq does.
/// Always false where there are no Unix modes.
#[cfg(unix)]
pub fn shared_with_others(meta: &Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o077 != 0
}

#[cfg(not(unix))]
pub fn shared_with_others(_meta: &Metadata) -> bool {
    false
}

/// The bytes of the regular file at `path`, at most `max` of them, and its metadata.
///
/// Opened with `O_NONBLOCK` and checked through the open handle (`fstat`), so a FIFO never
/// blocks the read and what is read is what was checked. `NotFound` passes through unchanged
/// for callers to whom a missing file is normal.
pub fn read_regular(path: &Path, max: u64) -> io::Result<(Vec<u8>, Metadata)> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if let Some(kind) = kind_of(meta.file_type()) {
        return Err(io::Error::new(
            ErrorKind::InvalidInput,
            format!("it is {kind}, not a regular file"),
        ));
    }
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(io::Error::new(
            ErrorKind::InvalidData,
            format!("it is larger than {} KiB", max / 1024),
        ));
    }
    Ok((bytes, meta))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn mkfifo(path: &Path) {
        let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo only creates a file system node.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    }

    fn check(path: &Path) -> Result<Existing, String> {
        ensure_regular_or_absent(path, "database").map_err(|e| e.to_string())
    }

    #[test]
    fn only_regular_files_or_nothing_pass() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("crm.db");
        assert_eq!(check(&file), Ok(Existing::Absent));
        std::fs::write(&file, "").unwrap();
        assert_eq!(check(&file), Ok(Existing::RegularFile));

        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        let link = dir.path().join("link-to-fifo");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        let socket = dir.path().join("sock");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();

        for (path, kind) in [
            (fifo.as_path(), "a FIFO"),
            (link.as_path(), "a FIFO"),
            (socket.as_path(), "a socket"),
            (dir.path(), "a directory"),
            // Only looked at (stat), never opened or changed.
            (Path::new("/dev/null"), "a character device"),
        ] {
            let err = check(path).unwrap_err();
            assert!(
                err.starts_with(&format!("database {} is {kind},", path.display())),
                "{err}"
            );
        }
        assert_eq!(check(&dangling), Ok(Existing::Absent));
    }

    #[test]
    fn modes_are_set_only_on_files_this_process_created() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let theirs = dir.path().join("theirs");
        std::fs::write(&theirs, "").unwrap();
        std::fs::set_permissions(&theirs, std::fs::Permissions::from_mode(0o644)).unwrap();
        restrict_created(&theirs, Existing::RegularFile).unwrap();
        assert_eq!(mode(&theirs), 0o644);

        let ours = dir.path().join("ours");
        std::fs::write(&ours, "").unwrap();
        std::fs::set_permissions(&ours, std::fs::Permissions::from_mode(0o644)).unwrap();
        restrict_created(&ours, Existing::Absent).unwrap();
        assert_eq!(mode(&ours), 0o600);
    }

    #[test]
    fn reading_a_fifo_fails_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        let err = read_regular(&fifo, 1024).unwrap_err();
        assert!(err.to_string().contains("a FIFO"), "{err}");
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; 2049]).unwrap();
        assert!(read_regular(&big, 2048).is_err());
        assert_eq!(read_regular(&big, 4096).unwrap().0.len(), 2049);
    }
}
