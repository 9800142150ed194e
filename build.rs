//! Embeds every lesson file in `content/` so that adding a lesson means adding a file.

use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=content");
    let mut files: Vec<_> = fs::read_dir("content")
        .expect("content/ exists next to Cargo.toml")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let mut out = String::from("/// Every lesson file in `content/`, as (file name, JSON text).\npub static LESSON_SOURCES: &[(&str, &str)] = &[\n");
    for path in &files {
        let absolute = fs::canonicalize(path).expect("lesson path resolves");
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 file name");
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            absolute.display().to_string()
        ));
        println!("cargo:rerun-if-changed={}", path.display());
    }
    out.push_str("];\n");
    let target = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("lessons.rs");
    fs::write(target, out).expect("OUT_DIR is writable");
}
