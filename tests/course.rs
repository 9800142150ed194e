//! The course as a learner follows it: five lessons, keys saved from one lesson for the next,
//! progress, auto-renewal, embedding, and each lesson's main errors.

use super::*;

/// The lessons' ids and titles, in course order.
pub const LESSONS: [(&str, &str); 5] = [
    ("token", "Obtain the Client Credential Access Token"),
    ("search", "Search for an Item"),
    ("artist", "Get an Artist"),
    ("artist-albums", "Get an Artist's Albums"),
    ("album-tracks", "Get an Album's Tracks"),
];

/// The accessible names of the course index's links, and which one is current.
fn index(b: &Browser) -> (Vec<String>, Option<usize>) {
    let value = b.js(
        "const links = [...document.querySelectorAll('nav[aria-label=Lessons] a')];
         return [links.map(text), links.findIndex((a) => a.getAttribute('aria-current') === 'page')];",
        vec![],
    );
    let names: Vec<String> = serde_json::from_value(value[0].clone()).expect("names");
    let current = value[1].as_i64().and_then(|i| usize::try_from(i).ok());
    (names, current)
}

/// Follows the index's link to a lesson, as a learner would, and waits for its title.
fn go_to(b: &Browser, lesson: usize) {
    let (_, title) = LESSONS[lesson];
    let link = b.find(
        &format!("the index link to {title}"),
        "return [...document.querySelectorAll('nav[aria-label=Lessons] a')].find((a) => text(a).startsWith(arguments[0])) || null;",
        vec![json!(title)],
    );
    b.click(&link);
    b.wait(&format!("the lesson {title}"), || {
        (b.text(&b.css("h1", None)) == title).then_some(())
    });
}

/// Runs the cell titled `title` and returns its log once the verdict is in.
pub fn run_cell(b: &Browser, title: &str) -> String {
    let cell = b.region(title);
    b.click(&b.button("Run", Some(&cell)));
    b.wait(&format!("the verdict of {title}"), || {
        let done = b.js(
            "return arguments[0].getAttribute('aria-busy') === 'false' && arguments[0].querySelector('.verdict') !== null;",
            vec![(&cell).into()],
        );
        (done == json!(true)).then(|| b.text(&log_of(b, &cell)))
    })
}

/// The value of the keys panel's field labelled `label`.
fn key_value(b: &Browser, label: &str) -> String {
    b.property(&b.field(label), "value")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Saves the item named `name` in the open "Save <key>" dialog.
fn save_key(b: &Browser, key: &str, name: &str) {
    let dialog = b.region(&format!("Save {key}"));
    let select = b.css("select", Some(&dialog));
    b.js(
        "const s = arguments[0]; s.selectedIndex = [...s.options].findIndex((o) => o.text === arguments[1]); s.dispatchEvent(new Event('change'));",
        vec![(&select).into(), json!(name)],
    );
    assert!(
        b.text(&b.css("#key-value", Some(&dialog))).len() == 22,
        "the dialog shows the chosen id"
    );
    b.click(&b.button("Save", Some(&dialog)));
    b.wait("the dialog to close", || {
        (!b.exists("dialog[open]")).then_some(())
    });
}

/// Token, search, artist, albums, tracks, with no typing after the credentials: every lesson
/// done, each key saved from the lesson before. `query` picks the target.
fn follow_the_course(b: &Browser, query: &str) {
    b.open(query);
    // The lesson loads from its file after the page starts: wait for it.
    let first = b.wait("the course index", || {
        Some(index(b)).filter(|i| !i.0.is_empty())
    });
    assert_eq!(
        first,
        (
            LESSONS.iter().map(|(_, t)| t.to_string()).collect(),
            Some(0)
        )
    );
    if query.contains("sandbox") {
        get_and_save(b);
    } else {
        type_credentials(b, SANDBOX_ID, SANDBOX_SECRET);
        let dialog = run_token(b);
        b.click(&b.button("Save", Some(&dialog)));
    }
    let validate = validate_cell(b);
    b.click(&b.button("Run", Some(&validate)));
    b.wait_for_text(&log_of(b, &validate), "The access token is valid.");
    b.wait("lesson 1 marked done", || {
        index(b).0[0].ends_with("(done)").then_some(())
    });

    go_to(b, 1);
    assert_eq!(index(b).1, Some(1), "the current lesson is marked");
    let log = run_cell(b, "Search for artists");
    assert!(log.contains("Spotify answered 200 OK."), "{log}");
    assert!(log.contains("\"The Paper Moons\""), "{log}");
    // The learner picks another artist than the first.
    save_key(b, "ARTIST_ID", "The Paper Moons");
    let artist_id = key_value(b, "Artist ID");
    assert_eq!(artist_id.len(), 22);
    assert!(
        log.contains(&artist_id),
        "the saved id is The Paper Moons': {log}"
    );
    assert!(b
        .description(&b.field("Artist ID"))
        .contains("Saved from lesson 2"));
    let log = run_cell(b, "Filter and get the next page");
    assert!(log.contains("\"offset\": 5"), "{log}");
    assert!(
        log.contains("offset=0&limit=5&query=year%3A2010-2020&type=album"),
        "previous, as Spotify writes it: {log}"
    );
    assert!(index(b).0[1].ends_with("(done)"));

    go_to(b, 2);
    let log = run_cell(b, "Get an artist");
    assert!(log.contains("\"name\": \"The Paper Moons\""), "{log}");
    assert!(
        log.contains(&format!("spotify:artist:{artist_id}")),
        "{log}"
    );

    go_to(b, 3);
    let log = run_cell(b, "Get an artist's albums");
    assert!(log.contains("\"Fold Here\""), "{log}");
    save_key(b, "ALBUM_ID", "Fold Here");
    let log = run_cell(b, "Albums the artist appears on");
    assert!(log.contains("\"Glass Weather\""), "{log}");

    go_to(b, 4);
    let log = run_cell(b, "Get an album's tracks");
    assert!(log.contains("\"track_number\": 1"), "{log}");
    assert!(
        log.contains("\"total\": 9"),
        "Fold Here has 9 tracks: {log}"
    );
    let log = run_cell(b, "Get the next page of tracks");
    assert!(log.contains("\"track_number\": 6"), "{log}");
    let (names, current) = index(b);
    assert_eq!(current, Some(4));
    assert!(
        names.iter().all(|n| n.ends_with("(done)")),
        "every lesson done: {names:?}"
    );

    // A reload keeps the progress and the keys.
    b.reload();
    b.wait("the index after the reload", || {
        index(b)
            .0
            .iter()
            .all(|n| n.ends_with("(done)"))
            .then_some(())
    });
    assert_eq!(key_value(b, "Artist ID"), artist_id);
    assert_eq!(key_value(b, "Album ID").len(), 22);
}

pub fn the_course_in_the_sandbox(s: &Servers) {
    follow_the_course(&s.browser(), SANDBOX);
}

/// The whole chain through this server's relay, to a Spotify double serving the same catalog.
pub fn the_course_through_the_relay(s: &Servers) {
    let double_log = e2e::root().join("target/e2e/double.log");
    let before = std::fs::read_to_string(&double_log)
        .unwrap_or_default()
        .len();
    follow_the_course(&s.browser(), "/?target=spotify");
    let log = std::fs::read_to_string(&double_log).unwrap_or_default();
    let new = &log[before.min(log.len())..];
    for path in ["/v1/search", "/v1/artists/", "/albums", "/v1/albums/"] {
        assert!(new.contains(path), "the double answered {path}");
    }
}

/// Each lesson's main errors: a limit over 10, an unknown id, a key nobody saved yet (named
/// with the lesson that provides it, and nothing sent).
pub fn lesson_errors_are_explained(s: &Servers) {
    let b = s.browser();
    b.open("/?target=spotify&lesson=artist");
    let double_log = e2e::root().join("target/e2e/double.log");
    let sent = || {
        std::fs::read_to_string(&double_log)
            .unwrap_or_default()
            .lines()
            .count()
    };
    let before = sent();
    let log = run_cell(&b, "Get an artist");
    assert!(
        log.contains("Missing keys: ARTIST_ID and ACCESS_TOKEN. Run lesson 2, \"Search for an Item\", and save ARTIST_ID first"),
        "{log}"
    );
    assert!(log.contains("Nothing was sent."), "{log}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(sent(), before, "nothing reached Spotify");
    assert!(b
        .description(&b.field("Artist ID"))
        .contains("Run lesson 2"));
    // Control: a request this page does send shows in the same log.
    b.open("/?target=spotify&lesson=token");
    type_credentials(&b, SANDBOX_ID, SANDBOX_SECRET);
    run_token(&b);
    b.wait("the token request in the double's log", || {
        (sent() > before).then_some(())
    });

    // Control: with a token and a well-formed id nobody has, the call is sent and explained.
    b.open("/?target=sandbox&lesson=token");
    get_and_save(&b);
    b.open("/?target=sandbox&lesson=artist");
    b.type_text(&b.field("Artist ID"), "0000000000000000000000");
    let log = run_cell(&b, "Get an artist");
    assert!(log.contains("Status: 404"), "{log}");
    assert!(
        log.contains("Nothing has this id (404 non existing id)."),
        "{log}"
    );

    b.open("/?target=sandbox&lesson=search");
    let cell = b.region("Search for artists");
    let editor = b.css("textarea[aria-label=Code]", Some(&cell));
    let code = b
        .property(&editor, "value")
        .as_str()
        .expect("code")
        .to_owned();
    b.type_text(&editor, "\u{E009}a\u{E000}\u{E003}");
    b.type_text(&editor, &code.replace("limit: '5'", "limit: '11'"));
    let log = run_cell(&b, "Search for artists");
    assert!(log.contains("\"message\": \"Invalid limit\""), "{log}");
    assert!(
        log.contains("Spotify refused the limit (400 Invalid limit)."),
        "{log}"
    );
    assert!(log.contains("at most 10"), "{log}");
    assert!(!b.exists("dialog[open]"), "an error offers nothing to save");
}

/// With `sandbox_token_lifetime=5`: the setting off, an expired token fails and nothing is
/// renewed; on, the call is renewed once and succeeds; without credentials, it says so.
pub fn auto_renewal_retries_once_and_only_when_on(s: &Servers) {
    let b = s.browser();
    b.open("/?target=sandbox&sandbox_token_lifetime=5");
    get_and_save(&b);
    let first = stored_token(&b);
    b.open("/?target=sandbox&sandbox_token_lifetime=5&lesson=search");
    let renew = b.field("Renew the token automatically");
    assert_eq!(
        b.property(&renew, "checked"),
        json!(false),
        "off by default"
    );
    std::thread::sleep(std::time::Duration::from_secs(6));

    let log = run_cell(&b, "Search for artists");
    assert!(log.contains("The access token has expired (401)."), "{log}");
    assert!(!log.contains("renewed"), "{log}");
    assert_eq!(stored_token(&b), first, "off: nothing renewed");

    b.click(&renew);
    let log = run_cell(&b, "Search for artists");
    let at = log
        .split("Token expired; renewed at ")
        .nth(1)
        .expect("the renewal is said in one line");
    assert!(
        at.starts_with(|c: char| c.is_ascii_digit()) && at.find(" and ran again.") == Some(8),
        "at HH:MM:SS: {log}"
    );
    assert_eq!(log.matches("renewed at").count(), 1, "once: {log}");
    assert!(log.contains("Spotify answered 200 OK."), "{log}");
    // The run's requests, in the order they went: refused, renewed, sent again.
    let requests: Vec<String> = serde_json::from_value(b.js(
        "return [...arguments[0].querySelectorAll('.requests details.exchange > summary')].map(text);",
        vec![(&b.region("Search for artists")).into()],
    ))
    .expect("summaries");
    let starts: Vec<String> = requests
        .iter()
        .map(|r| {
            r.split(" (")
                .next()
                .unwrap_or_default()
                .split('?')
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        starts,
        [
            "GET https://api.spotify.com/v1/search",
            "POST https://accounts.spotify.com/api/token",
            "GET https://api.spotify.com/v1/search"
        ],
        "{requests:?}"
    );
    assert!(
        requests[0].contains("(401,") && requests[2].contains("(200,"),
        "{requests:?}"
    );
    let second = stored_token(&b);
    assert_ne!(second["access_token"], first["access_token"]);
    assert!(second["expires_at"].as_u64() > first["expires_at"].as_u64());
    let shown = b.text(&log_of(&b, &b.region("Search for artists")));
    assert!(
        !shown.contains(second["access_token"].as_str().expect("token")),
        "the new token is masked"
    );

    // Without credentials it cannot renew, and says what to do instead.
    std::thread::sleep(std::time::Duration::from_secs(6));
    b.open("/?target=sandbox&sandbox_token_lifetime=5&lesson=token");
    let secret = b.field("Client Secret");
    b.type_text(&secret, "\u{E009}a\u{E000}\u{E003}");
    assert_eq!(b.property(&secret, "value"), json!(""));
    b.open("/?target=sandbox&sandbox_token_lifetime=5&lesson=search");
    let log = run_cell(&b, "Search for artists");
    assert!(
        log.contains("cannot be renewed: the keys panel has no Client ID and Client Secret"),
        "{log}"
    );
    assert!(log.contains("The access token has expired (401)."), "{log}");
}

/// An embedded lesson tells its course page when it is done, with no secret in the message.
pub fn an_embedded_lesson_posts_lesson_completed(s: &Servers) {
    let b = s.browser();
    let page = course_page(
        s,
        "lesson.html",
        &format!(
            "<script>{RECORD_MESSAGES}</script>\
             <iframe title=\"Spotify playground\" style=\"width:100%;height:1600px;border:0\" \
             src=\"{}/?embed=1&target=sandbox&lesson=token&parent_origin={}\"></iframe>",
            s.base_url, s.course_url
        ),
    );
    b.open_url(&format!("{}{page}", s.course_url));
    b.enter_frame(&b.css("iframe", None));
    get_and_save(&b);
    let token = stored_token(&b)["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    b.leave_frame();
    let completed = |b: &Browser| {
        seen(b)
            .into_iter()
            .filter(|m| m["data"]["type"] == "lesson-completed")
            .collect::<Vec<_>>()
    };
    // Control: half the lesson is not the lesson.
    b.wait("the token-saved message", || {
        seen(&b)
            .iter()
            .any(|m| m["data"]["type"] == "token-saved")
            .then_some(())
    });
    assert!(completed(&b).is_empty(), "not done before the last cell");
    b.enter_frame(&b.css("iframe", None));
    let cell = validate_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    b.wait_for_text(&log_of(&b, &cell), "The access token is valid.");
    b.leave_frame();
    let messages = b.wait("lesson-completed", || {
        Some(completed(&b)).filter(|m| !m.is_empty())
    });
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["origin"], json!(s.base_url));
    assert_eq!(
        messages[0]["data"],
        json!({"source": "spotify-playground", "version": 1, "type": "lesson-completed", "lesson": "token"})
    );
    assert!(!messages[0].to_string().contains(&token));
}

/// axe finds nothing on the course index and each lesson, nor with the key dialog open.
pub fn every_lesson_is_accessible(s: &Servers) {
    let b = s.browser();
    b.open(SANDBOX);
    get_and_save(&b);
    for (id, title) in LESSONS {
        b.open(&format!("/?target=sandbox&lesson={id}"));
        b.wait(title, || {
            (b.text(&b.css("h1", None)) == title).then_some(())
        });
        assert_accessible(&b, title);
    }
    b.open("/?target=sandbox&lesson=search");
    run_cell(&b, "Search for artists");
    b.region("Save ARTIST_ID");
    assert_accessible(&b, "with the Save ARTIST_ID dialog");
    // The dialog is keyboard-operable: focus starts inside, Escape closes it and returns
    // focus to Run, and nothing is saved.
    b.keys("\u{E00C}"); // Escape, pressed wherever the focus is
    b.wait("the dialog to close", || {
        (!b.exists("dialog[open]")).then_some(())
    });
    assert_eq!(key_value(&b, "Artist ID"), "");
    assert_eq!(
        b.js("return document.activeElement.id;", vec![]),
        json!("run-search")
    );
}

/// The boxes of the course index's items, its sidebar and the lesson, and the title's.
fn layout(b: &Browser) -> Value {
    b.js(
        "const box = (e) => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, shown: e.checkVisibility()}; };
         const nav = document.querySelector('nav[aria-label=Lessons]');
         return {
           nav: box(nav),
           main: box(document.getElementById('lesson')),
           h1: box(document.querySelector('h1')),
           items: [...nav.querySelectorAll('li')].map(box),
           progress: [...nav.querySelectorAll('.course-progress')].filter((e) => e.checkVisibility()).map(text),
           summary: text(nav.querySelector('summary')),
           viewport: innerHeight,
         };",
        vec![],
    )
}

/// No two shown items of the index overlap or touch: each starts below the one before.
fn assert_apart(items: &Value, when: &str) {
    let items = items.as_array().expect("items");
    assert_eq!(items.len(), LESSONS.len(), "{when}");
    for pair in items.windows(2) {
        let (above, below) = (&pair[0], &pair[1]);
        assert_eq!(
            (&above["shown"], &below["shown"]),
            (&json!(true), &json!(true)),
            "{when}: an item is hidden"
        );
        assert!(
            below["top"].as_f64() > above["bottom"].as_f64(),
            "{when}: items touch or overlap: {above} {below}"
        );
    }
}

/// Opens lesson 1 in `theme` with a viewport of `size`; returns its layout.
fn open_at(b: &Browser, theme: &str, (width, height): (u32, u32)) -> Value {
    b.viewport(width, height);
    b.open(&format!("/?target=sandbox&theme={theme}"));
    b.wait("the lesson", || {
        (b.exists("nav[aria-label=Lessons] li")).then_some(())
    });
    layout(b)
}

/// At 1280 px the index is a sidebar left of the lesson that stays in view as the lesson
/// scrolls, with the course's progress; at 390 px it folds above the lesson, whose title is
/// in the first screen, and opens to a list. Items never run together; both themes.
pub fn the_index_is_a_sidebar_or_folds_on_a_phone(s: &Servers) {
    let b = s.browser();
    for theme in ["light", "dark"] {
        let wide = open_at(&b, theme, (1280, 900));
        assert!(
            wide["nav"]["right"].as_f64() <= wide["main"]["left"].as_f64(),
            "{theme}: the sidebar is left of the lesson: {wide}"
        );
        assert_eq!(wide["progress"], json!(["0 of 5 lessons done"]), "{theme}");
        assert_apart(&wide["items"], &format!("{theme}, wide"));
        b.js("window.scrollTo(0, document.body.scrollHeight);", vec![]);
        let scrolled = layout(&b);
        assert!(
            scrolled["h1"]["bottom"].as_f64() < Some(0.0),
            "{theme}: the lesson scrolled: {scrolled}"
        );
        assert!(
            scrolled["nav"]["top"].as_f64() >= Some(0.0)
                && scrolled["items"][4]["bottom"].as_f64() < scrolled["viewport"].as_f64(),
            "{theme}: the sidebar stays in view: {scrolled}"
        );

        let phone = open_at(&b, theme, (390, 844));
        assert!(
            phone["h1"]["bottom"].as_f64() < phone["viewport"].as_f64(),
            "{theme}: the title is in the first screen: {phone}"
        );
        assert_eq!(
            phone["summary"],
            json!(format!(
                "Lesson 1 of 5: {}, 0 of 5 lessons done",
                LESSONS[0].1
            )),
            "{theme}: the folded index says where the lesson stands"
        );
        assert_eq!(
            phone["items"][0]["shown"],
            json!(false),
            "{theme}: folded, the list is hidden"
        );
        // Opened from the keyboard, the list shows its items apart.
        let summary = b.css("nav[aria-label=Lessons] summary", None);
        b.js("arguments[0].focus();", vec![(&summary).into()]);
        b.keys("\u{E007}"); // Enter
        b.wait("the index to open", || {
            (layout(&b)["items"][0]["shown"] == json!(true)).then_some(())
        });
        assert_apart(&layout(&b)["items"], &format!("{theme}, phone"));
        assert_accessible(&b, &format!("{theme}, phone, index open"));
        b.cdp("Emulation.clearDeviceMetricsOverride", json!({}));
    }
}

/// The shown lesson's data does not wait for the wasm: the lesson's page carries its file, so
/// nothing is downloaded for it, whether the page is reached by its own link, by an older
/// `?lesson=` link (which the server answers with the lesson's page), or by a path that the
/// server answers with another lesson's page (which sends it on to the lesson's own). Positive
/// control: the same query sees the file when it is downloaded.
pub fn the_lesson_file_comes_with_its_page(s: &Servers) {
    let b = s.browser();
    let downloads = |b: &Browser| {
        b.js(
            "return performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/content/02-search.json')).length;",
            vec![],
        )
    };
    for path in [
        "/search.html?target=sandbox",
        "/?target=sandbox&lesson=search",
        "/search?target=sandbox",
    ] {
        b.open(path);
        b.wait(LESSONS[1].1, || {
            (b.text(&b.css("h1", None)) == LESSONS[1].1).then_some(())
        });
        b.button("Run", None);
        assert_eq!(downloads(&b), json!(0), "{path}");
        assert_eq!(
            b.js("return location.pathname + location.search;", vec![]),
            json!(if path.starts_with("/?") {
                path.to_owned()
            } else {
                "/search.html?target=sandbox".to_owned()
            }),
            "{path}"
        );
    }
    b.js_async(
        "fetch('content/02-search.json').then((r) => r.text()).then(() => arguments[0]());",
        vec![],
    );
    b.wait("the control's download", || {
        (downloads(&b) == json!(1)).then_some(())
    });
}
