//! The `Authorization` header's value, read in one place.
//!
//! The sandbox checks it, the page masks it, the inspector shows and decodes it and the code
//! export turns it into variables: all of them read it with [`Authorization::parse`].

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// The header's name, as the lessons' code writes it. Lookups compare names case-insensitively.
pub const HEADER: &str = "Authorization";

/// An `Authorization` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Authorization {
    /// `Basic base64(id:secret)`: the scheme in any case, the credential strict standard base64
    /// (canonical padding) of UTF-8 text with a colon, as Spotify's token endpoint reads it.
    Basic { id: String, secret: String },
    /// `Bearer <token>`: the scheme exactly so, one space, then the token as written (which may
    /// be empty, or hold characters Spotify refuses: the sandbox checks those itself).
    Bearer(String),
    /// Anything else, kept as written: another scheme, a Basic value that does not decode.
    Other(String),
}

impl Authorization {
    /// Reads a header value. Never fails: what is neither Basic nor Bearer is `Other`.
    pub fn parse(value: &str) -> Authorization {
        if let Some(token) = value.strip_prefix("Bearer ") {
            return Authorization::Bearer(token.to_owned());
        }
        decode_basic(value).unwrap_or_else(|| Authorization::Other(value.to_owned()))
    }

    /// A Basic value for this client id and secret.
    pub fn basic(id: &str, secret: &str) -> Authorization {
        Authorization::Basic {
            id: id.to_owned(),
            secret: secret.to_owned(),
        }
    }

    /// The scheme as this value shows it (`Basic`, `Bearer`), or the first word of another
    /// value; `None` when that value has no space.
    pub fn scheme(&self) -> Option<&str> {
        match self {
            Authorization::Basic { .. } => Some("Basic"),
            Authorization::Bearer(_) => Some("Bearer"),
            Authorization::Other(text) => text.split_once(' ').map(|(scheme, _)| scheme),
        }
    }

    /// The header value: `Basic` with the standard base64 of `id:secret` over exactly those
    /// bytes (a copied newline is sent too), `Bearer <token>`, or the other value as written.
    pub fn header_value(&self) -> String {
        match self {
            Authorization::Basic { id, secret } => {
                format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
            }
            Authorization::Bearer(token) => format!("Bearer {token}"),
            Authorization::Other(text) => text.clone(),
        }
    }
}

fn decode_basic(value: &str) -> Option<Authorization> {
    let (scheme, credential) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let bytes = STANDARD.decode(credential.trim()).ok()?;
    let pair = String::from_utf8(bytes).ok()?;
    let (id, secret) = pair.split_once(':')?;
    Some(Authorization::basic(id, secret))
}

#[cfg(test)]
mod tests {
    use super::Authorization::{self, Bearer, Other};

    fn basic(id: &str, secret: &str) -> Authorization {
        Authorization::basic(id, secret)
    }

    #[test]
    fn parses_each_kind_of_value() {
        let cases: [(&str, Authorization); 14] = [
            // The two values of docs/spotify-protocol.md §1, from client libraries' tests.
            ("Basic cmFtc2F5OjEyMzQ1Ng==", basic("ramsay", "123456")),
            (
                "Basic c29tZUNsaWVudElkOnNvbWVDbGllbnRTZWNyZXQ=",
                basic("someClientId", "someClientSecret"),
            ),
            // The scheme in any case, spaces around the value.
            ("basic cmFtc2F5OjEyMzQ1Ng==", basic("ramsay", "123456")),
            (" BASIC  cmFtc2F5OjEyMzQ1Ng== ", basic("ramsay", "123456")),
            // Only the first colon splits: a secret may hold one.
            ("Basic YTpiOmM=", basic("a", "b:c")),
            // Not strict base64, no colon, not UTF-8: kept as written.
            (
                "Basic cmFtc2F5OjEyMzQ1Ng",
                Other("Basic cmFtc2F5OjEyMzQ1Ng".into()),
            ),
            ("Basic bm9jb2xvbg==", Other("Basic bm9jb2xvbg==".into())),
            ("Basic //79", Other("Basic //79".into())),
            ("Bearer BQDtoken", Bearer("BQDtoken".into())),
            // The token as written, even when Spotify would refuse it.
            ("Bearer \"quoted\"", Bearer("\"quoted\"".into())),
            ("Bearer ", Bearer(String::new())),
            // Spotify reads the scheme `Bearer` exactly (§3): another case is another scheme.
            ("bearer BQDtoken", Other("bearer BQDtoken".into())),
            ("Token abc", Other("Token abc".into())),
            ("BQDtoken", Other("BQDtoken".into())),
        ];
        for (text, want) in cases {
            assert_eq!(Authorization::parse(text), want, "{text:?}");
        }
    }

    #[test]
    fn writes_what_it_reads() {
        let cases = [
            (
                basic("ramsay", "123456"),
                "Basic cmFtc2F5OjEyMzQ1Ng==",
                Some("Basic"),
            ),
            // A copied newline is encoded, not trimmed.
            (
                basic("id", "secret\n"),
                "Basic aWQ6c2VjcmV0Cg==",
                Some("Basic"),
            ),
            (basic("a", "b "), "Basic YTpiIA==", Some("Basic")),
            (Bearer("BQD".into()), "Bearer BQD", Some("Bearer")),
            (Other("Token abc".into()), "Token abc", Some("Token")),
            (Other("abc".into()), "abc", None),
        ];
        for (value, text, scheme) in cases {
            assert_eq!(value.header_value(), text);
            assert_eq!(value.scheme(), scheme, "{text}");
            assert_eq!(Authorization::parse(text), value, "{text}");
        }
    }
}
