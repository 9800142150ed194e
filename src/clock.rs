//! The only place that reads the time; everything else takes it as an argument.

use wire::UnixMillis;

/// Now, from the browser's `Date.now()` (`std::time` panics on wasm32).
pub fn now() -> UnixMillis {
    // At build time the page shows no time.
    if !crate::LIVE {
        return UnixMillis(0);
    }
    UnixMillis(js_sys::Date::now() as u64)
}

/// Now in whole seconds.
pub fn now_seconds() -> u64 {
    now().seconds()
}

fn date(seconds: u64) -> js_sys::Date {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(seconds as f64 * 1000.0))
}

/// "14:05", the local wall-clock time of a Unix timestamp in seconds.
pub fn local_time(seconds: u64) -> String {
    let date = date(seconds);
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// "14:05:09", to the second.
pub fn local_time_seconds(seconds: u64) -> String {
    let date = date(seconds);
    format!(
        "{:02}:{:02}:{:02}",
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds()
    )
}
