//! The Embed button and its panel: the iframe snippet for the current settings.

use leptos::prelude::*;

use super::Playground;
use crate::embed::{self, SnippetSettings, Theme};
use crate::location;

/// Embed button; its panel picks a cell (or the whole lesson) and a theme and shows the snippet with a Copy button.
#[component]
pub fn EmbedPanel(
    /// The lesson's cells as (id, title).
    cells: Vec<(String, String)>,
    /// The lesson's title, for the iframe's accessible name.
    title: String,
) -> impl IntoView {
    let pg = expect_context::<Playground>();
    let open = RwSignal::new(false);
    // A cell id, or empty for the whole lesson.
    let chosen = RwSignal::new(String::new());
    let theme = RwSignal::new(Theme::Auto);
    let copied = RwSignal::new(None::<&'static str>);
    let title = StoredValue::new(format!("Spotify Web API playground: {title}"));
    let snippet = move || {
        let cell = chosen.get();
        embed::snippet(&SnippetSettings {
            page_origin: location::origin(),
            title: title.get_value(),
            target: pg.target.get().as_param(),
            cells: if cell.is_empty() {
                Vec::new()
            } else {
                vec![cell]
            },
            theme: theme.get(),
        })
    };
    let copy = move |_| {
        let text = snippet();
        let clipboard = window().navigator().clipboard();
        leptos::task::spawn_local(async move {
            let done = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await;
            copied.set(Some(match done {
                Ok(_) => "Copied.",
                Err(_) => "The browser refused the clipboard: select the code and copy it.",
            }));
        });
    };
    let options = cells
        .into_iter()
        .map(|(id, cell_title)| view! { <option value=id>{cell_title}" (this cell only)"</option> })
        .collect_view();
    view! {
        <button
            type="button"
            class="embed-toggle"
            aria-expanded=move || open.get().to_string()
            aria-controls="embed-panel"
            on:click=move |_| open.update(|o| *o = !*o)
        >
            "Embed"
        </button>
        <section id="embed-panel" class="embed-panel" aria-labelledby="embed-heading" hidden=move || !open.get()>
            <h2 id="embed-heading">"Embed this lesson in a course page"</h2>
            <label for="embed-cells">"Show"</label>
            <select id="embed-cells" on:change=move |ev| {
                copied.set(None);
                chosen.set(event_target_value(&ev));
            }>
                <option value="">"The whole lesson"</option>
                {options}
            </select>
            <label for="embed-theme">"Theme"</label>
            <select id="embed-theme" on:change=move |ev| {
                theme.set(Theme::from_param(&event_target_value(&ev)).unwrap_or_default());
            }>
                <option value="auto">"Follow the reader's system"</option>
                <option value="light">"Light"</option>
                <option value="dark">"Dark"</option>
            </select>
            <p class="help" id="embed-help">
                "The target is the one chosen above. The server must allow your course page's origin (--frame-ancestors); see docs/embedding.md."
            </p>
            <label for="embed-code">"Embed code"</label>
            <textarea id="embed-code" readonly rows="9" spellcheck="false" aria-describedby="embed-help" prop:value=snippet></textarea>
            <button type="button" on:click=copy>"Copy"</button>
            <span role="status">{move || copied.get()}</span>
        </section>
    }
}
