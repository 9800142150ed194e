//! The "Save <KEY>" dialog that follows a run whose answer can fill a key: the learner picks
//! one item of the answer's list (the first is preselected), and Save hands its value to the
//! page, which keeps it with the other keys. A `<dialog>` opened with `showModal()`: the
//! browser makes the page behind it inert, focuses Save (`autofocus`) and closes it on
//! Escape. Only the lessons that save an id for the next ones offer it, after a run, so it
//! is not in the page's first load (docs/benchmarks.md).

use std::any::Any;
use std::cell::RefCell;

use leptos::prelude::*;
use playground_core::lesson::KeyOffer;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The last offer's dialog, mounted; the next offer replaces it.
    static SHOWN: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

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
    let body = document().body().ok_or("the page has no body")?;
    // The previous offer's dialog, closed by now, goes first.
    SHOWN.with(|shown| drop(shown.borrow_mut().take()));
    let handle = leptos::mount::mount_to(body, move || {
        view! { <KeyDialog offer=offer save=save closed=closed /> }
    });
    SHOWN.with(|shown| *shown.borrow_mut() = Some(Box::new(handle)));
    Ok(())
}

#[component]
fn KeyDialog(offer: KeyOffer, save: js_sys::Function, closed: js_sys::Function) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let chosen = RwSignal::new(0usize);
    let save = StoredValue::new_local(save);
    let closed = StoredValue::new_local(closed);
    // Closing happens once: the element first, so that the page behind is no longer inert
    // when the page hands the focus back.
    let done = StoredValue::new(false);
    let close = move || {
        if done.get_value() {
            return;
        }
        done.set_value(true);
        if let Some(d) = dialog.get_untracked().filter(|d| d.open()) {
            d.close();
        }
        closed.with_value(|f| drop(f.call0(&JsValue::NULL)));
    };
    // Shown as soon as it is in the page.
    Effect::new(move |_| {
        if let Some(d) = dialog.get().filter(|d| !d.open()) {
            let _ = d.show_modal();
        }
    });
    let KeyOffer { key, choices } = offer;
    let values: Vec<String> = choices.iter().map(|c| c.value.clone()).collect();
    let values = StoredValue::new(values);
    let value = move || values.with_value(|v| v.get(chosen.get()).cloned().unwrap_or_default());
    let options = choices
        .into_iter()
        .enumerate()
        .map(|(i, c)| view! { <option value=i.to_string()>{c.name}</option> })
        .collect_view();
    view! {
        <dialog
            node_ref=dialog
            id="key-save-dialog"
            aria-labelledby="key-save-title"
            aria-describedby="key-save-description"
            on:cancel=move |ev: web_sys::Event| {
                ev.prevent_default();
                close();
            }
            on:close=move |_| close()
        >
            <h2 id="key-save-title">{format!("Save {key}")}</h2>
            <p id="key-save-description">
                {format!("Keep one of the answer's items as {key} for the next lessons. It is stored with your other keys.")}
            </p>
            <label for="key-choice">"Item"</label>
            " "
            <select
                id="key-choice"
                on:change=move |ev| chosen.set(event_target_value(&ev).parse().unwrap_or(0))
            >
                {options}
            </select>
            <p>{format!("{key}: ")}<code id="key-value">{value}</code></p>
            <div class="dialog-actions">
                <button
                    type="button"
                    class="primary"
                    id="key-save"
                    autofocus
                    on:click=move |_| {
                        let chosen = value();
                        save.with_value(|f| drop(f.call1(&JsValue::NULL, &JsValue::from_str(&chosen))));
                        close();
                    }
                >
                    "Save"
                </button>
                <button type="button" id="key-cancel" on:click=move |_| close()>"Cancel"</button>
            </div>
        </dialog>
    }
}
