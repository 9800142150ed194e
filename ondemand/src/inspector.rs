//! The request inspector, as Leptos views: where a request went, its headers and body with
//! every secret masked, the answer, and the export controls. What it shows comes from the
//! core (`Exchange::inspection`, `auth_display`, `Exchange::snippet`); this module renders
//! it and keeps the controls' state in signals.
//!
//! It runs in this module's own Leptos runtime, mounted into the page's disclosure: the page
//! and this module share the DOM, not their reactive graphs.

use std::cell::Cell;

use leptos::prelude::*;
use playground_core::exchange::{auth_display, Exchange, HeaderLine, HeaderValue, Outcome};
use playground_core::export::{Endpoint, Lang};
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

thread_local! {
    /// How many inspectors were built.
    static BUILT: Cell<usize> = const { Cell::new(0) };
}

/// Appends the inspector of the exchange (`exchange_json`, an `Exchange` as JSON) to
/// `details`, a request's disclosure in the page. The page binds this signature in
/// `src/ondemand.rs`.
#[wasm_bindgen]
pub fn mount(details: HtmlElement, exchange_json: &str) -> Result<(), JsValue> {
    let exchange: Exchange =
        serde_json::from_str(exchange_json).map_err(|e| JsValue::from_str(&e.to_string()))?;
    // A disclosure is filled once and lives as long as its run: the view is never unmounted.
    leptos::mount::mount_to(details, move || view! { <Inspector exchange=exchange /> }).forget();
    Ok(())
}

/// One request's inspector.
#[component]
fn Inspector(exchange: Exchange) -> impl IntoView {
    let seen = exchange.inspection();
    // Each inspector's export radio group gets its own name.
    let n = BUILT.with(|m| {
        m.set(m.get() + 1);
        m.get()
    });
    // The page's origin, for the sandbox export target.
    let origin = window().location().origin().unwrap_or_default();
    let reveal = RwSignal::new(false);
    let decode = RwSignal::new(false);
    let auth = (reveal, decode);
    let outcome = match seen.outcome {
        Outcome::Answered {
            relay_note,
            status_line,
            headers,
        } => view! {
            {relay_note.map(|note| view! { <p class="relay-error">{note}</p> })}
            <p>{status_line}</p>
            <HeaderTable caption="Response headers" headers=headers auth=auth />
        }
        .into_any(),
        Outcome::NoAnswer(message) => view! { <p class="relay-error">{message}</p> }.into_any(),
    };
    view! {
        <div class="inspect">
            <table class="facts">
                <caption>"Request"</caption>
                <tr><th scope="row">"Method"</th><td><code>{seen.method}</code></td></tr>
                <tr><th scope="row">"URL"</th><td><code>{seen.url}</code></td></tr>
                <tr><th scope="row">"Sent to"</th><td>{seen.sent_to}</td></tr>
                <tr><th scope="row">"Duration"</th><td>{seen.duration}</td></tr>
            </table>
            <HeaderTable caption="Request headers" headers=seen.request_headers auth=auth />
            <p>
                "Request body: "
                {match seen.body {
                    Some(body) => view! { <code>{body}</code> }.into_any(),
                    None => "(empty)".into_any(),
                }}
            </p>
            {outcome}
            <Export exchange=exchange origin=origin n=n />
        </div>
    }
}

/// A table of headers. The Authorization value is masked, with Reveal and, for Basic,
/// Decode; `auth` holds those two toggles, shared by both tables of an inspector.
#[component]
fn HeaderTable(
    caption: &'static str,
    headers: Vec<HeaderLine>,
    auth: (RwSignal<bool>, RwSignal<bool>),
) -> impl IntoView {
    let (reveal, decode) = auth;
    let empty = headers
        .is_empty()
        .then(|| view! { <tr><th scope="row">"(none)"</th><td></td></tr> });
    let rows = headers
        .into_iter()
        .map(|HeaderLine { name, value }| {
            let cell = match value {
                HeaderValue::Text(text) => view! { <code>{text}</code> }.into_any(),
                HeaderValue::Authorization { value, basic } => view! {
                    <code class="auth">{move || auth_display(&value, reveal.get(), decode.get())}</code>
                    " "
                    <Toggle label="Reveal" pressed=reveal />
                    {basic.then(|| view! { " " <Toggle label="Decode" pressed=decode /> })}
                }
                .into_any(),
            };
            view! { <tr><th scope="row">{name}</th><td>{cell}</td></tr> }
        })
        .collect_view();
    view! {
        <table class="headers">
            <caption>{caption}</caption>
            {empty}
            {rows}
        </table>
    }
}

/// A button that toggles `pressed` and says so with `aria-pressed`.
#[component]
fn Toggle(label: &'static str, pressed: RwSignal<bool>) -> impl IntoView {
    view! {
        <button
            type="button"
            aria-pressed=move || pressed.get().to_string()
            on:click=move |_| pressed.update(|p| *p = !*p)
        >
            {label}
        </button>
    }
}

/// The export controls: the target (Spotify or this server's sandbox), "Include my values",
/// and one "Copy as" button per language. A refused clipboard shows the snippet selected in
/// a text area, for copying by hand.
#[component]
fn Export(exchange: Exchange, origin: String, n: usize) -> impl IntoView {
    let to_sandbox = RwSignal::new(false);
    let include = RwSignal::new(false);
    let status = RwSignal::new(String::new());
    // The snippet to copy by hand, once the clipboard has refused one.
    let manual = RwSignal::new(None::<String>);
    let manual_area = NodeRef::<leptos::html::Textarea>::new();
    let exchange = StoredValue::new(exchange);
    let origin = StoredValue::new(origin);
    let group = format!("export-{n}");
    let copy = move |lang: Lang| {
        status.set(String::new());
        let snippet = origin.with_value(|origin| {
            let endpoint = if to_sandbox.get_untracked() {
                Endpoint::Sandbox(origin)
            } else {
                Endpoint::Spotify
            };
            exchange.with_value(|e| e.snippet(lang, endpoint, include.get_untracked()))
        });
        let text = match snippet {
            Ok(text) => text,
            Err(message) => return status.set(message),
        };
        leptos::task::spawn_local(async move {
            if write_clipboard(&text).await {
                manual.set(None);
                status.set(format!("Copied the {} snippet.", lang.label()));
                return;
            }
            manual.set(Some(text));
            // The text area is shown and filled by the next tick; then it can take focus.
            leptos::task::tick().await;
            if let Some(area) = manual_area.get_untracked() {
                area.focus().ok();
                area.select();
            }
            status.set(format!(
                "The clipboard was refused: the {} snippet is selected below, copy it by hand.",
                lang.label()
            ));
        });
    };
    view! {
        <fieldset class="export" role="radiogroup">
            <legend>"Export target"</legend>
            <label>
                <input type="radio" name=group.clone() value="spotify" checked on:change=move |_| to_sandbox.set(false) />
                " Spotify"
            </label>
            " "
            <label>
                <input type="radio" name=group value="sandbox" on:change=move |_| to_sandbox.set(true) />
                " This server's sandbox"
            </label>
        </fieldset>
        <p>
            <label>
                <input type="checkbox" on:change=move |ev| include.set(event_target_checked(&ev)) />
                " Include my values"
            </label>
        </p>
        <p class="warn" hidden=move || !include.get()>
            "Snippets now hold your credentials and token. Do not share them or commit them."
        </p>
        <p class="export-buttons">
            {Lang::ALL
                .into_iter()
                .map(|lang| view! {
                    <button type="button" on:click=move |_| copy(lang)>"Copy as " {lang.label()}</button>
                    " "
                })
                .collect_view()}
        </p>
        <p class="copied" role="status">{move || status.get()}</p>
        <div class="manual" hidden=move || manual.with(Option::is_none)>
            <p>"The browser refused the clipboard. The snippet is selected below: copy it with Ctrl+C (Cmd+C on a Mac)."</p>
            <textarea
                readonly
                rows="12"
                aria-label="Snippet"
                node_ref=manual_area
                prop:value=move || manual.get().unwrap_or_default()
            ></textarea>
        </div>
    }
}

/// Writes to the clipboard; false if there is none (an insecure page) or it was refused.
async fn write_clipboard(text: &str) -> bool {
    let navigator = window().navigator();
    let present = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .is_ok_and(|c| !c.is_undefined() && !c.is_null());
    if !present {
        return false;
    }
    let promise = navigator.clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}
