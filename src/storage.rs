//! The only module that touches `localStorage` and `sessionStorage`.
//!
//! Every access is fallible: storage can be blocked (privacy settings, some iframes). Then the
//! values live in memory for this visit and `is_degraded` turns true so the page can say so.

use std::cell::{Cell, RefCell};

use playground_core::keys::KeyValues;
use playground_core::progress::CourseState;
use playground_core::token::SavedToken;
use serde::de::DeserializeOwned;
use serde::Serialize;

const CREDENTIALS: &str = "spotify-playground.credentials";
/// Where keys came from, lessons done, the renewal setting: kept where the credentials are.
const COURSE: &str = "spotify-playground.course";
const REMEMBER: &str = "spotify-playground.remember";
const TOKEN: &str = "spotify-playground.token";
const RELAY: &str = "spotify-playground.relay";
/// Prefix of each editable cell's code: `spotify-playground.code.<cell id>`.
const CODE: &str = "spotify-playground.code.";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Area {
    /// Gone when the tab closes: the default for credentials.
    Session,
    /// Kept on this device: saved tokens, the relay, and credentials on opt-in.
    Local,
}

thread_local! {
    /// Fallback store: (area, key, value).
    static MEMORY: RefCell<Vec<(u8, String, String)>> = const { RefCell::new(Vec::new()) };
    static DEGRADED: Cell<bool> = const { Cell::new(false) };
}

fn area_storage(area: Area) -> Option<web_sys::Storage> {
    // At build time there is no storage, and none is missing: a first visit.
    if !crate::LIVE {
        return None;
    }
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

fn get(area: Area, key: &str) -> Option<String> {
    if let Some(storage) = area_storage(area) {
        match storage.get_item(key) {
            Ok(value) => return value,
            Err(_) => DEGRADED.with(|d| d.set(true)),
        }
    }
    MEMORY.with(|m| {
        m.borrow()
            .iter()
            .find(|(a, k, _)| *a == area as u8 && k == key)
            .map(|(_, _, v)| v.clone())
    })
}

fn set(area: Area, key: &str, value: &str) {
    if let Some(storage) = area_storage(area) {
        if storage.set_item(key, value).is_ok() {
            return;
        }
        DEGRADED.with(|d| d.set(true));
    }
    remove_from_memory(area, key);
    MEMORY.with(|m| {
        m.borrow_mut()
            .push((area as u8, key.to_owned(), value.to_owned()))
    });
}

fn remove(area: Area, key: &str) {
    if let Some(storage) = area_storage(area) {
        if storage.remove_item(key).is_err() {
            DEGRADED.with(|d| d.set(true));
        }
    }
    remove_from_memory(area, key);
}

fn remove_from_memory(area: Area, key: &str) {
    MEMORY.with(|m| {
        m.borrow_mut()
            .retain(|(a, k, _)| !(*a == area as u8 && k == key))
    });
}

/// A stored value read with its type's derived reader; an entry that is missing or cannot
/// be read counts as none (each type's reader keeps what it can of a damaged entry).
fn read<T: DeserializeOwned + Default>(text: Option<String>) -> T {
    text.and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

/// A value as stored: its type's derived JSON.
fn write(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("stored values are plain data")
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
pub fn load_credentials() -> KeyValues {
    let area = if remember() {
        Area::Local
    } else {
        Area::Session
    };
    read(get(area, CREDENTIALS))
}

/// Saves credentials: `localStorage` when remembered, else `sessionStorage`, never both.
pub fn save_credentials(credentials: &KeyValues, remember: bool) {
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
    if credentials.is_blank() {
        remove(keep, CREDENTIALS);
    } else {
        set(keep, CREDENTIALS, &write(credentials));
    }
}

/// The course's progress, from wherever the credentials live.
pub fn load_course() -> CourseState {
    let area = if remember() {
        Area::Local
    } else {
        Area::Session
    };
    read(get(area, COURSE))
}

/// Saves the course's progress beside the credentials, in the same area.
pub fn save_course(state: &CourseState, remember: bool) {
    let (keep, drop) = if remember {
        (Area::Local, Area::Session)
    } else {
        (Area::Session, Area::Local)
    };
    remove(drop, COURSE);
    if state.is_empty() {
        remove(keep, COURSE);
    } else {
        set(keep, COURSE, &write(state));
    }
}

/// The saved access token, if any (a corrupt entry counts as none).
pub fn load_token() -> Option<SavedToken> {
    read(get(Area::Local, TOKEN))
}

/// Saves the access token with its absolute expiry.
pub fn save_token(token: &SavedToken) {
    set(Area::Local, TOKEN, &write(token));
}

/// Calls `changed` with the stored token whenever another page of this origin saves or
/// forgets it: another tab, or another embedded lesson on the same site.
pub fn on_token_change(changed: impl Fn(Option<SavedToken>) + 'static) {
    // The listener stays for the page's life (dropping the handle does not remove it).
    _ = leptos::prelude::window_event_listener(leptos::ev::storage, move |event| {
        let key = event.key();
        if key.is_none() || key.as_deref() == Some(TOKEN) {
            changed(load_token());
        }
    });
}

/// A cell's edited code, if the learner changed it.
pub fn load_code(cell_id: &str) -> Option<String> {
    get(Area::Local, &format!("{CODE}{cell_id}"))
}

/// Keeps a cell's edited code; `None` (code back to the lesson's) removes it. Only the code
/// as written is kept: placeholders stay placeholders, so no key is ever stored here.
pub fn save_code(cell_id: &str, code: Option<&str>) {
    let key = format!("{CODE}{cell_id}");
    match code {
        Some(code) => set(Area::Local, &key, code),
        None => remove(Area::Local, &key),
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

/// Forget: clears every stored credential, key, token and the course's progress, in both
/// areas and in memory.
pub fn forget_all() {
    for area in [Area::Session, Area::Local] {
        remove(area, CREDENTIALS);
        remove(area, COURSE);
        remove(area, TOKEN);
    }
    remove(Area::Local, REMEMBER);
}
