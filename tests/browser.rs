//! The lesson as a learner does it, in headless Chromium against the release build.

use e2e::{cases, run_cases, Browser, Element, Servers};
use serde_json::{json, Value};

mod course;
use course::*;
mod inspector;
use inspector::*;
mod lti;
use lti::*;
mod prerender;
use prerender::*;
mod screenshots;
use screenshots::*;

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
        spotipy_reads_the_catalog_in_the_sandbox_and_through_the_relay,
        ts_sdk_reads_the_catalog_in_the_sandbox_and_through_the_relay,
        the_relays_rate_limit_counts_down,
        rate_limited_run_counts_down_and_never_retries,
        another_relay_works_only_when_the_operator_allows_it,
        dialog_keeps_focus_cancel_and_escape_store_nothing,
        no_accessibility_violations,
        embedding_works_where_the_operator_allows_it,
        embedded_cells_talk_to_the_course_page,
        embed_is_compact_at_320px_and_accessible,
        token_is_shared_only_under_the_opt_in,
        messages_from_a_foreign_host_are_ignored,
        blocked_storage_still_completes_the_lesson,
        embed_button_snippet_works_in_a_plain_page,
        unedited_code_prints_what_the_lesson_prints,
        edited_code_runs_as_written,
        runaway_code_is_stopped_and_the_page_stays_responsive,
        errors_show_their_line_in_the_code,
        only_spotify_is_reachable_from_code,
        output_is_capped,
        edits_persist_and_reset_restores_the_lesson,
        secrets_are_masked_in_everything_the_code_prints,
        methods_are_what_fetch_sends,
        placeholders_are_right_in_every_literal,
        a_second_iframe_loads_the_wasm_from_the_cache,
        the_lesson_completes_while_300_slow_clients_hold_connections,
        the_course_in_the_sandbox,
        the_course_through_the_relay,
        lesson_errors_are_explained,
        auto_renewal_retries_once_and_only_when_on,
        an_embedded_lesson_posts_lesson_completed,
        every_lesson_is_accessible,
        the_index_is_a_sidebar_or_folds_on_a_phone,
        the_lesson_file_comes_with_its_page,
        each_lesson_reads_before_the_wasm,
        the_page_takes_over_without_a_jump_or_a_lost_focus,
        the_inspector_shows_each_request_in_the_sandbox,
        the_inspector_shows_each_request_through_the_relay,
        a_relay_error_is_shown_apart,
        the_history_keeps_each_run,
        the_inspector_works_by_keyboard,
        exports_run_against_the_sandbox,
        a_missing_on_demand_module_is_explained,
        relay_settings_are_checked_applied_and_kept,
        a_newer_on_demand_module_is_refused,
        a_learning_platform_launches_a_lesson_in_its_frame,
        without_cookies_a_launch_goes_through_the_platforms_storage,
        an_instructor_adds_two_lessons_from_the_platform,
        a_graded_lesson_sends_one_score_through_an_outage_and_a_restart,
        screenshots_of_the_page,
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
        (!b.exists("dialog[open]")).then_some(())
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
        (!b.exists("dialog[open]")).then_some(())
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
    assert!(
        log.contains("Wild Island"),
        "names the catalog's track: {log}"
    );
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
    assert!(!b.exists("dialog[open]"), "no dialog after a failure");

    // The classic cause: the right secret with a space copied after it.
    let secret = b.field("Client Secret");
    b.clear(&secret);
    b.type_text(&secret, &format!("{SANDBOX_SECRET} "));
    let warning = b.wait("the whitespace warning", || {
        Some(b.description(&secret)).filter(|t| t.contains("starts or ends with a space"))
    });
    assert!(warning.contains("Client Secret"), "{warning}");
    b.click(&b.button("Run", Some(&cell)));
    let log = b.wait_for_text(&log_of(&b, &cell), "IA==");
    assert!(log.contains("Invalid client secret"), "{log}");
}

/// From now on, counts the page's own `fetch` calls (read them with [`page_fetches`]).
fn count_page_fetches(b: &Browser) {
    b.js("window.__fetches = 0; const f = window.fetch.bind(window); window.fetch = (...a) => { if (String(a[0] && a[0].url || a[0]).includes('spotify.com')) window.__fetches++; return f(...a); }; return true;", vec![]);
}

/// How many requests for Spotify the page sent with `fetch` since [`count_page_fetches`]
/// (not its own files, such as the on-demand module's wasm, which a Save dialog loads).
fn page_fetches(b: &Browser) -> Value {
    b.js("return window.__fetches;", vec![])
}

fn empty_credentials_send_nothing(s: &Servers) {
    let b = s.browser();
    // The real target, so that a request would have to leave the page; count fetches.
    b.open("/?target=spotify");
    token_cell(&b);
    count_page_fetches(&b);
    let cell = token_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    let log = b.wait_for_text(
        &log_of(&b, &cell),
        "Missing keys: CLIENT_ID and CLIENT_SECRET",
    );
    assert!(log.contains("Nothing was sent"), "{log}");
    assert_eq!(page_fetches(&b), json!(0));
    // One key typed: the message names the other one.
    b.type_text(&b.field("Client ID"), SANDBOX_ID);
    b.click(&b.button("Run", Some(&cell)));
    b.wait_for_text(&log_of(&b, &cell), "Missing key: CLIENT_SECRET.");
    assert_eq!(page_fetches(&b), json!(0));
    // Control: with both keys the counter does see the request.
    b.type_text(&b.field("Client Secret"), SANDBOX_SECRET);
    b.click(&b.button("Run", Some(&cell)));
    b.wait("a fetch", || (page_fetches(&b) == json!(1)).then_some(()));
}

fn short_sandbox_lifetime_shows_expiry(s: &Servers) {
    let b = s.browser();
    b.open("/?target=sandbox&sandbox_token_lifetime=2");
    get_and_save(&b);
    let old = stored_token(&b);
    b.wait_for_text(&status(&b), "has expired");
    let cell = validate_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    let log = b.wait_for_text(&log_of(&b, &cell), "The access token has expired.");
    assert!(log.contains("Status: 401 Unauthorized"), "{log}");
    // "Get a new token" really gets one: it runs the token cell, and the dialog saves it.
    assert!(!b.exists("dialog[open]"), "no dialog before the click");
    b.click(&b.button("Get a new token", None));
    let dialog = b.region("Save access token");
    b.click(&b.button("Save", Some(&dialog)));
    b.wait("the dialog to close", || {
        (!b.exists("dialog[open]")).then_some(())
    });
    let new = stored_token(&b);
    assert_ne!(new["access_token"], old["access_token"], "a new token");
    assert!(
        new["expires_at"].as_u64() > old["expires_at"].as_u64(),
        "{new} expires after {old}"
    );
    let text = b.text(&status(&b));
    assert!(!text.contains("has expired"), "{text}");
}

fn forget_clears_everything(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    b.click(&b.css(".remember input", None));
    get_and_save(&b);
    let keys = "return Object.keys(localStorage).concat(Object.keys(sessionStorage)).filter((k) => k.startsWith('spotify-playground.') && k !== 'spotify-playground.relay').sort();";
    // The course's progress (here, that the keys are the sandbox's) is kept with the keys.
    assert_eq!(
        b.js(keys, vec![]),
        json!([
            "spotify-playground.course",
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
    assert!(!b.shown("#sandbox-badge"));
    assert!(b.shown(".badge-live"));
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
    assert!(
        log.contains("Wild Island"),
        "names the catalog's track: {log}"
    );
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
    assert!(!b.exists("dialog[open]"));
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

/// axe-core finds no violations in the current page (or frame); `when` names the moment.
fn assert_accessible(b: &Browser, when: &str) {
    assert_eq!(b.accessibility_violations(), Vec::<String>::new(), "{when}");
}

/// axe-core finds nothing on the page: on load, with output and the dialog open, and after.
fn no_accessibility_violations(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    token_cell(&b);
    assert_accessible(&b, "on load");
    b.click(&b.button("Use sandbox credentials", None));
    run_token(&b);
    assert_accessible(&b, "with the dialog open");
    b.click(&b.button("Save", None));
    let cell = validate_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    b.wait_for_text(&log_of(&b, &cell), "The access token is valid.");
    assert_accessible(&b, "after the lesson");
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

/// The relay's own 429: the cell shows it as the relay's, with the Retry-After countdown, and
/// Run waits.
fn the_relays_rate_limit_counts_down(s: &Servers) {
    let b = s.browser();
    b.open_url(&format!("{}/?target=spotify", s.unreachable_url));
    type_credentials(&b, SANDBOX_ID, SANDBOX_SECRET);
    let cell = token_cell(&b);
    let log = log_of(&b, &cell);
    // The budget is one token request a minute, shared with the other test on this server:
    // at most two runs reach the limit.
    for _ in 0..2 {
        b.click(&b.button("Run", Some(&cell)));
        // Each run prints into a new element; an earlier run's is marked as seen.
        let text = b.wait("an answer", || {
            let t = b.js(
                "const p = arguments[0].querySelector('.printed:not([data-seen])');
                 return p ? p.textContent : '';",
                vec![(&log).into()],
            );
            let t = t.as_str().unwrap_or_default().to_owned();
            (t.contains("relay_upstream_unreachable") || t.contains("relay_rate_limited"))
                .then_some(t)
        });
        if text.contains("relay_rate_limited") {
            break;
        }
        b.js(
            "arguments[0].querySelector('.printed').dataset.seen = '1';",
            vec![(&log).into()],
        );
    }
    let text = b.wait_for_text(&log, "relay_rate_limited");
    assert!(text.contains("Status: 429 Too Many Requests"), "{text}");
    assert!(text.contains("The relay refused this request"), "{text}");
    let wait = b.css(".retry-wait", Some(&cell));
    let first = b.wait_for_text(&wait, "you can run again in ");
    assert!(first.contains("00:") || first.contains("01:00"), "{first}");
    let run = b.button("Run", Some(&cell));
    assert_eq!(
        b.property(&run, "disabled"),
        json!(true),
        "Run waits for the countdown"
    );
}

/// Spotify's 429 with a short Retry-After: the countdown runs out, and still nothing is sent
/// until the learner presses Run again, which then is sent.
fn rate_limited_run_counts_down_and_never_retries(s: &Servers) {
    let requests = || {
        std::fs::read_to_string(&s.rate_limited_requests)
            .expect("the double's request log")
            .lines()
            .count()
    };
    let b = s.browser();
    b.open(SANDBOX);
    get_and_save(&b);
    b.open(&format!(
        "/?target=spotify&relay={}/",
        s.rate_limited_relay_url
    ));
    let cell = validate_cell(&b);
    let run = b.button("Run", Some(&cell));
    let before = requests();
    b.click(&run);
    let text = b.wait_for_text(&log_of(&b, &cell), "Too many requests");
    assert!(text.contains("Status: 429 Too Many Requests"), "{text}");
    assert_eq!(requests(), before + 1, "one request reached the server");
    let wait = b.css(".retry-wait", Some(&cell));
    let countdown = b.wait_for_text(&wait, "you can run again in 00:0");
    assert_eq!(b.property(&run, "disabled"), json!(true), "{countdown}");
    // Past the 2 seconds: the countdown ends and Run is enabled again...
    b.wait("the countdown to end", || {
        (b.property(&run, "disabled") == json!(false)).then_some(())
    });
    assert_eq!(b.text(&wait), "", "no countdown left");
    // ...and nothing was sent by itself, even well after it ended.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    assert_eq!(
        requests(),
        before + 1,
        "nothing retried when the wait ended"
    );
    // Control: pressing Run does send, and this log counts it.
    b.click(&run);
    b.wait("the learner's own second request", || {
        (requests() == before + 2).then_some(())
    });
}

/// What every client library's script reads from the built-in catalog: the lesson's track,
/// a search, an artist found by name, their albums and singles, the first one's tracks, and
/// the second page of a search.
fn catalog_answers() -> Value {
    json!({
        "track": "Wild Island",
        "search": ["Muddy Crown", "Saltmarsh", "Tidal Atlas", "Fold Here"],
        "artist": "Quillon",
        "artist_albums": ["Warehouse Weather", "Neon Orchard", "Pulse Theory"],
        "album_tracks": 8,
        "second_page_offset": 10,
    })
}

/// Runs a client library's script against this test's server with the sandbox app's
/// credentials, and returns the JSON it prints.
fn client_library(s: &Servers, mut script: std::process::Command, name: &str) -> Value {
    let output = script
        .env("SERVER", &s.base_url)
        .env("CLIENT_ID", SANDBOX_ID)
        .env("CLIENT_SECRET", SANDBOX_SECRET)
        .output()
        .unwrap_or_else(|e| panic!("run {name} ({script:?}; cargo xtask setup installs it): {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{name} failed: {stderr}");
    serde_json::from_slice(&output.stdout).expect("JSON from the script")
}

/// A client library written by others (spotipy), for every catalog endpoint, against the
/// server's `/sandbox/` and through the relay to a Spotify double (not a browser case, but it
/// needs the same running servers).
fn spotipy_reads_the_catalog_in_the_sandbox_and_through_the_relay(s: &Servers) {
    let python = std::env::var_os("SPOTIPY_PYTHON").map_or_else(
        || e2e::root().join("target/tools/spotipy/bin/python"),
        std::path::PathBuf::from,
    );
    let mut spotipy = std::process::Command::new(&python);
    spotipy.arg(e2e::root().join("tests/spotipy_catalog.py"));
    let results = client_library(s, spotipy, "spotipy");
    let mut expected = catalog_answers();
    expected["refused"] = json!({"status": 400, "message": "Invalid limit"});
    for mode in ["sandbox", "relay"] {
        let got = &results[mode];
        assert!(
            got["refused"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("Invalid limit")),
            "{mode}: {got}"
        );
        let mut got = got.clone();
        got["refused"]["message"] = json!("Invalid limit");
        assert_eq!(got, expected, "{mode}");
    }
}

/// Spotify's TypeScript SDK, a second client library written by others, reads the catalog
/// with its own calls against `/sandbox/` and through the relay, walking paged answers to
/// the end, and meets the 2026 limits and the errors as on Spotify.
fn ts_sdk_reads_the_catalog_in_the_sandbox_and_through_the_relay(s: &Servers) {
    e2e::require("node");
    let sdk = std::env::var_os("TS_SDK").map_or_else(
        || e2e::root().join("target/tools/ts-sdk"),
        std::path::PathBuf::from,
    );
    assert!(
        sdk.join("node_modules/@spotify/web-api-ts-sdk/package.json")
            .exists(),
        "Spotify's TypeScript SDK is not in {} (cargo xtask setup installs it)",
        sdk.display()
    );
    let mut node = std::process::Command::new("node");
    node.arg(e2e::root().join("tests/ts_sdk_catalog.mjs"))
        .env("TS_SDK", &sdk);
    let results = client_library(s, node, "the TypeScript SDK");
    let mut expected = catalog_answers();
    for (member, value) in [
        ("album_genres", json!([])),
        ("every_album", json!({"items": 4, "total": 4})),
        ("every_track", json!({"items": 8, "total": 8})),
        ("every_artist", json!({"items": 10, "total": 10})),
        ("refused", json!(400)),
        ("unknown", json!(404)),
        ("malformed", json!(400)),
    ] {
        expected[member] = value;
    }
    for mode in ["sandbox", "relay"] {
        assert_eq!(results[mode], expected, "{mode}");
    }
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
    // Tab never reaches the page behind the modal dialog (showModal makes it inert): from the
    // last control focus leaves to the browser, as Chromium does for every modal dialog, and
    // the next Tab comes back to the first control; Shift+Tab from the first wraps to the last.
    let active = "return text(document.activeElement);";
    let outside = "return !!document.activeElement && document.activeElement !== document.body && !document.activeElement.closest('dialog[open]');";
    b.type_text(&b.button("Cancel", Some(&dialog)), "\u{E004}"); // Tab
    assert_eq!(
        b.js(outside, vec![]),
        json!(false),
        "focus left for the page"
    );
    b.keys("\u{E004}");
    assert_eq!(b.js(active, vec![]), json!("Reveal token"));
    b.type_text(&b.button("Reveal token", Some(&dialog)), "\u{E008}\u{E004}"); // Shift+Tab
    assert_eq!(b.js(active, vec![]), json!("Cancel"));
    // Positive control: the page behind has focusable controls that Tab would otherwise reach.
    assert!(
        b.exists("main button"),
        "the page has buttons behind the dialog"
    );
    b.click(&b.button("Cancel", Some(&dialog)));
    b.wait("the dialog to close", || {
        (!b.exists("dialog[open]")).then_some(())
    });
    assert!(stored_token(&b).is_null());
    assert_eq!(b.text(&status(&b)), "No access token saved yet.");
    let cell = token_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    b.region("Save access token");
    b.type_text(&b.button("Save", None), "\u{E00C}"); // Escape
    b.wait("Escape to close the dialog", || {
        (!b.exists("dialog[open]")).then_some(())
    });
    assert!(stored_token(&b).is_null());
}

/// Records every message the top-level page receives, as `{origin, data}` in `window.seen`.
const RECORD_MESSAGES: &str =
    "window.seen = []; addEventListener('message', (e) => seen.push({origin: e.origin, data: e.data}));";

/// The messages recorded by [`RECORD_MESSAGES`] so far.
fn seen(b: &Browser) -> Vec<Value> {
    let value = b.js("return window.seen;", vec![]);
    serde_json::from_value(value).expect("recorded messages")
}

/// Whether the summary, the step list or the Embed button is displayed.
fn shows_site_chrome(b: &Browser) -> bool {
    b.js(
        "return ['.summary', '.steps', '.embed-toggle'].some((s) => document.querySelector(s).offsetParent !== null);",
        vec![],
    ) == json!(true)
}

/// Whether a region with this accessible name is on the page now.
fn has_region(b: &Browser, name: &str) -> bool {
    b.js("return region(arguments[0]) !== null;", vec![json!(name)]) == json!(true)
}

/// The height, in pixels, a page's size listener gave an iframe.
fn frame_height(b: &Browser, selector: &str) -> u64 {
    let height = b.js(
        "return document.querySelector(arguments[0]).clientHeight;",
        vec![json!(selector)],
    );
    height.as_u64().expect("a height in px")
}

/// Writes a page into the course site and returns its path.
fn course_page(s: &Servers, name: &str, body: &str) -> String {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{name}</title></head>\
         <body><h1>{name}</h1>{body}</body></html>"
    );
    std::fs::write(s.course_dir.join(name), html).expect("write a course page");
    format!("/{name}")
}

/// The shipped example: two cells in two iframes, sized by `resize`, told about the saved
/// token without the token, and obeying the host's `set-theme` and `reset`.
fn embedded_cells_talk_to_the_course_page(s: &Servers) {
    let b = s.browser();
    b.open_url(&format!("{}/course-page.html", s.course_url));
    // The example's listener sizes each iframe from its first `resize` message.
    let before = b.wait("the first resize of the token cell", || {
        Some(frame_height(&b, "#token-cell")).filter(|h| *h != 420)
    });
    b.js(RECORD_MESSAGES, vec![]);

    b.enter_frame(&b.css("#token-cell", None));
    assert!(!shows_site_chrome(&b), "no site chrome in an embed");
    assert!(
        !has_region(&b, "Validate the access token"),
        "only the token cell"
    );
    get_and_save(&b);
    let token = stored_token(&b)["access_token"]
        .as_str()
        .expect("a saved token")
        .to_owned();
    b.leave_frame();

    let grown = b.wait("a resize message after the output appeared", || {
        seen(&b)
            .iter()
            .filter(|m| m["data"]["type"] == "resize")
            .filter_map(|m| m["data"]["height"].as_u64())
            .find(|h| *h > before)
    });
    assert!(grown > before + 50, "{before} → {grown}");
    assert!(
        frame_height(&b, "#token-cell") > before,
        "the example's listener grew the iframe"
    );
    let saved = b.wait("token-saved", || {
        seen(&b)
            .into_iter()
            .find(|m| m["data"]["type"] == "token-saved")
    });
    assert_eq!(saved["origin"], json!(s.base_url));
    assert_eq!(saved["data"]["source"], "spotify-playground");
    assert_eq!(saved["data"]["version"], 1);
    assert!(saved["data"]["expires_at"].as_u64().is_some(), "{saved}");
    assert!(saved["data"].get("access_token").is_none(), "{saved}");
    let all = serde_json::to_string(&seen(&b)).expect("json");
    assert!(!all.contains(&token), "no message carries the token");
    b.wait_for_text(&b.css("#token-news", None), "It expires at");

    // The validate cell in the other iframe sees the saved token.
    b.enter_frame(&b.css("#validate-cell", None));
    let cell = validate_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    b.wait_for_text(&log_of(&b, &cell), "The access token is valid.");
    b.leave_frame();

    // The host's controls: set-theme and reset reach the cells.
    b.click(&b.button("Dark playground", None));
    b.enter_frame(&b.css("#validate-cell", None));
    b.wait("the dark theme", || {
        (b.js("return document.documentElement.dataset.theme;", vec![]) == "dark").then_some(())
    });
    assert_accessible(&b, "dark theme, with output");
    b.leave_frame();
    b.click(&b.button("Start the cells over", None));
    b.enter_frame(&b.css("#validate-cell", None));
    b.wait("the output to be cleared", || {
        (!b.exists("[role=log] .printed")).then_some(())
    });
    assert!(stored_token(&b).is_object(), "reset keeps the saved token");
}

/// `?embed=1` fits a 320 px column without sideways scrolling, keeps a page heading for
/// screen readers, shows bad parameters as notices, and axe finds nothing.
fn embed_is_compact_at_320px_and_accessible(s: &Servers) {
    let b = s.browser();
    let page = course_page(
        s,
        "narrow.html",
        &format!(
            "<iframe title=\"Spotify playground\" style=\"width:320px;height:900px;border:0\" \
             src=\"{}/?embed=1&target=sandbox&theme=pink\"></iframe>",
            s.base_url
        ),
    );
    b.open_url(&format!("{}{page}", s.course_url));
    b.enter_frame(&b.css("iframe", None));
    token_cell(&b);
    b.wait_for_text(&b.css(".notices", None), "Ignored theme=pink");
    assert!(!shows_site_chrome(&b), "no site chrome");
    assert_eq!(
        b.text(&b.css("h1", None)),
        "Obtain the Client Credential Access Token"
    );
    // Elements reaching past the frame's right edge, for the failure message.
    let overflow = |b: &Browser| {
        b.js(
            "const width = document.documentElement.clientWidth;
             return [...document.querySelectorAll('body *')]
               .filter((e) => e.getBoundingClientRect().right > width + 0.5)
               .filter((e) => {
                 // Inside a scrolling box (the code listing) is not the page overflowing.
                 for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
                   if (getComputedStyle(a).overflowX !== 'visible') return false;
                 return true;
               })
               .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`);",
            vec![],
        )
    };
    assert_eq!(overflow(&b), json!([]), "no sideways scrolling at 320 px");
    assert_eq!(
        b.js(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![]
        ),
        json!(0),
        "the page is no wider than the frame"
    );
    assert_accessible(&b, "on load");
    b.click(&b.button("Use sandbox credentials", None));
    run_token(&b);
    assert_eq!(overflow(&b), json!([]), "with output, at 320 px");
    assert_accessible(&b, "with output and the dialog");
}

/// Opens, from `host` (an origin serving the course site), a page that records messages and
/// embeds the token cell with `share_token=1&parent_origin=<the course origin>`; gets and
/// saves a token inside it and returns the stored token, with the frame still entered.
fn save_in_opted_in_cell(s: &Servers, b: &Browser, host: &str) -> Value {
    let page = course_page(
        s,
        "opt-in.html",
        &format!(
            "<script>{RECORD_MESSAGES}</script>\
             <iframe title=\"Spotify playground\" style=\"width:100%;height:1200px;border:0\" \
             src=\"{}/?embed=1&target=sandbox&cells=token&share_token=1&parent_origin={}\"></iframe>",
            s.base_url, s.course_url
        ),
    );
    b.open_url(&format!("{host}{page}"));
    b.enter_frame(&b.css("iframe", None));
    get_and_save(b);
    stored_token(b)
}

/// The token travels in `token-saved` only with `share_token=1` *and* `parent_origin`.
fn token_is_shared_only_under_the_opt_in(s: &Servers) {
    let b = s.browser();
    let token = save_in_opted_in_cell(s, &b, &s.course_url);
    b.leave_frame();
    let saved = b.wait("token-saved", || {
        seen(&b)
            .into_iter()
            .find(|m| m["data"]["type"] == "token-saved")
    });
    assert_eq!(saved["data"]["access_token"], token["access_token"]);
    assert_eq!(saved["data"]["token_type"], "Bearer");
    assert_eq!(saved["data"]["expires_at"], token["expires_at"]);
}

/// A host on another origin than `parent_origin` gets no messages, and its messages change
/// nothing; the same page on the named origin, sending the same messages, is heard and obeyed.
fn messages_from_a_foreign_host_are_ignored(s: &Servers) {
    const MESSAGES: [&str; 2] = [
        r#"{"source":"spotify-playground","version":1,"type":"set-theme","theme":"dark"}"#,
        r#"{"source":"spotify-playground","version":1,"type":"reset"}"#,
    ];
    let post_messages = |b: &Browser| {
        for message in MESSAGES {
            b.js(
                "document.querySelector('iframe').contentWindow.postMessage(JSON.parse(arguments[0]), '*');",
                vec![json!(message)],
            );
        }
    };
    let theme = |b: &Browser| {
        b.js(
            "return document.documentElement.dataset.theme || null;",
            vec![],
        )
    };
    let printed = |b: &Browser| {
        b.js(
            "const p = document.querySelector('[role=log] .printed'); return p ? p.textContent : null;",
            vec![],
        )
    };
    let b = s.browser();
    // The same page from another origin: localhost is not the named parent 127.0.0.1.
    save_in_opted_in_cell(s, &b, &s.foreign_url);
    let before = printed(&b);
    assert!(before.is_string(), "the cell printed its answer");
    b.leave_frame();
    post_messages(&b);
    std::thread::sleep(std::time::Duration::from_millis(500));
    b.enter_frame(&b.css("iframe", None));
    assert_eq!(
        theme(&b),
        Value::Null,
        "set-theme from a foreign host is ignored"
    );
    assert_eq!(printed(&b), before, "reset from a foreign host is ignored");
    b.leave_frame();
    assert!(
        seen(&b).is_empty(),
        "a host that is not parent_origin hears nothing: {:?}",
        seen(&b)
    );

    // Control: the named parent, the same page and the same messages.
    save_in_opted_in_cell(s, &b, &s.course_url);
    assert!(printed(&b).is_string(), "the cell printed its answer");
    b.leave_frame();
    b.wait("token-saved at the named parent", || {
        seen(&b)
            .into_iter()
            .find(|m| m["data"]["type"] == "token-saved")
    });
    post_messages(&b);
    b.enter_frame(&b.css("iframe", None));
    b.wait("the parent's set-theme and reset", || {
        (theme(&b) == json!("dark") && printed(&b).is_null()).then_some(())
    });

    // A reset also closes an open Save dialog (which the on-demand module shows).
    let cell = token_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    b.region("Save access token");
    assert!(
        b.exists("dialog[open]"),
        "the dialog is open before the reset"
    );
    b.leave_frame();
    b.js(
        "document.querySelector('iframe').contentWindow.postMessage(JSON.parse(arguments[0]), '*');",
        vec![json!(MESSAGES[1])],
    );
    b.enter_frame(&b.css("iframe", None));
    b.wait("the reset to close the Save dialog", || {
        (!b.exists("dialog[open]")).then_some(())
    });
}

/// Storage that throws (as in some third-party iframes) falls back to memory with a notice,
/// and the whole lesson still completes inside the iframe.
fn blocked_storage_still_completes_the_lesson(s: &Servers) {
    let b = s.browser();
    b.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({"source": "for (const name of ['localStorage', 'sessionStorage']) \
            Object.defineProperty(window, name, { get() { throw new DOMException('blocked', 'SecurityError'); } });"}),
    );
    b.open_url(&format!("{}/allowed.html", s.course_url));
    b.enter_frame(&b.css("iframe", None));
    assert_eq!(
        b.js(
            "try { localStorage.length; return 'open'; } catch (e) { return 'blocked'; }",
            vec![]
        ),
        json!("blocked"),
        "the frame's storage throws"
    );
    b.wait_for_text(
        &b.css(".notices", None),
        "Your browser blocks storage for this page",
    );
    get_and_save(&b);
    b.wait_for_text(&status(&b), "expires in");
    let cell = validate_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    b.wait_for_text(&log_of(&b, &cell), "The access token is valid.");
}

/// The relay settings (in the on-demand module): a wrong prefix is explained and stays in the
/// field, changing nothing; a right one is used at once, shown in the badge, and kept for
/// the next visit.
fn relay_settings_are_checked_applied_and_kept(s: &Servers) {
    let b = s.browser();
    b.open("/?target=spotify");
    let badge = b.css(".badge-live", None);
    assert_eq!(b.text(&badge), "Spotify through the relay /relay/");
    let settings = b.css("details.settings", None);
    b.click(&b.css("summary", Some(&settings)));
    let field = b.field("Relay prefix");
    assert_eq!(b.property(&field, "value"), json!("/relay/"));
    let message = b.css("#relay-message", None);
    b.clear(&field);
    b.type_text(&field, "my relay");
    b.click(&b.button("Apply", Some(&settings)));
    b.wait_for_text(&message, "may not contain spaces");
    assert_eq!(
        b.property(&field, "value"),
        json!("my relay"),
        "kept as typed"
    );
    assert_eq!(
        b.text(&badge),
        "Spotify through the relay /relay/",
        "nothing changed"
    );
    b.clear(&field);
    b.type_text(&field, "direct");
    b.click(&b.button("Apply", Some(&settings)));
    b.wait_for_text(&message, "Requests to Spotify now go through direct.");
    b.wait_for_text(&badge, "Spotify, direct");
    b.reload();
    let badge = b.css(".badge-live", None);
    b.wait_for_text(&badge, "Spotify, direct");
}

/// The Embed button's snippet, pasted into a plain page on another origin, frames a working,
/// self-sizing lesson.
fn embed_button_snippet_works_in_a_plain_page(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    let embed = b.css("details.embed-toggle", None);
    assert!(shows_site_chrome(&b), "the full page has its chrome");
    assert_eq!(b.property(&embed, "open"), json!(false));
    b.click(&b.css("summary", Some(&embed)));
    assert_eq!(b.property(&embed, "open"), json!(true));
    let panel = b.region("Embed this lesson in a course page");
    b.click(&b.field("Show"));
    b.click(&b.css("option[value=token]", Some(&panel)));
    let code = b.field("Embed code");
    let snippet = b.wait("the snippet for the token cell", || {
        b.property(&code, "value")
            .as_str()
            .filter(|v| v.contains("cells=token"))
            .map(str::to_owned)
    });
    for needed in [
        "<iframe",
        "embed=1",
        "target=sandbox",
        "title=\"Spotify Web API playground: Obtain the Client Credential Access Token\"",
        "loading=\"lazy\"",
        "allow=\"clipboard-write\"",
        "addEventListener(\"message\"",
    ] {
        assert!(snippet.contains(needed), "{needed} in {snippet}");
    }
    // The panel (in the on-demand module) starts on the page's target; the author can pick
    // the other, and back (the second wait is the positive control of the first).
    let target = b.css("#embed-target", Some(&panel));
    for (value, param) in [("spotify", "target=spotify"), ("sandbox", "target=sandbox")] {
        b.click(&target);
        b.click(&b.css(&format!("option[value={value}]"), Some(&target)));
        b.wait(&format!("the snippet with {param}"), || {
            b.property(&code, "value")
                .as_str()
                .filter(|v| v.contains(param) && v.contains("cells=token"))
                .map(drop)
        });
    }
    assert_eq!(b.property(&code, "value"), json!(snippet));
    // Copy puts the same snippet on the clipboard.
    b.cdp(
        "Browser.grantPermissions",
        json!({"origin": s.base_url, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]}),
    );
    b.click(&b.button("Copy", Some(&panel)));
    b.wait_for_text(&b.css("[role=status]", Some(&panel)), "Copied.");
    let clipboard = b.js_async(
        "const done = arguments[arguments.length - 1];
         navigator.clipboard.readText().then(done, (e) => done(`readText failed: ${e}`));",
        vec![],
    );
    assert_eq!(clipboard, json!(snippet));

    let page = course_page(s, "pasted.html", &snippet);
    b.open_url(&format!("{}{page}", s.course_url));
    b.wait("the snippet's listener to size the iframe", || {
        Some(frame_height(&b, "iframe")).filter(|h| *h != 420)
    });
    b.enter_frame(&b.css("iframe", None));
    get_and_save(&b);
    assert!(
        !has_region(&b, "Validate the access token"),
        "only the chosen cell"
    );
}

/// The token cell's code editor.
fn editor(b: &Browser) -> Element {
    b.css("textarea[aria-label=Code]", Some(&token_cell(b)))
}

/// The code in the editor now.
fn code_in_editor(b: &Browser) -> String {
    b.property(&editor(b), "value")
        .as_str()
        .expect("the editor's value")
        .to_owned()
}

/// Replaces the editor's code by typing, as a learner would: select all, delete, type.
fn set_code(b: &Browser, code: &str) {
    let editor = editor(b);
    b.type_text(&editor, "\u{E009}a\u{E000}\u{E003}");
    b.type_text(&editor, code);
    assert_eq!(code_in_editor(b), code, "the editor holds what was typed");
}

/// `code` in the editor, Run; returns the log when the run has its verdict.
fn run_code(b: &Browser, code: &str) -> String {
    set_code(b, code);
    let cell = token_cell(b);
    b.click(&b.button("Run", Some(&cell)));
    b.wait("the run's verdict", || {
        b.exists("#lesson section .verdict")
            .then(|| b.text(&log_of(b, &cell)))
    })
}

/// A client that connects from `from` (a loopback address), sends half of a request's
/// headers, and then nothing.
fn slow_client(from: &str, base_url: &str) -> std::net::TcpStream {
    use std::io::Write as _;
    let to: std::net::SocketAddr = base_url
        .trim_start_matches("http://")
        .parse()
        .expect("the server's address");
    let socket =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("a socket");
    let from: std::net::SocketAddr = format!("{from}:0").parse().expect("an address");
    socket
        .bind(&from.into())
        .expect("bind to a loopback address");
    socket.connect(&to.into()).expect("connect");
    let mut stream: std::net::TcpStream = socket.into();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: playground\r\nX-Slow: ")
        .expect("half a request");
    stream
}

/// With 300 slow clients held open against the server, the whole sandbox lesson completes.
fn the_lesson_completes_while_300_slow_clients_hold_connections(s: &Servers) {
    let slow: Vec<_> = (0..300)
        .map(|_| slow_client("127.0.0.2", &s.base_url))
        .collect();
    let b = s.browser();
    b.open(SANDBOX);
    get_and_save(&b);
    let cell = validate_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    b.wait_for_text(&log_of(&b, &cell), "The access token is valid.");
    // The slow clients were really there all along (the browser's own come on top).
    let held = b.js_async(
        "fetch('/readyz').then((r) => r.json()).then((j) => arguments[arguments.length - 1](j.connections));",
        vec![],
    );
    assert!(held.as_u64().is_some_and(|n| n >= 300), "{held} open");
    drop(slow);
}

/// A method is sent as `fetch` sends it: `post` as POST (the sandbox issues a token, the
/// control), `patch` as written (refused, as the Web API's tracks take only GET), and one
/// that is not a method fails as `fetch` fails, with a TypeError and no request.
fn methods_are_what_fetch_sends(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    b.click(&b.button("Use sandbox credentials", None));
    let log = run_code(
        &b,
        "const basic = Buffer.from('{{CLIENT_ID}}:{{CLIENT_SECRET}}').toString('base64');\n\
         const t = await fetch('https://accounts.spotify.com/api/token?grant_type=client_credentials', {method: 'post', headers: {'Content-Type': 'application/x-www-form-urlencoded', 'Authorization': 'Basic ' + basic}});\n\
         console.log('post ' + t.status);\n\
         const p = await fetch('https://api.spotify.com/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V', {method: 'patch'});\n\
         console.log('patch ' + p.status);\n\
         try { await fetch('https://api.spotify.com/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V', {method: 'G T'}); } catch (e) { console.log('bad ' + e.name + ': ' + e.message); }",
    );
    for line in [
        "post 200",
        "patch 405",
        "bad TypeError: ",
        "is not a valid HTTP method",
    ] {
        assert!(log.contains(line), "{line} in {log}");
    }
    let cell = token_cell(&b);
    let requests = b.js(
        "return [...arguments[0].querySelectorAll('.requests details.exchange > summary')].map((s) => s.textContent).join('\\n');",
        vec![(&cell).into()],
    );
    let requests = requests.as_str().expect("the requests' summaries");
    assert!(
        requests.contains("POST https://accounts.spotify.com/api/token"),
        "{requests}"
    );
    assert!(
        requests.contains("patch https://api.spotify.com/v1/tracks/"),
        "{requests}"
    );
    assert!(!requests.contains("G T"), "{requests}");
}

/// A known secret never shows, whatever prints it: `console.log` of the secret, of the Basic
/// credential, of the token the code just got, and an error's message. The Client ID, which
/// is not secret, shows as typed (the control).
fn secrets_are_masked_in_everything_the_code_prints(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    b.click(&b.button("Use sandbox credentials", None));
    let log = run_code(
        &b,
        "const basic = Buffer.from('{{CLIENT_ID}}:{{CLIENT_SECRET}}').toString('base64');\n\
         const r = await fetch('https://accounts.spotify.com/api/token?grant_type=client_credentials', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded', 'Authorization': 'Basic ' + basic}});\n\
         const json = await r.json();\n\
         console.log('id {{CLIENT_ID}}');\n\
         console.log('secret {{CLIENT_SECRET}}');\n\
         console.log('basic ' + basic);\n\
         console.log('token ' + json.access_token, json);\n\
         throw new Error('{{CLIENT_SECRET}}');",
    );
    assert!(log.contains(&format!("id {SANDBOX_ID}")), "{log}");
    for line in [
        "secret •••",
        "basic •••",
        "token •••",
        "\"access_token\": \"•••\"",
        "Uncaught Error: •••",
    ] {
        assert!(log.contains(line), "{line} in {log}");
    }
    assert!(!log.contains(SANDBOX_SECRET), "{log}");
    assert!(
        !log.contains(&base64_basic(SANDBOX_ID, SANDBOX_SECRET)),
        "{log}"
    );
    let token = b.js(
        "return /BQ[A-Za-z0-9_-]{16,}/.exec(arguments[0]);",
        vec![json!(log)],
    );
    assert_eq!(token, Value::Null, "no token in {log}");
}

/// A placeholder is filled in right in every kind of literal: inside `${…}` of a template and
/// in a regular expression, with a Client ID full of quotes, `${`, backslashes and dots.
fn placeholders_are_right_in_every_literal(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    let id = r#"it's "a.b" ${x} `t` \n"#;
    b.type_text(&b.field("Client ID"), id);
    let code = format!(
        "console.log(`${{'{{{{CLIENT_ID}}}}'}}`);\n\
         console.log(/^{{{{CLIENT_ID}}}}$/.test({literal}) ? 'regex matches' : 'regex is wrong');\n\
         console.log(/^{{{{CLIENT_ID}}}}$/.test({literal}.replace('.', 'x')) ? 'regex too loose' : 'dot is literal');",
        literal = serde_json::to_string(id).expect("a JSON string")
    );
    let log = run_code(&b, &code);
    assert!(!log.contains("SyntaxError"), "{log}");
    let printed: Vec<&str> = log.lines().collect();
    assert_eq!(printed.first().copied(), Some(id), "{log}");
    assert!(log.contains("regex matches"), "{log}");
    assert!(log.contains("dot is literal"), "{log}");
}

/// Hashed files are immutable: a second iframe of the lesson on the same course page asks the
/// server for the page again (no-cache) but not for the wasm.
fn a_second_iframe_loads_the_wasm_from_the_cache(s: &Servers) {
    let b = s.browser();
    let logged = |needle: &str| {
        std::fs::read_to_string(&s.relay_log)
            .expect("server log")
            .lines()
            .filter(|l| l.contains(needle))
            .count()
    };
    let (wasm, page) = ("_bg.wasm status=", "path=/ status=");
    let frame = |n: usize| {
        format!(
            "<iframe id=\"f{n}\" title=\"Lesson {n}\" style=\"width:100%;height:600px;border:0\" \
             src=\"{}/?embed=1&target=sandbox\"></iframe>",
            s.base_url
        )
    };
    let ready = |b: &Browser, n: usize| {
        b.enter_frame(&b.css(&format!("#f{n}"), None));
        b.wait("the lesson in the iframe", || {
            b.js(
                "return performance.getEntriesByName('playground-interactive').length > 0 || null;",
                vec![],
            )
            .as_bool()
        });
        b.leave_frame();
    };
    let (wasm_before, page_before) = (logged(wasm), logged(page));
    let path = course_page(s, "two-frames.html", &frame(1));
    b.open_url(&format!("{}{path}", s.course_url));
    ready(&b, 1);
    assert_eq!(
        logged(wasm),
        wasm_before + 1,
        "the first iframe fetched the wasm"
    );
    b.js(
        "document.body.insertAdjacentHTML('beforeend', arguments[0]);",
        vec![json!(frame(2))],
    );
    ready(&b, 2);
    assert_eq!(
        logged(page),
        page_before + 2,
        "index.html is asked for each time"
    );
    assert_eq!(
        logged(wasm),
        wasm_before + 1,
        "the wasm came from the cache"
    );
}

/// Unedited, the code sends the lesson's request and prints exactly what the native run
/// printed: the status line and the body with the token masked, its members in the answer's
/// order, which is not alphabetical (`token_type` before `expires_in`); then the Save dialog.
fn unedited_code_prints_what_the_lesson_prints(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    b.click(&b.button("Use sandbox credentials", None));
    let dialog = run_token(&b);
    let printed = b.text(&b.css("[role=log] .printed", Some(&token_cell(&b))));
    b.click(&b.button("Reveal token", Some(&dialog)));
    let token = b.wait("the revealed token", || {
        Some(b.text(&b.css("code", Some(&dialog)))).filter(|t| !t.contains('•'))
    });
    let head: String = token.chars().take(4).collect();
    assert_eq!(
        printed,
        format!(
            "Status: 200 OK\n{{\n  \"access_token\": \"{head}•••••••• ({} characters, hidden)\",\n  \"token_type\": \"Bearer\",\n  \"expires_in\": 3600\n}}",
            token.chars().count()
        ),
        "the native printResponse format"
    );
    b.click(&b.button("Save", Some(&dialog)));
    assert_eq!(stored_token(&b)["access_token"], json!(token));
}

/// Changed code is what runs: no grant_type gets Spotify's error; top-level await, Buffer
/// and console.log work.
fn edited_code_runs_as_written(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    b.click(&b.button("Use sandbox credentials", None));
    let lesson = code_in_editor(&b);
    let without_grant = lesson.replace("    grant_type: 'client_credentials'\n", "");
    assert_ne!(without_grant, lesson);
    let log = run_code(&b, &without_grant);
    assert!(log.contains("unsupported_grant_type"), "{log}");
    assert!(log.contains("grant_type parameter is missing"), "{log}");
    assert!(!b.exists("dialog[open]"), "no token, no dialog");

    let log = run_code(
        &b,
        "const auth = Buffer.from('{{CLIENT_ID}}:{{CLIENT_SECRET}}').toString('base64');\n\
         const response = await fetch('https://accounts.spotify.com/api/token?grant_type=client_credentials', {\n\
         method: 'POST',\n\
         headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Basic ' + auth }\n\
         });\n\
         console.log(response.status);\n\
         console.log(Buffer.from('hi').toString('hex'), Buffer.from('aGk=', 'base64').toString('utf8'));",
    );
    assert!(log.starts_with("200\n6869 hi"), "{log}");
    assert!(
        !log.contains(SANDBOX_SECRET),
        "the secret is not printed: {log}"
    );
}

/// `while (true) {}` is stopped by the timeout, Stop ends a run at once, and the page answers
/// meanwhile.
fn runaway_code_is_stopped_and_the_page_stays_responsive(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    b.click(&b.button("Use sandbox credentials", None));
    set_code(&b, "while (true) {}");
    let cell = token_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    b.wait_for_text(&cell, "Running…");
    // The page still takes typing while the loop spins.
    let field = b.field("Client ID");
    b.clear(&field);
    b.type_text(&field, "typed during the loop");
    assert_eq!(b.property(&field, "value"), json!("typed during the loop"));
    let stop = b.button("Stop", Some(&cell));
    assert_eq!(b.property(&stop, "disabled"), json!(false));
    b.wait_for_text(&log_of(&b, &cell), "Stopped after 10 seconds.");
    assert_eq!(b.property(&stop, "disabled"), json!(true));

    b.click(&b.button("Run", Some(&cell)));
    b.wait_for_text(&cell, "Running…");
    b.click(&stop);
    let log = b.wait_for_text(&log_of(&b, &cell), "Stopped.");
    assert!(log.contains("You pressed Stop"), "{log}");
    assert_eq!(
        b.property(&b.button("Run", Some(&cell)), "disabled"),
        json!(false)
    );
}

/// Syntax and runtime errors name the line (and column) in the learner's code.
fn errors_show_their_line_in_the_code(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    b.click(&b.button("Use sandbox credentials", None));
    let log = run_code(&b, "const a = 1;\nconst b = ;\nconsole.log(a);");
    assert!(log.contains("SyntaxError"), "{log}");
    assert!(log.contains("at line 2, column"), "{log}");
    let log = run_code(
        &b,
        "const a = 1;\n\nconst b = null;\nconsole.log(b.missing);",
    );
    assert!(log.contains("TypeError"), "{log}");
    assert!(log.contains("at line 4, column"), "{log}");
}

/// A URL outside the two Spotify hosts fails with the playground's message, and nothing is
/// fetched.
fn only_spotify_is_reachable_from_code(s: &Servers) {
    let b = s.browser();
    b.open("/?target=spotify");
    token_cell(&b);
    count_page_fetches(&b);
    let log = run_code(
        &b,
        "const r = await fetch('https://example.com/');\nconsole.log(r.status);",
    );
    assert!(
        log.contains("This playground only reaches Spotify"),
        "{log}"
    );
    assert!(log.contains("not https://example.com/"), "{log}");
    assert_eq!(page_fetches(&b), json!(0));

    // No other way out: the worker's other request APIs and nested workers are gone.
    let apis = "XMLHttpRequest WebSocket EventSource importScripts Worker SharedWorker";
    let log = run_code(
        &b,
        &format!(
            "console.log('{apis}'.split(' ').map((n) => n + '=' + typeof self[n]).join(' '));"
        ),
    );
    for api in apis.split(' ') {
        assert!(log.contains(&format!("{api}=undefined")), "{api}: {log}");
    }
}

/// Output past 1 MiB is dropped with a notice.
fn output_is_capped(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    b.click(&b.button("Use sandbox credentials", None));
    let log = run_code(
        &b,
        "for (let i = 0; i < 100000; i++) console.log(i + ' ' + 'x'.repeat(100));",
    );
    assert!(
        log.contains("output truncated at 1 MiB"),
        "{}",
        &log[log.len() - 200..]
    );
    assert!(log.len() < (1 << 20) + 4096, "{} bytes", log.len());
    assert!(!log.contains("99999 x"), "the end was dropped");
}

/// Edits survive a reload, with an "Edited" marker; Reset brings the lesson's code back. Only
/// the code as written is stored: placeholders, never the keys.
fn edits_persist_and_reset_restores_the_lesson(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    b.click(&b.button("Use sandbox credentials", None));
    let lesson = code_in_editor(&b);
    let marker = |b: &Browser| b.css(".edited", Some(&token_cell(b)));
    assert_eq!(b.property(&marker(&b), "hidden"), json!(true));
    let edited = lesson.replace("printResponse(response);", "console.log(response.status);");
    run_code(&b, &edited);
    let stored = b.js(
        "return localStorage.getItem('spotify-playground.code.token');",
        vec![],
    );
    assert_eq!(stored, json!(edited));
    assert!(!stored.to_string().contains(SANDBOX_SECRET));
    b.reload();
    assert_eq!(code_in_editor(&b), edited, "the edit survives a reload");
    assert_eq!(b.property(&marker(&b), "hidden"), json!(false));
    b.click(&b.button("Reset", Some(&token_cell(&b))));
    assert_eq!(code_in_editor(&b), lesson);
    assert_eq!(b.property(&marker(&b), "hidden"), json!(true));
    b.reload();
    assert_eq!(code_in_editor(&b), lesson, "Reset is kept too");

    // The highlighted copy is built as markup: typed markup must show as code, not run.
    set_code(&b, "// <img src=x onerror=\"window.injected = 1\">");
    b.wait("the typed tag shown as text", || {
        (b.js(
            "const layer = document.querySelector('.editor pre');
             return layer.textContent.includes('<img src=x onerror=')
                 && layer.querySelector('img') === null && window.injected === undefined;",
            vec![],
        ) == json!(true))
        .then_some(())
    });
}
