//! The page's shared state: copyable reactive handles that the components and the run
//! controller both use. It decides nothing; the pure core does.

use leptos::prelude::*;
use playground_core::embed::{HostLink, Theme};
use playground_core::keys::KeyValues;
use playground_core::lesson::{KeySpec, Progress, Step};
use playground_core::routing::{Relay, Target};
use playground_core::runner::Secrets;
use playground_core::token::SavedToken;
use playground_core::verdict::CellOutput;
use sandbox::Sandbox;

use crate::storage;

/// The page's shared state: every field is a copyable reactive handle.
#[derive(Clone, Copy)]
pub struct Playground {
    pub target: RwSignal<Target>,
    pub relay: RwSignal<Relay>,
    pub sandbox: StoredValue<Sandbox>,
    /// The keys the lesson declares, from its file.
    pub key_specs: StoredValue<Vec<KeySpec>>,
    /// The lesson's progress list, from its file.
    pub steps: StoredValue<Vec<Step>>,
    /// The keys panel's values by key name.
    pub keys: RwSignal<KeyValues>,
    pub remember: RwSignal<bool>,
    /// The token kept in storage.
    pub saved: RwSignal<Option<SavedToken>>,
    /// A token just issued, waiting in the Save dialog.
    pub pending: RwSignal<Option<SavedToken>>,
    pub got_token: RwSignal<bool>,
    /// Ids of the cells whose last run had a good outcome.
    pub done_cells: RwSignal<Vec<String>>,
    /// Seconds since the epoch, ticking once a second for countdowns.
    pub now: RwSignal<u64>,
    pub token_output: RwSignal<Option<CellOutput>>,
    pub validate_output: RwSignal<Option<CellOutput>>,
    /// The id of the token cell's Run button, to return focus to it.
    pub token_run: StoredValue<String>,
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

    /// Every secret the page knows now: the values of the keys the lesson marks secret, and
    /// the saved token. A run adds the credentials it sends and the tokens it gets.
    pub fn secrets(&self) -> Secrets {
        let mut secrets = Secrets::default();
        self.keys.with_untracked(|values| {
            self.key_specs.with_value(|specs| {
                for spec in specs.iter().filter(|s| s.secret) {
                    if let Some(value) = values.get(&spec.name) {
                        secrets.add(value);
                    }
                }
            })
        });
        if let Some(token) = self.saved.get_untracked() {
            secrets.add(&token.access_token);
        }
        secrets
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
        let keys_filled = self.keys.with(|values| {
            self.key_specs
                .with_value(|specs| values.all_filled(specs.iter().map(|s| s.name.as_str())))
        });
        let token_saved = self.saved.with(Option::is_some);
        let token_received = self.got_token.get();
        self.done_cells.with(|done_cells| {
            let progress = Progress {
                keys_filled,
                token_received,
                token_saved,
                done_cells,
            };
            self.steps
                .with_value(|steps| steps.iter().map(|s| s.done_when.holds(&progress)).collect())
        })
    }

    /// Clears every stored credential and token, and what the page shows of them.
    pub fn forget(&self) {
        storage::forget_all();
        self.keys.set(KeyValues::default());
        self.remember.set(false);
        self.saved.set(None);
        self.reset();
    }

    /// Starts the lesson over: outputs, progress and an open dialog go. Keys and the saved
    /// token stay; they are the learner's, and Forget is theirs to press.
    pub fn reset(&self) {
        self.pending.set(None);
        self.got_token.set(false);
        self.done_cells.set(Vec::new());
        self.token_output.set(None);
        self.validate_output.set(None);
    }
}
