//! Turns every lesson file in `content/` into Rust values, so that adding a lesson means adding
//! a file and the page parses nothing at start-up.
//!
//! Each file is read with serde into the core's lesson model and checked with
//! `Lesson::problems`; any problem fails the build with the file and what is wrong. The
//! lessons are then written to `$OUT_DIR/lessons.rs` as a function that builds them.

use std::fmt::Write as _;
use std::{env, fs, path::Path};

use playground_core::lesson::{
    course_problems, Block, Cell, CellAction, Condition, ExplanationItem, KeySave, KeySpec, Lesson,
    Step,
};

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
                Ok(lesson) => lessons.push(lesson),
                Err(error) => problems.push(format!("content/{error}")),
            },
            Err(error) => problems.push(format!("content/{name}: {error}")),
        }
    }
    if lessons.is_empty() && problems.is_empty() {
        problems.push("content/ has no lesson file".to_owned());
    }
    if problems.is_empty() {
        problems.extend(
            course_problems(&lessons)
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
        "/// Every lesson in `content/`, in course (file-name) order, checked at build time.\npub fn lessons() -> Vec<Lesson> {\n    vec![\n",
    );
    for lesson in &lessons {
        writeln!(out, "        {},", lesson.rust()).expect("writing to a String");
    }
    out.push_str("    ]\n}\n");
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    fs::write(Path::new(&out_dir).join("lessons.rs"), out).expect("OUT_DIR is writable");
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

impl Rust for Lesson {
    fn rust(&self) -> String {
        let Lesson {
            id,
            title,
            summary,
            keys,
            steps,
            blocks,
        } = self;
        format!(
            "Lesson {{ id: {}, title: {}, summary: {}, keys: {}, steps: {}, blocks: {} }}",
            id.rust(),
            title.rust(),
            summary.rust(),
            keys.rust(),
            steps.rust(),
            blocks.rust()
        )
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

impl Rust for Step {
    fn rust(&self) -> String {
        let Step { label, done_when } = self;
        let condition = match done_when {
            Condition::Keys => "Condition::Keys".to_owned(),
            Condition::TokenReceived => "Condition::TokenReceived".to_owned(),
            Condition::TokenSaved => "Condition::TokenSaved".to_owned(),
            Condition::Cell(id) => format!("Condition::Cell({})", id.rust()),
            Condition::Key(name) => format!("Condition::Key({})", name.rust()),
        };
        format!("Step {{ label: {}, done_when: {condition} }}", label.rust())
    }
}

impl Rust for Block {
    fn rust(&self) -> String {
        match self {
            Block::Heading { text } => format!("Block::Heading {{ text: {} }}", text.rust()),
            Block::Paragraph { text } => format!("Block::Paragraph {{ text: {} }}", text.rust()),
            Block::Note { text } => format!("Block::Note {{ text: {} }}", text.rust()),
            Block::Cell(cell) => format!("Block::Cell({})", cell.rust()),
            Block::Explanation { items } => {
                format!("Block::Explanation {{ items: {} }}", items.rust())
            }
        }
    }
}

impl Rust for Cell {
    fn rust(&self) -> String {
        let Cell {
            id,
            title,
            action,
            language,
            code,
            implementation_hidden,
            saves,
        } = self;
        let action = match action {
            CellAction::RequestToken => "CellAction::RequestToken",
            CellAction::ValidateToken => "CellAction::ValidateToken",
            CellAction::Run => "CellAction::Run",
        };
        format!(
            "Cell {{ id: {}, title: {}, action: {action}, language: {}, code: {}, implementation_hidden: {}, saves: {} }}",
            id.rust(),
            title.rust(),
            language.rust(),
            code.rust(),
            implementation_hidden.rust(),
            saves.rust()
        )
    }
}

impl Rust for KeySave {
    fn rust(&self) -> String {
        let KeySave {
            key,
            list,
            value,
            name,
        } = self;
        format!(
            "KeySave {{ key: {}, list: {}, value: {}, name: {} }}",
            key.rust(),
            list.rust(),
            value.rust(),
            name.rust()
        )
    }
}

impl Rust for ExplanationItem {
    fn rust(&self) -> String {
        let ExplanationItem { from, to, text } = self;
        format!(
            "ExplanationItem {{ from: {}, to: {}, text: {} }}",
            from.rust(),
            to.rust(),
            text.rust()
        )
    }
}
