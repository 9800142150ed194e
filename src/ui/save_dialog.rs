//! The "Save access token" dialog that follows a successful token run.

use leptos::prelude::*;

use playground_core::token::{long_duration, masked};

use super::focus;
use super::modal::{modal, Frame};
use crate::clock;
use crate::state::Playground;

/// Ids of the dialog's first control and its Save button.
const REVEAL: &str = "dialog-reveal";
const SAVE: &str = "dialog-save";

/// Modal dialog: the extracted token (masked, with a reveal toggle), its expiry, Save / Cancel.
#[component]
pub fn SaveDialog() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let revealed = RwSignal::new(false);
    let open = Signal::derive(move || pg.pending.with(Option::is_some));
    let close = Callback::new(move |_| {
        pg.pending.set(None);
        revealed.set(false);
        if let Some(run) = pg.token_run.get_value() {
            focus(&run, false);
        }
    });
    let save = Callback::new(move |_| {
        if let Some(token) = pg.pending.get_untracked() {
            pg.keep_token(&token);
        }
    });
    // The token in the dialog: masked unless the learner asks to see it.
    let shown = move || {
        pg.pending.with(|p| {
            p.as_ref().map_or(String::new(), |t| {
                if revealed.get() {
                    t.access_token.clone()
                } else {
                    masked(&t.access_token)
                }
            })
        })
    };
    let expiry = move || {
        pg.pending.with(|p| {
            p.as_ref().map_or(String::new(), |t| {
                format!(
                    "Expires at {} (in {}).",
                    clock::local_time(t.expires_at),
                    long_duration(t.expires_at.saturating_sub(pg.now.get())),
                )
            })
        })
    };
    modal(
        Frame {
            title: Signal::stored("Save access token".to_owned()),
            description: Signal::stored(
                "Keep this token for the next steps. It is stored in this browser only.".to_owned(),
            ),
            save_id: SAVE,
            cancel_id: "dialog-cancel",
            open,
            on_save: save,
            on_close: close,
        },
        view! {
            <p class="token-line">
                <span>"Access token: "</span>
                <code id="dialog-token">{shown}</code>
                <button
                    type="button"
                    aria-controls="dialog-token"
                    id=REVEAL
                    aria-pressed=move || revealed.get().to_string()
                    on:click=move |_| revealed.update(|r| *r = !*r)
                >
                    {move || if revealed.get() { "Hide token" } else { "Reveal token" }}
                </button>
            </p>
            <p>{expiry}</p>
        },
    )
}
