//! The page's on-demand WebAssembly module, fetched only when first needed, so that the
//! first load of the page does not carry it:
//!
//! - [`sandbox`]: the in-page Spotify emulator (crate `sandbox`, with its catalog built in),
//!   loaded when the sandbox first answers a request;
//! - [`inspector::mount`]: the request inspector and code export, loaded when a request's
//!   disclosure first opens.
//!
//! The page (`src/ondemand.rs`) loads this module's script, calls its init function, and
//! calls these exports. Requests and responses cross as JSON text. This module does no HTTP
//! and touches no storage.

use sandbox::{Catalog, Sandbox};
use wasm_bindgen::prelude::*;
use wire::json::Value;
use wire::{HttpRequest, UnixMillis};

mod inspector;

pub use inspector::mount;

fn main() {}

/// The sandbox's answer to `request_json` (`HttpRequest::to_json`) at `now_ms` (Unix
/// milliseconds), with tokens that last `token_lifetime` seconds; `HttpResponse::to_json`.
#[wasm_bindgen]
pub fn sandbox(request_json: &str, now_ms: f64, token_lifetime: u32) -> Result<String, JsValue> {
    let value = Value::parse(request_json).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let request = HttpRequest::from_json(&value).map_err(|e| JsValue::from_str(&e))?;
    let sandbox =
        Sandbox::with_token_lifetime(u64::from(token_lifetime)).with_catalog(Catalog::builtin());
    Ok(sandbox
        .handle(&request, UnixMillis(now_ms as u64))
        .to_json())
}
