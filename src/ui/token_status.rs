//! The saved token's status with a live countdown.

use leptos::prelude::*;

use super::Playground;
use crate::token::{masked, mm_ss, TokenState};

/// `role="status"`: the saved token, masked, and how long it lasts. The per-second digits are
/// hidden from screen readers, which get a per-minute figure instead, so the live region
/// speaks when something changes, not every second.
#[component]
pub fn TokenStatus() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let state = move || {
        pg.saved.get().map(|t| {
            (
                masked(&t.access_token),
                t.target.clone(),
                t.state(pg.now.get()),
            )
        })
    };
    let get_new = move |_| {
        if let Some(button) = pg.token_run.get() {
            button.scroll_into_view();
            let _ = button.focus();
        }
    };
    view! {
        <section class="token-panel" aria-label="Saved access token">
            <p role="status" id="token-status" class="token-status">
                {move || match state() {
                    None => view! { "No access token saved yet." }.into_any(),
                    Some((token, target, TokenState::Valid { seconds_left })) => view! {
                        "Saved " {target} " token " <code>{token}</code> ". Valid, expires in "
                        <span class="countdown" aria-hidden="true">{mm_ss(seconds_left)}</span>
                        <span class="sr-only">{format!("about {} minutes", seconds_left.div_ceil(60))}</span> "."
                    }.into_any(),
                    Some((token, target, TokenState::ExpiresSoon { seconds_left })) => view! {
                        "Saved " {target} " token " <code>{token}</code> ". Expires soon, in "
                        <span class="countdown" aria-hidden="true">{mm_ss(seconds_left)}</span>
                        <span class="sr-only">"less than a minute"</span> ". Get a new one before it runs out."
                    }.into_any(),
                    Some((token, target, TokenState::Expired)) => view! {
                        "Saved " {target} " token " <code>{token}</code> " has expired. Get a new one: run the first cell again and save."
                    }.into_any(),
                }}
            </p>
            <Show when=move || matches!(state(), Some((_, _, TokenState::Expired | TokenState::ExpiresSoon { .. })))>
                <button type="button" on:click=get_new>"Get a new token"</button>
            </Show>
        </section>
    }
}
