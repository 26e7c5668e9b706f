//! PostgreSQL, for teams and for several cron hosts sharing one CRM.
//!
//! Connections time out after 10 s unless the URL says otherwise, so an unreachable server
//! fails a cron run quickly with a one-line reason instead of hanging it. Every message built
//! here names the server by its redacted URL only.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, NoTls, Statement};

use super::generic::{Conn, Migration, SqlStore};
use super::sql::Dialect;
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
    location: String,
}

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

impl Conn for PgConn {
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
