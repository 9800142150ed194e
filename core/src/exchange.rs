//! What went over the wire: each request a run made, where it went, what answered and how
//! long it took. The page records exchanges; the inspector shows them and exports them.
//!
//! An exchange holds the request exactly as sent, secrets included, because Reveal and
//! "Include my values" need them. It lives in the page's memory for the visit only and
//! crosses to the on-demand inspector as JSON text (`to_json`, `from_json`).

use sandbox::json::{self, Object, Value};
use sandbox::HttpRequest;

use crate::html::{escape, Markup};

/// Where a request went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Went {
    /// The in-page sandbox: nothing left the browser.
    Sandbox,
    /// The network, through the relay at this URL (the relay prefix and the Spotify URL).
    Relay(String),
    /// The network, straight to Spotify.
    Direct,
}

/// What came back.
#[derive(Clone, Debug, PartialEq, Eq)]
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

/// One request and its answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    pub request: HttpRequest,
    pub went: Went,
    pub answer: Answer,
    /// Milliseconds from sending to the whole answer.
    pub millis: u64,
}

impl Exchange {
    /// The status, or `None` when nothing answered.
    pub fn status(&self) -> Option<u16> {
        match &self.answer {
            Answer::Http { status, .. } => Some(*status),
            Answer::Failed(_) => None,
        }
    }

    /// The exchange as JSON text, for the on-demand inspector.
    pub fn to_json(&self) -> String {
        let pairs = |list: &[(String, String)]| {
            json::array(list.iter().map(|(n, v)| json::array([quote(n), quote(v)])))
        };
        let mut o = Object::default();
        o.str("method", &self.request.method)
            .str("url", &self.request.url)
            .raw("headers", &pairs(&self.request.headers))
            .str("body", &self.request.body)
            .num("millis", self.millis);
        match &self.went {
            Went::Sandbox => o.str("went", "sandbox"),
            Went::Relay(url) => o.str("went", "relay").str("relay_url", url),
            Went::Direct => o.str("went", "direct"),
        };
        match &self.answer {
            Answer::Http {
                status,
                headers,
                size,
                relay_error,
            } => {
                o.num("status", u64::from(*status))
                    .raw("response_headers", &pairs(headers))
                    .num("size", *size as u64);
                if let Some(code) = relay_error {
                    o.str("relay_error", code);
                }
            }
            Answer::Failed(message) => {
                o.str("failed", message);
            }
        }
        o.end()
    }

    /// Reads what `to_json` wrote.
    pub fn from_json(text: &str) -> Result<Exchange, String> {
        let v = Value::parse(text).map_err(|e| e.to_string())?;
        let pairs = |key: &str| -> Vec<(String, String)> {
            v.items(key)
                .iter()
                .filter_map(|p| {
                    let p = p.as_array()?;
                    Some((
                        p.first()?.as_str()?.to_owned(),
                        p.get(1)?.as_str()?.to_owned(),
                    ))
                })
                .collect()
        };
        let went = match v.text("went")?.as_str() {
            "sandbox" => Went::Sandbox,
            "relay" => Went::Relay(v.text("relay_url")?),
            _ => Went::Direct,
        };
        let answer = match v.get("status").and_then(Value::as_u64) {
            Some(status) => Answer::Http {
                status: status as u16,
                headers: pairs("response_headers"),
                size: v.get("size").and_then(Value::as_u64).unwrap_or(0) as usize,
                relay_error: v.text("relay_error").ok(),
            },
            None => Answer::Failed(v.text("failed")?),
        };
        Ok(Exchange {
            request: HttpRequest {
                method: v.text("method")?,
                url: v.text("url")?,
                headers: pairs("headers"),
                body: v.text("body")?,
            },
            went,
            answer,
            millis: v.get("millis").and_then(Value::as_u64).unwrap_or(0),
        })
    }
}

fn quote(text: &str) -> String {
    Value::from(text).to_string()
}

/// A finished run of a cell, as its history keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunRecord {
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
            e.request.method, e.request.url, e.millis
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
    let mut out = Markup::from_static("<ol class=\"history\" aria-label=\"Run history\">");
    for (n, run) in history.iter().enumerate().rev() {
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
        out.push(requests_markup(n, &run.exchanges));
        out.push(Markup::from_static("</details></li>"));
    }
    out.push(Markup::from_static("</ol>"));
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
            },
        ];
        for case in cases {
            assert_eq!(Exchange::from_json(&case.to_json()), Ok(case));
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
    fn history_keeps_the_last_twenty_newest_first() {
        let mut history = Vec::new();
        for n in 0..25 {
            remember(
                &mut history,
                RunRecord {
                    time: format!("t{n}"),
                    millis: n,
                    exchanges: vec![],
                },
            );
        }
        assert_eq!(history.len(), HISTORY_LEN);
        assert_eq!(history[0].time, "t5");
        let html = history_markup(&history).into_string();
        assert!(html.starts_with(
            "<ol class=\"history\" aria-label=\"Run history\"><li><details><summary>t24: no request, 24 ms, 0 requests"
        ));
        assert!(history_markup(&[]).as_str().is_empty());
    }
}
