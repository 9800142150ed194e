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
mod catalog_file;
mod json;
mod paging;
mod search;
mod token;
mod web_api;

use std::sync::Arc;

pub use catalog::Catalog;
use serde_json::json;
pub use token::{SandboxToken, TokenError};
use wire::http::{self, HttpRequest, HttpResponse};
use wire::{Authorization, UnixMillis, ACCOUNTS_HOST, API_HOST, DEFAULT_TOKEN_LIFETIME};

/// The largest answer the sandbox can give, whatever a request holds: its inputs are bounded
/// (a locale of at most 35 bytes, a query of at most 100 characters, each group and type
/// once), so its answers are. `catalog_tests::no_request_builds_an_answer_over_the_bound`
/// builds the worst case.
pub const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// The sandbox app's Client ID, as "Use sandbox credentials" fills it in. Public on purpose:
/// it works only in the sandbox. The lesson files name it as the sandbox's value.
pub const SANDBOX_CLIENT_ID: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
/// The sandbox app's Client Secret. Public on purpose: it only works in the sandbox.
pub const SANDBOX_CLIENT_SECRET: &str = "f9e8d7c6b5a4039281706f5e4d3c2b1a";

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

        let credentials = match request.header_value(wire::auth::HEADER) {
            Some(header) => match Authorization::parse(header) {
                Authorization::Basic { id, secret } => Some((id, secret)),
                _ => None,
            },
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
            &json!({
                "access_token": token.encode(),
                "token_type": "Bearer",
                "expires_in": self.token_lifetime,
            }),
        )
    }
}

/// The token endpoint's flat error body.
fn oauth_error(status: u16, error: &str, description: Option<&str>) -> HttpResponse {
    let body = match description {
        Some(d) => json!({ "error": error, "error_description": d }),
        None => json!({ "error": error }),
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
