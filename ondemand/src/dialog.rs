//! What the module's dialogs share: a `<dialog>` named by its heading and described by the
//! sentence under it, opened with `showModal()` as soon as it is in the page (the browser
//! makes the page behind it inert, focuses Save (`autofocus`) and closes it on Escape), then
//! Save and Cancel. One dialog shows at a time, mounted at the end of the body by this
//! module's Leptos runtime; the next one replaces it.

use std::any::Any;
use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The last dialog, mounted; the next one replaces it.
    static SHOWN: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

/// Mounts `dialog` at the end of the body, in place of the previous one (closed by now).
pub fn show<V: IntoView + 'static>(dialog: impl FnOnce() -> V + 'static) -> Result<(), JsValue> {
    let body = document().body().ok_or("the page has no body")?;
    SHOWN.with(|shown| drop(shown.borrow_mut().take()));
    let handle = leptos::mount::mount_to(body, dialog);
    SHOWN.with(|shown| *shown.borrow_mut() = Some(Box::new(handle)));
    Ok(())
}

/// A dialog's frame.
pub struct Frame {
    /// Id of the Save button; `<id>-dialog`, `<id>-title` and `<id>-description` name the
    /// rest.
    pub save_id: &'static str,
    /// Id of the Cancel button, the last control.
    pub cancel_id: &'static str,
    pub title: String,
    pub description: String,
    /// The page's function called once the dialog has closed (Save, Cancel or Escape), so
    /// that it can hand the focus back.
    pub closed: js_sys::Function,
}

/// The dialog: `content`, then Save (which runs `on_save`, then closes) and Cancel.
pub fn modal(
    frame: Frame,
    content: impl IntoView + 'static,
    on_save: impl Fn() + 'static,
) -> impl IntoView {
    let Frame {
        save_id,
        cancel_id,
        title,
        description,
        closed,
    } = frame;
    let dialog = NodeRef::<leptos::html::Dialog>::new();
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
    let title_id = format!("{save_id}-title");
    let description_id = format!("{save_id}-description");
    view! {
        <dialog
            node_ref=dialog
            id=format!("{save_id}-dialog")
            aria-labelledby=title_id.clone()
            aria-describedby=description_id.clone()
            on:cancel=move |ev: web_sys::Event| {
                ev.prevent_default();
                close();
            }
            on:close=move |_| close()
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
                        on_save();
                        close();
                    }
                >
                    "Save"
                </button>
                <button type="button" id=cancel_id on:click=move |_| close()>"Cancel"</button>
            </div>
        </dialog>
    }
}
