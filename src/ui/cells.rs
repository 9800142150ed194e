//! The lesson's code cells: the editor, the read-only code, Run/Stop/Reset and the output
//! log. Running is `run`'s job; these are components only.

use leptos::either::Either;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use playground_core::exchange::Exchange;
use playground_core::highlight;
use playground_core::lesson::{Cell, CellAction};
use playground_core::token::mm_ss;
use playground_core::verdict::{CellOutput, End};
use wasm_bindgen::JsCast;

use super::disclosure::OnDemand;
use super::run_button_id;
use crate::run::{self, CellInfo, Runs, Trail};
use crate::state::Playground;
use crate::storage;

/// The code with line numbers and highlighting, read-only.
#[component]
fn CodeView(
    /// The code as the lesson shows it.
    code: String,
) -> impl IntoView {
    view! { <pre class="code" aria-label="Code" tabindex="0"><code inner_html=highlight::to_html(&code).into_string()></code></pre> }
}

/// The editable code: a transparent textarea over a highlighted copy of its text, so the
/// browser's own editing, selection and undo work. Tab indents; Escape then Tab leaves.
/// Prerendered, the textarea is unseen and empty (its value is a property, which HTML does
/// not carry), so the highlighted copy is what screen readers read.
#[component]
fn Editor(
    code: RwSignal<String>,
    /// The id of the text that explains the keys.
    help_id: String,
) -> impl IntoView {
    // Escape was pressed: the next Tab moves focus on instead of indenting.
    let leaving = StoredValue::new(false);
    let on_keydown = move |ev: KeyboardEvent| {
        let plain = !(ev.shift_key() || ev.ctrl_key() || ev.alt_key() || ev.meta_key());
        match ev.key().as_str() {
            "Escape" => leaving.set_value(true),
            "Tab" if plain && !leaving.get_value() => {
                ev.prevent_default();
                // insertText keeps the browser's undo history, unlike setting the value.
                if let Ok(doc) = document().dyn_into::<web_sys::HtmlDocument>() {
                    let _ = doc.exec_command_with_show_ui_and_value("insertText", false, "    ");
                }
            }
            _ => leaving.set_value(false),
        }
    };
    view! {
        <div class="editor">
            <div class="editor-inner">
                <pre class="code" aria-hidden=crate::LIVE.then_some("true")><code inner_html=move || code.with(|c| highlight::to_html(c).into_string())></code></pre>
                <textarea
                    aria-label="Code"
                    aria-describedby=help_id
                    spellcheck="false"
                    autocapitalize="off"
                    autocomplete="off"
                    wrap="off"
                    prop:value=move || code.get()
                    on:input=move |ev| code.set(event_target_value(&ev))
                    on:keydown=on_keydown
                ></textarea>
            </div>
        </div>
    }
}

/// One disclosure per request, in the order sent, named by its summary. Its first opening
/// loads the inspector (the on-demand module) into it.
fn requests(exchanges: Vec<Exchange>) -> impl IntoView {
    exchanges
        .into_iter()
        .map(|exchange| {
            let summary = exchange.summary();
            let exchange = StoredValue::new(exchange);
            view! {
                <OnDemand
                    class="exchange"
                    summary=summary
                    loading="Loading the inspector…"
                    failed="The inspector could not be loaded. Check that the playground's server is running, then close and open this request again."
                    fill=Box::new(move |details| {
                        Box::pin(async move { crate::ondemand::mount(details, &exchange.get_value()).await })
                    })
                />
            }
        })
        .collect_view()
}

/// `role="log"`: what the cell printed, then the verdict and what to do next, then a closed
/// disclosure per request the run made; below, the cell's run history, newest first.
#[component]
fn OutputLog(
    /// The cell's output, if it ran.
    output: RwSignal<Option<CellOutput>>,
    /// Accessible name of the log.
    label: String,
    trail: Trail,
) -> impl IntoView {
    // The last run's requests, once it has ended.
    let last_requests = move || {
        let exchanges = trail.shown.get().then(|| {
            trail
                .history
                .with(|h| h.last().map(|run| run.exchanges.clone()))
        });
        requests(exchanges.flatten().unwrap_or_default())
    };
    // The runs, newest first, built afresh when a run ends. Like the requests above, the list
    // is empty while a run is under way: a list rebuilt in place would reuse its elements by
    // position, handing a run's open disclosures, and an inspector mounted in them, to another
    // run (a keyed `For` would keep them, at 3.2 KB of the first load; docs/benchmarks.md).
    let runs = move || {
        let runs = trail.shown.get().then(|| {
            trail.history.with(|h| {
                h.iter()
                    .rev()
                    .map(|run| {
                        view! {
                            <li>
                                <details>
                                    <summary>{run.summary()}</summary>
                                    {requests(run.exchanges.clone())}
                                </details>
                            </li>
                        }
                    })
                    .collect_view()
            })
        });
        runs.unwrap_or_default()
    };
    view! {
        <div class="output-wrap">
            <div class="output" role="log" aria-label=label>
                {move || output.get().map(|out| view! {
                    {out.printed.map(|p| view! { <pre class="printed">{p}</pre> })}
                    {out.headline.map(|h| view! { <p class="verdict" class:ok=out.ok class:error=!out.ok>{h}</p> })}
                    {out.explanation.map(|e| view! { <p class="explain">{e}</p> })}
                })}
            </div>
            <div class="requests">{last_requests}</div>
            <div hidden=move || !trail.shown.get() || trail.history.with(Vec::is_empty)>
                <p class="history-title">"Run history, newest first"</p>
                <ol class="history" aria-label="Run history">{runs}</ol>
            </div>
        </div>
    }
}

/// A cell's frame: heading, code (an editor when `editor` is given), Run with progress, Stop
/// for code that runs in a worker, and the log.
#[component]
fn CellFrame(
    cell: Cell,
    /// The editable code and the lesson's original, for editable cells.
    editor: Option<(RwSignal<String>, String)>,
    /// True while the cell runs.
    running: RwSignal<bool>,
    /// What Run does.
    start: Callback<()>,
    /// What Stop does (editable cells only).
    stop: Callback<()>,
    output: RwSignal<Option<CellOutput>>,
    /// The cell's requests and run history.
    trail: Trail,
) -> impl IntoView {
    let pg = expect_context::<Playground>();
    let heading_id = format!("cell-{}-title", cell.id);
    let labelled_by = heading_id.clone();
    let help_id = format!("cell-{}-help", cell.id);
    // Seconds left of a Retry-After wait, while one runs.
    let wait_left = move || {
        let retry_at = output.with(|o| o.as_ref().and_then(|o| o.retry_at))?;
        retry_at.checked_sub(pg.now.get()).filter(|left| *left > 0)
    };
    let editable = editor.is_some();
    let (code, original) =
        editor.unwrap_or_else(|| (RwSignal::new(cell.code.clone()), cell.code.clone()));
    let original = StoredValue::new(original);
    let edited = move || code.with(|c| original.with_value(|o| c != o));
    view! {
        <section class="cell" aria-labelledby=labelled_by aria-busy=move || running.get().to_string()>
            // Alone in an embed (`?cells=`), a cell heading follows the page's h1 directly:
            // level 2 (the `ariaLevel` property sets the `aria-level` attribute).
            <h3 id=heading_id class="cell-title" prop:ariaLevel=pg.cells_only.then_some("2")>
                {cell.title.clone()}
            </h3>
            {if editable {
                Either::Left(view! {
                    <Editor code=code help_id=help_id.clone() />
                    <p class="help" id=help_id>
                        "Edit the code and press Run: it runs as written. Placeholders in double braces, such as {{NAME}}, are filled in from your keys only in the copy that runs. Tab indents; press Escape, then Tab, to leave the editor."
                    </p>
                })
            } else {
                Either::Right(view! { <CodeView code=cell.code.clone() /> })
            }}
            {cell.implementation_hidden.then(|| view! {
                <p class="help">"The implementation of this function is hidden, as in the lesson."</p>
            })}
            <div class="cell-actions">
                <button
                    type="button"
                    class="run primary"
                    id=run_button_id(&cell.id)
                    disabled=move || running.get() || wait_left().is_some()
                    on:click=move |_| start.run(())
                >
                    "Run"
                </button>
                <button type="button" hidden=!editable disabled=move || !running.get() on:click=move |_| stop.run(())>
                    "Stop"
                </button>
                <button
                    type="button"
                    hidden=!editable
                    disabled=move || !edited()
                    on:click=move |_| code.set(original.get_value())
                >
                    "Reset"
                </button>
                <span class="edited" hidden=move || !edited()>"Edited"</span>
                <span class="progress" hidden=move || !running.get()><span class="spinner" aria-hidden="true"></span>"Running…"</span>
                <span class="retry-wait">
                    {move || wait_left().map(|left| format!("Rate limited: you can run again in {}.", mm_ss(left)))}
                </span>
            </div>
            <OutputLog output=output label=format!("Output of {}", cell.title) trail=trail />
        </section>
    }
}

/// A lesson cell. Token and run cells are editors whose code runs as written in a Web Worker;
/// the validate cell runs its hidden implementation natively.
#[component]
pub fn CodeCell(
    /// The cell as the lesson describes it.
    cell: Cell,
) -> impl IntoView {
    let pg = expect_context::<Playground>();
    match cell.action {
        CellAction::RequestToken | CellAction::Run => {
            let original = cell.code.clone();
            let code =
                RwSignal::new(storage::load_code(&cell.id).unwrap_or_else(|| original.clone()));
            let id = cell.id.clone();
            let lesson_code = original.clone();
            // Effect: keeps the learner's edits in storage (the outside world).
            Effect::new(move |_| {
                code.with(|c| storage::save_code(&id, (*c != lesson_code).then_some(c.as_str())));
            });
            let info = CellInfo {
                id: cell.id.clone(),
                saves: cell.saves.clone(),
            };
            let runs = Runs::new(pg, code, info);
            let start = Callback::new(move |_| runs.start());
            if cell.action == CellAction::RequestToken {
                pg.run_token_cell.set_value(Some(start));
            }
            view! {
                <CellFrame
                    cell=cell
                    editor=Some((code, original))
                    running=runs.running
                    start=start
                    stop=Callback::new(move |_| runs.finish(End::Stopped))
                    output=runs.output
                    trail=runs.trail
                />
            }
        }
        CellAction::ValidateToken => {
            let running = RwSignal::new(false);
            let output = pg.new_output();
            let trail = Trail::new();
            let id = cell.id.clone();
            view! {
                <CellFrame
                    cell=cell
                    editor=None
                    running=running
                    start=Callback::new(move |_| {
                        running.set(true);
                        trail.begin();
                        let id = id.clone();
                        leptos::task::spawn_local(async move {
                            let (result, valid) = run::validate(&pg, trail).await;
                            trail.end();
                            pg.cell_done(&id, valid);
                            output.set(Some(result));
                            running.set(false);
                        });
                    })
                    stop=Callback::new(|_| ())
                    output=output
                    trail=trail
                />
            }
        }
    }
}
