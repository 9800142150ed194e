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
use playground_core::embed::Command;
use playground_core::lesson::{self, Block, CellAction, Lesson, Part};
use playground_core::params;
use playground_core::routing::{Relay, Target};
use sandbox::Sandbox;

pub(crate) use crate::focus::{focus, press};
use crate::state::Playground;
use crate::{clock, content, host, location, storage};

/// The id of a cell's Run button.
pub fn run_button_id(cell_id: &str) -> String {
    format!("run-{cell_id}")
}

/// The whole page: the first lesson. (The build checked every lesson, so there is one.)
#[component]
pub fn App() -> impl IntoView {
    match content::lessons().into_iter().next() {
        Some(lesson) => Either::Left(view! { <LessonPage lesson=lesson /> }),
        None => Either::Right(view! {
            <main>
                <h1>"This build has no lesson"</h1>
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
        now: RwSignal::new(clock::now_seconds()),
        key_specs: StoredValue::new(lesson.keys.clone()),
        steps: StoredValue::new(lesson.steps.clone()),
        done_cells: RwSignal::new(Vec::new()),
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
                Either::Left(view! { <div class="prose" inner_html=markup.into_string()></div> })
            }
            Part::Cell(cell) => Either::Right(view! { <cells::CodeCell cell=cell /> }),
        })
        .collect_view();
    let embed_cells: Vec<(String, String)> = cells.into_iter().map(|(id, t, _)| (id, t)).collect();
    let page_title = title.clone();

    // Embed mode (`data-embed` on <html>) hides the site chrome with CSS: one static view,
    // smaller than views chosen at run time (docs/benchmarks.md).
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
