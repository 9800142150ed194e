//! The course's navigation: the index of lessons (which one is shown, which are done) and the
//! Previous/Next links under the lesson. A link loads the other lesson's page; keys, the token
//! and progress come along through storage. The links are markup from the core
//! (`navigation`), set as HTML: far smaller in the bundle than views.

use leptos::prelude::*;
use playground_core::navigation;

use crate::location;
use crate::state::Playground;

/// `nav` "Lessons": one link per lesson, named by its title; the shown lesson's link has
/// `aria-current="page"`, and a done lesson's says "done".
#[component]
pub fn CourseNav() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let search = location::search();
    let markup = move || {
        pg.progress.with(|p| {
            pg.course.with_value(|c| {
                navigation::index(&c.lessons, c.current, &p.done, &search).into_string()
            })
        })
    };
    view! { <nav class="course" aria-label="Lessons" inner_html=markup></nav> }
}

/// "Previous: …" and "Next: …" links at the end of the lesson.
#[component]
pub fn PreviousNext() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let markup = pg.course.with_value(|c| {
        navigation::previous_next(&c.lessons, c.current, &location::search()).into_string()
    });
    view! { <nav class="prev-next" aria-label="Previous and next lesson" inner_html=markup></nav> }
}
