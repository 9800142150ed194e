//! The frame both Save dialogs share: a modal `role="dialog"` named by its heading, focus kept
//! inside (Tab wraps between the first and last controls), Escape to close, and the Save and
//! Cancel buttons. One frame for both keeps the bundle smaller than two.
//!
//! A dialog is always in the page and `hidden` while closed; only its text changes. It is a
//! plain function with typed content rather than a component with `Children`, whose boxed
//! views would bring the whole `AnyView` machinery into the bundle (docs/benchmarks.md).

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use super::focus;

/// What a dialog's frame needs.
pub struct Frame {
    /// The heading, which names the dialog.
    pub title: Signal<String>,
    /// The sentence under it, which describes the dialog.
    pub description: Signal<String>,
    /// Id of the first focusable control of the content, where Shift+Tab from Cancel lands.
    pub first: &'static str,
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

/// A modal dialog: `content`, then Save and Cancel.
pub fn modal(frame: Frame, content: impl IntoView + 'static) -> impl IntoView {
    let Frame {
        title,
        description,
        first,
        save_id,
        cancel_id,
        open,
        on_save,
        on_close,
    } = frame;
    let title_id = format!("{save_id}-title");
    let description_id = format!("{save_id}-description");
    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            on_close.run(());
        }
        "Tab" => {
            // The first and last controls: Tab stays inside the modal dialog.
            let (leaving, wrap_to) = if ev.shift_key() {
                (first, cancel_id)
            } else {
                (cancel_id, first)
            };
            if document()
                .active_element()
                .is_some_and(|e| e.id() == leaving)
            {
                ev.prevent_default();
                focus(wrap_to, false);
            }
        }
        _ => {}
    };
    view! {
        <div
            class="backdrop"
            role="dialog"
            aria-modal="true"
            aria-labelledby=title_id.clone()
            aria-describedby=description_id.clone()
            hidden=move || !open.get()
            on:keydown=on_keydown
        >
            <div class="dialog">
                <h2 id=title_id.clone()>{title}</h2>
                <p id=description_id.clone()>{description}</p>
                {content}
                <div class="dialog-actions">
                    <button
                        type="button"
                        class="primary"
                        id=save_id
                        on:click=move |_| {
                            on_save.run(());
                            on_close.run(());
                        }
                    >
                        "Save"
                    </button>
                    <button type="button" id=cancel_id on:click=move |_| on_close.run(())>"Cancel"</button>
                </div>
            </div>
        </div>
    }
}
