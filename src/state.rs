//! The page's shared state: copyable reactive handles that the components and the run
//! controller both use. It holds state and gathers it for the pure core, which decides.

use leptos::prelude::*;
use playground_core::embed::{HostLink, Theme};
use playground_core::keys::KeyValues;
use playground_core::lesson::{self, KeyOffer, KeySpec, Progress, Step};
use playground_core::navigation::CourseMap;
use playground_core::progress::CourseState;
use playground_core::routing::{Relay, Target};
use playground_core::runner::Secrets;
use playground_core::token::SavedToken;
use playground_core::verdict::CellOutput;

use crate::{host, storage};

/// A key that a run's answer can fill, waiting in its Save dialog (which the on-demand
/// module shows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingOffer {
    pub offer: KeyOffer,
    /// The Run button to hand focus back to.
    pub run_button: String,
}

/// The page's shared state: every field is a copyable reactive handle.
#[derive(Clone, Copy)]
pub struct Playground {
    pub target: RwSignal<Target>,
    pub relay: RwSignal<Relay>,
    /// Seconds a sandbox token lasts (`?sandbox_token_lifetime=`, else Spotify's hour).
    pub sandbox_token_lifetime: u64,
    /// The keys the course has met by this lesson, from the lesson files.
    pub key_specs: StoredValue<Vec<KeySpec>>,
    /// The keys this lesson asks the learner to type (for its "keys" step).
    pub lesson_keys: StoredValue<Vec<String>>,
    /// The lesson's progress list, from its file.
    pub steps: StoredValue<Vec<Step>>,
    pub course: StoredValue<CourseMap>,
    /// The keys panel's values by key name.
    pub keys: RwSignal<KeyValues>,
    /// Where each key came from, which lessons are done, and the renewal setting.
    pub progress: RwSignal<CourseState>,
    pub remember: RwSignal<bool>,
    /// The token kept in storage.
    pub saved: RwSignal<Option<SavedToken>>,
    /// A token just issued, waiting in the Save dialog.
    pub pending: RwSignal<Option<SavedToken>>,
    /// A key a run's answer can fill, waiting in its dialog.
    pub key_offer: RwSignal<Option<PendingOffer>>,
    pub got_token: RwSignal<bool>,
    /// Ids of the cells whose last run had a good outcome.
    pub done_cells: RwSignal<Vec<String>>,
    /// Seconds since the epoch, ticking once a second for countdowns.
    pub now: RwSignal<u64>,
    /// Every cell's output, so that a reset can clear them all.
    pub outputs: StoredValue<Vec<RwSignal<Option<CellOutput>>>>,
    /// The id of the token cell's Run button, if this lesson has one.
    pub token_run: StoredValue<Option<String>>,
    /// What the token cell's Run button does, once the cell is on the page: "Get a new token"
    /// runs it too.
    pub run_token_cell: StoredValue<Option<Callback<()>>>,
    /// The page that embeds this one, if any: where messages go and whom to hear.
    pub host: StoredValue<HostLink>,
    pub theme: RwSignal<Theme>,
    /// `?cells=` chose cells: the lesson's prose and headings around them are not shown.
    pub cells_only: bool,
}

impl Playground {
    /// The value of one key, as typed.
    pub fn key(&self, name: &str) -> Option<String> {
        self.keys.with(|k| k.get(name).map(str::to_owned))
    }

    /// A new output for a cell, cleared with the others on reset.
    pub fn new_output(&self) -> RwSignal<Option<CellOutput>> {
        let output = RwSignal::new(None);
        self.outputs.update_value(|o| o.push(output));
        output
    }

    /// Every secret value the page knows now: the values of the keys the lesson marks
    /// secret, and the saved token.
    pub fn secret_values(&self) -> Vec<String> {
        let mut found = self.keys.with_untracked(|values| {
            self.key_specs
                .with_value(|specs| lesson::secret_values(specs, values))
        });
        if let Some(token) = self.saved.get_untracked() {
            found.push(token.access_token);
        }
        found
    }

    /// [`Playground::secret_values`] as a mask. A run adds the credentials it sends and the
    /// tokens it gets.
    pub fn secrets(&self) -> Secrets {
        let mut secrets = Secrets::default();
        for value in self.secret_values() {
            secrets.add(&value);
        }
        secrets
    }

    /// Keeps a token: in storage, on the page, and told to the host page.
    pub fn keep_token(&self, token: &SavedToken) {
        storage::save_token(token);
        let link = self.host.get_value();
        host::post(&link, &link.token_saved(token));
        self.saved.set(Some(token.clone()));
    }

    /// Marks a cell's last run good or not.
    pub fn cell_done(&self, id: &str, done: bool) {
        self.done_cells.update(|cells| {
            cells.retain(|c| c != id);
            if done {
                cells.push(id.to_owned());
            }
        });
    }

    /// Whether each step of the lesson is done, in order.
    pub fn steps_done(&self) -> Vec<bool> {
        let (keys_filled, filled_keys) = self.keys.with(|values| {
            let filled: Vec<String> = values
                .iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, _)| k.to_owned())
                .collect();
            let lesson = self
                .lesson_keys
                .with_value(|keys| values.all_filled(keys.iter().map(String::as_str)));
            (lesson, filled)
        });
        let token_saved = self.saved.with(Option::is_some);
        let token_received = self.got_token.get();
        self.done_cells.with(|done_cells| {
            let progress = Progress {
                keys_filled,
                token_received,
                token_saved,
                done_cells,
                filled_keys: &filled_keys,
            };
            self.steps
                .with_value(|steps| steps.iter().map(|s| s.done_when.holds(&progress)).collect())
        })
    }

    /// Clears every stored credential, key, token and the course's progress, and what the
    /// page shows of them.
    pub fn forget(&self) {
        storage::forget_all();
        self.keys.set(KeyValues::default());
        self.progress.set(CourseState::default());
        self.remember.set(false);
        self.saved.set(None);
        self.reset();
    }

    /// Starts the lesson over: outputs, progress and open dialogs go. Keys and the saved
    /// token stay; they are the learner's, and Forget is theirs to press.
    pub fn reset(&self) {
        self.pending.set(None);
        self.key_offer.set(None);
        self.got_token.set(false);
        self.done_cells.set(Vec::new());
        self.outputs.with_value(|outputs| {
            for output in outputs {
                output.set(None);
            }
        });
    }
}
