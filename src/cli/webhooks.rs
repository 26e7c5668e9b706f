use std::net::SocketAddr;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Receive TikTok (POST /webhooks/tiktok) and X (GET+POST /webhooks/x) webhooks into the CRM
    ///
    /// Every request must carry a valid TikTok-Signature (HMAC-SHA256 with TIKTOK_CLIENT_SECRET,
    /// or TIKTOK_SANDBOX_CLIENT_SECRET), at most 300 s old and not seen before; anything else is
    /// refused with 400/401. Accepted events go to the audit log and analytics;
    /// `authorization.removed` marks the connection revoked. Bodies over 1 MiB get 413 and
    /// requests above --rate per second get 429. X's Account Activity webhooks are served when
    /// TWITTER_CONSUMER_SECRET (the OAuth 1.0a consumer secret) is set: the CRC GET is answered
    /// with its HMAC, POSTs need a valid x-twitter-webhooks-signature. Both platforms only call
    /// public HTTPS URLs: put a
    /// reverse proxy that terminates TLS in front (see README). Runs until interrupted.
    /// Example: `socialcrm webhooks serve --bind 127.0.0.1:8787`
    Serve {
        /// Address and port to listen on (keep it on loopback behind a proxy)
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
        bind: SocketAddr,

        /// Most requests accepted per second (with bursts of as many); more get 429
        #[arg(long, value_name = "N", default_value_t = 50,
              value_parser = clap::value_parser!(u32).range(1..=10_000))]
        rate: u32,
    },
}
