//! A pure emulator of Spotify's token endpoint and the Web API's track and artist endpoints.
//!
//! A request and the current time go in; a response comes out. There is no I/O and no global
//! clock, so the page, the server and the tests all get the same answers for the same input.
//! Every status and body follows `docs/spotify-protocol.md`.
//!
//! Invariant: this crate does no I/O and never reads the system clock.

pub mod http;
pub mod json;
mod token;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
pub use http::{HttpRequest, HttpResponse};
use json::Value;
pub use token::{SandboxToken, TokenError};

/// The sandbox app's Client ID, as shown by the page's "Use sandbox credentials" button.
pub const SANDBOX_CLIENT_ID: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
/// The sandbox app's Client Secret. Public on purpose: it only works in the sandbox.
pub const SANDBOX_CLIENT_SECRET: &str = "f9e8d7c6b5a4039281706f5e4d3c2b1a";
/// Spotify's token lifetime in seconds.
pub const DEFAULT_TOKEN_LIFETIME: u64 = 3600;

/// Host of the token endpoint.
pub const ACCOUNTS_HOST: &str = "accounts.spotify.com";
/// Host of the Web API.
pub const API_HOST: &str = "api.spotify.com";

/// Milliseconds since the Unix epoch, supplied by the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnixMillis(pub u64);

impl UnixMillis {
    /// Whole seconds since the epoch.
    pub fn seconds(self) -> u64 {
        self.0 / 1000
    }
}

/// The emulator. Cheap to build; holds only configuration, no state between requests.
#[derive(Clone, Debug)]
pub struct Sandbox {
    token_lifetime: u64,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self {
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
        }
    }
}

impl Sandbox {
    /// A sandbox whose tokens last `seconds` (at least 1) instead of an hour, to show expiry.
    pub fn with_token_lifetime(seconds: u64) -> Self {
        Self {
            token_lifetime: seconds.max(1),
        }
    }

    /// Seconds a new token lasts.
    pub fn token_lifetime(&self) -> u64 {
        self.token_lifetime
    }

    /// Answers one request as Spotify would, at time `now`.
    pub fn handle(&self, request: &HttpRequest, now: UnixMillis) -> HttpResponse {
        let Some(url) = http::split_url(&request.url) else {
            return not_emulated();
        };
        let host = url.authority.to_ascii_lowercase();
        if url.scheme.eq_ignore_ascii_case("https") && host == ACCOUNTS_HOST {
            if url.path == "/api/token" {
                return self.token_endpoint(request, url.query.unwrap_or(""), now);
            }
            return oauth_error(404, "not_found", Some("Not found"));
        }
        if url.scheme.eq_ignore_ascii_case("https") && host == API_HOST {
            return web_api(request, url.path, now);
        }
        not_emulated()
    }

    fn token_endpoint(&self, request: &HttpRequest, query: &str, now: UnixMillis) -> HttpResponse {
        if !request.method.eq_ignore_ascii_case("POST") {
            return oauth_error(405, "invalid_request", Some("Method not allowed"));
        }
        let content_type = request
            .header_value("content-type")
            .unwrap_or("")
            .to_ascii_lowercase();
        if content_type.starts_with("application/json") {
            return oauth_error(415, "server_error", Some("Unexpected status: 415"));
        }
        let mut params = http::parse_form(query);
        if content_type.is_empty() || content_type.starts_with("application/x-www-form-urlencoded")
        {
            params.extend(http::parse_form(&request.body));
        }
        let param = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };

        match param("grant_type") {
            None => {
                return oauth_error(
                    400,
                    "unsupported_grant_type",
                    Some("grant_type parameter is missing"),
                )
            }
            Some("client_credentials") => {}
            Some(other) => {
                return oauth_error(
                    400,
                    "unsupported_grant_type",
                    Some(&format!("grant_type {other} is not supported")),
                )
            }
        }

        let credentials = match request.header_value("authorization") {
            Some(header) => basic_credentials(header),
            None => match (param("client_id"), param("client_secret")) {
                (Some(id), Some(secret)) => Some((id.to_owned(), secret.to_owned())),
                _ => None,
            },
        };
        let Some((client_id, client_secret)) = credentials else {
            return oauth_error(400, "invalid_client", None);
        };
        if client_id != SANDBOX_CLIENT_ID {
            return oauth_error(400, "invalid_client", Some("Invalid client"));
        }
        if client_secret != SANDBOX_CLIENT_SECRET {
            return oauth_error(400, "invalid_client", Some("Invalid client secret"));
        }

        let token = SandboxToken::issue(now, self.token_lifetime);
        HttpResponse::json(
            200,
            &Value::object([
                ("access_token", token.encode().into()),
                ("token_type", "Bearer".into()),
                ("expires_in", self.token_lifetime.into()),
            ]),
        )
    }
}

/// `Basic base64(id:secret)` → `(id, secret)`; `None` for anything else.
fn basic_credentials(header: &str) -> Option<(String, String)> {
    let (scheme, value) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    // Strict, as Spotify is: the standard alphabet with canonical padding, nothing else.
    let bytes = STANDARD.decode(value.trim()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

fn web_api(request: &HttpRequest, path: &str, now: UnixMillis) -> HttpResponse {
    let Some(resource) = path.strip_prefix("/v1/") else {
        return api_error(404, "Service not found");
    };
    let (kind, id) = match resource.split_once('/') {
        Some(("tracks", id)) => ("track", id),
        Some(("artists", id)) => ("artist", id),
        _ => return api_error(404, "Service not found"),
    };
    if !request.method.eq_ignore_ascii_case("GET") {
        return api_error(405, "Method not allowed");
    }
    if let Err(response) = authorize(request.header_value("authorization"), now) {
        return response;
    }
    if !is_base62_id(id) {
        return api_error(400, "Invalid base62 id");
    }
    let body = match kind {
        "track" => catalog::track(id),
        _ => catalog::artist(id),
    };
    HttpResponse::json(200, &body)
}

/// Checks a Bearer header; the error is the response Spotify sends.
fn authorize(header: Option<&str>, now: UnixMillis) -> Result<(), HttpResponse> {
    const UNAUTHORIZED: &str = "Missing/invalid/expired access token";
    let Some(header) = header else {
        return Err(api_error(401, UNAUTHORIZED));
    };
    let (scheme, token) = header.split_once(' ').unwrap_or((header, ""));
    let well_formed = scheme == "Bearer"
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~+/=".contains(&b));
    if !well_formed {
        const MALFORMED: &str = "Only valid bearer authentication supported";
        return Err(api_error(400, MALFORMED).with_header(
            "www-authenticate",
            &format!(
                "Bearer realm=\"spotify\", error=\"invalid_request\", error_description=\"{MALFORMED}\""
            ),
        ));
    }
    match SandboxToken::decode(token) {
        Ok(t) if !t.is_expired(now) => Ok(()),
        _ => Err(api_error(401, UNAUTHORIZED)
            .with_header("www-authenticate", "Bearer realm=\"spotify\"")),
    }
}

fn is_base62_id(id: &str) -> bool {
    id.len() == 22 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The token endpoint's flat error body.
fn oauth_error(status: u16, error: &str, description: Option<&str>) -> HttpResponse {
    let body = match description {
        Some(d) => Value::object([("error", error.into()), ("error_description", d.into())]),
        None => Value::object([("error", error.into())]),
    };
    HttpResponse::json(status, &body)
}

/// The Web API's nested error body.
fn api_error(status: u16, message: &str) -> HttpResponse {
    HttpResponse::json(
        status,
        &Value::object([(
            "error",
            Value::object([("status", status.into()), ("message", message.into())]),
        )]),
    )
}

fn not_emulated() -> HttpResponse {
    api_error(
        404,
        "The sandbox only emulates https://accounts.spotify.com/api/token and https://api.spotify.com/v1/tracks|artists",
    )
}

/// Deterministic, obviously fake catalog data.
mod catalog {
    use crate::json::Value;

    const ADJECTIVES: [&str; 8] = [
        "Quiet", "Electric", "Golden", "Paper", "Midnight", "Velvet", "Neon", "Hollow",
    ];
    const NOUNS: [&str; 8] = [
        "Harbor", "Circuit", "Orchard", "Lantern", "Signal", "Meadow", "Engine", "Tide",
    ];

    fn hash(text: &str) -> u64 {
        text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    fn words(seed: u64) -> String {
        format!(
            "{} {}",
            ADJECTIVES[(seed % 8) as usize],
            NOUNS[((seed >> 8) % 8) as usize]
        )
    }

    /// A 22-character base62 id derived from a seed, so related objects stay stable.
    fn derived_id(seed: u64) -> String {
        const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut x = seed | 1;
        (0..22)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                DIGITS[(x % 62) as usize] as char
            })
            .collect()
    }

    fn artist_object(id: &str, seed: u64) -> Value {
        Value::object([
            ("id", id.into()),
            (
                "name",
                format!("Sandbox Artist: The {}s", words(seed)).into(),
            ),
            ("type", "artist".into()),
            ("uri", format!("spotify:artist:{id}").into()),
        ])
    }

    pub fn track(id: &str) -> Value {
        let seed = hash(id);
        let artist_id = derived_id(seed ^ 0xa);
        let album_id = derived_id(seed ^ 0xb);
        Value::object([
            ("id", id.into()),
            ("name", format!("Sandbox Track: {}", words(seed)).into()),
            ("type", "track".into()),
            ("uri", format!("spotify:track:{id}").into()),
            (
                "artists",
                Value::Array(vec![artist_object(&artist_id, hash(&artist_id))]),
            ),
            (
                "album",
                Value::object([
                    ("id", album_id.clone().into()),
                    (
                        "name",
                        format!("Sandbox Album: {}", words(seed >> 16)).into(),
                    ),
                    ("type", "album".into()),
                    ("uri", format!("spotify:album:{album_id}").into()),
                ]),
            ),
            ("duration_ms", (120_000 + seed % 180_000).into()),
            ("explicit", false.into()),
            ("track_number", (1 + seed % 12).into()),
        ])
    }

    pub fn artist(id: &str) -> Value {
        artist_object(id, hash(id))
    }
}

#[cfg(test)]
mod tests;
