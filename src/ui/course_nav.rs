//! The course's navigation: the index of lessons (which one is shown, which are done) and the
//! Previous/Next links under the lesson. What they show is decided in the core
//! (`navigation`); these views render it. A link loads the other lesson's page; keys, the
//! token and progress come along through storage.

use leptos::prelude::*;
use playground_core::navigation;

use crate::location;
use crate::state::Playground;

/// `nav` "Lessons": a disclosure labelled with the lesson's place and the course's progress
/// ("Lesson 2 of 5: Search for an Item, 1 of 5 lessons done"), holding one link per lesson,
/// named by its title; the shown lesson's link has `aria-current="page"`, and a done
/// lesson's says "done". On wide screens it is a sidebar and starts open; on a phone it
/// starts folded above the lesson. The list is built once; only the done marks and the
/// progress follow the course.
#[component]
pub fn CourseNav() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let search = location::search();
    let (index, position) = pg.course.with_value(|c| {
        (
            navigation::index(&c.lessons, c.current, &search),
            navigation::position(&c.lessons, c.current),
        )
    });
    // Open where the stylesheet makes the index a sidebar, folded on a phone: the learner can
    // fold or unfold it either way.
    let wide = location::wide_screen();
    let done = move |id: &str| pg.progress.with(|p| p.is_done(id));
    let progress = move || {
        pg.course
            .with_value(|c| navigation::progress(&c.lessons, |id| done(id)))
    };
    let items = index
        .into_iter()
        .map(|item| {
            let id = StoredValue::new(item.id);
            view! {
                <li class:done=move || id.with_value(|id| done(id))>
                    <a href=item.href aria-current=item.current.then_some("page")>
                        {item.title}
                        <span class="sr-only">{move || id.with_value(|id| done(id)).then_some(" (done)")}</span>
                    </a>
                    <span class="done-mark" aria-hidden="true">"✓"</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="course" aria-label="Lessons">
            <details open=wide>
                <summary>{position}<span class="sr-only">", "</span><span class="course-progress">{progress}</span></summary>
                <ol>{items}</ol>
            </details>
        </nav>
    }
}

/// "Previous: …" and "Next: …" links at the end of the lesson.
#[component]
pub fn PreviousNext() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let steps = pg
        .course
        .with_value(|c| navigation::previous_next(&c.lessons, c.current, &location::search()));
    let links = steps
        .into_iter()
        .map(|step| view! { <a href=step.href rel=step.rel>{step.text}</a> })
        .collect_view();
    view! { <nav class="prev-next" aria-label="Previous and next lesson">{links}</nav> }
}
