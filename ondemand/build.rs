//! Gives the module the contract's digest (`contract.rs`), which the page checks before it
//! uses the module.

use std::path::Path;

#[path = "contract.rs"]
mod contract;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("Cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).join("..");
    println!(
        "cargo:rustc-env=ONDEMAND_CONTRACT={}",
        contract::digest(&root)
    );
}
