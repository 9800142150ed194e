//! Each lesson's page holds the lesson, prerendered by the build: it reads before the page's
//! code has loaded (or without it), from our server and from a plain static host, and the
//! page takes over without moving the lesson or losing the reader's place.

use super::*;
use e2e::{dist_dir, static_host};

/// What a reader of the page finds: the title, the first paragraph, the first line of code,
/// whether a Run button can be seen, the "Loading" status, and whether the page's code has
/// taken over.
fn reading(b: &Browser) -> Value {
    b.js(
        "const shown = (e) => e !== null && e.checkVisibility({visibilityProperty: true});
         const run = [...document.querySelectorAll('button')].find((e) => text(e) === 'Run') || null;
         const status = document.getElementById('loading');
         return {
           title: text(document.querySelector('h1') || document.body),
           paragraph: text(document.querySelector('.prose p') || document.body),
           code: text(document.querySelector('.cell .line') || document.body),
           run_shown: shown(run),
           status: shown(status) ? text(status) : null,
           prerendered: document.getElementById('prerender') !== null,
         };",
        vec![],
    )
}

/// Opens `url` (with the wasm refused) and waits until a loaded document shows `title`.
fn read_without_wasm(b: &Browser, url: &str, title: &str) -> Value {
    b.navigate(url);
    b.wait(&format!("{url} to show {title:?}"), || {
        let read = reading(b);
        let loaded = b.js("return document.readyState;", vec![]) == json!("complete");
        (loaded && read["title"] == json!(title)).then_some(read)
    })
}

/// The lesson's page, as the page's own links name it.
fn page_of(id: &str) -> String {
    if id == "token" {
        "/".to_owned()
    } else {
        format!("/{id}.html")
    }
}

/// With the wasm blocked (over CDP), each lesson's page, from our server and from a plain
/// static host, shows its title, its prose and its code, and no Run button, only a status
/// that says the playground is loading. A `?lesson=` link (the older form) reads the same,
/// from both. Positive control: unblocked, the same page takes over and shows Run.
pub fn each_lesson_reads_before_the_wasm(s: &Servers) {
    let (mut host, static_url) = static_host(&dist_dir()).expect("a static host");
    let b = s.browser();
    b.cdp("Network.enable", json!({}));
    b.cdp("Network.setBlockedURLs", json!({"urls": ["*.wasm"]}));
    let mut urls: Vec<(String, &str)> = Vec::new();
    for (id, title) in LESSONS {
        urls.push((format!("{}{}", s.base_url, page_of(id)), title));
        urls.push((format!("{static_url}{}", page_of(id)), title));
    }
    // Older `?lesson=` links: our server answers with the lesson's page; on a static host the
    // index's head script sends them on to it.
    urls.push((format!("{}/?lesson=artist", s.base_url), LESSONS[2].1));
    urls.push((
        format!("{static_url}/?lesson=artist&theme=dark"),
        LESSONS[2].1,
    ));
    urls.push((
        format!("{static_url}/search.html?lesson=token"),
        LESSONS[0].1,
    ));
    for (url, title) in &urls {
        let read = read_without_wasm(&b, url, title);
        assert!(
            read["paragraph"].as_str().is_some_and(|p| p.len() > 40),
            "{url}: a paragraph of prose: {read}"
        );
        assert!(
            read["code"].as_str().is_some_and(|c| c.len() > 5),
            "{url}: the code: {read}"
        );
        assert_eq!(read["run_shown"], json!(false), "{url}: no dead Run button");
        assert!(
            read["status"]
                .as_str()
                .is_some_and(|s| s.contains("Run and the key fields appear")),
            "{url}: the status says why: {read}"
        );
        assert_eq!(read["prerendered"], json!(true), "{url}: still the build's");
    }
    // The course index leads to the other lessons' pages without the wasm.
    let next = b.js(
        "return [...document.querySelectorAll('nav[aria-label=Lessons] a')].map((a) => a.href);",
        vec![],
    );
    assert!(
        next[1]
            .as_str()
            .is_some_and(|h| h.ends_with("/search.html")),
        "{next}"
    );

    b.cdp("Network.setBlockedURLs", json!({"urls": []}));
    for base in [&s.base_url, &static_url] {
        b.open_url(&format!("{base}/search.html?target=sandbox"));
        let read = reading(&b);
        assert_eq!(read["prerendered"], json!(false), "{base}: {read}");
        assert_eq!(read["title"], json!(LESSONS[1].1), "{base}: {read}");
        b.button("Run", None);
        assert!(!b.shown("#loading"), "{base}: the status has gone");
    }
    let _ = host.kill();
}

/// The boxes of the title and the first cell, the scroll position, and where the focus is.
fn place(b: &Browser) -> Value {
    b.js(
        "const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.width]; };
         const focused = document.activeElement;
         return {
           h1: box(document.querySelector('h1')),
           cell: box(document.querySelector('.cell')),
           scroll: scrollY,
           focus: focused ? text(focused) : null,
           focus_in_app: focused !== null && focused.closest('#app') !== null,
           prerendered: document.getElementById('prerender') !== null,
         };",
        vec![],
    )
}

fn near(a: &Value, b: &Value, what: &str) {
    let (a, b) = (a.as_array().expect(what), b.as_array().expect(what));
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (x.as_f64().expect(what), y.as_f64().expect(what));
        assert!((x - y).abs() <= 3.0, "{what} moved: {a:?} then {b:?}");
    }
}

/// On a slow link, the reader scrolls and moves the focus to a link (the next lesson's on a
/// wide screen, the folded index's summary on a phone) while the wasm loads; when the page takes over, the title and the first cell stay where
/// they were (within 3 px), the scroll position is kept, and the focus is on the same link of
/// the new page. Both on a wide screen (the index is a sidebar) and on a phone.
pub fn the_page_takes_over_without_a_jump_or_a_lost_focus(s: &Servers) {
    for (width, height) in [(1280, 900), (390, 844)] {
        let b = s.browser();
        b.viewport(width, height);
        b.cdp("Network.enable", json!({}));
        // About 60 KB/s: the wasm takes seconds, the lesson's HTML a fraction of one.
        b.cdp(
            "Network.emulateNetworkConditions",
            json!({"offline": false, "latency": 20, "downloadThroughput": 60_000, "uploadThroughput": 60_000}),
        );
        b.js(
            "location.href = arguments[0];",
            vec![json!(format!("{}/search.html", s.base_url))],
        );
        b.wait("the prerendered lesson", || {
            (b.js(
                "return document.getElementById('prerender') !== null && document.querySelector('.cell') !== null;",
                vec![],
            ) == json!(true))
            .then_some(())
        });
        let (link, name) = if width > 960 {
            // The link to the next lesson, under the lesson.
            (
                "nav.prev-next a[rel=next]",
                "Next: Get an Artist".to_owned(),
            )
        } else {
            // The course index, folded on a phone: its summary.
            (
                "nav[aria-label=Lessons] summary",
                format!("Lesson 2 of 5: {}, 0 of 5 lessons done", LESSONS[1].1),
            )
        };
        b.js(
            "scrollTo(0, 120); document.querySelector(arguments[0]).focus({preventScroll: true});",
            vec![json!(link)],
        );
        let before = place(&b);
        assert_eq!(before["prerendered"], json!(true), "{width}: {before}");
        assert_eq!(
            before["focus"],
            json!(name),
            "{width}: the reader's focus: {before}"
        );
        b.wait_for_page();
        let after = place(&b);
        assert_eq!(after["prerendered"], json!(false), "{width}: {after}");
        near(&before["h1"], &after["h1"], &format!("{width}: the title"));
        near(
            &before["cell"],
            &after["cell"],
            &format!("{width}: the first cell"),
        );
        assert_eq!(
            before["scroll"], after["scroll"],
            "{width}: the scroll position"
        );
        assert_eq!(before["focus"], after["focus"], "{width}: the focus");
        assert_eq!(
            after["focus_in_app"],
            json!(true),
            "{width}: the focus is on the mounted page's element"
        );
    }
}
