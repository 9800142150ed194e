//! The "API keys" box: every key the course has met, where each value came from, masking,
//! whitespace warnings, storage choices and the auto-renewal setting.

use leptos::prelude::*;
use playground_core::keys::surrounding_whitespace;
use playground_core::lesson::KeySpec;
use playground_core::progress::Origin;
use playground_core::routing::Target;

use crate::state::Playground;

/// Inputs for each key the course has met by this lesson, above the cells.
#[component]
pub fn KeysPanel(
    /// The keys, in display order.
    keys: Vec<KeySpec>,
) -> impl IntoView {
    let pg = expect_context::<Playground>();
    // The sandbox's values, as the lesson file gives them.
    let sandbox_values: Vec<(String, String)> = keys
        .iter()
        .filter_map(|k| Some((k.name.clone(), k.sandbox.clone()?)))
        .collect();
    let has_sandbox_values = !sandbox_values.is_empty();
    let fill_sandbox = move |_| {
        pg.keys.update(|k| {
            for (name, value) in &sandbox_values {
                k.set(name, value.clone());
            }
        });
        pg.progress.update(|p| {
            for (name, _) in &sandbox_values {
                p.set_origin(name, Origin::Sandbox);
            }
        });
    };
    view! {
        <section class="keys" aria-labelledby="keys-title">
            <h2 id="keys-title">"API keys"</h2>
            {keys.into_iter().map(|spec| view! { <KeyInput spec=spec /> }).collect_view()}
            <div class="key-actions">
                <label class="remember">
                    <input
                        type="checkbox"
                        prop:checked=move || pg.remember.get()
                        on:change=move |ev| pg.remember.set(event_target_checked(&ev))
                    />
                    "Remember on this device"
                </label>
                <button type="button" hidden=move || !has_sandbox_values || pg.target.get() != Target::Sandbox on:click=fill_sandbox>"Use sandbox credentials"</button>
                <button type="button" class="danger" on:click=move |_| pg.forget()>"Forget"</button>
            </div>
            <p class="help">
                {move || if pg.remember.get() {
                    "Kept in this browser's local storage until you press Forget."
                } else {
                    "Kept only for this tab (session storage). They are sent nowhere but the token endpoint."
                }}
            </p>
            <label class="renew">
                <input
                    type="checkbox"
                    aria-describedby="renew-help"
                    prop:checked=move || pg.progress.with(|p| p.renew)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        pg.progress.update(|p| p.renew = on)
                    }
                />
                "Renew the token automatically"
            </label>
            <p class="help" id="renew-help">
                "On a 401 (expired token), get and save a new token with the first lesson's request and your credentials, then send the call once more. Never on other errors."
            </p>
        </section>
    }
}

/// One labelled input, masked when the key is secret.
#[component]
fn KeyInput(
    /// Which key this input edits.
    spec: KeySpec,
) -> impl IntoView {
    let pg = expect_context::<Playground>();
    let shown = RwSignal::new(false);
    let id = format!("key-{}", spec.name.to_ascii_lowercase().replace('_', "-"));
    let warning_id = format!("{id}-warning");
    let name = spec.name.clone();
    let value = {
        let name = name.clone();
        move || pg.key(&name).unwrap_or_default()
    };
    let label = spec.label.clone();
    let warning = {
        let value = value.clone();
        move || surrounding_whitespace(&value()).map(|w| w.warning(&label))
    };
    let has_warning = {
        let warning = warning.clone();
        move || warning().is_some()
    };
    let secret = spec.secret;
    let origin_id = format!("{id}-origin");
    let origin = {
        let name = name.clone();
        move || {
            let set = pg
                .keys
                .with(|k| k.get(&name).is_some_and(|v| !v.is_empty()));
            if !set {
                return pg.course.with_value(|c| match c.how_to_get(&name) {
                    Some(how) => format!("Not set yet. {how}."),
                    None => "Not set yet.".to_owned(),
                });
            }
            pg.progress.with(|p| match p.origin(&name) {
                Some(Origin::Sandbox) => "The sandbox's value.".to_owned(),
                Some(Origin::Saved(lesson)) => pg.course.with_value(|c| {
                    let index = c.lessons.iter().position(|e| &e.id == lesson);
                    match index {
                        Some(i) => {
                            format!("Saved from lesson {}, \"{}\".", i + 1, c.lessons[i].title)
                        }
                        None => "Saved from a lesson.".to_owned(),
                    }
                }),
                _ => "Typed by you.".to_owned(),
            })
        }
    };
    view! {
        <div class="key">
            <label for=id.clone()>{spec.label.clone()}</label>
            <div class="key-row">
                <input
                    id=id.clone()
                    type=move || if secret && !shown.get() { "password" } else { "text" }
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby=format!("{origin_id} {warning_id}")
                    aria-invalid=move || has_warning().then_some("true")
                    prop:value=value
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        pg.keys.update(|k| k.set(&name, text));
                        pg.progress.update(|p| p.set_origin(&name, Origin::Typed));
                    }
                />
                {secret.then(|| view! {
                    <button
                        type="button"
                        aria-controls=id.clone()
                        aria-pressed=move || shown.get().to_string()
                        on:click=move |_| shown.update(|s| *s = !*s)
                    >
                        {move || if shown.get() { "Hide" } else { "Show" }}
                    </button>
                })}
            </div>
            <p id=origin_id class="origin">{origin}</p>
            <p id=warning_id class="warning" aria-live="polite">{warning}</p>
        </div>
    }
}
