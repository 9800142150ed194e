//! The Embed button and its panel: the iframe snippet for the current settings.
//!
//! The panel's markup is static HTML from `embed::panel_html`, with its events delegated to
//! the panel: built as Leptos views, its dozen form elements cost the bundle about 5 KB gzip
//! (docs/benchmarks.md).

use leptos::ev::{Event, MouseEvent};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::Playground;
use crate::embed::{self, SnippetSettings, Theme};
use crate::location;

/// Embed button; its panel picks a cell (or the whole lesson) and a theme, and shows the
/// snippet with a Copy button.
#[component]
pub fn EmbedPanel(
    /// The lesson's cells as (id, title).
    cells: Vec<(String, String)>,
    /// The lesson's title, for the iframe's accessible name.
    title: String,
) -> impl IntoView {
    let pg = expect_context::<Playground>();
    let open = RwSignal::new(false);
    let title = StoredValue::new(format!("Spotify Web API playground: {title}"));
    let markup = embed::panel_html(&cells);

    let find = |id: &str| document().get_element_by_id(id);
    let value = move |id: &str| {
        find(id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
            .map(|s| s.value())
            .unwrap_or_default()
    };
    let say = move |text: &str| {
        if let Some(status) = find("embed-status") {
            status.set_text_content(Some(text));
        }
    };
    let snippet = move || {
        let cell = value("embed-cells");
        embed::snippet(&SnippetSettings {
            page_origin: location::origin(),
            title: title.get_value(),
            target: pg.target.get_untracked().as_param(),
            cells: if cell.is_empty() {
                Vec::new()
            } else {
                vec![cell]
            },
            theme: Theme::from_param(&value("embed-theme")).unwrap_or_default(),
        })
    };
    let refresh = move || {
        let code =
            find("embed-code").and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok());
        if let Some(code) = code {
            code.set_value(&snippet());
        }
        say("");
    };
    // Effect: the snippet lives in DOM outside the view tree; it follows the page's target.
    Effect::new(move |_| {
        pg.target.track();
        refresh();
    });
    let on_click = move |ev: MouseEvent| {
        let is_copy = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|e| e.id() == "embed-copy");
        if !is_copy {
            return;
        }
        let copied = window().navigator().clipboard().write_text(&snippet());
        leptos::task::spawn_local(async move {
            let done = wasm_bindgen_futures::JsFuture::from(copied).await;
            say(match done {
                Ok(_) => "Copied.",
                Err(_) => "The browser refused the clipboard: select the code and copy it.",
            });
        });
    };
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
        <section
            id="embed-panel"
            class="embed-panel"
            aria-labelledby="embed-heading"
            hidden=move || !open.get()
            inner_html=markup
            on:change=move |_: Event| refresh()
            on:click=on_click
        ></section>
    }
}
