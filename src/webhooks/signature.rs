//! The webhook signatures, parsed and checked in one place:
//!
//! - TikTok: `TikTok-Signature: t=<unix seconds>,s=<hex>`, where `s` is hex(HMAC-SHA256(key =
//!   the app's client secret, message = `"<t>.<raw body>"`)) (TikTok for Developers, "Webhooks:
//!   check the signature");
//! - Meta: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the raw body with the app secret
//!   ([`parse_hub_header`], [`body_mac_matches`]);
//! - X: `x-twitter-webhooks-signature: sha256=<base64>`, HMAC-SHA256 of the raw body with the
//!   consumer secret ([`parse_x_header`], [`hmac_matches`]).
//!
//! The raw body is signed, so verification happens before any JSON parsing. The comparison is
//! constant-time (`Mac::verify_slice`), and a timestamp farther than the tolerance from now, in
//! either direction, is refused so that a captured request cannot be replayed later. Exact
//! replays inside the window are the job of [`super::ReplayGuard`]. Nothing here logs, and no
//! error carries the key or the signature.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::vocab::Secret;

/// A parsed `TikTok-Signature` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    /// Unix seconds the sender signed at; the freshness check compares it with now.
    pub timestamp: i64,
    /// The 32 bytes of the HMAC the sender claims.
    pub signature: [u8; 32],
}

/// Why a delivery was refused; each kind is counted apart, so an operator can tell a
/// misconfigured secret (mismatch) from a clock problem (stale) or a probe (missing).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No signature header at all.
    #[error("missing TikTok-Signature header")]
    Missing,
    /// A header that does not parse; the text says which part.
    #[error("malformed TikTok-Signature header: {0}")]
    Malformed(&'static str),
    /// Signed with another secret, or the body was changed on the way.
    #[error("signature does not match")]
    Mismatch,
    /// Signed too long ago (or in the future): a replay, or a skewed clock.
    #[error("timestamp is more than {tolerance} s away from now")]
    Stale {
        /// The accepted distance from now, in seconds.
        tolerance: i64,
    },
}

/// Reads `t=<digits>,s=<64 hex digits>` (elements split on `,`, then on `=`; order free, unknown
/// prefixes ignored as TikTok may add some; each of `t` and `s` exactly once).
pub fn parse_header(value: &str) -> Result<SignatureHeader, SignatureError> {
    let mut timestamp = None;
    let mut signature = None;
    for element in value.split(',') {
        let Some((prefix, v)) = element.trim().split_once('=') else {
            return Err(SignatureError::Malformed("expected t=<seconds>,s=<hex>"));
        };
        match prefix.trim() {
            "t" => {
                if timestamp.is_some() {
                    return Err(SignatureError::Malformed("t given twice"));
                }
                let v = v.trim();
                if v.is_empty() || v.len() > 12 || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(SignatureError::Malformed("t is not a unix time in seconds"));
                }
                timestamp = Some(v.parse::<i64>().expect("at most 12 digits"));
            }
            "s" => {
                if signature.is_some() {
                    return Err(SignatureError::Malformed("s given twice"));
                }
                signature = Some(
                    decode_hex32(v.trim())
                        .ok_or(SignatureError::Malformed("s is not 64 hex digits"))?,
                );
            }
            _ => {}
        }
    }
    match (timestamp, signature) {
        (Some(timestamp), Some(signature)) => Ok(SignatureHeader {
            timestamp,
            signature,
        }),
        (None, _) => Err(SignatureError::Malformed("no t=")),
        (_, None) => Err(SignatureError::Malformed("no s=")),
    }
}

/// `hex(HMAC-SHA256(key, "<timestamp>.<body>"))`: what TikTok sends in `s`.
pub fn sign(key: &Secret, timestamp: i64, body: &[u8]) -> String {
    hex(&mac(key, timestamp, body).finalize().into_bytes())
}

/// Checks `header` against `body` with any of `keys` (the production and the sandbox app's
/// client secrets), then the timestamp against `now` (unix seconds) and `tolerance`.
pub fn verify(
    keys: &[Secret],
    header: &SignatureHeader,
    body: &[u8],
    now: i64,
    tolerance: i64,
) -> Result<(), SignatureError> {
    // Every key is tried, so the time taken does not tell which one matched.
    let matched = keys.iter().fold(false, |found, key| {
        let ok = mac(key, header.timestamp, body)
            .verify_slice(&header.signature)
            .is_ok();
        found | ok
    });
    if !matched {
        return Err(SignatureError::Mismatch);
    }
    if (now - header.timestamp).abs() > tolerance {
        return Err(SignatureError::Stale { tolerance });
    }
    Ok(())
}

/// HMAC-SHA256 of `message` under `key` (X's CRC answer and event signatures).
pub fn hmac_sha256(key: &Secret, message: &[u8]) -> [u8; 32] {
    body_mac(key, message).finalize().into_bytes().into()
}

/// Whether `claimed` is HMAC-SHA256(`key`, `message`), compared in constant time.
pub fn hmac_matches(key: &Secret, message: &[u8], claimed: &[u8]) -> bool {
    body_mac(key, message).verify_slice(claimed).is_ok()
}

fn mac(key: &Secret, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = keyed(key);
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Lowercase hex, the form every platform's signature header uses.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// True when `claimed` is HMAC-SHA256(`key`, `body`), compared in constant time (Meta's
/// `X-Hub-Signature-256` signs the raw body alone).
pub fn body_mac_matches(key: &Secret, body: &[u8], claimed: &[u8; 32]) -> bool {
    body_mac(key, body).verify_slice(claimed).is_ok()
}

/// hex(HMAC-SHA256(`key`, `body`)).
pub fn sign_body(key: &Secret, body: &[u8]) -> String {
    hex(&body_mac(key, body).finalize().into_bytes())
}

fn body_mac(key: &Secret, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = keyed(key);
    mac.update(body);
    mac
}

/// HMAC-SHA256 keyed with the secret's bytes, before any message: every signature here is
/// one, whatever it covers.
fn keyed(key: &Secret) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(key.expose().as_bytes()).expect("HMAC takes any key size")
}

/// The 32 signature bytes of X's `x-twitter-webhooks-signature: sha256=<base64>`.
pub fn parse_x_header(value: &str) -> Result<[u8; 32], &'static str> {
    use base64::Engine;
    let encoded = value
        .trim()
        .strip_prefix("sha256=")
        .ok_or("malformed x-twitter-webhooks-signature header: expected sha256=<base64>")?;
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
        .ok_or("malformed x-twitter-webhooks-signature header: not a base64 SHA-256")
}

/// The 32 signature bytes of Meta's `X-Hub-Signature-256: sha256=<64 hex digits>`.
/// Reads Meta's and X's `sha256=<64 hex digits>` signature headers; `None` for anything else.
pub fn parse_hub_header(value: &str) -> Option<[u8; 32]> {
    value.trim().strip_prefix("sha256=").and_then(decode_hex32)
}

/// 64 hex digits as the 32 bytes of a SHA-256 MAC, so that signatures compare as bytes in
/// constant time rather than as text.
pub fn decode_hex32(text: &str) -> Option<[u8; 32]> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        out[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod fuzz {
    //! Bounded randomized checks of the three parsers and verifiers: no input panics, a random
    //! signature never verifies, the right one always does.
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use proptest::prelude::*;

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    /// Header-like text: mostly the characters the headers are made of, so the parsers get
    /// past their first checks, with any other character now and then.
    fn header_text() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                8 => prop::sample::select(
                    "ts=,sha256=0123456789abcdefABCDEF+/ -v".chars().collect::<Vec<_>>()
                ),
                1 => any::<char>(),
            ],
            0..120,
        )
        .prop_map(|c| c.into_iter().collect())
    }

    /// A printable signing key, a body and 32 random bytes that stand for a forged MAC: what
    /// each signature scheme is checked on.
    fn signing_case() -> impl Strategy<Value = (String, Vec<u8>, [u8; 32])> {
        (
            "[ -~]{1,64}",
            prop::collection::vec(any::<u8>(), 0..512),
            any::<[u8; 32]>(),
        )
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn parsers_never_panic(text in header_text(), raw in any::<String>()) {
            for value in [&text, &raw] {
                let _ = parse_header(value);
                let _ = parse_x_header(value);
                let _ = parse_hub_header(value);
                let _ = decode_hex32(value);
            }
            let prefixed = format!("t=1,s={text}");
            let _ = parse_header(&prefixed);
            let _ = parse_x_header(&format!("sha256={text}"));
        }

        #[test]
        fn tiktok_right_signature_verifies_and_a_random_one_never(
            (key, body, random) in signing_case(),
            t in 0i64..=999_999_999_999,
        ) {
            let keys = [Secret::new(&key)];
            let header = parse_header(&format!("t={t},s={}", sign(&keys[0], t, &body)));
            prop_assert!(header.is_ok());
            let header = header.unwrap();
            prop_assert_eq!(verify(&keys, &header, &body, t, 300), Ok(()));
            let forged = SignatureHeader { timestamp: t, signature: random };
            prop_assume!(random != header.signature);
            prop_assert_eq!(
                verify(&keys, &forged, &body, t, 300),
                Err(SignatureError::Mismatch)
            );
            let parsed = parse_header(&format!("t={t},s={}", hex(&random)));
            prop_assert_eq!(parsed.map(|h| verify(&keys, &h, &body, t, 300)),
                Ok(Err(SignatureError::Mismatch)));
        }

        #[test]
        fn x_right_signature_verifies_and_a_random_one_never(
            (key, body, random) in signing_case(),
        ) {
            let key = Secret::new(&key);
            let right = hmac_sha256(&key, &body);
            let parsed = parse_x_header(&format!("sha256={}", STANDARD.encode(right)));
            prop_assert_eq!(parsed, Ok(right));
            prop_assert!(hmac_matches(&key, &body, &right));
            prop_assume!(random != right);
            let forged = parse_x_header(&format!("sha256={}", STANDARD.encode(random)));
            prop_assert_eq!(forged, Ok(random));
            prop_assert!(!hmac_matches(&key, &body, &random));
        }

        #[test]
        fn hub_right_signature_verifies_and_a_random_one_never(
            (key, body, random) in signing_case(),
        ) {
            let key = Secret::new(&key);
            let right = parse_hub_header(&format!("sha256={}", sign_body(&key, &body)));
            prop_assert!(right.is_some());
            prop_assert!(body_mac_matches(&key, &body, &right.unwrap()));
            prop_assume!(random != right.unwrap());
            let forged = parse_hub_header(&format!("sha256={}", hex(&random)));
            prop_assert_eq!(forged, Some(random));
            prop_assert!(!body_mac_matches(&key, &body, &random));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Secret {
        Secret::new("test-secret")
    }

    // Computed independently: printf '1633174587.{"a":1}' | openssl dgst -sha256 -hmac test-secret
    const VECTOR: &str = "610d36444e7175c7fcabdefb699a30e6c6158ae77525a5687f3979c4bb14ce95";

    #[test]
    fn signs_like_tiktok() {
        assert_eq!(sign(&key(), 1633174587, br#"{"a":1}"#), VECTOR);
    }

    #[test]
    fn parses_the_documented_header() {
        let h = parse_header(
            "t=1633174587,s=18494715036ac4416a1d0a673871a2edbcfc94d94bd88ccd2c5ec9b3425afe66",
        )
        .unwrap();
        assert_eq!(h.timestamp, 1633174587);
        assert_eq!(
            hex(&h.signature),
            "18494715036ac4416a1d0a673871a2edbcfc94d94bd88ccd2c5ec9b3425afe66"
        );
        // Order is free, spaces tolerated, unknown elements ignored, uppercase hex accepted.
        let upper = format!(" s={} , t=1633174587, v=2", VECTOR.to_uppercase());
        assert_eq!(parse_header(&upper).unwrap().timestamp, 1633174587);
    }

    #[test]
    fn refuses_malformed_headers() {
        for bad in [
            "",
            "garbage",
            "t=1,s=zz",
            "t=abc,s=18494715036ac4416a1d0a673871a2edbcfc94d94bd88ccd2c5ec9b3425afe66",
            "t=-5,s=18494715036ac4416a1d0a673871a2edbcfc94d94bd88ccd2c5ec9b3425afe66",
            "s=18494715036ac4416a1d0a673871a2edbcfc94d94bd88ccd2c5ec9b3425afe66",
            "t=1633174587",
            "t=1,t=2,s=18494715036ac4416a1d0a673871a2edbcfc94d94bd88ccd2c5ec9b3425afe66",
            "t=99999999999999999999,s=18494715036ac4416a1d0a673871a2edbcfc94d94bd88ccd2c5ec9b3425afe66",
        ] {
            assert!(
                matches!(parse_header(bad), Err(SignatureError::Malformed(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn verifies_signature_then_time() {
        let body = br#"{"a":1}"#;
        let good = parse_header(&format!("t=1633174587,s={VECTOR}")).unwrap();
        let keys = [Secret::new("other"), key()];
        assert_eq!(verify(&keys, &good, body, 1633174587 + 300, 300), Ok(()));
        assert_eq!(verify(&keys, &good, body, 1633174587 - 300, 300), Ok(()));
        assert_eq!(
            verify(&keys, &good, body, 1633174587 + 301, 300),
            Err(SignatureError::Stale { tolerance: 300 })
        );
        assert_eq!(
            verify(&keys, &good, br#"{"a":2}"#, 1633174587, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&[Secret::new("other")], &good, body, 1633174587, 300),
            Err(SignatureError::Mismatch)
        );
        let moved = SignatureHeader {
            timestamp: 1633174588,
            ..good
        };
        assert_eq!(
            verify(&keys, &moved, body, 1633174587, 300),
            Err(SignatureError::Mismatch)
        );
    }
}
