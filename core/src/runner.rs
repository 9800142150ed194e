//! Running an editable cell's code as written (pure): keys into the code, the worker script,
//! the messages to and from the worker, the output cap, masking, and the token in the output.
//! The page's `worker` module starts the worker; its `run` module drives a run.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use wire::{Authorization, HttpRequest, HttpResponse};

use crate::keys::{segments, Segment, ACCESS_TOKEN};

/// A run is stopped after this long.
pub const TIMEOUT_MS: i32 = 10_000;

/// Most output a run keeps, in bytes.
pub const MAX_OUTPUT: usize = 1 << 20;

/// Substitutes keys into the code that runs. `known` are the keys the lesson declares
/// (`ACCESS_TOKEN` is always known); `value_of` gives a key's value, if it has one. A
/// placeholder with no value, or not declared, stops the run with a message that names it.
///
/// Each value is written with every character but `A-Z`, `a-z`, `0-9` and `_` as a `\uXXXX`
/// escape. JavaScript reads such an escape as that very character in every literal a
/// placeholder can stand in: single-, double- and back-quoted strings, template text, nested
/// template expressions and regular expressions alike, and no escape can end a literal or
/// start a `${`. So the value arrives exactly as typed without knowing which literal it is in:
/// no lexer is involved. Outside any literal, a value of letters and digits stays code (a
/// number, a name), and anything else is a syntax error rather than injected code.
///
/// A missing key stops the run by name. `elsewhere` says how to get a key that another lesson
/// provides ("Run lesson 2, … and save ARTIST_ID first"); `None` means it is typed here.
pub fn prepare<'v>(
    code: &str,
    known: &[&str],
    value_of: impl Fn(&str) -> Option<&'v str>,
    elsewhere: impl Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let mut unknown = Vec::new();
    let mut missing = Vec::new();
    let mut escaped = Vec::new();
    let mut before = "";
    for segment in segments(code) {
        match segment {
            Segment::Text(text) => before = text,
            Segment::Placeholder(name) => {
                if before.ends_with('\\') && !escaped.contains(&name) {
                    escaped.push(name);
                }
                let list = if !known.contains(&name) && name != ACCESS_TOKEN {
                    &mut unknown
                } else if value_of(name).is_none_or(str::is_empty) {
                    &mut missing
                } else {
                    continue;
                };
                if !list.contains(&name) {
                    list.push(name);
                }
            }
        }
    }
    if let Some(name) = unknown.first() {
        let keys: Vec<String> = known
            .iter()
            .chain([&ACCESS_TOKEN])
            .map(|k| format!("{{{{{k}}}}}"))
            .collect();
        return Err(format!(
            "{{{{{name}}}}} is not a key of this lesson. The keys are {}. Fix the placeholder, then press Run again. Nothing was sent.",
            keys.join(", ")
        ));
    }
    if let Some(name) = escaped.first() {
        return Err(format!(
            "{{{{{name}}}}} follows a backslash, which would change what its value means. Remove the backslash, then press Run again. Nothing was sent."
        ));
    }
    if !missing.is_empty() {
        let names = missing.join(" and ");
        let (s, them) = if missing.len() > 1 {
            ("s", "them")
        } else {
            ("", "it")
        };
        let how = if let Some(how) = missing.iter().find_map(|name| elsewhere(name)) {
            how
        } else if missing == [ACCESS_TOKEN] {
            "Get a token with the cell above and press Save in the dialog".to_owned()
        } else {
            format!("Enter {them} in the keys panel above")
        };
        return Err(format!(
            "Missing key{s}: {names}. {how}, then press Run again. Nothing was sent."
        ));
    }
    Ok(segments(code)
        .into_iter()
        .map(|segment| match segment {
            Segment::Text(text) => text.to_owned(),
            Segment::Placeholder(name) => js_escape(value_of(name).unwrap_or_default()),
        })
        .collect())
}

/// `value` with every character but ASCII letters, digits and `_` as `\uXXXX` escapes
/// (UTF-16 units, so characters beyond the BMP become a surrogate pair).
pub fn js_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04X}"));
            }
        }
    }
    out
}

/// The secret values a run must never show: masked in everything the page prints, the way CI
/// systems mask secrets in their logs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Secrets(Vec<String>);

impl Secrets {
    /// Values shorter than this are not masked: hiding every "a" would garble the output, and
    /// no real credential is that short (Spotify's are 32 characters and more).
    pub const MIN_CHARS: usize = 4;

    /// Adds a secret value, and the form it takes in prepared code (see [`prepare`]).
    pub fn add(&mut self, value: &str) {
        for form in [value.to_owned(), js_escape(value)] {
            if form.chars().count() >= Self::MIN_CHARS && !self.0.contains(&form) {
                // Kept longest first, so that a secret that contains another is masked whole.
                let at = self.0.iter().take_while(|s| s.len() >= form.len()).count();
                self.0.insert(at, form);
            }
        }
    }

    /// Adds the credential a request carries: whatever follows `Basic ` or `Bearer ` in its
    /// `Authorization` header (and, for Basic, the decoded `id:secret` pair's secret part).
    pub fn add_credential_of(&mut self, request: &HttpRequest) {
        let Some(value) = request.header_value(wire::auth::HEADER) else {
            return;
        };
        let (_, credential) = value.trim().split_once(' ').unwrap_or(("", value));
        self.add(credential.trim());
        if let Authorization::Basic { secret, .. } = Authorization::parse(value) {
            self.add(&secret);
        }
    }

    /// Adds the `access_token` of a token endpoint's answer, if it holds one.
    pub fn add_issued_token(&mut self, response: &HttpResponse) {
        if let Some(token) = serde_json::from_str::<Value>(&response.body)
            .ok()
            .and_then(|json| json["access_token"].as_str().map(str::to_owned))
        {
            self.add(&token);
        }
    }

    /// `text` with every secret replaced by `•••`.
    pub fn mask(&self, text: &str) -> String {
        self.0
            .iter()
            .fold(text.to_owned(), |t, s| t.replace(s.as_str(), "•••"))
    }
}

/// The worker's script: `runtime` (the worker's globals, kept with the page's worker module),
/// then the learner's code inside an async function (top-level `await`). Also returns how many
/// lines come before the learner's first line.
pub fn script(runtime: &str, code: &str) -> (String, u32) {
    let head = format!("{runtime}\n__playground.main(async () => {{\n");
    let offset = head.matches('\n').count() as u32;
    (format!("{head}{code}\n}});\n"), offset)
}

/// Where an error is in the learner's code: script line → code line, if it is there.
pub fn code_position(offset: u32, line: u32, column: u32) -> Option<(u32, u32)> {
    line.checked_sub(offset)
        .filter(|l| *l > 0)
        .map(|l| (l, column))
}

/// What a worker said, as `runner.js` posts it: `{"log": text}`, `"done"`, and so on
/// (serde's external tagging, which reads without buffering).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    /// `console.log` and friends, `printError`.
    Log(String),
    /// `printResponse(response)`: shown as the native run shows it.
    Print(HttpResponse),
    /// The learner's `fetch`, to be sent through the routing layer.
    Fetch { id: u64, request: HttpRequest },
    /// The worker stopped sending output at the cap.
    #[serde(rename = "cut")]
    Truncated,
    /// The code and everything it started have finished.
    Done,
    /// An uncaught error; the position is in the script (see [`code_position`]).
    Error {
        message: String,
        line: Option<u32>,
        column: Option<u32>,
    },
}

/// Reads one message from the worker (JSON text); `None` for anything else.
pub fn parse_event(text: &str) -> Option<Event> {
    serde_json::from_str(text).ok()
}

/// The page's answer to a worker's `fetch`, as `runner.js` reads it: `{id, response}`, or
/// `{id, error}` when nothing answered.
#[derive(Serialize)]
struct ToWorker<'a> {
    id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    response: Option<&'a HttpResponse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

/// The page's answer to a worker's `fetch`: the response, or why nothing answered.
pub fn reply(id: u64, result: &Result<HttpResponse, String>) -> String {
    let (response, error) = match result {
        Ok(response) => (Some(response), None),
        Err(message) => (None, Some(message.as_str())),
    };
    serde_json::to_string(&ToWorker {
        id,
        response,
        error,
    })
    .expect("a reply is plain data")
}

/// A run's output text, capped at [`MAX_OUTPUT`] bytes with a notice.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    text: String,
    truncated: bool,
}

/// The line that ends truncated output.
pub const TRUNCATED: &str = "… output truncated at 1 MiB; later output was dropped.";

impl Output {
    /// Appends one line; past the cap the line is cut at a character boundary.
    pub fn push(&mut self, line: &str) {
        if self.truncated {
            return;
        }
        let room = MAX_OUTPUT.saturating_sub(self.text.len() + usize::from(!self.text.is_empty()));
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        if line.len() <= room {
            self.text.push_str(line);
        } else {
            let mut cut = room;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            self.text.push_str(&line[..cut]);
            self.truncate();
        }
    }

    /// Stops the output here with the notice.
    pub fn truncate(&mut self) {
        if !self.truncated {
            self.truncated = true;
            self.text.push('\n');
            self.text.push_str(TRUNCATED);
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// An access token found in printed output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundToken {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: u64,
}

/// The last `"access_token": "…"` in the output, with `token_type` and `expires_in` when they
/// are printed (else `Bearer` and an hour), as the course extracts keys from printed JSON.
pub fn extract_token(output: &str) -> Option<FoundToken> {
    let string_after = |key: &str| -> Option<String> {
        let at = output.rfind(&format!("\"{key}\""))? + key.len() + 2;
        let rest = output[at..].trim_start().strip_prefix(':')?.trim_start();
        let rest = rest.strip_prefix('"')?;
        let end = rest.find('"')?;
        Some(rest[..end].to_owned())
    };
    let access_token = string_after("access_token").filter(|t| !t.is_empty())?;
    let expires_in = output
        .rfind("\"expires_in\"")
        .and_then(|at| {
            let rest = output[at + 12..]
                .trim_start()
                .strip_prefix(':')?
                .trim_start();
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .unwrap_or(3600);
    Some(FoundToken {
        access_token,
        token_type: string_after("token_type").unwrap_or_else(|| "Bearer".to_owned()),
        expires_in,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &["CLIENT_ID", "CLIENT_SECRET"];

    fn run(code: &str, pairs: &[(&str, &str)]) -> Result<String, String> {
        let pairs = pairs.to_vec();
        prepare(
            code,
            KNOWN,
            move |name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v),
            |_| None,
        )
    }

    #[test]
    fn values_become_escapes_whatever_the_literal() {
        // (code, key values, the code that runs)
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
        let cases: &[Case] = &[
            (
                "'{{CLIENT_ID}}:{{CLIENT_SECRET}}'",
                &[("CLIENT_ID", "id"), ("CLIENT_SECRET", "s_2")],
                "'id:s_2'",
            ),
            ("'{{CLIENT_ID}}'", &[("CLIENT_ID", "it's")], r"'it\u0027s'"),
            (
                "\"{{CLIENT_ID}}\"",
                &[("CLIENT_ID", "a\"b")],
                r#""a\u0022b""#,
            ),
            (
                "'{{CLIENT_ID}}'",
                &[("CLIENT_ID", "l1\nl2\r")],
                r"'l1\u000Al2\u000D'",
            ),
            ("'{{CLIENT_ID}}'", &[("CLIENT_ID", r"a\b")], r"'a\u005Cb'"),
            (
                "`{{CLIENT_ID}}`",
                &[("CLIENT_ID", "${x}`")],
                r"`\u0024\u007Bx\u007D\u0060`",
            ),
            (
                "`${'{{CLIENT_ID}}'}`",
                &[("CLIENT_ID", "a'b")],
                r"`${'a\u0027b'}`",
            ),
            (
                "/^{{CLIENT_ID}}$/",
                &[("CLIENT_ID", "a.b/c")],
                r"/^a\u002Eb\u002Fc$/",
            ),
            (
                "'{{CLIENT_ID}}'",
                &[("CLIENT_ID", "é😀")],
                r"'\u00E9\uD83D\uDE00'",
            ),
            ("x = {{CLIENT_ID}};", &[("CLIENT_ID", "42")], "x = 42;"),
            ("// {{CLIENT_ID}}", &[("CLIENT_ID", "a b")], r"// a\u0020b"),
            (
                "'{{ lower }}' {{CLIENT_ID}",
                &[],
                "'{{ lower }}' {{CLIENT_ID}",
            ),
        ];
        for (code, values, expected) in cases {
            assert_eq!(run(code, values).as_deref(), Ok(*expected), "{code}");
        }
    }

    /// The prepared code, run by a real JavaScript engine, sees every value exactly as typed,
    /// in every kind of literal, without any lexer on our side.
    #[test]
    fn a_javascript_engine_reads_every_value_as_typed() {
        let values = [
            "plain",
            "it's",
            "say \"hi\"",
            "back\\slash",
            "${alert(1)} `tick`",
            "line\nbreak\r\u{2028}end",
            "$& $1 $$",
            "a.b/c*[x]",
            "é 😀",
            "'); throw 1; ('",
        ];
        // Each template must yield the value itself; `R` collects what each one yields.
        let templates = [
            "R.push('{{CLIENT_ID}}');",
            "R.push(\"{{CLIENT_ID}}\");",
            "R.push(`{{CLIENT_ID}}`);",
            "R.push(`${'{{CLIENT_ID}}'}`);",
            "R.push(`a${`${\"{{CLIENT_ID}}\"}`}b`.slice(1, -1));",
            "R.push(/^{{CLIENT_ID}}$/.test(V) ? V : 'regex did not match');",
            "R.push(/^{{CLIENT_ID}}$/u.test(V) ? V : 'u-regex did not match');",
            "R.push(/^{{CLIENT_ID}}$/.test(V + 'x') ? 'regex matched too much' : V);",
        ];
        let mut script = String::from("const out = [];\n");
        for value in values {
            for template in templates {
                let code = run(template, &[("CLIENT_ID", value)]).expect("prepared");
                script.push_str(&format!(
                    "{{ const R = []; const V = {}; {code} out.push([V, R[0]]); }}\n",
                    serde_json::to_string(value).expect("a JSON string")
                ));
            }
        }
        script.push_str("console.log(JSON.stringify(out));\n");
        let output = std::process::Command::new("node")
            .args(["-e", &script])
            .output()
            .expect("node runs (the setup needs Node.js and npm)");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let results: Vec<(String, String)> =
            serde_json::from_slice(&output.stdout).expect("JSON pairs");
        assert_eq!(results.len(), values.len() * templates.len());
        for (i, (value, seen)) in results.iter().enumerate() {
            assert_eq!(seen, value, "template {}", templates[i % templates.len()]);
        }
    }

    #[test]
    fn missing_unknown_and_escaped_keys_stop_the_run_by_name() {
        let err = run("'{{CLIENT_ID}}:{{CLIENT_SECRET}}'", &[("CLIENT_ID", "id")]).unwrap_err();
        assert!(
            err.starts_with("Missing key: CLIENT_SECRET. Enter it in the keys panel"),
            "{err}"
        );
        let err = run("'{{CLIENT_ID}}:{{CLIENT_SECRET}}'", &[]).unwrap_err();
        assert!(
            err.starts_with("Missing keys: CLIENT_ID and CLIENT_SECRET. Enter them"),
            "{err}"
        );
        let err = run("'{{CLIENT_ID}}'", &[("CLIENT_ID", "")]).unwrap_err();
        assert!(
            err.contains("CLIENT_ID"),
            "an empty value is missing: {err}"
        );
        let err = run("'Bearer {{ACCESS_TOKEN}}'", &[]).unwrap_err();
        assert!(err.contains("press Save in the dialog"), "{err}");
        // A key another lesson provides: its instruction, and nothing is sent.
        let elsewhere = |name: &str| {
            (name == "CLIENT_SECRET").then(|| format!("Run lesson 2 and save {name} first"))
        };
        let err = prepare(
            "'{{CLIENT_ID}}{{CLIENT_SECRET}}'",
            KNOWN,
            |_| None,
            elsewhere,
        )
        .unwrap_err();
        assert_eq!(
            err,
            "Missing keys: CLIENT_ID and CLIENT_SECRET. Run lesson 2 and save CLIENT_SECRET first, then press Run again. Nothing was sent."
        );
        let err = run("'{{CLIENT_ID}} {{SPOTIFY_KEY}}'", &[("CLIENT_ID", "x")]).unwrap_err();
        assert!(
            err.starts_with("{{SPOTIFY_KEY}} is not a key of this lesson"),
            "{err}"
        );
        assert!(
            err.contains("{{CLIENT_ID}}, {{CLIENT_SECRET}}, {{ACCESS_TOKEN}}"),
            "{err}"
        );
        let err = run(r"'\{{CLIENT_ID}}'", &[("CLIENT_ID", "x")]).unwrap_err();
        assert!(err.contains("follows a backslash"), "{err}");
    }

    #[test]
    fn secrets_are_masked_in_any_text() {
        let mut secrets = Secrets::default();
        secrets.add("s3cr'et");
        secrets.add("abc"); // too short to mask
                            // A secret inside a longer one, added first: the longer is still masked whole.
        secrets.add("1234abcd");
        secrets.add("1234abcd5678");
        secrets.add_credential_of(
            &HttpRequest::new("POST", "https://accounts.spotify.com/api/token")
                .header("Authorization", "Basic aWQ6c2VjcmV0MQ=="),
        );
        secrets.add_credential_of(
            &HttpRequest::new("GET", "https://api.spotify.com/v1/x")
                .header("authorization", "Bearer BQDbearer"),
        );
        secrets.add_issued_token(&HttpResponse {
            status: 200,
            headers: vec![],
            body: r#"{"access_token":"BQDissued","token_type":"Bearer"}"#.into(),
        });
        // (text, masked)
        let cases = [
            ("s3cr'et", "•••"),
            (r"Unexpected 's3cr\u0027et'", "Unexpected '•••'"),
            ("Basic aWQ6c2VjcmV0MQ==", "Basic •••"),
            ("id:secret1", "id:•••"),
            ("token BQDbearer and BQDissued", "token ••• and •••"),
            ("abc stays", "abc stays"),
            ("x 1234abcd5678 y 1234abcd", "x ••• y •••"),
            ("nothing secret", "nothing secret"),
        ];
        for (text, want) in cases {
            assert_eq!(secrets.mask(text), want, "{text}");
        }
    }

    #[test]
    fn script_positions_map_back_to_the_code() {
        let (script, offset) = script("var r = 1;", "let a = 1;\nthrow new Error('x');");
        let lines: Vec<&str> = script.lines().collect();
        assert_eq!(
            lines[offset as usize], "let a = 1;",
            "the code starts after {offset} lines"
        );
        assert_eq!(code_position(offset, offset + 2, 7), Some((2, 7)));
        assert_eq!(code_position(offset, offset, 1), None, "inside the runtime");
    }

    #[test]
    fn worker_messages() {
        let cases = [
            (r#"{"log":"200"}"#, Some(Event::Log("200".into()))),
            (
                r#"{"print":{"status":400,"headers":[],"body":"{}"}}"#,
                Some(Event::Print(HttpResponse {
                    status: 400,
                    headers: vec![],
                    body: "{}".into(),
                })),
            ),
            (
                r#"{"fetch":{"id":3,"request":{"url":"https://accounts.spotify.com/api/token","method":"POST","headers":[["content-type","application/x-www-form-urlencoded"]],"body":"grant_type=client_credentials"}}}"#,
                Some(Event::Fetch {
                    id: 3,
                    request: HttpRequest::new("POST", "https://accounts.spotify.com/api/token")
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body("grant_type=client_credentials"),
                }),
            ),
            (r#""cut""#, Some(Event::Truncated)),
            (r#""done""#, Some(Event::Done)),
            (
                r#"{"error":{"message":"SyntaxError: x","line":40,"column":3}}"#,
                Some(Event::Error {
                    message: "SyntaxError: x".into(),
                    line: Some(40),
                    column: Some(3),
                }),
            ),
            (
                r#"{"error":{"message":"boom"}}"#,
                Some(Event::Error {
                    message: "boom".into(),
                    line: None,
                    column: None,
                }),
            ),
            (r#"{"print":{"status":70000,"headers":[],"body":""}}"#, None),
            (r#"{"print":{"status":200,"body":""}}"#, None),
            (r#"{"fetch":{"id":1,"request":{"url":"u"}}}"#, None),
            (r#""navigate""#, None),
            (r#"{"t":"log","text":"the old form"}"#, None),
            ("not json", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_event(text), expected, "{text}");
        }
        let ok = HttpResponse {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: "{\"a\":1}".into(),
        };
        assert_eq!(
            reply(3, &Ok(ok)),
            r#"{"id":3,"response":{"status":200,"headers":[["content-type","application/json"]],"body":"{\"a\":1}"}}"#
        );
        assert_eq!(reply(4, &Err("no".into())), r#"{"id":4,"error":"no"}"#);
    }

    #[test]
    fn output_is_capped_with_a_notice() {
        let mut out = Output::default();
        out.push("first");
        out.push(&"é".repeat(MAX_OUTPUT));
        out.push("never shown");
        assert!(out.text().len() <= MAX_OUTPUT + TRUNCATED.len() + 1);
        assert!(out.text().starts_with("first\né"));
        assert!(out.text().ends_with(TRUNCATED));
        assert!(!out.text().contains("never shown"));
        let mut small = Output::default();
        small.push("a");
        small.push("b");
        assert_eq!(small.text(), "a\nb");
    }

    #[test]
    fn tokens_are_found_in_printed_json() {
        let pretty = "Status: 200 OK\n{\n  \"access_token\": \"BQDabc\",\n  \"token_type\": \"Bearer\",\n  \"expires_in\": 60\n}";
        assert_eq!(
            extract_token(pretty),
            Some(FoundToken {
                access_token: "BQDabc".into(),
                token_type: "Bearer".into(),
                expires_in: 60
            })
        );
        let compact = r#"{"access_token":"BQDxyz"}"#;
        assert_eq!(
            extract_token(compact).map(|t| (t.access_token, t.expires_in)),
            Some(("BQDxyz".into(), 3600))
        );
        assert_eq!(
            extract_token("Status: 400 Bad Request\n{\"error\":\"invalid_client\"}"),
            None
        );
        assert_eq!(extract_token(r#"{"access_token": ""}"#), None);
        assert_eq!(extract_token(r#"{"access_token": 5}"#), None);
    }
}
