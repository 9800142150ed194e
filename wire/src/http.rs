//! Plain HTTP-shaped values shared by the sandbox, the page's request builder and the server.
//!
//! These carry no I/O: the page turns them into `fetch` calls, the server into axum responses.
//! They cross from the page to its on-demand module, which runs the sandbox, with their
//! derived serializers (headers as `[name, value]` pairs, order and duplicates kept).

use serde::{Deserialize, Serialize};

/// A request as the lesson's code would send it: absolute URL, headers, body text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpRequest {
    /// `GET`, `POST`, … (compared case-insensitively by the sandbox).
    pub method: String,
    /// Absolute URL, for example `https://accounts.spotify.com/api/token?grant_type=client_credentials`.
    pub url: String,
    /// Header names as written; lookups are case-insensitive.
    pub headers: Vec<(String, String)>,
    /// Body text; empty for none.
    pub body: String,
}

impl HttpRequest {
    /// A request with no headers and no body.
    pub fn new(method: &str, url: impl Into<String>) -> Self {
        Self {
            method: method.to_owned(),
            url: url.into(),
            headers: Vec::new(),
            body: String::new(),
        }
    }

    /// Adds a header (builder style).
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// Sets the body (builder style).
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = body.into();
        self
    }

    /// The first header with this name, compared case-insensitively.
    pub fn header_value(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// A response: status, headers and body text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    /// A JSON response with `content-type: application/json; charset=utf-8`.
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        Self::json_text(status, body.to_string())
    }

    /// A JSON response whose body is written already.
    pub fn json_text(status: u16, body: String) -> Self {
        Self {
            status,
            headers: vec![(
                "content-type".to_owned(),
                "application/json; charset=utf-8".to_owned(),
            )],
            body,
        }
    }

    /// Adds a header (builder style).
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The first header with this name, compared case-insensitively.
    pub fn header_value(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The parts of an absolute `http(s)` URL that the sandbox and the page need.
///
/// Deliberately small: the `url` crate (with IDNA tables) would cost the page bundle more than
/// the rest of the sandbox together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlParts<'a> {
    pub scheme: &'a str,
    /// Host with any port, lowercase is not enforced here.
    pub authority: &'a str,
    /// Path, starting with `/` (or `/` when the URL has none).
    pub path: &'a str,
    /// Query without the `?`, if any.
    pub query: Option<&'a str>,
}

/// Splits an absolute URL; `None` when it has no `scheme://`.
pub fn split_url(url: &str) -> Option<UrlParts<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    let rest = rest.split('#').next().unwrap_or_default();
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match before_query.find('/') {
        Some(i) => (&before_query[..i], &before_query[i..]),
        None => (before_query, "/"),
    };
    Some(UrlParts {
        scheme,
        authority,
        path,
        query,
    })
}

/// Decodes `application/x-www-form-urlencoded` text into name/value pairs, in order.
pub fn parse_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

/// Percent-decodes form text (`+` is a space); invalid escapes are kept as written.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes text for a form or query component (unreserved characters stay as they are).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls() {
        let u = split_url("https://accounts.spotify.com/api/token?grant_type=client_credentials")
            .expect("absolute");
        assert_eq!(u.scheme, "https");
        assert_eq!(u.authority, "accounts.spotify.com");
        assert_eq!(u.path, "/api/token");
        assert_eq!(u.query, Some("grant_type=client_credentials"));
        let bare = split_url("https://api.spotify.com").expect("absolute");
        assert_eq!(bare.path, "/");
        assert_eq!(bare.query, None);
        assert_eq!(split_url("/relative"), None);
    }

    #[test]
    fn requests_and_responses_cross_as_json() {
        let requests = [
            HttpRequest::new("GET", "https://api.spotify.com/v1/search?q=a%20b"),
            HttpRequest::new("POST", "https://accounts.spotify.com/api/token")
                .header("Authorization", "Basic \"x\"\n")
                .header("X-Twice", "1")
                .header("x-twice", "2")
                .body("é\u{1}&=🎵"),
        ];
        for r in requests {
            let text = serde_json::to_string(&r).expect("JSON");
            assert_eq!(serde_json::from_str::<HttpRequest>(&text).ok(), Some(r));
        }
        let responses = [
            HttpResponse::json_text(200, "{\"a\":[1]}".into()).with_header("retry-after", "3"),
            HttpResponse {
                status: 503,
                headers: vec![],
                body: String::new(),
            },
        ];
        for r in responses {
            let text = serde_json::to_string(&r).expect("JSON");
            assert_eq!(serde_json::from_str::<HttpResponse>(&text).ok(), Some(r));
        }
        // Headers are [name, value] pairs; anything missing is an error, not a default.
        let pairs = r#"{"method":"GET","url":"u","headers":[["a","1"],["a","2"]],"body":""}"#;
        let read: HttpRequest = serde_json::from_str(pairs).expect("pairs");
        assert_eq!(read.headers.len(), 2);
        assert!(serde_json::from_str::<HttpResponse>("{}").is_err());
        assert!(serde_json::from_str::<HttpRequest>("{}").is_err());
    }

    #[test]
    fn form_round_trip() {
        let cases = [
            ("a=1&b=2", vec![("a", "1"), ("b", "2")]),
            (
                "grant_type=client_credentials",
                vec![("grant_type", "client_credentials")],
            ),
            ("x=a+b%20c", vec![("x", "a b c")]),
            ("x=%zz%4", vec![("x", "%zz%4")]),
            ("flag&&y=", vec![("flag", ""), ("y", "")]),
            ("s=%0A", vec![("s", "\n")]),
        ];
        for (text, want) in cases {
            let got = parse_form(text);
            let want: Vec<(String, String)> = want
                .into_iter()
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .collect();
            assert_eq!(got, want, "{text}");
        }
        let value = "a b&c=d/é";
        assert_eq!(percent_decode(&percent_encode(value)), value);
    }
}
