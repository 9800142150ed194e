//! The relay against a test double of Spotify on a real socket: one test per line of
//! `docs/relay-security.md`. The double answers like Spotify (it is the sandbox) and records
//! every request it receives.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use base64::Engine as _;
use clap::Parser as _;
use relay::{app, AppState, Config};

mod common;
use common::{fake_dist, send};
use sandbox::Sandbox;
use sandbox::{SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET};
use wire::HttpRequest;

const TOKEN: &str = "/relay/https://accounts.spotify.com/api/token?grant_type=client_credentials";
const TRACK: &str = "/relay/https://api.spotify.com/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V";
const COURSE: &str = "https://course.example";

/// What the double received.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// Starts the double on 127.0.0.1:0 and returns its base URL and request log.
async fn spotify_double() -> (String, Log) {
    let log: Log = Arc::default();
    let router = Router::new()
        .route("/api/token", any(double))
        .route("/v1/{*rest}", any(double))
        .with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("double") });
    (format!("http://{address}"), log)
}

async fn double(
    State(log): State<Log>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    log.lock().expect("log").push(Seen {
        path: uri.path().to_owned(),
        headers: headers.clone(),
        body: body.clone(),
    });
    match uri.path() {
        "/v1/slow" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            "late".into_response()
        }
        "/v1/big" => (
            [("content-type", "application/json")],
            vec![b' '; 2 * 1024 * 1024],
        )
            .into_response(),
        "/v1/redirect" => {
            (StatusCode::FOUND, [("location", "http://127.0.0.1:1/")]).into_response()
        }
        "/v1/html" => {
            ([("content-type", "text/html")], "<script>alert(1)</script>").into_response()
        }
        "/v1/limited" => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "7"), ("content-type", "application/json")],
            r#"{"error":{"status":429,"message":"API rate limit exceeded"}}"#,
        )
            .into_response(),
        path => {
            let host = if path == "/api/token" {
                "accounts.spotify.com"
            } else {
                "api.spotify.com"
            };
            let url = match uri.query() {
                Some(q) => format!("https://{host}{path}?{q}"),
                None => format!("https://{host}{path}"),
            };
            let request = HttpRequest {
                method: method.to_string(),
                url,
                headers: headers
                    .iter()
                    .filter_map(|(n, v)| Some((n.to_string(), v.to_str().ok()?.to_owned())))
                    .collect(),
                body: String::from_utf8_lossy(&body).into_owned(),
            };
            let answer = Sandbox::default()
                .with_catalog(sandbox::Catalog::builtin())
                .handle(&request, wire::UnixMillis(1_800_000_000_000));
            let mut response = (
                StatusCode::from_u16(answer.status).expect("status"),
                answer.body,
            )
                .into_response();
            for (name, value) in &answer.headers {
                response.headers_mut().insert(
                    axum::http::HeaderName::try_from(name.as_str()).expect("name"),
                    value.parse().expect("value"),
                );
            }
            // Headers that must never come back through the relay.
            let h = response.headers_mut();
            h.insert("set-cookie", "session=upstream".parse().expect("value"));
            h.insert("x-upstream-internal", "secret".parse().expect("value"));
            h.insert(
                "access-control-allow-credentials",
                "true".parse().expect("value"),
            );
            response
        }
    }
}

/// The server with its upstreams pointed at `upstream`, plus extra flags.
fn server(upstream: &str, extra: &[&str]) -> Router {
    let dist = fake_dist("relay").display().to_string();
    let mut args = vec![
        "relay",
        "--dist",
        dist.as_str(),
        "--spotify-accounts-url",
        upstream,
        "--spotify-api-url",
        upstream,
        "--allow-origin",
        COURSE,
        "--upstream-timeout",
        "1",
    ];
    args.extend_from_slice(extra);
    app(AppState::new(&Config::parse_from(args)).expect("config"))
}

fn basic() -> String {
    let pair = format!("{SANDBOX_CLIENT_ID}:{SANDBOX_CLIENT_SECRET}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

fn token_request() -> axum::http::request::Builder {
    Request::post(TOKEN)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", basic())
}

async fn get_token(router: &Router) -> String {
    let answer = send(
        router,
        token_request().body(Body::empty()).expect("request"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned()
}

#[tokio::test]
async fn relays_the_lesson_end_to_end_and_passes_spotify_answers_unchanged() {
    let (upstream, log) = spotify_double().await;
    let router = server(&upstream, &[]);
    let token = get_token(&router).await;
    let answer = send(
        &router,
        Request::get(TRACK)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    // The catalog's track: the lesson's validation id is in it.
    assert_eq!(answer.json()["name"], "Wild Island");
    // Spotify's errors are not the relay's: they pass through unchanged.
    let wrong = send(
        &router,
        Request::post(TOKEN)
            .header("authorization", "Basic d3Jvbmc6d3Jvbmc=")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        wrong.body,
        r#"{"error":"invalid_client","error_description":"Invalid client"}"#
    );
    let limited = send(
        &router,
        Request::get("/relay/https://api.spotify.com/v1/limited")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers["retry-after"], "7");
    assert_eq!(
        limited.json()["error"]["message"],
        "API rate limit exceeded"
    );
    let paths: Vec<String> = log
        .lock()
        .expect("log")
        .iter()
        .map(|s| s.path.clone())
        .collect();
    assert_eq!(
        paths,
        [
            "/api/token",
            "/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V",
            "/api/token",
            "/v1/limited"
        ]
    );
}

#[tokio::test]
async fn rule_2_forbidden_destinations_never_reach_upstream() {
    let (upstream, log) = spotify_double().await;
    let router = server(&upstream, &[]);
    let cases = [
        (Method::GET, "/relay/https://example.com/"),
        (
            Method::GET,
            "/relay/https://api.spotify.com@127.0.0.1/v1/tracks/x",
        ),
        (
            Method::GET,
            "/relay/https://api.spotify.com/v1/%2e%2e/admin",
        ),
        (
            Method::GET,
            "/relay/https://api.spotify.com/v1/../../etc/passwd",
        ),
        (
            Method::GET,
            "/relay/https://api.spotify.com:443/v1/tracks/x",
        ),
        (Method::GET, "/relay/https://API.SPOTIFY.COM/v1/tracks/x"),
        (Method::GET, "/relay/https://api.spotify.com./v1/tracks/x"),
        (
            Method::GET,
            "/relay/https://169.254.169.254/latest/meta-data/",
        ),
        (Method::GET, "/relay/https://xn--spotfy-kva.com/v1/tracks/x"),
        (Method::GET, "/relay/https://api.spotify.com/v1//tracks/x"),
        (Method::GET, "/relay/https://accounts.spotify.com/authorize"),
        (Method::GET, "/relay/https://accounts.spotify.com/api/token"),
        (Method::POST, "/relay/https://api.spotify.com/v1/tracks/x"),
        (Method::DELETE, "/relay/https://api.spotify.com/v1/tracks/x"),
        (Method::GET, "/relay/"),
    ];
    for (method, path) in cases {
        let answer = send(
            &router,
            Request::builder()
                .method(method.clone())
                .uri(path)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {path}");
        assert_eq!(
            answer.relay_error(),
            "relay_forbidden_destination",
            "{method} {path}"
        );
    }
    assert!(
        log.lock().expect("log").is_empty(),
        "nothing reached the upstream"
    );
}

#[tokio::test]
async fn rule_1_origins_are_an_exact_list_and_credentials_are_never_allowed() {
    let (upstream, log) = spotify_double().await;
    let router = server(&upstream, &[]);
    let with_origin = |origin: &str| {
        token_request()
            .header("origin", origin)
            .body(Body::empty())
            .expect("request")
    };
    for origin in [
        "https://evil.example",
        "https://course.example.evil",
        "http://course.example",
        "null",
    ] {
        let answer = send(&router, with_origin(origin)).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{origin}");
        assert_eq!(answer.relay_error(), "relay_forbidden_origin");
    }
    assert!(log.lock().expect("log").is_empty());
    let allowed = send(&router, with_origin(COURSE)).await;
    assert_eq!(allowed.status, StatusCode::OK);
    assert_eq!(allowed.headers["access-control-allow-origin"], COURSE);
    assert!(allowed.headers["access-control-expose-headers"]
        .to_str()
        .expect("ascii")
        .contains("retry-after"));
    assert!(!allowed
        .headers
        .contains_key("access-control-allow-credentials"));
    // The server's own page: Origin matches Host.
    let same = token_request()
        .header("origin", "http://127.0.0.1:8080")
        .header("host", "127.0.0.1:8080")
        .body(Body::empty())
        .expect("request");
    let same = send(&router, same).await;
    assert_eq!(same.status, StatusCode::OK);
    assert!(
        !same.headers.contains_key("access-control-allow-origin"),
        "same-origin needs no CORS"
    );
}

#[tokio::test]
async fn preflights_allow_only_the_endpoint_method_and_forwarded_headers() {
    let (upstream, _) = spotify_double().await;
    let router = server(&upstream, &[]);
    let preflight = |path: &str, method: &str, headers: &str| {
        Request::options(path)
            .header("origin", COURSE)
            .header("access-control-request-method", method)
            .header("access-control-request-headers", headers)
            .body(Body::empty())
            .expect("request")
    };
    let ok = send(
        &router,
        preflight(TOKEN, "POST", "authorization, content-type"),
    )
    .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    assert_eq!(ok.headers["access-control-allow-methods"], "POST");
    assert_eq!(ok.headers["access-control-allow-origin"], COURSE);
    assert!(!ok.headers.contains_key("access-control-allow-credentials"));
    let ok = send(&router, preflight(TRACK, "GET", "authorization")).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    for (path, method, headers) in [
        (TOKEN, "PUT", "authorization"),
        (TRACK, "POST", ""),
        (TOKEN, "POST", "x-api-key"),
    ] {
        let refused = send(&router, preflight(path, method, headers)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{method} {headers}");
        assert_eq!(refused.relay_error(), "relay_forbidden_destination");
    }
    let foreign = Request::options(TOKEN)
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&router, foreign).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn rule_4_headers_follow_allowlists_both_ways() {
    let (upstream, log) = spotify_double().await;
    let router = server(&upstream, &[]);
    let request = token_request()
        .header("origin", COURSE)
        .header("cookie", "session=learner")
        .header("x-forwarded-for", "10.0.0.1")
        .header("x-forwarded-host", "evil.example")
        .header("x-secret", "do-not-forward")
        .header("accept", "application/json")
        .body(Body::empty())
        .expect("request");
    let answer = send(&router, request).await;
    assert_eq!(answer.status, StatusCode::OK);
    let seen = log.lock().expect("log")[0].clone();
    assert_eq!(
        seen.headers["authorization"],
        basic().as_str(),
        "exact Authorization"
    );
    assert_eq!(
        seen.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(seen.headers["accept"], "application/json");
    assert!(
        seen.body.is_empty(),
        "the lesson's request has an empty body"
    );
    for dropped in [
        "cookie",
        "origin",
        "x-forwarded-for",
        "x-forwarded-host",
        "x-secret",
        "referer",
    ] {
        assert!(
            !seen.headers.contains_key(dropped),
            "{dropped} must not be forwarded"
        );
    }
    assert_ne!(seen.headers["host"], "evil.example");
    for dropped in [
        "set-cookie",
        "x-upstream-internal",
        "access-control-allow-credentials",
    ] {
        assert!(
            !answer.headers.contains_key(dropped),
            "{dropped} must not come back"
        );
    }
    assert_eq!(
        answer.headers["content-type"],
        "application/json; charset=utf-8"
    );
    assert_eq!(answer.headers["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn rule_3_redirects_are_not_followed_and_rule_8_no_html() {
    let (upstream, log) = spotify_double().await;
    let router = server(&upstream, &[]);
    let redirect = send(
        &router,
        Request::get("/relay/https://api.spotify.com/v1/redirect")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(redirect.status, StatusCode::FOUND);
    assert!(
        !redirect.headers.contains_key("location"),
        "the browser gets nothing to follow"
    );
    assert_eq!(
        log.lock().expect("log").len(),
        1,
        "the relay did not follow it"
    );
    let html = send(
        &router,
        Request::get("/relay/https://api.spotify.com/v1/html")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(html.headers["content-type"], "text/plain; charset=utf-8");
    assert_eq!(html.headers["x-content-type-options"], "nosniff");
    let csp = html.headers["content-security-policy"]
        .to_str()
        .expect("ascii");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("sandbox"),
        "{csp}"
    );
}

#[tokio::test]
async fn rule_5_limits() {
    let (upstream, log) = spotify_double().await;
    let router = server(&upstream, &["--token-requests-per-minute", "2"]);
    let big = token_request()
        .body(Body::from(vec![b'a'; 16 * 1024 + 1]))
        .expect("request");
    let answer = send(&router, big).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.relay_error(), "relay_body_too_large");

    let large = send(
        &router,
        Request::get("/relay/https://api.spotify.com/v1/big")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(large.status, StatusCode::BAD_GATEWAY);
    assert_eq!(large.relay_error(), "relay_response_too_large");

    let slow = send(
        &router,
        Request::get("/relay/https://api.spotify.com/v1/slow")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(slow.status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(slow.relay_error(), "relay_upstream_timeout");

    // The body-too-large request counted against the token budget of 2: one more passes.
    get_token(&router).await;
    let limited = send(
        &router,
        token_request().body(Body::empty()).expect("request"),
    )
    .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.relay_error(), "relay_rate_limited");
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    // Web API calls have their own budget.
    let track = send(
        &router,
        Request::get(TRACK).body(Body::empty()).expect("request"),
    )
    .await;
    assert_eq!(
        track.status,
        StatusCode::UNAUTHORIZED,
        "Spotify's answer, not the relay's"
    );
    let tokens = log
        .lock()
        .expect("log")
        .iter()
        .filter(|s| s.path == "/api/token")
        .count();
    assert_eq!(
        tokens, 1,
        "neither the oversized nor the limited request reached upstream"
    );
}

/// A token request from the peer `peer`, naming `forwarded` in `X-Forwarded-For`.
fn token_request_via(peer: &str, forwarded: &str) -> Request<Body> {
    let mut request = token_request()
        .header("x-forwarded-for", forwarded)
        .body(Body::empty())
        .expect("request");
    let peer: std::net::SocketAddr = format!("{peer}:40000").parse().expect("a peer");
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    request
}

#[tokio::test]
async fn behind_a_proxy_each_client_ip_has_its_own_budget() {
    let (upstream, _) = spotify_double().await;
    let router = server(
        &upstream,
        &[
            "--token-requests-per-minute",
            "1",
            "--client-ip-header",
            "x-forwarded-for",
            "--trusted-proxy",
            "10.0.0.0/8",
        ],
    );
    let proxy = "10.0.0.5";
    assert_eq!(
        send(&router, token_request_via(proxy, "203.0.113.7"))
            .await
            .status,
        StatusCode::OK
    );
    let again = send(
        &router,
        token_request_via(proxy, "198.51.100.1, 203.0.113.7"),
    )
    .await;
    assert_eq!(
        again.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the last entry is the client: spoofed earlier entries do not help"
    );
    assert_eq!(
        send(&router, token_request_via(proxy, "203.0.113.8"))
            .await
            .status,
        StatusCode::OK,
        "another client has its own budget"
    );
}

/// With the port reachable directly, a client that sends its own `X-Forwarded-For` must not
/// get a fresh budget per request: the header counts only from a --trusted-proxy. (Before
/// --trusted-proxy, 30 of 30 passed a limit of 20.)
#[tokio::test]
async fn the_client_header_counts_only_from_a_trusted_proxy() {
    let (upstream, _) = spotify_double().await;
    let flags = [
        "--token-requests-per-minute",
        "20",
        "--client-ip-header",
        "x-forwarded-for",
        "--trusted-proxy",
        "10.0.0.5",
    ];
    let router = server(&upstream, &flags);
    let mut passed = (0, 0);
    for n in 0..30 {
        let forwarded = format!("198.51.100.{n}");
        if send(&router, token_request_via("192.0.2.77", &forwarded))
            .await
            .status
            == StatusCode::OK
        {
            passed.0 += 1;
        }
        // The positive control: the same requests through the trusted proxy.
        if send(&router, token_request_via("10.0.0.5", &forwarded))
            .await
            .status
            == StatusCode::OK
        {
            passed.1 += 1;
        }
    }
    assert_eq!(passed, (20, 30), "(direct, through the proxy)");
}

#[tokio::test]
async fn unreachable_upstream_is_a_relay_error() {
    let router = server("http://127.0.0.1:1", &[]);
    let answer = send(
        &router,
        token_request().body(Body::empty()).expect("request"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY);
    assert_eq!(answer.relay_error(), "relay_upstream_unreachable");
}

#[tokio::test]
async fn rule_3_names_that_resolve_to_private_addresses_are_refused() {
    for host in ["localhost", "127.0.0.1", "169.254.169.254", "10.0.0.1"] {
        let error = relay::proxy::resolve_public(host).await.expect_err(host);
        assert!(error.contains(host), "{error}");
    }
}

#[test]
fn client_identity_flags_are_checked_at_start() {
    let dist = fake_dist("relay").display().to_string();
    let cases: [(&[&str], &str); 3] = [
        (
            &["--client-ip-header", "x-forwarded-for"],
            "--trusted-proxy",
        ),
        (&["--trusted-proxy", "proxy.example"], "--trusted-proxy"),
        (&["--trusted-proxy", "10.0.0.0/40"], "--trusted-proxy"),
    ];
    for (flags, named) in cases {
        let mut args = vec!["relay", "--dist", dist.as_str()];
        args.extend_from_slice(flags);
        let error = AppState::new(&Config::parse_from(args))
            .err()
            .unwrap_or_else(|| panic!("{flags:?} refused"))
            .to_string();
        assert!(error.contains(named), "{flags:?}: {error}");
    }
    let mut args = vec!["relay", "--dist", dist.as_str()];
    args.extend(["--client-ip-header", "x-real-ip", "--trusted-proxy", "::1"]);
    assert!(AppState::new(&Config::parse_from(args)).is_ok());
}

/// `--allow-origin` takes exact origins: `null` would let any sandboxed iframe or `data:`
/// page in, and a path or query could never match an `Origin` header.
#[tokio::test]
async fn allowed_origins_are_checked_and_normalised() {
    let dist = fake_dist("relay").display().to_string();
    for bad in [
        "null",
        "*",
        "https://course.example/lessons",
        "https://course.example?x=1",
        "course.example",
        "",
    ] {
        let config = Config::parse_from(["relay", "--dist", dist.as_str(), "--allow-origin", bad]);
        let error = AppState::new(&config)
            .err()
            .unwrap_or_else(|| panic!("{bad:?} refused"))
            .to_string();
        assert!(error.contains("--allow-origin"), "{bad:?}: {error}");
    }
    let (upstream, _) = spotify_double().await;
    for written in ["HTTPS://Course.Example/", "https://course.example"] {
        let router = server(&upstream, &["--allow-origin", written]);
        let from = |origin: &str| {
            token_request()
                .header("origin", origin)
                .body(Body::empty())
                .expect("request")
        };
        let allowed = send(&router, from(COURSE)).await;
        assert_eq!(allowed.status, StatusCode::OK, "{written}");
        assert_eq!(allowed.headers["access-control-allow-origin"], COURSE);
        let other = send(&router, from("https://elsewhere.example")).await;
        assert_eq!(other.relay_error(), "relay_forbidden_origin", "{written}");
    }
}

#[test]
fn bad_upstream_configuration_is_refused_at_start() {
    let dist = fake_dist("relay").display().to_string();
    for url in ["ftp://x", "accounts.spotify.com", "https://x/?a=b"] {
        let config = Config::parse_from([
            "relay",
            "--dist",
            dist.as_str(),
            "--spotify-accounts-url",
            url,
        ]);
        let error = AppState::new(&config).err().expect("refused");
        assert!(
            error.to_string().contains("--spotify-accounts-url"),
            "{error}"
        );
    }
    let zero = Config::try_parse_from(["relay", "--token-requests-per-minute", "0"]);
    assert!(zero.is_err(), "the rate limit cannot be turned off");
}

/// A `Write` into a shared buffer, for capturing logs.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn rule_6_logs_never_hold_secrets_tokens_or_queries() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    // Global, not scoped: tracing caches callsite interest per process, and other tests run
    // in parallel. Their log lines land here too, so the check below covers them all.
    tracing::subscriber::set_global_default(subscriber)
        .expect("the only subscriber in this binary");

    let (upstream, _) = spotify_double().await;
    let router = server(&upstream, &[]);
    let token = get_token(&router).await;
    send(
        &router,
        Request::get(format!("{TRACK}?market=SECRETQUERY"))
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    let body_secret = format!("grant_type=client_credentials&client_id={SANDBOX_CLIENT_ID}&client_secret={SANDBOX_CLIENT_SECRET}");
    send(
        &router,
        Request::post("/relay/https://accounts.spotify.com/api/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body_secret))
            .expect("request"),
    )
    .await;
    send(
        &router,
        Request::get(format!(
            "/relay/https://evil.example/{SANDBOX_CLIENT_SECRET}"
        ))
        .body(Body::empty())
        .expect("request"),
    )
    .await;

    // A learner pastes a token where an id belongs, through the relay and into the sandbox
    // over HTTP; and a secret where a path word belongs.
    for path in [
        format!("/relay/https://api.spotify.com/v1/tracks/{token}"),
        format!("/sandbox/api/v1/tracks/{token}"),
        format!("/relay/https://api.spotify.com/v1/artists/{SANDBOX_CLIENT_SECRET}/albums"),
    ] {
        send(
            &router,
            Request::get(path)
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    }

    let logs = String::from_utf8(captured.0.lock().expect("buffer").clone()).expect("UTF-8 logs");
    // The positive control: the paths are logged, with the pasted values masked.
    for shape in [
        "upstream_path=\"/v1/tracks/:masked\"",
        "path=/sandbox/api/v1/tracks/:masked",
        "upstream_path=\"/v1/artists/:masked/albums\"",
    ] {
        assert!(logs.contains(shape), "{shape}: {logs}");
    }
    assert!(
        logs.contains("upstream_path=\"/api/token\""),
        "the log records destinations: {logs}"
    );
    assert!(
        logs.contains("upstream_path=\"/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V\""),
        "{logs}"
    );
    let basic = basic();
    let encoded = basic.trim_start_matches("Basic ");
    for secret in [
        SANDBOX_CLIENT_SECRET,
        token.as_str(),
        encoded,
        "SECRETQUERY",
        "grant_type",
    ] {
        assert!(!logs.contains(secret), "the logs hold {secret}: {logs}");
    }
}
