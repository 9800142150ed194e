use super::*;
use std::process::Command;

use crate::request::{token_request, validation_request};

const ID: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const SECRET: &str = "f9e8d7c6b5a4039281706f5e4d3c2b1a";
const TOKEN: &str = "BQDsandboxTOKENvalue_1234";

/// Values that break naive quoting in one language or another.
const HOSTILE: [&str; 12] = [
    "",
    "plain",
    "it's",
    "say \"hi\"",
    "$HOME and ${PATH} and $(id) and `id`",
    "back\\slash \\n \\u0041",
    "two\nlines\r\n",
    "tab\there",
    "{braces} {{double}} {0}",
    "% %s %{http_code}",
    "é ü 日本 🎵 \u{2028}\u{2029}",
    "\u{1}\u{7f}!#&;|<>*?~",
];

#[test]
fn sh_quote_table() {
    let cases = [
        ("", "''"),
        ("a b", "'a b'"),
        ("it's", r"'it'\''s'"),
        ("$HOME", "'$HOME'"),
        ("a\nb", "'a\nb'"),
    ];
    for (text, quoted) in cases {
        assert_eq!(sh_quote(text), quoted, "{text:?}");
    }
}

#[test]
fn c_string_table() {
    let cases = [
        ("", r#""""#),
        ("say \"hi\"", r#""say \"hi\"""#),
        ("a\\b", r#""a\\b""#),
        ("a\nb\tc", r#""a\nb\u0009c""#),
        ("\u{2028}", r#""\u2028""#),
        ("é$`{", "\"é$`{\""),
    ];
    for (text, quoted) in cases {
        assert_eq!(c_string(text), quoted, "{text:?}");
    }
}

#[test]
fn rust_string_table() {
    let cases = [
        ("a{b}", false, r#""a{b}""#),
        ("a{b}", true, r#""a{{b}}""#),
        ("\"\\\n", false, r#""\"\\\n""#),
        ("\u{1}", false, r#""\u{1}""#),
    ];
    for (text, format, quoted) in cases {
        assert_eq!(rust_string(text, format), quoted, "{text:?}");
    }
}

/// Fails the test, naming `program`, when it cannot run: these tests never skip a language.
/// `cargo xtask setup` installs Node.js and Python.
fn require(program: &str) {
    // Found and started is enough: dash has no --version, yet runs.
    let found = Command::new(program).arg("--version").output().is_ok();
    assert!(
        found,
        "{program} is needed by the export tests and is not found here: `cargo xtask setup` installs it"
    );
}

/// Runs `program args… source` and returns what it printed.
fn run(program: &str, args: &[&str], source: &str) -> String {
    let out = Command::new(program)
        .args(args)
        .arg(source)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} failed on {source:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Each hostile value, quoted, read back by the real interpreter: sh (POSIX), Node.js and
/// Python.
#[test]
fn quoted_values_read_back_exactly() {
    for program in ["sh", "node", "python3"] {
        require(program);
    }
    for value in HOSTILE {
        let shell = run("sh", &["-c"], &format!("printf %s {}", sh_quote(value)));
        assert_eq!(shell, value, "sh");
        let js = run(
            "node",
            &["-e"],
            &format!("process.stdout.write({})", c_string(value)),
        );
        assert_eq!(js, value, "node");
        let py = run(
            "python3",
            &["-c"],
            &format!(
                "import sys; sys.stdout.buffer.write({}.encode('utf-8', 'surrogatepass'))",
                c_string(value)
            ),
        );
        assert_eq!(py, value, "python");
    }
}

fn api_request() -> HttpRequest {
    HttpRequest::new(
        "GET",
        "https://api.spotify.com/v1/search?q=it's%20%24HOME&type=artist",
    )
    .header("Authorization", format!("Bearer {TOKEN}"))
}

#[test]
fn no_secret_unless_asked_in_every_language() {
    let requests = [
        (token_request(ID, SECRET), vec![ID, SECRET]),
        (api_request(), vec![TOKEN]),
        (validation_request(TOKEN), vec![TOKEN]),
        // Credentials in a form body, and a token repeated in the URL.
        (
            HttpRequest::new(
                "POST",
                format!("https://accounts.spotify.com/api/token?echo={SECRET}"),
            )
            .body(format!(
                "grant_type=client_credentials&client_id={ID}&client_secret={SECRET}"
            )),
            vec![ID, SECRET],
        ),
    ];
    let basic = wire::Authorization::basic(ID, SECRET).header_value();
    for (request, secrets) in &requests {
        for lang in Lang::ALL {
            for endpoint in [
                Endpoint::Spotify,
                Endpoint::Sandbox("http://127.0.0.1:8080"),
            ] {
                let off = snippet(request, lang, endpoint, false);
                for secret in secrets.iter().chain([&basic.as_str()]) {
                    assert!(
                        !off.contains(secret),
                        "{lang:?} holds {secret} without Include my values:\n{off}"
                    );
                }
                assert!(
                    off.contains("SPOTIFY_"),
                    "{lang:?} names no variable:\n{off}"
                );
                // Positive control: with the box checked, the values are there.
                let on = snippet(request, lang, endpoint, true);
                for secret in secrets {
                    assert!(on.contains(secret), "{lang:?} lacks {secret}:\n{on}");
                }
                assert!(on.contains("WARNING"), "{lang:?}:\n{on}");
            }
        }
    }
}

#[test]
fn the_token_request_is_basic_auth_from_the_two_variables() {
    let request = token_request(ID, SECRET);
    let expect = [
        (
            Lang::Curl,
            "--user \"${SPOTIFY_CLIENT_ID}:${SPOTIFY_CLIENT_SECRET}\"",
        ),
        (
            Lang::Fetch,
            "\"Authorization\": \"Basic \" + btoa(clientId + \":\" + clientSecret)",
        ),
        (
            Lang::Node,
            "Buffer.from(clientId + \":\" + clientSecret).toString(\"base64\")",
        ),
        (Lang::Python, "auth=(client_id, client_secret)"),
        (Lang::Rust, ".basic_auth(&client_id, Some(&client_secret))"),
    ];
    for (lang, line) in expect {
        let text = snippet(&request, lang, Endpoint::Spotify, false);
        assert!(text.contains(line), "{lang:?}:\n{text}");
        assert!(
            text.contains("https://accounts.spotify.com/api/token?grant_type=client_credentials"),
            "{lang:?}:\n{text}"
        );
    }
}

#[test]
fn targets_rewrite_only_spotify_hosts() {
    let cases = [
        (
            "https://accounts.spotify.com/api/token?grant_type=client_credentials",
            "http://127.0.0.1:8080/sandbox/accounts/api/token?grant_type=client_credentials",
        ),
        (
            "https://api.spotify.com/v1/tracks/x",
            "http://127.0.0.1:8080/sandbox/api/v1/tracks/x",
        ),
    ];
    for (url, sandbox) in cases {
        assert_eq!(target_url(url, Endpoint::Spotify), url);
        assert_eq!(
            target_url(url, Endpoint::Sandbox("http://127.0.0.1:8080/")),
            sandbox
        );
    }
}

#[test]
fn every_snippet_prints_status_and_body_and_fails_on_error() {
    let checks = [
        (Lang::Curl, ["--fail-with-body", "%{http_code}"]),
        (Lang::Fetch, ["response.status", "if (!response.ok)"]),
        (Lang::Node, ["response.statusCode", "process.exitCode = 1"]),
        (Lang::Python, ["response.status_code", "sys.exit(1)"]),
        (
            Lang::Rust,
            ["println!(\"{status}\")", "std::process::exit(1)"],
        ),
    ];
    for (lang, needles) in checks {
        let text = snippet(&api_request(), lang, Endpoint::Spotify, false);
        for needle in needles {
            assert!(text.contains(needle), "{lang:?} lacks {needle}:\n{text}");
        }
    }
}

/// The hostile values as header values and body, in every language: the generated program
/// must at least parse (sh -n, node --check, python3 compile).
#[test]
fn snippets_with_hostile_values_parse() {
    let dir = std::env::temp_dir().join(format!("export-parse-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for value in HOSTILE {
        let request = HttpRequest::new("POST", "https://api.spotify.com/v1/x")
            .header("X-Test", value)
            .header("Authorization", format!("Bearer {value}tok"))
            .body(value);
        for include in [false, true] {
            let checks: [(Lang, &str, &str, &[&str]); 4] = [
                (Lang::Curl, "sh", "s.sh", &["-n"]),
                (Lang::Fetch, "node", "f.mjs", &["--check"]),
                (Lang::Node, "node", "n.js", &["--check"]),
                (Lang::Python, "python3", "p.py", &["-m", "py_compile"]),
            ];
            for (lang, program, file, args) in checks {
                require(program);
                let path = dir.join(file);
                let text = snippet(&request, lang, Endpoint::Spotify, include);
                std::fs::write(&path, &text).unwrap();
                let out = Command::new(program)
                    .args(args)
                    .arg(&path)
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{lang:?} does not parse for {value:?}: {}\n{text}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}
