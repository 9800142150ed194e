//! The contract between the page and its on-demand module, as a digest of every source that
//! decides what the two say to each other: the `wire` and `playground-core` crates (the
//! values that cross, and their serializers), the module's own sources, the page's bindings
//! (`src/ondemand.rs`) and `Cargo.lock` (serde's version). Both build scripts include this
//! file and compute the same digest from the same tree, so a page and a module from the
//! same build agree, and a page left open across a release can tell a newer module apart.
//! FNV-1a (64 bits), which never changes with the compiler, over each file's path and bytes.

use std::fs;
use std::path::{Path, PathBuf};

/// What the digest covers, relative to the workspace: folders (every file in them) and files.
const SOURCES: [&str; 5] = [
    "wire/src",
    "core/src",
    "ondemand/src",
    "src/ondemand.rs",
    "Cargo.lock",
];

/// The contract's digest for the workspace at `root`, as 16 hex digits. Tells Cargo to run
/// the build script again when any of these sources changes.
pub fn digest(root: &Path) -> String {
    let mut files = Vec::new();
    for source in SOURCES {
        let path = root.join(source);
        println!("cargo:rerun-if-changed={}", path.display());
        collect(&path, &mut files);
    }
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in &files {
        let relative = file.strip_prefix(root).unwrap_or(file);
        let bytes = fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for byte in relative.to_string_lossy().bytes().chain([0]).chain(bytes) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let entries = fs::read_dir(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for entry in entries {
            collect(&entry.expect("a directory entry").path(), files);
        }
    } else {
        files.push(path.to_path_buf());
    }
}
