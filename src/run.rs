//! Runs a cell: the controller between the components and the edges. It owns a run's worker,
//! timeout and generation, routes the worker's requests, and hands what happened to the core
//! (`verdict`), which decides what the run means.

use std::time::Duration;

use leptos::prelude::*;
use playground_core::classify::{self, TokenOutcome};
use playground_core::exchange::{self, Answer, Exchange, RunRecord, Went};
use playground_core::keys::ACCESS_TOKEN;
use playground_core::lesson::{self, KeyOffer, KeySave};
use playground_core::routing::{route, Destination, Target};
use playground_core::runner::{self, Event};
use playground_core::token::SavedToken;
use playground_core::verdict::{self, failure, CellOutput, End, RunLog};
use playground_core::{renewal, request};
use wire::{HttpRequest, HttpResponse};

use crate::state::{PendingOffer, Playground};
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
    target: Target,
    /// A redraw of the output is already scheduled.
    redraw_pending: bool,
    /// This run already tried to renew the token: it renews at most once.
    renew_tried: bool,
    /// After a renewal: the refused token and its replacement, which later requests of the
    /// run carry instead.
    renewed: Option<(String, String)>,
}

/// A cell's requests: those of the run under way, and its last runs (memory only, for the
/// visit). Copyable handles only.
#[derive(Clone, Copy)]
pub struct Trail {
    /// The run under way: when it started (Unix ms) and its requests so far.
    current: StoredValue<(u64, Vec<Exchange>)>,
    /// The finished runs, oldest first, at most `exchange::HISTORY_LEN`.
    pub history: RwSignal<Vec<RunRecord>>,
    /// False while a run is under way: its output shows no requests yet.
    pub shown: RwSignal<bool>,
}

impl Default for Trail {
    fn default() -> Self {
        Self::new()
    }
}

impl Trail {
    pub fn new() -> Self {
        Trail {
            current: StoredValue::new((0, Vec::new())),
            history: RwSignal::new(Vec::new()),
            shown: RwSignal::new(false),
        }
    }

    /// A run starts.
    pub fn begin(self) {
        self.current.set_value((clock::now().0, Vec::new()));
        self.shown.set(false);
    }

    fn record(self, exchange: Exchange) {
        self.current.update_value(|(_, list)| list.push(exchange));
    }

    /// The run ended: it joins the history, and its requests show in the output.
    pub fn end(self) {
        let (started, exchanges) = self
            .current
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        self.history.update(|h| {
            let serial = h.last().map_or(1, |r| r.serial + 1);
            exchange::remember(
                h,
                RunRecord {
                    serial,
                    time: clock::local_time_seconds(started / 1000),
                    millis: clock::now().0.saturating_sub(started),
                    exchanges,
                },
            )
        });
        self.shown.set(true);
    }
}

/// What a run needs to know of its cell.
pub struct CellInfo {
    pub id: String,
    /// Keys the cell's answer can fill.
    pub saves: Vec<KeySave>,
}

/// The worker runs of one editable cell. Copyable handles only.
#[derive(Clone, Copy)]
pub struct Runs {
    pg: Playground,
    code: RwSignal<String>,
    /// True while the cell runs.
    pub running: RwSignal<bool>,
    /// What the cell shows.
    pub output: RwSignal<Option<CellOutput>>,
    cell: StoredValue<CellInfo>,
    pub trail: Trail,
    /// One stored value for the whole run (docs/benchmarks.md: each stored type costs code).
    current: StoredValue<Current, LocalStorage>,
}

impl Runs {
    pub fn new(pg: Playground, code: RwSignal<String>, cell: CellInfo) -> Self {
        Runs {
            pg,
            code,
            running: RwSignal::new(false),
            output: pg.new_output(),
            cell: StoredValue::new(cell),
            trail: Trail::new(),
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
        // The last run's requests leave the output now, even if nothing runs.
        self.trail.begin();
        let values = pg.keys.get_untracked();
        let saved = pg.saved.get_untracked();
        let names: Vec<String> = pg
            .key_specs
            .with_value(|specs| specs.iter().map(|s| s.name.clone()).collect());
        let known: Vec<&str> = names.iter().map(String::as_str).collect();
        let prepared = pg.course.with_value(|course| {
            runner::prepare(
                &self.code.get_untracked(),
                &known,
                |name| {
                    if name == ACCESS_TOKEN {
                        saved.as_ref().map(|t| t.access_token.as_str())
                    } else {
                        values.get(name)
                    }
                },
                |name| course.how_to_get(name),
            )
        });
        let code = match prepared {
            Ok(code) => code,
            Err(message) => {
                self.output
                    .set(Some(failure(None, "Nothing ran.".into(), message)));
                return;
            }
        };
        let (script, offset) = runner::script(worker::RUNTIME, &code);
        let generation = self.generation() + 1;
        self.current.update_value(|c| {
            c.generation = generation;
            c.log = RunLog::new(pg.secrets(), offset)
                .token_expires_at(saved.as_ref().map(|t| t.expires_at));
            c.target = pg.target.get_untracked();
            c.redraw_pending = false;
            c.renew_tried = false;
            c.renewed = None;
        });
        self.output.set(None);
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
            Err(message) => self
                .output
                .set(Some(failure(None, "Nothing ran.".into(), message))),
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
            self.output.set(Some(CellOutput {
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

    /// The worker's `fetch`, through the routing layer like every other request. With
    /// auto-renewal on, a Web API call answered 401 gets a new token and is sent once more.
    async fn fetch(self, generation: u64, id: u64, request: HttpRequest) {
        let pg = self.pg;
        let renewed = self.current.with_value(|c| c.renewed.clone());
        let mut request = match renewed {
            Some((old, new)) => renewal::with_token(&request, &old, &new),
            None => request,
        };
        let trail = Some(self.trail);
        let mut result = send(&pg, &request, trail).await;
        if self.generation() != generation {
            return;
        }
        let refused = result.as_ref().is_ok_and(|r| {
            renewal::should_renew(
                &request,
                r.status,
                pg.progress.with_untracked(|p| p.renew),
                self.current.with_value(|c| c.renew_tried),
            )
        });
        if refused {
            self.current.update_value(|c| c.renew_tried = true);
            let expired = pg.saved.with_untracked(|t| {
                t.as_ref()
                    .is_none_or(|t| t.expires_at <= clock::now_seconds())
            });
            match renew(&pg, trail).await {
                Ok(token) => {
                    if self.generation() != generation {
                        return;
                    }
                    let old = renewal::bearer(&request).unwrap_or_default();
                    let at = clock::local_time_seconds(clock::now_seconds());
                    self.log(|l| {
                        l.add_secret(&token.access_token);
                        l.note(&renewal::renewed_note(expired, &at));
                    });
                    request = renewal::with_token(&request, &old, &token.access_token);
                    self.current.update_value(|c| {
                        c.renewed = Some((old, token.access_token.clone()));
                    });
                    result = send(&pg, &request, trail).await;
                    if self.generation() != generation {
                        return;
                    }
                }
                Err(message) => self.log(|l| l.note(&message)),
            }
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
        self.trail.end();
        let pg = self.pg;
        let now = clock::now_seconds();
        let verdict = verdict::run_verdict(end, log, now, target);
        let id = self.cell.with_value(|c| c.id.clone());
        pg.cell_done(&id, verdict.output.ok);
        if let Some(token) = verdict.token {
            pg.got_token.set(true);
            pg.pending.set(Some(token));
        }
        if let Some(answer) = &verdict.answer {
            let offer = self.cell.with_value(|c| {
                c.saves.iter().find_map(|save| {
                    let choices = save.choices(answer);
                    (!choices.is_empty()).then(|| PendingOffer {
                        offer: KeyOffer {
                            key: save.key.clone(),
                            choices,
                        },
                        run_button: crate::focus::run_button_id(&c.id),
                    })
                })
            });
            if offer.is_some() {
                pg.key_offer.set(offer);
            }
        }
        // The ticking clock may lag up to a second: catch up, so that countdowns (the token's,
        // a Retry-After wait) start from their full length.
        pg.now.set(now);
        self.output.set(Some(verdict.output));
    }
}

/// Gets a new token with the first lesson's request and the keys panel's credentials, and
/// keeps it as the Save dialog does. The error says what to do instead.
pub async fn renew(pg: &Playground, trail: Option<Trail>) -> Result<SavedToken, String> {
    let (id, secret) = pg.course.with_value(|course| {
        pg.keys.with_untracked(|values| {
            pg.key_specs.with_value(|specs| {
                renewal::credentials(course.credentials.as_ref(), values, specs)
            })
        })
    })?;
    let response = send(pg, &request::token_request(&id, &secret), trail)
        .await
        .map_err(|_| renewal::UNREACHABLE.to_owned())?;
    match classify::token_response(&response, &[]) {
        TokenOutcome::Issued(issued) => {
            let token = SavedToken {
                expires_at: clock::now_seconds() + issued.expires_in,
                access_token: issued.access_token,
                token_type: issued.token_type,
                target: pg.target.get_untracked(),
            };
            pg.keep_token(&token);
            Ok(token)
        }
        TokenOutcome::Failed(e) => Err(renewal::refused_note(&e.headline)),
    }
}

/// Why a request got no HTTP answer.
enum Unsent {
    /// Not a Spotify URL: the message says so.
    NotSpotify(String),
    /// Nothing answered: the output explains it.
    NoAnswer(CellOutput),
}

/// Sends through the routing layer, and records what went over the wire in `trail`.
async fn send(
    pg: &Playground,
    request: &HttpRequest,
    trail: Option<Trail>,
) -> Result<HttpResponse, Unsent> {
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
    let started = clock::now().0;
    let result = net::send(&destination, request, pg.sandbox_token_lifetime).await;
    if let Some(trail) = trail {
        trail.record(Exchange {
            request: request.clone(),
            went: match &destination {
                Destination::Sandbox => Went::Sandbox,
                Destination::Network {
                    url,
                    via_relay: true,
                } => Went::Relay(url.clone()),
                Destination::Network { .. } => Went::Direct,
            },
            answer: match &result {
                Ok(r) => Answer::Http {
                    status: r.status,
                    headers: r.headers.clone(),
                    size: r.body.len(),
                    relay_error: via_relay.then(|| classify::relay_code(r)).flatten(),
                },
                Err(e) => Answer::Failed(e.message.clone()),
            },
            millis: clock::now().0.saturating_sub(started),
            known_secrets: pg.secret_values(),
        });
    }
    result.map_err(|e| {
        let explained = if e.outdated {
            classify::outdated_module()
        } else {
            classify::network_failure(&destination)
        };
        Unsent::NoAnswer(failure(
            Some(format!("Error: {}", e.message)),
            explained.headline,
            explained.explanation,
        ))
    })
}

/// The validate cell: its hidden implementation's request with the saved token. Returns what
/// the cell shows, and whether the token works.
pub async fn validate(pg: &Playground, trail: Trail) -> (CellOutput, bool) {
    let Some(saved) = pg.saved.get_untracked() else {
        let output = failure(
            None,
            "No saved token yet.".into(),
            "Run the \"Get an access token\" cell above, then press Save in the dialog that appears. Then run this cell again.".into(),
        );
        return (output, false);
    };
    let request = playground_core::request::validation_request(&saved.access_token);
    match send(pg, &request, Some(trail)).await {
        Ok(response) => verdict::validate_verdict(&response, &saved, clock::now_seconds()),
        Err(Unsent::NotSpotify(message)) => (failure(None, "Not sent".into(), message), false),
        Err(Unsent::NoAnswer(output)) => (output, false),
    }
}
