//! `webhooks serve`: binds the listener, then hands each request that passed its limits to the
//! receiver of its path, one at a time, with this process's database. Every platform in the
//! registry that receives webhooks (`platforms::registry`, [`Adapter::webhook`]) is served when
//! its settings hold the secret it signs with. Runs until killed; every event is committed
//! before its 200, so stopping it loses nothing a platform was told was received.

use std::net::{SocketAddr, TcpListener};

use super::{Context, Report};
use crate::cli::WebhooksCommand;
use crate::error::{CliError, CliResult};
use crate::platforms::registry::{ADAPTERS, Adapter, Webhook};
use crate::webhooks::TOLERANCE_SECS;
use crate::webhooks::http::{self, Limits, Reply};

pub fn run(ctx: &mut Context, cmd: WebhooksCommand) -> CliResult<Report> {
    let WebhooksCommand::Serve {
        bind,
        rate,
        trust_proxy,
    } = cmd;
    // The window's worth of requests at the accepted rate, so the cap never evicts a fresh one.
    let replay_cap = ((rate as usize) * (2 * TOLERANCE_SECS as usize + 1)).min(100_000);
    let receiving: Vec<(&Adapter, &Webhook)> = ADAPTERS
        .iter()
        .filter_map(|a| a.webhook.as_ref().map(|w| (a, w)))
        .collect();
    let mut endpoints: Vec<_> = receiving
        .iter()
        .filter_map(|(a, w)| (w.endpoint)(&ctx.config.platform(a.id), replay_cap))
        .collect();
    if endpoints.is_empty() {
        let secrets: Vec<&str> = receiving.iter().map(|(_, w)| w.signed_with).collect();
        let envs: Vec<&str> = receiving.iter().map(|(_, w)| w.env).collect();
        let keys: Vec<&str> = receiving.iter().map(|(_, w)| w.key).collect();
        return Err(CliError::config(format!(
            "webhooks are signed with the apps' secrets, and none is set ({})",
            secrets.join("; ")
        ))
        .with_hint(format!(
            "set {} (or the config file's {})",
            either(&envs),
            keys.join(", ")
        )));
    }
    let store = ctx.store()?;
    let listener = bind_listener(bind)?;
    let shown = listener.local_addr().unwrap_or(bind);
    let routes: Vec<_> = endpoints.iter().map(|e| e.route.clone()).collect();
    let paths: Vec<&str> = routes.iter().map(|r| r.path.as_str()).collect();
    crate::say!(
        "listening on http://{shown} for {} (Ctrl-C stops)",
        paths.join(", ")
    );

    let failed = http::serve(
        listener,
        routes,
        Limits {
            rate_per_peer: Some(rate),
            trust_proxy,
            ..Limits::default()
        },
        |request| match endpoints.iter_mut().find(|e| e.route.path == request.path) {
            Some(endpoint) => endpoint.receiver.handle(store, request),
            None => Reply::error(404, "not found"),
        },
    );
    Err(CliError::failure(format!(
        "webhook server stopped: {failed}"
    )))
}

/// `A, B and/or C`: any of the names will do.
fn either(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and/or {last}", init.join(", ")),
    }
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
