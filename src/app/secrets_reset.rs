//! `secrets reset`: the documented way out after a lost `master.key` or `SOCIALCRM_MASTER_KEY`.
//!
//! Without the key, the tokens sealed under it are gone for good; what can be recovered is the
//! ability to connect again. This lists every stored secret the configured key cannot open and,
//! with `--yes`, deletes each one, marks its connection `needs_reauth` (so `accounts` and `sync`
//! say "connect again" instead of failing on decryption) and records an audit entry. It never
//! touches a secret that opens, and never deletes without `--yes`. The store is opened with
//! [`secrets::open_for_reset`], which unlike the normal open accepts a missing `master.key`
//! (and never creates one while sealed values remain).

use serde::Serialize;

use super::{Context, Report};
use crate::auth::lifecycle::audit_entry;
use crate::cli::SecretsCommand;
use crate::config::SecretsBackend;
use crate::error::{CliError, CliResult};
use crate::output::{Columns, List};
use crate::secrets;
use crate::store::Batch;
use crate::vocab::PlatformId;

/// One unreadable secret and what was done with it.
#[derive(Debug, Serialize, Default)]
pub struct ResetRow {
    pub key: String,
    pub platform: Option<String>,
    pub account: Option<String>,
    /// `deleted`, or `would delete` without `--yes`.
    pub action: &'static str,
    pub reason: String,
}

impl Columns for ResetRow {}

/// `socialcrm/<platform>/<account>` -> (platform, account). Account names may hold `/`.
fn owner_of(key: &str) -> Option<(&str, &str)> {
    key.strip_prefix("socialcrm/")?.split_once('/')
}

pub fn run(ctx: &mut Context, cmd: SecretsCommand) -> CliResult<Report> {
    let SecretsCommand::Reset {
        platform,
        account,
        yes,
    } = cmd;
    if ctx.config.secrets.backend == SecretsBackend::Keychain {
        return Err(CliError::config(
            "the keychain backend has no socialcrm master key to lose: nothing to reset",
        )
        .with_hint("`secrets reset` is for SOCIALCRM_SECRETS=file or db"));
    }
    // The CRM database first: a mistyped --database-url is refused before anything is opened
    // or created (the db backend would otherwise create it).
    ctx.store()?;
    let mut store = secrets::open_for_reset(
        &ctx.config.secrets,
        &ctx.config.database,
        &ctx.config.data_dir,
    )?;
    let wanted = |key: &str| {
        let owner = owner_of(key);
        platform.is_none_or(|p| owner.is_some_and(|(pl, _)| pl == p.name()))
            && account
                .as_deref()
                .is_none_or(|a| owner.is_some_and(|(_, ac)| ac == a))
    };
    let unreadable: Vec<_> = store
        .unreadable()?
        .into_iter()
        .filter(|u| wanted(&u.key))
        .collect();

    let connections = if yes && !unreadable.is_empty() {
        ctx.store()?.list_connections()?
    } else {
        Vec::new()
    };
    let detail = |u: &secrets::Unreadable| {
        format!(
            "deleted the secret {}, which the current key cannot open ({}); connect again",
            u.key, u.reason
        )
    };
    let operator = ctx.config.operator.clone();
    let mut rows = Vec::new();
    for u in unreadable {
        let owner = owner_of(&u.key);
        if yes {
            store.delete(&u.key)?;
            let db = ctx.store()?;
            let entry = match owner {
                Some((p, a)) => {
                    if let Some(row) = connections
                        .iter()
                        .find(|c| c.connection.platform.name() == p && c.connection.account == a)
                    {
                        let mut connection = row.connection.clone();
                        connection.status = crate::store::model::ConnectionStatus::NeedsReauth;
                        db.upsert(Batch::Connections(std::slice::from_ref(&connection)))?;
                    }
                    // The key names its platform as text; one this version does not know is
                    // recorded without a platform rather than refused.
                    crate::store::model::AuditEntry {
                        platform: PlatformId::from_name(p),
                        ..audit_entry(
                            &operator,
                            "secrets_reset",
                            PlatformId::default(),
                            a,
                            "ok",
                            &detail(&u),
                        )
                    }
                }
                // A key of no account (none is written so today): still on the record.
                None => crate::store::model::AuditEntry {
                    platform: None,
                    account: None,
                    ..audit_entry(
                        &operator,
                        "secrets_reset",
                        PlatformId::default(),
                        "",
                        "ok",
                        &detail(&u),
                    )
                },
            };
            db.upsert(Batch::Audit(&[entry]))?;
        }
        rows.push(ResetRow {
            platform: owner.map(|(p, _)| p.to_string()),
            account: owner.map(|(_, a)| a.to_string()),
            key: u.key,
            action: if yes { "deleted" } else { "would delete" },
            reason: u.reason,
        });
    }

    let note = match (rows.len(), yes) {
        (0, _) => "every stored secret opens with the current key: nothing to reset".to_string(),
        (n, false) => format!(
            "{n} secret(s) cannot be opened with the current key; nothing was deleted. If the key is lost, `socialcrm secrets reset --yes` deletes them (check SOCIALCRM_MASTER_KEY first: a mistyped one makes every secret look unreadable)"
        ),
        (n, true) => format!(
            "deleted {n} secret(s); their accounts need `socialcrm connect <platform> --account <name>` again"
        ),
    };
    Ok(Report::data(List(rows)).note(note))
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_name_their_platform_and_account() {
        assert_eq!(
            super::owner_of("socialcrm/tiktok/a/b"),
            Some(("tiktok", "a/b"))
        );
        assert_eq!(super::owner_of("other"), None);
    }
}
