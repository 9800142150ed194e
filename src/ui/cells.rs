//! The lesson's code cells: the token cell and the validate cell, with their output logs.

use std::time::Duration;

use leptos::either::Either;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use sandbox::{HttpRequest, HttpResponse};
use wasm_bindgen::JsCast;

use super::{run_button_id, CellOutput, Playground};
use crate::classify::{self, CredentialHints, TokenOutcome};
use crate::highlight;
use crate::keys::{self, surrounding_whitespace};
use crate::lesson::{Cell, CellAction};
use crate::output::print_response;
use crate::routing::{route, Destination};
use crate::runner::{self, Event};
use crate::token::{mm_ss, SavedToken};
use crate::{clock, net, request, storage, worker};

/// The code with line numbers and highlighting, read-only.
#[component]
fn CodeView(
    /// The code as the lesson shows it.
    code: String,
) -> impl IntoView {
    view! { <pre class="code" aria-label="Code" tabindex="0"><code inner_html=highlight::to_html(&code)></code></pre> }
}

/// The editable code: a transparent textarea over a highlighted copy of its text, so the
/// browser's own editing, selection and undo work. Tab indents; Escape then Tab leaves.
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
                <pre class="code" aria-hidden="true"><code inner_html=move || code.with(|c| highlight::to_html(c))></code></pre>
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

/// `role="log"`: what the cell printed, then the verdict and what to do next.
#[component]
fn OutputLog(
    /// The cell's output, if it ran.
    output: RwSignal<Option<CellOutput>>,
    /// Accessible name of the log.
    label: String,
) -> impl IntoView {
    view! {
        <div class="output" role="log" aria-label=label>
            {move || output.get().map(|out| view! {
                {out.printed.map(|p| view! { <pre class="printed">{p}</pre> })}
                {out.headline.map(|h| view! { <p class="verdict" class:ok=out.ok class:error=!out.ok>{h}</p> })}
                {out.explanation.map(|e| view! { <p class="explain">{e}</p> })}
            })}
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
                        "Edit the code and press Run: it runs as written. {{CLIENT_ID}} and the other placeholders are filled in from your keys only in the copy that runs. Tab indents; press Escape, then Tab, to leave the editor."
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
            <OutputLog output=output label=format!("Output of {}", cell.title) />
        </section>
    }
}

/// A lesson cell. A token cell is an editor whose code runs as written in a Web Worker; the
/// validate cell runs its hidden implementation natively.
#[component]
pub fn CodeCell(
    /// The cell as the lesson describes it.
    cell: Cell,
) -> impl IntoView {
    let pg = expect_context::<Playground>();
    match cell.action {
        CellAction::RequestToken => {
            let original = cell.code.clone();
            let code =
                RwSignal::new(storage::load_code(&cell.id).unwrap_or_else(|| original.clone()));
            let id = cell.id.clone();
            let lesson_code = original.clone();
            // Effect: keeps the learner's edits in storage (the outside world).
            Effect::new(move |_| {
                code.with(|c| storage::save_code(&id, (*c != lesson_code).then_some(c.as_str())));
            });
            let runs = Runs::new(pg, code);
            let running = runs.running;
            view! {
                <CellFrame
                    cell=cell
                    editor=Some((code, original))
                    running=running
                    start=Callback::new(move |_| runs.start())
                    stop=Callback::new(move |_| runs.finish(End::Stopped))
                    output=pg.token_output
                />
            }
        }
        CellAction::ValidateToken => {
            // A task and a flag, not an Action: the Action machinery costs the bundle about 3 KB.
            let running = RwSignal::new(false);
            view! {
                <CellFrame
                    cell=cell
                    editor=None
                    running=running
                    start=Callback::new(move |_| {
                        running.set(true);
                        leptos::task::spawn_local(async move {
                            let (output, valid) = run_validate_cell(&pg).await;
                            pg.validated.set(valid);
                            pg.validate_output.set(Some(output));
                            running.set(false);
                        });
                    })
                    stop=Callback::new(|_| ())
                    output=pg.validate_output
                />
            }
        }
    }
}

/// How a run ended.
#[derive(Clone, Debug)]
enum End {
    Done,
    Error {
        message: String,
        line: Option<u32>,
        column: Option<u32>,
    },
    TimedOut,
    Stopped,
}

/// What one run has gathered so far.
#[derive(Default)]
struct RunState {
    /// What the log shows (tokens masked in printed responses).
    shown: runner::Output,
    /// What the code printed, unmasked, to find a token in.
    raw: String,
    /// Secret values the code used, masked in error messages.
    secrets: Vec<String>,
    /// Lines before the code in the worker's script.
    offset: u32,
    /// The last answer from the token endpoint, and the keys' whitespace, to explain it.
    token_answer: Option<(HttpResponse, CredentialHints)>,
    /// A request that got no answer, explained.
    unanswered: Option<CellOutput>,
    target: &'static str,
    /// A redraw of the output is already scheduled.
    redraw_pending: bool,
}

/// The current run's worker and timer, and what it gathered.
#[derive(Default)]
struct Current {
    /// Bumped at every start and end, so late answers from an old worker are dropped.
    generation: u64,
    worker: Option<worker::Run>,
    timeout: Option<TimeoutHandle>,
    state: RunState,
}

/// The worker runs of one editable cell. Copyable handles only.
#[derive(Clone, Copy)]
struct Runs {
    pg: Playground,
    code: RwSignal<String>,
    running: RwSignal<bool>,
    /// One stored value for the whole run: each stored type costs the bundle its own code.
    current: StoredValue<Current, LocalStorage>,
}

impl Runs {
    fn new(pg: Playground, code: RwSignal<String>) -> Self {
        Runs {
            pg,
            code,
            running: RwSignal::new(false),
            current: StoredValue::new_local(Current::default()),
        }
    }

    fn generation(self) -> u64 {
        self.current.with_value(|c| c.generation)
    }

    fn state(self, f: impl FnOnce(&mut RunState)) {
        self.current.update_value(|c| f(&mut c.state));
    }

    /// Substitutes the keys and starts a fresh worker, or says which key is missing.
    fn start(self) {
        let pg = self.pg;
        let values = pg.keys.get_untracked();
        let saved = pg.saved.get_untracked();
        let names = pg.key_names.get_value();
        let mut known: Vec<&str> = names.iter().map(String::as_str).collect();
        known.push(keys::ACCESS_TOKEN);
        let prepared = runner::prepare(&self.code.get_untracked(), &known, |name| {
            if name == keys::ACCESS_TOKEN {
                saved.as_ref().map(|t| t.access_token.as_str())
            } else {
                values.get(name)
            }
        });
        let prepared = match prepared {
            Ok(p) => p,
            Err(message) => {
                pg.token_output
                    .set(Some(failure(None, "Nothing ran.".into(), message)));
                return;
            }
        };
        let (script, offset) = runner::script(&prepared.code);
        let generation = self.generation() + 1;
        self.current.update_value(|c| {
            c.generation = generation;
            c.state = RunState {
                secrets: prepared.secrets,
                offset,
                target: pg.target.get_untracked().as_param(),
                ..RunState::default()
            };
        });
        pg.token_output.set(None);
        let started = worker::Run::start(&script, move |event| self.on_event(generation, event));
        match started {
            Ok(run) => {
                self.running.set(true);
                let timeout = set_timeout_with_handle(
                    move || {
                        if self.generation() == generation {
                            self.finish(End::TimedOut);
                        }
                    },
                    Duration::from_millis(runner::TIMEOUT_MS as u64),
                );
                self.current.update_value(|c| {
                    c.worker = Some(run);
                    c.timeout = timeout.ok();
                });
            }
            Err(message) => {
                pg.token_output
                    .set(Some(failure(None, "Nothing ran.".into(), message)))
            }
        }
    }

    /// Shows what the code printed so far, while it runs: once per animation frame at most,
    /// so that code printing in a loop cannot keep the page busy redrawing.
    fn show_progress(self, generation: u64) {
        if self.current.with_value(|c| c.state.redraw_pending) {
            return;
        }
        self.state(|s| s.redraw_pending = true);
        request_animation_frame(move || {
            if self.generation() != generation {
                return;
            }
            let printed = self.current.try_update_value(|c| {
                c.state.redraw_pending = false;
                c.state.shown.text().to_owned()
            });
            self.pg.token_output.set(Some(CellOutput {
                printed,
                ..CellOutput::default()
            }));
        });
    }

    fn on_event(self, generation: u64, event: Event) {
        if self.generation() != generation {
            return;
        }
        match event {
            Event::Log(text) => self.state(|s| {
                s.shown.push(&text);
                s.raw.push_str(&text);
                s.raw.push('\n');
            }),
            Event::Print(response) => self.state(|s| {
                s.shown.push(&print_response(&response));
                s.raw.push_str(&response.body);
                s.raw.push('\n');
            }),
            Event::Truncated => self.state(|s| s.shown.truncate()),
            Event::Fetch { id, request } => {
                leptos::task::spawn_local(self.fetch(generation, id, request));
                return;
            }
            Event::Done => return self.finish(End::Done),
            Event::Error {
                message,
                line,
                column,
            } => {
                return self.finish(End::Error {
                    message,
                    line,
                    column,
                })
            }
        }
        self.show_progress(generation);
    }

    /// The worker's `fetch`, through the routing layer like every other request.
    async fn fetch(self, generation: u64, id: u64, request: HttpRequest) {
        let pg = self.pg;
        let result = send(&pg, &request).await;
        if self.generation() != generation {
            return;
        }
        let answer = match result {
            Ok(response) => {
                if request.url.starts_with(TOKEN_ENDPOINT) {
                    let values = pg.keys.get_untracked();
                    let hints = CredentialHints {
                        client_id_whitespace: surrounding_whitespace(
                            values.get("CLIENT_ID").unwrap_or_default(),
                        ),
                        client_secret_whitespace: surrounding_whitespace(
                            values.get("CLIENT_SECRET").unwrap_or_default(),
                        ),
                    };
                    let kept = (response.clone(), hints);
                    self.state(|s| s.token_answer = Some(kept));
                }
                Ok(response)
            }
            Err(Unsent::NotSpotify(message)) => Err(message),
            Err(Unsent::NoAnswer(output)) => {
                self.state(|s| s.unanswered = Some(output));
                Err("Failed to fetch".to_owned())
            }
        };
        self.current.with_value(|c| {
            if let Some(run) = &c.worker {
                run.reply(id, &answer);
            }
        });
    }

    /// Ends the run: the worker is terminated, and the log gets its verdict.
    fn finish(self, end: End) {
        if !self.running.get_untracked() {
            return;
        }
        let Some((worker, timeout, state)) = self.current.try_update_value(|c| {
            c.generation += 1;
            (
                c.worker.take(),
                c.timeout.take(),
                std::mem::take(&mut c.state),
            )
        }) else {
            return;
        };
        if let Some(run) = worker {
            run.stop();
            // `finish` may run inside the worker's own message callback: drop it later.
            set_timeout(move || drop(run), Duration::ZERO);
        }
        if let Some(timeout) = timeout {
            timeout.clear();
        }
        self.running.set(false);
        let pg = self.pg;
        let mut shown = state.shown;
        let verdict = match end {
            End::Error { message, line, column } => {
                let message = runner::mask(&message, &state.secrets);
                let position = line
                    .zip(column)
                    .and_then(|(l, c)| runner::code_position(state.offset, l, c));
                let at = position.map_or(String::new(), |(l, c)| format!(" at line {l}, column {c}"));
                shown.push(&format!("Uncaught {message}{at}"));
                failure(
                    None,
                    format!("Your code stopped with an error{at}."),
                    format!("{message}. Fix the code (Reset brings back the lesson's code), then press Run again."),
                )
            }
            End::TimedOut => failure(
                None,
                format!("Stopped after {} seconds.", runner::TIMEOUT_MS / 1000),
                "The code was still running: an endless loop, or a promise that never settles. Check loops and awaits, then press Run again.".into(),
            ),
            End::Stopped => failure(None, "Stopped.".into(), "You pressed Stop: the worker running the code was ended.".into()),
            End::Done => {
                if let Some(found) = runner::extract_token(&state.raw) {
                    pg.got_token.set(true);
                    pg.pending.set(Some(SavedToken {
                        expires_at: clock::now_seconds() + found.expires_in,
                        access_token: found.access_token,
                        token_type: found.token_type,
                        target: state.target.to_owned(),
                    }));
                    CellOutput {
                        headline: Some("Got an access token.".into()),
                        explanation: Some("Save it in the dialog to use it in the next cell.".into()),
                        ok: true,
                        ..CellOutput::default()
                    }
                } else if let Some(unanswered) = state.unanswered {
                    unanswered
                } else if let Some((response, hints)) = state.token_answer {
                    match classify::token_response(&response, hints) {
                        TokenOutcome::Failed(e) => CellOutput {
                            retry_at: retry_at(&response),
                            ..failure(None, e.headline, e.explanation)
                        },
                        TokenOutcome::Issued(_) => CellOutput {
                            headline: Some("Spotify issued a token, but the code did not print it.".into()),
                            explanation: Some("Print the response with printResponse(response) to see it and save it.".into()),
                            ..CellOutput::default()
                        },
                    }
                } else {
                    CellOutput {
                        headline: Some("Finished.".into()),
                        ..CellOutput::default()
                    }
                }
            }
        };
        let text = shown.text();
        // The ticking clock may lag up to a second: catch up, so that countdowns (the token's,
        // a Retry-After wait) start from their full length.
        pg.now.set(clock::now_seconds());
        pg.token_output.set(Some(CellOutput {
            printed: (!text.is_empty())
                .then(|| text.to_owned())
                .or(verdict.printed),
            ..verdict
        }));
    }
}

/// The token endpoint, whose answers get explained.
const TOKEN_ENDPOINT: &str = "https://accounts.spotify.com/api/token";

/// Why a request got no HTTP answer.
enum Unsent {
    /// Not a Spotify URL: the message says so.
    NotSpotify(String),
    /// Nothing answered: the output explains it.
    NoAnswer(CellOutput),
}

/// Sends through the routing layer.
async fn send(pg: &Playground, request: &HttpRequest) -> Result<HttpResponse, Unsent> {
    let destination = route(
        pg.target.get_untracked(),
        &pg.relay.get_untracked(),
        &request.url,
    )
    .map_err(|e| Unsent::NotSpotify(e.to_string()))?;
    let via_relay = matches!(
        destination,
        Destination::Network {
            via_relay: true,
            ..
        }
    );
    let sandbox = pg.sandbox.get_value();
    net::send(&destination, request, &sandbox)
        .await
        .map_err(|e| {
            let explained = classify::network_failure(via_relay);
            Unsent::NoAnswer(failure(
                Some(format!("Error: {}", e.message)),
                explained.headline,
                explained.explanation,
            ))
        })
}

fn failure(printed: Option<String>, headline: String, explanation: String) -> CellOutput {
    CellOutput {
        printed,
        headline: Some(headline),
        explanation: Some(explanation),
        ok: false,
        retry_at: None,
    }
}

/// When a rate-limited cell may run again, from the response's Retry-After.
fn retry_at(response: &HttpResponse) -> Option<u64> {
    classify::retry_after(response).map(|wait| clock::now_seconds() + wait)
}

async fn run_validate_cell(pg: &Playground) -> (CellOutput, bool) {
    let Some(saved) = pg.saved.get_untracked() else {
        let output = failure(
            None,
            "No saved token yet.".into(),
            "Run the \"Get an access token\" cell above, then press Save in the dialog that appears. Then run this cell again.".into(),
        );
        return (output, false);
    };
    let response = match send(pg, &request::validation_request(&saved.access_token)).await {
        Ok(r) => r,
        Err(Unsent::NotSpotify(message)) => {
            return (failure(None, "Not sent".into(), message), false)
        }
        Err(Unsent::NoAnswer(output)) => return (output, false),
    };
    let verdict = classify::validation_response(&response, saved.expires_at, clock::now_seconds());
    let (headline, explanation) = verdict.describe();
    let ok = verdict.is_valid();
    let output = CellOutput {
        printed: Some(print_response(&response)),
        headline: Some(headline),
        explanation: Some(explanation),
        ok,
        retry_at: retry_at(&response),
    };
    (output, ok)
}
