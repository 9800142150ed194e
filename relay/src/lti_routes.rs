//! The LTI 1.3 tool: `/lti/login` (third-party initiated login), `/lti/launch` (the
//! platform's `id_token`), `/lti/jwks.json` (the tool's public keys), `/lti/deep-link` (the
//! lesson picker's answer), `/lti/canvas.json` (Canvas's configuration) and `/lti/pages.js`
//! (the script of the in-between pages). docs/lti.md says what each checks and how an
//! administrator registers the tool.
//!
//! The checks themselves are in crate `lti`; here are the I/O around them: the registrations
//! file, the tool's keys in the data directory, the platforms' key sets over HTTP, logins,
//! deep-linking requests and nonces in the database, cookies, pages and redirects.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, RawForm, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use lti::{JwkSet, KeySets, Nonces, Registration, Registrations, ToolKey};
use playground_core::grading::Requirement;
use playground_core::html::escape;
use serde::Deserialize;
use tokio::sync::Mutex;

use crate::store::{DeepLinkRequest, Login, Store};
use crate::AppState;

/// How long a login waits for its launch, in seconds.
const LOGIN_LIFETIME: u64 = 600;
/// How long a platform's key set is used before it is fetched again.
const KEY_SET_LIFETIME: Duration = Duration::from_secs(3600);
/// A key set is fetched again for an unknown `kid` at most this often, so that tokens naming
/// made-up keys cannot make the server fetch without end. The first such fetch after a
/// regular one is always made: a platform that has just rotated its key is found at once.
const REFETCH_FLOOR: Duration = Duration::from_secs(10);
/// The largest key set read.
const MAX_KEY_SET_BYTES: usize = 64 * 1024;
/// The tool's keys, in the data directory.
const KEYS_DIR: &str = "lti-keys";

/// The tool's settings and what it keeps.
pub struct Lti {
    pub(crate) registrations: Registrations,
    /// This server's public origin, without a trailing slash.
    public_url: String,
    /// Newest first: the first signs, all are published.
    pub(crate) keys: Vec<ToolKey>,
    pub(crate) store: Store,
    key_sets: Mutex<HashMap<String, CachedSet>>,
    http: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
    /// Each lesson's id and title, in course order: a launch opens one of their pages, and
    /// deep linking returns links to them.
    lessons: Vec<(String, String)>,
    /// What a graded launch of each lesson needs the server to see, by lesson id (from the
    /// same files).
    pub(crate) requirements: HashMap<String, Vec<Requirement>>,
    /// Scores: the platforms' tokens, the first retry's delay, and a wake-up for the sender.
    pub(crate) scores: crate::grading::Scores,
    /// The lesson picker's page (`lti-picker.html`, which `cargo xtask dist` writes), if
    /// built.
    picker: Option<String>,
}

struct CachedSet {
    set: JwkSet,
    fetched: Instant,
    /// When an unknown `kid` last made the server fetch the set again.
    refetched: Option<Instant>,
}

/// What `--lti-*` flags say.
pub struct LtiSettings<'a> {
    pub registrations_file: &'a Path,
    pub data_dir: &'a Path,
    pub public_url: &'a str,
    pub new_key: bool,
    /// The built page (`--dist`): the lessons' files and the lesson picker.
    pub dist: &'a Path,
    /// How long the first retry of a score waits; each next one waits twice as long.
    pub retry: Duration,
}

impl Lti {
    /// Reads the registrations, opens the database and loads the tool's keys, making the
    /// first one (or, with `new_key`, a newer one) if needed. Errors say what to fix.
    pub fn start(settings: LtiSettings<'_>) -> Result<Self, String> {
        let text = std::fs::read_to_string(settings.registrations_file).map_err(|e| {
            format!(
                "--lti-registrations {}: {e}",
                settings.registrations_file.display()
            )
        })?;
        let registrations = Registrations::parse(&text).map_err(|e| {
            format!(
                "--lti-registrations {}: {e}",
                settings.registrations_file.display()
            )
        })?;
        let public_url = settings.public_url.trim_end_matches('/').to_owned();
        if !(public_url.starts_with("https://") || public_url.starts_with("http://"))
            || public_url.matches('/').count() != 2
        {
            return Err(format!(
                "--public-url must be this server's origin as learners reach it, such as https://playground.example (got {:?})",
                settings.public_url
            ));
        }
        std::fs::create_dir_all(settings.data_dir)
            .map_err(|e| format!("--data-dir {}: {e}", settings.data_dir.display()))?;
        let keys = tool_keys(&settings.data_dir.join(KEYS_DIR), settings.new_key)?;
        let store = Store::open(&settings.data_dir.join("playground.sqlite"))?;
        let (lessons, requirements) = lessons(settings.dist);
        let tls = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Self {
            registrations,
            public_url,
            keys,
            store,
            key_sets: Mutex::new(HashMap::new()),
            http: Client::builder(TokioExecutor::new()).build(tls),
            requirements,
            lessons,
            scores: crate::grading::Scores::new(settings.retry),
            picker: std::fs::read_to_string(settings.dist.join("lti-picker.html")).ok(),
        })
    }

    /// A lesson's page: `<public-url>/` for the first, `<public-url>/<id>.html` for others.
    fn page_of(&self, id: &str) -> String {
        if self.lessons.first().is_some_and(|(first, _)| first == id) {
            format!("{}/", self.public_url)
        } else {
            format!("{}/{id}.html", self.public_url)
        }
    }

    /// The origins that may frame the lessons the tool launches.
    pub fn frame_origins(&self) -> Vec<String> {
        let mut origins: Vec<String> = Vec::new();
        for r in self.registrations.all() {
            for origin in r.frame_origins() {
                if !origins.contains(&origin) {
                    origins.push(origin);
                }
            }
        }
        origins
    }

    /// The id of the lesson a page of [`Lti::lesson_page`] shows.
    fn lesson_id(&self, page: &str) -> String {
        let path = page.strip_prefix(&self.public_url).unwrap_or(page);
        match path.strip_prefix('/').and_then(|p| p.strip_suffix(".html")) {
            Some(id) => id.to_owned(),
            None => self
                .lessons
                .first()
                .map_or_else(String::new, |(id, _)| id.clone()),
        }
    }

    /// The lesson page `url` names, if it is one of ours: `/` or `/<id>.html`.
    fn lesson_page(&self, url: &str) -> Option<String> {
        let rest = url.strip_prefix(&self.public_url)?;
        let path = rest.split(['?', '#']).next().unwrap_or("");
        let known = path == "/"
            || path
                .strip_prefix('/')
                .and_then(|p| p.strip_suffix(".html"))
                .is_some_and(|id| self.lessons.iter().any(|(l, _)| l == id));
        known.then(|| format!("{}{path}", self.public_url))
    }
}

/// Each lesson's id and title, in course order, and what a graded launch of each needs the
/// server to see; each file read once, with the core's lesson model. A file the core cannot
/// read is titled by its id and left ungraded (and logged).
#[allow(clippy::type_complexity)]
fn lessons(dist: &Path) -> (Vec<(String, String)>, HashMap<String, Vec<Requirement>>) {
    let mut titles = Vec::new();
    let mut requirements = HashMap::new();
    for (id, file) in crate::lesson_files(dist) {
        let lesson = std::fs::read_to_string(&file)
            .map_err(|e| e.to_string())
            .and_then(|text| {
                serde_json::from_str::<playground_core::lesson::Lesson>(&text)
                    .map_err(|e| e.to_string())
            });
        let title = lesson
            .as_ref()
            .map_or_else(|_| id.clone(), |l| l.title.clone());
        titles.push((id.clone(), title));
        match lesson.and_then(|l| playground_core::grading::requirements(&l)) {
            Ok(needs) => {
                requirements.insert(id, needs);
            }
            Err(error) => {
                tracing::warn!(lesson = %id, %error, "this lesson's launches cannot be graded")
            }
        }
    }
    (titles, requirements)
}

/// Reads the tool's keys from `dir` (PEM files, newest name first), making one when there is
/// none or when asked for a newer one. Each file is readable by the server's user only.
fn tool_keys(dir: &Path, new_key: bool) -> Result<Vec<ToolKey>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pem"))
        .collect();
    if files.is_empty() || new_key {
        let key = ToolKey::generate()?;
        // Named by creation time, so that the newest sorts first.
        let name = format!(
            "{:020}-{}.pem",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
            key.kid()
        );
        let path = dir.join(name);
        write_private(&path, key.pem())?;
        tracing::info!(kid = key.kid(), "made a new LTI signing key");
        files.push(path);
    }
    files.sort();
    files.reverse();
    files
        .iter()
        .map(|path| {
            let pem =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            ToolKey::from_pem(&pem).map_err(|e| format!("{}: {e}", path.display()))
        })
        .collect()
}

/// Writes a private key readable and writable by this user only.
fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The routes, mounted at `/lti`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_get).post(login_post))
        .route("/launch", axum::routing::post(launch))
        .route("/jwks.json", get(jwks))
        .route("/canvas.json", get(canvas))
        .route("/pages.js", get(pages_script))
        .route("/deep-link", axum::routing::post(deep_link))
}

/// A database failure: logged with what the server was doing, and a refusal that says to
/// try again.
fn database_failed(error: &str, doing: &str, could_not: &str) -> Response {
    tracing::error!(error, "{doing}");
    refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        &format!("The playground cannot {could_not} right now. Try again in a moment."),
    )
}

/// The answer of every `/lti/` route on a server without registrations.
fn no_tool() -> Response {
    refuse(
        StatusCode::NOT_FOUND,
        "This server has no LTI registrations (--lti-registrations).",
    )
}

/// A refusal the browser shows: plain text that says what to do.
fn refuse(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{message}\n"),
    )
        .into_response()
}

/// The refusal of a launch whose cookie did not come back (a frame of another site that
/// keeps no cookie, and no storage from the platform): the same login again, in a new
/// window, where the cookie is the site's own.
fn new_window(login: &Login) -> Response {
    let message = "The browser did not send back this launch's cookie, so the playground cannot tell that the launch started here. Open the lesson in a new window, or allow cookies for this site.";
    if login.relaunch.is_empty() {
        return refuse(StatusCode::BAD_REQUEST, message);
    }
    let href = escape(&format!("/lti/login?{}", login.relaunch));
    let page = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Open the lesson in a new window</title>\
         <p>{message}</p><p><a href=\"{href}\" target=\"_blank\" rel=\"noopener\">Open the lesson in a new window</a></p></html>",
        href = href.as_str(),
    );
    (
        StatusCode::BAD_REQUEST,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        page,
    )
        .into_response()
}

async fn jwks(State(state): State<AppState>) -> Response {
    let Some(lti) = state.lti.as_deref() else {
        return no_tool();
    };
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        serde_json::to_string(&lti::key_set(&lti.keys)).unwrap_or_default(),
    )
        .into_response()
}

/// The configuration Canvas reads by its URL (docs/lti.md, "In Canvas").
async fn canvas(State(state): State<AppState>) -> Response {
    let Some(lti) = state.lti.as_deref() else {
        return no_tool();
    };
    (
        [(header::CONTENT_TYPE, "application/json")],
        lti::canvas_configuration(&lti.public_url).to_string(),
    )
        .into_response()
}

/// The login request's parameters (1EdTech Security Framework §5.1.1.1, LTI Core §4.1).
/// Written back as a query too, for a new window (`relaunch`).
#[derive(Clone, Deserialize, serde::Serialize)]
struct LoginRequest {
    iss: String,
    login_hint: String,
    target_link_uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    lti_message_hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lti_deployment_id: Option<String>,
    /// The platform's storage frame, when it offers the postMessage storage.
    #[serde(skip_serializing_if = "Option::is_none")]
    lti_storage_target: Option<String>,
}

impl LoginRequest {
    /// The same login as a query for `/lti/login`, without the storage frame: what a new
    /// window starts with.
    fn relaunch(&self) -> String {
        let login = LoginRequest {
            lti_storage_target: None,
            ..self.clone()
        };
        serde_urlencoded::to_string(login).unwrap_or_default()
    }
}

async fn login_get(
    State(state): State<AppState>,
    request: Result<Query<LoginRequest>, QueryRejection>,
) -> Response {
    login(&state, request.map(|Query(r)| r).map_err(|e| e.body_text()))
}

async fn login_post(
    State(state): State<AppState>,
    request: Result<Form<LoginRequest>, FormRejection>,
) -> Response {
    login(&state, request.map(|Form(r)| r).map_err(|e| e.body_text()))
}

fn login(state: &AppState, request: Result<LoginRequest, String>) -> Response {
    let Some(lti) = state.lti.as_deref() else {
        return no_tool();
    };
    let request = match request {
        Ok(r) => r,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                &format!("The platform's login request is incomplete ({e}). It must send iss, login_hint and target_link_uri."),
            )
        }
    };
    let candidates: Vec<&Registration> = lti
        .registrations
        .all()
        .iter()
        .filter(|r| r.issuer == request.iss)
        .filter(|r| request.client_id.as_ref().is_none_or(|c| *c == r.client_id))
        .collect();
    let registration = match candidates.as_slice() {
        [one] => *one,
        [] => {
            // The issuer is the request's text: logged shortened, without control characters.
            let issuer = lti::printable(&request.iss);
            tracing::warn!(%issuer, "LTI login from an unregistered platform");
            return refuse(
                StatusCode::BAD_REQUEST,
                "This platform (issuer and client id) is not registered with this playground. Its administrator registers it: see docs/lti.md.",
            );
        }
        _ => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "Several registrations share this issuer, and the login names no client_id.",
            )
        }
    };
    // No open redirect: the target must be one of this server's lesson pages.
    let Some(target) = lti.lesson_page(&request.target_link_uri) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            &format!(
                "The link's target is not a lesson page of this playground ({}/ or {}/<lesson>.html). Edit the link in the course.",
                lti.public_url, lti.public_url
            ),
        );
    };
    let (state_value, nonce, secret) = (
        lti::random_token(),
        lti::random_token(),
        lti::random_token(),
    );
    let now = crate::now().seconds();
    let stored = lti.store.put_login(
        &state_value,
        &Login {
            nonce: nonce.clone(),
            issuer: registration.issuer.clone(),
            client_id: registration.client_id.clone(),
            target_link_uri: target,
            expires_at: now + LOGIN_LIFETIME,
            secret: secret.clone(),
            storage_target: request.lti_storage_target.clone(),
            relaunch: request.relaunch(),
        },
        now,
    );
    if let Err(e) = stored {
        return database_failed(&e, "cannot record an LTI login", "record this launch");
    }
    let mut query = vec![
        ("scope", "openid"),
        ("response_type", "id_token"),
        ("response_mode", "form_post"),
        ("prompt", "none"),
        ("client_id", registration.client_id.as_str()),
        ("login_hint", request.login_hint.as_str()),
        ("state", state_value.as_str()),
        ("nonce", nonce.as_str()),
    ];
    let redirect_uri = format!("{}/lti/launch", lti.public_url);
    query.push(("redirect_uri", redirect_uri.as_str()));
    if let Some(hint) = request.lti_message_hint.as_deref() {
        query.push(("lti_message_hint", hint));
    }
    let encoded: Vec<String> = query
        .iter()
        .map(|(n, v)| format!("{n}={}", wire::http::percent_encode(v)))
        .collect();
    let separator = if registration.auth_url.contains('?') {
        '&'
    } else {
        '?'
    };
    let location = format!("{}{separator}{}", registration.auth_url, encoded.join("&"));
    // Where the platform offers its storage, the login's secret is kept there first, by a
    // page (lti_pages.js) that then goes on to the platform; otherwise a redirect.
    let stored_login = request.lti_storage_target.as_ref().map(|target| {
        serde_json::json!({
            "put": {"target": target, "key": storage_key(&state_value), "value": secret},
            "next": location,
        })
    });
    let mut response = match stored_login {
        Some(work) => work_page("Opening the lesson", &work),
        None => {
            let mut redirect = StatusCode::FOUND.into_response();
            if let Ok(value) = HeaderValue::from_str(&location) {
                redirect.headers_mut().insert(header::LOCATION, value);
            }
            redirect
        }
    };
    let headers = response.headers_mut();
    // The launch comes back as a cross-site POST inside the platform's frame: only a
    // SameSite=None cookie travels with it, and Partitioned keeps it to that frame's site.
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{}{state_value}=1; Path=/lti/; Max-Age={LOGIN_LIFETIME}; HttpOnly; Secure; SameSite=None; Partitioned",
        COOKIE_PREFIX
    )) {
        headers.insert(header::SET_COOKIE, value);
    }
    response
}

/// A login's cookie is named by its state, so that two launches at once do not collide.
const COOKIE_PREFIX: &str = "lti_state_";

/// The key a login's secret is kept under in the platform's storage.
fn storage_key(state: &str) -> String {
    format!("lti_state_{state}")
}

/// The script of the in-between pages (relay/src/lti_pages.js).
const PAGES_SCRIPT: &str = include_str!("lti_pages.js");

async fn pages_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        PAGES_SCRIPT,
    )
        .into_response()
}

/// A page that runs lti_pages.js on `work`: a title the learner sees for a moment, and
/// the work as a JSON data block (`<` escaped, so no value can end the block).
fn work_page(title: &str, work: &serde_json::Value) -> Response {
    let data = work.to_string().replace('<', "\\u003c");
    let page = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>{title}</title>\
         <p>{title}…</p><script type=\"application/json\" id=\"lti-work\">{data}</script>\
         <script src=\"/lti/pages.js\"></script></html>"
    );
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        page,
    )
        .into_response()
}

/// The launch's form.
#[derive(Deserialize)]
struct LaunchForm {
    id_token: String,
    state: String,
    /// What the storage page read back from the platform's storage (lti_pages.js).
    storage_value: Option<String>,
}

/// A deep-linking request: recorded for an hour, and answered with the lesson picker, whose
/// form names it.
fn deep_link_request(lti: &Lti, launch: &lti::Launch, now: u64) -> Response {
    let (Some(picker), Some(settings)) = (&lti.picker, &launch.deep_linking) else {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "The lesson picker is missing from this server's build (lti-picker.html): build it with `cargo xtask dist`.",
        );
    };
    let id = lti::random_token();
    let stored = lti.store.put_deep_link(
        &id,
        &DeepLinkRequest {
            issuer: launch.issuer.clone(),
            client_id: launch.client_id.clone(),
            deployment_id: launch.deployment_id.clone(),
            settings: settings.clone(),
            expires_at: now + DEEP_LINK_LIFETIME,
        },
        now,
    );
    if let Err(e) = stored {
        return database_failed(
            &e,
            "cannot record a deep-linking request",
            "record this request",
        );
    }
    tracing::info!(issuer = %launch.issuer, deployment = %launch.deployment_id, "LTI deep-linking request");
    // The id is base64url: it needs no escaping in an attribute.
    let page = picker.replacen(
        r#"name="dl" value="""#,
        &format!(r#"name="dl" value="{id}""#),
        1,
    );
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        page,
    )
        .into_response()
}

/// How long an instructor has to choose lessons, in seconds.
const DEEP_LINK_LIFETIME: u64 = 3600;

/// The picker's form: the request's id and the chosen lessons.
async fn deep_link(State(state): State<AppState>, RawForm(body): RawForm) -> Response {
    let Some(lti) = state.lti.as_deref() else {
        return no_tool();
    };
    let form = wire::http::parse_form(&String::from_utf8_lossy(&body));
    let id = form
        .iter()
        .find(|(n, _)| n == "dl")
        .map_or("", |(_, v)| v.as_str());
    let lessons = form.iter().filter(|(n, _)| n == "lesson").map(|(_, v)| v);
    // Lessons are checked first: a refusal here leaves the request for another choice.
    let mut chosen = Vec::new();
    for lesson in lessons {
        let Some((lesson_id, title)) = lti.lessons.iter().find(|(id, _)| id == lesson) else {
            return refuse(
                StatusCode::BAD_REQUEST,
                &format!("There is no lesson {lesson:?} in this playground."),
            );
        };
        chosen.push(lti::Chosen {
            id: lesson_id.clone(),
            title: title.clone(),
            url: lti.page_of(lesson_id),
        });
    }
    let now = crate::now().seconds();
    let request = match lti.store.take_deep_link(id, now) {
        Ok(Some(request)) => request,
        Ok(None) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "This choice of lessons is unknown, sent already or too old. Start again from the course.",
            )
        }
        Err(e) => {
            return database_failed(&e, "cannot read a deep-linking request", "read this request");
        }
    };
    let claims = match lti::response_claims(
        &request.settings,
        &request.issuer,
        &request.client_id,
        &request.deployment_id,
        &chosen,
        now,
        &lti::random_token(),
    ) {
        Ok(claims) => claims,
        Err(why) => {
            // The instructor may go back and choose again.
            let _ = lti.store.put_deep_link(id, &request, now);
            return refuse(
                StatusCode::BAD_REQUEST,
                &format!("{why} Go back and choose again."),
            );
        }
    };
    let Some(signed) = lti.keys.first().and_then(|key| key.sign(&claims).ok()) else {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "The playground cannot sign its answer right now. Try again in a moment.",
        );
    };
    tracing::info!(issuer = %request.issuer, lessons = chosen.len(), "LTI deep-linking answer");
    let mut response = work_page(
        "Returning to the course",
        &serde_json::json!({"post": {"action": request.settings.return_url, "fields": {"JWT": signed}}}),
    );
    // The answer is a form post to the platform: its origin joins form-action.
    let origin = lti::origin_of(&request.settings.return_url);
    let policy = state.csp.to_str().unwrap_or_default().replace(
        "form-action 'self'",
        &format!("form-action 'self' {origin}"),
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// Whether `shown` is the login's secret; in time that does not depend on where they differ.
fn same_secret(shown: &str, secret: &str) -> bool {
    shown.len() == secret.len()
        && shown
            .bytes()
            .zip(secret.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// The platform's key sets, cached, fetched over HTTP(S).
struct Fetcher<'a>(&'a Lti);

impl KeySets for Fetcher<'_> {
    async fn key_set(&mut self, jwks_url: &str, refetch: bool) -> Result<JwkSet, String> {
        let mut cache = self.0.key_sets.lock().await;
        let mut refetched = None;
        if let Some(cached) = cache.get(jwks_url) {
            let fresh = cached.fetched.elapsed() < KEY_SET_LIFETIME;
            let floor = cached
                .refetched
                .is_some_and(|at| at.elapsed() < REFETCH_FLOOR);
            if (!refetch && fresh) || (refetch && floor) {
                return Ok(cached.set.clone());
            }
            refetched = cached.refetched;
        }
        let set = fetch_key_set(&self.0.http, jwks_url).await?;
        let now = Instant::now();
        cache.insert(
            jwks_url.to_owned(),
            CachedSet {
                set: set.clone(),
                fetched: now,
                refetched: if refetch { Some(now) } else { refetched },
            },
        );
        Ok(set)
    }
}

async fn fetch_key_set(
    http: &Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
    url: &str,
) -> Result<JwkSet, String> {
    let uri: axum::http::Uri = url.parse().map_err(|_| "not a URL".to_owned())?;
    let request = axum::http::Request::builder()
        .method(Method::GET)
        .uri(uri)
        .header(header::ACCEPT, "application/json")
        .body(Empty::new())
        .map_err(|e| e.to_string())?;
    let response = tokio::time::timeout(Duration::from_secs(5), http.request(request))
        .await
        .map_err(|_| "no answer in 5 s".to_owned())?
        .map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("status {}", response.status().as_u16()));
    }
    let body = Limited::new(response.into_body(), MAX_KEY_SET_BYTES)
        .collect()
        .await
        .map_err(|_| "the key set is too large or broken off".to_owned())?
        .to_bytes();
    serde_json::from_slice(&body).map_err(|_| "the answer is not a JWKS".to_owned())
}

/// Used nonces, in the database.
struct StoredNonces<'a> {
    store: &'a Store,
    now: u64,
}

impl Nonces for StoredNonces<'_> {
    fn use_once(&mut self, issuer: &str, nonce: &str, expires_at: u64) -> bool {
        // A database failure counts as "used": refusing is the safe side.
        self.store
            .use_nonce(issuer, nonce, expires_at, self.now)
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "cannot record an LTI nonce");
                false
            })
    }
}

async fn launch(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<LaunchForm>, FormRejection>,
) -> Response {
    let Some(lti) = state.lti.as_deref() else {
        return no_tool();
    };
    let form = match form {
        Ok(Form(f)) => f,
        Err(_) => return refuse(
            StatusCode::BAD_REQUEST,
            "The launch is missing its id_token or state. Open the lesson again from the course.",
        ),
    };
    let now = crate::now().seconds();
    // The state must come back to the browser that started the login: by its cookie, or by
    // the secret kept in the platform's storage.
    let cookie = format!("{COOKIE_PREFIX}{}=1", form.state);
    let cookie_back = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|c| c.trim() == cookie);
    if !cookie_back && form.storage_value.is_none() {
        // Without the cookie, a login that used the platform's storage is checked there
        // first: the page reads the secret back and posts the launch again with it.
        if let Ok(Some(login)) = lti.store.peek_login(&form.state, now) {
            if let Some(target) = login.storage_target {
                let work = serde_json::json!({
                    "get": {"target": target, "key": storage_key(&form.state)},
                    "launch": {
                        "action": format!("{}/lti/launch", lti.public_url),
                        "id_token": form.id_token,
                        "state": form.state,
                    },
                });
                return work_page("Opening the lesson", &work);
            }
        }
    }
    let login = match lti.store.take_login(&form.state, now) {
        Ok(Some(login)) => login,
        Ok(None) => {
            tracing::warn!("LTI launch refused: unknown or expired state");
            return refuse(
                StatusCode::BAD_REQUEST,
                "This launch is unknown, used already or too old. Open the lesson again from the course.",
            );
        }
        Err(e) => {
            return database_failed(&e, "cannot read an LTI login", "check this launch");
        }
    };
    let same_browser = cookie_back
        || form
            .storage_value
            .as_deref()
            .is_some_and(|value| same_secret(value, &login.secret));
    if !same_browser {
        tracing::warn!("LTI launch refused: the login's cookie did not come back");
        return new_window(&login);
    }
    let verified = lti::verify_launch(
        &form.id_token,
        &lti.registrations,
        &mut Fetcher(lti),
        &mut StoredNonces {
            store: &lti.store,
            now,
        },
        &lti.public_url,
        now,
        &login.nonce,
    )
    .await;
    let launch = match verified {
        Ok(launch) => launch,
        Err(refusal) => {
            tracing::warn!(%refusal, "LTI launch refused");
            return refuse(StatusCode::BAD_REQUEST, &refusal.to_string());
        }
    };
    if launch.issuer != login.issuer || launch.client_id != login.client_id {
        tracing::warn!("LTI launch refused: another platform than the login's");
        return refuse(
            StatusCode::BAD_REQUEST,
            "The launch comes from another platform than its login. Open the lesson again from the course.",
        );
    }
    match launch.message_type {
        lti::MessageType::ResourceLink => {}
        lti::MessageType::DeepLinking => return deep_link_request(lti, &launch, now),
    }
    let Some(page) = lti.lesson_page(&launch.target_link_uri) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "The link's target is not a lesson page of this playground. Edit the link in the course.",
        );
    };
    // A launch that may send scores opens a graded session: its value travels in the URL's
    // fragment, which the browser never sends to a server, and the page takes it from there.
    let lesson = lti.lesson_id(&page);
    let session = match lti.start_session(&launch, &lesson, now) {
        Ok(session) => session,
        Err(e) => {
            return database_failed(&e, "cannot record a graded session", "open this lesson");
        }
    };
    tracing::info!(
        issuer = %launch.issuer,
        deployment = %launch.deployment_id,
        %lesson,
        graded = session.is_some(),
        "LTI launch"
    );
    let fragment = session.map_or_else(String::new, |s| format!("#lti={s}"));
    let mut response = StatusCode::SEE_OTHER.into_response();
    // `lti=1`: the page talks to the platform as LTI says (`lti.frameResize`).
    if let Ok(value) = HeaderValue::from_str(&format!("{page}?embed=1&lti=1{fragment}")) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
