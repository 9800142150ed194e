//! Components. They read and write the shared `Playground` state and call the pure core.

mod cells;
mod embed_panel;
mod keys_panel;
mod save_dialog;
mod steps;
mod token_status;

use std::time::Duration;

use leptos::either::Either;
use leptos::prelude::*;
use sandbox::Sandbox;
use wasm_bindgen::JsCast;

use crate::embed::{Command, HostLink, Theme};
use crate::keys::KeyValues;
use crate::lesson::{self, Block, CellAction, Lesson, Part};
use crate::routing::{Relay, Target};
use crate::token::SavedToken;
use crate::{clock, host, location, params, storage};

/// What a cell printed and how it was judged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CellOutput {
    /// The `printResponse`/`printError` text.
    pub printed: Option<String>,
    pub headline: Option<String>,
    pub explanation: Option<String>,
    /// True for a good outcome (token issued, token valid).
    pub ok: bool,
    /// After a 429: when (Unix seconds) the cell may run again. Nothing retries by itself.
    pub retry_at: Option<u64>,
}

/// The page's shared state: every field is a copyable reactive handle.
#[derive(Clone, Copy)]
pub struct Playground {
    pub target: RwSignal<Target>,
    pub relay: RwSignal<Relay>,
    pub sandbox: StoredValue<Sandbox>,
    /// The keys panel's values by key name (`CLIENT_ID`, …).
    pub keys: RwSignal<KeyValues>,
    pub remember: RwSignal<bool>,
    /// The token kept in storage.
    pub saved: RwSignal<Option<SavedToken>>,
    /// A token just issued, waiting in the Save dialog.
    pub pending: RwSignal<Option<SavedToken>>,
    pub got_token: RwSignal<bool>,
    pub validated: RwSignal<bool>,
    /// Seconds since the epoch, ticking once a second for countdowns.
    pub now: RwSignal<u64>,
    pub token_output: RwSignal<Option<CellOutput>>,
    pub validate_output: RwSignal<Option<CellOutput>>,
    /// The id of the token cell's Run button, to return focus to it.
    pub token_run: StoredValue<String>,
    /// The page that embeds this one, if any: where messages go and whom to hear.
    pub host: StoredValue<HostLink>,
    pub theme: RwSignal<Theme>,
    /// The keys the lesson declares, by name: what its code's placeholders may name.
    pub key_names: StoredValue<Vec<String>>,
    /// `?cells=` chose cells: the lesson's prose and headings around them are not shown.
    pub cells_only: bool,
}

/// The id of a cell's Run button.
pub fn run_button_id(cell_id: &str) -> String {
    format!("run-{cell_id}")
}

/// Moves keyboard focus to the element with this id, if there is one; `scroll` brings it into
/// view first. (Ids rather than node references: cheaper in the bundle.)
pub fn focus(id: &str, scroll: bool) {
    let element = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        if scroll {
            element.scroll_into_view();
        }
        let _ = element.focus();
    }
}

impl Playground {
    /// The value of one key, as typed.
    pub fn key(&self, name: &str) -> Option<String> {
        self.keys.with(|k| k.get(name).map(str::to_owned))
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
        self.validated.set(false);
        self.token_output.set(None);
        self.validate_output.set(None);
    }
}

/// The whole page: the first embedded lesson, or a clear error if the content is broken.
#[component]
pub fn App() -> impl IntoView {
    match lesson::first() {
        Ok(lesson) => Either::Left(view! { <LessonPage lesson=lesson /> }),
        Err(error) => Either::Right(view! {
            <main>
                <h1>"This lesson could not be loaded"</h1>
                <p>{error.to_string()}</p>
            </main>
        }),
    }
}

/// One lesson with its keys panel, cells, dialog and status.
#[component]
fn LessonPage(
    /// The lesson to show.
    lesson: Lesson,
) -> impl IntoView {
    let cells: Vec<(String, String, CellAction)> = lesson
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Cell(c) => Some((c.id.clone(), c.title.clone(), c.action)),
            _ => None,
        })
        .collect();
    let cell_ids: Vec<&str> = cells.iter().map(|(id, _, _)| id.as_str()).collect();
    let page_params = params::parse(&location::search(), &cell_ids);
    let embed = page_params.embed;
    let relay = page_params
        .relay
        .clone()
        .or_else(|| storage::load_relay().and_then(|s| Relay::parse(&s).ok()))
        .unwrap_or_default();
    let sandbox = page_params
        .sandbox_token_lifetime
        .map(Sandbox::with_token_lifetime)
        .unwrap_or_default();
    let remember = storage::remember();
    let playground = Playground {
        target: RwSignal::new(page_params.target.unwrap_or(Target::Spotify)),
        relay: RwSignal::new(relay),
        sandbox: StoredValue::new(sandbox),
        keys: RwSignal::new(storage::load_credentials()),
        remember: RwSignal::new(remember),
        saved: RwSignal::new(storage::load_token()),
        pending: RwSignal::new(None),
        got_token: RwSignal::new(false),
        validated: RwSignal::new(false),
        now: RwSignal::new(clock::now_seconds()),
        token_output: RwSignal::new(None),
        validate_output: RwSignal::new(None),
        token_run: StoredValue::new(run_button_id(
            cells
                .iter()
                .find(|(_, _, action)| *action == CellAction::RequestToken)
                .map_or("", |(id, _, _)| id.as_str()),
        )),
        host: StoredValue::new(page_params.host.clone()),
        theme: RwSignal::new(page_params.theme),
        cells_only: page_params.cells.is_some(),
        key_names: StoredValue::new(lesson.keys.iter().map(|k| k.name.clone()).collect()),
    };
    provide_context(playground);

    // Embed mode is an attribute on <html> (outside the view tree), set once.
    if embed {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-embed", "");
        }
    }
    // Effect: the theme is an attribute on <html>, outside the view tree.
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = match playground.theme.get().attribute() {
                Some(theme) => root.set_attribute("data-theme", theme),
                None => root.remove_attribute("data-theme"),
            };
        }
    });
    // Another tab or embedded lesson on this site saved or forgot the token.
    storage::on_token_change(move |token| playground.saved.set(token));
    // Talking to the host page, when framed.
    host::report_height(page_params.host.clone());
    host::on_command(page_params.host.clone(), move |command| match command {
        Command::SetTheme(theme) => playground.theme.set(theme),
        Command::Reset => playground.reset(),
    });

    // Effect: keeps the keys panel in browser storage (the outside world) as the learner types.
    Effect::new(move |_| {
        let keys = playground.keys.get();
        storage::save_credentials(&keys, playground.remember.get());
    });
    // The countdowns' clock. The interval lives as long as the page.
    set_interval(
        move || playground.now.set(clock::now_seconds()),
        Duration::from_secs(1),
    );
    // Effect: marks the moment the page became interactive, for the benchmark.
    Effect::new(move |_| {
        if let Some(performance) = window().performance() {
            let _ = performance.mark("playground-interactive");
        }
    });

    let notices = page_params.notices;
    let storage_notice = move || {
        // Read after first use of storage above; a blocked store shows a notice.
        storage::is_degraded().then(|| {
            view! {
                <p class="notice">
                    "Your browser blocks storage for this page, so keys and tokens are kept only until you leave it."
                </p>
            }
        })
    };
    let summary = lesson.summary.clone();
    let title = lesson.title.clone();
    let keys = lesson.keys.clone();
    // `?cells=` shows only those cells; the course page around them carries the prose.
    let chosen = page_params.cells;
    let shown = |id: &str| chosen.as_ref().is_none_or(|c| c.iter().any(|x| x == id));
    let needs_keys = cells
        .iter()
        .any(|(id, _, action)| *action == CellAction::RequestToken && shown(id));
    let blocks = lesson
        .blocks
        .into_iter()
        .filter(|b| match b {
            Block::Cell(c) => shown(&c.id),
            _ => chosen.is_none(),
        })
        .collect::<Vec<_>>();
    let blocks = lesson::parts(blocks)
        .into_iter()
        .map(|part| match part {
            Part::Prose(markup) => {
                Either::Left(view! { <div class="prose" inner_html=markup></div> })
            }
            Part::Cell(cell) => Either::Right(view! { <cells::CodeCell cell=cell /> }),
        })
        .collect_view();
    let embed_cells: Vec<(String, String)> = cells.into_iter().map(|(id, t, _)| (id, t)).collect();
    let page_title = title.clone();

    // Embed mode (`data-embed` on <html>) hides the site chrome with CSS; one static view is
    // several KB smaller than views chosen at run time.
    view! {
        <a class="skip" href="#lesson">"Skip to the lesson"</a>
        <header class="site">
            <h1>{title}</h1>
            <p class="summary">{summary}</p>
            <TargetBar />
            <embed_panel::EmbedPanel cells=embed_cells title=page_title />
        </header>
        <main id="lesson">
            <div class="notices">
                {notices.into_iter().map(|n| view! { <p class="notice">{n}</p> }).collect_view()}
                {storage_notice}
            </div>
            <steps::Steps />
            <div hidden=!needs_keys>
                <keys_panel::KeysPanel keys=keys />
            </div>
            <token_status::TokenStatus />
            {blocks}
        </main>
        <save_dialog::SaveDialog />
    }
}

/// Target switch, sandbox badge and relay settings.
#[component]
fn TargetBar() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let relay_text = RwSignal::new(pg.relay.get_untracked().as_setting().to_owned());
    let relay_message = RwSignal::new(None::<(bool, String)>);
    let apply_relay = move || match Relay::parse(&relay_text.get_untracked()) {
        Ok(relay) => {
            storage::save_relay(relay.as_setting());
            relay_message.set(Some((
                true,
                format!("Requests to Spotify now go through {}.", relay.as_setting()),
            )));
            pg.relay.set(relay);
        }
        // The typed text stays in the field, so nothing is lost.
        Err(message) => relay_message.set(Some((false, message))),
    };
    view! {
        <div class="target-bar">
            <label for="target">"Target"</label>
            <select
                id="target"
                prop:value=move || pg.target.get().as_param()
                on:change=move |ev| {
                    if let Some(target) = Target::from_param(&event_target_value(&ev)) {
                        pg.target.set(target);
                        location::set_param("target", Some(target.as_param()));
                    }
                }
            >
                <option value="sandbox">"Sandbox (emulated Spotify, works offline)"</option>
                <option value="spotify">"Spotify (real, through the relay)"</option>
            </select>
            <span class="badge" id="sandbox-badge" hidden=move || pg.target.get() != Target::Sandbox>"Sandbox: simulated Spotify, nothing leaves this page"</span>
            <span class="badge badge-live" hidden=move || pg.target.get() != Target::Spotify>
                {move || match pg.relay.get() {
                    Relay::Direct => "Spotify, direct (the token request will be blocked by CORS)".to_owned(),
                    Relay::Prefix(p) => format!("Spotify through the relay {p}"),
                }}
            </span>
            <details class="settings">
                <summary>"Settings"</summary>
                <form on:submit=move |ev| {
                    ev.prevent_default();
                    apply_relay();
                }>
                    <label for="relay">"Relay prefix"</label>
                    <input
                        id="relay"
                        type="text"
                        spellcheck="false"
                        autocomplete="off"
                        aria-describedby="relay-help relay-message"
                        prop:value=move || relay_text.get()
                        on:input=move |ev| relay_text.set(event_target_value(&ev))
                    />
                    <button type="submit">"Apply"</button>
                    <p id="relay-help" class="help">
                        "Used with the Spotify target: the page requests PREFIX + the Spotify URL. \"/relay/\" is this server's relay; \"direct\" skips the relay."
                    </p>
                    <p id="relay-message" role="status" class:error=move || relay_message.get().is_some_and(|(ok, _)| !ok)>
                        {move || relay_message.get().map(|(_, m)| m)}
                    </p>
                </form>
            </details>
        </div>
    }
}
