//! The sandbox over HTTP at `/sandbox/accounts/api/token` and `/sandbox/api/v1/…`, so that curl
//! and real client libraries can practise against it with base URLs pointed here.

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use wire::{HttpRequest, HttpResponse, ACCOUNTS_HOST, API_HOST};

use crate::clients::Budget;
use crate::{AppState, MAX_BODY_BYTES};

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/accounts/api/token", any(emulate))
        .route("/api/v1/{*rest}", any(emulate))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(state, budget))
}

/// Charges each request to its client's sandbox budget; past it, the answer is Spotify's
/// 429 (docs/spotify-protocol.md): the nested error body and `Retry-After` in seconds.
async fn budget(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let client = state.clients.of_request(&request);
    match state.budgets.charge(Budget::Sandbox, client) {
        Ok(()) => next.run(request).await,
        Err(retry_after) => {
            let mut limited = HttpResponse::json(
                429,
                &serde_json::json!({
                    "error": { "status": 429, "message": "API rate limit exceeded" }
                }),
            );
            limited
                .headers
                .push(("retry-after".into(), retry_after.to_string()));
            into_axum(limited)
        }
    }
}

/// Maps `/sandbox/accounts/…` to `https://accounts.spotify.com/…` and `/sandbox/api/…` to
/// `https://api.spotify.com/…`, query included, and asks the sandbox.
async fn emulate(
    State(state): State<AppState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    let (host, rest) = match path.strip_prefix("/sandbox/accounts") {
        Some(rest) => (ACCOUNTS_HOST, rest),
        None => (API_HOST, path.strip_prefix("/sandbox/api").unwrap_or("/")),
    };
    let url = match uri.query() {
        Some(q) => format!("https://{host}{rest}?{q}"),
        None => format!("https://{host}{rest}"),
    };
    answer(&state, method, url, &headers, &body)
}

fn answer(
    state: &AppState,
    method: Method,
    url: String,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let Ok(body) = std::str::from_utf8(body) else {
        return (
            StatusCode::BAD_REQUEST,
            "The request body must be UTF-8 text.",
        )
            .into_response();
    };
    let request = HttpRequest {
        method: method.as_str().to_owned(),
        url,
        headers: headers
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect(),
        body: body.to_owned(),
    };
    // A graded launch's page names its session: the answer counts towards the lesson
    // (crate::grading).
    let graded = match crate::grading::graded(state, headers, || request.url.clone()) {
        Ok(graded) => graded,
        Err(refused) => return refused.into_response(),
    };
    let response = state.sandbox.handle(&request, crate::now());
    if let Some(graded) = graded {
        graded.observe(response.status, response.body.as_bytes());
    }
    into_axum(response)
}

pub(crate) fn into_axum(response: HttpResponse) -> Response {
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut out = (status, response.body).into_response();
    for (name, value) in &response.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::from_str(value),
        ) {
            out.headers_mut().insert(n, v);
        }
    }
    out
}
