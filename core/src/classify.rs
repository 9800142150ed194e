//! Turns responses into outcomes a learner can act on (pure).
//!
//! Token-endpoint errors are told apart by their OAuth `error` code (documented and stable).
//! Web API errors are told apart by HTTP status first. A 401 is never told apart by its
//! message, which Spotify changed in 2026; within a 400, 403 or 404, the message then names
//! the parameter to fix (docs/spotify-protocol.md, section 7). Errors made by a relay
//! (`relay_…` codes) are kept apart from Spotify's.

use serde_json::Value;
use wire::HttpResponse;

use crate::keys::{KeyHint, Whitespace};
use crate::routing::Destination;

/// A token the endpoint issued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedToken {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: u64,
}

/// An explained failure: a one-line headline and what to do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explained {
    pub kind: FailureKind,
    pub headline: String,
    pub explanation: String,
}

/// Who produced a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// Spotify (or the sandbox) answered with an error.
    Spotify,
    /// The relay refused the request.
    RelayRefused,
    /// The relay or the network could not reach Spotify.
    Unreachable,
    /// Something answered that is neither Spotify nor a relay error.
    Unexpected,
}

/// The token cell's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenOutcome {
    Issued(IssuedToken),
    Failed(Explained),
}

/// Classifies the token endpoint's answer. `hints` name the keys whose whitespace may explain
/// an error (see `lesson::hints`); they never hold the values.
pub fn token_response(response: &HttpResponse, hints: &[KeyHint]) -> TokenOutcome {
    let json = serde_json::from_str::<Value>(&response.body).ok();
    if let Some(relay) = relay_error(response, json.as_ref()) {
        return TokenOutcome::Failed(relay);
    }
    if response.status == 200 {
        return match json.as_ref().and_then(issued_token) {
            Some(token) => TokenOutcome::Issued(token),
            None => TokenOutcome::Failed(unexpected(
                response,
                "The answer has status 200 but is not a token (it needs access_token, token_type \"Bearer\" and expires_in).",
            )),
        };
    }
    let Some(error) = json.as_ref().and_then(|j| j["error"].as_str()) else {
        return TokenOutcome::Failed(unexpected(response, "The answer is not a Spotify error."));
    };
    let description = json
        .as_ref()
        .and_then(|j| j["error_description"].as_str())
        .unwrap_or("");
    let headline = if description.is_empty() {
        format!("Spotify answered: {error}")
    } else {
        format!("Spotify answered: {error} / {description}")
    };
    // Whitespace around a key that the lesson marks as a suspect for this very answer.
    let suspect = hints.iter().find(|h| h.suspect_for == description);
    let explanation = match (error, description) {
        ("unsupported_grant_type", "grant_type parameter is missing") =>
            "Spotify found no grant_type. The client-credentials flow needs grant_type=client_credentials, in the query string (as this lesson does) or in a form body. A JSON body does not count.".to_owned(),
        ("unsupported_grant_type", _) =>
            "Without a user, the only grant type that gets a token is grant_type=client_credentials.".to_owned(),
        ("invalid_client", "Invalid client") => with_whitespace(
            "Spotify does not know this Client ID. Copy it again from your app's page in the Spotify Developer Dashboard.",
            suspect,
        ),
        ("invalid_client", "Invalid client secret") => with_whitespace(
            "The Client ID is right but the Client Secret is not. Copy it again (Dashboard → your app → Settings → View client secret). If you reset the secret, the old one stops working.",
            suspect,
        ),
        ("invalid_client", _) =>
            "No usable credentials reached Spotify. The Authorization header must be \"Basic \" followed by base64 of client_id:client_secret.".to_owned(),
        ("server_error", _) if response.status == 415 =>
            "The token endpoint only accepts Content-Type: application/x-www-form-urlencoded, not JSON.".to_owned(),
        _ => format!("Spotify refused the request with status {}.", response.status),
    };
    TokenOutcome::Failed(Explained {
        kind: FailureKind::Spotify,
        headline,
        explanation,
    })
}

fn with_whitespace(base: &str, suspect: Option<&KeyHint>) -> String {
    let Some(KeyHint {
        label, whitespace, ..
    }) = suspect
    else {
        return base.to_owned();
    };
    match whitespace {
        Whitespace::LineBreak => format!(
            "Your {label} starts or ends with a line break, probably copied with it: its base64 in the Authorization header then ends in Cg==. Delete the line break in the keys panel and run again. ({base})"
        ),
        Whitespace::Spaces => format!(
            "Your {label} starts or ends with a space, probably copied with it: its base64 in the Authorization header then ends in IA==. Delete the space in the keys panel and run again. ({base})"
        ),
    }
}

fn issued_token(json: &Value) -> Option<IssuedToken> {
    let access_token = json["access_token"].as_str()?.to_owned();
    let token_type = json["token_type"].as_str()?.to_owned();
    let expires_in = json["expires_in"].as_u64()?;
    (token_type.eq_ignore_ascii_case("bearer") && !access_token.is_empty()).then_some(IssuedToken {
        access_token,
        token_type,
        expires_in,
    })
}

/// The code of a relay's own error (`{"error":"relay_…"}`), if the relay, not Spotify,
/// answered.
pub fn relay_code(response: &HttpResponse) -> Option<String> {
    let json = serde_json::from_str::<Value>(&response.body).ok()?;
    let code = json.get("error")?.as_str()?;
    code.starts_with("relay_").then(|| code.to_owned())
}

/// A relay's own error (`{"error":"relay_…"}`), told apart from Spotify's.
fn relay_error(response: &HttpResponse, json: Option<&Value>) -> Option<Explained> {
    let code = json?.get("error")?.as_str()?;
    if !code.starts_with("relay_") {
        return None;
    }
    let detail = json
        .and_then(|j| j.get("message").or_else(|| j.get("error_description")))
        .and_then(Value::as_str)
        .unwrap_or("");
    let unreachable = matches!(
        code,
        "relay_upstream_unreachable" | "relay_upstream_timeout"
    );
    Some(if unreachable {
        Explained {
            kind: FailureKind::Unreachable,
            headline: format!("The relay could not reach Spotify ({code})"),
            explanation: format!(
                "{detail} Spotify may be down or the relay offline. Try again later, or switch the target to the sandbox to continue the lesson."
            )
            .trim_start()
            .to_owned(),
        }
    } else {
        Explained {
            kind: FailureKind::RelayRefused,
            headline: format!(
                "The relay refused this request ({code}, status {})",
                response.status
            ),
            explanation: if detail.is_empty() {
                "The relay's rules stopped the request before it reached Spotify.".to_owned()
            } else {
                detail.to_owned()
            },
        }
    })
}

fn unexpected(response: &HttpResponse, what: &str) -> Explained {
    Explained {
        kind: FailureKind::Unexpected,
        headline: format!("Unexpected answer (status {})", response.status),
        explanation: format!(
            "{what} If you use a relay, check its prefix in Settings; or switch the target to the sandbox."
        ),
    }
}

/// What a learner is told when the page's on-demand module (the sandbox, the inspector, the
/// panels) on the server was built for another release than the open page.
pub const OUTDATED_MODULE: &str = "The playground was updated since this page was opened, and this page cannot use the new version's sandbox, inspector or panels. Reload the page: your keys, saved token, progress and edited code are kept.";

/// The sandbox's answer when its module is from another release than the page.
pub fn outdated_module() -> Explained {
    Explained {
        kind: FailureKind::Unreachable,
        headline: "This page is older than the playground on the server".to_owned(),
        explanation: OUTDATED_MODULE.to_owned(),
    }
}

/// A network-level failure (`fetch` rejected): the request never got an answer. For the
/// sandbox, its code (the page's on-demand module) could not be loaded.
pub fn network_failure(destination: &Destination) -> Explained {
    let (headline, explanation) = match destination {
        Destination::Sandbox => (
            "The sandbox could not be loaded",
            "The sandbox's code comes from this playground's server the first time the sandbox answers. Check that the server is still running, then run the cell again.",
        ),
        Destination::Network { via_relay: true, .. } => (
            "The relay could not be reached",
            "The browser got no answer from the relay. Check the relay prefix in Settings and that the relay is running. A relay on another site works only if this server's operator allows it (--connect-src). Or switch the target to the sandbox to continue the lesson.",
        ),
        Destination::Network { .. } => (
            "Spotify could not be reached from this page",
            "The browser blocked the request or got no answer. Spotify's token endpoint does not allow browser requests (CORS), so the real target needs a relay. Set one in Settings, or switch the target to the sandbox.",
        ),
    };
    Explained {
        kind: FailureKind::Unreachable,
        headline: headline.to_owned(),
        explanation: explanation.to_owned(),
    }
}

/// Seconds to wait before asking again: the `Retry-After` of a 429 (from Spotify or the
/// relay). `None` for other statuses, or when the header is missing or not a number.
pub fn retry_after(response: &HttpResponse) -> Option<u64> {
    if response.status != 429 {
        return None;
    }
    response.header_value("retry-after")?.trim().parse().ok()
}

/// The validate cell's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Validation {
    /// The token works; `track` is the name the API returned.
    Valid { track: String, seconds_left: u64 },
    /// 401 after the saved expiry time.
    Expired,
    /// 401 before the saved expiry time: revoked, edited, or from another target.
    Invalid,
    /// 400: the Authorization header is not `Bearer <token>`.
    MalformedHeader,
    /// 403: Spotify's Premium requirement for development-mode apps (2026).
    PremiumRequired,
    /// 429, with the `Retry-After` seconds when sent.
    RateLimited { retry_after: Option<u64> },
    /// Any other failure, explained.
    Failed(Explained),
}

/// Classifies the validation call by HTTP status; `expires_at` and `now` are seconds.
pub fn validation_response(response: &HttpResponse, expires_at: u64, now: u64) -> Validation {
    let json = serde_json::from_str::<Value>(&response.body).ok();
    if let Some(relay) = relay_error(response, json.as_ref()) {
        return Validation::Failed(relay);
    }
    match response.status {
        200 => match json.as_ref().and_then(|j| j["name"].as_str()) {
            Some(track) => Validation::Valid {
                track: track.to_owned(),
                seconds_left: expires_at.saturating_sub(now),
            },
            None => Validation::Failed(unexpected(
                response,
                "The answer has status 200 but is not a track.",
            )),
        },
        401 if now >= expires_at => Validation::Expired,
        401 => Validation::Invalid,
        400 => Validation::MalformedHeader,
        403 => Validation::PremiumRequired,
        429 => Validation::RateLimited {
            retry_after: retry_after(response),
        },
        status => {
            let message = json
                .as_ref()
                .and_then(|j| j["error"]["message"].as_str())
                .map(str::to_owned)
                .unwrap_or_else(|| format!("status {status}"));
            Validation::Failed(Explained {
                kind: if json.is_some() {
                    FailureKind::Spotify
                } else {
                    FailureKind::Unexpected
                },
                headline: format!("Spotify answered: {message}"),
                explanation: "The API could not check the token right now. Try again in a moment."
                    .to_owned(),
            })
        }
    }
}

impl Validation {
    /// Headline and explanation for the cell's output.
    pub fn describe(&self) -> (String, String) {
        match self {
            Validation::Valid { track, seconds_left } => (
                "The access token is valid.".to_owned(),
                format!(
                    "Spotify returned the track \"{track}\". The token works for {} more.",
                    crate::token::long_duration(*seconds_left)
                ),
            ),
            Validation::Expired => (
                "The access token has expired.".to_owned(),
                "Tokens last one hour. Run the \"Get an access token\" cell again and save the new token.".to_owned(),
            ),
            Validation::Invalid => (
                "The access token is invalid.".to_owned(),
                "Spotify does not accept this token although it has not expired. It may come from the other target (sandbox or Spotify) or have been changed. Get a new token and save it.".to_owned(),
            ),
            Validation::MalformedHeader => (
                "The Authorization header is malformed.".to_owned(),
                "Spotify wants exactly \"Bearer <token>\", with no quotes around the token. Get and save a new token.".to_owned(),
            ),
            Validation::PremiumRequired => (
                "Spotify refused: an active Premium subscription is required.".to_owned(),
                "Your token is fine. Since February 2026, apps in development mode can only call the Web API when the app's owner has Spotify Premium. After the subscription changes, it can take a few hours before requests work.".to_owned(),
            ),
            Validation::RateLimited { retry_after } => (
                "Too many requests: Spotify is rate limiting this app.".to_owned(),
                match retry_after {
                    Some(s) => format!("Wait {} before running again. Nothing is retried automatically.", crate::token::long_duration(*s)),
                    None => "Wait a little before running again. Nothing is retried automatically.".to_owned(),
                },
            ),
            Validation::Failed(e) => (e.headline.clone(), e.explanation.clone()),
        }
    }

    /// Whether this outcome completes the lesson's validate step.
    pub fn is_valid(&self) -> bool {
        matches!(self, Validation::Valid { .. })
    }
}

/// What a lesson cell's Web API call got, for the cell's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiAnswer {
    /// A 2xx answer: `status` and its reason.
    Ok {
        status: u16,
    },
    Failed(Explained),
}

/// Explains the Web API's answer to a catalog call. The status decides; for a 400, 403 or
/// 404, the error message then tells apart the cases docs/spotify-protocol.md lists (they say
/// which parameter to fix). `expires_at` is the saved token's expiry (seconds), if any.
pub fn api_answer(response: &HttpResponse, expires_at: Option<u64>, now: u64) -> ApiAnswer {
    let json = serde_json::from_str::<Value>(&response.body).ok();
    if let Some(relay) = relay_error(response, json.as_ref()) {
        return ApiAnswer::Failed(relay);
    }
    if (200..300).contains(&response.status) {
        return ApiAnswer::Ok {
            status: response.status,
        };
    }
    let message = json
        .as_ref()
        .and_then(|j| j["error"]["message"].as_str())
        .unwrap_or("")
        .to_owned();
    let spotify = |headline: &str, explanation: &str| {
        ApiAnswer::Failed(Explained {
            kind: FailureKind::Spotify,
            headline: headline.to_owned(),
            explanation: explanation.to_owned(),
        })
    };
    let expired = expires_at.is_some_and(|at| now >= at);
    match (response.status, message.as_str()) {
        (400, "Invalid limit") => spotify(
            "Spotify refused the limit (400 Invalid limit).",
            "Since February 2026, search and an artist's albums give apps in Development Mode at most 10 items per request. Lower limit and page with offset.",
        ),
        (400, "invalid id" | "Invalid base62 id") => spotify(
            "The id is malformed (400).",
            "An id is 22 letters and digits, the end of a spotify: URI. Check it, or save it again in the earlier lesson.",
        ),
        (400, "No search query") => spotify(
            "The search has no query (400 No search query).",
            "Give q some words, such as 'Oona' or 'artist:Quillon'.",
        ),
        (400, "Missing parameter type") => spotify(
            "The search has no type (400 Missing parameter type).",
            "Add type, such as artist or album,track.",
        ),
        (400, m) if m.starts_with("Bad search type field") => spotify(
            &format!("Spotify does not know this search type (400 {m})."),
            "Use album, artist, playlist, track, show, episode or audiobook, with commas between, no plural s.",
        ),
        (400, "Invalid market code" | "Unlaunched market") => spotify(
            &format!("The market is not valid (400 {message})."),
            "Use a two-letter country code where Spotify is available, such as SE, or leave market out.",
        ),
        (400, "Invalid offset" | "Bad request.") => spotify(
            &format!("The offset is out of range (400 {message})."),
            "offset is a whole number from 0; a search stops at 1,000 results.",
        ),
        (400, "Invalid include_groups") => spotify(
            "include_groups names an unknown group (400).",
            "Use album, single, compilation or appears_on, separated by commas.",
        ),
        (400, "Only valid bearer authentication supported") => spotify(
            "The Authorization header is malformed (400).",
            "Spotify wants exactly \"Bearer <token>\", with no quotes. Check the headers.",
        ),
        (401, _) if expired => spotify(
            "The access token has expired (401).",
            "Tokens last an hour. Get a new one in the first lesson, or turn on \"Renew the token automatically\" in the keys panel.",
        ),
        (401, _) => spotify(
            "Spotify does not accept the token (401).",
            "The token is changed or from the other target (sandbox or Spotify). Get and save a new one in the first lesson.",
        ),
        (403, m) if m.starts_with("Active premium subscription required") => spotify(
            "Spotify refused: an active Premium subscription is required (403).",
            "Your request is fine. Since February 2026, apps in Development Mode work only while their owner has Premium (changes take a few hours). The sandbox works meanwhile.",
        ),
        (403, "Insufficient client scope") => spotify(
            "market=from_token needs a user's token (403).",
            "A client-credentials token has no user, so no country. Name a market such as SE.",
        ),
        (403, _) => spotify(
            "Spotify no longer serves this endpoint to your app (403).",
            "Apps in Development Mode lost, from 2024 to 2026, several-id calls, top tracks, related artists, recommendations, audio features, markets and browse. Use this course's endpoints.",
        ),
        (404, "non existing id") => spotify(
            "Nothing has this id (404 non existing id).",
            "The id is well formed, but names nothing. Ids are case-sensitive: copy it exactly, or save it again in the earlier lesson.",
        ),
        (404, "Not found.") => spotify(
            "The query is too long (404).",
            "Spotify takes queries of at most 100 characters. Shorten q.",
        ),
        (404, _) => spotify(
            "No such endpoint (404).",
            "Check the path against the lesson. Some endpoints were withdrawn from new apps and answer 404.",
        ),
        (429, _) => spotify(
            "Too many requests: Spotify is rate limiting this app (429).",
            &match retry_after(response) {
                Some(s) => format!("Wait {} before running again. Nothing is retried automatically.", crate::token::long_duration(s)),
                None => "Wait a little before running again. Nothing is retried automatically.".to_owned(),
            },
        ),
        (status, _) if json.is_none() => ApiAnswer::Failed(unexpected(
            response,
            &format!("The answer (status {status}) is not Spotify's JSON."),
        )),
        (status, m) => spotify(
            &format!("Spotify answered {status}: {m}"),
            "Spotify could not answer right now. Try again in a moment.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    /// A JSON literal, for test bodies.
    fn json(text: &str) -> Value {
        serde_json::from_str::<Value>(text).expect("test JSON")
    }

    fn response(status: u16, body: Value) -> HttpResponse {
        HttpResponse::json(status, &body)
    }

    #[test]
    fn web_api_answers_are_explained_by_status_then_message() {
        let error = |status: u16, message: &str| {
            response(
                status,
                json(&format!(
                    r#"{{"error":{{"status":{status},"message":"{message}"}}}}"#
                )),
            )
        };
        let now = 1_000;
        // (answer, saved token's expiry, ok, headline contains)
        let cases: Vec<(HttpResponse, Option<u64>, bool, &str)> = vec![
            (response(200, json(r#"{"artists":{}}"#)), Some(2_000), true, ""),
            (error(400, "Invalid limit"), Some(2_000), false, "limit"),
            (error(400, "invalid id"), None, false, "malformed"),
            (error(400, "Invalid base62 id"), None, false, "malformed"),
            (error(400, "No search query"), None, false, "no query"),
            (error(400, "Missing parameter type"), None, false, "no type"),
            (error(400, "Bad search type field tracks"), None, false, "tracks"),
            (error(400, "Unlaunched market"), None, false, "market"),
            (error(400, "Bad request."), None, false, "offset"),
            (error(400, "Invalid include_groups"), None, false, "include_groups"),
            (error(400, "Only valid bearer authentication supported"), None, false, "Authorization"),
            (error(401, "Missing/invalid/expired access token"), Some(900), false, "expired"),
            (error(401, "Missing/invalid/expired access token"), Some(2_000), false, "does not accept"),
            (error(403, "Forbidden"), None, false, "no longer serves"),
            (response(403, json(r#"{"error":{"status":403}}"#)), None, false, "no longer serves"),
            (error(403, "Insufficient client scope"), None, false, "from_token"),
            (error(403, "Active premium subscription required for the owner of the app. When the subscription status changes, it can take a few hours before requests are allowed again."), None, false, "Premium"),
            (error(404, "non existing id"), None, false, "Nothing has this id"),
            (error(404, "Not found."), None, false, "too long"),
            (error(404, "Service not found"), None, false, "No such endpoint"),
            (error(429, "API rate limit exceeded"), None, false, "rate limiting"),
            (error(500, "Server error"), None, false, "500"),
            (HttpResponse { status: 502, headers: vec![], body: "<html>".into() }, None, false, "Unexpected"),
        ];
        for (answer, expires_at, ok, needle) in cases {
            match api_answer(&answer, expires_at, now) {
                ApiAnswer::Ok { status } => {
                    assert!(ok, "{}: unexpected success", answer.body);
                    assert_eq!(status, answer.status);
                }
                ApiAnswer::Failed(e) => {
                    assert!(!ok, "{}: {e:?}", answer.body);
                    assert!(
                        e.headline.contains(needle),
                        "{}: {}",
                        answer.body,
                        e.headline
                    );
                }
            }
        }
        // A relay's own error is the relay's, not Spotify's.
        let relay = response(
            429,
            json(r#"{"error":"relay_rate_limited","error_description":"Slow down."}"#),
        );
        match api_answer(&relay, None, now) {
            ApiAnswer::Failed(e) => assert_eq!(e.kind, FailureKind::RelayRefused, "{e:?}"),
            other => panic!("{other:?}"),
        }
    }

    fn failed(outcome: TokenOutcome) -> Explained {
        match outcome {
            TokenOutcome::Failed(e) => e,
            TokenOutcome::Issued(t) => panic!("expected a failure, got {t:?}"),
        }
    }

    #[test]
    fn token_errors_are_explained() {
        let none: Vec<KeyHint> = Vec::new();
        let secret = |whitespace| {
            vec![
                KeyHint {
                    label: "Client ID".into(),
                    whitespace: Whitespace::Spaces,
                    suspect_for: "Invalid client".into(),
                },
                KeyHint {
                    label: "Client Secret".into(),
                    whitespace,
                    suspect_for: "Invalid client secret".into(),
                },
            ]
        };
        // (status, body, hints, kind, headline contains, explanation contains)
        type Case = (
            u16,
            Value,
            Vec<KeyHint>,
            FailureKind,
            &'static str,
            &'static str,
        );
        let cases: [Case; 10] = [
            (
                400,
                json(
                    r#"{"error":"unsupported_grant_type","error_description":"grant_type parameter is missing"}"#,
                ),
                none.clone(),
                FailureKind::Spotify,
                "unsupported_grant_type / grant_type parameter is missing",
                "found no grant_type",
            ),
            (
                400,
                json(
                    r#"{"error":"unsupported_grant_type","error_description":"grant_type password is not supported"}"#,
                ),
                none.clone(),
                FailureKind::Spotify,
                "grant_type password is not supported",
                "only grant type",
            ),
            (
                400,
                json(r#"{"error":"invalid_client","error_description":"Invalid client"}"#),
                none.clone(),
                FailureKind::Spotify,
                "invalid_client / Invalid client",
                "does not know this Client ID",
            ),
            (
                400,
                json(r#"{"error":"invalid_client","error_description":"Invalid client secret"}"#),
                none.clone(),
                FailureKind::Spotify,
                "invalid_client / Invalid client secret",
                "Client Secret is not",
            ),
            (
                400,
                json(r#"{"error":"invalid_client","error_description":"Invalid client secret"}"#),
                secret(Whitespace::LineBreak),
                FailureKind::Spotify,
                "Invalid client secret",
                "ends in Cg==",
            ),
            (
                400,
                json(r#"{"error":"invalid_client","error_description":"Invalid client secret"}"#),
                secret(Whitespace::Spaces),
                FailureKind::Spotify,
                "Invalid client secret",
                "Your Client Secret starts or ends with a space",
            ),
            (
                400,
                json(r#"{"error":"invalid_client","error_description":"Invalid client"}"#),
                secret(Whitespace::LineBreak),
                FailureKind::Spotify,
                "Invalid client",
                "Your Client ID starts or ends with a space",
            ),
            (
                400,
                json(r#"{"error":"invalid_client"}"#),
                none.clone(),
                FailureKind::Spotify,
                "Spotify answered: invalid_client",
                "No usable credentials",
            ),
            (
                415,
                json(r#"{"error":"server_error","error_description":"Unexpected status: 415"}"#),
                none.clone(),
                FailureKind::Spotify,
                "server_error",
                "x-www-form-urlencoded",
            ),
            (
                403,
                json(
                    r#"{"error":"relay_forbidden_destination","message":"Only the two Spotify endpoints"}"#,
                ),
                none.clone(),
                FailureKind::RelayRefused,
                "relay refused this request (relay_forbidden_destination",
                "Only the two Spotify endpoints",
            ),
        ];
        for (status, body, hints, kind, headline, explanation) in cases {
            let e = failed(token_response(&response(status, body.clone()), &hints));
            assert_eq!(e.kind, kind, "{body}");
            assert!(e.headline.contains(headline), "{body}: {}", e.headline);
            assert!(
                e.explanation.contains(explanation),
                "{body}: {}",
                e.explanation
            );
        }
    }

    #[test]
    fn relay_codes_are_told_from_spotify_errors() {
        let cases = [
            (
                r#"{"error":"relay_upstream_unreachable"}"#,
                Some("relay_upstream_unreachable"),
            ),
            (r#"{"error":"invalid_client"}"#, None),
            (r#"{"error":{"status":401,"message":"relay_x"}}"#, None),
            ("not json", None),
        ];
        for (body, code) in cases {
            let response = HttpResponse::json_text(502, body.to_owned());
            assert_eq!(relay_code(&response).as_deref(), code, "{body}");
        }
    }

    #[test]
    fn relay_unreachable_and_non_json_answers() {
        for code in ["relay_upstream_unreachable", "relay_upstream_timeout"] {
            let e = failed(token_response(
                &response(502, serde_json::json!({ "error": code })),
                &[],
            ));
            assert_eq!(e.kind, FailureKind::Unreachable);
            assert!(e.explanation.contains("sandbox"), "hint to try the sandbox");
        }
        let html = HttpResponse {
            status: 404,
            headers: vec![],
            body: "<html>Not Found</html>".into(),
        };
        assert_eq!(
            failed(token_response(&html, &[])).kind,
            FailureKind::Unexpected
        );
        let network = |via_relay| Destination::Network {
            url: "https://accounts.spotify.com/api/token".into(),
            via_relay,
        };
        let cases = [
            (network(true), "The relay could not be reached", "Settings"),
            (
                network(false),
                "Spotify could not be reached from this page",
                "CORS",
            ),
            (
                Destination::Sandbox,
                "The sandbox could not be loaded",
                "server is still running",
            ),
        ];
        for (destination, headline, advice) in cases {
            let explained = network_failure(&destination);
            assert_eq!(explained.kind, FailureKind::Unreachable);
            assert_eq!(explained.headline, headline);
            assert!(
                explained.explanation.contains(advice),
                "{}",
                explained.explanation
            );
        }
        // A module from a newer release: only a reload helps, and nothing typed is lost.
        let outdated = outdated_module();
        assert!(outdated
            .explanation
            .starts_with("The playground was updated"));
        assert!(outdated.explanation.contains("Reload the page"));
        assert!(outdated.explanation.contains("are kept"));
    }

    #[test]
    fn successful_token_parses_with_lenient_fields() {
        let cases = [
            json(r#"{"access_token":"BQD","token_type":"Bearer","expires_in":3600}"#),
            json(r#"{"access_token":"BQD","token_type":"bearer","expires_in":3600,"scope":""}"#),
        ];
        for body in cases {
            match token_response(&response(200, body.clone()), &[]) {
                TokenOutcome::Issued(t) => {
                    assert_eq!((t.access_token.as_str(), t.expires_in), ("BQD", 3600))
                }
                other => panic!("{body}: {other:?}"),
            }
        }
        for body in [
            json(r#"{"token_type":"Bearer","expires_in":3600}"#),
            json(r#"{"access_token":"x","token_type":"mac","expires_in":1}"#),
        ] {
            assert_eq!(
                failed(token_response(&response(200, body), &[])).kind,
                FailureKind::Unexpected
            );
        }
    }

    #[test]
    fn validation_is_classified_by_status_not_message() {
        let now = 10_000;
        let later = now + 100;
        let earlier = now - 1;
        let any_message = |status: u16, message: &str| {
            response(
                status,
                serde_json::json!({ "error": { "status": status, "message": message } }),
            )
        };
        let cases = [
            (
                response(200, json(r#"{"name":"Song"}"#)),
                later,
                Validation::Valid {
                    track: "Song".into(),
                    seconds_left: 100,
                },
            ),
            (
                any_message(401, "Missing/invalid/expired access token"),
                earlier,
                Validation::Expired,
            ),
            (
                any_message(401, "The access token expired"),
                later,
                Validation::Invalid,
            ),
            (
                any_message(401, "Invalid access token"),
                earlier,
                Validation::Expired,
            ),
            (
                any_message(400, "Only valid bearer authentication supported"),
                later,
                Validation::MalformedHeader,
            ),
            (
                any_message(
                    403,
                    "Active premium subscription required for the owner of the app.",
                ),
                later,
                Validation::PremiumRequired,
            ),
            (
                any_message(429, "API rate limit exceeded").with_header("Retry-After", "30"),
                later,
                Validation::RateLimited {
                    retry_after: Some(30),
                },
            ),
            (
                response(
                    429,
                    json(
                        r#"{"error":{"status":429,"message":"Too many requests","reason":"QUOTA_EXCEEDED"}}"#,
                    ),
                ),
                later,
                Validation::RateLimited { retry_after: None },
            ),
        ];
        for (response, expires_at, want) in cases {
            assert_eq!(
                validation_response(&response, expires_at, now),
                want,
                "{}",
                response.body
            );
        }
        let html = HttpResponse {
            status: 502,
            headers: vec![],
            body: "<html>Bad gateway</html>".into(),
        };
        match validation_response(&html, later, now) {
            Validation::Failed(e) => assert_eq!(e.kind, FailureKind::Unexpected),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn retry_after_comes_only_from_a_429() {
        let limited = |value: &str| response(429, json(r#"{}"#)).with_header("Retry-After", value);
        assert_eq!(retry_after(&limited("30")), Some(30));
        assert_eq!(retry_after(&limited(" 3600 ")), Some(3600));
        assert_eq!(retry_after(&limited("soon")), None);
        assert_eq!(retry_after(&response(429, json(r#"{}"#))), None);
        assert_eq!(
            retry_after(&response(503, json(r#"{}"#)).with_header("Retry-After", "5")),
            None
        );
    }

    #[test]
    fn premium_explanation_says_the_token_is_fine() {
        let (headline, explanation) = Validation::PremiumRequired.describe();
        assert!(headline.contains("Premium"));
        assert!(explanation.contains("Your token is fine"));
    }
}
