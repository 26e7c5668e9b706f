//! OAuth 2.0 authorization code flow with PKCE, for every platform.
//!
//! `connect` (`app/connect.rs`) runs the flow: a fresh `state` and PKCE pair, the platform's
//! authorize page opened in the browser, the redirect caught ([`callback`]), the code exchanged. What differs
//! between platforms (parameter names, scope separators, the challenge encoding, token response
//! shapes) is the adapter's, behind [`OAuthPlatform`] ([`adapter`], implemented in `platforms/`). Tokens are kept whole in the
//! secrets store ([`tokens::Tokens`]) and renewed in one place ([`lifecycle`]).

pub mod adapter;
pub mod browser;
pub mod callback;
pub mod lifecycle;

pub mod pkce;
pub mod tokens;

pub use adapter::{Built, OAuthPlatform};
