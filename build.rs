//! Embeds every lesson file in `content/` so that adding a lesson means adding a file.
//!
//! Files are embedded as compact JSON (smaller bundle); a file that is not JSON is embedded as
//! written, so the content test reports the syntax error with its position.

use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=content");
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut files: Vec<_> = fs::read_dir("content")
        .expect("content/ exists next to Cargo.toml")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let mut out = String::from(
        "/// Every lesson file in `content/`, as (file name, JSON text).\npub static LESSON_SOURCES: &[(&str, &str)] = &[\n",
    );
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 file name");
        let text = fs::read_to_string(path).expect("lesson files are UTF-8 text");
        let compact = serde_json::from_str::<serde_json::Value>(&text)
            .map(|value| value.to_string())
            .unwrap_or(text);
        let embedded = Path::new(&out_dir).join(name);
        fs::write(&embedded, compact).expect("OUT_DIR is writable");
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            embedded.display().to_string()
        ));
    }
    out.push_str("];\n");
    fs::write(Path::new(&out_dir).join("lessons.rs"), out).expect("OUT_DIR is writable");
}
