//! The Embed disclosure. The panel itself (the cell, the theme, the snippet and Copy) is in
//! the on-demand module, loaded when the disclosure first opens: an author's tool that the
//! first interaction does not need.

use leptos::prelude::*;
use playground_core::embed::PanelContext;

use super::disclosure::OnDemand;
use crate::location;
use crate::ondemand;
use crate::state::Playground;

/// "Embed": opens the panel that writes the iframe snippet for the current settings.
#[component]
pub fn EmbedPanel(
    /// The lesson's cells as (id, title).
    cells: Vec<(String, String)>,
    /// The lesson's title, for the iframe's accessible name.
    title: String,
) -> impl IntoView {
    let pg = expect_context::<Playground>();
    // The first lesson is the default, so its links need no `lesson=`.
    let lesson = pg
        .course
        .with_value(|c| (c.current > 0).then(|| c.lesson_id().to_owned()));
    let context = StoredValue::new(PanelContext {
        page_origin: location::origin(),
        lesson_title: title,
        lesson,
        cells,
        target: pg.target.get_untracked(),
    });
    view! {
        <OnDemand
            class="embed-toggle"
            summary="Embed".to_owned()
            loading="Loading the Embed panel…"
            failed="The Embed panel could not be loaded. Check that the playground's server is running, then close and open Embed again."
            fill=Box::new(move |details| {
                // The panel starts on the target the page is on when it opens.
                let context = PanelContext {
                    target: pg.target.get_untracked(),
                    ..context.get_value()
                };
                Box::pin(async move { ondemand::embed_panel(details, &context).await })
            })
        />
    }
}
