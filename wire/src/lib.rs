//! What every part of the playground speaks: the bottom crate of the workspace.
//!
//! The page, its pure core, its on-demand module, the sandbox (Spotify's emulator) and the
//! server all exchange the values defined here: HTTP requests and responses, `Authorization`
//! values, time as `UnixMillis`, Spotify's hosts, and JSON text. Nothing here does I/O or
//! reads the clock, and nothing here emulates Spotify: that is the `sandbox` crate, a leaf
//! that only the server and the on-demand module link.
//!
//! Invariant: this crate depends on no browser crate and on no other crate of the workspace.

pub mod auth;
pub mod http;

pub use auth::Authorization;
pub use http::{HttpRequest, HttpResponse};

/// Host of Spotify's token endpoint.
pub const ACCOUNTS_HOST: &str = "accounts.spotify.com";
/// Host of the Web API.
pub const API_HOST: &str = "api.spotify.com";
/// Spotify's token endpoint, as on line 1 of the first lesson's code.
pub const TOKEN_ENDPOINT: &str = "https://accounts.spotify.com/api/token";
/// Spotify's token lifetime in seconds (`expires_in`).
pub const DEFAULT_TOKEN_LIFETIME: u64 = 3600;

/// The header that carries a graded launch's session (LTI) from the page to the server's
/// sandbox, so that the server can see the lesson done (docs/lti.md).
pub const LTI_SESSION_HEADER: &str = "lti-session";

/// Where the server's sandbox answers a Spotify URL: `/sandbox/accounts/…` for
/// `https://accounts.spotify.com/…`, `/sandbox/api/…` for `https://api.spotify.com/…`, query
/// kept. Any other URL is returned as it is.
pub fn sandbox_path(url: &str) -> String {
    for (origin, path) in [
        ("https://accounts.spotify.com/", "/sandbox/accounts/"),
        ("https://api.spotify.com/", "/sandbox/api/"),
    ] {
        if let Some(rest) = url.strip_prefix(origin) {
            return format!("{path}{rest}");
        }
    }
    url.to_owned()
}

/// Milliseconds since the Unix epoch, supplied by the caller (the page's clock, the server's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnixMillis(pub u64);

impl UnixMillis {
    /// Whole seconds since the epoch.
    pub fn seconds(self) -> u64 {
        self.0 / 1000
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_servers_sandbox_answers_each_spotify_host_under_its_own_path() {
        for (url, want) in [
            (
                "https://accounts.spotify.com/api/token?grant_type=client_credentials",
                "/sandbox/accounts/api/token?grant_type=client_credentials",
            ),
            (
                "https://api.spotify.com/v1/search?q=a%20b&type=artist",
                "/sandbox/api/v1/search?q=a%20b&type=artist",
            ),
            ("https://example.com/x", "https://example.com/x"),
        ] {
            assert_eq!(super::sandbox_path(url), want, "{url}");
        }
    }
}
