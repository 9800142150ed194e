//! The relay settings, as Leptos views: the prefix that requests to Spotify go through.
//! The form checks what the learner typed (`Relay::parse`, in the core) and says what is
//! wrong, keeping the text; a valid setting goes back to the page, which stores it and uses
//! it. A setting most learners never change, so it lives here rather than in the page.

use leptos::prelude::*;
use playground_core::routing::Relay;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

/// Appends the form to `details`, the page's Settings disclosure. `relay` is the setting in
/// use; `apply` is the page's function of one string, called with each valid setting. The
/// page binds this signature in `src/ondemand.rs`.
#[wasm_bindgen]
pub fn relay_settings(
    details: HtmlElement,
    relay: String,
    apply: js_sys::Function,
) -> Result<(), JsValue> {
    // The form lives as long as the page: it is mounted once and never unmounted.
    leptos::mount::mount_to(details, move || view! { <Form relay=relay apply=apply /> }).forget();
    Ok(())
}

#[component]
fn Form(relay: String, apply: js_sys::Function) -> impl IntoView {
    let text = RwSignal::new(relay);
    // What the last Apply said, and whether it was refused.
    let message = RwSignal::new(None::<(bool, String)>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match Relay::parse(&text.get_untracked()) {
            Ok(relay) => {
                let setting = relay.as_setting();
                let _ = apply.call1(&JsValue::NULL, &JsValue::from_str(setting));
                message.set(Some((
                    false,
                    format!("Requests to Spotify now go through {setting}."),
                )));
            }
            // The typed text stays in the field, so nothing is lost.
            Err(refused) => message.set(Some((true, refused))),
        }
    };
    view! {
        <form on:submit=submit>
            <label for="relay">"Relay prefix"</label>
            <input
                id="relay"
                type="text"
                spellcheck="false"
                autocomplete="off"
                aria-describedby="relay-help relay-message"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            />
            <button type="submit">"Apply"</button>
            <p id="relay-help" class="help">
                "Used with the Spotify target: the page requests PREFIX + the Spotify URL. \"/relay/\" is this server's relay; \"direct\" skips the relay."
            </p>
            <p id="relay-message" role="status" class:error=move || message.with(|m| m.as_ref().is_some_and(|(refused, _)| *refused))>
                {move || message.get().map(|(_, m)| m)}
            </p>
        </form>
    }
}
