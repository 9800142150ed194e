//! The "Save <KEY>" dialog that follows a run whose answer can fill a key. The dialog itself
//! is in the on-demand module (only the lessons that save an id for the next ones offer it,
//! after a run); here, the page hands it each offer and keeps what the learner saves.

use leptos::prelude::*;
use playground_core::progress::Origin;

use super::focus;
use crate::ondemand::{self, Unavailable};
use crate::state::{PendingOffer, Playground};

/// Effect: each offer a run makes (`Playground::key_offer`) opens the dialog. Save keeps the
/// chosen value as the key, saved from this lesson; when the dialog closes, the focus goes
/// back to the Run button that made the offer. If the dialog cannot be loaded, `failed` says
/// so, and the learner can still type the value in the keys panel.
pub fn offer_keys(pg: Playground, failed: RwSignal<Option<String>>) {
    Effect::new(move |_| {
        let Some(PendingOffer { offer, run_button }) = pg.key_offer.get() else {
            return;
        };
        let key = offer.key.clone();
        let save = move |value: String| {
            let lesson = pg.course.with_value(|c| c.lesson_id().to_owned());
            pg.keys.update(|k| k.set(&key, value));
            pg.progress
                .update(|p| p.set_origin(&key, Origin::Saved(lesson)));
        };
        let back = run_button.clone();
        let closed = move || {
            pg.key_offer.set(None);
            focus(&back, false);
        };
        leptos::task::spawn_local(async move {
            if let Err(why) = ondemand::key_dialog(&offer, save, closed).await {
                pg.key_offer.set(None);
                failed.set(Some(match why {
                    Unavailable::Outdated => playground_core::classify::OUTDATED_MODULE.to_owned(),
                    Unavailable::Failed(_) => "The dialog to save a value of the answer as a key could not be loaded. Copy the value from the answer into the keys panel, or check that the playground's server is running.".to_owned(),
                }));
                focus(&run_button, false);
            }
        });
    });
}
