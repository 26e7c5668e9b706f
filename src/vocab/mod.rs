//! The vocabulary floor: the words every other module speaks, and nothing that does work.
//!
//! ```text
//! secret.rs    Secret (redacted in Debug and Display) and redact_url for database URLs
//! platform.rs  PlatformId (names, aliases, env prefixes), Identity, PlatformError
//! net.rs       NetError, a request that never got an answer
//! origin.rs    Origin, the validated SOCIALCRM_<PLATFORM>_BASE_URL, and the routing rule
//! ```
//! These files import nothing of the crate outside this folder, so any module may use them
//! without making a circle: `config` builds values of them, `store` writes them, `http` and the
//! adapters carry them, `app` prints them.

pub mod net;
pub mod origin;
pub mod platform;
pub mod secret;

pub use net::NetError;
pub use origin::Origin;
pub use platform::{Identity, PlatformError, PlatformId, UnknownPlatform};
pub use secret::{Secret, redact_url};
