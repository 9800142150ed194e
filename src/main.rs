//! Entry point: mounts the app (and, in debug builds, the readable panic hook).

fn main() {
    // Readable panic messages cost 1.2 KB gzip of the page budget: debug builds only.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(playground::App);
}
