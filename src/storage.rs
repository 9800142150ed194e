//! The only module that touches `localStorage` and `sessionStorage`.
//!
//! Every access is fallible: storage can be blocked (privacy settings, some iframes). Then the
//! values live in memory for this visit and `is_degraded` turns true so the page can say so.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};

use crate::token::SavedToken;

const CREDENTIALS: &str = "spotify-playground.credentials";
const REMEMBER: &str = "spotify-playground.remember";
const TOKEN: &str = "spotify-playground.token";
const RELAY: &str = "spotify-playground.relay";

/// The keys panel's values by key name (`CLIENT_ID`, `CLIENT_SECRET`).
pub type Credentials = BTreeMap<String, String>;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Area {
    /// Gone when the tab closes: the default for credentials.
    Session,
    /// Kept on this device: saved tokens, the relay, and credentials on opt-in.
    Local,
}

thread_local! {
    static MEMORY: RefCell<HashMap<(u8, String), String>> = RefCell::new(HashMap::new());
    static DEGRADED: Cell<bool> = const { Cell::new(false) };
}

fn area_storage(area: Area) -> Option<web_sys::Storage> {
    let window = web_sys::window()?;
    let storage = match area {
        Area::Session => window.session_storage(),
        Area::Local => window.local_storage(),
    };
    match storage {
        Ok(Some(s)) => Some(s),
        _ => {
            DEGRADED.with(|d| d.set(true));
            None
        }
    }
}

fn memory_key(area: Area, key: &str) -> (u8, String) {
    (area as u8, key.to_owned())
}

fn get(area: Area, key: &str) -> Option<String> {
    if let Some(storage) = area_storage(area) {
        match storage.get_item(key) {
            Ok(value) => return value,
            Err(_) => DEGRADED.with(|d| d.set(true)),
        }
    }
    MEMORY.with(|m| m.borrow().get(&memory_key(area, key)).cloned())
}

fn set(area: Area, key: &str, value: &str) {
    if let Some(storage) = area_storage(area) {
        if storage.set_item(key, value).is_ok() {
            return;
        }
        DEGRADED.with(|d| d.set(true));
    }
    MEMORY.with(|m| {
        m.borrow_mut()
            .insert(memory_key(area, key), value.to_owned())
    });
}

fn remove(area: Area, key: &str) {
    if let Some(storage) = area_storage(area) {
        if storage.remove_item(key).is_err() {
            DEGRADED.with(|d| d.set(true));
        }
    }
    MEMORY.with(|m| m.borrow_mut().remove(&memory_key(area, key)));
}

/// True once any storage access failed and memory took over.
pub fn is_degraded() -> bool {
    DEGRADED.with(Cell::get)
}

/// Whether the learner opted in to keeping credentials on this device.
pub fn remember() -> bool {
    get(Area::Local, REMEMBER).as_deref() == Some("1")
}

/// Loads credentials from wherever the opt-in says they live.
pub fn load_credentials() -> Credentials {
    let area = if remember() {
        Area::Local
    } else {
        Area::Session
    };
    get(area, CREDENTIALS)
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

/// Saves credentials: `localStorage` when remembered, else `sessionStorage`, never both.
pub fn save_credentials(credentials: &Credentials, remember: bool) {
    let (keep, drop) = if remember {
        (Area::Local, Area::Session)
    } else {
        (Area::Session, Area::Local)
    };
    if remember {
        set(Area::Local, REMEMBER, "1");
    } else {
        remove(Area::Local, REMEMBER);
    }
    remove(drop, CREDENTIALS);
    if credentials.values().all(String::is_empty) {
        remove(keep, CREDENTIALS);
    } else if let Ok(json) = serde_json::to_string(credentials) {
        set(keep, CREDENTIALS, &json);
    }
}

/// The saved access token, if any (a corrupt entry counts as none).
pub fn load_token() -> Option<SavedToken> {
    get(Area::Local, TOKEN).and_then(|json| serde_json::from_str(&json).ok())
}

/// Saves the access token with its absolute expiry.
pub fn save_token(token: &SavedToken) {
    if let Ok(json) = serde_json::to_string(token) {
        set(Area::Local, TOKEN, &json);
    }
}

/// The relay prefix chosen in Settings, if any.
pub fn load_relay() -> Option<String> {
    get(Area::Local, RELAY)
}

/// Keeps the relay prefix chosen in Settings.
pub fn save_relay(setting: &str) {
    set(Area::Local, RELAY, setting);
}

/// Forget: clears every stored credential and token, in both areas and in memory.
pub fn forget_all() {
    for area in [Area::Session, Area::Local] {
        remove(area, CREDENTIALS);
        remove(area, TOKEN);
    }
    remove(Area::Local, REMEMBER);
}
