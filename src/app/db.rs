//! `db migrate` and `db status`.

use serde::Serialize;

use super::{Context, Report};
use crate::cli::DbCommand;
use crate::error::CliResult;
use crate::output::{Columns, Detail, Render, Section, names};
use crate::store::model::TableRows;

pub fn run(ctx: &mut Context, cmd: DbCommand) -> CliResult<Report> {
    match cmd {
        DbCommand::Migrate => migrate(ctx),
        DbCommand::Status { exact } => status(ctx, exact),
    }
}

#[derive(Serialize, Default)]
struct Migrated {
    backend: &'static str,
    location: String,
    from_version: i64,
    to_version: i64,
    applied: Vec<i64>,
}

impl Columns for Migrated {}

fn migrate(ctx: &mut Context) -> CliResult<Report> {
    let store = ctx.raw_store()?;
    let info = store.info();
    let from_version = store.schema_version()?;
    let applied = store.migrate()?;
    let to_version = store.schema_version()?;
    let note = if applied.is_empty() {
        format!("schema already at version {to_version}; nothing to do")
    } else {
        format!("migrated from version {from_version} to {to_version}")
    };
    Ok(Report::data(Detail(Migrated {
        backend: info.backend,
        location: info.location,
        from_version,
        to_version,
        applied,
    }))
    .note(note))
}

#[derive(Serialize)]
struct Status {
    backend: &'static str,
    location: String,
    schema_version: i64,
    latest_schema_version: i64,
    /// `current`, `pending` (older, migrates on next use) or `newer` (refused).
    state: &'static str,
    /// How the connection to a PostgreSQL server is protected ("TLSv1.3, server certificate
    /// and host name verified (sslmode=verify-full)"); absent for SQLite.
    #[serde(skip_serializing_if = "Option::is_none")]
    tls: Option<String>,
    tables: Vec<TableRows>,
}

impl Render for Status {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("status serializes")
    }

    fn sections(&self) -> Vec<Section> {
        let mut facts = vec![
            vec!["backend".into(), self.backend.into()],
            vec!["location".into(), self.location.clone()],
            vec![
                "schema".into(),
                format!(
                    "version {} of {} ({})",
                    self.schema_version, self.latest_schema_version, self.state
                ),
            ],
        ];
        if let Some(tls) = &self.tls {
            facts.push(vec!["tls".into(), tls.clone()]);
        }
        vec![
            Section {
                title: None,
                columns: vec!["field".into(), "value".into()],
                rows: facts,
                ..Section::default()
            },
            Section {
                title: None,
                columns: vec!["table".into(), "rows".into(), "count".into()],
                rows: self
                    .tables
                    .iter()
                    .map(|t| vec![t.table.clone(), rows_cell(t), count_cell(t).into()])
                    .collect(),
                ..Section::default()
            },
        ]
    }

    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let columns = [
            "backend",
            "location",
            "schema_version",
            "latest_schema_version",
            "state",
            "table",
            "rows",
            "estimated",
        ];
        let rows = self
            .tables
            .iter()
            .map(|t| {
                vec![
                    self.backend.to_string(),
                    self.location.clone(),
                    self.schema_version.to_string(),
                    self.latest_schema_version.to_string(),
                    self.state.to_string(),
                    t.table.clone(),
                    t.rows.map(|n| n.to_string()).unwrap_or_default(),
                    t.estimated.to_string(),
                ]
            })
            .collect();
        (names(&columns), rows)
    }
}

fn rows_cell(t: &TableRows) -> String {
    match t.rows {
        Some(n) if t.estimated => format!("~{n}"),
        Some(n) => n.to_string(),
        None => "-".into(),
    }
}

fn count_cell(t: &TableRows) -> &'static str {
    match (t.rows, t.estimated) {
        (None, _) => "-",
        (Some(_), true) => "estimate",
        (Some(_), false) => "exact",
    }
}

fn status(ctx: &mut Context, exact: bool) -> CliResult<Report> {
    let store = ctx.raw_store()?;
    let info = store.info();
    let schema_version = store.schema_version()?;
    let latest_schema_version = store.latest_version();
    let state = match schema_version.cmp(&latest_schema_version) {
        std::cmp::Ordering::Equal => "current",
        std::cmp::Ordering::Less => "pending",
        std::cmp::Ordering::Greater => "newer",
    };
    let tables = store.table_rows(exact)?;
    let estimated = tables.iter().any(|t| t.estimated);
    let mut report = Report::data(Status {
        backend: info.backend,
        location: info.location,
        schema_version,
        latest_schema_version,
        state,
        tls: info.tls,
        tables,
    });
    match state {
        "pending" => {
            report = report
                .note("the schema will be migrated on next use (or run `socialcrm db migrate`)")
        }
        "newer" => {
            report = report
                .note("this database was migrated by a newer socialcrm: upgrade before using it")
        }
        _ => {}
    }
    if estimated {
        report = report.note(
            "rows marked ~ are PostgreSQL's estimates (they lag behind recent writes until the table is analyzed); --exact counts every row",
        );
    }
    Ok(report)
}
