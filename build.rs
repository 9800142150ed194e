//! Checks every lesson file in `content/` and writes the course's outline for the page.
//!
//! Each file is read with serde into the core's lesson model and checked with
//! `Lesson::check`, and the course as a whole with `course_problems`; any problem fails the
//! build with the file and what is wrong. The page gets `$OUT_DIR/course.rs`, the outline
//! (each lesson's id, title, file and keys; who provides which key), and loads the lesson it
//! shows from its file at run time, so that adding a lesson adds nothing to the page's first
//! load (docs/benchmarks.md).

use std::fmt::Write as _;
use std::{env, fs, path::Path};

use playground_core::lesson::{course_problems, Course, KeySpec, Lesson, Outline};

fn main() {
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
                Ok(lesson) => lessons.push((name, lesson)),
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
    let mut out = String::from(
        "/// The course's outline, from `content/` in file-name order, checked at build time.\npub fn course() -> Course {\n",
    );
    writeln!(out, "    {}", Course::of(&lessons).rust()).expect("writing to a String");
    out.push_str("}\n");
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    fs::write(Path::new(&out_dir).join("course.rs"), out).expect("OUT_DIR is writable");
}

/// A value written as the Rust expression that builds it. Struct literals name every field,
/// so a field added to the model and forgotten here does not compile.
trait Rust {
    fn rust(&self) -> String;
}

impl Rust for String {
    fn rust(&self) -> String {
        // Debug writes a valid Rust string literal.
        format!("String::from({self:?})")
    }
}

impl Rust for bool {
    fn rust(&self) -> String {
        self.to_string()
    }
}

impl Rust for usize {
    fn rust(&self) -> String {
        self.to_string()
    }
}

impl<T: Rust> Rust for Vec<T> {
    fn rust(&self) -> String {
        let items: Vec<String> = self.iter().map(Rust::rust).collect();
        format!("vec![{}]", items.join(", "))
    }
}

impl<T: Rust> Rust for Option<T> {
    fn rust(&self) -> String {
        match self {
            Some(value) => format!("Some({})", value.rust()),
            None => "None".to_owned(),
        }
    }
}

impl Rust for KeySpec {
    fn rust(&self) -> String {
        let KeySpec {
            name,
            label,
            secret,
            sandbox,
            suspect_for,
        } = self;
        format!(
            "KeySpec {{ name: {}, label: {}, secret: {}, sandbox: {}, suspect_for: {} }}",
            name.rust(),
            label.rust(),
            secret.rust(),
            sandbox.rust(),
            suspect_for.rust()
        )
    }
}

impl<A: Rust, B: Rust> Rust for (A, B) {
    fn rust(&self) -> String {
        format!("({}, {})", self.0.rust(), self.1.rust())
    }
}

impl Rust for Outline {
    fn rust(&self) -> String {
        let Outline {
            id,
            title,
            file,
            keys,
        } = self;
        format!(
            "Outline {{ id: {}, title: {}, file: {}, keys: {} }}",
            id.rust(),
            title.rust(),
            file.rust(),
            keys.rust()
        )
    }
}

impl Rust for Course {
    fn rust(&self) -> String {
        let Course {
            lessons,
            providers,
            credentials,
        } = self;
        format!(
            "Course {{ lessons: {}, providers: {}, credentials: {} }}",
            lessons.rust(),
            providers.rust(),
            credentials.rust()
        )
    }
}
