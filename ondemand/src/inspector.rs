//! The request inspector: fills a request's disclosure and wires its controls.
//!
//! Everything shown is built by the core (`exchange::inspect_markup`, `export::snippet`); this
//! module only wires the buttons: Reveal and Decode of the Authorization value, Include my
//! values, and the five "Copy as" buttons, which use the clipboard or, if it is refused, show
//! the snippet selected for copying by hand.

use std::cell::Cell;
use std::rc::Rc;

use playground_core::exchange::{auth_display, inspect_markup, Exchange};
use playground_core::export::{Endpoint, Lang};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlInputElement, HtmlTextAreaElement};

thread_local! {
    /// How many disclosures were filled: each radio group gets its own name.
    static MOUNTED: Cell<usize> = const { Cell::new(0) };
}

/// One filled disclosure.
struct Inspector {
    exchange: Exchange,
    /// This page's origin, for the sandbox target.
    origin: String,
    container: Element,
    reveal: Cell<bool>,
    decode: Cell<bool>,
}

/// Fills `container` with the inspector of the exchange (`exchange_json`, an `Exchange` as
/// JSON) and wires its controls. `origin` is the page's origin. The page binds this
/// signature in `src/ondemand.rs`.
#[wasm_bindgen]
pub fn mount(container: Element, exchange_json: &str, origin: String) -> Result<(), JsValue> {
    let exchange: Exchange =
        serde_json::from_str(exchange_json).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let n = MOUNTED.with(|m| {
        m.set(m.get() + 1);
        m.get()
    });
    container.set_inner_html(&inspect_markup(&exchange, n).into_string());
    let inspector = Rc::new(Inspector {
        exchange,
        origin,
        container: container.clone(),
        reveal: Cell::new(false),
        decode: Cell::new(false),
    });
    let on_click = {
        let inspector = inspector.clone();
        Closure::<dyn Fn(Event)>::new(move |event: Event| inspector.clicked(&event))
    };
    container.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref())?;
    // The listeners live as long as the page: a disclosure is filled once.
    on_click.forget();
    let on_change = {
        let inspector = inspector.clone();
        Closure::<dyn Fn(Event)>::new(move |_: Event| {
            let include = inspector.include();
            if let Some(warn) = inspector.find(".warn") {
                warn.toggle_attribute_with_force("hidden", !include).ok();
            }
        })
    };
    container.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref())?;
    on_change.forget();
    Ok(())
}

impl Inspector {
    fn find(&self, selector: &str) -> Option<Element> {
        self.container.query_selector(selector).ok().flatten()
    }

    fn include(&self) -> bool {
        self.find("input[data-act=include]")
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
            .is_some_and(|i| i.checked())
    }

    fn endpoint(&self) -> Endpoint<'_> {
        let sandbox = self
            .find("input[type=radio]:checked")
            .and_then(|e| e.get_attribute("value"))
            .is_some_and(|v| v == "sandbox");
        if sandbox {
            Endpoint::Sandbox(&self.origin)
        } else {
            Endpoint::Spotify
        }
    }

    fn clicked(self: &Rc<Self>, event: &Event) {
        let Some(button) = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("button").ok().flatten())
        else {
            return;
        };
        if let Some(label) = button.get_attribute("data-lang") {
            if let Some(lang) = Lang::from_label(&label) {
                let inspector = self.clone();
                wasm_bindgen_futures::spawn_local(async move { inspector.copy(lang).await });
            }
            return;
        }
        let flag = match button.get_attribute("data-act").as_deref() {
            Some("reveal") => &self.reveal,
            Some("decode") => &self.decode,
            _ => return,
        };
        flag.set(!flag.get());
        button
            .set_attribute("aria-pressed", &flag.get().to_string())
            .ok();
        let value = self
            .exchange
            .request
            .header_value("authorization")
            .unwrap_or_default();
        if let Some(code) = self.find("code.auth") {
            code.set_text_content(Some(&auth_display(
                value,
                self.reveal.get(),
                self.decode.get(),
            )));
        }
    }

    async fn copy(&self, lang: Lang) {
        let status = self.find(".copied");
        let say = |text: &str| {
            if let Some(status) = &status {
                status.set_text_content(Some(text));
            }
        };
        say("");
        let text = match self.exchange.snippet(lang, self.endpoint(), self.include()) {
            Ok(text) => text,
            Err(message) => return say(&message),
        };
        let manual = self.find(".manual");
        if write_clipboard(&text).await {
            if let Some(manual) = &manual {
                manual.set_attribute("hidden", "").ok();
            }
            say(&format!("Copied the {} snippet.", lang.label()));
            return;
        }
        if let Some(manual) = &manual {
            manual.remove_attribute("hidden").ok();
        }
        if let Some(area) = self
            .find(".manual textarea")
            .and_then(|e| e.dyn_into::<HtmlTextAreaElement>().ok())
        {
            area.set_value(&text);
            area.focus().ok();
            area.select();
        }
        say(&format!(
            "The clipboard was refused: the {} snippet is selected below, copy it by hand.",
            lang.label()
        ));
    }
}

/// Writes to the clipboard; false if there is none (an insecure page) or it was refused.
async fn write_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let navigator = window.navigator();
    let present = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .is_ok_and(|c| !c.is_undefined() && !c.is_null());
    if !present {
        return false;
    }
    let promise = navigator.clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}
