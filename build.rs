//! Checks every lesson file in `content/` and writes the course's outline for the page.
//!
//! Each file is read with serde into the core's lesson model and checked with
//! `Lesson::check` (and `grading::problems`: a graded launch must recognise each cell's
//! call), and the course as a whole with `course_problems`; any problem fails the
//! build with the file and what is wrong. The page gets `$OUT_DIR/course.json`, the outline
//! (each lesson's id, title, file and keys; who provides which key) written by `Course`'s
//! derived serializer, and loads the lesson it shows from its file at run time, so that
//! adding a lesson adds little to the page's first load (docs/benchmarks.md).
//!
//! It also gives the page the digest of its contract with the on-demand module
//! (`ondemand/contract.rs`), which the module's build script computes the same way.

use std::{env, fs, path::Path};

use playground_core::lesson::{course_problems, Course, Lesson};

#[path = "ondemand/contract.rs"]
mod contract;

fn main() {
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("Cargo sets CARGO_MANIFEST_DIR");
    println!(
        "cargo:rustc-env=ONDEMAND_CONTRACT={}",
        contract::digest(Path::new(&manifest))
    );
    println!("cargo:rerun-if-changed=content");
    let mut files: Vec<_> = fs::read_dir("content")
        .expect("content/ exists next to Cargo.toml")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let mut problems = Vec::new();
    let mut lessons = Vec::new();
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 file name")
            .to_owned();
        let text = fs::read_to_string(path).expect("lesson files are UTF-8 text");
        match serde_json::from_str::<Lesson>(&text) {
            Ok(lesson) => match lesson.check(&name) {
                // A graded launch (LTI) must recognise each cell's call on the server.
                Ok(lesson) => {
                    problems.extend(
                        playground_core::grading::problems(&lesson)
                            .into_iter()
                            .map(|p| format!("content/{name}: {p}")),
                    );
                    lessons.push((name, lesson));
                }
                Err(error) => problems.push(format!("content/{error}")),
            },
            Err(error) => problems.push(format!("content/{name}: {error}")),
        }
    }
    if lessons.is_empty() && problems.is_empty() {
        problems.push("content/ has no lesson file".to_owned());
    }
    if problems.is_empty() {
        let only: Vec<Lesson> = lessons.iter().map(|(_, l)| l.clone()).collect();
        problems.extend(
            course_problems(&only)
                .into_iter()
                .map(|p| format!("content/: {p}")),
        );
    }
    if !problems.is_empty() {
        panic!(
            "\n\nThe lesson content has problems:\n  {}\n\n",
            problems.join("\n  ")
        );
    }
    let course = serde_json::to_string(&Course::of(&lessons)).expect("the course is plain data");
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    fs::write(Path::new(&out_dir).join("course.json"), course).expect("OUT_DIR is writable");
}
