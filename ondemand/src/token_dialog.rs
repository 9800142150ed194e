//! The "Save access token" dialog that follows a run that got a token: the token, masked
//! unless the learner asks to see it, when it expires, and Save, which hands it back to the
//! page to keep. It follows the first run's answer, so it is not in the page's first load;
//! in the sandbox, this module is loaded by then (docs/benchmarks.md).

use leptos::prelude::*;
use playground_core::token::{masked, SavedToken};
use wasm_bindgen::prelude::*;

use crate::dialog::{modal, show, Frame};

/// Shows the dialog for `token` (a `SavedToken` as JSON), with `expiry`, the sentence that
/// says when it expires (the page reads the clock). `save` is called when the learner saves
/// it; `closed` once the dialog has closed (Save, Cancel or Escape). The page binds this
/// signature in `src/ondemand.rs`.
#[wasm_bindgen]
pub fn token_dialog(
    token: &str,
    expiry: String,
    save: js_sys::Function,
    closed: js_sys::Function,
) -> Result<(), JsValue> {
    let token: SavedToken =
        serde_json::from_str(token).map_err(|e| JsValue::from_str(&e.to_string()))?;
    show(
        move || view! { <TokenDialog token=token.access_token expiry=expiry save=save closed=closed /> },
    )
}

#[component]
fn TokenDialog(
    token: String,
    expiry: String,
    save: js_sys::Function,
    closed: js_sys::Function,
) -> impl IntoView {
    let revealed = RwSignal::new(false);
    let hidden = masked(&token);
    let shown = move || {
        if revealed.get() {
            token.clone()
        } else {
            hidden.clone()
        }
    };
    let frame = Frame {
        // The element is `dialog-save-dialog`: the page closes it by that id on a reset.
        save_id: "dialog-save",
        cancel_id: "dialog-cancel",
        title: "Save access token".to_owned(),
        description: "Keep this token for the next steps. It is stored in this browser only."
            .to_owned(),
        closed,
    };
    let content = view! {
        <p class="token-line">
            <span>"Access token: "</span>
            <code id="dialog-token">{shown}</code>
            <button
                type="button"
                aria-controls="dialog-token"
                id="dialog-reveal"
                aria-pressed=move || revealed.get().to_string()
                on:click=move |_| revealed.update(|r| *r = !*r)
            >
                {move || if revealed.get() { "Hide token" } else { "Reveal token" }}
            </button>
        </p>
        <p>{expiry}</p>
    };
    modal(frame, content, move || drop(save.call0(&JsValue::NULL)))
}
