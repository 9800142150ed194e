//! The only module that loads the page's on-demand module (crate `ondemand`, built by Trunk
//! beside the page as `ondemand.js` and `ondemand_bg.wasm`): the sandbox, the request
//! inspector, the Embed panel, the relay settings and the two Save dialogs. The first load of
//! the page does not carry it. It is fetched, once for the visit, the first time the sandbox
//! answers a request, a request's disclosure, the Embed panel or the settings open, or a run
//! offers a token or a key to save.
//!
//! Its script is wasm-bindgen's `no-modules` output, which declares the global
//! `wasm_bindgen`: the init function, which also holds the module's exports. Those are bound
//! here by name and type, once (`extern` block below); values cross as JSON text written and
//! read by the types' derived serializers.
//!
//! Its files have fixed names (Trunk's "worker" assets are not hashed), so a page left open
//! across a release would fetch the newer release's module. Before anything else, the page
//! compares the module's contract digest with its own (`ondemand/contract.rs`), and refuses a
//! module that was built for another: the learner is told to reload.

use std::cell::RefCell;

use js_sys::{Function, Promise};
use playground_core::embed::PanelContext;
use playground_core::exchange::Exchange;
use playground_core::lesson::KeyOffer;
use playground_core::token::SavedToken;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlElement;
use wire::{HttpRequest, HttpResponse, UnixMillis};

#[wasm_bindgen]
extern "C" {
    /// The on-demand script's global, its init function; read only after the script has run.
    #[wasm_bindgen(thread_local_v2, js_name = wasm_bindgen)]
    static ONDEMAND: JsValue;

    /// `ondemand::contract`: the digest of the contract the module was built for. Fails
    /// when the module has no such export (a release from before it).
    #[wasm_bindgen(catch, js_namespace = wasm_bindgen, js_name = contract)]
    fn ondemand_contract() -> Result<String, JsValue>;

    /// `ondemand::sandbox`: an `HttpRequest` as JSON, the time, the token lifetime; the
    /// `HttpResponse` as JSON. Callable once [`loaded`] has succeeded.
    #[wasm_bindgen(catch, js_namespace = wasm_bindgen, js_name = sandbox)]
    fn ondemand_sandbox(request: &str, now_ms: f64, token_lifetime: f64)
        -> Result<String, JsValue>;

    /// `ondemand::mount`: appends the inspector of an `Exchange` (JSON) to a disclosure.
    #[wasm_bindgen(catch, js_namespace = wasm_bindgen, js_name = mount)]
    fn ondemand_mount(details: &HtmlElement, exchange: &str) -> Result<(), JsValue>;

    /// `ondemand::embed_panel`: appends the Embed panel, with a `PanelContext` (JSON), to
    /// the Embed disclosure.
    #[wasm_bindgen(catch, js_namespace = wasm_bindgen, js_name = embed_panel)]
    fn ondemand_embed_panel(details: &HtmlElement, context: &str) -> Result<(), JsValue>;

    /// `ondemand::relay_settings`: appends the relay settings form to the Settings
    /// disclosure, with the setting in use; the form calls `apply` with each valid setting.
    #[wasm_bindgen(catch, js_namespace = wasm_bindgen, js_name = relay_settings)]
    fn ondemand_relay_settings(
        details: &HtmlElement,
        relay: &str,
        apply: &Closure<dyn Fn(String)>,
    ) -> Result<(), JsValue>;
    /// `ondemand::key_dialog`: shows the "Save <KEY>" dialog for a `KeyOffer` (JSON); it
    /// calls `save` with the chosen value, and `closed` once it has closed.
    #[wasm_bindgen(catch, js_namespace = wasm_bindgen, js_name = key_dialog)]
    fn ondemand_key_dialog(
        offer: &str,
        save: &Closure<dyn Fn(String)>,
        closed: &Closure<dyn Fn()>,
    ) -> Result<(), JsValue>;
    /// `ondemand::token_dialog`: shows the "Save access token" dialog for a `SavedToken`
    /// (JSON) with the sentence that says when it expires; it calls `save` if the learner
    /// saves it, and `closed` once it has closed.
    #[wasm_bindgen(catch, js_namespace = wasm_bindgen, js_name = token_dialog)]
    fn ondemand_token_dialog(
        token: &str,
        expiry: &str,
        save: &Closure<dyn Fn()>,
        closed: &Closure<dyn Fn()>,
    ) -> Result<(), JsValue>;
}

thread_local! {
    /// The load, started once: its script, then its WebAssembly.
    static LOADED: RefCell<Option<Promise>> = const { RefCell::new(None) };
    /// The callbacks of the key dialog now shown.
    #[allow(clippy::type_complexity)]
    static KEY_DIALOG_CALLBACKS: RefCell<Option<(Closure<dyn Fn(String)>, Closure<dyn Fn()>)>> =
        const { RefCell::new(None) };
    /// The callbacks of the token dialog now shown.
    #[allow(clippy::type_complexity)]
    static TOKEN_DIALOG_CALLBACKS: RefCell<Option<(Closure<dyn Fn()>, Closure<dyn Fn()>)>> =
        const { RefCell::new(None) };
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

/// Why the on-demand module cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// It did not load, or failed: why, in the browser's words (the next use tries again).
    Failed(String),
    /// It was built for another release of the page: only a reload helps.
    Outdated,
}

impl Unavailable {
    /// What happened, in a line (for an exchange's "No answer").
    pub fn message(&self) -> String {
        match self {
            Unavailable::Failed(reason) => reason.clone(),
            Unavailable::Outdated => {
                "the on-demand module on the server is from another release".to_owned()
            }
        }
    }
}

/// The contract this page was built for (`ondemand/contract.rs`).
const CONTRACT: &str = env!("ONDEMAND_CONTRACT");

async fn loaded() -> Result<(), Unavailable> {
    let promise = LOADED.with(|l| l.borrow_mut().get_or_insert_with(load).clone());
    if let Err(error) = JsFuture::from(promise).await {
        // Let the next opening try again.
        LOADED.with(|l| *l.borrow_mut() = None);
        return Err(failed(&error));
    }
    if ondemand_contract().ok().as_deref() != Some(CONTRACT) {
        return Err(Unavailable::Outdated);
    }
    Ok(())
}

/// Why the module failed, in words: an error's message, or that its file did not load (a
/// script's `error` event says no more).
fn failed(error: &JsValue) -> Unavailable {
    Unavailable::Failed(match error.dyn_ref::<js_sys::Error>() {
        Some(e) => String::from(e.message()),
        None => "ondemand.js did not load".to_owned(),
    })
}

/// The sandbox's answer to `request` at `now`, with tokens that last `token_lifetime`
/// seconds; or why the module cannot be used.
pub async fn sandbox(
    request: &HttpRequest,
    now: UnixMillis,
    token_lifetime: u64,
) -> Result<HttpResponse, Unavailable> {
    loaded().await?;
    let request = serde_json::to_string(request).expect("a request is plain data");
    let answer =
        ondemand_sandbox(&request, now.0 as f64, token_lifetime as f64).map_err(|e| failed(&e))?;
    serde_json::from_str(&answer).map_err(|e| Unavailable::Failed(e.to_string()))
}

/// Shows the "Save <KEY>" dialog for `offer`: `save` gets the chosen value, `closed` runs
/// once the dialog has closed.
pub async fn key_dialog(
    offer: &KeyOffer,
    save: impl Fn(String) + 'static,
    closed: impl Fn() + 'static,
) -> Result<(), Unavailable> {
    loaded().await?;
    let offer = serde_json::to_string(offer).expect("an offer is plain data");
    let save = Closure::<dyn Fn(String)>::new(save);
    let closed = Closure::<dyn Fn()>::new(closed);
    ondemand_key_dialog(&offer, &save, &closed).map_err(|e| failed(&e))?;
    // The dialog may call them until the next offer replaces it; the module has dropped the
    // previous offer's dialog by now, so its callbacks go.
    KEY_DIALOG_CALLBACKS.with(|kept| *kept.borrow_mut() = Some((save, closed)));
    Ok(())
}

/// Shows the "Save access token" dialog for `token`, with `expiry`: `save` runs if the
/// learner saves it, `closed` once the dialog has closed.
pub async fn token_dialog(
    token: &SavedToken,
    expiry: &str,
    save: impl Fn() + 'static,
    closed: impl Fn() + 'static,
) -> Result<(), Unavailable> {
    loaded().await?;
    let token = serde_json::to_string(token).expect("a token is plain data");
    let save = Closure::<dyn Fn()>::new(save);
    let closed = Closure::<dyn Fn()>::new(closed);
    ondemand_token_dialog(&token, expiry, &save, &closed).map_err(|e| failed(&e))?;
    TOKEN_DIALOG_CALLBACKS.with(|kept| *kept.borrow_mut() = Some((save, closed)));
    Ok(())
}

/// Appends the inspector of `exchange` to `details`, a request's disclosure; or says why the
/// module cannot be used.
pub async fn mount(details: HtmlElement, exchange: &Exchange) -> Result<(), Unavailable> {
    let exchange = serde_json::to_string(exchange).expect("an exchange is plain data");
    loaded().await?;
    ondemand_mount(&details, &exchange).map_err(|e| failed(&e))
}

/// Appends the Embed panel to `details`, the Embed disclosure, with `context`; or says why the
/// module cannot be used.
pub async fn embed_panel(details: HtmlElement, context: &PanelContext) -> Result<(), Unavailable> {
    let context = serde_json::to_string(context).expect("a panel context is plain data");
    loaded().await?;
    ondemand_embed_panel(&details, &context).map_err(|e| failed(&e))
}

/// Appends the relay settings form to `details`, the Settings disclosure, with `relay` (the
/// setting in use); `apply` receives each valid setting the learner applies, and lives as
/// long as the page. Or says why the module cannot be used.
pub async fn relay_settings(
    details: HtmlElement,
    relay: &str,
    apply: impl Fn(String) + 'static,
) -> Result<(), Unavailable> {
    loaded().await?;
    let apply = Closure::<dyn Fn(String)>::new(apply);
    ondemand_relay_settings(&details, relay, &apply).map_err(|e| failed(&e))?;
    // The form is never unmounted: its callback stays.
    apply.forget();
    Ok(())
}
