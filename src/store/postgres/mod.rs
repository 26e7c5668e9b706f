//! PostgreSQL, for teams and for several cron hosts sharing one CRM.
//!
//! How a connection is opened (TLS, `PG*` variables, `~/.pgpass`, timeouts) is `connect/`'s
//! job; this file is the SQL side. Every message built here names the server by its redacted
//! URL only.
//!
//! A session that the server ends (a restart or failover: SQLSTATE 57P01-57P03, a class 08
//! error, or the client's "connection closed") is opened again once: a statement outside a
//! transaction is sent again at once, and a transaction's work is retried by
//! `SqlStore::write_tx` (see [`Conn::recover`]). The sync claims this session held (advisory
//! locks die with their session) are taken again on the new one; a claim another sync took in
//! between is not, and the work fails, so two syncs never hold one account.

pub mod connect;

use std::collections::{HashMap, HashSet};
use std::error::Error as StdError;
use std::sync::Arc;

use bytes::BytesMut;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::error::SqlState;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, Statement};

use super::export::{Cell, Column};
use super::generic::{Conn, Migration, RowSource, SqlStore, upsert_each};
use super::model::UpsertCounts;
use super::sql::{Dialect, UpsertSpec};
use super::value::{Row, Value, micros};
use super::{StoreError, StoreInfo};
use crate::vocab::{Secret, redact_url};

pub const MIGRATIONS: &[Migration] = super::schema_migrations!("migrations");

pub struct PgConn {
    client: Client,
    /// How to open the session again after the server ended it.
    /// What `reconnect` opens again, through the same TLS and password rules.
    url: Secret,
    /// Inside `BEGIN` ... `COMMIT`/`ROLLBACK`: a lost session is not retried statement by
    /// statement, the whole transaction is (by the caller, after [`Conn::recover`]).
    in_tx: bool,
    /// The session was lost (inside a transaction: it waits for [`Conn::recover`]). A cell, so
    /// that every error path, which only reads `self`, can note it.
    broken: std::cell::Cell<bool>,
    /// Platform connections whose sync this session holds (session advisory locks).
    sync_locks: HashSet<i64>,
    statements: HashMap<String, Statement>,
    /// Column types of each table's key and columns, for binary COPY.
    column_types: HashMap<&'static str, Vec<Type>>,
    /// Tables where a bulk load met existing keys: later batches look keys up first.
    conflicted: HashSet<&'static str>,
    location: String,
}

/// Below this many rows a batch is written row by row: a staging table costs more than it saves.
const BULK_MIN: usize = 64;

pub fn open(url: &Secret) -> Result<SqlStore<PgConn>, StoreError> {
    let location = redact_url(url.expose());
    let (client, tls) = connect::connect(url)?;
    let info = StoreInfo {
        backend: "postgres",
        location: location.clone(),
        tls: Some(tls.to_string()),
        tls_weak: tls.is_weak(),
    };
    Ok(SqlStore::new(
        PgConn {
            client,
            url: url.clone(),
            in_tx: false,
            broken: std::cell::Cell::new(false),
            sync_locks: HashSet::new(),
            statements: HashMap::new(),
            column_types: HashMap::new(),
            conflicted: HashSet::new(),
            location,
        },
        info,
        MIGRATIONS,
    ))
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) if *ty == Type::INT4 => i32::try_from(*v)?.to_sql_checked(ty, out),
            Value::Int(v) => v.to_sql_checked(ty, out),
            Value::Real(v) => v.to_sql_checked(ty, out),
            Value::Text(v) => v.to_sql_checked(ty, out),
            // Rounded down as SQLite's text is, not towards 2000 as the driver would.
            Value::Time(v) => micros(*v).to_sql_checked(ty, out),
        }
    }

    fn accepts(_ty: &Type) -> bool {
        // Each variant checks its own type in `to_sql`.
        true
    }

    postgres::types::to_sql_checked!();
}

fn decode(row: &postgres::Row, i: usize) -> Result<Value, postgres::Error> {
    let ty = row.columns()[i].type_();
    Ok(match *ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(i)?.into(),
        Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map(i64::from).into(),
        Type::INT2 => row.try_get::<_, Option<i16>>(i)?.map(i64::from).into(),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.into(),
        Type::FLOAT4 => row.try_get::<_, Option<f32>>(i)?.map(f64::from).into(),
        Type::BOOL => row.try_get::<_, Option<bool>>(i)?.map(i64::from).into(),
        Type::TIMESTAMPTZ => row
            .try_get::<_, Option<chrono::DateTime<chrono::Utc>>>(i)?
            .into(),
        _ => row.try_get::<_, Option<String>>(i)?.into(),
    })
}

/// Whether [`stream_cell`] reads values of type `ty` as they are (else they are read as text).
fn streamable(ty: &Type) -> bool {
    matches!(
        *ty,
        Type::INT8
            | Type::INT4
            | Type::INT2
            | Type::FLOAT8
            | Type::FLOAT4
            | Type::BOOL
            | Type::TIMESTAMPTZ
            | Type::TEXT
            | Type::VARCHAR
    )
}

/// Column `i` of an exported row, borrowed from the row.
fn stream_cell<'r>(
    row: &'r postgres::Row,
    i: usize,
    ty: &Type,
) -> Result<Cell<'r>, postgres::Error> {
    // Narrower integers, booleans and floats widen to the two number cells.
    let int = |v: Option<i64>| v.map_or(Cell::Null, Cell::Int);
    let real = |v: Option<f64>| v.map_or(Cell::Null, Cell::Real);
    Ok(match *ty {
        Type::INT8 => int(row.try_get(i)?),
        Type::INT4 => int(row.try_get::<_, Option<i32>>(i)?.map(i64::from)),
        Type::INT2 => int(row.try_get::<_, Option<i16>>(i)?.map(i64::from)),
        Type::BOOL => int(row.try_get::<_, Option<bool>>(i)?.map(i64::from)),
        Type::FLOAT8 => real(row.try_get(i)?),
        Type::FLOAT4 => real(row.try_get::<_, Option<f32>>(i)?.map(f64::from)),
        Type::TIMESTAMPTZ => row
            .try_get::<_, Option<chrono::DateTime<chrono::Utc>>>(i)?
            .map_or(Cell::Null, Cell::Time),
        _ => row
            .try_get::<_, Option<&str>>(i)?
            .map_or(Cell::Null, |t| Cell::Text(t.into())),
    })
}

/// The session is gone (the server ended it, or the socket closed), as opposed to a statement
/// that failed on a live session.
fn lost(e: &postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    match e.code() {
        Some(code) => {
            let code = code.code();
            matches!(code, "57P01" | "57P02" | "57P03") || code.starts_with("08")
        }
        // An I/O error on the socket, not an answer of the server.
        None => e.as_db_error().is_none() && e.to_string().contains("connection"),
    }
}

/// The advisory-lock key of the sync claim on platform connection `id`. Advisory locks are per
/// database, not per schema: the key is derived from the schema too, so two CRMs in one
/// database (or the test suite's schemas) never contend.
const SYNC_LOCK_KEY: &str =
    "hashtextextended(coalesce(current_schema(), '') || ':sync:' || $1, 7311953487120943)";

impl PgConn {
    /// Opens the session again and takes the sync claims the old one held. A claim that another
    /// sync took meanwhile is dropped, and the error says so: its account's work must stop.
    fn reconnect(&mut self) -> Result<(), StoreError> {
        let (client, _) = connect::connect(&self.url)?;
        tracing::info!(location = %self.location, "database session lost; opened a new one");
        self.client = client;
        self.statements.clear();
        self.in_tx = false;
        self.broken.set(false);
        let held: Vec<i64> = self.sync_locks.drain().collect();
        let mut lost = Vec::new();
        for id in held {
            if self.try_lock_sync(id)? {
                continue;
            }
            lost.push(id);
        }
        if let Some(&id) = lost.first() {
            return Err(StoreError::ClaimLost { id });
        }
        Ok(())
    }

    /// Runs `once` against the session; when the session turns out lost outside a transaction,
    /// opens a new one and runs it once more. Inside a transaction it marks the session broken
    /// for [`Conn::recover`] instead.
    fn retrying<T>(
        &mut self,
        mut once: impl FnMut(&mut Self) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        match once(self) {
            Ok(v) => Ok(v),
            Err(e) if lost(&e) && !self.in_tx => {
                self.reconnect()?;
                once(self).map_err(|e| self.error(&e))
            }
            Err(e) => Err(self.error(&e)),
        }
    }

    fn error(&self, e: &postgres::Error) -> StoreError {
        if lost(e) {
            self.broken.set(true);
        }
        // A connection that died mid-command is the same trouble as one that never opened.
        if e.is_closed() {
            return StoreError::Unreachable {
                location: self.location.clone(),
                reason: connect::describe(e),
            };
        }
        StoreError::Query {
            location: self.location.clone(),
            reason: connect::describe(e),
        }
    }
}

/// A hash of a row's key, to notice a key repeated within one COPY. A collision only ends a
/// run early, which is harmless.
fn key_hash(key: &[Value]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for v in key {
        match v {
            Value::Null => 0u8.hash(&mut h),
            Value::Int(i) => i.hash(&mut h),
            Value::Real(r) => r.to_bits().hash(&mut h),
            Value::Text(t) => t.hash(&mut h),
            Value::Time(t) => t.timestamp_micros().hash(&mut h),
        }
    }
    h.finish()
}

/// How far a COPY went.
enum Copied {
    /// Up to (not including) this position: the end, or a key repeated within the COPY.
    Until(usize),
    /// A row's key was already in the table; the COPY was rolled back.
    Conflict,
}

impl PgConn {
    /// A temporary table with the key and columns of `spec`'s table, for merging rows whose
    /// keys exist.
    fn stage(&mut self, spec: &UpsertSpec) -> Result<String, StoreError> {
        let stage = format!("socialcrm_stage_{}", spec.table);
        self.batch(&format!(
            "CREATE TEMP TABLE IF NOT EXISTS {stage} AS SELECT {} FROM {} WITH NO DATA",
            spec.all_columns().join(", "),
            spec.table
        ))?;
        Ok(stage)
    }

    /// The types of the key and columns of `spec`'s table, for binary COPY.
    fn column_types(&mut self, spec: &UpsertSpec) -> Result<Vec<Type>, StoreError> {
        if let Some(types) = self.column_types.get(spec.table) {
            return Ok(types.clone());
        }
        let probe = self
            .client
            .prepare(&format!(
                "SELECT {} FROM {}",
                spec.all_columns().join(", "),
                spec.table
            ))
            .map_err(|e| self.error(&e))?;
        let types: Vec<Type> = probe.columns().iter().map(|c| c.type_().clone()).collect();
        self.column_types.insert(spec.table, types.clone());
        Ok(types)
    }

    /// Binary COPY of `rows` from position `start` into `table`'s `columns`, each row followed
    /// by `tail`, stopping before a row whose key (its first `key_len` values) repeats one
    /// already copied. Returns where it stopped.
    #[allow(clippy::too_many_arguments)]
    fn copy_in(
        &mut self,
        table: &str,
        columns: &[&str],
        types: &[Type],
        rows: &dyn RowSource,
        start: usize,
        key_len: usize,
        tail: &[Value],
    ) -> Result<usize, postgres::Error> {
        let sql = format!(
            "COPY {table} ({}) FROM STDIN (FORMAT binary)",
            columns.join(", ")
        );
        let mut writer = BinaryCopyInWriter::new(self.client.copy_in(&sql)?, types);
        let mut keys = HashSet::new();
        let mut end = rows.len();
        for i in start..rows.len() {
            let params = rows.params(i);
            if !keys.insert(key_hash(&params[..key_len])) {
                end = i;
                break;
            }
            let refs: Vec<&(dyn ToSql + Sync)> = params
                .iter()
                .chain(tail)
                .map(|v| v as &(dyn ToSql + Sync))
                .collect();
            writer.write(&refs)?;
        }
        writer.finish()?;
        Ok(end)
    }

    /// Copies rows from `start` straight into the table as new rows, up to a repeated key.
    /// With `savepoint` (already open), a key that is already in the table rolls the copy
    /// back.
    fn copy_new(
        &mut self,
        bulk: Bulk<'_>,
        start: usize,
        savepoint: Option<&str>,
    ) -> Result<Copied, StoreError> {
        let mut columns = bulk.spec.all_columns();
        columns.extend(["revision", "created_at", "updated_at"]);
        let mut all_types = bulk.types.to_vec();
        all_types.extend([Type::INT8, Type::TIMESTAMPTZ, Type::TIMESTAMPTZ]);
        let tail = [Value::Int(1), bulk.now.clone(), bulk.now.clone()];
        let copied = self.copy_in(
            bulk.spec.table,
            &columns,
            &all_types,
            bulk.rows,
            start,
            bulk.spec.key.len(),
            &tail,
        );
        match (copied, savepoint) {
            (Ok(end), _) => Ok(Copied::Until(end)),
            (Err(e), Some(savepoint)) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                self.batch(&format!("ROLLBACK TO SAVEPOINT {savepoint}"))?;
                Ok(Copied::Conflict)
            }
            (Err(e), _) => Err(self.error(&e)),
        }
    }

    /// Rows from `start`, some possibly in the table, merged in one pass: binary-COPYed into
    /// the stage up to a key repeated within them, then one `INSERT ... SELECT ... ON CONFLICT
    /// DO UPDATE ... WHERE changed` (see [`UpsertSpec::merge_from`]), which probes the unique
    /// index once per row. Returns the counts and where it stopped.
    fn merge_staged(
        &mut self,
        bulk: Bulk<'_>,
        start: usize,
    ) -> Result<(UpsertCounts, usize), StoreError> {
        let stage = self.stage(bulk.spec)?;
        let end = self
            .copy_in(
                &stage,
                &bulk.spec.all_columns(),
                bulk.types,
                bulk.rows,
                start,
                bulk.spec.key.len(),
                &[],
            )
            .map_err(|e| self.error(&e))?;
        let merge = bulk.spec.merge_from(Dialect::Postgres, &stage);
        let done = self.query(&merge, std::slice::from_ref(bulk.now))?;
        let count = |name: &str| -> Result<u64, StoreError> {
            Ok(done.first().map(|r| r.i64(name)).transpose()?.unwrap_or(0) as u64)
        };
        let (inserted, updated) = (count("inserted")?, count("updated")?);
        // Truncated in place: the stage was created or truncated in this transaction.
        self.batch(&format!("TRUNCATE {stage}"))?;
        let counts = UpsertCounts {
            inserted,
            updated,
            unchanged: (end - start) as u64 - inserted - updated,
        };
        Ok((counts, end))
    }
}

/// One bulk upsert under way: its table's upsert, the column types, the rows and the write
/// time, which [`PgConn::copy_new`] and [`PgConn::merge_staged`] each carry on from a row.
#[derive(Clone, Copy)]
struct Bulk<'a> {
    spec: &'a UpsertSpec,
    types: &'a [Type],
    rows: &'a dyn RowSource,
    now: &'a Value,
}

impl Conn for PgConn {
    /// Bulk loads skip the server's CSV parsing. Under a lock that keeps other writers of the
    /// table out until commit, a batch is first assumed new and binary-COPYed straight into
    /// the table (the fastest way in) inside a savepoint. After the first conflict on this
    /// connection, batches go through a staging table instead and are merged with one
    /// `INSERT ... ON CONFLICT DO UPDATE ... WHERE changed`: new rows inserted, existing ones
    /// touched only when a merged value differs, one index probe per row. Readers are never
    /// blocked.
    fn upsert(
        &mut self,
        spec: &UpsertSpec,
        rows: &dyn RowSource,
        now: &Value,
    ) -> Result<UpsertCounts, StoreError> {
        if rows.len() < BULK_MIN {
            return upsert_each(self, spec, rows, now);
        }
        // A bulk batch's commit does not wait for the disk: the next synchronous commit on
        // this connection (an import ends with its audit entry) flushes it, so a finished
        // command is as durable as ever and a long load skips one fsync per commit. SET LOCAL
        // ends with the transaction.
        self.batch(&format!(
            "LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE; SET LOCAL synchronous_commit = off",
            spec.table
        ))?;
        let types = self.column_types(spec)?;
        let bulk = Bulk {
            spec,
            types: &types,
            rows,
            now,
        };
        let mut counts = UpsertCounts::default();
        let mut start = 0;
        while start < rows.len() {
            if !self.conflicted.contains(spec.table) {
                self.batch("SAVEPOINT socialcrm_bulk")?;
                match self.copy_new(bulk, start, Some("socialcrm_bulk"))? {
                    Copied::Until(end) => {
                        counts.inserted += (end - start) as u64;
                        start = end;
                        continue;
                    }
                    Copied::Conflict => {
                        self.conflicted.insert(spec.table);
                    }
                }
            }
            // A key repeated in a batch is written again after the first, as the row-by-row
            // path would: the stage takes a run of distinct keys at a time.
            let (merged, end) = self.merge_staged(bulk, start)?;
            counts += merged;
            start = end;
        }
        Ok(counts)
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        match sql {
            // A transaction that was cut off is over: nothing to roll back on a new session.
            "ROLLBACK" if self.broken.get() => {
                self.in_tx = false;
                return Ok(());
            }
            "COMMIT" | "ROLLBACK" => {
                let done = self.client.batch_execute(sql).map_err(|e| self.error(&e));
                self.in_tx = false;
                return done;
            }
            _ => {}
        }
        let begins = sql.starts_with("BEGIN");
        self.retrying(|c| c.client.batch_execute(sql))?;
        if begins {
            self.in_tx = true;
        }
        Ok(())
    }

    fn recover(&mut self) -> Result<bool, StoreError> {
        if !self.broken.get() {
            return Ok(false);
        }
        self.reconnect()?;
        Ok(true)
    }

    fn try_lock_sync(&mut self, id: i64) -> Result<bool, StoreError> {
        if self.sync_locks.contains(&id) {
            return Ok(true);
        }
        let sql = format!("SELECT pg_try_advisory_lock({SYNC_LOCK_KEY}) AS got");
        let got = self.retrying(|c| c.client.query_one(&sql, &[&id.to_string()]))?;
        let got: bool = got.try_get("got").map_err(|e| self.error(&e))?;
        if got {
            self.sync_locks.insert(id);
        }
        Ok(got)
    }

    fn holds_sync(&self, id: i64) -> bool {
        self.sync_locks.contains(&id)
    }

    fn unlock_sync(&mut self, id: i64) -> Result<(), StoreError> {
        if !self.sync_locks.remove(&id) {
            return Ok(());
        }
        let sql = format!("SELECT pg_advisory_unlock({SYNC_LOCK_KEY}) AS done");
        // A session lost here took its locks with it: nothing left to give back.
        match self.client.query_one(&sql, &[&id.to_string()]) {
            Ok(_) => Ok(()),
            Err(e) if lost(&e) => Ok(()),
            Err(e) => Err(self.error(&e)),
        }
    }

    fn columns(&mut self, table: &str) -> Result<Vec<Column>, StoreError> {
        let sql = format!("SELECT * FROM {table} LIMIT 0");
        let stmt = self.retrying(|c| c.client.prepare(&sql))?;
        Ok(stmt
            .columns()
            .iter()
            .map(|c| Column {
                name: c.name().to_string(),
                native: streamable(c.type_()),
            })
            .collect())
    }

    /// Rows arrive in binary and are decoded in place; the driver reads them off the socket as
    /// they are asked for, so the server waits while a slow sink writes.
    fn stream(
        &mut self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(&[Cell<'_>]) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        use postgres::fallible_iterator::FallibleIterator;
        let stmt = self.client.prepare(sql).map_err(|e| self.error(&e))?;
        let types: Vec<Type> = stmt.columns().iter().map(|c| c.type_().clone()).collect();
        let mut failed = None;
        let mut run = || -> Result<u64, postgres::Error> {
            let mut rows = self
                .client
                .query_raw(&stmt, params.iter().map(|v| v as &(dyn ToSql + Sync)))?;
            let mut n = 0;
            while let Some(row) = rows.next()? {
                let mut cells = Vec::with_capacity(types.len());
                for (i, ty) in types.iter().enumerate() {
                    cells.push(stream_cell(&row, i, ty)?);
                }
                if let Err(e) = each(&cells) {
                    failed = Some(e);
                    break;
                }
                n += 1;
            }
            Ok(n)
        };
        let rows = run();
        if let Some(e) = failed {
            return Err(e);
        }
        rows.map_err(|e| self.error(&e))
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let refs: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        let (stmt, rows) = self.retrying(|c| {
            let stmt = match c.statements.get(sql) {
                Some(stmt) => stmt.clone(),
                None => {
                    let stmt = c.client.prepare(sql)?;
                    c.statements.insert(sql.to_string(), stmt.clone());
                    stmt
                }
            };
            let rows = c.client.query(&stmt, &refs)?;
            Ok((stmt, rows))
        })?;
        let columns: Arc<[String]> = stmt
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        rows.iter()
            .map(|row| {
                let values = (0..columns.len())
                    .map(|i| decode(row, i))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| self.error(&e))?;
                Ok(Row {
                    columns: columns.clone(),
                    values,
                })
            })
            .collect()
    }
}
