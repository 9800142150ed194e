//! The token's Save dialog frame: a `<dialog>` named by its heading, opened with
//! `showModal()`, and the Save and Cancel buttons. (The "Save <KEY>" dialog, which only
//! some lessons offer, is in the on-demand module.)
//!
//! The dialog is always in the page, closed until needed; only its text changes. It is a
//! plain function with typed content rather than a component with `Children`, whose boxed
//! views would bring the whole `AnyView` machinery into the bundle (docs/benchmarks.md).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlDialogElement;

/// What a dialog's frame needs.
pub struct Frame {
    /// The heading, which names the dialog.
    pub title: Signal<String>,
    /// The sentence under it, which describes the dialog.
    pub description: Signal<String>,
    /// Id of the Save button, focused when the dialog opens; it also prefixes the ids of the
    /// heading and the description.
    pub save_id: &'static str,
    /// Id of the Cancel button, the last control.
    pub cancel_id: &'static str,
    /// Whether the dialog shows.
    pub open: Signal<bool>,
    /// What Save does (before closing).
    pub on_save: Callback<()>,
    /// Closes the dialog (Cancel, Escape, after Save).
    pub on_close: Callback<()>,
}

/// A modal dialog: `content`, then Save and Cancel. The browser opens it with
/// `showModal()`, which makes the page behind it inert (no focus, no clicks, hidden from
/// assistive technology), focuses the Save button (`autofocus`) and closes it on Escape.
pub fn modal(frame: Frame, content: impl IntoView + 'static) -> impl IntoView {
    let Frame {
        title,
        description,
        save_id,
        cancel_id,
        open,
        on_save,
        on_close,
    } = frame;
    let dialog_id = format!("{save_id}-dialog");
    let title_id = format!("{save_id}-title");
    let description_id = format!("{save_id}-description");
    let id = StoredValue::new(dialog_id.clone());
    let element = move || {
        id.with_value(|id| document().get_element_by_id(id))
            .and_then(|e| e.dyn_into::<HtmlDialogElement>().ok())
    };
    // Effect: the dialog element follows `open` (showModal and close are DOM calls).
    Effect::new(move |_| {
        let show = open.get();
        match element() {
            Some(d) if show && !d.open() => {
                let _ = d.show_modal();
            }
            Some(d) if !show && d.open() => d.close(),
            _ => {}
        }
    });
    // Save, Cancel and Escape close the element first, so that the page behind is no longer
    // inert when `on_close` hands the focus back; then the state follows.
    let close = Callback::new(move |_| {
        if let Some(d) = element().filter(HtmlDialogElement::open) {
            d.close();
        }
        if open.get_untracked() {
            on_close.run(());
        }
    });
    view! {
        <dialog
            id=dialog_id
            aria-labelledby=title_id.clone()
            aria-describedby=description_id.clone()
            on:cancel=move |ev: web_sys::Event| {
                ev.prevent_default();
                close.run(());
            }
            on:close=move |_| close.run(())
        >
            <h2 id=title_id.clone()>{title}</h2>
            <p id=description_id.clone()>{description}</p>
            {content}
            <div class="dialog-actions">
                <button
                    type="button"
                    class="primary"
                    id=save_id
                    autofocus
                    on:click=move |_| {
                        on_save.run(());
                        close.run(());
                    }
                >
                    "Save"
                </button>
                <button type="button" id=cancel_id on:click=move |_| close.run(())>"Cancel"</button>
            </div>
        </dialog>
    }
}
