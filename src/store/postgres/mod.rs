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
    /// Column types of each staging table, for binary COPY.
    stage_types: HashMap<&'static str, Vec<Type>>,
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
            stage_types: HashMap::new(),
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

impl PgConn {
    /// A temporary table with the key and columns of `spec`'s table, and its column types.
    fn stage(&mut self, spec: &UpsertSpec) -> Result<(String, Vec<Type>), StoreError> {
        let stage = format!("socialcrm_stage_{}", spec.table);
        let cols = spec.all_columns().join(", ");
        self.batch(&format!(
            "CREATE TEMP TABLE IF NOT EXISTS {stage} AS SELECT {cols} FROM {} WITH NO DATA",
            spec.table
        ))?;
        if let Some(types) = self.stage_types.get(spec.table) {
            return Ok((stage, types.clone()));
        }
        let probe = self
            .client
            .prepare(&format!("SELECT {cols} FROM {stage}"))
            .map_err(|e| self.error(&e))?;
        let types: Vec<Type> = probe.columns().iter().map(|c| c.type_().clone()).collect();
        self.stage_types.insert(spec.table, types.clone());
        Ok((stage, types))
    }

    /// Streams rows into the stage with binary COPY until the input ends or a key repeats
    /// (one `INSERT ... ON CONFLICT` may not touch a row twice); returns the rows copied and
    /// the row that repeated a key, which starts the next run.
    fn copy_run(
        &mut self,
        spec: &UpsertSpec,
        stage: &str,
        types: &[Type],
        first: Option<Vec<Value>>,
        rows: &mut dyn Iterator<Item = Vec<Value>>,
    ) -> Result<(u64, Option<Vec<Value>>), postgres::Error> {
        let cols = spec.all_columns().join(", ");
        let sink = self
            .client
            .copy_in(&format!("COPY {stage} ({cols}) FROM STDIN (FORMAT binary)"))?;
        let mut writer = BinaryCopyInWriter::new(sink, types);
        let mut keys = HashSet::new();
        let mut copied = 0u64;
        let mut carry = None;
        for params in first.into_iter().chain(rows) {
            if !keys.insert(key_text(&params[..spec.key.len()])) {
                carry = Some(params);
                break;
            }
            let refs: Vec<&(dyn ToSql + Sync)> =
                params.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
            writer.write(&refs)?;
            copied += 1;
        }
        writer.finish()?;
        Ok((copied, carry))
    }
}

impl Conn for PgConn {
    /// Binary COPY into a temporary staging table, then one `INSERT ... SELECT ... ON CONFLICT`
    /// per run of distinct keys: the server parses nothing and plans one statement per batch.
    fn upsert(
        &mut self,
        spec: &UpsertSpec,
        rows: &mut dyn Iterator<Item = Vec<Value>>,
        now: &Value,
    ) -> Result<UpsertCounts, StoreError> {
        if rows.size_hint().0 < BULK_MIN {
            return upsert_each(self, spec, rows, now);
        }
        let (stage, types) = self.stage(spec)?;
        let merge = format!(
            "WITH up AS ({}) SELECT COUNT(*) FILTER (WHERE revision = 1) AS inserted, \
             COUNT(*) AS written FROM up",
            spec.sql_from(Dialect::Postgres, &stage)
        );
        let mut counts = UpsertCounts::default();
        let mut carry = None;
        loop {
            let (copied, next) = self
                .copy_run(spec, &stage, &types, carry.take(), rows)
                .map_err(|e| self.error(&e))?;
            let done = self.query(&merge, std::slice::from_ref(now))?;
            let row = done
                .first()
                .ok_or_else(|| StoreError::Decode("the bulk upsert returned no counts".into()))?;
            let (inserted, written) = (row.i64("inserted")? as u64, row.i64("written")? as u64);
            counts.inserted += inserted;
            counts.updated += written - inserted;
            counts.unchanged += copied - written;
            self.batch(&format!("TRUNCATE {stage}"))?;
            match next {
                Some(row) => carry = Some(row),
                None => return Ok(counts),
            }
        }
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
