//! `webhooks serve`: binds the listener, then hands each request that passed its limits to the
//! TikTok, Instagram or X receiver (each served when its platform's secret is set), one at a
//! time, with this process's database. Runs until killed; every event
//! is committed before its 200, so stopping it loses nothing TikTok was told was received.

use std::net::{SocketAddr, TcpListener};

use super::{Context, Report};
use crate::cli::WebhooksCommand;
use crate::error::{CliError, CliResult};
use crate::vocab::PlatformId;
use crate::webhooks::http::{self, Limits, Reply, Route};
use crate::webhooks::instagram::{self, InstagramReceiver};
use crate::webhooks::{TOLERANCE_SECS, TiktokReceiver, tiktok, x};

pub fn run(ctx: &mut Context, cmd: WebhooksCommand) -> CliResult<Report> {
    let WebhooksCommand::Serve {
        bind,
        rate,
        trust_proxy,
    } = cmd;
    let platform = ctx.config.platform(PlatformId::Tiktok);
    let keys: Vec<_> = [platform.client_secret, platform.sandbox_client_secret]
        .into_iter()
        .flatten()
        .filter(|k| !k.expose().is_empty())
        .collect();
    // X signs with the OAuth 1.0a consumer secret, never with the OAuth 2.0 client secret.
    let consumer = ctx
        .config
        .platform(PlatformId::X)
        .webhook_secret
        .filter(|k| !k.expose().is_empty());
    let meta = ctx.config.platform(PlatformId::Instagram);
    let app_secret = meta.client_secret.filter(|k| !k.expose().is_empty());
    if keys.is_empty() && consumer.is_none() && app_secret.is_none() {
        return Err(CliError::config(
            "webhooks are signed with the apps' secrets, and none is set (TikTok: the client secret; Instagram: the app secret; X: the consumer secret)",
        )
        .with_hint("set TIKTOK_CLIENT_SECRET, INSTAGRAM_APP_SECRET and/or TWITTER_CONSUMER_SECRET (or the config file's [tiktok] client_secret, [instagram] app_secret, [x] consumer_secret)"));
    }
    let store = ctx.store()?;
    let listener = bind_listener(bind)?;
    let shown = listener.local_addr().unwrap_or(bind);
    let mut routes = Vec::new();
    if !keys.is_empty() {
        routes.push(Route {
            path: tiktok::PATH.into(),
            methods: &["POST"],
        });
    }
    if app_secret.is_some() {
        routes.push(Route {
            path: instagram::PATH.into(),
            methods: &["GET", "POST"],
        });
    }
    if consumer.is_some() {
        routes.push(Route {
            path: x::PATH.into(),
            methods: &["GET", "POST"],
        });
    }
    let paths: Vec<&str> = routes.iter().map(|r| r.path.as_str()).collect();
    crate::say!(
        "listening on http://{shown} for {} (Ctrl-C stops)",
        paths.join(", ")
    );

    // The window's worth of requests at the accepted rate, so the cap never evicts a fresh one.
    let replay_cap = ((rate as usize) * (2 * TOLERANCE_SECS as usize + 1)).min(100_000);
    let mut receiver = TiktokReceiver::new(keys, replay_cap);
    let mut x_receiver = consumer.map(x::XReceiver::new);
    let mut meta_receiver = InstagramReceiver {
        app_secret,
        verify_token: meta.webhook_verify_token,
    };
    let failed = http::serve(
        listener,
        routes,
        Limits {
            rate_per_peer: Some(rate),
            trust_proxy,
            ..Limits::default()
        },
        |request| match (request.path.as_str(), x_receiver.as_mut()) {
            (tiktok::PATH, _) => receiver.handle(store, request),
            (instagram::PATH, _) => meta_receiver.handle(store, request),
            (x::PATH, Some(x)) => x.handle(store, request),
            _ => Reply::error(404, "not found"),
        },
    );
    Err(CliError::failure(format!(
        "webhook server stopped: {failed}"
    )))
}

fn bind_listener(addr: SocketAddr) -> CliResult<TcpListener> {
    TcpListener::bind(addr).map_err(|e| {
        let message = if e.kind() == std::io::ErrorKind::AddrInUse {
            format!("{addr} is already in use")
        } else {
            format!("cannot listen on {addr}: {e}")
        };
        CliError::failure(message).with_hint("pick another address with --bind ADDR:PORT")
    })
}
