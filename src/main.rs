//! Entry point: starts the page, which loads its lesson and mounts it (and, in debug builds,
//! sets the readable panic hook).

fn main() {
    // Readable panic messages in debug builds only (their cost: docs/benchmarks.md).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(playground::start());
}
