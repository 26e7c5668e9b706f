//! PostgreSQL, for teams and for several cron hosts sharing one CRM.
//!
//! Connections time out after 10 s unless the URL says otherwise, so an unreachable server
//! fails a cron run quickly with a one-line reason instead of hanging it. Every message built
//! here names the server by its redacted URL only.

use std::collections::{HashMap, HashSet};
use std::error::Error as StdError;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::error::SqlState;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, NoTls, Statement};

use super::generic::{Conn, Migration, SqlStore, upsert_each};
use super::model::UpsertCounts;
use super::sql::{Dialect, UpsertSpec};
use super::value::{Row, Value};
use super::{StoreError, StoreInfo};
use crate::secrets::{Secret, redact_url};

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("migrations/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "event_fans",
        sql: include_str!("migrations/0002_event_fans.sql"),
    },
];

pub struct PgConn {
    client: Client,
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
    let unreachable = |reason: String| StoreError::Unreachable {
        location: location.clone(),
        reason,
    };
    let mut config = postgres::Config::from_str(url.expose())
        .map_err(|e| unreachable(format!("invalid connection URL ({e})")))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    if config.get_application_name().is_none() {
        config.application_name("socialcrm");
    }
    let client = config
        .connect(NoTls)
        .map_err(|e| unreachable(describe(&e)))?;
    let info = StoreInfo {
        backend: "postgres",
        location: location.clone(),
    };
    Ok(SqlStore::new(
        PgConn {
            client,
            statements: HashMap::new(),
            column_types: HashMap::new(),
            conflicted: HashSet::new(),
            location,
        },
        info,
        MIGRATIONS,
    ))
}

/// The driver's message with its cause, on one line ("error connecting to server: Connection
/// refused (os error 111)").
fn describe(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.message().to_string();
    }
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
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
            Value::Time(v) => v.to_sql_checked(ty, out),
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

impl PgConn {
    fn error(&self, e: &postgres::Error) -> StoreError {
        // A connection that died mid-command is the same trouble as one that never opened.
        if e.is_closed() {
            return StoreError::Unreachable {
                location: self.location.clone(),
                reason: describe(e),
            };
        }
        StoreError::Query {
            location: self.location.clone(),
            reason: describe(e),
        }
    }
}

/// The key of a row as text, to notice a key repeated within one COPY.
fn key_text(key: &[Value]) -> String {
    let mut out = String::new();
    for v in key {
        match v {
            Value::Null => out.push_str("\u{0}null"),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Real(r) => out.push_str(&r.to_string()),
            Value::Text(t) => out.push_str(t),
            Value::Time(t) => out.push_str(&t.to_rfc3339()),
        }
        out.push('\u{1f}');
    }
    out
}

fn key_hash(key: &[Value]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for v in key {
        match v {
            Value::Null => 0u8.hash(&mut h),
            Value::Int(i) => i.hash(&mut h),
            Value::Real(r) => r.to_bits().hash(&mut h),
            Value::Text(t) => t.hash(&mut h),
            Value::Time(t) => t.hash(&mut h),
        }
    }
    h.finish()
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

    /// The keys of `rows` already in the table, as [`key_text`]: one query, each key looked
    /// up through the table's unique index.
    fn existing_keys(
        &mut self,
        spec: &UpsertSpec,
        types: &[Type],
        rows: &[Vec<Value>],
    ) -> Result<HashSet<String>, StoreError> {
        let t = spec.table;
        let k = spec.key.len();
        let mut arrays: Vec<Box<dyn ToSql + Sync>> = Vec::with_capacity(k);
        let mut casts = Vec::with_capacity(k);
        for (i, ty) in types[..k].iter().enumerate() {
            let column = rows.iter().map(|r| r[i].clone());
            arrays.push(match *ty {
                Type::INT8 => Box::new(column.map(Value::into_i64).collect::<Vec<_>>()),
                Type::TIMESTAMPTZ => Box::new(column.map(Value::into_time).collect::<Vec<_>>()),
                _ => Box::new(column.map(Value::into_text).collect::<Vec<_>>()),
            });
            casts.push(format!("${}::{}[]", i + 1, ty.name()));
        }
        let names: Vec<String> = (0..k).map(|i| format!("k{i}")).collect();
        let on: Vec<String> = spec
            .key
            .iter()
            .zip(&names)
            .map(|(c, n)| format!("{t}.{c} = k.{n}"))
            .collect();
        let sql = format!(
            "SELECT {cols} FROM {t} JOIN unnest({casts}) AS k({names}) ON {on}",
            cols = spec
                .key
                .iter()
                .map(|c| format!("{t}.{c}"))
                .collect::<Vec<_>>()
                .join(", "),
            casts = casts.join(", "),
            names = names.join(", "),
            on = on.join(" AND "),
        );
        let refs: Vec<&(dyn ToSql + Sync)> = arrays.iter().map(|a| a.as_ref()).collect();
        let found = self.client.query(&sql, &refs).map_err(|e| self.error(&e))?;
        found
            .iter()
            .map(|row| {
                let key = (0..k)
                    .map(|i| decode(row, i))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| self.error(&e))?;
                Ok(key_text(&key))
            })
            .collect()
    }

    /// Binary COPY of `rows` into `table`'s `columns`, each row followed by `tail`.
    fn copy_in(
        &mut self,
        table: &str,
        columns: &[&str],
        types: &[Type],
        rows: &[&Vec<Value>],
        tail: &[Value],
    ) -> Result<(), postgres::Error> {
        let sql = format!(
            "COPY {table} ({}) FROM STDIN (FORMAT binary)",
            columns.join(", ")
        );
        let run = |client: &mut Client| -> Result<(), postgres::Error> {
            let mut writer = BinaryCopyInWriter::new(client.copy_in(&sql)?, types);
            for row in rows {
                let refs: Vec<&(dyn ToSql + Sync)> = row
                    .iter()
                    .chain(tail)
                    .map(|v| v as &(dyn ToSql + Sync))
                    .collect();
                writer.write(&refs)?;
            }
            writer.finish()?;
            Ok(())
        };
        run(&mut self.client)
    }

    /// Copies rows that are new to the table straight into it. Inside `savepoint` (already
    /// open) a key that is already there rolls the copy back and gives `false`.
    fn copy_new(
        &mut self,
        spec: &UpsertSpec,
        types: &[Type],
        rows: &[&Vec<Value>],
        now: &Value,
        savepoint: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut columns = spec.all_columns();
        columns.extend(["revision", "created_at", "updated_at"]);
        let mut all_types = types.to_vec();
        all_types.extend([Type::INT8, Type::TIMESTAMPTZ, Type::TIMESTAMPTZ]);
        let tail = [Value::Int(1), now.clone(), now.clone()];
        match self.copy_in(spec.table, &columns, &all_types, rows, &tail) {
            Ok(()) => Ok(true),
            Err(e) if savepoint.is_some() && e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                self.batch(&format!(
                    "ROLLBACK TO SAVEPOINT {}",
                    savepoint.unwrap_or("")
                ))?;
                Ok(false)
            }
            Err(e) => Err(self.error(&e)),
        }
    }

    /// One run of rows with distinct keys: new keys are copied straight into the table,
    /// existing ones merged through the stage.
    fn upsert_run(
        &mut self,
        spec: &UpsertSpec,
        types: &[Type],
        rows: &[Vec<Value>],
        now: &Value,
    ) -> Result<UpsertCounts, StoreError> {
        let all: Vec<&Vec<Value>> = rows.iter().collect();
        // Until a table has shown a conflict on this connection, a batch is assumed new: a
        // first import then costs exactly a COPY. One conflict and the lookups take over.
        if !self.conflicted.contains(spec.table) {
            self.batch("SAVEPOINT socialcrm_bulk")?;
            if self.copy_new(spec, types, &all, now, Some("socialcrm_bulk"))? {
                return Ok(UpsertCounts {
                    inserted: rows.len() as u64,
                    ..UpsertCounts::default()
                });
            }
            self.conflicted.insert(spec.table);
        }
        let existing = self.existing_keys(spec, types, rows)?;
        let k = spec.key.len();
        let (old, new): (Vec<&Vec<Value>>, Vec<&Vec<Value>>) = all
            .into_iter()
            .partition(|r| existing.contains(&key_text(&r[..k])));
        let mut counts = UpsertCounts::default();
        if !new.is_empty() {
            // The table lock keeps these keys new until commit.
            self.copy_new(spec, types, &new, now, None)?;
        }
        counts.inserted = new.len() as u64;
        if old.len() < BULK_MIN {
            counts += upsert_each(self, spec, &mut old.into_iter().cloned(), now)?;
            return Ok(counts);
        }
        let stage = self.stage(spec)?;
        let Some(update) = spec.update_from(Dialect::Postgres, &stage) else {
            counts.unchanged += old.len() as u64;
            return Ok(counts);
        };
        self.copy_in(&stage, &spec.all_columns(), types, &old, &[])
            .map_err(|e| self.error(&e))?;
        let done = self.query(&update, std::slice::from_ref(now))?;
        let written = done
            .first()
            .map(|r| r.i64("written"))
            .transpose()?
            .unwrap_or(0) as u64;
        counts.updated += written;
        counts.unchanged += old.len() as u64 - written;
        self.batch(&format!("TRUNCATE {stage}"))?;
        Ok(counts)
    }
}

impl Conn for PgConn {
    /// Bulk loads skip both the server's CSV parsing and `ON CONFLICT`'s speculative inserts:
    /// under a lock that keeps other writers of the table out until commit, the batch's keys
    /// are looked up once, new rows go in by binary COPY (the fastest way into a table), and
    /// existing rows are merged from a binary-COPYed staging table with one `UPDATE`, which
    /// touches only rows whose merged values differ. Readers are never blocked.
    fn upsert(
        &mut self,
        spec: &UpsertSpec,
        rows: &mut dyn Iterator<Item = Vec<Value>>,
        now: &Value,
    ) -> Result<UpsertCounts, StoreError> {
        if rows.size_hint().0 < BULK_MIN {
            return upsert_each(self, spec, rows, now);
        }
        // Key lookups must probe the unique index: the planner, not knowing how many rows a
        // staging table or an array holds, may otherwise hash-join against the whole table on
        // every batch. A bulk batch's commit does not wait for the disk: the next synchronous
        // commit on this connection (an import ends with its audit entry) flushes it, so a
        // finished command is as durable as ever and a long load skips one fsync per batch.
        // SET LOCAL ends with the transaction.
        self.batch(&format!(
            "LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE; \
             SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; \
             SET LOCAL synchronous_commit = off",
            spec.table
        ))?;
        let types = self.column_types(spec)?;
        let rows: Vec<Vec<Value>> = rows.collect();
        let k = spec.key.len();
        // Runs of distinct keys: a key repeated in a batch is written again after the first,
        // as the row-by-row path would.
        let mut counts = UpsertCounts::default();
        let mut start = 0;
        while start < rows.len() {
            // Hashes, not keys: a collision only ends a run early, which is harmless.
            let mut keys = HashSet::new();
            let end = rows[start..]
                .iter()
                .position(|r| !keys.insert(key_hash(&r[..k])))
                .map_or(rows.len(), |n| start + n);
            counts += self.upsert_run(spec, &types, &rows[start..end], now)?;
            start = end;
        }
        Ok(counts)
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.client.batch_execute(sql).map_err(|e| self.error(&e))
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let stmt = match self.statements.get(sql) {
            Some(stmt) => stmt.clone(),
            None => {
                let stmt = self.client.prepare(sql).map_err(|e| self.error(&e))?;
                self.statements.insert(sql.to_string(), stmt.clone());
                stmt
            }
        };
        let refs: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        let rows = self
            .client
            .query(&stmt, &refs)
            .map_err(|e| self.error(&e))?;
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
