//! The LTI 1.3 tool against a platform double: the login redirect, the launch, the tool's
//! keys, and what is refused. The double serves its key set on a real socket (the tool
//! fetches it over HTTP) and signs launches as a platform does; the tool is called in
//! process.

// Native tests: the wasm32-only ban on reading the clock does not apply (the platform stamps
// its launches with the real time, which the tool checks).
#![allow(clippy::disallowed_methods)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::IntoResponse as _;
use clap::Parser as _;
use common::{fake_dist, get, send, Answer};
use lti::ToolKey;
use relay::{app, AppState, Config};
use serde_json::{json, Value};

const TOOL: &str = "https://playground.test";
const CLIENT_ID: &str = "tool-client-1";
const DEPLOYMENT: &str = "1:deployment";

/// The platform's side: its keys (served as a JWKS) and how often they were fetched; and its
/// Assignment and Grade Services: a token endpoint that checks the tool's client assertion
/// against the tool's published keys, and line items that take scores (or are down).
#[derive(Clone)]
struct Platform {
    issuer: String,
    published: Arc<Mutex<Vec<Value>>>,
    fetches: Arc<AtomicUsize>,
    ags: Ags,
}

#[derive(Clone, Default)]
struct Ags {
    /// The tool's key set, as `/lti/jwks.json` serves it.
    tool_keys: Arc<Mutex<Option<lti::JwkSet>>>,
    /// Scores taken: the line item's path and the score.
    scores: Arc<Mutex<Vec<(String, Value)>>>,
    /// While true, the line items answer 503.
    down: Arc<std::sync::atomic::AtomicBool>,
    /// Scores refused while down.
    refused: Arc<AtomicUsize>,
    /// Tokens issued.
    tokens: Arc<AtomicUsize>,
    /// What the double found wrong in a request, if anything (a test fails on any).
    problems: Arc<Mutex<Vec<String>>>,
}

impl Ags {
    fn problem(&self, text: String) -> StatusCode {
        self.problems.lock().expect("problems").push(text);
        StatusCode::BAD_REQUEST
    }

    /// The token endpoint (Security Framework §4.1): a client assertion signed by the tool.
    fn token(&self, issuer: &str, form: &[(String, String)]) -> Result<Value, StatusCode> {
        let field = |name: &str| value(form, name).unwrap_or_default().to_owned();
        for (name, want) in [
            ("grant_type", "client_credentials"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("scope", lti::SCORE_SCOPE),
        ] {
            if field(name) != want {
                return Err(self.problem(format!("token request: {name} = {:?}", field(name))));
            }
        }
        let assertion = field("client_assertion");
        let header =
            jsonwebtoken::decode_header(&assertion).map_err(|e| self.problem(e.to_string()))?;
        let keys = self
            .tool_keys
            .lock()
            .expect("keys")
            .clone()
            .unwrap_or(lti::JwkSet { keys: vec![] });
        let jwk = header
            .kid
            .as_deref()
            .and_then(|kid| keys.find(kid))
            .ok_or_else(|| self.problem("the assertion's kid is not the tool's".into()))?;
        let key =
            jsonwebtoken::DecodingKey::from_jwk(jwk).map_err(|e| self.problem(e.to_string()))?;
        let token_url = format!("{issuer}/token");
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.set_audience(&[&token_url]);
        validation.set_issuer(&[CLIENT_ID]);
        validation.sub = Some(CLIENT_ID.into());
        validation.set_required_spec_claims(&["exp", "iat", "iss", "sub", "aud"]);
        let claims = jsonwebtoken::decode::<Value>(&assertion, &key, &validation)
            .map_err(|e| self.problem(format!("the client assertion: {e}")))?;
        if claims.claims["jti"].as_str().is_none_or(str::is_empty) {
            return Err(self.problem("the client assertion has no jti".into()));
        }
        let n = self.tokens.fetch_add(1, Ordering::SeqCst);
        Ok(
            json!({"access_token": format!("ags-token-{n}"), "token_type": "Bearer", "expires_in": 3600, "scope": lti::SCORE_SCOPE}),
        )
    }

    /// A line item's `scores`: the media type, a token it issued, and timestamps that grow.
    fn score(&self, path: &str, headers: &axum::http::HeaderMap, body: &str) -> StatusCode {
        if self.down.load(Ordering::SeqCst) {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return StatusCode::SERVICE_UNAVAILABLE;
        }
        let header = |name| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
        };
        if header(header::CONTENT_TYPE) != lti::SCORE_CONTENT_TYPE {
            return self.problem(format!(
                "score content type {:?}",
                header(header::CONTENT_TYPE)
            ));
        }
        if !header(header::AUTHORIZATION).starts_with("Bearer ags-token-") {
            return StatusCode::UNAUTHORIZED;
        }
        let Ok(score) = serde_json::from_str::<Value>(body) else {
            return self.problem(format!("score body {body}"));
        };
        let mut scores = self.scores.lock().expect("scores");
        let stamp = score["timestamp"].as_str().unwrap_or_default().to_owned();
        if scores
            .iter()
            .any(|(_, s)| s["timestamp"].as_str().unwrap_or_default() > stamp.as_str())
        {
            drop(scores);
            return self.problem(format!("a score's timestamp went back: {stamp}"));
        }
        scores.push((path.to_owned(), score));
        StatusCode::OK
    }
}

impl Platform {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let issuer = format!("http://{}", listener.local_addr().expect("address"));
        let platform = Platform {
            issuer,
            published: Arc::new(Mutex::new(Vec::new())),
            fetches: Arc::new(AtomicUsize::new(0)),
            ags: Ags::default(),
        };
        let served = platform.clone();
        let token = platform.clone();
        let scores = platform.ags.clone();
        let router = axum::Router::new()
            .route(
                "/jwks",
                axum::routing::get(move || {
                    let served = served.clone();
                    async move {
                        served.fetches.fetch_add(1, Ordering::SeqCst);
                        let keys = served.published.lock().expect("keys").clone();
                        axum::Json(json!({ "keys": keys }))
                    }
                }),
            )
            .route(
                "/token",
                axum::routing::post(move |body: String| {
                    let token = token.clone();
                    async move {
                        match token
                            .ags
                            .token(&token.issuer, &wire::http::parse_form(&body))
                        {
                            Ok(issued) => axum::Json(issued).into_response(),
                            Err(status) => status.into_response(),
                        }
                    }
                }),
            )
            .route(
                "/lineitems/{id}/scores",
                axum::routing::post(
                    move |uri: axum::http::Uri, headers: axum::http::HeaderMap, body: String| {
                        let scores = scores.clone();
                        async move { scores.score(&uri.to_string(), &headers, &body) }
                    },
                ),
            );
        tokio::spawn(async move { axum::serve(listener, router).await });
        platform
    }

    /// A new key, published under `kid` (the double's own name, not the thumbprint).
    fn publish(&self, kid: &str) -> PlatformKey {
        let key = ToolKey::generate().expect("a key");
        let mut public = serde_json::to_value(key.public()).expect("JWK");
        public["kid"] = json!(kid);
        self.published.lock().expect("keys").push(public);
        PlatformKey {
            key,
            kid: kid.to_owned(),
        }
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }

    fn registrations(&self, dir: &Path) -> PathBuf {
        let file = dir.join("platforms.json");
        let text = json!({"platforms": [{
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "deployment_ids": [DEPLOYMENT],
            "auth_url": format!("{}/auth?tenant=7", self.issuer),
            "token_url": format!("{}/token", self.issuer),
            "jwks_url": format!("{}/jwks", self.issuer),
        }]});
        std::fs::write(&file, text.to_string()).expect("write the registrations");
        file
    }

    /// A launch for `nonce`, as the platform signs it; `change` edits the claims first.
    fn launch(&self, key: &PlatformKey, nonce: &str, change: impl FnOnce(&mut Value)) -> String {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("time")
            .as_secs();
        let mut claims = json!({
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": "learner-1",
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
            "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
            "https://purl.imsglobal.org/spec/lti/claim/deployment_id": DEPLOYMENT,
            "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": format!("{TOOL}/search.html"),
            "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "link-1"},
            "https://purl.imsglobal.org/spec/lti/claim/roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        });
        change(&mut claims);
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some(key.kid.clone());
        let pem = jsonwebtoken::EncodingKey::from_rsa_pem(key.key.pem().as_bytes()).expect("PEM");
        jsonwebtoken::encode(&header, &claims, &pem).expect("signed")
    }
}

struct PlatformKey {
    key: ToolKey,
    kid: String,
}

/// A dist with two lessons, and a data directory, both new.
fn folders(name: &str) -> (PathBuf, PathBuf) {
    let dist = fake_dist(name);
    std::fs::create_dir_all(dist.join("content")).expect("content");
    // The course's own first two lessons, retitled: a graded launch reads their cells.
    for (lesson, source, title) in [
        ("1-token", "01-token", "Get a token"),
        ("2-search", "02-search", "Search"),
    ] {
        let source = format!("{}/../content/{source}.json", env!("CARGO_MANIFEST_DIR"));
        let mut content: Value =
            serde_json::from_str(&std::fs::read_to_string(&source).expect("the course's lesson"))
                .expect("JSON");
        content["title"] = json!(title);
        let file = dist.join(format!("content/{lesson}.json"));
        std::fs::write(file, content.to_string()).expect("a lesson");
    }
    // The lesson picker as the build writes it, reduced to its form.
    std::fs::write(
        dist.join("lti-picker.html"),
        r#"<form method="post" action="/lti/deep-link"><input type="hidden" name="dl" value=""></form>"#,
    )
    .expect("the picker");
    let data = dist.join("data");
    (dist, data)
}

fn tool(platform: &Platform, dist: &Path, data: &Path, extra: &[&str]) -> axum::Router {
    let registrations = platform.registrations(dist);
    let mut args = vec![
        "relay".to_owned(),
        "--dist".into(),
        dist.display().to_string(),
        "--lti-registrations".into(),
        registrations.display().to_string(),
        "--public-url".into(),
        format!("{TOOL}/"),
        "--data-dir".into(),
        data.display().to_string(),
    ];
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    app(AppState::new(&Config::parse_from(args)).expect("the tool starts"))
}

/// The query of a URL as pairs.
fn query(url: &str) -> Vec<(String, String)> {
    wire::http::parse_form(url.split_once('?').map_or("", |(_, q)| q))
}

fn value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A login for the search lesson: the state, the nonce and the cookie the tool set.
struct Started {
    state: String,
    nonce: String,
    cookie: String,
}

async fn start_login(router: &axum::Router, platform: &Platform) -> (Answer, Option<Started>) {
    let uri = format!(
        "/lti/login?iss={}&login_hint=u%201&target_link_uri={}&lti_message_hint=m%26x&client_id={CLIENT_ID}",
        wire::http::percent_encode(&platform.issuer),
        wire::http::percent_encode(&format!("{TOOL}/search.html")),
    );
    let answer = send(router, get(&uri)).await;
    let started = answer
        .headers
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .map(|location| {
            let pairs = query(location);
            let cookie = answer
                .headers
                .get(header::SET_COOKIE)
                .and_then(|c| c.to_str().ok())
                .unwrap_or_default()
                .split(';')
                .next()
                .unwrap_or_default()
                .to_owned();
            Started {
                state: value(&pairs, "state").unwrap_or_default().to_owned(),
                nonce: value(&pairs, "nonce").unwrap_or_default().to_owned(),
                cookie,
            }
        });
    (answer, started)
}

/// A login that must start.
async fn login(router: &axum::Router, platform: &Platform) -> Started {
    start_login(router, platform).await.1.expect("a login")
}

/// `answer` is a refusal whose message holds `needle`.
fn assert_refused(answer: &Answer, needle: &str) {
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    assert!(answer.body.contains(needle), "{needle} in {}", answer.body);
}

async fn post_launch(
    router: &axum::Router,
    id_token: &str,
    state: &str,
    cookie: Option<&str>,
) -> Answer {
    let mut request = Request::post("/lti/launch")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, format!("other=1; {cookie}"));
    }
    let body = format!(
        "state={}&id_token={}",
        wire::http::percent_encode(state),
        wire::http::percent_encode(id_token)
    );
    send(router, request.body(Body::from(body)).expect("request")).await
}

#[tokio::test]
async fn a_platform_launches_a_lesson() {
    let platform = Platform::start().await;
    let key = platform.publish("k1");
    let (dist, data) = folders("lti-launch");
    let router = tool(&platform, &dist, &data, &[]);

    // The login: the browser goes on to the platform, with the hints as they came.
    let (answer, started) = start_login(&router, &platform).await;
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
    let location = answer.headers[header::LOCATION]
        .to_str()
        .expect("text")
        .to_owned();
    assert!(
        location.starts_with(&format!("{}/auth?tenant=7&", platform.issuer)),
        "{location}"
    );
    let pairs = query(&location);
    for (name, want) in [
        ("scope", "openid"),
        ("response_type", "id_token"),
        ("response_mode", "form_post"),
        ("prompt", "none"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", &format!("{TOOL}/lti/launch")),
        ("login_hint", "u 1"),
        ("lti_message_hint", "m&x"),
    ] {
        assert_eq!(value(&pairs, name), Some(want), "{name} in {location}");
    }
    let started = started.expect("a login");
    assert!(started.state.len() >= 40 && started.nonce.len() >= 40);
    assert_ne!(started.state, started.nonce);
    let set_cookie = answer.headers[header::SET_COOKIE].to_str().expect("text");
    for attribute in [
        "HttpOnly",
        "Secure",
        "SameSite=None",
        "Partitioned",
        "Path=/lti/",
    ] {
        assert!(
            set_cookie.contains(attribute),
            "{attribute} in {set_cookie}"
        );
    }

    // The launch opens the lesson in embed mode.
    let token = platform.launch(&key, &started.nonce, |_| {});
    let launched = post_launch(&router, &token, &started.state, Some(&started.cookie)).await;
    assert_eq!(launched.status, StatusCode::SEE_OTHER, "{}", launched.body);
    assert_eq!(
        launched.headers[header::LOCATION],
        format!("{TOOL}/search.html?embed=1&lti=1").as_str()
    );
    assert_eq!(platform.fetches(), 1, "the key set is fetched once");

    // The same launch again: refused (its login was used).
    let again = post_launch(&router, &token, &started.state, Some(&started.cookie)).await;
    assert_refused(&again, "used already");

    // The registered platform may frame the lessons; others may not.
    let page = send(&router, get("/search.html")).await;
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("text");
    assert!(
        csp.contains(&format!("frame-ancestors 'self' {}", platform.issuer)),
        "{csp}"
    );
}

#[tokio::test]
async fn a_launch_that_is_not_this_browsers_is_refused() {
    let platform = Platform::start().await;
    let key = platform.publish("k1");
    let (dist, data) = folders("lti-refusals");
    let router = tool(&platform, &dist, &data, &[]);

    // Without the login's cookie (another browser, or cookies blocked).
    let started = login(&router, &platform).await;
    let token = platform.launch(&key, &started.nonce, |_| {});
    let refused = post_launch(&router, &token, &started.state, None).await;
    assert_refused(&refused, "did not send back this launch's cookie");
    // The way on: the same login in a new window, where the cookie is the site's own. It
    // starts again with the platform's hints as they came.
    let link = refused
        .body
        .split("<a href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to a new window")
        .replace("&amp;", "&");
    assert!(
        refused.body.contains("target=\"_blank\""),
        "{}",
        refused.body
    );
    assert!(link.starts_with("/lti/login?"), "{link}");
    let again = send(&router, get(&link)).await;
    assert_eq!(again.status, StatusCode::FOUND, "{}", again.body);
    let location = again.headers[header::LOCATION].to_str().expect("text");
    let pairs = query(location);
    assert_eq!(value(&pairs, "login_hint"), Some("u 1"), "{location}");
    assert_eq!(value(&pairs, "lti_message_hint"), Some("m&x"), "{location}");
    assert_ne!(
        value(&pairs, "state"),
        Some(started.state.as_str()),
        "a new login"
    );

    // With another login's cookie (the state does not belong to this browser).
    let other = login(&router, &platform).await;
    let started = login(&router, &platform).await;
    let token = platform.launch(&key, &started.nonce, |_| {});
    let refused = post_launch(&router, &token, &started.state, Some(&other.cookie)).await;
    assert_refused(&refused, "did not send back this launch's cookie");

    // Another login's nonce.
    let started = login(&router, &platform).await;
    let token = platform.launch(&key, "a-nonce-of-another-login", |_| {});
    let refused = post_launch(&router, &token, &started.state, Some(&started.cookie)).await;
    assert_refused(&refused, "(nonce)");
    assert!(
        !refused.body.contains(&token[..40]),
        "the token is not echoed"
    );

    // An unregistered deployment.
    let started = login(&router, &platform).await;
    let token = platform.launch(&key, &started.nonce, |c| {
        c["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = json!("9:other");
    });
    let refused = post_launch(&router, &token, &started.state, Some(&started.cookie)).await;
    assert_refused(&refused, "deployment 9:other is not registered");

    // The control: a good launch after all these still passes.
    let started = login(&router, &platform).await;
    let token = platform.launch(&key, &started.nonce, |_| {});
    let launched = post_launch(&router, &token, &started.state, Some(&started.cookie)).await;
    assert_eq!(launched.status, StatusCode::SEE_OTHER, "{}", launched.body);

    // Logins that cannot start: a target that is not a lesson page (no open redirect), and
    // an unregistered platform.
    for (uri, needle) in [
        (
            format!(
                "/lti/login?iss={}&login_hint=u&target_link_uri=https%3A%2F%2Fevil.example%2F&client_id={CLIENT_ID}",
                wire::http::percent_encode(&platform.issuer)
            ),
            "not a lesson page",
        ),
        (
            format!(
                "/lti/login?iss={}&login_hint=u&target_link_uri={}%2Fnot-a-lesson.html&client_id={CLIENT_ID}",
                wire::http::percent_encode(&platform.issuer),
                wire::http::percent_encode(TOOL)
            ),
            "not a lesson page",
        ),
        (
            format!(
                "/lti/login?iss=https%3A%2F%2Fother.example&login_hint=u&target_link_uri={}%2F&client_id={CLIENT_ID}",
                wire::http::percent_encode(TOOL)
            ),
            "not registered",
        ),
        ("/lti/login?iss=x".to_owned(), "incomplete"),
    ] {
        let answer = send(&router, get(&uri)).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(answer.body.contains(needle), "{needle} in {}", answer.body);
        assert!(answer.headers.get(header::LOCATION).is_none(), "{uri}");
    }
}

#[tokio::test]
async fn a_rotated_platform_key_is_fetched_once_and_made_up_keys_are_not_chased() {
    let platform = Platform::start().await;
    let old = platform.publish("old");
    let (dist, data) = folders("lti-rotation");
    let router = tool(&platform, &dist, &data, &[]);
    let launch = |key: &PlatformKey| {
        let router = router.clone();
        let platform = platform.clone();
        let kid = key.kid.clone();
        let pem = key.key.pem().to_owned();
        async move {
            let started = login(&router, &platform).await;
            let key = PlatformKey {
                key: ToolKey::from_pem(&pem).expect("key"),
                kid,
            };
            let token = platform.launch(&key, &started.nonce, |_| {});
            post_launch(&router, &token, &started.state, Some(&started.cookie)).await
        }
    };
    assert_eq!(launch(&old).await.status, StatusCode::SEE_OTHER);
    assert_eq!(platform.fetches(), 1);
    // The platform rotates: its new key is found with exactly one more fetch.
    let new = platform.publish("new");
    let launched = launch(&new).await;
    assert_eq!(launched.status, StatusCode::SEE_OTHER, "{}", launched.body);
    assert_eq!(platform.fetches(), 2);
    // A key it never published, right after: refused, and not fetched again (the floor).
    let stranger = PlatformKey {
        key: ToolKey::generate().expect("key"),
        kid: "stranger".into(),
    };
    let refused = launch(&stranger).await;
    assert!(
        refused.body.contains("has no key stranger"),
        "{}",
        refused.body
    );
    assert_eq!(platform.fetches(), 2);
}

#[tokio::test]
async fn the_tools_keys_are_made_once_kept_private_and_rotated_on_request() {
    let platform = Platform::start().await;
    let (dist, data) = folders("lti-keys");
    let published = |router: axum::Router| async move {
        let answer = send(&router, get("/lti/jwks.json")).await;
        assert_eq!(answer.status, StatusCode::OK);
        let kids: Vec<String> = answer.json()["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .map(|k| {
                assert!(k.get("d").is_none(), "a private member is published");
                k["kid"].as_str().expect("kid").to_owned()
            })
            .collect();
        kids
    };
    let first = published(tool(&platform, &dist, &data, &[])).await;
    assert_eq!(first.len(), 1);
    // A restart keeps the key.
    assert_eq!(published(tool(&platform, &dist, &data, &[])).await, first);
    let files: Vec<_> = std::fs::read_dir(data.join("lti-keys"))
        .expect("the keys' folder")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1);
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&files[0])
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "the private key is the server user's alone"
    );
    // Rotation: the new key comes first (it signs), the old one stays published.
    let rotated = published(tool(&platform, &dist, &data, &["--lti-new-key"])).await;
    assert_eq!(rotated.len(), 2);
    assert_eq!(rotated[1], first[0]);
    assert_ne!(rotated[0], first[0]);
    // Canvas's configuration names this server.
    let canvas = send(&tool(&platform, &dist, &data, &[]), get("/lti/canvas.json")).await;
    assert_eq!(
        canvas.json()["public_jwk_url"],
        format!("{TOOL}/lti/jwks.json").as_str()
    );
    // Without registrations, /lti/ is off: the control for all of the above.
    let plain = app(AppState::new(&Config::parse_from([
        "relay",
        "--dist",
        dist.display().to_string().as_str(),
    ]))
    .expect("starts"));
    assert_eq!(
        send(&plain, get("/lti/jwks.json")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_login_survives_a_restart_of_the_server() {
    let platform = Platform::start().await;
    let key = platform.publish("k1");
    let (dist, data) = folders("lti-restart");
    let started = login(&tool(&platform, &dist, &data, &[]), &platform).await;
    let restarted = tool(&platform, &dist, &data, &[]);
    let token = platform.launch(&key, &started.nonce, |_| {});
    let launched = post_launch(&restarted, &token, &started.state, Some(&started.cookie)).await;
    assert_eq!(launched.status, StatusCode::SEE_OTHER, "{}", launched.body);
}

/// lti1p3platform (PyPI), a platform library written by others, logs in and launches a lesson
/// at the tool served on a real socket: the tool accepts what a real platform builds, and the
/// library accepts the tool's redirect (its checks of the preflight answer).
#[tokio::test]
async fn a_platform_library_written_by_others_launches_a_lesson() {
    let python = std::env::var("LTI_PLATFORM_PYTHON").unwrap_or_else(|_| {
        panic!("LTI_PLATFORM_PYTHON is not set: it names the Python of a venv with lti1p3platform, which `cargo xtask setup` makes (target/tools/lti-platform) and `cargo xtask test` passes")
    });
    assert!(
        Path::new(&python).exists(),
        "LTI_PLATFORM_PYTHON {python} does not exist: run `cargo xtask setup`"
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lti_platform.py");
    let keys = std::process::Command::new(&python)
        .args([script, "keys"])
        .output()
        .expect("run the platform library");
    assert!(
        keys.status.success(),
        "{}",
        String::from_utf8_lossy(&keys.stderr)
    );
    let keys: Value = serde_json::from_slice(&keys.stdout).expect("the library's keys");
    let platform = Platform::start().await;
    for key in keys["jwks"]["keys"].as_array().expect("keys") {
        platform.published.lock().expect("keys").push(key.clone());
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let origin = format!("http://{}", listener.local_addr().expect("address"));
    let (dist, data) = folders("lti-library");
    let registrations = platform.registrations(&dist);
    let state = AppState::new(&Config::parse_from([
        "relay",
        "--dist",
        &dist.display().to_string(),
        "--lti-registrations",
        &registrations.display().to_string(),
        "--public-url",
        &origin,
        "--data-dir",
        &data.display().to_string(),
    ]))
    .expect("the tool starts");
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(relay::serve(listener, state, stopped));

    let page = format!("{origin}/search.html");
    let (python, issuer, pem) = (
        python.clone(),
        platform.issuer.clone(),
        keys["pem"].as_str().expect("pem").to_owned(),
    );
    let (run_origin, run_page) = (origin.clone(), page.clone());
    let output = tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        let mut child = std::process::Command::new(&python)
            .args([
                script,
                "launch",
                &run_origin,
                &issuer,
                CLIENT_ID,
                DEPLOYMENT,
                &run_page,
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run the platform library");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(pem.as_bytes())
            .expect("the key");
        child.wait_with_output().expect("the library ends")
    })
    .await
    .expect("joined");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: Value = serde_json::from_slice(&output.stdout).expect("the library's report");
    assert_eq!(result["step"], "launch", "{result}");
    assert_eq!(result["status"], 303, "{result}");
    assert_eq!(
        result["location"],
        format!("{page}?embed=1&lti=1").as_str(),
        "{result}"
    );
    let auth = &result["auth_params"];
    assert_eq!(
        auth["redirect_uri"],
        format!("{origin}/lti/launch").as_str()
    );
    assert_eq!(auth["login_hint"], "learner-1");
    assert_eq!(auth["lti_message_hint"], "resource-link-1");
    assert_eq!(
        platform.fetches(),
        1,
        "the tool fetched the library's key set"
    );
}

/// The work an in-between page gives lti_pages.js (its JSON data block).
fn page_work(page: &Answer) -> Value {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("<script src=\"/lti/pages.js\">"),
        "{}",
        page.body
    );
    let marker = "id=\"lti-work\">";
    let start = page.body.find(marker).expect("the data block") + marker.len();
    let end = start + page.body[start..].find("</script>").expect("its end");
    serde_json::from_str(&page.body[start..end]).expect("JSON work")
}

/// Where the platform offers its postMessage storage (`lti_storage_target`), the login keeps
/// a secret there before it goes on; a launch whose cookie did not come back (Safari) gets a
/// page that reads the secret back and posts the launch again with it. The right secret
/// launches the lesson; a wrong or missing one is refused.
#[tokio::test]
async fn without_its_cookie_a_launch_is_checked_through_the_platforms_storage() {
    let platform = Platform::start().await;
    let key = platform.publish("k1");
    let (dist, data) = folders("lti-storage");
    let router = tool(&platform, &dist, &data, &[]);
    let script = send(&router, get("/lti/pages.js")).await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.contains("lti.put_data") && script.body.contains("lti.get_data"));

    let login_with_storage = || async {
        let uri = format!(
            "/lti/login?iss={}&login_hint=u&target_link_uri={}&client_id={CLIENT_ID}&lti_storage_target=_parent",
            wire::http::percent_encode(&platform.issuer),
            wire::http::percent_encode(&format!("{TOOL}/search.html")),
        );
        let page = send(&router, get(&uri)).await;
        let work = page_work(&page);
        let next = work["next"].as_str().expect("next").to_owned();
        assert!(
            next.starts_with(&format!("{}/auth?", platform.issuer)),
            "{next}"
        );
        let pairs = query(&next);
        assert_eq!(work["put"]["target"], "_parent");
        let state = value(&pairs, "state").expect("state").to_owned();
        assert_eq!(work["put"]["key"], format!("lti_state_{state}").as_str());
        let nonce = value(&pairs, "nonce").expect("nonce").to_owned();
        (
            state,
            nonce,
            work["put"]["value"].as_str().expect("secret").to_owned(),
        )
    };
    let storage_launch = |token: String, state: String, shown: Option<String>| {
        let router = router.clone();
        async move {
            let mut body = format!(
                "state={}&id_token={}",
                wire::http::percent_encode(&state),
                wire::http::percent_encode(&token)
            );
            if let Some(shown) = shown {
                body.push_str(&format!(
                    "&storage_value={}",
                    wire::http::percent_encode(&shown)
                ));
            }
            let request = Request::post("/lti/launch")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("request");
            send(&router, request).await
        }
    };

    let (state, nonce, secret) = login_with_storage().await;
    let token = platform.launch(&key, &nonce, |_| {});
    // No cookie: the page that reads the secret back, with what it posts again.
    let check = storage_launch(token.clone(), state.clone(), None).await;
    let work = page_work(&check);
    assert_eq!(work["get"]["key"], format!("lti_state_{state}").as_str());
    assert_eq!(
        work["launch"]["action"],
        format!("{TOOL}/lti/launch").as_str()
    );
    assert_eq!(work["launch"]["state"], state.as_str());
    // A wrong secret: refused, and the login is spent.
    let (state2, nonce2, _) = login_with_storage().await;
    let token2 = platform.launch(&key, &nonce2, |_| {});
    let wrong = storage_launch(token2, state2, Some("not-the-secret".into())).await;
    assert_refused(&wrong, "did not send back this launch's cookie");
    // An empty one (the platform did not answer): refused.
    let (state3, nonce3, _) = login_with_storage().await;
    let token3 = platform.launch(&key, &nonce3, |_| {});
    let silent = storage_launch(token3, state3, Some(String::new())).await;
    assert_refused(&silent, "did not send back this launch's cookie");
    // The secret read back: the lesson opens.
    let launched = storage_launch(token, state, Some(secret)).await;
    assert_eq!(launched.status, StatusCode::SEE_OTHER, "{}", launched.body);
    assert_eq!(
        launched.headers[header::LOCATION],
        format!("{TOOL}/search.html?embed=1&lti=1").as_str()
    );
}

/// An instructor's deep-linking request: the picker, then the signed answer with one resource
/// link and a line item per chosen lesson, posted back to the platform; a request answers
/// once, and a choice the request does not take can be made again.
#[tokio::test]
async fn an_instructor_picks_lessons_and_the_platform_gets_signed_links() {
    let platform = Platform::start().await;
    let key = platform.publish("k1");
    let (dist, data) = folders("lti-deep-link");
    let router = tool(&platform, &dist, &data, &[]);
    let return_url = format!("{}/dl-return?course=1", platform.issuer);
    let picker = |accept_multiple: bool| {
        let router = router.clone();
        let platform = platform.clone();
        let return_url = return_url.clone();
        let key = PlatformKey {
            key: ToolKey::from_pem(key.key.pem()).expect("key"),
            kid: "k1".into(),
        };
        async move {
            let started = login(&router, &platform).await;
            let token = platform.launch(&key, &started.nonce, |c| {
                let claims = c.as_object_mut().expect("claims");
                claims.remove("https://purl.imsglobal.org/spec/lti/claim/resource_link");
                claims.insert(
                    "https://purl.imsglobal.org/spec/lti/claim/message_type".into(),
                    json!("LtiDeepLinkingRequest"),
                );
                claims.insert(
                    "https://purl.imsglobal.org/spec/lti/claim/target_link_uri".into(),
                    json!(format!("{TOOL}/")),
                );
                claims.insert(
                    "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings".into(),
                    json!({"deep_link_return_url": return_url, "accept_types": ["ltiResourceLink"],
                           "accept_multiple": accept_multiple, "data": {"course": "c1"}}),
                );
            });
            let page = post_launch(&router, &token, &started.state, Some(&started.cookie)).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            let marker = r#"name="dl" value=""#;
            let start = page.body.find(marker).expect("the request's id") + marker.len();
            let end = start + page.body[start..].find('"').expect("its end");
            let id = page.body[start..end].to_owned();
            assert!(id.len() >= 40, "{}", page.body);
            id
        }
    };
    let choose = |id: String, lessons: &'static [&'static str]| {
        let router = router.clone();
        async move {
            let mut body = format!("dl={id}");
            for lesson in lessons {
                body.push_str(&format!("&lesson={lesson}"));
            }
            let request = Request::post("/lti/deep-link")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("request");
            send(&router, request).await
        }
    };

    let id = picker(true).await;
    let answer = choose(id.clone(), &["token", "search"]).await;
    let work = page_work(&answer);
    assert_eq!(work["post"]["action"], return_url.as_str());
    let csp = answer.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("text");
    assert!(
        csp.contains(&format!("form-action 'self' {}", platform.issuer)),
        "{csp}"
    );
    // The answer verifies with the tool's published key.
    let jwt = work["post"]["fields"]["JWT"].as_str().expect("a JWT");
    let keys: jsonwebtoken::jwk::JwkSet =
        serde_json::from_str(&send(&router, get("/lti/jwks.json")).await.body).expect("JWKS");
    let kid = jsonwebtoken::decode_header(jwt)
        .expect("header")
        .kid
        .expect("kid");
    let public =
        jsonwebtoken::DecodingKey::from_jwk(keys.find(&kid).expect("published")).expect("key");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[&platform.issuer]);
    validation.set_issuer(&[CLIENT_ID]);
    let claims = jsonwebtoken::decode::<Value>(jwt, &public, &validation)
        .expect("a valid answer")
        .claims;
    assert_eq!(
        claims["https://purl.imsglobal.org/spec/lti/claim/message_type"],
        "LtiDeepLinkingResponse"
    );
    assert_eq!(
        claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"],
        DEPLOYMENT
    );
    assert_eq!(
        claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"],
        json!({"course": "c1"})
    );
    let items = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
        .as_array()
        .expect("items");
    let links: Vec<(&str, &str, &Value)> = items
        .iter()
        .map(|i| {
            (
                i["url"].as_str().unwrap_or(""),
                i["title"].as_str().unwrap_or(""),
                &i["lineItem"],
            )
        })
        .collect();
    assert_eq!(
        links,
        vec![
            (
                &*format!("{TOOL}/"),
                "Get a token",
                &json!({"scoreMaximum": 1, "label": "Get a token", "resourceId": "token"})
            ),
            (
                &*format!("{TOOL}/search.html"),
                "Search",
                &json!({"scoreMaximum": 1, "label": "Search", "resourceId": "search"})
            ),
        ]
    );
    // Once only.
    assert_refused(&choose(id, &["token"]).await, "sent already");
    // A request for one link: two lessons are refused, and one can then be chosen.
    let id = picker(false).await;
    assert_refused(
        &choose(id.clone(), &["token", "search"]).await,
        "choose one lesson",
    );
    assert_refused(&choose(id.clone(), &["nope"]).await, "no lesson \"nope\"");
    let one = choose(id, &["search"]).await;
    assert_eq!(page_work(&one)["post"]["action"], return_url.as_str());
}

/// The tool's state (to run its score sender beside its routes), with the platform told the
/// tool's published keys.
async fn graded_tool(platform: &Platform, dist: &Path, data: &Path) -> (AppState, axum::Router) {
    graded_tool_with(platform, dist, data, &[]).await
}

async fn graded_tool_with(
    platform: &Platform,
    dist: &Path,
    data: &Path,
    extra: &[&str],
) -> (AppState, axum::Router) {
    let registrations = platform.registrations(dist);
    let mut args = vec![
        "relay",
        "--dist",
        dist.to_str().expect("path"),
        "--lti-registrations",
        registrations.to_str().expect("path"),
        "--public-url",
        TOOL,
        "--data-dir",
        data.to_str().expect("path"),
        "--lti-score-retry",
        "1",
    ];
    args.extend_from_slice(extra);
    let state = AppState::new(&Config::parse_from(args)).expect("the tool starts");
    let router = app(state.clone());
    let keys: lti::JwkSet =
        serde_json::from_str(&send(&router, get("/lti/jwks.json")).await.body).expect("JWKS");
    *platform.ags.tool_keys.lock().expect("keys") = Some(keys);
    (state, router)
}

/// Starts the tool's score sender; it stops when the returned sender is dropped or sends.
fn deliver_scores(state: &AppState) -> tokio::sync::watch::Sender<bool> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let lti = state.lti.clone().expect("the tool");
    tokio::spawn(relay::grading::deliver(lti, stopped));
    stop
}

/// A graded launch of the first lesson for `user`, scored at line item 7: the session the page
/// gets in the URL's fragment.
async fn graded_launch(
    router: &axum::Router,
    platform: &Platform,
    key: &PlatformKey,
    user: &str,
) -> String {
    let started = login(router, platform).await;
    let lineitem = format!("{}/lineitems/7?type_id=1", platform.issuer);
    let token = platform.launch(key, &started.nonce, |claims| {
        claims["sub"] = json!(user);
        claims["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"] =
            json!(format!("{TOOL}/"));
        claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = json!({
            "scope": [lti::SCORE_SCOPE, "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"],
            "lineitem": lineitem,
        });
    });
    let launched = post_launch(router, &token, &started.state, Some(&started.cookie)).await;
    assert_eq!(launched.status, StatusCode::SEE_OTHER, "{}", launched.body);
    let location = launched.headers[header::LOCATION].to_str().expect("text");
    let session = location
        .strip_prefix(&format!("{TOOL}/?embed=1&lti=1#lti="))
        .unwrap_or_else(|| panic!("a graded launch's location: {location}"));
    assert!(session.len() >= 40, "{location}");
    session.to_owned()
}

/// What a graded page's runs send: the sandbox over HTTP, with the session's header.
async fn as_page(
    router: &axum::Router,
    session: Option<&str>,
    path: &str,
    authorization: &str,
) -> Answer {
    let method = if path.contains("/accounts/") {
        "POST"
    } else {
        "GET"
    };
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, authorization);
    if let Some(session) = session {
        request = request.header(wire::LTI_SESSION_HEADER, session);
    }
    send(router, request.body(Body::empty()).expect("request")).await
}

const TOKEN_PATH: &str = "/sandbox/accounts/api/token?grant_type=client_credentials";
const VALIDATE_PATH: &str = "/sandbox/api/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V";

fn basic() -> String {
    format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!(
                "{}:{}",
                sandbox::SANDBOX_CLIENT_ID,
                sandbox::SANDBOX_CLIENT_SECRET
            )
        )
    )
}

/// The first lesson, done as the page does it: a token, then the validate call with it.
async fn do_the_token_lesson(router: &axum::Router, session: Option<&str>) -> String {
    let issued = as_page(router, session, TOKEN_PATH, &basic()).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    let token = issued.json()["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let validated = as_page(router, session, VALIDATE_PATH, &format!("Bearer {token}")).await;
    assert_eq!(validated.status, StatusCode::OK, "{}", validated.body);
    token
}

/// Waits for the platform's first score, and checks that it is the only one, for `user`.
async fn one_score_for(ags: &Ags, user: &str) {
    wait_for("the score", || {
        !ags.scores.lock().expect("scores").is_empty()
    })
    .await;
    let scores = ags.scores.lock().expect("scores").clone();
    assert_eq!(scores.len(), 1, "{scores:?}");
    assert_eq!(scores[0].1["userId"], user);
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..300 {
        if done() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("waited 30 s for {what}");
}

#[tokio::test]
async fn a_lesson_the_server_saw_done_is_scored_once_through_an_outage_and_a_restart() {
    let platform = Platform::start().await;
    let key = platform.publish("k1");
    let (dist, data) = folders("lti-graded");
    let ags = platform.ags.clone();
    ags.down.store(true, Ordering::SeqCst);

    let (state, router) = graded_tool(&platform, &dist, &data).await;
    let stop = deliver_scores(&state);
    let session = graded_launch(&router, &platform, &key, "learner-1").await;
    do_the_token_lesson(&router, Some(&session)).await;

    // The platform is down: the score is tried, refused, and tried again.
    wait_for("two refused tries", || {
        ags.refused.load(Ordering::SeqCst) >= 2
    })
    .await;
    assert!(ags.scores.lock().expect("scores").is_empty());
    assert_eq!(
        ags.tokens.load(Ordering::SeqCst),
        1,
        "the platform's token is kept between tries"
    );

    // The server restarts; the platform comes back; the score arrives, once.
    let _ = stop.send(true);
    drop((state, router));
    let (state, router) = graded_tool(&platform, &dist, &data).await;
    let _stop = deliver_scores(&state);
    ags.down.store(false, Ordering::SeqCst);
    wait_for("the score", || {
        !ags.scores.lock().expect("scores").is_empty()
    })
    .await;
    let scores = ags.scores.lock().expect("scores").clone();
    assert_eq!(scores.len(), 1, "{scores:?}");
    let (path, score) = &scores[0];
    assert_eq!(path, "/lineitems/7/scores?type_id=1");
    assert_eq!(score["userId"], "learner-1");
    assert_eq!(
        (score["scoreGiven"].as_f64(), score["scoreMaximum"].as_f64()),
        (Some(1.0), Some(1.0))
    );
    assert_eq!(score["activityProgress"], "Completed");
    assert_eq!(score["gradingProgress"], "FullyGraded");
    assert!(
        score["timestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z') && t.len() >= 20),
        "{score}"
    );
    assert_eq!(
        ags.tokens.load(Ordering::SeqCst),
        2,
        "one more platform token after the restart"
    );

    // The lesson done again, in a new launch by the same learner: still one score. Another
    // learner's completion is the positive control: the sender still runs.
    let again = graded_launch(&router, &platform, &key, "learner-1").await;
    do_the_token_lesson(&router, Some(&again)).await;
    let other = graded_launch(&router, &platform, &key, "learner-2").await;
    do_the_token_lesson(&router, Some(&other)).await;
    wait_for("the second learner's score", || {
        ags.scores.lock().expect("scores").len() >= 2
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let users: Vec<Value> = ags
        .scores
        .lock()
        .expect("scores")
        .iter()
        .map(|(_, s)| s["userId"].clone())
        .collect();
    assert_eq!(users, [json!("learner-1"), json!("learner-2")]);
    assert_eq!(
        *ags.problems.lock().expect("problems"),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_page_that_only_claims_the_lesson_done_earns_nothing() {
    let platform = Platform::start().await;
    let key = platform.publish("k1");
    let (dist, data) = folders("lti-forged");
    let ags = platform.ags.clone();
    let (state, router) = graded_tool(&platform, &dist, &data).await;
    let _stop = deliver_scores(&state);
    let session = graded_launch(&router, &platform, &key, "learner-1").await;

    // The lesson done without the session: answered, not counted.
    do_the_token_lesson(&router, None).await;
    // A made-up session: refused, with what to do.
    for made_up in ["", "not-a-session", &format!("{session}x")] {
        let refused = as_page(&router, Some(made_up), TOKEN_PATH, &basic()).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert!(
            refused
                .body
                .contains("Open the lesson again from your course"),
            "{}",
            refused.body
        );
        assert!(!refused.body.contains(&session));
    }
    // A token issued to another session (or to none): refused as Spotify refuses a token it
    // does not know, so the page gets a new one.
    let other = graded_launch(&router, &platform, &key, "learner-2").await;
    let issued = as_page(&router, Some(&other), TOKEN_PATH, &basic()).await;
    let foreign = issued.json()["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let ungraded = as_page(&router, None, TOKEN_PATH, &basic()).await.json()["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    for token in [&foreign, &ungraded] {
        let refused = as_page(
            &router,
            Some(&session),
            VALIDATE_PATH,
            &format!("Bearer {token}"),
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    }
    // A call to another endpoint than the cell's, with this session's own token: counted
    // for nothing.
    let own = as_page(&router, Some(&session), TOKEN_PATH, &basic())
        .await
        .json()["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let elsewhere = as_page(
        &router,
        Some(&session),
        "/sandbox/api/v1/search?q=the&type=artist",
        &format!("Bearer {own}"),
    )
    .await;
    assert_eq!(elsewhere.status, StatusCode::OK, "{}", elsewhere.body);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert!(
        ags.scores.lock().expect("scores").is_empty(),
        "nothing earned yet"
    );

    // The positive control: the validate call with the session's own token completes it.
    let validated = as_page(
        &router,
        Some(&session),
        VALIDATE_PATH,
        &format!("Bearer {own}"),
    )
    .await;
    assert_eq!(validated.status, StatusCode::OK, "{}", validated.body);
    one_score_for(&ags, "learner-1").await;
    assert_eq!(
        *ags.problems.lock().expect("problems"),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_launch_without_a_line_item_opens_the_lesson_ungraded() {
    let platform = Platform::start().await;
    let key = platform.publish("k1");
    let (dist, data) = folders("lti-ungraded");
    let router = tool(&platform, &dist, &data, &[]);
    let started = login(&router, &platform).await;
    // The score scope is missing: the platform does not take scores from this launch.
    let token = platform.launch(&key, &started.nonce, |claims| {
        claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = json!({
            "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"],
            "lineitem": format!("{}/lineitems/7", platform.issuer),
        });
    });
    let launched = post_launch(&router, &token, &started.state, Some(&started.cookie)).await;
    assert_eq!(launched.status, StatusCode::SEE_OTHER, "{}", launched.body);
    assert_eq!(
        launched.headers[header::LOCATION],
        format!("{TOOL}/search.html?embed=1&lti=1").as_str()
    );
}

/// Real Spotify, as far as the relay goes: a token endpoint that issues a new token each
/// time, and a Web API that answers 200 to its tokens. On a socket; its base URL.
async fn spotify_double() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let issued = Arc::new(AtomicUsize::new(0));
    let router = axum::Router::new()
        .route(
            "/api/token",
            axum::routing::post(move || {
                let n = issued.fetch_add(1, Ordering::SeqCst);
                async move {
                    axum::Json(json!({"access_token": format!("BQreal{n}"), "token_type": "Bearer", "expires_in": 3600}))
                }
            }),
        )
        .route(
            "/v1/{*rest}",
            axum::routing::get(|headers: axum::http::HeaderMap| async move {
                let bearer = headers
                    .get(header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                if bearer.starts_with("Bearer BQreal") {
                    axum::Json(json!({"id": "2TpxZ7JUBn3uw46aR7qd6V"})).into_response()
                } else {
                    StatusCode::UNAUTHORIZED.into_response()
                }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

/// What a graded page sends when its target is real Spotify: this server's relay, with the
/// session.
async fn through_relay(
    router: &axum::Router,
    session: &str,
    url: &str,
    authorization: &str,
) -> Answer {
    let method = if url.contains("accounts.") {
        "POST"
    } else {
        "GET"
    };
    let request = Request::builder()
        .method(method)
        .uri(format!("/relay/{url}"))
        .header(header::AUTHORIZATION, authorization)
        .header(wire::LTI_SESSION_HEADER, session)
        .body(Body::empty())
        .expect("request");
    send(router, request).await
}

#[tokio::test]
async fn real_spotify_through_the_relay_counts_in_a_graded_launch() {
    let platform = Platform::start().await;
    let key = platform.publish("k1");
    let (dist, data) = folders("lti-graded-relay");
    let spotify = spotify_double().await;
    let ags = platform.ags.clone();
    let (state, router) = graded_tool_with(
        &platform,
        &dist,
        &data,
        &[
            "--spotify-accounts-url",
            &spotify,
            "--spotify-api-url",
            &spotify,
        ],
    )
    .await;
    let _stop = deliver_scores(&state);
    let session = graded_launch(&router, &platform, &key, "learner-1").await;
    let token_url = "https://accounts.spotify.com/api/token?grant_type=client_credentials";
    let track_url = "https://api.spotify.com/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V";

    // A real token from before this launch: refused as Spotify refuses a token it does not
    // know, so the page gets a new one in this launch.
    let before = through_relay(&router, &session, track_url, "Bearer BQreal-earlier").await;
    assert_eq!(before.status, StatusCode::UNAUTHORIZED, "{}", before.body);
    let issued = through_relay(&router, &session, token_url, "Basic aWQ6c2VjcmV0").await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    let token = issued.json()["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert!(
        ags.scores.lock().expect("scores").is_empty(),
        "half the lesson earns nothing"
    );
    let validated = through_relay(&router, &session, track_url, &format!("Bearer {token}")).await;
    assert_eq!(validated.status, StatusCode::OK, "{}", validated.body);
    one_score_for(&ags, "learner-1").await;

    // A made-up session is refused before anything is sent to Spotify.
    let refused = through_relay(&router, "made-up", token_url, "Basic aWQ6c2VjcmV0").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(
        *ags.problems.lock().expect("problems"),
        Vec::<String>::new()
    );
}
