//! Helpers shared by the server's integration tests.

#![allow(dead_code)] // Each test binary uses its own subset.

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The inline loader script of the fake `index.html`, as Trunk writes one.
pub const INLINE: &str = "import init from '/playground-0123456789abcdef.js'; await init();";

/// The fake page's content-hashed script, named as Trunk names it.
pub const HASHED_JS: &str = "/playground-0123456789abcdef.js";

static DISTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A throwaway `dist/` like `cargo xtask dist` writes: an index with one inline script, a
/// hashed asset, and a `.br` and `.gz` sibling of each, whose bodies say which they are (the
/// server does not look inside them). Each call gets its own folder, so tests running in
/// parallel never share one.
pub fn fake_dist(name: &str) -> PathBuf {
    let n = DISTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("relay-test-{}-{name}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let index = format!(
        "<!doctype html><html><head><link rel=\"modulepreload\" href=\"{HASHED_JS}\">\
         <script type=\"module\">{INLINE}</script><script src=\"/x.js\"></script></head><body>\
         <script type=application/json id=lesson-token>{{\"id\":\"token\"}}</script></body></html>"
    );
    let js = "export default function(){};\n".repeat(50);
    let hashed = HASHED_JS.trim_start_matches('/');
    for (name, plain) in [("index.html", index.as_str()), (hashed, js.as_str())] {
        std::fs::write(dir.join(name), plain).expect("write a page file");
        std::fs::write(dir.join(format!("{name}.br")), format!("brotli of {name}"))
            .expect("write .br");
        std::fs::write(dir.join(format!("{name}.gz")), format!("gzip of {name}"))
            .expect("write .gz");
    }
    std::fs::write(dir.join("notes.js"), "plain, not hashed").expect("write js");
    dir
}

/// An answer from the router, read whole.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("JSON body: {}", self.body))
    }

    /// The relay's own error code; checks its shape on the way.
    pub fn relay_error(&self) -> String {
        let code = self.json()["error"].as_str().unwrap_or_default().to_owned();
        assert!(code.starts_with("relay_"), "{code}");
        assert!(self.json()["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
        code
    }
}

/// Sends one request through the router, with no socket.
pub async fn send(router: &Router, request: Request<Body>) -> Answer {
    let response = router.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// `GET uri` with no body.
pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).expect("request")
}
