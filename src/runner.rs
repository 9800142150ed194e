//! Running an editable cell's code as written (pure): keys into the code, the worker script,
//! the messages to and from the worker, the output cap, and the token in the output.
//! `worker.rs` starts the worker; `ui::cells` routes its requests and shows its output.

use sandbox::json::Value;
use sandbox::{HttpRequest, HttpResponse};

use crate::highlight::{tokens, Class};
use crate::keys::{segments, Segment, ACCESS_TOKEN};

/// The worker's globals: `fetch` through the page, `Buffer`, `printResponse`, `printError`,
/// `console`. The learner's code follows it, inside an async function (top-level `await`).
pub const RUNTIME: &str = include_str!("runner.js");

/// A run is stopped after this long.
pub const TIMEOUT_MS: i32 = 10_000;

/// Most output a run keeps, in bytes.
pub const MAX_OUTPUT: usize = 1 << 20;

/// Keys that hold secrets: masked in error messages, which the learner did not write.
const SECRET_KEYS: [&str; 2] = ["CLIENT_SECRET", ACCESS_TOKEN];

/// The code with every `{{KEY}}` replaced, ready to run, and the secret values it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    pub code: String,
    pub secrets: Vec<String>,
}

/// Substitutes keys into the code that runs. `known` are the keys the lesson declares
/// (including `ACCESS_TOKEN`); `value_of` gives a key's value, if it has one. A placeholder
/// with no value, or not declared, stops the run with a message that names it.
///
/// Inside a string literal the value is escaped for that literal, so a value with quotes,
/// backslashes, `$` or line breaks arrives in the running code exactly as typed. Elsewhere it
/// is inserted as it is.
pub fn prepare<'v>(
    code: &str,
    known: &[&str],
    value_of: impl Fn(&str) -> Option<&'v str>,
) -> Result<Prepared, String> {
    let mut unknown = Vec::new();
    let mut missing = Vec::new();
    for segment in segments(code) {
        if let Segment::Placeholder(name) = segment {
            let list = if !known.contains(&name) {
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
    if let Some(name) = unknown.first() {
        return Err(format!(
            "{{{{{name}}}}} is not a key of this lesson. The keys are {}. Fix the placeholder, then press Run again. Nothing was sent.",
            known.iter().map(|k| format!("{{{{{k}}}}}")).collect::<Vec<_>>().join(", ")
        ));
    }
    if !missing.is_empty() {
        let names = missing.join(" and ");
        let (s, them) = if missing.len() > 1 {
            ("s", "them")
        } else {
            ("", "it")
        };
        let how = if missing == [ACCESS_TOKEN] {
            "Get a token with the cell above and press Save in the dialog".to_owned()
        } else {
            format!("Enter {them} in the keys panel above")
        };
        return Err(format!(
            "Missing key{s}: {names}. {how}, then press Run again. Nothing was sent."
        ));
    }
    let mut out = String::with_capacity(code.len());
    for (class, text) in tokens(code) {
        let quote = text.chars().next().filter(|_| class == Class::String);
        for segment in segments(text) {
            match segment {
                Segment::Text(t) => out.push_str(t),
                Segment::Placeholder(name) => {
                    let value = value_of(name).unwrap_or_default();
                    match quote {
                        Some(q) => escape_into(&mut out, value, q),
                        None => out.push_str(value),
                    }
                }
            }
        }
    }
    let secrets = SECRET_KEYS
        .iter()
        .filter(|k| segments(code).contains(&Segment::Placeholder(k)))
        .filter_map(|k| value_of(k).map(str::to_owned))
        .collect();
    Ok(Prepared { code: out, secrets })
}

/// Escapes `value` for a JavaScript string literal quoted with `quote`.
fn escape_into(out: &mut String, value: &str, quote: char) {
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            '$' if quote == '`' && chars.peek() == Some(&'{') => out.push_str("\\$"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// The worker's script, and how many lines come before the learner's first line.
pub fn script(code: &str) -> (String, u32) {
    let head = format!("{RUNTIME}\n__playground.main(async () => {{\n");
    let offset = head.matches('\n').count() as u32;
    (format!("{head}{code}\n}});\n"), offset)
}

/// Where an error is in the learner's code: script line → code line, if it is there.
pub fn code_position(offset: u32, line: u32, column: u32) -> Option<(u32, u32)> {
    line.checked_sub(offset)
        .filter(|l| *l > 0)
        .map(|l| (l, column))
}

/// Replaces each secret with `•••` (errors the browser writes may quote the code).
pub fn mask(text: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(text.to_owned(), |t, s| t.replace(s.as_str(), "•••"))
}

/// What a worker said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// `console.log` and friends, `printError`.
    Log(String),
    /// `printResponse(response)`: shown as the native run shows it.
    Print(HttpResponse),
    /// The learner's `fetch`, to be sent through the routing layer.
    Fetch { id: u64, request: HttpRequest },
    /// The worker stopped sending output at the cap.
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
    let m = Value::parse(text).ok()?;
    let text_of = |k: &str| m[k].as_str().map(str::to_owned);
    let number = |k: &str| m[k].as_u64();
    Some(match m["t"].as_str()? {
        "log" => Event::Log(text_of("text")?),
        "print" => Event::Print(HttpResponse {
            status: u16::try_from(number("status")?).ok()?,
            headers: Vec::new(),
            body: text_of("body")?,
        }),
        "fetch" => {
            let headers = m["headers"]
                .as_array()?
                .iter()
                .filter_map(|pair| {
                    let pair = pair.as_array()?;
                    Some((
                        pair.first()?.as_str()?.to_owned(),
                        pair.get(1)?.as_str()?.to_owned(),
                    ))
                })
                .collect();
            Event::Fetch {
                id: number("id")?,
                request: HttpRequest {
                    method: text_of("method")?,
                    url: text_of("url")?,
                    headers,
                    body: text_of("body")?,
                },
            }
        }
        "cut" => Event::Truncated,
        "done" => Event::Done,
        "error" => Event::Error {
            message: text_of("message")?,
            line: number("line").and_then(|n| u32::try_from(n).ok()),
            column: number("column").and_then(|n| u32::try_from(n).ok()),
        },
        _ => return None,
    })
}

/// The page's answer to a worker's `fetch`: the response, or why nothing answered.
pub fn reply(id: u64, result: &Result<HttpResponse, String>) -> String {
    let mut message = Value::object([("id", id.into())]);
    if let Value::Object(map) = &mut message {
        match result {
            Ok(response) => {
                map.push("status", response.status);
                let headers = response
                    .headers
                    .iter()
                    .map(|(k, v)| Value::Array(vec![k.into(), v.into()]))
                    .collect();
                map.push("headers", Value::Array(headers));
                map.push("body", &response.body);
            }
            Err(message) => map.push("error", message.as_str()),
        }
    }
    message.to_string()
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

    const KNOWN: &[&str] = &["CLIENT_ID", "CLIENT_SECRET", "ACCESS_TOKEN"];

    fn run(code: &str, pairs: &[(&str, &str)]) -> Result<String, String> {
        let pairs = pairs.to_vec();
        prepare(code, KNOWN, move |name| {
            pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
        })
        .map(|p| p.code)
    }

    #[test]
    fn substitution_escapes_for_the_literal_it_is_in() {
        // (code, key values, the code that runs)
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
        let cases: &[Case] = &[
            (
                "'{{CLIENT_ID}}:{{CLIENT_SECRET}}'",
                &[("CLIENT_ID", "id"), ("CLIENT_SECRET", "s")],
                "'id:s'",
            ),
            ("'{{CLIENT_ID}}'", &[("CLIENT_ID", "it's")], r"'it\'s'"),
            (
                "\"{{CLIENT_ID}}\"",
                &[("CLIENT_ID", "say \"hi\"")],
                r#""say \"hi\"""#,
            ),
            ("'{{CLIENT_ID}}'", &[("CLIENT_ID", "a\"b")], "'a\"b'"),
            (
                "'{{CLIENT_ID}}'",
                &[("CLIENT_ID", "line1\nline2\r")],
                r"'line1\nline2\r'",
            ),
            (
                "'{{CLIENT_ID}}'",
                &[("CLIENT_ID", r"back\slash")],
                r"'back\\slash'",
            ),
            (
                "'{{CLIENT_ID}}'",
                &[("CLIENT_ID", "$& $1 $$")],
                "'$& $1 $$'",
            ),
            (
                "`{{CLIENT_ID}}`",
                &[("CLIENT_ID", "${alert(1)} $x `q`")],
                r"`\${alert(1)} $x \`q\``",
            ),
            ("x = {{CLIENT_ID}};", &[("CLIENT_ID", "42")], "x = 42;"),
            (
                "// {{CLIENT_ID}}\n'{{CLIENT_ID}}'",
                &[("CLIENT_ID", "a'b")],
                "// a'b\n'a\\'b'",
            ),
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

    #[test]
    fn missing_and_unknown_keys_stop_the_run_by_name() {
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
        let err = run("'{{CLIENT_ID}} {{SPOTIFY_KEY}}'", &[("CLIENT_ID", "x")]).unwrap_err();
        assert!(
            err.starts_with("{{SPOTIFY_KEY}} is not a key of this lesson"),
            "{err}"
        );
        assert!(
            err.contains("{{CLIENT_ID}}, {{CLIENT_SECRET}}, {{ACCESS_TOKEN}}"),
            "{err}"
        );
    }

    #[test]
    fn only_used_secrets_are_listed_for_masking() {
        let values = |name: &str| match name {
            "CLIENT_ID" => Some("id"),
            "CLIENT_SECRET" => Some("sec"),
            _ => None,
        };
        assert_eq!(
            prepare("'{{CLIENT_ID}}'", KNOWN, values).unwrap().secrets,
            Vec::<String>::new()
        );
        assert_eq!(
            prepare("'{{CLIENT_ID}}:{{CLIENT_SECRET}}'", KNOWN, values)
                .unwrap()
                .secrets,
            vec!["sec".to_owned()]
        );
        assert_eq!(
            mask("Unexpected identifier 'sec'", &["sec".into()]),
            "Unexpected identifier '•••'"
        );
    }

    #[test]
    fn script_positions_map_back_to_the_code() {
        let (script, offset) = script("let a = 1;\nthrow new Error('x');");
        let lines: Vec<&str> = script.lines().collect();
        assert_eq!(
            lines[offset as usize], "let a = 1;",
            "the code starts after {offset} lines"
        );
        assert_eq!(code_position(offset, offset + 2, 7), Some((2, 7)));
        assert_eq!(code_position(offset, 3, 1), None, "inside the runtime");
    }

    #[test]
    fn worker_messages() {
        let cases = [
            (
                r#"{"t":"log","text":"200"}"#,
                Some(Event::Log("200".into())),
            ),
            (
                r#"{"t":"print","status":400,"body":"{}"}"#,
                Some(Event::Print(HttpResponse {
                    status: 400,
                    headers: vec![],
                    body: "{}".into(),
                })),
            ),
            (
                r#"{"t":"fetch","id":3,"url":"https://accounts.spotify.com/api/token","method":"POST","headers":[["content-type","application/x-www-form-urlencoded"]],"body":"grant_type=client_credentials"}"#,
                Some(Event::Fetch {
                    id: 3,
                    request: HttpRequest::new("POST", "https://accounts.spotify.com/api/token")
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body("grant_type=client_credentials"),
                }),
            ),
            (r#"{"t":"cut"}"#, Some(Event::Truncated)),
            (r#"{"t":"done"}"#, Some(Event::Done)),
            (
                r#"{"t":"error","message":"SyntaxError: x","line":40,"column":3}"#,
                Some(Event::Error {
                    message: "SyntaxError: x".into(),
                    line: Some(40),
                    column: Some(3),
                }),
            ),
            (
                r#"{"t":"error","message":"boom"}"#,
                Some(Event::Error {
                    message: "boom".into(),
                    line: None,
                    column: None,
                }),
            ),
            (r#"{"t":"print","status":70000,"body":""}"#, None),
            (r#"{"t":"navigate"}"#, None),
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
            r#"{"id":3,"status":200,"headers":[["content-type","application/json"]],"body":"{\"a\":1}"}"#
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
