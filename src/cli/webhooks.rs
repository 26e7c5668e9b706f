use std::net::SocketAddr;

use clap::Subcommand;

/// The `webhooks` subcommands.
#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Receive TikTok (POST /webhooks/tiktok), Instagram and X (GET+POST /webhooks/instagram,
    /// /webhooks/x) webhooks into the CRM
    ///
    /// TikTok (POST /webhooks/tiktok, when TIKTOK_CLIENT_SECRET is set): every request must carry
    /// a valid TikTok-Signature (HMAC-SHA256 with TIKTOK_CLIENT_SECRET, or
    /// TIKTOK_SANDBOX_CLIENT_SECRET), at most 300 s old and not seen before; anything else is
    /// refused with 400/401. Accepted events go to the audit log and analytics;
    /// `authorization.removed` marks the connection revoked.
    ///
    /// Instagram (GET and POST /webhooks/instagram, when INSTAGRAM_APP_SECRET is set): Meta's
    /// subscription check gets the challenge back when hub.verify_token equals
    /// INSTAGRAM_WEBHOOK_VERIFY_TOKEN (else 403); events need X-Hub-Signature-256 (HMAC-SHA256 of
    /// the body with INSTAGRAM_APP_SECRET; missing: 401, wrong: 403). Comments become fans and
    /// messages, DMs messages, everything else audit entries.
    ///
    /// X's Account Activity webhooks are served when TWITTER_CONSUMER_SECRET (the OAuth 1.0a
    /// consumer secret) is set: the CRC GET is answered with its HMAC, POSTs need a valid
    /// x-twitter-webhooks-signature.
    ///
    /// Bodies over 1 MiB get 413; each peer address may hold 8 connections at once (64 in all;
    /// 503 above) and send --rate requests per second (429 above), so one client cannot starve
    /// the platforms. TikTok, Meta and X only call public HTTPS URLs: put a reverse proxy that
    /// terminates TLS in front (see README), and pass --trust-proxy so that the peer is the
    /// client the proxy names. Runs until interrupted.
    /// Example: `socialcrm webhooks serve --bind 127.0.0.1:8787`
    Serve {
        /// Address and port to listen on (keep it on loopback behind a proxy)
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
        bind: SocketAddr,

        /// Most requests accepted per second from one peer address (with bursts of as many); more
        /// get 429
        #[arg(long, value_name = "N", default_value_t = 50,
              value_parser = clap::value_parser!(u32).range(1..=10_000))]
        rate: u32,

        /// Behind a reverse proxy: the peer of a request is the right-most X-Forwarded-For
        /// address (the one the proxy added), and the proxy itself is not capped per address.
        /// Only when nothing but the proxy can reach --bind; without it the header is ignored
        #[arg(long)]
        trust_proxy: bool,
    },
}
