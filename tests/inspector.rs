//! The request inspector, code export and run history, as a learner uses them; and the
//! exported snippets run for real against this server's `/sandbox/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;

/// The first request disclosure in `cell`'s output (not its history).
fn request_of(b: &Browser, cell: &Element) -> Element {
    b.find(
        "a request's disclosure",
        "return arguments[0].querySelector('.requests details.exchange');",
        vec![cell.into()],
    )
}

/// Opens `details` with a click on its summary and waits for the inspector in it.
fn open_inspector(b: &Browser, details: &Element) {
    b.click(&b.css("summary", Some(details)));
    wait_for_inspector(b, details);
}

fn wait_for_inspector(b: &Browser, details: &Element) {
    b.wait("the inspector", || {
        let ready = b.js(
            "return arguments[0].open && arguments[0].querySelector('.inspect .export-buttons button') !== null;",
            vec![details.into()],
        );
        (ready == json!(true)).then_some(())
    });
}

fn summary_text(b: &Browser, details: &Element) -> String {
    b.text(&b.css("summary", Some(details)))
}

/// The Authorization value as the inspector shows it.
fn shown_auth(b: &Browser, details: &Element) -> String {
    b.text(&b.css("code.auth", Some(details)))
}

/// Replaces the clipboard's `writeText`: it keeps what it is given, or refuses.
fn stub_clipboard(b: &Browser, refuse: bool) {
    b.js(
        "const refuse = arguments[0];
         window.copied = [];
         Object.defineProperty(navigator.clipboard, 'writeText', {configurable: true, value: (t) => {
           if (refuse) return Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'));
           window.copied.push(t);
           return Promise.resolve();
         }});",
        vec![json!(refuse)],
    );
}

/// Presses "Copy as {label}" in `details` and returns what reached the clipboard.
fn copy_as(b: &Browser, details: &Element, label: &str) -> String {
    let before = b.js("return window.copied.length;", vec![]);
    b.click(&b.button(&format!("Copy as {label}"), Some(details)));
    let status = b.css("[role=status].copied", Some(details));
    b.wait(&format!("the {label} snippet on the clipboard"), || {
        let now = b.js("return window.copied.length;", vec![]);
        (now != before && b.text(&status).starts_with("Copied")).then_some(())
    });
    b.js("return window.copied[window.copied.length - 1];", vec![])
        .as_str()
        .expect("text")
        .to_owned()
}

/// The token request and a validate call, inspected: where each went, headers with the
/// Authorization masked until revealed, the answer; axe clean with the inspector open.
fn inspect_the_lesson(b: &Browser, relay: bool) {
    if relay {
        b.open("/");
        type_credentials(b, SANDBOX_ID, SANDBOX_SECRET);
        let dialog = run_token(b);
        b.click(&b.button("Save", Some(&dialog)));
    } else {
        b.open(SANDBOX);
        get_and_save(b);
    }
    let token = stored_token(b)["access_token"]
        .as_str()
        .expect("a saved token")
        .to_owned();
    let cell = token_cell(b);
    let details = request_of(b, &cell);
    assert_eq!(
        b.property(&details, "open"),
        json!(false),
        "closed by default"
    );
    let summary = summary_text(b, &details);
    assert!(
        summary.starts_with(
            "POST https://accounts.spotify.com/api/token?grant_type=client_credentials"
        ),
        "{summary}"
    );
    open_inspector(b, &details);
    let text = b.text(&details);
    let went = if relay {
        "Sent to the relay, as /relay/https://accounts.spotify.com/api/token"
    } else {
        "Sent to the in-page sandbox (nothing left the browser)"
    };
    assert!(text.contains(went), "{text}");
    assert!(
        text.contains("content-type application/x-www-form-urlencoded"),
        "{text}"
    );
    assert!(text.contains("Status 200, body"), "{text}");
    assert!(text.contains("content-type application/json"), "{text}");
    assert!(text.contains("Duration"), "{text}");
    assert!(
        !text.contains("relay answered"),
        "Spotify's answer, not the relay's: {text}"
    );
    // Masked, then decoded (id shown, secret not), then revealed.
    let basic = base64_basic(SANDBOX_ID, SANDBOX_SECRET);
    assert_eq!(shown_auth(b, &details), "Basic •••");
    for secret in [SANDBOX_SECRET, basic.as_str(), token.as_str()] {
        assert!(!b.text(&cell).contains(secret), "the cell shows a secret");
    }
    assert_accessible(b, "with the inspector open");
    b.click(&b.button("Decode", Some(&details)));
    assert_eq!(
        shown_auth(b, &details),
        format!("Basic base64 of {SANDBOX_ID}:••••")
    );
    b.click(&b.button("Reveal", Some(&details)));
    assert_eq!(
        shown_auth(b, &details),
        format!("Basic base64 of {SANDBOX_ID}:{SANDBOX_SECRET}")
    );
    assert_eq!(
        b.property(&b.button("Reveal", Some(&details)), "ariaPressed"),
        json!("true")
    );
    b.click(&b.button("Decode", Some(&details)));
    assert_eq!(shown_auth(b, &details), format!("Basic {basic}"));
    b.click(&b.button("Reveal", Some(&details)));
    assert_eq!(shown_auth(b, &details), "Basic •••");

    let validate = validate_cell(b);
    b.click(&b.button("Run", Some(&validate)));
    b.wait_for_text(&log_of(b, &validate), "The access token is valid.");
    let details = request_of(b, &validate);
    assert!(
        summary_text(b, &details)
            .starts_with("GET https://api.spotify.com/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V (200"),
        "{}",
        summary_text(b, &details)
    );
    open_inspector(b, &details);
    assert_eq!(shown_auth(b, &details), "Bearer •••");
    assert!(!b.text(&validate).contains(&token));
    assert!(
        b.js(
            "return button('Decode', arguments[0]) === null;",
            vec![(&details).into()]
        ) == json!(true),
        "Decode is for Basic only"
    );
    b.click(&b.button("Reveal", Some(&details)));
    assert_eq!(shown_auth(b, &details), format!("Bearer {token}"));
    assert_accessible(b, "with two inspectors open");
}

pub fn the_inspector_shows_each_request_in_the_sandbox(s: &Servers) {
    inspect_the_lesson(&s.browser(), false);
}

pub fn the_inspector_shows_each_request_through_the_relay(s: &Servers) {
    inspect_the_lesson(&s.browser(), true);
}

/// A relay's own error is the relay's, apart from Spotify's answer.
pub fn a_relay_error_is_shown_apart(s: &Servers) {
    let b = s.browser();
    b.open_url(&format!("{}/?target=spotify", s.unreachable_url));
    type_credentials(&b, SANDBOX_ID, SANDBOX_SECRET);
    let cell = token_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    b.wait_for_text(&log_of(&b, &cell), "relay_upstream_unreachable");
    let details = b.wait("the request", || {
        b.exists(".requests details.exchange")
            .then(|| request_of(&b, &cell))
    });
    assert!(
        summary_text(&b, &details).contains("(502 from the relay,"),
        "{}",
        summary_text(&b, &details)
    );
    open_inspector(&b, &details);
    let note = b.text(&b.css(".relay-error", Some(&details)));
    assert!(
        note.contains("The relay answered 502 with its own error, relay_upstream_unreachable: this is not Spotify's answer."),
        "{note}"
    );
}

/// Three runs: the history lists them newest first; the oldest still opens in the inspector.
pub fn the_history_keeps_each_run(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    get_and_save(&b);
    let cell = validate_cell(&b);
    assert_eq!(
        b.js(
            "return [...document.querySelectorAll('.history')].filter((h) => h.checkVisibility()).length;",
            vec![]
        ),
        json!(1),
        "only the token cell has run"
    );
    for _ in 0..3 {
        let before = b.js(
            "return arguments[0].querySelectorAll('[aria-label=\"Run history\"] > li').length;",
            vec![(&cell).into()],
        );
        b.click(&b.button("Run", Some(&cell)));
        b.wait("the run in the history", || {
            let now = b.js(
                "return arguments[0].querySelectorAll('[aria-label=\"Run history\"] > li').length;",
                vec![(&cell).into()],
            );
            (now != before).then_some(())
        });
    }
    let history = b.css("ol[aria-label=\"Run history\"]", Some(&cell));
    let items: Vec<String> = serde_json::from_value(b.js(
        "return [...arguments[0].children].map((li) => text(li.querySelector('summary')));",
        vec![(&history).into()],
    ))
    .expect("strings");
    assert_eq!(items.len(), 3, "{items:?}");
    for item in &items {
        // "14:02:11: 200, 12 ms, 1 request"
        let (time, rest) = item.split_at(8);
        assert!(time.chars().filter(|c| *c == ':').count() == 2, "{item}");
        assert!(
            rest.starts_with(": 200, ") && rest.ends_with(" ms, 1 request"),
            "{item}"
        );
    }
    // The oldest run, last in the list, opens, and so does its request.
    let (oldest, request) = open_oldest_request(&b, &history);
    assert!(summary_text(&b, &request).starts_with("GET https://api.spotify.com/v1/tracks/"));
    // A later run rebuilds the list afresh: the oldest run is still last, and no element of
    // the list keeps an inspector of another run's request (a list rebuilt in place would
    // hand the open elements, with their inspector, to the run now at that position).
    let oldest_summary = b.text(&b.css("summary", Some(&oldest)));
    // Kept in the page: WebDriver refuses a reference to an element that left the document.
    b.js("window.oldestRun = arguments[0];", vec![(&oldest).into()]);
    b.click(&b.button("Run", Some(&cell)));
    b.wait("run 4 in the history", || {
        (b.js(
            "return arguments[0].children.length;",
            vec![(&history).into()],
        ) == json!(4))
        .then_some(())
    });
    assert_eq!(
        b.js(
            "return [window.oldestRun.isConnected, arguments[0].querySelectorAll('.inspect').length, text(arguments[0].lastElementChild.querySelector('summary'))];",
            vec![(&history).into()],
        ),
        json!([false, 0, oldest_summary]),
        "fresh elements, no inspector left over, the oldest run last"
    );
    // Positive control: the oldest run's request still opens in the inspector.
    open_oldest_request(&b, &history);
    // Memory only: nothing of the history is stored.
    let stored = b.js(
        "return JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage});",
        vec![],
    );
    let stored = stored.as_str().unwrap_or_default();
    assert!(!stored.contains("api.spotify.com/v1/tracks"), "{stored}");
    assert!(
        stored.contains("spotify-playground"),
        "positive control: storage is readable"
    );
}

/// Opens the oldest run of `history` (its last item) and that run's request in the
/// inspector, which masks the token; returns the run's and the request's disclosures.
fn open_oldest_request(b: &Browser, history: &Element) -> (Element, Element) {
    let oldest = b.find(
        "the oldest run",
        "return arguments[0].lastElementChild.querySelector('details');",
        vec![history.into()],
    );
    b.click(&b.css("summary", Some(&oldest)));
    let request = b.css("details.exchange", Some(&oldest));
    open_inspector(b, &request);
    assert_eq!(shown_auth(b, &request), "Bearer •••");
    (oldest, request)
}

/// Presses `key` (a WebDriver key code) where the focus is.
fn press(b: &Browser, key: &str) {
    let active = b.find(
        "the focused element",
        "return document.activeElement;",
        vec![],
    );
    b.type_text(&active, key);
}

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const DOWN: &str = "\u{E015}";

/// Keyboard only, from the Run button: Tab reaches the request, Enter opens it, and Tab goes
/// through Reveal, Decode, the export target (arrow keys choose), Include my values and the
/// Copy buttons. A refused clipboard leaves the snippet selected, with the focus on it.
pub fn the_inspector_works_by_keyboard(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    b.click(&b.button("Use sandbox credentials", None));
    let cell = token_cell(&b);
    let run = b.button("Run", Some(&cell));
    b.js("arguments[0].focus();", vec![(&run).into()]);
    press(&b, ENTER);
    b.wait_for_text(&log_of(&b, &cell), "Status: 200 OK");
    // The Save dialog takes the focus; Escape closes it and gives it back to Run.
    b.wait("the Save dialog", || b.exists("dialog[open]").then_some(()));
    press(&b, "\u{E00C}");
    b.wait("the focus back on Run", || {
        (b.js(
            "return document.activeElement === arguments[0];",
            vec![(&run).into()],
        ) == json!(true))
        .then_some(())
    });
    let details = request_of(&b, &cell);
    let focused = |selector: &str| {
        b.js(
            "return document.activeElement === arguments[0].querySelector(arguments[1]);",
            vec![(&details).into(), json!(selector)],
        ) == json!(true)
    };
    let focused_button = |name: &str| {
        b.js(
            "return document.activeElement === arguments[0];",
            vec![(&b.button(name, Some(&details))).into()],
        ) == json!(true)
    };
    press(&b, TAB);
    assert!(focused("summary"), "Tab from Run reaches the request");
    press(&b, ENTER);
    wait_for_inspector(&b, &details);
    press(&b, TAB);
    assert!(focused_button("Reveal"), "then Reveal");
    press(&b, " ");
    assert_eq!(
        shown_auth(&b, &details),
        format!("Basic {}", base64_basic(SANDBOX_ID, SANDBOX_SECRET))
    );
    press(&b, TAB);
    assert!(focused_button("Decode"), "then Decode");
    press(&b, ENTER);
    assert_eq!(
        shown_auth(&b, &details),
        format!("Basic base64 of {SANDBOX_ID}:{SANDBOX_SECRET}")
    );
    press(&b, TAB);
    assert!(focused("input[value=spotify]"), "then the export target");
    press(&b, DOWN);
    assert!(
        focused("input[value=sandbox]:checked"),
        "arrow keys pick the sandbox"
    );
    press(&b, TAB);
    assert!(focused("input[type=checkbox]"), "then Include my values");
    press(&b, TAB);
    assert!(focused_button("Copy as curl"), "then Copy as curl");
    stub_clipboard(&b, true);
    press(&b, ENTER);
    let status = b.css("[role=status].copied", Some(&details));
    b.wait_for_text(&status, "The clipboard was refused");
    let area = b.css(".manual textarea", Some(&details));
    let selected = b.js(
        "const a = arguments[0]; return [document.activeElement === a, a.selectionStart, a.selectionEnd, a.value.length, a.value];",
        vec![(&area).into()],
    );
    assert_eq!(selected[0], json!(true), "the snippet has the focus");
    assert_eq!(selected[1], json!(0));
    assert_eq!(selected[2], selected[3], "all of it is selected");
    let snippet = selected[4].as_str().unwrap_or_default();
    assert!(snippet.contains("/sandbox/accounts/api/token"), "{snippet}");
    assert!(!snippet.contains(SANDBOX_SECRET), "{snippet}");
    // Positive control: with a working clipboard the note goes away.
    stub_clipboard(&b, false);
    let curl = b.button("Copy as curl", Some(&details));
    b.js("arguments[0].focus();", vec![(&curl).into()]);
    press(&b, ENTER);
    b.wait_for_text(&status, "Copied the curl snippet.");
    assert!(!b.shown(".manual"));
}

/// Runs `program args` with `env`, and returns its standard output; fails on a non-zero exit.
fn run_program(program: &str, args: &[&Path], env: &[(&str, &str)], what: &str) -> String {
    let out = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {program}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The five exports of the first request in `cell`'s output, to this server's sandbox, with
/// none of `secrets` in them; with "Include my values" checked (positive control) they hold
/// the first.
fn exports_of(b: &Browser, s: &Servers, cell: &Element, secrets: &[&str]) -> Vec<String> {
    let details = request_of(b, cell);
    open_inspector(b, &details);
    // Spotify is the default target.
    let spotify = copy_as(b, &details, "curl");
    assert!(spotify.contains("https://"), "{spotify}");
    assert!(!spotify.contains("/sandbox/"), "{spotify}");
    b.click(&b.css("input[value=sandbox]", Some(&details)));
    let mut texts = Vec::new();
    for lang in LANGS {
        let text = copy_as(b, &details, lang);
        for secret in secrets {
            assert!(!text.contains(secret), "{lang} holds a secret:\n{text}");
        }
        assert!(
            text.contains(&format!("{}/sandbox/", s.base_url)),
            "{lang}:\n{text}"
        );
        texts.push(text);
    }
    let include = b.css(".inspect input[type=checkbox]", Some(&details));
    let warned = || {
        b.js(
            "return arguments[0].querySelector('.warn').checkVisibility();",
            vec![(&details).into()],
        ) == json!(true)
    };
    assert!(!warned());
    b.click(&include);
    b.wait("the warning", || warned().then_some(()));
    for lang in LANGS {
        let text = copy_as(b, &details, lang);
        assert!(text.contains(secrets[0]), "{lang} lacks the value:\n{text}");
    }
    b.click(&include);
    texts
}

/// A request's name, its five snippets, the environment they need, and what the answer holds.
type Call<'a> = (&'a str, &'a [String], &'a [(&'a str, &'a str)], &'a str);

const LANGS: [&str; 5] = ["curl", "fetch", "Node.js", "Python", "Rust"];

/// The exports of the token request and of a validate call, with the sandbox as their target,
/// run for real: curl with sh, Python with requests, fetch and Node.js with node, Rust with
/// reqwest in a scratch crate. No secret is in a snippet unless "Include my values" is checked.
pub fn exports_run_against_the_sandbox(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    get_and_save(&b);
    let saved = stored_token(&b)["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let validate = validate_cell(&b);
    b.click(&b.button("Run", Some(&validate)));
    b.wait_for_text(&log_of(&b, &validate), "The access token is valid.");
    stub_clipboard(&b, false);
    let dir = e2e::artifacts().join("exports");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let basic = base64_basic(SANDBOX_ID, SANDBOX_SECRET);
    let token_snippets = exports_of(&b, s, &token_cell(&b), &[SANDBOX_SECRET, &basic]);
    let track_snippets = exports_of(&b, s, &validate, &[&saved]);
    // Lesson 2's search: a query string, from the learner's own (editable) code.
    b.open("/?lesson=search&target=sandbox");
    run_cell(&b, "Search for artists");
    b.click(&b.button("Cancel", Some(&b.region("Save ARTIST_ID"))));
    stub_clipboard(&b, false);
    let search_snippets = exports_of(&b, s, &b.region("Search for artists"), &[&saved]);
    let credentials = [
        ("SPOTIFY_CLIENT_ID", SANDBOX_ID),
        ("SPOTIFY_CLIENT_SECRET", SANDBOX_SECRET),
    ];
    let write = |name: &str, text: &str| -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write snippet");
        path
    };

    // curl first: its token is what the other snippets' Web API calls use.
    let out = run_program(
        "sh",
        &[&write("first-token.sh", &token_snippets[0])],
        &credentials,
        "curl token",
    );
    assert!(out.contains("HTTP status 200"), "{out}");
    let body = out
        .lines()
        .find(|l| l.starts_with('{'))
        .expect("a JSON body");
    let token: Value = serde_json::from_str(body).expect("JSON");
    let token = token["access_token"].as_str().expect("a token").to_owned();
    let bearer = [("SPOTIFY_ACCESS_TOKEN", token.as_str())];

    // The spotipy venv (where `cargo xtask setup` put spotipy) has the requests package.
    let python = std::env::var("SPOTIPY_PYTHON").unwrap_or_else(|_| {
        e2e::root()
            .join("target/tools/spotipy/bin/python")
            .display()
            .to_string()
    });
    e2e::require("node");
    let calls: [Call; 3] = [
        ("token", &token_snippets, &credentials, "\"access_token\""),
        ("track", &track_snippets, &bearer, "Wild Island"),
        ("search", &search_snippets, &bearer, "The Paper Moons"),
    ];
    let krate = e2e::artifacts().join("export-rust");
    std::fs::create_dir_all(krate.join("src/bin")).expect("scratch crate");
    for (name, snippets, env, expect) in calls {
        let what = |lang: &str| format!("the {lang} snippet of the {name} request");
        let out = run_program(
            "sh",
            &[&write(&format!("{name}.sh"), &snippets[0])],
            env,
            &what("curl"),
        );
        assert!(
            out.contains(expect) && out.contains("HTTP status 200"),
            "{out}"
        );
        // Python, with the requests package (spotipy's venv has it).
        let out = run_program(
            &python,
            &[&write(&format!("get-{name}.py"), &snippets[3])],
            env,
            &what("Python"),
        );
        assert!(out.starts_with("200 OK") && out.contains(expect), "{out}");
        let out = run_program(
            "node",
            &[&write(&format!("{name}.mjs"), &snippets[1])],
            env,
            &what("fetch"),
        );
        assert!(out.starts_with("200 OK") && out.contains(expect), "{out}");
        let out = run_program(
            "node",
            &[&write(&format!("{name}.js"), &snippets[2])],
            env,
            &what("Node.js"),
        );
        assert!(out.starts_with("200 OK") && out.contains(expect), "{out}");
        std::fs::write(krate.join(format!("src/bin/{name}.rs")), &snippets[4]).expect("Rust file");
    }
    // The error check: a refused token prints the status and fails.
    let refused = Command::new(&python)
        .arg(dir.join("get-track.py"))
        .env("SPOTIFY_ACCESS_TOKEN", "not-a-token")
        .output()
        .expect("python");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stdout).starts_with("401"));

    // Rust: a scratch crate with reqwest and tokio (offline, from the workspace's lock file).
    std::fs::write(
        krate.join("Cargo.toml"),
        "[package]\nname = \"export-rust\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [workspace]\n\n[dependencies]\n# Plain HTTP only: the sandbox is http://127.0.0.1.\n\
         reqwest = { version = \"0.12\", default-features = false }\n\
         tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }\n",
    )
    .expect("Cargo.toml");
    std::fs::copy(e2e::root().join("Cargo.lock"), krate.join("Cargo.lock")).expect("lock file");
    std::fs::write(krate.join("src/bin/every_snippet.rs"), every_rust_snippet())
        .expect("Rust file");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = e2e::root().join("target/export-rust");
    // Every Rust snippet the page can write type-checks (and builds), not only the three run.
    let out = Command::new(&cargo)
        .args(["build", "--quiet", "--offline", "--bin", "every_snippet"])
        .arg("--manifest-path")
        .arg(krate.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo");
    assert!(
        out.status.success(),
        "a Rust snippet the page can write does not compile: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (name, _, env, expect) in calls {
        let out = Command::new(&cargo)
            .args([
                "run",
                "--quiet",
                "--offline",
                "--bin",
                name,
                "--manifest-path",
            ])
            .arg(krate.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target)
            .envs(env.iter().copied())
            .output()
            .expect("cargo");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "the Rust snippet of the {name} request failed: {}\n{stdout}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.starts_with("200 OK") && stdout.contains(expect),
            "{stdout}"
        );
    }
}

/// One program that holds, each in a module of its own, every kind of Rust snippet the page
/// can write: Basic, Bearer, another scheme and no Authorization; credentials in a form body;
/// each method; values that need escaping; Spotify's URL and the sandbox's; with the
/// learner's values or from the environment.
fn every_rust_snippet() -> String {
    use playground_core::export::{snippet, Endpoint, Lang};
    use wire::{Authorization, HttpRequest};
    let hostile = "it's \"q\" \\ {0} $HOME\n\u{2028}é";
    let token = "https://accounts.spotify.com/api/token?grant_type=client_credentials";
    let track = "https://api.spotify.com/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V";
    let form = "application/x-www-form-urlencoded";
    let requests = [
        HttpRequest::new("POST", token)
            .header("Content-Type", form)
            .header(
                "Authorization",
                Authorization::basic("id", hostile).header_value(),
            ),
        HttpRequest::new("POST", "https://accounts.spotify.com/api/token")
            .header("Content-Type", form)
            .body(format!(
                "grant_type=client_credentials&client_id=id&client_secret={hostile}"
            )),
        HttpRequest::new("GET", track).header(
            "Authorization",
            Authorization::Bearer("BQD".into()).header_value(),
        ),
        HttpRequest::new("GET", format!("{track}?market={hostile}"))
            .header("Authorization", "Token abc")
            .header("X-Note", hostile),
        HttpRequest::new("GET", track),
        HttpRequest::new("HEAD", track),
        HttpRequest::new("PUT", track).body(hostile),
        HttpRequest::new("DELETE", track),
        HttpRequest::new("PATCH", track).body("{}"),
        HttpRequest::new("PROPFIND", track),
    ];
    let mut out = String::from("#![allow(dead_code, unused_variables)]\nfn main() {}\n");
    let mut n = 0;
    for request in &requests {
        for endpoint in [
            Endpoint::Spotify,
            Endpoint::Sandbox("http://127.0.0.1:8080"),
        ] {
            for include in [false, true] {
                n += 1;
                let text = snippet(request, Lang::Rust, endpoint, include);
                out.push_str(&format!("mod case{n} {{\n{text}\n}}\n"));
            }
        }
    }
    out
}

/// The on-demand module cannot be fetched: the sandbox's answer, the inspector and the Embed
/// panel say so, and what to do. Once it can be fetched again, all three work without a
/// reload.
pub fn a_missing_on_demand_module_is_explained(s: &Servers) {
    let b = s.browser();
    b.cdp("Network.enable", json!({}));
    b.cdp("Network.setBlockedURLs", json!({"urls": ["*ondemand*"]}));
    b.open(SANDBOX);
    b.click(&b.button("Use sandbox credentials", None));
    let cell = token_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    let log = b.wait_for_text(&log_of(&b, &cell), "The sandbox could not be loaded");
    assert!(
        log.contains("Check that the server is still running, then run the cell again."),
        "{log}"
    );
    assert!(
        !log.contains("CORS") && !log.contains("relay"),
        "not blamed on the network: {log}"
    );
    let details = request_of(&b, &cell);
    let summary = b.css("summary", Some(&details));
    b.click(&summary);
    b.wait_for_text(&details, "The inspector could not be loaded.");
    let embed_details = b.css("details.embed-toggle", None);
    let embed = b.css("summary", Some(&embed_details));
    b.click(&embed);
    b.wait_for_text(&embed_details, "The Embed panel could not be loaded.");
    // The server is back: closing and opening the request loads the inspector, closing and
    // opening the Embed panel loads the panel, and Run works.
    b.cdp("Network.setBlockedURLs", json!({"urls": []}));
    b.click(&summary);
    b.click(&summary);
    wait_for_inspector(&b, &details);
    b.click(&embed);
    b.click(&embed);
    let code = b.field("Embed code");
    assert!(
        b.property(&code, "value")
            .as_str()
            .is_some_and(|v| v.contains("<iframe")),
        "the panel works"
    );
    assert!(
        !b.text(&embed_details).contains("could not be loaded"),
        "the note is gone"
    );
    b.click(&b.button("Run", Some(&cell)));
    b.wait_for_text(&log_of(&b, &cell), "Status: 200 OK");
}

/// Makes the on-demand module claim another contract, as the newer release's module would,
/// served under the same fixed name to a page left open: the page loads the script, and
/// this hook answers for the module's `contract` export.
const NEWER_MODULE: &str = "
const append = Node.prototype.appendChild;
Node.prototype.appendChild = function (child) {
  if (child instanceof HTMLScriptElement && child.src.endsWith('/ondemand.js')) {
    child.addEventListener('load', () => { wasm_bindgen.contract = () => 'a newer release'; });
  }
  return append.call(this, child);
};";

/// A page left open across a release meets the newer release's on-demand module: it uses
/// none of it, and the cell and the request's disclosure say to reload. Control: once
/// reloaded (page and module agree again), the sandbox answers.
pub fn a_newer_on_demand_module_is_refused(s: &Servers) {
    let b = s.browser();
    b.cdp("Page.enable", json!({}));
    let added = b.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({"source": NEWER_MODULE}),
    );
    b.open(SANDBOX);
    b.click(&b.button("Use sandbox credentials", None));
    let cell = token_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    let log = b.wait_for_text(
        &log_of(&b, &cell),
        "This page is older than the playground on the server",
    );
    assert!(log.contains("Reload the page"), "{log}");
    assert!(
        !log.contains("Status: 200"),
        "the newer sandbox did not answer: {log}"
    );
    let details = request_of(&b, &cell);
    b.click(&b.css("summary", Some(&details)));
    b.wait_for_text(&details, "Reload the page");
    assert!(!b.exists(".inspect"), "no inspector from the newer module");
    b.cdp(
        "Page.removeScriptToEvaluateOnNewDocument",
        json!({"identifier": added["identifier"]}),
    );
    b.reload();
    let cell = token_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    b.wait_for_text(&log_of(&b, &cell), "Status: 200 OK");
}
