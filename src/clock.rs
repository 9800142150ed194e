//! The only place that reads the time; everything else takes it as an argument.

use sandbox::UnixMillis;

/// Now, from the browser's `Date.now()` (`std::time` panics on wasm32).
pub fn now() -> UnixMillis {
    UnixMillis(js_sys::Date::now() as u64)
}

/// Now in whole seconds.
pub fn now_seconds() -> u64 {
    now().seconds()
}

/// "14:05", the local wall-clock time of a Unix timestamp in seconds.
pub fn local_time(seconds: u64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(seconds as f64 * 1000.0));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}
