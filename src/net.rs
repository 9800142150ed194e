//! The only module that sends requests: to the in-page sandbox (which runs in the page's
//! on-demand module, `crate::ondemand`) or, with gloo-net's `fetch`, to the network. In a
//! graded launch (LTI), the server's sandbox answers in place of the in-page one, and the
//! launch's session goes with each request to this server (its sandbox, its relay).
//!
//! Nothing here logs: requests carry secrets and responses carry tokens.

use gloo_net::http::{Method, RequestBuilder};
use playground_core::routing::Destination;
use web_sys::{RequestCache, RequestCredentials};
use wire::{HttpRequest, HttpResponse};

use crate::{clock, ondemand};

/// The request got no HTTP answer at all (network down, CORS refusal, bad URL, or the
/// sandbox's module not usable).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkFailure {
    /// The browser's own message, such as "TypeError: Failed to fetch"; never holds secrets.
    pub message: String,
    /// The sandbox's module is from another release than the page: only a reload helps.
    pub outdated: bool,
}

impl From<gloo_net::Error> for NetworkFailure {
    fn from(error: gloo_net::Error) -> Self {
        let message = match error {
            gloo_net::Error::JsError(e) => format!("{}: {}", e.name, e.message),
            // Only a method or header the browser refuses can get here; say what, not the value.
            other => format!(
                "TypeError: {}",
                other.to_string().lines().next().unwrap_or("")
            ),
        };
        NetworkFailure {
            message,
            outdated: false,
        }
    }
}

thread_local! {
    /// A graded launch's session (LTI), in memory only.
    static GRADED: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Sends what the sandbox answers through the server's sandbox, with a graded launch's
/// `session`, if any. Returns whether the page is graded.
pub fn grade_in(session: Option<String>) -> bool {
    let graded = session.is_some();
    GRADED.set(session);
    graded
}

/// Sends `request` to `destination` and returns whatever answered.
pub async fn send(
    destination: &Destination,
    request: &HttpRequest,
    sandbox_token_lifetime: u64,
) -> Result<HttpResponse, NetworkFailure> {
    // In a graded launch, the server's own sandbox answers, told the launch's session; this
    // server's relay (a same-origin prefix) is told it too. It goes nowhere else.
    let (url, session) = match (destination, GRADED.with_borrow(Clone::clone)) {
        // If the sandbox's code cannot be loaded, nothing answered: like a network failure.
        (Destination::Sandbox, None) => {
            return ondemand::sandbox(request, clock::now(), sandbox_token_lifetime)
                .await
                .map_err(|unavailable| NetworkFailure {
                    message: unavailable.message(),
                    outdated: unavailable == ondemand::Unavailable::Outdated,
                })
        }
        (Destination::Sandbox, session) => (wire::sandbox_path(&request.url), session),
        (Destination::Network { url, via_relay }, session) => {
            let ours = *via_relay && url.starts_with('/') && !url.starts_with("//");
            (url.clone(), session.filter(|_| ours))
        }
    };
    fetch(&url, request, session).await
}

async fn fetch(
    url: &str,
    request: &HttpRequest,
    session: Option<String>,
) -> Result<HttpResponse, NetworkFailure> {
    let method = Method::from_bytes(request.method.as_bytes()).map_err(|_| NetworkFailure {
        message: format!(
            "TypeError: '{}' is not a valid HTTP method.",
            request.method
        ),
        outdated: false,
    })?;
    let mut builder = RequestBuilder::new(url)
        .method(method)
        // Cookies never travel to a relay or to Spotify, and answers are never cached.
        .credentials(RequestCredentials::Omit)
        .cache(RequestCache::NoStore);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    if let Some(session) = session {
        builder = builder.header(wire::LTI_SESSION_HEADER, &session);
    }
    let sendable = if request.body.is_empty() {
        builder.build()?
    } else {
        builder.body(request.body.as_str())?
    };
    let response = sendable.send().await?;
    let headers = response.headers().entries().collect();
    Ok(HttpResponse {
        status: response.status(),
        headers,
        body: response.text().await?,
    })
}
