//! The page an instructor chooses lessons on, when a learning platform asks the tool for
//! links (LTI Deep Linking). Rendered at build time by crate `prerender` into
//! `lti-picker.html`; it needs no code of the page: a form the server answers
//! (`/lti/deep-link`, relay/src/lti_routes.rs), which fills in the request's id (`dl`).

use leptos::prelude::*;
use playground_core::lesson::Course;

/// The picker as HTML.
pub fn lti_picker(course: &Course) -> String {
    use leptos::tachys::view::RenderHtml;
    let lessons: Vec<(String, String)> = course
        .lessons
        .iter()
        .map(|l| (l.id.clone(), l.title.clone()))
        .collect();
    let owner = Owner::new();
    owner.with(|| view! { <LtiPicker lessons=lessons /> }.to_html())
}

#[component]
fn LtiPicker(
    /// Each lesson's id and title, in course order.
    lessons: Vec<(String, String)>,
) -> impl IntoView {
    let items = lessons
        .into_iter()
        .map(|(id, title)| {
            view! {
                <li>
                    <label>
                        <input type="checkbox" name="lesson" value=id />
                        {format!(" {title}")}
                    </label>
                </li>
            }
        })
        .collect_view();
    view! {
        <main class="lti-picker">
            <h1>"Add lessons to the course"</h1>
            <p>
                "Each lesson you choose becomes a link in the course. Where the course keeps grades, each link is graded out of 1."
            </p>
            <form method="post" action="/lti/deep-link">
                <input type="hidden" name="dl" value="" />
                <fieldset>
                    <legend>"Lessons"</legend>
                    <ol>{items}</ol>
                </fieldset>
                <button type="submit">"Add to the course"</button>
            </form>
        </main>
    }
}
