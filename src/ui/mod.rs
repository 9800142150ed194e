//! Components. They read and write the shared `Playground` state and call the pure core.

mod cells;
mod course_nav;
mod disclosure;
mod embed_panel;
mod key_dialog;
mod keys_panel;
#[cfg(not(target_arch = "wasm32"))]
mod lti_picker;
mod save_dialog;
mod steps;
mod token_status;

use std::time::Duration;

use leptos::either::Either;
use leptos::prelude::*;
use playground_core::embed::{Command, ToHost};
use playground_core::lesson::{self, Block, CellAction, Course, Lesson, Part};
use playground_core::navigation::Entry;
use playground_core::params;
use playground_core::routing::{Relay, Target};

pub(crate) use crate::focus::{focus, run_button_id};
use crate::state::Playground;
use crate::{clock, content, host, location, net, storage};
use disclosure::OnDemand;
use playground_core::navigation::CourseMap;

/// Starts the page: loads the lesson its URL names (`<id>.html`, or `?lesson=`; the first by
/// default) and mounts it, or says why it could not be loaded. Mounting once, after the load,
/// keeps the lesson's views out of a reactive branch, whose re-rendering code would cost the
/// bundle more than the lesson itself (docs/benchmarks.md).
///
/// The lesson's page carries the lesson's file and the lesson prerendered by the build from
/// these same components (`prerender`): the mounted page takes the prerendered one's place
/// in one task, so no frame shows neither, and the keyboard focus goes to the same place.
pub async fn start() {
    let outline = content::course();
    let ids: Vec<&str> = outline.lessons.iter().map(|l| l.id.as_str()).collect();
    let (current, notice) = params::lesson(&location::path(), &location::search(), &ids);
    let course = course_map(&outline, current);
    let keys = outline.keys_met(current);
    // The lesson's page carries its file (the head script sends a link to another lesson's
    // page on to that lesson's own page).
    let shown = outline.lessons.get(current);
    let text = shown.and_then(|s| lesson_in_page(&s.id)).ok_or_else(|| {
        "This page does not carry its lesson. Build the playground with `cargo xtask dist`, which writes each lesson into its page.".to_owned()
    });
    let loaded = text.and_then(|text| {
        serde_json::from_str::<Lesson>(&text)
            .map_err(|e| format!("The lesson in this page cannot be read: {e}"))
    });
    let app = take_over();
    match loaded {
        Ok(lesson) => leptos::mount::mount_to(app, move || {
            view! { <LessonPage lesson=lesson course=course keys=keys notice=notice /> }
        })
        .forget(),
        Err(message) => leptos::mount::mount_to(app, move || {
            view! {
                <main>
                    <h1>"The lesson could not be loaded"</h1>
                    <p role="alert">{message}</p>
                    <p>"Check your connection and that the playground's server is running, then "<a href="">"reload the page"</a>"."</p>
                </main>
            }
        })
        .forget(),
    }
    restore_focus();
}

/// The course around lesson `current`, from the outline the build wrote.
fn course_map(outline: &Course, current: usize) -> CourseMap {
    CourseMap {
        lessons: outline
            .lessons
            .iter()
            .map(|l| Entry {
                id: l.id.clone(),
                title: l.title.clone(),
            })
            .collect(),
        current,
        providers: outline.providers.clone(),
        credentials: outline.credentials.clone(),
    }
}

/// Lesson `id`'s file, if the page carries it (`#lesson-<id>`, a JSON data block that the
/// build writes beside the prerendered lesson).
fn lesson_in_page(id: &str) -> Option<String> {
    document()
        .get_element_by_id(&format!("lesson-{id}"))?
        .text_content()
}

// The page's head script (index.html) does the swap: a few lines of JavaScript there cost
// the first load less than the same DOM calls through wasm-bindgen (docs/benchmarks.md).
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// Makes room for the mounted page: a new element (`#app`, laid out as if its children
    /// were the body's) in place of the prerendered lesson, if the HTML has one, else at the
    /// end of the body; the "Loading" line goes. Remembers where the focus was in the
    /// prerendered lesson.
    #[wasm_bindgen(js_name = playgroundTakeOver)]
    fn take_over() -> web_sys::HtmlElement;
    /// Focuses the element of the mounted page at the place the focus had in the prerendered
    /// lesson, if it had one.
    #[wasm_bindgen(js_name = playgroundRestoreFocus)]
    fn restore_focus();
}

#[cfg(not(target_arch = "wasm32"))]
pub use lti_picker::lti_picker;

/// The lesson as a first visit shows it, as HTML: what the build writes into the lesson's
/// page (crate `prerender`), so that it reads before the page's code has loaded, and without
/// it. Natively, the edges find no browser (`crate::LIVE`): nothing is stored, the URL has no
/// query, and nothing runs (effects are never started, no handler is attached).
#[cfg(not(target_arch = "wasm32"))]
pub fn prerender(lesson: Lesson) -> String {
    use leptos::tachys::view::RenderHtml;
    let outline = content::course();
    let current = outline
        .lessons
        .iter()
        .position(|l| l.id == lesson.id)
        .unwrap_or(0);
    let course = course_map(&outline, current);
    let keys = outline.keys_met(current);
    let owner = Owner::new();
    // Rendering reads each reactive value once, on purpose: no tracking, no warnings.
    let _untracked = leptos::reactive::diagnostics::SpecialNonReactiveZone::enter();
    owner.with(|| {
        view! { <LessonPage lesson=lesson course=course keys=keys notice=None /> }.to_html()
    })
}

/// One lesson with its keys panel, cells, dialogs, status and the course's navigation.
#[component]
fn LessonPage(
    /// The lesson to show.
    lesson: Lesson,
    /// The course around it.
    course: CourseMap,
    /// The keys the course has met by this lesson.
    keys: Vec<lesson::KeySpec>,
    /// Why another lesson than the one asked for is shown, if it is.
    notice: Option<String>,
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
    let graded = net::grade_in(location::take_graded_session());
    let embed = page_params.embed;
    let relay = page_params
        .relay
        .clone()
        .or_else(|| storage::load_relay().and_then(|s| Relay::parse(&s).ok()))
        .unwrap_or_default();
    let sandbox_token_lifetime = page_params
        .sandbox_token_lifetime
        .unwrap_or(wire::DEFAULT_TOKEN_LIFETIME);
    let remember = storage::remember();
    let lesson_keys = lesson.typed_keys();
    let lesson_id = lesson.id.clone();
    let playground = Playground {
        // A graded launch's work counts where the server sees it: in its sandbox.
        target: RwSignal::new(page_params.target.unwrap_or(if graded {
            Target::Sandbox
        } else {
            Target::Spotify
        })),
        relay: RwSignal::new(relay),
        sandbox_token_lifetime,
        keys: RwSignal::new(storage::load_credentials()),
        remember: RwSignal::new(remember),
        saved: RwSignal::new(storage::load_token()),
        pending: RwSignal::new(None),
        got_token: RwSignal::new(false),
        now: RwSignal::new(clock::now_seconds()),
        key_specs: StoredValue::new(keys.clone()),
        lesson_keys: StoredValue::new(lesson_keys),
        steps: StoredValue::new(lesson.steps.clone()),
        course: StoredValue::new(course),
        progress: RwSignal::new(storage::load_course()),
        key_offer: RwSignal::new(None),
        done_cells: RwSignal::new(Vec::new()),
        outputs: StoredValue::new(Vec::new()),
        run_token_cell: StoredValue::new(None),
        token_run: StoredValue::new(
            cells
                .iter()
                .find(|(_, _, action)| *action == CellAction::RequestToken)
                .map(|(id, _, _)| run_button_id(id)),
        ),
        host: StoredValue::new(page_params.host.clone()),
        theme: RwSignal::new(page_params.theme),
        cells_only: page_params.cells.is_some(),
    };
    provide_context(playground);

    // Outside the view tree, in a browser only (the prerendered page's HTML has its title,
    // and its head script sets embed mode): the document's title names the lesson, and embed
    // mode is an attribute on <html>, set once.
    if crate::LIVE {
        document().set_title(&lesson.document_title());
        if embed {
            if let Some(root) = document().document_element() {
                let _ = root.set_attribute("data-embed", "");
            }
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
    if crate::LIVE {
        // Another tab or embedded lesson on this site saved or forgot the token.
        storage::on_token_change(move |token| playground.saved.set(token));
        // Talking to the host page, when framed.
        host::report_height(page_params.host.clone());
        host::on_command(page_params.host.clone(), move |command| match command {
            Command::SetTheme(theme) => playground.theme.set(theme),
            Command::Reset => playground.reset(),
        });
    }

    // Effect: keeps the keys panel and the course's progress in browser storage (the outside
    // world) as they change.
    Effect::new(move |_| {
        let keys = playground.keys.get();
        let remember = playground.remember.get();
        storage::save_credentials(&keys, remember);
        playground
            .progress
            .with(|progress| storage::save_course(progress, remember));
    });
    // Effect: when the last cell of the lesson has run well, the lesson is done: stored, and
    // told to the host page (the outside world), once per visit. The effect's own value
    // remembers that it told.
    let cell_ids: Vec<String> = lesson.cells().map(|c| c.id.clone()).collect();
    Effect::new(move |told: Option<bool>| {
        let told = told.unwrap_or(false);
        let all_done = playground
            .done_cells
            .with(|done| cell_ids.iter().all(|id| done.contains(id)));
        if !all_done || told {
            return told;
        }
        playground.progress.update(|p| {
            p.complete(&lesson_id);
        });
        let link = playground.host.get_value();
        host::post(
            &link,
            &ToHost::LessonCompleted {
                lesson: lesson_id.clone(),
            },
        );
        true
    });
    // The countdowns' clock. The interval lives as long as the page.
    if crate::LIVE {
        set_interval(
            move || playground.now.set(clock::now_seconds()),
            Duration::from_secs(1),
        );
    }
    // Effect: marks the moment the page became interactive, for the benchmark.
    Effect::new(move |_| {
        if let Some(performance) = window().performance() {
            let _ = performance.mark("playground-interactive");
        }
    });

    // The two Save dialogs, on demand; why one could not open, if it could not.
    let dialog_failed = RwSignal::new(None::<String>);
    key_dialog::offer_keys(playground, dialog_failed);
    save_dialog::offer_token(playground, dialog_failed);
    // A graded launch says so, and what ends it: the session is in memory only.
    let graded_notice = graded.then(|| {
        "Your course grades this lesson: it counts once each cell has run well here. After a reload, open the lesson again from your course to be graded.".to_owned()
    });
    let notices: Vec<String> = notice
        .into_iter()
        .chain(graded_notice)
        .chain(page_params.notices)
        .collect();
    // Notices that arise while the page runs: a blocked store (read after the first use of
    // storage above), and a key dialog that could not be loaded. One text each.
    let storage_notice = move || {
        let blocked = storage::is_degraded().then(|| {
            "Your browser blocks storage for this page, so keys and tokens are kept only until you leave it.".to_owned()
        });
        blocked
            .into_iter()
            .chain(dialog_failed.get())
            .map(|n| view! { <p class="notice">{n}</p> })
            .collect_view()
    };
    let summary = lesson.summary.clone();
    let title = lesson.title.clone();
    // `?cells=` shows only those cells; the course page around them carries the prose.
    let chosen = page_params.cells;
    let shown = |id: &str| chosen.as_ref().is_none_or(|c| c.iter().any(|x| x == id));
    let needs_keys = cells
        .iter()
        .any(|(id, _, action)| *action != CellAction::ValidateToken && shown(id));
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
        <course_nav::CourseNav />
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
            <course_nav::PreviousNext />
        </main>
    }
}

/// Target switch, sandbox badge and relay settings. The settings' form is in the on-demand
/// module, loaded when they first open; it hands each valid setting back here.
#[component]
fn TargetBar() -> impl IntoView {
    let pg = expect_context::<Playground>();
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
            <OnDemand
                class="settings"
                summary="Settings".to_owned()
                loading="Loading the settings…"
                failed="The settings could not be loaded. Check that the playground's server is running, then close and open Settings again."
                fill=Box::new(move |details| {
                    let relay = pg.relay.get_untracked();
                    Box::pin(async move {
                        crate::ondemand::relay_settings(details, relay.as_setting(), move |setting| {
                            if let Ok(relay) = Relay::parse(&setting) {
                                storage::save_relay(relay.as_setting());
                                pg.relay.set(relay);
                            }
                        })
                        .await
                    })
                })
            />
        </div>
    }
}
