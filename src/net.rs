//! The only module that sends requests: to the in-page sandbox or, with `fetch`, to the network.
//! (`fetch` through web-sys directly: gloo-net's wrappers cost the bundle 2.7 KB gzip.)
//!
//! Nothing here logs: requests carry secrets and responses carry tokens.

use sandbox::{HttpRequest, HttpResponse, Sandbox};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestCache, RequestCredentials, RequestInit, Response};

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
    // The browser's own error, such as "TypeError: Failed to fetch".
    let failure = |e: JsValue| NetworkFailure {
        message: e
            .dyn_ref::<js_sys::Error>()
            .map(|e| format!("{}: {}", e.name(), e.message()))
            .unwrap_or_else(|| "TypeError: Failed to fetch".to_owned()),
    };
    let init = RequestInit::new();
    init.set_method(&request.method);
    // Cookies never travel to a relay or to Spotify, and answers are never cached.
    init.set_credentials(RequestCredentials::Omit);
    init.set_cache(RequestCache::NoStore);
    let headers = Headers::new().map_err(failure)?;
    for (name, value) in &request.headers {
        headers.append(name, value).map_err(failure)?;
    }
    init.set_headers(&headers);
    if !request.body.is_empty() {
        init.set_body(&JsValue::from_str(&request.body));
    }
    let window = web_sys::window().ok_or_else(|| failure(JsValue::NULL))?;
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .and_then(JsCast::dyn_into)
        .map_err(failure)?;
    let mut headers = Vec::new();
    if let Ok(Some(entries)) = js_sys::try_iter(&response.headers()) {
        for entry in entries.flatten() {
            let pair = js_sys::Array::from(&entry);
            if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                headers.push((name, value));
            }
        }
    }
    let text = response.text().map_err(failure)?;
    let body = JsFuture::from(text).await.map_err(failure)?;
    Ok(HttpResponse {
        status: response.status(),
        headers,
        body: body.as_string().unwrap_or_default(),
    })
}
