//! Pictures of the real page for the README: `cargo xtask screenshots` runs this case with
//! `SCREENSHOTS_DIR=docs/images`; the browser suite runs it into `target/e2e/screenshots`,
//! so a broken command fails CI. Each picture is a viewport of the built page in headless
//! Chromium.

use base64::Engine as _;

use super::*;

/// Where the pictures go.
fn screenshots_dir() -> std::path::PathBuf {
    std::env::var_os("SCREENSHOTS_DIR").map_or_else(
        || e2e::artifacts().join("screenshots"),
        std::path::PathBuf::from,
    )
}

/// Saves the viewport as `name`.png, scrolled to the top of the page or to `above` pixels
/// above `from`, and checks that it is a PNG of that size.
fn picture(b: &Browser, name: &str, (width, height): (u32, u32), from: Option<(&Element, u32)>) {
    // The focus ring and the caret out of the picture.
    let (element, above) = from.map_or((Value::Null, 0), |(e, above)| (e.into(), above));
    b.js(
        "const top = arguments[0] ? arguments[0].getBoundingClientRect().top + scrollY - arguments[1] : 0;
         document.activeElement && document.activeElement.blur();
         window.scrollTo(0, top);",
        vec![element, json!(above)],
    );
    let shot = b.cdp("Page.captureScreenshot", json!({"format": "png"}));
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot["data"].as_str().expect("image data"))
        .expect("base64");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{name}: a PNG");
    let size = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().expect("4 bytes"));
    assert_eq!((size(16), size(20)), (width, height), "{name}: its size");
    assert!(
        png.len() > 10_000,
        "{name}: {} bytes, a blank page?",
        png.len()
    );
    let dir = screenshots_dir();
    std::fs::create_dir_all(&dir).expect("the pictures' folder");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write the picture");
}

/// Lesson 1 before and after a run, the inspector open, a catalog lesson, the phone layout
/// and the dark theme.
pub fn screenshots_of_the_page(s: &Servers) {
    let b = s.browser();
    let wide = (1280, 900);
    b.viewport(wide.0, wide.1);
    b.open("/?target=sandbox&theme=light");
    token_cell(&b);
    picture(&b, "lesson-1", wide, None);

    get_and_save(&b);
    let cell = token_cell(&b);
    // The end of the code, the answer and the request under it.
    picture(
        &b,
        "lesson-1-after-a-run",
        wide,
        Some((&log_of(&b, &cell), 420)),
    );
    // The run's request opened: the inspector, loaded on demand.
    let details = b.css(".requests details.exchange", Some(&cell));
    b.click(&b.css("summary", Some(&details)));
    b.wait("the inspector", || {
        b.exists(".inspect .export-buttons button").then_some(())
    });
    picture(&b, "inspector", wide, Some((&details, 16)));

    b.open("/?target=sandbox&theme=light&lesson=search");
    let search = b.region("Search for artists");
    b.click(&b.button("Run", Some(&search)));
    let dialog = b.region("Save ARTIST_ID");
    b.click(&b.button("Save", Some(&dialog)));
    b.wait("the dialog to close", || {
        (!b.exists("dialog[open]")).then_some(())
    });
    picture(
        &b,
        "catalog-lesson",
        wide,
        Some((&log_of(&b, &search), 420)),
    );

    b.open("/?target=sandbox&theme=dark&lesson=artist");
    b.region("Get an artist");
    picture(&b, "dark-theme", wide, None);

    let phone = (390, 844);
    b.viewport(phone.0, phone.1);
    b.open("/?target=sandbox&theme=light&lesson=search");
    b.region("Search for artists");
    picture(&b, "phone", phone, None);
    b.cdp("Emulation.clearDeviceMetricsOverride", json!({}));
}
