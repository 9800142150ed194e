//! The saved token's status with a live countdown.

use leptos::prelude::*;
use playground_core::token::{masked, mm_ss, TokenState};

use crate::state::Playground;

/// The pieces of the status sentence; empty pieces render nothing.
#[derive(Clone, Default, PartialEq)]
struct Parts {
    lead: String,
    token: String,
    middle: String,
    /// `mm:ss`, hidden from screen readers.
    countdown: String,
    /// The countdown for screen readers, changing once a minute.
    spoken: String,
    tail: String,
}

/// `role="status"`: the saved token, masked, and how long it lasts. The per-second digits are
/// hidden from screen readers, which get a per-minute figure instead, so the live region
/// speaks when something changes, not every second.
#[component]
pub fn TokenStatus() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let state = move || pg.saved.get().map(|t| (t.state(pg.now.get()), t));
    // One element shape for every state: cheaper in the bundle than a view per state, and the
    // live region stays the same node.
    let parts = Memo::new(move |_| match state() {
        None => Parts {
            lead: "No access token saved yet.".into(),
            ..Parts::default()
        },
        Some((state, t)) => {
            let lead = format!("Saved {} token ", t.target.as_param());
            let token = masked(&t.access_token);
            match state {
                TokenState::Valid { seconds_left } => Parts {
                    lead,
                    token,
                    middle: ". Valid, expires in ".into(),
                    countdown: mm_ss(seconds_left),
                    spoken: format!("about {} minutes", seconds_left.div_ceil(60)),
                    tail: ".".into(),
                },
                TokenState::ExpiresSoon { seconds_left } => Parts {
                    lead,
                    token,
                    middle: ". Expires soon, in ".into(),
                    countdown: mm_ss(seconds_left),
                    spoken: "less than a minute".into(),
                    tail: ". Get a new one before it runs out.".into(),
                },
                TokenState::Expired => Parts {
                    lead,
                    token,
                    middle: " has expired. Get a new one: run the token cell of the first lesson again and save.".into(),
                    ..Parts::default()
                },
            }
        }
    });
    let needs_new = move || {
        matches!(
            state(),
            Some((TokenState::Expired | TokenState::ExpiresSoon { .. }, _))
        )
    };
    // Runs the token cell, as its Run button does, with the focus on that button, where the
    // Save dialog that follows hands it back. On lessons without the cell, a link leads to
    // the lesson that has it.
    let token_run = pg.token_run.get_value();
    let has_cell = token_run.is_some();
    let get_new = move |_| {
        if let (Some(id), Some(run)) = (&token_run, pg.run_token_cell.get_value()) {
            super::focus(id, true);
            run.run(());
        }
    };
    let token_lesson = pg.course.with_value(|c| {
        c.providers
            .iter()
            .find(|(k, _)| k == playground_core::keys::ACCESS_TOKEN)
            .and_then(|(_, index)| c.lessons.get(*index))
            .map_or((String::new(), String::new()), |e| {
                (
                    playground_core::navigation::link(
                        &c.lessons,
                        &e.id,
                        &crate::location::search(),
                    ),
                    format!("Get a new token in \"{}\"", e.title),
                )
            })
    });
    let part = move |pick: fn(&Parts) -> &String| move || parts.with(|p| pick(p).clone());
    view! {
        <section class="token-panel" aria-label="Saved access token">
            <p role="status" id="token-status" class="token-status">
                {part(|p| &p.lead)}
                <code>{part(|p| &p.token)}</code>
                {part(|p| &p.middle)}
                <span class="countdown" aria-hidden="true">{part(|p| &p.countdown)}</span>
                <span class="sr-only">{part(|p| &p.spoken)}</span>
                {part(|p| &p.tail)}
            </p>
            <button type="button" hidden=move || !has_cell || !needs_new() on:click=get_new>"Get a new token"</button>
            // On lessons without the token cell: a link to the lesson that has it.
            <a
                href=token_lesson.0
                hidden=move || has_cell || (!needs_new() && pg.saved.with(Option::is_some))
            >
                {token_lesson.1}
            </a>
        </section>
    }
}
