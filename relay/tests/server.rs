//! The server: static files, headers, the sandbox over HTTP, with `oneshot` (no socket), plus
//! one real-socket test on port 0.

mod common;

use std::io::{Read, Write};
use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine as _;

use axum::Router;
use clap::Parser as _;
use common::{fake_dist, get, send, Answer, HASHED_JS, INLINE};
use relay::{app, AppState, Config, MAX_BODY_BYTES};
use sha2::{Digest, Sha256};

/// The defaults of every flag, with this `dist`.
fn config(dist: PathBuf) -> Config {
    let dist = dist.display().to_string();
    Config::parse_from(["relay", "--listen", "127.0.0.1:0", "--dist", dist.as_str()])
}

fn router(name: &str) -> Router {
    app(AppState::new(&config(fake_dist(name))).expect("dist exists"))
}

#[tokio::test]
async fn serves_the_page_with_security_headers() {
    let router = router("page");
    let Answer {
        status,
        headers,
        body,
    } = send(&router, get("/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(INLINE));
    let csp = headers["content-security-policy"].to_str().expect("ascii");
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(INLINE.as_bytes()));
    assert!(
        csp.contains(&format!("'sha256-{hash}'")),
        "inline loader allowed by hash: {csp}"
    );
    assert_eq!(
        csp.matches("'sha256-").count(),
        1,
        "only inline scripts are hashed, not the lesson's data block: {csp}"
    );
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(!csp.contains("'unsafe-inline'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["cache-control"], "no-cache");
}

#[tokio::test]
async fn unknown_paths_fall_back_to_the_page() {
    let router = router("fallback");
    let Answer { status, body, .. } = send(&router, get("/lesson/deep/link?target=sandbox")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<!doctype html>"));
}

/// Each page file is served precompressed as the client's Accept-Encoding allows, with
/// `Vary: Accept-Encoding`; hashed files are immutable for a year, the rest revalidated.
#[tokio::test]
async fn page_files_are_precompressed_and_cached_by_name() {
    let router = router("encodings");
    const YEAR: &str = "public, max-age=31536000, immutable";
    let js = HASHED_JS.trim_start_matches('/');
    // (path, Accept-Encoding, Content-Encoding, body starts with, Cache-Control)
    let cases = [
        (
            HASHED_JS,
            Some("gzip, deflate, br, zstd"),
            Some("br"),
            format!("brotli of {js}"),
            YEAR,
        ),
        (
            HASHED_JS,
            Some("gzip, deflate"),
            Some("gzip"),
            format!("gzip of {js}"),
            YEAR,
        ),
        (
            HASHED_JS,
            Some("br;q=0, gzip"),
            Some("gzip"),
            format!("gzip of {js}"),
            YEAR,
        ),
        (
            HASHED_JS,
            Some("identity"),
            None,
            "export default".to_owned(),
            YEAR,
        ),
        (HASHED_JS, None, None, "export default".to_owned(), YEAR),
        (
            "/",
            Some("br"),
            Some("br"),
            "brotli of index.html".to_owned(),
            "no-cache",
        ),
        ("/", None, None, "<!doctype html>".to_owned(), "no-cache"),
        (
            "/deep/link",
            Some("br"),
            Some("br"),
            "brotli of index.html".to_owned(),
            "no-cache",
        ),
        (
            "/deep/link",
            Some("gzip"),
            Some("gzip"),
            "gzip of index.html".to_owned(),
            "no-cache",
        ),
        (
            "/notes.js",
            Some("br"),
            None,
            "plain, not hashed".to_owned(),
            "no-cache",
        ),
    ];
    for (path, accept, encoding, body, cache) in cases {
        let mut request = Request::get(path);
        if let Some(accept) = accept {
            request = request.header("accept-encoding", accept);
        }
        let answer = send(&router, request.body(Body::empty()).expect("request")).await;
        let what = format!("{path} with {accept:?}");
        assert_eq!(answer.status, StatusCode::OK, "{what}");
        assert_eq!(
            answer
                .headers
                .get("content-encoding")
                .map(|v| v.to_str().expect("ascii")),
            encoding,
            "{what}"
        );
        assert!(answer.body.starts_with(&body), "{what}: {}", answer.body);
        assert_eq!(answer.headers["cache-control"], cache, "{what}");
        assert_eq!(answer.headers["vary"], "accept-encoding", "{what}");
        if path.ends_with(".js") {
            let kind = answer.headers["content-type"].to_str().expect("ascii");
            assert!(kind.contains("javascript"), "{what}: {kind}");
        }
    }
    // The sandbox's answers are the same whatever the encoding: no Vary there.
    let answer = send(&router, get("/sandbox/api/v1/tracks/x")).await;
    assert!(answer.headers.get("vary").is_none());
}

#[tokio::test]
async fn sandbox_over_http_issues_and_accepts_tokens() {
    let router = router("sandbox");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        sandbox::SANDBOX_CLIENT_ID,
        sandbox::SANDBOX_CLIENT_SECRET
    ));
    let request = Request::post("/sandbox/accounts/api/token?grant_type=client_credentials")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", format!("Basic {basic}"))
        .body(Body::empty())
        .expect("request");
    let Answer {
        status,
        headers,
        body,
    } = send(&router, request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["content-type"], "application/json; charset=utf-8");
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    let token = json["access_token"].as_str().expect("token");

    let request = Request::get("/sandbox/api/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let Answer { status, body, .. } = send(&router, request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("\"name\":\"Wild Island\""), "{body}");

    // The same errors as the in-page sandbox.
    let Answer { status, body, .. } = send(
        &router,
        get("/sandbox/api/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("\"status\":401"));
    let request = Request::post("/sandbox/accounts/api/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(
            "grant_type=client_credentials&client_id=x&client_secret=y",
        ))
        .expect("request");
    let Answer { status, body, .. } = send(&router, request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        r#"{"error":"invalid_client","error_description":"Invalid client"}"#
    );
}

/// `/sandbox/` has a budget per client, answered as Spotify's 429 (300 token requests in
/// 0.06 s all got 200 before). Another client keeps its own budget. The refill is one request
/// in 10 s, so that a slow or busy machine sees no refill while the 300 are sent.
#[tokio::test]
async fn the_sandbox_limits_each_client_like_spotify() {
    let router = app(AppState::new(&Config::parse_from([
        "relay",
        "--dist",
        fake_dist("sandbox-rate").display().to_string().as_str(),
        "--sandbox-requests-per-minute",
        "6",
        "--sandbox-burst",
        "100",
    ]))
    .expect("dist exists"));
    let from = |peer: &str| {
        let mut request = get("/sandbox/api/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V");
        let peer: std::net::SocketAddr = format!("{peer}:40000").parse().expect("a peer");
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        request
    };
    let mut statuses = Vec::new();
    for _ in 0..300 {
        statuses.push(send(&router, from("192.0.2.1")).await);
    }
    let answered = statuses
        .iter()
        .filter(|a| a.status == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(answered, 100, "the burst is answered by the sandbox");
    let limited = statuses.last().expect("answers");
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        limited.json(),
        serde_json::json!({"error": {"status": 429, "message": "API rate limit exceeded"}})
    );
    let retry_after: u64 = limited.headers["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!((1..=10).contains(&retry_after), "{retry_after}");
    assert_eq!(
        send(&router, from("192.0.2.2")).await.status,
        StatusCode::UNAUTHORIZED,
        "another client has its own budget"
    );
}

#[tokio::test]
async fn oversized_sandbox_bodies_are_refused() {
    let router = router("limit");
    let request = Request::post("/sandbox/accounts/api/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("x".repeat(MAX_BODY_BYTES + 1)))
        .expect("request");
    let Answer { status, .. } = send(&router, request).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

/// A `?lesson=` link (the older form) to the site's index gets that lesson's own page, which
/// the build prerendered; anything else is served as asked.
#[tokio::test]
async fn an_older_lesson_link_gets_the_lesson_page() {
    let dist = fake_dist("lesson-pages");
    std::fs::create_dir_all(dist.join("content")).expect("content folder");
    for name in ["02-search.json", "01-token.json", "notes.txt"] {
        std::fs::write(dist.join("content").join(name), "{}").expect("a lesson file");
    }
    std::fs::write(dist.join("search.html"), "the search lesson").expect("a lesson page");
    let lessons = app(AppState::new(&config(dist)).expect("dist exists"));
    let index = send(&lessons, get("/")).await.body;
    assert_ne!(
        index, "the search lesson",
        "the positive control below differs"
    );
    // (path, served the search lesson's page)
    let cases = [
        ("/", false),
        ("/?lesson=search", true),
        ("/?target=sandbox&lesson=search&embed=1", true),
        ("/?lesson=search&lesson=token", false),
        ("/?lesson=token&lesson=search", true),
        ("/index.html?lesson=search", true),
        ("/?lesson=nowhere", false),
        ("/?lesson=token", false),
        ("/search.html", true),
        ("/content/01-token.json?lesson=search", false),
    ];
    for (path, search) in cases {
        let answer = send(&lessons, get(path)).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert_eq!(answer.body == "the search lesson", search, "{path}");
    }
}

#[tokio::test]
async fn healthz() {
    let Answer { status, body, .. } = send(&router("health"), get("/healthz")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
}

#[tokio::test]
async fn operator_listed_relays_join_the_csp_and_nothing_else_can() {
    let dist = fake_dist("connect").display().to_string();
    let config = Config::parse_from([
        "relay",
        "--dist",
        dist.as_str(),
        "--connect-src",
        "https://relay.example.org/,http://127.0.0.1:9000",
    ]);
    let listed = app(AppState::new(&config).expect("config"));
    let Answer { headers, .. } = send(&listed, get("/")).await;
    let csp = headers["content-security-policy"].to_str().expect("ascii");
    assert!(
        csp.contains("connect-src 'self' https://accounts.spotify.com https://api.spotify.com https://relay.example.org http://127.0.0.1:9000;"),
        "{csp}"
    );
    for bad in [
        "relay.example.org",
        "https://x; script-src *",
        "https://x/path",
        "javascript:alert(1)",
    ] {
        let config = Config::parse_from(["relay", "--dist", dist.as_str(), "--connect-src", bad]);
        let error = AppState::new(&config).err().expect(bad);
        assert!(error.to_string().contains("--connect-src"), "{error}");
    }
    let default = router("connect-default");
    let Answer { headers, .. } = send(&default, get("/")).await;
    let csp = headers["content-security-policy"].to_str().expect("ascii");
    assert!(
        csp.contains("connect-src 'self' https://accounts.spotify.com https://api.spotify.com;"),
        "only its own relay by default: {csp}"
    );
}

#[tokio::test]
async fn frame_ancestors_are_the_operators_list() {
    let dist = fake_dist("frames").display().to_string();
    let config = Config::parse_from([
        "relay",
        "--dist",
        dist.as_str(),
        "--frame-ancestors",
        "'self'",
        "--frame-ancestors",
        "https://course.example",
    ]);
    let listed = app(AppState::new(&config).expect("config"));
    let Answer { headers, .. } = send(&listed, get("/")).await;
    let csp = headers["content-security-policy"].to_str().expect("ascii");
    assert!(
        csp.ends_with("frame-ancestors 'self' https://course.example"),
        "{csp}"
    );
    for bad in [
        "course.example",
        "*",
        "https://x; script-src *",
        "'unsafe-inline'",
    ] {
        let config =
            Config::parse_from(["relay", "--dist", dist.as_str(), "--frame-ancestors", bad]);
        let error = AppState::new(&config).err().expect(bad);
        assert!(error.to_string().contains("--frame-ancestors"), "{error}");
    }
}

#[test]
fn a_missing_dist_is_a_clear_start_error() {
    let error = AppState::new(&config(PathBuf::from("/nonexistent/dist")))
        .err()
        .expect("no index.html");
    assert!(error.to_string().contains("cargo xtask dist"), "{error}");
}

#[tokio::test]
async fn serves_on_a_real_socket() {
    let state = AppState::new(&config(fake_dist("socket"))).expect("dist");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let server = tokio::spawn(async move {
        axum::serve(listener, app(state)).await.expect("serve");
    });
    let response = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).expect("connect");
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .expect("write");
        let mut text = String::new();
        stream.read_to_string(&mut text).expect("read");
        text
    })
    .await
    .expect("join");
    server.abort();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("ok"), "{response}");
}

#[test]
fn connection_caps_of_zero_are_refused_with_the_flag_named() {
    for flag in ["--max-connections", "--max-connections-per-ip"] {
        let error = Config::try_parse_from(["relay", flag, "0"]).expect_err("0 is refused");
        let message = error.to_string();
        assert!(message.contains(flag) && message.contains("0"), "{message}");
    }
    // Control: 1 is a cap.
    assert!(Config::try_parse_from(["relay", "--max-connections", "1"]).is_ok());
}
