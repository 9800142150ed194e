//! The lesson as a learner does it, in headless Chromium against the release build.

use e2e::{cases, run_cases, Browser, Element, Servers};
use serde_json::{json, Value};

const SANDBOX: &str = "/?target=sandbox";
const SANDBOX_ID: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const SANDBOX_SECRET: &str = "f9e8d7c6b5a4039281706f5e4d3c2b1a";

fn main() -> std::process::ExitCode {
    run_cases(cases![
        fresh_load_shows_the_lesson,
        sandbox_run_save_and_countdown,
        reload_keeps_the_token_and_keys,
        validate_says_valid,
        wrong_secret_is_explained,
        empty_credentials_send_nothing,
        short_sandbox_lifetime_shows_expiry,
        forget_clears_everything,
        spotify_target_full_lesson_through_the_relay,
        spotify_wrong_secret_is_spotify_answering,
        spotify_unreachable_upstream_is_the_relay_failing,
        spotipy_gets_a_token_and_a_track_through_the_relay,
        rate_limited_run_counts_down_and_never_retries,
        another_relay_works_only_when_the_operator_allows_it,
        dialog_keeps_focus_cancel_and_escape_store_nothing,
        no_accessibility_violations,
        embedding_works_where_the_operator_allows_it,
    ])
}

fn token_cell(b: &Browser) -> Element {
    b.region("Get an access token")
}

fn validate_cell(b: &Browser) -> Element {
    b.region("Validate the access token")
}

fn log_of(b: &Browser, cell: &Element) -> Element {
    b.css("[role=log]", Some(cell))
}

fn status(b: &Browser) -> Element {
    b.css("[role=status]#token-status", None)
}

/// Fills the keys panel by typing, as a learner would.
fn type_credentials(b: &Browser, id: &str, secret: &str) {
    b.type_text(&b.field("Client ID"), id);
    b.type_text(&b.field("Client Secret"), secret);
}

/// Runs the token cell and returns the dialog.
fn run_token(b: &Browser) -> Element {
    let cell = token_cell(b);
    b.click(&b.button("Run", Some(&cell)));
    b.wait_for_text(&log_of(b, &cell), "Status: 200 OK");
    b.region("Save access token")
}

/// Sandbox credentials, Run, Save: the first three steps.
fn get_and_save(b: &Browser) {
    b.click(&b.button("Use sandbox credentials", None));
    let dialog = run_token(b);
    b.click(&b.button("Save", Some(&dialog)));
    b.wait("the dialog to close", || {
        (!b.exists("[role=dialog]")).then_some(())
    });
}

fn stored_token(b: &Browser) -> Value {
    let raw = b.js(
        "return localStorage.getItem('spotify-playground.token');",
        vec![],
    );
    raw.as_str().map_or(Value::Null, |s| {
        serde_json::from_str(s).expect("stored token is JSON")
    })
}

fn done_steps(b: &Browser) -> Vec<String> {
    let value = b.js(
        "return [...document.querySelectorAll('.steps li.done')].map(text);",
        vec![],
    );
    serde_json::from_value(value).expect("strings")
}

fn fresh_load_shows_the_lesson(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    let title = b.css("h1", None);
    assert_eq!(b.text(&title), "Obtain the Client Credential Access Token");
    let cell = token_cell(&b);
    // The lesson's code, with line numbers and the placeholders marked, never filled in.
    let code = b.text(&b.css("pre.code", Some(&cell)));
    assert!(
        code.contains("const endpointUrl = new URL('https://accounts.spotify.com/api/token');"),
        "{code}"
    );
    assert!(code.contains("fetchAccessToken();"));
    let marks = b.js(
        "return [...arguments[0].querySelectorAll('.tok-placeholder')].map(text);",
        vec![(&cell).into()],
    );
    assert_eq!(marks, json!(["{{CLIENT_ID}}", "{{CLIENT_SECRET}}"]));
    let lines = b.js(
        "return arguments[0].querySelectorAll('.line').length;",
        vec![(&cell).into()],
    );
    assert_eq!(lines, json!(30));
    // Both cells, the keys, the sandbox badge, the note, the empty status.
    validate_cell(&b);
    assert_eq!(
        b.property(&b.field("Client Secret"), "type"),
        json!("password")
    );
    assert_eq!(b.property(&b.field("Client ID"), "type"), json!("text"));
    assert!(b.text(&b.css("#sandbox-badge", None)).contains("Sandbox"));
    assert!(b.text(&b.css(".note", None)).contains("3600 seconds"));
    assert_eq!(b.text(&status(&b)), "No access token saved yet.");
    assert!(done_steps(&b).is_empty());
    let current = b.js(
        "return text(document.querySelector('[aria-current=step]'));",
        vec![],
    );
    assert!(
        current
            .as_str()
            .is_some_and(|t| t.contains("Enter credentials")),
        "{current}"
    );
    // The show/hide toggle unmasks the secret.
    b.click(&b.button("Show", None));
    assert_eq!(b.property(&b.field("Client Secret"), "type"), json!("text"));
}

fn sandbox_run_save_and_countdown(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    b.click(&b.button("Use sandbox credentials", None));
    assert_eq!(
        b.property(&b.field("Client ID"), "value"),
        json!(SANDBOX_ID)
    );
    let cell = token_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    let log = b.wait_for_text(&log_of(&b, &cell), "Status: 200 OK");
    assert!(log.contains("\"token_type\": \"Bearer\""), "{log}");
    assert!(log.contains("\"expires_in\": 3600"), "{log}");

    let dialog = b.region("Save access token");
    let shown = b.text(&b.css("#dialog-token", Some(&dialog)));
    assert!(
        shown.contains("characters, hidden"),
        "masked by default: {shown}"
    );
    b.click(&b.button("Reveal token", Some(&dialog)));
    let token = b.text(&b.css("#dialog-token", Some(&dialog)));
    assert!(
        token.starts_with("BQ") && !token.contains("hidden"),
        "{token}"
    );
    assert!(!log.contains(&token), "the log never shows the token");
    assert!(
        b.text(&dialog).contains("Expires at"),
        "shows when it expires"
    );
    assert!(stored_token(&b).is_null(), "nothing is stored before Save");

    b.click(&b.button("Save", Some(&dialog)));
    b.wait("the dialog to close", || {
        (!b.exists("[role=dialog]")).then_some(())
    });
    let saved = stored_token(&b);
    assert_eq!(saved["access_token"], json!(token));
    let now = b
        .js("return Math.floor(Date.now() / 1000);", vec![])
        .as_u64()
        .expect("now");
    let expires_at = saved["expires_at"].as_u64().expect("absolute expiry");
    assert!(
        (now + 3590..=now + 3600).contains(&expires_at),
        "{expires_at} vs {now}"
    );

    let first = b.wait_for_text(&status(&b), "expires in ");
    assert!(
        first.contains("Valid") && (first.contains("59:") || first.contains("60:00")),
        "{first}"
    );
    let later = b.wait("the countdown to move", || {
        let text = b.text(&status(&b));
        (text != first).then_some(text)
    });
    assert!(later.contains("expires in 59:"), "{later}");
    assert_eq!(
        done_steps(&b).len(),
        3,
        "credentials, token and save are done"
    );
}

fn reload_keeps_the_token_and_keys(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    get_and_save(&b);
    let before = stored_token(&b);
    b.reload();
    b.wait_for_text(&status(&b), "expires in 59:");
    assert_eq!(stored_token(&b), before);
    assert_eq!(
        b.property(&b.field("Client Secret"), "value"),
        json!(SANDBOX_SECRET),
        "keys survive a reload in this tab"
    );
}

fn validate_says_valid(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    get_and_save(&b);
    let cell = validate_cell(&b);
    assert!(b
        .text(&b.css("pre.code", Some(&cell)))
        .contains("validateToken()"));
    b.click(&b.button("Run", Some(&cell)));
    let log = b.wait_for_text(&log_of(&b, &cell), "The access token is valid.");
    assert!(log.contains("Sandbox Track: "), "{log}");
    assert!(log.contains("more."), "says the time left: {log}");
    assert_eq!(done_steps(&b).len(), 4);
}

fn wrong_secret_is_explained(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    type_credentials(&b, SANDBOX_ID, "not-the-secret");
    let cell = token_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    let log = b.wait_for_text(&log_of(&b, &cell), "Invalid client secret");
    assert!(log.contains("Status: 400 Bad Request"), "{log}");
    assert!(
        log.contains("Spotify answered: invalid_client / Invalid client secret"),
        "{log}"
    );
    assert!(log.contains("Client Secret is not"), "explained: {log}");
    assert!(!b.exists("[role=dialog]"), "no dialog after a failure");

    // The classic cause: the right secret with a space copied after it.
    let secret = b.field("Client Secret");
    b.clear(&secret);
    b.type_text(&secret, &format!("{SANDBOX_SECRET} "));
    let warning = b.wait_for_text(&b.description_of(&secret), "starts or ends with a space");
    assert!(warning.contains("Client Secret"), "{warning}");
    b.click(&b.button("Run", Some(&cell)));
    let log = b.wait_for_text(&log_of(&b, &cell), "IA==");
    assert!(log.contains("Invalid client secret"), "{log}");
}

fn empty_credentials_send_nothing(s: &Servers) {
    let b = s.browser();
    // The real target, so that a request would have to leave the page; count fetches.
    b.open("/?target=spotify");
    token_cell(&b);
    b.js("window.__fetches = 0; const f = window.fetch.bind(window); window.fetch = (...a) => { window.__fetches++; return f(...a); }; return true;", vec![]);
    let cell = token_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    let log = b.wait_for_text(
        &log_of(&b, &cell),
        "Missing keys: CLIENT_ID and CLIENT_SECRET",
    );
    assert!(log.contains("Nothing was sent"), "{log}");
    assert_eq!(b.js("return window.__fetches;", vec![]), json!(0));
    // One key typed: the message names the other one.
    b.type_text(&b.field("Client ID"), SANDBOX_ID);
    b.click(&b.button("Run", Some(&cell)));
    b.wait_for_text(&log_of(&b, &cell), "Missing key: CLIENT_SECRET.");
    assert_eq!(b.js("return window.__fetches;", vec![]), json!(0));
    // Control: with both keys the counter does see the request.
    b.type_text(&b.field("Client Secret"), SANDBOX_SECRET);
    b.click(&b.button("Run", Some(&cell)));
    b.wait("a fetch", || {
        (b.js("return window.__fetches;", vec![]) == json!(1)).then_some(())
    });
}

fn short_sandbox_lifetime_shows_expiry(s: &Servers) {
    let b = s.browser();
    b.open("/?target=sandbox&sandbox_token_lifetime=2");
    get_and_save(&b);
    b.wait_for_text(&status(&b), "has expired");
    b.button("Get a new token", None);
    let cell = validate_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    let log = b.wait_for_text(&log_of(&b, &cell), "The access token has expired.");
    assert!(log.contains("Status: 401 Unauthorized"), "{log}");
}

fn forget_clears_everything(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    b.click(&b.css(".remember input", None));
    get_and_save(&b);
    let keys = "return Object.keys(localStorage).concat(Object.keys(sessionStorage)).filter((k) => k.startsWith('spotify-playground.') && k !== 'spotify-playground.relay').sort();";
    assert_eq!(
        b.js(keys, vec![]),
        json!([
            "spotify-playground.credentials",
            "spotify-playground.remember",
            "spotify-playground.token"
        ]),
        "remembered credentials and the token are stored"
    );
    b.click(&b.button("Forget", None));
    b.wait_for_text(&status(&b), "No access token saved yet.");
    assert_eq!(b.js(keys, vec![]), json!([]));
    assert_eq!(b.property(&b.field("Client ID"), "value"), json!(""));
    assert_eq!(b.property(&b.field("Client Secret"), "value"), json!(""));
    b.reload();
    b.wait_for_text(&status(&b), "No access token saved yet.");
    assert_eq!(b.property(&b.field("Client Secret"), "value"), json!(""));
}

/// The whole lesson with the real target: through the relay to the Spotify double.
fn spotify_target_full_lesson_through_the_relay(s: &Servers) {
    let b = s.browser();
    b.open("/");
    assert_eq!(
        b.property(&b.css("#target", None), "value"),
        json!("spotify"),
        "the real target is the default"
    );
    assert!(!b.exists("#sandbox-badge"));
    assert_eq!(
        b.js("return button('Use sandbox credentials') === null;", vec![]),
        json!(true),
        "the sandbox credentials are offered only in the sandbox"
    );
    type_credentials(&b, SANDBOX_ID, SANDBOX_SECRET);
    let dialog = run_token(&b);
    b.click(&b.button("Reveal token", Some(&dialog)));
    let token = b.text(&b.css("#dialog-token", Some(&dialog)));
    b.click(&b.button("Save", Some(&dialog)));
    b.wait_for_text(&status(&b), "Saved spotify token");
    let cell = validate_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    let log = b.wait_for_text(&log_of(&b, &cell), "The access token is valid.");
    assert!(log.contains("Sandbox Track: "), "{log}");
    assert_eq!(done_steps(&b).len(), 4);

    // What the server logged for this run holds no secret, token or Basic value.
    let logs = std::fs::read_to_string(&s.relay_log).expect("server log");
    assert!(
        logs.contains("upstream_path=\"/api/token\""),
        "the relay was used: {logs}"
    );
    let basic = base64_basic(SANDBOX_ID, SANDBOX_SECRET);
    for secret in [SANDBOX_SECRET, token.as_str(), basic.as_str()] {
        assert!(!logs.contains(secret), "the server log holds a secret");
    }
}

fn spotify_wrong_secret_is_spotify_answering(s: &Servers) {
    let b = s.browser();
    b.open("/?target=spotify");
    type_credentials(&b, SANDBOX_ID, "not-the-secret");
    let cell = token_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    let log = b.wait_for_text(
        &log_of(&b, &cell),
        "Spotify answered: invalid_client / Invalid client secret",
    );
    assert!(log.contains("Client Secret is not"), "explained: {log}");
    assert!(!log.contains("relay"), "not blamed on the relay: {log}");
}

fn spotify_unreachable_upstream_is_the_relay_failing(s: &Servers) {
    let b = s.browser();
    b.open_url(&format!("{}/?target=spotify", s.unreachable_url));
    type_credentials(&b, SANDBOX_ID, SANDBOX_SECRET);
    let cell = token_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    let log = b.wait_for_text(
        &log_of(&b, &cell),
        "The relay could not reach Spotify (relay_upstream_unreachable)",
    );
    assert!(log.contains("Status: 502 Bad Gateway"), "{log}");
    assert!(
        log.contains("switch the target to the sandbox"),
        "a way forward: {log}"
    );
    assert!(!log.contains(SANDBOX_SECRET), "{log}");
    assert!(!b.exists("[role=dialog]"));
}

/// A course page on another origin embeds the lesson when the server lists it in
/// --frame-ancestors; a server that does not list it is refused by the browser.
fn embedding_works_where_the_operator_allows_it(s: &Servers) {
    let b = s.browser();
    b.open_url(&format!("{}/allowed.html", s.course_url));
    let frame = b.css("iframe", None);
    b.enter_frame(&frame);
    get_and_save(&b);
    let cell = validate_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    b.wait_for_text(&log_of(&b, &cell), "The access token is valid.");
    b.leave_frame();

    b.open_url(&format!("{}/refused.html", s.course_url));
    let frame = b.css("iframe", None);
    b.enter_frame(&frame);
    let url = b.wait("the browser to refuse the frame", || {
        let url = b.js("return document.URL;", vec![]);
        url.as_str()
            .filter(|u| u.starts_with("chrome-error:"))
            .map(str::to_owned)
    });
    let lesson_inside = b.js(
        "return document.body.innerText.includes('Obtain the Client Credential Access Token');",
        vec![],
    );
    assert_eq!(
        lesson_inside,
        json!(false),
        "no lesson inside a refused frame ({url})"
    );
}

/// axe-core finds nothing on the page: on load, with output and the dialog open, and after.
fn no_accessibility_violations(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    token_cell(&b);
    assert_eq!(
        b.accessibility_violations(),
        Vec::<String>::new(),
        "on load"
    );
    b.click(&b.button("Use sandbox credentials", None));
    run_token(&b);
    assert_eq!(
        b.accessibility_violations(),
        Vec::<String>::new(),
        "with the dialog open"
    );
    b.click(&b.button("Save", None));
    let cell = validate_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    b.wait_for_text(&log_of(&b, &cell), "The access token is valid.");
    assert_eq!(
        b.accessibility_violations(),
        Vec::<String>::new(),
        "after the lesson"
    );
}

/// `?relay=` can name another relay, but the page reaches only relays its server lists
/// (CSP connect-src): a shared link cannot send a learner's secret to a stranger's relay.
fn another_relay_works_only_when_the_operator_allows_it(s: &Servers) {
    let b = s.browser();
    // Allowed: the unreachable playground's relay, cross-origin (CORS and CSP both agree).
    b.open(&format!(
        "/?target=spotify&relay={}/relay/",
        s.unreachable_url
    ));
    assert!(b
        .text(&b.css(".badge-live", None))
        .contains(&s.unreachable_url));
    type_credentials(&b, SANDBOX_ID, SANDBOX_SECRET);
    let cell = token_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    let answered = b.wait("the other relay's answer", || {
        let t = b.text(&log_of(&b, &cell));
        (t.contains("relay_upstream_unreachable") || t.contains("relay_rate_limited")).then_some(t)
    });
    assert!(
        answered.contains("Status: "),
        "the other relay answered: {answered}"
    );

    // Not allowed: the double's relay. The browser refuses to connect; nothing is sent.
    let double_log = e2e::root().join("target/e2e/double.log");
    let before = std::fs::read_to_string(&double_log)
        .expect("log")
        .matches("relay")
        .count();
    b.open(&format!("/?target=spotify&relay={}/relay/", s.double_url));
    let cell = token_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    let log = b.wait_for_text(&log_of(&b, &cell), "The relay could not be reached");
    assert!(log.contains("--connect-src"), "{log}");
    let after = std::fs::read_to_string(&double_log)
        .expect("log")
        .matches("relay")
        .count();
    assert_eq!(after, before, "the unlisted relay received nothing");
}

/// The relay's 429: the cell shows the Retry-After countdown, Run waits, nothing is resent.
fn rate_limited_run_counts_down_and_never_retries(s: &Servers) {
    let b = s.browser();
    b.open_url(&format!("{}/?target=spotify", s.unreachable_url));
    type_credentials(&b, SANDBOX_ID, SANDBOX_SECRET);
    let cell = token_cell(&b);
    let log = log_of(&b, &cell);
    // The budget is one token request a minute, shared with the other test on this server:
    // at most two runs reach the limit.
    for _ in 0..2 {
        b.click(&b.button("Run", Some(&cell)));
        let text = b.wait("an answer", || {
            let t = b.text(&log);
            (t.contains("relay_upstream_unreachable") || t.contains("relay_rate_limited"))
                .then_some(t)
        });
        if text.contains("relay_rate_limited") {
            break;
        }
        b.js("arguments[0].textContent = '';", vec![(&log).into()]);
    }
    let text = b.wait_for_text(&log, "relay_rate_limited");
    assert!(text.contains("Status: 429 Too Many Requests"), "{text}");
    let wait = b.css(".retry-wait", Some(&cell));
    let first = b.wait_for_text(&wait, "you can run again in ");
    assert!(first.contains("00:") || first.contains("01:00"), "{first}");
    let run = b.button("Run", Some(&cell));
    assert_eq!(
        b.property(&run, "disabled"),
        json!(true),
        "Run waits for the countdown"
    );
    let relayed = || {
        std::fs::read_to_string(&s.unreachable_log)
            .expect("server log")
            .matches("upstream_path")
            .count()
    };
    let before = relayed();
    let later = b.wait("the countdown to move", || {
        let now = b.text(&wait);
        (now != first).then_some(now)
    });
    assert!(later.contains("you can run again in "), "{later}");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(relayed(), before, "nothing was retried silently");
}

/// A client library written by others, through the relay prefix (not a browser case, but it
/// needs the same running servers).
fn spotipy_gets_a_token_and_a_track_through_the_relay(s: &Servers) {
    let python = std::env::var_os("SPOTIPY_PYTHON").map_or_else(
        || e2e::root().join("target/tools/spotipy/bin/python"),
        std::path::PathBuf::from,
    );
    let output = std::process::Command::new(&python)
        .arg(e2e::root().join("tests/spotipy_through_relay.py"))
        .env("RELAY", format!("{}/relay/", s.base_url))
        .env("CLIENT_ID", SANDBOX_ID)
        .env("CLIENT_SECRET", SANDBOX_SECRET)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "run {} (cargo xtask setup installs spotipy): {e}",
                python.display()
            )
        });
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "spotipy failed: {stderr}");
    let track: Value = serde_json::from_slice(&output.stdout).expect("JSON from the script");
    assert_eq!(track["id"], "2TpxZ7JUBn3uw46aR7qd6V");
    assert!(
        track["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("Sandbox Track: ")),
        "{track}"
    );
}

/// The Basic credential's base64 part, as the browser sends it.
fn base64_basic(id: &str, secret: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
}

fn dialog_keeps_focus_cancel_and_escape_store_nothing(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    b.click(&b.button("Use sandbox credentials", None));
    let dialog = run_token(&b);
    let focused = b.js(
        "return document.activeElement && text(document.activeElement);",
        vec![],
    );
    assert_eq!(focused, json!("Save"), "focus moves into the dialog");
    // Tab stays inside the modal dialog: from the last control to the first, and back.
    let active = "return text(document.activeElement);";
    b.type_text(&b.button("Cancel", Some(&dialog)), "\u{E004}"); // Tab
    assert_eq!(b.js(active, vec![]), json!("Reveal token"));
    b.type_text(&b.button("Reveal token", Some(&dialog)), "\u{E008}\u{E004}"); // Shift+Tab
    assert_eq!(b.js(active, vec![]), json!("Cancel"));
    b.click(&b.button("Cancel", Some(&dialog)));
    b.wait("the dialog to close", || {
        (!b.exists("[role=dialog]")).then_some(())
    });
    assert!(stored_token(&b).is_null());
    assert_eq!(b.text(&status(&b)), "No access token saved yet.");
    let cell = token_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    b.region("Save access token");
    b.type_text(&b.button("Save", None), "\u{E00C}"); // Escape
    b.wait("Escape to close the dialog", || {
        (!b.exists("[role=dialog]")).then_some(())
    });
    assert!(stored_token(&b).is_null());
}
