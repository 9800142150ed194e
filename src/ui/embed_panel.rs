//! The Embed button and its panel: the iframe snippet for the current settings.

use leptos::prelude::*;
use playground_core::embed::{self, SnippetSettings, Theme};

use crate::focus::select_text;
use crate::location;
use crate::state::Playground;

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
    let (open, set_open) = signal(false);
    // The chosen cell's id; empty for the whole lesson.
    let (cell, set_cell) = signal(String::new());
    let (theme, set_theme) = signal(Theme::Auto);
    let (status, set_status) = signal("");
    let title = format!("Spotify Web API playground: {title}");
    // The first lesson is the default, so its links need no `lesson=`.
    let lesson = pg
        .course
        .with_value(|c| (c.current > 0).then(|| c.lesson_id().to_owned()));
    // Derived, not memoized: the snippet is cheap to write, and read only when shown or copied.
    let snippet = move || {
        embed::snippet(&SnippetSettings {
            page_origin: location::origin(),
            title: title.clone(),
            target: pg.target.get(),
            lesson: lesson.clone(),
            cells: cell.with(|c| {
                if c.is_empty() {
                    vec![]
                } else {
                    vec![c.clone()]
                }
            }),
            theme: theme.get(),
        })
    };
    let to_copy = snippet.clone();
    let copy = move |_| {
        let copied = window()
            .navigator()
            .clipboard()
            .write_text(&untrack(&to_copy));
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(copied).await {
                Ok(_) => set_status.set("Copied."),
                Err(_) => {
                    // The code is shown selected, ready for the learner's own copy.
                    select_text("embed-code");
                    set_status.set("The browser refused the clipboard: the code is selected, copy it with Ctrl+C (⌘C on a Mac).");
                }
            }
        });
    };
    view! {
        <button
            type="button"
            class="embed-toggle"
            aria-expanded=move || open.get().to_string()
            aria-controls="embed-panel"
            on:click=move |_| set_open.update(|o| *o = !*o)
        >
            "Embed"
        </button>
        <section id="embed-panel" class="embed-panel" aria-labelledby="embed-heading" hidden=move || !open.get()>
            <h2 id="embed-heading">"Embed this lesson in a course page"</h2>
            <p>
                <label for="embed-cells">"Show"</label>
                " "
                <select
                    id="embed-cells"
                    on:change=move |ev| {
                        set_cell.set(event_target_value(&ev));
                        set_status.set("");
                    }
                >
                    <option value="">"The whole lesson"</option>
                    {cells
                        .into_iter()
                        .map(|(id, title)| view! { <option value=id>{title}" (this cell only)"</option> })
                        .collect_view()}
                </select>
            </p>
            <p>
                <label for="embed-theme">"Theme"</label>
                " "
                <select
                    id="embed-theme"
                    on:change=move |ev| {
                        set_theme.set(Theme::from_param(&event_target_value(&ev)).unwrap_or_default());
                        set_status.set("");
                    }
                >
                    <option value="auto">"Follow the reader's system"</option>
                    <option value="light">"Light"</option>
                    <option value="dark">"Dark"</option>
                </select>
            </p>
            <p class="help" id="embed-help">
                "The target is the one chosen above. The server must allow your course page's origin (--frame-ancestors); see docs/embedding.md."
            </p>
            <label for="embed-code">"Embed code"</label>
            <textarea
                id="embed-code"
                readonly
                rows="9"
                spellcheck="false"
                aria-describedby="embed-help"
                prop:value=snippet
            ></textarea>
            <button type="button" on:click=copy>"Copy"</button>
            " "
            <span role="status" id="embed-status">{move || status.get()}</span>
        </section>
    }
}
