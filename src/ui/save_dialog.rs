//! The "Save access token" dialog that follows a successful token run.

use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

use super::Playground;
use crate::token::{long_duration, masked};
use crate::{clock, host, storage};

/// Modal dialog: the extracted token (masked, with a reveal toggle), its expiry, Save / Cancel.
#[component]
pub fn SaveDialog() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let revealed = RwSignal::new(false);
    let save_button = NodeRef::<html::Button>::new();
    // The first and last controls, to keep Tab inside the modal dialog.
    let reveal_button = NodeRef::<html::Button>::new();
    let cancel_button = NodeRef::<html::Button>::new();

    // Effect: moves keyboard focus into the dialog when it opens (DOM focus is outside state).
    Effect::new(move |_| {
        if let Some(button) = save_button.get() {
            let _ = button.focus();
        }
    });

    let close = move || {
        pg.pending.set(None);
        revealed.set(false);
        if let Some(run) = pg.token_run.get_untracked() {
            let _ = run.focus();
        }
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
            let (first, last) = (reveal_button.get(), cancel_button.get());
            let active = document().active_element();
            let (leaving, wrap_to) = if ev.shift_key() {
                (first.as_deref().map(|e| e.as_ref()), last)
            } else {
                (last.as_deref().map(|e| e.as_ref()), first)
            };
            if leaving.is_some() && leaving == active.as_ref() {
                ev.prevent_default();
                if let Some(target) = wrap_to {
                    let _ = target.focus();
                }
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
                                node_ref=reveal_button
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
                            <button type="button" class="primary" node_ref=save_button on:click=save>"Save"</button>
                            <button type="button" node_ref=cancel_button on:click=move |_| close()>"Cancel"</button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}
