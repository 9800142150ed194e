//! The "Save <KEY>" dialog that follows a run whose answer can fill a key: the learner picks
//! one item of the answer's list (the first is preselected), and Save keeps its value.

use leptos::prelude::*;
use playground_core::progress::Origin;

use super::focus;
use super::modal::{modal, Frame};
use crate::state::Playground;

/// Ids of the dialog's first control and its Save button.
const CHOICE: &str = "key-choice";
const SAVE: &str = "key-save";

/// Modal dialog: a list of the answer's items, the chosen value, Save / Cancel.
#[component]
pub fn KeyDialog() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let chosen = RwSignal::new(0usize);
    let open = Signal::derive(move || pg.key_offer.with(Option::is_some));
    // Each offer starts from its first item.
    Effect::new(move |_| {
        if open.get() {
            chosen.set(0);
        }
    });
    let close = Callback::new(move |_| {
        let back = pg
            .key_offer
            .with_untracked(|o| o.as_ref().map(|o| o.run_button.clone()));
        pg.key_offer.set(None);
        if let Some(id) = back {
            focus(&id, false);
        }
    });
    let save = Callback::new(move |_| {
        if let Some(offer) = pg.key_offer.get_untracked() {
            if let Some(choice) = offer.choices.get(chosen.get_untracked()) {
                let lesson = pg.course.with_value(|c| c.lesson_id().to_owned());
                pg.keys.update(|k| k.set(&offer.key, choice.value.clone()));
                pg.progress
                    .update(|p| p.set_origin(&offer.key, Origin::Saved(lesson)));
            }
        }
    });
    let key = move || {
        pg.key_offer
            .with(|o| o.as_ref().map(|o| o.key.clone()).unwrap_or_default())
    };
    // The answer's items as the list's options, valued by their position.
    let options = move || {
        pg.key_offer.with(|o| {
            o.iter()
                .flat_map(|o| o.choices.iter().enumerate())
                .map(|(i, c)| view! { <option value=i.to_string()>{c.name.clone()}</option> })
                .collect_view()
        })
    };
    let value = move || {
        pg.key_offer.with(|o| {
            o.as_ref()
                .and_then(|o| o.choices.get(chosen.get()))
                .map(|c| c.value.clone())
                .unwrap_or_default()
        })
    };
    modal(
        Frame {
            title: Signal::derive(move || format!("Save {}", key())),
            description: Signal::derive(move || {
                format!("Keep one of the answer's items as {} for the next lessons. It is stored with your other keys.", key())
            }),
            save_id: SAVE,
            cancel_id: "key-cancel",
            open,
            on_save: save,
            on_close: close,
        },
        view! {
            <label for=CHOICE>"Item"</label>
            " "
            <select
                id=CHOICE
                on:change=move |ev| chosen.set(event_target_value(&ev).parse().unwrap_or(0))
            >
                {options}
            </select>
            <p>{move || format!("{}: ", key())}<code id="key-value">{value}</code></p>
        },
    )
}
