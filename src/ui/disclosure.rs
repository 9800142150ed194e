//! Disclosures (`<details>`) whose body the on-demand module fills the first time they open:
//! a request's inspector, the Embed panel, the relay settings.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use playground_core::classify::OUTDATED_MODULE;
use web_sys::{HtmlDetailsElement, HtmlElement};

use crate::ondemand::Unavailable;

/// What fills a disclosure: the on-demand module's call, with the `<details>` element.
pub type Fill = Box<dyn Fn(HtmlElement) -> Pin<Box<dyn Future<Output = Result<(), Unavailable>>>>>;

/// A `<details>` named by `summary`, which `fill` fills the first time it opens. While that
/// loads, and if it fails, the disclosure says so (`loading`, then `failed`, which says what
/// to do, or that the page must be reloaded); after a failure the next opening tries again. One component for every such
/// disclosure: the filling is boxed, so there is one copy of this code.
#[component]
pub fn OnDemand(
    /// The `<details>` element's class.
    class: &'static str,
    summary: String,
    loading: &'static str,
    failed: &'static str,
    fill: Fill,
) -> impl IntoView {
    let note = RwSignal::new("");
    let fill = StoredValue::new_local(fill);
    // True once the body is in, or on its way.
    let filled = StoredValue::new(false);
    let on_toggle = move |ev: web_sys::Event| {
        let details: HtmlDetailsElement = event_target(&ev);
        if !details.open() || filled.get_value() {
            return;
        }
        filled.set_value(true);
        note.set(loading);
        let filling = fill.with_value(|fill| fill(details.into()));
        leptos::task::spawn_local(async move {
            match filling.await {
                Ok(()) => note.set(""),
                Err(Unavailable::Outdated) => note.set(OUTDATED_MODULE),
                Err(Unavailable::Failed(_)) => {
                    filled.set_value(false);
                    note.set(failed);
                }
            }
        });
    };
    view! {
        <details class=class on:toggle=on_toggle>
            <summary>{summary}</summary>
            <p hidden=move || note.get().is_empty()>{note}</p>
        </details>
    }
}
