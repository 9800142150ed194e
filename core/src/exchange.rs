//! What went over the wire: each request a run made, where it went, what answered and how
//! long it took. The page records exchanges; the inspector shows them and exports them.
//!
//! An exchange holds the request exactly as sent, secrets included, because Reveal and
//! "Include my values" need them. It lives in the page's memory for the visit only and
//! crosses to the on-demand inspector as JSON text (serde).

use serde::{Deserialize, Serialize};
use wire::{Authorization, HttpRequest};

use crate::export::{self, Endpoint, Lang};
use crate::runner::Secrets;

/// Where a request went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Went {
    /// The in-page sandbox: nothing left the browser.
    Sandbox,
    /// The network, through the relay at this URL (the relay prefix and the Spotify URL).
    Relay(String),
    /// The network, straight to Spotify.
    Direct,
}

/// What came back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    /// An HTTP answer. `relay_error` holds the relay's own `relay_…` code when the relay, not
    /// Spotify, answered.
    Http {
        status: u16,
        headers: Vec<(String, String)>,
        /// Body size in bytes (UTF-8).
        size: usize,
        relay_error: Option<String>,
    },
    /// No HTTP answer at all: the browser's message.
    Failed(String),
}

/// One request and its answer; it crosses to the on-demand inspector with its derived
/// serializer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    pub request: HttpRequest,
    pub went: Went,
    pub answer: Answer,
    /// Milliseconds from sending to the whole answer.
    pub millis: u64,
    /// The secret values the page knew when it sent the request (the lesson's secret keys,
    /// the saved token): masked wherever they appear, and never put in a snippet unasked.
    pub known_secrets: Vec<String>,
}

impl Exchange {
    /// The status, or `None` when nothing answered.
    pub fn status(&self) -> Option<u16> {
        match &self.answer {
            Answer::Http { status, .. } => Some(*status),
            Answer::Failed(_) => None,
        }
    }

    /// What the inspector masks: the secrets the page knew, and the credentials the request
    /// carries (the Authorization value, a Basic pair's secret).
    pub fn secrets(&self) -> Secrets {
        let mut secrets = Secrets::default();
        for value in &self.known_secrets {
            secrets.add(value);
        }
        secrets.add_credential_of(&self.request);
        secrets
    }

    /// The request as a snippet. Without `include_values`, a secret the page knows that is
    /// sent elsewhere than in the Authorization header or as form credentials (a header or a
    /// URL written by the learner's code) would stay in the snippet: then there is no snippet,
    /// and the message says what to do.
    pub fn snippet(
        &self,
        lang: Lang,
        endpoint: Endpoint,
        include_values: bool,
    ) -> Result<String, String> {
        let text = export::snippet(&self.request, lang, endpoint, include_values);
        let mut known = Secrets::default();
        for value in &self.known_secrets {
            known.add(value);
        }
        if include_values || known.mask(&text) == text {
            Ok(text)
        } else {
            Err("Not copied: this request sends a secret outside its Authorization header, so the snippet would hold it. Check \"Include my values\" to export it as it is, and keep the snippet to yourself.".to_owned())
        }
    }

    /// The disclosure's summary: the method, the Spotify URL (secrets masked), what answered
    /// and how long it took: "POST https://… (502 from the relay, 12 ms)".
    pub fn summary(&self) -> String {
        let answer = match &self.answer {
            Answer::Http {
                status,
                relay_error: Some(_),
                ..
            } => format!("{status} from the relay"),
            Answer::Http { status, .. } => status.to_string(),
            Answer::Failed(_) => "no answer".to_owned(),
        };
        format!(
            "{} {} ({answer}, {} ms)",
            self.request.method,
            self.secrets().mask(&self.request.url),
            self.millis
        )
    }

    /// What the inspector shows of this exchange: every secret masked, but for the
    /// Authorization value, which the inspector shows through [`auth_display`].
    pub fn inspection(&self) -> Inspection {
        let secrets = self.secrets();
        let sent_to = match &self.went {
            Went::Sandbox => "the in-page sandbox (nothing left the browser)".to_owned(),
            Went::Relay(url) => format!("the relay, as {}", secrets.mask(url)),
            Went::Direct => "Spotify, directly from the browser".to_owned(),
        };
        let outcome = match &self.answer {
            Answer::Http {
                status,
                headers,
                size,
                relay_error,
            } => Outcome::Answered {
                relay_note: relay_error.as_ref().map(|code| format!(
                    "The relay answered {status} with its own error, {code}: this is not Spotify's answer. The request did not reach Spotify, or Spotify's answer did not come back."
                )),
                status_line: format!("Status {status}, body {size} bytes"),
                headers: header_lines(headers, &secrets),
            },
            Answer::Failed(message) => Outcome::NoAnswer(format!("No answer: {message}")),
        };
        Inspection {
            method: self.request.method.clone(),
            url: secrets.mask(&self.request.url),
            sent_to,
            duration: format!("{} ms", self.millis),
            request_headers: header_lines(&self.request.headers, &secrets),
            body: (!self.request.body.is_empty()).then(|| secrets.mask(&self.request.body)),
            outcome,
        }
    }
}

/// A finished run of a cell, as its history keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunRecord {
    /// The run's number in its cell, from 1: the history keys its runs by it.
    pub serial: usize,
    /// Local wall-clock time the run started, "14:02:11".
    pub time: String,
    pub millis: u64,
    pub exchanges: Vec<Exchange>,
}

impl RunRecord {
    /// The run's status: its last answer's, "no answer", or "no request".
    pub fn status(&self) -> String {
        match self.exchanges.last() {
            None => "no request".to_owned(),
            Some(e) => e.status().map_or("no answer".to_owned(), |s| s.to_string()),
        }
    }

    /// The history's line for this run: "14:02:11: 200, 35 ms, 2 requests".
    pub fn summary(&self) -> String {
        let requests = match self.exchanges.len() {
            1 => "1 request".to_owned(),
            n => format!("{n} requests"),
        };
        format!(
            "{}: {}, {} ms, {requests}",
            self.time,
            self.status(),
            self.millis
        )
    }
}

/// How many runs a cell's history keeps.
pub const HISTORY_LEN: usize = 20;

/// Adds `run` to `history`, dropping the oldest past `HISTORY_LEN`.
pub fn remember(history: &mut Vec<RunRecord>, run: RunRecord) {
    history.push(run);
    if history.len() > HISTORY_LEN {
        history.remove(0);
    }
}

/// What the inspector shows of one exchange: plain data, which the on-demand module renders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspection {
    pub method: String,
    /// The URL, secrets masked.
    pub url: String,
    /// Where the request went, in words.
    pub sent_to: String,
    /// "12 ms".
    pub duration: String,
    pub request_headers: Vec<HeaderLine>,
    /// The request body, secrets masked; `None` when empty.
    pub body: Option<String>,
    pub outcome: Outcome,
}

/// A header as the inspector shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderLine {
    pub name: String,
    pub value: HeaderValue,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderValue {
    /// Any header but Authorization: its value, secrets masked.
    Text(String),
    /// The Authorization header: its value as sent, shown only through [`auth_display`],
    /// with Reveal, and Decode when `basic`.
    Authorization { value: String, basic: bool },
}

/// What came back, as the inspector says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Answered {
        /// When the relay, not Spotify, answered: what that means.
        relay_note: Option<String>,
        /// "Status 200, body 3 bytes".
        status_line: String,
        headers: Vec<HeaderLine>,
    },
    /// "No answer: " and the browser's message.
    NoAnswer(String),
}

fn header_lines(headers: &[(String, String)], secrets: &Secrets) -> Vec<HeaderLine> {
    headers
        .iter()
        .map(|(name, value)| HeaderLine {
            name: name.clone(),
            value: if name.eq_ignore_ascii_case(wire::auth::HEADER) {
                HeaderValue::Authorization {
                    value: value.clone(),
                    basic: matches!(Authorization::parse(value), Authorization::Basic { .. }),
                }
            } else {
                HeaderValue::Text(secrets.mask(value))
            },
        })
        .collect()
}

/// How the inspector shows an Authorization value: masked (`Bearer •••`), revealed, and for
/// Basic also decoded, as `id:••••` or, revealed, `id:secret`.
pub fn auth_display(value: &str, reveal: bool, decode: bool) -> String {
    let parsed = Authorization::parse(value);
    if let (Authorization::Basic { id, secret }, true) = (&parsed, decode) {
        let secret = if reveal {
            secret.as_str()
        } else {
            "••••"
        };
        return format!("Basic base64 of {id}:{secret}");
    }
    match (reveal, parsed.scheme()) {
        (true, _) => value.to_owned(),
        (false, Some(scheme)) => format!("{scheme} •••"),
        (false, None) => "•••".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_exchange() -> Exchange {
        Exchange {
            request: crate::request::token_request("id \"1\"", "sec\\ret"),
            went: Went::Relay("/relay/https://accounts.spotify.com/api/token".into()),
            answer: Answer::Http {
                status: 502,
                headers: vec![("content-type".into(), "application/json".into())],
                size: 71,
                relay_error: Some("relay_upstream_unreachable".into()),
            },
            millis: 12,
            known_secrets: vec!["sec\\ret".into()],
        }
    }

    #[test]
    fn json_round_trip() {
        let cases = [
            token_exchange(),
            Exchange {
                request: crate::request::validation_request("tok"),
                went: Went::Sandbox,
                answer: Answer::Failed("TypeError: Failed to fetch".into()),
                millis: 0,
                known_secrets: vec![],
            },
            Exchange {
                request: HttpRequest::new("GET", "https://api.spotify.com/v1/search?q=a%20b"),
                went: Went::Direct,
                answer: Answer::Http {
                    status: 200,
                    headers: vec![],
                    size: 0,
                    relay_error: None,
                },
                millis: 5,
                known_secrets: vec!["tok\"en".into(), "x".into()],
            },
        ];
        for case in cases {
            let text = serde_json::to_string(&case).expect("JSON");
            assert_eq!(serde_json::from_str::<Exchange>(&text).ok(), Some(case));
        }
    }

    #[test]
    fn summaries_begin_with_method_and_url_and_mask_secrets() {
        let mut relayed = token_exchange();
        relayed.request.url.push_str("&echo=sec\\ret");
        let mut failed = token_exchange();
        failed.answer = Answer::Failed("TypeError".into());
        failed.millis = 3;
        let mut ok = token_exchange();
        ok.answer = Answer::Http {
            status: 200,
            headers: vec![],
            size: 3,
            relay_error: None,
        };
        let cases = [
            (relayed, "POST https://accounts.spotify.com/api/token?grant_type=client_credentials&echo=••• (502 from the relay, 12 ms)"),
            (failed, "POST https://accounts.spotify.com/api/token?grant_type=client_credentials (no answer, 3 ms)"),
            (ok, "POST https://accounts.spotify.com/api/token?grant_type=client_credentials (200, 12 ms)"),
        ];
        for (exchange, summary) in cases {
            assert_eq!(exchange.summary(), summary);
        }
    }

    #[test]
    fn authorization_is_masked_revealed_and_decoded() {
        let basic = Authorization::basic("the-id", "the-secret").header_value();
        let cases = [
            ("Bearer tok123", false, false, "Bearer •••"),
            ("Bearer tok123", true, false, "Bearer tok123"),
            ("Bearer tok123", false, true, "Bearer •••"),
            (basic.as_str(), false, false, "Basic •••"),
            (basic.as_str(), false, true, "Basic base64 of the-id:••••"),
            (
                basic.as_str(),
                true,
                true,
                "Basic base64 of the-id:the-secret",
            ),
            (basic.as_str(), true, false, basic.as_str()),
            ("Basic !!notbase64", false, true, "Basic •••"),
            ("opaque", false, false, "•••"),
        ];
        for (value, reveal, decode, shown) in cases {
            assert_eq!(
                auth_display(value, reveal, decode),
                shown,
                "{value} {reveal} {decode}"
            );
        }
    }

    #[test]
    fn the_inspector_masks_credentials_and_shows_relay_errors_apart() {
        let mut e = token_exchange();
        e.request.url.push_str("&echo=sec\\ret");
        let seen = e.inspection();
        assert_eq!(seen.method, "POST");
        assert!(seen.url.ends_with("&echo=•••"), "{}", seen.url);
        assert_eq!(
            seen.sent_to,
            "the relay, as /relay/https://accounts.spotify.com/api/token"
        );
        assert_eq!(seen.duration, "12 ms");
        assert_eq!(seen.body, None);
        assert_eq!(
            seen.request_headers[0].value,
            HeaderValue::Text("application/x-www-form-urlencoded".into())
        );
        let auth = &seen.request_headers[1];
        assert!(auth.name.eq_ignore_ascii_case("authorization"));
        let HeaderValue::Authorization { value, basic } = &auth.value else {
            panic!("{auth:?}");
        };
        assert!(basic);
        assert_eq!(auth_display(value, false, false), "Basic •••");
        let Outcome::Answered {
            relay_note: Some(note),
            status_line,
            headers,
        } = &seen.outcome
        else {
            panic!("{:?}", seen.outcome);
        };
        assert!(
            note.contains("its own error, relay_upstream_unreachable"),
            "{note}"
        );
        assert_eq!(status_line, "Status 502, body 71 bytes");
        assert_eq!(
            headers[0].value,
            HeaderValue::Text("application/json".into())
        );
        // Positive control: a Spotify answer has no relay note.
        e.answer = Answer::Http {
            status: 200,
            headers: vec![],
            size: 3,
            relay_error: None,
        };
        assert_eq!(
            e.inspection().outcome,
            Outcome::Answered {
                relay_note: None,
                status_line: "Status 200, body 3 bytes".into(),
                headers: vec![],
            }
        );
        e.answer = Answer::Failed("TypeError: Failed to fetch".into());
        assert_eq!(
            e.inspection().outcome,
            Outcome::NoAnswer("No answer: TypeError: Failed to fetch".into())
        );
    }

    /// A secret the learner's code sends in its own header: masked in the inspector, and no
    /// snippet unless asked. Control: the same secret in the Authorization header exports.
    #[test]
    fn a_secret_outside_the_authorization_header_is_never_exported_unasked() {
        let secret = "the-client-secret";
        let leaky = Exchange {
            request: HttpRequest::new("GET", "https://api.spotify.com/v1/x")
                .header("X-Mine", format!("v={secret}")),
            went: Went::Sandbox,
            answer: Answer::Failed("x".into()),
            millis: 1,
            known_secrets: vec![secret.into()],
        };
        let seen = leaky.inspection();
        assert_eq!(
            seen.request_headers[0].value,
            HeaderValue::Text("v=•••".into())
        );
        for lang in Lang::ALL {
            let refused = leaky.snippet(lang, Endpoint::Spotify, false);
            assert!(
                refused
                    .as_ref()
                    .is_err_and(|m| m.contains("Include my values")),
                "{refused:?}"
            );
            let asked = leaky
                .snippet(lang, Endpoint::Spotify, true)
                .expect("asked for");
            assert!(asked.contains(secret));
            let mut fine = leaky.clone();
            fine.request = crate::request::token_request("id", secret);
            let text = fine
                .snippet(lang, Endpoint::Spotify, false)
                .expect("exported");
            assert!(!text.contains(secret), "{text}");
        }
    }

    #[test]
    fn history_keeps_the_last_twenty_newest_first() {
        let mut history = Vec::new();
        for n in 0..25 {
            remember(
                &mut history,
                RunRecord {
                    serial: n as usize + 1,
                    time: format!("t{n}"),
                    millis: n,
                    exchanges: vec![],
                },
            );
        }
        assert_eq!(history.len(), HISTORY_LEN);
        assert_eq!(history[0].time, "t5");
        let mut last = history[HISTORY_LEN - 1].clone();
        assert_eq!(last.summary(), "t24: no request, 24 ms, 0 requests");
        last.exchanges = vec![token_exchange()];
        assert_eq!(last.summary(), "t24: 502, 24 ms, 1 request");
    }
}
