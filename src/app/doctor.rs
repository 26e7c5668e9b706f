//! `doctor`: a checklist of everything a sync needs, each check independent of the others, so
//! one run shows every problem at once instead of the first.

use chrono::Utc;
use serde::Serialize;

use super::{Context, Report};
use crate::cli::DoctorArgs;
use crate::config::{self, Need};
use crate::error::{CliError, CliResult, ExitCode};
use crate::output::{Columns, List};
use crate::platforms::registry;
use crate::store::model::ConnectionStatus;
use crate::vocab::PlatformId;

/// A database clock further off than this makes token expiry and webhook windows unreliable.
const SKEW_WARN_SECS: i64 = 60;

#[derive(Serialize, Default)]
struct Check {
    check: String,
    /// `ok`, `warn` or `fail`.
    status: &'static str,
    detail: String,
}

impl Columns for Check {}

struct Checklist(Vec<Check>);

impl Checklist {
    fn add(&mut self, check: impl Into<String>, status: &'static str, detail: impl Into<String>) {
        self.0.push(Check {
            check: check.into(),
            status,
            detail: detail.into(),
        });
    }

    fn result<T>(&mut self, check: &str, outcome: CliResult<T>, ok: impl FnOnce(T) -> String) {
        match outcome {
            Ok(v) => self.add(check, "ok", ok(v)),
            Err(e) => {
                let detail = match &e.hint {
                    Some(hint) => format!("{} ({hint})", e.message),
                    None => e.message,
                };
                self.add(check, "fail", detail)
            }
        }
    }
}

pub fn run(ctx: &mut Context, args: DoctorArgs) -> CliResult<Report> {
    let mut list = Checklist(Vec::new());
    list.add(
        "configuration",
        "ok",
        match &ctx.config.config_file {
            Some(path) => format!("read {}", path.display()),
            None => "defaults and environment (no config file)".into(),
        },
    );

    let platforms: Vec<PlatformId> = match args.platform {
        Some(p) => vec![p],
        None => connected_platforms(ctx),
    };
    for platform in platforms {
        credentials(ctx, platform, &mut list);
    }

    let mut tls = None;
    let database = ctx.store().map(|store| {
        let info = store.info();
        let version = store.schema_version().unwrap_or(0);
        tls = info.tls.map(|state| (state, info.tls_weak));
        format!(
            "{} at {} (schema version {version})",
            info.backend, info.location
        )
    });
    let database_ok = database.is_ok();
    list.result("database", database, |d| d);
    if let Some((state, weak)) = tls {
        if weak {
            let hint = "use sslmode=verify-full with sslrootcert (README, section PostgreSQL: TLS, passwords, managed services)";
            list.add("database tls", "warn", format!("{state}: {hint}"));
        } else {
            list.add("database tls", "ok", state);
        }
    }
    if database_ok {
        clock(ctx, &mut list);
        let backend = ctx.secrets().map(|s| s.backend());
        list.result("secrets", backend, |b| format!("{b} backend answers"));
        connections(ctx, &args, &mut list);
    }

    let failed = list.0.iter().any(|c| c.status == "fail");
    let mut report = Report::data(List(list.0));
    if failed {
        report.exit = ExitCode::Failure;
        report
            .notes
            .push("some checks failed: see the detail column".into());
    }
    Ok(report)
}

/// The platforms of the live connections, each once (doctor without --platform checks those).
fn connected_platforms(ctx: &mut Context) -> Vec<PlatformId> {
    let Ok(rows) = ctx.store().and_then(|s| Ok(s.list_connections()?)) else {
        return Vec::new();
    };
    let mut platforms: Vec<PlatformId> = rows
        .iter()
        .filter(|r| r.connection.status != ConnectionStatus::Revoked)
        .map(|r| r.connection.platform)
        .collect();
    platforms.sort();
    platforms.dedup();
    platforms
}

/// One row per credential of the platform: set (and where from: never the value), or missing,
/// failing when `connect` cannot do without it.
fn credentials(ctx: &Context, platform: PlatformId, list: &mut Checklist) {
    if let Some(imported) = &registry::adapter(platform).imported {
        return list.add(platform.name(), "ok", imported.doctor);
    }
    for c in config::credentials(platform, &ctx.config.platform(platform)) {
        let check = format!("{platform} {}", c.var);
        let detail = match (&c.from, c.need) {
            (Some(at), _) if at.ends_with(c.var) => format!("set in the environment ({at})"),
            (Some(at), _) => format!("set in the config file ({at})"),
            (None, Need::Connect) => format!(
                "missing: {} ([{platform}] {} in the config file); the README's \"{}\" section says where to find it",
                c.what,
                c.key,
                platform.setup_section()
            ),
            (None, Need::Optional(only)) => format!("not set (only needed for {only})"),
        };
        let status = match (&c.from, c.need) {
            (None, Need::Connect) => "fail",
            _ => "ok",
        };
        list.add(check, status, detail);
    }
}

/// This host's clock against the database server's (PostgreSQL): hosts sharing a database must
/// agree on time for token expiry and webhook replay windows.
fn clock(ctx: &mut Context, list: &mut Checklist) {
    let Ok(store) = ctx.store() else { return };
    match store.server_time() {
        Ok(Some(server)) => {
            let skew = (Utc::now() - server).num_seconds();
            let status = if skew.abs() > SKEW_WARN_SECS {
                "warn"
            } else {
                "ok"
            };
            list.add(
                "clock",
                status,
                format!("{skew:+} s from the database server's clock"),
            );
        }
        Ok(None) => list.add(
            "clock",
            "ok",
            "embedded database: no other clock to compare with",
        ),
        Err(e) => list.add("clock", "warn", e.to_string()),
    }
}

/// Each platform's credentials and each live connection's token, refreshed if due.
fn connections(ctx: &mut Context, args: &DoctorArgs, list: &mut Checklist) {
    if args
        .platform
        .is_some_and(|p| registry::adapter(p).imported.is_some())
    {
        return; // imported, never connected: its one row says so
    }
    let rows = match ctx.store().and_then(|s| Ok(s.list_connections()?)) {
        Ok(rows) => rows,
        Err(e) => return list.add("connections", "fail", e.message),
    };
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|r| r.connection.status != ConnectionStatus::Revoked)
        .filter(|r| args.platform.is_none_or(|p| p == r.connection.platform))
        .collect();
    if rows.is_empty() {
        return list.add(
            "connections",
            "warn",
            match args.platform {
                Some(p) => format!("no connected {p} account: run `socialcrm connect {p}`"),
                None => "no connected account: run `socialcrm connect <platform>`".to_string(),
            },
        );
    }
    for row in rows {
        let c = row.connection.clone();
        let name = format!("{} {}", c.platform, c.account);
        let id = c.platform;
        let adapter = match ctx.connected_adapter(id, &c.account) {
            Ok(a) => a,
            Err(e) => {
                list.add(name, "fail", e.message);
                continue;
            }
        };
        let checked: CliResult<String> =
            ctx.session(adapter.as_ref(), row).and_then(|mut session| {
                let who = session
                    .with_token(|token| adapter.whoami(token))
                    .map_err(CliError::from)?;
                Ok(format!(
                    "token valid for {}",
                    who.username.unwrap_or(who.platform_user_id)
                ))
            });
        list.result(&name, checked, |d| d);
    }
}
