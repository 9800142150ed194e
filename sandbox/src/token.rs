//! Sandbox access tokens that carry their own expiry.
//!
//! A stateless sandbox must recognise its tokens after a page reload or a server restart, so
//! the token itself holds `expires_at`, sealed with a keyed checksum. The checksum only stops
//! accidental edits from validating; it is not cryptography and guards nothing of value.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::UnixMillis;

const VERSION: u8 = 1;
const PREFIX: &str = "BQ";
const SEAL_KEY: &[u8] = b"spotify-playground-sandbox-v1";
const PAYLOAD_LEN: usize = 1 + 8 + 8;
const SEAL_LEN: usize = 8;

/// What a sandbox token says about itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SandboxToken {
    /// Seconds since the epoch at which the token stops working.
    pub expires_at: u64,
    /// Milliseconds since the epoch when it was issued; makes tokens distinct.
    pub issued_at_ms: u64,
}

/// Why a string is not a sandbox token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not the sandbox's shape or encoding.
    Malformed,
    /// The right shape, but the seal does not match (edited or truncated).
    BadSeal,
}

impl SandboxToken {
    /// A token issued at `now` that lasts `lifetime` seconds.
    pub fn issue(now: UnixMillis, lifetime: u64) -> Self {
        Self {
            expires_at: now.seconds().saturating_add(lifetime),
            issued_at_ms: now.0,
        }
    }

    /// Whether the token has run out at `now`.
    pub fn is_expired(&self, now: UnixMillis) -> bool {
        now.seconds() >= self.expires_at
    }

    /// The token text handed to the learner (URL-safe base64, `BQ…` like Spotify's).
    pub fn encode(&self) -> String {
        let mut bytes = Vec::with_capacity(PAYLOAD_LEN + SEAL_LEN);
        bytes.push(VERSION);
        bytes.extend_from_slice(&self.expires_at.to_be_bytes());
        bytes.extend_from_slice(&self.issued_at_ms.to_be_bytes());
        let seal = seal(&bytes);
        bytes.extend_from_slice(&seal.to_be_bytes());
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Reads a token back; fails on anything the sandbox did not issue.
    pub fn decode(text: &str) -> Result<Self, TokenError> {
        let body = text.strip_prefix(PREFIX).ok_or(TokenError::Malformed)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| TokenError::Malformed)?;
        if bytes.len() != PAYLOAD_LEN + SEAL_LEN || bytes[0] != VERSION {
            return Err(TokenError::Malformed);
        }
        let (payload, sealed) = bytes.split_at(PAYLOAD_LEN);
        if seal(payload).to_be_bytes() != sealed {
            return Err(TokenError::BadSeal);
        }
        let word = |range: std::ops::Range<usize>| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&payload[range]);
            u64::from_be_bytes(b)
        };
        Ok(Self {
            expires_at: word(1..9),
            issued_at_ms: word(9..17),
        })
    }
}

/// Keyed FNV-1a over the payload: stable, dependency-free, and enough to reject edits.
fn seal(payload: &[u8]) -> u64 {
    SEAL_KEY
        .iter()
        .chain(payload)
        .chain(SEAL_KEY)
        .fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_expiry() {
        let now = UnixMillis(1_764_500_000_123);
        let token = SandboxToken::issue(now, 3600);
        let text = token.encode();
        assert!(text.starts_with("BQ"));
        assert_eq!(SandboxToken::decode(&text), Ok(token));
        assert!(!token.is_expired(UnixMillis(now.0 + 3_599_000)));
        assert!(token.is_expired(UnixMillis(now.0 + 3_600_000)));
    }

    #[test]
    fn rejects_edits() {
        let text = SandboxToken::issue(UnixMillis(1_000_000), 60).encode();
        let mut edited: Vec<char> = text.chars().collect();
        let i = edited.len() / 2;
        edited[i] = if edited[i] == 'A' { 'B' } else { 'A' };
        let edited: String = edited.into_iter().collect();
        assert!(SandboxToken::decode(&edited).is_err());
        assert_eq!(
            SandboxToken::decode("not-a-token"),
            Err(TokenError::Malformed)
        );
        assert_eq!(
            SandboxToken::decode(&text[..text.len() - 2]),
            Err(TokenError::Malformed)
        );
    }
}
