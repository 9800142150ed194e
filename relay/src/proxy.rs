//! The CORS-safe relay: `/relay/<Spotify URL>` forwards to the two Spotify endpoints and
//! nothing else (`docs/relay-security.md`, rule by rule).
//!
//! Errors the relay makes itself are JSON `{"error":"relay_…","message":…}`; Spotify's answers
//! pass through with their status, body and allowed headers. Logs hold the method, the upstream
//! host and path, the status and the duration: never headers, bodies or query strings.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::json;

use crate::clients::Budget;
use crate::destination::{self, Destination};
use crate::AppState;

/// Request headers forwarded upstream; everything else is dropped.
const FORWARDED_REQUEST_HEADERS: [HeaderName; 3] =
    [header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT];
/// Response headers passed back; everything else (`Set-Cookie`, `Location`, …) is dropped.
const PASSED_RESPONSE_HEADERS: [HeaderName; 3] = [
    header::CONTENT_TYPE,
    header::RETRY_AFTER,
    header::WWW_AUTHENTICATE,
];
/// Relay responses are data, never a document on the relay's origin.
const RELAY_CSP: &str = "default-src 'none'; frame-ancestors 'none'; sandbox";

/// The relay's configuration, from the server's flags.
#[derive(Clone, Debug)]
pub struct RelaySettings {
    /// Base URL that stands for `https://accounts.spotify.com` (no trailing slash).
    pub accounts_base: String,
    /// Base URL that stands for `https://api.spotify.com` (no trailing slash).
    pub api_base: String,
    /// Exact origins allowed besides the server's own.
    pub allow_origins: Vec<String>,
    pub timeout: Duration,
    /// How long a client may take to send a request body.
    pub body_timeout: Duration,
    pub max_body_bytes: usize,
    pub max_response_bytes: usize,
}

/// Why the relay answered itself.
#[derive(Debug)]
pub enum RelayError {
    ForbiddenOrigin,
    ForbiddenDestination(&'static str),
    BodyTooLarge(usize),
    BodyTimeout,
    RateLimited { retry_after: u64 },
    UpstreamUnreachable,
    UpstreamTimeout,
    ResponseTooLarge(usize),
}

impl RelayError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            RelayError::ForbiddenOrigin => (
                StatusCode::FORBIDDEN,
                "relay_forbidden_origin",
                "This relay does not serve pages from this origin. The operator can allow it with --allow-origin.".into(),
            ),
            RelayError::ForbiddenDestination(rule) => (
                StatusCode::FORBIDDEN,
                "relay_forbidden_destination",
                format!("Refused: {rule}."),
            ),
            RelayError::BodyTooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "relay_body_too_large",
                format!("The request body is larger than the relay's limit of {limit} bytes."),
            ),
            RelayError::BodyTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                "relay_body_timeout",
                "The request body did not arrive in time.".into(),
            ),
            RelayError::RateLimited { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                "relay_rate_limited",
                format!("Too many requests through this relay. Try again in {retry_after} s."),
            ),
            RelayError::UpstreamUnreachable => (
                StatusCode::BAD_GATEWAY,
                "relay_upstream_unreachable",
                "The relay could not connect to Spotify.".into(),
            ),
            RelayError::UpstreamTimeout => (
                StatusCode::GATEWAY_TIMEOUT,
                "relay_upstream_timeout",
                "Spotify did not answer the relay in time.".into(),
            ),
            RelayError::ResponseTooLarge(limit) => (
                StatusCode::BAD_GATEWAY,
                "relay_response_too_large",
                format!("Spotify's answer is larger than the relay's limit of {limit} bytes."),
            ),
        }
    }
}

impl IntoResponse for RelayError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            json!({ "error": code, "message": message }).to_string(),
        )
            .into_response();
        if let RelayError::RateLimited { retry_after } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        response
    }
}

/// The relay: an HTTP client that never follows redirects.
pub struct Relay {
    settings: RelaySettings,
    client: Client<HttpsConnector<HttpConnector<Resolver>>, Full<Bytes>>,
}

impl Relay {
    /// Builds the client (hyper, rustls with the webpki roots; hyper never follows redirects).
    /// With Spotify's own upstreams (production) it speaks HTTPS only, and names that resolve
    /// to private, loopback, link-local or metadata addresses are refused.
    pub fn new(settings: RelaySettings) -> Result<Relay, String> {
        let production =
            settings.accounts_base == DEFAULT_ACCOUNTS_URL && settings.api_base == DEFAULT_API_URL;
        let mut http = HttpConnector::new_with_resolver(Resolver {
            public_only: production,
        });
        http.enforce_http(false);
        http.set_connect_timeout(Some(settings.timeout.min(Duration::from_secs(5))));
        let tls = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| e.to_string())?;
        let tls = if production {
            tls.https_only()
        } else {
            tls.https_or_http()
        };
        let client =
            Client::builder(TokioExecutor::new()).build(tls.enable_http1().wrap_connector(http));
        Ok(Relay { settings, client })
    }
}

/// Spotify's accounts host, the default upstream.
pub const DEFAULT_ACCOUNTS_URL: &str = "https://accounts.spotify.com";
/// Spotify's Web API host, the default upstream.
pub const DEFAULT_API_URL: &str = "https://api.spotify.com";

/// The system resolver; with `public_only`, only public addresses are kept.
#[derive(Clone)]
struct Resolver {
    public_only: bool,
}

type ResolveError = Box<dyn std::error::Error + Send + Sync>;

impl tower_service::Service<Name> for Resolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = ResolveError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, ResolveError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), ResolveError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let public_only = self.public_only;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addresses = if public_only {
                resolve_public(&host).await?
            } else {
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect()
            };
            Ok(addresses.into_iter())
        })
    }
}

/// The public addresses of `host`; an error when it has none (a name pointed at a private,
/// loopback, link-local or metadata address is refused, not connected to).
pub async fn resolve_public(host: &str) -> Result<Vec<SocketAddr>, String> {
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, 443))
        .await
        .map_err(|e| format!("{host}: {e}"))?
        .filter(|a| destination::is_public(a.ip()))
        .collect();
    if addresses.is_empty() {
        return Err(format!("{host} resolves to no public address"));
    }
    Ok(addresses)
}

/// The relay route: `/relay/{*destination}`.
pub async fn handle(State(state): State<AppState>, request: Request) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let cors_origin = match check_origin(&state.relay.settings, request.headers()) {
        Ok(allowed) => allowed,
        Err(error) => return finish(error.into_response(), None, &method, None, started),
    };
    let destination = match destination::parse(request.uri().path()) {
        Ok(d) => d,
        Err(rule) => {
            let response = RelayError::ForbiddenDestination(rule).into_response();
            return finish(response, cors_origin.as_ref(), &method, None, started);
        }
    };
    let response = match relay(&state, &destination, request).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    };
    finish(
        response,
        cors_origin.as_ref(),
        &method,
        Some(&destination),
        started,
    )
}

/// `Ok(Some(origin))` for an allowed cross-origin request, `Ok(None)` for same-origin or
/// non-browser requests (no `Origin`), `Err` for any other origin.
fn check_origin(
    settings: &RelaySettings,
    headers: &HeaderMap,
) -> Result<Option<HeaderValue>, RelayError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(None);
    };
    let text = origin.to_str().map_err(|_| RelayError::ForbiddenOrigin)?;
    if settings.allow_origins.iter().any(|o| o == text) {
        return Ok(Some(origin.clone()));
    }
    // Same-origin: the page served by this server (the Origin's authority is our Host).
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let authority = text
        .strip_prefix("http://")
        .or_else(|| text.strip_prefix("https://"));
    match (authority, host) {
        (Some(a), Some(h)) if a == h => Ok(None),
        _ => Err(RelayError::ForbiddenOrigin),
    }
}

async fn relay(
    state: &AppState,
    destination: &Destination,
    request: Request,
) -> Result<Response, RelayError> {
    let settings = &state.relay.settings;
    if request.method() == Method::OPTIONS {
        return preflight(destination, request.headers());
    }
    if request.method().as_str() != destination.method() {
        return Err(RelayError::ForbiddenDestination(match destination {
            Destination::Token => "the token endpoint is relayed for POST only",
            Destination::Api { .. } => "the Web API is relayed for GET only",
        }));
    }
    let budget = match destination {
        Destination::Token => Budget::Token,
        Destination::Api { .. } => Budget::Api,
    };
    state
        .budgets
        .charge(budget, state.clients.of_request(&request))
        .map_err(|retry_after| RelayError::RateLimited { retry_after })?;
    // A graded launch's page names its session: real Spotify's answers count towards the
    // lesson as the sandbox's do (crate::grading), in Spotify's own URLs.
    let spotify_url = || {
        let url = match destination {
            Destination::Token => wire::TOKEN_ENDPOINT.to_owned(),
            Destination::Api { path } => format!("https://{}{path}", wire::API_HOST),
        };
        match request.uri().query() {
            Some(query) => format!("{url}?{query}"),
            None => url,
        }
    };
    let graded = match crate::grading::graded(state, request.headers(), spotify_url) {
        Ok(graded) => graded,
        Err(refused) => return Ok(refused.into_response()),
    };

    let (parts, body) = request.into_parts();
    let body = tokio::time::timeout(
        settings.body_timeout,
        read_body(body, settings.max_body_bytes),
    )
    .await
    .map_err(|_| RelayError::BodyTimeout)??;
    let (base, path) = match destination {
        Destination::Token => (&settings.accounts_base, "/api/token"),
        Destination::Api { path } => (&settings.api_base, path.as_str()),
    };
    let url = match parts.uri.query() {
        Some(query) => format!("{base}{path}?{query}"),
        None => format!("{base}{path}"),
    };
    let mut upstream = axum::http::Request::builder()
        .method(parts.method.clone())
        .uri(url)
        .header(
            header::USER_AGENT,
            concat!("spotify-playground-relay/", env!("CARGO_PKG_VERSION")),
        );
    for name in &FORWARDED_REQUEST_HEADERS {
        for value in parts.headers.get_all(name) {
            upstream = upstream.header(name, value);
        }
    }
    let upstream = upstream
        .body(Full::new(body))
        .map_err(|_| RelayError::UpstreamUnreachable)?;
    let limit = settings.max_response_bytes;
    let exchange = async {
        let answer = state
            .relay
            .client
            .request(upstream)
            .await
            .map_err(|_| RelayError::UpstreamUnreachable)?;
        let (head, body) = answer.into_parts();
        let declared = head
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(RelayError::ResponseTooLarge(limit));
        }
        let received = Limited::new(body, limit).collect().await.map_err(|e| {
            if e.is::<LengthLimitError>() {
                RelayError::ResponseTooLarge(limit)
            } else {
                RelayError::UpstreamUnreachable
            }
        })?;
        Ok((head, received.to_bytes()))
    };
    let (head, received) = tokio::time::timeout(settings.timeout, exchange)
        .await
        .map_err(|_| RelayError::UpstreamTimeout)??;

    if let Some(graded) = graded {
        graded.observe(head.status.as_u16(), &received);
    }
    let mut response = Response::new(Body::from(received));
    *response.status_mut() = head.status;
    for name in &PASSED_RESPONSE_HEADERS {
        if let Some(value) = head.headers.get(name) {
            response.headers_mut().insert(name, value.clone());
        }
    }
    // Never serve an upstream body as a document on this origin.
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    }
    Ok(response)
}

async fn read_body(body: Body, limit: usize) -> Result<Bytes, RelayError> {
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| RelayError::BodyTooLarge(limit))
}

/// Answers a CORS preflight for the destination's own method and the forwarded headers only.
fn preflight(destination: &Destination, headers: &HeaderMap) -> Result<Response, RelayError> {
    let method_ok = headers
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|m| m.to_str().ok())
        .is_some_and(|m| m == destination.method());
    if !method_ok {
        return Err(RelayError::ForbiddenDestination(
            "the preflight asks for a method this endpoint is not relayed for",
        ));
    }
    let requested = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let headers_ok = requested
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .all(|h| {
            FORWARDED_REQUEST_HEADERS
                .iter()
                .any(|f| f.as_str().eq_ignore_ascii_case(h))
        });
    if !headers_ok {
        return Err(RelayError::ForbiddenDestination(
            "the preflight asks for headers other than Authorization, Content-Type and Accept",
        ));
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    let h = response.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(destination.method()),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type, accept"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    Ok(response)
}

/// Adds CORS and safety headers to every relay answer, and logs one line without secrets.
fn finish(
    mut response: Response,
    cors_origin: Option<&HeaderValue>,
    method: &Method,
    destination: Option<&Destination>,
    started: Instant,
) -> Response {
    let h = response.headers_mut();
    if let Some(origin) = cors_origin {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("retry-after, www-authenticate"),
        );
    }
    h.append(header::VARY, HeaderValue::from_static("origin"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(RELAY_CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let (host, path) = destination.map_or(("-", "-".into()), Destination::describe);
    tracing::info!(
        %method,
        upstream_host = host,
        upstream_path = path,
        status = response.status().as_u16(),
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "relay"
    );
    response
}
