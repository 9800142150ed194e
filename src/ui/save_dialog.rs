//! The "Save access token" dialog that follows a successful token run. The dialog itself is
//! in the on-demand module (it follows the first run's answer, and in the sandbox the module
//! has loaded by then); here, the page hands it each token and keeps the one the learner
//! saves.

use leptos::prelude::*;
use playground_core::token::long_duration;
use wasm_bindgen::JsCast;
use web_sys::HtmlDialogElement;

use super::focus;
use crate::clock;
use crate::ondemand::{self, Unavailable};
use crate::state::Playground;

/// The dialog's element, as the on-demand module names it (`ondemand/src/token_dialog.rs`).
const DIALOG: &str = "dialog-save-dialog";

/// Effect: each token a run gets (`Playground::pending`) opens the dialog. Save keeps it;
/// when the dialog closes, the focus goes back to the token cell's Run button. A reset
/// (the host page's `reset`) closes an open dialog. If the dialog cannot be loaded, the
/// token is kept all the same (nothing the learner got is lost), and `failed` says so.
pub fn offer_token(pg: Playground, failed: RwSignal<Option<String>>) {
    Effect::new(move |_| {
        let Some(token) = pg.pending.get() else {
            // Closing it runs the module's close handler, which hands the focus back.
            let open = document()
                .get_element_by_id(DIALOG)
                .and_then(|e| e.dyn_into::<HtmlDialogElement>().ok())
                .filter(HtmlDialogElement::open);
            if let Some(dialog) = open {
                dialog.close();
            }
            return;
        };
        let expiry = format!(
            "Expires at {} (in {}).",
            clock::local_time(token.expires_at),
            long_duration(token.expires_at.saturating_sub(pg.now.get_untracked())),
        );
        let kept = token.clone();
        let save = move || pg.keep_token(&kept);
        let back = move || {
            if let Some(run) = pg.token_run.get_value() {
                focus(&run, false);
            }
        };
        let closed = move || {
            pg.pending.set(None);
            back();
        };
        leptos::task::spawn_local(async move {
            if let Err(why) = ondemand::token_dialog(&token, &expiry, save, closed).await {
                pg.keep_token(&token);
                pg.pending.set(None);
                failed.set(Some(match why {
                    Unavailable::Outdated => playground_core::classify::OUTDATED_MODULE.to_owned(),
                    Unavailable::Failed(_) => "The dialog to save the token could not be loaded, so the token was kept for the next steps. Check that the playground's server is running.".to_owned(),
                }));
                back();
            }
        });
    });
}
