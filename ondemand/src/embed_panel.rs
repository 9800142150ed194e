//! The Embed panel, as Leptos views: the author picks a cell (or the whole lesson) and a
//! theme, and copies the iframe snippet (`PanelContext::snippet`, in the core). An author's
//! tool that the first interaction does not need, so it lives here rather than in the page.

use leptos::prelude::*;
use playground_core::embed::{PanelContext, Theme};
use playground_core::routing::Target;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

/// Appends the panel to `details`, the page's Embed disclosure, with `context_json` (a
/// `PanelContext` as JSON). The page binds this signature in `src/ondemand.rs`.
#[wasm_bindgen]
pub fn embed_panel(details: HtmlElement, context_json: &str) -> Result<(), JsValue> {
    let context: PanelContext =
        serde_json::from_str(context_json).map_err(|e| JsValue::from_str(&e.to_string()))?;
    // The panel lives as long as the page: it is mounted once and never unmounted.
    leptos::mount::mount_to(details, move || view! { <Panel context=context /> }).forget();
    Ok(())
}

#[component]
fn Panel(context: PanelContext) -> impl IntoView {
    // The page's target when the panel opened; the author may pick the other.
    let target = RwSignal::new(context.target);
    let spotify_first = context.target == Target::Spotify;
    // The chosen cell's id; empty for the whole lesson.
    let cell = RwSignal::new(String::new());
    let theme = RwSignal::new(Theme::Auto);
    let status = RwSignal::new("");
    let code = NodeRef::<leptos::html::Textarea>::new();
    let cells = context.cells.clone();
    let context = StoredValue::new(context);
    let snippet = move || {
        let target = target.get();
        let theme = theme.get();
        cell.with(|c| {
            context.with_value(|context| {
                PanelContext {
                    target,
                    ..context.clone()
                }
                .snippet((!c.is_empty()).then_some(c.as_str()), theme)
            })
        })
    };
    let copy = move |_| {
        let copied = window()
            .navigator()
            .clipboard()
            .write_text(&untrack(snippet));
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(copied).await {
                Ok(_) => status.set("Copied."),
                Err(_) => {
                    // The code is shown selected, ready for the author's own copy.
                    if let Some(area) = code.get_untracked() {
                        area.select();
                        area.focus().ok();
                    }
                    status.set("The browser refused the clipboard: the code is selected, copy it with Ctrl+C (⌘C on a Mac).");
                }
            }
        });
    };
    view! {
        <section class="embed-panel" aria-labelledby="embed-heading">
            <h2 id="embed-heading">"Embed this lesson in a course page"</h2>
            <Choice id="embed-cells" label="Show" pick=Callback::new(move |id| cell.set(id)) status=status>
                <option value="">"The whole lesson"</option>
                {cells
                    .into_iter()
                    .map(|(id, title)| view! { <option value=id>{title}" (this cell only)"</option> })
                    .collect_view()}
            </Choice>
            <Choice
                id="embed-target"
                label="Target"
                pick=Callback::new(move |value: String| target.set(Target::from_param(&value).unwrap_or_default()))
                status=status
            >
                <option value="sandbox">"Sandbox (works without Spotify credentials)"</option>
                <option value="spotify" selected=spotify_first>"Spotify (real, through the relay)"</option>
            </Choice>
            <Choice
                id="embed-theme"
                label="Theme"
                pick=Callback::new(move |value: String| theme.set(Theme::from_param(&value).unwrap_or_default()))
                status=status
            >
                <option value="auto">"Follow the reader's system"</option>
                <option value="light">"Light"</option>
                <option value="dark">"Dark"</option>
            </Choice>
            <p class="help" id="embed-help">
                "The server must allow your course page's origin (--frame-ancestors); see docs/embedding.md."
            </p>
            <label for="embed-code">"Embed code"</label>
            <textarea
                id="embed-code"
                readonly
                rows="9"
                spellcheck="false"
                aria-describedby="embed-help"
                node_ref=code
                prop:value=snippet
            ></textarea>
            <button type="button" on:click=copy>"Copy"</button>
            " "
            <span role="status" id="embed-status">{move || status.get()}</span>
        </section>
    }
}

/// A labelled list of choices (`children`, its options): `pick` gets the value chosen, and
/// the copy status is cleared, since the snippet changed.
#[component]
fn Choice(
    id: &'static str,
    label: &'static str,
    pick: Callback<String>,
    status: RwSignal<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <p>
            <label for=id>{label}</label>
            " "
            <select
                id=id
                on:change=move |ev| {
                    pick.run(event_target_value(&ev));
                    status.set("");
                }
            >
                {children()}
            </select>
        </p>
    }
}
