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
    let page = format!("{}/search.html?embed=1&lti=1", course.tool_url);
    let at = b.wait("the lesson in the platform's frame", || {
        let href = b.js("return location.href;", vec![]);
        (href.as_str() == Some(page.as_str())).then_some(href)
    });
    assert_eq!(at, json!(page));
    b.wait_for_page();
    let title = b.text(&b.css("h1", None));
    assert!(title.contains("Search"), "{title}");
    // No line item in this launch: not graded, and the page does not say it is (the graded
    // launch below is the positive control).
    let notices = b.js(
        "return document.querySelector('.notices').textContent;",
        vec![],
    );
    assert!(
        !notices.to_string().contains("grades this lesson"),
        "{notices}"
    );
    assert_eq!(
        b.js(
            "return document.documentElement.dataset.embed !== undefined;",
            vec![]
        ),
        json!(true),
        "embed mode"
    );
    b.leave_frame();
    // The lesson asks the platform to size its frame as LTI says, not with its own message.
    let sized = b.wait("lti.frameResize", || {
        let messages = b.js("return window.frameMessages.slice();", vec![]);
        let sized = messages.as_array().is_some_and(|m| {
            m.iter()
                .any(|m| m["subject"] == "lti.frameResize" && m["height"].as_u64() > Some(100))
        });
        sized.then_some(messages)
    });
    assert!(
        !sized.to_string().contains("\"resize\""),
        "no resize of the page's own: {sized}"
    );
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
    let page = format!("{}/search.html?embed=1&lti=1", course.tool_url);
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

/// A graded launch, the whole path: the platform (lti1p3platform) launches the first lesson in
/// its frame with a line item; the learner does the lesson in the sandbox, which the page
/// sends to the tool's server with the launch's session. The platform's line items are down
/// at first, and the tool's server restarts while the score waits; once they are back,
/// exactly one score arrives. A `lesson-completed` message the page could post earns nothing
/// by itself: only what the server saw counts (relay/tests/lti.rs forges the rest).
pub fn a_graded_lesson_sends_one_score_through_an_outage_and_a_restart(s: &Servers) {
    let mut course = e2e::lti_course().unwrap_or_else(|e| panic!("{e}"));
    course.line_items_down(true);
    let b = s.browser();
    b.navigate(&format!("{}/host-graded.html", course.platform_url));
    let frame = b.css("iframe", None);
    b.enter_frame(&frame);
    // The session leaves the URL as soon as the page has it.
    let page = format!("{}/?embed=1&lti=1", course.tool_url);
    b.wait("the graded lesson in the platform's frame", || {
        let href = b.js("return location.href;", vec![]);
        (href.as_str() == Some(page.as_str())).then_some(())
    });
    b.wait_for_page();
    assert_eq!(b.js("return location.hash;", vec![]), json!(""));
    let notices = b.text(&b.css(".notices", None));
    assert!(
        notices.contains("Your course grades this lesson"),
        "{notices}"
    );
    // A forged claim first: the page's own completion message, posted by hand, sends no
    // score (with the line items down, a try would show as refused).
    b.js(
        "parent.postMessage({source: 'spotify-playground', version: 1, type: 'lesson-completed', lesson: 'token'}, '*');",
        vec![],
    );
    std::thread::sleep(std::time::Duration::from_secs(2));
    let before = course.received();
    assert_eq!(
        (before["refused"].as_u64(), before["tokens"].as_u64()),
        (Some(0), Some(0)),
        "{before}"
    );
    get_and_save(&b);
    let cell = validate_cell(&b);
    b.click(&b.button("Run", Some(&cell)));
    b.wait_for_text(&log_of(&b, &cell), "The access token is valid.");
    b.leave_frame();

    // The server saw the lesson done; the platform refuses the score twice.
    b.wait("two refused tries", || {
        (course.received()["refused"].as_u64() >= Some(2)).then_some(())
    });
    assert_eq!(course.received()["scores"], json!([]));
    course.restart_tool().unwrap_or_else(|e| panic!("{e}"));
    course.line_items_down(false);
    let received = b.wait("the score", || {
        Some(course.received()).filter(|r| r["scores"].as_array().is_some_and(|s| !s.is_empty()))
    });
    std::thread::sleep(std::time::Duration::from_secs(3));
    let received = {
        let now = course.received();
        assert_eq!(now["scores"], received["scores"], "one score, sent once");
        now
    };
    let scores = received["scores"].as_array().expect("scores");
    assert_eq!(scores.len(), 1, "{received}");
    assert_eq!(scores[0]["userId"], "learner-1");
    assert_eq!(scores[0]["scoreGiven"], json!(1.0));
    assert_eq!(scores[0]["activityProgress"], "Completed");
    assert_eq!(scores[0]["gradingProgress"], "FullyGraded");
    assert_eq!(
        received["problems"],
        json!([]),
        "what the platform found wrong"
    );
    let log = std::fs::read_to_string(&course.tool_log).expect("the tool's log");
    assert!(log.contains("score sent"), "{log}");
    assert!(!log.contains("eyJ"), "no JWT in the log: {log}");
}
