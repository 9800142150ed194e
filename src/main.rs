//! Entry point: mounts the app (and, in debug builds, the readable panic hook).

fn main() {
    // Readable panic messages in debug builds only (their cost: docs/benchmarks.md).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(playground::App);
}
