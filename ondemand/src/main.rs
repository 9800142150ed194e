//! The page's on-demand WebAssembly module, fetched only when first needed, so that the
//! first load of the page does not carry it:
//!
//! - [`sandbox`]: the in-page Spotify emulator (crate `sandbox`, with its catalog built in),
//!   loaded when the sandbox first answers a request;
//! - [`inspector::mount`]: the request inspector and code export, loaded when a request's
//!   disclosure first opens;
//! - [`embed_panel::embed_panel`]: the Embed panel, loaded when it first opens;
//! - [`settings::relay_settings`]: the relay settings, loaded when they first open;
//! - [`key_dialog::key_dialog`]: the "Save <KEY>" dialog, loaded when a run's answer first
//!   offers a key (the lessons that save an id for the next ones);
//! - [`token_dialog::token_dialog`]: the "Save access token" dialog, loaded when a run first
//!   gets a token (by then the sandbox has loaded this module, if it answered).
//!
//! The inspector, the Embed panel, the settings and the dialogs are Leptos views, mounted into elements of the page by this
//! module's own Leptos runtime: the two share the DOM, not a reactive graph.
//!
//! The page (`src/ondemand.rs`) loads this module's script, calls its init function, and
//! calls these exports, bound by name and type in `src/ondemand.rs`. Requests, responses,
//! exchanges and the panel's context cross as JSON text, written and read by their derived
//! serializers (crates `wire` and `playground-core`). This module does no HTTP and touches
//! no storage.

use sandbox::{Catalog, Sandbox};
use wasm_bindgen::prelude::*;
use wire::{HttpRequest, UnixMillis};

mod dialog;
mod embed_panel;
mod inspector;
mod key_dialog;
mod settings;
mod token_dialog;

pub use embed_panel::embed_panel;
pub use inspector::mount;
pub use key_dialog::key_dialog;
pub use settings::relay_settings;
pub use token_dialog::token_dialog;

fn main() {}

/// The digest of the contract this module was built for (`ondemand/contract.rs`). The page
/// compares it with its own before it uses anything else here.
#[wasm_bindgen]
pub fn contract() -> String {
    env!("ONDEMAND_CONTRACT").to_owned()
}

/// The sandbox's answer to `request_json` (an `HttpRequest`, JSON) at `now_ms` (Unix
/// milliseconds), with tokens that last `token_lifetime` seconds: an `HttpResponse`, JSON.
/// The page binds this signature in `src/ondemand.rs`.
#[wasm_bindgen]
pub fn sandbox(request_json: &str, now_ms: f64, token_lifetime: f64) -> Result<String, JsValue> {
    let request: HttpRequest =
        serde_json::from_str(request_json).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let sandbox =
        Sandbox::with_token_lifetime(token_lifetime as u64).with_catalog(Catalog::builtin());
    let response = sandbox.handle(&request, UnixMillis(now_ms as u64));
    serde_json::to_string(&response).map_err(|e| JsValue::from_str(&e.to_string()))
}
