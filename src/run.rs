//! Runs a cell: the controller between the components and the edges. It owns a run's worker,
//! timeout and generation, routes the worker's requests, and hands what happened to the core
//! (`verdict`), which decides what the run means.

use std::time::Duration;

use leptos::prelude::*;
use playground_core::keys::ACCESS_TOKEN;
use playground_core::lesson;
use playground_core::routing::{route, Destination};
use playground_core::runner::{self, Event};
use playground_core::verdict::{self, failure, CellOutput, End, RunLog};
use sandbox::{HttpRequest, HttpResponse};

use crate::state::Playground;
use crate::{clock, net, worker};

/// The current run's worker and timer, and what it gathered.
#[derive(Default)]
struct Current {
    /// Bumped at every start and end, so late answers from an old worker are dropped.
    generation: u64,
    worker: Option<worker::Run>,
    timeout: Option<TimeoutHandle>,
    log: RunLog,
    /// Where the run's requests went, which a saved token remembers.
    target: &'static str,
    /// A redraw of the output is already scheduled.
    redraw_pending: bool,
}

/// The worker runs of one editable cell. Copyable handles only.
#[derive(Clone, Copy)]
pub struct Runs {
    pg: Playground,
    code: RwSignal<String>,
    /// True while the cell runs.
    pub running: RwSignal<bool>,
    /// One stored value for the whole run (docs/benchmarks.md: each stored type costs code).
    current: StoredValue<Current, LocalStorage>,
}

impl Runs {
    pub fn new(pg: Playground, code: RwSignal<String>) -> Self {
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

    fn log(self, f: impl FnOnce(&mut RunLog)) {
        self.current.update_value(|c| f(&mut c.log));
    }

    /// Substitutes the keys and starts a fresh worker, or says which key is missing.
    pub fn start(self) {
        let pg = self.pg;
        let values = pg.keys.get_untracked();
        let saved = pg.saved.get_untracked();
        let names: Vec<String> = pg
            .key_specs
            .with_value(|specs| specs.iter().map(|s| s.name.clone()).collect());
        let known: Vec<&str> = names.iter().map(String::as_str).collect();
        let prepared = runner::prepare(&self.code.get_untracked(), &known, |name| {
            if name == ACCESS_TOKEN {
                saved.as_ref().map(|t| t.access_token.as_str())
            } else {
                values.get(name)
            }
        });
        let code = match prepared {
            Ok(code) => code,
            Err(message) => {
                pg.token_output
                    .set(Some(failure(None, "Nothing ran.".into(), message)));
                return;
            }
        };
        let (script, offset) = runner::script(worker::RUNTIME, &code);
        let generation = self.generation() + 1;
        self.current.update_value(|c| {
            c.generation = generation;
            c.log = RunLog::new(pg.secrets(), offset);
            c.target = pg.target.get_untracked().as_param();
            c.redraw_pending = false;
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
        if self.current.with_value(|c| c.redraw_pending) {
            return;
        }
        self.current.update_value(|c| c.redraw_pending = true);
        request_animation_frame(move || {
            if self.generation() != generation {
                return;
            }
            let printed = self.current.try_update_value(|c| {
                c.redraw_pending = false;
                c.log.shown().to_owned()
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
            Event::Log(text) => self.log(|l| l.log(&text)),
            Event::Print(response) => self.log(|l| l.print(&response)),
            Event::Truncated => self.log(RunLog::truncate),
            Event::Fetch { id, request } => {
                self.log(|l| l.sending(&request));
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
                let hints = pg.keys.with_untracked(|values| {
                    pg.key_specs
                        .with_value(|specs| lesson::hints(specs, values))
                });
                // Before the code sees the answer, so a token it holds is masked from the start.
                self.log(|l| l.answered(&request, &response, hints));
                Ok(response)
            }
            Err(Unsent::NotSpotify(message)) => Err(message),
            Err(Unsent::NoAnswer(output)) => {
                self.log(|l| l.unanswered(output));
                Err("Failed to fetch".to_owned())
            }
        };
        self.current.with_value(|c| {
            if let Some(run) = &c.worker {
                run.reply(id, &answer);
            }
        });
    }

    /// Ends the run: the worker is terminated, and the core gives the verdict.
    pub fn finish(self, end: End) {
        if !self.running.get_untracked() {
            return;
        }
        let Some((worker, timeout, log, target)) = self.current.try_update_value(|c| {
            c.generation += 1;
            (
                c.worker.take(),
                c.timeout.take(),
                std::mem::take(&mut c.log),
                c.target,
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
        let now = clock::now_seconds();
        let verdict = verdict::run_verdict(end, log, now, target);
        if let Some(token) = verdict.token {
            pg.got_token.set(true);
            pg.pending.set(Some(token));
        }
        // The ticking clock may lag up to a second: catch up, so that countdowns (the token's,
        // a Retry-After wait) start from their full length.
        pg.now.set(now);
        pg.token_output.set(Some(verdict.output));
    }
}

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
            let explained = playground_core::classify::network_failure(via_relay);
            Unsent::NoAnswer(failure(
                Some(format!("Error: {}", e.message)),
                explained.headline,
                explained.explanation,
            ))
        })
}

/// The validate cell: its hidden implementation's request with the saved token. Returns what
/// the cell shows, and whether the token works.
pub async fn validate(pg: &Playground) -> (CellOutput, bool) {
    let Some(saved) = pg.saved.get_untracked() else {
        let output = failure(
            None,
            "No saved token yet.".into(),
            "Run the \"Get an access token\" cell above, then press Save in the dialog that appears. Then run this cell again.".into(),
        );
        return (output, false);
    };
    let request = playground_core::request::validation_request(&saved.access_token);
    match send(pg, &request).await {
        Ok(response) => verdict::validate_verdict(&response, &saved, clock::now_seconds()),
        Err(Unsent::NotSpotify(message)) => (failure(None, "Not sent".into(), message), false),
        Err(Unsent::NoAnswer(output)) => (output, false),
    }
}
