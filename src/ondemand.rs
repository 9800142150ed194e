//! The only module that loads the page's on-demand module (crate `ondemand`, built by Trunk
//! beside the page as `ondemand.js` and `ondemand_bg.wasm`): the sandbox and the request
//! inspector. The first load of the page does not carry it. It is fetched, once for the
//! visit, the first time the sandbox answers a request or a request's disclosure opens.
//!
//! Its script is wasm-bindgen's `no-modules` output, which declares the global
//! `wasm_bindgen`: the init function, which also holds the module's exports. Those are bound
//! here by name and type, once (`extern` block below); values cross as JSON text written and
//! read by the types' derived serializers.

use std::cell::RefCell;

use js_sys::{Function, Promise};
use playground_core::exchange::Exchange;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlElement};
use wire::{HttpRequest, HttpResponse, UnixMillis};

#[wasm_bindgen]
extern "C" {
    /// The on-demand script's global, its init function; read only after the script has run.
    #[wasm_bindgen(thread_local_v2, js_name = wasm_bindgen)]
    static ONDEMAND: JsValue;

    /// `ondemand::sandbox`: an `HttpRequest` as JSON, the time, the token lifetime; the
    /// `HttpResponse` as JSON. Callable once [`loaded`] has succeeded.
    #[wasm_bindgen(catch, js_namespace = wasm_bindgen, js_name = sandbox)]
    fn ondemand_sandbox(request: &str, now_ms: f64, token_lifetime: f64)
        -> Result<String, JsValue>;

    /// `ondemand::mount`: fills `container` with the inspector of an `Exchange` (JSON).
    #[wasm_bindgen(catch, js_namespace = wasm_bindgen, js_name = mount)]
    fn ondemand_mount(container: &Element, exchange: &str, origin: &str) -> Result<(), JsValue>;
}

thread_local! {
    /// The load, started once: its script, then its WebAssembly.
    static LOADED: RefCell<Option<Promise>> = const { RefCell::new(None) };
}

/// Runs the script, then its init function, which fetches `ondemand_bg.wasm` next to it.
async fn script_and_init() -> Result<JsValue, JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let script: HtmlElement = document.create_element("script")?.unchecked_into();
    let ran = Promise::new(&mut |resolve, reject| {
        script.set_onload(Some(&resolve));
        script.set_onerror(Some(&reject));
    });
    script.set_attribute("src", "ondemand.js")?;
    document.head().ok_or("no head")?.append_child(&script)?;
    JsFuture::from(ran).await?;
    let init: Promise = ONDEMAND
        .with(|init| init.unchecked_ref::<Function>().call0(&JsValue::NULL))?
        .dyn_into()?;
    JsFuture::from(init).await
}

/// The whole load as one promise, made at once, so that every opening awaits the same one.
fn load() -> Promise {
    Promise::new(&mut |resolve, reject| {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = match script_and_init().await {
                Ok(_) => resolve.call0(&JsValue::NULL),
                Err(e) => reject.call1(&JsValue::NULL, &e),
            };
        });
    })
}

async fn loaded() -> Result<(), JsValue> {
    let promise = LOADED.with(|l| l.borrow_mut().get_or_insert_with(load).clone());
    let result = JsFuture::from(promise).await.map(drop);
    if result.is_err() {
        // Let the next opening try again.
        LOADED.with(|l| *l.borrow_mut() = None);
    }
    result
}

/// Why the module could not be used, in words: an error's message, or that its file did not
/// load (a script's `error` event says no more).
fn reason(error: &JsValue) -> String {
    match error.dyn_ref::<js_sys::Error>() {
        Some(e) => String::from(e.message()),
        None => "ondemand.js did not load".to_owned(),
    }
}

/// The sandbox's answer to `request` at `now`, with tokens that last `token_lifetime`
/// seconds; or why the module could not be loaded.
pub async fn sandbox(
    request: &HttpRequest,
    now: UnixMillis,
    token_lifetime: u64,
) -> Result<HttpResponse, String> {
    loaded().await.map_err(|e| reason(&e))?;
    let request = serde_json::to_string(request).map_err(|e| e.to_string())?;
    let answer =
        ondemand_sandbox(&request, now.0 as f64, token_lifetime as f64).map_err(|e| reason(&e))?;
    serde_json::from_str(&answer).map_err(|e| e.to_string())
}

/// True once `body` has been filled, or is being filled.
pub fn filled(body: &Element) -> bool {
    body.has_attribute("data-filled")
}

/// Fills `body` (a disclosure's body) with the inspector of `exchange`; says so in `body` if
/// the module cannot be loaded, and lets the next opening try again.
pub async fn mount(body: Element, exchange: &Exchange) {
    body.set_attribute("data-filled", "").ok();
    body.set_text_content(Some("Loading the inspector…"));
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let exchange = serde_json::to_string(exchange).expect("an exchange is plain data");
    let mounted = match loaded().await {
        Ok(()) => ondemand_mount(&body, &exchange, &origin),
        Err(e) => Err(e),
    };
    if mounted.is_err() {
        body.set_text_content(Some(
            "The inspector could not be loaded. Check that the playground's server is running, then close and open this request again.",
        ));
        body.remove_attribute("data-filled").ok();
    }
}
