//! `accounts` (list and check connections) and `disconnect`.

use super::{Context, Report};
use crate::auth::lifecycle::{LifecycleError, audit_entry, secret_key};
use crate::auth::tokens::Tokens;
use crate::cli::{AccountsArgs, DisconnectArgs};
use crate::error::{CliError, CliResult, ExitCode};
use crate::output::{Columns, List};
use crate::platforms::{self, PlatformError};
use crate::store::Batch;
use crate::store::model::{Connection, ConnectionRow, ConnectionStatus};

/// Where the tokens are kept (`secret_ref`) is for scripts: tables and CSV leave it out.
impl Columns for ConnectionRow {
    fn columns() -> Option<&'static [&'static str]> {
        Some(&[
            "id",
            "platform",
            "account",
            "username",
            "platform_user_id",
            "status",
            "scopes",
            "token_expires_at",
            "connected_at",
            "last_sync_at",
            "updated_at",
        ])
    }

    fn table_columns() -> Option<&'static [&'static str]> {
        Some(&[
            "platform",
            "account",
            "username",
            "status",
            "scopes",
            "token_expires_at",
            "last_sync_at",
        ])
    }

    fn dropped_first() -> &'static [&'static str] {
        &["scopes", "token_expires_at"]
    }

    fn to_the_second() -> &'static [&'static str] {
        &[
            "token_expires_at",
            "connected_at",
            "last_sync_at",
            "updated_at",
        ]
    }
}

impl From<LifecycleError> for CliError {
    fn from(e: LifecycleError) -> Self {
        match e {
            LifecycleError::Reauth { .. } => CliError::new(ExitCode::Reauth, e.to_string()),
            LifecycleError::Platform(p) => p.into(),
            LifecycleError::Secrets(s) => s.into(),
            LifecycleError::Store(s) => s.into(),
            LifecycleError::Lock { .. } => CliError::failure(e.to_string()),
        }
    }
}

pub fn list(ctx: &mut Context, args: AccountsArgs) -> CliResult<Report> {
    let connections = ctx.store()?.list_connections()?;
    if !args.check {
        let empty = connections.is_empty();
        let mut report = Report::data(List(connections));
        if empty {
            report
                .notes
                .push("no accounts connected: run `socialcrm connect tiktok`".into());
        }
        return Ok(report);
    }
    let mut notes = Vec::new();
    let mut exit = ExitCode::Success;
    for row in connections
        .iter()
        .filter(|r| r.connection.status != ConnectionStatus::Revoked)
    {
        let c = &row.connection;
        match check(ctx, row.clone()) {
            Ok(()) => {}
            Err(e) => {
                if e.exit == ExitCode::Reauth {
                    exit = ExitCode::Reauth;
                } else if exit == ExitCode::Success {
                    exit = ExitCode::Partial;
                }
                notes.push(format!("{} {}: {}", c.platform, c.account, e.message));
            }
        }
    }
    let connections = ctx.store()?.list_connections()?;
    let mut report = Report::data(List(connections));
    report.notes = notes;
    report.exit = exit;
    Ok(report)
}

/// Asks the platform who the token belongs to, renewing it as needed, and records the answer.
fn check(ctx: &mut Context, row: ConnectionRow) -> CliResult<()> {
    let id = row.connection.platform;
    let adapter = ctx.connected_adapter(id, &row.connection.account)?;
    let mut session = ctx.session(adapter.as_ref(), row)?;
    let identity = session.with_token(|token| adapter.whoami(token))?;
    let mut connection = session.connection.connection.clone();
    connection.username = identity.username.or(connection.username);
    connection.platform_user_id = Some(identity.platform_user_id);
    session.store.upsert(Batch::Connections(&[connection]))?;
    Ok(())
}

pub fn disconnect(ctx: &mut Context, args: DisconnectArgs) -> CliResult<Report> {
    let id = args.platform;
    let found = ctx
        .store()?
        .list_connections()?
        .into_iter()
        .find(|r| r.connection.platform == id && r.connection.account == args.account);
    let Some(row) = found else {
        return Err(CliError::failure(format!(
            "no {id} account named '{}' is connected",
            args.account
        ))
        .with_hint("`socialcrm accounts` lists them"));
    };
    let key = secret_key(id.name(), &args.account);
    let stored = ctx.secrets()?.get(&key)?;
    let sandbox = stored
        .as_ref()
        .and_then(Tokens::from_secret)
        .is_some_and(|t| t.sandbox);
    let adapter = platforms::oauth(id, &ctx.config, sandbox)?;
    let mut notes = Vec::new();
    match stored.as_ref().and_then(Tokens::from_secret) {
        Some(tokens) => match adapter.revoke(&tokens) {
            Ok(()) => notes.extend(adapter.revoke_note().map(str::to_string)),
            // Already dead at the platform: nothing left to revoke.
            Err(e @ (PlatformError::Grant { .. } | PlatformError::Unauthorized { .. })) => {
                notes.push(format!("{id} says the token was no longer valid ({e})"));
            }
            Err(e) => {
                let entry = audit_entry(
                    &ctx.config.operator,
                    "revoke",
                    id,
                    &args.account,
                    "failed",
                    &e.to_string(),
                );
                ctx.store()?.upsert(Batch::Audit(&[entry]))?;
                return Err(CliError::failure(format!("could not revoke at {id}: {e}"))
                    .with_hint("nothing was changed; run disconnect again"));
            }
        },
        None => notes.push("no stored token: nothing to revoke at the platform".into()),
    }
    ctx.secrets()?.delete(&key)?;
    let connection = Connection {
        status: ConnectionStatus::Revoked,
        token_expires_at: None,
        ..row.connection.clone()
    };
    let operator = ctx.config.operator.clone();
    let store = ctx.store()?;
    store.upsert(Batch::Connections(&[connection]))?;
    let entry = audit_entry(
        &operator,
        "revoke",
        id,
        &args.account,
        "ok",
        "tokens revoked and deleted",
    );
    store.upsert(Batch::Audit(&[entry]))?;
    let rows = store
        .list_connections()?
        .into_iter()
        .filter(|r| r.connection.platform == id && r.connection.account == args.account)
        .collect::<Vec<_>>();
    if args.purge {
        let purged = store.purge_account(id, &args.account, row.id)?;
        let summary: Vec<String> = purged
            .iter()
            .map(|t| format!("{} {}", t.rows.unwrap_or(0), t.table))
            .collect();
        let detail = format!("purged {}", summary.join(", "));
        let entry = audit_entry(&operator, "purge", id, &args.account, "ok", &detail);
        store.upsert(Batch::Audit(&[entry]))?;
        notes.push(format!("{detail} rows"));
    } else {
        notes.push("the CRM data synced from this account is kept (--purge deletes it)".into());
    }
    let mut report = Report::data(List(rows));
    report.notes = notes;
    Ok(report)
}
