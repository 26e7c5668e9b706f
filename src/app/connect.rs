//! `connect`: authorize in the browser, catch the redirect, store the tokens, record the account.

use std::time::Duration;

use serde::Serialize;
use url::Url;

use super::{Context, Report};
use crate::auth::callback::{self, CallbackError, Catch};
use crate::auth::lifecycle::{audit_entry, secret_key};
use crate::auth::pkce::{Pkce, random_token};
use crate::auth::{browser, tokens::Tokens};
use crate::cli::ConnectArgs;
use crate::error::{CliError, CliResult};
use crate::http::is_loopback;
use crate::output::{Columns, Detail};
use crate::platforms::{self, PlatformError, PlatformId};
use crate::store::Batch;
use crate::store::model::Connection;

/// What `connect` prints: who was connected, never a token.
#[derive(Serialize, Default)]
pub struct Connected {
    pub platform: PlatformId,
    pub account: String,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub platform_user_id: String,
    pub scopes: Vec<String>,
    pub token_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub secrets_backend: &'static str,
}

impl Columns for Connected {
    fn cell(&self, column: &str) -> Option<String> {
        // Tables and CSV have always shown the expiry as `+00:00`, JSON as `Z`.
        (column == "token_expires_at").then(|| {
            self.token_expires_at
                .map(|t| t.to_rfc3339())
                .unwrap_or_default()
        })
    }
}

impl From<PlatformError> for CliError {
    fn from(e: PlatformError) -> Self {
        match e {
            PlatformError::MissingSetting { platform, .. }
            | PlatformError::NotSetUp { platform, .. } => {
                let hint = readme_setup_hint(platform);
                CliError::config(e.to_string()).with_hint(hint)
            }
            PlatformError::Unsupported { .. } => CliError::usage(e.to_string()),
            _ if e.needs_reauth() => CliError::new(crate::error::ExitCode::Reauth, e.to_string()),
            _ => CliError::failure(e.to_string()),
        }
    }
}

impl From<CallbackError> for CliError {
    fn from(e: CallbackError) -> Self {
        CliError::failure(e.to_string())
    }
}

/// Where an operator learns to register the platform's app and find its credentials.
fn readme_setup_hint(platform: platforms::PlatformId) -> String {
    format!(
        "the README's \"{}\" section says how to register the app and where each value is; `socialcrm doctor --platform {platform}` lists what is set",
        platform.setup_section()
    )
}

/// Where the redirect goes and how it is caught.
struct Redirect {
    uri: Url,
    listener: Option<std::net::TcpListener>,
    note: Option<String>,
}

/// The registered redirect URI when one is configured (its port, or `--port`), else
/// `http://127.0.0.1:<port>/callback/` on `--port` or any free port (TikTok allows a
/// wildcard port for loopback URIs).
fn redirect(configured: Option<&Url>, port: Option<u16>, var: &str) -> CliResult<Redirect> {
    let Some(uri) = configured else {
        let listener = callback::bind(port.unwrap_or(0))?;
        let actual = listener
            .local_addr()
            .map_err(|e| CliError::failure(e.to_string()))?
            .port();
        let uri = Url::parse(&format!("http://127.0.0.1:{actual}/callback/"))
            .expect("a loopback URL is valid");
        return Ok(Redirect {
            uri,
            listener: Some(listener),
            note: None,
        });
    };
    if uri.scheme() != "http" || !is_loopback(uri) {
        return Ok(Redirect {
            uri: uri.clone(),
            listener: None,
            note: Some(format!(
                "{var} ({uri}) is not a loopback http address, so nothing here can catch the redirect: paste the address your browser ends on"
            )),
        });
    }
    let mut uri = uri.clone();
    let port = match (port, uri.port()) {
        (Some(p), _) => p,
        (None, Some(p)) => p,
        (None, None) => 80,
    };
    let listener = callback::bind(port)?;
    if uri.port() != Some(port) {
        let _ = uri.set_port(Some(port));
    }
    Ok(Redirect {
        uri,
        listener: Some(listener),
        note: None,
    })
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

pub fn run(ctx: &mut Context, args: ConnectArgs) -> CliResult<Report> {
    let id = args.platform;
    if let Some(imported) = &platforms::registry::adapter(id).imported {
        return Ok(Report::raw(imported.connect_guide.as_bytes().to_vec()));
    }
    let settings = ctx.config.platform(id);
    let sandbox = args.sandbox || settings.sandbox;
    // Everything a first set-up lacks is said in one message: the app's credentials, then the
    // database and secrets store, opened now so a bad database URL or a missing keychain fails
    // before the user spends a minute in the browser, not after the grant.
    let adapter = platforms::oauth(id, &ctx.config, sandbox).map_err(CliError::from);
    let backend = ctx
        .store()
        .map(|_| ())
        .and_then(|()| Ok(ctx.secrets()?.backend()));
    let (adapter, backend) = match (adapter, backend) {
        (Ok(adapter), Ok(backend)) => (adapter, backend),
        (Err(setup), Err(stores)) => {
            return Err(CliError {
                message: format!("{}; and {}", setup.message, stores.message),
                ..setup
            });
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    let var = format!("{}_REDIRECT_URI", id.env_prefix().unwrap_or("PLATFORM"));
    if settings.redirect_uri.is_none() && adapter.exact_redirect() {
        return Err(PlatformError::MissingSetting {
            platform: id,
            var: format!(
                "{var} (the redirect URI registered for the app, e.g. http://127.0.0.1:65010/callback/)"
            ),
        }
        .into());
    }
    let redirect = redirect(settings.redirect_uri.as_ref(), args.port, &var)?;

    let scopes: Vec<String> = if args.scopes.is_empty() {
        adapter
            .default_scopes()
            .iter()
            .map(|s| s.to_string())
            .collect()
    } else {
        args.scopes.clone()
    };
    let state = random_token(24);
    let pkce = Pkce::new(adapter.challenge_encoding());
    let url = adapter.authorize_url(&redirect.uri, &state, &pkce, &scopes);

    if let Some(note) = &redirect.note {
        crate::say!("note: {note}");
    }
    // The address is always printed, so a browser that never appeared (no display, a failing
    // `$BROWSER`) strands nobody, and a pasted address is always read alongside the listener.
    crate::say!("Open this address in a browser and authorize socialcrm:\n\n  {url}\n");
    let launched = if args.no_browser {
        None
    } else {
        browser::open(url.as_str(), ctx.config.browser.as_deref())
    };
    let waiting = if redirect.listener.is_some() {
        format!(
            "waiting for the browser to come back to {} (up to {} s), or paste the address it ends on here",
            redirect.uri, args.timeout
        )
    } else {
        format!(
            "paste the address your browser ends on here (waiting up to {} s)",
            args.timeout
        )
    };
    match launched {
        Some(launched) => {
            crate::say!("Opened it with `{}`; {waiting}.", launched.command);
            launched.watch(|why| {
                crate::say!("warning: {why}: open the address above yourself, then paste the address the browser ends on here");
            });
        }
        None if args.no_browser => crate::say!("{}.", capitalise(&waiting)),
        None => crate::say!("warning: no browser could be started; {waiting}."),
    }
    let granted = callback::wait(Catch {
        redirect_uri: &redirect.uri,
        listen: redirect.listener,
        paste: true,
        state: &state,
        timeout: Duration::from_secs(args.timeout),
    });
    // A failed connect is recorded too: who tried, when, and why (no secret is in the reason).
    let failed = |ctx: &mut Context, why: String| -> CliResult<()> {
        let entry = audit_entry(
            &ctx.config.operator,
            "connect",
            id,
            &args.account,
            "failed",
            &why,
        );
        ctx.store()?.upsert(Batch::Audit(&[entry]))?;
        Ok(())
    };
    let granted = match granted {
        Ok(g) => g,
        Err(e) => {
            failed(ctx, e.to_string())?;
            return Err(e.into());
        }
    };
    let tokens = match adapter.exchange(&granted.code, &redirect.uri, &pkce) {
        Ok(t) => t,
        Err(e) => {
            let message = format!("the code exchange failed: {e}");
            failed(ctx, message.clone())?;
            return Err(CliError::failure(message));
        }
    };
    let identity = adapter.whoami(&tokens.access())?;
    let tokens = Tokens {
        platform_user_id: Some(identity.platform_user_id.clone()),
        sandbox,
        ..tokens
    };
    let key = secret_key(id.name(), &args.account);
    ctx.secrets()?.put(&key, &tokens.to_secret())?;

    let connection = Connection {
        platform: id,
        account: args.account.clone(),
        platform_user_id: Some(identity.platform_user_id.clone()),
        username: identity.username.clone(),
        scopes: Some(tokens.scopes.join(" ")),
        status: crate::store::model::ConnectionStatus::Active,
        token_expires_at: tokens.expires_at,
        secret_ref: Some(format!("{backend}:{key}")),
        connected_at: Some(crate::clock::now()),
        last_sync_at: None,
    };
    let operator = ctx.config.operator.clone();
    let store = ctx.store()?;
    store.upsert(Batch::Connections(&[connection]))?;
    let who = identity
        .username
        .clone()
        .unwrap_or_else(|| identity.platform_user_id.clone());
    let entry = audit_entry(
        &operator,
        "connect",
        id,
        &args.account,
        "ok",
        &format!(
            "connected {who}{}",
            if sandbox { " (sandbox app)" } else { "" }
        ),
    );
    store.upsert(Batch::Audit(&[entry]))?;

    let mut report = Report::data(Detail(Connected {
        platform: id,
        account: args.account,
        username: identity.username,
        display_name: identity.display_name,
        platform_user_id: identity.platform_user_id,
        scopes: tokens.scopes.clone(),
        token_expires_at: tokens.expires_at,
        secrets_backend: backend,
    }));
    let missing: Vec<&String> = scopes
        .iter()
        .filter(|s| !tokens.scopes.contains(s))
        .collect();
    if !tokens.scopes.is_empty() && !missing.is_empty() {
        report.notes.push(format!(
            "not granted: {} (syncs that need them are skipped)",
            missing
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(report)
}
