//! The "Save <KEY>" dialog that follows a run whose answer can fill a key: the learner picks
//! one item of the answer's list (the first is preselected), and Save hands its value to the
//! page, which keeps it with the other keys. Only the lessons that save an id for the next
//! ones offer it, after a run, so it is not in the page's first load (docs/benchmarks.md).

use leptos::prelude::*;
use playground_core::lesson::KeyOffer;
use wasm_bindgen::prelude::*;

use crate::dialog::{modal, show, Frame};

/// Shows the dialog for `offer` (a `KeyOffer` as JSON). `save` is the page's function of one
/// string, called with the chosen value; `closed` is called once the dialog has closed (Save,
/// Cancel or Escape), so that the page can hand the focus back. The page binds this
/// signature in `src/ondemand.rs`.
#[wasm_bindgen]
pub fn key_dialog(
    offer: &str,
    save: js_sys::Function,
    closed: js_sys::Function,
) -> Result<(), JsValue> {
    let offer: KeyOffer =
        serde_json::from_str(offer).map_err(|e| JsValue::from_str(&e.to_string()))?;
    show(move || view! { <KeyDialog offer=offer save=save closed=closed /> })
}

#[component]
fn KeyDialog(offer: KeyOffer, save: js_sys::Function, closed: js_sys::Function) -> impl IntoView {
    let chosen = RwSignal::new(0usize);
    let save = StoredValue::new_local(save);
    let KeyOffer { key, choices } = offer;
    let values: Vec<String> = choices.iter().map(|c| c.value.clone()).collect();
    let values = StoredValue::new(values);
    let value = move || values.with_value(|v| v.get(chosen.get()).cloned().unwrap_or_default());
    let options = choices
        .into_iter()
        .enumerate()
        .map(|(i, c)| view! { <option value=i.to_string()>{c.name}</option> })
        .collect_view();
    let frame = Frame {
        save_id: "key-save",
        cancel_id: "key-cancel",
        title: format!("Save {key}"),
        description: format!(
            "Keep one of the answer's items as {key} for the next lessons. It is stored with your other keys."
        ),
        closed,
    };
    let content = view! {
        <label for="key-choice">"Item"</label>
        " "
        <select
            id="key-choice"
            on:change=move |ev| chosen.set(event_target_value(&ev).parse().unwrap_or(0))
        >
            {options}
        </select>
        <p>{format!("{key}: ")}<code id="key-value">{value}</code></p>
    };
    let on_save = move || {
        let chosen = value();
        save.with_value(|f| drop(f.call1(&JsValue::NULL, &JsValue::from_str(&chosen))));
    };
    modal(frame, content, on_save)
}
