//! A pure emulator of Spotify's token endpoint and the Web API's catalog endpoints (search,
//! artists, albums, tracks), over an invented catalog (`catalog.json`).
//!
//! A request and the current time go in; a response comes out. There is no I/O and no global
//! clock, so the page, the server and the tests all get the same answers for the same input.
//! Every status and body follows `docs/spotify-protocol.md`.
//!
//! Invariant: this crate does no I/O and never reads the system clock.

mod call;
pub mod catalog;
pub mod http;
pub mod json;
mod paging;
mod search;
mod token;
mod web_api;

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
pub use catalog::Catalog;
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

/// The emulator. Cheap to clone; holds configuration and the catalog it answers from, and
/// keeps no state between requests.
#[derive(Clone, Debug)]
pub struct Sandbox {
    token_lifetime: u64,
    /// `None` until the caller hands it the catalog (the server and the page's on-demand
    /// module hand it the built-in one); without it the Web API answers 503.
    catalog: Option<Arc<Catalog>>,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self {
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
            catalog: None,
        }
    }
}

impl Sandbox {
    /// A sandbox whose tokens last `seconds` (at least 1) instead of an hour, to show expiry.
    pub fn with_token_lifetime(seconds: u64) -> Self {
        Self {
            token_lifetime: seconds.max(1),
            catalog: None,
        }
    }

    /// The same sandbox answering the Web API from `catalog`.
    pub fn with_catalog(mut self, catalog: Arc<Catalog>) -> Self {
        self.catalog = Some(catalog);
        self
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
            let Some(catalog) = &self.catalog else {
                return call::api_error(
                    503,
                    "The sandbox's catalog is not loaded. Reload the page and run the cell again.",
                );
            };
            return web_api::answer(catalog, request, url.path, url.query.unwrap_or(""), now);
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

/// The token endpoint's flat error body.
fn oauth_error(status: u16, error: &str, description: Option<&str>) -> HttpResponse {
    let body = match description {
        Some(d) => Value::object([("error", error.into()), ("error_description", d.into())]),
        None => Value::object([("error", error.into())]),
    };
    HttpResponse::json(status, &body)
}

fn not_emulated() -> HttpResponse {
    call::api_error(
        404,
        "The sandbox only emulates https://accounts.spotify.com/api/token and https://api.spotify.com/v1/…",
    )
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod catalog_tests;
