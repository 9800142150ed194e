//! The step indicator: credentials → get token → save → validate.

use leptos::prelude::*;

use super::Playground;

/// Marks each lesson step done as the learner completes it; the first open step is current.
#[component]
pub fn Steps() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let filled = move |name: &str| pg.key(name).is_some_and(|v| !v.trim().is_empty());
    let done = [
        Signal::derive(move || filled("CLIENT_ID") && filled("CLIENT_SECRET")),
        Signal::derive(move || pg.got_token.get() || pg.saved.with(Option::is_some)),
        Signal::derive(move || pg.saved.with(Option::is_some)),
        Signal::derive(move || pg.validated.get()),
    ];
    let labels = ["Enter credentials", "Get a token", "Save it", "Validate it"];
    let current = move || done.iter().position(|d| !d.get());
    view! {
        <nav class="steps" aria-label="Lesson progress">
            <ol>
                {labels
                    .into_iter()
                    .enumerate()
                    .map(|(i, label)| {
                        let is_done = done[i];
                        view! {
                            <li
                                class:done=move || is_done.get()
                                aria-current=move || (current() == Some(i)).then_some("step")
                            >
                                <span class="step-mark" aria-hidden="true">
                                    {move || if is_done.get() { "✓".to_owned() } else { (i + 1).to_string() }}
                                </span>
                                {label}
                                <span class="sr-only">{move || if is_done.get() { " (done)" } else { "" }}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </nav>
    }
}
