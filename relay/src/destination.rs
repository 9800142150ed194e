//! Which Spotify endpoint a `/relay/…` request names, decided from the raw request path (pure).
//!
//! The check is an exact match on a few fixed prefixes, never a URL parse followed by a
//! blocklist: anything that is not literally one of the two endpoints is refused, so encoding
//! tricks (`%2e`, `@`, `\`, ports, IP literals, IDN, trailing dots, mixed case, `..`) have
//! nothing to slip through.

use std::net::IpAddr;

/// The two endpoints the relay reaches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// `POST https://accounts.spotify.com/api/token`.
    Token,
    /// `GET https://api.spotify.com/v1/…`; `path` starts with `/v1/`.
    Api { path: String },
}

impl Destination {
    /// The method the endpoint accepts (besides OPTIONS preflights).
    pub fn method(&self) -> &'static str {
        match self {
            Destination::Token => "POST",
            Destination::Api { .. } => "GET",
        }
    }

    /// Host and path, for logs: never the query, and the path's shape only (`loggable`).
    pub fn describe(&self) -> (&'static str, String) {
        match self {
            Destination::Token => ("accounts.spotify.com", "/api/token".into()),
            Destination::Api { path } => ("api.spotify.com", loggable(path)),
        }
    }
}

/// A Web API path as logs may hold it: each segment that is a Spotify id (22 base62
/// characters) or a path word (lower-case letters, `-` and `_`, or `v1`) is kept; any other,
/// such as a token or a secret pasted where an id belongs, becomes `:masked`.
pub fn loggable(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            let id = segment.len() == 22 && segment.bytes().all(|b| b.is_ascii_alphanumeric());
            let word = segment == "v1"
                || (segment.len() <= 40
                    && segment
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'_'));
            if id || word {
                segment
            } else {
                ":masked"
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The route prefix under which the relay is mounted.
pub const PREFIX: &str = "/relay/";

/// Reads the destination from the request path (not percent-decoded, without the query).
pub fn parse(path: &str) -> Result<Destination, &'static str> {
    let rest = path
        .strip_prefix(PREFIX)
        .ok_or("the path must start with /relay/")?;
    // Some front ends merge `//` into `/`; accept that one form too.
    let rest = rest
        .strip_prefix("https://")
        .or_else(|| rest.strip_prefix("https:/"))
        .ok_or("only https://accounts.spotify.com/api/token and https://api.spotify.com/v1/… are relayed")?;
    if let Some(after) = rest.strip_prefix("accounts.spotify.com/") {
        return if after == "api/token" {
            Ok(Destination::Token)
        } else {
            Err("on accounts.spotify.com only /api/token is relayed")
        };
    }
    if let Some(after) = rest.strip_prefix("api.spotify.com/v1/") {
        let clean = !after.is_empty()
            && after
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_'))
            && !after.contains("//")
            && !after.starts_with('/');
        return if clean {
            Ok(Destination::Api {
                path: format!("/v1/{after}"),
            })
        } else {
            Err("the Web API path may hold only letters, digits, '-', '_' and single '/'")
        };
    }
    Err("only https://accounts.spotify.com/api/token and https://api.spotify.com/v1/… are relayed")
}

/// Whether an address is reachable on the public internet. The relay refuses every other
/// address for the real Spotify hosts (private, loopback, link-local and metadata ranges).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
                || (a == 192 && b == 0) // IETF protocol assignments
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_keep_a_paths_shape_and_mask_what_is_not_an_id() {
        let cases = [
            (
                "/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V",
                "/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V",
            ),
            (
                "/v1/artists/0TnOYISbd1XYRBk9myaseg/top-tracks",
                "/v1/artists/0TnOYISbd1XYRBk9myaseg/top-tracks",
            ),
            (
                "/v1/recommendations/available-genre-seeds",
                "/v1/recommendations/available-genre-seeds",
            ),
            (
                "/v1/albums/4aawyAB9vmqN3uQ7FjRGTy/tracks/",
                "/v1/albums/4aawyAB9vmqN3uQ7FjRGTy/tracks/",
            ),
            (
                "/v1/tracks/BQDx1yZ-abc_defGHIjklMNOpqrSTUvwxYZ0123456789",
                "/v1/tracks/:masked",
            ),
            (
                "/v1/artists/f9e8d7c6b5a4039281706f5e4d3c2b1a/albums",
                "/v1/artists/:masked/albums",
            ),
            (
                "/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V%20x",
                "/v1/tracks/:masked",
            ),
            ("/v1/Search", "/v1/:masked"),
        ];
        for (path, logged) in cases {
            assert_eq!(loggable(path), logged, "{path}");
        }
    }

    #[test]
    fn allowed_destinations() {
        let cases = [
            (
                "/relay/https://accounts.spotify.com/api/token",
                Destination::Token,
            ),
            (
                "/relay/https:/accounts.spotify.com/api/token",
                Destination::Token,
            ),
            (
                "/relay/https://api.spotify.com/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V",
                Destination::Api {
                    path: "/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V".into(),
                },
            ),
            (
                "/relay/https://api.spotify.com/v1/artists/0TnOYISbd1XYRBk9myaseg/top-tracks",
                Destination::Api {
                    path: "/v1/artists/0TnOYISbd1XYRBk9myaseg/top-tracks".into(),
                },
            ),
        ];
        for (path, want) in cases {
            assert_eq!(parse(path), Ok(want), "{path}");
        }
    }

    #[test]
    fn forbidden_destinations_including_encoding_tricks() {
        let cases = [
            "/relay/https://example.com/",
            "/relay/http://accounts.spotify.com/api/token",
            "/relay/https://accounts.spotify.com/api/token/",
            "/relay/https://accounts.spotify.com/api/other",
            "/relay/https://accounts.spotify.com/authorize",
            "/relay/https://ACCOUNTS.spotify.com/api/token",
            "/relay/HTTPS://accounts.spotify.com/api/token",
            "/relay/https://Api.Spotify.Com/v1/tracks/x",
            "/relay/https://accounts.spotify.com./api/token",
            "/relay/https://api.spotify.com./v1/tracks/x",
            "/relay/https://accounts.spotify.com:443/api/token",
            "/relay/https://api.spotify.com:8443/v1/tracks/x",
            "/relay/https://user:pass@accounts.spotify.com/api/token",
            "/relay/https://accounts.spotify.com@evil.example/api/token",
            "/relay/https://api.spotify.com@127.0.0.1/v1/tracks/x",
            "/relay/https://api.spotify.com.evil.example/v1/x",
            "/relay/https://evil.example/api.spotify.com/v1/x",
            "/relay/https://127.0.0.1/v1/tracks/x",
            "/relay/https://[::1]/v1/tracks/x",
            "/relay/https://169.254.169.254/latest/meta-data/",
            "/relay/https://xn--pi-6ka.spotify.com/v1/tracks/x",
            "/relay/https://аpi.spotify.com/v1/tracks/x",
            "/relay/https://api.spotify.com/v1/",
            "/relay/https://api.spotify.com/v1/../../admin",
            "/relay/https://api.spotify.com/v1/%2e%2e/admin",
            "/relay/https://api.spotify.com/v1/tracks/%2F..%2Fx",
            "/relay/https://api.spotify.com/v1/tracks\\..\\x",
            "/relay/https://api.spotify.com/v1//tracks/x",
            "/relay/https://api.spotify.com/v1/tracks/x.json",
            "/relay/https://api.spotify.com/v2/tracks/x",
            "/relay/https://api.spotify.com/v1",
            "/relay/https:\\\\api.spotify.com/v1/tracks/x",
            "/relay///api.spotify.com/v1/tracks/x",
            "/relay/api.spotify.com/v1/tracks/x",
            "/relay/https%3A%2F%2Fapi.spotify.com/v1/tracks/x",
            "/relay/",
            "/relay",
            "/other/https://api.spotify.com/v1/tracks/x",
        ];
        for path in cases {
            assert!(parse(path).is_err(), "{path} must be refused");
        }
    }

    #[test]
    fn public_addresses() {
        let cases = [
            ("35.186.224.25", true),
            ("2600:1901:0:b2bd::", true),
            ("127.0.0.1", false),
            ("10.1.2.3", false),
            ("172.16.0.1", false),
            ("192.168.1.1", false),
            ("169.254.169.254", false),
            ("100.64.0.1", false),
            ("0.0.0.0", false),
            ("255.255.255.255", false),
            ("::1", false),
            ("fd00::1", false),
            ("fe80::1", false),
            ("::ffff:127.0.0.1", false),
            ("::ffff:8.8.8.8", true),
        ];
        for (ip, want) in cases {
            assert_eq!(is_public(ip.parse().expect("ip")), want, "{ip}");
        }
    }
}
