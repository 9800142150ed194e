//! The only module that starts Web Workers: one fresh worker per run of an editable cell.
//! The script comes from `runner::script` with [`RUNTIME`]; messages are read by
//! `runner::parse_event`.

use playground_core::runner::{self, Event};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The worker's globals: `fetch` through the page, `Buffer`, `printResponse`, `printError`,
/// `console`. The learner's code follows it (see `runner::script`).
pub const RUNTIME: &str = include_str!("runner.js");

/// A running worker. Dropping it (or [`Run::stop`]) terminates the worker at once, whatever
/// the code is doing: an endless loop included.
pub struct Run {
    worker: web_sys::Worker,
    url: String,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl Run {
    /// Starts `script` in a new worker; `on_event` hears every message, and uncaught errors
    /// (syntax errors included) as [`Event::Error`].
    pub fn start(script: &str, on_event: impl Fn(Event) + 'static) -> Result<Run, String> {
        let failed = |_| "This browser could not start a Web Worker to run the code.".to_owned();
        let parts = js_sys::Array::of1(&JsValue::from_str(script));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("text/javascript");
        let blob =
            web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(failed)?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(failed)?;
        let worker = web_sys::Worker::new(&url).map_err(failed)?;
        let on_event = std::rc::Rc::new(on_event);
        let to_page = on_event.clone();
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                if let Some(event) = e
                    .data()
                    .as_string()
                    .as_deref()
                    .and_then(runner::parse_event)
                {
                    to_page(event);
                }
            });
        let on_error =
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
                e.prevent_default();
                let known = |n: u32| (n > 0).then_some(n);
                on_event(Event::Error {
                    message: e.message().trim_start_matches("Uncaught ").to_owned(),
                    line: known(e.lineno()),
                    column: known(e.colno()),
                });
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Run {
            worker,
            url,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Answers the worker's `fetch` number `id`.
    pub fn reply(&self, id: u64, result: &Result<wire::HttpResponse, String>) {
        let _ = self
            .worker
            .post_message(&JsValue::from_str(&runner::reply(id, result)));
    }
}

impl Run {
    /// Terminates the worker now. Its callbacks stay alive until the `Run` is dropped, which
    /// must not happen inside one of them.
    pub fn stop(&self) {
        self.worker.terminate();
        let _ = web_sys::Url::revoke_object_url(&self.url);
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        self.stop();
    }
}
