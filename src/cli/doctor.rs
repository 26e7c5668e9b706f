use clap::Args;

use crate::vocab::PlatformId;

/// The arguments of `doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Only check this platform's credentials and connections
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<PlatformId>,
}
