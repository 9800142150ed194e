//! What a cell's run means for the learner (pure): the log a run gathers, masked as it grows,
//! and the verdict when it ends. The page's `run` module feeds it events and shows the result.

use wire::{HttpRequest, HttpResponse};

use crate::classify::{self, ApiAnswer, TokenOutcome};
use crate::keys::KeyHint;
use crate::output::print_response;
use crate::request::TOKEN_ENDPOINT;
use crate::routing::Target;
use crate::runner::{self, Output, Secrets};
use crate::token::SavedToken;

/// What a cell shows after it ran: what it printed, then the verdict and what to do next.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CellOutput {
    /// What the code printed.
    pub printed: Option<String>,
    pub headline: Option<String>,
    pub explanation: Option<String>,
    /// True for a good outcome (token issued, token valid).
    pub ok: bool,
    /// After a 429: when (Unix seconds) the cell may run again. Nothing retries by itself.
    pub retry_at: Option<u64>,
}

/// A failed outcome: a headline and what to do next.
pub fn failure(printed: Option<String>, headline: String, explanation: String) -> CellOutput {
    CellOutput {
        printed,
        headline: Some(headline),
        explanation: Some(explanation),
        ok: false,
        retry_at: None,
    }
}

/// When a rate-limited cell may run again, from the response's Retry-After.
pub fn retry_at(response: &HttpResponse, now: u64) -> Option<u64> {
    classify::retry_after(response).map(|wait| now + wait)
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// The code and everything it started finished.
    Done,
    /// An uncaught error, with its position in the worker's script.
    Error {
        message: String,
        line: Option<u32>,
        column: Option<u32>,
    },
    TimedOut,
    Stopped,
}

/// What one run has gathered so far. Everything it shows is masked as it comes in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunLog {
    /// What the log shows, masked and capped.
    shown: Output,
    /// What the code printed, unmasked, to find a token in. Never shown.
    raw: String,
    /// What must never show.
    secrets: Secrets,
    /// Lines before the code in the worker's script.
    offset: u32,
    /// The last answer from the token endpoint, and the hints to explain it.
    token_answer: Option<(HttpResponse, Vec<KeyHint>)>,
    /// A request that got no answer, explained.
    unanswered: Option<CellOutput>,
    /// The last answer from the Web API.
    api_answer: Option<HttpResponse>,
    /// When the token the run was given expires (seconds), to tell expired from invalid.
    token_expires_at: Option<u64>,
}

impl RunLog {
    /// A run whose code starts after `offset` lines of the worker's script.
    pub fn new(secrets: Secrets, offset: u32) -> Self {
        RunLog {
            secrets,
            offset,
            ..RunLog::default()
        }
    }

    /// The run uses a saved token that expires at `at` (seconds).
    pub fn token_expires_at(mut self, at: Option<u64>) -> Self {
        self.token_expires_at = at;
        self
    }

    /// `console.log` and friends.
    pub fn log(&mut self, text: &str) {
        self.shown.push(&self.secrets.mask(text));
        self.raw.push_str(text);
        self.raw.push('\n');
    }

    /// `printResponse(response)`: printed as the lesson prints it.
    pub fn print(&mut self, response: &HttpResponse) {
        self.shown
            .push(&self.secrets.mask(&print_response(response)));
        self.raw.push_str(&response.body);
        self.raw.push('\n');
    }

    /// The worker stopped sending output at the cap.
    pub fn truncate(&mut self) {
        self.shown.truncate();
    }

    /// The code sends `request`: the credential it carries joins the secrets.
    pub fn sending(&mut self, request: &HttpRequest) {
        self.secrets.add_credential_of(request);
    }

    /// `request` got `response`. A token it issues joins the secrets before the code can see
    /// it; the token endpoint's answer is kept to explain the run.
    pub fn answered(
        &mut self,
        request: &HttpRequest,
        response: &HttpResponse,
        hints: Vec<KeyHint>,
    ) {
        if request.url.starts_with(TOKEN_ENDPOINT) {
            self.secrets.add_issued_token(response);
            self.token_answer = Some((response.clone(), hints));
        } else {
            self.api_answer = Some(response.clone());
        }
    }

    /// A line of the page's own in the log, such as a renewal notice.
    pub fn note(&mut self, text: &str) {
        self.shown.push(&self.secrets.mask(text));
    }

    /// A token the page got for the run joins the secrets.
    pub fn add_secret(&mut self, value: &str) {
        self.secrets.add(value);
    }

    /// A request got no answer at all; `output` explains why.
    pub fn unanswered(&mut self, output: CellOutput) {
        self.unanswered = Some(output);
    }

    /// What the log shows so far.
    pub fn shown(&self) -> &str {
        self.shown.text()
    }
}

/// A finished run: what the cell shows, a token to offer in the Save dialog, and the body of
/// a good Web API answer, whose items the cell's key saves can offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub output: CellOutput,
    pub token: Option<SavedToken>,
    pub answer: Option<String>,
}

/// What a run that ended with `end` means. `now` is in seconds; `target` is where the
/// run's requests went, which a saved token remembers.
pub fn run_verdict(end: End, log: RunLog, now: u64, target: Target) -> Verdict {
    let RunLog {
        mut shown,
        raw,
        secrets,
        offset,
        token_answer,
        unanswered,
        api_answer,
        token_expires_at,
    } = log;
    let mut token = None;
    let mut answer = None;
    let verdict = match end {
        End::Error {
            message,
            line,
            column,
        } => {
            let message = secrets.mask(&message);
            let position = line
                .zip(column)
                .and_then(|(l, c)| runner::code_position(offset, l, c));
            let at = position.map_or(String::new(), |(l, c)| format!(" at line {l}, column {c}"));
            shown.push(&format!("Uncaught {message}{at}"));
            failure(
                None,
                format!("Your code stopped with an error{at}."),
                format!("{message}. Fix the code (Reset brings back the lesson's code), then press Run again."),
            )
        }
        End::TimedOut => failure(
            None,
            format!("Stopped after {} seconds.", runner::TIMEOUT_MS / 1000),
            "The code was still running: an endless loop, or a promise that never settles. Check loops and awaits, then press Run again.".into(),
        ),
        End::Stopped => failure(
            None,
            "Stopped.".into(),
            "You pressed Stop: the worker running the code was ended.".into(),
        ),
        End::Done => {
            if let Some(found) = runner::extract_token(&raw) {
                token = Some(SavedToken {
                    expires_at: now + found.expires_in,
                    access_token: found.access_token,
                    token_type: found.token_type,
                    target,
                });
                CellOutput {
                    headline: Some("Got an access token.".into()),
                    explanation: Some("Save it in the dialog to use it in the next cell.".into()),
                    ok: true,
                    ..CellOutput::default()
                }
            } else if let Some(unanswered) = unanswered {
                unanswered
            } else if let Some((response, hints)) = token_answer {
                match classify::token_response(&response, &hints) {
                    TokenOutcome::Failed(e) => CellOutput {
                        retry_at: retry_at(&response, now),
                        ..failure(None, e.headline, e.explanation)
                    },
                    TokenOutcome::Issued(_) => CellOutput {
                        headline: Some("Spotify issued a token, but the code did not print it.".into()),
                        explanation: Some("Print the response with printResponse(response) to see it and save it.".into()),
                        ..CellOutput::default()
                    },
                }
            } else if let Some(response) = api_answer {
                match classify::api_answer(&response, token_expires_at, now) {
                    ApiAnswer::Ok { status } => {
                        answer = Some(response.body);
                        CellOutput {
                            headline: Some(format!(
                                "Spotify answered {status} {}.",
                                crate::output::reason(status)
                            )),
                            ok: true,
                            ..CellOutput::default()
                        }
                    }
                    ApiAnswer::Failed(e) => CellOutput {
                        retry_at: retry_at(&response, now),
                        ..failure(None, e.headline, e.explanation)
                    },
                }
            } else {
                CellOutput {
                    headline: Some("Finished.".into()),
                    ..CellOutput::default()
                }
            }
        }
    };
    let text = shown.text();
    let output = CellOutput {
        printed: (!text.is_empty())
            .then(|| text.to_owned())
            .or(verdict.printed.clone()),
        ..verdict
    };
    Verdict {
        output,
        token,
        answer,
    }
}

/// What the validate cell's answer means, for a saved token at `now` (seconds). The flag is
/// true when the token works.
pub fn validate_verdict(
    response: &HttpResponse,
    saved: &SavedToken,
    now: u64,
) -> (CellOutput, bool) {
    let verdict = classify::validation_response(response, saved.expires_at, now);
    let (headline, explanation) = verdict.describe();
    let ok = verdict.is_valid();
    let output = CellOutput {
        printed: Some(print_response(response)),
        headline: Some(headline),
        explanation: Some(explanation),
        ok,
        retry_at: retry_at(response, now),
    };
    (output, ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Whitespace;

    const NOW: u64 = 1_800_000_000;

    fn token_request() -> HttpRequest {
        HttpRequest::new(
            "POST",
            format!("{TOKEN_ENDPOINT}?grant_type=client_credentials"),
        )
        .header("Authorization", "Basic aWQ6c2VjcmV0MQ==")
    }

    fn answer(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("retry-after".into(), "30".into())],
            body: body.into(),
        }
    }

    const ISSUED: &str =
        r#"{"access_token":"BQDissuedtoken","token_type":"Bearer","expires_in":60}"#;
    const WRONG_SECRET: &str =
        r#"{"error":"invalid_client","error_description":"Invalid client secret"}"#;

    /// A run that sent the token request and got `response`, printing it if `print`, then
    /// logging `logged`.
    fn run(response: Option<HttpResponse>, print: bool, logged: &str) -> RunLog {
        let mut secrets = Secrets::default();
        secrets.add("secret1");
        let mut log = RunLog::new(secrets, 40);
        let request = token_request();
        log.sending(&request);
        if let Some(response) = response {
            let hints = vec![KeyHint {
                label: "Client Secret".into(),
                whitespace: Whitespace::Spaces,
                suspect_for: "Invalid client secret".into(),
            }];
            log.answered(&request, &response, hints);
            if print {
                log.print(&response);
            }
        }
        if !logged.is_empty() {
            log.log(logged);
        }
        log
    }

    const SEARCH: &str = r#"{"artists":{"items":[{"id":"a1","name":"Oona"}]}}"#;
    const EXPIRED: &str =
        r#"{"error":{"status":401,"message":"Missing/invalid/expired access token"}}"#;

    /// A run that called the Web API with a token expiring at `expires_at` and printed the
    /// answer.
    fn api_run(response: HttpResponse, expires_at: Option<u64>) -> RunLog {
        let mut log = RunLog::new(Secrets::default(), 40).token_expires_at(expires_at);
        let request = HttpRequest::new("GET", "https://api.spotify.com/v1/search?q=o&type=artist")
            .header("Authorization", "Bearer BQsaved");
        log.sending(&request);
        log.answered(&request, &response, Vec::new());
        log.print(&response);
        log
    }

    #[test]
    fn verdicts() {
        let no_answer = failure(
            Some("Error: TypeError: Failed to fetch".into()),
            "The relay could not be reached".into(),
            "explained".into(),
        );
        let unanswered = {
            let mut log = run(None, false, "");
            log.unanswered(no_answer.clone());
            log
        };
        let error = End::Error {
            message: "ReferenceError: secret1 is not defined".into(),
            line: Some(42),
            column: Some(5),
        };
        // (end, log, headline, ok, retry_at, a token offered, printed contains)
        type Case = (
            End,
            RunLog,
            &'static str,
            bool,
            Option<u64>,
            bool,
            &'static str,
        );
        let cases: Vec<Case> = vec![
            (
                End::Done,
                run(Some(answer(200, ISSUED)), true, ""),
                "Got an access token.",
                true,
                None,
                true,
                "Status: 200 OK",
            ),
            (
                End::Done,
                run(Some(answer(200, ISSUED)), false, ""),
                "Spotify issued a token, but the code did not print it.",
                false,
                None,
                false,
                "",
            ),
            (
                End::Done,
                run(Some(answer(400, WRONG_SECRET)), true, ""),
                "Spotify answered: invalid_client / Invalid client secret",
                false,
                None,
                false,
                "Invalid client secret",
            ),
            (
                End::Done,
                run(
                    Some(answer(429, r#"{"error":"relay_rate_limited"}"#)),
                    true,
                    "",
                ),
                "The relay refused this request (relay_rate_limited, status 429)",
                false,
                Some(NOW + 30),
                false,
                "429",
            ),
            (
                End::Done,
                unanswered,
                "The relay could not be reached",
                false,
                None,
                false,
                "Failed to fetch",
            ),
            (
                End::Done,
                run(None, false, "hello"),
                "Finished.",
                false,
                None,
                false,
                "hello",
            ),
            (
                error,
                run(None, false, ""),
                "Your code stopped with an error at line 2, column 5.",
                false,
                None,
                false,
                "Uncaught ReferenceError: ••• is not defined at line 2, column 5",
            ),
            (
                End::TimedOut,
                run(None, false, ""),
                "Stopped after 10 seconds.",
                false,
                None,
                false,
                "",
            ),
            (
                End::Done,
                api_run(answer(200, SEARCH), Some(NOW + 60)),
                "Spotify answered 200 OK.",
                true,
                None,
                false,
                "Oona",
            ),
            (
                End::Done,
                api_run(answer(401, EXPIRED), Some(NOW - 1)),
                "The access token has expired (401).",
                false,
                None,
                false,
                "Status: 401",
            ),
            (
                End::Done,
                api_run(
                    answer(
                        429,
                        r#"{"error":{"status":429,"message":"API rate limit exceeded"}}"#,
                    ),
                    None,
                ),
                "Too many requests: Spotify is rate limiting this app (429).",
                false,
                Some(NOW + 30),
                false,
                "429",
            ),
            (
                End::Stopped,
                run(Some(answer(200, ISSUED)), true, ""),
                "Stopped.",
                false,
                None,
                false,
                "Status: 200 OK",
            ),
        ];
        for (end, log, headline, ok, retry, offers_token, printed) in cases {
            let what = format!("{end:?} → {headline}");
            let verdict = run_verdict(end, log, NOW, Target::Sandbox);
            assert_eq!(verdict.output.headline.as_deref(), Some(headline), "{what}");
            assert_eq!(verdict.output.ok, ok, "{what}");
            assert_eq!(verdict.output.retry_at, retry, "{what}");
            assert_eq!(verdict.token.is_some(), offers_token, "{what}");
            // A good Web API answer is kept for the cell's key saves; nothing else is.
            assert_eq!(
                verdict.answer.as_deref(),
                (headline == "Spotify answered 200 OK.").then_some(SEARCH),
                "{what}"
            );
            let shown = verdict.output.printed.unwrap_or_default();
            assert!(shown.contains(printed), "{what}: {shown}");
        }
    }

    #[test]
    fn a_printed_token_is_offered_with_its_expiry_and_target() {
        let verdict = run_verdict(
            End::Done,
            run(Some(answer(200, ISSUED)), true, ""),
            NOW,
            Target::Spotify,
        );
        assert_eq!(
            verdict.token,
            Some(SavedToken {
                access_token: "BQDissuedtoken".into(),
                token_type: "Bearer".into(),
                expires_at: NOW + 60,
                target: Target::Spotify,
            })
        );
    }

    #[test]
    fn the_whitespace_hint_explains_a_wrong_secret() {
        let verdict = run_verdict(
            End::Done,
            run(Some(answer(400, WRONG_SECRET)), true, ""),
            NOW,
            Target::Sandbox,
        );
        let explanation = verdict.output.explanation.unwrap_or_default();
        assert!(
            explanation.contains("Your Client Secret starts or ends with a space"),
            "{explanation}"
        );
    }

    #[test]
    fn secrets_never_show_in_the_log() {
        // The code logs the secret, the Basic credential, and the issued token itself.
        let logged = "secret1 aWQ6c2VjcmV0MQ== BQDissuedtoken";
        let verdict = run_verdict(
            End::Done,
            run(Some(answer(200, ISSUED)), true, logged),
            NOW,
            Target::Sandbox,
        );
        let shown = verdict.output.printed.unwrap_or_default();
        assert!(shown.contains("••• ••• •••"), "{shown}");
        for secret in ["secret1", "aWQ6c2VjcmV0MQ==", "BQDissuedtoken"] {
            assert!(!shown.contains(secret), "{secret} shows in {shown}");
        }
        // The token is still found in what was printed, for the Save dialog.
        assert_eq!(
            verdict.token.map(|t| t.access_token).as_deref(),
            Some("BQDissuedtoken")
        );
    }

    #[test]
    fn validate_verdicts() {
        let saved = SavedToken {
            access_token: "BQDx".into(),
            token_type: "Bearer".into(),
            expires_at: NOW + 100,
            target: Target::Sandbox,
        };
        let track = answer(200, r#"{"name":"Some Song","id":"2TpxZ7JUBn3uw46aR7qd6V"}"#);
        let expired = answer(
            401,
            r#"{"error":{"status":401,"message":"The access token expired"}}"#,
        );
        // (response, now, ok, headline, retry_at)
        let cases = [
            (&track, NOW, true, "The access token is valid.", None),
            (
                &expired,
                NOW + 100,
                false,
                "The access token has expired.",
                None,
            ),
            (&expired, NOW, false, "The access token is invalid.", None),
            (
                &answer(429, "{}"),
                NOW,
                false,
                "Too many requests: Spotify is rate limiting this app.",
                Some(NOW + 30),
            ),
        ];
        for (response, now, ok, headline, retry) in cases {
            let (output, valid) = validate_verdict(response, &saved, now);
            assert_eq!((valid, output.ok), (ok, ok), "{headline}");
            assert_eq!(output.headline.as_deref(), Some(headline));
            assert_eq!(output.retry_at, retry, "{headline}");
            assert!(output.printed.is_some_and(|p| p.starts_with("Status: ")));
        }
    }
}
