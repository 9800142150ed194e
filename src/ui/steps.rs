//! The step indicator: the lesson's progress list, as its file declares it.

use leptos::prelude::*;

use crate::state::Playground;

/// Marks each lesson step done as the learner completes it; the first open step is current.
#[component]
pub fn Steps() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let done = Memo::new(move |_| pg.steps_done());
    let is_done = move |i: usize| done.with(|d| d.get(i).copied().unwrap_or(false));
    let current = move || done.with(|d| d.iter().position(|done| !done));
    let labels: Vec<String> = pg
        .steps
        .with_value(|steps| steps.iter().map(|s| s.label.clone()).collect());
    let no_steps = labels.is_empty();
    view! {
        <nav class="steps" aria-label="Lesson progress" hidden=no_steps>
            <ol>
                {labels
                    .into_iter()
                    .enumerate()
                    .map(|(i, label)| {
                        view! {
                            <li
                                class:done=move || is_done(i)
                                aria-current=move || (current() == Some(i)).then_some("step")
                            >
                                <span class="step-mark" aria-hidden="true">
                                    {move || if is_done(i) { "✓".to_owned() } else { (i + 1).to_string() }}
                                </span>
                                {label}
                                <span class="sr-only">{move || if is_done(i) { " (done)" } else { "" }}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </nav>
    }
}
