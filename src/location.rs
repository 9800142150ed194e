//! Reads the page's URL (and whether its viewport is wide) and rewrites its query (no reload,
//! no history entry). At build time (`crate::LIVE` false) the URL is empty.

/// Whether the viewport is wide enough for the course index as a sidebar (960 px, as the
/// stylesheet has it). At build time, not: a first visit's screen is not known.
pub fn wide_screen() -> bool {
    crate::LIVE
        && web_sys::window()
            .and_then(|w| w.match_media("(min-width: 960px)").ok().flatten())
            .is_some_and(|m| m.matches())
}

/// One part of `location`, or empty when unavailable (and at build time).
fn part(read: fn(&web_sys::Location) -> Result<String, wasm_bindgen::JsValue>) -> String {
    if !crate::LIVE {
        return String::new();
    }
    web_sys::window()
        .and_then(|w| read(&w.location()).ok())
        .unwrap_or_default()
}

/// `location.pathname`, which names the lesson's page (`/search.html`).
pub fn path() -> String {
    part(web_sys::Location::pathname)
}

/// `location.search`, or empty when unavailable.
pub fn search() -> String {
    part(web_sys::Location::search)
}

/// `location.origin`, for example `https://playground.example`.
pub fn origin() -> String {
    part(web_sys::Location::origin)
}

/// The session of a graded launch (LTI), which the server put in the URL's fragment
/// (`#lti=…`). It is taken out of the URL at once: the page holds it in memory only.
pub fn take_graded_session() -> Option<String> {
    let session = part(web_sys::Location::hash)
        .strip_prefix("#lti=")?
        .to_owned();
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let url = path() + &search();
        // Best effort, as in `set_param`.
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
    Some(session)
}

/// Sets (or with `None` removes) one query parameter, keeping the rest.
pub fn set_param(name: &str, value: Option<&str>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search()) else {
        return;
    };
    match value {
        Some(v) => params.set(name, v),
        None => params.delete(name),
    }
    let query = String::from(params.to_string());
    let path = window.location().pathname().unwrap_or_else(|_| "/".into());
    let url = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    if let Ok(history) = window.history() {
        // Best effort: a sandboxed iframe may refuse; the setting still applies in the page.
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}
