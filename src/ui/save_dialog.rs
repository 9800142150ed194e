//! The "Save access token" dialog that follows a successful token run.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use playground_core::token::{long_duration, masked};

use super::focus;
use crate::state::Playground;
use crate::{clock, host, storage};

/// Ids of the dialog's buttons, for focus.
const REVEAL: &str = "dialog-reveal";
const SAVE: &str = "dialog-save";
const CANCEL: &str = "dialog-cancel";

/// Modal dialog: the extracted token (masked, with a reveal toggle), its expiry, Save / Cancel.
#[component]
pub fn SaveDialog() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let revealed = RwSignal::new(false);
    // Effect: moves keyboard focus into the dialog when it opens (DOM focus is outside state).
    // Effects run after the view has rendered the dialog.
    Effect::new(move |_| {
        if pg.pending.with(Option::is_some) {
            focus(SAVE, false);
        }
    });

    let close = move || {
        pg.pending.set(None);
        revealed.set(false);
        focus(&pg.token_run.get_value(), false);
    };
    let save = move |_| {
        if let Some(token) = pg.pending.get_untracked() {
            storage::save_token(&token);
            let link = pg.host.get_value();
            host::post(&link, &link.token_saved(&token));
            pg.saved.set(Some(token));
        }
        close();
    };
    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            close();
        }
        "Tab" => {
            // The first and last controls: Tab stays inside the modal dialog.
            let (leaving, wrap_to) = if ev.shift_key() {
                (REVEAL, CANCEL)
            } else {
                (CANCEL, REVEAL)
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

    move || {
        pg.pending.get().map(|token| {
            let expires_at = token.expires_at;
            let secret = token.access_token.clone();
            view! {
                <div class="backdrop">
                    <div
                        class="dialog"
                        role="dialog"
                        aria-modal="true"
                        aria-labelledby="save-title"
                        aria-describedby="save-description"
                        on:keydown=on_keydown
                    >
                        <h2 id="save-title">"Save access token"</h2>
                        <p id="save-description">
                            "Keep this token for the next steps. It is stored in this browser only."
                        </p>
                        <p class="token-line">
                            <span>"Access token: "</span>
                            <code id="dialog-token">
                                {move || if revealed.get() { secret.clone() } else { masked(&secret) }}
                            </code>
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
                        <p>
                            {move || format!(
                                "Expires at {} (in {}).",
                                clock::local_time(expires_at),
                                long_duration(expires_at.saturating_sub(pg.now.get())),
                            )}
                        </p>
                        <div class="dialog-actions">
                            <button type="button" class="primary" id=SAVE on:click=save>"Save"</button>
                            <button type="button" id=CANCEL on:click=move |_| close()>"Cancel"</button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}
