//! PKCE (RFC 7636) and `state`: the values that tie a token request to the browser session that
//! asked for it, so a stolen code or a forged redirect is useless.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// How a platform wants `code_challenge` written. RFC 7636 says base64url without padding;
/// TikTok's desktop flow takes the hex digest instead (its desktop guide's sample encodes the
/// SHA-256 as hex, and base64url challenges are reported to fail with "Code verifier or code
/// challenge is invalid"). The adapter picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeEncoding {
    /// RFC 7636: base64url without padding (Reddit, X, Instagram).
    Base64Url,
    /// Lowercase hex of the SHA-256 (TikTok).
    Hex,
}

/// A fresh code verifier and its S256 challenge.
#[derive(Clone)]
pub struct Pkce {
    /// Kept by this process and sent with the code exchange: proves it started the flow.
    pub verifier: String,
    /// Sent on the authorize page; the platform checks the verifier against it.
    pub challenge: String,
}

impl Pkce {
    /// A new pair for one authorization, never reused.
    pub fn new(encoding: ChallengeEncoding) -> Pkce {
        // 64 random bytes as base64url: 86 characters from the unreserved set, within the
        // 43..=128 RFC 7636 allows.
        let verifier = random_token(64);
        let challenge = challenge(&verifier, encoding);
        Pkce {
            verifier,
            challenge,
        }
    }
}

impl std::fmt::Debug for Pkce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pkce(***)")
    }
}

/// The S256 challenge of `verifier`.
pub fn challenge(verifier: &str, encoding: ChallengeEncoding) -> String {
    let digest = Sha256::digest(verifier.as_bytes());
    match encoding {
        ChallengeEncoding::Base64Url => URL_SAFE_NO_PAD.encode(digest),
        ChallengeEncoding::Hex => digest.iter().map(|b| format!("{b:02x}")).collect(),
    }
}

/// `bytes` random bytes from the OS, base64url without padding: for `state` and verifiers.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // The OS random source failing means the machine cannot do cryptography at all.
    getrandom::fill(&mut buf).expect("the operating system's random source is unavailable");
    URL_SAFE_NO_PAD.encode(buf)
}

/// Compares two strings in time independent of where they differ (for `state`).
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_example() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            challenge(verifier, ChallengeEncoding::Base64Url),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(
            challenge(verifier, ChallengeEncoding::Hex),
            "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3"
        );
    }

    #[test]
    fn verifiers_are_long_random_and_unreserved() {
        let a = Pkce::new(ChallengeEncoding::Hex);
        let b = Pkce::new(ChallengeEncoding::Hex);
        assert_ne!(a.verifier, b.verifier);
        assert!((43..=128).contains(&a.verifier.len()));
        assert!(
            a.verifier
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_eq!(format!("{a:?}"), "Pkce(***)");
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
