//! The playground as an LTI 1.3 tool, in a learning platform's course page.

use super::*;

/// A course page of a learning platform (lti1p3platform, on `127.0.0.1`) frames a lesson of
/// the tool (on `localhost`, another site): the login, the platform's authorization, the
/// signed launch posted across sites in the frame, with the login's cookie (SameSite=None,
/// Partitioned) coming back; the lesson opens in embed mode and runs. The tool's log holds
/// the launch and no token.
pub fn a_learning_platform_launches_a_lesson_in_its_frame(s: &Servers) {
    let course = e2e::lti_course().unwrap_or_else(|e| panic!("{e}"));
    let b = s.browser();
    b.navigate(&format!("{}/host.html", course.platform_url));
    let frame = b.css("iframe", None);
    b.enter_frame(&frame);
    let page = format!("{}/search.html?embed=1", course.tool_url);
    let at = b.wait("the lesson in the platform's frame", || {
        let href = b.js("return location.href;", vec![]);
        (href.as_str() == Some(page.as_str())).then_some(href)
    });
    assert_eq!(at, json!(page));
    b.wait_for_page();
    let title = b.text(&b.css("h1", None));
    assert!(title.contains("Search"), "{title}");
    assert_eq!(
        b.js(
            "return document.documentElement.dataset.embed !== undefined;",
            vec![]
        ),
        json!(true),
        "embed mode"
    );
    b.leave_frame();
    let log = std::fs::read_to_string(&course.tool_log).expect("the tool's log");
    assert!(log.contains("LTI launch"), "{log}");
    assert!(!log.contains("refused"), "{log}");
    assert!(!log.contains("eyJ"), "no JWT in the log: {log}");
}

/// Safari keeps no cookie for a frame of another site: the same launch, with the login's
/// cookie taken away before the platform posts it, goes through the platform's postMessage
/// storage (the course page keeps the login's secret and gives it back) and opens the lesson.
pub fn without_cookies_a_launch_goes_through_the_platforms_storage(s: &Servers) {
    let course = e2e::lti_course().unwrap_or_else(|e| panic!("{e}"));
    let b = s.browser();
    b.navigate(&format!("{}/host-storage.html", course.platform_url));
    let frame = b.css("iframe", None);
    b.enter_frame(&frame);
    // The platform's authorization page, held: the login is done, its cookie set.
    let go = b.button("Continue", None);
    b.leave_frame();
    let kept = b.js("return window.storageLog.slice();", vec![]);
    assert_eq!(
        kept,
        json!(["lti.put_data"]),
        "the login kept its secret in the platform"
    );
    b.cdp("Network.clearBrowserCookies", json!({}));
    b.enter_frame(&frame);
    b.click(&go);
    let page = format!("{}/search.html?embed=1", course.tool_url);
    b.wait("the lesson in the platform's frame", || {
        let href = b.js("return location.href;", vec![]);
        (href.as_str() == Some(page.as_str())).then_some(())
    });
    b.wait_for_page();
    b.leave_frame();
    let asked = b.js("return window.storageLog.slice();", vec![]);
    assert_eq!(
        asked,
        json!(["lti.put_data", "lti.get_data"]),
        "the launch read the secret back"
    );
}

/// An instructor adds lessons from the platform's side (Deep Linking): the platform
/// (lti1p3platform) opens the tool's lesson picker in its frame, the instructor ticks two
/// lessons, and the platform receives two resource links with line items, whose signature
/// the library checks with the tool's published keys.
pub fn an_instructor_adds_two_lessons_from_the_platform(s: &Servers) {
    let course = e2e::lti_course().unwrap_or_else(|e| panic!("{e}"));
    let b = s.browser();
    b.navigate(&format!("{}/host-dl.html", course.platform_url));
    b.enter_frame(&b.css("iframe", None));
    b.wait_for_text(&b.css("h1", None), "Add lessons to the course");
    let violations = b.accessibility_violations();
    assert!(violations.is_empty(), "the lesson picker: {violations:?}");
    for id in ["search", "artist"] {
        b.click(&b.css(&format!("input[name=lesson][value={id}]"), None));
    }
    b.click(&b.button("Add to the course", None));
    // The frame goes on to the platform (another site): look into it afresh each time.
    b.leave_frame();
    let items = b.wait("the platform's receipt in its frame", || {
        b.enter_frame(&b.css("iframe", None));
        let receipt = b.js(
            "const h = document.querySelector('h1'); return h && h.textContent === 'Added 2' ? document.querySelector('ul').innerText : null;",
            vec![],
        );
        b.leave_frame();
        receipt.as_str().map(str::to_owned)
    });
    let needles = [
        format!("Search for an Item | {}/search.html | ", course.tool_url),
        format!("| {}/artist.html | ", course.tool_url),
        "\"scoreMaximum\": 1".to_owned(),
    ];
    for needle in needles {
        assert!(items.contains(&needle), "{needle} in {items}");
    }
}
