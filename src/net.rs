//! The only module that sends requests: to the in-page sandbox or, with `fetch`, to the network.
//!
//! Nothing here logs: requests carry secrets and responses carry tokens.

use gloo_net::http::{Method, RequestBuilder};
use sandbox::{HttpRequest, HttpResponse, Sandbox};
use web_sys::{RequestCache, RequestCredentials};

use crate::{clock, routing::Destination};

/// The request got no HTTP answer at all (network down, CORS refusal, bad URL).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkFailure {
    /// The browser's own message, such as "TypeError: Failed to fetch"; never holds secrets.
    pub message: String,
}

/// Sends `request` to `destination` and returns whatever answered.
pub async fn send(
    destination: &Destination,
    request: &HttpRequest,
    sandbox: &Sandbox,
) -> Result<HttpResponse, NetworkFailure> {
    match destination {
        Destination::Sandbox => Ok(sandbox.handle(request, clock::now())),
        Destination::Network { url, .. } => fetch(url, request).await,
    }
}

async fn fetch(url: &str, request: &HttpRequest) -> Result<HttpResponse, NetworkFailure> {
    let failure = |e: gloo_net::Error| NetworkFailure {
        message: match e {
            gloo_net::Error::JsError(js) => format!("{}: {}", js.name, js.message),
            other => other.to_string(),
        },
    };
    let method = Method::from_bytes(request.method.as_bytes()).map_err(|_| NetworkFailure {
        message: format!("Unsupported method {}", request.method),
    })?;
    let mut builder = RequestBuilder::new(url)
        .method(method)
        // Cookies never travel to a relay or to Spotify, and answers are never cached.
        .credentials(RequestCredentials::Omit)
        .cache(RequestCache::NoStore);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let prepared = if request.body.is_empty() {
        builder.build()
    } else {
        builder.body(request.body.clone())
    }
    .map_err(failure)?;
    let response = prepared.send().await.map_err(failure)?;
    let headers = response.headers().entries().collect();
    let status = response.status();
    let body = response.text().await.map_err(failure)?;
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}
