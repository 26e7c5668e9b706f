use clap::Subcommand;

use crate::vocab::PlatformId;

/// The `secrets` subcommands.
#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Delete the stored tokens the current master key cannot open, after a lost master.key or
    /// SOCIALCRM_MASTER_KEY
    ///
    /// Lists every secret of the file or db backend that does not open with the configured key
    /// (sealed under another key, or damaged), and with --yes deletes them, marks their
    /// connections needs_reauth and records each in the audit log; then `socialcrm connect` the
    /// accounts again. Without --yes nothing is deleted. Check the key first: with a mistyped
    /// SOCIALCRM_MASTER_KEY every secret looks unreadable.
    Reset {
        /// Only secrets of this platform
        #[arg(long, short)]
        platform: Option<PlatformId>,

        /// Only secrets of the account with this local name
        #[arg(long, value_name = "NAME", value_parser = super::account_name)]
        account: Option<String>,

        /// Delete them (without it, only list what would be deleted)
        #[arg(long)]
        yes: bool,
    },
}
