//! What went over the wire: each request a run made, where it went, what answered and how
//! long it took. The page records exchanges; the inspector shows them and exports them.
//!
//! An exchange holds the request exactly as sent, secrets included, because Reveal and
//! "Include my values" need them. It lives in the page's memory for the visit only and
//! crosses to the on-demand inspector as JSON text (serde).

use serde::{Deserialize, Serialize};
use wire::{Authorization, HttpRequest};

use crate::export::{self, Endpoint, Lang};
use crate::html::{escape, Markup};
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
}

/// A finished run of a cell, as its history keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunRecord {
    /// The run's number in its cell, from 1: disclosures name their run by it.
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

/// The run's requests and run `serial` of `history`, if it is still kept.
pub fn find(history: &[RunRecord], serial: usize, i: usize) -> Option<&Exchange> {
    history
        .iter()
        .find(|r| r.serial == serial)
        .and_then(|r| r.exchanges.get(i))
}

/// One `<details>` per request; the summary begins with the method and the Spotify URL.
/// The body is filled in by the inspector when the disclosure is first opened.
pub fn requests_markup(run: usize, exchanges: &[Exchange]) -> Markup {
    let mut out = Markup::default();
    for (i, e) in exchanges.iter().enumerate() {
        let answer = match &e.answer {
            Answer::Http {
                status,
                relay_error: Some(_),
                ..
            } => format!("{status} from the relay"),
            Answer::Http { status, .. } => status.to_string(),
            Answer::Failed(_) => "no answer".to_owned(),
        };
        out.push(Markup::from_static(
            "<details class=\"exchange\" data-run=\"",
        ));
        out.push(escape(&run.to_string()));
        out.push(Markup::from_static("\" data-i=\""));
        out.push(escape(&i.to_string()));
        out.push(Markup::from_static("\"><summary>"));
        out.push(escape(&format!(
            "{} {} ({answer}, {} ms)",
            e.request.method,
            e.secrets().mask(&e.request.url),
            e.millis
        )));
        out.push(Markup::from_static(
            "</summary><div class=\"inspect\"></div></details>",
        ));
    }
    out
}

/// The list named "Run history": newest first, each run a disclosure with its requests.
pub fn history_markup(history: &[RunRecord]) -> Markup {
    if history.is_empty() {
        return Markup::default();
    }
    let mut out = Markup::from_static(
        "<p class=\"history-title\">Run history, newest first</p><ol class=\"history\" aria-label=\"Run history\">",
    );
    for run in history.iter().rev() {
        out.push(Markup::from_static("<li><details><summary>"));
        let requests = match run.exchanges.len() {
            1 => "1 request".to_owned(),
            n => format!("{n} requests"),
        };
        out.push(escape(&format!(
            "{}: {}, {} ms, {requests}",
            run.time,
            run.status(),
            run.millis
        )));
        out.push(Markup::from_static("</summary>"));
        out.push(requests_markup(run.serial, &run.exchanges));
        out.push(Markup::from_static("</details></li>"));
    }
    out.push(Markup::from_static("</ol>"));
    out
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

fn row(name: &str, value: Markup) -> Markup {
    let mut out = Markup::from_static("<tr><th scope=\"row\">");
    out.push(escape(name));
    out.push(Markup::from_static("</th><td>"));
    out.push(value);
    out.push(Markup::from_static("</td></tr>"));
    out
}

fn code(text: &str) -> Markup {
    escape(text).wrap("<code>", "</code>")
}

fn header_table(caption: &'static str, headers: &[(String, String)], secrets: &Secrets) -> Markup {
    let mut out = Markup::from_static("<table class=\"headers\"><caption>");
    out.push(Markup::from_static(caption));
    out.push(Markup::from_static("</caption>"));
    if headers.is_empty() {
        out.push(row("(none)", Markup::default()));
    }
    for (name, value) in headers {
        let cell = if name.eq_ignore_ascii_case(wire::auth::HEADER) {
            let basic = matches!(Authorization::parse(value), Authorization::Basic { .. });
            let mut cell = escape(&auth_display(value, false, false))
                .wrap("<code class=\"auth\">", "</code> ");
            cell.push(Markup::from_static(
                "<button type=\"button\" data-act=\"reveal\" aria-pressed=\"false\">Reveal</button>",
            ));
            if basic {
                cell.push(Markup::from_static(
                    " <button type=\"button\" data-act=\"decode\" aria-pressed=\"false\">Decode</button>",
                ));
            }
            cell
        } else {
            code(&secrets.mask(value))
        };
        out.push(row(name, cell));
    }
    out.push(Markup::from_static("</table>"));
    out
}

/// The body of a request's disclosure: where it went, how long it took, headers (the
/// Authorization value masked, with Reveal and, for Basic, Decode), body, status, the
/// response's headers and size, a relay's error apart, and the export controls. `n` makes the
/// radio group's name unique on the page.
pub fn inspect_markup(e: &Exchange, n: usize) -> Markup {
    let secrets = e.secrets();
    let mut out = Markup::from_static("<table class=\"facts\"><caption>Request</caption>");
    let went = match &e.went {
        Went::Sandbox => "the in-page sandbox (nothing left the browser)".to_owned(),
        Went::Relay(url) => format!("the relay, as {}", secrets.mask(url)),
        Went::Direct => "Spotify, directly from the browser".to_owned(),
    };
    out.push(row("Method", code(&e.request.method)));
    out.push(row("URL", code(&secrets.mask(&e.request.url))));
    out.push(row("Sent to", escape(&went)));
    out.push(row("Duration", escape(&format!("{} ms", e.millis))));
    out.push(Markup::from_static("</table>"));
    out.push(header_table(
        "Request headers",
        &e.request.headers,
        &secrets,
    ));
    let body = if e.request.body.is_empty() {
        escape("(empty)")
    } else {
        code(&secrets.mask(&e.request.body))
    };
    out.push(body.wrap("<p>Request body: ", "</p>"));
    match &e.answer {
        Answer::Http {
            status,
            headers,
            size,
            relay_error,
        } => {
            if let Some(relay_code) = relay_error {
                out.push(Markup::from_static("<p class=\"relay-error\">"));
                out.push(escape(&format!(
                    "The relay answered {status} with its own error, {relay_code}: this is not Spotify's answer. The request did not reach Spotify, or Spotify's answer did not come back."
                )));
                out.push(Markup::from_static("</p>"));
            }
            out.push(escape(&format!("Status {status}, body {size} bytes")).wrap("<p>", "</p>"));
            out.push(header_table("Response headers", headers, &secrets));
        }
        Answer::Failed(message) => {
            out.push(
                escape(&format!("No answer: {message}")).wrap("<p class=\"relay-error\">", "</p>"),
            );
        }
    }
    out.push(Markup::from_static(
        "<fieldset class=\"export\" role=\"radiogroup\"><legend>Export target</legend><label><input type=\"radio\" value=\"spotify\" checked name=\"export-",
    ));
    out.push(escape(&n.to_string()));
    out.push(Markup::from_static(
        "\"> Spotify</label> <label><input type=\"radio\" value=\"sandbox\" name=\"export-",
    ));
    out.push(escape(&n.to_string()));
    out.push(Markup::from_static(
        "\"> This server's sandbox</label></fieldset><p><label><input type=\"checkbox\" data-act=\"include\"> Include my values</label></p><p class=\"warn\" hidden>Snippets now hold your credentials and token. Do not share them or commit them.</p><p class=\"export-buttons\">",
    ));
    for lang in Lang::ALL {
        out.push(Markup::from_static("<button type=\"button\" data-lang=\""));
        out.push(escape(lang.label()));
        out.push(Markup::from_static("\">Copy as "));
        out.push(escape(lang.label()));
        out.push(Markup::from_static("</button> "));
    }
    out.push(Markup::from_static(
        "</p><p class=\"copied\" role=\"status\"></p><div class=\"manual\" hidden><p>The browser refused the clipboard. The snippet is selected below: copy it with Ctrl+C (Cmd+C on a Mac).</p><textarea readonly rows=\"12\" aria-label=\"Snippet\"></textarea></div>",
    ));
    out
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
    fn summaries_begin_with_method_and_url_and_escape() {
        let mut e = token_exchange();
        e.request.url.push_str("&x=<b>");
        let html = requests_markup(3, &[e]).into_string();
        assert!(html.contains(
            "<summary>POST https://accounts.spotify.com/api/token?grant_type=client_credentials&amp;x=&lt;b&gt; (502 from the relay, 12 ms)</summary>"
        ));
        assert!(html.contains("data-run=\"3\" data-i=\"0\""));
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
        let html = inspect_markup(&e, 7).into_string();
        assert!(!html.contains("sec\\ret"), "{html}");
        assert!(
            html.contains("<code class=\"auth\">Basic •••</code>"),
            "{html}"
        );
        assert!(html.contains("data-act=\"decode\""));
        assert!(html.contains("its own error, relay_upstream_unreachable"));
        assert!(html.contains("name=\"export-7\""));
        // Positive control: a Spotify answer has no relay note.
        e.answer = Answer::Http {
            status: 200,
            headers: vec![],
            size: 3,
            relay_error: None,
        };
        let html = inspect_markup(&e, 7).into_string();
        assert!(!html.contains("relay-error"));
        assert!(html.contains("Status 200, body 3 bytes"));
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
        let html = inspect_markup(&leaky, 1).into_string();
        assert!(!html.contains(secret) && html.contains("v=•••"), "{html}");
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
        let html = history_markup(&history).into_string();
        assert!(html.contains(
            "<ol class=\"history\" aria-label=\"Run history\"><li><details><summary>t24: no request, 24 ms, 0 requests"
        ));
        assert!(history_markup(&[]).as_str().is_empty());
    }
}
