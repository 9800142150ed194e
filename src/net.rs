//! The only module that sends requests: to the in-page sandbox (which runs in the page's
//! on-demand module, `crate::ondemand`) or, with gloo-net's `fetch`, to the network.
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

/// Sends `request` to `destination` and returns whatever answered.
pub async fn send(
    destination: &Destination,
    request: &HttpRequest,
    sandbox_token_lifetime: u64,
) -> Result<HttpResponse, NetworkFailure> {
    match destination {
        // If the sandbox's code cannot be loaded, nothing answered: like a network failure.
        Destination::Sandbox => ondemand::sandbox(request, clock::now(), sandbox_token_lifetime)
            .await
            .map_err(|unavailable| NetworkFailure {
                message: unavailable.message(),
                outdated: unavailable == ondemand::Unavailable::Outdated,
            }),
        Destination::Network { url, .. } => fetch(url, request).await,
    }
}

async fn fetch(url: &str, request: &HttpRequest) -> Result<HttpResponse, NetworkFailure> {
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
