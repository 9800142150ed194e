//! The playground's server: static page files, security headers, and the sandbox over HTTP.
//!
//! `app(state)` builds the whole router so tests can call it with `oneshot`, without a socket.
//! Logs hold method, path, status and duration only: never query strings, headers or bodies,
//! which carry client secrets and tokens.

// A native server: the wasm32-only ban on reading the clock does not apply. The sandbox still
// takes its time as an argument, from `now()` below.
#![allow(clippy::disallowed_methods)]

pub mod clients;
pub mod connections;
pub mod destination;
pub mod grading;
pub mod lti_routes;
pub mod proxy;
mod sandbox_routes;
pub mod store;

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::timeout::RequestBodyTimeoutLayer;

/// Largest request body the server reads (the sandbox's token requests are tiny).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Server configuration, parsed once in `main`.
#[derive(Clone, Debug, clap::Parser)]
#[command(
    name = "relay",
    version,
    about = "Serves the Spotify playground page and the Spotify sandbox."
)]
pub struct Config {
    /// Address and port to listen on. Use port 0 to pick a free port.
    #[arg(long, env = "PLAYGROUND_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Folder with the built page (`cargo xtask dist` writes it).
    #[arg(long, env = "PLAYGROUND_DIST", default_value = "dist")]
    pub dist: PathBuf,
    /// Lifetime in seconds of tokens issued by the sandbox at /sandbox/ (Spotify's is 3600).
    #[arg(long, env = "PLAYGROUND_SANDBOX_TOKEN_LIFETIME", default_value_t = wire::DEFAULT_TOKEN_LIFETIME)]
    pub sandbox_token_lifetime: u64,
    /// Where the relay sends token requests. Change it only for test doubles or offline demos
    /// (for example http://127.0.0.1:8080/sandbox/accounts); never settable by a request.
    #[arg(long, env = "SPOTIFY_ACCOUNTS_URL", default_value = proxy::DEFAULT_ACCOUNTS_URL)]
    pub spotify_accounts_url: String,
    /// Where the relay sends Web API requests (for example http://127.0.0.1:8080/sandbox/api).
    #[arg(long, env = "SPOTIFY_API_URL", default_value = proxy::DEFAULT_API_URL)]
    pub spotify_api_url: String,
    /// An origin (scheme://host[:port]) whose pages may use the relay, besides this server's
    /// own. Exact match; repeat the flag for more.
    #[arg(
        long = "allow-origin",
        env = "PLAYGROUND_ALLOW_ORIGINS",
        value_delimiter = ','
    )]
    pub allow_origins: Vec<String>,
    /// Seconds to wait for Spotify before answering relay_upstream_timeout (504).
    #[arg(long, env = "PLAYGROUND_UPSTREAM_TIMEOUT", default_value_t = 10)]
    pub upstream_timeout: u64,
    /// Largest request body the relay forwards, in bytes (relay_body_too_large, 413).
    #[arg(long, env = "PLAYGROUND_MAX_BODY_BYTES", default_value_t = MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// Largest upstream answer the relay passes back, in bytes (relay_response_too_large, 502).
    #[arg(long, env = "PLAYGROUND_MAX_RESPONSE_BYTES", default_value_t = 1024 * 1024)]
    pub max_response_bytes: usize,
    /// Token requests per minute per client IP (relay_rate_limited, 429). Cannot be off.
    #[arg(long, env = "PLAYGROUND_TOKEN_RATE", default_value = "20")]
    pub token_requests_per_minute: NonZeroU32,
    /// Web API requests per minute per client IP (relay_rate_limited, 429). Cannot be off.
    #[arg(long, env = "PLAYGROUND_API_RATE", default_value = "120")]
    pub api_requests_per_minute: NonZeroU32,
    /// An origin of another relay that pages from this server may use (their Settings or
    /// `?relay=`), added to the page's CSP connect-src. Repeat for more. Without it, the page
    /// can only reach this server's own relay: a link cannot send secrets elsewhere.
    #[arg(
        long = "connect-src",
        env = "PLAYGROUND_CONNECT_SRC",
        value_delimiter = ','
    )]
    pub connect_src: Vec<String>,
    /// Who may embed the page in an iframe: an origin such as https://course.example, or
    /// 'self' or 'none'. Repeat for more. Default: 'self' only; browsers refuse the others.
    #[arg(
        long = "frame-ancestors",
        env = "PLAYGROUND_FRAME_ANCESTORS",
        value_delimiter = ',',
        default_value = "'self'"
    )]
    pub frame_ancestors: Vec<String>,
    /// Requests to the sandbox over HTTP (/sandbox/) per minute per client IP, answered as
    /// Spotify's 429 with Retry-After past it. Cannot be off.
    #[arg(long, env = "PLAYGROUND_SANDBOX_RATE", default_value = "600")]
    pub sandbox_requests_per_minute: NonZeroU32,
    /// How many sandbox requests one client may send at once, before the per-minute rate
    /// refills its budget (a class behind one address starts a lesson together).
    #[arg(long, env = "PLAYGROUND_SANDBOX_BURST", default_value = "100")]
    pub sandbox_burst: NonZeroU32,
    /// Behind a trusted reverse proxy: the header holding the client's IP (for example
    /// x-forwarded-for, whose last entry the proxy appends, or x-real-ip). It is read only
    /// from peers inside a --trusted-proxy network, which it requires.
    #[arg(long, env = "PLAYGROUND_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,
    /// A reverse proxy's address or network (for example 127.0.0.1 or 10.0.0.0/8) whose
    /// --client-ip-header is believed, and whose connections do not count against the cap
    /// per address. Repeat for more.
    #[arg(
        long = "trusted-proxy",
        env = "PLAYGROUND_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,
    /// Seconds a client has to send a request's headers, from their first byte; then the
    /// connection is closed.
    #[arg(long, env = "PLAYGROUND_HEADER_READ_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout: u64,
    /// Seconds a connection may sit with nothing read or written (a keep-alive between
    /// requests, a silent client, one that stopped reading its answer); then it is closed.
    #[arg(long, env = "PLAYGROUND_IDLE_TIMEOUT", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout: u64,
    /// Seconds the server gives itself to write one whole answer; a client that reads more
    /// slowly is closed (bytes trickling out do not count as activity here).
    #[arg(long, env = "PLAYGROUND_SEND_TIMEOUT", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub send_timeout: u64,
    /// Seconds a client has to send a whole request body to the relay or the sandbox
    /// (relay_body_timeout, 408).
    #[arg(long, env = "PLAYGROUND_BODY_READ_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub body_read_timeout: u64,
    /// Most connections open at once; past it, new ones get 503 with Retry-After and are
    /// closed. Default: half the open-file limit left after a reserve of 64, at most 10,000;
    /// never more than that.
    #[arg(long, env = "PLAYGROUND_MAX_CONNECTIONS", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: Option<u64>,
    /// Most connections open at once from one client address (an IPv6 client's /64).
    /// Default: a quarter of --max-connections. A --trusted-proxy's connections count only
    /// against --max-connections.
    #[arg(long, env = "PLAYGROUND_MAX_CONNECTIONS_PER_IP", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections_per_ip: Option<u64>,
    /// The LTI 1.3 platforms (learning management systems) that may launch lessons: a JSON
    /// file the operator writes (docs/lti.md). Without it, /lti/ is off.
    #[arg(long, env = "PLAYGROUND_LTI_REGISTRATIONS")]
    pub lti_registrations: Option<PathBuf>,
    /// This server's public origin, as learners and platforms reach it (for example
    /// https://playground.example). Required with --lti-registrations.
    #[arg(long, env = "PLAYGROUND_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Where the server keeps what outlives a restart: the LTI signing keys (lti-keys/) and
    /// its database (playground.sqlite).
    #[arg(long, env = "PLAYGROUND_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Makes a new LTI signing key at start; it signs from then on, and the older keys stay
    /// published until their files are removed (docs/lti.md, "Keys").
    #[arg(long)]
    pub lti_new_key: bool,
    /// Seconds before a score the platform did not take is sent again; each later try waits
    /// twice as long, at most an hour. Scores wait in the database across restarts.
    #[arg(long, env = "PLAYGROUND_LTI_SCORE_RETRY", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub lti_score_retry: u64,
}

/// Shared, read-only state.
#[derive(Clone)]
pub struct AppState {
    pub sandbox: sandbox::Sandbox,
    /// The Content-Security-Policy sent with every page response.
    pub csp: HeaderValue,
    pub dist: PathBuf,
    pub relay: Arc<proxy::Relay>,
    /// Open connections and their caps (`/readyz` reports them).
    pub connections: Arc<connections::Connections>,
    /// Who a request comes from.
    pub clients: Arc<clients::Clients>,
    /// What each client may still spend.
    pub budgets: Arc<clients::Budgets>,
    /// The lessons' ids in course order, to serve the page a `?lesson=` link names.
    pub lessons: Arc<Vec<String>>,
    pub timeouts: connections::Timeouts,
    pub body_read_timeout: Duration,
    /// The LTI tool, when platforms are registered.
    pub lti: Option<Arc<lti_routes::Lti>>,
}

/// Why the server could not start.
#[derive(Debug)]
pub enum StartError {
    /// The page has not been built.
    MissingDist(PathBuf),
    /// A flag's value is unusable; the text says which and why.
    BadConfig(String),
    Io(std::io::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::MissingDist(dist) => write!(
                f,
                "{} has no index.html. Build the page first with `cargo xtask dist`, or pass --dist.",
                dist.display()
            ),
            StartError::BadConfig(message) => write!(f, "{message}"),
            StartError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for StartError {}

impl AppState {
    /// Reads `dist/index.html` once to allow exactly its inline scripts in the CSP.
    pub fn new(config: &Config) -> Result<Self, StartError> {
        let index = config.dist.join("index.html");
        let html = std::fs::read_to_string(&index)
            .map_err(|_| StartError::MissingDist(config.dist.clone()))?;
        let relay = proxy::Relay::new(proxy::RelaySettings {
            accounts_base: upstream_base("--spotify-accounts-url", &config.spotify_accounts_url)?,
            api_base: upstream_base("--spotify-api-url", &config.spotify_api_url)?,
            // An exact origin each: `null` (any sandboxed frame or data: page), `*`, paths
            // and queries are refused; case and a bare trailing slash are normalised.
            allow_origins: origins("--allow-origin", &config.allow_origins, &[])?,
            timeout: Duration::from_secs(config.upstream_timeout.max(1)),
            body_timeout: Duration::from_secs(config.body_read_timeout),
            max_body_bytes: config.max_body_bytes,
            max_response_bytes: config.max_response_bytes,
        })
        .map_err(StartError::BadConfig)?;
        let header = config
            .client_ip_header
            .as_deref()
            .map(|name| {
                axum::http::HeaderName::try_from(name.trim()).map_err(|_| {
                    StartError::BadConfig(format!(
                        "--client-ip-header {name:?} is not a header name"
                    ))
                })
            })
            .transpose()?;
        let proxies = config
            .trusted_proxies
            .iter()
            .map(|p| clients::parse_network(p))
            .collect::<Result<Vec<_>, _>>()
            .map_err(StartError::BadConfig)?;
        let clients = clients::Clients::new(header, proxies).map_err(StartError::BadConfig)?;
        let budgets = clients::Budgets::new(
            clients::Rate::per_minute(config.token_requests_per_minute),
            clients::Rate::per_minute(config.api_requests_per_minute),
            clients::Rate {
                per_minute: config.sandbox_requests_per_minute,
                burst: config.sandbox_burst,
            },
        );
        let lessons = Arc::new(lesson_ids(&config.dist));
        let lti = match &config.lti_registrations {
            None => None,
            Some(file) => {
                let public_url = config.public_url.as_deref().ok_or_else(|| {
                    StartError::BadConfig(
                        "--lti-registrations needs --public-url, this server's origin as platforms reach it (for example https://playground.example)".into(),
                    )
                })?;
                Some(Arc::new(
                    lti_routes::Lti::start(lti_routes::LtiSettings {
                        registrations_file: file,
                        data_dir: &config.data_dir,
                        public_url,
                        new_key: config.lti_new_key,
                        dist: &config.dist,
                        retry: Duration::from_secs(config.lti_score_retry),
                    })
                    .map_err(StartError::BadConfig)?,
                ))
            }
        };
        // The registered platforms frame the lessons they launch.
        let mut ancestors = config.frame_ancestors.clone();
        if let Some(lti) = &lti {
            ancestors.extend(lti.frame_origins());
        }
        Ok(Self {
            sandbox: sandbox::Sandbox::with_token_lifetime(config.sandbox_token_lifetime)
                .with_catalog(sandbox::Catalog::builtin()),
            csp: content_security_policy(
                &html,
                &origins("--connect-src", &config.connect_src, &[])?,
                &origins("--frame-ancestors", &ancestors, &["'self'", "'none'"])?,
            ),
            lessons,
            lti,
            dist: config.dist.clone(),
            relay: Arc::new(relay),
            connections: connection_caps(config, &clients),
            clients: Arc::new(clients),
            budgets: Arc::new(budgets),
            timeouts: connections::Timeouts {
                header_read: Duration::from_secs(config.header_read_timeout),
                idle: Duration::from_secs(config.idle_timeout),
                send: Duration::from_secs(config.send_timeout),
            },
            body_read_timeout: Duration::from_secs(config.body_read_timeout),
        })
    }
}

/// The lessons' files in `dist/content/`, named `<number>-<id>.json` (the build checks the
/// names), with their ids, in course order.
pub(crate) fn lesson_files(dist: &std::path::Path) -> Vec<(String, PathBuf)> {
    let mut names: Vec<String> = std::fs::read_dir(dist.join("content"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|name| name.ends_with(".json"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
        .into_iter()
        .filter_map(|name| {
            let id = name.strip_suffix(".json")?.split_once('-')?.1.to_owned();
            Some((id, dist.join("content").join(&name)))
        })
        .collect()
}

/// The lessons' ids, in course order ([`lesson_files`]).
fn lesson_ids(dist: &std::path::Path) -> Vec<String> {
    lesson_files(dist).into_iter().map(|(id, _)| id).collect()
}

/// The page a request for the site's index asks for with `?lesson=<id>`, the older form of a
/// lesson's link: that lesson's own page (`/<id>.html`, which the build prerendered), so that
/// old links read before the page's code has loaded, as new ones do. The query is kept.
fn lesson_page_path(lessons: &[String], path: &str, query: Option<&str>) -> Option<String> {
    if path != "/" && path != "/index.html" {
        return None;
    }
    // Read as the page reads it (`params::lesson`): the last `lesson` wins.
    let (_, asked) = wire::http::parse_form(query?)
        .into_iter()
        .rfind(|(name, _)| name == "lesson")?;
    // The first lesson's page is the index itself.
    let known = lessons.iter().skip(1).find(|id| **id == asked)?;
    Some(format!("/{known}.html"))
}

/// Serves `?lesson=` links from the lesson's own page (`lesson_page_path`).
async fn lesson_pages(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let uri = request.uri();
    if let Some(path) = lesson_page_path(&state.lessons, uri.path(), uri.query()) {
        let path_and_query = match uri.query() {
            Some(query) => format!("{path}?{query}"),
            None => path,
        };
        if let Ok(uri) = axum::http::Uri::builder()
            .path_and_query(path_and_query)
            .build()
        {
            *request.uri_mut() = uri;
        }
    }
    next.run(request).await
}

/// The connection caps: the flags, or defaults sized below the open-file limit. A flag above
/// the safe cap is lowered to it, so the server always keeps descriptors for files and
/// upstream sockets.
fn connection_caps(config: &Config, clients: &clients::Clients) -> Arc<connections::Connections> {
    let safe = connections::safe_max(connections::fd_limit().unwrap_or(1024));
    let asked = config
        .max_connections
        .map(|m| usize::try_from(m).unwrap_or(usize::MAX));
    let max = asked.map_or(safe, |m| m.min(safe));
    if asked.is_some_and(|m| m > safe) {
        tracing::warn!(
            asked = config.max_connections,
            max,
            "--max-connections lowered to fit the open-file limit"
        );
    }
    let per_client = config.max_connections_per_ip.map_or_else(
        || connections::default_per_client(max),
        |m| usize::try_from(m).unwrap_or(usize::MAX),
    );
    connections::Connections::new(max, per_client, clients.clone())
}

/// An upstream base URL: `http(s)://host[:port][/path]`, kept without a trailing slash.
fn upstream_base(flag: &str, url: &str) -> Result<String, StartError> {
    let trimmed = url.trim_end_matches('/');
    let valid = (trimmed.starts_with("https://") || trimmed.starts_with("http://"))
        && !trimmed.contains(['?', '#', ' ']);
    if valid {
        Ok(trimmed.to_owned())
    } else {
        Err(StartError::BadConfig(format!(
            "{flag} must be an http(s) URL without query, such as https://accounts.spotify.com (got {url:?})"
        )))
    }
}

/// A CSP that allows the page's own files, WebAssembly compilation, the exact inline loader
/// script Trunk writes (by hash), and workers from `blob:` URLs (each run of a code cell is
/// one, built by the page), and nothing else.
pub fn content_security_policy(
    index_html: &str,
    relay_origins: &[String],
    frame_ancestors: &[String],
) -> HeaderValue {
    let hashes: String = inline_scripts(index_html)
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    let relays: String = relay_origins.iter().map(|o| format!(" {o}")).collect();
    let ancestors = frame_ancestors.join(" ");
    let policy = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self' https://accounts.spotify.com https://api.spotify.com{relays}; \
         worker-src blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors {ancestors}"
    );
    HeaderValue::from_str(&policy).expect("the policy is ASCII without control characters")
}

/// Checks origin-list flags: each value an origin, `http(s)://host[:port]`, or one of the
/// `keywords`, nothing more, so that no value can add other CSP directives.
fn origins(flag: &str, values: &[String], keywords: &[&str]) -> Result<Vec<String>, StartError> {
    values
        .iter()
        .map(|value| {
            let origin = value.trim().trim_end_matches('/');
            if keywords.contains(&origin) {
                return Ok(origin.to_owned());
            }
            // Browsers send the scheme and host in lower case.
            let origin = origin.to_ascii_lowercase();
            let host = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            let valid = host.is_some_and(|h| {
                !h.is_empty()
                    && h.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
            });
            if valid {
                Ok(origin)
            } else {
                Err(StartError::BadConfig(format!(
                    "{flag} takes an origin such as https://course.example (got {value:?})"
                )))
            }
        })
        .collect()
}

/// The bodies of `<script>` elements that have no `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, after) = rest.split_once('>')?;
        let (body, _) = after.split_once("</script>")?;
        // Data blocks (`type=application/json`, the lesson a page carries) are not scripts.
        (!attributes.contains("src=") && !attributes.contains("application/json")).then_some(body)
    })
}

/// The whole router.
pub fn app(state: AppState) -> Router {
    // `cargo xtask dist` writes a brotli (`.br`) and a gzip (`.gz`) copy beside each file;
    // the browser's Accept-Encoding picks one, and a client that accepts neither gets the
    // plain file. Nothing is compressed on the fly.
    let index = state.dist.join("index.html");
    let files = ServeDir::new(&state.dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(
            ServeFile::new(index)
                .precompressed_br()
                .precompressed_gzip(),
        );
    let page = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .nest("/lti", lti_routes::router())
        .nest(
            "/sandbox",
            sandbox_routes::router(state.clone())
                .layer(RequestBodyTimeoutLayer::new(state.body_read_timeout)),
        )
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(state.clone(), lesson_pages))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            headers_and_log,
        ));
    // The relay sets its own headers and logs its own line (without the raw path), and its
    // answers are small JSON: it stays outside the page's layers, off its hot path.
    Router::new()
        .route("/relay/{*destination}", any(proxy::handle))
        .route("/relay/", any(proxy::handle))
        .merge(page)
        .with_state(state)
}

/// Whether the server takes more connections: 200 `ready`, or 503 `at capacity` with
/// Retry-After. `/healthz` says only that the process answers.
async fn readyz(State(state): State<AppState>) -> Response {
    let connections = &state.connections;
    let (open, max) = (connections.open(), connections.max());
    let ready = open < max;
    let body = serde_json::json!({
        "status": if ready { "ready" } else { "at capacity" },
        "connections": open,
        "max_connections": max,
    })
    .to_string();
    let mut response = (
        if ready {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::SERVICE_UNAVAILABLE
        },
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response();
    if !ready {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    response
}

/// Adds the security and caching headers, and logs one line per request without secrets.
async fn headers_and_log(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    // The path only: query strings can hold secrets (`?client_secret=` in body-style requests).
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, state.csp.clone());
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, cache_policy(&path));
    }
    if is_page_file(&path) {
        // The same URL has a brotli, a gzip and a plain form: caches must key on the encoding.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    tracing::info!(
        %method,
        path = %loggable_path(&path),
        status = response.status().as_u16(),
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// Trunk's content-hashed files never change, so browsers may keep them for a year without
/// asking again; everything else (`index.html`, the fallback) is checked on every load, so a
/// new release is picked up at once.
fn cache_policy(path: &str) -> HeaderValue {
    HeaderValue::from_static(if is_hashed_asset(path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    })
}

/// A file Trunk names by its content: `name-<hex hash>.js`, `.css`, or `_bg.wasm`.
fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let Some((stem, extension)) = name.rsplit_once('.') else {
        return false;
    };
    let stem = match extension {
        "wasm" => stem.strip_suffix("_bg").unwrap_or(stem),
        "js" | "css" => stem,
        _ => return false,
    };
    stem.rsplit_once('-').is_some_and(|(base, hash)| {
        !base.is_empty() && hash.len() >= 8 && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// A response from the page's files (not the sandbox or the health check).
fn is_page_file(path: &str) -> bool {
    path != "/healthz" && path != "/readyz" && !path.starts_with("/sandbox/")
}

/// A path as the log holds it. The sandbox's are Web API paths, logged by their shape
/// (`destination::loggable`: a token pasted where an id belongs is masked). A page path keeps
/// its file names, but a segment longer than any of ours (64 characters, a token's length)
/// is masked, and the whole is cut after 200 characters.
fn loggable_path(path: &str) -> String {
    if let Some(rest) = path.strip_prefix("/sandbox/") {
        return format!("/sandbox/{}", destination::loggable(rest));
    }
    let shape = path
        .split('/')
        .map(|segment| {
            if segment.len() > 64 {
                ":masked"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    match shape.char_indices().nth(200) {
        Some((i, _)) => shape[..i].to_owned(),
        None => shape,
    }
}

/// Starts the server and runs until Ctrl-C or SIGTERM, finishing requests in flight.
/// Prints `listening on http://ADDR` first, so scripts can find a port chosen with `:0`.
pub async fn run(config: Config) -> Result<(), StartError> {
    match connections::raise_fd_limit() {
        Some((before, now, hard)) => {
            tracing::info!(soft_before = before, soft = now, hard, "open-file limit")
        }
        None => tracing::warn!("the open-file limit could not be read"),
    }
    let state = AppState::new(&config)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(StartError::Io)?;
    let address = listener.local_addr().map_err(StartError::Io)?;
    println!("listening on http://{address}");
    tracing::info!(%address, dist = %config.dist.display(), "serving");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    serve(listener, state, stopped).await;
    Ok(())
}

/// Serves `state`'s app on `listener`, with its connection caps and timeouts, until
/// `shutdown` turns true; then gives open requests 10 seconds to finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let connections = Arc::clone(&state.connections);
    let timeouts = state.timeouts;
    // Recovered clients are forgotten on a timer, so no request pays for a scan.
    let budgets = Arc::clone(&state.budgets);
    if let Some(lti) = &state.lti {
        tokio::spawn(grading::deliver(Arc::clone(lti), shutdown.clone()));
    }
    let mut stop_pruning = shutdown.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(clients::PRUNE_EVERY);
        loop {
            tokio::select! {
                _ = every.tick() => budgets.prune(),
                _ = stop_pruning.changed() => return,
            }
        }
    });
    tracing::info!(
        max_connections = connections.max(),
        max_connections_per_ip = connections.max_per_client(),
        header_read_timeout_s = timeouts.header_read.as_secs(),
        idle_timeout_s = timeouts.idle.as_secs(),
        send_timeout_s = timeouts.send.as_secs(),
        "connection limits"
    );
    connections::serve(
        listener,
        app(state),
        connections,
        timeouts,
        shutdown,
        Duration::from_secs(10),
    )
    .await;
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// The wall clock, in the one place the server reads it.
pub(crate) fn now() -> wire::UnixMillis {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    wire::UnixMillis(since_epoch.as_millis() as u64)
}
