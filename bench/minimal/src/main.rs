//! A minimal Leptos CSR page: a heading, a paragraph and a button that counts, mounted to the
//! body; then the `playground-interactive` mark, as the playground sets it once mounted.

use leptos::prelude::*;

#[component]
fn Minimal() -> impl IntoView {
    let count = RwSignal::new(0);
    // Effect: runs once the view is mounted, like the playground's mark.
    Effect::new(move |_| {
        if let Some(performance) = window().performance() {
            let _ = performance.mark("playground-interactive");
        }
    });
    view! {
        <main>
            <h1>"A minimal Leptos page"</h1>
            <p>"The yardstick for the playground's time to interactive."</p>
            <button on:click=move |_| count.update(|c| *c += 1)>"Run " {count}</button>
        </main>
    }
}

fn main() {
    leptos::mount::mount_to_body(Minimal);
}
