//! The embedded default: one SQLite file in the user's data directory.
//!
//! The file and its directory are created owner-only (0700 / 0600) because the CRM holds
//! personal data about fans. A path that exists must be a regular file, and only a file created
//! here has its mode set (`fsutil`): `sqlite:/dev/null` run as root must not chmod `/dev/null`. WAL mode lets listings read while an import writes, and a busy
//! timeout makes concurrent commands wait for each other instead of failing.
//!
//! A sync's claim on an account is an exclusive `flock` on `<database>.locks/<connection id>`,
//! held on its own open file for as long as this process syncs the account: the kernel drops
//! it when the process dies (SIGKILL, OOM killer, reboot), so the next run takes over at once.
//! `flock` locks belong to an open file, so two workers of one process exclude each other too.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};

use super::export::{Cell, Column};
use super::generic::{Conn, Migration, RowSource, SqlStore};
use super::model::UpsertCounts;
use super::sql::{Dialect, UpsertSpec};
use super::value::{Row, Value, format_time};
use super::{OpenMode, StoreError, StoreInfo};
use crate::fsutil::{self, Existing};

pub const MIGRATIONS: &[Migration] = super::schema_migrations!("migrations");

pub struct SqliteConn {
    conn: Connection,
    location: String,
    /// `<database>.locks/`: one lock file per connection being synced.
    lock_dir: PathBuf,
    /// The sync claims held, each an open file with its `flock`.
    sync_locks: HashMap<i64, File>,
    /// Whether [`Conn::begin_bulk`] has moved this connection's statement journals into memory.
    journals_in_memory: bool,
}

impl SqliteConn {
    /// Puts temporary storage (statement journals among it) in memory or back to files,
    /// unless it is there already.
    fn journals_in_memory(&mut self, memory: bool) -> Result<(), StoreError> {
        if self.journals_in_memory != memory {
            let mode = if memory { "MEMORY" } else { "DEFAULT" };
            self.batch(&format!("PRAGMA temp_store = {mode}"))?;
            self.journals_in_memory = memory;
        }
        Ok(())
    }
}

pub fn open(path: &Path, mode: OpenMode) -> Result<SqlStore<SqliteConn>, StoreError> {
    let location = path.display().to_string();
    let fail = |reason: String| StoreError::CannotOpen {
        location: location.clone(),
        reason,
    };
    let before = match fsutil::ensure_regular_or_absent(path, "SQLite database") {
        Ok(before) => before,
        Err(fsutil::FsError::Io { reason, .. }) => return Err(fail(reason)),
        Err(e) => return Err(e.into()),
    };
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if before == Existing::Absent {
        if mode == OpenMode::MustExist {
            return Err(StoreError::Missing { location });
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir)
                .map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
        }
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags).map_err(|e| fail(e.to_string()))?;
    fsutil::restrict_created(path, before).map_err(|e| fail(e.to_string()))?;
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(|e| fail(e.to_string()))?;
    // Switching a new file to WAL needs an exclusive lock that SQLite does not wait for through
    // the busy timeout: processes opening a brand-new database at once (cron jobs, racing
    // `db migrate`s) retry for a while instead of failing.
    let mut attempts = 0;
    loop {
        match conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
             PRAGMA wal_autocheckpoint = 16384; PRAGMA cache_size = -16384;",
        ) {
            Ok(()) => break,
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy && attempts < 500 =>
            {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => return Err(fail(e.to_string())),
        }
    }
    register_functions(&conn).map_err(|e| fail(e.to_string()))?;
    let info = StoreInfo {
        backend: "sqlite",
        location: location.clone(),
        tls: None,
        tls_weak: false,
    };
    Ok(SqlStore::new(
        SqliteConn {
            conn,
            location,
            lock_dir: lock_dir(path),
            sync_locks: HashMap::new(),
            journals_in_memory: false,
        },
        info,
        MIGRATIONS,
    ))
}

/// The functions socialcrm's SQL calls that SQLite does not have: `socialcrm_fold(text)`, the
/// search's Unicode lowercasing ([`super::sql::fold`]; SQLite's `lower()` folds ASCII only).
/// Only queries call it, never the schema (triggers, indexes), so the database stays usable
/// from the `sqlite3` shell.
fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "socialcrm_fold",
        1,
        FunctionFlags::SQLITE_UTF8
            | FunctionFlags::SQLITE_DETERMINISTIC
            | FunctionFlags::SQLITE_INNOCUOUS,
        |ctx| {
            Ok(match ctx.get_raw(0) {
                ValueRef::Null => None,
                ValueRef::Text(t) | ValueRef::Blob(t) => {
                    Some(super::sql::fold(&String::from_utf8_lossy(t)))
                }
                ValueRef::Integer(v) => Some(v.to_string()),
                ValueRef::Real(v) => Some(v.to_string()),
            })
        },
    )
}

/// Where the sync claims of the database at `path` live: `<path>.locks/`.
fn lock_dir(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".locks");
    PathBuf::from(name)
}

/// Takes an exclusive `flock` on `file` without waiting: false when another holder has it.
#[cfg(unix)]
fn try_flock(file: &File) -> std::io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor owned by `file`; no memory is shared.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    if e.kind() == std::io::ErrorKind::WouldBlock {
        Ok(false)
    } else {
        Err(e)
    }
}

#[cfg(not(unix))]
fn try_flock(_file: &File) -> std::io::Result<bool> {
    Ok(true)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        use rusqlite::types::Value as V;
        Ok(match self {
            Value::Null => ToSqlOutput::Owned(V::Null),
            Value::Int(v) => ToSqlOutput::Owned(V::Integer(*v)),
            Value::Real(v) => ToSqlOutput::Owned(V::Real(*v)),
            Value::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Value::Time(t) => ToSqlOutput::Owned(V::Text(format_time(t))),
        })
    }
}

impl SqliteConn {
    fn error(&self, e: rusqlite::Error) -> StoreError {
        // A failed write is almost always a full disk; say so next to SQLite's own words. The
        // transaction is rolled back, so the database stays as it was.
        let reason = match &e {
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::DiskFull | rusqlite::ErrorCode::SystemIoFailure
                ) =>
            {
                format!("{e} (is the disk full? nothing of this write was kept)")
            }
            _ => e.to_string(),
        };
        StoreError::Query {
            location: self.location.clone(),
            reason,
        }
    }
}

impl Conn for SqliteConn {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn try_lock_sync(&mut self, id: i64) -> Result<bool, StoreError> {
        if self.sync_locks.contains_key(&id) {
            return Ok(true);
        }
        let path = self.lock_dir.join(format!("{id}.lock"));
        let fail = |e: std::io::Error| StoreError::Query {
            location: self.location.clone(),
            reason: format!("cannot lock {}: {e}", path.display()),
        };
        create_private_dir(&self.lock_dir).map_err(fail)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(fail)?;
        if !try_flock(&file).map_err(fail)? {
            return Ok(false);
        }
        self.sync_locks.insert(id, file);
        Ok(true)
    }

    fn holds_sync(&self, id: i64) -> bool {
        self.sync_locks.contains_key(&id)
    }

    fn unlock_sync(&mut self, id: i64) -> Result<(), StoreError> {
        // Closing the file drops its lock.
        self.sync_locks.remove(&id);
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.conn.execute_batch(sql).map_err(|e| self.error(e))
    }

    /// Each upsert of a bulk load is a statement that fires triggers (the trigram search, the
    /// spend buckets) inside a long transaction, so SQLite journals every page it is about to
    /// change for a statement rollback: some twenty index pages a fan. Past 64 KiB that
    /// journal spills to a temporary file, and a 1,000,000-fan import wrote tens of GB into it
    /// (`/proc/<pid>/io`); in memory it is one statement's pages, reset after each. Set here,
    /// not at open: temp_store also keeps temporary tables and sorts in memory, which the
    /// commands that only read (listings, export, report) and migrations' index builds must
    /// not; and not in the transaction, where SQLite refuses it once the temporary database
    /// is open.
    fn begin_bulk(&mut self) -> Result<(), StoreError> {
        self.journals_in_memory(true)
    }

    /// Back to temporary files once the bulk transaction is over: what an import does next
    /// (recomputing the fans' first and last seen, their paid totals) groups a whole account's
    /// rows, which in memory took a 1,000,000-message import from 52 to 118 MB.
    fn end_bulk(&mut self) -> Result<(), StoreError> {
        self.journals_in_memory(false)
    }

    /// One prepared upsert, bound and run per row without building result rows.
    ///
    /// Telling inserted from updated rows needs `RETURNING revision` only until the batch has
    /// inserted a row: from then on the last insert rowid is this table's highest, so a new
    /// row moves it and an update (which SQLite does not count as an insert) leaves it, and
    /// the plain statement, cheaper by its RETURNING, does the rest.
    fn upsert(
        &mut self,
        spec: &UpsertSpec,
        rows: &dyn RowSource,
        now: &Value,
    ) -> Result<UpsertCounts, StoreError> {
        let returning_sql = spec.sql(Dialect::Sqlite);
        let plain_sql = spec.upsert(Dialect::Sqlite);
        let now_index = spec.all_columns().len() + 1;
        let run = || -> rusqlite::Result<UpsertCounts> {
            let mut returning = self.conn.prepare_cached(&returning_sql)?;
            let mut plain = self.conn.prepare_cached(&plain_sql)?;
            returning.raw_bind_parameter(now_index, now)?;
            plain.raw_bind_parameter(now_index, now)?;
            let mut counts = UpsertCounts::default();
            let mut last_rowid: Option<i64> = None;
            for i in 0..rows.len() {
                let params = rows.params(i);
                let Some(last) = last_rowid else {
                    for (i, value) in params.iter().enumerate() {
                        returning.raw_bind_parameter(i + 1, value)?;
                    }
                    // SQLite makes every change of a RETURNING statement at its first step.
                    let mut returned = returning.raw_query();
                    match returned.next()? {
                        None => counts.unchanged += 1,
                        Some(row) => {
                            let revision: i64 = row.get(0)?;
                            counts.count_revision(revision);
                            if revision == 1 {
                                last_rowid = Some(self.conn.last_insert_rowid());
                            }
                        }
                    }
                    continue;
                };
                for (i, value) in params.iter().enumerate() {
                    plain.raw_bind_parameter(i + 1, value)?;
                }
                let changed = plain.raw_execute()?;
                let rowid = self.conn.last_insert_rowid();
                if changed == 0 {
                    counts.unchanged += 1;
                } else if rowid != last {
                    counts.inserted += 1;
                    last_rowid = Some(rowid);
                } else {
                    counts.updated += 1;
                }
            }
            Ok(counts)
        };
        run().map_err(|e| self.error(e))
    }

    fn columns(&mut self, table: &str) -> Result<Vec<Column>, StoreError> {
        let sql = format!("SELECT * FROM {table} LIMIT 0");
        let stmt = self.conn.prepare(&sql).map_err(|e| self.error(e))?;
        Ok(stmt
            .column_names()
            .map(|name| Column {
                name: name.to_string(),
                native: true,
            })
            .collect())
    }

    fn stream(
        &mut self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(&[Cell<'_>]) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        // The sink's own failure, kept apart from SQLite's while the rows are borrowed.
        let mut failed = None;
        let mut run = || -> rusqlite::Result<u64> {
            let mut stmt = self.conn.prepare(sql)?;
            let width = stmt.column_count();
            let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
            let mut n = 0;
            while let Some(row) = rows.next()? {
                let mut cells = Vec::with_capacity(width);
                for i in 0..width {
                    cells.push(match row.get_ref(i)? {
                        ValueRef::Null => Cell::Null,
                        ValueRef::Integer(v) => Cell::Int(v),
                        ValueRef::Real(v) => Cell::Real(v),
                        ValueRef::Text(t) | ValueRef::Blob(t) => {
                            Cell::Text(String::from_utf8_lossy(t))
                        }
                    });
                }
                if let Err(e) = each(&cells) {
                    failed = Some(e);
                    break;
                }
                n += 1;
            }
            Ok(n)
        };
        let rows = run().map_err(|e| self.error(e))?;
        match failed {
            Some(e) => Err(e),
            None => Ok(rows),
        }
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let run = || -> rusqlite::Result<Vec<Row>> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let columns: Arc<[String]> = stmt.column_names().map(|c| c.to_string()).collect();
            let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let mut values = Vec::with_capacity(columns.len());
                for i in 0..columns.len() {
                    values.push(match row.get_ref(i)? {
                        ValueRef::Null => Value::Null,
                        ValueRef::Integer(v) => Value::Int(v),
                        ValueRef::Real(v) => Value::Real(v),
                        ValueRef::Text(t) | ValueRef::Blob(t) => {
                            Value::Text(String::from_utf8_lossy(t).into_owned())
                        }
                    });
                }
                out.push(Row {
                    columns: columns.clone(),
                    values,
                });
            }
            Ok(out)
        };
        run().map_err(|e| self.error(e))
    }
}
