//! The only module that talks to a host page: `postMessage` out, `message` events in, and
//! the `ResizeObserver` that reports the content height. It does nothing when the page is
//! not in a frame. What is sent and accepted is decided in `embed.rs`.

use std::cell::Cell;

use leptos::prelude::window_event_listener;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use playground_core::embed::{Command, HostLink, ToHost};

/// The window that frames this page, if any.
fn parent() -> Option<web_sys::Window> {
    let window = web_sys::window()?;
    let parent = window.parent().ok()??;
    (!js_sys::Object::is(&parent, &window)).then_some(parent)
}

/// True when the page is inside a frame.
pub fn is_framed() -> bool {
    parent().is_some()
}

/// Posts `message` to the host at `link`'s target origin. A host of another origin than
/// `parent_origin` receives nothing (the browser drops it).
pub fn post(link: &HostLink, message: &ToHost) {
    post_text(link, &message.json_text());
}

/// Posts a message written as JSON text.
fn post_text(link: &HostLink, text: &str) {
    let Some(parent) = parent() else {
        return;
    };
    if let Ok(data) = js_sys::JSON::parse(text) {
        let _ = parent.post_message(&data, link.target_origin());
    }
}

/// Reports the body's height now and on every change of it (`HostLink::resize`).
pub fn report_height(link: HostLink) {
    let (Some(_), Some(body)) = (parent(), leptos::prelude::document().body()) else {
        return;
    };
    let last = Cell::new(0u64);
    let target = body.clone();
    let on_resize = Closure::<dyn FnMut()>::new(move || {
        let height = target.get_bounding_client_rect().height().ceil() as u64;
        if height != last.replace(height) {
            post_text(&link, &link.resize(height));
        }
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
        observer.observe(&body);
    }
    // The observer and its callback live as long as the page.
    on_resize.forget();
}

/// Calls `apply` for each message the host may send (see [`HostLink::incoming`]): only from
/// the parent window, only from `parent_origin`.
pub fn on_command(link: HostLink, apply: impl Fn(Command) + 'static) {
    if link.parent_origin.is_none() || !is_framed() {
        return;
    }
    // The listener stays for the page's life (dropping the handle does not remove it).
    _ = window_event_listener(leptos::ev::message, move |event| {
        let from_parent = match (event.source(), parent()) {
            (Some(source), Some(parent)) => js_sys::Object::is(&source, &parent),
            _ => false,
        };
        // Only the parent's messages are read at all; others are not even serialized.
        if !from_parent {
            return;
        }
        let text = js_sys::JSON::stringify(&event.data())
            .ok()
            .and_then(|t| t.as_string());
        if let Some(command) = text.and_then(|data| link.incoming(&event.origin(), &data)) {
            apply(command);
        }
    });
}
