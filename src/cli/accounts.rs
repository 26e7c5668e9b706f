use clap::Args;

use crate::vocab::PlatformId;
use crate::vocab::platform::FACTS;

/// The help of `connect`'s platform argument: the platforms with an API, then those without.
fn connect_platform_help() -> String {
    let api: Vec<&str> = FACTS
        .iter()
        .filter(|f| f.env_prefix.is_some())
        .map(|f| f.name)
        .collect();
    let imported: Vec<&str> = FACTS
        .iter()
        .filter(|f| f.env_prefix.is_none())
        .map(|f| f.name)
        .collect();
    let api = match api.as_slice() {
        [init @ .., last] if !init.is_empty() => format!("{} or {last}", init.join(", ")),
        _ => api.join(""),
    };
    format!(
        "The platform to connect ({api}; {} explains how to import)",
        imported.join(" and ")
    )
}

/// The arguments of `connect`: the platform, the local account name, how the browser is reached.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// The platform to connect (every platform with an API; one without explains how to import)
    #[arg(help = connect_platform_help())]
    pub platform: PlatformId,

    /// A local name for this account, to connect several of one platform
    #[arg(long, value_name = "NAME", value_parser = super::account_name, default_value = "default")]
    pub account: String,

    /// Print the authorization URL instead of opening a browser; the listener still waits, and
    /// the address the browser ends on may be pasted on standard input (for a browser on
    /// another machine)
    #[arg(long)]
    pub no_browser: bool,

    /// Listen for the redirect on this port of 127.0.0.1 (the redirect URI registered with the
    /// platform must allow it); default: the port of the configured redirect URI, else any
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,

    /// Ask for this scope (repeat for several); default: the platform's usual read scopes
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,

    /// Give up waiting for the authorization after SECS seconds (1 to 86400)
    #[arg(long, value_name = "SECS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,

    /// Use the platform's sandbox app (also TIKTOK_SANDBOX_MODE=true)
    #[arg(long)]
    pub sandbox: bool,
}

/// The arguments of `disconnect`.
#[derive(Debug, Args)]
pub struct DisconnectArgs {
    /// The platform of the connection
    pub platform: PlatformId,

    /// The local name of the account
    #[arg(long, value_name = "NAME", value_parser = super::account_name, default_value = "default")]
    pub account: String,

    /// Also delete what the CRM holds from this account: its posts, analytics and sync state,
    /// and the platform's fans and messages when no other account of the platform is connected
    #[arg(long)]
    pub purge: bool,
}

/// The arguments of `accounts`.
#[derive(Debug, Args)]
pub struct AccountsArgs {
    /// Ask each platform who the stored token belongs to (refreshing tokens that are due), and
    /// mark connections whose grant is gone as needing `connect` again
    #[arg(long)]
    pub check: bool,
}
