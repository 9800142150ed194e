//! Graded launches (docs/lti.md, "Graded lessons"): the session a launch hands the page, what
//! the server sees of it in the sandbox's answers, and the scores it then sends the platform
//! through Assignment and Grade Services, from an outbox in the database.
//!
//! What counts is decided by `playground_core::grading` from the lesson's file; here are the
//! I/O around it. A page cannot claim a lesson done: only answers this server gave, with
//! tokens it issued to the same session, count.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::Response;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use playground_core::classify::{self, TokenOutcome};
use playground_core::grading::{self, Observed};
use sha2::{Digest, Sha256};
use tokio::sync::{Mutex, Notify};
use wire::{Authorization, HttpResponse};

use crate::lti_routes::Lti;
use crate::store::{GradedSession, Outgoing};
use crate::AppState;

/// How long a graded launch's session lasts, in seconds: a sitting, not a term.
pub const SESSION_LIFETIME: u64 = 8 * 3600;
/// The longest wait between two tries of a score.
const MAX_RETRY: Duration = Duration::from_secs(3600);
/// The largest answer read from a platform.
const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// How long a platform has to answer.
const PLATFORM_TIMEOUT: Duration = Duration::from_secs(10);

/// What the tool keeps in memory to send scores.
pub struct Scores {
    retry: Duration,
    wake: Notify,
    /// The platforms' access tokens by (issuer, client id), with when they stop being used.
    tokens: Mutex<HashMap<(String, String), (String, Instant)>>,
    http: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl Scores {
    pub fn new(retry: Duration) -> Self {
        let tls = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .build();
        Self {
            retry,
            wake: Notify::new(),
            tokens: Mutex::new(HashMap::new()),
            http: Client::builder(TokioExecutor::new()).build(tls),
        }
    }
}

/// The key a session or a token is kept under: its SHA-256, in hex. The values themselves are
/// never stored.
pub fn key_of(value: &str) -> String {
    Sha256::digest(value.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why a request that names a session is refused: the status and what to do. Answered in
/// the shape of Spotify's errors, so that the page shows the message.
pub struct Refused(u16, &'static str);

impl axum::response::IntoResponse for Refused {
    fn into_response(self) -> Response {
        let Refused(status, message) = self;
        crate::sandbox_routes::into_axum(HttpResponse::json(
            status,
            &serde_json::json!({ "error": { "status": status, "message": message } }),
        ))
    }
}

/// A request of a graded launch's page, on its way: what the server will record of its
/// answer.
pub struct Graded<'a> {
    lti: &'a Lti,
    key: String,
    session: GradedSession,
    /// The Spotify URL the request stands for.
    url: String,
    /// It carries a Bearer token issued to this session (checked once, before it is sent).
    own_token: bool,
}

/// The graded session a request to the sandbox or the relay names (`lti-session`), if any;
/// `url` gives the Spotify URL it stands for (made only for a graded request). A session
/// that is unknown or over is refused before anything is answered or sent, so that the
/// learner is not led to think the work counts; so is a Web API call with a Bearer token
/// that was not issued to the session (from another launch, or made elsewhere), as Spotify
/// refuses a token it does not know, so that the page gets a new one here.
pub fn graded<'a>(
    state: &'a AppState,
    headers: &HeaderMap,
    url: impl FnOnce() -> String,
) -> Result<Option<Graded<'a>>, Refused> {
    let Some(value) = headers.get(wire::LTI_SESSION_HEADER) else {
        return Ok(None);
    };
    let Some(lti) = state.lti.as_deref() else {
        return Err(Refused(
            403,
            "This server grades no lessons, so this request was not sent. Open the lesson again from your course.",
        ));
    };
    let now = crate::now().seconds();
    let (key, session) = lti.session(value.to_str().unwrap_or_default(), now)?;
    let url = url();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(Authorization::parse);
    let own_token = match bearer {
        Some(Authorization::Bearer(token)) if !url.starts_with(wire::TOKEN_ENDPOINT) => {
            match lti.store.token_session(&key_of(&token), now) {
                Ok(Some(owner)) if owner == key => true,
                Ok(_) => return Err(Refused(401, "Invalid access token")),
                Err(error) => {
                    tracing::error!(%error, "cannot read a graded session's token");
                    return Err(Refused(503, CANNOT_RECORD));
                }
            }
        }
        _ => false,
    };
    Ok(Some(Graded {
        lti,
        key,
        session,
        url,
        own_token,
    }))
}

impl Graded<'_> {
    /// Records the answer, `status` and `body`.
    pub fn observe(self, status: u16, body: &[u8]) {
        let response = HttpResponse {
            status,
            headers: Vec::new(),
            body: String::from_utf8_lossy(body).into_owned(),
        };
        let lti = self.lti;
        lti.observe(self, &response, crate::now());
    }
}

/// Why a graded request is refused when the database fails.
const CANNOT_RECORD: &str =
    "The playground cannot record your progress right now, so this request was not sent. Try again in a minute.";

impl Lti {
    /// Opens a graded session for `launch` of `lesson`, when the platform lets the tool send
    /// scores for it: the value the page carries, or `None` for a launch that is not graded.
    pub(crate) fn start_session(
        &self,
        launch: &lti::Launch,
        lesson: &str,
        now: u64,
    ) -> Result<Option<String>, String> {
        let (Some(scores), Some(subject)) = (&launch.scores, &launch.subject) else {
            return Ok(None);
        };
        if !self.requirements.contains_key(lesson) {
            return Ok(None);
        }
        let value = lti::random_token();
        let session = GradedSession {
            issuer: launch.issuer.clone(),
            client_id: launch.client_id.clone(),
            subject: subject.clone(),
            lineitem: scores.lineitem.clone(),
            lesson: lesson.to_owned(),
            expires_at: now + SESSION_LIFETIME,
            seen: Vec::new(),
        };
        self.store.put_session(&key_of(&value), &session, now)?;
        Ok(Some(value))
    }

    /// The session a request names, or why it is refused.
    fn session(&self, value: &str, now: u64) -> Result<(String, GradedSession), Refused> {
        let key = key_of(value);
        match self.store.session(&key, now) {
            Ok(Some(session)) => Ok((key, session)),
            Ok(None) => Err(Refused(
                403,
                "This course session is unknown or has ended, so this request was not sent. Open the lesson again from your course.",
            )),
            Err(error) => {
                tracing::error!(%error, "cannot read a graded session");
                Err(Refused(503, CANNOT_RECORD))
            }
        }
    }

    /// Records what the sandbox or Spotify answered to a graded request; when the lesson is
    /// then done, puts its score in the outbox.
    fn observe(&self, graded: Graded, response: &HttpResponse, now: wire::UnixMillis) {
        let key = graded.key.as_str();
        let mut session = graded.session;
        if response.status != 200 {
            return;
        }
        let Some(requirements) = self.requirements.get(&session.lesson) else {
            return;
        };
        let observed = if graded.url.starts_with(wire::TOKEN_ENDPOINT) {
            // The token is read as the page reads it.
            let TokenOutcome::Issued(issued) = classify::token_response(response, &[]) else {
                return;
            };
            let kept = self.store.put_session_token(
                &key_of(&issued.access_token),
                key,
                now.seconds() + issued.expires_in,
            );
            if let Err(error) = kept {
                tracing::error!(%error, "cannot record a graded session's token");
                return;
            }
            Observed::TokenIssued
        } else if graded.own_token {
            Observed::Call(&graded.url)
        } else {
            return;
        };
        let Some(cell) = grading::observe(requirements, &mut session.seen, observed) else {
            return;
        };
        if let Err(error) = self.store.set_seen(key, &session.seen) {
            tracing::error!(%error, "cannot record a graded session's progress");
            return;
        }
        tracing::info!(lesson = %session.lesson, %cell, "graded cell seen done");
        if !grading::complete(requirements, &session.seen) {
            return;
        }
        let score = lti::Score::completed(&session.subject, now.0);
        match self.store.enqueue_score(
            &session.issuer,
            &session.client_id,
            &session.lineitem,
            &score,
            now.0,
        ) {
            Ok(true) => {
                tracing::info!(issuer = %session.issuer, lesson = %session.lesson, "lesson complete: score queued");
                self.scores.wake.notify_one();
            }
            Ok(false) => {
                tracing::info!(lesson = %session.lesson, "lesson complete again: already graded")
            }
            Err(error) => tracing::error!(%error, "cannot queue a score"),
        }
    }

    /// Sends the scores that are due, and records each outcome.
    async fn send_due(&self) {
        let now = crate::now().0;
        let due = match self.store.due_scores(now) {
            Ok(due) => due,
            Err(error) => {
                tracing::error!(%error, "cannot read the outbox");
                return;
            }
        };
        for score in due {
            let result = self.send_score(&score).await;
            let now = crate::now().0;
            let recorded = match result {
                Ok(()) => {
                    tracing::info!(issuer = %score.issuer, attempts = score.attempts + 1, "score sent");
                    self.store.score_sent(&score, now)
                }
                Err(error) => {
                    let wait = self
                        .scores
                        .retry
                        .saturating_mul(1 << score.attempts.min(20))
                        .min(MAX_RETRY);
                    tracing::warn!(
                        issuer = %score.issuer,
                        attempts = score.attempts + 1,
                        retry_in_s = wait.as_secs(),
                        %error,
                        "the platform did not take a score; it stays in the outbox"
                    );
                    self.store
                        .score_failed(&score, &error, now + wait.as_millis() as u64)
                }
            };
            if let Err(error) = recorded {
                tracing::error!(%error, "cannot record a score's outcome");
            }
        }
    }

    /// One try: a token for the score scope, then the score.
    async fn send_score(&self, score: &Outgoing) -> Result<(), String> {
        let registration = self
            .registrations
            .find(&score.issuer, &[&score.client_id])
            .ok_or("the platform is no longer registered")?;
        let token = self.platform_token(registration).await?;
        let body = serde_json::to_vec(&score.score).map_err(|e| e.to_string())?;
        let (status, _) = self
            .post(
                &lti::scores_url(&score.lineitem),
                lti::SCORE_CONTENT_TYPE,
                Some(&token),
                body,
            )
            .await?;
        if status.is_success() {
            return Ok(());
        }
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            // The platform may have revoked the token early: ask for a new one next time.
            let id = (registration.issuer.clone(), registration.client_id.clone());
            self.scores.tokens.lock().await.remove(&id);
        }
        Err(format!(
            "the score was answered with status {}",
            status.as_u16()
        ))
    }

    /// An access token for the score scope, asked for with a client assertion signed by the
    /// tool's newest key, and kept until shortly before it expires.
    async fn platform_token(&self, registration: &lti::Registration) -> Result<String, String> {
        let id = (registration.issuer.clone(), registration.client_id.clone());
        if let Some((token, until)) = self.scores.tokens.lock().await.get(&id) {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        let assertion = lti::ClientAssertion::new(
            &registration.client_id,
            &registration.token_url,
            crate::now().seconds(),
            lti::random_token(),
        );
        let key = self.keys.first().ok_or("the tool has no signing key")?;
        let signed = key.sign(&assertion)?;
        let form: Vec<String> = lti::token_request_form(&signed)
            .into_iter()
            .map(|(name, value)| format!("{name}={}", wire::http::percent_encode(&value)))
            .collect();
        let (status, body) = self
            .post(
                &registration.token_url,
                "application/x-www-form-urlencoded",
                None,
                form.join("&").into_bytes(),
            )
            .await?;
        if !status.is_success() {
            return Err(format!(
                "the platform's token endpoint answered with status {}",
                status.as_u16()
            ));
        }
        let issued: lti::AccessToken = serde_json::from_slice(&body)
            .map_err(|_| "the platform's token endpoint answered without an access token")?;
        // A minute's margin, so that a token is not used as it expires.
        let until = Instant::now() + Duration::from_secs(issued.expires_in.saturating_sub(60));
        self.scores
            .tokens
            .lock()
            .await
            .insert(id, (issued.access_token.clone(), until));
        Ok(issued.access_token)
    }

    async fn post(
        &self,
        url: &str,
        content_type: &str,
        bearer: Option<&str>,
        body: Vec<u8>,
    ) -> Result<(StatusCode, Bytes), String> {
        let uri: axum::http::Uri = url.parse().map_err(|_| format!("not a URL: {url}"))?;
        let mut request = axum::http::Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::ACCEPT, "application/json");
        if let Some(token) = bearer {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let response = tokio::time::timeout(PLATFORM_TIMEOUT, self.scores.http.request(request))
            .await
            .map_err(|_| format!("no answer in {} s", PLATFORM_TIMEOUT.as_secs()))?
            .map_err(|e| format!("cannot reach the platform: {e}"))?;
        let status = response.status();
        let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|_| "the platform's answer is too large or broken off".to_owned())?
            .to_bytes();
        Ok((status, body))
    }
}

/// Sends the outbox's scores as they fall due, until `shutdown` turns true. Scores left from
/// before a restart are sent first.
pub async fn deliver(lti: Arc<Lti>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        lti.send_due().await;
        let wait = match lti.store.next_score_due() {
            Ok(Some(at)) => Duration::from_millis(at.saturating_sub(crate::now().0)),
            Ok(None) => Duration::from_secs(60),
            Err(error) => {
                tracing::error!(%error, "cannot read the outbox");
                Duration::from_secs(60)
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait.min(Duration::from_secs(60))) => {}
            _ = lti.scores.wake.notified() => {}
            _ = shutdown.changed() => return,
        }
    }
}
