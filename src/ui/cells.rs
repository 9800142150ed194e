//! The lesson's code cells: the token cell and the validate cell, with their output logs.

use leptos::prelude::*;
use sandbox::HttpRequest;

use super::{CellOutput, Playground};
use crate::classify::{self, CredentialHints, TokenOutcome};
use crate::highlight::highlight;
use crate::keys::{self, surrounding_whitespace};
use crate::lesson::{Cell, CellAction};
use crate::output::print_response;
use crate::routing::{route, Destination};
use crate::token::{mm_ss, SavedToken};
use crate::{clock, net, request};

/// The code with line numbers and highlighting; placeholders are marked, never filled in.
#[component]
fn CodeView(
    /// The code as the lesson shows it.
    code: String,
) -> impl IntoView {
    let lines = highlight(&code);
    view! {
        <pre class="code" aria-label="Code" tabindex="0"><code>
            {lines
                .into_iter()
                .enumerate()
                .map(|(i, pieces)| view! {
                    <span class="line">
                        <span class="ln" aria-hidden="true">{i + 1}</span>
                        {pieces
                            .into_iter()
                            .map(|(class, text)| view! { <span class=class.css()>{text}</span> })
                            .collect_view()}
                        "\n"
                    </span>
                })
                .collect_view()}
        </code></pre>
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

/// A cell's frame: heading, code, Run with progress, and the log.
#[component]
fn CellFrame(
    cell: Cell,
    /// What Run does.
    run: Action<(), ()>,
    output: RwSignal<Option<CellOutput>>,
    /// The Run button, so that focus can return to it.
    run_ref: NodeRef<leptos::html::Button>,
) -> impl IntoView {
    let pg = expect_context::<Playground>();
    let heading_id = format!("cell-{}-title", cell.id);
    let labelled_by = heading_id.clone();
    let pending = run.pending();
    // Seconds left of a Retry-After wait, while one runs.
    let wait_left = move || {
        let retry_at = output.with(|o| o.as_ref().and_then(|o| o.retry_at))?;
        retry_at.checked_sub(pg.now.get()).filter(|left| *left > 0)
    };
    view! {
        <section class="cell" aria-labelledby=labelled_by aria-busy=move || pending.get().to_string()>
            // Alone in an embed (`?cells=`), a cell heading follows the page's h1 directly:
            // level 2 (the `ariaLevel` property sets the `aria-level` attribute).
            <h3 id=heading_id class="cell-title" prop:ariaLevel=pg.cells_only.then_some("2")>{cell.title.clone()}</h3>
            <CodeView code=cell.code.clone() />
            {cell.implementation_hidden.then(|| view! {
                <p class="help">"The implementation of this function is hidden, as in the lesson."</p>
            })}
            <div class="cell-actions">
                <button
                    type="button"
                    class="run primary"
                    node_ref=run_ref
                    disabled=move || pending.get() || wait_left().is_some()
                    on:click=move |_| {
                        run.dispatch(());
                    }
                >
                    "Run"
                </button>
                <Show when=move || pending.get()>
                    <span class="progress"><span class="spinner" aria-hidden="true"></span>"Running…"</span>
                </Show>
                <span class="retry-wait">
                    {move || wait_left().map(|left| format!("Rate limited: you can run again in {}.", mm_ss(left)))}
                </span>
            </div>
            <OutputLog output=output label=format!("Output of {}", cell.title) />
        </section>
    }
}

/// A lesson cell; what Run does depends on the cell's action.
#[component]
pub fn CodeCell(
    /// The cell as the lesson describes it.
    cell: Cell,
) -> impl IntoView {
    let pg = expect_context::<Playground>();
    // Both arms make the same `Action<(), ()>` type, so the frame is one view type.
    let (run, output, run_ref) = match cell.action {
        // "Get an access token": the client-credentials request written in the code.
        CellAction::RequestToken => {
            let code = cell.code.clone();
            let run = Action::new_local(move |_: &()| {
                let code = code.clone();
                async move {
                    let (output, token) = run_token_cell(&pg, &code).await;
                    if let Some(token) = token {
                        // The ticking clock may lag up to a second behind the token's issue
                        // time; catch up so the countdown never shows more than its lifetime.
                        pg.now.set(clock::now_seconds());
                        pg.got_token.set(true);
                        pg.pending.set(Some(token));
                    }
                    pg.token_output.set(Some(output));
                }
            });
            (run, pg.token_output, pg.token_run)
        }
        // "Validate the access token": reads a track with the saved token.
        CellAction::ValidateToken => {
            let run = Action::new_local(move |_: &()| async move {
                let (output, valid) = run_validate_cell(&pg).await;
                pg.validated.set(valid);
                pg.validate_output.set(Some(output));
            });
            (run, pg.validate_output, NodeRef::new())
        }
    };
    view! { <CellFrame cell=cell run=run output=output run_ref=run_ref /> }
}

/// Sends through the routing layer; `Err` is the output to show when nothing answered.
async fn send(pg: &Playground, request: &HttpRequest) -> Result<sandbox::HttpResponse, CellOutput> {
    let destination = route(
        pg.target.get_untracked(),
        &pg.relay.get_untracked(),
        &request.url,
    )
    .map_err(|e| failure(None, "Not sent".into(), e.to_string()))?;
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
            failure(
                Some(format!("Error: {}", e.message)),
                explained.headline,
                explained.explanation,
            )
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
fn retry_at(response: &sandbox::HttpResponse) -> Option<u64> {
    classify::retry_after(response).map(|wait| clock::now_seconds() + wait)
}

async fn run_token_cell(pg: &Playground, code: &str) -> (CellOutput, Option<SavedToken>) {
    let values = pg.keys.get_untracked();
    if let Err(missing) = keys::substitute(code, |name| values.get(name)) {
        return (
            failure(None, "Missing credentials".into(), missing.to_string()),
            None,
        );
    }
    let value = |name: &str| values.get(name).unwrap_or_default().to_owned();
    let (client_id, client_secret) = (value("CLIENT_ID"), value("CLIENT_SECRET"));
    let hints = CredentialHints {
        client_id_whitespace: surrounding_whitespace(&client_id),
        client_secret_whitespace: surrounding_whitespace(&client_secret),
    };
    let target = pg.target.get_untracked();
    let response = match send(pg, &request::token_request(&client_id, &client_secret)).await {
        Ok(r) => r,
        Err(output) => return (output, None),
    };
    let printed = Some(print_response(&response));
    match classify::token_response(&response, hints) {
        TokenOutcome::Issued(issued) => {
            let token = SavedToken {
                expires_at: clock::now_seconds() + issued.expires_in,
                access_token: issued.access_token,
                token_type: issued.token_type,
                target: target.as_param().to_owned(),
            };
            let output = CellOutput {
                printed,
                headline: Some("Got an access token.".into()),
                explanation: Some("Save it in the dialog to use it in the next cell.".into()),
                ok: true,
                retry_at: None,
            };
            (output, Some(token))
        }
        TokenOutcome::Failed(e) => {
            let mut output = failure(printed, e.headline, e.explanation);
            output.retry_at = retry_at(&response);
            (output, None)
        }
    }
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
        Err(output) => return (output, false),
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
